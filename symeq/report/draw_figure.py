"""Render a :class:`~symeq.report.draw.DrawPlan` with matplotlib (no screen, no pyplot).

The figure is built on :class:`matplotlib.figure.Figure` with the Agg canvas, so drawing never
needs a display and never changes the backend of a user's interactive session.  Left panel: the
network as a layered graph (networkx ``multipartite_layout``, layer i at x = i, neuron 0 on
top), weights as grey lines, hidden neurons coloured by G-orbit with a marker per orbit type,
and the chosen generator's action as curved arrows inside each layer (dashed where it
negates; a dashed ring marks a neuron sent to its own negative).  Right panel, for image
inputs: the first-layer filters, one row per orbit, grouped by orbit type.

The file is written atomically: rendered to a temporary file in the target directory, then
renamed over the target.

>>> import tempfile, os
>>> from symeq.report.draw import DrawPlan, NeuronOrbit, Arrow
>>> plan = DrawPlan((2, 2, 1), "tanh", "S2/trivial", "t", (((0, 0, 1.0), (1, 1, 1.0)), ((0, 0, 1.0), (1, 0, 1.0))),
...                 (NeuronOrbit(1, (0, 1), "moved as copies"),), (Arrow(1, 0, 1, False), Arrow(1, 1, 0, False)),
...                 True, ())
>>> with tempfile.TemporaryDirectory() as d:
...     render(plan, os.path.join(d, "net.svg"))
...     sorted(os.listdir(d))
['net.svg']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from symeq.errors import InputError
from symeq.files import atomic_write
from symeq.report.draw import FILTER_LABELS, ORBIT_TYPES, DrawPlan

__all__ = ["render", "figure", "FORMATS"]

FORMATS = (".png", ".svg")

#: Marker per orbit type (colour tells orbits apart, shape tells their type).
_MARKERS = {"fixed": "o", "self-negated": "D", "moved as copies": "s", "moved as negated copies": "^"}
_BOUNDARY = "#d9d9d9"
_MAX_FILTER_ROWS = 24
_MAX_FILTER_COLS = 8


def _palette(n: int) -> list[tuple[float, float, float, float]]:
    from matplotlib import colormaps

    base = colormaps["tab10"].colors + colormaps["Dark2"].colors + colormaps["Set1"].colors
    return [(*base[k % len(base)][:3], 1.0) for k in range(n)]


def _slots(plan: DrawPlan) -> dict[tuple[int, int], int]:
    """The vertical slot of each hidden unit: orbit by orbit, and inside an orbit cycle by cycle
    of the drawn generator, j, p(j), p(p(j)), ...  Every cycle is then a run of neighbours
    closed by one arc, so the arrows of a 4-cycle such as (0 2 1 3) never cross.  Units keep
    their number as a label; input and output units keep their order.

    >>> from symeq.report.draw import DrawPlan, NeuronOrbit, Arrow
    >>> arrows = tuple(Arrow(1, j, t, False) for j, t in ((0, 2), (2, 1), (1, 3), (3, 0)))
    >>> plan = DrawPlan((1, 4, 1), "tanh", "C4", "r", (), (NeuronOrbit(1, (0, 1, 2, 3), "moved as copies"),),
    ...                 arrows, True, ())
    >>> [j for (i, j), _ in sorted(_slots(plan).items(), key=lambda kv: kv[1]) if i == 1]
    [0, 2, 1, 3]
    """
    out: dict[tuple[int, int], int] = {}
    L = len(plan.widths) - 1
    for i, w in enumerate(plan.widths):
        if not 0 < i < L or not plan.has_action:
            out.update({(i, j): j for j in range(w)})
            continue
        step = {a.source: a.target for a in plan.arrows if a.layer == i}
        groups = [o.neurons for o in plan.orbits if o.layer == i]
        placed: list[int] = []
        for start in [j for g in groups for j in g] + list(range(w)):
            j = start
            while j not in placed:
                placed.append(j)
                j = step.get(j, j)
        out.update({(i, j): slot for slot, j in enumerate(placed)})
    return out


def _positions(widths: tuple[int, ...], slots: dict[tuple[int, int], int] | None = None,
               ) -> dict[tuple[int, int], tuple[float, float]]:
    import networkx as nx

    g = nx.Graph()
    for i, w in enumerate(widths):
        for j in range(w):
            g.add_node((i, j), layer=i)
    pos = nx.multipartite_layout(g, subset_key="layer", align="vertical", scale=1.0)
    # multipartite_layout spreads a layer in insertion order from bottom to top; put neuron 0 on
    # top and use equal spacing across layers, so arrows inside a layer have a common scale
    tallest = max(widths)
    step = 2.0 / max(tallest - 1, 1)
    out = {}
    for (i, j), (x, _) in pos.items():
        w = widths[i]
        slot = j if slots is None else slots[(i, j)]
        out[(i, j)] = (float(i), ((w - 1) / 2 - slot) * step)
    return out


def _draw_network(ax, plan: DrawPlan) -> list:
    """Draw the layered graph on ``ax``; return the legend handles."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    widths = plan.widths
    L = len(widths) - 1
    pos = _positions(widths, _slots(plan))
    tallest = max(widths)
    step = 2.0 / max(tallest - 1, 1)
    node_r = min(0.12, step * 0.32)
    # weights
    segs, alphas = [], []
    for i, layer in enumerate(plan.edges, start=1):
        for j, k, s in layer:
            segs.append((pos[(i - 1, j)], pos[(i, k)]))
            alphas.append(0.12 + 0.55 * s)
    if segs:
        colors = [(0.45, 0.45, 0.45, a) for a in alphas]
        widths_lw = [0.4 + 1.2 * (a - 0.12) / 0.55 for a in alphas]
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths_lw, zorder=1))
    # neurons
    palette = _palette(len(plan.orbits))
    size = 170.0 if tallest <= 8 else max(10.0, 1400.0 / tallest)  # marker area in points^2
    for i, w in enumerate(widths):
        for j in range(w):
            n = plan.orbit_of(i, j) if 0 < i < L else None
            x, y = pos[(i, j)]
            if n is None:
                ax.scatter([x], [y], s=size, marker="o",
                           c=[_BOUNDARY], edgecolors="#555555", linewidths=0.8, zorder=3)
            else:
                o = plan.orbits[n]
                ax.scatter([x], [y], s=size, marker=_MARKERS[o.type],
                           c=[palette[n]], edgecolors="black", linewidths=0.8, zorder=3)
            if tallest <= 24:
                ax.text(x - node_r * 1.6, y, str(j), ha="right", va="center", fontsize=7, color="#333333",
                        zorder=4)
    # the chosen generator's action
    for a in plan.arrows:
        p, q = pos[(a.layer, a.source)], pos[(a.layer, a.target)]
        style = "--" if a.negated else "-"
        color = "#b2182b" if a.negated else "#2166ac"
        if a.source == a.target:  # a ring in display space (the axes' aspect is not equal)
            ax.scatter([p[0]], [p[1]], s=size * 2.8, marker="o", facecolors="none", edgecolors=color,
                       linestyles="--", linewidths=1.3, zorder=5)
            continue
        # a longer arc bulges more for the same rad; keep far jumps flatter
        span = abs(p[1] - q[1]) / step
        rad = 0.5 / (1 + 0.3 * (span - 1))
        ax.add_patch(FancyArrowPatch(p, q, connectionstyle=f"arc3,rad={rad:.3f}", arrowstyle="-|>",
                                     mutation_scale=10, linestyle=style, color=color, linewidth=1.2,
                                     shrinkA=6, shrinkB=6, zorder=5))
    # layer names
    for i in range(L + 1):
        name = "input" if i == 0 else "output" if i == L else f"layer {i}"
        top = max(y for (l, _), (_, y) in pos.items() if l == i)
        ax.text(i, top + max(step, 0.2) * 0.9 + 0.05, f"{name}\n(d={widths[i]})", ha="center", va="bottom",
                fontsize=8)
    ax.set_xlim(-0.6, L + 0.6)
    ys = [y for _, y in pos.values()]
    ax.set_ylim(min(ys) - max(step, 0.2) * 0.7, max(ys) + max(step, 0.2) * 1.6 + 0.1)
    ax.set_aspect("auto")
    ax.axis("off")
    # legend: line thickness, units, orbit types present, then arrow styles
    handles = []
    if segs:
        handles.append(Line2D([], [], color=(0.45, 0.45, 0.45, 0.67), linewidth=1.6,
                              label="thick, dark line: largest |w| in its layer"))
        handles.append(Line2D([], [], color=(0.45, 0.45, 0.45, 0.2), linewidth=0.6,
                              label="thin, light line: small |w| (none: w = 0)"))
    handles.append(Line2D([], [], linestyle="", marker="o", markerfacecolor=_BOUNDARY, markeredgecolor="#555555",
                          markersize=7, label="grey: input/output, or no orbit"))
    present = [t for t in ORBIT_TYPES if any(o.type == t for o in plan.orbits)]
    for t in present:
        handles.append(Line2D([], [], linestyle="", marker=_MARKERS[t], markerfacecolor="white",
                                     markeredgecolor="black", markersize=7,
                              label=f"{t} (colour: one orbit)"))
    if plan.generator is not None and plan.has_action:
        if any(not a.negated for a in plan.arrows):
            handles.append(Line2D([], [], color="#2166ac", linestyle="-", label=f"{plan.generator}: j -> p(j)"))
        if any(a.negated for a in plan.arrows):
            handles.append(Line2D([], [], color="#b2182b", linestyle="--",
                                  label=f"{plan.generator}: j -> -p(j) (negates; a ring: j -> -j)"))
    return handles


def _filter_rows(plan: DrawPlan) -> list[tuple[str, tuple[int, ...]]]:
    """(label, neurons) per row of the filter panel: orbits of layer 1 grouped by type."""
    layer1 = list(plan.filter_orbits)
    if not layer1:
        d1 = plan.widths[1]
        return [("no orbits: index order", tuple(range(s, min(s + _MAX_FILTER_COLS, d1))))
                for s in range(0, d1, _MAX_FILTER_COLS)]
    rows = []
    for t in ORBIT_TYPES:
        for o in layer1:
            if o.type == t:
                rows.append((FILTER_LABELS[t] if plan.group_order == 2 else t, o.neurons))
    return rows


def _draw_filters(fig, spec, plan: DrawPlan) -> None:
    import numpy as np

    h, w = plan.image_shape  # type: ignore[misc]
    rows = _filter_rows(plan)
    shown = rows[:_MAX_FILTER_ROWS]
    ncols = min(_MAX_FILTER_COLS, max(len(n) for _, n in shown))
    vmax = max((abs(v) for f in plan.filters for v in f), default=1.0) or 1.0
    grid = spec.subgridspec(len(shown), ncols + 1, width_ratios=[2.6] + [1] * ncols, hspace=0.45, wspace=0.12)
    palette = _palette(len(plan.orbits))
    for r, (label, neurons) in enumerate(shown):
        lab = fig.add_subplot(grid[r, 0])
        lab.axis("off")
        lab.text(1.0, 0.5, label + ("\nneurons " if len(neurons) > 1 else "\nneuron ") + ", ".join(map(str, neurons[:ncols])),
                 ha="right", va="center", fontsize=7, transform=lab.transAxes)
        for c in range(ncols):
            ax = fig.add_subplot(grid[r, c + 1])
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(neurons):
                ax.axis("off")
                continue
            j = neurons[c]
            img = np.array(plan.filters[j], dtype=float).reshape(h, w)
            ax.imshow(img, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
            n = plan.orbit_of(1, j)
            if n is not None:
                for side in ax.spines.values():
                    side.set_edgecolor(palette[n])
                    side.set_linewidth(2.0)
            ax.set_title(str(j), fontsize=6, pad=1.5)
    if len(rows) > len(shown):
        fig.text(0.99, 0.01, f"filter panel: {len(rows) - len(shown)} more orbit rows not shown",
                 ha="right", fontsize=7)


def render(plan: DrawPlan, path: str | os.PathLike[str]) -> None:
    """Draw ``plan`` into ``path`` (.png or .svg), atomically."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"output {str(p)!r} must end in .png or .svg")
    fig = figure(plan)
    metadata = {"Date": None} if suffix == ".svg" else {"Software": None}

    def save(tmp: str) -> None:
        from matplotlib import rc_context

        with rc_context({"svg.hashsalt": "symeq"}):  # the same plan gives the same file
            fig.savefig(tmp, format=suffix[1:], metadata=metadata)

    atomic_write(p, save, suffix=suffix)


def figure(plan: DrawPlan) -> Any:
    """The :class:`matplotlib.figure.Figure` of ``plan`` (Agg canvas, no pyplot: a notebook shows
    it as the value of a cell; ``fig.savefig(path)`` writes it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    L = len(plan.widths) - 1
    tall = max(plan.widths)
    height = min(max(3.4, 0.32 * tall + 1.9), 18.0)
    has_filters = plan.image_shape is not None and plan.widths[0] > 0 and plan.filters
    # wide enough for two legend columns; beside a filter panel the legend has the whole width
    net_width = max(4.0 if has_filters else 5.6, 1.7 * (L + 1))
    filter_width = 0.0
    if has_filters:
        rows = _filter_rows(plan)[:_MAX_FILTER_ROWS]
        ncols = min(_MAX_FILTER_COLS, max(len(n) for _, n in rows))
        filter_width = 2.0 + 0.85 * ncols
        height = max(height, min(0.8 * len(rows) + 1.6, 18.0))
    fig = _figure_class()(figsize=(net_width + filter_width, height), dpi=110)
    FigureCanvasAgg(fig)
    if has_filters:
        grid = fig.add_gridspec(1, 2, width_ratios=[net_width, filter_width], wspace=0.08)
        ax = fig.add_subplot(grid[0, 0])
        handles = _draw_network(ax, plan)
        _draw_filters(fig, grid[0, 1], plan)
    else:
        ax = fig.add_subplot(1, 1, 1)
        handles = _draw_network(ax, plan)
    title = f"{plan.activation} {plan.architecture.upper()} {'-'.join(map(str, plan.widths))}, group {plan.group}"
    if plan.generator is not None and plan.has_action:
        title += f"; arrows: latent action of {plan.generator}"
    fig.suptitle(title, fontsize=10)
    # below the panels: the legend, then the notes; their heights in inches set the margin
    notes = [line for n in plan.notes for line in _wrap(n, int(fig.get_figwidth() * 15)).split("\n")]
    notes_h = 0.14 * len(notes) + (0.08 if notes else 0.0)
    ncol = 2 if fig.get_figwidth() < 9 else 3
    legend_h = 0.19 * (-(-len(handles) // ncol)) + (0.1 if handles else 0.0)
    height_in = fig.get_figheight()
    if notes:
        fig.text(0.01, 0.04 / height_in, "\n".join(notes), ha="left", va="bottom", fontsize=7, color="#7f0000")
    if handles:
        fig.legend(handles=handles, loc="lower left", ncol=ncol, fontsize=7, frameon=False,
                   bbox_to_anchor=(0.01, (notes_h + 0.02) / height_in))
    fig.subplots_adjust(left=0.03, right=0.98, top=1 - 0.45 / height_in,
                        bottom=min(0.45, (notes_h + legend_h + 0.1) / height_in))
    return fig


def picture(write: Any) -> Any:
    """A figure showing the PNG that ``write(path)`` draws (architectures whose drawing writes a
    file rather than a plan), with ``_repr_png_`` like :func:`figure`'s."""
    import os
    import tempfile

    from matplotlib.image import imread

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "drawing.png")
        write(path)
        img = imread(path)
    fig = _figure_class()(figsize=(img.shape[1] / 100, img.shape[0] / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(img)
    ax.axis("off")
    return fig


def _figure_class() -> type:
    """:class:`matplotlib.figure.Figure` with ``_repr_png_``, so a notebook shows it as a cell's
    value without pyplot or ``%matplotlib inline`` (a plain Figure only shows through pyplot)."""
    from matplotlib.figure import Figure

    global _SymeqFigure
    if _SymeqFigure is None:
        class SymeqFigure(Figure):
            def _repr_png_(self) -> bytes:
                import io

                buf = io.BytesIO()
                self.savefig(buf, format="png")
                return buf.getvalue()

        _SymeqFigure = SymeqFigure
    return _SymeqFigure


_SymeqFigure: type | None = None


def _wrap(text: str, width: int = 120) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
