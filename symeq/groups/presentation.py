"""A presentation of a finite group on its own named generators, proved by coset enumeration.

A list of relators R (words in the generator names) *defines* G when the finitely presented
group <names | R> is isomorphic to G through names -> generators.  Two facts prove it:

1. every relator evaluates to the identity in G, so G is a quotient of <names | R>;
2. Todd-Coxeter coset enumeration of <names | R> over the trivial subgroup closes with exactly
   |G| cosets, so the quotient map is a bijection.

Relators are searched in this order: the relations declared with the group (if they hold),
the powers g^{o(g)} of the generators, short products (a b)^{o(ab)}, (a b^-1)^{o(a b^-1)} and
conjugation relations b^-1 a b = w, and finally the Schreier relators of the Cayley graph
(x g_k = y read along a spanning tree of shortest words), which together always present G.
While the enumeration does not close within a small probe budget, candidates are added in
growing batches; once it closes on a finite cover of G, only candidates the coset table shows
are not yet consequences are added; finally relators that turn out to be consequences of
the others are dropped (each drop proved by its own enumeration).

>>> from symeq.groups import catalog_group
>>> from symeq.groups.permutation import finite_group
>>> P = presentation(finite_group(catalog_group("D4", 2, 2)))
>>> P.relators
('r^4', 's^2', 's r s r')
>>> P.order
8
>>> from sympy.combinatorics.named_groups import SymmetricGroup
>>> presentation(finite_group(SymmetricGroup(4), names=("c", "t"))).order
24
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from symeq.errors import BudgetExceeded, InputError
from symeq.groups.action import GroupAction, parse_word
from symeq.groups.cosets import DEFAULT_COSET_LIMIT, coset_table, trace_word
from symeq.groups.permutation import FiniteGroup, GroupLike, _words, finite_group

__all__ = ["Presentation", "presentation", "enumerate_cosets", "relator_failures",
           "format_word", "DEFAULT_COSET_BUDGET"]

#: Default largest number of cosets one enumeration may define.
DEFAULT_COSET_BUDGET = DEFAULT_COSET_LIMIT

Word = tuple[tuple[int, int], ...]  # ((generator position, exponent), ...)
T = TypeVar("T")


@dataclass(frozen=True)
class Presentation:
    """Relators on ``names`` defining a group of ``order`` elements (verified)."""

    names: tuple[str, ...]
    relators: tuple[str, ...]
    order: int


def format_word(word: Sequence[tuple[str, int]]) -> str:
    """A word as text, merging equal neighbours: ``[("r", 1), ("r", 1), ("s", -1)]`` gives
    ``"r^2 s^-1"``.

    >>> format_word([("r", 1), ("r", 1), ("s", -1)])
    'r^2 s^-1'
    """
    merged: list[list[Any]] = []
    for name, exp in word:
        if merged and merged[-1][0] == name:
            merged[-1][1] += exp
            if merged[-1][1] == 0:
                merged.pop()
        else:
            merged.append([name, exp])
    return " ".join(n if e == 1 else f"{n}^{e}" for n, e in merged)


def _text(G: FiniteGroup, w: Word) -> str:
    return format_word([(G.names[k], e) for k, e in w])


def _evaluate(G: FiniteGroup, w: Word) -> int:
    x = 0
    for k, e in w:
        x = G.mul(x, G.power(G.generators[k], e))
    return x


def _inverse(w: Word) -> Word:
    return tuple((k, -e) for k, e in reversed(w))


def enumerate_cosets(names: Sequence[str], relators: Sequence[str],
                     budget: int = DEFAULT_COSET_BUDGET) -> list[list[int]]:
    """The coset table of <names | relators> over the trivial subgroup: one row per element,
    columns (g_0, g_0^-1, g_1, g_1^-1, ...).  Raises BudgetExceeded past ``budget`` cosets.

    >>> len(enumerate_cosets(("a", "b"), ("a^3", "b^2", "a b a b")))
    6
    """
    names = tuple(names)
    words = [tuple((names.index(n), e) for n, e in parse_word(r, names)) for r in relators]
    return coset_table(len(names), words, limit=budget)


def _shortest_words(G: FiniteGroup) -> list[Word]:
    """For each element a shortest word in the generators and their inverses."""
    words: list[Word | None] = [None] * G.order
    words[0] = ()
    frontier = [0]
    steps = [(k, e) for k in range(len(G.names)) for e in (1, -1)]
    while frontier:
        nxt = []
        for x in frontier:
            for k, e in steps:
                y = G.mul(x, G.power(G.generators[k], e))
                if words[y] is None:
                    words[y] = words[x] + ((k, e),)  # type: ignore[operator]
                    nxt.append(y)
        frontier = nxt
    return words  # type: ignore[return-value]


def _letters(w: Word) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for k, e in w:
        for _ in range(abs(e)):
            s = (k, 1 if e > 0 else -1)
            if out and out[-1] == (k, -s[1]):
                out.pop()
            else:
                out.append(s)
    while len(out) > 1 and out[0] == (out[-1][0], -out[-1][1]):  # cyclic reduction
        out = out[1:-1]
    return out


def _canonical(w: Word) -> tuple[tuple[int, int], ...]:
    """A normal form of the relator up to cyclic rotation and inversion (same normal closure)."""
    a = _letters(w)
    b = [(k, -e) for k, e in reversed(a)]
    return min(tuple(x[i:] + x[:i]) for x in (a, b) for i in range(max(len(x), 1)))


def _merge(w: Word) -> Word:
    out: list[list[int]] = []
    for k, e in _letters(w):
        if out and out[-1][0] == k:
            out[-1][1] += e
        else:
            out.append([k, e])
    return tuple((k, e) for k, e in out if e)


def _short_candidates(G: FiniteGroup, words: list[Word]) -> list[Word]:
    """(a b)^o, (a b^-1)^o and b^-1 a b = w for each pair of generators."""
    n, gens = len(G.names), G.generators
    out: list[Word] = []
    for a in range(n):
        for b in range(a + 1, n):
            for eb in (1, -1):
                x = G.mul(gens[a], G.power(gens[b], eb))
                out.append(((a, 1), (b, eb)) * G.element_order(x))
            for p, q in ((a, b), (b, a)):
                c = G.mul(G.mul(G.inverse(gens[q]), gens[p]), gens[q])
                out.append(((q, -1), (p, 1), (q, 1)) + _inverse(words[c]))
    return out


def _schreier(G: FiniteGroup, words: list[Word]) -> list[Word]:
    """The Schreier relators w_x g w_{xg}^-1 of a spanning tree of the Cayley graph (the
    shortest words, a prefix-closed tree): together they present G."""
    out = []
    for x in range(G.order):
        for k, g in enumerate(G.generators):
            y = G.mul(x, g)
            if words[y] != words[x] + ((k, 1),) and words[x] != words[y] + ((k, -1),):
                out.append(words[x] + ((k, 1),) + _inverse(words[y]))
    out.sort(key=lambda w: sum(abs(e) for _, e in w))
    return out


def _declared(G: FiniteGroup) -> list[Word]:
    if not isinstance(G.source, GroupAction):
        return []
    out = []
    for text in G.source.relations:
        try:
            w = tuple((G.names.index(n), e) for n, e in parse_word(text, G.names))
        except InputError:
            continue
        if _evaluate(G, w) == 0:
            out.append(w)
    return out


class _Relators:
    """A relator list without repeats up to rotation and inversion."""

    def __init__(self) -> None:
        self.words: list[Word] = []
        self.keys: set[tuple[tuple[int, int], ...]] = set()

    def add(self, w: Word) -> bool:
        key = _canonical(w)
        if key in self.keys or not key:
            return False
        self.keys.add(key)
        self.words.append(_merge(w))  # cyclically reduced: a conjugate, same normal closure
        return True


def _try(G: FiniteGroup, relators: list[Word], limit: int) -> list[list[int]] | None:
    try:
        return coset_table(len(G.names), relators, limit=limit)
    except BudgetExceeded:
        return None


def presentation(G: GroupLike, budget: int = DEFAULT_COSET_BUDGET) -> Presentation:
    """Relators on the generator names of G that define G, verified by coset enumeration.

    ``budget`` bounds the cosets of each enumeration (BudgetExceeded beyond).  Redundant
    relators found along the way are dropped when a small enumeration shows they are
    consequences of the others.  Cached per FiniteGroup.

    >>> from sympy.combinatorics import Permutation, PermutationGroup
    >>> V = PermutationGroup([Permutation(0, 1)(2, 3), Permutation(0, 2)(1, 3)])
    >>> presentation(finite_group(V, names=("a", "b"))).relators
    ('a^2', 'b^2', 'a b a b')
    """
    G = finite_group(G)
    key = ("presentation", budget)
    if key in G._cache:
        return G._cache[key]
    core = _generating_subset(G)
    if len(core) < len(G.names):
        G._cache[key] = _via_core(G, core, budget)
        return G._cache[key]
    probe = min(budget, 8 * G.order + 256)
    rel = _Relators()
    for w in _declared(G) + [((k, G.element_order(g)),) for k, g in enumerate(G.generators)]:
        rel.add(w)
    kept = len(rel.words)  # declared relations and generator orders are never dropped
    words = _shortest_words(G)
    pending = _short_candidates(G, words) + _schreier(G, words)
    table = _try(G, rel.words, probe)
    if table is None:
        for w in _short_candidates(G, words):
            rel.add(w)
        table = _try(G, rel.words, probe)
    schreier, batch = _schreier(G, words), 4
    while table is None:
        if not schreier:
            table = _try(G, rel.words, budget)
            if table is None:
                raise BudgetExceeded(f"coset enumeration passed {budget} cosets")
            break
        for w in schreier[:batch]:
            rel.add(w)
        schreier, batch = schreier[batch:], 2 * batch
        table = _try(G, rel.words, probe)
    while len(table) != G.order:
        # a finite proper cover of G: add the first candidate that is not yet a consequence
        while pending and trace_word(table, pending[0]) == 0:
            pending.pop(0)
        if not pending:  # cannot happen: the Schreier relators present G
            raise AssertionError("presentation search ran out of relators")
        rel.add(pending.pop(0))
        table = _try(G, rel.words, budget)
        if table is None:
            raise BudgetExceeded(f"coset enumeration passed {budget} cosets")
    final = list(rel.words)
    for i in range(len(final) - 1, kept - 1, -1):  # drop consequences, last-found first
        trial = final[:i] + final[i + 1:]
        t = _try(G, trial, probe)
        if t is not None and len(t) == G.order:
            final = trial
    for w in final:  # G is a quotient of <names | final>, of the same order: isomorphic
        assert _evaluate(G, w) == 0
    result = Presentation(G.names, tuple(_text(G, w) for w in final), G.order)
    G._cache[key] = result
    return result


def _generating_subset(G: FiniteGroup) -> list[int]:
    """Positions of generators that generate G, each one outside the subgroup generated by the
    ones before it (so at most log2 |G| of them)."""
    core: list[int] = []
    reached = {0}
    for k, g in enumerate(G.generators):
        if g in reached:
            continue
        core.append(k)
        frontier = list(reached)
        while frontier:  # the closure of the reached elements under the core generators
            nxt = []
            for x in frontier:
                for j in core:
                    y = G.mul(x, G.generators[j])
                    if y not in reached:
                        reached.add(y)
                        nxt.append(y)
            frontier = nxt
    return core


def _via_core(G: FiniteGroup, core: list[int], budget: int) -> Presentation:
    """A presentation of G from one of the subgroup generated by ``core`` (which is G) and one
    relator g^-1 w_g per other generator g, w_g a shortest word in the core (a Tietze
    transformation: the presented group does not change).  With many generators (32 random
    elements of S_4) the direct search ran thousands of enumerations."""
    names = tuple(G.names[k] for k in core)
    gens = tuple(G.generators[k] for k in core)
    right = [[G.mul(x, g) for x in range(G.order)] for g in gens]
    sub = FiniteGroup(names, gens, G.table, _words(G.order, right))
    core_relators = presentation(sub, budget).relators
    words = _shortest_words(sub)
    declared = [_text(G, w) for w in _declared(G)]
    # g = w, written g^-1 w (just g when g is the identity)
    tietze = [format_word([(G.names[k], -1 if words[G.generators[k]] else 1)]
                          + [(names[j], e) for j, e in words[G.generators[k]]])
              for k in range(len(G.names)) if k not in core]
    relators = tuple(dict.fromkeys(declared + list(core_relators) + tietze))
    table = enumerate_cosets(G.names, relators, budget)  # a proof, as in the direct search
    if len(table) != G.order:
        raise AssertionError("the Tietze presentation does not close at |G|")
    return Presentation(G.names, relators, G.order)


def relator_failures(P: Presentation, images: Mapping[str, T], multiply: Callable[[T, T], T],
                     inverse: Callable[[T], T], identity: T,
                     equal: Callable[[T, T], bool] = lambda a, b: a == b) -> list[str]:
    """The relators of P that do NOT evaluate to ``identity`` on the generator ``images``.

    An empty list means the images define a homomorphism from G (the presentation defines G).

    >>> from sympy import Matrix
    >>> P = Presentation(("r",), ("r^4",), 4)
    >>> relator_failures(P, {"r": Matrix([[0, -1], [1, 0]])}, lambda a, b: a * b,
    ...                  lambda a: a.inv(), Matrix.eye(2))
    []
    >>> relator_failures(P, {"r": Matrix([[0, 1], [1, 0]]) * 2}, lambda a, b: a * b,
    ...                  lambda a: a.inv(), Matrix.eye(2))
    ['r^4']
    """
    missing = set(P.names) - set(images)
    if missing:
        raise InputError(f"no image given for generator(s) {', '.join(sorted(missing))}")
    inv = {n: inverse(images[n]) for n in P.names}
    bad = []
    for r in P.relators:
        x = identity
        for name, e in parse_word(r, P.names):
            y = images[name] if e > 0 else inv[name]
            for _ in range(abs(e)):
                x = multiply(x, y)
        if not equal(x, identity):
            bad.append(r)
    return bad
