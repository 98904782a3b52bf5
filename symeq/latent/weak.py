"""Weakly identifiable networks: reduce, construct on the submodel, embed with beta.

The theorem (THEORY.md section 5) promises layerwise actions not at theta but at beta(theta~),
the parameter choice with the same function: theta~ is the submodel without inactive or
redundant neurons (:func:`symeq.identifiability.reduce_network`, each rewrite step proved to
keep the function), and beta pads it back to the original widths with zero neurons (zero
incoming row, bias and outgoing column).  So

    f( . ; theta) = f( . ; theta~) = f( . ; beta(theta~)),

the first equality by the rewrite steps, the second because a zero neuron contributes nothing.

The latent action on a padded layer acts on the kept neurons as on theta~ (at their original
indices) and fixes every zero neuron: a zero row stays a zero row under any k_{i-1} that
fixes the zero neurons of the previous layer, and a zero column ignores what happens there.

>>> from symeq.models.io import network_from_dict
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

import sympy
from sympy import ImmutableMatrix

from symeq.groups import GroupAction
from symeq.identifiability.reduce import Reduction, reduce_network
from symeq.latent.action import IDENTITY, LatentMap
from symeq.latent.construct import Construction, LatentActions, construct
from symeq.models.io import network_to_dict
from symeq.models.mlp import MLP

__all__ = ["WeakConstruction", "embed_map", "embed_actions", "construct_weak", "equal_function_evidence"]


@dataclass(frozen=True)
class WeakConstruction:
    """The reduction, the construction on theta~, beta(theta~), and the embedded actions
    (None when the submodel has none either)."""

    reduction: Reduction
    submodel: Construction
    embedded: MLP
    actions: LatentActions | None


def embed_map(k: LatentMap, kept: tuple[int, ...], width: int) -> LatentMap:
    """The latent map of the padded layer: k on the kept neurons (at their original indices),
    the identity on the zero neurons.

    >>> from symeq.activations import Relation
    >>> neg = Relation(-1, 0, -1, 0)
    >>> embed_map(LatentMap.monomial((1, 0), (neg, neg)), (0, 2), 3).perm
    (2, 1, 0)
    """
    if k.kind == "monomial":
        perm = list(range(width))
        rels = [IDENTITY] * width
        for j, (p, r) in enumerate(zip(k.perm, k.relations)):
            perm[kept[j]] = kept[p]
            rels[kept[j]] = r
        return LatentMap("monomial", width, tuple(perm), tuple(rels))
    A = sympy.eye(width)
    t = sympy.zeros(width, 1)
    M, s = k.matrix(), k.shift()
    for r, kr in enumerate(kept):
        t[kr] = s[r]
        A[kr, kr] = 0
        for c, kc in enumerate(kept):
            A[kr, kc] = M[r, c]
    return LatentMap.affine(ImmutableMatrix(A), ImmutableMatrix(t))


def embed_actions(actions: LatentActions, red: Reduction) -> LatentActions:
    """The actions of theta~ carried to beta(theta~)."""
    widths = red.original.hidden_widths
    maps = tuple(tuple(embed_map(k, red.kept[i], widths[i]) for i, k in enumerate(ks))
                 for ks in actions.maps)
    return LatentActions(actions.names, maps)


def construct_weak(net: MLP, group: GroupAction, budget: int = 20_000,
                   reduction: Reduction | None = None) -> WeakConstruction:
    """Reduce ``net``, construct on theta~, and embed the actions into beta(theta~)."""
    red = reduction if reduction is not None else reduce_network(net)
    sub = construct(red.reduced, group, budget)
    embedded = red.beta(red.reduced)
    actions = embed_actions(sub.actions, red) if sub.actions is not None else None
    return WeakConstruction(red, sub, embedded, actions)


def equal_function_evidence(red: Reduction) -> dict[str, Any]:
    """The certificate's proof that f(theta) = f(beta(theta~)): the original network, the
    ``same_function`` certificate theta -> theta~ (rewrite steps, replayed by the checker) and
    the kept indices that define beta."""
    return {
        "original": network_to_dict(red.original),
        "kept": [list(k) for k in red.kept],
        "reduction": {
            "format": "symeq-certificate", "version": 1,
            "claim": {"kind": "same_function", "reduced": network_to_dict(red.reduced)},
            "network": network_to_dict(red.original),
            "evidence": red.certificate_evidence(),
        },
    }
