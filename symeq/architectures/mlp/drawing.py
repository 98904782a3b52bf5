"""The figure of an MLP for ``symeq draw``: a :class:`~symeq.report.draw.DrawPlan` with the
neurons as units, the nonzero weights as edges, the orbits and arrows of the latent actions
(neuron matching, :func:`symeq.construction.construct.construct`), and the rows of W_1 as
filters of image inputs.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"], ["1", "1"],
...     ["1", "-1"]], [["1", "1", "0", "0"]]], "biases": [["0", "0", "0", "0"], ["0"]]})
>>> plan = plan_drawing(net, catalog_group("S2", 2, 1, output="trivial"))
>>> [(o.neurons, o.type) for o in plan.orbits]
[((0, 1), 'moved as copies'), ((2,), 'fixed'), ((3,), 'self-negated')]
>>> [(a.layer, a.source, a.target, a.negated) for a in plan.arrows]
[(0, 0, 1, False), (0, 1, 0, False), (1, 0, 1, False), (1, 1, 0, False), (1, 3, 3, True)]
"""

from __future__ import annotations

from typing import Any

import sympy

from symeq.architectures.mlp.model import MLP
from symeq.errors import InputError
from symeq.exact import Matrix, is_exact_zero
from symeq.groups import GroupAction
from symeq.report.draw import MAX_NEURONS, Arrow, DrawPlan, NeuronOrbit, group_label, orbits_from_signed_perms

__all__ = ["plan_drawing"]


def _signed_perm(m: Matrix) -> list[tuple[int, int]] | None:
    """Column j -> (row of its one nonzero entry, sign of it), or None if m is not monomial."""
    n = m.rows
    out: list[tuple[int, int]] = []
    rows_used: set[int] = set()
    for j in range(n):
        nz = [i for i in range(n) if not is_exact_zero(sympy.sympify(m[i, j]))]
        if len(nz) != 1 or nz[0] in rows_used:
            return None
        i = nz[0]
        rows_used.add(i)
        out.append((i, -1 if _negative(m[i, j]) else 1))
    return out


def _negative(x: Any) -> bool:
    x = sympy.sympify(x)
    if x.is_Rational:
        return bool(x < 0)
    return bool(x.is_negative)  # symbolic scales of unknown sign are drawn as positive


def _map_signed_perm(k: Any, side: str = "b") -> list[tuple[int, int]] | None:
    """The signed permutation of a latent map (matching's MonomialAction or latent's LatentMap).

    Monomial maps are read from their permutation and relations, without building a matrix:
    ``side="b"`` takes the sign of the output scale b_j (how the map moves the neuron's value),
    ``side="a"`` the sign of the input scale a_j (how it moves the neuron's incoming row, the
    filter).  For tanh the two agree; for z^2, a = -1 comes with b = +1."""
    perm = getattr(k, "perm", ())
    rels = getattr(k, "relations", ())
    if perm and rels:
        return [(p, -1 if _negative(getattr(r, side)) else 1) for p, r in zip(perm, rels)]
    return _signed_perm(k.matrix())


# -- latent actions -----------------------------------------------------------------------------


def _latent_maps(net: MLP, group: GroupAction) -> tuple[dict[str, tuple[Any, ...]] | None, str]:
    """{generator: (rho_1(g), ..., rho_{L-1}(g))} or None with the reason."""
    from symeq.architectures.mlp.equivariance import match_layerwise

    m = match_layerwise(net, group)
    if m.found:
        return {g: m.action(g) for g in group.names}, ""
    reason = m.failure.message if m.failure is not None else "no layerwise action"
    if m.failure is not None and m.failure.definitive:
        return None, reason
    try:  # duplicate neurons left matching ambiguous: the exhaustive construction decides
        from symeq.construction.construct import construct
        c = construct(net, group)
    except Exception as exc:  # noqa: BLE001 - a fallback; its failure leaves matching's reason
        if isinstance(exc, InputError):
            raise
        return None, reason
    if c.actions is None:
        return None, c.reason or reason
    return {g: c.actions.generator(g) for g in group.names}, ""


# -- image shapes ---------------------------------------------------------------------------------


def _edges(net: MLP) -> tuple[tuple[tuple[int, int, float], ...], ...]:
    out = []
    for w in net.weights:
        entries = []
        for i in range(w.rows):
            for j in range(w.cols):
                x = w[i, j]
                if x == 0 or (not x.is_Rational and is_exact_zero(x)):
                    continue
                entries.append((j, i, abs(float(x)) if not x.free_symbols else None))
        top = max((s for _, _, s in entries if s is not None), default=1.0) or 1.0
        out.append(tuple((j, i, 1.0 if s is None else s / top) for j, i, s in entries))
    return tuple(out)


def plan_drawing(net: MLP, group: GroupAction | None, generator: str | None = None,
                 image_shape: tuple[int, int] | None = None) -> DrawPlan:
    """Plan the figure of ``net`` under ``group`` (None: no group, no orbits).

    ``generator`` picks the latent action drawn as arrows (default: the group's first).
    ``image_shape`` (h, w) with h * w = d_0 adds the filter panel.

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> plan = plan_drawing(net, catalog_group("S2", 2, 1, output="trivial"))
    >>> plan.has_action, plan.notes[0][:45]
    (False, 'no latent action at theta: generator t, layer')
    """
    widths = net.widths
    if sum(widths) > MAX_NEURONS:
        raise InputError(f"the network has {sum(widths)} neurons; symeq draw draws at most {MAX_NEURONS}")
    if image_shape is not None and image_shape[0] * image_shape[1] != widths[0]:
        raise InputError(f"image shape {image_shape[0]}x{image_shape[1]} has {image_shape[0] * image_shape[1]} "
                         f"pixels, but the network has {widths[0]} inputs")
    if group is not None and generator is not None and generator not in group.names:
        raise InputError(f"unknown generator {generator!r}; the group has {', '.join(group.names)}")
    if group is None and generator is not None:
        raise InputError("--generator needs a group (a [group] table or --group)")
    notes: list[str] = []
    orbits: list[NeuronOrbit] = []
    arrows: list[Arrow] = []
    gen = None
    maps = None
    if group is None:
        notes.append("no group given: neurons are not coloured by orbit")
    else:
        gen = generator or group.names[0]
        maps, reason = _latent_maps(net, group)
        if maps is None:
            notes.append(f"no latent action at theta: {reason}; neurons are not coloured "
                         "(symeq latent and symeq draw --theorem-parameter show the theorem's parameter choice, "
                         "if there is one)")
    if maps is not None and group is not None and gen is not None:
        L = len(widths) - 1
        # input and output layers: the group's own matrices, when they permute coordinates
        rho0, rhoL = group.generator(gen)
        mixing = []
        for layer, m, name in ((0, rho0, f"input (rho_0({gen}))"), (L, rhoL, f"output (rho_L({gen}))")):
            sp = _signed_perm(m)
            if sp is not None:
                arrows.extend(Arrow(layer, j, t, s < 0) for j, (t, s) in enumerate(sp) if (t, s) != (j, 1))
            else:  # a coordinate goes to a combination of coordinates: no arrow says that
                mixing.append(name)
        if mixing:
            notes.append(f"{' and '.join(mixing)}: not a signed permutation matrix, it mixes coordinates, "
                         "so no arrows are drawn there (symeq explain prints the matrix)")
        for i in range(1, L):
            per_gen = [_map_signed_perm(maps[g][i - 1]) for g in group.names]
            if any(sp is None for sp in per_gen):
                notes.append(f"layer {i}: the latent action is not a monomial matrix "
                             "(see symeq latent for its matrices); no orbits or arrows drawn")
                continue
            for neurons, kind in orbits_from_signed_perms(widths[i], per_gen):  # type: ignore[arg-type]
                orbits.append(NeuronOrbit(i, neurons, kind))
            sp = per_gen[group.names.index(gen)]
            assert sp is not None
            arrows.extend(Arrow(i, j, t, s < 0) for j, (t, s) in enumerate(sp) if (t, s) != (j, 1))
        if L == 1:
            notes.append("no hidden layer: nothing to colour")
    filters: tuple[tuple[float, ...], ...] = ()
    filter_orbits: list[NeuronOrbit] = []
    if maps is not None and group is not None and image_shape is not None and len(widths) > 2:
        per_gen = [_map_signed_perm(maps[g][0], "a") for g in group.names]
        if all(sp is not None for sp in per_gen):
            filter_orbits = [NeuronOrbit(1, n, t) for n, t in orbits_from_signed_perms(widths[1], per_gen)]  # type: ignore[arg-type]
    if image_shape is not None:
        w1 = net.weights[0]
        if w1.free_symbols:
            notes.append("W_1 has symbolic entries: no filter panel")
            image_shape = None
        else:
            filters = tuple(tuple(float(w1[r, c]) for c in range(w1.cols)) for r in range(w1.rows))
    order = group.order() if group is not None else 0
    return DrawPlan(widths, net.activation.spec, group_label(group), gen, _edges(net), tuple(orbits),
                    tuple(arrows), maps is not None, tuple(notes), image_shape, filters, tuple(filter_orbits),
                    order)
