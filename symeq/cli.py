"""The ``symeq`` command: one verb per module under ``symeq.commands``.

Exit codes (DESIGN.md, principle 4): 0 holds, 1 fails, 2 bad input, 3 conjectural or unknown
(also an escaped BudgetExceeded), 4 internal error (a bug; the traceback is printed).
Bad input ends with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from symeq.errors import BudgetExceeded, InputError

#: Verbs, in the order ``symeq --help`` lists them; each is a module in symeq.commands with
#: ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
VERBS = (
    "check",
    "symmetries",
    "identify",
    "latent",
    "classify",
    "counterexample",
    "verify",
    "prove",
    "explain",
    "draw",
    "emergent",
)

from symeq.verdict import EXIT_BAD_INPUT, EXIT_INTERNAL, Verdict

EXIT_UNKNOWN = Verdict.UNKNOWN.exit_code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser(verbs: Sequence[str] = VERBS) -> argparse.ArgumentParser:
    """The argument parser with these verbs registered (all, for ``symeq --help``)."""
    parser = _Parser(
        prog="symeq",
        description=(
            "Exact verification of equivariance, parameter symmetries, identifiability and "
            "layerwise latent actions of small neural networks. Every 'holds' comes with a "
            "certificate that an independent checker re-verifies; every 'fails' with a witness."
        ),
        epilog="Exit codes: 0 holds, 1 fails, 2 bad input, 3 conjectural or unknown.",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in verbs:
        module = importlib.import_module(f"symeq.commands.{verb.replace('-', '_')}")
        p = sub.add_parser(verb, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the named verb's module is imported: `symeq verify` loads no engine module.
    parser = build_parser((argv[0],) if argv and argv[0] in VERBS else VERBS)
    args = parser.parse_args(argv)
    if not getattr(args, "verb", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args._run(args))
    except InputError as exc:
        message = " ".join(str(exc).splitlines())  # one line, whatever the message holds
        print(f"symeq {args.verb}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BudgetExceeded as exc:
        print(f"symeq {args.verb}: unknown (budget): {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    except KeyboardInterrupt:
        print("symeq: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``symeq ... | head``): not an error of ours, and Python would
        # otherwise complain again while flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except RecursionError:
        print(f"symeq {args.verb}: error: input too deeply nested", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        # A bug, not a verdict: an uncaught exception would exit 1, which means "fails".
        traceback.print_exc()
        print(f"symeq {args.verb}: internal error (a bug in symeq): {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
