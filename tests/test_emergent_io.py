"""Reading trained models for the approximate mode: .npz, scikit-learn, PyTorch (when installed).

Every bad file must end in one InputError line (exit 2 on the command line)."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from symeq.emergent import FloatMLP, from_sklearn, load_model, save_npz
from symeq.errors import InputError


def _net(activation: str = "tanh") -> FloatMLP:
    rng = np.random.default_rng(0)
    return FloatMLP(activation, (rng.standard_normal((4, 3)), rng.standard_normal((2, 4))),
                    (rng.standard_normal(4), rng.standard_normal(2)))


def test_npz_round_trip(tmp_path):
    net = _net("leaky_relu:1/10")
    save_npz(net, tmp_path / "m.npz")
    back = load_model(tmp_path / "m.npz")
    assert back.activation == "leaky_relu:1/10"
    assert all(np.array_equal(a, b) for a, b in zip(back.weights + back.biases, net.weights + net.biases))
    X = np.random.default_rng(1).standard_normal((5, 3))
    assert np.array_equal(back.forward(X), net.forward(X))


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("arrays, message", [
    ({"W1": np.eye(2), "b1": np.zeros(2)}, "no 'activation' key"),
    ({"W1": np.eye(2), "activation": np.array("tanh")}, "missing bias b1"),
    ({"b1": np.zeros(2), "activation": np.array("tanh")}, "no weight matrix W1"),
    ({"W1": np.eye(2), "b1": np.zeros(3), "activation": np.array("tanh")}, "b_1 has length 3"),
    ({"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(3), "b2": np.zeros(3), "activation": np.array("tanh")},
     "W_2 has 3 columns"),
    ({"W1": np.eye(2), "b1": np.zeros(2), "activation": np.array("sin")}, "not supported by the approximate mode"),
    ({"W1": np.eye(2), "b1": np.zeros(2), "activation": np.array("tanh"), "extra": np.zeros(1)}, "unexpected key"),
    ({"W1": np.array([[np.nan]]), "b1": np.zeros(1), "activation": np.array("tanh")}, "NaN or infinite"),
    ({"W1": np.array(["a"]), "b1": np.zeros(1), "activation": np.array("tanh")}, "must hold numbers"),
    ({"W1": np.eye(2), "b1": np.zeros(2), "activation": np.array(["tanh", "relu"])}, "one string"),
])
def test_bad_npz_files(tmp_path, arrays, message):
    path = _write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError, match=message):
        load_model(path)


def test_npz_with_objects_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, W1=np.array([object()], dtype=object), b1=np.zeros(1), activation=np.array("tanh"))
    with pytest.raises(InputError, match="not a readable .npz"):
        load_model(path)


@pytest.mark.parametrize("content, suffix, message", [
    (b"not a zip", ".npz", "not a readable .npz"),
    (b"x", ".h5", "unknown model format"),
    (b"x", ".joblib", "--trust-pickle"),
    (b"x", ".pkl", "--trust-pickle"),
])
def test_bad_files(tmp_path, content, suffix, message):
    path = tmp_path / f"m{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_model(path)


def test_missing_file():
    with pytest.raises(InputError, match="cannot read"):
        load_model("/no/such/model.npz")


def _fitted(kind: str, activation: str):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "regressor":
            return MLPRegressor(hidden_layer_sizes=(5, 3), activation=activation, max_iter=20, random_state=0).fit(X, X[:, :2]), X
        return MLPClassifier(hidden_layer_sizes=(5,), activation=activation, max_iter=20, random_state=0).fit(X, (X[:, 0] > 0) * 1 + (X[:, 1] > 0)), X


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic", "identity"])
def test_sklearn_regressor_matches_predict(activation):
    pytest.importorskip("sklearn")
    est, X = _fitted("regressor", activation)
    net = from_sklearn(est)
    assert net.activation == {"logistic": "sigmoid"}.get(activation, activation)
    assert net.widths == (4, 5, 3, 2)
    assert np.allclose(net.forward(X), est.predict(X), atol=1e-12)


def test_sklearn_classifier_ends_at_the_logits():
    pytest.importorskip("sklearn")
    est, X = _fitted("classifier", "tanh")
    logits = from_sklearn(est).forward(X)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    assert np.allclose(p / p.sum(axis=1, keepdims=True), est.predict_proba(X), atol=1e-12)


def test_sklearn_pickle_needs_trust(tmp_path):
    pytest.importorskip("sklearn")
    est, X = _fitted("regressor", "tanh")
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(est))
    with pytest.raises(InputError, match="runs code"):
        load_model(path)
    assert np.allclose(load_model(path, trust_pickle=True).forward(X), est.predict(X))


def test_sklearn_refuses_other_objects(tmp_path):
    with pytest.raises(InputError, match="MLPRegressor or MLPClassifier"):
        from_sklearn(object())
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(InputError, match="got dict"):
        load_model(path, trust_pickle=True)


# -- PyTorch (optional extra symeq[torch]) ------------------------------------------------------

def test_torch_sequential_and_files(tmp_path):
    torch = pytest.importorskip("torch")
    from symeq.emergent import from_torch

    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5), torch.nn.Tanh(),
                              torch.nn.Linear(5, 2)).double()
    X = np.random.default_rng(0).standard_normal((7, 4))
    expected = seq(torch.from_numpy(X)).detach().numpy()
    assert np.allclose(from_torch(seq).forward(X), expected, atol=1e-12)
    torch.save(seq.state_dict(), tmp_path / "sd.pt")
    with pytest.raises(InputError, match="--activation"):
        load_model(tmp_path / "sd.pt")
    assert np.allclose(load_model(tmp_path / "sd.pt", activation="tanh").forward(X), expected, atol=1e-12)
    torch.save(seq, tmp_path / "whole.pt")
    with pytest.raises(InputError, match="--trust-pickle"):
        load_model(tmp_path / "whole.pt")
    assert np.allclose(load_model(tmp_path / "whole.pt", trust_pickle=True).forward(X), expected, atol=1e-12)


@pytest.mark.parametrize("layers, message", [
    (lambda nn: [nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)], "one activation"),
    (lambda nn: [nn.Linear(2, 2), nn.Dropout(), nn.Linear(2, 1)], "not a supported activation"),
    (lambda nn: [nn.Linear(2, 2), nn.Tanh()], "start and end with a Linear"),
    (lambda nn: [nn.Linear(2, 2), nn.GELU(approximate="tanh"), nn.Linear(2, 1)], "approximate='tanh'"),
    (lambda nn: [nn.Tanh(), nn.Linear(2, 1)], "expected Linear"),
])
def test_torch_refuses_unsupported(layers, message):
    torch = pytest.importorskip("torch")
    from symeq.emergent import from_torch

    with pytest.raises(InputError, match=message):
        from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_torch_activations_match():
    torch = pytest.importorskip("torch")
    from symeq.emergent import from_torch

    nn = torch.nn
    X = np.random.default_rng(0).standard_normal((9, 3))
    for act, name in [(nn.GELU(), "gelu"), (nn.Softplus(), "softplus"), (nn.SiLU(), "swish"),
                      (nn.Sigmoid(), "sigmoid"), (nn.LeakyReLU(0.01), "leaky_relu:1/100"), (nn.ReLU(), "relu")]:
        seq = nn.Sequential(nn.Flatten(), nn.Linear(3, 4), act, nn.Linear(4, 2)).double()
        net = from_torch(seq)
        assert net.activation == name
        assert np.allclose(net.forward(X), seq(torch.from_numpy(X)).detach().numpy(), atol=1e-10)
