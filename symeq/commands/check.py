"""``symeq check FILE``: decide end-to-end equivariance exactly; certificate or witness.

Decides whether f(rho_0(g) x) = rho_L(g) f(x) for all x and every generator g of the group
(the [group] table of FILE, or --group).  Methods, in order: layerwise latent actions (neuron
matching); when that fails and the network has degenerate neurons, the reduction: rewrite steps
that keep the function (drop a neuron nobody reads, absorb a constant neuron into the next
bias, merge a duplicate or negated neuron into its partner) give a smaller network whose latent
actions are then matched (method "reduction+layerwise"; the certificate's evidence
"via_reduction" carries the steps, which the checker replays); the exact polynomial identity
(identity, power, poly activations; on the reduced network, "reduction+polynomial_identity",
when only its expansion fits the budget); the canonical form of one-hidden-layer relu networks;
and a search for a separating input whose difference is proved exactly or by interval
arithmetic.

The text output names the latent actions k_i(g) of every generator and hidden layer; for a
proof by reduction it names the rewrite steps and the reduced network first, and the actions
are those of the reduced network.

Exit codes: 0 holds, 1 fails, 3 unknown, 2 bad input.  With --certificate OUT.json the
certificate (docs/certificates.md) is written after the verdict, atomically; an unknown verdict
writes none.
"""

from __future__ import annotations

import argparse

from symeq.commands.common import (integer, add_certificate_argument, add_network_arguments,
                                   check_certificate_path, check_int_range, emit_json, load_inputs,
                                   write_verified_certificate)
from symeq.verdict import EXIT_INTERNAL, Verdict


DESCRIPTION = __doc__

MAX_TRIES = 100_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_network_arguments(p)
    add_certificate_argument(p)
    p.add_argument("--tries", type=integer, default=200, metavar="N",
                   help="inputs tried by the witness search (default 200)")
    p.add_argument("--seed", type=integer, default=0, metavar="S", help="random seed of the witness search")


def run(args: argparse.Namespace) -> int:
    from symeq.api import check

    check_int_range(args.tries, 0, MAX_TRIES, "--tries")
    check_certificate_path(args.certificate)
    net, group, _ = load_inputs(args.file, args.group)
    result = check(net, group, tries=args.tries, seed=args.seed)
    written: str | None = None
    cert = result.certificate() if args.certificate is not None else None
    if cert is not None:
        if not write_verified_certificate(cert, args.certificate, "check"):
            return EXIT_INTERNAL
        written = args.certificate
    if args.json:
        out = result.to_dict()
        out["certificate"] = written
        emit_json(out)
    else:
        _print_text(result, args.certificate, written)
    return Verdict(result.verdict).exit_code


def _print_text(result, requested: str | None, written: str | None) -> None:  # noqa: ANN001
    print(result.text() if hasattr(result, "text") else
          f"verdict: {result.verdict}\nmethod: {getattr(result, 'method', '')}\nreason: {result.reason}")
    if requested is not None:
        if written is not None:
            print(f"certificate: written to {written}")
        else:
            print(f"certificate: none written ({getattr(result, 'certificate_note', 'the verdict is unknown')})")
