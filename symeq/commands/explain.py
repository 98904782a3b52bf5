"""``symeq explain FILE``: the theorem's construction on FILE, step by step, for teaching.

Prints Markdown (default), a LaTeX document that compiles with pdflatex, or JSON (``--json``): the network and the
group with its action, which parameter carries the latent actions (theta or beta(theta~)), the
adjunction step theta^g, the neuron matching layer by layer with each latent action as a matrix
and the exact check of each layer, uniqueness and the closure of the pairs (k_i(g), g) in K_i x| G, and what
each hidden layer carries (orbit table, character table, decomposition into irreducibles).

Exit codes as for `symeq latent`: 0 holds, 1 fails, 3 unknown, 2 bad input.
"""

from __future__ import annotations

import argparse

from symeq.commands.common import check_int_range, load_inputs, integer

DESCRIPTION = __doc__


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="network file (TOML or JSON, the symeq schema)")
    p.add_argument("--group", metavar="FILE_OR_NAME",
                   help="group acting on inputs and outputs (default: the [group] table of FILE)")
    p.add_argument("--format", default="markdown", choices=("markdown", "latex", "json"),
                   help="output format (default markdown; latex is a document for pdflatex; json "
                        "the verdict and the document's blocks as data)")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")
    p.add_argument("--budget", type=integer, default=20_000, metavar="N",
                   help="matching steps for duplicate neurons and stabilizer search (default 20000)")


def run(args: argparse.Namespace) -> int:
    from symeq.api import latent
    from symeq.architectures import verb

    check_int_range(args.budget, 1, 10_000_000, "--budget")
    net, group, _ = load_inputs(args.file, args.group)
    assert group is not None
    explain = verb(net, "explain")  # before the work: one line when the architecture has none
    result = latent(net, group, budget=args.budget)
    fmt = "json" if args.json else args.format
    text = explain(result, fmt)
    if fmt == "json":  # the verdict first, then the blocks (prose as Markdown with LaTeX math)
        import json

        text = json.dumps({"verdict": str(result.verdict), "exit_code": result.exit_code,
                           **json.loads(text)}, indent=2) + "\n"
    if args.out:
        _write(text, args.out)
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return result.exit_code


def _write(text: str, path: str) -> None:
    from pathlib import Path

    from symeq.files import atomic_write

    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
