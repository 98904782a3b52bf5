"""Circular convolutional networks (docs/theory.md#72-circular-convolutions).

Signals live on a grid Omega = Z_{n_1} (x Z_{n_2}) with C_i channels: V_i = R^{C_i x Omega},
flattened channel-major (channel c, position p is coordinate c |Omega| + index(p), positions
row-major).  A hidden layer is

    f_i(x)_c = sigma( sum_{c'} w^i_{c c'} * x_{c'} + beta^i_c ),   (w * x)(p) = sum_q w(q) x(p - q),

and the readout is linear: a convolution (V_L = R^{C_L x Omega}) or a dense layer
(V_L = R^{d_L}, weights W_L of shape d_L x C_{L-1} |Omega|).  Filters may be restricted to a
stated support S of offsets (the whole grid by default); every filter of every convolutional
layer vanishes outside S.

The generalized adjunction (docs/theory.md#70-one-frame-for-every-architecture): a grid map g (p -> A p + t) acts on every V_i by
(s(g) x)_c(p) = x_c(g^{-1} p), and s(g)^{-1} f_i(s(g) x; w) = f_i(x; w o A): filters are read
through the linear part.  So theta^g (:meth:`ConvNet.twist`) moves *every* layer's filters,
the first layer also by the matrix on input channels and the readout by the inverse of the
matrix on output channels, and k_i(g) is a crossed homomorphism.

>>> from symeq.architectures.conv import from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> net.spaces(), net.depth, net.n_params
((6, 6, 6), 2, 14)
>>> x = sympy.ImmutableMatrix([1, 0, 0, 0, 0, 0])
>>> net.layer(1, x).T
Matrix([[tanh(1), tanh(1), 0, tanh(2), tanh(2), 0]])
>>> net.to_mlp().weights[0].row(1)
Matrix([[1, 1, 0, 2, 2, 0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import sympy
from sympy import ImmutableMatrix

from symeq.activations import Activation
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.conv.affine import AffineConvGroup, ConvAffineMap, full_row_rank
from symeq.architectures.conv.latent_group import ChannelGroup, ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.group import ConvGroupAction

__all__ = ["ConvNet", "MAX_LOWERED"]

#: Largest hidden dimension C_i |Omega| for which a network is lowered to a dense MLP.
MAX_LOWERED = 1024


class ConvNet:
    """A circular convolutional network with one activation on every hidden layer.

    ``layers[i-1]`` holds layer i (:class:`~symeq.architectures.conv.layers.Layer`);
    ``channels`` is (C_0, ..., C_{L-1}) followed by C_L for a convolutional readout;
    ``readout`` is ``"conv"`` or ``"dense"``; ``support`` the allowed filter offsets (sorted
    grid indices) or None for the whole grid.
    """

    architecture = "conv"

    def __init__(self, activation: Activation, grid: Grid, layers: Sequence[Layer], *,
                 readout: str = "conv", support: Sequence[int] | None = None) -> None:
        layers = tuple(layers)
        if not layers:
            raise InputError("a network needs at least one layer")
        if readout not in ("conv", "dense"):
            raise InputError(f"readout must be \"conv\" or \"dense\", got {readout!r}")
        N = grid.size
        channels = [layers[0].shape[1]] if not (readout == "dense" and len(layers) == 1) else \
            [layers[0].shape[1] // N]
        for i, L in enumerate(layers, start=1):
            dense = readout == "dense" and i == len(layers)
            if dense:
                if L.weight.ndim != 2 or L.shape[1] != channels[-1] * N:
                    raise InputError(f"the dense readout must have {channels[-1] * N} columns "
                                     f"(C_{i - 1} |Omega|), got shape {L.shape}")
                if L.bias.shape != (L.shape[0],):
                    raise InputError(f"the readout bias must have length {L.shape[0]}")
                continue
            if L.weight.ndim != 3 or L.shape[2] != N or L.shape[0] < 1 or L.shape[1] < 1:
                raise InputError(f"layer {i}: filters must have shape C_{i} x C_{i - 1} x |Omega| "
                                 f"with |Omega| = {N}, got {L.shape}")
            if L.shape[1] != channels[-1]:
                raise InputError(f"layer {i} reads {L.shape[1]} channels, but layer {i - 1} has {channels[-1]}")
            if L.bias.shape != (L.shape[0],):
                raise InputError(f"layer {i}: one bias per output channel ({L.shape[0]}) expected")
            channels.append(L.shape[0])
        sup = None
        if support is not None:
            sup = tuple(sorted({int(s) for s in support}))
            if not sup or sup[0] < 0 or sup[-1] >= N:
                raise InputError("support offsets must be grid positions")
            if len(sup) < N:
                outside = np.ones(N, dtype=bool)
                outside[list(sup)] = False
                for i, L in enumerate(layers, start=1):
                    if readout == "dense" and i == len(layers):
                        continue
                    w, _ = (L.weight, None) if L.kind == "int" else L.values()
                    nz = np.array([[[x != 0 for x in row] for row in plane] for plane in w], dtype=bool) \
                        if L.kind == "exact" else (w != 0)
                    if nz[:, :, outside].any():
                        c, c2, q = (int(v) for v in np.argwhere(nz[:, :, outside])[0])
                        q = int(np.nonzero(outside)[0][q])
                        raise InputError(f"layer {i}: the filter from channel {c2} to channel {c} is nonzero "
                                         f"at offset {grid.label(grid.position(q))}, outside the support")
            else:
                sup = None
        self.__dict__.update(activation=activation, grid=grid, layers=layers, readout=readout,
                             support=sup, channels=tuple(channels))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a ConvNet is immutable; methods return new networks")

    activation: Activation
    grid: Grid
    layers: tuple[Layer, ...]
    readout: str
    support: tuple[int, ...] | None
    channels: tuple[int, ...]

    def _replace(self, layers: Sequence[Layer]) -> "ConvNet":
        return ConvNet(self.activation, self.grid, layers, readout=self.readout, support=self.support)

    # -- value semantics ------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ConvNet) and self.activation == other.activation
                and self.grid == other.grid and self.readout == other.readout
                and self.support == other.support and self.channels == other.channels
                and all(a.equals(b) for a, b in zip(self.layers, other.layers)))

    def __hash__(self) -> int:
        return hash((self.activation, self.grid, self.readout, self.support, self.channels))

    def __repr__(self) -> str:
        return (f"ConvNet(activation={self.activation.spec!r}, grid={self.grid.shape}, "
                f"channels={self.channels}, readout={self.readout!r})")

    # -- shape ----------------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """L."""
        return len(self.layers)

    def is_dense(self, i: int) -> bool:
        """True for the dense readout layer."""
        return self.readout == "dense" and i == self.depth

    def spaces(self) -> tuple[int, ...]:
        """dim V_0..V_L: C_i |Omega|, and d_L for a dense readout."""
        N = self.grid.size
        dims = [c * N for c in self.channels]
        if self.readout == "dense":
            dims.append(self.layers[-1].shape[0])
        return tuple(dims)

    @property
    def widths(self) -> tuple[int, ...]:
        """The flattened dimensions (the same as :meth:`spaces`; what MLP-minded code reads)."""
        return self.spaces()

    @property
    def n_params(self) -> int:
        """The number of entries of :meth:`parameters` (with a stated support more than the
        architecture's coordinates, :meth:`coordinates`)."""
        return sum(L.weight.size + L.bias.size for L in self.layers)

    @cached_property
    def symbols(self) -> frozenset[sympy.Symbol]:
        """The symbolic parameters; empty for a concrete network."""
        out: frozenset[sympy.Symbol] = frozenset()
        for L in self.layers:
            out |= L.symbols
        return out

    @cached_property
    def periods(self) -> tuple[tuple[int, ...], ...] | None:
        """The translations t with S + t = S (None: the whole grid is the support)."""
        if self.support is None:
            return None
        S = set(self.support)
        pos = self.grid.positions
        out = []
        for t in self.grid.translations:
            moved = set(self.grid.index_array(pos[list(S)] + np.array(t)).tolist())
            if moved == S:
                out.append(t)
        return tuple(out)

    # -- parameters -------------------------------------------------------------------------------
    def parameters(self) -> tuple[sympy.Expr, ...]:
        """Layer by layer: the weights row-major (c_out, c_in, offset index; dense: row,
        column), then the biases."""
        out: list[sympy.Expr] = []
        for L in self.layers:
            w, b = L.values()
            out.extend(w.reshape(-1))
            out.extend(b.reshape(-1))
        return tuple(out)

    def with_parameters(self, theta: Sequence[Any]) -> "ConvNet":
        """The network of the same architecture with the flat parameter tuple ``theta``."""
        if len(theta) != self.n_params:
            raise InputError(f"expected {self.n_params} parameters, got {len(theta)}")
        layers, k = [], 0
        for L in self.layers:
            nw, nb = L.weight.size, L.bias.size
            w = np.array(list(theta[k:k + nw]), dtype=object).reshape(L.shape)
            b = np.array(list(theta[k + nw:k + nw + nb]), dtype=object)
            layers.append(Layer.from_values(w, b))
            k += nw + nb
        return self._replace(layers)

    def subs(self, values: dict[sympy.Symbol, Any]) -> "ConvNet":
        """Substitute values for symbols."""
        return self.with_parameters([sympy.sympify(x).subs(values) for x in self.parameters()])

    def to_dict(self) -> dict[str, Any]:
        """The ``[network]`` table (:mod:`symeq.architectures.conv.io`)."""
        from symeq.architectures.conv.io import conv_to_dict

        return conv_to_dict(self)

    # -- evaluation -----------------------------------------------------------------------------
    def _signal(self, x: Any, i: int) -> np.ndarray:
        """A flat input of V_{i-1} as an object array of shape (C_{i-1}, |Omega|)."""
        vals = list(x) if not isinstance(x, np.ndarray) else list(x.reshape(-1))
        n = self.channels[i - 1] * self.grid.size
        if len(vals) != n:
            raise InputError(f"layer {i} expects an input of length {n}, got {len(vals)}")
        return np.array(vals, dtype=object).reshape(self.channels[i - 1], self.grid.size)

    def pre_activation_array(self, i: int, x: np.ndarray, convert: Callable[[Any], Any] = lambda v: v,
                             zero: Any = 0) -> np.ndarray:
        """sum_c' w_{c c'} * x_c' + beta_c on signals x of shape (C_{i-1}, |Omega|), with the
        weights passed through ``convert`` (exact, ball or float arithmetic); the dense
        readout gives a vector of length d_L."""
        L = self.layers[i - 1]
        w, b = L.values()
        if self.is_dense(i):
            flat = x.reshape(-1)
            out = np.empty(L.shape[0], dtype=object)
            for r in range(L.shape[0]):
                acc = convert(b[r])
                for col in np.nonzero(w[r] != 0)[0]:
                    acc = acc + convert(w[r, col]) * flat[col]
                out[r] = acc
            return out
        C, N = L.shape[0], self.grid.size
        z = np.empty((C, N), dtype=object)
        for c in range(C):
            z[c, :] = [convert(b[c])] * N
        for c, c2, q in zip(*np.nonzero(w != 0)):
            shifted = self.grid.translate(x[c2], self.grid.position(int(q)))
            z[c] = z[c] + convert(w[c, c2, q]) * shifted
        return z

    def layer(self, i: int, x: Any) -> ImmutableMatrix:
        """f_i(x) on a flat column vector of V_{i-1} (exact or symbolic)."""
        z = self.pre_activation_array(i, self._signal(x, i))
        if i < self.depth:
            z = np.vectorize(self.activation.expr, otypes=[object])(z)
        return ImmutableMatrix(z.reshape(-1).tolist())

    def layer_value(self, i: int, x: Any) -> ImmutableMatrix:
        """f_i(x) for a constant x, piecewise activations decided exactly."""
        z = self.pre_activation_array(i, self._signal(x, i))
        if i < self.depth:
            z = np.vectorize(self.activation.value, otypes=[object])(z)
        return ImmutableMatrix(z.reshape(-1).tolist())

    def forward(self, x: Any) -> ImmutableMatrix:
        """f(x; theta), symbolically."""
        for i in range(1, self.depth + 1):
            x = self.layer(i, x)
        return x

    def value(self, x: Any) -> ImmutableMatrix:
        """f(x; theta) at a constant input, exact."""
        for i in range(1, self.depth + 1):
            x = self.layer_value(i, x)
        return x

    def forward_generic(self, x: np.ndarray, convert: Callable[[Any], Any], sigma: Callable[[Any], Any]) -> np.ndarray:
        """f(x) with every weight converted by ``convert`` and the activation ``sigma`` (ball or
        Fraction arithmetic); x has shape (C_0, |Omega|); returns a flat object array."""
        for i in range(1, self.depth + 1):
            z = self.pre_activation_array(i, x, convert)
            x = z if i == self.depth else np.vectorize(sigma, otypes=[object])(z)
        return x.reshape(-1)

    def forward_floats(self, X: np.ndarray, sigma: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """f on a batch of float inputs (B, dim V_0), by FFT convolution (screening only)."""
        shape = self.grid.shape
        axes = tuple(range(-len(shape), 0))
        B = X.shape[0]
        x = X.reshape((B, self.channels[0]) + shape)
        for i, L in enumerate(self.layers, start=1):
            w, b = L.values()
            wf = np.array(w.tolist(), dtype=float)
            bf = np.array(b.tolist(), dtype=float)
            if self.is_dense(i):
                z = x.reshape(B, -1) @ wf.T + bf
            else:
                W = np.fft.fftn(wf.reshape(wf.shape[:2] + shape), axes=axes)
                Xf = np.fft.fftn(x, axes=axes)
                z = np.real(np.fft.ifftn(np.einsum("ab...,nb...->na...", W, Xf), axes=axes))
                z = z + bf.reshape((1, -1) + (1,) * len(shape))
            x = z if i == self.depth else sigma(z)
        return x.reshape(B, -1)

    # -- lowering to the MLP ----------------------------------------------------------------------
    def dense_weights(self, i: int) -> ImmutableMatrix:
        """W_i of the lowered MLP: block-circulant, row (c, p), column (c', p'), entry
        w_{c c'}(p - p')."""
        L = self.layers[i - 1]
        w, _ = L.values()
        if self.is_dense(i):
            return ImmutableMatrix(w.tolist())
        C, C2, N = L.shape
        M = sympy.zeros(C * N, C2 * N)
        pos = self.grid.positions
        diff = self.grid.index_array(pos[:, None, :] - pos[None, :, :])  # index(p - p')
        for c in range(C):
            for c2 in range(C2):
                row = w[c, c2]
                for p in range(N):
                    for p2 in range(N):
                        v = row[diff[p, p2]]
                        if v != 0:
                            M[c * N + p, c2 * N + p2] = v
        return ImmutableMatrix(M)

    def dense_bias(self, i: int) -> ImmutableMatrix:
        """b_i of the lowered MLP (each channel's bias repeated on its positions)."""
        _, b = self.layers[i - 1].values()
        if self.is_dense(i):
            return ImmutableMatrix(list(b))
        return ImmutableMatrix([b[c] for c in range(len(b)) for _ in range(self.grid.size)])

    def to_mlp(self) -> Any:
        """The same function as an MLP with block-circulant weights (small networks only)."""
        from symeq.architectures.mlp.model import MLP

        big = max(self.spaces())
        if big > MAX_LOWERED:
            raise InputError(f"a layer of dimension {big} is too large to lower to a dense MLP "
                             f"(limit {MAX_LOWERED})")
        return MLP(self.activation, tuple(self.dense_weights(i) for i in range(1, self.depth + 1)),
                   tuple(self.dense_bias(i) for i in range(1, self.depth + 1)))

    # -- the Architecture protocol: symmetries --------------------------------------------------
    def latent_group(self, i: int) -> ChannelGroup | AffineConvGroup:
        """K_i of hidden layer i (docs/theory.md#72-circular-convolutions): channel permutations with a relation of the
        activation and a translation (a period of the support) each; for the identity activation
        the invertible convolutions with a shift per channel (:mod:`.affine`)."""
        if not 0 < i < self.depth:
            raise InputError(f"layer {i} is not a hidden layer (1..{self.depth - 1})")
        if self.activation.kind == "affine":
            return AffineConvGroup(self.channels[i], self.grid, self.periods)
        return ChannelGroup(self.activation, self.channels[i], self.grid, self.periods)

    def act(self, k: Sequence[ChannelMap] | Sequence[ConvAffineMap]) -> "ConvNet":
        """k . theta for k = (k_1, ..., k_{L-1}): the same end-to-end function."""
        from symeq.architectures.conv.affine import act_affine
        from symeq.architectures.conv.transform import act_layers

        if len(k) != self.depth - 1:
            raise InputError(f"expected {self.depth - 1} latent elements, got {len(k)}")
        if self.activation.kind == "affine":
            return self._replace(act_affine(self, k))
        return self._replace(act_layers(self, k))  # type: ignore[arg-type]

    # -- the identify stage's questions (:mod:`symeq.identifiability.identify`) ------------------
    def reduce(self) -> Any:
        """The submodel reduction without unread, constant or related channels
        (:func:`~symeq.architectures.conv.reduce.reduce_conv`)."""
        from symeq.architectures.conv.reduce import reduce_conv

        return reduce_conv(self)

    def weak_reduction(self) -> Any:
        """The reduction of the weak construction (:mod:`symeq.construction.weak`): :meth:`reduce`."""
        return self.reduce()

    def criterion(self) -> Any:
        """The lowered MLP's criterion, transferred (:mod:`.identifiability`)."""
        from symeq.architectures.conv.identifiability import conv_criterion

        return conv_criterion(self)

    def exact_fiber(self, limits: Any = None) -> None:
        """No exact fiber computation for convolutions (their polynomial fibers are large)."""
        return None

    def nonidentifiability_witness(self, fiber: Any) -> Any:
        """A degenerate channel's fiber direction outside the orbit's tangent space, or None."""
        from symeq.architectures.conv.identifiability import nonidentifiability_witness

        return nonidentifiability_witness(self)

    def identifiable_evidence(self, criterion: Any, fiber: Any) -> dict[str, Any] | None:
        """The certificate evidence: the lowered MLP's, or None."""
        from symeq.architectures.conv.identifiability import identifiable_evidence

        return identifiable_evidence(criterion)

    def latent_report(self, group: Any, actions: Any) -> dict[str, Any]:
        """What the generic latent report adds: grid maps and the cocycle (:mod:`.construction`)."""
        from symeq.architectures.conv.construction import latent_report

        return latent_report(self, group, actions)

    def latent_certificate(self, result: Any) -> dict[str, Any] | None:
        """The certificate of a latent verdict (:func:`.certificate.latent_certificate`)."""
        from symeq.architectures.conv.certificate import latent_certificate

        return latent_certificate(result)

    def layer_structure(self, group: Any, actions: Any) -> Any:
        """What each hidden layer carries (:func:`.construction.layer_structure`)."""
        from symeq.architectures.conv.construction import layer_structure

        return layer_structure(self, group, actions)

    def jacobians(self) -> Any:
        """The Jacobians the generic functional dimension asks for
        (:class:`~symeq.architectures.conv.jacobians.ConvJacobians`, on the lowered network)."""
        from symeq.architectures.conv.jacobians import ConvJacobians

        return ConvJacobians(self)

    def coordinates(self) -> tuple[int, ...]:
        """The positions in :meth:`parameters` of the architecture's coordinates: with a stated
        support, the filter entries at the support's offsets, every bias and the dense readout
        (the entries at other offsets are zero by definition, not parameters); without one,
        every position.

        >>> from symeq.architectures.conv import from_dict
        >>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 1, 1],
        ...     "support": [[0], [1]], "filters": [[[["1", "2"]]], [[["3", "1"]]]], "biases": [["0"], ["0"]]})
        >>> net.n_params, net.coordinates()
        (10, (0, 1, 4, 5, 6, 9))
        """
        if self.support is None:
            return tuple(range(self.n_params))
        out: list[int] = []
        k = 0
        for i, L in enumerate(self.layers, start=1):
            if self.is_dense(i):
                out.extend(range(k, k + L.weight.size + L.bias.size))
            else:
                C, C2, N = L.shape
                out.extend(k + (c * C2 + c2) * N + q for c in range(C) for c2 in range(C2) for q in self.support)
                out.extend(range(k + L.weight.size, k + L.weight.size + L.bias.size))
            k += L.weight.size + L.bias.size
        return tuple(out)

    def orbit_tangents(self) -> list[tuple[sympy.Expr, ...]]:
        """Tangent vectors of the K-orbit at theta (continuous relation families: one per
        hidden channel and Lie-algebra generator), in the order of :meth:`parameters`; they
        scale filters, so they vanish outside a stated support."""
        from symeq.architectures.conv.transform import orbit_tangents

        return orbit_tangents(self)

    # -- the Architecture protocol: the adjunction and the construction ----------------------------
    def twist(self, group: "ConvGroupAction", g: str) -> "ConvNet":
        """theta^g: every layer's filters read through the linear part of g's grid map, the
        first layer also by the matrix on input channels, the readout by the inverse of the
        matrix on output channels (and, dense, by g's grid map on its columns)."""
        from symeq.architectures.conv.transform import twisted

        return twisted(self, group, g)

    def structural(self, i: int, group: "ConvGroupAction", g: str) -> GridMap | None:
        """s_i(g): the grid map of g, acting on every hidden space V_i (channels untouched)."""
        if not 0 < i < self.depth:
            return None
        return group.grid_map(g)

    search_method = "channel matching"

    def construction_missing(self) -> str | None:
        """Why the generic construction cannot run on this network (None: it can): for the
        identity activation, a hidden W_i without full row rank (its latent maps form a
        continuum, which is not listed for convolutions) or a network too large to lower."""
        if self.activation.kind != "affine" or self.depth == 1:
            return None
        if max(self.spaces()) > MAX_LOWERED:
            return (f"the identity activation's latent maps are solved on the lowered layers, and a layer of "
                    f"dimension {max(self.spaces())} is too large to lower (limit {MAX_LOWERED})")
        for i in range(1, self.depth):
            if not full_row_rank(self, i):
                return (f"the identity activation's latent map k_{i} is forced only when W_{i} (lowered, "
                        f"{self.spaces()[i]} rows) has full row rank, and it does not: the layerwise maps form a "
                        "continuum, which is not listed for convolutional networks")
        return None

    def continuum_stabilizer(self) -> dict[str, Any] | None:
        """Stab(theta) for the identity activation: trivial when every hidden W_i has full row
        rank (then A_i W_i = W_i A_{i-1}, A_0 = I, forces A_i = I and t_i = 0); None otherwise
        (the generic matching decides)."""
        if self.activation.kind != "affine" or self.depth == 1 or self.construction_missing():
            return None
        eye = tuple(self.latent_group(i).identity() for i in range(1, self.depth))
        return dict(status="trivial", order=1, elements=(eye,), criterion=(
            "every hidden W_i has full row rank, so A_i W_i = W_i A_{i-1} (A_0 = I) forces A_i = I, t_i = 0"))

    def solve_layer(self, i: int, k_prev: ChannelMap | ConvAffineMap | None, other: "ConvNet", budget: Any) -> Any:
        """Every k_i with f_i(.; other_i) o k_prev = k_i o f_i(.; theta_i) (channel matching
        with signs and translations, :mod:`symeq.architectures.conv.matching`; for the identity
        activation the forced affine map, :mod:`symeq.architectures.conv.affine`)."""
        from symeq.architectures.conv.matching import matcher

        if self.activation.kind == "affine":
            from symeq.architectures.conv.affine import solve_affine_conv_layer

            return solve_affine_conv_layer(self, other, i, k_prev)  # type: ignore[arg-type]
        return matcher(self, other).solve_layer(i, k_prev, budget)  # type: ignore[arg-type]

    def free_scales(self) -> tuple[tuple[int, int], ...]:
        """(layer, channel) pairs whose scale no layer equation fixes (zero channels under
        ReLU or z^m): the matcher lists scale 1 for them."""
        from symeq.architectures.conv.matching import free_scale_channels

        return tuple((i, c) for i in range(1, self.depth) for c in free_scale_channels(self, i))

    def unit_unread(self, i: int, c: int) -> bool:
        """True when nothing of layer i + 1 reads channel c of layer i."""
        L = self.layers[i]
        w, _ = L.values()
        if self.is_dense(i + 1):
            N = self.grid.size
            return all(x == 0 for x in w[:, c * N:(c + 1) * N].reshape(-1))
        return all(x == 0 for x in w[:, c, :].reshape(-1))
