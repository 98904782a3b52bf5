"""The theorems an ``identifiable`` certificate cites, in the words the checker trusts.

A criterion (:mod:`symeq.architectures.mlp.criteria`) or an exact fiber computation
(:mod:`symeq.architectures.mlp.fibers`) that proves theta identifiable rests on a result the
checker cannot re-prove.  The certificate therefore names the result by key, repeats its
citation and statement, and lists the conditions it checked; the kernel is given the table of
trusted theorems (:mod:`symeq.certify.theorems`, second-tier items), accepts only these keys with
exactly these words, and re-verifies every condition on the concrete theta.  This module reads
the same table, so the engine and the kernel cannot disagree on a word.

:data:`THEOREMS` maps key -> (citation, statement, condition names); :func:`criterion_evidence`
and :func:`fiber_evidence` build the evidence objects (docs/certificates.md, claim kind
``identifiable``).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> from symeq.architectures.mlp.criteria import sussmann_tanh
>>> net = MLP(activation("tanh"), (M([[1, 0], [0, 1]]), M([[1, 1]])), (M([0, 1]), M([0])))
>>> ev = criterion_evidence(sussmann_tanh(net))
>>> ev["theorem"], ev["conditions"]
('sussmann1992', ['hidden_no_zero_outgoing_column', 'hidden_no_zero_incoming_row', 'hidden_no_sign_pair'])
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.mlp.criteria import CriterionResult
from symeq.architectures.mlp.fibers import FiberResult
from symeq.certify.theorems import THEOREMS as TRUSTED

__all__ = ["THEOREMS", "criterion_evidence", "fiber_evidence"]

#: key -> (citation, statement, conditions): the trusted table the kernel is given
#: (:data:`symeq.certify.theorems.THEOREMS`), read from there so that the words cannot drift.
THEOREMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    key: (t.citation, t.statement, t.conditions) for key, t in TRUSTED.items()}


def _evidence(method: str, key: str, conditions: list[str]) -> dict[str, Any]:
    citation, statement, expected = THEOREMS[key]
    if sorted(conditions) != sorted(expected):
        raise ValueError(f"the conditions {conditions} are not those of theorem {key}")
    return {"method": method, "theorem": key, "citation": citation, "statement": statement,
            "conditions": conditions}


def criterion_evidence(crit: CriterionResult) -> dict[str, Any] | None:
    """The ``criterion`` evidence for a criterion that proved identifiability, else None (the
    criterion did not hold, or it rests on no theorem of the table, e.g. ReLU's conjecture).

    >>> from symeq.architectures.mlp.criteria import CriterionResult
    >>> criterion_evidence(CriterionResult("conjectural", "c", "r")) is None
    True
    """
    if crit.verdict != "identifiable" or crit.theorem not in THEOREMS:
        return None
    if not all(c.holds for c in crit.conditions):
        return None
    return _evidence("criterion", crit.theorem, [c.name for c in crit.conditions])


def fiber_evidence(fib: FiberResult) -> dict[str, Any] | None:
    """The ``exact_fiber`` evidence for a fiber computation that proved identifiability by the
    power:M slice argument, else None (other fiber decisions are not re-checked by the checker).

    >>> from symeq.architectures.mlp.fibers import FiberResult
    >>> fiber_evidence(FiberResult("hidden symmetries")) is None
    True
    """
    if fib.status != "identifiable" or not fib.slice_basis or fib.slice_points is None:
        return None
    ev = _evidence("exact_fiber", "power_fiber_slice", list(THEOREMS["power_fiber_slice"][2]))
    ev["slice_basis"] = list(fib.slice_basis)
    ev["points"] = fib.slice_points
    return ev
