"""Multi-head self-attention (docs/theory.md section 7.1): everything attention-specific lives here.

The model and its exact, symbolic and ball evaluation (:mod:`.model`, :mod:`.evaluate`), its
file table (:mod:`.io`), groups acting on tokens and features (:mod:`.group`), the latent
groups K_i = GL(v)^H x| S_H and their elements (:mod:`.heads`), the head matching that builds
theta^g and every k_i (:mod:`.matching`), and one module per verb: :mod:`.equivariance`,
:mod:`.parameter_symmetries` (with :mod:`.jacobian`), :mod:`.identifiability`, :mod:`.latent_actions`, :mod:`.report`
(explain and draw).  The generic stages reach it through the
:class:`~symeq.architectures.base.Architecture` protocol; the verbs below are the contract of
:mod:`symeq.architectures`.
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.attention.group import TokenGroupAction, group_from_dict
from symeq.architectures.attention.heads import HeadGroup, HeadMap
from symeq.architectures.attention.io import attention_from_dict as from_dict
from symeq.architectures.attention.model import Attention

__all__ = ["Attention", "HeadGroup", "HeadMap", "TokenGroupAction", "from_dict", "group_from_dict", "check",
           "identify", "symmetries", "latent", "explain", "draw"]


def check(net: Attention, group: Any, *, tries: int = 200, seed: int = 0) -> Any:
    """``symeq check``: :func:`symeq.architectures.attention.equivariance.check`."""
    from symeq.architectures.attention.equivariance import check as run

    return run(net, group, tries=tries, seed=seed)


def identify(net: Attention, *, local: bool = False, seconds: float | None = None) -> Any:
    """``symeq identify``: :func:`symeq.architectures.attention.identifiability.identify` (no
    exact fiber is computed, so ``seconds`` bounds nothing here)."""
    from symeq.architectures.attention.identifiability import identify as run

    return run(net, local=local)


def symmetries(net: Attention, *, seed: int = 0, proofs: bool = False) -> Any:
    """``symeq symmetries``: :func:`symeq.architectures.attention.parameter_symmetries.symmetries`."""
    from symeq.architectures.attention.parameter_symmetries import symmetries as run

    return run(net, seed=seed, proofs=proofs)


def latent(net: Attention, group: Any, *, budget: int = 20_000, structure: bool = True) -> Any:
    """``symeq latent``: :func:`symeq.architectures.attention.latent_actions.analyze`."""
    from symeq.architectures.attention.latent_actions import analyze

    return analyze(net, group, budget=budget, structure=structure)


def explain(result: Any, fmt: str = "markdown") -> str:
    """``symeq explain``: :func:`symeq.architectures.attention.report.explain`."""
    from symeq.architectures.attention.report import explain as run

    return run(result, fmt)


def draw(net: Attention, group: Any, out: str, *, generator: str | None = None) -> Any:
    """``symeq draw``: :func:`symeq.architectures.attention.report.draw`."""
    from symeq.architectures.attention.report import draw as run

    return run(net, group, out, generator=generator)
