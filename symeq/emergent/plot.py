"""The figure of ``symeq emergent --plot``: errors per layer and first-layer filters by orbit type.

Left: the four median errors (K and linear fits, single layer and composite) per layer, one
group of bars per generator, on a log scale.  Right, when the input is an image (catalog groups
hmirror:HxW, vmirror:HxW, D4:HxW) and layer 1 has a monomial fit: the first-layer filters
W_1[j] drawn as H x W images, one row per orbit type of the first generator's fitted action:
self-mirrored (k fixes j with sign +), anti-mirrored (fixes j with sign -), mirrored pairs,
negated mirrored pairs (pairs are drawn side by side).  Every title says "approximate".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from symeq.emergent.actions import MonomialMap
from symeq.emergent.measure import EmergentReport, FloatGroup
from symeq.emergent.protocol import approximate_architecture
from symeq.errors import InputError

__all__ = ["plot_report", "orbit_types", "FORMATS"]

FORMATS = (".png", ".svg", ".pdf")
_METRICS = (("k_single", "K, single layer"), ("k_composite", "K, composite"),
            ("linear_single", "linear, single layer"), ("linear_composite", "linear, composite"))
_MAX_PER_ROW = 10


def orbit_types(k: MonomialMap) -> dict[str, list[int]]:
    """Neurons by orbit type under a fitted monomial map (pairs listed together, smaller first).

    >>> orbit_types(MonomialMap(np.array([1, 0, 2, 3, 5, 4]), np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])))
    {'self-mirrored': [2], 'anti-mirrored': [3], 'mirrored pairs': [0, 1], 'negated pairs': [4, 5], 'longer cycles': []}
    """
    out: dict[str, list[int]] = {"self-mirrored": [], "anti-mirrored": [], "mirrored pairs": [],
                                 "negated pairs": [], "longer cycles": []}
    for j in range(k.dim):
        p = int(k.perm[j])
        neg = k.scale[j] < 0
        if p == j:
            out["anti-mirrored" if neg else "self-mirrored"].append(j)
        elif int(k.perm[p]) == j:
            if j < p:
                out["negated pairs" if neg else "mirrored pairs"].extend([j, p])
        else:
            out["longer cycles"].append(j)
    return out


def plot_report(report: EmergentReport, group: FloatGroup, model: Any, path: str | os.PathLike[str]) -> None:
    """Draw the figure into ``path`` (.png, .svg or .pdf), atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from symeq.files import atomic_write

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"plot path {str(p)!r} must end in {', '.join(FORMATS)}")
    first = report.fits[0].k if report.fits and report.fits[0].row_residual is not None else None
    filters = (group.image_shape is not None and isinstance(first, MonomialMap)
               and group.image_shape[0] * group.image_shape[1] == model.widths[0])
    fig = Figure(figsize=(13 if filters else 7, 5.5), dpi=110)
    FigureCanvasAgg(fig)
    if filters:
        grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.4], wspace=0.15)
        ax = fig.add_subplot(grid[0, 0])
        _filters(fig, grid[0, 1], approximate_architecture(model).first_layer_filters(model), group.image_shape,
                 first, report.fits[0].generator)
    else:
        ax = fig.add_subplot(1, 1, 1)
    _errors(ax, report)
    fig.suptitle(f"approximate: {report.model}, group {report.group} ({report.samples} samples, seed {report.seed})",
                 fontsize=10)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.88, bottom=0.12)

    def save(tmp: str) -> None:
        from matplotlib import rc_context

        with rc_context({"svg.hashsalt": "symeq"}):
            fig.savefig(tmp, format=suffix[1:], metadata={"Date": None} if suffix == ".svg" else None)

    atomic_write(p, save, suffix=suffix)


def _errors(ax: Any, report: EmergentReport) -> None:
    gens = sorted({f.generator for f in report.fits}, key=[f.generator for f in report.fits].index)
    layers = sorted({f.layer for f in report.fits})
    labels = [f"{g}: f_{i}" for g in gens for i in layers]
    x = np.arange(len(labels))
    width = 0.2
    for n, (attr, label) in enumerate(_METRICS):
        vals = [max(getattr(report.fit(g, i), attr), 1e-17) for g in gens for i in layers]
        ax.bar(x + (n - 1.5) * width, vals, width, label=label)
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8, rotation=30 if len(labels) > 6 else 0)
    ax.set_ylabel("median |f(g y) - A f(y)| / |f(y)|")
    ax.set_title("approximate equivariance error per layer (last layer: A = rho_L(g))", fontsize=9)
    ax.legend(fontsize=7)


def _filters(fig: Any, cell: Any, W1: np.ndarray, shape: tuple[int, int], k: MonomialMap, generator: str) -> None:
    types = [(name, js) for name, js in orbit_types(k).items() if js]
    sub = cell.subgridspec(len(types), _MAX_PER_ROW, hspace=0.5, wspace=0.1)
    lim = float(np.abs(W1).max()) or 1.0
    for r, (name, js) in enumerate(types):
        for c, j in enumerate(js[:_MAX_PER_ROW]):
            ax = fig.add_subplot(sub[r, c])
            ax.imshow(W1[j].reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(str(j), fontsize=6, pad=1)
            if c == 0:
                ax.set_ylabel(f"{name}\n({len(js)})", fontsize=7, rotation=0, ha="right", va="center")
    fig.text(0.62, 0.9, f"approximate: first-layer filters by orbit type of the fitted k_1({generator})",
             fontsize=8)
