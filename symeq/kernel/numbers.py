"""Exact numbers: n/d, polynomials over Q(alpha) in s = sqrt(pi) or e^(1/N), the symbols, ``_z``, ``_x<i>``.

alpha is the real root, in a stated interval where it changes sign, of an irreducible polynomial m;
polynomials (fmpq_mpoly) are reduced modulo m(alpha).  s is transcendental (e^(1/N): see symeq.kernel.constants) and
the symbols are indeterminates, so n/d is zero exactly when n reduces to 0 (:meth:`Num.is_zero`).  The sign of a
constant excludes zero exactly, then balls (arb) of growing precision separate it from 0.

>>> F, r2 = Field(), Field([-2, 0, 1], (1, 2))  # Q, and Q(sqrt(2))
>>> a = r2.alpha
>>> a * a == 2, (a - r2.num(fmpq(7, 5))).sign(), (1 / (a + 1)) * (a + 1) == 1, (F.pi - 3).sign()
(True, 1, True, 1)
"""

from __future__ import annotations

import re

from flint import arb, ctx as flint_ctx, fmpq, fmpq_mpoly_ctx, fmpq_poly

from symeq.kernel.core import Budget, Reject, tick

#: Ball precisions (bits) tried for a sign; the last is the kernel's precision budget.
PRECISIONS = (64, 256, 1024, 4096)
#: Largest degree of the field, and most terms a product of polynomials may have.
MAX_DEGREE, MAX_TERMS = 48, 200_000

class Field:
    """Q(alpha) with the variables of one certificate: its symbols, ``_z`` and inputs ``_x0``, ..."""

    def __init__(self, minpoly=(0, 1), interval=(-1, 1), symbols=(), inputs=0, exp_root=None):
        m, lo, hi = fmpq_poly([fmpq(c) for c in minpoly]), fmpq(interval[0]), fmpq(interval[1])
        if not 1 <= m.degree() <= MAX_DEGREE or [(f.degree(), k) for f, k in m.factor()[1]] != [(m.degree(), 1)]:
            raise Reject(f"the minimal polynomial {m} must be irreducible, of degree 1 to {MAX_DEGREE}")
        if not lo < hi or m(lo) * m(hi) >= 0:
            raise Reject(f"the minimal polynomial does not change sign on [{lo}, {hi}]")
        self.m, self.degree, self.bracket, self._balls, self.exp_root = m / m.coeffs()[-1], m.degree(), [lo, hi], {}, exp_root
        self.alpha_name = "alpha"  # how messages write alpha (the reader may name a radical)
        self.names = ("_a", "_s") + tuple(symbols) + ("_z",) + tuple(f"_x{i}" for i in range(inputs))
        self.ctx, self.symbols, self.divisors = fmpq_mpoly_ctx.get(self.names, "lex"), len(symbols), []
        self.modulus, self.zero, self.one = self._poly(self.m), self.num(0), self.num(1)
        self.alpha, self.sqrt_pi = Num(self, self.ctx.gen(0) % self.modulus), self.var("_s")
        self.pi = self.sqrt_pi * self.sqrt_pi if exp_root is None else None  # see constants.py

    def var(self, name: str) -> Num:
        """The variable ``name`` (a symbol, ``_z`` or an input ``_x<i>``)."""
        return Num(self, self.ctx.gen(self.names.index(name)))

    def num(self, q) -> Num:
        """The rational q (an int or an fmpq)."""
        return Num(self, self.ctx.constant(fmpq(q)))

    def _poly(self, p: fmpq_poly):  # univariate in alpha, as an fmpq_mpoly
        pad = (0,) * (len(self.names) - 1)
        return self.ctx.from_dict({(k,) + pad: c for k, c in enumerate(p.coeffs()) if c})

    def from_alpha(self, coeffs) -> Num:
        """sum_k coeffs[k] alpha^k."""
        return Num(self, self._poly(fmpq_poly([fmpq(c) for c in coeffs])) % self.modulus)

    def alpha_ball(self, prec: int) -> arb:
        """A ball around alpha of radius below 2^-prec (exact bisection of the bracket)."""
        if self.degree == 1:
            return arb(-self.m.coeffs()[0])
        if prec not in self._balls:
            lo, hi = self.bracket
            while hi - lo > fmpq(1, 2**prec):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if self.m(mid) * self.m(lo) > 0 else (lo, mid)
            self.bracket, self._balls[prec] = [lo, hi], arb((lo + hi) / 2) + arb(0, (hi - lo) / 2)
        return self._balls[prec]

class Num:
    """An exact number n/d of a :class:`Field` (d None for 1); arithmetic also with ints."""

    __slots__ = ("f", "n", "d")

    def __init__(self, f: Field, n, d=None):
        if d is not None and all(e <= 0 for e in d.degrees()[1:]):  # d in Q(alpha): invert it
            g, u, _ = fmpq_poly([sum((c for e, c in d.terms() if e[0] == k), fmpq(0))
                                 for k in range(d.degrees()[0] + 1)]).xgcd(f.m)
            if g != 1:
                raise Reject("division by zero")
            n, d = (n * f._poly(u)) % f.modulus, None
        self.f, self.n, self.d = f, n, d

    def _lift(self, o) -> Num:
        return o if isinstance(o, Num) else self.f.num(o)

    def _mul(self, a, b):
        tick()
        if len(a) * len(b) > MAX_TERMS:
            raise Budget(f"a product of {len(a)} by {len(b)} terms exceeds {MAX_TERMS} terms")
        return (a * b) % self.f.modulus if self.f.degree > 1 else a * b

    def __add__(self, o) -> Num:
        o = self._lift(o)
        if self.d is None and o.d is None:
            return Num(self.f, self.n + o.n)
        d1, d2 = self.d or self.f.ctx.constant(1), o.d or self.f.ctx.constant(1)
        return Num(self.f, self._mul(self.n, d2) + self._mul(o.n, d1), self._mul(d1, d2))

    def __mul__(self, o) -> Num:
        o = self._lift(o)
        return Num(self.f, self._mul(self.n, o.n), o.d if self.d is None else self.d if o.d is None else self._mul(self.d, o.d))

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self) -> Num:
        return Num(self.f, -self.n, self.d)

    def __sub__(self, o) -> Num:
        return self + (-self._lift(o))

    def __rsub__(self, o) -> Num:
        return self._lift(o) - self

    def __truediv__(self, o) -> Num:
        o = self._lift(o)
        if o.is_zero():
            raise Reject("division by zero")
        self.f.divisors += [o.n] if any(o.n.degrees()[2:2 + self.f.symbols]) else []  # a claim's condition
        return self * Num(self.f, o.d or self.f.ctx.constant(1), o.n)

    def __rtruediv__(self, o) -> Num:
        return self._lift(o) / self

    def __pow__(self, k: int) -> Num:
        out, base, k = self.f.one, (self if k >= 0 else 1 / self), abs(k)
        while k:
            out, base, k = (out * base if k & 1 else out), (base * base if k > 1 else base), k >> 1
        return out

    def __eq__(self, o) -> bool:  # exact
        return (self - o).is_zero()

    __hash__ = None  # type: ignore[assignment]

    def is_zero(self) -> bool:
        return self.n.is_zero()

    def variables(self) -> set[str]:
        """The symbols and variables this number uses (alpha and pi are constants)."""
        return {v for p in (self.n, self.d) if p is not None for v, e in zip(self.f.names[2:], p.degrees()[2:]) if e > 0}

    def is_constant(self) -> bool:
        return not self.variables()

    def is_rational(self) -> bool:
        return self.d is None and self.n.is_constant()

    def rational(self) -> fmpq:
        return fmpq(0) if self.n.is_zero() else self.n.leading_coefficient()

    def subs(self, values: dict) -> Num:
        """The number with the named symbols replaced by constants without denominators."""
        if any(v.d is not None or not v.is_constant() for v in values.values()):
            raise Reject("a symbol's value must be a constant that does not divide by pi")
        gens = [values[n].n if n in values else self.f.ctx.gen(k) for k, n in enumerate(self.f.names)]
        d = None if self.d is None else self.d.compose(*gens) % self.f.modulus
        if d is not None and d.is_zero():
            raise Reject("the symbol values make a denominator zero")
        return Num(self.f, self.n.compose(*gens) % self.f.modulus, d)

    def ball(self, prec: int) -> arb:
        """A ball containing this constant, at about ``prec`` bits."""
        if not self.is_constant():
            raise Reject(f"{self} contains symbols: it has no numerical value")
        old, flint_ctx.prec = flint_ctx.prec, prec + 16
        try:
            a, s = self.f.alpha_ball(prec), arb.pi().sqrt() if self.f.exp_root is None else (arb(1) / self.f.exp_root).exp()
            ev = lambda p: sum((arb(c) * a ** e[0] * s ** e[1] for e, c in p.terms()), arb(0))  # noqa: E731
            return ev(self.n) / (ev(self.d) if self.d is not None else 1)
        finally:
            flint_ctx.prec = old

    def sign(self) -> int:
        """-1, 0 or 1 for a constant: zero decided exactly, the rest by balls."""
        if self.is_zero() or self.is_rational():
            return (self.rational() > 0) - (self.rational() < 0)
        for prec in PRECISIONS:
            b = self.ball(prec)
            if b > 0 or b < 0:
                return 1 if b > 0 else -1
        raise Budget(f"the sign of {self} needs more than {PRECISIONS[-1]} bits")

    def __str__(self) -> str:
        text = str(self.n) if self.d is None else f"({self.n})/({self.d})"
        text = re.sub(r"_s\^(\d+)", lambda m: m[0] if int(m[1]) % 2 or self.f.exp_root else "pi" + f"^{int(m[1]) // 2}" * (m[1] != "2"), text)
        text = text.replace("_a", self.f.alpha_name).replace("_s", f"(e^(1/{self.f.exp_root}))" if self.f.exp_root else "sqrt(pi)").replace("_z", "z")
        return text[:57] + "..." if len(text) > 60 else text

    __repr__ = __str__
