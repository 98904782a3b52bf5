"""Symbolic proofs that a parameter direction v leaves f( . ; theta) unchanged to first order:
D_v f(x) = d/dt f(x; theta + t v) at t = 0 vanishes identically in x.

D_v f is computed by forward-mode differentiation with a symbolic input x:

    z_i = W_i h + b_i,  dz_i = dW_i h + W_i dh + db_i,  h = sigma(z_i),  dh = sigma'(z_i) dz_i.

* Polynomial and affine activations: sigma and sigma' are substituted and D_v f is expanded;
  it is a polynomial in x, so "expands to 0" is a complete decision.
* Other activations: sigma and sigma' stay opaque (a pair of fresh symbols per argument),
  and every argument u is first
  brought to a canonical representative u_hat with u = a u_hat + c for a relation (a, c, b, e)
  of sigma (leading coefficient positive, scaled to 1, shifted, as far as the relation group
  allows), using sigma(u) = b sigma(u_hat) + e and sigma'(u) = (b / a) sigma'(u_hat).  Every
  rewrite is an identity, so "expands to 0" is a proof; a failure proves nothing (status
  None).  Constant arguments (zero incoming rows) are evaluated exactly.

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("tanh"), (M([[1, 2], [1, 2]]), M([[3, 5]])), (M([0, 0]), M([0])))
>>> v = [0] * 6 + [1, -1, 0]          # move outgoing weight from neuron 1 to neuron 0
>>> prove_first_order(net, v)
'D_v f(x) = 0 identically (sigma opaque, arguments canonical under the relations)'
>>> prove_first_order(net, [1, 0, 0, 0, 0, 0, 0, 0, 0]) is None
True
"""

from __future__ import annotations

from typing import Sequence

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.errors import BudgetExceeded
from symeq.architectures.mlp.model import MLP
from symeq.activations.formula import Z
from symeq.activations.piecewise import from_expr
from symeq.activations.relation_group import RelationGroup, is_zero
from symeq.activations.relations import derive_relations

__all__ = ["prove_first_order", "directional_derivative", "constant_values"]

ONE, ZERO = Integer(1), Integer(0)
#: Largest expanded D_v f (number of terms over one layer) a proof may build.
MAX_TERMS = 3000


def _split(u: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr] | None:
    """(leading atom, its coefficient, constant term) of a linear form in atoms."""
    coeffs = sympy.expand(u).as_coefficients_dict()
    const = coeffs.pop(ONE, ZERO)
    atoms = [a for a, c in coeffs.items() if c != 0]
    if not atoms:
        return None
    lead = min(atoms, key=sympy.default_sort_key)
    return lead, coeffs[lead], const


class _Canonicalizer:
    def __init__(self, group: RelationGroup) -> None:
        self.group = group
        self.flips = []      # c values of relations with a = -1
        self.scales = []     # families with a continuous scale parameter a = s
        self.shifts = []     # (kind, family): a = 1 with c = t (continuous) or n * step
        for fam in group.families:
            if not fam.params:
                if fam.a == -1:
                    self.flips.append(fam.c)
                continue
            p = fam.params[0]
            if fam.a == p:
                self.scales.append(fam)
            elif fam.a == 1 and p.is_integer:
                self.shifts.append(("lattice", fam))
            elif fam.a == 1:
                self.shifts.append(("line", fam))
            elif fam.a == -1 and p.is_integer:
                self.flips.append(fam.c.subs(p, 0))

    def _try(self, a: sympy.Expr, c: sympy.Expr):
        try:
            return self.group.relation_for(a, c)
        except Exception:  # undecidable membership: do not use this rewrite
            return None

    def normalize(self, u: sympy.Expr):
        """(a, b, e, u_hat) with u = a u_hat + c and sigma(u) = b sigma(u_hat) + e."""
        a_tot, b_tot, e_tot = ONE, ONE, ZERO
        u = sympy.expand(u)
        split = _split(u)
        if split is None:
            return a_tot, b_tot, e_tot, u
        _, lam, _ = split
        if lam.is_negative:
            for c in self.flips:
                rel = self._try(-ONE, c)
                if rel is not None:
                    u = sympy.expand(c - u)
                    a_tot, b_tot, e_tot = -a_tot, b_tot * rel.b, b_tot * rel.e + e_tot
                    break
        _, lam, _ = _split(u)
        for fam in self.scales:
            p = fam.params[0]
            if (p.is_positive and lam.is_positive) or (p.is_nonzero and not p.is_positive and not p.is_negative):
                c = fam.c.subs(p, lam)
                rel = self._try(lam, c)
                if rel is not None:
                    u = sympy.expand((u - c) / lam)
                    a_tot, b_tot, e_tot = a_tot * lam, b_tot * rel.b, b_tot * rel.e + e_tot
                    break
        _, _, const = _split(u)
        for kind, fam in self.shifts:
            p = fam.params[0]
            if kind == "line":
                c = const
            else:
                step = fam.c.subs(p, 1) - fam.c.subs(p, 0)
                c = sympy.floor(const / step) * step
            if c == 0:
                break
            rel = self._try(ONE, c)
            if rel is not None:
                u = sympy.expand(u - c)
                b_tot, e_tot = b_tot * rel.b, b_tot * rel.e + e_tot
                break
        return a_tot, b_tot, e_tot, u


def constant_values(net: MLP, u: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(sigma(u), sigma'(u)) for a constant u, exactly; None at a kink.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("relu"), (M([[1]]),), (M([0]),))
    >>> constant_values(net, sympy.Rational(3, 2)), constant_values(net, sympy.Integer(0))
    ((3/2, 1), None)
    """
    sigma = net.activation.expr(Z)
    pl = from_expr(sigma)
    if pl is not None:
        if any(sympy.simplify(u - k) == 0 for k in pl.kinks):
            return None
        s, t = pl.piece_at(u)
        return sympy.expand(s * u + t), s
    return sigma.subs(Z, u), sympy.diff(sigma, Z).subs(Z, u)


class _Atoms:
    """Opaque sigma(u) and sigma'(u) as plain symbols, one pair per canonical argument u
    (much cheaper for sympy than nested function applications; logically the same)."""

    def __init__(self) -> None:
        self.pairs: dict[sympy.Expr, tuple[sympy.Symbol, sympy.Symbol]] = {}
        self.argument: dict[sympy.Symbol, sympy.Expr] = {}

    def of(self, u: sympy.Expr) -> tuple[sympy.Symbol, sympy.Symbol]:
        if u not in self.pairs:
            k = len(self.pairs)
            pair = (sympy.Symbol(f"_sigma{k}", real=True), sympy.Symbol(f"_dsigma{k}", real=True))
            self.pairs[u] = pair
            self.argument[pair[0]] = u
        return self.pairs[u]


def _euler_rewrite(group: RelationGroup, atoms: _Atoms):
    """From an infinitesimal relation (alpha u + gamma) sigma'(u) = beta sigma(u) + eps with
    beta != 0, the rewrite sigma(u) = ((alpha u + gamma) sigma'(u) - eps) / beta (an identity
    where sigma is differentiable); None without one.  It lets the tangent directions of the
    continuous symmetries cancel (relu: sigma(u) = u sigma'(u))."""
    gens = [g for g in group.lie_algebra if g[2] != 0]
    if not gens:
        return None
    alpha, gamma, beta, eps = gens[0]

    def rewrite(expr: sympy.Expr) -> sympy.Expr:
        subs = {}
        for sym in expr.free_symbols:
            if sym in atoms.argument:
                u = atoms.argument[sym]
                subs[sym] = ((alpha * u + gamma) * atoms.pairs[u][1] - eps) / beta
        return sympy.expand(expr.xreplace(subs)) if subs else expr

    return rewrite


def directional_derivative(net: MLP, v: Sequence[sympy.Expr], x: ImmutableMatrix,
                           opaque: bool) -> list[sympy.Expr] | None:
    """D_v f(x) as expressions in the symbols of x and, when ``opaque``, symbols standing for
    sigma and sigma' at canonical arguments (None when a constant argument sits on a kink,
    where sigma' is undefined)."""
    dnet = net.with_parameters(tuple(sympy.sympify(c) for c in v))
    sigma = net.activation.expr(Z)
    dsigma = sympy.diff(sigma, Z)
    group = derive_relations(net.activation)
    atoms = _Atoms()
    canon = _Canonicalizer(group) if opaque else None
    euler = _euler_rewrite(group, atoms) if opaque else None
    h, dh = x, ImmutableMatrix.zeros(x.rows, 1)
    for i in range(1, net.depth + 1):
        W, b = net.weights[i - 1], net.biases[i - 1]
        dW, db = dnet.weights[i - 1], dnet.biases[i - 1]
        z = (W * h + b).applyfunc(sympy.expand)
        dz = (dW * h + W * dh + db).applyfunc(sympy.expand)
        if euler is not None:
            dz = dz.applyfunc(euler)
        if sum(len(sympy.Add.make_args(e)) for e in dz) > MAX_TERMS:
            raise BudgetExceeded(f"D_v f has more than {MAX_TERMS} terms at layer {i}")
        if i == net.depth:
            return [sympy.expand(e) for e in dz]
        hs, dhs = [], []
        for u, du in zip(z, dz):
            if not opaque:
                hs.append(sympy.expand(sigma.subs(Z, u)))
                dhs.append(sympy.expand(dsigma.subs(Z, u) * du))
            elif not u.free_symbols:
                vals = constant_values(net, u)
                if vals is None:
                    return None
                hs.append(vals[0])
                dhs.append(sympy.expand(vals[1] * du))
            else:
                a, bb, e, uh = canon.normalize(u)
                s_sym, ds_sym = atoms.of(uh)
                hs.append(sympy.expand(bb * s_sym + e))
                dhs.append(sympy.expand(bb / a * ds_sym * du))
        h, dh = ImmutableMatrix(hs), ImmutableMatrix(dhs)
    raise AssertionError("unreachable")


def _vanishes(e: sympy.Expr) -> bool:
    """e == 0 as a polynomial in its symbols (inputs, sigma and sigma' atoms) whose
    coefficients are exact constants decided by :func:`is_zero`."""
    e = sympy.expand(e)
    if e == 0:
        return True
    gens = sorted(e.free_symbols, key=sympy.default_sort_key)
    if not gens:
        return is_zero(e)
    try:
        coeffs = sympy.Poly(e, *gens).coeffs()
    except sympy.PolynomialError:
        return False
    return all(not c.free_symbols and is_zero(c) for c in coeffs)


def prove_first_order(net: MLP, v: Sequence[sympy.Expr]) -> str | None:
    """A proof that D_v f(x) = 0 for every x (as a sentence), or None.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("power:2"), (M([[1, 1]]), M([[2]])), (M([0]), M([0])))
    >>> prove_first_order(net, [1, 1, 0, -4, 0])   # the scaling symmetry of z^2
    'D_v f(x) expands to the zero polynomial in x'
    """
    if len(v) != net.n_params:
        raise ValueError(f"direction has {len(v)} entries, the network {net.n_params} parameters")
    x = ImmutableMatrix(net.widths[0], 1, lambda r, c: sympy.Symbol(f"x{r}", real=True))
    sigma = net.activation.expr(Z)
    opaque = not sigma.is_polynomial(Z)
    try:
        out = directional_derivative(net, v, x, opaque)
    except BudgetExceeded:
        return None
    if out is None:
        return None
    if all(_vanishes(e) for e in out):
        return ("D_v f(x) = 0 identically (sigma opaque, arguments canonical under the relations)"
                if opaque else "D_v f(x) expands to the zero polynomial in x")
    return None
