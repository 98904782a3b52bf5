"""``symeq symmetries FILE | --arch ACT:d0-d1-...-dL``: parameter symmetries of an MLP.

Prints (THEORY.md section 2):

* the activation's relations sigma(a z + c) = b sigma(z) + e, derived from its formula and
  each proved, as a group (families, discrete generators, Lie algebra) with the argument that
  there are no others -- or "unknown" with what was established;
* the latent group K_i of every hidden layer: kind, dimension, number of components (closed
  form), and a symbolic proof for each generator that it leaves the function unchanged;
* the functional dimension at the parameter (FILE's, or a random rational one from --seed for
  --arch): exact (exact rational Jacobian, or certified bounds that meet) or a certified
  lower bound, with #params, dim K, the K-orbit dimension, the number of hidden symmetry
  directions and exact generators of them.

ACT is a catalog activation (tanh, relu, leaky_relu:1/10, power:2, poly:z^3+z, ...) or a
formula in z (formula:exp(z), or just exp(z)); --arch splits at its last colon, so
power:2:3-5-5-1 is power:2 with widths 3-5-5-1.

Exit codes: 0 when everything is settled (relations complete, proofs hold, functional
dimension exact), 3 when something is unknown or only bounded, 2 for bad input.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

import sympy

from symeq.commands.common import emit_json
from symeq.architectures.spec import parse_spec
from symeq.errors import InputError
from symeq.exact import number_to_string
from symeq.files import load_document
from symeq.architectures import network_from_dict
from symeq.architectures.mlp.model import MLP

HELP = "activation relations, latent groups K_i, functional dimension and hidden symmetries"
DESCRIPTION = __doc__

#: Widths accepted by --arch (the exact engine refuses larger networks anyway).
MAX_WIDTH = 512
MAX_DEPTH = 16
#: Parameters accepted by --arch (relu:100-100-1 has 10201 and takes seconds; 90601 took minutes).
MAX_ARCH_PARAMS = 20_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", nargs="?", help="network file (TOML or JSON, the symeq schema)")
    p.add_argument("--arch", metavar="ACT:d0-d1-...-dL",
                   help="an architecture instead of a file, e.g. tanh:2-3-1 or power:2:3-5-5-1")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seed of the random rational parameter (--arch) and of the sampled inputs")
    p.add_argument("--no-proofs", action="store_true",
                   help="skip the symbolic invariance proofs of the K_i generators")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _network(args: argparse.Namespace) -> tuple[MLP, list[str]]:
    from symeq.architectures.mlp.sampling import random_network

    notes: list[str] = []
    if (args.file is None) == (args.arch is None):
        raise InputError("give either FILE or --arch ACT:d0-...-dL (exactly one)")
    if args.arch is not None:
        spec = parse_spec(args.arch, catalog=False)
        act, widths = spec.activation, spec.widths
        if len(widths) > MAX_DEPTH + 1 or any(w > MAX_WIDTH for w in widths):
            raise InputError(f"--arch {args.arch!r}: widths must be 1..{MAX_WIDTH}, at most {MAX_DEPTH} layers")
        if spec.n_params > MAX_ARCH_PARAMS:
            raise InputError(f"--arch {args.arch!r} has {spec.n_params} parameters (limit {MAX_ARCH_PARAMS}): "
                             "building and analysing a random parameter of that size takes minutes")
        net = random_network(act, widths, seed=args.seed)
        notes.append(f"random rational parameter from seed {args.seed}")
        return net, notes
    doc = load_document(args.file)
    if "network" not in doc:
        raise InputError(f"{args.file}: no [network] table")
    net = network_from_dict(doc["network"])
    if net.symbols:
        rng = random.Random(args.seed)
        values = {s: sympy.Rational(rng.choice([p for p in range(-6, 7) if p]), rng.randint(1, 3))
                  for s in sorted(net.symbols, key=str)}
        net = net.subs(values)
        notes.append("symbolic parameters set to random rationals for the functional dimension: "
                     + ", ".join(f"{k} = {v}" for k, v in values.items()))
    return net, notes


def run(args: argparse.Namespace) -> int:
    from symeq.activations.relations import derive_relations
    from symeq.symmetry.functional_dimension import functional_dimension
    from symeq.architectures.mlp.latent_group import latent_groups
    from symeq.architectures.mlp.invariance import prove_invariance

    net, notes = _network(args)
    if net.architecture != "mlp":
        from symeq.commands.by_architecture import run_verb

        return run_verb(args, "symmetries", net, seed=args.seed, proofs=not args.no_proofs)
    rel = derive_relations(net.activation)
    groups = latent_groups(net)
    proofs = () if args.no_proofs else prove_invariance(net.activation, net.widths)
    fd = functional_dimension(net, seed=args.seed)
    settled = rel.complete and all(p.holds for p in proofs) and fd.status == "exact"
    if args.json:
        emit_json(_to_json(net, rel, groups, proofs, fd, notes))
    else:
        _print_text(net, rel, groups, proofs, fd, notes)
    return 0 if settled else 3


def _to_json(net, rel, groups, proofs, fd, notes) -> dict[str, Any]:
    layers = []
    for i, g in enumerate(groups, start=1):
        d = g.to_dict()
        d["layer"] = i
        d["proofs"] = [p.to_dict() for p in proofs if p.layer == i]
        layers.append(d)
    return {
        "network": {"activation": net.activation.spec, "widths": list(net.widths),
                    "parameters": [number_to_string(x) for x in net.parameters()]},
        "relations": rel.to_dict(),
        "latent_groups": layers,
        "functional_dimension": fd.to_dict(),
        "notes": notes,
    }


def _fmt(rel) -> str:
    return "(" + ", ".join(rel.as_strings().values()) + ")"


def _print_text(net, rel, groups, proofs, fd, notes) -> None:
    print(f"network: {net.activation.spec}, widths {'-'.join(map(str, net.widths))}, "
          f"{net.n_params} parameters")
    for n in notes:
        print(f"  note: {n}")
    print(f"activation: sigma(z) = {rel.sigma}")
    print(f"relations sigma(a z + c) = b sigma(z) + e: {rel.status} (method: {rel.method})")
    for f in rel.families:
        where = f" for {f.domain}" if f.params else ""
        print(f"  (a, c, b, e) = ({f.a}, {f.c}, {f.b}, {f.e}){where}")
    comps = rel.components if rel.components is not None else "infinitely many"
    print(f"  group: dimension {rel.dimension}, {comps} component(s); discrete generators: "
          + (", ".join(_fmt(g) for g in rel.generators) or "none"))
    if rel.lie_algebra:
        print("  Lie algebra (alpha, gamma, beta, eps): " + ", ".join(
            "(" + ", ".join(map(str, g)) + ")" for g in rel.lie_algebra))
    for fact in rel.established:
        print(f"  - {fact}")
    if rel.reason:
        print(f"  unknown: {rel.reason}")
    print("latent groups:")
    for i, g in enumerate(groups, start=1):
        comps = g.components if g.components is not None else "infinitely many"
        mine = [p for p in proofs if p.layer == i]
        proved = sum(p.holds for p in mine)
        status = (f"invariance proved for {proved}/{len(mine)} generators" if mine else
                  "invariance proofs skipped")
        print(f"  K_{i} (width {g.width}): {g.kind} -- {g.description}; dimension {g.dimension}, "
              f"components {comps} = {g.components_formula}; {status}")
        if not g.complete:
            print("    (the relations are not known completely: K_i contains at least this group)")
        for p in mine:
            if not p.holds:
                print(f"    NOT PROVED: {p.generator}" + (f" ({p.method})" if p.method.startswith("not attempted") else ""))
    print("functional dimension: "
          + (f"{fd.rank} ({fd.status})" if fd.rank is not None else f"in [{fd.lower}, {fd.upper}] ({fd.status})"))
    print(f"  #params {fd.n_params}, dim K {fd.dim_K}, K-orbit dimension {fd.orbit_dim}, "
          f"hidden symmetries {fd.hidden_symmetries if fd.hidden_symmetries is not None else 'unknown'}")
    print(f"  method: {fd.method}; {fd.n_inputs} inputs")
    for v, proof in zip(fd.hidden_directions, fd.hidden_proofs):
        nz = ", ".join(f"theta[{k}] {'+' if not str(x).startswith('-') else ''}{x}" for k, x in enumerate(v) if x != 0)
        if len(nz) > 240:
            nz = f"{sum(1 for x in v if x != 0)} nonzero entries (the full vector is in --json)"
        print(f"  hidden direction: {nz}")
        print(f"    proof: {proof}")
    for n in fd.notes:
        print(f"  note: {n}")
