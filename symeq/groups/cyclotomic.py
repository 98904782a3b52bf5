"""Exact numbers of a cyclotomic field Q(zeta_n), zeta_n = exp(2 pi i / n).

A :class:`Cyclotomic` stores rational coordinates in the power basis 1, zeta, ...,
zeta^{phi(n)-1} (reduction modulo the cyclotomic polynomial Phi_n), so equal numbers have equal
coordinates and ``==`` is exact.  Character values of a group of exponent e live in Q(zeta_e).

>>> z = Cyclotomic.root(3, 1)
>>> z * z * z == Cyclotomic.from_rational(3, 1)
True
>>> (z + z.conjugate()).to_sympy()
-1
>>> z.to_sympy()
-1/2 + sqrt(3)*I/2
>>> Cyclotomic.root(8, 1).to_sympy() + Cyclotomic.root(8, 7).to_sympy()
sqrt(2)
"""

from __future__ import annotations

import cmath
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import sympy

from symeq.errors import InputError

__all__ = ["Cyclotomic", "cyclotomic_polynomial"]

Rat = int | Fraction


@functools.lru_cache(maxsize=None)
def cyclotomic_polynomial(n: int) -> tuple[int, ...]:
    """Coefficients of Phi_n, lowest degree first.

    >>> cyclotomic_polynomial(6)
    (1, -1, 1)
    """
    x = sympy.Symbol("x")
    return tuple(int(c) for c in reversed(sympy.Poly(sympy.cyclotomic_poly(n, x), x).all_coeffs()))


@functools.lru_cache(maxsize=None)
def _powers(n: int) -> tuple[tuple[int, ...], ...]:
    """Coordinates of zeta^j for j = 0 .. max(n, 2 phi(n)) - 1 (integers)."""
    phi = cyclotomic_polynomial(n)
    d = len(phi) - 1
    out = []
    v = [1] + [0] * (d - 1) if d > 0 else []
    for _ in range(max(n, 2 * d)):
        out.append(tuple(v))
        # multiply by x and reduce x^d = -(phi_0 + ... + phi_{d-1} x^{d-1}) (Phi_n is monic)
        top = v[-1]
        v = [0] + v[:-1]
        v = [a - top * p for a, p in zip(v, phi[:-1])]
    return tuple(out)


@dataclass(frozen=True)
class Cyclotomic:
    """An element of Q(zeta_n): ``coeffs[j]`` is the coordinate of zeta_n^j, j < phi(n)."""

    n: int
    coeffs: tuple[Rat, ...]

    # -- constructors -----------------------------------------------------------------------
    @staticmethod
    def degree(n: int) -> int:
        """phi(n), the dimension of Q(zeta_n) over Q."""
        return len(cyclotomic_polynomial(n)) - 1

    @classmethod
    def from_rational(cls, n: int, q: Rat) -> "Cyclotomic":
        """The rational number q as an element of Q(zeta_n)."""
        d = cls.degree(n)
        return cls(n, (q,) + (0,) * (d - 1))

    @classmethod
    def root(cls, n: int, j: int) -> "Cyclotomic":
        """zeta_n^j."""
        return cls(n, _powers(n)[j % n])

    @classmethod
    def from_exponents(cls, n: int, multiplicities: Mapping[int, Rat]) -> "Cyclotomic":
        """sum_j m_j zeta_n^j, e.g. a character value from eigenvalue multiplicities.

        >>> Cyclotomic.from_exponents(4, {1: 1, 3: 1}).is_rational()
        True
        """
        d = cls.degree(n)
        acc: list[Rat] = [0] * d
        table = _powers(n)
        for j, m in multiplicities.items():
            if m:
                for i, c in enumerate(table[j % n]):
                    if c:
                        acc[i] += m * c
        return cls(n, tuple(acc))

    @classmethod
    def from_sympy(cls, value: sympy.Expr, n: int) -> "Cyclotomic":
        """An exact sympy number known to lie in Q(zeta_n), converted exactly.

        >>> Cyclotomic.from_sympy(sympy.I * sympy.sqrt(2), 8) == Cyclotomic.from_exponents(8, {1: 1, 3: 1})
        True
        """
        value = sympy.sympify(value)
        if value.is_Rational:
            return cls.from_rational(n, Fraction(int(value.p), int(value.q)))
        if value.free_symbols:
            raise InputError(f"{value} is not a number")
        from sympy.polys.numberfields.subfield import to_number_field

        try:
            a = to_number_field(value, sympy.exp(2 * sympy.pi * sympy.I / n))
        except (sympy.polys.polyerrors.IsomorphismFailed, NotImplementedError, ValueError):
            raise InputError(f"{value} is not in the cyclotomic field Q(zeta_{n})") from None
        coeffs = [Fraction(int(c.p), int(c.q)) for c in reversed(a.coeffs())]
        d = cls.degree(n)
        if len(coeffs) > d:
            raise InputError(f"{value} is not in the cyclotomic field Q(zeta_{n})")
        return cls(n, tuple(_norm(c) for c in coeffs) + (0,) * (d - len(coeffs)))

    # -- arithmetic -------------------------------------------------------------------------
    def _same(self, other: "Cyclotomic") -> None:
        if self.n != other.n:
            raise ValueError(f"elements of Q(zeta_{self.n}) and Q(zeta_{other.n}); lift first")

    def __add__(self, other: "Cyclotomic | int | Fraction") -> "Cyclotomic":
        if not isinstance(other, Cyclotomic):
            other = Cyclotomic.from_rational(self.n, other)
        self._same(other)
        return Cyclotomic(self.n, tuple(_norm(a + b) for a, b in zip(self.coeffs, other.coeffs)))

    __radd__ = __add__

    def __neg__(self) -> "Cyclotomic":
        return Cyclotomic(self.n, tuple(-a for a in self.coeffs))

    def __sub__(self, other: "Cyclotomic | int | Fraction") -> "Cyclotomic":
        return self + (-other)

    def __rsub__(self, other: "int | Fraction") -> "Cyclotomic":
        return (-self) + other

    def __mul__(self, other: "Cyclotomic | int | Fraction") -> "Cyclotomic":
        if not isinstance(other, Cyclotomic):
            return Cyclotomic(self.n, tuple(_norm(a * other) for a in self.coeffs))
        self._same(other)
        d = len(self.coeffs)
        acc: list[Rat] = [0] * d
        table = _powers(self.n)
        for i, a in enumerate(self.coeffs):
            if not a:
                continue
            for j, b in enumerate(other.coeffs):
                if b:
                    for k, c in enumerate(table[i + j]):
                        if c:
                            acc[k] += a * b * c
        return Cyclotomic(self.n, tuple(_norm(x) for x in acc))

    __rmul__ = __mul__

    def __truediv__(self, q: int | Fraction) -> "Cyclotomic":
        return Cyclotomic(self.n, tuple(_norm(Fraction(a) / q) for a in self.coeffs))

    def galois(self, k: int) -> "Cyclotomic":
        """The Galois conjugate zeta -> zeta^k (k coprime to n)."""
        if gcd(k, self.n) != 1:
            raise ValueError(f"{k} is not coprime to {self.n}")
        return Cyclotomic.from_exponents(self.n, _accumulate(((j * k) % self.n, c) for j, c in enumerate(self.coeffs)))

    def conjugate(self) -> "Cyclotomic":
        """The complex conjugate (zeta -> zeta^-1)."""
        return self.galois(-1)

    def lift(self, m: int) -> "Cyclotomic":
        """The same number as an element of Q(zeta_m), for n dividing m."""
        if m % self.n:
            raise ValueError(f"Q(zeta_{self.n}) is not contained in Q(zeta_{m})")
        step = m // self.n
        return Cyclotomic.from_exponents(m, _accumulate((j * step, c) for j, c in enumerate(self.coeffs)))

    # -- inspection -------------------------------------------------------------------------
    def is_rational(self) -> bool:
        """True when the number is rational."""
        return not any(self.coeffs[1:])

    def rational(self) -> Fraction:
        """The value as a Fraction; ValueError if irrational."""
        if not self.is_rational():
            raise ValueError(f"{self.to_sympy()} is not rational")
        return Fraction(self.coeffs[0]) if self.coeffs else Fraction(0)

    def is_real(self) -> bool:
        """True when the number equals its complex conjugate."""
        return self == self.conjugate()

    def __complex__(self) -> complex:
        """A floating-point approximation (for display and sorting only)."""
        return sum((complex(float(c)) * cmath.exp(2j * cmath.pi * k / self.n)
                    for k, c in enumerate(self.coeffs) if c), 0j)

    def to_sympy(self) -> sympy.Expr:
        """The exact value as a sympy number (real and imaginary parts with cos and sin of
        rational multiples of pi, which sympy writes with radicals when it can)."""
        if self.is_rational():
            q = self.rational()
            return sympy.Rational(q.numerator, q.denominator)
        re, im = sympy.Integer(0), sympy.Integer(0)
        for k, c in enumerate(self.coeffs):
            if c:
                angle = 2 * sympy.pi * sympy.Rational(k, self.n)
                q = sympy.Rational(Fraction(c).numerator, Fraction(c).denominator)
                re += q * sympy.cos(angle)
                im += q * sympy.sin(angle)
        re, im = sympy.expand(re), sympy.expand(im)
        if self.is_real():
            return re
        if self == -self.conjugate():
            return sympy.I * im
        return re + sympy.I * im

    def __str__(self) -> str:
        return str(self.to_sympy())


def _norm(x: Rat) -> Rat:
    """Fractions with denominator 1 become ints, so equal numbers have equal coordinates."""
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x.numerator)
    return x


def _accumulate(pairs: Iterable[tuple[int, Rat]]) -> dict[int, Rat]:
    out: dict[int, Rat] = {}
    for j, c in pairs:
        if c:
            out[j] = out.get(j, 0) + c
    return out
