"""Is every piece of a sin assignment degenerate?  (kind "shift"; pieces: symeq.classify.shifts)

A sin parameter is *degenerate* when some W_i = 0 (i = 1..L), a hidden neuron has a zero
incoming row or a zero outgoing column (inactive), or two neurons j != k of one hidden layer
are related by a composition of sin's relations: w_k = a w_j and b_k = a b_j (mod pi) with
a = +-1 (THEORY.md section 3; sin(a z + c) = +-sin z for c in pi Z).  The assignment is
degenerate when every parameter of every piece is.

**Locality.**  Every one of these conditions involves one layer's choice only: W_i = 0, a zero
row of W_i and a related pair of layer i depend on the lift and bias component of layer i; a
zero outgoing column of layer i is a zero column of W_{i+1}, which depends on the lift of layer
i+1 (or on the output layer).  A piece is a product over the layers, and it is a real affine
space (weights linear, biases b0 + span of the directions, lifted from the torus).  Each
condition cuts out an affine subspace (a related pair: one for each value c of
(b_k - a b_j) / pi in Z), countably many in all, so by Baire's theorem the piece lies in their
union only if it lies in one of them.  Hence a piece is degenerate everywhere iff for one
layer its own choice satisfies one condition *identically*, and the assignment is
non-degenerate iff every layer has at least one choice (lift, component) that satisfies none
identically.  Each layer is therefore examined alone: the number of pieces (a product) is never
enumerated.

**Identically**, decided exactly: no weight basis vector touches W_i, row j or column j (or
the row's entries cancel); or two neurons' rows are the same linear form of the weight
parameters up to a = +-1 AND their bias difference b_k - a b_j is constant on the component
(its direction coefficients agree) and that constant pi (q0_k - a q0_j) is in pi Z
(q0_k - a q0_j an integer).

**Witness.**  When every layer has a good choice, a concrete parameter is drawn from those
choices: small nonzero integers for the weight basis, small rationals t for the bias
directions, so b = pi q0 + r with q0, r rational, and checked exactly: b_k - a b_j =
pi (q0_k - a q0_j) + (r_k - a r_j) is in pi Z iff r_k - a r_j = 0 and q0_k - a q0_j is an
integer (pi is irrational).  No witness within the tries, or more bias components than the
budget without a good one: "unknown", with the reason.

Caveat (honest reading of "non-degenerate"): this is THEORY.md's per-neuron notion.  sin has
further coincidences between *pairs* of neurons that it does not count, e.g.
sin(z + t) + sin(z - t) = 2 cos(t) sin(z): two neurons with rows w, w (or w, -w) span only the
functions of one frequency, so a non-degenerate sin network need not be identifiable.

>>> from symeq.groups import group_from_dict
>>> from symeq.classify.shifts import shift_space
>>> from symeq.classify.types import layer_types
>>> G = group_from_dict({"generators": {"r": {"input": [["-1"]]}}}, 1, 1)    # C2 by -1
>>> T = layer_types(G, 2, "sin")
>>> [shift_verdict(G, (t,)).degeneracy.status for t in T.types]
['degenerate', 'degenerate', 'non-degenerate', 'non-degenerate']
>>> shift_verdict(G, (T.types[0],)).degeneracy.reason
'W_2 = 0 for every parameter: the network computes a constant'
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy
from sympy import ImmutableMatrix, pi

from symeq.classify.degenerate import (
    DEFAULT_TRIES,
    Degeneracy,
    _in_field,
    _neuron_forms,
    _normalize,
    draw,
    related_pairs,
    related_rows,
    space_field,
    untouched,
    vanishing_problem,
)
from symeq.classify.shifts import DEFAULT_LIFT_BUDGET, LiftSpace, ShiftSpace, shift_space
from symeq.classify.spaces import LayerSpace
from symeq.classify.torus import TorusComponent
from symeq.classify.types import LayerType
from symeq.errors import BudgetExceeded
from symeq.groups import GroupAction

__all__ = ["LiftSummary", "ShiftLayer", "ShiftVerdict", "shift_degeneracy", "shift_verdict",
           "DEFAULT_COMPONENT_BUDGET"]

#: Default largest number of bias components of one lift examined for a non-degenerate one.
DEFAULT_COMPONENT_BUDGET = 4_096


@dataclass(frozen=True)
class LiftSummary:
    """One lift of one hidden layer, as plain data: its signs a per generator, its number of
    bias ``components`` and their dimension, the weight dimension, and ``status`` for the
    conditions of this layer alone (the assignment's verdict needs every layer): "passes" (some
    component satisfies none of them identically), "degenerate" (``reason`` says why, for every
    component), "no bias" (no component) or "unknown" (too many components to examine)."""

    index: int
    label: str
    signs: tuple[tuple[int, ...], ...]
    components: int
    weight_dim: int
    bias_dim: int
    status: str
    reason: str = ""

    @property
    def dim(self) -> int:
        return self.weight_dim + self.bias_dim

    def to_dict(self) -> dict[str, object]:
        """Plain data for --json (signs: one list per generator, in the group's order)."""
        return {"index": self.index, "label": self.label, "signs": [list(x) for x in self.signs],
                "components": self.components, "weight_dimension": self.weight_dim,
                "bias_dimension": self.bias_dim, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class ShiftLayer:
    """The lifts of one hidden layer (``layer`` = i); ``pieces`` = the bias components summed
    over its lifts."""

    layer: int
    lifts: tuple[LiftSummary, ...]

    @property
    def pieces(self) -> int:
        return sum(s.components for s in self.lifts)

    def to_dict(self) -> dict[str, object]:
        """Plain data for --json.

        >>> from symeq.groups import catalog_group
        >>> from symeq.classify.types import layer_types
        >>> G = catalog_group("C2", 2, 2)              # r = -I on the plane
        >>> d = shift_verdict(G, (layer_types(G, 1, "sin").types[1],)).layers[0].to_dict()
        >>> d["pieces"], [(x["signs"], x["components"], x["status"]) for x in d["lifts"]]
        (2, [([[1]], 0, 'no bias'), ([[-1]], 2, 'passes')])
        """
        return {"layer": self.layer, "pieces": self.pieces, "lifts": [s.to_dict() for s in self.lifts]}


@dataclass(frozen=True)
class ShiftVerdict:
    """What classify reports for one sin assignment: the verdict, the number of pieces, the
    per-layer dimensions of the largest piece, the first layer with W_i = 0 on every piece
    (None if none), and the lifts of each hidden layer."""

    degeneracy: Degeneracy
    pieces: int
    layer_dims: tuple[int, ...]
    zero_layer: int | None
    layers: tuple[ShiftLayer, ...]


def _weight_reason(weights: LayerSpace, i: int, forms: list[dict], rows: bool = True) -> str | None:
    """A condition on W_i alone that holds on its whole weight space: W_i = 0, a zero row
    (``rows``: hidden layers only), a zero column (an inactive neuron of layer i - 1)."""
    if weights.weight_dim == 0:
        return f"W_{i} = 0"
    if rows:
        j = untouched(weights, "row")
        if j is None:
            j = next((j for j, f in enumerate(forms) if not f), None)  # entries that cancel
        if j is not None:
            return f"layer {i}: neuron {j + 1} has a zero incoming row"
    if i > 1:
        j = untouched(weights, "col")
        if j is not None:
            return f"layer {i - 1}: neuron {j + 1} has a zero outgoing column"
    return None


def _pair_related(pairs: list[tuple[int, int, int]], c: TorusComponent) -> tuple[int, int, int] | None:
    """The first pair (j, k, a) of identically related rows whose biases are related on the
    whole component: b_k - a b_j constant (direction coefficients agree) and in pi Z."""
    for j, k, a in pairs:
        if all(v[k] - a * v[j] == 0 for v in c.directions) and (c.offset_pi[k] - a * c.offset_pi[j]).denominator == 1:
            return j, k, a
    return None


def _examine_lift(ls: LiftSpace, i: int, K: Any, conv: dict,
                  budget: int) -> tuple[LiftSummary, TorusComponent | None]:
    """The summary of one lift of hidden layer i and a good component (None if none)."""
    L, T = ls.lift, ls.biases
    base = dict(index=L.index, label=L.label, signs=L.action.signs, components=T.count,
                weight_dim=ls.weights.dim, bias_dim=T.free_dim)
    if T.count == 0:
        return LiftSummary(**base, status="no bias", reason="the bias equations have no solution"), None
    forms = [_in_field(f, K, conv) for f in _neuron_forms(ls.weights, False)]
    reason = _weight_reason(ls.weights, i, forms)
    if reason is not None:
        return LiftSummary(**base, status="degenerate", reason=reason), None
    pairs = [(j, k, int(a)) for j, k, a in related_pairs([_normalize(f, K) for f in forms], K, "sign")]
    first = None
    for n, c in enumerate(T.components()):
        if n >= budget:
            return LiftSummary(**base, status="unknown", reason=f"more than {budget} bias components, all "
                               f"examined ones degenerate ({first})"), None
        hit = _pair_related(pairs, c)
        if hit is None:
            return LiftSummary(**base, status="passes"), c
        if first is None:
            j, k, a = hit
            first = f"layer {i}: neurons {j + 1} and {k + 1} are related by a = {a} (mod pi shifts)"
    reason = first if T.count == 1 else f"on each of its {T.count} bias components, e.g. {first}"
    return LiftSummary(**base, status="degenerate", reason=reason), None


def _layer_reason(i: int, lifts: tuple[LiftSummary, ...]) -> str:
    bad = [s for s in lifts if s.status == "degenerate"]
    if all(s.reason == f"W_{i}" + " = 0" for s in bad):
        return f"W_{i} = 0 for every parameter of every piece: the network computes a constant"
    if len(bad) == 1 and bad[0].components == 1:
        return f"{bad[0].reason} for every parameter"
    s = bad[0]
    return (f"hidden layer {i}: every lift is degenerate or admits no bias (lift {s.index}, "
            f"{s.label}: {s.reason})")


def _witness(space: ShiftSpace, chosen: list[tuple[LiftSpace, TorusComponent]], K: Any, conv: dict,
             tries: int, seed: int) -> tuple[Degeneracy, str]:
    rng = random.Random(seed)
    last = "no parameter tried"
    for attempt in range(tries):
        spread = 3 + 2 * attempt
        weights, biases = [], []
        for ls, c in chosen:
            w, _ = draw(ls.weights, K, conv, rng, spread)
            t = [Fraction(rng.randint(-4 * spread, 4 * spread), rng.randint(1, 9)) for _ in range(c.dim)]
            r = [sum((tk * v[n] for tk, v in zip(t, c.directions)), Fraction(0)) for n in range(len(w))]
            weights.append(w)
            biases.append((c.offset_pi, r))
        w_out, b_out = draw(space.output, K, conv, rng, spread)
        problem = vanishing_problem(weights + [w_out], K)
        for i, (w, (q, r)) in enumerate(zip(weights, biases), start=1):
            if problem is not None:
                break
            for j, k, a in related_rows(w, K, "sign"):
                if r[k] - a * r[j] == 0 and (q[k] - a * q[j]).denominator == 1:
                    problem = f"layer {i}: neurons {j + 1} and {k + 1} related by a = {a}"
                    break
        if problem is None:
            params = []
            for w, (q, r) in zip(weights, biases):
                b = [sympy.Rational(x.numerator, x.denominator) * pi + sympy.Rational(y.numerator, y.denominator)
                     for x, y in zip(q, r)]
                params.append((ImmutableMatrix([[K.to_sympy(x) for x in row] for row in w]), ImmutableMatrix(b)))
            params.append((ImmutableMatrix([[K.to_sympy(x) for x in row] for row in w_out]),
                           ImmutableMatrix([K.to_sympy(x) for x in b_out])))
            lifts = ", ".join(f"layer {i}: lift {ls.lift.index}" for i, (ls, _) in enumerate(chosen, start=1))
            return Degeneracy("non-degenerate", f"a parameter of the piece ({lifts}) has no zero layer, no "
                              "inactive and no redundant neuron", tuple(params)), ""
        last = problem
    return Degeneracy("unknown", f"every layer has a lift and bias component satisfying no degeneracy condition "
                      f"identically, but {tries} random parameters were all degenerate (last: {last})"), last


def shift_degeneracy(space: ShiftSpace, tries: int = DEFAULT_TRIES, seed: int = 0,
                     component_budget: int = DEFAULT_COMPONENT_BUDGET) -> ShiftVerdict:
    """The verdict on every piece of ``space`` (see the module docstring).

    >>> from symeq.groups import group_from_dict
    >>> from symeq.classify.shifts import shift_space
    >>> from symeq.classify.types import layer_types
    >>> G = group_from_dict({"generators": {"r": {"input": [["-1"]], "output": "trivial"}}}, 1, 1)
    >>> t = layer_types(G, 2, "sin").types[0]            # two fixed neurons under an odd input
    >>> v = shift_degeneracy(shift_space(G, (t,)))       # sin(w x + pi/2) = cos(w x) is even
    >>> v.degeneracy.status, v.pieces, [s.components for s in v.layers[0].lifts]
    ('non-degenerate', 7, [1, 2, 4])
    >>> v.degeneracy.witness[0][1].T
    Matrix([[pi/2, pi/2]])
    """
    layers = [ls.weights for layer in space.hidden for ls in layer] + [space.output]
    K, conv = space_field(layers)
    L = len(space.hidden) + 1
    summaries: list[ShiftLayer] = []
    chosen: list[tuple[LiftSpace, TorusComponent]] = []
    verdict: Degeneracy | None = None
    for i, options in enumerate(space.hidden, start=1):
        lifts, good = [], None
        for ls in options:
            s, c = _examine_lift(ls, i, K, conv, component_budget)
            lifts.append(s)
            if good is None and c is not None:
                good = (ls, c)
        summaries.append(ShiftLayer(i, tuple(lifts)))
        if good is not None:
            chosen.append(good)
        elif verdict is None:
            if any(s.status == "unknown" for s in lifts):
                unknown = next(s for s in lifts if s.status == "unknown")
                verdict = Degeneracy("unknown", f"hidden layer {i}, lift {unknown.index}: {unknown.reason} (budget)")
            else:
                verdict = Degeneracy("degenerate", _layer_reason(i, tuple(lifts)))
    zero = next((i for i, layer in enumerate(space.hidden, start=1)
                 if all(ls.weights.weight_dim == 0 for ls in layer if ls.pieces)), None)
    if zero is None and space.output.weight_dim == 0:
        zero = L
    if verdict is None:
        reason = _weight_reason(space.output, L, [], rows=False)
        if reason == f"W_{L} = 0":
            verdict = Degeneracy("degenerate", f"W_{L} = 0 for every parameter: the network computes a constant")
        elif reason is not None:
            verdict = Degeneracy("degenerate", f"{reason} for every parameter")
    if verdict is None:
        verdict, _ = _witness(space, chosen, K, conv, tries, seed)
    return ShiftVerdict(verdict, space.pieces, space.layer_dims, zero, tuple(summaries))


def shift_verdict(group: GroupAction, chosen: tuple[LayerType, ...], lift_budget: int = DEFAULT_LIFT_BUDGET,
                  component_budget: int = DEFAULT_COMPONENT_BUDGET) -> ShiftVerdict:
    """:func:`shift_degeneracy` of the assignment ``chosen`` (one type per hidden layer); more
    lifts than ``lift_budget`` give an "unknown (budget)" verdict.

    >>> from symeq.groups import catalog_group
    >>> from symeq.classify.types import layer_types
    >>> G = catalog_group("C4", 2, 2)
    >>> v = shift_verdict(G, (layer_types(G, 2, "sin").types[-1],))
    >>> v.degeneracy.status, v.pieces, v.layer_dims
    ('non-degenerate', 2, (2, 2))
    """
    try:
        space = shift_space(group, chosen, lift_budget)
    except BudgetExceeded as exc:
        return ShiftVerdict(Degeneracy("unknown", f"{exc} (budget)"), 0, (), None, ())
    return shift_degeneracy(space, component_budget=component_budget)
