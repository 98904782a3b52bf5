"""The latent group K_i of a convolutional hidden layer, and its elements (docs/theory.md#72-circular-convolutions).

A hidden layer with C channels on the grid Omega is an MLP layer with C |Omega| neurons and
block-circulant weights.  The part of the MLP's K_i that keeps the convolutional form (and the
filters' support) moves whole channels: an element k is a channel permutation pi, one
activation relation r_c = (a_c, c_c, b_c, e_c) per channel and one grid translation t_c per
channel, acting on V_i = R^{C x Omega} by

    (k v)_{pi(c)}(p) = b_c v_c(p - t_c) + e_c.

On parameters (:meth:`ConvNet.act`): output channel c's filters go to pi(c), shifted by t_c
and scaled by a_c, its bias to a_c beta_c + c_c; the next layer's filters from channel c go to
pi(c), shifted by -t_c and divided by b_c (and its bias absorbs e_c).  For tanh,
K_i = (C_2 x Omega)^C x| S_C.  With a restricted support S, only translations t with
S + t = S keep the parameter space (``periods``): a generic support allows none.

A grid map s (p -> A p + t0), the structural action of the generalized adjunction, normalizes
K_i: s k s^{-1} has the same permutation and relations and the translations A t_c
(:meth:`ChannelGroup.conjugate`).  That is what makes the latent action a crossed
homomorphism.

>>> from symeq.architectures.conv.grid import Grid, GridMap
>>> from symeq.activations import activation
>>> K = ChannelGroup(activation("tanh"), 1, Grid((6,)))
>>> t = ChannelMap.make(Grid((6,)), (0,), (IDENTITY,), ((5,),))
>>> (t @ t).describe(), K.equal(t @ t.inverse(), K.identity())
('channel 0 shifted by 4', True)
>>> m = GridMap.make(Grid((6,)), [[-1]], [0])
>>> K.conjugate(m, t).describe()
'channel 0 shifted by 1'
>>> K.describe()
'(C_2 x Z_6)^1 x| S_1: 1 channel on Z_6, each with a sign and a translation (order 12)'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import factorial
from typing import Any

import numpy as np
import sympy
from sympy import ImmutableMatrix, Integer

from symeq.activations import IDENTITY_RELATION, Activation, Relation
from symeq.architectures.conv.grid import Grid, GridMap
from symeq.architectures.mlp.latent_map import _is_id, _same, relation_from_dict, simplify_scalar
from symeq.errors import InputError
from symeq.exact import number_to_string
from symeq.kinds import LatentKind

__all__ = ["ChannelMap", "ChannelGroup", "IDENTITY", "compose_relations", "invert_relation"]

IDENTITY = IDENTITY_RELATION
_ZERO, _ONE = Integer(0), Integer(1)


def compose_relations(r1: Relation, r2: Relation) -> Relation:
    """r1 o r2: first r2, then r1 (as maps of a neuron's pre-activation and output)."""
    if _is_id(r1):
        return r2
    if _is_id(r2):
        return r1
    return Relation(simplify_scalar(r1.a * r2.a), simplify_scalar(r1.a * r2.c + r1.c),
                    simplify_scalar(r1.b * r2.b), simplify_scalar(r1.b * r2.e + r1.e))


def invert_relation(r: Relation) -> Relation:
    """r^{-1}."""
    if _is_id(r):
        return r
    return Relation(simplify_scalar(1 / r.a), simplify_scalar(-r.c / r.a),
                    simplify_scalar(1 / r.b), simplify_scalar(-r.e / r.b))


@dataclass(frozen=True)
class ChannelMap:
    """k = (pi, r, t): channel c goes to pi(c) with relation r_c and translation t_c."""

    grid: Grid
    perm: tuple[int, ...]
    relations: tuple[Relation, ...]
    shifts: tuple[tuple[int, ...], ...]

    @staticmethod
    def make(grid: Grid, perm: Any, relations: Any, shifts: Any) -> "ChannelMap":
        """The element, checked: perm a permutation, one relation and one translation per channel."""
        perm = tuple(int(p) for p in perm)
        if sorted(perm) != list(range(len(perm))):
            raise InputError(f"perm {perm} is not a permutation of 0..{len(perm) - 1}")
        rels = tuple(r if all(isinstance(getattr(r, k), sympy.Basic) for k in "acbe")
                     else Relation(*(sympy.sympify(getattr(r, k)) for k in "acbe")) for r in relations)
        if len(rels) != len(perm):
            raise InputError(f"{len(rels)} relations for {len(perm)} channels")
        sh = tuple(grid.reduce(t) for t in shifts)
        if len(sh) != len(perm) or any(len(t) != grid.dim for t in shifts):
            raise InputError(f"expected {len(perm)} translations of length {grid.dim}")
        return ChannelMap(grid, perm, rels, sh)

    @staticmethod
    def identity(grid: Grid, channels: int) -> "ChannelMap":
        """The identity of C channels."""
        return ChannelMap(grid, tuple(range(channels)), (IDENTITY,) * channels,
                          ((0,) * grid.dim,) * channels)

    @property
    def channels(self) -> int:
        """C."""
        return len(self.perm)

    @property
    def dim(self) -> int:
        """dim V_i = C |Omega|."""
        return len(self.perm) * self.grid.size

    # -- the LatentElement protocol ---------------------------------------------------------------
    def __matmul__(self, other: "ChannelMap") -> "ChannelMap":
        """self o other (first ``other``)."""
        if self.channels != other.channels or self.grid != other.grid:
            raise InputError("cannot compose channel maps of different layers")
        perm, rels, shifts = [], [], []
        for c in range(other.channels):
            q = other.perm[c]
            perm.append(self.perm[q])
            rels.append(compose_relations(self.relations[q], other.relations[c]))
            shifts.append(self.grid.add(other.shifts[c], self.shifts[q]))
        return ChannelMap(self.grid, tuple(perm), tuple(rels), tuple(shifts))

    def inverse(self) -> "ChannelMap":
        """k^{-1}: channel pi(c) goes back to c with r_c^{-1} and -t_c."""
        n = self.channels
        perm, rels, shifts = [0] * n, [IDENTITY] * n, [(0,) * self.grid.dim] * n
        for c, (p, r, t) in enumerate(zip(self.perm, self.relations, self.shifts)):
            perm[p], rels[p], shifts[p] = c, invert_relation(r), self.grid.neg(t)
        return ChannelMap(self.grid, tuple(perm), tuple(rels), tuple(shifts))

    def __pow__(self, n: int) -> "ChannelMap":
        base = self if n >= 0 else self.inverse()
        out = ChannelMap.identity(self.grid, self.channels)
        for _ in range(abs(n)):
            out = out @ base
        return out

    def acts_equal(self, other: "ChannelMap") -> bool:
        """True when both act equally on V_i (the relations' input parts may differ)."""
        return (self.grid == other.grid and self.perm == other.perm and self.shifts == other.shifts
                and all(_same(r.b, s.b) and _same(r.e, s.e) for r, s in zip(self.relations, other.relations)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChannelMap) and self.acts_equal(other)

    def __hash__(self) -> int:
        return hash((self.perm, self.shifts, tuple((r.b, r.e) for r in self.relations)))

    def is_identity(self) -> bool:
        """True when k acts as the identity of V_i."""
        return self.acts_equal(ChannelMap.identity(self.grid, self.channels))

    def conjugated(self, s: GridMap) -> "ChannelMap":
        """s k s^{-1} for a grid map s = (A, t0): the translations become A t_c."""
        return ChannelMap(self.grid, self.perm, self.relations, tuple(s.apply_linear(t) for t in self.shifts))

    def to_dict(self) -> dict[str, Any]:
        """The certificate format: ``{"kind": "channel", "perm", "relations", "shifts"}``."""
        return {"kind": "channel", "perm": list(self.perm),
                "relations": [r.as_strings() for r in self.relations],
                "shifts": [list(t) for t in self.shifts]}

    @staticmethod
    def from_dict(d: object, grid: Grid, channels: int | None = None) -> "ChannelMap":
        """Read the certificate format (InputError for bad data)."""
        if not isinstance(d, dict) or d.get("kind") != "channel":
            raise InputError("a convolutional latent map must be an object with kind \"channel\"")
        if set(d) != {"kind", "perm", "relations", "shifts"}:
            raise InputError("a channel map has exactly the keys kind, perm, relations, shifts")
        perm, rels, shifts = d["perm"], d["relations"], d["shifts"]
        if not (isinstance(perm, list) and isinstance(rels, list) and isinstance(shifts, list)):
            raise InputError("perm, relations and shifts must be lists")
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in perm):
            raise InputError("perm must list integers")
        if not all(isinstance(t, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in t)
                   for t in shifts):
            raise InputError("shifts must be lists of integers")
        k = ChannelMap.make(grid, perm, [relation_from_dict(r) for r in rels], [tuple(t) for t in shifts])
        if channels is not None and k.channels != channels:
            raise InputError(f"channel map on {k.channels} channels, expected {channels}")
        return k

    def describe(self) -> str:
        """One line for people: the permutation's cycles, the non-trivial relations and the
        translations.

        >>> from symeq.architectures.conv.grid import Grid
        >>> ChannelMap.make(Grid((6,)), (1, 0), (IDENTITY, Relation(-1, 0, -1, 0)), ((0,), (2,))).describe()
        'channels 0 -> 1 -> 0; channel 1 negated; channel 1 shifted by 2'
        """
        parts = []
        seen: set[int] = set()
        cycles = []
        for start in range(self.channels):
            if start in seen or self.perm[start] == start:
                continue
            cyc, j = [], start
            while j not in seen:
                seen.add(j)
                cyc.append(str(j))
                j = self.perm[j]
            cycles.append(" -> ".join(cyc + [cyc[0]]))
        if cycles:
            parts.append("channels " + "; ".join(cycles))
        for c, r in enumerate(self.relations):
            if _same(r.b, _ONE) and _same(r.e, _ZERO):
                continue
            if _same(r.b, -_ONE) and _same(r.e, _ZERO):
                parts.append(f"channel {c} negated")
            else:
                text = " ".join(f"{k}={number_to_string(getattr(r, k))}" for k in "be"
                                if not _same(getattr(r, k), _ONE if k == "b" else _ZERO))
                parts.append(f"channel {c}: {text}")
        for c, t in enumerate(self.shifts):
            if any(t):
                parts.append(f"channel {c} shifted by {self.grid.label(t)}")
        return "; ".join(parts) if parts else "identity"

    # -- on V_i ---------------------------------------------------------------------------------
    def apply_array(self, v: np.ndarray) -> np.ndarray:
        """k applied to signals of shape (..., C, |Omega|) (any exact or float scalars)."""
        out = np.empty_like(v)
        for c, (p, r, t) in enumerate(zip(self.perm, self.relations, self.shifts)):
            moved = self.grid.translate(v[..., c, :], t)
            out[..., p, :] = moved if _is_id(r) else moved * r.b + r.e
        return out

    def on_space(self) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        """(M, t) with k v = M v + t on the flat V_i (channel-major), exact."""
        N, C = self.grid.size, self.channels
        M = sympy.zeros(C * N, C * N)
        t = sympy.zeros(C * N, 1)
        for c, (p, r, s) in enumerate(zip(self.perm, self.relations, self.shifts)):
            table = self.grid.shift_table(s)  # (k v)_p(q) = b v_c(q - s)
            for q in range(N):
                M[p * N + q, c * N + int(table[q])] = r.b
                t[p * N + q, 0] = r.e
        return ImmutableMatrix(M), ImmutableMatrix(t)

    def lowered(self) -> Any:
        """The same map as an MLP latent map of the C |Omega| neurons: neuron (c, p) goes to
        (pi(c), p + t_c) with relation r_c (:class:`~symeq.architectures.mlp.latent_map.LatentMap`)."""
        from symeq.architectures.mlp.latent_map import LatentMap

        N = self.grid.size
        perm, rels = [0] * self.dim, [IDENTITY] * self.dim
        for c, (p, r, t) in enumerate(zip(self.perm, self.relations, self.shifts)):
            moved = self.grid.shift_table(self.grid.neg(t))  # index(q + t)
            for q in range(N):
                perm[c * N + q] = p * N + int(moved[q])
                rels[c * N + q] = r
        return LatentMap.monomial(tuple(perm), tuple(rels))

    def trace(self) -> sympy.Expr:
        """Trace of the linear part on V_i."""
        return simplify_scalar(sympy.Add(*[r.b * self.grid.size for c, (p, r, t) in
                                           enumerate(zip(self.perm, self.relations, self.shifts))
                                           if p == c and not any(t)]))


@dataclass(frozen=True)
class ChannelGroup:
    """K_i of a convolutional hidden layer: C channels on ``grid``, relations of
    ``activation``, translations restricted to ``periods`` (None: all of Omega)."""

    activation: Activation
    channels: int
    grid: Grid
    periods: tuple[tuple[int, ...], ...] | None = None

    kind = LatentKind.CHANNEL

    @property
    def dim(self) -> int:
        """dim V_i = C |Omega|."""
        return self.channels * self.grid.size

    @cached_property
    def translations(self) -> tuple[tuple[int, ...], ...]:
        """The allowed translations (all of Omega, or the periods of the support)."""
        return self.grid.translations if self.periods is None else self.periods

    def identity(self) -> ChannelMap:
        """The identity element."""
        return ChannelMap.identity(self.grid, self.channels)

    def compose(self, a: ChannelMap, b: ChannelMap) -> ChannelMap:
        """a o b."""
        return a @ b

    def inverse(self, a: ChannelMap) -> ChannelMap:
        """a^{-1}."""
        return a.inverse()

    def equal(self, a: ChannelMap, b: ChannelMap) -> bool:
        """True when a and b act equally on V_i."""
        return a.acts_equal(b)

    def conjugate(self, s: GridMap, k: ChannelMap) -> ChannelMap:
        """s k s^{-1} for the structural grid action s (docs/theory.md#70-one-frame-for-every-architecture): translations rotate."""
        return k.conjugated(s)

    def on_space(self, k: ChannelMap) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        """(M, t): k acts on V_i by v -> M v + t (dense, exact; for small layers)."""
        return k.on_space()

    def contains(self, k: ChannelMap) -> bool:
        """True when k is an element of this K_i (relations of the activation, allowed shifts)."""
        if k.channels != self.channels or k.grid != self.grid:
            return False
        allowed = set(self.translations)
        if any(t not in allowed for t in k.shifts):
            return False
        for r in k.relations:
            got = self.activation.relation_for(r.a, r.c)
            if got is None or not (_same(got.b, r.b) and _same(got.e, r.e)):
                return False
        return True

    def from_evidence(self, d: object) -> ChannelMap:
        """The element of a certificate (InputError for bad data or a non-element)."""
        k = ChannelMap.from_dict(d, self.grid, self.channels)
        if not self.contains(k):
            raise InputError("the channel map is not an element of K_i (a relation the activation does "
                             "not have, or a translation that does not keep the support)")
        return k

    # -- in words ---------------------------------------------------------------------------------
    @cached_property
    def _relation_order(self) -> int | None:
        """The number of relations acting on a channel (None: a continuum or infinitely many)."""
        act = self.activation
        if act.families:
            return None
        return 1 + len({(r.b, r.e) for r in act.discrete})

    @property
    def dimension(self) -> int:
        """dim K_i as a Lie group acting on parameters (channels times the dimension of the
        activation's relation group; translations and permutations are discrete)."""
        from symeq.activations.relations import derive_relations

        return self.channels * derive_relations(self.activation).dimension if self.activation.families else 0

    @property
    def order(self) -> int | None:
        """|K_i| acting on V_i, when finite."""
        r = self._relation_order
        if r is None:
            return None
        return (r * len(self.translations)) ** self.channels * factorial(self.channels)

    def describe(self) -> str:
        """K_i in words."""
        C, omega = self.channels, self.grid.describe()
        trans = omega if self.periods is None else (
            "the periods of the support" + ("" if len(self.periods) > 1 else ", only 0"))
        r = self._relation_order
        name = {2: "C_2", 1: "1"}.get(r or 0, "R")
        omega_name = omega if self.periods is None else f"P (|P| = {len(self.translations)})"
        head = f"({name} x {omega_name})^{C} x| S_{C}" if name != "1" else f"{omega_name}^{C} x| S_{C}"
        each = {2: "a sign and a translation", 1: "a translation"}.get(r or 0, "a relation of "
                                                                        f"{self.activation.spec} and a translation")
        if name == "C_2" and self.activation.name == "sigmoid":
            each = "a sign acting affinely (v -> 1 - v) and a translation"
        order = self.order
        tail = f" (order {order})" if order is not None else ""
        where = f" on {omega}" + ("" if self.periods is None else f"; translations: {trans}")
        return f"{head}: {C} channel{'s' if C != 1 else ''}{where}, each with {each}{tail}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"kind": str(self.kind), "channels": self.channels, "grid": list(self.grid.shape),
                "activation": self.activation.spec, "description": self.describe(),
                "translations": len(self.translations),
                "order": self.order if self.order is not None else "infinite"}
