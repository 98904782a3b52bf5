"""symeq counterexample: the C8 example of docs/theory.md section 6 and its width-8 repair, the
other named claims, predicates, and the checker's rejection of tampered certificates."""

from __future__ import annotations

import copy
import json

import pytest
import sympy
from sympy import ImmutableMatrix

from symeq.certify.reader import Reader
from symeq.certify.verify import verify_certificate
from symeq.cli import main
from symeq.counterexamples.at_theta import refute_layerwise_at_theta
from symeq.counterexamples.predicate import evaluate, parse_predicate, search_predicate
from symeq.counterexamples.reparam import refute_layerwise_reparam
from symeq.counterexamples.unique import refute_unique_latent
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.errors import InputError
from symeq.groups import catalog_group
from symeq.architectures import network_from_dict

@pytest.fixture(scope="module")
def c8():
    return catalog_group("C8", 2, 2)


@pytest.fixture(scope="module")
def c8_outcome(c8):
    return refute_layerwise_reparam("relu", (2, 4, 2), c8)


def test_c8_width4_refuted_with_theory_example(c8_outcome):
    out = c8_outcome
    assert out.verdict == "refuted"
    assert out.network.weights[0] == ImmutableMatrix([[1, 0], [0, 1], [-1, 0], [0, -1]])
    assert out.network.weights[1] == ImmutableMatrix([[1, 0, -1, 0], [0, 1, 0, -1]])
    v = verify_certificate(out.certificate())
    assert v.ok, v.reason
    ev = out.certificate()["evidence"]
    assert len(ev["types"][0]) == 4 and {a["zero_layer"] for a in ev["assignments"]} == {1}
    assert ev["latent_kind"] == "permutation"


def _reject(cert, fragment):
    v = verify_certificate(cert)
    assert not v.ok
    assert fragment in v.reason, v.reason


def test_c8_tampered_certificates_rejected(c8_outcome):
    cert = c8_outcome.certificate()
    bad = copy.deepcopy(cert)  # drop a type: the list is no longer complete
    bad["evidence"]["types"][0].pop()
    bad["evidence"]["assignments"] = [a for a in bad["evidence"]["assignments"] if a["types"] != [3]]
    _reject(bad, "not one per conjugacy class")
    bad = copy.deepcopy(cert)  # a 3-cycle is no image of a C8 generator
    bad["evidence"]["types"][0][3]["r"]["perm"] = [1, 2, 0, 3]
    _reject(bad, "not a homomorphism")
    bad = copy.deepcopy(cert)  # two conjugate types
    bad["evidence"]["types"][0][2]["r"]["perm"] = [1, 0, 2, 3]   # conjugate to type 1
    _reject(bad, "not one per conjugacy class")
    bad = copy.deepcopy(cert)  # layers count from 1
    bad["evidence"]["assignments"][0]["zero_layer"] = 0
    _reject(bad, "is malformed or listed twice")
    bad = copy.deepcopy(cert)  # a changed weight breaks equivariance
    bad["network"]["weights"][0][0][0] = "2"
    assert not verify_certificate(bad).ok
    bad = copy.deepcopy(cert)  # inputs where f agrees
    bad["evidence"]["non_constant"] = {"x": ["0", "0"], "y": ["0", "0"], "coordinate": 0}
    _reject(bad, "agree")
    bad = copy.deepcopy(cert)  # the signed kind is not the kind of relu layers
    bad["evidence"]["latent_kind"] = "signed_permutation"
    _reject(bad, "permutation types")


def test_kernel_rank_test_for_forced_zero_weights():
    from symeq.certify.hints import _eliminate
    from symeq.kernel.linalg import nonzero_minor
    from symeq.kernel.mlp_refute import constraints

    read = Reader({"numbers": {"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"],
                               "radicals": [{"base": "2", "root": 2, "value": ["0", "1"]}]}})
    m = lambda rows: tuple(tuple(read.const(x) for x in r) for r in rows)  # noqa: E731
    rot45 = m([["sqrt(2)/2", "-sqrt(2)/2"], ["sqrt(2)/2", "sqrt(2)/2"]])
    rot90 = m([["0", "-1"], ["1", "0"]])
    four_cycle = m([["0", "0", "0", "1"], ["1", "0", "0", "0"], ["0", "1", "0", "0"], ["0", "0", "1", "0"]])

    def forced(a_in, a_out):  # the engine finds the minor; the kernel checks it
        c = constraints([a_in], [a_out])
        return nonzero_minor(c, _eliminate(c)[0], list(range(len(c[0]))))

    assert forced(rot45, four_cycle)        # r^4 = -I fixes every neuron
    assert not forced(rot90, four_cycle)    # C4: one free row
    assert forced(four_cycle, rot45)        # W_2 too


def test_c8_width8_not_refuted_and_repair_exhibited(c8):
    out = refute_layerwise_reparam("relu", (2, 8, 2), c8)
    assert out.verdict == "not refuted" and out.certificate() is None
    ex = out.details["layerwise_reparametrization"]
    assert ex["type"] == "G/1 (size 8)"
    net = network_from_dict(ex["network"])
    r = check_equivariance(net, c8)
    assert r.verdict == "holds" and r.method == "layerwise"
    # W_2 = U^T / 2 for the eight unit directions U, and the function is the identity
    assert net.weights[1] == net.weights[0].T / 2
    for x in ([3, -1], [sympy.Rational(1, 2), 7], [-2, -5]):
        assert net.value(ImmutableMatrix(x)).applyfunc(sympy.expand) == ImmutableMatrix(x)


def test_cli_c8_certificate_and_verify(tmp_path, capsys):
    path = tmp_path / "c8.json"
    code = main(["counterexample", "--claim", "layerwise-reparam", "--arch", "relu:2-4-2", "--group", "C8",
                 "--json", "--certificate", str(path)])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["verdict"] == "refuted" and out["certificate_verified"] is True
    assert main(["verify", str(path)]) == 0
    capsys.readouterr()
    code = main(["counterexample", "--claim", "layerwise-reparam", "--arch", "relu:2-8-2", "--group", "C8", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and out["verdict"] == "not refuted"
    assert "layerwise_reparametrization" in out["details"]


def test_at_theta_duplicate_split():
    G = catalog_group("S2", 2, 1, output="trivial")
    out = refute_layerwise_at_theta("tanh", (2, 3, 1), G)
    assert out.verdict == "refuted"
    net = out.network
    assert verify_certificate(out.certificate()).ok
    # the seed (one neuron fewer) is layerwise equivariant and the network is not
    seed = network_from_dict(out.details["seed"])
    assert check_equivariance(seed, G).method == "layerwise"
    assert net.widths == (2, 3, 1)
    bad = copy.deepcopy(out.certificate())  # the stated reduction does not reproduce the seed
    bad["evidence"]["equivariance"]["reduced"]["weights"][1][0][0] = "7"
    assert not verify_certificate(bad).ok
    # the checker refuses "no latent action" for a network that has one: the seed itself
    cert = copy.deepcopy(out.certificate())
    cert["network"] = out.details["seed"]
    cert["evidence"]["equivariance"] = check_equivariance(seed, G).evidence()
    _reject(cert, "the rows admit 1 matchings, the hint lists 0")  # the hint was written for the other network
    from symeq.certify.hints import with_hints

    _reject(with_hints(cert), "a layerwise latent action exists")  # with the seed's own hint


def test_unique_latent_two_actions():
    G = catalog_group("sign", 1, 1)
    out = refute_unique_latent("tanh", (1, 2, 1), G)
    assert out.verdict == "refuted"
    assert verify_certificate(out.certificate()).ok
    bad = copy.deepcopy(out.certificate())
    bad["evidence"]["second"] = bad["evidence"]["first"]
    _reject(bad, "same maps")


def test_unique_latent_for_sin_uses_signed_conjugators():
    # sin's layer group is the signed permutations (kind "shift"): x -> (sin x, sin -x) under
    # x -> -x is layerwise for the swap and for the negation of both neurons
    out = refute_unique_latent("sin", (1, 2, 1), catalog_group("sign", 1, 1))
    assert out.verdict == "refuted" and verify_certificate(out.certificate()).ok
    assert out.certificate()["network"]["weights"] == [[["1"], ["-1"]], [["1", "-1"]]]
    first, second = (out.certificate()["evidence"][k]["actions"]["m"][0] for k in ("first", "second"))
    assert (first["perm"], second["perm"]) == ([0, 1], [1, 0])
    assert [r["b"] for r in first["relations"]] == ["-1", "-1"]


def test_predicate_language_is_safe_and_exact():
    assert parse_predicate("not (equivariant or reduced)") == ("not", ("or", "equivariant", "reduced"))
    assert parse_predicate("a -> b".replace("a", "equivariant").replace("b", "layerwise")) == \
        ("->", "equivariant", "layerwise")
    for hostile in ("__import__('os')", "equivariant; layerwise", "equivariant ->", "layerwise)", "", "x" * 600):
        with pytest.raises(InputError):
            parse_predicate(hostile)
    f = parse_predicate("equivariant and reduced -> layerwise")
    assert evaluate(f, {"equivariant": True, "reduced": True, "layerwise": False}) is False
    assert evaluate(f, {"equivariant": True, "reduced": False, "layerwise": False}) is True


def test_predicate_refutation_certified_and_theorem_not_refuted():
    G = catalog_group("S2", 2, 1, output="trivial")
    out = search_predicate("equivariant -> layerwise", "relu", (2, 3, 1), G, budget=120)
    assert out.verdict == "refuted"
    assert verify_certificate(out.certificate()).ok
    bad = copy.deepcopy(out.certificate())
    bad["evidence"]["atoms"]["layerwise"]["value"] = True
    assert not verify_certificate(bad).ok
    bad = copy.deepcopy(out.certificate())
    bad["claim"]["predicate"] = "equivariant -> equivariant"
    assert not verify_certificate(bad).ok
    # with the identifiability-type hypothesis the tanh search finds nothing (Sussmann)
    held = search_predicate("equivariant and reduced -> layerwise", "tanh", (2, 3, 1), G, budget=40)
    assert held.verdict == "not refuted"


def test_python_predicate_has_no_certificate():
    G = catalog_group("S2", 2, 1, output="trivial")
    out = search_predicate(lambda net, g: bool(net.weights[0][0, 0] != 1), "tanh", (2, 3, 1), G, budget=40)
    assert out.verdict == "refuted" and out.certificate() is None and out.network.weights[0][0, 0] == 1


def test_cli_bad_input(capsys, tmp_path):
    assert main(["counterexample", "--claim", "layerwise-reparam", "--arch", "relu:2-x-2"]) == 2
    assert main(["counterexample", "--claim", "nonsense claim"]) == 2
    assert main(["counterexample", "--claim", "layerwise-reparam", "--group", "C7"]) == 2
    assert main(["counterexample", "--claim", "unique-latent", "--certificate", str(tmp_path / "x.txt")]) == 2
    assert not (tmp_path / "x.txt").exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err


@pytest.mark.parametrize("name,dim", [("C4", 2), ("D4", 2), ("S3", 3)])
def test_homomorphism_classes_match_engine_counts(name, dim):
    """The kernel's count (cyclic groups: cycle types and an orbit-stabilizer sum) and the second
    tier's enumeration (Cayley graph walk, conjugacy by generators of S_d / B_d) agree with the
    engine's G-set counts, signed and unsigned."""
    from symeq.certify.build import group_table
    from symeq.certify.hints import numbers_hint
    from symeq.certify.second_tier import hom_class_table
    from symeq.classification.types import layer_types
    from symeq.kernel.groups import closure, complete_cyclic_classes

    G = catalog_group(name, dim, dim)
    doc = {"group": group_table(G)}
    nums = numbers_hint(doc)
    if nums:
        nums.pop("alpha")
        doc["numbers"] = nums
    n, right = closure(Reader(doc).group(doc["group"], dim, dim))
    assert n == len(G.elements())
    for d in (1, 2, 3):
        for signed, act in ((False, "relu"), (True, "tanh")):
            classes = hom_class_table(right, d, signed)
            assert len(set(classes.values())) == layer_types(G, d, act).count
            if len(G.names) == 1:
                reps = {k: h[0] for h, k in classes.items()}
                assert complete_cyclic_classes(list(reps.values()), n, d, signed)
                assert not complete_cyclic_classes(list(reps.values())[1:], n, d, signed)


def test_predicate_not_refuted_counts_undecided_candidates(monkeypatch):
    """A candidate whose atoms cannot be decided is skipped; the message must not say the
    predicate held on it."""
    import symeq.counterexamples.predicate as pred

    monkeypatch.setattr(pred, "decide_atoms", lambda net, group, names: None)
    G = catalog_group("S2", 2, 1, output="trivial")
    out = search_predicate("equivariant -> layerwise", "relu", (2, 3, 1), G, budget=6)
    assert out.verdict == "not refuted"
    assert "held on all" not in out.message
    assert out.details["skipped"] == out.tried and f"held on the 0 decided candidates of {out.tried}" in out.message


@pytest.mark.parametrize("claim", ["__import__('os').system('true')", "equivariant -> -> reduced",
                                   "not " * 130 + "equivariant", "(" * 60 + "equivariant" + ")" * 60,
                                   "equivariant\nlayerwise", "equivariant → layerwise", "and"])
def test_cli_hostile_predicates_exit_2_with_one_line(claim, capsys):
    assert main(["counterexample", "--claim", claim, "--budget", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


def test_operator_in_operand_position_is_not_called_an_atom():
    with pytest.raises(InputError, match="unexpected '->', expected an atom"):
        parse_predicate("equivariant -> -> reduced")


def test_at_theta_budget_cut_is_unknown_not_a_statement_about_all_seeds():
    """With a budget of 3 assignments only W_1 = 0 types are examined for tanh:2-5-2 under D4;
    the search must not claim that no hidden layer has a seed."""
    out = refute_layerwise_at_theta("tanh", (2, 5, 2), catalog_group("D4", 2, 2), budget=3)
    assert out.verdict == "unknown" and "budget" in out.message
    full = refute_layerwise_at_theta("tanh", (2, 5, 2), catalog_group("D4", 2, 2), budget=400)
    assert full.verdict == "refuted" and verify_certificate(full.certificate()).ok
