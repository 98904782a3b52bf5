"""The theorem's construction (THEORY.md section 5): theta^g, and k(g) layer by layer.

For each generator g of G:

1. theta^g = ((W_1 rho_0(g), b_1), theta_2, ..., (rho_L(g)^{-1} W_L, rho_L(g)^{-1} b_L)); when f
   is equivariant, f( . ; theta^g) = f( . ; theta) (the adjunction, section 4).
2. k(g) in K with f_i( . ; theta^g_i) = k_i(g) o f_i( . ; theta_i) o k_{i-1}(g)^{-1}, read layer by
   layer: f_1(rho_0(g) x) = k_1(g) f_1(x), f_i(k_{i-1}(g) y) = k_i(g) f_i(y), and the last layer
   f_L(k_{L-1}(g) y) = rho_L(g) f_L(y).

For monomial latent groups (every activation but the identity) step 2 is neuron matching
(:mod:`symeq.latent.solve`, exhaustive, so "no solution" is a proof that no layerwise action
exists at theta).  For the identity activation K_i = Aff(d_i) and step 2 is linear algebra:
when W_i has full row rank, k_i(g) = (A_i, t_i) with A_i = W_i A_{i-1} W_i^+ (for i = 1:
rho_1(g) = W_1 rho_0(g) W_1^+) and t_i = W_i t_{i-1} + b_i - A_i b_i; otherwise one exact linear
system for all layers at once, whose solution space also measures non-uniqueness.

>>> from symeq.models.io import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "identity", "weights": [[["1", "1"], ["0", "1"]],
...       [["1", "-1"], ["0", "1"]]], "biases": [["0", "0"], ["0", "0"]]})
>>> c = construct(net, catalog_group("C4", 2, 2))
>>> c.method
'layer by layer: A_i = W_i A_{i-1} W_i^+'
>>> c.actions.generator("r")[0].matrix()
Matrix([
[1, -2],
[1, -1]])
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.errors import InputError
from symeq.exact import Matrix, is_exact_zero
from symeq.groups import GroupAction
from symeq.latent.action import LatentMap, simplify_scalar
from symeq.latent.linalg import rank, solve_linear_free, solve_right_factor, unknown_blocks
from symeq.latent.solve import Budget, Matcher, Solution
from symeq.models.mlp import MLP

__all__ = ["LatentActions", "Construction", "construct", "theta_g", "latent_kind", "affine_system"]


def latent_kind(net: MLP) -> str:
    """``affine`` for the identity activation, else ``monomial`` (the map format)."""
    return "affine" if net.activation.kind == "affine" else "monomial"


@dataclass(frozen=True)
class LatentActions:
    """rho_i(g) for every named generator g and hidden layer i = 1..L-1.

    ``maps[k][i - 1]`` is rho_i(g_k) for the generator ``names[k]``.
    """

    names: tuple[str, ...]
    maps: tuple[tuple[LatentMap, ...], ...]

    def generator(self, name: str) -> tuple[LatentMap, ...]:
        """(rho_1(g), ..., rho_{L-1}(g)) for the generator called ``name``."""
        try:
            return self.maps[self.names.index(name)]
        except ValueError:
            raise InputError(f"unknown generator {name!r}") from None

    def layer(self, i: int) -> dict[str, LatentMap]:
        """{generator: rho_i(generator)} for hidden layer i (1-based)."""
        return {n: m[i - 1] for n, m in zip(self.names, self.maps)}

    @property
    def hidden_layers(self) -> int:
        """L - 1."""
        return len(self.maps[0]) if self.maps else 0

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The ``actions`` object of the certificate's layerwise evidence."""
        return {n: [k.to_dict() for k in m] for n, m in zip(self.names, self.maps)}

    @staticmethod
    def from_dict(d: object, names: tuple[str, ...], hidden_widths: tuple[int, ...]) -> "LatentActions":
        """Read the ``actions`` object back, checking generators and widths."""
        if not isinstance(d, dict) or set(d) != set(names):
            raise InputError(f"actions must name exactly the generators {', '.join(names)}")
        maps = []
        for n in names:
            layers = d[n]
            if not isinstance(layers, list) or len(layers) != len(hidden_widths):
                raise InputError(f"generator {n}: expected {len(hidden_widths)} latent maps")
            maps.append(tuple(LatentMap.from_dict(x, w) for x, w in zip(layers, hidden_widths)))
        return LatentActions(names, tuple(maps))


@dataclass(frozen=True)
class Construction:
    """The result of step 2 for every generator.

    ``actions`` is None when some generator has no layerwise action at theta; then
    ``failed_generator`` names it and ``reason`` says where the matching broke.  ``unique`` is
    True / False / None (undecided here; see :mod:`symeq.latent.stabilizer`), and
    ``solution_dimension`` the dimension of the solution space for the affine kind.
    """

    network: MLP
    group: GroupAction
    kind: str
    method: str
    actions: LatentActions | None
    failed_generator: str | None = None
    reason: str = ""
    unique: bool | None = None
    solution_dimension: int = 0
    free_scales: tuple[tuple[int, int], ...] = ()


def theta_g(net: MLP, group: GroupAction, name: str) -> MLP:
    """theta^g: the first layer sees rho_0(g), the last layer is pulled back by rho_L(g)^{-1}.

    >>> from symeq.models.io import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"]], [["3"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> theta_g(net, catalog_group("S2", 2, 1, output="trivial"), "t").weights[0]
    Matrix([[2, 1]])
    """
    rho0, rhoL = group.generator(name)
    out = net.with_layer(1, (net.weights[0] * rho0).applyfunc(simplify_scalar), net.biases[0])
    inv = rhoL.inv()
    L = net.depth
    return out.with_layer(L, (inv * out.weights[L - 1]).applyfunc(simplify_scalar),
                          (inv * out.biases[L - 1]).applyfunc(simplify_scalar))


# -- monomial kinds -------------------------------------------------------------------------
def _from_matching(k: Any) -> LatentMap:
    """helper: an action of :mod:`symeq.equivariance.matching` as a LatentMap."""
    if k.kind == "monomial":
        return LatentMap("monomial", len(k.perm), tuple(k.perm), tuple(k.relations))
    return LatentMap.affine(k.matrix(), k.shift())


def _construct_monomial(net: MLP, group: GroupAction, budget: Budget) -> Construction:
    # First the shared neuron matching of `symeq check`; when it cannot settle the question
    # (duplicate neurons beyond its budget, unsupported numbers) the exhaustive search here.
    from symeq.equivariance.matching import match_layerwise

    m = match_layerwise(net, group)
    if m.found:
        assert m.actions is not None
        maps = tuple(tuple(_from_matching(k) for k in acts) for acts in m.actions)
        return Construction(net, group, "monomial", "neuron matching",
                            LatentActions(tuple(m.generators), maps))
    if m.failure is not None and m.failure.definitive:
        return Construction(net, group, "monomial", "neuron matching", None,
                            m.failure.generator, m.failure.message)
    matcher = Matcher(net)
    maps, frees = [], set()
    for name, rho0, rhoL in group.generators():
        sol: Solution | None = next(matcher.solutions(rho0, rhoL, budget), None)
        if sol is None:
            return Construction(net, group, "monomial", "exhaustive neuron matching", None, name,
                                _monomial_failure(matcher, rho0, rhoL, name))
        maps.append(sol.maps)
        frees.update(sol.free_scales)
    return Construction(net, group, "monomial", "exhaustive neuron matching",
                        LatentActions(group.names, tuple(maps)), free_scales=tuple(sorted(frees)))


def _monomial_failure(matcher: Matcher, rho0: Matrix, rhoL: Matrix, name: str) -> str:
    """Where the exhaustive matching first breaks, in words."""
    net = matcher.net
    L = net.depth
    prev: Any = rho0
    for i in range(1, L):
        target = matcher.rows[i - 1].right(prev)
        k = next((k for k, _ in matcher.layer_maps(i, target, Budget())), None)
        if k is None:
            what = "W_1 rho_0(g)" if i == 1 else f"W_{i} k_{i - 1}(g)"
            return (f"generator {name}: no neuron matching in layer {i}: some row of ({what}, "
                    f"bias) is not the image of a row of (W_{i}, b_{i}) under a relation of "
                    f"{net.activation.spec}")
        prev = k
    return (f"generator {name}: the neurons match in every hidden layer, but no choice closes "
            f"the last layer: W_{L} k_{L - 1}(g) != rho_L(g) W_{L} for every matching")


# -- the affine kind (identity activation) -------------------------------------------------
def affine_system(net: MLP, rho0: Matrix | None, rhoL: Matrix | None) -> tuple[Matrix, Matrix]:
    """The linear system (A, B) whose solutions u = (A_1, t_1, ..., A_{L-1}, t_{L-1}) (each A_i
    row-major) are the layerwise affine actions for the boundary maps; with rho0 = rhoL = None
    the homogeneous system, whose solutions span the stabilizer's tangent space.

    >>> from symeq.models.io import network_from_dict
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


def _unpack(net: MLP, u: Matrix) -> tuple[LatentMap, ...]:
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


def _layer_by_layer(net: MLP, rho0: Matrix, rhoL: Matrix) -> tuple[LatentMap, ...] | None | str:
    """Full-row-rank path; "rank" when some W_i (i < L) lacks full row rank."""
    L = net.depth
    A, t = rho0, ImmutableMatrix.zeros(rho0.rows, 1)
    out = []
    for i in range(1, L):
        Wi, bi = net.weights[i - 1], net.biases[i - 1]
        if rank(Wi) != Wi.rows:
            return "rank"
        Ai = solve_right_factor(Wi, Wi * A)
        if Ai is None:
            return None
        ti = (Wi * t + bi - Ai * bi).applyfunc(simplify_scalar)
        out.append(LatentMap.affine(Ai, ti))
        A, t = Ai, ti
    WL, bL = net.weights[L - 1], net.biases[L - 1]
    ok = all(is_exact_zero(x) for x in (WL * A - rhoL * WL)) and all(
        is_exact_zero(x) for x in (WL * t + bL - rhoL * bL))
    return tuple(out) if ok else None


def _construct_affine(net: MLP, group: GroupAction) -> Construction:
    if net.depth == 1:
        return _construct_monomial_free_depth1(net, group)
    maps = []
    fast = True
    for name, rho0, rhoL in group.generators():
        got = _layer_by_layer(net, rho0, rhoL)
        if got == "rank":
            fast = False
            break
        if got is None:
            return Construction(net, group, "affine", "layer by layer: A_i = W_i A_{i-1} W_i^+", None,
                                name, f"generator {name}: the layer equations A_i W_i = W_i A_{{i-1}} "
                                "or the last layer W_L A_{L-1} = rho_L(g) W_L have no solution")
        maps.append(got)
    if fast:
        return Construction(net, group, "affine", "layer by layer: A_i = W_i A_{i-1} W_i^+",
                            LatentActions(group.names, tuple(maps)), unique=True)
    # some W_i lacks full row rank: one exact system for all layers
    H, _ = affine_system(net, None, None)
    maps = []
    null_dim = 0
    rng = random.Random(0)
    for name, rho0, rhoL in group.generators():
        Msys, rhs = affine_system(net, rho0, rhoL)
        particular, null, free = solve_linear_free(Msys, rhs)
        null_dim = len(null)
        if particular is None:
            return Construction(net, group, "affine", "linear system", None, name,
                                f"generator {name}: the layerwise linear system has no solution",
                                unique=None, solution_dimension=0)
        # free coordinates take the identity's values: the same convention for every generator,
        # so the choices compose like the identity there (often a homomorphism)
        ident = _identity_vector(net)
        u = particular
        for v, f in zip(null, free):
            u = u + (ident[f] - particular[f]) * v
        choice = _unpack(net, u.applyfunc(simplify_scalar))
        tries = 0
        while not _invertible(choice):
            tries += 1
            if tries > 20 or not null:
                return Construction(net, group, "affine", "linear system", None, name,
                                    f"generator {name}: every layerwise solution found is singular "
                                    "(not in Aff(d))", unique=False, solution_dimension=null_dim)
            u = particular + sum((rng.randint(-3, 3) * v for v in null), ImmutableMatrix.zeros(*particular.shape))
            choice = _unpack(net, u.applyfunc(simplify_scalar))
        maps.append(choice)
    return Construction(net, group, "affine", "linear system", LatentActions(group.names, tuple(maps)),
                        unique=null_dim == 0, solution_dimension=null_dim)


def _construct_monomial_free_depth1(net: MLP, group: GroupAction) -> Construction:
    # L = 1: no hidden layer, so a layerwise action is the empty tuple if the layer commutes
    for name, rho0, rhoL in group.generators():
        W, b = net.weights[0], net.biases[0]
        if not (all(is_exact_zero(x) for x in W * rho0 - rhoL * W)
                and all(is_exact_zero(x) for x in b - rhoL * b)):
            return Construction(net, group, latent_kind(net), "single layer", None, name,
                                f"generator {name}: W rho_0(g) != rho_L(g) W or b != rho_L(g) b")
    return Construction(net, group, latent_kind(net), "single layer",
                        LatentActions(group.names, tuple(() for _ in group.names)), unique=True)


def construct(net: MLP, group: GroupAction, budget: int = 20_000) -> Construction:
    """Step 2 of the construction for every generator: one latent action per generator and
    hidden layer, or the reason none exists at theta.

    The search is exhaustive within ``budget`` matching steps (BudgetExceeded beyond).
    """
    if (net.widths[0], net.widths[-1]) != (group.input_dim, group.output_dim):
        raise InputError(f"the group acts on R^{group.input_dim} -> R^{group.output_dim}, the "
                         f"network maps R^{net.widths[0]} -> R^{net.widths[-1]}")
    if latent_kind(net) == "affine":
        return _construct_affine(net, group)
    if net.depth == 1:
        return _construct_monomial_free_depth1(net, group)
    return _construct_monomial(net, group, Budget(budget))
