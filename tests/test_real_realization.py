"""Explicit realizations of real irreducibles (symeq.groups.real_realization) and what kind
"real" builds on them: explicit spaces against Schur dimensions and nullspaces, witnesses
against independent exact ranks, the fallback without realizations, the CLI."""

from __future__ import annotations

import json
from itertools import product

import pytest
import sympy
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix

import symeq.classification.real as real_module
from symeq.classification.classify import classify
from symeq.classification.real import block_layer_space, hom_dimension, real_assignment, real_layer_types, type_action
from symeq.classification.spaces import nullspace_layer_space, satisfies_constraints
from symeq.classification.spaces import boundary_action
from symeq.cli import main
from symeq.exact import parse_number
from symeq.groups import catalog_group, group_from_dict
from symeq.groups.classes import class_of, conjugacy_classes
from symeq.groups.permutation import finite_group
from symeq.groups.real_irreps import real_irreducibles
from symeq.groups.real_realization import real_realization, real_realizations, verify_realization

Q8 = {"generators": {
    "i": {"input": [["0", "-1", "0", "0"], ["1", "0", "0", "0"], ["0", "0", "0", "-1"], ["0", "0", "1", "0"]]},
    "j": {"input": [["0", "0", "-1", "0"], ["0", "0", "0", "1"], ["1", "0", "0", "0"], ["0", "-1", "0", "0"]]}}}

GROUPS = {"C2": ("C2", 2), "C3": ("C3", 2), "C4": ("C4", 2), "C5": ("C5", 2), "C6": ("C6", 2),
          "C7": ("C7:shift", 7), "C8": ("C8", 2), "D3": ("D3", 2), "D4": ("D4", 2), "D6": ("D6", 2),
          "S3": ("S3", 3), "S4": ("S4", 4), "Klein": ("D2", 2)}


def _group(name: str):
    if name == "Q8":
        return group_from_dict(Q8, 4, 4)
    spec, d = GROUPS[name]
    return catalog_group(spec, d, d)


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Exact equality of two algebraic numbers, in the field they generate."""
    K, (x, y) = construct_domain([sympy.sympify(a), sympy.sympify(b)], extension=True)
    return x == y


@pytest.mark.parametrize("name", sorted(GROUPS) + ["Q8"])
def test_every_irreducible_is_realized_with_its_character(name):
    G = _group(name)
    F = finite_group(G)
    R = real_irreducibles(G)
    reals = real_realizations(G)
    assert len(reals) == len(R) and all(r is not None for r in reals)
    for U, r in zip(R, reals):
        assert r.label == U.label and r.dim == U.dim
        assert all(m.shape == (U.dim, U.dim) for m in r.matrices)
        assert verify_realization(G, U.character, r.matrices)
        # independently of the check's Cayley-graph walk: each class representative as its
        # shortest word in the generators, multiplied out, has trace chi_U
        for k, c in enumerate(conjugacy_classes(F)):
            M = sympy.eye(U.dim)
            for j in F.words[c.representative]:
                M = M * r.matrices[j]
            assert _equal(sympy.expand(M.trace()), U.character[k].to_sympy()), (name, U.label, c.name)
        # (H, psi): a subgroup, psi multiplicative, and <Res chi_U, psi> = dim_R D
        H = set(r.subgroup)
        psi = dict(zip(r.subgroup, r.psi))
        assert all(F.mul(a, b) in H and psi[F.mul(a, b)] == psi[a] * psi[b] for a in H for b in H)
        cl = class_of(F)
        pairing = sum(U.character[cl[a]].to_sympy() * psi[a] for a in H) / len(H)
        assert _equal(sympy.expand(pairing), U.endomorphism_dim)


def test_hand_checked_realizations():
    C8 = real_realizations(catalog_group("C8", 2, 2))
    assert [r.field for r in C8] == ["QQ", "QQ", "QQ<sqrt(2)>", "QQ<sqrt(2)>", "QQ"]
    assert C8[4].matrices[0] ** 4 == sympy.eye(2) and C8[4].matrices[0] ** 2 == -sympy.eye(2)
    assert sympy.expand(C8[2].matrices[0] ** 8) == sympy.eye(2)
    assert sympy.expand(C8[2].matrices[0] ** 4) == -sympy.eye(2)          # rotation by 45 degrees
    # S4: the 2-dimensional irreducible needs a subgroup of order 2 (no vector fixed by 1 alone
    # is enough: the trivial subgroup pairs to 2, not 1)
    S4 = real_realizations(catalog_group("S4", 4, 4))
    assert [r.dim for r in S4] == [1, 1, 2, 3, 3] and S4[2].subgroup_order > 1


@pytest.mark.parametrize("name,k,change", [("C8", 2, "negate"), ("C3", 1, "negate"), ("C5", 1, "negate"),
                                           ("S4", 3, "negate"), ("S4", 3, "entry"), ("D4", 4, "entry")])
def test_mutated_realization_fails_verification(name, k, change):
    G = _group(name)
    U = real_irreducibles(G)[k]
    mats = list(real_realizations(G)[k].matrices)
    assert verify_realization(G, U.character, mats)
    if change == "negate":
        # C8, C5: the trace on the generator changes sign; C3, S4: the generator has odd
        # order or an odd power is in the relations, so -M breaks the homomorphism or the trace
        mats[0] = -mats[0]
    else:
        m = sympy.Matrix(mats[-1])
        m[0, 0] += 1
        mats[-1] = sympy.ImmutableMatrix(m)
    assert not verify_realization(G, U.character, mats)


def test_budget_gives_no_realization():
    G = catalog_group("S4", 4, 4)
    U = real_irreducibles(G)[2]
    assert real_realization(G, U, budget=1) is None             # only the trivial pair: pairing 2
    assert real_realization(G, U) is not None


# -- explicit spaces and witnesses ----------------------------------------------------------------

def _rank(M) -> int:
    K, elems = construct_domain([sympy.sympify(x) for x in M], extension=True)
    return DomainMatrix([elems[i * M.cols:(i + 1) * M.cols] for i in range(M.rows)], M.shape, K).rank()


def _flat(space) -> list[list[sympy.Expr]]:
    rows = []
    for v in space.basis:
        W, b = v.matrices(space.shape)
        rows.append(list(W) + list(b))
    return rows


def _same_span(a, b) -> bool:
    """Both bases independent and spanning one space (exact ranks)."""
    ra, rb = _flat(a), _flat(b)
    if not ra or not rb:
        return len(ra) == len(rb)
    return _rank(sympy.Matrix(ra)) == _rank(sympy.Matrix(rb)) == _rank(sympy.Matrix(ra + rb)) == len(ra)


@pytest.mark.parametrize("spec,width", [(("S3", 3), 3), (("D4", 2), 3), (("C8", 2), 3), (("Q8", 4), 4),
                                        (("S4", 4), 3)])
def test_block_spaces_equal_nullspaces_of_the_type_actions(spec, width):
    G = _group("Q8") if spec[0] == "Q8" else catalog_group(spec[0], spec[1], spec[1])
    types = real_layer_types(G, width).types
    for s, t in list(product(types, repeat=2))[:40]:
        A, B = type_action(G, s.multiplicities), type_action(G, t.multiplicities)
        blocks = block_layer_space(G, s.multiplicities, t.multiplicities)
        ref = nullspace_layer_space(A, B)
        assert satisfies_constraints(blocks, A, B)
        assert _same_span(blocks, ref), (s.label, t.label)
        assert blocks.weight_dim == hom_dimension(real_irreducibles(G), s.multiplicities, t.multiplicities)


@pytest.mark.parametrize("spec,widths,expected_good", [(("C8", 2), (2, 2, 2), 1), (("S3", 3), (3, 3, 3), 1),
                                                       (("D4", 2), (2, 3, 2), 0), (("S3", 3), (3, 3, 3, 3), 1),
                                                       (("C8", 2), (2, 2, 3, 2), 0)])
def test_explicit_spaces_and_witnesses(spec, widths, expected_good):
    G = catalog_group(spec[0], spec[1], spec[1])
    C = classify("identity", widths, G)
    assert C.complete and len(C.assignments) == C.total_assignments
    rho = boundary_action(tuple(G.inputs))
    good = 0
    for a in C.assignments:
        types = [C.layers[i].types[t] for i, t in enumerate(a.types)]
        actions = [rho] + [type_action(G, t.multiplicities) for t in types] + [rho]
        for s, A, B in zip(a.layer_spaces, actions, actions[1:]):
            assert s.explicit is not None
            assert (s.explicit.weight_dim, s.explicit.dim - s.explicit.weight_dim) == (s.weight_dim, s.bias_dim)
            ref = nullspace_layer_space(A, B)
            assert (ref.weight_dim, ref.dim) == (s.weight_dim, s.dim)
            assert satisfies_constraints(s.explicit, A, B)
            assert _same_span(s.explicit, ref)
        if a.degeneracy.status != "non-degenerate":
            assert a.degeneracy.witness is None
            continue
        good += 1
        w = a.degeneracy.witness
        assert w is not None and "witness" in a.degeneracy.reason
        for (W, b), A, B in zip(w, actions, actions[1:]):      # equivariant, exactly
            for k in range(len(G.names)):
                assert all(_equal(sympy.expand(x), 0) for x in W * A.matrix(k) - B.matrix(k) * W)
                assert all(_equal(sympy.expand(x), 0) for x in B.matrix(k) * b - b)
        for i in range(1, len(widths) - 1):
            assert _rank(w[i - 1][0]) == widths[i] and _rank(w[i][0]) == widths[i]
    assert good == expected_good


def test_without_realizations_the_output_is_schur_only(monkeypatch):
    G = catalog_group("C8", 2, 2)
    plane = real_layer_types(G, 2).types[3]
    assert plane.label == "U3"
    monkeypatch.setattr(real_module, "real_realizations", lambda group: (None,) * 5)
    a = real_assignment(G, (plane,))
    assert a.degeneracy.status == "non-degenerate" and a.degeneracy.witness is None
    assert "no explicit realization of U3" in a.degeneracy.reason
    assert all(s.explicit is None for s in a.layer_spaces)
    assert a.layer_dims == (2, 2)


def test_no_explicit_keeps_schur_output():
    G = catalog_group("C8", 2, 2)
    a = real_assignment(G, (real_layer_types(G, 2).types[3],), explicit=False)
    assert a.degeneracy.witness is None and all(s.explicit is None for s in a.layer_spaces)


# -- command line ----------------------------------------------------------------------------------

def test_cli_realizations_and_witness(capsys):
    assert main(["classify", "--arch", "identity:2-2-2", "--group", "C8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    G = catalog_group("C8", 2, 2)
    for U, r in zip(data["real_irreducibles"], real_realizations(G)):
        gen = U["realization"]["generators"]["r"]
        M = sympy.Matrix([[parse_number(x) for x in row] for row in gen])
        assert M == r.matrices[0]
        F = finite_group(G)
        assert _equal(M.trace(), parse_number(U["character"][class_of(F)[F.generators[0]]]))
    for a in data["assignments"]:
        assert (a["witness"] is not None) == (a["degeneracy"] == "non-degenerate")
        assert all(L["explicit_basis"] == L["weight_dimension"] + L["bias_dimension"] for L in a["layers"])
    w = next(a["witness"] for a in data["assignments"] if a["witness"])
    Ws = [sympy.Matrix([[parse_number(x) for x in row] for row in L["W"]]) for L in w]
    assert [_rank(W) for W in Ws] == [2, 2]
    assert main(["classify", "--arch", "identity:3-3-3", "--group", "S3", "--no-progress"]) == 0
    assert "explicit (over QQ)" in capsys.readouterr().out
