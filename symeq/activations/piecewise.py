"""Exact continuous piecewise-linear functions of one real variable.

A :class:`PiecewiseLinear` has sorted kinks k_1 < ... < k_m and affine pieces (slope,
intercept) on (-oo, k_1), (k_1, k_2), ..., (k_m, oo).  It is built from a sympy expression made
of z, constants, +, scalar *, max, min and abs; anything else is not piecewise linear and gives
``None``.  All comparisons are exact.

>>> from symeq.activations.formula import Z
>>> relu = from_expr(sympy.Max(0, Z))
>>> relu.kinks, relu.pieces
((0,), ((0, 0), (1, 0)))
>>> from_expr(sympy.Abs(Z - 1) + Z).pieces
((0, 1), (2, -1))
>>> from_expr(sympy.tanh(Z)) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Integer

from symeq.errors import InputError
from symeq.activations.formula import Z
from symeq.activations.relation_group import is_zero, positive_constant

__all__ = ["PiecewiseLinear", "from_expr", "affine"]

Piece = tuple[sympy.Expr, sympy.Expr]


def _less(x: sympy.Expr, y: sympy.Expr) -> bool:
    d = sympy.sympify(y - x)
    if is_zero(d):
        return False
    try:
        return positive_constant(d)
    except InputError:
        raise InputError(f"cannot compare {x} and {y}") from None


@dataclass(frozen=True)
class PiecewiseLinear:
    """A continuous piecewise-linear function, canonical (adjacent pieces differ)."""

    kinks: tuple[sympy.Expr, ...]
    pieces: tuple[Piece, ...]

    def __post_init__(self) -> None:
        assert len(self.pieces) == len(self.kinks) + 1

    # -- construction -----------------------------------------------------------------------
    def _sample(self, i: int) -> sympy.Expr:
        """A point strictly inside interval i."""
        if not self.kinks:
            return Integer(0)
        if i == 0:
            return self.kinks[0] - 1
        if i == len(self.kinks):
            return self.kinks[-1] + 1
        return (self.kinks[i - 1] + self.kinks[i]) / 2

    def refine(self, kinks: tuple[sympy.Expr, ...]) -> tuple[Piece, ...]:
        """Pieces of this function on the intervals of a finer sorted kink list."""
        out = []
        points = [kinks[0] - 1] if kinks else [Integer(0)]
        points += [(kinks[i - 1] + kinks[i]) / 2 for i in range(1, len(kinks))]
        if kinks:
            points.append(kinks[-1] + 1)
        for x in points:
            out.append(self.piece_at(x))
        return tuple(out)

    def piece_at(self, x: sympy.Expr) -> Piece:
        """The piece in force at a point x that is not a kink."""
        i = 0
        while i < len(self.kinks) and not _less(x, self.kinks[i]):
            i += 1
        return self.pieces[i]

    def __call__(self, x: sympy.Expr) -> sympy.Expr:
        s, t = self.piece_at(x)
        return sympy.expand(s * x + t)

    def _binary(self, other: "PiecewiseLinear", op) -> "PiecewiseLinear":
        kinks = _merge(self.kinks, other.kinks)
        mine, theirs = self.refine(kinks), other.refine(kinks)
        return _canonical(kinks, tuple(op(p, q) for p, q in zip(mine, theirs)))

    def __add__(self, other: "PiecewiseLinear") -> "PiecewiseLinear":
        return self._binary(other, lambda p, q: (sympy.expand(p[0] + q[0]), sympy.expand(p[1] + q[1])))

    def scale(self, k: sympy.Expr) -> "PiecewiseLinear":
        """k * self for a constant k."""
        return _canonical(self.kinks, tuple((sympy.expand(k * s), sympy.expand(k * t)) for s, t in self.pieces))

    def maximum(self, other: "PiecewiseLinear") -> "PiecewiseLinear":
        """The pointwise maximum (crossings inside an interval become new kinks)."""
        kinks = _merge(self.kinks, other.kinks)
        mine, theirs = self.refine(kinks), other.refine(kinks)
        new_kinks: list[sympy.Expr] = []
        pieces: list[Piece] = []
        bounds = [None, *kinks, None]
        for i, (p, q) in enumerate(zip(mine, theirs)):
            lo, hi = bounds[i], bounds[i + 1]
            ds, dt = sympy.expand(p[0] - q[0]), sympy.expand(p[1] - q[1])
            cross = None
            if not is_zero(ds):
                x = sympy.expand(-dt / ds)
                if (lo is None or _less(lo, x)) and (hi is None or _less(x, hi)):
                    cross = x
            if cross is None:
                x = _inside(lo, hi)
                bigger = p if not _less(p[0] * x + p[1], q[0] * x + q[1]) else q
                pieces.append(bigger)
            else:
                left = _inside(lo, cross)
                first = p if _less(q[0] * left + q[1], p[0] * left + p[1]) else q
                second = q if first is p else p
                pieces.append(first)
                new_kinks.append(cross)
                pieces.append(second)
            if i < len(kinks):
                new_kinks.append(kinks[i])
        return _canonical(tuple(new_kinks), tuple(pieces))

    def compose_affine(self, a: sympy.Expr, c: sympy.Expr) -> "PiecewiseLinear":
        """z -> self(a z + c) for constants a != 0, c."""
        kinks = tuple(sympy.expand((k - c) / a) for k in self.kinks)
        pieces = tuple((sympy.expand(s * a), sympy.expand(s * c + t)) for s, t in self.pieces)
        if _less(a, 0):
            kinks, pieces = kinks[::-1], pieces[::-1]
        return _canonical(kinks, pieces)

    def equals(self, other: "PiecewiseLinear") -> bool:
        """Exact equality of the functions."""
        return (len(self.kinks) == len(other.kinks)
                and all(is_zero(x - y) for x, y in zip(self.kinks, other.kinks))
                and all(is_zero(p[0] - q[0]) and is_zero(p[1] - q[1])
                        for p, q in zip(self.pieces, other.pieces)))


def _inside(lo: sympy.Expr | None, hi: sympy.Expr | None) -> sympy.Expr:
    if lo is None and hi is None:
        return Integer(0)
    if lo is None:
        return hi - 1
    if hi is None:
        return lo + 1
    return (lo + hi) / 2


def _merge(xs: tuple[sympy.Expr, ...], ys: tuple[sympy.Expr, ...]) -> tuple[sympy.Expr, ...]:
    out: list[sympy.Expr] = []
    for x in list(xs) + list(ys):
        if not any(is_zero(x - y) for y in out):
            out.append(x)
    # insertion sort with exact comparisons (few kinks)
    ordered: list[sympy.Expr] = []
    for x in out:
        i = 0
        while i < len(ordered) and _less(ordered[i], x):
            i += 1
        ordered.insert(i, x)
    return tuple(ordered)


def _canonical(kinks: tuple[sympy.Expr, ...], pieces: tuple[Piece, ...]) -> PiecewiseLinear:
    ks, ps = [], [pieces[0]]
    for k, p in zip(kinks, pieces[1:]):
        if is_zero(p[0] - ps[-1][0]) and is_zero(p[1] - ps[-1][1]):
            continue
        ks.append(k)
        ps.append(p)
    return PiecewiseLinear(tuple(ks), tuple(ps))


def affine(s: sympy.Expr, t: sympy.Expr) -> PiecewiseLinear:
    """The affine function s z + t."""
    return PiecewiseLinear((), ((sympy.sympify(s), sympy.sympify(t)),))


def from_expr(expr: sympy.Expr) -> PiecewiseLinear | None:
    """The piecewise-linear function of ``expr`` in z, or None if it is not one."""
    expr = sympy.sympify(expr)
    if expr == Z:
        return affine(1, 0)
    if not expr.has(Z):
        return affine(0, expr) if expr.is_real is not False else None
    if expr.is_Add:
        parts = [from_expr(t) for t in expr.args]
        if any(p is None for p in parts):
            return None
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        return total
    if expr.is_Mul:
        deps = [f for f in expr.args if f.has(Z)]
        if len(deps) != 1:
            return None
        inner = from_expr(deps[0])
        return None if inner is None else inner.scale(sympy.Mul(*[f for f in expr.args if not f.has(Z)]))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        parts = [from_expr(t) for t in expr.args]
        if any(p is None for p in parts):
            return None
        sign = 1 if isinstance(expr, sympy.Max) else -1
        out = parts[0].scale(sign)
        for p in parts[1:]:
            out = out.maximum(p.scale(sign))
        return out.scale(sign)
    if isinstance(expr, sympy.Abs):
        inner = from_expr(expr.args[0])
        return None if inner is None else inner.maximum(inner.scale(-1))
    return None
