"""``symeq counterexample --claim CLAIM [--arch ACT:d0-...-dL] [--group NAME_OR_FILE] [--budget N]
[--json] [--certificate OUT]``: search networks that break a claim, and certify the break.

The search enumerates small cases exhaustively, then lets hypothesis generate and shrink
candidates toward small widths and small integers.  A refutation comes with a certificate that
`symeq verify` checks (the network, the proof that it is equivariant, the proof that the claim
fails); it is verified before it is written.  Exit 1 when the claim is refuted (it fails), 3
when it is not refuted or the search stopped at its budget, 2 for bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from symeq.commands.common import add_certificate_argument, check_certificate_path, emit_json, integer, write_json_atomic
from symeq.verdict import EXIT_INTERNAL, Verdict



def _description() -> str:
    """The usage line, the claims with their defaults as :mod:`symeq.counterexamples.claims`
    states them (one table, not two copies), then the search and the exit codes."""
    from symeq.counterexamples import claims

    usage, rest = (__doc__ or "").split("\n\n", 1)
    table = (claims.__doc__ or "").split("\n\n>>>", 1)[0].split("\n\n", 1)[1]
    return f"{usage}\n\n{table}\n\n{rest}"


DESCRIPTION = _description()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claim", required=True, metavar="CLAIM",
                   help="layerwise-reparam, layerwise-at-theta, unique-latent, or a predicate such as "
                   "\"equivariant -> layerwise\"")
    p.add_argument("--arch", metavar="ACT:d0-...-dL", help="activation and widths (split at the last colon)")
    p.add_argument("--group", metavar="NAME_OR_FILE", help="catalog group or a file with a [group] table")
    p.add_argument("--budget", type=integer, default=None, metavar="N",
                   help="candidates (and assignments of latent types) examined")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    add_certificate_argument(p, "write the certificate of a refutation (.json)")


def run(args: argparse.Namespace) -> int:
    from symeq.api import counterexample
    from symeq.counterexamples.claims import DEFAULTS, claim_kind

    claim = args.claim.strip()
    kind = claim_kind(claim)
    check_certificate_path(args.certificate)
    arch = args.arch or DEFAULTS[kind][0]
    group_spec = args.group or DEFAULTS[kind][1]
    if args.json:
        out = counterexample(claim, arch, group_spec, budget=args.budget)
    else:
        from rich.console import Console

        with Console(stderr=True).status(f"searching counterexamples to {claim} on {arch} under {group_spec}"):
            out = counterexample(claim, arch, group_spec, budget=args.budget)
    verified = None
    if out.certificate() is not None:
        from symeq.certify.verify import verify_certificate

        v = verify_certificate(out.certificate())
        verified = v.ok
        if not v.ok:  # an engine bug: say so, write nothing
            import sys

            print(f"symeq counterexample: internal error: the certificate does not verify ({v.reason})",
                  file=sys.stderr)
            return EXIT_INTERNAL
        if args.certificate:
            write_json_atomic(out.certificate(), args.certificate)
    data = out.to_dict()
    data.update({"architecture": arch, "group": group_spec, "certificate_verified": verified,
                 "certificate_path": args.certificate if (args.certificate and out.certificate()) else None})
    if args.json:
        emit_json(data)
    else:
        _print(out, arch, group_spec, args.certificate, verified)
    return Verdict(out.verdict).exit_code


def _print(out: Any, arch: str, group: str, path: str | None, verified: bool | None) -> None:
    from symeq.counterexamples.outcome import CLAIM_STATEMENTS

    statement = CLAIM_STATEMENTS.get(out.claim) or (f"for every network: {out.details['predicate']}"
                                                    if out.details.get("predicate") else None)
    print(f"claim: {out.claim}" + (f" ({statement})" if statement else ""))
    print(f"architecture {arch}, group {group}; {out.tried} candidate(s) tried")
    print(f"verdict: {out.verdict}")
    print(out.message)
    if out.network is not None:
        d = out.network.to_dict()
        for i, (w, b) in enumerate(zip(d["weights"], d["biases"]), start=1):
            print(f"  W_{i} = {w}")
            print(f"  b_{i} = {b}")
    example = out.details.get("layerwise_reparametrization")
    if example:
        print(f"layerwise-equivariant parameter (type {example['type']}) computing {example['function']}:")
        for i, w in enumerate(example["network"]["weights"], start=1):
            print(f"  W_{i} = {w}")
    if verified:
        print("certificate verified by the independent checker"
              + (f"; written to {path}" if path else " (use --certificate OUT to write it)"))
    elif path:
        print(f"no certificate: nothing written to {path}")
