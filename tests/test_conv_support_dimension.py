"""The functional dimension of a convolutional network with a stated filter support.

Its coordinates are the filter entries at the support's offsets, the biases and the readout
(``ConvNet.coordinates``), not every entry of ``parameters()``.  The rank is compared with an
independent computation: the lowered MLP of the network with one *symbol* per coordinate,
differentiated by sympy at rational inputs (nothing of symeq's Jacobian code is used).
"""

from __future__ import annotations

import itertools
import json
import random

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symeq.activations import activation
from symeq.architectures.conv import from_dict
from symeq.architectures.conv.grid import Grid
from symeq.architectures.conv.identifiability import degenerate_directions, identify
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.model import ConvNet
from symeq.cli import main
from symeq.symmetry.functional_dimension import functional_dimension, restrict

HEAD = {"architecture": "conv", "grid": [6], "channels": [1, 2, 1]}


def symbolic_table(support: list[int]) -> tuple[dict, list[sympy.Symbol]]:
    """channels 1-2-1 on Z_6, every filter entry at the support and every bias a symbol."""
    names: list[str] = []

    def fresh(prefix: str) -> str:
        names.append(f"{prefix}{len(names)}")
        return names[-1]

    filters = [[[[fresh("w") for _ in support]] for _ in range(2)],
               [[[fresh("w") for _ in support] for _ in range(2)]]]
    biases = [[fresh("b"), fresh("b")], [fresh("b")]]
    table = dict(HEAD, support=[[q] for q in support], filters=filters, biases=biases, symbols=names)
    by_name = {str(s): s for s in from_dict(dict(table, activation="tanh")).symbols}
    return table, [by_name[n] for n in names]


def independent_jacobian(act: str, support: list[int], values: list[int], inputs: list[list[sympy.Rational]]):
    """d f(x; theta) / d(coordinates) at theta = values, by sympy on the lowered MLP."""
    table, syms = symbolic_table(support)
    mlp = from_dict(dict(table, activation=act)).to_mlp()
    at = dict(zip(syms, values))
    rows = []
    for x in inputs:
        for out in mlp.forward(sympy.Matrix(x)):
            rows.append([sympy.diff(out, s).subs(at) for s in syms])
    return sympy.Matrix(rows), syms


def concrete(act: str, support: list[int], values: list[int]):
    table, syms = symbolic_table(support)
    return from_dict(dict(table, activation=act)).subs(dict(zip(syms, values)))


def _inputs(count: int, seed: int) -> list[list[sympy.Rational]]:
    rng = random.Random(seed)
    return [[sympy.Rational(rng.randint(-6, 6), rng.choice([1, 2, 3])) for _ in range(6)] for _ in range(count)]


@pytest.mark.parametrize("act,support,expected", [
    ("power:2", [0, 1], (11, 2, 9)),
    ("power:2", [5, 0, 1], (15, 2, 13)),
    ("poly:z^3+z", [0, 1], (11, 0, 11)),
])
def test_polynomial_rank_equals_the_independent_sympy_rank(act: str, support: list[int], expected: tuple) -> None:
    rng = random.Random(len(support))
    n = 4 * len(support) + 3
    values = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(n)]
    net = concrete(act, support, values)
    fd = functional_dimension(net)
    assert (fd.n_params, fd.orbit_dim, fd.rank) == expected and fd.status == "exact"
    # an independent rank can only be a lower bound on the generic rank; at enough inputs it meets it
    J, syms = independent_jacobian(act, support, values, _inputs(4, 1))
    assert J.shape[1] == fd.n_params == len(syms)
    assert J.rank() == fd.rank
    # the coordinates are exactly the entries the symbols filled
    table, syms = symbolic_table(support)
    params = from_dict(dict(table, activation=act)).parameters()
    assert sorted(map(str, (params[k] for k in fd.coordinates))) == sorted(map(str, syms))
    assert all(params[k] == 0 for k in set(range(len(params))) - set(fd.coordinates))


def _numeric_rank(J: sympy.Matrix) -> tuple[int, mpmath.mpf, mpmath.mpf]:
    """Rank by singular values at 60 digits, with the gap that makes it unambiguous."""
    with mpmath.workdps(60):
        M = mpmath.matrix([[sympy.N(x, 60) for x in row] for row in J.tolist()])
        s = sorted(mpmath.svd_r(M, compute_uv=False), reverse=True)
        big = [v for v in s if v > mpmath.mpf(10) ** -25]
        small = [v for v in s if v <= mpmath.mpf(10) ** -25]
        return len(big), min(big), max(small) if small else mpmath.mpf(0)


@pytest.mark.parametrize("support,expected", [([0, 1], 11), ([5, 0, 1], 15)])
def test_tanh_rank_equals_the_independent_sympy_rank(support: list[int], expected: int) -> None:
    rng = random.Random(7 + len(support))
    n = 4 * len(support) + 3
    values = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(n)]
    fd = functional_dimension(concrete("tanh", support, values))
    assert (fd.n_params, fd.orbit_dim, fd.rank, fd.status) == (n, 0, expected, "exact")
    J, _ = independent_jacobian("tanh", support, values, _inputs(4, 2))
    rank, smallest_kept, largest_dropped = _numeric_rank(J)
    assert rank == fd.rank and smallest_kept > 1e-8 and largest_dropped < 1e-40


# -- degenerate channels: their directions stay inside the support ------------------------------

DEGENERATE = {
    # offset 0 is not in the support: the free filter entry of the unread channel is at offset 1
    "unread": dict(support=[[1], [2]], filters=[[[["1", "2"]], [["1", "1"]]], [[["1", "3"], ["0", "0"]]]],
                   biases=[["0", "1"], ["0"]]),
    "periodic": dict(support=[[0], [3]], filters=[[[["1", "1"]], [["1", "2"]]], [[["1", "3"], ["2", "1"]]]],
                     biases=[["0", "1"], ["0"]]),
    # offsets 5 and 1 of the filters reading the constant channel trade their weight
    "constant": dict(support=[[5], [1]], filters=[[[["0", "0"]], [["1", "2"]]], [[["1", "3"], ["2", "1"]]]],
                     biases=[["1", "1"], ["0"]]),
    # channel 1 is channel 0 negated (tanh is odd): y_1 = -y_0, traded at offset 1, not 0
    "related": dict(support=[[1], [2]], filters=[[[["1", "2"]], [["-1", "-2"]]], [[["1", "3"], ["2", "1"]]]],
                    biases=[["1", "-1"], ["0"]]),
}


@pytest.mark.parametrize("kind,nonzero,verdict", [
    ("unread", [7], "weakly identifiable"), ("periodic", [14, 17], "not identifiable"),
    ("constant", [15, 19], "weakly identifiable"), ("related", [15, 21], "weakly identifiable")])
def test_degenerate_directions_use_support_offsets(kind: str, nonzero: list[int], verdict: str) -> None:
    net = from_dict(dict(HEAD, activation="tanh", **DEGENERATE[kind]))
    (d,) = degenerate_directions(net)
    assert d.kind == kind and [k for k, x in enumerate(d.delta) if x != 0] == nonzero
    restrict(d.delta, net.coordinates())  # inside the support
    # theta + delta is a network of the same architecture (ConvNet refuses filters outside the
    # support) with the same function
    second = net.with_parameters([x + y for x, y in zip(net.parameters(), d.delta)])
    assert second.support == net.support
    for x in _inputs(3, 5):
        assert sympy.simplify(net.value(x) - second.value(x)) == sympy.zeros(6, 1)
    # unread, constant and related channels reduce to an identifiable submodel; a periodic one
    # is kept, and its direction is the witness
    r = identify(net, local=False)
    assert r.verdict == verdict
    if verdict == "not identifiable":
        assert r.witness.second == second


@pytest.mark.parametrize("kind,expected", [
    # (n_params, lower, upper, status, hidden directions' nonzero entries); tanh has no orbit
    # directions, so rank = 11 - #hidden.  Unread channel 1: its entries at offsets 1, 2 and its
    # bias are free.  Constant channel 0: the bias with compensation (entries 12 and 26, the
    # latter -tanh'(1) (1 + 3)) and the two filter entries reading it traded with the bias 26
    ("unread", (11, 8, 8, "exact", [[7], [8], [13]])),
    ("periodic", (11, 10, 10, "exact", [[14, 17]])),
    ("constant", (11, 8, 8, "exact", [[15, 19], [12, 26], [15, 26]])),
])
def test_tanh_hidden_directions_are_lifted_to_parameters(kind: str, expected: tuple) -> None:
    net = from_dict(dict(HEAD, activation="tanh", **DEGENERATE[kind]))
    fd = functional_dimension(net)
    support = [[k for k, x in enumerate(v) if x != 0] for v in fd.hidden_directions]
    assert (fd.n_params, fd.lower, fd.upper, fd.status, support) == expected
    assert all(len(v) == net.n_params for v in fd.hidden_directions)
    if kind == "constant":
        assert fd.hidden_directions[1][26] == sympy.expand(-4 * (1 - sympy.tanh(1) ** 2))
    as_json = fd.to_dict()
    assert as_json["coordinates"] == list(net.coordinates()) and len(as_json["coordinates"]) == 11


def test_power_unread_channel_hidden_symmetries() -> None:
    # 11 coordinates - 2 scalings - {offsets 1, 2 of the unread channel's filter}: rank 7, exact
    net = from_dict(dict(HEAD, activation="power:2", **DEGENERATE["unread"]))
    fd = functional_dimension(net)
    assert (fd.n_params, fd.orbit_dim, fd.rank, fd.status, fd.hidden_symmetries) == (11, 2, 7, "exact", 2)
    kept = set(net.coordinates())
    assert all(x == 0 for v in fd.hidden_directions for k, x in enumerate(v) if k not in kept)


# -- random supported networks ------------------------------------------------------------------


@st.composite
def supported_nets(draw):
    act = draw(st.sampled_from(["power:2", "poly:z^3+z", "relu", "tanh"]))
    N = draw(st.integers(3, 6))
    support = sorted(draw(st.sets(st.integers(0, N - 1), min_size=1, max_size=N - 1)))
    channels = draw(st.lists(st.integers(1, 2), min_size=2, max_size=3))
    dense = draw(st.sampled_from([0, 0, 1, 2])) if len(channels) >= 3 else 0
    if not dense:
        channels = [1] + channels
    else:
        channels = [1] + channels[:-1]
    seed = draw(st.integers(0, 10**6))
    rng = random.Random(seed)
    layers = []
    for i in range(len(channels) - 1):
        w = np.zeros((channels[i + 1], channels[i], N), dtype=np.int64)
        for c, c2, q in itertools.product(range(channels[i + 1]), range(channels[i]), support):
            w[c, c2, q] = rng.choice([-2, -1, 1, 2, 3])
        layers.append(Layer.from_ints(w, np.array([rng.randint(-2, 2) for _ in range(channels[i + 1])], dtype=np.int64)))
    if dense:
        w = np.array([[rng.randint(-2, 2) for _ in range(channels[-1] * N)] for _ in range(dense)], dtype=np.int64)
        layers.append(Layer.from_ints(w, np.array([rng.randint(-1, 1) for _ in range(dense)], dtype=np.int64)))
    net = ConvNet(activation(act), Grid((N,)), layers, readout="dense" if dense else "conv", support=support)
    count = sum(len(support) * channels[i] * channels[i + 1] + channels[i + 1] for i in range(len(channels) - 1))
    if dense:
        count += dense * channels[-1] * N + dense
    return net, count


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supported_nets())
def test_random_supported_networks(case) -> None:
    net, count = case
    fd = functional_dimension(net)
    assert fd.n_params == count == len(fd.coordinates)
    assert fd.lower <= fd.upper <= fd.n_params - fd.orbit_dim
    if fd.rank is not None:
        assert fd.rank <= fd.n_params - fd.orbit_dim
        assert fd.hidden_symmetries == fd.n_params - fd.orbit_dim - fd.rank
    if net.activation.name in ("power", "poly"):
        assert fd.status == "exact"
    kept = set(fd.coordinates)
    assert all(x == 0 for v in fd.hidden_directions for k, x in enumerate(v) if k not in kept)


# -- the command line ---------------------------------------------------------------------------


def test_symmetries_json_reports_the_supported_dimension(tmp_path, capsys) -> None:
    path = tmp_path / "supported.toml"
    path.write_text('[network]\narchitecture = "conv"\nactivation = "relu"\ngrid = [8]\nchannels = [1, 2]\n'
                    'support = [[0], [1], [-1]]\nfilters = [ [ [["1", "2", "1"]], [["0", "3", "-1"]] ] ]\n'
                    'biases = [ ["0", "1"] ]\n'
                    'readout = { weights = [["1", "1", "1", "1", "1", "1", "1", "1", '
                    '"2", "0", "2", "0", "2", "0", "2", "0"]], bias = ["0"] }\n')
    code = main(["symmetries", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    fd = out["functional_dimension"]
    assert code == 0 and out["verdict"] == "holds"
    assert (fd["n_params"], fd["orbit_dim"], fd["rank"], fd["status"]) == (25, 2, 23, "exact")
    assert fd["coordinates"] == [0, 1, 7, 8, 9, 15] + list(range(16, 35))
    main(["symmetries", str(path)])
    text = capsys.readouterr().out
    assert "functional dimension: 23 (exact; #params 25" in text
    assert "#params counts the filter entries at the 3 support offsets, the biases and the readout: 25 (35 with" in text


def test_a_constant_channel_read_by_a_dense_readout() -> None:
    # channel 0 has zero filters: its 4 readout columns in each of 2 rows trade with the readout
    # bias (8 directions) and its bias with compensation (1): rank = #coordinates - 9, on the
    # support {0, 1} (2 * 2 + 2 + 16 + 2 = 24) and on the whole grid (28)
    table = {"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 2],
             "biases": [["1", "-1"]], "readout": {"weights": [["1", "2", "0", "1", "1", "1", "2", "1"],
                                                             ["0", "1", "0", "0", "2", "1", "0", "1"]],
                                                 "bias": ["0", "1"]}}
    supported = from_dict(dict(table, support=[[0], [1]], filters=[[[["0", "0"]], [["1", "2"]]]]))
    full = from_dict(dict(table, filters=[[[["0", "0", "0", "0"]], [["1", "2", "0", "0"]]]]))
    for net, n in ((supported, 24), (full, 28)):
        fd = functional_dimension(net)
        assert (fd.n_params, fd.rank, fd.status, len(fd.hidden_directions)) == (n, n - 9, "exact", 9)


def test_channels_related_by_a_translation_that_is_no_period_of_the_support() -> None:
    # channel 1 = channel 0 translated by 1 (y_1(p) = y_0(p - 1)); 1 is no period of {-1, 0, 1}, so
    # no element of K_1 relates them, but layer 2 still sees only combinations: its entries at
    # offsets (0 reading 1, 1 reading 0) and (-1 reading 1, 0 reading 0) trade, two hidden directions
    support = [0, 1, 5]
    values = [1, 0, 2, 2, 1, 0, 1, 3, 1, 2, 1, 1, 1, 1, 0]
    for act, orbit in (("power:2", 2), ("tanh", 0)):
        net = concrete(act, support, values)
        assert [(d.kind, [k for k, x in enumerate(d.delta) if x != 0]) for d in degenerate_directions(net)] == \
            [("related", [15, 20])]
        assert [[k for k, x in enumerate(d.delta) if x != 0] for d in degenerate_directions(net, every=True)] == \
            [[15, 20], [14, 25]]
        fd = functional_dimension(net)
        assert (fd.n_params, fd.orbit_dim, fd.rank, fd.status, fd.hidden_symmetries) == (15, orbit, 13 - orbit, "exact", 2)
        J, _ = independent_jacobian(act, support, values, _inputs(4, 3))
        if act == "power:2":
            assert J.rank() == fd.rank
        else:
            rank, kept, dropped = _numeric_rank(J)
            assert rank == fd.rank and kept > 1e-8 and dropped < 1e-40
        assert identify(net, local=False).verdict == "not identifiable"


def test_a_tangent_leaving_the_support_is_an_internal_error(monkeypatch) -> None:
    net = from_dict(dict(HEAD, activation="power:2", **DEGENERATE["periodic"]))
    good = net.orbit_tangents()
    assert len(good) == 2 and all(restrict(t, net.coordinates()) for t in good)
    bad = list(good[0])
    bad[1] = sympy.Integer(1)  # offset 1 of the first filter: not in the support {0, 3}
    monkeypatch.setattr(ConvNet, "orbit_tangents", lambda self: [tuple(bad)])
    with pytest.raises(AssertionError, match="an orbit tangent is nonzero at entry 1 of the parameters"):
        functional_dimension(net)


@pytest.mark.parametrize("kind", ["periodic", "translated"])
def test_supported_witnesses_are_certified_and_verified(kind: str, tmp_path, capsys) -> None:
    # the fiber direction stays inside the support, so theta + delta is a network of the
    # architecture and the kernel re-checks the not-identifiable certificate
    table = dict(HEAD, activation="tanh", **DEGENERATE["periodic"])
    if kind == "translated":  # channel 1 = channel 0 translated by 1, no period of {-1, 0, 1}
        table = dict(table, support=[[0], [1], [-1]], filters=[[[["1", "0", "2"]], [["2", "1", "0"]]],
                                                               [[["1", "3", "1"], ["2", "1", "1"]]]],
                      biases=[["1", "1"], ["0"]])
    path, cert = tmp_path / f"{kind}.toml", tmp_path / f"{kind}.json"
    path.write_text("[network]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items()))
    assert main(["identify", str(path), "--certificate", str(cert)]) == 1
    assert "verdict: not identifiable" in capsys.readouterr().out
    assert main(["verify", str(cert)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("verified")
