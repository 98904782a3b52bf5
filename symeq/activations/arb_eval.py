"""Rigorous evaluation of exact sympy expressions with python-flint ball arithmetic.

The result is an ``arb`` ball that provably contains the true value, so "the ball excludes
0" is a proof that the value is nonzero.  Only the operations an activation formula can
contain are supported; anything else raises :class:`Unsupported`, never a guess.

>>> import sympy
>>> from symeq.activations.formula import Z
>>> ball = arb_value(sympy.tanh(Z) - Z / 2, {Z: sympy.Rational(1, 3)})
>>> ball.contains(0), ball > 0
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import flint
import sympy
from flint import arb, fmpq

from symeq.activations.formula import Z  # noqa: F401 -- the doctests use Z from this namespace

__all__ = ["Unsupported", "arb_value", "arb_of_number", "excludes_zero", "DEFAULT_PREC"]

#: Working precision in bits for verdicts (raised on demand by callers).
DEFAULT_PREC = 128


class Unsupported(ValueError):
    """The expression contains an operation the ball evaluator does not handle."""


def arb_of_number(x: sympy.Expr) -> arb:
    """An exact sympy constant as a ball (exact for rationals).

    >>> arb_of_number(sympy.Rational(1, 4))
    0.250000000000000
    """
    return arb_value(x, {})


def _rational(q: sympy.Rational) -> arb:
    return arb(fmpq(int(q.p), int(q.q)))


def arb_value(expr: sympy.Expr, values: Mapping[sympy.Symbol, object]) -> arb:
    """The value of ``expr`` with symbols replaced by ``values`` (sympy rationals or arb
    balls), as a rigorous ball at the current flint precision.

    >>> arb_value(sympy.erf(Z) ** 2, {Z: sympy.Integer(1)}) > 0.71
    True
    """
    if expr.is_Rational:
        return _rational(expr)
    if expr.is_Symbol:
        if expr not in values:
            raise Unsupported(f"no value for the symbol {expr}")
        v = values[expr]
        return v if isinstance(v, arb) else arb_value(sympy.sympify(v), {})
    if expr is sympy.pi:
        return arb.pi()
    if expr is sympy.E:
        return arb(1).exp()
    if expr.is_Add:
        total = arb(0)
        for t in expr.args:
            total += arb_value(t, values)
        return total
    if expr.is_Mul:
        prod = arb(1)
        for t in expr.args:
            prod *= arb_value(t, values)
        return prod
    if expr.is_Pow:
        base, ex = expr.args
        b = arb_value(base, values)
        if ex.is_Integer:
            n = int(ex)
            p = _int_power(b, abs(n))
            return p if n >= 0 else arb(1) / p
        if ex.is_Rational:
            if not b > 0:
                raise Unsupported(f"a fractional power of a value not proved positive: {expr}")
            return (b.log() * _rational(ex)).exp()
        e = arb_value(ex, values)
        if not b > 0:
            raise Unsupported(f"a real power of a value not proved positive: {expr}")
        return (b.log() * e).exp()
    func = _FUNCS.get(expr.func)
    if func is not None:
        args = [arb_value(a, values) for a in expr.args]
        return func(*args)
    raise Unsupported(f"cannot evaluate {expr.func.__name__} with ball arithmetic")


def _int_power(b: arb, n: int) -> arb:
    """b^n by repeated squaring (python-flint's ``**`` gives nan for balls containing 0).

    >>> str(_int_power(arb(0, 1e-20), 2))
    '[+/- 1.01e-40]'
    """
    result, base = arb(1), b
    while n:
        if n & 1:
            result *= base
        base *= base
        n >>= 1
    return result


def _log(x: arb) -> arb:
    if not x > 0:
        raise Unsupported("log of a value not proved positive")
    return x.log()


def _max(*xs: arb) -> arb:
    out = xs[0]
    for x in xs[1:]:
        out = out.max(x)
    return out


def _min(*xs: arb) -> arb:
    out = xs[0]
    for x in xs[1:]:
        out = out.min(x)
    return out


def _heaviside(x: arb, *rest: arb) -> arb:
    if x > 0:
        return arb(1)
    if x < 0:
        return arb(0)
    raise Unsupported("Heaviside at a point not proved away from 0")


def _sign(x: arb) -> arb:
    if x > 0:
        return arb(1)
    if x < 0:
        return arb(-1)
    raise Unsupported("sign at a point not proved away from 0")


_FUNCS = {
    sympy.exp: lambda x: x.exp(),
    sympy.log: _log,
    sympy.tanh: lambda x: x.tanh(),
    sympy.sinh: lambda x: x.sinh(),
    sympy.cosh: lambda x: x.cosh(),
    sympy.sech: lambda x: x.sech(),
    sympy.erf: lambda x: x.erf(),
    sympy.erfc: lambda x: x.erfc(),
    sympy.sin: lambda x: x.sin(),
    sympy.cos: lambda x: x.cos(),
    sympy.tan: lambda x: x.tan(),
    sympy.atan: lambda x: x.atan(),
    sympy.atanh: lambda x: x.atanh(),
    sympy.asinh: lambda x: x.asinh(),
    sympy.acosh: lambda x: x.acosh(),
    sympy.asin: lambda x: x.asin(),
    sympy.acos: lambda x: x.acos(),
    sympy.Abs: lambda x: abs(x),
    sympy.Max: _max,
    sympy.Min: _min,
    sympy.Heaviside: _heaviside,
    sympy.sign: _sign,
}


def excludes_zero(expr: sympy.Expr, values: Mapping[sympy.Symbol, object] | None = None,
                  precisions: tuple[int, ...] = (DEFAULT_PREC, 512)) -> bool:
    """True when a ball for ``expr`` excludes 0 (a proof that the value is nonzero); False
    when no precision in ``precisions`` separates it from 0 (no claim either way).

    >>> excludes_zero(sympy.exp(1) - sympy.Rational(2718, 1000))
    True
    >>> excludes_zero(sympy.sin(sympy.pi))
    False
    """
    for prec in precisions:
        with flint.ctx.workprec(prec):
            try:
                if not arb_value(expr, values or {}).contains(0):
                    return True
            except Unsupported:
                return False
    return False
