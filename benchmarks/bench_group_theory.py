"""Exact character tables, subgroup classes and presentations of small groups, timed.

Baseline, measured in the same run: sympy's own ``PermutationGroup.conjugacy_classes()`` on a
permutation representation of the same group (a step every character-table method needs).
Printed: our times (fresh caches), the baseline, and the ratio ours / baseline.

    /work/venv/bin/python benchmarks/bench_group_theory.py
"""

from __future__ import annotations

import time

from sympy import ImmutableMatrix as M
from sympy.combinatorics import Permutation, PermutationGroup
from sympy.combinatorics.named_groups import SymmetricGroup

from symeq.groups import catalog_group
from symeq.groups import permutation as perm_module
from symeq.groups.action import GroupAction
from symeq.groups.characters import character_of_action, character_table
from symeq.groups.gsets import transitive_signed_gsets
from symeq.groups.permutation import finite_group
from symeq.groups.presentation import presentation


def gl23() -> PermutationGroup:
    vecs = [(a, b) for a in range(3) for b in range(3) if (a, b) != (0, 0)]

    def perm(m):  # type: ignore[no-untyped-def]
        return Permutation([vecs.index(((m[0][0] * a + m[0][1] * b) % 3, (m[1][0] * a + m[1][1] * b) % 3))
                            for a, b in vecs])

    return PermutationGroup([perm([[1, 1], [0, 1]]), perm([[0, 1], [2, 0]]), perm([[2, 0], [0, 1]])])


def cube() -> GroupAction:
    a = M([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    b = M([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    c = M([[-1, 0, 0], [0, 1, 0], [0, 0, 1]])
    return GroupAction(("a", "b", "c"), (a, b, c), (a, b, c))


CASES = {
    "D4 (8)": lambda: catalog_group("D4", 2, 2),
    "S4 (24)": lambda: catalog_group("S4", 4, 4),
    "GL(2,3) (48)": gl23,
    "cube O_h (48)": cube,
    "S5 (120)": lambda: SymmetricGroup(5),
    "D4 on 8x8 images (8)": lambda: catalog_group("D4:8x8", 64, 64),
}


def fresh() -> None:
    perm_module._from_action.cache_clear()
    perm_module._from_perm_group.cache_clear()


def timed(f):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main() -> None:
    print(f"{'group':24} {'table':>8} {'chars':>8} {'subgrps':>8} {'present':>8} {'sympy cc':>9} {'ratio':>7}")
    for name, factory in CASES.items():
        src = factory()
        fresh()
        G, t_table = timed(lambda: finite_group(src))
        T, t_chars = timed(lambda: character_table(G))
        _, t_sub = timed(lambda: transitive_signed_gsets(G))
        _, t_pres = timed(lambda: presentation(G))
        P = G.permutation_group() if isinstance(src, GroupAction) else src
        P = PermutationGroup(list(P.generators))  # a fresh object: no cached classes
        _, t_base = timed(lambda: P.conjugacy_classes())
        ratio = (t_table + t_chars) / t_base
        print(f"{name:24} {t_table:8.3f} {t_chars:8.3f} {t_sub:8.3f} {t_pres:8.3f} {t_base:9.3f} {ratio:7.2f}")
        if isinstance(src, GroupAction) and src.input_dim > 4:
            _, t_rho = timed(lambda: T.decompose(character_of_action(src)))
            print(f"{'':24} character of rho_0 and its decomposition: {t_rho:.3f} s")


if __name__ == "__main__":
    main()
