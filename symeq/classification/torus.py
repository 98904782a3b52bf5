"""Fixed points of an affine action on the torus (R/2piZ)^d, exactly, by the Smith normal form.

The biases of a sin layer matter modulo 2 pi, and its equivariance condition on b is a system

    M b = pi e   (mod 2 pi),        M an integer m x d matrix, e an integer vector

(symeq.classification.shifts builds M and e from a pre-activation lift).  Write b = 2 pi y with y in
R^d / Z^d, so M y = e / 2 (mod Z^m).  The Smith normal form S = U M V, with U (m x m) and V
(d x d) unimodular over Z and S diagonal with invariant factors s_1 | s_2 | ... | s_r > 0, turns
the system into independent congruences: with z = V^{-1} y (V is a bijection of the torus) and
f = U e (U permutes Z^m, so "= 0 mod Z^m" is kept),

    s_k z_k = f_k / 2   (mod 1),   k = 1..r        ->  z_k = (f_k / 2 + n) / s_k, n = 0..s_k - 1
    0       = f_k / 2   (mod 1),   k = r+1..m      ->  solvable iff every such f_k is even
    z_k free,                      k = r+1..d.

So there is no solution, or the solutions are exactly prod_k s_k disjoint components

    b = b0 + t_1 v_1 + ... + t_{d-r} v_{d-r}   (mod 2 pi),   t real,

with b0 = 2 pi V z0 a vector of rational multiples of pi and v_k = the columns r+1..d of V
(integer vectors), each of dimension d - r.  A point b = pi q lies in the component of z0 iff
the first r coordinates of V^{-1} (q/2 - z0) are integers (:meth:`TorusComponent.contains`).

sympy's ``smith_normal_decomp`` (sympy >= 1.14, on a DomainMatrix over ZZ) computes S, U, V;
the result is checked here exactly (U M V = S, |det U| = |det V| = 1, S diagonal with a divisibility chain) before use.

>>> T = torus_fixed_points([[2]], [1])         # 2 b = pi (mod 2 pi): b = pi/2 or 3 pi/2
>>> T.count, [c.offset for c in T.components()]
(2, [(pi/2,), (3*pi/2,)])
>>> torus_fixed_points([[0]], [1]).count       # 0 = pi: no solution
0
>>> T = torus_fixed_points([[1, -1], [-1, 1]], [0, 0])     # b_1 = b_2: one circle
>>> T.count, T.free_dim, next(T.components()).directions
(1, 1, ((1, 1),))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product
from math import prod

import sympy
from sympy import QQ, ZZ, pi
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.normalforms import smith_normal_decomp

from symeq.errors import InputError

__all__ = ["SmithForm", "smith_form", "TorusComponent", "TorusFixedPoints", "torus_fixed_points"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)


@dataclass(frozen=True)
class SmithForm:
    """S = U M V over the integers: ``factors`` are the nonzero invariant factors s_1 | ... | s_r
    (the diagonal of S), U (m x m) and V (d x d) unimodular, ``V_inv`` = V^{-1} (integer)."""

    factors: tuple[int, ...]
    U: tuple[tuple[int, ...], ...]
    V: tuple[tuple[int, ...], ...]
    V_inv: tuple[tuple[int, ...], ...]

    @property
    def rank(self) -> int:
        return len(self.factors)


def _rows(m: DomainMatrix) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(x) for x in row) for row in m.to_list())


def smith_form(M: Sequence[Sequence[int]], d: int) -> SmithForm:
    """The Smith normal form of an integer m x d matrix (m may be 0), verified exactly.

    >>> F = smith_form([[2, 4], [6, 8]], 2)
    >>> F.factors
    (2, 4)
    >>> from sympy import Matrix
    >>> Matrix(F.U) * Matrix([[2, 4], [6, 8]]) * Matrix(F.V)
    Matrix([
    [2, 0],
    [0, 4]])
    """
    return _smith(tuple(tuple(int(x) for x in r) for r in M), d)


@lru_cache(maxsize=4096)
def _smith(rows: tuple[tuple[int, ...], ...], d: int) -> SmithForm:
    if any(len(r) != d for r in rows):
        raise InputError(f"every row of the integer matrix must have {d} entries")
    if not rows or d == 0:
        eye = tuple(tuple(int(i == j) for j in range(d)) for i in range(d))
        return SmithForm((), tuple(tuple(int(i == j) for j in range(len(rows))) for i in range(len(rows))), eye, eye)
    A = DomainMatrix([[ZZ(x) for x in r] for r in rows], (len(rows), d), ZZ)
    S, U, V = smith_normal_decomp(A)
    diag = [int(S[k, k].element) for k in range(min(S.shape))]
    factors = tuple(x for x in diag if x != 0)
    r = len(factors)
    off = {(i, j) for (i, j) in S.to_dok() if i != j}
    ok = (U * A * V == S and abs(int(U.det())) == 1 and abs(int(V.det())) == 1 and not off
          and all(x > 0 for x in factors) and all(x == 0 for x in diag[r:])
          and all(factors[k + 1] % factors[k] == 0 for k in range(r - 1)))
    if not ok:  # never seen; a wrong transform would silently give wrong components
        raise AssertionError("sympy's Smith normal form failed its exact check")
    V_inv = V.convert_to(QQ).inv()
    return SmithForm(factors, _rows(U), _rows(V), _rows(V_inv.convert_to(ZZ)))


@dataclass(frozen=True)
class TorusComponent:
    """One component {pi q0 + sum_k t_k v_k (mod 2 pi) : t real} of a fixed-point set.

    ``offset_pi`` is q0 (rationals in [0, 2)), so the offset is pi * q0; ``directions`` are the
    integer vectors v_k; ``periods`` are integer rows c with c . (q - q0) / 2 an integer for
    every point pi q of the component (and only for those)."""

    offset_pi: tuple[Fraction, ...]
    directions: tuple[tuple[int, ...], ...]
    periods: tuple[tuple[int, ...], ...]

    @property
    def dim(self) -> int:
        """The number of free real directions."""
        return len(self.directions)

    @property
    def offset(self) -> tuple[sympy.Expr, ...]:
        """b0 = pi * q0 as exact sympy numbers.

        >>> next(torus_fixed_points([[2]], [1]).components()).offset
        (pi/2,)
        """
        return tuple(sympy.Rational(q.numerator, q.denominator) * pi for q in self.offset_pi)

    def bias(self, t: Sequence[Fraction | int]) -> tuple[sympy.Expr, ...]:
        """The point b0 + sum_k t_k v_k for real coefficients t (exact sympy numbers).

        >>> next(torus_fixed_points([[1, -1]], [0]).components()).bias([Fraction(1, 3)])
        (1/3, 1/3)
        """
        if len(t) != self.dim:
            raise InputError(f"a point of this component needs {self.dim} coordinates")
        out = []
        for i, b0 in enumerate(self.offset):
            rest = sum((Fraction(tk) * v[i] for tk, v in zip(t, self.directions)), Fraction(0))
            out.append(b0 + sympy.Rational(rest.numerator, rest.denominator))
        return tuple(out)

    def contains(self, q: Sequence[Fraction | int]) -> bool:
        """True when pi q (mod 2 pi) lies on this component (exact).

        >>> C = next(torus_fixed_points([[1, -1]], [0]).components())
        >>> C.contains([Fraction(1, 2), Fraction(5, 2)]), C.contains([0, Fraction(1, 2)])
        (True, False)
        """
        diff = [Fraction(a) - b for a, b in zip(q, self.offset_pi)]
        return all((sum(c * x for c, x in zip(row, diff)) / 2).denominator == 1 for row in self.periods)


@dataclass(frozen=True)
class TorusFixedPoints:
    """The solutions of M b = pi e (mod 2 pi): ``count`` components (0: no solution), each of
    dimension ``free_dim``; :meth:`components` lists them (lazily: there can be many)."""

    d: int
    form: SmithForm
    f: tuple[int, ...]
    solvable: bool

    @property
    def rank(self) -> int:
        return self.form.rank

    @property
    def free_dim(self) -> int:
        """d - rank M: the dimension of every component."""
        return self.d - self.form.rank

    @property
    def count(self) -> int:
        """The number of components: the product of the nonzero invariant factors, or 0."""
        return prod(self.form.factors) if self.solvable else 0

    def components(self) -> Iterator[TorusComponent]:
        """Every component, in a fixed order.

        >>> [c.offset_pi for c in torus_fixed_points([[2, 0], [0, 2]], [0, 1]).components()]
        [(Fraction(0, 1), Fraction(1, 2)), (Fraction(0, 1), Fraction(3, 2)), (Fraction(1, 1), Fraction(1, 2)), (Fraction(1, 1), Fraction(3, 2))]
        """
        if not self.solvable:
            return
        r, d = self.form.rank, self.d
        V, Vi = self.form.V, self.form.V_inv
        directions = tuple(tuple(V[i][k] for i in range(d)) for k in range(r, d))
        periods = tuple(Vi[k] for k in range(r))
        for ns in product(*(range(s) for s in self.form.factors)):
            z = [(Fraction(self.f[k], 2) + n) / s for k, (n, s) in enumerate(zip(ns, self.form.factors))]
            z += [Fraction(0)] * (d - r)
            q = tuple((2 * sum(V[i][k] * z[k] for k in range(d))) % 2 for i in range(d))
            yield TorusComponent(q, directions, periods)


def torus_fixed_points(M: Sequence[Sequence[int]], e: Sequence[int], d: int | None = None) -> TorusFixedPoints:
    """The solutions b in (R/2piZ)^d of M b = pi e (mod 2 pi) (see the module docstring);
    ``d`` is needed only when M has no rows.

    >>> T = torus_fixed_points([[1, 1], [1, 1]], [1, 1])      # b_1 + b_2 = pi
    >>> T.count, T.free_dim, next(T.components()).offset
    (1, 1, (pi, 0))
    >>> torus_fixed_points([], [], 2).free_dim
    2
    """
    rows = [list(r) for r in M]
    if d is None:
        if not rows:
            raise InputError("give the dimension d of a system without equations")
        d = len(rows[0])
    if len(e) != len(rows):
        raise InputError("the right-hand side e needs one entry per row of M")
    form = smith_form(rows, d)
    f = tuple(sum(u * int(x) for u, x in zip(row, e)) for row in form.U)
    solvable = all(x % 2 == 0 for x in f[form.rank:])
    return TorusFixedPoints(d, form, f, solvable)
