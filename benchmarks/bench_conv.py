"""Benchmark: ``symeq latent`` on a tanh convolutional network, 16 x 16 grid, 16 channels on
every layer, 3 layers (2 hidden), under D_4 (rotation by 90 degrees and a mirror, acting on
every layer: the generalized adjunction).

The network is built equivariant: every filter constant on the orbits of D_4 acting on offsets
(so theta^g = theta), then hidden by a random element of K = K_1 x K_2 (channel permutations,
signs and a translation per channel), which gives a latent action that is a crossed
homomorphism with genuine translations.  It is handed to the engine as an ordinary network and
we time, in the same run:

* ``latent``: :func:`symeq.architectures.conv.construction.latent` (theta^g for both generators,
  channel matching layer by layer, uniqueness by matching theta with itself, the closure of the
  pairs (k_i(g), g) in K_i x| D_4, channel orbits and characters of both hidden layers);
* ``baseline``: the bare exact convolutions the construction's layer equations stand for: for
  every generator g and layer i, the multi-channel circular convolution of theta^g_i and of
  theta_i with one integer signal, exactly (int64, sum over offsets of channel-matrix products;
  no dense lowering).  Any exact method that compares the two sides of a layer equation on one
  input does at least this much work.

Prints both times and their ratio (target: <= 10).  Run: ``python benchmarks/bench_conv.py``.

Measured 2026-12-06 (2-core machine shared with other jobs, load average 5-7, so absolute
times vary by 2x between runs; the ratio is what counts), 196,656 parameters, |D_4| = 8:

  run 1   latent 0.116 s, baseline 0.213 s: ratio 0.54
  run 2   latent 0.265 s, baseline 0.380 s: ratio 0.70
  run 3   latent 0.291 s, baseline 0.392 s: ratio 0.74

Again 2026-12-07 02:30 UTC (load average 1.8), after the submodel reduction, the identity
activation and stated supports arrived: latent 0.106 s, baseline 0.154 s, ratio 0.69 (the
reduction runs only when there is no action at theta itself).

latent is cheaper than the convolutions themselves: the layer equations are identities of
filter arrays (theta^g's filters against theta's, moved by a channel map), compared by index
operations, never convolved or lowered to the 4096 x 4096 block-circulant matrices.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np

from symeq.activations import activation
from symeq.architectures.conv import group_from_spec
from symeq.architectures.conv.construction import latent
from symeq.architectures.conv.grid import Grid
from symeq.architectures.conv.latent_group import IDENTITY, ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet

SHAPE, CHANNELS, TARGET = (16, 16), (16, 16, 16, 16), 10.0


def build(rng: random.Random) -> tuple[ConvNet, object]:
    grid = Grid(SHAPE)
    tanh = activation("tanh")
    probe = ConvNet(tanh, grid, [Layer.from_ints(np.zeros((CHANNELS[-1], CHANNELS[0], grid.size), dtype=np.int64),
                                                 np.zeros(CHANNELS[-1], dtype=np.int64))])
    G = group_from_spec("D4", probe)
    orbit = grid.orbit_labels([G.grid_map(n).linear_permutation for n in G.names])
    layers = []
    for i in range(len(CHANNELS) - 1):
        w = np.zeros((CHANNELS[i + 1], CHANNELS[i], grid.size), dtype=np.int64)
        for c in range(CHANNELS[i + 1]):
            for c2 in range(CHANNELS[i]):
                vals = {o: rng.randint(-5, 5) for o in set(orbit)}
                w[c, c2] = [vals[o] for o in orbit]
        b = np.array([rng.randint(-3, 3) for _ in range(CHANNELS[i + 1])], dtype=np.int64)
        layers.append(Layer.from_ints(w, b))
    net = ConvNet(tanh, grid, layers)
    neg = tanh.discrete[0]  # (-1, 0, -1, 0): a negated channel
    ks = []
    for i in range(1, net.depth):
        C = CHANNELS[i]
        perm = list(range(C))
        rng.shuffle(perm)
        ks.append(ChannelMap.make(grid, perm, [rng.choice([IDENTITY, neg]) for _ in range(C)],
                                  [rng.choice(grid.translations) for _ in range(C)]))
    return net.act(ks), G


def exact_conv(w: np.ndarray, x: np.ndarray, grid: Grid) -> np.ndarray:
    """sum_c' w_{c c'} * x_{c'} exactly (int64): for every offset q, W[:, :, q] times x shifted by q."""
    z = np.zeros((w.shape[0], grid.size), dtype=np.int64)
    for q in range(grid.size):
        z += w[:, :, q] @ x[:, grid.shift_table(grid.position(q))]
    return z


def main() -> int:
    rng = random.Random(2026)
    net, G = build(rng)
    grid = net.grid
    others = {g: net.twist(G, g) for g in G.names}  # precomputed: the baseline times only convolutions
    xs = [np.array([[rng.randint(-5, 5) for _ in range(grid.size)] for _ in range(c)], dtype=np.int64)
          for c in CHANNELS[:-1]]
    start = time.perf_counter()
    for g in G.names:
        for i in range(net.depth):
            exact_conv(others[g].layers[i].weight, xs[i], grid)
            exact_conv(net.layers[i].weight, xs[i], grid)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    result = latent(net, G)
    seconds = time.perf_counter() - start
    assert result.verdict == "holds" and result.homomorphism.crossed and result.homomorphism.holds, result.summary
    ratio = seconds / baseline
    print(f"network: tanh conv on {grid.describe()}, channels {'-'.join(map(str, CHANNELS))}, group D4 "
          f"({G.order()} elements), {net.n_params} parameters")
    print(f"latent: {seconds:.3f} s  ({result.summary[:80]}...)")
    print(f"baseline (12 exact multi-channel convolutions): {baseline:.3f} s")
    print(f"ratio: {ratio:.2f} (target <= {TARGET:g})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
