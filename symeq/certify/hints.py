"""Hints for the kernel: the searches that let the kernel check without searching.

The engine finds; this module turns what it found into the *hints* the kernel checks
(docs/certificates.md, format version 2).  :func:`with_hints` takes a certificate whose evidence
states the claim (as the engine's stages write it) and adds every hint the kernel needs:

* ``numbers``: the number field Q(alpha) of every radical in the certificate: a primitive element's
  minimal polynomial, an isolating interval, and each radical written in alpha (sympy); with
  constants tanh(q), ``exp_denominator`` N (the lcm of the denominators of the q: u = e^(1/N));
* ranks: a nonzero minor (rows, columns) and a kernel basis; Kruskal ranks: one nonzero minor per
  column subset; full column rank of the classification's weight equations: a nonzero minor;
* ``relu_canonical_form``: the groups of terms with equal normalized hyperplanes;
* ``exhaustive_matching``: the tree of every row matching;
* ``latent_actions``: the order of G (replacing a presentation) and the rewrite steps inline.

Hints are computed with the kernel's own exact numbers (:mod:`symeq.kernel`), by search; the
kernel then re-checks each one.  A certificate the kernel rejects is never written.
"""

from __future__ import annotations

import copy
from itertools import combinations
from typing import Any

import sympy

from symeq.certify.reader import Reader
from symeq.certify.second_tier import relu_terms
from symeq.kernel import conv, mlp
from symeq.kernel.groups import closure, count_matchings
from symeq.kernel.linalg import mul

__all__ = ["with_hints", "numbers_hint", "rank_hint"]

#: Largest degree of the number field the engine writes (beyond it the certificate is not written).
MAX_FIELD_DEGREE = 32
_TEXT_KEYS = {"citation", "statement", "engine", "description", "predicate", "method", "kind", "op", "refutes",
              "latent_kind", "invariant", "same_function", "generator", "theorem", "conditions", "relations"}


# -- the number field -------------------------------------------------------------------------------

def _radicals(doc: Any, tanh: set | None = None) -> set:
    """The roots b^(1/q) (b an algebraic constant) in the numbers of a certificate (sympy); the
    constants tanh(q) are added to ``tanh``."""
    from symeq.exact import parse_number

    out: set = set()

    def visit(x: Any, key: str = "") -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k not in _TEXT_KEYS:
                    visit(v, k)
        elif isinstance(x, list):
            for v in x:
                visit(v, key)
        elif isinstance(x, str):
            try:
                e = parse_number(x, "declare")
            except Exception:  # not a number (a name, a word): nothing to hint
                return
            if tanh is not None:
                tanh.update(e.atoms(sympy.tanh))
            for a in e.atoms(sympy.Pow):
                if a.exp.is_Rational and not a.exp.is_Integer and not a.base.free_symbols and not a.base.has(sympy.pi):
                    out.add(sympy.Pow(a.base, sympy.Rational(1, a.exp.q)))

    visit(doc)
    return out


def numbers_hint(doc: dict) -> dict | None:
    """The ``numbers`` hint of a certificate, or None when its numbers are rational (and pi).
    Its key "alpha" (removed before writing) is alpha as an expression of the radicals."""
    from sympy.polys.numberfields import minimal_polynomial, primitive_element

    from symeq.exact import exact_string, exp_denominator

    tanh: set = set()
    roots = sorted(_radicals(doc, tanh), key=lambda a: (len(a.atoms(sympy.Pow)), sympy.default_sort_key(a)))
    exp = {"exp_denominator": int(exp_denominator(tanh))} if tanh else None
    if not roots:
        return None if exp is None else {"minimal_polynomial": ["0", "1"], "interval": ["-1", "1"], **exp, "alpha": "0"}
    x = sympy.Dummy("x")
    if len(roots) == 1:
        mp, theta, reps = minimal_polynomial(roots[0], x), roots[0], [[1, 0]]
    else:
        mp, coeffs, reps = primitive_element(roots, x, ex=True)
        theta = sum(c * r for c, r in zip(coeffs, roots))
    poly = sympy.Poly(mp, x)
    if poly.degree() > MAX_FIELD_DEGREE:
        raise ValueError(f"the numbers generate a field of degree {poly.degree()} > {MAX_FIELD_DEGREE}")
    value = sympy.N(theta, 50)
    (lo, hi), _ = next(iv for iv in poly.intervals() if iv[0][0] <= value <= iv[0][1])
    q = lambda c: exact_string(sympy.Rational(int(c.numerator), int(c.denominator)))  # noqa: E731
    return {"minimal_polynomial": [exact_string(c) for c in reversed(poly.all_coeffs())],
            "interval": [exact_string(lo), exact_string(hi)],
            "radicals": [{"base": exact_string(r.base), "root": int(1 / r.exp), "value": [q(c) for c in reversed(rep)]}
                         for r, rep in zip(roots, reps)], **(exp or {}), "alpha": exact_string(theta)}


# -- ranks ------------------------------------------------------------------------------------------

def _eliminate(A) -> tuple[list, list, list]:
    """Gauss-Jordan: (pivot rows of A, pivot columns, reduced rows)."""
    rows, idx, cols, r = [list(row) for row in A], list(range(len(A))), [], 0
    for col in range(len(A[0])):
        p = next((i for i in range(r, len(rows)) if not rows[i][col].is_zero()), None)
        if p is None:
            continue
        rows[r], rows[p], idx[r], idx[p] = rows[p], rows[r], idx[p], idx[r]
        inv = 1 / rows[r][col]
        rows[r] = [v * inv for v in rows[r]]
        for i in range(len(rows)):
            if i != r and not rows[i][col].is_zero():
                f = rows[i][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        cols.append(col)
        r += 1
    return idx[:r], cols, rows[:r]


_ALPHA = ["0"]  # alpha as an expression of the radicals, for the certificate being built


def _s_text(F, k: int) -> str:
    """The field's transcendental s to the power k: sqrt(pi)^k, or u^k = e^(k/N) = (1 + t)/(1 - t)
    with t = tanh(k/(2N))."""
    if F.exp_root is None:
        return f"pi^({k}/2)"
    q = sympy.Rational(k, 2 * F.exp_root)
    return f"(1 + tanh({q}))/(1 - tanh({q}))"


def num_text(x) -> str:
    """A kernel number as text of the certificate grammar (alpha written through the radicals)."""
    if x.is_rational():
        return str(x.rational())
    names = x.f.names

    def poly(p) -> str:
        terms = []
        for e, c in p.terms():
            factors = [str(c)] + ([f"({_ALPHA[0]})^{e[0]}"] if e[0] else []) + ([_s_text(x.f, e[1])] if e[1] else [])
            terms.append("*".join(f"({f})" for f in factors + [f"{n}^{k}" for n, k in zip(names[2:], e[2:]) if k]))
        return " + ".join(terms) or "0"
    return poly(x.n) if x.d is None else f"({poly(x.n)})/({poly(x.d)})"


def rank_hint(A) -> dict:
    """{"rank", "rows", "cols", "kernel"} for the matrix A of kernel numbers."""
    rows, cols, red = _eliminate(A)
    n, text = len(A[0]), num_text
    kernel = []
    for j in (j for j in range(n) if j not in cols):
        v = [A[0][0].f.zero] * n
        v[j] = A[0][0].f.one
        for k, c in enumerate(cols):
            v[c] = -red[k][j]
        kernel.append([text(x) for x in v])
    return {"rank": len(cols), "rows": rows, "cols": cols, "kernel": kernel}


def kruskal_hint(m) -> dict:
    """The Kruskal rank of m with one nonzero minor (its rows) per subset of that many columns."""
    best: dict = {"k": 0, "minors": [[]]}
    for k in range(1, min(len(m), len(m[0])) + 1):
        minors = []
        for cols in combinations(range(len(m[0])), k):
            rows, piv, _ = _eliminate([[r[c] for c in cols] for r in m])
            if len(piv) < k:
                return best
            minors.append(rows)
        best = {"k": k, "minors": minors}
    return best


# -- per claim --------------------------------------------------------------------------------------

def _groups(net, G) -> dict:
    out = {}
    for g in G.names:
        terms, _, _ = relu_terms(net, *G.generator(g))
        groups: list = []
        for t, x in enumerate(terms):
            if x is not None:
                grp = next((grp for grp in groups if terms[grp[0]][0] == x[0]), None)
                grp.append(t) if grp is not None else groups.append([t])
        out[g] = groups
    return out


def _equivariance(rd: Reader, net, G, ev: dict) -> dict:
    ev = dict(ev)
    if ev.get("method") == "relu_canonical_form":
        ev["groups"] = _groups(net, G)
    elif ev.get("method") == "via_reduction":
        ev["reduced_equivariance"] = _equivariance(rd, rd.network(ev["reduced"]), G, ev["reduced_equivariance"])
    return ev


def matchings(net, G, g: str) -> list:
    """The tree of every row matching of generator g, layer by layer (the exhaustive search)."""
    act, F = net.activation, net.weights[0][0][0].f

    def walk(i: int, k: tuple) -> list | None:
        if i == net.depth:
            return None
        w, b, rs = net.weights[i - 1], net.biases[i - 1], mlp.rows(net, i)
        wm = mul(w, k[0])
        wt = tuple(x + y for x, y in zip((sum((a * v for a, v in zip(r, k[1])), F.zero) for r in w), b))
        rel = [[mlp.related(act, wm[p] + (wt[p],), rs[j]) for p in range(len(w))] for j in range(len(w))]
        if count_matchings([{p for p, r in enumerate(row) if r is not None} for row in rel]) > 10_000:
            raise ValueError("more than 10,000 row matchings")
        nodes = []

        def assign(j: int, perm: list) -> None:
            if j == len(w):
                be = [act.completes(*rel[jj][p]) for jj, p in enumerate(perm)]
                shifts = [F.zero] * len(w)
                for jj, p in enumerate(perm):
                    shifts[p] = be[jj][1]
                node: dict = {"perm": list(perm)}
                nxt = walk(i + 1, mlp.monomial(F, perm, [x[0] for x in be], shifts))
                if nxt is not None:
                    node["next"] = nxt
                nodes.append(node)
                return
            for p in range(len(w)):
                if p not in perm and rel[j][p] is not None:
                    assign(j + 1, perm + [p])

        assign(0, [])
        return nodes

    return walk(1, (G.generator(g)[0], tuple(F.zero for _ in G.generator(g)[0]))) or []


def _classification(rd: Reader, net, G, ev: dict) -> dict:
    from symeq.kernel.mlp_refute import constraints, latent_kind, signed_matrix

    F, kind = rd.F, latent_kind(net.activation)
    reps = [[tuple(tuple(s * (p + 1) for p, s in zip(t[g]["perm"], t[g]["signs"])) for g in G.names) for t in layer]
            for layer in ev["types"]]  # as the reader gives them to the kernel
    out = []
    for a in ev["assignments"]:
        key, layer = a["types"], a["zero_layer"]
        acts = [[signed_matrix(F, x, False) for x in reps[i][t]] for i, t in enumerate(key)]
        post = [list(G.inputs)] + ([[signed_matrix(F, x, True) for x in reps[i][t]] for i, t in enumerate(key)]
                                   if kind == "signed_lift" else acts)
        rows, _, _ = _eliminate(constraints(post[layer - 1], (acts + [list(G.outputs)])[layer - 1]))
        out.append(dict(a, minor=rows))
    return dict(ev, equivariance=_equivariance(rd, net, G, ev["equivariance"]), assignments=out)


def fiber_hints(net, basis: list, points) -> dict:
    """The hints of power_fiber_slice (:mod:`symeq.certify.slice_ideal`): cofactors of 1 = sum c_k e_k
    for every proper subset of the neurons; the engine's slice basis, its number of points, and
    every basis polynomial as sum c_k e_k."""
    from symeq.certify.cofactors import member_cofactors, terms, unit_cofactors
    from symeq.certify.slice_ideal import slice_equations, subsets

    (w1, w2), (b1, b2) = ([[[x.rational() for x in r] for r in w] for w in net.weights],
                          [[x.rational() for x in b] for b in net.biases])
    args = (w1, b1, w2[0], b2[0], net.activation.degree)
    units = []
    for kept in subsets(len(w1)):
        ring, eqs = slice_equations(*args, kept)
        units.append([terms(c) for c in unit_cofactors(ring, eqs)])
    ring, eqs = slice_equations(*args, list(range(len(w1))))
    rd = Reader({"network": {"symbols": list(ring.names())}})
    pos = [rd.F.names.index(n) for n in ring.names()]
    polys = []
    for text in basis:
        x = rd.num(text, "slice basis")
        polys.append(ring.from_dict({tuple(e[v] for v in pos): c for e, c in zip(x.n.monoms(), x.n.coeffs())}))
    return {"no_smaller_subnetwork": {"cofactors": units},
            "slice_count": {"basis": basis, "points": points,
                            "cofactors": [[terms(c) for c in cof] for cof in member_cofactors(ring, eqs, polys)]}}


def _identifiable(rd: Reader, net, ev: dict) -> dict:
    ev, hints = dict(ev), {}
    conds = ev.get("conditions", [])
    if "hidden_widths_equal_rank" in conds:
        prod = net.weights[0]
        for w in net.weights[1:]:
            prod = mul(w, prod)
        hints["hidden_widths_equal_rank"] = {"rank": rank_hint(prod)}
    if "kruskal_K1" in conds or "kruskal_K2" in conds:
        v = [list(col) for col in zip(*mlp.rows(net, 1))]
        hints["kruskal_K1"] = {"W_2": kruskal_hint(net.weights[1]), "V": kruskal_hint(v)}
        hints["kruskal_K2"] = {"V_e": kruskal_hint([r + [rd.F.num(int(t == len(v) - 1))] for t, r in enumerate(v)])}
    if "slice_count" in conds:
        hints.update(fiber_hints(net, ev.pop("slice_basis", []), ev.pop("points", None)))
    if hints:
        ev["hints"] = hints
    return ev


def with_hints(doc: dict) -> dict:
    """The certificate ``doc`` in format version 2: numbers hint, declared symbols, evidence hints.
    Never raises: a certificate whose hints cannot be built (a number outside the kernel's grammar,
    a field of too high degree) is returned without them, and the kernel says why it rejects it."""
    try:
        return _with_hints(doc)
    except Exception:  # the kernel's verdict on the unhinted certificate names the reason
        return dict(copy.deepcopy(doc), version=2)


def _with_hints(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["version"] = 2
    nums = numbers_hint(doc)
    if nums is not None:
        _ALPHA[0] = nums.pop("alpha")
        doc["numbers"] = nums
    names = _symbol_names(doc["network"])
    if names:
        doc["network"]["symbols"] = names
    rd = Reader(doc)
    net = rd.network(doc["network"])
    kind, ev = doc["claim"]["kind"], doc["evidence"]
    if isinstance(net, conv.Conv):  # a convolution: only its lowered MLP's evidence may need hints
        if kind == "equivariant" and ev.get("method") == "lowered":
            G = conv._Dense(rd.conv_group(doc["group"], net), net, rd.F)
            doc["evidence"] = dict(ev, mlp_evidence=_equivariance(rd, conv.lower(net), G, ev["mlp_evidence"]))
        elif kind == "identifiable" and ev.get("method") == "lowered":
            doc["evidence"] = dict(ev, mlp_evidence=_identifiable(rd, conv.lower(net), ev["mlp_evidence"]))
        return doc
    G = rd.group(doc["group"], net.widths[0], net.widths[-1]) if "group" in doc else None
    if kind == "equivariant":
        doc["evidence"] = _equivariance(rd, net, G, ev)
    elif kind == "latent_actions":
        ev = dict(ev)
        pres = ev.pop("presentation", None)
        ev["order"] = ev.get("order") or (closure(G)[0] if pres is None else pres["order"])
        eq = ev.get("equal_function")
        if eq is not None and "kept" in eq:  # format 1: a nested same_function certificate and kept indices
            red = eq.pop("reduction", None)
            eq = dict(eq, reduced=red["claim"]["reduced"], steps=red["evidence"]["steps"]) if red else dict(eq)
            eq["padding"] = padding(net.widths, eq.pop("kept"))
            ev["equal_function"] = eq
        u = ev.get("uniqueness")
        if u is not None and u.get("method") == "full_row_rank":
            target = net if u.get("network", "this") == "this" else rd.network(ev["equal_function"]["reduced"])
            u = dict(u, network=u.get("network", "this"))
            u["minors"] = [_eliminate(list(zip(*w)))[0] for w in target.weights[:-1]]
            ev["uniqueness"] = u
        elif u is not None:
            ev["uniqueness"] = dict(u, network=u.get("network", "this"))
        doc["evidence"] = ev
    elif kind == "identifiable":
        doc["evidence"] = _identifiable(rd, net, ev)
    elif kind == "weakly_identifiable":
        doc["evidence"] = dict(ev, submodel=_identifiable(rd, rd.network(doc["claim"]["reduced"]), ev["submodel"]))
    elif kind == "not_identifiable" and ev.get("method") == "second_parameter" and \
            ev["outside_orbit"].get("invariant") == "rank":
        i = ev["outside_orbit"]["layer"]
        doc["evidence"] = dict(ev, outside_orbit=dict(ev["outside_orbit"], theta=rank_hint(net.weights[i - 1]),
                                                      theta_prime=rank_hint(rd.network(ev["theta_prime"]).weights[i - 1])))
    elif kind == "counterexample":
        method = ev.get("method")
        if method == "classification":
            doc["evidence"] = _classification(rd, net, G, ev)
        elif method == "exhaustive_matching":
            doc["evidence"] = dict(ev, equivariance=_equivariance(rd, net, G, ev["equivariance"]),
                                   matchings=matchings(net, G, ev["generator"]))
        elif method == "atoms":
            atoms = {}
            for name, entry in ev["atoms"].items():
                sub = entry.get("evidence")
                if sub is not None and sub.get("method") == "exhaustive_matching":
                    sub = dict(sub, matchings=matchings(net, G, sub["generator"]))
                elif sub is not None and entry["value"] and name == "equivariant":
                    sub = _equivariance(rd, net, G, sub)
                atoms[name] = entry if sub is None else dict(entry, evidence=sub)
            doc["evidence"] = dict(ev, atoms=atoms)
        elif method == "two_actions":
            pass
    return doc


def padding(widths, kept: list) -> list:
    """The rewrite steps that delete the neurons outside ``kept`` (zero neurons of beta(theta~)),
    last first, in a network of these widths."""
    steps = []
    for i, k in enumerate(kept, start=1):
        steps += [{"op": "drop_zero_column", "layer": i, "neuron": j} for j in reversed(range(widths[i])) if j not in k]
    return steps


def _symbol_names(table: dict) -> list[str]:
    from symeq.exact import parse_number

    names: set = set(table.get("symbols", []))
    for block in (table.get("weights", []), table.get("biases", []), table.get("filters", []),
                  list((table.get("readout") or {}).values())):
        for x in _flatten(block):
            try:
                names |= {str(s) for s in parse_number(x, "declare").free_symbols}
            except Exception:
                pass
    return sorted(names)


def _flatten(x: Any):
    if isinstance(x, list):
        for v in x:
            yield from _flatten(v)
    else:
        yield x
