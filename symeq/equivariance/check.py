"""The decision procedure of ``symeq check``: is f(rho_0(g) x) = rho_L(g) f(x) for all x and
every generator g?

Methods, in order (the first that decides wins):

a. **layerwise** (:mod:`~symeq.equivariance.matching`): latent actions on every hidden layer
   -> *holds*.
b. **polynomial identity** (identity, power, poly; :mod:`~symeq.equivariance.identity`): the
   difference expanded exactly -> *holds* if 0, else *fails* with an exact witness read off a
   nonzero coefficient.
c. **relu canonical form** (one hidden relu/leaky_relu layer, numeric) -> *holds* or *fails*.
d. **witness search** (:mod:`~symeq.equivariance.witness`) over small rational inputs (and
   symbol values) with an exact or interval-certified lower bound -> *fails*.
e. otherwise *unknown*, with the reason.

For a network with symbolic parameters "holds" means for every value of the symbols, and a
witness also assigns exact values to the symbols.

>>> from symeq.models.io import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> r = check_equivariance(net, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.method
('holds', 'layerwise')
>>> bad = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "2"]]], "biases": [["0", "0"], ["0"]]})
>>> r = check_equivariance(bad, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.method, r.witness.generator
('fails', 'witness', 't')
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from symeq.errors import BudgetExceeded
from symeq.groups import GroupAction
from symeq.models.mlp import MLP
from symeq.equivariance.identity import DEFAULT_MAX_TERMS, IdentityOutcome, polynomial_identity, relu_identity
from symeq.equivariance.matching import DEFAULT_BUDGET, LayerwiseMatch, match_layerwise
from symeq.equivariance.witness import Witness, certify_point, find_witness

__all__ = ["CheckResult", "check_equivariance", "VERDICTS", "METHODS"]

VERDICTS = ("holds", "fails", "unknown")
#: Methods a result can name; all but "none" are certificate evidence methods.
METHODS = ("layerwise", "polynomial_identity", "relu_canonical_form", "witness", "none")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of :func:`check_equivariance` with its evidence.

    ``method`` is the certificate evidence method ("layerwise", "polynomial_identity",
    "relu_canonical_form" for holds; "witness" for fails; "none" for unknown).  ``match`` holds
    the latent actions of a layerwise proof (and the matching failure otherwise); ``witness``
    the separating input of a refutation.  ``attempts`` lists, in order, what each method
    said.
    """

    verdict: str
    method: str
    reason: str
    match: LayerwiseMatch | None = None
    witness: Witness | None = None
    attempts: tuple[str, ...] = ()
    seconds: float = 0.0

    def evidence(self) -> dict[str, Any]:
        """The certificate's "evidence" object (docs/certificates.md).

        Raises ValueError for an unknown verdict, which has no evidence.

        >>> CheckResult("holds", "polynomial_identity", "...").evidence()
        {'method': 'polynomial_identity'}
        """
        if self.verdict == "holds":
            if self.method == "layerwise":
                assert self.match is not None
                return {"method": "layerwise", "actions": self.match.evidence_actions()}
            return {"method": self.method}
        if self.verdict == "fails":
            assert self.witness is not None
            return {"method": "witness", **self.witness.to_dict()}
        raise ValueError("an unknown verdict has no evidence")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq check --json``.

        >>> sorted(CheckResult("unknown", "none", "no layerwise action").to_dict())
        ['attempts', 'method', 'reason', 'seconds', 'verdict']
        """
        out: dict[str, Any] = {"verdict": self.verdict, "method": self.method, "reason": self.reason,
                               "attempts": list(self.attempts), "seconds": round(self.seconds, 6)}
        if self.match is not None and self.match.found:
            out["actions"] = self.match.evidence_actions()
        elif self.match is not None and self.match.failure is not None:
            out["layerwise_failure"] = self.match.failure.to_dict()
        if self.witness is not None:
            out["witness"] = self.witness.to_dict()
        return out


def check_equivariance(net: MLP, group: GroupAction, *, tries: int = 200, seed: int = 0,
                       budget: int = DEFAULT_BUDGET, max_terms: int = DEFAULT_MAX_TERMS) -> CheckResult:
    """Decide f(rho_0(g) x) = rho_L(g) f(x) for all x and every generator g of ``group``.

    ``tries``: inputs tried by the witness search; ``seed``: its random seed; ``budget``:
    duplicate-neuron choices tried by the matching; ``max_terms``: the polynomial expansion's
    size limit.

    >>> from symeq.models.io import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "power:2", "weights": [[["1", "1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> r = check_equivariance(net, catalog_group("S2", 2, 1, output="trivial"))
    >>> r.verdict, r.method
    ('holds', 'layerwise')
    """
    start = time.perf_counter()
    act = net.activation
    family = " for every value of the symbols" if net.symbols else ""
    attempts: list[str] = []

    def done(verdict: str, method: str, reason: str, match: LayerwiseMatch | None = None,
             witness: Witness | None = None) -> CheckResult:
        return CheckResult(verdict, method, reason, match, witness, tuple(attempts),
                           time.perf_counter() - start)

    # (a) layerwise
    match = match_layerwise(net, group, budget=budget)
    if match.found:
        kinds = {k.kind for acts in match.actions or () for k in acts}
        what = "every layer" if net.depth > 1 else "the single affine layer"
        attempts.append("layerwise: latent actions found")
        return done("holds", "layerwise",
                    f"layerwise equivariant{family}: {', '.join(sorted(kinds)) or 'no hidden'} latent "
                    f"actions make {what} equivariant for every generator", match)
    assert match.failure is not None
    attempts.append(f"layerwise: {match.failure.message}")

    # (b) polynomial identity
    if act.polynomial:
        try:
            out = polynomial_identity(net, group, max_terms=max_terms)
        except BudgetExceeded as exc:
            attempts.append(f"polynomial identity: {exc} (budget)")
        except ValueError as exc:
            attempts.append(f"polynomial identity: not applicable ({exc})")
        else:
            if out.holds:
                attempts.append("polynomial identity: every coefficient is 0")
                return done("holds", "polynomial_identity",
                            f"f(rho_0(g) x) - rho_L(g) f(x) expands to 0{family} for every generator "
                            "(exact polynomial identity)", match)
            w = _witness_from(net, group, out)
            attempts.append(f"polynomial identity: coordinate {out.coordinate} for generator "
                            f"{out.generator} has a nonzero coefficient")
            if w is not None:
                return done("fails", "witness",
                            "the polynomial identity fails; an exact point where the difference is "
                            "nonzero was read off a nonzero coefficient", match, w)

    # (c) one hidden relu / leaky_relu layer
    if act.name in ("relu", "leaky_relu") and net.depth == 2 and not net.symbols:
        try:
            out = relu_identity(net, group, tries=tries, seed=seed)
        except ValueError as exc:
            attempts.append(f"relu canonical form: not applicable ({exc})")
        else:
            if out.holds:
                attempts.append("relu canonical form: both sides agree")
                return done("holds", "relu_canonical_form",
                            "both sides have the same canonical form sum_h c_h relu(n_h.x + beta_h) "
                            "+ affine for every generator", match)
            attempts.append(f"relu canonical form: the forms differ for generator {out.generator}")
            w = _witness_from(net, group, out)
            if w is not None:
                return done("fails", "witness",
                            "the relu canonical forms differ; an exact point where the sides differ "
                            "was found next to a kink", match, w)

    # (d) witness search
    w = find_witness(net, group, tries=tries, seed=seed)
    if w is not None:
        how = "exact evaluation" if w.exact else "interval arithmetic"
        attempts.append(f"witness search: separating input found ({how})")
        return done("fails", "witness",
                    f"a separating input was found by search and proved by {how}", match, w)
    attempts.append(f"witness search: no separating input among {tries} tried")

    # (e) unknown
    no_action = ("no layerwise action" if match.failure.definitive
                 else f"no layerwise action found ({match.failure.kind})")
    reason = f"{no_action}; no separating input among {tries} tried"
    if net.depth > 1 and match.failure.definitive and act.name not in ("identity",):
        reason += ("; if the network has duplicate or redundant neurons it may still be "
                   "equivariant (THEORY.md section 6)")
    return done("unknown", "none", reason, match)


def _witness_from(net: MLP, group: GroupAction, out: IdentityOutcome) -> Witness | None:
    """Re-evaluate an identity method's point on the network itself and certify it."""
    assert out.generator is not None and out.point is not None
    return certify_point(net, group, out.generator, out.point, out.symbol_values)
