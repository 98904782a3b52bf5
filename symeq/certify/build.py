"""Engine-side construction of certificates (docs/certificates.md, format version 2).

The engine finds; the certificate states, with the hints the kernel needs
(:func:`symeq.certify.hints.with_hints`); the kernel re-verifies
(:func:`symeq.certify.verify.verify_certificate`).  This module assembles plain data: the
network and the group in the input schema, the claim, the evidence, and informational engine data.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.architectures.mlp.equivariance import check_equivariance
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1"]], [["2"]]],
...                          "biases": [["0"], ["0"]]})
>>> G = catalog_group("sign", 1, 1)
>>> cert = check_certificate(net, G, check_equivariance(net, G))
>>> cert["claim"], cert["evidence"]["method"]
({'kind': 'equivariant'}, 'layerwise')
>>> from symeq.certify.verify import verify_certificate
>>> verify_certificate(cert).ok
True
"""

from __future__ import annotations

from typing import Any

from symeq.exact import exact_string

from symeq.architectures.mlp.equivariance import CheckResult
from symeq.groups import GroupAction
from symeq.architectures import network_to_dict

__all__ = ["FORMAT", "VERSION", "network_table", "group_table", "certificate", "check_certificate"]

FORMAT = "symeq-certificate"
VERSION = 2


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("symeq")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        return "unknown"


def network_table(net: Any) -> dict[str, Any]:
    """The certificate's "network": the [network] table, listing the symbols if any.

    >>> from symeq.architectures import network_from_dict
    >>> network_table(network_from_dict({"activation": "relu", "weights": [[["w"]]],
    ...                                  "biases": [["0"]]}))["symbols"]
    ['w']
    """
    table = network_to_dict(net)
    if net.symbols:
        table["symbols"] = sorted(str(s) for s in net.symbols)
    return table


def group_table(group: GroupAction) -> dict[str, Any]:
    """The certificate's "group": explicit generator matrices and the relations, if any.

    >>> from symeq.groups import catalog_group
    >>> sorted(group_table(catalog_group("C4", 2, 2)))
    ['generators', 'relations']
    """
    table = group.to_dict()
    return {k: table[k] for k in ("generators", "relations") if k in table}


def certificate(net: Any, group: GroupAction, claim_kind: str, evidence: dict[str, Any],
                seconds: float | None = None, nonzero: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Assemble one certificate object from its parts, with the kernel's hints.  ``nonzero``: the
    polynomials in the symbols where the claim holds (for every real value making them nonzero)."""
    from symeq.certify.hints import with_hints

    engine: dict[str, Any] = {"symeq_version": _version()}
    if seconds is not None:
        engine["seconds"] = f"{seconds:.6f}"
    return with_hints({
        "format": FORMAT,
        "version": VERSION,
        "claim": {"kind": claim_kind, **({"nonzero": [exact_string(x) for x in nonzero]} if nonzero else {})},
        "network": network_table(net),
        "group": group_table(group),
        "evidence": evidence,
        "engine": engine,
    })


def check_certificate(net: Any, group: GroupAction, result: CheckResult) -> dict[str, Any]:
    """The certificate of a ``check`` verdict: "equivariant" for holds, "not_equivariant" with
    the witness for fails.  An unknown verdict has none (ValueError)."""
    if result.verdict == "holds":
        return certificate(net, group, "equivariant", result.evidence(), result.seconds, result.nonzero)
    if result.verdict == "fails":
        return certificate(net, group, "not_equivariant", result.evidence(), result.seconds)
    raise ValueError("an unknown verdict has no certificate")
