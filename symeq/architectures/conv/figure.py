"""``symeq draw`` for convolutional networks: channels as units with their filters as small
images, and the latent action of one generator as arrows.

Each layer is a column of channels; hidden channel c of layer i shows the filters reading it
from input channel 0 (1-D grids as a strip, 2-D grids as an image; red positive, blue negative,
offset 0 marked), and thin grey lines join channels connected by a nonzero filter.  With a
latent action (``symeq latent`` holds) an arrow goes from channel c to k_i(g)'s channel pi(c),
labelled with its relation (a minus sign for a negated channel) and its translation t_c, and
the column's caption names the grid map s(g) that completes rho_i(g) = s(g) o k_i(g).

>>> import tempfile, os
>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> out = os.path.join(tempfile.mkdtemp(), "z6.svg")
>>> r = draw(net, G, out)
>>> r.arrows, os.path.getsize(out) > 1000
(['layer 1: channel 0 -> 0 (shift 5)'], True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symeq.architectures.conv.group import ConvGroupAction
from symeq.architectures.conv.model import ConvNet
from symeq.errors import InputError
from symeq.files import atomic_write

__all__ = ["ConvDrawing", "draw", "FORMATS"]

FORMATS = (".png", ".svg")
#: Channels drawn per layer at most.
MAX_CHANNELS = 24


@dataclass(frozen=True)
class ConvDrawing:
    """What was drawn: the file, the generator whose action the arrows show, the arrows."""

    path: str
    generator: str | None
    arrows: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    verdict = "holds"

    @property
    def reason(self) -> str:
        return f"wrote {self.path}"

    def certificate(self) -> None:
        return None

    def lines(self) -> list[str]:
        out = [f"wrote {self.path}"]
        if self.generator is not None and self.arrows:
            out.append(f"arrows: the latent action k_i({self.generator}) (rho_i = s o k_i)")
            out.extend(f"  {a}" for a in self.arrows)
        out.extend(f"note: {n}" for n in self.notes)
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict[str, Any]:
        return {"out": self.path, "generator": self.generator, "arrows": self.arrows, "notes": list(self.notes)}


def _image(net: ConvNet, values: np.ndarray) -> np.ndarray:
    vals = np.array([float(v) for v in values], dtype=float)
    return vals.reshape(net.grid.shape) if net.grid.dim == 2 else vals.reshape(1, -1)


def draw(net: ConvNet, group: ConvGroupAction | None, path: str | os.PathLike[str], generator: str | None = None,
         budget: int = 20_000) -> ConvDrawing:
    """Draw ``net`` (and the latent action of ``generator`` when one exists) into ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"output {str(p)!r} must end in .png or .svg")
    if net.symbols:
        raise InputError("draw needs numeric parameters; the network has symbols")
    notes: list[str] = []
    actions = None
    if group is not None:
        from symeq.architectures.conv.construction import latent

        if generator is not None and generator not in group.names:
            raise InputError(f"unknown generator {generator!r}; the group has {', '.join(group.names)}")
        res = latent(net, group, budget, structure=False, consult=False)
        if res.actions is not None:
            generator = generator or group.names[0]
            actions = res.actions.generator(generator)
        else:
            notes.append(f"no latent action drawn: {res.summary}")
            generator = None
    else:
        notes.append("no group: drawn without a latent action")
    chans = list(net.channels)
    if net.readout == "dense":
        chans.append(net.spaces()[-1])
    L = net.depth
    tall = min(max(chans), MAX_CHANNELS)
    fig = Figure(figsize=(2.6 * (L + 1) + 1, 1.1 * tall + 1.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.8, 2.6 * L + 1.4)
    ax.set_ylim(-1.2 * tall - 0.6, 1.7)
    ax.axis("off")

    def pos(i: int, c: int) -> tuple[float, float]:
        n = min(chans[i], MAX_CHANNELS)
        return 2.6 * i + 0.3, -1.2 * c - 0.6 * (tall - n)

    vmax = max((abs(float(v)) for Lr in net.layers for v in Lr.values()[0].reshape(-1)), default=1.0) or 1.0
    for i in range(L + 1):
        n = min(chans[i], MAX_CHANNELS)
        label = "input" if i == 0 else ("output" if i == L else f"layer {i}")
        ax.text(pos(i, 0)[0] + 0.4, 0.9, label, ha="center", fontsize=9)
        for c in range(n):
            x, y = pos(i, c)
            if 0 < i and not net.is_dense(i):
                w, _ = net.layers[i - 1].values()
                img = _image(net, w[c, 0])
                h = 0.9 if net.grid.dim == 2 else 0.35
                ax.imshow(img, cmap="bwr", vmin=-vmax, vmax=vmax, extent=(x, x + 0.9, y - h / 2, y + h / 2),
                          interpolation="nearest")
                ax.plot([x + 0.05], [y + h / 2 - 0.05], marker="+", color="k", markersize=4)
            else:
                ax.add_patch(_box(x, y))
            ax.text(x - 0.12, y, str(c), ha="right", va="center", fontsize=8)
        if n < chans[i]:
            ax.text(pos(i, n - 1)[0] + 0.4, pos(i, n - 1)[1] - 0.7, f"... {chans[i] - n} more", ha="center",
                    fontsize=7)
    for i in range(1, L + 1):
        w, _ = net.layers[i - 1].values()
        if net.is_dense(i):
            continue
        for c in range(min(w.shape[0], MAX_CHANNELS)):
            for c2 in range(min(w.shape[1], MAX_CHANNELS)):
                if any(v != 0 for v in w[c, c2]):
                    (x0, y0), (x1, y1) = pos(i - 1, c2), pos(i, c)
                    ax.plot([x0 + 0.95, x1 - 0.05], [y0, y1], color="#bbbbbb", linewidth=0.6, zorder=0)
    arrows: list[str] = []
    if actions is not None and generator is not None:
        for i, k in enumerate(actions, start=1):
            if not hasattr(k, "perm"):  # an affine map mixes channels: named, not drawn as arrows
                arrows.append(f"layer {i}: k_{i}({generator}) = {k.describe()}")
                continue
            for c in range(min(k.channels, MAX_CHANNELS)):
                d = k.perm[c]
                r, t = k.relations[c], k.shifts[c]
                label = ("-" if r.b == -1 else "" if r.b == 1 else f"{r.b}*") + (
                    f"T{net.grid.label(t)}" if any(t) else "")
                arrows.append(f"layer {i}: channel {c} -> {d}" + (f" (shift {net.grid.label(t)})" if any(t) else "")
                              + (" negated" if r.b == -1 else ""))
                (x0, y0), (x1, y1) = pos(i, c), pos(i, min(d, MAX_CHANNELS - 1))
                xa = x0 + 1.05
                style = "arc3,rad=-0.6" if c == d else "arc3,rad=-0.3"
                ax.add_patch(FancyArrowPatch((xa, y0 + 0.15), (xa, y1 - 0.15) if c == d else (xa, y1), connectionstyle=style,
                                             arrowstyle="->", mutation_scale=10, color="#b03000",
                                             linestyle="--" if r.b == -1 else "-"))
                if label:
                    ax.text(xa + 0.35, (y0 + y1) / 2, label, fontsize=7, color="#b03000", va="center")
            ax.text(pos(i, 0)[0] + 0.4, -1.2 * tall - 0.2, f"s({generator}): {group.grid_map(generator).describe()}"
                    if group is not None else "", ha="center", fontsize=7)
    title = (f"{net.activation.spec} convolution on {net.grid.describe()}, channels "
             f"{'-'.join(map(str, net.channels))}")
    if generator is not None:
        title += f"; arrows: k_i({generator})"
    ax.text(-0.6, 1.6, title, fontsize=9, va="top")
    if notes:
        ax.text(0.0, -1.2 * tall - 0.45, "\n".join(notes)[:300], fontsize=7, color="#7f0000", va="top")
    metadata = {"Date": None} if suffix == ".svg" else {"Software": None}

    def save(tmp: str) -> None:
        from matplotlib import rc_context

        with rc_context({"svg.hashsalt": "symeq"}):
            fig.savefig(tmp, format=suffix[1:], metadata=metadata)

    atomic_write(p, save, suffix=suffix)
    return ConvDrawing(str(path), generator, arrows, tuple(notes))


def _box(x: float, y: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y - 0.2), 0.9, 0.4, facecolor="#eeeeee", edgecolor="#555555", linewidth=0.6)
