"""The classification table: every latent type per hidden layer, every assignment of types
to the layers with its space of layerwise-equivariant parameters, the degenerate ones, and the
smallest hidden width that admits a non-degenerate layerwise-equivariant network.

>>> from symeq.groups import catalog_group
>>> C = classify("relu", (2, 4, 2), catalog_group("C8", 2, 2))
>>> [t.count for t in C.layers], len(C.assignments)
([4], 4)
>>> {a.degeneracy.status for a in C.assignments}, {a.zero_layer for a in C.assignments}
({'degenerate'}, {1})
>>> C.smallest.width, C.smallest.status
(8, 'found')
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from math import prod

from symeq.classification.degenerate import degeneracy
from symeq.classification.spaces import NetworkSpace, network_space
from symeq.classification.real import classify_real, real_smallest_width
from symeq.classification.results import (DEFAULT_TYPE_BUDGET, Assignment, Classification, LayerType,
                                          SmallestWidth)
from symeq.classification.shift_degenerate import shift_verdict
from symeq.classification.types import layer_types, type_kind
from symeq.classification.spaces import boundary_action
from symeq.errors import InputError
from symeq.groups import GroupAction
from symeq.groups.permutation import finite_group

__all__ = [
    "Assignment",
    "SmallestWidth",
    "Classification",
    "classify",
    "assignment_space",
    "smallest_nondegenerate_width",
    "DEFAULT_ASSIGNMENT_BUDGET",
]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Default largest number of assignments (tuples of types, one per hidden layer) examined, by the
#: listing and the smallest-width scan together: relu:2-12-12-2 under C12 costs about 23 ms per
#: assignment, so 2000 (then spent once by each) took 48 s.
DEFAULT_ASSIGNMENT_BUDGET = 500

Progress = Callable[[int, int], None]
WidthProgress = Callable[[int, int, int], None]


def assignment_space(activation: str, group: GroupAction, chosen: tuple[LayerType, ...]) -> NetworkSpace:
    """The layerwise-equivariant parameters for the chosen type of each hidden layer.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C4", 2, 2)
    >>> T = layer_types(G, 4, "relu")
    >>> regular = [t for t in T.types if "size 4" in t.label][0]
    >>> assignment_space("relu", G, (regular,)).layer_dims    # one free row + bias; one column
    (3, 2)
    """
    if any(not hasattr(t, "pre") for t in chosen):  # kind "real": types are isomorphism classes
        raise InputError("the latent types of a linear network are real representations given by their "
                         "multiplicities, without chosen matrices; their spaces are Schur blocks "
                         "(symeq.classification.real.real_assignment)")
    rho0 = boundary_action(group.inputs)
    rho_l = boundary_action(group.outputs)
    return network_space(make_name(activation), rho0, rho_l, [(t.pre, t.post) for t in chosen])


def make_name(activation: str) -> str:
    """The activation's base name (``leaky_relu:1/10`` -> ``leaky_relu``)."""
    return activation.split(":", 1)[0]


def _examine(activation: str, group: GroupAction, chosen: tuple[LayerType, ...]) -> Assignment:
    if type_kind(activation) == "shift":  # sin: pieces of lifts and pi-shifted biases

        v = shift_verdict(group, chosen)
        return Assignment(tuple(t.index for t in chosen), v.layer_dims, v.zero_layer, v.degeneracy, v.layers)
    space = assignment_space(activation, group, chosen)
    zero = next((i for i, s in enumerate(space.layers, start=1) if s.weight_dim == 0), None)
    return Assignment(tuple(t.index for t in chosen), space.layer_dims, zero, degeneracy(space, activation))


def classify(activation: str, widths: tuple[int, ...], group: GroupAction,
             budget: int = DEFAULT_ASSIGNMENT_BUDGET, type_budget: int = DEFAULT_TYPE_BUDGET,
             smallest: bool = True, max_width: int | None = None,
             progress: Progress | None = None, width_progress: WidthProgress | None = None) -> Classification:
    """Classify the latent types of every hidden layer and examine every assignment (up to
    ``budget`` of them; counts stay exact beyond it).  ``smallest`` also searches the smallest
    hidden width with a non-degenerate assignment, up to ``max_width`` (default: the larger of
    the widest hidden layer and |G|).  ``progress(done, total)`` is called after each assignment
    examined, ``width_progress(width, done, total)`` during the smallest-width scan."""
    if len(widths) < 3:
        raise InputError("an architecture needs at least one hidden layer")
    if group.input_dim != widths[0] or group.output_dim != widths[-1]:
        raise InputError(f"the group acts on R^{group.input_dim} -> R^{group.output_dim}, "
                         f"but the architecture has d_0 = {widths[0]} and d_L = {widths[-1]}")
    if max_width is not None and max_width < 1:
        raise InputError("the largest hidden width searched (--max-width) must be positive")
    kind = type_kind(activation)
    if kind == "real":

        return classify_real(activation, tuple(widths), group, budget, type_budget, smallest, max_width, progress)
    layers = tuple(layer_types(group, d, activation, i, type_budget)
                   for i, d in enumerate(widths[1:-1], start=1))
    total = prod(t.count for t in layers)
    complete = all(t.complete for t in layers) and total <= budget
    assignments: list[Assignment] = []
    if all(t.complete for t in layers):
        n_done = 0
        for chosen in product(*(t.types for t in layers)):
            if n_done >= budget:
                break
            assignments.append(_examine(activation, group, chosen))
            n_done += 1
            if progress is not None:
                progress(n_done, min(total, budget))
    small = None
    if smallest:  # one budget for the listing and the width scan together
        limit = max_width if max_width is not None else max(max(widths[1:-1]), finite_group(group).order)
        small = smallest_nondegenerate_width(activation, widths[0], widths[-1], len(widths) - 2, group,
                                             limit, budget - len(assignments), type_budget, width_progress)
    return Classification(activation, tuple(widths), group, kind, layers, tuple(assignments), total,
                          complete, small)


def smallest_nondegenerate_width(activation: str, d_in: int, d_out: int, hidden_layers: int,
                                 group: GroupAction, max_width: int,
                                 budget: int = DEFAULT_ASSIGNMENT_BUDGET,
                                 type_budget: int = DEFAULT_TYPE_BUDGET,
                                 progress: WidthProgress | None = None) -> SmallestWidth:
    """Scan w = 1, 2, ..., max_width (all hidden layers of width w) for a non-degenerate
    assignment (``progress(w, done, total)`` after each assignment examined).

    >>> from symeq.groups import catalog_group
    >>> smallest_nondegenerate_width("relu", 2, 2, 1, catalog_group("C4", 2, 2), 8).width
    4
    """
    if type_kind(activation) == "real":

        return real_smallest_width(group, hidden_layers, max_width)
    spent = 0  # assignments examined over all widths: ``budget`` bounds the whole scan
    for w in range(1, max_width + 1):
        layers = [layer_types(group, w, activation, i, type_budget) for i in range(1, hidden_layers + 1)]
        if not all(t.complete for t in layers):
            return SmallestWidth("unknown", w, w - 1, reason=f"width {w}: more types than the type budget")
        if spent + prod(t.count for t in layers) > budget:
            return SmallestWidth("unknown", w, w - 1,
                                 reason=f"width {w}: {prod(t.count for t in layers)} assignments, more than the "
                                 f"{max(budget - spent, 0)} left of the assignment budget (--budget, shared with "
                                 "the listing)")
        spent += prod(t.count for t in layers)
        undecided = False
        total = prod(t.count for t in layers)
        for done, chosen in enumerate(product(*(t.types for t in layers)), start=1):
            a = _examine(activation, group, chosen)
            if progress is not None:
                progress(w, done, total)
            if a.degeneracy.status == "non-degenerate":
                return SmallestWidth("found", w, w, tuple(t.label for t in chosen))
            undecided = undecided or a.degeneracy.status == "unknown"
        if undecided:
            return SmallestWidth("unknown", w, w - 1, reason=f"width {w}: some assignment could not be decided")
    return SmallestWidth("none", None, max_width,
                         reason=f"every assignment is degenerate for every width up to {max_width}")
