"""symeq classify for the identity activation: real irreducibles, type counts against an
independent count, Schur dimensions against exact nullspaces, the degeneracy criterion against
exact ranks of explicit equivariant parameters, the smallest width against a scan, the CLI."""

from __future__ import annotations

import json
import random
from itertools import product

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from symeq.classification.classify import assignment_space, classify, smallest_nondegenerate_width
from symeq.classification.real import (
    boundary_multiplicities,
    count_real_types,
    hom_dimension,
    real_assignment,
    real_degeneracy,
    real_layer_types,
    real_smallest_width,
)
from symeq.classification.spaces import MatrixAction, layer_space, network_space, nullspace_layer_space
from symeq.classification.types import gset_action, type_kind, layer_types
from symeq.classification.spaces import boundary_action
from symeq.cli import main
from symeq.counterexamples.reparam import refute_layerwise_reparam
from symeq.errors import InputError
from symeq.groups import catalog_group, group_from_dict
from symeq.groups.characters import character_of_action, character_of_representation, character_table
from symeq.groups.classes import class_of
from symeq.groups.gsets import gsets_of_size, signed_gsets_of_size
from symeq.groups.permutation import finite_group
from symeq.groups.real_irreps import frobenius_schur, real_irreducibles, real_multiplicities

GROUPS = {f"C{n}": (f"C{n}:shift", n) for n in range(2, 7)}
GROUPS.update({"Klein": ("D2", 2), "S3": ("S3", 3), "D4": ("D4", 2)})

# Hand-derived real irreducible dimensions.  C_n: the trivial representation, the sign
# (n even), and the rotation planes by 2 pi k / n for 0 < k < n / 2.  The Klein group is
# abelian of exponent 2: four characters +-1.  S3 = D3: trivial, sign, the triangle's plane.
# D4: four characters +-1 (r, s -> +-1) and the square's plane.
HAND_DIMS = {f"C{n}": (1,) * (2 - n % 2) + (2,) * ((n - 1) // 2) for n in range(2, 7)}
HAND_DIMS.update({"Klein": (1, 1, 1, 1), "S3": (1, 1, 2), "D4": (1, 1, 1, 1, 2)})

# Q8 acting on H = R^4 by left multiplication by i and j (basis 1, i, j, k).
Q8 = {"generators": {
    "i": {"input": [["0", "-1", "0", "0"], ["1", "0", "0", "0"], ["0", "0", "0", "-1"], ["0", "0", "1", "0"]]},
    "j": {"input": [["0", "0", "-1", "0"], ["0", "0", "0", "1"], ["1", "0", "0", "0"], ["0", "-1", "0", "0"]]}}}


def _group(name: str):
    if name == "Q8":
        return group_from_dict(Q8, 4, 4)
    spec, d = GROUPS[name]
    return catalog_group(spec, d, d)


def _series_count(dims: tuple[int, ...], d: int) -> int:
    """The coefficient of x^d in prod (1 - x^k)^-1, by sympy's series (not the engine's loop)."""
    x = sympy.Symbol("x")
    f = sympy.Integer(1)
    for k in dims:
        f *= 1 / (1 - x ** k)
    return int(sympy.series(f, x, 0, d + 1).removeO().coeff(x, d))


def _real_classes(G) -> int:
    """Orbits of g -> g^-1 on the conjugacy classes (no characters involved)."""
    F = finite_group(G)
    cl = class_of(F)
    pairs = {frozenset((cl[a], cl[F.inverses[a]])) for a in range(F.order)}
    return len(pairs)


# -- real irreducibles and type counts ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GROUPS))
def test_type_counts_against_an_independent_count(name):
    G = _group(name)
    R = real_irreducibles(G)
    assert len(R) == _real_classes(G)                       # Brauer: real irreps = real classes
    assert sorted(U.dim for U in R) == sorted(HAND_DIMS[name])
    assert all(U.character[0].rational() == U.dim for U in R)
    # Wedderburn over R: R[G] = prod Mat(dim U / dim D_U, D_U), so |G| = sum dim U^2 / dim D_U
    assert sum(sympy.Rational(U.dim ** 2, U.endomorphism_dim) for U in R) == finite_group(G).order
    for d in (1, 2, 3, 4):
        T = layer_types(G, d, "identity")
        assert T.kind == "real" and T.complete
        assert T.count == len(T.types) == _series_count(HAND_DIMS[name], d), (name, d)
        assert len({t.multiplicities for t in T.types}) == T.count
        assert all(sum(m * U.dim for m, U in zip(t.multiplicities, R)) == d for t in T.types)


def test_hand_derived_values():
    assert layer_types(catalog_group("C4", 2, 2), 2, "identity").count == 4      # 2U1, U1+U2, 2U2, U3
    assert [t.label for t in layer_types(catalog_group("C3", 2, 2), 2, "identity").types] == ["2 x U1", "U2"]
    assert [(U.dim, U.division_algebra) for U in real_irreducibles(catalog_group("C4", 2, 2))] == [
        (1, "R"), (1, "R"), (2, "C")]
    assert [U.division_algebra for U in real_irreducibles(catalog_group("D4", 2, 2))] == ["R"] * 5
    assert count_real_types((1, 1, 2), 4) == 9 and count_real_types((), 3) == 0


def test_quaternion_group_has_a_quaternionic_irreducible():
    G = _group("Q8")
    R = real_irreducibles(G)
    assert [(U.dim, U.division_algebra) for U in R] == [(1, "R")] * 4 + [(4, "H")]
    assert real_multiplicities(G, character_of_action(G)) == (0, 0, 0, 0, 1)   # R^4 = H
    assert layer_types(G, 4, "identity").count == 36                          # C(7, 3) + 1
    T = character_table(G)
    with pytest.raises(InputError, match="odd multiplicity"):
        real_multiplicities(G, T.characters[4])                                # chi once: not real


@pytest.mark.parametrize("name", sorted(GROUPS) + ["Q8", "C8plane", "D6plane"])
def test_frobenius_schur_counts_square_roots_of_one(name):
    # sum_chi nu(chi) chi(1) = #{g : g^2 = 1}, a check of the indicators against the group
    G = {"C8plane": lambda: catalog_group("C8", 2, 2), "D6plane": lambda: catalog_group("D6", 2, 2)}.get(
        name, lambda: _group(name))()
    F = finite_group(G)
    T = character_table(F)
    total = sum(frobenius_schur(F, chi) * int(chi[0].rational()) for chi in T.characters)
    assert total == sum(1 for a in range(F.order) if F.mul(a, a) == 0)


def test_complex_character_is_not_real():
    G = catalog_group("C4", 2, 2)
    with pytest.raises(InputError, match="different multiplicities"):
        real_multiplicities(G, character_table(G).characters[2])


# -- Schur dimensions against exact nullspaces ------------------------------------------------

@pytest.mark.parametrize("spec", [("C4", 2), ("D4", 2), ("C8", 2), ("C3", 2), ("S3", 3), ("Q8", 4)])
def test_hom_dimension_matches_nullspace_on_the_boundary(spec):
    G = _group("Q8") if spec[0] == "Q8" else catalog_group(spec[0], spec[1], spec[1])
    R = real_irreducibles(G)
    m0, _ = boundary_multiplicities(G)
    A = MatrixAction(tuple(G.inputs))
    space = nullspace_layer_space(A, A)
    assert hom_dimension(R, m0, m0) == space.weight_dim
    assert m0[0] == space.dim - space.weight_dim                       # bias: fixed vectors
    chi = character_of_action(G)
    assert hom_dimension(R, m0, m0) == character_table(G).inner_product(chi, chi)


def _explicit(G, size: int, k: int):
    """The k-th signed G-set of ``size`` points: an explicit (signed permutation) real
    representation, with its multiplicities read from the traces of its matrices."""
    sets = signed_gsets_of_size(G, size)
    act = gset_action(G, sets[k % len(sets)])
    chi = character_of_representation(G, {n: act.matrix(j) for j, n in enumerate(G.names)})
    return act, real_multiplicities(G, chi), chi


EXPLICIT = [("C4", 2), ("D4", 2), ("S3", 3), ("C3:shift", 3), ("D2", 2), ("C6:shift", 6)]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(EXPLICIT), st.integers(1, 4), st.integers(1, 4), st.integers(0, 200), st.integers(0, 200))
def test_schur_dimension_equals_orbit_space_and_inner_product(spec, a, b, k, l):
    G = catalog_group(spec[0], spec[1], spec[1])
    R = real_irreducibles(G)
    V, mv, chi_v = _explicit(G, a, k)
    W, mw, chi_w = _explicit(G, b, l)
    space = layer_space(V, W)
    assert hom_dimension(R, mv, mw) == space.weight_dim
    assert hom_dimension(R, mv, mw) == character_table(G).inner_product(chi_v, chi_w)
    assert mw[0] == space.dim - space.weight_dim


def _rank(M) -> int:
    return DomainMatrix.from_Matrix(sympy.Matrix(M)).convert_to(QQ).rank()


def _full_rank_draw(space, widths, rng) -> bool:
    """A random integer point of the explicit space; True when every W_i is onto V_i and
    every W_{i+1} injective on V_i (hidden i)."""
    net = []
    for s in space.layers:
        W = sympy.zeros(*s.shape)
        for v in s.basis:
            t = rng.choice([x for x in range(-9, 10) if x])
            for i, j, x in v.weight:
                W[i, j] += t * x
        net.append(W)
    return all(_rank(net[i - 1]) == widths[i] and _rank(net[i]) == widths[i] for i in range(1, len(widths) - 1))


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([("C4", 2), ("D4", 2), ("S3", 3), ("C3:shift", 3), ("D2", 2)]),
       st.lists(st.tuples(st.integers(1, 3), st.integers(0, 200)), min_size=1, max_size=2))
def test_degeneracy_criterion_against_exact_ranks(spec, hidden):
    """The criterion on multiplicities agrees with exact ranks of explicit parameters: a
    non-degenerate verdict has a full-rank draw, a degenerate one has none."""
    G = catalog_group(spec[0], spec[1], spec[1])
    R = real_irreducibles(G)
    layers = [_explicit(G, size, k) for size, k in hidden]
    m0, m_l = boundary_multiplicities(G)
    verdict = real_degeneracy(R, (m0,) + tuple(m for _, m, _ in layers) + (m_l,))
    rho = boundary_action(G.inputs)
    space = network_space("identity", rho, rho, [(a, a) for a, _, _ in layers])
    widths = (spec[1],) + tuple(size for size, _ in hidden) + (spec[1],)
    rng = random.Random(0)
    draws = [_full_rank_draw(space, widths, rng) for _ in range(8)]
    if verdict.status == "non-degenerate":
        assert any(draws), (spec, hidden)
    else:
        assert verdict.status == "degenerate" and not any(draws), (spec, hidden, verdict.reason)


@pytest.mark.parametrize("spec,sizes,signed,expected", [
    (("S3", 3), (1, 2, 3), False, {"onto for no", "injective for no", "full rank"}),
    (("C4", 2), (1, 2), True, {"= 0", "full rank"})])
def test_degeneracy_criterion_exhaustive_on_gsets(spec, sizes, signed, expected):
    """Every pair of (signed) permutation representations of these sizes on two hidden layers:
    this covers the case where only injectivity of W_2 fails (V_2 a proper part of V_1)."""
    G = catalog_group(spec[0], spec[1], spec[1])
    R = real_irreducibles(G)
    m0, m_l = boundary_multiplicities(G)
    rho = boundary_action(G.inputs)
    reps = []
    for size in sizes:
        for gs in (signed_gsets_of_size if signed else gsets_of_size)(G, size):
            act = gset_action(G, gs)
            chi = character_of_representation(G, {n: act.matrix(j) for j, n in enumerate(G.names)})
            reps.append((size, act, real_multiplicities(G, chi)))
    seen = set()
    for (a, A, ma), (b, B, mb) in product(reps, repeat=2):
        verdict = real_degeneracy(R, (m0, ma, mb, m_l))
        space = network_space("identity", rho, rho, [(A, A), (B, B)])
        rng = random.Random(1)
        draws = [_full_rank_draw(space, (spec[1], a, b, spec[1]), rng) for _ in range(6)]
        assert any(draws) == (verdict.status == "non-degenerate"), (ma, mb, verdict.reason)
        seen.update(w for w in ("= 0", "onto for no", "injective for no", "full rank") if w in verdict.reason)
    assert seen == expected


# -- assignments, degeneracy and the smallest width ----------------------------------------------

def test_c8_plane_through_width_two():
    C = classify("identity", (2, 2, 2), catalog_group("C8", 2, 2))
    assert C.kind == "real" and C.complete and C.total_assignments == 6
    good = [a for a in C.assignments if a.degeneracy.status == "non-degenerate"]
    assert len(good) == 1
    assert C.layers[0].types[good[0].types[0]].label == "U3"             # the rotation plane itself
    assert [str(b) for s in good[0].layer_spaces for b in s.blocks] == ["Mat(1x1, C) on U3"] * 2
    assert good[0].layer_dims == (2, 2)
    assert C.smallest.status == "found" and C.smallest.width == 2 and C.smallest.labels == ("U3",)


def test_width_one_under_c4_forces_zero_layer():
    C = classify("identity", (2, 1, 2), catalog_group("C4", 2, 2))
    assert C.total_assignments == 2
    assert {a.zero_layer for a in C.assignments} == {1}
    assert all(a.degeneracy.status == "degenerate" and a.degeneracy.reason.startswith("W_1 = 0")
               for a in C.assignments)


def test_multiplicity_too_large_names_layer_and_irreducible():
    G = catalog_group("S3", 3, 3)                                          # R^3 = U1 + U3
    C = classify("identity", (3, 3, 3), G)
    reasons = {C.layers[0].types[a.types[0]].label: a.degeneracy for a in C.assignments}
    assert reasons["U1 + U3"].status == "non-degenerate"
    assert reasons["3 x U1"].reason.startswith("layer 1: U1 has multiplicity 3 in V_1 but 1 in V_0")
    # two hidden layers: V_2 lacks the U3 of V_1, so W_2 is never injective
    by_label = {t.label: t for t in real_layer_types(G, 3).types}
    a = real_assignment(G, (by_label["U1 + U3"], by_label["U1 + 2 x U2"]))
    assert a.zero_layer is None
    assert a.degeneracy.reason.startswith("layer 1: U3 has multiplicity 1 in V_1 but 0 in V_2, so W_2 is "
                                          "injective for no parameter")
    a = real_assignment(G, (by_label["U1 + U3"], by_label["U1 + U3"]))
    assert a.degeneracy.status == "non-degenerate" and a.layer_dims == (3, 3, 3)


@pytest.mark.parametrize("spec,hidden", [(("C8", 2, "same"), 1), (("S3", 3, "same"), 2), (("D4", 2, "same"), 2),
                                         (("C4", 2, "trivial"), 1), (("C6:shift", 6, "same"), 1)])
def test_smallest_width_agrees_with_a_scan(spec, hidden):
    name, d, out = spec
    G = catalog_group(name, d, d if out == "same" else 1, output=out)
    got = real_smallest_width(G, hidden, 4)
    assert smallest_nondegenerate_width("identity", d, G.output_dim, hidden, G, 4) == got
    scan = None
    for w in range(1, 5):                       # brute force: every assignment of width w
        T = real_layer_types(G, w)
        for chosen in product(T.types, repeat=hidden):
            if real_assignment(G, chosen).degeneracy.status == "non-degenerate":
                scan = w
                break
        if scan is not None:
            break
    assert (got.width if got.status == "found" else None) == scan
    assert got.status == ("found" if scan else "none")


def test_budget_keeps_counts_exact():
    G = catalog_group("C3", 2, 2)
    C = classify("identity", (2, 40, 2), G, type_budget=5)
    assert not C.complete and C.layers[0].count == count_real_types((1, 2), 40) == 21
    assert C.assignments == () and C.smallest.width == 2


def test_kind_and_refusals():
    assert type_kind("identity") == "real"
    G = catalog_group("C4", 2, 2)
    with pytest.raises(InputError, match="Schur blocks"):
        assignment_space("identity", G, (real_layer_types(G, 2).types[0],))


# -- command line ------------------------------------------------------------------------------

def test_cli_json_and_table(capsys):
    assert main(["classify", "--arch", "identity:2-2-2", "--group", "C8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "real"
    assert data["layers"][0]["count"] == 6 and len(data["layers"][0]["types"]) == 6
    assert [U["algebra"] for U in data["real_irreducibles"]] == ["R", "R", "C", "C", "C"]
    assert data["boundary_multiplicities"]["input"] == {"U1": 0, "U2": 0, "U3": 1, "U4": 0, "U5": 0}
    plane = [a for a in data["assignments"] if a["degeneracy"] == "non-degenerate"]
    assert len(plane) == 1 and plane[0]["layers"][0]["blocks"] == [
        {"irrep": "U3", "rows": 1, "cols": 1, "algebra": "C", "dimension": 2}]
    assert data["smallest_nondegenerate_width"]["width"] == 2
    assert main(["classify", "--arch", "identity:3-3-3", "--group", "S3", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "V_0 = U1 + U3" in out and "Mat(1x1, R) on U3" in out and "non-degenerate" in out


def test_counterexample_claims_for_linear_networks(capsys):
    out = refute_layerwise_reparam("identity", (2, 2, 2), catalog_group("C8", 2, 2))
    assert out.verdict == "not refuted" and out.certificate() is None
    assert "for linear networks the claim holds" in out.message
    assert out.details["nondegenerate_assignments"] == 1
    assert main(["counterexample", "--claim", "layerwise-reparam", "--arch", "identity:2-2-2", "--group", "C8"]) == 3
    assert main(["counterexample", "--claim", "unique-latent", "--arch", "identity:2-2-2", "--group", "C8"]) == 2
    assert "real representations" in capsys.readouterr().err
