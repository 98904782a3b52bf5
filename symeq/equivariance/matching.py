"""Neuron matching: latent actions k_i(g) on every hidden layer, per generator g.

THEORY.md section 5.  For a generator g set k_0 = (rho_0(g), 0).  Layer i is matched when
there is a latent map k_i of the activation's latent group with

    f_i(k_{i-1} y) = k_i f_i(y)        for all y,

and the last layer must close exactly: W_L M = rho_L(g) W_L and W_L t + b_L = rho_L(g) b_L for
k_{L-1} = (M, t).  Layerwise equivariance of every layer gives end-to-end equivariance.

Monomial latent maps (every activation except the identity; docs/certificates.md) are a
permutation p and one activation relation (a_j, c_j, b_j, e_j) per neuron:
(k v)[p_j] = b_j v[j] + e_j.  The layer condition reads, row by row,

    (W_i M)[p_j] = a_j W_i[j],      (W_i t + b_i)[p_j] = a_j b_i[j] + c_j,

so matching is a question about rows: row q of the transformed layer [W_i M | W_i t + b_i]
must be the image of an original row j under a relation of the activation.  Rows are
normalized (scaled so that the first nonzero entry has a fixed form) and hashed, so each
transformed row finds its candidates by one dictionary lookup; a candidate is then confirmed
by computing its relation exactly and asking the activation (``Activation.relation_for``).
Monomial k_{i-1} is applied to W_i by indexing columns, never by a dense product.

Rational networks run on int64 arrays (exact; magnitudes are checked against overflow);
algebraic numbers, ``pi`` and symbolic parameters run on the polynomial ring K0[symbols, pi]
over a number field (:mod:`symeq.equivariance.numbers`).  With symbols a match is a polynomial
identity, so it holds for every value of the symbols.

Duplicate neurons (two rows related by a relation) make the matching ambiguous: every
bijection inside a class of duplicates is tried, depth first through the layers, within a
budget.  A failure says whether it is *definitive* (no monomial latent action exists at this
parameter) or only *ambiguous* (a choice could not be exhausted).

For the identity activation (K_i = Aff(d)) the latent action is forced when W_i has full row
rank: M_i = W_i M_{i-1} W_i^+, t_i = W_i t_{i-1} + b_i - M_i b_i (exact linear algebra).

>>> from symeq.models.io import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> m = match_layerwise(net, catalog_group("S2", 2, 1, output="trivial"))
>>> m.found, m.action("t")[0].perm
(True, (1, 0))
>>> bad = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "2"]]], "biases": [["0", "0"], ["0"]]})
>>> print(match_layerwise(bad, catalog_group("S2", 2, 1, output="trivial")).failure.message)
generator t: the output layer does not close: row 0 of W_2 k_1 differs from rho_L(t) W_2 (or the bias)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from math import gcd, lcm
from typing import Any, ClassVar, Iterator, Union

import numpy as np
import sympy
from sympy import ImmutableMatrix, Integer
from sympy.polys.matrices import DomainMatrix

from symeq.activations import IDENTITY_RELATION, Activation, Relation, describe_monomial
from symeq.exact import Matrix, matrix_to_strings, number_to_string, vector_to_strings
from symeq.groups import GroupAction
from symeq.models.mlp import MLP
from symeq.equivariance.numbers import (INT_LIMIT, ExactRing, exact_ring, rational_int_layer,
                                        rational_int_matrix, to_fraction)

__all__ = [
    "MonomialAction",
    "AffineAction",
    "LatentAction",
    "MatchFailure",
    "LayerwiseMatch",
    "match_layerwise",
    "DEFAULT_BUDGET",
]

#: Largest number of candidate hidden-layer actions tried per generator (duplicate neurons).
DEFAULT_BUDGET = 2000


# -- the result data ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonomialAction:
    """(k v)[perm[j]] = relations[j].b * v[j] + relations[j].e: the certificate's ``monomial``.

    >>> neg = Relation(Integer(-1), Integer(0), Integer(-1), Integer(0))
    >>> k = MonomialAction((1, 0), (IDENTITY_RELATION, neg))
    >>> k.matrix()
    Matrix([
    [0, -1],
    [1,  0]])
    >>> k.describe()
    'perm (0 1); a=-1 b=-1 on neuron 1'
    """

    perm: tuple[int, ...]
    relations: tuple[Relation, ...]
    kind: ClassVar[str] = "monomial"

    @property
    def dim(self) -> int:
        """The width of the hidden layer."""
        return len(self.perm)

    def matrix(self) -> Matrix:
        """M with M[p_j, j] = b_j."""
        m = sympy.zeros(self.dim, self.dim)
        for j, (p, r) in enumerate(zip(self.perm, self.relations)):
            m[p, j] = r.b
        return ImmutableMatrix(m)

    def shift(self) -> Matrix:
        """t with t[p_j] = e_j."""
        t = [Integer(0)] * self.dim
        for p, r in zip(self.perm, self.relations):
            t[p] = r.e
        return ImmutableMatrix(self.dim, 1, t)

    def to_dict(self) -> dict[str, Any]:
        """The certificate format (docs/certificates.md)."""
        return {"kind": "monomial", "perm": list(self.perm),
                "relations": [r.as_strings() for r in self.relations]}

    def describe(self) -> str:
        """A one-line summary: the permutation's cycles and the non-identity relations."""
        labels = [" ".join(f"{k}={number_to_string(getattr(r, k))}" for k in "acbe"
                           if getattr(r, k) != (1 if k in "ab" else 0))
                  if r != IDENTITY_RELATION else "" for r in self.relations]
        return describe_monomial(self.perm, labels, 12)


@dataclass(frozen=True)
class AffineAction:
    """k(v) = linear v + translation: the certificate's ``affine`` (identity activation).

    >>> AffineAction(ImmutableMatrix([[0, 1], [1, 0]]), ImmutableMatrix([0, 1])).to_dict()
    {'kind': 'affine', 'matrix': [['0', '1'], ['1', '0']], 'shift': ['0', '1']}
    """

    linear: Matrix
    translation: Matrix
    kind: ClassVar[str] = "affine"

    @property
    def dim(self) -> int:
        """The width of the hidden layer."""
        return self.linear.rows

    def matrix(self) -> Matrix:
        """The linear part M."""
        return self.linear

    def shift(self) -> Matrix:
        """The translation t."""
        return self.translation

    def to_dict(self) -> dict[str, Any]:
        """The certificate format (docs/certificates.md)."""
        return {"kind": "affine", "matrix": matrix_to_strings(self.linear),
                "shift": vector_to_strings(self.translation)}

    def describe(self) -> str:
        """A one-line summary."""
        rows = "; ".join(" ".join(number_to_string(x) for x in self.linear.row(r))
                         for r in range(self.linear.rows))
        text = f"affine, matrix [{rows}]"
        if any(x != 0 for x in self.translation):
            text += f", shift [{' '.join(number_to_string(x) for x in self.translation)}]"
        return text


LatentAction = Union[MonomialAction, AffineAction]


@dataclass(frozen=True)
class MatchFailure:
    """Why no layerwise action was found.

    ``layer`` is 1..L (L: the output layer did not close); ``neuron`` is the 0-based row of the
    transformed layer W_i k_{i-1} to blame, when there is one.  ``kind`` is

    - ``no_match``: a transformed row is the image of no neuron under the activation's relations;
    - ``closure``: the output layer does not close;
    - ``ambiguous``: duplicate or constant neurons allowed choices that could not all be tried;
    - ``budget``: the search over duplicate-neuron choices ran past its budget;
    - ``unsupported``: the method does not apply (numbers outside its domains, a rank-deficient
      identity layer).

    ``no_match`` and ``closure`` are *definitive*: no latent action of the searched kind exists.
    """

    generator: str
    layer: int
    neuron: int | None
    kind: str
    message: str

    @property
    def definitive(self) -> bool:
        """True when no latent action of the searched kind exists at this parameter."""
        return self.kind in ("no_match", "closure")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON.

        >>> MatchFailure("g", 2, 0, "closure", "...").to_dict()["definitive"]
        True
        """
        return {"generator": self.generator, "definitive": self.definitive, "layer": self.layer, "neuron": self.neuron,
                "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class LayerwiseMatch:
    """The latent actions k_1(g)..k_{L-1}(g) for every generator g, or why there are none.

    ``actions[n]`` belongs to ``generators[n]``; it is ``None`` when matching failed, and then
    ``failure`` says at which generator, layer and neuron.
    """

    generators: tuple[str, ...]
    actions: tuple[tuple[LatentAction, ...], ...] | None
    failure: MatchFailure | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def found(self) -> bool:
        """True when every generator has layerwise actions."""
        return self.actions is not None

    def action(self, generator: str) -> tuple[LatentAction, ...]:
        """The hidden-layer actions of one generator.

        >>> from symeq.models.io import network_from_dict
        >>> from symeq.groups import catalog_group
        >>> net = network_from_dict({"activation": "tanh", "weights": [[["1"]], [["1"]]],
        ...                          "biases": [["0"], ["0"]]})
        >>> match_layerwise(net, catalog_group("sign", 1, 1)).action("m")[0].describe()
        'perm identity; a=-1 b=-1 on neuron 0'
        """
        if self.actions is None:
            raise ValueError("no layerwise actions were found")
        return self.actions[self.generators.index(generator)]

    def evidence_actions(self) -> dict[str, list[dict[str, Any]]]:
        """{generator: [action dict per hidden layer]}: the certificate's evidence "actions".

        >>> from symeq.models.io import network_from_dict
        >>> from symeq.groups import catalog_group
        >>> net = network_from_dict({"activation": "relu", "weights": [[["1"]], [["1"]]],
        ...                          "biases": [["0"], ["0"]]})
        >>> match_layerwise(net, catalog_group("trivial", 1, 1)).evidence_actions()
        {'e': [{'kind': 'monomial', 'perm': [0], 'relations': [{'a': '1', 'c': '0', 'b': '1', 'e': '0'}]}]}
        """
        if self.actions is None:
            raise ValueError("no layerwise actions were found")
        return {g: [k.to_dict() for k in acts] for g, acts in zip(self.generators, self.actions)}


# -- public entry point -----------------------------------------------------------------------


def match_layerwise(net: MLP, group: GroupAction, *, budget: int = DEFAULT_BUDGET) -> LayerwiseMatch:
    """Find latent actions on every hidden layer for every generator of ``group``.

    The identity activation gets affine actions (when every hidden W_i has full row rank);
    every other activation gets monomial actions by neuron matching.  See the module docstring.

    >>> from symeq.models.io import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "relu", "weights": [[["2"], ["-1"]], [["1", "-2"]]],
    ...                          "biases": [["0", "0"], ["0"]]})
    >>> m = match_layerwise(net, catalog_group("sign", 1, 1))
    >>> m.action("m")[0].describe()
    'perm (0 1); a=1/2 b=1/2 on neuron 0; a=2 b=2 on neuron 1'
    """
    import time

    start = time.perf_counter()
    if net.activation.name == "identity":
        result = _affine_match(net, group)
    else:
        result = _monomial_match(net, group, budget)
    return LayerwiseMatch(result.generators, result.actions, result.failure,
                          time.perf_counter() - start)


def _fail(generators: tuple[str, ...], failure: MatchFailure) -> LayerwiseMatch:
    return LayerwiseMatch(generators, None, failure)


# -- monomial matching ------------------------------------------------------------------------


class _Overflow(Exception):
    """The int64 fast path would overflow: rerun on exact ring elements."""


class _BudgetHit(Exception):
    pass


@dataclass
class _Rows:
    """The rows of an augmented layer [W | bias], normalized for hashing.

    ``keys[q]``: hashable normal form (``None`` for a *constant* row: all zero, or, for
    activations whose relations shift (c != 0), a zero weight part).  ``lam[q]``: the scalar
    the row was divided by.  ``beta[q]``: the bias (only for shifting activations).
    ``scale``: the rows are ``scale`` times the true rows (int fast path).
    """

    keys: list[Any]
    lam: list[Any]
    beta: list[Any]
    scale: int = 1


_CONSTANT = "constant-row"


class _IntBackend:
    """Rational networks on int64 arrays; rows of each layer scaled to integers."""

    def __init__(self, net: MLP, group: GroupAction) -> None:
        self.depth = net.depth
        self.aug: list[np.ndarray] = []
        for w, b in zip(net.weights, net.biases):
            got = rational_int_layer(w, b)
            if got is None:
                raise _Overflow
            self.aug.append(got[0])
        self.rho_in = [self._rho(m) for m in group.inputs]
        self.rho_out = [self._rho(m) for m in group.outputs]
        self._fractions: dict[int, tuple[Relation, int, int, int, int]] = {}

    @staticmethod
    def _rho(m: Matrix) -> tuple[np.ndarray, int]:
        got = rational_int_matrix(m)
        if got is None:
            raise _Overflow
        return got

    def original(self, i: int) -> _Rows:
        return _int_rows(self.aug[i - 1], 1)

    def _transformed(self, i: int, k: Any) -> tuple[np.ndarray, int]:
        """[W_i M | W_i t + b_i] times a positive integer S, and S."""
        a = self.aug[i - 1]
        w, b = a[:, :-1], a[:, -1]
        wmax = int(np.abs(a).max()) if a.size else 0
        if isinstance(k, int):  # the input action rho_0(g)
            r, den = self.rho_in[k]
            rmax = int(np.abs(r).max())
            if wmax * rmax * w.shape[1] >= INT_LIMIT or wmax * den >= INT_LIMIT:
                raise _Overflow
            return np.hstack([w @ r, (b * den)[:, None]]), den
        fr = []
        for rel in k.relations:
            got = self._fractions.get(id(rel))
            if got is None:  # keyed by identity: relations come from the matcher's caches
                fb, fe = to_fraction(rel.b), to_fraction(rel.e)
                got = self._fractions[id(rel)] = (rel, fb.numerator, fb.denominator, fe.numerator,
                                                  fe.denominator)
            fr.append(got)
        dens = {x[2] for x in fr} | {x[4] for x in fr}
        s = lcm(*dens) if len(dens) > 1 or 1 not in dens else 1
        mb = [x[1] * (s // x[2]) for x in fr]
        me = [x[3] * (s // x[4]) for x in fr]
        bound = wmax * (max(abs(x) for x in mb) + sum(abs(x) for x in me) + s)
        if bound >= INT_LIMIT:
            raise _Overflow
        perm = np.array(k.perm)
        cols = w[:, perm]
        tw = cols * np.array(mb, dtype=np.int64)[None, :]
        bias = b * s
        if any(me):
            bias = bias + cols @ np.array(me, dtype=np.int64)
        return np.hstack([tw, bias[:, None]]), s

    def transform(self, i: int, k: Any) -> _Rows:
        t, s = self._transformed(i, k)
        return _int_rows(t, s)

    def ratio_key(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int) -> tuple[int, int]:
        """a = lam_q / lam_j of the true rows, as a reduced (numerator, denominator)."""
        num, den = rows_q.lam[q] * rows_j.scale, rows_q.scale * rows_j.lam[j]
        g = gcd(num, den) * (1 if den > 0 else -1)
        return num // g, den // g

    def ratio(self, key: tuple[int, int]) -> sympy.Expr:
        return sympy.Rational(*key)

    def shift(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int, a: sympy.Expr) -> sympy.Expr:
        raise AssertionError("the int backend serves activations without shifts only")

    def closes(self, g: int, k: Any) -> int | None:
        t, s = self._transformed(self.depth, k)
        r, den = self.rho_out[g]
        a = self.aug[-1]
        rhs_max = int(np.abs(r).max()) * (int(np.abs(a).max()) if a.size else 0) * r.shape[1]
        if rhs_max * s >= INT_LIMIT or (int(np.abs(t).max()) if t.size else 0) * den >= INT_LIMIT:
            raise _Overflow
        bad = np.nonzero((t * den != (r @ a) * s).any(axis=1))[0]
        return int(bad[0]) if bad.size else None


def _int_rows(t: np.ndarray, scale: int) -> _Rows:
    n = t.shape[0]
    nz = t != 0
    has = nz.any(axis=1)
    first = nz.argmax(axis=1)
    lead = t[np.arange(n), first]
    g = np.gcd.reduce(np.abs(t), axis=1)
    lam = np.where(lead < 0, -g, g)
    lam[~has] = 1
    normal = t // lam[:, None]
    keys = [normal[q].tobytes() if has[q] else None for q in range(n)]
    lams = [int(lam[q]) if has[q] else None for q in range(n)]
    return _Rows(keys, lams, [None] * n, scale)


class _RingBackend:
    """Algebraic, pi-containing and symbolic networks on ring elements of K0[gens]."""

    def __init__(self, net: MLP, group: GroupAction, ring: ExactRing, shifting: bool) -> None:
        self.R = ring
        self.depth = net.depth
        self.shifting = shifting
        self.w = [ring.matrix(w) for w in net.weights]
        self.b = [[row[0] for row in ring.matrix(b)] for b in net.biases]
        self.rho_in = [ring.matrix(m) for m in group.inputs]
        self.rho_out = [ring.matrix(m) for m in group.outputs]
        self._elem: dict[sympy.Expr, Any] = {}

    def _e(self, x: sympy.Expr) -> Any:
        if x not in self._elem:
            self._elem[x] = self.R.element(x)
        return self._elem[x]

    def _rows(self, w: list[list[Any]], bias: list[Any]) -> _Rows:
        keys, lams, betas = [], [], []
        for row, beta in zip(w, bias):
            vec = row if self.shifting else row + [beta]
            lead = next((x for x in vec if x), None)
            if lead is None:
                keys.append(None)
                lams.append(None)
            else:
                lam = lead.LC
                keys.append(tuple(x.quo_ground(lam) for x in vec))
                lams.append(lam)
            betas.append(beta)
        return _Rows(keys, lams, betas)

    def original(self, i: int) -> _Rows:
        return self._rows(self.w[i - 1], self.b[i - 1])

    def _transformed(self, i: int, k: Any) -> tuple[list[list[Any]], list[Any]]:
        w, b, zero = self.w[i - 1], self.b[i - 1], self.R.ring.zero
        if isinstance(k, int):
            rho = self.rho_in[k]
            cols = [[(r, rho[r][c]) for r in range(len(rho)) if rho[r][c]] for c in range(len(rho))]
            tw = [[sum((row[r] * v for r, v in col), zero) for col in cols] for row in w]
            return tw, list(b)
        mb = [self._e(r.b) for r in k.relations]
        me = [(p, self._e(r.e)) for p, r in zip(k.perm, k.relations) if r.e != 0]
        tw = [[row[p] * s for p, s in zip(k.perm, mb)] for row in w]
        bias = [beta + sum((row[p] * e for p, e in me), zero) for row, beta in zip(w, b)]
        return tw, bias

    def transform(self, i: int, k: Any) -> _Rows:
        return self._rows(*self._transformed(i, k))

    def ratio_key(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int) -> Any:
        """a = lam_q / lam_j, a (hashable) element of the ground field."""
        return self.R.ground.quo(rows_q.lam[q], rows_j.lam[j])

    def ratio(self, key: Any) -> sympy.Expr:
        return self.R.ground_to_sympy(key)

    def shift(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int, a: sympy.Expr) -> sympy.Expr:
        return self.R.to_sympy(rows_q.beta[q] - self._e(a) * rows_j.beta[j])

    def closes(self, g: int, k: Any) -> int | None:
        tw, bias = self._transformed(self.depth, k)
        rho, w, b, zero = self.rho_out[g], self.w[-1], self.b[-1], self.R.ring.zero
        for m in range(len(rho)):
            nz = [(r, v) for r, v in enumerate(rho[m]) if v]
            rhs = [sum((v * w[r][c] for r, v in nz), zero) for c in range(len(w[0]))]
            rhs_b = sum((v * b[r] for r, v in nz), zero)
            if tw[m] != rhs or bias[m] != rhs_b:
                return m
        return None


def _all_entries(net: MLP, group: GroupAction) -> list[sympy.Expr]:
    out: list[sympy.Expr] = []
    for m in net.weights + net.biases + group.inputs + group.outputs:
        out.extend(m)
    return out


def _monomial_match(net: MLP, group: GroupAction, budget: int) -> LayerwiseMatch:
    gens = group.names
    shifting = net.activation.name == "sin"  # the only catalog monomial kind with c != 0
    backend: Any = None
    if not shifting and not net.symbols:
        try:
            backend = _IntBackend(net, group)
        except _Overflow:
            backend = None
    if backend is not None:
        try:
            return _Matcher(net, backend, budget).run(group)
        except _Overflow:
            pass
    ring = exact_ring(_all_entries(net, group))
    if ring is None:
        return _fail(gens, MatchFailure(gens[0], 1, None, "unsupported",
                                        "the parameters are not polynomials in the symbols with "
                                        "algebraic coefficients"))
    return _Matcher(net, _RingBackend(net, group, ring, shifting), budget).run(group)


class _Matcher:
    """Depth-first neuron matching through the hidden layers, shared by both backends."""

    def __init__(self, net: MLP, backend: Any, budget: int) -> None:
        self.net = net
        self.act: Activation = net.activation
        self.backend = backend
        self.budget = budget
        self.shifting = net.activation.name == "sin"
        self.nodes = 0
        self._relation_cache: dict[tuple[sympy.Expr, sympy.Expr], Relation | None] = {}
        self._ratio_cache: dict[Any, Relation | None] = {}
        self.orig = {i: backend.original(i) for i in range(1, net.depth)}
        self.classes = {i: self._classes(self.orig[i]) for i in range(1, net.depth)}

    # relations between rows ------------------------------------------------------------------
    def _relation(self, a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        key = (a, c)
        if key not in self._relation_cache:
            self._relation_cache[key] = self.act.relation_for(a, c)
        return self._relation_cache[key]

    def _related(self, rq: _Rows, q: int, rj: _Rows, j: int) -> tuple[list[Relation], bool]:
        """Relations taking original row j to row q, and whether the list is complete."""
        if rq.keys[q] is None or rj.keys[j] is None:
            if (rq.keys[q] is None) != (rj.keys[j] is None):
                return [], True
            return self._constant_relations(rq, q, rj, j)
        key = self.backend.ratio_key(rq, q, rj, j)
        if self.shifting:
            a = self.backend.ratio(key)
            r = self._relation(a, self.backend.shift(rq, q, rj, j, a))
        else:
            if key not in self._ratio_cache:  # c = 0: the relation depends on a alone
                self._ratio_cache[key] = self._relation(self.backend.ratio(key), Integer(0))
            r = self._ratio_cache[key]
        return ([r] if r is not None else []), True

    def _constant_relations(self, rq: _Rows, q: int, rj: _Rows, j: int) -> tuple[list[Relation], bool]:
        """Constant rows have a nontrivial stabilizer: several relations may fit."""
        out: list[Relation] = []
        if self.shifting:
            for a in (Integer(1), Integer(-1)):
                r = self._relation(a, self.backend.shift(rq, q, rj, j, a))
                if r is not None:
                    out.append(r)
            return out, True
        seen = set()
        inputs = [Integer(1), Integer(-1)] + [r.a for r in self.act.discrete if r.c == 0]
        for a in inputs:
            r = self._relation(a, Integer(0))
            if r is not None and (r.b, r.e) not in seen:
                seen.add((r.b, r.e))
                out.append(r)
        # relu/power/identity have continuous families: a constant row could use any scale.
        return out, not self.act.families

    def _classes(self, rows: _Rows) -> tuple[dict[Any, list[int]], list[list[int]]]:
        """Bucket the original rows by normal form, then split buckets into orbits."""
        buckets: dict[Any, list[int]] = {}
        members: list[list[int]] = []
        for j, key in enumerate(rows.keys):
            key = _CONSTANT if key is None else key
            for cid in buckets.get(key, []):
                if self._related(rows, j, rows, members[cid][0])[0]:
                    members[cid].append(j)
                    break
            else:
                buckets.setdefault(key, []).append(len(members))
                members.append([j])
        return buckets, members

    # the search ------------------------------------------------------------------------------
    def run(self, group: GroupAction) -> LayerwiseMatch:
        gens = group.names
        found = []
        for n, g in enumerate(gens):
            self.nodes = 0
            try:
                acts, failure = self._dfs(g, n, 1, n)
            except _BudgetHit:
                return _fail(gens, MatchFailure(
                    g, 1, None, "budget",
                    f"generator {g}: more than {self.budget} choices among duplicate neurons"))
            if failure is not None:
                return _fail(gens, failure)
            found.append(tuple(acts))
        return LayerwiseMatch(gens, tuple(found))

    def _dfs(self, g: str, gi: int, i: int, k: Any) -> tuple[list[MonomialAction], MatchFailure | None]:
        depth = self.net.depth
        if i == depth:
            bad = self.backend.closes(gi, k)
            if bad is None:
                return [], None
            prev = f"W_{depth} k_{depth - 1}" if depth > 1 else f"W_1 rho_0({g})"
            return [], MatchFailure(g, depth, bad, "closure",
                                    f"generator {g}: the output layer does not close: row {bad} of "
                                    f"{prev} differs from rho_L({g}) W_{depth} (or the bias)")
        t = self.backend.transform(i, k)
        prev = f"W_{i} k_{i - 1}({g})" if i > 1 else f"W_1 rho_0({g})"
        buckets, members = self.classes[i]
        orig = self.orig[i]
        by_class: dict[int, list[int]] = {}
        with_rep: dict[int, tuple[list[Relation], bool]] = {}
        for q, key in enumerate(t.keys):
            cid = None
            for c in buckets.get(_CONSTANT if key is None else key, ()):
                got = self._related(t, q, orig, members[c][0])
                if got[0]:
                    cid, with_rep[q] = c, got
                    break
            if cid is None:
                return [], MatchFailure(g, i, q, "no_match",
                                        f"generator {g}, layer {i}: row {q} of {prev} is the image of "
                                        f"no neuron under the relations of {self.act.spec}")
            by_class.setdefault(cid, []).append(q)
        for cid, js in enumerate(members):
            qs = by_class.get(cid, [])
            if len(qs) != len(js):
                return [], MatchFailure(g, i, qs[0] if qs else None, "no_match",
                                        f"generator {g}, layer {i}: {len(js)} neuron(s) like neuron "
                                        f"{js[0]} but {len(qs)} such row(s) in {prev}")
        fixed: list[tuple[int, int, Relation]] = []
        open_slots: list[tuple[list[int], list[int]]] = []
        complete = True
        for cid, js in enumerate(members):
            qs = by_class[cid]
            if len(js) == 1:
                rels, ok = with_rep[qs[0]]
                complete &= ok
                if len(rels) == 1:
                    fixed.append((js[0], qs[0], rels[0]))
                    continue
            open_slots.append((js, qs))
        first_failure: MatchFailure | None = None
        tried = 0
        definitive = True
        holder = [complete]
        for pairs in self._assignments(t, orig, open_slots, holder):
            self.nodes += 1
            if self.nodes > self.budget:
                raise _BudgetHit
            tried += 1
            perm, rels = [0] * len(t.keys), [IDENTITY_RELATION] * len(t.keys)
            for j, q, r in itertools.chain(fixed, pairs):
                perm[j], rels[j] = q, r
            action = MonomialAction(tuple(perm), tuple(rels))
            acts, failure = self._dfs(g, gi, i + 1, action)
            if failure is None:
                return [action] + acts, None
            if first_failure is None:
                first_failure = failure
            definitive &= failure.definitive
        if first_failure is None:  # no pairing inside some class has fitting relations
            return [], MatchFailure(g, i, None, "no_match",
                                    f"generator {g}, layer {i}: no consistent pairing of {prev} "
                                    "with the neurons")
        if tried > 1 or not holder[0]:
            if definitive and holder[0]:
                return [], MatchFailure(first_failure.generator, first_failure.layer, first_failure.neuron,
                                        first_failure.kind,
                                        first_failure.message + f" (all {tried} choices among duplicate "
                                        f"neurons of layer {i} tried)")
            return [], MatchFailure(g, i, first_failure.neuron, "ambiguous",
                                    f"generator {g}, layer {i}: duplicate or constant neurons allow "
                                    f"choices that could not all be tried; first failure: "
                                    f"{first_failure.message}")
        return [], first_failure

    def _assignments(self, t: _Rows, orig: _Rows, slots: list[tuple[list[int], list[int]]],
                     holder: list[bool]) -> Iterator[list[tuple[int, int, Relation]]]:
        """Every bijection inside each class of duplicates, with every fitting relation."""
        if not slots:
            yield []
            return
        js, qs = slots[0]
        for image in itertools.permutations(qs):
            options = []
            for j, q in zip(js, image):
                rels, ok = self._related(t, q, orig, j)
                holder[0] &= ok
                options.append([(j, q, r) for r in rels])
            for combo in itertools.product(*options):
                for rest in self._assignments(t, orig, slots[1:], holder):
                    yield list(combo) + rest


# -- affine matching (identity activation) ----------------------------------------------------


def _affine_match(net: MLP, group: GroupAction) -> LayerwiseMatch:
    gens = group.names
    if net.symbols:
        return _fail(gens, MatchFailure(gens[0], 1, None, "unsupported",
                                        "symbolic identity network: decided by the polynomial identity"))
    ring = exact_ring(_all_entries(net, group))
    if ring is None or len(ring.gens) > 0:
        return _fail(gens, MatchFailure(gens[0], 1, None, "unsupported",
                                        "the parameters are not algebraic numbers"))
    K = ring.ground

    def dm(m: Matrix) -> DomainMatrix:
        return DomainMatrix([[K.from_sympy(x) for x in m.row(r)] for r in range(m.rows)], m.shape, K)

    ws = [dm(w) for w in net.weights]
    bs = [dm(b) for b in net.biases]
    pinv = []
    for i, w in enumerate(ws[:-1], start=1):
        if w.rank() < w.shape[0]:
            return _fail(gens, MatchFailure(gens[0], i, None, "unsupported",
                                            f"W_{i} does not have full row rank: the affine latent "
                                            "action is not forced; decided by the polynomial identity"))
        pinv.append(w.transpose() * (w * w.transpose()).inv())
    found = []
    for g, rho0, rho_l in group.generators():
        m, t = dm(rho0), DomainMatrix.zeros((net.widths[0], 1), K)
        acts: list[LatentAction] = []
        for i in range(1, net.depth):
            w, b = ws[i - 1], bs[i - 1]
            mi = w * m * pinv[i - 1]
            if w * m != mi * w:
                return _fail(gens, MatchFailure(
                    g, i, None, "no_match",
                    f"generator {g}, layer {i}: W_{i} k_{i - 1} is not M W_{i} for any M "
                    f"(W_{i} has full row rank, so M = W_{i} k_{i - 1} W_{i}^+ is forced)"))
            ti = w * t + b - mi * b
            acts.append(AffineAction(ImmutableMatrix(mi.to_Matrix()), ImmutableMatrix(ti.to_Matrix())))
            m, t = mi, ti
        w, b, r = ws[-1], bs[-1], dm(rho_l)
        if w * m != r * w or w * t + b != r * b:
            return _fail(gens, MatchFailure(
                g, net.depth, None, "closure",
                f"generator {g}: the output layer does not close under the forced affine actions"))
        found.append(tuple(acts))
    return LayerwiseMatch(gens, tuple(found))
