"""``symeq emergent MODEL --group G``: approximate mode for trained networks.

Measures how equivariant a trained MLP has become, as in the paper's experiment (docs/theory.md,
section 8), and can round it to an exactly equivariant network for the exact engine.  Every
line it prints says "approximate": these are floating-point measurements, not proofs.

For every generator g of G and every layer i it fits
  K       the best element k_i(g) of the layer's latent group K_i (signed permutations for
          tanh, positive monomials for relu, permutations for gelu, ...), by an assignment on
          row similarities of W_i k_(i-1)(g) against W_i, layer after layer from rho_0(g);
  linear  the least-squares matrix A_i with A_i F_i(x) ~ F_i(g x), F_i = f_i o ... o f_1;
and reports for each fit the paper's error, the median over noise inputs of
  |f(g y) - A f(y)| / |f(y)|
for the single layer f_i (its input moved by the previous layer's fit) and for the composite
F_i (the paper's "f_2" is F_2).  On the last layer A = rho_L(g), so its K composite error is
the end-to-end equivariance error.  "rows" is the relative residual of the row equations
R'[p_j] = a_j R[j] that the fitted k_i leaves (0 for an exactly layerwise-equivariant layer).

MODEL is a .npz file (keys W1, b1, W2, b2, ... with W_i of shape d_i x d_(i-1), and an
'activation' string), a scikit-learn MLPRegressor/MLPClassifier saved with joblib or pickle
(.joblib, .pkl: only with --trust-pickle, since unpickling runs code), or a PyTorch state dict
(.pt, .pth; with --activation) or pickled nn.Sequential (--trust-pickle).

With --round OUT.toml the network is symmetrized with the fitted actions (averaged over the
group they generate), rationalized to --digits decimal digits, and written as an exact symeq
network file with its [group] table; `symeq check OUT.toml` and `symeq latent OUT.toml` then
prove it exactly.  The report says how far the function moved on held-out inputs.

Example (from the root folder of the checkout; the autoencoder of docs/emergent.md):
  symeq emergent docs/examples/digits_autoencoder.npz --group hmirror:8x8 --round sym.toml

Exit codes: 0 measured (this mode gives no verdict), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symeq.commands.common import check_int_range, emit_json, integer, decimal
from symeq.errors import InputError

DESCRIPTION = __doc__

MAX_SAMPLES = 1_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="trained model: .npz, .joblib/.pkl (scikit-learn), .pt/.pth")
    p.add_argument("--group", required=True, metavar="FILE_OR_NAME",
                   help="group acting on inputs and outputs: a catalog name such as hmirror:8x8 "
                   "(suffix /trivial for an invariant output, e.g. a classifier's logits) or a file "
                   "with a [group] table")
    p.add_argument("--samples", type=integer, default=10_000, metavar="N",
                   help="noise inputs for the fits, and as many more for the errors (default 10000)")
    p.add_argument("--seed", type=integer, default=0, metavar="S", help="random seed of the sampling (default 0)")
    p.add_argument("--scale", type=decimal, default=1.0, metavar="SIGMA",
                   help="standard deviation of the Gaussian noise inputs (default 1)")
    p.add_argument("--inputs", metavar="X.npy",
                   help="sample inputs from the rows of this array instead of noise")
    p.add_argument("--activation", metavar="NAME",
                   help="the hidden activation, when the file does not name it (state dicts, .npz without it)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="allow reading joblib/pickle files and pickled torch modules (runs code from the file)")
    p.add_argument("--round", metavar="OUT.toml", dest="round_path",
                   help="write the symmetrized, rationalized network (exact symeq file) to OUT.toml")
    p.add_argument("--digits", type=integer, default=4, metavar="D",
                   help="decimal digits kept when rounding (default 4)")
    p.add_argument("--plot", metavar="PATH", help="figure of the errors per layer and first-layer filters "
                   "(.png, .svg, .pdf)")
    p.add_argument("--matrices", action="store_true", help="with --json: include the fitted matrices A_i")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from symeq.commands.classify import load_group
    from symeq.emergent import float_group, load_model, measure, plot_report, round_network
    from symeq.emergent.measure import work_units
    from symeq.emergent.rounding import MAX_DIGITS

    check_int_range(args.samples, 1, MAX_SAMPLES, "--samples")
    check_int_range(args.seed, 0, 2**32 - 1, "--seed")
    check_int_range(args.digits, 0, MAX_DIGITS, "--digits")
    if not (np.isfinite(args.scale) and args.scale > 0):
        raise InputError("--scale must be a positive number")
    if args.round_path is not None and not args.round_path.lower().endswith((".toml", ".json")):
        raise InputError(f"--round path {args.round_path!r} must end in .toml or .json")
    if args.plot is not None and not args.plot.lower().endswith((".png", ".svg", ".pdf")):
        raise InputError(f"--plot path {args.plot!r} must end in .png, .svg or .pdf")
    model = load_model(args.model, args.activation, args.trust_pickle)
    data = _load_inputs(args.inputs) if args.inputs else None
    group = float_group(load_group(args.group, model.widths[0], model.widths[-1]))
    kwargs: dict[str, Any] = dict(samples=args.samples, seed=args.seed, scale=args.scale, data=data)
    if args.json or args.no_progress or not sys.stderr.isatty():
        report = measure(model, group, **kwargs)
    else:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("approximate: sampling layers", total=work_units(model, group, args.samples))
            report = measure(model, group, progress=lambda n: bar.advance(task, n), **kwargs)
    rounded = None
    if args.round_path is not None:
        from symeq.files import write_document

        rounded = round_network(model, group, report, digits=args.digits, held_out=args.samples,
                                seed=args.seed, scale=args.scale, data=data)
        write_document(rounded.document(), args.round_path)
    if args.plot is not None:
        plot_report(report, group, model, args.plot)
    if args.json:
        out = report.to_dict(matrices=args.matrices)
        out["rounded"] = None if rounded is None else {"path": args.round_path, **rounded.to_dict()}
        out["plot"] = args.plot
        emit_json(out)
    else:
        _print(report, rounded, args)
    return 0


def _load_inputs(path: str):
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"{path}: not a readable .npy array ({' '.join(str(exc).split())[:100]})") from None
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.dtype.kind not in "fiu" or data.shape[0] == 0:
        raise InputError(f"{path}: --inputs needs a 2-d numeric array with one sample per row")
    if not np.isfinite(data).all():
        raise InputError(f"{path}: --inputs has NaN or infinite entries")
    return data.astype(float)


#: Errors below this are floating-point round-off (their digits change with the BLAS build and
#: thread count), printed as "<1e-12".
ROUND_OFF = 1e-12


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"<{ROUND_OFF:.0e}" if 0 < x < ROUND_OFF else f"{x:.3g}"


def _print(report, rounded, args) -> None:
    a = "approximate:"
    print(f"{a} model {args.model}: {report.model}; latent groups K_i: {report.latent_group}")
    print(f"{a} group {report.group}; inputs {report.inputs}, {report.samples} to fit and {report.samples} "
          f"more to measure, seed {report.seed}")
    print(f"{a} median relative error |f(g y) - A f(y)| / |f(y)|; K = fitted element of K_i, "
          "linear = least-squares A_i; single = f_i alone, composite = f_i o ... o f_1")
    head = ("gen", "layer", "width", "K single", "K composite", "lin single", "lin composite", "rows")
    rows = [[f.generator, f"f_{f.layer}", str(f.width), _fmt(f.k_single), _fmt(f.k_composite),
             _fmt(f.linear_single), _fmt(f.linear_composite), _fmt(f.row_residual)] for f in report.fits]
    widths = [max(len(r[c]) for r in rows + [list(head)]) for c in range(len(head))]
    for r in [list(head)] + rows:
        print(a + "  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    for f in report.fits:
        if f.row_residual is not None:
            print(f"{a} {f.generator}, layer {f.layer}: k = {f.k.describe()}")
    L = max(f.layer for f in report.fits)
    for g in dict.fromkeys(f.generator for f in report.fits):
        end = report.fit(g, L)
        print(f"{a} {g}, end to end: median |f(g x) - rho_L(g) f(x)| / |f(x)| = {end.k_composite:.3g}")
    left = max(f.left_out for f in report.fits)
    if left:
        print(f"{a} up to {left} samples with f(y) = 0 were left out of a median")
    if rounded is not None:
        print(f"{a} rounded network written to {args.round_path}: averaged over {rounded.order} group elements, "
              f"entries over {rounded.denominator}")
        print(f"{a} the function moved by at most {rounded.max_change:.3g} (median {rounded.median_change:.3g}, "
              f"median relative {rounded.median_relative_change:.3g}) on {rounded.held_out} held-out inputs")
        for note in rounded.notes:
            print(f"{a} note: {note}")
        print(f"{a} prove the rounded network exactly with: symeq check {args.round_path}")
    if args.plot is not None:
        print(f"{a} figure written to {args.plot}")
