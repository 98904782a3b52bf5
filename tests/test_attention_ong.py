"""Ong's structure theorem as a test oracle (docs/theory.md section 7.1).

One softmax attention layer with a readout, n >= 3 tokens, G acting on tokens and (orthogonally)
on features: the network is G-equivariant iff the heads, grouped by score form M (the points of
X_0 + X), satisfy M_{g p} = R_g M_p R_g^T and C_{g p} = R_g C_p S_g^T for the summed value-output
maps C_p = sum_{heads h at p} V_h W_O^h, where the points with C_p = 0 form X_0 and impose nothing
(and the bias is fixed: S_g b = b).  The oracle below implements that criterion with sympy,
independently of the engine; ``check`` must agree with it on networks built both ways: by Ong's
conditions (several heads per point, points that cancel) and broken.
"""

from __future__ import annotations

import random

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Rational

from attention_strategies import group_of, matrix_strings
from symeq.architectures import network_from_dict
from symeq.architectures.attention import group_from_dict
from symeq.architectures.attention.equivariance import check

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ong_equivariant(table: dict, group) -> bool:
    """Ong's criterion on a one-layer softmax network table (no positional encoding)."""
    heads = table["layers"][0]["heads"]
    W = ImmutableMatrix([[Rational(x) for x in r] for r in table["readout"]["output"]])
    b = ImmutableMatrix([Rational(x) for x in table["readout"]["bias"]])
    points: list[tuple[ImmutableMatrix, ImmutableMatrix]] = []
    row = 0
    for h in heads:
        Q, K, V = (ImmutableMatrix([[Rational(x) for x in r] for r in h[k]]) for k in ("query", "key", "value"))
        M, v = Q * K.T, V.shape[1]
        C = V * W[row:row + v, :]
        row += v
        for n, (Mp, Cp) in enumerate(points):
            if Mp == M:
                points[n] = (Mp, Cp + C)
                break
        else:
            points.append((M, C))
    X = [(M, C) for M, C in points if not C.is_zero_matrix]
    for _, R, S in group.generators.values():
        if S * b != b:
            return False
        for M, C in X:
            image = [(M2, C2) for M2, C2 in X if M2 == R * M * R.T]
            if len(image) != 1 or image[0][1] != R * C * S.T:
                return False
    return True


def _rand(rng, r, c, span=3):
    return ImmutableMatrix(r, c, [Rational(rng.randint(-span, span)) for _ in range(r * c)])


def ong_network(rng: random.Random, group, split: bool, cancel: bool) -> dict:
    """One regular orbit of points, each point's C split over one or two heads, and optionally a
    point of X_0 (two heads that cancel)."""
    els = group.elements()
    d, dL = group.d_in, group.d_out
    heads, outs = [], []
    Q0, K0, C0 = _rand(rng, d, 1), _rand(rng, d, 1), _rand(rng, d, dL)
    while (Q0 * K0.T).is_zero_matrix or C0.is_zero_matrix:
        Q0, K0, C0 = _rand(rng, d, 1), _rand(rng, d, 1), _rand(rng, d, dL)
    for _, R, S in els:
        Q, K, C = R * Q0, R * K0, R * C0 * S.T
        if split:  # C = V1 W1 + I (C - V1 W1): two heads at the same point
            V1, W1 = _rand(rng, d, 1), _rand(rng, 1, dL)
            parts = [(V1, W1), (ImmutableMatrix.eye(d), C - V1 * W1)]
        else:
            parts = [(ImmutableMatrix.eye(d), C)]
        for V, Wh in parts:
            heads.append({"query": matrix_strings(Q), "key": matrix_strings(K), "value": matrix_strings(V)})
            outs.append(Wh)
    if cancel:  # a point of X_0: (M, V, W) and (M, V, -W)
        Q, K, V, Wh = _rand(rng, d, 1), _rand(rng, d, 1), _rand(rng, d, 1), _rand(rng, 1, dL)
        for sign in (1, -1):
            heads.append({"query": matrix_strings(Q), "key": matrix_strings(K), "value": matrix_strings(V)})
            outs.append(sign * Wh)
    b0 = _rand(rng, dL, 1)
    b = sum((S * b0 for _, _, S in els), sympy.zeros(dL, 1)) / len(els)
    return {"architecture": "attention", "normalization": "softmax", "tokens": 3, "widths": [d, dL],
            "layers": [{"heads": heads}],
            "readout": {"output": matrix_strings(ImmutableMatrix.vstack(*outs)), "bias": [str(x) for x in b]}}


def _verdict(table, group):
    net = network_from_dict(table)
    return check(net, group_from_dict(group.table(), net), tries=60)


@SETTINGS
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["mirror", "features", "cyclic"]), split=st.booleans(),
       cancel=st.booleans())
def test_built_by_ongs_conditions_holds(seed, kind, split, cancel):
    rng = random.Random(seed)
    group = group_of(kind, 3, 2)
    table = ong_network(rng, group, split, cancel)
    assert ong_equivariant(table, group)
    r = _verdict(table, group)
    assert r.verdict == "holds", r.text()


@SETTINGS
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["mirror", "features", "cyclic"]), split=st.booleans())
def test_broken_by_ongs_conditions_fails(seed, kind, split):
    rng = random.Random(seed)
    group = group_of(kind, 3, 2)
    table = ong_network(rng, group, split, cancel=False)
    W = table["readout"]["output"]
    W[0] = [str(2 * Rational(x) + 1) for x in W[0]]  # the first head's output map: C_p changes
    assume(not ong_equivariant(table, group))  # (a point fixed by G may stay consistent)
    r = _verdict(table, group)
    assert r.verdict == "fails", r.text()


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_random_networks_agree_with_the_oracle(seed):
    """Small random heads under the token-and-feature mirror: the verdict is Ong's."""
    rng = random.Random(seed)
    group = group_of("mirror", 3, 2)
    H = rng.randint(1, 2)
    heads = [{"query": matrix_strings(_rand(rng, 2, 1, 1)), "key": matrix_strings(_rand(rng, 2, 1, 1)),
              "value": matrix_strings(_rand(rng, 2, 1, 1))} for _ in range(H)]
    table = {"architecture": "attention", "normalization": "softmax", "tokens": 3, "widths": [2, 2],
             "layers": [{"heads": heads}],
             "readout": {"output": matrix_strings(_rand(rng, H, 2, 1)), "bias": ["1", "1"]}}
    want = ong_equivariant(table, group)
    r = _verdict(table, group)
    assert r.verdict == ("holds" if want else "fails"), r.text()
