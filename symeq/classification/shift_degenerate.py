"""Is every piece of a sin assignment degenerate?  (kind "shift"; pieces: symeq.classification.shifts)

A sin parameter is *degenerate* when some W_i = 0 (i = 1..L), a hidden neuron has a zero
incoming row or a zero outgoing column (inactive), or two neurons j != k of one hidden layer
are related by a composition of sin's relations: w_k = a w_j and b_k = a b_j (mod pi) with
a = +-1 (docs/theory.md section 3; sin(a z + c) = +-sin z for c in pi Z).  The assignment is
degenerate when every parameter of every piece is.

**Locality.**  A piece is a product over the layers and, within a hidden layer, over the
blocks of its type (one character and one bias component per block, symeq.classification.shifts),
and it is a real affine space (weights linear, biases b0 + span of the directions, lifted
from the torus).  Each condition cuts out an affine subspace (a related pair: one for each
value c of (b_k - a b_j) / pi in Z), countably many in all, so by Baire's theorem the piece
lies in their union only if it lies in one of them: a piece is degenerate everywhere iff one
condition holds on it *identically*.  The conditions are local: a zero row or a related pair
inside a block depends on that block's choice only; two neurons of different blocks have
rows in disjoint sets of parameters, so they are never identically related; a zero outgoing
column of neuron j of layer i - 1 is a zero column j of W_i, which holds iff it holds in every
block of layer i (the blocks' choices are coupled only here); W_L = 0 and the columns of W_L
depend on the types alone.  So the assignment is non-degenerate iff in every hidden layer
each block has a *passing* choice (nonzero rows, no identically related pair), and for i >= 2
some combination of passing choices touches every column of W_i (searched over the reachable
sets of covered columns, block by block), and the output layer has no zero W_L or column.
The lifts and pieces (products, exponential in the width) are never listed.

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

Caveat (honest reading of "non-degenerate"): this is docs/theory.md's per-neuron notion.  sin has
further coincidences between *pairs* of neurons that it does not count, e.g.
sin(z + t) + sin(z - t) = 2 cos(t) sin(z): two neurons with rows w, w (or w, -w) span only the
functions of one frequency, so a non-degenerate sin network need not be identifiable.

>>> from symeq.groups import group_from_dict
>>> from symeq.classification.shifts import shift_space
>>> from symeq.classification.types import layer_types
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
from functools import lru_cache

import sympy
from sympy import ImmutableMatrix, pi

from symeq.classification.degenerate import (
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
from symeq.classification.shifts import BlockChoice, BlockSpace, ShiftSpace, shift_space
from symeq.classification.torus import TorusComponent
from symeq.classification.results import LayerType
from symeq.groups import GroupAction

__all__ = ["ChoiceSummary", "BlockSummary", "ShiftLayer", "ShiftVerdict", "shift_degeneracy", "shift_verdict",
           "DEFAULT_COMPONENT_BUDGET", "DEFAULT_COVER_BUDGET"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Default largest number of bias components of one block choice examined for a passing one.
DEFAULT_COMPONENT_BUDGET = 4_096
#: Default largest number of distinct sets of covered columns kept while combining blocks.
DEFAULT_COVER_BUDGET = 50_000


@dataclass(frozen=True)
class ChoiceSummary:
    """One character chi_a of one block, as plain data: its signs a per generator (on the
    block's neurons), its number of bias ``components`` and their dimension, the weight
    dimension, and ``status`` for this block alone: "passes" (some component has nonzero rows
    and no identically related pair), "degenerate" (``reason`` says why, for every component),
    "no bias" (no component) or "unknown" (too many components to examine)."""

    index: int
    label: str
    signs: tuple[tuple[int, ...], ...]
    components: int
    weight_dim: int
    bias_dim: int
    status: str
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain data for --json (signs: one list per generator, in the group's order)."""
        return {"index": self.index, "label": self.label, "signs": [list(x) for x in self.signs],
                "components": self.components, "weight_dimension": self.weight_dim,
                "bias_dimension": self.bias_dim, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class BlockSummary:
    """One part of a hidden layer's type: ``multiplicity`` blocks of ``size`` neurons from
    neuron ``first`` on (1-based), and its choices of character."""

    label: str
    size: int
    multiplicity: int
    first: int
    choices: tuple[ChoiceSummary, ...]

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "size": self.size, "multiplicity": self.multiplicity,
                "neurons": [self.first, self.first + self.size * self.multiplicity - 1],
                "characters": [c.to_dict() for c in self.choices]}


@dataclass(frozen=True)
class ShiftLayer:
    """Hidden layer ``layer`` of one assignment: its number of ``lifts`` and of (lift, bias
    component) ``pieces``, and its parts."""

    layer: int
    lifts: int
    pieces: int
    blocks: tuple[BlockSummary, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain data for --json.

        >>> from symeq.groups import catalog_group
        >>> from symeq.classification.types import layer_types
        >>> G = catalog_group("C2", 2, 2)              # r = -I on the plane
        >>> d = shift_verdict(G, (layer_types(G, 1, "sin").types[1],)).layers[0].to_dict()
        >>> d["pieces"], [(x["signs"], x["components"], x["status"]) for x in d["blocks"][0]["characters"]]
        (2, [([[1]], 0, 'no bias'), ([[-1]], 2, 'passes')])
        """
        return {"layer": self.layer, "lifts": self.lifts, "pieces": self.pieces,
                "blocks": [b.to_dict() for b in self.blocks]}


@dataclass(frozen=True)
class ShiftVerdict:
    """What classify reports for one sin assignment: the verdict, the number of pieces, the
    per-layer dimensions of the largest piece, the first layer with W_i = 0 on every piece
    (None if none), and the parts of each hidden layer with their choices."""

    degeneracy: Degeneracy
    pieces: int
    layer_dims: tuple[int, ...]
    zero_layer: int | None
    layers: tuple[ShiftLayer, ...]


@dataclass(frozen=True)
class _Examined:
    summary: ChoiceSummary
    component: TorusComponent | None
    columns: frozenset[int]


def _pair_related(pairs: list[tuple[int, int, int]], c: TorusComponent) -> tuple[int, int, int] | None:
    """The first pair (j, k, a) of identically related rows whose biases are related on the
    whole component: b_k - a b_j constant (direction coefficients agree) and in pi Z."""
    for j, k, a in pairs:
        if all(v[k] - a * v[j] == 0 for v in c.directions) and (c.offset_pi[k] - a * c.offset_pi[j]).denominator == 1:
            return j, k, a
    return None


@lru_cache(maxsize=1 << 14)
def _examine(choice: BlockChoice, budget: int) -> _Examined:
    """One block choice alone (neurons numbered within the block, from 1)."""
    w, T = choice.weights, choice.biases
    base = dict(index=choice.index, label=choice.label, signs=choice.action.signs, components=T.count,
                weight_dim=w.dim, bias_dim=T.free_dim)
    columns = frozenset(c for v in w.basis for _, c, _ in v.weight)
    if T.count == 0:
        return _Examined(ChoiceSummary(**base, status="no bias", reason="the bias equations have no solution"),
                         None, columns)
    if w.weight_dim == 0:
        return _Examined(ChoiceSummary(**base, status="degenerate", reason="no incoming weights (zero rows)"),
                         None, columns)
    K, conv = space_field([w])
    forms = [_in_field(f, K, conv) for f in _neuron_forms(w, False)]
    j = untouched(w, "row")
    if j is None:
        j = next((j for j, f in enumerate(forms) if not f), None)  # entries that cancel
    if j is not None:
        return _Examined(ChoiceSummary(**base, status="degenerate", reason=f"block neuron {j + 1} has a zero row"),
                         None, columns)
    pairs = [(j, k, int(a)) for j, k, a in related_pairs([_normalize(f, K) for f in forms], K, "sign")]
    first = None
    for n, c in enumerate(T.components()):
        if n >= budget:
            return _Examined(ChoiceSummary(**base, status="unknown", reason=f"more than {budget} bias components, "
                                           f"the examined ones all degenerate ({first})"), None, columns)
        hit = _pair_related(pairs, c)
        if hit is None:
            return _Examined(ChoiceSummary(**base, status="passes"), c, columns)
        if first is None:
            j, k, a = hit
            first = f"block neurons {j + 1} and {k + 1} are related by a = {a} (mod pi shifts)"
    reason = first if T.count == 1 else f"on each of its {T.count} bias components, e.g. {first}"
    return _Examined(ChoiceSummary(**base, status="degenerate", reason=reason), None, columns)


def _cover(blocks: list[list[_Examined]], n_cols: int, budget: int) -> tuple[list[_Examined] | None, str]:
    """One passing choice per block whose columns together cover 0..n_cols-1 (None and the
    reason when there is none; "budget" in the reason when the search was cut)."""
    full = frozenset(range(n_cols))
    states: dict[frozenset[int], list[_Examined]] = {frozenset(): []}
    for options in blocks:
        new: dict[frozenset[int], list[_Examined]] = {}
        for cov, path in states.items():
            for e in options:
                new.setdefault(cov | e.columns, path + [e])
        if len(new) > budget:
            return None, f"more than {budget} sets of covered columns (budget)"
        states = new
    if full in states:
        return states[full], ""
    reach = frozenset().union(*states)
    j = min(full - reach) if full - reach else None
    if j is not None:
        return None, f"neuron {j + 1} has a zero outgoing column in every piece whose blocks pass"
    return None, "no combination of passing block choices gives every neuron an outgoing weight"


def _layer(i: int, parts: tuple[BlockSpace, ...], n_cols: int | None, component_budget: int,
           cover_budget: int) -> tuple[ShiftLayer, list[tuple[int, _Examined, BlockChoice]] | None, Degeneracy | None]:
    """Summaries, a passing choice per block (offset, examined, choice) or None, and the
    verdict when the layer alone settles it."""
    summaries, options, failure = [], [], None
    for b in parts:
        ex = [(_examine(c, component_budget), c) for c in b.choices]
        summaries.append(BlockSummary(b.label, b.size, b.multiplicity, b.offset + 1, tuple(e.summary for e, _ in ex)))
        passing = [(e, c) for e, c in ex if e.summary.status == "passes"]
        # a block proved degenerate settles the layer even after a block cut short by the budget
        status = "unknown" if any(e.summary.status == "unknown" for e, _ in ex) else "degenerate"
        if not passing and (failure is None or (failure.status == "unknown" and status == "degenerate")):
            neurons = f"{b.offset + 1}-{b.offset + b.size * b.multiplicity}"
            why = "; ".join(f"chi_a {e.summary.index}: {e.summary.reason}" for e, _ in ex)
            failure = Degeneracy(status, f"layer {i}, neurons {neurons} ({b.label}): no character passes ({why})"
                                 + (" (budget)" if status == "unknown" else ""))
        for off in b.blocks():
            options.append([(off, e, c) for e, c in passing])
    lifts = 1
    pieces = 1
    for b in parts:
        lifts *= b.lifts
        pieces *= b.pieces
    layer = ShiftLayer(i, lifts, pieces, tuple(summaries))
    if all(c.weights.weight_dim == 0 for b in parts for c in b.choices if c.pieces):
        return layer, None, Degeneracy("degenerate", f"W_{i} = 0 for every parameter of every piece: the network "
                                       "computes a constant")
    if failure is not None:
        return layer, None, failure
    if n_cols is None:  # layer 1: its columns are inputs, nothing to cover
        return layer, [opts[0] for opts in options], None
    path, why = _cover([[e for _, e, _ in opts] for opts in options], n_cols, cover_budget)
    if path is None:
        status = "unknown" if "budget" in why else "degenerate"
        return layer, None, Degeneracy(status, f"layer {i - 1}: {why}")
    return layer, [next(x for x in opts if x[1] is e) for opts, e in zip(options, path)], None


def _witness(space: ShiftSpace, chosen: list[list[tuple[int, _Examined, BlockChoice]]], tries: int,
             seed: int) -> Degeneracy:
    K, conv = space_field([c.weights for layer in chosen for _, _, c in layer] + [space.output])
    rng = random.Random(seed)
    last = "no parameter tried"
    widths = space.widths
    for attempt in range(tries):
        spread = 3 + 2 * attempt
        weights, biases = [], []
        for i, layer in enumerate(chosen, start=1):
            w = [[K.zero] * widths[i - 1] for _ in range(widths[i])]
            q = [Fraction(0)] * widths[i]
            r = [Fraction(0)] * widths[i]
            for off, e, c in layer:
                bw, _ = draw(c.weights, K, conv, rng, spread)
                comp = e.component
                t = [Fraction(rng.randint(-4 * spread, 4 * spread), rng.randint(1, 9)) for _ in range(comp.dim)]
                for k, row in enumerate(bw):
                    w[off + k] = row
                    q[off + k] = comp.offset_pi[k]
                    r[off + k] = sum((tk * v[k] for tk, v in zip(t, comp.directions)), Fraction(0))
            weights.append(w)
            biases.append((q, r))
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
            return Degeneracy("non-degenerate", "a parameter of a piece has no zero layer, no inactive and no "
                              "redundant neuron", tuple(params))
        last = problem
    return Degeneracy("unknown", f"every block has a passing choice, but {tries} random parameters were all "
                      f"degenerate (last: {last})")


def shift_degeneracy(space: ShiftSpace, tries: int = DEFAULT_TRIES, seed: int = 0,
                     component_budget: int = DEFAULT_COMPONENT_BUDGET,
                     cover_budget: int = DEFAULT_COVER_BUDGET) -> ShiftVerdict:
    """The verdict on every piece of ``space`` (see the module docstring).

    >>> from symeq.groups import group_from_dict
    >>> from symeq.classification.shifts import shift_space
    >>> from symeq.classification.types import layer_types
    >>> G = group_from_dict({"generators": {"r": {"input": [["-1"]], "output": "trivial"}}}, 1, 1)
    >>> t = layer_types(G, 2, "sin").types[0]            # two fixed neurons under an odd input
    >>> v = shift_degeneracy(shift_space(G, (t,)))       # sin(w x + pi/2) = cos(w x) is even
    >>> v.degeneracy.status, v.pieces, [c.components for c in v.layers[0].blocks[0].choices]
    ('non-degenerate', 7, [1, 2])
    >>> v.degeneracy.witness[0][1].T
    Matrix([[pi/2, pi/2]])
    """
    summaries: list[ShiftLayer] = []
    chosen = []
    verdict: Degeneracy | None = None
    for i, parts in enumerate(space.hidden, start=1):
        layer, pick, failure = _layer(i, parts, space.widths[i - 1] if i > 1 else None, component_budget,
                                      cover_budget)
        summaries.append(layer)
        chosen.append(pick)
        # the first proof of degeneracy wins; an "unknown" (budget) only when nothing proves it
        if failure is not None and (verdict is None or (verdict.status == "unknown" and failure.status != "unknown")):
            verdict = failure
    L = len(space.hidden) + 1
    if verdict is None or verdict.status == "unknown":
        j = untouched(space.output, "col")
        if space.output.weight_dim == 0:
            verdict = Degeneracy("degenerate", f"W_{L} = 0 for every parameter: the network computes a constant")
        elif j is not None:
            verdict = Degeneracy("degenerate", f"layer {L - 1}: neuron {j + 1} has a zero outgoing column for every "
                                 "parameter")
    if verdict is None:
        verdict = _witness(space, chosen, tries, seed)
    return ShiftVerdict(verdict, space.pieces, space.layer_dims, space.zero_layer, tuple(summaries))


def shift_verdict(group: GroupAction, chosen: tuple[LayerType, ...],
                  component_budget: int = DEFAULT_COMPONENT_BUDGET) -> ShiftVerdict:
    """:func:`shift_degeneracy` of the assignment ``chosen`` (one type per hidden layer).

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> G = catalog_group("C4", 2, 2)
    >>> v = shift_verdict(G, (layer_types(G, 2, "sin").types[-1],))
    >>> v.degeneracy.status, v.pieces, v.layer_dims
    ('non-degenerate', 2, (2, 2))
    """
    return shift_degeneracy(shift_space(group, chosen), component_budget=component_budget)
