"""Exact identities: the polynomial identity and the one-hidden-layer ReLU canonical form.

*Polynomial identity* (identity, power:M, poly:EXPR activations).  f(rho_0(g) x) - rho_L(g) f(x)
is a vector of polynomials in the inputs x_1..x_d and the network's symbols; it is expanded
exactly in the ring K0[symbols, pi, x] (:mod:`symeq.rings`).  Equivariance holds
for every value of the symbols exactly when every coefficient is zero.  Otherwise a nonzero
coordinate gives an exact rational point where it does not vanish: assign the variables one at
a time, each to the first of 0, 1, -1, 2, -2, ... that keeps the polynomial nonzero (a nonzero
polynomial of degree n in a variable survives all but at most n of these values).

*ReLU canonical form* (one hidden relu or leaky_relu layer, numeric parameters).  With
leaky(z) = s z + (1 - s) relu(z), relu(lambda z) = lambda relu(z) for lambda > 0 and
relu(-z) = relu(z) - z, the network is rewritten as

    f(x) = sum_h C_h relu(n_h . x + beta_h) + A x + a,

with each hyperplane (n_h, beta_h) scaled so that the first nonzero entry of n_h is +1 and equal
hyperplanes merged.  Functions relu(n_h . x + beta_h) of distinct normalized hyperplanes are
linearly independent modulo affine maps (each has its kink on its own hyperplane), so two such
networks are equal exactly when the forms are.  This decides the C_8 example of docs/theory.md
section 6, which has no layerwise action.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "power:2", "weights": [[["1", "1"]], [["1"]]],
...                          "biases": [["0"], ["0"]]})
>>> polynomial_identity(net, catalog_group("S2", 2, 1, output="trivial")).holds
True
>>> square = network_from_dict({"activation": "power:2", "weights": [[["1"]], [["1"]]],
...                             "biases": [["0"], ["0"]]})
>>> out = polynomial_identity(square, catalog_group("sign", 1, 1))
>>> out.holds, out.generator, out.point, out.difference
(False, 'm', (1,), 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Any

import sympy
from sympy import Integer

from symeq.errors import BudgetExceeded
from symeq.exact import Matrix
from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP
from symeq.rings import ExactRing, exact_ring

__all__ = [
    "IdentityOutcome",
    "ReluForm",
    "polynomial_identity",
    "relu_form",
    "relu_identity",
    "DEFAULT_MAX_TERMS",
]

#: Largest number of polynomial terms the expansion may hold at once.
DEFAULT_MAX_TERMS = 200_000


@dataclass(frozen=True)
class IdentityOutcome:
    """An exact decision of f(rho_0(g) x) = rho_L(g) f(x) for every generator g.

    When it fails: ``generator``, ``coordinate`` and an exact ``point`` x (with
    ``symbol_values`` for a symbolic network) where the difference is ``difference`` != 0.
    """

    holds: bool
    method: str
    generator: str | None = None
    coordinate: int | None = None
    point: tuple[sympy.Expr, ...] | None = None
    symbol_values: tuple[tuple[str, sympy.Expr], ...] = ()
    difference: sympy.Expr | None = None


# -- polynomial identity ----------------------------------------------------------------------


def _poly_coefficients(net: MLP) -> list[sympy.Expr]:
    """Coefficients c_0..c_m of sigma(z) = sum c_k z^k for a polynomial activation."""
    z = sympy.Symbol("z", real=True)
    return list(reversed(sympy.Poly(net.activation.expr(z), z).all_coeffs()))


def polynomial_identity(net: MLP, group: GroupAction, *, max_terms: int = DEFAULT_MAX_TERMS) -> IdentityOutcome:
    """Expand f(rho_0(g) x) - rho_L(g) f(x) exactly for each generator (polynomial activations).

    Raises BudgetExceeded when the expansion would pass ``max_terms`` terms, and ValueError
    for a non-polynomial activation or parameters outside K0[symbols, pi].

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "identity", "weights": [[["a", "0"], ["0", "a"]],
    ...     [["1", "0"], ["0", "1"]]], "biases": [["0", "0"], ["0", "0"]]})
    >>> polynomial_identity(net, catalog_group("C4", 2, 2)).holds
    True
    """
    if not net.activation.polynomial:
        raise ValueError(f"{net.activation.spec} is not a polynomial activation")
    d = net.widths[0]
    xs = [sympy.Dummy(f"x{c + 1}", real=True) for c in range(d)]
    coeffs = _poly_coefficients(net)
    entries = [x for m in net.weights + net.biases + group.inputs + group.outputs for x in m]
    R = exact_ring(entries + coeffs, extra_gens=xs)
    if R is None:
        raise ValueError("the parameters are not polynomials in the symbols with algebraic coefficients")
    ring = R.ring
    xgens = ring.gens[len(R.gens) - d:]
    ws = [R.matrix(w) for w in net.weights]
    bs = [[row[0] for row in R.matrix(b)] for b in net.biases]
    cs = [R.element(c) for c in coeffs]

    def sigma(e: Any) -> Any:
        if len(cs) == 2 and cs[0] == 0 and cs[1] == 1:
            return e
        degree = len(cs) - 1
        if len(e) > 1 and comb(len(e) + degree - 1, degree) > max_terms:
            raise BudgetExceeded(f"more than {max_terms} terms")
        out = ring.zero
        for c in reversed(cs):  # Horner
            out = out * e + c
        return out

    def forward(v: list[Any]) -> list[Any]:
        for i, (w, b) in enumerate(zip(ws, bs), start=1):
            z = [sum((wr[c] * v[c] for c in range(len(v)) if wr[c]), ring.zero) + br
                 for wr, br in zip(w, b)]
            if i < net.depth:
                z = [sigma(e) for e in z]
            if sum(len(e) for e in z) > max_terms:
                raise BudgetExceeded(f"more than {max_terms} terms")
            v = z
        return v

    x = list(xgens)
    fx = forward(x)
    for g, rho0, rho_l in group.generators():
        r0, rl = R.matrix(rho0), R.matrix(rho_l)
        gx = [sum((r0[r][c] * x[c] for c in range(d) if r0[r][c]), ring.zero) for r in range(d)]
        lhs = forward(gx)
        for k in range(len(lhs)):
            rhs = sum((rl[k][m] * fx[m] for m in range(len(fx)) if rl[k][m]), ring.zero)
            diff = lhs[k] - rhs
            if diff:
                return _point_outcome(R, diff, g, k, xgens, net)
    return IdentityOutcome(True, "polynomial_identity")


def _point_outcome(R: ExactRing, diff: Any, g: str, k: int, xgens: tuple[Any, ...], net: MLP) -> IdentityOutcome:
    """An exact point where the nonzero polynomial ``diff`` does not vanish."""
    ring = R.ring
    symbol_gens = [(ring.gens[n], R.gens[n]) for n in range(len(R.gens) - len(xgens))
                   if R.gens[n] is not sympy.pi]
    values: dict[Any, Integer] = {}
    for gen, _ in symbol_gens + [(x, None) for x in xgens]:
        for s in _small_integers():
            trial = diff.subs(gen, s)
            if trial:
                diff, values[gen] = trial, Integer(s)
                break
    x = tuple(values[gen] for gen in xgens)
    sv = tuple((str(sym), values[gen]) for gen, sym in symbol_gens if sym in net.symbols)
    return IdentityOutcome(False, "polynomial_identity", g, k, x, sv, sympy.expand(R.to_sympy(diff)))


def _small_integers() -> Any:
    yield 0
    n = 1
    while True:
        yield n
        yield -n
        n += 1


# -- ReLU canonical form ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReluForm:
    """sum_h C_h relu(n_h . x + beta_h) + A x + a with normalized, distinct hyperplanes.

    ``terms`` maps (n_h..., beta_h) to the coefficient vector C_h (only nonzero ones);
    ``linear`` is A (rows), ``constant`` is a.  Entries are elements of ``field``.
    """

    field: Any
    terms: dict[tuple[Any, ...], tuple[Any, ...]]
    linear: tuple[tuple[Any, ...], ...]
    constant: tuple[Any, ...]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ReluForm) and self.terms == other.terms
                and self.linear == other.linear and self.constant == other.constant)

    __hash__ = None  # type: ignore[assignment]

    def value(self, x: list[Any]) -> list[Any]:
        """The form at a point x (field elements), exactly."""
        K = self.field
        out = [c + sum((a * xv for a, xv in zip(row, x)), K.zero)
               for row, c in zip(self.linear, self.constant)]
        for key, coef in self.terms.items():
            z = sum((n * xv for n, xv in zip(key[:-1], x)), K.zero) + key[-1]
            if _positive(K, z):
                out = [o + c * z for o, c in zip(out, coef)]
        return out


def _positive(K: Any, x: Any) -> bool:
    """x > 0 for an element of QQ or a real algebraic field, decided exactly.

    Raises ValueError when sympy cannot decide the sign: reading "undecided" as "not positive"
    would put a hyperplane on the wrong side and could make two different forms look equal.

    >>> from sympy import QQ, sqrt
    >>> from sympy.polys.constructor import construct_domain
    >>> K, _ = construct_domain([sqrt(2)], extension=True)
    >>> _positive(QQ, QQ(-1, 2)), _positive(K, K.from_sympy(sqrt(2) - 1))
    (False, True)
    """
    if not x:
        return False
    if K.is_QQ:
        return x > 0
    sign = K.to_sympy(x).is_positive
    if sign is None:
        raise ValueError(f"cannot decide the sign of {K.to_sympy(x)}")
    return bool(sign)


def relu_form(field: Any, w1: list[list[Any]], b1: list[Any], w2: list[list[Any]], b2: list[Any],
              slope: Any) -> ReluForm:
    """The canonical form of x -> W_2 sigma(W_1 x + b_1) + b_2 for relu (slope 0) or leaky_relu.

    >>> from sympy import QQ
    >>> f = relu_form(QQ, [[QQ(2)], [QQ(-1)]], [QQ(0), QQ(0)], [[QQ(1), QQ(1)]], [QQ(0)], QQ(0))
    >>> f.terms, f.linear
    ({(1, 0): (3,)}, ((-1,),))
    """
    K = field
    d_out, d_in = len(w2), len(w1[0])
    lin = [[K.zero] * d_in for _ in range(d_out)]
    const = list(b2)
    terms: dict[tuple[Any, ...], list[Any]] = {}
    for j, (w, beta) in enumerate(zip(w1, b1)):
        u = [w2[m][j] for m in range(d_out)]
        if slope:
            for m in range(d_out):
                for c in range(d_in):
                    lin[m][c] += slope * u[m] * w[c]
                const[m] += slope * u[m] * beta
            u = [(K.one - slope) * v for v in u]
        if not any(u):
            continue
        lead = next((v for v in w if v), None)
        if lead is None:
            if _positive(K, beta):
                const = [c + v * beta for c, v in zip(const, u)]
            continue
        s = lead if _positive(K, lead) else -lead
        n = [v / s for v in w]
        b = beta / s
        u = [v * s for v in u]
        if not _positive(K, lead):
            for m in range(d_out):
                for c in range(d_in):
                    lin[m][c] += u[m] * n[c]
                const[m] += u[m] * b
            n, b = [-v for v in n], -b
        key = tuple(n) + (b,)
        acc = terms.setdefault(key, [K.zero] * d_out)
        for m in range(d_out):
            acc[m] += u[m]
    return ReluForm(K, {k: tuple(v) for k, v in terms.items() if any(v)},
                    tuple(tuple(r) for r in lin), tuple(const))


def relu_identity(net: MLP, group: GroupAction, *, tries: int = 200, seed: int = 0) -> IdentityOutcome:
    """Decide equivariance of a one-hidden-layer relu/leaky_relu network by canonical forms.

    Raises ValueError when the network is not of that kind (symbols, depth, activation).

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "relu", "widths": [2, 4, 2],
    ...     "weights": [[["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]],
    ...                 [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
    ...     "biases": [["0", "0", "0", "0"], ["0", "0"]]})
    >>> relu_identity(net, catalog_group("C8", 2, 2)).holds
    True
    """
    act = net.activation
    if act.name not in ("relu", "leaky_relu") or net.depth != 2 or net.symbols:
        raise ValueError("the canonical form needs one hidden relu/leaky_relu layer and no symbols")
    entries = [x for m in net.weights + net.biases + group.inputs + group.outputs for x in m]
    slope_expr = act._slope if act.name == "leaky_relu" else Integer(0)
    R = exact_ring(entries + [slope_expr])
    if R is None or R.gens:
        raise ValueError("the canonical form needs algebraic numbers (no symbols, no pi)")
    K = R.ground

    def mat(m: Matrix) -> list[list[Any]]:
        return [[K.from_sympy(m[r, c]) for c in range(m.cols)] for r in range(m.rows)]

    def vec(m: Matrix) -> list[Any]:
        return [K.from_sympy(v) for v in m]

    (w1, w2), (b1, b2) = net.weights, net.biases
    slope = K.from_sympy(slope_expr)
    rhs_cache: dict[str, ReluForm] = {}
    for g, rho0, rho_l in group.generators():
        lhs = relu_form(K, mat(w1 * rho0), vec(b1), mat(w2), vec(b2), slope)
        rhs = relu_form(K, mat(w1), vec(b1), mat(rho_l * w2), vec(rho_l * b2), slope)
        rhs_cache[g] = rhs
        if lhs != rhs:
            x, k, diff = _relu_point(K, lhs, rhs, tries, seed)
            return IdentityOutcome(False, "relu_canonical_form", g, k,
                                   tuple(K.to_sympy(v) for v in x),
                                   (), K.to_sympy(diff))
    return IdentityOutcome(True, "relu_canonical_form")


def _relu_point(K: Any, lhs: ReluForm, rhs: ReluForm, tries: int, seed: int) -> tuple[list[Any], int, Any]:
    """A point where two different canonical forms differ, with the coordinate and difference."""
    import random

    d = len(lhs.linear[0])

    def diff_at(x: list[Any]) -> tuple[int, Any] | None:
        a, b = lhs.value(x), rhs.value(x)
        for k, (u, v) in enumerate(zip(a, b)):
            if u != v:
                return k, u - v
        return None

    rng = random.Random(seed)
    for _ in range(tries):
        x = [K.convert(sympy.Rational(rng.randint(-12, 12), rng.choice((1, 2, 4)))) for _ in range(d)]
        got = diff_at(x)
        if got is not None:
            return x, got[0], got[1]
    # Constructive: cross a hyperplane whose coefficient differs, away from all other kinks.
    keys = set(lhs.terms) | set(rhs.terms)
    zero_vec = (K.zero,) * len(lhs.constant)
    for key in sorted(keys, key=str):
        if lhs.terms.get(key, zero_vec) == rhs.terms.get(key, zero_vec):
            continue
        n, beta = list(key[:-1]), key[-1]
        nn = sum((v * v for v in n), K.zero)
        for attempt in range(50):
            p = [K.convert(sympy.Integer(rng.randint(-5, 5))) for _ in range(d)]
            t0 = (sum((a * b for a, b in zip(n, p)), K.zero) + beta) / nn
            x0 = [pv - t0 * nv for pv, nv in zip(p, n)]
            eps = K.one
            ok = True
            for other in keys:
                if other == key:
                    continue
                m, gamma = other[:-1], other[-1]
                val = sum((a * b for a, b in zip(m, x0)), K.zero) + gamma
                if not val:
                    ok = False
                    break
                slope = sum((a * b for a, b in zip(m, n)), K.zero)
                if slope:
                    bound = val / slope
                    bound = bound if _positive(K, bound) else -bound
                    if _positive(K, eps - bound / 2):
                        eps = bound / 2
            if not ok:
                continue
            for t in (K.zero, eps, -eps):
                x = [xv + t * nv for xv, nv in zip(x0, n)]
                got = diff_at(x)
                if got is not None:
                    return x, got[0], got[1]
    # Only the affine parts differ.
    for x in [[K.zero] * d] + [[K.one if c == e else K.zero for c in range(d)] for e in range(d)]:
        got = diff_at(x)
        if got is not None:
            return x, got[0], got[1]
    raise AssertionError("different canonical forms must differ somewhere")  # pragma: no cover
