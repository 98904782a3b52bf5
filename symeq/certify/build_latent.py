"""Engine-side certificates of ``symeq latent`` (claim kind ``latent_actions``, docs/certificates.md).

A construction that holds becomes a ``latent_actions`` certificate: the network the actions act
on (theta, or beta(theta~) with the proof that it computes the same function as theta), the
group, the latent maps of every generator, the order of G, and, when the engine
proved it by a criterion the checker can re-run, the uniqueness of the latent action.  A
refutation (f is not equivariant) is ``symeq check``'s ``not_equivariant`` certificate.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.construction.analysis import analyze
>>> from symeq.certify.verify import verify_certificate
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["2", "1"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> cert = latent_certificate(analyze(net, catalog_group("S2", 2, 1, output="trivial")))
>>> cert["claim"], sorted(cert["evidence"])
({'kind': 'latent_actions'}, ['actions', 'method', 'order', 'uniqueness'])
>>> verify_certificate(cert).ok
True
"""

from __future__ import annotations

from typing import Any

from symeq.certify.build import certificate, check_certificate
from symeq.construction.analysis import LatentResult

__all__ = ["latent_certificate"]


def latent_certificate(result: LatentResult) -> dict[str, Any] | None:
    """The certificate of a ``latent`` verdict, or None for ``unknown``."""
    own = getattr(result.network, "latent_certificate", None)
    if own is not None:  # an architecture with its own evidence (convolutions: crossed homomorphisms)
        return own(result)
    if result.verdict == "fails":
        return check_certificate(result.network, result.group, result.check)
    if result.verdict != "holds":
        return None
    assert result.actions is not None and result.homomorphism is not None and result.acting is not None
    from symeq.groups.permutation import finite_group

    # the kernel closes G itself and carries the latent maps along its Cayley graph
    evidence: dict[str, Any] = {
        "method": "layerwise_homomorphism",
        "actions": result.actions.to_dict(),
        "order": finite_group(result.group).order,
    }
    if result.where == "beta(theta~)":
        assert result.weak is not None
        evidence["equal_function"] = result.weak.reduction.equal_function_evidence()
        if result.stabilizer is not None and result.stabilizer.trivial:
            u = _uniqueness(result.weak.reduction.reduced, "reduced")
            if u is not None:
                evidence["uniqueness"] = u
    elif result.stabilizer is not None and result.stabilizer.trivial:
        u = _uniqueness(result.acting, "this")
        if u is not None:
            evidence["uniqueness"] = u
    return certificate(result.acting, result.group, "latent_actions", evidence, result.seconds)


def _uniqueness(net: Any, which: str) -> dict[str, str] | None:
    """The architecture's ``uniqueness`` evidence for the kernel, or None (none it can check)."""
    hook = getattr(net, "uniqueness_evidence", None)
    return hook(which) if hook is not None else None
