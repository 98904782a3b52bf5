"""Random generic parameters and sample inputs for Jacobian ranks (approximate arithmetic only
*chooses* points; every verdict is computed exactly at the chosen points).

For a piecewise-linear network, random points in a box miss small linear regions, and the
sampled rank stays below the functional dimension.  :func:`line_sweep_inputs` walks random
lines x = p + t d: along a line every pre-activation is piecewise linear in t, so the pieces
can be listed layer by layer (roots of affine functions), and one rational point is taken in
each piece.  Every neuron whose kink the line crosses then has inputs on both sides.

>>> xs = line_sweep_inputs(random_network("relu", (2, 3, 1), seed=0), 10, seed=0)
>>> len(xs), all(len(x) == 2 for x in xs)
(10, True)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from sympy import ImmutableMatrix, Integer, Rational

from symeq.activations import Activation
from symeq.activations.relations import resolve_activation
from symeq.architectures.mlp.jacobian_exact import exact_jacobian, integer_activation, kink_free
from symeq.architectures.mlp.model import MLP
from symeq.errors import InputError

__all__ = ["line_sweep_inputs", "random_network", "sample_inputs", "default_inputs", "default_count",
           "MAX_PARAMS_GENERIC"]

#: Largest network whose random parameter is checked to be generic (exact Jacobians at about
#: 2 n inputs, per draw).
MAX_PARAMS_GENERIC = 2500

#: Most pieces followed along one line.
MAX_PIECES = 4000


def _float_net(net: MLP):
    ws = [np.array(w.tolist(), dtype=float) for w in net.weights]
    bs = [np.array(b.tolist(), dtype=float).ravel() for b in net.biases]
    return ws, bs


def _pieces_along(ws, bs, kinks, slopes, intercepts, p, d, T):
    """Final (t0, t1) pieces of the network along x = p + t d, t in [-T, T]."""
    segs = [(-T, T, p.astype(float), d.astype(float))]
    for i in range(len(ws) - 1):
        W, b = ws[i], bs[i]
        new = []
        for t0, t1, A, B in segs:
            z0, z1 = W @ A + b, W @ B
            roots = []
            for k in kinks:
                with np.errstate(divide="ignore", invalid="ignore"):
                    t = (k - z0) / z1
                roots.extend(float(r) for r in t[np.isfinite(t)] if t0 < r < t1)
            pts = [t0] + sorted(roots) + [t1]
            for a, c in zip(pts, pts[1:]):
                if c - a < 1e-9 * max(1.0, abs(a)):
                    continue
                tm = (a + c) / 2
                z = z0 + z1 * tm
                idx = np.zeros(z.shape, dtype=int)
                for k in kinks:
                    idx += (z > k).astype(int)
                s, q = slopes[idx], intercepts[idx]
                new.append((a, c, s * z0 + q, s * z1))
                if len(new) > MAX_PIECES:
                    break
        segs = new
    return [(a, c) for a, c, _, _ in segs]


def line_sweep_inputs(net: MLP, count: int, seed: int = 0) -> list[tuple[Rational, ...]]:
    """``count`` rational inputs, one per linear piece along random lines (piecewise-linear
    activations only)."""
    iact = integer_activation(net.activation)
    assert iact is not None and iact.kind == "pl"
    kinks = [kp / kq for kp, kq in iact.kinks]
    slopes = np.array([s / iact.q for s, _ in iact.pieces])
    intercepts = np.array([t / iact.q for _, t in iact.pieces])
    ws, bs = _float_net(net)
    rng = random.Random(seed * 104729 + 3)
    d0 = net.widths[0]
    out: list[tuple[Rational, ...]] = []
    seen = set()
    lines = 0
    while len(out) < count and lines < 20 * count + 100:
        lines += 1
        p = np.array([rng.randint(-8, 8) for _ in range(d0)])
        d = np.array([rng.choice([v for v in range(-5, 6) if v]) for _ in range(d0)])
        pieces = _pieces_along(ws, bs, kinks, slopes, intercepts, p, d, 60.0)
        rng.shuffle(pieces)
        for a, c in pieces:
            t = Fraction((a + c) / 2).limit_denominator(max(2, int(8 / max(c - a, 1e-6))))
            if not a < float(t) < c:
                t = Fraction((a + c) / 2)
            x = tuple(Rational(int(pi)) + Rational(t.numerator, t.denominator) * int(di) for pi, di in zip(p, d))
            if x in seen:
                continue
            seen.add(x)
            out.append(x)
            if len(out) >= count:
                break
    return out


def random_network(activation: str | Activation, widths: Sequence[int], seed: int = 0) -> MLP:
    """An MLP with random small rational parameters, reproducible from ``seed``.

    Weights are p/q with |p| <= 6, q <= 3.  For smooth activations the biases are drawn the
    same way.  For piecewise-linear activations plain random biases leave many neurons of deep
    layers dead or always active on all of R^d0 (a special parameter with extra symmetries),
    so each bias is chosen to put the neuron's kink through a random anchor input (rounded to
    thirds), and the draw is repeated until every neuron's activation pattern varies on the
    sampled inputs: a *generic* parameter (checked only up to MAX_PARAMS_EXACT parameters).

    >>> random_network("tanh", (2, 2, 1), seed=3).parameters()
    (-1, 3, -1/3, 2/3, 1, 3, 4, 4, -1)
    """
    widths = tuple(widths)
    if len(widths) < 2 or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths):
        raise InputError(f"widths must be at least two positive integers, got {widths}")
    act = resolve_activation(activation)
    rng = random.Random(seed)

    def number() -> Rational:
        return Rational(rng.choice([p for p in range(-6, 7) if p]), rng.randint(1, 3))

    ws = tuple(ImmutableMatrix(widths[i], widths[i - 1], lambda r, c: number()) for i in range(1, len(widths)))
    bs = tuple(ImmutableMatrix(widths[i], 1, lambda r, c: number()) for i in range(1, len(widths)))
    net = MLP(act, ws, bs)
    iact = integer_activation(act)
    if iact is None or iact.kind != "pl" or len(widths) < 3:
        return net
    if net.n_params > MAX_PARAMS_GENERIC:
        # The genericity check below builds exact Jacobians at about 2 n inputs, per draw; the
        # functional dimension is not computed for such networks anyway.
        return _anchored(net, iact, rng)
    for attempt in range(30):
        net = _anchored(net, iact, rng)
        xs = default_inputs(net, max(40, 2 * net.n_params // widths[-1]), seed + attempt)
        if not exact_jacobian(net, xs).stuck_neurons:
            return net
        ws = tuple(ImmutableMatrix(widths[i], widths[i - 1], lambda r, c: number()) for i in range(1, len(widths)))
        net = MLP(act, ws, net.biases)
    return net


def _anchored(net: MLP, iact, rng: random.Random) -> MLP:
    """Biases putting each hidden neuron's first kink through a random anchor input."""
    kink = Rational(*iact.kinks[0])
    d0 = net.widths[0]
    for i in range(1, net.depth):
        W = net.weights[i - 1]
        b = []
        for j in range(W.rows):
            anchor = ImmutableMatrix([Integer(rng.randint(-8, 8)) for _ in range(d0)])
            h = anchor
            for k in range(1, i):
                h = net.layer_value(k, h)
            z = (W[j, :] * h)[0, 0]
            b.append(Rational(round(3 * (kink - z)), 3) + Rational(rng.choice((-1, 1)), 7))
        net = net.with_layer(i, W, ImmutableMatrix(b))
    return net


def sample_inputs(net: MLP, count: int, seed: int = 0) -> list[tuple[Rational, ...]]:
    """``count`` random rational inputs suited to the activation: wide integer boxes for
    piecewise-linear maps (every kink is crossed), small ones for polynomials, moderate
    rationals for saturating transcendental maps.

    >>> sample_inputs(random_network("tanh", (2, 2, 1)), 2, seed=1)
    [(2, -3/2), (5/4, 5/2)]
    """
    rng = random.Random(seed * 7919 + 17)
    iact = integer_activation(net.activation)
    d = net.widths[0]
    if iact is not None and iact.kind == "pl":
        # several scales: far-away inputs reach the outer linear regions of deep neurons
        return [tuple(Integer(rng.randint(-24, 24) * rng.choice((1, 1, 5, 25))) for _ in range(d))
                for _ in range(count)]
    if iact is not None:
        return [tuple(Rational(rng.randint(-6, 6), 2) for _ in range(d)) for _ in range(count)]
    return [tuple(Rational(rng.randint(-12, 12), 4) for _ in range(d)) for _ in range(count)]


def default_inputs(net: MLP, count: int, seed: int = 0) -> list[tuple]:
    """The inputs the exact path samples: one per linear piece along random lines for
    piecewise-linear activations (kinks excluded), small random rationals otherwise."""
    iact = integer_activation(net.activation)
    if iact is not None and iact.kind == "pl":
        xs = line_sweep_inputs(net, count, seed)
        return [x for x, ok in zip(xs, kink_free(net, xs)) if ok]
    return sample_inputs(net, count, seed)


def default_count(net: MLP) -> int:
    """How many inputs the first Jacobian uses: 20% more rows than parameters.

    >>> default_count(random_network("relu", (2, 3, 1)))
    20
    """
    return math.ceil(1.2 * net.n_params / net.widths[-1]) + 4
