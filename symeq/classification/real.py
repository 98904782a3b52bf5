"""Latent types, equivariant parameter spaces and degeneracy for the identity activation
(linear networks): the latent group of a hidden layer of width d is K_i = Aff(d).

**Types.**  A homomorphism rho : G -> Aff(d), rho(g) v = A(g) v + t(g), of a finite group G has
a fixed point: the orbit average p = (1/|G|) sum_g rho(g) 0 satisfies rho(h) p = p (rho(h) is
affine and permutes the orbit).  Conjugating by the translation v -> v - p turns rho into the
linear representation A.  Two linear representations are conjugate in Aff(d) exactly when
they are conjugate in GL(d) (the linear part of a conjugating affine map conjugates them), i.e.
when they are isomorphic.  The translation is a parameter symmetry: it changes b_i (and
b_{i+1} by W_{i+1} p) but neither the function nor the layerwise equivariance.  So the latent
types of a hidden layer of width d are the isomorphism classes of real representations of G of
dimension d: the multisets of real irreducibles U (symeq.groups.real_irreps) of total
dimension d.  Their number is the coefficient of x^d in prod_U (1 - x^{dim U})^{-1}; it is
exact even when listing them passes the budget.

**Spaces.**  For an assignment (V_1, ..., V_{L-1}) of types, with V_0 = rho_0 and V_L = rho_L
the group's input and output representations, a parameter is layerwise equivariant when
W_i is in Hom_G(V_{i-1}, V_i) and b_i in V_i^G (i = 1..L).  By Schur's lemma, with m_V(U) the
multiplicity of U in V and D_U = End_G(U) in {R, C, H},

    Hom_G(V, W) = (+)_U Mat(m_W(U) x m_V(U), D_U),   dim = sum_U m_V(U) m_W(U) dim_R D_U
                                                        = <chi_V, chi_W>,

and dim V^G = m_V(trivial).  The tables report these dimensions and the blocks.

**Degeneracy** (the linear analogue of inactive or redundant neurons; docs/theory.md section 3:
a linear network is identifiable iff every factor has full rank).  A parameter is
*non-degenerate* when, for every hidden layer i, W_i : V_{i-1} -> V_i is onto and
W_{i+1} : V_i -> V_{i+1} is injective.  Otherwise some linear form vanishes on the image of
W_i (the layer's neurons are affinely dependent functions) or a direction of V_i is unused,
and the same function is computed with a narrower layer i.  W in Hom_G(V, W') is onto iff each
block (a D_U-matrix) has full row rank m_{W'}(U), which needs m_{W'}(U) <= m_V(U); it is
injective iff each block has full column rank, which needs m_V(U) <= m_{W'}(U).  Full-rank
matrices form a non-empty Zariski-open subset of Mat(m x n, D) (the identity-like matrix is in
it; its complement is where every maximal real minor of the realification vanishes), the
layers' blocks are independent coordinates of one real vector space, and finitely many
non-empty Zariski-open subsets of a vector space meet.  Hence, exactly:

    the space has a non-degenerate parameter  iff  for every hidden layer i and real
    irreducible U:  m_{V_i}(U) <= m_{V_{i-1}}(U)  and  m_{V_i}(U) <= m_{V_{i+1}}(U),

and otherwise every parameter is degenerate, the reason naming the layer and the irreducible
whose multiplicity is too large (or "W_i = 0 for every parameter" when Hom_G(V_{i-1}, V_i) =
0: the function is constant).  Both verdicts are proofs.

**Explicit spaces and witnesses.**  When every real irreducible of a type has an exact
realization (symeq.groups.real_realization: matrices built in the group algebra from a pair
(H, psi) and verified exactly), the type is the block-diagonal matrix action of its
irreducibles, and the space of an assignment is computed explicitly (spaces.network_space);
its dimensions must equal the Schur dimensions above (a mismatch is an internal error).  A
non-degenerate verdict then also gets a witness: a parameter with small integer coefficients
on that basis whose W_i have full row rank and W_{i+1} full column rank at every hidden layer,
checked by exact ranks.  The witness is extra evidence; the verdict is the criterion's (if no
witness turns up within the tries, the reason says so and the verdict stands).

**Smallest width.**  With every hidden layer of width w, two adjacent hidden layers need
equal multiplicities (each bounds the other), so all hidden V_i are one representation V with
m_V <= M := min(m_{V_0}, m_{V_L}) pointwise; conversely such a V of dimension w is
non-degenerate.  So the admissible widths are the dimensions of the sub-multisets of M, and the
smallest is the least dim U over the U with M(U) > 0 ("none" for every width when V_0 and V_L share no
real irreducible).

>>> from symeq.groups import catalog_group
>>> C = classify_real("identity", (2, 2, 2), catalog_group("C8", 2, 2))
>>> C.layers[0].count, [t.label for t in C.layers[0].types]
(6, ['2 x U1', 'U1 + U2', '2 x U2', 'U3', 'U4', 'U5'])
>>> [a.degeneracy.status for a in C.assignments].count("non-degenerate"), C.smallest.width
(1, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from math import prod
from typing import Any

import random

import sympy
from sympy import ImmutableMatrix

from symeq.classification.results import Assignment, Classification, SmallestWidth
from symeq.classification.degenerate import Degeneracy
from symeq.classification.spaces import (
    Action,
    BasisVector,
    LayerSpace,
    MatrixAction,
    domain_matrices,
    layer_space,
    nullspace_layer_space,
)
from symeq.classification.results import DEFAULT_TYPE_BUDGET, LayerTypes
from symeq.classification.spaces import boundary_action
from symeq.errors import InputError
from symeq.exact import Matrix
from symeq.groups import GroupAction
from symeq.groups.gsets import count_multisets, multiplicity_vectors
from symeq.groups.permutation import finite_group
from symeq.groups.real_irreps import RealIrrep, boundary_multiplicities, real_irreducibles
from symeq.groups.real_realization import real_realizations

__all__ = [
    "RealLayerType",
    "SchurBlock",
    "RealLayerSpace",
    "count_real_types",
    "real_types",
    "real_layer_types",
    "type_label",
    "hom_blocks",
    "hom_dimension",
    "real_layer_space",
    "real_degeneracy",
    "real_assignment",
    "real_smallest_width",
    "classify_real",
    "type_action",
    "explicit_layer_space",
    "block_layer_space",
    "real_witness",
    "WITNESS_TRIES",
]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Integer parameters tried when looking for a witness of a non-degenerate verdict.
WITNESS_TRIES = 8

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RealLayerType:
    """One latent type of a hidden layer of a linear network: the real representation with
    ``multiplicities[k]`` copies of the k-th real irreducible (``irreps``)."""

    index: int
    label: str
    multiplicities: tuple[int, ...]
    width: int
    irreps: tuple[RealIrrep, ...] = field(compare=False, repr=False)

    def parts(self) -> list[dict[str, Any]]:
        """The irreducibles with nonzero multiplicity (plain data).

        >>> from symeq.groups import catalog_group
        >>> real_layer_types(catalog_group("C4", 2, 2), 2).types[1].parts()
        [{'irrep': 'U1', 'dim': 1, 'algebra': 'R', 'multiplicity': 1}, {'irrep': 'U2', 'dim': 1, 'algebra': 'R', 'multiplicity': 1}]
        """
        return [{"irrep": U.label, "dim": U.dim, "algebra": U.division_algebra, "multiplicity": m}
                for U, m in zip(self.irreps, self.multiplicities) if m]


@dataclass(frozen=True)
class SchurBlock:
    """The block Mat(rows x cols, D_U) of Hom_G(V, W) on the irreducible U
    (rows = m_W(U), cols = m_V(U))."""

    irrep: str
    rows: int
    cols: int
    algebra: str

    @property
    def dim(self) -> int:
        """Its real dimension rows * cols * dim_R D_U."""
        return self.rows * self.cols * {"R": 1, "C": 2, "H": 4}[self.algebra]

    def __str__(self) -> str:
        return f"Mat({self.rows}x{self.cols}, {self.algebra}) on {self.irrep}"


@dataclass(frozen=True)
class RealLayerSpace:
    """The layerwise-equivariant (W_i, b_i) of layer i: W_i in the Schur ``blocks``, b_i in the
    fixed vectors (``bias_dim`` = multiplicity of the trivial representation).  ``explicit``
    is an exact basis of the same space for the explicit matrix actions of the types (None
    when some irreducible involved has no realization, or explicit spaces were not asked for)."""

    layer: int
    weight_dim: int
    bias_dim: int
    blocks: tuple[SchurBlock, ...]
    explicit: LayerSpace | None = field(default=None, compare=False, repr=False)

    @property
    def dim(self) -> int:
        return self.weight_dim + self.bias_dim

    def describe(self) -> str:
        """The blocks in one line ("0" when Hom_G is zero).

        >>> RealLayerSpace(1, 2, 0, (SchurBlock("U3", 1, 1, "C"),)).describe()
        'Mat(1x1, C) on U3'
        """
        return " + ".join(map(str, self.blocks)) or "0"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        out = {"layer": self.layer, "weight_dimension": self.weight_dim, "bias_dimension": self.bias_dim,
               "blocks": [{"irrep": b.irrep, "rows": b.rows, "cols": b.cols, "algebra": b.algebra,
                           "dimension": b.dim} for b in self.blocks]}
        out["explicit_basis"] = None if self.explicit is None else self.explicit.dim
        return out


# -- types -----------------------------------------------------------------------------------

def count_real_types(dims: tuple[int, ...], d: int) -> int:
    """The coefficient of x^d in prod_k (1 - x^{dims[k]})^(-1): multisets of irreducibles of
    these dimensions with total dimension d (:func:`symeq.groups.gsets.count_multisets`).

    >>> count_real_types((1, 1, 2), 2), count_real_types((1, 1, 2), 4)
    (4, 9)
    """
    return count_multisets(dims, d)


def real_types(dims: tuple[int, ...], d: int) -> Iterator[tuple[int, ...]]:
    """Every multiplicity vector m with sum_k m_k dims[k] = d, in lexicographic order with the
    first irreducible's multiplicity largest first.

    >>> list(real_types((1, 1, 2), 2))
    [(2, 0, 0), (1, 1, 0), (0, 2, 0), (0, 0, 1)]
    """
    return multiplicity_vectors(dims, d)


def type_label(irreps: tuple[RealIrrep, ...], mult: tuple[int, ...]) -> str:
    """"2 x U1 + U3" (``0`` for the zero representation).

    >>> from symeq.groups import catalog_group
    >>> type_label(real_irreducibles(catalog_group("C4", 2, 2)), (2, 0, 1))
    '2 x U1 + U3'
    """
    parts = [U.label if m == 1 else f"{m} x {U.label}" for U, m in zip(irreps, mult) if m]
    return " + ".join(parts) or "0"


def real_layer_types(group: GroupAction, width: int, layer: int = 1,
                     budget: int = DEFAULT_TYPE_BUDGET) -> LayerTypes:
    """Every latent type of a linear hidden layer of ``width`` neurons (kind "real").

    >>> from symeq.groups import catalog_group
    >>> T = real_layer_types(catalog_group("C3", 2, 2), 2)
    >>> T.kind, T.count, [t.label for t in T.types]
    ('real', 2, ['2 x U1', 'U2'])
    >>> real_layer_types(catalog_group("C3", 2, 2), 60, budget=10).complete
    False
    """
    if width < 1:
        raise InputError("hidden widths must be positive")
    irreps = real_irreducibles(group)
    dims = tuple(U.dim for U in irreps)
    count = count_real_types(dims, width)
    if count > budget:
        return LayerTypes(layer, width, "real", count, (), False)
    types = tuple(RealLayerType(k, type_label(irreps, m), m, width, irreps)
                  for k, m in enumerate(real_types(dims, width)))
    if len(types) != count:  # the listing and the generating function must agree
        raise AssertionError(f"listed {len(types)} types but counted {count}")
    return LayerTypes(layer, width, "real", count, types, True)


# -- spaces ----------------------------------------------------------------------------------

def hom_blocks(irreps: tuple[RealIrrep, ...], m_in: tuple[int, ...], m_out: tuple[int, ...]
               ) -> tuple[SchurBlock, ...]:
    """The Schur blocks of Hom_G(V, W) for m_V = ``m_in``, m_W = ``m_out``.

    >>> from symeq.groups import catalog_group
    >>> R = real_irreducibles(catalog_group("C4", 2, 2))
    >>> [str(b) for b in hom_blocks(R, (2, 0, 1), (1, 1, 1))]
    ['Mat(1x2, R) on U1', 'Mat(1x1, C) on U3']
    """
    return tuple(SchurBlock(U.label, b, a, U.division_algebra)
                 for U, a, b in zip(irreps, m_in, m_out) if a and b)


def hom_dimension(irreps: tuple[RealIrrep, ...], m_in: tuple[int, ...], m_out: tuple[int, ...]) -> int:
    """dim_R Hom_G(V, W) = sum_U m_V(U) m_W(U) dim_R D_U.

    >>> from symeq.groups import catalog_group
    >>> hom_dimension(real_irreducibles(catalog_group("C4", 2, 2)), (2, 0, 1), (1, 1, 1))
    4
    """
    return sum(b.dim for b in hom_blocks(irreps, m_in, m_out))


def real_layer_space(irreps: tuple[RealIrrep, ...], m_in: tuple[int, ...], m_out: tuple[int, ...],
                     layer: int = 1) -> RealLayerSpace:
    """The space of layer ``layer``: W in Hom_G(V_in, V_out), b in V_out^G (U1 is trivial).

    >>> from symeq.groups import catalog_group
    >>> s = real_layer_space(real_irreducibles(catalog_group("C4", 2, 2)), (0, 0, 1), (2, 0, 1))
    >>> s.weight_dim, s.bias_dim, s.describe()
    (2, 2, 'Mat(1x1, C) on U3')
    """
    blocks = hom_blocks(irreps, m_in, m_out)
    return RealLayerSpace(layer, sum(b.dim for b in blocks), m_out[0], blocks)


def real_degeneracy(irreps: tuple[RealIrrep, ...], mults: tuple[tuple[int, ...], ...]) -> Degeneracy:
    """The exact verdict of the module docstring for the representations V_0, ..., V_L given
    by their multiplicity vectors ``mults``.

    >>> from symeq.groups import catalog_group
    >>> R = real_irreducibles(catalog_group("C4", 2, 2))
    >>> real_degeneracy(R, ((0, 0, 1), (0, 0, 1), (0, 0, 1))).status
    'non-degenerate'
    >>> real_degeneracy(R, ((0, 0, 1), (1, 1, 0), (0, 0, 1))).reason
    'W_1 = 0 for every parameter (Hom_G(V_0, V_1) = 0): the network computes a constant'
    >>> real_degeneracy(R, ((0, 0, 1), (2, 0, 1), (1, 0, 1))).reason
    'layer 1: U1 has multiplicity 2 in V_1 but 0 in V_0, so W_1 is onto for no parameter (the neurons of layer 1 are affinely dependent functions: a narrower layer computes the same)'
    """
    L = len(mults) - 1
    for i in range(1, L + 1):
        if hom_dimension(irreps, mults[i - 1], mults[i]) == 0:
            return Degeneracy("degenerate", f"W_{i} = 0 for every parameter (Hom_G(V_{i - 1}, V_{i}) = 0): "
                              "the network computes a constant")
    for i in range(1, L):
        for U, a, b in zip(irreps, mults[i], mults[i - 1]):
            if a > b:
                return Degeneracy("degenerate", f"layer {i}: {U.label} has multiplicity {a} in V_{i} but {b} in "
                                  f"V_{i - 1}, so W_{i} is onto for no parameter (the neurons of layer {i} are "
                                  "affinely dependent functions: a narrower layer computes the same)")
        for U, a, c in zip(irreps, mults[i], mults[i + 1]):
            if a > c:
                return Degeneracy("degenerate", f"layer {i}: {U.label} has multiplicity {a} in V_{i} but {c} in "
                                  f"V_{i + 1}, so W_{i + 1} is injective for no parameter (a direction of V_{i} "
                                  "is unused: a narrower layer computes the same)")
    return Degeneracy("non-degenerate", "every hidden multiplicity m_{V_i}(U) is at most m_{V_i-1}(U) and "
                      "m_{V_i+1}(U): generic parameters of the Schur blocks have full rank, so every W_i is onto "
                      "and every W_i+1 injective (exact criterion)")


def type_action(group: GroupAction, multiplicities: tuple[int, ...]) -> MatrixAction | None:
    """The explicit action of the type with these multiplicities: per generator, the
    block-diagonal matrix of the realizations (each irreducible repeated by its
    multiplicity, in :func:`real_irreducibles` order); None when one of them has no
    realization.

    >>> from symeq.groups import catalog_group
    >>> type_action(catalog_group("C4", 2, 2), (1, 0, 1)).matrix(0)
    Matrix([
    [1, 0,  0],
    [0, 0, -1],
    [0, 1,  0]])
    """
    reals = real_realizations(group)
    blocks = []
    for r, m in zip(reals, multiplicities):
        if m and r is None:
            return None
        blocks.extend([r] * m)
    if not blocks:
        raise InputError("the zero representation has no matrices")
    return MatrixAction(tuple(ImmutableMatrix(sympy.diag(*(b.matrices[k] for b in blocks)))
                              for k in range(len(group.names))))


def explicit_layer_space(action_in: Action, action_out: Action,
                         schur: RealLayerSpace) -> LayerSpace:
    """The exact basis of one layer's space for explicit actions, checked against the Schur
    dimensions of ``schur`` (a mismatch is an internal error, not an answer).

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C8", 2, 2)
    >>> A = type_action(G, (0, 0, 1, 0, 0))
    >>> S = real_layer_space(real_irreducibles(G), (0, 0, 1, 0, 0), (0, 0, 1, 0, 0))
    >>> explicit_layer_space(A, A, S).dim          # W in C acting on the plane: a rotation-scaling
    2
    """
    return _checked(layer_space(action_in, action_out), schur)


def _checked(space: LayerSpace, schur: RealLayerSpace) -> LayerSpace:
    if (space.weight_dim, space.dim - space.weight_dim) != (schur.weight_dim, schur.bias_dim):
        raise AssertionError(f"layer {schur.layer}: explicit space has dimensions ({space.weight_dim}, "
                             f"{space.dim - space.weight_dim}) but Schur's lemma gives ({schur.weight_dim}, "
                             f"{schur.bias_dim})")
    return space


def block_layer_space(group: GroupAction, m_in: tuple[int, ...], m_out: tuple[int, ...]) -> LayerSpace:
    """The exact basis of the layer between two hidden types, assembled from Schur's lemma
    instead of one large nullspace: for each irreducible U, a basis E_1..E_e of
    End_G(U) (an exact nullspace of dim U x dim U, e = dim_R D_U) placed in every block (copy p
    of U in the output, copy q in the input); b in the copies of the trivial U1.  This is the
    same space as :func:`explicit_layer_space` of the two :func:`type_action` (the tests
    compare them); it is what keeps many assignments fast.  Needs every realization.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C8", 2, 2)
    >>> S = block_layer_space(G, (1, 0, 1, 0, 0), (1, 0, 2, 0, 0))
    >>> S.shape, S.weight_dim, S.dim                      # 1 + 2 * 2 weights, 1 bias
    ((5, 3), 5, 6)
    """
    reals = real_realizations(group)
    offsets_in, offsets_out = _offsets(reals, m_in), _offsets(reals, m_out)
    vectors: list[BasisVector] = []
    for k, r in enumerate(reals):
        if not (m_in[k] and m_out[k]):
            continue
        A = MatrixAction(r.matrices)
        ends = [v.weight for v in nullspace_layer_space(A, A).basis if v.weight]
        for p in offsets_out[k]:
            for q in offsets_in[k]:
                vectors.extend(BasisVector(tuple((p + i, q + j, x) for i, j, x in E), ()) for E in ends)
    if reals[0].matrices != tuple(ImmutableMatrix([[1]]) for _ in reals[0].matrices):
        raise AssertionError("U1 must be realized as the trivial representation")
    vectors.extend(BasisVector((), ((p, sympy.Integer(1)),)) for p in offsets_out[0])
    return LayerSpace((sum(m * r.dim for m, r in zip(m_out, reals)), sum(m * r.dim for m, r in zip(m_in, reals))),
                      tuple(vectors), "schur-blocks")


def _offsets(reals: tuple[Any, ...], mults: tuple[int, ...]) -> list[list[int]]:
    """Per irreducible, the first coordinates of its copies in the block-diagonal order."""
    out, pos = [], 0
    for r, m in zip(reals, mults):
        out.append([pos + c * (r.dim if r else 0) for c in range(m)])
        pos += m * (r.dim if r else 0)
    return out


def real_witness(spaces: tuple[LayerSpace, ...], widths: tuple[int, ...], tries: int = WITNESS_TRIES,
                 seed: int = 0) -> tuple[tuple[Matrix, Matrix], ...] | None:
    """A parameter with small non-zero integer coefficients on the explicit bases whose W_i
    has full row rank widths[i] and W_{i+1} full column rank widths[i] for every hidden
    layer i (exact ranks over the field of the entries); None after ``tries`` failures.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C8", 2, 2)
    >>> A = type_action(G, (0, 0, 1, 0, 0))
    >>> S = real_layer_space(real_irreducibles(G), (0, 0, 1, 0, 0), (0, 0, 1, 0, 0))
    >>> w = real_witness((explicit_layer_space(A, A, S),) * 2, (2, 2, 2))
    >>> [W.rank() for W, _ in w]
    [2, 2]
    """
    rng = random.Random(seed)
    for attempt in range(tries):
        spread = 2 + attempt
        params = []
        for s in spaces:
            coeffs = [rng.choice([x for x in range(-spread, spread + 1) if x]) for _ in s.basis]
            W, b = sympy.zeros(*s.shape), sympy.zeros(s.shape[0], 1)
            for t, v in zip(coeffs, s.basis):
                for i, j, x in v.weight:
                    W[i, j] += t * x
                for i, x in v.bias:
                    b[i, 0] += t * x
            params.append((ImmutableMatrix(W.applyfunc(sympy.expand)), ImmutableMatrix(b.applyfunc(sympy.expand))))
        _, dms = domain_matrices(tuple(W for W, _ in params))
        ranks = [m.rank() for m in dms]
        if all(ranks[i - 1] == widths[i] and ranks[i] == widths[i] for i in range(1, len(widths) - 1)):
            return tuple(params)
    return None


def real_assignment(group: GroupAction, chosen: tuple[RealLayerType, ...], explicit: bool = True,
                    cache: dict[Any, Any] | None = None) -> Assignment:
    """The space and the verdict of one assignment of types to the hidden layers; with
    ``explicit``, also the exact bases (when every irreducible involved is realized) and, for
    a non-degenerate verdict, a witness.  ``cache`` (a dict kept by the caller) shares the
    explicit layer spaces between assignments.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C4", 2, 2)
    >>> a = real_assignment(G, (real_layer_types(G, 1).types[0],))
    >>> a.layer_dims, a.zero_layer, a.degeneracy.status
    ((1, 0), 1, 'degenerate')
    >>> a = real_assignment(G, (real_layer_types(G, 2).types[3],))      # the plane U3
    >>> a.degeneracy.status, [W.rank() for W, _ in a.degeneracy.witness]
    ('non-degenerate', [2, 2])
    """
    irreps = real_irreducibles(group)
    m0, m_l = boundary_multiplicities(group)
    mults = (m0,) + tuple(t.multiplicities for t in chosen) + (m_l,)
    spaces = tuple(real_layer_space(irreps, a, b, i) for i, (a, b) in enumerate(zip(mults, mults[1:]), start=1))
    zero = next((s.layer for s in spaces if s.weight_dim == 0), None)
    verdict = real_degeneracy(irreps, mults)
    if explicit:
        spaces, verdict = _explicit(group, mults, spaces, verdict, {} if cache is None else cache)
    return Assignment(tuple(t.index for t in chosen), tuple(s.dim for s in spaces), zero, verdict, spaces)


def _explicit(group: GroupAction, mults: tuple[tuple[int, ...], ...], spaces: tuple[RealLayerSpace, ...],
              verdict: Degeneracy, cache: dict[Any, Any]) -> tuple[tuple[RealLayerSpace, ...], Degeneracy]:
    """Attach the explicit bases to ``spaces`` and a witness to a non-degenerate ``verdict``."""
    L = len(mults) - 1
    actions: list[Any] = []
    for i, m in enumerate(mults):
        if i in (0, L):    # the group's own rho_0 and rho_L
            actions.append(boundary_action(tuple(group.inputs if i == 0 else group.outputs)))
            continue
        key = ("action", m)
        if key not in cache:
            cache[key] = type_action(group, m)
        actions.append(cache[key])
    irreps = real_irreducibles(group)
    missing = [U.label for k, (U, r) in enumerate(zip(irreps, real_realizations(group)))
               if r is None and any(m[k] for m in mults[1:-1])]
    if missing:
        note = f"; no explicit realization of {', '.join(missing)} was found: Schur blocks only, no witness"
        return spaces, Degeneracy(verdict.status, verdict.reason + note)
    out = []
    for i, s in enumerate(spaces):
        key = ("space", i == 0, i == L - 1, mults[i], mults[i + 1])   # boundaries are rho_0, rho_L
        if key not in cache:
            hidden = 0 < i < L - 1    # between two hidden types: assemble from the blocks
            cache[key] = (_checked(block_layer_space(group, mults[i], mults[i + 1]), s) if hidden
                          else explicit_layer_space(actions[i], actions[i + 1], s))
        out.append(RealLayerSpace(s.layer, s.weight_dim, s.bias_dim, s.blocks, cache[key]))
    if verdict.status != "non-degenerate":
        return tuple(out), verdict
    widths = tuple(a.degree for a in actions)
    witness = real_witness(tuple(s.explicit for s in out), widths)
    if witness is None:
        return tuple(out), Degeneracy(verdict.status, verdict.reason + f"; no witness found in {WITNESS_TRIES} "
                                      "tries (the criterion stands)")
    return tuple(out), Degeneracy(verdict.status, verdict.reason + "; witness: an integer combination of the "
                                  "explicit basis with W_i onto and W_i+1 injective (exact ranks)", witness)


def real_smallest_width(group: GroupAction, hidden_layers: int, max_width: int) -> SmallestWidth:
    """The smallest hidden width (all hidden layers equally wide) with a non-degenerate
    assignment, from the closed form of the module docstring.

    >>> from symeq.groups import catalog_group
    >>> s = real_smallest_width(catalog_group("S3", 3, 3), 2, 8)
    >>> s.status, s.width, s.labels
    ('found', 1, ('U1', 'U1'))
    >>> real_smallest_width(catalog_group("C4", 2, 1, output="trivial"), 1, 8).reason
    'for every width: V_0 and V_L share no real irreducible representation, so every layerwise-equivariant parameter is degenerate'
    """
    if max_width < 1:
        raise InputError("the largest hidden width searched must be positive")
    irreps = real_irreducibles(group)
    m0, m_l = boundary_multiplicities(group)
    common = tuple(min(a, b) for a, b in zip(m0, m_l))
    usable = [U for U, c in zip(irreps, common) if c]
    if not usable:
        return SmallestWidth("none", None, max_width, reason="for every width: V_0 and V_L share no real "
                             "irreducible representation, so every layerwise-equivariant parameter is degenerate")
    # a non-empty sub-multiset of the common part has dimension >= its smallest member's
    U = min(usable, key=lambda u: u.dim)
    if U.dim > max_width:
        return SmallestWidth("none", None, max_width, reason=f"the smallest common irreducible of V_0 and V_L, "
                             f"{U.label}, has dimension {U.dim} > {max_width}")
    return SmallestWidth("found", U.dim, U.dim, (U.label,) * hidden_layers)


def classify_real(activation: str, widths: tuple[int, ...], group: GroupAction, budget: int = 2_000,
                  type_budget: int = DEFAULT_TYPE_BUDGET, smallest: bool = True,
                  max_width: int | None = None, progress: Progress | None = None,
                  explicit: bool = True) -> Classification:
    """The classification table of a linear network (arguments as in
    :func:`symeq.classification.classify.classify`, which dispatches here for kind "real");
    ``explicit``: also exact bases and witnesses (module docstring).

    >>> from symeq.groups import catalog_group
    >>> C = classify_real("identity", (2, 1, 2), catalog_group("C4", 2, 2))
    >>> C.total_assignments, {a.zero_layer for a in C.assignments}
    (2, {1})
    """
    layers = tuple(real_layer_types(group, d, i, type_budget) for i, d in enumerate(widths[1:-1], start=1))
    total = prod(t.count for t in layers)
    complete = all(t.complete for t in layers) and total <= budget
    assignments: list[Assignment] = []
    cache: dict[Any, Any] = {}
    if all(t.complete for t in layers):
        for n_done, chosen in enumerate(product(*(t.types for t in layers)), start=1):
            if n_done > budget:
                break
            assignments.append(real_assignment(group, chosen, explicit, cache))
            if progress is not None:
                progress(n_done, min(total, budget))
    small = None
    if smallest:
        limit = max_width if max_width is not None else max(max(widths[1:-1]), finite_group(group).order)
        small = real_smallest_width(group, len(widths) - 2, limit)
    return Classification(activation, tuple(widths), group, "real", layers, tuple(assignments), total,
                          complete, small)
