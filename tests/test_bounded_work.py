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
from symeq.errors import InputError
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


# -- groups with many generators, large groups ---------------------------------------------------

_TANH_4 = {"activation": "tanh",
           "weights": [[["2", "1", "1", "1"], ["1", "2", "1", "1"], ["1", "1", "2", "1"], ["1", "1", "1", "2"]],
                       [["1", "0", "0", "0"], ["0", "1", "0", "0"], ["0", "0", "1", "0"], ["0", "0", "0", "1"]]],
           "biases": [["1", "1", "1", "1"], ["0", "0", "0", "0"]]}


def _perm_matrix(p):
    return [["1" if p[j] == i else "0" for j in range(len(p))] for i in range(len(p))]


def _s4_generators(n, seed=1):
    import itertools
    import random

    rng = random.Random(seed)
    perms = list(itertools.permutations(range(4)))
    return {f"g{k}": {"input": _perm_matrix(rng.choice(perms))} for k in range(n)}


def test_thousands_of_generators_are_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"network": _TANH_4, "group": {"generators": _s4_generators(3000)}}))
    start = time.perf_counter()
    for verb in ("latent", "check", "explain"):
        code, out, err = _run([verb, str(path)], capsys)
        assert code == 2 and err.count("\n") == 1 and "3000 generators" in err and "MAX_GENERATORS" in err
    assert time.perf_counter() - start < 30


def test_thirty_two_generators_stay_within_seconds(tmp_path, capsys):
    # S4 by 32 random permutations: the presentation search ran thousands of coset enumerations
    # (minutes); the latent structure now checks homomorphisms by closure
    path = tmp_path / "s4.json"
    path.write_text(json.dumps({"network": _TANH_4, "group": {"generators": _s4_generators(32)}}))
    start = time.perf_counter()
    code, out, err = _run(["latent", str(path), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["verdict"] == "holds"
    assert time.perf_counter() - start < 30


def test_presentations_of_many_generators_go_through_a_generating_subset():
    from symeq.groups import GroupAction
    from symeq.groups.permutation import finite_group
    from symeq.groups.presentation import enumerate_cosets, presentation
    from symeq.exact import parse_matrix

    gens = _s4_generators(32)
    mats = tuple(parse_matrix(g["input"]) for g in gens.values())
    G = finite_group(GroupAction(tuple(gens), mats, mats))
    start = time.perf_counter()
    P = presentation(G)
    assert time.perf_counter() - start < 10
    assert P.order == 24 and len(enumerate_cosets(P.names, P.relators)) == 24
    assert len(P.relators) <= 31 + 6  # one relator per redundant generator, a few for the core


def test_large_signed_permutation_groups_close_fast():
    # C_2^12 acting by sign flips on R^12: 4096 elements of 12 x 12 matrices took 40 s
    from symeq.groups import group_from_dict

    d = 12
    flips = {f"f{k}": {"input": [[("-1" if j == k else "1") if i == j else "0" for j in range(d)]
                                 for i in range(d)]} for k in range(d)}
    start = time.perf_counter()
    G = group_from_dict({"generators": flips}, d, d)
    assert G.order() == 4096
    assert time.perf_counter() - start < 10
    # the same group on rational (non-signed-permutation) matrices: the flint closure
    conj = {f"f{k}": {"input": [[("-1" if j == k else "1") if i == j else "0" for j in range(3)]
                                for i in range(3)]} for k in range(3)}
    conj["h"] = {"input": [["1/2", "0", "0"], ["0", "2", "0"], ["0", "0", "1"]]}
    with pytest.raises(InputError, match="infinite"):
        group_from_dict({"generators": conj}, 3, 3)


# -- classify: one budget for the listing and the width search ------------------------------------


def test_classify_honours_its_budget(capsys):
    start = time.perf_counter()
    code, out, err = _run(["classify", "--arch", "relu:2-12-12-2", "--group", "C12", "--json", "--no-progress"],
                          capsys)
    assert time.perf_counter() - start < 30
    assert code == 3, err
    doc = json.loads(out)
    assert doc["total_assignments"] == 2025 and len(doc["assignments"]) == 500
    assert doc["smallest_nondegenerate_width"]["status"] == "unknown"
    code, out, err = _run(["classify", "--arch", "relu:2-12-12-2", "--group", "C12", "--json", "--no-progress",
                           "--budget", "40"], capsys)
    doc = json.loads(out)
    assert code == 3 and len(doc["assignments"]) == 40
    assert "budget" in doc["smallest_nondegenerate_width"]["reason"]
