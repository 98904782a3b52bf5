"""The multilayer perceptron, docs/theory.md section 1.

    f_i(x) = sigma(W_i x + b_i)   for i < L       (post-activation latent spaces)
    f_L(x) = W_L x + b_L

Matrices act on column vectors; W_i has shape (d_i, d_{i-1}).  An :class:`MLP` is an immutable
value: methods return new networks.  It implements the
:class:`~symeq.architectures.base.Architecture` protocol.

>>> from symeq.activations import activation
>>> from sympy import ImmutableMatrix as M
>>> net = MLP(activation("relu"), (M([[1, 0], [0, 1], [-1, 0], [0, -1]]), M([[1, 0, -1, 0], [0, 1, 0, -1]])),
...           (M([0, 0, 0, 0]), M([0, 0])))
>>> net.widths
(2, 4, 2)
>>> net.forward(M([3, -5])).T
Matrix([[3, -5]])
>>> net.n_params
22
>>> MLP(activation("relu"), (M([[0.5]]),), (M([0]),))
Traceback (most recent call last):
...
symeq.errors.InputError: layer 1 has a floating-point entry; give exact numbers (integers, fractions, exact decimals as strings)

Large rational networks can be built from integer arrays without creating a sympy number per
weight (:meth:`MLP.from_integer_layers`); their sympy matrices are made only when some method
asks for them, and the neuron matcher works on the arrays directly.

>>> import numpy as np
>>> big = MLP.from_integer_layers(activation("tanh"), [(np.array([[2, 0, 1]]), 2), (np.array([[1, 0]]), 1)])
>>> big.widths, big.int_layer(1)[1]
((2, 1, 1), 2)
>>> big.weights[0]
Matrix([[1, 0]])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy import ImmutableMatrix

from symeq.activations import Activation
from symeq.errors import InputError
from symeq.exact import Matrix, free_symbols

if TYPE_CHECKING:  # pragma: no cover
    from symeq.architectures.mlp.latent_group import LatentGroup
    from symeq.architectures.mlp.latent_map import LatentMap
    from symeq.groups import GroupAction

__all__ = ["MLP"]


class MLP:
    """A fully connected network with one activation on every hidden layer.

    ``weights[i-1]`` is W_i and ``biases[i-1]`` is b_i (a column vector), for i = 1..L.
    """

    architecture = "mlp"

    def __init__(self, activation: Activation, weights: Sequence[Matrix], biases: Sequence[Matrix]) -> None:
        if not weights:
            raise InputError("a network needs at least one layer")
        if len(weights) != len(biases):
            raise InputError(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
        ws = tuple(ImmutableMatrix(w) for w in weights)
        bs = tuple(ImmutableMatrix(b) for b in biases)
        for i, (w, b) in enumerate(zip(ws, bs), start=1):
            if w.rows == 0 or w.cols == 0:
                raise InputError(f"W_{i} has shape {w.rows} x {w.cols}; every width must be >= 1")
            if b.shape != (w.rows, 1):
                raise InputError(f"b_{i} has length {b.rows}, but W_{i} has {w.rows} rows")
            if i > 1 and w.cols != ws[i - 2].rows:
                raise InputError(f"W_{i} has {w.cols} columns, but layer {i - 1} has width {ws[i - 2].rows}")
            # Verdicts are exact: a float entry (say from numpy) would silently make them not so.
            if any(x.has(sympy.Float) for x in (*w, *b)):
                raise InputError(f"layer {i} has a floating-point entry; give exact numbers "
                                 "(integers, fractions, exact decimals as strings)")
        self._set(activation, (ws[0].cols,) + tuple(w.rows for w in ws))
        self.__dict__["weights"] = ws
        self.__dict__["biases"] = bs

    @classmethod
    def from_integer_layers(cls, activation: Activation,
                            layers: Sequence[tuple[np.ndarray, int]]) -> "MLP":
        """The network with [W_i | b_i] = A_i / D_i for integer arrays A_i (shape d_i x
        (d_{i-1} + 1)) and positive integers D_i; no sympy number is made until asked for.

        >>> MLP.from_integer_layers(activation=None, layers=[])
        Traceback (most recent call last):
        ...
        symeq.errors.InputError: a network needs at least one layer
        """
        if not layers:
            raise InputError("a network needs at least one layer")
        arrays: list[tuple[np.ndarray, int]] = []
        widths = [int(layers[0][0].shape[1]) - 1]
        for i, (a, d) in enumerate(layers, start=1):
            a = np.asarray(a)
            if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] != widths[-1] + 1:
                raise InputError(f"layer {i}: [W_{i} | b_{i}] must have shape d_{i} x {widths[-1] + 1}")
            if not np.issubdtype(a.dtype, np.integer) and a.dtype != object:
                raise InputError(f"layer {i}: integer entries expected")
            if not isinstance(d, int) or d < 1:
                raise InputError(f"layer {i}: the denominator must be a positive integer")
            arrays.append((a, d))
            widths.append(int(a.shape[0]))
        net = cls.__new__(cls)
        net._set(activation, tuple(widths))
        net.__dict__["_given_int_layers"] = tuple(arrays)
        return net

    def _set(self, activation: Activation, widths: tuple[int, ...]) -> None:
        self.__dict__["activation"] = activation
        self.__dict__["widths"] = widths

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an MLP is immutable; methods return new networks")

    # -- value semantics ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MLP) and self.activation == other.activation
                and self.widths == other.widths and self.weights == other.weights
                and self.biases == other.biases)

    def __hash__(self) -> int:
        return hash((self.activation, self.widths, self.weights, self.biases))

    def __repr__(self) -> str:
        return f"MLP(activation={self.activation!r}, weights={self.weights!r}, biases={self.biases!r})"

    # -- shape ------------------------------------------------------------------------------
    activation: Activation
    widths: tuple[int, ...]
    """(d_0, ..., d_L)."""

    @property
    def depth(self) -> int:
        """L, the number of layers (hidden layers are 1..L-1)."""
        return len(self.widths) - 1

    def spaces(self) -> tuple[int, ...]:
        """The dimensions of V_0..V_L: the widths."""
        return self.widths

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        """(d_1, ..., d_{L-1})."""
        return self.widths[1:-1]

    @property
    def n_params(self) -> int:
        """The number of scalar parameters."""
        return sum(self.widths[i] * (self.widths[i - 1] + 1) for i in range(1, len(self.widths)))

    # -- exact storage ----------------------------------------------------------------------
    @cached_property
    def weights(self) -> tuple[Matrix, ...]:
        """(W_1, ..., W_L) as sympy matrices (made on first use for array-built networks)."""
        return tuple(ImmutableMatrix(sympy.Matrix(a[:, :-1].tolist()) / d) for a, d in self._given_int_layers)

    @cached_property
    def biases(self) -> tuple[Matrix, ...]:
        """(b_1, ..., b_L) as sympy column vectors."""
        return tuple(ImmutableMatrix(sympy.Matrix(a[:, -1:].tolist()) / d) for a, d in self._given_int_layers)

    @cached_property
    def _int_layers(self) -> tuple[tuple[np.ndarray, int] | None, ...]:
        from symeq.rings import INT_LIMIT, rational_int_layer

        given = self.__dict__.get("_given_int_layers")
        if given is None:
            return tuple(rational_int_layer(w, b) for w, b in zip(self.weights, self.biases))
        out: list[tuple[np.ndarray, int] | None] = []
        for a, d in given:
            big = a.size and int(np.abs(a).max()) >= INT_LIMIT
            out.append(None if big else (np.asarray(a, dtype=np.int64), d))
        return tuple(out)

    def int_layer(self, i: int) -> tuple[np.ndarray, int] | None:
        """(A, D) with [W_i | b_i] = A / D, A an int64 array, or None when layer i is not
        rational or too large for int64 (the fast path of the neuron matcher)."""
        return self._int_layers[i - 1]

    @cached_property
    def symbols(self) -> frozenset[sympy.Symbol]:
        """The symbolic parameters; empty for a concrete network."""
        if "_given_int_layers" in self.__dict__ and "weights" not in self.__dict__:
            return frozenset()
        return free_symbols(self.weights + self.biases)

    # -- evaluation -------------------------------------------------------------------------
    def pre_activation(self, i: int, x: Matrix) -> Matrix:
        """W_i x + b_i."""
        return self.weights[i - 1] * x + self.biases[i - 1]

    def layer(self, i: int, x: Matrix) -> Matrix:
        """f_i(x): sigma(W_i x + b_i) for a hidden layer, W_L x + b_L for the last."""
        z = self.pre_activation(i, x)
        if i == self.depth:
            return z
        return z.applyfunc(self.activation.expr)

    def layer_value(self, i: int, x: Matrix) -> Matrix:
        """f_i(x) for a constant x, with piecewise activations decided exactly."""
        z = self.pre_activation(i, x)
        if i == self.depth:
            return z
        return z.applyfunc(self.activation.value)

    def forward(self, x: Matrix) -> Matrix:
        """f(x; theta), symbolically (x may contain symbols)."""
        for i in range(1, self.depth + 1):
            x = self.layer(i, x)
        return x

    def value(self, x: Matrix) -> Matrix:
        """f(x; theta) at a constant input, exact for algebraic activations."""
        for i in range(1, self.depth + 1):
            x = self.layer_value(i, x)
        return x

    # -- parameters -------------------------------------------------------------------------
    def parameters(self) -> tuple[sympy.Expr, ...]:
        """(W_1 row-major, b_1, W_2 row-major, b_2, ...)."""
        out: list[sympy.Expr] = []
        for w, b in zip(self.weights, self.biases):
            out.extend(w)
            out.extend(b)
        return tuple(out)

    def with_parameters(self, theta: Sequence[sympy.Expr]) -> "MLP":
        """The network of the same architecture with the flat parameter tuple ``theta``."""
        if len(theta) != self.n_params:
            raise InputError(f"expected {self.n_params} parameters, got {len(theta)}")
        weights, biases, k = [], [], 0
        for i in range(1, self.depth + 1):
            rows, cols = self.widths[i], self.widths[i - 1]
            weights.append(ImmutableMatrix(rows, cols, list(theta[k : k + rows * cols])))
            k += rows * cols
            biases.append(ImmutableMatrix(rows, 1, list(theta[k : k + rows])))
            k += rows
        return MLP(self.activation, tuple(weights), tuple(biases))

    def with_layer(self, i: int, weight: Matrix, bias: Matrix) -> "MLP":
        """The network with layer i's parameters replaced by (weight, bias)."""
        ws, bs = list(self.weights), list(self.biases)
        ws[i - 1], bs[i - 1] = ImmutableMatrix(weight), ImmutableMatrix(bias)
        return MLP(self.activation, tuple(ws), tuple(bs))

    def with_activation(self, act: Activation) -> "MLP":
        """The same parameters under another activation."""
        return MLP(act, self.weights, self.biases)

    def subs(self, values: dict[sympy.Symbol, sympy.Expr]) -> "MLP":
        """Substitute values for symbols (a member of a symbolic family)."""
        return MLP(self.activation, tuple(w.subs(values) for w in self.weights),
                   tuple(b.subs(values) for b in self.biases))

    def to_dict(self) -> dict[str, Any]:
        """The ``[network]`` table of the file schema (:mod:`symeq.architectures.mlp.io`)."""
        from symeq.architectures.mlp.io import mlp_to_dict

        return mlp_to_dict(self)

    # -- the Architecture protocol: symmetries ------------------------------------------------
    def latent_group(self, i: int) -> "LatentGroup":
        """K_i of hidden layer i, read off the activation's relations (docs/theory.md section 2)."""
        from symeq.architectures.mlp.latent_group import latent_group

        if not 0 < i < self.depth:
            raise InputError(f"layer {i} is not a hidden layer (1..{self.depth - 1})")
        return latent_group(self.activation, self.widths[i])

    def act(self, k: Sequence["LatentMap"]) -> "MLP":
        """k . theta for k = (k_1, ..., k_{L-1}): the same end-to-end function."""
        from symeq.architectures.mlp.latent_group import act

        if len(k) != self.depth - 1:
            raise InputError(f"expected {self.depth - 1} latent elements, got {len(k)}")
        net = self
        for i, ki in enumerate(k, start=1):
            net = act(net, i, ki)
        return net

    # -- identifiability (symeq.identifiability.identify) ------------------------------------
    def reduce(self) -> Any:
        """The submodel theta~ without inactive or redundant neurons, with the rewrite steps and
        the embedding beta (:func:`symeq.architectures.mlp.reduce.reduce_network`)."""
        from symeq.architectures.mlp.reduce import reduce_network

        return reduce_network(self)

    def weak_reduction(self) -> Any:
        """The reduction of the weak construction (:mod:`symeq.construction.weak`): the rank
        factorization for linear networks, else :meth:`reduce`."""
        from symeq.architectures.mlp.weak import weak_reduction

        return weak_reduction(self)

    def identifiability_conditions(self) -> tuple[Any, ...]:
        """For a symbolic family: the inequations under which no neuron is inactive or
        redundant (:mod:`symeq.architectures.mlp.families`); () for a concrete network."""
        from symeq.architectures.mlp.families import identifiability_conditions

        return identifiability_conditions(self) if self.symbols else ()

    def uniqueness_conditions(self) -> tuple[Any, ...]:
        """For a symbolic family: the inequations under which the latent action is unique."""
        from symeq.architectures.mlp.families import uniqueness_conditions

        return uniqueness_conditions(self) if self.symbols else ()

    def criterion(self) -> Any:
        """The literature criterion for the activation and depth, checked exactly."""
        from symeq.architectures.mlp.criteria import criterion_for

        return criterion_for(self)

    def exact_fiber(self, limits: Any = None) -> Any:
        """The exact fiber of a polynomial network (Groebner bases within ``limits``), or None
        when the activation is not polynomial or the network has symbols."""
        from symeq.architectures.mlp.fibers import FiberLimits, exact_fiber

        if not self.activation.polynomial or self.symbols:
            return None
        return exact_fiber(self, limits if limits is not None else FiberLimits())

    def nonidentifiability_witness(self, fiber: Any) -> Any:
        """A checkable witness that theta is not identifiable, or None."""
        from symeq.architectures.mlp.identifiability import witness_for

        return witness_for(self, fiber)

    def identifiable_evidence(self, criterion: Any, fiber: Any) -> dict[str, Any] | None:
        """The certificate evidence that theta is identifiable, or None."""
        from symeq.architectures.mlp.identifiability import identifiable_evidence

        return identifiable_evidence(criterion, fiber)

    def uniqueness_evidence(self, which: str = "this") -> dict[str, str] | None:
        """The latent certificate's ``uniqueness`` evidence when a kernel criterion applies
        (``full_row_rank`` for the identity activation, ``distinct_rows`` otherwise), else None."""
        from symeq.architectures.mlp.identifiability import uniqueness_evidence

        return uniqueness_evidence(self, which)

    def layer_structure(self, group: Any, actions: Any) -> tuple[Any, ...]:
        """Orbits of neurons, their G-sets and the character of every hidden layer
        (:func:`~symeq.architectures.mlp.structure.network_structure`)."""
        from symeq.architectures.mlp.structure import network_structure

        return network_structure(group, actions)

    def jacobians(self) -> Any:
        """The Jacobians the generic functional dimension asks for
        (:class:`~symeq.architectures.mlp.jacobians.MLPJacobians`)."""
        from symeq.architectures.mlp.jacobians import MLPJacobians

        return MLPJacobians(self)

    def orbit_tangents(self) -> list[tuple[sympy.Expr, ...]]:
        """Tangent vectors of the K-orbit at theta, in the order of :meth:`parameters`."""
        from symeq.architectures.mlp.latent_group import orbit_tangents

        return orbit_tangents(self)

    # -- the Architecture protocol: the adjunction and the construction -----------------------
    def twist(self, group: "GroupAction", g: str) -> "MLP":
        """theta^g = ((W_1 rho_0(g), b_1), theta_2, ..., (rho_L(g)^{-1} W_L, rho_L(g)^{-1} b_L))
        (docs/theory.md section 5, step 1): f(.; theta^g) = rho_L(g)^{-1} o f(.; theta) o rho_0(g).

        >>> from symeq.architectures import network_from_dict
        >>> from symeq.groups import catalog_group
        >>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"]], [["3"]]],
        ...                          "biases": [["0"], ["0"]]})
        >>> net.twist(catalog_group("S2", 2, 1, output="trivial"), "t").weights[0]
        Matrix([[2, 1]])
        """
        from symeq.architectures.mlp.matching import twisted

        return twisted(self, group, g)

    @property
    def search_method(self) -> str:
        """How :mod:`symeq.construction.construct` finds latent maps for this network."""
        from symeq.architectures.mlp.affine import LAYER_BY_LAYER

        return LAYER_BY_LAYER if self.activation.kind == "affine" else "neuron matching"

    def free_scales(self) -> tuple[tuple[int, int], ...]:
        """(layer, neuron) pairs whose scale no layer equation fixes (zero rows under ReLU or
        z^m); the matcher lists scale 1 for them."""
        from symeq.architectures.mlp.matching import free_scale_neurons

        return tuple((i, j) for i in range(1, self.depth) for j in free_scale_neurons(self, i))

    def construct_continuum(self, group: "GroupAction") -> Any:
        """Latent maps when some layer's solutions form a continuum (the identity activation
        with a W_i of deficient row rank): one linear system for every layer."""
        from symeq.architectures.mlp.affine import construct_continuum

        return construct_continuum(self, group)

    def stabilizer_caveat(self) -> str | None:
        """Why matching theta against itself cannot list Stab(theta), or None.  Row matching
        decides equality of layer functions for non-constant neurons; a constant neuron
        sigma(beta) of a non-injective sigma (relu(-1) = relu(-2) = 0) escapes it."""
        act = self.activation
        if act.name in ("tanh", "sigmoid", "leaky_relu", "softplus") or (
                act.name == "power" and int(act.spec.split(":")[1]) % 2 == 1):
            return None
        for i in range(1, self.depth):
            W = self.weights[i - 1]
            for j in range(W.rows):
                if all(x == 0 for x in W.row(j)):
                    return (f"unknown: neuron {j} of layer {i} is constant (zero incoming weights) and "
                            f"{act.spec} is not injective, so row matching does not decide which maps fix it")
        return None

    def continuum_stabilizer(self) -> dict[str, Any] | None:
        """Stab(theta) for the identity activation (the invertible points of identity + N, N the
        solutions of the homogeneous layer system); None for the other activations."""
        if self.activation.kind != "affine":
            return None
        from symeq.architectures.mlp.affine import affine_stabilizer

        return affine_stabilizer(self)

    def unit_unread(self, i: int, j: int) -> bool:
        """True when neuron j of hidden layer i has a zero outgoing column (nobody reads it)."""
        return all(x == 0 for x in self.weights[i][:, j])

    def structural(self, i: int, group: "GroupAction", g: str) -> None:
        """None: the group acts on an MLP's boundary parameters only (ordinary adjunction)."""
        return None

    def solve_layer(self, i: int, k_prev: "LatentMap | None", other: "MLP", budget: Any) -> Iterator["LatentMap"]:
        """Every k_i with f_i(.; other_i) = k_i o f_i(.; theta_i) o k_prev^{-1} (the one neuron
        matcher, :mod:`symeq.architectures.mlp.matching`); for i = L the identity when the
        last layer closes."""
        from symeq.architectures.mlp.matching import matcher

        return matcher(self, other).solve_layer(i, k_prev, budget)
