"""Exact constants tanh(q), q rational (issue 12, section 4): the number grammar of files and
certificates reads them, the engine decides them exactly (one transcendental u = e^(1/N)), the
reducer absorbs a tanh neuron with a zero incoming row and a rational bias, and the checker
re-verifies it in Q(alpha)(u).  Before this, ``identify`` answered "unknown" on such networks."""

from __future__ import annotations

import copy
import json

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sympy import Rational

from symeq.certify.reader import Reader
from symeq.certify.verify import verify_certificate
from symeq.cli import main
from symeq.errors import InputError
from symeq.exact import exact_string, is_exact_zero, parse_number, symbol
from symeq.kernel.core import Reject

LINDEMANN = "Lindemann-Weierstrass: e^(1/N) is transcendental (exact tanh constants)"

# tanh 2-3-1; neuron 2 (index 1) has a zero incoming row and bias 1: it outputs tanh(1)
NETWORK = """[network]
architecture = "mlp"
activation = "tanh"
widths = [2, 3, 1]
weights = [
    [["1", "2"], ["0", "0"], ["-1", "3"]],
    [["1", "2", "-1"]],
]
biases = [["1/2", "1", "0"], ["0"]]
"""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("tanhconst")
    (folder / "net.toml").write_text(NETWORK)
    out = folder / "c.json"
    assert main(["identify", str(folder / "net.toml"), "--no-local", "--certificate", str(out)]) == 0
    return json.loads(out.read_text())


def test_identify_absorbs_the_constant_tanh_neuron(tmp_path, capsys) -> None:
    # unknown (exit 3) before: "tanh(1) is not an exact number of the file grammar; it was kept"
    (tmp_path / "net.toml").write_text(NETWORK)
    out = tmp_path / "c.json"
    assert main(["identify", str(tmp_path / "net.toml"), "--no-local", "--json", "--certificate", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "weakly identifiable"
    doc = json.loads(out.read_text())
    assert doc["claim"]["reduced"]["biases"] == [["1/2", "0"], ["2*tanh(1)"]]
    assert doc["evidence"]["steps"] == [{"op": "absorb_constant", "layer": 1, "neuron": 1, "constant": "tanh(1)"}]
    assert doc["numbers"]["exp_denominator"] == 1


def test_the_certificate_verifies_and_names_what_it_relies_on(certificate, tmp_path, capsys) -> None:
    v = verify_certificate(certificate)
    assert v.ok, v.reason
    assert v.relies == ("kernel", LINDEMANN, "theorem Sussmann 1992 (literature)")
    (tmp_path / "c.json").write_text(json.dumps(certificate))
    assert main(["verify", str(tmp_path / "c.json")]) == 0
    assert "verified" in capsys.readouterr().out


@pytest.mark.parametrize("path, value, why", [
    (("evidence", "steps", 0, "constant"), "tanh(1/2)", "is not the constant"),
    (("evidence", "steps", 0, "constant"), "0.76159415595576488812", "is not the constant"),
    (("claim", "reduced", "biases", 1, 0), "tanh(2)", "fails at entry (2, 1)"),
    (("claim", "reduced", "biases", 1, 0), "2*tanh(1) + 1/" + "1" + "0" * 300, "fails at entry (2, 1)"),
    (("numbers", "exp_denominator"), 0, "exp_denominator must be an integer from 1 to 10000"),
    (("numbers", "exp_denominator"), 10**5, "exp_denominator must be an integer from 1 to 10000"),
    (("claim", "reduced", "biases", 1, 0), "2*tanh(1) + pi", "pi at position 13 in a certificate with tanh"),
])
def test_a_wrong_constant_is_rejected(certificate, path, value, why) -> None:
    bad = copy.deepcopy(certificate)
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    v = verify_certificate(bad)
    assert not v.ok and why in v.reason, v.reason


def test_without_the_hint_the_checker_refuses_tanh(certificate) -> None:
    bad = copy.deepcopy(certificate)
    del bad["numbers"]
    v = verify_certificate(bad)
    assert not v.ok and 'tanh(q) needs "exp_denominator" N in the numbers hint' in v.reason


# -- the grammar, bounded on both sides ----------------------------------------------------------


@pytest.mark.parametrize("text, why", [
    ("tanh(1001)", "numerator or denominator above 1000"),
    ("tanh(1/1001)", "numerator or denominator above 1000"),
    ("tanh(1000000/3)", "numerator or denominator above 1000"),
    ("tanh(sqrt(2))", "takes a rational constant"),
    ("tanh(w)", "takes a rational constant"),
    ("sqrt(tanh(1))", "not one with pi or tanh"),
    ("tanh(1) + pi", "pi and tanh constants in one number"),
])
def test_the_engine_grammar_refuses(text, why) -> None:
    with pytest.raises(InputError, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse_number(text, "declare")


def test_tanh_is_no_symbol_name() -> None:
    with pytest.raises(InputError, match="invalid symbol name 'tanh'"):
        symbol("tanh")
    with pytest.raises(Reject, match="network symbols must be distinct names"):
        Reader({"network": {"symbols": ["tanh"]}})


def reader(n: int) -> Reader:
    return Reader({"numbers": {"minimal_polynomial": ["0", "1"], "interval": ["-1", "1"], "exp_denominator": n}})


@pytest.mark.parametrize("text, why", [
    ("tanh(2000)", "the numerator and denominator must be at most 1000"),
    ("tanh(1/1001)", "the numerator and denominator must be at most 1000"),
    ("tanh(1/3)", "2 q N is not an integer"),
    ("tanh(sqrt(2))", "takes a rational constant"),
    ("sqrt(tanh(1))", "has a tanh constant in its base"),
    ("pi", "in a certificate with tanh constants"),
])
def test_the_checker_grammar_refuses(text, why) -> None:
    r = Reader({"numbers": {"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"], "exp_denominator": 2,
                            "radicals": [{"base": "2", "root": 2, "value": ["0", "1"]}]}})
    with pytest.raises(Reject, match=why):
        r.const(text)


# -- exact decisions agree with the addition theorem, on both sides -------------------------------

small = st.fractions(min_value=-4, max_value=4, max_denominator=6).filter(lambda f: f != 0)


@settings(max_examples=15, deadline=None)
@given(small, small)
def test_addition_theorem_holds_exactly_and_a_perturbation_does_not(a, b) -> None:
    a, b = Rational(a.numerator, a.denominator), Rational(b.numerator, b.denominator)
    assume(a + b != 0)
    ta, tb, tab = sympy.tanh(a), sympy.tanh(b), sympy.tanh(a + b)
    rhs = (ta + tb) / (1 + ta * tb)
    assert is_exact_zero(tab - rhs)
    assert not is_exact_zero(tab - rhs + Rational(1, 10**30))
    assert not is_exact_zero(tab - ta - tb)
    # the checker, on the strings the engine writes
    n = int(sympy.ilcm(a.q, b.q, (a + b).q))
    r = reader(n)
    left, right = r.const(exact_string(tab)), r.const(exact_string(sympy.together(rhs)))
    assert left == right and not left == r.const(exact_string(ta + tb))


def test_a_wrong_tanh_identity_is_not_zero_even_when_balls_overlap() -> None:
    # tanh(30) and 1 agree to 52 digits: a float test would call them equal, the exact one does not
    assert not is_exact_zero(sympy.tanh(30) - 1)
    r = reader(1)
    assert not r.const("tanh(30)") == r.const("1") and (r.const("tanh(30)") - 1).sign() == -1


# -- tanh(q) in the files of other verbs ----------------------------------------------------------

ODD = """[network]
activation = "tanh"
weights = [[["tanh(1)"], ["-2"]], [["1", "tanh(1/2)"]]]
biases = [["0", "0"], ["BIAS"]]

[group]
relations = ["r^2"]

[group.generators.r]
input = [["-1"]]
output = [["-1"]]
"""


@pytest.mark.parametrize("bias, code, claim", [("0", 0, "equivariant"), ("tanh(1)", 1, "not_equivariant")])
def test_check_decides_networks_with_tanh_constants(tmp_path, capsys, bias, code, claim) -> None:
    # odd weights and an output bias 0: f is odd; the bias tanh(1) breaks it (f(0) = tanh(1)),
    # refuted by a witness whose ball evaluation encloses tanh(1)
    (tmp_path / "odd.toml").write_text(ODD.replace("BIAS", bias))
    out = tmp_path / "c.json"
    assert main(["check", str(tmp_path / "odd.toml"), "--certificate", str(out)]) == code
    doc = json.loads(out.read_text())
    assert doc["claim"]["kind"] == claim and doc["numbers"]["exp_denominator"] == 2
    v = verify_certificate(doc)
    assert v.ok and LINDEMANN in v.relies, v.reason


@pytest.mark.parametrize("weight, why", [
    ("pi", "the network's numbers have both pi and constants tanh(q)"),
    ("tanh(1/997) + tanh(1/991)", "least common multiple 1976054, above the limit 10000"),
])
def test_inputs_the_checker_could_not_read_are_refused_in_one_line(tmp_path, capsys, weight, why) -> None:
    (tmp_path / "odd.toml").write_text(ODD.replace("BIAS", "0").replace('"-2"', f'"{weight}"'))
    code = main(["identify", str(tmp_path / "odd.toml")])
    err = capsys.readouterr().err
    assert code == 2 and why in err and len(err.strip().splitlines()) == 1, err


def test_a_constant_no_certificate_could_state_is_kept_with_a_note(tmp_path, capsys) -> None:
    # tanh(1/997) is absorbed; tanh(1/991) beside it would need e^(1/N), N = 988027 > 10,000: kept,
    # so the verdict is unknown (exit 3), not an unwritable certificate (exit 4)
    (tmp_path / "two.toml").write_text(NETWORK.replace('["0", "0"], ["-1", "3"]', '["0", "0"], ["0", "0"]')
                                       .replace('"1/2", "1", "0"', '"1/2", "1/997", "1/991"'))
    assert main(["identify", str(tmp_path / "two.toml"), "--no-local", "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "unknown"
    assert any("tanh(1/991) and the network's other constants tanh(q) would need e^(1/N) with N = 988027" in n
               for n in data["notes"]), data["notes"]
