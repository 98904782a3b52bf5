"""Verify a certificate: read it strictly, check it with the kernel, name what it relied on.

:func:`verify_certificate` is what "verified" means in symeq.  It reads the certificate with the
strict reader (:mod:`symeq.certify.reader`), runs the kernel's check of its claim
(:mod:`symeq.kernel.claims`) within a time budget, and answers a :class:`Verification`: the
claim in words, the steps that held, the first failure (or "budget: ..."), and the trusted items
the verdict relied on (``relies``: first "kernel", then relation families, identities, lemmas,
theorems and second-tier procedures, docs/certificates.md).  It never raises.

>>> cert = {"format": "symeq-certificate", "version": 2, "claim": {"kind": "equivariant"},
...   "network": {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["0"], ["0"]]},
...   "group": {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
...   "evidence": {"method": "layerwise", "actions": {"s": [
...       {"kind": "monomial", "perm": [0], "relations": [{"a": "-1", "c": "0", "b": "-1", "e": "0"}]}]}}}
>>> v = verify_certificate(cert)
>>> v.ok, v.relies
(True, ('kernel', 'relations of tanh: tanh(z) and tanh(-z) = -tanh(z), no others'))
>>> cert["network"]["biases"][0] = ["1/2"]
>>> print(verify_certificate(cert).reason)
generator s, layer 1: row equation of neuron 1 fails: [-1, 1/2] != [-1, -1/2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symeq.certify.reader import Reader
from symeq.certify.second_tier import PROCEDURES
from symeq.certify import theorems
from symeq.kernel.claims import check
from symeq.kernel.constants import LINDEMANN
from symeq.kernel.core import Budget, Ctx, Reject, budget as time_budget

__all__ = ["FORMAT", "VERSION", "DEFAULT_BUDGET", "Verification", "verify_certificate"]

FORMAT, VERSION = "symeq-certificate", 2
#: Seconds a verification may take before it is rejected with "budget".
DEFAULT_BUDGET = 20.0


@dataclass(frozen=True)
class Verification:
    """The checker's answer: ``ok`` only when every step held; ``reason`` the first failure."""

    ok: bool
    claim: str
    steps: tuple[str, ...]
    reason: str | None
    relies: tuple[str, ...] = ()

    @property
    def budget(self) -> bool:
        """True when the certificate was rejected because the budget ran out."""
        return not self.ok and (self.reason or "").startswith("budget")

    @property
    def verdict(self) -> str:
        """``holds`` (verified) or ``fails`` (rejected), for the Result protocol."""
        return "holds" if self.ok else "fails"

    def certificate(self) -> None:
        """None: a verification is the check of a certificate, not a claim of its own."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``symeq verify --json`` object; ``relies_on`` lists the trusted items of an accepted
        certificate (empty for a rejected one)."""
        return {"verified": self.ok, "claim": self.claim, "steps": list(self.steps), "reason": self.reason,
                "relies_on": list(self.relies) if self.ok else []}


def holds_for(cert) -> str:
    """The condition under which a "holds" about a network with symbols holds: for every real value
    of the symbols where the denominators are nonzero (the kernel decides identities in them)."""
    net = cert.network
    if not net.symbols or cert.kind not in ("equivariant", "latent_actions", "same_function"):
        return ""
    # an equivariant claim states its condition, which the kernel checked covers every divisor
    dens = [str(x) for x in cert.claim.get("nonzero", [])] if cert.kind == "equivariant" else \
        sorted({str(x.d) for x in net.numbers() if x.d is not None})
    where = f" where {', '.join(dens)} {'is' if len(dens) == 1 else 'are'} nonzero" if dens else ""
    return f"; for every real value of the symbols {', '.join(net.symbols)}{where}"


def verify_certificate(doc: Any, budget: float = DEFAULT_BUDGET) -> Verification:
    """Re-verify a certificate from scratch within ``budget`` seconds; never raises."""
    c = None
    try:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise Reject(f'not a symeq certificate (no "format": "{FORMAT}")')
        version = doc.get("version")
        if type(version) is not int or version != VERSION:
            raise Reject(f"unsupported certificate version {str(version)[:20]} (this checker reads version "
                         f"{VERSION}; regenerate the certificate with the engine)")
        with time_budget(budget):
            read = Reader(doc)
            c, cert = Ctx(read.F, PROCEDURES, theorems), read.certificate(doc)
            c.rely(LINDEMANN if read.F.exp_root else None)
            check(c, cert)
        if not c.steps:
            raise Reject("the claim check recorded no step")
        return Verification(True, c.claim + holds_for(cert), tuple(c.steps), None, tuple(c.relies))
    except Budget as exc:
        reason = f"budget: {exc}"
    except Reject as exc:
        reason = str(exc)
    except (RecursionError, MemoryError) as exc:
        reason = f"budget: {type(exc).__name__} (the certificate is too deep or too large)"
    except Exception as exc:  # a certificate must never crash the checker: a bug, reported as such
        reason = f"internal error of the checker ({type(exc).__name__}: {str(exc)[:80]}); please report it"
    if c is None:
        return Verification(False, "(unreadable claim)", (), reason, ("kernel",))
    return Verification(False, c.claim, tuple(c.steps), reason, tuple(c.relies))
