"""The conformance suite: every registered architecture satisfies the identities the
Architecture protocol promises (symeq/architectures/base.py), on random exact networks.

For each architecture, CASES holds a hypothesis strategy of :class:`Case` values (a network, a
group acting on its inputs and outputs, one latent element per hidden layer, and input points
where functions are compared exactly).  Every property below runs for every architecture:

- ``act``: k . theta computes the same function as theta;
- ``twist``: f( . ; theta^g) = rho_L(g)^-1 o f( . ; theta) o rho_0(g) for every generator g;
- ``solve_layer``: for theta' = k . theta, layer i's solutions against theta' include k_i
  given k_{i-1}, and the last layer closes;
- ``latent group``: identity, inverse and composition agree with the exact maps on V_i;
- ``files``: reading the [network] table written from a network gives the network back.

A new architecture adds its strategy to CASES (and registers itself in symeq.architectures).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Rational

from symeq.architectures import ARCHITECTURES, network_from_dict, network_to_dict
from symeq.architectures.base import Architecture, Budget, LatentGroup, NotEnumerable

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)


@dataclass(frozen=True)
class Case:
    """A network, a group acting on its inputs and outputs, one latent element per hidden layer
    (k_1, ..., k_{L-1}), and inputs where functions are compared."""

    net: Any
    group: Any
    k: tuple[Any, ...]
    points: tuple[ImmutableMatrix, ...]


# -- the MLP's cases ------------------------------------------------------------------------------

MLP_ACTIVATIONS = ("relu", "leaky_relu:1/10", "power:2", "power:3", "identity", "tanh")


@st.composite
def mlp_cases(draw: Any) -> Case:
    from symeq.architectures.mlp.latent_map import LatentMap
    from symeq.groups import catalog_group

    spec = draw(st.sampled_from(MLP_ACTIVATIONS))
    depth = draw(st.integers(2, 3))
    widths = [2] + [draw(st.integers(1, 3)) for _ in range(depth - 1)] + [2]
    rng = random.Random(draw(st.integers(0, 10**6)))

    def number() -> Rational:
        return Rational(rng.randint(-5, 5), rng.randint(1, 3))

    weights = [[[str(number()) for _ in range(widths[i - 1])] for _ in range(widths[i])]
               for i in range(1, depth + 1)]
    biases = [[str(number()) for _ in range(widths[i])] for i in range(1, depth + 1)]
    net = network_from_dict({"activation": spec, "weights": weights, "biases": biases})
    ks = []
    for i in range(1, depth):
        d = widths[i]
        if spec == "identity":  # a random unimodular matrix and shift: Aff(d)
            m = sympy.eye(d)
            for _ in range(3):
                r, c = rng.randrange(d), rng.randrange(d)
                if r != c:
                    m[r, :] += rng.choice((-1, 1)) * m[c, :]
            ks.append(LatentMap.affine(ImmutableMatrix(m), ImmutableMatrix([number() for _ in range(d)])))
            continue
        perm = list(range(d))
        rng.shuffle(perm)
        rels = []
        for _ in range(d):
            rel = None
            while rel is None:  # a random scale the activation's relations allow
                a = rng.choice([Rational(1), Rational(-1), Rational(2), Rational(1, 3), Rational(-3, 2)])
                rel = net.activation.relation_for(a, sympy.Integer(0))
            rels.append(rel)
        ks.append(LatentMap.monomial(perm, rels))
    group = catalog_group(draw(st.sampled_from(["C4", "D4", "S2"])), 2, 2)
    points = tuple(ImmutableMatrix([number(), number()]) for _ in range(3))
    return Case(net, group, tuple(ks), points)


# -- attention's cases ---------------------------------------------------------------------------


@st.composite
def attention_cases(draw: Any) -> Case:
    """One or two attention layers of one or two heads (v of 1 or 2) over 2 or 3 tokens of 2
    features; a random head map per layer; the group: a token permutation with the feature swap."""
    from sympy.polys.matrices import DomainMatrix

    from symeq.architectures.attention import HeadMap, group_from_dict

    rng = random.Random(draw(st.integers(0, 10**6)))
    norm = draw(st.sampled_from(["lightning", "lightning", "softmax"]))
    n, layers = draw(st.integers(2, 3)), draw(st.integers(1, 2)) if norm == "lightning" else 1

    def number() -> str:
        return str(Rational(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 2)))

    def matrix(r: int, c: int) -> list[list[str]]:
        return [[number() for _ in range(c)] for _ in range(r)]

    table: dict[str, Any] = {"architecture": "attention", "normalization": norm, "tokens": n, "layers": []}
    widths, d = [], 2
    for i in range(layers):
        vs = [rng.randint(1, 2) for _ in range(rng.randint(1, 2))]
        layer: dict[str, Any] = {"heads": [{"query": matrix(d, 1), "key": matrix(d, 1), "value": matrix(d, v)}
                                           for v in vs]}
        if i > 0:
            layer["output"] = matrix(sum(widths[-1]), d)
        table["layers"].append(layer)
        widths.append(vs)
    table["readout"] = {"output": matrix(sum(widths[-1]), 2), "bias": [number(), number()]}
    if rng.random() < 0.3:
        table["positional"] = matrix(n, 2)
    net = network_from_dict(table)
    ks = []
    for vs in widths:
        perm = list(range(len(vs)))
        rng.shuffle(perm)
        perm = perm if all(vs[h] == vs[p] for h, p in enumerate(perm)) else list(range(len(vs)))
        blocks = []
        for v in vs:
            while True:
                A = DomainMatrix([[sympy.QQ(rng.randint(-2, 2)) for _ in range(v)] for _ in range(v)], (v, v), sympy.QQ)
                if A.det() != 0:
                    break
            blocks.append(A)
        ks.append(HeadMap(tuple(perm), tuple(blocks)))
    tokens = list(range(n))
    rng.shuffle(tokens)
    group = group_from_dict({"generators": {"g": {"tokens": tokens, "input": [["0", "1"], ["1", "0"]]}}}, net)
    points = tuple(ImmutableMatrix([Rational(rng.randint(-2, 2), 2) for _ in range(n * 2)]) for _ in range(2))
    return Case(net, group, tuple(ks), points)


#: architecture name -> strategy of cases; every registered architecture must have one.
CASES: dict[str, Any] = {"mlp": mlp_cases(), "attention": attention_cases()}


def _conv_cases() -> Any:
    from conv_strategies import conformance_cases  # circular convolutions (tests/conv_strategies.py)

    return conformance_cases(Case)


CASES["conv"] = _conv_cases()


def _value(net: Any, x: ImmutableMatrix) -> ImmutableMatrix:
    return net.value(x).applyfunc(lambda v: sympy.simplify(sympy.expand(v)))


def _same(a: ImmutableMatrix, b: ImmutableMatrix) -> bool:
    return all(sympy.simplify(sympy.expand(u - v)) == 0 for u, v in zip(a, b))


# -- the properties -------------------------------------------------------------------------------


def test_every_registered_architecture_has_cases() -> None:
    assert set(ARCHITECTURES) <= set(CASES), f"add a case strategy for {set(ARCHITECTURES) - set(CASES)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_networks_satisfy_the_protocol(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        assert isinstance(case.net, Architecture)
        assert case.net.architecture == name
        for i in range(1, case.net.depth):
            assert isinstance(case.net.latent_group(i), LatentGroup)

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_act_keeps_the_function(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        moved = case.net.act(case.k)
        for x in case.points:
            assert _same(_value(moved, x), _value(case.net, x))

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_twist_is_the_adjunction(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        for g in case.group.names:
            rho0, rhoL = case.group.generator(g)
            twisted = case.net.twist(case.group, g)
            for x in case.points:
                assert _same(rhoL * _value(twisted, x), _value(case.net, rho0 * x))

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_solve_layer_finds_the_element_relating_theta_and_k_theta(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        net, ks = case.net, case.k
        # other = k . theta satisfies f_i(.; other_i) = k_i o f_i(.; theta_i) o k_{i-1}^-1, which
        # is solve_layer's equation: k_i must be among layer i's solutions given k_{i-1}.
        other = net.act(ks)
        prev = None
        for i in range(1, net.depth):
            K = net.latent_group(i)
            try:
                found = list(net.solve_layer(i, prev, other, Budget(10_000)))
            except NotEnumerable:  # a continuum of solutions (allowed; the architecture says so)
                return
            assert any(K.equal(k, ks[i - 1]) for k in found), (i, [k.describe() for k in found])
            prev = ks[i - 1]
        last = list(net.solve_layer(net.depth, prev, other, Budget(10_000)))
        assert len(last) == 1 and last[0].is_identity()

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_latent_group_laws_agree_with_the_maps_on_the_space(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        for i, k in enumerate(case.k, start=1):
            K = case.net.latent_group(i)
            e = K.identity()
            assert K.equal(K.compose(k, K.inverse(k)), e) and K.equal(K.compose(e, k), k)
            M1, t1 = K.on_space(k)
            M2, t2 = K.on_space(K.compose(k, k))
            assert _same(M2, M1 * M1) and _same(t2, M1 * t1 + t1)
            assert K.equal(K.from_evidence(k.to_dict()), k)

    check()


@pytest.mark.parametrize("name", sorted(CASES))
def test_files_round_trip(name: str) -> None:
    @SETTINGS
    @given(CASES[name])
    def check(case: Case) -> None:
        assert network_from_dict(network_to_dict(case.net)) == case.net

    check()
