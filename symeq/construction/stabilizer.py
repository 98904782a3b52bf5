"""Uniqueness of the latent action: the stabilizer of theta in K = K_1 x ... x K_{L-1}.

Step 3 of the construction (docs/theory.md section 5) needs k(g) to be unique: then k(g) k(h) and
k(gh) both relate theta^{gh} to theta, so they agree.  All k relating theta^g to theta form one
coset k(g) Stab(theta), where

    Stab(theta) = { k in K : f_i( . ; theta_i) = k_i o f_i( . ; theta_i) o k_{i-1}^{-1} for all i }

(k_0 = k_L = id).  So k(g) is unique exactly when Stab(theta) is trivial.

- Monomial kinds: Stab(theta) is the set of layerwise solutions for rho_0 = I, rho_L = I, found
  by matching theta against itself (:mod:`symeq.construction.construct` on the protocol).  When no two rows of a layer are
  related by a relation of the activation and no row is fixed by a non-identity relation (as
  for a network without inactive or redundant neurons), each k_i is forced to the identity.
  Otherwise the search lists every element (within a budget).  A neuron with zero incoming
  weights and bias under a continuous family (ReLU, z^m) has an unconstrained scale in its
  own layer; with a zero outgoing column too, the stabilizer is infinite.
- Identity activation: the equations are linear in (A_i, t_i); Stab(theta) is the set of
  invertible points of identity + N, N the solutions of the homogeneous system, so it is
  trivial iff N = 0 and otherwise a Lie group of dimension dim N.

>>> from symeq.architectures import network_from_dict
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
from typing import Any

from symeq.architectures.base import Budget, NotEnumerable
from symeq.errors import BudgetExceeded
from symeq.construction.construct import layerwise_solutions

__all__ = ["Stabilizer", "stabilizer", "stabilizer_text", "DEFAULT_ELEMENT_LIMIT"]

#: Elements listed at most (the order is still counted up to the budget).
DEFAULT_ELEMENT_LIMIT = 64


@dataclass(frozen=True)
class Stabilizer:
    """Stab(theta) in K.

    ``status``: ``trivial`` (proved), ``nontrivial`` (finite, ``order`` elements, the first
    ``elements`` listed, identity first), ``infinite`` (a continuous family: ``dimension`` for
    a continuum of solutions, or a free scale), or ``unknown`` (``reason`` says which limit).
    ``tangent`` holds, for a continuum, a basis of its tangent space as tuples of latent
    elements (directions, not group elements).
    """

    status: str
    order: int | None
    elements: tuple[tuple[Any, ...], ...]
    dimension: int = 0
    reason: str = ""
    free_scales: tuple[tuple[int, int], ...] = ()
    tangent: tuple[tuple[Any, ...], ...] = ()
    criterion: str = ""

    @property
    def trivial(self) -> bool:
        """True when the stabilizer is proved trivial (the latent action is unique)."""
        return self.status == "trivial"


def stabilizer(net: Any, budget: int = 20_000, limit: int = DEFAULT_ELEMENT_LIMIT) -> Stabilizer:
    """Stab(theta) in K, exactly: the layerwise solutions of theta against itself (see the
    module docstring).  Architectures may answer for a continuum of solutions
    (``continuum_stabilizer``) and say when matching cannot decide (``stabilizer_caveat``)."""
    special = net.continuum_stabilizer() if hasattr(net, "continuum_stabilizer") else None
    if special is not None:
        return Stabilizer(**special)
    if net.depth == 1:
        return Stabilizer("trivial", 1, ((),), criterion="no hidden layer")
    caveat = net.stabilizer_caveat() if hasattr(net, "stabilizer_caveat") else None
    if caveat is not None:
        return Stabilizer("unknown", None, (), reason=caveat)
    elements: list[tuple[Any, ...]] = []
    count = 0
    try:
        for maps in layerwise_solutions(net, net, Budget(budget)):
            count += 1
            if len(elements) < limit:
                elements.append(maps)
    except BudgetExceeded as exc:
        return Stabilizer("unknown", None, tuple(elements),
                          reason=f"unknown (budget): {exc}; {count} elements found so far")
    except NotEnumerable as exc:
        return Stabilizer("unknown", None, (), reason=f"unknown: {exc}")
    # the identity first
    elements.sort(key=lambda ks: not all(k.is_identity() for k in ks))
    frees = tuple(sorted(net.free_scales())) if hasattr(net, "free_scales") else ()
    if frees:
        blocked = []
        for i, j in frees:
            if net.unit_unread(i, j):
                return Stabilizer("infinite", None, tuple(elements), free_scales=frees,
                                  reason=(f"neuron {j} of layer {i} has zero incoming weights, bias and "
                                          f"outgoing weights: any positive scale of it fixes theta"))
            blocked.append(f"neuron {j} of layer {i}")
        return Stabilizer("unknown", None, tuple(elements), free_scales=frees,
                          reason=("unknown: " + ", ".join(blocked) + " has zero incoming weights and "
                                  "bias, so its own layer leaves its scale free; scales other than 1 "
                                  "were not searched"))
    if count == 1:
        return Stabilizer("trivial", 1, tuple(elements),
                          criterion="matching theta against itself forces k_i = id in every layer")
    return Stabilizer("nontrivial", count, tuple(elements),
                      reason=f"{count} elements of K fix theta: the latent action is not unique")


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

