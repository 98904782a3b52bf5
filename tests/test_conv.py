"""Convolutional networks: grids and grid maps, the file tables, exact evaluation against the
lowered MLP, the group on signals, and theta^g (the generalized adjunction)."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Rational

from conv_strategies import GRIDS, random_net
from symeq.architectures import network_from_dict
from symeq.architectures.conv import ConvNet, from_dict, group_from_dict, group_from_spec
from symeq.architectures.conv.equivariance import act_input, act_output
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.errors import InputError

Z6 = {"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
      "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
      "biases": [["0"], ["0"]]}
REFLECTION = {"generators": {"m": {"grid": {"matrix": [["-1"]], "offset": ["0"]}}}}

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- grids ------------------------------------------------------------------------------------


def test_grid_maps_compose_invert_and_order() -> None:
    g = Grid((4, 4))
    r = GridMap.make(g, [[0, -1], [1, 0]], [1, 0])  # rotation about (1/2, 1/2)
    assert r.apply((0, 0)) == (1, 0) and r.apply((1, 0)) == (1, 1)
    assert (r @ r.inverse()).is_identity() and (r.inverse() @ r).is_identity()
    assert r.order() == 4 and not r.is_translation()
    assert (r @ r).apply((0, 0)) == (1, 1)
    t = GridMap.translation(g, (1, 2))
    assert t.is_translation() and t.order() == 4


def test_grid_map_errors() -> None:
    with pytest.raises(InputError, match="not well defined on Z_4 x Z_6"):
        GridMap.make(Grid((4, 6)), [[0, 1], [1, 0]], [0, 0])
    with pytest.raises(InputError, match="is not a bijection"):
        GridMap.make(Grid((6,)), [[2]], [0])
    with pytest.raises(InputError, match="needs a 1 x 1 matrix"):
        GridMap.make(Grid((6,)), [[1, 0]], [0])
    with pytest.raises(InputError, match="at most 4096"):
        Grid((100, 100))


def test_signal_action_and_filter_pull_are_inverse_conventions() -> None:
    g = Grid((5,))
    m = GridMap.make(g, [[-1]], [2])
    x = np.arange(5)
    y = m.on_signal(x)  # y(p) = x(m^{-1} p)
    assert [int(y[m.permutation[p]]) for p in range(5)] == list(range(5))
    w = np.array([10, 11, 12, 13, 14])
    assert m.pull_offsets(w).tolist() == [10, 14, 13, 12, 11]  # w(-q)


# -- files --------------------------------------------------------------------------------------


def test_round_trip_and_registry() -> None:
    net = network_from_dict(Z6)
    assert isinstance(net, ConvNet) and net.spaces() == (6, 6, 6) and net.n_params == 14
    assert from_dict(net.to_dict()) == net
    dense = dict(Z6, channels=[1, 1], filters=Z6["filters"][:1], biases=Z6["biases"][:1],
                 readout={"weights": [["1", "0", "0", "0", "0", "-1"], ["0", "1", "0", "0", "1", "0"]],
                          "bias": ["0", "1/2"]})
    d = from_dict(dense)
    assert d.readout == "dense" and d.spaces() == (6, 6, 2) and from_dict(d.to_dict()) == d


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.sampled_from(["tanh", "relu", "power:2"]),
       st.integers(0, 2))
@SETTINGS
def test_round_trip_random(seed: int, grid: tuple, act: str, dense: int) -> None:
    rng = random.Random(seed)
    chans = [rng.randint(1, 2), rng.randint(1, 3)] + ([] if dense else [rng.randint(1, 2)])
    net = random_net(rng, act, Grid(grid[0]), chans, dense=dense)
    assert from_dict(net.to_dict()) == net
    assert net.with_parameters(net.parameters()) == net


@pytest.mark.parametrize("over, message", [
    ({"grid": [0]}, "grid must be [n] or [n1, n2] with positive integers"),
    ({"grid": [2, 2, 2]}, "grid must be [n] or [n1, n2] with positive integers"),
    ({"channels": [1, 1]}, "[network] channels must list 3 numbers (C_0..C_L) for 2 convolutional layer(s)"),
    ({"channels": [1, 0, 1]}, "[network] channels must be integers from 1 to 256"),
    ({"filters": [[[["1", "1", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]]},
     "filter 0 -> 0 of layer 1 has 3 values, expected 6 (the grid)"),
    ({"biases": [["0", "1"], ["0"]]}, "biases of layer 1 has length 2, expected 1"),
    ({"activation": "tan"}, "unknown activation 'tan'"),
    ({"weights": []}, "[network] has unknown key(s): weights"),
    ({"filters": [[[["1", "1", "0", "2", "2", "0.5x"]]], [[["3", "0", "1", "1", "0", "3"]]]]},
     "cannot parse number '0.5x'"),
    ({"support": [[0], [1]]}, "layer 1: the filter from channel 0 to channel 0 is nonzero at offset 3, outside the support"),
    ({"support": [[0], [0]]}, "[network] support lists an offset twice"),
    ({"readout": {"weights": [["1"]]}}, "readout weights have 1 columns, expected 6"),
])
def test_bad_tables(over: dict, message: str) -> None:
    with pytest.raises(InputError) as err:
        from_dict({**Z6, **over})
    assert message in str(err.value)


def test_float_entries_are_refused() -> None:
    with pytest.raises(InputError, match="is a float"):
        from_dict(dict(Z6, biases=[[0.5], ["0"]]))


def test_support_values_in_support_order() -> None:
    net = from_dict(dict(Z6, support=[[0], [1], [-1]], filters=[[[["1", "2", "3"]]], [[["4", "0", "5"]]]]))
    w, _ = net.layers[0].values()
    assert w.reshape(-1).tolist() == [1, 2, 0, 0, 0, 3] and net.support == (0, 1, 5)
    assert net.periods == ((0,),)


# -- groups ---------------------------------------------------------------------------------------


def test_group_tables_and_catalog() -> None:
    net = from_dict(Z6)
    G = group_from_dict(REFLECTION, net)
    assert G.order() == 2 and G.input_dim == 6 and G.output_dim == 6
    assert group_from_dict(G.to_dict(), net) == G
    assert group_from_spec("dihedral", net).order() == 12
    two = from_dict({**Z6, "grid": [3, 3], "filters": [[[["1"] * 9]], [[["1"] * 9]]]})
    assert group_from_spec("D4", two).order() == 8 and group_from_spec("C4", two).order() == 4
    with pytest.raises(InputError, match="relation 'm' does not hold"):
        group_from_dict({**REFLECTION, "relations": ["m"]}, net)
    with pytest.raises(InputError, match="unknown key"):
        group_from_dict({"generators": {"m": {"input": [["1"]], "rotation": 1}}}, net)
    with pytest.raises(InputError, match="generator m output has shape 2 x 2, expected 1 x 1"):
        group_from_dict({"generators": {"m": {"output": [["1", "0"], ["0", "1"]]}}}, net)
    with pytest.raises(InputError, match="does not keep the filters' support"):
        group_from_dict(REFLECTION, from_dict(dict(Z6, support=[[0], [1], [2], [3]],
                                                   filters=[[[["1", "1", "0", "2"]]], [[["3", "0", "1", "1"]]]])))


def test_dense_group_matrices_agree_with_the_action_on_signals() -> None:
    net = from_dict(dict(Z6, channels=[2, 1, 1], filters=[[[["1", "1", "0", "2", "2", "0"], ["0"] * 6]],
                                                          [[["3", "0", "1", "1", "0", "3"]]]]))
    G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]], "offset": ["1"]},
                                              "input": [["0", "1"], ["1", "0"]]}}}, net)
    x = np.array([Rational(k, 3) for k in range(12)], dtype=object).reshape(2, 6)
    dense = G.inputs[0] * ImmutableMatrix(list(x.reshape(-1)))
    assert list(dense) == list(act_input(G, "m", x).reshape(-1))
    y = np.array([Rational(k) for k in range(6)], dtype=object)
    assert list(G.outputs[0] * ImmutableMatrix(list(y))) == list(act_output(G, "m", y))


# -- evaluation and the adjunction ----------------------------------------------------------------


def _fraction_forward(net: ConvNet, x: np.ndarray) -> list[Fraction]:
    from symeq.architectures.mlp.witness import _fraction_sigma

    conv = lambda v: Fraction(int(v.p), int(v.q))  # noqa: E731
    return list(net.forward_generic(x, conv, _fraction_sigma(net)))


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.sampled_from(["relu", "power:3", "leaky_relu:1/10"]),
       st.integers(0, 2))
@SETTINGS
def test_lowered_mlp_computes_the_same_function(seed: int, grid: tuple, act: str, dense: int) -> None:
    rng = random.Random(seed)
    chans = [rng.randint(1, 2), rng.randint(1, 2)] + ([] if dense else [rng.randint(1, 2)])
    net = random_net(rng, act, Grid(grid[0]), chans, dense=dense)
    x = [Rational(rng.randint(-6, 6), rng.choice([1, 2, 3])) for _ in range(net.spaces()[0])]
    exact = net.value(ImmutableMatrix(x))
    assert list(exact) == list(net.to_mlp().value(ImmutableMatrix(x)))
    xa = np.array([Fraction(int(v.p), int(v.q)) for v in x], dtype=object).reshape(net.channels[0], -1)
    assert [Rational(f.numerator, f.denominator) for f in _fraction_forward(net, xa)] == list(exact)


@given(st.integers(0, 2**32 - 1), st.sampled_from(GRIDS), st.integers(0, 2))
@SETTINGS
def test_twist_is_the_group_acting_on_inputs_and_outputs(seed: int, grid: tuple, dense: int) -> None:
    """f(x; theta^g) = rho_L(g)^-1 f(rho_0(g) x; theta), exactly (a polynomial activation)."""
    rng = random.Random(seed)
    shape, spec = grid
    chans = [rng.randint(1, 2), rng.randint(1, 2)] + ([] if dense else [rng.randint(1, 2)])
    net = random_net(rng, "power:2", Grid(shape), chans, dense=dense)
    G = group_from_spec(spec, net)
    for g in G.names:
        x = np.array([Fraction(rng.randint(-4, 4), rng.choice([1, 2])) for _ in range(net.spaces()[0])],
                     dtype=object).reshape(net.channels[0], -1)
        lhs = _fraction_forward(net.twist(G, g), x)
        rho0, rhoL = G.generator(g)
        moved = np.array([Fraction(int(v.p), int(v.q)) for v in
                          rho0 * ImmutableMatrix([sympy.Rational(v.numerator, v.denominator) for v in x.reshape(-1)])],
                         dtype=object).reshape(x.shape)
        fx = ImmutableMatrix([sympy.Rational(v.numerator, v.denominator) for v in _fraction_forward(net, moved)])
        assert [sympy.Rational(v.numerator, v.denominator) for v in lhs] == list(rhoL.inv() * fx)
