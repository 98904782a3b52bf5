"""Multi-head self-attention (THEORY.md section 7.1): everything attention-specific lives here.

The model and its exact, symbolic and ball evaluation (:mod:`.model`, :mod:`.evaluate`), its
file table (:mod:`.io`), groups acting on tokens and features (:mod:`.group`), the latent
groups K_i = GL(v)^H x| S_H and their elements (:mod:`.heads`), the head matching that builds
theta^g and every k_i (:mod:`.matching`).  The generic stages reach it through the
:class:`~symeq.architectures.base.Architecture` protocol; the verbs are below.
"""

from __future__ import annotations

from symeq.architectures.attention.group import TokenGroupAction, group_from_dict
from symeq.architectures.attention.heads import HeadGroup, HeadMap
from symeq.architectures.attention.io import attention_from_dict as from_dict
from symeq.architectures.attention.model import Attention

__all__ = ["Attention", "HeadGroup", "HeadMap", "TokenGroupAction", "from_dict", "group_from_dict"]
