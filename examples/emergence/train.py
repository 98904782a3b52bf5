"""A small numpy MLP trainer with the paper's soft equivariance loss (no autodiff library needed).

    loss = task loss + lam * mean |f(m x') - P f(x')|^2,     x' = x + noise

with m the mirror on the input, P the mirror on the output (autoencoder: equivariance) or the
identity (classifier logits: invariance), and lam = 0 in the first half of training, as in
the paper.  The equivariance term is evaluated on the batch with Gaussian noise added to
every pixel (``eq_noise``): the digits' border pixels are almost always blank, so on clean
data nothing would constrain their weights, while the measurement uses noise inputs.

Backpropagation is written out by hand (the network is a plain MLP); Adam updates the
parameters.  The result is a :class:`symeq.emergent.FloatMLP`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from symeq.emergent import FloatMLP
from symeq.emergent.model import numeric_activation


def _derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return 1.0 - a**2
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "gelu":
        return 0.5 * (1.0 + erf(z / np.sqrt(2.0))) + z * np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)
    raise ValueError(name)


@dataclass
class Trainer:
    activation: str
    widths: tuple[int, ...]
    seed: int = 0

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.W = [rng.standard_normal((o, i)) * np.sqrt(1.0 / i) for i, o in zip(self.widths, self.widths[1:])]
        self.b = [np.zeros(o) for o in self.widths[1:]]
        self.sigma = numeric_activation(self.activation)
        self.rng = rng
        self.m = [np.zeros_like(p) for p in self.W + self.b]
        self.v = [np.zeros_like(p) for p in self.W + self.b]
        self.t = 0

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, list]:
        cache = []
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            Z = X @ W.T + b
            A = Z if i == len(self.W) - 1 else self.sigma(Z)
            cache.append((X, Z, A))
            X = A
        return X, cache

    def backward(self, dout: np.ndarray, cache: list) -> tuple[list, list]:
        gW, gb = [None] * len(self.W), [None] * len(self.W)
        d = dout
        for i in reversed(range(len(self.W))):
            X, Z, A = cache[i]
            if i < len(self.W) - 1:
                d = d * _derivative(self.activation, Z, A)
            gW[i] = d.T @ X
            gb[i] = d.sum(axis=0)
            d = d @ self.W[i]
        return gW, gb

    def step(self, gW: list, gb: list, lr: float, decay: float) -> None:
        self.t += 1
        params = self.W + self.b
        grads = [g + decay * p for g, p in zip(gW, self.W)] + gb
        for n, (p, g) in enumerate(zip(params, grads)):
            self.m[n] = 0.9 * self.m[n] + 0.1 * g
            self.v[n] = 0.999 * self.v[n] + 0.001 * g * g
            mh = self.m[n] / (1 - 0.9**self.t)
            vh = self.v[n] / (1 - 0.999**self.t)
            p -= lr * mh / (np.sqrt(vh) + 1e-8)

    def model(self) -> FloatMLP:
        return FloatMLP(self.activation, tuple(self.W), tuple(self.b))


def train(task: str, activation: str, X: np.ndarray, y: np.ndarray | None, hidden: tuple[int, ...],
          mirror_in: np.ndarray, mirror_out: np.ndarray, *, epochs: int, lam: float = 1.0,
          eq_noise: float = 1.0, lr: float = 2e-3, decay: float = 1e-5, batch: int = 64,
          seed: int = 0) -> tuple[FloatMLP, float]:
    """Train an autoencoder (task 'autoencoder', target X) or a classifier (labels y) and return
    the model and its training score (R^2 or accuracy).  ``mirror_in``/``mirror_out`` are index
    arrays: x[mirror_in] is the mirrored input, out[:, mirror_out] the output action."""
    d_out = X.shape[1] if task == "autoencoder" else int(y.max()) + 1
    net = Trainer(activation, (X.shape[1], *hidden, d_out), seed)
    rng = net.rng
    n = X.shape[0]
    for epoch in range(epochs):
        eq = lam if epoch >= epochs // 2 else 0.0     # the soft loss in the second half only
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb = X[idx]
            out, cache = net.forward(xb)
            if task == "autoencoder":
                dout = 2.0 * (out - xb) / (len(idx) * X.shape[1])
            else:
                p = np.exp(out - out.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                p[np.arange(len(idx)), y[idx]] -= 1.0
                dout = p / len(idx)
            gW, gb = net.backward(dout, cache)
            if eq:
                xn = xb + eq_noise * rng.standard_normal(xb.shape)
                o1, c1 = net.forward(xn[:, mirror_in])
                o2, c2 = net.forward(xn)
                D = o1 - o2[:, mirror_out]
                scale = 2.0 * eq / (len(idx) * D.shape[1])
                g1W, g1b = net.backward(scale * D, c1)
                back = np.zeros_like(D)
                back[:, mirror_out] = -scale * D
                g2W, g2b = net.backward(back, c2)
                gW = [a + b + c for a, b, c in zip(gW, g1W, g2W)]
                gb = [a + b + c for a, b, c in zip(gb, g1b, g2b)]
            net.step(gW, gb, lr, decay)
    model = net.model()
    out = model.forward(X)
    if task == "autoencoder":
        score = 1.0 - float(np.sum((out - X) ** 2) / np.sum((X - X.mean(axis=0)) ** 2))
    else:
        score = float(np.mean(out.argmax(axis=1) == y))
    return model, score
