"""The linear bypass (docs/theory.md section 6): engine proof, independent checker, counterexamples.

A hidden layer made entirely of bypass pairs (negated incoming row and bias, negated outgoing
column) passes an affine function on, because sigma(z) - sigma(-z) = kappa z for relu,
leaky_relu, gelu, softplus and swish.  These tests prove those identities symbolically, check
exact verdicts of ``check_equivariance`` and the ``linear_bypass`` evidence, tamper with
certificates (each rejection names its exact reason), and let hypothesis build bypass networks
of random equivariant maps (they verify) and perturb one weight (they no longer do).
"""

from __future__ import annotations

import copy
import random

import pytest
import sympy
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Integer, Rational

from symeq.activations import activation
from symeq.certify.build import certificate, check_certificate
from symeq.certify.verify import verify_certificate
from symeq.certify.reader import Reader
from symeq.certify.second_tier import BYPASS as BYPASS_IDENTITIES
from symeq.counterexamples.constructions import bypass_factor, bypass_network, equivariant_linear_maps
from symeq.counterexamples.reparam import refute_layerwise_reparam
from symeq.architectures.mlp.bypass import BYPASS_ACTIVATIONS, bypass_pairs, linear_bypass
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.groups import catalog_group
from symeq.exact import is_exact_zero
from symeq.architectures import network_from_dict
from symeq.architectures.mlp.model import MLP

C8 = catalog_group("C8", 2, 2)
z = sympy.Symbol("z", real=True)
KAPPA = {"relu": 1, "gelu": 1, "softplus": 1, "swish": 1, "leaky_relu:1/10": Rational(11, 10),
         "leaky_relu:1/3": Rational(4, 3)}


# -- lemma B1, proved symbolically ---------------------------------------------------------------


@pytest.mark.parametrize("spec", ["gelu", "softplus", "swish"])
def test_smooth_bypass_identities(spec):
    sigma = activation(spec).expr
    assert sympy.simplify(sigma(z) - sigma(-z) - z) == 0
    # the formulas the checker evaluates with balls are the same functions
    assert bypass_factor(spec) == 1 == BYPASS_IDENTITIES[spec][0](None)


@pytest.mark.parametrize("spec", ["relu", "leaky_relu:1/10", "leaky_relu:1/3"])
def test_piecewise_linear_bypass_identities(spec):
    slope = Rational(spec.split(":")[1]) if ":" in spec else Integer(0)
    pos, neg = sympy.Symbol("p", positive=True), sympy.Symbol("n", negative=True)

    def sigma(v):  # relu / leaky_relu with the sign of v known
        return v if v.is_positive else slope * v

    for v in (pos, neg):
        assert sympy.expand(sigma(v) - sigma(-v) - KAPPA[spec] * v) == 0
    act = Reader({}).activation(spec)
    kappa = BYPASS_IDENTITIES[act.name][0](act.slope)
    assert bypass_factor(spec) == KAPPA[spec] == sympy.Rational(str(kappa))


@pytest.mark.parametrize("spec", ["tanh", "sigmoid", "sin", "power:2", "identity"])
def test_no_bypass_identity_elsewhere(spec):
    assert bypass_factor(spec) is None
    assert spec.split(":")[0] not in BYPASS_IDENTITIES
    if spec not in ("identity", "power:2"):  # not linear: the difference at 2 is not twice that at 1
        sigma = activation(spec).expr
        d = lambda v: sigma(Integer(v)) - sigma(Integer(-v))  # noqa: E731
        assert abs(float(d(2) - 2 * d(1))) > 1e-3


# -- exact verdicts ------------------------------------------------------------------------------


def verified(cert):
    v = verify_certificate(cert)
    assert v.ok, v.reason
    return v


@pytest.mark.parametrize("spec", ["gelu", "softplus", "swish", "leaky_relu:1/10", "leaky_relu:1/3"])
def test_c8_bypass_holds_by_linear_bypass(spec):
    net = bypass_network(spec, (2, 4, 2), C8)
    result = check_equivariance(net, C8, tries=5)
    expected = "relu_canonical_form" if spec.startswith("leaky") else "linear_bypass"  # (c) decides depth 2
    assert (result.verdict, result.method) == ("holds", expected)
    out = linear_bypass(net, C8)
    assert out.status == "holds"
    assert out.proof.pairs == (((0, 2), (1, 3)),)
    assert out.proof.matrix == ImmutableMatrix.eye(2) and out.proof.shift == ImmutableMatrix.zeros(2, 1)
    assert out.proof.kappa == KAPPA[spec]
    v = verified(certificate(net, C8, "equivariant", out.proof.evidence()))
    assert v.steps[-1] == "generator r: A rho_0(r) = rho_L(r) A and rho_L(r) a = a, so f(rho_0(r) x) = rho_L(r) f(x)"
    if not spec.startswith("leaky"):
        verified(check_certificate(net, C8, result))


@pytest.mark.parametrize("spec", ["relu", "gelu", "leaky_relu:1/10"])
def test_deep_bypass_holds(spec):
    # two bypass layers (the relu canonical form covers one hidden layer only)
    net = bypass_network(spec, (2, 4, 4, 2), C8)
    result = check_equivariance(net, C8, tries=5)
    assert (result.verdict, result.method) == ("holds", "linear_bypass")
    assert result.evidence()["pairs"] == [[[0, 2], [1, 3]], [[0, 2], [1, 3]]]
    assert result.to_dict()["affine_map"]["matrix"] == [["1", "0"], ["0", "1"]]
    verified(check_certificate(net, C8, result))


def test_padded_bypass_holds_on_the_submodel():
    net = bypass_network("gelu", (2, 5, 2), C8)  # neuron 4 is a zero neuron without partner
    assert bypass_pairs(net) is None
    result = check_equivariance(net, C8, tries=5)
    assert (result.verdict, result.method) == ("holds", "reduction+linear_bypass")
    ev = result.evidence()
    assert ev["method"] == "via_reduction" and ev["reduced_equivariance"]["method"] == "linear_bypass"
    assert [s["op"] for s in ev["steps"]] == ["drop_zero_column"]
    verified(check_certificate(net, C8, result))
    # two zero neurons pair with each other: the network itself is a bypass
    assert bypass_pairs(bypass_network("gelu", (2, 6, 2), C8)) == (((0, 2), (1, 3), (4, 5)),)


def test_non_equivariant_bypass_fails_with_a_witness():
    net = bypass_network("gelu", (2, 4, 2), C8, ImmutableMatrix([[1, 0], [0, 2]]))
    out = linear_bypass(net, C8)
    assert (out.status, out.generator, out.point) == ("fails", "r", (1, 0))
    assert out.reason.endswith("for generator r: column 0 of A rho_0(g) - rho_L(g) A is not 0")
    result = check_equivariance(net, C8, tries=5)
    assert (result.verdict, result.method) == ("fails", "witness")
    assert result.witness.x == (1, 0) and not result.witness.exact
    verified(check_certificate(net, C8, result))


def test_symbolic_bypass_holds_for_every_value():
    net = network_from_dict({"activation": "swish", "weights": [[["w", "0"], ["0", "w"], ["-w", "0"], ["0", "-w"]],
                                                                [["c", "0", "-c", "0"], ["0", "c", "0", "-c"]]],
                             "biases": [["0", "0", "0", "0"], ["0", "0"]]})
    out = linear_bypass(net, C8)
    assert out.status == "holds" and out.proof.evidence()["matrix"] == [["c*w", "0"], ["0", "c*w"]]
    result = check_equivariance(net, C8, tries=5)
    assert (result.verdict, result.method) == ("holds", "linear_bypass")
    assert verified(check_certificate(net, C8, result)).claim.endswith(
        "swish MLP 2-4-2, symbols c, w; method linear_bypass; for every real value of the symbols c, w")
    G = catalog_group("sign", 1, 1)
    # with a bias pair the shift kappa c beta must be fixed by -1: false for beta != 0
    shifted = network_from_dict({"activation": "swish", "weights": [[["w"], ["-w"]], [["c", "-c"]]],
                                 "biases": [["1", "-1"], ["0"]]})
    out = linear_bypass(shifted, G)
    assert (out.status, out.point) == ("fails", None)
    assert "rho_L(g) a != a" in out.reason


@pytest.mark.parametrize("spec", ["gelu", "softplus", "swish"])
def test_layerwise_reparam_refuted_with_a_certificate(spec):
    out = refute_layerwise_reparam(spec, (2, 4, 2), C8)
    assert out.verdict == "refuted"
    assert out.certificate()["evidence"]["equivariance"]["method"] == "linear_bypass"
    assert out.certificate()["evidence"]["non_constant"] == {"x": ["0", "0"], "y": ["1", "0"], "coordinate": 0}
    verified(out.certificate())


# -- the checker rejects tampered evidence --------------------------------------------------------


def c8_cert(spec: str = "gelu", E=None) -> dict:
    net = bypass_network(spec, (2, 4, 2), C8, E)
    out = linear_bypass(net, C8)
    return certificate(net, C8, "equivariant", out.proof.evidence())


def tamper_network(cert: dict, layer: int, row: int, col: int, value: str) -> dict:
    cert["network"]["weights"][layer][row][col] = value
    return cert


@pytest.mark.parametrize("tamper, reason", [
    (lambda c: c["evidence"].update(pairs=[[[0, 1], [2, 3]]]),
     "layer 1, pair [0, 1]: the rows, biases and outgoing columns are not negated"),
    (lambda c: c["evidence"].update(pairs=[[[0, 2]]]), "layer 1: the pairs [j, k] must partition its 4 neurons"),
    (lambda c: c["evidence"].update(pairs=[[[0, 2], [2, 1], [1, 3]]]), "layer 1: the pairs [j, k] must partition its 4 neurons"),
    (lambda c: c["evidence"].update(pairs=[[[0, 0], [1, 3]]]), "layer 1: the pairs [j, k] must partition its 4 neurons"),
    (lambda c: c["evidence"].update(pairs=[[[0, 2], [1, 4]]]), "layer 1: the pairs [j, k] must partition its 4 neurons"),
    (lambda c: c["evidence"].update(pairs=[[[0, 2], [1, 3]], []]), "evidence pairs must list 1 hidden layer(s)"),
    (lambda c: c["evidence"].update(kappa="1"), "evidence has unexpected key(s): kappa"),
    (lambda c: c["evidence"].pop("matrix"), "evidence is missing 'matrix'"),
    (lambda c: c["evidence"]["matrix"][0].__setitem__(0, "2"),
     "stated (A | a) = recomputed (A | a) fails at entry (1, 1): 2 != 1"),
    (lambda c: c["evidence"].update(shift=["0", "1"]),
     "stated (A | a) = recomputed (A | a) fails at entry (3, 2): 1 != 0"),
    # a pair whose outgoing column is not negated
    (lambda c: tamper_network(c, 1, 0, 2, "-2"),
     "layer 1, pair [0, 2]: the rows, biases and outgoing columns are not negated"),
    (lambda c: c["network"]["biases"][0].__setitem__(2, "1"),
     "layer 1, pair [0, 2]: the rows, biases and outgoing columns are not negated"),
    # an activation without a bypass identity
    (lambda c: c["network"].update(activation="tanh"),
     "tanh has no trusted identity sigma(z) - sigma(-z) = kappa z (only relu, leaky_relu, gelu, softplus, swish)"),
    (lambda c: c["network"].update(activation="sigmoid"), "sigmoid has no trusted identity"),
])
def test_tampered_linear_bypass_is_rejected(tamper, reason):
    cert = c8_cert()
    tamper(cert)
    v = verify_certificate(cert)
    assert not v.ok and reason in v.reason, v.reason


def test_bypass_of_a_non_equivariant_map_is_rejected():
    cert = c8_cert("softplus", ImmutableMatrix([[1, 0], [0, 2]]))
    assert cert["evidence"]["matrix"] == [["1", "0"], ["0", "2"]]
    v = verify_certificate(cert)
    assert not v.ok
    assert v.reason == "generator r: A rho_0 = rho_L A, rho_L a = a fails at entry (1, 2): -1/2*sqrt(2) != -sqrt(2)"


def test_leaky_kappa_is_recomputed_by_the_checker():
    cert = c8_cert("leaky_relu:1/10")
    verified(cert)
    cert["network"]["activation"] = "leaky_relu:1/5"  # kappa 6/5: the stated map is now wrong
    v = verify_certificate(cert)
    assert v.reason == "stated (A | a) = recomputed (A | a) fails at entry (1, 1): 1 != 12/11"


def test_counterexample_certificate_rechecks_the_bypass():
    cert = copy.deepcopy(refute_layerwise_reparam("swish", (2, 4, 2), C8).certificate())
    cert["evidence"]["equivariance"]["pairs"] = [[[0, 3], [1, 2]]]
    v = verify_certificate(cert)
    assert not v.ok and v.reason == ("equivariance: layer 1, pair [0, 3]: the rows, biases and outgoing columns "
                                     "are not negated"), v.reason


def test_via_reduction_accepts_linear_bypass_only_when_it_holds():
    net = bypass_network("gelu", (2, 5, 2), C8)
    cert = check_certificate(net, C8, check_equivariance(net, C8, tries=5))
    verified(cert)
    cert["evidence"]["reduced_equivariance"]["shift"] = ["1", "0"]
    v = verify_certificate(cert)
    assert v.reason == "the reduced network: stated (A | a) = recomputed (A | a) fails at entry (3, 1): 1 != 0"


# -- hypothesis: random equivariant maps through the bypass ----------------------------------------

GROUPS = {"C4": catalog_group("C4", 2, 2), "C8": C8, "S2": catalog_group("S2", 2, 2),
          "S3": catalog_group("S3", 3, 3), "D3": catalog_group("D3", 2, 2)}
MAPS = {name: [m for m in equivariant_linear_maps(G) if all(x.is_Rational for x in m)][:3]
        for name, G in GROUPS.items()}


@st.composite
def bypass_cases(draw):
    """(net, group, E, t): a bypass network of f(x) = E x + t, E = sum c_k B_k a random integer
    combination of G-equivariant maps, t a random G-fixed vector, with random biases in the
    first layer's pairs (compensated in the output bias)."""
    name = draw(st.sampled_from(sorted(GROUPS)))
    G = GROUPS[name]
    coeffs = draw(st.lists(st.integers(-2, 2), min_size=len(MAPS[name]), max_size=len(MAPS[name])))
    E = ImmutableMatrix(sum((c * m for c, m in zip(coeffs, MAPS[name])), sympy.zeros(*MAPS[name][0].shape)))
    if E.rank() == 0:  # all coefficients 0 (or cancelling): the first map
        E = MAPS[name][0]
    spec = draw(st.sampled_from(["relu", "gelu", "softplus", "swish", "leaky_relu:1/10"]))
    r = E.rank()
    depth = draw(st.integers(1, 2))
    net = bypass_network(spec, (G.input_dim,) + (2 * r,) * depth + (G.output_dim,), G, E)
    # biases: pairs (beta, -beta) in layer 1; output bias t - V beta with V U = E
    beta = ImmutableMatrix([draw(st.integers(-2, 2)) for _ in range(r)])
    s = ImmutableMatrix([draw(st.integers(-2, 2)) for _ in range(G.output_dim)])
    t = ImmutableMatrix(sum((b * s for _, b in G.elements()), sympy.zeros(G.output_dim, 1)))
    U = net.weights[0][:r, :]
    V = E * U.T * (U * U.T).inv()
    assert V * U == E
    b1 = ImmutableMatrix.vstack(beta, -beta)
    net = MLP(net.activation, net.weights, (b1,) + net.biases[1:-1] + (t - V * beta,))
    return net, G, E, t


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bypass_cases(), st.randoms(use_true_random=False))
def test_random_equivariant_bypass_verifies_and_a_perturbation_does_not(case, rnd: random.Random):
    net, G, E, t = case
    out = linear_bypass(net, G)
    assert out.status == "holds", out.reason
    assert (out.proof.matrix, out.proof.shift) == (E, t)  # the map built, recomputed by the engine
    verified(certificate(net, G, "equivariant", out.proof.evidence()))
    result = check_equivariance(net, G, tries=20)
    assert result.verdict == "holds"
    verified(check_certificate(net, G, result))

    # One weight changed: some neuron loses its partner, so no linear bypass proves it.  The
    # network is then (almost always) not equivariant: check_equivariance refutes it with a
    # certified witness.  Otherwise the change kept the function equivariant -- e.g. for S2 and
    # E = [[1, 1], [1, 1]] everything factors through x1 + x2, and check proves it layerwise --
    # or, in deep relu networks, kept the very function (relu(relu(u)) = relu(u) and
    # relu(relu(u) - 2 relu(-u)) = relu(u)): then nothing decides it ("unknown"), and the network
    # is indeed equivariant at every sampled rational point, exactly.
    i = rnd.randrange(net.depth)
    w = net.weights[i]
    r, c = rnd.randrange(w.rows), rnd.randrange(w.cols)
    bumped = w.as_mutable()
    bumped[r, c] += rnd.choice([1, -1, 2])
    moved = net.with_layer(i + 1, ImmutableMatrix(bumped), net.biases[i])
    assert linear_bypass(moved, G).status == "not_applicable"
    assert bypass_pairs(moved) is None
    result = check_equivariance(moved, G, tries=200)
    event(f"perturbed: {result.verdict} ({result.method})")
    if result.verdict == "fails":
        assert result.method == "witness"
        verified(check_certificate(moved, G, result))
    elif result.verdict == "holds" and result.method != "relu_regions":
        assert result.method not in ("linear_bypass", "reduction+linear_bypass")
        verified(check_certificate(moved, G, result))
    else:
        # deep relu: decided by activation regions (no certificate format yet), else unknown
        assert (result.verdict, result.method) in (("holds", "relu_regions"), ("unknown", "none"))
        assert result.certificate() is None
        assert moved.activation.piecewise_linear and moved.depth >= 3, result.reason
        for _ in range(20):
            x = ImmutableMatrix([Rational(rnd.randint(-9, 9), rnd.randint(1, 4)) for _ in range(G.input_dim)])
            for _g, rho0, rho_l in G.generators():
                diff = (moved.value(rho0 * x) - rho_l * moved.value(x)).applyfunc(sympy.expand)
                assert all(is_exact_zero(v) for v in diff)


def test_bypass_activations_agree_with_the_checker():
    assert set(BYPASS_ACTIVATIONS) == set(BYPASS_IDENTITIES)


# -- power:2: bias pairs (y + 1)^2 - (y - 1)^2 = 4 y ---------------------------------------------


@pytest.mark.parametrize("widths", [(2, 4, 2), (2, 4, 4, 2), (2, 5, 6, 2)])
def test_power2_bias_pairs_compute_the_linear_map(widths):
    E = ImmutableMatrix([[1, 2], [-2, 1]])  # a I + b J commutes with every rotation
    net = bypass_network("power:2", widths, C8, E)
    assert net.biases[0][:4, :].T.tolist() == [[1, 1, -1, -1]]
    x = ImmutableMatrix(sympy.symbols("x1 x2", real=True))
    assert net.value(x).applyfunc(sympy.expand) == E * x  # exactly, as polynomials
    result = check_equivariance(net, C8, tries=5)
    assert (result.verdict, result.method) == ("holds", "polynomial_identity")
    assert linear_bypass(net, C8).reason == "power:2 has no identity sigma(z) - sigma(-z) = kappa z"


def test_power2_layerwise_reparam_refuted_with_certificate():
    # the checker verifies power:M classification proofs (lemma L3; tests/test_counterexample_power.py)
    out = refute_layerwise_reparam("power:2", (2, 4, 2), C8)
    assert out.verdict == "refuted" and out.certificate() is not None
    assert "G-equivariant (polynomial_identity) and not constant" in out.message
    assert "the checker does not verify classification proofs" not in out.message
    assert out.certificate()["evidence"]["latent_kind"] == "signed_lift"
    assert out.network.weights[0].tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]
