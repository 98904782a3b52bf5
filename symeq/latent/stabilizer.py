"""Uniqueness of the latent action: the stabilizer of theta in K = K_1 x ... x K_{L-1}.

Step 3 of the construction (THEORY.md section 5) needs k(g) to be unique: then k(g) k(h) and
k(gh) both relate theta^{gh} to theta, so they agree.  All k relating theta^g to theta form one
coset k(g) Stab(theta), where

    Stab(theta) = { k in K : f_i( . ; theta_i) = k_i o f_i( . ; theta_i) o k_{i-1}^{-1} for all i }

(k_0 = k_L = id).  So k(g) is unique exactly when Stab(theta) is trivial.

- Monomial kinds: Stab(theta) is the set of layerwise solutions for rho_0 = I, rho_L = I, found
  by matching theta against itself (:mod:`symeq.latent.solve`).  When no two rows of a layer are
  related by a relation of the activation and no row is fixed by a non-identity relation (as
  for a network without inactive or redundant neurons), each k_i is forced to the identity.
  Otherwise the search lists every element (within a budget).  A neuron with zero incoming
  weights and bias under a continuous family (ReLU, z^m) has an unconstrained scale in its
  own layer; with a zero outgoing column too, the stabilizer is infinite.
- Identity activation: the equations are linear in (A_i, t_i); Stab(theta) is the set of
  invertible points of identity + N, N the solutions of the homogeneous system, so it is
  trivial iff N = 0 and otherwise a Lie group of dimension dim N.

>>> from symeq.models.io import network_from_dict
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["2", "1"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> stabilizer(net).status
'trivial'
>>> dup = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["1", "2"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> s = stabilizer(dup)
>>> s.status, s.order, s.elements[1][0].perm
('nontrivial', 2, (1, 0))
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import ImmutableMatrix

from symeq.errors import BudgetExceeded
from symeq.latent.action import LatentMap
from symeq.latent.solve import Budget, Matcher
from symeq.models.mlp import MLP

__all__ = ["Stabilizer", "stabilizer", "stabilizer_text", "DEFAULT_ELEMENT_LIMIT"]

#: Elements listed at most (the order is still counted up to the budget).
DEFAULT_ELEMENT_LIMIT = 64


@dataclass(frozen=True)
class Stabilizer:
    """Stab(theta) in K.

    ``status``: ``trivial`` (proved), ``nontrivial`` (finite, ``order`` elements, the first
    ``elements`` listed, identity first), ``infinite`` (a continuous family: ``dimension`` for
    the affine kind, or a free scale), or ``unknown`` (``reason`` says which limit).
    ``tangent`` holds, for the affine kind, a basis of N as tuples of latent maps (A_i, t_i)
    (directions, not group elements).
    """

    status: str
    order: int | None
    elements: tuple[tuple[LatentMap, ...], ...]
    dimension: int = 0
    reason: str = ""
    free_scales: tuple[tuple[int, int], ...] = ()
    tangent: tuple[tuple[LatentMap, ...], ...] = ()
    criterion: str = ""

    @property
    def trivial(self) -> bool:
        """True when the stabilizer is proved trivial (the latent action is unique)."""
        return self.status == "trivial"


#: Activations that are injective on R: a constant neuron sigma(beta) then determines beta.
INJECTIVE = ("tanh", "sigmoid", "leaky_relu", "softplus")


def _injective(net: MLP) -> bool:
    act = net.activation
    if act.name in INJECTIVE:
        return True
    return act.name == "power" and int(act.spec.split(":")[1]) % 2 == 1


def _monomial(net: MLP, budget: int, limit: int) -> Stabilizer:
    if not _injective(net):
        # Row matching decides equality of layer functions for non-constant neurons; a constant
        # neuron sigma(beta) of a non-injective sigma (relu(-1) = relu(-2) = 0) escapes it.
        for i, W in enumerate(net.weights[:-1], start=1):
            for j in range(W.rows):
                if all(x == 0 for x in W.row(j)):
                    return Stabilizer("unknown", None, (), reason=(
                        f"unknown: neuron {j} of layer {i} is constant (zero incoming weights) and "
                        f"{net.activation.spec} is not injective, so row matching does not decide "
                        "which maps fix it"))
    matcher = Matcher(net)
    eye0, eyeL = ImmutableMatrix.eye(net.widths[0]), ImmutableMatrix.eye(net.widths[-1])
    if net.depth == 1:
        return Stabilizer("trivial", 1, ((),), criterion="no hidden layer")
    elements: list[tuple[LatentMap, ...]] = []
    count = 0
    frees: set[tuple[int, int]] = set()
    try:
        for sol in matcher.solutions(eye0, eyeL, Budget(budget)):
            count += 1
            frees.update(sol.free_scales)
            if len(elements) < limit:
                elements.append(sol.maps)
    except BudgetExceeded as exc:
        return Stabilizer("unknown", None, tuple(elements),
                          reason=f"unknown (budget): {exc}; {count} elements found so far")
    # the identity first
    elements.sort(key=lambda ks: not all(k.is_identity() for k in ks))
    if frees:
        blocked = []
        for i, j in sorted(frees):
            column = net.weights[i][:, j]
            if all(x == 0 for x in column):
                return Stabilizer("infinite", None, tuple(elements), free_scales=tuple(sorted(frees)),
                                  reason=(f"neuron {j} of layer {i} has zero incoming weights, bias and "
                                          f"outgoing weights: any positive scale of it fixes theta"))
            blocked.append(f"neuron {j} of layer {i}")
        return Stabilizer("unknown", None, tuple(elements), free_scales=tuple(sorted(frees)),
                          reason=("unknown: " + ", ".join(blocked) + " has zero incoming weights and "
                                  "bias, so its own layer leaves its scale free; scales other than 1 "
                                  "were not searched"))
    if count == 1:
        return Stabilizer("trivial", 1, tuple(elements),
                          criterion="matching theta against itself forces k_i = id in every layer")
    return Stabilizer("nontrivial", count, tuple(elements),
                      reason=f"{count} elements of K fix theta: the latent action is not unique")


def _affine(net: MLP) -> Stabilizer:
    from symeq.latent.construct import _unpack, affine_system
    from symeq.latent.linalg import rank

    if net.depth == 1:
        return Stabilizer("trivial", 1, ((),), criterion="no hidden layer")
    if all(rank(W) == W.rows for W in net.weights[:-1]):
        eye = tuple(LatentMap.identity(d, "affine") for d in net.hidden_widths)
        return Stabilizer("trivial", 1, (eye,), criterion="every hidden W_i has full row rank, so the "
                          "homogeneous equations A_i W_i = W_i A_{i-1} (A_0 = 0) force A_i = 0, t_i = 0")
    from symeq.latent.linalg import solve_linear

    H, rhs = affine_system(net, None, None)
    _, null = solve_linear(H, rhs)
    if not null:
        eye = tuple(LatentMap.identity(d, "affine") for d in net.hidden_widths)
        return Stabilizer("trivial", 1, (eye,), criterion="the homogeneous layer system has only "
                          "the zero solution")
    tangent = tuple(_unpack(net, v) for v in null)
    return Stabilizer("infinite", None, (), dimension=len(null), tangent=tangent,
                      reason=(f"the homogeneous layer equations have a {len(null)}-dimensional solution "
                              f"space N; identity + small multiples of N stay invertible and fix theta"))


def stabilizer(net: MLP, budget: int = 20_000, limit: int = DEFAULT_ELEMENT_LIMIT) -> Stabilizer:
    """Stab(theta) in K, exactly (see the module docstring)."""
    if net.activation.kind == "affine":
        return _affine(net)
    return _monomial(net, budget, limit)


def stabilizer_text(s: Stabilizer) -> str:
    """One sentence for reports.

    >>> stabilizer_text(Stabilizer("trivial", 1, ()))
    'Stab(theta) is trivial: k(g) is unique, so each rho_i is a homomorphism'
    """
    if s.status == "trivial":
        return "Stab(theta) is trivial: k(g) is unique, so each rho_i is a homomorphism"
    if s.status == "nontrivial":
        return f"Stab(theta) has {s.order} elements: k(g) is unique only up to them"
    if s.status == "infinite":
        dim = f" of dimension {s.dimension}" if s.dimension else ""
        return f"Stab(theta) is infinite{dim}: {s.reason}"
    return f"Stab(theta) undecided: {s.reason}"

