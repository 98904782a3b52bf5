"""Degenerate neurons of an MLP: inactive and redundant ones (docs/theory.md, section 3).

A hidden neuron j of layer i (1 <= i < L) is

- *inactive (zero column)* when its outgoing column W_{i+1}[:, j] is zero: it contributes
  nothing and can be dropped;
- *inactive (zero row)* when its incoming row W_i[j, :] is zero: it outputs the constant
  sigma(b_i[j]), which the next bias can absorb.  When that constant is no exact number
  (tanh(1)) it cannot be absorbed, but an earlier zero-row neuron j whose bias is related,
  b_i[k] = a b_i[j] + c for a relation (a, c, b, e), outputs a related constant
  (tanh(-1) = -tanh(1)), so neuron k can still be folded into j: such a zero row names j as
  its ``partner``;
- *redundant* when another neuron k of the same layer has (W_i[k, :], b_i[k]) equal to
  (a W_i[j, :], a b_i[j] + c) for a relation sigma(a z + c) = b sigma(z) + e of the activation;
  then sigma(z_k) = b sigma(z_j) + e and neuron k can be folded into neuron j.

These are exactly the three reducibility conditions of Sussmann (1992) for one-hidden-layer
tanh nets (zero outgoing weights; sign-equivalent affine functions w_j.x + b_j = +-(w_k.x + b_k);
constant affine function), extended to every activation through its relations.

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("tanh"), (M([[1, 2], [-1, -2], [0, 0]]), M([[1, 1, 3]])),
...           (M([1, -1, 0]), M([0])))
>>> [(d.kind, d.layer, d.neuron) for d in find_degenerate(net)]
[('zero_row', 1, 2), ('redundant', 1, 1)]
>>> find_degenerate(net)[1].partner, find_degenerate(net)[1].relation
(0, Relation(a=-1, c=0, b=-1, e=0))
>>> const = MLP(activation("tanh"), (M([[1, 2], [0, 0], [0, 0]]), M([[1, 1, 3]])), (M([1, 1, -1]), M([0])))
>>> [(d.kind, d.neuron, d.partner, d.relation) for d in find_degenerate(const)]
[('zero_row', 1, None, None), ('zero_row', 2, 1, Relation(a=-1, c=0, b=-1, e=0))]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symeq.activations import Activation, Relation
from symeq.exact import is_exact_zero
from symeq.architectures.mlp.model import MLP

__all__ = ["Degeneracy", "find_degenerate", "relation_between", "constant_relation", "is_zero_vector"]


@dataclass(frozen=True)
class Degeneracy:
    """One degenerate neuron: ``kind`` is ``zero_column``, ``zero_row`` or ``redundant``.

    ``layer`` is the hidden layer i (1-based, as W_i), ``neuron`` the 0-based index in it.  For
    ``redundant``, ``partner`` is the kept neuron j < ``neuron`` and ``relation`` the relation
    (a, c, b, e) with row_neuron = (a row_partner, a bias_partner + c).  A ``zero_row`` has a
    partner when an earlier zero-row neuron j has a related bias (the same equation, both rows
    being zero); otherwise partner and relation are None.
    """

    kind: str
    layer: int
    neuron: int
    partner: int | None = None
    relation: Relation | None = None


def is_zero_vector(values: object) -> bool:
    """True when every entry is exactly zero.

    >>> is_zero_vector([sympy.Integer(0), sympy.sqrt(2) - sympy.sqrt(2)])
    True
    """
    return all(is_exact_zero(sympy.sympify(v)) for v in values)  # entries are sympy values


def relation_between(act: Activation, row_j: list[sympy.Expr], bias_j: sympy.Expr,
                     row_k: list[sympy.Expr], bias_k: sympy.Expr) -> Relation | None:
    """The relation (a, c, b, e) of ``act`` with (row_k, bias_k) = (a row_j, a bias_j + c), or
    None.  row_j must be non-zero (then a is determined by one entry).

    >>> from symeq.activations import activation
    >>> relation_between(activation("sigmoid"), [1, 2], 3, [-1, -2], -3)
    Relation(a=-1, c=0, b=-1, e=1)
    >>> relation_between(activation("relu"), [1, 2], 3, [-1, -2], -3) is None
    True
    """
    pivot = next((t for t, v in enumerate(row_j) if not is_exact_zero(sympy.sympify(v))), None)
    if pivot is None:
        return None
    a = sympy.radsimp(sympy.sympify(row_k[pivot]) / sympy.sympify(row_j[pivot]))
    if is_exact_zero(a):
        return None
    if not all(is_exact_zero(sympy.sympify(vk) - a * sympy.sympify(vj))
               for vj, vk in zip(row_j, row_k)):
        return None
    c = sympy.radsimp(sympy.sympify(bias_k) - a * sympy.sympify(bias_j))
    if is_exact_zero(c):
        c = sympy.Integer(0)
    return act.relation_for(a, c)


def constant_relation(act: Activation, bias_j: sympy.Expr, bias_k: sympy.Expr) -> Relation | None:
    """A relation (a, c, b, e) of ``act`` with bias_k = a bias_j + c, for two neurons whose
    incoming rows are zero (so any a maps one row to the other), or None.  Tried are a = 1 and
    the input scales a of the activation's declared discrete relations, the only ones that
    matter for constants that cannot be absorbed (tanh, sigmoid, sin, ...).

    >>> from symeq.activations import activation
    >>> one = sympy.Integer(1)
    >>> constant_relation(activation("tanh"), one, -one), constant_relation(activation("tanh"), one, one)
    (Relation(a=-1, c=0, b=-1, e=0), Relation(a=1, c=0, b=1, e=0))
    >>> constant_relation(activation("sigmoid"), one, -one)
    Relation(a=-1, c=0, b=-1, e=1)
    >>> constant_relation(activation("tanh"), one, 2 * one) is None
    True
    """
    bj, bk = sympy.sympify(bias_j), sympy.sympify(bias_k)
    for a in dict.fromkeys([sympy.Integer(1)] + [r.a for r in act.discrete]):
        c = sympy.radsimp(bk - a * bj)
        if is_exact_zero(c):
            c = sympy.Integer(0)
        rel = act.relation_for(a, c)
        if rel is not None:
            return rel
    return None


def find_degenerate(net: MLP) -> list[Degeneracy]:
    """Every degenerate neuron of ``net``, hidden layer by hidden layer.

    Within a layer: zero columns first, then zero rows (not already listed; each with the
    first earlier zero-row partner whose bias is related, see :func:`constant_relation`), then
    redundant neurons k > j whose row is a relation image of an earlier non-degenerate neuron j.
    """
    out: list[Degeneracy] = []
    act = net.activation
    for i in range(1, net.depth):
        w, b, w_next = net.weights[i - 1], net.biases[i - 1], net.weights[i]
        flagged: set[int] = set()
        for j in range(w.rows):
            if is_zero_vector(list(w_next[:, j])):
                out.append(Degeneracy("zero_column", i, j))
                flagged.add(j)
        zero_rows: list[int] = []
        for k in range(w.rows):
            if k not in flagged and is_zero_vector(list(w[k, :])):
                partner = next(((j, rel) for j in zero_rows
                                if (rel := constant_relation(act, b[j], b[k])) is not None), (None, None))
                out.append(Degeneracy("zero_row", i, k, *partner))
                zero_rows.append(k)
                flagged.add(k)
        for k in range(w.rows):
            if k in flagged:
                continue
            for j in range(k):
                if j in flagged:
                    continue
                rel = relation_between(act, list(w[j, :]), b[j], list(w[k, :]), b[k])
                if rel is not None:
                    out.append(Degeneracy("redundant", i, k, j, rel))
                    flagged.add(k)
                    break
    return out
