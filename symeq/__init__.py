"""symeq: exact verification of the theorem that identifiable equivariant networks are layerwise
equivariant (Shahverdi, Marchetti, Bokman, Kohn, ICML 2026; docs/theory.md).

The public API (:mod:`symeq.api`)::

    net, group = symeq.load("docs/examples/first.toml")
    r = symeq.check(net, group)             # r.verdict, r.reason, r.certificate(), r.to_dict()
    symeq.verify(r.certificate()).ok        # the independent checker

and ``symmetries``, ``identify``, ``latent``, ``classify``, ``counterexample``, ``prove``, and for
teaching ``explain`` (the construction as Markdown, LaTeX or data) and ``draw`` (a matplotlib
figure).  The
names are imported on first use, so ``import symeq`` (and ``symeq --help``) stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "check", "symmetries", "identify", "latent", "classify", "counterexample", "verify",
           "prove", "explain", "draw", "Verdict", "__version__"]

_API = {"load", "check", "symmetries", "identify", "latent", "classify", "counterexample", "verify", "prove",
        "explain", "draw"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from symeq import api

        return getattr(api, name)
    if name == "__version__":  # read on demand: importlib.metadata costs `symeq --help` 25 ms
        from importlib import metadata

        try:
            return metadata.version("symeq")
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0+unknown"
    if name == "Verdict":
        from symeq.verdict import Verdict

        return Verdict
    raise AttributeError(f"module 'symeq' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
