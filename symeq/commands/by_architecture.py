"""The verbs for architectures other than the MLP: find the architecture's function for the verb
(:func:`symeq.architectures.verb`), call it, render its Result (``text()`` or ``to_dict()``) and
write its certificate after the kernel accepts it.

Each command calls :func:`run_verb` right after loading its inputs when the network is not an
MLP; the MLP keeps its own rendering.
"""

from __future__ import annotations

import argparse
from typing import Any

from symeq.architectures import verb
from symeq.commands.common import check_certificate_path, emit_json, write_verified_certificate
from symeq.verdict import EXIT_INTERNAL, Verdict

__all__ = ["run_verb"]


def run_verb(args: argparse.Namespace, name: str, net: Any, *call: Any, **kw: Any) -> int:
    """Run verb ``name`` of ``net``'s architecture with ``call`` and ``kw``; print; exit code."""
    certificate = getattr(args, "certificate", None)
    check_certificate_path(certificate)
    result = verb(net, name)(net, *call, **kw)
    written = None
    if certificate is not None:
        cert = result.certificate()
        if cert is not None:
            if not write_verified_certificate(cert, certificate, name):
                return EXIT_INTERNAL
            written = certificate
    if getattr(args, "json", False):
        out = result.to_dict()
        if certificate is not None:
            out["certificate"] = written
        emit_json(out)
    else:
        print(result.text())
        if certificate is not None:
            print(f"certificate: {'written to ' + written if written else 'none written (no checkable verdict)'}")
    return Verdict(result.verdict).exit_code
