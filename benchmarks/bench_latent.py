"""Benchmark: ``symeq latent`` on a tanh MLP [64, 256, 256, 64] with D_4 acting on 8 x 8 images.

The network is built layerwise equivariant from random latent signed G-sets of D_4 (hidden
widths 256) with integer weights from the Reynolds operator W = sum_g rho_i(g) X rho_{i-1}(g)^-1.
It is then handed to the engine as an ordinary network, and we time

* ``latent``: :func:`symeq.construction.analysis.analyze` (construction for every generator,
  uniqueness by matching theta with itself, relators of a verified presentation on every layer,
  orbits / G-sets / characters of every hidden layer), warm (group tables cached) and cold;
* ``baseline``: the exact products W_i rho_{i-1}(g) for every layer and generator (and
  rho_L(g) W_L) with python-flint ``fmpq_mat`` on matrices already converted: the work any
  exact method must do to even look at theta^g.

Prints both times and their ratio (target: <= 10).  Run: ``python benchmarks/bench_latent.py``.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
from flint import fmpq_mat
from sympy import ImmutableMatrix

from symeq.activations import activation
from symeq.groups import catalog_group
from symeq.groups.gsets import transitive_signed_gsets
from symeq.groups.permutation import finite_group
from symeq.architectures.mlp.model import MLP


def dense(perm: tuple[int, ...], signs: tuple[int, ...]) -> np.ndarray:
    n = len(perm)
    m = np.zeros((n, n), dtype=np.int64)
    for j, (p, s) in enumerate(zip(perm, signs)):
        m[p, j] = s
    return m


def random_latent(G, width: int, rng: random.Random) -> list[np.ndarray]:
    """rho(g) for every element of G: a random multiset of transitive signed G-sets."""
    types = list(transitive_signed_gsets(G))
    blocks, size = [], 0
    while size < width:
        fits = [t for t in types if t.size <= width - size]
        t = rng.choice(fits)
        blocks.append(t)
        size += t.size
    mats = []
    for a in range(G.order):
        m = np.zeros((width, width), dtype=np.int64)
        off = 0
        for t in blocks:
            img = t.image(a)
            m[off:off + t.size, off:off + t.size] = dense(img.perm, img.signs)
            off += t.size
        mats.append(m)
    # hide the block structure: conjugate by a random signed permutation
    perm = list(range(width))
    rng.shuffle(perm)
    signs = [rng.choice((1, -1)) for _ in range(width)]
    P = dense(tuple(perm), tuple(signs))
    return [P @ m @ P.T for m in mats]


def reynolds(out: list[np.ndarray], inp: list[np.ndarray], rng: random.Random) -> np.ndarray:
    X = np.array([[rng.randint(-3, 3) for _ in range(inp[0].shape[0])] for _ in range(out[0].shape[0])],
                 dtype=np.int64)
    return sum(o @ X @ i.T for o, i in zip(out, inp))


def build(seed: int = 1):
    rng = random.Random(seed)
    group = catalog_group("D4:8x8", 64, 64)
    G = finite_group(group)
    rho0 = [np.array(group_elem[0].tolist(), dtype=np.int64) for group_elem in G.source_elements]
    r1 = random_latent(G, 256, rng)
    r2 = random_latent(G, 256, rng)
    reps = [rho0, r1, r2, rho0]
    weights, biases = [], []
    for i in range(1, 4):
        W = reynolds(reps[i], reps[i - 1], rng)
        y = np.array([rng.randint(-3, 3) for _ in range(W.shape[0])], dtype=np.int64)
        b = sum(o @ y for o in reps[i])
        weights.append(ImmutableMatrix(W.tolist()))
        biases.append(ImmutableMatrix(b.tolist()))
    return MLP(activation("tanh"), tuple(weights), tuple(biases)), group


def baseline(net: MLP, group, latent) -> float:
    """fmpq_mat products W_i rho_{i-1}(g), rho_L(g) W_L for every layer and generator."""
    def fq(m):
        return fmpq_mat(m.rows, m.cols, [int(x) for x in m])

    Ws = [fq(w) for w in net.weights]
    rhos = {}
    for k, (name, a, b) in enumerate(group.generators()):
        mats = [fq(a)] + [fq(m.matrix()) for m in latent.generator(name)] + [fq(b)]
        rhos[name] = mats
    start = time.perf_counter()
    for name, mats in rhos.items():
        for i, W in enumerate(Ws):
            _ = W * mats[i]
        _ = mats[-1] * Ws[-1]
    return time.perf_counter() - start


def main() -> int:
    from symeq.construction.analysis import analyze

    t0 = time.perf_counter()
    net, group = build()
    print(f"built {net.activation.spec} MLP {list(net.widths)} with D4 on 8x8 images "
          f"in {time.perf_counter() - t0:.2f} s")
    start = time.perf_counter()
    cold = analyze(net, group)
    t_cold = time.perf_counter() - start
    start = time.perf_counter()
    res = analyze(net, group)
    t_warm = time.perf_counter() - start
    assert res.verdict == "holds" and res.where == "theta", res.summary
    assert res.stabilizer is not None and res.stabilizer.trivial
    base = min(baseline(net, group, res.actions) for _ in range(5))
    print(f"latent (warm): {t_warm:.3f} s   latent (cold, group tables built): {t_cold:.3f} s")
    print(f"baseline fmpq_mat products W_i rho(g): {base:.4f} s")
    print(f"ratio latent / baseline: {t_warm / base:.1f} (warm), {t_cold / base:.1f} (cold); target <= 10")
    for ls in res.structure:
        print(f"layer {ls.layer}: {len(ls.orbits)} orbits, types {ls.type_counts()}, "
              f"multiplicities {ls.multiplicities}")
    del cold
    return 0


if __name__ == "__main__":
    sys.exit(main())
