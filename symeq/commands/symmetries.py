"""``symeq symmetries FILE | --arch ACT:d0-d1-...-dL``: parameter symmetries of an MLP.

Prints (docs/theory.md section 2):

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
from typing import Any
import random

import sympy

from symeq.commands.common import emit_json, integer
from symeq.architectures.spec import parse_spec
from symeq.errors import InputError
from symeq.verdict import Verdict
from symeq.api import read_network_document
from symeq.architectures import network_from_dict

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
    p.add_argument("--seed", type=integer, default=0, metavar="S",
                   help="seed of the random rational parameter (--arch) and of the sampled inputs")
    p.add_argument("--no-proofs", action="store_true",
                   help="skip the symbolic invariance proofs of the K_i generators")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _network(args: argparse.Namespace) -> tuple[Any, list[str]]:
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
    doc = read_network_document(args.file)
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
    import dataclasses

    from symeq.api import symmetries

    net, notes = _network(args)
    result = symmetries(net, seed=args.seed, proofs=not args.no_proofs)
    if notes:  # how --arch drew its random parameter
        result = dataclasses.replace(result, notes=tuple(notes) + tuple(result.notes))
    if args.json:
        emit_json(result.to_dict())
    else:
        print(result.text())
    return Verdict(result.verdict).exit_code
