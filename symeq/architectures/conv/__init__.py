"""Circular convolutional networks (docs/theory.md#72-circular-convolutions): the generalized adjunction, latent groups of
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

__all__ = ["ConvNet", "ConvGroupAction", "from_dict", "group_from_dict", "group_from_spec", "check", "latent",
           "identify", "symmetries", "explain", "draw"]


# -- the verbs (symeq.architectures: one function per verb, each returning a Result) ------------


def check(net: ConvNet, group: ConvGroupAction, *, tries: int = 200, seed: int = 0):  # noqa: ANN201
    """``symeq check``: :func:`symeq.architectures.conv.equivariance.check`."""
    from symeq.architectures.conv.equivariance import check as run

    return run(net, group, tries=tries, seed=seed)


def latent(net: ConvNet, group: ConvGroupAction, *, budget: int = 20_000, structure: bool = True):  # noqa: ANN201
    """``symeq latent``: :func:`symeq.architectures.conv.construction.latent`."""
    from symeq.architectures.conv.construction import latent as run

    return run(net, group, budget, structure=structure)


def identify(net: ConvNet, *, local: bool = True, seconds: float | None = None):  # noqa: ANN201
    """``symeq identify``: the generic stage (:func:`symeq.identifiability.identify.identify`) on
    the questions a ConvNet answers (:mod:`symeq.architectures.conv.identifiability`); ``seconds``
    is unused (no exact fibers for convolutions)."""
    from symeq.identifiability.identify import identify as run

    return run(net, local=local)


def symmetries(net: ConvNet, *, seed: int = 0, proofs: bool = True):  # noqa: ANN201
    """``symeq symmetries``: :func:`symeq.architectures.conv.symmetry.symmetries`."""
    from symeq.architectures.conv.symmetry import symmetries as run

    return run(net, seed=seed, proofs=proofs)


def explain(result, fmt: str = "markdown") -> str:  # noqa: ANN001
    """``symeq explain``: the derivation of a ``symeq latent`` result on a convolutional network
    as Markdown or LaTeX (:mod:`symeq.architectures.conv.teaching`)."""
    from symeq.architectures.conv.teaching import explain as text

    return text(result.network, result.group, fmt, result=result)


def draw(net: ConvNet, group: ConvGroupAction | None, out: str, generator: str | None = None):  # noqa: ANN201
    """``symeq draw``: :func:`symeq.architectures.conv.figure.draw`."""
    from symeq.architectures.conv.figure import draw as run

    return run(net, group, out, generator)
