"""MLP counterexamples, each re-proving G-equivariance first: ``classification`` (the listed types
are every class of homomorphisms G -> S_d or B_d, and a nonzero maximal minor of the weight
equations forces a zero layer for each assignment), ``exhaustive_matching`` (the tree of every row
matching, each list complete by a count), ``two_actions`` and ``atoms`` (lemmas: second tier).
"""

from __future__ import annotations

from itertools import product

from symeq.kernel import mlp
from symeq.kernel.claims import differ, equivariant_by as _equivariance, homomorphisms, witness
from symeq.kernel.core import Reject
from symeq.kernel.groups import closure, complete_cyclic_classes, compose, count_matchings, extends
from symeq.kernel.linalg import apply, eye, mul, nonzero_minor, vadd

LATENT_KIND = {"relu": "permutation", "leaky_relu": "permutation", "gelu": "permutation",
               "softplus": "permutation", "swish": "permutation", "tanh": "signed_permutation"}

def latent_kind(act) -> str | None:
    return ("signed_permutation" if act.degree % 2 else "signed_lift") if act.name == "power" else LATENT_KIND.get(act.name)

def signed_matrix(F, x: tuple, drop_signs: bool) -> tuple:
    return tuple(tuple(F.num(1 if drop_signs or x[j] > 0 else -1) if abs(x[j]) == r + 1 else F.zero
                       for j in range(len(x))) for r in range(len(x)))

def constraints(a_in: list, a_out: list) -> tuple:
    """The rows (r, col) of W A_in(g) - A_out(g) W = 0 in the unknowns W[p, q] (row-major)."""
    F, n_out, n_in = a_in[0][0][0].f, len(a_out[0]), len(a_in[0])
    return tuple(tuple((A[q][col] if p == r else F.zero) - (B[r][p] if q == col else F.zero)
                       for p in range(n_out) for q in range(n_in))
                 for A, B in zip(a_in, a_out) for r in range(n_out) for col in range(n_in))

def _classification(c, net, G, ev: dict) -> None:
    kind, F, act = latent_kind(net.activation), c.F, net.activation
    why = f"lemma L3: M = {act.degree} is {'odd' if act.degree % 2 else 'even'}" if act.name == "power" else "lemmas L1, L2"
    if kind is None or ev["latent_kind"] != kind:
        raise Reject(f"the latent types of {act.spec} layers are {kind} types, not {ev['latent_kind'][:40]!r} ({why})"
                     if kind else f"classification proofs cover {', '.join(LATENT_KIND)} and power:M, not {act.spec}")
    for lemma in ("L3",) if act.name == "power" else ("L1", "L2") if kind == "permutation" else ("L2",):
        c.lemma(lemma)
    c.step(f"latent kind read from the activation {act.spec}: {kind} ({why})")
    _equivariance(c, net, G, ev["equivariance"], "equivariance: ")
    nc = ev["non_constant"]
    differ(c, net, nc["x"], nc["y"], eye(F, net.widths[-1]), nc["coordinate"], F.zero, "f is not constant")
    signed, (n, right), reps = kind != "permutation", closure(G), []
    for i, listed in enumerate(ev["types"] if len(ev["types"]) == net.depth - 1 else [None], start=1):
        d, one = net.widths[i], tuple(range(1, net.widths[i] + 1))
        read = [tuple(t[g] for g in G.names) for t in listed or [None] if set(t or ()) == set(G.names) and
                all(len(t[g]) == d and (signed or min(t[g]) > 0) for g in G.names)]
        if len(read) != len(listed or [None]) or not all(
                extends(right, list(t), compose, lambda x, y, _: (x or one) == y) for t in read):
            raise Reject(f"hidden layer {i}: a type is not a homomorphism G -> {'B' if signed else 'S'}_{d} "
                         "(the evidence lists types for each hidden layer)")
        if len(G.names) > 1:
            c.second_tier("conjugacy classes of homomorphisms G -> B_d (enumeration)", right, read, d, signed)
        elif not complete_cyclic_classes([t[0] for t in read], n, d, signed):
            raise Reject(f"hidden layer {i}: the types are not one per conjugacy class of homomorphisms C_{n} -> "
                         f"{'B' if signed else 'S'}_{d} (distinct cycle types, class sizes summing to #{{x^n = 1}})")
        c.step(f"hidden layer {i}: the {len(read)} types are every conjugacy class of homomorphisms G -> "
               f"{'B' if signed else 'S'}_{d}" + (" (cycle types, an orbit-stabilizer count)" if len(G.names) == 1 else ""))
        reps.append(read)
    seen = set()
    for a in ev["assignments"]:
        key, layer = tuple(a["types"]), a["zero_layer"]
        if len(key) != len(reps) or key in seen or any(t >= len(r) for t, r in zip(key, reps)) or not 1 <= layer <= net.depth:
            raise Reject(f"assignment {list(key)} is malformed or listed twice")
        seen.add(key)
        acts = [[signed_matrix(F, x, False) for x in reps[i][t]] for i, t in enumerate(key)]
        post = [list(G.inputs)] + ([[signed_matrix(F, x, True) for x in reps[i][t]] for i, t in enumerate(key)]
                                   if kind == "signed_lift" else acts)
        m = constraints(post[layer - 1], (acts + [list(G.outputs)])[layer - 1])
        if not nonzero_minor(m, a["minor"], list(range(len(m[0])))):
            raise Reject(f"assignment {list(key)}: the stated rows are no nonzero maximal minor: W_{layer} = 0 not shown")
    if seen != set(product(*[range(len(r)) for r in reps])):
        raise Reject("the assignments must be exactly the combinations of listed types")
    c.step(f"for each of the {len(seen)} assignments of types, a nonzero maximal minor of the weight equations "
           "forces the stated W_i = 0: every layerwise-equivariant parameter computes a constant")
    c.claim = ("counterexample to 'layerwise-reparam': this G-equivariant, non-constant network has no "
               f"layerwise-equivariant parameter of its architecture with the same function; {net.describe()}")

def no_latent_action(c, net, G, ev: dict) -> None:
    """No monomial k_1(g), ..., k_{L-1}(g) makes every layer equivariant: the hint lists every
    matching, layer by layer (a tree), each node's list complete by a count."""
    act, F, g = net.activation, c.F, ev["generator"]
    if LATENT_KIND.get(act.name) is None or any(all(x == 0 for x in r) for w in net.weights[:-1] for r in w):
        raise Reject(f"exhaustive matching is checked for {', '.join(LATENT_KIND)} networks without zero rows")
    rho0, rho_l = G.generator(g)
    nodes = [0]

    def walk(i: int, k: tuple, listed) -> None:
        w, b, rs = net.weights[i - 1], net.biases[i - 1], mlp.rows(net, i)
        wm, wt = mul(w, k[0]), vadd(apply(w, k[1]), b)
        if i == net.depth:
            if wm == mul(rho_l, w) and wt == apply(rho_l, b):
                raise Reject(f"generator {g}: a layerwise latent action exists at these parameters")
            return
        rel = [[mlp.related(act, wm[p] + (wt[p],), rs[j]) for p in range(len(w))] for j in range(len(w))]
        count = count_matchings([{p for p, r in enumerate(row) if r is not None} for row in rel])
        perms = {tuple(node["perm"]) for node in listed or []}
        if listed is None or len(listed) != count or len(perms) != count:
            raise Reject(f"generator {g}, layer {i}: the rows admit {count} matchings, the hint lists "
                         f"{'none' if listed is None else len(perms)} distinct ones")
        for node in listed:
            perm = node["perm"]
            nodes[0] += 1
            if sorted(perm) != list(range(len(w))) or any(rel[j][p] is None for j, p in enumerate(perm)) or \
                    ("next" in node) != (i < net.depth - 1):
                raise Reject(f"generator {g}, layer {i}: the listed matching {perm} does not match the rows")
            be = [act.completes(*rel[j][p]) for j, p in enumerate(perm)]
            shifts = [be[perm.index(q)][1] for q in range(len(perm))]  # (k v)[p_j] = b_j v_j + e_j
            walk(i + 1, mlp.monomial(F, perm, [x[0] for x in be], shifts), node.get("next"))

    walk(1, (rho0, tuple(F.zero for _ in rho0)), ev["matchings"])
    c.rely(act.family)
    c.lemma("L2")
    c.step(f"generator {g}: all {nodes[0]} row matchings listed (each list complete by its count); none makes the "
           "output layer equivariant, so no latent action k(g) exists at these parameters")

def _exhaustive_matching(c, net, G, ev: dict) -> None:
    _equivariance(c, net, G, ev["equivariance"], "equivariance: ")
    no_latent_action(c, net, G, ev)
    c.claim = ("counterexample to 'layerwise-at-theta': this network is G-equivariant but not layerwise "
               f"equivariant at its own parameters; {net.describe()}")

def _two_actions(c, net, G, ev: dict) -> None:
    maps = [_equivariance(c, net, G, ev[label], f"{label} action: ") for label in ("first", "second")]
    for label, m in zip(("first", "second"), maps):
        homomorphisms(c, G, m, f"{label} action")
    if maps[0] == maps[1]:
        raise Reject("the two latent actions are the same maps")
    c.step("the two latent actions differ on some generator and hidden layer")
    c.claim = ("counterexample to 'unique-latent': two different latent actions make this equivariant network "
               f"layerwise equivariant; {net.describe()}")

def _value(f, values: dict) -> bool:
    if isinstance(f, str):
        return values[f]
    a, b = _value(f[1], values), f[0] != "not" and _value(f[2], values)
    return {"not": not a, "and": a and b, "or": a or b, "->": (not a) or b}[f[0]]

def _predicate(c, net, G, ev: dict, formula, atoms) -> None:
    if set(ev["atoms"]) != atoms:
        raise Reject(f"evidence atoms must give exactly the atoms of the predicate, {', '.join(sorted(atoms))}")
    values = {name: entry["value"] for name, entry in ev["atoms"].items()}
    for name, entry in sorted(ev["atoms"].items()):
        if name == "reduced":
            found = mlp.degenerate(net)
            if (found is None) != entry["value"]:
                raise Reject(f"atom reduced is {not entry['value']}: {found or 'no inactive or redundant neuron'}")
            c.rely(net.activation.family)
            c.step(f"atom reduced = {entry['value']}: {found or 'no inactive or redundant hidden neuron'}")
        elif entry["value"]:
            _equivariance(c, net, G, entry["evidence"], f"atom {name} = True: ")
        else:
            (witness if name == "equivariant" else no_latent_action)(c, net, G, entry["evidence"])
    if _value(formula, values):
        raise Reject("the predicate is true at the verified atom values")
    c.step(f"the predicate is false at the verified atom values ({', '.join(f'{k} = {v}' for k, v in sorted(values.items()))})")

def counterexample(c, cert) -> None:
    net, G, ev, claim = cert.network, cert.group, cert.evidence, cert.claim
    c.claim = f"counterexample to {claim['refutes']!r}; {net.describe()}"
    if net.symbols or ("predicate" in claim) != (claim["refutes"] == "predicate"):
        raise Reject("a counterexample is a numeric network; it names a predicate exactly when it refutes 'predicate'")
    if claim["refutes"] == "predicate":
        c.claim = f"counterexample to the predicate {claim['predicate'][:60]!r}; {net.describe()}"
        return _predicate(c, net, G, ev, claim["formula"], claim["atoms"])
    {"classification": _classification, "exhaustive_matching": _exhaustive_matching,
     "two_actions": _two_actions}[ev["method"]](c, net, G, ev)

CLAIMS = {"counterexample": counterexample}
