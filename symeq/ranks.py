"""Exact and certified ranks, the linear algebra of the functional dimension.

* over Q: ranks modulo a 61-bit prime (a lower bound: a nonzero minor mod p is nonzero), exact
  rational ranks and kernels with python-flint;
* over R, for transcendental entries: a lower bound r certified by an r x r submatrix whose
  determinant ball excludes 0 (the true matrix lies in the balls, so that minor of the true
  matrix is nonzero).  The submatrix is chosen with floating-point pivoted QR (a heuristic that
  only affects *which* minor is tried, never the verdict).

>>> from flint import arb
>>> certified_rank([[arb(1), arb(2)], [arb(2), arb(4)], [arb(0), arb(1)]])
2
>>> certified_rank([[arb(1), arb(2)], [arb(2), arb(4)]])
1
>>> rational_rank([(1, 2), (2, 4)], 2)
1
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import flint
import numpy as np
import scipy.linalg
import sympy
from flint import arb, arb_mat
from sympy import Integer, Rational

from symeq.activations.arb_eval import arb_value

__all__ = ["PRIMES", "arb_rows", "certified_rank", "rank_mod", "rational_rank", "greedy_complement",
           "reduced_kernel", "mod_p"]

#: Primes for ranks modulo p (rank mod p <= rank over Q, so each gives a lower bound).
PRIMES = (2**61 - 1, 2**31 - 1, 1_000_000_007)


def arb_rows(vectors: Sequence[Sequence[sympy.Expr]]) -> list[list[arb]]:
    """Exact vectors as rows of balls (at the current precision)."""
    return [[arb_value(sympy.sympify(x), {}) for x in v] for v in vectors]


def certified_rank(rows: Sequence[Sequence[arb]], target: int | None = None) -> int:
    """A lower bound on the rank of every real matrix inside the balls (often the rank).

    ``target`` (an upper bound known otherwise, e.g. from proved kernel directions) is tried
    first: the floating-point rank undercounts an ill-conditioned matrix (a deep saturated tanh
    network's Jacobian has singular values near 1e-11 of the largest, below the float cutoff),
    while the determinant ball of a well-chosen minor still excludes 0."""
    if not rows or not rows[0]:
        return 0
    mid = np.array([[float(x.mid()) for x in row] for row in rows], dtype=np.float64)
    if not np.all(np.isfinite(mid)):
        return 0
    sv = np.linalg.svd(mid, compute_uv=False)
    if sv.size == 0 or sv[0] == 0:
        return 0
    r = int(np.sum(sv > sv[0] * max(mid.shape) * 1e-12))
    _, _, cols = scipy.linalg.qr(mid, pivoting=True, mode="economic")

    def certified(k: int) -> bool:
        if k == 0:
            return True
        cs = sorted(cols[:k])
        _, _, rws = scipy.linalg.qr(mid[:, cs].T, pivoting=True, mode="economic")
        rs = sorted(rws[:k])
        return not arb_mat([[rows[i][j] for j in cs] for i in rs]).det().contains(0)

    # The numerical rank first, then two smaller ones, then bisection: each try costs one
    # determinant, so the work stays bounded when balls are too wide to certify r.
    tries = [target] if target is not None and r < target <= min(mid.shape) else []
    for k in tries + [r, r - 1, r - 2]:
        if k >= 0 and certified(k):
            return k
    lo, hi = 0, max(r - 3, 0)
    while lo < hi:
        mid_k = (lo + hi + 1) // 2
        if certified(mid_k):
            lo = mid_k
        else:
            hi = mid_k - 1
    return lo


def mod_p(x: Fraction | int | Rational, p: int) -> int:
    q = Fraction(int(x.p), int(x.q)) if isinstance(x, Rational) else Fraction(x)
    return q.numerator % p * pow(q.denominator % p, -1, p) % p


def rank_mod(rows: list[list[int]] | Any, p: int, nrows: int, ncols: int) -> int:
    if nrows == 0 or ncols == 0:
        return 0
    return flint.nmod_mat(rows, p).rank()


def rational_rank(vectors: Sequence[Sequence[sympy.Expr]], n: int) -> int:
    """Exact rank over Q of rational vectors."""
    if not vectors:
        return 0
    rows = [[mod_p(Rational(x), PRIMES[0]) for x in v] for v in vectors]
    r = rank_mod(rows, PRIMES[0], len(rows), n)
    if r == len(vectors):
        return r
    m = flint.fmpq_mat(len(vectors), n, [flint.fmpq(int(Rational(x).p), int(Rational(x).q)) for v in vectors for x in v])
    return m.rank()


def greedy_complement(base: list[tuple], candidates: list[tuple], n: int, rank_fn,
                      ceiling: int | None = None) -> list[int]:
    """Indices of candidates that each raise the rank of base + chosen; stops once the rank
    reaches ``ceiling`` (default n), past which no candidate can raise it."""
    chosen: list[int] = []
    current = rank_fn(base)
    for k, v in enumerate(candidates):
        if current >= (n if ceiling is None else ceiling):
            break
        r = rank_fn(base + [candidates[c] for c in chosen] + [v])
        if r > current:
            chosen.append(k)
            current = r
    return chosen


def reduced_kernel(basis, nullity: int, scale: tuple[int, ...]) -> list[tuple]:
    """The kernel of J = J_int diag(1/scale) in reduced row echelon form (a canonical, sparse
    basis), each vector scaled to coprime integers."""
    n = len(scale)
    if nullity == 0:
        return []
    rows = flint.fmpq_mat(nullity, n, [int(basis[i, k]) * scale[i] for k in range(nullity) for i in range(n)])
    red, rank = rows.rref()
    out = []
    for k in range(rank):
        v = [Rational(int(red[k, i].p), int(red[k, i].q)) for i in range(n)]
        den = math.lcm(*[int(x.q) for x in v])
        ints = [int(x * den) for x in v]
        g = math.gcd(*ints) or 1
        out.append(tuple(Integer(x // g) for x in ints))
    return out


