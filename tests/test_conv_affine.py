"""The identity activation on convolutional networks (issue 15, "every activation of the MLP
catalog"): K_i = GL_C(R[P]) x| R^C, the invertible matrices of convolutions with a shift per
channel (symeq/architectures/conv/affine.py).  The forced k_i(g) of docs/examples/conv_affine.toml
exactly, its certificate through the kernel, tampered certificates rejected, broken networks
refuted, an honest unknown without full row rank, and a property: networks built layerwise
equivariant verify, perturbed ones are refuted."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symeq.architectures.conv import from_dict, group_from_dict
from symeq.architectures.conv.affine import AffineConvGroup, ConvAffineMap
from symeq.architectures.conv.construction import latent
from symeq.architectures.conv.equivariance import check
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.conv.symmetry import symmetries
from symeq.architectures.conv.teaching import explain
from symeq.certify.verify import verify_certificate
from symeq.commands.common import load_inputs
from symeq.errors import InputError

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
MIRROR = {"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}
Z4 = Grid((4,))
M4 = GridMap.make(Z4, [[-1]], [0])


def _strings(fs: Any) -> list:
    return [[[str(x) for x in f] for f in row] for row in fs]


def _net(layer1: Any, layer2: Any, biases: Any, **extra: Any) -> Any:
    channels = [len(layer1[0]), len(layer1), len(layer2)]
    return from_dict({"architecture": "conv", "activation": "identity", "grid": [4], "channels": channels,
                      "filters": [_strings(layer1), _strings(layer2)], "biases": [[str(b) for b in bs] for bs in biases],
                      **extra})


def test_the_example_gives_the_exact_affine_map_a_crossed_homomorphism_and_a_certificate() -> None:
    net, G, _ = load_inputs(str(EXAMPLES / "conv_affine.toml"))
    r = latent(net, G)
    assert (r.verdict, r.exit_code) == ("holds", 0)
    assert r.homomorphism.holds and r.homomorphism.crossed and r.stabilizer.trivial
    k = r.actions.generator("m")[0]
    assert k.filters == (((1, 0, 0, 0), (0, 1, 0, -1)), ((0, 0, 0, 0), (1, 0, 0, 0))) and k.shift == (0, 0)
    # k_1(m) = A^m A^-1 with A layer 1's filters and A^m = s A s^-1 (the filters mirrored)
    A = ConvAffineMap.make(Z4, net.layers[0].values()[0].tolist(), [0, 0])
    assert k == A.conjugated(M4) @ A.inverse()
    # a crossed homomorphism, not a homomorphism: k(m) k(m) != id = (s^-1 k(m) s) k(m)
    assert (k @ k).filters[0][1] == (0, 2, 0, -2) and not (k @ k).is_identity()
    assert (k.conjugated(M4.inverse()) @ k).is_identity()
    assert r.cocycle_examples()[0].startswith("layer 1: k(m) k(m) = a_00 = (1 0 0 0); a_01 = (0 2 0 -2)")
    assert [s.character for s in r.structure] == [(8, 4)]
    cert = r.certificate()
    assert cert["evidence"]["actions"]["m"][0] == {
        "kind": "conv_affine", "filters": [[["1", "0", "0", "0"], ["0", "1", "0", "-1"]], [["0"] * 4, ["1", "0", "0", "0"]]],
        "shift": ["0", "0"], "inverse": [[["1", "0", "0", "0"], ["0", "-1", "0", "1"]], [["0"] * 4, ["1", "0", "0", "0"]]]}
    v = verify_certificate(cert)
    assert v.ok and "crossed homomorphism" in v.claim, v.reason
    assert r.to_dict()["actions_described"]["m"] == ["a_00 = (1 0 0 0); a_01 = (0 1 0 -1); a_11 = (1 0 0 0)"]
    # k . theta: the same function; theta^m itself is k_1(m) . theta
    assert net.act([k]) == net.twist(G, "m") and net.act([k]).forward(list(sympy.symbols("x:8"))) == \
        net.forward(list(sympy.symbols("x:8")))
    # the other verbs read the same file
    assert check(net, G).verdict == "holds" and check(net, G).certificate() is not None
    assert "forced affine maps" in explain(net, G)
    sym = symmetries(net)
    # 36 parameters, an 18-dimensional K-orbit (its tangents: E W_1, -W_2 E and the shifts), rank 18
    assert sym.groups[0].dimension == 18 and sym.dimension.rank == 18 and sym.to_dict()["hidden_symmetries"] == 0


def _tamper(path: list, value: Any) -> Any:
    def edit(c: dict) -> None:
        x = c
        for key in path[:-1]:
            x = x[key]
        x[path[-1]] = value
    return edit


ACTION = ["evidence", "actions", "m", 0]


@pytest.mark.parametrize("edit, reason", [
    (_tamper(ACTION + ["filters", 0, 1, 1], "2"), "the stated inverse of the affine channel map is not its inverse"),
    (_tamper(ACTION + ["shift", 0], "1"), "theta^g o k_0 is not k_1 o theta"),
    (_tamper(ACTION + ["inverse", 0, 1, 1], "1"), "the stated inverse of the affine channel map is not its inverse"),
    (_tamper(ACTION + ["filters"], [[["1", "0", "0", "0"]]]), "C x C filters of |grid| values"),
    (_tamper(ACTION + ["kind"], "channel"), "unexpected key(s): filters, inverse, shift"),
    (_tamper(ACTION, {"kind": "affine", "matrix": [["1"]], "shift": ["0"]}), "is a conv_affine map, not affine"),
    # the affine layer equation says nothing for another activation: relu's check fails on this network
    (_tamper(["network", "activation"], "relu"), "a latent map of relu is a channel map, not conv_affine"),
    (_tamper(["network", "activation"], "tanh"), "a latent map of tanh is a channel map, not conv_affine"),
    (_tamper(ACTION, {"kind": "channel", "perm": [0, 1], "relations": [{"a": "1", "c": "0", "b": "1", "e": "0"}] * 2,
                      "shifts": [[0], [0]]}), "a latent map of identity is a conv_affine map, not channel"),
])
def test_tampered_affine_certificates_are_rejected(edit: Any, reason: str) -> None:
    net, G, _ = load_inputs(str(EXAMPLES / "conv_affine.toml"))
    cert = latent(net, G).certificate()
    bad = copy.deepcopy(cert)
    edit(bad)
    v = verify_certificate(bad)
    assert not v.ok and reason in v.reason, v.reason


def test_a_consistent_but_wrong_pair_fails_the_layer_equation() -> None:
    # A = I + 2 (delta_1 on a_01) with its true inverse: invertible, but not k_1(m)
    net, G, _ = load_inputs(str(EXAMPLES / "conv_affine.toml"))
    cert = latent(net, G).certificate()
    wrong = ConvAffineMap.make(Z4, [[[1, 0, 0, 0], [0, 2, 0, 0]], [[0] * 4, [1, 0, 0, 0]]], [0, 0]).to_dict()
    cert["evidence"]["actions"]["m"][0] = wrong
    v = verify_certificate(cert)
    assert not v.ok and "is not k_1 o theta (filters A W_1, bias A b_1 + t)" in v.reason


def test_a_broken_variant_is_refuted_with_a_verified_witness() -> None:
    net, G, _ = load_inputs(str(EXAMPLES / "conv_affine.toml"))
    w1, _ = net.layers[0].values()
    w2, _ = net.layers[1].values()
    layer2 = w2.tolist()
    layer2[0][1] = [0, 0, 1, 0]  # was (0, 0, 1, -1)
    broken = _net(w1.tolist(), layer2, [[1, 0], [0, 1]])
    r = latent(broken, group_from_dict(MIRROR, broken))
    assert (r.verdict, r.exit_code) == ("fails", 1)
    assert "the output layer does not close under the forced affine actions" in r.summary
    cert = r.certificate()
    assert cert["claim"] == {"kind": "not_equivariant"} and verify_certificate(cert).ok


def test_without_full_row_rank_latent_is_unknown_with_the_reason_and_check_decides() -> None:
    # channels 1 -> 2: W_1 has 8 rows and rank <= 4, so k_1 is not forced
    net = _net([[[1, 1, 0, 1]], [[2, 0, 1, 0]]], [[[1, 0, 0, 0], [3, 1, 0, 1]]], [[0, 1], [2]])
    G = group_from_dict(MIRROR, net)
    r = latent(net, G)
    assert (r.verdict, r.exit_code) == ("unknown", 3)
    assert ("k_1 is forced only when W_1 (lowered, 8 rows) has full row rank, and it does not" in r.summary
            and "equivariance: holds (lowered)" in r.summary)
    assert check(net, G).verdict == "holds"


def test_a_dense_readout_closes_through_the_kernel() -> None:
    # f(x) = V A^-1 (A x + b) with V's rows mirror invariant over (channel, position): invariant
    A = ConvAffineMap.make(Z4, [[[0, 1, 0, 0], [1, 0, 0, 1]], [[0, 0, 1, 0], [1, 1, 0, 1]]], [0, 0])
    Mi, _ = A.inverse().on_space()
    V = sympy.Matrix([[1, 2, 3, 2, 0, 1, 0, 1]]) * Mi
    net = from_dict({"architecture": "conv", "activation": "identity", "grid": [4], "channels": [2, 2],
                     "filters": [_strings(A.filters)], "biases": [["1", "-1"]],
                     "readout": {"weights": [[str(x) for x in V]], "bias": ["0"]}})
    G = group_from_dict(MIRROR, net)
    r = latent(net, G)
    assert r.verdict == "holds" and r.actions.generator("m")[0] == A.conjugated(M4) @ A.inverse()
    v = verify_certificate(r.certificate())
    assert v.ok, v.reason


def test_a_matrix_on_input_channels_gives_a_nonzero_shift() -> None:
    # m mirrors the grid and swaps the two input channels; layer 2 is U A^-1 with U = [[u, u^m], [v, v^m]],
    # so U^m R_in = U and f is equivariant; k_1(m) = (A^m R_in) A^-1 and t = b_1 - A_1 b_1 != 0
    A = ConvAffineMap.make(Z4, [[[0, 1, 0, 0], [1, 0, 0, 1]], [[0, 0, 1, 0], [1, 1, 0, 1]]], [0, 0])
    U = ConvAffineMap.make(Z4, [[[1, 2, 0, 0], [1, 0, 0, 2]], [[0, 1, 3, 0], [0, 0, 3, 1]]], [0, 0])
    net = _net(A.filters, (U @ A.inverse()).filters, [[1, 2], [0, 0]])
    G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}, "input": [["0", "1"], ["1", "0"]]}}}, net)
    r = latent(net, G)
    k = r.actions.generator("m")[0]
    assert r.verdict == "holds" and k.shift == (2, 4)
    assert k.filters == (((2, 1, 1, 1), (-1, -1, 0, -1)), ((2, 2, 2, 2), (-2, -1, -1, -1)))
    v = verify_certificate(r.certificate())
    assert v.ok, v.reason
    cert = r.certificate()
    cert["evidence"]["actions"]["m"][0]["shift"] = ["2", "3"]
    assert "bias A b_1 + t" in verify_certificate(cert).reason


def test_a_forced_map_outside_the_periods_of_the_support_is_no_element_of_k() -> None:
    # S = {-1, 0, 1} on Z_4 has the periods {0}; layer 1 the translation delta_1, layer 2 delta_-1:
    # f = id is equivariant, but k_1(m) = delta_-1 * delta_-1 is the translation by 2, which leaves S
    net = from_dict({"architecture": "conv", "activation": "identity", "grid": [4], "channels": [1, 1, 1],
                     "support": [[0], [1], [3]], "filters": [[[["0", "1", "0"]]], [[["0", "0", "1"]]]],
                     "biases": [["0"], ["0"]]})
    G = group_from_dict(MIRROR, net)
    r = latent(net, G)
    assert (r.verdict, r.exit_code) == ("unknown", 3) and net.latent_group(1).allowed == {0}
    assert "the forced k_1(m) has a filter entry at offset 2, no period of the support, so it is not in K_1" in r.summary
    assert check(net, G).verdict == "holds"


def test_a_rotation_of_a_2d_grid() -> None:
    # on Z_3 x Z_3 under the rotation r: layer 1 A = delta_0 + delta_(0,1), layer 2 A^-1: f = id
    grid = Grid((3, 3))
    rot = GridMap.make(grid, [[0, -1], [1, 0]], [0, 0])
    A = ConvAffineMap.make(grid, [[[1, 1] + [0] * 7]], [0])
    net = from_dict({"architecture": "conv", "activation": "identity", "grid": [3, 3], "channels": [1, 1, 1],
                     "filters": [_strings(A.filters), _strings(A.inverse().filters)], "biases": [["1"], ["0"]]})
    G = group_from_dict({"generators": {"r": {"grid": {"matrix": [["0", "-1"], ["1", "0"]]}}}}, net)
    r = latent(net, G)
    k = r.actions.generator("r")[0]
    # theta^r reads A through r: its layer 1 is s^-1 A s, so k_1(r) = (s^-1 A s) A^-1
    assert r.verdict == "holds" and r.homomorphism.crossed and k == A.conjugated(rot.inverse()) @ A.inverse()
    # the crossed law gives k(r r) = (s^-1 k(r) s) k(r) = s^-2 A s^2 A^-1, not k(r) k(r)
    square = A.conjugated((rot @ rot).inverse()) @ A.inverse()
    assert k.conjugated(rot.inverse()) @ k == square and k @ k != square
    v = verify_certificate(r.certificate())
    assert v.ok and "|G| = 4" in v.claim, v.reason


def test_the_group_and_its_elements() -> None:
    k = ConvAffineMap.make(Z4, [[["1", "1", "1", "0"]]], ["2"])
    third = sympy.Rational(1, 3)
    assert k.inverse().filters == (((third, -2 * third, third, third),),) and k.inverse().shift == (-2 * third,)
    assert (k @ k.inverse()).is_identity() and (k.inverse() @ k).is_identity()
    assert k.conjugated(M4).filters == (((1, 0, 1, 1),),)
    with pytest.raises(InputError, match="not invertible"):
        ConvAffineMap.make(Z4, [[["1", "1", "1", "1"]]], ["0"]).inverse()  # zero at frequency 2
    K = AffineConvGroup(1, Z4, ((0,), (2,)))  # the support {0, 2} has periods {0, 2}
    assert K.dimension == 3 and not K.contains(k)
    assert K.contains(ConvAffineMap.make(Z4, [[["1", "0", "2", "0"]]], ["5"]))
    with pytest.raises(InputError, match="no period of the support"):
        K.from_evidence(k.to_dict())
    # s o k's trace: s = p -> -p, a = delta_0 + delta_1 + delta_2: a(s^-1 p - p) = a(-2p) is 1 at p = 0, 1, 2, 3
    assert k.trace_with(M4) == 4 and k.trace() == 4
    assert k.trace_with(GridMap.make(Z4, [[1]], [1])) == 0  # s = p -> p + 1: a(s^-1 p - p) = a(-1) = a(3) = 0


# -- the property: built layerwise equivariant, verified; perturbed, refuted -----------------------

FILTER = st.lists(st.integers(-2, 2), min_size=4, max_size=4)


def _symmetric(f: list[int]) -> list[int]:
    return [f[0], f[1], f[2], f[1]]  # u(-q) = u(q) on Z_4


@st.composite
def equivariant_networks(draw: Any) -> tuple[Any, ConvAffineMap]:
    """Layer 1 an invertible A = (I + N) P with N strictly upper triangular (integer filters) and P a
    diagonal of translations; layer 2 U A^-1 with U's filters mirror symmetric: f(x) = U x + const."""
    n = draw(FILTER)
    t0, t1 = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    delta = lambda t: [int(q == t) for q in range(4)]  # noqa: E731
    upper = ConvAffineMap.make(Z4, [[delta(0), n], [[0] * 4, delta(0)]], [0, 0])
    lower_n = draw(FILTER)
    lower = ConvAffineMap.make(Z4, [[delta(0), [0] * 4], [lower_n, delta(0)]], [0, 0])
    A = upper @ lower @ ConvAffineMap.make(Z4, [[delta(t0), [0] * 4], [[0] * 4, delta(t1)]], [0, 0])
    U = ConvAffineMap.make(Z4, [[_symmetric(draw(FILTER)) for _ in range(2)] for _ in range(2)], [0, 0])
    assume(U.on_space()[0].rank() == 8)  # full row rank of layer 2 is not needed, but keep U generic
    W2 = U @ A.inverse()
    biases = [[draw(st.integers(-3, 3)) for _ in range(2)] for _ in range(2)]
    return _net(A.filters, W2.filters, biases), A


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equivariant_networks(), st.integers(0, 1), st.integers(0, 1), st.integers(0, 3), st.integers(1, 2))
def test_networks_built_equivariant_verify_and_perturbed_ones_are_refuted(
        built: tuple[Any, ConvAffineMap], c: int, c2: int, q: int, bump: int) -> None:
    net, A = built
    G = group_from_dict(MIRROR, net)
    r = latent(net, G, structure=False)
    assert r.verdict == "holds" and r.actions.generator("m")[0] == A.conjugated(M4) @ A.inverse()
    v = verify_certificate(r.certificate())
    assert v.ok, v.reason
    # perturb one filter entry of layer 2: the end-to-end filters W_2' A are no longer mirror
    # symmetric unless the bump happens to be (then equivariance still holds: skip)
    w2 = [[list(f) for f in row] for row in net.layers[1].values()[0].tolist()]
    w2[c][c2][q] += bump
    end = ConvAffineMap.make(Z4, w2, [0, 0]) @ A
    assume(any(f[1] != f[3] for row in end.filters for f in row))
    broken = _net(A.filters, w2, [[int(b) for b in net.layers[i].values()[1]] for i in range(2)])
    rb = latent(broken, group_from_dict(MIRROR, broken), structure=False)
    assert (rb.verdict, rb.exit_code) == ("fails", 1)
    assert verify_certificate(rb.certificate()).ok


def test_identifiability_transfers_from_the_lowered_mlp_by_lemma_c3() -> None:
    """Every layer a convolution on the whole grid: the lowered MLP's rank criterion gives a unique
    affine k, which commutes with the translations (lemma C3); the certificate says it relied on C3."""
    from symeq.architectures.conv import identify

    net, _, _ = load_inputs(str(EXAMPLES / "conv_affine.toml"))
    r = identify(net, local=False)
    assert r.verdict == "identifiable" and "lemma C3" in r.criterion.reference
    v = verify_certificate(r.certificate())
    assert v.ok, v.reason
    assert any(x.startswith("lemma C3") for x in v.relies)
    # the kernel refuses C3 for a network it does not cover: the same evidence with a stated support
    cert = copy.deepcopy(r.certificate())
    cert["network"]["support"] = [0, 1, 2, 3]
    assert not verify_certificate(cert).ok


def test_identifiability_without_lemma_c3_is_unknown_with_the_reason() -> None:
    from symeq.architectures.conv import identify

    # channels 1 -> 2: the lowered W_1 has rank < 8, so the rank criterion fails on the lowered MLP
    thin = _net([[[1, 1, 0, 1]], [[2, 0, 1, 0]]], [[[1, 0, 0, 0], [3, 1, 0, 1]]], [[0, 1], [2]])
    assert identify(thin, local=False).verdict != "identifiable"
    # a dense readout is not fixed by the translations: C3 does not apply
    dense = from_dict({"architecture": "conv", "activation": "identity", "grid": [4], "channels": [1, 1],
                       "filters": [[[["1", "2", "0", "0"]]]], "biases": [["1"]],
                       "readout": {"weights": [["1", "0", "2", "1"]], "bias": ["0"]}})
    r = identify(dense, local=False)
    assert r.verdict == "unknown" and "lemma C3" in r.criterion.criterion


def test_more_hidden_channels_than_the_rank_is_unknown_before_any_lowered_witness() -> None:
    """Channels 2-4-2 on Z_4 x Z_4: the lowered 32-64-32 MLP fails the rank criterion, so C3 does
    not apply and identify answers unknown with that reason (it used to search the lowered MLP's
    witness with dense sympy linear algebra: minutes on an 8 x 8 grid)."""
    from symeq.architectures.conv import identify

    rng = random.Random(3)
    filt = lambda: [str(rng.randint(-2, 2)) for _ in range(16)]  # noqa: E731
    net = from_dict({"architecture": "conv", "activation": "identity", "grid": [4, 4], "channels": [2, 4, 2],
                     "filters": [[[filt(), filt()] for _ in range(4)], [[filt() for _ in range(4)] for _ in range(2)]],
                     "biases": [["1", "0", "-1", "2"], ["0", "1"]]})
    r = identify(net, local=False)
    assert r.verdict == "unknown"
    assert "the lowered 32-64-32 MLP fails rank criterion (linear networks), so lemma C3 does not apply" in r.basis


def test_a_lowered_jacobian_past_its_budget_is_unknown_not_gigabytes() -> None:
    """Channels 2-4-2 on an 8 x 8 grid lower to a 128-256-128 MLP of 65,920 parameters: its dense
    Jacobian (23 GB before) is not built; symmetries says unknown (budget) for the dimension."""
    rng = random.Random(5)
    filt = lambda: [str(rng.randint(-2, 2)) for _ in range(64)]  # noqa: E731
    net = from_dict({"architecture": "conv", "activation": "identity", "grid": [8, 8], "channels": [2, 4, 2],
                     "filters": [[[filt(), filt()] for _ in range(4)], [[filt() for _ in range(4)] for _ in range(2)]],
                     "biases": [["1", "0", "-1", "2"], ["0", "1"]]})
    r = symmetries(net)
    assert r.dimension is None
    assert ("functional dimension: unknown (budget): the lowered MLP has 65920 parameters, more than 16384 "
            "for its dense Jacobian") in r.notes
