"""Conjugacy classes, element orders, power maps and centralizers of a finite group.

Classes are numbered in a fixed order: by element order, then by size, then by the length of
the shortest word of the representative; class 0 is {identity}.  Names follow the ATLAS
habit: element order and a letter, ``"1a", "2a", "2b", "4a"``.

>>> from symeq.groups import catalog_group
>>> from symeq.groups.permutation import finite_group
>>> G = finite_group(catalog_group("D4", 2, 2))
>>> [(c.name, c.size, c.order) for c in conjugacy_classes(G)]
[('1a', 1, 1), ('2a', 1, 2), ('2b', 2, 2), ('2c', 2, 2), ('4a', 2, 4)]
>>> [G.word(c.representative) for c in conjugacy_classes(G)]
['', 'r r', 's', 'r s', 'r']
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_lowercase

from symeq.groups.permutation import FiniteGroup, GroupLike, finite_group

__all__ = ["ConjugacyClass", "conjugacy_classes", "class_of", "power_map", "inverse_class",
           "centralizer", "class_sizes"]


@dataclass(frozen=True)
class ConjugacyClass:
    """One conjugacy class: its elements (numbers, sorted), a representative with a shortest
    word, the common element order, and an ATLAS-style name."""

    representative: int
    elements: tuple[int, ...]
    order: int
    name: str

    @property
    def size(self) -> int:
        """The number of elements of the class."""
        return len(self.elements)


def _compute(G: FiniteGroup) -> tuple[tuple[ConjugacyClass, ...], tuple[int, ...]]:
    n = G.order
    label = [-1] * n
    raw: list[list[int]] = []
    for a in range(n):
        if label[a] >= 0:
            continue
        k = len(raw)
        orbit, label[a] = [a], k
        i = 0
        while i < len(orbit):  # closure under conjugation by the generators suffices
            x = orbit[i]
            i += 1
            for g in G.generators:
                y = G.conjugate(x, g)
                if label[y] < 0:
                    label[y] = k
                    orbit.append(y)
        raw.append(orbit)
    reps = [min(c, key=lambda a: (len(G.words[a]), a)) for c in raw]
    key = [(G.element_order(r), len(c), len(G.words[r]), r) for r, c in zip(reps, raw)]
    perm = sorted(range(len(raw)), key=lambda k: key[k])
    classes = []
    letters: dict[int, int] = {}
    for k in perm:
        o = G.element_order(reps[k])
        j = letters.get(o, 0)
        letters[o] = j + 1
        suffix = ascii_lowercase[j] if j < 26 else f"_{j}"
        classes.append(ConjugacyClass(reps[k], tuple(sorted(raw[k])), o, f"{o}{suffix}"))
    new_number = {k: i for i, k in enumerate(perm)}
    return tuple(classes), tuple(new_number[label[a]] for a in range(n))


def conjugacy_classes(G: GroupLike) -> tuple[ConjugacyClass, ...]:
    """The conjugacy classes of G, class 0 the identity (cached on the FiniteGroup)."""
    G = finite_group(G)
    if "classes" not in G._cache:
        G._cache["classes"] = _compute(G)
    return G._cache["classes"][0]


def class_of(G: GroupLike) -> tuple[int, ...]:
    """``class_of(G)[a]`` is the number of the class containing element a.

    >>> from sympy.combinatorics.named_groups import SymmetricGroup
    >>> G = finite_group(SymmetricGroup(3))
    >>> sorted(set(class_of(G)))
    [0, 1, 2]
    """
    G = finite_group(G)
    conjugacy_classes(G)
    return G._cache["classes"][1]


def class_sizes(G: GroupLike) -> tuple[int, ...]:
    """The sizes of the classes, in class order.

    >>> from symeq.groups import catalog_group
    >>> class_sizes(catalog_group("S4", 4, 4))
    (1, 3, 6, 8, 6)
    """
    return tuple(c.size for c in conjugacy_classes(G))


def power_map(G: GroupLike, k: int) -> tuple[int, ...]:
    """``power_map(G, k)[i]`` is the class of x^k for x in class i.

    >>> from symeq.groups import catalog_group
    >>> power_map(catalog_group("C4", 2, 2), 2)
    (0, 0, 1, 1)
    """
    G = finite_group(G)
    cl = class_of(G)
    return tuple(cl[G.power(c.representative, k)] for c in conjugacy_classes(G))


def inverse_class(G: GroupLike) -> tuple[int, ...]:
    """``inverse_class(G)[i]`` is the class of x^-1 for x in class i.

    >>> from symeq.groups import catalog_group
    >>> inverse_class(catalog_group("C3", 2, 2))
    (0, 2, 1)
    """
    return power_map(G, -1)


def centralizer(G: GroupLike, a: int) -> tuple[int, ...]:
    """The elements commuting with element a (sorted numbers).

    >>> from symeq.groups import catalog_group
    >>> G = finite_group(catalog_group("D4", 2, 2))
    >>> len(centralizer(G, G.evaluate_word("r r")))
    8
    """
    G = finite_group(G)
    return tuple(x for x in range(G.order) if G.mul(x, a) == G.mul(a, x))
