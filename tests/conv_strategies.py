"""Hypothesis strategies for circular convolutional networks (docs/theory.md#72-circular-convolutions), shared by the
tests/test_conv*.py modules.

The equivariant construction shares no code with the engine's matcher:

1. A grid (1-D Z_n or 2-D Z_n x Z_n) and a group of grid maps fixing 0 (reflections, rotations)
   acting on every layer, channel matrices the identity.
2. Every filter is made invariant under the linear parts: w(q) = w(A q) for every generator,
   by giving each orbit of offsets one random integer.  Then theta^g = theta and the latent
   action is k = identity: each layer is equivariant under the grid action alone.
3. A random element k of K = K_1 x ... x K_{L-1} (channel permutations, signs, translations)
   hides the structure: k . theta computes the same function, and its latent action is the
   conjugate k_i s(g) k_i^{-1} s(g)^{-1}, a crossed homomorphism with genuine translations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from hypothesis import strategies as st

from symeq.activations import Relation, activation
from symeq.architectures.conv import ConvGroupAction, group_from_spec
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.conv.latent_group import IDENTITY, ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet

__all__ = ["ConvCase", "random_net", "random_element", "invariant_net", "conv_cases", "random_k"]

#: (grid shape, catalog group) pairs the strategies draw from.
GRIDS = (((5,), "reflection"), ((6,), "reflection"), ((4,), "reflection"), ((3, 3), "C4"),
         ((3, 3), "D4"), ((2, 2), "hmirror"), ((4, 4), "C2"))

#: Activations with a sign relation (a = -1 acts on channels), and without.
SIGNED = ("tanh", "sigmoid", "power:3", "sin")
UNSIGNED = ("relu", "gelu", "power:2", "softplus")


@dataclass(frozen=True)
class ConvCase:
    """A network, a group acting on it, and whether it is equivariant by construction."""

    net: ConvNet
    group: ConvGroupAction
    hidden: tuple[ChannelMap, ...] = ()


def random_net(rng: random.Random, act: str, grid: Grid, channels: list[int], *, dense: int = 0,
               magnitude: int = 3, density: float = 0.7) -> ConvNet:
    """Random integer filters and biases (``dense``: a dense readout with that many outputs)."""
    N = grid.size
    layers = []
    n_conv = len(channels) - 1
    for i in range(n_conv):
        w = np.array([[[rng.randint(-magnitude, magnitude) if rng.random() < density else 0
                        for _ in range(N)] for _ in range(channels[i])] for _ in range(channels[i + 1])],
                     dtype=np.int64)
        b = np.array([rng.randint(-magnitude, magnitude) for _ in range(channels[i + 1])], dtype=np.int64)
        layers.append(Layer.from_ints(w, b))
    if dense:
        w = np.array([[rng.randint(-magnitude, magnitude) for _ in range(channels[-1] * N)] for _ in range(dense)],
                     dtype=np.int64)
        layers.append(Layer.from_ints(w, np.array([rng.randint(-1, 1) for _ in range(dense)], dtype=np.int64)))
    return ConvNet(activation(act), grid, layers, readout="dense" if dense else "conv")


def invariant_net(rng: random.Random, act: str, grid: Grid, group: ConvGroupAction, channels: list[int],
                  *, dense: int = 0, magnitude: int = 3) -> ConvNet:
    """Filters constant on the orbits of the group's linear parts (theta^g = theta)."""
    N = grid.size
    orbit = grid.orbit_labels([group.grid_map(n).linear_permutation for n in group.names])
    layers = []
    for i in range(len(channels) - 1):
        w = np.zeros((channels[i + 1], channels[i], N), dtype=np.int64)
        for c in range(channels[i + 1]):
            for c2 in range(channels[i]):
                vals = {o: rng.randint(-magnitude, magnitude) for o in set(orbit)}
                w[c, c2] = [vals[o] for o in orbit]
        b = np.array([rng.randint(-magnitude, magnitude) for _ in range(channels[i + 1])], dtype=np.int64)
        layers.append(Layer.from_ints(w, b))
    if dense:  # an invariant readout: constant on the orbits of every grid map (positions)
        pos_orbit = grid.orbit_labels([group.grid_map(n).permutation for n in group.names])
        rows = []
        for _ in range(dense):
            row = []
            for _c in range(channels[-1]):
                vals = {o: rng.randint(-magnitude, magnitude) for o in set(pos_orbit)}
                row.extend(vals[o] for o in pos_orbit)
            rows.append(row)
        layers.append(Layer.from_ints(np.array(rows, dtype=np.int64), np.zeros(dense, dtype=np.int64)))
    return ConvNet(activation(act), grid, layers, readout="dense" if dense else "conv")


def random_element(rng: random.Random, net: ConvNet, i: int) -> ChannelMap:
    """A random element of K_i: a permutation, a relation and a translation per channel."""
    C = net.channels[i]
    perm = list(range(C))
    rng.shuffle(perm)
    act = net.activation
    options: list[Relation] = [IDENTITY] + list(act.discrete)
    if act.name == "sin":
        options = [IDENTITY, Relation(sympy.Integer(-1), sympy.Integer(0), sympy.Integer(-1), sympy.Integer(0))]
    if act.families and act.name in ("relu", "power"):
        scale = sympy.Integer(rng.choice([2, 3, 1]))
        options = [act.relation_for(scale, sympy.Integer(0))] + (
            [act.relation_for(sympy.Integer(-1), sympy.Integer(0))] if act.name == "power" else [])
    rels = [rng.choice(options) for _ in range(C)]
    shifts = [rng.choice(net.grid.translations) for _ in range(C)]
    return ChannelMap.make(net.grid, perm, rels, shifts)


def random_k(rng: random.Random, net: ConvNet) -> tuple[ChannelMap, ...]:
    """A random element of K."""
    return tuple(random_element(rng, net, i) for i in range(1, net.depth))


@st.composite
def conv_cases(draw: Any, equivariant: bool = True, activations: tuple[str, ...] = SIGNED + UNSIGNED) -> ConvCase:
    """A small network with a group of grid maps; equivariant by construction when asked, its
    layerwise structure hidden by a random element of K."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    shape, spec = draw(st.sampled_from(GRIDS))
    act = draw(st.sampled_from(activations))
    grid = Grid(shape)
    depth = draw(st.integers(2, 3))
    channels = [draw(st.integers(1, 2))] + [draw(st.integers(1, 3)) for _ in range(depth - 1)]
    dense = draw(st.sampled_from([0, 0, 1, 2]))
    if not dense:
        channels.append(draw(st.integers(1, 2)))
    probe = ConvNet(activation(act), grid, [Layer.from_ints(np.zeros((1, channels[0], grid.size), dtype=np.int64),
                                                            np.zeros(1, dtype=np.int64))])
    probe_net = random_net(rng, act, grid, channels, dense=dense)
    group = group_from_spec(spec, probe_net)
    del probe
    if equivariant:
        net = invariant_net(rng, act, grid, group, channels, dense=dense)
        k = random_k(rng, net)
        return ConvCase(net.act(k), group, k)
    return ConvCase(probe_net, group)


def grid_map(grid: Grid, A: Any, t: Any) -> GridMap:
    """Shorthand for tests."""
    return GridMap.make(grid, A, t)


#: Activations of the conformance cases: exact values, so functions are compared exactly and fast
#: (power:3 has the sign relation; tanh and the others are covered through the lowered MLP in
#: tests/test_conv_matching.py, where nested symbolic tanh values need no simplification).
CONFORMANCE_ACTIVATIONS = ("relu", "leaky_relu:1/10", "power:2", "power:3")


@st.composite
def conformance_cases(draw: Any, make: Any) -> Any:
    """The conformance suite's cases for convolutions (``make(net, group, k, points)`` builds its
    Case): a small random network on a 1-D or 2-D grid, a catalog group of grid maps, a random
    element of K (permutation, relation and translation per channel), rational input points."""
    from sympy import ImmutableMatrix, Rational

    rng = random.Random(draw(st.integers(0, 10**6)))
    shape, spec = draw(st.sampled_from((((3,), "reflection"), ((4,), "dihedral"), ((2, 2), "D4"))))
    act = draw(st.sampled_from(CONFORMANCE_ACTIVATIONS))
    grid = Grid(shape)
    depth = draw(st.integers(2, 3))
    channels = [draw(st.integers(1, 2))] + [draw(st.integers(1, 2)) for _ in range(depth - 1)]
    dense = draw(st.sampled_from([0, 0, 2]))
    if not dense:
        channels.append(draw(st.integers(1, 2)))
    net = random_net(rng, act, grid, channels, dense=dense, magnitude=2)
    group = group_from_spec(spec, net)
    k = random_k(rng, net)
    points = tuple(ImmutableMatrix([Rational(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(net.spaces()[0])])
                   for _ in range(2))
    return make(net, group, k, points)
