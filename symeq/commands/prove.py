"""``symeq prove [PATHS]``: re-derive and re-check the bundled theorem instances.

Each instance is one TOML file with a ``[network]``, usually a ``[group]``, and a ``[claim]``
table naming the verb that decides it and the verdict it must reach::

    [claim]
    verb = "check"            # which engine decides the claim
    expect = "holds"          # the verdict the instance states
    description = "C4 rotation on a tanh network"

For every instance the engine runs from scratch, its verdict is compared with ``expect``, the
certificate it produces is verified by the independent checker, and a certificate stored beside
the instance (``NAME.cert.json``) is verified as well.  Any deviation makes the command exit 1
and names the instance.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from symeq.commands.common import emit_json
from symeq.errors import InputError

HELP = "check the theorem instances under proofs/ (the default job)"
DESCRIPTION = __doc__

#: Where the bundled instances live when no PATHS are given: the source checkout's proofs/
#: (symeq is installed from the checkout), else ./proofs.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "proofs"
if not DEFAULT_DIR.is_dir():  # pragma: no cover - a non-editable install
    DEFAULT_DIR = Path.cwd() / "proofs"


@dataclass(frozen=True)
class InstanceOutcome:
    """What one instance came to."""

    path: str
    verb: str
    expect: str
    verdict: str
    ok: bool
    seconds: float
    detail: str


def _run_check(path: Path, doc: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str]:
    from symeq.certify.build import check_certificate
    from symeq.commands.common import load_inputs
    from symeq.equivariance.check import check_equivariance

    net, group, _ = load_inputs(str(path))
    assert group is not None
    result = check_equivariance(net, group)
    cert = check_certificate(net, group, result) if result.verdict != "unknown" else None
    return result.verdict, cert, result.method


#: claim verb -> runner(path, doc) returning (verdict, certificate or None, method).
RUNNERS: dict[str, Callable[[Path, dict[str, Any]], tuple[str, dict[str, Any] | None, str]]] = {
    "check": _run_check,
}


def instance_paths(paths: list[str]) -> list[Path]:
    """Every ``*.toml`` instance under the given files and folders, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.toml")))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"no such file or folder: {p}")
    if not out:
        raise InputError(f"no *.toml instances under {', '.join(paths)}")
    return out


def prove_instance(path: Path) -> InstanceOutcome:
    """Re-derive one instance and re-check its certificates."""
    from symeq.certify.checker import verify_certificate
    from symeq.models.io import load_document

    start = time.perf_counter()
    try:
        doc = load_document(path)
        claim = doc.get("claim")
        if not isinstance(claim, dict) or "verb" not in claim or "expect" not in claim:
            raise InputError("no [claim] table with verb and expect")
        verb, expect = str(claim["verb"]), str(claim["expect"])
        if verb not in RUNNERS:
            raise InputError(f"unknown claim verb {verb!r}; known: {', '.join(RUNNERS)}")
        verdict, cert, method = RUNNERS[verb](path, doc)
    except InputError as exc:
        return InstanceOutcome(str(path), "?", "?", "bad input", False,
                               time.perf_counter() - start, str(exc))
    problems = []
    if verdict != expect:
        problems.append(f"verdict {verdict}, expected {expect}")
    if cert is not None:
        v = verify_certificate(cert)
        if not v.ok:
            problems.append(f"certificate rejected: {v.reason}")
    elif verdict in ("holds", "fails"):
        problems.append("no certificate produced")
    stored = path.with_suffix(".cert.json")
    if stored.exists():
        try:
            stored_doc = json.loads(stored.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"stored certificate unreadable: {exc}")
        else:
            v = verify_certificate(stored_doc)
            if not v.ok:
                problems.append(f"stored certificate rejected: {v.reason}")
            elif cert is not None and stored_doc.get("network") != cert.get("network"):
                problems.append("stored certificate is for a different network")
    detail = "; ".join(problems) if problems else f"{method}; certificate verified"
    return InstanceOutcome(str(path), verb, expect, verdict, not problems,
                           time.perf_counter() - start, detail)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATHS",
                   help="instance files or folders (default: the bundled proofs/)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    paths = instance_paths(args.paths or [str(DEFAULT_DIR)])
    outcomes: list[InstanceOutcome] = []
    if args.json or args.no_progress:
        outcomes = [prove_instance(p) for p in paths]
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("proving", total=len(paths))
            for p in paths:
                progress.update(task, description=p.name)
                outcomes.append(prove_instance(p))
                progress.advance(task)
    failed = [o for o in outcomes if not o.ok]
    if args.json:
        emit_json({
            "instances": [o.__dict__ for o in outcomes],
            "passed": len(outcomes) - len(failed),
            "failed": len(failed),
        })
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="symeq prove")
        for col in ("instance", "claim", "verdict", "seconds", "result"):
            table.add_column(col)
        for o in outcomes:
            table.add_row(_short(o.path), f"{o.verb}: {o.expect}", o.verdict, f"{o.seconds:.2f}",
                          "ok" if o.ok else f"DEVIATES: {o.detail}")
        Console(width=160).print(table)
        print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
        for o in failed:
            print(f"FAILED {o.path}: {o.detail}")
    return 1 if failed else 0


def _short(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(DEFAULT_DIR.parent))
    except ValueError:
        return path
