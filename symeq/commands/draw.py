"""``symeq draw FILE --out PATH``: a picture of the network, its orbits and a latent action.

Draws the network as a layered graph: input on the left, output on the right, weights as grey
lines.  When the network has a layerwise latent action under the group (the [group] table of
FILE, or --group), hidden neurons are coloured by G-orbit, with a marker per orbit type
(circle: fixed, diamond: self-negated, square: moved as copies, triangle: moved as negated
copies), and the latent action of one generator (--generator, default the first) is drawn as
arrows inside each layer: solid where neuron j goes to p(j), dashed where it goes to -p(j); a
dashed ring marks a neuron sent to its own negative.

For image inputs (a catalog image group such as hmirror:3x3 or D4:3x3, a [draw] table with
image_shape = "HxW" in FILE, or --image-shape HxW) a second panel shows the first-layer filters
(rows of W_1 as H x W images, red positive, blue negative), one row per orbit, grouped by how
G moves the filters: fixed, self-negated, moved as copies, moved as negated copies (under a
mirror, the paper's self-mirrored, mirrored to its negative, mirrored copies, negated copies).
Filters are typed by the sign of the input scale a of each neuron's relation; for tanh it is
the neuron's own sign, for z^2 a filter mirrored to its negative is a fixed neuron.

Without a group, or when no latent action exists at theta, the network is drawn without
orbit colours and the figure says why.  With --theorem-parameter the figure shows the parameter
that the theorem's construction acts on (as `symeq latent` reports it): theta itself, or, for a
weakly identifiable theta without a latent action, beta(theta~) -- the reduced network padded
with zero neurons, which computes the same function.  PATH must end in .png or .svg; it is written
atomically.  Exit 0 when the figure is written, 2 on bad input.
"""

from __future__ import annotations

import argparse
import dataclasses

from symeq.commands.common import emit_json, load_inputs
from symeq.errors import InputError

DESCRIPTION = __doc__


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="network file (TOML or JSON, the symeq schema)")
    p.add_argument("--out", required=True, metavar="PATH", help="the figure to write (.png or .svg)")
    p.add_argument("--group", metavar="FILE_OR_NAME",
                   help="group acting on inputs and outputs (a file with a [group] table or a catalog "
                   "name such as C4, D4:3x3, hmirror:3x3/trivial). Default: the [group] table of FILE; "
                   "without one the network is drawn without orbits.")
    p.add_argument("--generator", metavar="NAME", help="the generator whose latent action is drawn "
                   "(default: the first)")
    p.add_argument("--image-shape", metavar="HxW", help="treat the d_0 inputs as H x W images "
                   "(default: from an image group or the [draw] table of FILE)")
    p.add_argument("--theorem-parameter", action="store_true",
                   help="draw the parameter the theorem's construction acts on: theta, or beta(theta~) "
                   "when theta has no latent action (as symeq latent reports)")
    p.add_argument("--json", action="store_true", help="print what was drawn as JSON")


def run(args: argparse.Namespace) -> int:
    from symeq.architectures import verb
    from symeq.report.draw import image_shape_of
    from symeq.report.draw_figure import FORMATS, render

    if not args.out.lower().endswith(FORMATS):
        raise InputError(f"--out {args.out!r} must end in .png or .svg")
    net, group, doc = load_inputs(args.file, args.group, need_group=False)
    if net.architecture != "mlp":
        if args.theorem_parameter or args.image_shape:
            raise InputError(f"--theorem-parameter and --image-shape are for MLPs; networks of architecture {net.architecture!r} "
                             "are drawn in their own terms (filters on the grid, heads as units)")
        from symeq.commands.by_architecture import run_verb

        return run_verb(args, "draw", net, group, args.out, generator=args.generator)
    extra: list[str] = []
    if args.theorem_parameter:
        net, extra = _theorem_parameter(net, group, args.file)
    plan = verb(net, "draw")(net, group, generator=args.generator,
                               image_shape=image_shape_of(group, doc, args.image_shape))
    if extra:
        plan = dataclasses.replace(plan, notes=tuple(extra) + plan.notes)
    render(plan, args.out)
    if args.json:
        out = plan.to_dict()
        out["out"] = args.out
        emit_json(out)
    else:
        print(f"wrote {args.out}")
        if plan.has_action:
            layers = sorted({o.layer for o in plan.orbits})
            for i in layers:
                orbits = [o for o in plan.orbits if o.layer == i]
                types = ", ".join(f"{sum(o.type == t for o in orbits)} {t}" for t in
                                  dict.fromkeys(o.type for o in orbits))
                print(f"layer {i}: {_count(len(orbits), 'orbit')} ({types})")
            print(f"arrows: the latent action of generator {plan.generator}")
        for note in plan.notes:
            print(f"note: {note}")
    return 0


def _count(n: int, noun: str) -> str:
    """``1 orbit``, ``2 orbits``.

    >>> _count(1, "orbit"), _count(3, "orbit")
    ('1 orbit', '3 orbits')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _theorem_parameter(net, group, source="the given network"):
    """(the network to draw, notes): beta(theta~) when the construction moved to it."""
    from symeq.construction.analysis import analyze

    if group is None:
        raise InputError("--theorem-parameter needs a group (a [group] table or --group)")
    result = analyze(net, group, structure=False, consult=False)
    if result.acting is None:
        return net, ["--theorem-parameter: the construction found no latent action at theta or at "
                     "beta(theta~); theta is drawn"]
    if result.where == "beta(theta~)":
        widths = "-".join(map(str, result.acting.widths))
        return result.acting, [f"drawn: beta(theta~), the reduced network padded with zero neurons "
                               f"(widths {widths}, the same function as {source})"]
    return net, []
