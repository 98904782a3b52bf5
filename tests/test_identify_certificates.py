"""Certificates for "identifiable" and "weakly identifiable" verdicts (claim kinds identifiable,
weakly_identifiable): the engine writes them, the checker re-verifies every condition of the
trusted theorem they cite, tampering is rejected with a reason, and the checker's verdict on
Sussmann's conditions agrees with an independent computation."""

from __future__ import annotations

import argparse
import copy
import json
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M

from symeq.activations import activation
from symeq.certify.hints import with_hints
from symeq.certify.theorems import CONDITIONS
from symeq.certify.theorems import THEOREMS as TRUSTED_THEOREMS
from symeq.certify.verify import verify_certificate
from symeq.commands import identify as identify_cmd
from symeq.architectures.mlp.criteria import criterion_for
from symeq.identifiability.identify import identify
from symeq.architectures.mlp.theorems import THEOREMS
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP


def net(spec, *layers):
    """MLP from (W, b) pairs given as nested lists."""
    return MLP(activation(spec), tuple(M(w) for w, _ in layers), tuple(M(b) for _, b in layers))


def cert_for(n, key):
    """An ``identifiable`` criterion certificate for ``n`` citing ``key`` (built by hand, so the
    checker is tested on networks the engine would never certify)."""
    citation, statement, conditions = THEOREMS[key]
    return with_hints({"format": "symeq-certificate", "version": 2, "claim": {"kind": "identifiable"},
                       "network": network_to_dict(n),
                       "evidence": {"method": "criterion", "theorem": key, "citation": citation,
                                    "statement": statement, "conditions": list(conditions)}})


def rehint(cert):
    """A tampered certificate with the hints the engine would write for it (so that the kernel
    decides the tampered claim itself, not a stale hint)."""
    return with_hints(cert)


def rejected(cert, fragment):
    v = verify_certificate(cert)
    assert not v.ok, "tampered certificate verified"
    assert fragment in v.reason, v.reason
    return v.reason


TANH = net("tanh", ([[1, 2], [3, -1], [0, 1]], [1, 0, 2]), ([[1, -1, 2]], [0]))
SIGMOID = net("sigmoid", ([[1, 2], [3, -1]], [1, 0]), ([[1, -1]], [0]))
DEEP = net("tanh", ([[1, 2], [0, 1]], [0, 1]), ([[1, 1], [1, -1]], [0, 2]), ([[1, 2]], [0]))
POW3 = net("power:3", ([[1, 2], [3, -1]], [1, 0]), ([[1, 1]], [0]))
POW3_ONE = net("power:3", ([[1, 2]], [1]), ([[2]], [0]))
LIN323 = net("identity", ([[1, 2, 0], [3, -1, 1]], [1, 0]), ([[1, 1], [0, 1], [2, 0]], [0, 0, 0]))
WEAK = net("tanh", ([[1, 2], [-1, -2], [0, 1]], [1, -1, 3]), ([[3, 1, 2]], [0]))


def test_engine_reads_the_trusted_table_word_for_word():
    assert set(THEOREMS) == set(TRUSTED_THEOREMS)
    for key, (citation, statement, conditions) in THEOREMS.items():
        t = TRUSTED_THEOREMS[key]
        assert (t.citation, t.statement, t.conditions) == (citation, statement, conditions), key
        assert set(conditions) <= set(CONDITIONS)
    vb = TRUSTED_THEOREMS["vlacic_bolcskei2021"]
    assert "not re-read" in vb.statement and "not re-read" in vb.trust
    assert vb.basis.startswith("literature, read in part")


# -- the engine's certificates verify ----------------------------------------------------------


@pytest.mark.parametrize("n, fibers, kind, key", [
    (TANH, True, "identifiable", "sussmann1992"),
    (SIGMOID, True, "identifiable", "sussmann1992_logistic"),
    (DEEP, True, "identifiable", "vlacic_bolcskei2021"),
    (POW3, False, "identifiable", "kruskal1977"),
    (POW3_ONE, True, "identifiable", "power_fiber_slice"),
    (LIN323, False, "identifiable", "linear_rank"),
    (WEAK, True, "weakly_identifiable", "sussmann1992"),
], ids=["tanh", "sigmoid", "deep_tanh", "power3", "power3_fiber", "linear323", "weak_tanh"])
def test_identify_writes_a_certificate_that_verifies(n, fibers, kind, key):
    res = identify(n, local=False, fibers=fibers)
    assert res.verdict == kind.replace("_", " ") and res.exit_code == 0
    cert = res.certificate()
    assert cert["claim"]["kind"] == kind
    ev = cert["evidence"] if kind == "identifiable" else cert["evidence"]["submodel"]
    assert ev["theorem"] == key
    v = verify_certificate(json.loads(json.dumps(cert)))
    assert v.ok, v.reason
    thm = TRUSTED_THEOREMS[key]
    assert any(s.startswith(f"conditions of {thm.name} hold") and "follows from that theorem (trusted" in s
               for s in v.steps)
    checked = [s for s in v.steps if ": condition " in s]
    assert len(checked) == len(thm.conditions)
    if key == "vlacic_bolcskei2021":
        assert "theorem statement not re-read" in v.steps[-1]
    if kind == "weakly_identifiable":
        assert cert["claim"]["reduced"]["widths"] == [2, 2, 1]
        assert "weakly identifiable" in v.steps[-1]


def fiber_cert(n):
    from symeq.architectures.mlp.theorems import fiber_evidence

    res = identify(n, local=False)
    return with_hints({"format": "symeq-certificate", "version": 2, "claim": {"kind": "identifiable"},
                       "network": network_to_dict(n), "evidence": fiber_evidence(res.fiber)})


def test_power3_exact_fiber_certificate_checks_cofactors_buchberger_and_hermite():
    res = identify(POW3, local=False)
    assert res.fiber.status == "identifiable" and res.fiber.slice_points == 18
    cert = fiber_cert(POW3)
    v = verify_certificate(cert)
    assert v.ok, v.reason
    assert any("with 18 distinct complex zeros (Hermite rank)" in s for s in v.steps)
    assert any("3 proper subset(s) of the neurons: 1 = sum_k c_k e_k" in s for s in v.steps)
    assert "fiber ideal from cofactor hints (Buchberger's criterion, Hermite's trace form) (second tier)" in v.relies
    hint = cert["evidence"]["hints"]["slice_count"]
    assert hint["basis"][-1] == "beta" and len(hint["cofactors"]) == len(hint["basis"]) == 12
    bad = copy.deepcopy(cert)
    bad["network"]["weights"][0][1] = ["2", "4"]  # row 1 = 2 * row 0 (bias 0 vs 1: still not proportional)
    bad["network"]["biases"][0] = ["1", "2"]       # now proportional
    rejected(bad, "condition no_proportional_rows fails")


def test_tampered_exact_fiber_hints_are_rejected():
    cert = fiber_cert(POW3_ONE)  # f(x) = 2 (x_0 + 2 x_1 + 1)^3: basis [v0_2^3 - 2, v0_0 - v0_2, v0_1 - 2 v0_2, beta]
    assert verify_certificate(cert).ok
    hint = lambda c, name: c["evidence"]["hints"][name]  # noqa: E731
    assert hint(cert, "slice_count")["basis"] == ["v0_2**3 - 2", "v0_0 - v0_2", "v0_1 - 2*v0_2", "beta"]
    bad = copy.deepcopy(cert)
    hint(bad, "slice_count")["basis"][1] = "v0_0 - 2*v0_2"
    rejected(bad, "slice basis polynomial 1: sum_k c_k e_k differs from v0_0 - 2*v0_2")
    bad = copy.deepcopy(cert)  # a true member that breaks nothing but the count: 2 * (v0_2^3 - 2)
    hint(bad, "slice_count")["points"] = 4
    rejected(bad, "the slice basis has 3 distinct complex zeros; the hint states 4")
    bad = copy.deepcopy(cert)  # drop v0_2^3 - 2 and its cofactors: not zero-dimensional
    for key in ("basis", "cofactors"):
        del hint(bad, "slice_count")[key][0]
    rejected(bad, "the slice is not zero-dimensional (v0_2 has no pure power lead)")
    bad = copy.deepcopy(cert)  # a cofactor's coefficient changed
    term = next(t for cof in hint(bad, "slice_count")["cofactors"][0] for t in cof)
    term[0] = str(int(term[0].split("/")[0]) + 1) + ("/" + term[0].split("/")[1] if "/" in term[0] else "")
    rejected(bad, "slice basis polynomial 0: sum_k c_k e_k differs")
    bad = copy.deepcopy(cert)
    hint(bad, "no_smaller_subnetwork")["cofactors"][0][0].append(["1", [1]])  # the empty subset: unknown beta
    rejected(bad, "condition no_smaller_subnetwork fails: subset []: sum_k c_k e_k differs from 1")
    bad = copy.deepcopy(cert)
    hint(bad, "no_smaller_subnetwork")["cofactors"][0][0] = [["1", [65]]]
    rejected(bad, "subset [], cofactor 0: bad or repeated term")
    bad = copy.deepcopy(cert)
    hint(bad, "no_smaller_subnetwork")["cofactors"][0][0] = [["1", [0]]] * 200_001
    rejected(bad, "the cofactor hints have more than 200000 terms")
    bad = copy.deepcopy(cert)
    del bad["evidence"]["hints"]["slice_count"]
    rejected(bad, "condition slice_count fails: the hint must have exactly the keys basis, cofactors, points")


def test_a_basis_that_is_no_groebner_basis_is_rejected():
    """x^2 - 1 and x y - 1 lie in the ideal of the points (1, 1), (-1, -1) but are no Groebner basis
    (their S-polynomial x - y does not reduce to 0): the slice check runs Buchberger's criterion."""
    from flint import fmpq_mpoly_ctx

    from symeq.certify.slice_ideal import _groebner
    from symeq.kernel.core import Reject

    R = fmpq_mpoly_ctx.get(("x", "y"), "degrevlex")
    x, y = R.gens()
    with pytest.raises(Reject, match=r"S\(g_0, g_1\) does not reduce to 0"):
        _groebner(R, [x * x - 1, x * y - 1])
    assert len(_groebner(R, [y * y - 1, x - y])) == 2  # the reduced basis of the same ideal


# -- tampering ---------------------------------------------------------------------------------


def test_tampered_sussmann_certificates_are_rejected():
    cert = identify(TANH, local=False).certificate()
    assert verify_certificate(cert).ok
    bad = copy.deepcopy(cert)  # neuron 2 := -(neuron 0), row and bias
    bad["network"]["weights"][0][2] = ["-1", "-2"]
    bad["network"]["biases"][0][2] = "-1"
    assert "minus that of neuron 0" in rejected(bad, "condition hidden_no_sign_pair fails")
    bad = copy.deepcopy(cert)
    bad["network"]["weights"][0][1] = ["0", "0"]
    rejected(bad, "condition hidden_no_zero_incoming_row fails: hidden layer 1: neuron 1")
    bad = copy.deepcopy(cert)
    bad["network"]["weights"][1] = [["1", "0", "2"]]
    rejected(bad, "condition hidden_no_zero_outgoing_column fails")
    bad = copy.deepcopy(cert)
    bad["evidence"]["theorem"] = "fefferman1994"
    rejected(bad, "theorem 'fefferman1994' is not in the trusted table")
    bad = copy.deepcopy(cert)
    bad["evidence"]["conditions"].remove("hidden_no_sign_pair")
    rejected(bad, "conditions (and hints for the rank ones) must be exactly those of sussmann1992")
    bad = copy.deepcopy(cert)
    bad["evidence"]["conditions"].append("generic_weights")
    rejected(bad, "must be exactly those of sussmann1992")
    bad = copy.deepcopy(cert)
    bad["evidence"]["statement"] = bad["evidence"]["statement"].replace("is unique", "is finite")
    rejected(bad, "the citation or the statement of sussmann1992 differs")
    bad = copy.deepcopy(cert)
    bad["evidence"]["extra"] = "unchecked"
    rejected(bad, "unexpected key(s): extra")
    bad = copy.deepcopy(cert)
    bad["network"]["activation"] = "sigmoid"
    rejected(bad, "theorem sussmann1992 covers tanh networks with 1 to 1 hidden layer(s) and concrete parameters, not a sigmoid")
    bad = copy.deepcopy(cert)
    bad["network"]["weights"][0][0] = ["a", "2"]
    bad["network"]["symbols"] = ["a"]
    rejected(bad, "and concrete parameters, not a tanh MLP 2-3-1, symbols a")


def test_tampered_linear_deep_and_kruskal_certificates_are_rejected():
    lin = identify(LIN323, local=False, fibers=False).certificate()
    bad = copy.deepcopy(lin)  # W_2 = [[1, 1], [0, 0], [2, 2]]: rank(W_2 W_1) = 1 < 2
    bad["network"]["weights"][1] = [["1", "1"], ["0", "0"], ["2", "2"]]
    rejected(bad, "condition hidden_widths_equal_rank fails: rank(W_L ... W_1): the stated 2 x 2 minor")
    rejected(rehint(bad), "condition hidden_widths_equal_rank fails: hidden widths [2] but rank(W_L ... W_1) = 1")
    bad = copy.deepcopy(lin)
    bad["network"]["weights"][0][1] = ["2", "4", "0"]  # W_1 of rank 1
    rejected(rehint(bad), "rank(W_L ... W_1) = 1")
    bad = copy.deepcopy(lin)
    bad["network"]["weights"][0][0] = ["sqrt(2)", "2", "0"]  # algebraic entries: still rank 2
    v = verify_certificate(rehint(bad))
    assert v.ok, v.reason
    deep = identify(DEEP, local=False).certificate()
    bad = copy.deepcopy(deep)
    bad["network"]["weights"][0] = [["1", "0"], ["2", "0"]]  # input 1 unused (and rows now fine)
    rejected(bad, "condition no_zero_input_column_or_output_row fails: input 1 has a zero column in W_1")
    bad = copy.deepcopy(deep)
    bad["network"]["weights"][1][1] = ["-1", "-1"]
    bad["network"]["biases"][1][1] = "0"
    rejected(bad, "hidden layer 2: (w, b) of neuron 1 is minus that of neuron 0")
    kr = identify(POW3, local=False, fibers=False).certificate()
    bad = copy.deepcopy(kr)
    bad["network"]["weights"][0][1] = ["2", "4"]
    bad["network"]["biases"][0][1] = "2"  # v_1 = 2 v_0: k(V) = 1
    rejected(bad, "condition kruskal_K1 fails: V: the minor on rows")
    rejected(rehint(bad), "condition kruskal_K1 fails: k(W_2) + 3 k(V) = 1 + 3*1 < 2r + M = 7")
    bad = copy.deepcopy(kr)
    bad["network"]["weights"][1] = [["1", "0"]]
    rejected(bad, "condition hidden_no_zero_outgoing_column fails")


def test_tampered_weak_certificates_are_rejected():
    cert = identify(WEAK, local=False).certificate()
    assert verify_certificate(cert).ok
    bad = copy.deepcopy(cert)
    bad["claim"]["reduced"]["weights"][1] = [["2", "3"]]
    rejected(bad, "the replayed network equals the reduced network in (W_2 | b_2) fails at entry (1, 2): 2 != 3")
    bad = copy.deepcopy(cert)
    bad["evidence"]["submodel"]["theorem"] = "vlacic_bolcskei2021"
    rejected(bad, "the citation or the statement of vlacic_bolcskei2021 differs")
    bad = copy.deepcopy(cert)  # neuron 2 := neuron 0 in theta and theta~: theta~ is still reducible
    bad["network"]["weights"][0][2], bad["network"]["biases"][0][2] = ["1", "2"], "1"
    bad["claim"]["reduced"]["weights"][0][1], bad["claim"]["reduced"]["biases"][0][1] = ["1", "2"], "1"
    rejected(bad, "condition hidden_no_sign_pair fails")
    bad = copy.deepcopy(cert)
    bad["evidence"]["method"] = "rewrite_steps"
    rejected(bad, "unknown or missing method 'rewrite_steps'")


# -- what is not certified ----------------------------------------------------------------------


def run_cmd(argv):
    p = argparse.ArgumentParser()
    identify_cmd.add_arguments(p)
    return identify_cmd.run(p.parse_args(argv))


def test_cli_writes_identifiable_certificates_and_none_for_conjectures(tmp_path, capsys):
    f = tmp_path / "tanh.toml"
    f.write_text('[network]\nactivation = "tanh"\nweights = [[["1","2"],["3","-1"]], [["1","1"]]]\n'
                 'biases = [["1","0"], ["0"]]\n')
    out = tmp_path / "c.json"
    assert run_cmd([str(f), "--no-local", "--certificate", str(out)]) == 0
    assert "(identifiable, by theorem sussmann1992 (criterion))" in capsys.readouterr().out
    assert verify_certificate(json.loads(out.read_text())).ok
    g = tmp_path / "relu.toml"
    g.write_text('[network]\nactivation = "relu"\nweights = [[["1","2"],["3","-1"]], [["1","1"]]]\n'
                 'biases = [["1","0"], ["0"]]\n')
    out2 = tmp_path / "r.json"
    assert run_cmd([str(g), "--no-local", "--certificate", str(out2), "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "conjectural" and data["certificate"] is None
    assert data["certificate_note"].startswith("none: 'conjectural' is not a checkable claim")
    assert not out2.exists()
    gelu = identify(net("gelu", ([[1, 2]], [0]), ([[1]], [0])), local=False)
    assert gelu.verdict == "unknown" and gelu.certificate() is None
    assert gelu.certificate_note.startswith("none: 'unknown'")
    relu_weak = identify(net("relu", ([[1, 2], [0, 0]], [1, 0]), ([[1, 0]], [0])), local=False)
    # theta~ is undecided, but theta's own zero neuron is a stabilizer witness: a checked refutation
    assert relu_weak.reduction.changed and relu_weak.verdict == "not identifiable"
    assert relu_weak.certificate()["claim"] == {"kind": "not_identifiable"}


# -- hypothesis: the checker's Sussmann conditions against an independent computation ----------


entry = st.integers(-2, 2)


@st.composite
def tanh_nets(draw):
    """Small-integer tanh nets, with a planted degeneracy (or none) so that every kind is drawn
    often: a copied or negated neuron, a zero incoming row, a zero outgoing column."""
    d0, d1, d2 = draw(st.integers(1, 2)), draw(st.integers(2, 3)), draw(st.integers(1, 2))
    w1 = [[draw(entry) for _ in range(d0)] for _ in range(d1)]
    b1 = [draw(entry) for _ in range(d1)]
    w2 = [[draw(entry) for _ in range(d1)] for _ in range(d2)]
    j, k = draw(st.sampled_from(list(combinations(range(d1), 2))))
    plant = draw(st.sampled_from(["none", "copy", "negate", "zero_row", "zero_column"]))
    if plant in ("copy", "negate"):
        s = 1 if plant == "copy" else -1
        w1[k], b1[k] = [s * v for v in w1[j]], s * b1[j]
    elif plant == "zero_row":
        w1[k] = [0] * d0
    elif plant == "zero_column":
        for row in w2:
            row[k] = 0
    return w1, b1, w2, [draw(entry) for _ in range(d2)]


def irreducible(w1, b1, w2):
    """Sussmann's conditions, computed on plain integers without symeq."""
    rows = [tuple(r) + (b,) for r, b in zip(w1, b1)]
    if any(all(v == 0 for v in r) for r in w1):
        return False
    if any(all(w2[o][j] == 0 for o in range(len(w2))) for j in range(len(w1))):
        return False
    return not any(rows[j] == rows[k] or rows[j] == tuple(-v for v in rows[k])
                   for j, k in combinations(range(len(rows)), 2))


@settings(max_examples=40, deadline=None)
@given(tanh_nets())
def test_checker_accepts_sussmann_certificates_exactly_for_irreducible_nets(params):
    w1, b1, w2, b2 = params
    n = net("tanh", (w1, b1), (w2, b2))
    v = verify_certificate(cert_for(n, "sussmann1992"))
    assert v.ok == irreducible(w1, b1, w2), v.reason
    assert (criterion_for(n).verdict == "identifiable") == v.ok


# -- conditions the engine now checks because the cited statements need them ------------------


def test_kruskal_needs_nonzero_outgoing_columns_and_deep_tanh_every_matrix():
    from symeq.architectures.mlp.criteria import deep_tanh, kruskal_power

    # M = 3, r = 3: k(W_2) = 0 still satisfies (K1) 0 + 3*3 >= 2*3 + 3, and (K2) holds, but neuron
    # 2's row is free (zero outgoing column): not identifiable, and the criterion must not say so.
    n = net("power:3", ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, 3]), ([[1, 1, 0]], [0]))
    r = kruskal_power(n)
    assert [(c.name, c.holds) for c in r.conditions] == [
        ("hidden_no_zero_outgoing_column", False), ("kruskal_K1", True), ("kruskal_K2", True)]
    assert r.verdict == "unknown"
    rejected(cert_for(n, "kruskal1977"), "condition hidden_no_zero_outgoing_column fails: hidden layer 1: neuron 2")
    unused_input = net("tanh", ([[1, 0], [2, 0]], [0, 1]), ([[1, 1], [1, -1]], [0, 2]), ([[1, 2]], [0]))
    d = deep_tanh(unused_input)
    assert d.verdict == "unknown" and [c.holds for c in d.conditions] == [True, True, True, False]
