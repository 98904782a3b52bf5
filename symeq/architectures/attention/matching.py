"""The head matching: every k_i relating a layer of theta to a layer of another parameter, and
theta^g (docs/theory.md sections 5, 7.0 and 7.1).

**theta^g.**  g acts on inputs by X -> P X R_in^T and on outputs by Y -> P Y R_out^T.  Heads
commute with token permutations (phi(P S P^T) = P phi(S) P^T for the row softmax and the
identity) and 1 b^T is unchanged by P, so P passes through every layer (the structural action
s_i(g) = P (x) I) except the positional encoding: P X + E = P (X + P^T E).  The feature parts
move by the ordinary adjunction, hence

    W_Q' = R_in^T W_Q,  W_K' = R_in^T W_K,  W_V' = R_in^T W_V   (layer 1)
    E' = P^T E R_in^{-T},  W_O' = W_O R_out^{-T},  b' = R_out^{-1} b   (readout)

and f(x; theta^g) = rho_L(g)^{-1} f(rho_0(g) x; theta).

**The layer equation.**  f_i(k_{i-1} Z; theta'_i) = k_i f_i(Z; theta_i) for all Z in V_{i-1}.  Layer
i reads Z through U = W_O^(i-1) (U = I and Y = X + E for i = 1), and k_{i-1} acts by Z -> Z B,
so head h of theta sees the *effective* score form and value map S_h = U M_h U^T and
V_h = U W_V^h, and head p of theta' sees S'_p, V'_p with U' = B W_O'^(i-1).  With
(k_i Z)_{perm[h]} = Z_h A_h the equation says, head by head,

    head'_{perm[h]} = head_h A_h    as functions on R^{n x D}.

*Lemma A (softmax, n >= 2).*  phi(Z S Z^T) Z V = phi(Z S' Z^T) Z V' for all Z implies V = V',
and S = S' when V != 0.  Proof: with token rows (z, 0, .., 0), row 0 is e^{q(z)} z V /
(e^{q(z)} + n - 1), q(z) = z S z^T; its derivative along z = eps u at eps = 0 is u V / n, so
V = V'.  Where z V != 0, x -> e^x / (e^x + n - 1) is injective, so z S z^T = z S' z^T on a dense
set: S - S' =: N is antisymmetric.  With rows (z, w, 0, ..): row 0 is
(e^{zSz} zV + e^{zSw} wV) / (e^{zSz} + e^{zSw} + n - 2).  If rank V >= 2, zV and wV are
independent for generic z, w, so both coefficients agree and z N w = 0; if rank V = 1
(z V = alpha(z) v_0), take w in ker alpha: the coefficient of v_0 determines e^{zSw}, so
z N w = 0 for w in ker alpha, and an antisymmetric N vanishing on a hyperplane H with u N u = 0
for u outside H is 0.  So N = 0.

*Lemma B (lightning, n >= 2).*  Z S Z^T Z V = Z S' Z^T Z V' for all Z if and only if the
tensors S_ik V_lj + S_il V_kj agree (the coefficients of z_t,i z_s,k z_s,l, s != t, in row t);
if rank S >= 2, then S' = c S and V' = V / c (x S y is irreducible; unique factorization of
(x S y)(y . V_j)).  With rank S = rank V = 1 the roles can swap (Henry, Marchetti, Kohn 2025:
the rank-1 exception): the list below is then not complete.

Hence, for full-column-rank effective value maps, the candidates for head h are the heads p
of theta' with S'_p = S_h (softmax) or S'_p = c S_h (lightning), each with the one A_h solving
V_h A_h = V'_p (c V'_p), and the solutions k_i are the bijections among the candidates: an
exhaustive list.  A zero or rank-deficient effective value map leaves A_h a continuum
(:class:`~symeq.architectures.base.NotEnumerable`); a positional encoding with E' != E is not
decided here (the failure is not definitive; ``check`` decides equivariance).  The readout
closes when B W_O' = W_O and b' = b.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> from symeq.architectures.attention.group import group_from_dict
>>> from symeq.architectures.base import Budget
>>> net = attention_from_dict({"architecture": "attention", "tokens": 2, "widths": [2, 2],
...     "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...                           {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["3"], ["1"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}})
>>> G = group_from_dict({"generators": {"f": {"tokens": [1, 0], "input": [["0", "1"], ["1", "0"]]}}}, net)
>>> other = net.twist(G, "f")
>>> [k.describe() for k in net.solve_layer(1, None, other, Budget())]
['heads (0 1)']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.group import token_parts
from symeq.architectures.attention.heads import HeadMap
from symeq.architectures.attention.numbers import _flint, fingerprint, independent_rows, rank, unify
from symeq.architectures.base import LayerFailure, LayerSolutions, NotEnumerable
from symeq.errors import InputError

__all__ = ["twisted", "solve_layer", "effective_heads", "LEMMAS"]

#: The statements the exhaustiveness of the matching rests on (proved in the module docstring).
LEMMAS = {
    "softmax": "Lemma A (n >= 2): a softmax head function determines its value map V, and its score form S when V != 0",
    "lightning": "Lemma B (n >= 2): a lightning head function determines S (x) V up to (c S, V / c) when rank S >= 2",
}


def twisted(net: Any, group: Any, g: str) -> Any:
    """theta^g (see the module docstring)."""
    from symeq.architectures.attention.model import Head, Layer

    P, R_in, R_out = token_parts(group, g, net)
    K = net.field.unify(R_in.domain).unify(R_out.domain)
    if not K.is_Field:
        K = K.get_field()
    cached = group.inverse_transposes(g) if hasattr(group, "inverse_transposes") else None
    R_in_inv_t, R_out_inv_t = cached or (R_in.inv().transpose(), R_out.inv().transpose())
    R_in, R_in_inv_t, R_out_inv_t = (m if m.domain == K else m.convert_to(K) for m in (R_in, R_in_inv_t, R_out_inv_t))
    Rt = R_in.transpose()
    first = net.layers[0]
    heads = []
    for h in first.heads:
        h = h.convert(K)
        heads.append(Head(Rt * h.query, Rt * h.key, Rt * h.value))
    layers = [Layer(tuple(heads), None)] + [Layer(tuple(h.convert(K) for h in ly.heads),
                                                  None if ly.embed is None else ly.embed.convert_to(K))
                                            for ly in net.layers[1:]]
    E = None
    if net.positional is not None:
        rows = net.positional.convert_to(K).to_list()
        E = DomainMatrix([rows[p] for p in P.images], net.positional.shape, K) * R_in_inv_t
    W = (net.readout if net.readout.domain == K else net.readout.convert_to(K)) * R_out_inv_t
    b = (net.bias if net.bias.domain == K else net.bias.convert_to(K)) * R_out_inv_t
    return net.replace(layers=layers, readout=W, bias=b, positional=E)


def effective_heads(net: Any, i: int, B: HeadMap | None = None) -> list[tuple[DomainMatrix, DomainMatrix]]:
    """(S_h, V_h) of every head of layer i as functions of the layer's input Z (see the module
    docstring); ``B`` is the previous latent map (Z -> Z B) applied first."""
    ly = net.layers[i - 1]
    if ly.embed is None and B is None:
        return [(h.score, h.value) for h in ly.heads]
    if B is None:
        key = f"_effective_{i}"
        if key in net.__dict__:
            return net.__dict__[key]
    U = ly.embed if B is None else B.apply_rows(ly.embed)
    out = []
    for h in ly.heads:
        Uq, Uk, Uv = (lambda u, m: u * m)(*unify(U, h.query)), (lambda u, m: u * m)(*unify(U, h.key)), \
            (lambda u, m: u * m)(*unify(U, h.value))
        out.append((Uq * Uk.transpose(), Uv))
    if B is None:
        net.__dict__[f"_effective_{i}"] = out
    return out


class _HeadData:
    """What the matcher needs of theta's heads in one layer: S_h, V_h, their fingerprints, the
    pivot rows of V_h and the inverse of V_h on them (so each A_h is one small product)."""

    def __init__(self, S: DomainMatrix, V: DomainMatrix) -> None:
        self.S, self.V = S, V
        self.fingerprint = fingerprint(S)
        self.rank = rank(V)
        self.rankS: int | None = None
        self.pivots: list[int] = []
        self.inv: DomainMatrix | None = None
        if self.rank == V.shape[1]:
            self.pivots = independent_rows(V)
            rows = V.to_list()
            self.inv = DomainMatrix([rows[r] for r in self.pivots], (V.shape[1], V.shape[1]), V.domain).inv()

    def solve(self, W: DomainMatrix) -> DomainMatrix | None:
        """The A with V A = W, or None (V has full column rank)."""
        V, W = unify(self.V, W)
        rows = W.to_list()
        inv = self.inv.convert_to(V.domain)
        A = inv * DomainMatrix([rows[r] for r in self.pivots], (len(self.pivots), W.shape[1]), W.domain)
        if V * A != W or A.det() == 0:
            return None
        return A


def _theta_data(net: Any, i: int) -> list[_HeadData]:
    key = f"_headdata_{i}"
    if key not in net.__dict__:
        net.__dict__[key] = [_HeadData(S, V) for S, V in effective_heads(net, i)]
    return net.__dict__[key]


def _first_nonzero(S: DomainMatrix) -> tuple[int, int] | None:
    for r, row in enumerate(S.to_list()):
        for c, x in enumerate(row):
            if x:
                return r, c
    return None


def _flint_rows(k: HeadMap, W: DomainMatrix, target: DomainMatrix) -> bool | None:
    """Whether B W = target, block by block on python-flint when everything is rational (row
    block h of B W is A_h times row block perm[h] of W: |H| small products, not one of the whole
    size); None when some matrix is not rational."""
    fW, fT = _flint(W), _flint(target)
    fA = [_flint(A) for A in k.blocks]
    if fW is None or fT is None or any(a is None for a in fA):
        return None
    from flint import fmpq_mat

    cols = fW.ncols()
    w, t = fW.entries(), fT.entries()
    offs, off = [], 0
    for v in k.widths:
        offs.append(off)
        off += v
    for h, (p, A) in enumerate(zip(k.perm, fA)):
        v = A.nrows()
        src = fmpq_mat(v, cols, w[offs[p] * cols:(offs[p] + v) * cols])
        if A * src != fmpq_mat(v, cols, t[offs[h] * cols:(offs[h] + v) * cols]):
            return False
    return True


def _close(net: Any, k_prev: HeadMap | None, other: Any, g: str) -> LayerSolutions:
    L = net.depth
    W, b = net.readout, net.bias
    W2, b2 = other.readout, other.bias
    b, b2 = unify(b, b2)
    if k_prev is not None:
        fast = _flint_rows(k_prev, W2, W)
        same_w = fast if fast is not None else (lambda x, y: x == y)(*unify(W, k_prev.apply_rows(W2)))
    else:
        same_w = (lambda x, y: x == y)(*unify(W, W2))
    if same_w and b == b2:
        return LayerSolutions([HeadMap((), ())])  # K_L is trivial: its identity
    what = "W_O" if W != W2 else "the bias"
    return LayerSolutions([], failure=lambda gen: LayerFailure(
        gen, L, None, "closure", f"generator {gen}: the readout does not close: B W_O' differs from W_O "
        f"({what} of theta^g, moved by k_{L - 1}, is not that of theta)"))


def solve_layer(net: Any, i: int, k_prev: HeadMap | None, other: Any, budget: Any) -> LayerSolutions:
    """Every k_i with f_i(.; other_i) = k_i o f_i(.; theta_i) o k_prev^{-1} (module docstring)."""
    if other.shape_key() != net.shape_key() or other.tokens != net.tokens or \
            other.normalization != net.normalization:
        raise InputError("the two parameters are of different attention architectures")
    if not 1 <= i <= net.depth:
        raise InputError(f"layer {i} is not a layer (1..{net.depth})")
    if i == net.depth:
        return _close(net, k_prev, other, "")
    if net.tokens < 2:
        raise NotEnumerable("with one token a head's score form does not enter its function (softmax of a "
                            "1 x 1 matrix is 1): the head matching needs n >= 2 tokens")
    if i == 1 and (net.positional is not None or other.positional is not None):
        E, E2 = unify(net.positional, other.positional)
        if E != E2:
            return LayerSolutions([], failure=lambda gen: LayerFailure(
                gen, 1, None, "unsupported", f"generator {gen}: the positional encoding moves (P^T E R^-T != E); "
                "head matching does not decide whether layer 1's functions can still agree"))
    lightning = net.normalization == "lightning"
    mine = _theta_data(net, i)
    for h, d in enumerate(mine):
        if d.rank == 0:
            raise NotEnumerable(f"head {h} of layer {i} has a zero value map (it is inactive): any A_{h} and any "
                                "score form fit it")
        if d.rank < d.V.shape[1]:
            raise NotEnumerable(f"head {h} of layer {i}: its value map has rank {d.rank} < v = {d.V.shape[1]}, so "
                                f"A_{h} is not unique (a continuum)")
    complete = True
    if lightning:
        for h, d in enumerate(mine):
            if d.rankS is None:
                d.rankS = rank(d.S)
            if d.rankS == 0:
                raise NotEnumerable(f"head {h} of layer {i} has score form 0: under lightning attention it is "
                                    "the zero function (inactive)")
            if d.rankS == 1 and d.rank == 1:
                complete = False  # Henry, Marchetti, Kohn 2025: the rank-1 exception (Lemma B)
    theirs = effective_heads(other, i, k_prev)
    candidates: list[list[tuple[int, DomainMatrix]]] = []
    if not lightning:
        index: dict[Any, list[int]] = {}
        for p, (S2, _) in enumerate(theirs):
            index.setdefault(fingerprint(S2), []).append(p)
    for h, d in enumerate(mine):
        found = []
        if lightning:
            r, c = _first_nonzero(d.S)
            for p, (S2, V2) in enumerate(theirs):
                budget.spend(f"matching heads of layer {i}")
                if V2.shape[1] != d.V.shape[1]:
                    continue
                S, S2 = unify(d.S, S2)
                scale = S2[r, c].element / S[r, c].element
                if not scale or S2 != S * scale:
                    continue
                A = d.solve(V2.convert_to(S.domain) * scale)
                if A is not None:
                    found.append((p, A))
        else:
            for p in index.get(d.fingerprint, []):
                budget.spend(f"matching heads of layer {i}")
                S2, V2 = theirs[p]
                if V2.shape[1] != d.V.shape[1]:
                    continue
                S, S2 = unify(d.S, S2)
                if S != S2:
                    continue
                A = d.solve(V2)
                if A is not None:
                    found.append((p, A))
        if not found:
            return LayerSolutions([], complete, failure=_no_match(i, h, lightning))
        candidates.append(found)

    def bijections() -> Iterator[HeadMap]:
        perm: list[int] = [0] * len(candidates)
        blocks: list[Any] = [None] * len(candidates)
        used: set[int] = set()

        def go(h: int) -> Iterator[HeadMap]:
            if h == len(candidates):
                yield HeadMap(tuple(perm), tuple(blocks))
                return
            for p, A in candidates[h]:
                if p in used:
                    continue
                budget.spend(f"assigning heads of layer {i}")
                used.add(p)
                perm[h], blocks[h] = p, A
                yield from go(h + 1)
                used.discard(p)

        yield from go(0)

    def failure(gen: str) -> LayerFailure:
        return LayerFailure(gen, i, None, "no_match", f"generator {gen}, layer {i}: every head has a partner, "
                            "but no one-to-one assignment of the heads exists")

    return LayerSolutions(bijections(), complete, failure)


def _no_match(i: int, h: int, lightning: bool) -> Any:
    what = "S'_p = c S_h" if lightning else "S'_p = S_h"
    return lambda gen: LayerFailure(
        gen, i, h, "no_match", f"generator {gen}, layer {i}: head {h} has no partner in theta^g (no head p with "
        f"{what} and V'_p = V_h A for an invertible A)")
