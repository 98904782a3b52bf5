"""Exact functional dimension of a ReLU MLP [8, 32, 32, 1] (1,377 parameters) against numpy's
floating-point SVD rank of the same Jacobian, measured in the same run.

    /work/venv/bin/python benchmarks/bench_functional_dimension.py [--seed S] [--repeat R]

Prints, for the exact engine (symeq.symmetry.functional_dimension: line-sweep inputs, exact
integer Jacobian, rank modulo a 61-bit prime, K-orbit tangents) and for numpy
(numpy.linalg.matrix_rank, i.e. an SVD, on the same Jacobian converted to float64):
both times, their ratio, and whether the numerical rank equals the exact one.  The target is
exact within 20x of the numerical time.  Timings are the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symeq.architectures.mlp.sampling import random_network
from symeq.symmetry.functional_dimension import functional_dimension
from symeq.architectures.mlp.sampling import default_count, default_inputs
from symeq.architectures.mlp.jacobian_exact import exact_jacobian

WIDTHS = (8, 32, 32, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t = time.perf_counter()
    net = random_network("relu", WIDTHS, seed=args.seed)
    t_net = time.perf_counter() - t
    n = net.n_params
    hidden = sum(WIDTHS[1:-1])
    print(f"ReLU MLP {list(WIDTHS)}: {n} parameters, {hidden} hidden neurons "
          f"(random generic rational parameter, seed {args.seed}, built in {t_net:.2f} s)")

    exact_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        fd = functional_dimension(net, seed=args.seed)
        exact_times.append(time.perf_counter() - t)
    t_exact = min(exact_times)
    print(f"exact:   functional dimension {fd.rank} ({fd.status}), {fd.n_inputs} inputs, "
          f"hidden symmetries {fd.hidden_symmetries}; {t_exact:.2f} s "
          f"(best of {args.repeat}; runs {', '.join(f'{x:.2f}' for x in exact_times)})")

    # The same Jacobian in float64: the exact one at the same inputs, converted.
    xs = default_inputs(net, default_count(net), args.seed)  # the inputs the exact run used
    jac = exact_jacobian(net, xs)
    dens = np.array([float(d) for d in jac.row_den])
    J = np.array(jac.matrix.tolist(), dtype=np.float64) / dens[:, None]
    svd_times, ranks = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        ranks.append(int(np.linalg.matrix_rank(J)))
        svd_times.append(time.perf_counter() - t)
    t_svd = min(svd_times)
    numeric_rank = ranks[0]
    print(f"numpy:   matrix_rank (SVD, float64) of the same {J.shape[0]} x {J.shape[1]} Jacobian: "
          f"{numeric_rank}; {t_svd:.2f} s (best of {args.repeat})")
    print(f"ratio exact / numerical: {t_exact / t_svd:.2f}x (target <= 20x)")
    truth = fd.rank
    print(f"numerical rank {'equals' if numeric_rank == truth else 'DIFFERS FROM'} the exact rank "
          f"{truth} (expected #params - #hidden = {n - hidden})")


if __name__ == "__main__":
    main()
