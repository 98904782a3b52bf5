"""The MLP's reductions for the weak construction (:mod:`symeq.construction.weak`): the rank
factorization of linear networks, the embedding of latent maps into beta(theta~), and the
certificate's proof that f(theta) = f(beta(theta~)).

The theorem (docs/theory.md section 5) promises layerwise actions not at theta but at beta(theta~),
the parameter choice with the same function: theta~ is the submodel without inactive or
redundant neurons (:func:`symeq.identifiability.reduce_network`, each rewrite step proved to
keep the function), and beta pads it back to the original widths with zero neurons (zero
incoming row, bias and outgoing column).  So

    f( . ; theta) = f( . ; theta~) = f( . ; beta(theta~)),

the first equality by the rewrite steps, the second because a zero neuron contributes nothing.

The latent action on a padded layer acts on the kept neurons as on theta~ (at their original
indices) and fixes every zero neuron: a zero row stays a zero row under any k_{i-1} that
fixes the zero neurons of the previous layer, and a zero column ignores what happens there.

"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.architectures.mlp.reduce import reduce_network
from symeq.architectures.mlp.latent_map import IDENTITY, LatentMap
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["LinearReduction", "linear_reduction", "end_to_end", "embed_map", "weak_reduction",
           "equal_function_evidence"]


@dataclass(frozen=True)
class LinearReduction:
    """The submodel of a linear network (identity activation) whose hidden widths exceed the
    rank r of its end-to-end map x -> E x + e: theta~ has every hidden width r, with
    W~_1 = B, W~_i = I_r (1 < i < L), W~_L = C, b~_L = e and zero hidden biases, for a rank
    factorization E = C B (B the nonzero rows of rref(E)).  Every factor has full rank r, so
    theta~ is identifiable (docs/theory.md section 3), and f(theta~) = f(theta) because both are the
    affine map x -> E x + e.  beta pads hidden layers with zero neurons after the first r.

    Exposes the attributes of :class:`~symeq.architectures.mlp.reduce.Reduction` that the
    construction uses (``original``, ``reduced``, ``kept``, ``steps``, ``changed``, ``beta``).
    """

    original: MLP
    reduced: MLP
    kept: tuple[tuple[int, ...], ...]
    steps: tuple[Any, ...] = ()
    changed: bool = True

    def embed(self, i: int, k: LatentMap) -> LatentMap:
        """The latent map of beta(theta~) on hidden layer i for the map k of theta~."""
        return embed_map(k, self.kept[i - 1], self.original.widths[i])

    def equal_function_evidence(self) -> dict[str, Any]:
        """The certificate's proof that f(theta) = f(beta(theta~))."""
        return equal_function_evidence(self)

    def beta(self, theta: MLP) -> MLP:
        """Pad theta~ with zero neurons after the first r of each hidden layer."""
        widths = self.original.widths
        ws, bs = [], []
        for i in range(1, self.original.depth + 1):
            rows = self.kept[i - 1] if i < self.original.depth else tuple(range(widths[i]))
            cols = self.kept[i - 2] if i > 1 else tuple(range(widths[0]))
            w, b = sympy.zeros(widths[i], widths[i - 1]), sympy.zeros(widths[i], 1)
            for r, orow in enumerate(rows):
                b[orow] = theta.biases[i - 1][r]
                for c, ocol in enumerate(cols):
                    w[orow, ocol] = theta.weights[i - 1][r, c]
            ws.append(ImmutableMatrix(w))
            bs.append(ImmutableMatrix(b))
        return MLP(self.original.activation, tuple(ws), tuple(bs))


def end_to_end(net: MLP) -> tuple[ImmutableMatrix, ImmutableMatrix]:
    """(E, e) with f(x) = E x + e, for the identity activation.

    >>> from symeq.architectures import network_from_dict
    >>> E, e = end_to_end(network_from_dict({"activation": "identity", "weights": [[["1"], ["2"]],
    ...     [["1", "1"]]], "biases": [["1", "0"], ["0"]]}))
    >>> E, e
    (Matrix([[3]]), Matrix([[1]]))
    """
    E = ImmutableMatrix.eye(net.widths[0])
    e = ImmutableMatrix.zeros(net.widths[0], 1)
    for W, b in zip(net.weights, net.biases):
        E, e = W * E, W * e + b
    return E.applyfunc(sympy.expand), e.applyfunc(sympy.expand)


def linear_reduction(net: MLP) -> LinearReduction | None:
    """The :class:`LinearReduction` of a linear network with a hidden width above the rank of
    its end-to-end map; None otherwise (or for symbolic networks and rank 0).

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "identity", "weights": [[["1", "0"], ["0", "1"], ["1", "1"]],
    ...     [["1", "0", "0"], ["0", "1", "0"]]], "biases": [["0", "0", "0"], ["0", "0"]]})
    >>> red = linear_reduction(net)
    >>> red.reduced.widths, red.kept
    ((2, 2, 2), ((0, 1),))
    """
    if net.activation.kind != "affine" or net.symbols or net.depth < 2:
        return None
    E, e = end_to_end(net)
    R, pivots = sympy.Matrix(E).rref()
    r = len(pivots)
    if all(d == r for d in net.hidden_widths):
        return None
    if r == 0:  # a constant map: one zero neuron per hidden layer
        r, B, C = 1, ImmutableMatrix.zeros(1, net.widths[0]), ImmutableMatrix.zeros(net.widths[-1], 1)
    else:
        B = ImmutableMatrix(R[:r, :])
        C = ImmutableMatrix(E[:, list(pivots)])  # E = C B: column j of E is sum over pivots
    L = net.depth
    ws = [B] + [ImmutableMatrix.eye(r) for _ in range(L - 2)] + [C]
    bs = [ImmutableMatrix.zeros(r, 1) for _ in range(L - 1)] + [e]
    reduced = MLP(net.activation, tuple(ws), tuple(bs))
    kept = tuple(tuple(range(r)) for _ in range(L - 1))
    return LinearReduction(net, reduced, kept)


def embed_map(k: LatentMap, kept: tuple[int, ...], width: int) -> LatentMap:
    """The latent map of the padded layer: k on the kept neurons (at their original indices),
    the identity on the zero neurons.

    >>> from symeq.activations import Relation
    >>> neg = Relation(-1, 0, -1, 0)
    >>> embed_map(LatentMap.monomial((1, 0), (neg, neg)), (0, 2), 3).perm
    (2, 1, 0)
    """
    if k.kind == "monomial":
        perm = list(range(width))
        rels = [IDENTITY] * width
        for j, (p, r) in enumerate(zip(k.perm, k.relations)):
            perm[kept[j]] = kept[p]
            rels[kept[j]] = r
        return LatentMap("monomial", width, tuple(perm), tuple(rels))
    A = sympy.eye(width)
    t = sympy.zeros(width, 1)
    M, s = k.matrix(), k.shift()
    for r, kr in enumerate(kept):
        t[kr] = s[r]
        A[kr, kr] = 0
        for c, kc in enumerate(kept):
            A[kr, kc] = M[r, c]
    return LatentMap.affine(ImmutableMatrix(A), ImmutableMatrix(t))


def weak_reduction(net: MLP) -> Any:
    """The reduction the weak construction uses: for linear networks the rank factorization
    (it subsumes neuron-wise reduction), else :func:`~symeq.architectures.mlp.reduce.reduce_network`."""
    return linear_reduction(net) or reduce_network(net)


def equal_function_evidence(red: Any) -> dict[str, Any]:
    """The certificate's proof that f(theta) = f(beta(theta~)) (docs/certificates.md): the
    original network, the reduced network theta~, the rewrite steps theta -> theta~ (for a
    :class:`LinearReduction`: none, the kernel compares the affine maps), and the ``padding``
    steps that delete the zero neurons of beta(theta~) outside the kept indices."""
    from symeq.certify.hints import padding

    ev = {"method": "affine_identity" if isinstance(red, LinearReduction) else "rewrite_steps",
          "original": network_to_dict(red.original), "reduced": network_to_dict(red.reduced),
          "padding": padding(red.original.widths, [list(k) for k in red.kept])}
    if not isinstance(red, LinearReduction):
        ev["steps"] = red.certificate_evidence()["steps"]
    return ev
