"""The rows (W_i[j, :], b_i[j]) of one layer, held exactly in a form that is fast to transform,
compare and hash.

Neuron matching (THEORY.md section 5) compares the rows of a transformed layer with the rows of
the original one up to the activation's relations.  Two exact backends:

- ``int``: every entry rational.  The rows are a numpy array of Python integers (dtype object,
  so no overflow) over one common denominator; transforms by permutation-like maps are index
  operations and general rational products run on FLINT (``fmpq_mat``).
- ``sym``: some entry is a radical, pi or a symbol.  The rows are tuples of sympy expressions
  in a canonical form (expanded, rationalized, cancelled), so equal numbers compare equal.

>>> from sympy import ImmutableMatrix as M
>>> r = Rows.of_layer(M([[1, -2], [3, 4]]), M([5, 0]))
>>> r.backend, r.row(0)
('int', (1, -2, 5))
>>> r.left(M([[0, 1], [1, 0]])).row(0)
(3, 4, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np
import sympy
from sympy import ImmutableMatrix, Integer, Rational

from symeq.exact import Matrix
from symeq.latent.action import LatentMap, simplify_scalar

__all__ = ["Rows", "rational_array", "monomial_of_matrix", "to_sympy"]


def _rep(m: Matrix) -> Any:
    rep = getattr(m, "_rep", None)  # sympy's own DomainMatrix of an ImmutableMatrix: no copy
    if rep is None:
        from sympy.polys.matrices import DomainMatrix

        rep = DomainMatrix.from_Matrix(m)
    return rep


def rational_array(m: Matrix) -> tuple[np.ndarray, int] | None:
    """(A, D) with m = A / D, A an object array of Python ints, or None when some entry is not
    rational.

    >>> A, D = rational_array(ImmutableMatrix([[sympy.Rational(1, 2), 1]]))
    >>> A.tolist(), D
    ([[1, 2]], 2)
    >>> rational_array(ImmutableMatrix([[sympy.sqrt(2)]])) is None
    True
    """
    rep = _rep(m)
    dom = rep.domain
    rows, cols = rep.shape
    if not (dom.is_ZZ or dom.is_QQ):
        if all(x.is_Rational for x in m):
            rep = rep.convert_to(sympy.QQ)
            dom = rep.domain
        else:
            return None
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), dtype=object), 1
    try:
        flint_mat = rep.to_dfm().rep
        if dom.is_ZZ:
            num, den = flint_mat, 1
        else:
            num, den = flint_mat.numer_denom()
        data = [[int(x) for x in row] for row in num.tolist()]
        return np.array(data, dtype=object).reshape(rows, cols), int(den)
    except (NotImplementedError, AttributeError, ValueError):  # no FLINT: plain Python
        flat = rep.to_list()
        fr = [[Fraction(int(x.numerator), int(x.denominator)) for x in row] for row in flat]
        den = lcm(*(x.denominator for row in fr for x in row)) if fr else 1
        data = [[int(x * den) for x in row] for row in fr]
        return np.array(data, dtype=object).reshape(rows, cols), den


def monomial_of_matrix(m: Matrix) -> tuple[tuple[int, ...], tuple[sympy.Expr, ...]] | None:
    """(perm, scales) when m is monomial (one nonzero per row and column): m[perm[j], j] =
    scales[j]; None otherwise.

    >>> monomial_of_matrix(ImmutableMatrix([[0, -1], [1, 0]]))
    ((1, 0), (1, -1))
    >>> monomial_of_matrix(ImmutableMatrix([[1, 1], [0, 1]])) is None
    True
    """
    if not m.is_square:
        return None
    sdm = _rep(m).to_sdm()
    dom = sdm.domain
    n = m.rows
    perm: list[int] = [-1] * n
    scales: list[Any] = [None] * n
    for i, row in sdm.items():
        nz = [(j, x) for j, x in row.items() if x]
        if len(nz) != 1:
            return None
        j, x = nz[0]
        if perm[j] != -1:
            return None
        perm[j], scales[j] = i, dom.to_sympy(x)
    if -1 in perm:
        return None
    return tuple(perm), tuple(scales)


def to_sympy(x: Any) -> sympy.Expr:
    """A Python int or Fraction as a sympy number (sympy expressions pass through)."""
    if isinstance(x, int):
        return Integer(x)
    if isinstance(x, Fraction):
        return Rational(x.numerator, x.denominator)
    return x


def _canon(x: sympy.Expr) -> sympy.Expr:
    return simplify_scalar(sympy.sympify(x))


@dataclass(frozen=True, eq=False)
class Rows:
    """The rows (w_j, beta_j) of a layer: entry k < n is a weight, entry n the bias.

    ``backend`` is ``"int"`` (``data`` an object array of ints, true value data / denominator)
    or ``"sym"`` (``data`` a tuple of tuples of canonical sympy expressions).
    """

    backend: str
    data: Any
    denominator: int = 1

    # -- building ---------------------------------------------------------------------------
    @staticmethod
    def of_layer(W: Matrix, b: Matrix) -> "Rows":
        """The rows of (W | b)."""
        a, c = rational_array(W), rational_array(b)
        if a is not None and c is not None:
            (A, da), (B, db) = a, c
            den = lcm(da, db)
            data = np.concatenate([A * (den // da), B * (den // db)], axis=1)
            return Rows("int", data, den)
        return Rows("sym", tuple(tuple(_canon(x) for x in list(W.row(j)) + [b[j]])
                                 for j in range(W.rows)))

    @property
    def shape(self) -> tuple[int, int]:
        """(number of rows, number of entries per row)."""
        if self.backend == "int":
            return self.data.shape
        return (len(self.data), len(self.data[0]) if self.data else 0)

    def row(self, j: int) -> tuple[Any, ...]:
        """Row j as exact values (Python Fractions/ints for ``int``, sympy for ``sym``)."""
        if self.backend == "int":
            d = self.denominator
            return tuple(int(x) // d if x % d == 0 else Fraction(int(x), d) for x in self.data[j])
        return self.data[j]

    def sympy_row(self, j: int) -> tuple[sympy.Expr, ...]:
        """Row j as sympy numbers."""
        return tuple(to_sympy(x) for x in self.row(j))

    def to_sym(self) -> "Rows":
        """The same rows in the ``sym`` backend."""
        if self.backend == "sym":
            return self
        return Rows("sym", tuple(self.sympy_row(j) for j in range(self.shape[0])))

    # -- transforms -------------------------------------------------------------------------
    def right(self, k: LatentMap | Matrix, shift: Matrix | None = None) -> "Rows":
        """The rows of (W M, W t + b) where (M, t) is ``k`` (a latent map, or a matrix with
        optional ``shift``): the layer seen through k on its input side."""
        n = self.shape[1] - 1
        if isinstance(k, LatentMap) and k.kind == "monomial":
            perm = k.perm
            scales = [r.b for r in k.relations]
            shifts = [r.e for r in k.relations]
        else:
            M = k.matrix() if isinstance(k, LatentMap) else ImmutableMatrix(k)
            t = k.shift() if isinstance(k, LatentMap) else (
                ImmutableMatrix.zeros(n, 1) if shift is None else ImmutableMatrix(shift))
            mono = monomial_of_matrix(M)
            if mono is None:
                return self._right_general(M, t)
            perm, scales = mono
            shifts = [t[p] for p in perm]
        return self._right_monomial(perm, scales, shifts)

    def _right_monomial(self, perm: tuple[int, ...], scales: Any, shifts: Any) -> "Rows":
        # (W M)[:, j] = b_j W[:, p_j]  and  W t = sum_j e_j W[:, p_j]
        n = self.shape[1] - 1
        rational = all(sympy.sympify(x).is_Rational for x in list(scales) + list(shifts))
        if self.backend == "int" and rational:
            fs = [Fraction(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in scales]
            fe = [Fraction(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in shifts]
            L = lcm(*(f.denominator for f in fs + fe)) if n else 1
            cols = self.data[:, list(perm)]
            ints_s = np.array([int(f * L) for f in fs], dtype=object)
            W = cols * ints_s[None, :] if any(f != 1 for f in fs) or L != 1 else cols
            if any(fe):
                ints_e = np.array([int(f * L) for f in fe], dtype=object)
                bias = cols.dot(ints_e) + self.data[:, n] * L
            else:
                bias = self.data[:, n] * L
            data = np.concatenate([W, bias.reshape(-1, 1)], axis=1)
            return Rows("int", data, self.denominator * L)
        sym = self.to_sym().data
        out = []
        for row in sym:
            w = [_canon(scales[j] * row[perm[j]]) for j in range(n)]
            beta = _canon(row[n] + sum((shifts[j] * row[perm[j]] for j in range(n)), Integer(0)))
            out.append(tuple(w) + (beta,))
        return Rows("sym", tuple(out))

    def _right_general(self, M: Matrix, t: Matrix) -> "Rows":
        n = self.shape[1] - 1
        ext = ImmutableMatrix(M.row_join(t).col_join(
            ImmutableMatrix.zeros(1, n).row_join(ImmutableMatrix.ones(1, 1))))
        mr = rational_array(ext)
        if self.backend == "int" and mr is not None:
            import flint

            A, D = mr
            prod = flint.fmpz_mat(self.data.tolist()) * flint.fmpz_mat(A.tolist())
            data = np.array([[int(x) for x in row] for row in prod.tolist()], dtype=object)
            return Rows("int", data.reshape(self.shape[0], n + 1), self.denominator * D)
        sym = ImmutableMatrix(self.to_sym().data) * ext
        return Rows("sym", tuple(tuple(_canon(x) for x in sym.row(j)) for j in range(sym.rows)))

    def left(self, m: Matrix) -> "Rows":
        """The rows of m (W | b): the layer followed by the linear map m on its output side."""
        mono = monomial_of_matrix(ImmutableMatrix(m))
        if mono is not None:
            perm, scales = mono
            inv = [0] * len(perm)
            for j, p in enumerate(perm):
                inv[p] = j
            if self.backend == "int" and all(x.is_Rational for x in scales):
                fs = [Fraction(int(x.p), int(x.q)) for x in scales]
                L = lcm(*(f.denominator for f in fs))
                rows = self.data[inv, :]
                mult = np.array([int(fs[j] * L) for j in inv], dtype=object)
                return Rows("int", rows * mult[:, None], self.denominator * L)
            sym = self.to_sym().data
            return Rows("sym", tuple(tuple(_canon(scales[inv[i]] * x) for x in sym[inv[i]])
                                     for i in range(len(perm))))
        mr = rational_array(ImmutableMatrix(m))
        if self.backend == "int" and mr is not None:
            import flint

            A, D = mr
            prod = flint.fmpz_mat(A.tolist()) * flint.fmpz_mat(self.data.tolist())
            data = np.array([[int(x) for x in row] for row in prod.tolist()], dtype=object)
            return Rows("int", data.reshape(m.rows, self.shape[1]), self.denominator * D)
        sym = ImmutableMatrix(m) * ImmutableMatrix(self.to_sym().data)
        return Rows("sym", tuple(tuple(_canon(x) for x in sym.row(j)) for j in range(sym.rows)))

    # -- comparison -------------------------------------------------------------------------
    def common(self, other: "Rows") -> tuple["Rows", "Rows"]:
        """Both row sets over one backend (and one denominator for ``int``)."""
        if self.backend == "int" and other.backend == "int":
            if self.denominator == other.denominator:
                return self, other
            L = lcm(self.denominator, other.denominator)
            return (Rows("int", self.data * (L // self.denominator), L),
                    Rows("int", other.data * (L // other.denominator), L))
        return self.to_sym(), other.to_sym()

    def equals(self, other: "Rows") -> bool:
        """Exact equality of all rows.

        >>> from sympy import ImmutableMatrix as M
        >>> Rows.of_layer(M([[1, 2]]), M([0])).equals(Rows.of_layer(M([[2, 4]]) / 2, M([0])))
        True
        """
        if self.shape != other.shape:
            return False
        a, b = self.common(other)
        if a.backend == "int":
            return bool((a.data == b.data).all())
        from symeq.exact import is_exact_zero

        return all(x == y or is_exact_zero(x - y) for r, s in zip(a.data, b.data) for x, y in zip(r, s))

    def to_matrix(self) -> Matrix:
        """(W | b) as a sympy matrix."""
        rows, cols = self.shape
        return ImmutableMatrix(rows, cols, [to_sympy(x) for j in range(rows) for x in self.row(j)])
