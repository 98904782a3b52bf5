"""The theorem's construction on convolutional networks (issue 15, "done when"): the Z_6
example of docs/theory.md#72-circular-convolutions gives k(m) = a translation with k(m)^2 not the identity, verified as a
crossed homomorphism; a 2-D example under rotations of the grid and a multi-channel example
with signs work the same way; broken variants are refuted; identify, symmetries, explain and
draw on the same files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from symeq.architectures.conv.construction import element_maps, latent
from symeq.architectures.conv.equivariance import check
from symeq.architectures.conv.identifiability import identify
from symeq.architectures.conv.symmetry import symmetries
from symeq.architectures.conv.teaching import explain
from symeq.commands.common import load_inputs
from symeq.groups.permutation import finite_group
from symeq.architectures.base import Budget
from symeq.construction.homomorphism import _closure

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def load(name: str):
    net, group, _ = load_inputs(str(EXAMPLES / name))
    return net, group


def test_z6_translation_is_a_crossed_homomorphism_and_not_a_homomorphism() -> None:
    net, G = load("conv_z6.toml")
    r = latent(net, G)
    assert r.verdict == "holds" and r.homomorphism.holds and r.homomorphism.crossed
    assert r.stabilizer.trivial
    k = r.actions.generator("m")[0]
    assert k.perm == (0,) and k.shifts == ((5,),) and k.relations[0].b == 1  # a translation by -1
    assert (k @ k).shifts == ((4,),) and not (k @ k).is_identity()  # k(m)^2 != id = k(m^2)
    # the same pairs do NOT close up as an ordinary homomorphism (no structural action) ...
    K = net.latent_group(1)
    assert _closure(K, [(k, None)], finite_group(G), Budget(100)) == ("e", "m m")
    # ... but do with the grid action: k(m m) = (s(m)^-1 k(m) s(m)) k(m) = id
    maps = element_maps(net, G, r.actions)
    assert all(m.is_identity() for m in (maps[0][0],)) and maps[0][1] == k
    assert r.cocycle_examples() == ["layer 1: k(m) k(m) = channel 0 shifted by 4 is not the identity, yet "
                                    "k(m m) = (s(m)^-1 k(m) s(m)) k(m) = identity"]
    # rho_1(m) = s(m) o k(m) is the reflection p -> 1 - p: the filter's own symmetry
    s = r.structure[0]
    assert [str(v) for v in s.character] == ["6", "0"] and s.multiplicities == (3, 3)


def test_z6_certificate_states_the_actions_and_the_closure_hints() -> None:
    net, G = load("conv_z6.toml")
    cert = latent(net, G).certificate()
    assert cert["claim"] == {"kind": "latent_actions"}
    ev = cert["evidence"]
    assert ev["method"] == "crossed_homomorphism" and ev["order"] == 2
    assert ev["actions"]["m"][0] == {"kind": "channel", "perm": [0], "shifts": [[5]],
                                     "relations": [{"a": "1", "c": "0", "b": "1", "e": "0"}]}
    assert ev["closure"] == {"elements": ["", "m"], "right": [[1, 0]]}
    assert cert["group"] == {"generators": {"m": {"grid": {"matrix": [["5"]], "offset": ["0"]}}}}


def test_2d_rotation_carries_translations() -> None:
    net, G = load("conv_c4.toml")
    r = latent(net, G)
    assert r.verdict == "holds" and r.homomorphism.holds and r.homomorphism.crossed
    k = r.actions.generator("r")[0]
    assert k.perm == (0, 1) and k.shifts == ((0, 3), (0, 0))
    maps = element_maps(net, G, r.actions)[0]
    Gf = finite_group(G)
    r2 = Gf.evaluate_word("r r")
    assert not (k @ k).acts_equal(maps[r2]) and maps[r2].shifts[0] == (3, 3)
    assert maps[Gf.evaluate_word("r r r r")].is_identity()
    assert [o.type for o in r.structure[0].orbits] == ["self-translated", "fixed"]


def test_multichannel_signs_swaps_and_translations() -> None:
    net, G = load("conv_signs.toml")
    r = latent(net, G)
    assert r.verdict == "holds" and r.homomorphism.crossed and r.stabilizer.trivial
    k = r.actions.generator("m")[0]
    assert k.perm == (0, 1, 3, 2)
    assert [x.b for x in k.relations] == [1, -1, 1, 1]
    assert k.shifts == ((5,), (0,), (0,), (0,))
    assert [o.type for o in r.structure[0].orbits] == ["self-translated", "self-negated", "moved"]
    assert [str(v) for v in r.structure[0].character] == ["24", "-2"]


@pytest.mark.parametrize("name, generator", [("conv_z6_broken.toml", "m")])
def test_broken_variants_are_refuted(name: str, generator: str) -> None:
    net, G = load(name)
    c = check(net, G)
    assert c.verdict == "fails" and c.witness.generator == generator
    assert c.certificate()["claim"] == {"kind": "not_equivariant"}
    r = latent(net, G)
    assert r.verdict == "fails" and "output layer does not close" in r.summary


def test_broken_signs_and_rotation_are_refuted() -> None:
    for name, entry in (("conv_signs.toml", 0), ("conv_c4.toml", 3)):
        net, G = load(name)
        theta = list(net.parameters())
        theta[entry] = theta[entry] + 1
        bad = net.with_parameters(theta)
        r = check(bad, G, tries=100)
        assert r.verdict == "fails", (name, r.reason)


def test_identify_symmetries_explain_on_the_examples() -> None:
    net, G = load("conv_z6.toml")
    assert identify(net, local=False).verdict == "identifiable"
    s = symmetries(net)
    assert s.verdict == "holds" and s.dimension.rank == 14 and all(ok for _, ok in s.proofs)
    text = explain(net, G)
    assert "$\\rho_1(m)$ moves position p of channel 0 to channel 0, position -p + 1" in text
    assert "k(m m) = (s(m)^-1 k(m) s(m)) k(m) = identity" in text
    tex = explain(net, G, "latex")
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    signs, _ = load("conv_signs.toml")
    assert identify(signs, local=False).verdict == "identifiable"


def test_json_of_latent_is_plain_data() -> None:
    net, G = load("conv_c4.toml")
    d = latent(net, G).to_dict()
    assert json.loads(json.dumps(d))["crossed"] is True
    assert d["actions_described"]["r"] == ["channel 0 shifted by (0, 3)"]
    assert d["structural"]["r"] == "p -> [[0, -1], [1, 0]] p"


def test_cosets_of_a_nontrivial_stabilizer_are_searched() -> None:
    """A hidden channel with a 3-periodic filter on Z_6 is fixed by a translation: the
    stabilizer is nontrivial, and a crossed homomorphism is still found in the cosets."""
    from symeq.architectures.conv import from_dict, group_from_dict

    net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
                     "filters": [[[["1", "2", "0", "1", "2", "0"]]], [[["1", "0", "0", "1", "0", "0"]]]],
                     "biases": [["0"], ["0"]]})
    G = group_from_dict({"generators": {"t": {"grid": {"offset": ["1"]}}}}, net)
    r = latent(net, G)
    assert r.stabilizer.status == "nontrivial" and r.stabilizer.order == 2
    assert r.verdict == "holds" and r.homomorphism.holds
    assert sympy.Integer(r.homomorphism.order) == 6


def test_a_restricted_support_keeps_only_its_periods() -> None:
    from symeq.architectures.conv import from_dict, group_from_dict

    base = {"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
            "biases": [["0"], ["0"]]}
    reflection = {"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}
    periodic = from_dict(dict(base, support=[[0], [3]], filters=[[[["1", "2"]]], [[["3", "1"]]]]))
    assert periodic.periods == ((0,), (3,)) and periodic.latent_group(1).translations == ((0,), (3,))
    assert latent(periodic, group_from_dict(reflection, periodic)).verdict == "holds"
    # symmetric about -1/2 on the support {-1, 0, 1}: theta^m is theta translated by 1, which is
    # no period of the support, so no element of K_1 relates them although f is equivariant
    net = from_dict(dict(base, support=[[5], [0], [1]], filters=[[[["1", "1", "0"]]], [[["0", "3", "3"]]]]))
    G = group_from_dict(reflection, net)
    r = latent(net, G)
    assert r.verdict == "unknown" and "f is G-equivariant (lowered) but no layerwise action exists" in r.summary
    assert check(net, G).verdict == "holds"


def test_the_identity_activation_without_full_row_rank_is_unknown_with_the_reason_and_check_decides() -> None:
    # W_1 = the circulant of (1, 1, 0, 2, 2, 0) is singular (its sum over the even and the odd
    # positions are equal, so frequency 3 vanishes): k_1 is not forced, latent says so instead of
    # bad input, and reports check's verdict, which the lowered MLP decides (tests/test_conv_affine.py
    # has the forced case)
    import symeq
    from symeq.activations import activation

    for name, verdict, code in (("conv_z6.toml", "unknown", 3), ("conv_z6_broken.toml", "fails", 1)):
        net, G = load(name)
        linear = type(net)(activation("identity"), net.grid, list(net.layers))
        r = symeq.latent(linear, G)
        assert (r.verdict, r.exit_code) == (verdict, code)
        assert "k_1 is forced only when W_1 (lowered, 6 rows) has full row rank, and it does not" in r.summary
        assert r.check.verdict == ("holds" if verdict == "unknown" else "fails")
    assert r.certificate()["claim"] == {"kind": "not_equivariant"}
