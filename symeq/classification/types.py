"""Latent action types of a hidden layer: homomorphisms G -> K_i up to conjugacy in K_i.

What a type is depends on the latent group K_i of the activation (THEORY.md sections 2, 5):

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
('permutation', 4, ['4 x G/<r> (size 1)', '2 x G/<r> (size 1) + G/<r^2> (size 2)', '2 x G/<r^2> (size 2)', 'G/<r^4> (size 4)'])
>>> layer_types(catalog_group("C2", 2, 2), 2, "tanh").count
4
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symeq.activations import activation as make_activation
from symeq.classification.spaces import Action, MatrixAction, SignedPermutationAction
from symeq.errors import BudgetExceeded, InputError
from symeq.exact import Matrix
from symeq.groups import GroupAction
from symeq.groups.gsets import (
    GSet,
    count_gsets,
    count_signed_gsets,
    gsets_of_size,
    signed_gsets_of_size,
)
from symeq.groups.permutation import finite_group

__all__ = [
    "KINDS",
    "LayerType",
    "LayerTypes",
    "type_kind",
    "layer_types",
    "boundary_action",
    "gset_action",
    "DEFAULT_TYPE_BUDGET",
]

#: Default largest number of types listed per hidden layer (counts are exact regardless).
DEFAULT_TYPE_BUDGET = 20_000

KINDS = {
    "signed": "signed permutations: multisets of transitive signed G-sets (H, chi)",
    "permutation": "permutations (positive monomial conjugated to permutations): G-sets G/H",
    "even": "signed pre-activation lift, unsigned action on the layer: signed G-sets",
    "shift": "signed G-sets on V_i; pre-activation lifts with pi-shifted biases",
    "real": "real representations (Aff(d), conjugated to GL(d) by a translation): multisets of real "
            "irreducible representations",
}


def type_kind(activation_spec: str) -> str:
    """The kind of latent types of a hidden layer with this activation (see the table).

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


@dataclass(frozen=True)
class LayerType:
    """One latent type of a hidden layer.

    ``pre`` is the action on the pre-activations (what W_i and b_i intertwine into), ``post``
    the action rho_i on the layer's outputs (what W_{i+1} sees); they differ only for the
    "even" kind.  ``gset`` is the (signed) G-set (helper module symeq.groups.gsets)."""

    index: int
    label: str
    pre: SignedPermutationAction
    post: SignedPermutationAction
    gset: GSet = field(compare=False, repr=False)

    def orbits(self) -> list[dict[str, object]]:
        """The transitive parts: stabilizer, sign character, size, multiplicity (plain data)."""
        out = []
        for t, m in self.gset.parts:
            out.append({"label": t.label(), "size": t.size, "multiplicity": m,
                        "stabilizer_order": t.stabilizer.order, "signed": t.is_signed})
        return out


@dataclass(frozen=True)
class LayerTypes:
    """The types of one hidden layer: ``count`` is exact; ``types`` lists them all when
    ``complete`` (else the listing passed the budget and is empty).  For kind "real" the types
    are symeq.classification.real.RealLayerType (multiplicities of real irreducibles, no matrices)."""

    layer: int
    width: int
    kind: str
    count: int
    types: tuple[LayerType, ...]
    complete: bool


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
        from symeq.classification.real import real_layer_types  # it builds on this module's LayerTypes

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


def boundary_action(matrices: tuple[Matrix, ...]) -> Action:
    """rho_0 or rho_L as an action: a signed permutation action when every generator matrix is
    a signed permutation matrix (image pixels, coordinate shifts), else a matrix action.

    >>> from sympy import ImmutableMatrix as M
    >>> type(boundary_action((M([[0, 1], [1, 0]]),))).__name__
    'SignedPermutationAction'
    >>> type(boundary_action((M([[0, -1], [1, 1]]),))).__name__
    'MatrixAction'
    """
    perms, signs = [], []
    for m in matrices:
        p, s = [], []
        for j in range(m.cols):
            nz = [(i, m[i, j]) for i in range(m.rows) if m[i, j] != 0]
            if len(nz) != 1 or nz[0][1] not in (1, -1):
                return MatrixAction(tuple(matrices))
            p.append(nz[0][0])
            s.append(int(nz[0][1]))
        if sorted(p) != list(range(m.cols)):
            return MatrixAction(tuple(matrices))
        perms.append(tuple(p))
        signs.append(tuple(s))
    return SignedPermutationAction(tuple(perms), tuple(signs))
