"""Functional dimension, hidden symmetries, and the ``symeq symmetries`` command."""

from __future__ import annotations

import json

import flint
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy import Integer, Rational

from symeq.activations import activation
from symeq.cli import main
from symeq.errors import InputError
from symeq.exact import domain_matrix
from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.sampling import random_network
from symeq.symmetry.functional_dimension import functional_dimension
from symeq.architectures.mlp.latent_group import orbit_tangents
from symeq.architectures.mlp.first_order import prove_first_order
from symeq.architectures.mlp.sampling import default_inputs
from symeq.architectures.mlp.jacobian_exact import OnKink, exact_jacobian


def _n_params(widths):
    return sum(widths[i] * widths[i - 1] + widths[i] for i in range(1, len(widths)))


# -- known values ------------------------------------------------------------------------------
@pytest.mark.parametrize("widths", [(2, 2, 1), (2, 3, 2), (3, 4, 4, 2), (2, 5, 5, 5, 1)])
def test_relu_params_minus_hidden_neurons(widths):
    fd = functional_dimension(random_network("relu", widths, seed=0))
    hidden = sum(widths[1:-1])
    assert fd.n_params == _n_params(widths)
    assert (fd.rank, fd.status, fd.dim_K, fd.orbit_dim, fd.hidden_symmetries) == (
        fd.n_params - hidden, "exact", hidden, hidden, 0)
    assert fd.locally_identifiable is True


@pytest.mark.parametrize("widths", [(2, 3, 1), (3, 4, 2), (2, 3, 3, 1)])
def test_tanh_full_rank(widths):
    fd = functional_dimension(random_network("tanh", widths, seed=1))
    assert (fd.rank, fd.status, fd.dim_K, fd.hidden_symmetries) == (_n_params(widths), "exact", 0, 0)


@pytest.mark.parametrize("widths", [(2, 3, 1), (3, 2, 4, 2), (3, 4, 2), (1, 3, 3)])
def test_linear_networks_rank_bounded_affine_maps(widths):
    fd = functional_dimension(random_network("identity", widths, seed=2))
    r = min(widths)
    d0, dl = widths[0], widths[-1]
    assert fd.status == "exact"
    assert fd.rank == r * (d0 + dl - r) + dl
    assert fd.hidden_symmetries == 0


def test_quadratic_network_design_lesson():
    fd = functional_dimension(random_network("power:2", (3, 5, 5, 1), seed=0))
    assert (fd.rank, fd.status) == (35, "exact")
    assert fd.hidden_symmetries == 56 - 10 - 35 == len(fd.hidden_directions)
    assert all("vanishes on the grid" in p for p in fd.hidden_proofs)


# -- degenerate parameters ---------------------------------------------------------------------
def _dup(act):  # neurons 0 and 1 identical (incoming row and bias)
    return MLP(activation(act), (M([[1, 2], [1, 2], [-1, 3]]), M([[2, -1, 3]])),
               (M([Rational(1, 2), Rational(1, 2), Rational(-1, 3)]), M([1])))


def _zero_row(act):  # neuron 0 has no incoming weight: constant sigma(1/2)
    return MLP(activation(act), (M([[0, 0], [1, 2], [-1, 3]]), M([[2, -1, 3]])),
               (M([Rational(1, 2), Rational(1, 5), Rational(-1, 3)]), M([1])))


def _span_rank(vectors):
    with flint.ctx.workprec(256):
        from symeq.ranks import arb_rows, certified_rank

        return certified_rank(arb_rows(vectors))


def _e(n, *pairs):
    v = [Integer(0)] * n
    for k, x in pairs:
        v[k] = sympy.sympify(x)
    return tuple(v)


@pytest.mark.parametrize("act,rank,hidden", [("relu", 7, 3), ("tanh", 9, 4), ("sigmoid", 9, 4),
                                             ("power:3", 7, 3)])
def test_duplicate_neuron(act, rank, hidden):
    net = _dup(act)
    fd = functional_dimension(net)
    # the same function as the [2, 2, 1] network with the two neurons merged
    assert (fd.rank, fd.status, fd.hidden_symmetries) == (rank, "exact", hidden)
    assert len(fd.hidden_directions) == hidden
    # moving outgoing weight from neuron 1 to neuron 0 (W2[0,1] is theta[10], W2[0,0] theta[9])
    transfer = _e(13, (10, 1), (9, -1))
    assert prove_first_order(net, transfer)
    known = list(orbit_tangents(net)) + list(fd.hidden_directions)
    assert _span_rank(known + [transfer]) == _span_rank(known)
    assert _span_rank(known + [_e(13, (0, 1))]) == _span_rank(known) + 1


@pytest.mark.parametrize("act,rank,hidden", [("relu", 9, 1), ("tanh", 11, 2), ("gelu", 11, 2)])
def test_zero_row(act, rank, hidden):
    net = _zero_row(act)
    fd = functional_dimension(net)
    assert (fd.rank, fd.status, fd.hidden_symmetries) == (rank, "exact", hidden)
    sigma = activation(act).value(Rational(1, 2))
    absorb = _e(13, (9, 1), (12, -sigma))  # outgoing weight of neuron 0 into the output bias
    assert prove_first_order(net, absorb)
    known = list(orbit_tangents(net)) + list(fd.hidden_directions)
    assert _span_rank(known + [absorb]) == _span_rank(known)


def test_first_order_proof_rejects_a_real_change():
    net = _dup("tanh")
    assert prove_first_order(net, _e(13, (9, 1))) is None
    assert prove_first_order(net, _e(13, (0, 1), (2, -1))) is None  # first coordinate: 1 vs -1


# -- the exact Jacobian against sympy ----------------------------------------------------------
@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["relu", "leaky_relu:1/10", "power:2", "identity", "poly:z^3+z"]),
       st.integers(0, 10_000))
def test_exact_jacobian_matches_sympy(spec, seed):
    net = random_network(spec, (2, 2, 1), seed=seed)
    xs = default_inputs(net, 3, seed)
    jac = exact_jacobian(net, xs)
    syms = sympy.symbols(f"p0:{net.n_params}", real=True)
    sym_net = net.with_parameters(syms)
    values = dict(zip(syms, net.parameters()))
    for k, x in enumerate(xs):
        f = sym_net.forward(M(x))[0]
        # Max differentiates to Heaviside, which evaluates exactly at the (kink-free) values
        expected = [sympy.expand(sympy.diff(f, s).subs(values)) for s in syms]
        got = [Rational(int(v), jac.row_den[k]) for v in jac.matrix[k]]
        assert expected == got


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_rank_agrees_with_domain_matrix(seed, width):
    net = random_network("relu", (2, width, 1), seed=seed)
    fd = functional_dimension(net, seed=seed)
    xs = default_inputs(net, 3 * net.n_params, seed)
    jac = exact_jacobian(net, xs)
    rank = domain_matrix(M(jac.matrix.tolist())).rank()
    assert fd.lower >= rank or fd.status == "exact"
    assert fd.upper >= rank
    if fd.status == "exact":
        assert fd.rank == rank


def test_inputs_and_bad_networks():
    net = MLP(activation("relu"), (M([[1, -1]]), M([[1]])), (M([0]), M([0])))
    with pytest.raises(InputError):
        functional_dimension(net, inputs=[(1, 1)])  # on the kink
    with pytest.raises(OnKink):
        exact_jacobian(net, [(2, 2)])
    few = [("1", "3"), ("2", "-5"), ("7", "1"), ("-3", "1/2")]
    fd = functional_dimension(net, inputs=few)  # two inputs see the neuron off: rank 3 only
    assert (fd.n_inputs, fd.lower, fd.upper, fd.status, fd.rank) == (4, 3, 4, "certified-lower-bound", None)
    fd = functional_dimension(net, inputs=few + [("5", "1"), ("4", "-4")])
    assert (fd.n_inputs, fd.rank, fd.status) == (6, 4, "exact")
    symbolic = MLP(activation("tanh"), (M([[sympy.Symbol("w", real=True)]]),), (M([0]),))
    with pytest.raises(InputError):
        functional_dimension(symbolic)


# -- the command -------------------------------------------------------------------------------
def test_cli_json(capsys):
    assert main(["symmetries", "--arch", "relu:2-3-1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    fd = out["functional_dimension"]
    assert (fd["rank"], fd["status"], fd["n_params"], fd["dim_K"], fd["hidden_symmetries"]) == (10, "exact", 13, 3, 0)
    assert out["relations"]["status"] == "complete"
    assert out["latent_groups"][0]["kind"] == "positive_monomial"
    assert all(p["holds"] for p in out["latent_groups"][0]["proofs"])


def test_cli_splits_at_last_colon(capsys):
    assert main(["symmetries", "--arch", "power:2:2-2-1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["network"]["activation"] == "power:2" and out["network"]["widths"] == [2, 2, 1]


def test_cli_text_and_formula(capsys):
    assert main(["symmetries", "--arch", "exp(z):1-2-1", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "functional dimension: 5 (exact)" in text and "(1, t, exp(t), 0) for t real" in text


def test_cli_file(tmp_path, capsys):
    path = tmp_path / "net.toml"
    path.write_text('[network]\narchitecture = "mlp"\nactivation = "tanh"\nwidths = [1, 2, 1]\n'
                    'weights = [[["1"], ["1"]], [["2", "3"]]]\nbiases = [["0", "0"], ["0"]]\n')
    assert main(["symmetries", str(path), "--json"]) == 0
    fd = json.loads(capsys.readouterr().out)["functional_dimension"]
    # f = 5 tanh(x): gradients span x tanh'(x), tanh'(x), tanh(x), 1
    assert (fd["rank"], fd["hidden_symmetries"]) == (4, 3)


@pytest.mark.parametrize("argv", [["--arch", "relu:2"], ["--arch", "nosuch:2-3-1"], ["--arch", "tanh:2-x-1"],
                                  ["--arch", "tanh:2-0-1"], ["--arch", "tanh2-3"], [],
                                  ["missing.toml"], ["missing.toml", "--arch", "tanh:2-2-1"],
                                  ["--arch", "formula:eval(z):2-2-1"], ["--arch", "relu:300-300-1"]])
def test_cli_bad_input(argv, capsys):
    assert main(["symmetries", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_random_network_skips_the_genericity_check_past_the_exact_budget():
    """relu 60-60-1 (3721 parameters > MAX_PARAMS_EXACT) built exact Jacobians at 7000+ inputs
    per draw, for a functional dimension that is not computed at that size anyway."""
    import time

    start = time.monotonic()
    net = random_network("relu", (60, 60, 1), seed=0)
    assert net.n_params == 3721 and time.monotonic() - start < 5


def test_deep_tanh_is_certified_full_rank(capsys):
    # issue 12: tanh:2-5-5-5-1 at the default --arch parameter ended with bounds [79, 81]; the
    # ball path now proves the rank 81 (a minor certified at higher precision)
    from symeq.cli import main

    assert main(["symmetries", "--arch", "tanh:2-5-5-5-1", "--json"]) == 0
    fd = json.loads(capsys.readouterr().out)["functional_dimension"]
    assert (fd["lower"], fd["upper"], fd["rank"], fd["status"]) == (81, 81, 81, "exact")


def test_many_proved_kernel_directions_are_tried_within_a_budget() -> None:
    """A tanh 2-24-2 network of two neurons repeated 12 times has hundreds of proved kernel directions;
    at most MAX_HIDDEN_CANDIDATES are tried as hidden symmetries (each try is a certified rank),
    and the search stops once the kernel is spanned: it took minutes before, unbounded."""
    from symeq.architectures import network_from_dict
    from symeq.symmetry.functional_dimension import MAX_HIDDEN_CANDIDATES, functional_dimension

    # two distinct rows, each twelve times: 132 pairs of related neurons
    net = network_from_dict({"activation": "tanh",
                             "weights": [[["1", "2"], ["2", "1"]] * 12, [["1", "3"] * 12, ["3", "1"] * 12]],
                             "biases": [["0"] * 24, ["0", "0"]]})
    fd = functional_dimension(net)
    assert any(f"first {MAX_HIDDEN_CANDIDATES} of" in n for n in fd.notes), fd.notes
    assert fd.lower <= fd.upper and 0 < len(fd.hidden_directions) <= fd.n_params - fd.orbit_dim - fd.lower


def test_a_relu_neuron_at_its_kink_for_every_input_gives_unknown_not_an_error() -> None:
    """Zero row and zero bias: relu(0 x + 0) is not differentiable in the parameters at any input,
    so no input is sampled and the functional dimension is unknown with that reason (it used to
    end in 'every input must have 1 coordinates', exit 2)."""
    net = MLP(activation("relu"), (M([[0], [1]]), M([[1, 1]])), (M([0, 1]), M([0])))
    fd = functional_dimension(net)
    assert (fd.status, fd.rank, fd.lower, fd.upper, fd.n_inputs) == ("unknown", None, 0, 5, 0)
    assert "pre-activation is identically 0" in fd.notes[0]
