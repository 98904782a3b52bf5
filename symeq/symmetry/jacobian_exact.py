"""The exact Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) for activations that map
rationals to rationals (identity, ReLU, leaky ReLU, other piecewise-linear maps with rational
kinks and pieces, polynomials with rational coefficients).

Every quantity is kept as integer numerators over one positive integer denominator per layer
(numpy object arrays of Python integers, so nothing overflows): the inputs share a denominator,
each layer's parameters share one, and each activation maps (N / E) to (N' / E') exactly.  A
Jacobian column block (W_i or b_i) then shares one denominator, and the function returns the
integer matrix ``J_int`` with ``J = J_int diag(1 / scale)``: same rank, and v is in ker J iff
v / scale is in ker J_int.

Rows are ordered (input, output coordinate); columns follow ``MLP.parameters()``.

>>> from sympy import ImmutableMatrix as M, Rational
>>> from symeq.activations import activation
>>> from symeq.models.mlp import MLP
>>> net = MLP(activation("relu"), (M([[1, Rational(1, 2)]]), M([[3]])), (M([-1]), M([0])))
>>> jac = exact_jacobian(net, [(2, 2)])
>>> jac.matrix.tolist(), jac.scale
([[6, 6, 3, 4, 1]], (1, 1, 1, 2, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from math import lcm
from typing import Sequence

import numpy as np
import sympy

from symeq.activations import Activation
from symeq.errors import InputError
from symeq.models.mlp import MLP
from symeq.symmetry.formula import Z
from symeq.symmetry.piecewise import from_expr

__all__ = ["ExactJacobian", "IntegerActivation", "integer_activation", "exact_jacobian", "OnKink",
           "kink_free"]


class OnKink(ValueError):
    """An input puts some neuron exactly on a kink, where the Jacobian is not defined."""


def _den(values: Sequence[sympy.Rational]) -> int:
    return reduce(lcm, (int(sympy.Rational(v).q) for v in values), 1)


@dataclass(frozen=True)
class IntegerActivation:
    """sigma and sigma' on integer numerators over a common positive denominator.

    kind "pl": kinks (as (p, q) with q > 0) and pieces (slope, intercept) scaled by ``q``;
    kind "poly": integer coefficients scaled by ``q`` (sigma = sum coeffs[k] z^k / q).
    """

    kind: str
    q: int
    kinks: tuple[tuple[int, int], ...] = ()
    pieces: tuple[tuple[int, int], ...] = ()
    coeffs: tuple[int, ...] = ()

    def piece_index(self, n: np.ndarray, e: int) -> np.ndarray:
        """Index of the piece in force for each value n / e; raises OnKink on a kink."""
        idx = np.zeros(n.shape, dtype=np.int64)
        for kp, kq in self.kinks:
            lhs = n * kq
            rhs = kp * e
            if np.any(lhs == rhs):
                raise OnKink("a pre-activation lies exactly on a kink")
            idx += (lhs > rhs).astype(np.int64)
        return idx

    def value(self, n: np.ndarray, e: int) -> tuple[np.ndarray, int]:
        """(numerators, denominator) of sigma(n / e)."""
        if self.kind == "pl":
            idx = self.piece_index(n, e)
            out = np.zeros(n.shape, dtype=object)
            for k, (s, t) in enumerate(self.pieces):
                mask = idx == k
                out[mask] = n[mask] * s + t * e
            return out, self.q * e
        m = len(self.coeffs) - 1
        out = np.zeros(n.shape, dtype=object)
        for k, ck in enumerate(self.coeffs):
            if ck:
                out = out + ck * n**k * e ** (m - k)
        return out, self.q * e**m

    def derivative(self, n: np.ndarray, e: int) -> tuple[np.ndarray, int]:
        """(numerators, denominator) of sigma'(n / e)."""
        if self.kind == "pl":
            idx = self.piece_index(n, e)
            out = np.zeros(n.shape, dtype=object)
            for k, (s, _) in enumerate(self.pieces):
                out[idx == k] = s
            return out, self.q
        m = len(self.coeffs) - 1
        out = np.zeros(n.shape, dtype=object)
        for k, ck in enumerate(self.coeffs):
            if k and ck:
                out = out + k * ck * n ** (k - 1) * e ** (m - k)
        return out, self.q * e ** (m - 1) if m >= 1 else self.q


def integer_activation(act: Activation) -> IntegerActivation | None:
    """The exact integer form of an activation, or None when it has none (transcendental, or
    irrational constants).

    >>> from symeq.activations import activation
    >>> integer_activation(activation("leaky_relu:1/10"))
    IntegerActivation(kind='pl', q=10, kinks=((0, 1),), pieces=((1, 0), (10, 0)), coeffs=())
    """
    sigma = act.expr(Z)
    if sigma.is_polynomial(Z):
        coeffs = sympy.Poly(sympy.expand(sigma), Z).all_coeffs()[::-1]
        if not all(c.is_Rational for c in coeffs):
            return None
        q = _den(coeffs)
        return IntegerActivation("poly", q, coeffs=tuple(int(c * q) for c in coeffs))
    pl = from_expr(sigma)
    if pl is None:
        return None
    values = list(pl.kinks) + [x for p in pl.pieces for x in p]
    if not all(sympy.sympify(v).is_Rational for v in values):
        return None
    q = _den([x for p in pl.pieces for x in p])
    kinks = tuple((int(sympy.Rational(k).p), int(sympy.Rational(k).q)) for k in pl.kinks)
    pieces = tuple((int(s * q), int(t * q)) for s, t in pl.pieces)
    return IntegerActivation("pl", q, kinks=kinks, pieces=pieces)


@dataclass(frozen=True)
class ExactJacobian:
    """J = matrix diag(1/scale): ``matrix`` an integer object array (rows (x, l))."""

    matrix: np.ndarray
    scale: tuple[int, ...]
    patterns_vary: bool
    stuck_neurons: tuple[tuple[int, int], ...]


def _as_int(m: sympy.Matrix, den: int) -> np.ndarray:
    return np.array([[int(x * den) for x in row] for row in m.tolist()], dtype=object)


def exact_jacobian(net: MLP, inputs: Sequence[Sequence[object]]) -> ExactJacobian:
    """The exact Jacobian at ``net``'s (rational) parameters and the given rational inputs.

    Raises :class:`OnKink` when an input puts a neuron on a kink, InputError for parameters or
    inputs that are not rational or an activation without exact integer form.
    """
    iact = integer_activation(net.activation)
    if iact is None:
        raise InputError(f"activation {net.activation.spec} has no exact rational Jacobian")
    params = net.parameters()
    if not all(sympy.sympify(p).is_Rational for p in params):
        raise InputError("the exact Jacobian needs rational parameters")
    xs = [[sympy.Rational(sympy.sympify(v)) for v in x] for x in inputs]
    if not xs or any(len(x) != net.widths[0] for x in xs):
        raise InputError(f"every input must have {net.widths[0]} coordinates")
    if not all(v.is_Rational for x in xs for v in x):
        raise InputError("inputs must be rational")
    L = net.depth
    n_in = len(xs)
    e0 = _den([v for x in xs for v in x])
    H = np.array([[int(x[k] * e0) for x in xs] for k in range(net.widths[0])], dtype=object)
    E = e0
    Hs, Es, Ss, Ds, IWs = [H], [E], [], [], []
    stuck: list[tuple[int, int]] = []
    vary = True
    for i in range(1, L + 1):
        W, b = net.weights[i - 1], net.biases[i - 1]
        D = _den(list(W) + list(b))
        IW, IB = _as_int(W, D), _as_int(b, D)
        IWs.append((IW, D))
        Zn = IW.dot(H) + IB * E
        G = D * E
        if i == L:
            break
        if iact.kind == "pl":
            idx = iact.piece_index(Zn, G)
            for j in range(Zn.shape[0]):
                if len(set(idx[j].tolist())) < 2:
                    vary = False
                    stuck.append((i, j))
        H, E = iact.value(Zn, G)
        S, F = iact.derivative(Zn, G)
        Hs.append(H)
        Es.append(E)
        Ss.append((S, F))
    d_out = net.widths[-1]
    # delta_L[m, x, l] = [m == l]
    delta = np.zeros((d_out, n_in, d_out), dtype=object)
    for m in range(d_out):
        delta[m, :, m] = 1
    dden = 1
    blocks: list[tuple[np.ndarray, int]] = []
    for i in range(L, 0, -1):
        Hprev, Eprev = Hs[i - 1], Es[i - 1]
        dt = delta.transpose(1, 2, 0)  # (x, l, j)
        wblock = (dt[:, :, :, None] * Hprev.T[:, None, None, :]).reshape(n_in * d_out, -1)
        bblock = dt.reshape(n_in * d_out, -1)
        blocks.append((bblock, dden))
        blocks.append((wblock, dden * Eprev))
        if i > 1:
            IW, D = IWs[i - 1]
            S, F = Ss[i - 2]
            back = np.tensordot(IW.T, delta, axes=1)  # (d_{i-1}, x, l)
            delta = S[:, :, None] * back
            dden = dden * D * F
    blocks.reverse()
    mats, scale = [], []
    for block, den in blocks:
        mats.append(block)
        scale.extend([den] * block.shape[1])
    return ExactJacobian(np.concatenate(mats, axis=1), tuple(scale), vary, tuple(stuck))


def kink_free(net: MLP, inputs: Sequence[Sequence[object]]) -> list[bool]:
    """For each input, True when no neuron's pre-activation lies exactly on a kink.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("relu"), (M([[1, -1]]), M([[1]])), (M([0]), M([0])))
    >>> kink_free(net, [(1, 1), (1, 2)])
    [False, True]
    """
    iact = integer_activation(net.activation)
    xs = [[sympy.Rational(sympy.sympify(v)) for v in x] for x in inputs]
    ok = np.ones(len(xs), dtype=bool)
    if iact is None or iact.kind != "pl" or not xs:
        return ok.tolist()
    e0 = _den([v for x in xs for v in x])
    H = np.array([[int(x[k] * e0) for x in xs] for k in range(net.widths[0])], dtype=object)
    E = e0
    for i in range(1, net.depth):
        W, b = net.weights[i - 1], net.biases[i - 1]
        D = _den(list(W) + list(b))
        Zn = _as_int(W, D).dot(H) + _as_int(b, D) * E
        G = D * E
        for kp, kq in iact.kinks:
            ok &= ~np.any(Zn * kq == kp * G, axis=0)
        idx = np.zeros(Zn.shape, dtype=np.int64)
        for kp, kq in iact.kinks:
            idx += (Zn * kq > kp * G).astype(np.int64)
        out = np.zeros(Zn.shape, dtype=object)
        for k, (sl, t) in enumerate(iact.pieces):
            mask = idx == k
            out[mask] = Zn[mask] * sl + t * G
        H, E = out, iact.q * G
    return ok.tolist()
