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
from symeq.architectures.mlp.model import MLP

__all__ = ["latent_certificate", "uniqueness_evidence"]


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


def latent_certificate(result: LatentResult) -> dict[str, Any] | None:
    """The certificate of a ``latent`` verdict, or None for ``unknown``."""
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
            u = uniqueness_evidence(result.weak.reduction.reduced, "reduced")
            if u is not None:
                evidence["uniqueness"] = u
    elif result.stabilizer is not None and result.stabilizer.trivial:
        u = uniqueness_evidence(result.acting)
        if u is not None:
            evidence["uniqueness"] = u
    return certificate(result.acting, result.group, "latent_actions", evidence, result.seconds)
