"""The group of one-dimensional relations of an activation, as a value.

A relation is (a, c, b, e) with sigma(a z + c) = b sigma(z) + e for all real z (docs/theory.md,
section 2).  The relations form a group under composition; symeq presents it as a finite union
of *families* (connected pieces or lattices of pieces), each with parameters, plus generators
of the discrete part and a basis of the Lie algebra of the continuous part.

A family gives (a, c, b, e) as expressions in its parameters; the parameters' sympy
assumptions are the domain (``positive``, ``negative``, ``nonzero``, ``integer`` or plain
real).  ``inverse`` recovers the parameters from (a, c), so membership is decided exactly.

>>> s = sympy.Symbol("s", positive=True)
>>> fam = RelationFamily((s,), s, sympy.Integer(0), s, sympy.Integer(0), (A,))
>>> fam.member(sympy.Rational(3, 2), sympy.Integer(0))
Relation(a=3/2, c=0, b=3/2, e=0)
>>> fam.member(sympy.Integer(-1), sympy.Integer(0)) is None
True
>>> fam.domain
's > 0'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Integer

from symeq.activations import Relation
from symeq.errors import InputError
from symeq.exact import is_exact_zero, number_to_string
from symeq.activations.arb_eval import Unsupported, arb_value, excludes_zero
from symeq.activations.formula import Z

__all__ = [
    "A",
    "C",
    "RelationFamily",
    "RelationGroup",
    "is_zero",
    "prove_relation",
    "single",
]

#: Placeholders for (a, c) in a family's ``inverse`` expressions.
A = sympy.Symbol("A", real=True)
C = sympy.Symbol("C", real=True)

ONE, ZERO = Integer(1), Integer(0)


def is_zero(x: sympy.Expr) -> bool:
    """Decide exactly whether a constant is zero (a ball away from 0 proves "no").

    >>> is_zero(sympy.cos(sympy.pi / 2)), is_zero(sympy.exp(2) - 7)
    (True, False)
    """
    x = sympy.sympify(x)
    if x == 0:
        return True
    if x.is_Rational:
        return False
    if x.has(sympy.I) and not x.free_symbols:
        re, im = sympy.expand_complex(x).as_real_imag()
        return is_zero(re) and is_zero(im)
    if not x.free_symbols and excludes_zero(x):
        return False
    y = sympy.simplify(x)
    if y == 0:
        return True
    try:
        return is_exact_zero(y)
    except Exception:  # sympy raises NotAlgebraic and others for transcendental constants
        result = y.equals(0)
        if result is None:
            raise InputError(f"cannot decide whether {x} is zero") from None
        return bool(result)


def _sign_ok(p: sympy.Symbol, v: sympy.Expr) -> bool:
    """Does the value v lie in the domain that p's assumptions describe?  A symbolic value
    qualifies when sympy's assumptions on its symbols imply the domain."""
    if v.free_symbols:
        if p.is_integer:
            return v.is_integer is True
        if p.is_positive:
            return v.is_positive is True
        if p.is_negative:
            return v.is_negative is True
        if p.is_nonzero:
            return v.is_nonzero is True
        return v.is_real is True
    if p.is_integer:
        if v.is_Integer:
            return True
        try:
            ball = arb_value(v, {})
            if not ball.contains_integer():
                return False
        except Unsupported:
            pass
        w = sympy.simplify(v)
        if w.is_Integer:
            return True
        raise InputError(f"cannot decide whether {v} is an integer")
    if p.is_positive:
        return not is_zero(v) and positive_constant(v)
    if p.is_negative:
        return not is_zero(v) and not positive_constant(v)
    if p.is_nonzero:
        return not is_zero(v)
    return True


def positive_constant(v: sympy.Expr) -> bool:
    """Whether a nonzero real constant is positive: sympy's assumptions, else a python-flint
    ball that excludes 0 (rigorous); InputError when neither decides.

    >>> positive_constant(sympy.sqrt(2) - sympy.Rational(7, 5))
    True
    """
    if v.is_positive is not None:
        return bool(v.is_positive)
    ball = arb_value(v, {})
    if ball > 0:
        return True
    if ball < 0:
        return False
    raise InputError(f"cannot decide the sign of {v}")


@dataclass(frozen=True)
class RelationFamily:
    """The relations (a, c, b, e)(params) for params in their domain.

    ``inverse[k]`` is params[k] as an expression in the placeholders :data:`A`, :data:`C`.
    ``proof`` says how sigma(a z + c) = b sigma(z) + e was proved for the whole family.
    """

    params: tuple[sympy.Symbol, ...]
    a: sympy.Expr
    c: sympy.Expr
    b: sympy.Expr
    e: sympy.Expr
    inverse: tuple[sympy.Expr, ...]
    proof: str = ""

    @property
    def domain(self) -> str:
        """The parameter domain as text, e.g. ``"s > 0"`` or ``"n integer"``."""
        parts = []
        for p in self.params:
            if p.is_integer:
                parts.append(f"{p} integer")
            elif p.is_positive:
                parts.append(f"{p} > 0")
            elif p.is_negative:
                parts.append(f"{p} < 0")
            elif p.is_nonzero:
                parts.append(f"{p} != 0")
            else:
                parts.append(f"{p} real")
        return ", ".join(parts)

    @property
    def dimension(self) -> int:
        """The number of continuous (non-integer) parameters."""
        return sum(1 for p in self.params if not p.is_integer)

    @property
    def components(self) -> int | None:
        """How many connected components the family has (None: infinitely many)."""
        n = 1
        for p in self.params:
            if p.is_integer:
                return None
            if p.is_nonzero and not (p.is_positive or p.is_negative):
                n *= 2
        return n

    def at(self, values: dict[sympy.Symbol, sympy.Expr]) -> Relation:
        """The member with the given parameter values (no domain check)."""
        return Relation(*(sympy.simplify(x.subs(values)) for x in (self.a, self.c, self.b, self.e)))

    def member(self, a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        """The relation of this family with input part (a, c), or None."""
        a, c = sympy.sympify(a), sympy.sympify(c)
        values = {p: sympy.simplify(inv.subs({A: a, C: c})) for p, inv in zip(self.params, self.inverse)}
        for p, v in values.items():
            if not _sign_ok(p, v):
                return None
        if not is_zero(self.a.subs(values) - a) or not is_zero(self.c.subs(values) - c):
            return None
        return Relation(a, c, sympy.simplify(self.b.subs(values)), sympy.simplify(self.e.subs(values)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the four expressions, parameters and domain as strings."""
        return {
            "params": [str(p) for p in self.params],
            "domain": self.domain,
            **{k: number_to_string(getattr(self, k)) for k in ("a", "c", "b", "e")},
            "proof": self.proof,
        }


def single(rel: Relation, proof: str = "") -> RelationFamily:
    """A family with one member.

    >>> single(Relation(ONE, ZERO, ONE, ZERO)).member(1, 0)
    Relation(a=1, c=0, b=1, e=0)
    """
    return RelationFamily((), rel.a, rel.c, rel.b, rel.e, (), proof)


@dataclass(frozen=True)
class RelationGroup:
    """All relations of one activation, or as many as were established (status "unknown").

    ``families`` together are the group (when ``status == "complete"``); ``generators`` are
    discrete generators modulo the identity component; ``lie_algebra`` lists infinitesimal
    relations (alpha, gamma, beta, epsilon): (alpha z + gamma) sigma'(z) = beta sigma(z) +
    epsilon.  ``established`` records every proved statement, including the completeness
    argument.
    """

    spec: str
    sigma: sympy.Expr
    method: str
    status: str
    families: tuple[RelationFamily, ...]
    generators: tuple[Relation, ...] = ()
    lie_algebra: tuple[tuple[sympy.Expr, sympy.Expr, sympy.Expr, sympy.Expr], ...] = ()
    affine: bool = False
    established: tuple[str, ...] = ()
    reason: str = ""
    extras: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def complete(self) -> bool:
        """True when every relation of sigma is proved to be in ``families``."""
        return self.status == "complete"

    @property
    def dimension(self) -> int:
        """Dimension of the relation group (of its identity component)."""
        return max((f.dimension for f in self.families), default=0)

    @property
    def components(self) -> int | None:
        """Number of connected components (None: infinitely many)."""
        total = 0
        for f in self.families:
            n = f.components
            if n is None:
                return None
            total += n
        return total

    def relation_for(self, a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        """The relation with input part (a, c), or None when there is none (among those
        established)."""
        for fam in self.families:
            rel = fam.member(a, c)
            if rel is not None:
                return rel
        return None

    def contains(self, rel: Relation) -> bool:
        """True when ``rel`` is one of the relations."""
        got = self.relation_for(rel.a, rel.c)
        return got is not None and is_zero(got.b - rel.b) and is_zero(got.e - rel.e)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and reports."""
        return {
            "activation": self.spec,
            "sigma": str(self.sigma),
            "method": self.method,
            "status": self.status,
            "dimension": self.dimension,
            "components": self.components if self.components is not None else "infinite",
            "families": [f.to_dict() for f in self.families],
            "generators": [r.as_strings() for r in self.generators],
            "lie_algebra": [[number_to_string(x) for x in g] for g in self.lie_algebra],
            "affine": self.affine,
            "established": list(self.established),
            **({"reason": self.reason} if self.reason else {}),
        }


def _numerically_refuted(d: sympy.Expr) -> bool:
    """True when d(z) is proved nonzero at some sample point (so d is not identically 0)."""
    if d.free_symbols - {Z}:
        return False
    for z in (sympy.Rational(1, 3), sympy.Rational(-7, 5), sympy.Rational(5, 2)):
        if excludes_zero(d, {Z: z}, precisions=(128,)):
            return True
    return False


def prove_relation(sigma: sympy.Expr, a: sympy.Expr, c: sympy.Expr, b: sympy.Expr,
                   e: sympy.Expr) -> str | None:
    """A proof that sigma(a z + c) - b sigma(z) - e is identically 0, as the name of the
    sympy rewriting that reduces it to 0; None when no rewriting does (which proves nothing
    either way).  Parameters in a, c, b, e may be symbols with assumptions.

    >>> prove_relation(sympy.tanh(Z), -1, 0, -1, 0)
    'automatic evaluation'
    >>> prove_relation(1 / (1 + sympy.exp(-Z)), -1, 0, -1, 1)
    'simplify'
    >>> prove_relation(sympy.tanh(Z), 1, 1, 1, 0) is None
    True
    """
    d = sigma.subs(Z, sympy.sympify(a) * Z + c) - b * sigma - e
    if d == 0:
        return "automatic evaluation"
    if _numerically_refuted(d):
        return None
    attempts = (
        ("expand", lambda x: sympy.expand(x)),
        ("expand of the exponential form", lambda x: sympy.expand(x.rewrite(sympy.exp))),
        ("simplify", sympy.simplify),
        ("expand_trig and simplify", lambda x: sympy.simplify(sympy.expand_trig(x))),
        ("simplify of the exponential form", lambda x: sympy.simplify(x.rewrite(sympy.exp))),
        ("cancel of the expanded exponential form",
         lambda x: sympy.cancel(sympy.expand(sympy.powsimp(sympy.expand(x.rewrite(sympy.exp)))))),
    )
    for name, f in attempts:
        try:
            if f(d) == 0:
                return name
        except (TypeError, ValueError, NotImplementedError, RecursionError):
            continue
    return None
