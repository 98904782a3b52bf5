"""The identity activation's latent group for convolutional networks: invertible convolutions
with a constant shift per channel (docs/theory.md#72-circular-convolutions).

With sigma = id the lowered MLP's K_i is Aff(V_i), V_i = R^{C x Omega}.  An element
k(v) = A v + t acts on parameters by

    W_i -> A W_i,   b_i -> A b_i + t,   W_{i+1} -> W_{i+1} A^{-1},   b_{i+1} -> b_{i+1} - W_{i+1} A^{-1} t,

and the part of Aff(V_i) that keeps the convolutional form of layers i and i + 1 *for every
theta* is

- A commuting with every grid translation: a C x C matrix of convolutions,
  (A v)_c = sum_{c'} a_{c c'} * v_{c'}, i.e. an element of GL_C(R[Omega]) (lowered: C x C
  circulant blocks, entry a_{c c'}(p - p') at row (c, p), column (c', p')).  Proof: taking for
  W_i the layer whose only filter is the delta at 0 from input channel 0 to channel c, A W_i is
  block circulant only if column block c of A is;
- t constant on each channel (take b_i = 0);
- with a stated support S: every filter a_{c c'} supported on the periods P = {q : S + q = S}.
  Proof: a * delta_s must be supported on S for every s in S, so S + q is in S for every q in the
  support of a, and S + q = S as both are finite of one size; conversely such A keep S.  The
  inverse needs no condition: GL_C(R[P]) is closed under inversion (the inverse of an invertible
  element of a finite-dimensional algebra is a polynomial in it).  At one particular theta,
  A W_i and W_{i+1} A^{-1} may stay supported on S for more A; K_i is the group that keeps the
  parameter space, as for the channel maps of the other activations.  On the whole grid
  P = Omega and the condition is empty.

So K_i = GL_C(R[P]) x| R^C.  A grid map s (p -> M p + t0), the structural action, normalizes
K_i: s k s^{-1} has the filters q -> a(M^{-1} q) and the same shifts
(:meth:`ConvAffineMap.conjugated`), which is why k_i(g) is a crossed homomorphism.

The layer equation f_i( . ; theta'_i) o k_{i-1} = k_i o f_i( . ; theta_i) is linear:
A_i W_i = W'_i M and t_i = W'_i t + b'_i - A_i b_i for k_{i-1} = (M, t).  When the lowered W_i
has full row rank, A_i = W'_i M W_i^+ is forced (the MLP's
:func:`~symeq.architectures.mlp.affine.solve_affine_layer` on the lowered layers); it commutes
with translations (T A_i T^{-1} solves the same equation, so equals A_i) and t_i is constant on
channels, so it lies in K_i unless a filter leaves the periods of the support.  Otherwise the
solutions are a continuum, which is not listed for convolutions (``ConvNet.construction_missing``
says so).

>>> from symeq.architectures.conv.grid import Grid, GridMap
>>> grid = Grid((4,))
>>> k = ConvAffineMap.make(grid, [[["1", "1", "1", "0"]]], ["2"])
>>> k.describe()
'a_00 = (1 1 1 0); shift (2)'
>>> (k @ k.inverse()).is_identity()
True
>>> k.inverse().filters[0][0], k.inverse().shift
((1/3, -2/3, 1/3, 1/3), (-2/3,))
>>> m = GridMap.make(grid, [[-1]], [0])
>>> AffineConvGroup(1, grid).conjugate(m, k).describe()
'a_00 = (1 0 1 1); shift (2)'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import ImmutableMatrix, Integer

from symeq.architectures.base import LayerFailure, LayerSolutions, NotEnumerable
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.mlp.latent_map import _same, simplify_scalar
from symeq.errors import InputError
from symeq.exact import number_to_string, parse_number
from symeq.kinds import LatentKind

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.model import ConvNet

__all__ = ["ConvAffineMap", "AffineConvGroup", "solve_affine_conv_layer", "full_row_rank", "act_affine"]

_ZERO, _ONE = Integer(0), Integer(1)

Filters = tuple[tuple[tuple[sympy.Expr, ...], ...], ...]


def _differences(grid: Grid) -> np.ndarray:
    """D[q, r] = index(q - r): (f * h)(q) = sum_r f(r) h(D[q, r])."""
    pos = grid.positions
    return grid.index_array(pos[:, None, :] - pos[None, :, :])


def _convolve(f: tuple[sympy.Expr, ...], h: tuple[sympy.Expr, ...], diff: np.ndarray) -> list[sympy.Expr]:
    N = len(f)
    out = [_ZERO] * N
    for r in range(N):
        if f[r] == 0:
            continue
        for q in range(N):
            v = h[int(diff[q, r])]
            if v != 0:
                out[q] = out[q] + f[r] * v
    return out


@dataclass(frozen=True)
class ConvAffineMap:
    """k(v) = A v + t on V = R^{C x Omega}: ``filters[c][c']`` is a_{c c'} (one value per
    offset, row-major), ``shift[c]`` the constant t_c of channel c."""

    grid: Grid
    filters: Filters
    shift: tuple[sympy.Expr, ...]

    @staticmethod
    def make(grid: Grid, filters: Any, shift: Any) -> "ConvAffineMap":
        """The element from nested lists of numbers (exact strings are parsed), shapes checked."""
        def num(x: Any) -> sympy.Expr:
            return parse_number(x) if isinstance(x, str) else sympy.sympify(x)

        C = len(filters)
        if C == 0 or any(len(row) != C for row in filters) or len(shift) != C or \
                any(len(f) != grid.size for row in filters for f in row):
            raise InputError(f"an affine channel map needs C x C filters of {grid.size} values and C shifts")
        return ConvAffineMap(grid, tuple(tuple(tuple(num(x) for x in f) for f in row) for row in filters),
                             tuple(num(x) for x in shift))

    @staticmethod
    def identity(grid: Grid, channels: int) -> "ConvAffineMap":
        """A = I (the delta at offset 0 on the diagonal), t = 0."""
        delta = (_ONE,) + (_ZERO,) * (grid.size - 1)
        zero = (_ZERO,) * grid.size
        return ConvAffineMap(grid, tuple(tuple(delta if c == d else zero for d in range(channels))
                                         for c in range(channels)), (_ZERO,) * channels)

    @staticmethod
    def from_lowered(grid: Grid, channels: int, M: Any, t: Any) -> "ConvAffineMap | None":
        """The element whose lowering is (M, t), or None when M does not commute with the grid
        translations or t is not constant on channels."""
        N = grid.size
        filters = tuple(tuple(tuple(simplify_scalar(M[c * N + q, d * N]) for q in range(N)) for d in range(channels))
                        for c in range(channels))
        k = ConvAffineMap(grid, filters, tuple(simplify_scalar(t[c * N]) for c in range(channels)))
        M2, t2 = k.on_space()
        if any(not _same(x, y) for x, y in zip(list(M2) + list(t2), list(M) + list(t))):
            return None
        return k

    @property
    def channels(self) -> int:
        """C."""
        return len(self.filters)

    @property
    def dim(self) -> int:
        """dim V = C |Omega|."""
        return self.channels * self.grid.size

    @cached_property
    def _diff(self) -> np.ndarray:
        return _differences(self.grid)

    # -- the LatentElement protocol -------------------------------------------------------------
    def __matmul__(self, other: "ConvAffineMap") -> "ConvAffineMap":
        """self o other: filters sum_{c'} a_{c c'} * b_{c' c''}, shift A t_b + t_a."""
        if self.channels != other.channels or self.grid != other.grid:
            raise InputError("cannot compose affine channel maps of different layers")
        C, N = self.channels, self.grid.size
        rows = []
        for c in range(C):
            row = []
            for c2 in range(C):
                acc = [_ZERO] * N
                for c1 in range(C):
                    acc = [x + y for x, y in zip(acc, _convolve(self.filters[c][c1], other.filters[c1][c2], self._diff))]
                row.append(tuple(simplify_scalar(x) for x in acc))
            rows.append(tuple(row))
        shift = tuple(simplify_scalar(sum((sum(self.filters[c][c1], _ZERO) * other.shift[c1] for c1 in range(C)), _ZERO)
                                      + self.shift[c]) for c in range(C))
        return ConvAffineMap(self.grid, tuple(rows), shift)

    def inverse(self) -> "ConvAffineMap":
        """k^{-1} = (A^{-1}, -A^{-1} t), A^{-1} read off the inverse of the lowered matrix (it
        commutes with translations as A does).  InputError when A is singular."""
        from symeq.architectures.mlp.linalg import field_matrices, rank

        M, t = self.on_space()
        if rank(M) != M.rows:
            raise InputError("the affine channel map is not invertible")
        (Md,) = field_matrices(M)
        inv = ImmutableMatrix(Md.inv().to_Matrix())
        k = ConvAffineMap.from_lowered(self.grid, self.channels, inv, sympy.zeros(inv.rows, 1))
        assert k is not None  # the inverse of a translation-commuting matrix commutes with them
        neg = tuple(simplify_scalar(-x) for x in (k @ ConvAffineMap(self.grid, self.filters, self.shift)).shift)
        return ConvAffineMap(self.grid, k.filters, neg)

    def __pow__(self, n: int) -> "ConvAffineMap":
        base = self if n >= 0 else self.inverse()
        out = ConvAffineMap.identity(self.grid, self.channels)
        for _ in range(abs(n)):
            out = out @ base
        return out

    def acts_equal(self, other: "ConvAffineMap") -> bool:
        """True when both act equally on V (the same filters and shifts)."""
        return (isinstance(other, ConvAffineMap) and self.grid == other.grid and self.channels == other.channels
                and all(_same(x, y) for x, y in zip(self._flat(), other._flat())))

    def _flat(self) -> list[sympy.Expr]:
        return [x for row in self.filters for f in row for x in f] + list(self.shift)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConvAffineMap) and self.acts_equal(other)

    def __hash__(self) -> int:
        return hash((self.grid, self.channels, tuple(x for x in self._flat() if x.is_Rational)))

    def is_identity(self) -> bool:
        """True when k is the identity of V."""
        return self.acts_equal(ConvAffineMap.identity(self.grid, self.channels))

    def conjugated(self, s: GridMap) -> "ConvAffineMap":
        """s k s^{-1} for a grid map s = (M, t0): every filter read through M^{-1}
        (new filter at M q is the old one at q); shifts unchanged."""
        lin = s.linear_permutation  # index(M q)
        rows = []
        for row in self.filters:
            new_row = []
            for f in row:
                g = [_ZERO] * len(f)
                for q, v in enumerate(f):
                    g[int(lin[q])] = v
                new_row.append(tuple(g))
            rows.append(tuple(new_row))
        return ConvAffineMap(self.grid, tuple(rows), self.shift)

    @property
    def offsets(self) -> set[int]:
        """The offsets (indices) where some filter is nonzero."""
        return {q for row in self.filters for f in row for q, v in enumerate(f) if v != 0}

    def to_dict(self) -> dict[str, Any]:
        """The certificate format: ``{"kind": "conv_affine", "filters", "shift", "inverse"}``;
        ``inverse`` (the filters of A^{-1}) is the kernel's hint that A is invertible."""
        def strings(fs: Filters) -> list[list[list[str]]]:
            return [[[number_to_string(x) for x in f] for f in row] for row in fs]

        return {"kind": "conv_affine", "filters": strings(self.filters),
                "shift": [number_to_string(x) for x in self.shift], "inverse": strings(self.inverse().filters)}

    @staticmethod
    def from_dict(d: object, grid: Grid, channels: int | None = None) -> "ConvAffineMap":
        """Read the certificate format (InputError for bad data, a singular A, or a wrong inverse)."""
        if not isinstance(d, dict) or d.get("kind") != "conv_affine" or \
                set(d) != {"kind", "filters", "shift", "inverse"}:
            raise InputError("an affine channel map has exactly the keys kind (\"conv_affine\"), filters, shift, inverse")
        for key in ("filters", "inverse"):
            fs = d[key]
            if not (isinstance(fs, list) and all(isinstance(r, list) and all(isinstance(f, list) for f in r) for r in fs)):
                raise InputError(f"{key} must be a C x C list of filters")
        if not isinstance(d["shift"], list):
            raise InputError("shift must be a list")
        k = ConvAffineMap.make(grid, d["filters"], d["shift"])
        inv = ConvAffineMap.make(grid, d["inverse"], ["0"] * len(d["shift"]))
        if channels is not None and k.channels != channels:
            raise InputError(f"affine channel map on {k.channels} channels, expected {channels}")
        if not ConvAffineMap(grid, (k @ inv).filters, (_ZERO,) * k.channels).is_identity():
            raise InputError("the stated inverse of the affine channel map is not its inverse")
        return k

    def describe(self) -> str:
        """The nonzero filters a_{c c'} and the shift, in one line."""
        parts = [f"a_{c}{d} = ({' '.join(number_to_string(x) for x in f)})"
                 for c, row in enumerate(self.filters) for d, f in enumerate(row) if any(x != 0 for x in f)]
        text = "; ".join(parts) if parts else "A = 0"
        if any(x != 0 for x in self.shift):
            text += f"; shift ({', '.join(number_to_string(x) for x in self.shift)})"
        return "identity" if self.is_identity() else text

    # -- on V -----------------------------------------------------------------------------------
    def on_space(self) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        """(M, t) with k v = M v + t on the flat V (channel-major), exact."""
        N, C = self.grid.size, self.channels
        M = sympy.zeros(C * N, C * N)
        for c in range(C):
            for d in range(C):
                f = self.filters[c][d]
                for p in range(N):
                    for p2 in range(N):
                        v = f[int(self._diff[p, p2])]
                        if v != 0:
                            M[c * N + p, d * N + p2] = v
        t = ImmutableMatrix([self.shift[c] for c in range(C) for _ in range(N)])
        return ImmutableMatrix(M), t

    def lowered(self) -> Any:
        """The same map as an MLP latent map of the C |Omega| neurons
        (:class:`~symeq.architectures.mlp.latent_map.LatentMap`, kind affine)."""
        from symeq.architectures.mlp.latent_map import LatentMap

        return LatentMap.affine(*self.on_space())

    def trace_with(self, s: GridMap) -> sympy.Expr:
        """The trace of the linear part of s o k on V: (s A v)_c(p) = (A v)_c(s^{-1} p), whose
        diagonal entry at (c, p) is a_{c c}(s^{-1} p - p)."""
        N = self.grid.size
        back = s.inverse().permutation
        return simplify_scalar(sum((self.filters[c][c][int(self._diff[int(back[p]), p])]
                                    for c in range(self.channels) for p in range(N)), _ZERO))

    def trace(self) -> sympy.Expr:
        """The trace of A."""
        return simplify_scalar(self.grid.size * sum((self.filters[c][c][0] for c in range(self.channels)), _ZERO))


@dataclass(frozen=True)
class AffineConvGroup:
    """K_i of a hidden layer with the identity activation: GL_C(R[P]) x| R^C, the invertible
    C x C matrices of convolutions with filters on ``periods`` (None: all of Omega) and a
    constant shift per channel (see the module docstring)."""

    channels: int
    grid: Grid
    periods: tuple[tuple[int, ...], ...] | None = None

    kind = LatentKind.AFFINE

    @property
    def dim(self) -> int:
        """dim V_i = C |Omega|."""
        return self.channels * self.grid.size

    @cached_property
    def allowed(self) -> frozenset[int]:
        """The offsets (indices) a filter of an element may use."""
        ts = self.grid.translations if self.periods is None else self.periods
        return frozenset(self.grid.index(t) for t in ts)

    def identity(self) -> ConvAffineMap:
        """The identity element."""
        return ConvAffineMap.identity(self.grid, self.channels)

    def compose(self, a: ConvAffineMap, b: ConvAffineMap) -> ConvAffineMap:
        """a o b."""
        return a @ b

    def inverse(self, a: ConvAffineMap) -> ConvAffineMap:
        """a^{-1}."""
        return a.inverse()

    def equal(self, a: ConvAffineMap, b: ConvAffineMap) -> bool:
        """True when a and b act equally on V_i."""
        return a.acts_equal(b)

    def conjugate(self, s: GridMap, k: ConvAffineMap) -> ConvAffineMap:
        """s k s^{-1} for the structural grid action s: filters read through s's linear part."""
        return k.conjugated(s)

    def on_space(self, k: ConvAffineMap) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        """(M, t): k acts on V_i by v -> M v + t."""
        return k.on_space()

    def contains(self, k: ConvAffineMap) -> bool:
        """True when k is an element: C channels, filters on the allowed offsets, A invertible."""
        if not isinstance(k, ConvAffineMap) or k.channels != self.channels or k.grid != self.grid:
            return False
        if not k.offsets <= self.allowed:
            return False
        try:
            k.inverse()
        except InputError:
            return False
        return True

    def from_evidence(self, d: object) -> ConvAffineMap:
        """The element of a certificate (InputError for bad data or a non-element)."""
        k = ConvAffineMap.from_dict(d, self.grid, self.channels)
        if not k.offsets <= self.allowed:
            raise InputError("the affine channel map has a filter entry at an offset that is no period of the support")
        return k

    @property
    def dimension(self) -> int:
        """dim K_i = C^2 |P| + C."""
        return self.channels ** 2 * len(self.allowed) + self.channels

    @property
    def order(self) -> None:
        """K_i is infinite."""
        return None

    def describe(self) -> str:
        """K_i in words."""
        C, omega = self.channels, self.grid.describe()
        n = len(self.allowed)
        ring = f"R[{omega}]" if self.periods is None else \
            f"R[P] (P: the {'period' if n == 1 else f'{n} periods'} of the support)"
        return (f"GL_{C}({ring}) x| R^{C}: invertible {C} x {C} matrices of convolutions on {omega} with a "
                f"constant shift per channel (dimension {self.dimension})")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"kind": str(self.kind), "channels": self.channels, "grid": list(self.grid.shape),
                "activation": "identity", "description": self.describe(), "dimension": self.dimension,
                "order": "infinite"}


def full_row_rank(net: "ConvNet", i: int) -> bool:
    """True when the lowered W_i (C_i |Omega| rows) has full row rank (cached on ``net``)."""
    from symeq.architectures.mlp.linalg import rank

    cache = net.__dict__.setdefault("_conv_row_rank", {})
    if i not in cache:
        W = net.dense_weights(i)
        cache[i] = rank(W) == W.rows
    return cache[i]


def _lowered(net: "ConvNet") -> Any:
    cache = net.__dict__.setdefault("_conv_lowered", [])
    if not cache:
        cache.append(net.to_mlp())
    return cache[0]


def solve_affine_conv_layer(net: "ConvNet", other: "ConvNet", i: int, k_prev: ConvAffineMap | None) -> LayerSolutions:
    """The forced k_i of layer i (see the module docstring), or why there is none; NotEnumerable
    when W_i lacks full row rank."""
    from symeq.architectures.mlp.affine import solve_affine_layer

    if i < net.depth and not full_row_rank(net, i):
        raise NotEnumerable(f"W_{i} does not have full row rank: the affine latent action is not forced")
    sols = solve_affine_layer(_lowered(net), _lowered(other), i, None if k_prev is None else k_prev.lowered())
    if i == net.depth:
        if next(iter(sols), None) is None:
            return sols
        return LayerSolutions([ConvAffineMap.identity(net.grid, 0 if net.readout == "dense" else net.channels[-1])])
    found = list(sols)
    if not found:
        return sols
    C = net.channels[i]
    k = ConvAffineMap.from_lowered(net.grid, C, found[0].matrix(), found[0].shift())
    if k is None:  # cannot happen (module docstring); a failure rather than a wrong element
        return LayerSolutions([], True, lambda g: LayerFailure(
            g, i, None, "no_match", f"generator {g}, layer {i}: the forced affine map does not commute with "
            "the grid translations"))
    K = net.latent_group(i)
    outside = sorted(k.offsets - K.allowed)
    if outside:
        q = net.grid.label(net.grid.position(outside[0]))
        return LayerSolutions([], True, lambda g: LayerFailure(
            g, i, None, "no_match", f"generator {g}, layer {i}: the forced k_{i}({g}) has a filter entry at offset "
            f"{q}, no period of the support, so it is not in K_{i}"))
    return LayerSolutions([k])


def act_affine(net: "ConvNet", ks: Any) -> list[Any]:
    """The layers of k . theta (module docstring): W_i -> A W_i, b_i -> A b_i + t,
    W_(i+1) -> W_(i+1) A^-1, b_(i+1) -> b_(i+1) - W_(i+1) A^-1 t, computed on the lowered
    layers and read back as filters (the products of block-circulant matrices are block circulant)."""
    from symeq.architectures.conv.layers import Layer

    N = net.grid.size
    dense = [net.dense_weights(i) for i in range(1, net.depth + 1)]
    bias = [net.dense_bias(i) for i in range(1, net.depth + 1)]
    for i, k in enumerate(ks, start=1):
        M, t = k.on_space()
        Mi = k.inverse().on_space()[0]
        dense[i - 1], bias[i - 1] = M * dense[i - 1], M * bias[i - 1] + t
        dense[i], bias[i] = dense[i] * Mi, bias[i] - dense[i] * Mi * t
    layers = []
    for i, (W, b) in enumerate(zip(dense, bias), start=1):
        W, b = W.applyfunc(simplify_scalar), b.applyfunc(simplify_scalar)
        if net.is_dense(i):
            layers.append(Layer.from_values(np.array(W.tolist(), dtype=object), np.array(list(b), dtype=object)))
            continue
        C, C2 = net.channels[i], net.channels[i - 1]
        w = np.array([[[W[c * N + q, d * N] for q in range(N)] for d in range(C2)] for c in range(C)], dtype=object)
        layers.append(Layer.from_values(w, np.array([b[c * N] for c in range(C)], dtype=object)))
    return layers
