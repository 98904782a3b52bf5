"""Candidate hidden-symmetry directions read off degenerate neurons (docs/theory.md section 3).

For a hidden neuron j of layer i (pre-activation z_j, outgoing column w_j = W_{i+1}[:, j]):

* *zero outgoing column*: every incoming parameter of j is free;
* *zero incoming row* (z_j = beta constant): b_i[j] moves with b_{i+1} -= sigma'(beta) w_j,
  and each outgoing weight W_{i+1}[r, j] moves with b_{i+1}[r] -= sigma(beta);
* *related pair* (row k = a row j, b_k = a b_j + c for a relation (a, c, b, e)):
  sigma(z_k) = b sigma(z_j) + e, so W_{i+1}[:, k] += u, W_{i+1}[:, j] -= b u,
  b_{i+1} -= e u moves nothing; if moreover w_k = mu w_j, the incoming parameters move
  together: theta_k += u, theta_j -= (mu b / a) u.

These are candidates only: each is proved by :func:`symeq.architectures.mlp.first_order.prove_first_order`
before it is used.

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("tanh"), (M([[1, 2], [1, 2]]), M([[3, 5]])), (M([0, 0]), M([0])))
>>> [name for name, _ in degenerate_directions(net)][:2]
['layer 1: neurons 0 and 1 related by (1, 0, 1, 0): outgoing weights 0', 'layer 1: neurons 0 and 1 related by (1, 0, 1, 0): incoming parameter 0']
"""

from __future__ import annotations

import sympy
from sympy import Integer

from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.first_order import constant_values
from symeq.activations.relation_group import is_zero
from symeq.activations.relations import derive_relations

__all__ = ["degenerate_directions"]

ONE, ZERO = Integer(1), Integer(0)


def _layout(net: MLP):
    offsets, k = [], 0
    for w in net.weights:
        offsets.append(k)
        k += w.rows * w.cols + w.rows

    def iw(i: int, r: int, c: int) -> int:
        return offsets[i - 1] + r * net.weights[i - 1].cols + c

    def ib(i: int, r: int) -> int:
        w = net.weights[i - 1]
        return offsets[i - 1] + w.rows * w.cols + r

    return k, iw, ib


def _incoming(net: MLP, i: int, j: int, iw, ib) -> list[int]:
    return [iw(i, j, c) for c in range(net.weights[i - 1].cols)] + [ib(i, j)]


def degenerate_directions(net: MLP) -> list[tuple[str, tuple[sympy.Expr, ...]]]:
    """(description, direction) candidates from inactive and related neurons."""
    n, iw, ib = _layout(net)
    rel = derive_relations(net.activation)
    out = []
    for i in range(1, net.depth):
        W, b, V = net.weights[i - 1], net.biases[i - 1], net.weights[i]
        for j in range(W.rows):
            col = [V[r, j] for r in range(V.rows)]
            if all(is_zero(x) for x in col):
                for k, idx in enumerate(_incoming(net, i, j, iw, ib)):
                    v = [ZERO] * n
                    v[idx] = ONE
                    out.append((f"layer {i}: neuron {j} has no outgoing weight: incoming parameter {k}", tuple(v)))
                continue
            if all(is_zero(W[j, c]) for c in range(W.cols)):
                beta = b[j]
                vals = constant_values(net, beta)
                if vals is None:  # on a kink: sigma' undefined there
                    continue
                value, ds = vals
                v = [ZERO] * n
                v[ib(i, j)] = ONE
                for r in range(V.rows):
                    v[ib(i + 1, r)] = sympy.expand(-ds * V[r, j])
                out.append((f"layer {i}: neuron {j} is constant: bias with compensation", tuple(v)))
                for r in range(V.rows):
                    v = [ZERO] * n
                    v[iw(i + 1, r, j)] = ONE
                    v[ib(i + 1, r)] = -value
                    out.append((f"layer {i}: neuron {j} is constant: outgoing weight {r} into the bias", tuple(v)))
        for j in range(W.rows):
            for k in range(W.rows):
                if k == j:
                    continue
                pair = _relation_between(W, b, j, k, rel)
                if pair is None:
                    continue
                a, r = pair
                if k < j and _relation_between(W, b, k, j, rel) is not None:
                    continue  # report each related pair once
                name = f"layer {i}: neurons {j} and {k} related by ({r.a}, {r.c}, {r.b}, {r.e})"
                for row in range(V.rows):
                    v = [ZERO] * n
                    v[iw(i + 1, row, k)] = ONE
                    v[iw(i + 1, row, j)] = -r.b
                    v[ib(i + 1, row)] = -r.e
                    out.append((f"{name}: outgoing weights {row}", tuple(v)))
                mu = _ratio([V[q, k] for q in range(V.rows)], [V[q, j] for q in range(V.rows)])
                if mu is not None:
                    inc_j, inc_k = _incoming(net, i, j, iw, ib), _incoming(net, i, k, iw, ib)
                    for m, (pj, pk) in enumerate(zip(inc_j, inc_k)):
                        v = [ZERO] * n
                        v[pk] = ONE
                        v[pj] = sympy.simplify(-mu * r.b / r.a)
                        out.append((f"{name}: incoming parameter {m}", tuple(v)))
    return out


def _ratio(num: list[sympy.Expr], den: list[sympy.Expr]) -> sympy.Expr | None:
    """mu with num = mu den (den nonzero), or None."""
    mu = None
    for x, y in zip(num, den):
        if is_zero(y):
            if not is_zero(x):
                return None
            continue
        q = sympy.simplify(x / y)
        if mu is None:
            mu = q
        elif not is_zero(mu - q):
            return None
    return mu


def _relation_between(W, b, j: int, k: int, rel):
    """(a, relation) with (row k, b_k) = (a row j, a b_j + c) and (a, c) a relation."""
    a = _ratio([W[k, c] for c in range(W.cols)], [W[j, c] for c in range(W.cols)])
    if a is None or is_zero(a):
        return None
    c = sympy.simplify(b[k] - a * b[j])
    try:
        r = rel.relation_for(a, c)
    except Exception:
        return None
    return None if r is None else (a, r)
