"""Benchmark: a CIFAR-size mirror-invariant tanh MLP read from .npz and proved by the exact ``check``.

Network: widths [3072, 1024, 1024, 10] (4.2 million parameters; ``--size`` scales it down:
[3 s^2, s^2, s^2, 10] for s x s images, s = 32 by default), inputs are 3-channel s x s images
flattened channel-first (so the catalog group hmirror:(3s)x(s) is the horizontal mirror of
every channel), output invariant (10 logits).  It is built exactly layerwise invariant: random
integer weights W, then W + h . W for h = (rho_0(mirror), k_1, k_2, id) with random signed
involutions k_1, k_2 on the hidden layers (symeq.architectures.mlp.approximate.conjugate, exact on integers),
divided by 2^8 so the float64 values in the .npz are exact dyadic rationals.

Pipeline, timed stage by stage (what a user runs):
  load      the .npz into a FloatMLP (symeq.emergent.load_model)
  exact     the floats to exact rationals (numerators over 2^8, checked exact) and the exact
            MLP (sympy ImmutableMatrix of Rationals, symeq.architectures.mlp.MLP)
  group     catalog_group("hmirror:(3s)x(s)", ..., output="trivial")
  check     check_equivariance(net, group): must say holds, method layerwise

Baseline, measured in the same run: the bare exact products W_i k_(i-1)(mirror) for i = 1, 2, 3
with python-flint fmpq_mat (dense; k_0 = rho_0, k_1, k_2 as signed permutation matrices), the
conversion of the .npz arrays to fmpq_mat included.  A second, cheaper reference is reported
too: the same products on int64 numerators by column indexing (the monomial structure used).

Peak memory (VmHWM, reset before each stage) is reported per stage.  The target of issue 16 is
pipeline <= 5 x the flint baseline.  With --profile the check stage runs under cProfile and the
top functions are printed.

Run:  .venv/bin/python benchmarks/bench_emergent.py [--size 32] [--seed 0] [--profile]

Measured (2-core machine shared with other jobs, so absolute times vary by 2x between runs;
the ratio is what counts), 2026-12-06, after theta^g by index operations for monomial rho
(architectures/mlp/matching.py::_monomial) and the O(d) determinant of a signed permutation
(groups/action.py::_det):

  baseline  load 0.10 s, convert 6.5 s, products 17.6 s: 24.3 s (peak 693 MB)
  pipeline  load 0.13 s, exact 0.11 s, group 18.9 s, check 3.2 s: 22.4 s (peak 1.3 GB): 0.9x
  group     the catalog still writes rho_0(mirror) as a dense 3072 x 3072 matrix of sympy
            Integers (most of the stage and of the peak); left as it is, the target is met.

Before those two changes: 185 s, 11.2x (check 116.6 s in a dense int64 product
W_1 rho_0(g); group 67.7 s in a dense FLINT determinant).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symeq.emergent import FloatMLP, load_model, save_npz  # noqa: E402
from symeq.architectures.mlp import approximate as arch  # noqa: E402
from symeq.emergent.rounding import SignedPerm  # noqa: E402

SCALE = 2**8


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _involution(d: int, rng: np.random.Generator) -> SignedPerm:
    perm, sign = np.arange(d), np.ones(d, dtype=np.int64)
    idx = rng.permutation(d)
    for a in range(0, d - 1, 3):           # two of every three neurons paired, the rest fixed
        i, j = idx[a], idx[a + 1]
        perm[i], perm[j] = j, i
        if rng.random() < 0.5:
            sign[i] = sign[j] = -1
    for a in range(2, d, 3):
        if rng.random() < 0.5:
            sign[idx[a]] = -1
    return SignedPerm(perm, sign, np.zeros(d, dtype=np.int64))


def build(size: int, seed: int) -> tuple[FloatMLP, list[SignedPerm]]:
    """The invariant network (floats, exact dyadic values) and h = (rho_0, k_1, k_2, id)."""
    rng = np.random.default_rng(seed)
    d0, d1 = 3 * size * size, size * size
    widths = (d0, d1, d1, 10)
    grid = np.arange(d0).reshape(3 * size, size)
    flip = grid[:, ::-1].reshape(-1)                   # x[flip] is the mirrored image
    # rho_0 e_j = e_{flip[j]}: pixel j goes to its mirror (the catalog's hmirror matrix)
    rho0 = SignedPerm(flip.astype(np.int64), np.ones(d0, dtype=np.int64), np.zeros(d0, dtype=np.int64))
    h = [rho0, _involution(d1, rng), _involution(d1, rng),
         SignedPerm(np.arange(10), np.ones(10, dtype=np.int64), np.zeros(10, dtype=np.int64))]
    W = [rng.integers(-60, 61, size=(o, i), dtype=np.int64) for i, o in zip(widths, widths[1:])]
    b = [rng.integers(-60, 61, size=o, dtype=np.int64) for o in widths[1:]]
    cw, cb = arch.conjugate(W, b, h)
    W = [(w + c) / SCALE for w, c in zip(W, cw)]
    b = [(x + c) / SCALE for x, c in zip(b, cb)]
    return FloatMLP("tanh", tuple(W), tuple(b)), h


def exact_mlp(model: FloatMLP):
    """The exact MLP of a model whose values are integers over 2^8 (checked), built by
    symeq.architectures.mlp.approximate.exact_model (DomainMatrix over QQ, no strings)."""
    ws, bs = [], []
    for w, x in zip(model.weights, model.biases):
        nw, nb = np.rint(w * SCALE).astype(np.int64), np.rint(x * SCALE).astype(np.int64)
        assert np.array_equal(nw / SCALE, w) and np.array_equal(nb / SCALE, x), "not dyadic over 2^8"
        ws.append(nw)
        bs.append(nb)
    return arch.exact_model(model.activation, ws, bs, SCALE)


def timed(label: str, fn, results: dict):
    _reset_peak()
    t = time.perf_counter()
    out = fn()
    results[label] = (time.perf_counter() - t, _peak_mb())
    print(f"  {label:<10} {results[label][0]:9.2f} s   peak RSS {results[label][1]:8.0f} MB", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=32, help="image side s (default 32: CIFAR)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="profile the check stage")
    parser.add_argument("--skip-check", action="store_true", help="stop before the exact stages")
    args = parser.parse_args()
    from flint import fmpq, fmpq_mat

    from symeq.architectures.mlp.equivariance import check_equivariance
    from symeq.groups import catalog_group

    model, h = build(args.size, args.seed)
    path = os.path.join(tempfile.mkdtemp(), "cifar_mlp.npz")
    save_npz(model, path)
    print(f"network: tanh MLP {list(model.widths)} ({model.n_params:,} parameters), "
          f"{os.path.getsize(path) / 1e6:.1f} MB .npz; group hmirror:{3 * args.size}x{args.size}/trivial")

    print("baseline (flint fmpq_mat, dense products W_i k_(i-1)):")
    base: dict = {}
    fl = timed("load", lambda: load_model(path), base)

    def to_fmpq():
        return [fmpq_mat(w.shape[0], w.shape[1], [fmpq(int(v), SCALE) for v in np.rint(w * SCALE).astype(np.int64).reshape(-1)])
                for w in fl.weights]

    mats = timed("convert", to_fmpq, base)

    def perm_mat(k: SignedPerm):
        d = len(k.perm)
        entries = [0] * (d * d)
        for j in range(d):
            entries[int(k.perm[j]) * d + j] = int(k.scale[j])
        return fmpq_mat(d, d, entries)

    ks = [perm_mat(k) for k in h[:3]]
    timed("products", lambda: [m * k for m, k in zip(mats, ks)], base)
    t_base = sum(v[0] for v in base.values())
    print(f"  total      {t_base:9.2f} s")

    print("reference (int64 numerators, products by column indexing):")
    ref: dict = {}

    def indexed():
        out = []
        for w, k in zip(fl.weights, h[:3]):
            n = np.rint(w * SCALE).astype(np.int64)
            out.append(n[:, np.argsort(k.perm)] * k.scale[np.argsort(k.perm)])
        return out

    timed("products", indexed, ref)

    if args.skip_check:
        return
    print("pipeline (load, exact MLP, group, check):")
    pipe: dict = {}
    fm = timed("load", lambda: load_model(path), pipe)
    net = timed("exact", lambda: exact_mlp(fm), pipe)
    group = timed("group", lambda: catalog_group(f"hmirror:{3 * args.size}x{args.size}", model.widths[0], 10,
                                                  output="trivial"), pipe)
    if args.profile:
        prof = cProfile.Profile()
        result = timed("check", lambda: prof.runcall(check_equivariance, net, group), pipe)
    else:
        result = timed("check", lambda: check_equivariance(net, group), pipe)
    assert (result.verdict, result.method) == ("holds", "layerwise"), result.reason
    t_pipe = sum(v[0] for v in pipe.values())
    print(f"  total      {t_pipe:9.2f} s   verdict {result.verdict} ({result.method})")
    print(f"ratio pipeline / flint baseline: {t_pipe / t_base:.1f} (target <= 5)")
    print(f"ratio check alone / flint baseline: {pipe['check'][0] / t_base:.1f}")
    if args.profile:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
