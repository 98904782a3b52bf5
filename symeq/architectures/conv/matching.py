"""The channel matcher: every latent element k_i relating a convolutional layer of theta to the
same layer of another parameter (docs/theory.md#5-the-theorem-constructively, step 2, and 7.2).

For the other parameter theta' (theta^g, or theta itself for the stabilizer) and hidden layer i
we need every k_i = (pi, r, t) in K_i with

    f_i( . ; theta'_i) o k_{i-1} = k_i o f_i( . ; theta_i).

The left side is a convolutional layer again (:func:`~.transform.input_side` with k_{i-1}^{-1});
call its channel rows R_d = (filters from every input channel, bias).  The right side's
pre-activation for output channel pi(c) is a_c T_{t_c} w_c (filters shifted by t_c, scaled by
a_c) with bias a_c beta_c + c_c.  So matching is a question about channel rows up to a relation
and a translation: R_d must be the image of some row w_c.

Rows are put in a normal form that is invariant under both (``int`` backend: every entry
rational): divided by the gcd of their entries, the sign chosen, and translated to the
lexicographically least translate (the least sequence of column vectors, found by narrowing
the candidate translations position by position).  The translations that fix a row (its
stabilizer) are read off at the same time.  Then R_d = (l_d / l_c) T_{u_c - u_d + s} w_c for
the normalizers l and least translations u, s in the stabilizer; each candidate relation is
confirmed by the activation (``Activation.relation_for``).  Rows with algebraic or symbolic
entries (``exact`` backend) are compared pair by pair over every allowed translation.

Translations must lie in the periods of the support (``ConvNet.periods``); duplicate channels
(rows related to each other) and rows with a translation symmetry make the answer a list, every
element of which is produced, lazily.  The last layer must close:
f_L( . ; theta'_L) o k_{L-1} = f_L( . ; theta_L).

>>> from symeq.architectures.conv import from_dict, group_from_dict
>>> from symeq.architectures.base import Budget
>>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]})
>>> G = group_from_dict({"generators": {"m": {"grid": {"matrix": [["-1"]]}}}}, net)
>>> other = net.twist(G, "m")
>>> [k.describe() for k in net.solve_layer(1, None, other, Budget())]
['channel 0 shifted by 5']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import Integer

from symeq.activations import Activation, Relation
from symeq.architectures.base import LayerFailure, LayerSolutions
from symeq.architectures.conv.latent_group import ChannelMap
from symeq.architectures.conv.layers import Layer
from symeq.architectures.conv.transform import input_side
from symeq.architectures.mlp.latent_map import simplify_scalar
from symeq.architectures.mlp.matching import relation_class
from symeq.exact import is_exact_zero

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.conv.model import ConvNet

__all__ = ["ChannelMatcher", "matcher", "free_scale_channels", "canonical_translate"]

_ONE, _MINUS, _ZERO = Integer(1), Integer(-1), Integer(0)

Translation = tuple[int, ...]


def free_scale_channels(net: "ConvNet", i: int) -> tuple[int, ...]:
    """The channels of hidden layer i whose filters and bias are all zero under an activation
    with a continuous family of relations (ReLU, z^m): no equation of layer i fixes their scale."""
    if relation_class(net.activation) not in ("positive_scale", "scale"):
        return ()
    w, b = net.layers[i - 1].values()
    return tuple(c for c in range(w.shape[0]) if all(x == 0 for x in w[c].reshape(-1)) and b[c] == 0)


# -- normal forms of rows under translation ---------------------------------------------------


def canonical_translate(labels: np.ndarray, grid: Any) -> tuple[int, tuple[int, ...]]:
    """The least translate of a labelled grid function: (u, stab) where u is a translation
    index with T_u F lexicographically least (F(q - u) compared at q = 0, 1, ...) and stab the
    indices of the translations s with T_s F = F.

    >>> from symeq.architectures.conv.grid import Grid
    >>> canonical_translate(np.array([2, 0, 1, 0, 1, 3]), Grid((6,)))
    (5, (0,))
    >>> canonical_translate(np.array([1, 0, 1, 0, 1, 0]), Grid((6,)))
    (1, (0, 2, 4))
    """
    pos = grid.positions
    N = grid.size
    cand = np.arange(N)
    unique = False
    for q in range(N):
        vals = labels[grid.index_array(pos[q] - pos[cand])]
        m = vals.min()
        cand = cand[vals == m]
        if len(cand) == 1:
            unique = True
            break
    u = int(cand[0])
    if unique:
        return u, (0,)
    stab = sorted(int(grid.index_array(pos[int(t)] - pos[u])) for t in cand)
    return u, tuple(stab)


@dataclass
class _Rows:
    """Channel rows of one layer in normal form (int backend).

    ``keys[c]``: hashable normal form (None: a constant row); ``lam[c]``: the signed normalizer
    (true row = lam * normal / den, translated); ``u[c]``: index of the least translation;
    ``stab[c]``: indices of the row's stabilizer; ``bias[c]``: the true bias (Fraction);
    ``den``: the layer's denominator; ``anti[c]``: indices of the translations s with
    T_s row = -row (weights, and the bias unless the activation shifts).
    """

    keys: list[Any]
    lam: list[int]
    u: list[int]
    stab: list[tuple[int, ...]]
    bias: list[Fraction]
    den: int
    anti: list[tuple[int, ...]]


def _int_rows(layer: Layer, grid: Any, shifting: bool) -> _Rows:
    w, b, den = layer.weight, layer.bias, layer.den
    C = w.shape[0]
    keys: list[Any] = []
    lams: list[int] = []
    us: list[int] = []
    stabs: list[tuple[int, ...]] = []
    antis: list[tuple[int, ...]] = []
    normals: list[np.ndarray | None] = []
    for c in range(C):
        entries = np.concatenate([w[c].reshape(-1), [] if shifting else [b[c]]]).astype(np.int64)
        g = int(np.gcd.reduce(np.abs(entries))) if entries.size else 0
        normals.append(None if g == 0 else w[c] // g)
        lams.append(g)
    # labels of the column vectors (both signs): ranks in one fixed total order of vectors (the
    # order of their bytes), so the least translate is intrinsic to the row
    cols = [n.T for n in normals if n is not None] + [(-n).T for n in normals if n is not None]
    if cols:
        stacked = np.ascontiguousarray(np.concatenate(cols, axis=0))
        as_bytes = stacked.view(np.dtype((np.void, stacked.dtype.itemsize * stacked.shape[1]))).reshape(-1)
        _, inverse = np.unique(as_bytes, return_inverse=True)
        inverse = inverse.reshape(-1)
    N = grid.size
    k = 0
    live = [c for c in range(C) if normals[c] is not None]
    label_of: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for j, c in enumerate(live):
        plus = inverse[j * N:(j + 1) * N]
        minus = inverse[(len(live) + j) * N:(len(live) + j + 1) * N]
        label_of[c] = (plus, minus)
    for c in range(C):
        if normals[c] is None:
            keys.append(None)
            lams[c] = 0
            us.append(0)
            stabs.append(tuple(range(N)))
            antis.append(())
            continue
        plus, minus = label_of[c]
        up, sp = canonical_translate(plus, grid)
        um, sm = canonical_translate(minus, grid)
        shift_p, shift_m = grid.shift_table(grid.position(up)), grid.shift_table(grid.position(um))
        lp, lm = plus[shift_p], minus[shift_m]
        diff = np.nonzero(lp != lm)[0]
        anti: tuple[int, ...] = ()
        if diff.size:
            use_plus = lp[diff[0]] < lm[diff[0]]
        else:  # -row is a translate of row: decide by the bias (0 ties: both give one key)
            use_plus = shifting or int(b[c]) >= 0
            if shifting or int(b[c]) == 0:  # T_(up - um) row = -row, and so does every s + it
                pos = grid.positions
                anti = tuple(sorted(int(grid.index_array(pos[up] - pos[um] + pos[s])) for s in sp))
        antis.append(anti)
        sign = 1 if use_plus else -1
        u, st, sh = (up, sp, shift_p) if use_plus else (um, sm, shift_m)
        normal = (sign * normals[c])[:, sh]
        bias_part = () if shifting else (int(b[c]) * sign // lams[c],)
        keys.append((normal.tobytes(), normal.shape, bias_part))
        lams[c] *= sign
        us.append(u)
        stabs.append(st)
        k += 1
    bias = [Fraction(int(x), den) for x in b]
    return _Rows(keys, lams, us, stabs, bias, den, antis)


# -- the matcher --------------------------------------------------------------------------------


class ChannelMatcher:
    """Channel matching of theta (``net``) against ``other`` (same architecture).

    ``every_translation``: relate channels by every grid translation, not only the periods of a
    stated support (the K_i elements); for degenerate channels, whose relation need not lie in K_i.
    """

    def __init__(self, net: "ConvNet", other: "ConvNet", *, every_translation: bool = False) -> None:
        if net.channels != other.channels or net.grid != other.grid or net.readout != other.readout:
            raise ValueError("cannot match networks of different shapes")
        self.net, self.other = net, other
        self.act: Activation = net.activation
        self.cls = relation_class(self.act)
        self.shifting = self.cls == "sign_shift"
        self.grid = net.grid
        self.allowed = None if net.periods is None or every_translation else \
            {self.grid.index(t) for t in net.periods}
        self._relation_cache: dict[tuple[Any, Any], Relation | None] = {}
        self._own: dict[int, Any] = {}

    # relations ---------------------------------------------------------------------------------
    def _relation(self, a: sympy.Expr, c: sympy.Expr) -> Relation | None:
        key = (a, c)
        if key not in self._relation_cache:
            self._relation_cache[key] = self.act.relation_for(a, c)
        return self._relation_cache[key]

    def _constant_relations(self, beta_d: Any, beta_c: Any) -> tuple[list[Relation], bool]:
        """Relations taking a constant row to a constant row (several may fit)."""
        out: list[Relation] = []
        if self.shifting:
            for a in (_ONE, _MINUS):
                r = self._relation(a, simplify_scalar(beta_d - a * beta_c))
                if r is not None:
                    out.append(r)
            return out, True
        seen = set()
        for a in [_ONE, _MINUS] + [r.a for r in self.act.discrete if r.c == 0]:
            r = self._relation(a, _ZERO)
            if r is not None and (r.b, r.e) not in seen:
                seen.add((r.b, r.e))
                out.append(r)
        return out, not self.act.families

    def _allowed(self, ts: list[int]) -> list[int]:
        return ts if self.allowed is None else [t for t in ts if t in self.allowed]

    # layers ---------------------------------------------------------------------------------------
    def _transformed(self, i: int, k_prev: ChannelMap | None) -> Layer:
        layer = self.other.layers[i - 1]
        if k_prev is None or k_prev.is_identity():
            return layer
        return input_side(self.other, i, layer, k_prev.inverse())

    def _use_ints(self, *layers: Layer) -> bool:
        return all(L.kind == "int" for L in layers)

    def _int_rows_of_net(self, i: int) -> _Rows:
        cache = self.net.__dict__.setdefault("_conv_rows_cache", {})
        key = (i, self.shifting)
        if key not in cache:
            cache[key] = _int_rows(self.net.layers[i - 1], self.grid, self.shifting)
        return cache[key]

    def _pair_options_int(self, R: _Rows, d: int, O: _Rows, c: int) -> tuple[list[tuple[Relation, int]], bool]:
        """(relation, translation index) options with R_d = image of row c, and completeness."""
        kd, kc = R.keys[d], O.keys[c]
        if (kd is None) != (kc is None):
            return [], True
        if kd is None:
            rels, ok = self._constant_relations(_rat(R.bias[d]), _rat(O.bias[c]))
            return [(r, t) for r in rels for t in self._allowed(list(range(self.grid.size)))], ok
        if kd != kc:
            return [], True
        a = Fraction(R.lam[d] * O.den, O.lam[c] * R.den)
        a_s = _rat(a)
        c_s = _rat(R.bias[d] - a * O.bias[c]) if self.shifting else _ZERO
        pos = self.grid.positions
        base = pos[O.u[c]] - pos[R.u[d]]
        out: list[tuple[Relation, int]] = []
        rel = self._relation(a_s, c_s)
        if rel is not None:
            ts = [int(self.grid.index_array(base + pos[s])) for s in O.stab[c]]
            out += [(rel, t) for t in self._allowed(sorted(ts))]
        if O.anti[c]:  # w_c = -T_s w_c: R_d = a T_t w_c = (-a) T_(t + s) w_c as well
            a2 = -a
            c2 = _rat(R.bias[d] - a2 * O.bias[c]) if self.shifting else _ZERO
            rel2 = self._relation(_rat(a2), c2)
            if rel2 is not None:
                ts = [int(self.grid.index_array(base + pos[s])) for s in O.anti[c]]
                out += [(rel2, t) for t in self._allowed(sorted(ts))]
        return out, True

    def _pair_options_exact(self, T: Layer, d: int, S: Layer, c: int) -> tuple[list[tuple[Relation, int]], bool]:
        """The same by direct comparison over every allowed translation (exact entries)."""
        tw, tb = T.values()
        sw, sb = S.values()
        row_d = tw[d]
        nz = [(c2, q) for c2 in range(row_d.shape[0]) for q in range(row_d.shape[1]) if row_d[c2, q] != 0]
        zero_c = all(x == 0 for x in sw[c].reshape(-1))
        if not nz or zero_c:
            if nz or not zero_c:
                return [], True
            if not self.shifting and (tb[d] == 0) != (sb[c] == 0):
                return [], True
            if not self.shifting and tb[d] != 0:  # constant bias rows: a ratio of biases
                return self._exact_ratio_options(tw, tb, d, sw, sb, c, None)
            rels, ok = self._constant_relations(tb[d], sb[c])
            return [(r, t) for r in rels for t in self._allowed(list(range(self.grid.size)))], ok
        return self._exact_ratio_options(tw, tb, d, sw, sb, c, nz[0])

    def _exact_ratio_options(self, tw: np.ndarray, tb: np.ndarray, d: int, sw: np.ndarray, sb: np.ndarray,
                             c: int, anchor: tuple[int, int] | None) -> tuple[list[tuple[Relation, int]], bool]:
        out = []
        N = self.grid.size
        for t in self._allowed(list(range(N))):
            table = self.grid.shift_table(self.grid.position(t))
            moved = sw[c][:, table]  # (T_t w_c)(q) = w_c(q - t)
            if anchor is None:
                a = simplify_scalar(tb[d] / sb[c])
            else:
                den = moved[anchor]
                if den == 0:
                    continue
                a = simplify_scalar(tw[d][anchor] / den)
            if not _all_equal(tw[d], moved, a):
                continue
            c_s = simplify_scalar(tb[d] - a * sb[c])
            if not self.shifting and not (c_s == 0 or is_exact_zero(c_s)):
                continue
            rel = self._relation(a, c_s if self.shifting else _ZERO)
            if rel is not None:
                out.append((rel, t))
        return out, True

    # one layer ---------------------------------------------------------------------------------
    def solve_layer(self, i: int, k_prev: ChannelMap | None, budget: Any) -> LayerSolutions:
        """Every k_i with f_i(.; other_i) o k_prev = k_i o f_i(.; theta_i); for i = L the
        identity when the last layer closes."""
        net, L = self.net, self.net.depth
        T = self._transformed(i, k_prev)
        prev = "f_1(.; theta^g)" if i == 1 else f"f_{i}(.; theta^g) o k_{i - 1}(g)"
        if i == L:
            diff = None if T.equals(net.layers[L - 1]) else T.first_difference(net.layers[L - 1])
            if diff is None:  # K_L is trivial: its identity
                return LayerSolutions([ChannelMap.identity(self.grid, 0 if net.readout == "dense" else net.channels[-1])])
            where, idx = diff
            unit = idx[0] if idx else None
            what = "the filter entry" if where == "weights" else "the bias"
            return LayerSolutions([], True, lambda g: LayerFailure(
                g, L, unit, "closure", f"generator {g}: the output layer does not close: {what} "
                f"{list(idx)} of {_name(prev, g)} "
                f"differs from that of theta"))
        S = net.layers[i - 1]
        C = S.shape[0]
        if self._use_ints(T, S):
            R, O = _int_rows(T, self.grid, self.shifting), self._int_rows_of_net(i)

            def options(d: int, c: int) -> tuple[list[tuple[Relation, int]], bool]:
                return self._pair_options_int(R, d, O, c)
            buckets: dict[Any, list[int]] = {}
            for c in range(C):
                buckets.setdefault(O.keys[c], []).append(c)

            def candidates(d: int) -> list[int]:
                return buckets.get(R.keys[d], [])
        else:
            Te, Se = T.as_exact(), S.as_exact()

            def options(d: int, c: int) -> tuple[list[tuple[Relation, int]], bool]:
                return self._pair_options_exact(Te, d, Se, c)

            def candidates(d: int) -> list[int]:
                return list(range(C))
        # classes of mutually related channels of theta
        members = self._classes(i, C, S)
        by_class: dict[int, list[int]] = {}
        for d in range(C):
            cid = None
            for cl, js in enumerate(members):
                if js[0] in candidates(d) and options(d, js[0])[0]:
                    cid = cl
                    break
            if cid is None:
                return LayerSolutions([], True, lambda g, d=d: LayerFailure(
                    g, i, d, "no_match", f"generator {g}, layer {i}: channel {d} of "
                    f"{_name(prev, g)} is the image of no channel of theta under a relation of "
                    f"{self.act.spec} and an allowed translation"))
            by_class.setdefault(cid, []).append(d)
        for cl, js in enumerate(members):
            ds = by_class.get(cl, [])
            if len(ds) != len(js):
                return LayerSolutions([], True, lambda g, js=js, ds=ds: LayerFailure(
                    g, i, ds[0] if ds else None, "no_match", f"generator {g}, layer {i}: {len(js)} channel(s) "
                    f"like channel {js[0]} of theta but {len(ds)} such channel(s) in the transformed layer"))
        holder = [True]
        slots = [(js, by_class[cl]) for cl, js in enumerate(members)]

        def maps() -> Iterator[ChannelMap]:
            for pairs in self._assignments(slots, options, holder):
                perm, rels, shifts = [0] * C, [None] * C, [None] * C
                for c, d, r, t in pairs:
                    perm[c], rels[c], shifts[c] = d, r, self.grid.position(t)
                yield ChannelMap(self.grid, tuple(perm), tuple(rels), tuple(shifts))  # type: ignore[arg-type]

        return LayerSolutions(maps(), holder, lambda g: LayerFailure(
            g, i, None, "no_match", f"generator {g}, layer {i}: no consistent pairing of the channels"))

    def _classes(self, i: int, C: int, S: Layer) -> list[list[int]]:
        """theta's channels of layer i split into classes of rows related by a relation and an
        allowed translation (cached on theta)."""
        cache = self.net.__dict__.setdefault("_conv_classes_cache", {})
        key = (i, self.shifting, self.allowed is None)
        if key in cache:
            return cache[key]
        members: list[list[int]] = []
        if S.kind == "int":
            O = self._int_rows_of_net(i)
            for c in range(C):
                for js in members:
                    if O.keys[js[0]] == O.keys[c] and self._pair_options_int(O, c, O, js[0])[0]:
                        js.append(c)
                        break
                else:
                    members.append([c])
        else:
            Se = S.as_exact()
            for c in range(C):
                for js in members:
                    if self._pair_options_exact(Se, c, Se, js[0])[0]:
                        js.append(c)
                        break
                else:
                    members.append([c])
        cache[key] = members
        return members

    def _assignments(self, slots: list[tuple[list[int], list[int]]], options: Any,
                     holder: list[bool]) -> Iterator[list[tuple[int, int, Relation, int]]]:
        """Every bijection inside each class, with every fitting relation and translation."""
        if not slots:
            yield []
            return
        js, ds = slots[0]
        for image in itertools.permutations(ds):
            choices = []
            for c, d in zip(js, image):
                opts, ok = options(d, c)
                holder[0] &= ok
                choices.append([(c, d, r, t) for r, t in opts])
            for combo in itertools.product(*choices):
                for rest in self._assignments(slots[1:], options, holder):
                    yield list(combo) + rest


def _name(text: str, g: str) -> str:
    return text.replace("theta^g", f"theta^{g}").replace("(g)", f"({g})")


def _rat(x: Fraction) -> sympy.Rational:
    return sympy.Rational(x.numerator, x.denominator)


def _all_equal(row: np.ndarray, moved: np.ndarray, a: sympy.Expr) -> bool:
    for x, y in zip(row.reshape(-1), moved.reshape(-1)):
        v = simplify_scalar(x - a * y)
        if v != 0 and not is_exact_zero(v):
            return False
    return True


def matcher(net: "ConvNet", other: "ConvNet") -> ChannelMatcher:
    """The matcher of the pair (net, other), cached on ``net`` (a few recent partners)."""
    cache: list[tuple[Any, ChannelMatcher]] = net.__dict__.setdefault("_conv_matchers", [])
    for o, m in cache:
        if o is other:
            return m
    m = ChannelMatcher(net, other)
    cache.append((other, m))
    if len(cache) > 16:
        del cache[0]
    return m

