"""Exact matrices of attention networks: sympy ``DomainMatrix`` over one explicit field.

Every parameter matrix of a network lives over one field K (DESIGN.md section 5: pick the
domain before any linear algebra): QQ for rational networks (sympy runs it on FLINT), an
algebraic field such as QQ<sqrt(2)> for networks with square roots, and the field of rational
functions K0(w1, w2, ...) over such a field when parameters are symbols.  Matrices of two
networks (or of a network and a group) are brought to the union of their fields before they
meet.

>>> import sympy
>>> K = field_of([sympy.Integer(1), sympy.sqrt(2) / 2])
>>> K
QQ<sqrt(2)>
>>> m = to_dm(sympy.ImmutableMatrix([[1, sympy.sqrt(2)]]), K)
>>> to_sympy(m * m.transpose())
Matrix([[3]])
>>> w = sympy.Symbol("w", real=True)
>>> field_of([w / 3, sympy.sqrt(2)])
QQ<sqrt(2)>(w)
>>> field_of([sympy.pi])
Traceback (most recent call last):
...
symeq.errors.InputError: attention parameters must be rationals, square roots (algebraic numbers) or symbols; pi is not supported
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.errors import InputError
from symeq.exact import exact_field

__all__ = ["field_of", "to_dm", "to_sympy", "unify", "fingerprint", "perm_dm", "eye", "zeros",
           "solve_right", "rank", "entries_sympy"]

QQ = sympy.QQ


def field_of(values: Iterable[sympy.Expr]) -> Any:
    """The smallest field (of the kinds above) holding every value."""
    values = list(values)
    symbols = sorted({s for x in values for s in x.free_symbols}, key=lambda s: s.name)
    if any(x.has(sympy.pi) for x in values):
        raise InputError("attention parameters must be rationals, square roots (algebraic numbers) "
                         "or symbols; pi is not supported")
    if not symbols:
        K, _ = exact_field(values)
    else:
        coeffs: list[sympy.Expr] = []
        for x in values:
            num, den = sympy.fraction(sympy.together(x))
            for part in (num, den):
                coeffs.extend(sympy.Poly(part, *symbols).coeffs())
        K0, _ = exact_field(coeffs)
        K = K0.frac_field(*symbols)
    if K.is_EX or K.is_EXRAW or getattr(K, "dom", K).is_EX:
        raise InputError("attention parameters must be rationals, square roots (algebraic numbers) "
                         "or symbols")
    return K


def to_dm(m: ImmutableMatrix, K: Any) -> DomainMatrix:
    """A sympy matrix as a DomainMatrix over K (the entries must lie in K)."""
    rows = [[K.from_sympy(m[i, j]) for j in range(m.shape[1])] for i in range(m.shape[0])]
    return DomainMatrix(rows, m.shape, K)


def to_sympy(m: DomainMatrix) -> ImmutableMatrix:
    """A DomainMatrix as an immutable sympy matrix."""
    return ImmutableMatrix(m.to_Matrix())


def entries_sympy(m: DomainMatrix) -> list[sympy.Expr]:
    """The entries row-major as sympy numbers (rationals made directly: fast on FLINT's QQ)."""
    K = m.domain
    if K.is_QQ:
        return [sympy.Rational(int(x.numerator), int(x.denominator)) for x in m.to_list_flat()]
    return [K.to_sympy(x) for x in m.to_list_flat()]


def unify(*ms: DomainMatrix | None) -> tuple[DomainMatrix | None, ...]:
    """The matrices over the union of their fields (None stays None)."""
    domains = {m.domain for m in ms if m is not None}
    if len(domains) <= 1:  # the common case: nothing to convert
        return ms
    K = None
    for m in ms:
        if m is not None:
            K = m.domain if K is None else K.unify(m.domain)
    return tuple(None if m is None else (m if m.domain == K else m.convert_to(K)) for m in ms)


_EYES: dict[tuple[int, Any], DomainMatrix] = {}


def eye(n: int, K: Any) -> DomainMatrix:
    """The identity matrix (shared: callers never change it in place)."""
    if (n, K) not in _EYES:
        _EYES[(n, K)] = DomainMatrix.eye(n, K).to_dense()
    return _EYES[(n, K)]


def zeros(rows: int, cols: int, K: Any) -> DomainMatrix:
    return DomainMatrix.zeros((rows, cols), K).to_dense()


def perm_dm(images: Sequence[int], K: Any) -> DomainMatrix:
    """The permutation matrix P with P e_j = e_{images[j]}."""
    n = len(images)
    rows = [[K.zero] * n for _ in range(n)]
    for j, i in enumerate(images):
        rows[i][j] = K.one
    return DomainMatrix(rows, (n, n), K)


_PROBES: dict[tuple[int, Any], DomainMatrix] = {}


def fingerprint(m: DomainMatrix) -> tuple[Any, ...]:
    """A hashable summary of m, equal for equal matrices: u^T m w for fixed random integer
    vectors u, w (two scalars).  Unequal matrices rarely collide; callers confirm with ==."""
    K = m.domain
    key = (m.shape, K)
    if key not in _PROBES:
        rng = random.Random(f"{m.shape}")
        u = DomainMatrix([[K(rng.randint(1, 10**6)) for _ in range(m.shape[0])]], (1, m.shape[0]), K)
        w = DomainMatrix([[K(rng.randint(1, 10**6))] for _ in range(m.shape[1])], (m.shape[1], 1), K)
        _PROBES[key] = (u, w)
    u, w = _PROBES[key]
    return (m.shape, (u * m * w).to_list_flat()[0])


def _flint(m: DomainMatrix) -> Any:
    """The python-flint fmpq_mat of a matrix over QQ (sympy keeps one inside), else None."""
    if not m.domain.is_QQ:
        return None
    try:
        return m.to_dfm().rep
    except Exception:  # pragma: no cover - python-flint missing or an older sympy
        return None


def rank(m: DomainMatrix) -> int:
    """The exact rank."""
    if m.shape[0] == 0 or m.shape[1] == 0:
        return 0
    f = _flint(m)
    if f is not None:
        return f.rref()[1] if m.shape[0] <= m.shape[1] else f.transpose().rref()[1]
    return m.rank()


def solve_right(V: DomainMatrix, W: DomainMatrix) -> DomainMatrix | None:
    """The unique A with V A = W when V has full column rank, None when no A exists.

    Precondition: rank V = V.shape[1] (the caller checks it; then A is unique).  Solved on v
    independent rows of V and confirmed on all of them.
    """
    pivots = independent_rows(V)
    Vp = DomainMatrix([V.to_list()[r] for r in pivots], (len(pivots), V.shape[1]), V.domain)
    Wp = DomainMatrix([W.to_list()[r] for r in pivots], (len(pivots), W.shape[1]), W.domain)
    A = Vp.inv() * Wp
    return A if V * A == W else None


def independent_rows(V: DomainMatrix) -> list[int]:
    """Indices of rank(V) rows of V that are linearly independent (the pivots of V^T)."""
    f = _flint(V)
    if f is not None:
        R, r = f.transpose().rref()
        pivots = []
        for k in range(r):
            pivots.append(next(c for c in range(R.ncols()) if R[k, c] != 0))
        return pivots
    _, pivots = V.transpose().rref()
    return list(pivots)
