"""Relations of a polynomial activation, by comparing coefficients (complete and exact).

Let p have degree n.  In p(a z + c) = b p(z) + e the z^n coefficient gives b = a^n and the
z^(n-1) coefficient gives c = z0 (1 - a) with z0 = -p_{n-1} / (n p_n), so every relation fixes
z0.  Write q(w) = p(z0 + w) = sum q_k w^k; then the relation reads q_k a^k = a^n q_k for
k = 1..n-1, i.e. for each k >= 1 with q_k != 0 either a^(n-k) = 1 or k = n:

* q is a monomial q_n w^n + q_0 (a *shifted power*): every a != 0 works, a family
  (s, z0 (1 - s), s^n, q_0 (1 - s^n));
* otherwise a^(n-k) = 1 for some 1 <= k < n forces a = +-1, and a = -1 works exactly when all
  k >= 1 with q_k != 0 have the same parity (sigma is even or odd about z0).

Degree 1 (an affine sigma = p_1 z + p_0) has every (a, c): b = a, e = p_1 c + p_0 (1 - a).

>>> from symeq.activations.formula import Z
>>> g = polynomial_relations("power:3", Z**3)
>>> [f.domain for f in g.families], g.families[0].b
(['s != 0'], s**3)
>>> g = polynomial_relations("poly:z^3+z", Z**3 + Z)
>>> [(f.a, f.c, f.b, f.e) for f in g.families]
[(1, 0, 1, 0), (-1, 0, -1, 0)]
"""

from __future__ import annotations

import sympy
from sympy import Integer

from symeq.activations import Relation
from symeq.errors import InputError
from symeq.activations.formula import Z
from symeq.activations.relation_group import A, C, RelationFamily, RelationGroup, prove_relation, single

__all__ = ["polynomial_relations"]


def _proved(sigma: sympy.Expr, fam_or_rel: RelationFamily | Relation) -> str:
    r = fam_or_rel
    proof = prove_relation(sigma, r.a, r.c, r.b, r.e)
    if proof is None:  # the coefficient comparison above guarantees it; a failure is a bug
        raise AssertionError(f"relation {r} of {sigma} failed its proof")
    return f"sympy {proof}: sigma(a z + c) - b sigma(z) - e = 0 identically"


def polynomial_relations(spec: str, p: sympy.Expr) -> RelationGroup:
    """Every relation of the polynomial activation p(z), proved (status "complete")."""
    poly = sympy.Poly(sympy.expand(p), Z)
    n = poly.degree()
    if n < 1:
        raise InputError(f"activation {spec!r} is constant; it has no meaningful relations")
    coeffs = poly.all_coeffs()[::-1]  # coeffs[k] = p_k
    one, zero = Integer(1), Integer(0)
    if n == 1:
        p1, p0 = coeffs[1], coeffs[0]
        s = sympy.Symbol("s", nonzero=True, real=True)
        t = sympy.Symbol("t", real=True)
        fam = RelationFamily((s, t), s, t, s, sympy.expand(p1 * t + p0 * (1 - s)), (A, C))
        fam = RelationFamily(fam.params, fam.a, fam.c, fam.b, fam.e, fam.inverse, _proved(p, fam))
        flip = Relation(-one, zero, -one, 2 * p0)
        return RelationGroup(
            spec, p, "polynomial", "complete", (fam,), generators=(flip,),
            lie_algebra=((one, zero, one, -p0), (zero, one, zero, p1)), affine=True,
            established=(
                "sigma is affine, so sigma(a z + c) = a sigma(z) + p1 c + p0 (1 - a) for every "
                "a != 0 and every c",
            ),
        )
    z0 = -coeffs[n - 1] / (n * coeffs[n])
    q = sympy.Poly(sympy.expand(p.subs(Z, Z + z0)), Z).all_coeffs()[::-1]
    q0 = q[0]
    active = [k for k in range(1, n) if q[k] != 0]
    why_center = (f"the z^{n} and z^{n - 1} coefficients give b = a^{n} and c = z0 (1 - a) with "
                  f"z0 = {z0}, so every relation fixes z0")
    if not active:
        s = sympy.Symbol("s", nonzero=True, real=True)
        fam = RelationFamily((s,), s, sympy.expand(z0 * (1 - s)), s**n, sympy.expand(q0 * (1 - s**n)), (A,))
        fam = RelationFamily(fam.params, fam.a, fam.c, fam.b, fam.e, fam.inverse, _proved(p, fam))
        gen = fam.at({s: -one})
        return RelationGroup(
            spec, p, "polynomial", "complete", (fam,), generators=(gen,),
            lie_algebra=((one, -z0, Integer(n), -n * q0),),
            established=(why_center,
                         f"about z0 sigma is the shifted power {q[n]} (z - z0)^{n} + {q0}: every "
                         "a != 0 is a relation"),
        )
    identity = Relation(one, zero, one, zero)
    fams = [single(identity, _proved(p, identity))]
    gens: list[Relation] = []
    parities = {k % 2 for k in active} | ({n % 2})
    facts = [why_center,
             f"about z0 the coefficient of w^{active[0]} is nonzero, so a^{n - active[0]} = 1 and "
             "a = 1 or a = -1"]
    if len(parities) == 1:
        b = one if n % 2 == 0 else -one
        flip = Relation(-one, sympy.expand(2 * z0), b, sympy.expand(q0 * (1 - b)))
        fams.append(single(flip, _proved(p, flip)))
        gens.append(flip)
        facts.append(f"sigma is {'even' if b == 1 else 'odd'} about z0: a = -1 is a relation")
    else:
        facts.append("sigma has powers of both parities about z0: a = -1 is no relation")
    return RelationGroup(spec, p, "polynomial", "complete", tuple(fams), generators=tuple(gens),
                         established=tuple(facts))
