"""Certificates of convolutional networks (engine side; the format is in docs/certificates.md,
section "Convolutional networks").

The engine finds; the certificate states; the kernel re-checks from the hints written here
without searching: the channel maps k_i(g) of every generator and hidden layer (the layer
equations are then identities of filter arrays), for ``latent_actions`` also the elements of
G as words with their right-multiplication table (the closure of the pairs (k_i(g), g) in
K_i x| G is then checked element by element, never searched).

>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> from symeq.architectures.conv.equivariance import check
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> cert = check(net, G).certificate()
>>> cert["claim"], cert["evidence"]["actions"]["m"][0]["shifts"]
({'kind': 'equivariant'}, [[5]])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from symeq.certify.build import FORMAT, VERSION, _version

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.equivariance import ConvCheckResult
    from symeq.architectures.conv.group import ConvGroupAction
    from symeq.architectures.conv.model import ConvNet

__all__ = ["network_table", "group_table", "certificate", "check_certificate", "latent_certificate"]


def network_table(net: "ConvNet") -> dict[str, Any]:
    """The certificate's "network": the [network] table, listing the symbols if any."""
    table = net.to_dict()
    if net.symbols:
        table["symbols"] = sorted(str(s) for s in net.symbols)
    return table


def group_table(group: "ConvGroupAction") -> dict[str, Any]:
    """The certificate's "group": grid maps and channel matrices (no description)."""
    d = group.to_dict()
    d.pop("description", None)
    return d


def certificate(net: "ConvNet", group: "ConvGroupAction", claim: dict[str, Any], evidence: dict[str, Any],
                seconds: float = 0.0) -> dict[str, Any]:
    """One certificate object, with the kernel's hints (:func:`symeq.certify.hints.with_hints`:
    the number field of algebraic entries, the lowered MLP's hints)."""
    from symeq.certify.hints import with_hints

    return with_hints({"format": FORMAT, "version": VERSION, "claim": claim, "network": network_table(net),
                       "group": group_table(group), "evidence": evidence,
                       "engine": {"symeq_version": _version(), "seconds": f"{seconds:.3f}"}})


def check_certificate(result: "ConvCheckResult") -> dict[str, Any] | None:
    """The certificate of a ``check`` verdict: ``equivariant`` (layerwise or lowered) or
    ``not_equivariant`` (a witness); None for unknown."""
    if result.verdict == "holds":
        if result.method == "layerwise":
            assert result.construction is not None
            ev = {"method": "layerwise", "actions": result.construction.evidence_actions()}
        else:
            from symeq.architectures.mlp.equivariance import CheckResult

            low: CheckResult = result.lowered
            ev = {"method": "lowered", "mlp_evidence": low.evidence()}
        return certificate(result.network, result.group, {"kind": "equivariant"}, ev, result.seconds)
    if result.verdict == "fails":
        assert result.witness is not None
        return certificate(result.network, result.group, {"kind": "not_equivariant"},
                           {"method": "witness", **result.witness.to_dict()}, result.seconds)
    return None


def latent_certificate(result: Any) -> dict[str, Any] | None:
    """The ``latent_actions`` certificate of a convolutional latent analysis that holds: the
    actions, and the closure table of G as hints (words of every element, right
    multiplication by every generator); at beta(theta~) also the proof that it computes the
    function of theta (``equal_function``: the lowered MLP's rewrite steps), or None when the
    network is too large for the kernel to lower."""
    from symeq.groups.permutation import finite_group

    if result.verdict != "holds" or result.actions is None:
        if result.verdict == "fails" and result.check is not None:
            return check_certificate(result.check)
        return None
    G = finite_group(result.group)
    hints = {"elements": [G.word(a) for a in range(G.order)],
             "right": [[G.mul(a, g) for a in range(G.order)] for g in G.generators]}
    ev: dict[str, Any] = {"method": "crossed_homomorphism", "actions": result.actions.to_dict(),
                          "order": G.order, "closure": hints}
    if result.where == "beta(theta~)":  # the actions act on beta(theta~): prove it computes f(theta)
        same = result.weak.reduction.equal_function_evidence()
        if same is None:  # too large for the kernel to lower: no certificate about theta
            return None
        ev["equal_function"] = same
    return certificate(result.acting, result.group, {"kind": "latent_actions"}, ev, result.seconds)

