"""Numbers for the independent checker: a safe parser and exact zero/sign decisions.

This module is part of the checker's trusted kernel and imports nothing from symeq.

Parsing.  A number is a short ASCII string in the grammar of the file schema: integers and
decimals (read exactly from the text: ``"0.1"`` is 1/10), ``pi``, ``sqrt(...)``, declared symbol
names, ``+ - * / ** ^`` and parentheses (``^`` means power, exactly like ``**``).  The text goes
through :func:`ast.parse` and the tree is walked with a strict whitelist; nothing is ever
evaluated by Python.  Exponents are bounded rational constants, literals have bounded digits,
and fractional powers need a constant base that is decided to be non-negative, so every value
is a real number built from rationals, radicals, ``pi`` and symbols.

Deciding.  :func:`is_zero` proves an expression zero or non-zero exactly: rational arithmetic,
then sympy expansion, then (for constants) a rigorous python-flint ball that excludes 0, or an
exact minimal polynomial; with symbols (or ``pi``, which is transcendental) it compares every
coefficient of the numerator.  :func:`sign` decides the sign of a real constant by balls of
increasing precision after ruling out zero exactly.  When a question cannot be decided the
functions raise :class:`Reject` -- the checker never guesses.

>>> parse_number("sqrt(2)/2 + 0.5")
1/2 + sqrt(2)/2
>>> parse_number("2^-1")
1/2
>>> parse_number("__import__('os')")
Traceback (most recent call last):
...
symeq.certify.checker_parse.Reject: cannot read number "__import__('os')": unexpected character "'"
>>> is_zero(parse_number("sqrt(8) - 2*sqrt(2)"))
True
>>> sign(parse_number("sqrt(2) - 1.4142"))
1
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from typing import Literal, Union

import sympy
from flint import arb, ctx, fmpq

__all__ = [
    "Reject",
    "parse_number",
    "is_zero",
    "sign",
    "to_arb",
    "precision",
    "MAX_TEXT",
    "PRECISIONS",
]

#: Longest number text read; longer strings are rejected before parsing.
MAX_TEXT = 2000
#: Largest |numerator| and denominator of an exponent.
MAX_EXPONENT = 64
#: Largest number of bits a rational power may produce.
MAX_BITS = 20000
#: Longest digit string of one literal.
MAX_DIGITS = 400
#: Deepest expression tree walked.
MAX_DEPTH = 200
#: Ball precisions (bits) tried, in order, before a sign or a bound counts as undecidable.
PRECISIONS = (64, 256, 1024, 4096)

_CHARS = re.compile(r"[A-Za-z0-9_ .+\-*/^()]*\Z")
_DECIMAL = re.compile(r"(\d+(\.\d*)?|\.\d+)\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED = frozenset({"pi", "sqrt"})

Symbols = Union[Mapping[str, sympy.Symbol], Literal["any"], None]


class Reject(Exception):
    """A certificate (or one of its numbers) does not verify; the message says why."""


def parse_number(text: object, symbols: Symbols = None, what: str = "number") -> sympy.Expr:
    """Read one exact real number or expression.

    ``symbols`` says what a name may be: ``None`` (no names besides ``pi``), a mapping
    (exactly its keys), or ``"any"`` (every name is a real symbol).  JSON integers are
    accepted; floats, booleans and everything else are rejected.

    >>> parse_number("-1/3")
    -1/3
    >>> w = sympy.Symbol("w", real=True)
    >>> parse_number("w^2 - 2*w", {"w": w})
    w**2 - 2*w
    >>> parse_number("9**9**9**9")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: cannot read number '9**9**9**9': exponent 387420489 is too large
    """
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise Reject(f"{what} must be an exact number written as a string, found {text!r:.60}")
    if isinstance(text, int):
        return sympy.Integer(text)
    if len(text) > MAX_TEXT:
        raise Reject(f"{what} text of {len(text)} characters is too long (limit {MAX_TEXT})")
    source = text.replace("^", "**")
    try:
        if not _CHARS.match(text):
            bad = next(ch for ch in text if not _CHARS.match(ch))
            raise Reject(f"unexpected character {bad!r}")
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise Reject("not an arithmetic expression") from None
        return _Walker(source.strip(), symbols).walk(tree.body, 0)
    except Reject as exc:
        raise Reject(f"cannot read {what} {text!r}: {exc}") from None


class _Walker:
    """Turns a whitelisted Python expression tree into a sympy expression."""

    def __init__(self, source: str, symbols: Symbols) -> None:
        self.source = source
        self.symbols = symbols

    def walk(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise Reject("too deeply nested")
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value = self.walk(node.operand, depth + 1)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            left = self.walk(node.left, depth + 1)
            right = self.walk(node.right, depth + 1)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if is_zero(right):
                    raise Reject("division by zero")
                return left / right
            return self.power(left, right)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt"
                and len(node.args) == 1 and not node.keywords):
            arg = self.walk(node.args[0], depth + 1)
            if arg.free_symbols or sign(arg) < 0:
                raise Reject("sqrt needs a constant non-negative argument")
            return sympy.sqrt(arg)
        raise Reject(f"{type(node).__name__} is not allowed")

    def literal(self, node: ast.Constant) -> sympy.Expr:
        # The value Python computed (a float for "0.1") is ignored: the source text is read.
        text = ast.get_source_segment(self.source, node) or ""
        if not _DECIMAL.match(text):
            raise Reject(f"literal {text!r} is not an integer or a decimal")
        if len(text) > MAX_DIGITS:
            raise Reject(f"literal {text[:20]}... has too many digits")
        return sympy.Rational(Fraction(text))

    def name(self, name: str) -> sympy.Expr:
        if name == "pi":
            return sympy.pi
        if not _NAME.match(name) or name in _RESERVED:
            raise Reject(f"name {name!r} is not allowed")
        if self.symbols == "any":
            return sympy.Symbol(name, real=True)
        if self.symbols is not None and name in self.symbols:
            return self.symbols[name]
        raise Reject(f"unknown name {name!r}")

    def power(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if not exponent.is_Rational:
            raise Reject("an exponent must be a rational constant")
        if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
            raise Reject(f"exponent {exponent} is too large")
        if exponent.q != 1 and (base.free_symbols or sign(base) < 0):
            raise Reject("a fractional power needs a constant non-negative base")
        if exponent < 0 and is_zero(base):
            raise Reject("division by zero")
        if base.is_Rational and max(abs(base.p), base.q).bit_length() * abs(exponent) > MAX_BITS:
            raise Reject("power is too large")
        return base**exponent


# -- exact decisions ------------------------------------------------------------------------


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """Run a block with python-flint's working precision set to ``bits``.

    >>> with precision(128):
    ...     (arb(1) / 3).rel_accuracy_bits() > 100
    True
    """
    old = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = old


def to_arb(x: sympy.Expr) -> arb:
    """A rigorous ball containing the real constant ``x`` at the current precision.

    >>> to_arb(parse_number("sqrt(2)")) > 1.41
    True
    """
    if x.is_Rational:
        return arb(fmpq(int(x.p), int(x.q)))
    if x is sympy.pi:
        return arb.pi()
    if isinstance(x, sympy.Add):
        return sum((to_arb(t) for t in x.args), arb(0))
    if isinstance(x, sympy.Mul):
        out = arb(1)
        for t in x.args:
            out *= to_arb(t)
        return out
    if isinstance(x, sympy.Pow) and x.exp.is_Rational:
        base = to_arb(x.base)
        if x.exp.is_Integer:
            return base ** int(x.exp)
        return base ** arb(fmpq(int(x.exp.p), int(x.exp.q)))  # nan unless base > 0: undecided
    raise Reject(f"cannot evaluate {str(x)[:80]} numerically")


def _constant_is_zero(x: sympy.Expr) -> bool:
    with precision(PRECISIONS[0]):
        if not to_arb(x).contains(0):
            return False
    y = sympy.radsimp(x)
    if y == 0:
        return True
    if y.has(sympy.pi):  # pi is transcendental: zero iff every coefficient is
        return all(_constant_is_zero(c) for c in sympy.Poly(y, sympy.pi).coeffs())
    try:
        return sympy.minimal_polynomial(y, sympy.Dummy("t")).as_expr().is_Symbol
    except (NotImplementedError, ValueError, sympy.PolynomialError):
        for bits in PRECISIONS[1:]:
            with precision(bits):
                if not to_arb(y).contains(0):
                    return False
        raise Reject(f"cannot decide whether {str(y)[:80]} is zero") from None


def is_zero(x: sympy.Expr) -> bool:
    """Decide exactly whether ``x`` is zero (identically, when it contains symbols).

    With symbols the question is whether ``x`` is the zero rational function: the numerator's
    coefficients are all zero.

    >>> w = sympy.Symbol("w", real=True)
    >>> is_zero((w + 1)**2 - w**2 - 2*w - 1)
    True
    >>> is_zero(w / (w + 1) - 1)
    False
    >>> is_zero(sympy.sqrt(2) * sympy.sqrt(3) - sympy.sqrt(6))
    True
    """
    if x.is_Rational:
        return x == 0
    y = sympy.expand(x)
    if y == 0:
        return True
    if y.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
        raise Reject(f"{str(x)[:80]} is not a real number")
    if not y.free_symbols:
        return _constant_is_zero(y)
    numerator = sympy.expand(sympy.numer(sympy.together(y)))
    if not numerator.free_symbols:
        return _constant_is_zero(numerator)
    gens = sorted(numerator.free_symbols, key=str) + ([sympy.pi] if numerator.has(sympy.pi) else [])
    try:
        coeffs = sympy.Poly(numerator, *gens).coeffs()
    except sympy.PolynomialError:
        raise Reject(f"cannot decide whether {str(x)[:80]} is identically zero") from None
    return all(_constant_is_zero(c) for c in coeffs)


def sign(x: sympy.Expr) -> int:
    """The sign (-1, 0 or 1) of a real constant, decided exactly.

    >>> sign(parse_number("3 - pi"))
    -1
    >>> sign(parse_number("sqrt(2)^2 - 2"))
    0
    """
    if x.free_symbols:
        raise Reject(f"cannot decide the sign of {str(x)[:80]}: it contains symbols")
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    for k, bits in enumerate(PRECISIONS):
        with precision(bits):
            ball = to_arb(x)
            if ball > 0:
                return 1
            if ball < 0:
                return -1
        if k == 0 and is_zero(x):
            return 0
    raise Reject(f"cannot decide the sign of {str(x)[:80]}")
