"""Symbolic proofs that the symmetries of an attention network leave its function unchanged.

For every layer i and every symmetry of it, the proof applies the symmetry with symbolic
parameters to the network theta at hand and shows f(X; s.theta) = f(X; theta) for every input X
and every value of those symbols (docs/theory.md 7.1).  The symmetries:

* K_i (the latent group), through :meth:`Attention.act`: a general change of basis A_h of
  each head's value space (a v x v matrix of symbols; W_V A_h, and A_h^-1 on the rows the next
  layer reads), and the transposition of two neighbouring heads of equal v;
* inside a layer (reported as internal): the Q-K change of basis (W_Q B, W_K B^-T) with a
  general B, for lightning attention the scaling (c W_Q, W_V / c), and for a layer i > 1 the
  change of basis G of its model features (W_O G, G^-1 W_Q, G^-1 W_K, G^-1 W_V).

The proof runs one layer at a time, as the MLP's :mod:`symeq.architectures.mlp.invariance`
proves deep networks block by block: a symmetry of layer i changes only layer i and the map R
that reads its output, and R f_i(Z) = sum_h phi(Z M_h Z^T) Z O_h depends on the parameters only
through the pairs (M_h, O_h) (:func:`_same`).  Softmax is kept opaque (equal score forms give
equal rows of phi, whatever the row-wise normalization), lightning is linear in M_h (x) O_h.  A
layer whose parameters and R together exceed ``max_params``, or a family whose general matrix of
symbols is larger than :data:`MAX_SYMBOLIC_SIZE`, is not attempted ("unknown (budget)").

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "normalization": "softmax", "tokens": 2,
...     "widths": [2, 2], "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...     {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["3"], ["1"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}})
>>> [(p.generator, p.holds) for p in prove_invariance(net)]  # doctest: +NORMALIZE_WHITESPACE
[('change of basis A_0 in GL(1) of head 0', True), ('change of basis A_1 in GL(1) of head 1', True),
 ('transposition of heads (0 1)', True), ('Q-K change of basis B in GL(1) of head 0 (internal)', True),
 ('Q-K change of basis B in GL(1) of head 1 (internal)', True)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.heads import HeadMap
from symeq.architectures.attention.numbers import eye, unify

__all__ = ["InvarianceProof", "prove_invariance", "MAX_PROOF_PARAMS", "MAX_SYMBOLIC_SIZE"]

#: Largest number of parameters of a layer (with the map reading it) whose symmetries are proved.
MAX_PROOF_PARAMS = 120
#: Largest general matrix of symbols (A_h, B, G) a proof inverts: GL(4) takes seconds, GL(5) minutes.
MAX_SYMBOLIC_SIZE = 4


@dataclass(frozen=True)
class InvarianceProof:
    """One symmetry of layer ``layer``, and whether f(X; s.theta) = f(X; theta) was proved
    (``holds`` None: not attempted, the reason in ``method``)."""

    layer: int
    generator: str
    holds: bool | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"layer": self.layer, "generator": self.generator, "holds": self.holds, "method": self.method}


def _matrix(name: str, r: int, c: int) -> DomainMatrix:
    syms = [[sympy.Symbol(f"{name}{p}_{q}") for q in range(c)] for p in range(r)]
    return DomainMatrix.from_list_sympy(r, c, syms).convert_to(
        sympy.QQ.frac_field(*[s for row in syms for s in row]))


def _block(net: Any, i: int) -> list[DomainMatrix]:
    """The parameters a symmetry of layer i may change: layer i's (its W_O^(i-1) included) and
    the map that reads layer i's output (W_O^(i) of layer i + 1, or the readout)."""
    ly = net.layers[i - 1]
    out = ([] if ly.embed is None else [ly.embed]) + [m for h in ly.heads for m in (h.query, h.key, h.value)]
    return out + ([net.readout] if i == net.depth - 1 else [net.layers[i].embed])


def _outside(net: Any, i: int) -> list[Any]:
    """Every parameter outside :func:`_block` (i), as sympy matrices."""
    inside = {id(m) for m in _block(net, i)}
    return [m.to_Matrix() for m in net._param_matrices() if id(m) not in inside]


def _forms(theta: Any, i: int, K: Any) -> list[tuple[DomainMatrix, DomainMatrix]]:
    """(M_h, O_h) for every head h of layer i, over the field K: R f_i(Z) = sum_h phi(Z M_h Z^T) Z O_h
    with M_h = E Q_h K_h^T E^T, O_h = E V_h R_h (E = W_O of layer i - 1, the identity on layer 1;
    R_h = the rows of R that read head h)."""
    ly = theta.layers[i - 1]
    R = _block(theta, i)[-1].convert_to(K)
    out = []
    for head, start in zip(ly.heads, ly.offsets()):
        q, k, v = (m.convert_to(K) for m in (head.query, head.key, head.value))
        if ly.embed is not None:
            E = ly.embed.convert_to(K)
            q, k, v = E * q, E * k, E * v
        out.append((q * k.transpose(), v * R.extract(list(range(start, start + head.v)), list(range(R.shape[1])))))
    return out


def _same(net: Any, moved: Any, i: int) -> bool:
    """f(X; moved) = f(X; net) for a symmetry of layer i, proved layer by layer.

    f = F o (R f_i) o B, where B is everything before layer i, R the map that reads layer i's
    output (W_O of layer i + 1, or the readout) and F everything after it.  When ``moved``
    differs from ``net`` only in layer i and R (checked entry by entry), f is unchanged as soon as
    Z -> R f_i(Z) is (layer 1's positional encoding is not moved, and X -> X + E is onto).  That
    map is sum_h phi(Z M_h Z^T) Z O_h (:func:`_forms`), so it is unchanged when

    * softmax (any row-wise normalization): the pairs (M_h, O_h) of ``moved`` are those of
      ``net`` in some order (heads may be permuted);
    * lightning (phi = id, the map is linear in M_h (x) O_h): sum_h M_h (x) O_h is unchanged.

    Both are identities of small matrices over one fraction field (the parameters' and the
    symmetry's symbols), never a symbolic forward through the layer: that took minutes for one
    lightning layer of 66 parameters, its fractions multiplied with the input's symbols."""
    if _outside(net, i) != _outside(moved, i):
        return False
    K = None
    for m in _block(net, i) + _block(moved, i):
        K = m.domain if K is None else K.unify(m.domain)
    K = K if K.is_Field else K.get_field()
    before, after = _forms(net, i, K), _forms(moved, i, K)
    for pair in list(after):  # equal pairs cancel (most symmetries move one head, or none)
        if pair in before:
            before.remove(pair)
            after.remove(pair)
    if not after or net.normalization != "lightning":
        return not after and not before

    def total(forms: list[tuple[DomainMatrix, DomainMatrix]]) -> DomainMatrix:
        return sum((_kron(M, O) for M, O in forms[1:]), _kron(*forms[0]))
    return bool(before) and total(before) == total(after)


def _kron(A: DomainMatrix, B: DomainMatrix) -> DomainMatrix:
    """The Kronecker product A (x) B."""
    rows = [[a * b for a in ra for b in rb] for ra in A.to_list() for rb in B.to_list()]
    return DomainMatrix(rows, (A.shape[0] * B.shape[0], A.shape[1] * B.shape[1]), A.domain)


def _replace_head(net: Any, i: int, h: int, query: DomainMatrix, key: DomainMatrix, value: DomainMatrix) -> Any:
    from symeq.architectures.attention.model import Head, Layer

    layers = list(net.layers)
    ly = layers[i - 1]
    q, k, v = unify(query, key, value)
    heads = [Head(*unify(x.query, x.key, x.value, q)[:3]) for x in ly.heads]
    heads[h] = Head(q, k, v)
    layers[i - 1] = Layer(tuple(heads), ly.embed)
    return net.replace(layers=layers)


def _generators(net: Any, i: int) -> list[tuple[str, Callable[[Any], Any], int]]:
    """(name, theta -> s.theta, n) for the symmetries of layer i; n: the size of the general
    n x n matrix of symbols the symmetry takes (0 for a transposition of heads)."""
    ly = net.layers[i - 1]
    widths = ly.value_widths
    gens: list[tuple[str, Callable[[Any], Any], int]] = []

    def k_element(perm: tuple[int, ...], blocks: list[DomainMatrix]) -> Callable[[Any], Any]:
        def apply(theta: Any) -> Any:
            ks = [HeadMap.identity(theta.layers[j - 1].value_widths) for j in range(1, theta.depth)]
            ks[i - 1] = HeadMap(perm, tuple(unify(*blocks)))
            return theta.act(ks)
        return apply

    ident = tuple(range(len(widths)))
    for h, v in enumerate(widths):
        blocks = [eye(w, sympy.QQ) for w in widths]
        blocks[h] = _matrix("A", v, v)
        gens.append((f"change of basis A_{h} in GL({v}) of head {h}", k_element(ident, blocks), v))
    for h in range(len(widths) - 1):
        if widths[h] == widths[h + 1]:
            perm = list(ident)
            perm[h], perm[h + 1] = h + 1, h
            gens.append((f"transposition of heads ({h} {h + 1})",
                         k_element(tuple(perm), [eye(w, sympy.QQ) for w in widths]), 0))
    for h, head in enumerate(ly.heads):
        def qk(theta: Any, h: int = h, a: int = head.a) -> Any:
            x = theta.layers[i - 1].heads[h]
            B = _matrix("B", a, a)
            q, k, Bm = unify(x.query, x.key, B)
            return _replace_head(theta, i, h, q * Bm, k * Bm.inv().transpose(), x.value)
        gens.append((f"Q-K change of basis B in GL({head.a}) of head {h} (internal)", qk, head.a))
        if net.normalization == "lightning":
            def scale(theta: Any, h: int = h) -> Any:
                x = theta.layers[i - 1].heads[h]
                q, v, c = unify(x.query, x.value, _matrix("c", 1, 1))
                c0 = c[0, 0].element
                return _replace_head(theta, i, h, q * c0, x.key, v * (c.domain.one / c0))
            gens.append((f"scaling (c W_Q, W_V / c) of head {h} (internal, lightning)", scale, 1))
    if ly.embed is not None:
        def embed(theta: Any, d: int = ly.embed.shape[1]) -> Any:
            from symeq.architectures.attention.model import Head, Layer

            layers = list(theta.layers)
            here = layers[i - 1]
            G = _matrix("G", d, d)
            ms = unify(G, here.embed, *[m for x in here.heads for m in (x.query, x.key, x.value)])
            Gi = ms[0].inv()
            heads = tuple(Head(Gi * ms[2 + 3 * h], Gi * ms[3 + 3 * h], Gi * ms[4 + 3 * h])
                          for h in range(len(here.heads)))
            layers[i - 1] = Layer(heads, ms[1] * ms[0])
            return theta.replace(layers=layers)
        gens.append((f"change of basis G in GL({ly.embed.shape[1]}) of the model features of layer {i} "
                     "(internal)", embed, ly.embed.shape[1]))
    return gens


def prove_invariance(net: Any, *, max_params: int | None = None) -> tuple[InvarianceProof, ...]:
    """Proofs for the symmetries of every attention layer of ``net``'s shape, one layer at a time
    (:func:`_same`); a layer whose block (its parameters and the map reading its output) has
    more than ``max_params`` parameters (default :data:`MAX_PROOF_PARAMS`) is not attempted
    ("unknown (budget)")."""
    # at theta itself, not at a symbolic theta: the tangent directions the functional dimension
    # subtracts are those of s -> s.theta at this theta, and the fractions of a fully symbolic
    # layer took minutes (99 parameters, lightning)
    max_params = MAX_PROOF_PARAMS if max_params is None else max_params
    method = ("symbolic, layer by layer: R f_i(Z; s.theta) = R f_i(Z; theta) for every Z and every s of "
              "the family (its entries symbols), R the map reading layer i, every other parameter unchanged"
              + ("; softmax as any row-wise normalization" if net.normalization == "softmax" else ""))
    out = []
    for i in range(1, net.depth):
        size = sum(m.shape[0] * m.shape[1] for m in _block(net, i))
        for name, apply, n in _generators(net, i):
            if size > max_params:
                out.append(InvarianceProof(i, name, None, f"unknown (budget: layer {i} and the map reading it "
                                                          f"have {size} parameters > {max_params})"))
            elif n > MAX_SYMBOLIC_SIZE:
                # the inverse of a general n x n matrix of symbols has n! terms in its determinant:
                # GL(5) ran for over 5 minutes
                out.append(InvarianceProof(i, name, None, f"unknown (budget: a general {n} x {n} matrix of "
                                                          f"symbols, more than {MAX_SYMBOLIC_SIZE} x "
                                                          f"{MAX_SYMBOLIC_SIZE})"))
            else:
                out.append(InvarianceProof(i, name, _same(net, apply(net), i), method))
    return tuple(out)
