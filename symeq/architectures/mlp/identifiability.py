"""The combined identifiability verdict of ``symeq identify`` (THEORY.md, section 3).

Pipeline: reduce theta to its submodel theta~ (:func:`reduce_network`), then decide theta~ by,
in this order of strength,

1. an exact fiber computation (polynomial activations, within budget) that proves the fiber is
   the K-orbit with trivial stabilizer -> "identifiable";
2. the literature criterion for the activation and depth (:func:`criterion_for`), a sufficient
   condition checked exactly -> "identifiable";
3. a witness the checker verifies (stabilizer element, or a second parameter outside the orbit)
   -> "not identifiable";
4. ReLU: "conjectural" (Grillo-Montufar 2026), never "identifiable";
5. local evidence: Jacobian rank = #params - dim K -> "locally identifiable";
6. otherwise "unknown" (with the limit that stopped us).

If theta~ is identifiable and the reduction changed theta, the verdict is "weakly identifiable":
theta~ is identifiable and beta(theta~) (same function as theta, THEORY.md section 5) is the
parameter the latent-action construction uses.  theta itself equals beta(theta~) exactly when
every removed neuron was a zero neuron (``theta_equals_beta``).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
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

from dataclasses import dataclass, field
from typing import Any

from symeq.architectures.mlp.criteria import CriterionResult, criterion_for
from symeq.architectures.mlp.fibers import Budget, FiberResult, exact_fiber
from symeq.architectures.mlp.local import LocalResult, local_identifiability
from symeq.architectures.mlp.reduce import Reduction, reduce_network
from symeq.architectures.mlp.theorems import criterion_evidence, fiber_evidence
from symeq.architectures.mlp.nonidentifiable import (Witness, linear_witness, quadratic_witness,
                                           zero_neuron_stabilizer)
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP
from symeq.verdict import Verdict

__all__ = ["IdentifyResult", "identify"]



@dataclass(frozen=True)
class IdentifyResult:
    """Everything ``symeq identify`` reports: the verdict and the evidence behind it."""

    verdict: str
    basis: str
    network: MLP
    reduction: Reduction
    criterion: CriterionResult
    fiber: FiberResult | None = None
    local: LocalResult | None = None
    witness: Witness | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 identifiable or weakly identifiable, 1 not identifiable, 3 otherwise."""
        return Verdict(self.verdict).exit_code

    @property
    def theta_equals_beta(self) -> bool:
        """True when theta is exactly beta(theta~) (every removed neuron was a zero neuron)."""
        return self.reduction.beta(self.reduction.reduced) == self.network

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        red = self.reduction
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "basis": self.basis,
            "criterion": self.criterion.to_dict(),
            "reduction": {"changed": red.changed, "steps": [s.to_dict() for s in red.steps],
                          "kept": [list(k) for k in red.kept], "notes": list(red.notes),
                          "submodel": network_to_dict(red.reduced) if red.changed else None,
                          "theta_equals_beta": self.theta_equals_beta},
            "fiber": self.fiber.to_dict() if self.fiber else None,
            "local": self.local.to_dict() if self.local else None,
            "witness": ({"kind": self.witness.kind, "description": self.witness.description,
                         "evidence": self.witness.evidence()} if self.witness else None),
            "notes": list(self.notes),
        }
        return out

    def identifiable_evidence(self) -> dict[str, Any] | None:
        """The ``identifiable`` evidence for the submodel theta~ (theta itself when nothing was
        reduced): the criterion's trusted theorem and its conditions when the criterion holds,
        else the power:M exact-fiber slice data; None when neither is available."""
        found = criterion_evidence(self.criterion)
        if found is None and self.fiber is not None:
            found = fiber_evidence(self.fiber)
        return found

    @property
    def certificate_note(self) -> str:
        """Why :meth:`certificate` is what it is (printed by ``symeq identify``)."""
        if self.verdict == "not identifiable":
            return f"not_identifiable, with a {self.witness.kind} witness" if self.witness else "none"
        if self.verdict in ("identifiable", "weakly identifiable"):
            ev = self.identifiable_evidence()
            if ev is None:
                return ("none: the verdict rests on a computation the checker does not re-run "
                        "(an exact fiber decided other than by the power:M slice argument)")
            how = f"theorem {ev['theorem']} ({ev['method']})"
            if self.verdict == "identifiable":
                return f"identifiable, by {how}"
            return f"weakly_identifiable: {len(self.reduction.steps)} rewrite step(s), then {how}"
        reason = {"conjectural": "it rests on a cited conjecture, not a theorem",
                  "locally identifiable": "it is local evidence (a Jacobian rank), not a proof of "
                                          "identifiability",
                  "unknown": "nothing was decided"}[self.verdict]
        return f"none: '{self.verdict}' is not a checkable claim ({reason})"

    def certificate(self, engine: dict[str, str] | None = None) -> dict[str, Any] | None:
        """The checkable certificate of the verdict: ``not_identifiable`` with the witness;
        ``identifiable`` (the trusted theorem and its conditions, or exact-fiber data) for
        "identifiable"; ``weakly_identifiable`` (the rewrite steps to theta~, then the same for
        theta~) for "weakly identifiable"; None for "conjectural", "locally identifiable" and
        "unknown", which are no checkable claims (:attr:`certificate_note` says why)."""
        base: dict[str, Any] = {"format": "symeq-certificate", "version": 1}
        if engine:
            base["engine"] = engine
        net = network_to_dict(self.network)
        if self.witness is not None and self.verdict == "not identifiable":
            return {**base, "claim": {"kind": "not_identifiable"}, "network": net,
                    "evidence": self.witness.evidence()}
        if self.verdict not in ("identifiable", "weakly identifiable"):
            return None
        ev = self.identifiable_evidence()
        if ev is None:
            return None
        if self.verdict == "identifiable":
            return {**base, "claim": {"kind": "identifiable"}, "network": net, "evidence": ev}
        return {**base, "claim": {"kind": "weakly_identifiable",
                                  "reduced": network_to_dict(self.reduction.reduced)},
                "network": net,
                "evidence": {"method": "reduction",
                             "steps": [s.to_dict() for s in self.reduction.steps], "submodel": ev}}


def _witness_for(net: MLP, fiber: FiberResult | None) -> Witness | None:
    if net.symbols:
        return None
    if net.activation.name == "identity":
        found = linear_witness(net)
        if found is not None:
            return found
    found = zero_neuron_stabilizer(net)
    if found is not None:
        return found
    if fiber is not None and fiber.status == "hidden symmetries":
        return quadratic_witness(net)
    return None


def identify(net: MLP, budget: Budget = Budget(), local: bool = True,
             fibers: bool = True) -> IdentifyResult:
    """The identifiability verdict for ``net`` with its criterion, reference and evidence."""
    red = reduce_network(net)
    sub = red.reduced
    crit = criterion_for(sub)
    notes: list[str] = list(red.notes)
    fib = exact_fiber(sub, budget) if fibers and sub.activation.polynomial and not sub.symbols else None
    loc = local_identifiability(sub) if local else None
    witness = _witness_for(sub, fib)
    if fib is not None and fib.status == "identifiable":
        verdict, basis = "identifiable", "exact fiber: the fiber is the K-orbit, trivial stabilizer"
    elif crit.verdict == "identifiable":
        verdict, basis = "identifiable", f"{crit.criterion} ({crit.reference})"
    elif witness is not None:
        verdict, basis = "not identifiable", f"witness: {witness.description}"
    elif crit.verdict == "conjectural":
        verdict, basis = "conjectural", f"{crit.criterion} ({crit.reference})"
    elif loc is not None and loc.status == "locally identifiable":
        verdict, basis = "locally identifiable", f"functional dimension: {loc.detail}"
    else:
        verdict = "unknown"
        why = [crit.criterion]
        if fib is not None:
            why.append(f"fiber: {fib.status}")
        if loc is not None:
            why.append(f"local: {loc.status}")
        basis = "; ".join(why)
    if red.changed and verdict == "identifiable":
        verdict = "weakly identifiable"
        basis = f"submodel identifiable by {basis}; the reduction removed {len(red.steps)} neuron(s) " \
                "with verified rewrite steps"
    elif red.changed and verdict == "not identifiable":
        direct = _witness_for(net, None)
        if direct is not None:
            witness, basis = direct, f"witness: {direct.description}"
        else:
            notes.append(f"the submodel is not identifiable ({basis}); no witness for theta itself")
            verdict, basis, witness = "unknown", "submodel not identifiable; theta reducible", witness
    if verdict != "not identifiable" and witness is not None and not red.changed:
        notes.append(f"unused witness: {witness.description}")
    return IdentifyResult(verdict, basis, net, red, crit, fib, loc,
                          witness if verdict == "not identifiable" else None, tuple(notes))
