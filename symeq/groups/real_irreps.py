"""The real irreducible representations of a finite group, from its complex character table.

Every real representation V of G complexifies to V (x) C, whose character is the same real
function.  Conversely (Frobenius-Schur), a complex irreducible character chi falls into one
of three cases, told apart by the indicator

    nu(chi) = (1/|G|) sum_g chi(g^2)  in {1, 0, -1}:

* nu = 1: chi is the character of a real irreducible U (realizable over R); dim U = chi(1),
  End_G(U) = R;
* nu = 0: chi is not real-valued; chi and conj(chi) together are the complexification of ONE
  real irreducible U with character chi + conj(chi); dim U = 2 chi(1), End_G(U) = C;
* nu = -1: chi is real-valued but not realizable over R; 2 chi is the character of a real
  irreducible U; dim U = 2 chi(1), End_G(U) = H (the quaternions).

Every real irreducible arises exactly once this way, so a real representation is determined by
its character, and its multiplicity of U is the complex multiplicity of chi (cases R, C) or
half of it (case H).  The division algebra D_U = End_G(U) has real dimension 1, 2, 4; it is
what Schur's lemma puts in the blocks of Hom_G (symeq.classification.real).

>>> from symeq.groups import catalog_group
>>> [(U.label, U.dim, U.division_algebra) for U in real_irreducibles(catalog_group("C4", 2, 2))]
[('U1', 1, 'R'), ('U2', 1, 'R'), ('U3', 2, 'C')]
>>> real_multiplicities(catalog_group("C4", 2, 2), (2, -2, 0, 0))     # the rotation plane
(0, 0, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from symeq.errors import InputError
from symeq.groups.action import GroupAction
from symeq.groups.characters import ClassValue, character_of_action, character_table
from symeq.groups.classes import conjugacy_classes, inverse_class, power_map
from symeq.groups.cyclotomic import Cyclotomic
from symeq.groups.permutation import GroupLike, finite_group

__all__ = ["boundary_multiplicities", "RealIrrep", "frobenius_schur", "real_irreducibles", "real_multiplicities",
           "ALGEBRA_DIMENSION"]

#: Real dimension of the division algebra End_G(U).
ALGEBRA_DIMENSION = {"R": 1, "C": 2, "H": 4}


@dataclass(frozen=True)
class RealIrrep:
    """One real irreducible representation U of G.

    ``character`` is its (real) character on the conjugacy classes, exact in Q(zeta_e);
    ``dim`` = dim_R U; ``division_algebra`` is End_G(U): "R", "C" or "H";
    ``complex_indices`` are the rows of the complex character table whose sum (case R, C) or
    twice whose value (case H) is the character."""

    label: str
    character: tuple[Cyclotomic, ...]
    dim: int
    division_algebra: str
    complex_indices: tuple[int, ...]

    @property
    def endomorphism_dim(self) -> int:
        """dim_R End_G(U): 1, 2 or 4."""
        return ALGEBRA_DIMENSION[self.division_algebra]


def frobenius_schur(G: GroupLike, chi: Sequence[ClassValue]) -> int:
    """The Frobenius-Schur indicator (1/|G|) sum_g chi(g^2) of an irreducible character chi
    (given on the classes); 1, 0 or -1.

    >>> from symeq.groups import catalog_group
    >>> from symeq.groups.characters import character_table
    >>> T = character_table(catalog_group("C4", 2, 2))
    >>> [frobenius_schur(T.group, row) for row in T.characters]
    [1, 1, 0, 0]
    """
    F = finite_group(G)
    T = character_table(F)
    values = T.class_function(chi)
    squares = power_map(F, 2)
    total = Cyclotomic.from_rational(T.exponent, 0)
    for k, c in enumerate(conjugacy_classes(F)):
        total = total + values[squares[k]] * c.size
    q = total / F.order
    if not q.is_rational() or q.rational() not in (1, 0, -1):
        raise InputError(f"indicator {q.to_sympy()}: the class function is not an irreducible character")
    return int(q.rational())


def real_irreducibles(G: GroupLike) -> tuple[RealIrrep, ...]:
    """Every real irreducible representation of G, sorted by dimension (then by the first
    complex character it comes from); U1 is the trivial representation.  Cached on the group.

    >>> from symeq.groups import catalog_group
    >>> [(U.dim, U.division_algebra) for U in real_irreducibles(catalog_group("C3", 2, 2))]
    [(1, 'R'), (2, 'C')]
    >>> [(U.dim, U.division_algebra) for U in real_irreducibles(catalog_group("D4", 2, 2))]
    [(1, 'R'), (1, 'R'), (1, 'R'), (1, 'R'), (2, 'R')]
    """
    F = finite_group(G)
    if "real_irreducibles" in F._cache:
        return F._cache["real_irreducibles"]
    T = character_table(F)
    inv = inverse_class(F)
    used: set[int] = set()
    found = []
    for i, chi in enumerate(T.characters):
        if i in used:
            continue
        nu = frobenius_schur(F, chi)
        degree = int(chi[0].rational())
        if nu == 1:
            found.append((chi, degree, "R", (i,)))
            used.add(i)
        elif nu == -1:
            found.append((tuple(v * 2 for v in chi), 2 * degree, "H", (i,)))
            used.add(i)
        else:
            conj = tuple(chi[inv[k]] for k in range(len(chi)))  # conj chi(g) = chi(g^-1)
            j = T.characters.index(conj)
            found.append((tuple(a + b for a, b in zip(chi, conj)), 2 * degree, "C", (i, j)))
            used.update((i, j))
    found.sort(key=lambda f: (f[1], f[3][0]))
    out = tuple(RealIrrep(f"U{k}", chi, d, alg, idx) for k, (chi, d, alg, idx) in enumerate(found, start=1))
    F._cache["real_irreducibles"] = out
    return out


def real_multiplicities(G: GroupLike, character: Sequence[ClassValue]) -> tuple[int, ...]:
    """The multiplicity of each real irreducible (in :func:`real_irreducibles` order) in the
    real representation with this character; InputError when the class function is not the
    character of a real representation.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("S3", 3, 3)
    >>> real_multiplicities(G, (3, 1, 0))          # the permutation representation on R^3
    (1, 0, 1)
    >>> from symeq.groups.characters import character_table
    >>> chi = character_table(catalog_group("C4", 2, 2)).characters[2]      # 1, -1, i, -i
    >>> real_multiplicities(catalog_group("C4", 2, 2), chi)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: the class function is not the character of a real representation: the complex characters X.3 and X.4 of one real irreducible have different multiplicities (1, 0)
    """
    F = finite_group(G)
    complex_mult = character_table(F).decompose(character)
    out = []
    for U in real_irreducibles(F):
        ms = [complex_mult[i] for i in U.complex_indices]
        names = " and ".join(f"X.{i + 1}" for i in U.complex_indices)
        if U.division_algebra == "C" and ms[0] != ms[1]:
            raise InputError("the class function is not the character of a real representation: the "
                             f"complex characters {names} of one real irreducible have different "
                             f"multiplicities ({ms[0]}, {ms[1]})")
        if U.division_algebra == "H" and ms[0] % 2:
            raise InputError("the class function is not the character of a real representation: the "
                             f"quaternionic character {names} has odd multiplicity {ms[0]}")
        out.append(ms[0] // 2 if U.division_algebra == "H" else ms[0])
    return tuple(out)


def boundary_multiplicities(group: GroupAction) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(m_{V_0}, m_{V_L}): the real multiplicities of the group's input and output actions.

    >>> from symeq.groups import catalog_group
    >>> boundary_multiplicities(catalog_group("C4", 2, 1, output="trivial"))
    ((0, 0, 1), (1, 0, 0))
    """
    F = finite_group(group)        # its table is built from this very action: cache there
    if "real_boundary_multiplicities" not in F._cache:
        F._cache["real_boundary_multiplicities"] = (
            real_multiplicities(group, character_of_action(group, "input")),
            real_multiplicities(group, character_of_action(group, "output")))
    return F._cache["real_boundary_multiplicities"]
