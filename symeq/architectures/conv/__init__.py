"""Circular convolutional networks (THEORY.md 7.2): the generalized adjunction, latent groups of
channel permutations with signs and translations, and crossed homomorphisms.

The model (:mod:`.model`) and its file table (:mod:`.io`), grids and their affine maps
(:mod:`.grid`), the group acting on every layer (:mod:`.group`), the latent groups K_i and their
elements (:mod:`.latent_group`), how elements move parameters (:mod:`.transform`), the channel
matcher behind ``solve_layer`` (:mod:`.matching`).  The generic stages reach it through the
:class:`~symeq.architectures.base.Architecture` protocol.
"""

from __future__ import annotations

from symeq.architectures.conv.group import ConvGroupAction, group_from_dict, group_from_spec
from symeq.architectures.conv.io import conv_from_dict as from_dict
from symeq.architectures.conv.model import ConvNet

__all__ = ["ConvNet", "ConvGroupAction", "from_dict", "group_from_dict", "group_from_spec"]
