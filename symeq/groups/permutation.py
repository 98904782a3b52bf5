"""A finite group as a multiplication table, and its faithful permutation representation.

:class:`FiniteGroup` is the common form of every group the group-theory modules work on.  It
numbers the elements 0..|G|-1 (0 is the identity), keeps the multiplication table, the named
generators and, for each element, a word in the generators.  It is built from either

* a :class:`~symeq.groups.action.GroupAction` (elements are pairs (rho_0(g), rho_L(g)) of exact
  matrices; the product is the matrix product), or
* a sympy :class:`~sympy.combinatorics.perm_groups.PermutationGroup` (the product ``p*q`` of
  sympy, "first p, then q").

Element ``g`` corresponds to the permutation ``j -> index(g_j g)`` of the element numbers (the
right regular representation).  With sympy's convention this is a homomorphism:
``permutation(g) * permutation(h) == permutation(g h)``; and ``permutation(g)(0) == g``.

>>> from symeq.groups import catalog_group
>>> G = finite_group(catalog_group("D4", 2, 2))
>>> G.order, G.names
(8, ('r', 's'))
>>> r = G.evaluate_word("r")
>>> G.element_order(r), G.element_order(G.evaluate_word("s r"))
(4, 2)
>>> G.element_of_permutation(G.permutation(r)) == r
True
>>> G.permutation_group().order()
8
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from sympy.combinatorics import Permutation, PermutationGroup

from symeq.errors import BudgetExceeded, InputError
from symeq.exact import is_rational_matrix
from symeq.groups.action import GroupAction, parse_word

__all__ = ["FiniteGroup", "finite_group", "GroupLike", "MAX_TABLE_ORDER"]

#: Largest order for which a multiplication table is built (|G|^2 entries).
MAX_TABLE_ORDER = 1024

GroupLike = Union["FiniteGroup", GroupAction, PermutationGroup]


@dataclass(frozen=True, eq=False)
class FiniteGroup:
    """A finite group given by its multiplication table and named generators.

    ``table[a][b]`` is the number of the product g_a g_b; element 0 is the identity;
    ``generators[k]`` is the element named ``names[k]``; ``words[a]`` is a word (a tuple of
    generator positions) whose product is g_a, found by breadth-first search, so it is a
    shortest positive word.  ``source`` is the GroupAction or PermutationGroup it came from and
    ``source_elements[a]`` the element g_a there (a pair of matrices, or a Permutation).

    >>> from symeq.groups import catalog_group
    >>> G = finite_group(catalog_group("C4", 2, 2))
    >>> r = G.generators[0]
    >>> G.power(r, 3) == G.inverse(r) == G.mul(G.mul(r, r), r)
    True
    >>> G.word(G.power(r, 2)), G.conjugate(r, r) == r, G.element(r)[0]
    ('r r', True, Matrix([
    [0, -1],
    [1,  0]]))
    >>> G.index(G.element(r)) == r
    True
    """

    names: tuple[str, ...]
    generators: tuple[int, ...]
    table: tuple[tuple[int, ...], ...]
    words: tuple[tuple[int, ...], ...]
    source: Any = None
    source_elements: tuple[Any, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- arithmetic -------------------------------------------------------------------------
    @property
    def order(self) -> int:
        """|G|."""
        return len(self.table)

    @property
    def identity(self) -> int:
        """The number of the identity (always 0)."""
        return 0

    def mul(self, a: int, b: int) -> int:
        """The number of g_a g_b."""
        return self.table[a][b]

    def product(self, elements: Sequence[int]) -> int:
        """The number of the product of the listed elements, left to right."""
        x = 0
        for a in elements:
            x = self.table[x][a]
        return x

    @property
    def inverses(self) -> tuple[int, ...]:
        """``inverses[a]`` is the number of g_a^{-1}."""
        if "inverses" not in self._cache:
            self._cache["inverses"] = tuple(row.index(0) for row in self.table)
        return self._cache["inverses"]

    def inverse(self, a: int) -> int:
        """The number of g_a^{-1}."""
        return self.inverses[a]

    def power(self, a: int, k: int) -> int:
        """The number of g_a^k (k may be negative)."""
        if k < 0:
            a, k = self.inverse(a), -k
        x, y = 0, a
        while k:  # square and multiply
            if k & 1:
                x = self.table[x][y]
            y = self.table[y][y]
            k >>= 1
        return x

    def conjugate(self, a: int, g: int) -> int:
        """The number of g a g^{-1} (conjugation by g)."""
        return self.table[self.table[g][a]][self.inverse(g)]

    @property
    def element_orders(self) -> tuple[int, ...]:
        """``element_orders[a]`` is the order of g_a."""
        if "orders" not in self._cache:
            out = []
            for a in range(self.order):
                k, x = 1, a
                while x != 0:
                    x, k = self.table[x][a], k + 1
                out.append(k)
            self._cache["orders"] = tuple(out)
        return self._cache["orders"]

    def element_order(self, a: int) -> int:
        """The order of g_a."""
        return self.element_orders[a]

    @property
    def exponent(self) -> int:
        """The least common multiple of the element orders."""
        from math import lcm

        return lcm(*self.element_orders)

    # -- words ------------------------------------------------------------------------------
    def word(self, a: int) -> str:
        """A shortest positive word naming g_a, e.g. ``"r r s"``; ``""`` for the identity."""
        return " ".join(self.names[k] for k in self.words[a])

    def evaluate_word(self, word: str) -> int:
        """The number of the element named by a word such as ``"s r^-1 s r"``.

        >>> G = finite_group(PermutationGroup([Permutation([1, 2, 0])]), names=("c",))
        >>> G.evaluate_word("c^-1") == G.evaluate_word("c c")
        True
        """
        x = 0
        for name, exp in parse_word(word, self.names):
            x = self.table[x][self.power(self.generators[self.names.index(name)], exp)]
        return x

    # -- the permutation representation ----------------------------------------------------
    def permutation(self, a: int) -> Permutation:
        """The right regular permutation j -> index(g_j g_a) of element a."""
        return Permutation([row[a] for row in self.table])

    def permutation_group(self) -> PermutationGroup:
        """G as a permutation group of degree |G| generated by the images of the named
        generators, in order (a faithful representation: the right regular one)."""
        if "permgroup" not in self._cache:
            gens = [self.permutation(a) for a in self.generators]
            self._cache["permgroup"] = PermutationGroup(gens)
        return self._cache["permgroup"]

    def element_of_permutation(self, p: Permutation) -> int:
        """The element whose right regular permutation is ``p`` (the inverse isomorphism)."""
        a = p(0)
        if p.size != self.order or self.permutation(a) != p:
            raise InputError("the permutation is not in the regular representation of the group")
        return a

    # -- the source -------------------------------------------------------------------------
    def element(self, a: int) -> Any:
        """g_a in the source: a pair (rho_0(g), rho_L(g)) or a sympy Permutation."""
        return self.source_elements[a]

    def index(self, element: Any) -> int:
        """The number of a source element (a matrix pair or a Permutation)."""
        if isinstance(self.source, GroupAction):
            return self.source.index(element)
        try:
            return self._perm_index()[element]
        except KeyError:
            raise InputError(f"{element} is not an element of the group") from None

    def _perm_index(self) -> dict[Any, int]:
        if "perm_index" not in self._cache:
            self._cache["perm_index"] = {p: k for k, p in enumerate(self.source_elements)}
        return self._cache["perm_index"]

    def __repr__(self) -> str:
        return f"FiniteGroup(order={self.order}, generators={self.names})"


def _words(n: int, right: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    """Breadth-first words: right[k][x] is the number of g_x * generator_k."""
    words: list[tuple[int, ...] | None] = [None] * n
    words[0] = ()
    queue = deque([0])
    while queue:
        x = queue.popleft()
        for k, perm in enumerate(right):
            y = perm[x]
            if words[y] is None:
                words[y] = words[x] + (k,)
                queue.append(y)
    if any(w is None for w in words):
        raise InputError("the generators do not generate the group")
    return tuple(words)  # type: ignore[arg-type]


def _from_right_multiplications(names: tuple[str, ...], right: list[list[int]], source: Any,
                                source_elements: tuple[Any, ...]) -> FiniteGroup:
    """The table from the right multiplications by the generators (x -> x g_k)."""
    n = len(right[0])
    words = _words(n, right)
    # column a of the table is the right multiplication by g_a: R_{x g_k} = R_x then R_{g_k}
    cols: list[list[int] | None] = [None] * n
    cols[0] = list(range(n))
    for a in sorted(range(n), key=lambda a: len(words[a])):
        if a == 0:
            continue
        w = words[a]
        parent = cols[_walk(right, w[:-1])]
        assert parent is not None
        cols[a] = [right[w[-1]][y] for y in parent]
    table = tuple(tuple(cols[b][a] for b in range(n)) for a in range(n))  # type: ignore[index]
    gens = tuple(right[k][0] for k in range(len(names)))
    return FiniteGroup(names, gens, table, words, source, source_elements)


def _walk(right: list[list[int]], word: tuple[int, ...]) -> int:
    x = 0
    for k in word:
        x = right[k][x]
    return x


@functools.lru_cache(maxsize=32)
def _from_action(G: GroupAction) -> FiniteGroup:
    regular = getattr(G, "regular_data", None)
    if regular is not None:  # an action that closes its elements itself (convolutions: grid maps)
        right, compact = regular()
        if len(compact) > MAX_TABLE_ORDER:
            raise BudgetExceeded(f"group of order {len(compact)} exceeds the table limit {MAX_TABLE_ORDER}")
        return _from_right_multiplications(G.names, right, G, tuple(compact))
    elements = G.elements()
    n = len(elements)
    if n > MAX_TABLE_ORDER:
        raise BudgetExceeded(f"group of order {n} exceeds the table limit {MAX_TABLE_ORDER}")
    if all(is_rational_matrix(m) for m in G.inputs + G.outputs):
        right = _rational_right_multiplications(G, elements)
    else:
        right = [[G.index((x[0] * a, x[1] * b)) for x in elements] for a, b in zip(G.inputs, G.outputs)]
    return _from_right_multiplications(G.names, right, G, tuple(elements))


def _rational_right_multiplications(G: GroupAction, elements: list[Any]) -> list[list[int]]:
    """x -> index(x g_k) with rational matrices multiplied over QQ (FLINT), not as sympy
    matrices: the same exact products, an order of magnitude faster for image actions."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix

    def conv(m: Any) -> DomainMatrix:
        return DomainMatrix.from_Matrix(m).convert_to(QQ)

    def key(a: DomainMatrix, b: DomainMatrix) -> tuple[Any, Any]:
        return (tuple(a.to_list_flat()), tuple(b.to_list_flat()))

    mats = [(conv(x[0]), conv(x[1])) for x in elements]
    index = {key(a, b): k for k, (a, b) in enumerate(mats)}
    right = []
    for a, b in zip(G.inputs, G.outputs):
        ga, gb = conv(a), conv(b)
        right.append([index[key(x * ga, y * gb)] for x, y in mats])
    return right


@functools.lru_cache(maxsize=32)
def _from_perm_group(P: PermutationGroup, names: tuple[str, ...]) -> FiniteGroup:
    n = P.order()
    if n > MAX_TABLE_ORDER:
        raise BudgetExceeded(f"group of order {n} exceeds the table limit {MAX_TABLE_ORDER}")
    elements = [Permutation(P.degree - 1)] if P.degree else [Permutation()]
    elements += [p for p in P.generate() if not p.is_Identity]
    index = {p: k for k, p in enumerate(elements)}
    right = [[index[x * g] for x in elements] for g in P.generators]
    return _from_right_multiplications(names, right, P, tuple(elements))


def finite_group(G: GroupLike, names: Sequence[str] | None = None) -> FiniteGroup:
    """The :class:`FiniteGroup` of a GroupAction or a sympy PermutationGroup (cached).

    For a PermutationGroup the generators are ``P.generators``, named ``names`` or ``g0, g1,
    ...``.  A FiniteGroup is returned unchanged.

    >>> from sympy.combinatorics.named_groups import SymmetricGroup
    >>> S = finite_group(SymmetricGroup(3), names=("c", "t"))
    >>> S.order, S.exponent, S.word(S.evaluate_word("t c"))
    (6, 6, 't c')
    """
    if isinstance(G, FiniteGroup):
        return G
    if isinstance(G, GroupAction):
        own = getattr(G, "finite_group", None)  # actions that multiply their elements' own parts
        return own() if own is not None else _from_action(G)
    if isinstance(G, PermutationGroup):
        gens = tuple(names) if names is not None else tuple(f"g{k}" for k in range(len(G.generators)))
        if len(gens) != len(G.generators) or len(set(gens)) != len(gens):
            raise InputError(f"need {len(G.generators)} distinct generator names, got {gens}")
        return _from_perm_group(G, gens)
    raise InputError(f"expected a GroupAction or a PermutationGroup, got {type(G).__name__}")
