"""Multi-head self-attention networks (docs/theory.md section 7.1).

Tokens are rows: an input is X in R^{n x d_0}, flattened row-major (token t, feature c is
coordinate t d_0 + c).  Attention layers i = 1..L-1 and a readout L:

    Y_1 = X + E                      (E, n x d_0: the optional positional encoding)
    Y_i = Z W_O^(i-1)                (i > 1; Z = (Z_1 | ... | Z_H) the previous layer's output,
                                      W_O^(i-1) its heads' output maps stacked, part of Theta_i)
    head_h(Y) = phi(Y M_h Y^T) Y W_V^h,     M_h = W_Q^h (W_K^h)^T
    f_i       = (head_1(Y_i) | ... | head_H(Y_i))  in  V_i = R^{n x (v_1 + ... + v_H)}
    f_L(Z)    = Z W_O + 1 b^T

phi is the row softmax ("softmax") or the identity ("lightning").  Each head has its own
a_h (columns of W_Q^h, W_K^h) and v_h (columns of W_V^h).  An :class:`Attention` is an
immutable value implementing the :class:`~symeq.architectures.base.Architecture` protocol; its
matrices are sympy DomainMatrices over one exact field (:mod:`.numbers`).

>>> from symeq.architectures import network_from_dict
>>> net = network_from_dict({"architecture": "attention", "normalization": "lightning",
...     "tokens": 2, "widths": [1, 1],
...     "layers": [{"heads": [{"query": [["1"]], "key": [["1"]], "value": [["1"]]}]}],
...     "readout": {"output": [["1"]], "bias": ["0"]}})
>>> net.spaces(), net.depth
((2, 2, 2), 2)
>>> net.value(sympy.ImmutableMatrix([1, 2])).T          # row t: sum_s (x_t x_s) x_s
Matrix([[5, 10]])

Parameter order (:meth:`Attention.parameters`): E row-major (when present); then for each
attention layer i: W_O^(i-1) row-major (i > 1), and for each head W_Q, W_K, W_V row-major;
then the readout W_O row-major and b.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.numbers import entries_sympy, field_of, to_dm, to_sympy, unify
from symeq.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.attention.heads import HeadGroup, HeadMap
    from symeq.groups import GroupAction

__all__ = ["Attention", "Head", "Layer", "NORMALIZATIONS"]

NORMALIZATIONS = ("softmax", "lightning")


@dataclass(frozen=True, eq=False)
class Head:
    """One head: W_Q, W_K (d x a) and W_V (d x v), DomainMatrices over the network's field."""

    query: DomainMatrix
    key: DomainMatrix
    value: DomainMatrix
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def a(self) -> int:
        return self.query.shape[1]

    @property
    def v(self) -> int:
        return self.value.shape[1]

    @property
    def score(self) -> DomainMatrix:
        """M_h = W_Q W_K^T (d x d): only this enters the scores."""
        if "score" not in self._cache:
            self._cache["score"] = self.query * self.key.transpose()
        return self._cache["score"]

    def convert(self, K: Any) -> "Head":
        if self.query.domain == K:
            return self
        return Head(self.query.convert_to(K), self.key.convert_to(K), self.value.convert_to(K))


@dataclass(frozen=True, eq=False)
class Layer:
    """Attention layer i: its heads and, for i > 1, ``embed`` = W_O^(i-1) ((sum v) x d_i)."""

    heads: tuple[Head, ...]
    embed: DomainMatrix | None = None

    @property
    def value_widths(self) -> tuple[int, ...]:
        return tuple(h.v for h in self.heads)

    @property
    def width(self) -> int:
        """sum_h v_h: the features of one token in V_i."""
        return sum(self.value_widths)

    def offsets(self) -> list[int]:
        """Column offset of each head in the concatenated output."""
        out, k = [], 0
        for h in self.heads:
            out.append(k)
            k += h.v
        return out


class Attention:
    """A multi-head self-attention network with exact parameters (see the module docstring)."""

    architecture = "attention"

    def __init__(self, normalization: str, tokens: int, layers: Sequence[Layer], readout: DomainMatrix,
                 bias: DomainMatrix, positional: DomainMatrix | None = None) -> None:
        if normalization not in NORMALIZATIONS:
            raise InputError(f"normalization must be one of {', '.join(NORMALIZATIONS)}, got {normalization!r}")
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
            raise InputError("tokens must be a positive integer")
        if not layers:
            raise InputError("an attention network needs at least one attention layer")
        mats = [positional, readout, bias] + [m for ly in layers for m in
                                               (ly.embed, *(x for h in ly.heads for x in (h.query, h.key, h.value)))]
        conv = unify(*mats)
        K = readout.domain if conv[1] is None else conv[1].domain
        if not K.is_Field:
            K = K.get_field()
            conv = tuple(None if m is None else m.convert_to(K) for m in conv)
        positional, readout, bias = conv[0], conv[1], conv[2]
        rest = list(conv[3:])
        new_layers = []
        for ly in layers:
            embed = rest.pop(0)
            heads = []
            for _ in ly.heads:
                q, k, v = rest.pop(0), rest.pop(0), rest.pop(0)
                heads.append(Head(q, k, v))
            new_layers.append(Layer(tuple(heads), embed))
        d0 = None
        for i, ly in enumerate(new_layers, start=1):
            if not ly.heads:
                raise InputError(f"attention layer {i} has no heads")
            if i == 1:
                if ly.embed is not None:
                    raise InputError("attention layer 1 reads the input: it has no 'output' matrix")
                d_in = ly.heads[0].query.shape[0]
                d0 = d_in
            else:
                if ly.embed is None:
                    raise InputError(f"attention layer {i} needs 'output' = W_O of layer {i - 1}")
                prev = new_layers[i - 2].width
                if ly.embed.shape[0] != prev:
                    raise InputError(f"layer {i}: output (W_O of layer {i - 1}) has {ly.embed.shape[0]} rows, "
                                     f"expected {prev} (the value widths of layer {i - 1})")
                d_in = ly.embed.shape[1]
            for h, head in enumerate(ly.heads):
                where = f"layer {i} head {h}"
                if head.query.shape[0] != d_in or head.key.shape[0] != d_in or head.value.shape[0] != d_in:
                    raise InputError(f"{where}: query, key and value need {d_in} rows (the layer's input features)")
                if head.query.shape[1] != head.key.shape[1]:
                    raise InputError(f"{where}: query has {head.query.shape[1]} columns, key {head.key.shape[1]}; "
                                     "they must agree (a)")
                if head.query.shape[1] < 1 or head.value.shape[1] < 1:
                    raise InputError(f"{where}: a and v must be at least 1")
        last = new_layers[-1].width
        if readout.shape[0] != last:
            raise InputError(f"readout output has {readout.shape[0]} rows, expected {last} (the value widths of "
                             f"layer {len(new_layers)}, heads stacked)")
        if bias.shape != (1, readout.shape[1]):
            raise InputError(f"readout bias has length {bias.shape[1]}, expected {readout.shape[1]}")
        if positional is not None and positional.shape != (tokens, d0):
            raise InputError(f"positional has shape {positional.shape[0]} x {positional.shape[1]}, expected "
                             f"{tokens} x {d0} (tokens x input features)")
        self.__dict__.update(normalization=normalization, tokens=tokens, layers=tuple(new_layers),
                             readout=readout, bias=bias, positional=positional, field=K)

    @classmethod
    def from_sympy(cls, normalization: str, tokens: int, layers: Sequence[dict[str, Any]],
                   readout: ImmutableMatrix, bias: ImmutableMatrix,
                   positional: ImmutableMatrix | None = None) -> "Attention":
        """Build from sympy matrices: ``layers`` is a list of {"heads": [(Q, K, V), ...],
        "embed": W_O or None}; ``bias`` a row (1 x d_L)."""
        mats = [readout, bias] + ([positional] if positional is not None else [])
        for ly in layers:
            if ly.get("embed") is not None:
                mats.append(ly["embed"])
            for q, k, v in ly["heads"]:
                mats.extend((q, k, v))
        for m in mats:
            if any(x.has(sympy.Float) for x in m):
                raise InputError("a parameter has a floating-point entry; give exact numbers "
                                 "(integers, fractions, exact decimals as strings)")
        K = field_of([x for m in mats for x in m])
        conv = lambda m: to_dm(m, K)  # noqa: E731
        built = [Layer(tuple(Head(conv(q), conv(k), conv(v)) for q, k, v in ly["heads"]),
                       None if ly.get("embed") is None else conv(ly["embed"])) for ly in layers]
        return cls(normalization, tokens, built, conv(readout), conv(bias),
                   None if positional is None else conv(positional))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an Attention network is immutable; methods return new networks")

    normalization: str
    tokens: int
    layers: tuple[Layer, ...]
    readout: DomainMatrix
    bias: DomainMatrix
    positional: DomainMatrix | None
    field: Any

    # -- value semantics -----------------------------------------------------------------------
    def _matrices(self) -> list[DomainMatrix | None]:
        out: list[DomainMatrix | None] = [self.positional, self.readout, self.bias]
        for ly in self.layers:
            out.append(ly.embed)
            for h in ly.heads:
                out.extend((h.query, h.key, h.value))
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attention) or (self.normalization, self.tokens, self.shape_key()) != (
                other.normalization, other.tokens, other.shape_key()):
            return False
        for a, b in zip(self._matrices(), other._matrices()):
            if (a is None) != (b is None):
                return False
            if a is not None:
                a, b = unify(a, b)
                if a != b:
                    return False
        return True

    def __hash__(self) -> int:
        return hash((self.normalization, self.tokens, self.shape_key()))

    def shape_key(self) -> tuple[Any, ...]:
        """The architecture without the numbers: heads' (a, v) per layer, d_0, d_L, E or not."""
        return (self.positional is not None, self.d_in, self.d_out,
                tuple((ly.embed.shape[1] if ly.embed is not None else None, tuple((h.a, h.v) for h in ly.heads))
                      for ly in self.layers))

    def __repr__(self) -> str:
        heads = "/".join(str(len(ly.heads)) for ly in self.layers)
        return (f"Attention({self.normalization}, tokens={self.tokens}, d0={self.d_in}, heads={heads}, "
                f"dL={self.d_out}{', positional' if self.positional is not None else ''})")

    # -- shape ------------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """L: the attention layers and the readout."""
        return len(self.layers) + 1

    @property
    def d_in(self) -> int:
        return self.layers[0].heads[0].query.shape[0]

    @property
    def d_out(self) -> int:
        return self.readout.shape[1]

    def features(self, i: int) -> int:
        """Features of one token in V_i: d_0, sum of the value widths of layer i, d_L."""
        if i == 0:
            return self.d_in
        if i == self.depth:
            return self.d_out
        return self.layers[i - 1].width

    def spaces(self) -> tuple[int, ...]:
        """The dimensions of V_0..V_L: n times the features of one token."""
        return tuple(self.tokens * self.features(i) for i in range(self.depth + 1))

    def layer_input(self, i: int) -> int:
        """d_i': the features of Y_i (the model dimension layer i's heads read)."""
        ly = self.layers[i - 1]
        return self.d_in if ly.embed is None else ly.embed.shape[1]

    @property
    def n_params(self) -> int:
        return len(self.parameters())

    # -- parameters ------------------------------------------------------------------------
    def _param_matrices(self) -> list[DomainMatrix]:
        out = [] if self.positional is None else [self.positional]
        for ly in self.layers:
            if ly.embed is not None:
                out.append(ly.embed)
            for h in ly.heads:
                out.extend((h.query, h.key, h.value))
        out.extend((self.readout, self.bias))
        return out

    def parameters(self) -> tuple[sympy.Expr, ...]:
        """All parameters, in the order of the module docstring."""
        if "_params" not in self.__dict__:
            self.__dict__["_params"] = tuple(x for m in self._param_matrices() for x in entries_sympy(m))
        return self.__dict__["_params"]

    def with_parameters(self, theta: Sequence[Any]) -> "Attention":
        """The network of the same architecture with the flat parameter tuple ``theta``."""
        mats = self._param_matrices()
        if len(theta) != sum(m.shape[0] * m.shape[1] for m in mats):
            raise InputError(f"expected {sum(m.shape[0] * m.shape[1] for m in mats)} parameters, got {len(theta)}")
        values = [sympy.sympify(x) for x in theta]
        K = field_of(values)
        it = iter(values)

        def take(m: DomainMatrix) -> DomainMatrix:
            return to_dm(ImmutableMatrix(m.shape[0], m.shape[1], [next(it) for _ in range(m.shape[0] * m.shape[1])]), K)

        E = take(self.positional) if self.positional is not None else None
        layers = []
        for ly in self.layers:
            embed = take(ly.embed) if ly.embed is not None else None
            layers.append(Layer(tuple(Head(take(h.query), take(h.key), take(h.value)) for h in ly.heads), embed))
        W = take(self.readout)
        b = take(self.bias)
        return Attention(self.normalization, self.tokens, layers, W, b, E)

    def replace(self, *, layers: Sequence[Layer] | None = None, readout: DomainMatrix | None = None,
                bias: DomainMatrix | None = None, positional: Any = "keep",
                normalization: str | None = None) -> "Attention":
        """A new network with some parts replaced (``positional=None`` removes E)."""
        return Attention(normalization or self.normalization, self.tokens,
                         self.layers if layers is None else layers,
                         self.readout if readout is None else readout,
                         self.bias if bias is None else bias,
                         self.positional if positional == "keep" else positional)

    @cached_property
    def symbols(self) -> frozenset[sympy.Symbol]:
        """The symbolic parameters; empty for a concrete network."""
        K = self.field
        gens = getattr(K, "symbols", None) or getattr(K, "gens", None) or ()
        return frozenset(s for s in gens if isinstance(s, sympy.Symbol))

    def subs(self, values: dict[sympy.Symbol, sympy.Expr]) -> "Attention":
        """Substitute values for symbols."""
        return self.with_parameters([sympy.sympify(x).subs(values) for x in self.parameters()])

    # -- evaluation ---------------------------------------------------------------------------
    def _rows(self, x: ImmutableMatrix, features: int) -> ImmutableMatrix:
        if x.shape != (self.tokens * features, 1):
            raise InputError(f"expected a column vector of length {self.tokens * features}, got shape {x.shape}")
        return ImmutableMatrix(self.tokens, features, list(x))

    def sympy_matrices(self) -> dict[str, Any]:
        """The parameters as sympy matrices (cached): E, per layer (embed, [(Q, K, V, M)]), W_O, b."""
        if "_sym" not in self.__dict__:
            self.__dict__["_sym"] = {
                "positional": None if self.positional is None else to_sympy(self.positional),
                "layers": [(None if ly.embed is None else to_sympy(ly.embed),
                            [(to_sympy(h.query), to_sympy(h.key), to_sympy(h.value), to_sympy(h.score))
                             for h in ly.heads]) for ly in self.layers],
                "readout": to_sympy(self.readout), "bias": to_sympy(self.bias)}
        return self.__dict__["_sym"]

    def _phi(self, S: ImmutableMatrix) -> ImmutableMatrix:
        if self.normalization == "lightning":
            return S
        E = S.applyfunc(sympy.exp)
        rows = []
        for t in range(E.shape[0]):
            total = sum(E.row(t))
            rows.append([e / total for e in E.row(t)])
        return ImmutableMatrix(rows)

    def layer(self, i: int, x: ImmutableMatrix, phi: Any = None) -> ImmutableMatrix:
        """f_i(x; theta_i) on a column vector of V_{i-1}, symbolically (x may hold symbols);
        ``phi`` replaces the normalization (the invariance proofs keep softmax opaque)."""
        if not 1 <= i <= self.depth:
            raise InputError(f"layer {i} is not a layer (1..{self.depth})")
        sym = self.sympy_matrices()
        Z = self._rows(ImmutableMatrix(x), self.features(i - 1))
        if i == self.depth:
            out = Z * sym["readout"] + ImmutableMatrix.ones(self.tokens, 1) * sym["bias"]
        else:
            embed, heads = sym["layers"][i - 1]
            if i == 1:
                Y = Z if sym["positional"] is None else Z + sym["positional"]
            else:
                Y = Z * embed
            phi = phi or self._phi
            blocks = [phi(Y * M * Y.T) * Y * V for _, _, V, M in heads]
            out = ImmutableMatrix.hstack(*blocks)
        return ImmutableMatrix(out.shape[0] * out.shape[1], 1, list(out))

    def forward(self, x: ImmutableMatrix, phi: Any = None) -> ImmutableMatrix:
        """f(x; theta), symbolically (``phi``: as for :meth:`layer`)."""
        for i in range(1, self.depth + 1):
            x = self.layer(i, x, phi)
        return x

    def value(self, x: ImmutableMatrix) -> ImmutableMatrix:
        """f(x; theta) at a constant input: exact numbers for lightning attention; for softmax,
        exact expressions in exp(...) (use :meth:`value_ball` for rigorous numbers)."""
        if self.normalization == "lightning" and not self.symbols and not ImmutableMatrix(x).free_symbols:
            from symeq.architectures.attention.evaluate import exact_forward

            return exact_forward(self, ImmutableMatrix(x))
        return self.forward(x).applyfunc(sympy.simplify if self.normalization == "softmax" else sympy.expand)

    def value_ball(self, x: Sequence[Any], prec: int = 128) -> list[Any]:
        """f(x; theta) as python-flint balls containing the exact values (constant x)."""
        from symeq.architectures.attention.evaluate import ball_forward

        return ball_forward(self, x, prec)

    # -- files -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``[network]`` table of the file schema."""
        from symeq.architectures.attention.io import attention_to_dict

        return attention_to_dict(self)

    # -- the Architecture protocol: symmetries ---------------------------------------------------
    def latent_group(self, i: int) -> "HeadGroup":
        """K_i = GL(v)^H x| S_H of attention layer i (heads of equal v may be permuted)."""
        from symeq.architectures.attention.heads import HeadGroup

        if not 0 < i < self.depth:
            raise InputError(f"layer {i} is not a hidden layer (1..{self.depth - 1})")
        return HeadGroup(self.layers[i - 1].value_widths, self.tokens, self.field)

    def act(self, k: Sequence["HeadMap"]) -> "Attention":
        """k . theta: head h of layer i moves to position perm[h] with W_V^h A_h, and the next
        layer's W_O^h becomes A_h^{-1} W_O^h; the same end-to-end function."""
        from symeq.architectures.attention.heads import act

        return act(self, k)

    def orbit_tangents(self) -> list[tuple[sympy.Expr, ...]]:
        """Tangent vectors of the K-orbit at theta (gl(v_h) per head), in parameter order."""
        from symeq.architectures.attention.heads import orbit_tangents

        return orbit_tangents(self)

    def jacobians(self) -> Any:
        """The Jacobians of theta -> f(x; theta) for the generic functional dimension."""
        from symeq.architectures.attention.jacobian import AttentionJacobians

        return AttentionJacobians(self)

    def internal_tangents(self) -> list[tuple[sympy.Expr, ...]]:
        """Tangent vectors of the symmetries inside a layer: the Q-K change of basis
        (W_Q B, W_K B^{-T}), and for lightning attention the scaling (c M, W_V / c)."""
        from symeq.architectures.attention.heads import internal_tangents

        return internal_tangents(self)

    # -- the Architecture protocol: the adjunction and the construction -----------------------------
    def twist(self, group: "GroupAction", g: str) -> "Attention":
        """theta^g: the feature parts of g move into W_Q, W_K, W_V of layer 1 and into the
        readout, the token part moves the positional encoding: E -> P_g^T E R_g^{-T}."""
        from symeq.architectures.attention.matching import twisted

        return twisted(self, group, g)

    def structural(self, i: int, group: "GroupAction", g: str) -> Any:
        """s_i(g) = P_g (x) I: g permutes the tokens of every V_i."""
        from symeq.architectures.attention.group import token_parts

        return token_parts(group, g, self)[0]

    @property
    def search_method(self) -> str:
        return "head matching"

    def solve_layer(self, i: int, k_prev: "HeadMap | None", other: "Attention", budget: Any) -> Any:
        """Every k_i with f_i(.; other_i) = k_i o f_i(.; theta_i) o k_prev^{-1}: the head matching
        (:mod:`symeq.architectures.attention.matching`)."""
        from symeq.architectures.attention.matching import solve_layer

        return solve_layer(self, i, k_prev, other, budget)
