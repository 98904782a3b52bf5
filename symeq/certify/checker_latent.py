"""Checker extension: claim kind ``latent_actions`` (the theorem's latent homomorphisms).

Part of the trusted kernel: imports only the standard library, sympy and the checker's own
modules (:mod:`symeq.certify.checker`'s exported helpers, the exact ``rank`` of
:mod:`symeq.certify.checker_identifiable`).

Claim {"kind": "latent_actions"}: for every hidden layer i there is a homomorphism
rho_i : G -> K_i making every layer of the certificate's network equivariant,
f_i(rho_{i-1}(g) x) = rho_i(g) f_i(x) for every g in G.  Evidence
{"method": "layerwise_homomorphism", "actions": ..., "presentation": {"relators": [...],
"order": N}, optional "uniqueness", optional "equal_function"}.  Verified steps:

1. *Layerwise equivariance per generator*: the ``actions`` are re-checked exactly as the
   ``equivariant`` claim's ``layerwise`` method (a nested certificate run through
   :func:`verify_certificate`): trusted relations, every row equation, the last layer.
2. *The presentation defines G*: every relator holds on the generator pairs (rho_0, rho_L);
   Todd-Coxeter coset enumeration of <names | relators> (sympy.combinatorics.fp_groups) closes
   with exactly N cosets; and the word of every coset but the trivial one, evaluated exactly
   on the generator pairs, is not the identity.  So <names | relators> -> G is onto (relators
   hold) and one-to-one (its kernel meets no non-trivial coset of the regular action): an
   isomorphism.
3. *Homomorphism*: every relator evaluates to the identity map (linear part and shift) on the
   latent maps of every hidden layer, so generator -> latent map extends to a homomorphism of
   <names | relators> = G.
4. ``uniqueness`` (optional) {"method": "distinct_rows" | "full_row_rank", "network": "this" |
   "reduced"}: Stab(theta) in K is trivial, so k(g) is unique.  ``distinct_rows`` (monomial
   kinds, numeric networks): in every hidden layer every row has a nonzero weight part, no two
   rows (w, beta) are related by a trusted relation and no row is mapped to itself by a
   non-identity one.  Lemma used (checked by hand for every activation of the trusted table):
   for non-constant affine functions u, v of x, sigma(u) = b sigma(v) + e for a relation
   (a, c, b, e) forces u = a' v + c' for a trusted relation (a', c', b, e) (injective sigma:
   directly; relu: on {u > 0}; z^m: u = +-a v; sin: the shifts n pi; gelu, softplus, swish:
   behaviour at +-infinity).  So a stabilizer element fixing layer i-1 maps every neuron of
   layer i to itself with the identity relation, and by induction k = id.  ``full_row_rank``
   (identity activation): every hidden W_i has full row rank, so the homogeneous equations
   A_i W_i = W_i A_{i-1}, A_0 = 0, force A_i = 0 and t_i = 0.
5. ``equal_function`` (optional, for weakly identifiable networks): either
   {"method": "rewrite_steps", "original": NETWORK, "kept": [[...], ...], "reduction":
   CERTIFICATE}: the nested ``same_function`` certificate proves f(original) = f(reduced)
   (rewrite steps, replayed); then the certificate's network must be beta(reduced): the
   reduced network with its neurons at the ``kept`` indices and zero neurons (zero row, bias and
   outgoing column) elsewhere, which adds 0 to every next layer.  Hence f(original) =
   f(network).  Or, for the identity activation, {"method": "affine_identity", "original":
   NETWORK, "reduced": NETWORK, "kept": [...]}: the end-to-end affine maps x -> E x + e of
   original and network are computed exactly and must agree, and the network must be
   beta(reduced) as above.

>>> from symeq.certify.checker import verify_certificate
>>> neg = {"a": "-1", "c": "0", "b": "-1", "e": "0"}
>>> cert = {"format": "symeq-certificate", "version": 1, "claim": {"kind": "latent_actions"},
...   "network": {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["0"], ["0"]]},
...   "group": {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
...   "evidence": {"method": "layerwise_homomorphism",
...     "actions": {"s": [{"kind": "monomial", "perm": [0], "relations": [neg]}]},
...     "presentation": {"relators": ["s^2"], "order": 2}}}
>>> verify_certificate(cert).ok
True
>>> cert["evidence"]["presentation"] = {"relators": ["s^4"], "order": 4}
>>> print(verify_certificate(cert).reason)
the presentation has 4 elements but G fewer: a word of the presentation that is not trivial there is the identity on the generators
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.certify.checker import (Context, Network, Reject, field, int_index, is_trusted_relation,
                                   is_zero, matmul, matrix, only_keys, parse_network, parse_number,
                                   require_equal, vector, verify_certificate)
from symeq.certify.checker_identifiable import rank

__all__ = ["CLAIMS", "check_latent_actions"]

#: Largest group order the checker enumerates.
MAX_ORDER = 100_000
#: Largest exponent in a relator.
MAX_EXPONENT = 100_000
_LETTER = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\^\s*(-?\d{1,6}))?\s*")


def _word(text: Any, names: tuple[str, ...]) -> list[tuple[int, int]]:
    if not isinstance(text, str) or not text.strip():
        raise Reject("a relator must be a non-empty word such as \"r^4\"")
    out, pos, s = [], 0, text.replace("*", " ")
    while pos < len(s):
        m = _LETTER.match(s, pos)
        if m is None or m.end() == pos or m.group(1) not in names:
            raise Reject(f"cannot read relator {text!r:.60}")
        e = int(m.group(2) or 1)
        if abs(e) > MAX_EXPONENT:
            raise Reject(f"relator {text!r:.60} has an exponent above {MAX_EXPONENT}")
        out.append((names.index(m.group(1)), e))
        pos = m.end()
    return out


# -- exact maps: monomial (perm, scales, shift) or dense (M, t) ---------------------------------

class _Map:
    """An affine map v -> M v + t; monomial maps keep (perm, scales) for speed."""

    def __init__(self, perm: tuple[int, ...] | None, scales: tuple[Any, ...] | None,
                 dense: ImmutableMatrix | None, shift: tuple[Any, ...]) -> None:
        self.perm, self.scales, self.dense, self.shift = perm, scales, dense, shift

    @staticmethod
    def of_matrix(m: ImmutableMatrix, t: ImmutableMatrix | None = None) -> "_Map":
        n = m.rows
        shift = tuple(t) if t is not None else (Integer(0),) * n
        perm, scales = [-1] * n, [Integer(0)] * n
        for j in range(n):
            nz = [i for i in range(n) if not is_zero(m[i, j])]
            if len(nz) != 1 or perm.count(nz[0]):
                return _Map(None, None, m, shift)
            perm[j], scales[j] = nz[0], m[nz[0], j]
        return _Map(tuple(perm), tuple(scales), None, shift)

    def matrix(self) -> ImmutableMatrix:
        if self.dense is not None:
            return self.dense
        assert self.perm is not None and self.scales is not None
        n = len(self.perm)
        return ImmutableMatrix(n, n, lambda i, j: self.scales[j] if self.perm[j] == i else 0)

    def __matmul__(self, o: "_Map") -> "_Map":  # self after o
        if self.perm is not None and o.perm is not None:
            assert self.scales is not None and o.scales is not None
            perm = tuple(self.perm[q] for q in o.perm)
            scales = tuple(sympy.expand(self.scales[q] * s) for q, s in zip(o.perm, o.scales))
            shift = [Integer(0)] * len(perm)
            for i in range(len(perm)):  # M_self t_o + t_self
                shift[self.perm[i]] = self.scales[i] * o.shift[i]
            return _Map(perm, scales, None, tuple(sympy.expand(a + b) for a, b in zip(shift, self.shift)))
        m = matmul(self.matrix(), o.matrix())
        t = matmul(self.matrix(), ImmutableMatrix(o.shift)) + ImmutableMatrix(self.shift)
        return _Map.of_matrix(m, t)  # a monomial product is kept monomial: one key per map

    def inverse(self) -> "_Map":
        # v -> M v + t has inverse v -> M^-1 v - M^-1 t
        if self.perm is not None:
            assert self.scales is not None
            if any(is_zero(s) for s in self.scales):
                raise Reject("a latent map is not invertible (a zero scale)")
            inv = [0] * len(self.perm)
            for j, p in enumerate(self.perm):
                inv[p] = j
            scales = tuple(1 / self.scales[inv[i]] for i in range(len(inv)))
            minus = tuple(sympy.expand(-self.shift[p] / s) for p, s in zip(self.perm, self.scales))
            return _Map(tuple(inv), scales, None, minus)
        m = self.matrix()
        if is_zero(m.det()):
            raise Reject("a latent map is not invertible")
        mi = m.inv().applyfunc(sympy.expand)
        # sympy's inverse picks pivots with a heuristic zero test: confirm it exactly.
        require_equal(matmul(m, mi), ImmutableMatrix.eye(m.rows), "latent map times its computed inverse")
        return _Map.of_matrix(mi, ImmutableMatrix([sympy.expand(-x) for x in matmul(mi, ImmutableMatrix(self.shift))]))

    def is_identity(self) -> bool:
        if any(not is_zero(x) for x in self.shift):
            return False
        if self.perm is not None:
            assert self.scales is not None
            return all(p == j and is_zero(s - 1) for j, (p, s) in enumerate(zip(self.perm, self.scales)))
        m = self.matrix()
        return all(is_zero(m[i, j] - (1 if i == j else 0)) for i in range(m.rows) for j in range(m.cols))


def _evaluate(word: list[tuple[int, int]], gens: list[_Map], invs: list[_Map], n: int) -> _Map:
    x = _Map(tuple(range(n)), (Integer(1),) * n, None, (Integer(0),) * n)
    for k, e in word:
        base = gens[k] if e > 0 else invs[k]
        for _ in range(abs(e)):
            x = x @ base
    return x


def _latent_map(action: dict[str, Any], d: int, syms: dict[str, sympy.Symbol], where: str) -> _Map:
    if action.get("kind") == "affine":
        m = matrix(field(action, "matrix", list, where), (d, d), f"{where} matrix", syms)
        t = vector(field(action, "shift", list, where), d, f"{where} shift", syms)
        return _Map.of_matrix(m, t)
    perm = [int_index(p, d, f"{where} perm entry") for p in field(action, "perm", list, where)]
    rels = field(action, "relations", list, where)
    if sorted(perm) != list(range(d)) or len(rels) != d:
        raise Reject(f"{where}: perm must be a permutation of 0..{d - 1} with one relation per neuron")
    scales, shift = [Integer(0)] * d, [Integer(0)] * d
    for j, (p, r) in enumerate(zip(perm, rels)):
        scales[j] = parse_number(field(r, "b", (str, int), where), None, f"{where} b")
        shift[p] = parse_number(field(r, "e", (str, int), where), None, f"{where} e")
    return _Map(tuple(perm), tuple(scales), None, tuple(shift))


# -- the steps ---------------------------------------------------------------------------------

def _layerwise(ctx: Context, actions: Any) -> None:
    sub = {"format": "symeq-certificate", "version": 1, "claim": {"kind": "equivariant"},
           "network": ctx.doc["network"], "group": ctx.doc["group"],
           "evidence": {"method": "layerwise", "actions": actions}}
    v = verify_certificate(sub)
    if not v.ok:
        raise Reject(f"layerwise equivariance: {v.reason}")
    for s in v.steps:
        ctx.step(s)


def _presentation(ctx: Context, pres: Any) -> tuple[list[list[tuple[int, int]]], int]:
    from sympy.combinatorics.fp_groups import FpGroup
    from sympy.combinatorics.free_groups import free_group

    group = ctx.group
    only_keys(pres, {"relators", "order"}, "presentation")
    texts = field(pres, "relators", list, "presentation")
    order = field(pres, "order", int, "presentation")
    if not 1 <= order <= MAX_ORDER:
        raise Reject(f"presentation order must be from 1 to {MAX_ORDER}")
    words = [_word(t, group.names) for t in texts]
    # relators hold on the generator pairs
    n0, nL = group.inputs[0].rows, group.outputs[0].rows
    for side, mats, n in ((0, group.inputs, n0), (1, group.outputs, nL)):
        gens = [_Map.of_matrix(m) for m in mats]
        invs = [g.inverse() for g in gens]
        for t, w in zip(texts, words):
            if not _evaluate(w, gens, invs, n).is_identity():
                raise Reject(f"relator {t!r:.60} does not hold on rho_{'0' if side == 0 else 'L'}")
    ctx.step(f"relators {', '.join(texts)} hold on the generators (rho_0 and rho_L)")
    # coset enumeration of <names | relators>
    F, *xs = free_group(", ".join(f"x{k}" for k in range(len(group.names))))
    rels = []
    for w in words:
        r = F.identity
        for k, e in w:
            r = r * xs[k] ** e
        rels.append(r)
    try:
        C = FpGroup(F, rels).coset_enumeration([], max_cosets=4 * order + 64)
    except ValueError:
        raise Reject(f"coset enumeration of the presentation passed {4 * order + 64} cosets") from None
    C.compress()
    if not C.is_complete() or len(C.table) != order:
        raise Reject(f"coset enumeration gives {len(C.table)} elements, not the stated order {order}")
    ctx.step(f"coset enumeration: <{', '.join(group.names)} | {', '.join(texts)}> has exactly {order} elements")
    # The relators hold in G, so <names | relators> -> G is onto.  It is injective when no coset
    # but the trivial one is represented by a word that is the identity in G (the action on the
    # cosets is regular): each coset's word is evaluated exactly, along the coset table.  (Counting
    # the closure of the generators by expression keys would trust that equal algebraic numbers
    # print alike, which sympy does not promise.)
    letter_maps = {}
    for k, (a, b) in enumerate(zip(group.inputs, group.outputs)):
        ga, gb = _Map.of_matrix(a), _Map.of_matrix(b)
        letter_maps[xs[k]] = (ga, gb)
        letter_maps[xs[k] ** -1] = (ga.inverse(), gb.inverse())
    letters = [letter_maps[x] for x in C.A]
    element = {0: (_Map.of_matrix(ImmutableMatrix.eye(n0)), _Map.of_matrix(ImmutableMatrix.eye(nL)))}
    queue = [0]
    for c in queue:
        for j, (a, b) in enumerate(letters):
            d = C.table[c][j]
            if d not in element:
                element[d] = (element[c][0] @ a, element[c][1] @ b)
                if element[d][0].is_identity() and element[d][1].is_identity():
                    raise Reject(f"the presentation has {order} elements but G fewer: a word of the "
                                 "presentation that is not trivial there is the identity on the generators")
                queue.append(d)
    if len(element) != order:  # a complete coset table is connected; kept as a guard
        raise Reject(f"the coset table reaches {len(element)} of {order} cosets")
    ctx.step(f"the {order - 1} non-trivial elements of the presentation (one word per coset) are not the "
             "identity on (rho_0, rho_L): <names | relators> -> G is one-to-one and onto, so the "
             "presentation defines G")
    return words, order


def _homomorphism(ctx: Context, actions: dict[str, Any], words: list[list[tuple[int, int]]],
                  texts: list[str]) -> None:
    net, group = ctx.network, ctx.group
    syms = {str(s): s for s in net.symbols}
    for i in range(1, net.depth):
        d = net.widths[i]
        gens = [_latent_map(actions[g][i - 1], d, syms, f"generator {g}, layer {i}") for g in group.names]
        invs = [g.inverse() for g in gens]
        for t, w in zip(texts, words):
            if not _evaluate(w, gens, invs, d).is_identity():
                raise Reject(f"layer {i}: relator {t!r:.60} does not hold on the latent maps")
        ctx.step(f"layer {i}: every relator is the identity on the latent maps, so rho_{i} extends to a "
                 f"homomorphism G -> K_{i}")


def _rows_related(act: Any, rj: list[Any], rk: list[Any], allow_identity: bool) -> bool:
    """Is (w_k, beta_k) = (a w_j, a beta_j + c) for a trusted relation (a, c, b, e)?"""
    n = len(rj) - 1
    lead = next((m for m in range(n) if not is_zero(rj[m])), None)
    if lead is None:
        return True  # a constant neuron: rejected by the caller anyway
    a = sympy.radsimp(sympy.expand(rk[lead] / rj[lead]))
    if any(not is_zero(rk[m] - a * rj[m]) for m in range(n)):
        return False
    c = sympy.expand(rk[n] - a * rj[n])
    for b, e in ((a, c), (a, Integer(0)), (a, Integer(1)), (a ** act.degree, Integer(0)),
                 (Integer(1), Integer(0)), (Integer(-1), Integer(0))):
        if is_trusted_relation(act, a, c, b, e):
            if allow_identity or not (is_zero(a - 1) and is_zero(c) and is_zero(b - 1) and is_zero(e)):
                return True
    return False


def _uniqueness(ctx: Context, u: Any, reduced: Network | None) -> None:
    only_keys(u, {"method", "network"}, "uniqueness")
    which = u.get("network", "this")
    if which not in ("this", "reduced") or (which == "reduced" and reduced is None):
        raise Reject("uniqueness network must be 'this' or 'reduced' (with equal_function evidence)")
    net = ctx.network if which == "this" else reduced
    assert net is not None
    label = "the network" if which == "this" else "the reduced network"
    if net.symbols:
        raise Reject("uniqueness is checked only for numeric networks")
    method = u.get("method")
    if method == "full_row_rank":
        if net.activation.name != "identity":
            raise Reject("full_row_rank uniqueness is for the identity activation")
        for i, w in enumerate(net.weights[:-1], start=1):
            if rank(w) != w.rows:  # exact (FLINT or a number field), not sympy's Matrix.rank
                raise Reject(f"uniqueness: W_{i} of {label} does not have full row rank")
        ctx.step(f"uniqueness: every hidden W_i of {label} has full row rank, so Stab(theta) is trivial "
                 "and the latent action is unique")
        return
    if method != "distinct_rows" or net.activation.name == "identity":
        raise Reject("uniqueness method must be 'distinct_rows' (monomial kinds) or 'full_row_rank'")
    act = net.activation
    for i in range(1, net.depth):
        w, b = net.weights[i - 1], net.biases[i - 1]
        rows = [list(w.row(j)) + [b[j]] for j in range(w.rows)]
        for j, r in enumerate(rows):
            if all(is_zero(x) for x in r[:-1]):
                raise Reject(f"uniqueness: neuron {j} of layer {i} of {label} is constant (zero weights)")
            if _rows_related(act, r, r, allow_identity=False):
                raise Reject(f"uniqueness: neuron {j} of layer {i} of {label} is fixed by a non-identity relation")
        # Related rows have proportional weight parts (a != 0 in every trusted relation).  For
        # rational rows the normalized weights are a canonical key; otherwise compare all pairs.
        groups: dict[Any, list[int]] = {}
        rational = all(x.is_Rational for r in rows for x in r)
        for j, r in enumerate(rows):
            lead = next(m for m in range(len(r) - 1) if not is_zero(r[m]))
            key = (lead,) + tuple(x / r[lead] for x in r[:-1]) if rational else 0
            groups.setdefault(key, []).append(j)
        for members in groups.values():  # only rows with proportional weights can be related
            for x in members:
                for y in members:
                    if x != y and _rows_related(act, rows[x], rows[y], allow_identity=True):
                        raise Reject(f"uniqueness: neurons {x} and {y} of layer {i} of {label} are "
                                     "related by a trusted relation")
        ctx.step(f"uniqueness, layer {i} of {label}: no constant neuron, no two rows related by a "
                 "trusted relation, none fixed by a non-identity one")
    ctx.step(f"uniqueness: matching {label} with itself forces k_i = id layer by layer, so Stab(theta) "
             "is trivial and the latent action is unique")


def _end_to_end(net: Network) -> tuple[ImmutableMatrix, ImmutableMatrix]:
    E = ImmutableMatrix.eye(net.widths[0])
    e = ImmutableMatrix.zeros(net.widths[0], 1)
    for w, b in zip(net.weights, net.biases):
        E, e = matmul(w, E), matmul(w, e) + b
    return E, e


def _is_beta(net: Network, reduced: Network, kept: Any) -> None:
    """The certificate's network is beta(reduced): reduced's neurons at the kept indices, zero
    neurons elsewhere."""
    if len(kept) != net.depth - 1 or reduced.depth != net.depth:
        raise Reject(f"kept must list the kept neurons of each of the {net.depth - 1} hidden layers")
    index: list[list[int]] = [list(range(net.widths[0]))]
    for i, k in enumerate(kept, start=1):
        if not isinstance(k, list) or len(k) != reduced.widths[i]:
            raise Reject(f"kept[{i - 1}] must list {reduced.widths[i]} neuron indices")
        idx = [int_index(x, net.widths[i], f"kept[{i - 1}] entry") for x in k]
        if len(set(idx)) != len(idx):
            raise Reject(f"kept[{i - 1}] lists a neuron twice")
        index.append(idx)
    index.append(list(range(net.widths[-1])))
    if reduced.widths[0] != net.widths[0] or reduced.widths[-1] != net.widths[-1]:
        raise Reject("the reduced network has other input or output dimensions")
    for i in range(1, net.depth + 1):
        w, b = net.weights[i - 1], net.biases[i - 1]
        rw, rb = reduced.weights[i - 1], reduced.biases[i - 1]
        rows, cols = index[i], index[i - 1]
        pad, pb = sympy.zeros(*w.shape), sympy.zeros(b.rows, 1)
        for r, orow in enumerate(rows):
            pb[orow] = rb[r]
            for c, ocol in enumerate(cols):
                pad[orow, ocol] = rw[r, c]
        require_equal(w, ImmutableMatrix(pad), f"beta(reduced): W_{i}")
        require_equal(b, ImmutableMatrix(pb), f"beta(reduced): b_{i}")


def _equal_function(ctx: Context, ev: Any) -> Network:
    net = ctx.network
    method = ev.get("method")
    original = parse_network(field(ev, "original", dict, "equal_function"))
    if method == "affine_identity":
        only_keys(ev, {"method", "original", "reduced", "kept"}, "equal_function")
        reduced = parse_network(field(ev, "reduced", dict, "equal_function"))
        if not (original.activation.name == net.activation.name == reduced.activation.name == "identity"):
            raise Reject("affine_identity compares networks with the identity activation")
        if original.widths != net.widths:
            raise Reject("original and network must have the same widths")
        E0, e0 = _end_to_end(original)
        E1, e1 = _end_to_end(net)
        require_equal(E0, E1, "end-to-end linear maps of original and network")
        require_equal(e0, e1, "end-to-end shifts of original and network")
        ctx.step("f(original) = f(network): both are the affine map x -> E x + e with the same E and e")
        _is_beta(net, reduced, field(ev, "kept", list, "equal_function"))
        ctx.step("the network is beta(reduced): the reduced network at the kept indices, zero neurons "
                 "elsewhere")
        return reduced
    if method != "rewrite_steps":
        raise Reject("equal_function method must be 'rewrite_steps' or 'affine_identity'")
    only_keys(ev, {"method", "original", "kept", "reduction"}, "equal_function")
    nested = field(ev, "reduction", dict, "equal_function")
    claim = field(nested, "claim", dict, "equal_function reduction")
    if claim.get("kind") != "same_function":
        raise Reject("equal_function needs a nested same_function certificate")
    if nested.get("network") != ev["original"]:
        raise Reject("the nested same_function certificate is not about the original network")
    v = verify_certificate(nested)
    if not v.ok:
        raise Reject(f"same_function: {v.reason}")
    ctx.step("f(original) = f(reduced): the nested same_function certificate verifies "
             f"({len(v.steps)} steps)")
    reduced = parse_network(field(claim, "reduced", dict, "same_function claim"))
    if (original.activation.spec != net.activation.spec or original.widths != net.widths
            or reduced.activation.spec != net.activation.spec):
        raise Reject("original, reduced and the certificate's network must share the activation, "
                     "and original and network the widths")
    _is_beta(net, reduced, field(ev, "kept", list, "equal_function"))
    ctx.step("the network is beta(reduced): the reduced network at the kept indices, zero neurons "
             "(zero row, bias and outgoing column) elsewhere, which add nothing: f(network) = "
             "f(reduced) = f(original)")
    return reduced


def check_latent_actions(ctx: Context) -> None:
    """Claim kind ``latent_actions`` (see the module docstring)."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    ev = ctx.evidence
    only_keys(ev, {"method", "actions", "presentation", "uniqueness", "equal_function"}, "evidence")
    if ev.get("method") != "layerwise_homomorphism":
        raise Reject("a latent_actions claim needs evidence method 'layerwise_homomorphism'")
    net = ctx.network
    _ = ctx.group  # parse and check the group before the evidence
    ctx.claim_text = (f"latent homomorphisms rho_i : G -> K_i making every layer of {net.describe()} "
                      "equivariant")
    actions = field(ev, "actions", dict, "evidence")
    _layerwise(ctx, actions)
    pres = field(ev, "presentation", dict, "evidence")
    words, order = _presentation(ctx, pres)
    _homomorphism(ctx, actions, words, list(pres["relators"]))
    reduced = None
    if "equal_function" in ev:
        reduced = _equal_function(ctx, field(ev, "equal_function", dict, "evidence"))
        ctx.claim_text += "; the network computes the same function as the original network"
    if "uniqueness" in ev:
        _uniqueness(ctx, field(ev, "uniqueness", dict, "evidence"), reduced)
        ctx.claim_text += "; the latent action is unique"
    ctx.claim_text += f"; |G| = {order}"


CLAIMS = {"latent_actions": check_latent_actions}
