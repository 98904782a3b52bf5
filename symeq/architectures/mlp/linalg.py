"""Exact linear algebra for the affine latent group Aff(d) (identity activation).

Every computation picks its domain explicitly (QQ, an algebraic field such as QQ<sqrt(2)>, or
a field of rational functions for symbolic families) before any elimination, as DESIGN.md
section 5 asks; nothing runs ``Matrix.nullspace`` on expressions with radicals.

>>> from sympy import ImmutableMatrix as M
>>> solve_right_factor(M([[1, 1], [0, 1]]), M([[0, 1], [1, 0]]) * M([[1, 1], [0, 1]]))
Matrix([
[0, 1],
[1, 0]])
>>> solve_right_factor(M([[1, 0]]), M([[0, 1]])) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy import ImmutableMatrix, construct_domain
from sympy.polys.matrices import DomainMatrix

from symeq.exact import Matrix, exact_field
from symeq.architectures.mlp.latent_map import simplify_scalar

__all__ = ["field_matrices", "rank", "solve_right_factor", "solve_linear", "solve_linear_free",
           "pseudo_inverse"]


def field_matrices(*mats: Matrix) -> list[DomainMatrix]:
    """The matrices over one common exact field (QQ, QQ<a>, K(x, ...), or EX as a last
    resort).

    >>> [d.domain for d in field_matrices(ImmutableMatrix([[sympy.sqrt(2), 1]]))]
    [QQ<sqrt(2)>]
    """
    flat = [x for m in mats for x in m]
    if not flat:
        return [DomainMatrix([], m.shape, sympy.QQ) for m in mats]
    if not any(x.free_symbols or x.has(sympy.pi) for x in flat):
        K, elems = exact_field(flat)  # a number field with a documented degree limit
    else:
        K, elems = construct_domain(flat, extension=True, field=True)
    out, k = [], 0
    for m in mats:
        n = m.rows * m.cols
        rows = [elems[k + r * m.cols: k + (r + 1) * m.cols] for r in range(m.rows)]
        out.append(DomainMatrix(rows, m.shape, K))
        k += n
    return out


def _to_matrix(d: DomainMatrix) -> Matrix:
    return ImmutableMatrix(d.to_Matrix().applyfunc(simplify_scalar))


def rank(m: Matrix) -> int:
    """The exact rank.

    >>> rank(ImmutableMatrix([[1, 2], [2, 4]]))
    1
    """
    if m.rows == 0 or m.cols == 0:
        return 0
    return field_matrices(m)[0].rank()


def pseudo_inverse(W: Matrix) -> Matrix:
    """W^+ = W^T (W W^T)^{-1} for a full-row-rank W (exact).

    >>> pseudo_inverse(ImmutableMatrix([[1, 1]]))
    Matrix([
    [1/2],
    [1/2]])
    """
    (Wd,) = field_matrices(W)
    return _to_matrix(Wd.transpose() * (Wd * Wd.transpose()).inv())


def solve_right_factor(W: Matrix, R: Matrix) -> Matrix | None:
    """The X with X W = R when W has full row rank (then X is unique), else None.  Also None
    when no X exists (R's rows leave W's row space)."""
    if rank(W) != W.rows:
        return None
    Wd, Rd = field_matrices(W, R)
    X = Rd * Wd.transpose() * (Wd * Wd.transpose()).inv()
    if X * Wd != Rd:
        return None
    return _to_matrix(X)


def solve_linear(A: Matrix, b: Matrix) -> tuple[Matrix | None, list[Matrix]]:
    """All solutions of A u = b: a particular solution (None when there is none) and a basis
    of the solutions of A u = 0.

    >>> p, null = solve_linear(ImmutableMatrix([[1, 1]]), ImmutableMatrix([2]))
    >>> (ImmutableMatrix([[1, 1]]) * p)[0], len(null)
    (2, 1)
    """
    particular, null, _ = solve_linear_free(A, b)
    return particular, null


def solve_linear_free(A: Matrix, b: Matrix) -> tuple[Matrix | None, list[Matrix], list[int]]:
    """:func:`solve_linear` with the free coordinates: null vector k is 1 at ``free[k]``, 0 at
    the other free coordinates, and the particular solution is 0 at every free coordinate.

    >>> solve_linear_free(ImmutableMatrix([[1, 1]]), ImmutableMatrix([2]))[2]
    [1]
    """
    Ad, bd = field_matrices(A, b)
    K = Ad.domain
    aug = Ad.hstack(bd)
    R, pivots = aug.rref()
    n = A.cols
    if n in pivots:
        return None, [], []
    rows = R.to_list()
    sol = [K.zero] * n
    for r, c in enumerate(pivots):
        sol[c] = rows[r][n]
    particular = ImmutableMatrix([simplify_scalar(K.to_sympy(x)) for x in sol])
    null = []
    free = [c for c in range(n) if c not in pivots]
    for f in free:
        v = [K.zero] * n
        v[f] = K.one
        for r, c in enumerate(pivots):
            v[c] = -rows[r][f]
        null.append(ImmutableMatrix([simplify_scalar(K.to_sympy(x)) for x in v]))
    return particular, null, free


def unknown_blocks(shapes: Sequence[tuple[int, int]]) -> list[int]:
    """Offsets of consecutive blocks of unknowns with the given shapes.

    >>> unknown_blocks([(2, 2), (2, 1)])
    [0, 4, 6]
    """
    out = [0]
    for r, c in shapes:
        out.append(out[-1] + r * c)
    return out
