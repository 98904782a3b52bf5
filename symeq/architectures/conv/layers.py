"""Exact storage of one convolutional (or dense readout) layer, and the exact operations the
construction applies to it.

A :class:`Layer` holds the weights and the bias of one layer:

- a *convolutional* layer: ``weights[c, c', q]`` is w_{c c'}(q), the filter from input channel
  c' to output channel c at offset q (grid index order), shape (C_i, C_{i-1}, |Omega|), and
  ``bias[c]`` is beta_c;
- a *dense* readout: ``weights[r, c' |Omega| + index(p)]``, shape (d_L, C_{L-1} |Omega|), and
  ``bias[r]``.

Two exact representations, chosen per layer (the same split as the MLP's neuron matcher):

- ``int``: int64 arrays A, B and a positive integer D with weights = A / D, bias = B / D (every
  entry rational; magnitudes are kept below :data:`~symeq.rings.INT_LIMIT`, and an operation
  that could pass it falls back to the other representation);
- ``exact``: numpy object arrays of canonical sympy numbers (algebraic numbers, pi, symbols).

Every operation returns a new layer; arrays are read-only.

>>> import numpy as np
>>> L = Layer.from_values(np.array([[[1, 2, 0]]], dtype=object), np.array([3], dtype=object))
>>> L.kind, L.den, L.weight.tolist()
('int', 1, [[[1, 2, 0]]])
>>> L.scaled_rows([sympy.Rational(1, 2)], [sympy.Integer(1)]).values()[0].tolist()
[[[1/2, 1, 0]]]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import Any, Sequence

import numpy as np
import sympy

from symeq.architectures.mlp.latent_map import simplify_scalar
from symeq.errors import InputError
from symeq.exact import is_exact_zero
from symeq.rings import INT_LIMIT

__all__ = ["Layer", "exact_matrix_of", "canonical_array"]

_canon = np.vectorize(simplify_scalar, otypes=[object])


def canonical_array(a: np.ndarray) -> np.ndarray:
    """Every entry in canonical exact form (object array)."""
    if a.size == 0:
        return a.astype(object)
    out = _canon(a.astype(object))
    return out


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _max_abs(a: np.ndarray) -> int:
    return int(np.abs(a).max()) if a.size else 0


def _rationals(values: Sequence[Any]) -> list[Fraction] | None:
    out = []
    for v in values:
        if isinstance(v, (int, Fraction)):
            out.append(Fraction(v))
        elif isinstance(v, sympy.Basic) and v.is_Rational:
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            return None
    return out


def _common(fr: list[Fraction]) -> tuple[np.ndarray, int]:
    """Integers m_j and S > 0 with fr_j = m_j / S."""
    S = lcm(*(f.denominator for f in fr)) if fr else 1
    return np.array([f.numerator * (S // f.denominator) for f in fr], dtype=object), S


class _Overflow(Exception):
    """An int64 operation could pass INT_LIMIT: redo it on exact entries."""


def exact_matrix_of(m: Any) -> np.ndarray:
    """A sympy matrix as an object array of its entries."""
    return np.array([[m[r, c] for c in range(m.cols)] for r in range(m.rows)], dtype=object)


@dataclass(frozen=True, eq=False)
class Layer:
    """Weights and bias of one layer, exact (see the module docstring)."""

    weight: np.ndarray
    bias: np.ndarray
    den: int = 1

    def __post_init__(self) -> None:
        _frozen(self.weight)
        _frozen(self.bias)

    # -- construction -----------------------------------------------------------------------
    @staticmethod
    def from_values(weights: np.ndarray, bias: np.ndarray) -> "Layer":
        """A layer from object arrays of exact sympy numbers (or Python ints / Fractions):
        the int representation when every entry is rational and small enough."""
        w = np.asarray(weights, dtype=object)
        b = np.asarray(bias, dtype=object)
        flat = list(w.reshape(-1)) + list(b.reshape(-1))
        fr = _rationals(flat)
        if fr is not None:
            S = lcm(*(f.denominator for f in fr)) if fr else 1
            nums = [f.numerator * (S // f.denominator) for f in fr]
            if not nums or max(abs(n) for n in nums) < INT_LIMIT:
                arr = np.array(nums, dtype=np.int64) if nums else np.zeros(0, dtype=np.int64)
                return Layer(arr[: w.size].reshape(w.shape), arr[w.size:].reshape(b.shape), S)
        vals = [sympy.sympify(x) if not isinstance(x, sympy.Basic) else x for x in flat]
        for x in vals:
            if x.has(sympy.Float):
                raise InputError("a filter or bias has a floating-point entry; give exact numbers")
        arr = canonical_array(np.array(vals, dtype=object))
        return Layer(arr[: w.size].reshape(w.shape), arr[w.size:].reshape(b.shape), 1)

    @staticmethod
    def from_ints(weights: np.ndarray, bias: np.ndarray, den: int = 1) -> "Layer":
        """A layer with weights = weights / den, bias = bias / den (integer arrays)."""
        w, b = np.asarray(weights), np.asarray(bias)
        if not (np.issubdtype(w.dtype, np.integer) and np.issubdtype(b.dtype, np.integer)):
            raise InputError("integer arrays expected")
        if not isinstance(den, int) or den < 1:
            raise InputError("the denominator must be a positive integer")
        if max(_max_abs(w), _max_abs(b)) >= INT_LIMIT:
            raise InputError("integer entries too large")
        return Layer(w.astype(np.int64), b.astype(np.int64), den)

    # -- views ------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """``int`` or ``exact``."""
        return "int" if self.weight.dtype != object else "exact"

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the weights."""
        return self.weight.shape

    @cached_property
    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        if self.kind == "exact":
            return self.weight, self.bias
        d = sympy.Integer(self.den)
        conv = np.vectorize(lambda v: sympy.Integer(int(v)) / d, otypes=[object])
        w = conv(self.weight) if self.weight.size else self.weight.astype(object)
        b = conv(self.bias) if self.bias.size else self.bias.astype(object)
        return _frozen(w), _frozen(b)

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """(weights, bias) as object arrays of sympy numbers."""
        return self._values

    def as_exact(self) -> "Layer":
        """The same layer in the ``exact`` representation."""
        if self.kind == "exact":
            return self
        w, b = self.values()
        return Layer(w, b, 1)

    @cached_property
    def symbols(self) -> frozenset[sympy.Symbol]:
        """The symbols in the entries."""
        if self.kind == "int":
            return frozenset()
        out: set[sympy.Symbol] = set()
        for x in list(self.weight.reshape(-1)) + list(self.bias.reshape(-1)):
            out |= x.free_symbols
        return frozenset(out)

    def equals(self, other: "Layer") -> bool:
        """True when both layers hold the same exact values."""
        if self.shape != other.shape or self.bias.shape != other.bias.shape:
            return False
        if self.kind == "int" and other.kind == "int":
            big = max(_max_abs(self.weight), _max_abs(self.bias), _max_abs(other.weight), _max_abs(other.bias))
            if big * max(self.den, other.den) < INT_LIMIT:
                return bool(np.array_equal(self.weight * other.den, other.weight * self.den)
                            and np.array_equal(self.bias * other.den, other.bias * self.den))
        return self.first_difference(other) is None

    def first_difference(self, other: "Layer") -> tuple[str, tuple[int, ...]] | None:
        """Where two layers of the same shape first differ: ("weights" or "bias", index)."""
        a, b = self.values(), other.values()
        for name, x, y in (("weights", a[0], b[0]), ("bias", a[1], b[1])):
            for idx in zip(*np.nonzero(x != y)):
                u, v = x[idx], y[idx]
                if not (u.is_Rational and v.is_Rational) and is_exact_zero(u - v):
                    continue
                return name, tuple(int(i) for i in idx)
        return None

    # -- the operations of the construction ------------------------------------------------------
    def _try(self, op: Any) -> "Layer":
        if self.kind == "int":
            try:
                return op(self, True)
            except _Overflow:
                pass
        return op(self.as_exact(), False)

    def gather(self, index: np.ndarray, axis: int = -1) -> "Layer":
        """Weights re-indexed along ``axis``: w'[..., j, ...] = w[..., index[j], ...]."""
        return Layer(np.take(self.weight, index, axis=axis), self.bias, self.den)

    def mix_inputs(self, matrix: np.ndarray) -> "Layer":
        """Conv weights w'[c, c'', q] = sum_c' w[c, c', q] R[c', c''] for an exact matrix R
        (object array), bias unchanged."""
        def op(L: "Layer", ints: bool) -> "Layer":
            if ints:
                m, S = _int_matrix(matrix)
                if _max_abs(L.weight) * _max_abs(m) * max(1, m.shape[0]) >= INT_LIMIT or \
                        _max_abs(L.bias) * S >= INT_LIMIT:
                    raise _Overflow
                w = np.einsum("abq,bc->acq", L.weight, m)
                return Layer(w, L.bias * S, L.den * S)
            w = np.einsum("abq,bc->acq", L.weight, matrix.astype(object))
            return Layer(canonical_array(w), L.bias, 1)
        return self._try(op)

    def mix_outputs(self, matrix: np.ndarray) -> "Layer":
        """Weights and bias multiplied by an exact matrix M on the output side:
        w'[d, ...] = sum_c M[d, c] w[c, ...], b' = M b."""
        def op(L: "Layer", ints: bool) -> "Layer":
            if ints:
                m, S = _int_matrix(matrix)
                if max(_max_abs(L.weight), _max_abs(L.bias)) * _max_abs(m) * max(1, m.shape[1]) >= INT_LIMIT:
                    raise _Overflow
                w = np.tensordot(m, L.weight, axes=(1, 0))
                return Layer(w, m @ L.bias, L.den * S)
            M = matrix.astype(object)
            return Layer(canonical_array(np.tensordot(M, L.weight, axes=(1, 0))),
                         canonical_array(M.dot(L.bias)), 1)
        return self._try(op)

    def scaled_rows(self, a: Sequence[Any], c: Sequence[Any]) -> "Layer":
        """Output unit j: weights times a_j, bias a_j b_j + c_j (a relation's input part)."""
        def op(L: "Layer", ints: bool) -> "Layer":
            if ints:
                fa, fc = _rationals(a), _rationals(c)
                if fa is None or fc is None:
                    raise _Overflow
                ma, Sa = _common(fa)
                mc, Sc = _common(fc)
                S = lcm(Sa, Sc)
                ma = np.array([int(x) * (S // Sa) for x in ma], dtype=object)
                mc = np.array([int(x) * (S // Sc) * L.den for x in mc], dtype=object)
                big = max(_max_abs(L.weight), _max_abs(L.bias)) * max((abs(int(x)) for x in ma), default=1)
                if big + max((abs(int(x)) for x in mc), default=0) >= INT_LIMIT:
                    raise _Overflow
                shape = (-1,) + (1,) * (L.weight.ndim - 1)
                w = L.weight * ma.astype(np.int64).reshape(shape)
                b = L.bias * ma.astype(np.int64) + mc.astype(np.int64)
                return Layer(w, b, L.den * S)
            A = np.array([sympy.sympify(x) for x in a], dtype=object)
            C = np.array([sympy.sympify(x) for x in c], dtype=object)
            shape = (-1,) + (1,) * (L.weight.ndim - 1)
            return Layer(canonical_array(L.weight * A.reshape(shape)), canonical_array(L.bias * A + C), 1)
        return self._try(op)

    def scaled_inputs(self, s: Sequence[Any], column_channel: np.ndarray | None = None) -> "Layer":
        """Input channel c' multiplied by s[c'] (conv: axis 1; dense: the columns of channel
        ``column_channel[col]``)."""
        def op(L: "Layer", ints: bool) -> "Layer":
            if ints:
                fs = _rationals(s)
                if fs is None:
                    raise _Overflow
                m, S = _common(fs)
                per = m.astype(np.int64) if column_channel is None else m.astype(np.int64)[column_channel]
                if _max_abs(L.weight) * max((abs(int(x)) for x in m), default=1) >= INT_LIMIT or \
                        _max_abs(L.bias) * S >= INT_LIMIT:
                    raise _Overflow
            else:
                m = np.array([sympy.sympify(x) for x in s], dtype=object)
                per = m if column_channel is None else m[column_channel]
                S = 1
            w = L.weight * (per.reshape(1, -1, 1) if column_channel is None else per.reshape(1, -1))
            if ints:
                return Layer(w, L.bias * S, L.den * S)
            return Layer(canonical_array(w), L.bias, 1)
        return self._try(op)

    def shifted_bias(self, delta: Sequence[Any]) -> "Layer":
        """Bias plus delta (exact numbers)."""
        def op(L: "Layer", ints: bool) -> "Layer":
            if ints:
                fd = _rationals(delta)
                if fd is None:
                    raise _Overflow
                m, S = _common(fd)
                big = max(_max_abs(L.weight), _max_abs(L.bias)) * S
                md = [int(x) * L.den for x in m]
                if big + max((abs(x) for x in md), default=0) >= INT_LIMIT:
                    raise _Overflow
                return Layer(L.weight * S, L.bias * S + np.array(md, dtype=np.int64), L.den * S)
            D = np.array([sympy.sympify(x) for x in delta], dtype=object)
            return Layer(L.weight, canonical_array(L.bias + D), 1)
        return self._try(op)

    def input_sums(self, n_channels: int, size: int) -> np.ndarray:
        """S[r, c'] = sum over positions of the weights from input channel c' to unit r, exact
        (object array of sympy numbers)."""
        w, _ = self.values()
        if w.ndim == 3:
            return canonical_array(w.sum(axis=2)) if w.shape[2] else np.zeros(w.shape[:2], dtype=object)
        return canonical_array(w.reshape(w.shape[0], n_channels, size).sum(axis=2))

    def reduced(self) -> "Layer":
        """The int representation with the smallest denominator (or the layer unchanged)."""
        if self.kind != "int" or self.den == 1:
            return self
        g = np.gcd.reduce(np.concatenate([np.abs(self.weight).reshape(-1), np.abs(self.bias).reshape(-1),
                                          np.array([self.den], dtype=np.int64)]))
        g = int(g)
        if g <= 1:
            return self
        return Layer(self.weight // g, self.bias // g, self.den // g)


def _int_matrix(matrix: np.ndarray) -> tuple[np.ndarray, int]:
    fr = _rationals(list(matrix.reshape(-1)))
    if fr is None:
        raise _Overflow
    m, S = _common(fr)
    if m.size and max(abs(int(x)) for x in m) >= INT_LIMIT:
        raise _Overflow
    return m.astype(np.int64).reshape(matrix.shape), S

