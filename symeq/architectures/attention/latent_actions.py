"""``symeq latent`` for attention networks: the theorem's construction (docs/theory.md sections 5, 7.0
and 7.1), on the generic stages.

1. theta^g and the head matching for every generator (:func:`symeq.construction.construct.construct`
   through the protocol): k_i(g) = (head permutation; A_h) in K_i = GL(v)^H x| S_H.
2. Uniqueness: Stab(theta), matching theta against itself (:mod:`symeq.construction.stabilizer`); by
   Lemmas A and B of :mod:`.matching` it is trivial when the effective score forms of each
   layer are pairwise distinct (lightning: not proportional, rank >= 2) and every effective
   value map has full column rank.
3. The closure of the pairs (k_i(g), g) in K_i x| G (:mod:`symeq.construction.homomorphism`): token
   permutations act on rows and K_i on columns, so they commute and rho_i(g) = P_g (x) k_i(g)
   is an ordinary homomorphism exactly when k_i is.
4. What each layer carries: the orbits of heads under the permutation parts, and the character
   of rho_i on V_i, chi_i(g) = (tokens fixed by P_g) * sum over heads fixed by k_i(g) of tr A_h,
   decomposed into irreducible characters.
5. When theta has no action: the submodel theta~ (:mod:`.reduce`, the same function without
   degenerate heads), the theorem's parameter choice, is tried; where that fails too, ``check`` (a witness that f is not equivariant, or unknown) and
   ``identify`` say why.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> from symeq.architectures.attention.group import group_from_dict
>>> net = attention_from_dict({"architecture": "attention", "tokens": 2, "widths": [2, 2],
...     "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...                           {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["3"], ["1"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}})
>>> G = group_from_dict({"generators": {"f": {"tokens": [1, 0], "input": [["0", "1"], ["1", "0"]]}}}, net)
>>> r = analyze(net, G)
>>> r.verdict, r.actions.generator("f")[0].describe(), r.stabilizer.status
('holds', 'heads (0 1)', 'trivial')
>>> [(o.heads, o.stabilizer_order) for o in r.structure[0].orbits], r.structure[0].character
([((0, 1), 1)], (4, 0))
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from symeq.architectures.attention.heads import HeadMap
from symeq.errors import BudgetExceeded, InputError
from symeq.groups.characters import character_table
from symeq.groups.classes import conjugacy_classes
from symeq.groups.permutation import finite_group
from symeq.construction.construct import Construction, LatentActions, construct
from symeq.construction.homomorphism import HomomorphismCheck, check_homomorphism, find_homomorphism
from symeq.construction.stabilizer import Stabilizer, stabilizer, stabilizer_text
from symeq.verdict import Verdict

__all__ = ["HeadOrbit", "HeadLayerStructure", "AttentionLatent", "analyze", "layer_structure"]


@dataclass(frozen=True)
class HeadOrbit:
    """An orbit of heads under the permutation parts of rho_i, with the order of the stabilizer
    of its first head."""

    heads: tuple[int, ...]
    stabilizer_order: int


@dataclass(frozen=True)
class HeadLayerStructure:
    """The representation rho_i of G on V_i: head orbits, character per conjugacy class (on all
    of V_i), the character of k_i alone (on one token's features), and the decomposition."""

    layer: int
    orbits: tuple[HeadOrbit, ...]
    class_names: tuple[str, ...]
    character: tuple[sympy.Expr, ...]
    token_character: tuple[sympy.Expr, ...]
    multiplicities: tuple[int, ...]
    degrees: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "orbits": [{"heads": list(o.heads), "stabilizer_order": o.stabilizer_order}
                                               for o in self.orbits],
                "classes": list(self.class_names), "character": [str(c) for c in self.character],
                "head_character": [str(c) for c in self.token_character],
                "multiplicities": list(self.multiplicities), "degrees": list(self.degrees)}


def _element_maps(G: Any, gens: dict[str, HeadMap]) -> list[HeadMap]:
    some = next(iter(gens.values()))
    out: list[Any] = [None] * G.order
    out[0] = HeadMap.identity(some.widths, some.blocks[0].domain)
    for a in sorted(range(G.order), key=lambda a: len(G.words[a])):
        w = G.words[a]
        if w:
            out[a] = out[G.product([G.generators[k] for k in w[:-1]])] @ gens[G.names[w[-1]]]
    return out


def layer_structure(net: Any, group: Any, actions: LatentActions, layer: int) -> HeadLayerStructure:
    """Step 4 of the module docstring for hidden layer ``layer``."""
    G = finite_group(group)
    maps = _element_maps(G, actions.layer(layer))
    H = len(maps[0].perm)
    seen: set[int] = set()
    orbits = []
    for h in range(H):
        if h in seen:
            continue
        orbit = sorted({m.perm[h] for m in maps})
        seen.update(orbit)
        stab = sum(1 for m in maps if m.perm[h] == h)
        orbits.append(HeadOrbit(tuple(orbit), stab))
    classes = conjugacy_classes(G)
    fixed = []
    for a in range(G.order):
        e = G.element(a)
        images = e.tokens.images if hasattr(e, "tokens") else tuple(range(net.tokens))
        fixed.append(sum(1 for j, p in enumerate(images) if j == p))
    token_char = tuple(sympy.nsimplify(maps[c.representative].trace()) for c in classes)
    char = tuple(sympy.expand(fixed[c.representative] * t) for c, t in zip(classes, token_char))
    table = character_table(G)
    return HeadLayerStructure(layer, tuple(orbits), tuple(c.name for c in classes), char, token_char,
                              table.decompose(char), table.degrees())


@dataclass(frozen=True)
class AttentionLatent:
    """Everything ``symeq latent`` reports for an attention network."""

    verdict: Verdict
    summary: str
    network: Any
    group: Any
    construction: Construction | None = None
    actions: LatentActions | None = None
    stabilizer: Stabilizer | None = None
    homomorphism: HomomorphismCheck | None = None
    structure: tuple[HeadLayerStructure, ...] = ()
    check: Any = None
    identify: Any = None
    notes: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)
    where: str = "theta"
    reduction: Any = None

    @property
    def acting(self) -> Any:
        """The network the actions act on: theta, or the submodel theta~."""
        return self.reduction.reduced if self.reduction is not None else self.network

    @property
    def reason(self) -> str:
        return self.summary

    @property
    def exit_code(self) -> int:
        return Verdict(self.verdict).exit_code

    def certificate(self) -> dict[str, Any] | None:
        """``latent_actions`` (holds; about theta~ when the actions live there) or
        ``not_equivariant`` (fails, check's witness)."""
        from symeq.architectures.attention.certificate import certificate

        if self.verdict == Verdict.HOLDS and self.actions is not None and self.homomorphism is not None:
            ev: dict[str, Any] = {"method": "layerwise_homomorphism", "actions": self.actions.to_dict(),
                                  "order": self.homomorphism.order}
            # at theta~ the certificate is about the submodel (check's reduction+layerwise certificate
            # proves that it computes theta's function)
            return certificate(self.acting, self.group, "latent_actions", ev, self.seconds)
        if self.verdict == Verdict.FAILS and self.check is not None:
            return self.check.certificate()
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": str(self.verdict), "summary": self.summary, "where": self.where,
                               "notes": list(self.notes), "seconds": round(self.seconds, 6), "method": "head matching"}
        if self.actions is not None:
            out["actions"] = self.actions.to_dict()
            out["actions_described"] = {n: [k.describe() for k in ks]
                                        for n, ks in zip(self.actions.names, self.actions.maps)}
        if self.stabilizer is not None:
            st = self.stabilizer
            out["uniqueness"] = {"status": st.status, "order": st.order, "reason": st.reason,
                                 "criterion": st.criterion, "unique": st.trivial}
        if self.homomorphism is not None:
            out["homomorphism"] = self.homomorphism.holds
            out["group_order"] = self.homomorphism.order
            out["crossed"] = self.homomorphism.crossed
        out["layers"] = [s.to_dict() for s in self.structure]
        if self.reduction is not None:
            out["reduction"] = self.reduction.to_dict()
        if self.check is not None:
            out["check"] = self.check.to_dict()
        if self.identify is not None:
            out["identifiability"] = {"verdict": str(self.identify.verdict), "basis": self.identify.basis}
        return out

    def text(self) -> str:
        lines = [f"verdict: {self.verdict}", f"summary: {self.summary}"]
        lines.extend(f"note: {n}" for n in self.notes)
        if self.reduction is not None:
            lines.extend(f"step {n}: {s.describe()}" for n, s in enumerate(self.reduction.steps, start=1))
        if self.actions is not None:
            for n, ks in zip(self.actions.names, self.actions.maps):
                for i, k in enumerate(ks, start=1):
                    lines.append(f"rho_{i}({n}) = P_{n} (x) k_{i}({n}), k_{i}({n}): {k.describe()}")
        if self.stabilizer is not None:
            lines.append(f"uniqueness: {stabilizer_text(self.stabilizer)}")
        if self.homomorphism is not None:
            lines.append(f"homomorphism: {self.homomorphism.describe()}")
        for s in self.structure:
            orbits = ", ".join(f"{{{' '.join(map(str, o.heads))}}}" for o in s.orbits)
            lines.append(f"layer {s.layer}: head orbits {orbits}")
            lines.append("  character on the classes: " + ", ".join(f"{c}: {v}" for c, v in zip(s.class_names, s.character)))
            terms = [f"{m} X.{k + 1} (degree {d})" for k, (m, d) in enumerate(zip(s.multiplicities, s.degrees)) if m]
            lines.append(f"  decomposition: {' + '.join(terms) if terms else '0'}")
        if self.check is not None and self.check.witness is not None:
            lines.append(f"witness: {self.check.witness.describe()}")
        return "\n".join(lines)


def analyze(net: Any, group: Any, budget: int = 20_000, structure: bool = True) -> AttentionLatent:
    """The construction for attention (see the module docstring)."""
    start = time.perf_counter()
    notes: list[str] = []

    def done(verdict: Verdict, summary: str, **kw: Any) -> AttentionLatent:
        return AttentionLatent(verdict, summary, net, group, notes=tuple(notes), seconds=time.perf_counter() - start, **kw)

    c = construct(net, group, budget, on_budget="failure", continuum="failure")
    if c.found:
        assert c.actions is not None
        stab = stabilizer(net, budget)
        hc = check_homomorphism(net, group, c.actions)
        acts = c.actions
        if not hc.holds and stab.status == "nontrivial":
            try:
                found = find_homomorphism(net, group, budget=budget)
            except BudgetExceeded as exc:
                found = None
                notes.append(f"searching a homomorphic choice in the cosets k(g) Stab(theta): {exc}")
            if found is not None:
                acts, hc = found, check_homomorphism(net, group, found)
                notes.append("the first per-generator choice is not a homomorphism; another element of the "
                             "coset k(g) Stab(theta) is")
        if hc.holds:
            if net.symbols:
                notes.append("the network has symbols: the head matching compared rational functions of them, so the "
                             "actions hold wherever their denominators are nonzero, and uniqueness for generic values "
                             "(where the score forms stay distinct and the value maps keep full column rank)")
            st: tuple[HeadLayerStructure, ...] = ()
            if structure:
                try:
                    st = tuple(layer_structure(net, group, acts, i) for i in range(1, net.depth))
                except (InputError, BudgetExceeded) as exc:
                    notes.append(f"layer structure not computed: {exc}")
            uniq = {"trivial": "unique (Stab(theta) is trivial)", "nontrivial": f"not unique (Stab(theta) has "
                    f"{stab.order} elements)", "infinite": "not unique (Stab(theta) is infinite)",
                    "unknown": "of undecided uniqueness"}[stab.status]
            return done(Verdict.HOLDS, f"latent actions rho_i(g) = P_g (x) k_i(g), k_i(g) in GL(v)^H x| S_H, make "
                        f"every layer equivariant; they are {uniq}; the pairs (k_i(g), g) close up in K_i x| G to "
                        f"exactly |G| = {hc.order} elements, so each rho_i is a homomorphism",
                        construction=c, actions=acts, stabilizer=stab, homomorphism=hc, structure=st)
        notes.append(f"the latent maps found are not a homomorphism: {hc.describe()}")
    reason = c.reason or "no homomorphic choice of latent maps at theta"
    from symeq.architectures.attention.reduce import reduce_heads

    red = reduce_heads(net)
    if red.changed:
        sub = analyze(red.reduced, group, budget, structure)
        if sub.verdict == Verdict.HOLDS:
            steps = "; ".join(s.describe() for s in red.steps)
            notes.insert(0, f"no layerwise action at theta ({reason}); the submodel theta~ ({steps}) computes the "
                         "same function and has one: the theorem's parameter choice")
            return done(Verdict.HOLDS, sub.summary.replace("every layer", "every layer of theta~"),
                        construction=sub.construction, actions=sub.actions, stabilizer=sub.stabilizer,
                        homomorphism=sub.homomorphism, structure=sub.structure, where="theta~", reduction=red)
    from symeq.architectures.attention.equivariance import check as check_equivariance
    from symeq.architectures.attention.identifiability import identify

    chk = check_equivariance(net, group)
    idr = identify(net)
    if chk.verdict == Verdict.FAILS:
        return done(Verdict.FAILS, f"f is not G-equivariant (check's witness: {chk.witness.describe()}); no layerwise "
                    f"action: {reason}", construction=c, check=chk, identify=idr)
    if chk.verdict == Verdict.HOLDS:
        return done(Verdict.UNKNOWN, f"f is G-equivariant ({chk.method}) but no layerwise action was found at theta "
                    f"({reason}); identifiability: {idr.verdict} ({idr.reason})", construction=c, check=chk,
                    identify=idr)
    return done(Verdict.UNKNOWN, f"no layerwise action ({reason}) and equivariance is undecided ({chk.reason})",
                construction=c, check=chk, identify=idr)
