"""Latent action types of a hidden layer: homomorphisms G -> K_i up to conjugacy in K_i.

What a type is depends on the latent group K_i of the activation (docs/theory.md sections 2, 5):

=====================  ===========================================================  ============
activation             K_i and its types for a finite group G                       kind
=====================  ===========================================================  ============
tanh, odd poly,        signed permutations B_d: multisets of transitive signed      signed
power:M (M odd)        G-sets (H, chi) of total size d (for power:M the scales
                       lambda are conjugated away, keeping their signs)
sigmoid                signed permutations acting affinely v -> P(Dv + f): the same  signed
                       types (they are signed permutations in the centred
                       coordinates v - 1/2)
relu, leaky_relu       positive monomial matrices: a positive diagonal conjugates   permutation
                       every homomorphism to a permutation one, so G-sets
gelu, softplus,        permutations S_d: G-sets                                     permutation
swish, generic poly
even poly, power:M     the pre-activation lift is a signed permutation (a = -1 has  even
(M even)               b = 1), the action on V_i forgets the signs: signed G-sets
                       for the lift, their underlying G-sets on V_i
identity               affine group Aff(d): a finite group's affine action has a    real
                       fixed point, so a translation conjugates it to a linear one:
                       real representations of dimension d, i.e. multisets of real
                       irreducibles (symeq.classification.real)
sin                    signed permutations on V_i (sin(a z + c) = b sin z, a = +-1,  shift
                       c in pi Z): signed G-sets, as for tanh; the parameters come
                       in pieces, one pre-activation lift (a second signed G-set on
                       the same G-set) and one pi-shifted bias component per layer
                       (symeq.classification.shifts)
=====================  ===========================================================  ============

Counts are exact (the generating function prod_k (1 - x^k)^(-t_k) over the transitive types,
t_k of size k), even when listing the types would pass the budget.

>>> from symeq.groups import catalog_group
>>> T = layer_types(catalog_group("C8", 2, 2), 4, "relu")
>>> T.kind, T.count, [t.label for t in T.types]
('permutation', 4, ['4 x G/G (size 1)', '2 x G/G (size 1) + G/<r^2> (size 2)', '2 x G/<r^2> (size 2)', 'G/<r^4> (size 4)'])
>>> layer_types(catalog_group("C2", 2, 2), 2, "tanh").count
4
"""

from __future__ import annotations


from symeq.activations import activation as make_activation
from symeq.classification.real import real_layer_types
from symeq.classification.results import DEFAULT_TYPE_BUDGET, LayerType, LayerTypes
from symeq.classification.spaces import SignedPermutationAction
from symeq.errors import BudgetExceeded, InputError
from symeq.groups import GroupAction
from symeq.groups.gsets import (
    GSet,
    count_gsets,
    count_signed_gsets,
    gsets_of_size,
    signed_gsets_of_size,
)
from symeq.groups.permutation import finite_group

__all__ = ["type_kind", "gset_action", "layer_types"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)




def type_kind(activation_spec: str) -> str:
    """The kind of latent types of a hidden layer with this activation (see ``results.KINDS``).

    >>> type_kind("relu"), type_kind("tanh"), type_kind("power:2"), type_kind("sigmoid")
    ('permutation', 'signed', 'even', 'signed')
    >>> type_kind("identity"), type_kind("sin")
    ('real', 'shift')
    """
    act = make_activation(activation_spec)
    if act.name == "identity":
        return "real"
    if act.name == "sin":
        return "shift"
    if act.kind in ("signed_permutation", "affine_signed_permutation"):
        return "signed"
    if act.kind in ("positive_monomial", "permutation"):
        # poly:EXPR with an even polynomial is "permutation" on V but has the a = -1 lift
        neg = act.relation_for(-1, 0) if act.name == "poly" else None
        return "even" if neg is not None else "permutation"
    if act.kind == "power_monomial":
        m = int(act.spec.split(":")[1])
        return "even" if m % 2 == 0 else "signed"
    raise InputError(f"classify does not handle activation {act.spec}")


def gset_action(G: GroupAction, gset: GSet, signed: bool = True) -> SignedPermutationAction:
    """The signed permutation action of a (signed) G-set on the generators of G, in the order
    of ``G.names`` (``signed=False`` drops the signs: the underlying G-set).

    >>> from symeq.groups import catalog_group
    >>> from symeq.groups.gsets import gsets_of_size
    >>> G = catalog_group("C2", 2, 2)
    >>> gset_action(G, gsets_of_size(G, 2)[1]).perms
    ((1, 0),)
    """
    rep = gset.representation()
    perms = tuple(tuple(rep[n].perm) for n in G.names)
    signs = tuple(tuple(rep[n].signs) if signed else (1,) * len(rep[n].perm) for n in G.names)
    return SignedPermutationAction(perms, signs)


def layer_types(G: GroupAction, width: int, activation_spec: str, layer: int = 1,
                budget: int = DEFAULT_TYPE_BUDGET) -> LayerTypes:
    """Every latent type of a hidden layer of ``width`` neurons, up to conjugacy in K_i.

    >>> from symeq.groups import catalog_group
    >>> T = layer_types(catalog_group("D4", 2, 2), 2, "tanh")
    >>> T.count, len(T.types), T.complete
    (18, 18, True)
    """
    if width < 1:
        raise InputError("hidden widths must be positive")
    kind = type_kind(activation_spec)
    if kind == "real":

        return real_layer_types(G, width, layer, budget)
    F = finite_group(G)
    signed = kind in ("signed", "even", "shift")
    count = count_signed_gsets(F, width) if signed else count_gsets(F, width)
    try:
        gsets = signed_gsets_of_size(F, width, budget) if signed else gsets_of_size(F, width, budget)
    except BudgetExceeded:
        return LayerTypes(layer, width, kind, count, (), False)
    types = []
    for k, gs in enumerate(gsets):
        pre = gset_action(G, gs, signed=True)
        post = gset_action(G, gs, signed=kind != "even")
        types.append(LayerType(k, gs.label(), pre, post, gs))
    if len(types) != count:  # the listing and the generating function must agree
        raise AssertionError(f"listed {len(types)} types but counted {count}")
    return LayerTypes(layer, width, kind, count, tuple(types), True)


