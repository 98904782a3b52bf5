"""The exact Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) for activations that map
rationals to rationals (identity, ReLU, leaky ReLU, other piecewise-linear maps with rational
kinks and pieces, polynomials with rational coefficients).

Every quantity is kept as integer numerators over positive integer denominators, one per
input sample (numpy object arrays of Python integers, so nothing overflows); each layer's
parameters share one denominator, and each activation maps (N / E) to (N' / E') exactly.  The
rows of one sample are brought to a common denominator, so the function returns an integer
matrix ``J_int`` with ``J = diag(1 / row_den) J_int``: same rank, same kernel.

Rows are ordered (input, output coordinate); columns follow ``MLP.parameters()``.

>>> from sympy import ImmutableMatrix as M, Rational
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("relu"), (M([[1, Rational(1, 2)]]), M([[3]])), (M([-1]), M([0])))
>>> jac = exact_jacobian(net, [(2, 2)])
>>> jac.matrix.tolist(), jac.row_den
([[12, 12, 6, 4, 2]], (2,))
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
from symeq.architectures.mlp.model import MLP
from symeq.activations.formula import Z
from symeq.activations.piecewise import from_expr

__all__ = ["ExactJacobian", "IntegerActivation", "integer_activation", "exact_jacobian", "OnKink",
           "kink_free"]


class OnKink(ValueError):
    """An input puts some neuron exactly on a kink, where the Jacobian is not defined."""


def _den(values: Sequence[sympy.Rational]) -> int:
    return reduce(lcm, (int(sympy.Rational(v).q) for v in values), 1)


@dataclass(frozen=True)
class IntegerActivation:
    """sigma and sigma' on integer numerators over positive denominators (one per sample).

    kind "pl": kinks (as (p, q) with q > 0) and pieces (slope, intercept) scaled by ``q``;
    kind "poly": integer coefficients scaled by ``q`` (sigma = sum coeffs[k] z^k / q).
    Arrays n have shape (neurons, samples); e has shape (samples,).
    """

    kind: str
    q: int
    kinks: tuple[tuple[int, int], ...] = ()
    pieces: tuple[tuple[int, int], ...] = ()
    coeffs: tuple[int, ...] = ()

    def piece_index(self, n: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Index of the piece in force for each value n / e; raises OnKink on a kink."""
        idx = np.zeros(n.shape, dtype=np.int64)
        for kp, kq in self.kinks:
            lhs = n * kq
            rhs = np.broadcast_to(e * kp, n.shape)
            if np.any(lhs == rhs):
                raise OnKink("a pre-activation lies exactly on a kink")
            idx += (lhs > rhs).astype(np.int64)
        return idx

    def value(self, n: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(numerators, denominators) of sigma(n / e)."""
        if self.kind == "pl":
            idx = self.piece_index(n, e)
            eb = np.broadcast_to(e, n.shape)
            out = np.zeros(n.shape, dtype=object)
            for k, (s, t) in enumerate(self.pieces):
                mask = idx == k
                out[mask] = n[mask] * s + eb[mask] * t
            return out, e * self.q
        m = len(self.coeffs) - 1
        out = np.zeros(n.shape, dtype=object)
        for k, ck in enumerate(self.coeffs):
            if ck:
                out = out + ck * n**k * e ** (m - k)
        return out, e**m * self.q

    def derivative(self, n: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(numerators, denominators) of sigma'(n / e)."""
        if self.kind == "pl":
            idx = self.piece_index(n, e)
            out = np.zeros(n.shape, dtype=object)
            for k, (s, _) in enumerate(self.pieces):
                out[idx == k] = s
            return out, np.full(e.shape, self.q, dtype=object)
        m = len(self.coeffs) - 1
        out = np.zeros(n.shape, dtype=object)
        for k, ck in enumerate(self.coeffs):
            if k and ck:
                out = out + k * ck * n ** (k - 1) * e ** (m - k)
        return out, e ** (m - 1) * self.q


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
    """J[row, :] = matrix[row, :] / row_den[row]: ``matrix`` an integer object array with rows
    (x, l).  Row scaling keeps rank and kernel, so ker J = ker matrix.  ``scale`` (all ones)
    is kept for callers that scale columns."""

    matrix: np.ndarray
    row_den: tuple[int, ...]
    patterns_vary: bool
    stuck_neurons: tuple[tuple[int, int], ...]

    @property
    def scale(self) -> tuple[int, ...]:
        return (1,) * self.matrix.shape[1]


def _as_int(m: sympy.Matrix, den: int) -> np.ndarray:
    return np.array([[int(x * den) for x in row] for row in m.tolist()], dtype=object)


def _inputs(net: MLP, inputs: Sequence[Sequence[object]]) -> tuple[np.ndarray, np.ndarray]:
    """Input numerators (d0, N) and one positive denominator per input."""
    xs = [[sympy.Rational(sympy.sympify(v)) for v in x] for x in inputs]
    if not xs or any(len(x) != net.widths[0] for x in xs):
        raise InputError(f"every input must have {net.widths[0]} coordinates")
    if not all(v.is_Rational for x in xs for v in x):
        raise InputError("inputs must be rational")
    dens = [_den(x) for x in xs]
    H = np.array([[int(x[k] * d) for x, d in zip(xs, dens)] for k in range(net.widths[0])], dtype=object)
    return H, np.array(dens, dtype=object)


def exact_jacobian(net: MLP, inputs: Sequence[Sequence[object]]) -> ExactJacobian:
    """The exact Jacobian at ``net``'s (rational) parameters and the given rational inputs.

    Raises :class:`OnKink` when an input puts a neuron on a kink, InputError for parameters or
    inputs that are not rational or an activation without exact integer form.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("power:2"), (M([[1]]), M([[1]])), (M([0]), M([0])))
    >>> exact_jacobian(net, [(sympy.Rational(1, 2),)]).matrix.tolist()
    [[2, 4, 1, 4]]
    """
    iact = integer_activation(net.activation)
    if iact is None:
        raise InputError(f"activation {net.activation.spec} has no exact rational Jacobian")
    if not all(sympy.sympify(p).is_Rational for p in net.parameters()):
        raise InputError("the exact Jacobian needs rational parameters")
    H, E = _inputs(net, inputs)
    L = net.depth
    n_in = H.shape[1]
    Hs, Es, Ss, IWs = [H], [E], [], []
    stuck: list[tuple[int, int]] = []
    vary = True
    for i in range(1, L + 1):
        W, b = net.weights[i - 1], net.biases[i - 1]
        D = _den(list(W) + list(b))
        IW, IB = _as_int(W, D), _as_int(b, D)
        IWs.append((IW, D))
        if i == L:
            break
        Zn = IW.dot(H) + IB * E
        G = E * D
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
    delta = np.zeros((d_out, n_in, d_out), dtype=object)
    for m in range(d_out):
        delta[m, :, m] = 1
    dden = np.ones(n_in, dtype=object)
    blocks: list[tuple[np.ndarray, np.ndarray]] = []  # (numerators, per-sample denominators)
    for i in range(L, 0, -1):
        Hprev, Eprev = Hs[i - 1], Es[i - 1]
        dt = delta.transpose(1, 2, 0)  # (x, l, j)
        wblock = (dt[:, :, :, None] * Hprev.T[:, None, None, :]).reshape(n_in * d_out, -1)
        bblock = (dt * Eprev[:, None, None]).reshape(n_in * d_out, -1)
        blocks.append((np.concatenate([wblock, bblock], axis=1), dden * Eprev))
        if i > 1:
            IW, D = IWs[i - 1]
            S, F = Ss[i - 2]
            back = np.tensordot(IW.T, delta, axes=1)  # (d_{i-1}, x, l)
            delta = S[:, :, None] * back
            dden = dden * F * D
    blocks.reverse()
    common = [reduce(lcm, (int(den[x]) for _, den in blocks), 1) for x in range(n_in)]
    mats = []
    for block, den in blocks:
        factor = np.array([common[x] // int(den[x]) for x in range(n_in)], dtype=object)
        mats.append(block * np.repeat(factor, d_out)[:, None])
    row_den = tuple(c for c in common for _ in range(d_out))
    return ExactJacobian(np.concatenate(mats, axis=1), row_den, vary, tuple(stuck))


def kink_free(net: MLP, inputs: Sequence[Sequence[object]]) -> list[bool]:
    """For each input, True when no neuron's pre-activation lies exactly on a kink.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("relu"), (M([[1, -1]]), M([[1]])), (M([0]), M([0])))
    >>> kink_free(net, [(1, 1), (1, 2)])
    [False, True]
    """
    iact = integer_activation(net.activation)
    if iact is None or iact.kind != "pl" or not inputs:
        return [True] * len(inputs)
    H, E = _inputs(net, inputs)
    ok = np.ones(H.shape[1], dtype=bool)
    for i in range(1, net.depth):
        W, b = net.weights[i - 1], net.biases[i - 1]
        D = _den(list(W) + list(b))
        Zn = _as_int(W, D).dot(H) + _as_int(b, D) * E
        G = E * D
        idx = np.zeros(Zn.shape, dtype=np.int64)
        for kp, kq in iact.kinks:
            lhs, rhs = Zn * kq, np.broadcast_to(G * kp, Zn.shape)
            ok &= ~np.any(lhs == rhs, axis=0)
            idx += (lhs > rhs).astype(np.int64)
        Gb = np.broadcast_to(G, Zn.shape)
        out = np.zeros(Zn.shape, dtype=object)
        for k, (sl, t) in enumerate(iact.pieces):
            mask = idx == k
            out[mask] = Zn[mask] * sl + Gb[mask] * t
        H, E = out, G * iact.q
    return ok.tolist()
