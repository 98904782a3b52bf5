"""Benchmark ``check_equivariance`` against the exact matrix products it cannot avoid.

Network: a tanh MLP of widths [16, 64, 64, 16]; D_4 acts on 4 x 4 images (input and output)
by rotating and mirroring pixels.  The network is built layerwise equivariant with random
latent signed G-sets on both hidden layers (sums of the pixel action, the regular action and
characters, each twisted by a random character) and random integer weights solving the orbit
constraints (tests/strategies.py), with the neurons shuffled.

Baseline, measured in the same run: the exact products W_i rho_{i-1}(g) for every layer i and
generator g with python-flint ``fmpq_mat`` (rho on hidden layers = the latent signed
permutation matrices), the matrices converted to fmpq_mat beforehand.  The conversion of the
network from sympy to fmpq_mat is timed separately and reported.

Run:  /work/venv/bin/python benchmarks/bench_check.py [--repeat N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from flint import fmpq, fmpq_mat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from strategies import build_equivariant  # noqa: E402

from symeq.architectures.mlp.equivariance import check_equivariance  # noqa: E402


def _blocks(rng: random.Random, width: int) -> tuple[str, ...]:
    """Random block kinds (pixel action 16, regular 8, character 1) summing to ``width``."""
    sizes = {"input": 16, "regular": 8, "char": 1}
    out, left = [], width
    while left:
        kind = rng.choice([k for k, n in sizes.items() if n <= left])
        out.append(kind)
        left -= sizes[kind]
    return tuple(out)


def _fmpq(m) -> fmpq_mat:
    return fmpq_mat(m.rows, m.cols, [fmpq(int(x.p), int(x.q)) for x in m])


def _timeit(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    blocks = (_blocks(rng, 64), _blocks(rng, 64))
    case = build_equivariant(rng, "tanh", "D4:4x4", 16, output="same", hidden_blocks=blocks)
    net, group = case.net, case.group
    print(f"network: tanh MLP {net.widths}, group D4 on 4x4 images ({group.order()} elements, "
          f"generators {', '.join(group.names)})")
    print(f"hidden G-sets: {[list(b) for b in blocks]}")

    result = check_equivariance(net, group)
    assert result.verdict == "holds" and result.method == "layerwise", result.reason
    t_check, _ = _timeit(lambda: check_equivariance(net, group), args.repeat)

    # The baseline: W_i rho_{i-1}(g) for every layer and generator, on fmpq_mat.
    t_conv, mats = _timeit(lambda: [_fmpq(w) for w in net.weights], args.repeat)
    actions = {g: [_fmpq(rho0)] + [_fmpq(k.matrix()) for k in result.match.action(g)]
               for g, rho0, _ in group.generators()}

    def products() -> list[fmpq_mat]:
        return [w * rho for g in group.names for w, rho in zip(mats, actions[g])]

    t_base, _ = _timeit(products, args.repeat)
    print(f"check_equivariance (layerwise, {len(group.names)} generators): {t_check * 1e3:.3f} ms")
    print(f"baseline fmpq_mat products W_i rho(g) ({len(group.names) * net.depth} products): "
          f"{t_base * 1e3:.3f} ms")
    print(f"baseline conversion sympy -> fmpq_mat of the weights (not in the baseline): "
          f"{t_conv * 1e3:.3f} ms")
    print(f"ratio check / products: {t_check / t_base:.2f}   (target <= 10)")
    print(f"ratio check / (conversion + products): {t_check / (t_base + t_conv):.2f}")


if __name__ == "__main__":
    main()
