"""``symeq check FILE``: decide end-to-end equivariance exactly; certificate or witness.

Decides whether f(rho_0(g) x) = rho_L(g) f(x) for all x and every generator g of the group
(the [group] table of FILE, or --group).  Methods, in order: layerwise latent actions (neuron
matching), the exact polynomial identity (identity, power, poly activations), the canonical
form of one-hidden-layer relu networks, and a search for a separating input whose difference
is proved exactly or by interval arithmetic.

Exit codes: 0 holds, 1 fails, 3 unknown, 2 bad input.  With --certificate OUT.json the
certificate (docs/certificates.md) is written after the verdict, atomically; an unknown verdict
writes none.
"""

from __future__ import annotations

import argparse

from symeq.commands.common import (VERDICT_EXIT, add_certificate_argument, add_network_arguments,
                                   check_certificate_path, check_int_range, emit_json, load_inputs,
                                   write_json_atomic)

HELP = "decide end-to-end equivariance exactly: certificate or witness"
DESCRIPTION = __doc__

MAX_TRIES = 100_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_network_arguments(p)
    add_certificate_argument(p)
    p.add_argument("--tries", type=int, default=200, metavar="N",
                   help="inputs tried by the witness search (default 200)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of the witness search")


def run(args: argparse.Namespace) -> int:
    from symeq.certify.build import check_certificate
    from symeq.equivariance.check import check_equivariance

    check_int_range(args.tries, 0, MAX_TRIES, "--tries")
    check_certificate_path(args.certificate)
    net, group, _ = load_inputs(args.file, args.group)
    assert group is not None
    result = check_equivariance(net, group, tries=args.tries, seed=args.seed)
    written: str | None = None
    if args.certificate is not None and result.verdict != "unknown":
        write_json_atomic(check_certificate(net, group, result), args.certificate)
        written = args.certificate
    if args.json:
        out = result.to_dict()
        out["certificate"] = written
        emit_json(out)
    else:
        _print_text(result, group.names, args.certificate, written)
    return VERDICT_EXIT[result.verdict]


def _print_text(result, names: tuple[str, ...], requested: str | None, written: str | None) -> None:
    print(f"verdict: {result.verdict}")
    print(f"method: {result.method}")
    print(f"reason: {result.reason}")
    if result.verdict == "holds" and result.method == "layerwise" and result.match is not None:
        for g in names:
            acts = result.match.action(g)
            if not acts:
                print(f"generator {g}: no hidden layer; the output layer closes")
            for i, k in enumerate(acts, start=1):
                print(f"generator {g}, layer {i}: {k.describe()}")
    if result.witness is not None:
        print(f"witness: {result.witness.describe()}")
    if result.verdict != "holds" or result.method != "layerwise":
        for line in result.attempts:
            print(f"  tried {line}")
    if requested is not None:
        if written is not None:
            print(f"certificate: written to {written}")
        else:
            print("certificate: none written (the verdict is unknown)")
