"""The MLP model and network files (symeq.architectures.mlp): shapes, evaluation, parameters, and the
TOML/JSON round trip; bad files are refused with one-line InputErrors."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy import Rational, sqrt

from symeq.activations import CATALOG, activation
from symeq.errors import InputError
from symeq.exact import symbol
from symeq.architectures.mlp import MLP
from symeq.architectures.base import Architecture
from symeq import files as model_io
from symeq.files import load_document, write_document
from symeq.architectures import load_network, network_from_dict, network_to_dict

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TANH, RELU = activation("tanh"), activation("relu")


def _net_dict(**over: object) -> dict:
    d = {"architecture": "mlp", "activation": "tanh", "widths": [2, 3, 1],
         "weights": [[["1", "0"], ["0", "1"], ["1/2", "-1"]], [["1", "2", "3"]]],
         "biases": [["0", "1", "-1"], ["0"]]}
    d.update(over)
    return d


# -- the MLP value --------------------------------------------------------------------------


def test_shape_and_counts() -> None:
    net = network_from_dict(_net_dict())
    assert isinstance(net, Architecture)
    assert net.widths == (2, 3, 1)
    assert net.depth == 2
    assert net.hidden_widths == (3,)
    assert net.n_params == 2 * 3 + 3 + 3 * 1 + 1
    assert net.symbols == frozenset()
    assert net.architecture == "mlp"


def test_shape_validation_messages() -> None:
    cases = [
        (((), ()), "a network needs at least one layer"),
        (((M([[1, 2]]),), ()), "1 weight matrices but 0 bias vectors"),
        (((M([[1, 2]]),), (M([1, 2]),)), "b_1 has length 2, but W_1 has 1 rows"),
        (((M([[1, 2]]), M([[1, 2]])), (M([1]), M([1]))), "W_2 has 2 columns, but layer 1 has width 1"),
        (((M([[1], [2]]), M([[1, 2, 3]])), (M([1, 2]), M([0]))), "W_2 has 3 columns, but layer 1 has width 2"),
        (((sympy.zeros(0, 2),), (sympy.zeros(0, 1),)), "W_1 has shape 0 x 2; every width must be >= 1"),
        (((sympy.zeros(1, 0),), (M([0]),)), "W_1 has shape 1 x 0; every width must be >= 1"),
    ]
    for (ws, bs), message in cases:
        with pytest.raises(InputError) as info:
            MLP(TANH, ws, bs)
        assert str(info.value) == message


def test_forward_exact_and_symbolic() -> None:
    net = MLP(RELU, (M([[1, 0], [0, 1], [-1, 0], [0, -1]]), M([[1, 0, -1, 0], [0, 1, 0, -1]])),
              (M([0, 0, 0, 0]), M([0, 0])))
    # relu(x) - relu(-x) = x: this network is the identity
    for x in ([3, -5], [Rational(1, 3), 0], [sqrt(2) / 2, -sqrt(3)]):
        assert net.value(M(x)) == M(x)
    assert net.layer_value(1, M([3, -5])) == M([3, 0, 0, 5])
    a, b = sympy.symbols("a b", real=True)
    out = net.forward(M([a, b]))
    assert out[0] == sympy.Max(0, a) - sympy.Max(0, -a)
    assert out.subs({a: 2, b: -7}) == M([2, -7])

    w = symbol("w")
    tnet = MLP(TANH, (M([[w, 1]]), M([[2]])), (M([0]), M([1])))
    assert tnet.symbols == frozenset({w})
    x, y = sympy.symbols("x y", real=True)
    assert sympy.simplify(tnet.forward(M([x, y]))[0] - (2 * sympy.tanh(w * x + y) + 1)) == 0
    assert tnet.layer(1, M([x, y])) == M([sympy.tanh(w * x + y)])
    assert tnet.layer(2, M([x])) == M([2 * x + 1])
    assert tnet.pre_activation(1, M([x, y])) == M([w * x + y])
    assert tnet.subs({w: 0}).forward(M([x, y])) == M([2 * sympy.tanh(y) + 1])
    # tanh is odd: f(-x) for a bias-free hidden layer
    odd = MLP(TANH, (M([[1, -1], [2, 1]]), M([[1, 1]])), (M([0, 0]), M([0])))
    assert sympy.simplify(odd.forward(M([-x, -y]))[0] + odd.forward(M([x, y]))[0]) == 0


def test_power_network_value_is_exact_polynomial() -> None:
    net = MLP(activation("power:2"), (M([[1, 1], [1, -1]]), M([[1, -1]])), (M([0, 0]), M([0])))
    # (x + y)^2 - (x - y)^2 = 4 x y
    x, y = sympy.symbols("x y", real=True)
    assert sympy.expand(net.forward(M([x, y]))[0]) == 4 * x * y
    assert net.value(M([Rational(1, 2), 3])) == M([6])


def test_with_layer_and_with_activation() -> None:
    net = network_from_dict(_net_dict())
    other = net.with_layer(2, M([[0, 0, 1]]), M([5]))
    assert other.weights[1] == M([[0, 0, 1]]) and other.biases[1] == M([5])
    assert other.weights[0] == net.weights[0]
    assert net.weights[1] == M([[1, 2, 3]])  # immutable: the original is unchanged
    assert net.with_activation(RELU).activation == RELU
    with pytest.raises(InputError, match="W_2 has 2 columns"):
        net.with_layer(2, M([[0, 1]]), M([5]))


rationals = st.builds(Fraction, st.integers(-99, 99), st.integers(1, 50))
SYMS = [symbol(n) for n in ("a", "b", "w11")]
entries = st.one_of(rationals.map(Rational), st.sampled_from(SYMS),
                    st.sampled_from([sqrt(2) / 2, -sqrt(3), 1 + sqrt(2)]))


@st.composite
def networks(draw: st.DrawFn) -> MLP:
    widths = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    act = activation(draw(st.sampled_from(CATALOG + ("leaky_relu:1/3", "poly:z^3-2*z"))))
    ws, bs = [], []
    for d0, d1 in zip(widths, widths[1:]):
        ws.append(M(d1, d0, draw(st.lists(entries, min_size=d0 * d1, max_size=d0 * d1))))
        bs.append(M(d1, 1, draw(st.lists(entries, min_size=d1, max_size=d1))))
    return MLP(act, tuple(ws), tuple(bs))


@FAST
@given(networks(), st.data())
def test_parameters_round_trip(net: MLP, data: st.DataObject) -> None:
    theta = net.parameters()
    assert len(theta) == net.n_params
    assert net.with_parameters(theta) == net
    assert net.with_parameters(list(theta)) == net
    # the documented order: W_1 row-major, b_1, W_2 row-major, b_2, ...
    flat = []
    for w, b in zip(net.weights, net.biases):
        flat += list(w) + list(b)
    assert tuple(flat) == theta
    new = tuple(Rational(f) for f in data.draw(
        st.lists(rationals, min_size=net.n_params, max_size=net.n_params)))
    other = net.with_parameters(new)
    assert other.parameters() == new and other.widths == net.widths
    with pytest.raises(InputError) as info:
        net.with_parameters(theta[:-1])
    assert str(info.value) == f"expected {net.n_params} parameters, got {net.n_params - 1}"


@FAST
@given(networks(), st.sampled_from([".toml", ".json", ".TOML", ".JSON"]))
def test_file_round_trip(net: MLP, suffix: str) -> None:
    assert network_from_dict(network_to_dict(net)) == net
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"net{suffix}"
        write_document({"network": network_to_dict(net)}, path)
        assert load_network(path) == net
        assert load_document(path) == {"network": network_to_dict(net)}
        assert os.listdir(d) == [path.name]  # no temporary file left behind
        if suffix.lower() == ".json":
            json.loads(path.read_text())  # really JSON


def test_network_to_dict_refuses_entries_it_cannot_write_exactly() -> None:
    # tanh(sqrt(2)) and E print as text the parser refuses or reads as a symbol called E: no
    # file (and so no certificate) may say something other than the network
    for bad in (sympy.tanh(sympy.sqrt(2)), sympy.E):
        net = MLP(TANH, (M([[1]]), M([[2]])), (M([0]), M([bad])))
        with pytest.raises(InputError, match=re.escape(f"cannot write {bad} exactly")):
            network_to_dict(net)


def test_round_trip_keeps_symbol_restriction_semantics() -> None:
    d = _net_dict(weights=[[["a", "0"], ["0", "b"], ["1", "1"]], [["1", "2", "3"]]], symbols=["a", "b"])
    net = network_from_dict(d)
    assert net.symbols == frozenset({symbol("a"), symbol("b")})
    assert network_from_dict(network_to_dict(net)) == net
    with pytest.raises(InputError) as info:
        network_from_dict(_net_dict(weights=[[["a", "0"], ["0", "c"], ["1", "1"]], [["1", "2", "3"]]],
                                    symbols=["a"]))
    assert str(info.value) == "cannot parse number 'c': undeclared symbol 'c' at position 1 (in W_1 entry (2, 2))"
    with pytest.raises(InputError, match="symbols must be a list of names"):
        network_from_dict(_net_dict(symbols="a"))
    with pytest.raises(InputError, match="invalid symbol name 'pi'"):
        network_from_dict(_net_dict(symbols=["pi"]))


# -- bad network tables ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "over, message",
    [
        ({"architecture": "conv"}, "[network] has unknown key(s): weights, widths"),
        ({"architecture": "rnn"}, "unknown architecture 'rnn'; known: mlp, conv, attention"),
        ({"foo": 1}, "[network] has unknown key(s): foo"),
        ({"foo": 1, "bar": 2}, "[network] has unknown key(s): bar, foo"),
        ({"widths": [2, 2, 1]}, "W_1 has shape 3 x 2, expected 2 x 2"),
        ({"widths": [2, 3]}, "[network] widths must list 3 positive integers d_0..d_L"),
        ({"widths": [2, 0, 1]}, "[network] widths must list 3 positive integers d_0..d_L"),
        ({"widths": [2, True, 1]}, "[network] widths must list 3 positive integers d_0..d_L"),
        ({"widths": "2-3-1"}, "[network] widths must list 3 positive integers d_0..d_L"),
        ({"weights": [[["1", "0"]]]}, "[network] has 1 weight matrices but 2 bias vectors"),
        ({"weights": []}, "[network] weights and biases must be non-empty lists, one per layer"),
        ({"biases": [["0", "1"], ["0"]]}, "b_1 has length 2, expected 3"),
        ({"biases": ["0", ["0"]]}, "b_1 must be a list of numbers"),
        ({"weights": [[["1", "0"], ["0", "1"], ["1/2"]], [["1", "2", "3"]]]},
         "W_1: row 3 has 1 entries, expected 2"),
        ({"weights": [[["1", "0"], ["0", "1"], ["1/2", 0.5]], [["1", "2", "3"]]]},
         'number 0.5 is a float; write it as a string such as "3/2" or "1.5" (in W_1 entry (3, 2))'),
        ({"activation": "tanhh"}, "unknown activation 'tanhh'; known: identity, tanh, sigmoid, relu, "
                                  "leaky_relu:A, gelu, softplus, swish, sin, power:M, poly:EXPR"),
        ({"activation": 3}, 'activation must be a non-empty string such as "tanh"'),
    ],
)
def test_bad_network_tables(over: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        network_from_dict(_net_dict(**over))
    assert str(info.value) == message


def test_missing_keys_and_non_tables() -> None:
    for key in ("activation", "weights", "biases"):
        d = _net_dict()
        del d[key]
        with pytest.raises(InputError) as info:
            network_from_dict(d)
        assert str(info.value) == f"[network] is missing {key!r}"
    with pytest.raises(InputError, match=r"^\[network\] must be a table$"):
        network_from_dict([1])
    d = _net_dict()
    del d["widths"], d["architecture"]  # both optional
    assert network_from_dict(d) == network_from_dict(_net_dict())


# -- files ----------------------------------------------------------------------------------

GOOD_TOML = """
[network]
architecture = "mlp"
activation = "tanh"
widths = [2, 1]
weights = [[["1", "-1/2"]]]
biases = [["0.25"]]
"""


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_load_good_files(tmp_path: Path) -> None:
    net = load_network(_write(tmp_path, "n.toml", GOOD_TOML))
    assert net.weights[0] == M([[1, Rational(-1, 2)]]) and net.biases[0] == M([Rational(1, 4)])
    doc = {"network": {"activation": "tanh", "weights": [[["1", "-1/2"]]], "biases": [["1/4"]]}}
    assert load_network(_write(tmp_path, "n.json", json.dumps(doc))) == net
    # JSON and TOML integers are exact too
    doc = {"network": {"activation": "tanh", "weights": [[[1, 2]]], "biases": [[0]]}}
    assert load_network(_write(tmp_path, "i.json", json.dumps(doc))).weights[0] == M([[1, 2]])


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("f.json", '{"network": {"activation": "tanh", "weights": [[[1.5]]], "biases": [[0]]}}',
         'JSON number 1.5 is a float; write exact numbers as strings such as "1.5"'),
        ("f.json", '{"network": {"activation": "tanh", "weights": [[[1e3]]], "biases": [[0]]}}',
         'JSON number 1e3 is a float; write exact numbers as strings such as "1e3"'),
        ("f.json", '{"network": {"activation": "tanh", "weights": [[[NaN]]], "biases": [[0]]}}',
         "JSON constant NaN is not a number; write exact numbers as strings"),
        ("f.json", '{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("f.json", '{"a": {"b": 1, "b": 1}}', "duplicate key 'b'"),
        ("f.json", "[1, 2]", "the top level must be a table/object"),
        ("f.json", '{"a": ', "malformed JSON at line 1: Expecting value"),
        ("f.json", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "JSON nested too deeply"),
        ("f.toml", "a = " + "[" * 100_000 + "]" * 100_000, "TOML nested too deeply"),
        ("f.json", '{"a": ' + "1" * 5000 + "}", "malformed JSON: Exceeds the limit"),
        ("f.toml", "a = " + "1" * 5000, "malformed TOML: Exceeds the limit"),
        ("f.toml", "a = [", "malformed TOML:"),
        ("f.toml", "a = 1\na = 2", "malformed TOML:"),
        ("f.toml", b"a = '\xff'", "is not UTF-8 text"),
        ("f.toml", "[network]\nactivation = 'tanh'\nweights = [[[1.5]]]\nbiases = [[0]]",
         'number 1.5 is a float; write it as a string such as "3/2" or "1.5"'),
        ("f.toml", "[network]\nactivation = 'tanh'\nweights = [[['1']]]\nbiases = [['x y']]",
         "cannot parse number 'x y': unexpected 'y' at position 3 (in b_1 entry 1)"),
        ("f.toml", "[other]\na = 1", "no [network] table"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, text: str | bytes, message: str) -> None:
    p = _write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_network(p)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_document(tmp_path / "missing.toml")
    assert str(info.value) == f"cannot read {tmp_path / 'missing.toml'}: No such file or directory"
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(InputError, match="Is a directory"):
        load_document(tmp_path / "folder.toml")
    with pytest.raises(InputError, match="no file suffix; symeq reads .toml and .json files"):
        load_document(tmp_path)


def test_oversized_file_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _write(tmp_path, "big.toml", "a = '" + "x" * 200 + "'\n")
    monkeypatch.setattr(model_io, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError) as info:
        load_document(p)
    assert str(info.value) == f"{p} is {p.stat().st_size} bytes, larger than the limit 100"


# -- atomic writing -------------------------------------------------------------------------


def test_write_document_replaces_atomically_and_keeps_old_file_on_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    write_document({"v": "old"}, target)
    assert json.loads(target.read_text()) == {"v": "old"}

    def boom(*args: object, **kw: object) -> None:
        raise OSError(28, "No space left on device")

    for name in ("replace", "fsync"):
        with monkeypatch.context() as m:
            m.setattr(os, name, boom)
            with pytest.raises(InputError) as info:
                write_document({"v": "new"}, target)
            assert str(info.value) == f"cannot write {target}: No space left on device"
        assert json.loads(target.read_text()) == {"v": "old"}
        assert os.listdir(tmp_path) == ["out.json"]  # the temporary file is gone

    # an interruption mid-write (not an OSError) is re-raised unchanged, also leaving no trace
    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(os, "fsync", interrupted)
        with pytest.raises(KeyboardInterrupt):
            write_document({"v": "new"}, target)
    assert json.loads(target.read_text()) == {"v": "old"}
    assert os.listdir(tmp_path) == ["out.json"]

    # data that cannot be serialized fails before any file is touched
    with pytest.raises(TypeError):
        write_document({"v": object()}, target)
    assert os.listdir(tmp_path) == ["out.json"]

    write_document({"v": "new"}, target)
    assert json.loads(target.read_text()) == {"v": "new"}


def test_write_document_errors_and_mode(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        write_document({"a": 1}, tmp_path / "no" / "x.toml")
    assert str(info.value) == f"cannot write {tmp_path / 'no' / 'x.toml'}: No such file or directory"
    (tmp_path / "d.toml").mkdir()
    with pytest.raises(InputError, match="Is a directory"):
        write_document({"a": 1}, tmp_path / "d.toml")
    assert sorted(os.listdir(tmp_path)) == ["d.toml"]
    p = tmp_path / "m.toml"
    write_document({"a": 1}, p)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask  # not mkstemp's private 0600
    assert load_document(p) == {"a": 1}


def test_write_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_document({"a": "1"}, "rel.toml")
    assert load_document("rel.toml") == {"a": "1"}
    assert os.listdir(tmp_path) == ["rel.toml"]


def test_fraction_strings_survive_the_file(tmp_path: Path) -> None:
    # exact decimals and fractions: nothing turns into a binary float on the way
    net = network_from_dict(_net_dict(biases=[["0.1", "1/3", "-0.125"], ["sqrt(2)/2"]]))
    p = tmp_path / "n.json"
    write_document({"network": network_to_dict(net)}, p)
    back = load_network(p)
    assert back.biases[0] == M([Rational(1, 10), Rational(1, 3), Rational(-1, 8)])
    assert back.biases[1] == M([sqrt(2) / 2])
    assert Fraction(str(back.biases[0][0])) == Fraction(1, 10)


_leaf = (st.none() | st.booleans() | st.integers(-3, 5) | st.floats() | st.text(max_size=5)
         | st.sampled_from(["1", "0", "-1/2", "x", "sqrt(2)/2", ""]))
_values = st.recursive(_leaf, lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.text(max_size=3), ch, max_size=2),
                       max_leaves=12)
_matrices = st.lists(st.lists(_values, max_size=3), max_size=3) | _values


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(_matrices, _matrices, st.one_of(st.none(), _values), st.sampled_from(["tanh", "relu", "poly:z^2"]))
def test_fuzzed_network_tables_raise_only_input_errors(w1: object, b1: object, widths: object, act: str) -> None:
    d = {"activation": act, "weights": [w1], "biases": [b1]}
    if widths is not None:
        d["widths"] = widths
    try:
        net = network_from_dict(d)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert network_from_dict(network_to_dict(net)) == net
