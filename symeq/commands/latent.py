"""``symeq latent FILE``: the theorem's construction, latent actions rho_i with a certificate.

For the network and group of FILE (or --group): compute theta^g for every generator, identify
k(g) layer by layer in the latent groups K_i, decide uniqueness (the stabilizer of theta), check
that the pairs (k_i(g), g) close up in K_i x| G to one element per element of G (so each
rho_i : G -> K_i is a homomorphism) and report what each hidden layer carries: orbits of neurons, their types and
G-sets, the exact character and its decomposition into irreducible characters.  When theta has
no layerwise action, the construction runs on the submodel theta~ and is embedded with beta
(same function, proved).  When no action exists at all, the report says why: f is not
equivariant (check's witness; for an identifiable theta this is the theorem's
contrapositive), or identifiability fails (see `symeq counterexample`).

Exit codes: 0 holds, 1 fails (f is not equivariant), 3 unknown, 2 bad input.  With
--certificate OUT.json the certificate is written (claim ``latent_actions``, or
``not_equivariant`` for fails); `symeq verify OUT.json` re-checks it.
"""

from __future__ import annotations

import argparse
from typing import Any

from symeq.commands.common import (integer, add_certificate_argument, add_network_arguments, check_certificate_path,
                                   check_int_range, emit_json, load_inputs, write_verified_certificate)

DESCRIPTION = __doc__

MAX_BUDGET = 10_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_network_arguments(p)
    add_certificate_argument(p)
    p.add_argument("--budget", type=integer, default=20_000, metavar="N",
                   help="matching steps for duplicate neurons and stabilizer search (default 20000)")
    p.add_argument("--no-structure", action="store_true",
                   help="skip orbits, G-sets and characters of the hidden layers")


def run(args: argparse.Namespace) -> int:
    from symeq.certify.build_latent import latent_certificate
    from symeq.api import latent as analyze

    check_int_range(args.budget, 1, MAX_BUDGET, "--budget")
    check_certificate_path(args.certificate)
    net, group, _ = load_inputs(args.file, args.group)
    assert group is not None
    if net.architecture != "mlp":
        from symeq.commands.by_architecture import run_verb

        return run_verb(args, "latent", net, group, budget=args.budget, structure=not args.no_structure)
    result = analyze(net, group, budget=args.budget, structure=not args.no_structure)
    written = None
    if args.certificate is not None:
        cert = latent_certificate(result)
        if cert is not None:
            if not write_verified_certificate(cert, args.certificate, "latent"):
                return 4  # an engine bug, never a verdict
            written = args.certificate
    if args.json:
        out = result.to_dict()
        out["certificate"] = written
        emit_json(out)
    else:
        print_text(result.to_dict(), args.certificate, written)
    return result.exit_code


def print_text(d: dict[str, Any], requested: str | None, written: str | None) -> None:
    """The human-readable report of ``symeq latent``."""
    print(f"verdict: {d['verdict']}")
    print(f"summary: {d['summary']}")
    for n in d.get("notes", []):
        print(f"note: {n}")
    if d.get("where") == "beta(theta~)":
        print("parameter used: beta(theta~) "
              f"(reduction steps: {', '.join(s['op'] for s in d['reduction']['steps'])}; "
              f"kept neurons per layer: {d['reduction']['kept']})")
    name = "k" if d.get("structural") else "rho"  # with a structural action, rho_i = s_i o k_i
    for g, descs in d.get("actions_described", {}).items():
        for i, text in enumerate(descs, start=1):
            print(f"{name}_{i}({g}): {text}")
    for g, text in d.get("structural", {}).items():
        print(f"s({g}) = {text} on every hidden layer (rho_i(g) = s(g) o k_i(g))")
    if "uniqueness" in d:
        u = d["uniqueness"]
        extra = f" ({u['criterion'] or u['reason']})" if (u["criterion"] or u["reason"]) else ""
        of = "theta" if d.get("where") != "beta(theta~)" else "theta~"
        print(f"uniqueness: Stab({of}) {u['status']}{extra}")
    if "homomorphism" in d:
        what = "crossed homomorphism" if d["crossed"] else "homomorphism"
        print(f"{what}: the pairs (k_i(g), g) close up to |G| = {d['group_order']} elements on every "
              f"layer: {'yes' if d['homomorphism'] else 'no'}")
    for text in d.get("cocycle", []):
        print(f"cocycle: {text}")
    for layer in d.get("layers", []):
        what = layer.get("label") or f"{layer['width']} neurons, {layer['kind']}"
        print(f"layer {layer['layer']} ({what}):")
        for o in layer["orbits"]:
            print(f"  orbit {o['neurons']}: {o['type']}, {o['gset']}")
        if layer["diagonal"] is not None:
            print(f"  positive diagonal conjugating to signed permutations: {layer['diagonal']}")
        pairs = ", ".join(f"{c}: {v}" for c, v in zip(layer["classes"], layer["character"]))
        print(f"  character on the classes: {pairs}")
        terms = [f"{m} X.{k + 1} (degree {deg})" for k, (m, deg) in
                 enumerate(zip(layer["multiplicities"], layer["degrees"])) if m]
        print(f"  decomposition: {' + '.join(terms) if terms else '0'}")
    for kind, items in d.get("conditions", {}).items():
        for c in items:
            print(f"condition for {kind}: {c}")
    if requested is not None:
        print(f"certificate: {'written to ' + written if written else 'none written (the verdict is unknown)'}")
