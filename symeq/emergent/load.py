"""Reading trained MLPs: numpy ``.npz``, scikit-learn, PyTorch.

**numpy .npz** (:func:`load_npz`, :func:`save_npz`; read with ``allow_pickle=False``, so
loading runs no code).  Keys:

=================  ==========================================================================
``W1`` .. ``WL``   weight matrices, W_i of shape (d_i, d_{i-1}) (rows are neurons, as in
                   PyTorch's ``Linear.weight``; scikit-learn's ``coefs_`` are the transposes)
``b1`` .. ``bL``   bias vectors, b_i of length d_i
``activation``     a string array naming the hidden activation: tanh, sigmoid, relu,
                   leaky_relu:A, gelu, softplus, swish, identity (may instead be given on the
                   command line with --activation)
=================  ==========================================================================

The last layer is affine (no activation): for a classifier the model ends at the logits.

**scikit-learn** (:func:`from_sklearn`): a fitted ``MLPRegressor`` or ``MLPClassifier``
(``coefs_``, ``intercepts_``, ``activation``; 'logistic' is sigmoid).  The classifier's output
softmax or logistic is left out: the model ends at the logits.  A joblib or pickle file is
read only with ``trust_pickle=True`` (``--trust-pickle``): unpickling runs code from the file.

**PyTorch** (:func:`from_torch`, optional extra ``symeq[torch]``): an ``nn.Sequential`` of
``Linear`` layers with one kind of supported activation between them (Tanh, Sigmoid, ReLU,
LeakyReLU, GELU, Softplus, SiLU; a leading Flatten is allowed).  A ``.pt``/``.pth`` file is
read with ``torch.load(weights_only=True)`` as a state dict (``0.weight``, ``0.bias``,
``2.weight``, ...; give the activation with --activation); a whole pickled module only with
``trust_pickle=True``.

Every problem is one :class:`~symeq.errors.InputError` line (exit 2 on the command line).

>>> import tempfile, os
>>> net = FloatMLP("tanh", (np.eye(2), np.ones((1, 2))), (np.zeros(2), np.zeros(1)))
>>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
>>> save_npz(net, path)
>>> load_model(path).describe()
'mlp tanh 2-2-1 (9 parameters)'
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from symeq.emergent.model import FloatMLP, activation_spec
from symeq.errors import InputError

__all__ = ["load_model", "load_npz", "save_npz", "from_sklearn", "from_torch", "MAX_MODEL_BYTES",
           "PICKLE_SUFFIXES", "TORCH_SUFFIXES"]

#: The float model and readers of trained networks handle MLPs (the approximate mode of other
#: architectures would bring their own).
__architectures__ = ("mlp",)

#: Model files larger than this are refused before reading.
MAX_MODEL_BYTES = 4_000_000_000
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
TORCH_SUFFIXES = (".pt", ".pth")

_SKLEARN_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def load_model(path: str | os.PathLike[str], activation: str | None = None,
               trust_pickle: bool = False) -> FloatMLP:
    """Read a model file by its suffix: .npz, .joblib/.pkl/.pickle (scikit-learn), .pt/.pth (PyTorch)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None
    if size > MAX_MODEL_BYTES:
        raise InputError(f"{p} is {size} bytes, larger than the limit {MAX_MODEL_BYTES}")
    suffix = p.suffix.lower()
    if suffix == ".npz":
        return load_npz(p, activation)
    if suffix in PICKLE_SUFFIXES:
        if not trust_pickle:
            raise InputError(f"{p} is a pickle/joblib file, and loading it runs code stored in it; "
                             "pass --trust-pickle if you trust its source (or save the weights as .npz)")
        return from_sklearn(_unpickle(p))
    if suffix in TORCH_SUFFIXES:
        return _load_torch_file(p, activation, trust_pickle)
    raise InputError(f"{p}: unknown model format {suffix or '(no suffix)'!r}; expected .npz, "
                     f"{', '.join(PICKLE_SUFFIXES)} (scikit-learn) or {', '.join(TORCH_SUFFIXES)} (PyTorch)")


def load_npz(path: str | os.PathLike[str], activation: str | None = None) -> FloatMLP:
    """A model from the .npz keys of the module docstring (``activation`` overrides the file's)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise InputError(f"{path}: not a readable .npz file ({msg})") from None
    if activation is None:
        if "activation" not in arrays:
            raise InputError(f"{path}: no 'activation' key; name it with --activation (e.g. tanh)")
        act = arrays["activation"]
        if act.dtype.kind != "U" or act.size != 1:
            raise InputError(f"{path}: 'activation' must be one string such as 'tanh'")
        activation = str(act.reshape(-1)[0])
    L = 0
    while f"W{L + 1}" in arrays:
        L += 1
    if L == 0:
        raise InputError(f"{path}: no weight matrix W1 (keys W1, b1, W2, b2, ...)")
    expected = {f"W{i}" for i in range(1, L + 1)} | {f"b{i}" for i in range(1, L + 1)} | {"activation"}
    extra = sorted(set(arrays) - expected)
    if extra:
        raise InputError(f"{path}: unexpected key(s) {', '.join(extra[:5])} (keys W1, b1, ..., W{L}, b{L}, activation)")
    missing = [f"b{i}" for i in range(1, L + 1) if f"b{i}" not in arrays]
    if missing:
        raise InputError(f"{path}: missing bias {missing[0]}")
    for k, v in arrays.items():
        if k != "activation" and v.dtype.kind not in "fiu":
            raise InputError(f"{path}: {k} must hold numbers, got dtype {v.dtype}")
    return FloatMLP(activation, tuple(arrays[f"W{i}"] for i in range(1, L + 1)),
                    tuple(arrays[f"b{i}"] for i in range(1, L + 1)))


def save_npz(model: FloatMLP, path: str | os.PathLike[str]) -> None:
    """Write ``model`` in the .npz format of the module docstring, atomically."""
    from symeq.files import atomic_write

    arrays: dict[str, Any] = {"activation": np.array(model.activation)}
    for i, (w, b) in enumerate(zip(model.weights, model.biases), start=1):
        arrays[f"W{i}"], arrays[f"b{i}"] = w, b

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    atomic_write(path, write, suffix=".npz")


def from_sklearn(est: Any) -> FloatMLP:
    """A model from a fitted scikit-learn ``MLPRegressor`` or ``MLPClassifier``."""
    name = type(est).__name__
    if name not in ("MLPRegressor", "MLPClassifier"):
        raise InputError(f"expected a scikit-learn MLPRegressor or MLPClassifier, got {name}")
    if not hasattr(est, "coefs_"):
        raise InputError(f"the {name} is not fitted (no coefs_)")
    act = _SKLEARN_ACTIVATIONS.get(getattr(est, "activation", None))
    if act is None:
        raise InputError(f"scikit-learn activation {getattr(est, 'activation', None)!r} is not supported")
    return FloatMLP(act, tuple(np.asarray(c).T for c in est.coefs_),
                    tuple(np.asarray(b) for b in est.intercepts_))


def _unpickle(path: Path) -> Any:
    try:
        import joblib
    except ImportError:
        joblib = None
    try:
        if joblib is not None:
            return joblib.load(path)
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError,
            IndexError, TypeError, KeyError) as exc:
        raise InputError(f"{path}: cannot unpickle ({type(exc).__name__}: {' '.join(str(exc).split())[:100]})") from None


_TORCH_ACTIVATIONS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu", "GELU": "gelu",
                      "Softplus": "softplus", "SiLU": "swish"}


def _torch():
    try:
        import torch
    except ImportError:
        raise InputError("reading PyTorch models needs torch: pip install 'symeq[torch]'") from None
    return torch


def from_torch(module: Any) -> FloatMLP:
    """A model from an ``nn.Sequential`` of Linear layers and one kind of supported activation."""
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise InputError(f"expected a torch.nn.Sequential, got {type(module).__name__}")
    layers = list(module)
    if layers and type(layers[0]).__name__ == "Flatten":
        layers = layers[1:]
    weights, biases, acts = [], [], set()
    for n, m in enumerate(layers):
        kind = type(m).__name__
        want_linear = n % 2 == 0
        if want_linear:
            if not isinstance(m, torch.nn.Linear):
                raise InputError(f"layer {n} of the Sequential is {kind}; expected Linear layers "
                                 "alternating with activations")
            weights.append(m.weight.detach().cpu().double().numpy())
            biases.append(m.bias.detach().cpu().double().numpy() if m.bias is not None
                          else np.zeros(m.out_features))
            continue
        if kind == "LeakyReLU":
            acts.add(f"leaky_relu:{m.negative_slope}")
        elif kind == "GELU" and getattr(m, "approximate", "none") != "none":
            raise InputError("GELU(approximate='tanh') is not the exact gelu of symeq; use GELU()")
        elif kind == "Softplus" and (m.beta != 1):
            raise InputError("Softplus with beta != 1 is not supported")
        elif kind in _TORCH_ACTIVATIONS:
            acts.add(_TORCH_ACTIVATIONS[kind])
        else:
            raise InputError(f"layer {n} of the Sequential is {kind}, not a supported activation "
                             f"({', '.join(sorted(_TORCH_ACTIVATIONS))}, LeakyReLU)")
    if not weights or len(layers) % 2 == 0:
        raise InputError("the Sequential must start and end with a Linear layer")
    if len(acts) > 1:
        raise InputError(f"every hidden layer must use one activation, got {', '.join(sorted(acts))}")
    return FloatMLP(acts.pop() if acts else "identity", tuple(weights), tuple(biases))


def _load_torch_file(path: Path, activation: str | None, trust_pickle: bool) -> FloatMLP:
    torch = _torch()
    try:
        obj = torch.load(path, map_location="cpu", weights_only=not trust_pickle)
    except pickle.UnpicklingError as exc:
        hint = "" if trust_pickle else "; a whole pickled module needs --trust-pickle (loading it runs code)"
        raise InputError(f"{path}: not a plain state dict ({' '.join(str(exc).split())[:80]}){hint}") from None
    except (OSError, RuntimeError, EOFError, ValueError, AttributeError, ImportError) as exc:
        raise InputError(f"{path}: cannot read as a PyTorch file ({' '.join(str(exc).split())[:100]})") from None
    if isinstance(obj, torch.nn.Module):
        return from_torch(obj)
    if not isinstance(obj, dict):
        raise InputError(f"{path}: expected a state dict or an nn.Sequential, got {type(obj).__name__}")
    if activation is None:
        raise InputError(f"{path}: a state dict does not name its activation; give --activation (e.g. tanh)")
    idx: dict[int, dict[str, Any]] = {}
    for key, value in obj.items():
        head, _, attr = str(key).rpartition(".")
        if attr not in ("weight", "bias") or not head.isdigit() or not torch.is_tensor(value):
            raise InputError(f"{path}: unexpected state-dict key {str(key)[:40]!r} (expected 0.weight, 0.bias, ...)")
        idx.setdefault(int(head), {})[attr] = value.detach().cpu().double().numpy()
    order = sorted(idx)
    weights, biases = [], []
    for n in order:
        if "weight" not in idx[n]:
            raise InputError(f"{path}: layer {n} has a bias but no weight")
        w = idx[n]["weight"]
        weights.append(w)
        biases.append(idx[n].get("bias", np.zeros(w.shape[0] if w.ndim == 2 else 0)))
    if not weights:
        raise InputError(f"{path}: empty state dict")
    return FloatMLP(activation_spec(activation), tuple(weights), tuple(biases))
