"""The latent symmetry groups K_i of an MLP's hidden layers, as structured group objects.

For a non-affine activation, K_i is the wreath product R wr S_d of the activation's relation
group R (:mod:`symeq.activations.relations`) with the permutations of the d neurons: an element
applies a relation r_j = (a_j, c_j, b_j, e_j) to neuron j and moves it to position perm[j].
For an affine activation K_i is Aff(d).  Groups are never enumerated: dimension and the number
of connected components come from closed forms (2^d d! for C_2 wr S_d, d! for R_+ wr S_d, ...).

Action on parameters (docs/theory.md section 2), for a monomial element at hidden layer i:

    W_i'[perm j, :] = a_j W_i[j, :]          b_i'[perm j] = a_j b_i[j] + c_j
    W_{i+1}'[:, perm j] = W_{i+1}[:, j] / b_j
    b_{i+1}' = b_{i+1} - sum_j W_{i+1}[:, j] e_j / b_j

so sigma(W_i' x + b_i')[perm j] = b_j sigma(W_i x + b_i)[j] + e_j and layer i+1 undoes it.

>>> g = latent_group("tanh", 3)
>>> g.kind, g.dimension, g.components, g.components_formula
('signed_permutation', 0, 48, '2^3 3!')
>>> latent_group("relu", 4).components_formula, latent_group("relu", 4).dimension
('4!', 4)
>>> latent_group("identity", 2).dimension
6
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial
from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.activations import Activation, Relation
from symeq.errors import InputError
from symeq.exact import Matrix
from symeq.architectures.mlp.latent_map import LatentMap
from symeq.architectures.mlp.model import MLP
from symeq.kinds import LatentKind
from symeq.activations.formula import Z
from symeq.activations.relation_group import RelationGroup
from symeq.activations.relations import _const_zero, derive_relations, latent_kind

__all__ = ["LatentGroup", "latent_group", "latent_groups", "latent_kind", "act", "orbit_tangents"]


ONE, ZERO = Integer(1), Integer(0)


@dataclass(frozen=True)
class LatentGroup:
    """K_i for one hidden layer of width d.

    ``dimension`` is the dimension of K_i as a Lie group acting on parameters; ``components``
    the number of its connected components (the order of its finite part K_i / K_i^0; None
    when infinite, as for sin's shifts), with ``components_formula`` its closed form.
    """

    activation: str
    width: int
    kind: LatentKind
    description: str
    dimension: int
    components: int | None
    components_formula: str
    relations: RelationGroup = field(compare=False, repr=False)

    @property
    def complete(self) -> bool:
        """True when the relation group (hence K_i) is known completely."""
        return self.relations.complete

    # -- the LatentGroup protocol (symeq.architectures.base) -----------------------------------
    @property
    def dim(self) -> int:
        """The dimension of V_i (the width)."""
        return self.width

    def identity(self) -> LatentMap:
        """The identity element."""
        return LatentMap.identity(self.width, "affine" if self.kind == LatentKind.AFFINE else "monomial")

    def compose(self, a: LatentMap, b: LatentMap) -> LatentMap:
        """a o b."""
        return a @ b

    def inverse(self, a: LatentMap) -> LatentMap:
        """a^-1."""
        return a.inverse()

    def equal(self, a: LatentMap, b: LatentMap) -> bool:
        """True when a and b act equally on V_i."""
        return a.acts_equal(b)

    def on_space(self, k: LatentMap) -> tuple[Matrix, Matrix]:
        """(M, t): k acts on V_i by v -> M v + t."""
        return k.matrix(), k.shift()

    def from_evidence(self, d: object) -> LatentMap:
        """The element of a certificate's ``actions`` (InputError for bad data)."""
        return LatentMap.from_dict(d, self.width)

    def describe(self) -> str:
        """K_i in words."""
        return f"{self.description} (width {self.width})"

    def generators(self) -> list[tuple[str, LatentMap]]:
        """Named generators: permutation generators, each discrete relation generator on neuron
        0, and a *general* element of each family (distinct symbolic parameters on every
        neuron).  Affine kind: elementary matrices and a translation with symbolic entries."""
        d = self.width
        out: list[tuple[str, LatentMap]] = []
        ident = Relation(ONE, ZERO, ONE, ZERO)
        if d >= 2:
            swap = (1, 0) + tuple(range(2, d))
            if self.kind == "affine":
                out.append(("transposition (0 1)", LatentMap.affine(_perm_matrix(swap))))
            else:
                out.append(("transposition (0 1)", LatentMap.monomial(swap, (ident,) * d)))
            if d >= 3:
                cycle = tuple((j + 1) % d for j in range(d))
                if self.kind == "affine":
                    out.append((f"cycle (0 .. {d - 1})", LatentMap.affine(_perm_matrix(cycle))))
                else:
                    out.append((f"cycle (0 .. {d - 1})", LatentMap.monomial(cycle, (ident,) * d)))
        if self.kind == "affine":
            s = sympy.Symbol("s", nonzero=True, real=True)
            u = sympy.Symbol("u", real=True)
            t = sympy.Symbol("t", real=True)
            scale = ImmutableMatrix.eye(d).as_mutable()
            scale[0, 0] = s
            out.append(("scaling diag(s, 1, ..)", LatentMap.affine(ImmutableMatrix(scale))))
            if d >= 2:
                tv = ImmutableMatrix.eye(d).as_mutable()
                tv[0, 1] = u
                out.append(("transvection I + u E_01", LatentMap.affine(ImmutableMatrix(tv))))
            shift = ImmutableMatrix.zeros(d, 1).as_mutable()
            shift[0, 0] = t
            out.append(("translation t e_0", LatentMap.affine(ImmutableMatrix.eye(d), ImmutableMatrix(shift))))
            return out
        for k, rel in enumerate(self.relations.generators):
            rels = (rel,) + (ident,) * (d - 1)
            out.append((f"relation ({', '.join(rel.as_strings().values())}) on neuron 0",
                        LatentMap.monomial(tuple(range(d)), rels)))
        for k, fam in enumerate(self.relations.families):
            if not fam.params:
                continue
            rels = []
            for j in range(d):
                subs = {p: sympy.Symbol(f"{p.name}{j}", **p.assumptions0) for p in fam.params}
                rels.append(Relation(*(x.subs(subs) for x in (fam.a, fam.c, fam.b, fam.e))))
            out.append((f"general element of the family {fam.domain} on every neuron",
                        LatentMap.monomial(tuple(range(d)), tuple(rels))))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "activation": self.activation,
            "width": self.width,
            "kind": self.kind,
            "description": self.description,
            "dimension": self.dimension,
            "components": self.components if self.components is not None else "infinite",
            "components_formula": self.components_formula,
            "relations_complete": self.complete,
        }


def _perm_matrix(perm: tuple[int, ...]) -> Matrix:
    d = len(perm)
    m = sympy.zeros(d, d)
    for j, p in enumerate(perm):
        m[p, j] = 1
    return ImmutableMatrix(m)


def latent_group(activation: str | Activation, width: int) -> LatentGroup:
    """K_i for a hidden layer of ``width`` neurons with this activation (a catalog spec, a
    formula, or an :class:`Activation`).

    >>> g = latent_group("sigmoid", 2)
    >>> g.kind, g.components, [name for name, _ in g.generators()]
    ('affine_signed_permutation', 8, ['transposition (0 1)', 'relation (-1, 0, -1, 1) on neuron 0'])
    """
    if not isinstance(width, int) or width < 1:
        raise InputError(f"a hidden layer needs a positive integer width, got {width!r}")
    rel = derive_relations(activation)
    kind = latent_kind(rel)
    d = width
    if kind == "affine":
        return LatentGroup(rel.spec, d, kind, kind.description, d * d + d, 2,
                           "2 (det A > 0 or < 0)", rel)
    r = rel.components
    if r is None:
        comps, formula = None, f"infinite (relation group has infinitely many components); on V: {_v_formula(rel, d)}"
    else:
        comps = r**d * factorial(d)
        formula = f"{d}!" if r == 1 else f"{r}^{d} {d}!"
    return LatentGroup(rel.spec, d, kind, kind.description, d * rel.dimension, comps, formula, rel)


def _v_formula(rel: RelationGroup, d: int) -> str:
    """The order of K_i's image acting on V (sign changes and permutations)."""
    signs = 2 if any(not _const_zero(f.b.subs({p: 1 for p in f.params}) - 1) for f in rel.families) else 1
    return f"{signs}^{d} {d}!" if signs > 1 else f"{d}!"


def latent_groups(net: MLP) -> tuple[LatentGroup, ...]:
    """(K_1, ..., K_{L-1}) for the hidden layers of ``net``.

    >>> from symeq.architectures.mlp.sampling import random_network
    >>> [g.components for g in latent_groups(random_network("tanh", (2, 3, 2, 1)))]
    [48, 8]
    """
    return tuple(latent_group(net.activation, d) for d in net.hidden_widths)


def _affine_coefficients(net: MLP) -> tuple[sympy.Expr, sympy.Expr]:
    sigma = net.activation.expr(Z)
    p1 = sympy.diff(sigma, Z)
    return sympy.expand(p1), sympy.expand(sigma.subs(Z, 0))


def act(net: MLP, layer: int, element: LatentMap) -> MLP:
    """The network k . theta for k in K_layer (1 <= layer < L); same end-to-end function.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("tanh"), (M([[1, 2], [3, 4]]), M([[5, 6]])), (M([0, 1]), M([2])))
    >>> k = LatentMap.monomial((1, 0), (Relation(-1, 0, -1, 0), Relation(1, 0, 1, 0)))
    >>> moved = act(net, 1, k)
    >>> moved.weights[0], moved.weights[1], moved.biases[0].T
    (Matrix([
    [ 3,  4],
    [-1, -2]]), Matrix([[6, -5]]), Matrix([[1, 0]]))
    """
    if not 1 <= layer < net.depth:
        raise InputError(f"layer {layer} is not a hidden layer (1..{net.depth - 1})")
    W, b = net.weights[layer - 1], net.biases[layer - 1]
    V, c = net.weights[layer], net.biases[layer]
    d = W.rows
    if element.kind == "affine":
        A, t = element.matrix(), element.shift()
        if A.shape != (d, d) or t.shape != (d, 1):
            raise InputError(f"affine element has the wrong shape for width {d}")
        p1, p0 = _affine_coefficients(net)
        Ainv = A.inv()
        ones = ImmutableMatrix.ones(d, 1)
        shift_v = p1 * t + p0 * ones - A * (p0 * ones)
        W2, b2 = A * W, A * b + t
        V2 = (V * Ainv).applyfunc(sympy.simplify)
        c2 = (c - V * Ainv * shift_v).applyfunc(sympy.simplify)
    else:
        if sorted(element.perm) != list(range(d)) or len(element.relations) != d:
            raise InputError(f"monomial element has the wrong size for width {d}")
        W2m, b2m = sympy.zeros(d, W.cols), sympy.zeros(d, 1)
        V2m = sympy.zeros(V.rows, d)
        c2m = c.as_mutable()
        for j, (p, r) in enumerate(zip(element.perm, element.relations)):
            W2m[p, :] = r.a * W[j, :]
            b2m[p, 0] = r.a * b[j, 0] + r.c
            V2m[:, p] = V[:, j] / r.b
            c2m -= V[:, j] * (r.e / r.b)
        W2, b2, V2, c2 = map(ImmutableMatrix, (W2m, b2m, V2m, c2m))
    return net.with_layer(layer, W2, b2).with_layer(layer + 1, V2, c2)


def orbit_tangents(net: MLP) -> list[tuple[sympy.Expr, ...]]:
    """Tangent vectors at theta of the continuous part of K = K_1 x ... x K_{L-1}, one per
    hidden neuron and Lie-algebra generator (for an affine activation: per elementary
    matrix and translation), as vectors in the flat parameter order of ``MLP.parameters``.
    Every one lies in the kernel of the Jacobian of theta -> f(x; theta), for every x.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> net = MLP(activation("relu"), (M([[1, 2]]), M([[3]])), (M([4]), M([5])))
    >>> orbit_tangents(net)
    [(1, 2, 4, -3, 0)]
    """
    rel = derive_relations(net.activation)
    offsets, k = [], 0
    for w in net.weights:
        offsets.append(k)
        k += w.rows * w.cols + w.rows
    n = k
    out: list[tuple[sympy.Expr, ...]] = []

    def index_w(i: int, r: int, col: int) -> int:  # W_i[r, col], i is 1-based
        w = net.weights[i - 1]
        return offsets[i - 1] + r * w.cols + col

    def index_b(i: int, r: int) -> int:
        w = net.weights[i - 1]
        return offsets[i - 1] + w.rows * w.cols + r

    for i in range(1, net.depth):
        W, b = net.weights[i - 1], net.biases[i - 1]
        V = net.weights[i]
        d = W.rows
        if rel.affine:
            p1, p0 = _affine_coefficients(net)
            for p in range(d):
                for q in range(d):
                    v = [ZERO] * n
                    for col in range(W.cols):
                        v[index_w(i, p, col)] += W[q, col]
                    v[index_b(i, p)] += b[q]
                    for r in range(V.rows):
                        v[index_w(i + 1, r, q)] -= V[r, p]
                        v[index_b(i + 1, r)] += p0 * V[r, p]
                    out.append(tuple(v))
                v = [ZERO] * n
                v[index_b(i, p)] = ONE
                for r in range(V.rows):
                    v[index_b(i + 1, r)] -= p1 * V[r, p]
                out.append(tuple(v))
            continue
        for alpha, gamma, beta, eps in rel.lie_algebra:
            for j in range(d):
                v = [ZERO] * n
                for col in range(W.cols):
                    v[index_w(i, j, col)] = alpha * W[j, col]
                v[index_b(i, j)] = alpha * b[j] + gamma
                for r in range(V.rows):
                    v[index_w(i + 1, r, j)] = -beta * V[r, j]
                    v[index_b(i + 1, r)] += -eps * V[r, j]
                out.append(tuple(sympy.expand(x) for x in v))
    return out
