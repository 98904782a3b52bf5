"""G-sets and signed G-sets: the permutation and signed-permutation representations of G.

A homomorphism G -> B_n = {+-1}^n x| S_n (a signed permutation action on n neurons) splits
into orbits of neurons.  The orbit of a neuron j is determined, up to conjugacy in B_n, by the
stabilizer H of j and the sign character chi: H -> {+1, -1}, rho(h) e_j = chi(h) e_j; the pair
(H, chi) matters up to conjugacy in G (the normalizer N_G(H) acts on the characters of H).
A *transitive signed G-set* is such a class; its standard model is the induced monomial
representation on the cosets x_1 H, ..., x_n H (n = [G:H]):

    rho(g) e_i = chi(h) e_k    where g x_i = x_k h, h in H.

Homomorphisms G -> B_n up to conjugacy are multisets of transitive signed G-sets of total
size n; homomorphisms G -> S_n up to conjugacy are multisets of transitive G-sets (chi = 1).

Orbit types of a given signed action (docs/theory.md section 5; the paper's filters):

``fixed``                    a single neuron with chi trivial (rho(g) e_j = e_j for all g);
``self-negated``             chi nontrivial: some element of the stabilizer negates the neuron;
``moved as copies``          more than one neuron, chi trivial, every neuron is +(g . base);
``moved as negated copies``  more than one neuron, chi trivial, some neuron is -(g . base).

The last two are conjugate in B_n (flip the signs of the negated copies); they differ as
actions on the given neurons.

>>> from symeq.groups import catalog_group
>>> G = catalog_group("hmirror:1x2", 2, 2)
>>> [(t.size, t.is_signed) for t in transitive_signed_gsets(G)]
[(1, False), (1, True), (2, False)]
>>> [count_signed_gsets(G, n) for n in (1, 2, 3)]
[2, 4, 6]
>>> D = decompose_signed_action(G, {"s": ([0, 2, 1], [-1, -1, -1])})
>>> [(o.points, o.type) for o in D.orbits]
[((0,), 'self-negated'), ((1, 2), 'moved as negated copies')]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from symeq.errors import BudgetExceeded, InputError
from symeq.groups.cyclotomic import Cyclotomic
from symeq.groups.classes import conjugacy_classes
from symeq.groups.permutation import FiniteGroup, GroupLike, finite_group
from symeq.groups.presentation import format_word, presentation, relator_failures
from symeq.groups.signed import SignedPermutation, as_signed_permutation
from symeq.groups.subgroups import (DEFAULT_SUBGROUP_BUDGET, Subgroup, classify_subgroup,
                                    conjugate_subgroup, subgroup, subgroup_classes)

__all__ = ["TransitiveGSet", "GSet", "Orbit", "ActionDecomposition", "sign_characters",
           "transitive_gsets", "transitive_signed_gsets", "gsets_of_size",
           "signed_gsets_of_size", "count_gsets", "count_signed_gsets", "multiplicity_vectors",
           "count_multisets",
           "decompose_signed_action", "decompose_permutation_action", "element_images",
           "FIXED", "SELF_NEGATED", "COPIES", "NEGATED_COPIES", "ORBIT_TYPES",
           "DEFAULT_ENUMERATION_BUDGET"]

FIXED = "fixed"
SELF_NEGATED = "self-negated"
COPIES = "moved as copies"
NEGATED_COPIES = "moved as negated copies"
ORBIT_TYPES = (FIXED, SELF_NEGATED, COPIES, NEGATED_COPIES)

#: Default largest number of multisets :func:`gsets_of_size` may list.
DEFAULT_ENUMERATION_BUDGET = 100_000

Images = Mapping[str, object] | Sequence[object]


def _gens_text(G: FiniteGroup, H: Subgroup) -> str:
    """H by its generators, ``<r^2, s>``; ``1`` for the trivial group and ``G`` for the whole group
    (so the fixed orbit reads G/G, not G/<r, s>)."""
    if H.order == G.order:
        return "G"
    words = []
    for h in H.generators:
        w = [G.names[k] for k in G.words[h]]
        words.append(format_word([(n, 1) for n in w]) or "1")
    return "<" + ", ".join(words) + ">" if words else "1"


@dataclass(frozen=True)
class TransitiveGSet:
    """A transitive signed G-set (H, chi): H the representative of subgroup class
    ``subgroup_class``, chi the sign character with kernel ``kernel`` (chi trivial when the
    kernel is H).  ``size`` is [G:H]."""

    group: FiniteGroup = field(repr=False, compare=False)
    subgroup_class: int
    stabilizer: Subgroup
    kernel: Subgroup

    @property
    def size(self) -> int:
        """The number of points, [G:H]."""
        return self.group.order // self.stabilizer.order

    @property
    def is_signed(self) -> bool:
        """True when chi is nontrivial (the orbit is self-negated)."""
        return self.kernel.order != self.stabilizer.order

    @property
    def type(self) -> str:
        """The orbit type of the standard model: fixed, self-negated or moved as copies."""
        if self.is_signed:
            return SELF_NEGATED
        return FIXED if self.size == 1 else COPIES

    def sign(self, h: int) -> int:
        """chi(h) for h in H."""
        if h not in self.stabilizer:
            raise InputError("the element is not in the stabilizer")
        return 1 if h in self.kernel else -1

    def label(self) -> str:
        """A short description, e.g. ``"G/<s> (size 4)"`` or ``"G/<r> with sign, kernel
        <r^2> (size 2)"``."""
        base = f"G/{_gens_text(self.group, self.stabilizer)}"
        if self.is_signed:
            base += f" with sign, kernel {_gens_text(self.group, self.kernel)}"
        return f"{base} (size {self.size})"

    def coset_representatives(self) -> tuple[int, ...]:
        """x_0 = identity, x_1, ... (each with a shortest word) with G the disjoint union of
        the cosets x_i H.

        >>> from symeq.groups import catalog_group
        >>> t = transitive_gsets(catalog_group("S3", 3, 3))[2]
        >>> t.size, len(t.coset_representatives())
        (3, 3)
        """
        return self._cosets()[0]

    def _cosets(self) -> tuple[tuple[int, ...], list[int]]:
        key = ("cosets", self.stabilizer.mask)
        G, H = self.group, self.stabilizer
        if key not in G._cache:
            reps, covered = [], 0
            for x in sorted(range(G.order), key=lambda a: (len(G.words[a]), a)):
                if not covered >> x & 1:
                    reps.append(x)
                    for h in H.elements:
                        covered |= 1 << G.mul(x, h)
            G._cache[key] = (tuple(reps), _coset_lookup(G, H, reps))
        return G._cache[key]

    def image(self, g: int) -> SignedPermutation:
        """rho(g) in the standard model on the cosets (point i is the coset x_i H)."""
        G = self.group
        reps, where = self._cosets()
        perm, signs = [], []
        for x in reps:
            y = G.mul(g, x)
            k = where[y]
            h = G.mul(G.inverse(reps[k]), y)
            perm.append(k)
            signs.append(self.sign(h))
        return SignedPermutation(tuple(perm), tuple(signs))

    def representation(self) -> dict[str, SignedPermutation]:
        """The standard model on the generators: name -> signed permutation."""
        return {n: self.image(g) for n, g in zip(self.group.names, self.group.generators)}

    def character(self) -> tuple[Cyclotomic, ...]:
        """The induced character on the conjugacy classes (exact).

        >>> from symeq.groups import catalog_group
        >>> t = transitive_signed_gsets(catalog_group("C2", 2, 2))[1]
        >>> [v.to_sympy() for v in t.character()]
        [1, -1]
        """
        e = self.group.exponent
        return tuple(Cyclotomic.from_rational(e, self.image(c.representative).trace())
                     for c in conjugacy_classes(self.group))

    def to_dict(self) -> dict[str, object]:
        """Plain data: size, type, stabilizer and kernel (order and generators as words).

        >>> from symeq.groups import catalog_group
        >>> transitive_signed_gsets(catalog_group("C2", 2, 2))[1].to_dict()
        {'size': 1, 'type': 'self-negated', 'stabilizer': {'order': 2, 'generators': ['r']}, 'kernel': {'order': 1, 'generators': []}, 'label': 'G/G with sign, kernel 1 (size 1)'}
        """
        return {"size": self.size, "type": self.type,
                "stabilizer": _subgroup_dict(self.group, self.stabilizer),
                "kernel": _subgroup_dict(self.group, self.kernel), "label": self.label()}


def _subgroup_dict(G: FiniteGroup, H: Subgroup) -> dict[str, object]:
    return {"order": H.order, "generators": [G.word(h) for h in H.generators]}


def _coset_lookup(G: FiniteGroup, H: Subgroup, reps: Sequence[int]) -> list[int]:
    where = [-1] * G.order
    for k, x in enumerate(reps):
        for h in H.elements:
            where[G.mul(x, h)] = k
    return where


def sign_characters(G: GroupLike, H: Subgroup) -> tuple[Subgroup, ...]:
    """The kernels of all homomorphisms H -> {+1, -1}: H itself (the trivial character) and
    its subgroups of index 2, found by trying every sign on the generators of H.

    >>> from symeq.groups import catalog_group
    >>> F = finite_group(catalog_group("D4", 2, 2))
    >>> len(sign_characters(F, subgroup(F, range(8))))
    4
    """
    G = finite_group(G)
    gens = H.generators
    kernels: dict[int, Subgroup] = {}
    for bits in range(2 ** len(gens)):
        chi = {g: -1 if bits >> k & 1 else 1 for k, g in enumerate(gens)}
        values = _extend_sign(G, H, chi)
        if values is not None:
            K = subgroup(G, [h for h in H.elements if values[h] == 1])
            kernels.setdefault(K.mask, K)
    return tuple(sorted(kernels.values(), key=lambda K: (-K.order, K.elements)))


def _extend_sign(G: FiniteGroup, H: Subgroup, chi: dict[int, int]) -> dict[int, int] | None:
    """chi extended along the Cayley graph of H, or None if it is not a homomorphism."""
    values = {0: 1}
    queue = [0]
    while queue:
        x = queue.pop()
        for g, s in chi.items():
            y = G.mul(x, g)
            v = values[x] * s
            if y not in values:
                values[y] = v
                queue.append(y)
            elif values[y] != v:
                return None
    return values


def transitive_signed_gsets(G: GroupLike, budget: int = DEFAULT_SUBGROUP_BUDGET
                            ) -> tuple[TransitiveGSet, ...]:
    """All transitive signed G-sets (H, chi) up to conjugacy: for each subgroup class, the
    sign characters of the representative H up to the action of N_G(H).  Sorted by size,
    then stabilizer class, unsigned before signed.  Cached.

    >>> from symeq.groups import catalog_group
    >>> [(t.size, t.is_signed) for t in transitive_signed_gsets(catalog_group("C4", 2, 2))]
    [(1, False), (1, True), (2, False), (2, True), (4, False)]
    """
    G = finite_group(G)
    key = ("signed_gsets", budget)
    if key in G._cache:
        return G._cache[key]
    out = []
    for k, c in enumerate(subgroup_classes(G, budget)):
        H, N = c.representative, c.normalizer
        kernels = sign_characters(G, H)
        seen: set[int] = set()
        for K in kernels:
            if K.mask in seen:
                continue
            orbit = {conjugate_subgroup(G, K, n).mask for n in N.elements}
            seen |= orbit
            out.append(TransitiveGSet(G, k, H, K))
    out.sort(key=lambda t: (t.size, -t.stabilizer.order, t.subgroup_class, t.is_signed, t.kernel.elements))
    result = tuple(out)
    G._cache[key] = result
    return result


def transitive_gsets(G: GroupLike, budget: int = DEFAULT_SUBGROUP_BUDGET) -> tuple[TransitiveGSet, ...]:
    """All transitive G-sets G/H up to isomorphism (one per subgroup class, chi trivial).

    >>> from symeq.groups import catalog_group
    >>> [t.size for t in transitive_gsets(catalog_group("S3", 3, 3))]
    [1, 2, 3, 6]
    """
    return tuple(t for t in transitive_signed_gsets(G, budget) if not t.is_signed)


@dataclass(frozen=True)
class GSet:
    """A (signed) G-set: a multiset of transitive ones, ``parts`` = ((type, multiplicity), ...)."""

    parts: tuple[tuple[TransitiveGSet, int], ...]

    @property
    def size(self) -> int:
        """The total number of points."""
        return sum(t.size * m for t, m in self.parts)

    def blocks(self) -> tuple[TransitiveGSet, ...]:
        """The transitive parts with repetition, in the order of the representation."""
        return tuple(t for t, m in self.parts for _ in range(m))

    def representation(self) -> dict[str, SignedPermutation]:
        """The direct sum of the standard models (block by block) on the generators."""
        blocks = self.blocks()
        if not blocks:
            raise InputError("the empty G-set has no representation")
        G = blocks[0].group
        out = {}
        for name, g in zip(G.names, G.generators):
            perm, signs, offset = [], [], 0
            for t in blocks:
                img = t.image(g)
                perm += [offset + p for p in img.perm]
                signs += list(img.signs)
                offset += t.size
            out[name] = SignedPermutation(tuple(perm), tuple(signs))
        return out

    def character(self) -> tuple[Cyclotomic, ...]:
        """The character: the sum of the parts' characters."""
        blocks = self.blocks()
        total = None
        for t in blocks:
            chi = t.character()
            total = chi if total is None else tuple(a + b for a, b in zip(total, chi))
        if total is None:
            raise InputError("the empty G-set has no character")
        return total

    def label(self) -> str:
        """e.g. ``"2 x G/<s> (size 4) + G/1 (size 8)"``."""
        return " + ".join((f"{m} x " if m > 1 else "") + t.label() for t, m in self.parts)

    def to_dict(self) -> dict[str, object]:
        """Plain data: size and the parts with their multiplicities."""
        return {"size": self.size,
                "parts": [{"multiplicity": m, **t.to_dict()} for t, m in self.parts]}


def multiplicity_vectors(sizes: Sequence[int], n: int) -> Iterator[tuple[int, ...]]:
    """Every multiplicity vector m with sum_k m_k sizes[k] = n (multisets of parts of these
    sizes with total n), the first part's multiplicity largest first, then the next's.

    >>> list(multiplicity_vectors((1, 1, 2), 2))
    [(2, 0, 0), (1, 1, 0), (0, 2, 0), (0, 0, 1)]
    """
    def rec(k: int, rest: int) -> Iterator[tuple[int, ...]]:
        if k == len(sizes) - 1:
            if rest % sizes[k] == 0:
                yield (rest // sizes[k],)
            return
        for m in range(rest // sizes[k], -1, -1):
            for tail in rec(k + 1, rest - m * sizes[k]):
                yield (m,) + tail

    if not sizes:
        return iter(())
    return rec(0, n)


def count_multisets(sizes: Sequence[int], n: int) -> int:
    """The number of :func:`multiplicity_vectors`: the coefficient of x^n in
    prod_k (1 - x^sizes[k])^(-1), without listing them.

    >>> count_multisets((1, 1, 2), 2), count_multisets((1, 1, 2), 4)
    (4, 9)
    """
    ways = [1] + [0] * n
    for s in sizes:
        for m in range(s, n + 1):
            ways[m] += ways[m - s]
    return ways[n]


def _multisets(types: Sequence[TransitiveGSet], n: int, budget: int) -> list[GSet]:
    out: list[GSet] = []
    for mult in multiplicity_vectors([t.size for t in types], n):
        if len(out) >= budget:
            raise BudgetExceeded(f"more than {budget} G-sets of size {n}")
        out.append(GSet(tuple((t, m) for t, m in zip(types, mult) if m)))
    return out


def gsets_of_size(G: GroupLike, n: int, budget: int = DEFAULT_ENUMERATION_BUDGET) -> tuple[GSet, ...]:
    """Every G-set of n points up to isomorphism = every homomorphism G -> S_n up to
    conjugacy.  BudgetExceeded past ``budget`` of them.

    >>> from symeq.groups import catalog_group
    >>> [g.label() for g in gsets_of_size(catalog_group("C2", 2, 2), 2)]
    ['2 x G/G (size 1)', 'G/1 (size 2)']
    """
    return tuple(_multisets(transitive_gsets(G), n, budget))


def signed_gsets_of_size(G: GroupLike, n: int, budget: int = DEFAULT_ENUMERATION_BUDGET
                         ) -> tuple[GSet, ...]:
    """Every signed G-set of n points up to isomorphism = every homomorphism G -> B_n up to
    conjugacy in B_n.  BudgetExceeded past ``budget`` of them.

    >>> from symeq.groups import catalog_group
    >>> [g.label() for g in signed_gsets_of_size(catalog_group("C2", 2, 2), 1)]
    ['G/G (size 1)', 'G/G with sign, kernel 1 (size 1)']
    """
    return tuple(_multisets(transitive_signed_gsets(G), n, budget))


def count_gsets(G: GroupLike, n: int) -> int:
    """The number of G-sets of size n (homomorphisms G -> S_n up to conjugacy), without
    listing them.

    >>> from symeq.groups import catalog_group
    >>> count_gsets(catalog_group("C2", 2, 2), 4)
    3
    """
    return count_multisets([t.size for t in transitive_gsets(G)], n)


def count_signed_gsets(G: GroupLike, n: int) -> int:
    """The number of signed G-sets of size n (homomorphisms G -> B_n up to conjugacy).

    >>> from symeq.groups import catalog_group
    >>> count_signed_gsets(catalog_group("D4", 2, 2), 4)
    157
    """
    return count_multisets([t.size for t in transitive_signed_gsets(G)], n)


# -- decomposing a given action ------------------------------------------------------------

@dataclass(frozen=True)
class Orbit:
    """One orbit of a signed action, identified with a transitive signed G-set.

    ``points`` (sorted) are the neurons of the orbit; ``type`` is one of ORBIT_TYPES (with
    ``points[0]`` as the base for "negated copies", listed in ``negated``: the points j with
    rho(g) e_base = -e_j).  ``stabilizer`` and ``kernel`` are those of the base point.
    ``gset`` is the matching entry of :func:`transitive_signed_gsets` and ``isomorphism``
    embeds its standard model: standard basis vector i goes to sign_i e_{point_i}, and
    rho(g) Phi = Phi rho_standard(g) for all g (checked)."""

    points: tuple[int, ...]
    type: str
    negated: tuple[int, ...]
    stabilizer: Subgroup
    kernel: Subgroup
    gset: TransitiveGSet
    gset_index: int
    isomorphism: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, object]:
        """Plain data for reports and certificates."""
        G = self.gset.group
        return {"points": list(self.points), "type": self.type, "negated": list(self.negated),
                "stabilizer": _subgroup_dict(G, self.stabilizer),
                "kernel": _subgroup_dict(G, self.kernel), "gset": self.gset.to_dict(),
                "isomorphism": [[p, s] for p, s in self.isomorphism]}


@dataclass(frozen=True)
class ActionDecomposition:
    """A signed action of G on n neurons split into orbits; ``gset`` is the whole action as a
    multiset of transitive signed G-sets (its isomorphism class) and ``character`` its exact
    character on the conjugacy classes."""

    degree: int
    orbits: tuple[Orbit, ...]
    gset: GSet
    character: tuple[Cyclotomic, ...]

    def type_counts(self) -> dict[str, int]:
        """How many orbits have each type."""
        return {t: sum(1 for o in self.orbits if o.type == t) for t in ORBIT_TYPES}

    def to_dict(self) -> dict[str, object]:
        """Plain data: degree, orbits, type counts, the G-set and the exact character (as
        strings of exact numbers, one per conjugacy class).

        >>> from symeq.groups import catalog_group
        >>> D = decompose_signed_action(catalog_group("C2", 2, 2), {"r": ([0], [-1])})
        >>> D.to_dict()["character"], D.to_dict()["type_counts"]["self-negated"]
        (['1', '-1'], 1)
        """
        return {"degree": self.degree, "orbits": [o.to_dict() for o in self.orbits],
                "type_counts": self.type_counts(), "gset": self.gset.to_dict(),
                "character": [str(v.to_sympy()) for v in self.character]}


def _images(G: FiniteGroup, images: Images) -> dict[str, SignedPermutation]:
    if isinstance(images, Mapping):
        missing = set(G.names) - set(images)
        extra = set(images) - set(G.names)
        if missing or extra:
            raise InputError(f"images must be given for exactly the generators {', '.join(G.names)}")
        out = {n: as_signed_permutation(images[n]) for n in G.names}
    else:
        if len(images) != len(G.names):
            raise InputError(f"need {len(G.names)} generator images, got {len(images)}")
        out = {n: as_signed_permutation(x) for n, x in zip(G.names, images)}
    if len({p.degree for p in out.values()}) != 1:
        raise InputError("the generator images act on different numbers of points")
    return out


def element_images(G: GroupLike, images: Images) -> tuple[SignedPermutation, ...]:
    """rho(g) for every element g (by number), from signed permutations of the generators,
    after checking that they define a homomorphism.

    The check is the closure of the Cayley graph: breadth first from the identity, rho(x g) =
    rho(x) rho(g) for every element x and generator g must give each element one image (then rho
    respects every word, so it is a homomorphism).  |G| times the number of generators
    products, where checking the relators of a presentation first needed the presentation
    (thousands of coset enumerations for 32 generators).

    >>> from symeq.groups import catalog_group
    >>> len(element_images(catalog_group("C4", 2, 2), {"r": [1, 2, 3, 0]}))
    4
    >>> element_images(catalog_group("C4", 2, 2), {"r": [1, 2, 0]})
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: the images do not define a homomorphism: the words 'r r r r' and 'e' are equal in the group, their images differ
    """
    G = finite_group(G)
    gens = _images(G, images)
    n = next(iter(gens.values())).degree
    out: list[SignedPermutation | None] = [None] * G.order
    words: list[tuple[int, ...]] = [()] * G.order
    out[0] = SignedPermutation.identity(n)
    queue = [0]
    for x in queue:  # grows while it is read: breadth first
        for k, name in enumerate(G.names):
            y = G.mul(x, G.generators[k])
            image = out[x] * gens[name]  # type: ignore[operator]
            if out[y] is None:
                out[y], words[y] = image, words[x] + (k,)
                queue.append(y)
            elif out[y] != image:
                a = " ".join(G.names[j] for j in words[x] + (k,))
                b = " ".join(G.names[j] for j in words[y]) or "e"
                raise InputError(f"the images do not define a homomorphism: the words {a!r} and {b!r} are "
                                 "equal in the group, their images differ")
    return tuple(out)  # type: ignore[arg-type]


def decompose_signed_action(G: GroupLike, images: Images,
                            budget: int = DEFAULT_SUBGROUP_BUDGET) -> ActionDecomposition:
    """Split a signed permutation action of G (given on the generators as SignedPermutation,
    signed permutation matrices, (perm, signs) pairs or plain permutations) into orbits, and
    identify each orbit as a transitive signed G-set (H, chi), with its type.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("C2", 2, 2)
    >>> D = decompose_signed_action(G, {"r": ([1, 0, 2], [1, 1, -1])})
    >>> [(o.points, o.type, o.gset.size) for o in D.orbits]
    [((0, 1), 'moved as copies', 2), ((2,), 'self-negated', 1)]
    """
    G = finite_group(G)
    rho = element_images(G, images)
    n = rho[0].degree
    catalog = transitive_signed_gsets(G, budget)
    seen = [False] * n
    orbits = []
    for b in range(n):
        if seen[b]:
            continue
        points = sorted({rho[g].perm[b] for g in range(G.order)})
        for p in points:
            seen[p] = True
        stab = subgroup(G, [g for g in range(G.order) if rho[g].perm[b] == b])
        kern = subgroup(G, [g for g in stab.elements if rho[g].signs[b] == 1])
        orbits.append(_identify(G, rho, b, tuple(points), stab, kern, catalog, budget))
    orbits.sort(key=lambda o: o.points)
    counts: dict[int, int] = {}
    for o in orbits:
        counts[o.gset_index] = counts.get(o.gset_index, 0) + 1
    gset = GSet(tuple((catalog[k], m) for k, m in sorted(counts.items())))
    e = G.exponent
    character = tuple(Cyclotomic.from_rational(e, rho[c.representative].trace())
                      for c in conjugacy_classes(G))
    return ActionDecomposition(n, tuple(orbits), gset, character)


def decompose_permutation_action(G: GroupLike, images: Images,
                                 budget: int = DEFAULT_SUBGROUP_BUDGET) -> ActionDecomposition:
    """:func:`decompose_signed_action` for plain permutations (every sign +1); refuses
    negative signs.

    >>> from symeq.groups import catalog_group
    >>> D = decompose_permutation_action(catalog_group("C4", 2, 2), {"r": [1, 0, 3, 2, 4]})
    >>> [(o.points, o.type, o.stabilizer.order) for o in D.orbits]
    [((0, 1), 'moved as copies', 2), ((2, 3), 'moved as copies', 2), ((4,), 'fixed', 4)]
    """
    G = finite_group(G)
    gens = _images(G, images)
    if not all(p.is_permutation() for p in gens.values()):
        raise InputError("a permutation action has no negative signs; use decompose_signed_action")
    return decompose_signed_action(G, gens, budget)


def _identify(G: FiniteGroup, rho: Sequence[SignedPermutation], b: int, points: tuple[int, ...],
              stab: Subgroup, kern: Subgroup, catalog: Sequence[TransitiveGSet],
              budget: int) -> Orbit:
    signed = kern.order != stab.order
    negated: tuple[int, ...] = ()
    if signed:
        kind = SELF_NEGATED
    elif len(points) == 1:
        kind = FIXED
    else:
        base = points[0]
        sign_of = {}
        for g in range(G.order):
            p, s = rho[g].image(base)
            sign_of.setdefault(p, s)
        negated = tuple(p for p in points if sign_of[p] == -1)
        kind = NEGATED_COPIES if negated else COPIES
    # move the base point so that its stabilizer is the class representative H exactly
    k, c = classify_subgroup(G, stab, budget)
    kern_c = conjugate_subgroup(G, kern, c)
    for idx, t in enumerate(catalog):
        if t.subgroup_class != k:
            continue
        n_elt = next((m for m in subgroup_classes(G, budget)[k].normalizer.elements
                      if conjugate_subgroup(G, kern_c, m).mask == t.kernel.mask), None)
        if n_elt is None:
            continue
        x = G.mul(n_elt, c)  # the point x . b has stabilizer H and character t
        p0, s0 = rho[x].image(b)
        iso = []
        for r in t.coset_representatives():
            p, s = rho[r].image(p0)
            iso.append((p, s * s0))
        _check_isomorphism(G, rho, t, iso)
        return Orbit(points, kind, negated, stab, kern, t, idx, tuple(iso))
    raise AssertionError("orbit not matched to a transitive signed G-set")


def _check_isomorphism(G: FiniteGroup, rho: Sequence[SignedPermutation], t: TransitiveGSet,
                       iso: Sequence[tuple[int, int]]) -> None:
    """rho(g) Phi e_i = Phi rho_std(g) e_i for the generators (hence all g)."""
    for g in G.generators:
        std = t.image(g)
        for i, (p, s) in enumerate(iso):
            q, u = rho[g].image(p)
            k, v = std.image(i)
            if (q, u * s) != (iso[k][0], v * iso[k][1]):
                raise AssertionError("orbit isomorphism check failed")
