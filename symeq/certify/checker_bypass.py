"""Checker kernel: the "linear_bypass" evidence of the core claim kind "equivariant".

Part of the independent checker, like checker_parse.py: it imports nothing from symeq outside
``symeq/certify/checker*.py`` (only checker_parse's readers and exact decisions) and is
registered in checker.py's table of direct evidence methods, so it also serves
``via_reduction`` and every claim that re-proves equivariance (counterexample certificates).

Evidence ``{"method": "linear_bypass", "pairs": [[[j, k], ...] per hidden layer], "matrix":
[[...]], "shift": [...]}``.  The checker verifies, exactly:

1. the activation has a trusted bypass identity (lemma B1 below), giving kappa;
2. every hidden layer i is partitioned by its pairs: each neuron in exactly one pair (j, k),
   j != k;
3. each pair is a bypass pair: (W_i[k, :], b_i[k]) = -(W_i[j, :], b_i[j]) and
   W_{i+1}[:, k] = -W_{i+1}[:, j];
4. the affine map x -> A x + a, recomputed layer by layer from the pairs (J_i the first members):
   (P_1, p_1) = (W_1, b_1), (P_i, p_i) = (kappa W_i[:, J] P_{i-1}[J, :],
   kappa W_i[:, J] p_{i-1}[J] + b_i), (A, a) = (P_L, p_L), equals the stated ``matrix`` and
   ``shift`` (stated so that a reader sees the function; nothing is taken from them);
5. A rho_0(g) = rho_L(g) A and rho_L(g) a = a for every generator g.

Why this proves equivariance.  By induction P_i x + p_i is the pre-activation z_i of layer i:
for i = 1 by definition.  For i >= 2, rows k and j of (W_{i-1}, b_{i-1}) are negated (step 3),
so z_{i-1}[k] = -z_{i-1}[j] as functions, and the negated columns of W_i give
W_i sigma(z_{i-1}) = sum over pairs of W_i[:, j] (sigma(z_{i-1}[j]) - sigma(-z_{i-1}[j])) =
kappa W_i[:, J] z_{i-1}[J] by B1, which is P_i x + p_i - b_i.  So f(x) = A x + a for every x (and
every value of the symbols), and f(rho_0(g) x) = A rho_0(g) x + a = rho_L(g) (A x + a) =
rho_L(g) f(x) by step 5; generators suffice because the group acts by their products.

Trusted lemma (standard identities, stated so a reader can judge them; tests/test_bypass.py
proves each symbolically with sympy):

* (B1) for every real z, sigma(z) - sigma(-z) = kappa z with
  relu: max(z, 0) - max(-z, 0) = z, kappa = 1;
  leaky_relu:A: (z > 0) z - A(-z), (z < 0) A z - (-z): kappa = 1 + A;
  gelu(z) = z Phi(z) = z (1 + erf(z / sqrt 2)) / 2: z Phi(z) + z Phi(-z) = z (Phi(z) + Phi(-z) = 1,
  erf is odd), kappa = 1;
  softplus(z) = log(1 + e^z): log((1 + e^z) / (1 + e^-z)) = log(e^z) = z, kappa = 1;
  swish(z) = z s(z), s(z) = 1 / (1 + e^-z): z s(z) + z s(-z) = z (s(z) + s(-z) = 1), kappa = 1.
  tanh, sigmoid, sin, identity and the polynomial activations have no such identity here (tanh
  and sin are odd: sigma(z) - sigma(-z) = 2 sigma(z), not linear) and are rejected.

>>> from symeq.certify.checker import verify_certificate
>>> cert = {"format": "symeq-certificate", "version": 1, "claim": {"kind": "equivariant"},
...   "network": {"activation": "softplus", "weights": [[["1"], ["-1"]], [["3", "-3"]]],
...               "biases": [["0", "0"], ["0"]]},
...   "group": {"generators": {"m": {"input": [["-1"]], "output": [["-1"]]}}},
...   "evidence": {"method": "linear_bypass", "pairs": [[[0, 1]]], "matrix": [["3"]], "shift": ["0"]}}
>>> verify_certificate(cert).ok
True
>>> cert["network"]["biases"][1] = ["1"]
>>> cert["evidence"]["shift"] = ["1"]
>>> print(verify_certificate(cert).reason)
generator m: rho_L(m) a = a fails at entry (1, 1): -1 != 1
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.certify.checker_parse import (
    Activation, Reject, field, int_index, is_zero, matmul, matrix, only_keys, require_equal, short, vector,
)

__all__ = ["BYPASS_IDENTITIES", "bypass_kappa", "check_linear_bypass"]

#: Lemma B1: sigma(z) - sigma(-z) = kappa(act) z for every real z.
BYPASS_IDENTITIES = {
    "relu": lambda act: Integer(1),
    "leaky_relu": lambda act: 1 + act.slope,
    "gelu": lambda act: Integer(1),
    "softplus": lambda act: Integer(1),
    "swish": lambda act: Integer(1),
}


def bypass_kappa(act: Activation) -> sympy.Expr:
    """kappa of lemma B1 for ``act``; Reject when the activation has no trusted bypass identity.

    >>> from symeq.certify.checker_parse import parse_activation
    >>> bypass_kappa(parse_activation("leaky_relu:1/4"))
    5/4
    >>> bypass_kappa(parse_activation("tanh"))
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: linear_bypass needs an activation with a trusted identity sigma(z) - sigma(-z) = kappa z (relu, leaky_relu, gelu, softplus, swish), not tanh
    """
    rule = BYPASS_IDENTITIES.get(act.name)
    if rule is None:
        raise Reject("linear_bypass needs an activation with a trusted identity sigma(z) - sigma(-z) = kappa z "
                     f"({', '.join(BYPASS_IDENTITIES)}), not {act.spec}")
    return rule(act)


def _pairs(ev: dict[str, Any], widths: tuple[int, ...]) -> list[list[tuple[int, int]]]:
    """The stated pairs, checked to partition every hidden layer."""
    pairs = field(ev, "pairs", list, "evidence")
    hidden = widths[1:-1]
    if len(pairs) != len(hidden):
        raise Reject(f"evidence pairs must list {len(hidden)} hidden layer(s), found {len(pairs)}")
    out = []
    for i, (layer, d) in enumerate(zip(pairs, hidden), start=1):
        if not isinstance(layer, list):
            raise Reject(f"layer {i}: pairs must be a list of [j, k]")
        seen: dict[int, int] = {}
        got = []
        for n, pair in enumerate(layer):
            if not isinstance(pair, list) or len(pair) != 2:
                raise Reject(f"layer {i}: pair {n + 1} must be a list [j, k]")
            j, k = (int_index(v, d, f"layer {i}: pair {n + 1} neuron") for v in pair)
            if j == k:
                raise Reject(f"layer {i}: pair {n + 1} pairs neuron {j} with itself")
            for v in (j, k):
                if v in seen:
                    raise Reject(f"layer {i}: neuron {v} is in pairs {seen[v] + 1} and {n + 1}")
                seen[v] = n
            got.append((j, k))
        missing = [v for v in range(d) if v not in seen]
        if missing:
            raise Reject(f"layer {i}: neuron {missing[0]} is in no pair")
        out.append(got)
    return out


def check_linear_bypass(ctx: Any) -> None:
    """Evidence method "linear_bypass" of the claim kind "equivariant" (module docstring).
    ``ctx`` is checker.py's Context (its network, group, evidence and step).

    >>> from symeq.certify.checker import Context
    >>> ctx = Context({"network": {"activation": "relu", "weights": [[["1"], ["-1"]], [["1", "-1"]]],
    ...                            "biases": [["0", "0"], ["0"]]},
    ...                "group": {"generators": {"m": {"input": [["-1"]], "output": [["-1"]]}}},
    ...                "evidence": {"method": "linear_bypass", "pairs": [[[1, 0]]], "matrix": [["1"]],
    ...                             "shift": ["0"]}})
    >>> check_linear_bypass(ctx)
    >>> ctx.steps[-1]
    'generator m: A rho_0(m) = rho_L(m) A and rho_L(m) a = a, so f(rho_0(m) x) = rho_L(m) f(x)'
    """
    net, group, ev = ctx.network, ctx.group, ctx.evidence
    only_keys(ev, {"method", "pairs", "matrix", "shift"}, "evidence")
    kappa = bypass_kappa(net.activation)
    ctx.step(f"{net.activation.spec}: sigma(z) - sigma(-z) = {'' if kappa == 1 else f'({kappa}) '}z for every "
             "real z (trusted lemma B1)")
    pairs = _pairs(ev, net.widths)
    for i, layer in enumerate(pairs, start=1):
        w, b, w_next = net.weights[i - 1], net.biases[i - 1], net.weights[i]
        for j, k in layer:
            where = f"layer {i}, pair ({j}, {k})"
            for c in range(w.cols):
                if not is_zero(w[k, c] + w[j, c]):
                    raise Reject(f"{where}: incoming weight {c + 1} of neuron {k} is {short(w[k, c])}, "
                                 f"not the negation of {short(w[j, c])}")
            if not is_zero(b[k] + b[j]):
                raise Reject(f"{where}: bias of neuron {k} is {short(b[k])}, not the negation of {short(b[j])}")
            for r in range(w_next.rows):
                if not is_zero(w_next[r, k] + w_next[r, j]):
                    raise Reject(f"{where}: outgoing weight {r + 1} of neuron {k} is {short(w_next[r, k])}, "
                                 f"not the negation of {short(w_next[r, j])}")
        listed = ", ".join(f"({j}, {k})" for j, k in layer[:8]) + (", ..." if len(layer) > 8 else "")
        ctx.step(f"layer {i}: {len(layer)} bypass pairs {listed} cover its {w.rows} neurons, each with negated "
                 f"incoming row, bias and outgoing column (W_{i + 1})")
    P, p = net.weights[0], net.biases[0]
    for i in range(2, net.depth + 1):
        J = [j for j, _ in pairs[i - 2]]
        w = ImmutableMatrix(net.weights[i - 1][:, J]).applyfunc(lambda v: sympy.expand(kappa * v))
        P, p = matmul(w, ImmutableMatrix(P[J, :])), matmul(w, ImmutableMatrix(p[J, :])) + net.biases[i - 1]
    syms = {str(s): s for s in net.symbols}
    stated = matrix(field(ev, "matrix", list, "evidence"), P.shape, "evidence matrix", syms)
    shift = vector(field(ev, "shift", list, "evidence"), p.rows, "evidence shift", syms)
    require_equal(stated, P, "evidence matrix: stated A = recomputed A")
    require_equal(shift, p, "evidence shift: stated a = recomputed a")
    ctx.step(f"f(x) = A x + a for every x: pre-activations recomputed layer by layer through the pairs "
             f"(kappa = {kappa}); A and a equal the stated matrix and shift")
    for g in group.names:
        rho0, rho_l = group.generator(g)
        require_equal(matmul(P, rho0), matmul(rho_l, P), f"generator {g}: A rho_0({g}) = rho_L({g}) A")
        require_equal(matmul(rho_l, p), p, f"generator {g}: rho_L({g}) a = a")
        ctx.step(f"generator {g}: A rho_0({g}) = rho_L({g}) A and rho_L({g}) a = a, so f(rho_0({g}) x) = "
                 f"rho_L({g}) f(x)")
