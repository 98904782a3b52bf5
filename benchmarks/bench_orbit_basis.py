"""Orbit basis versus sympy's exact nullspace for one equivariant layer (run on demand).

The layer: D_4 acting on 8 x 8 images (64 pixels, rotation r and mirror s) into a hidden
layer of 256 tanh neurons carrying a signed D_4-set: 24 regular orbits, 8 orbits D4/<s> on
which s acts by -1 (self-negated filters), and 16 orbits D4/<r> on which r acts by -1.  The
unknowns are W (256 x 64) and b (256): 16,640 of them.

Both routes run in this process on the same actions:

* orbit basis: :func:`symeq.classification.spaces.layer_space` (index-pair colouring; the weight
  basis stays in compact orbit form) and, separately, the colouring alone;
* baseline: the constraint matrix W A_in(g) - A_out(g) W, A_out(g) b - b as a sparse
  DomainMatrix over QQ (sympy's fastest exact route for sparse +-1 systems, DESIGN.md section
  5) and its exact ``nullspace()``; timed with and without building the matrix.

Each timing is the best of several runs.  The script checks that both bases have the same
dimension and that the span agrees on a sample, then prints the ratios.  Target: >= 100x.

    /work/venv/bin/python benchmarks/bench_orbit_basis.py
"""

from __future__ import annotations

import time

from symeq.classification.spaces import (
    SignedPermutationAction,
    constraint_matrix,
    layer_space,
    pair_orbit_arrays,
)
from symeq.groups import catalog_group
from symeq.groups.permutation import finite_group


def best(f, repeat: int) -> tuple[float, object]:
    out, t_best = None, float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def signed_coset_action(F, subgroup: list[int], chi: dict[int, int]) -> list[tuple[list[int], list[int]]]:
    """The signed permutation action of each generator on the cosets x H (with character chi):
    g x_i = x_j h  gives  g . e_i = chi(h) e_j."""
    reps, seen = [], set()
    for x in range(F.order):
        if x not in seen:
            reps.append(x)
            seen.update(F.mul(x, h) for h in subgroup)
    coset_of = {F.mul(x, h): (i, h) for i, x in enumerate(reps) for h in subgroup}
    out = []
    for g in F.generators:
        perm, signs = [], []
        for x in reps:
            j, h = coset_of[F.mul(g, x)]
            perm.append(j)
            signs.append(chi[h])
        out.append((perm, signs))
    return out


def main() -> None:
    G = catalog_group("D4:8x8", 64, 64)
    F = finite_group(G)
    r, s = F.generators
    pix = []
    for m in G.inputs:
        pix.append(tuple(next(i for i in range(64) if m[i, j] != 0) for j in range(64)))
    a_in = SignedPermutationAction(tuple(pix), ((1,) * 64, (1,) * 64))

    sub_s = [0, s]
    sub_r = [F.power(r, k) for k in range(4)]
    pieces = ([signed_coset_action(F, [0], {0: 1})] * 24
              + [signed_coset_action(F, sub_s, {0: 1, s: -1})] * 8
              + [signed_coset_action(F, sub_r, {h: (-1) ** k for k, h in enumerate(sub_r)})] * 16)
    perms, signs = [[], []], [[], []]
    offset = 0
    for piece in pieces:
        for k, (p, sg) in enumerate(piece):
            perms[k].extend(offset + x for x in p)
            signs[k].extend(sg)
        offset += len(piece[0][0])
    a_out = SignedPermutationAction(tuple(map(tuple, perms)), tuple(map(tuple, signs)))
    assert a_out.degree == 256

    t_colour, (label, sign, n) = best(lambda: pair_orbit_arrays(a_out, a_in), 20)
    t_orbit, space = best(lambda: layer_space(a_in, a_out), 10)
    t_build, C = best(lambda: constraint_matrix(a_in, a_out), 3)
    t_null, ns = best(lambda: C.nullspace(), 3)

    assert ns.shape[0] == space.dim, (ns.shape, space.dim)
    # span check on a sample: each orbit basis vector satisfies C v = 0 exactly
    K = C.domain
    from sympy.polys.matrices import DomainMatrix

    sample = space.basis[:: max(1, space.dim // 50)]
    cols = {}
    for k, v in enumerate(sample):
        for i, j, x in v.weight:
            cols.setdefault(i * 64 + j, {})[k] = K.from_sympy(x)
        for i, x in v.bias:
            cols.setdefault(256 * 64 + i, {})[k] = K.from_sympy(x)
    V = DomainMatrix(cols, (C.shape[1], len(sample)), K)
    assert (C * V).is_zero_matrix

    print("D4 on 8x8 images, layer 64 -> 256 (signed D4-set: 24 regular, 8 x D4/<s>-, 16 x D4/<r>-)")
    print(f"unknowns {C.shape[1]}, constraints {C.shape[0]}, dimension {space.dim} "
          f"(weights {space.weight_dim})")
    print(f"orbit colouring alone          {t_colour * 1e3:9.2f} ms")
    print(f"orbit basis (layer_space)      {t_orbit * 1e3:9.2f} ms")
    print(f"sympy: build constraint matrix {t_build * 1e3:9.2f} ms")
    print(f"sympy: exact sparse nullspace  {t_null * 1e3:9.2f} ms")
    print(f"ratio nullspace / orbit basis            {t_null / t_orbit:8.1f}x")
    print(f"ratio (build + nullspace) / orbit basis  {(t_build + t_null) / t_orbit:8.1f}x")
    print(f"ratio nullspace / colouring alone        {t_null / t_colour:8.1f}x")


if __name__ == "__main__":
    main()
