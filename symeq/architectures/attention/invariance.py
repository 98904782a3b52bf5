"""Symbolic proofs that the symmetries of an attention network leave its function unchanged.

For every layer, the proof takes a network of the same shape whose parameters *and* input are
all symbols, applies one symmetry with symbolic parameters, and shows f(X; s.theta) = f(X; theta)
identically (docs/theory.md 7.1):

* K_i (the latent group), through :meth:`Attention.act`: a general change of basis A_h of
  each head's value space (a v x v matrix of symbols; W_V A_h, and A_h^-1 on the rows the next
  layer reads), and the transposition of two neighbouring heads of equal v;
* inside a layer (reported as internal): the Q-K change of basis (W_Q B, W_K B^-T) with a
  general B, for lightning attention the scaling (c W_Q, W_V / c), and for a layer i > 1 the
  change of basis G of its model features (W_O G, G^-1 W_Q, G^-1 W_K, G^-1 W_V).

Softmax is kept opaque: a row of phi(S) is some function of the same row of scores, so every
distinct row of scores (as a rational function) gets its own symbols, and both outputs are
compared as rational functions of the parameters, X and those symbols.  The proof therefore
holds for every row-wise normalization, softmax included.  A
proof whose network has more than ``max_params`` parameters, or more than one attention layer,
is not attempted ("unknown (budget)"); the MLP's :mod:`symeq.architectures.mlp.invariance`
proves deep networks block by block, which attention does not do yet.

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

__all__ = ["InvarianceProof", "prove_invariance", "MAX_PROOF_PARAMS"]

#: Largest number of parameters of a network whose symmetries are proved symbolically.
MAX_PROOF_PARAMS = 120


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


def _symbolic(net: Any) -> Any:
    """The network of the same shape with every parameter a symbol t0, t1, ..."""
    return net.with_parameters([sympy.Symbol(f"t{j}") for j in range(net.n_params)])


def _matrix(name: str, r: int, c: int) -> DomainMatrix:
    syms = [[sympy.Symbol(f"{name}{p}_{q}") for q in range(c)] for p in range(r)]
    return DomainMatrix.from_list_sympy(r, c, syms).convert_to(
        sympy.QQ.frac_field(*[s for row in syms for s in row]))


def _matrices(net: Any) -> list[DomainMatrix]:
    out = [] if net.positional is None else [net.positional]
    for ly in net.layers:
        out += [] if ly.embed is None else [ly.embed]
        out += [m for h in ly.heads for m in (h.query, h.key, h.value)]
    return out + [net.readout, net.bias]


def _same(net: Any, moved: Any) -> bool:
    """f(X; moved) = f(X; net) as rational functions of the parameters' symbols and X, computed
    over one fraction field (sympy's DomainMatrix; expression-level cancel is 100 times slower).
    Softmax: row t of phi(S) is a function of row t of S alone, so every distinct row of scores
    gets new symbols for its image; equal rows (as rational functions) share them, which is all
    the proof uses of softmax."""
    xs = [sympy.Symbol(f"x{j}") for j in range(net.tokens * net.d_in)]
    K = sympy.QQ.frac_field(*xs)
    for m in _matrices(net) + _matrices(moved):
        K = K.unify(m.domain)

    def conv(m: DomainMatrix | None) -> DomainMatrix | None:
        return None if m is None or m.domain == K else m.convert_to(K)

    X = DomainMatrix.from_list_sympy(net.tokens, net.d_in, [xs[t * net.d_in:(t + 1) * net.d_in]
                                                            for t in range(net.tokens)]).convert_to(K)
    Z = [X, X]
    n_atoms = 0
    for i in range(1, net.depth):
        scores, Ys = [], []
        for w, theta in enumerate((net, moved)):
            ly = theta.layers[i - 1]
            if i == 1:
                Y = Z[w] if theta.positional is None else Z[w] + conv(theta.positional)
            else:
                Y = Z[w] * conv(ly.embed)
            Ys.append(Y)
            scores.append([(Y * conv(h.query)) * (Y * conv(h.key)).transpose() for h in ly.heads])
        if net.normalization == "softmax":
            # phi(S) row t = a function of row t of S alone: one symbol per (row, position),
            # shared by equal rows; no division (a fraction field's division costs gcds)
            rows: dict[tuple[Any, ...], list[sympy.Symbol]] = {}
            for S in (S for per in scores for S in per):
                for row in S.to_list():
                    if tuple(row) not in rows:
                        rows[tuple(row)] = [sympy.Symbol(f"phi_{n_atoms}_{c}") for c in range(len(row))]
                        n_atoms += 1
            K2 = sympy.QQ.frac_field(*K.symbols, *[x for syms in rows.values() for x in syms])
            phis = {key: [K2.from_sympy(x) for x in syms] for key, syms in rows.items()}
            scores = [[DomainMatrix([phis[tuple(row)] for row in S.to_list()], S.shape, K2) for S in per]
                      for per in scores]
            Ys = [Y.convert_to(K2) for Y in Ys]
            K = K2
        for w, theta in enumerate((net, moved)):
            blocks = []
            for S, h in zip(scores[w], theta.layers[i - 1].heads):
                blocks.append(S * Ys[w] * conv(h.value))
            Z[w] = DomainMatrix.hstack(*blocks) if len(blocks) > 1 else blocks[0]
    ones = DomainMatrix.ones((net.tokens, 1), K)
    out = [Z[w] * conv(theta.readout) + ones * conv(theta.bias) for w, theta in enumerate((net, moved))]
    return out[0] == out[1]


def _replace_head(net: Any, i: int, h: int, query: DomainMatrix, key: DomainMatrix, value: DomainMatrix) -> Any:
    from symeq.architectures.attention.model import Head, Layer

    layers = list(net.layers)
    ly = layers[i - 1]
    q, k, v = unify(query, key, value)
    heads = [Head(*unify(x.query, x.key, x.value, q)[:3]) for x in ly.heads]
    heads[h] = Head(q, k, v)
    layers[i - 1] = Layer(tuple(heads), ly.embed)
    return net.replace(layers=layers)


def _generators(net: Any, i: int) -> list[tuple[str, Callable[[Any], Any]]]:
    """(name, theta -> s.theta) for the symmetries of layer i."""
    ly = net.layers[i - 1]
    widths = ly.value_widths
    gens: list[tuple[str, Callable[[Any], Any]]] = []

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
        gens.append((f"change of basis A_{h} in GL({v}) of head {h}", k_element(ident, blocks)))
    for h in range(len(widths) - 1):
        if widths[h] == widths[h + 1]:
            perm = list(ident)
            perm[h], perm[h + 1] = h + 1, h
            gens.append((f"transposition of heads ({h} {h + 1})",
                         k_element(tuple(perm), [eye(w, sympy.QQ) for w in widths])))
    for h, head in enumerate(ly.heads):
        def qk(theta: Any, h: int = h, a: int = head.a) -> Any:
            x = theta.layers[i - 1].heads[h]
            B = _matrix("B", a, a)
            q, k, Bm = unify(x.query, x.key, B)
            return _replace_head(theta, i, h, q * Bm, k * Bm.inv().transpose(), x.value)
        gens.append((f"Q-K change of basis B in GL({head.a}) of head {h} (internal)", qk))
        if net.normalization == "lightning":
            def scale(theta: Any, h: int = h) -> Any:
                x = theta.layers[i - 1].heads[h]
                q, v, c = unify(x.query, x.value, _matrix("c", 1, 1))
                c0 = c[0, 0].element
                return _replace_head(theta, i, h, q * c0, x.key, v * (c.domain.one / c0))
            gens.append((f"scaling (c W_Q, W_V / c) of head {h} (internal, lightning)", scale))
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
                     "(internal)", embed))
    return gens


def prove_invariance(net: Any, *, max_params: int = MAX_PROOF_PARAMS) -> tuple[InvarianceProof, ...]:
    """Proofs for the symmetries of every attention layer of ``net``'s shape."""
    out = []
    if net.n_params > max_params or net.depth > 2:
        # the symbolic forward of a second layer multiplies fractions of the first (minutes for
        # 34 parameters); proofs on one layer at a time, reading the next, are not built yet
        why = (f"{net.n_params} parameters > {max_params}" if net.n_params > max_params
               else "proofs are built for networks of one attention layer")
        return tuple(InvarianceProof(i, name, None, f"unknown (budget: {why})")
                     for i in range(1, net.depth) for name, _ in _generators(net, i))
    theta = _symbolic(net)
    method = ("symbolic: f(X; s.theta) = f(X; theta) with the parameters and X symbols"
              + (", softmax opaque row by row" if net.normalization == "softmax" else ""))
    for i in range(1, net.depth):
        for name, apply in _generators(theta, i):
            out.append(InvarianceProof(i, name, _same(theta, apply(theta)), method))
    return tuple(out)
