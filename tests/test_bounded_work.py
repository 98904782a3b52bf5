"""Bounded work in the engine (issue 12, item 1): inputs that used to run without end answer
within seconds, either with a verdict, "unknown (budget: ...)" (exit 3), or one line naming a
documented limit (exit 2).

Number fields: every algebraic number of an input lives in one number field, built by
symeq.rings.number_field from one primitive element, refused past MAX_FIELD_DEGREE.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, sqrt

from symeq.cli import main
from symeq.rings import MAX_FIELD_DEGREE, FieldTooLarge, exact_ring, number_field


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _bias_network(tmp_path: Path, number: str) -> Path:
    path = tmp_path / "net.json"
    path.write_text(json.dumps({
        "network": {"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]], [["1", "1"]]],
                    "biases": [[number, number], ["0"]]},
        "group": {"name": "S2", "output": "trivial"}}))
    return path


# -- number fields -------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["check", "identify", "latent", "symmetries", "explain"])
def test_a_number_field_past_the_limit_is_bad_input(verb, tmp_path, capsys):
    # the number of the issue: degree 64; sympy's field_isomorphism ran without end on it
    path = _bias_network(tmp_path, "sqrt(sqrt(sqrt(2)))+sqrt(3)+sqrt(5)+sqrt(7)")
    start = time.perf_counter()
    code, out, err = _run([verb, str(path)], capsys)
    assert time.perf_counter() - start < 30
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "degree 64" in err and f"limit {MAX_FIELD_DEGREE}" in err
    assert "MAX_FIELD_DEGREE" in err


def test_degree_sixteen_is_decided_fast(tmp_path, capsys):
    # sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7): sympy's to_number_field took 1.8 s per square root
    path = _bias_network(tmp_path, "sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7)")
    start = time.perf_counter()
    code, out, _ = _run(["check", str(path)], capsys)
    assert code == 0 and "verdict: holds" in out
    assert time.perf_counter() - start < 10


def test_large_radicands_do_not_break_the_field(tmp_path, capsys):
    # three 30-digit radicands: sympy's PSLQ conversion failed (ValueError, a traceback)
    number = "+".join(f"sqrt({10**k + c})" for k, c in ((30, 7), (29, 3), (28, 1)))
    path = _bias_network(tmp_path, number)
    code, out, _ = _run(["check", str(path)], capsys)
    assert code == 0 and "verdict: holds" in out


def test_field_degrees_are_exact_for_square_roots():
    # sqrt(6) = sqrt(2) sqrt(3): the coprime base sees it, and the field has degree 4, not 8
    F = number_field([sqrt(2), sqrt(3), sqrt(6) / 2, sqrt(Rational(2, 3))])
    assert F.K.ext.minpoly.degree() == 4
    assert F.K.to_sympy(F.convert(sqrt(6) * sqrt(Rational(2, 3)))) == 2
    # 2^5 = 32 is the limit, 2^6 is past it
    primes = [2, 3, 5, 7, 11, 13]
    assert number_field([sqrt(p) for p in primes[:5]]).K.ext.minpoly.degree() == 32
    with pytest.raises(FieldTooLarge, match="degree 64"):
        number_field([sqrt(p) for p in primes])


def test_nested_roots_of_one_field_are_not_counted_twice():
    # sympy writes sin(2 pi/5) and its relatives in several nested forms; they all lie in one
    # field of degree 8 with sqrt(2) (a count of root indices would say 64)
    forms = [sqrt(5), sqrt(2), sqrt(sqrt(5) + 5), sqrt(sqrt(5) / 8 + Rational(5, 8)),
             sqrt(Rational(5, 8) - sqrt(5) / 8), sqrt(5 - sqrt(5))]
    F = number_field(forms)
    assert F.K.ext.minpoly.degree() == 8
    for x in forms:
        assert abs(sympy.N(F.K.to_sympy(F.convert(x)) - x, 50)) < 1e-40


def test_a_radical_of_large_degree_is_refused_without_trying():
    start = time.perf_counter()
    with pytest.raises(FieldTooLarge, match="up to"):
        number_field([sqrt(2), sqrt(3), sqrt(5), sqrt(7), Integer(13) ** Rational(1, 16)])
    assert time.perf_counter() - start < 5


_ATOMS = [sqrt(2), sqrt(3), sqrt(6), sqrt(Rational(1, 2)), Integer(2) ** Rational(1, 4), sqrt(1 + sqrt(2)),
          sqrt(10**20 + 39)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(_ATOMS), st.sampled_from(_ATOMS)),
                min_size=1, max_size=4))
def test_conversion_into_the_field_is_exact(terms):
    values = [c * a * b for c, a, b in terms]
    F = number_field(values)
    total = sympy.Add(*values)
    back = F.K.to_sympy(sum((F.convert(v) for v in values), F.K.zero))
    assert abs(sympy.N(back - total, 60)) < sympy.Float(10) ** -40


def test_exact_ring_reads_polynomials_over_the_field():
    w = sympy.Symbol("w", real=True)
    R = exact_ring([sqrt(2) * w + 1, sqrt(3), sympy.pi * sqrt(6)])
    assert R is not None and R.ground.ext.minpoly.degree() == 4
    x = R.element(sqrt(2) * w + sqrt(3) * sympy.pi * sqrt(2))
    assert sympy.expand(R.to_sympy(x) - (sqrt(2) * w + sqrt(6) * sympy.pi)) == 0
