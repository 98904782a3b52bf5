"""``symeq symmetries`` for attention networks: K_i, the symmetries inside a layer, and the
functional dimension (docs/theory.md sections 2 and 7.1).

* K_i = GL(v_1) x ... x GL(v_H) x| S_H for every attention layer: the value-space change of
  basis A_h of each head (the next layer reads A_h^{-1} W_O^h) and permutations of heads of
  equal v.  They act on V_i and are the latent groups of the theorem.
* Internal symmetries, which change parameters but not the layer *function* (identifiability
  compares layer functions, so they are reported, not tracked): the Q-K change of basis
  (W_Q B, W_K B^{-T}), B in GL(a_h), per head; for layers i > 1 the change of basis G of the
  model dimension d_i' (W_O^(i-1) G, G^{-1} W_Q, G^{-1} W_K, G^{-1} W_V for every head); for
  lightning attention the scaling (c M_h, W_V^h / c) per head.
* The functional dimension at theta: the rank of the Jacobian of
  theta -> (f(x_1), ..., f(x_N)).  Lower bound: the exact rank at rational inputs (lightning,
  a polynomial) or a minor whose ball determinant excludes 0 (softmax).  Upper bound: #params
  minus the exact rank of the tangent vectors of all the symmetries above (each leaves f
  unchanged for every x).  Bounds that meet make it exact.  It is compared with the closed
  forms of docs/theory.md 7.1 where they apply: NeuroDim's for one head per layer
  (l (a (2d - a) + d^2) - (l - 1) d^2 - l (1 - normalized), plus d for the readout's bias) and
  Henry, Marchetti and Kohn's 2 a d + d d' - a^2 - 1 for one lightning layer (plus the bias);
  Henry 2026 says that for generic parameters there are no symmetries beyond these, i.e. the
  upper bound is attained.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "normalization": "lightning", "tokens": 3,
...     "widths": [2, 2], "layers": [{"heads": [{"query": [["1"], ["2"]], "key": [["1"], ["-1"]],
...     "value": [["1", "0"], ["1", "3"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}})
>>> r = symmetries(net)
>>> fd = r.dimension
>>> fd.n_params, fd.rank, fd.status, r.k_orbit_dim, fd.orbit_dim     # K: gl(2); inside: gl(1), scaling
(14, 8, 'exact', 4, 6)
>>> [(c.source.split(":")[0], c.value) for c in r.closed if c.applies]
[('NeuroDim (Henry, Marchetti, Kohn 2025)', 8), ('Henry, Marchetti, Kohn 2025, one lightning layer', 8)]
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from symeq.verdict import Verdict

__all__ = ["ClosedForm", "SymmetriesResult", "closed_forms", "symmetries"]


@dataclass(frozen=True)
class ClosedForm:
    """A literature formula for the functional dimension, whether its hypotheses hold for this
    architecture, and its value."""

    source: str
    value: int | None
    applies: bool
    note: str = ""


def closed_forms(net: Any) -> tuple[ClosedForm, ...]:
    """The closed forms of docs/theory.md 7.1 and whether they apply to this architecture."""
    out = []
    L = len(net.layers)
    single = all(len(ly.heads) == 1 for ly in net.layers)
    d = net.d_in
    a_s = {ly.heads[0].a for ly in net.layers} if single else set()
    square = single and all(ly.heads[0].v == d and net.layer_input(i) == d
                            for i, ly in enumerate(net.layers, start=1)) and net.d_out == d
    src = ("NeuroDim (Henry, Marchetti, Kohn 2025): l (a (2d - a) + d^2) - (l - 1) d^2 - l (1 - normalized) "
           "(+ d_L for the bias)")
    if square and len(a_s) == 1 and next(iter(a_s)) <= d and net.positional is None:
        a = next(iter(a_s))
        normalized = 1 if net.normalization == "softmax" else 0
        value = L * (a * (2 * d - a) + d * d) - (L - 1) * d * d - L * (1 - normalized) + net.d_out
        out.append(ClosedForm(src, value, True, "one head per layer with v = d; the output maps W_O are "
                              "absorbed (generic, invertible)"))
    else:
        out.append(ClosedForm(src, None, False, "needs one head per layer, a common a <= d, v = d = d_L, no "
                              "positional encoding"))
    src2 = "Henry, Marchetti, Kohn 2025, one lightning layer: 2ad + dd' - a^2 - 1 (+ d_L for the bias)"
    if (L == 1 and single and net.normalization == "lightning" and net.positional is None
            and net.layers[0].heads[0].v == net.d_out and net.layers[0].heads[0].a <= d):
        a, dp = net.layers[0].heads[0].a, net.d_out
        out.append(ClosedForm(src2, 2 * a * d + d * dp - a * a - 1 + net.d_out, True,
                              "d' = v = d_L; the readout is absorbed into W_V"))
    else:
        out.append(ClosedForm(src2, None, False, "needs one lightning layer with one head, a <= d, v = d_L, no "
                              "positional encoding"))
    return tuple(out)


@dataclass(frozen=True)
class SymmetriesResult:
    """What ``symeq symmetries`` reports for an attention network."""

    verdict: Verdict
    reason: str
    network: Any
    groups: tuple[Any, ...]
    internal: tuple[str, ...]
    dimension: Any
    k_orbit_dim: int
    closed: tuple[ClosedForm, ...]
    seconds: float = field(default=0.0, compare=False)
    proofs: tuple[Any, ...] = ()

    def certificate(self) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": str(self.verdict), "reason": self.reason, "architecture": "attention",
                "normalization": self.network.normalization,
                "latent_groups": [g.to_dict() for g in self.groups], "internal_symmetries": list(self.internal),
                "functional_dimension": {**self.dimension.to_dict(), "k_orbit_dim": self.k_orbit_dim,
                                         "internal_dim": self.dimension.orbit_dim - self.k_orbit_dim},
                "closed_forms": [{"source": c.source, "value": c.value, "applies": c.applies, "note": c.note}
                                 for c in self.closed],
                "proofs": [p.to_dict() for p in self.proofs],
                "seconds": round(self.seconds, 6)}

    def text(self) -> str:
        fd = self.dimension
        lines = [f"verdict: {self.verdict}", f"reason: {self.reason}",
                 f"attention ({self.network.normalization}), {self.network.tokens} tokens, "
                 f"{self.network.n_params} parameters"]
        for i, g in enumerate(self.groups, start=1):
            lines.append(f"K_{i}: {g.describe()}; dimension {g.dimension}, {g.components} components ({g.components_formula})")
        for s in self.internal:
            lines.append(f"internal: {s}")
        if self.proofs:
            ok = sum(bool(p.holds) for p in self.proofs)
            lines.append(f"proofs: {ok}/{len(self.proofs)} symmetries (K_i generators with symbolic A_h, head "
                         f"transpositions, the internal ones) leave f unchanged; {self.proofs[0].method}")
            for p in self.proofs:
                if not p.holds:
                    lines.append(f"  not proved: layer {p.layer}: {p.generator} ({p.method})")
        exact = fd.status == "exact"
        lines.append(f"functional dimension: {fd.rank if exact else f'{fd.lower} <= dim <= {fd.upper}'} "
                     f"({fd.status}; {fd.method}; {fd.n_inputs} inputs)")
        lines.append(f"  upper bound: {fd.n_params} parameters - {fd.orbit_dim} (symmetry directions: "
                     f"{self.k_orbit_dim} of K, {fd.orbit_dim - self.k_orbit_dim} inside the layers) = "
                     f"{fd.n_params - fd.orbit_dim}")
        for c in self.closed:
            if c.applies:
                agree = "agrees" if exact and c.value == fd.rank else "differs"
                lines.append(f"  closed form {c.source}: {c.value} ({agree})")
        for note in fd.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)


def internal_symmetries(net: Any) -> tuple[str, ...]:
    out = []
    for i, ly in enumerate(net.layers, start=1):
        for h, head in enumerate(ly.heads):
            out.append(f"layer {i} head {h}: Q-K change of basis (W_Q B, W_K B^-T), B in GL({head.a})")
            if net.normalization == "lightning":
                out.append(f"layer {i} head {h}: scaling (c M, W_V / c), c != 0 (lightning)")
        if ly.embed is not None:
            out.append(f"layer {i}: change of basis of its {ly.embed.shape[1]} model features (W_O^({i - 1}) G, "
                       f"G^-1 W_Q, G^-1 W_K, G^-1 W_V), G in GL({ly.embed.shape[1]})")
    return tuple(out)


def symmetries(net: Any, *, seed: int = 0, proofs: bool = False) -> SymmetriesResult:
    """``symeq symmetries`` for an attention network (the functional dimension is the generic
    :func:`symeq.symmetry.functional_dimension.functional_dimension` on :mod:`.jacobian`);
    ``proofs``: also prove symbolically that every symmetry counted leaves f unchanged
    (:mod:`.invariance`)."""
    from symeq.architectures.attention.invariance import prove_invariance
    from symeq.ranks import rational_rank
    from symeq.symmetry.functional_dimension import functional_dimension

    start = time.perf_counter()
    if net.symbols:
        rng = random.Random(seed)
        net = net.subs({s: sympy.Rational(rng.choice([p for p in range(-6, 7) if p]), rng.randint(1, 3))
                        for s in sorted(net.symbols, key=str)})
    groups = tuple(net.latent_group(i) for i in range(1, net.depth))
    fd = functional_dimension(net, seed=seed)
    proved = prove_invariance(net) if proofs else ()
    k_orbit = rational_rank(net.orbit_tangents(), net.n_params) if net.orbit_tangents() else 0
    if fd.status == "exact" and fd.hidden_symmetries == 0:
        verdict, reason = Verdict.HOLDS, (f"the functional dimension is exactly {fd.rank} = #params - the "
                                          "symmetry directions of K and inside the layers: no hidden symmetry at theta")
    elif fd.status == "exact":
        verdict, reason = Verdict.HOLDS, (f"the functional dimension is exactly {fd.rank}, with "
                                          f"{fd.hidden_symmetries} proved hidden symmetry direction(s)")
    else:
        verdict, reason = Verdict.UNKNOWN, "the functional dimension is only bounded: " + "; ".join(fd.notes)
    if not all(p.holds for p in proved):  # the upper bound counts these as symmetries
        verdict = Verdict.UNKNOWN
        reason += "; not every symmetry was proved to leave f unchanged (see the proof lines)"
    return SymmetriesResult(verdict, reason, net, groups, internal_symmetries(net), fd, k_orbit, closed_forms(net),
                            time.perf_counter() - start, proved)
