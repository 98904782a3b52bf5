"""``symeq prove [PATHS]``: re-derive and re-check the bundled theorem instances.

The rest of ``symeq prove --help`` is the docstring of :mod:`symeq.proofs.instances`, which
runs them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symeq.commands.common import emit_json
from symeq.proofs import instances

#: The instance format and what deviates, as the library states it (one text, not two copies).
DESCRIPTION = __doc__.splitlines()[0] + "\n\n" + (instances.__doc__ or "").split("\n", 1)[1].lstrip()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATHS",
                   help="instance files or folders (default: the bundled proofs/)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--write-certificates", action="store_true",
                   help="(re)write NAME.cert.json beside each instance that passes, from the fresh run")
    p.add_argument("--list-facts", action="store_true",
                   help="list the facts each claim verb derives (the keys [claim] facts may state) and exit")


def run(args: argparse.Namespace) -> int:
    from symeq.proofs.instances import FACTS, instance_paths, prove

    if args.list_facts:
        if args.json:
            emit_json(FACTS)
        else:
            for verb, facts in FACTS.items():
                print(f"{verb}:")
                for k, text in facts.items():
                    print(f"  {k}: {text}")
        return 0
    if args.json or args.no_progress or not sys.stdout.isatty():
        report = prove(args.paths, write=args.write_certificates)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        total = len(instance_paths(args.paths or [str(_default_dir())]))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), transient=True) as progress:
            task = progress.add_task("proving", total=total)

            def step(path: Path) -> None:
                progress.update(task, description=_short(str(path)))
                progress.advance(task)

            report = prove(args.paths, write=args.write_certificates, progress=step)
    if args.json:
        emit_json(report.to_dict())
    else:
        _print_table(report.outcomes)
        print(f"{len(report.outcomes) - len(report.failed)} passed, {len(report.failed)} failed "
              f"({report.seconds:.1f} s)")
        for o in report.failed:
            print(f"DEVIATES {_short(o.path)}: {o.detail}")
    return 1 if report.failed else 0


def _default_dir() -> Path:
    from symeq.proofs.instances import DEFAULT_DIR

    return DEFAULT_DIR


def _print_table(outcomes) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="symeq prove")
    for col in ("instance", "claim", "verdict", "seconds", "result"):
        table.add_column(col, justify="right" if col == "seconds" else "left")
    for o in outcomes:
        # paths and details are text, not rich markup ("no [claim] table" must keep its brackets)
        table.add_row(escape(_short(o.path)), escape(f"{o.verb}: {o.expect}"), escape(o.verdict), f"{o.seconds:.2f}",
                      "ok: " + escape(o.detail) if o.ok else f"[red]DEVIATES[/red]: {escape(o.detail)}")
    Console(width=max(160, Console().width), highlight=False).print(table)


def _short(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(_default_dir().parent))
    except ValueError:
        return path
