"""The combined identifiability verdict of ``symeq identify`` (docs/theory.md, section 3), for every
architecture.

Pipeline: reduce theta to its submodel theta~ (``net.reduce()``), then decide theta~ by, in
this order of strength,

1. an exact fiber computation (``net.exact_fiber(limits)``: polynomial networks, within budget)
   that proves the fiber is the K-orbit with trivial stabilizer -> "identifiable";
2. the literature criterion that applies (``net.criterion()``), a sufficient condition checked
   exactly -> "identifiable";
3. a witness the checker verifies (``net.nonidentifiability_witness(fiber)``: a stabilizer
   element, or a second parameter outside the orbit) -> "not identifiable";
4. a criterion that rests on a conjecture (ReLU: Grillo-Montufar 2026) -> "conjectural";
5. local evidence: Jacobian rank = #params - dim K (:mod:`.local`) -> "locally identifiable";
6. otherwise "unknown" (with the limit that stopped us).

If theta~ is identifiable and the reduction changed theta, the verdict is "weakly identifiable":
theta~ is identifiable and beta(theta~) (same function as theta, docs/theory.md section 5) is the
parameter the latent-action construction uses.  theta itself equals beta(theta~) exactly when
every removed neuron was a zero neuron (``theta_equals_beta``).  The certificate's evidence for
an identifiable theta~ comes from ``net.identifiable_evidence(criterion, fiber)``.

>>> from symeq.architectures import network_from_dict
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["-1", "-2"]], [["3", "1"]]],
...                          "biases": [["1", "-1"], ["0"]]})
>>> res = identify(net, local=False)
>>> res.verdict, res.criterion.criterion
('weakly identifiable', 'Sussmann irreducibility (one hidden tanh layer)')
>>> res.certificate()["claim"]["kind"], res.certificate_note
('weakly_identifiable', 'weakly_identifiable: 1 rewrite step(s), then theorem sussmann1992 (criterion)')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symeq.report.notebook import NotebookDisplay
from symeq.architectures import network_to_dict
from symeq.identifiability.local import LocalResult, local_identifiability
from symeq.verdict import Verdict

__all__ = ["IdentifyResult", "identify", "applies_to"]


@dataclass(frozen=True)
class IdentifyResult(NotebookDisplay):
    """Everything ``symeq identify`` reports: the verdict and the evidence behind it."""

    _VERB = "identify"  # Jupyter shows it as Markdown (symeq.report.notebook)

    verdict: str
    basis: str
    network: Any
    reduction: Any
    criterion: Any
    fiber: Any = None
    local: LocalResult | None = None
    witness: Any = None
    notes: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 identifiable or weakly identifiable, 1 not identifiable, 3 otherwise."""
        return Verdict(self.verdict).exit_code

    @property
    def reason(self) -> str:
        """What the verdict rests on (the criterion, the witness, the limit that stopped us)."""
        return self.basis

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
        reduced), from the architecture: a trusted theorem and its conditions, or exact-fiber
        data; None when neither is available."""
        return self.reduction.reduced.identifiable_evidence(self.criterion, self.fiber)

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
        from symeq.certify.build import FORMAT, VERSION
        from symeq.certify.hints import with_hints as certificate_with_hints

        base: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        if engine:
            base["engine"] = engine
        net = network_to_dict(self.network)
        if self.witness is not None and self.verdict == "not identifiable":
            return certificate_with_hints({**base, "claim": {"kind": "not_identifiable"}, "network": net,
                                           "evidence": self.witness.evidence()})
        if self.verdict not in ("identifiable", "weakly identifiable"):
            return None
        ev = self.identifiable_evidence()
        if ev is None:
            return None
        if self.verdict == "identifiable":
            return certificate_with_hints({**base, "claim": {"kind": "identifiable"}, "network": net,
                                           "evidence": ev})
        return certificate_with_hints(
            {**base, "claim": {"kind": "weakly_identifiable",
                               "reduced": network_to_dict(self.reduction.reduced)},
             "network": net,
             "evidence": {"method": "reduction",  # the architecture's steps in the kernel's form
                          "steps": self.reduction.certificate_evidence()["steps"], "submodel": ev}})


def applies_to(net: Any) -> bool:
    """Whether this generic stage can decide ``net``: its architecture answers the protocol's
    identifiability hooks (``reduce``, ``criterion``, ...), as the MLP and convolutions do;
    attention answers ``symeq identify`` with its own verb instead."""
    return hasattr(net, "criterion")


def identify(net: Any, budget: Any = None, local: bool = True, fibers: bool = True) -> IdentifyResult:
    """The identifiability verdict for ``net`` with its criterion, reference and evidence.

    ``budget``: the limits of the exact fiber computation (the architecture's type; None for
    its defaults); ``local``: also compute local evidence; ``fibers``: try the exact fiber."""
    red = net.reduce()
    sub = red.reduced
    crit = sub.criterion()
    notes: list[str] = list(red.notes)
    fib = sub.exact_fiber(budget) if fibers else None
    loc = local_identifiability(sub) if local else None
    witness = sub.nonidentifiability_witness(fib)
    if fib is not None and fib.status == "identifiable":
        verdict, basis = "identifiable", "exact fiber: the fiber is the K-orbit, trivial stabilizer"
    elif crit.verdict == "identifiable":
        verdict, basis = "identifiable", f"{crit.criterion} ({crit.reference})"
    elif witness is not None:
        verdict, basis = "not identifiable", f"witness: {witness.description}"
        if crit.verdict == "conjectural":
            notes.append(f"the witness decides what {crit.criterion} leaves open: theta is not in the open "
                         "set of identifiable parameters")
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
        basis = f"submodel identifiable by {basis}; the reduction took {len(red.steps)} rewrite " \
                "step(s), each keeping the function exactly"
    elif red.changed and verdict == "not identifiable":
        direct = net.nonidentifiability_witness(None)
        if direct is not None:
            witness, basis = direct, f"witness: {direct.description}"
        else:
            notes.append(f"the submodel is not identifiable ({basis}); no witness for theta itself")
            verdict, basis, witness = "unknown", "submodel not identifiable; theta reducible", witness
    elif red.changed and verdict == "unknown":  # theta~ undecided, but theta's own degeneracy is a proof
        direct = net.nonidentifiability_witness(None)
        if direct is not None:
            notes.append(f"the submodel theta~ is undecided ({basis}); theta itself is not identifiable")
            verdict, basis, witness = "not identifiable", f"witness: {direct.description}", direct
    if verdict != "not identifiable" and witness is not None and not red.changed:
        notes.append(f"unused witness: {witness.description}")
    return IdentifyResult(verdict, basis, net, red, crit, fib, loc,
                          witness if verdict == "not identifiable" else None, tuple(notes))
