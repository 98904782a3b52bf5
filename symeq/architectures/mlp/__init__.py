"""The multilayer perceptron (THEORY.md section 1): everything MLP-specific lives here.

The model (:mod:`.model`), its file table (:mod:`.io`), its latent groups K_i read off the
activation's relations (:mod:`.latent_group`), the one neuron matcher (:mod:`.solve`), the
submodel reductions and identifiability criteria, the decision methods of ``symeq check``
(the relu canonical form, the linear bypass, polynomial identities) and the functional
dimension's Jacobians.  The generic stages reach it through the
:class:`~symeq.architectures.base.Architecture` protocol.
"""

from symeq.architectures.mlp.io import mlp_from_dict as from_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["MLP", "from_dict"]
