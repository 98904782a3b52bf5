"""The neuron matcher: every latent map k_i relating a layer of theta to a layer of another
parameter, for the monomial latent groups of docs/theory.md section 2.

docs/theory.md section 5, step 2: for the other parameter theta' = theta^g (or theta itself, for
the stabilizer) and hidden layer i we need every k_i in K_i with

    f_i( . ; theta'_i) o k_{i-1} = k_i o f_i( . ; theta_i).

A monomial latent map is a permutation p and one activation relation (a_j, c_j, b_j, e_j) per
neuron, meaning (k v)[p_j] = b_j v[j] + e_j.  With (M, t) = k_{i-1} the condition reads, row by
row,

    (W'_i M)[p_j] = a_j W_i[j],      (W'_i t + b'_i)[p_j] = a_j b_i[j] + c_j,

so matching is a question about rows: row q of the transformed layer [W'_i M | W'_i t + b'_i]
must be the image of an original row j under a relation of the activation.  Rows are
normalized (scaled so that the first nonzero entry has a fixed form) and hashed, so each
transformed row finds its candidates by one dictionary lookup; a candidate is then confirmed by
computing its relation exactly and asking the activation (``Activation.relation_for``).  The
last layer must close: [W'_L M | W'_L t + b'_L] = [W_L | b_L].

Three exact backends hold the rows:

- ``int``: every entry rational; int64 arrays over a common denominator (exact: magnitudes are
  checked against :data:`~symeq.rings.INT_LIMIT`, and the ring backend takes over on overflow);
- ``ring``: algebraic numbers, ``pi`` and polynomial symbolic parameters, as elements of the
  polynomial ring K0[symbols, pi] over a number field (:mod:`symeq.rings`): canonical and
  hashable; with symbols a match is a polynomial identity, so it holds for every value;
- ``sym``: rational functions of the symbols, in sympy's canonical form (cancelled), the slow
  fallback.

Duplicate neurons (rows related by a relation) make the matching ambiguous: every bijection
inside a class of duplicates is listed, with every fitting relation, lazily.  A constant row
under an activation with a continuous family of relations (ReLU, z^m) fits infinitely many
relations; the matcher lists scale 1 there and says the list is not complete
(:attr:`LayerSolutions.complete`); such neurons are also reported by
:func:`free_scale_neurons`.

For the identity activation (K_i = Aff(d)) the latent map is forced when W_i has full row rank:
M_i = W'_i M_{i-1} W_i^+, t_i = W'_i t_{i-1} + b'_i - M_i b_i (exact linear algebra); otherwise
it is not a finite list (:class:`NotEnumerable`) and :mod:`symeq.architectures.mlp.affine`
solves all layers at once.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.architectures.base import Budget
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> other = net.twist(catalog_group("S2", 2, 1, output="trivial"), "t")
>>> [k.perm for k in net.solve_layer(1, None, other, Budget())]
[(1, 0)]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from math import gcd, lcm
from typing import Any

import numpy as np
import sympy
from sympy import ImmutableMatrix, Integer

from symeq.activations import IDENTITY_RELATION, Activation, Relation
from symeq.architectures.mlp.latent_map import LatentMap, simplify_scalar
from symeq.architectures.mlp.model import MLP
from symeq.errors import InputError
from symeq.groups import GroupAction
from symeq.architectures.base import LayerFailure, LayerSolutions
from symeq.rings import INT_LIMIT, ExactRing, exact_ring, rational_int_matrix, to_fraction

__all__ = ["NeuronMatcher", "matcher", "twisted", "free_scale_neurons", "relation_class"]

_ZERO, _ONE, _MINUS = Integer(0), Integer(1), Integer(-1)


def relation_class(act: Activation) -> str:
    """How the activation's relations move a row (w, beta):

    ``sign`` (a in {1, -1}, c = 0: tanh, sigmoid, gelu, polynomials), ``sign_shift`` (sin:
    a = +-1 and c in pi Z), ``positive_scale`` (relu: a > 0), ``scale`` (z^m: a != 0), or
    ``affine`` (identity: not monomial).

    >>> from symeq.activations import activation
    >>> [relation_class(activation(s)) for s in ("tanh", "sin", "relu", "power:3", "identity")]
    ['sign', 'sign_shift', 'positive_scale', 'scale', 'affine']
    """
    if act.kind == "affine":
        return "affine"
    if act.name == "sin":
        return "sign_shift"
    if act.kind == "positive_monomial":
        return "positive_scale"
    if act.kind == "power_monomial":
        return "scale"
    return "sign"


def free_scale_neurons(net: MLP, i: int) -> tuple[int, ...]:
    """The neurons of hidden layer i whose row (w, beta) is zero under an activation with a
    continuous family of relations (ReLU, z^m): their scale is fixed by no layer equation of
    layer i, and the matcher lists scale 1 for them.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "relu", "weights": [[["0"], ["1"]], [["1", "1"]]],
    ...                          "biases": [["0", "0"], ["0"]]})
    >>> free_scale_neurons(net, 1)
    (0,)
    """
    if relation_class(net.activation) not in ("positive_scale", "scale"):
        return ()
    W, b = net.weights[i - 1], net.biases[i - 1]
    return tuple(j for j in range(W.rows) if all(x == 0 for x in W.row(j)) and b[j] == 0)


# -- theta^g --------------------------------------------------------------------------------


def twisted(net: MLP, group: GroupAction, g: str) -> MLP:
    """theta^g (see :meth:`MLP.twist`), computed on integer arrays when everything is rational."""
    rho0, rhoL = group.generator(g)
    inv = _inverse(group, g, rhoL)
    L = net.depth
    first, last = net.int_layer(1), net.int_layer(L)
    r0, ri = rational_int_matrix(rho0), rational_int_matrix(inv)
    if first is not None and last is not None and r0 is not None and ri is not None:
        layers = _twisted_int(net, first, last, r0, ri)
        if layers is not None:
            return MLP.from_integer_layers(net.activation, layers)
    out = net.with_layer(1, (net.weights[0] * rho0).applyfunc(simplify_scalar), net.biases[0])
    return out.with_layer(L, (inv * out.weights[L - 1]).applyfunc(simplify_scalar),
                          (inv * out.biases[L - 1]).applyfunc(simplify_scalar))


def _inverse(group: GroupAction, g: str, rhoL: ImmutableMatrix) -> ImmutableMatrix:
    cache = group.__dict__.setdefault("_inverse_outputs", {}) if hasattr(group, "__dict__") else {}
    if g not in cache:
        cache[g] = rhoL.inv().applyfunc(simplify_scalar)
    return cache[g]


def _twisted_int(net: MLP, first: tuple[np.ndarray, int], last: tuple[np.ndarray, int],
                 r0: tuple[np.ndarray, int], ri: tuple[np.ndarray, int]) -> list[tuple[np.ndarray, int]] | None:
    """[W_1 rho_0 | b_1] and rho_L^-1 [W_L | b_L] as integer arrays, or None past int64.

    A monomial rho (a permutation of pixels, a signed coordinate swap) moves whole columns or
    rows, so the products are index operations; numpy has no BLAS for integers, and a dense
    product of a 1024 x 3072 layer with a 3072 x 3072 permutation takes minutes."""
    def big(*arrays: np.ndarray) -> int:
        return max((int(np.abs(a).max()) if a.size else 0) for a in arrays)

    layers = [net.int_layer(i) for i in range(1, net.depth + 1)]
    (A, D), (R, DR) = first, r0
    mono = _monomial(R)
    if mono is not None:  # (W R)[:, j] = R[k_j, j] W[:, k_j]
        rows, vals = mono
        if big(A) * big(vals) >= INT_LIMIT or big(A) * DR >= INT_LIMIT:
            return None
        layers[0] = (np.hstack([A[:, rows] * vals[None, :], A[:, -1:] * DR]), D * DR)
    else:
        if big(A) * max(big(R), DR) * (A.shape[1]) >= INT_LIMIT:
            return None
        layers[0] = (np.hstack([A[:, :-1] @ R, A[:, -1:] * DR]), D * DR)
    A, D = layers[-1] if net.depth > 1 else layers[0]
    Ri, DRi = ri
    mono = _monomial(Ri.T)
    if mono is not None:  # (R A)[i, :] = R[i, k_i] A[k_i, :]
        cols, vals = mono
        if big(A) * big(vals) >= INT_LIMIT:
            return None
        layers[-1] = (A[cols, :] * vals[:, None], D * DRi)
    else:
        if big(A) * big(Ri) * Ri.shape[1] >= INT_LIMIT:
            return None
        layers[-1] = (Ri @ A, D * DRi)
    if any(x is None for x in layers):
        return None
    return layers  # type: ignore[return-value]


def _monomial(R: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For a matrix with exactly one nonzero entry in every column (and row): (k, v) with
    R[k_j, j] = v_j; None otherwise.

    >>> _monomial(np.array([[0, -1], [2, 0]]))
    (array([1, 0]), array([ 2, -1]))
    >>> _monomial(np.array([[1, 1], [0, 1]])) is None
    True
    """
    nz = R != 0
    if R.shape[0] != R.shape[1] or not (nz.sum(axis=0) == 1).all() or not (nz.sum(axis=1) == 1).all():
        return None
    rows = nz.argmax(axis=0)
    return rows, R[rows, np.arange(R.shape[1])]


# -- rows -----------------------------------------------------------------------------------


@dataclass
class _Rows:
    """The rows of an augmented layer [W | bias], normalized for hashing.

    ``keys[q]``: hashable normal form (``None`` for a *constant* row: all zero, or, for
    activations whose relations shift (c != 0), a zero weight part).  ``lam[q]``: the scalar the
    row was divided by.  ``beta[q]``: the bias (only for shifting activations).  ``scale``: the
    stored rows are ``scale`` times the true rows (int backend).
    """

    keys: list[Any]
    lam: list[Any]
    beta: list[Any]
    scale: int = 1


class _Overflow(Exception):
    """The int64 backend would overflow: the ring backend takes over."""


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


class _IntBackend:
    """Rational layers on int64 arrays (true rows = stored rows / scale)."""

    name = "int"

    def __init__(self, net: MLP, other: MLP) -> None:
        self.net, self.other = net, other
        self._fractions: dict[int, tuple[int, int, int, int]] = {}
        for m in (net, other):
            if any(m.int_layer(i) is None for i in range(1, m.depth + 1)):
                raise _Overflow

    def original(self, i: int) -> _Rows:
        cache = self.net.__dict__.setdefault("_int_rows_cache", {})
        if i not in cache:
            a, d = self.net.int_layer(i)  # type: ignore[misc]
            cache[i] = _int_rows(a, d)
        return cache[i]

    def transformed(self, i: int, k: LatentMap | None) -> tuple[np.ndarray, int]:
        """S [W'_i M | W'_i t + b'_i] as integers, and S (true rows = array / S)."""
        a, d = self.other.int_layer(i)  # type: ignore[misc]
        if k is None:
            return a, d
        w, b = a[:, :-1], a[:, -1]
        wmax = int(np.abs(a).max()) if a.size else 0
        fr = []
        for rel in k.relations:
            got = self._fractions.get(id(rel))
            if got is None:  # keyed by identity: relations come from the matcher's caches
                fb, fe = to_fraction(rel.b), to_fraction(rel.e)
                got = self._fractions[id(rel)] = (fb.numerator, fb.denominator, fe.numerator, fe.denominator)
                self._keep = getattr(self, "_keep", []) + [rel]  # keep ids valid
            fr.append(got)
        dens = {x[1] for x in fr} | {x[3] for x in fr}
        s = lcm(*dens) if len(dens) > 1 or 1 not in dens else 1
        mb = [x[0] * (s // x[1]) for x in fr]
        me = [x[2] * (s // x[3]) for x in fr]
        if wmax * (max(abs(x) for x in mb) + sum(abs(x) for x in me) + s) >= INT_LIMIT:
            raise _Overflow
        cols = w[:, np.array(k.perm)]
        tw = cols * np.array(mb, dtype=np.int64)[None, :]
        bias = b * s
        if any(me):
            bias = bias + cols @ np.array(me, dtype=np.int64)
        return np.hstack([tw, bias[:, None]]), s * d

    def transform(self, i: int, k: LatentMap | None) -> _Rows:
        t, s = self.transformed(i, k)
        return _int_rows(t, s)

    def ratio_key(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int) -> tuple[int, int]:
        """a = (true row q) / (true row j) as a reduced (numerator, denominator)."""
        num, den = rows_q.lam[q] * rows_j.scale, rows_q.scale * rows_j.lam[j]
        g = gcd(num, den) * (1 if den > 0 else -1)
        return num // g, den // g

    def ratio(self, key: tuple[int, int]) -> sympy.Expr:
        return sympy.Rational(*key)

    def shift(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int, a: sympy.Expr) -> sympy.Expr:
        raise AssertionError("the int backend serves activations without shifts only")

    def closes(self, k: LatentMap | None) -> int | None:
        L = self.net.depth
        t, s = self.transformed(L, k)
        a, d = self.net.int_layer(L)  # type: ignore[misc]
        if (int(np.abs(t).max()) if t.size else 0) * d >= INT_LIMIT or (int(np.abs(a).max()) if a.size else 0) * s >= INT_LIMIT:
            raise _Overflow
        bad = np.nonzero((t * d != a * s).any(axis=1))[0]
        return int(bad[0]) if bad.size else None


class _ExactBackend:
    """Layers as canonical exact elements: ``ring`` (polynomials over a number field) or
    ``sym`` (sympy rational functions in canonical form)."""

    def __init__(self, net: MLP, other: MLP, shifting: bool, ring: ExactRing | None) -> None:
        self.net, self.other, self.shifting, self.R = net, other, shifting, ring
        self.name = "ring" if ring is not None else "sym"
        self._elem: dict[sympy.Expr, Any] = {}
        self._layers: dict[tuple[int, int], tuple[list[list[Any]], list[Any]]] = {}

    # elements -------------------------------------------------------------------------------
    def e(self, x: sympy.Expr) -> Any:
        if x not in self._elem:
            self._elem[x] = self.R.element(x) if self.R is not None else simplify_scalar(sympy.sympify(x))
        return self._elem[x]

    @property
    def zero(self) -> Any:
        return self.R.ring.zero if self.R is not None else _ZERO

    def layer(self, which: int, i: int) -> tuple[list[list[Any]], list[Any]]:
        if (which, i) not in self._layers:
            m = self.net if which == 0 else self.other
            w, b = m.weights[i - 1], m.biases[i - 1]
            self._layers[(which, i)] = ([[self.e(x) for x in w.row(r)] for r in range(w.rows)],
                                        [self.e(x) for x in b])
        return self._layers[(which, i)]

    def _normal(self, lead: Any, vec: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        if self.R is not None:
            lam = lead.LC
            return lam, tuple(x.quo_ground(lam) for x in vec)
        return lead, tuple(simplify_scalar(x / lead) for x in vec)

    def _rows(self, w: list[list[Any]], bias: list[Any]) -> _Rows:
        keys, lams, betas = [], [], []
        for row, beta in zip(w, bias):
            vec = row if self.shifting else row + [beta]
            lead = next((x for x in vec if x), None) if self.R is not None else next(
                (x for x in vec if x != 0), None)
            if lead is None:
                keys.append(None)
                lams.append(None)
            else:
                lam, key = self._normal(lead, vec)
                keys.append(key)
                lams.append(lam)
            betas.append(beta)
        return _Rows(keys, lams, betas)

    # the backend interface --------------------------------------------------------------------
    def original(self, i: int) -> _Rows:
        return self._rows(*self.layer(0, i))

    def _transformed(self, i: int, k: LatentMap | None) -> tuple[list[list[Any]], list[Any]]:
        w, b = self.layer(1, i)
        if k is None:
            return w, b
        zero = self.zero
        mb = [self.e(r.b) for r in k.relations]
        me = [(p, self.e(r.e)) for p, r in zip(k.perm, k.relations) if r.e != 0]
        tw = [[self._canon(row[p] * s) for p, s in zip(k.perm, mb)] for row in w]
        bias = [self._canon(beta + sum((row[p] * e for p, e in me), zero)) for row, beta in zip(w, b)]
        return tw, bias

    def _canon(self, x: Any) -> Any:
        return x if self.R is not None else simplify_scalar(x)

    def transform(self, i: int, k: LatentMap | None) -> _Rows:
        return self._rows(*self._transformed(i, k))

    def ratio_key(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int) -> Any:
        if self.R is not None:
            return self.R.ground.quo(rows_q.lam[q], rows_j.lam[j])
        return simplify_scalar(rows_q.lam[q] / rows_j.lam[j])

    def ratio(self, key: Any) -> sympy.Expr:
        return self.R.ground_to_sympy(key) if self.R is not None else key

    def shift(self, rows_q: _Rows, q: int, rows_j: _Rows, j: int, a: sympy.Expr) -> sympy.Expr:
        x = rows_q.beta[q] - self.e(a) * rows_j.beta[j]
        return self.R.to_sympy(x) if self.R is not None else simplify_scalar(x)

    def closes(self, k: LatentMap | None) -> int | None:
        tw, bias = self._transformed(self.net.depth, k)
        w, b = self.layer(0, self.net.depth)
        for m in range(len(w)):
            same = (tw[m] == w[m] and bias[m] == b[m]) if self.R is not None else all(
                x == y or simplify_scalar(x - y) == 0 for x, y in zip(tw[m] + [bias[m]], w[m] + [b[m]]))
            if not same:
                return m
        return None


def _entries(nets: tuple[MLP, ...]) -> list[sympy.Expr]:
    out: list[sympy.Expr] = []
    for m in nets:
        for w, b in zip(m.weights, m.biases):
            out.extend(w)
            out.extend(b)
    return out


# -- the matcher ----------------------------------------------------------------------------

_CONSTANT = "constant-row"


class NeuronMatcher:
    """Neuron matching of theta (``net``) against ``other`` (same widths and activation)."""

    def __init__(self, net: MLP, other: MLP) -> None:
        if net.widths != other.widths:
            raise InputError(f"cannot match widths {net.widths} against {other.widths}")
        self.net, self.other = net, other
        self.act: Activation = net.activation
        self.cls = relation_class(self.act)
        self.shifting = self.cls == "sign_shift"
        self.backend: Any = None
        self._relation_cache: dict[tuple[sympy.Expr, sympy.Expr], Relation | None] = {}
        self._ratio_cache: dict[Any, Relation | None] = {}
        self._classes: dict[int, tuple[dict[Any, list[int]], list[list[int]]]] = {}
        self._original: dict[int, _Rows] = {}
        if self.cls != "affine":
            self._choose_backend()

    def _choose_backend(self) -> None:
        if not self.shifting and not self.net.symbols and not self.other.symbols:
            try:
                self.backend = _IntBackend(self.net, self.other)
                return
            except _Overflow:
                pass
        ring = exact_ring(_entries((self.net, self.other)))
        self.backend = _ExactBackend(self.net, self.other, self.shifting, ring)

    def _fallback(self) -> None:
        """An int64 overflow on the way: continue on exact ring elements."""
        ring = exact_ring(_entries((self.net, self.other)))
        self.backend = _ExactBackend(self.net, self.other, self.shifting, ring)
        self._classes.clear()
        self._original.clear()

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
                self._ratio_cache[key] = self._relation(self.backend.ratio(key), _ZERO)
            r = self._ratio_cache[key]
        return ([r] if r is not None else []), True

    def _constant_relations(self, rq: _Rows, q: int, rj: _Rows, j: int) -> tuple[list[Relation], bool]:
        """Constant rows have a nontrivial stabilizer: several relations may fit."""
        out: list[Relation] = []
        if self.shifting:
            for a in (_ONE, _MINUS):
                r = self._relation(a, self.backend.shift(rq, q, rj, j, a))
                if r is not None:
                    out.append(r)
            return out, True
        seen = set()
        for a in [_ONE, _MINUS] + [r.a for r in self.act.discrete if r.c == 0]:
            r = self._relation(a, _ZERO)
            if r is not None and (r.b, r.e) not in seen:
                seen.add((r.b, r.e))
                out.append(r)
        # relu/power have continuous families: a constant row could use any scale.
        return out, not self.act.families

    def original(self, i: int) -> _Rows:
        if i not in self._original:
            self._original[i] = self.backend.original(i)
        return self._original[i]

    def classes(self, i: int) -> tuple[dict[Any, list[int]], list[list[int]]]:
        """The neurons of theta's layer i bucketed by normal form and split into classes of
        mutually related rows (duplicates): (key -> class ids, members of each class)."""
        if i not in self._classes:
            rows = self.original(i)
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
            self._classes[i] = (buckets, members)
        return self._classes[i]

    # one layer --------------------------------------------------------------------------------
    def solve_layer(self, i: int, k_prev: LatentMap | None, budget: Any) -> LayerSolutions:
        """Every k_i with f_i(.; other_i) o k_prev = k_i o f_i(.; theta_i); for i = L the
        identity when the last layer closes."""
        if self.cls == "affine":
            from symeq.architectures.mlp.affine import solve_affine_layer

            return solve_affine_layer(self.net, self.other, i, k_prev)
        while True:
            try:
                return self._solve(i, k_prev, budget)
            except _Overflow:
                self._fallback()

    def _solve(self, i: int, k_prev: LatentMap | None, budget: Any) -> LayerSolutions:
        L = self.net.depth
        prev = self._prev_name(i)
        if i == L:
            bad = self.backend.closes(k_prev)
            if bad is None:
                return LayerSolutions([LatentMap.identity(self.net.widths[L])], True)
            seen = f"W_{L} k_{L - 1}" if L > 1 else "W_1 rho_0(g)"
            return LayerSolutions([], True, lambda g: LayerFailure(
                g, L, bad, "closure", f"generator {g}: the output layer does not close: row {bad} of "
                f"{seen.replace('(g)', f'({g})')} differs from rho_L({g}) W_{L} (or the bias)"))
        t = self.backend.transform(i, k_prev)
        buckets, members = self.classes(i)
        orig = self.original(i)
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
                return LayerSolutions([], True, lambda g, q=q: LayerFailure(
                    g, i, q, "no_match", f"generator {g}, layer {i}: row {q} of "
                    f"{prev.replace('(g)', f'({g})')} is the image of no neuron under the relations "
                    f"of {self.act.spec}"))
            by_class.setdefault(cid, []).append(q)
        for cid, js in enumerate(members):
            qs = by_class.get(cid, [])
            if len(qs) != len(js):
                return LayerSolutions([], True, lambda g, js=js, qs=qs: LayerFailure(
                    g, i, qs[0] if qs else None, "no_match", f"generator {g}, layer {i}: {len(js)} "
                    f"neuron(s) like neuron {js[0]} but {len(qs)} such row(s) in "
                    f"{prev.replace('(g)', f'({g})')}"))
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
        holder = [complete]
        d = len(t.keys)

        def maps() -> Iterator[LatentMap]:
            # the search that iterates these counts them against its budget
            for pairs in self._assignments(t, orig, open_slots, holder):
                perm, rels = [0] * d, [IDENTITY_RELATION] * d
                for j, q, r in itertools.chain(fixed, pairs):
                    perm[j], rels[j] = q, r
                yield LatentMap("monomial", d, tuple(perm), tuple(rels))

        if open_slots:
            # the completeness of the relation lists is known only once the pairs are listed
            return LayerSolutions(maps(), holder, lambda g: LayerFailure(
                g, i, None, "no_match", f"generator {g}, layer {i}: no consistent pairing of "
                f"{prev.replace('(g)', f'({g})')} with the neurons"))
        return LayerSolutions(maps(), complete)

    def _prev_name(self, i: int) -> str:
        if i == 1:
            return "W_1 rho_0(g)"
        return f"W_{i} k_{i - 1}(g)"

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


def matcher(net: MLP, other: MLP) -> NeuronMatcher:
    """The matcher of the pair (net, other), cached on ``net`` (a few recent partners): the
    rows and classes of theta are computed once for every generator and the stabilizer."""
    cache: list[tuple[MLP, NeuronMatcher]] = net.__dict__.setdefault("_matchers", [])
    for o, m in cache:
        if o is other:
            return m
    m = NeuronMatcher(net, other)
    cache.append((other, m))
    if len(cache) > 16:
        del cache[0]
    return m

