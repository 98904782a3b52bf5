"""Submodel reduction: remove inactive neurons and merge redundant ones (docs/theory.md, section 3).

:func:`reduce_network` rewrites a network step by step; every step keeps the end-to-end
function exactly (the independent checker re-verifies each one, claim kind ``same_function``
in docs/certificates.md).  The steps, on the current network, with hidden layer i and the
next layer's parameters (W', b') = (W_{i+1}, b_{i+1}):

``drop_zero_column`` (i, j)
    W'[:, j] = 0: delete row j of W_i, entry j of b_i and column j of W'.
``absorb_constant`` (i, j, s)
    W_i[j, :] = 0, so neuron j outputs the constant s = sigma(b_i[j]):
    b' += s W'[:, j], then delete neuron j as above.  Only when s is an exact number of the
    file grammar (e.g. sigma(0) = 1/2 for the logistic sigmoid, tanh(q) for a rational q, any
    value for polynomial and piecewise-linear activations); otherwise (tanh(sqrt(2)),
    sigmoid(1)) the neuron is kept and a note says why.
``merge`` (i, keep j, remove k, relation (a, c, b, e))
    (W_i[k, :], b_i[k]) = (a W_i[j, :], a b_i[j] + c) and sigma(a z + c) = b sigma(z) + e, so
    sigma(z_k) = b sigma(z_j) + e: W'[:, j] += b W'[:, k], b' += e W'[:, k], delete neuron k.
    For the sigmoid relation (-1, 0, -1, 1) this moves the 1 - sigma correction into b'.
    Two neurons with zero rows whose constants cannot be absorbed merge the same way when their
    biases are related (tanh: b_i[k] = +-b_i[j]); the first of them is kept.
``zero_neuron`` (i, j)
    the last neuron of a layer is never deleted (widths stay >= 1): when W'[:, j] = 0 its row
    and bias are set to 0 instead, which changes nothing downstream.

The steps run to a fixed point, so reducing a reduced network does nothing.  The embedding
beta maps parameters of the reduced architecture back into the original one by putting every
kept neuron at its original index and zero neurons (zero row, bias and column) elsewhere;
f(beta(theta~)) = f(theta~) = f(theta).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("tanh"), (M([[1, 2], [-1, -2], [0, 3]]), M([[2, 1, 0]])),
...           (M([1, -1, 5]), M([0])))
>>> red = reduce_network(net)
>>> [s.op for s in red.steps]
['drop_zero_column', 'merge']
>>> red.reduced.weights[1], red.kept
(Matrix([[1]]), ((0,),))
>>> red.beta(red.reduced).weights[0]
Matrix([
[1, 2],
[0, 0],
[0, 0]])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.activations import Relation
from symeq.errors import InputError
from symeq.exact import MAX_EXP_DENOMINATOR, exact_string, exp_denominator, is_exact_zero
from symeq.architectures.mlp.degenerate import find_degenerate, is_zero_vector
from symeq.architectures.mlp.model import MLP

__all__ = ["Step", "Reduction", "reduce_network", "apply_step", "representable", "not_absorbable"]

#: Upper bound on rewrite steps (each removes a neuron or zeroes one, so widths bound it).
_MAX_STEPS = 10_000


@dataclass(frozen=True)
class Step:
    """One function-preserving rewrite (see the module docstring for each ``op``).

    Indices are 0-based positions in the *current* network at the time of the step; ``layer``
    is the hidden layer i (1-based, as W_i).
    """

    op: str
    layer: int
    neuron: int
    keep: int | None = None
    relation: Relation | None = None
    constant: sympy.Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        """The step in the certificate schema (exact strings)."""
        d: dict[str, Any] = {"op": self.op, "layer": self.layer, "neuron": self.neuron}
        if self.keep is not None:
            d["keep"] = self.keep
        if self.relation is not None:
            d["relation"] = self.relation.as_strings()
        if self.constant is not None:
            d["constant"] = exact_string(self.constant)
        return d


@dataclass(frozen=True)
class Reduction:
    """The result of :func:`reduce_network`.

    ``reduced`` computes the same function as ``original``; ``steps`` rewrite one into the
    other; ``kept[i-1]`` lists, for hidden layer i, the original indices of the neurons that
    survive, in order; ``notes`` say which degenerate neurons could not be removed and why.
    """

    original: MLP
    reduced: MLP
    steps: tuple[Step, ...]
    kept: tuple[tuple[int, ...], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """True when at least one step was applied."""
        return bool(self.steps)

    def embed(self, i: int, k: Any) -> Any:
        """The latent map of beta(theta~) on hidden layer i for the map k of theta~: k on the
        kept neurons (at their original indices), the identity on the zero neurons."""
        from symeq.architectures.mlp.weak import embed_map

        return embed_map(k, self.kept[i - 1], self.original.widths[i])

    def equal_function_evidence(self) -> dict[str, Any]:
        """The certificate's proof that f(theta) = f(beta(theta~))."""
        from symeq.architectures.mlp.weak import equal_function_evidence

        return equal_function_evidence(self)

    def beta(self, theta: MLP) -> MLP:
        """Embed a network of the reduced architecture into the original one: kept neurons
        at their original indices, zero neurons (row, bias and column 0) elsewhere.

        The embedded network computes the same function as ``theta``.
        """
        if theta.widths != self.reduced.widths:
            raise InputError(
                f"beta expects widths {list(self.reduced.widths)}, got {list(theta.widths)}"
            )
        widths = self.original.widths
        weights, biases = [], []
        for i in range(1, self.original.depth + 1):
            rows = self.kept[i - 1] if i < self.original.depth else tuple(range(widths[i]))
            cols = self.kept[i - 2] if i > 1 else tuple(range(widths[0]))
            w = sympy.zeros(widths[i], widths[i - 1])
            b = sympy.zeros(widths[i], 1)
            tw, tb = theta.weights[i - 1], theta.biases[i - 1]
            for r, orig_r in enumerate(rows):
                b[orig_r] = tb[r]
                for c, orig_c in enumerate(cols):
                    w[orig_r, orig_c] = tw[r, c]
            weights.append(ImmutableMatrix(w))
            biases.append(ImmutableMatrix(b))
        return MLP(self.original.activation, tuple(weights), tuple(biases))

    def beta_matrix(self) -> ImmutableMatrix:
        """beta as a 0/1 matrix: flat original parameters = B * flat reduced parameters
        (parameter order of :meth:`MLP.parameters`)."""
        n_red = self.reduced.n_params
        probe = self.reduced.with_parameters([sympy.Symbol(f"_t{k}") for k in range(n_red)])
        image = self.beta(probe).parameters()
        index = {sympy.Symbol(f"_t{k}"): k for k in range(n_red)}
        m = sympy.zeros(len(image), n_red)
        for row, value in enumerate(image):
            if value != 0:
                m[row, index[value]] = 1
        return ImmutableMatrix(m)

    def certificate_evidence(self) -> dict[str, Any]:
        """The ``same_function`` evidence: the steps, replayed by the checker."""
        return {"method": "rewrite_steps", "steps": [s.to_dict() for s in self.steps]}


def representable(x: sympy.Expr) -> bool:
    """True when ``x`` is an exact number of the file grammar (so certificates can state it):
    when :func:`symeq.exact.exact_string` can write it.

    >>> representable(sympy.tanh(sympy.Rational(1, 2))), representable(sympy.tanh(sympy.sqrt(2)))
    (True, False)
    """
    try:
        exact_string(x)
    except (InputError, RecursionError):
        return False
    return True


def not_absorbable(net: Any, s: sympy.Expr) -> str | None:
    """Why the constant ``s`` cannot be moved into a bias, or None: it must be an exact number of
    the file grammar, and beside the network's other numbers a certificate must still be able to
    state it (the limits of :func:`symeq.exact.check_tanh_constants`).  Any network with
    ``parameters()`` (the convolutional reduction asks too)."""
    if not representable(s):
        return "is not an exact number of the file grammar"
    values = [*net.parameters(), sympy.sympify(s)]
    if not values[-1].has(sympy.tanh):
        return None
    if any(v.has(sympy.pi) for v in values):
        return "cannot sit beside pi in one certificate (whether pi and e are algebraically independent is open)"
    n = exp_denominator(values)
    if n is not None and n > MAX_EXP_DENOMINATOR:
        return (f"and the network's other constants tanh(q) would need e^(1/N) with N = {n}, above the limit "
                f"{MAX_EXP_DENOMINATOR} of a certificate")
    return None


def _delete_neuron(net: MLP, i: int, j: int) -> MLP:
    w, b, w_next = net.weights[i - 1], net.biases[i - 1], net.weights[i]
    ws, bs = list(net.weights), list(net.biases)
    ws[i - 1] = _row_del(w, j)
    bs[i - 1] = _row_del(b, j)
    ws[i] = _col_del(w_next, j)
    return MLP(net.activation, tuple(ws), tuple(bs))


def _row_del(m: ImmutableMatrix, j: int) -> ImmutableMatrix:
    rows = [list(m.row(r)) for r in range(m.rows) if r != j]
    return ImmutableMatrix(len(rows), m.cols, [v for r in rows for v in r])


def _col_del(m: ImmutableMatrix, j: int) -> ImmutableMatrix:
    return _row_del(m.T, j).T


def apply_step(net: MLP, step: Step) -> MLP:
    """Apply one rewrite step to ``net`` (no validity checks beyond shapes; the engine only
    emits steps whose conditions it has decided exactly, and the checker re-verifies them).

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> n = MLP(activation("relu"), (M([[1], [2]]), M([[1, 0]])), (M([0, 0]), M([0])))
    >>> apply_step(n, Step("drop_zero_column", 1, 1)).widths
    (1, 1, 1)"""
    i, j = step.layer, step.neuron
    w_next, b_next = net.weights[i], net.biases[i]
    if step.op == "drop_zero_column":
        return _delete_neuron(net, i, j)
    if step.op == "zero_neuron":
        w = sympy.Matrix(net.weights[i - 1])
        b = sympy.Matrix(net.biases[i - 1])
        w[j, :] = sympy.zeros(1, w.cols)
        b[j] = 0
        return net.with_layer(i, w, b)
    if step.op == "absorb_constant":
        assert step.constant is not None
        new_b = (b_next + step.constant * w_next[:, j]).applyfunc(sympy.expand)
        moved = net.with_layer(i + 1, w_next, new_b)
        if net.weights[i - 1].rows > 1:
            return _delete_neuron(moved, i, j)
        w2 = sympy.Matrix(w_next)
        w2[:, j] = sympy.zeros(w2.rows, 1)
        return moved.with_layer(i + 1, w2, new_b)
    if step.op == "merge":
        assert step.keep is not None and step.relation is not None
        k, r = j, step.relation
        w2 = sympy.Matrix(w_next)
        w2[:, step.keep] = (w2[:, step.keep] + r.b * w_next[:, k]).applyfunc(sympy.expand)
        new_b = (b_next + r.e * w_next[:, k]).applyfunc(sympy.expand)
        return _delete_neuron(net.with_layer(i + 1, w2, new_b), i, k)
    raise ValueError(f"unknown step {step.op!r}")


def _next_step(net: MLP, notes: set[str]) -> Step | None:
    for d in find_degenerate(net):
        i, j = d.layer, d.neuron
        width = net.weights[i - 1].rows
        if d.kind == "zero_column":
            if width > 1:
                return Step("drop_zero_column", i, j)
            if not (is_zero_vector(list(net.weights[i - 1][j, :]))
                    and is_exact_zero(net.biases[i - 1][j])):
                return Step("zero_neuron", i, j)
        elif d.kind == "zero_row":
            s = net.activation.value(net.biases[i - 1][j]) if not net.biases[i - 1][j].free_symbols \
                else net.activation.expr(net.biases[i - 1][j])
            why = not_absorbable(net, s)
            if why is None:
                return Step("absorb_constant", i, j, constant=sympy.sympify(s))
            if d.partner is not None:  # a related constant neuron: fold this one into it
                return Step("merge", i, j, keep=d.partner, relation=d.relation)
            notes.add(f"layer {i}: a neuron has a zero incoming row but its constant output {s} {why}; it was kept")
        elif d.kind == "redundant":
            return Step("merge", i, j, keep=d.partner, relation=d.relation)
    return None


def reduce_network(net: MLP) -> Reduction:
    """Reduce ``net`` to a submodel without inactive or redundant neurons (where exactly
    possible), recording every step and the embedding beta.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> from symeq.architectures.mlp.model import MLP
    >>> net = MLP(activation("sigmoid"), (M([[1], [-1]]), M([[3, 5]])), (M([2, -2]), M([0])))
    >>> red = reduce_network(net)
    >>> red.steps[0].relation, red.reduced.weights[1], red.reduced.biases[1]
    (Relation(a=-1, c=0, b=-1, e=1), Matrix([[-2]]), Matrix([[5]]))
    """
    current = net
    kept = [list(range(w)) for w in net.hidden_widths]
    steps: list[Step] = []
    notes: set[str] = set()
    while len(steps) < _MAX_STEPS:
        step = _next_step(current, notes)
        if step is None:
            break
        before = current.weights[step.layer - 1].rows
        current = apply_step(current, step)
        if current.weights[step.layer - 1].rows < before:
            kept[step.layer - 1].pop(step.neuron)
        steps.append(step)
    return Reduction(net, current, tuple(steps), tuple(tuple(k) for k in kept),
                     tuple(sorted(notes)))
