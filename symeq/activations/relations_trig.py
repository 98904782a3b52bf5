"""Relations of sigma(z) = lam z + A0 + sum_q C_q exp(i q z): trigonometric polynomials
(with a linear term), decided exactly through Fourier coefficients.

sigma is analytic and not a polynomial, so a = +-1 (see relations_analytic).  With all
frequencies q = n_q omega (integers n_q with gcd 1):

* a = 1: sigma(z + c) has coefficients C_q exp(i q c), so exp(i q c) = b for every active q
  (and b = 1 if lam != 0): c in (2 pi / omega) Z with b = 1, or, when lam = 0 and every n_q is
  odd, c in (pi / omega) Z with b = (-1)^(omega c / pi).
* a = -1: the coefficient of exp(i q z) in sigma(c - z) is C_{-q} exp(-i q c), so
  exp(-i q c) = b C_q / C_{-q} for every q (and b = -1 if lam != 0).  The smallest frequency
  leaves finitely many candidates c per period; each is checked exactly on all frequencies.

Then e = lam c + A0 (1 - b) from the non-oscillating part.

>>> from symeq.activations.formula import Z
>>> g = trig_relations("sin", sympy.sin(Z), trig_decomposition(sympy.sin(Z)))
>>> [(f.domain, f.a, f.c, f.b, f.e) for f in g.families]
[('n integer', 1, pi*n, (-1)**n, 0), ('n integer', -1, pi*n, -(-1)**n, 0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from math import gcd, lcm

import sympy
from sympy import I, Integer, pi

from symeq.activations import Relation
from symeq.activations.formula import Z
from symeq.activations.relation_group import C, RelationFamily, RelationGroup, is_zero, prove_relation

__all__ = ["TrigDecomposition", "trig_decomposition", "trig_relations"]

ONE, ZERO = Integer(1), Integer(0)


@dataclass(frozen=True)
class TrigDecomposition:
    """sigma = lam z + a0 + sum over q of coeffs[q] exp(i q z) (q real, nonzero)."""

    lam: sympy.Expr
    a0: sympy.Expr
    coeffs: dict[sympy.Expr, sympy.Expr]


def trig_decomposition(sigma: sympy.Expr) -> TrigDecomposition | None:
    """The decomposition, or None when sigma is not of that form.

    >>> trig_decomposition(sympy.cos(2 * Z) + Z).coeffs
    {-2: 1/2, 2: 1/2}
    """
    if not sigma.has(sympy.sin, sympy.cos):
        return None
    try:
        expanded = sympy.expand(sigma.rewrite(sympy.exp))
    except (TypeError, ValueError, RecursionError):
        return None
    lam, a0, coeffs = ZERO, ZERO, {}
    for term in sympy.Add.make_args(expanded):
        const, dep = term.as_independent(Z, as_Add=False)
        if dep == 1:
            a0 += const
            continue
        if dep == Z:
            lam += const
            continue
        base, power = (dep.args if dep.is_Pow else (dep, ONE))
        if not (isinstance(base, sympy.exp) and power.is_Integer):
            return None
        arg = sympy.expand(base.args[0] * power)
        q = sympy.simplify(arg / (I * Z))
        if q.has(Z) or not q.is_real or q == 0:
            return None
        coeffs[q] = coeffs.get(q, ZERO) + const
    coeffs = {q: sympy.simplify(v) for q, v in coeffs.items() if not is_zero(v)}
    if not coeffs or not lam.is_real or not sympy.simplify(sympy.im(a0)) == 0:
        return None
    return TrigDecomposition(sympy.simplify(lam), sympy.simplify(sympy.re(a0)), dict(sorted(coeffs.items(), key=lambda kv: sympy.default_sort_key(kv[0]))))


def _frequencies(dec: TrigDecomposition) -> tuple[sympy.Expr, list[int]] | None:
    """omega and the integers n_q (gcd 1) with q = n_q omega for the positive frequencies."""
    qs = sorted({abs(q) for q in dec.coeffs}, key=sympy.default_sort_key)
    q1 = qs[0]
    ratios = [sympy.nsimplify(sympy.simplify(q / q1)) for q in qs]
    if not all(r.is_Rational for r in ratios):
        return None
    den = reduce(lcm, (int(r.q) for r in ratios), 1)
    ns = [int(r * den) for r in ratios]
    g = reduce(gcd, ns)
    ns = [n // g for n in ns]
    omega = sympy.simplify(q1 * g / den)
    return omega, ns


def trig_relations(spec: str, sigma: sympy.Expr, dec: TrigDecomposition) -> RelationGroup:
    """Every relation of a trigonometric polynomial with an optional linear part, proved."""
    freq = _frequencies(dec)
    facts = ["sigma = lam z + A0 + a finite sum of exp(i q z); analytic, not a polynomial, so "
             "a = +-1"]
    n = sympy.Symbol("n", integer=True)
    if freq is None:
        return RelationGroup(spec, sigma, "trigonometric", "unknown", (), reason=(
            "frequencies are not rational multiples of one another"), established=tuple(facts))
    omega, ns = freq
    lam, a0 = dec.lam, dec.a0
    facts.append(f"frequencies are {ns} times omega = {omega}")
    if lam == 0 and all(k % 2 == 1 for k in ns):
        c_t, b_t = pi / omega, -ONE
        facts.append("every frequency is an odd multiple of omega: translations by pi/omega "
                     "with b = -1 generate the translations")
    else:
        c_t, b_t = 2 * pi / omega, ONE
        facts.append("translations are the multiples of 2 pi / omega, with b = 1")
    families = []
    tb = b_t**n
    trans = RelationFamily((n,), ONE, sympy.simplify(n * c_t), tb,
                           sympy.simplify(lam * n * c_t + a0 * (1 - tb)), (sympy.simplify(C / c_t),))
    families.append(_prove(sigma, trans))
    gens = [Relation(ONE, sympy.simplify(c_t), b_t, sympy.simplify(lam * c_t + a0 * (1 - b_t)))]
    # reflections
    q1 = min((q for q in dec.coeffs if q.is_positive), key=sympy.default_sort_key)
    rho = sympy.simplify(dec.coeffs[q1] / dec.coeffs[-q1])
    found = None
    for b in (-ONE, ONE):
        if lam != 0 and b == 1:
            continue
        theta = sympy.simplify(sympy.arg(b * rho))
        for j in range(ns[0]):
            c = sympy.simplify((-theta + 2 * pi * j) / q1)
            if all(is_zero(sympy.expand(dec.coeffs[-q] * sympy.exp(-I * q * c) - b * dec.coeffs[q]))
                   for q in dec.coeffs):
                found = (b, c)
                break
        if found:
            break
    if found is None:
        facts.append("no candidate c for a = -1 matches every Fourier coefficient: no reflection")
    else:
        b_r, c_r = found
        cc = c_r + n * c_t
        bb = b_r * b_t**n
        refl = RelationFamily((n,), -ONE, sympy.simplify(cc), bb, sympy.simplify(lam * cc + a0 * (1 - bb)),
                              (sympy.simplify((C - c_r) / c_t),))
        families.append(_prove(sigma, refl))
        gens.append(Relation(-ONE, c_r, b_r, sympy.simplify(lam * c_r + a0 * (1 - b_r))))
        facts.append(f"the reflection c = {c_r}, b = {b_r} matches every Fourier coefficient")
    status = "complete" if all(f.proof for f in families) else "unknown"
    return RelationGroup(spec, sigma, "trigonometric", status, tuple(families), generators=tuple(gens),
                         established=tuple(facts),
                         reason="" if status == "complete" else "a family could not be proved symbolically")


def _prove(sigma: sympy.Expr, fam: RelationFamily) -> RelationFamily:
    proof = prove_relation(sigma, fam.a, fam.c, fam.b, fam.e)
    return RelationFamily(fam.params, fam.a, fam.c, fam.b, fam.e, fam.inverse,
                          f"sympy {proof} (n a symbolic integer)" if proof else "")
