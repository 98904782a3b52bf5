"""``symeq check`` for attention networks: is f(P_g X R_g^T) = P_g f(X) R_g'^T for every generator?

Methods, in order:

1. **Head matching** (:mod:`.matching`): layerwise latent maps k_i(g) in K_i for every generator
   make every layer equivariant (with P_g structural on every hidden space), hence f.  Holds,
   with the maps as the certificate.
2. **Constant**: every head of some layer outputs 0 or is never read, so f(X) = 1 b^T; it is
   equivariant iff R_g' b = b.
3. **Reduction**: the submodel theta~ without degenerate heads (:mod:`.reduce`: drop heads that
   contribute nothing, merge heads with equal score forms, narrow rank-deficient heads), each
   step an exact identity of functions; head matching on theta~.
4. **Polynomial identity** (lightning attention): f is a polynomial in the input, so
   f(rho_0(g) X) - rho_L(g) f(X) is expanded exactly over the network's field (symbols
   included); zero for every generator means holds, else an exact witness exists.
5. **Witness search**: exact inputs X where a coordinate of f(rho_0(g) X) - rho_L(g) f(X) is
   proved nonzero, exactly (lightning) or by python-flint balls that exclude 0 (softmax).
6. Otherwise **unknown**, with what was tried.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> from symeq.architectures.attention.group import group_from_dict
>>> table = {"architecture": "attention", "tokens": 2, "widths": [2, 2],
...     "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...                           {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["3"], ["1"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}}
>>> net = attention_from_dict(table)
>>> G = group_from_dict({"generators": {"f": {"tokens": [1, 0], "input": [["0", "1"], ["1", "0"]]}}}, net)
>>> r = check(net, G)
>>> r.verdict, r.method
('holds', 'layerwise')
>>> table["layers"][0]["heads"][1]["value"] = [["3"], ["2"]]       # break the mirror image
>>> r = check(attention_from_dict(table), G)
>>> r.verdict, r.method, r.witness.exact
('fails', 'witness', False)
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy
from flint import arb, arb_mat, ctx as flint_ctx
from sympy import ImmutableMatrix, Rational
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.evaluate import arb_matrix, ball_forward, exact_layer
from symeq.architectures.attention.group import token_parts
from symeq.architectures.attention.numbers import to_dm
from symeq.architectures.base import DEFAULT_BUDGET
from symeq.architectures.mlp.witness import Witness, simple_rational_below
from symeq.construction.construct import Construction, construct
from symeq.verdict import Verdict

__all__ = ["CheckResult", "check", "polynomial_identity", "find_witness", "MAX_IDENTITY_VARIABLES",
           "PRECISIONS"]

#: Largest number of input variables (tokens x features) the polynomial identity expands, and
#: most layers (the degree is 3^(L-1)).
MAX_IDENTITY_VARIABLES, MAX_IDENTITY_DEPTH = 24, 3
#: Ball precisions (bits) tried for a softmax witness.
PRECISIONS = (64, 128, 256, 512)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of ``check`` with its method, reason and evidence."""

    verdict: Verdict
    method: str
    reason: str
    network: Any
    group: Any
    construction: Construction | None = None
    witness: Witness | None = None
    attempts: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)
    reduction: Any = None

    def evidence(self) -> dict[str, Any]:
        """The certificate's evidence (holds or fails only)."""
        if self.verdict == Verdict.HOLDS and self.method == "layerwise":
            assert self.construction is not None
            return {"method": "layerwise", "actions": self.construction.evidence_actions()}
        if self.verdict == Verdict.HOLDS and self.method == "reduction+layerwise":
            assert self.construction is not None and self.reduction is not None
            return {"method": "reduction+layerwise", "steps": [s.to_dict() for s in self.reduction.steps],
                    "reduced": self.reduction.reduced.to_dict(), "actions": self.construction.evidence_actions()}
        if self.verdict == Verdict.HOLDS and self.method == "constant":
            return {"method": "constant", "layer": _silent_layer(self.network)}
        if self.verdict == Verdict.HOLDS:
            return {"method": self.method}
        if self.verdict == Verdict.FAILS and self.witness is not None:
            return {"method": "witness", **self.witness.to_dict()}
        raise ValueError("an unknown verdict has no evidence")

    def certificate(self) -> dict[str, Any] | None:
        """The certificate the kernel re-checks (None for unknown)."""
        from symeq.architectures.attention.certificate import certificate

        if self.verdict == Verdict.HOLDS:
            return certificate(self.network, self.group, "equivariant", self.evidence(), self.seconds)
        if self.verdict == Verdict.FAILS:
            return certificate(self.network, self.group, "not_equivariant", self.evidence(), self.seconds)
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": str(self.verdict), "method": self.method, "reason": self.reason,
                               "attempts": list(self.attempts), "seconds": round(self.seconds, 6)}
        if self.construction is not None and self.construction.found:
            out["actions"] = self.construction.evidence_actions()
            out["actions_described"] = {g: [k.describe() for k in self.construction.action(g)]
                                        for g in self.construction.generators}
        if self.witness is not None:
            out["witness"] = self.witness.to_dict()
        if self.reduction is not None:
            out["reduction"] = self.reduction.to_dict()
        return out

    def text(self) -> str:
        lines = [f"verdict: {self.verdict}", f"method: {self.method}", f"reason: {self.reason}"]
        if self.reduction is not None:
            lines.extend(f"step {n}: {s.describe()}" for n, s in enumerate(self.reduction.steps, start=1))
        if self.construction is not None and self.construction.found:
            for g in self.construction.generators:
                for i, k in enumerate(self.construction.action(g), start=1):
                    lines.append(f"generator {g}, layer {i}: {k.describe()}")
        if self.witness is not None:
            t, c = divmod(self.witness.coordinate, self.network.d_out)
            lines.append(f"witness: {self.witness.describe()}; coordinate {self.witness.coordinate} is token {t}, "
                         f"feature {c}")
        if self.verdict != Verdict.HOLDS:
            lines.extend(f"  tried {a}" for a in self.attempts)
        return "\n".join(lines)


# -- the group on token matrices --------------------------------------------------------------


def _move(rows: list[list[Any]], images: tuple[int, ...]) -> list[list[Any]]:
    out: list[list[Any]] = [[] for _ in rows]
    for j, r in enumerate(rows):
        out[images[j]] = r
    return out


def _act_exact(Z: DomainMatrix, images: tuple[int, ...], R: DomainMatrix) -> DomainMatrix:
    """P Z R^T over the domain of Z."""
    moved = DomainMatrix(_move(Z.to_list(), images), Z.shape, Z.domain)
    return moved * R.convert_to(Z.domain).transpose()


# -- the constant case -------------------------------------------------------------------------------


def _silent_layer(net: Any) -> int | None:
    """An attention layer all of whose heads contribute nothing (zero effective value map, zero
    output map, or zero score form under lightning), or None: then f(X) = 1 b^T."""
    from symeq.architectures.attention.identifiability import degenerate_heads

    silent: dict[int, set[int]] = {}
    for d in degenerate_heads(net):
        if d.kind in ("inactive", "unread"):
            silent.setdefault(d.layer, set()).add(d.head)
    for i, heads in sorted(silent.items()):
        if len(heads) == len(net.layers[i - 1].heads):
            return i
    return None


def _fixes_bias(net: Any, group: Any, g: str) -> bool:
    _, _, R_out = token_parts(group, g, net)
    b, R = net.bias.transpose(), R_out
    K = b.domain.unify(R.domain)
    return R.convert_to(K) * b.convert_to(K) == b.convert_to(K)


# -- 2. the polynomial identity -------------------------------------------------------------------


def polynomial_identity(net: Any, group: Any) -> tuple[bool | None, str, str]:
    """(holds?, the first failing generator, a note) for lightning attention: expand
    f(rho_0(g) X) - rho_L(g) f(X) in the input variables; None when past the size limits."""
    nvars = net.tokens * net.d_in
    if nvars > MAX_IDENTITY_VARIABLES or net.depth - 1 > MAX_IDENTITY_DEPTH:
        return None, "", (f"polynomial identity: {nvars} input variables and {net.depth - 1} attention layers "
                          f"exceed the limits ({MAX_IDENTITY_VARIABLES} variables, {MAX_IDENTITY_DEPTH} layers)")
    xs = sympy.symbols(f"x0:{nvars}")
    for g in group.names:
        P, R_in, R_out = token_parts(group, g, net)
        K = net.field.unify(R_in.domain).unify(R_out.domain)
        # symbols: the field of rational functions in the symbols and the inputs (sympy does not
        # convert K0(w) into K0(w)[x]); otherwise the polynomial ring in the inputs
        ring = K.domain.frac_field(*(K.symbols + xs)) if K.is_FractionField else K.poly_ring(*xs)
        X = DomainMatrix([[ring.gens[len(ring.gens) - nvars + t * net.d_in + c] for c in range(net.d_in)] for t in range(net.tokens)],
                         (net.tokens, net.d_in), ring)
        left = _act_exact(X, P.images, R_in)
        right = X
        for i in range(1, net.depth + 1):
            left, right = exact_layer(net, i, left), exact_layer(net, i, right)
        if left != _act_exact(right, P.images, R_out):
            return False, g, f"polynomial identity: f(rho_0({g}) X) - rho_L({g}) f(X) expands to a nonzero polynomial"
    return True, "", "polynomial identity: f(rho_0(g) X) - rho_L(g) f(X) expands to 0 for every generator"


# -- 3. witnesses -----------------------------------------------------------------------------------


def _random_input(rng: random.Random, size: int, t: int) -> list[Rational]:
    span = 2 if t < 20 else 4
    out = [Rational(rng.randint(-span, span), rng.choice((1, 1, 2))) for _ in range(size)]
    if all(x == 0 for x in out):
        out[0] = Rational(1)
    return out


def _symbol_values(net: Any, rng: random.Random) -> dict[sympy.Symbol, Rational]:
    return {s: Rational(rng.randint(-3, 3) or 1, rng.choice((1, 2))) for s in sorted(net.symbols, key=str)}


def _exact_witness(net: Any, group: Any, g: str, x: list[Rational]) -> tuple[int, Any] | None:
    P, R_in, R_out = token_parts(group, g, net)
    K = net.field.unify(R_in.domain).unify(R_out.domain)
    X = to_dm(ImmutableMatrix(net.tokens, net.d_in, x), K)
    left, right = _act_exact(X, P.images, R_in), X
    for i in range(1, net.depth + 1):
        left, right = exact_layer(net, i, left), exact_layer(net, i, right)
    diff = (left - _act_exact(right, P.images, R_out)).to_list_flat()
    best = None
    for k, d in enumerate(diff):
        if d:
            v = K.to_sympy(d)
            if best is None or abs(v) > abs(best[1]):
                best = (k, v)
    return best


def _ball_difference(net: Any, group: Any, g: str, x: list[Rational], prec: int) -> list[arb]:
    P, R_in, R_out = token_parts(group, g, net)
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        Rin, Rout = arb_matrix(R_in), arb_matrix(R_out)
        rows = [[arb(sympy.Rational(v).p) / sympy.Rational(v).q for v in x[t * net.d_in:(t + 1) * net.d_in]]
                for t in range(net.tokens)]
        X = arb_mat(_move(rows, P.images)) * Rin.transpose()
        left = ball_forward(net, [X[t, c] for t in range(net.tokens) for c in range(net.d_in)], prec)
        fx = ball_forward(net, x, prec)
        d = net.d_out
        F = arb_mat(_move([fx[t * d:(t + 1) * d] for t in range(net.tokens)], P.images)) * Rout.transpose()
        right = [F[t, c] for t in range(net.tokens) for c in range(d)]
        flint_ctx.prec = prec
        return [a - b for a, b in zip(left, right)]
    finally:
        flint_ctx.prec = old


def _certify_ball(net: Any, group: Any, g: str, x: list[Rational]) -> tuple[int, Fraction] | None:
    """(coordinate, q) with |difference| >= q > 0 proved by balls, or None."""
    for prec in PRECISIONS:
        diffs = _ball_difference(net, group, g, x, prec)
        best = None
        for k, b in enumerate(diffs):
            if not b.contains(0):
                low = abs(b).lower()
                if best is None or low > best[1]:
                    best = (k, low)
        if best is not None:
            q = _rational_below(best[1])
            if q is not None:
                return best[0], q
    return None


def _rational_below(x: arb) -> Fraction | None:
    """A simple rational q with 0 < q <= x / 2 for a positive ball x (None if it touches 0)."""
    low = (x / 2).lower()  # an exact binary number at or below every point of the ball
    if not low > 0:
        return None
    m, e = low.man_exp()
    value = Fraction(int(m)) * (Fraction(2) ** int(e))
    return simple_rational_below(value)


def find_witness(net: Any, group: Any, tries: int = 200, seed: int = 0) -> Witness | None:
    """A proved separating input (see the module docstring), or None after ``tries`` inputs."""
    rng = random.Random(seed)
    size = net.tokens * net.d_in
    for t in range(tries):
        values = _symbol_values(net, rng) if net.symbols else {}
        at = net.subs(values) if values else net
        x = _random_input(rng, size, t)
        sv = tuple((s.name, v) for s, v in values.items())
        for g in group.names:
            if at.normalization == "lightning":
                hit = _exact_witness(at, group, g, x)
                if hit is not None:
                    k, v = hit
                    if v.is_Rational:
                        q = abs(v)
                    else:  # an algebraic difference: a simple rational below it, by balls
                        from symeq.activations.arb_eval import arb_of_number

                        f = _rational_below(abs(arb_of_number(v)) * 2)
                        q = Rational(f.numerator, f.denominator)
                    return Witness(g, tuple(x), k, sv, q, True, v)
            else:
                hit = _certify_ball(at, group, g, x)
                if hit is not None:
                    k, q = hit
                    return Witness(g, tuple(x), k, sv, Rational(q.numerator, q.denominator), False)
    return None


# -- the verb ---------------------------------------------------------------------------------------


def check(net: Any, group: Any, *, tries: int = 200, seed: int = 0, budget: int = DEFAULT_BUDGET) -> CheckResult:
    """Decide equivariance of ``net`` under ``group`` (see the module docstring)."""
    start = time.perf_counter()
    for g in group.names:
        token_parts(group, g, net)  # bad input (sizes, not of the form P (x) R) is refused up front
    attempts: list[str] = []

    def done(verdict: str, method: str, reason: str, **kw: Any) -> CheckResult:
        return CheckResult(Verdict(verdict), method, reason, net, group, attempts=tuple(attempts),
                           seconds=time.perf_counter() - start, **kw)

    c = construct(net, group, budget, on_budget="failure", continuum="failure")
    if c.found:
        return done("holds", "layerwise", "head matching: latent maps k_i(g) in K_i = GL(v)^H x| S_H make "
                    "every layer equivariant (token permutations structural), so f is equivariant", construction=c)
    attempts.append(f"head matching: {c.reason}")
    silent = _silent_layer(net)
    if silent is not None:
        fixed = all(_fixes_bias(net, group, g) for g in group.names)
        if fixed:
            return done("holds", "constant", f"every head of layer {silent} outputs 0 or is never read, so f(X) = 1 b^T "
                        "is constant, and R_g' b = b for every generator", construction=c)
    from symeq.architectures.attention.reduce import reduce_heads

    red = reduce_heads(net)
    if red.changed:
        c2 = construct(red.reduced, group, budget, on_budget="failure", continuum="failure")
        steps = "; ".join(s.describe() for s in red.steps)
        if c2.found:
            return done("holds", "reduction+layerwise", f"the submodel theta~ ({steps}) computes the same function, "
                        "and head matching gives it layerwise latent maps, so f is equivariant", construction=c2,
                        reduction=red)
        attempts.append(f"head matching on the submodel theta~ ({steps}): {c2.reason}")
    if net.normalization == "lightning":
        ok, g, note = polynomial_identity(net, group)
        attempts.append(note)
        if ok:
            return done("holds", "polynomial_identity", note + (" (for every value of the symbols)"
                                                                 if net.symbols else ""), construction=c)
    w = find_witness(net, group, tries, seed)
    if w is not None:
        how = "exactly" if w.exact else "by ball arithmetic (python-flint)"
        return done("fails", "witness", f"an input where f(rho_0(g) x) and rho_L(g) f(x) differ, proved {how}",
                    construction=c, witness=w)
    attempts.append(f"witness search: no separating input among {tries} tries")
    return done("unknown", "none", "unknown: neither a layerwise action nor a separating input was found",
                construction=c)
