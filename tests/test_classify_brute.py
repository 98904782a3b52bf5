"""Independent counts of latent action types, by brute force (used by tests/test_classify_*).

A homomorphism G -> B_d (signed permutations) or G -> S_d is found by trying every tuple of
images of the generators (filtered by element orders) and walking the Cayley graph of G: the
tuple extends to a homomorphism exactly when every edge g -> g s_k is consistent with
phi(g s_k) = phi(g) x_k.  Types are the orbits of B_d (or S_d) acting on these homomorphisms by
conjugation, found as connected components under conjugation by generators of B_d.  Nothing
here uses subgroups, cosets or G-sets, so it is independent of the engine's enumeration.

Signed permutations are tuples img with img[j] = +-(p(j) + 1): e_j -> sign e_{p(j)}.
"""

from __future__ import annotations

from itertools import permutations, product


def compose(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
    """x o y (apply y first)."""
    return tuple((1 if v > 0 else -1) * x[abs(v) - 1] for v in y)


def inverse(x: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(x)
    for j, v in enumerate(x):
        out[abs(v) - 1] = (1 if v > 0 else -1) * (j + 1)
    return tuple(out)


def elements(d: int, signed: bool) -> list[tuple[int, ...]]:
    out = []
    for p in permutations(range(1, d + 1)):
        for s in (product((1, -1), repeat=d) if signed else [(1,) * d]):
            out.append(tuple(a * b for a, b in zip(p, s)))
    return out


def order(x: tuple[int, ...]) -> int:
    e = tuple(range(1, len(x) + 1))
    k, y = 1, x
    while y != e:
        y, k = compose(x, y), k + 1
    return k


def homomorphisms(F, d: int, signed: bool) -> list[tuple[tuple[int, ...], ...]]:
    """Every homomorphism from the FiniteGroup F to B_d (or S_d), as images of F.generators."""
    elems = elements(d, signed)
    e = tuple(range(1, d + 1))
    orders = {x: order(x) for x in elems}
    gen_orders = [F.element_order(g) for g in F.generators]
    choices = [[x for x in elems if gen_orders[k] % orders[x] == 0] for k in range(len(F.generators))]
    out = []
    for images in product(*choices):
        phi = {0: e}
        stack = [0]
        ok = True
        while stack and ok:
            g = stack.pop()
            for k, s in enumerate(F.generators):
                h = F.mul(g, s)
                y = compose(phi[g], images[k])
                if h not in phi:
                    phi[h] = y
                    stack.append(h)
                elif phi[h] != y:
                    ok = False
                    break
        if ok:
            out.append(tuple(images))
    return out


def _conjugators(d: int, signed: bool) -> list[tuple[int, ...]]:
    """Generators of S_d (a transposition and a d-cycle) and, if signed, one sign change: enough
    to close homomorphisms under conjugation."""
    gens = []
    if d >= 2:
        gens.append((2, 1) + tuple(range(3, d + 1)))
        gens.append(tuple(range(2, d + 1)) + (1,))
    if signed:
        gens.append((-1,) + tuple(range(2, d + 1)))
    return gens


def count_types(F, d: int, signed: bool) -> int:
    """The number of conjugacy classes of homomorphisms G -> B_d (signed) or G -> S_d."""
    homs = homomorphisms(F, d, signed)
    index = {h: k for k, h in enumerate(homs)}
    gens = _conjugators(d, signed)
    parent = list(range(len(homs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for k, h in enumerate(homs):
        for c in gens:
            ci = inverse(c)
            conj = tuple(compose(compose(c, x), ci) for x in h)
            a, b = find(k), find(index[conj])
            if a != b:
                parent[a] = b
    return len({find(k) for k in range(len(homs))})


def hom_classes(F, d: int, signed: bool) -> dict[tuple[tuple[int, ...], ...], int]:
    """Every homomorphism (as generator images) mapped to the number of its conjugacy class."""
    homs = homomorphisms(F, d, signed)
    gens = _conjugators(d, signed)
    cls: dict = {}
    n = 0
    for h in homs:
        if h in cls:
            continue
        cls[h] = n
        stack = [h]
        while stack:
            x = stack.pop()
            for c in gens:
                ci = inverse(c)
                y = tuple(compose(compose(c, v), ci) for v in x)
                if y not in cls:
                    cls[y] = n
                    stack.append(y)
        n += 1
    return cls


def test_brute_force_counts_known_values():
    # C2: G-sets of size d are partitions of d into parts 1 and 2; signed: t_1 = 2, t_2 = 1
    from symeq.groups import catalog_group
    from symeq.groups.permutation import finite_group

    F = finite_group(catalog_group("C2", 2, 2))
    assert [count_types(F, d, False) for d in (1, 2, 3, 4)] == [1, 2, 2, 3]
    assert [count_types(F, d, True) for d in (1, 2, 3, 4)] == [2, 4, 6, 9]
    assert len(set(hom_classes(F, 3, True).values())) == 6
