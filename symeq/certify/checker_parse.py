"""Reading a certificate for the independent checker: numbers, activations, networks, groups.

This module is part of the checker's trusted kernel (with checker.py) and imports nothing else
from symeq.  Everything here turns JSON into exact sympy objects or rejects it with a reason;
what is then *verified* about those objects is checker.py's business.

Parsing.  A number is a short ASCII string in the grammar of the file schema: integers and
decimals (read exactly from the text: ``"0.1"`` is 1/10), ``pi``, ``sqrt(...)``, declared symbol
names, ``+ - * / ** ^`` and parentheses (``^`` means power, exactly like ``**``).  The text goes
through :func:`ast.parse` and the tree is walked with a strict whitelist; nothing is ever
evaluated by Python.  Exponents are bounded rational constants, literals have bounded digits,
and fractional powers (``sqrt`` included) need a non-negative algebraic constant as base, so
every value is a rational function of ``pi`` and the symbols over the real algebraic numbers.

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

Certificate parts.  :func:`parse_activation`, :func:`parse_network` (the [network] table of the
file schema) and :func:`parse_group` (explicit generator matrices, checked invertible, and their
optional relations, checked to hold) build frozen :class:`Activation`, :class:`Network` and
:class:`Group` values; :func:`field`, :func:`only_keys`, :func:`matrix`, :func:`vector` read
pieces strictly (unknown keys are rejected: nothing unchecked may sit in a certificate).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Union

import sympy
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat
from sympy import ImmutableMatrix, Integer

__all__ = [
    "Reject", "parse_number", "is_zero", "sign", "to_arb", "precision", "MAX_TEXT", "PRECISIONS",
    "field", "only_keys", "int_index", "matrix", "vector", "require_equal", "matmul", "short",
    "Activation", "parse_activation", "Network", "parse_network", "Group", "parse_group", "Z",
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
#: Largest number of terms an expression may expand to, counting every symbol, radical and pi
#: as an atom (a bound computed before expanding, so "(a+b)*(c+d)*..." or "(1+sqrt(2))^64"
#: cannot exhaust time or memory later).
MAX_TERMS = 10_000
#: Ball precisions (bits) tried, in order, before a sign or a bound counts as undecidable.
PRECISIONS = (64, 256, 1024, 4096)

#: Size limits of certificate parts (larger ones are rejected, not computed).
MAX_LAYERS, MAX_PARAMETERS, MAX_GENERATORS, MAX_WORD_EXPONENT = 32, 200_000, 32, 1000
#: The variable of ``poly:EXPR`` activations.
Z = sympy.Symbol("z", real=True)

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
        if text.bit_length() > 4 * MAX_DIGITS:
            raise Reject(f"{what} integer has too many digits")
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
        value = _Walker(source.strip(), symbols).walk(tree.body, 0)
        terms, bits = _size(value)
        if terms > MAX_TERMS or bits > MAX_BITS:
            raise Reject(f"is too large (more than {MAX_TERMS} terms or {MAX_BITS} bits once expanded)")
        return value
    except Reject as exc:
        raise Reject(f"cannot read {what} {text!r:.100}: {exc}") from None


def _size(x: sympy.Expr) -> tuple[int, int]:
    """Upper bounds on (terms, bits of the rational coefficients) of x fully expanded."""
    cap = MAX_TERMS + MAX_BITS + 1
    if x.is_Rational:
        return 1, int(x.p).bit_length() + int(x.q).bit_length()
    if isinstance(x, (sympy.Add, sympy.Mul)):
        parts = [_size(t) for t in x.args]
        bits = min(sum(b for _, b in parts), cap)
        if isinstance(x, sympy.Add):
            return min(sum(t for t, _ in parts), cap), bits
        terms = 1
        for t, _ in parts:
            terms = min(terms * t, cap)
        return terms, bits
    if isinstance(x, sympy.Pow) and x.exp.is_Rational:
        t, b = _size(x.base)
        n = abs(int(x.exp.p))
        return (min(t**n, cap) if x.exp.q == 1 else 1), min(b * n, cap)  # a root is one atom
    return 1, 1  # a symbol or pi


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
            if arg.free_symbols or arg.has(sympy.pi) or sign(arg) < 0:
                raise Reject("sqrt needs a non-negative algebraic constant")
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
        if exponent.q != 1 and (base.free_symbols or base.has(sympy.pi) or sign(base) < 0):
            raise Reject("a fractional power needs a non-negative algebraic constant as base")
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
    # A ball that excludes 0 settles "nonzero" at once, before any (possibly costly) algebra.
    with precision(PRECISIONS[0]):
        if not to_arb(x).contains(0):
            return False
    y = sympy.expand(x)
    if y == 0:
        return True
    if y.has(sympy.pi):  # pi is transcendental: zero iff zero as a rational function of pi
        return is_zero(y.xreplace({sympy.pi: sympy.Dummy("pi", real=True)}))
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

    With symbols the question is whether ``x`` is the zero rational function: every coefficient
    of its numerator (an algebraic constant) is zero.

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
    if x.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
        raise Reject(f"{str(x)[:80]} is not a real number")
    if not x.free_symbols:
        return _constant_is_zero(x)
    if x.has(sympy.pi):
        x = x.xreplace({sympy.pi: sympy.Dummy("pi", real=True)})
    numerator = sympy.expand(sympy.numer(sympy.together(sympy.expand(x))))
    if numerator == 0:
        return True
    if not numerator.free_symbols:
        return _constant_is_zero(numerator)
    try:
        coeffs = sympy.Poly(numerator, *sorted(numerator.free_symbols, key=str)).coeffs()
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


# -- small structural helpers ---------------------------------------------------------------


def field(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """``d[key]``, which must exist and have type ``kind``.

    >>> field({"a": [1]}, "a", list, "x")
    [1]
    >>> field({}, "a", list, "x")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: x is missing 'a'
    """
    if key not in d:
        raise Reject(f"{what} is missing {key!r}")
    value = d[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Reject(f"{what}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def only_keys(d: Mapping[str, Any], allowed: set[str], what: str) -> None:
    """Reject keys outside ``allowed``: nothing unchecked may sit in a certificate.

    >>> only_keys({"a": 1, "z": 2}, {"a"}, "x")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: x has unexpected key(s): z
    """
    extra = sorted(set(d) - allowed)
    if extra:
        raise Reject(f"{what} has unexpected key(s): {', '.join(map(str, extra))}")


def int_index(value: Any, n: int, what: str) -> int:
    """A JSON integer in range(n).

    >>> int_index(True, 2, "k")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: k must be an integer from 0 to 1, found True
    """
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n:
        raise Reject(f"{what} must be an integer from 0 to {n - 1}, found {value!r:.40}")
    return value


def matrix(rows: Any, shape: tuple[int, int] | None, what: str, symbols: Any = None) -> ImmutableMatrix:
    """An exact matrix from rows of number strings, of the given shape.

    >>> matrix([["0", "-1"], ["1", "0"]], (2, 2), "r")
    Matrix([
    [0, -1],
    [1,  0]])
    """
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise Reject(f"{what} must be a non-empty list of rows")
    n = len(rows[0])
    if n == 0 or any(len(r) != n for r in rows) or (shape is not None and (len(rows), n) != shape):
        want = f"{shape[0]} x {shape[1]}" if shape else "rectangular"
        raise Reject(f"{what} has the wrong shape (expected {want})")
    return ImmutableMatrix(len(rows), n, [parse_number(v, symbols, f"{what} entry") for r in rows for v in r])


def vector(values: Any, n: int, what: str, symbols: Any = None) -> ImmutableMatrix:
    """An exact column vector of length ``n``.

    >>> vector(["1/2", "0.25"], 2, "b").T
    Matrix([[1/2, 1/4]])
    """
    if not isinstance(values, list) or len(values) != n:
        raise Reject(f"{what} must be a list of {n} numbers")
    return ImmutableMatrix(n, 1, [parse_number(v, symbols, f"{what} entry") for v in values])


def _rational(m: ImmutableMatrix) -> fmpq_mat | None:
    if all(x.is_Rational for x in m):
        return fmpq_mat(m.rows, m.cols, [fmpq(int(x.p), int(x.q)) for x in m])
    return None


def matmul(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
    """a * b with expanded entries, on FLINT when both are rational (10-25 times faster).

    >>> matmul(ImmutableMatrix([[1, 2]]), ImmutableMatrix([[3], [sympy.Rational(1, 2)]]))
    Matrix([[4]])
    """
    fa, fb = _rational(a), _rational(b)
    if fa is not None and fb is not None:
        p = fa * fb
        return ImmutableMatrix(p.nrows(), p.ncols(), [sympy.Rational(int(x.p), int(x.q)) for x in p.entries()])
    return ImmutableMatrix(a * b).applyfunc(sympy.expand)


def short(x: Any) -> str:
    """``str(x)`` cut to 60 characters, for messages.

    >>> short("x" * 100)[-5:]
    'xx...'
    """
    text = str(x)
    return text if len(text) <= 60 else text[:57] + "..."


def require_equal(lhs: ImmutableMatrix, rhs: ImmutableMatrix, what: str) -> None:
    """Reject unless the matrices are equal entry by entry (identically, with symbols).

    >>> require_equal(ImmutableMatrix([[1, 2]]), ImmutableMatrix([[1, 3]]), "test")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: test fails at entry (1, 2): 2 != 3
    """
    for r in range(lhs.rows):
        for c in range(lhs.cols):
            if not is_zero(lhs[r, c] - rhs[r, c]):
                raise Reject(f"{what} fails at entry ({r + 1}, {c + 1}): {short(lhs[r, c])} != {short(rhs[r, c])}")


# -- activations and the trusted relations ------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation spec: ``slope`` for leaky_relu, ``degree`` for power, ``poly`` = p(z)."""

    spec: str
    name: str
    slope: sympy.Expr = Integer(0)
    degree: int = 1
    poly: sympy.Expr = Z

    @property
    def polynomial(self) -> bool:
        return self.name in ("identity", "power", "poly")

    @property
    def exact(self) -> bool:
        """True when values at algebraic points are algebraic and computed exactly."""
        return self.polynomial or self.name in ("relu", "leaky_relu")


_PLAIN = ("identity", "tanh", "sigmoid", "relu", "gelu", "softplus", "swish", "sin")


def parse_activation(spec: Any) -> Activation:
    """Read an activation spec of the file schema (bare ``leaky_relu`` has slope 1/100).

    >>> parse_activation("poly:z^3 - z").poly
    z**3 - z
    >>> parse_activation("power:3").degree
    3
    """
    if not isinstance(spec, str):
        raise Reject("network activation must be a string")
    name, _, arg = spec.partition(":")
    if name in _PLAIN and not arg:
        return Activation(spec, name)
    if name == "leaky_relu" and (arg or spec == name):
        slope = parse_number(arg or "1/100", None, "leaky_relu slope")
        if sign(slope) <= 0 or sign(1 - slope) <= 0:
            raise Reject("leaky_relu slope must lie strictly between 0 and 1")
        return Activation(spec, name, slope=slope)
    if name == "power" and arg.isdigit() and 2 <= int(arg) <= 16:
        return Activation(spec, name, degree=int(arg))
    if name == "poly" and arg:
        p = sympy.expand(parse_number(arg, {"z": Z}, "poly activation"))
        if not p.is_polynomial(Z):
            raise Reject(f"poly:{arg} is not a polynomial in z")
        return Activation(spec, name, poly=p)
    raise Reject(f"unknown or malformed activation {spec!r:.60}")


# -- networks, groups, evaluation -----------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """An MLP f_i(x) = sigma(W_i x + b_i) (i < L), f_L(x) = W_L x + b_L; biases are columns."""

    activation: Activation
    weights: tuple[ImmutableMatrix, ...]
    biases: tuple[ImmutableMatrix, ...]
    symbols: tuple[sympy.Symbol, ...]

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].cols,) + tuple(w.rows for w in self.weights)

    @property
    def depth(self) -> int:
        return len(self.weights)

    def describe(self) -> str:
        names = f", symbols {', '.join(map(str, self.symbols))}" if self.symbols else ""
        return f"{self.activation.spec} MLP {'-'.join(map(str, self.widths))}{names}"


def parse_network(table: Any) -> Network:
    """The network of a certificate's "network" table (the [network] table of the file schema).

    >>> net = parse_network({"activation": "relu", "weights": [[["1", "w"]]], "biases": [["0"]]})
    >>> net.widths, net.symbols
    ((2, 1), (w,))
    """
    if not isinstance(table, dict):
        raise Reject("network must be an object")
    only_keys(table, {"architecture", "activation", "widths", "weights", "biases", "symbols", "description"}, "network")
    if table.get("architecture", "mlp") != "mlp":
        raise Reject(f"network architecture {table.get('architecture')!r:.40} is not supported (only mlp)")
    act = parse_activation(field(table, "activation", str, "network"))
    symbols: Any = "any"
    if "symbols" in table:
        names = field(table, "symbols", list, "network")
        if not all(isinstance(n, str) and _NAME.match(n) and n not in ("pi", "sqrt") for n in names):
            raise Reject("network symbols must be names (letters, digits, _)")
        symbols = {n: sympy.Symbol(n, real=True) for n in names}
    weights, biases = field(table, "weights", list, "network"), field(table, "biases", list, "network")
    if not weights or len(weights) != len(biases) or len(weights) > MAX_LAYERS:
        raise Reject(f"network needs 1 to {MAX_LAYERS} layers with one bias vector each")
    size = sum(len(w) * len(w[0]) if isinstance(w, list) and w and isinstance(w[0], list) else 0 for w in weights)
    if size > MAX_PARAMETERS:
        raise Reject(f"network has more than {MAX_PARAMETERS} weights")
    ws: list[ImmutableMatrix] = []
    for i, w in enumerate(weights, start=1):
        shape = None if i == 1 else (len(w) if isinstance(w, list) else 0, ws[-1].rows)
        ws.append(matrix(w, shape, f"W_{i}", symbols))
    bs = tuple(vector(b, w.rows, f"b_{i}", symbols) for i, (w, b) in enumerate(zip(ws, biases), start=1))
    net = Network(act, tuple(ws), bs, ())
    if "widths" in table and table["widths"] != list(net.widths):
        raise Reject(f"network widths {table['widths']!r:.60} do not match the weights {list(net.widths)}")
    found = set().union(*(m.free_symbols for m in ws + list(bs)))
    return Network(act, tuple(ws), bs, tuple(sorted(found, key=str)))


def _nonsingular(m: ImmutableMatrix) -> bool:
    f = _rational(m)
    return f.det() != 0 if f is not None else not is_zero(m.det(method="berkowitz"))


@dataclass(frozen=True)
class Group:
    """G given by named generators g -> (rho_0(g), rho_L(g)), invertible exact matrices."""

    names: tuple[str, ...]
    inputs: tuple[ImmutableMatrix, ...]
    outputs: tuple[ImmutableMatrix, ...]
    relations: tuple[str, ...] = ()

    def generator(self, name: str) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        if name not in self.names:
            raise Reject(f"unknown generator {name!r:.40}")
        k = self.names.index(name)
        return self.inputs[k], self.outputs[k]


_LETTER = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\^\s*(-?\d{1,6}))?\s*")


def _word_value(group: Group, word: str, side: int, exact: bool = True) -> Any:
    """The matrix of a relation word on one side: exactly, or (exact=False) as a matrix of
    balls, which refutes a false relation cheaply before any exact algebra."""
    mats: tuple[Any, ...] = group.inputs if side == 0 else group.outputs
    n = mats[0].rows
    if exact:
        out: Any = ImmutableMatrix.eye(n)
    else:
        mats = tuple(arb_mat([[to_arb(v) for v in m.row(r)] for r in range(n)]) for m in mats)
        out = arb_mat([[int(r == c) for c in range(n)] for r in range(n)])
    pos, text = 0, word.replace("*", " ")
    while pos < len(text):
        m = _LETTER.match(text, pos)
        if m is None or m.end() == pos or m.group(1) not in group.names:
            raise Reject(f"cannot read group relation {word!r:.60}")
        power = int(m.group(2) or 1)
        if abs(power) > MAX_WORD_EXPONENT:
            raise Reject(f"group relation {word!r:.60} has an exponent above {MAX_WORD_EXPONENT}")
        base = mats[group.names.index(m.group(1))]
        if power < 0 and exact:
            inverse = base.inv().applyfunc(sympy.expand)
            # sympy's inverse picks pivots with a heuristic zero test: confirm it exactly.
            require_equal(matmul(base, inverse), ImmutableMatrix.eye(n), f"generator {m.group(1)} times its inverse")
            base = inverse
        elif power < 0:
            base = base.inv()
        power, pos = abs(power), m.end()
        while power:  # repeated squaring
            if power & 1:
                out = matmul(out, base) if exact else out * base
            base, power = (matmul(base, base) if exact else base * base), power >> 1
    return out


def parse_group(table: Any, d_in: int, d_out: int) -> Group:
    """The group of a certificate: explicit generator matrices, checked invertible, and its
    optional relations (words such as "r^4", "s r s r"), checked to hold on both sides.

    >>> parse_group({"generators": {"r": {"input": [["0", "-1"], ["1", "0"]], "output": [["1"]]}},
    ...              "relations": ["r^4"]}, 2, 1).names
    ('r',)
    """
    if not isinstance(table, dict):
        raise Reject("group must be an object")
    only_keys(table, {"generators", "relations", "description"}, "group")
    gens = field(table, "generators", dict, "group")
    if not gens or len(gens) > MAX_GENERATORS:
        raise Reject(f"group needs 1 to {MAX_GENERATORS} generators")
    names, ins, outs = [], [], []
    for name, pair in gens.items():
        if not _NAME.match(name) or not isinstance(pair, dict):
            raise Reject(f"group generator {name!r:.40} must be a name with an input/output object")
        only_keys(pair, {"input", "output"}, f"generator {name}")
        a = matrix(field(pair, "input", list, f"generator {name}"), (d_in, d_in), f"generator {name} input")
        b = matrix(field(pair, "output", list, f"generator {name}"), (d_out, d_out), f"generator {name} output")
        if not (_nonsingular(a) and _nonsingular(b)):
            raise Reject(f"generator {name}: a matrix is singular, so it is no group element")
        names.append(name)
        ins.append(a)
        outs.append(b)
    words = table.get("relations", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(words) > MAX_GENERATORS:
        raise Reject("group relations must be a list of words")
    group = Group(tuple(names), tuple(ins), tuple(outs), tuple(words))
    for word in words:
        for side, d in ((0, d_in), (1, d_out)):
            with precision(PRECISIONS[0]):
                try:
                    ball = _word_value(group, word, side, exact=False)
                except ZeroDivisionError:  # a ball inverse too wide to exist: decide exactly
                    ball = None
                if ball is not None and not all(ball[r, c].contains(int(r == c)) for r in range(d) for c in range(d)):
                    raise Reject(f"group relation {word!r:.60} fails (refuted numerically with balls)")
            require_equal(_word_value(group, word, side), ImmutableMatrix.eye(d), f"group relation {word!r}")
    return group
