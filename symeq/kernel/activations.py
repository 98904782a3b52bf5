"""Activations: exact values, balls, and the relations sigma(a z + c) = b sigma(z) + e.

Polynomial activations: the kernel decides relations (b = a^deg, and e = p(a z + c) - b p(z) must
be constant).  The others: the family of relations is a trusted item named in the verdict
(:data:`FAMILIES`), as are the values at 0.

>>> from symeq.kernel.numbers import Field
>>> F = Field()
>>> tanh, p = Activation("tanh", "tanh"), Activation("power:2", "power", degree=2)
>>> tanh.completes(F.num(-1), F.zero), p.completes(F.num(-3), F.zero), p.completes(F.one, F.one)
((-1, 0), (9, 0), None)
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb

from symeq.kernel.constants import exact_value
from symeq.kernel.core import Reject
from symeq.kernel.numbers import Num

PLAIN = ("identity", "tanh", "sigmoid", "relu", "gelu", "softplus", "swish", "sin")
#: The trusted relation families (exactly these relations hold).
FAMILIES = {
    "tanh": "relations of tanh: tanh(z) and tanh(-z) = -tanh(z), no others",
    "sigmoid": "relations of sigmoid: sigma(z) and sigma(-z) = 1 - sigma(z), no others",
    "relu": "relations of relu: relu(a z) = a relu(z) for a > 0, no others",
    "leaky_relu": "relations of leaky_relu: s(a z) = a s(z) for a > 0, no others",
    "sin": "relations of sin: sin(a z + n pi) = a (-1)^n sin(z) for a = +-1, no others",
    **{name: f"relations of {name}: only {name}(z) = {name}(z)" for name in ("gelu", "softplus", "swish")}}
_BALL = {"tanh": lambda z: z.tanh(), "sigmoid": lambda z: 1 / (1 + (-z).exp()),
         "gelu": lambda z: z * (1 + (z / arb(2).sqrt()).erf()) / 2, "softplus": lambda z: z.exp().log1p(),
         "swish": lambda z: z / (1 + (-z).exp()), "sin": lambda z: z.sin()}

@dataclass(frozen=True)
class Activation:
    """An activation spec; ``slope`` for leaky_relu, ``degree`` for power:M, ``poly`` = p(z)."""

    spec: str
    name: str
    slope: Num | None = None
    degree: int = 1
    poly: Num | None = None

    def __post_init__(self) -> None:
        if self.name == "leaky_relu" and not (self.slope.sign() > 0 and (1 - self.slope).sign() > 0):
            raise Reject("the leaky_relu slope must lie strictly between 0 and 1")
        if self.name == "power" and not 2 <= self.degree <= 16:
            raise Reject("power:M needs M from 2 to 16")
        if self.name == "poly" and (self.poly.variables() != {"_z"} or self.poly.d is not None):
            raise Reject(f"{self.spec} is not a non-constant polynomial in z with constant coefficients")

    @property
    def polynomial(self) -> bool:
        return self.name in ("identity", "power", "poly")

    @property
    def exact(self) -> bool:
        """Values at algebraic points are computed exactly (else: balls)."""
        return self.polynomial or self.name in ("relu", "leaky_relu")

    @property
    def family(self) -> str | None:
        """The trusted item behind this activation's relations (None: the kernel decides them)."""
        return None if self.polynomial else FAMILIES[self.name]

    def value(self, z: Num) -> Num:
        """sigma(z), exactly (z may contain symbols for polynomial activations)."""
        F = z.f
        if self.name == "poly":  # p(z) = sum_k p_k z^k, the p_k constants
            zi, parts = F.names.index("_z"), {}
            for e, c in self.poly.n.terms():
                parts.setdefault(e[zi], {})[e[:zi] + (0,) + e[zi + 1:]] = c
            return sum((Num(F, F.ctx.from_dict(t)) * z ** k for k, t in parts.items()), F.zero)
        if self.polynomial:
            return z if self.name == "identity" else z ** self.degree
        if self.name in ("relu", "leaky_relu"):
            return z if z.sign() >= 0 else (self.slope or F.zero) * z
        return exact_value(self, z)  # sigma(0) (trusted values) and tanh at a rational, or a Reject

    def ball(self, z: arb) -> arb:
        if self.name not in _BALL:
            raise Reject(f"{self.spec} is evaluated exactly, not with balls")
        return _BALL[self.name](z)

    def completes(self, a: Num, c: Num) -> tuple[Num, Num] | None:
        """The (b, e) with sigma(a z + c) = b sigma(z) + e for all z, or None (a, c constants)."""
        F = a.f
        if a.is_zero():
            return None
        if self.polynomial:
            z = F.var("_z")
            b = a ** (1 if self.name == "identity" else self.degree if self.name == "power" else
                      self.poly.n.degrees()[F.names.index("_z")])
            e = self.value(a * z + c) - b * self.value(z)
            return None if e.variables() else (b, e)
        if self.name in ("relu", "leaky_relu"):
            return (a, F.zero) if a.sign() > 0 and c.is_zero() else None
        if self.name == "sin":
            k = round(float((c.ball(64) / arb.pi()).mid())) if c.is_constant() and abs(c.ball(64)) < 1e6 else 0.5
            ok = F.pi is not None and c == k * F.pi and (a == 1 or a == -1)
            return (a if k % 2 == 0 else -a, F.zero) if ok else None
        if c.is_zero() and (a == 1 or (a == -1 and self.name in ("tanh", "sigmoid"))):
            return (a, F.zero if a == 1 or self.name == "tanh" else F.one)
        return None
