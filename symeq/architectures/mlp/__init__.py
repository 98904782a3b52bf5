"""The multilayer perceptron (THEORY.md section 1): everything MLP-specific lives here.

The model (:mod:`.model`), its file table (:mod:`.io`), its latent groups K_i read off the
activation's relations (:mod:`.latent_group`), the one neuron matcher (:mod:`.solve`), the
submodel reductions and identifiability criteria, the decision methods of ``symeq check``
(the relu canonical form, the linear bypass, polynomial identities) and the functional
dimension's Jacobians.  The generic stages reach it through the
:class:`~symeq.architectures.base.Architecture` protocol.
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.mlp.io import mlp_from_dict as from_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["MLP", "from_dict", "check"]


def check(net: MLP, group: Any, *, tries: int = 200, seed: int = 0) -> Any:
    """``symeq check`` for an MLP: :func:`symeq.architectures.mlp.equivariance.check_equivariance`."""
    from symeq.architectures.mlp.equivariance import check_equivariance

    return check_equivariance(net, group, tries=tries, seed=seed)
