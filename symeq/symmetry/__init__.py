"""Parameter symmetries (THEORY.md section 2): activation relations, latent groups K_i, their
symbolic invariance proofs, and the functional dimension with hidden symmetries.

Stable public API (later stages import these names from ``symeq.symmetry``):

* :func:`derive_relations` (spec) -> :class:`RelationGroup` -- every relation
  sigma(a z + c) = b sigma(z) + e, proved; ``status`` "complete" or "unknown".
* :func:`latent_group` (activation, width) -> :class:`LatentGroup`; :func:`latent_groups` (net);
  :func:`act` (net, layer, element) -> MLP; :func:`orbit_tangents` (net).
* :func:`prove_invariance` (activation, widths) -> proofs that each generator of K_i leaves
  f unchanged.
* :func:`functional_dimension` (net, *, inputs=None, seed=0) -> :class:`FunctionalDimension`
  with ``n_params``, ``dim_K``, ``orbit_dim``, ``rank``, ``lower``, ``upper``, ``status``
  ("exact" | "certified-lower-bound" | "unknown"), ``hidden_symmetries``,
  ``hidden_directions`` and ``locally_identifiable`` (first order, modulo K).
* :func:`random_network` (activation, widths, seed) -> a generic random rational MLP.

>>> from symeq.symmetry import functional_dimension, random_network
>>> functional_dimension(random_network("relu", (2, 3, 1), seed=0)).rank
10
"""

from symeq.symmetry.functional_dimension import FunctionalDimension, functional_dimension, random_network
from symeq.symmetry.invariance import InvarianceProof, prove_invariance
from symeq.symmetry.latent_groups import (
    AffineElement,
    LatentGroup,
    MonomialElement,
    act,
    latent_group,
    latent_groups,
    orbit_tangents,
)
from symeq.symmetry.relation_group import RelationFamily, RelationGroup
from symeq.symmetry.relations import derive_relations, formula_activation, resolve_activation

__all__ = [
    "AffineElement",
    "FunctionalDimension",
    "InvarianceProof",
    "LatentGroup",
    "MonomialElement",
    "RelationFamily",
    "RelationGroup",
    "act",
    "derive_relations",
    "formula_activation",
    "functional_dimension",
    "latent_group",
    "latent_groups",
    "orbit_tangents",
    "prove_invariance",
    "random_network",
    "resolve_activation",
]
