"""Relations of a piecewise-linear activation, by matching kinks (complete and exact).

If sigma(a z + c) = b sigma(z) + e, the kinks of both sides agree, so z -> a z + c maps the
kink set K = {k_1 < ... < k_m} onto itself (m >= 1; b != 0 since sigma is not constant).

* m = 1: c = k (1 - a), a of either sign; slopes and intercepts of the two pieces then decide
  b and e, giving at most one family with a > 0 and one with a < 0.
* m >= 2: an order-preserving map fixing two points is the identity; an order-reversing one
  swaps k_1 and k_m, so a = -1, c = k_1 + k_m.

Each family is proved by comparing the pieces of both sides exactly, with a symbolic scale s
whose sign is known (so the order of the intervals is known).

>>> from symeq.activations.formula import Z
>>> from symeq.activations.piecewise import from_expr
>>> g = piecewise_relations("relu", sympy.Max(0, Z), from_expr(sympy.Max(0, Z)))
>>> [(f.domain, f.a, f.c, f.b, f.e) for f in g.families]
[('s > 0', s, 0, s, 0)]
>>> g = piecewise_relations("abs", sympy.Abs(Z), from_expr(sympy.Abs(Z)))
>>> [(f.domain, f.b) for f in g.families]
[('s > 0', s), ('s < 0', -s)]
"""

from __future__ import annotations

import sympy
from sympy import Integer

from symeq.activations import Relation
from symeq.activations.piecewise import PiecewiseLinear, affine
from symeq.activations.relation_group import A, RelationFamily, RelationGroup, is_zero, single

__all__ = ["piecewise_relations"]

ONE, ZERO = Integer(1), Integer(0)


def _solve_be(equations: list[sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr] | None:
    """The unique (b, e) making every linear equation 0, or None."""
    b, e = sympy.symbols("b e")
    sol = sympy.solve(equations, [b, e], dict=True)
    if len(sol) != 1 or set(sol[0]) != {b, e}:
        return None
    bb, ee = sympy.simplify(sol[0][b]), sympy.simplify(sol[0][e])
    if any(sympy.expand(eq.subs({b: bb, e: ee})) != 0 for eq in equations):
        return None
    return bb, ee


def _one_kink_family(sigma: PiecewiseLinear, positive: bool) -> RelationFamily | None:
    k = sigma.kinks[0]
    s = sympy.Symbol("s", positive=True) if positive else sympy.Symbol("s", negative=True)
    c = sympy.expand(k * (1 - s))
    (sl, tl), (sr, tr) = sigma.pieces
    # For s > 0 the composite uses sigma's left piece left of k; for s < 0 the right one.
    used = [(sl, tl), (sr, tr)] if positive else [(sr, tr), (sl, tl)]
    b, e = sympy.symbols("b e")
    eqs = []
    for (us, ut), (ts, tt) in zip(used, [(sl, tl), (sr, tr)]):
        eqs.append(sympy.expand(us * s - b * ts))
        eqs.append(sympy.expand(us * c + ut - b * tt - e))
    sol = _solve_be(eqs)
    if sol is None:
        return None
    proof = (f"z -> s z + {c} fixes the kink {k} and {'keeps' if positive else 'reverses'} the "
             "order for every s of that sign; the slopes and intercepts of sigma(a z + c) and "
             "b sigma(z) + e agree on both sides of the kink (4 identities, expanded to 0)")
    return RelationFamily((s,), s, c, sol[0], sol[1], (A,), proof)


def _reversal(sigma: PiecewiseLinear) -> Relation | None:
    ks = sigma.kinks
    c = sympy.expand(ks[0] + ks[-1])
    if not all(is_zero(c - ks[i] - ks[-1 - i]) for i in range(len(ks))):
        return None
    comp = sigma.compose_affine(-ONE, c)
    b, e = sympy.symbols("b e")
    eqs = []
    for (cs, ct), (ss, st) in zip(comp.pieces, sigma.pieces):
        eqs += [sympy.expand(cs - b * ss), sympy.expand(ct - b * st - e)]
    sol = _solve_be(eqs)
    if sol is None:
        return None
    rhs = sigma.scale(sol[0]) + affine(0, sol[1])
    if not comp.equals(rhs):
        return None
    return Relation(-ONE, c, sol[0], sol[1])


def piecewise_relations(spec: str, expr: sympy.Expr, sigma: PiecewiseLinear) -> RelationGroup:
    """Every relation of a piecewise-linear activation with at least one kink, proved."""
    assert sigma.kinks, "an affine sigma goes to the polynomial method"
    facts = [f"sigma is piecewise linear with kinks {list(sigma.kinks)}; a relation maps the "
             "kink set onto itself"]
    if len(sigma.kinks) == 1:
        fams = [f for f in (_one_kink_family(sigma, True), _one_kink_family(sigma, False)) if f]
        facts.append(f"one kink k = {sigma.kinks[0]}: c = k (1 - a), and the pieces decide b, e "
                     "for each sign of a")
        gens = []
        lie = []
        for f in fams:
            if f.params[0].is_positive:
                s = f.params[0]
                lie.append(tuple(sympy.simplify(sympy.diff(x, s).subs(s, 1)) for x in (f.a, f.c, f.b, f.e)))
            else:
                gens.append(f.at({f.params[0]: -ONE}))
        if not any(f.params[0].is_positive for f in fams):  # cannot happen: identity is a > 0
            raise AssertionError("the identity relation was not found")
        return RelationGroup(spec, expr, "piecewise-linear", "complete", tuple(fams),
                             generators=tuple(gens), lie_algebra=tuple(lie), established=tuple(facts))
    identity = Relation(ONE, ZERO, ONE, ZERO)
    fams = [single(identity, "trivial")]
    gens = []
    rev = _reversal(sigma)
    facts.append(f"{len(sigma.kinks)} kinks: an order-preserving relation fixes them all (a = 1, "
                 "c = 0); an order-reversing one swaps the outer kinks (a = -1, c = k_1 + k_m)")
    if rev is not None:
        fams.append(single(rev, "the pieces of both sides agree exactly"))
        gens.append(rev)
    else:
        facts.append("a = -1, c = k_1 + k_m is no relation")
    return RelationGroup(spec, expr, "piecewise-linear", "complete", tuple(fams),
                         generators=tuple(gens), established=tuple(facts))
