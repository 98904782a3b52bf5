"""The safe number parser (symeq.exact): exact values, symbol policies, round trips, and
refusal of hostile or oversized text with InputError (never another exception, never slowly)."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, sqrt

from symeq import exact
from symeq.errors import InputError
from symeq.exact import (
    domain_matrix,
    exact_string,
    is_exact_zero,
    is_rational_matrix,
    matrix_to_strings,
    number_to_string,
    parse_matrix,
    parse_number,
    parse_vector,
    symbol,
    vector_to_strings,
)

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
x, y = symbol("x"), symbol("y")


# -- exact values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", Integer(3)),
        ("-7", Integer(-7)),
        ("007", Integer(7)),
        ("3/6", Rational(1, 2)),
        ("-1/2 + 3", Rational(5, 2)),
        ("0.1", Rational(1, 10)),
        ("0.25", Rational(1, 4)),
        (".5", Rational(1, 2)),
        ("2.", Integer(2)),
        ("1.000", Integer(1)),
        ("123456789.987654321", Rational(123456789987654321, 10**9)),
        ("0.1 + 0.2", Rational(3, 10)),
        ("sqrt(2)/2", sqrt(2) / 2),
        ("sqrt(8)", 2 * sqrt(2)),
        ("sqrt(1/4)", Rational(1, 2)),
        ("sqrt(0)", Integer(0)),
        ("pi", sympy.pi),
        ("2*pi/3", 2 * sympy.pi / 3),
        ("2^10", Integer(1024)),
        ("2**10", Integer(1024)),
        ("2^-1", Rational(1, 2)),
        ("2**-1", Rational(1, 2)),
        ("-3^2", Integer(-9)),
        ("-3**2", Integer(-9)),
        ("(-3)^2", Integer(9)),
        ("2^3^2", Integer(512)),  # right associative
        ("-2^-2", Rational(-1, 4)),
        ("4^(1/2)", Integer(2)),
        ("2^(1/2)", sqrt(2)),
        ("2**0.5", sqrt(2)),
        ("(2/3)^-2", Rational(9, 4)),
        ("+-+-3", Integer(3)),
        ("1 - 2 - 3", Integer(-4)),  # left associative
        ("12/2/3", Integer(2)),
        ("2*3+4*5", Integer(26)),
        ("(1+sqrt(2))*(1-sqrt(2))", Integer(-1)),
        ("  \t3 \n", Integer(3)),
        ("0^0", Integer(1)),
    ],
)
def test_exact_values(text: str, value: sympy.Expr) -> None:
    got = parse_number(text)
    assert sympy.expand(got - value) == 0
    if value.is_Rational and "sqrt" not in text:
        assert got == value


def test_decimal_is_exact_not_binary() -> None:
    assert parse_number("0.1") == Rational(1, 10)
    assert parse_number("0.1") != Rational(0.1)  # the binary float 0.1 is another number
    assert parse_number("3.14159") == Rational(314159, 100000)


def test_integers_from_files_are_accepted_floats_and_booleans_are_not() -> None:
    assert parse_number(5) == Integer(5)
    assert parse_number(-5) == Integer(-5)
    with pytest.raises(InputError, match=r"^number 1\.5 is a float"):
        parse_number(1.5)
    with pytest.raises(InputError, match=r"^expected a number, found the boolean True$"):
        parse_number(True)
    with pytest.raises(InputError, match=r"^expected a number written as a string, found list$"):
        parse_number(["1"])
    with pytest.raises(InputError, match=r"^expected a number written as a string, found NoneType$"):
        parse_number(None)
    with pytest.raises(InputError, match="more than 400 digits"):
        parse_number(10**400)
    assert parse_number(10**399) == Integer(10**399)


# -- symbols --------------------------------------------------------------------------------


def test_symbol_policies() -> None:
    assert parse_number("2*w11 - 1") == 2 * symbol("w11") - 1
    assert parse_number("2*w11 - 1", symbols="declare").free_symbols == {symbol("w11")}
    assert symbol("w11").is_real
    with pytest.raises(InputError) as info:
        parse_number("x^2", symbols="forbid")
    assert str(info.value) == (
        "cannot parse number 'x^2': unknown name 'x' at position 1 (symbols are not allowed here)"
    )
    a = symbol("a")
    assert parse_number("a + 1", {"a": a}) == a + 1
    with pytest.raises(InputError) as info:
        parse_number("a + b", {"a": a})
    assert str(info.value) == "cannot parse number 'a + b': undeclared symbol 'b' at position 5"
    # a mapping may bind a name to any symbol (the poly activation binds z)
    z = sympy.Symbol("z")
    assert parse_number("z^2", {"z": z}) == z**2


def test_symbol_names() -> None:
    assert symbol("w_1x").name == "w_1x"
    for bad in ("sqrt", "pi", "1a", "_a", "a b", "a.b", ""):
        with pytest.raises(InputError, match=r"^invalid symbol name"):
            symbol(bad)
    # reserved words cannot be symbols: "pi" is the constant, "sqrt" needs parentheses
    assert parse_number("pi") == sympy.pi
    with pytest.raises(InputError, match=r"expected '\('"):
        parse_number("sqrt + 1")


# -- round trips ----------------------------------------------------------------------------

rationals = st.fractions(max_denominator=10**12).filter(lambda f: abs(f.numerator) < 10**30)
SYMBOLS = (symbol("a"), symbol("b"), symbol("w11"))


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> sympy.Expr:
    """Random expressions from rationals, sqrt of small integers, pi and symbols."""
    if depth == 0 or draw(st.booleans()):
        kind = draw(st.sampled_from(["rational", "sqrt", "symbol", "pi"]))
        if kind == "rational":
            return Rational(draw(rationals))
        if kind == "sqrt":
            return sqrt(draw(st.integers(0, 50)))
        if kind == "symbol":
            return draw(st.sampled_from(SYMBOLS))
        return sympy.pi
    a = draw(expressions(depth - 1))
    b = draw(expressions(depth - 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", "^"]))
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a if b == 0 else a / b
    if a == 0:
        return a
    return a ** draw(st.integers(-3, 3))


@FAST
@given(rationals)
def test_round_trip_rationals(f: Fraction) -> None:
    r = Rational(f)
    s = number_to_string(r)
    assert parse_number(s) == r
    assert parse_number(s, symbols="forbid") == r


@FAST
@given(expressions())
def test_round_trip_expressions(e: sympy.Expr) -> None:
    s = number_to_string(e)
    back = parse_number(s)
    assert sympy.simplify(back - e) == 0
    assert back.free_symbols == e.free_symbols


@FAST
@given(expressions())
def test_exact_string_writes_what_reads_back(e: sympy.Expr) -> None:
    s = exact_string(e)
    assert s == number_to_string(e)
    assert is_exact_zero(parse_number(s) - e)


@pytest.mark.parametrize("value, why", [
    (sympy.E, "undeclared symbol 'E'"),
    (sympy.exp(2), "undeclared symbol 'exp'"),
    (sympy.tanh(sympy.sqrt(2)), "tanh at position 1 takes a rational constant"),
    (sympy.Float("0.5"), "it is a floating-point number"),
    (1 + sympy.Float("0.25") * x, "it is a floating-point number"),
    (sympy.I, "undeclared symbol 'I'"),
    (Rational(10**400, 3), "more than 400 digits"),
    (sympy.Dummy("t") + 1, "unexpected character '_'"),
    ("1/2", "it is not a number"),
])
def test_exact_string_refuses_what_would_be_misread(value: object, why: str) -> None:
    # number_to_string writes all of these; read back they would fail or mean something else
    # (E as a symbol called E, 0.5000 as 1/2 while the float is only near it)
    with pytest.raises(InputError, match=f"cannot write .* exactly: .*{why}"):
        exact_string(value)  # type: ignore[arg-type]
    assert isinstance(number_to_string(value), str)  # display still works  # type: ignore[arg-type]


def test_exact_string_keeps_symbol_names_and_integers() -> None:
    e_symbol = sympy.Symbol("E")  # a parameter that happens to be called E is no Euler number
    assert exact_string(e_symbol + 1) == "E + 1"
    assert exact_string(7) == "7" and exact_string(sympy.pi / 2) == "pi/2"
    with pytest.raises(InputError, match="matrix_to_strings|cannot write tanh"):
        matrix_to_strings(sympy.ImmutableMatrix([[1, sympy.tanh(sympy.sqrt(2))]]))


@FAST
@given(st.lists(st.lists(rationals, min_size=1, max_size=4), min_size=1, max_size=4).filter(
    lambda rows: len({len(r) for r in rows}) == 1))
def test_matrix_and_vector_round_trip(rows: list[list[Fraction]]) -> None:
    m = sympy.ImmutableMatrix([[Rational(v) for v in r] for r in rows])
    assert parse_matrix(matrix_to_strings(m)) == m
    assert parse_matrix(matrix_to_strings(m), shape=m.shape) == m
    v = m[:, 0]
    assert parse_vector(vector_to_strings(v), length=v.rows) == v
    assert is_rational_matrix(m)


# -- matrices and vectors -------------------------------------------------------------------


def test_matrix_shape_errors() -> None:
    with pytest.raises(InputError) as info:
        parse_matrix([["1", "2"], ["3"]])
    assert str(info.value) == "matrix: row 2 has 1 entries, expected 2"
    with pytest.raises(InputError) as info:
        parse_matrix([["1", "2"]], shape=(2, 2), what="W_1")
    assert str(info.value) == "W_1 has shape 1 x 2, expected 2 x 2"
    for bad in ([], "1", [1, 2], None, [[]]):
        with pytest.raises(InputError):
            parse_matrix(bad, what="W")
    with pytest.raises(InputError) as info:
        parse_vector(["1"], length=2, what="b_1")
    assert str(info.value) == "b_1 has length 1, expected 2"
    with pytest.raises(InputError) as info:
        parse_vector("1", what="b_1")
    assert str(info.value) == "b_1 must be a list of numbers"
    with pytest.raises(InputError) as info:
        parse_matrix([["1", "2"], ["3", "oops"]], symbols="forbid", what="W_2")
    assert str(info.value) == ("cannot parse number 'oops': unknown name 'oops' at position 1 "
                               "(symbols are not allowed here) (in W_2 entry (2, 2))")
    with pytest.raises(InputError) as info:
        parse_vector(["1", 0.5], what="b_1")
    assert str(info.value) == 'number 0.5 is a float; write it as a string such as "3/2" or "1.5" (in b_1 entry 2)'


def test_matrix_with_empty_rows_is_refused() -> None:
    with pytest.raises(InputError, match="non-empty"):
        parse_matrix([[], []])


def test_zero_and_domains() -> None:
    assert is_exact_zero(sqrt(8) - 2 * sqrt(2))
    assert is_exact_zero(sympy.Integer(0))
    assert not is_exact_zero(sqrt(2) - Rational(14142, 10000))
    assert is_exact_zero((1 + sqrt(2)) ** 2 - 3 - 2 * sqrt(2))
    assert is_exact_zero((x + 1) ** 2 - x**2 - 2 * x - 1)
    assert not is_exact_zero(x)
    dm = domain_matrix(sympy.ImmutableMatrix([[1, Rational(1, 2)], [0, 3]]))
    assert str(dm.domain) == "QQ"
    dm = domain_matrix(sympy.ImmutableMatrix([[1, sqrt(2)], [0, 3]]))
    assert dm.domain.is_AlgebraicField
    assert dm.to_Matrix() == sympy.Matrix([[1, sqrt(2)], [0, 3]])
    assert dm.det() == dm.domain.from_sympy(Integer(3))
    assert str(domain_matrix(sympy.ImmutableMatrix([[2, 4]])).domain) == "ZZ"
    assert not is_rational_matrix(sympy.ImmutableMatrix([[sqrt(2)]]))


# -- hostile and malformed text -------------------------------------------------------------

HOSTILE = [
    "__import__('os')",
    "os.system('ls')",
    "lambda: 0",
    "1e999999",
    "1E5",
    "9**9**9**9",
    "9^9^9",
    "2^1000",
    "(2^64)^64*(2^64)^64",
    "x.__class__",
    "().__class__.__bases__",
    "sqrt(-1)",
    "(-1)^(1/2)",
    "(-8)^(1/3)",
    "(1-sqrt(2))^(1/2)",
    "sqrt(1-sqrt(2))",
    "1/0",
    "1/(sqrt(2)-sqrt(2))",
    "1/(x-x)",
    "0**-1",
    "0^(-1/2)",
    "2^x",
    "x^(1/2)",
    "sqrt(x)",
    "\u0661\u0662",  # Arabic-Indic digits
    "\uff11\uff12",  # full-width digits
    "\u00bd",
    "2\u00b2",
    "1\x002",
    "\x00",
    "1\u00a0+1",
    "",
    "   ",
    "()",
    "(1",
    "1)",
    "1 2",
    "2x",
    "1..2",
    "1.2.3",
    "0x10",
    "1_000",
    "sin(1)",
    "exp(1)",
    "sqrt 2",
    "sqrt(2",
    "1;2",
    "1,2",
    "[1]",
    "{}",
    "'1'",
    "\"1\"",
    "1 # comment",
    "a = 1",
    "1 if 1 else 0",
    "1 % 2",
    "2 // 1",
    "1 < 2",
    "~1",
    "1 & 1",
    "@",
    "$x",
    "\\",
    "(a+b+c+d+e+f)^64",
    "(a+b)*(c+d)*(e+f)*(g+h)*(i+j)*(k+l)*(m+n)*(o+p)*(q+r)*(s+t)*(u+v)*(w+x)*(y+z)*(a+c)",
    "x^64*x",
    "2^(1/63)*2^(1/64)",
    "9" * 401,
    "1/" + "9" * 401,
    "9" * 300 + "*" + "9" * 300,
    "(" * 150 + "1" + ")" * 150,
    "-" * 500 + "1",
    "sqrt(" * 120 + "2" + ")" * 120,
    "2^" * 300 + "1",
    "(" * 100_000 + "1" + ")" * 100_000,
    "1" * 10**6,
    "x" * 10**6,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:24]))
def test_hostile_strings_are_refused_quoting_the_text(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        parse_number(text)
    assert time.perf_counter() - start < 2
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 3 * exact.MAX_TEXT
    # the message quotes the offending text (its beginning when it is very long)
    assert repr(text[:40])[:-1] in message


def test_hostile_messages() -> None:
    cases = {
        "os.system(1)": "cannot parse number 'os.system(1)': unexpected character '.' at position 3",
        "1/0": "cannot parse number '1/0': division by zero at position 2",
        "sqrt(-1)": "cannot parse number 'sqrt(-1)': square root of a negative number at position 1",
        "(-1)^(1/2)": "cannot parse number '(-1)^(1/2)': fractional power of a negative number at position 5",
        "9**9**9**9": "cannot parse number '9**9**9**9': exponent 387420489 at position 5 is too large",
        "\u0661": "cannot parse number '\u0661': unexpected character '\u0661' at position 1",
        "1\x002": "cannot parse number '1\\x002': unexpected character '\\x00' at position 2",
        "": "cannot parse number '': empty",
        "sqrt(2": "cannot parse number 'sqrt(2': unexpected end, expected ')'",
        "2 3": "cannot parse number '2 3': unexpected '3' at position 3",
        "1e5": "cannot parse number '1e5': unexpected 'e5' at position 2",
    }
    for text, message in cases.items():
        with pytest.raises(InputError) as info:
            parse_number(text)
        assert str(info.value) == message
    with pytest.raises(InputError) as info:
        parse_number("1" * 10**6)
    assert str(info.value) == (
        f"number text {'1' * 40!r}... of 1000000 characters is too long (limit {exact.MAX_TEXT})"
    )
    with pytest.raises(InputError, match=r"nested more than 100 levels deep"):
        parse_number("(" * 150 + "1" + ")" * 150)


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = exact.MAX_DEPTH - 1
    assert parse_number("(" * depth + "7" + ")" * depth) == 7
    assert parse_number("-" * depth + "7") == (-1) ** depth * 7


def test_big_powers_are_bounded() -> None:
    assert parse_number("2^64") == 2**64
    assert parse_number("(2^64)^20") == 2**1280
    assert parse_number("(1/3)^64") == Rational(1, 3**64)
    assert parse_number("sqrt(2)^64") == 2**32
    assert parse_number("(a+b)^13").free_symbols == {symbol("a"), symbol("b")}
    with pytest.raises(InputError, match="exponent 65 at position 2 is too large"):
        parse_number("2^65")
    with pytest.raises(InputError, match="more than 400 digits"):
        parse_number("(3^60)^60")
    with pytest.raises(InputError, match="expands to more than 10000 terms"):
        parse_number("(a+b)^14*c")
    # whatever the parser builds, number_to_string writes something it reads back
    for text in ("(2^64)^20", "9" * 400, "(1+sqrt(2)+sqrt(3))^64", "x^64", "2^(1/64)/3^(1/63)"):
        value = parse_number(text)
        assert parse_number(number_to_string(value)) == value


TOKENS = ["1", "0", "2", "0.5", ".", "x", "pi", "sqrt", "(", ")", "+", "-", "*", "/", "^", "**",
          " ", "9", "e", "_", "\x00", "\u0661", "'"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)))
def test_fuzz_only_input_errors_and_fast(text: str) -> None:
    start = time.perf_counter()
    try:
        value = parse_number(text)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(value, sympy.Expr)
        assert value.is_real is not False  # no complex values ever
        # everything accepted survives a round trip
        assert sympy.simplify(parse_number(number_to_string(value)) - value) == 0
    assert time.perf_counter() - start < 5


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="()-+sqrt2^*/x0 ", min_size=500, max_size=2000))
def test_fuzz_long_inputs(text: str) -> None:
    start = time.perf_counter()
    try:
        parse_number(text)
    except InputError:
        pass
    assert time.perf_counter() - start < 5
