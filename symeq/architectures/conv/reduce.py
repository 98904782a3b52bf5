"""Submodel reduction of convolutional networks: remove unread channels, fold constant channels
into the next layer's biases, merge a channel that is a translate of another (docs/theory.md
sections 5 and 7.2, the convolutional counterpart of :mod:`symeq.architectures.mlp.reduce`).

The weak construction (:mod:`symeq.construction.weak`) runs at beta(theta~): theta~ is the
submodel without degenerate channels, beta pads it back to the original channel counts with zero
channels (zero filters in and out, zero bias).  Every rewrite step keeps the end-to-end function
exactly; with hidden layer i and the next layer's filters and biases (w', beta'):

``drop_channel`` (i, c)
    every filter of layer i + 1 reading channel c is zero: delete channel c (its filters and
    bias, and the zero filters reading it).
``zero_channel`` (i, c)
    the same when c is the only channel of its layer (a layer keeps >= 1 channel): its filters
    and bias are set to 0 instead, which changes nothing downstream.
``absorb_constant`` (i, c, s)
    every filter into channel c is zero, so y_c is the constant s = sigma(beta_c) at every
    position and layer i + 1 sees s * sum_q w'_{d c}(q), the same at every position: add it to
    beta'_d and delete channel c.  Only for an exact number s of the file grammar (as for the
    MLP) and when the layer has another channel.
``merge`` (i, keep c, remove d, relation (a, c0, b, e), translation t)
    channel d's filters and bias are a times channel c's translated by t (w_d(q) = a w_c(q - t))
    and beta_d = a beta_c + c0, with sigma(a z + c0) = b sigma(z) + e, so y_d(p) = b y_c(p - t) + e.
    A filter reading y_d reads b T_t y_c + e: w'_{. c}(q) += b w'_{. d}(q - t) (a dense readout:
    column (c, p) += b column (d, p + t)), beta' += e sum_q w'_{. d}(q), and channel d is deleted.

Periodic channels (fixed by a translation; docs/theory.md 7.2) are not removed: what layer i + 1
sees of them is a periodization, no smaller network of the architecture.  The steps run to a
fixed point.

Each step is, on the lowered block-circulant MLP (:meth:`~.model.ConvNet.to_mlp`), |Omega| of the
MLP's steps (:meth:`ChannelStep.lowered`), so the certificate's proof that f(theta) = f(theta~)
is the MLP's rewrite steps and the kernel replays it on the lowered networks.

>>> from symeq.architectures.conv import from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 2, 1],
...     "filters": [[[["1", "2", "0", "0"]], [["0", "-1", "-2", "0"]]],
...                 [[["1", "0", "0", "0"], ["0", "3", "0", "0"]]]], "biases": [["0", "0"], ["0"]]})
>>> red = reduce_conv(net)
>>> [s.describe() for s in red.steps], red.kept
(['layer 1: channel 1 is channel 0 moved by the relation (-1, 0, -1, 0) and the translation 1; merged into it'], ((0,),))
>>> red.reduced.layers[1].values()[0].tolist()
[[[1, 0, -3, 0]]]
>>> x = [sympy.Rational(1, 2), 0, -1, 2]
>>> red.reduced.value(x) == net.value(x) == red.beta(red.reduced).value(x)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symeq.activations import Relation
from symeq.architectures.conv.latent_group import ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet
from symeq.architectures.mlp.latent_map import IDENTITY, simplify_scalar
from symeq.architectures.mlp.reduce import not_absorbable
from symeq.errors import InputError
from symeq.exact import exact_string

__all__ = ["ChannelStep", "ConvReduction", "reduce_conv", "apply_step", "KERNEL_LOWERING"]

#: The largest flattened layer the kernel lowers to an MLP (symeq/kernel/conv.py ``lower``):
#: beyond it the certificate cannot carry the proof that f(theta) = f(beta(theta~)).
KERNEL_LOWERING = 512
_MAX_STEPS = 10_000


@dataclass(frozen=True)
class ChannelStep:
    """One function-preserving rewrite (see the module docstring for each ``op``); ``channel``
    and ``keep`` are positions in the *current* network, ``layer`` the hidden layer i."""

    op: str
    layer: int
    channel: int
    keep: int | None = None
    relation: Relation | None = None
    translation: tuple[int, ...] | None = None
    constant: sympy.Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        """The step in plain data (exact strings), for ``--json``."""
        d: dict[str, Any] = {"op": self.op, "layer": self.layer, "channel": self.channel}
        if self.keep is not None:
            d["keep"] = self.keep
        if self.relation is not None:
            d["relation"] = self.relation.as_strings()
        if self.translation is not None:
            d["translation"] = list(self.translation)
        if self.constant is not None:
            d["constant"] = exact_string(self.constant)
        return d

    def describe(self) -> str:
        """One line for reports."""
        at = f"layer {self.layer}: channel {self.channel}"
        if self.op == "drop_channel":
            return f"{at} is read by nothing; deleted"
        if self.op == "zero_channel":
            return f"{at} is read by nothing (the only channel of its layer); its filters and bias set to 0"
        if self.op == "absorb_constant":
            return f"{at} is the constant {self.constant}; moved into the biases of layer {self.layer + 1}"
        r, t = self.relation, self.translation
        assert r is not None and t is not None
        return (f"{at} is channel {self.keep} moved by the relation ({r.a}, {r.c}, {r.b}, {r.e}) and the "
                f"translation {','.join(map(str, t))}; merged into it")

    def lowered(self, net: ConvNet) -> list[dict[str, Any]]:
        """The same rewrite as the MLP's steps on the lowered network of ``net`` (the network the
        step applies to), in the certificate schema (docs/certificates.md, ``same_function``)."""
        grid, i, N = net.grid, self.layer, net.grid.size
        base = self.channel * N
        if self.op == "drop_channel":
            return [{"op": "drop_zero_column", "layer": i, "neuron": base} for _ in range(N)]
        if self.op == "zero_channel":
            return [{"op": "zero_neuron", "layer": i, "neuron": base + p} for p in range(N)]
        if self.op == "absorb_constant":
            s = exact_string(self.constant)
            return [{"op": "absorb_constant", "layer": i, "neuron": base, "constant": s} for _ in range(N)]
        assert self.keep is not None and self.relation is not None and self.translation is not None
        # neuron (d, p) is the image of neuron (keep, p - t); after p deletions at d's block the
        # keep block moved down by p when it lies after it
        pos = grid.positions
        src = grid.index_array(pos - np.array(self.translation, dtype=np.int64))
        moved = self.keep > self.channel
        return [{"op": "merge", "layer": i, "neuron": base, "keep": self.keep * N + int(src[p]) - (p if moved else 0),
                 "relation": self.relation.as_strings()} for p in range(N)]


@dataclass(frozen=True)
class ConvReduction:
    """The result of :func:`reduce_conv`: ``reduced`` (theta~) computes the function of
    ``original``; ``kept[i-1]`` lists the original indices of the channels of hidden layer i
    that survive; ``notes`` say which degenerate channels were kept and why."""

    original: ConvNet
    reduced: ConvNet
    steps: tuple[ChannelStep, ...] = ()
    kept: tuple[tuple[int, ...], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """True when at least one step was applied."""
        return bool(self.steps)

    def beta(self, theta: ConvNet) -> ConvNet:
        """Embed a network of the reduced architecture into the original one: kept channels at
        their original indices, zero channels (filters in and out, bias) elsewhere.  The
        embedded network computes the function of ``theta``."""
        if theta.channels != self.reduced.channels or theta.spaces() != self.reduced.spaces():
            raise InputError(f"beta expects channels {list(self.reduced.channels)}, got {list(theta.channels)}")
        orig, N = self.original, self.original.grid.size
        layers = []
        for i, (L, O) in enumerate(zip(theta.layers, orig.layers), start=1):
            w, b = L.values()
            W = np.zeros(O.shape, dtype=object)
            B = np.zeros(O.bias.shape, dtype=object)
            W[...] = sympy.Integer(0)
            B[...] = sympy.Integer(0)
            rows = list(self.kept[i - 1]) if i < orig.depth else list(range(O.shape[0]))
            cols = list(self.kept[i - 2]) if i > 1 else list(range(orig.channels[0]))
            if orig.is_dense(i):
                idx = [c * N + p for c in cols for p in range(N)]
                W[np.ix_(rows, idx)] = w
            else:
                W[np.ix_(rows, cols, range(N))] = w
            B[rows] = b
            layers.append(Layer.from_values(W, B))
        return orig._replace(layers)

    def embed(self, i: int, k: ChannelMap) -> ChannelMap:
        """The latent map of beta(theta~) on hidden layer i for the map k of theta~: k on the kept
        channels (at their original indices), the identity on the zero channels."""
        kept, C, grid = self.kept[i - 1], self.original.channels[i], self.original.grid
        perm, rels, shifts = list(range(C)), [IDENTITY] * C, [(0,) * grid.dim] * C
        for j, (p, r, t) in enumerate(zip(k.perm, k.relations, k.shifts)):
            perm[kept[j]], rels[kept[j]], shifts[kept[j]] = kept[p], r, t
        return ChannelMap.make(grid, perm, rels, shifts)

    def certificate_evidence(self) -> dict[str, Any]:
        """The steps theta -> theta~ as the lowered MLP's rewrite steps (what the kernel replays)."""
        steps, net = [], self.original
        for s in self.steps:
            steps += s.lowered(net)
            net = apply_step(net, s)
        return {"method": "rewrite_steps", "steps": steps}

    def equal_function_evidence(self) -> dict[str, Any] | None:
        """The certificate's proof that f(theta) = f(beta(theta~)) (docs/certificates.md): the
        original and reduced networks, the lowered rewrite steps from one to the other, and the
        lowered ``padding`` steps that delete the zero channels of beta(theta~); None when a layer
        is too large for the kernel to lower (:data:`KERNEL_LOWERING`)."""
        from symeq.certify.hints import padding

        if max(self.original.spaces()) > KERNEL_LOWERING:
            return None
        N = self.original.grid.size
        kept = [[c * N + p for c in k for p in range(N)] for k in self.kept]
        return {"method": "rewrite_steps", "original": self.original.to_dict(), "reduced": self.reduced.to_dict(),
                "steps": self.certificate_evidence()["steps"], "padding": padding(self.original.spaces(), kept)}


def _read(net: ConvNet, i: int, V: np.ndarray, c: int) -> Any:
    """The index of the filters of layer i + 1 reading channel c (dense: its columns)."""
    N = net.grid.size
    return (slice(None), slice(c * N, (c + 1) * N)) if net.is_dense(i + 1) else (slice(None), c)


def _delete(net: ConvNet, i: int, c: int, V: np.ndarray, b2: np.ndarray) -> ConvNet:
    w, b = net.layers[i - 1].values()
    N = net.grid.size
    cols = [k for k in range(V.shape[1]) if not (c * N <= k < (c + 1) * N)] if net.is_dense(i + 1) else \
        [k for k in range(V.shape[1]) if k != c]
    layers = list(net.layers)
    layers[i - 1] = Layer.from_values(np.delete(w, c, axis=0), np.delete(b, c))
    layers[i] = Layer.from_values(V[:, cols], b2)
    return net._replace(layers)


def apply_step(net: ConvNet, step: ChannelStep) -> ConvNet:
    """Apply one rewrite step to ``net`` (the engine emits only steps whose conditions it decided
    exactly; the kernel re-checks their lowered form)."""
    i, c = step.layer, step.channel
    V, b2 = (np.array(a, dtype=object) for a in net.layers[i].values())
    if step.op == "drop_channel":
        return _delete(net, i, c, V, b2)
    if step.op == "zero_channel":
        w, b = (np.array(a, dtype=object) for a in net.layers[i - 1].values())
        w[c] = sympy.Integer(0)
        b[c] = sympy.Integer(0)
        layers = list(net.layers)
        layers[i - 1] = Layer.from_values(w, b)
        return net._replace(layers)
    if step.op == "absorb_constant":
        sums = [sum(row, sympy.Integer(0)) for row in V[_read(net, i, V, c)]]
        b2 = np.array([simplify_scalar(x + step.constant * s) for x, s in zip(b2, sums)], dtype=object)
        return _delete(net, i, c, V, b2)
    if step.op == "merge":
        assert step.keep is not None and step.relation is not None and step.translation is not None
        r, t, grid = step.relation, step.translation, net.grid
        Vd = V[_read(net, i, V, c)]
        moved = Vd[:, grid.shift_table(grid.neg(t) if net.is_dense(i + 1) else t)]
        V[_read(net, i, V, step.keep)] = V[_read(net, i, V, step.keep)] + r.b * moved
        V = np.vectorize(simplify_scalar, otypes=[object])(V)
        b2 = np.array([simplify_scalar(x + r.e * sum(row, sympy.Integer(0))) for x, row in zip(b2, Vd)], dtype=object)
        return _delete(net, i, c, V, b2)
    raise ValueError(f"unknown step {step.op!r}")


def _next_step(net: ConvNet, notes: set[str]) -> ChannelStep | None:
    from symeq.architectures.conv.identifiability import degenerate_directions

    for d in degenerate_directions(net):
        data = dict(d.data)
        i = data["layer"]
        C = net.channels[i]
        if d.kind == "unread":
            c = data["channel"]
            if C > 1:
                return ChannelStep("drop_channel", i, c)
            w, b = net.layers[i - 1].values()
            if any(x != 0 for x in w[c].reshape(-1)) or b[c] != 0:
                return ChannelStep("zero_channel", i, c)
        elif d.kind == "constant":
            c = data["channel"]
            s = sympy.sympify(net.activation.value(net.layers[i - 1].values()[1][c]))
            why = not_absorbable(net, s)
            if why is None and C > 1:
                return ChannelStep("absorb_constant", i, c, constant=s)
            notes.add(f"layer {i}, channel {c}: its filters are zero, but its constant output {s} " +
                      (why or "is the only channel of its layer") + "; it was kept")
        elif d.kind == "related" and d.relation is not None:
            keep, c = data["channels"]
            return ChannelStep("merge", i, c, keep=keep, relation=d.relation, translation=tuple(data["translation"]))
        elif d.kind == "periodic":
            notes.add(f"{d.reason}: a periodic channel is no smaller network of the architecture; it was kept")
    return None


def reduce_conv(net: ConvNet) -> ConvReduction:
    """Reduce ``net`` to a submodel without unread, constant or related channels (where exactly
    possible), recording every step; symbolic networks and the identity activation are left as
    they are (with a note)."""
    kept = [list(range(c)) for c in net.channels[1:net.depth]]
    if net.symbols or net.activation.kind == "affine":
        why = "symbolic parameters" if net.symbols else "the identity activation (its K_i are not channel maps)"
        return ConvReduction(net, net, (), tuple(tuple(k) for k in kept),
                             (f"no convolutional reduction for {why}",))
    current, steps, notes = net, [], set()
    while len(steps) < _MAX_STEPS:
        step = _next_step(current, notes)
        if step is None:
            break
        before = current.channels[step.layer]
        current = apply_step(current, step)
        if current.channels[step.layer] < before:
            kept[step.layer - 1].pop(step.channel)
        steps.append(step)
    return ConvReduction(net, current, tuple(steps), tuple(tuple(k) for k in kept), tuple(sorted(notes)))
