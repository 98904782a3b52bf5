"""``symeq explain`` for convolutional networks: the construction with the generalized
adjunction, step by step, and the cocycle it produces (Markdown or LaTeX).

The steps (docs/theory.md#70-one-frame-for-every-architecture and #72-circular-convolutions): the grid action s(g) on every layer; theta^g, every filter
read through the linear part of g; the channel matching, each k_i(g) a channel permutation with
a relation and a translation per channel; the latent action rho_i(g) = s(g) o k_i(g) written as
a map of positions per channel; and why k_i is a *crossed* homomorphism: the closure of the
pairs (k_i(g), g) in K_i x| G element by element, with the products k(g) k(g) that are not
k(g g) next to the crossed law that holds.  When the action exists only at beta(theta~) (degenerate
channels reduced, :mod:`.reduce`), the matching is shown there.

>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> text = explain(net, G)
>>> "$\\\\rho_1(m)$ moves position p of channel 0 to channel 0, position -p + 1" in text
True
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.conv.group import ConvGroupAction
from symeq.architectures.conv.grid import GridMap
from symeq.architectures.conv.construction import ConvLatentResult, element_maps, latent
from symeq.architectures.conv.model import ConvNet
from symeq.exact import number_to_string
from symeq.groups.permutation import finite_group
from symeq.report.document import Document

__all__ = ["explain", "rho_map"]

#: Filters longer than this are summarized, not printed.
MAX_PRINTED = 36


def rho_map(group: ConvGroupAction, g: str, k: Any, c: int) -> tuple[int, GridMap]:
    """rho(g) = s(g) o k on channel c: (target channel, the map of positions p -> g(p + t_c))."""
    s = group.grid_map(g)
    t = k.shifts[c]
    return k.perm[c], s @ GridMap.translation(s.grid, t)


def _filter_text(net: ConvNet, values: Any) -> str:
    vals = [number_to_string(v) for v in values]
    if len(vals) > MAX_PRINTED:
        return f"[{' '.join(vals[:MAX_PRINTED])} ...] ({len(vals)} values)"
    if net.grid.dim == 2:
        n2 = net.grid.shape[1]
        return "[" + "; ".join(" ".join(vals[r * n2:(r + 1) * n2]) for r in range(net.grid.shape[0])) + "]"
    return "[" + " ".join(vals) + "]"


def explain(net: ConvNet, group: ConvGroupAction, fmt: str = "markdown",
            result: ConvLatentResult | None = None, budget: int = 20_000) -> str:
    """The construction on ``net`` and ``group`` for teaching (see the module docstring)."""
    res = result if result is not None else latent(net, group, budget)
    if not isinstance(res, ConvLatentResult):  # the generic analysis (symeq.api.latent)
        res = ConvLatentResult(res)
    doc = Document(fmt)
    grid = net.grid
    doc.heading("1. The network")
    doc.para(f"A circular convolutional network on the grid {grid.describe()} with channels "
             f"{'-'.join(map(str, net.channels))}, activation {net.activation.spec}"
             + (", dense readout" if net.readout == "dense" else "") + ". Layer i computes "
             "$f_i(x)_c = sigma(sum_c' w_cc' * x_c' + beta_c)$ with $(w * x)(p) = sum_q w(q) x(p - q)$; "
             "filters are listed with offset 0 first" + (" (rows of the grid)" if grid.dim == 2 else "") + ".")
    rows = []
    for i, L in enumerate(net.layers, start=1):
        w, b = L.values()
        if net.is_dense(i):
            rows.append([str(i), "dense readout", f"{w.shape[0]} x {w.shape[1]}", ""])
            continue
        for c in range(w.shape[0]):
            for c2 in range(w.shape[1]):
                rows.append([str(i), f"{c2} -> {c}", _filter_text(net, w[c, c2]), number_to_string(b[c]) if c2 == 0 else ""])
    doc.table(["layer", "channels", "filter", "bias"], rows)
    doc.heading("2. The group on every layer")
    items = []
    for g in group.names:
        r_in, r_out = group.channel_matrices(g)
        extra = ""
        if r_in is not None:
            extra += f"; on input channels by the matrix {r_in.tolist()}"
        if r_out is not None:
            extra += f"; on output channels by the inverse of {r_out.inv().tolist()}"
        items.append(f"{g}: the grid map {group.grid_map(g).describe()}, acting on every layer by "
                     f"$(s({g}) x)_c(p) = x_c({g}^-1 p)$" + extra)
    doc.bullets(items)
    doc.para("The generalized adjunction: a convolution commutes with the grid map up to moving its filter, "
             "$s(g)^-1 f_i(s(g) x; w) = f_i(x; w o A)$, with A the linear part of g (translations do not "
             "move filters). So theta^g, the parameter with $f( . ; theta^g) = rho_L(g)^-1 o f( . ; theta) o "
             "rho_0(g)$, reads *every* layer's filters through A.")
    doc.heading("3. theta^g and the " + ("forced affine maps" if net.activation.kind == "affine" else "channel matching"))
    if res.construction is None or res.actions is None:
        doc.para(f"No latent action: {res.summary}")
        return doc.render("The construction on a convolutional network")
    if res.where == "beta(theta~)":  # the actions act on the reduced network padded with zero channels
        steps = "; ".join(s.describe() for s in res.weak.reduction.steps)
        doc.para("There is no layerwise action at theta itself. The theorem's parameter choice is beta(theta~): "
                 f"the reduction gives the submodel theta~ ({steps}), and beta pads it back with zero channels "
                 "(zero filters in and out, zero bias), which computes the same function. Below, theta stands "
                 "for beta(theta~).")
        net = res.acting
    affine = net.activation.kind == "affine"
    for g in group.names:
        other = net.twist(group, g)
        doc.para(f"Generator {g}: layer by layer, a latent element $k_i({g})$ of K_i relates theta^{g} to "
                 f"theta, $f_i( . ; theta^{g}_i) = k_i({g}) o f_i( . ; theta_i) o k_{{i-1}}({g})^{{-1}}$; each "
                 + ("is an invertible matrix of convolutions A with a constant shift t per channel, "
                    "$k(v)_c = sum_{c'} a_{c c'} * v_{c'} + t_c$, forced by $A_i W_i = W'_i A_{i-1}$ because W_i has full "
                    "row rank." if affine else
                    "is a channel permutation with a relation of the activation and a translation per channel."))
        lines = []
        for i, k in enumerate(res.actions.generator(g), start=1):
            lines.append(f"layer {i}: k_{i}({g}) = {k.describe()}")
            if affine:
                continue
            w_other, _ = other.layers[i - 1].values()
            w_own, _ = net.layers[i - 1].values()
            for c in range(min(k.channels, 3)):
                d = k.perm[c]
                lines.append(f"  channel {d} of theta^{g} (filters from input channel 0): "
                             f"{_filter_text(net, w_other[d, 0])}; channel {c} of theta: "
                             f"{_filter_text(net, w_own[c, 0])}")
        doc.bullets(lines)
    doc.heading("4. The latent action rho_i(g) = s(g) o k_i(g)")
    items = []
    for g in group.names:
        for i, k in enumerate(res.actions.generator(g), start=1):
            if affine:
                items.append(f"rho_{i}({g}) = s({g}) o k_{i}({g}): first $v -> A v + t$ with {k.describe()}, then "
                             f"positions moved by {group.grid_map(g).describe()}")
                continue
            for c in range(k.channels):
                target, m = rho_map(group, g, k, c)
                sign = "" if k.relations[c].b == 1 else f", scaled by {number_to_string(k.relations[c].b)}"
                items.append(f"rho_{i}({g}) moves position p of channel {c} to channel {target}, position "
                             f"{m.describe()[len('p -> '):]}{sign}")
    doc.bullets(items)
    doc.heading("5. Why k_i is a crossed homomorphism")
    doc.para("$rho_i = s o k_i$ is a homomorphism exactly when $k_i(gh) = (s(h)^-1 k_i(g) s(h)) k_i(h)$, "
             "because $s(g) k(g) s(h) k(h) = s(g) s(h) (s(h)^-1 k(g) s(h)) k(h)$. The grid map normalizes "
             + ("K_i: conjugating by s(h) reads every filter of A through the linear part of h and keeps the "
                "shifts. So $k_i$ need not be a homomorphism: the filters carry a cocycle." if affine else
                "K_i: conjugating by s(h) keeps the channel permutation and the relations and moves each "
                "translation t to $A^-1 t$. So $k_i$ need not be a homomorphism: the translations carry a cocycle."))
    for text in res.cocycle_examples():
        doc.para(text)
    G = finite_group(group)
    maps = element_maps(net, group, res.actions, G)
    rows = []
    for a in range(G.order):
        word = G.word(a) or "e"
        rows.append([word, G.element(a)[0].describe()]
                    + [maps[i][a].describe() for i in range(len(maps))])
    doc.table(["element", "s(element)"] + [f"k_{i + 1}(element)" for i in range(len(maps))], rows)
    hc = res.homomorphism
    if hc is not None:
        doc.para(f"Carried along the Cayley graph with the crossed law, the pairs $(k_i(g), g)$ give one element of "
                 f"K_i for each of the |G| = {hc.order} elements: " + ("a crossed homomorphism on every layer."
                                                                   if hc.holds else "not consistent."))
    if res.stabilizer is not None:
        doc.para(f"Uniqueness: Stab(theta) is {res.stabilizer.status}"
                 + (": k(g) is the only latent element relating theta^g to theta." if res.stabilizer.trivial else "."))
    if res.structure:
        doc.heading("6. What each hidden layer carries")
        for s in res.structure:
            orbit_text = "; ".join(f"channels {list(o.channels)}: {o.type}" for o in s.orbits) or \
                "an affine map mixes the channels"
            doc.para(f"Layer {s.layer}: {orbit_text}. Character of rho_{s.layer} on the conjugacy classes: "
                     + ", ".join(f"{c}: {number_to_string(v)}" for c, v in zip(s.class_names, s.character)) + ".")
    return doc.render("The construction on a convolutional network")
