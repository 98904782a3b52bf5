"""Weakly identifiable networks: reduce, construct on the submodel, embed with beta, for every
architecture.

The theorem (docs/theory.md section 5) promises layerwise actions not at theta but at beta(theta~),
the parameter choice with the same function: theta~ is the submodel without inactive or
redundant units (``net.weak_reduction()``, each rewrite step proved to keep the function),
and beta pads it back to the original widths with zero units.  So

    f( . ; theta) = f( . ; theta~) = f( . ; beta(theta~)),

the first equality by the rewrite steps, the second because a zero unit contributes nothing.
The reduction carries each latent element of theta~ to beta(theta~) (``reduction.embed(i, k)``:
k on the kept units at their original places, the identity on the zero units).

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["1", "0"], ["0", "1"]],
...       [["1", "2", "3"]]], "biases": [["0", "0", "0"], ["0"]]})
>>> w = construct_weak(net, catalog_group("S2", 2, 1, output="trivial"))
>>> w.embedded.weights[1], w.actions.generator("t")[0].perm
(Matrix([[3, 0, 3]]), (2, 1, 0))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symeq.construction.construct import Construction, LatentActions, construct

__all__ = ["WeakConstruction", "construct_weak", "embed_actions"]


@dataclass(frozen=True)
class WeakConstruction:
    """The reduction, the construction on theta~, beta(theta~), and the embedded actions
    (None when the submodel has none either)."""

    reduction: Any
    submodel: Construction
    embedded: Any
    actions: LatentActions | None


def embed_actions(actions: LatentActions, red: Any) -> LatentActions:
    """The actions of theta~ carried to beta(theta~)."""
    maps = tuple(tuple(red.embed(i, k) for i, k in enumerate(ks, start=1)) for ks in actions.maps)
    return LatentActions(actions.names, maps)


def construct_weak(net: Any, group: Any, budget: int = 20_000, reduction: Any = None) -> WeakConstruction:
    """Reduce ``net`` (``net.weak_reduction()`` unless ``reduction`` is given), construct on
    theta~, and embed the actions into beta(theta~)."""
    red = reduction if reduction is not None else net.weak_reduction()
    sub = construct(red.reduced, group, budget)
    embedded = red.beta(red.reduced)
    actions = embed_actions(sub.actions, red) if sub.actions is not None else None
    return WeakConstruction(red, sub, embedded, actions)
