"""``symeq symmetries`` for attention networks: K_i, the symmetries inside a layer, and the
functional dimension (THEORY.md sections 2 and 7.1).

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
  forms of THEORY.md 7.1 where they apply: NeuroDim's for one head per layer
  (l (a (2d - a) + d^2) - (l - 1) d^2 - l (1 - normalized), plus d for the readout's bias) and
  Henry, Marchetti and Kohn's 2 a d + d d' - a^2 - 1 for one lightning layer (plus the bias);
  Henry 2026 says that for generic parameters there are no symmetries beyond these, i.e. the
  upper bound is attained.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "normalization": "lightning", "tokens": 3,
...     "widths": [2, 2], "layers": [{"heads": [{"query": [["1"], ["2"]], "key": [["1"], ["-1"]],
...     "value": [["1", "0"], ["1", "3"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}})
>>> fd = functional_dimension(net)
>>> fd.n_params, fd.lower, fd.upper, fd.status
(14, 8, 8, 'exact')
>>> [(c.source.split(":")[0], c.value) for c in fd.closed_forms if c.applies]
[('NeuroDim (Henry, Marchetti, Kohn 2025)', 8), ('Henry, Marchetti, Kohn 2025, one lightning layer', 8)]
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import sympy
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.numbers import field_of, rank
from symeq.verdict import Verdict

__all__ = ["FunctionalDimension", "ClosedForm", "SymmetriesResult", "functional_dimension", "closed_forms",
           "symmetries", "MAX_PARAMS"]

#: Largest number of (free) parameters whose Jacobian is built.
MAX_PARAMS = 600


@dataclass(frozen=True)
class ClosedForm:
    """A literature formula for the functional dimension, whether its hypotheses hold for this
    architecture, and its value."""

    source: str
    value: int | None
    applies: bool
    note: str = ""


@dataclass(frozen=True)
class FunctionalDimension:
    """The functional dimension at theta: ``lower`` <= it <= ``upper``; ``status`` is ``exact``
    (they meet), ``certified-lower-bound`` or ``unknown`` (with ``note``)."""

    n_params: int
    lower: int | None
    upper: int
    symmetry_dim: int
    orbit_dim: int
    internal_dim: int
    status: str
    method: str
    samples: int
    closed_forms: tuple[ClosedForm, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"n_params": self.n_params, "lower": self.lower, "upper": self.upper,
                "symmetry_dim": self.symmetry_dim, "orbit_dim": self.orbit_dim, "internal_dim": self.internal_dim,
                "status": self.status, "method": self.method, "samples": self.samples, "note": self.note,
                "closed_forms": [{"source": c.source, "value": c.value, "applies": c.applies, "note": c.note}
                                 for c in self.closed_forms]}


def _tangent_rank(vectors: list[tuple[sympy.Expr, ...]], columns: Sequence[int]) -> int:
    if not vectors:
        return 0
    rows = [[v[c] for c in columns] for v in vectors]
    K = field_of([x for r in rows for x in r])
    m = DomainMatrix([[K.from_sympy(x) for x in r] for r in rows], (len(rows), len(columns)), K)
    return rank(m)


def _supported(vectors: list[tuple[sympy.Expr, ...]], free: set[int]) -> list[tuple[sympy.Expr, ...]]:
    return [v for v in vectors if all(x == 0 for k, x in enumerate(v) if k not in free)]


def closed_forms(net: Any) -> tuple[ClosedForm, ...]:
    """The closed forms of THEORY.md 7.1 and whether they apply to this architecture."""
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


def default_inputs(net: Any, count: int, seed: int = 0) -> list[list[Any]]:
    """Random rational inputs; small for softmax, where large scores saturate the softmax and
    leave Jacobian entries too small to certify in floating-point-guided minors."""
    rng = random.Random(seed)
    den = 1 if net.normalization == "lightning" else 4
    return [[sympy.Rational(rng.randint(-3, 3), den) for _ in range(net.tokens * net.d_in)] for _ in range(count)]


def functional_dimension(net: Any, *, free: Sequence[int] | None = None, inputs: Sequence[Sequence[Any]] | None = None,
                         seed: int = 0) -> FunctionalDimension:
    """Bounds on the functional dimension at theta (see the module docstring).  ``free``: the
    parameter indices that vary (default all; the others are held fixed), so that closed forms
    of architectures without some parameters (no output projection) can be checked."""
    from symeq.architectures.attention.jacobian import ball_jacobian, exact_jacobian_domain
    from symeq.architectures.mlp.jacobian_arb import certified_rank

    P = net.n_params
    cols = list(range(P)) if free is None else sorted(set(free))
    orbit = _supported(net.orbit_tangents(), set(cols))
    internal = _supported(net.internal_tangents(), set(cols))
    sym = _tangent_rank(orbit + internal, cols)
    orbit_dim = _tangent_rank(orbit, cols)
    upper = len(cols) - sym
    count = inputs is None and 2 * math.ceil((len(cols) + 8) / (net.tokens * net.d_out)) + 2
    xs = list(inputs) if inputs is not None else default_inputs(net, count, seed)
    common = dict(n_params=len(cols), upper=upper, symmetry_dim=sym, orbit_dim=orbit_dim,
                  internal_dim=sym - orbit_dim, samples=len(xs), closed_forms=closed_forms(net) if free is None else ())
    if len(cols) > MAX_PARAMS:
        return FunctionalDimension(lower=None, status="unknown", method="none",
                                   note=f"unknown (budget): {len(cols)} parameters > {MAX_PARAMS}", **common)
    if net.symbols:
        return FunctionalDimension(lower=None, status="unknown", method="none",
                                   note="the functional dimension needs numbers, not symbols", **common)
    if net.normalization == "lightning":
        J = exact_jacobian_domain(net, xs)
        J = J.extract(list(range(J.shape[0])), cols)
        lower = rank(J)
        method = "exact rank of the rational Jacobian at rational inputs"
    else:
        J = ball_jacobian(net, xs, 128)
        lower = certified_rank([[row[c] for c in cols] for row in J])
        method = "certified rank (a minor whose ball determinant excludes 0, python-flint)"
    status = "exact" if lower == upper else "certified-lower-bound"
    note = "" if status == "exact" else (f"the rank found ({lower}) is below the upper bound ({upper}): more "
                                         "inputs, a hidden symmetry, or balls too wide")
    return FunctionalDimension(lower=lower, status=status, method=method, note=note, **common)


@dataclass(frozen=True)
class SymmetriesResult:
    """What ``symeq symmetries`` reports for an attention network."""

    verdict: Verdict
    reason: str
    network: Any
    groups: tuple[Any, ...]
    internal: tuple[str, ...]
    dimension: FunctionalDimension
    seconds: float = field(default=0.0, compare=False)

    def certificate(self) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": str(self.verdict), "reason": self.reason, "architecture": "attention",
                "normalization": self.network.normalization,
                "latent_groups": [g.to_dict() for g in self.groups], "internal_symmetries": list(self.internal),
                "functional_dimension": self.dimension.to_dict(), "seconds": round(self.seconds, 6)}

    def text(self) -> str:
        fd = self.dimension
        lines = [f"verdict: {self.verdict}", f"reason: {self.reason}",
                 f"attention ({self.network.normalization}), {self.network.tokens} tokens, "
                 f"{self.network.n_params} parameters"]
        for i, g in enumerate(self.groups, start=1):
            lines.append(f"K_{i}: {g.describe()}; dimension {g.dimension}, {g.components} components ({g.components_formula})")
        for s in self.internal:
            lines.append(f"internal: {s}")
        lines.append(f"functional dimension: {fd.lower if fd.status == 'exact' else f'{fd.lower} <= dim <= {fd.upper}'} "
                     f"({fd.status}; {fd.method}; {fd.samples} inputs)")
        lines.append(f"  upper bound: {fd.n_params} parameters - {fd.symmetry_dim} (symmetry directions: "
                     f"{fd.orbit_dim} of K, {fd.internal_dim} internal) = {fd.upper}")
        for c in fd.closed_forms:
            if c.applies:
                agree = "agrees" if c.value == fd.lower and fd.status == "exact" else "differs"
                lines.append(f"  closed form {c.source}: {c.value} ({agree})")
        if fd.note:
            lines.append(f"  note: {fd.note}")
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
    """``symeq symmetries`` for an attention network."""
    start = time.perf_counter()
    groups = tuple(net.latent_group(i) for i in range(1, net.depth))
    fd = functional_dimension(net, seed=seed)
    if fd.status == "exact":
        verdict, reason = Verdict.HOLDS, (f"the functional dimension is exactly {fd.lower} = #params - the "
                                          "symmetry directions: no hidden symmetry at theta")
    else:
        verdict, reason = Verdict.UNKNOWN, f"the functional dimension is only bounded: {fd.note}"
    return SymmetriesResult(verdict, reason, net, groups, internal_symmetries(net), fd,
                            time.perf_counter() - start)
