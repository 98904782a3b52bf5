"""The Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) for attention networks.

Forward-mode derivatives, one parameter at a time, through the layers above it: with
Y = Z U (or X + E), S = Y M Y^T, M = W_Q W_K^T and head = A (Y W_V), A = phi(S),

    dY = dZ U + Z dU,  dM = dW_Q W_K^T + W_Q dW_K^T,  dS = dY M Y^T + Y dM Y^T + Y M dY^T,
    dA = dS (lightning),  dA = A o dS - diag((A o dS) 1) A (row softmax),
    d head = dA (Y W_V) + A (dY W_V + Y dW_V),   d readout = dZ W_O + Z dW_O + 1 db^T.

Lightning attention is polynomial, so its Jacobian at rational points is an exact rational
matrix (:func:`exact_jacobian`); softmax needs exp, and :func:`ball_jacobian` encloses every
entry in a python-flint ball (a minor whose determinant ball excludes 0 certifies a rank).

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "normalization": "lightning",
...     "tokens": 2, "widths": [1, 1],
...     "layers": [{"heads": [{"query": [["2"]], "key": [["1"]], "value": [["1"]]}]}],
...     "readout": {"output": [["1"]], "bias": ["0"]}})
>>> J = exact_jacobian(net, [[1, 1]])     # f_t = q k v w x_t (x_0^2 + x_1^2) + b, q = 2
>>> J                                      # d/dq, d/dk, d/dv, d/dw, d/db at x = (1, 1)
[[2, 4, 4, 4, 1], [2, 4, 4, 4, 1]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import random

import sympy
from flint import arb, arb_mat, ctx as flint_ctx
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.evaluate import arb_matrix
from symeq.architectures.attention.numbers import to_dm, zeros

__all__ = ["exact_jacobian", "exact_jacobian_domain", "ball_jacobian", "parameter_slots", "default_inputs",
           "AttentionJacobians"]


def parameter_slots(net: Any) -> list[tuple[str, Any, Any]]:
    """The parameter matrices in the order of ``Attention.parameters``: (name, where, matrix)
    with name in E, embed, q, k, v, W, b and where = None, layer i, or (layer i, head h)."""
    out: list[tuple[str, Any, Any]] = []
    if net.positional is not None:
        out.append(("E", None, net.positional))
    for i, ly in enumerate(net.layers, start=1):
        if ly.embed is not None:
            out.append(("embed", i, ly.embed))
        for h, head in enumerate(ly.heads):
            out.extend((("q", (i, h), head.query), ("k", (i, h), head.key), ("v", (i, h), head.value)))
    out.extend((("W", None, net.readout), ("b", None, net.bias)))
    return out


class _Ops:
    """Matrix operations on one representation: exact DomainMatrix or arb_mat balls."""

    def __init__(self, exact: bool, K: Any = None) -> None:
        self.exact, self.K = exact, K

    def zeros(self, r: int, c: int) -> Any:
        return zeros(r, c, self.K) if self.exact else arb_mat(r, c)

    def unit(self, r: int, c: int, p: int, q: int) -> Any:
        m = self.zeros(r, c)
        m[p, q] = self.K.one if self.exact else arb(1)
        return m

    def T(self, m: Any) -> Any:
        return m.transpose()

    def ones(self, n: int) -> Any:
        if self.exact:
            return DomainMatrix([[self.K.one]] * n, (n, 1), self.K)
        return arb_mat(n, 1, [1] * n)


def _softmax(S: arb_mat) -> arb_mat:
    from symeq.architectures.attention.evaluate import _softmax_rows

    return _softmax_rows(S)


def _dsoftmax(A: arb_mat, dS: arb_mat) -> arb_mat:
    n, m = A.nrows(), A.ncols()
    out = arb_mat(n, m)
    for t in range(n):
        avg = sum((A[t, s] * dS[t, s] for s in range(m)), arb(0))
        for s in range(m):
            out[t, s] = A[t, s] * (dS[t, s] - avg)
    return out


def _shape(m: Any) -> tuple[int, int]:
    return m.shape if isinstance(m, DomainMatrix) else (m.nrows(), m.ncols())


def _jacobian(net: Any, inputs: Sequence[Sequence[Any]], ops: _Ops, P: dict[str, Any]) -> list[list[Any]]:
    """Rows: for each input, f's coordinates row-major; columns: parameters in order."""
    softmax = net.normalization == "softmax"
    L, n = net.depth, net.tokens
    slots = parameter_slots(net)
    rows: list[list[Any]] = []
    for x in inputs:
        X = P["input"](x)
        # the forward pass, keeping every layer's input and head data
        Zs, data = [X], []
        Z = X
        for i in range(1, L):
            embed, heads = P["layers"][i - 1]
            Y = Z + P["E"] if (i == 1 and P["E"] is not None) else (Z if i == 1 else Z * embed)
            hd = []
            for M, V, Q, Kk in heads:
                S = Y * M * ops.T(Y)
                A = _softmax(S) if softmax else S
                hd.append((A, Y * V))
            data.append((Y, hd))
            Z = _hstack(ops, [A * YV for A, YV in hd])
            Zs.append(Z)

        def propagate(i: int, dZ: Any) -> Any:
            """The derivative of f given the derivative dZ of the output of layer i."""
            for j in range(i + 1, L + 1):
                dZ = _layer_jvp(net, ops, P, j, Zs[j - 1], data[j - 1] if j < L else None, dZ, softmax)
            return dZ

        columns: list[Any] = []
        for name, where, m in slots:
            r, c = _shape(P["slot"][(name, where)])
            for p in range(r):
                for q in range(c):
                    E = ops.unit(r, c, p, q)
                    columns.append(_param_jvp(net, ops, P, name, where, E, Zs, data, softmax, propagate))
        for t in range(n):
            for o in range(net.d_out):
                rows.append([col[t, o] for col in columns])
    return rows


def _hstack(ops: Any, blocks: list[Any]) -> Any:
    if ops.exact:
        return DomainMatrix.hstack(*blocks) if len(blocks) > 1 else blocks[0]
    from symeq.architectures.attention.evaluate import _hstack as hs

    return hs(blocks)


def _head_jvp(ops: Any, A: Any, Y: Any, M: Any, V: Any, dY: Any, dM: Any, dV: Any, softmax: bool) -> Any:
    dS = ops.zeros(*_shape(A))
    if dY is not None:
        dS = dS + dY * M * ops.T(Y) + Y * M * ops.T(dY)
    if dM is not None:
        dS = dS + Y * dM * ops.T(Y)
    dA = _dsoftmax(A, dS) if softmax else dS
    inner = ops.zeros(Y.shape[0] if ops.exact else Y.nrows(), _shape(V)[1])
    if dY is not None:
        inner = inner + dY * V
    if dV is not None:
        inner = inner + Y * dV
    return dA * (Y * V) + A * inner


def _layer_jvp(net: Any, ops: Any, P: dict[str, Any], j: int, Z: Any, data: Any, dZ: Any, softmax: bool,
               dparam: tuple[str, Any, Any] | None = None) -> Any:
    """d f_j at input Z along dZ (and a parameter of layer j)."""
    name, where, E = dparam if dparam is not None else (None, None, None)
    if j == net.depth:
        out = dZ * P["W"] if dZ is not None else ops.zeros(net.tokens, net.d_out)
        if name == "W":
            out = out + Z * E
        if name == "b":
            out = out + ops.ones(net.tokens) * E
        return out
    embed, heads = P["layers"][j - 1]
    Y, hd = data
    dY = None
    if dZ is not None:
        dY = dZ if j == 1 else dZ * embed
    if name == "E":
        dY = E if dY is None else dY + E
    if name == "embed" and where == j:
        dY = (Z * E) if dY is None else dY + Z * E
    blocks = []
    for h, ((M, V, Q, Kk), (A, YV)) in enumerate(zip(heads, hd)):
        dM = dV = None
        if where == (j, h):
            if name == "q":
                dM = E * ops.T(Kk)
            elif name == "k":
                dM = Q * ops.T(E)
            elif name == "v":
                dV = E
        if dY is None and dM is None and dV is None:
            blocks.append(ops.zeros(*_shape(YV)))
        else:
            blocks.append(_head_jvp(ops, A, Y, M, V, dY, dM, dV, softmax))
    return _hstack(ops, blocks)


def _param_jvp(net: Any, ops: Any, P: dict[str, Any], name: str, where: Any, E: Any, Zs: list[Any],
               data: list[Any], softmax: bool, propagate: Any) -> Any:
    if name in ("W", "b"):
        return _layer_jvp(net, ops, P, net.depth, Zs[-1], None, None, softmax, (name, where, E))
    j = 1 if name == "E" else (where if name == "embed" else where[0])
    dZ = _layer_jvp(net, ops, P, j, Zs[j - 1], data[j - 1], None, softmax, (name, where, E))
    return propagate(j, dZ)


def _params(net: Any, conv: Any, K: Any, exact: bool) -> dict[str, Any]:
    P: dict[str, Any] = {"E": None if net.positional is None else conv(net.positional),
                         "W": conv(net.readout), "b": conv(net.bias), "layers": [], "slot": {}}
    for i, ly in enumerate(net.layers, start=1):
        P["layers"].append((None if ly.embed is None else conv(ly.embed),
                            [(conv(h.score), conv(h.value), conv(h.query), conv(h.key)) for h in ly.heads]))
    for name, where, m in parameter_slots(net):
        P["slot"][(name, where)] = m
    return P


def exact_jacobian(net: Any, inputs: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The exact Jacobian (entries sympy numbers) of lightning attention at the inputs."""
    if net.normalization != "lightning":
        raise ValueError("exact Jacobians need lightning attention")
    K = net.field
    ops = _Ops(True, K)
    P = _params(net, lambda m: m, K, True)
    P["input"] = lambda x: to_dm(sympy.ImmutableMatrix(net.tokens, net.d_in, [sympy.sympify(v) for v in x]), K)
    rows = _jacobian(net, inputs, ops, P)
    return [[K.to_sympy(x.element if hasattr(x, "element") else x) for x in r] for r in rows]


def exact_jacobian_domain(net: Any, inputs: Sequence[Sequence[Any]]) -> DomainMatrix:
    """The same Jacobian as a DomainMatrix over the network's field (for exact ranks)."""
    K = net.field
    ops = _Ops(True, K)
    P = _params(net, lambda m: m, K, True)
    P["input"] = lambda x: to_dm(sympy.ImmutableMatrix(net.tokens, net.d_in, [sympy.sympify(v) for v in x]), K)
    rows = _jacobian(net, inputs, ops, P)
    return DomainMatrix([[x.element if hasattr(x, "element") else x for x in r] for r in rows],
                        (len(rows), len(rows[0]) if rows else 0), K)


def ball_jacobian(net: Any, inputs: Sequence[Sequence[Any]], prec: int = 128) -> list[list[arb]]:
    """The Jacobian enclosed in balls (any normalization; constant parameters)."""
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        ops = _Ops(False)
        P = _params(net, arb_matrix, None, False)
        from symeq.activations.arb_eval import arb_of_number

        P["input"] = lambda x: arb_mat(net.tokens, net.d_in, [arb_of_number(sympy.sympify(v)) for v in x])
        return _jacobian(net, inputs, ops, P)
    finally:
        flint_ctx.prec = old


# -- the provider of the generic functional dimension -------------------------------------------------


def default_inputs(net: Any, count: int, seed: int = 0) -> list[list[Any]]:
    """Random rational inputs; small for softmax, where large scores saturate the softmax and
    leave Jacobian entries too small to certify in floating-point-guided minors."""
    rng = random.Random(seed)
    den = 1 if net.normalization == "lightning" else 4
    return [[sympy.Rational(rng.randint(-3, 3), den) for _ in range(net.tokens * net.d_in)] for _ in range(count)]



class _Exact:
    """An exact Jacobian as the generic engine reads it: integer rows (each row scaled by its
    common denominator, which keeps rank and kernel) and column scale 1."""

    def __init__(self, rows: list[list[Any]]) -> None:
        import math

        import numpy as np

        ints = []
        for r in rows:
            den = math.lcm(*[int(x.denominator) for x in r]) if r else 1
            ints.append([int(x * den) for x in r])
        self.matrix = np.array(ints, dtype=object).reshape(len(rows), len(rows[0]) if rows else 0)
        self.stuck_neurons: tuple[Any, ...] = ()

    @property
    def scale(self) -> tuple[int, ...]:
        return (1,) * self.matrix.shape[1]


class AttentionJacobians:
    """What :func:`symeq.symmetry.functional_dimension.functional_dimension` needs of an
    attention network: exact Jacobians (lightning attention with rational parameters), ball
    Jacobians, inputs, and the symmetries inside a layer as named, proved directions (the Q-K
    change of basis, the model-feature change of basis, the lightning scaling): they lie in the
    Jacobian's kernel for every input but not in the tangent space of the K-orbit."""

    def __init__(self, net: Any) -> None:
        self.net = net

    def exact_supported(self, inputs: Sequence[Sequence[Any]] | None) -> bool:
        net = self.net
        if net.normalization != "lightning" or not net.field.is_QQ:
            return False
        return inputs is None or all(sympy.sympify(v).is_Rational for x in inputs for v in x)

    def exact(self, xs: Sequence[Sequence[Any]]) -> _Exact:
        J = exact_jacobian_domain(self.net, xs)
        return _Exact(J.to_list())

    def balls(self, xs: Sequence[Sequence[Any]]) -> list[list[arb]]:
        return ball_jacobian(self.net, xs, flint_ctx.prec)

    def sample(self, count: int, seed: int) -> list[tuple]:
        return [tuple(x) for x in default_inputs(self.net, count, seed)]

    sample_balls = sample

    def default_count(self) -> int:
        import math

        net = self.net
        return 2 * math.ceil((net.n_params + 8) / (net.tokens * net.d_out)) + 2

    def candidates(self) -> list[tuple[str, tuple]]:
        return [(f"internal symmetry {k}", v) for k, v in enumerate(self.net.internal_tangents())]

    def stuck_note(self, jac: Any) -> str | None:
        return None

    def annihilated(self, xs: list[tuple], vs: list[tuple]) -> list[bool]:
        if not vs:
            return []
        J = exact_jacobian_domain(self.net, xs)
        K = J.domain
        out = []
        for v in vs:
            col = DomainMatrix([[K.from_sympy(sympy.sympify(x))] for x in v], (len(v), 1), K)
            out.append((J * col).is_zero_matrix)
        return out

    def prove(self, v: tuple) -> str | None:
        """A proof that v leaves f unchanged for every input: it is a combination of the
        internal symmetries (each an identity of layer functions, :mod:`.parameter_symmetries`)."""
        from symeq.architectures.attention.numbers import field_of, rank

        internal = self.net.internal_tangents() + self.net.orbit_tangents()
        if not internal:
            return None
        rows = [list(t) for t in internal]
        K = field_of([x for r in rows + [list(v)] for x in r])
        conv = lambda rs: DomainMatrix([[K.from_sympy(sympy.sympify(x)) for x in r] for r in rs],  # noqa: E731
                                       (len(rs), len(rs[0])), K)
        if rank(conv(rows + [list(v)])) == rank(conv(rows)):
            return ("a combination of the K-orbit tangents and the symmetries inside the layers (Q-K changes "
                    "of basis, model-feature changes of basis, lightning scalings), each of which leaves f unchanged")
        return None
