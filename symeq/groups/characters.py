"""Exact character tables (Dixon's method modulo a prime), inner products and decompositions.

Method (J. D. Dixon, "High speed computation of group characters", 1967).  With classes
C_1..C_r of sizes h_k and structure constants c_ijk = #{x in C_i : x^-1 z_k in C_j}, the
central characters omega_chi(C_k) = h_k chi(z_k) / chi(1) of the irreducible characters are the
common eigenvectors (w_k) = (omega(C_k)) of the matrices (A_i)_jk = c_ijk.  Modulo a prime
p = 1 (mod e), e the exponent of G, p > 2 sqrt|G|, everything splits: the A_i are diagonalized
simultaneously over F_p, chi(1) is the unique integer in [1, sqrt|G|] with
chi(1)^2 = |G| / sum_k omega_k omega_k' / h_k (k' the class of inverses), and
chi(z) mod p = omega chi(1) / h.  The exact value chi(z) = sum_j m_j zeta_e^j is recovered from
the eigenvalue multiplicities m_j = (1/e) sum_l chi(z^l) zeta^-jl, computed modulo p with a
primitive e-th root of unity in F_p; they are integers in [0, chi(1)], so they are exact.  The
table is then checked exactly: the rows are orthonormal in Q(zeta_e), one per class.

>>> from symeq.groups import catalog_group
>>> T = character_table(catalog_group("S4", 4, 4))
>>> T.degrees()
(1, 1, 2, 3, 3)
>>> print(T.format())
      1a  2a  2b  3a  4a
X.1    1   1   1   1   1
X.2    1   1  -1   1  -1
X.3    2   2   0  -1   0
X.4    3  -1  -1   0   1
X.5    3  -1   1   0  -1
>>> T.decompose(regular_character(T.group))
(1, 1, 2, 3, 3)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

import flint
import sympy
from sympy import ImmutableMatrix
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from symeq.errors import InputError
from symeq.exact import is_exact_zero, is_rational_matrix
from symeq.groups.action import GroupAction, canonical
from symeq.groups.classes import ConjugacyClass, class_of, conjugacy_classes, inverse_class
from symeq.groups.cyclotomic import Cyclotomic
from symeq.groups.permutation import FiniteGroup, GroupLike, finite_group
from symeq.groups.presentation import presentation, relator_failures

__all__ = ["CharacterTable", "character_table", "regular_character", "trivial_character",
           "character_of_representation", "character_of_action", "permutation_character",
           "ClassValue"]

ClassValue = Union[Cyclotomic, int, Fraction, sympy.Expr]


@dataclass(frozen=True, eq=False)
class CharacterTable:
    """The irreducible characters of ``group``: ``characters[i][k]`` is chi_i on class k,
    exact in Q(zeta_e), e = ``exponent``.  Row 0 is the trivial character; rows are sorted
    by degree."""

    group: FiniteGroup
    classes: tuple[ConjugacyClass, ...]
    exponent: int
    characters: tuple[tuple[Cyclotomic, ...], ...]
    prime: int

    def degrees(self) -> tuple[int, ...]:
        """chi_i(1) for each irreducible character."""
        return tuple(int(row[0].rational()) for row in self.characters)

    def value(self, i: int, k: int) -> sympy.Expr:
        """chi_i on class k as an exact sympy number."""
        return self.characters[i][k].to_sympy()

    def to_sympy(self) -> ImmutableMatrix:
        """The table as an exact sympy matrix (rows: characters, columns: classes)."""
        return ImmutableMatrix([[v.to_sympy() for v in row] for row in self.characters])

    def class_function(self, values: Sequence[ClassValue]) -> tuple[Cyclotomic, ...]:
        """Values on the classes as elements of Q(zeta_e) (exact conversion)."""
        if len(values) != len(self.classes):
            raise InputError(f"a class function needs {len(self.classes)} values, got {len(values)}")
        return tuple(_to_cyclotomic(v, self.exponent) for v in values)

    def inner_product(self, a: Sequence[ClassValue], b: Sequence[ClassValue]) -> Fraction:
        """<a, b> = (1/|G|) sum_g a(g) conj(b(g)), exact; ValueError if it is not rational
        (a and b are then not both characters)."""
        a, b = self.class_function(a), self.class_function(b)
        total = Cyclotomic.from_rational(self.exponent, 0)
        for k, c in enumerate(self.classes):
            total = total + a[k] * b[k].conjugate() * c.size
        return (total / self.group.order).rational()

    def decompose(self, values: Sequence[ClassValue], virtual: bool = False) -> tuple[int, ...]:
        """Multiplicities <psi, chi_i> of the irreducible characters in psi.

        Raises InputError when psi is not an integer combination of irreducibles, or (unless
        ``virtual``) has a negative multiplicity, i.e. is not a character.
        """
        psi = self.class_function(values)
        inv = inverse_class(self.group)
        out = []
        for row in self.characters:
            total = Cyclotomic.from_rational(self.exponent, 0)
            for k, c in enumerate(self.classes):
                total = total + psi[k] * row[inv[k]] * c.size  # conj chi(g) = chi(g^-1)
            q = (total / self.group.order)
            if not q.is_rational() or q.rational().denominator != 1:
                raise InputError("the class function is not a (virtual) character: "
                                 f"inner product {q.to_sympy()} with an irreducible")
            m = int(q.rational())
            if m < 0 and not virtual:
                raise InputError("the class function is not a character: negative multiplicity")
            out.append(m)
        # psi must equal the recombination exactly (it is determined by its inner products)
        for k in range(len(self.classes)):
            s = Cyclotomic.from_rational(self.exponent, 0)
            for m, row in zip(out, self.characters):
                if m:
                    s = s + row[k] * m
            if s != psi[k]:
                raise InputError("the class function is not a combination of irreducibles")
        return tuple(out)

    def is_irreducible(self, values: Sequence[ClassValue]) -> bool:
        """True when psi is one of the irreducible characters."""
        return self.class_function(values) in self.characters

    def format(self) -> str:
        """A plain-text table with exact entries."""
        heads = [c.name for c in self.classes]
        rows = [[str(v.to_sympy()) for v in row] for row in self.characters]
        width = max(len(x) for x in heads + [s for r in rows for s in r])
        lines = [" " * 5 + " ".join(h.rjust(width + 1) for h in heads).rstrip()]
        for i, r in enumerate(rows):
            lines.append(f"X.{i + 1}".ljust(5) + " ".join(s.rjust(width + 1) for s in r))
        return "\n".join(lines)


def _to_cyclotomic(v: ClassValue, e: int) -> Cyclotomic:
    if isinstance(v, Cyclotomic):
        if v.n == e:
            return v
        if e % v.n == 0:
            return v.lift(e)
        raise InputError(f"value {v} is not in Q(zeta_{e})")
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return Cyclotomic.from_rational(e, v)
    if isinstance(v, sympy.Basic):
        return Cyclotomic.from_sympy(v, e)
    raise InputError(f"cannot read {v!r} as a character value")


# -- Dixon's algorithm ---------------------------------------------------------------------

def _prime(e: int, order: int) -> int:
    """The least prime p = 1 (mod e) with p > 2 sqrt(order)."""
    p = e + 1
    while p * p <= 4 * order or not sympy.isprime(p):
        p += e
    return p


def _root_of_unity(p: int, e: int) -> int:
    """A primitive e-th root of unity in F_p (e divides p - 1)."""
    g = sympy.primitive_root(p)
    return pow(g, (p - 1) // e, p)


def _split(spaces: list[flint.nmod_mat], A: flint.nmod_mat, p: int) -> list[flint.nmod_mat]:
    """Split each A-invariant subspace (columns of B) into eigenspaces of A."""
    out = []
    for B in spaces:
        d = B.ncols()
        if d == 1:
            out.append(B)
            continue
        # rows of B forming an invertible block give the restriction R with A B = B R
        rref, rank = B.transpose().rref()
        pivots = []
        for i in range(rank):
            j = next(j for j in range(B.nrows()) if int(rref[i, j]) != 0)
            pivots.append(j)
        Bp = flint.nmod_mat([[int(B[j, c]) for c in range(d)] for j in pivots], p)
        AB = A * B
        ABp = flint.nmod_mat([[int(AB[j, c]) for c in range(d)] for j in pivots], p)
        R = Bp.inv() * ABp
        pieces = []
        for lam, _mult in R.charpoly().roots():
            M = R - flint.nmod_mat([[int(lam) if i == j else 0 for j in range(d)] for i in range(d)], p)
            X, k = M.nullspace()
            N = flint.nmod_mat([[int(X[i, c]) for c in range(k)] for i in range(d)], p)
            pieces.append(B * N)
        if sum(P.ncols() for P in pieces) != d:
            raise ArithmeticError("class matrices did not split modulo p")
        out.extend(pieces)
    return out


def _compute_table(G: FiniteGroup) -> CharacterTable:
    classes = conjugacy_classes(G)
    cl = class_of(G)
    inv = inverse_class(G)
    r, n, e = len(classes), G.order, G.exponent
    sizes = [c.size for c in classes]
    p = _prime(e, n)
    # structure constants c[i][j][k]
    c = [[[0] * r for _ in range(r)] for _ in range(r)]
    invs = G.inverses
    for k, cls in enumerate(classes):
        z = cls.representative
        for x in range(n):
            c[cl[x]][cl[G.mul(invs[x], z)]][k] += 1
    spaces = [flint.nmod_mat([[int(i == j) for j in range(r)] for i in range(r)], p)]
    for i in range(1, r):
        if all(B.ncols() == 1 for B in spaces):
            break
        A = flint.nmod_mat([[c[i][j][k] for k in range(r)] for j in range(r)], p)
        spaces = _split(spaces, A, p)
    if len(spaces) != r or any(B.ncols() != 1 for B in spaces):
        raise ArithmeticError("the class matrices have no common eigenbasis modulo p")
    z = _root_of_unity(p, e)
    root = int(math.isqrt(n))
    rows = []
    for B in spaces:
        w0 = int(B[0, 0])
        omega = [int(B[k, 0]) * pow(w0, -1, p) % p for k in range(r)]
        s = sum(omega[k] * omega[inv[k]] * pow(sizes[k], -1, p) for k in range(r)) % p
        d2 = n * pow(s, -1, p) % p
        degree = next((d for d in range(1, root + 1) if d * d % p == d2), None)
        if degree is None:
            raise ArithmeticError("no degree matches modulo p")
        chi_p = [omega[k] * degree * pow(sizes[k], -1, p) % p for k in range(r)]
        rows.append(tuple(_lift(G, classes, cl, chi_p, k, e, z, p, degree) for k in range(r)))
    rows.sort(key=lambda row: (int(row[0].rational()), 0 if all(v.is_rational() for v in row) else 1,
                               tuple(tuple(Fraction(x) for x in v.coeffs) for v in row)))
    one = Cyclotomic.from_rational(e, 1)
    rows.sort(key=lambda row: 0 if all(v == one for v in row) else 1)  # trivial first
    table = CharacterTable(G, classes, e, tuple(rows), p)
    _check_orthonormal(table)
    return table


def _lift(G: FiniteGroup, classes: tuple[ConjugacyClass, ...], cl: tuple[int, ...],
          chi_p: list[int], k: int, e: int, z: int, p: int, degree: int) -> Cyclotomic:
    x = classes[k].representative
    o = classes[k].order
    zo = pow(z, e // o, p)  # a primitive o-th root of unity, the image of zeta_o
    values = [chi_p[cl[G.power(x, l)]] for l in range(o)]
    inv_o = pow(o, -1, p)
    mult = {}
    for j in range(o):
        m = sum(values[l] * pow(zo, (-j * l) % o, p) for l in range(o)) * inv_o % p
        if m > degree:
            raise ArithmeticError("eigenvalue multiplicity out of range: wrong prime or table")
        if m:
            mult[j * (e // o)] = m
    return Cyclotomic.from_exponents(e, mult)


def _check_orthonormal(T: CharacterTable) -> None:
    """Exact row orthogonality: <chi_i, chi_j> = delta_ij (a proof the table is right, given
    that there are as many rows as classes)."""
    inv = inverse_class(T.group)
    for i, a in enumerate(T.characters):
        for j in range(i, len(T.characters)):
            b = T.characters[j]
            total = Cyclotomic.from_rational(T.exponent, 0)
            for k, c in enumerate(T.classes):
                total = total + a[k] * b[inv[k]] * c.size
            if total != Cyclotomic.from_rational(T.exponent, T.group.order if i == j else 0):
                raise ArithmeticError("character table failed the exact orthogonality check")


def character_table(G: GroupLike) -> CharacterTable:
    """The exact character table of G (cached on the FiniteGroup).

    >>> from symeq.groups import catalog_group
    >>> T = character_table(catalog_group("C3", 2, 2))
    >>> T.to_sympy()
    Matrix([
    [1,                   1,                   1],
    [1, -1/2 - sqrt(3)*I/2, -1/2 + sqrt(3)*I/2],
    [1, -1/2 + sqrt(3)*I/2, -1/2 - sqrt(3)*I/2]])
    """
    G = finite_group(G)
    if "character_table" not in G._cache:
        G._cache["character_table"] = _compute_table(G)
    return G._cache["character_table"]


# -- characters of representations -------------------------------------------------------

def regular_character(G: GroupLike) -> tuple[Cyclotomic, ...]:
    """The character of the regular representation: |G| on the identity, 0 elsewhere.

    >>> from symeq.groups import catalog_group
    >>> [v.to_sympy() for v in regular_character(catalog_group("C3", 2, 2))]
    [3, 0, 0]
    """
    G = finite_group(G)
    e = G.exponent
    return tuple(Cyclotomic.from_rational(e, G.order if k == 0 else 0)
                 for k in range(len(conjugacy_classes(G))))


def trivial_character(G: GroupLike) -> tuple[Cyclotomic, ...]:
    """The character constantly 1.

    >>> from symeq.groups import catalog_group
    >>> character_table(catalog_group("D4", 2, 2)).decompose(trivial_character(catalog_group("D4", 2, 2)))
    (1, 0, 0, 0, 0)
    """
    G = finite_group(G)
    return tuple(Cyclotomic.from_rational(G.exponent, 1) for _ in conjugacy_classes(G))


def permutation_character(G: GroupLike, images: Mapping[str, Sequence[int]] | Sequence[Sequence[int]]
                          ) -> tuple[Cyclotomic, ...]:
    """The character (number of fixed points) of a permutation action given on the generators
    as image lists (point j goes to images[j]); checked to be a homomorphism.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C4", 2, 2)
    >>> [v.to_sympy() for v in permutation_character(G, {"r": [1, 2, 3, 0]})]
    [4, 0, 0, 0]
    """
    G = finite_group(G)
    gens = _by_name(G, images)
    size = len(next(iter(gens.values())))
    perms = {name: tuple(p) for name, p in gens.items()}
    for name, pm in perms.items():
        if len(pm) != size or sorted(pm) != list(range(size)):
            raise InputError(f"generator {name}: not a permutation of {size} points")
    failures = relator_failures(presentation(G), perms, lambda a, b: tuple(a[i] for i in b),
                                lambda a: tuple(sorted(range(size), key=lambda i: a[i])),
                                tuple(range(size)))
    if failures:
        raise InputError(f"the permutations do not satisfy the relation {failures[0]!r} of the group")
    e = G.exponent
    out = []
    for cls in conjugacy_classes(G):
        x = tuple(range(size))
        for k in G.words[cls.representative]:
            x = tuple(x[i] for i in perms[G.names[k]])  # matrix order: x then generator
        out.append(Cyclotomic.from_rational(e, sum(1 for i in range(size) if x[i] == i)))
    return tuple(out)


def _by_name(G: FiniteGroup, images: Mapping[str, object] | Sequence[object]) -> dict[str, object]:
    if isinstance(images, Mapping):
        missing = set(G.names) - set(images)
        if missing:
            raise InputError(f"no image for generator(s) {', '.join(sorted(missing))}")
        return {n: images[n] for n in G.names}
    if len(images) != len(G.names):
        raise InputError(f"need {len(G.names)} generator images, got {len(images)}")
    return dict(zip(G.names, images))


def character_of_representation(G: GroupLike, images: Mapping[str, object] | Sequence[object]
                                ) -> tuple[Cyclotomic, ...]:
    """The character (traces) of the matrix representation given on the generators.

    The images are checked against a presentation of G, so they define a homomorphism; each
    class value is the trace of the product along the representative's word, converted
    exactly into Q(zeta_e).

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("D4", 2, 2)
    >>> chi = character_of_representation(G, {"r": G.inputs[0], "s": G.inputs[1]})
    >>> character_table(G).decompose(chi)
    (0, 0, 0, 0, 1)
    """
    G = finite_group(G)
    mats = {n: ImmutableMatrix(m) for n, m in _by_name(G, images).items()}
    dims = {m.shape for m in mats.values()}
    if len(dims) != 1 or not next(iter(dims))[0] == next(iter(dims))[1]:
        raise InputError("generator images must be square matrices of one size")
    d = next(iter(dims))[0]
    if any(m.free_symbols for m in mats.values()):
        raise InputError("generator images must be numeric matrices")
    if all(is_rational_matrix(m) for m in mats.values()):
        # rational matrices: exact products over QQ (FLINT), much faster than sympy matrices
        qmats = {n: DomainMatrix.from_Matrix(m).convert_to(QQ) for n, m in mats.items()}
        qone = DomainMatrix.eye(d, QQ)
        failures = relator_failures(presentation(G), qmats, lambda a, b: a * b,
                                    lambda a: a.inv(), qone)
        def trace(x: DomainMatrix) -> sympy.Expr:
            flat = x.to_list_flat()
            return QQ.to_sympy(sum((flat[i * (d + 1)] for i in range(d)), QQ.zero))

        mult, one, gens = (lambda a, b: a * b), qone, qmats
    else:
        one = ImmutableMatrix.eye(d)
        failures = relator_failures(presentation(G), mats, lambda a, b: canonical(a * b),
                                    lambda a: canonical(a.inv()), one,
                                    lambda a, b: all(is_exact_zero(x) for x in a - b))
        trace = lambda x: sympy.expand(x.trace())  # noqa: E731
        mult, gens = (lambda a, b: canonical(a * b)), mats
    if failures:
        raise InputError(f"the matrices do not satisfy the relation {failures[0]!r} of the group")
    e = G.exponent
    out = []
    for cls in conjugacy_classes(G):
        x = one
        for k in G.words[cls.representative]:
            x = mult(x, gens[G.names[k]])
        out.append(_to_cyclotomic(trace(x), e))
    return tuple(out)


def character_of_action(G: GroupAction, side: str = "input") -> tuple[Cyclotomic, ...]:
    """The character of rho_0 (``side="input"``) or rho_L (``"output"``) of a GroupAction.

    >>> from symeq.groups import catalog_group
    >>> [v.to_sympy() for v in character_of_action(catalog_group("C4", 2, 2))]
    [2, -2, 0, 0]
    """
    if side not in ("input", "output"):
        raise InputError("side must be 'input' or 'output'")
    mats = G.inputs if side == "input" else G.outputs
    return character_of_representation(G, dict(zip(G.names, mats)))
