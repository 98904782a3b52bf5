"""The affine latent group Aff(d) of the identity activation (docs/theory.md section 2).

For K_i = Aff(d_i) the layer equation f_i(.; theta'_i) o k_{i-1} = k_i o f_i(.; theta_i) is
linear: with k_{i-1} = (M, t) and k_i = (A_i, t_i),

    A_i W_i = W'_i M,        t_i = W'_i t + b'_i - A_i b_i.

When W_i has full row rank, A_i = W'_i M W_i^+ is forced (one candidate, or none when it does
not satisfy the equation): :func:`solve_affine_layer`.  Otherwise the solutions form a
continuum, and :func:`construct_continuum` solves one exact linear system for all layers at
once (:func:`affine_system`); its solution space also measures non-uniqueness.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.construction.construct import construct
>>> net = network_from_dict({"activation": "identity", "weights": [[["1", "1"], ["0", "1"]],
...       [["1", "-1"], ["0", "1"]]], "biases": [["0", "0"], ["0", "0"]]})
>>> c = construct(net, catalog_group("C4", 2, 2))
>>> c.method
'layer by layer: A_i = W_i A_{i-1} W_i^+'
>>> c.action("r")[0].matrix()
Matrix([
[1, -2],
[1, -1]])
"""

from __future__ import annotations

import random
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.architectures.mlp.latent_map import LatentMap, simplify_scalar
from symeq.architectures.mlp.linalg import rank, solve_linear_free, solve_right_factor, unknown_blocks
from symeq.architectures.mlp.model import MLP
from symeq.exact import Matrix, is_exact_zero
from symeq.groups import GroupAction
from symeq.architectures.base import LayerFailure, LayerSolutions, NotEnumerable

__all__ = ["solve_affine_layer", "construct_continuum", "affine_stabilizer", "affine_system", "unpack",
           "LAYER_BY_LAYER"]

#: The method name of the forced, layer-by-layer construction.
LAYER_BY_LAYER = "layer by layer: A_i = W_i A_{i-1} W_i^+"


def _full_row_rank(net: MLP, i: int) -> bool:
    cache = net.__dict__.setdefault("_row_rank", {})
    if i not in cache:
        W = net.weights[i - 1]
        cache[i] = rank(W) == W.rows
    return cache[i]


def solve_affine_layer(net: MLP, other: MLP, i: int, k_prev: LatentMap | None) -> LayerSolutions:
    """The forced A_i of layer i (see the module docstring); NotEnumerable when W_i lacks full
    row rank."""
    L = net.depth
    d0 = net.widths[i - 1]
    M = k_prev.matrix() if k_prev is not None else ImmutableMatrix.eye(d0)
    t = k_prev.shift() if k_prev is not None else ImmutableMatrix.zeros(d0, 1)
    Wp, bp = other.weights[i - 1], other.biases[i - 1]
    W, b = net.weights[i - 1], net.biases[i - 1]
    if i == L:
        ok = all(is_exact_zero(x) for x in (Wp * M - W)) and all(is_exact_zero(x) for x in (Wp * t + bp - b))
        if ok:
            return LayerSolutions([LatentMap.identity(net.widths[L], "affine")])
        return LayerSolutions([], True, lambda g: LayerFailure(
            g, L, None, "closure", f"generator {g}: the output layer does not close under the forced "
            "affine actions"))
    if not _full_row_rank(net, i):
        raise NotEnumerable(f"W_{i} does not have full row rank: the affine latent action is not "
                            "forced; decided by the polynomial identity")
    A = solve_right_factor(W, Wp * M)
    if A is None:
        return LayerSolutions([], True, lambda g: LayerFailure(
            g, i, None, "no_match", f"generator {g}, layer {i}: W_{i} k_{i - 1} is not M W_{i} for any M "
            f"(W_{i} has full row rank, so M = W_{i} k_{i - 1} W_{i}^+ is forced)"))
    ti = (Wp * t + bp - A * b).applyfunc(simplify_scalar)
    return LayerSolutions([LatentMap.affine(A, ti)])


def affine_system(net: MLP, rho0: Matrix | None, rhoL: Matrix | None) -> tuple[Matrix, Matrix]:
    """The linear system (A, B) whose solutions u = (A_1, t_1, ..., A_{L-1}, t_{L-1}) (each A_i
    row-major) are the layerwise affine actions for the boundary maps; with rho0 = rhoL = None
    the homogeneous system, whose solutions span the stabilizer's tangent space.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "identity", "weights": [[["1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> affine_system(net, None, None)[0].shape
    (4, 2)
    """
    W, b = net.weights, net.biases
    L = net.depth
    d = net.widths
    shapes = []
    for i in range(1, L):
        shapes += [(d[i], d[i]), (d[i], 1)]
    off = unknown_blocks(shapes)
    n = off[-1]

    def A(i: int, r: int, c: int) -> int:
        return off[2 * (i - 1)] + r * d[i] + c

    def t(i: int, r: int) -> int:
        return off[2 * (i - 1) + 1] + r

    rows: list[dict[int, sympy.Expr]] = []
    rhs: list[sympy.Expr] = []
    zero = sympy.Integer(0)

    def eq(coeffs: dict[int, sympy.Expr], value: sympy.Expr) -> None:
        rows.append(coeffs)
        rhs.append(value)

    R1 = W[0] * rho0 if rho0 is not None else None
    for i in range(1, L):
        Wi, bi = W[i - 1], b[i - 1]
        for r in range(d[i]):
            for c in range(d[i - 1]):
                co: dict[int, sympy.Expr] = {}
                for k in range(d[i]):
                    if Wi[k, c] != 0:
                        co[A(i, r, k)] = co.get(A(i, r, k), zero) + Wi[k, c]
                if i == 1:
                    value = R1[r, c] if R1 is not None else zero
                else:
                    for k in range(d[i - 1]):
                        if Wi[r, k] != 0:
                            co[A(i - 1, k, c)] = co.get(A(i - 1, k, c), zero) - Wi[r, k]
                    value = zero
                eq(co, value)
            co = {t(i, r): sympy.Integer(1)}
            for k in range(d[i]):
                if bi[k] != 0:
                    co[A(i, r, k)] = co.get(A(i, r, k), zero) + bi[k]
            if i > 1:
                for k in range(d[i - 1]):
                    if Wi[r, k] != 0:
                        co[t(i - 1, k)] = co.get(t(i - 1, k), zero) - Wi[r, k]
            eq(co, bi[r] if rho0 is not None else zero)
    WL, bL = W[L - 1], b[L - 1]
    RL = rhoL * WL if rhoL is not None else None
    for r in range(d[L]):
        for c in range(d[L - 1]):
            co = {}
            for k in range(d[L - 1]):
                if WL[r, k] != 0:
                    co[A(L - 1, k, c)] = WL[r, k]
            eq(co, RL[r, c] if RL is not None else zero)
        co = {}
        for k in range(d[L - 1]):
            if WL[r, k] != 0:
                co[t(L - 1, k)] = WL[r, k]
        eq(co, ((rhoL * bL)[r] - bL[r]) if rhoL is not None else zero)
    M = sympy.zeros(len(rows), n)
    for r, co in enumerate(rows):
        for c, v in co.items():
            M[r, c] = v
    return ImmutableMatrix(M), ImmutableMatrix(len(rhs), 1, rhs)


def unpack(net: MLP, u: Matrix) -> tuple[LatentMap, ...]:
    d, k, out = net.widths, 0, []
    for i in range(1, net.depth):
        A = ImmutableMatrix(d[i], d[i], list(u[k: k + d[i] ** 2]))
        k += d[i] ** 2
        t = ImmutableMatrix(d[i], 1, list(u[k: k + d[i]]))
        k += d[i]
        out.append(LatentMap.affine(A, t))
    return tuple(out)


def _identity_vector(net: MLP) -> list[sympy.Expr]:
    """The unknown vector u of the identity maps (A_i = I, t_i = 0)."""
    out: list[sympy.Expr] = []
    for d in net.hidden_widths:
        out += list(ImmutableMatrix.eye(d)) + [sympy.Integer(0)] * d
    return out


def _invertible(maps: tuple[LatentMap, ...]) -> bool:
    return all(not is_exact_zero(sympy.expand(k.matrix().det())) for k in maps)


def construct_continuum(net: MLP, group: GroupAction) -> dict[str, Any]:
    """Latent affine maps for every generator when some W_i lacks full row rank: one exact
    linear system for all layers, whose solution space also measures non-uniqueness.

    Returns the fields of a :class:`~symeq.construction.construct.Construction`: ``method``, ``maps``
    (one tuple per generator, or None), ``failed_generator``, ``reason``, ``unique``,
    ``solution_dimension``.
    """
    maps = []
    null_dim = 0
    rng = random.Random(0)
    for name, rho0, rhoL in group.generators():
        Msys, rhs = affine_system(net, rho0, rhoL)
        particular, null, free = solve_linear_free(Msys, rhs)
        null_dim = len(null)
        if particular is None:
            return dict(method="linear system", maps=None, failed_generator=name,
                        reason=f"generator {name}: the layerwise linear system has no solution",
                        unique=None, solution_dimension=0)
        # free coordinates take the identity's values: the same convention for every generator,
        # so the choices compose like the identity there (often a homomorphism)
        ident = _identity_vector(net)
        u = particular
        for v, f in zip(null, free):
            u = u + (ident[f] - particular[f]) * v
        choice = unpack(net, u.applyfunc(simplify_scalar))
        tries = 0
        while not _invertible(choice):
            tries += 1
            if tries > 20 or not null:
                return dict(method="linear system", maps=None, failed_generator=name,
                            reason=f"generator {name}: every layerwise solution found is singular "
                            "(not in Aff(d))", unique=False, solution_dimension=null_dim)
            u = particular + sum((rng.randint(-3, 3) * v for v in null), ImmutableMatrix.zeros(*particular.shape))
            choice = unpack(net, u.applyfunc(simplify_scalar))
        maps.append(choice)
    return dict(method="linear system", maps=tuple(maps), failed_generator=None, reason="",
                unique=null_dim == 0, solution_dimension=null_dim)


def affine_stabilizer(net: MLP) -> dict[str, Any]:
    """Stab(theta) for the identity activation, as the fields of
    :class:`~symeq.construction.stabilizer.Stabilizer`: trivial when the homogeneous layer system
    A_i W_i = W_i A_{i-1} (A_0 = 0) has only the zero solution, else a Lie group of the
    dimension of its solution space N (identity + small multiples of N stay invertible).

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "identity", "weights": [[["1", "0"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> affine_stabilizer(net)["status"]
    'trivial'
    """
    from symeq.architectures.mlp.linalg import solve_linear

    if net.depth == 1:
        return dict(status="trivial", order=1, elements=((),), criterion="no hidden layer")
    eye = tuple(LatentMap.identity(d, "affine") for d in net.hidden_widths)
    if all(_full_row_rank(net, i) for i in range(1, net.depth)):
        return dict(status="trivial", order=1, elements=(eye,), criterion=(
            "every hidden W_i has full row rank, so the homogeneous equations A_i W_i = W_i A_{i-1} "
            "(A_0 = 0) force A_i = 0, t_i = 0"))
    H, rhs = affine_system(net, None, None)
    _, null = solve_linear(H, rhs)
    if not null:
        return dict(status="trivial", order=1, elements=(eye,),
                    criterion="the homogeneous layer system has only the zero solution")
    return dict(status="infinite", order=None, elements=(), dimension=len(null),
                tangent=tuple(unpack(net, v) for v in null),
                reason=(f"the homogeneous layer equations have a {len(null)}-dimensional solution space N; "
                        "identity + small multiples of N stay invertible and fix theta"))


