"""Exact matrices (tuples of rows of numbers) and ranks certified by hints, never searched for.

Rank hint ``{"rank": r, "rows": R, "cols": C, "kernel": [v, ...]}``: the minor on R x C is nonzero
(rank >= r), and the kernel vectors, one per column j outside C with v[j] = 1 and v = 0 on the
other columns outside C (so independent), satisfy A v = 0 (rank <= r).

>>> from symeq.kernel.numbers import Field
>>> A = matrix(Field(), [[1, 2], [2, 4]])
>>> nonzero_minor(A, [0], [1]), nonzero_minor(A, [0, 1], [0, 1]), certified_rank(A, {"rank": 1, "rows": [0],
...     "cols": [0], "kernel": [matrix(Field(), [[-2, 1]])[0]]}, "A")
(True, False, 1)
"""

from __future__ import annotations

from flint import fmpq_mat

from symeq.kernel.core import Reject

def matrix(F, rows) -> tuple:
    """A matrix of rationals (for examples and tests)."""
    return tuple(tuple(F.num(x) for x in r) for r in rows)

def eye(F, n: int) -> tuple:
    return tuple(tuple(F.one if i == j else F.zero for j in range(n)) for i in range(n))

def mul(A, B) -> tuple:
    """A B."""
    cols, zero = list(zip(*B)), A[0][0].f.zero
    return tuple(tuple(sum((a * b for a, b in zip(row, col) if not a.is_zero()), zero) for col in cols) for row in A)

def apply(A, v) -> tuple:
    """A v."""
    return tuple(sum((a * x for a, x in zip(row, v) if not a.is_zero()), row[0].f.zero) for row in A)

def vadd(u, v) -> tuple:
    return tuple(a + b for a, b in zip(u, v))

def require_equal(A, B, what: str) -> None:
    """Reject unless A and B (matrices, or lists of vectors) are equal entry by entry."""
    for i, (r, s) in enumerate(zip(A, B)):
        for j, (a, b) in enumerate(zip(r, s)):
            if a != b:
                raise Reject(f"{what} fails at entry ({i + 1}, {j + 1}): {a} != {b}")

def inverse(A, check_only: bool = False):
    """A^-1 by Gauss-Jordan (pivots found by exact zero tests); Reject when A is singular."""
    n = len(A)
    rows = [list(r) + ([] if check_only else list(e)) for r, e in zip(A, eye(A[0][0].f, n))]
    for k in range(n):
        p = next((i for i in range(k, n) if not rows[i][k].is_zero()), None)
        if p is None:
            raise Reject("a matrix that must be invertible is singular")
        rows[k], rows[p] = rows[p], rows[k]
        rows[k] = [x / rows[k][k] for x in rows[k]]
        for i in range(n):
            if i != k and not rows[i][k].is_zero():
                rows[i] = [x - rows[i][k] * y for x, y in zip(rows[i], rows[k])]
    return tuple(tuple(r[n:]) for r in rows)

def nonzero_minor(A, rows, cols) -> bool:
    """Is the square minor of A on ``rows`` and ``cols`` (distinct indices in range) nonzero?"""
    if len(rows) != len(cols) or len(set(rows)) != len(rows) or len(set(cols)) != len(cols) or \
            any(not 0 <= i < len(A) for i in rows) or any(not 0 <= j < len(A[0]) for j in cols):
        return False
    sub = [[A[i][j] for j in cols] for i in rows]
    if all(x.is_rational() for r in sub for x in r):  # FLINT for rational minors
        return not sub or fmpq_mat([[x.rational() for x in r] for r in sub]).det() != 0
    try:
        inverse(sub, check_only=True)
        return True
    except Reject:
        return False

def certified_rank(A, hint: dict, what: str) -> int:
    """The rank of A, certified by a hint (module docstring)."""
    r, rows, cols, n = hint["rank"], hint["rows"], hint["cols"], len(A[0])
    if len(rows) != r or not nonzero_minor(A, rows, cols):
        raise Reject(f"{what}: the stated {r} x {r} minor is not a nonzero minor")
    free = [j for j in range(n) if j not in cols]
    if len(hint["kernel"]) != len(free) or any(len(v) != n for v in hint["kernel"]):
        raise Reject(f"{what}: {len(free)} kernel vectors of length {n} are needed")
    for j, v in zip(free, hint["kernel"]):
        if any(v[k] != (k == j) for k in free) or any(x != 0 for x in apply(A, v)):
            raise Reject(f"{what}: kernel vector {j} is not 1 at column {j}, 0 at the other free columns, and in the kernel")
    return r
