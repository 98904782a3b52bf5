"""Every layerwise solution of a monomial latent kind, by exhaustive neuron matching.

Given boundary maps rho_0 (input) and rho_L (output), a *layerwise solution* is a tuple
(k_1, ..., k_{L-1}) of latent maps with f_i(k_{i-1} y) = k_i f_i(y) for every layer (k_0 = rho_0,
k_L = rho_L).  For an MLP with a monomial latent group (every activation except the identity)
layer i reads, for each neuron j, with (W', b') = (W_i M_{i-1}, W_i t_{i-1} + b_i):

    (W'[p_j, :], b'[p_j]) = (a_j W_i[j, :], a_j b_i[j] + c_j),   (a_j, c_j, b_j, e_j) a relation,

and the last layer must close: W_L M_{L-1} = rho_L W_L, W_L t_{L-1} + b_L = rho_L b_L.

Rows are grouped into *classes* by a key invariant under the activation's relations (the row
up to sign for tanh and sigmoid, up to a positive scale for ReLU, up to any scale for z^m); a
neuron can only go to a row of its own class.  When every class has one row, as for an
identifiable network, k_i is forced and the search is linear in the size of the network; when
classes are larger (duplicated neurons) every bijection inside each class is tried, within a
budget.  The search is exhaustive: when it yields nothing, no layerwise action exists at theta.

The same search with rho_0 = I and rho_L = I lists the stabilizer of theta in K.

>>> from symeq.models.io import network_from_dict
>>> from sympy import ImmutableMatrix as M
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["2", "1"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> swap = M([[0, 1], [1, 0]])
>>> [k.perm for k in next(Matcher(net).solutions(swap, M([[1]]))).maps]
[(1, 0)]
>>> sum(1 for _ in Matcher(net).solutions(M.eye(2), M([[1]])))
1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any

from sympy import Integer, default_sort_key

from symeq.activations import Activation, Relation
from symeq.errors import BudgetExceeded, InputError
from symeq.exact import Matrix
from symeq.latent.action import LatentMap, simplify_scalar
from symeq.latent.rows import Rows, to_sympy
from symeq.models.mlp import MLP

__all__ = ["Matcher", "Solution", "relation_class", "DEFAULT_BUDGET", "Budget"]

#: Default number of layer assignments the exhaustive search may try.
DEFAULT_BUDGET = 20_000

_ONE, _ZERO, _MINUS = Integer(1), Integer(0), Integer(-1)


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


@dataclass
class Budget:
    """A countdown of search steps shared by one search; raises BudgetExceeded at zero."""

    steps: int = DEFAULT_BUDGET

    def spend(self, what: str) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise BudgetExceeded(f"neuron matching passed its budget while {what}")


@dataclass(frozen=True)
class Solution:
    """One layerwise solution: the maps k_1..k_{L-1}, and the neurons whose scale no layer
    fixes (a zero row under a continuous family: ReLU or z^m); the search used scale 1 there."""

    maps: tuple[LatentMap, ...]
    free_scales: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Keyed:
    """Per row: its class key, its orientation (the factor taking the key back to the row,
    or None for a zero row), for ``sign_shift`` also the bias."""

    keys: tuple[Any, ...]
    lead: tuple[Any, ...]
    index: dict[Any, list[int]] = field(compare=False)


def _sign(x: Any) -> int:
    return 1 if x > 0 else -1


def _keys(rows: Rows, cls: str) -> _Keyed:
    n_rows, width = rows.shape
    keys: list[Any] = []
    lead: list[Any] = []
    if rows.backend == "int":
        data = rows.data if cls != "sign_shift" else rows.data[:, : width - 1]
        for row in data.tolist():
            k = next((i for i, x in enumerate(row) if x), None)
            if k is None:
                keys.append(("zero",) + tuple(row))
                lead.append(None)
                continue
            if cls in ("sign", "sign_shift"):
                s = _sign(row[k])
                keys.append(tuple(row) if s > 0 else tuple(-x for x in row))
                lead.append(s)
            else:
                g = 0
                for x in row:
                    g = gcd(g, x)
                if cls == "scale" and row[k] < 0:
                    g = -g
                keys.append(tuple(x // g for x in row))
                lead.append(Fraction(row[k], rows.denominator))
    else:
        for row in rows.data:
            part = row if cls != "sign_shift" else row[:-1]
            k = next((i for i, x in enumerate(part) if x != 0), None)
            if k is None:
                keys.append(("zero",) + tuple(part))
                lead.append(None)
                continue
            if cls in ("sign", "sign_shift"):
                neg = tuple(simplify_scalar(-x) for x in part)
                if default_sort_key(part) <= default_sort_key(neg):
                    keys.append(tuple(part))
                    lead.append(1)
                else:
                    keys.append(neg)
                    lead.append(-1)
            else:
                keys.append(tuple(simplify_scalar(x / part[k]) for x in part))
                lead.append(part[k])
    index: dict[Any, list[int]] = defaultdict(list)
    for j, key in enumerate(keys):
        index[key].append(j)
    return _Keyed(tuple(keys), tuple(lead), dict(index))


class Matcher:
    """The exhaustive layerwise search for one network (monomial latent kinds).

    The rows of the network's own layers and their class keys are computed once and shared by
    every search (each generator, and the stabilizer).
    """

    def __init__(self, net: MLP) -> None:
        self.net = net
        self.act = net.activation
        self.cls = relation_class(self.act)
        if self.cls == "affine":
            raise InputError("the identity activation has the affine latent group Aff(d): "
                             "use symeq.latent.construct, not neuron matching")
        self.rows = tuple(Rows.of_layer(W, b) for W, b in zip(net.weights, net.biases))
        self._keyed: dict[int, _Keyed] = {}
        self._relation_cache: dict[tuple[Any, Any], Relation | None] = {}
        zero_candidates = [self._relation(a, _ZERO) for a in (_ONE, _MINUS)]
        #: Relations that can move a zero row (w, beta) = 0 onto a zero row, discrete part.
        self.zero_relations = tuple(r for r in zero_candidates if r is not None
                                    and (r.a == 1 or self.cls != "positive_scale"))

    # -- helpers ----------------------------------------------------------------------------
    def _relation(self, a: Any, c: Any) -> Relation | None:
        key = (a, c)
        if key not in self._relation_cache:
            self._relation_cache[key] = self.act.relation_for(to_sympy(a), to_sympy(c))
        return self._relation_cache[key]

    def source_keys(self, i: int, rows: Rows) -> _Keyed:
        """The keys of layer i's own rows, brought to ``rows``' denominator (cached per
        denominator and backend)."""
        src, _ = self.rows[i - 1].common(rows)
        tag = (i, src.backend, src.denominator)
        if tag not in self._keyed:
            self._keyed[tag] = _keys(src, self.cls)
        return self._keyed[tag]

    def _pair_relations(self, src: Rows, tgt: Rows, j: int, p: int, ks: _Keyed, kt: _Keyed) -> tuple[Relation, ...]:
        """The relations taking source row j to target row p (rows already in one class)."""
        ls, lt = ks.lead[j], kt.lead[p]
        if self.cls == "sign_shift":
            bj, bp = to_sympy(src.row(j)[-1]), to_sympy(tgt.row(p)[-1])
            options = (_ONE, _MINUS) if ls is None else (Integer(ls * lt),)
            out = []
            for a in options:
                r = self.act.relation_for(a, simplify_scalar(bp - a * bj))
                if r is not None:
                    out.append(r)
            return tuple(out)
        if ls is None:
            return self.zero_relations
        if self.cls == "sign":
            r = self._relation(Integer(ls * lt), _ZERO)
        else:
            a = lt / ls if isinstance(ls, Fraction) else simplify_scalar(lt / ls)
            r = self._relation(a, _ZERO)
        return () if r is None else (r,)

    def _free(self, ks: _Keyed, j: int) -> bool:
        return ks.lead[j] is None and self.cls in ("positive_scale", "scale")

    # -- one layer --------------------------------------------------------------------------
    def layer_maps(self, i: int, target: Rows, budget: Budget) -> Iterator[tuple[LatentMap, tuple[int, ...]]]:
        """Every k_i matching layer i's rows onto ``target`` (the rows of the transformed
        layer), with the neurons whose scale is free."""
        ks = self.source_keys(i, target)
        src, tgt = self.rows[i - 1].common(target)
        kt = _keys(tgt, self.cls)
        d = tgt.shape[0]
        classes = []
        for key, sources in ks.index.items():
            targets = kt.index.get(key, [])
            if len(targets) != len(sources):
                return
            classes.append((sources, targets))
        perm: list[int] = [0] * d
        rels: list[Relation | None] = [None] * d
        free = tuple(j for j in range(d) if self._free(ks, j))

        def assign(c: int) -> Iterator[None]:
            if c == len(classes):
                yield None
                return
            sources, targets = classes[c]
            if len(sources) == 1:
                j, p = sources[0], targets[0]
                for r in self._pair_relations(src, tgt, j, p, ks, kt):
                    perm[j], rels[j] = p, r
                    yield from assign(c + 1)
                return
            yield from match(c, sources, targets, 0, set())

        def match(c: int, sources: list[int], targets: list[int], s: int, used: set[int]) -> Iterator[None]:
            if s == len(sources):
                yield from assign(c + 1)
                return
            j = sources[s]
            for p in targets:
                if p in used:
                    continue
                for r in self._pair_relations(src, tgt, j, p, ks, kt):
                    budget.spend(f"matching duplicated neurons of layer {i}")
                    perm[j], rels[j] = p, r
                    used.add(p)
                    yield from match(c, sources, targets, s + 1, used)
                    used.discard(p)

        for _ in assign(0):
            yield LatentMap("monomial", d, tuple(perm), tuple(rels)), free  # type: ignore[arg-type]

    # -- the whole network ------------------------------------------------------------------
    def solutions(self, rho0: Matrix, rhoL: Matrix, budget: Budget | None = None) -> Iterator[Solution]:
        """Every layerwise solution for the boundary maps (rho_0, rho_L), lazily."""
        budget = budget or Budget()
        L = self.net.depth
        last_target = self.rows[L - 1].left(rhoL)

        def closes(k: LatentMap | Matrix) -> bool:
            return self.rows[L - 1].right(k).equals(last_target)

        if L == 1:
            if closes(rho0):
                yield Solution(())
            return
        maps: list[LatentMap] = []
        frees: list[tuple[int, int]] = []

        def go(i: int, prev: LatentMap | Matrix) -> Iterator[Solution]:
            target = self.rows[i - 1].right(prev)
            for k, free in self.layer_maps(i, target, budget):
                budget.spend(f"searching layer {i}")
                maps.append(k)
                frees.extend((i, j) for j in free)
                if i == L - 1:
                    if closes(k):
                        yield Solution(tuple(maps), tuple(frees))
                else:
                    yield from go(i + 1, k)
                maps.pop()
                del frees[len(frees) - len(free):]

        yield from go(1, rho0)
