"""The exact space of layerwise-equivariant parameters of one layer.

A layer z = W x + b is equivariant for actions A_in (on its input) and A_out (on its
pre-activation output) when, for every generator g of G,

    W A_in(g) = A_out(g) W        and        A_out(g) b = b.

The solutions form a vector space (Hom_G(A_in, A_out) plus the fixed vectors of A_out).  Its
basis is computed without linear algebra when both actions are signed permutations
(DESIGN.md section 5): W A_in = A_out W says W[p_out(i), p_in(j)] = s_out(i) s_in(j) W[i, j],
so colour the index pairs (i, j) by their orbits under G; an orbit that reaches an entry
with both signs ("meets its own negation") is zero, every other orbit is one free parameter.
When one side is a general matrix action (the boundary actions rho_0 and rho_L, e.g. the
rotation by 45 degrees with sqrt(2)/2 entries), the rows (or columns) still form orbits: one
free vector per orbit, constrained to a small eigenspace of its stabilizer, solved exactly
over the number field the entries generate (QQ, QQ<sqrt(2)>, ...).  Only when both sides are
matrices does the module fall back to a nullspace of the full constraint matrix, which is also
what the tests cross-check the orbit bases against.

>>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
>>> space = layer_space(swap, swap)
>>> space.dim                       # W = [[a, c], [c, a]] and b = (e, e)
3
>>> flip = SignedPermutationAction(((0,),), ((-1,),))
>>> layer_space(flip, SignedPermutationAction(((0,),), ((1,),))).dim   # w = -w, b free
1
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Union

import numpy as np
import sympy
from sympy import ImmutableMatrix
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix

from symeq.errors import InputError
from symeq.exact import Matrix, exact_field

__all__ = [
    "SignedPermutationAction",
    "MatrixAction",
    "Action",
    "BasisVector",
    "LayerSpace",
    "layer_space",
    "pair_orbits",
    "pair_orbit_arrays",
    "index_orbits",
    "nullspace_layer_space",
    "constraint_matrix",
    "satisfies_constraints",
    "common_domain",
    "domain_matrices",
    "NetworkSpace",
    "network_space",
    "CENTRED_ACTIVATIONS",
]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)


@dataclass(frozen=True)
class SignedPermutationAction:
    """A signed permutation action given on generators: rho(g_k) e_j = signs[k][j] e_{perms[k][j]}.

    >>> a = SignedPermutationAction(((1, 0),), ((1, -1),))
    >>> a.matrix(0)
    Matrix([
    [0, -1],
    [1,  0]])
    """

    perms: tuple[tuple[int, ...], ...]
    signs: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        perms = tuple(tuple(int(x) for x in p) for p in self.perms)
        signs = tuple(tuple(int(x) for x in s) for s in self.signs)
        object.__setattr__(self, "perms", perms)
        object.__setattr__(self, "signs", signs)
        if len(perms) != len(signs):
            raise InputError("a signed permutation action needs one sign vector per generator")
        degrees = {len(p) for p in perms} | {len(s) for s in signs}
        if len(degrees) > 1:
            raise InputError("every generator of a signed permutation action must have the same degree")
        for p, s in zip(perms, signs):
            if sorted(p) != list(range(len(p))):
                raise InputError(f"{list(p)} is not a permutation of 0..{len(p) - 1}")
            if any(x not in (1, -1) for x in s):
                raise InputError("signs of a signed permutation must be +1 or -1")

    @property
    def degree(self) -> int:
        """The number of points (neurons) acted on."""
        return len(self.perms[0]) if self.perms else 0

    @property
    def n_generators(self) -> int:
        return len(self.perms)

    def matrix(self, k: int) -> Matrix:
        """The matrix of generator number k (column j has signs[k][j] in row perms[k][j])."""
        d = self.degree
        m = sympy.zeros(d, d)
        for j, (i, s) in enumerate(zip(self.perms[k], self.signs[k])):
            m[i, j] = s
        return ImmutableMatrix(m)

    def unsigned(self) -> "SignedPermutationAction":
        """The same permutations with every sign +1 (the underlying G-set)."""
        return SignedPermutationAction(self.perms, tuple((1,) * len(p) for p in self.perms))


@dataclass(frozen=True)
class MatrixAction:
    """A linear action given by one exact invertible matrix per generator."""

    matrices: tuple[Matrix, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "matrices", tuple(ImmutableMatrix(m) for m in self.matrices))
        if not self.matrices or any(not m.is_square or m.shape != self.matrices[0].shape
                                    for m in self.matrices):
            raise InputError("a matrix action needs square matrices of one size")

    @property
    def degree(self) -> int:
        return self.matrices[0].rows

    @property
    def n_generators(self) -> int:
        return len(self.matrices)

    def matrix(self, k: int) -> Matrix:
        return self.matrices[k]


Action = Union[SignedPermutationAction, MatrixAction]


@dataclass(frozen=True)
class BasisVector:
    """One basis element of a layer space: sparse entries of W and of b (exact numbers)."""

    weight: tuple[tuple[int, int, sympy.Expr], ...]
    bias: tuple[tuple[int, sympy.Expr], ...]

    def matrices(self, shape: tuple[int, int]) -> tuple[Matrix, Matrix]:
        """(W, b) as dense exact matrices."""
        w = sympy.zeros(*shape)
        b = sympy.zeros(shape[0], 1)
        for i, j, x in self.weight:
            w[i, j] = x
        for i, x in self.bias:
            b[i, 0] = x
        return ImmutableMatrix(w), ImmutableMatrix(b)


@dataclass(frozen=True, eq=False)
class LayerSpace:
    """A basis of {(W, b) : W A_in(g) = A_out(g) W, A_out(g) b = b for all g}.

    ``method`` says how it was computed: "orbits" (pure index-pair colouring), "orbits+eigen"
    (orbits of rows or columns, each with a small exact eigenspace), or "nullspace".  For the
    "orbits" method the weight part is kept compact, as the colouring ``weight_orbits`` =
    (label, sign, n) of :func:`pair_orbit_arrays` (that *is* a basis: orbit k is the matrix
    with sign[u] at every pair u labelled k); :attr:`basis` spells it out on first use.
    ``vectors`` are the remaining basis vectors (all of them for the other methods).
    """

    shape: tuple[int, int]
    vectors: tuple[BasisVector, ...]
    method: str
    weight_orbits: tuple[np.ndarray, np.ndarray, int] | None = None

    @cached_property
    def basis(self) -> tuple[BasisVector, ...]:
        """Every basis vector explicitly: the weight orbits first, then ``vectors``."""
        if self.weight_orbits is None:
            return self.vectors
        return _orbit_vectors(self.weight_orbits, self.shape[1]) + self.vectors

    @property
    def dim(self) -> int:
        return (self.weight_orbits[2] if self.weight_orbits is not None else 0) + len(self.vectors)

    @property
    def weight_dim(self) -> int:
        """How many basis vectors touch W (the rest only move b)."""
        n = self.weight_orbits[2] if self.weight_orbits is not None else 0
        return n + sum(1 for v in self.vectors if v.weight)

    def general(self, symbols: list[sympy.Symbol] | tuple[sympy.Symbol, ...]) -> tuple[Matrix, Matrix]:
        """The general element sum_k t_k B_k as symbolic (W, b), one symbol per basis vector.

        >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
        >>> W, b = layer_space(swap, swap).general(sympy.symbols("t0:3"))
        >>> W
        Matrix([
        [t0, t1],
        [t1, t0]])
        """
        if len(symbols) != self.dim:
            raise InputError(f"need {self.dim} symbols, got {len(symbols)}")
        w = sympy.zeros(*self.shape)
        b = sympy.zeros(self.shape[0], 1)
        for t, v in zip(symbols, self.basis):
            for i, j, x in v.weight:
                w[i, j] += x * t
            for i, x in v.bias:
                b[i, 0] += x * t
        return ImmutableMatrix(w), ImmutableMatrix(b)


# -- orbit colouring -------------------------------------------------------------------------

def pair_orbits(out: SignedPermutationAction, inp: SignedPermutationAction) -> tuple[list[int], list[int], int]:
    """Colour the index pairs (i, j) of a d_out x d_in matrix by their G-orbits.

    Returns (label, sign, n): pair u = i * d_in + j belongs to orbit label[u] (or -1 when its
    orbit meets its own negation, so the entry is forced to zero) and W[i, j] = sign[u] * t
    for that orbit's free parameter t.  n is the number of free parameters.

    >>> flip = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> pair_orbits(flip, SignedPermutationAction(((0,),), ((-1,),)))
    ([0, 0], [1, -1], 1)
    """
    label, sign, n = pair_orbit_arrays(out, inp)
    return label.tolist(), sign.tolist(), n


def pair_orbit_arrays(out: SignedPermutationAction, inp: SignedPermutationAction) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`pair_orbits` as numpy arrays (the fast path for large layers).

    Orbits are found by propagating the smallest pair number along the generators until
    nothing changes (at most the orbit diameter rounds, each one vectorized over all pairs);
    signs are then carried from each orbit's representative the same way, and an orbit is
    zero when some generator step disagrees with the carried signs.

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> label, sign, n = pair_orbit_arrays(swap, swap)
    >>> label.tolist(), n
    ([0, 1, 1, 0], 2)
    """
    if out.n_generators != inp.n_generators:
        raise InputError("the two actions must be given on the same generators")
    d_out, d_in = out.degree, inp.degree
    n_pairs = d_out * d_in
    po = np.asarray(out.perms, dtype=np.int64).reshape(out.n_generators, d_out)
    so = np.asarray(out.signs, dtype=np.int8).reshape(out.n_generators, d_out)
    pi_ = np.asarray(inp.perms, dtype=np.int64).reshape(inp.n_generators, d_in)
    si = np.asarray(inp.signs, dtype=np.int8).reshape(inp.n_generators, d_in)
    # generator k sends pair (i, j) to (p_out(i), p_in(j)) with sign s_out(i) s_in(j)
    tgts = [(po[k][:, None] * d_in + pi_[k][None, :]).ravel() for k in range(out.n_generators)]
    sgs = [(so[k][:, None] * si[k][None, :]).ravel() for k in range(out.n_generators)]
    rep = np.arange(n_pairs, dtype=np.int64)
    while True:  # rep[u] = the smallest pair in u's orbit, at the fixed point
        new = rep.copy()
        for t in tgts:
            np.minimum(new, new[t], out=new)
        if np.array_equal(new, rep):
            break
        rep = new
    sign = np.zeros(n_pairs, dtype=np.int8)
    known = rep == np.arange(n_pairs)
    sign[known] = 1
    while True:  # carry signs forward from the representatives
        grew = False
        for t, sg in zip(tgts, sgs):
            src = known & ~known[t]
            if src.any():
                idx = np.nonzero(src)[0]
                sign[t[idx]] = sign[idx] * sg[idx]
                known[t[idx]] = True
                grew = True
        if not grew:
            break
    bad = np.zeros(n_pairs, dtype=bool)
    for t, sg in zip(tgts, sgs):
        bad |= sign[t] != sign * sg
    zero = np.isin(rep, np.unique(rep[bad])) if bad.any() else np.zeros(n_pairs, dtype=bool)
    label = np.full(n_pairs, -1, dtype=np.int64)
    good = ~zero
    reps, inverse = np.unique(rep[good], return_inverse=True)
    label[good] = inverse
    sign[zero] = 0
    return label, sign, int(len(reps))


def index_orbits(action: SignedPermutationAction) -> tuple[list[int], list[int], int]:
    """Orbits of G on the points of a signed permutation action, for fixed vectors b = A b.

    Same conventions as :func:`pair_orbits`: (label, sign, number of free parameters).

    >>> index_orbits(SignedPermutationAction(((1, 0, 2),), ((1, 1, -1),)))
    ([0, 0, -1], [1, 1, 0], 1)
    """
    one = SignedPermutationAction(tuple((0,) for _ in action.perms), tuple((1,) for _ in action.perms))
    return pair_orbits(action, one)


# -- exact linear algebra over the right domain ------------------------------------------------

def common_domain(matrices: list[Matrix]):
    """The smallest exact domain (ZZ, QQ, QQ<sqrt(2)>, ...) holding every entry.

    >>> common_domain([ImmutableMatrix([[sympy.sqrt(2) / 2]])])
    QQ<sqrt(2)>
    """
    entries = [x for m in matrices for x in m] or [sympy.Integer(0)]
    for x in entries:
        if x.free_symbols:
            raise InputError("group actions must have constant entries")
    K, _ = construct_domain(entries, extension=True)
    return K.get_field() if not K.is_Field else K


@lru_cache(maxsize=256)
def domain_matrices(matrices: tuple[Matrix, ...]):
    """(K, [DomainMatrix over K]) for constant matrices: the common exact field and the
    matrices converted once (cached: converting sqrt(2)/2 into QQ<sqrt(2)> entry by entry is
    what costs, not the linear algebra).

    >>> K, (m,) = domain_matrices((ImmutableMatrix([[sympy.sqrt(2) / 2, 1]]),))
    >>> K, m.to_Matrix()
    (QQ<sqrt(2)>, Matrix([[sqrt(2)/2, 1]]))
    """
    entries = [x for m in matrices for x in m] or [sympy.Integer(0)]
    for x in entries:
        if x.free_symbols:
            raise InputError("group actions must have constant entries")
    K, elems = exact_field(entries)
    out, k = [], 0
    for m in matrices:
        rows = [elems[k + i * m.cols: k + (i + 1) * m.cols] for i in range(m.rows)]
        out.append(DomainMatrix(rows, m.shape, K))
        k += m.rows * m.cols
    return K, out


def _left_nullspace(blocks: list[DomainMatrix], n: int, K) -> list[list]:
    """Basis (rows, in K) of {w in K^n : w C = 0 for every block C (n x something)}."""
    if not blocks:
        return [[K.one if i == j else K.zero for j in range(n)] for i in range(n)]
    c = blocks[0].hstack(*blocks[1:]) if len(blocks) > 1 else blocks[0]
    ns = c.transpose().nullspace()
    return ns.to_list() if ns.shape[0] else []


def _right_nullspace(blocks: list[DomainMatrix], n: int, K) -> list[list]:
    """Basis (as lists) of {c in K^n : C c = 0 for every block C (something x n)}."""
    if not blocks:
        return [[K.one if i == j else K.zero for j in range(n)] for i in range(n)]
    c = blocks[0].vstack(*blocks[1:]) if len(blocks) > 1 else blocks[0]
    ns = c.nullspace()
    return ns.to_list() if ns.shape[0] else []


def _orbit_transports(action: SignedPermutationAction, mats: list[DomainMatrix], K, side: str):
    """BFS over the orbits of a signed permutation action, carrying the matrix action along.

    side "row": row_{p(j)} = s_j row_j M(g)^{-1}, so row_j = w T_j with T_k = s T_j M^{-1}.
    side "col": col_{p(j)} = s_j N(g) col_j, so col_j = T_j c with T_k = s N T_j.
    Returns a list of orbits, each (members, transports, constraint blocks)."""
    d = action.degree
    n = mats[0].shape[0]
    eye = DomainMatrix.eye(n, K)
    if side == "row":
        mats = [m.inv() for m in mats]
    seen: dict[int, DomainMatrix] = {}
    orbits = []
    for start in range(d):
        if start in seen:
            continue
        seen[start] = eye
        members, blocks = [start], []
        queue = deque([start])
        while queue:
            j = queue.popleft()
            for k in range(action.n_generators):
                t, s = action.perms[k][j], action.signs[k][j]
                T = seen[j] * mats[k] if side == "row" else mats[k] * seen[j]
                if s == -1:
                    T = -T
                if t not in seen:
                    seen[t] = T
                    members.append(t)
                    queue.append(t)
                else:
                    diff = seen[t] - T
                    if not diff.is_zero_matrix:
                        blocks.append(diff)
        orbits.append((members, {j: seen[j] for j in members}, blocks))
    return orbits


def _check_generators(a: Action, b: Action) -> None:
    if a.n_generators != b.n_generators:
        raise InputError("the input and output actions must be given on the same generators")


def layer_space(action_in: Action, action_out: Action) -> LayerSpace:
    """A basis of the layerwise-equivariant (W, b) of one layer, by orbits where possible.

    >>> r = ImmutableMatrix([[0, -1], [1, 0]])          # C4 on the plane
    >>> c4 = SignedPermutationAction(((1, 2, 3, 0),), ((1, 1, 1, 1),))
    >>> s = layer_space(MatrixAction((r,)), c4)         # 4 rows: rotations of one free row
    >>> s.dim, s.method                                 # 2 for the row, 1 for the common bias
    (3, 'orbits+eigen')
    """
    _check_generators(action_in, action_out)
    d_out, d_in = action_out.degree, action_in.degree
    basis: list[BasisVector] = []
    if isinstance(action_out, SignedPermutationAction) and isinstance(action_in, SignedPermutationAction):
        orbits = pair_orbit_arrays(action_out, action_in)
        return LayerSpace((d_out, d_in), tuple(_bias_basis(action_out)), "orbits", orbits)
    elif isinstance(action_out, SignedPermutationAction) or isinstance(action_in, SignedPermutationAction):
        perm_side = action_out if isinstance(action_out, SignedPermutationAction) else action_in
        mat_side = action_in if perm_side is action_out else action_out
        assert isinstance(perm_side, SignedPermutationAction) and isinstance(mat_side, MatrixAction)
        side = "row" if perm_side is action_out else "col"
        K, mats = domain_matrices(tuple(mat_side.matrices))
        n = mat_side.degree
        for members, transports, blocks in _orbit_transports(perm_side, mats, K, side):
            if side == "row":
                free = _left_nullspace(blocks, n, K)
                for w in free:
                    wv = DomainMatrix([w], (1, n), K)
                    ent = []
                    for j in members:
                        row = (wv * transports[j]).to_list()[0]
                        ent.extend((j, c, K.to_sympy(x)) for c, x in enumerate(row) if x != K.zero)
                    basis.append(BasisVector(tuple(sorted(ent)), ()))
            else:
                free = _right_nullspace(blocks, n, K)
                for cvec in free:
                    cv = DomainMatrix([[x] for x in cvec], (n, 1), K)
                    ent = []
                    for j in members:
                        col = (transports[j] * cv).to_list()
                        ent.extend((r, j, K.to_sympy(x[0])) for r, x in enumerate(col) if x[0] != K.zero)
                    basis.append(BasisVector(tuple(sorted(ent)), ()))
        method = "orbits+eigen"
    else:
        return nullspace_layer_space(action_in, action_out)
    basis.extend(_bias_basis(action_out))
    return LayerSpace((d_out, d_in), tuple(basis), method)


def _orbit_vectors(orbits: tuple[np.ndarray, np.ndarray, int], d_in: int) -> tuple[BasisVector, ...]:
    label, sign, n = orbits
    one, minus = sympy.Integer(1), sympy.Integer(-1)
    good = np.nonzero(label >= 0)[0]
    order = good[np.argsort(label[good], kind="stable")]
    cuts = np.searchsorted(label[order], np.arange(n + 1)).tolist()
    entries = list(zip((order // d_in).tolist(), (order % d_in).tolist(),
                       (one if x == 1 else minus for x in sign[order].tolist())))
    return tuple(BasisVector(tuple(entries[a:b]), ()) for a, b in zip(cuts[:-1], cuts[1:]))


def _bias_basis(action_out: Action) -> list[BasisVector]:
    if isinstance(action_out, SignedPermutationAction):
        label, sign, n = index_orbits(action_out)
        entries: list[list[tuple[int, sympy.Expr]]] = [[] for _ in range(n)]
        for i, (lab, s) in enumerate(zip(label, sign)):
            if lab >= 0:
                entries[lab].append((i, sympy.Integer(s)))
        return [BasisVector((), tuple(e)) for e in entries]
    K, mats = domain_matrices(tuple(action_out.matrices))
    d = action_out.degree
    eye = DomainMatrix.eye(d, K)
    blocks = [m - eye for m in mats]
    out = []
    for v in _right_nullspace(blocks, d, K):
        out.append(BasisVector((), tuple((i, K.to_sympy(x)) for i, x in enumerate(v) if x != K.zero)))
    return out


# -- the generic route: the full constraint matrix and its exact nullspace ---------------------

def constraint_matrix(action_in: Action, action_out: Action) -> DomainMatrix:
    """The linear constraints on the unknowns (W row-major, then b) as a sparse DomainMatrix
    over the common exact domain: rows W A_in(g) - A_out(g) W = 0 and A_out(g) b - b = 0.

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> constraint_matrix(swap, swap).shape
    (6, 6)
    """
    _check_generators(action_in, action_out)
    d_out, d_in = action_out.degree, action_in.degree
    mats_in = [action_in.matrix(k) for k in range(action_in.n_generators)]
    mats_out = [action_out.matrix(k) for k in range(action_out.n_generators)]
    K, dms = domain_matrices(tuple(mats_in + mats_out))
    dm_in, dm_out = dms[:len(mats_in)], dms[len(mats_in):]
    nw = d_out * d_in
    rows: dict[int, dict[int, object]] = {}
    r = 0
    for A, B in zip(dm_in, dm_out):
        a_dok, b_dok = A.to_dok(), B.to_dok()
        a_nz: list[list[tuple[int, object]]] = [[] for _ in range(d_in)]
        b_nz: list[list[tuple[int, object]]] = [[] for _ in range(d_out)]
        for (j, c), x in sorted(a_dok.items()):
            a_nz[c].append((j, x))
        for (i, l), x in sorted(b_dok.items()):
            b_nz[i].append((l, x))
        for i in range(d_out):
            for c in range(d_in):
                row: dict[int, object] = {}
                for j, x in a_nz[c]:           # (W A)[i, c] = sum_j W[i, j] A[j, c]
                    u = i * d_in + j
                    row[u] = row.get(u, K.zero) + x
                for l, y in b_nz[i]:           # (B W)[i, c] = sum_l B[i, l] W[l, c]
                    u = l * d_in + c
                    row[u] = row.get(u, K.zero) - y
                row = {u: x for u, x in row.items() if x != K.zero}
                if row:
                    rows[r] = row
                r += 1
        for i in range(d_out):                  # (B b - b)[i]
            row = {}
            for l, y in b_nz[i]:
                row[nw + l] = row.get(nw + l, K.zero) + y
            row[nw + i] = row.get(nw + i, K.zero) - K.one
            row = {u: x for u, x in row.items() if x != K.zero}
            if row:
                rows[r] = row
            r += 1
    return DomainMatrix(rows, (r, nw + d_out), K)


def nullspace_layer_space(action_in: Action, action_out: Action) -> LayerSpace:
    """The same space from the exact nullspace of :func:`constraint_matrix` (the slow,
    generic route; the tests compare it with :func:`layer_space`).

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> nullspace_layer_space(swap, swap).dim
    3
    """
    d_out, d_in = action_out.degree, action_in.degree
    C = constraint_matrix(action_in, action_out)
    K = C.domain
    nw = d_out * d_in
    ns = C.nullspace() if C.shape[0] else DomainMatrix.eye(C.shape[1], K)
    basis = []
    for v in (ns.to_list() if ns.shape[0] else []):
        w = tuple((u // d_in, u % d_in, K.to_sympy(x)) for u, x in enumerate(v[:nw]) if x != K.zero)
        b = tuple((i, K.to_sympy(x)) for i, x in enumerate(v[nw:]) if x != K.zero)
        basis.append(BasisVector(w, b))
    return LayerSpace((d_out, d_in), tuple(basis), "nullspace")


def satisfies_constraints(space: LayerSpace, action_in: Action, action_out: Action) -> bool:
    """True when every basis vector solves the constraints exactly (a self-check).

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> satisfies_constraints(layer_space(swap, swap), swap, swap)
    True
    """
    for v in space.basis:
        W, b = v.matrices(space.shape)
        for k in range(action_in.n_generators):
            A, B = action_in.matrix(k), action_out.matrix(k)
            if any(sympy.expand(x) != 0 for x in (W * A - B * W)):
                return False
            if any(sympy.expand(x) != 0 for x in (B * b - b)):
                return False
    return True


# -- a whole network: one space per layer --------------------------------------------------------

@dataclass(frozen=True)
class NetworkSpace:
    """The layerwise-equivariant parameters of an MLP for fixed latent actions: one
    :class:`LayerSpace` per layer (the layers' constraints do not interact, so the space is
    their product).  ``layers[i-1]`` holds the (W_i, b_i) of layer i."""

    widths: tuple[int, ...]
    layers: tuple[LayerSpace, ...]

    @property
    def dim(self) -> int:
        return sum(s.dim for s in self.layers)

    @property
    def layer_dims(self) -> tuple[int, ...]:
        return tuple(s.dim for s in self.layers)

    def general(self, prefix: str = "t") -> tuple[tuple[Matrix, Matrix], ...]:
        """The general parameter: per layer (W_i, b_i) with symbols t_i_k.

        >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
        >>> sp = network_space("tanh", swap, swap, [(swap, swap)])
        >>> sp.general()[0][0]
        Matrix([
        [t1_0, t1_1],
        [t1_1, t1_0]])
        """
        out = []
        for i, s in enumerate(self.layers, start=1):
            syms = [sympy.Symbol(f"{prefix}{i}_{k}", real=True) for k in range(s.dim)]
            out.append(s.general(syms))
        return tuple(out)


#: Activations whose latent group acts affinely through sigma(-z) = 1 - sigma(z): the space is
#: computed in centred coordinates u = v - 1/2, where the action is a signed permutation.
CENTRED_ACTIVATIONS = ("sigmoid",)


def network_space(activation_name: str, action_in: Action, action_out: Action,
                  hidden: list[tuple[Action, Action]] | tuple[tuple[Action, Action], ...]) -> NetworkSpace:
    """The space of an MLP's layerwise-equivariant parameters.

    ``action_in``/``action_out`` are rho_0 and rho_L; ``hidden[i-1] = (pre, post)`` gives, for
    hidden layer i, the action on its pre-activations (the lift that W_i, b_i must intertwine
    into) and the action rho_i on its outputs V_i (what W_{i+1} sees).  They differ only for
    even activations, where a neuron negated before the activation is fixed after it.

    For the logistic sigmoid the latent action v -> P(D v + f) becomes the signed permutation
    PD in the centred coordinates u = v - 1/2 (sigma(z) - 1/2 is odd), so for layers i >= 2 the
    centred bias b~_i = b_i + W_i 1/2 satisfies the signed-permutation constraint; each basis
    vector (W, b~) is mapped back to (W, b~ - W 1/2).

    >>> flip = SignedPermutationAction(((0,),), ((-1,),))
    >>> sp = network_space("sigmoid", flip, flip, [(flip, flip)])
    >>> sp.layers[1].basis        # W_2 = t, b_2 = -t/2: t (sigma(z) - 1/2) is odd
    (BasisVector(weight=((0, 0, 1),), bias=((0, -1/2),)),)
    """
    acts = [action_in] + [post for _, post in hidden]
    pres = [pre for pre, _ in hidden] + [action_out]
    layers = []
    for i, (a_in, a_out) in enumerate(zip(acts, pres), start=1):
        s = layer_space(a_in, a_out)
        if activation_name in CENTRED_ACTIVATIONS and i >= 2:
            s = _uncentre(s)
        layers.append(s)
    widths = (action_in.degree,) + tuple(pre.degree for pre, _ in hidden) + (action_out.degree,)
    return NetworkSpace(widths, tuple(layers))


def _uncentre(space: LayerSpace) -> LayerSpace:
    half = sympy.Rational(1, 2)
    basis = []
    for v in space.basis:
        bias: dict[int, sympy.Expr] = {i: x for i, x in v.bias}
        for i, _, x in v.weight:
            bias[i] = bias.get(i, sympy.Integer(0)) - half * x
        basis.append(BasisVector(v.weight, tuple((i, x) for i, x in sorted(bias.items()) if x != 0)))
    return LayerSpace(space.shape, tuple(basis), space.method)


def boundary_action(matrices: tuple[Matrix, ...]) -> Action:
    """rho_0 or rho_L as an action: a signed permutation action when every generator matrix is
    a signed permutation matrix (image pixels, coordinate shifts), else a matrix action.

    >>> from sympy import ImmutableMatrix as M
    >>> type(boundary_action((M([[0, 1], [1, 0]]),))).__name__
    'SignedPermutationAction'
    >>> type(boundary_action((M([[0, -1], [1, 1]]),))).__name__
    'MatrixAction'
    """
    perms, signs = [], []
    for m in matrices:
        p, s = [], []
        for j in range(m.cols):
            nz = [(i, m[i, j]) for i in range(m.rows) if m[i, j] != 0]
            if len(nz) != 1 or nz[0][1] not in (1, -1):
                return MatrixAction(tuple(matrices))
            p.append(nz[0][0])
            s.append(int(nz[0][1]))
        if sorted(p) != list(range(m.cols)):
            return MatrixAction(tuple(matrices))
        perms.append(tuple(p))
        signs.append(tuple(s))
    return SignedPermutationAction(tuple(perms), tuple(signs))
