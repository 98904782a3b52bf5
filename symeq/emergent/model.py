"""A trained MLP with floating-point parameters: the one place floats are welcome.

The exact :class:`~symeq.architectures.mlp.model.MLP` refuses floats, on purpose: its verdicts are exact.
A network someone trained is a :class:`FloatMLP` instead, a frozen value holding numpy arrays.
It follows docs/theory.md#1-models exactly, with batches as rows:

    f_i(X) = sigma(X W_i^T + b_i)   for i < L,      f_L(X) = X W_L^T + b_L,

where X has one sample per row, W_i has shape (d_i, d_{i-1}) and b_i length d_i, so a row x of
X is the column vector x of the theory transposed.

Activations (:data:`NUMERIC_ACTIVATIONS`) carry the exact spec string of
:func:`symeq.activations.activation`, so that a rounded network names the same function.

>>> import numpy as np
>>> net = FloatMLP("tanh", (np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([[1.0, 1.0]])),
...                (np.zeros(2), np.array([0.5])))
>>> net.widths, net.depth, net.n_params
((2, 2, 1), 2, 9)
>>> np.round(net.forward(np.array([[0.0, 0.0], [1.0, 1.0]])), 6)
array([[0.5],
       [0.5]])
>>> FloatMLP("sin", (np.eye(2),), (np.zeros(2),))
Traceback (most recent call last):
...
symeq.errors.InputError: activation 'sin' is not supported by the approximate mode; supported: tanh, sigmoid, relu, leaky_relu:A, gelu, softplus, swish, identity
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np
from scipy.special import erf, expit

from symeq.errors import InputError

__all__ = ["FloatMLP", "NUMERIC_ACTIVATIONS", "numeric_activation", "activation_spec"]

#: The float model and readers of trained networks handle MLPs (the approximate mode of other
#: architectures would bring their own).
__architectures__ = ("mlp",)


def _leaky(slope: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda z: np.where(z >= 0, z, slope * z)


#: name -> sigma on numpy arrays (leaky_relu takes its slope from the spec).
NUMERIC_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": expit,
    "relu": lambda z: np.maximum(z, 0.0),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "swish": lambda z: z * expit(z),
    "identity": lambda z: z,
}

_SUPPORTED = "tanh, sigmoid, relu, leaky_relu:A, gelu, softplus, swish, identity"


def activation_spec(spec: str) -> str:
    """The canonical spec of a supported activation (exact slope for leaky_relu).

    >>> activation_spec("leaky_relu:0.01"), activation_spec("tanh")
    ('leaky_relu:1/100', 'tanh')
    """
    if not isinstance(spec, str):
        raise InputError("the activation must be named by a string such as 'tanh'")
    name, colon, arg = spec.strip().partition(":")
    if name == "leaky_relu":
        try:
            slope = Fraction(arg or "1/100")
        except (ValueError, ZeroDivisionError):
            raise InputError(f"leaky_relu slope {arg[:40]!r} is not a number") from None
        slope = slope.limit_denominator(10**6)  # 0.01 as a float is 1/100 to the user
        if not 0 < slope < 1:
            raise InputError(f"leaky_relu slope must lie in (0, 1), got {arg[:40]!r}")
        return f"leaky_relu:{slope}"
    if colon or name not in NUMERIC_ACTIVATIONS:
        raise InputError(f"activation {spec[:40]!r} is not supported by the approximate mode; "
                         f"supported: {_SUPPORTED}")
    return name


def numeric_activation(spec: str) -> Callable[[np.ndarray], np.ndarray]:
    """sigma on numpy arrays for a canonical spec.

    >>> numeric_activation("leaky_relu:1/10")(np.array([-1.0, 2.0]))
    array([-0.1,  2. ])
    """
    name, _, arg = spec.partition(":")
    if name == "leaky_relu":
        return _leaky(float(Fraction(arg)))
    return NUMERIC_ACTIVATIONS[name]


@dataclass(frozen=True)
class FloatMLP:
    """An MLP with float parameters: ``weights[i-1]`` is W_i (d_i x d_{i-1}), ``biases[i-1]`` b_i.

    The arrays are copied to float64 and made read-only, so the value cannot change under a
    caller's feet.  ``activation`` is a canonical spec string (see :func:`activation_spec`).
    """

    activation: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    architecture: str = "mlp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activation", activation_spec(self.activation))
        if not self.weights:
            raise InputError("a network needs at least one layer")
        if len(self.weights) != len(self.biases):
            raise InputError(f"{len(self.weights)} weight matrices but {len(self.biases)} bias vectors")
        ws, bs = [], []
        for i, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            try:
                w = np.array(w, dtype=np.float64)
                b = np.array(b, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise InputError(f"layer {i}: weights and biases must be arrays of numbers") from None
            if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
                raise InputError(f"W_{i} must be a non-empty matrix, got shape {w.shape}")
            if b.shape != (w.shape[0],):
                raise InputError(f"b_{i} has length {b.size}, but W_{i} has {w.shape[0]} rows")
            if ws and w.shape[1] != ws[-1].shape[0]:
                raise InputError(f"W_{i} has {w.shape[1]} columns, but layer {i - 1} has width "
                                 f"{ws[-1].shape[0]}")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise InputError(f"layer {i} has a NaN or infinite parameter")
            w.flags.writeable = False
            b.flags.writeable = False
            ws.append(w)
            bs.append(b)
        object.__setattr__(self, "weights", tuple(ws))
        object.__setattr__(self, "biases", tuple(bs))

    @property
    def widths(self) -> tuple[int, ...]:
        """(d_0, ..., d_L)."""
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def depth(self) -> int:
        """L, the number of layers."""
        return len(self.weights)

    @property
    def n_params(self) -> int:
        """The number of scalar parameters."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def layer(self, i: int, X: np.ndarray) -> np.ndarray:
        """f_i on a batch X (one sample per row)."""
        Z = X @ self.weights[i - 1].T + self.biases[i - 1]
        return Z if i == self.depth else numeric_activation(self.activation)(Z)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """f on a batch X (one sample per row)."""
        for i in range(1, self.depth + 1):
            X = self.layer(i, X)
        return X

    def with_layers(self, weights: tuple[np.ndarray, ...], biases: tuple[np.ndarray, ...]) -> "FloatMLP":
        """The same activation with new parameters."""
        return FloatMLP(self.activation, weights, biases)

    def describe(self) -> str:
        """One line: activation, widths and the parameter count.

        >>> FloatMLP("relu", (np.ones((3, 2)), np.ones((1, 3))), (np.zeros(3), np.zeros(1))).describe()
        'mlp relu 2-3-1 (13 parameters)'
        """
        return f"mlp {self.activation} {'-'.join(map(str, self.widths))} ({self.n_params:,} parameters)"
