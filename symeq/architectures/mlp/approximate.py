"""The MLP's part of the approximate mode: everything here knows what an MLP layer is.

These functions are the approximate mode's architecture interface, meant to become methods of
the ``Architecture`` protocol (DESIGN.md section 2) so that attention and convolutions get the
approximate mode by implementing them too.  Everything else in :mod:`symeq.emergent`
(sampling, least-squares fits, the paper's error, orbit averaging, reports, plots) calls only
these, through :func:`symeq.emergent.protocol.approximate_architecture`:

``numeric_layer(model, i, X)``
    f_i on a batch X (numpy, one sample per row).
``twist(model, g_in, g_out)``
    theta^g of docs/theory.md#5-the-theorem-constructively in floats: (W_1 rho_0(g), b_1) and
    (rho_L(g)^{-1} W_L, rho_L(g)^{-1} b_L); the hidden layers are unchanged.
``approximate_solve_layer(model, i, k_prev, twisted) -> (k_i, score)``
    the element k_i of K_i that best satisfies f_i(k_prev y; twisted_i) = k_i f_i(y; theta_i),
    and the relative residual of the row equations it leaves.  The approximate counterpart of
    the exact ``solve_layer``.
``conjugate(weights, biases, ks)``
    the parameters of k_i^{-1} o f_i o k_{i-1} for every layer (ks = k_0..k_L, monomial maps):
    the group action on parameters that orbit averaging sums; exact on integer arrays.
``canonical_scaling(model)``
    a function-preserving normal form for the continuous part of K_i (relu: unit incoming
    rows), so that a fitted action can be snapped to a finite group before averaging.
``exact_table(activation, weights, biases, denominator)``
    the ``[network]`` table of the exact schema (docs/reference/schema.md), and
``exact_model(activation, weights, biases, denominator)``
    the exact network itself (:class:`symeq.architectures.mlp.model.MLP`), built without going through
    strings (millions of parameters).

**The row equations** (the exact engine's neuron matching, docs/theory.md#neuron-matching, in floats).
With k_prev the affine map v -> M v + t (rho_0(g) on layer 1) write R = [W_i | b_i] and
R' = [W'_i M | W'_i t + b'_i] for the twisted layer (W'_i, b'_i).  A monomial k_i with
permutation p and relations sigma(a_j z) = b_j sigma(z) + e_j satisfies the layer equation
exactly when R'[p_j] = a_j R[j] for every neuron j.  The best p comes from
:func:`scipy.optimize.linear_sum_assignment` on the cost of pairing row q of R' with row j of R,
minimized over the a_j the activation allows; this is how Bokman and Kahl (2023) match a
network with its mirrored self.  Per activation (docs/theory.md#the-activation-table):

==================  ====================  =====================================================
activation          a_j allowed           k_i
==================  ====================  =====================================================
tanh                +1, -1                signed permutation
sigmoid             +1, -1                signed permutation with shift e_j = 1 where a_j = -1
relu, leaky_relu    a_j > 0               positive monomial (scales b_j = a_j)
gelu, softplus,     1                     permutation
swish
identity            K_i = Aff(d)          dense M_i = W' M W^+ (least squares), t_i to match
==================  ====================  =====================================================

>>> import numpy as np
>>> from symeq.emergent.model import FloatMLP
>>> W1 = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, -1.0]])
>>> net = FloatMLP("tanh", (W1, np.ones((1, 3))), (np.zeros(3), np.zeros(1)))
>>> swap = np.array([[0.0, 1.0], [1.0, 0.0]])
>>> k, score = approximate_solve_layer(net, 1, None, twist(net, swap, np.eye(1)))
>>> k.perm.tolist(), k.scale.tolist(), score
([1, 0, 2], [1.0, 1.0, -1.0], 0.0)
"""

from __future__ import annotations

from math import gcd
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from symeq.emergent.actions import AffineMap, LatentMap, MonomialMap
from symeq.emergent.model import FloatMLP
from symeq.errors import InputError

__all__ = ["numeric_layer", "twist", "approximate_solve_layer", "conjugate", "canonical_scaling",
           "exact_table", "exact_model", "latent_kind", "KINDS"]

#: activation name -> which a_j the row equations allow (see the module table).
KINDS = {"tanh": "signed", "sigmoid": "signed_shift", "relu": "positive", "leaky_relu": "positive",
         "gelu": "permutation", "softplus": "permutation", "swish": "permutation", "identity": "affine"}

#: What each kind is called in reports (the latent group K_i).
_GROUP_NAMES = {"signed": "signed permutations", "signed_shift": "signed permutations acting affinely",
                "positive": "positive monomial matrices", "permutation": "permutations",
                "affine": "Aff(d)"}


def latent_kind(model: FloatMLP) -> str:
    """The kind of K_i on the hidden layers, and its name.

    >>> latent_kind(FloatMLP("gelu", (np.eye(2),), (np.zeros(2),)))
    ('permutation', 'permutations')
    """
    kind = KINDS[model.activation.partition(":")[0]]
    return kind, _GROUP_NAMES[kind]


def numeric_layer(model: FloatMLP, i: int, X: np.ndarray) -> np.ndarray:
    """f_i(X) for a batch X (one sample per row)."""
    return model.layer(i, X)


def twist(model: FloatMLP, g_in: np.ndarray, g_out: np.ndarray) -> FloatMLP:
    """theta^g: W_1 rho_0(g) on the first layer, rho_L(g)^{-1} (W_L, b_L) on the last.

    f(.; theta^g) = rho_L(g)^{-1} f(rho_0(g) .; theta), which is f itself when f is equivariant.

    >>> net = FloatMLP("relu", (np.array([[1.0, 0.0]]), np.array([[2.0]])), (np.zeros(1), np.zeros(1)))
    >>> twist(net, np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[-1.0]])).weights
    (array([[0., 1.]]), array([[-2.]]))
    """
    ws, bs = list(model.weights), list(model.biases)
    ws[0] = ws[0] @ g_in
    inv = np.linalg.inv(g_out)
    ws[-1], bs[-1] = inv @ ws[-1], inv @ bs[-1]
    return model.with_layers(tuple(ws), tuple(bs))


def _rows(model: FloatMLP, i: int, k_prev: LatentMap | None) -> np.ndarray:
    """[W_i M | W_i t + b_i] for k_prev = (M, t), the identity when None."""
    W, b = model.weights[i - 1], model.biases[i - 1]
    if k_prev is None:
        return np.hstack([W, b[:, None]])
    return np.hstack([W @ k_prev.matrix(), (W @ k_prev.offset() + b)[:, None]])


def approximate_solve_layer(model: FloatMLP, i: int, k_prev: LatentMap | None,
                            twisted: FloatMLP) -> tuple[LatentMap, float]:
    """The best k_i in K_i with f_i(k_prev y; twisted_i) ~ k_i f_i(y; theta_i), and its score.

    ``k_prev`` is k_{i-1} (None for the identity, as on layer 1, where ``twisted`` carries
    rho_0(g)).  The score is ||R'[p] - a R||_F / ||R||_F, the relative residual of the row
    equations (0 when the layer equation holds exactly).  Only hidden layers 1..L-1 have a K_i.
    """
    if not 1 <= i < model.depth:
        raise ValueError(f"layer {i} is not a hidden layer of a depth-{model.depth} network")
    R = _rows(model, i, None)
    Rt = _rows(twisted, i, k_prev)
    kind = latent_kind(model)[0]
    norm = max(float(np.linalg.norm(R)), 1e-300)
    if kind == "affine":
        # K_i = Aff(d): the least-squares M_i with M_i W = W' M, and t_i from the biases
        # (f(y) = W y + b, so k_i f(y) = f(k_prev y) needs M_i W = W'M, t_i = W't + b' - M_i b).
        W, b = R[:, :-1], R[:, -1]
        Wt, bt = Rt[:, :-1], Rt[:, -1]
        M = Wt @ np.linalg.pinv(W)
        score = float(np.linalg.norm(M @ W - Wt)) / max(float(np.linalg.norm(Wt)), 1e-300)
        return AffineMap(M, bt - M @ b), score
    sq_t = np.sum(Rt**2, axis=1)[:, None]
    sq = np.sum(R**2, axis=1)[None, :]
    dots = Rt @ R.T                          # dots[q, j] = R'_q . R_j
    if kind in ("signed", "signed_shift"):
        cost = sq_t + sq - 2.0 * np.abs(dots)
    elif kind == "permutation":
        cost = sq_t + sq - 2.0 * dots
    else:  # positive scales: compare directions, then fit the scale
        cost = 2.0 - 2.0 * dots / np.sqrt(np.maximum(sq_t * sq, 1e-300))
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(cols), dtype=np.int64)
    perm[cols] = rows                        # neuron j goes to p_j: R'[p_j] ~ a_j R[j]
    matched = dots[perm, np.arange(len(perm))]
    if kind in ("signed", "signed_shift"):
        a = np.where(matched < 0, -1.0, 1.0)
    elif kind == "permutation":
        a = np.ones(len(perm))
    else:
        a = np.maximum(matched / np.maximum(sq[0], 1e-300), 1e-12)
    shift = np.where(a < 0, 1.0, 0.0) if kind == "signed_shift" else None  # sigma(-z) = 1 - sigma(z)
    score = float(np.linalg.norm(Rt[perm] - a[:, None] * R)) / norm
    return MonomialMap(perm, a, shift), score


def conjugate(weights: list[np.ndarray], biases: list[np.ndarray], ks: list[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The parameters of k_i^{-1} o f_i o k_{i-1} on every layer i = 1..L.

    ``ks`` holds k_0 (on the input), k_1..k_{L-1}, k_L (on the output), each with arrays
    ``perm``, ``scale`` and ``shift`` in the monomial convention ((k v)[perm[j]] = scale[j] v[j]
    + shift[j]).  For every supported activation the relation behind scale[j] is
    sigma(a z) = b sigma(z) + e with a = b = scale[j] and c = 0, so row j of the new layer is
    row perm[j] of [W M | W t + b] divided by scale[j].  Parameters that are fixed by every
    generator are exactly the layerwise-equivariant ones.  On integer arrays with scales +-1
    and integer shifts the result is exact (integers).

    >>> W = [np.array([[1, 2], [3, 4]]), np.array([[5, 6]])]
    >>> b = [np.array([7, 8]), np.array([9])]
    >>> swap = type("K", (), {"perm": np.array([1, 0]), "scale": np.array([1, 1]), "shift": np.array([0, 0])})
    >>> one = type("K", (), {"perm": np.array([0]), "scale": np.array([1]), "shift": np.array([0])})
    >>> conjugate(W, b, [swap, swap, one])
    ([array([[4, 3],
           [2, 1]]), array([[6, 5]])], [array([8, 7]), array([9])])
    """
    new_w, new_b = [], []
    for i, (W, b) in enumerate(zip(weights, biases), start=1):
        prev, k = ks[i - 1], ks[i]
        WM = W[:, prev.perm] * prev.scale        # column j of W M is scale'_j W[:, perm'_j]
        bias = W[:, prev.perm] @ prev.shift + b  # W t + b, t[perm'_j] = shift'_j
        if np.issubdtype(np.asarray(k.scale).dtype, np.integer):
            # exact: scales are +-1, so dividing is multiplying
            new_w.append(WM[k.perm] * k.scale[:, None])
            new_b.append(bias[k.perm] * k.scale)
        else:
            new_w.append(WM[k.perm] / k.scale[:, None])
            new_b.append(bias[k.perm] / k.scale)
    return new_w, new_b


def canonical_scaling(model: FloatMLP) -> FloatMLP:
    """For relu and leaky_relu: rescale every hidden neuron to a unit incoming row [W_i[j] | b_i[j]]
    and move the scale into the outgoing column (relu(a z) = a relu(z) for a > 0: the same
    function).  Other activations have no continuous part in K_i: the model is returned as is.

    >>> net = FloatMLP("relu", (np.array([[3.0, 4.0]]), np.array([[1.0]])), (np.zeros(1), np.zeros(1)))
    >>> canonical_scaling(net).weights
    (array([[0.6, 0.8]]), array([[5.]]))
    """
    if latent_kind(model)[0] != "positive":
        return model
    ws, bs = list(model.weights), list(model.biases)
    for i in range(model.depth - 1):
        n = np.sqrt(np.sum(ws[i] ** 2, axis=1) + bs[i] ** 2)
        n = np.where(n > 0, n, 1.0)
        ws[i], bs[i] = ws[i] / n[:, None], bs[i] / n
        ws[i + 1] = ws[i + 1] * n[None, :]
    return model.with_layers(tuple(ws), tuple(bs))


def _strings(num: np.ndarray, den: int) -> list:
    """Exact strings n/d (reduced) for an integer array over one denominator."""
    flat = [int(v) for v in num.reshape(-1)]
    out = []
    for n in flat:
        g = gcd(n, den)
        d = den // g
        out.append(str(n // g) if d == 1 else f"{n // g}/{d}")
    return np.array(out, dtype=object).reshape(num.shape).tolist()


def exact_table(activation: str, weights: list[np.ndarray], biases: list[np.ndarray],
                denominator: int) -> dict[str, Any]:
    """The ``[network]`` table for integer numerators over one common denominator.

    >>> exact_table("tanh", [np.array([[1, -2]])], [np.array([4])], 4)["weights"]
    [[['1/4', '-1/2']]]
    """
    if denominator < 1:
        raise InputError("the denominator must be a positive integer")
    return {
        "architecture": "mlp",
        "activation": activation,
        "widths": [int(weights[0].shape[1])] + [int(w.shape[0]) for w in weights],
        "weights": [_strings(w, denominator) for w in weights],
        "biases": [_strings(b, denominator) for b in biases],
    }


def exact_model(activation: str, weights: list[np.ndarray], biases: list[np.ndarray], denominator: int) -> Any:
    """The exact MLP with parameters numerators / denominator (integer arrays), built by
    :meth:`~symeq.architectures.mlp.model.MLP.from_integer_layers` (no strings, no sympy number
    per weight: millions of parameters are fine).

    >>> net = exact_model("tanh", [np.array([[1, -2]])], [np.array([4])], 4)
    >>> net.weights[0], net.biases[0]
    (Matrix([[1/4, -1/2]]), Matrix([[1]]))
    """
    from symeq.activations import activation as exact_activation
    from symeq.architectures.mlp.model import MLP

    if denominator < 1:
        raise InputError("the denominator must be a positive integer")
    layers = [(np.hstack([np.asarray(w), np.asarray(b).reshape(-1, 1)]), int(denominator))
              for w, b in zip(weights, biases)]
    return MLP.from_integer_layers(exact_activation(activation), layers)


def parameter_arrays(model: FloatMLP) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The weights and biases of the float model, as the layout :func:`conjugate` reads."""
    return list(model.weights), list(model.biases)


def first_layer_filters(model: FloatMLP) -> np.ndarray:
    """The rows of W_1: the first layer's filters of image inputs."""
    return model.weights[0]
