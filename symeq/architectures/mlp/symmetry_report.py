"""``symeq symmetries`` for an MLP: the activation's relations, the latent groups K_i with the
symbolic proofs that their generators leave f unchanged, and the functional dimension.

>>> from symeq.architectures.mlp.sampling import random_network
>>> s = symmetries(random_network("tanh", (2, 3, 1), seed=0), proofs=False)
>>> s.verdict, s.functional_dimension.rank, [g.components for g in s.groups]
('holds', 13, [48])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symeq.architectures.mlp.model import MLP
from symeq.exact import number_to_string

__all__ = ["MLPSymmetries", "symmetries"]


@dataclass(frozen=True)
class MLPSymmetries:
    """What ``symeq symmetries`` reports for one MLP.  The verdict *holds* when everything is
    settled (the relations are complete, every invariance proof holds, the functional dimension
    is exact), else *unknown*."""

    network: MLP
    relations: Any
    groups: tuple[Any, ...]
    proofs: tuple[Any, ...]
    functional_dimension: Any
    notes: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """``holds`` when settled, else ``unknown``."""
        fd = self.functional_dimension
        settled = self.relations.complete and all(p.holds for p in self.proofs) and fd.status == "exact"
        return "holds" if settled else "unknown"

    @property
    def reason(self) -> str:
        """One line."""
        fd = self.functional_dimension
        dim = f"{fd.rank}" if fd.rank is not None else f"in [{fd.lower}, {fd.upper}]"
        return (f"relations {self.relations.status}; invariance proved for "
                f"{sum(p.holds for p in self.proofs)}/{len(self.proofs)} generators; functional dimension "
                f"{dim} ({fd.status})")

    def certificate(self) -> None:
        """None: the symmetries are proved symbolically, not certified for the checker."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        net, rel, groups, proofs, fd, notes = (self.network, self.relations, self.groups, self.proofs,
                                               self.functional_dimension, list(self.notes))
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

    def text(self) -> str:
        """The text report of ``symeq symmetries``."""
        net, rel, groups, proofs, fd, notes = (self.network, self.relations, self.groups, self.proofs,
                                               self.functional_dimension, self.notes)
        out: list[str] = []
        out.append(f"network: {net.activation.spec}, widths {'-'.join(map(str, net.widths))}, "
                   f"{net.n_params} parameters")
        for n in notes:
            out.append(f"  note: {n}")
        out.append(f"activation: sigma(z) = {rel.sigma}")
        out.append(f"relations sigma(a z + c) = b sigma(z) + e: {rel.status} (method: {rel.method})")
        for f in rel.families:
            where = f" for {f.domain}" if f.params else ""
            out.append(f"  (a, c, b, e) = ({f.a}, {f.c}, {f.b}, {f.e}){where}")
        comps = rel.components if rel.components is not None else "infinitely many"
        out.append(f"  group: dimension {rel.dimension}, {comps} component(s); discrete generators: "
              + (", ".join(_fmt(g) for g in rel.generators) or "none"))
        if rel.lie_algebra:
            out.append("  Lie algebra (alpha, gamma, beta, eps): " + ", ".join(
                "(" + ", ".join(map(str, g)) + ")" for g in rel.lie_algebra))
        for fact in rel.established:
            out.append(f"  - {fact}")
        if rel.reason:
            out.append(f"  unknown: {rel.reason}")
        out.append("latent groups:")
        for i, g in enumerate(groups, start=1):
            comps = g.components if g.components is not None else "infinitely many"
            mine = [p for p in proofs if p.layer == i]
            proved = sum(p.holds for p in mine)
            status = (f"invariance proved for {proved}/{len(mine)} generators" if mine else
                      "invariance proofs skipped")
            out.append(f"  K_{i} (width {g.width}): {g.kind} -- {g.description}; dimension {g.dimension}, "
                  f"components {comps} = {g.components_formula}; {status}")
            if not g.complete:
                out.append("    (the relations are not known completely: K_i contains at least this group)")
            for p in mine:
                if not p.holds:
                    out.append(f"    NOT PROVED: {p.generator}" + (f" ({p.method})" if p.method.startswith("not attempted") else ""))
        out.append("functional dimension: "
              + (f"{fd.rank} ({fd.status})" if fd.rank is not None else f"in [{fd.lower}, {fd.upper}] ({fd.status})"))
        out.append(f"  #params {fd.n_params}, dim K {fd.dim_K}, K-orbit dimension {fd.orbit_dim}, "
              f"hidden symmetries {fd.hidden_symmetries if fd.hidden_symmetries is not None else 'unknown'}")
        out.append(f"  method: {fd.method}; {fd.n_inputs} inputs")
        for v, proof in zip(fd.hidden_directions, fd.hidden_proofs):
            nz = ", ".join(f"theta[{k}] {'+' if not str(x).startswith('-') else ''}{x}" for k, x in enumerate(v) if x != 0)
            if len(nz) > 240:
                nz = f"{sum(1 for x in v if x != 0)} nonzero entries (the full vector is in --json)"
            out.append(f"  hidden direction: {nz}")
            out.append(f"    proof: {proof}")
        for n in fd.notes:
            out.append(f"  note: {n}")
        return "\n".join(out)


def _fmt(rel) -> str:
    return "(" + ", ".join(rel.as_strings().values()) + ")"


def symmetries(net: MLP, *, seed: int = 0, proofs: bool = True, notes: tuple[str, ...] = ()) -> MLPSymmetries:
    """The relations, latent groups, invariance proofs (``proofs``) and functional dimension."""
    from symeq.activations.relations import derive_relations
    from symeq.architectures.mlp.invariance import prove_invariance
    from symeq.architectures.mlp.latent_group import latent_groups
    from symeq.symmetry.functional_dimension import functional_dimension

    rel = derive_relations(net.activation)
    groups = latent_groups(net)
    found = prove_invariance(net.activation, net.widths) if proofs else ()
    fd = functional_dimension(net, seed=seed)
    return MLPSymmetries(net, rel, tuple(groups), tuple(found), fd, tuple(notes))
