"""``symeq symmetries`` for convolutional networks: the activation's relations, the latent
groups K_i (docs/theory.md#72-circular-convolutions), checks that their generators keep the function, and the
functional dimension in the convolutional parameters.

Each K_i is the part of the lowered MLP's K_i that keeps the convolutional form: channel
permutations, a relation of the activation per channel, a translation per channel (a period of
the support).  For every hidden layer the generators (a transposition of channels, the
activation's discrete relations on channel 0, the unit translations on channel 0) are applied
to theta and the result is checked to compute the same function: exactly, as an identity of
the lowered layers (f_i(.; k.theta_i) = k o f_i(.; theta_i) o k_{i-1}^{-1} read on the
block-circulant matrices), for small networks.

>>> from symeq.architectures.conv import from_dict
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 2, 1],
...     "filters": [[[["1", "2", "0", "0"]], [["0", "1", "0", "3"]]], [[["1", "0", "0", "1"], ["2", "0", "1", "0"]]]],
...     "biases": [["0", "1"], ["0"]]})
>>> r = symmetries(net, proofs=True)
>>> r.groups[0].describe()
'(C_2 x Z_4)^2 x| S_2: 2 channels on Z_4, each with a sign and a translation (order 128)'
>>> [(name, ok) for name, ok in r.proofs]
[('layer 1: channels 0 <-> 1', True), ('layer 1: relation (-1, 0, -1, 0) on channel 0', True), ('layer 1: translation 1 on channel 0', True)]
>>> r.dimension.rank, r.dimension.n_params, r.verdict
(19, 19, 'holds')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symeq.activations import IDENTITY_RELATION
from symeq.architectures.conv.affine import AffineConvGroup
from symeq.architectures.conv.latent_group import ChannelGroup, ChannelMap
from symeq.architectures.conv.model import MAX_LOWERED, ConvNet
from symeq.errors import BudgetExceeded, InputError
from symeq.exact import Matrix
from symeq.verdict import Verdict

__all__ = ["ConvSymmetriesResult", "symmetries", "generators"]


@dataclass(frozen=True)
class ConvSymmetriesResult:
    """Relations, K_i, the generator checks and the functional dimension."""

    network: ConvNet
    relations: Any
    groups: tuple[ChannelGroup | AffineConvGroup, ...]
    proofs: tuple[tuple[str, bool], ...]
    dimension: Any
    notes: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """``holds`` when the relations are complete, every check holds and the functional
        dimension is exact; ``unknown`` otherwise."""
        settled = (self.relations is None or self.relations.complete) and all(ok for _, ok in self.proofs)
        exact = self.dimension is not None and self.dimension.status == "exact"
        return "holds" if settled and exact else "unknown"

    @property
    def exit_code(self) -> int:
        return Verdict(self.verdict).exit_code

    @property
    def reason(self) -> str:
        d = self.dimension
        fd = f"functional dimension {d.rank} ({d.status})" if d is not None else "functional dimension not computed"
        return f"{len(self.groups)} latent group(s); {fd}"

    def certificate(self) -> None:
        """No certificate: the checks are reported, not certified."""
        return None

    def text(self) -> str:
        """The text report (what the command prints)."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The text report of ``symeq symmetries``."""
        out = [f"network: {self.network.activation.spec} convolution on {self.network.grid.describe()}, "
               f"channels {'-'.join(map(str, self.network.channels))}"
               + (", dense readout" if self.network.readout == "dense" else "")]
        if self.relations is not None:
            fams = "; ".join(f.domain if f.params else "(" + ", ".join(str(x) for x in (f.a, f.c, f.b, f.e)) + ")"
                             for f in self.relations.families)
            out.append(f"relations of {self.relations.spec}: {fams} ({self.relations.status})")
        for i, K in enumerate(self.groups, start=1):
            out.append(f"K_{i}: {K.describe()}")
        for name, ok in self.proofs:
            out.append(f"  {name}: {'same function (checked on the lowered layers)' if ok else 'CHANGES the function'}")
        d = self.dimension
        if d is not None:
            value = d.rank if d.rank is not None else f"between {d.lower} and {d.upper}"
            out.append(f"functional dimension: {value} ({d.status}; #params {d.n_params}, dim K {d.dim_K}, "
                       f"dim(K-orbit) {d.orbit_dim})")
            if d.coordinates is not None:
                net = self.network
                parts = ", the biases and the readout" if net.readout == "dense" else " and the biases"
                out.append(f"  #params counts the filter entries at the {len(net.support)} support offsets{parts}: "
                           f"{d.n_params} ({net.n_params} with filters on the whole grid)")
            if d.hidden_symmetries is not None:
                out.append(f"hidden symmetries: {d.hidden_symmetries}")
        out.extend(f"note: {n}" for n in self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        d = self.dimension
        hidden = None if d is None else d.hidden_symmetries
        return {"verdict": self.verdict, "architecture": "conv",
                "relations": self.relations.to_dict() if self.relations is not None else None,
                "latent_groups": [g.to_dict() for g in self.groups],
                "proofs": [{"generator": n, "holds": ok} for n, ok in self.proofs],
                "functional_dimension": d.to_dict() if d is not None else None,
                "hidden_symmetries": hidden, "notes": list(self.notes)}


def generators(net: ConvNet, i: int) -> list[tuple[str, ChannelMap]]:
    """Named generators of K_i: a transposition of channels, each discrete relation on channel
    0, and the unit translations (periods of the support) on channel 0."""
    K = net.latent_group(i)
    C, grid = K.channels, net.grid
    ident = (IDENTITY_RELATION,) * C
    zero = ((0,) * grid.dim,) * C
    out: list[tuple[str, ChannelMap]] = []
    if C >= 2:
        perm = (1, 0) + tuple(range(2, C))
        out.append((f"layer {i}: channels 0 <-> 1", ChannelMap.make(grid, perm, ident, zero)))
    for r in net.activation.discrete:
        rels = (r,) + ident[1:]
        text = ", ".join(r.as_strings().values())
        out.append((f"layer {i}: relation ({text}) on channel 0", ChannelMap.make(grid, range(C), rels, zero)))
    units = [tuple(int(j == a) for j in range(grid.dim)) for a in range(grid.dim)]
    allowed = set(K.translations)
    for t in units:
        if grid.reduce(t) in allowed and grid.size > 1:
            shifts = (grid.reduce(t),) + zero[1:]
            out.append((f"layer {i}: translation {grid.label(t)} on channel 0",
                        ChannelMap.make(grid, range(C), ident, shifts)))
    return out


def _same_function(net: ConvNet, moved: ConvNet, i: int, k: ChannelMap) -> bool:
    """f(.; k.theta) = f(.; theta), exactly: on the lowered layers, layer i of k.theta is k o f_i
    (rows permuted and related) and layer i + 1 is f_{i+1} o k^{-1} (columns), as matrices."""
    from symeq.architectures.mlp.latent_group import act as mlp_act

    mlp = net.to_mlp()
    expected = mlp_act(mlp, i, k.lowered())
    got = moved.to_mlp()
    return bool((Matrix(expected.parameters()) - Matrix(got.parameters())).is_zero_matrix)


def symmetries(net: ConvNet, *, seed: int = 0, proofs: bool = True) -> ConvSymmetriesResult:
    """The symmetries report (see the module docstring)."""
    from symeq.activations.relations import derive_relations
    from symeq.symmetry.functional_dimension import functional_dimension

    notes: list[str] = []
    try:
        rel = derive_relations(net.activation)
    except InputError as exc:
        rel = None
        notes.append(f"relations: {exc}")
    groups = tuple(net.latent_group(i) for i in range(1, net.depth))
    checks: list[tuple[str, bool]] = []
    if proofs and groups and net.activation.kind == "affine":
        notes.append("generator checks: none for the identity activation (K_i is a Lie group of dimension "
                     "C^2 |P| + C; its orbit's tangent space enters the functional dimension below)")
    elif proofs and groups:
        if max(net.spaces()) > MAX_LOWERED or net.symbols:
            notes.append("generator checks skipped (they compare lowered layers of numeric networks up to "
                         f"dimension {MAX_LOWERED})")
        else:
            for i in range(1, net.depth):
                for name, k in generators(net, i):
                    ks = [net.latent_group(j).identity() for j in range(1, net.depth)]
                    ks[i - 1] = k
                    checks.append((name, _same_function(net, net.act(ks), i, k)))
    dim = None
    if not net.symbols:
        try:
            dim = functional_dimension(net, seed=seed)
        except (InputError, BudgetExceeded) as exc:
            notes.append(f"functional dimension: {exc}")
    return ConvSymmetriesResult(net, rel, groups, tuple(checks), dim, tuple(notes))
