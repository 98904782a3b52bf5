"""Symbolic families: latent actions valid for every value of the symbols, and the explicit
polynomial inequations under which they are unique (and the network has no inactive or
redundant neuron).

For a network whose parameters contain symbols, neuron matching compares rows as exact
identities of rational functions (:mod:`symeq.architectures.mlp.matching`), so the latent action it finds
makes every layer equivariant for *all* values of the symbols (where no denominator vanishes).

Uniqueness (a trivial stabilizer) can fail at special values.  It holds wherever, in every
hidden layer, no two rows (w_j, beta_j), (w_k, beta_k) are related by a relation of the
activation and no row is fixed by a non-identity relation: then matching theta against itself
forces k_i = id layer after layer.  Each such requirement is a *disjunction* "some polynomial
of a list is nonzero":

- discrete relations (tanh, sigmoid, polynomials): (w_k, beta_k) - (a w_j, a beta_j + c) != 0,
  one condition per relation (for tanh a = +-1, so the rows are neither equal nor opposite);
  and (w_j, beta_j) != 0 when a = -1 is a relation (a zero row is fixed by it);
- scale families (ReLU, z^m): the rows are not proportional, i.e. some 2 x 2 minor of
  [row_j; row_k] is nonzero; and row_j != 0;
- sin: the weight parts are neither equal nor opposite, w_j != 0;
- identity (Aff(d)): every hidden W_i has full row rank: det(W_i W_i^T) != 0.

A list with one polynomial is split into its irreducible factors (p q != 0 iff p != 0 and
q != 0), which is how conditions such as ``a != b`` and ``a != -b`` appear.  A condition
containing a nonzero constant always holds and is dropped; a condition whose polynomials all
vanish identically never holds and is reported as such.

>>> from symeq.architectures import network_from_dict
>>> net = network_from_dict({"activation": "tanh", "weights": [[["a", "1"], ["b", "1"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> [c.text() for c in uniqueness_conditions(net)]
['a - b != 0']
>>> net2 = network_from_dict({"activation": "tanh", "weights": [[["a", "1"], ["b", "-1"]], [["1", "1"]]],
...                           "biases": [["0", "0"], ["0"]]})
>>> [c.text() for c in uniqueness_conditions(net2)]
['a + b != 0']
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import sympy
from sympy import Integer

from symeq.activations import Relation
from symeq.exact import Matrix
from symeq.architectures.mlp.matching import relation_class
from symeq.architectures.mlp.model import MLP

__all__ = ["Inequation", "uniqueness_conditions", "identifiability_conditions", "holds_at",
           "condition_texts"]


@dataclass(frozen=True)
class Inequation:
    """At least one of ``polys`` is nonzero.  ``reason`` says what it guarantees.
    ``never`` marks a condition that fails for every value of the symbols."""

    polys: tuple[sympy.Expr, ...]
    reason: str
    never: bool = False

    def text(self) -> str:
        """``p != 0`` or ``(p, q) != (0, 0)``.

        >>> Inequation((sympy.Symbol("a") - 1,), "").text()
        'a - 1 != 0'
        """
        if self.never:
            return f"never: {self.reason}"
        if len(self.polys) == 1:
            return f"{self.polys[0]} != 0"
        return f"({', '.join(map(str, self.polys))}) != ({', '.join('0' for _ in self.polys)})"

    def holds(self, values: dict[sympy.Symbol, sympy.Expr]) -> bool:
        """True when some polynomial is nonzero at ``values`` (exact).

        >>> a = sympy.Symbol("a")
        >>> Inequation((a - 1,), "").holds({a: 2}), Inequation((a - 1,), "").holds({a: 1})
        (True, False)
        """
        if self.never:
            return False
        return any(sympy.simplify(p.subs(values)) != 0 for p in self.polys)


def _normalize(polys: list[sympy.Expr], reason: str) -> list[Inequation]:
    """Drop identically zero entries; always-true conditions vanish; a single polynomial is
    split into irreducible factors."""
    live = []
    for p in polys:
        p = sympy.factor(sympy.together(sympy.expand(p)))
        num, _ = sympy.fraction(p)
        num = sympy.expand(num)
        if num == 0:
            continue
        if not num.free_symbols:
            return []  # a nonzero constant: the condition always holds
        live.append(num)
    # the same polynomial up to a constant factor states the same condition
    unique: dict[str, sympy.Expr] = {}
    for q in live:
        P = sympy.Poly(q, *sorted(q.free_symbols, key=str))
        _, prim = P.primitive()
        if prim.LC() < 0:
            prim = -prim
        unique.setdefault(sympy.srepr(prim.as_expr()), prim.as_expr())
    live = list(unique.values())
    if not live:
        return [Inequation((), reason, never=True)]
    if len(live) == 1:
        _, factors = sympy.factor_list(live[0])
        return [Inequation((f,), reason) for f, _ in factors if f.free_symbols]
    return [Inequation(tuple(live), reason)]


def _rows(W: Matrix, b: Matrix) -> list[list[sympy.Expr]]:
    return [list(W.row(j)) + [b[j]] for j in range(W.rows)]


def _discrete_relations(net: MLP) -> list[Relation]:
    act = net.activation
    out = []
    for a in (Integer(1), Integer(-1)):
        r = act.relation_for(a, Integer(0))
        if r is not None:
            out.append(r)
    return out


def _layer_conditions(net: MLP, i: int) -> list[Inequation]:
    W, b = net.weights[i - 1], net.biases[i - 1]
    cls = relation_class(net.activation)
    rows = _rows(W, b)
    out: list[Inequation] = []
    if cls in ("positive_scale", "scale"):
        for j, row in enumerate(rows):
            out += _normalize(row, f"layer {i}: neuron {j} is not zero (no free scale)")
        for j, k in combinations(range(len(rows)), 2):
            minors = [rows[j][x] * rows[k][y] - rows[j][y] * rows[k][x]
                      for x, y in combinations(range(len(rows[j])), 2)]
            out += _normalize(minors, f"layer {i}: neurons {j} and {k} are not proportional")
        return out
    if cls == "sign_shift":
        weights = [r[:-1] for r in rows]
        for j, w in enumerate(weights):
            out += _normalize(w, f"layer {i}: neuron {j} has nonzero weights")
        for j, k in combinations(range(len(rows)), 2):
            for a in (1, -1):
                out += _normalize([x - a * y for x, y in zip(weights[k], weights[j])],
                                  f"layer {i}: weights of neurons {j} and {k} are not "
                                  f"{'equal' if a == 1 else 'opposite'}")
        return out
    rels = _discrete_relations(net)
    for r in rels:
        if r.a == 1 and r.c == 0:
            continue
        for j, row in enumerate(rows):
            image = [r.a * x for x in row[:-1]] + [r.a * row[-1] + r.c]
            out += _normalize([x - y for x, y in zip(row, image)],
                              f"layer {i}: neuron {j} is not fixed by the relation a = {r.a}")
    for j, k in combinations(range(len(rows)), 2):
        for r in rels:
            image = [r.a * x for x in rows[j][:-1]] + [r.a * rows[j][-1] + r.c]
            word = "equal to" if r.a == 1 else f"the image under a = {r.a} of"
            out += _normalize([x - y for x, y in zip(rows[k], image)],
                              f"layer {i}: neuron {k} is not {word} neuron {j}")
    return out


def _dedupe(conds: list[Inequation]) -> tuple[Inequation, ...]:
    seen, out = set(), []
    for c in conds:
        key = (c.never, tuple(sorted(sympy.srepr(sympy.expand(p)) for p in c.polys))) if not c.never else (True, c.reason)
        alt = (c.never, tuple(sorted(sympy.srepr(sympy.expand(-p)) for p in c.polys))) if not c.never else key
        if key in seen or alt in seen:
            continue
        seen.add(key)
        out.append(c)
    return tuple(out)


def uniqueness_conditions(net: MLP) -> tuple[Inequation, ...]:
    """Polynomial inequations in the symbols under which Stab(theta) is trivial (so the latent
    action is unique): a sufficient condition, exact for generic members of the family."""
    if net.activation.kind == "affine":
        out = []
        for i, W in enumerate(net.weights[:-1], start=1):
            gram = (W * W.T)
            out += _normalize([gram.det()], f"W_{i} has full row rank (det(W_{i} W_{i}^T) != 0)")
        return _dedupe(out)
    out = []
    for i in range(1, net.depth):
        out += _layer_conditions(net, i)
    return _dedupe(out)


def identifiability_conditions(net: MLP) -> tuple[Inequation, ...]:
    """Polynomial inequations excluding inactive and redundant neurons (docs/theory.md section 3):
    every incoming weight row and every outgoing column is nonzero, and no two neurons are
    related by a relation of the activation.  For one hidden tanh layer this is Sussmann's
    (1992) irreducibility, which implies identifiability; for deeper or other networks it is
    the part of the literature's criteria that concerns single neurons (see ``symeq
    identify`` for the full criterion)."""
    out: list[Inequation] = []
    for i in range(1, net.depth):
        W, W_next = net.weights[i - 1], net.weights[i]
        for j in range(W.rows):
            out += _normalize(list(W.row(j)), f"layer {i}: neuron {j} has a nonzero incoming row")
            out += _normalize(list(W_next.col(j)), f"layer {i}: neuron {j} has a nonzero outgoing column")
        if net.activation.kind != "affine":
            out += [c for c in _layer_conditions(net, i) if "not fixed" not in c.reason
                    and "is not zero" not in c.reason and "nonzero weights" not in c.reason]
    return _dedupe(out)


def holds_at(conditions: tuple[Inequation, ...], values: dict[sympy.Symbol, sympy.Expr]) -> bool:
    """True when every inequation holds at the given values of the symbols."""
    return all(c.holds(values) for c in conditions)


def condition_texts(conditions: tuple[Inequation, ...]) -> list[str]:
    """The conditions as text, one per line."""
    return [c.text() for c in conditions]

