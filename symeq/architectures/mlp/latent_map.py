"""Latent maps: the elements k_i(g) of a latent group K_i, and the actions rho_i : G -> K_i.

A latent map is an affine map k(v) = M v + t of a hidden space V_i = R^d.  Two kinds cover every
MLP latent group of docs/theory.md section 2, in the certificate format of docs/certificates.md:

- ``monomial``: a permutation p and one activation relation (a_j, c_j, b_j, e_j) per neuron,
  meaning (k v)[p_j] = b_j v[j] + e_j.  The relation's input part (a_j, c_j) says how neuron
  j's pre-activation row moves: row p_j of the transformed layer is (a_j w_j, a_j beta_j + c_j).
  Signed permutations (tanh), the affine signed permutations of the sigmoid, positive monomial
  matrices (ReLU) and P diag(lambda^m) (z^m) are all of this kind.
- ``affine``: an arbitrary invertible M and shift t (identity activation, K_i = Aff(d)).

Composition and inversion are exact; two maps are *equal* when they act equally on V_i (the
relation's input part may differ: for z^2, a = -1 and a = 1 both give b = 1).

>>> from sympy import Integer
>>> neg = Relation(Integer(-1), Integer(0), Integer(-1), Integer(0))
>>> k = LatentMap.monomial((1, 0), (neg, IDENTITY))
>>> k.matrix()
Matrix([
[ 0, 1],
[-1, 0]])
>>> (k @ k @ k @ k).is_identity(), (k @ k).is_identity()
(True, False)
>>> k.inverse() @ k == LatentMap.identity(2)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.activations import IDENTITY_RELATION, Relation, describe_monomial
from symeq.errors import InputError
from symeq.exact import (Matrix, is_exact_zero, matrix_to_strings, parse_matrix, parse_number,
                         vector_to_strings)

__all__ = ["LatentMap", "Relation", "IDENTITY", "relation_from_dict", "simplify_scalar"]

IDENTITY = IDENTITY_RELATION

_ZERO, _ONE = Integer(0), Integer(1)


def simplify_scalar(x: sympy.Expr) -> sympy.Expr:
    """A canonical form for exact scalars: rationals untouched, radicals expanded and
    rationalized, rational functions of symbols cancelled.

    >>> simplify_scalar(1 / (sympy.sqrt(2) / 2))
    sqrt(2)
    """
    if x.is_Rational:
        return x
    if x.free_symbols:
        return sympy.cancel(sympy.expand(x))
    return sympy.radsimp(sympy.expand(x))


def _is_id(r: Relation) -> bool:
    return r is IDENTITY or (r.a == 1 and r.c == 0 and r.b == 1 and r.e == 0)


def _same(x: sympy.Expr, y: sympy.Expr) -> bool:
    if x == y:
        return True
    if x.is_Rational and y.is_Rational:
        return False
    return is_exact_zero(x - y)


def relation_from_dict(d: object, what: str = "relation") -> Relation:
    """Read {"a", "c", "b", "e"} exact strings (the certificate format).

    >>> relation_from_dict({"a": "-1", "c": "0", "b": "-1", "e": "1"})
    Relation(a=-1, c=0, b=-1, e=1)
    """
    if not isinstance(d, dict) or set(d) != {"a", "c", "b", "e"}:
        raise InputError(f"{what} must have exactly the keys a, c, b, e")
    return Relation(*(parse_number(d[k]) for k in ("a", "c", "b", "e")))


@dataclass(frozen=True)
class LatentMap:
    """One affine map of a hidden space, of kind ``monomial`` or ``affine``.

    For ``monomial``: ``perm[j]`` is p_j and ``relations[j]`` is (a_j, c_j, b_j, e_j).
    For ``affine``: ``linear`` is M and ``translation`` is t.
    """

    kind: str
    dim: int
    perm: tuple[int, ...] = ()
    relations: tuple[Relation, ...] = ()
    linear: Matrix | None = None
    translation: Matrix | None = None

    # -- construction -----------------------------------------------------------------------
    @staticmethod
    def monomial(perm: tuple[int, ...] | list[int], relations: tuple[Relation, ...] | list[Relation]) -> "LatentMap":
        """The map (k v)[perm[j]] = b_j v[j] + e_j, checking that perm is a permutation.

        >>> LatentMap.monomial((0, 0), (IDENTITY, IDENTITY))
        Traceback (most recent call last):
        ...
        symeq.errors.InputError: perm (0, 0) is not a permutation of 0..1
        """
        perm = tuple(int(p) for p in perm)
        relations = tuple(r if all(isinstance(getattr(r, k), sympy.Basic) for k in "acbe")
                          else Relation(*(sympy.sympify(getattr(r, k)) for k in "acbe"))
                          for r in relations)
        if sorted(perm) != list(range(len(perm))):
            raise InputError(f"perm {perm} is not a permutation of 0..{len(perm) - 1}")
        if len(relations) != len(perm):
            raise InputError(f"{len(relations)} relations for {len(perm)} neurons")
        return LatentMap("monomial", len(perm), perm, relations)

    @staticmethod
    def affine(linear: Matrix, translation: Matrix | None = None) -> "LatentMap":
        """The map v -> M v + t.

        >>> LatentMap.affine(ImmutableMatrix([[0, 1], [1, 0]])).translation.T
        Matrix([[0, 0]])
        """
        linear = ImmutableMatrix(linear)
        if not linear.is_square:
            raise InputError("an affine latent map needs a square matrix")
        t = ImmutableMatrix.zeros(linear.rows, 1) if translation is None else ImmutableMatrix(translation)
        if t.shape != (linear.rows, 1):
            raise InputError(f"shift has length {t.rows}, expected {linear.rows}")
        return LatentMap("affine", linear.rows, linear=linear, translation=t)

    @staticmethod
    def identity(dim: int, kind: str = "monomial") -> "LatentMap":
        """The identity map of R^dim, of the given kind.

        >>> LatentMap.identity(3).is_identity()
        True
        """
        if kind == "affine":
            return LatentMap.affine(ImmutableMatrix.eye(dim))
        return LatentMap("monomial", dim, tuple(range(dim)), (IDENTITY,) * dim)

    @staticmethod
    def from_dict(d: object, dim: int | None = None) -> "LatentMap":
        """Read the certificate format (``{"kind": "monomial", ...}`` or ``"affine"``).

        >>> LatentMap.from_dict({"kind": "monomial", "perm": [1, 0],
        ...     "relations": [{"a": "1", "c": "0", "b": "1", "e": "0"}] * 2}).perm
        (1, 0)
        """
        if not isinstance(d, dict) or "kind" not in d:
            raise InputError("a latent map must be an object with a 'kind'")
        if d["kind"] == "monomial":
            perm, rels = d.get("perm"), d.get("relations")
            if not isinstance(perm, list) or not isinstance(rels, list):
                raise InputError("a monomial latent map needs lists 'perm' and 'relations'")
            if not all(isinstance(p, int) and not isinstance(p, bool) for p in perm):
                raise InputError("perm must list integers")
            k = LatentMap.monomial(perm, [relation_from_dict(r) for r in rels])
        elif d["kind"] == "affine":
            m = parse_matrix(d.get("matrix"), what="affine matrix")
            t = d.get("shift")
            k = LatentMap.affine(m, None if t is None else ImmutableMatrix(
                [parse_number(x) for x in t]) if isinstance(t, list) else _bad_shift())
        else:
            raise InputError(f"unknown latent map kind {d['kind']!r}; known: monomial, affine")
        if dim is not None and k.dim != dim:
            raise InputError(f"latent map acts on R^{k.dim}, expected R^{dim}")
        return k

    def to_dict(self) -> dict[str, Any]:
        """The certificate format of docs/certificates.md."""
        if self.kind == "monomial":
            return {"kind": "monomial", "perm": list(self.perm),
                    "relations": [r.as_strings() for r in self.relations]}
        assert self.linear is not None and self.translation is not None
        return {"kind": "affine", "matrix": matrix_to_strings(self.linear),
                "shift": vector_to_strings(self.translation)}

    # -- as a matrix ------------------------------------------------------------------------
    def matrix(self) -> Matrix:
        """The linear part M (M[p_j, j] = b_j for a monomial map)."""
        if self.kind == "affine":
            assert self.linear is not None
            return self.linear
        m = sympy.zeros(self.dim, self.dim)
        for j, (p, r) in enumerate(zip(self.perm, self.relations)):
            m[p, j] = r.b
        return ImmutableMatrix(m)

    def shift(self) -> Matrix:
        """The translation t (t[p_j] = e_j for a monomial map)."""
        if self.kind == "affine":
            assert self.translation is not None
            return self.translation
        t = [_ZERO] * self.dim
        for p, r in zip(self.perm, self.relations):
            t[p] = r.e
        return ImmutableMatrix(self.dim, 1, t)

    def is_linear(self) -> bool:
        """True when the shift is zero."""
        return all(is_exact_zero(x) for x in self.shift())

    def as_affine(self) -> "LatentMap":
        """The same map as an ``affine`` latent map."""
        return self if self.kind == "affine" else LatentMap.affine(self.matrix(), self.shift())

    def apply(self, v: Matrix) -> Matrix:
        """k(v) for a column vector v.

        >>> LatentMap.affine(ImmutableMatrix([[2]]), ImmutableMatrix([1])).apply(ImmutableMatrix([3]))
        Matrix([[7]])
        """
        if self.kind == "affine":
            return self.matrix() * v + self.shift()
        out = [_ZERO] * self.dim
        for j, (p, r) in enumerate(zip(self.perm, self.relations)):
            out[p] = r.b * v[j] + r.e
        return ImmutableMatrix(self.dim, 1, out)

    # -- group operations -------------------------------------------------------------------
    def __matmul__(self, other: "LatentMap") -> "LatentMap":
        """self o other (apply ``other`` first)."""
        if self.dim != other.dim:
            raise InputError(f"cannot compose maps of R^{self.dim} and R^{other.dim}")
        if self.kind == "monomial" and other.kind == "monomial":
            perm, rels = [], []
            for j, (q, r2) in enumerate(zip(other.perm, other.relations)):
                r1 = self.relations[q]
                perm.append(self.perm[q])
                if _is_id(r1):
                    rels.append(r2)
                elif _is_id(r2):
                    rels.append(r1)
                else:
                    rels.append(Relation(simplify_scalar(r1.a * r2.a), simplify_scalar(r1.a * r2.c + r1.c),
                                         simplify_scalar(r1.b * r2.b), simplify_scalar(r1.b * r2.e + r1.e)))
            return LatentMap("monomial", self.dim, tuple(perm), tuple(rels))
        a, b = self.as_affine(), other.as_affine()
        return LatentMap.affine((a.matrix() * b.matrix()).applyfunc(simplify_scalar),
                                (a.matrix() * b.shift() + a.shift()).applyfunc(simplify_scalar))

    def inverse(self) -> "LatentMap":
        """k^{-1}."""
        if self.kind == "monomial":
            perm, rels = [0] * self.dim, [IDENTITY] * self.dim
            for j, (p, r) in enumerate(zip(self.perm, self.relations)):
                perm[p] = j
                rels[p] = r if _is_id(r) else Relation(
                    simplify_scalar(1 / r.a), simplify_scalar(-r.c / r.a),
                    simplify_scalar(1 / r.b), simplify_scalar(-r.e / r.b))
            return LatentMap("monomial", self.dim, tuple(perm), tuple(rels))
        inv = self.matrix().inv().applyfunc(simplify_scalar)
        return LatentMap.affine(inv, (-inv * self.shift()).applyfunc(simplify_scalar))

    def __pow__(self, n: int) -> "LatentMap":
        base = self if n >= 0 else self.inverse()
        out = LatentMap.identity(self.dim, self.kind)
        for _ in range(abs(n)):
            out = out @ base
        return out

    def acts_equal(self, other: "LatentMap") -> bool:
        """True when both maps act equally on V (relation input parts are ignored)."""
        if self.dim != other.dim:
            return False
        if self.kind == "monomial" and other.kind == "monomial":
            return all(p == q and _same(r.b, s.b) and _same(r.e, s.e) for p, q, r, s in
                       zip(self.perm, other.perm, self.relations, other.relations))
        a, b = self.as_affine(), other.as_affine()
        return all(_same(x, y) for x, y in zip(list(a.matrix()) + list(a.shift()),
                                               list(b.matrix()) + list(b.shift())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatentMap) and self.acts_equal(other)

    def __hash__(self) -> int:
        return hash((self.dim, tuple(self.matrix()), tuple(self.shift())))

    def is_identity(self) -> bool:
        """True when k acts as the identity on V."""
        if self.kind == "monomial":
            return all(p == j and _same(r.b, _ONE) and _same(r.e, _ZERO)
                       for j, (p, r) in enumerate(zip(self.perm, self.relations)))
        return self.acts_equal(LatentMap.identity(self.dim, "affine"))

    def describe(self) -> str:
        """One line: the permutation's cycles and the neurons whose relation is not the identity
        (monomial), or the matrix and shift (affine).

        >>> LatentMap.monomial((1, 0, 2), (IDENTITY, IDENTITY, Relation(-1, 0, -1, 0))).describe()
        'perm (0 1); b=-1 on neuron 2'
        """
        from symeq.exact import number_to_string

        if self.kind == "affine":
            rows = "; ".join(" ".join(number_to_string(x) for x in self.matrix().row(r))
                             for r in range(self.dim))
            text = f"matrix [{rows}]"
            if not self.is_linear():
                text += f", shift [{' '.join(number_to_string(x) for x in self.shift())}]"
            return text
        labels = [" ".join(f"{k}={number_to_string(getattr(r, k))}" for k in "be"
                           if not _same(getattr(r, k), _ONE if k == "b" else _ZERO))
                  if not (_same(r.b, _ONE) and _same(r.e, _ZERO)) else "" for r in self.relations]
        return describe_monomial(self.perm, labels, 16)

    def describe_relations(self) -> str:
        """One line with the whole relation of every moved neuron, input part included (a, c:
        how its pre-activation row moves; b, e: how its output moves), or the matrix and shift.

        >>> LatentMap.monomial((1, 0), (IDENTITY, Relation(-1, 0, -1, 0))).describe_relations()
        'perm (0 1); a=-1 b=-1 on neuron 1'
        >>> LatentMap.affine(ImmutableMatrix([[0, 1], [1, 0]]), ImmutableMatrix([0, 1])).describe_relations()
        'affine, matrix [0 1; 1 0], shift [0 1]'
        """
        from symeq.exact import number_to_string

        if self.kind == "affine":
            rows = "; ".join(" ".join(number_to_string(x) for x in self.matrix().row(r))
                             for r in range(self.dim))
            text = f"affine, matrix [{rows}]"
            if any(x != 0 for x in self.shift()):
                text += f", shift [{' '.join(number_to_string(x) for x in self.shift())}]"
            return text
        labels = [" ".join(f"{k}={number_to_string(getattr(r, k))}" for k in "acbe"
                           if getattr(r, k) != (1 if k in "ab" else 0))
                  if r != IDENTITY else "" for r in self.relations]
        return describe_monomial(self.perm, labels, 12)

    def trace(self) -> sympy.Expr:
        """The trace of the linear part (the character value of a linear latent action).

        >>> LatentMap.monomial((0, 1), (IDENTITY, Relation(-1, 0, -1, 0))).trace()
        0
        """
        if self.kind == "monomial":
            return simplify_scalar(sympy.Add(*[r.b for j, (p, r) in enumerate(zip(self.perm, self.relations)) if p == j]))
        return simplify_scalar(self.matrix().trace())


def _bad_shift() -> Matrix:
    raise InputError("an affine latent map's shift must be a list of numbers")
