"""Finite-group theory: the table bridge, presentations, classes, exact character tables,
subgroups, transitive (signed) G-sets and orbit decompositions.

Independent checks: known facts (degrees, subgroup counts), brute force written here
(closed subsets as subgroups, homomorphisms into S_n and B_n from textbook presentations and
their conjugacy orbits, double cosets for Mackey's formula, centralizers for column
orthogonality) and sympy's own coset enumeration.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import I
from sympy import ImmutableMatrix as M
from sympy.combinatorics import Permutation, PermutationGroup
from sympy.combinatorics.fp_groups import FpGroup
from sympy.combinatorics.free_groups import free_group
from sympy.combinatorics.named_groups import AlternatingGroup

from symeq.errors import BudgetExceeded, InputError
from symeq.groups import catalog_group
from symeq.groups.action import GroupAction, canonical
from symeq.groups.characters import (character_of_action, character_of_representation,
                                     character_table, permutation_character, regular_character,
                                     trivial_character)
from symeq.groups.classes import (centralizer, class_of, conjugacy_classes, inverse_class,
                                  power_map)
from symeq.groups.cosets import coset_table
from symeq.groups.cyclotomic import Cyclotomic
from symeq.groups.gsets import (COPIES, FIXED, NEGATED_COPIES, SELF_NEGATED, GSet,
                                count_gsets, count_signed_gsets, decompose_permutation_action,
                                decompose_signed_action, element_images, gsets_of_size,
                                signed_gsets_of_size, transitive_gsets, transitive_signed_gsets)
from symeq.groups.permutation import finite_group
from symeq.groups.presentation import enumerate_cosets, presentation, relator_failures
from symeq.groups.signed import SignedPermutation
from symeq.groups.subgroups import (all_subgroups, classify_subgroup, conjugate_subgroup,
                                    normalizer, subgroup, subgroup_classes)

# -- the groups ----------------------------------------------------------------------------


def klein():
    return PermutationGroup([Permutation(0, 1)(2, 3), Permutation(0, 2)(1, 3)])


def q8():
    i, j = M([[I, 0], [0, -I]]), M([[0, 1], [-1, 0]])
    return GroupAction(("i", "j"), (i, j), (i, j))


def gl23():
    """GL(2,3), order 48, acting on the 8 nonzero vectors of F_3^2."""
    vecs = [(a, b) for a in range(3) for b in range(3) if (a, b) != (0, 0)]

    def perm(m):
        return Permutation([vecs.index(((m[0][0] * a + m[0][1] * b) % 3, (m[1][0] * a + m[1][1] * b) % 3))
                            for a, b in vecs])

    return PermutationGroup([perm([[1, 1], [0, 1]]), perm([[0, 1], [2, 0]]), perm([[2, 0], [0, 1]])])


def cube():
    """The full symmetry group of the cube: all 3 x 3 signed permutation matrices, order 48."""
    a = M([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    b = M([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    c = M([[-1, 0, 0], [0, 1, 0], [0, 0, 1]])
    return GroupAction(("a", "b", "c"), (a, b, c), (a, b, c))


def cyclic(n):
    return catalog_group(f"C{n}:shift", n, n)


GROUPS = {
    **{f"C{n}": (lambda n=n: cyclic(n), (1,) * n) for n in range(2, 9)},
    "C8plane": (lambda: catalog_group("C8", 2, 2), (1,) * 8),
    "D3": (lambda: catalog_group("D3:shift", 3, 3), (1, 1, 2)),
    "D4": (lambda: catalog_group("D4", 2, 2), (1, 1, 1, 1, 2)),
    "D6": (lambda: catalog_group("D6", 2, 2), (1, 1, 1, 1, 2, 2)),
    "Q8": (q8, (1, 1, 1, 1, 2)),
    "S3": (lambda: catalog_group("S3", 3, 3), (1, 1, 2)),
    "S4": (lambda: catalog_group("S4", 4, 4), (1, 1, 2, 3, 3)),
    "A4": (lambda: AlternatingGroup(4), (1, 1, 1, 3)),
    "C2xC2": (klein, (1, 1, 1, 1)),
    "GL(2,3)": (gl23, (1, 1, 2, 2, 2, 3, 3, 4)),
    "cube": (cube, (1, 1, 1, 1, 2, 2, 3, 3, 3, 3)),
}


def conj(x: Cyclotomic) -> Cyclotomic:
    return x.conjugate()


# -- the bridge ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["D4", "S4", "A4", "Q8", "C2xC2", "C5"])
def test_table_is_a_group_and_the_regular_permutations_a_faithful_homomorphism(name):
    G = finite_group(GROUPS[name][0]())
    n = G.order
    for a, b, c in itertools.product(range(n), repeat=3):
        assert G.mul(G.mul(a, b), c) == G.mul(a, G.mul(b, c))
    for a in range(n):
        assert G.mul(0, a) == a == G.mul(a, 0)
        assert G.mul(a, G.inverse(a)) == 0
        assert G.product([G.generators[k] for k in G.words[a]]) == a
    perms = [G.permutation(a) for a in range(n)]
    assert len(set(perms)) == n
    for a, b in itertools.product(range(n), repeat=2):
        assert perms[a] * perms[b] == perms[G.mul(a, b)]
        assert G.element_of_permutation(perms[a]) == a
    assert G.permutation_group().order() == n


def test_source_elements_multiply_like_the_table():
    A = catalog_group("D4", 2, 2)
    G = finite_group(A)
    for a, b in itertools.product(range(8), repeat=2):
        x, y = G.element(a), G.element(b)
        assert (canonical(x[0] * y[0]), canonical(x[1] * y[1])) == G.element(G.mul(a, b))
        assert G.index(G.element(a)) == a
    P = gl23()
    H = finite_group(P)
    for a, b in [(1, 2), (5, 7), (13, 40), (47, 3)]:
        assert H.element(a) * H.element(b) == H.element(H.mul(a, b))  # sympy: first a, then b
    assert finite_group(A) is G


def test_words_and_bad_inputs():
    G = finite_group(catalog_group("D4", 2, 2))
    assert G.evaluate_word("s r s r") == 0
    assert G.evaluate_word("r^-1") == G.evaluate_word("r r r")
    assert G.element_order(G.evaluate_word("r")) == 4 and G.exponent == 4
    with pytest.raises(InputError):
        G.evaluate_word("t")
    with pytest.raises(InputError):
        finite_group(klein(), names=("a",))
    with pytest.raises(InputError):
        finite_group("D4")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        G.element_of_permutation(Permutation([1, 0, 2, 3, 4, 5, 6, 7]))


# -- coset enumeration and presentations ----------------------------------------------------

KNOWN_PRESENTATIONS = [
    (2, [[(0, 2)], [(1, 3)], [(0, 1), (1, 1)] * 3], 12),  # (2,3,3): A4
    (2, [[(0, 2)], [(1, 3)], [(0, 1), (1, 1)] * 4], 24),  # (2,3,4): S4
    (2, [[(0, 2)], [(1, 3)], [(0, 1), (1, 1)] * 5], 60),  # (2,3,5): A5
    (2, [[(0, 2)], [(1, 2)], [(0, 1), (1, 1)] * 7], 14),  # D7
    (2, [[(0, 4)], [(0, 2), (1, -2)], [(1, -1), (0, 1), (1, 1), (0, 1)]], 8),  # Q8
    (1, [[(0, 9)]], 9),
    (3, [[(0, 2)], [(1, 2)], [(2, 2)], [(0, 1), (1, 1)] * 3, [(1, 1), (2, 1)] * 3, [(0, 1), (2, 1)] * 2], 24),
]


@pytest.mark.parametrize("ngens,relators,order", KNOWN_PRESENTATIONS)
def test_todd_coxeter_matches_sympy_and_known_orders(ngens, relators, order):
    table = coset_table(ngens, relators)
    assert len(table) == order
    F, *x = free_group(", ".join(f"x{k}" for k in range(ngens)))
    rels = [sympy.prod([x[k] ** e for k, e in r], start=F.identity) for r in relators]
    assert FpGroup(F, rels).order() == order
    # the table is a permutation action satisfying every relator at every coset
    for row_col in range(2 * ngens):
        assert sorted(row[row_col] for row in table) == list(range(order))
    from symeq.groups.cosets import trace_word
    for c in range(order):
        for r in relators:
            assert trace_word(table, r, c) == c


def test_coset_enumeration_budget():
    with pytest.raises(BudgetExceeded):
        coset_table(2, [[(0, 3)], [(1, 3)], [(0, 1), (1, 1)] * 3], limit=2000)  # infinite
    with pytest.raises(BudgetExceeded):
        enumerate_cosets(("a", "b"), ("a^2", "b^2"), budget=50)


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_presentation_defines_the_group(name):
    src = GROUPS[name][0]()
    G = finite_group(src)
    P = presentation(G)
    assert P.names == G.names and P.order == G.order
    for r in P.relators:
        assert G.evaluate_word(r) == 0
    assert len(enumerate_cosets(P.names, P.relators)) == G.order
    # independently: sympy's coset enumeration of the same presentation
    F, *x = free_group(", ".join(P.names))
    from symeq.groups.action import parse_word
    rels = [sympy.prod([x[P.names.index(n)] ** e for n, e in parse_word(r, P.names)], start=F.identity)
            for r in P.relators]
    assert FpGroup(F, rels).order() == G.order


def test_presentation_with_redundant_and_trivial_generators():
    r, s = M([[0, -1], [1, 0]]), M([[1, 0], [0, -1]])
    A = GroupAction(("r", "s", "z", "e"), (r, s, r * r, M.eye(2)), (r, s, r * r, M.eye(2)))
    G = finite_group(A)
    P = presentation(G)
    assert G.order == 8 and len(enumerate_cosets(P.names, P.relators)) == 8
    assert "e" in P.relators
    assert presentation(catalog_group("trivial", 2, 2)).relators == ("e",)
    with pytest.raises(BudgetExceeded):
        presentation(finite_group(gl23()), budget=20)


def test_relator_failures_detects_non_homomorphisms():
    P = presentation(catalog_group("D4", 2, 2))
    mats = lambda r, s: relator_failures(P, {"r": r, "s": s}, lambda a, b: a * b,  # noqa: E731
                                         lambda a: a.inv(), M.eye(2))
    assert mats(M([[0, -1], [1, 0]]), M([[1, 0], [0, -1]])) == []
    assert mats(M([[0, -1], [1, 0]]), M([[0, 1], [1, 0]])) == []  # another reflection
    assert mats(M([[0, -1], [1, 0]]), M([[0, -1], [1, 0]])) != []  # s -> rotation: s^2 != 1
    with pytest.raises(InputError):
        relator_failures(P, {"r": M.eye(2)}, lambda a, b: a * b, lambda a: a.inv(), M.eye(2))


# -- conjugacy classes ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["D4", "S4", "Q8", "A4", "GL(2,3)", "C6"])
def test_classes_partition_the_group_into_conjugates(name):
    G = finite_group(GROUPS[name][0]())
    classes = conjugacy_classes(G)
    cl = class_of(G)
    assert sorted(a for c in classes for a in c.elements) == list(range(G.order))
    assert classes[0].elements == (0,)
    for k, c in enumerate(classes):
        brute = sorted({G.conjugate(c.representative, g) for g in range(G.order)})
        assert list(c.elements) == brute
        assert all(cl[a] == k and G.element_order(a) == c.order for a in c.elements)
        assert G.order % c.size == 0 and c.size * len(centralizer(G, c.representative)) == G.order
        assert classes[inverse_class(G)[k]].elements == tuple(sorted(G.inverse(a) for a in c.elements))
        assert classes[power_map(G, 2)[k]].elements.__contains__(G.mul(c.representative, c.representative))


# -- cyclotomic numbers ---------------------------------------------------------------------

cyc = st.integers(1, 24).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(-3, 3), min_size=Cyclotomic.degree(n),
                                             max_size=Cyclotomic.degree(n))))


@settings(max_examples=40, deadline=None)
@given(cyc, st.data())
def test_cyclotomic_arithmetic_matches_complex_numbers(a_spec, data):
    n, ca = a_spec
    cb = data.draw(st.lists(st.integers(-3, 3), min_size=len(ca), max_size=len(ca)))
    a, b = Cyclotomic(n, tuple(ca)), Cyclotomic(n, tuple(cb))
    close = lambda x, y: abs(x - y) < 1e-9  # noqa: E731
    assert close(complex(a * b), complex(a) * complex(b))
    assert close(complex(a + b), complex(a) + complex(b))
    assert close(complex(a.conjugate()), complex(a).conjugate())
    assert close(complex(a.lift(2 * n)), complex(a))
    assert close(complex(sympy.N(a.to_sympy(), 30)), complex(a))
    assert (a * b) == (b * a) and a.conjugate().conjugate() == a
    assert (a - a) == Cyclotomic.from_rational(n, 0)


def test_cyclotomic_exact_conversions():
    z8 = Cyclotomic.root(8, 1)
    assert (z8 + z8.conjugate()).to_sympy() == sympy.sqrt(2)
    assert Cyclotomic.from_sympy(sympy.sqrt(2), 8) == z8 + z8.conjugate()
    assert Cyclotomic.from_sympy(sympy.Rational(-3, 2), 5).rational() == Fraction(-3, 2)
    for n in (3, 4, 6, 8, 12):
        for j in range(n):
            z = Cyclotomic.root(n, j)
            assert Cyclotomic.from_sympy(z.to_sympy(), n) == z
    with pytest.raises(InputError):
        Cyclotomic.from_sympy(sympy.sqrt(2), 3)
    assert Cyclotomic.root(12, 5).galois(5) == Cyclotomic.root(12, 1)


# -- character tables -----------------------------------------------------------------------


def check_table(G, T):
    classes = conjugacy_classes(G)
    r, n = len(classes), G.order
    e = T.exponent
    assert len(T.characters) == r
    assert sum(d * d for d in T.degrees()) == n
    assert all(n % d == 0 for d in T.degrees())
    assert all(v == Cyclotomic.from_rational(e, 1) for v in T.characters[0])
    zero = Cyclotomic.from_rational(e, 0)
    for i, a in enumerate(T.characters):  # row orthogonality
        for j, b in enumerate(T.characters):
            s = sum((a[k] * conj(b[k]) * c.size for k, c in enumerate(classes)), zero)
            assert s == Cyclotomic.from_rational(e, n if i == j else 0)
    for k in range(r):  # column orthogonality against brute-force centralizers
        for m in range(r):
            s = sum((row[k] * conj(row[m]) for row in T.characters), zero)
            cent = len(centralizer(G, classes[k].representative))
            assert s == Cyclotomic.from_rational(e, cent if k == m else 0)
    inv = inverse_class(G)
    for row in T.characters:
        d = row[0].rational()
        for k, v in enumerate(row):
            assert row[inv[k]] == conj(v)
            assert abs(complex(v)) <= d + 1e-9
            assert abs(complex(sympy.N(T.value(T.characters.index(row), k), 30)) - complex(v)) < 1e-9
    assert T.decompose(regular_character(G)) == T.degrees()
    assert T.decompose(trivial_character(G)) == (1,) + (0,) * (r - 1)


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_character_table(name):
    factory, degrees = GROUPS[name]
    G = finite_group(factory())
    T = character_table(G)
    assert tuple(sorted(T.degrees())) == degrees
    check_table(G, T)


@pytest.mark.parametrize("n", range(2, 9))
def test_cyclic_tables_are_the_powers_of_zeta(n):
    G = finite_group(cyclic(n))
    T = character_table(G)
    powers = [len(G.words[c.representative]) for c in conjugacy_classes(G)]  # class of r^m
    expected = {tuple(Cyclotomic.root(n, j * m).lift(T.exponent) for m in powers) for j in range(n)}
    assert set(T.characters) == expected


def frobenius_schur(G, T, i):
    sq = power_map(G, 2)
    e = T.exponent
    total = sum((T.characters[i][sq[k]] * c.size for k, c in enumerate(conjugacy_classes(G))),
                Cyclotomic.from_rational(e, 0))
    return (total / G.order).rational()


def test_frobenius_schur_separates_d4_and_q8():
    for factory, indicator in ((GROUPS["D4"][0], 1), (GROUPS["Q8"][0], -1)):
        G = finite_group(factory())
        T = character_table(G)
        assert [frobenius_schur(G, T, i) for i in range(5)] == [1, 1, 1, 1, indicator]


def double_coset_count(G, H, chi=None):
    """#{H g H} (chi None) or the Mackey count of double cosets where chi and chi^g agree."""
    seen, count = set(), 0
    for g in range(G.order):
        if g in seen:
            continue
        dc = {G.mul(G.mul(h, g), k) for h in H.elements for k in H.elements}
        seen |= dc
        if chi is None:
            count += 1
            continue
        ginv = G.inverse(g)
        meet = [h for h in H.elements if G.mul(G.mul(ginv, h), g) in H]
        if all(chi(h) == chi(G.mul(G.mul(ginv, h), g)) for h in meet):
            count += 1
    return count


@pytest.mark.parametrize("name", ["D4", "S4", "A4", "Q8", "D6", "GL(2,3)"])
def test_induced_characters_by_frobenius_reciprocity_and_mackey(name):
    G = finite_group(GROUPS[name][0]())
    T = character_table(G)
    for t in transitive_signed_gsets(G):
        psi = t.character()
        m = T.decompose(psi)
        assert sum(a * d for a, d in zip(m, T.degrees())) == t.size
        assert m[0] == (0 if t.is_signed else 1)  # <Ind chi, 1> = <chi, 1_H>
        assert T.inner_product(psi, psi) == double_coset_count(G, t.stabilizer, t.sign)


def test_characters_of_matrix_representations():
    C8 = catalog_group("C8", 2, 2)
    T = character_table(C8)
    chi = character_of_action(C8)
    m = T.decompose(chi)
    assert sorted(m) == [0] * 6 + [1, 1]
    r_class = class_of(C8)[finite_group(C8).evaluate_word("r")]
    assert chi[r_class].to_sympy() == sympy.sqrt(2)
    for name, expect in (("D4", [2]), ("cube", [3]), ("Q8", [2]), ("S4", [1, 3])):
        src = GROUPS[name][0]()
        T = character_table(src)
        m = T.decompose(character_of_action(src))
        assert sorted(d for d, k in zip(T.degrees(), m) for _ in range(k)) == expect
    with pytest.raises(InputError):  # not a homomorphism
        character_of_representation(C8, {"r": M([[1, 1], [0, 1]])})
    with pytest.raises(InputError):
        T.decompose([1] * len(T.classes) + [1])


def test_image_action_character_matches_its_pixel_orbits():
    A = catalog_group("D4:3x3", 9, 9)
    G = finite_group(A)
    T = character_table(G)
    chi = character_of_action(A)
    D = decompose_permutation_action(G, {n: SignedPermutation.from_matrix(m)
                                         for n, m in zip(A.names, A.inputs)})
    assert D.character == chi
    assert [len(o.points) for o in D.orbits] == [4, 4, 1]  # corners, edges, centre
    parts = [T.decompose(o.gset.character()) for o in D.orbits]
    assert T.decompose(chi) == tuple(map(sum, zip(*parts)))
    perm_images = {n: SignedPermutation.from_matrix(m).perm for n, m in zip(A.names, A.inputs)}
    assert permutation_character(G, perm_images) == chi


# -- subgroups ------------------------------------------------------------------------------

SUBGROUP_COUNTS = {  # (all subgroups, conjugacy classes): known values
    "D4": (10, 8), "S3": (6, 4), "Q8": (6, 6), "A4": (10, 5), "S4": (30, 11),
    "GL(2,3)": (55, 16), "cube": (98, 33), "C6": (4, 4), "C2xC2": (5, 5), "D6": (16, 10),
}


@pytest.mark.parametrize("name", sorted(SUBGROUP_COUNTS))
def test_subgroup_counts(name):
    G = finite_group(GROUPS[name][0]())
    classes = subgroup_classes(G)
    assert (len(all_subgroups(G)), len(classes)) == SUBGROUP_COUNTS[name]
    assert classes[0].order == 1 and classes[-1].order == G.order
    for c in classes:
        N = c.normalizer
        assert c.length * N.order == G.order
        assert c.representative.is_subgroup_of(N)
        assert len({K.mask for K in c.conjugates}) == c.length
        for K in c.conjugates:
            k, g = classify_subgroup(G, K)
            assert subgroup_classes(G)[k] is c
            assert conjugate_subgroup(G, K, g).mask == c.representative.mask


@pytest.mark.parametrize("name", ["D4", "S3", "Q8", "C2xC2", "C6"])
def test_subgroups_against_closed_subsets(name):
    G = finite_group(GROUPS[name][0]())
    n = G.order
    closed = set()
    for bits in range(2 ** (n - 1)):
        S = {0} | {a + 1 for a in range(n - 1) if bits >> a & 1}
        if all(G.mul(a, b) in S for a in S for b in S):
            closed.add(frozenset(S))
    assert closed == {frozenset(H.elements) for H in all_subgroups(G)}


def test_subgroup_budget_and_normalizer():
    G = finite_group(gl23())
    from sympy.combinatorics.named_groups import SymmetricGroup
    with pytest.raises(BudgetExceeded):  # S5 is used nowhere else, so nothing is cached
        subgroup_classes(finite_group(SymmetricGroup(5)), budget=50)
    center = subgroup(G, [a for a in range(G.order) if len(centralizer(G, a)) == G.order])
    assert center.order == 2 and normalizer(G, center).order == 48


# -- G-sets and signed G-sets: counts against brute force ----------------------------------

TEXTBOOK = {  # (catalog factory, number of generators, defining relators)
    **{f"C{m}": (lambda m=m: cyclic(m), 1, [[(0, m)]]) for m in range(2, 7)},
    "C2xC2": (klein, 2, [[(0, 2)], [(1, 2)], [(0, 1), (1, 1)] * 2]),
    "S3": (lambda: catalog_group("S3", 3, 3), 2, [[(0, 2)], [(1, 3)], [(0, 1), (1, 1)] * 2]),
    "D4": (lambda: catalog_group("D4", 2, 2), 2, [[(0, 4)], [(1, 2)], [(1, 1), (0, 1)] * 2]),
}


def bn_elements(n, signed):
    out = []
    for p in itertools.permutations(range(n)):
        for s in (itertools.product((1, -1), repeat=n) if signed else [(1,) * n]):
            out.append(tuple((p[j], s[j]) for j in range(n)))  # e_j -> s e_{p(j)}
    return out


def bmul(x, y):  # x after y
    return tuple((x[p][0], s * x[p][1]) for p, s in y)


def binv(x):
    out = [None] * len(x)
    for j, (p, s) in enumerate(x):
        out[p] = (j, s)
    return tuple(out)


def evaluate(images, word, n):
    x = tuple((j, 1) for j in range(n))
    for k, e in word:
        y = images[k] if e > 0 else binv(images[k])
        for _ in range(abs(e)):
            x = bmul(x, y)
    return x


def brute_force_orbit_count(ngens, relators, n, signed):
    """Homomorphisms (textbook presentation) into S_n or B_n, up to conjugacy (orbits)."""
    elems = bn_elements(n, signed)
    one = tuple((j, 1) for j in range(n))
    homs = []
    for images in itertools.product(elems, repeat=ngens):
        if all(evaluate(images, r, n) == one for r in relators):
            homs.append(images)
    conj_gens = [e for e in elems if sum(1 for j, (p, s) in enumerate(e) if p != j or s != 1) <= 2]
    seen, orbits = set(), 0
    for h in homs:
        if h in seen:
            continue
        orbits += 1
        stack = [h]
        seen.add(h)
        while stack:
            x = stack.pop()
            for b in conj_gens:
                y = tuple(bmul(bmul(b, xi), binv(b)) for xi in x)
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
    return orbits


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_gset_counts_against_brute_force(name):
    factory, ngens, relators = TEXTBOOK[name]
    G = finite_group(factory())
    for n in range(1, 5):
        perm = brute_force_orbit_count(ngens, relators, n, signed=False)
        sgn = brute_force_orbit_count(ngens, relators, n, signed=True)
        assert count_gsets(G, n) == perm == len(gsets_of_size(G, n))
        assert count_signed_gsets(G, n) == sgn == len(signed_gsets_of_size(G, n))


def test_c2_signed_gsets_example():
    G = catalog_group("C2", 2, 2)
    t = transitive_signed_gsets(G)
    assert [(x.stabilizer.order, x.is_signed, x.size) for x in t] == [(2, False, 1), (2, True, 1), (1, False, 2)]
    assert count_signed_gsets(G, 1) == 2 == brute_force_orbit_count(1, [[(0, 2)]], 1, True)
    assert [x.type for x in t] == [FIXED, SELF_NEGATED, COPIES]
    assert transitive_gsets(G) == (t[0], t[2])


@pytest.mark.parametrize("name", ["D4", "S3", "C2xC2", "Q8", "A4"])
def test_enumerated_gsets_are_homomorphisms_and_pairwise_distinct(name):
    G = finite_group(GROUPS[name][0]())
    catalog = transitive_signed_gsets(G)
    for n in (2, 3, 4):
        listed = signed_gsets_of_size(G, n)
        keys = set()
        for S in listed:
            rep = S.representation()
            assert all(p.degree == n for p in rep.values())
            D = decompose_signed_action(G, rep)  # checks the relators, identifies each orbit
            key = tuple(sorted(catalog.index(t) for t in S.blocks()))
            assert tuple(sorted(o.gset_index for o in D.orbits)) == key
            assert D.character == S.character()
            keys.add(key)
        assert len(keys) == len(listed)
    with pytest.raises(BudgetExceeded):
        signed_gsets_of_size(G, 6, budget=3)


# -- orbit decomposition --------------------------------------------------------------------


def test_the_four_orbit_types_under_a_mirror():
    G = catalog_group("hmirror:1x2", 2, 2)
    cases = {FIXED: ([0], [1]), SELF_NEGATED: ([0], [-1]), COPIES: ([1, 0], [1, 1]),
             NEGATED_COPIES: ([1, 0], [-1, -1])}
    for kind, img in cases.items():
        D = decompose_signed_action(G, {"s": img})
        assert [o.type for o in D.orbits] == [kind]
    D = decompose_signed_action(G, {"s": ([0, 2, 1, 3, 4], [1, -1, -1, -1, 1])})
    assert [(o.points, o.type, o.negated) for o in D.orbits] == [
        ((0,), FIXED, ()), ((1, 2), NEGATED_COPIES, (2,)), ((3,), SELF_NEGATED, ()), ((4,), FIXED, ())]
    assert D.type_counts() == {FIXED: 2, SELF_NEGATED: 1, COPIES: 0, NEGATED_COPIES: 1}
    with pytest.raises(InputError):  # s -> 4-cycle of signs: s^2 != 1
        decompose_signed_action(G, {"s": ([1, 0], [1, -1])})
    with pytest.raises(InputError):
        decompose_signed_action(G, {"t": ([0], [1])})
    with pytest.raises(InputError):
        decompose_signed_action(G, {"s": M([[2, 0], [0, 1]])})
    with pytest.raises(InputError):
        decompose_permutation_action(G, {"s": ([0], [-1])})


GSET_GROUPS = ["D4", "C2xC2", "S3", "C4", "Q8"]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(GSET_GROUPS), st.integers(1, 6), st.data())
def test_decomposition_recovers_conjugated_signed_gsets(name, n, data):
    G = finite_group(GROUPS[name][0]())
    catalog = transitive_signed_gsets(G)
    S: GSet = data.draw(st.sampled_from(signed_gsets_of_size(G, n)))
    perm = data.draw(st.permutations(range(n)))
    signs = data.draw(st.lists(st.sampled_from((1, -1)), min_size=n, max_size=n))
    b = SignedPermutation(tuple(perm), tuple(signs))
    rep = {k: b * p * b.inverse() for k, p in S.representation().items()}
    D = decompose_signed_action(G, rep)
    assert sorted(o.gset_index for o in D.orbits) == sorted(catalog.index(t) for t in S.blocks())
    assert sorted(p for o in D.orbits for p in o.points) == list(range(n))
    # types: signed blocks are self-negated; unsigned moved blocks are negated copies exactly
    # when the conjugating signs are not constant on the block
    offset = 0
    for t in S.blocks():
        pts = tuple(sorted(perm[i] for i in range(offset, offset + t.size)))
        orbit = next(o for o in D.orbits if o.points == pts)
        block_signs = {signs[i] for i in range(offset, offset + t.size)}
        if t.is_signed:
            assert orbit.type == SELF_NEGATED
        elif t.size == 1:
            assert orbit.type == FIXED
        else:
            assert orbit.type == (NEGATED_COPIES if len(block_signs) == 2 else COPIES)
        offset += t.size
    T = character_table(G)
    total = [0] * len(T.characters)
    for t in S.blocks():
        total = [a + m for a, m in zip(total, T.decompose(t.character()))]
    assert list(T.decompose(D.character)) == total
    rho = element_images(G, rep)
    for o in D.orbits:  # the stated isomorphism intertwines the standard model and rho
        for g in range(G.order):
            std = o.gset.image(g)
            for i, (p, s) in enumerate(o.isomorphism):
                q, u = rho[g].image(p)
                k, v = std.image(i)
                assert (q, u * s) == (o.isomorphism[k][0], v * o.isomorphism[k][1])
