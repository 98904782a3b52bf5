"""``symeq classify --arch ACT:d0-...-dL --group NAME_OR_FILE [--json] [--budget N]``.

Every latent action type of each hidden layer (homomorphisms G -> K_i up to conjugacy: (signed)
G-sets; for the identity activation, real representations as multisets of real irreducibles;
exact counts), every assignment of types to the layers with the dimension of its space
of layerwise-equivariant parameters and whether that space is degenerate (every parameter has a
vanishing layer, an inactive or a redundant neuron; for linear networks, weights that never
have full rank), and the smallest hidden width admitting a
non-degenerate layerwise-equivariant network.

For sin the types are signed G-sets and each assignment's space is a union of pieces (one
pre-activation lift and one pi-shifted bias component per hidden layer): the table shows the
number of pieces, the dimensions of the largest, and per block of each type its characters
chi_a (a lift is one per block) with their bias components; --json adds "pieces" and, per
hidden layer, the numbers of lifts and pieces and the blocks with their characters.

For the identity activation each real irreducible is shown with its exact matrices when they
were found (--json: "realization" with the generator matrices as exact strings, or null), each
layer space with the size of its explicit basis ("explicit_basis"), and each non-degenerate
assignment with an exact full-rank witness parameter ("witness": W_i and b_i per layer).

In --json each hidden layer lists its types under "types" with "count" beside it.  Exit 0 when
every assignment was examined, 3 when the budget cut the listing short (counts stay exact).
"""

from __future__ import annotations

import argparse
from math import prod
from typing import Any

from symeq.classification.classify import DEFAULT_ASSIGNMENT_BUDGET, classify

from symeq.classification.results import Classification
from symeq.architectures.spec import parse_spec
from symeq.classification.export import _real_json, to_json
from symeq.classification.results import KINDS
from symeq.commands.common import emit_json, integer
from symeq.errors import InputError
from symeq.groups import load_group
from symeq.groups.permutation import finite_group

DESCRIPTION = __doc__


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", required=True, metavar="ACT:d0-...-dL",
                   help="activation and widths, e.g. relu:2-4-2 or power:2:3-5-1 (split at the last colon)")
    p.add_argument("--group", required=True, metavar="NAME_OR_FILE",
                   help="catalog group (C8, D4, S3, D4:3x3, ... with /trivial for invariance) or a file "
                   "with a [group] table")
    p.add_argument("--budget", type=integer, default=DEFAULT_ASSIGNMENT_BUDGET, metavar="N",
                   help=f"largest number of assignments examined, by the listing and the smallest-width "
                   f"search together (default {DEFAULT_ASSIGNMENT_BUDGET})")
    p.add_argument("--max-width", type=integer, default=None, metavar="W",
                   help="search the smallest non-degenerate hidden width up to W (default: max(widest "
                   "hidden layer, |G|))")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _print_real_irreps(console: Any, C: Classification) -> None:
    from rich.table import Table

    from symeq.classification.real import type_label
    from symeq.groups.real_irreps import real_irreducibles

    data = _real_json(C)
    t = Table(title="real irreducible representations U (End_G(U) = R, C or H)")
    for head in ["U", "dim", "End_G", "from"] + data["classes"] + ["matrices"]:
        t.add_column(head, justify="right" if head not in ("U", "from", "matrices") else "left")
    for U in data["real_irreducibles"]:
        r = U["realization"]
        t.add_row(U["label"], str(U["dimension"]), U["algebra"], " + ".join(U["complex_characters"])
                  if U["algebra"] != "H" else f"2 {U['complex_characters'][0]}", *U["character"],
                  f"explicit (over {r['field']})" if r else "none found: Schur blocks only")
    console.print(t)
    irreps = real_irreducibles(C.group)
    m = data["boundary_multiplicities"]
    console.print(f"V_0 = {type_label(irreps, tuple(m['input'].values()))}, "
                  f"V_L = {type_label(irreps, tuple(m['output'].values()))}")


def _print_lifts(console: Any, C: Classification) -> None:
    """Kind "shift" (sin): per assignment and hidden layer, each part of the type with its
    characters chi_a (a lift is one choice per block) and their bias components."""
    from rich.table import Table

    t = Table(title="sin: pre-activation lifts per block (signs a) and their pi-shifted bias components")
    for head in ("types", "layer", "neurons", "block", "chi_a", "signs a", "components", "dim (W + b)",
                 "this block alone"):
        t.add_column(head, justify="right" if head in ("layer", "chi_a", "components") else "left")
    for a in C.assignments:
        for L in a.layer_spaces:
            for b in L.blocks:
                last = b.first + b.size * b.multiplicity - 1
                neurons = f"{b.first}-{last}" if last > b.first else str(b.first)
                block = b.label + (f" x {b.multiplicity}" if b.multiplicity > 1 else "")
                for c in b.choices:
                    signs = " ".join(f"{g}:" + "".join("+" if x > 0 else "-" for x in v)
                                     for g, v in zip(C.group.names, c.signs))
                    t.add_row(",".join(map(str, a.types)), str(L.layer), neurons, block, str(c.index), signs,
                              str(c.components), f"{c.weight_dim} + {c.bias_dim}" if c.components else "-",
                              c.status + (f": {c.reason}" if c.reason else ""))
    console.print(t)


def _print(C: Classification, arch: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    console.print(f"[bold]{arch}[/bold] under {C.group.catalog or 'the file group'} "
                  f"(order {C.group_order}); latent types: {KINDS[C.kind]}")
    if C.kind == "real":
        _print_real_irreps(console, C)
    for L in C.layers:
        t = Table(title=f"hidden layer {L.layer} (width {L.width}): {L.count} types")
        t.add_column("#", justify="right")
        t.add_column("type (multiset of real irreducibles)" if C.kind == "real"
                     else "type (multiset of transitive G-sets)")
        for ty in L.types:
            t.add_row(str(ty.index), ty.label)
        if not L.complete:
            t.add_row("...", f"listing passed the budget; the count {L.count} is exact")
        console.print(t)
    if C.assignments:
        t = Table(title=f"assignments: {len(C.assignments)} of {C.total_assignments} examined")
        t.add_column("types")
        t.add_column("dim", justify="right")
        real = C.kind == "real"
        t.add_column("per layer (W, b)" if real else "per layer")
        if real:
            t.add_column("Schur blocks of W_i")
        if C.kind == "shift":  # sin: dim and per layer are those of the largest piece
            t.add_column("pieces", justify="right")
        t.add_column("verdict")
        t.add_column("reason")
        for a in C.assignments:
            cells = [",".join(map(str, a.types)), str(a.dim)]
            if real:
                cells += [" ".join(f"({s.weight_dim}, {s.bias_dim})" for s in a.layer_spaces),
                          "; ".join(f"W_{s.layer}: {s.describe()}" for s in a.layer_spaces)]
            else:
                cells.append(" + ".join(map(str, a.layer_dims)))
            if C.kind == "shift":
                cells.append(str(prod(s.pieces for s in a.layer_spaces)) if a.layer_spaces else "?")
            t.add_row(*cells, a.degeneracy.status, a.degeneracy.reason)
        console.print(t)
    if C.kind == "shift" and C.assignments:
        _print_lifts(console, C)
    if not C.complete:
        console.print(f"[yellow]budget: {C.total_assignments} assignments exist, {len(C.assignments)} examined[/yellow]")
    if C.smallest is not None:
        s = C.smallest
        if s.status == "found":
            console.print(f"smallest hidden width with a non-degenerate layerwise-equivariant network: "
                          f"{s.width} (types: {'; '.join(s.labels)})")
        else:
            console.print(f"smallest non-degenerate hidden width: {s.status} ({s.reason})")


def run(args: argparse.Namespace) -> int:
    spec = parse_spec(args.arch, hidden=True)
    act, widths = spec.activation, spec.widths
    if args.budget < 1:
        raise InputError("--budget must be positive")
    group = load_group(args.group, widths[0], widths[-1])
    finite_group(group)
    if args.json or args.no_progress:
        C = classify(act, widths, group, budget=args.budget, max_width=args.max_width)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("assignments", total=None)
            scan = None

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            def tick_width(width: int, done: int, total: int) -> None:
                nonlocal scan
                if scan is None:
                    scan = bar.add_task("smallest width", total=None)
                bar.update(scan, description=f"smallest width: w = {width}", completed=done, total=total)

            C = classify(act, widths, group, budget=args.budget, max_width=args.max_width, progress=tick,
                         width_progress=tick_width)
    if args.json:
        emit_json(to_json(C, args.arch))
    else:
        _print(C, args.arch)
    return 0 if C.complete else 3
