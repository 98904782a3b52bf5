"""Exact number domains for the equivariance engine.

The engine computes with canonical, hashable exact elements so that rows of weight matrices can
be compared by hashing.  Two representations are used:

- :func:`rational_int_matrix`: a rational sympy matrix as a numpy ``int64`` array and a positive
  common denominator (the fast path for rational networks; exact as long as the magnitudes stay
  below :data:`INT_LIMIT`, which callers check).
- :class:`ExactRing`: the polynomial ring K0[gens] over a number field K0 (QQ or an algebraic
  field QQ<sqrt 2, ...>), whose generators are the network's symbols and ``pi``.  Elements are
  sympy ``PolyElement`` values: canonical, hashable, exact.  Treating ``pi`` as a free generator
  is sound for deciding identities because pi is transcendental over the algebraic numbers.

>>> from sympy import sqrt, Symbol, pi
>>> R = exact_ring([sqrt(2) / 2, Symbol("w", real=True) + pi])
>>> R.ground
QQ<sqrt(2)>
>>> R.to_sympy(R.element(1 / sqrt(2)) * R.element(sqrt(2)))
1
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any, Iterable

import numpy as np
import sympy
from sympy import QQ, ZZ, ImmutableMatrix
from sympy.polys.constructor import construct_domain
from sympy.polys.polyerrors import PolynomialError
from sympy.polys.rings import PolyElement, PolyRing

__all__ = ["INT_LIMIT", "rational_int_matrix", "rational_int_layer", "ExactRing", "exact_ring", "to_fraction"]

#: Largest magnitude the int64 fast path lets any intermediate value reach.
INT_LIMIT = 2**62


def to_fraction(x: Any) -> Fraction:
    """An exact rational (sympy Rational, int, fmpq, Fraction) as a Fraction.

    >>> to_fraction(sympy.Rational(-3, 4))
    Fraction(-3, 4)
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if hasattr(x, "p") and hasattr(x, "q"):
        return Fraction(int(x.p), int(x.q))
    if hasattr(x, "numerator") and hasattr(x, "denominator"):
        return Fraction(int(x.numerator), int(x.denominator))
    raise TypeError(f"not a rational number: {x!r}")


def rational_int_matrix(m: ImmutableMatrix) -> tuple[np.ndarray, int] | None:
    """(A, D) with A = D * m an int64 array and D > 0, or None when m is not rational or too
    large for int64.

    >>> A, D = rational_int_matrix(ImmutableMatrix([[sympy.Rational(1, 2), 3]]))
    >>> A.tolist(), D
    ([[1, 6]], 2)
    """
    rep = getattr(m, "_rep", None)  # sympy >= 1.13 stores dense matrices as DomainMatrix
    if rep is not None and rep.domain == ZZ:
        try:  # the common case, and the fast one: integer entries (python-flint fmpz)
            out = np.fromiter(rep.to_list_flat(), dtype=np.int64, count=m.rows * m.cols)
        except OverflowError:
            return None
        out = out.reshape(m.rows, m.cols)
        if out.size and int(np.abs(out).max()) >= INT_LIMIT:
            return None
        return out, 1
    if rep is not None and rep.domain == QQ:
        flat = [to_fraction(x) for x in rep.to_list_flat()]
    else:
        flat = []
        for x in m:
            if not x.is_Rational:
                return None
            flat.append(Fraction(int(x.p), int(x.q)))
    den = lcm(*(v.denominator for v in flat)) if flat else 1
    nums = [v.numerator * (den // v.denominator) for v in flat]
    if nums and max(abs(n) for n in nums) >= INT_LIMIT:
        return None
    return np.array(nums, dtype=np.int64).reshape(m.rows, m.cols), den


def rational_int_layer(w: ImmutableMatrix, b: ImmutableMatrix) -> tuple[np.ndarray, int] | None:
    """(A, D) with A = D * [w | b] an int64 array (see :func:`rational_int_matrix`).

    >>> A, D = rational_int_layer(ImmutableMatrix([[1, 2]]), ImmutableMatrix([sympy.Rational(1, 3)]))
    >>> A.tolist(), D
    ([[3, 6, 1]], 3)
    """
    gw, gb = rational_int_matrix(w), rational_int_matrix(b)
    if gw is None or gb is None:
        return None
    (aw, dw), (ab, db) = gw, gb
    den = lcm(dw, db)
    fw, fb = den // dw, den // db
    limit = INT_LIMIT // max(fw, fb)
    if (aw.size and int(np.abs(aw).max()) >= limit) or (ab.size and int(np.abs(ab).max()) >= limit):
        return None
    return np.hstack([aw * fw, ab * fb]), den


@dataclass(frozen=True)
class ExactRing:
    """K0[gens]: exact canonical elements for algebraic and symbolic networks."""

    ring: PolyRing
    ground: Any
    gens: tuple[sympy.Expr, ...]

    def element(self, x: sympy.Expr) -> PolyElement:
        """The ring element of an exact sympy expression in the generators."""
        return self.ring.from_expr(x) if x != 0 else self.ring.zero

    def matrix(self, m: ImmutableMatrix) -> list[list[PolyElement]]:
        """A sympy matrix as rows of ring elements."""
        cache: dict[sympy.Expr, PolyElement] = {}
        out = []
        for r in range(m.rows):
            row = []
            for c in range(m.cols):
                x = m[r, c]
                if x not in cache:
                    cache[x] = self.element(x)
                row.append(cache[x])
            out.append(row)
        return out

    def to_sympy(self, x: PolyElement) -> sympy.Expr:
        """The sympy expression of a ring element."""
        return x.as_expr() if x else sympy.Integer(0)

    def ground_to_sympy(self, c: Any) -> sympy.Expr:
        """The sympy number of a ground (K0) element."""
        return self.ground.to_sympy(c)

    def is_constant(self, x: PolyElement) -> bool:
        """True when x involves no generator (a number of K0)."""
        return x.is_ground


def _coefficients(x: sympy.Expr, gens: tuple[sympy.Expr, ...]) -> list[sympy.Expr] | None:
    if x.is_Rational:
        return [x]
    if not gens:
        return [x]
    try:
        return sympy.Poly(x, *gens).coeffs()
    except PolynomialError:
        return None


def exact_ring(exprs: Iterable[sympy.Expr], extra_gens: Iterable[sympy.Symbol] = ()) -> ExactRing | None:
    """The ring K0[symbols, pi, extra_gens] holding every expression, or None when an entry is
    not a polynomial in the symbols with algebraic coefficients (e.g. a symbol in a
    denominator).

    >>> exact_ring([sympy.Rational(1, 3)]).ground
    QQ
    >>> exact_ring([1 / sympy.Symbol("w")]) is None
    True
    """
    exprs = list(dict.fromkeys(exprs))
    symbols: set[sympy.Symbol] = set()
    has_pi = False
    for x in exprs:
        if not x.is_Rational:
            symbols |= x.free_symbols
            has_pi = has_pi or x.has(sympy.pi)
    gens: tuple[sympy.Expr, ...] = tuple(sorted(symbols, key=str)) + ((sympy.pi,) if has_pi else ())
    coeffs: list[sympy.Expr] = []
    for x in exprs:
        cs = _coefficients(x, gens)
        if cs is None:
            return None
        coeffs.extend(c for c in cs if not c.is_Rational)
    if coeffs:
        ground, _ = construct_domain(list(dict.fromkeys(coeffs)), extension=True)
        if ground == ZZ:
            ground = QQ
        if not (ground == QQ or ground.is_AlgebraicField):
            return None
    else:
        ground = QQ
    all_gens = gens + tuple(extra_gens)
    ring = PolyRing(all_gens if all_gens else (sympy.Dummy("unit"),), ground)
    return ExactRing(ring, ground, all_gens)
