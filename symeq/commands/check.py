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

from symeq.commands.common import (add_certificate_argument, add_network_arguments,
                                   check_certificate_path, check_int_range, emit_json, load_inputs,
                                   write_verified_certificate)
from symeq.exact import number_to_string
from symeq.verdict import EXIT_INTERNAL, Verdict


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
    from symeq.architectures.mlp.equivariance import check_equivariance

    check_int_range(args.tries, 0, MAX_TRIES, "--tries")
    check_certificate_path(args.certificate)
    net, group, _ = load_inputs(args.file, args.group)
    assert group is not None
    if net.architecture != "mlp":
        from symeq.commands.by_architecture import run_verb

        return run_verb(args, "check", net, group, tries=args.tries, seed=args.seed)
    result = check_equivariance(net, group, tries=args.tries, seed=args.seed)
    written: str | None = None
    if args.certificate is not None and result.verdict != "unknown":
        if not write_verified_certificate(check_certificate(net, group, result), args.certificate, "check"):
            return EXIT_INTERNAL
        written = args.certificate
    if args.json:
        out = result.to_dict()
        out["certificate"] = written
        emit_json(out)
    else:
        _print_text(result, group.names, args.certificate, written)
    return Verdict(result.verdict).exit_code


def _print_text(result, names: tuple[str, ...], requested: str | None, written: str | None) -> None:
    print(f"verdict: {result.verdict}")
    print(f"method: {result.method}")
    print(f"reason: {result.reason}")
    if result.verdict == "holds" and result.method == "layerwise" and result.match is not None:
        _print_actions(result.match, names, "")
    if result.witness is not None:
        print(f"witness: {result.witness.describe()}")
    if result.verdict != "holds" or result.method != "layerwise":
        for line in result.attempts:
            print(f"  tried {line}")
    if result.verdict == "holds" and result.reduced is not None:
        _print_reduction(result, names)
    if requested is not None:
        if written is not None:
            print(f"certificate: written to {written}")
        else:
            print("certificate: none written (the verdict is unknown)")


def _print_reduction(result, names: tuple[str, ...]) -> None:
    """The rewrite steps to the reduced network and, for reduction+layerwise, its latent actions."""
    red, steps = result.reduction.reduced, result.reduction.steps
    print(f"reduced network: widths {'-'.join(map(str, red.widths))}, the same function as the network "
          f"by {len(steps)} rewrite step{'s' if len(steps) != 1 else ''}:")
    for n, step in enumerate(steps, start=1):
        print(f"  step {n}: {_describe_step(step)}")
    for note in result.reduction.notes:
        print(f"  note: {note}")
    if result.reduced.match is not None and result.reduced.match.found:
        print("latent actions of the reduced network:")
        _print_actions(result.reduced.match, names, "  ")


def _print_actions(match, names: tuple[str, ...], indent: str) -> None:
    for g in names:
        acts = match.action(g)
        if not acts:
            print(f"{indent}generator {g}: no hidden layer; the output layer closes")
        for i, k in enumerate(acts, start=1):
            print(f"{indent}generator {g}, layer {i}: {k.describe_relations()}")


def _describe_step(step) -> str:
    """One rewrite step in words (indices are those of the network at that step)."""
    where = f"layer {step.layer} neuron {step.neuron}"
    if step.op == "drop_zero_column":
        return f"drop {where} (zero outgoing column)"
    if step.op == "zero_neuron":
        return f"zero {where} (zero outgoing column, last neuron of its layer)"
    if step.op == "absorb_constant":
        return f"absorb {where} (zero incoming row, constant output {number_to_string(step.constant)}) into the next bias"
    r = step.relation
    rel = ", ".join(number_to_string(getattr(r, k)) for k in "acbe")
    return f"merge {where} into neuron {step.keep} (relation (a, c, b, e) = ({rel}))"
