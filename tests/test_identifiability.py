"""Identifiability: reduction, criteria, witnesses, exact fibers, the verdict, the checker claims."""

from __future__ import annotations

import argparse
import json

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy import Rational

from symeq.activations import activation
from symeq.certify.hints import with_hints
from symeq.certify.verify import verify_certificate
from symeq.commands import identify as identify_cmd
from symeq.errors import InputError
from symeq.architectures.mlp.reduce import reduce_network
from symeq.architectures.mlp.criteria import (criterion_for, deep_tanh, kruskal_rank,
                                            relu_grillo_montufar)
from symeq.architectures.mlp.fibers import FiberLimits, exact_fiber
from symeq.identifiability.identify import identify
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP


def net(spec, w1, b1, w2, b2, *more):
    ws, bs = [M(w1), M(w2)], [M(b1), M(b2)]
    for k in range(0, len(more), 2):
        ws.append(M(more[k]))
        bs.append(M(more[k + 1]))
    return MLP(activation(spec), tuple(ws), tuple(bs))


def same_function_cert(red):
    # with_hints, as the engine writes certificates: constants tanh(q) need the exp_denominator hint
    return with_hints({"format": "symeq-certificate", "version": 2,
                       "claim": {"kind": "same_function", "reduced": network_to_dict(red.reduced)},
                       "network": network_to_dict(red.original), "evidence": red.certificate_evidence()})


def poly_forward(n):
    xs = M(sympy.symbols(f"x0:{n.widths[0]}"))
    return n.forward(xs).applyfunc(sympy.expand)


# -- reduction --------------------------------------------------------------------------------


def test_tanh_negated_duplicate_reduces_and_is_weakly_identifiable():
    n = net("tanh", [[1, 2], [-1, -2], [0, 1]], [1, -1, 3], [[3, 1, 2]], [0])
    res = identify(n, local=False)
    assert res.verdict == "weakly identifiable" and res.exit_code == 0
    red = res.reduction
    assert [s.op for s in red.steps] == ["merge"]
    assert red.reduced.weights[1] == M([[2, 2]]) and red.kept == ((0, 2),)
    assert res.criterion.verdict == "identifiable" and "Sussmann" in res.criterion.reference
    v = verify_certificate(res.certificate())
    assert v.ok, v.reason
    assert identify(red.reduced, local=False).verdict == "identifiable"


def test_zero_column_and_zero_row_are_reduced_with_proofs():
    # neuron 1: zero outgoing column; neuron 2: zero incoming row, sigmoid(0) = 1/2 absorbed.
    n = net("sigmoid", [[1, 2], [5, 7], [0, 0]], [1, 3, 0], [[1, 0, 4], [2, 0, 6]], [1, 1])
    red = reduce_network(n)
    assert [s.op for s in red.steps] == ["drop_zero_column", "absorb_constant"]
    assert red.steps[1].constant == Rational(1, 2)
    assert red.reduced.biases[1] == M([3, 4]) and red.reduced.widths == (2, 1, 2)
    v = verify_certificate(same_function_cert(red))
    assert v.ok, v.reason
    assert len(v.steps) == 3 and v.relies == ("kernel", "value sigmoid(0) = 1/2")
    # polynomial activation: the constant sigma(b) = b^2 is exact
    p = net("power:2", [[0, 0], [1, 1]], [3, 0], [[2, 1]], [1])
    redp = reduce_network(p)
    assert redp.steps[0].op == "absorb_constant" and redp.reduced.biases[1] == M([19])
    assert poly_forward(redp.reduced) == poly_forward(p)
    assert verify_certificate(same_function_cert(redp)).ok


def test_tanh_zero_row_with_a_constant_outside_the_grammar_is_kept_with_a_note():
    # tanh(sqrt(2)): only tanh of a rational is a number of the file grammar
    n = net("tanh", [[0, 0], [1, 1]], [sympy.sqrt(2), 0], [[2, 1]], [0])
    red = reduce_network(n)
    assert red.steps == () and len(red.notes) == 1 and "tanh(sqrt(2))" in red.notes[0]


def test_tanh_zero_row_with_a_rational_bias_is_absorbed_exactly():
    # tanh(1/2) is a named constant of the grammar: neuron 1 is folded into b_2 (unknown before)
    n = net("tanh", [[0, 0], [1, 1]], [Rational(1, 2), 0], [[2, 1]], [0])
    red = reduce_network(n)
    assert [(s.op, s.constant) for s in red.steps] == [("absorb_constant", sympy.tanh(Rational(1, 2)))]
    assert red.notes == () and red.reduced.biases[1] == M([2 * sympy.tanh(Rational(1, 2))])
    v = verify_certificate(same_function_cert(red))  # its hint: u = e^(1/2)
    assert v.ok, v.reason
    assert v.relies == ("kernel", "Lindemann-Weierstrass: e^(1/N) is transcendental (exact tanh constants)")


def test_sigmoid_merge_moves_the_one_minus_sigma_correction_into_the_next_bias():
    n = net("sigmoid", [[1, -2], [-1, 2]], [3, -3], [[5, 7], [1, -1]], [0, 2])
    red = reduce_network(n)
    (step,) = red.steps
    assert step.relation.as_strings() == {"a": "-1", "c": "0", "b": "-1", "e": "1"}
    assert red.reduced.weights[1] == M([[-2], [2]]) and red.reduced.biases[1] == M([7, 1])
    assert verify_certificate(same_function_cert(red)).ok
    x = M(sympy.symbols("x0:2", real=True))
    diff = (n.forward(x) - red.reduced.forward(x)).applyfunc(lambda e: sympy.simplify(e.rewrite(sympy.exp)))
    assert diff == M([0, 0])


def test_checker_rejects_tampered_reductions():
    n = net("tanh", [[1, 2], [-1, -2], [4, 4]], [1, -1, 0], [[3, 1, 0]], [0])
    cert = same_function_cert(reduce_network(n))
    assert verify_certificate(cert).ok
    bad = json.loads(json.dumps(cert))
    bad["evidence"]["steps"][-1]["relation"] = {"a": "-1", "c": "0", "b": "1", "e": "0"}
    assert "is not the image of neuron 0 under a relation of tanh" in verify_certificate(bad).reason
    bad = json.loads(json.dumps(cert))
    bad["evidence"]["steps"].insert(0, {"op": "drop_zero_column", "layer": 1, "neuron": 0})
    assert "is not zero" in verify_certificate(bad).reason
    bad = json.loads(json.dumps(cert))
    bad["claim"]["reduced"]["biases"][1] = ["1"]
    assert "the replayed network equals the reduced network in (W_2 | b_2) fails" in verify_certificate(bad).reason


def test_beta_embeds_back_with_the_same_function():
    n = net("power:3", [[1, 0], [2, 0], [0, 1], [1, 1]], [0, 0, 1, 0], [[1, 1, 0, 2]], [1])
    red = reduce_network(n)
    embedded = red.beta(red.reduced)
    assert embedded.widths == n.widths
    assert poly_forward(embedded) == poly_forward(n)
    b = red.beta_matrix()
    assert b.shape == (n.n_params, red.reduced.n_params)
    assert list(b * M(red.reduced.parameters())) == list(embedded.parameters())


# hypothesis: planted degeneracies; every reduction preserves the function, reducing twice is idle

SPECS = ["tanh", "sigmoid", "power:2", "power:3", "relu", "identity", "leaky_relu:1/10"]
small = st.integers(-3, 3)


@st.composite
def planted(draw):
    spec = draw(st.sampled_from(SPECS))
    d0, d2 = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    base = draw(st.integers(1, 3))
    rows = [[draw(small) for _ in range(d0)] + [draw(small)] for _ in range(base)]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["copy", "neg", "scale", "zero_row", "any"]))
        src = rows[draw(st.integers(0, len(rows) - 1))]
        if kind == "copy":
            rows.append(list(src))
        elif kind == "neg":
            rows.append([-v for v in src])
        elif kind == "scale":
            rows.append([2 * v for v in src])
        elif kind == "zero_row":
            rows.append([0] * d0 + [draw(st.sampled_from([0, 1]))])
        else:
            rows.append([draw(small) for _ in range(d0 + 1)])
    w2 = [[draw(small) for _ in rows] for _ in range(d2)]
    if draw(st.booleans()):
        for r in w2:
            r[draw(st.integers(0, len(rows) - 1))] = 0
    return net(spec, [r[:-1] for r in rows], [r[-1] for r in rows], w2, [draw(small) for _ in range(d2)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted())
def test_every_reduction_preserves_the_function_and_is_idempotent(n):
    red = reduce_network(n)
    v = verify_certificate(same_function_cert(red))
    assert v.ok, v.reason
    if n.activation.polynomial:
        assert poly_forward(red.reduced) == poly_forward(n)
        assert poly_forward(red.beta(red.reduced)) == poly_forward(n)
    again = reduce_network(red.reduced)
    assert again.steps == () and again.reduced == red.reduced


# -- criteria ---------------------------------------------------------------------------------


def test_kruskal_rank_and_power_criterion():
    assert kruskal_rank(M([[1, 0, 1], [0, 1, 1], [0, 0, 0]])) == 2
    assert kruskal_rank(M([[1, 0], [0, 0]])) == 0
    ok = criterion_for(net("power:3", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0]))
    assert ok.verdict == "identifiable" and [c.holds for c in ok.conditions] == [True, True, True]
    assert [c.name for c in ok.conditions] == ["hidden_no_zero_outgoing_column", "kruskal_K1", "kruskal_K2"]
    assert criterion_for(net("power:2", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0])).verdict == "unknown"


def test_relu_is_never_identifiable_without_conjectural():
    n = net("relu", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0])
    res = identify(n, local=False)
    assert res.verdict == "conjectural" and res.exit_code == 3
    assert "Grillo" in res.criterion.reference
    narrow = relu_grillo_montufar(net("relu", [[1], [2]], [1, 0], [[1, 1]], [0]))
    assert narrow.verdict == "unknown"
    reduced = identify(net("relu", [[1, 2], [0, 0]], [1, 0], [[1, 0]], [0]), local=False)
    # theta~ (widths 2-1-1) is undecided, but theta's own zero neuron is a checked witness
    assert reduced.verdict == "not identifiable" and reduced.reduction.reduced.widths == (2, 1, 1)
    assert verify_certificate(reduced.certificate()).ok
    # a zero neuron gives a checked stabilizer (scaling by 2), so "not identifiable" is proven
    z = identify(net("relu", [[0, 0]], [0], [[0]], [3]), local=False)
    assert z.verdict == "not identifiable" and z.witness.kind == "stabilizer"
    assert verify_certificate(z.certificate()).ok


def test_deep_tanh_criterion_checks_every_layer():
    n = net("tanh", [[1, 2], [0, 1]], [0, 1], [[1, 1], [1, -1]], [0, 2], [[1, 2]], [0])
    assert deep_tanh(n).verdict == "identifiable"
    bad = net("tanh", [[1, 2], [0, 1]], [0, 1], [[1, 1], [-1, -1]], [1, -1], [[1, 2]], [0])
    r = deep_tanh(bad)
    assert r.verdict == "unknown" and not r.conditions[2].holds


# -- linear networks ----------------------------------------------------------------------------


def test_linear_323_full_rank_is_identifiable():
    n = net("identity", [[1, 2, 0], [3, -1, 1]], [1, 0], [[1, 1], [0, 1], [2, 0]], [0, 0, 0])
    res = identify(n, local=False)
    assert res.verdict == "identifiable" and res.criterion.verdict == "identifiable"
    assert res.fiber.status == "identifiable" and res.fiber.dimension == 6 == res.fiber.dim_k


@pytest.mark.parametrize("w1, method", [
    ([[1, 2, 0], [0, 1, 1], [1, 0, 1]], "second_parameter"),   # rank W_1 = 3 > r = 2
    ([[1, 2, 0], [0, 1, 1], [1, 3, 1]], "stabilizer"),         # rank W_1 = r = 2 < 3
])
def test_linear_332_is_not_identifiable_with_a_checked_witness(w1, method):
    n = net("identity", w1, [0, 1, 0], [[1, 1, 0], [0, 1, 1]], [0, 0])
    res = identify(n, local=False)
    assert res.verdict == "not identifiable" and res.exit_code == 1
    cert = res.certificate()
    assert cert["claim"]["kind"] == "not_identifiable" and cert["evidence"]["method"] == method
    v = verify_certificate(cert)
    assert v.ok, v.reason
    if method == "stabilizer":
        bad = json.loads(json.dumps(cert))
        bad["evidence"]["actions"][0]["shift"] = ["1", "0", "0"]
        assert not verify_certificate(bad).ok
    else:
        bad = json.loads(json.dumps(cert))
        bad["evidence"]["theta_prime"]["biases"][1] = ["5", "0"]
        assert "same function" in verify_certificate(bad).reason or "f(x" in verify_certificate(bad).reason


# -- exact fibers -------------------------------------------------------------------------------


def test_power2_221_fiber_has_hidden_symmetries_and_a_witness():
    n = net("power:2", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0])
    fib = exact_fiber(n)
    assert (fib.status, fib.dimension, fib.dim_k) == ("hidden symmetries", 3, 2)
    res = identify(n, local=False)
    assert res.verdict == "not identifiable"
    cert = res.certificate()
    assert cert["evidence"]["outside_orbit"]["invariant"] == "first_layer_neuron"
    v = verify_certificate(cert)
    assert v.ok, v.reason


def test_power3_221_fiber_is_the_orbit():
    n = net("power:3", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0])
    fib = exact_fiber(n)
    assert (fib.status, fib.dimension, fib.dim_k) == ("identifiable", 2, 2)
    assert any("18 distinct complex points" in d for d in fib.details)


def test_identity_212_fiber_is_the_orbit():
    fib = exact_fiber(net("identity", [[1, 2]], [0], [[1], [3]], [0, 1]))
    assert (fib.status, fib.dimension, fib.dim_k) == ("identifiable", 2, 2)


def test_fiber_budget_answers_unknown():
    n = net("power:3", [[1, 2], [3, -1]], [1, 0], [[1, 1]], [0])
    assert exact_fiber(n, FiberLimits(max_unknowns=4)).status == "unknown (budget)"
    timed = exact_fiber(n, FiberLimits(seconds=0.001))
    assert timed.status == "unknown (budget)" and "within" in timed.details[0]


# -- command --------------------------------------------------------------------------------------


def run_cmd(argv):
    p = argparse.ArgumentParser()
    identify_cmd.add_arguments(p)
    return identify_cmd.run(p.parse_args(argv))


def test_command_json_exit_codes_and_certificate(tmp_path, capsys):
    f = tmp_path / "lin.toml"
    f.write_text('[network]\nactivation = "identity"\nwidths = [3, 3, 2]\n'
                 'weights = [[["1","2","0"],["0","1","1"],["1","0","1"]], [["1","1","0"],["0","1","1"]]]\n'
                 'biases = [["0","1","0"], ["0","0"]]\n')
    out = tmp_path / "c.json"
    code = run_cmd([str(f), "--json", "--certificate", str(out), "--no-local"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["verdict"] == "not identifiable"
    assert data["criterion"]["reference"] and data["witness"]["kind"] == "second_parameter"
    assert verify_certificate(json.loads(out.read_text())).ok
    g = tmp_path / "tanh.toml"
    g.write_text('[network]\nactivation = "tanh"\nweights = [[["1"],["-1"]], [["2","1"]]]\n'
                 'biases = [["1","-1"], ["0"]]\n')
    assert run_cmd([str(g), "--no-local"]) == 0
    assert "verdict: weakly identifiable" in capsys.readouterr().out
    with pytest.raises(InputError):
        run_cmd([str(g), "--certificate", str(tmp_path / "c.txt")])


# -- local evidence -------------------------------------------------------------------------------


def test_local_detail_is_not_truncated(capsys, tmp_path):
    from symeq.identifiability.local import local_identifiability

    r = local_identifiability(net("tanh", [[1, 2], [3, -1]], [0, 1], [[1, 1]], [0]))
    assert r.status == "locally identifiable"
    assert r.detail.endswith("status exact")  # was "status exac" (rstrip of a character set)
    f = tmp_path / "t.toml"
    f.write_text('[network]\nactivation = "relu"\nweights = [[["1","2"],["3","-1"],["1","1"]], '
                 '[["1","2","3"]]]\nbiases = [["0","1","2"], ["0"]]\n')
    run_cmd([str(f)])
    line = next(s for s in capsys.readouterr().out.splitlines() if s.startswith("local:"))
    assert line.endswith("status exact)")


def test_local_compares_with_the_orbit_dimension(monkeypatch):
    """A positive-dimensional stabilizer: rank = #params - dim K leaves a kernel direction outside
    the orbit's tangent space, so it is no local identifiability."""
    from symeq.identifiability import local
    from symeq.symmetry.functional_dimension import FunctionalDimension

    fake = FunctionalDimension(n_params=4, dim_K=2, orbit_dim=1, rank=2, lower=2, upper=2,
                               status="exact", hidden_symmetries=1)
    monkeypatch.setattr(local, "functional_dimension", lambda n: fake)
    r = local.local_identifiability(net("relu", [[1]], [0], [[1]], [0]))
    assert r.status == "not locally identifiable"
    fake = FunctionalDimension(4, 2, 1, 3, 3, 3, "exact", 0)
    monkeypatch.setattr(local, "functional_dimension", lambda n: fake)
    assert local.local_identifiability(net("relu", [[1]], [0], [[1]], [0])).status == "locally identifiable"
    fake = FunctionalDimension(4, 1, 1, None, 2, 3, "certified-lower-bound", None)
    monkeypatch.setattr(local, "functional_dimension", lambda n: fake)
    assert local.local_identifiability(net("relu", [[1]], [0], [[1]], [0])).status == "unavailable"


def test_command_writes_no_certificate_the_checker_rejects(tmp_path, monkeypatch, capsys):
    from symeq.identifiability.identify import IdentifyResult

    f = tmp_path / "tanh.toml"
    f.write_text('[network]\nactivation = "tanh"\nweights = [[["1","2"],["3","-1"]], [["1","1"]]]\n'
                 'biases = [["0","1"], ["0"]]\n')
    real = IdentifyResult.certificate

    def tampered(self, engine=None):
        cert = real(self, engine)
        cert["network"]["weights"][1][0][0] = "0"  # a zero outgoing column: Sussmann fails
        return cert

    monkeypatch.setattr(IdentifyResult, "certificate", tampered)
    out = tmp_path / "c.json"
    assert run_cmd([str(f), "--certificate", str(out), "--no-local"]) == 4
    assert not out.exists()
    assert "internal error" in capsys.readouterr().err


def test_fiber_of_irrational_parameters_is_unsupported_not_budget():
    n = net("power:2", [[1], [2]], [1, sympy.sqrt(2)], [[1, 3]], [0])
    fib = exact_fiber(n)
    assert fib.status == "unsupported" and "rational" in fib.details[0]
