"""Relations of a non-polynomial activation that is real-analytic on all of R.

The argument, step by step (each step is recorded in ``established``):

1. *Scale.*  If |a| != 1, T(z) = a z + c has a real fixed point z*; expanding
   sigma(T(z)) = b sigma(z) + e at z* gives s_k a^k = b s_k for the Taylor coefficients
   s_k (k >= 1), so at most one s_k is nonzero and sigma is a polynomial.  Hence a = +-1.
2. *Continuous part.*  A one-parameter family of relations is a family of translations
   (by 1.), and differentiating it gives sigma' = beta sigma + eps.  Whether (sigma', sigma, 1)
   are dependent is decided rigorously: a 3 x 3 sample minor whose ball excludes 0 proves
   independence; a dependency is found numerically and then proved symbolically.
3. *Discrete translations* sigma(z + p) = b sigma(z) + e, p != 0, are excluded when sigma has
   finite limits at both ends (u = sigma - e/(1 - b) satisfies u(z + n p) = b^n u(z), which
   cannot tend to 0 at both ends), or when sigma grows at most polynomially at both ends and
   sigma' has a limit at one end (|b| != 1 would force exponential growth; |b| = 1 makes
   sigma' periodic, and a periodic function with a limit is constant).
4. *Reflections* sigma(c - z) = b sigma(z) + e swap the two ends and fix z0 = c/2, about which
   sigma is even (b = 1) or odd (b = -1), so e = (1 - b) sigma(z0).  The limits at +-oo decide
   which b is possible and give an equation for z0 (sigma(z0) = m, sigma'(z0) = 0 or
   sigma''(z0) = 0); sympy's ``solveset`` over the reals gives its candidates, each candidate
   is proved or refuted, and with no translations there is at most one centre.

Any step that cannot be completed answers status "unknown" with the steps done so far.

>>> from symeq.activations.formula import Z
>>> g = analytic_relations("tanh", sympy.tanh(Z))
>>> g.status, [(f.a, f.c, f.b, f.e) for f in g.families]
('complete', [(1, 0, 1, 0), (-1, 0, -1, 0)])
>>> g = analytic_relations("exp", sympy.exp(Z))
>>> g.status, [(f.domain, f.a, f.c, f.b, f.e) for f in g.families]
('complete', [('t real', 1, t, exp(t), 0)])
"""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import sympy
from sympy import Integer, oo

from symeq.activations import Relation
from symeq.activations.arb_eval import Unsupported, arb_value
from symeq.activations.formula import Z
from symeq.activations.relation_group import C, RelationFamily, RelationGroup, prove_relation, single

__all__ = ["analytic_relations", "analytic_on_reals"]

ONE, ZERO = Integer(1), Integer(0)
_SAMPLES = [Integer(0), sympy.Rational(1, 2), ONE, Integer(-1), Integer(2), sympy.Rational(-3, 2),
            sympy.Rational(5, 3), Integer(3)]
_ENTIRE = (sympy.exp, sympy.sin, sympy.cos, sympy.tanh, sympy.erf, sympy.erfc, sympy.sinh,
           sympy.cosh, sympy.atan)
#: Highest polynomial growth order tried at +-oo.
MAX_GROWTH = 8


def analytic_on_reals(expr: sympy.Expr) -> bool:
    """True when the structure of ``expr`` shows it is real-analytic on all of R (only
    analytic operations, divisions by and logs/roots of quantities sympy proves nonzero or
    positive for real z).

    >>> analytic_on_reals(sympy.log(1 + sympy.exp(Z))), analytic_on_reals(sympy.log(Z))
    (True, False)
    """
    if expr.is_Number or expr.is_Symbol or expr in (sympy.pi, sympy.E):
        return True
    if expr.is_Add or expr.is_Mul:
        return all(analytic_on_reals(t) for t in expr.args)
    if expr.is_Pow:
        base, ex = expr.args
        if not (analytic_on_reals(base) and analytic_on_reals(ex)):
            return False
        if ex.is_Integer and ex >= 0:
            return True
        if ex.is_Integer:
            return base.is_nonzero is True
        return base.is_positive is True
    if expr.func in _ENTIRE:
        return analytic_on_reals(expr.args[0])
    if expr.func is sympy.log:
        return analytic_on_reals(expr.args[0]) and expr.args[0].is_positive is True
    return False


# -- ends ------------------------------------------------------------------------------------
def _limit(expr: sympy.Expr, point: sympy.Expr) -> sympy.Expr | None:
    try:
        value = sympy.limit(expr, Z, point)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if value in (oo, -oo) or (value.is_real and value.is_finite and not value.has(sympy.AccumBounds)):
        return value
    return None


def _growth(sigma: sympy.Expr, point: sympy.Expr, limit: sympy.Expr | None) -> int | None:
    """The least N <= MAX_GROWTH with sigma / z^N bounded at the end (0 for a finite limit)."""
    if limit is None:
        return None
    if limit not in (oo, -oo):
        return 0
    for n in range(1, MAX_GROWTH + 1):
        value = _limit(sigma / Z**n, point)
        if value is not None and value not in (oo, -oo):
            return n
    return None


def _exponential_type(f: sympy.Expr, point: sympy.Expr) -> sympy.Expr | None:
    """r with f(z) exp(-r z) -> K != 0 (finite) at the end, r = lim log|f| / z; else None."""
    r = _limit(sympy.log(f**2) / (2 * Z), point)
    if r is None or r in (oo, -oo) or not r.is_Rational:
        return None
    k = _limit(f * sympy.exp(-r * Z), point)
    if k is None or k in (oo, -oo) or k == 0:
        return None
    return r


# -- step 2: continuous part -------------------------------------------------------------------
def _independent(funcs: list[sympy.Expr]) -> bool:
    """Rigorous: some sample minor of the functions has a ball excluding 0."""
    k = len(funcs)
    for prec in (128, 384):
        with flint.ctx.workprec(prec):
            try:
                rows = [[arb_value(f, {Z: z}) for f in funcs] for z in _SAMPLES]
            except Unsupported:
                return False
            for start in range(len(rows) - k + 1):
                m = flint.arb_mat([rows[start + i] for i in range(k)])
                if not m.det().contains(0):
                    return True
    return False


def _dependency(sigma: sympy.Expr, dsigma: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(beta, eps) with sigma' = beta sigma + eps, found numerically and proved; or None."""
    mpmath.mp.dps = 50
    try:
        f = sympy.lambdify(Z, sigma, "mpmath")
        g = sympy.lambdify(Z, dsigma, "mpmath")
        pts = [mpmath.mpf(1) / 3, mpmath.mpf(7) / 5]
        m = mpmath.matrix([[f(x), 1] for x in pts])
        rhs = mpmath.matrix([g(x) for x in pts])
        beta, eps = mpmath.lu_solve(m, rhs)
    except (ZeroDivisionError, TypeError, ValueError, NameError):
        return None
    cands = []
    for v in (beta, eps):
        q = Fraction(str(mpmath.nstr(v, 40))).limit_denominator(10**6)
        if abs(mpmath.mpf(q.numerator) / q.denominator - v) > mpmath.mpf(10) ** -30:
            return None
        cands.append(sympy.Rational(q.numerator, q.denominator))
    beta_, eps_ = cands
    if sympy.simplify(dsigma - beta_ * sigma - eps_) != 0:
        return None
    return beta_, eps_


# -- step 4: reflections -----------------------------------------------------------------------
def _candidates(equation: sympy.Expr) -> list[sympy.Expr] | None:
    try:
        sol = sympy.solveset(equation, Z, sympy.S.Reals)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if isinstance(sol, sympy.FiniteSet):
        return sorted(sol, key=sympy.default_sort_key)
    if sol is sympy.S.EmptySet:
        return []
    return None


def analytic_relations(spec: str, sigma: sympy.Expr) -> RelationGroup:
    """The relations of an activation analytic on R that is neither polynomial nor
    piecewise linear (see the module docstring for the argument)."""
    facts = ["sigma is real-analytic on R and not a polynomial, so every relation has a = 1 or "
             "a = -1 (Taylor expansion at the fixed point of z -> a z + c)"]
    identity = Relation(ONE, ZERO, ONE, ZERO)
    dsigma = sympy.diff(sigma, Z)
    ends = {s: _limit(sigma, s * oo) for s in (1, -1)}
    ends_text = ", ".join(f"{'+' if s > 0 else '-'}oo: {ends[s] if ends[s] is not None else 'no limit'}"
                          for s in (1, -1))
    facts.append(f"limits of sigma at {ends_text}")

    def unknown(reason: str, fams: list[RelationFamily], gens: list[Relation]) -> RelationGroup:
        return RelationGroup(spec, sigma, "analytic", "unknown", tuple(fams), generators=tuple(gens),
                             lie_algebra=tuple(lie), established=tuple(facts), reason=reason)

    # Step 2: the identity component.
    lie: list[tuple[sympy.Expr, ...]] = []
    fams: list[RelationFamily] = []
    translations_all = False
    if _independent([dsigma, sigma, ONE]):
        facts.append("sigma', sigma, 1 are linearly independent (a sample minor's ball excludes "
                     "0): no continuous family of relations")
        fams.append(single(identity, "trivial"))
    else:
        dep = _dependency(sigma, dsigma)
        if dep is None:
            return unknown("sigma', sigma, 1 look dependent but no exact dependency was proved",
                           [single(identity, "trivial")], [])
        beta, eps = dep
        if beta == 0:
            return unknown("sigma' is constant (sigma affine) although sigma is not a polynomial",
                           [single(identity, "trivial")], [])
        t = sympy.Symbol("t", real=True)
        b = sympy.exp(beta * t)
        e = sympy.simplify(eps * (b - 1) / beta)
        proof = prove_relation(sigma, ONE, t, b, e)
        if proof is None:
            return unknown("the translation family could not be proved", [single(identity, "trivial")], [])
        fams.append(RelationFamily((t,), ONE, t, b, e, (C,), f"sympy {proof}"))
        lie.append((ZERO, ONE, beta, eps))
        translations_all = True
        facts.append(f"sigma' = {beta} sigma + {eps} (proved): every translation c is a relation "
                     f"with b = exp({beta} c)")

    # Step 3: discrete translations.
    if not translations_all:
        grow = {s: _growth(sigma, s * oo, ends[s]) for s in (1, -1)}
        both_finite = all(ends[s] is not None and ends[s] not in (oo, -oo) for s in (1, -1))
        if both_finite:
            facts.append("finite limits at both ends: no translation is a relation")
        else:
            dlim = [s for s in (1, -1) if _limit(dsigma, s * oo) is not None]
            rates = {s: _exponential_type(dsigma, s * oo) for s in (1, -1)}
            if grow[1] is not None and grow[-1] is not None and dlim:
                facts.append(f"sigma grows at most like |z|^{max(grow[1], grow[-1])} at both ends and "
                             f"sigma' has a limit at {'+' if dlim[0] > 0 else '-'}oo: no translation "
                             "is a relation")
            elif rates[1] is not None and rates[-1] is not None:
                facts.append(f"sigma' ~ K exp(r z) at both ends (r = {rates[1]} at +oo, {rates[-1]} "
                             "at -oo): a translation by p would give b = exp(r p) at both ends, so "
                             "different rates force p = 0 and equal rates make sigma' exp(-r z) "
                             "periodic with limits, i.e. constant, contradicting step 2")
            else:
                return unknown("translations sigma(z + p) = b sigma(z) + e could not be excluded "
                               "(sigma is not of polynomial growth with a limit of sigma')", fams, [])

    # Step 4: reflections.
    lp, lm = ends[1], ends[-1]
    gens: list[Relation] = []
    if lp is None or lm is None:
        # A missing limit is sympy failing (or giving up), not a proof that sigma has none: step 3
        # passed, and each of its ways (translation family, finite limits, growth, exponential
        # type of sigma') implies limits at both ends, so no conclusion may rest on the gap.
        missing = " and ".join(f"{'+' if t > 0 else '-'}oo" for t in (1, -1) if ends[t] is None)
        return unknown(f"the limit of sigma at {missing} was not computed: reflections could not "
                       "be decided", fams, [])
    finite = {s: ends[s] not in (oo, -oo) for s in (1, -1)}
    tasks: list[tuple[sympy.Expr, sympy.Expr, str]] = []  # (b, equation for z0, why)
    if finite[1] != finite[-1]:
        facts.append("sigma is bounded at one end only: no reflection")
    elif finite[1]:
        if sympy.simplify(lp - lm) != 0:
            tasks.append((-ONE, sigma - (lp + lm) / 2, f"b = -1 and sigma(z0) = {(lp + lm) / 2}"))
        else:
            tasks.append((ONE, dsigma, "b = 1 and sigma'(z0) = 0"))
            tasks.append((-ONE, sigma - lp, f"b = -1 and sigma(z0) = {lp}"))
    else:
        grow = {s: _growth(sigma, s * oo, ends[s]) for s in (1, -1)}
        if grow[1] != grow[-1]:
            facts.append("sigma grows at different rates at the two ends: no reflection")
        elif lp == lm:
            tasks.append((ONE, dsigma, "b = 1 and sigma'(z0) = 0"))
        else:
            tasks.append((-ONE, sympy.diff(dsigma, Z), "b = -1 and sigma''(z0) = 0"))
    for b, equation, why in tasks:
        cands = _candidates(equation)
        if cands is None:
            return unknown(f"a reflection needs {why}; sympy could not list the real solutions",
                           fams, gens)
        facts.append(f"a reflection needs {why}: real candidates {cands}")
        for z0 in cands:
            e = sympy.simplify((1 - b) * sigma.subs(Z, z0))
            rel = Relation(-ONE, sympy.simplify(2 * z0), b, e)
            proof = prove_relation(sigma, rel.a, rel.c, rel.b, rel.e)
            if proof is not None:
                fams.append(single(rel, f"sympy {proof}"))
                gens.append(rel)
                facts.append(f"reflection about z0 = {z0} proved ({proof}); with no translations "
                             "it is the only one")
                return RelationGroup(spec, sigma, "analytic", "complete", tuple(fams),
                                     generators=tuple(gens), lie_algebra=tuple(lie),
                                     established=tuple(facts))
            if not _refuted(sigma, rel):
                return unknown(f"the reflection candidate {rel} was neither proved nor refuted",
                               fams, gens)
    facts.append("no reflection candidate is a relation")
    return RelationGroup(spec, sigma, "analytic", "complete", tuple(fams), generators=tuple(gens),
                         lie_algebra=tuple(lie), established=tuple(facts))


def _refuted(sigma: sympy.Expr, rel: Relation) -> bool:
    d = sigma.subs(Z, rel.a * Z + rel.c) - rel.b * sigma - rel.e
    from symeq.activations.arb_eval import excludes_zero

    return any(excludes_zero(d, {Z: z}) for z in _SAMPLES)
