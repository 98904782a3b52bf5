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

#: Verbs, in the order ``symeq --help`` lists them, with their one-line help.  Each is a module
#: in symeq.commands with ``add_arguments(parser)`` and ``run(args) -> int`` (and optionally a
#: ``DESCRIPTION`` for ``symeq VERB --help``).  The one-line help lives here, not in the module,
#: so that ``symeq --help`` imports no verb at all (issue 17: start-up within 3x of Python's).
VERBS: dict[str, str] = {
    "check": "decide end-to-end equivariance exactly: certificate or witness",
    "symmetries": "activation relations, latent groups K_i, functional dimension and hidden symmetries",
    "identify": "identifiability verdict: criterion, reference, submodel and checkable evidence",
    "latent": "construct the latent actions rho_i of the theorem, with orbits, characters and a certificate",
    "classify": "every latent action type and its space of layerwise-equivariant parameters",
    "counterexample": "search for networks that break a stated claim; certificate of the break",
    "verify": "re-check a certificate from scratch with the trusted kernel",
    "prove": "check the theorem instances under proofs/ (the default job)",
    "explain": "explain the theorem's construction on a network step by step (Markdown or LaTeX)",
    "draw": "draw the network with neurons coloured by G-orbit and a latent action as arrows",
    "emergent": "approximate mode for trained networks: fitted latent actions, the paper's errors, rounding to exact",
}

from symeq.verdict import EXIT_BAD_INPUT, EXIT_INTERNAL, Verdict

EXIT_UNKNOWN = Verdict.UNKNOWN.exit_code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class _Version(argparse.Action):
    """``--version``, read from the package metadata only when asked (it costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import symeq

        print(f"symeq {symeq.__version__}")
        parser.exit(0)


def build_parser(verbs: Sequence[str] | None = None, *, stubs: bool = False) -> argparse.ArgumentParser:
    """The argument parser with these verbs registered (default: all of them).

    With ``stubs`` the verbs are listed by name and help only, and no verb module is imported:
    enough for ``symeq --help`` and for an unknown verb's error."""
    parser = _Parser(
        prog="symeq",
        description=(
            "Exact verification of equivariance, parameter symmetries, identifiability and "
            "layerwise latent actions of small neural networks. Every 'holds' comes with a "
            "certificate that an independent checker re-verifies; every 'fails' with a witness."
        ),
        epilog="Exit codes: 0 holds, 1 fails, 2 bad input, 3 conjectural or unknown.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print symeq's version and exit")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS if verbs is None else verbs:
        if stubs:
            sub.add_parser(verb, help=VERBS[verb])
            continue
        module = importlib.import_module(f"symeq.commands.{verb.replace('-', '_')}")
        p = sub.add_parser(verb, help=VERBS[verb], description=getattr(module, "DESCRIPTION", VERBS[verb]),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # Only the named verb's module is imported: `symeq verify` loads no engine module.
    parser = build_parser((argv[0],)) if argv and argv[0] in VERBS else build_parser(stubs=True)
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
