"""Orbit bases of equivariant layer spaces against the generic exact nullspace."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.classification.spaces import (
    MatrixAction,
    SignedPermutationAction,
    common_domain,
    constraint_matrix,
    layer_space,
    network_space,
    nullspace_layer_space,
    pair_orbits,
    satisfies_constraints,
)
from symeq.errors import InputError
from symeq.groups import catalog_group


@st.composite
def signed_perms(draw, n_gens: int, degree: int | None = None) -> SignedPermutationAction:
    d = degree if degree is not None else draw(st.integers(1, 5))
    perms, signs = [], []
    for _ in range(n_gens):
        perms.append(tuple(draw(st.permutations(list(range(d))))))
        signs.append(tuple(draw(st.lists(st.sampled_from([1, -1]), min_size=d, max_size=d))))
    return SignedPermutationAction(tuple(perms), tuple(signs))


@st.composite
def invertible_matrices(draw, n_gens: int, degree: int) -> MatrixAction:
    """Products P L U of a permutation, a unit lower and a signed upper triangular matrix:
    always invertible, small integer entries."""
    mats = []
    for _ in range(n_gens):
        p = draw(st.permutations(list(range(degree))))
        low, up = sympy.eye(degree), sympy.zeros(degree, degree)
        for i in range(degree):
            up[i, i] = draw(st.sampled_from([1, -1]))
            for j in range(degree):
                if j < i:
                    low[i, j] = draw(st.integers(-1, 1))
                elif j > i:
                    up[i, j] = draw(st.integers(-1, 1))
        perm = sympy.zeros(degree, degree)
        for j, i in enumerate(p):
            perm[i, j] = 1
        mats.append(ImmutableMatrix(perm * low * up))
    return MatrixAction(tuple(mats))


def _vectors(space, K):
    d_out, d_in = space.shape
    out = []
    for v in space.basis:
        row = [K.zero] * (d_out * d_in + d_out)
        for i, j, x in v.weight:
            row[i * d_in + j] = K.from_sympy(x)
        for i, x in v.bias:
            row[d_out * d_in + i] = K.from_sympy(x)
        out.append(row)
    return out


def assert_same_space(a_in, a_out) -> None:
    orbit = layer_space(a_in, a_out)
    generic = nullspace_layer_space(a_in, a_out)
    assert orbit.dim == generic.dim
    assert satisfies_constraints(orbit, a_in, a_out)
    K = constraint_matrix(a_in, a_out).domain
    rows = _vectors(orbit, K) + _vectors(generic, K)
    if rows:
        n = len(rows[0])
        assert DomainMatrix(rows, (len(rows), n), K).rank() == orbit.dim
        assert DomainMatrix(_vectors(orbit, K), (orbit.dim, n), K).rank() == orbit.dim if orbit.dim else True


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 2).flatmap(lambda k: st.tuples(signed_perms(k), signed_perms(k))))
def test_signed_permutation_orbits_match_nullspace(actions):
    a_in, a_out = actions
    assert layer_space(a_in, a_out).method == "orbits"
    assert_same_space(a_in, a_out)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 2).flatmap(
    lambda k: st.tuples(signed_perms(k), st.integers(1, 3).flatmap(lambda n: invertible_matrices(k, n)),
                        st.booleans())))
def test_matrix_boundary_orbits_match_nullspace(data):
    perm, mats, rows = data
    a_in, a_out = (mats, perm) if rows else (perm, mats)
    assert layer_space(a_in, a_out).method == "orbits+eigen"
    assert_same_space(a_in, a_out)


@pytest.mark.parametrize("degree", [1, 2, 4, 8])
def test_c8_rotation_boundary_over_sqrt2(degree):
    # every cyclic C8-set of this degree: orbits of size dividing 8
    G = catalog_group("C8", 2, 2)
    rot = MatrixAction((G.inputs[0],))
    perm = tuple((j + 1) % degree for j in range(degree))
    hidden = SignedPermutationAction((perm,), ((1,) * degree,))
    assert str(common_domain([G.inputs[0]])) == "QQ<sqrt(2)>"
    assert_same_space(rot, hidden)
    assert_same_space(hidden, rot)
    first = layer_space(rot, hidden)
    # the rotation by 180 degrees is -I: orbits of size < 8 force W_1 = 0 (docs/theory.md section 6)
    assert (first.weight_dim == 0) == (degree < 8)
    if degree == 8:
        assert first.weight_dim == 2


def test_forced_zero_orbit_and_free_orbit():
    # G = C2 swapping two neurons, input flipped: W[1, 0] = -W[0, 0] ... one free parameter
    swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    flip = SignedPermutationAction(((0,),), ((-1,),))
    label, sign, n = pair_orbits(swap, flip)
    assert (label, sign, n) == ([0, 0], [1, -1], 1)
    # a sign that meets itself: W = -W
    neg = SignedPermutationAction(((0,),), ((-1,),))
    one = SignedPermutationAction(((0,),), ((1,),))
    assert pair_orbits(neg, one) == ([-1], [0], 0)
    assert layer_space(one, neg).dim == 0


def test_sigmoid_centring_gives_affine_equivariance():
    # two sigmoid neurons swapped-and-negated: check W_2 k(v) + b_2 = rho_L (W_2 v + b_2) exactly
    act = SignedPermutationAction(((1, 0),), ((-1, -1),))   # squares to -I on 2 points
    flip = SignedPermutationAction(((0,),), ((-1,),))
    sp = network_space("sigmoid", flip, flip, [(act, act)])
    W2, b2 = sp.general()[1]
    v = sympy.Matrix(sympy.symbols("v0:2"))
    M = act.matrix(0)
    # k(v) = P(D v + f) with f_j = 1 where D_jj = -1: here both neurons are negated
    kv = M * v + sympy.Matrix([1, 1])
    lhs = W2 * kv + b2
    rhs = -(W2 * v + b2)
    assert sympy.expand(lhs - rhs) == sympy.zeros(1, 1)
    assert sp.layers[1].dim == 1


def test_mismatched_generators_rejected():
    with pytest.raises(InputError):
        layer_space(SignedPermutationAction(((0,),), ((1,),)),
                    SignedPermutationAction(((0,), (0,)), ((1,), (1,))))
    with pytest.raises(InputError):
        SignedPermutationAction(((0, 0),), ((1, 1),))
    with pytest.raises(InputError):
        SignedPermutationAction(((0,),), ((2,),))


def test_random_large_layer_dimension_formula():
    # D4 on 3x3 images into 2 regular orbits: dim Hom = 2 * 9 (regular orbit: one free row each)
    G = catalog_group("D4:3x3", 9, 9)
    from symeq.classification.spaces import SignedPermutationAction as SPA

    def perm_of(m):
        return tuple(next(i for i in range(m.rows) if m[i, j] != 0) for j in range(m.cols))

    pix = SPA(tuple(perm_of(m) for m in G.inputs), tuple((1,) * 9 for _ in G.inputs))
    # regular action of D4 on 8 points: r -> rotation of indices, s -> reflection
    r = tuple((j + 1) % 4 for j in range(4)) + tuple(4 + (j - 1) % 4 for j in range(4))
    s = tuple(4 + j for j in range(4)) + tuple(j for j in range(4))
    reg = SPA((r, s), ((1,) * 8, (1,) * 8))
    reg2 = SPA(tuple(p + tuple(8 + x for x in p) for p in (r, s)), ((1,) * 16, (1,) * 16))
    assert layer_space(pix, reg).dim == 9 + 1
    assert layer_space(pix, reg2).dim == 18 + 2
    assert_same_space(pix, reg)
