"""The Jacobians of theta -> (f(x_1; theta), ..., f(x_N; theta)) an MLP gives the generic
functional dimension (:mod:`symeq.symmetry.functional_dimension`): exact integer Jacobians for
activations that map rationals to rationals, ball Jacobians otherwise, the inputs to sample,
candidate hidden directions read off degenerate neurons, and proofs that a direction leaves f
unchanged to first order for every input.

>>> from symeq.architectures.mlp.sampling import random_network
>>> J = MLPJacobians(random_network("relu", (2, 3, 1), seed=1))
>>> J.exact_supported(None), J.default_count()
(True, 20)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import sympy
from sympy import Integer, Rational

from symeq.architectures.mlp.first_order import prove_first_order
from symeq.architectures.mlp.hidden_directions import degenerate_directions
from symeq.architectures.mlp.jacobian_arb import arb_jacobian
from symeq.architectures.mlp.jacobian_exact import ExactJacobian, OnKink, exact_jacobian, integer_activation
from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.sampling import default_count, default_inputs, sample_inputs
from symeq.errors import InputError

__all__ = ["MLPJacobians", "MAX_PARAMS_PROOF"]

#: Largest network whose hidden directions are proved symbolically for all x.
MAX_PARAMS_PROOF = 400


def _all_rational(xs: Sequence[Any]) -> bool:
    return all(sympy.sympify(x).is_Rational for x in xs)


class MLPJacobians:
    """The Jacobian provider of one MLP (see the module docstring)."""

    def __init__(self, net: MLP) -> None:
        self.net = net

    def exact_supported(self, inputs: Sequence[Sequence[Any]] | None,
                        tangents: Sequence[Sequence[Any]] | None = None) -> bool:
        """True when the exact integer Jacobian applies: an activation that maps rationals to
        rationals, rational parameters and orbit tangents (``tangents``: those instead of the
        network's own, for an architecture that lowers to this MLP), and rational inputs."""
        net = self.net
        if integer_activation(net.activation) is None or not _all_rational(net.parameters()):
            return False
        if not all(_all_rational(t) for t in (net.orbit_tangents() if tangents is None else tangents)):
            return False
        return inputs is None or all(_all_rational(x) for x in inputs)

    def exact(self, xs: Sequence[Sequence[Any]]) -> ExactJacobian:
        """The exact Jacobian (an integer matrix with a column scale), InputError on a kink."""
        try:
            return exact_jacobian(self.net, xs)
        except OnKink:
            raise InputError("an input puts a neuron exactly on a kink; the Jacobian is undefined "
                             "there") from None

    def balls(self, xs: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """The Jacobian's rows as python-flint balls (the current working precision)."""
        return arb_jacobian(self.net, xs)

    def sample(self, count: int, seed: int) -> list[tuple]:
        """Inputs for the exact path (one per linear piece along random lines for
        piecewise-linear activations)."""
        return default_inputs(self.net, count, seed)

    def sample_balls(self, count: int, seed: int) -> list[tuple]:
        """Inputs for the ball path."""
        return sample_inputs(self.net, count, seed)

    def default_count(self) -> int:
        """How many inputs the first Jacobian uses."""
        return default_count(self.net)

    def candidates(self) -> list[tuple[str, tuple]]:
        """Named parameter directions read off degenerate neurons (hidden-symmetry candidates)."""
        return degenerate_directions(self.net)

    def stuck_note(self, jac: ExactJacobian) -> str | None:
        """A note on neurons with one activation pattern on every sampled input."""
        if not jac.stuck_neurons:
            return None
        return "neurons with one activation pattern on every input: " + ", ".join(
            f"layer {i} neuron {j}" for i, j in jac.stuck_neurons)

    def annihilated(self, xs: list[tuple], vs: list[tuple]) -> list[bool]:
        """For each direction v, exactly: J(xs) v = 0 (one Jacobian for all directions)."""
        if not vs:
            return []
        jac = exact_jacobian(self.net, xs)
        out = []
        for v in vs:
            w = [Fraction(int(Rational(x).p), int(Rational(x).q)) for x in v]
            den = math.lcm(*[f.denominator for f in w])
            out.append(not np.any(jac.matrix.dot(np.array([int(f * den) for f in w], dtype=object))))
        return out


    def prove(self, v: tuple) -> str | None:
        """A proof that D_v f = 0 for every input, in words, or None: on a grid for polynomial
        activations, symbolically (forward-mode) for small networks."""
        proof = _grid_proof(self.net, v)
        if proof is None and self.net.n_params <= MAX_PARAMS_PROOF:
            proof = prove_first_order(self.net, v)
        return proof


@lru_cache(maxsize=4)
def _grid_jacobian(net: MLP, big_d: int):

    grid = [tuple(Integer(c) for c in pt) for pt in itertools.product(range(big_d + 1), repeat=net.widths[0])]
    return exact_jacobian(net, grid)


def _grid_annihilates(net: MLP, big_d: int, v: tuple) -> bool:
    jac = _grid_jacobian(net, big_d)
    w = [Fraction(int(Rational(x).p), int(Rational(x).q)) for x in v]
    den = math.lcm(*[f.denominator for f in w])
    return not np.any(jac.matrix.dot(np.array([int(f * den) for f in w], dtype=object)))


def _grid_proof(net: MLP, v: Sequence[sympy.Expr]) -> str | None:
    """For a polynomial activation D_v f is a polynomial in x of degree <= D = deg(sigma)^(L-1)
    in each variable; vanishing on the grid {0..D}^d0 proves it is zero."""
    iact = integer_activation(net.activation)
    if iact is None or iact.kind != "poly":
        return None
    deg = max(len(iact.coeffs) - 1, 1)
    big_d = deg ** (net.depth - 1)
    d0 = net.widths[0]
    if (big_d + 1) ** d0 > 20000:
        return None

    if _grid_annihilates(net, big_d, tuple(v)):
        return (f"D_v f is a polynomial of degree <= {big_d} in each input and vanishes on the grid "
                f"{{0..{big_d}}}^{d0}, so it is zero")
    return None
