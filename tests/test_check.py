"""Tests of ``symeq check``: the engine (matching, identities, witnesses), its certificates as
judged by the independent checker, and the command line.

Property tests draw networks that are layerwise equivariant by construction (tests/strategies.py)
and demand "holds" with a certificate the checker accepts; the same networks with one weight
perturbed, when an independent computation proves the perturbation broke equivariance, must be
refuted with a witness the checker accepts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Integer, Rational, sqrt

from strategies import (certified_defect, equivariant_networks, find_certified_defect,
                        perturbations)
from symeq.activations import CATALOG
from symeq.certify.build import check_certificate
from symeq.certify.verify import verify_certificate
from symeq.cli import main
from symeq.errors import BudgetExceeded
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.architectures.mlp.witness import find_witness
from symeq.architectures.mlp.equivariance import match_layerwise
from symeq.architectures.mlp.identity import polynomial_identity
from symeq.exact import parse_number
from symeq.groups import GroupAction, catalog_group
from symeq.architectures import network_from_dict

PROPERTY = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def verified(net, group, result):
    cert = check_certificate(net, group, result)
    v = verify_certificate(json.loads(json.dumps(cert)))  # exactly what a file would hold
    assert v.ok, v.reason
    return cert


def net_of(activation, weights, biases):
    return network_from_dict({"activation": activation, "weights": weights, "biases": biases})


# -- property tests over the whole activation catalog ---------------------------------------


@pytest.mark.parametrize("spec", CATALOG)
@PROPERTY
@given(data=st.data())
def test_layerwise_equivariant_networks_hold(spec, data):
    case = data.draw(equivariant_networks(spec, max_depth=3))
    result = check_equivariance(case.net, case.group)
    assert result.verdict == "holds", (case.description, result.reason)
    if spec == "identity":  # affine actions need full row rank, else the polynomial identity
        assert result.method in ("layerwise", "polynomial_identity", "reduction+layerwise")
    elif result.method == "reduction+layerwise":
        # duplicate neurons past the matching budget (e.g. a width-1 layer feeding a regular
        # G-set gives 8 proportional rows): the submodel is matched instead
        assert not result.match.found and result.reduction.changed, (case.description, result.attempts)
        red = result.reduction.reduced
        assert len(result.reduced.match.action(case.group.names[0])) == red.depth - 1
    else:
        assert result.method == "layerwise", (case.description, result.attempts)
        assert len(result.match.action(case.group.names[0])) == case.net.depth - 1
    cert = verified(case.net, case.group, result)
    assert cert["claim"] == {"kind": "equivariant"}


@pytest.mark.parametrize("spec", CATALOG)
@PROPERTY
@given(data=st.data())
def test_perturbed_networks_are_refuted(spec, data):
    case = data.draw(equivariant_networks(spec, max_depth=3))
    net, where = data.draw(perturbations(case.net))
    # Only perturbations proved (independently of the engine) to break equivariance count.
    assume(find_certified_defect(net, case.group, random.Random(0)))
    result = check_equivariance(net, case.group)
    assert result.verdict == "fails", (case.description, where, result.reason)
    assert result.method == "witness"
    cert = verified(net, case.group, result)
    assert cert["claim"] == {"kind": "not_equivariant"}
    w = result.witness
    assert certified_defect(net, case.group, w.generator, w.x)
    assert parse_number(cert["evidence"]["difference_lower_bound"]) == w.lower_bound > 0


@pytest.mark.parametrize("spec", ["tanh", "relu", "power:3", "sin", "identity", "sigmoid"])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_symbolic_families(spec, data):
    case = data.draw(equivariant_networks(spec, symbolic=True, max_depth=3))
    result = check_equivariance(case.net, case.group)
    assert result.verdict == "holds", (case.description, result.reason)
    cert = verified(case.net, case.group, result)
    assert cert["network"].get("symbols", []) == sorted(str(s) for s in case.net.symbols)
    net, _ = data.draw(perturbations(case.net))
    assume(find_certified_defect(net, case.group, random.Random(1)))
    result = check_equivariance(net, case.group)
    assert result.verdict == "fails", result.reason
    assert {n for n, _ in result.witness.symbol_values} == {str(s) for s in net.symbols}
    verified(net, case.group, result)


# -- docs/theory.md section 6 and other fixed examples ----------------------------------------------

C8_WIDTH4 = {"weights": [[["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]],
                         [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
             "biases": [["0", "0", "0", "0"], ["0", "0"]]}


@pytest.mark.parametrize("act", ["relu", "leaky_relu:1/10"])
def test_c8_width4_relu_holds_by_canonical_form_not_layerwise(act):
    net = net_of(act, **C8_WIDTH4)
    G = catalog_group("C8", 2, 2)
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("holds", "relu_canonical_form")
    assert result.match.failure.definitive
    assert result.match.failure.layer == 1
    verified(net, G, result)


def test_c8_width4_relu_with_a_bias_fails_exactly():
    d = {"weights": C8_WIDTH4["weights"], "biases": [["0", "0", "0", "1"], ["0", "0"]]}
    net = net_of("relu", **d)
    G = catalog_group("C8", 2, 2)
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("fails", "witness")
    assert result.witness.exact
    verified(net, G, result)


def test_c8_width8_relu_is_layerwise_with_an_8_cycle():
    dirs = [(sympy.cos(k * sympy.pi / 4), sympy.sin(k * sympy.pi / 4)) for k in range(8)]
    w1 = [[str(sympy.nsimplify(c)), str(sympy.nsimplify(s))] for c, s in dirs]
    w2 = [[str(sympy.nsimplify(dirs[k][r] / 2)) for k in range(8)] for r in range(2)]
    net = net_of("relu", [w1, w2], [["0"] * 8, ["0", "0"]])
    x = ImmutableMatrix([Rational(3, 2), -Integer(5)])
    assert net.value(x).applyfunc(sympy.radsimp) == x  # the identity map of R^2
    G = catalog_group("C8", 2, 2)
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("holds", "layerwise")
    (k,) = result.match.action("r")
    seen, j = [], 0
    for _ in range(8):
        seen.append(j)
        j = k.perm[j]
    assert sorted(seen) == list(range(8)) and j == 0
    verified(net, G, result)


DUP_UNEVEN = {"weights": [[["1", "0"], ["1", "0"], ["0", "1"], ["0", "1"]],
                          [["1", "2", "0", "0"], ["0", "0", "3", "0"]]],
              "biases": [["0", "0", "0", "0"], ["0", "0"]]}


def test_duplicate_neurons_with_uneven_split_hold_through_the_submodel():
    # f(x) = (3 tanh x1, 3 tanh x2) is swap equivariant, but no layer action exists at this
    # parameter (docs/theory.md section 6); the submodel (duplicates merged, the dead neuron
    # dropped) is layerwise, and the certificate proves the reduction step by step.
    net = net_of("tanh", **DUP_UNEVEN)
    G = catalog_group("S2", 2, 2)
    x = ImmutableMatrix([Rational(1, 3), Integer(2)])
    fx = net.forward(x)
    assert net.forward(G.inputs[0] * x) == G.outputs[0] * fx
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("holds", "reduction+layerwise")
    assert result.match.failure.definitive and result.match.failure.kind == "closure"
    assert "(all 4 choices among duplicate neurons of layer 1 tried)" in result.match.failure.message
    assert result.reduction.reduced.widths == (2, 2, 2)
    cert = verified(net, G, result)
    assert cert["evidence"]["method"] == "via_reduction"
    assert cert["evidence"]["reduced_equivariance"]["method"] == "layerwise"


def test_duplicates_are_paired_by_search_not_greedily():
    # Neurons 0, 1 duplicate x1 and 2, 3 duplicate x2; under the swap, 0 must go to 3 and
    # 1 to 2 (the outgoing weights 2, 1 / 1, 2 force it); the first pairing tried fails.
    net = net_of("tanh", [[["1", "0"], ["1", "0"], ["0", "1"], ["0", "1"]],
                          [["2", "1", "0", "0"], ["0", "0", "1", "2"]]],
                 [["0", "0", "0", "0"], ["0", "0"]])
    G = catalog_group("S2", 2, 2)
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("holds", "layerwise")
    assert result.match.action("t")[0].perm == (3, 2, 1, 0)
    verified(net, G, result)


def test_matching_budget_gives_budget_failure():
    rows = [["1", "0"]] * 4 + [["0", "1"]] * 4
    net = net_of("tanh", [rows, [[str(k) for k in range(1, 9)]]], [["0"] * 8, ["0"]])
    G = catalog_group("S2", 2, 1, output="trivial")
    m = match_layerwise(net, G, budget=50)
    assert not m.found and m.failure.kind == "budget" and not m.failure.definitive
    full = match_layerwise(net, G, budget=1000).failure  # 4! * 4! = 576 choices, all fail
    assert full.kind == "closure" and "(all 576 choices" in full.message


def test_rescaled_constant_neurons_are_ambiguous_not_refuted():
    # Neurons 2, 3 of layer 1 are constant (zero rows).  f = 6 relu(x1) + 6 relu(x2) is swap
    # invariant and layerwise: neurons 0 <-> 1, and the constant neurons 2 -> 3 with scale
    # b = 2 and 3 -> 2 with b = 1/2 (so that W_2's rows map to each other with a = 1/2, 2).
    # The matching tries only the scales +-1 on constant rows, so it must answer "ambiguous"
    # -- never a definitive failure.  check then proves it on the submodel, where the constant
    # neurons (relu(0) = 0) are absorbed into the next bias.
    net = net_of("relu", [[["1", "0"], ["0", "1"], ["0", "0"], ["0", "0"]],
                          [["1", "2", "1", "0"], ["4", "2", "0", "4"]], [["2", "1"]]],
                 [["0", "0", "0", "0"], ["0", "0"], ["0"]])
    G = catalog_group("S2", 2, 1, output="trivial")
    m = match_layerwise(net, G)
    assert not m.found and m.failure.kind == "ambiguous" and not m.failure.definitive
    result = check_equivariance(net, G, tries=40)
    assert (result.verdict, result.method) == ("holds", "reduction+layerwise")
    assert [s.op for s in result.reduction.steps] == ["absorb_constant", "absorb_constant"]
    verified(net, G, result)


def test_sigmoid_latent_action_is_affine_and_sin_uses_pi_shifts():
    doc = Path(__file__).resolve().parents[1] / "proofs" / "check" / "sigmoid_mirror3.toml"
    from symeq.commands.common import load_inputs

    net, G, _ = load_inputs(str(doc))
    result = check_equivariance(net, G)
    (k,) = result.match.action("s")
    assert any(x != 0 for x in k.shift()) and all(r.e in (0, 1) for r in k.relations)
    sn = net_of("sin", [[["1", "2"], ["-2", "-1"]], [["1", "1"]]], [["1", "pi-1"], ["0"]])
    G2 = catalog_group("S2", 2, 1, output="trivial")
    result = check_equivariance(sn, G2)
    (k,) = result.match.action("t")
    assert k.perm == (1, 0) and {(r.a, r.c, r.b) for r in k.relations} == {(-1, sympy.pi, 1)}
    verified(sn, G2, result)


def test_identity_activation_affine_or_polynomial():
    G = catalog_group("S3", 3, 1, output="trivial")
    full = net_of("identity", [[["1", "1", "1"]], [["-2"]]], [["1"], ["2"]])
    result = check_equivariance(full, G)
    assert (result.verdict, result.method) == ("holds", "layerwise")
    assert result.match.action("t")[0].kind == "affine"
    verified(full, G, result)
    wide = net_of("identity", [[["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"], ["1", "1", "1"]],
                               [["1", "1", "1", "5"]]], [["0"] * 4, ["0"]])
    result = check_equivariance(wide, G)
    assert (result.verdict, result.method) == ("holds", "polynomial_identity")
    assert result.match.failure.kind == "unsupported"
    verified(wide, G, result)
    bad = net_of("identity", [[["1", "2", "3"]], [["1"]]], [["0"], ["0"]])
    result = check_equivariance(bad, G)
    assert result.verdict == "fails" and result.witness.exact
    verified(bad, G, result)


def test_polynomial_identity_point_and_budget():
    net = net_of("power:3", [[["1", "a"]], [["1"]]], [["0"], ["0"]])
    G = catalog_group("S2", 2, 1, output="trivial")
    out = polynomial_identity(net, G)
    # (x2 + a x1)^3 - (x1 + a x2)^3 vanishes only for a = 1: a witness sets a and x exactly
    assert not out.holds and dict(out.symbol_values)["a"] != 1
    sv = {sympy.Symbol("a", real=True): dict(out.symbol_values)["a"]}
    x1, x2 = out.point
    assert out.difference == (x2 + sv[sympy.Symbol("a", real=True)] * x1) ** 3 - (x1 + sv[sympy.Symbol("a", real=True)] * x2) ** 3 != 0
    deep = net_of("power:4", [[["1", "2", "3"], ["3", "1", "2"], ["2", "3", "1"]], [["1", "1", "1"]] * 3,
                              [["1", "2", "1"]]], [["1", "1", "1"], ["0", "0", "0"], ["0"]])
    with pytest.raises(BudgetExceeded):
        polynomial_identity(deep, catalog_group("S3", 3, 1, output="trivial"), max_terms=50)
    result = check_equivariance(deep, catalog_group("S3", 3, 1, output="trivial"), max_terms=50, tries=20)
    assert any("budget" in a for a in result.attempts)


def test_depth_one_networks():
    G = catalog_group("C4", 2, 2)
    rot = net_of("tanh", [[["1", "-2"], ["2", "1"]]], [["0", "0"]])
    result = check_equivariance(rot, G)
    assert (result.verdict, result.method) == ("holds", "layerwise") and result.match.action("r") == ()
    verified(rot, G, result)
    shear = net_of("tanh", [[["1", "1"], ["0", "1"]]], [["0", "0"]])
    result = check_equivariance(shear, G)
    assert result.verdict == "fails"
    verified(shear, G, result)


def test_witness_search_is_deterministic_and_finds_nothing_on_equivariant_networks():
    net = net_of("tanh", [[["1", "2"]], [["1"]]], [["0"], ["0"]])
    G = catalog_group("S2", 2, 1, output="trivial")
    assert find_witness(net, G, seed=3) == find_witness(net, G, seed=3)
    eq = net_of("tanh", [[["1", "1"]], [["1"]]], [["0"], ["0"]])
    assert find_witness(eq, G) is None
    assert find_witness(net, G, tries=0) is None


# Regression (CI, hypothesis): gelu MLP 3-6-1-3 under D3:shift/same, hidden blocks
# [['input', 'input'], ['trivial']], perturbation (1, 0, 0, -2).  The last hidden neuron is
# saturated far below 0 (its pre-activation is near -38 at x = 0), so f(rho_0 x) and rho_L f(x)
# differ by about 1e-157 at every small input: floats see 0 everywhere, and the search used to
# answer "unknown".  The defect is real (an independent ball computation proves it).
SATURATED_GELU = {"activation": "gelu",
                  "weights": [[["-3", "3", "-1"], ["3", "-1", "-1"], ["-1", "-1", "3"], ["-2", "3", "3"],
                               ["3", "3", "-2"], ["3", "-2", "3"]], [["-3", "-3", "-3", "-2", "-2", "-2"]],
                              [["-1"], ["-1"], ["-1"]]],
                  "biases": [["3", "3", "3", "2", "2", "2"], ["1"], ["-3", "-3", "-3"]]}
# The same shape where the first separating inputs differ by about 1e-500, below what a
# certificate can write (400 digits): the witness must be one whose bound is writable.
DEEPLY_SATURATED_GELU = {"activation": "gelu",
                         "weights": [[["-1", "1", "2"], ["1", "2", "1"], ["-2", "1", "1"], ["1", "-2", "1"],
                                      ["2", "1", "1"], ["1", "1", "-2"]], [["-3"] * 6], [["3"], ["3"], ["3"]]],
                         "biases": [["1", "1", "3", "3", "1", "3"], ["-3"], ["-1", "-1", "-1"]]}


@pytest.mark.parametrize("spec", [SATURATED_GELU, DEEPLY_SATURATED_GELU], ids=["1e-157", "1e-500"])
def test_saturated_networks_are_refuted(spec):
    net = network_from_dict(spec)
    G = catalog_group("D3:shift", 3, 3)
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("fails", "witness"), result.reason
    w = result.witness
    assert certified_defect(net, G, w.generator, w.x)
    cert = verified(net, G, result)
    assert parse_number(cert["evidence"]["difference_lower_bound"]) == w.lower_bound > 0
    assert check_equivariance(net, G).witness == w  # deterministic


def test_witness_json_shape():
    net = net_of("sigmoid", [[["1", "3"]], [["2"]]], [["1/2"], ["0"]])
    G = catalog_group("S2", 2, 1, output="trivial")
    result = check_equivariance(net, G)
    w = result.to_dict()["witness"]
    assert set(w) == {"generator", "x", "coordinate", "symbol_values", "difference_lower_bound"}
    assert w["generator"] == "t" and w["coordinate"] == 0 and w["symbol_values"] == {}
    assert all(isinstance(v, str) and parse_number(v, "forbid").is_Rational for v in w["x"])
    assert parse_number(w["difference_lower_bound"], "forbid") > 0
    # a tampered bound is rejected by the checker
    cert = check_certificate(net, G, result)
    cert["evidence"]["difference_lower_bound"] = "1000"
    assert not verify_certificate(cert).ok


def test_algebraic_group_and_weights():
    s = sqrt(2) / 2
    r = ImmutableMatrix([[s, -s], [s, s]])
    G = GroupAction(("r",), (r,), (ImmutableMatrix([[1]]),), relations=("r^8",))
    net = net_of("tanh", [[["1", "1"], ["1", "-1"]], [["1", "1"]]], [["0", "0"], ["0"]])
    result = check_equivariance(net, G)  # x -> tanh(x1+x2) + tanh(x1-x2) is not C8-invariant
    assert result.verdict == "fails"
    verified(net, G, result)


# -- the command line --------------------------------------------------------------------------

HOLDS = """
[network]
activation = "tanh"
weights = [ [["1","0"],["0","1"],["-1","0"],["0","-1"]], [["1","0","-1","0"],["0","1","0","-1"]] ]
biases = [ ["0","0","0","0"], ["0","0"] ]
[group]
name = "C4"
"""


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_holds_writes_a_verified_certificate(tmp_path, capsys):
    f = tmp_path / "n.toml"
    f.write_text(HOLDS)
    cert = tmp_path / "c.json"
    code, out, err = run_cli(capsys, "check", f, "--certificate", cert)
    assert code == 0 and err == ""
    assert out.startswith("verdict: holds\nmethod: layerwise\n")
    assert "generator r, layer 1: perm (0 1)(2 3)" in out
    assert verify_certificate(json.loads(cert.read_text())).ok
    code, out, _ = run_cli(capsys, "check", f, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "holds" and doc["method"] == "layerwise"
    assert {"reason", "actions", "certificate"} <= set(doc) and doc["certificate"] is None


def test_cli_fails_and_unknown(tmp_path, capsys):
    f = tmp_path / "n.toml"
    f.write_text(HOLDS.replace('["0","1","0","-1"]] ]', '["0","1","0","-2"]] ]'))
    code, out, _ = run_cli(capsys, "check", f, "--json", "--certificate", tmp_path / "c.json")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "fails" and doc["method"] == "witness"
    assert set(doc["witness"]) == {"generator", "x", "coordinate", "symbol_values", "difference_lower_bound"}
    assert verify_certificate(json.loads((tmp_path / "c.json").read_text())).ok
    code, out, _ = run_cli(capsys, "check", f)
    assert code == 1 and "witness: generator r" in out
    dup = tmp_path / "dup.toml"
    net = DUP_UNEVEN
    dup.write_text("[network]\nactivation = \"tanh\"\nweights = " + json.dumps(net["weights"])
                   + "\nbiases = " + json.dumps(net["biases"]) + "\n[group]\nname = \"S2\"\n")
    code, out, _ = run_cli(capsys, "check", dup, "--certificate", tmp_path / "d.json", "--tries", "30")
    assert code == 0 and "verdict: holds\nmethod: reduction+layerwise\n" in out
    assert verify_certificate(json.loads((tmp_path / "d.json").read_text())).ok
    # docs/theory.md section 6's bypass feeding a second layer of biased neurons on a C8 orbit (no
    # longer a linear bypass, and deeper than the relu canonical form): C8 equivariant, no
    # degenerate neuron, no layer action.  Nothing decides it: unknown, exit 3, no certificate.
    # (Two pure bypass layers are decided by the linear bypass: tests/test_bypass.py.)
    from test_check_reduction import bypass_into_orbit

    bypass = tmp_path / "bypass.toml"
    ws, bs = bypass_into_orbit()
    bypass.write_text("[network]\nactivation = \"relu\"\nweights = " + json.dumps(ws)
                      + "\nbiases = " + json.dumps(bs) + "\n[group]\nname = \"C8\"\n")
    code, out, _ = run_cli(capsys, "check", bypass, "--certificate", tmp_path / "u.json", "--tries", "30")
    assert code == 3 and "verdict: unknown" in out
    assert "no removable inactive or redundant neuron" in out
    assert "certificate: none written (the verdict is unknown)" in out
    assert not (tmp_path / "u.json").exists()


def test_cli_group_option_overrides_file(tmp_path, capsys):
    f = tmp_path / "n.toml"
    f.write_text(HOLDS)
    code, out, _ = run_cli(capsys, "check", f, "--group", "D4", "--json")
    assert code == 0 and set(json.loads(out)["actions"]) == {"r", "s"}
    code, out, _ = run_cli(capsys, "check", f, "--group", "sign", "--json", "--tries", "5", "--seed", "4")
    assert code == 0  # the network is odd


BAD_INPUTS = {
    "malformed TOML": "[network\nactivation = 1",
    "wrong shapes": HOLDS.replace('["1","0","-1","0"],["0","1","0","-1"]]', '["1","0","-1"],["0","1","0"]]'),
    "float number": HOLDS.replace('biases = [ ["0","0","0","0"]', 'biases = [ [0.5,"0","0","0"]'),
    "hostile number": HOLDS.replace('[["1","0"],["0","1"],', '[["__import__(\'os\')","0"],["0","1"],'),
    "huge power": HOLDS.replace('[["1","0"],["0","1"],', '[["9**9**9","0"],["0","1"],'),
    "singular generator": HOLDS.replace('name = "C4"', '[group.generators.g]\ninput = [["1","1"],["1","1"]]'),
    "relation violated": HOLDS.replace('name = "C4"', 'relations = ["g^3"]\n[group.generators.g]\ninput = [["0","-1"],["1","0"]]'),
    "unknown activation": HOLDS.replace('"tanh"', '"mish"'),
    "no group": HOLDS.replace('[group]\nname = "C4"', ''),
}


@pytest.mark.parametrize("what", sorted(BAD_INPUTS))
def test_cli_bad_input_is_one_line_exit_2_nothing_written(what, tmp_path, capsys):
    f = tmp_path / "n.toml"
    f.write_text(BAD_INPUTS[what])
    cert = tmp_path / "c.json"
    code, out, err = run_cli(capsys, "check", f, "--certificate", cert)
    assert code == 2, (what, out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("symeq check: error: ")
    assert "Traceback" not in err
    assert not cert.exists()


def test_cli_bad_options(tmp_path, capsys):
    f = tmp_path / "n.toml"
    f.write_text(HOLDS)
    for argv in (["--tries", "-1"], ["--certificate", str(tmp_path / "c.txt")], ["--group", "C7"]):
        code, out, err = run_cli(capsys, "check", f, *argv)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, argv
    assert not (tmp_path / "c.txt").exists()
    code, _, err = run_cli(capsys, "check", tmp_path / "missing.toml")
    assert code == 2 and err.startswith("symeq check: error: cannot read")


def test_c5_and_d5_invariant_tanh_networks_hold_with_nested_roots():
    # f(x) = sum_k tanh(<u_k, x>), u_k at angle 2 pi k / 5: sympy writes sin(2 pi / 5) as
    # sqrt(sqrt(5)/8 + 5/8), a nested root the group closure has to canonicalize
    angles = [2 * sympy.pi * k / 5 for k in range(5)]
    rows = [[str(sympy.cos(a)), str(sympy.sin(a))] for a in angles]
    assert any("sqrt(sqrt(5)" in x for row in rows for x in row)
    net = net_of("tanh", [rows, [["1"] * 5]], [["0"] * 5, ["0"]])
    for name in ("C5", "D5"):
        G = catalog_group(name, 2, 1, output="trivial")
        result = check_equivariance(net, G)
        assert result.verdict == "holds" and result.method == "layerwise"
        verified(net, G, result)
    bad = net_of("tanh", [rows, [["1", "1", "1", "1", "2"]]], [["0"] * 5, ["0"]])
    result = check_equivariance(bad, catalog_group("C5", 2, 1, output="trivial"))
    assert result.verdict == "fails"
    verified(bad, catalog_group("C5", 2, 1, output="trivial"), result)


ODD_FAMILY = """[network]
activation = "tanh"
symbols = ["a", "b"]
weights = [[["1/a"]], [["b/(a-1)"]]]
biases = [["0"], ["0"]]

[group]
relations = ["r^2"]

[group.generators.r]
input = [["-1"]]
output = [["-1"]]
"""


def test_a_holds_with_symbols_states_where_it_holds(tmp_path, capsys):
    # b/(a-1) tanh(x/a) is odd for every real a, b with a != 0 and a != 1 (issue 12): the verdict,
    # the certificate's claim and the checker's message state that condition, and the kernel
    # rejects a condition that leaves out a denominator
    path, cert_path = tmp_path / "odd.toml", tmp_path / "odd.cert.json"
    path.write_text(ODD_FAMILY)
    assert main(["check", str(path), "--certificate", str(cert_path)]) == 0
    condition = "for every real value of the symbols a, b where a, a - 1 are nonzero"
    assert f"reason: layerwise equivariant {condition}: " in capsys.readouterr().out
    doc = json.loads(cert_path.read_text())
    assert doc["claim"] == {"kind": "equivariant", "nonzero": ["a", "a - 1"]}
    v = verify_certificate(doc)
    assert v.ok and v.claim.endswith(f"method layerwise; {condition}"), v.claim
    for nonzero, missing in ((["a"], " (missing: a - 1)"), (None, " (missing: a, a - 1)"), (["a", "a - 1", "2"], "")):
        if nonzero is None:
            del doc["claim"]["nonzero"]
        else:
            doc["claim"]["nonzero"] = nonzero
        v = verify_certificate(doc)
        assert not v.ok and v.reason == ("the claim's nonzero list must be non-constant polynomials in the symbols, "
                                         "among them every factor of a divisor" + missing), v.reason


def test_deep_relu_broken_far_from_the_origin_is_refused_by_its_regions():
    # issue 12: swap-invariant wherever x1, x2 <= 1000, broken beyond; the random search sees no
    # difference, the activation regions give a witness inside the region where the sides differ
    net = network_from_dict({"activation": "relu",
                             "weights": [[["1", "0"], ["0", "1"]], [["1", "0"], ["0", "1"]], [["1", "1"]]],
                             "biases": [["0", "0"], ["-1000", "-1001"], ["0"]]})
    G = catalog_group("S2", 2, 1, output="trivial")
    result = check_equivariance(net, G)
    assert (result.verdict, result.method) == ("fails", "witness"), result.reason
    assert "witness search: no separating input among 200 tried" in result.attempts
    assert max(result.witness.x) > 1000
    assert verify_certificate(check_certificate(net, G, result)).ok
