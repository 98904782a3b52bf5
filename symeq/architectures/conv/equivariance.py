"""``symeq check`` for convolutional networks: is f(rho_0(g) x) = rho_L(g) f(x) for every x and
every generator g?

Methods, in order (the first that decides wins):

a. **layerwise** (:mod:`.matching`, the generalized adjunction): for every generator a latent
   element k_i(g) in every K_i with f_i(.; theta^g_i) = k_i o f_i(.; theta_i) o k_{i-1}^{-1}
   -> *holds*.  Every layer is then equivariant under rho_i(g) = s(g) o k_i(g), hence f.
b. **witness search**, first over a few (:data:`QUICK_TRIES`) small rational inputs, screened in
   floating point and certified exactly (algebraic activations) or by python-flint balls ->
   *fails*.  A broken network is usually refuted here in milliseconds, before (c) reduces the
   lowered MLP (seconds on a 4 x 4 grid with a few channels).
c. **lowered** (small networks): the same function as an MLP with block-circulant weights,
   decided by the MLP's methods (submodel reductions, polynomial identities, the relu canonical
   form, the linear bypass, witnesses) -> *holds* or *fails*.
d. the witness search over all ``tries`` inputs -> *fails*; otherwise *unknown*, with the reason.

>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> table = {"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]}
>>> net = from_dict(table)
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> r = check(net, G)
>>> r.verdict, r.method, r.construction.action("m")[0].describe()
('holds', 'layerwise', 'channel 0 shifted by 5')
>>> broken = from_dict(dict(table, filters=[[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "2"]]]]))
>>> r = check(broken, G)
>>> r.verdict, r.method, r.witness.generator
('fails', 'witness', 'm')
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from flint import ctx

from symeq.architectures.conv.group import ConvGroupAction
from symeq.architectures.conv.model import MAX_LOWERED, ConvNet
from symeq.architectures.mlp.witness import (_ARB_SIGMA, PRECISIONS, Witness, _arb_fraction_lower, _float_sigma,
                                             _fraction_sigma, _to_arb, simple_rational_below)
from symeq.errors import BudgetExceeded, InputError
from symeq.construction.construct import Construction, construct
from symeq.verdict import Verdict

__all__ = ["ConvCheckResult", "check", "certify_point", "find_witness", "act_input", "act_output", "describe_witness"]

#: Candidates certified per witness search after screening.
MAX_CERTIFY = 12


@dataclass(frozen=True)
class ConvCheckResult:
    """The verdict of :func:`check` with its evidence (see the module docstring).

    ``method``: ``layerwise``, ``lowered`` (``lowered_method`` names the MLP method), ``witness``
    or ``none``.  ``construction`` holds the latent actions (or why there are none); ``lowered``
    the MLP check's result; ``witness`` a proved separating input.
    """

    verdict: str
    method: str
    reason: str
    network: ConvNet
    group: ConvGroupAction
    construction: Construction | None = None
    witness: Witness | None = None
    lowered: Any = None
    attempts: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 holds, 1 fails, 3 unknown."""
        return Verdict(self.verdict).exit_code

    def certificate(self) -> dict[str, Any] | None:
        """The certificate (holds) or witness (fails) for the kernel; None for unknown."""
        from symeq.architectures.conv.certificate import check_certificate

        return check_certificate(self)

    def text(self) -> str:
        """The text report (what the command prints)."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The text report of ``symeq check``."""
        out = [f"verdict: {self.verdict}", f"method: {self.method}", f"reason: {self.reason}"]
        c = self.construction
        if self.verdict == "holds" and c is not None and c.found:
            for g in self.group.names:
                out.append(f"generator {g}: s({g}) = {self.group.grid_map(g).describe()} on every layer")
                for i, k in enumerate(c.action(g), start=1):
                    out.append(f"  k_{i}({g}): {k.describe()}")
        if self.witness is not None:
            out.append(f"witness: {describe_witness(self.witness)}")
        if self.verdict != "holds" or self.method != "layerwise":
            out.extend(f"  tried {a}" for a in self.attempts)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq check --json``."""
        out: dict[str, Any] = {"verdict": self.verdict, "method": self.method, "reason": self.reason,
                               "attempts": list(self.attempts), "seconds": round(self.seconds, 6),
                               "architecture": "conv"}
        c = self.construction
        if c is not None and c.found:
            out["actions"] = c.evidence_actions()
            out["actions_described"] = {g: [k.describe() for k in c.action(g)] for g in self.group.names}
        elif c is not None and c.failure is not None:
            out["layerwise_failure"] = c.failure.to_dict()
        if self.witness is not None:
            out["witness"] = self.witness.to_dict()
        if self.lowered is not None:
            out["lowered"] = {"verdict": self.lowered.verdict, "method": self.lowered.method,
                              "reason": self.lowered.reason}
        return out


# -- the group on signals ---------------------------------------------------------------------


def act_input(group: ConvGroupAction, g: str, x: np.ndarray) -> np.ndarray:
    """rho_0(g) x for x of shape (C_0, |Omega|) (any scalar type)."""
    gm = group.grid_map(g)
    r_in, _ = group.channel_matrices(g)
    moved = gm.on_signal(x)
    if r_in is None:
        return moved
    R = np.array(r_in.tolist(), dtype=object)
    return R.dot(moved)


def act_output(group: ConvGroupAction, g: str, y: np.ndarray, convert: Any = lambda v: v) -> np.ndarray:
    """rho_L(g) y for an output y (flat), with matrix entries passed through ``convert``."""
    k = group.names.index(g)
    R = group._rout[k]
    if group.dense_output:
        if R is None:
            return y
        M = np.array([[convert(v) for v in R.row(r)] for r in range(R.rows)], dtype=object)
        return M.dot(y)
    N = group.grid.size
    sig = group.grid_map(g).on_signal(y.reshape(-1, N))
    if R is not None:
        M = np.array([[convert(v) for v in R.row(r)] for r in range(R.rows)], dtype=object)
        sig = M.dot(sig)
    return sig.reshape(-1)


def _matrix_convert(group: ConvGroupAction, g: str, convert: Any) -> np.ndarray | None:
    r_in, _ = group.channel_matrices(g)
    if r_in is None:
        return None
    return np.array([[convert(v) for v in r_in.row(r)] for r in range(r_in.rows)], dtype=object)


# -- witnesses --------------------------------------------------------------------------------


def _rat(f: Fraction) -> sympy.Rational:
    return sympy.Rational(f.numerator, f.denominator)


def _frac(x: Any) -> Fraction:
    x = sympy.sympify(x)
    if not x.is_Rational:
        raise ValueError("not rational")
    return Fraction(int(x.p), int(x.q))


def certify_point(net: ConvNet, group: ConvGroupAction, g: str, x: Any) -> Witness | None:
    """Prove that the flat input ``x`` separates f(rho_0(g) x) and rho_L(g) f(x), or None.

    Exact arithmetic (Fractions) for rational networks with a piecewise-linear or polynomial
    activation; python-flint balls at increasing precision for the others."""
    xs = tuple(sympy.sympify(v) for v in x)
    act = net.activation
    sigma_f = _fraction_sigma(net)
    if act.algebraic and sigma_f is not None:
        try:
            lhs, rhs = _both_sides(net, group, g, xs, _frac, sigma_f)
        except ValueError:
            return None
        best = None
        for k, (u, v) in enumerate(zip(lhs, rhs)):
            d = abs(u - v)
            if d > 0 and (best is None or d > best[0]):
                best = (d, k, u - v)
        if best is None:
            return None
        d, k, diff = best
        q = d if len(str(d)) <= 24 else simple_rational_below(d)
        return Witness(g, xs, k, (), _rat(q), True, _rat(diff))
    if act.name not in _ARB_SIGMA:
        return None
    old = ctx.prec
    try:
        for bits in PRECISIONS:
            ctx.prec = bits
            lhs, rhs = _both_sides(net, group, g, xs, _to_arb, _ARB_SIGMA[act.name])
            lows = [_arb_fraction_lower(u - v) for u, v in zip(lhs, rhs)]
            k = max(range(len(lows)), key=lambda n: lows[n])
            if lows[k] > 0:
                return Witness(g, xs, k, (), _rat(simple_rational_below(lows[k] / 2)), False)
    finally:
        ctx.prec = old
    return None


def _both_sides(net: ConvNet, group: ConvGroupAction, g: str, xs: tuple[Any, ...], convert: Any,
                sigma: Any) -> tuple[np.ndarray, np.ndarray]:
    """f(rho_0(g) x) and rho_L(g) f(x) in the arithmetic of ``convert`` (Fractions or balls)."""
    xa = np.array([convert(v) for v in xs], dtype=object).reshape(net.channels[0], net.grid.size)
    rin = _matrix_convert(group, g, convert)
    moved = group.grid_map(g).on_signal(xa)
    moved = moved if rin is None else rin.dot(moved)
    lhs = net.forward_generic(moved, convert, sigma)
    return lhs, act_output(group, g, net.forward_generic(xa, convert, sigma), convert)


def _floats(m: Any) -> np.ndarray:
    return np.array([[float(m[r, c]) for c in range(m.cols)] for r in range(m.rows)], dtype=float)


def find_witness(net: ConvNet, group: ConvGroupAction, *, tries: int = 200, seed: int = 0) -> Witness | None:
    """Search ``tries`` small rational inputs for a proved witness (deterministic per seed)."""
    if tries <= 0 or net.symbols:
        return None
    rng = random.Random(seed)
    sigma = _float_sigma(net)
    C0, N = net.channels[0], net.grid.size
    xs = [tuple(sympy.Rational(rng.randint(-8, 8), rng.choice((1, 1, 2, 4))) for _ in range(C0 * N))
          for _ in range(tries)]
    X = np.array([[float(v) for v in x] for x in xs], dtype=float)
    candidates: list[tuple[float, str, tuple[sympy.Expr, ...]]] = []
    with np.errstate(all="ignore"):
        fx = net.forward_floats(X, sigma)
        for g in group.names:
            gm = group.grid_map(g)
            r_in, _ = group.channel_matrices(g)
            moved = gm.on_signal(X.reshape(-1, C0, N))
            if r_in is not None:
                moved = np.einsum("ab,nbp->nap", _floats(r_in), moved)
            lhs = net.forward_floats(moved.reshape(len(xs), -1), sigma)
            k = group.names.index(g)
            R = group._rout[k]
            if group.dense_output:
                rhs = fx if R is None else fx @ _floats(R).T
            else:
                rhs = gm.on_signal(fx.reshape(len(xs), -1, N))
                if R is not None:
                    rhs = np.einsum("ab,nbp->nap", _floats(R), rhs)
                rhs = rhs.reshape(len(xs), -1)
            size = np.nan_to_num(np.abs(lhs - rhs).max(axis=1), nan=np.inf)
            scale = 1.0 + np.abs(fx).max(axis=1)
            for n in range(len(xs)):
                candidates.append((float(size[n] / scale[n]), g, xs[n]))
    candidates.sort(key=lambda c: -c[0])
    promising = [c for c in candidates if c[0] > 1e-12][:MAX_CERTIFY] or candidates[:2]
    for _, g, x in promising:
        w = certify_point(net, group, g, x)
        if w is not None:
            return w
    return None


# -- the verb ---------------------------------------------------------------------------------


#: Inputs longer than this are not spelled out in text reports (--json has them).
MAX_SHOWN = 24


def describe_witness(w: Witness) -> str:
    """The witness in one line; a long input is summarized (``--json`` holds it whole)."""
    if len(w.x) <= MAX_SHOWN:
        return w.describe()
    how = "exactly" if w.exact else "by interval arithmetic"
    return (f"generator {w.generator}, an input of {len(w.x)} rational coordinates (in --json): coordinate "
            f"{w.coordinate} of f(rho_0 x) - rho_L f(x) has size >= {w.lower_bound} (proved {how})")


#: Inputs the first witness search tries before the lowered MLP's methods run.
QUICK_TRIES = 24


def check(net: ConvNet, group: ConvGroupAction, *, tries: int = 200, seed: int = 0,
          budget: int = 20_000) -> ConvCheckResult:
    """Decide end-to-end equivariance (see the module docstring)."""
    start = time.perf_counter()
    if not isinstance(group, ConvGroupAction):
        raise InputError("a convolutional network needs a convolutional group (grid maps on every layer)")
    attempts: list[str] = []

    def done(verdict: str, method: str, reason: str, **kw: Any) -> ConvCheckResult:
        return ConvCheckResult(verdict, method, reason, net, group, attempts=tuple(attempts),
                               seconds=time.perf_counter() - start, **kw)

    c = None
    missing = net.construction_missing()
    if missing is None:
        try:
            c = construct(net, group, budget, on_budget="failure")
        except BudgetExceeded as exc:  # pragma: no cover - on_budget="failure" reports it
            attempts.append(f"layerwise: {exc}")
        if c is not None and c.found:
            return done("holds", "layerwise", "every generator has latent maps k_i(g) in every K_i relating "
                        "theta^g to theta layer by layer (the generalized adjunction), so every layer is "
                        "equivariant under rho_i(g) = s(g) o k_i(g), hence f", construction=c)
        if c is not None:
            attempts.append(f"layerwise: {c.reason}")
    else:
        attempts.append(f"layerwise: {missing}")
    w = find_witness(net, group, tries=min(tries, QUICK_TRIES), seed=seed)
    if w is not None:
        return done("fails", "witness", f"f(rho_0({w.generator}) x) != rho_L({w.generator}) f(x) at a proved "
                    f"input ({describe_witness(w)})", construction=c, witness=w)
    lowered = None
    if max(net.spaces()) <= MAX_LOWERED and not net.symbols:
        from symeq.architectures.mlp.equivariance import check_equivariance

        try:
            mlp, dense_group = net.to_mlp(), _dense_group(group)
            lowered = check_equivariance(mlp, dense_group, tries=tries, seed=seed)
            attempts.append(f"lowered to a {'-'.join(map(str, mlp.widths))} MLP: {lowered.verdict} "
                            f"({lowered.method})")
        except (InputError, BudgetExceeded) as exc:
            attempts.append(f"lowered: {exc}")
        if lowered is not None and lowered.verdict == "holds":
            return done("holds", "lowered", f"the same function as a block-circulant MLP is equivariant "
                        f"({lowered.method}: {lowered.reason})", construction=c, lowered=lowered)
        if lowered is not None and lowered.verdict == "fails" and lowered.witness is not None:
            w = certify_point(net, group, lowered.witness.generator, lowered.witness.x)
            if w is not None:
                return done("fails", "witness", f"f(rho_0({w.generator}) x) != rho_L({w.generator}) f(x) "
                            f"at a proved input ({describe_witness(w)})", construction=c, witness=w, lowered=lowered)
    w = find_witness(net, group, tries=tries, seed=seed)
    if w is not None:
        return done("fails", "witness", f"f(rho_0({w.generator}) x) != rho_L({w.generator}) f(x) at a proved "
                    f"input ({describe_witness(w)})", construction=c, witness=w, lowered=lowered)
    attempts.append(f"witness search: no certified separating input among {tries} tries")
    why = c.reason if c is not None and c.reason else "no method decided"
    return done("unknown", "none", f"unknown: no layerwise action ({why}) and no separating input was "
                "found", construction=c, lowered=lowered)


def _dense_group(group: ConvGroupAction) -> Any:
    """The same group as a GroupAction with dense matrices (small networks)."""
    from symeq.groups import GroupAction

    return GroupAction(group.names, group.inputs, group.outputs, group.relations)

