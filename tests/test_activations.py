"""The activation catalog (symeq.activations): specs, declared relations proved symbolically,
exact values, and the messages for bad specs."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, pi, sqrt

from symeq.activations import CATALOG, Activation, Relation, activation
from symeq.kinds import LatentKind
from symeq.errors import InputError

FAST = settings(max_examples=40, deadline=None)
Z = sympy.Symbol("z", real=True)
T = sympy.Symbol("t", positive=True)
one, zero = Integer(1), Integer(0)


def is_identity(act: Activation, r: Relation) -> bool:
    """Prove sigma(a z + c) = b sigma(z) + e for all real z, symbolically.

    Piecewise-linear activations are checked on both half-lines (z = t and z = -t with t > 0,
    which suffices for positive a); smooth ones after rewriting in exp."""
    if act.piecewise_linear and act.name != "identity":
        assert r.c == 0 and r.a.is_positive
        return all(
            sympy.simplify(act.expr(r.a * z) - (r.b * act.expr(z) + r.e)) == 0 for z in (T, -T)
        )
    diff = act.expr(r.a * Z + r.c) - (r.b * act.expr(Z) + r.e)
    if sympy.expand(diff) == 0:
        return True
    return sympy.simplify(diff.rewrite(sympy.exp)) == 0


# -- specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", CATALOG)
def test_every_catalog_spec_parses(spec: str) -> None:
    act = activation(spec)
    assert act.spec == spec
    assert act.kind in set(LatentKind)
    assert activation(act.spec) == act  # the spec reads back to the same activation
    assert act(Z) == act.expr(Z)
    assert act.expr(Z).free_symbols == {Z}


def test_catalog_covers_the_theory_table() -> None:
    names = {activation(s).name for s in CATALOG}
    assert names == {"identity", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "softplus",
                     "swish", "sin", "power", "poly"}


@pytest.mark.parametrize(
    "spec, expr",
    [
        ("identity", Z),
        ("tanh", sympy.tanh(Z)),
        ("sigmoid", 1 / (1 + sympy.exp(-Z))),
        ("relu", sympy.Max(0, Z)),
        ("leaky_relu:1/10", sympy.Max(Z / 10, Z)),
        ("gelu", Z * (1 + sympy.erf(Z / sqrt(2))) / 2),
        ("softplus", sympy.log(1 + sympy.exp(Z))),
        ("swish", Z / (1 + sympy.exp(-Z))),
        ("sin", sympy.sin(Z)),
        ("power:2", Z**2),
        ("power:3", Z**3),
        ("poly:z+z^2+z^4", Z + Z**2 + Z**4),
    ],
)
def test_symbolic_forms(spec: str, expr: sympy.Expr) -> None:
    assert sympy.simplify(activation(spec).expr(Z) - expr) == 0


def test_spec_normalization() -> None:
    assert activation(" tanh ").spec == "tanh"
    assert activation("leaky_relu").spec == "leaky_relu:1/100"
    assert activation("leaky_relu:").spec == "leaky_relu:1/100"
    assert activation("leaky_relu:0.1").spec == "leaky_relu:1/10"
    assert activation("leaky_relu:0.1") == activation("leaky_relu:1/10")
    assert activation("power:03").spec == "power:3"


def test_leaky_relu_slope_validation() -> None:
    for arg in ("0", "1", "-1/2", "3/2", "1", "sqrt(2)/2"):
        with pytest.raises(InputError) as info:
            activation(f"leaky_relu:{arg}")
        assert str(info.value) == (
            f"leaky_relu slope must be a rational number in (0, 1), got {arg!r}"
        )
    with pytest.raises(InputError, match=r"^cannot parse number 'a': unknown name 'a'"):
        activation("leaky_relu:a")
    with pytest.raises(InputError, match=r"^cannot parse number '1/0': division by zero"):
        activation("leaky_relu:1/0")
    assert activation("leaky_relu:99/100").spec == "leaky_relu:99/100"


def test_power_bounds() -> None:
    assert activation("power:2").expr(Z) == Z**2
    assert activation("power:16").expr(Z) == Z**16
    for m in (0, 1, 17, -2, 10**30):
        with pytest.raises(InputError) as info:
            activation(f"power:{m}")
        assert str(info.value) == f"power:M needs an integer M from 2 to 16, got {m}"
    for arg in ("", "3.0", "abc", "3/1", "z"):
        with pytest.raises(InputError) as info:
            activation(f"power:{arg}")
        assert str(info.value) == f"power:M needs an integer M >= 2, got {arg!r}"


def test_poly_parity_and_kinds() -> None:
    odd, even, neither = activation("poly:z^3+z"), activation("poly:z^2+z^4"), activation("poly:z+z^2+z^4")
    assert odd.discrete == (Relation(-one, zero, -one, zero),)
    assert odd.kind == "signed_permutation"
    assert even.discrete == (Relation(-one, zero, one, zero),)
    assert even.kind == "permutation"
    assert neither.discrete == ()
    assert neither.kind == "permutation"
    assert odd.relation_for(-one, zero) == Relation(-one, zero, -one, zero)
    assert even.relation_for(-one, zero) == Relation(-one, zero, one, zero)
    assert neither.relation_for(-one, zero) is None
    for act in (odd, even, neither):
        assert act.polynomial and act.algebraic
        assert act.relation_for(one, zero) == Relation(one, zero, one, zero)
        assert act.relation_for(Integer(2), zero) is None


POLY_SPELLINGS = [("z+z^2+z^4", "z^4+z^2+z", "z*(1+z+z^3)", "z + 1.0*z**2 + z**4", "(z^2+z)+z^4"),
                  ("z^3-z", "-z+z^3", "z*(z-1)*(z+1)")]


def test_poly_compares_by_its_expanded_polynomial_and_keeps_its_spec() -> None:
    from sympy import ImmutableMatrix as M

    from symeq.architectures import network_to_dict
    from symeq.certify.reader import Reader
    from symeq.architectures.mlp.model import MLP

    for spellings in POLY_SPELLINGS:
        acts = [activation(f"poly:{text}") for text in spellings]
        assert all(a == acts[0] and hash(a) == hash(acts[0]) for a in acts)
        assert len(set(acts)) == 1
        for text, act in zip(spellings, acts):
            assert act.spec == f"poly:{text}"  # what the user wrote, as files repeat it
            net = MLP(act, (M([[1]]), M([[1]])), (M([0]), M([0])))
            assert network_to_dict(net)["activation"] == f"poly:{text}"
            read = Reader({})  # the kernel reads the same polynomial
            p = read.activation(act.spec)
            assert all(p.value(read.F.num(v)) == read.const(str(sympy.expand(act(Z)).subs(Z, v)))
                       for v in (-2, 0, 1, 3))
        nets = {MLP(a, (M([[1]]), M([[1]])), (M([0]), M([0]))) for a in acts}
        assert len(nets) == 1
    assert activation("poly:z+z^2+z^4") != activation("poly:z^3-z")
    assert activation("poly:z^4+z") != activation("poly:z^4/2+z")
    with pytest.raises(InputError, match=r"write a power as power:M"):  # its scalings are power:2's
        activation("poly:z^2")
    assert activation("tanh") == activation(" tanh ") != activation("sin")


def test_poly_errors() -> None:
    with pytest.raises(InputError) as info:
        activation("poly:")
    assert str(info.value) == "poly:EXPR needs a polynomial in z, e.g. poly:z+z^2+z^4"
    for arg in ("z", "3", "z^-1", "(z+1)^2-z^2", "z^(1/2)+z^2", "sqrt(z)"):
        with pytest.raises(InputError):
            activation(f"poly:{arg}")
    with pytest.raises(InputError) as info:
        activation("poly:z^-1")
    assert str(info.value) == "poly:z^-1 is not a polynomial of degree >= 2 in z"
    with pytest.raises(InputError) as info:
        activation("poly:x^2")
    assert str(info.value) == "cannot parse number 'x^2': undeclared symbol 'x' at position 1"


def test_unknown_activations() -> None:
    known = ("identity, tanh, sigmoid, relu, leaky_relu:A, gelu, softplus, swish, sin, power:M, "
             "poly:EXPR")
    for spec in ("foo", "TANH", "Relu", "relu6", "elu", "poly"):
        with pytest.raises(InputError) as info:
            activation(spec)
        if spec == "poly":
            assert str(info.value) == "poly:EXPR needs a polynomial in z, e.g. poly:z+z^2+z^4"
        else:
            assert str(info.value) == f"unknown activation {spec!r}; known: {known}"
    for spec in ("tanh:", "tanh:1", "relu:2", "identity:"):
        with pytest.raises(InputError) as info:
            activation(spec)
        assert str(info.value) == f"activation {spec.split(':')[0]!r} takes no argument, got {spec!r}"
    for bad in ("", "   ", 3, None, ["tanh"]):
        with pytest.raises(InputError) as info:
            activation(bad)
        assert str(info.value) == 'activation must be a non-empty string such as "tanh"'


# -- relations ------------------------------------------------------------------------------

SPECS = CATALOG + ("leaky_relu:1/3", "power:4", "poly:z^3+z", "poly:z^2+z^4")

# The docs/theory.md table: relations each activation must declare (beside the identity).
TABLE = {
    "identity": [(-1, 0, -1, 0), (2, 3, 2, 3), (Rational(-1, 2), pi, Rational(-1, 2), pi)],
    "tanh": [(-1, 0, -1, 0)],
    "sigmoid": [(-1, 0, -1, 1)],
    "relu": [(2, 0, 2, 0), (Rational(1, 3), 0, Rational(1, 3), 0), (sqrt(2), 0, sqrt(2), 0)],
    "leaky_relu:1/10": [(2, 0, 2, 0), (Rational(1, 3), 0, Rational(1, 3), 0)],
    "sin": [(1, 2 * pi, 1, 0), (1, -4 * pi, 1, 0), (-1, pi, 1, 0), (1, pi, -1, 0),
            (-1, 0, -1, 0), (1, -pi, -1, 0), (-1, 3 * pi, 1, 0), (-1, 2 * pi, -1, 0)],
    "power:2": [(-1, 0, 1, 0), (2, 0, 4, 0), (Rational(-1, 2), 0, Rational(1, 4), 0),
                (sqrt(2), 0, 2, 0)],
    "power:3": [(-1, 0, -1, 0), (2, 0, 8, 0), (sqrt(2), 0, 2 * sqrt(2), 0)],
    "gelu": [], "softplus": [], "swish": [], "poly:z+z^2+z^4": [],
}


@pytest.mark.parametrize("spec", SPECS)
def test_declared_relations_are_identities(spec: str) -> None:
    act = activation(spec)
    assert act.relation_for(one, zero) == Relation(one, zero, one, zero)
    for r in act.discrete:
        assert act.relation_for(r.a, r.c) == r
        assert act.is_relation(r)
        assert is_identity(act, r), r


@pytest.mark.parametrize("spec", sorted(TABLE))
def test_theory_table_relations_are_declared_and_true(spec: str) -> None:
    act = activation(spec)
    for a, c, b, e in TABLE[spec]:
        r = Relation(*map(sympy.sympify, (a, c, b, e)))
        got = act.relation_for(r.a, r.c)
        assert got is not None, (spec, r)
        assert sympy.simplify(got.b - r.b) == 0 and sympy.simplify(got.e - r.e) == 0
        assert act.is_relation(r)
        assert is_identity(act, got)


NON_RELATIONS = {
    "identity": [(0, 0), (0, 1)],
    "tanh": [(2, 0), (1, 1), (-1, 1), (Rational(1, 2), 0), (0, 0), (1, pi)],
    "sigmoid": [(2, 0), (-1, 1), (1, 1), (0, 0)],
    "relu": [(-1, 0), (0, 0), (1, 1), (2, -1), (-2, 0)],
    "leaky_relu:1/10": [(-1, 0), (0, 0), (1, 1)],
    "gelu": [(-1, 0), (2, 0), (1, 1)],
    "softplus": [(-1, 0), (2, 0), (1, 1)],
    "swish": [(-1, 0), (2, 0), (1, 1)],
    "sin": [(2, 0), (1, 1), (1, pi / 2), (-1, pi / 2), (1, Rational(22, 7)), (Rational(1, 2), pi)],
    "power:2": [(0, 0), (1, 1), (-1, 1)],
    "power:3": [(0, 0), (1, 1)],
    "poly:z+z^2+z^4": [(-1, 0), (2, 0), (1, 1)],
}


@pytest.mark.parametrize("spec", sorted(NON_RELATIONS))
def test_relation_for_none_on_non_relations(spec: str) -> None:
    act = activation(spec)
    for a, c in NON_RELATIONS[spec]:
        assert act.relation_for(sympy.sympify(a), sympy.sympify(c)) is None, (spec, a, c)
    # a wrong output part is not a relation either
    for r in act.discrete:
        assert not act.is_relation(Relation(r.a, r.c, r.b + 1, r.e))


def test_symbolic_inputs_are_not_matched_as_scales() -> None:
    w = sympy.Symbol("w", real=True)
    assert activation("relu").relation_for(w, zero) is None
    assert activation("power:2").relation_for(w, zero) is None
    assert activation("sin").relation_for(one, w) is None


@FAST
@given(st.sampled_from(SPECS),
       st.sampled_from([-2, -1, Rational(-1, 2), 0, Rational(1, 3), 1, 2, sqrt(2)]),
       st.sampled_from([0, 1, -1, Rational(1, 2), pi, -pi, 2 * pi, 3 * pi, pi / 2]))
def test_every_returned_relation_is_true(spec: str, a: sympy.Expr, c: sympy.Expr) -> None:
    act = activation(spec)
    a, c = sympy.sympify(a), sympy.sympify(c)
    r = act.relation_for(a, c)
    if r is None:
        return
    assert (r.a, r.c) == (a, c)
    assert is_identity(act, r), (spec, r)


def test_relation_as_strings() -> None:
    r = activation("sigmoid").discrete[0]
    assert r.as_strings() == {"a": "-1", "c": "0", "b": "-1", "e": "1"}
    assert activation("sin").relation_for(-one, pi).as_strings() == {"a": "-1", "c": "pi", "b": "1", "e": "0"}


# -- exact values ---------------------------------------------------------------------------

rationals = st.fractions(max_denominator=1000).filter(lambda f: abs(f) < 1000)


@FAST
@given(rationals)
def test_values_at_rationals(f: Fraction) -> None:
    q = Rational(f)
    assert activation("relu").value(q) == (q if f >= 0 else 0)
    assert activation("leaky_relu:1/10").value(q) == (q if f >= 0 else q / 10)
    assert activation("power:3").value(q) == q**3
    assert activation("power:2").value(q) == q**2
    assert activation("poly:z+z^2+z^4").value(q) == q + q**2 + q**4
    assert activation("identity").value(q) == q
    for spec in ("relu", "leaky_relu:1/10", "power:3", "poly:z+z^2+z^4", "identity"):
        assert activation(spec).value(q).is_Rational


def test_values_at_sqrt2_over_2() -> None:
    h = sqrt(2) / 2
    assert activation("relu").value(h) == h
    assert activation("relu").value(-h) == 0
    assert activation("leaky_relu:1/10").value(-h) == -sqrt(2) / 20
    assert activation("leaky_relu:1/10").value(h) == h
    assert activation("power:3").value(h) == sqrt(2) / 4
    assert activation("power:2").value(-h) == Rational(1, 2)
    assert sympy.expand(activation("poly:z+z^2+z^4").value(h) - (h + Rational(1, 2) + Rational(1, 4))) == 0
    assert activation("relu").value(sqrt(2) - Rational(141, 100)) == sqrt(2) - Rational(141, 100)
    assert activation("relu").value(Rational(141, 100) - sqrt(2)) == 0
    assert activation("relu").value(zero) == 0


def test_value_of_symbols_is_refused_for_piecewise() -> None:
    w = sympy.Symbol("w", real=True)
    with pytest.raises(InputError) as info:
        activation("relu").value(w)
    assert str(info.value) == "cannot decide the sign of the symbolic value w"
    assert activation("power:2").value(w + 1) == w**2 + 2 * w + 1


def test_value_of_transcendental_activations_is_symbolic_and_exact() -> None:
    assert activation("tanh").value(Rational(1, 2)) == sympy.tanh(Rational(1, 2))
    assert activation("sin").value(pi / 6) == Rational(1, 2)
    assert activation("sigmoid").value(zero) == Rational(1, 2)


def test_flags() -> None:
    flags = {s: (activation(s).algebraic, activation(s).polynomial, activation(s).piecewise_linear)
             for s in CATALOG}
    assert flags["identity"] == (True, True, True)
    assert flags["relu"] == (True, False, True)
    assert flags["leaky_relu:1/10"] == (True, False, True)
    assert flags["power:2"] == (True, True, False)
    assert flags["poly:z+z^2+z^4"] == (True, True, False)
    for s in ("tanh", "sigmoid", "gelu", "softplus", "swish", "sin"):
        assert flags[s] == (False, False, False)


def test_the_symbolic_prover_rejects_false_relations() -> None:
    # guards the tests above: is_identity must be able to say no
    assert not is_identity(activation("tanh"), Relation(-one, zero, one, zero))
    assert not is_identity(activation("sigmoid"), Relation(-one, zero, -one, zero))
    assert not is_identity(activation("sin"), Relation(one, pi, one, zero))
    assert not is_identity(activation("relu"), Relation(Integer(2), zero, one, zero))
    assert not is_identity(activation("power:2"), Relation(Integer(2), zero, Integer(2), zero))
    assert not is_identity(activation("gelu"), Relation(-one, zero, -one, zero))


def test_oversized_specs_give_short_messages() -> None:
    for spec in ("x" * 100_000, "power:" + "9" * 5000, "poly:" + "z+" * 2000 + "z^2"):
        with pytest.raises(InputError) as info:
            activation(spec)
        assert len(str(info.value)) < 200
        assert str(info.value).startswith(f"activation {spec[:40]!r}... of {len(spec)} characters is too long")
    with pytest.raises(InputError) as info:
        activation("y" * 500)
    assert str(info.value).startswith(f"unknown activation {'y' * 60!r}; known:")
