"""The verbs on attention networks: latent, identify, symmetries (with the closed forms of
docs/theory.md 7.1), explain, draw, and the command line (exit codes, JSON, one-line errors)."""

from __future__ import annotations

import json
import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational

from symeq.architectures import network_from_dict
from symeq.architectures.attention import group_from_dict
from symeq.architectures.attention.identifiability import identify
from symeq.architectures.attention.latent_actions import analyze
from symeq.architectures.attention.model import Attention
from symeq.architectures.attention.report import draw, explain
from symeq.architectures.attention.parameter_symmetries import symmetries
from symeq.cli import main
from symeq.errors import InputError
from symeq.files import load_document


def load(path: str):
    doc = load_document(path)
    net = network_from_dict(doc["network"])
    return net, group_from_dict(doc["group"], net)


def random_net(norm: str, n: int, d: int, a: int, v: int, heads: int, layers: int, seed: int) -> Attention:
    rng = random.Random(seed)

    def rnd(r, c):
        return sympy.ImmutableMatrix(r, c, [rng.randint(-3, 3) or 1 for _ in range(r * c)])

    lys = [{"heads": [(rnd(d, a), rnd(d, a), rnd(d, v)) for _ in range(heads)],
            "embed": None if i == 0 else rnd(heads * v, d)} for i in range(layers)]
    return Attention.from_sympy(norm, n, lys, rnd(heads * v, d), rnd(1, d))


# -- latent ------------------------------------------------------------------------------------------


def test_latent_on_the_patches_example():
    net, G = load("docs/examples/attention_patches.toml")
    r = analyze(net, G)
    assert r.verdict == "holds" and r.stabilizer.status == "trivial" and r.homomorphism.holds
    assert not r.homomorphism.crossed  # P_g commutes with K_i: an ordinary homomorphism
    (k,) = r.actions.generator("s")
    assert k.describe() == "heads (0 1); A_0 = [1 1; 0 1], A_1 = [1 -1; 0 1]"
    s = r.structure[0]
    # rho(s) = P_s (x) B_s: P_s fixes no token, so the character is (8, 0): 4 trivial + 4 sign
    assert [str(c) for c in s.character] == ["8", "0"] and s.multiplicities == (4, 4)
    cert = r.certificate()
    assert cert["claim"]["kind"] == "latent_actions" and cert["evidence"]["order"] == 2
    assert cert["evidence"]["actions"]["s"][0]["blocks"] == [[["1", "1"], ["0", "1"]], [["1", "-1"], ["0", "1"]]]


def test_latent_on_a_broken_network_fails_with_a_witness():
    doc = load_document("docs/examples/attention_design.toml")
    doc["network"]["layers"][0]["heads"][1]["key"] = [["1"], ["3"]]
    net = network_from_dict(doc["network"])
    r = analyze(net, group_from_dict(doc["group"], net))
    assert r.verdict == "fails" and r.check.witness is not None
    assert r.certificate()["claim"]["kind"] == "not_equivariant"


def test_latent_runs_on_the_submodel_when_heads_merge():
    """Two heads with one score form, whose value maps only sum to the mirror image: no action
    at theta, one at theta~ (the heads merged)."""
    doc = load_document("docs/examples/attention_design.toml")
    net_table = doc["network"]
    net_table.pop("positional")
    h0, h1 = net_table["layers"][0]["heads"]
    # head 0's C = V W = (1, 3)^T (1, 0) split over two heads: (1, 0)^T (1, 0) + (0, 1)^T (3, 0)
    net_table["layers"][0]["heads"] = [dict(h0, value=[["1"], ["0"]]), dict(h0, value=[["0"], ["1"]]), h1]
    net_table["readout"]["output"] = [["1", "0"], ["3", "0"], ["0", "1"]]
    net = network_from_dict(net_table)
    G = group_from_dict(doc["group"], net)
    r = analyze(net, G)
    assert r.verdict == "holds" and r.where == "theta~", r.text()
    assert [s.op for s in r.reduction.steps][0] == "merge"


def test_stabilizer_with_duplicate_heads_is_nontrivial():
    doc = load_document("docs/examples/attention_design.toml")
    t = doc["network"]
    h0, h1 = t["layers"][0]["heads"]
    t["layers"][0]["heads"] = [h0, h1]
    net = network_from_dict(t)
    from symeq.construction.stabilizer import stabilizer

    assert stabilizer(net).status == "trivial"
    same = network_from_dict({**t, "layers": [{"heads": [h0, h0]}],  # and equal readout rows: a swap fixes theta
                              "readout": {"output": [["1", "2"], ["1", "2"]], "bias": ["0", "0"]}})
    st = stabilizer(same)
    assert st.status == "nontrivial" and st.order == 2


# -- identify ----------------------------------------------------------------------------------------


def test_identify_inactive_head_of_the_last_layer_is_not_identifiable():
    doc = load_document("docs/examples/attention_design.toml")
    doc["network"]["layers"][0]["heads"][1]["value"] = [["0"], ["0"]]
    net = network_from_dict(doc["network"])
    r = identify(net)
    assert r.verdict == "not identifiable" and r.proof_head == (1, 1)
    x = [1, -2, 3, Rational(1, 2)]
    for u, w in zip(net.value_ball(x), r.second.value_ball(x)):
        assert u.overlaps(w)
    assert r.second.readout != net.readout and r.certificate() is None
    assert r.to_dict()["second_parameter"]["readout"]["output"][1] == ["0", "0"]


def test_identify_degenerate_heads_are_conjectural_and_generic_ones_local():
    doc = load_document("docs/examples/attention_design.toml")
    t = doc["network"]
    h0, _ = t["layers"][0]["heads"]
    dup = network_from_dict({**t, "layers": [{"heads": [h0, dict(h0, value=[["3"], ["1"]])]}]})
    r = identify(dup)
    assert r.verdict == "conjectural" and [d.kind for d in r.degenerate] == ["equal_scores"]
    net = random_net("softmax", 3, 2, 1, 1, 2, 1, seed=4)
    assert identify(net).verdict == "conjectural"
    assert identify(net, local=True).verdict == "locally identifiable"


# -- symmetries and the closed forms -----------------------------------------------------------------------


@pytest.mark.parametrize("norm", ["softmax", "lightning"])
@pytest.mark.parametrize("layers,d,a", [(1, 2, 1), (1, 3, 2), (2, 2, 1), (2, 2, 2)])
def test_functional_dimension_agrees_with_neurodim(norm, layers, d, a):
    """One head per layer, v = d = d_L: NeuroDim's l (a (2d - a) + d^2) - (l - 1) d^2 - l (1 - normalized),
    plus d_L for the readout's bias."""
    net = random_net(norm, 3, d, a, d, 1, layers, seed=1)
    r = symmetries(net)
    fd = r.dimension
    normalized = 1 if norm == "softmax" else 0
    want = layers * (a * (2 * d - a) + d * d) - (layers - 1) * d * d - layers * (1 - normalized) + d
    assert fd.status == "exact" and fd.rank == want
    neurodim = [c for c in r.closed if c.applies and c.source.startswith("NeuroDim")]
    assert neurodim and neurodim[0].value == want


def test_functional_dimension_agrees_with_hmk_one_lightning_layer():
    """2ad + dd' - a^2 - 1 (+ d_L), d' = v = d_L = 3, d = 2, a = 1."""
    rng = random.Random(2)

    def rnd(r, c):
        return sympy.ImmutableMatrix(r, c, [rng.randint(-3, 3) or 1 for _ in range(r * c)])

    net = Attention.from_sympy("lightning", 3, [{"heads": [(rnd(2, 1), rnd(2, 1), rnd(2, 3))]}], rnd(3, 3), rnd(1, 3))
    fd = symmetries(net).dimension
    assert fd.status == "exact" and fd.rank == 2 * 1 * 2 + 2 * 3 - 1 - 1 + 3


def test_symmetries_of_two_heads_count_k_and_the_inside():
    net = random_net("softmax", 3, 3, 1, 2, 2, 1, seed=5)
    r = symmetries(net)
    assert r.groups[0].dimension == 8 and r.k_orbit_dim == 8
    assert r.dimension.orbit_dim - r.k_orbit_dim == 2  # gl(1) per head
    assert r.dimension.rank == net.n_params - 10 and r.verdict == "holds"


# -- explain, draw ------------------------------------------------------------------------------------------


def test_explain_and_draw(tmp_path):
    net, G = load("docs/examples/attention_patches.toml")
    r = analyze(net, G)
    md = explain(r, "markdown")
    assert "head 0 goes to position 1" in md and "A_0 = \\begin{bmatrix} 1 & 1 \\\\ 0 & 1 \\end{bmatrix}" in md
    tex = explain(r, "latex")
    assert tex.startswith("\\documentclass") and "\\begin{bmatrix}" in tex
    out = tmp_path / "heads.png"
    d = draw(net, G, str(out))
    assert out.stat().st_size > 1000 and "head permutation of s" in d.reason


# -- the command line -----------------------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_verbs_on_the_examples(capsys, tmp_path):
    code, out, _ = run(capsys, "check", "docs/examples/attention_patches.toml", "--json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "holds" and data["actions"]["s"][0]["perm"] == [1, 0]
    code, out, err = run(capsys, "latent", "docs/examples/attention_design.toml")
    assert code == 0 and "k_1(f): heads (0 1)" in out, err
    code, out, _ = run(capsys, "symmetries", "docs/examples/attention_design.toml", "--json")
    assert code == 0 and json.loads(out)["functional_dimension"]["status"] == "exact"
    code, out, _ = run(capsys, "identify", "docs/examples/attention_design.toml", "--no-local")
    assert code == 3 and out.startswith("verdict: conjectural")
    code, out, _ = run(capsys, "draw", "docs/examples/attention_design.toml", "--out", str(tmp_path / "a.svg"))
    assert code == 0 and (tmp_path / "a.svg").exists()


def test_cli_broken_network_exits_1(capsys, tmp_path):
    doc = load_document("docs/examples/attention_design.toml")
    text = open("docs/examples/attention_design.toml").read().replace('value = [["3"], ["1"]]', 'value = [["3"], ["2"]]')
    path = tmp_path / "broken.toml"
    path.write_text(text)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1 and "witness: generator f" in out
    assert doc["network"]["layers"][0]["heads"][1]["value"] == [["3"], ["1"]]


@pytest.mark.parametrize("patch,message", [
    ('tokens = 2', 'tokens = 2.5'),
    ('tokens = [1, 0]', 'tokens = [1, 1]'),
])
def test_cli_bad_input_is_one_line(capsys, tmp_path, patch, message):
    text = open("docs/examples/attention_design.toml").read().replace(patch, message, 1)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_cli_catalog_group_on_the_flattened_input(capsys):
    """A catalog name acts on V_0 = R^(n d) as one matrix; attention refuses it unless it is a
    token permutation times a feature matrix (S4 on the 4 coordinates of 2 tokens x 2 features is not)."""
    code, _, err = run(capsys, "check", "docs/examples/attention_design.toml", "--group", "C4")
    assert code == 2 and err.count("\n") == 1 and "acts on R^2" in err
    code, _, err = run(capsys, "check", "docs/examples/attention_design.toml", "--group", "S4")
    assert code == 2 and "not of the form P (x) R" in err


# -- invariance proofs ----------------------------------------------------------------------------


@pytest.mark.parametrize("norm", ["softmax", "lightning"])
def test_every_symmetry_counted_is_proved_to_keep_f(norm):
    from symeq.architectures.attention.invariance import prove_invariance

    proofs = prove_invariance(random_net(norm, 2, 2, 1, 1, 2, 1, seed=3))
    expected = ["change of basis A_0 in GL(1) of head 0", "change of basis A_1 in GL(1) of head 1",
                "transposition of heads (0 1)", "Q-K change of basis B in GL(1) of head 0 (internal)",
                "Q-K change of basis B in GL(1) of head 1 (internal)"]
    if norm == "lightning":
        expected += [f"scaling (c W_Q, W_V / c) of head {h} (internal, lightning)" for h in (0, 1)]
    assert sorted(p.generator for p in proofs) == sorted(expected)
    assert all(p.holds is True and p.layer == 1 for p in proofs)


def test_a_false_symmetry_is_not_proved():
    """Scaling (c W_Q, W_V / c) keeps a lightning head but not a softmax one, for every theta
    (the parameters symbols too)."""
    from symeq.architectures.attention import invariance as inv
    from symeq.architectures.attention.numbers import unify

    for norm, expected in (("lightning", True), ("softmax", False)):
        net = random_net(norm, 2, 2, 1, 1, 1, 1, seed=1)
        theta = net.with_parameters([sympy.Symbol(f"t{j}") for j in range(net.n_params)])
        head = theta.layers[0].heads[0]
        q, v, c = unify(head.query, head.value, inv._matrix("c", 1, 1))
        c0 = c[0, 0].element
        moved = inv._replace_head(theta, 1, 0, q * c0, head.key, v * (c.domain.one / c0))
        assert inv._same(theta, moved, 1) is expected


@pytest.mark.parametrize("norm", ["softmax", "lightning"])
def test_deep_networks_are_proved_layer_by_layer(norm):
    """Three attention layers: every symmetry of every layer is proved (one layer at a time),
    and the G change of basis of the model features appears on layers 2 and 3 only."""
    from symeq.architectures.attention.invariance import prove_invariance

    proofs = prove_invariance(random_net(norm, 3, 2, 1, 1, 2, 3, seed=2))
    assert [p.layer for p in proofs if "model features" in p.generator] == [2, 3]
    per_layer = 5 + (2 if norm == "lightning" else 0)
    assert [p.layer for p in proofs] == [1] * per_layer + [2] * (per_layer + 1) + [3] * (per_layer + 1)
    assert all(p.holds is True and "layer by layer" in p.method for p in proofs)


def test_layer_proofs_refute_what_is_not_a_symmetry():
    """The layer-by-layer proof fails for a change of basis whose inverse is not applied to the
    map reading the layer, for one that touches a parameter outside the layer and the map reading
    it, and for a head swap of unequal heads' value maps."""
    from symeq.architectures.attention import invariance as inv
    from symeq.architectures.attention.model import Layer
    from symeq.architectures.attention.numbers import unify

    for norm in ("softmax", "lightning"):
        net = random_net(norm, 2, 2, 1, 1, 2, 2, seed=4)
        head = net.layers[0].heads[0]
        q, k, v, c = unify(head.query, head.key, head.value, inv._matrix("c", 1, 1))
        half = inv._replace_head(net, 1, 0, q, k, v * c)  # W_V A without A^-1 on the next W_O
        assert inv._same(net, half, 1) is False
        bias = net.replace(bias=net.bias * 2)  # a change outside layer 1 and W_O^(1)
        assert inv._same(net, bias, 1) is False
        ly = net.layers[1]
        swapped = net.replace(layers=[net.layers[0], Layer(ly.heads[::-1], ly.embed)])
        assert inv._same(net, swapped, 2) is False  # the readout's rows are not swapped with them


def test_a_general_matrix_larger_than_the_budget_is_not_inverted():
    """v = 5: the change of basis A_0 in GL(5) would invert a 5 x 5 matrix of symbols (minutes);
    it answers unknown (budget), the Q-K change of basis in GL(1) is still proved."""
    from symeq.architectures.attention.invariance import prove_invariance

    proofs = prove_invariance(random_net("softmax", 2, 2, 1, 5, 1, 1, seed=1))
    assert [(p.generator, p.holds) for p in proofs] == [("change of basis A_0 in GL(5) of head 0", None),
                                                        ("Q-K change of basis B in GL(1) of head 0 (internal)", True)]
    assert "budget: a general 5 x 5 matrix of symbols, more than 4 x 4" in proofs[0].method


def test_the_proof_budget_is_per_layer():
    from symeq.architectures.attention.invariance import prove_invariance

    net = random_net("lightning", 2, 2, 1, 1, 1, 2, seed=1)  # blocks of 6 + 2 and 2 + 6 + 2 parameters
    proofs = prove_invariance(net, max_params=8)
    assert [(p.layer, p.holds) for p in proofs] == [(1, True), (1, True), (1, True),
                                                    (2, None), (2, None), (2, None), (2, None)]
    assert all("budget: layer 2 and the map reading it have 10 parameters > 8" in p.method
               for p in proofs if p.layer == 2)


def test_unproved_symmetries_make_symmetries_unknown(monkeypatch):
    from symeq.architectures.attention import invariance

    net = random_net("lightning", 2, 2, 1, 1, 1, 1, seed=1)
    r = symmetries(net, proofs=True)
    assert r.verdict == "holds" and len(r.proofs) == 3 and all(p.holds for p in r.proofs)
    monkeypatch.setattr(invariance, "MAX_PROOF_PARAMS", 7)
    deep = symmetries(random_net("lightning", 2, 2, 1, 1, 1, 2, seed=1), proofs=True)
    assert str(deep.verdict) == "unknown" and all(p.holds is None and "budget" in p.method for p in deep.proofs)
    assert "not proved: layer 2" in deep.text()


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3), st.sampled_from([1, 2]))
def test_layer_proofs_agree_with_evaluation(seed, layers, heads):
    """Lightning networks of one to three layers: every symmetry the proof accepts, taken at
    random rational values of its symbols, leaves f(X) unchanged at a random rational X (exact
    evaluation, an oracle the proof does not use); changing one entry of the map that reads the
    layer breaks the proof whenever it changes f(X) (a head with M_h = 0 is not read at all)."""
    from symeq.architectures.attention import invariance as inv
    from symeq.architectures.attention.evaluate import exact_forward
    from symeq.architectures.attention.model import Layer
    from symeq.architectures.attention.numbers import to_dm

    rng = random.Random(seed)
    net = random_net("lightning", 2, 2, 1, 1, heads, layers, seed=seed)
    x = sympy.ImmutableMatrix(4, 1, [Rational(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(4)])
    fx = exact_forward(net, x)
    for i in range(1, net.depth):
        for name, apply, _ in inv._generators(net, i):
            moved = apply(net)
            assert inv._same(net, moved, i), name
            values = {s: Rational(rng.choice([1, 2, 3, -1]), rng.randint(1, 2)) for s in moved.symbols}
            try:
                concrete = moved.subs(values)
            except (ZeroDivisionError, InputError):  # a singular draw of G or A: no group element
                continue
            if any(p.has(sympy.zoo, sympy.nan) for p in concrete.parameters()):
                continue
            assert exact_forward(concrete, x) == fx, name
        reader = inv._block(net, i)[-1]
        bumped = reader.to_Matrix()
        bumped[0, 0] += 1
        bumped = to_dm(sympy.ImmutableMatrix(bumped), reader.domain)
        if i == net.depth - 1:
            other = net.replace(readout=bumped)
        else:
            lys = list(net.layers)
            lys[i] = Layer(net.layers[i].heads, bumped)
            other = net.replace(layers=lys)
        if exact_forward(other, x) != fx:  # soundness: a change of f is never proved invariant
            assert not inv._same(net, other, i)
