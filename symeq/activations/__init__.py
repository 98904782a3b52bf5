"""Scalar activations: the catalog (:mod:`.catalog`) and their one-dimensional relations
sigma(a z + c) = b sigma(z) + e, declared there and derived from the formula in
:mod:`.relations` (with the families of :mod:`.relation_group`).  MLPs and convolutions use
them; attention's normalizations are not scalar activations.
"""

from symeq.activations.catalog import (CATALOG, IDENTITY_RELATION, Activation, Relation,
                                       activation, describe_monomial)

__all__ = ["Relation", "Activation", "activation", "describe_monomial", "CATALOG",
           "IDENTITY_RELATION"]
