"""The result of a counterexample search, and the certificate it carries.

Verdicts: "refuted" (a counterexample with a certificate the checker verifies; the claim
*fails*, exit 1), "not refuted" (the search ran to its end without one; exit 3, with what was
established), "unknown" (a budget or an undecidable step stopped it; exit 3, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symeq.certify.build import certificate
from symeq.groups import GroupAction
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["Outcome", "counterexample_certificate", "CLAIM_STATEMENTS"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Exit code of each verdict of ``symeq counterexample``.

#: The claims, as the statements they refute.
CLAIM_STATEMENTS = {
    "layerwise-at-theta": "every G-equivariant network is layerwise equivariant at its own parameters",
    "layerwise-reparam": "every G-equivariant network has a parameter of the same architecture, computing "
                         "the same function, that is layerwise equivariant",
    "unique-latent": "the latent action (homomorphisms rho_i: G -> K_i) of a layerwise-equivariant network "
                     "is unique",
}


@dataclass(frozen=True)
class Outcome:
    """What a search found.  ``details`` is plain JSON-able data for --json (what was tried,
    the classification summary, a layerwise reparametrization when one was exhibited...)."""

    claim: str
    verdict: str
    message: str
    network: MLP | None = None
    certificate_doc: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    tried: int = 0

    @property
    def reason(self) -> str:
        """The message, for the Result protocol."""
        return self.message

    def certificate(self) -> dict[str, Any] | None:
        """The certificate of a refutation the checker verifies, or None."""
        return self.certificate_doc

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        out: dict[str, Any] = {"claim": self.claim, "verdict": self.verdict, "message": self.message,
                               "candidates_tried": self.tried, "details": self.details}
        if self.claim in CLAIM_STATEMENTS:
            out["statement"] = CLAIM_STATEMENTS[self.claim]
        if self.network is not None:
            out["network"] = network_to_dict(self.network)
        out["certificate"] = self.certificate_doc is not None
        return out


def counterexample_certificate(net: MLP, group: GroupAction, refutes: str, evidence: dict[str, Any],
                               statement: str | None = None, seconds: float | None = None) -> dict[str, Any]:
    """A "counterexample" certificate (checked by symeq/kernel/mlp_refute.py)."""
    cert = certificate(net, group, "counterexample", evidence, seconds)
    claim: dict[str, Any] = {"kind": "counterexample", "refutes": refutes}
    text = statement if statement is not None else CLAIM_STATEMENTS.get(refutes)
    if text:
        claim["statement"] = text
    cert["claim"] = claim
    return cert
