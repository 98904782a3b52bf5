"""The multilayer perceptron (docs/theory.md section 1): everything MLP-specific lives here.

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

__all__ = ["MLP", "from_dict", "check", "identify", "symmetries", "draw", "explain"]


def check(net: MLP, group: Any, *, tries: int = 200, seed: int = 0) -> Any:
    """``symeq check`` for an MLP: :func:`symeq.architectures.mlp.equivariance.check_equivariance`."""
    from symeq.architectures.mlp.equivariance import check_equivariance

    return check_equivariance(net, group, tries=tries, seed=seed)


def identify(net: MLP, *, local: bool = True, seconds: float | None = None) -> Any:
    """``symeq identify`` for an MLP: the generic stage with the MLP's exact fibers bounded by
    ``seconds`` per Groebner basis."""
    from symeq.architectures.mlp.fibers import FiberLimits
    from symeq.identifiability.identify import identify as run

    return run(net, FiberLimits(seconds=seconds) if seconds is not None else None, local=local)


def symmetries(net: MLP, *, seed: int = 0, proofs: bool = True) -> Any:
    """``symeq symmetries`` for an MLP (:mod:`symeq.architectures.mlp.symmetry_report`)."""
    from symeq.architectures.mlp.symmetry_report import symmetries as run

    return run(net, seed=seed, proofs=proofs)


def draw(net: MLP, group: Any, *, generator: str | None = None,
         image_shape: tuple[int, int] | None = None) -> Any:
    """``symeq draw`` for an MLP: the :class:`~symeq.report.draw.DrawPlan` of its neurons
    (:func:`symeq.architectures.mlp.drawing.plan_drawing`)."""
    from symeq.architectures.mlp.drawing import plan_drawing

    return plan_drawing(net, group, generator, image_shape)


def explain(result: Any, fmt: str = "markdown") -> str:
    """``symeq explain`` for an MLP: the derivation of a ``symeq latent`` result as Markdown or
    LaTeX (:mod:`symeq.architectures.mlp.explanation`)."""
    from symeq.architectures.mlp.explanation import explain as run

    return run(result, fmt)
