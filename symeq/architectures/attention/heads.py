"""The latent group of an attention layer: K_i = GL(v)^H x| S_H (docs/theory.md section 7.1).

An element k = (perm; A_1, ..., A_H) sends head h to position perm[h] with the change of basis
A_h of its value space: on V_i = R^{n x (v_1 + ... + v_H)}, (k Z)_{perm[h]} = Z_h A_h for every
token row (heads are column blocks).  On parameters, head h of layer i moves to position
perm[h] with W_V^h A_h (W_Q^h, W_K^h unchanged) and the next layer reads it through
A_h^{-1} W_O^h, so the function is unchanged.  Heads may have different v_h; perm moves a head
only to a position of the same v.  As a map of the flattened V_i (token t, feature c at
t D + c) k is I_n (x) B^T, where B is the block matrix with block (h, perm[h]) = A_h.

Composition ``a @ b`` applies b first, as for every latent element (:mod:`symeq.architectures.base`).

>>> from sympy import QQ
>>> from sympy.polys.matrices import DomainMatrix as DM
>>> A = DM([[QQ(1), QQ(1)], [QQ(0), QQ(1)]], (2, 2), QQ)
>>> k = HeadMap((1, 0), (A, A.inv()))
>>> (k @ k).is_identity(), k.describe()
(True, 'heads (0 1); A_0 = [1 1; 0 1], A_1 = [1 -1; 0 1]')
>>> HeadMap.from_dict(k.to_dict()) == k
True
>>> K = HeadGroup((2, 2), tokens=3, field=QQ)
>>> K.dim, K.dimension, K.components, K.describe()
(12, 8, 8, 'GL(2)^2 x| S_2: head permutations with a change of basis inside each head (2 heads, v = 2, 2)')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial
from typing import Any, ClassVar

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.numbers import eye, field_of, to_dm, to_sympy, unify, zeros
from symeq.errors import InputError
from symeq.exact import matrix_to_strings, number_to_string, parse_matrix
from symeq.kinds import LatentKind

__all__ = ["HeadMap", "HeadGroup", "act", "orbit_tangents", "internal_tangents"]


def _describe_matrix(m: DomainMatrix) -> str:
    s = to_sympy(m)
    return "[" + "; ".join(" ".join(number_to_string(x) for x in s.row(r)) for r in range(s.shape[0])) + "]"


@dataclass(frozen=True, eq=False)
class HeadMap:
    """(perm; A_1..A_H): head h goes to position perm[h] with Z_h -> Z_h A_h."""

    perm: tuple[int, ...]
    blocks: tuple[DomainMatrix, ...]

    def __post_init__(self) -> None:
        if sorted(self.perm) != list(range(len(self.perm))) or len(self.blocks) != len(self.perm):
            raise InputError(f"perm {self.perm} is not a permutation of the {len(self.blocks)} heads")
        for h, (p, A) in enumerate(zip(self.perm, self.blocks)):
            if A.shape[0] != A.shape[1] or self.blocks[p].shape[0] != A.shape[0]:
                raise InputError(f"head {h} (v = {A.shape[0]}) cannot move to head {p} (v = {self.blocks[p].shape[0]})")
        if len({A.domain for A in self.blocks}) > 1:
            object.__setattr__(self, "blocks", tuple(unify(*self.blocks)))

    @staticmethod
    def identity(widths: Sequence[int], K: Any = sympy.QQ) -> "HeadMap":
        return HeadMap(tuple(range(len(widths))), tuple(eye(v, K) for v in widths))

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(A.shape[0] for A in self.blocks)

    # -- group operations ------------------------------------------------------------------------
    def __matmul__(self, other: "HeadMap") -> "HeadMap":
        """self o other (``other`` first): h -> self.perm[other.perm[h]] with A^other_h A^self_{other.perm[h]}."""
        if self.widths != other.widths:
            raise InputError("cannot compose head maps of layers with different heads")
        K = self.blocks[0].domain
        if other.blocks[0].domain != K:
            K = K.unify(other.blocks[0].domain)
        mine = [m if m.domain == K else m.convert_to(K) for m in self.blocks]
        theirs = [m if m.domain == K else m.convert_to(K) for m in other.blocks]
        return HeadMap(tuple(self.perm[q] for q in other.perm),
                       tuple(A * mine[q] for A, q in zip(theirs, other.perm)))

    def inverse(self) -> "HeadMap":
        perm, blocks = [0] * len(self.perm), [None] * len(self.perm)
        for h, (p, A) in enumerate(zip(self.perm, self.blocks)):
            perm[p], blocks[p] = h, A.inv()
        return HeadMap(tuple(perm), tuple(blocks))  # type: ignore[arg-type]

    def is_identity(self) -> bool:
        return all(p == h and A == eye(A.shape[0], A.domain) for h, (p, A) in enumerate(zip(self.perm, self.blocks)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HeadMap) or self.perm != other.perm or self.widths != other.widths:
            return False
        return all(x == y for x, y in (unify(a, b) for a, b in zip(self.blocks, other.blocks)))

    def __hash__(self) -> int:
        return hash((self.perm, self.widths))

    # -- as a matrix -----------------------------------------------------------------------------
    def block_matrix(self) -> DomainMatrix:
        """B ((sum v) x (sum v)) with Z -> Z B on token rows: block (h, perm[h]) = A_h."""
        K = self.blocks[0].domain
        offs, k = [], 0
        for v in self.widths:
            offs.append(k)
            k += v
        rows = [[K.zero] * k for _ in range(k)]
        for h, (p, A) in enumerate(zip(self.perm, self.blocks)):
            a = A.to_list()
            for r in range(A.shape[0]):
                for c in range(A.shape[1]):
                    rows[offs[h] + r][offs[p] + c] = a[r][c]
        return DomainMatrix(rows, (k, k), K)

    def apply_rows(self, W: DomainMatrix) -> DomainMatrix:
        """B W for a matrix W whose rows are stacked head blocks (v_h rows each), without forming
        B: row block h of B W is A_h times row block perm[h] of W."""
        offs, k = [], 0
        for v in self.widths:
            offs.append(k)
            k += v
        cols = list(range(W.shape[1]))
        K = W.domain if W.domain == self.blocks[0].domain else W.domain.unify(self.blocks[0].domain)
        W = W if W.domain == K else W.convert_to(K)
        parts = []
        for h, (p, A) in enumerate(zip(self.perm, self.blocks)):
            A = A if A.domain == K else A.convert_to(K)
            parts.append(A * W.extract(list(range(offs[p], offs[p] + self.widths[p])), cols))
        return DomainMatrix.vstack(*parts) if len(parts) > 1 else parts[0]

    def matrix(self, tokens: int = 1) -> ImmutableMatrix:
        """The linear map of the flattened V_i (I_n (x) B^T) as a sympy matrix."""
        Bt = to_sympy(self.block_matrix().transpose())
        return ImmutableMatrix(sympy.kronecker_product(sympy.eye(tokens), Bt))

    def shift(self, tokens: int = 1) -> ImmutableMatrix:
        return ImmutableMatrix.zeros(tokens * sum(self.widths), 1)

    def trace(self) -> sympy.Expr:
        """The trace of B (per token): sum of tr A_h over the heads that stay in place."""
        return sympy.Add(*[to_sympy(A).trace() for h, (p, A) in enumerate(zip(self.perm, self.blocks)) if p == h])

    # -- data ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The certificate format: {"kind": "head", "perm": [...], "blocks": [A_0, A_1, ...]}."""
        return {"kind": "head", "perm": list(self.perm),
                "blocks": [matrix_to_strings(to_sympy(A)) for A in self.blocks]}

    @staticmethod
    def from_dict(d: object, widths: Sequence[int] | None = None) -> "HeadMap":
        if not isinstance(d, dict) or d.get("kind") != "head" or set(d) != {"kind", "perm", "blocks"}:
            raise InputError("a head map must be {\"kind\": \"head\", \"perm\": [...], \"blocks\": [...]}")
        perm, blocks = d["perm"], d["blocks"]
        if (not isinstance(perm, list) or not isinstance(blocks, list)
                or not all(isinstance(p, int) and not isinstance(p, bool) for p in perm)):
            raise InputError("a head map needs a list of integers 'perm' and a list of matrices 'blocks'")
        ms = [parse_matrix(b, None, f"block {h}", "forbid") for h, b in enumerate(blocks)]
        K = field_of([x for m in ms for x in m])
        k = HeadMap(tuple(perm), tuple(to_dm(m, K) for m in ms))
        if widths is not None and k.widths != tuple(widths):
            raise InputError(f"the head map has value widths {k.widths}, the layer has {tuple(widths)}")
        if any(A.det() == 0 for A in k.blocks):
            raise InputError("a head map's blocks must be invertible")
        return k

    def describe(self) -> str:
        """One line: the head permutation's cycles and the blocks that are not the identity."""
        from symeq.activations import describe_monomial

        moved = describe_monomial(self.perm, [""] * len(self.perm), 16)
        parts = [f"A_{h} = {_describe_matrix(A)}" for h, A in enumerate(self.blocks) if A != eye(A.shape[0], A.domain)]
        head = moved.replace("perm", "heads", 1) if moved.startswith("perm") else moved
        return head + ("; " + ", ".join(parts) if parts else "")


@dataclass(frozen=True)
class HeadGroup:
    """K_i = GL(v_1) x ... x GL(v_H) x| S_H acting on V_i = R^{n x (v_1 + ... + v_H)}."""

    widths: tuple[int, ...]
    tokens: int
    field: Any = sympy.QQ
    kind: LatentKind = LatentKind.HEAD
    #: Token permutations (the structural actions) act on rows, K_i on columns: they commute.
    commutes_with_structural: ClassVar[bool] = True

    @property
    def dim(self) -> int:
        """The dimension of V_i."""
        return self.tokens * sum(self.widths)

    @property
    def dimension(self) -> int:
        """dim K_i as a Lie group: sum_h v_h^2."""
        return sum(v * v for v in self.widths)

    @property
    def components(self) -> int:
        """The number of connected components: 2^H (the sign of each det A_h) times the
        permutations of heads of equal v."""
        out = 2 ** len(self.widths)
        for m in Counter(self.widths).values():
            out *= factorial(m)
        return out

    @property
    def components_formula(self) -> str:
        counts = Counter(self.widths)
        perms = " ".join(f"{m}!" for m in counts.values())
        return f"2^{len(self.widths)} {perms}"

    # -- the LatentGroup protocol ----------------------------------------------------------------
    def identity(self) -> HeadMap:
        return HeadMap.identity(self.widths, self.field)

    def compose(self, a: HeadMap, b: HeadMap) -> HeadMap:
        return a @ b

    def inverse(self, a: HeadMap) -> HeadMap:
        return a.inverse()

    def equal(self, a: HeadMap, b: HeadMap) -> bool:
        return a == b

    def conjugate(self, s: Any, k: HeadMap) -> HeadMap:
        """s k s^{-1} for a structural action s (a token permutation): token permutations act on
        the rows of V_i and K_i on its columns, so they commute and this is k."""
        return k

    def on_space(self, k: HeadMap) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        return k.matrix(self.tokens), k.shift(self.tokens)

    def from_evidence(self, d: object) -> HeadMap:
        return HeadMap.from_dict(d, self.widths)

    def describe(self) -> str:
        H = len(self.widths)
        vs = ", ".join(map(str, self.widths))
        glv = f"GL({self.widths[0]})^{H}" if len(set(self.widths)) == 1 else " x ".join(f"GL({v})" for v in self.widths)
        return (f"{glv} x| S_{H}: head permutations with a change of basis inside each head "
                f"({H} head{'s' if H != 1 else ''}, v = {vs})")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "heads": len(self.widths), "value_widths": list(self.widths),
                "tokens": self.tokens, "dimension": self.dimension, "components": self.components,
                "components_formula": self.components_formula, "description": self.describe()}


# -- the action on parameters ---------------------------------------------------------------------


def _row_blocks(W: DomainMatrix, widths: Sequence[int]) -> list[DomainMatrix]:
    out, k = [], 0
    for v in widths:
        out.append(W.extract(list(range(k, k + v)), list(range(W.shape[1]))))
        k += v
    return out


def act(net: Any, ks: Sequence[HeadMap]) -> Any:
    """k . theta for k = (k_1, ..., k_{L-1}) (see the module docstring)."""
    from symeq.architectures.attention.model import Head, Layer

    if len(ks) != net.depth - 1:
        raise InputError(f"expected {net.depth - 1} latent elements, got {len(ks)}")
    layers = list(net.layers)
    readout = net.readout
    for i, k in enumerate(ks, start=1):
        ly = layers[i - 1]
        if k.widths != ly.value_widths:
            raise InputError(f"layer {i}: the head map has value widths {k.widths}, the layer has {ly.value_widths}")
        heads: list[Any] = [None] * len(ly.heads)
        for h, (p, A) in enumerate(zip(k.perm, k.blocks)):
            head = ly.heads[h]
            V, A = unify(head.value, A)
            heads[p] = Head(head.query.convert_to(V.domain), head.key.convert_to(V.domain), V * A)
        layers[i - 1] = Layer(tuple(heads), ly.embed)
        nxt = layers[i].embed if i < len(layers) else readout
        blocks = _row_blocks(nxt, ly.value_widths)
        moved: list[Any] = [None] * len(blocks)
        for h, (p, A) in enumerate(zip(k.perm, k.blocks)):
            W, Ai = unify(blocks[h], A.inv())
            moved[p] = Ai * W
        new = DomainMatrix.vstack(*unify(*moved)) if len(moved) > 1 else moved[0]
        if i < len(layers):
            layers[i] = Layer(layers[i].heads, new)
        else:
            readout = new
    return net.replace(layers=layers, readout=readout)


# -- tangents ------------------------------------------------------------------------------------


def _offsets(net: Any) -> dict[tuple[Any, ...], int]:
    """Flat parameter offset of each matrix: ("E",), ("embed", i), (i, h, "q"|"k"|"v"), ("W",), ("b",)."""
    out, k = {}, 0
    if net.positional is not None:
        out[("E",)] = k
        k += net.positional.shape[0] * net.positional.shape[1]
    for i, ly in enumerate(net.layers, start=1):
        if ly.embed is not None:
            out[("embed", i)] = k
            k += ly.embed.shape[0] * ly.embed.shape[1]
        for h, head in enumerate(ly.heads):
            for name, m in (("q", head.query), ("k", head.key), ("v", head.value)):
                out[(i, h, name)] = k
                k += m.shape[0] * m.shape[1]
    out[("W",)] = k
    k += net.readout.shape[0] * net.readout.shape[1]
    out[("b",)] = k
    out[("end",)] = k + net.bias.shape[1]
    return out


def _put(vec: list[Any], start: int, m: DomainMatrix, sign: int = 1) -> None:
    K = m.domain
    for j, x in enumerate(m.to_list_flat()):
        if x:
            vec[start + j] += sign * K.to_sympy(x)


def orbit_tangents(net: Any) -> list[tuple[sympy.Expr, ...]]:
    """For each attention layer i, head h and elementary matrix E_pq of gl(v_h): the direction
    W_V^h -> W_V^h E_pq, W_O^h -> -E_pq W_O^h (the derivative of A_h = I + t E_pq)."""
    off = _offsets(net)
    n = off[("end",)]
    out = []
    for i, ly in enumerate(net.layers, start=1):
        nxt_key = ("embed", i + 1) if i < len(net.layers) else ("W",)
        nxt = net.layers[i].embed if i < len(net.layers) else net.readout
        row0 = 0
        for h, head in enumerate(ly.heads):
            V, K = head.value, head.value.domain
            for p in range(head.v):
                for q in range(head.v):
                    vec = [sympy.Integer(0)] * n
                    E = zeros(head.v, head.v, K)
                    E[p, q] = K.one
                    _put(vec, off[(i, h, "v")], V * E)
                    Wh = nxt.extract(list(range(row0, row0 + head.v)), list(range(nxt.shape[1])))
                    full = zeros(nxt.shape[0], nxt.shape[1], K)
                    dW = E.convert_to(Wh.domain) * Wh
                    for r in range(head.v):
                        for c in range(nxt.shape[1]):
                            full[row0 + r, c] = dW[r, c].element
                    _put(vec, off[nxt_key], full, -1)
                    out.append(tuple(vec))
            row0 += head.v
    return out


def internal_tangents(net: Any) -> list[tuple[sympy.Expr, ...]]:
    """The symmetries inside a layer: W_Q -> W_Q E, W_K -> -W_K E^T for E in gl(a) (the Q-K
    change of basis); for lightning attention also W_Q -> W_Q, W_V -> -W_V (the scaling
    (c M, W_V / c) at c = 1); for layers i > 1, W_O^(i-1) -> W_O^(i-1) E and W_Q, W_K, W_V ->
    -E W_Q, -E W_K, -E W_V for every head, E in gl(d_i') (the change of basis of the model
    features)."""
    off = _offsets(net)
    n = off[("end",)]
    out = []
    for i, ly in enumerate(net.layers, start=1):
        for h, head in enumerate(ly.heads):
            K = head.query.domain
            for p in range(head.a):
                for q in range(head.a):
                    vec = [sympy.Integer(0)] * n
                    E = zeros(head.a, head.a, K)
                    E[p, q] = K.one
                    _put(vec, off[(i, h, "q")], head.query * E)
                    _put(vec, off[(i, h, "k")], head.key * E.transpose(), -1)
                    out.append(tuple(vec))
            if net.normalization == "lightning":
                vec = [sympy.Integer(0)] * n
                _put(vec, off[(i, h, "q")], head.query)
                _put(vec, off[(i, h, "v")], head.value, -1)
                out.append(tuple(vec))
        if ly.embed is not None:  # the model features of layer i: W_O G, G^-1 W_Q, G^-1 W_K, G^-1 W_V
            K = ly.embed.domain
            d = ly.embed.shape[1]
            for p in range(d):
                for q in range(d):
                    vec = [sympy.Integer(0)] * n
                    E = zeros(d, d, K)
                    E[p, q] = K.one
                    _put(vec, off[("embed", i)], ly.embed * E)
                    for h, head in enumerate(ly.heads):
                        for name, m in (("q", head.query), ("k", head.key), ("v", head.value)):
                            _put(vec, off[(i, h, name)], E * m, -1)
                    out.append(tuple(vec))
    return out
