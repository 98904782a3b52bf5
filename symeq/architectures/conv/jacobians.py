"""The Jacobians of theta -> (f(x_1; theta), ..., f(x_N; theta)) that give a convolutional
network its functional dimension (the generic engine :mod:`symeq.symmetry.functional_dimension`
asks for them through ``net.jacobians()``).

A convolutional layer is an MLP layer with block-circulant weights: the lowered MLP's parameters
are a linear image E theta of the convolutional ones (filter entry w_{c c'}(q) sits at every
(c, p), (c', p - q); a bias at every position of its channel; a dense readout maps one to one).
So the Jacobian in the convolutional parameters is J_MLP E, and every request is answered on the
lowered network (:class:`~symeq.architectures.mlp.jacobians.MLPJacobians`) with its columns
combined by E; directions are mapped by E before they are tested or proved.  Small networks
only (the lowering is dense).

With a stated filter support the architecture's coordinates are the filter entries at the
support's offsets, the biases and the readout (``ConvNet.coordinates``): E keeps only their
columns, and every direction this provider takes or gives (``prove``, ``annihilated``,
``candidates``) is a vector over them (``coordinates``, the protocol of
:mod:`symeq.symmetry.functional_dimension`).  On the whole grid ``coordinates`` is None.

>>> from symeq.architectures.conv import from_dict
>>> from symeq.symmetry.functional_dimension import functional_dimension
>>> net = from_dict({"architecture": "conv", "activation": "power:2", "grid": [3], "channels": [1, 1, 1],
...     "filters": [[[["1", "2", "0"]]], [[["1", "0", "1"]]]], "biases": [["1"], ["0"]]})
>>> fd = functional_dimension(net)
>>> fd.n_params, fd.orbit_dim, fd.rank, fd.status, fd.hidden_symmetries
(8, 1, 7, 'exact', 0)

The same network with filters on the support {0, 1}: 2 + 2 filter entries, 2 biases.

>>> supported = from_dict({"architecture": "conv", "activation": "power:2", "grid": [3], "channels": [1, 1, 1],
...     "support": [[0], [1]], "filters": [[[["1", "2"]]], [[["1", "0"]]]], "biases": [["1"], ["0"]]})
>>> fd = functional_dimension(supported)
>>> fd.n_params, fd.orbit_dim, fd.rank, fd.status, fd.coordinates
(6, 1, 5, 'exact', (0, 1, 3, 4, 5, 7))
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import sympy

from symeq.errors import BudgetExceeded
from symeq.symmetry.functional_dimension import restrict

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.model import ConvNet

__all__ = ["ConvJacobians", "embedding_columns", "channel_directions", "MAX_LOWERED_PARAMS"]


def embedding_columns(net: "ConvNet") -> list[list[int]]:
    """For every convolutional parameter (order of ``ConvNet.parameters``) the positions of the
    lowered MLP's parameters (order of ``MLP.parameters``) it fills."""
    N = net.grid.size
    pos = net.grid.positions
    out: list[list[int]] = []
    offset = 0
    for i, L in enumerate(net.layers, start=1):
        if net.is_dense(i):
            rows, cols = L.shape
            out.extend([[offset + k] for k in range(rows * cols + rows)])
            offset += rows * cols + rows
            continue
        C, C2, _ = L.shape
        cols = C2 * N
        for c in range(C):
            for c2 in range(C2):
                for q in range(N):
                    pp = net.grid.index_array(pos - pos[q])  # p' = p - q for every p
                    out.append([offset + (c * N + p) * cols + c2 * N + int(pp[p]) for p in range(N)])
        wsize = C * N * cols
        for c in range(C):
            out.append([offset + wsize + c * N + p for p in range(N)])
        offset += wsize + C * N
    return out


def channel_directions(net: "ConvNet") -> list[tuple[str, tuple[sympy.Expr, ...]]]:
    """Kernel directions around unread and constant channels, one coordinate at a time (the
    lowered MLP's candidates for such neurons, kept convolutional): every coordinate of a channel
    nobody reads (its filter entries at the support's offsets, its bias); for a channel with zero
    filters, whose output is the constant sigma(beta), its bias with the next layer's biases
    compensating by sigma'(beta) times the sum of the filters reading it, and every coordinate
    of the next layer reading it traded against that layer's bias (sigma(beta) each).

    >>> from symeq.architectures.conv import from_dict
    >>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [3], "channels": [1, 2, 1],
    ...     "support": [[0], [1]], "filters": [[[["0", "0"]], [["1", "2"]]], [[["1", "3"], ["0", "0"]]]],
    ...     "biases": [["1", "0"], ["0"]]})
    >>> [(name.split(": ", 1)[1], {k: x for k, x in enumerate(v) if x != 0}) for name, v in channel_directions(net)]
    [('its bias, the next biases compensating', {6: 1, 14: -4 + 4*tanh(1)**2}), ('the entry at offset 0 of the filter of channel 0 reading it, into its bias', {8: 1, 14: -tanh(1)}), ('the entry at offset 1 of the filter of channel 0 reading it, into its bias', {9: 1, 14: -tanh(1)}), ('nobody reads it: its entry at offset 0 from channel 0', {3: 1}), ('nobody reads it: its entry at offset 1 from channel 0', {4: 1}), ('nobody reads it: its bias', {7: 1})]
    """
    from symeq.architectures.conv.identifiability import _offsets
    from symeq.architectures.mlp.first_order import constant_values

    N = net.grid.size
    S = list(net.support) if net.support is not None else list(range(N))
    n = net.n_params
    offs = _offsets(net)

    def unit(entries: dict[int, Any]) -> tuple[sympy.Expr, ...]:
        v = [sympy.Integer(0)] * n
        for j, x in entries.items():
            v[j] = sympy.sympify(x)
        return tuple(v)

    def bias(i: int, c: int) -> int:
        return offs[i - 1] + net.layers[i - 1].weight.size + c

    out: list[tuple[str, tuple[sympy.Expr, ...]]] = []
    for i in range(1, net.depth):
        W, b = net.layers[i - 1].values()
        V, _ = net.layers[i].values()
        C2 = W.shape[1]
        for c in range(W.shape[0]):
            label = f"layer {i}, channel {c}"
            if net.unit_unread(i, c):
                for c2 in range(C2):
                    for q in S:
                        out.append((f"{label}: nobody reads it: its entry at offset {net.grid.label(net.grid.position(q))} "
                                    f"from channel {c2}", unit({offs[i - 1] + (c * C2 + c2) * N + q: 1})))
                out.append((f"{label}: nobody reads it: its bias", unit({bias(i, c): 1})))
                continue
            if any(x != 0 for x in W[c].reshape(-1)):
                continue
            vals = constant_values(net, b[c])
            if vals is None:  # on a kink: sigma' undefined there
                continue
            value, slope = vals
            # who reads channel c in layer i + 1: (output unit, parameter index, entry, description)
            if net.is_dense(i + 1):
                readers = [(d, offs[i] + d * V.shape[1] + c * N + p, V[d, c * N + p],
                            f"column {c * N + p} of readout row {d}") for d in range(V.shape[0]) for p in range(N)]
            else:
                readers = [(d, offs[i] + (d * V.shape[1] + c) * N + q, V[d, c, q],
                            f"entry at offset {net.grid.label(net.grid.position(q))} of the filter of channel {d}")
                           for d in range(V.shape[0]) for q in S]
            compensation = {}
            for d in range(V.shape[0]):
                total = sum((x for e, _, x, _ in readers if e == d), sympy.Integer(0))
                if total != 0:
                    compensation[bias(i + 1, d)] = sympy.expand(-slope * total)
            out.append((f"{label}: its bias, the next biases compensating", unit({bias(i, c): 1, **compensation})))
            for d, j, _, what in readers:
                out.append((f"{label}: the {what} reading it, into its bias", unit({j: 1, bias(i + 1, d): -value})))
    return out


#: Inputs per lowered Jacobian when directions are tested at many fresh inputs.
ANNIHILATION_CHUNK = 256
#: Most parameters of the lowered MLP whose Jacobian is built: one Python number per lowered
#: parameter and row (8 x 8 grid, channels 2-4-2: 65,920 of them, 3.3 GB).
MAX_LOWERED_PARAMS = 16384


class ConvJacobians:
    """The Jacobian provider of one convolutional network (see the module docstring)."""

    def __init__(self, net: "ConvNet") -> None:
        from symeq.architectures.mlp.jacobians import MLPJacobians

        self.net = net
        self.mlp = net.to_mlp()  # InputError for networks too large to lower
        n_mlp = len(self.mlp.parameters())
        if n_mlp > MAX_LOWERED_PARAMS:
            raise BudgetExceeded(f"unknown (budget): the lowered MLP has {n_mlp} parameters, more than "
                                 f"{MAX_LOWERED_PARAMS} for its dense Jacobian")
        self.inner = MLPJacobians(self.mlp)
        #: positions in ``net.parameters()`` of the coordinates (None: every entry)
        self.coordinates = None if net.support is None else net.coordinates()
        cols = embedding_columns(net)
        self.cols = cols if self.coordinates is None else [cols[k] for k in self.coordinates]
        self.n_mlp = len(self.mlp.parameters())

    def _combine(self, rows: Any) -> Any:
        return [[sum((row[k] for k in idx[1:]), row[idx[0]]) for idx in self.cols] for row in rows]

    def lift(self, v: Sequence[Any]) -> tuple[sympy.Expr, ...]:
        """E v: a convolutional direction (over the coordinates) as a direction of the lowered
        MLP's parameters."""
        out = [sympy.Integer(0)] * self.n_mlp
        for x, idx in zip(v, self.cols):
            if x != 0:
                for k in idx:
                    out[k] = out[k] + x
        return tuple(out)

    def exact_supported(self, inputs: Sequence[Sequence[Any]] | None) -> bool:
        # the convolution's tangents, not the lowered MLP's: for the identity those span all of
        # Aff(C |Omega|), (C |Omega|)^2 vectors of the lowered parameters (23 GB on an 8 x 8 grid)
        return self.inner.exact_supported(inputs, tangents=self.net.orbit_tangents())

    def exact(self, xs: Sequence[Sequence[Any]]) -> Any:
        jac = self.inner.exact(xs)
        J = np.asarray(jac.matrix, dtype=object)
        combined = np.stack([J[:, idx].sum(axis=1) for idx in self.cols], axis=1)
        return replace(jac, matrix=combined)

    def balls(self, xs: Sequence[Sequence[Any]]) -> list[list[Any]]:
        return self._combine(self.inner.balls(xs))

    def sample(self, count: int, seed: int) -> list[tuple]:
        return self.inner.sample(count, seed)

    def sample_balls(self, count: int, seed: int) -> list[tuple]:
        return self.inner.sample_balls(count, seed)

    def default_count(self) -> int:
        return max(2, -(-len(self.cols) // max(1, self.net.spaces()[-1])) + 2)

    def candidates(self) -> list[tuple[str, tuple]]:
        """The fiber directions of degenerate channels (:mod:`.identifiability`), over the
        coordinates (they stay inside a stated support)."""
        from symeq.architectures.conv.identifiability import degenerate_directions

        out = [(d.reason, d.delta) for d in degenerate_directions(self.net, every=True)] + channel_directions(self.net)
        if self.coordinates is None:
            return out
        return [(reason, restrict(v, self.coordinates, f"the direction of '{reason}'")) for reason, v in out]

    def stuck_note(self, jac: Any) -> str | None:
        return self.inner.stuck_note(jac)

    def annihilated(self, xs: list[tuple], vs: list[tuple]) -> list[bool]:
        # in chunks of inputs: the lowered Jacobian at thousands of fresh inputs would hold
        # millions of Python integers at once (hundreds of MB for a 6-12-6 lowering)
        lifted = [self.lift(v) for v in vs]
        ok = [True] * len(vs)
        for start in range(0, len(xs), ANNIHILATION_CHUNK):
            alive = [k for k in range(len(vs)) if ok[k]]
            if not alive:
                break
            for k, holds in zip(alive, self.inner.annihilated(xs[start:start + ANNIHILATION_CHUNK],
                                                               [lifted[k] for k in alive])):
                ok[k] = holds
        return ok

    def prove(self, v: tuple) -> str | None:
        return self.inner.prove(self.lift(v))
