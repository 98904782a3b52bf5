"""The ``[network]`` table of a circular convolutional network (DESIGN.md section 3), read and
written exactly.

    [network]
    architecture = "conv"
    activation = "tanh"
    grid = [6]                       # [n] or [n1, n2], circular
    channels = [1, 1, 1]             # C_0 .. C_L (dense readout: C_0 .. C_{L-1})
    filters = [ [[ ["1","1","0","2","2","0"] ]],     # filters[i][c_out][c_in]: values on the grid,
                [[ ["3","0","1","1","0","3"] ]] ]    # row-major, offset 0 first
    biases = [ ["0"], ["0"] ]        # one per output channel of every convolutional layer
    support = [[0], [1], [5]]        # optional: the offsets a filter may use (default: all)
    readout = { weights = [[...]], bias = [...] }   # optional: a dense readout d_L x C_{L-1}|Omega|

A filter is written as |Omega| values in index order (offset 0 first; 2-D row-major, or as n1
rows of n2 values), or, with a support, as |S| values at the support's offsets in the order
the support lists them.  Offsets may be negative (they are read mod n).

>>> d = {"architecture": "conv", "activation": "tanh", "grid": [2, 2], "channels": [1, 2, 1],
...      "filters": [[[[["1", "0"], ["0", "a"]]], [["0", "1", "0", "0"]]], [[["1", "0", "0", "0"], ["2", "0", "0", "0"]]]],
...      "biases": [["0", "1/2"], ["0"]]}
>>> net = conv_from_dict(d)
>>> net.channels, sorted(map(str, net.symbols))
((1, 2, 1), ['a'])
>>> conv_from_dict(conv_to_dict(net)) == net
True
>>> conv_from_dict(dict(d, support=[[0, 0], [0, 1]]))
Traceback (most recent call last):
...
symeq.errors.InputError: layer 1: the filter from channel 0 to channel 0 is nonzero at offset (1, 1), outside the support
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symeq.activations import activation
from symeq.architectures.conv.grid import Grid
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet
from symeq.errors import InputError
from symeq.exact import exact_string, parse_matrix, parse_vector, symbol

__all__ = ["conv_from_dict", "conv_to_dict", "MAX_CHANNELS"]

#: Largest number of channels of one layer.
MAX_CHANNELS = 256

_KEYS = {"architecture", "activation", "grid", "channels", "filters", "biases", "support", "readout",
         "symbols", "description"}


def _int_list(v: object, what: str) -> list[int]:
    if not isinstance(v, list) or not v or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        raise InputError(f"[network] {what} must be a non-empty list of integers")
    return list(v)


def _offsets(v: object, grid: Grid) -> list[int]:
    if not isinstance(v, list) or not v:
        raise InputError("[network] support must be a non-empty list of offsets")
    out = []
    for k, p in enumerate(v, start=1):
        if isinstance(p, int) and not isinstance(p, bool) and grid.dim == 1:
            p = [p]
        if not isinstance(p, list) or len(p) != grid.dim or not all(
                isinstance(x, int) and not isinstance(x, bool) for x in p):
            raise InputError(f"[network] support offset {k} must be a list of {grid.dim} integer(s)")
        out.append(grid.index(p))
    if len(set(out)) != len(out):
        raise InputError("[network] support lists an offset twice")
    return out


def _filter(v: object, grid: Grid, support: list[int] | None, symbols: Any, what: str) -> list[Any]:
    N = grid.size
    if grid.dim == 2 and isinstance(v, list) and v and all(isinstance(r, list) for r in v):
        m = parse_matrix(v, grid.shape, what, symbols)
        return list(m)
    if not isinstance(v, list):
        raise InputError(f"{what} must be a list of numbers")
    if len(v) == N:
        return list(parse_vector(v, N, what, symbols))
    if support is not None and len(v) == len(support):
        vals = list(parse_vector(v, len(support), what, symbols))
        full: list[Any] = [0] * N
        for q, x in zip(support, vals):
            full[q] = x
        return full
    extra = f" or {len(support)} (the support)" if support is not None else ""
    raise InputError(f"{what} has {len(v)} values, expected {N} (the grid){extra}")


def conv_from_dict(d: object) -> ConvNet:
    """Build a network from the ``[network]`` table, checking every shape."""
    if not isinstance(d, dict):
        raise InputError("[network] must be a table")
    unknown = {str(k) for k in d} - _KEYS
    if unknown:
        raise InputError(f"[network] has unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("activation", "grid", "channels", "filters", "biases"):
        if key not in d:
            raise InputError(f"[network] is missing {key!r}")
    act = activation(d["activation"])
    grid = Grid(tuple(_int_list(d["grid"], "grid")))
    symbols: Any = "declare"
    if "symbols" in d:
        names = d["symbols"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError("[network] symbols must be a list of names")
        symbols = {n: symbol(n) for n in names}
    channels = _int_list(d["channels"], "channels")
    if any(c < 1 or c > MAX_CHANNELS for c in channels):
        raise InputError(f"[network] channels must be integers from 1 to {MAX_CHANNELS}")
    filters, biases = d["filters"], d["biases"]
    dense = "readout" in d
    if not isinstance(filters, list) or not isinstance(biases, list):
        raise InputError("[network] filters and biases must be lists, one per convolutional layer")
    if len(filters) != len(biases):
        raise InputError(f"[network] has {len(filters)} filter banks but {len(biases)} bias lists")
    if not filters and not dense:
        raise InputError("[network] needs at least one layer")
    if len(channels) != len(filters) + 1:
        what = "C_0..C_{L-1}" if dense else "C_0..C_L"
        raise InputError(f"[network] channels must list {len(filters) + 1} numbers ({what}) for "
                         f"{len(filters)} convolutional layer(s)")
    support = _offsets(d["support"], grid) if "support" in d else None
    N = grid.size
    if N * max(channels) > 1 << 20:
        raise InputError("[network] a layer has more than 2^20 coordinates")
    layers = []
    for i, (bank, bias) in enumerate(zip(filters, biases), start=1):
        c_out, c_in = channels[i], channels[i - 1]
        if not isinstance(bank, list) or len(bank) != c_out:
            raise InputError(f"[network] filters[{i - 1}] must list {c_out} output channel(s)")
        w = np.empty((c_out, c_in, N), dtype=object)
        for c, row in enumerate(bank):
            if not isinstance(row, list) or len(row) != c_in:
                raise InputError(f"[network] filters[{i - 1}][{c}] must list {c_in} input channel(s)")
            for c2, f in enumerate(row):
                w[c, c2, :] = _filter(f, grid, support, symbols, f"filter {c2} -> {c} of layer {i}")
        b = parse_vector(bias, c_out, f"biases of layer {i}", symbols)
        layers.append(Layer.from_values(w, np.array(list(b), dtype=object)))
    if dense:
        r = d["readout"]
        if not isinstance(r, dict) or set(r) - {"weights", "bias"} or "weights" not in r:
            raise InputError("[network] readout must be a table with weights (and bias)")
        W = parse_matrix(r["weights"], None, "readout weights", symbols)
        if W.cols != channels[-1] * N:
            raise InputError(f"readout weights have {W.cols} columns, expected {channels[-1] * N} "
                             f"(C_{len(filters)} |Omega|)")
        b = parse_vector(r.get("bias", ["0"] * W.rows), W.rows, "readout bias", symbols)
        layers.append(Layer.from_values(np.array(W.tolist(), dtype=object), np.array(list(b), dtype=object)))
    return ConvNet(act, grid, layers, readout="dense" if dense else "conv", support=support)


def conv_to_dict(net: ConvNet) -> dict[str, Any]:
    """The ``[network]`` table of ``net`` (reading it back gives ``net``)."""
    grid = net.grid
    filters, biases = [], []
    for i, L in enumerate(net.layers, start=1):
        w, b = L.values()
        if net.is_dense(i):
            continue
        bank = []
        for c in range(L.shape[0]):
            row = []
            for c2 in range(L.shape[1]):
                vals = [exact_string(x) for x in w[c, c2]]
                if grid.dim == 2:
                    n2 = grid.shape[1]
                    vals = [vals[r * n2:(r + 1) * n2] for r in range(grid.shape[0])]
                row.append(vals)
            bank.append(row)
        filters.append(bank)
        biases.append([exact_string(x) for x in b])
    d: dict[str, Any] = {"architecture": "conv", "activation": net.activation.spec,
                         "grid": list(grid.shape), "channels": list(net.channels[:len(filters) + 1]),
                         "filters": filters, "biases": biases}
    if net.support is not None:
        d["support"] = [list(grid.position(q)) for q in net.support]
    if net.readout == "dense":
        w, b = net.layers[-1].values()
        d["readout"] = {"weights": [[exact_string(x) for x in row] for row in w],
                        "bias": [exact_string(x) for x in b]}
    return d

