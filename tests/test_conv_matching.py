"""The channel matcher and the latent groups K_i of convolutional networks: k . theta computes
the same function (the MLP's K_i acting on the lowered network), solve_layer finds every k that
relates theta and k . theta, the two exact backends agree, and networks built equivariant get
crossed homomorphisms while perturbed ones are refuted."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conv_strategies import GRIDS, SIGNED, UNSIGNED, conv_cases, random_k, random_net
from symeq.architectures.base import Budget
from symeq.architectures.conv.equivariance import check, certify_point
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.conv.latent_group import IDENTITY, ChannelGroup, ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet
from symeq.architectures.mlp.latent_group import act as mlp_act
from symeq.activations import Relation, activation
from symeq.construction.construct import construct, layerwise_solutions
from symeq.construction.homomorphism import check_homomorphism
from symeq.construction.stabilizer import stabilizer

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEG = Relation(sympy.Integer(-1), sympy.Integer(0), sympy.Integer(-1), sympy.Integer(0))


def _random(seed: int, act: str, shape: tuple, dense: int) -> ConvNet:
    rng = random.Random(seed)
    chans = [rng.randint(1, 2), rng.randint(1, 3)] + ([] if dense else [rng.randint(1, 2)])
    return random_net(rng, act, Grid(shape), chans, dense=dense)


# -- the group K_i ---------------------------------------------------------------------------------


def test_channel_maps_compose_invert_and_conjugate() -> None:
    g = Grid((6,))
    a = ChannelMap.make(g, (1, 0), (IDENTITY, NEG), ((1,), (2,)))
    b = ChannelMap.make(g, (0, 1), (NEG, IDENTITY), ((3,), (0,)))
    assert (a @ a.inverse()).is_identity() and (a.inverse() @ a).is_identity()
    ab = a @ b
    assert ab.perm == (1, 0) and ab.shifts == ((4,), (2,))
    assert ab.relations[0].b == -1 and ab.relations[1].b == -1
    v = np.arange(12).reshape(2, 6)
    assert (ab.apply_array(v) == a.apply_array(b.apply_array(v))).all()
    m = GridMap.make(g, [[-1]], [3])
    K = ChannelGroup(activation("tanh"), 2, g)
    conj = K.conjugate(m, a)
    assert conj.shifts == ((5,), (4,)) and conj.perm == a.perm
    M, _ = a.on_space()
    assert M * sympy.ImmutableMatrix(list(v.reshape(-1))) == sympy.ImmutableMatrix(list(a.apply_array(v).reshape(-1)))
    assert K.order == (2 * 6) ** 2 * 2 and K.dimension == 0


def test_channel_map_evidence_is_strict() -> None:
    g = Grid((4,))
    K = ChannelGroup(activation("tanh"), 1, g)
    k = ChannelMap.make(g, (0,), (NEG,), ((1,),))
    assert K.from_evidence(k.to_dict()) == k
    bad = dict(k.to_dict(), relations=[{"a": "2", "c": "0", "b": "2", "e": "0"}])
    with pytest.raises(Exception, match="not an element of K_i"):
        K.from_evidence(bad)
    with pytest.raises(Exception, match="exactly the keys"):
        K.from_evidence(dict(k.to_dict(), extra=1))
    restricted = ChannelGroup(activation("tanh"), 1, g, periods=((0,), (2,)))
    with pytest.raises(Exception, match="not an element of K_i"):
        restricted.from_evidence(k.to_dict())


# -- act and solve_layer ---------------------------------------------------------------------------


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.sampled_from(SIGNED + UNSIGNED), st.integers(0, 1))
@SETTINGS
def test_act_is_the_mlp_action_on_the_lowered_network(seed: int, grid: tuple, act: str, dense: int) -> None:
    net = _random(seed, act, grid[0], dense)
    ks = random_k(random.Random(seed + 1), net)
    expected = net.to_mlp()
    for i, k in enumerate(ks, start=1):
        expected = mlp_act(expected, i, k.lowered())
    got = net.act(ks).to_mlp()
    for a, b in zip(expected.weights + expected.biases, got.weights + got.biases):
        assert (a - b).applyfunc(sympy.simplify).is_zero_matrix


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.sampled_from(SIGNED + UNSIGNED), st.integers(0, 1))
@SETTINGS
def test_solve_layer_finds_the_element_relating_theta_and_k_theta(seed: int, grid: tuple, act: str, dense: int) -> None:
    net = _random(seed, act, grid[0], dense)
    assume(not net.free_scales())  # zero channels under relu / z^m: only scale 1 is listed
    ks = random_k(random.Random(seed + 1), net)
    moved = net.act(ks)
    sols = list(layerwise_solutions(net, moved, Budget(20_000)))
    assert any(all(a.acts_equal(b) for a, b in zip(s, ks)) for s in sols)
    # every solution relates the two layer by layer: it moves theta onto the other parameter
    for s in sols[:4]:
        assert net.act(s) == moved or all(
            (a - b).applyfunc(sympy.simplify).is_zero_matrix
            for a, b in zip(net.act(s).to_mlp().weights, moved.to_mlp().weights))


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.sampled_from(("tanh", "relu", "power:3", "sigmoid")))
@SETTINGS
def test_int_and_exact_backends_find_the_same_elements(seed: int, grid: tuple, act: str) -> None:
    rng = random.Random(seed)
    shape = grid[0]
    net = random_net(rng, act, Grid(shape), [1, 3, 1], magnitude=1, density=0.5)  # duplicates are likely
    ks = random_k(rng, net)
    other = net.act(ks)
    exact = ConvNet(net.activation, net.grid, [L.as_exact() for L in net.layers], readout=net.readout)
    exact_other = ConvNet(net.activation, net.grid, [L.as_exact() for L in other.layers], readout=net.readout)
    a = list(layerwise_solutions(net, other, Budget(50_000)))
    b = list(layerwise_solutions(exact, exact_other, Budget(50_000)))
    assert len(a) == len(b)
    assert len(a) >= 1 or net.free_scales()  # zero channels under relu / z^m: only scale 1 is listed
    for s in a:
        assert any(all(x.acts_equal(y) for x, y in zip(s, t)) for t in b)


def test_symbolic_filters_match_as_polynomial_identities() -> None:
    w = sympy.Symbol("w", real=True)
    layers = [Layer.from_values(np.array([[[w, 1, 0, 2]], [[0, 2, w, 1]]], dtype=object), np.array([0, 0], dtype=object)),
              Layer.from_values(np.array([[[1, 0, 0, 0], [0, 1, 0, 0]]], dtype=object), np.array([0], dtype=object))]
    net = ConvNet(activation("tanh"), Grid((4,)), layers)
    assert net.symbols == {w}
    k = ChannelMap.make(net.grid, (1, 0), (NEG, IDENTITY), ((1,), (3,)))
    sols = list(layerwise_solutions(net, net.act([k]), Budget()))
    assert len(sols) == 1 and sols[0][0] == k


# -- equivariant networks and broken ones ------------------------------------------------------------


@given(conv_cases(equivariant=True))
@SETTINGS
def test_networks_built_equivariant_have_crossed_homomorphisms(case) -> None:
    net, G = case.net, case.group
    c = construct(net, G)
    assert c.found, c.reason
    st_ = stabilizer(net)
    h = check_homomorphism(net, G, c.actions)
    if st_.trivial:
        assert h.holds and h.crossed
    r = check(net, G, tries=0)
    assert r.verdict == "holds" and r.method == "layerwise"


@given(conv_cases(equivariant=True, activations=("tanh", "power:3", "relu")), st.integers(0, 2**32 - 1))
@SETTINGS
def test_perturbed_networks_are_refuted_or_still_proved(case, seed: int) -> None:
    """Change one filter entry: check either proves equivariance layerwise (the entry's change
    kept it) or refutes it with a witness that an independent recomputation confirms."""
    rng = random.Random(seed)
    net, G = case.net, case.group
    theta = list(net.parameters())
    k = rng.randrange(len(theta))
    theta[k] = theta[k] + rng.choice([1, -1, 2])
    bad = net.with_parameters(theta)
    r = check(bad, G, tries=60, seed=seed)
    if r.verdict == "holds":
        assert r.method in ("layerwise", "lowered")
    elif r.verdict == "fails":
        w = r.witness
        again = certify_point(bad, G, w.generator, w.x)
        assert again is not None and again.coordinate == w.coordinate
        assert certify_point(net, G, w.generator, w.x) is None  # the original is equivariant there
