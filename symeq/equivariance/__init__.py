"""End-to-end equivariance: layerwise matching, exact identities, witnesses, the decision.

Public API::

    match_layerwise(net, group) -> LayerwiseMatch        # latent actions per generator/layer
    check_equivariance(net, group) -> CheckResult        # holds / fails / unknown
    polynomial_identity, relu_identity                   # exact identity methods
    find_witness, certify_point -> Witness               # separating inputs
"""

from symeq.equivariance.check import CheckResult, check_equivariance
from symeq.equivariance.identity import IdentityOutcome, polynomial_identity, relu_identity
from symeq.equivariance.matching import (AffineAction, LatentAction, LayerwiseMatch, MatchFailure,
                                         MonomialAction, match_layerwise)
from symeq.equivariance.witness import Witness, certify_point, find_witness

__all__ = [
    "AffineAction",
    "CheckResult",
    "IdentityOutcome",
    "LatentAction",
    "LayerwiseMatch",
    "MatchFailure",
    "MonomialAction",
    "Witness",
    "certify_point",
    "check_equivariance",
    "find_witness",
    "match_layerwise",
    "polynomial_identity",
    "relu_identity",
]
