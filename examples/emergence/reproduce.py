"""Emergent equivariance on scikit-learn's digits: a small-scale version of the paper's experiment.

Trains small MLPs on the 8 x 8 digits bundled with scikit-learn (no download), as an
autoencoder (mirror-equivariant: the mirrored image must reconstruct to the mirrored image) and
as a classifier (mirror-invariant logits), with tanh, gelu and relu hidden layers and the
paper's soft mirror-equivariance loss in the second half of training (train.py: numpy, written
out backpropagation, no autodiff library).  Then it measures with ``symeq.emergent`` how far
each layer is from equivariant: the least-squares linear fit A_i (the paper's measurement) and
the best element of the latent group K_i (signed permutations for tanh, permutations for gelu,
positive monomial matrices for relu), on Gaussian noise inputs, for F_1 = f_1 and the composite
F_2 = f_2 o f_1, under the left-right mirror and under the up-down mirror as a control (the
networks were never asked to be up-down equivariant).  Finally the tanh classifier is rounded to
an exact network, and the exact engine proves it mirror-invariant.

    python examples/emergence/reproduce.py            # the full table (2-3 minutes on 2 cores)
    python examples/emergence/reproduce.py --quick    # a short run (CI)

Every number here is approximate (floating point); the only exact statement is the last line,
from ``symeq.architectures.mlp.equivariance.check_equivariance`` on the rounded network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train import train  # noqa: E402  (the trainer beside this script)

from symeq.emergent import float_group, measure, round_network  # noqa: E402
from symeq.groups import catalog_group  # noqa: E402

ACTIVATIONS = ("tanh", "gelu", "relu")


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits scaled by one affine map on every pixel (per-pixel scaling would break the
    mirror symmetry): roughly zero mean and unit variance."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X / 16.0 - 0.3) / 0.4, y


def mirror_index(kind: str) -> np.ndarray:
    """x[mirror_index] is the image mirrored left-right ('h') or up-down ('v')."""
    grid = np.arange(64).reshape(8, 8)
    return (grid[:, ::-1] if kind == "h" else grid[::-1, :]).reshape(-1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short training and sampling (CI)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the initialization, batches and sampling")
    args = ap.parse_args(argv)
    try:  # one BLAS thread: faster for these small matrices, and the numbers do not depend on
        from threadpoolctl import threadpool_limits  # how many threads a machine has
    except ImportError:
        return _run(args)
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    epochs = 15 if args.quick else 300
    samples = 1000 if args.quick else 20_000
    hidden = (16, 16) if args.quick else (64, 64, 64)
    start = time.perf_counter()
    X, y = digits()
    h = mirror_index("h")
    rows = []
    nets = {}
    for task in ("autoencoder", "classifier"):
        out = "same" if task == "autoencoder" else "trivial"
        results: dict[tuple[str, str, int], tuple[float, float]] = {}
        for act in ACTIVATIONS:
            net, score = train(task, act, X, y, hidden, h, h if task == "autoencoder" else np.arange(10),
                               epochs=epochs, seed=args.seed)
            nets[(task, act)] = net
            what = "R^2" if task == "autoencoder" else "accuracy"
            print(f"approximate: trained {task} {net.describe()}: training {what} {score:.3f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
            for mirror in ("hmirror", "vmirror"):
                G = float_group(catalog_group(f"{mirror}:8x8", 64, net.widths[-1], output=out))
                r = measure(net, G, samples=samples, seed=args.seed)
                for i in (1, 2):
                    f = r.fit("s", i)
                    results[(act, mirror, i)] = (f.linear_composite, f.k_composite)
        for mirror, i in (("hmirror", 1), ("hmirror", 2), ("vmirror", 1)):
            rows.append((task, f"f_{i}", "left-right" if mirror == "hmirror" else "up-down (control)",
                         {act: results[(act, mirror, i)] for act in ACTIVATIONS}))
    print()
    print(f"approximate: median |F_i(g y) - A F_i(y)| / |F_i(y)| over {samples} N(0,1) noise inputs, "
          f"seed {args.seed}; each cell: linear A_i (K_i fit)")
    print()
    print("| task | layer | mirror | " + " | ".join(ACTIVATIONS) + " |")
    print("|---|---|---|" + "---|" * len(ACTIVATIONS))
    for task, layer, mirror, cells in rows:
        print(f"| {task} | {layer} | {mirror} | "
              + " | ".join(f"{lin:.3f} ({k:.3f})" for lin, k in (cells[a] for a in ACTIVATIONS)) + " |")
    print()
    verdict = prove_rounded(nets[("classifier", "tanh")], X, y, samples, args.seed)
    print(f"approximate: total time {time.perf_counter() - start:.0f} s")
    return 0 if verdict == "holds" else 1


def prove_rounded(net, X: np.ndarray, y: np.ndarray, samples: int, seed: int) -> str:
    """Round the tanh classifier with its fitted actions and let the exact engine decide."""
    from symeq.architectures import network_from_dict
    from symeq.architectures.mlp.equivariance import check_equivariance
    from symeq.files import write_document

    exact_group = catalog_group("hmirror:8x8", 64, net.widths[-1], output="trivial")
    G = float_group(exact_group)
    report = measure(net, G, samples=samples, seed=seed)
    rounded = round_network(net, G, report, digits=4, held_out=samples, seed=seed)
    before = float(np.mean(net.forward(X).argmax(axis=1) == y))
    after = float(np.mean(rounded.model.forward(X).argmax(axis=1) == y))
    print(f"approximate: tanh classifier rounded to 4 digits and averaged over {rounded.order} elements: logits "
          f"moved by at most {rounded.max_change:.3g} (median {rounded.median_change:.3g}, median relative "
          f"{rounded.median_relative_change:.3g}) on noise inputs; training accuracy {before:.3f} -> {after:.3f}")
    path = os.path.join(tempfile.mkdtemp(), "digits_tanh_rounded.toml")
    write_document(rounded.document(), path)
    result = check_equivariance(network_from_dict(rounded.network), exact_group)
    print(f"exact: symeq check on the rounded network ({path}): {result.verdict}, method {result.method}")
    return result.verdict


if __name__ == "__main__":
    sys.exit(main())
