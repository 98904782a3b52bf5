"""The independent checker (symeq/certify/checker*.py) and ``symeq verify``.

Certificates are written here by hand, as dicts, so these tests do not depend on the engine.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
import types
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, pi, sqrt

from symeq.certify import checker
from symeq.certify.checker import (
    TRUSTED_RELATIONS,
    Reject,
    is_trusted_relation,
    parse_activation,
    verify_certificate,
)
from symeq.certify.checker_parse import MAX_TEXT, is_zero, parse_number, sign

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- hand-built certificates ----------------------------------------------------------------


def cert(claim: str, network: dict, group: dict, evidence: dict) -> dict[str, Any]:
    return {"format": "symeq-certificate", "version": 1, "claim": {"kind": claim},
            "network": network, "group": group, "evidence": evidence,
            "engine": {"symeq_version": "test", "seconds": "0.01"}}


def mono(perm: list[int], rels: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    return {"kind": "monomial", "perm": perm, "relations": [dict(zip("acbe", r)) for r in rels]}


ROT90 = [["0", "-1"], ["1", "0"]]
C = "sqrt(2)/2"
ROT45 = [[C, "-" + C], [C, C]]
AXES = [["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]]  # rows +-e1, +-e2
TANH_M = ("-1", "0", "-1", "0")

# C4 rotating a tanh [2,4,2] net; the latent action is a signed 4-cycle (every a = -1).
C4_TANH = cert(
    "equivariant",
    {"architecture": "mlp", "activation": "tanh", "widths": [2, 4, 2],
     "weights": [AXES, [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
     "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT90, "output": ROT90}}, "relations": ["r^4"]},
    {"method": "layerwise", "actions": {"r": [mono([3, 0, 1, 2], [TANH_M] * 4)]}})

# The sign group on an odd tanh network of depth 3: latent action -I on both hidden layers.
SIGN_TANH = cert(
    "equivariant",
    {"activation": "tanh", "widths": [2, 3, 3, 1],
     "weights": [[["1", "-2"], ["1/2", "3"], ["0.25", "sqrt(3)"]],
                 [["1", "1", "0"], ["2", "-1", "1/3"], ["0", "5", "-7"]],
                 [["1", "-1", "2"]]],
     "biases": [["0"] * 3, ["0"] * 3, ["0"]]},
    {"generators": {"s": {"input": [["-1", "0"], ["0", "-1"]], "output": [["-1"]]}}, "relations": ["s^2"]},
    {"method": "layerwise", "actions": {"s": [mono([0, 1, 2], [TANH_M] * 3)] * 2}})

# A mirror of 3 inputs (and of 2 outputs) on a sigmoid net: the two hidden neurons swap through
# sigma(-z) = 1 - sigma(z), an affine signed permutation with shift entries e = 1.
SIGMOID_MIRROR = cert(
    "equivariant",
    {"activation": "sigmoid", "widths": [3, 2, 2],
     "weights": [[["1", "2", "0"], ["0", "-2", "-1"]], [["3", "1/2"], ["-1/2", "-3"]]],
     "biases": [["1/2", "-1/2"], ["1", "9/2"]]},
    {"generators": {"m": {"input": [["0", "0", "1"], ["0", "1", "0"], ["1", "0", "0"]],
                          "output": [["0", "1"], ["1", "0"]]}}, "relations": ["m^2"]},
    {"method": "layerwise", "actions": {"m": [mono([1, 0], [("-1", "0", "-1", "1")] * 2)]}})

# A linear network, equivariant under the swap, with latent action M_1 = W_1 s W_1^-1, t_1 = b_1 - M_1 b_1.
IDENTITY_AFFINE = cert(
    "equivariant",
    {"activation": "identity", "widths": [2, 2, 2],
     "weights": [[["1", "2"], ["3", "4"]], [["-5/2", "3/2"], ["1", "0"]]],
     "biases": [["1", "-1"], ["5", "0"]]},
    {"generators": {"s": {"input": [["0", "1"], ["1", "0"]], "output": [["0", "1"], ["1", "0"]]}},
     "relations": ["s^2"]},
    {"method": "layerwise",
     "actions": {"s": [{"kind": "affine", "matrix": [["-5/2", "3/2"], ["-7/2", "5/2"]], "shift": ["5", "5"]}]}})

# z -> z^2 on C = R^2 by a power:2 network: rotating the input by 45 degrees rotates the output by
# 90 degrees.  No neuron matching exists (rows (1,1), (1,-1) rotate to (sqrt 2, 0), ...).
POWER_C8 = cert(
    "equivariant",
    {"activation": "power:2", "widths": [2, 4, 2],
     "weights": [[["1", "0"], ["0", "1"], ["1", "1"], ["1", "-1"]], [["1", "-1", "0", "0"], ["0", "0", "1/2", "-1/2"]]],
     "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT45, "output": ROT90}}, "relations": ["r^8"]},
    {"method": "polynomial_identity"})

# THEORY.md section 6: the width-4 relu net computing the identity of R^2, C8-equivariant.
RELU_C8 = cert(
    "equivariant",
    {"activation": "relu", "widths": [2, 4, 2],
     "weights": [AXES, [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]], "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT45, "output": ROT45}}, "relations": ["r^8"]},
    {"method": "relu_canonical_form"})

# f(x) = (2 tanh x1, 3 tanh x2) is not C4-equivariant: at x = (0, 1) coordinate 0 differs by tanh 1.
TANH_WITNESS = cert(
    "not_equivariant",
    {"activation": "tanh", "widths": [2, 4, 2],
     "weights": [AXES, [["1", "0", "-1", "0"], ["0", "1", "0", "-2"]]], "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT90, "output": ROT90}}, "relations": ["r^4"]},
    {"method": "witness", "generator": "r", "x": ["0", "1"], "coordinate": 0, "difference_lower_bound": "1/2"})

# The relu C8 net with one outgoing weight halved: at x = (0, -1) coordinate 0 differs by sqrt(2)/4.
RELU_WITNESS = cert(
    "not_equivariant",
    {"activation": "relu", "widths": [2, 4, 2],
     "weights": [AXES, [["1", "0", "-1", "0"], ["0", "1", "0", "-1/2"]]], "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT45, "output": ROT45}}, "relations": ["r^8"]},
    {"method": "witness", "generator": "r", "x": ["0", "-1"], "coordinate": 0, "difference_lower_bound": "1/4"})

VALID = {"C4_TANH": C4_TANH, "SIGN_TANH": SIGN_TANH, "SIGMOID_MIRROR": SIGMOID_MIRROR,
         "IDENTITY_AFFINE": IDENTITY_AFFINE, "POWER_C8": POWER_C8, "RELU_C8": RELU_C8,
         "TANH_WITNESS": TANH_WITNESS, "RELU_WITNESS": RELU_WITNESS}
#: "holds" certificates in which every number is pinned down by the claim: changing any one
#: makes the claim false.  (SIGN_TANH is not: every odd network with zero biases is
#: sign-equivariant, so its weights are free; witnesses stay witnesses under small changes.)
RIGID = ("C4_TANH", "SIGMOID_MIRROR", "IDENTITY_AFFINE", "POWER_C8", "RELU_C8")


@pytest.mark.parametrize("name", sorted(VALID))
def test_hand_built_certificates_verify(name: str) -> None:
    v = verify_certificate(copy.deepcopy(VALID[name]))
    assert v.ok, v.reason
    assert v.reason is None
    assert v.steps[0].startswith("network:") and v.steps[1].startswith("group:")
    assert len(v.steps) >= 3


def test_steps_say_what_was_checked() -> None:
    v = verify_certificate(copy.deepcopy(C4_TANH))
    assert v.claim.startswith("equivariant: f(rho_0(g) x) = rho_L(g) f(x)")
    assert v.steps[1] == "group: generators r, matrices invertible; relations r^4 hold"
    assert "perm [3, 0, 1, 2]" in v.steps[2] and "4 trusted relations of tanh" in v.steps[2]
    v = verify_certificate(copy.deepcopy(RELU_WITNESS))
    assert v.steps[-1] == ("generator r: exact difference at x, coordinate 0: sqrt(2)/4; "
                           "|difference| >= 1/4")


def test_the_c8_relu_net_is_not_layerwise() -> None:
    """No monomial latent action fits the C8 relu net (THEORY.md section 6): the rows of W_1 rho_0
    are not positive multiples of rows of W_1, so any layerwise certificate is rejected."""
    bad = copy.deepcopy(RELU_C8)
    bad["evidence"] = {"method": "layerwise",
                       "actions": {"r": [mono([1, 2, 3, 0], [("1", "0", "1", "0")] * 4)]}}
    v = verify_certificate(bad)
    assert not v.ok and "row equation of neuron 1 fails" in v.reason


# -- tampering ------------------------------------------------------------------------------

_NOT_NUMBERS = {"kind", "method", "activation", "architecture", "generator", "format", "version", "engine"}


def numeric_leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every number (string or JSON integer) in the checked parts of a certificate."""
    if isinstance(doc, dict):
        return [p for k, v in doc.items() if k not in _NOT_NUMBERS for p in numeric_leaves(v, path + (k,))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in numeric_leaves(v, path + (i,))]
    if isinstance(doc, (str, int)) and not isinstance(doc, bool) and path[:2] != ("group", "relations"):
        return [path]
    return []


def tampered(doc: dict, path: tuple, new: Any) -> dict:
    out = copy.deepcopy(doc)
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = new(node[path[-1]])
    return out


def _bump(value: Any) -> Any:
    return value + 1 if isinstance(value, int) else f"({value})+1"


def test_tampering_every_number_by_one_is_rejected() -> None:
    count = 0
    for name in RIGID:
        for path in numeric_leaves(VALID[name]):
            v = verify_certificate(tampered(VALID[name], path, _bump))
            assert not v.ok, f"{name}: changing {path} still verifies"
            assert not v.reason.startswith("checker could not"), (name, path, v.reason)
            count += 1
    assert count > 100


def test_tampering_sign_tanh_biases_group_and_relations_is_rejected() -> None:
    for path in numeric_leaves(SIGN_TANH):
        if path[:2] == ("network", "weights"):
            continue  # free: every odd network with zero biases is sign-equivariant
        assert not verify_certificate(tampered(SIGN_TANH, path, _bump)).ok, path


@SETTINGS
@given(data=st.data())
def test_replacing_a_random_number_is_rejected(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(RIGID))
    doc = VALID[name]
    path = data.draw(st.sampled_from(numeric_leaves(doc)))
    node: Any = doc
    for k in path:
        node = node[k]
    if isinstance(node, int):
        new: Any = data.draw(st.integers(-3, 70).filter(lambda n: n != node))
    else:
        old = parse_number(node)
        q = data.draw(st.fractions(max_denominator=9).filter(lambda f: f != 0 and abs(f) < 50))
        new = str(q) if not is_zero(Rational(q.numerator, q.denominator) - old) else f"({node})+{q}"
    v = verify_certificate(tampered(doc, path, lambda _: new))
    assert not v.ok
    assert not v.reason.startswith("checker could not"), v.reason


def test_tampered_witnesses_are_rejected() -> None:
    def with_(doc: dict, key: str, value: Any) -> dict:
        out = copy.deepcopy(doc)
        out["evidence"][key] = value
        return out

    for doc in (TANH_WITNESS, RELU_WITNESS):
        assert not verify_certificate(with_(doc, "difference_lower_bound", "1")).ok  # above |diff|
        assert not verify_certificate(with_(doc, "difference_lower_bound", "0")).ok
        assert not verify_certificate(with_(doc, "difference_lower_bound", "-1/2")).ok
        assert not verify_certificate(with_(doc, "x", ["0", "0"])).ok  # f(0) = 0: no difference
        assert not verify_certificate(with_(doc, "coordinate", 1)).ok
        assert not verify_certificate(with_(doc, "coordinate", 2)).ok
    v = verify_certificate(with_(TANH_WITNESS, "difference_lower_bound", "tanh1"))
    assert not v.ok and "unknown name 'tanh1'" in v.reason
    v = verify_certificate(with_(RELU_WITNESS, "difference_lower_bound", "sqrt(2)/4"))
    assert v.ok  # >= holds with equality, decided exactly
    v = verify_certificate(with_(RELU_WITNESS, "difference_lower_bound", "sqrt(2)/4 + 10^-30"))
    assert not v.ok


# -- malformed certificates -------------------------------------------------------------------


def _edit(doc: dict, fn: Any) -> dict:
    out = copy.deepcopy(doc)
    fn(out)
    return out


MALFORMED = [
    (lambda d: d.pop("format"), "not a symeq certificate"),
    (lambda d: d.update(version=2), "unsupported certificate version 2"),
    (lambda d: d.update(version=True), "unsupported certificate version"),
    (lambda d: d.update(extra=1), "certificate has unexpected key(s): extra"),
    (lambda d: d.pop("claim"), "certificate is missing 'claim'"),
    (lambda d: d.update(claim="equivariant"), "'claim' has the wrong type"),
    (lambda d: d["claim"].update(kind="magic"), "unknown claim kind 'magic'"),
    (lambda d: d["claim"].update(note="x"), "claim has unexpected key(s): note"),
    (lambda d: d.pop("network"), "certificate is missing 'network'"),
    (lambda d: d.pop("group"), "certificate is missing 'group'"),
    (lambda d: d["evidence"].update(method="magic"), "unknown evidence method 'magic'"),
    (lambda d: d["network"].update(activation="tanh2"), "unknown or malformed activation 'tanh2'"),
    (lambda d: d["network"].update(architecture="conv"), "architecture 'conv' is not supported"),
    (lambda d: d["network"].update(widths=[2, 5, 2]), "do not match the weights [2, 4, 2]"),
    (lambda d: d["network"]["weights"][0].append(["1"]), "W_1 has the wrong shape"),
    (lambda d: d["network"]["weights"][1].pop(), "b_2 must be a list of 1 numbers"),
    (lambda d: d["network"]["biases"][0].pop(), "b_1 must be a list of 4 numbers"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, 1.0), "must be an exact number written as a string"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, True), "must be an exact number"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, None), "must be an exact number"),
    (lambda d: d["network"].update(symbols=["u"], biases=[["0", "0", "0", "w"], ["0", "0"]]),
     "cannot read b_1 entry 'w': unknown name 'w'"),
    (lambda d: d["network"].update(symbols=["pi"]), "network symbols must be names"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "0"], ["0", "w"]]), "unknown name 'w'"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "1"], ["1", "1"]]), "is singular"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "0", "0"]]), "has the wrong shape"),
    (lambda d: d["group"].update(relations=["r^3"]), "group relation 'r^3' fails"),
    (lambda d: d["group"].update(relations=["q^4"]), "cannot read group relation 'q^4'"),
    (lambda d: d["group"].update(relations=["r^100000"]), "has an exponent above 1000"),
    (lambda d: d["group"].update(relations=["r^^2"]), "cannot read group relation"),
    (lambda d: d["group"].update(name="C4"), "group has unexpected key(s): name"),
    (lambda d: d["evidence"]["actions"].update(s=[]), "exactly the generators r"),
    (lambda d: d["evidence"]["actions"].update(r=[]), "expected 1 hidden-layer actions"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[0, 0, 1, 2]), "perm must be a permutation of 0..3"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1, 4]), "perm entry must be an integer from 0 to 3"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1, True]), "perm entry must be an integer"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1]), "perm must be a permutation"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"].pop(), "one relation per neuron"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].update(a="2", b="2"),
     "(2, 0, 2, 0) is not a trusted relation of tanh"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].update(c="pi"),
     "(-1, pi, -1, 0) is not a trusted relation of tanh"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].pop("e"), "is missing 'e'"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(kind="affine"), "has unexpected key(s)"),
    (lambda d: d["evidence"]["actions"]["r"].__setitem__(0, {"kind": "affine", "matrix": [["1"] * 4] * 4,
                                                             "shift": ["0"] * 4}),
     "an affine action is trusted only for the identity activation"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(kind="scaled"), "must be 'monomial' or 'affine'"),
]


@pytest.mark.parametrize("edit,reason", MALFORMED)
def test_malformed_certificates_are_rejected_with_a_reason(edit: Any, reason: str) -> None:
    v = verify_certificate(_edit(C4_TANH, edit))
    assert not v.ok
    assert reason in v.reason, v.reason


@pytest.mark.parametrize("doc", [None, [], "cert", 3, {"format": "symeq-certificate"}])
def test_non_certificates_are_rejected(doc: Any) -> None:
    v = verify_certificate(doc)
    assert not v.ok and v.reason


def test_method_preconditions() -> None:
    def method(doc: dict, m: str) -> dict:
        return _edit(doc, lambda d: d.update(evidence={"method": m}))

    v = verify_certificate(method(C4_TANH, "polynomial_identity"))
    assert "needs a polynomial activation, not tanh" in v.reason
    v = verify_certificate(method(C4_TANH, "relu_canonical_form"))
    assert "needs one hidden relu/leaky_relu layer" in v.reason
    v = verify_certificate(_edit(RELU_C8, lambda d: d["evidence"].update(extra="1")))
    assert "evidence has unexpected key(s): extra" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(method="layerwise")))
    assert "needs evidence method 'witness'" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(generator="q")))
    assert "unknown generator 'q'" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(symbol_values={"w": "1"})))
    assert "symbol_values must give a value to exactly the network's symbols" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(x=["0", "w"])))
    assert "unknown name 'w'" in v.reason


# -- the number parser --------------------------------------------------------------------------


@pytest.mark.parametrize("text,value", [
    ("0.1", Rational(1, 10)),
    ("3", Integer(3)),
    ("-1/2 + 3", Rational(5, 2)),
    ("2^3^2", Integer(512)),
    ("2**-1", Rational(1, 2)),
    ("-2^2", Integer(-4)),
    ("(1 - 3) ^ 2", Integer(4)),
    ("sqrt(8)", 2 * sqrt(2)),
    ("sqrt(2)/2", sqrt(2) / 2),
    ("4^(1/2)", Integer(2)),
    ("2*pi", 2 * pi),
    (".5", Rational(1, 2)),
    ("5.", Integer(5)),
    (7, Integer(7)),
    ("0.123456789012345678901234567890", Rational(123456789012345678901234567890, 10**30)),
    ("2 ** 0.5", sqrt(2)),  # an exact decimal exponent
    ("2^1.5", 2 * sqrt(2)),
])
def test_parser_reads_numbers_exactly(text: Any, value: sympy.Expr) -> None:
    got = parse_number(text)
    assert is_zero(got - value) and got == value


HOSTILE = [
    "__import__('os')", "__import__('os').system('true')", "1e999999", "1e5", "9**9**9**9",
    "9^9^9^9", "2**100000", "lambda: 0", "x" * 5000, "1" * 3000, "(1,2)", "[1]", "{1}", "a.b",
    "10^64^64",
    "0x10", "0o7", "0b1", "1_000", "1j", "True", "None", "sqrt(-1)", "(-2)^(1/2)", "(-8)^(1/3)",
    "1/0", "0^-1", "1/(1-1)", "2^(1/100)", "2^x", "sqrt(2, 3)", "sqrt(x=1)", "sqrt", "abs(-1)", "2^(1/65)",
    "'1'", "1 if 1 else 0", "-" * 1990 + "1", "(" * 300 + "1" + ")" * 300, "1 +", "", " ",
    "1//2", "1%2", "1 @ 2", "not 1", "~1", "1 < 2", "x[0]", "f(1)", "(yield)", "await x",
    "1;2", "1\n+2", "\u0661", "１", "pi(1)", "sqrt(2)(3)", "x = 1", "*x", "...",
    "1 or 2", "print", "w", "(a+b+c+d+e+f)^64", "1e-5", "1.5e3", "inf", "nan",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_parser_rejects_hostile_and_malformed_text(text: str) -> None:
    with pytest.raises(Reject):
        parse_number(text)  # no names declared: "print" and "w" are rejected too


@pytest.mark.parametrize("value", [0.5, float("nan"), True, None, [1], {"a": 1}, b"1"])
def test_parser_rejects_non_strings(value: Any) -> None:
    with pytest.raises(Reject, match="exact number written as a string"):
        parse_number(value)


def test_parser_bounds_json_integers() -> None:
    assert parse_number(-(10**300)) == -(10**300)
    with pytest.raises(Reject, match="too many digits"):
        parse_number(10**1000)


def test_parser_symbol_policies() -> None:
    w = sympy.Symbol("w", real=True)
    assert parse_number("2*w - 1", "any") == 2 * w - 1
    assert parse_number("w^2", {"w": w}) == w**2
    for text, symbols in (("v", {"w": w}), ("w", None), ("sqrt", "any"), ("w^(1/2)", "any"), ("sqrt(w)", "any")):
        with pytest.raises(Reject):
            parse_number(text, symbols)
    with pytest.raises(Reject, match="too long"):
        parse_number("1" * (MAX_TEXT + 1))


@SETTINGS
@given(st.text(alphabet="0123456789+-*/^().e_xpisqrt ", max_size=40))
def test_parser_never_fails_otherwise(text: str) -> None:
    try:
        value = parse_number(text, "any")
    except Reject:
        return
    assert isinstance(value, sympy.Expr) and not value.has(sympy.I, sympy.zoo, sympy.nan)


# -- exact decisions ----------------------------------------------------------------------------


def test_zero_and_sign_decisions() -> None:
    w, v = sympy.symbols("w v", real=True)
    assert is_zero(sqrt(2) * sqrt(3) - sqrt(6))
    assert is_zero(sympy.sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2))  # needs the minimal polynomial
    assert not is_zero(sqrt(2) - Rational(14142135623730951, 10**16))
    assert is_zero((w + v) ** 2 - w**2 - 2 * w * v - v**2)
    assert is_zero(1 / (w**2 + 1) - (w**2 + 1) ** -1)
    assert not is_zero(pi * w - 3 * w)
    assert is_zero(pi * (sqrt(2) + 1) ** 2 - pi * (3 + 2 * sqrt(2)))
    assert sign(pi - Rational(314159265358979, 10**14)) == 1
    assert sign(sqrt(2) - Rational(14142135623730951, 10**16)) == -1
    assert sign(sympy.sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2)) == 0
    with pytest.raises(Reject):
        sign(w)


# -- the trusted relations: each accepted family proved, rejected tuples refuted ------------------

z = sympy.Symbol("z", real=True)
a_pos = sympy.Symbol("a", positive=True)
n_int = sympy.Symbol("n", integer=True)
zp, zn = sympy.Symbol("zp", positive=True), sympy.Symbol("zn", negative=True)


def _tanh(u: sympy.Expr) -> sympy.Expr:
    return (sympy.exp(u) - sympy.exp(-u)) / (sympy.exp(u) + sympy.exp(-u))


def _sigmoid(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-u))


def _leaky(alpha: sympy.Expr) -> Any:
    return lambda u: sympy.Piecewise((u, u >= 0), (alpha * u, True))


def test_identity_family_is_a_relation() -> None:
    a, c = sympy.symbols("a c", real=True)
    assert sympy.expand((a * z + c) - (a * z + c)) == 0  # sigma = id: b = a, e = c
    act = parse_activation("identity")
    assert is_trusted_relation(act, Rational(-3, 2), sqrt(2), Rational(-3, 2), sqrt(2))


def test_tanh_relation_is_proved() -> None:
    assert sympy.simplify(_tanh(-z) + _tanh(z)) == 0
    assert sympy.simplify(sympy.tanh(-z).rewrite(sympy.exp) + sympy.tanh(z).rewrite(sympy.exp)) == 0


def test_sigmoid_relation_is_proved() -> None:
    assert sympy.simplify(_sigmoid(-z) - (1 - _sigmoid(z))) == 0


@pytest.mark.parametrize("alpha", [Integer(0), Rational(1, 10), Rational(1, 100), sympy.Symbol("al", positive=True)])
def test_relu_and_leaky_relu_positive_scaling_is_proved(alpha: sympy.Expr) -> None:
    sigma = _leaky(alpha)  # alpha = 0 is relu
    for u in (zp, zn):  # both sides agree on z > 0 and on z < 0 (and trivially at 0)
        assert sympy.simplify(sigma(a_pos * u) - a_pos * sigma(u)) == 0


@pytest.mark.parametrize("m", range(2, 17))
def test_power_relation_is_proved(m: int) -> None:
    a = sympy.Symbol("a", real=True)
    assert sympy.expand((a * z) ** m - a**m * z**m) == 0


@pytest.mark.parametrize("a", [1, -1])
def test_sin_shift_relations_are_proved(a: int) -> None:
    lhs = sympy.expand_trig(sympy.sin(a * z + n_int * pi))
    assert sympy.simplify(lhs - a * (-1) ** n_int * sympy.sin(z)) == 0


@pytest.mark.parametrize("spec,parity", [("poly:z^3 - z", -1), ("poly:z^4 + z^2/2 + 1", 1), ("poly:z + z^2/2", 0),
                                         ("poly:z^5", -1), ("poly:3*z^2", 1)])
def test_poly_parity_relation_is_proved(spec: str, parity: int) -> None:
    act = parse_activation(spec)
    p = act.poly
    for s in (1, -1):
        accepted = is_trusted_relation(act, Integer(-1), Integer(0), Integer(s), Integer(0))
        assert accepted == (s == parity)
        holds = sympy.expand(p.subs(z, -z) - s * p) == 0
        assert accepted == holds
    assert is_trusted_relation(act, Integer(1), Integer(0), Integer(1), Integer(0))


def _sigma_numeric(spec: str) -> Any:
    name, _, arg = spec.partition(":")
    table = {
        "identity": lambda u: u, "tanh": mpmath.tanh, "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u)),
        "relu": lambda u: max(u, 0), "gelu": lambda u: u * (1 + mpmath.erf(u / mpmath.sqrt(2))) / 2,
        "softplus": lambda u: mpmath.log(1 + mpmath.exp(u)), "swish": lambda u: u / (1 + mpmath.exp(-u)),
        "sin": mpmath.sin,
    }
    if name == "leaky_relu":
        alpha = mpmath.mpf(Fraction(arg).numerator) / Fraction(arg).denominator
        return lambda u: u if u >= 0 else alpha * u
    if name == "power":
        return lambda u: u ** int(arg)
    if name == "poly":
        p = parse_activation(spec).poly
        return lambda u: mpmath.mpf(sympy.N(p.subs(z, sympy.Float(u, 40)), 40))
    return table[name]


def _differs_somewhere(spec: str, r: tuple) -> bool:
    sigma = _sigma_numeric(spec)
    with mpmath.workdps(40):
        a, c, b, e = (mpmath.mpf(str(sympy.N(x, 45))) for x in r)
        return any(abs(sigma(a * t + c) - (b * sigma(t) + e)) > mpmath.mpf(10) ** -20
                   for t in map(mpmath.mpf, ("-2.5", "-1", "-0.3", "0.4", "1.1", "2.7")))


ACCEPTED = [
    ("identity", (2, 5, 2, 5)), ("identity", (-1, 0, -1, 0)), ("identity", (sqrt(2), -pi, sqrt(2), -pi)),
    ("tanh", (1, 0, 1, 0)), ("tanh", (-1, 0, -1, 0)),
    ("sigmoid", (1, 0, 1, 0)), ("sigmoid", (-1, 0, -1, 1)),
    ("relu", (3, 0, 3, 0)), ("relu", (sqrt(2) / 2, 0, sqrt(2) / 2, 0)), ("leaky_relu:1/10", (Rational(1, 7), 0, Rational(1, 7), 0)),
    ("power:2", (-3, 0, 9, 0)), ("power:3", (-2, 0, -8, 0)), ("power:2", (sqrt(2), 0, 2, 0)),
    ("sin", (1, 2 * pi, 1, 0)), ("sin", (1, -4 * pi, 1, 0)), ("sin", (-1, pi, 1, 0)), ("sin", (1, pi, -1, 0)),
    ("sin", (-1, 0, -1, 0)), ("sin", (-1, 3 * pi, 1, 0)), ("sin", (-1, -pi, 1, 0)), ("sin", (1, -pi, -1, 0)),
    ("poly:z^3 - z", (-1, 0, -1, 0)), ("poly:z^2 + 1", (-1, 0, 1, 0)),
    ("gelu", (1, 0, 1, 0)), ("softplus", (1, 0, 1, 0)), ("swish", (1, 0, 1, 0)),
]
REJECTED = [
    ("identity", (2, 1, 2, 0)), ("identity", (2, 0, 3, 0)),
    ("tanh", (-1, 0, 1, 0)), ("tanh", (1, 0, -1, 0)), ("tanh", (2, 0, 2, 0)), ("tanh", (1, 1, 1, 0)),
    ("tanh", (-1, 0, -1, 1)),
    ("sigmoid", (-1, 0, -1, 0)), ("sigmoid", (-1, 0, 1, 0)), ("sigmoid", (1, 0, 1, 1)), ("sigmoid", (2, 0, 2, 0)),
    ("relu", (-1, 0, -1, 0)), ("relu", (2, 0, 1, 0)), ("relu", (1, 1, 1, 0)), ("relu", (2, 0, 2, 1)),
    ("relu", (-1, 0, 1, 0)), ("leaky_relu:1/10", (-1, 0, -1, 0)),
    ("power:2", (-1, 0, -1, 0)), ("power:2", (2, 0, 2, 0)), ("power:3", (-1, 0, 1, 0)), ("power:2", (1, 1, 1, 0)),
    ("sin", (1, pi / 2, 1, 0)), ("sin", (-1, 0, 1, 0)), ("sin", (1, pi, 1, 0)), ("sin", (1, 1, 1, 0)),
    ("sin", (2, 0, 2, 0)), ("sin", (1, 2 * pi, 1, 1)), ("sin", (1, -pi, 1, 0)), ("sin", (-1, -pi, -1, 0)),
    ("poly:z + z^2/2", (-1, 0, 1, 0)), ("poly:z + z^2/2", (-1, 0, -1, 0)), ("poly:z^3 - z", (-1, 0, 1, 0)),
    ("gelu", (-1, 0, -1, 0)), ("softplus", (-1, 0, -1, 0)), ("swish", (-1, 0, -1, 0)), ("gelu", (-1, 0, 1, 0)),
]


@pytest.mark.parametrize("spec,r", ACCEPTED)
def test_accepted_tuples_are_relations(spec: str, r: tuple) -> None:
    rel = tuple(sympy.sympify(x) for x in r)
    assert is_trusted_relation(parse_activation(spec), *rel)
    assert not _differs_somewhere(spec, rel)


@pytest.mark.parametrize("spec,r", REJECTED)
def test_rejected_tuples_are_not_relations(spec: str, r: tuple) -> None:
    rel = tuple(sympy.sympify(x) for x in r)
    assert not is_trusted_relation(parse_activation(spec), *rel)
    assert _differs_somewhere(spec, rel)


def test_degenerate_a_zero_is_excluded() -> None:
    """(0, 0, 0, 0) satisfies relu(0 z) = 0 relu(z) but is not invertible: no group element."""
    for spec in ("identity", "relu", "power:2"):
        assert not is_trusted_relation(parse_activation(spec), *(Integer(0),) * 4)


def test_the_table_covers_every_activation_and_no_symbols() -> None:
    assert set(TRUSTED_RELATIONS) == {"identity", "tanh", "sigmoid", "relu", "leaky_relu", "power", "sin",
                                      "poly", "gelu", "softplus", "swish"}
    w = sympy.Symbol("w", real=True)
    assert not is_trusted_relation(parse_activation("relu"), w, Integer(0), w, Integer(0))


@SETTINGS
@given(spec=st.sampled_from(["identity", "tanh", "sigmoid", "relu", "leaky_relu:1/10", "power:2", "power:3",
                             "sin", "poly:z^3 - 2*z", "gelu", "softplus", "swish"]),
       a=st.sampled_from([-2, -1, Rational(1, 2), 1, 3]), c=st.sampled_from([0, 1, pi, -pi, 2 * pi]),
       b=st.sampled_from([-8, -1, 0, Rational(1, 2), 1, 3, 4, 9]), e=st.sampled_from([0, 1, -1, pi]))
def test_random_tuples_accepted_iff_relations(spec: str, a: Any, c: Any, b: Any, e: Any) -> None:
    rel = tuple(sympy.sympify(x) for x in (a, c, b, e))
    assert is_trusted_relation(parse_activation(spec), *rel) == (not _differs_somewhere(spec, rel))


# -- symbolic networks ----------------------------------------------------------------------------


def test_symbolic_layerwise_identity_holds_as_polynomial_identity() -> None:
    doc = copy.deepcopy(SIGN_TANH)
    doc["network"]["weights"][0] = [["w1", "-2*w2"], ["w1*w2", "3"], ["1/(1 + w1^2)", "sqrt(3)"]]
    doc["network"]["symbols"] = ["w1", "w2"]
    v = verify_certificate(doc)
    assert v.ok, v.reason
    assert "symbols w1, w2" in v.claim
    doc["network"]["biases"][0][1] = "w2"  # b = -b only where w2 = 0: not an identity
    v = verify_certificate(doc)
    assert not v.ok and "bias w2 != -w2" in v.reason


def test_symbolic_c4_family_and_its_witness() -> None:
    doc = copy.deepcopy(C4_TANH)
    doc["network"]["weights"][1] = [["u", "0", "-u", "0"], ["0", "u", "0", "-u"]]
    assert verify_certificate(doc).ok
    doc["network"]["weights"][1][1][3] = "-v"  # equivariant only when u = v
    v = verify_certificate(doc)
    assert not v.ok and "W_L M = rho_L(g) W_L fails" in v.reason
    witness = copy.deepcopy(TANH_WITNESS)
    witness["network"] = doc["network"]
    witness["evidence"]["symbol_values"] = {"u": "2", "v": "3"}
    v = verify_certificate(witness)
    assert v.ok and v.claim.endswith("(at u = 2, v = 3, not for every value)")  # the claim is the instance
    witness["evidence"]["symbol_values"] = {"u": "2", "v": "2"}
    assert not verify_certificate(witness).ok
    witness["evidence"]["symbol_values"] = {"u": "2"}
    assert not verify_certificate(witness).ok


def test_symbol_values_that_divide_by_zero_are_rejected() -> None:
    doc = copy.deepcopy(RELU_WITNESS)
    doc["network"]["weights"][1][0][0] = "1/w"
    doc["evidence"]["symbol_values"] = {"w": "0"}
    v = verify_certificate(doc)
    assert not v.ok and "division by zero" in v.reason


# -- more claims and activations --------------------------------------------------------------------


def test_leaky_relu_canonical_form_and_witness() -> None:
    doc = copy.deepcopy(RELU_C8)
    doc["network"]["activation"] = "leaky_relu:1/10"
    # leaky(z) - leaky(-z) = (1 + alpha) z: scale the outgoing weights by 1/(1 + alpha)
    doc["network"]["weights"][1] = [["10/11", "0", "-10/11", "0"], ["0", "10/11", "0", "-10/11"]]
    assert verify_certificate(doc).ok
    doc["network"]["weights"][1][0][2] = "-1"
    assert not verify_certificate(doc).ok


def test_relu_canonical_form_with_biases_and_dead_neurons() -> None:
    """relu(x + 1) - relu(-x - 1) = x + 1 and a neuron with zero row (a constant) under the
    reflection x -> -x on R^1 with output -1: f(x) = x + 1 - 1 = x, equivariant."""
    doc = cert("equivariant",
               {"activation": "relu", "weights": [[["1"], ["-1"], ["0"]], [["1", "-1", "-1/2"]]],
                "biases": [["1", "-1", "2"], ["0"]]},
               {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
               {"method": "relu_canonical_form"})
    assert verify_certificate(doc).ok
    doc["network"]["biases"][1] = ["1/2"]
    assert not verify_certificate(doc).ok


def test_sigmoid_and_smooth_witnesses() -> None:
    for act in ("sigmoid", "gelu", "softplus", "swish", "sin"):
        doc = copy.deepcopy(TANH_WITNESS)
        doc["network"]["activation"] = act
        doc["evidence"]["difference_lower_bound"] = "1/1000"
        doc["evidence"]["x"] = ["1", "2"]
        v = verify_certificate(doc)
        assert v.ok, (act, v.reason)
        doc["evidence"]["difference_lower_bound"] = "100"
        assert not verify_certificate(doc).ok


def test_power_and_poly_layerwise_and_identity() -> None:
    doc = copy.deepcopy(SIGN_TANH)
    doc["network"]["activation"] = "poly:z^3 - z/2"
    assert verify_certificate(doc).ok
    doc["network"]["activation"] = "poly:z^3 + z^2"  # not odd: relation (-1, 0, -1, 0) untrusted
    assert "not a trusted relation" in verify_certificate(doc).reason
    doc["evidence"] = {"method": "polynomial_identity"}
    assert not verify_certificate(doc).ok  # and indeed the network is not odd
    doc["network"]["activation"] = "power:3"
    assert verify_certificate(doc).ok


def test_group_relations_are_checked_on_both_sides() -> None:
    mirror = [["1", "0"], ["0", "-1"]]
    d4 = {"generators": {"r": {"input": ROT90, "output": ROT90}, "m": {"input": mirror, "output": mirror}},
          "relations": ["r^4", "m^2", "m r m r", "m r^-1 m r^-1", "r^-4", "m*r*m*r"]}
    doc = cert("equivariant", {"activation": "identity", "weights": [[["2", "0"], ["0", "2"]]], "biases": [["0", "0"]]},
               d4, {"method": "layerwise", "actions": {"r": [], "m": []}})
    v = verify_certificate(doc)
    assert v.ok, v.reason
    assert v.steps[1] == "group: generators r, m, matrices invertible; relations r^4, m^2, m r m r, m r^-1 m r^-1, r^-4, m*r*m*r hold"
    doc["group"]["relations"] = ["r^2"]
    assert "fails (refuted numerically with balls)" in verify_certificate(doc).reason
    doc["group"]["generators"]["m"]["output"] = [["1 + 10^-40", "0"], ["0", "-1"]]
    doc["group"]["relations"] = ["m^2"]  # the balls cannot tell; exact arithmetic can
    assert verify_certificate(doc).reason.startswith("group relation 'm^2' fails at entry (1, 1)")


def test_depth_one_network() -> None:
    doc = cert("equivariant", {"activation": "tanh", "weights": [[["2", "1"], ["1", "2"]]], "biases": [["1", "1"]]},
               {"generators": {"s": {"input": [["0", "1"], ["1", "0"]], "output": [["0", "1"], ["1", "0"]]}}},
               {"method": "layerwise", "actions": {"s": []}})
    assert verify_certificate(doc).ok
    doc["network"]["biases"] = [["1", "2"]]
    assert not verify_certificate(doc).ok


# -- random layerwise-equivariant networks: circulant layers under the cyclic shift ----------------


@st.composite
def circulant_certificates(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(2, 4))
    depth = draw(st.integers(1, 3))
    act = draw(st.sampled_from(["identity", "tanh", "sigmoid", "relu", "leaky_relu:1/5", "gelu", "softplus",
                                "swish", "sin", "power:2", "poly:z^3 + z"]))
    num = st.fractions(min_value=-3, max_value=3, max_denominator=4).map(str)
    weights, biases = [], []
    for _ in range(depth):
        c = draw(st.lists(num, min_size=n, max_size=n))
        weights.append([[c[(j - i) % n] for j in range(n)] for i in range(n)])  # circulant
        biases.append([draw(num)] * n)
    shift = [["1" if i == (j + 1) % n else "0" for j in range(n)] for i in range(n)]
    perm = [(j + 1) % n for j in range(n)]
    return cert("equivariant", {"activation": act, "weights": weights, "biases": biases},
                {"generators": {"t": {"input": shift, "output": shift}}, "relations": [f"t^{n}"]},
                {"method": "layerwise", "actions": {"t": [mono(perm, [("1", "0", "1", "0")] * n)] * (depth - 1)}})


@SETTINGS
@given(doc=circulant_certificates(), data=st.data())
def test_random_circulant_networks_verify_and_perturbed_ones_do_not(doc: dict, data: st.DataObject) -> None:
    v = verify_certificate(doc)
    assert v.ok, v.reason
    weights = doc["network"]["weights"]
    i = data.draw(st.integers(0, len(weights) - 1))
    r, c = data.draw(st.integers(0, len(weights[i]) - 1)), data.draw(st.integers(0, len(weights[i]) - 1))
    v = verify_certificate(tampered(doc, ("network", "weights", i, r, c), _bump))
    assert not v.ok and "fails" in v.reason


# -- the extension mechanism --------------------------------------------------------------------------


@pytest.fixture
def extension(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("symeq.certify.checker_testext")

    def width_is(ctx: checker.Context) -> None:
        want = checker.int_index(ctx.doc["claim"].get("width"), 100, "width")
        if ctx.network.widths[1] != want:
            raise Reject(f"width is {ctx.network.widths[1]}, not {want}")
        ctx.step(f"hidden width is {want}")

    module.CLAIMS = {"hidden_width": width_is, "silent": lambda ctx: None, "reader": lambda ctx: ctx.group}
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(checker, "EXTENSIONS", (module.__name__,))
    monkeypatch.setattr(checker, "_TABLE", {})
    monkeypatch.setattr(checker, "_BROKEN", {})
    return module


def test_extension_claims_are_dispatched(extension: types.ModuleType) -> None:
    doc = copy.deepcopy(C4_TANH)
    doc["claim"] = {"kind": "hidden_width", "width": 4}
    v = verify_certificate(doc)
    assert v.ok and v.steps[-1] == "hidden width is 4"
    doc["claim"]["width"] = 5
    assert verify_certificate(doc).reason == "width is 4, not 5"
    doc["claim"] = {"kind": "silent"}
    assert verify_certificate(doc).reason == "the claim check recorded no step"
    doc["claim"] = {"kind": "reader"}  # reading the network and the group proves nothing
    assert verify_certificate(doc).reason == "the claim check recorded no step"
    assert set(checker.claim_checks()) == {"equivariant", "not_equivariant", "hidden_width", "silent", "reader"}


def test_an_extension_may_not_redefine_a_kind(extension: types.ModuleType) -> None:
    extension.CLAIMS = {"equivariant": lambda ctx: ctx.step("anything"), "silent": lambda ctx: None}
    with pytest.raises(RuntimeError, match="defined twice"):
        checker.claim_checks()
    doc = copy.deepcopy(C4_TANH)
    doc["claim"] = {"kind": "silent"}
    v = verify_certificate(doc)
    assert not v.ok and "defined twice" in v.reason
    assert verify_certificate(copy.deepcopy(C4_TANH)).ok  # core kinds never load extensions


def test_a_broken_extension_disables_only_its_own_kinds(extension: types.ModuleType,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker, "EXTENSIONS", ("symeq.certify.checker_does_not_exist", extension.__name__))
    doc = copy.deepcopy(C4_TANH)
    doc["claim"] = {"kind": "hidden_width", "width": 4}
    assert verify_certificate(doc).ok
    doc["claim"] = {"kind": "lost"}
    v = verify_certificate(doc)
    assert v.reason.startswith("unknown claim kind 'lost'; extension symeq.certify.checker_does_not_exist "
                               "failed to load (ModuleNotFoundError")


def test_checker_imports_nothing_from_the_engine() -> None:
    import ast
    import pathlib

    for path in pathlib.Path(checker.__file__).parent.glob("checker*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names | {"sympy", "flint", "mpmath", "symeq"}, (path.name, name)
                if top == "symeq":
                    assert name.startswith("symeq.certify.checker"), (path.name, name)


# -- symeq verify ---------------------------------------------------------------------------------------


def _run_verify(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the verb as symeq.cli.main does (InputError -> exit 2)."""
    from symeq.commands import verify
    from symeq.errors import InputError

    parser = argparse.ArgumentParser()
    verify.add_arguments(parser)
    try:
        code = verify.run(parser.parse_args(argv))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    out = capsys.readouterr()
    return code, out.out + out.err


def test_verify_command(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(RELU_C8))
    code, out = _run_verify([str(good)], capsys)
    assert code == 0 and out.splitlines()[-1] == "verified" and out.startswith("claim: equivariant")
    assert "  ok  group: generators r, matrices invertible; relations r^8 hold" in out

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered(RELU_C8, ("network", "weights", 0, 0, 0), _bump)))
    code, out = _run_verify([str(bad)], capsys)
    assert code == 1 and out.splitlines()[-1].startswith("REJECTED: generator r: coefficient of relu(")
    assert "verified" not in out

    code, out = _run_verify([str(bad), "--json"], capsys)
    result = json.loads(out)
    assert code == 1 and result["verified"] is False and result["reason"].startswith("generator r")
    assert set(result) == {"verified", "claim", "steps", "reason"} and len(result["steps"]) == 2

    code, out = _run_verify([str(good), "--json"], capsys)
    assert code == 0 and json.loads(out)["verified"] is True and json.loads(out)["reason"] is None

    floats = tmp_path / "floats.json"
    floats.write_text(json.dumps(RELU_C8).replace('"1/4"', "0.25").replace('["1", "0"]', "[1.0, 0]", 1))
    code, out = _run_verify([str(floats)], capsys)
    assert code == 1 and "must be an exact number written as a string" in out

    for text, msg in (('{"a": ', "malformed JSON"), ("[1]", "not a symeq certificate"),
                      ('{"format": "other"}', "not a symeq certificate"), ("NaN", "not allowed"),
                      ("[" * 100000 + "]" * 100000, ""), ('{"n": ' + "9" * 5000 + "}", "unreadable JSON")):
        junk = tmp_path / "junk.json"
        junk.write_text(text)
        code, out = _run_verify([str(junk)], capsys)
        assert code == 2 and msg in out and "Traceback" not in out
    junk.write_bytes(b"\xff\xfe")
    assert _run_verify([str(junk)], capsys)[0] == 2
    assert _run_verify([str(tmp_path / "missing.json")], capsys)[0] == 2


def test_verify_is_registered() -> None:
    assert "verify" in importlib.import_module("symeq.cli").VERBS


# -- latent_actions: the presentation is decided exactly -------------------------------------------


def _latent_cert(gen: list[list[str]], relators: list[str], order: int) -> dict[str, Any]:
    """latent_actions for the identity network 2-2-2 (W = I) with the latent map rho_0(a)."""
    eye = [["1", "0"], ["0", "1"]]
    return cert("latent_actions", {"activation": "identity", "weights": [eye, eye], "biases": [["0", "0"]] * 2},
                {"generators": {"a": {"input": gen, "output": gen}}},
                {"method": "layerwise_homomorphism",
                 "actions": {"a": [{"kind": "affine", "matrix": gen, "shift": ["0", "0"]}]},
                 "presentation": {"relators": relators, "order": order}})


def test_latent_presentation_does_not_depend_on_how_numbers_print() -> None:
    # (3 + 2 sqrt 2)/(1 + sqrt 2) = 1 + sqrt 2 = 1/(sqrt 2 - 1), so a^2 = I; sympy does not print the
    # powers of a alike, and counting the generated group by printed keys used to find > 2 elements.
    a = [["0", "sqrt(2)-1"], ["(3+2*sqrt(2))/(1+sqrt(2))", "0"]]
    v = verify_certificate(_latent_cert(a, ["a^2"], 2))
    assert v.ok, v.reason
    assert any("are not the identity on (rho_0, rho_L)" in s for s in v.steps)
    # <a | a^4> has 4 elements, G only 2: a^2 is a non-trivial word of the presentation and I in G.
    v = verify_certificate(_latent_cert(a, ["a^4"], 4))
    assert not v.ok and v.reason.startswith("the presentation has 4 elements but G fewer")


def test_classification_refuses_entries_outside_a_number_field() -> None:
    # f(x) = x with no hidden layer is layerwise equivariant, yet this certificate claimed none is:
    # rho_L(s) = rho_0(s), one entry written as (sqrt(6) + sqrt(2))/2 * pi instead of
    # sqrt(2 + sqrt(3)) * pi.  Over sympy's EX domain that identity is missed, so the group closed
    # to 4 elements and the weight equations seemed to force W_1 = 0.
    p_in, p_out = "pi*sqrt(2+sqrt(3))", "pi*(sqrt(6)+sqrt(2))/2"
    doc = cert("counterexample", {"activation": "relu", "weights": [[["1", "0"], ["0", "1"]]], "biases": [["0", "0"]]},
               {"generators": {"s": {"input": [["0", p_in], [f"1/({p_in})", "0"]],
                                     "output": [["0", p_in], [f"1/({p_out})", "0"]]}}},
               {"method": "classification", "equivariance": {"method": "layerwise", "actions": {"s": []}},
                "non_constant": {"x": ["0", "0"], "y": ["1", "0"], "coordinate": 0},
                "latent_kind": "permutation", "types": [], "assignments": [{"types": [], "zero_layer": 1}]})
    doc["claim"]["refutes"] = "layerwise-reparam"
    v = verify_certificate(doc)
    assert not v.ok
    assert v.reason.startswith("the group matrices and layer actions generate no number field the checker "
                               "computes in exactly")


def test_counterexample_networks_are_numeric() -> None:
    # Rows (1) and (w^2 + 1) of a relu layer are related for every real w (positive scaling), so the
    # network is never reduced; decided as identities in w the atom 'reduced' came out True and
    # this refutation of "not reduced" verified.
    doc = cert("counterexample", {"activation": "relu", "weights": [[["1"], ["w^2+1"]], [["1", "1"]]],
                                  "biases": [["0", "0"], ["0"]]},
               {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
               {"method": "atoms", "atoms": {"reduced": {"value": True}}})
    doc["claim"].update({"refutes": "predicate", "predicate": "not reduced"})
    v = verify_certificate(doc)
    assert not v.ok and v.reason == "a counterexample network must have numeric parameters"
    doc["network"]["weights"][0][1] = ["2"]  # the numeric network is decided: not reduced
    v = verify_certificate(doc)
    assert not v.ok and v.reason.startswith("atom reduced is False: layer 1 neuron 2 is the image of neuron 1")


def test_checker_loads_no_engine_module_at_run_time() -> None:
    import subprocess

    code = ("import sys, json\n"
            "from symeq.certify.checker import claim_checks, verify_certificate\n"
            "claim_checks()\n"
            f"assert verify_certificate(json.loads({json.dumps(json.dumps(RELU_C8))})).ok\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('symeq'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert loaded and all(m in ("symeq", "symeq.certify") or m.startswith("symeq.certify.checker") for m in loaded), loaded
