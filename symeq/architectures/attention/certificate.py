"""Certificates of attention verdicts (docs/certificates.md, section "Attention").

The network is the ``[network]`` table of the file schema, the group its token and feature
parts (``tokens``, ``input``, ``output`` per generator), and the evidence what the kernel needs
to re-check the claim without searching: the head maps k_i(g) of every generator and hidden
layer (``layerwise``), nothing more for a lightning ``polynomial_identity`` (the kernel expands
it), or the witness input (``witness``).  The kernel's module is :mod:`symeq.kernel.attention`.
"""

from __future__ import annotations

from typing import Any

from symeq.certify.build import FORMAT, VERSION, _version

__all__ = ["certificate", "network_table", "group_table"]


def network_table(net: Any) -> dict[str, Any]:
    """The certificate's "network": the [network] table, listing the symbols if any."""
    table = net.to_dict()
    if net.symbols:
        table["symbols"] = sorted(str(s) for s in net.symbols)
    return table


def group_table(group: Any) -> dict[str, Any]:
    """The certificate's "group": explicit parts of every generator and the relations, if any."""
    table = group.to_dict()
    return {k: table[k] for k in ("generators", "relations") if k in table}


def certificate(net: Any, group: Any, claim_kind: str, evidence: dict[str, Any],
                seconds: float | None = None) -> dict[str, Any]:
    """One certificate object, with the kernel's hints (the number field of square roots)."""
    from symeq.certify.hints import with_hints

    engine: dict[str, Any] = {"symeq_version": _version()}
    if seconds is not None:
        engine["seconds"] = f"{seconds:.6f}"
    out = {"format": FORMAT, "version": VERSION, "claim": {"kind": claim_kind}, "network": network_table(net)}
    if group is not None:
        out["group"] = group_table(group)
    out.update(evidence=evidence, engine=engine)
    return with_hints(out)
