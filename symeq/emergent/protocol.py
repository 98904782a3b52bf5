"""Where the generic approximate mode finds an architecture's part.

The generic modules (:mod:`~symeq.emergent.measure`, :mod:`~symeq.emergent.rounding`,
:mod:`~symeq.emergent.plot`) never read weights: they call the functions of
:class:`ApproximateArchitecture`, which :mod:`symeq.emergent.mlp` implements for MLPs and
which are meant to become methods of the ``Architecture`` protocol (DESIGN.md section 2).

>>> import numpy as np
>>> from symeq.emergent.model import FloatMLP
>>> arch = approximate_architecture(FloatMLP("tanh", (np.eye(2),), (np.zeros(2),)))
>>> arch.__name__
'symeq.emergent.mlp'
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import numpy as np

from symeq.errors import InputError

__all__ = ["ApproximateArchitecture", "approximate_architecture"]


class ApproximateArchitecture(Protocol):
    """The functions the approximate mode needs from an architecture (see symeq.emergent.mlp)."""

    def numeric_layer(self, model: Any, i: int, X: np.ndarray) -> np.ndarray: ...

    def twist(self, model: Any, g_in: np.ndarray, g_out: np.ndarray) -> Any: ...

    def approximate_solve_layer(self, model: Any, i: int, k_prev: Any, twisted: Any) -> tuple[Any, float]: ...

    def conjugate(self, weights: list, biases: list, ks: list) -> tuple[list, list]: ...

    def canonical_scaling(self, model: Any) -> Any: ...

    def exact_table(self, activation: str, weights: list, biases: list, denominator: int) -> dict: ...

    def exact_model(self, activation: str, weights: list, biases: list, denominator: int) -> Any: ...

    def latent_kind(self, model: Any) -> tuple[str, str]: ...


#: architecture key -> module implementing :class:`ApproximateArchitecture`.
_REGISTRY = {"mlp": "symeq.emergent.mlp"}


def approximate_architecture(model: Any) -> ApproximateArchitecture:
    """The module that implements the approximate mode for ``model.architecture``."""
    name = getattr(model, "architecture", None)
    if name not in _REGISTRY:
        raise InputError(f"the approximate mode does not support architecture {name!r} yet; known: "
                         + ", ".join(sorted(_REGISTRY)))
    return importlib.import_module(_REGISTRY[name])  # type: ignore[return-value]
