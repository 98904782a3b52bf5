"""Signed permutations: the monomial matrices with entries 0 and +-1 (the group B_n).

``SignedPermutation(perm, signs)`` is the matrix M with M e_j = signs[j] e_{perm[j]}.  The
product ``a * b`` is the matrix product (first b, then a), so images of group elements
multiply like the elements: rho(g h) = rho(g) * rho(h).

>>> a = SignedPermutation((1, 0), (1, -1))
>>> a.matrix()
Matrix([
[0, -1],
[1,  0]])
>>> (a * a).matrix() == -SignedPermutation.identity(2).matrix()
True
>>> SignedPermutation.from_matrix(a.matrix()) == a
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from sympy import ImmutableMatrix

from symeq.errors import InputError

__all__ = ["SignedPermutation", "as_signed_permutation"]


@dataclass(frozen=True)
class SignedPermutation:
    """M e_j = signs[j] e_{perm[j]}."""

    perm: tuple[int, ...]
    signs: tuple[int, ...]

    def __post_init__(self) -> None:
        n = len(self.perm)
        if len(self.signs) != n or sorted(self.perm) != list(range(n)):
            raise InputError("a signed permutation needs a permutation of 0..n-1 and n signs")
        if any(s not in (1, -1) for s in self.signs):
            raise InputError("signs of a signed permutation must be +1 or -1")

    @property
    def degree(self) -> int:
        """n, the number of points."""
        return len(self.perm)

    @classmethod
    def identity(cls, n: int) -> "SignedPermutation":
        """The identity of B_n."""
        return cls(tuple(range(n)), (1,) * n)

    @classmethod
    def from_permutation(cls, perm: Sequence[int]) -> "SignedPermutation":
        """A permutation (point j goes to perm[j]) with all signs +1."""
        return cls(tuple(int(p) for p in perm), (1,) * len(perm))

    @classmethod
    def from_matrix(cls, m: sympy.MatrixBase) -> "SignedPermutation":
        """Read a square matrix with exactly one entry +-1 in each row and column."""
        m = ImmutableMatrix(m)
        if not m.is_square:
            raise InputError("a signed permutation matrix must be square")
        n = m.rows
        perm, signs = [-1] * n, [0] * n
        for j in range(n):
            nonzero = [i for i in range(n) if m[i, j] != 0]
            if len(nonzero) != 1 or m[nonzero[0], j] not in (1, -1):
                raise InputError(f"column {j} of the matrix is not +-1 times a basis vector")
            perm[j], signs[j] = nonzero[0], int(m[nonzero[0], j])
        if sorted(perm) != list(range(n)):
            raise InputError("the matrix is not a signed permutation matrix")
        return cls(tuple(perm), tuple(signs))

    def __mul__(self, other: "SignedPermutation") -> "SignedPermutation":
        if self.degree != other.degree:
            raise InputError("signed permutations of different degrees")
        p, s = self.perm, self.signs
        return SignedPermutation(tuple(p[q] for q in other.perm),
                                 tuple(t * s[q] for q, t in zip(other.perm, other.signs)))

    def inverse(self) -> "SignedPermutation":
        """The inverse (the transpose matrix)."""
        n = self.degree
        perm, signs = [0] * n, [0] * n
        for j, (i, s) in enumerate(zip(self.perm, self.signs)):
            perm[i], signs[i] = j, s
        return SignedPermutation(tuple(perm), tuple(signs))

    def image(self, j: int) -> tuple[int, int]:
        """(perm[j], signs[j]): M e_j = sign e_point."""
        return self.perm[j], self.signs[j]

    def trace(self) -> int:
        """The sum of the signs of the fixed points."""
        return sum(s for j, (i, s) in enumerate(zip(self.perm, self.signs)) if i == j)

    def is_permutation(self) -> bool:
        """True when every sign is +1."""
        return all(s == 1 for s in self.signs)

    def matrix(self) -> ImmutableMatrix:
        """The n x n matrix."""
        n = self.degree
        m = sympy.zeros(n, n)
        for j, (i, s) in enumerate(zip(self.perm, self.signs)):
            m[i, j] = s
        return ImmutableMatrix(m)


def as_signed_permutation(x: object) -> SignedPermutation:
    """A SignedPermutation from itself, a matrix, a pair (perm, signs), or a plain permutation
    list.

    >>> as_signed_permutation([1, 2, 0]).signs
    (1, 1, 1)
    >>> as_signed_permutation(([1, 0], [-1, 1])).perm
    (1, 0)
    """
    if isinstance(x, SignedPermutation):
        return x
    if isinstance(x, sympy.MatrixBase):
        return SignedPermutation.from_matrix(x)
    if isinstance(x, tuple) and len(x) == 2 and all(isinstance(y, (list, tuple)) for y in x):
        return SignedPermutation(tuple(int(v) for v in x[0]), tuple(int(v) for v in x[1]))
    if isinstance(x, (list, tuple)) and all(isinstance(v, int) for v in x):
        return SignedPermutation.from_permutation(x)
    raise InputError(f"cannot read {x!r} as a signed permutation")
