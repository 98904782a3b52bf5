"""Witnesses of non-equivariance: an input where f(rho_0(g) x) and rho_L(g) f(x) differ.

A witness is a generator g, an exact input x (and exact values of the network's symbols), an
output coordinate k and a simple rational q > 0 with

    |(f(rho_0(g) x) - rho_L(g) f(x))[k]| >= q.

The bound is proved, never estimated:

- for algebraic activations (identity, relu, leaky_relu, power, poly) the difference is
  computed exactly; q is its absolute value when that is a short rational, else a simple
  rational below it, certified with python-flint balls;
- for transcendental activations (tanh, sigmoid, gelu, softplus, swish, sin) the difference is
  enclosed in a python-flint ``arb`` ball at increasing precision until the ball excludes 0;
  q is a simple rational at most half its certified lower bound (so that the independent
  checker certifies it at its own precision).

:func:`find_witness` searches small rational inputs (and small rational symbol values).  It
screens candidates in floating point first -- an approximation that only *orders* the
candidates -- and then certifies the most promising ones exactly or by balls.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"]], [["1"]]],
...                          "biases": [["0"], ["0"]]})
>>> w = find_witness(net, catalog_group("S2", 2, 1, output="trivial"))
>>> w.generator, w.coordinate, w.exact
('t', 0, False)
>>> sorted(w.to_dict())
['coordinate', 'difference_lower_bound', 'generator', 'symbol_values', 'x']
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np
import sympy
from flint import arb, ctx, fmpq
from sympy import ImmutableMatrix

from symeq.exact import exact_string, number_to_string
from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP

__all__ = ["Witness", "certify_point", "find_witness", "forward_ball", "simple_rational_below", "PRECISIONS"]

#: Ball precisions (bits) tried in turn for transcendental activations.  The checker goes to
#: 4096 bits, so a bound proved at 2048 bits (and halved) is re-proved there with room to spare.
PRECISIONS = (64, 128, 256, 512, 1024, 2048)
#: Candidates certified per search after screening.
MAX_CERTIFY = 12
#: Precisions (bits) of the ball screen for saturated networks, and its work cap: candidates
#: screened times network parameters (about 1 s per 100,000 at 2048 bits on a small network).
BALL_SCREEN_PRECISIONS = (1024, 2048)
BALL_SCREEN_WORK = 200_000
#: Smallest lower bound a witness may state: certificates write it as an exact number, whose
#: numerator and denominator have at most ``symeq.exact.MAX_DIGITS`` (400) digits.
MIN_BOUND = Fraction(1, 10**380)


@dataclass(frozen=True)
class Witness:
    """A proved separating input (see the module docstring)."""

    generator: str
    x: tuple[sympy.Expr, ...]
    coordinate: int
    symbol_values: tuple[tuple[str, sympy.Expr], ...]
    lower_bound: sympy.Rational
    exact: bool
    difference: sympy.Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        """The witness in the certificate and ``--json`` format (exact strings).

        >>> from sympy import Integer
        >>> Witness("g", (Integer(1), sympy.Rational(1, 2)), 0, (("a", Integer(2)),),
        ...         sympy.Rational(1, 10), False).to_dict()["x"]
        ['1', '1/2']
        """
        return {
            "generator": self.generator,
            "x": [exact_string(v) for v in self.x],
            "coordinate": self.coordinate,
            "symbol_values": {name: exact_string(v) for name, v in self.symbol_values},
            "difference_lower_bound": exact_string(self.lower_bound),
        }

    def describe(self) -> str:
        """One line for the text report."""
        xs = ", ".join(number_to_string(v) for v in self.x)
        sv = ", ".join(f"{n} = {number_to_string(v)}" for n, v in self.symbol_values)
        how = "exactly" if self.exact else "by interval arithmetic"
        text = (f"generator {self.generator}, x = ({xs}){', with ' + sv if sv else ''}: coordinate "
                f"{self.coordinate} of f(rho_0 x) - rho_L f(x) has size >= "
                f"{number_to_string(self.lower_bound)} (proved {how})")
        if self.difference is not None:
            text += f"; the difference is {number_to_string(self.difference)}"
        return text


def simple_rational_below(x: Fraction) -> Fraction:
    """A short rational q with 0 < q <= x: one significant decimal digit.

    >>> simple_rational_below(Fraction(3141, 1000)), simple_rational_below(Fraction(7, 900))
    (Fraction(3, 1), Fraction(7, 1000))
    """
    if x <= 0:
        raise ValueError("x must be positive")
    e = math.floor(math.log10(x.numerator) - math.log10(x.denominator))
    unit = Fraction(10) ** e
    while unit > x:
        unit /= 10
    while unit * 10 <= x:
        unit *= 10
    return (x // unit) * unit


# -- exact and interval evaluation -------------------------------------------------------------


def _to_arb(x: sympy.Expr) -> arb:
    """A rigorous ball around an exact real constant (rationals, radicals, pi, tanh(q))."""
    if x.is_Rational:
        return arb(fmpq(int(x.p), int(x.q)))
    if x is sympy.pi:
        return arb.pi()
    if isinstance(x, sympy.tanh):
        return _to_arb(x.args[0]).tanh()
    if isinstance(x, sympy.Add):
        return sum((_to_arb(t) for t in x.args), arb(0))
    if isinstance(x, sympy.Mul):
        out = arb(1)
        for t in x.args:
            out *= _to_arb(t)
        return out
    if isinstance(x, sympy.Pow) and x.exp.is_Rational:
        base = _to_arb(x.base)
        if x.exp.is_Integer:
            return base ** int(x.exp)
        if x.exp == sympy.Rational(1, 2):
            return base.sqrt()
        return (base.log() * arb(fmpq(int(x.exp.p), int(x.exp.q)))).exp()
    raise ValueError(f"cannot enclose {x} in a ball")


def _arb_fraction_lower(ball: arb) -> Fraction:
    """An exact rational lower bound of |ball| (0 when the ball contains 0)."""
    if ball.contains(0):
        return Fraction(0)
    man, exp = ball.abs_lower().mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man) * (Fraction(2) ** exp)


_ARB_SIGMA: dict[str, Callable[[arb], arb]] = {
    "tanh": lambda z: z.tanh(),
    "sigmoid": lambda z: 1 / (1 + (-z).exp()),
    "gelu": lambda z: z * (1 + (z / arb(2).sqrt()).erf()) / 2,
    "softplus": lambda z: z.exp().log1p(),
    "swish": lambda z: z / (1 + (-z).exp()),
    "sin": lambda z: z.sin(),
}


def _arb_forward(ws: list[list[list[arb]]], bs: list[list[arb]], sigma: Callable[[arb], arb],
                 x: list[arb]) -> list[arb]:
    depth = len(ws)
    for i, (w, b) in enumerate(zip(ws, bs), start=1):
        z = [sum((wr[c] * x[c] for c in range(len(x))), br) for wr, br in zip(w, b)]
        x = z if i == depth else [sigma(v) for v in z]
    return x


def forward_ball(net: MLP, x: Sequence[sympy.Expr], bits: int = 64) -> list[arb]:
    """Rigorous balls around f(x) at ``bits`` of working precision, for a numeric network with a
    transcendental activation (tanh, sigmoid, gelu, softplus, swish, sin) and an exact input.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "softplus", "weights": [[["1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> forward_ball(net, [sympy.Integer(0)])[0].overlaps(arb(2).log())
    True
    """
    if net.symbols or net.activation.name not in _ARB_SIGMA:
        raise ValueError("balls are for numeric networks with a transcendental activation")
    old = ctx.prec
    try:
        ctx.prec = bits
        ws = [[[_to_arb(v) for v in w.row(r)] for r in range(w.rows)] for w in net.weights]
        bs = [[_to_arb(v) for v in b] for b in net.biases]
        return _arb_forward(ws, bs, _ARB_SIGMA[net.activation.name], [_to_arb(v) for v in x])
    finally:
        ctx.prec = old


def _rational_net(net: MLP) -> tuple[list[list[list[Fraction]]], list[list[Fraction]]] | None:
    if not all(v.is_Rational for m in net.weights + net.biases for v in m):
        return None
    ws = [[[Fraction(int(w[r, c].p), int(w[r, c].q)) for c in range(w.cols)] for r in range(w.rows)]
          for w in net.weights]
    bs = [[Fraction(int(v.p), int(v.q)) for v in b] for b in net.biases]
    return ws, bs


def _fraction_sigma(net: MLP) -> Callable[[Fraction], Fraction] | None:
    act = net.activation
    if act.name == "identity":
        return lambda z: z
    if act.name == "relu":
        return lambda z: z if z > 0 else Fraction(0)
    if act.name == "leaky_relu":
        s = act._slope
        slope = Fraction(int(s.p), int(s.q))
        return lambda z: z if z > 0 else slope * z
    if act.polynomial:
        zs = sympy.Symbol("z", real=True)
        coeffs = sympy.Poly(act.expr(zs), zs).all_coeffs()
        if not all(c.is_Rational for c in coeffs):
            return None
        fc = [Fraction(int(c.p), int(c.q)) for c in coeffs]

        def poly(z: Fraction) -> Fraction:
            out = Fraction(0)
            for c in fc:
                out = out * z + c
            return out
        return poly
    return None


def _exact_difference(net: MLP, rho0: ImmutableMatrix, rho_l: ImmutableMatrix,
                      x: Sequence[sympy.Expr]) -> list[sympy.Expr]:
    """f(rho_0 x) - rho_L f(x), exactly (algebraic activations, constant network)."""
    rat = _rational_net(net)
    sigma = _fraction_sigma(net)
    if (rat is not None and sigma is not None and all(v.is_Rational for v in x)
            and all(v.is_Rational for m in (rho0, rho_l) for v in m)):
        ws, bs = rat
        fx = [Fraction(int(v.p), int(v.q)) for v in x]
        r0 = [[Fraction(int(v.p), int(v.q)) for v in rho0.row(r)] for r in range(rho0.rows)]
        rl = [[Fraction(int(v.p), int(v.q)) for v in rho_l.row(r)] for r in range(rho_l.rows)]

        def forward(v: list[Fraction]) -> list[Fraction]:
            for i, (w, b) in enumerate(zip(ws, bs), start=1):
                z = [sum((a * c for a, c in zip(wr, v) if a), br) for wr, br in zip(w, b)]
                v = z if i == len(ws) else [sigma(e) for e in z]
            return v

        gx = [sum((a * c for a, c in zip(row, fx)), Fraction(0)) for row in r0]
        lhs, f = forward(gx), forward(fx)
        rhs = [sum((a * c for a, c in zip(row, f)), Fraction(0)) for row in rl]
        return [sympy.Rational(d.numerator, d.denominator) for d in (u - v for u, v in zip(lhs, rhs))]
    xv = ImmutableMatrix(len(x), 1, list(x))
    diff = net.value(rho0 * xv) - rho_l * net.value(xv)
    return [sympy.radsimp(sympy.expand(v)) for v in diff]


def _bound_of_exact(d: sympy.Expr) -> sympy.Rational | None:
    """q <= |d| simple and positive, or None when d = 0."""
    if d.is_Rational:
        if d == 0:
            return None
        a = abs(d)
        if len(number_to_string(a)) <= 24:
            return a
        q = simple_rational_below(Fraction(int(a.p), int(a.q)))
        return _rat(q) if q >= MIN_BOUND else None
    old = ctx.prec
    try:
        for bits in PRECISIONS:
            ctx.prec = bits
            lb = _arb_fraction_lower(_to_arb(d))
            if lb >= 2 * MIN_BOUND:
                return _rat(simple_rational_below(lb / 2))
    finally:
        ctx.prec = old
    return None


def _rat(f: Fraction) -> sympy.Rational:
    return sympy.Rational(f.numerator, f.denominator)


def certify_point(net: MLP, group: GroupAction, generator: str, x: Sequence[sympy.Expr],
                  symbol_values: Sequence[tuple[str, sympy.Expr]] = ()) -> Witness | None:
    """Prove that ``x`` separates the two sides for ``generator``, or return None.

    Chooses the output coordinate with the largest proved difference.

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "relu", "weights": [[["1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> certify_point(net, catalog_group("sign", 1, 1), "m", [sympy.Integer(2)]).to_dict()
    {'generator': 'm', 'x': ['2'], 'coordinate': 0, 'symbol_values': {}, 'difference_lower_bound': '2'}
    """
    values = {sympy.Symbol(n, real=True): v for n, v in symbol_values}
    if set(values) != set(net.symbols):
        raise ValueError("symbol values must be given for exactly the network's symbols")
    inst = net.subs(values) if values else net
    rho0, rho_l = group.generator(generator)
    x = tuple(sympy.sympify(v) if isinstance(v, int) else v for v in x)
    act = inst.activation
    if act.algebraic:
        diff = _exact_difference(inst, rho0, rho_l, x)
        best: tuple[sympy.Rational, int, sympy.Expr] | None = None
        for k, d in enumerate(diff):
            q = _bound_of_exact(d)
            if q is not None and (best is None or q > best[0]):
                best = (q, k, d)
        if best is None:
            return None
        return Witness(generator, x, best[1], tuple(symbol_values), best[0], True, best[2])
    for bits in PRECISIONS:
        found = _ball_difference(inst, rho0, rho_l, x, bits)
        if found is not None:
            k, low = found
            return Witness(generator, x, k, tuple(symbol_values), _rat(simple_rational_below(low / 2)), False)
    return None


def _ball_difference(inst: MLP, rho0: ImmutableMatrix, rho_l: ImmutableMatrix, x: Sequence[sympy.Expr],
                     bits: int) -> tuple[int, Fraction] | None:
    """(k, a proved lower bound of |(f(rho_0 x) - rho_L f(x))[k]|) for the coordinate k with the
    largest bound at ``bits`` of working precision, or None when every ball contains 0
    (numeric network, transcendental activation)."""
    sigma = _ARB_SIGMA[inst.activation.name]
    old = ctx.prec
    try:
        ctx.prec = bits
        ws = [[[_to_arb(v) for v in w.row(r)] for r in range(w.rows)] for w in inst.weights]
        bs = [[_to_arb(v) for v in b] for b in inst.biases]
        xa = [_to_arb(v) for v in x]
        r0 = [[_to_arb(v) for v in rho0.row(r)] for r in range(rho0.rows)]
        rl = [[_to_arb(v) for v in rho_l.row(r)] for r in range(rho_l.rows)]
        gx = [sum((a * c for a, c in zip(row, xa)), arb(0)) for row in r0]
        lhs, f = _arb_forward(ws, bs, sigma, gx), _arb_forward(ws, bs, sigma, xa)
        rhs = [sum((a * c for a, c in zip(row, f)), arb(0)) for row in rl]
        lows = [_arb_fraction_lower(u - v) for u, v in zip(lhs, rhs)]
    finally:
        ctx.prec = old
    k = max(range(len(lows)), key=lambda n: lows[n])
    return (k, lows[k]) if lows[k] >= 2 * MIN_BOUND else None


# -- search ------------------------------------------------------------------------------------


def _float_sigma(net: MLP) -> Callable[[np.ndarray], np.ndarray]:
    from scipy.special import erf, expit

    act = net.activation
    name = act.name
    if name == "identity":
        return lambda z: z
    if name == "tanh":
        return np.tanh
    if name == "sigmoid":
        return expit
    if name == "relu":
        return lambda z: np.maximum(z, 0.0)
    if name == "leaky_relu":
        s = float(act._slope)
        return lambda z: np.where(z > 0, z, s * z)
    if name == "gelu":
        return lambda z: z * (1 + erf(z / math.sqrt(2))) / 2
    if name == "softplus":
        return lambda z: np.logaddexp(0.0, z)
    if name == "swish":
        return lambda z: z * expit(z)
    if name == "sin":
        return np.sin
    zs = sympy.Symbol("z", real=True)
    coeffs = [float(c) for c in sympy.Poly(act.expr(zs), zs).all_coeffs()]
    return lambda z: np.polyval(coeffs, z)


def _floats(m: ImmutableMatrix) -> np.ndarray:
    return np.array([[float(m[r, c]) for c in range(m.cols)] for r in range(m.rows)], dtype=float)


def _small_rational(rng: random.Random) -> sympy.Rational:
    return sympy.Rational(rng.randint(-8, 8), rng.choice((1, 1, 2, 4)))


def find_witness(net: MLP, group: GroupAction, *, tries: int = 200, seed: int = 0) -> Witness | None:
    """Search ``tries`` small rational inputs (and symbol values) for a proved witness.

    Deterministic for a given seed.  Returns None when no candidate could be certified.

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "relu", "weights": [[["1", "0"]], [["w"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> w = find_witness(net, catalog_group("S2", 2, 1, output="trivial"))
    >>> w.exact, [name for name, _ in w.symbol_values]
    (True, ['w'])
    """
    if tries <= 0:
        return None
    rng = random.Random(seed)
    symbols = sorted(net.symbols, key=str)
    rounds = min(tries, 8) if symbols else 1
    per_round = [tries // rounds + (1 if n < tries % rounds else 0) for n in range(rounds)]
    sigma = _float_sigma(net)
    candidates: list[tuple[float, tuple[tuple[str, sympy.Expr], ...], str, tuple[sympy.Expr, ...]]] = []
    for count in per_round:
        sv = tuple((str(s), _small_rational(rng)) for s in symbols)
        inst = net.subs({s: v for s, (_, v) in zip(symbols, sv)}) if symbols else net
        try:
            ws = [_floats(w) for w in inst.weights]
            bs = [_floats(b)[:, 0] for b in inst.biases]
        except (TypeError, ValueError):  # e.g. a symbol value hit a pole
            continue
        xs = [tuple(_small_rational(rng) for _ in range(net.widths[0])) for _ in range(count)]
        X = np.array([[float(v) for v in x] for x in xs], dtype=float)

        def forward(v: np.ndarray) -> np.ndarray:
            for i, (w, b) in enumerate(zip(ws, bs), start=1):
                v = v @ w.T + b
                if i < len(ws):
                    v = sigma(v)
            return v

        with np.errstate(all="ignore"):
            fx = forward(X)
            for g, rho0, rho_l in group.generators():
                d = forward(X @ _floats(rho0).T) - fx @ _floats(rho_l).T
                size = np.nan_to_num(np.abs(d).max(axis=1), nan=np.inf)
                scale = 1.0 + np.abs(fx).max(axis=1)
                for n in range(len(xs)):
                    candidates.append((float(size[n] / scale[n]), sv, g, xs[n]))
    candidates.sort(key=lambda c: -c[0])
    promising = [c for c in candidates if c[0] > 1e-12][:MAX_CERTIFY] or candidates[:2]
    for _, sv, g, x in promising:
        try:
            w = certify_point(net, group, g, x, sv)
        except (ValueError, ZeroDivisionError):
            continue
        if w is not None:
            return w
    if net.activation.algebraic:
        return None
    return _ball_screen(net, group, [c[1:] for c in candidates if c not in promising])


def _ball_screen(net: MLP, group: GroupAction,
                 candidates: Sequence[tuple[tuple[tuple[str, sympy.Expr], ...], str, tuple[sympy.Expr, ...]]]
                 ) -> Witness | None:
    """The candidates screened by balls at high precision, in order, within
    ``BALL_SCREEN_WORK``; the first one whose difference ball excludes 0 is certified.

    A saturated network (gelu far below 0, tanh near +-1) can differ by 1e-150 at every small
    input: floats see 0 everywhere and order nothing, while a ball keeps the relative precision
    of each tiny activation and sees the difference once the working precision covers it.
    """
    params = sum(w.rows * (w.cols + 1) for w in net.weights)
    cap = max(1, BALL_SCREEN_WORK // max(1, params))
    symbols = sorted(net.symbols, key=str)
    generators = {g: (rho0, rho_l) for g, rho0, rho_l in group.generators()}
    for bits in BALL_SCREEN_PRECISIONS:
        for sv, g, x in candidates[:cap]:
            try:
                inst = net.subs({s: v for s, (_, v) in zip(symbols, sv)}) if symbols else net
                if _ball_difference(inst, *generators[g], x, bits) is None:
                    continue
                w = certify_point(net, group, g, x, sv)
            except (ValueError, ZeroDivisionError):
                continue
            if w is not None:
                return w
    return None
