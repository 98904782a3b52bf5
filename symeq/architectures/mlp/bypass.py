"""The linear bypass proof: networks whose hidden layers consist entirely of bypass pairs.

For the activations with an odd part proportional to z,

    sigma(z) - sigma(-z) = kappa z        for every real z                (docs/theory.md section 6)

(relu, gelu, softplus, swish: kappa = 1; leaky_relu:A: kappa = 1 + A), two neurons j, k of a
hidden layer form a *bypass pair* when (W_i[k, :], b_i[k]) = -(W_i[j, :], b_i[j]) and
W_{i+1}[:, k] = -W_{i+1}[:, j]: together they add c sigma(z) - c sigma(-z) = kappa c z to the
next layer, with z = W_i[j, :] h + b_i[j] and c = W_{i+1}[:, j].  When *every* neuron of every
hidden layer lies in exactly one pair, each layer passes an affine function of its input on,
and the network computes an affine map f(x) = A x + a, obtained layer by layer with
J_i = the first neurons of the pairs of layer i:

    (P_1, p_1) = (W_1, b_1),
    (P_i, p_i) = (kappa W_i[:, J] P_{i-1}[J, :],  kappa W_i[:, J] p_{i-1}[J] + b_i),   i = 2..L,

(P_i x + p_i is the pre-activation of layer i; A = P_L, a = p_L).  Then f is G-equivariant
exactly when A rho_0(g) = rho_L(g) A and rho_L(g) a = a for every generator g -- the proof
:func:`linear_bypass` gives (certificate evidence "linear_bypass", docs/certificates.md).  When
an equation fails the network computes a non-equivariant affine map, and an input where the
two sides differ can be read off the failing equation (x = 0 for the shift, x = e_j for a
column).

Every comparison is exact: the entries live in K0[symbols, pi] over the number field of the
network's and the group's entries (:class:`~symeq.rings.ExactRing`), where equal
elements are identical, so neurons are paired by hashing.

>>> from symeq.groups import catalog_group
>>> from symeq.architectures import network_from_dict
>>> net = network_from_dict({"activation": "gelu",
...     "weights": [[["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]],
...                 [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
...     "biases": [["0", "0", "0", "0"], ["0", "0"]]})
>>> out = linear_bypass(net, catalog_group("C8", 2, 2))
>>> out.status, out.proof.pairs, out.proof.matrix.tolist()
('holds', (((0, 2), (1, 3)),), [[1, 0], [0, 1]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer
from sympy.polys.rings import PolyElement

from symeq.activations import Activation
from symeq.rings import ExactRing, exact_ring
from symeq.exact import exact_string
from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP

__all__ = ["BYPASS_ACTIVATIONS", "bypass_factor", "bypass_pairs", "match_pairs", "BypassProof", "BypassOutcome",
           "linear_bypass"]

#: Activations with sigma(z) - sigma(-z) = kappa z, and where kappa comes from.
BYPASS_ACTIVATIONS = ("relu", "leaky_relu", "gelu", "softplus", "swish")

Pairs = tuple[tuple[tuple[int, int], ...], ...]


def bypass_factor(act: Activation) -> sympy.Expr | None:
    """kappa with sigma(z) - sigma(-z) = kappa z for every real z, or None (no linear bypass).

    relu: z - 0 (z > 0); gelu: z Phi(z) + z Phi(-z) = z; softplus: log((1 + e^z)/(1 + e^-z)) = z;
    swish: z s(z) + z s(-z) = z (s the logistic function, s(z) + s(-z) = 1); leaky_relu:A:
    z + A z for z > 0 and A z + z for z < 0.  tests/test_bypass.py proves each symbolically.

    >>> from symeq.activations import activation
    >>> bypass_factor(activation("softplus")), bypass_factor(activation("leaky_relu:1/10"))
    (1, 11/10)
    >>> bypass_factor(activation("tanh")) is None
    True
    """
    if act.name in ("relu", "gelu", "softplus", "swish"):
        return Integer(1)
    if act.name == "leaky_relu":
        return 1 + act._slope
    return None


@dataclass(frozen=True)
class BypassProof:
    """The pairs of every hidden layer and the affine map x -> A x + a the network computes."""

    pairs: Pairs
    kappa: sympy.Expr
    matrix: ImmutableMatrix
    shift: ImmutableMatrix

    def evidence(self) -> dict[str, Any]:
        """The certificate's "linear_bypass" evidence (docs/certificates.md).

        >>> BypassProof(((( 0, 1),),), Integer(1), ImmutableMatrix([[2]]), ImmutableMatrix([0])).evidence()
        {'method': 'linear_bypass', 'pairs': [[[0, 1]]], 'matrix': [['2']], 'shift': ['0']}
        """
        return {"method": "linear_bypass", "pairs": [[list(p) for p in layer] for layer in self.pairs],
                "matrix": [[exact_string(self.matrix[r, c]) for c in range(self.matrix.cols)]
                           for r in range(self.matrix.rows)],
                "shift": [exact_string(v) for v in self.shift]}

    def describe(self) -> str:
        """The map in words.

        >>> BypassProof((((0, 1),),), Integer(1), ImmutableMatrix([[2]]), ImmutableMatrix([0])).describe()
        'x -> [[2]] x + [0]'
        """
        return f"x -> {self.matrix.tolist()} x + {list(self.shift)}"


@dataclass(frozen=True)
class BypassOutcome:
    """What :func:`linear_bypass` decided.

    ``status``: "holds" (``proof`` set), "fails" (the network computes the affine map of
    ``proof``, which is not equivariant for ``generator``; ``point`` is an input where the two
    sides differ, None for a symbolic network), or "not_applicable" (``reason`` says why).
    """

    status: str
    reason: str
    proof: BypassProof | None = None
    generator: str | None = None
    point: tuple[sympy.Expr, ...] | None = None


def _ring(net: MLP, group: GroupAction, kappa: sympy.Expr) -> ExactRing | None:
    exprs: list[sympy.Expr] = [kappa]
    for m in (*net.weights, *net.biases, *group.inputs, *group.outputs):
        exprs.extend(m)
    return exact_ring(exprs)


def _pair_layer(w: list[list[PolyElement]], b: list[PolyElement],
                w_next: list[list[PolyElement]]) -> tuple[tuple[int, int], ...] | int:
    """The bypass pairs of one hidden layer (each neuron in exactly one pair), or the first
    neuron left without a partner."""
    pairs, left = match_pairs(w, b, w_next)
    return left[0] if left else pairs


def match_pairs(w: list[list[PolyElement]], b: list[PolyElement],
                w_next: list[list[PolyElement]]) -> tuple[tuple[tuple[int, int], ...], list[int]]:
    """(the bypass pairs of one hidden layer, the neurons left without a partner).  Greedy
    pairing by hashing is complete: pairs only join a neuron vector v with -v, so within each
    class {v, -v} any pairing works."""
    waiting: dict[tuple[PolyElement, ...], list[int]] = {}
    pairs: list[tuple[int, int]] = []
    for j in range(len(w)):
        key = (*w[j], b[j], *(row[j] for row in w_next))
        partners = waiting.get(tuple(-x for x in key))
        if partners:
            pairs.append((partners.pop(0), j))
        else:
            waiting.setdefault(key, []).append(j)
    return tuple(sorted(pairs)), sorted(j for js in waiting.values() for j in js)


def bypass_pairs(net: MLP) -> Pairs | None:
    """The bypass pairs of every hidden layer when every hidden neuron lies in exactly one
    pair, else None (also for an activation without a linear bypass or without hidden layer).

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "swish", "weights": [[["1"], ["2"], ["-1"], ["-2"]],
    ...     [["3", "1", "-3", "-1"]]], "biases": [["0", "1", "0", "-1"], ["0"]]})
    >>> bypass_pairs(net)
    (((0, 2), (1, 3)),)
    """
    ring = exact_ring([x for m in (*net.weights, *net.biases) for x in m])
    if bypass_factor(net.activation) is None or net.depth < 2 or ring is None:
        return None
    return _pairs(net, ring)[0]


def _pairs(net: MLP, ring: ExactRing) -> tuple[Pairs | None, tuple[int, int] | None]:
    """(pairs, None), or (None, (layer, neuron)) naming the first neuron without a partner."""
    ws = [ring.matrix(w) for w in net.weights]
    bs = [[row[0] for row in ring.matrix(b)] for b in net.biases]
    out = []
    for i in range(1, net.depth):
        layer = _pair_layer(ws[i - 1], bs[i - 1], ws[i])
        if isinstance(layer, int):
            return None, (i, layer)
        out.append(layer)
    return tuple(out), None


def _mul(a: list[list[PolyElement]], b: list[list[PolyElement]], zero: PolyElement) -> list[list[PolyElement]]:
    return [[sum((a[r][k] * b[k][c] for k in range(len(b))), zero) for c in range(len(b[0]))]
            for r in range(len(a))]


def linear_bypass(net: MLP, group: GroupAction) -> BypassOutcome:
    """Prove (or refute) equivariance of a network made entirely of bypass pairs (module doc).

    >>> from symeq.groups import catalog_group
    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "leaky_relu:1/2", "weights": [[["1", "0"], ["-1", "0"]],
    ...     [["2", "-2"]]], "biases": [["0", "0"], ["1"]]})
    >>> out = linear_bypass(net, catalog_group("S2", 2, 1, output="trivial"))
    >>> out.status, out.generator, out.point, out.proof.describe()
    ('fails', 't', (1, 0), 'x -> [[3, 0]] x + [1]')
    >>> from symeq.activations import activation
    >>> linear_bypass(net.with_activation(activation("tanh")), catalog_group("S2", 2, 1, output="trivial")).reason
    'tanh has no identity sigma(z) - sigma(-z) = kappa z'
    """
    act = net.activation
    kappa = bypass_factor(act)
    if kappa is None:
        return BypassOutcome("not_applicable", f"{act.spec} has no identity sigma(z) - sigma(-z) = kappa z")
    if net.depth < 2:
        return BypassOutcome("not_applicable", "the network has no hidden layer")
    ring = _ring(net, group, kappa)
    if ring is None:
        return BypassOutcome("not_applicable", "the entries are not polynomials in the symbols over a number field")
    pairs, lonely = _pairs(net, ring)
    if pairs is None:
        assert lonely is not None
        return BypassOutcome("not_applicable", f"layer {lonely[0]}: neuron {lonely[1]} has no bypass partner "
                             "(negated incoming row and bias, negated outgoing column)")
    zero, k = ring.ring.zero, ring.element(kappa)
    P = ring.matrix(net.weights[0])
    p = [row[0] for row in ring.matrix(net.biases[0])]
    for i in range(2, net.depth + 1):
        J = [j for j, _ in pairs[i - 2]]
        w = [[k * row[j] for j in J] for row in ring.matrix(net.weights[i - 1])]
        b = [row[0] for row in ring.matrix(net.biases[i - 1])]
        P = _mul(w, [P[j] for j in J], zero)
        p = [r[0] + y for r, y in zip(_mul(w, [[p[j]] for j in J], zero), b)]
    A = ImmutableMatrix(len(P), len(P[0]), [ring.to_sympy(x) for row in P for x in row])
    a = ImmutableMatrix(len(p), 1, [ring.to_sympy(x) for x in p])
    proof = BypassProof(pairs, kappa, A, a)
    for g, rho0, rho_l in group.generators():
        r0, rl = ring.matrix(rho0), ring.matrix(rho_l)
        cols = [c for c in range(len(P[0]))
                if any(x != y for x, y in zip((row[c] for row in _mul(P, r0, zero)),
                                                (row[c] for row in _mul(rl, P, zero))))]
        shift_fails = any(x != y for x, y in zip(p, (r[0] for r in _mul(rl, [[x] for x in p], zero))))
        if cols or shift_fails:
            point = None
            if not net.symbols:
                point = tuple(Integer(int(not shift_fails and j == cols[0])) for j in range(net.widths[0]))
            what = "rho_L(g) a != a" if shift_fails else f"column {cols[0]} of A rho_0(g) - rho_L(g) A is not 0"
            return BypassOutcome("fails", f"the network computes {proof.describe()}, and for generator {g}: {what}",
                                 proof, g, point)
    identity = f"sigma(z) - sigma(-z) = {'' if kappa == 1 else f'({kappa}) '}z"
    return BypassOutcome("holds", f"every hidden layer consists of bypass pairs ({identity}), so f is the affine "
                         f"map {proof.describe()} = A x + a; A rho_0(g) = rho_L(g) A and rho_L(g) a = a for every "
                         "generator", proof)

