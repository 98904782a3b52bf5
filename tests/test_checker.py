"""The trusted kernel (symeq/kernel), its strict reader (symeq/certify/reader.py) and ``symeq verify``.

Certificates are written here by hand, as dicts (format version 2, with their hints), so these
tests do not depend on the engine.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy
from flint import fmpq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, pi, sqrt

from symeq.certify.reader import MAX_TEXT, Reader
from symeq.certify.verify import verify_certificate
from symeq.kernel.core import Reject

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: The number field Q(sqrt(2)) and Q(sqrt(3)), written by hand (the engine computes these hints).
SQRT2 = {"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"],
         "radicals": [{"base": "2", "root": 2, "value": ["0", "1"]}]}
SQRT3 = {"minimal_polynomial": ["-3", "0", "1"], "interval": ["1", "2"],
         "radicals": [{"base": "3", "root": 2, "value": ["0", "1"]}]}


# -- hand-built certificates ----------------------------------------------------------------


def cert(claim: str, network: dict, group: dict, evidence: dict, numbers: dict | None = None) -> dict[str, Any]:
    doc = {"format": "symeq-certificate", "version": 2, "claim": {"kind": claim},
           "network": network, "group": group, "evidence": evidence,
           "engine": {"symeq_version": "test", "seconds": "0.01"}}
    if numbers is not None:
        doc["numbers"] = numbers
    return doc


def mono(perm: list[int], rels: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    return {"kind": "monomial", "perm": perm, "relations": [dict(zip("acbe", r)) for r in rels]}


def const(text: Any, numbers: dict | None = None) -> Any:
    return Reader({"numbers": numbers} if numbers else {}).const(text)


ROT90 = [["0", "-1"], ["1", "0"]]
C = "sqrt(2)/2"
ROT45 = [[C, "-" + C], [C, C]]
AXES = [["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]]  # rows +-e1, +-e2
TANH_M = ("-1", "0", "-1", "0")
ONE = ("1", "0", "1", "0")

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
    {"method": "layerwise", "actions": {"s": [mono([0, 1, 2], [TANH_M] * 3)] * 2}}, SQRT3)

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
    {"method": "polynomial_identity"}, SQRT2)

# docs/theory.md section 6: the width-4 relu net computing the identity of R^2 through the bypass
# relu(z) - relu(-z) = z, C8-equivariant; its terms 0..3 (f(rho_0 x)) and 4..7 (rho_L f(x)) pair up.
RELU_C8 = cert(
    "equivariant",
    {"activation": "relu", "widths": [2, 4, 2],
     "weights": [AXES, [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]], "biases": [["0"] * 4, ["0", "0"]]},
    {"generators": {"r": {"input": ROT45, "output": ROT45}}, "relations": ["r^8"]},
    {"method": "linear_bypass", "pairs": [[[0, 2], [1, 3]]], "matrix": [["1", "0"], ["0", "1"]], "shift": ["0", "0"]},
    SQRT2)

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
    {"method": "witness", "generator": "r", "x": ["0", "-1"], "coordinate": 0, "difference_lower_bound": "1/4"},
    SQRT2)

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
    assert v.reason is None and v.relies[0] == "kernel"
    assert v.steps[0].startswith("group:")
    assert len(v.steps) >= 2


def test_steps_and_trusted_items_say_what_was_checked() -> None:
    v = verify_certificate(copy.deepcopy(C4_TANH))
    assert v.claim.startswith("equivariant: f(rho_0(g) x) = rho_L(g) f(x)")
    assert v.steps[0] == "group: generators r are invertible; relations r^4 hold"
    assert "perm [3, 0, 1, 2]" in v.steps[1] and "4 relations of tanh" in v.steps[1]
    assert v.relies == ("kernel", "relations of tanh: tanh(z) and tanh(-z) = -tanh(z), no others")
    v = verify_certificate(copy.deepcopy(RELU_WITNESS))
    assert v.steps[-1] == ("generator r: f(rho_0 x) - rho_L f(x) at x: exact difference at coordinate 0: "
                           "1/4*sqrt(2); |difference| >= 1/4")
    assert v.relies == ("kernel",)  # relu is evaluated exactly, nothing is trusted
    v = verify_certificate(copy.deepcopy(RELU_C8))
    assert v.relies == ("kernel", "linear bypass (second tier)", "identity relu(z) - relu(-z) = z")
    v = verify_certificate(copy.deepcopy(TANH_WITNESS))
    assert v.relies == ("kernel", "ball arithmetic of tanh (python-flint arb)")


def test_the_c8_relu_net_is_not_layerwise() -> None:
    """No monomial latent action fits the C8 relu net (docs/theory.md section 6): the rows of W_1 rho_0
    are not positive multiples of rows of W_1, so any layerwise certificate is rejected."""
    bad = copy.deepcopy(RELU_C8)
    bad["evidence"] = {"method": "layerwise", "actions": {"r": [mono([1, 2, 3, 0], [ONE] * 4)]}}
    v = verify_certificate(bad)
    assert not v.ok and "row equation of neuron 1 fails" in v.reason


# -- tampering ------------------------------------------------------------------------------

_NOT_NUMBERS = {"kind", "method", "activation", "architecture", "generator", "format", "version", "engine", "numbers"}


def numeric_leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every number (string or JSON integer) in the checked parts of a certificate
    (the number field hint aside: tests/test_kernel_hints.py tampers with it)."""
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
            assert not v.reason.startswith("internal error"), (name, path, v.reason)
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
        old = Reader(doc).const(node) if path[:2] != ("network", "weights") else Reader(doc).num(node)
        q = data.draw(st.fractions(max_denominator=9).filter(lambda f: f != 0 and abs(f) < 50))
        new = str(q) if old != Reader(doc).F.num(fmpq(q.numerator, q.denominator)) else f"({node})+{q}"
    v = verify_certificate(tampered(doc, path, lambda _: new))
    assert not v.ok
    assert not v.reason.startswith("internal error"), v.reason


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
    (lambda d: d.update(version=1), "unsupported certificate version 1"),
    (lambda d: d.update(version=2.0), "unsupported certificate version 2.0"),
    (lambda d: d.update(version=True), "unsupported certificate version True"),
    (lambda d: d.update(extra=1), "certificate has unexpected key(s): extra"),
    (lambda d: d.pop("claim"), "certificate is missing 'claim'"),
    (lambda d: d.update(claim="equivariant"), "'claim' must be an object"),
    (lambda d: d["claim"].update(kind="magic"), "unknown claim kind 'magic'"),
    (lambda d: d["claim"].update(note="x"), "claim has unexpected key(s): note"),
    (lambda d: d.pop("network"), "certificate is missing 'network'"),
    (lambda d: d.pop("group"), "a equivariant certificate needs a group"),
    (lambda d: d["evidence"].update(method="magic"), "unknown or missing method 'magic'"),
    (lambda d: d["network"].update(activation="tanh2"), "unknown or malformed activation 'tanh2'"),
    (lambda d: d["network"].update(architecture="rnn"), "architecture 'rnn' is not supported"),
    (lambda d: d["network"].update(widths=[2, 5, 2]), "do not match the weights [2, 4, 2]"),
    (lambda d: d["network"]["weights"][0].append(["1"]), "W_1 has the wrong shape"),
    (lambda d: d["network"]["weights"][1].pop(), "b_2 must be a list of 1 numbers"),
    (lambda d: d["network"]["biases"][0].pop(), "b_1 must be a list of 4 numbers"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, 1.0), "must be an exact number written as a string"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, True), "must be an exact number"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, None), "must be an exact number"),
    (lambda d: d["network"].update(symbols=["u"], biases=[["0", "0", "0", "w"], ["0", "0"]]),
     "cannot read network b_1 entry 'w': unknown name 'w'"),
    (lambda d: d["network"].update(symbols=["pi"]), "network symbols must be distinct names"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "0"], ["0", "w"]]), "unknown name 'w'"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "1"], ["1", "1"]]), "is singular"),
    (lambda d: d["group"]["generators"]["r"].__setitem__("input", [["1", "0", "0"]]), "has the wrong shape"),
    (lambda d: d["group"].update(relations=["r^3"]), "group relation 'r^3' on rho_0 fails"),
    (lambda d: d["group"].update(relations=["q^4"]), "cannot read the word 'q^4'"),
    (lambda d: d["group"].update(relations=["r^100000"]), "has an exponent above 1000"),
    (lambda d: d["group"].update(relations=["r^^2"]), "cannot read the word"),
    (lambda d: d["group"].update(order=8), "group has unexpected key(s): order"),
    (lambda d: d["evidence"]["actions"].update(s=[]), "exactly the generators r"),
    (lambda d: d["evidence"]["actions"].update(r=[]), "expected 1 hidden-layer actions"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[0, 0, 1, 2]), "perm must be a permutation of 0..3"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1, 4]), "perm must be a permutation of 0..3"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1, True]), "must be a non-negative integer"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(perm=[3, 0, 1]), "perm must be a permutation"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"].pop(), "one relation per neuron"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].update(a="2", b="2"),
     "(2, 0, 2, 0) is not a relation of tanh"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].update(c="pi"),
     "(-1, pi, -1, 0) is not a relation of tanh"),
    (lambda d: d["evidence"]["actions"]["r"][0]["relations"][2].pop("e"), "is missing 'e'"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(kind="affine"), "has unexpected key(s)"),
    (lambda d: d["evidence"]["actions"]["r"].__setitem__(0, {"kind": "affine", "matrix": [["1"] * 4] * 4,
                                                             "shift": ["0"] * 4}),
     "an affine action is a 4 x 4 map, only for the identity activation"),
    (lambda d: d["evidence"]["actions"]["r"][0].update(kind="scaled"), "unknown or missing kind 'scaled'"),
]


@pytest.mark.parametrize("edit,reason", MALFORMED)
def test_malformed_certificates_are_rejected_with_a_reason(edit: Any, reason: str) -> None:
    v = verify_certificate(_edit(C4_TANH, edit))
    assert not v.ok
    assert reason in v.reason, v.reason


@pytest.mark.parametrize("doc", [None, [], "cert", 3, {"format": "symeq-certificate"},
                                 {"format": "symeq-certificate", "version": 2}])
def test_non_certificates_are_rejected(doc: Any) -> None:
    v = verify_certificate(doc)
    assert not v.ok and v.reason and not v.reason.startswith("internal error")


def test_method_preconditions() -> None:
    def method(doc: dict, m: str) -> dict:
        return _edit(doc, lambda d: d.update(evidence={"method": m}))

    v = verify_certificate(method(C4_TANH, "polynomial_identity"))
    assert "needs a polynomial activation, not tanh" in v.reason
    v = verify_certificate(method(C4_TANH, "relu_canonical_form"))
    assert "is missing 'groups'" in v.reason
    v = verify_certificate(_edit(C4_TANH, lambda d: d.update(evidence={"method": "relu_canonical_form", "groups": {}})))
    assert "needs one hidden relu/leaky_relu layer" in v.reason
    v = verify_certificate(_edit(RELU_C8, lambda d: d["evidence"].update(extra="1")))
    assert "evidence has unexpected key(s): extra" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(method="layerwise")))
    assert "unknown or missing method 'layerwise'" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(generator="q")))
    assert "unknown generator 'q'" in v.reason
    v = verify_certificate(_edit(TANH_WITNESS, lambda d: d["evidence"].update(symbol_values={"w": "1"})))
    assert "values for exactly the symbols" in v.reason
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
    ("sqrt(pi)", sqrt(pi)),
    ("sqrt(2*pi)*pi^(3/2)", sqrt(2) * pi**2),
    (".5", Rational(1, 2)),
    ("5.", Integer(5)),
    (7, Integer(7)),
    ("0.123456789012345678901234567890", Rational(123456789012345678901234567890, 10**30)),
    ("2 ** 0.5", sqrt(2)),  # an exact decimal exponent
    ("2^1.5", 2 * sqrt(2)),
    ("(1/2)^(1/2)", sqrt(2) / 2),
])
def test_parser_reads_numbers_exactly(text: Any, value: sympy.Expr) -> None:
    from flint import arb

    assert const(text, SQRT2).ball(200).overlaps(arb(str(sympy.N(value, 70))))


def test_parser_reads_equal_spellings_as_equal_numbers() -> None:
    assert const("sqrt(8)", SQRT2) == const("2*sqrt(2)", SQRT2) == const("2^(3/2)", SQRT2)
    assert const("sqrt(2)*sqrt(2)", SQRT2) == 2 and const("pi*pi", SQRT2) == const("pi^2", SQRT2)
    assert const("sqrt(pi)^2") == const("pi")


HOSTILE = [
    "__import__('os')", "__import__('os').system('true')", "1e999999", "1e5", "9**9**9**9",
    "9^9^9^9", "2**100000", "lambda: 0", "x" * 5000, "1" * 3000, "(1,2)", "[1]", "{1}", "a.b",
    "10^64^64",
    "0x10", "0o7", "0b1", "1_000", "1j", "True", "None", "sqrt(-1)", "(-2)^(1/2)", "(-8)^(1/3)",
    "1/0", "0^-1", "1/(1-1)", "2^(1/100)", "2^x", "sqrt(2, 3)", "sqrt(x=1)", "sqrt", "abs(-1)", "2^(1/65)",
    "'1'", "1 if 1 else 0", "-" * 1990 + "1", "(" * 300 + "1" + ")" * 300, "1 +", "", " ",
    "1//2", "1%2", "1 @ 2", "not 1", "~1", "1 < 2", "x[0]", "f(1)", "(yield)", "await x",
    "1;2", "1\n+2", "\u0661", "\uff11", "pi(1)", "sqrt(2)(3)", "x = 1", "*x", "...",
    "1 or 2", "print", "w", "(a+b+c+d+e+f)^64", "1e-5", "1.5e3", "inf", "nan", "sqrt(3)", "sqrt(1+pi)",
    "pi^(1/3)", "(2^400)^64", "(1+sqrt(2))^64^64", "((((2^64)^64)^64)^64)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_parser_rejects_hostile_and_malformed_text(text: str) -> None:
    with pytest.raises(Reject):
        const(text, SQRT2)  # no names declared: "print" and "w" are rejected too; no hint for sqrt(3)


@pytest.mark.parametrize("value", [0.5, float("nan"), True, None, [1], {"a": 1}, b"1"])
def test_parser_rejects_non_strings(value: Any) -> None:
    with pytest.raises(Reject, match="exact number written as a string"):
        const(value)


def test_parser_bounds_json_integers() -> None:
    assert const(-(10**300)) == -(10**300)
    with pytest.raises(Reject, match="more than 400 digits"):
        const(10**1000)


def test_parser_names_are_the_declared_symbols() -> None:
    r = Reader({"network": {"symbols": ["w", "v"]}})
    w = r.F.var("w")
    assert r.num("2*w - 1") == 2 * w - 1 and r.num("w^2") == w * w
    for text in ("u", "sqrt(w)", "w^(1/2)", "sqrt", "z"):
        with pytest.raises(Reject):
            r.num(text)
    with pytest.raises(Reject):
        r.const("w")
    with pytest.raises(Reject, match="too long"):
        r.num("1" * (MAX_TEXT + 1))
    with pytest.raises(Reject, match="distinct names"):
        Reader({"network": {"symbols": ["w", "w"]}})


@SETTINGS
@given(st.text(alphabet="0123456789+-*/^().e_xpisqrt ", max_size=40))
def test_parser_never_fails_otherwise(text: str) -> None:
    try:
        value = Reader({"network": {"symbols": ["x", "e"]}, "numbers": SQRT2}).num(text)
    except Reject:
        return
    assert value.f is not None


# -- exact decisions ----------------------------------------------------------------------------


def test_zero_and_sign_decisions() -> None:
    six = {"minimal_polynomial": ["1", "0", "-10", "0", "1"], "interval": ["3", "4"], "radicals": [
        {"base": "2", "root": 2, "value": ["0", "-9/2", "0", "1/2"]},
        {"base": "3", "root": 2, "value": ["0", "11/2", "0", "-1/2"]},  # alpha = sqrt(2) + sqrt(3)
        {"base": "6", "root": 2, "value": ["-5/2", "0", "1/2"]},
        {"base": "3 + 2*sqrt(2)", "root": 2, "value": ["1", "-9/2", "0", "1/2"]}]}
    r = Reader({"network": {"symbols": ["w", "v"]}, "numbers": six})
    assert r.num("sqrt(2)*sqrt(3) - sqrt(6)") == 0
    assert r.num("sqrt(3 + 2*sqrt(2)) - 1 - sqrt(2)") == 0  # the hint's field holds the nested root
    assert r.num("sqrt(2) - 14142135623730951/10^16").sign() == -1
    assert r.num("(w + v)^2 - w^2 - 2*w*v - v^2") == 0
    assert r.num("1/(w^2 + 1) - (w^2 + 1)^-1") == 0
    assert r.num("pi*w - 3*w") != 0
    assert r.num("pi*(sqrt(2) + 1)^2 - pi*(3 + 2*sqrt(2))") == 0
    assert r.num("pi - 314159265358979/10^14").sign() == 1
    assert r.num("sqrt(3 + 2*sqrt(2)) - 1 - sqrt(2)").sign() == 0
    with pytest.raises(Reject):
        r.num("w").sign()


def test_field_hints_are_checked() -> None:
    for hint, why in (({"minimal_polynomial": ["-4", "0", "1"], "interval": ["1", "3"]}, "irreducible"),
                      ({"minimal_polynomial": ["-2", "0", "1"], "interval": ["2", "3"]}, "change sign"),
                      ({"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"],
                        "radicals": [{"base": "2", "root": 2, "value": ["0", "-1"]}]}, "non-negative"),
                      ({"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"],
                        "radicals": [{"base": "3", "root": 2, "value": ["0", "1"]}]}, "root of 3"),
                      ({"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"], "degree": 2}, "unexpected")):
        with pytest.raises(Reject, match=why):
            Reader({"numbers": hint})


# -- relations: the trusted families proved symbolically, the kernel's answers against numbers ----

z = sympy.Symbol("z", real=True)
a_pos = sympy.Symbol("a", positive=True)
n_int = sympy.Symbol("n", integer=True)
zp, zn = sympy.Symbol("zp", positive=True), sympy.Symbol("zn", negative=True)


def is_relation(spec: str, r: tuple) -> bool:
    """The kernel's answer: sigma(a z + c) = b sigma(z) + e for the constants r (in Q(sqrt(2), pi))."""
    read = Reader({"numbers": SQRT2})
    a, c, b, e = (read.const(str(x).replace("**", "^")) for x in r)
    return read.activation(spec).completes(a, c) == (b, e)


def test_tanh_relation_is_proved() -> None:
    assert sympy.simplify(sympy.tanh(-z).rewrite(sympy.exp) + sympy.tanh(z).rewrite(sympy.exp)) == 0


def test_sigmoid_relation_is_proved() -> None:
    assert sympy.simplify(1 / (1 + sympy.exp(z)) - (1 - 1 / (1 + sympy.exp(-z)))) == 0


@pytest.mark.parametrize("alpha", [Integer(0), Rational(1, 10), Rational(1, 100), sympy.Symbol("al", positive=True)])
def test_relu_and_leaky_relu_positive_scaling_is_proved(alpha: sympy.Expr) -> None:
    sigma = lambda u: sympy.Piecewise((u, u >= 0), (alpha * u, True))  # noqa: E731  (alpha = 0: relu)
    for u in (zp, zn):  # both sides agree on z > 0 and on z < 0 (and trivially at 0)
        assert sympy.simplify(sigma(a_pos * u) - a_pos * sigma(u)) == 0


@pytest.mark.parametrize("a", [1, -1])
def test_sin_shift_relations_are_proved(a: int) -> None:
    lhs = sympy.expand_trig(sympy.sin(a * z + n_int * pi))
    assert sympy.simplify(lhs - a * (-1) ** n_int * sympy.sin(z)) == 0


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
        p = sympy.sympify(arg.replace("^", "**"), locals={"z": z})
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
    ("poly:z^3 - z", (-1, 0, -1, 0)), ("poly:z^2 + 1", (-1, 0, 1, 0)), ("poly:z + z^2/2", (-1, -2, 1, 0)),
    ("poly:z^2", (3, 0, 9, 0)), ("poly:z^2 + 2*z", (-1, -2, 1, 0)), ("poly:z^2 + 2*z", (3, 2, 9, 8)),
    ("gelu", (1, 0, 1, 0)), ("softplus", (1, 0, 1, 0)), ("swish", (1, 0, 1, 0)),
]
REJECTED = [
    ("identity", (2, 1, 2, 0)), ("identity", (2, 0, 3, 0)), ("identity", (0, 0, 0, 0)), ("relu", (0, 0, 0, 0)),
    ("tanh", (-1, 0, 1, 0)), ("tanh", (1, 0, -1, 0)), ("tanh", (2, 0, 2, 0)), ("tanh", (1, 1, 1, 0)),
    ("tanh", (-1, 0, -1, 1)),
    ("sigmoid", (-1, 0, -1, 0)), ("sigmoid", (-1, 0, 1, 0)), ("sigmoid", (1, 0, 1, 1)), ("sigmoid", (2, 0, 2, 0)),
    ("relu", (-1, 0, -1, 0)), ("relu", (2, 0, 1, 0)), ("relu", (1, 1, 1, 0)), ("relu", (2, 0, 2, 1)),
    ("relu", (-1, 0, 1, 0)), ("leaky_relu:1/10", (-1, 0, -1, 0)),
    ("power:2", (-1, 0, -1, 0)), ("power:2", (2, 0, 2, 0)), ("power:3", (-1, 0, 1, 0)), ("power:2", (1, 1, 1, 0)),
    ("power:2", (0, 0, 0, 0)),
    ("sin", (1, pi / 2, 1, 0)), ("sin", (-1, 0, 1, 0)), ("sin", (1, pi, 1, 0)), ("sin", (1, 1, 1, 0)),
    ("sin", (2, 0, 2, 0)), ("sin", (1, 2 * pi, 1, 1)), ("sin", (1, -pi, 1, 0)), ("sin", (-1, -pi, -1, 0)),
    ("poly:z + z^2/2", (-1, 0, 1, 0)), ("poly:z + z^2/2", (-1, 0, -1, 0)), ("poly:z^3 - z", (-1, 0, 1, 0)),
    ("gelu", (-1, 0, -1, 0)), ("softplus", (-1, 0, -1, 0)), ("swish", (-1, 0, -1, 0)), ("gelu", (-1, 0, 1, 0)),
]


@pytest.mark.parametrize("spec,r", ACCEPTED)
def test_accepted_tuples_are_relations(spec: str, r: tuple) -> None:
    rel = tuple(sympy.sympify(x) for x in r)
    assert is_relation(spec, rel)
    assert not _differs_somewhere(spec, rel)


@pytest.mark.parametrize("spec,r", REJECTED)
def test_rejected_tuples_are_not_relations(spec: str, r: tuple) -> None:
    rel = tuple(sympy.sympify(x) for x in r)
    assert not is_relation(spec, rel)
    if any(x != 0 for x in r):  # a = 0 is excluded although 0 relu(z) = relu(0 z): k would not be invertible
        assert _differs_somewhere(spec, rel)


@SETTINGS
@given(spec=st.sampled_from(["identity", "tanh", "sigmoid", "relu", "leaky_relu:1/10", "power:2", "power:3",
                             "sin", "poly:z^3 - 2*z", "poly:z^2 + z", "gelu", "softplus", "swish"]),
       a=st.sampled_from([-2, -1, Rational(1, 2), 1, 3]), c=st.sampled_from([0, 1, pi, -pi, 2 * pi, -1]),
       b=st.sampled_from([-8, -1, 0, Rational(1, 2), 1, 3, 4, 9]), e=st.sampled_from([0, 1, -1, pi, 2]))
def test_random_tuples_accepted_iff_relations(spec: str, a: Any, c: Any, b: Any, e: Any) -> None:
    rel = tuple(sympy.sympify(x) for x in (a, c, b, e))
    assert is_relation(spec, rel) == (not _differs_somewhere(spec, rel))


def test_trusted_families_cover_every_activation_but_the_polynomial_ones() -> None:
    from symeq.kernel.activations import FAMILIES, PLAIN

    read = Reader({})
    assert set(FAMILIES) == set(PLAIN) - {"identity"} | {"leaky_relu"}
    assert all(read.activation(s).family is None for s in ("identity", "power:3", "poly:z^3 + z"))
    assert read.activation("tanh").family == FAMILIES["tanh"]


# -- symbolic networks ----------------------------------------------------------------------------


def test_symbolic_layerwise_identity_holds_as_polynomial_identity() -> None:
    doc = copy.deepcopy(SIGN_TANH)
    doc["network"]["weights"][0] = [["w1", "-2*w2"], ["w1*w2", "3"], ["1/(1 + w1^2)", "sqrt(3)"]]
    doc["network"]["symbols"] = ["w1", "w2"]
    v = verify_certificate(doc)
    assert not v.ok and v.reason.endswith("(missing: w1^2 + 1)"), v.reason  # the claim must state it
    doc["claim"]["nonzero"] = ["w1^2 + 1"]
    v = verify_certificate(doc)
    assert v.ok, v.reason
    assert "symbols w1, w2" in v.claim
    assert v.claim.endswith("; for every real value of the symbols w1, w2 where w1^2 + 1 is nonzero")
    doc["network"]["biases"][0][1] = "w2"  # b = -b only where w2 = 0: not an identity
    v = verify_certificate(doc)
    assert not v.ok and "row equation of neuron 2 fails: [-w1*w2, -3, w2] != [-w1*w2, -3, -w2]" in v.reason


def test_symbolic_c4_family_and_its_witness() -> None:
    doc = copy.deepcopy(C4_TANH)
    doc["network"]["weights"][1] = [["u", "0", "-u", "0"], ["0", "u", "0", "-u"]]
    doc["network"]["symbols"] = ["u", "v"]
    v = verify_certificate(doc)
    assert v.ok and v.claim.endswith("for every real value of the symbols u")
    doc["network"]["weights"][1][1][3] = "-v"  # equivariant only when u = v
    v = verify_certificate(doc)
    assert not v.ok and "(W_L M | W_L t + b_L) = rho_L (W_L | b_L) fails" in v.reason
    witness = copy.deepcopy(TANH_WITNESS)
    witness["network"] = doc["network"]
    witness["evidence"]["symbol_values"] = {"u": "2", "v": "3"}
    v = verify_certificate(witness)
    assert v.ok and v.claim.endswith("(at these symbol values, not for every value)")
    assert "symbols set to u = 2, v = 3" in v.steps
    witness["evidence"]["symbol_values"] = {"u": "2", "v": "2"}
    assert not verify_certificate(witness).ok
    witness["evidence"]["symbol_values"] = {"u": "2"}
    assert not verify_certificate(witness).ok


def test_symbol_values_that_divide_by_zero_are_rejected() -> None:
    doc = copy.deepcopy(RELU_WITNESS)
    doc["network"]["weights"][1][0][0] = "1/w"
    doc["network"]["symbols"] = ["w"]
    doc["evidence"]["symbol_values"] = {"w": "0"}
    v = verify_certificate(doc)
    assert not v.ok and "denominator zero" in v.reason


# -- more claims and activations --------------------------------------------------------------------


def _relu_form(doc: dict, groups: dict) -> dict:
    return _edit(doc, lambda d: d.update(evidence={"method": "relu_canonical_form", "groups": groups}))


def test_relu_canonical_form_with_its_groups_hint() -> None:
    # f(r x) - r f(x) for the C8 relu net: terms 0..3 are relu(r^T e_j . x), 4..7 relu(+-e_j . x);
    # after normalization the hyperplanes e_1 + e_2, ... of f(rho_0 x) pair with nothing but the
    # bypass identity makes everything affine: the engine groups equal hyperplanes.
    from symeq.certify.hints import _groups

    read = Reader(RELU_C8)
    groups = _groups(read.network(RELU_C8["network"]), read.group(RELU_C8["group"], 2, 2))
    doc = _relu_form(RELU_C8, groups)
    v = verify_certificate(doc)
    assert v.ok, v.reason
    assert "relu canonical form (second tier)" in v.relies
    bad = _relu_form(RELU_C8, {"r": [t for t in groups["r"][1:]]})  # a group left out
    assert "every term with a nonzero row exactly once" in verify_certificate(bad).reason
    merged = _relu_form(RELU_C8, {"r": [groups["r"][0] + groups["r"][1]] + groups["r"][2:]})
    assert "different hyperplanes" in verify_certificate(merged).reason


def test_leaky_relu_bypass_and_witness() -> None:
    doc = copy.deepcopy(RELU_C8)
    doc["network"]["activation"] = "leaky_relu:1/10"
    # leaky(z) - leaky(-z) = (1 + alpha) z: scale the outgoing weights by 1/(1 + alpha)
    doc["network"]["weights"][1] = [["10/11", "0", "-10/11", "0"], ["0", "10/11", "0", "-10/11"]]
    v = verify_certificate(doc)
    assert v.ok and "identity s(z) - s(-z) = (1 + A) z for leaky_relu:A" in v.relies
    doc["network"]["weights"][1][0][2] = "-1"
    assert not verify_certificate(doc).ok


def test_relu_canonical_form_with_biases_and_dead_neurons() -> None:
    """relu(x + 1) - relu(-x - 1) = x + 1 and a neuron with zero row (a constant) under the
    reflection x -> -x on R^1 with output -1: f(x) = x + 1 - 1 = x, equivariant."""
    doc = cert("equivariant",
               {"activation": "relu", "weights": [[["1"], ["-1"], ["0"]], [["1", "-1", "-1/2"]]],
                "biases": [["1", "-1", "2"], ["0"]]},
               {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
               {"method": "relu_canonical_form", "groups": {}})
    from symeq.certify.hints import _groups

    read = Reader(doc)
    doc["evidence"]["groups"] = _groups(read.network(doc["network"]), read.group(doc["group"], 1, 1))
    assert verify_certificate(doc).ok
    doc["network"]["biases"][1] = ["1/2"]
    assert "the affine part is not 0" in verify_certificate(doc).reason


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
    doc["network"]["activation"] = "poly:z^3 + z^2"  # not odd: (-1, 0, -1, 0) is no relation
    assert "is not a relation of poly:z^3 + z^2" in verify_certificate(doc).reason
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
    assert v.steps[0] == "group: generators r, m are invertible; relations r^4, m^2, m r m r, m r^-1 m r^-1, r^-4, m*r*m*r hold"
    doc["group"]["relations"] = ["r^2"]
    assert "group relation 'r^2' on rho_0 fails" in verify_certificate(doc).reason
    doc["group"]["generators"]["m"]["output"] = [["1 + 10^-40", "0"], ["0", "-1"]]
    doc["group"]["relations"] = ["m^2"]
    assert verify_certificate(doc).reason.startswith("group relation 'm^2' on rho_L fails at entry (1, 1)")


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
                {"method": "layerwise", "actions": {"t": [mono(perm, [ONE] * n)] * (depth - 1)}})


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


# -- the kernel imports only the standard library and python-flint ---------------------------------


#: Each architecture added after the MLP brings its own kernel module with its own line cap (the
#: lead's decision on issue 15): the shared kernel (numbers, groups, claims, the MLP's checker) was
#: at 1,196 of its 1,200 lines when convolutions arrived, so one total cap would have forced
#: either a bigger trusted base for everyone or squeezing the MLP's checker.  Separate caps keep
#: every module small enough to read on its own.
ARCHITECTURE_KERNEL_CAPS = {"conv.py": 560, "attention.py": 250}
#: The identity activation's latent maps (invertible matrices of convolutions with a shift per
#: channel, issue 15) need their own layer equation, product and conjugation on filters: about 60
#: lines, with the inverse stated as a hint so the kernel multiplies and never inverts.
ARCHITECTURE_KERNEL_CAPS["conv.py"] = 615
#: The submodel reduction of convolutions (degenerate channels, issue 15) is replayed on the
#: lowered MLP by the MLP checker's own rewrite steps; conv.py only hands them over (15 lines),
#: and lemma C3 (identity-activation identifiability through the lowered MLP) is 5 more.
ARCHITECTURE_KERNEL_CAPS["conv.py"] += 15
#: Not an architecture, the same rule: the exact constants tanh(q) (u = e^(1/N), issue 12) came
#: when the shared kernel was at its 1,200 lines; what a reader must trust about them (the
#: definition of tanh, Lindemann-Weierstrass) fits in one small module, symeq/kernel/constants.py.
ARCHITECTURE_KERNEL_CAPS["constants.py"] = 70
#: Likewise the same-function check through bypass pairs (relu, gelu: sigma(z) - sigma(-z) = z),
#: which identify's witness for networks such as c8_width4 needs.
ARCHITECTURE_KERNEL_CAPS["bypass.py"] = 50


def test_kernel_imports_only_the_standard_library_and_flint() -> None:
    """The kernel imports only the standard library, python-flint and itself, and stays small:
    at most 1,200 lines for the shared kernel with the MLP's checker, and each later
    architecture's module (``ARCHITECTURE_KERNEL_CAPS``) at most its own cap."""
    import ast
    import pathlib

    import symeq.kernel

    folder = pathlib.Path(symeq.kernel.__file__).parent
    lines, own = 0, {}
    for path in folder.glob("*.py"):
        text = path.read_text()
        if path.name in ARCHITECTURE_KERNEL_CAPS:
            own[path.name] = len(text.splitlines())
        else:
            lines += len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names | {"flint", "symeq"}, (path.name, name)
                assert top != "symeq" or name == "symeq.kernel" or name.startswith("symeq.kernel."), (path.name, name)
    assert lines <= 1200, f"the kernel has {lines} lines"
    assert set(own) == set(ARCHITECTURE_KERNEL_CAPS), f"capped modules missing: {set(ARCHITECTURE_KERNEL_CAPS) - set(own)}"
    for name, n in own.items():
        assert n <= ARCHITECTURE_KERNEL_CAPS[name], f"the kernel's {name} has {n} lines (cap {ARCHITECTURE_KERNEL_CAPS[name]})"


def test_verification_loads_no_engine_module_and_no_sympy() -> None:
    import subprocess

    code = ("import sys, json\n"
            "from symeq.certify.verify import verify_certificate\n"
            f"assert verify_certificate(json.loads({json.dumps(json.dumps(RELU_C8))})).ok\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('symeq', 'sympy')))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    allowed = ("symeq", "symeq.certify", "symeq.certify.verify", "symeq.certify.reader", "symeq.certify.second_tier", "symeq.certify.slice_ideal",
               "symeq.certify.theorems")
    assert loaded and all(m in allowed or m.startswith("symeq.kernel") for m in loaded), loaded


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
    assert "  ok  group: generators r are invertible; relations r^8 hold" in out
    assert "relies on: kernel; linear bypass (second tier); identity relu(z) - relu(-z) = z" in out

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered(RELU_C8, ("network", "weights", 0, 0, 0), _bump)))
    code, out = _run_verify([str(bad)], capsys)
    assert code == 1 and out.splitlines()[-1].startswith("REJECTED: layer 1, pair [0, 2]: the rows, biases")
    assert "verified" not in out

    code, out = _run_verify([str(bad), "--json"], capsys)
    result = json.loads(out)
    assert code == 1 and result["verified"] is False and result["reason"].startswith("layer 1")
    assert set(result) == {"verified", "claim", "steps", "reason", "relies_on"} and len(result["steps"]) == 1
    assert result["relies_on"] == []

    code, out = _run_verify([str(good), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["verified"] is True and result["reason"] is None
    assert result["relies_on"] == ["kernel", "linear bypass (second tier)", "identity relu(z) - relu(-z) = z"]

    floats = tmp_path / "floats.json"
    floats.write_text(json.dumps(RELU_C8).replace('["1", "0"]', "[1.0, 0]", 1))
    code, out = _run_verify([str(floats)], capsys)
    assert code == 1 and "must be an exact number written as a string" in out

    for text, msg in (('{"a": ', "malformed JSON"), ("[1]", "not a symeq certificate"),
                      ('{"format": "other"}', "not a symeq certificate"), ("NaN", "unreadable JSON"),
                      ("[" * 100000 + "]" * 100000, ""), ('{"n": ' + "9" * 5000 + "}", "unreadable JSON")):
        junk = tmp_path / "junk.json"
        junk.write_text(text)
        code, out = _run_verify([str(junk)], capsys)
        assert code == 2 and msg in out and "Traceback" not in out
    junk.write_bytes(b"\xff\xfe")
    assert _run_verify([str(junk)], capsys)[0] == 2
    assert _run_verify([str(tmp_path / "missing.json")], capsys)[0] == 2
    assert _run_verify([str(tmp_path)], capsys)[0] == 2  # a directory is no regular file


def test_verify_is_registered() -> None:
    assert "verify" in importlib.import_module("symeq.cli").VERBS


# -- latent_actions: the group is closed exactly ---------------------------------------------------


def _latent_cert(gen: list[list[str]], order: int) -> dict[str, Any]:
    """latent_actions for the identity network 2-2-2 (W = I) with the latent map rho_0(a)."""
    eye = [["1", "0"], ["0", "1"]]
    return cert("latent_actions", {"activation": "identity", "weights": [eye, eye], "biases": [["0", "0"]] * 2},
                {"generators": {"a": {"input": gen, "output": gen}}},
                {"method": "layerwise_homomorphism",
                 "actions": {"a": [{"kind": "affine", "matrix": gen, "shift": ["0", "0"]}]}, "order": order}, SQRT2)


def test_latent_closure_does_not_depend_on_how_numbers_are_written() -> None:
    # (3 + 2 sqrt 2)/(1 + sqrt 2) = 1 + sqrt 2 = 1/(sqrt 2 - 1), so a^2 = I: exact arithmetic in
    # Q(sqrt 2) gives every element one canonical form, and G closes to 2 elements.
    a = [["0", "sqrt(2)-1"], ["(3+2*sqrt(2))/(1+sqrt(2))", "0"]]
    v = verify_certificate(_latent_cert(a, 2))
    assert v.ok, v.reason
    assert "group closed by exact multiplication: 2 elements" in v.steps
    v = verify_certificate(_latent_cert(a, 4))
    assert not v.ok and v.reason == "the stated order 4 is not |G| = 2"


def test_groups_that_divide_by_pi_have_no_canonical_closure() -> None:
    # Entries such as pi*sqrt(2 + sqrt(3)) and pi*(sqrt(6) + sqrt(2))/2 are the same number; the
    # kernel decides that exactly (pi is a variable over Q(alpha)), and a group element that divides
    # by pi has no canonical form to close the group with: rejected, never guessed.
    doc = cert("counterexample", {"activation": "relu", "weights": [[["1", "0"], ["0", "1"]]], "biases": [["0", "0"]]},
               {"generators": {"s": {"input": [["0", "pi"], ["1/pi", "0"]], "output": [["0", "pi"], ["1/pi", "0"]]}}},
               {"method": "classification", "equivariance": {"method": "layerwise", "actions": {"s": []}},
                "non_constant": {"x": ["0", "0"], "y": ["1", "0"], "coordinate": 0},
                "latent_kind": "permutation", "types": [], "assignments": [{"types": [], "zero_layer": 1, "minor": []}]})
    doc["claim"]["refutes"] = "layerwise-reparam"
    v = verify_certificate(doc)
    assert not v.ok and "divides by pi or a symbol" in v.reason


def test_counterexample_networks_are_numeric() -> None:
    # Rows (1) and (w^2 + 1) of a relu layer are related for every real w (positive scaling), so the
    # network is never reduced; decided as identities in w the atom 'reduced' came out True.
    doc = cert("counterexample", {"activation": "relu", "weights": [[["1"], ["w^2+1"]], [["1", "1"]]],
                                  "biases": [["0", "0"], ["0"]], "symbols": ["w"]},
               {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
               {"method": "atoms", "atoms": {"reduced": {"value": True}}})
    doc["claim"].update({"refutes": "predicate", "predicate": "not reduced"})
    v = verify_certificate(doc)
    assert not v.ok and v.reason.startswith("a counterexample is a numeric network")
    doc["network"]["weights"][0][1] = ["2"]  # the numeric network is decided: not reduced
    doc["network"].pop("symbols")
    v = verify_certificate(doc)
    assert not v.ok and v.reason.startswith("atom reduced is False: layer 1 neuron 2 is the image of an earlier neuron")
