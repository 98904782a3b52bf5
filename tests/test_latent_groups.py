"""Latent groups K_i: structure, action on parameters, invariance proofs, orbit tangents."""

from __future__ import annotations

import time
from math import factorial

import flint
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy import Integer, Rational

from symeq.activations import Relation, activation
from symeq.errors import InputError
from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.latent_group import act, latent_group, orbit_tangents
from symeq.architectures.mlp.latent_map import LatentMap
from symeq.activations.relations import derive_relations
from symeq.architectures.mlp.invariance import prove_invariance
from symeq.architectures.mlp.sampling import random_network
from symeq.activations.arb_eval import arb_value
from symeq.architectures.mlp.invariance import _opaque, _prove_monomial, symbolic_network
from symeq.architectures.mlp.jacobian_exact import exact_jacobian

EXPECTED = {  # activation -> (kind, dimension(d), components(d))
    "tanh": ("signed_permutation", lambda d: 0, lambda d: 2**d * factorial(d)),
    "sigmoid": ("affine_signed_permutation", lambda d: 0, lambda d: 2**d * factorial(d)),
    "relu": ("positive_monomial", lambda d: d, lambda d: factorial(d)),
    "leaky_relu:1/10": ("positive_monomial", lambda d: d, lambda d: factorial(d)),
    "power:2": ("power_monomial", lambda d: d, lambda d: 2**d * factorial(d)),
    "power:3": ("power_monomial", lambda d: d, lambda d: 2**d * factorial(d)),
    "gelu": ("permutation", lambda d: 0, lambda d: factorial(d)),
    "softplus": ("permutation", lambda d: 0, lambda d: factorial(d)),
    "identity": ("affine", lambda d: d * d + d, lambda d: 2),
    "exp(z)": ("positive_monomial", lambda d: d, lambda d: factorial(d)),
    "poly:z^3+z": ("signed_permutation", lambda d: 0, lambda d: 2**d * factorial(d)),
}


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(EXPECTED)), st.integers(1, 9))
def test_structure_closed_forms(spec, d):
    g = latent_group(spec, d)
    kind, dim, comps = EXPECTED[spec]
    assert (g.kind, g.dimension, g.components) == (kind, dim(d), comps(d))
    assert g.complete


def test_sin_has_infinitely_many_components():
    g = latent_group("sin", 3)
    assert g.kind == "signed_permutation" and g.dimension == 0 and g.components is None
    assert "2^3 3!" in g.components_formula


def test_huge_group_orders_are_closed_forms():
    t = time.perf_counter()
    g = latent_group("tanh", 64)
    assert g.components == 2**64 * factorial(64)
    assert g.components_formula == "2^64 64!"
    assert time.perf_counter() - t < 5


def test_bad_width():
    with pytest.raises(InputError):
        latent_group("tanh", 0)


# -- the action leaves the function unchanged -------------------------------------------------
def _same_function(net: MLP, other: MLP, inputs) -> bool:
    """Exact equality for algebraic activations; for transcendental ones, a 400-bit ball of
    the difference that contains 0 and is tiny (a test oracle, not a proof)."""
    for x in inputs:
        for a, b in zip(net.value(M(x)), other.value(M(x))):
            d = sympy.expand(a - b)
            if net.activation.algebraic:
                if d != 0:
                    return False
                continue
            with flint.ctx.workprec(400):
                ball = arb_value(d, {})
            if not (ball.contains(0) and ball.rad() < flint.arb(10) ** -60):
                return False
    return True


INPUTS = [(Rational(1, 3), Integer(-2)), (Integer(3), Rational(5, 7)), (Rational(-9, 4), Integer(1))]


@pytest.mark.parametrize("spec", ["relu", "tanh", "sigmoid", "power:3", "sin", "leaky_relu:1/10"])
def test_generators_preserve_function(spec):
    net = random_network(spec, (2, 3, 2, 1), seed=4)
    for layer in (1, 2):
        g = latent_group(spec, net.widths[layer])
        for name, element in g.generators():
            if element.kind == "monomial":  # give symbolic parameters values
                subs = {}
                for r in element.relations:
                    for s in (r.a + r.b + r.c + r.e).free_symbols:
                        subs[s] = Integer(2) if not s.is_integer else Integer(3)
                element = LatentMap.monomial(element.perm, tuple(
                    Relation(*(sympy.sympify(x).subs(subs) for x in (r.a, r.c, r.b, r.e)))
                    for r in element.relations))
            moved = act(net, layer, element)
            assert _same_function(net, moved, INPUTS), (spec, layer, name)


def test_wrong_element_changes_the_function():
    net = random_network("relu", (2, 3, 1), seed=1)
    bogus = LatentMap.monomial((0, 1, 2), (Relation(-1, 0, -1, 0), Relation(1, 0, 1, 0), Relation(1, 0, 1, 0)))
    moved = act(net, 1, bogus)
    assert not _same_function(net, moved, INPUTS + [(Integer(7), Integer(7)), (Integer(-7), Integer(-5))])


def test_affine_action():
    net = random_network("identity", (2, 2, 1), seed=2)
    A = M([[2, 1], [0, -1]])
    t = M([Rational(1, 2), 3])
    moved = act(net, 1, LatentMap.affine(A, t))
    assert moved.weights[0] == A * net.weights[0]
    assert _same_function(net, moved, INPUTS)


# -- symbolic invariance proofs ----------------------------------------------------------------
@pytest.mark.parametrize("spec,widths", [("tanh", (2, 3, 1)), ("relu", (3, 4, 4, 2)), ("identity", (2, 3, 2)),
                                         ("sigmoid", (2, 2, 1)), ("sin", (1, 2, 1)), ("power:2", (2, 3, 1)),
                                         ("exp(z)", (2, 2, 1)), ("poly:z+z^2+z^4", (1, 2, 1))])
def test_invariance_proofs_hold(spec, widths):
    proofs = prove_invariance(spec, widths)
    hidden = len(widths) - 2
    assert {p.layer for p in proofs} == set(range(1, hidden + 1))
    assert proofs and all(p.holds for p in proofs), [p for p in proofs if not p.holds]
    group = latent_group(spec, widths[1])
    if group.dimension and group.kind != "affine":
        assert any(p.generator.startswith("general element") for p in proofs)


def test_invariance_proof_can_fail():
    net = symbolic_network(_opaque(activation("relu")), (2, 2, 1))
    x = M([sympy.Symbol("x0", real=True), sympy.Symbol("x1", real=True)])
    ok = LatentMap.monomial((1, 0), (Relation(1, 0, 1, 0), Relation(1, 0, 1, 0)))
    s = sympy.Symbol("s", positive=True)
    # a wrong rewriting rule (b = 2 s instead of s) must not be proved
    bad = LatentMap.monomial((0, 1), (Relation(s, 0, 2 * s, 0), Relation(1, 0, 1, 0)))
    group = derive_relations("relu")
    assert _prove_monomial(net, 1, ok, x, group)
    assert not _prove_monomial(net, 1, bad, x, group)
    # a genuine relation with a symbolic scale is accepted as an instance of the family
    good = LatentMap.monomial((0, 1), (Relation(s, 0, s, 0), Relation(1, 0, 1, 0)))
    assert _prove_monomial(net, 1, good, x, group)


def test_block_proof_for_large_networks():
    proofs = prove_invariance("relu", (4, 12, 12, 1), max_params=50)
    assert proofs and all(p.holds and p.method.startswith("block") for p in proofs)


# -- orbit tangents lie in the Jacobian's kernel -----------------------------------------------
@pytest.mark.parametrize("spec,widths,count", [("relu", (2, 3, 2, 1), 5), ("identity", (2, 3, 1), 12),
                                               ("power:3", (2, 2, 1), 2), ("power:2", (2, 2, 1), 2)])
def test_tangents_in_kernel(spec, widths, count):
    net = random_network(spec, widths, seed=5)
    tangents = orbit_tangents(net)
    assert len(tangents) == count
    xs = [(Integer(a), Integer(b)) for a, b in [(3, -7), (11, 2), (-5, -13), (17, 9), (1, 23)]]
    jac = exact_jacobian(net, xs)
    for t in tangents:
        w = [Rational(x) for x in t]
        for row in jac.matrix.tolist():
            assert sum(Rational(int(r)) * x for r, x in zip(row, w)) == 0


def test_invariance_proof_past_its_budget_is_not_attempted(monkeypatch):
    from symeq.architectures.mlp import invariance

    monkeypatch.setattr(invariance, "MAX_PROOF_PARAMS", 20)
    proofs = prove_invariance("tanh", (4, 4, 1))
    assert proofs and not any(p.holds for p in proofs)
    assert all("unknown (budget)" in p.method and "25 symbolic parameters" in p.method for p in proofs)
