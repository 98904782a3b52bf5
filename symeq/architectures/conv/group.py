"""A finite group acting on a convolutional network: grid maps on every layer, matrices on the
input and output channels (DESIGN.md section 3, docs/theory.md#72-circular-convolutions).

Each generator g is a grid map p -> A p + t (mod n) and optionally a matrix R_in(g) on the C_0
input channels and R_out(g) on the output channels (C_L for a convolutional readout, the d_L
outputs for a dense one).  It acts on

- V_0 by rho_0(g) = R_in(g) (x) s(g),  (rho_0(g) x)_c(p) = sum_c' R_in[c, c'] x_c'(g^{-1} p);
- every hidden V_i by the structural action s_i(g) = s(g) (channels untouched);
- V_L by R_out(g) (x) s(g) (convolutional readout) or R_out(g) alone (dense readout).

:class:`ConvGroupAction` is a :class:`~symeq.groups.GroupAction` whose flattened matrices
rho_0(g), rho_L(g) are made only when something asks for them (a 16 x 16 grid with 16 channels
has rho_0(g) of size 4096 x 4096); its elements are triples (grid map, R_in, R_out), closed
exactly, and its multiplication table comes from them.

    [group]
    relations = ["m^2"]                      # optional, checked
    [group.generators.m]
    grid = { matrix = [["-1"]], offset = ["0"] }   # p -> A p + t; offset defaults to 0
    input = [["1"]]                          # optional: R_in(g); default the identity
    output = [["1"]]                         # optional: R_out(g); default the identity

>>> from symeq.architectures.conv import from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> G.order(), G.input_dim, G.grid_map("m").describe()
(2, 6, 'p -> -p')
>>> G.inputs[0].row(1)
Matrix([[0, 0, 0, 0, 0, 1]])
>>> group_from_spec("C4", net)
Traceback (most recent call last):
...
symeq.errors.InputError: catalog group 'C4' needs a square 2-D grid; this network's grid is Z_6
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import sympy
from sympy import ImmutableMatrix

from symeq.architectures.conv.grid import Grid, GridMap
from symeq.errors import InputError
from symeq.exact import matrix_to_strings, parse_matrix, parse_number
from symeq.groups.action import DEFAULT_ORDER_LIMIT, GroupAction, canonical, check_generator_names, parse_word

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.model import ConvNet

__all__ = ["ConvGroupAction", "group_from_dict", "group_from_spec", "CATALOG", "MAX_DENSE"]

#: Largest flattened dimension for which rho_0(g), rho_L(g) are written as dense matrices.
MAX_DENSE = 1024

#: Catalog names for ``--group`` (grid maps; channel matrices the identity).
CATALOG = {
    "reflection": "p -> -p (1-D or 2-D)",
    "shift": "translations by 1 along each axis",
    "dihedral": "1-D: p -> p + 1 and p -> -p",
    "C2": "2-D: rotation by 180 degrees about 0 (p -> -p)",
    "C4": "2-D square grid: rotation by 90 degrees about 0",
    "D4": "2-D square grid: rotation by 90 degrees and the mirror (p1, p2) -> (p1, -p2)",
    "hmirror": "2-D: the mirror (p1, p2) -> (p1, -p2)",
    "vmirror": "2-D: the mirror (p1, p2) -> (-p1, p2)",
}

Element = tuple[GridMap, ImmutableMatrix | None, ImmutableMatrix | None]


class ConvGroupAction(GroupAction):
    """G given by grid maps and channel matrices (see the module docstring)."""

    def __init__(self, names: tuple[str, ...], maps: tuple[GridMap, ...],
                 inputs: tuple[ImmutableMatrix | None, ...], outputs: tuple[ImmutableMatrix | None, ...],
                 *, grid: Grid, in_channels: int, out_channels: int, dense_output: bool,
                 relations: tuple[str, ...] = (), catalog: str | None = None,
                 order_limit: int = DEFAULT_ORDER_LIMIT) -> None:
        check_generator_names(names)
        if not (len(names) == len(maps) == len(inputs) == len(outputs)):
            raise InputError("every generator needs a grid map")
        ins, outs = [], []
        for name, m, a, b in zip(names, maps, inputs, outputs):
            if m.grid != grid:
                raise InputError(f"generator {name}: the grid map is for another grid")
            for mat, side, n in ((a, "input", in_channels), (b, "output", out_channels)):
                if mat is None:
                    continue
                if mat.shape != (n, n):
                    what = "outputs" if side == "output" and dense_output else f"{side} channels"
                    raise InputError(f"generator {name}: the {side} matrix must be {n} x {n} (the {what})")
                if mat.free_symbols:
                    raise InputError(f"generator {name}: {side} matrix contains symbols")
                if mat.det() == 0:
                    raise InputError(f"generator {name}: {side} matrix is singular")
            ins.append(None if a is None or a == ImmutableMatrix.eye(in_channels) else canonical(a))
            outs.append(None if b is None or b == ImmutableMatrix.eye(out_channels) else canonical(b))
        for key, value in (("names", tuple(names)), ("relations", tuple(relations)), ("catalog", catalog),
                           ("output_mode", "explicit"), ("order_limit", order_limit), ("_cache", {}),
                           ("_maps", tuple(maps)), ("_rin", tuple(ins)), ("_rout", tuple(outs)),
                           ("grid", grid), ("in_channels", in_channels), ("out_channels", out_channels),
                           ("dense_output", dense_output)):
            object.__setattr__(self, key, value)

    # -- value semantics --------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        return (self.names, self._maps, self._rin, self._rout, self.grid, self.in_channels,
                self.out_channels, self.dense_output, self.relations)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConvGroupAction) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"ConvGroupAction(names={self.names}, grid={self.grid.shape})"

    # -- the compact data ----------------------------------------------------------------------
    def grid_map(self, name: str) -> GridMap:
        """The grid map of generator ``name``."""
        return self._maps[self._position(name)]

    def channel_matrices(self, name: str) -> tuple[ImmutableMatrix | None, ImmutableMatrix | None]:
        """(R_in(g), R_out(g)^{-1}), None for the identity."""
        k = self._position(name)
        out = self._rout[k]
        key = ("rout_inv", k)
        if out is not None and key not in self._cache:
            self._cache[key] = canonical(out.inv())
        return self._rin[k], (self._cache[key] if out is not None else None)

    def _position(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise InputError(f"unknown generator {name!r}; the group has {', '.join(self.names)}") from None

    @property
    def input_dim(self) -> int:
        return self.in_channels * self.grid.size

    @property
    def output_dim(self) -> int:
        return self.out_channels * (1 if self.dense_output else self.grid.size)

    # -- dense matrices, on demand -------------------------------------------------------------
    def _dense(self, side: int, k: int) -> ImmutableMatrix:
        key = ("dense", side, k)
        if key not in self._cache:
            n = self.input_dim if side == 0 else self.output_dim
            if n > MAX_DENSE:
                raise InputError(f"rho_{'0' if side == 0 else 'L'}(g) has dimension {n}; it is not written "
                                 f"as a dense matrix above {MAX_DENSE}")
            R = self._rin[k] if side == 0 else self._rout[k]
            C = self.in_channels if side == 0 else self.out_channels
            R = ImmutableMatrix.eye(C) if R is None else R
            if side == 1 and self.dense_output:
                self._cache[key] = R
            else:
                N = self.grid.size
                perm = self._maps[k].permutation
                M = sympy.zeros(C * N, C * N)
                for a in range(C):
                    for b in range(C):
                        if R[a, b] != 0:
                            for p in range(N):
                                M[a * N + int(perm[p]), b * N + p] = R[a, b]
                self._cache[key] = ImmutableMatrix(M)
        return self._cache[key]

    @property
    def inputs(self) -> tuple[ImmutableMatrix, ...]:  # type: ignore[override]
        """rho_0(g) of every generator, dense (small networks only)."""
        return tuple(self._dense(0, k) for k in range(len(self.names)))

    @property
    def outputs(self) -> tuple[ImmutableMatrix, ...]:  # type: ignore[override]
        """rho_L(g) of every generator, dense (small networks only)."""
        return tuple(self._dense(1, k) for k in range(len(self.names)))

    # -- elements ---------------------------------------------------------------------------------
    def _gen(self, k: int) -> Element:
        return self._maps[k], self._rin[k], self._rout[k]

    def _mul(self, x: Element, y: Element) -> Element:
        """x y (first y, then x, as matrices)."""
        def prod(a: Any, b: Any) -> Any:
            if a is None:
                return b
            if b is None:
                return a
            m = canonical(a * b)
            return None if m == ImmutableMatrix.eye(m.rows) else m
        return x[0] @ y[0], prod(x[1], y[1]), prod(x[2], y[2])

    def compact_elements(self) -> list[Element]:
        """Every element as (grid map, R_in, R_out), the identity first, breadth first."""
        if "compact" in self._cache:
            return self._cache["compact"]
        e: Element = (GridMap.identity(self.grid), None, None)
        seen = {e: 0}
        order = [e]
        queue = deque([0])
        while queue:
            x = order[queue.popleft()]
            for k in range(len(self.names)):
                y = self._mul(x, self._gen(k))
                if y not in seen:
                    if len(order) >= self.order_limit:
                        raise InputError(f"the generators produce more than {self.order_limit} elements: "
                                         "the group is infinite or too large")
                    seen[y] = len(order)
                    order.append(y)
                    queue.append(len(order) - 1)
        self._cache["compact"] = order
        self._cache["compact_index"] = seen
        return order

    def regular_data(self) -> tuple[list[list[int]], list[Element]]:
        """The right multiplications x -> x g_k by the generators on the element numbers, and
        the elements (what :func:`symeq.groups.permutation.finite_group` builds its table from)."""
        elements = self.compact_elements()
        index = self._cache["compact_index"]
        right = [[index[self._mul(x, self._gen(k))] for x in elements] for k in range(len(self.names))]
        return right, elements

    def order(self) -> int:
        return len(self.compact_elements())

    def elements(self) -> list[Any]:
        """Every element as a pair (rho_0(g), rho_L(g)) of dense matrices (small networks only)."""
        out = []
        for gm, a, b in self.compact_elements():
            out.append((self._dense_of(gm, a, 0), self._dense_of(gm, b, 1)))
        return out

    def _dense_of(self, gm: GridMap, R: Any, side: int) -> ImmutableMatrix:
        probe = ConvGroupAction(("x",), (gm,), (R if side == 0 else None,), (R if side == 1 else None,),
                                grid=self.grid, in_channels=self.in_channels, out_channels=self.out_channels,
                                dense_output=self.dense_output)
        return probe._dense(side, 0)

    def index(self, element: Any) -> int:
        """The number of an element: a compact triple or a dense pair."""
        self.compact_elements()
        if isinstance(element, tuple) and len(element) == 3 and isinstance(element[0], GridMap):
            try:
                return self._cache["compact_index"][element]
            except KeyError:
                raise InputError("not an element of the group") from None
        dense = self.elements()
        key = (canonical(element[0]), canonical(element[1]))
        for k, pair in enumerate(dense):
            if pair == key:
                return k
        raise InputError("not an element of the group")

    def generator(self, name: str) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        k = self._position(name)
        return self._dense(0, k), self._dense(1, k)

    def generators(self) -> list[tuple[str, ImmutableMatrix, ImmutableMatrix]]:
        return [(n, *self.generator(n)) for n in self.names]

    def evaluate_compact(self, word: str) -> Element:
        """The element named by a word in the generators."""
        x: Element = (GridMap.identity(self.grid), None, None)
        for name, exp in parse_word(word, self.names):
            k = self._position(name)
            g = self._gen(k)
            if exp < 0:
                gm, a, b = g
                g = (gm.inverse(), None if a is None else canonical(a.inv()), None if b is None else canonical(b.inv()))
                exp = -exp
            for _ in range(exp):
                x = self._mul(x, g)
        return x

    def check_relations(self) -> None:
        """Raise InputError naming the first declared relation that does not hold."""
        for word in self.relations:
            gm, a, b = self.evaluate_compact(word)
            if not gm.is_identity() or a is not None or b is not None:
                raise InputError(f"relation {word!r} does not hold: it evaluates to a non-identity element")

    # -- files ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``[group]`` table of the conv schema."""
        gens: dict[str, Any] = {}
        for name, gm, a, b in zip(self.names, self._maps, self._rin, self._rout):
            d: dict[str, Any] = {"grid": gm.to_dict()}
            if a is not None:
                d["input"] = matrix_to_strings(a)
            if b is not None:
                d["output"] = matrix_to_strings(b)
            gens[name] = d
        out: dict[str, Any] = {"generators": gens}
        if self.relations:
            out["relations"] = list(self.relations)
        if self.catalog:
            out["description"] = f"catalog group {self.catalog}"
        return out

    def describe(self) -> str:
        """One line per generator."""
        lines = []
        for name, gm, a, b in zip(self.names, self._maps, self._rin, self._rout):
            extra = "".join(f"; {side} channels mixed by {matrix_to_strings(m)}" for side, m in
                            (("input", a), ("output", b)) if m is not None)
            lines.append(f"{name}: {gm.describe()} on every layer{extra}")
        return "\n".join(lines)


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise InputError(f"{what} must be an integer")
    if isinstance(value, int):
        return value
    x = parse_number(value, "forbid")
    if not x.is_Integer:
        raise InputError(f"{what} must be an integer, got {value!r}")
    return int(x)


def _grid_map(d: object, grid: Grid, name: str) -> GridMap:
    k = grid.dim
    if d is None:
        return GridMap.identity(grid)
    if not isinstance(d, dict) or set(d) - {"matrix", "offset"}:
        raise InputError(f"generator {name}: grid must be a table with keys matrix and offset")
    mat = d.get("matrix", [[int(i == j) for j in range(k)] for i in range(k)])
    off = d.get("offset", [0] * k)
    if not isinstance(mat, list) or len(mat) != k or not all(isinstance(r, list) and len(r) == k for r in mat):
        raise InputError(f"generator {name}: grid matrix must be {k} x {k}")
    if not isinstance(off, list) or len(off) != k:
        raise InputError(f"generator {name}: grid offset must have length {k}")
    A = [[_int(v, f"generator {name}: grid matrix entry") for v in row] for row in mat]
    t = [_int(v, f"generator {name}: grid offset entry") for v in off]
    try:
        return GridMap.make(grid, A, t)
    except InputError as exc:
        raise InputError(f"generator {name}: {exc}") from None


def _shape(net: "ConvNet") -> tuple[int, int, bool]:
    dense = net.readout == "dense"
    out = net.spaces()[-1] if dense else net.channels[-1]
    return net.channels[0], out, dense


def group_from_dict(d: object, net: "ConvNet") -> ConvGroupAction:
    """The ``[group]`` table for a convolutional network (or ``name = "D4"`` for a catalog group)."""
    if not isinstance(d, dict):
        raise InputError("[group] must be a table")
    if "name" in d:
        if set(d) - {"name", "description"}:
            raise InputError("[group] with a name takes no other keys (except description)")
        return group_from_spec(d["name"], net)
    unknown = set(d) - {"generators", "relations", "description"}
    if unknown:
        raise InputError(f"[group] has unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    gens = d.get("generators")
    if not isinstance(gens, dict) or not gens:
        raise InputError("[group] needs a table of generators")
    c_in, c_out, dense = _shape(net)
    names, maps, ins, outs = [], [], [], []
    for name, g in gens.items():
        if not isinstance(g, dict):
            raise InputError(f"generator {name}: must be a table")
        bad = set(g) - {"grid", "input", "output"}
        if bad:
            raise InputError(f"generator {name}: unknown key(s) {', '.join(sorted(map(str, bad)))} "
                             "(a convolutional group has grid, input, output)")
        names.append(str(name))
        maps.append(_grid_map(g.get("grid"), net.grid, name))
        ins.append(None if "input" not in g else parse_matrix(g["input"], (c_in, c_in), f"generator {name} input", "forbid"))
        outs.append(None if "output" not in g else parse_matrix(g["output"], (c_out, c_out), f"generator {name} output", "forbid"))
    rels = d.get("relations", [])
    if not isinstance(rels, list) or not all(isinstance(r, str) for r in rels):
        raise InputError("[group] relations must be a list of words")
    G = ConvGroupAction(tuple(names), tuple(maps), tuple(ins), tuple(outs), grid=net.grid, in_channels=c_in,
                        out_channels=c_out, dense_output=dense, relations=tuple(rels))
    G.check_relations()
    G.compact_elements()  # refuse infinite or too large groups up front
    _check_support(G, net)
    return G


def _check_support(G: ConvGroupAction, net: "ConvNet") -> None:
    """The generalized adjunction needs the filters' parameter space kept: A S = S."""
    if net.support is None:
        return
    S = set(net.support)
    for name in G.names:
        lin = G.grid_map(name).linear_permutation
        if {int(lin[q]) for q in S} != S:
            raise InputError(f"generator {name}: its grid map does not keep the filters' support "
                             "(A S != S), so theta^g leaves the architecture")


def group_from_spec(spec: object, net: "ConvNet") -> ConvGroupAction:
    """A catalog group of grid maps (see :data:`CATALOG`) for ``net``'s grid."""
    if not isinstance(spec, str):
        raise InputError("a catalog group name must be a string")
    grid = net.grid
    k = grid.dim
    ident = [[int(i == j) for j in range(k)] for i in range(k)]
    neg = [[-int(i == j) for j in range(k)] for i in range(k)]
    zero = [0] * k
    square = k == 2 and grid.shape[0] == grid.shape[1]
    gens: dict[str, tuple[Any, Any]]
    if spec == "reflection":
        gens = {"m": (neg, zero)}
    elif spec == "shift":
        gens = {("t" if k == 1 else f"t{j + 1}"): (ident, [int(i == j) for i in range(k)]) for j in range(k)}
    elif spec == "dihedral" and k == 1:
        gens = {"t": (ident, [1]), "m": (neg, zero)}
    elif spec == "C2" and k == 2:
        gens = {"r": (neg, zero)}
    elif spec in ("C4", "D4") and square:
        gens = {"r": ([[0, -1], [1, 0]], zero)}
        if spec == "D4":
            gens["s"] = ([[1, 0], [0, -1]], zero)
    elif spec == "hmirror" and k == 2:
        gens = {"m": ([[1, 0], [0, -1]], zero)}
    elif spec == "vmirror" and k == 2:
        gens = {"m": ([[-1, 0], [0, 1]], zero)}
    elif spec in CATALOG:
        need = {"dihedral": "a 1-D grid", "C4": "a square 2-D grid", "D4": "a square 2-D grid"}.get(spec, "a 2-D grid")
        raise InputError(f"catalog group {spec!r} needs {need}; this network's grid is {grid.describe()}")
    else:
        raise InputError(f"unknown convolutional catalog group {spec[:40]!r}; known: {', '.join(CATALOG)}")
    c_in, c_out, dense = _shape(net)
    names = tuple(gens)
    maps = tuple(GridMap.make(grid, A, t) for A, t in gens.values())
    G = ConvGroupAction(names, maps, (None,) * len(names), (None,) * len(names), grid=grid, in_channels=c_in,
                        out_channels=c_out, dense_output=dense, catalog=spec)
    G.compact_elements()
    _check_support(G, net)
    return G
