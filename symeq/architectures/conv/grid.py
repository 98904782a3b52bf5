"""Finite circular grids Omega = Z_{n_1} x ... x Z_{n_k} (k = 1 or 2) and their affine maps.

A position p is a tuple of k integers with 0 <= p_j < n_j; positions are numbered row-major,
``index(p) = p_1 n_2 + p_2`` in 2-D (the order of a filter's values in a file, offset 0 first).
A signal on C channels is the flat vector with channel c, position p at coordinate
``c |Omega| + index(p)`` (channel-major, docs/theory.md#72-circular-convolutions).

An affine map of the grid is p -> A p + t (mod n), with A an integer matrix that is well
defined on Omega (A_ij n_j = 0 mod n_i) and bijective.  It acts on signals by
(g . x)(p) = x(g^{-1} p), and its *linear part* A acts on filter offsets.

>>> G = Grid((6,))
>>> m = GridMap.make(G, [[-1]], [0])
>>> m.apply((2,)), (m @ m).is_identity()
((4,), True)
>>> r = GridMap.make(Grid((4, 4)), [[0, -1], [1, 0]], [0, 0])   # rotation by 90 degrees
>>> r.apply((1, 0)), (r @ r @ r @ r).is_identity(), r.order()
((0, 1), True, 4)
>>> GridMap.make(Grid((4, 6)), [[0, -1], [1, 0]], [0, 0])
Traceback (most recent call last):
...
symeq.errors.InputError: the grid map p -> A p + t is not well defined on Z_4 x Z_6: A[0][1] * 6 is not 0 mod 4
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from symeq.errors import InputError

__all__ = ["Grid", "GridMap", "MAX_GRID"]

#: Largest number of grid positions accepted (every position is listed in exact computations).
MAX_GRID = 4096


@dataclass(frozen=True)
class Grid:
    """The grid Z_{n_1} x ... x Z_{n_k}, k in {1, 2}."""

    shape: tuple[int, ...]

    def __post_init__(self) -> None:
        shape = self.shape
        if (not isinstance(shape, tuple) or len(shape) not in (1, 2)
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape)):
            raise InputError("grid must be [n] or [n1, n2] with positive integers")
        size = 1
        for n in shape:
            size *= n
        if size > MAX_GRID:
            raise InputError(f"grid {'x'.join(map(str, shape))} has {size} positions; at most {MAX_GRID}")

    # -- positions ------------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """k, the number of grid axes."""
        return len(self.shape)

    @cached_property
    def size(self) -> int:
        """|Omega|."""
        return int(np.prod(self.shape))

    @cached_property
    def positions(self) -> np.ndarray:
        """Every position as a row of an int64 array, in index order (shape |Omega| x k)."""
        axes = np.meshgrid(*[np.arange(n) for n in self.shape], indexing="ij")
        return np.stack([a.reshape(-1) for a in axes], axis=1).astype(np.int64)

    @cached_property
    def _strides(self) -> np.ndarray:
        return np.array([int(np.prod(self.shape[j + 1:])) for j in range(self.dim)], dtype=np.int64)

    def index_array(self, points: np.ndarray) -> np.ndarray:
        """The indices of the positions (rows of ``points``, reduced mod n)."""
        n = np.array(self.shape, dtype=np.int64)
        return (np.mod(points, n) * self._strides).sum(axis=-1)

    def index(self, p: Any) -> int:
        """index(p) of one position (reduced mod n).

        >>> Grid((3, 4)).index((1, 2)), Grid((3, 4)).index((-1, 0))
        (6, 8)
        """
        return int(self.index_array(np.array(tuple(p), dtype=np.int64)))

    def position(self, index: int) -> tuple[int, ...]:
        """The position with the given index."""
        return tuple(int(v) for v in self.positions[index])

    def label(self, p: Any) -> str:
        """A position for people: ``3`` in 1-D, ``(1, 2)`` in 2-D."""
        p = tuple(int(v) for v in p)
        return str(p[0]) if self.dim == 1 else "(" + ", ".join(map(str, p)) + ")"

    def reduce(self, p: Any) -> tuple[int, ...]:
        """p mod n as a tuple."""
        return tuple(int(v) % n for v, n in zip(p, self.shape))

    def add(self, p: Any, q: Any) -> tuple[int, ...]:
        """p + q mod n."""
        return tuple((int(a) + int(b)) % n for a, b, n in zip(p, q, self.shape))

    def neg(self, p: Any) -> tuple[int, ...]:
        """-p mod n."""
        return tuple((-int(a)) % n for a, n in zip(p, self.shape))

    def shift_table(self, t: Any) -> np.ndarray:
        """The array ``s`` with s[index(q)] = index(q - t): a signal F translated by t is
        F[s] (its value at q is F(q - t))."""
        return self.index_array(self.positions - np.array(tuple(t), dtype=np.int64))

    def translate(self, values: np.ndarray, t: Any) -> np.ndarray:
        """The last axis of ``values`` (a function on the grid) translated by t: F(q - t)."""
        if not any(t):
            return values
        return values[..., self.shift_table(t)]

    def describe(self) -> str:
        """``Z_6`` or ``Z_4 x Z_4``."""
        return " x ".join(f"Z_{n}" for n in self.shape)

    @cached_property
    def translations(self) -> tuple[tuple[int, ...], ...]:
        """Every translation vector, in index order."""
        return tuple(self.position(i) for i in range(self.size))

    def orbit_labels(self, perms: list[np.ndarray]) -> list[int]:
        """label[q]: the least index in the orbit of q under the permutations (arrays of images,
        such as :attr:`GridMap.linear_permutation`); filters constant on these orbits are
        invariant under the maps.

        >>> Grid((6,)).orbit_labels([GridMap.make(Grid((6,)), [[-1]], [0]).linear_permutation])
        [0, 1, 2, 3, 2, 1]
        """
        label = list(range(self.size))
        changed = True
        while changed:
            changed = False
            for perm in perms:
                for q in range(self.size):
                    a, b = label[q], label[int(perm[q])]
                    if a != b:
                        m = min(a, b)
                        label = [m if x in (a, b) else x for x in label]
                        changed = True
        return label

    def subgroup(self, generators: list[tuple[int, ...]]) -> tuple[tuple[int, ...], ...]:
        """The subgroup of Omega generated by some vectors, sorted by index.

        >>> Grid((6,)).subgroup([(2,)])
        ((0,), (2,), (4,))
        """
        seen = {self.reduce((0,) * self.dim)}
        frontier = list(seen)
        while frontier:
            p = frontier.pop()
            for g in generators:
                q = self.add(p, g)
                if q not in seen:
                    seen.add(q)
                    frontier.append(q)
        return tuple(sorted(seen, key=self.index))


@dataclass(frozen=True)
class GridMap:
    """The affine map p -> A p + t (mod n) of a grid (a bijection).

    ``linear`` is A (rows of integers, entry (i, j) reduced mod n_i), ``offset`` is t.
    Composition ``g @ h`` is "first h, then g", as for matrices.
    """

    grid: Grid
    linear: tuple[tuple[int, ...], ...]
    offset: tuple[int, ...]

    @staticmethod
    def make(grid: Grid, linear: Any, offset: Any) -> "GridMap":
        """The map p -> A p + t, checked to be well defined on the grid and bijective."""
        k = grid.dim
        try:
            A = tuple(tuple(int(v) for v in row) for row in linear)
            t = tuple(int(v) for v in offset)
        except (TypeError, ValueError):
            raise InputError("a grid map needs an integer matrix and an integer offset") from None
        if len(A) != k or any(len(row) != k for row in A) or len(t) != k:
            raise InputError(f"a grid map of a {k}-dimensional grid needs a {k} x {k} matrix and "
                             f"an offset of length {k}")
        n = grid.shape
        for i in range(k):
            for j in range(k):
                if (A[i][j] * n[j]) % n[i]:
                    raise InputError(f"the grid map p -> A p + t is not well defined on {grid.describe()}: "
                                     f"A[{i}][{j}] * {n[j]} is not 0 mod {n[i]}")
        A = tuple(tuple(A[i][j] % n[i] for j in range(k)) for i in range(k))
        t = tuple(t[i] % n[i] for i in range(k))
        g = GridMap(grid, A, t)
        perm = g.permutation
        if len(set(perm.tolist())) != grid.size:
            raise InputError(f"the grid map p -> A p + t with A = {[list(r) for r in A]} is not a "
                             f"bijection of {grid.describe()}")
        return g

    @staticmethod
    def identity(grid: Grid) -> "GridMap":
        """The identity map of the grid."""
        k = grid.dim
        return GridMap(grid, tuple(tuple(int(i == j) for j in range(k)) for i in range(k)), (0,) * k)

    @staticmethod
    def translation(grid: Grid, t: Any) -> "GridMap":
        """p -> p + t."""
        return GridMap.make(grid, GridMap.identity(grid).linear, t)

    # -- action ---------------------------------------------------------------------------------
    def apply(self, p: Any) -> tuple[int, ...]:
        """A p + t mod n."""
        p = tuple(int(v) for v in p)
        return self.grid.reduce(tuple(sum(a * v for a, v in zip(row, p)) + s
                                      for row, s in zip(self.linear, self.offset)))

    def apply_linear(self, p: Any) -> tuple[int, ...]:
        """A p mod n (the action on filter offsets)."""
        p = tuple(int(v) for v in p)
        return self.grid.reduce(tuple(sum(a * v for a, v in zip(row, p)) for row in self.linear))

    @cached_property
    def permutation(self) -> np.ndarray:
        """``perm[index(p)] = index(A p + t)``."""
        A = np.array(self.linear, dtype=np.int64)
        pts = self.grid.positions @ A.T + np.array(self.offset, dtype=np.int64)
        return self.grid.index_array(pts)

    @cached_property
    def linear_permutation(self) -> np.ndarray:
        """``perm[index(q)] = index(A q)`` (offsets)."""
        A = np.array(self.linear, dtype=np.int64)
        return self.grid.index_array(self.grid.positions @ A.T)

    def __matmul__(self, other: "GridMap") -> "GridMap":
        """self o other: p -> A (A' p + t') + t."""
        if self.grid != other.grid:
            raise InputError("cannot compose maps of different grids")
        k = self.grid.dim
        A = tuple(tuple(sum(self.linear[i][m] * other.linear[m][j] for m in range(k))
                        % self.grid.shape[i] for j in range(k)) for i in range(k))
        t = self.apply(other.offset)
        return GridMap(self.grid, A, t)

    def inverse(self) -> "GridMap":
        """The inverse map (A^{-1} read off the images of the unit vectors)."""
        lin = self.linear_permutation
        inv = np.empty_like(lin)
        inv[lin] = np.arange(len(lin))
        k = self.grid.dim
        cols = []
        for j in range(k):
            e = tuple(int(i == j) for i in range(k))
            cols.append(self.grid.position(int(inv[self.grid.index(e)])))
        B = tuple(tuple(cols[j][i] for j in range(k)) for i in range(k))
        Binv = GridMap(self.grid, B, (0,) * k)
        t = Binv.apply(self.grid.neg(self.offset))
        return GridMap(self.grid, B, t)

    def is_identity(self) -> bool:
        """True for p -> p."""
        return self == GridMap.identity(self.grid)

    def is_translation(self) -> bool:
        """True when the linear part is the identity."""
        return self.linear == GridMap.identity(self.grid).linear

    def order(self) -> int:
        """The least m >= 1 with g^m = id."""
        m, x = 1, self
        while not x.is_identity():
            x, m = x @ self, m + 1
        return m

    # -- on data --------------------------------------------------------------------------------
    def on_signal(self, values: np.ndarray) -> np.ndarray:
        """(g . x)(p) = x(g^{-1} p) along the last axis: y[index(g p)] = x[index(p)]."""
        out = np.empty_like(values)
        out[..., self.permutation] = values
        return out

    def pull_offsets(self, values: np.ndarray) -> np.ndarray:
        """A filter read through the linear part: w'(q) = w(A q) along the last axis (the
        filter of theta^g, docs/theory.md#72-circular-convolutions)."""
        return values[..., self.linear_permutation]

    def to_dict(self) -> dict[str, Any]:
        """``{matrix, offset}`` as in the file schema (integers as strings)."""
        return {"matrix": [[str(v) for v in row] for row in self.linear],
                "offset": [str(v) for v in self.offset]}

    def describe(self) -> str:
        """``p -> -p`` style text.

        >>> GridMap.make(Grid((6,)), [[-1]], [1]).describe()
        'p -> -p + 1'
        >>> GridMap.make(Grid((4, 4)), [[0, 3], [1, 0]], [1, 0]).describe()
        'p -> [[0, -1], [1, 0]] p + (1, 0)'
        """
        n = self.grid.shape
        A = [[v if v <= n[i] // 2 else v - n[i] for v in row] for i, row in enumerate(self.linear)]
        if self.grid.dim == 1:
            lin = {1: "p", -1: "-p"}.get(A[0][0], f"{A[0][0]} p")
            shift = str(self.offset[0])
        else:
            lin = "p" if self.is_translation() else f"{A} p"
            shift = "(" + ", ".join(map(str, self.offset)) + ")"
        return f"p -> {lin}" + (f" + {shift}" if any(self.offset) else "")
