"""``symeq latent`` for convolutional networks: the theorem's construction with the
generalized adjunction (docs/theory.md#5-the-theorem-constructively and
#70-one-frame-for-every-architecture), run by the generic analysis
(:func:`symeq.construction.analysis.analyze`) on the protocol:

1. :func:`~symeq.construction.construct.construct`: theta^g (every layer's filters moved by g) and
   k_i(g) in K_i layer by layer (channel matching with relations and translations).
2. :func:`~symeq.construction.stabilizer.stabilizer`: Stab(theta) in K, by matching theta against
   itself; trivial means k(g) is unique.
3. :func:`~symeq.construction.homomorphism.check_homomorphism`: the closure of the pairs
   (k_i(g), g) in K_i x| G, with the grid action s(g) conjugating K_i (it rotates the
   translations): rho_i = s o k_i is a homomorphism exactly when k_i is a crossed
   homomorphism, k(gh) = (s(h)^{-1} k(g) s(h)) k(h).  With a nontrivial stabilizer the cosets
   k(g) Stab(theta) are searched for a crossed homomorphism.
4. What each hidden layer carries (:func:`layer_structure`): the orbits of channels under the
   permutation part, per channel the stabilizer in G with its signs and translations, and the
   exact character of rho_i on V_i = R^{C_i x Omega} decomposed into irreducibles.
5. No action: the weak construction at beta(theta~) (:mod:`.reduce`: unread, constant and
   related channels removed, zero channels in their place), then ``check``
   and ``identify`` say why (a witness when f is not equivariant).

This module adds what is particular to convolutions: the layer report (:func:`layer_structure`,
asked through ``net.layer_structure``), rho_i on every element (:func:`element_maps`), and the
places where k(g) k(g) is not k(g g) (:meth:`ConvLatentResult.cocycle_examples`).

>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> r = latent(net, G)
>>> r.verdict, r.homomorphism.crossed, r.actions.generator("m")[0].describe()
('holds', True, 'channel 0 shifted by 5')
>>> r.cocycle_examples()
['layer 1: k(m) k(m) = channel 0 shifted by 4 is not the identity, yet k(m m) = (s(m)^-1 k(m) s(m)) k(m) = identity']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from symeq.architectures.conv.affine import ConvAffineMap
from symeq.architectures.conv.group import ConvGroupAction
from symeq.architectures.conv.latent_group import ChannelMap
from symeq.architectures.conv.model import ConvNet
from symeq.errors import InputError
from symeq.groups.characters import character_table
from symeq.groups.classes import conjugacy_classes
from symeq.groups.permutation import FiniteGroup, finite_group
from symeq.construction.construct import LatentActions

__all__ = ["ConvLatentResult", "ChannelOrbit", "ConvLayerStructure", "latent", "element_maps", "layer_structure"]


@dataclass(frozen=True)
class ChannelOrbit:
    """One orbit of channels under the permutation part of k_i: its channels, the stabilizer
    H of the first (element numbers), and for each h in H the sign b and translation t with
    which k_i(h) maps the channel to itself."""

    channels: tuple[int, ...]
    stabilizer: tuple[int, ...]
    signs: tuple[Any, ...]
    shifts: tuple[tuple[int, ...], ...]

    @property
    def type(self) -> str:
        """``fixed``, ``self-negated``, ``self-translated`` (some element fixes the channel
        with a nonzero translation), or ``moved`` (the orbit has several channels)."""
        if len(self.channels) > 1:
            return "moved"
        if any(s != 1 for s in self.signs):
            return "self-negated"
        if any(any(t) for t in self.shifts):
            return "self-translated"
        return "fixed"


@dataclass(frozen=True)
class ConvLayerStructure:
    """What hidden layer ``layer`` carries: channel orbits and the character of rho_i."""

    layer: int
    channels: int
    width: int
    orbits: tuple[ChannelOrbit, ...]
    character: tuple[sympy.Expr, ...]
    class_names: tuple[str, ...]
    multiplicities: tuple[int, ...]
    degrees: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``, in the generic analysis's keys (an orbit's ``neurons`` are
        channels here; ``width`` is dim V_i)."""
        kinds = [o.type for o in self.orbits]
        return {"layer": self.layer, "width": self.width, "label": f"{self.channels} channel{'s' if self.channels != 1 else ''}, "
                f"dim V_{self.layer} = {self.width}", "kind": "channel" if self.orbits else "affine",
                "orbits": [{"neurons": list(o.channels), "type": o.type, "gset": f"stabilizer of order {len(o.stabilizer)}",
                            "stabilizer_order": len(o.stabilizer), "negated": []} for o in self.orbits],
                "type_counts": {t: kinds.count(t) for t in dict.fromkeys(kinds)},
                "classes": list(self.class_names), "character": [str(v) for v in self.character],
                "multiplicities": list(self.multiplicities), "degrees": list(self.degrees),
                "diagonal": None, "affine_shift": False}


@dataclass(frozen=True)
class ConvLatentResult:
    """The generic analysis (:func:`symeq.construction.analysis.analyze`) of a convolutional network
    (``result``), with the cocycle and a text report for the command line."""

    result: Any

    def __getattr__(self, name: str) -> Any:  # verdict, summary, actions, stabilizer, ...
        if name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)

    @property
    def exit_code(self) -> int:
        """0 holds, 1 fails, 3 unknown."""
        return self.result.exit_code

    @property
    def reason(self) -> str:
        """The summary (the Result protocol's reason)."""
        return self.result.summary

    def certificate(self) -> dict[str, Any] | None:
        """``latent_actions`` (holds) or check's ``not_equivariant`` (fails)."""
        from symeq.architectures.conv.certificate import latent_certificate

        return latent_certificate(self)

    def text(self) -> str:
        """The text report."""
        return "\n".join(self.lines())

    def cocycle_examples(self) -> list[str]:
        """Where k(g) k(g) differs from k(g g) (:func:`cocycle_examples`)."""
        return [] if self.actions is None else cocycle_examples(self.network, self.group, self.actions)

    def lines(self) -> list[str]:
        """The text report of ``symeq latent``."""
        out = [f"verdict: {self.verdict}", f"summary: {self.summary}"]
        out.extend(f"note: {n}" for n in self.notes)
        weak = self.where == "beta(theta~)" and self.weak is not None
        if weak:  # the channels theta~ lost, which are zero channels of beta(theta~)
            out.extend(f"reduction: {s.describe()}" for s in self.weak.reduction.steps)
        if self.actions is not None:
            for g in self.actions.names:
                out.append(f"s({g}) = {self.group.grid_map(g).describe()} on every hidden layer")
                for i, k in enumerate(self.actions.generator(g), start=1):
                    out.append(f"  k_{i}({g}): {k.describe()}")
        if self.stabilizer is not None:
            st = self.stabilizer
            extra = f" ({st.criterion or st.reason})" if (st.criterion or st.reason) else ""
            out.append(f"uniqueness: Stab(theta{'~' if weak else ''}) {st.status}{extra}")
        if self.homomorphism is not None:
            what = "crossed homomorphism" if self.homomorphism.crossed else "homomorphism"
            out.append(f"{what}: the pairs (k_i(g), g) close up to |G| = {self.homomorphism.order} elements "
                       f"on every layer: {'yes' if self.homomorphism.holds else 'no'}")
        out.extend(f"cocycle: {c}" for c in self.cocycle_examples())
        for s in self.structure:
            out.append(f"layer {s.layer} ({s.channels} channel{'s' if s.channels != 1 else ''}):")
            for o in s.orbits:
                out.append(f"  channel orbit {list(o.channels)}: {o.type}, stabilizer of order {len(o.stabilizer)}")
            pairs = ", ".join(f"{c}: {v}" for c, v in zip(s.class_names, s.character))
            out.append(f"  character of rho_{s.layer} on the classes: {pairs}")
            terms = [f"{m} X.{k + 1} (degree {d})" for k, (m, d) in enumerate(zip(s.multiplicities, s.degrees)) if m]
            out.append(f"  decomposition: {' + '.join(terms) if terms else '0'}")
        if self.check is not None and self.check.witness is not None:
            from symeq.architectures.conv.equivariance import describe_witness

            out.append(f"witness: {describe_witness(self.check.witness)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq latent --json``: the generic analysis's, with the grid maps
        and the cocycle."""
        out = self.result.to_dict()
        out["architecture"] = "conv"
        return out


def latent_report(net: ConvNet, group: ConvGroupAction, actions: LatentActions) -> dict[str, Any]:
    """The facts the generic report adds for convolutions: the grid map of every generator and
    the layers where k(g) k(g) is not k(g g) (:meth:`ConvLatentResult.cocycle_examples`)."""
    return {"structural": {n: group.grid_map(n).describe() for n in group.names},
            "cocycle": cocycle_examples(net, group, actions)}


def cocycle_examples(net: ConvNet, group: ConvGroupAction, actions: LatentActions) -> list[str]:
    """For every generator g and hidden layer where k(g) k(g) differs from k(g g): the plain
    product next to the crossed law that holds instead."""
    out: list[str] = []
    G = finite_group(group)
    maps = element_maps(net, group, actions, G)
    for name, gen in zip(G.names, G.generators):
        square = G.mul(gen, gen)
        for i, k in enumerate(actions.generator(name), start=1):
            plain, crossed = k @ k, maps[i - 1][square]
            if not plain.acts_equal(crossed):
                out.append(f"layer {i}: k({name}) k({name}) = {plain.describe()} is not "
                           f"{'the identity' if crossed.is_identity() else crossed.describe()}, yet "
                           f"k({name} {name}) = (s({name})^-1 k({name}) s({name})) k({name}) = {crossed.describe()}")
    return out


# -- rho_i on every element --------------------------------------------------------------------


def element_maps(net: ConvNet, group: ConvGroupAction, actions: LatentActions,
                 G: FiniteGroup | None = None) -> list[list[ChannelMap]]:
    """k_i(a) for every hidden layer i and element a of G, along the Cayley graph with the
    crossed law k(h g) = (s(g)^{-1} k(h) s(g)) k(g) (a crossed homomorphism is assumed)."""
    G = G or finite_group(group)
    out = []
    for i in range(1, actions.hidden_layers + 1):
        gens = actions.layer(i)
        K = net.latent_group(i)
        maps: list[ChannelMap | None] = [None] * G.order
        maps[0] = K.identity()
        for a in sorted(range(G.order), key=lambda a: len(G.words[a])):
            w = G.words[a]
            if not w:
                continue
            parent = G.product([G.generators[k] for k in w[:-1]])
            name = G.names[w[-1]]
            s = group.grid_map(name)
            prev = maps[parent]
            assert prev is not None
            maps[a] = K.conjugate(s.inverse(), prev) @ gens[name]
        out.append(maps)  # type: ignore[arg-type]
    return out


def _grid_part(G: FiniteGroup, a: int) -> Any:
    return G.element(a)[0]


def layer_structure(net: ConvNet, group: ConvGroupAction, actions: LatentActions) -> tuple[ConvLayerStructure, ...]:
    """Channel orbits and the character of rho_i = s o k_i for every hidden layer."""
    G = finite_group(group)
    classes = conjugacy_classes(G)
    table = character_table(G)
    all_maps = element_maps(net, group, actions, G)
    grid = net.grid
    out = []
    for i, maps in enumerate(all_maps, start=1):
        C = net.channels[i]
        affine = isinstance(maps[0], ConvAffineMap)
        # orbits of channels under the permutation parts (an affine map mixes channels: none)
        seen: set[int] = set(range(C)) if affine else set()
        orbits = []
        for c in range(C):
            if c in seen:
                continue
            orb = sorted({maps[a].perm[c] for a in range(G.order)})
            seen.update(orb)
            H = tuple(a for a in range(G.order) if maps[a].perm[c] == c)
            orbits.append(ChannelOrbit(tuple(orb), H, tuple(maps[a].relations[c].b for a in H),
                                       tuple(maps[a].shifts[c] for a in H)))
        # character: rho(a) = s(a) o k(a) fixes coordinate (c, p) when pi(c) = c and
        # s(a)(p + t_c) = p; its trace adds b_c there
        char = []
        for cl in classes:
            a = cl.representative
            k, s = maps[a], _grid_part(G, a)
            if affine:
                char.append(sympy.nsimplify(k.trace_with(s)))
                continue
            perm = s.permutation
            total = sympy.Integer(0)
            for c in range(C):
                if k.perm[c] != c:
                    continue
                moved = grid.shift_table(grid.neg(k.shifts[c]))  # index(p + t_c)
                fixed = int((perm[moved] == range(grid.size)).sum())
                total += k.relations[c].b * fixed
            char.append(sympy.nsimplify(total))
        mult = table.decompose(tuple(char))
        out.append(ConvLayerStructure(i, C, C * grid.size, tuple(orbits), tuple(char),
                                      tuple(cl.name for cl in classes), mult, table.degrees()))
    return tuple(out)


# -- the verb -----------------------------------------------------------------------------------


def latent(net: ConvNet, group: ConvGroupAction, budget: int = 20_000, structure: bool = True,
           consult: bool = True) -> ConvLatentResult:
    """The theorem's construction on a convolutional network: the generic analysis (see the
    module docstring)."""
    from symeq.construction.analysis import analyze

    if not isinstance(group, ConvGroupAction):
        raise InputError("a convolutional network needs a convolutional group (grid maps on every layer)")
    return ConvLatentResult(analyze(net, group, budget=budget, structure=structure, consult=consult))
