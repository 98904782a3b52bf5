"""The Model protocol: what every architecture provides to the later stages.

A model is a chain of parametric layers f_i : V_{i-1} x Theta_i -> V_i (THEORY.md, section 1).
Stages after the model (symmetries, identifiability, latent actions, certificates) talk to an
architecture only through this protocol, so a new architecture touches one module.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import sympy

from symeq.exact import Matrix


@runtime_checkable
class Model(Protocol):
    """A network f(x; theta) = f_L(... f_1(x; theta_1) ...; theta_L) with exact parameters."""

    architecture: str

    @property
    def widths(self) -> tuple[int, ...]:
        """Dimensions d_0..d_L of V_0..V_L."""

    @property
    def depth(self) -> int:
        """The number L of layers."""

    def layer(self, i: int, x: Matrix) -> Matrix:
        """f_i(x; theta_i) for 1 <= i <= L, on a column vector x (exact or symbolic)."""

    def forward(self, x: Matrix) -> Matrix:
        """The end-to-end function f(x; theta)."""

    def parameters(self) -> tuple[sympy.Expr, ...]:
        """All parameters as one flat tuple, in a fixed documented order."""

    def with_parameters(self, theta: tuple[sympy.Expr, ...]) -> "Model":
        """A new model of the same architecture with the given flat parameter tuple."""
