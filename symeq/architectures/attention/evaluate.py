"""Evaluating attention networks exactly (lightning) and with rigorous balls (softmax).

Lightning attention is a polynomial in the input and the parameters: :func:`exact_forward`
computes f(x) over the network's field.  Softmax needs exp, which leaves every number field:
:func:`ball_forward` encloses f(x) in python-flint ``arb`` balls that provably contain the exact
values, so a ball that excludes 0 proves a difference nonzero.

>>> from symeq.architectures import network_from_dict
>>> net = network_from_dict({"architecture": "attention", "normalization": "softmax",
...     "tokens": 2, "widths": [1, 1],
...     "layers": [{"heads": [{"query": [["1"]], "key": [["1"]], "value": [["1"]]}]}],
...     "readout": {"output": [["1"]], "bias": ["0"]}})
>>> y = ball_forward(net, [0, 0])           # equal scores: the average, exactly 0
>>> [b.contains(0) for b in y]
[True, True]
>>> y = ball_forward(net, [1, -1])          # token 0: (e x_0 + e^-1 x_1) / (e + e^-1) = tanh(1)
>>> abs(float(y[0].mid()) - 0.7615941559557649) < 1e-12
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from flint import arb, arb_mat, ctx as flint_ctx, fmpq
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.activations.arb_eval import arb_of_number
from symeq.architectures.attention.numbers import to_dm, to_sympy
from symeq.errors import InputError

__all__ = ["exact_forward", "exact_layer", "ball_forward", "arb_matrix"]


def exact_layer(net: Any, i: int, Z: DomainMatrix) -> DomainMatrix:
    """f_i on a token matrix Z (n x features), lightning only, over the domain of Z (the network's
    field, or a polynomial ring over it when Z holds variables: then f_i is a polynomial)."""
    if net.normalization != "lightning":
        raise InputError("exact evaluation needs lightning attention (softmax needs exp)")
    D = Z.domain
    c = (lambda m: m) if D == net.field else (lambda m: m.convert_to(D))  # noqa: E731
    if i == net.depth:
        ones = DomainMatrix([[D.one]] * net.tokens, (net.tokens, 1), D)
        return Z * c(net.readout) + ones * c(net.bias)
    ly = net.layers[i - 1]
    if i == 1:
        Y = Z if net.positional is None else Z + c(net.positional)
    else:
        Y = Z * c(ly.embed)
    blocks = [(Y * c(h.score) * Y.transpose()) * (Y * c(h.value)) for h in ly.heads]
    return DomainMatrix.hstack(*blocks) if len(blocks) > 1 else blocks[0]


def exact_forward(net: Any, x: ImmutableMatrix) -> ImmutableMatrix:
    """f(x) for lightning attention at an exact constant input, over the network's field."""
    n = net.tokens
    X = ImmutableMatrix(n, net.d_in, list(x))
    K = net.field
    try:
        Z = to_dm(X, K)
    except Exception:  # the input needs a larger field
        from symeq.architectures.attention.numbers import field_of

        K2 = K.unify(field_of(list(X)))
        Z = to_dm(X, K2)
        net = _converted(net, K2)
    for i in range(1, net.depth + 1):
        Z = exact_layer(net, i, Z)
    out = to_sympy(Z)
    return ImmutableMatrix(out.shape[0] * out.shape[1], 1, list(out))


def _converted(net: Any, K: Any) -> Any:
    from symeq.architectures.attention.model import Layer

    conv = lambda m: None if m is None else m.convert_to(K)  # noqa: E731
    layers = [Layer(tuple(h.convert(K) for h in ly.heads), conv(ly.embed)) for ly in net.layers]
    return net.replace(layers=layers, readout=conv(net.readout), bias=conv(net.bias),
                       positional=conv(net.positional))


# -- balls ---------------------------------------------------------------------------------------


def _arb(x: Any, K: Any) -> arb:
    if K.is_QQ:
        return arb(fmpq(int(x.numerator), int(x.denominator)))
    return arb_of_number(K.to_sympy(x))


def arb_matrix(m: DomainMatrix) -> arb_mat:
    """A constant DomainMatrix as a ball matrix at the current flint precision."""
    K = m.domain
    if getattr(K, "symbols", None) and not K.is_QQ and not K.is_Algebraic:
        raise InputError("ball evaluation needs numbers, not symbols")
    rows = m.to_list()
    return arb_mat([[_arb(x, K) for x in r] for r in rows]) if m.shape[0] and m.shape[1] else arb_mat(m.shape[0], m.shape[1])


def _softmax_rows(S: arb_mat) -> arb_mat:
    n, m = S.nrows(), S.ncols()
    out = arb_mat(n, m)
    for t in range(n):
        # subtract the midpoint of the row's first entry: the same quotient, smaller balls
        shift = arb(S[t, 0].mid())
        es = [(S[t, s] - shift).exp() for s in range(m)]
        total = sum(es, arb(0))
        for s in range(m):
            out[t, s] = es[s] / total
    return out


def _ball_params(net: Any, prec: int) -> dict[str, Any]:
    key = f"_balls_{prec}"
    if key not in net.__dict__:
        net.__dict__[key] = {
            "positional": None if net.positional is None else arb_matrix(net.positional),
            "layers": [(None if ly.embed is None else arb_matrix(ly.embed),
                        [(arb_matrix(h.score), arb_matrix(h.value)) for h in ly.heads]) for ly in net.layers],
            "readout": arb_matrix(net.readout), "bias": arb_matrix(net.bias)}
    return net.__dict__[key]


def ball_forward(net: Any, x: Sequence[Any], prec: int = 128) -> list[arb]:
    """f(x) as balls at about ``prec`` bits, for a constant input x (exact numbers)."""
    if net.symbols:
        raise InputError("ball evaluation needs a network without symbols")
    if len(x) != net.tokens * net.d_in:
        raise InputError(f"expected an input of length {net.tokens * net.d_in}")
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        P = _ball_params(net, prec)
        n = net.tokens
        vals = [v if isinstance(v, arb) else arb_of_number(sympy.sympify(v)) for v in x]
        Z = arb_mat(n, net.d_in, vals)
        for i in range(1, net.depth + 1):
            if i == net.depth:
                ones = arb_mat(n, 1, [1] * n)
                Z = Z * P["readout"] + ones * P["bias"]
                break
            embed, heads = P["layers"][i - 1]
            if i == 1:
                Y = Z if P["positional"] is None else Z + P["positional"]
            else:
                Y = Z * embed
            blocks = []
            for M, V in heads:
                S = Y * M * Y.transpose()
                A = S if net.normalization == "lightning" else _softmax_rows(S)
                blocks.append(A * (Y * V))
            Z = _hstack(blocks)
        return [Z[t, c] for t in range(Z.nrows()) for c in range(Z.ncols())]
    finally:
        flint_ctx.prec = old


def _hstack(blocks: list[arb_mat]) -> arb_mat:
    if len(blocks) == 1:
        return blocks[0]
    n = blocks[0].nrows()
    cols = sum(b.ncols() for b in blocks)
    out = arb_mat(n, cols)
    k = 0
    for b in blocks:
        for t in range(n):
            for c in range(b.ncols()):
                out[t, k + c] = b[t, c]
        k += b.ncols()
    return out
