"""The activation catalog: symbolic forms and declared one-dimensional relations.

A *relation* of an activation sigma is a tuple (a, c, b, e) with

    sigma(a z + c) = b sigma(z) + e      for all real z            (docs/theory.md, section 2).

The relations generate the latent group K_i of a hidden layer: a neuron whose pre-activation
row (w, beta) is mapped to (a w, a beta + c) has its output mapped to b v + e.  This module
*declares* the relations of docs/theory.md's table; ``symeq.activations.relations`` derives them from
the formula and a test checks that both agree.

Spec strings: ``identity``, ``tanh``, ``sigmoid``, ``relu``, ``leaky_relu:A``, ``gelu``,
``softplus``, ``swish``, ``sin``, ``power:M``, ``poly:EXPR`` (EXPR in the variable ``z``).

>>> act = activation("tanh")
>>> act.expr(sympy.Symbol("z"))
tanh(z)
>>> act.relation_for(sympy.Integer(-1), sympy.Integer(0))
Relation(a=-1, c=0, b=-1, e=0)
>>> activation("leaky_relu:1/10").spec
'leaky_relu:1/10'
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Callable, Sequence

import sympy
from sympy import Integer, pi

from symeq.errors import InputError
from symeq.exact import MAX_TEXT, exact_string, number_to_string, parse_number
from symeq.kinds import LatentKind

__all__ = ["Relation", "Activation", "activation", "describe_monomial", "CATALOG"]

Z = sympy.Symbol("z", real=True)



@dataclass(frozen=True)
class Relation:
    """sigma(a z + c) = b sigma(z) + e for all z."""

    a: sympy.Expr
    c: sympy.Expr
    b: sympy.Expr
    e: sympy.Expr

    def as_strings(self) -> dict[str, str]:
        """The relation in the certificate schema: exact strings under a, c, b, e."""
        return {k: exact_string(getattr(self, k)) for k in ("a", "c", "b", "e")}


IDENTITY_RELATION = Relation(Integer(1), Integer(0), Integer(1), Integer(0))


def describe_monomial(perm: Sequence[int], labels: Sequence[str], most: int) -> str:
    """One line for a monomial latent map (a permutation and one relation per neuron): the
    permutation's cycles, then each non-empty label with the neurons that carry it (at most
    ``most`` listed).  Shared by the matching's and the construction's latent maps, which
    label the relations differently.

    >>> describe_monomial((1, 0, 2, 3), ("", "", "b=-1", "b=-1"), 12)
    'perm (0 1); b=-1 on neurons 2, 3'
    >>> describe_monomial((0, 1), ("", ""), 12)
    'perm identity'
    """
    seen: set[int] = set()
    cycles = []
    for start in range(len(perm)):
        if start in seen or perm[start] == start:
            continue
        cyc, j = [], start
        while j not in seen:
            seen.add(j)
            cyc.append(str(j))
            j = perm[j]
        cycles.append("(" + " ".join(cyc) + ")")
    text = "perm " + ("".join(cycles) if cycles else "identity")
    groups: dict[str, list[int]] = {}
    for j, label in enumerate(labels):
        if label:
            groups.setdefault(label, []).append(j)
    for label, js in groups.items():
        which = ", ".join(map(str, js[:most])) + (", ..." if len(js) > most else "")
        text += f"; {label} on neuron{'s' if len(js) > 1 else ''} {which}"
    return text


@dataclass(frozen=True)
class Activation:
    """One activation function with its exact symbolic form and declared relations.

    ``expr`` maps a sympy expression z to sigma(z).  ``relation_for(a, c)`` returns the relation
    (a, c, b, e) when (a, c) is the input part of a declared relation, else ``None``; it is what
    neuron matching uses.  ``discrete`` lists generators of the finite part (besides identity).

    Equality and hashing compare ``canonical``, not the spec text: for ``poly:EXPR`` it is the
    expanded polynomial's coefficients, so specs that write one polynomial differently are one
    activation, while ``spec`` keeps the text as written (files and certificates repeat it).

    >>> activation("poly:z+z^2+z^4") == activation("poly:z^4+z^2+z"), activation("poly:z^4+z^2+z").spec
    (True, 'poly:z^4+z^2+z')
    >>> activation("poly:z*(1+z+z^3)") == activation("poly:z^4+z^2+z") != activation("poly:z^4+z^2+2*z")
    True
    """

    spec: str = field(compare=False)
    name: str
    #: The kind of latent group K_i this activation gives a hidden layer (docs/theory.md's table).
    kind: LatentKind
    expr: Callable[[sympy.Expr], sympy.Expr] = field(compare=False, repr=False)
    relation_for: Callable[[sympy.Expr, sympy.Expr], Relation | None] = field(
        compare=False, repr=False
    )
    discrete: tuple[Relation, ...] = ()
    families: tuple[str, ...] = ()
    #: True when sigma maps real algebraic numbers to real algebraic numbers computably
    #: (polynomials and piecewise-linear maps): verdicts can then be decided by exact
    #: evaluation instead of interval arithmetic.
    algebraic: bool = False
    polynomial: bool = False
    piecewise_linear: bool = False
    #: What equality compares (set from ``spec`` when not given).
    canonical: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.canonical:
            object.__setattr__(self, "canonical", self.spec)
        object.__setattr__(self, "kind", LatentKind(self.kind))

    def __call__(self, z: sympy.Expr) -> sympy.Expr:
        return self.expr(z)

    def value(self, z: sympy.Expr) -> sympy.Expr:
        """sigma(z) as an exact number, for a constant z (piecewise cases decided exactly).

        >>> activation("relu").value(sympy.Rational(-1, 2))
        0
        >>> activation("leaky_relu:1/10").value(sympy.Integer(-3))
        -3/10
        """
        if self.name in ("relu", "leaky_relu"):
            positive = _sign(z) >= 0
            if positive:
                return z
            return z * self._slope if self.name == "leaky_relu" else Integer(0)
        return sympy.expand(self.expr(z)) if self.polynomial else self.expr(z)

    @property
    def _slope(self) -> sympy.Expr:
        return parse_number(self.spec.split(":", 1)[1], "forbid")

    def is_relation(self, r: Relation) -> bool:
        """True when ``r`` is one of the declared relations."""
        got = self.relation_for(r.a, r.c)
        return got is not None and sympy.simplify(got.b - r.b) == 0 and sympy.simplify(got.e - r.e) == 0


def _sign(z: sympy.Expr) -> int:
    """The sign of an exact real constant, decided exactly (raises on symbols)."""
    if z.free_symbols:
        raise InputError(f"cannot decide the sign of the symbolic value {z}")
    if z.is_zero:
        return 0
    if z.is_positive:
        return 1
    if z.is_negative:
        return -1
    raise InputError(f"cannot decide the sign of {z}")


def _const(x: sympy.Expr) -> bool:
    return not x.free_symbols


def _only_identity(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    return IDENTITY_RELATION if a == 1 and c == 0 else None


def _odd(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    if c == 0 and a in (1, -1):
        return Relation(a, Integer(0), a, Integer(0))
    return None


def _sigmoid(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    if c == 0 and a == 1:
        return IDENTITY_RELATION
    if c == 0 and a == -1:
        return Relation(Integer(-1), Integer(0), Integer(-1), Integer(1))
    return None


def _positive_scale(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    if c == 0 and _const(a) and a.is_positive:
        return Relation(a, Integer(0), a, Integer(0))
    return None


def _power(m: int) -> Callable[[sympy.Expr, sympy.Expr], Relation | None]:
    def rel(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        if c == 0 and _const(a) and a.is_nonzero:
            return Relation(a, Integer(0), a**m, Integer(0))
        return None

    return rel


def _sin(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    # sin(z + 2 pi n) = sin z, sin(-z + pi + 2 pi n) = sin z, sin(z + pi + 2 pi n) = -sin z,
    # sin(-z + 2 pi n) = -sin z.
    if a not in (1, -1) or not _const(c):
        return None
    n = sympy.nsimplify(c / pi) if c != 0 else Integer(0)
    if not (n.is_Integer and sympy.simplify(n * pi - c) == 0):
        return None
    shifted = int(n) % 2 == 1
    b = Integer(1) if (a == 1) != shifted else Integer(-1)
    return Relation(a, c, b, Integer(0))


def _identity(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
    if _const(a) and a.is_nonzero and _const(c):
        return Relation(a, c, a, c)
    return None


def _refuse_unmodelled_relations(arg: str, p: sympy.Expr) -> None:
    """A ``poly:`` activation is modelled with the relations that fix 0 (the identity, and the
    sign flip when p is even or odd).  A polynomial with more, found by
    :func:`~symeq.activations.relations_poly.polynomial_relations` (a shifted power such as
    z + z^2/2 = ((z + 1)^2 - 1)/2, or a polynomial even or odd about z0 != 0), would get latent
    groups K_i that are too small, and so wrong uniqueness and identifiability verdicts: it is
    refused, with the relation that is missing."""
    from symeq.activations.relations_poly import polynomial_relations

    group = polynomial_relations(f"poly:{arg}", p)
    family = next((f for f in group.families if f.params), None)
    shifted = next((g for g in group.generators if g.c != 0 or g.e != 0), None)
    if family is None and shifted is None:
        return
    what = (f"the relations sigma(s z + {family.c}) = {family.b} sigma(z) + {family.e} for every s != 0"
            if family is not None else
            f"the relation sigma({shifted.a} z + {shifted.c}) = {shifted.b} sigma(z) + {shifted.e}")
    raise InputError(f"poly:{arg} has {what}; symeq models polynomial activations whose relations fix 0 "
                     "(write a power as power:M, or centre the polynomial at its point of symmetry)")


def _parity_of(p: sympy.Expr) -> int:
    """+1 for an even polynomial, -1 for an odd one, 0 otherwise."""
    if sympy.expand(p.subs(Z, -Z) - p) == 0:
        return 1
    if sympy.expand(p.subs(Z, -Z) + p) == 0:
        return -1
    return 0


def _poly(p: sympy.Expr) -> Callable[[sympy.Expr, sympy.Expr], Relation | None]:
    parity = _parity_of(p)

    def rel(a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        if a == 1 and c == 0:
            return IDENTITY_RELATION
        if a == -1 and c == 0 and parity != 0:
            return Relation(Integer(-1), Integer(0), Integer(parity), Integer(0))
        return None

    return rel


_NO_ARGUMENT = frozenset({"identity", "tanh", "sigmoid", "relu", "gelu", "softplus", "swish", "sin"})


def _make(spec: str) -> Activation:
    name, colon, arg = spec.partition(":")
    one, zero = Integer(1), Integer(0)
    if colon and name in _NO_ARGUMENT:
        # "tanh:" would otherwise be accepted under a spec string nothing else knows
        raise InputError(f"activation {name!r} takes no argument, got {spec!r}")
    if name == "identity" and not arg:
        return Activation(spec, name, "affine", lambda z: z, _identity,
                          families=("a != 0, c arbitrary: b = a, e = c",),
                          algebraic=True, polynomial=True, piecewise_linear=True)
    if name == "tanh" and not arg:
        return Activation(spec, name, "signed_permutation", sympy.tanh, _odd,
                          discrete=(Relation(-one, zero, -one, zero),))
    if name == "sigmoid" and not arg:
        return Activation(spec, name, "affine_signed_permutation",
                          lambda z: 1 / (1 + sympy.exp(-z)), _sigmoid,
                          discrete=(Relation(-one, zero, -one, one),))
    if name == "relu" and not arg:
        return Activation(spec, name, "positive_monomial", lambda z: sympy.Max(0, z),
                          _positive_scale, families=("a > 0: b = a",),
                          algebraic=True, piecewise_linear=True)
    if name == "leaky_relu":
        alpha = parse_number(arg or "1/100", "forbid")
        if not (alpha.is_Rational and 0 < alpha < 1):
            raise InputError(f"leaky_relu slope must be a rational number in (0, 1), got {arg!r}")
        spec = f"leaky_relu:{number_to_string(alpha)}"
        return Activation(spec, name, "positive_monomial",
                          lambda z: sympy.Max(alpha * z, z), _positive_scale,
                          families=("a > 0: b = a",), algebraic=True, piecewise_linear=True)
    if name == "gelu" and not arg:
        return Activation(spec, name, "permutation",
                          lambda z: z * (1 + sympy.erf(z / sympy.sqrt(2))) / 2, _only_identity)
    if name == "softplus" and not arg:
        return Activation(spec, name, "permutation", lambda z: sympy.log(1 + sympy.exp(z)),
                          _only_identity)
    if name == "swish" and not arg:
        return Activation(spec, name, "permutation", lambda z: z / (1 + sympy.exp(-z)),
                          _only_identity)
    if name == "sin" and not arg:
        return Activation(spec, name, "signed_permutation", sympy.sin, _sin,
                          discrete=(Relation(-one, zero, -one, zero), Relation(-one, pi, one, zero),
                                    Relation(one, pi, -one, zero)),
                          families=("c = 2 pi n: b = 1 (shifts live in the biases)",))
    if name == "power":
        # ASCII digits only: int() would read "\u0663" as 3, and " 3" or "0_3" as 3 too
        if not (re.fullmatch(r"-?[0-9]{1,40}", arg, re.ASCII)):
            raise InputError(f"power:M needs an integer M >= 2, got {arg[:60]!r}")
        m = int(arg)
        if not 2 <= m <= 16:
            raise InputError(f"power:M needs an integer M from 2 to 16, got {m}")
        return Activation(f"power:{m}", name, "power_monomial", lambda z: z**m, _power(m),
                          families=(f"a != 0: b = a^{m}",), algebraic=True, polynomial=True)
    if name == "poly":
        if not arg:
            raise InputError("poly:EXPR needs a polynomial in z, e.g. poly:z+z^2+z^4")
        p = parse_number(arg, {"z": Z})
        if not p.is_polynomial(Z) or sympy.degree(p, Z) < 2:
            raise InputError(f"poly:{arg} is not a polynomial of degree >= 2 in z")
        p = sympy.expand(p)
        _refuse_unmodelled_relations(arg, p)
        disc = () if _parity_of(p) == 0 else (Relation(-one, zero, Integer(_parity_of(p)), zero),)
        kind = "signed_permutation" if _parity_of(p) == -1 else "permutation"
        coefficients = ",".join(str(c) for c in sympy.Poly(p, Z).all_coeffs())
        return Activation(f"poly:{arg}", name, kind,
                          lambda z: p.subs(Z, z), _poly(p), discrete=disc,
                          algebraic=True, polynomial=True, canonical=f"poly:[{coefficients}]")
    known = "identity, tanh, sigmoid, relu, leaky_relu:A, gelu, softplus, swish, sin, power:M, poly:EXPR"
    raise InputError(f"unknown activation {spec[:60]!r}; known: {known}")


def activation(spec: object) -> Activation:
    """The catalog activation named by ``spec`` (raises InputError for unknown names)."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError("activation must be a non-empty string such as \"tanh\"")
    if len(spec) > MAX_TEXT + 10:  # poly:EXPR may be as long as a number, no longer
        raise InputError(f"activation {spec[:40]!r}... of {len(spec)} characters is too long")
    return _make(spec.strip())


#: The plain names of the catalog (those with an argument take a default one here).
CATALOG = ("identity", "tanh", "sigmoid", "relu", "leaky_relu:1/10", "gelu", "softplus",
           "swish", "sin", "power:2", "power:3", "poly:z+z^2+z^4")
