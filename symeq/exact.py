"""Exact scalars and matrices, and the safe parser for numbers written by users.

Every number in a symeq file is a string read exactly: ``"3"``, ``"-1/2"``, ``"0.25"`` (an exact
decimal), ``"sqrt(2)/2"``, ``"tanh(1)"`` (a named transcendental constant), or an expression in
declared symbols such as ``"w11"``.  The parser
below is a small recursive-descent parser over a fixed token set; user text never reaches
``eval`` or ``sympify``.

Grammar (``^`` and ``**`` both mean power)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom (("**" | "^") unary)?
    atom   := NUMBER | "pi" | NAME | "sqrt" "(" expr ")" | "tanh" "(" expr ")" | "(" expr ")"

Exponents must be rational constants of bounded size, so ``"9**9**9"`` is refused instead of
exhausting memory.  Square roots and fractional powers take non-negative algebraic bases only
(no symbol, no pi): the checker (:mod:`symeq.certify`) reads numbers with its own parser and the
same grammar, so every number the engine accepts can be stated in a certificate
(docs/reference/schema.md, "Numbers").  Every other size is bounded too, so that no text can make the parser (or a
later ``expand``) run long: the text length, the nesting depth, the digits of every rational
built (which keeps :func:`number_to_string` readable back), and the number of terms an
expression with symbols expands to.  Only ASCII digits are numbers.  ``tanh(q)`` takes a rational
constant q with numerator and denominator at most :data:`MAX_TANH_ARGUMENT`; such constants are
decided exactly (:func:`is_exact_zero`: every tanh(q) is a rational function of one transcendental
u = e^(1/N)), and a number may not hold both pi and tanh(q) (whether pi and e are algebraically
independent is an open problem).  Square roots and
fractional powers need a constant non-negative base, so every value is real.

>>> parse_number("sqrt(2)/2")
sqrt(2)/2
>>> parse_number("0.25")
1/4
>>> parse_number("-1/2 + 3")
5/2
>>> parse_number("2*w11 - 1", symbols="declare")
2*w11 - 1
>>> parse_number("1/2 + tanh(-1)")
1/2 - tanh(1)
>>> parse_number("os.system(1)")
Traceback (most recent call last):
...
symeq.errors.InputError: cannot parse number 'os.system(1)': unexpected character '.' at position 3
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal, Union

import sympy
from sympy import ImmutableMatrix, Rational
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix
from sympy.polys.polyerrors import NotAlgebraic

from symeq.errors import InputError

__all__ = [
    "Scalar",
    "Matrix",
    "MAX_TEXT",
    "parse_number",
    "parse_matrix",
    "parse_vector",
    "number_to_string",
    "exact_field",
    "exact_string",
    "matrix_to_strings",
    "vector_to_strings",
    "symbol",
    "is_rational_matrix",
    "domain_matrix",
    "free_symbols",
    "is_exact_zero",
    "symbol_factors",
    "exp_denominator",
    "check_tanh_constants",
    "tanh_in_exp",
    "MAX_TANH_ARGUMENT",
]

Scalar = sympy.Expr
Matrix = ImmutableMatrix

#: Longest number text accepted; longer strings are refused before tokenizing.
MAX_TEXT = 2000
#: Largest absolute exponent numerator and denominator accepted in ``a ** e``.
MAX_EXPONENT = 64
#: Largest number of bits a rational power may produce.
MAX_BITS = 20000
#: Longest digit string accepted for one literal, and most digits of the numerator or the
#: denominator of any rational the parser builds (so its string form reads back).
MAX_DIGITS = 400
#: Deepest nesting of parentheses, signs, powers and square roots (recursion stays bounded).
MAX_DEPTH = 100
#: Largest number of monomials an expression with symbols may expand to, bounded before
#: anything is expanded: "(a+b+c+d+e+f)^64" would take hours to expand later.
MAX_TERMS = 10_000
#: Largest |numerator| and denominator of q in ``tanh(q)`` (the checker's limit too).
MAX_TANH_ARGUMENT = 1000
#: Largest N (the lcm of the denominators of the q) for the constants tanh(q) of one input: they
#: are rational functions of u = e^(1/N), and the checker accepts N up to this (its limit too).
MAX_EXP_DENOMINATOR = 10_000

_RATIONAL_LIMIT = 10**MAX_DIGITS

# re.ASCII: "\d" must not match other scripts' digits ("\u0661" would read as 1).
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()]))",
    re.ASCII,
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED = {"sqrt", "pi", "tanh"}

SymbolPolicy = Union[Literal["forbid", "declare"], Mapping[str, sympy.Symbol]]


def symbol(name: str) -> sympy.Symbol:
    """The symbolic parameter called ``name`` (real-valued, as all parameters are).

    >>> symbol("w11").is_real
    True
    """
    if not _NAME.match(name) or name in _RESERVED:
        raise InputError(f"invalid symbol name {name!r}: use letters, digits and _")
    return sympy.Symbol(name, real=True)


def declared_symbols(table: dict) -> Any:
    """The symbols a ``[network]`` table allows: ``{name: symbol}`` for its ``symbols`` list, or
    "declare" (every name the numbers use becomes a symbol) when it has none.  One reading for
    every architecture's table.

    >>> declared_symbols({"symbols": ["a"]})
    {'a': a}
    >>> declared_symbols({})
    'declare'
    """
    if "symbols" not in table:
        return "declare"
    names = table["symbols"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError("[network] symbols must be a list of names")
    return {n: symbol(n) for n in names}


class _Parser:
    #: The token set; symeq.activations.formula's parser extends it with ",".
    TOKEN = _TOKEN

    def __init__(self, text: str, symbols: SymbolPolicy) -> None:
        self.text = text
        self.symbols = symbols
        self.tokens: list[tuple[str, str, int]] = []
        self.depth = 0
        pos = 0
        stripped = text.rstrip(" \t\n\r\f\v")
        while pos < len(stripped):
            m = self.TOKEN.match(stripped, pos)
            if m is None or m.end() == pos:
                rest = stripped[pos:].lstrip(" \t\n\r\f\v")
                bad = rest[:1]
                where = pos + (len(stripped) - pos - len(rest)) + 1
                self.fail(f"unexpected character {bad!r} at position {where}")
            kind = m.lastgroup
            assert kind is not None
            self.tokens.append((kind, m.group(kind), m.start(kind) + 1))
            pos = m.end()
        self.i = 0

    def fail(self, why: str) -> None:
        raise InputError(f"cannot parse number {self.text!r}: {why}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end" + (f", expected {value!r}" if value else ""))
            raise AssertionError  # unreachable
        if value is not None and tok[1] != value:
            self.fail(f"expected {value!r} at position {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> sympy.Expr:
        if not self.tokens:
            self.fail("empty")
        e = self.expr()
        tok = self.peek()
        if tok is not None:
            self.fail(f"unexpected {tok[1]!r} at position {tok[2]}")
        if e.free_symbols and _terms(e) > MAX_TERMS:
            self.fail(f"it expands to more than {MAX_TERMS} terms")
        return e

    def bounded(self, e: sympy.Expr, where: int) -> sympy.Expr:
        """``e`` unless it holds a rational with more than MAX_DIGITS digits or a power beyond
        MAX_EXPONENT (products such as "x*x*...*x" make them): number_to_string must write
        only what parse_number reads back."""
        if e.is_Rational:
            if abs(e.p) >= _RATIONAL_LIMIT or e.q >= _RATIONAL_LIMIT:
                self.fail(f"the number at position {where} has more than {MAX_DIGITS} digits")
            return e
        for x in e.atoms(sympy.Rational):
            if abs(x.p) >= _RATIONAL_LIMIT or x.q >= _RATIONAL_LIMIT:
                self.fail(f"the number at position {where} has more than {MAX_DIGITS} digits")
        for x in e.atoms(sympy.Pow):
            if x.exp.is_Rational and (abs(x.exp.p) > MAX_EXPONENT or x.exp.q > MAX_EXPONENT):
                self.fail(f"the power {x.exp} made at position {where} is too large")
        return e

    def is_zero(self, e: sympy.Expr) -> bool:
        """Whether a divisor is zero, decided exactly (sympy's ``is_zero`` may say None)."""
        if e.is_zero:
            return True
        if e.is_zero is False or e.free_symbols:
            return False
        return is_exact_zero(e)

    def nonnegative(self, e: sympy.Expr, what: str, where: int) -> None:
        """Refuse a square root or fractional power whose base is negative, symbolic or involves
        pi: roots are of non-negative algebraic numbers only (the checker's grammar too, so a
        number the engine accepts is one its certificate can state)."""
        if e.free_symbols:
            self.fail(f"{what} at position {where} needs a constant base, not one with symbols")
        if e.has(sympy.pi, sympy.tanh):
            self.fail(f"{what} at position {where} needs an algebraic base, not one with pi or tanh")
        if e.is_nonnegative:
            return
        if e.is_negative:
            self.fail(f"{what} of a negative number at position {where}")
        if self.is_zero(e):
            return
        self.fail(f"cannot decide the sign of the base of the {what} at position {where}")

    def expr(self) -> sympy.Expr:
        e = self.term()
        while (tok := self.peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            self.take()
            rhs = self.term()
            e = self.bounded(e + rhs if tok[1] == "+" else e - rhs, tok[2])
        return e

    def term(self) -> sympy.Expr:
        e = self.unary()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/"):
            self.take()
            rhs = self.unary()
            if tok[1] == "*":
                e = e * rhs
            else:
                if self.is_zero(rhs):
                    self.fail(f"division by zero at position {tok[2]}")
                e = e / rhs
            e = self.bounded(e, tok[2])
        return e

    def unary(self) -> sympy.Expr:
        # Every nesting (parentheses, sqrt, signs, exponents) passes through here: counting
        # the depth bounds the recursion, so deep input is an InputError, not a RecursionError.
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                tok = self.peek()
                at = f" at position {tok[2]}" if tok is not None else ""
                self.fail(f"nested more than {MAX_DEPTH} levels deep{at}")
            tok = self.peek()
            if tok is not None and tok[0] == "op" and tok[1] in "+-":
                self.take()
                e = self.unary()
                return -e if tok[1] == "-" else e
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> sympy.Expr:
        base = self.atom()
        tok = self.peek()
        if tok is not None and tok[1] in ("**", "^"):
            self.take()
            exponent = self.unary()
            if not exponent.is_Rational:
                self.fail(f"exponent at position {tok[2]} must be a rational constant")
            if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
                self.fail(f"exponent {exponent} at position {tok[2]} is too large")
            if exponent < 0 and self.is_zero(base):
                self.fail(f"division by zero at position {tok[2]}")
            if not exponent.is_Integer:
                self.nonnegative(base, "fractional power", tok[2])
            if base.is_Rational and max(abs(base.p), base.q).bit_length() * abs(exponent) > MAX_BITS:
                self.fail(f"power at position {tok[2]} is too large")
            if base.free_symbols and _terms(base) ** abs(exponent.p) > MAX_TERMS:
                self.fail(f"power at position {tok[2]} expands to more than {MAX_TERMS} terms")
            return self.bounded(base**exponent, tok[2])
        return base

    def atom(self) -> sympy.Expr:
        kind, value, where = self.take()
        if kind == "num":
            if len(value) > MAX_DIGITS:  # the point counts, as in the checker
                self.fail(f"literal at position {where} has too many digits")
            return Rational(Fraction(value))
        if kind == "name":
            if value == "sqrt":
                self.take("(")
                arg = self.expr()
                self.take(")")
                self.nonnegative(arg, "square root", where)
                # sqrt halves exponents: sqrt(sqrt(((2^(1/3))^(1/3))^(1/3))) = 2^(1/108), which
                # number_to_string could not write back (found by the strict-input property test)
                return self.bounded(sympy.sqrt(arg), where)
            if value == "pi":
                return sympy.pi
            if value == "tanh":
                self.take("(")
                arg = self.expr()
                self.take(")")
                if not arg.is_Rational:
                    self.fail(f"tanh at position {where} takes a rational constant")
                if abs(arg.p) > MAX_TANH_ARGUMENT or arg.q > MAX_TANH_ARGUMENT:
                    self.fail(f"the argument of tanh at position {where} has a numerator or denominator "
                              f"above {MAX_TANH_ARGUMENT}")
                return sympy.tanh(arg)
            return self.name(value, where)
        if value == "(":
            e = self.expr()
            self.take(")")
            return e
        self.fail(f"unexpected {value!r} at position {where}")
        raise AssertionError  # unreachable

    def name(self, value: str, where: int) -> sympy.Expr:
        if self.symbols == "forbid":
            self.fail(f"unknown name {value!r} at position {where} (symbols are not allowed here)")
        if self.symbols == "declare":
            return symbol(value)
        assert isinstance(self.symbols, Mapping)
        if value not in self.symbols:
            self.fail(f"undeclared symbol {value!r} at position {where}")
        return self.symbols[value]


def parse_number(text: object, symbols: SymbolPolicy = "declare") -> sympy.Expr:
    """Read one exact number (or symbolic expression) from user text.

    ``symbols`` says what a name means: ``"declare"`` makes every name a real symbol,
    ``"forbid"`` rejects names, and a mapping allows exactly its keys.  Integers given as
    JSON/TOML integers are accepted too; floats are not (they are not exact).

    >>> parse_number("3/6")
    1/2
    >>> parse_number("x^2", symbols="forbid")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot parse number 'x^2': unknown name 'x' at position 1 (symbols are not allowed here)
    >>> parse_number(1.5)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: number 1.5 is a float; write it as a string such as "3/2" or "1.5"
    """
    if isinstance(text, bool):
        raise InputError(f"expected a number, found the boolean {text!r}")
    if isinstance(text, int):
        if abs(text) >= _RATIONAL_LIMIT:
            raise InputError(f"integer with more than {MAX_DIGITS} digits is too large")
        return sympy.Integer(text)
    if isinstance(text, float):
        raise InputError(
            f'number {text!r} is a float; write it as a string such as "3/2" or "1.5"'
        )
    if not isinstance(text, str):
        raise InputError(f"expected a number written as a string, found {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise InputError(
            f"number text {text[:40]!r}... of {len(text)} characters is too long (limit {MAX_TEXT})"
        )
    e = _Parser(text, symbols).parse()
    if e.has(sympy.pi) and e.has(sympy.tanh):
        raise InputError(f"cannot parse number {text!r}: pi and tanh constants in one number cannot be "
                         "decided (whether pi and e are algebraically independent is open)")
    return e


def parse_vector(
    values: object, length: int | None = None, what: str = "vector", symbols: SymbolPolicy = "declare"
) -> Matrix:
    """Read a list of number strings as an exact column vector.

    >>> parse_vector(["1", "1/2"]).T
    Matrix([[1, 1/2]])
    """
    if not isinstance(values, list):
        raise InputError(f"{what} must be a list of numbers")
    if length is not None and len(values) != length:
        raise InputError(f"{what} has length {len(values)}, expected {length}")
    return ImmutableMatrix(len(values), 1, [_entry(v, symbols, f"{what} entry {i + 1}")
                                            for i, v in enumerate(values)])


def parse_matrix(
    rows: object,
    shape: tuple[int, int] | None = None,
    what: str = "matrix",
    symbols: SymbolPolicy = "declare",
) -> Matrix:
    """Read a list of rows of number strings as an exact matrix, checking its shape.

    >>> parse_matrix([["0", "-1"], ["1", "0"]])
    Matrix([
    [0, -1],
    [1,  0]])
    >>> parse_matrix([["1", "2"], ["3"]])
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: matrix: row 2 has 1 entries, expected 2
    >>> parse_matrix([["1", "2"], ["3", "x.y"]], what="W_1")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot parse number 'x.y': unexpected character '.' at position 2 (in W_1 entry (2, 2))
    """
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise InputError(f"{what} must be a non-empty list of rows")
    ncols = len(rows[0])
    if ncols == 0:
        raise InputError(f"{what} must be a non-empty list of rows: row 1 is empty")
    for k, r in enumerate(rows):
        if len(r) != ncols:
            raise InputError(f"{what}: row {k + 1} has {len(r)} entries, expected {ncols}")
    if shape is not None and (len(rows), ncols) != shape:
        raise InputError(
            f"{what} has shape {len(rows)} x {ncols}, expected {shape[0]} x {shape[1]}"
        )
    return ImmutableMatrix(len(rows), ncols, [_entry(v, symbols, f"{what} entry ({i + 1}, {j + 1})")
                                              for i, r in enumerate(rows) for j, v in enumerate(r)])


def _entry(value: object, symbols: SymbolPolicy, where: str) -> sympy.Expr:
    """parse_number, naming the entry in any error (which weight was wrong).  The place goes
    last so that messages still start as parse_number's do."""
    try:
        return parse_number(value, symbols)
    except InputError as exc:
        raise InputError(f"{exc} (in {where})") from None


def _terms(x: sympy.Expr) -> int:
    """An upper bound on the number of monomials of ``x`` expanded (1 for a constant).

    >>> a, b = sympy.symbols("a b")
    >>> _terms((a + b)**3 * (a + 1))  # 2^3 * 2: crude, the same bound the checker uses
    16
    """
    if not x.free_symbols:
        return 1
    if isinstance(x, sympy.Add):
        return min(sum(_terms(t) for t in x.args), MAX_TERMS + 1)
    if isinstance(x, sympy.Mul):
        out = 1
        for t in x.args:
            out = min(out * _terms(t), MAX_TERMS + 1)
        return out
    if isinstance(x, sympy.Pow) and x.exp.is_Rational:
        return min(_terms(x.base) ** min(abs(x.exp.p), MAX_EXPONENT), MAX_TERMS + 1)
    return 1


def number_to_string(x: sympy.Expr) -> str:
    """The string form of a number for display.  For everything the parser builds,
    :func:`parse_number` reads it back to ``x``; for other values (``E``, ``exp(1)``, ``tanh(1)``,
    floats) it does not, so files and certificates use :func:`exact_string`.

    >>> number_to_string(sympy.sqrt(2) / 2)
    'sqrt(2)/2'
    >>> parse_number(number_to_string(sympy.Rational(-7, 3)))
    -7/3
    """
    return str(x)


def exact_string(x: sympy.Expr | int) -> str:
    """The exact string of ``x`` for files and certificates: :func:`number_to_string`, checked
    to read back with :func:`parse_number` to exactly ``x`` (names are read as the symbols of
    ``x``).  Anything else is an InputError, never a file that says something else.

    >>> exact_string(sympy.sqrt(2) / 2), exact_string(2 * symbol("w") - 1)
    ('sqrt(2)/2', '2*w - 1')
    >>> exact_string(sympy.E)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot write E exactly: cannot parse number 'E': undeclared symbol 'E' at position 1
    >>> exact_string(sympy.Float("0.1"))
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot write 0.100000000000000 exactly: it is a floating-point number
    """
    if isinstance(x, int) and not isinstance(x, bool):
        x = sympy.Integer(x)
    if not isinstance(x, sympy.Expr):
        raise InputError(f"cannot write {x!r:.60} exactly: it is not a number")
    text = number_to_string(x)
    if x.is_Rational:  # "p/q" reads back as p/q whenever the digit bound allows it
        if abs(x.p) < _RATIONAL_LIMIT and x.q < _RATIONAL_LIMIT:
            return text
        raise InputError(f"cannot write {text[:40]}... exactly: more than {MAX_DIGITS} digits")
    if x.has(sympy.Float):
        raise InputError(f"cannot write {text[:60]} exactly: it is a floating-point number")
    try:
        back = parse_number(text, symbols={s.name: s for s in x.free_symbols if isinstance(s, sympy.Symbol)})
        if back == x or is_exact_zero(back - x):
            return text
    except InputError as exc:
        raise InputError(f"cannot write {text[:60]} exactly: {exc}") from None
    raise InputError(f"cannot write {text[:60]} exactly: it reads back as {str(back)[:60]}")


def matrix_to_strings(m: Matrix) -> list[list[str]]:
    """A matrix as rows of exact strings (the file schema; :func:`exact_string` each)."""
    return [[exact_string(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def vector_to_strings(v: Matrix) -> list[str]:
    """A column vector as a list of exact strings (the file schema; :func:`exact_string` each)."""
    return [exact_string(x) for x in v]


def free_symbols(items: Iterable[Matrix]) -> frozenset[sympy.Symbol]:
    """The symbols occurring in some matrices."""
    out: set[sympy.Symbol] = set()
    for m in items:
        out |= m.free_symbols
    return frozenset(out)


def is_rational_matrix(m: Matrix) -> bool:
    """True when every entry is a rational number.

    >>> is_rational_matrix(ImmutableMatrix([[1, sympy.Rational(1, 2)]]))
    True
    >>> is_rational_matrix(ImmutableMatrix([[sympy.sqrt(2)]]))
    False
    """
    return all(x.is_Rational for x in m)


def domain_matrix(m: Matrix) -> DomainMatrix:
    """The matrix over an explicitly chosen exact domain (ZZ, QQ, an algebraic field, or a
    polynomial ring), never over the slow generic expression domain when avoidable.

    With python-flint installed, sympy runs ZZ and QQ matrices on FLINT.

    >>> domain_matrix(ImmutableMatrix([[1, sympy.Rational(1, 2)]])).domain
    QQ
    >>> domain_matrix(ImmutableMatrix([[1, sympy.sqrt(2)]])).domain
    QQ<sqrt(2)>
    """
    rep = getattr(m, "_rep", None)  # sympy >= 1.13 stores dense matrices as DomainMatrix
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ):
        return rep.copy()
    if not m.free_symbols and not any(x.has(sympy.pi) for x in m):
        K, elems = exact_field(list(m))
        return DomainMatrix([elems[r * m.cols:(r + 1) * m.cols] for r in range(m.rows)], m.shape, K)
    # extension=True puts radicals into an algebraic field instead of the generic EX domain.
    return DomainMatrix.from_list_sympy(m.rows, m.cols, m.tolist(), extension=True)


def exact_field(values: Sequence[sympy.Expr]) -> tuple[Any, list[Any]]:
    """The smallest exact field holding every value (QQ, QQ<sqrt(2)>, ...) and the values
    converted into it, in order (QQ for no values).

    One place for this conversion: into an algebraic field it is what costs, so callers convert
    each entry once and do their linear algebra over the field.  Algebraic constants go through
    :func:`symeq.rings.number_field` (one primitive element, a documented degree limit);
    anything else (symbols, pi, cos(pi/5)) through sympy's ``construct_domain``.

    >>> K, xs = exact_field([sympy.Integer(2), sympy.sqrt(2) / 2])
    >>> K, [K.to_sympy(x) for x in xs]
    (QQ<sqrt(2)>, [2, sqrt(2)/2])
    >>> exact_field([])
    (QQ, [])
    """
    from symeq.rings import number_field

    values = _one_tanh(list(values))
    if values and not any(v.free_symbols or v.has(sympy.pi, sympy.tanh) for v in values):
        F = number_field(values)
        try:
            return F.K, [F.convert(v) for v in values]
        except ValueError:
            pass  # a constant outside the radicals (cos(pi/5)): sympy decides below
    # extension=True puts radicals into an algebraic field instead of the generic EX domain.
    K0, elems = construct_domain(values or [sympy.Integer(0)], extension=True)
    K = K0 if K0.is_Field else K0.get_field()
    return K, [K.convert_from(e, K0) for e in elems][:len(values)]


def _one_tanh(values: list[sympy.Expr]) -> list[sympy.Expr]:
    """``values`` with all their constants tanh(q) written through one, t = tanh(1/N): sympy's
    domains take distinct tanh atoms for independent generators, which they are not
    (tanh(2x) = 2t/(1 + t^2) for t = tanh(x)).  One tanh(q) is transcendental, so a domain with
    it as its only generator is exact.  Refuses pi beside tanh (their independence is open).

    >>> _one_tanh([sympy.tanh(1), sympy.tanh(sympy.Rational(1, 2))])
    [2*tanh(1/2)/(tanh(1/2)**2 + 1), tanh(1/2)]
    """
    atoms = {t for v in values for t in v.atoms(sympy.tanh)}
    if not atoms:
        return values
    if any(v.has(sympy.pi) for v in values):
        raise InputError("pi and tanh constants together cannot be decided (whether pi and e are "
                         "algebraically independent is open)")
    if len(atoms) == 1:
        return values
    n = exp_denominator(values)
    t, mult = sympy.tanh(sympy.Rational(1, n)), {a: int(a.args[0] * n) for a in atoms}
    if max(abs(k) for k in mult.values()) > MAX_EXPONENT:
        raise InputError(f"the constants {', '.join(sorted(map(str, atoms)))[:80]} are too far apart to be "
                         f"written through tanh(1/{n}) (a multiple above {MAX_EXPONENT})")
    sub = {a: sympy.cancel(((1 + t) ** abs(k) - (1 - t) ** abs(k)) / ((1 + t) ** abs(k) + (1 - t) ** abs(k)))
           * (1 if k > 0 else -1) for a, k in mult.items()}
    return [v.xreplace(sub) for v in values]


def is_exact_zero(x: sympy.Expr) -> bool:
    """Decide exactly whether ``x`` is zero, expanding and simplifying radicals first.

    >>> is_exact_zero(sympy.sqrt(8) - 2 * sympy.sqrt(2))
    True
    >>> is_exact_zero(sympy.pi * sympy.sqrt(2) - sympy.sqrt(2 * sympy.pi**2)), is_exact_zero(sympy.pi - 3)
    (True, False)
    """
    if x == 0:
        return True
    if x.is_Rational:
        return False
    y = sympy.expand(x)
    if y == 0:
        return True
    if y.has(sympy.tanh) and all(t.args[0].is_Rational for t in y.atoms(sympy.tanh)):
        return _tanh_is_zero(y)
    if y.has(sympy.pi):
        # pi is transcendental over the algebraic numbers: an expression in pi with algebraic
        # coefficients is zero exactly when it is zero with pi replaced by a variable.
        return is_exact_zero(y.xreplace({sympy.pi: sympy.Dummy("pi", positive=True)}))
    if y.free_symbols:
        return sympy.simplify(y) == 0
    if sympy.radsimp(y) == 0:
        return True
    # An algebraic constant: its minimal polynomial is x exactly when it is zero.
    try:
        return sympy.minimal_polynomial(y, sympy.Dummy("t")).as_expr().is_Symbol
    except (NotImplementedError, ValueError, NotAlgebraic):
        result = y.equals(0)
        if result is None:
            raise InputError(f"cannot decide whether {y} is zero") from None
        return bool(result)


def _tanh_arguments(values: Iterable[sympy.Expr]) -> set[sympy.Rational]:
    """The rational q of the constants tanh(q) in ``values`` (InputError for any other tanh)."""
    out = set()
    for v in values:
        for t in v.atoms(sympy.tanh):
            if not t.args[0].is_Rational:
                raise InputError(f"cannot decide a number with {t}: only tanh of a rational is exact")
            out.add(t.args[0])
    return out


def exp_denominator(values: Iterable[sympy.Expr]) -> int | None:
    """N such that every tanh(q) in ``values`` is (u^m - 1)/(u^m + 1) with u = e^(1/N), m = 2 q N
    (the lcm of the denominators of the q), or None when there is no tanh constant.

    >>> exp_denominator([sympy.tanh(1) + sympy.tanh(sympy.Rational(1, 2)), sympy.tanh(sympy.Rational(2, 3))])
    6
    """
    args = _tanh_arguments(values)
    return sympy.ilcm(1, *(q.q for q in args)) if args else None


def check_tanh_constants(values: Iterable[sympy.Expr], what: str = "the numbers") -> None:
    """Refuse (InputError) constants tanh(q) that one input cannot hold: beside pi, or needing
    u = e^(1/N) with N above :data:`MAX_EXP_DENOMINATOR`.

    >>> check_tanh_constants([sympy.tanh(sympy.Rational(1, 997)), sympy.tanh(sympy.Rational(1, 991))])
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: the numbers have constants tanh(q) whose denominators have the least common multiple 988027, above the limit 10000 (MAX_EXP_DENOMINATOR, docs/reference/schema.md)
    """
    values = list(values)
    if not any(v.has(sympy.tanh) for v in values):
        return
    if any(v.has(sympy.pi) for v in values):
        raise InputError(f"{what} have both pi and constants tanh(q): whether pi and e are algebraically "
                         "independent is open, so nothing could decide them together")
    n = exp_denominator(values)
    if n is not None and n > MAX_EXP_DENOMINATOR:
        raise InputError(f"{what} have constants tanh(q) whose denominators have the least common multiple "
                         f"{n}, above the limit {MAX_EXP_DENOMINATOR} (MAX_EXP_DENOMINATOR, docs/reference/schema.md)")


def tanh_in_exp(x: sympy.Expr, u: sympy.Symbol, n: int) -> sympy.Expr:
    """``x`` with every tanh(q) written as the rational function (u^m - 1)/(u^m + 1), m = 2 q n,
    of u = e^(1/n): the same number when u takes that value.

    >>> u = sympy.Symbol("u", positive=True)
    >>> tanh_in_exp(sympy.tanh(sympy.Rational(1, 2)), u, 2)
    (u**2 - 1)/(u**2 + 1)
    """
    return x.xreplace({t: (u ** int(2 * t.args[0] * n) - 1) / (u ** int(2 * t.args[0] * n) + 1)
                       for t in x.atoms(sympy.tanh)})


def _tanh_is_zero(y: sympy.Expr) -> bool:
    """Decide exactly whether an expression in constants tanh(q) (q rational), algebraic numbers
    and symbols is zero.  With u = e^(1/N), it is a rational function of u (:func:`tanh_in_exp`);
    u is transcendental over the algebraic numbers (Lindemann-Weierstrass), so the value is zero
    exactly when the numerator, a polynomial in u (with coefficients in the symbols), has only
    zero coefficients.  The terms are grouped by their power of u without a dense polynomial:
    the degree m may be large (tanh(1000) with N = 1000).

    >>> t1, t2 = sympy.tanh(1), sympy.tanh(sympy.Rational(1, 2))
    >>> _tanh_is_zero(t1 - 2 * t2 / (1 + t2**2)), _tanh_is_zero(t1 - t2)
    (True, False)
    """
    if y.has(sympy.pi):
        raise InputError(f"cannot decide whether {str(y)[:60]} is zero: pi and tanh constants together "
                         "(whether pi and e are algebraically independent is open)")
    u = sympy.Dummy("u", positive=True)
    num = sympy.fraction(sympy.together(tanh_in_exp(y, u, exp_denominator([y]))))[0]
    by_power: dict[sympy.Expr, sympy.Expr] = {}
    for term in sympy.Add.make_args(sympy.expand(num)):
        c, power = term.as_independent(u, as_Add=False)
        by_power[power] = by_power.get(power, sympy.Integer(0)) + c
    return all(is_exact_zero(c) for c in by_power.values())


def symbol_factors(values: Any) -> tuple[Any, ...]:
    """The irreducible factors, in the symbols, of the denominators of ``values`` (exact
    expressions), in a fixed order: where one of them vanishes the expression is undefined.

    >>> a, b = sympy.symbols("a b", real=True)
    >>> symbol_factors([1 / a, a / (a * b - b), sympy.Integer(3)])
    (a, b, a - 1)
    """
    out: dict[Any, None] = {}
    for x in values:
        if not getattr(x, "free_symbols", None):
            continue
        den = sympy.fraction(sympy.together(x))[1]
        if den.free_symbols:
            for f, _ in sympy.factor_list(den)[1]:
                if f.free_symbols:
                    out.setdefault(f, None)
    return tuple(sorted(out, key=sympy.default_sort_key))
