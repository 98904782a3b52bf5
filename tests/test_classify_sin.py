"""symeq classify for sin (kind "shift"): the torus solver, lifts, pieces, verdicts, the CLI.

The checks are independent of the engine where it matters: the torus components are compared
with a brute-force scan of a grid of biases, the lifts with a brute-force enumeration of every
signed action with the type's permutations, and the equivariance of a random piece is decided
from the function identity sin(u.x + p) = s sin(v.x + q) itself (not from the lift equations).
"""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import product
from math import lcm

import mpmath
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, pi

from symeq.activations import activation
from symeq.classification.classify import classify
from symeq.classification.shift_degenerate import shift_verdict
from symeq.classification.shifts import count_lifts, lift_biases, shift_space, type_lifts
from symeq.classification.torus import smith_form, torus_fixed_points
from symeq.classification.types import type_kind, layer_types
from symeq.classification.spaces import boundary_action
from symeq.cli import main
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.errors import InputError
from symeq.groups import catalog_group, group_from_dict
from symeq.groups.gsets import element_images
from symeq.groups.signed import SignedPermutation
from symeq.architectures.mlp.model import MLP

ODD = {"generators": {"r": {"input": [["-1"]], "output": [["-1"]]}}, "relations": ["r^2"]}
EVEN = {"generators": {"r": {"input": [["-1"]], "output": "trivial"}}, "relations": ["r^2"]}
GROUPS = [("C2", 2), ("C4", 2), ("D2", 2), ("S3", 3), ("C3:shift", 3)]


def _solves(M, e, q) -> bool:
    """pi q solves M b = pi e (mod 2 pi): every (M q - e) / 2 is an integer."""
    return all(((sum(Fraction(x) * y for x, y in zip(row, q)) - r) / 2).denominator == 1 for row, r in zip(M, e))


def _check_against_grid(M, e, d) -> None:
    T = torus_fixed_points(M, e, d)
    comps = list(T.components())
    assert len(comps) == T.count
    for c in comps:  # every component consists of solutions
        assert _solves(M, e, c.offset_pi)
        for v in c.directions:
            assert all(sum(x * y for x, y in zip(row, v)) == 0 for row in M)
        assert c.dim == d - T.rank
    N = 2 * lcm(*T.form.factors) if T.form.factors else 2
    hit = set()
    for point in product(range(2 * N), repeat=d):  # q in (1/N) Z^d mod 2
        q = [Fraction(k, N) for k in point]
        inside = [k for k, c in enumerate(comps) if c.contains(q)]
        assert len(inside) <= 1, (M, e, q)              # disjoint
        assert bool(inside) == _solves(M, e, q), (M, e, q)   # complete and sound
        hit.update(inside)
    assert hit == set(range(len(comps)))                # every component meets the grid


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(0, 4), st.data())
def test_torus_components_match_brute_force(d, m, data):
    M = [data.draw(st.lists(st.integers(-2, 2), min_size=d, max_size=d)) for _ in range(m)]
    e = data.draw(st.lists(st.integers(0, 1), min_size=m, max_size=m))
    if m == 0:
        T = torus_fixed_points([], [], d)
        assert (T.count, T.free_dim) == (1, d)
        return
    _check_against_grid(M, e, d)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-6, 6), min_size=3, max_size=3), min_size=1, max_size=4))
def test_smith_form_is_a_factorization(rows):
    F = smith_form(rows, 3)
    A = sympy.Matrix(rows)
    S = sympy.Matrix(F.U) * A * sympy.Matrix(F.V)
    assert all(S[i, j] == (F.factors[i] if i == j and i < F.rank else 0) for i in range(S.rows) for j in range(3))
    assert sympy.Matrix(F.V) * sympy.Matrix(F.V_inv) == sympy.eye(3)
    assert F.rank == A.rank()


def test_lift_bias_systems_match_brute_force():
    """The bias systems of actual lifts (C2, C4, S3 at widths 2, 3) against the grid scan."""
    from symeq.classification.shifts import shift_equations

    seen = 0
    for name, d_in, width in (("C2", 2, 2), ("C4", 2, 2), ("S3", 3, 2), ("C4", 2, 3)):
        G = catalog_group(name, d_in, d_in)
        for t in layer_types(G, width, "sin").types:
            for L in type_lifts(G, t):
                M, e = shift_equations(t.pre, L.action)
                _check_against_grid(M, e, width)
                seen += 1
    assert seen > 30


@pytest.mark.parametrize("name,d,width", [("C2", 2, 3), ("C4", 2, 3), ("D2", 2, 3), ("S3", 3, 3), ("D4", 2, 4)])
def test_block_counts_equal_the_listed_lifts(name, d, width):
    """Lifts and pieces counted per block (C(n + m - 1, m), h_m) equal the listed lifts and the
    Smith-normal-form count of each whole lift's bias system; the largest piece likewise."""
    G = catalog_group(name, d, d)
    rho0 = boundary_action(G.inputs)
    for t in layer_types(G, width, "sin").types:
        S = shift_space(G, (t,))
        lifts = type_lifts(G, t)
        systems = [lift_biases(t.pre, L.action) for L in lifts]
        assert S.lifts == (len(lifts),)
        assert S.pieces == sum(T.count for T in systems)
        from symeq.classification.shifts import weights_only
        from symeq.classification.spaces import layer_space
        dims = [weights_only(layer_space(rho0, L.action)).dim + T.free_dim for L, T in zip(lifts, systems) if T.count]
        assert S.layer_dims[0] == max(dims)
        zero = all(weights_only(layer_space(rho0, L.action)).weight_dim == 0 for L, T in zip(lifts, systems) if T.count)
        assert (S.zero_layer == 1) == zero


def test_type_counts_and_labels_equal_tanh():
    for name, d in GROUPS + [("D4", 2)]:
        G = catalog_group(name, d, d)
        for w in (1, 2, 3, 4):
            S, T = layer_types(G, w, "sin"), layer_types(G, w, "tanh")
            assert S.kind == "shift" and T.kind == "signed"
            assert S.count == T.count
            assert [t.label for t in S.types] == [t.label for t in T.types]
            assert [t.pre for t in S.types] == [t.pre for t in T.types]
    assert type_kind("sin") == "shift"


@pytest.mark.parametrize("name,d,width", [("C2", 2, 2), ("C4", 2, 2), ("D2", 2, 2), ("S3", 3, 2), ("C4", 2, 3)])
def test_lifts_are_every_signed_action_up_to_sign_changes(name, d, width):
    """Every homomorphism G -> B_d with the type's permutations is D A D^-1 (D diagonal) for a
    listed lift A up to permuting identical blocks; their number is prod over blocks of
    |Hom(H, {+-1})| 2^(size - 1).  Brute force over every sign choice on the generators."""
    G = catalog_group(name, d, d)
    for t in layer_types(G, width, "sin").types:
        lifts = type_lifts(G, t)
        assert len(lifts) == count_lifts(t)
        blocks = t.gset.blocks()
        starts = [sum(b.size for b in blocks[:k]) for k in range(len(blocks))]
        found = set()
        n_homs = 0
        for signs in product((1, -1), repeat=width * len(G.names)):
            imgs = {n: SignedPermutation(t.pre.perms[k], signs[k * width:(k + 1) * width])
                    for k, n in enumerate(G.names)}
            try:
                rho = element_images(G, imgs)
            except InputError:
                continue
            n_homs += 1
            key = []  # chi_a at each block's base point (coset of the identity): H -> {+-1}
            for b, s0 in zip(blocks, starts):
                key.append((b.subgroup_class, b.kernel.mask,
                            tuple(rho[h].signs[s0] for h in b.stabilizer.elements)))
            found.add(tuple(key))
        listed = set()
        for L in lifts:
            rho = element_images(G, {n: SignedPermutation(L.action.perms[k], L.action.signs[k])
                                     for k, n in enumerate(G.names)})
            listed.add(tuple((b.subgroup_class, b.kernel.mask, tuple(rho[h].signs[s0] for h in b.stabilizer.elements))
                             for b, s0 in zip(blocks, starts)))
        assert listed <= found
        # up to permuting identical blocks (same (H, chi_s)), the listed lifts are all of them
        def canon(key):
            groups = {}
            for k in key:
                groups.setdefault(k[:2], []).append(k[2])
            return tuple(sorted((g, tuple(sorted(v))) for g, v in groups.items()))
        assert {canon(k) for k in listed} == {canon(k) for k in found}
        assert len({canon(k) for k in listed}) == len(lifts)
        expected = 1
        for b in blocks:
            from symeq.groups.gsets import sign_characters
            expected *= len(sign_characters(b.group, b.stabilizer)) * 2 ** (b.size - 1)
        assert n_homs == expected


def test_hand_example_odd_functions():
    """sin:1-2-1, C2 acting by -1 on input and output (f odd).  By hand (r x = -x):

    type {+,+}: W_2 rho_1 = -W_2 with rho_1 = I forces W_2 = 0;
    type {+,-}: W_2 = (0, w): neuron 1 has no outgoing weight;
    type {-,-}: a neuron lifted with a = +1 needs -w = w (zero row) and its bias 0 = pi: only the
      lift a = (-,-) is usable, W_1 free, 2 b_j = 0: b in {0, pi}^2 (4 pieces): sin(w1 x),
      -sin(w2 x): non-degenerate;
    type G/1 (the swap): W_1 = (w, -w), b_1 = b_2 (mod 2 pi): sin(w x + t), sin(-w x + t) are
      not related (b_2 + b_1 = 2 t is not in pi Z): non-degenerate."""
    G = group_from_dict(ODD, 1, 1)
    C = classify("sin", (1, 2, 1), G)
    T = C.layers[0]
    assert [t.label for t in T.types] == ["2 x G/G (size 1)",
                                          "G/G (size 1) + G/G with sign, kernel 1 (size 1)",
                                          "2 x G/G with sign, kernel 1 (size 1)", "G/1 (size 2)"]
    assert [a.degeneracy.status for a in C.assignments] == ["degenerate", "degenerate", "non-degenerate",
                                                            "non-degenerate"]
    assert C.assignments[0].degeneracy.reason == "W_2 = 0 for every parameter: the network computes a constant"
    assert C.assignments[0].zero_layer == 2
    assert C.assignments[1].degeneracy.reason == "layer 1: neuron 1 has a zero outgoing column for every parameter"
    blocks = [[(b.label, b.multiplicity, [(c.signs[0], c.components, c.weight_dim,
                                            c.bias_dim if c.components else None, c.status) for c in b.choices])
               for b in a.layer_spaces[0].blocks] for a in C.assignments]
    plus, minus = "G/G (size 1)", "G/G with sign, kernel 1 (size 1)"
    assert blocks == [
        [(plus, 2, [((1,), 1, 0, 1, "degenerate"), ((-1,), 2, 1, 0, "passes")])],
        [(plus, 1, [((1,), 1, 0, 1, "degenerate"), ((-1,), 2, 1, 0, "passes")]),
         (minus, 1, [((1,), 0, 0, None, "no bias"), ((-1,), 2, 1, 0, "passes")])],
        [(minus, 2, [((1,), 0, 0, None, "no bias"), ((-1,), 2, 1, 0, "passes")])],
        [("G/1 (size 2)", 1, [((1, 1), 1, 1, 1, "passes")])],
    ]
    assert [a.layer_spaces[0].pieces for a in C.assignments] == [7, 6, 4, 1]
    assert [a.layer_spaces[0].lifts for a in C.assignments] == [3, 4, 3, 1]
    assert [a.layer_dims for a in C.assignments] == [(2, 0), (2, 1), (2, 2), (2, 1)]
    # the four pieces of type {-,-}: the lift a = (-,-) with b in {0, pi}^2 (listed lifts, whole layer)
    t2 = T.types[2]
    full = {L.action.signs: lift_biases(t2.pre, L.action) for L in type_lifts(G, t2)}
    assert {k: v.count for k, v in full.items()} == {((1, 1),): 0, ((1, -1),): 0, ((-1, -1),): 4}
    assert sorted(c.offset for c in full[((-1, -1),)].components()) == sorted([(0, 0), (0, pi), (pi, 0), (pi, pi)])
    swap = shift_space(G, (T.types[3],)).hidden[0][0].choices[0]
    W = swap.weights.general([sympy.Symbol("w")])[0]
    assert W[0] == -W[1] != 0
    assert [c.directions for c in swap.biases.components()] == [((1, 1),)]
    assert C.smallest.status == "found" and C.smallest.width == 1
    for a in C.assignments[2:]:  # the witnesses are equivariant networks (the engine's own check)
        (W1, b1), (W2, b2) = a.degeneracy.witness
        net = MLP(activation("sin"), (W1, W2), (b1, b2))
        assert check_equivariance(net, G).verdict == "holds"


def test_hand_example_even_functions_need_the_shift():
    """Invariant output (f even): a neuron negated by the lift (a = -1) but fixed in V_1 needs
    2 b = pi, so b = pi/2 or 3 pi/2: sin(w x + pi/2) = cos(w x) is even.  tanh has no such
    shift: its type {+,+} forces W_1 = 0."""
    G = group_from_dict(EVEN, 1, 1)
    v = shift_verdict(G, (layer_types(G, 2, "sin").types[0],))
    assert v.degeneracy.status == "non-degenerate"
    b1 = v.degeneracy.witness[0][1]
    assert set(b1) <= {pi / 2, 3 * pi / 2}
    (W1, b1), (W2, b2) = v.degeneracy.witness
    x = sympy.Symbol("x", real=True)
    f = (W2 * (W1 * ImmutableMatrix([x]) + b1).applyfunc(sympy.sin) + b2)[0]
    assert sympy.simplify(f - f.subs(x, -x)) == 0
    assert classify("tanh", (1, 2, 1), G, smallest=False).assignments[0].degeneracy.reason.startswith("W_1 = 0")


# -- random pieces are layerwise equivariant; biases off every component are not ------------------

def _split(x: sympy.Expr) -> tuple[sympy.Rational, sympy.Rational]:
    """x = pi q + r with q, r rational."""
    x = sympy.expand(x)
    q, r = x.coeff(pi), x.subs(pi, 0)
    assert q.is_Rational and r.is_Rational and sympy.expand(pi * q + r - x) == 0
    return q, r


def _in_pi_z(x: sympy.Expr, parity: int | None = None) -> bool:
    q, r = _split(x)
    return r == 0 and q.is_integer and (parity is None or int(q) % 2 == parity)


def _same_function(u, beta, s, v, gamma) -> bool:
    """sin(u.y + beta) = s sin(v.y + gamma) for all y, for nonzero rows u, v (exact): u = v and
    beta - gamma in pi Z with (-1)^k = s, or u = -v and beta + gamma = k pi with (-1)^k = -s."""
    if list(u) == list(v):
        return _in_pi_z(beta - gamma, 0 if s == 1 else 1)
    if list(u) == [-x for x in v]:
        return _in_pi_z(beta + gamma, 1 if s == 1 else 0)
    return False


def _layer_equivariant(W, b, rho_in, rho_out) -> bool:
    for g in range(rho_out.n_generators):
        R_in, R_out = rho_in.matrix(g), rho_out.matrix(g)
        U = (W * R_in).applyfunc(sympy.expand)
        for m in range(W.rows):
            j = next(j for j in range(R_out.cols) if R_out[m, j] != 0)
            if not _same_function(U.row(m), b[m], R_out[m, j], W.row(j), b[j]):
                return False
    return True


def _separating_input(W, b, rho_in, rho_out) -> bool:
    """An exact input y (small integers) where sin(W rho_in y + b) != rho_out sin(W y + b),
    proved by interval arithmetic."""
    iv = mpmath.iv
    iv.dps = 40

    def ival(x):
        q, r = _split(x)
        return iv.mpf(r.p) / r.q + iv.pi * iv.mpf(q.p) / q.q

    for y in product(range(-2, 3), repeat=W.cols):
        Y = ImmutableMatrix(y)
        for g in range(rho_out.n_generators):
            lhs = W * rho_in.matrix(g) * Y + b
            rhs_args = W * Y + b
            for m in range(W.rows):
                j = next(j for j in range(W.rows) if rho_out.matrix(g)[m, j] != 0)
                s = rho_out.matrix(g)[m, j]
                diff = iv.sin(ival(lhs[m])) - int(s) * iv.sin(ival(rhs_args[j]))
                if diff.a > 0 or diff.b < 0:
                    return True
    return False


def _draw_piece(data, G, types):
    """A random parameter of a random piece: per block of every hidden layer a character with
    a bias and nonzero rows, one of its components, integer weights, rational directions."""
    S = shift_space(G, types)
    params, chosen = [], []
    for i, parts in enumerate(S.hidden, start=1):
        W = sympy.zeros(S.widths[i], S.widths[i - 1])
        b = [sympy.Integer(0)] * S.widths[i]
        picks = []
        for part in parts:
            usable = [c for c in part.choices if c.pieces and c.weights.weight_dim]
            assume(usable)
            for off in part.blocks():
                c = data.draw(st.sampled_from(usable))
                comp = data.draw(st.sampled_from(list(c.biases.components())[:16]))
                coeffs = data.draw(st.lists(st.integers(-3, 3).filter(bool), min_size=c.weights.dim,
                                            max_size=c.weights.dim))
                Wb = c.weights.general(coeffs)[0]
                t = [Fraction(data.draw(st.integers(-9, 9)), data.draw(st.integers(1, 5))) for _ in range(comp.dim)]
                for k, x in enumerate(comp.bias(t)):
                    W[off + k, :] = Wb.row(k)
                    b[off + k] = x
                picks.append((off, c))
        params.append((ImmutableMatrix(W), ImmutableMatrix(b)))
        chosen.append(picks)
    return S, params, chosen


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(GROUPS), st.integers(1, 3), st.data())
def test_random_piece_is_layerwise_equivariant(group, width, data):
    G = catalog_group(group[0], group[1], group[1])
    t = data.draw(st.sampled_from(layer_types(G, width, "sin").types))
    _, params, chosen = _draw_piece(data, G, (t,))
    (W, b), = params
    assume(all(any(x != 0 for x in W.row(j)) for j in range(W.rows)))  # rows nonzero: the lift is forced
    rho0 = boundary_action(G.inputs)
    assert _layer_equivariant(W, b, rho0, t.post)
    # a bias on no component of this lift breaks it (the lift is determined by W's rows)
    q = [Fraction(data.draw(st.integers(0, 11)), 6) for _ in range(width)]
    assume(not all(any(comp.contains(q[off:off + c.action.degree]) for comp in c.biases.components())
                   for off, c in chosen[0]))
    bad = ImmutableMatrix([sympy.Rational(x.numerator, x.denominator) * pi for x in q])
    assert not _layer_equivariant(W, bad, rho0, t.post)
    assert _separating_input(W, bad, rho0, t.post)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([("C2", 2), ("D2", 2), ("C4", 2)]), st.data())
def test_random_two_layer_piece_is_layerwise_equivariant(group, data):
    G = catalog_group(group[0], group[1], group[1])
    types = tuple(data.draw(st.sampled_from(layer_types(G, 2, "sin").types)) for _ in range(2))
    _, params, _ = _draw_piece(data, G, types)
    acts = [boundary_action(G.inputs)] + [t.post for t in types]
    for (W, b), a_in, a_out in zip(params, acts, acts[1:]):
        assume(all(any(x != 0 for x in W.row(j)) for j in range(W.rows)))
        assert _layer_equivariant(W, b, a_in, a_out)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(GROUPS), st.integers(1, 3), st.data())
def test_degeneracy_witnesses_are_exact(group, width, data):
    """A non-degenerate verdict's witness has no zero layer, no inactive neuron and no pair
    with w_k = a w_j and b_k - a b_j in pi Z; a degenerate verdict holds at random points of the
    pieces too."""
    G = catalog_group(group[0], group[1], group[1])
    t = data.draw(st.sampled_from(layer_types(G, width, "sin").types))
    v = shift_verdict(G, (t,))
    assert v.degeneracy.status in ("degenerate", "non-degenerate")
    if v.degeneracy.status == "non-degenerate":
        (W1, b1), (W2, _) = v.degeneracy.witness
        assert all(any(x != 0 for x in W1.row(j)) and any(x != 0 for x in W2.col(j)) for j in range(width))
        for j in range(width):
            for k in range(j + 1, width):
                for a in (1, -1):
                    if list(W1.row(k)) == [a * x for x in W1.row(j)]:
                        assert not _in_pi_z(b1[k] - a * b1[j])
        assert _layer_equivariant(W1, b1, boundary_action(G.inputs), t.post)
    else:  # random points of random pieces are degenerate
        S = shift_space(G, (t,))
        W2 = S.output.general(data.draw(st.lists(st.integers(-3, 3), min_size=S.output.dim,
                                                 max_size=S.output.dim)))[0]
        W1 = sympy.zeros(width, G.input_dim)
        b1 = [sympy.Integer(0)] * width
        for part in S.hidden[0]:
            for off in part.blocks():
                c = data.draw(st.sampled_from([c for c in part.choices if c.pieces]))
                comp = data.draw(st.sampled_from(list(c.biases.components())[:16]))
                Wb = c.weights.general(data.draw(st.lists(st.integers(-3, 3), min_size=c.weights.dim,
                                                          max_size=c.weights.dim)))[0]
                for k, x in enumerate(comp.bias([Fraction(data.draw(st.integers(-9, 9)), 7)
                                                 for _ in range(comp.dim)])):
                    W1[off + k, :] = Wb.row(k)
                    b1[off + k] = x
        zero = (all(x == 0 for x in W1) or all(x == 0 for x in W2)
                or any(all(x == 0 for x in W1.row(j)) or all(x == 0 for x in W2.col(j)) for j in range(width)))
        related = any(list(W1.row(k)) == [a * x for x in W1.row(j)] and _in_pi_z(b1[k] - a * b1[j])
                      for j in range(width) for k in range(j + 1, width) for a in (1, -1))
        assert zero or related, (t.label, W1, b1, W2, v.degeneracy.reason)


def test_bias_offsets_decide_related_pairs():
    """Two neurons with the same row w and biases with b_2 - b_1 = pi/2 or 3 pi/2 (a synthetic
    block: W = (w, w), 2 (b_2 - b_1) = pi) are never related (the difference is no multiple of
    pi), so the block passes and the witness is non-degenerate; with b_2 - b_1 = pi they are
    related on the whole component."""
    from symeq.classification.shift_degenerate import _examine, shift_degeneracy
    from symeq.classification.shifts import BlockChoice, BlockSpace, ShiftSpace, weights_only
    from symeq.classification.spaces import SignedPermutationAction, layer_space

    one = SignedPermutationAction(((0,),), ((1,),))
    swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    w = weights_only(layer_space(one, swap))                     # W = (w, w)
    for M, e, expected in (([[-2, 2]], [1], "passes"), ([[-1, 1]], [1], "degenerate")):
        T = torus_fixed_points(M, e, 2)
        choice = BlockChoice(0, "synthetic", swap, w, T)
        assert _examine(choice, 100).summary.status == expected
        space = ShiftSpace((1, 2, 1), ((BlockSpace("synthetic", 2, 1, 0, (choice,)),),), layer_space(swap, one))
        v = shift_degeneracy(space)
        assert v.degeneracy.status == ("non-degenerate" if expected == "passes" else "degenerate")
        if expected == "passes":
            (W1, b1), _ = v.degeneracy.witness
            assert W1[0] == W1[1] != 0 and not _in_pi_z(b1[1] - b1[0])


def _degenerate_at(params) -> bool:
    """The definition, on a concrete parameter: a zero W_i, a zero row or outgoing column, or
    w_k = a w_j with b_k - a b_j in pi Z (a = +-1) in a hidden layer."""
    if any(all(x == 0 for x in W) for W, _ in params):
        return True
    for (W, b), (W_next, _) in zip(params, params[1:]):
        for j in range(W.rows):
            if all(x == 0 for x in W.row(j)) or all(x == 0 for x in W_next.col(j)):
                return True
            for k in range(j + 1, W.rows):
                for a in (1, -1):
                    if list(W.row(k)) == [a * x for x in W.row(j)] and _in_pi_z(b[k] - a * b[j]):
                        return True
    return False


@pytest.mark.parametrize("name,d", [("C2", 2), ("C4", 2)])
def test_two_layer_verdicts_against_sampling(name, d):
    """Two hidden layers of width 2: every assignment's verdict against random parameters of
    every (listed lift, component) combination, checked with the definition.  A degenerate
    verdict must survive every sample; a non-degenerate one must be confirmed by some sample."""
    import random

    from symeq.classification.shifts import weights_only
    from symeq.classification.spaces import layer_space

    G = catalog_group(name, d, d)
    rng = random.Random(1)
    C = classify("sin", (d, 2, 2, d), G, smallest=False)
    rho0, rho_l = boundary_action(G.inputs), boundary_action(G.outputs)
    for a in C.assignments:
        types = [C.layers[i].types[k] for i, k in enumerate(a.types)]
        acts = [rho0] + [t.post for t in types]
        options = []
        for i, t in enumerate(types):
            opts = []
            for L in type_lifts(G, t):
                T = lift_biases(t.pre, L.action)
                for comp in list(T.components())[:4]:
                    opts.append((weights_only(layer_space(acts[i], L.action)), comp))
            options.append(opts)
        out = layer_space(acts[-1], rho_l)
        found = False
        for (w1, c1), (w2, c2) in product(*options):
            for _ in range(3):
                params = []
                for w, c in ((w1, c1), (w2, c2)):
                    W = w.general([rng.randint(-3, 3) for _ in range(w.dim)])[0]
                    b = ImmutableMatrix(c.bias([Fraction(rng.randint(-9, 9), 7) for _ in range(c.dim)]))
                    params.append((W, b))
                params.append(out.general([rng.randint(-3, 3) for _ in range(out.dim)]))
                if not _degenerate_at(params):
                    found = True
        assert a.degeneracy.status != "unknown"
        assert found == (a.degeneracy.status == "non-degenerate"), (a.types, a.degeneracy.reason)


def test_cli_table_and_json(tmp_path, capsys):
    path = tmp_path / "c2odd.toml"
    path.write_text('[group]\nrelations = ["r^2"]\n\n[group.generators.r]\ninput = [["-1"]]\n'
                    'output = [["-1"]]\n', encoding="utf-8")
    assert main(["classify", "--arch", "sin:1-2-1", "--group", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["kind"] == "shift" and d["layers"][0]["count"] == 4
    assert [a["pieces"] for a in d["assignments"]] == [7, 6, 4, 1]
    assert [a["degeneracy"] for a in d["assignments"]] == ["degenerate", "degenerate", "non-degenerate",
                                                           "non-degenerate"]
    layer = d["assignments"][2]["layers"][0]
    assert (layer["lifts"], layer["pieces"]) == (3, 4)
    assert layer["blocks"] == [{"label": "G/G with sign, kernel 1 (size 1)", "size": 1, "multiplicity": 2,
                                "neurons": [1, 2], "characters": [
                                    {"index": 0, "label": "G/G (size 1)", "signs": [[1]], "components": 0,
                                     "weight_dimension": 0, "bias_dimension": 1, "status": "no bias",
                                     "reason": "the bias equations have no solution"},
                                    {"index": 1, "label": "G/G with sign, kernel 1 (size 1)", "signs": [[-1]],
                                     "components": 2, "weight_dimension": 1, "bias_dimension": 0,
                                     "status": "passes", "reason": ""}]}]
    assert main(["classify", "--arch", "sin:2-2-2", "--group", "C4", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "pre-activation lifts" in out and "pieces" in out
    assert "smallest hidden width with a non-degenerate layerwise-equivariant network: 2" in out


def test_counterexample_reparam_runs_for_sin(capsys):
    code = main(["counterexample", "--claim", "layerwise-reparam", "--arch", "sin:2-4-2", "--group", "C8"])
    out = capsys.readouterr().out
    assert code == 3 and "verdict: not refuted" in out
    assert "1 of 16 assignments" in out


def test_budget_cut_block_does_not_hide_a_structural_proof():
    """A block whose bias components pass the budget is "unknown" alone, but W_2 = 0 or a zero
    outgoing column (from the types alone) still proves the assignment degenerate; a later block
    proved degenerate wins over an earlier one cut by the budget."""
    from symeq.classification.shift_degenerate import shift_degeneracy

    G = group_from_dict(ODD, 1, 1)
    T = layer_types(G, 2, "sin").types
    got = [shift_degeneracy(shift_space(G, (t,)), component_budget=0).degeneracy for t in T[:2]]
    assert [(d.status, d.reason) for d in got] == [
        ("degenerate", "W_2 = 0 for every parameter: the network computes a constant"),
        ("degenerate", "layer 1: neuron 1 has a zero outgoing column for every parameter")]
    # with nothing structural to find, the cut stays "unknown" (never a definite answer)
    v = shift_degeneracy(shift_space(G, (T[2],)), component_budget=0).degeneracy
    assert v.status == "unknown" and v.reason.endswith("(budget)")
