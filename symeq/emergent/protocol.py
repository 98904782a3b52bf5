"""Where the generic approximate mode finds an architecture's part.

The generic modules (:mod:`~symeq.emergent.measure`, :mod:`~symeq.emergent.rounding`,
:mod:`~symeq.emergent.plot`) never read weights: they call the functions of
:class:`ApproximateArchitecture`, which each architecture package implements in its module
``approximate`` (the MLP's: :mod:`symeq.architectures.mlp.approximate`).

>>> import numpy as np
>>> from symeq.emergent.model import FloatMLP
>>> arch = approximate_architecture(FloatMLP("tanh", (np.eye(2),), (np.zeros(2),)))
>>> arch.__name__
'symeq.architectures.mlp.approximate'
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import numpy as np

from symeq.errors import InputError

__all__ = ["ApproximateArchitecture", "approximate_architecture"]


class ApproximateArchitecture(Protocol):
    """The functions the approximate mode needs from an architecture (see symeq.architectures.mlp.approximate)."""

    def numeric_layer(self, model: Any, i: int, X: np.ndarray) -> np.ndarray: ...

    def twist(self, model: Any, g_in: np.ndarray, g_out: np.ndarray) -> Any: ...

    def approximate_solve_layer(self, model: Any, i: int, k_prev: Any, twisted: Any) -> tuple[Any, float]: ...

    def conjugate(self, weights: list, biases: list, ks: list) -> tuple[list, list]: ...

    def canonical_scaling(self, model: Any) -> Any: ...

    def exact_table(self, activation: str, weights: list, biases: list, denominator: int) -> dict: ...

    def exact_model(self, activation: str, weights: list, biases: list, denominator: int) -> Any: ...

    def latent_kind(self, model: Any) -> tuple[str, str]: ...

    def parameter_arrays(self, model: Any) -> tuple[list[np.ndarray], list[np.ndarray]]: ...

    def first_layer_filters(self, model: Any) -> np.ndarray: ...


def approximate_architecture(model: Any) -> ApproximateArchitecture:
    """The module ``approximate`` of the package of ``model.architecture``."""
    from symeq.architectures import ARCHITECTURES

    name = getattr(model, "architecture", None)
    if name not in ARCHITECTURES:
        raise InputError(f"unknown architecture {name!r}")
    try:
        return importlib.import_module(ARCHITECTURES[name] + ".approximate")  # type: ignore[return-value]
    except ModuleNotFoundError:
        raise InputError(f"the approximate mode does not support architecture {name!r} yet") from None
