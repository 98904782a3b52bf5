"""Choosing sample inputs for Jacobian ranks (approximate arithmetic: it only *chooses* points,
every verdict is computed exactly at the chosen points).

For a piecewise-linear network, random points in a box miss small linear regions, and the
sampled rank stays below the functional dimension.  :func:`line_sweep_inputs` walks random
lines x = p + t d: along a line every pre-activation is piecewise linear in t, so the pieces
can be listed layer by layer (roots of affine functions), and one rational point is taken in
each piece.  Every neuron whose kink the line crosses then has inputs on both sides.

>>> from symeq.symmetry.functional_dimension import random_network
>>> xs = line_sweep_inputs(random_network("relu", (2, 3, 1), seed=0), 10, seed=0)
>>> len(xs), all(len(x) == 2 for x in xs)
(10, True)
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
from sympy import Rational

from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.jacobian_exact import integer_activation

__all__ = ["line_sweep_inputs"]

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
