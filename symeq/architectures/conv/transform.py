"""How latent elements and group elements move the parameters of a convolutional network.

For k = (pi, r, t) in K_i (:mod:`.latent_group`) the layer functions are conjugated,
f_i(.; (k.theta)_i) = k_i o f_i(.; theta_i) o k_{i-1}^{-1}, by two moves:

- *output side* of layer i (:func:`output_side`): output channel c goes to pi(c), its filters
  shifted by t_c and scaled by a_c, its bias a_c beta_c + c_c, so that
  sigma(new pre-activation)_{pi c}(p) = b_c f_c(p - t_c) + e_c;
- *input side* of layer i + 1 (:func:`input_side`, the composite f_{i+1} o k^{-1}): the filters
  reading channel c now read pi(c), shifted by -t_c (a dense readout's columns by +t_c) and
  divided by b_c, and the bias absorbs -sum_c (e_c / b_c) (sum of those filters).

theta^g (:func:`twisted`, docs/theory.md#70-one-frame-for-every-architecture and #72-circular-convolutions) reads every filter through the linear part A
of g's grid map, w(q) -> w(A q); the first layer also mixes input channels by R_in(g), the
readout mixes output channels by R_out(g)^{-1}; a dense readout's columns are read at g p.

>>> from symeq.architectures.conv import from_dict
>>> from symeq.architectures.conv.latent_group import ChannelMap, IDENTITY
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 1, 1],
...     "filters": [[[["1", "2", "0", "0"]]], [[["1", "0", "0", "3"]]]], "biases": [["0"], ["0"]]})
>>> k = ChannelMap.make(net.grid, (0,), (IDENTITY,), ((1,),))
>>> moved = net.act([k])
>>> [L.values()[0].reshape(-1).tolist() for L in moved.layers]
[[0, 1, 2, 0], [0, 0, 3, 1]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
import sympy

from symeq.architectures.conv.latent_group import ChannelMap
from symeq.architectures.conv.layers import Layer, exact_matrix_of

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.group import ConvGroupAction
    from symeq.architectures.conv.model import ConvNet

__all__ = ["output_side", "input_side", "act_layers", "twisted", "orbit_tangents"]


def _inverse_perm(perm: Sequence[int]) -> np.ndarray:
    inv = np.empty(len(perm), dtype=np.int64)
    inv[np.array(perm, dtype=np.int64)] = np.arange(len(perm))
    return inv


def output_side(net: "ConvNet", L: Layer, k: ChannelMap) -> Layer:
    """Layer L (convolutional) with its output channels moved by k (see the module docstring)."""
    grid = net.grid
    idx = np.stack([grid.shift_table(t) for t in k.shifts])[:, None, :]  # F(q - t_c)
    w = np.take_along_axis(L.weight, np.broadcast_to(idx, L.shape), axis=2)
    moved = Layer(w, L.bias, L.den)
    if any(r.a != 1 or r.c != 0 for r in k.relations):
        moved = moved.scaled_rows([r.a for r in k.relations], [r.c for r in k.relations])
    inv = _inverse_perm(k.perm)
    return Layer(moved.weight[inv], moved.bias[inv], moved.den)


def input_side(net: "ConvNet", i: int, L: Layer, k: ChannelMap) -> Layer:
    """Layer i (reading V_{i-1}) composed with k^{-1} on its input: f_i(.; L') = f_i(.; L) o k^{-1}."""
    grid, N = net.grid, net.grid.size
    C = k.channels
    dense = net.is_dense(i)
    sums = None
    if any(r.e != 0 for r in k.relations):
        sums = L.input_sums(C, N)  # before moving: sums over channel c
    if dense:
        cols = np.concatenate([c * N + grid.shift_table(t) for c, t in enumerate(k.shifts)])
        moved = L.gather(cols, axis=1)  # W[:, (c, p - t_c)]
    else:
        idx = np.stack([grid.shift_table(grid.neg(t)) for t in k.shifts])[None, :, :]  # F(q + t_c)
        moved = Layer(np.take_along_axis(L.weight, np.broadcast_to(idx, L.shape), axis=2), L.bias, L.den)
    if any(r.b != 1 for r in k.relations):
        inv_b = [1 / r.b for r in k.relations]
        column = np.repeat(np.arange(C), N) if dense else None
        moved = moved.scaled_inputs(inv_b, column)
    if sums is not None:
        delta = [-sympy.Add(*[sums[d, c] * k.relations[c].e / k.relations[c].b for c in range(C)])
                 for d in range(sums.shape[0])]
        moved = moved.shifted_bias(delta)
    # channel c now sits at pi(c)
    inv = _inverse_perm(k.perm)
    if dense:
        cols = np.concatenate([int(inv[p]) * N + np.arange(N) for p in range(C)])
        return moved.gather(cols, axis=1)
    return moved.gather(inv, axis=1)


def act_layers(net: "ConvNet", ks: Sequence[ChannelMap]) -> list[Layer]:
    """The layers of k . theta."""
    layers = list(net.layers)
    for i, k in enumerate(ks, start=1):
        # acting as the identity on V_i is not enough: z^2's (-1, 0, 1, 0) negates the row
        if k.is_identity() and all(r.a == 1 and r.c == 0 for r in k.relations):
            continue
        layers[i - 1] = output_side(net, layers[i - 1], k)
        layers[i] = input_side(net, i + 1, layers[i], k)
    return layers


def twisted(net: "ConvNet", group: "ConvGroupAction", g: str) -> "ConvNet":
    """theta^g (see the module docstring): f(.; theta^g) = rho_L(g)^{-1} o f(.; theta) o rho_0(g)."""
    gm = group.grid_map(g)
    r_in, r_out_inv = group.channel_matrices(g)
    L = net.depth
    layers = []
    lin = gm.linear_permutation
    for i, layer in enumerate(net.layers, start=1):
        if net.is_dense(i):
            N = net.grid.size
            cols = np.concatenate([c * N + gm.permutation for c in range(net.channels[i - 1])])
            new = layer.gather(cols, axis=1)
        else:
            new = layer.gather(lin, axis=2) if not gm.is_translation() else layer
            if i == 1 and r_in is not None:
                new = new.mix_inputs(exact_matrix_of(r_in))
        if i == L and r_out_inv is not None:
            new = new.mix_outputs(exact_matrix_of(r_out_inv))
        layers.append(new.reduced())
    return net._replace(layers)


def orbit_tangents(net: "ConvNet") -> list[tuple[sympy.Expr, ...]]:
    """Tangent vectors of the continuous part of K at theta, flat in the order of
    ``ConvNet.parameters``: one per hidden channel and Lie-algebra generator
    (alpha, gamma, beta, epsilon) of the activation's relations.

    >>> from symeq.architectures.conv import from_dict
    >>> net = from_dict({"architecture": "conv", "activation": "relu", "grid": [2], "channels": [1, 1, 1],
    ...     "filters": [[[["1", "2"]]], [[["3", "0"]]]], "biases": [["4"], ["0"]]})
    >>> orbit_tangents(net)
    [(1, 2, 4, -3, 0, 0)]
    """
    from symeq.activations.relations import derive_relations

    if net.activation.kind == "affine" and net.depth >= 2:
        return _affine_orbit_tangents(net)
    if not net.activation.families or net.depth < 2:
        return []
    rel = derive_relations(net.activation)
    offsets, k = [], 0
    for layer in net.layers:
        offsets.append(k)
        k += layer.weight.size + layer.bias.size
    n = k
    N = net.grid.size
    out: list[tuple[sympy.Expr, ...]] = []
    for i in range(1, net.depth):
        W, b = net.layers[i - 1].values()
        V, _ = net.layers[i].values()
        nxt = net.layers[i]
        for alpha, gamma, beta, eps in rel.lie_algebra:
            for c in range(W.shape[0]):
                v = [sympy.Integer(0)] * n
                base = offsets[i - 1]
                row = W.shape[1] * W.shape[2]
                for j, x in enumerate(W[c].reshape(-1)):
                    v[base + c * row + j] = alpha * x
                v[base + W.size + c] = alpha * b[c] + gamma
                base2 = offsets[i]
                if net.is_dense(i + 1):
                    for r in range(V.shape[0]):
                        for p in range(N):
                            col = c * N + p
                            v[base2 + r * V.shape[1] + col] = -beta * V[r, col]
                        v[base2 + V.size + r] += -eps * sum(V[r, c * N:(c + 1) * N])
                else:
                    C2 = V.shape[1]
                    for d in range(V.shape[0]):
                        for q in range(N):
                            v[base2 + (d * C2 + c) * N + q] = -beta * V[d, c, q]
                        v[base2 + nxt.weight.size + d] += -eps * sum(V[d, c, :])
                out.append(tuple(sympy.expand(x) for x in v))
    return out



def _affine_orbit_tangents(net: "ConvNet") -> list[tuple[sympy.Expr, ...]]:
    """The identity activation (:mod:`.affine`): for every hidden layer i the derivative of
    k . theta along E = e_(c c') delta_q (q an allowed offset: W_i gains E W_i, b_i gains E b_i,
    W_(i+1) loses W_(i+1) E) and along the shift of channel c (b_i gains e_c, b_(i+1) loses
    W_(i+1) e_c)."""
    offsets, n = [], 0
    for layer in net.layers:
        offsets.append(n)
        n += layer.weight.size + layer.bias.size
    N, out = net.grid.size, []
    for i in range(1, net.depth):
        W, b = net.layers[i - 1].values()
        V, _ = net.layers[i].values()
        dense, C = net.is_dense(i + 1), W.shape[0]
        b2 = offsets[i] + V.size  # where b_(i+1) starts
        for q in sorted(net.latent_group(i).allowed):
            table = net.grid.shift_table(net.grid.position(q))  # f(p - q) at p
            back = net.grid.shift_table(net.grid.neg(net.grid.position(q)))  # f(p + q) at p
            for c in range(C):
                for c1 in range(C):
                    v = [sympy.Integer(0)] * n
                    for c2 in range(W.shape[1]):  # row c of W_i gains delta_q * w_(c1 c2)
                        for p in range(N):
                            v[offsets[i - 1] + (c * W.shape[1] + c2) * N + p] = W[c1, c2, int(table[p])]
                    v[offsets[i - 1] + W.size + c] = b[c1]
                    for d in range(V.shape[0]):  # column c1 of W_(i+1) loses w_(d c) * delta_q
                        for p in range(N):
                            if dense:
                                v[offsets[i] + d * V.shape[1] + c1 * N + p] = -V[d, c * N + int(back[p])]
                            else:
                                v[offsets[i] + (d * V.shape[1] + c1) * N + p] = -V[d, c, int(table[p])]
                    out.append(tuple(v))
        for c in range(C):
            v = [sympy.Integer(0)] * n
            v[offsets[i - 1] + W.size + c] = sympy.Integer(1)
            for d in range(V.shape[0]):
                v[b2 + d] = -sympy.Add(*(V[d, c * N:(c + 1) * N] if dense else V[d, c]))
            out.append(tuple(v))
    return out
