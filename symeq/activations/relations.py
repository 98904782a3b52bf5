"""Derive every one-dimensional relation sigma(a z + c) = b sigma(z) + e of an activation.

The activation is a catalog spec (``tanh``, ``leaky_relu:1/10``, ``power:3``,
``poly:z^3+z`` ...), ``formula:EXPR``, or a bare formula in z in the safe grammar of
:mod:`symeq.activations.formula` (``exp(z)``, ``max(z/10, z)``).  The method follows the form of
sigma, and every reported relation is proved symbolically before it is reported:

* polynomial: coefficient comparison (:mod:`.relations_poly`), always complete;
* piecewise linear (max, min, abs of affine pieces): kink matching (:mod:`.relations_pl`),
  always complete;
* lam z + A0 + trigonometric polynomial: Fourier coefficients (:mod:`.relations_trig`);
* other functions analytic on R: Taylor, limits and solving (:mod:`.relations_analytic`);
* anything else, or a step a method cannot settle: status ``"unknown"`` with what was
  established; the trigonometric and analytic methods run under a time budget
  (:data:`DERIVE_SECONDS`) and past it answer ``"unknown"`` with reason "unknown (budget)".

>>> g = derive_relations("tanh")
>>> g.status, [(f.a, f.b) for f in g.families]
('complete', [(1, 1), (-1, -1)])
>>> derive_relations("leaky_relu:1/10").families[0].domain
's > 0'
>>> derive_relations("exp(z)").families[0].b
exp(t)
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from symeq.kinds import LatentKind

from symeq.activations import IDENTITY_RELATION, Activation, Relation, activation  # noqa: F401 -- Relation: doctests
from symeq.errors import BudgetExceeded, InputError
from symeq.budget import call_with_budget
from symeq.activations.formula import Z, parse_formula
from symeq.activations.piecewise import from_expr
from symeq.activations.relation_group import RelationFamily, RelationGroup, is_zero, single
from symeq.activations.relations_analytic import analytic_on_reals, analytic_relations
from symeq.activations.relations_pl import piecewise_relations
from symeq.activations.relations_poly import polynomial_relations
from symeq.activations.relations_trig import trig_decomposition, trig_relations

__all__ = ["RelationFamily", "RelationGroup", "derive_relations", "activation_formula",
           "formula_activation", "resolve_activation"]

_CATALOG_NAMES = {"identity", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "softplus", "swish",
                  "sin", "power", "poly"}
#: Seconds allowed for the trigonometric / analytic derivation of one activation's relations.
DERIVE_SECONDS = 60.0
_NON_ANALYTIC = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.Piecewise, sympy.sign)


def activation_formula(spec: str | Activation) -> tuple[str, sympy.Expr]:
    """(normalized spec, sigma(z)) for a catalog spec, ``formula:EXPR`` or a bare formula.

    >>> activation_formula("relu")
    ('relu', Max(0, z))
    >>> activation_formula("formula:tanh(2*z)")
    ('formula:tanh(2*z)', tanh(2*z))
    """
    if isinstance(spec, Activation):
        return spec.spec, spec.expr(Z)
    if not isinstance(spec, str) or not spec.strip():
        raise InputError("activation must be a non-empty string such as \"tanh\"")
    spec = spec.strip()
    if spec.startswith("formula:"):
        text = spec.split(":", 1)[1]
        return f"formula:{text.strip()}", parse_formula(text)
    if spec.partition(":")[0] in _CATALOG_NAMES:
        act = activation(spec)
        return act.spec, act.expr(Z)
    try:
        expr = parse_formula(spec)
    except InputError as exc:
        raise InputError(f"unknown activation {spec!r}: neither a catalog name nor a formula in z "
                         f"({exc})") from None
    return f"formula:{spec}", expr


def derive_relations(spec: str | Activation) -> RelationGroup:
    """All relations of the activation, each proved; status "complete" when the method proved
    that there are no others, "unknown" (with ``reason`` and ``established``) otherwise.

    >>> g = derive_relations("sin")
    >>> g.contains(Relation(1, sympy.pi, -1, 0)), g.relation_for(1, sympy.pi / 2)
    (True, None)
    """
    name, sigma = activation_formula(spec)
    return _derive(name, sigma)


@lru_cache(maxsize=128)
def _derive(spec: str, sigma: sympy.Expr) -> RelationGroup:
    if not sigma.has(Z):
        raise InputError(f"activation {spec!r} is constant; it has no meaningful relations")
    if sigma.is_polynomial(Z):
        return polynomial_relations(spec, sympy.expand(sigma))
    pl = from_expr(sigma)
    if pl is not None:
        if not pl.kinks:
            s, t = pl.pieces[0]
            return polynomial_relations(spec, s * Z + t)
        return piecewise_relations(spec, sigma, pl)
    identity = single(IDENTITY_RELATION, "trivial")
    if sigma.has(*_NON_ANALYTIC):
        return RelationGroup(spec, sigma, "none", "unknown", (identity,),
                             reason="sigma is neither piecewise linear nor analytic on R; no method applies",
                             established=("the identity relation (1, 0, 1, 0)",))
    if not analytic_on_reals(sigma):
        return RelationGroup(spec, sigma, "none", "unknown", (identity,),
                             reason="sigma was not shown to be analytic on all of R (a division, log "
                                    "or root of a quantity not proved nonzero/positive)",
                             established=("the identity relation (1, 0, 1, 0)",))
    try:
        return call_with_budget(_derive_analytic, (spec, sigma), DERIVE_SECONDS)
    except BudgetExceeded as exc:
        return RelationGroup(spec, sigma, "analytic", "unknown", (identity,),
                             reason=f"unknown (budget): the derivation (sympy limits, solving and "
                                    f"simplification) was stopped: {exc}",
                             established=("the identity relation (1, 0, 1, 0)",))


def _derive_analytic(spec: str, sigma: sympy.Expr) -> RelationGroup:
    """Trigonometric or analytic derivation (sympy limits, solveset, simplify: no time limit of
    their own, so :func:`_derive` runs this under :data:`DERIVE_SECONDS`)."""
    dec = trig_decomposition(sigma)
    if dec is not None:
        return trig_relations(spec, sigma, dec)
    return analytic_relations(spec, sigma)


def resolve_activation(spec: str | Activation) -> Activation:
    """The catalog activation for a catalog spec, else :func:`formula_activation`.

    >>> resolve_activation("tanh").kind
    'signed_permutation'
    """
    if isinstance(spec, Activation):
        return spec
    name, _ = activation_formula(spec)
    if name.startswith("formula:"):
        return formula_activation(name)
    return activation(name)


def formula_activation(spec: str) -> Activation:
    """An :class:`Activation` for a user formula, with its relations *derived* (so neuron
    matching and latent groups work as for the catalog).

    >>> act = formula_activation("exp(z)")
    >>> act.relation_for(sympy.Integer(1), sympy.Integer(2))
    Relation(a=1, c=2, b=exp(2), e=0)
    >>> act.kind
    'positive_monomial'
    """

    name, sigma = activation_formula(spec)
    group = _derive(name, sigma)
    pl = from_expr(sigma)
    return Activation(
        name, "formula", latent_kind(group), lambda z: sigma.subs(Z, z), group.relation_for,
        discrete=tuple(group.generators), families=tuple(f"{f.domain}: (a, c, b, e) = "
                                                          f"({f.a}, {f.c}, {f.b}, {f.e})"
                                                          for f in group.families if f.params),
        algebraic=bool(sigma.is_polynomial(Z) or pl is not None),
        polynomial=bool(sigma.is_polynomial(Z)), piecewise_linear=pl is not None,
    )


def _const_zero(x: sympy.Expr) -> bool:
    x = sympy.simplify(x)
    return x == 0 if x.free_symbols else is_zero(x)


def latent_kind(group: RelationGroup) -> LatentKind:
    """The kind of K_i the relations give (the action on V of docs/theory.md's table).

    >>> latent_kind(derive_relations("sigmoid")), latent_kind(derive_relations("power:2"))
    ('affine_signed_permutation', 'power_monomial')
    """
    if group.affine:
        return LatentKind.AFFINE
    if group.dimension > 0:
        fam = next(f for f in group.families if f.dimension > 0)
        if not _const_zero(fam.e):
            return LatentKind.AFFINE_MONOMIAL
        if any(p.is_nonzero and not (p.is_positive or p.is_negative) for p in fam.params):
            return LatentKind.POWER_MONOMIAL
        return LatentKind.POSITIVE_MONOMIAL
    images = [(f.b, f.e) for f in group.families]
    if all(_const_zero(b - 1) and _const_zero(e) for b, e in images):
        return LatentKind.PERMUTATION
    if all(_const_zero(e) for _, e in images):
        return LatentKind.SIGNED_PERMUTATION
    return LatentKind.AFFINE_SIGNED_PERMUTATION
