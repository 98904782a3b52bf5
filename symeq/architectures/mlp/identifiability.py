"""The MLP's answers to the generic identifiability stage (:mod:`symeq.identifiability.identify`):
the witness of non-identifiability it can build and verify, and the certificate evidence for
an identifiable parameter (the trusted theorem of the criterion, or the power:M slice data).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> from symeq.identifiability.identify import identify
>>> net = MLP(activation("tanh"), (M([[1, 2], [-1, -2]]), M([[3, 1]])), (M([1, -1]), M([0])))
>>> res = identify(net, local=False)
>>> res.verdict, res.criterion.criterion
('weakly identifiable', 'Sussmann irreducibility (one hidden tanh layer)')
>>> res.reduction.reduced.weights[1]
Matrix([[2]])
>>> res.certificate()["claim"]["kind"], res.certificate_note
('weakly_identifiable', 'weakly_identifiable: 1 rewrite step(s), then theorem sussmann1992 (criterion)')
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.mlp.criteria import CriterionResult
from symeq.architectures.mlp.fibers import FiberResult
from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.nonidentifiable import (Witness, bypass_witness, linear_witness, quadratic_witness,
                                                     zero_neuron_stabilizer)
from symeq.architectures.mlp.theorems import criterion_evidence, fiber_evidence

__all__ = ["witness_for", "identifiable_evidence", "uniqueness_evidence"]


def witness_for(net: MLP, fiber: FiberResult | None) -> Witness | None:
    if net.symbols:
        return None
    if net.activation.name == "identity":
        found = linear_witness(net)
        if found is not None:
            return found
    found = zero_neuron_stabilizer(net)
    if found is not None:
        return found
    found = bypass_witness(net)
    if found is not None:
        return found
    if fiber is not None and fiber.status == "hidden symmetries":
        return quadratic_witness(net)
    return None



def identifiable_evidence(crit: CriterionResult, fib: FiberResult | None) -> dict[str, Any] | None:
    """The criterion's trusted theorem and its conditions when the criterion holds, else the
    power:M exact-fiber slice data; None when neither is available."""
    found = criterion_evidence(crit)
    if found is None and fib is not None:
        found = fiber_evidence(fib)
    return found


def uniqueness_evidence(net: MLP, which: str = "this") -> dict[str, str] | None:
    """The ``uniqueness`` evidence when a checker criterion applies to ``net`` (numeric):
    ``full_row_rank`` (identity activation) or ``distinct_rows`` (monomial kinds: no constant
    neuron, no two rows related); None otherwise."""
    from symeq.architectures.mlp.linalg import rank
    from symeq.architectures.mlp.matching import matcher

    if net.symbols or net.depth < 2:
        return None
    if net.activation.kind == "affine":
        if all(rank(W) == W.rows for W in net.weights[:-1]):
            return {"method": "full_row_rank", "network": which}
        return None
    for W in net.weights[:-1]:
        if any(all(x == 0 for x in W.row(j)) for j in range(W.rows)):
            return None
    m = matcher(net, net)
    # distinct rows: every class of related rows of every layer is a single row
    for i in range(1, net.depth):
        _, members = m.classes(i)
        if any(len(v) > 1 for v in members):
            return None
    return {"method": "distinct_rows", "network": which}
