"""Hypothesis strategies: random networks that are layerwise equivariant by construction.

Reusable by every test module.  The construction follows docs/theory.md sections 2 and 5 directly
and shares no code with the engine:

1. A group G acts on inputs and outputs by signed permutation matrices (catalog groups such as
   ``C4``, ``D4``, ``C3:shift``, ``S3``, ``sign``, ``hmirror:2x2``; output ``same`` or
   ``trivial``).
2. Each hidden layer gets a random *signed G-set*: a direct sum of blocks, each the input action,
   the left regular action of G, or a 1-dimensional character, twisted by a random character
   G -> {+-1} when the activation has a sign relation.  A block is a homomorphism G -> B_d.
3. Weights commute with the actions: W[pi_out r, pi_in c] = s_out(r) s_in(c) W[r, c] for every
   generator.  The index pairs (r, c) fall into orbits; each orbit gets one random integer
   (a free parameter) or a symbol, and an orbit that meets itself with sign -1 is forced to 0.
   Biases likewise: b[pi r] = s(r) b[r].
4. The sign of a hidden neuron acts on pre-activations; on the neuron's output it acts by the
   activation's relation b(a) (tanh: b = a; z^2: b = 1; z^3: b = a; ...).  Activations without
   a sign relation (relu, gelu, softplus, swish, poly without parity) get unsigned G-sets.
5. Parameter symmetries then hide the structure without changing the function: positive
   rescaling of neurons (relu, leaky_relu), nonzero rescaling (power), the shift
   sin(-z + pi) = sin(z) (sin), and the conversion tanh(z) = 2 sigmoid(2 z) - 1 (sigmoid, whose
   latent actions become genuinely affine).

Public helpers: :func:`equivariant_networks` (the strategy), :func:`build_equivariant`
(the same construction from a ``random.Random``, for benchmarks), :func:`perturbations`
(a strategy for one perturbed weight), :func:`certified_defect` (an independent proof, exact or
by python-flint balls, that a network is not equivariant at a point), and the group helpers
:func:`signed_perm`, :func:`regular_action`, :func:`characters`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import sympy
from flint import arb, ctx, fmpq
from hypothesis import strategies as st
from sympy import ImmutableMatrix, Integer, Rational

from symeq.activations import activation as make_activation
from symeq.groups import GroupAction, catalog_group
from symeq.architectures.mlp.model import MLP

__all__ = [
    "SignedAction",
    "EquivariantCase",
    "GROUPS",
    "SIGN_RELATION",
    "signed_perm",
    "regular_action",
    "characters",
    "solve_equivariant",
    "build_equivariant",
    "equivariant_networks",
    "perturb",
    "perturbations",
    "certified_defect",
    "find_certified_defect",
]

#: (catalog name, input dimension): catalog groups acting by signed permutations.
GROUPS: tuple[tuple[str, int], ...] = (
    ("C4", 2), ("D4", 2), ("C2", 2), ("C3:shift", 3), ("D3:shift", 3), ("S3", 3), ("S2", 2),
    ("sign", 2), ("sign", 3), ("hmirror:2x2", 4), ("vmirror:1x3", 3), ("C4:shift", 4),
)

# A generator's action on a G-set: (perm, signs) with M e_j = signs[j] e_{perm[j]}.
SignedPerm = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class SignedAction:
    """A homomorphism G -> B_d, given on the generators (in the group's generator order)."""

    dim: int
    gens: tuple[SignedPerm, ...]

    def twisted(self, chi: Sequence[int]) -> "SignedAction":
        """The action times a character (chi[n] = +-1 on generator n)."""
        return SignedAction(self.dim, tuple((p, tuple(s * c for s in signs))
                                            for (p, signs), c in zip(self.gens, chi)))

    def unsigned(self) -> "SignedAction":
        return SignedAction(self.dim, tuple((p, (1,) * len(p)) for p, _ in self.gens))

    def __add__(self, other: "SignedAction") -> "SignedAction":
        gens = []
        for (p, s), (q, t) in zip(self.gens, other.gens):
            gens.append((p + tuple(x + self.dim for x in q), s + t))
        return SignedAction(self.dim + other.dim, tuple(gens))

    def matrix(self, n: int) -> ImmutableMatrix:
        p, s = self.gens[n]
        m = sympy.zeros(self.dim, self.dim)
        for j, (pj, sj) in enumerate(zip(p, s)):
            m[pj, j] = sj
        return ImmutableMatrix(m)


@dataclass(frozen=True)
class EquivariantCase:
    """A network built layerwise equivariant under ``group``, with the construction's data."""

    net: MLP
    group: GroupAction
    hidden: tuple[SignedAction, ...]
    description: str


def signed_perm(m: ImmutableMatrix) -> SignedPerm | None:
    """(perm, signs) of a signed permutation matrix, or None."""
    perm, signs = [], []
    for j in range(m.cols):
        nz = [(i, m[i, j]) for i in range(m.rows) if m[i, j] != 0]
        if len(nz) != 1 or nz[0][1] not in (1, -1):
            return None
        perm.append(nz[0][0])
        signs.append(int(nz[0][1]))
    return tuple(perm), tuple(signs)


def input_action(group: GroupAction, side: str = "input") -> SignedAction:
    mats = group.inputs if side == "input" else group.outputs
    gens = tuple(signed_perm(m) for m in mats)
    if any(g is None for g in gens):
        raise ValueError("the group does not act by signed permutations")
    return SignedAction(mats[0].rows, gens)  # type: ignore[arg-type]


def regular_action(group: GroupAction) -> SignedAction:
    """G acting on itself by left multiplication (a permutation action of degree |G|)."""
    elements = group.elements()
    gens = []
    for a, b in zip(group.inputs, group.outputs):
        perm = tuple(group.index((a * x, b * y)) for x, y in elements)
        gens.append((perm, (1,) * len(elements)))
    return SignedAction(len(elements), tuple(gens))


def characters(group: GroupAction) -> list[tuple[int, ...]]:
    """Every homomorphism G -> {+1, -1}, as its values on the generators."""
    elements = group.elements()
    out = []
    for chi in _sign_tuples(len(group.names)):
        value = {0: 1}
        ok = True
        queue = [0]
        while queue and ok:
            h = queue.pop()
            x, y = elements[h]
            for n, (a, b) in enumerate(zip(group.inputs, group.outputs)):
                k = group.index((a * x, b * y))
                v = chi[n] * value[h]
                if k not in value:
                    value[k] = v
                    queue.append(k)
                elif value[k] != v:
                    ok = False
                    break
        if ok:
            out.append(chi)
    return out


def _sign_tuples(n: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = [()]
    for _ in range(n):
        out = [t + (s,) for t in out for s in (1, -1)]
    return out


def solve_equivariant(rows: SignedAction, cols: SignedAction, value: Callable[[], Any]) -> list[list[Any]]:
    """A random W with W M_cols(g) = M_rows(g) W for every generator (orbit constraints).

    ``value()`` draws the free parameter of one orbit (a number or a symbol).
    """
    w: list[list[Any]] = [[None] * cols.dim for _ in range(rows.dim)]
    sign: dict[tuple[int, int], int] = {}
    for r0 in range(rows.dim):
        for c0 in range(cols.dim):
            if (r0, c0) in sign:
                continue
            orbit = {(r0, c0): 1}
            queue = [(r0, c0)]
            zero = False
            while queue:
                r, c = queue.pop()
                for (pr, sr), (pc, sc) in zip(rows.gens, cols.gens):
                    nxt, s = (pr[r], pc[c]), orbit[(r, c)] * sr[r] * sc[c]
                    if nxt not in orbit:
                        orbit[nxt] = s
                        queue.append(nxt)
                    elif orbit[nxt] != s:
                        zero = True
            v = Integer(0) if zero else value()
            for (r, c), s in orbit.items():
                sign[(r, c)] = s
                w[r][c] = s * v
    return w


def _vector_orbits(action: SignedAction, value: Callable[[], Any]) -> list[Any]:
    one = SignedAction(1, tuple(((0,), (1,)) for _ in action.gens))
    return [row[0] for row in solve_equivariant(action, one, value)]


#: The output sign b(a) of a neuron whose pre-activation is negated (a = -1), per activation;
#: None when the activation has no such relation.
SIGN_RELATION: dict[str, int | None] = {
    "identity": -1, "tanh": -1, "sigmoid": -1, "sin": -1, "relu": None, "leaky_relu": None,
    "gelu": None, "softplus": None, "swish": None,
}


def _output_sign(spec: str) -> int | None:
    act = make_activation(spec)
    if act.name in SIGN_RELATION:
        return SIGN_RELATION[act.name]
    if act.name == "power":
        return -1 if int(spec.split(":")[1]) % 2 else 1
    r = act.relation_for(Integer(-1), Integer(0))
    return None if r is None else int(r.b)


def _post_action(pre: SignedAction, b_of_minus: int) -> SignedAction:
    """The action on neuron outputs induced by the action on pre-activations."""
    gens = []
    for p, s in pre.gens:
        gens.append((p, tuple(1 if x == 1 else b_of_minus for x in s)))
    return SignedAction(pre.dim, tuple(gens))


def build_equivariant(
    rng: random.Random,
    spec: str,
    group_name: str,
    d_in: int,
    *,
    output: str = "same",
    hidden_blocks: Sequence[Sequence[str]] = (("input",),),
    weight_range: int = 3,
    symbols: int = 0,
    symmetries: bool = True,
) -> EquivariantCase:
    """Build a layerwise-equivariant MLP from a ``random.Random`` (deterministic by seed).

    ``hidden_blocks[i]`` lists the blocks of hidden layer i+1: ``"input"`` (the input action),
    ``"regular"``, ``"trivial"``, ``"char"`` (a random character); the activation decides
    whether random sign twists are allowed.  ``symbols``: how many orbit parameters become
    symbols ``s0, s1, ...`` (a symbolic family).
    """
    group = catalog_group(group_name, d_in, d_in if output == "same" else 1, output)
    act = make_activation(spec)
    minus = _output_sign(spec)
    signed = minus is not None
    gin, gout = input_action(group), input_action(group, "output")
    if not signed and any(s == -1 for _, signs in gin.gens + gout.gens for s in signs):
        raise ValueError(f"{spec} has no sign relation: the group must act by permutations")
    chars = characters(group) if signed else [(1,) * len(group.names)]
    trivial = SignedAction(1, tuple(((0,), (1,)) for _ in group.names))
    pending_symbols = [f"s{n}" for n in range(symbols)]

    def value() -> Any:
        if pending_symbols and rng.random() < 0.5:
            return sympy.Symbol(pending_symbols.pop(0), real=True)
        v = 0
        while v == 0:
            v = rng.randint(-weight_range, weight_range)
        return Integer(v)

    pre_actions: list[SignedAction] = []
    for blocks in hidden_blocks:
        layer: SignedAction | None = None
        for kind in blocks:
            if kind == "input":
                blk = gin.twisted(rng.choice(chars)) if rng.random() < 0.5 else gin
            elif kind == "regular":
                blk = regular_action(group)
                blk = blk.twisted(rng.choice(chars)) if rng.random() < 0.5 else blk
            elif kind == "trivial":
                blk = trivial
            elif kind == "char":
                blk = trivial.twisted(rng.choice(chars))
            else:
                raise ValueError(f"unknown block {kind!r}")
            layer = blk if layer is None else layer + blk
        if layer is None:
            raise ValueError("a hidden layer needs at least one block")
        pre_actions.append(layer)
    weights, biases = [], []
    prev = gin
    for pre in pre_actions:
        weights.append(solve_equivariant(pre, prev, value))
        biases.append(_vector_orbits(pre, value))
        prev = _post_action(pre, minus) if signed else pre
    weights.append(solve_equivariant(gout, prev, value))
    biases.append(_vector_orbits(gout, value))
    ws = [ImmutableMatrix(w) for w in weights]
    bs = [ImmutableMatrix(len(b), 1, b) for b in biases]
    if symmetries and len(ws) > 1:
        ws, bs = _hide(rng, act.name, spec, ws, bs)
    if act.name == "sigmoid":
        ws, bs = _tanh_to_sigmoid(ws, bs)
    net = MLP(act, tuple(ws), tuple(bs))
    desc = (f"{spec} MLP {'-'.join(map(str, net.widths))} under {group_name}/{output}, hidden "
            f"blocks {[list(b) for b in hidden_blocks]}")
    return EquivariantCase(net, group, tuple(pre_actions), desc)


def _hide(rng: random.Random, name: str, spec: str, ws: list[ImmutableMatrix],
          bs: list[ImmutableMatrix]) -> tuple[list[ImmutableMatrix], list[ImmutableMatrix]]:
    """Apply random parameter symmetries of the activation (the function is unchanged)."""
    ws = [sympy.Matrix(w) for w in ws]
    bs = [sympy.Matrix(b) for b in bs]
    for i in range(len(ws) - 1):
        order = list(range(ws[i].rows))  # relabel the neurons of hidden layer i + 1
        rng.shuffle(order)
        ws[i], bs[i] = ws[i].extract(order, list(range(ws[i].cols))), bs[i].extract(order, [0])
        ws[i + 1] = ws[i + 1].extract(list(range(ws[i + 1].rows)), order)
        for j in range(ws[i].rows):
            if all(v == 0 for v in ws[i][j, :]) and bs[i][j] == 0:
                # a constant neuron: rescaling it would hide it from the engine's matching, which
                # tries only the scales +-1 on constant rows (a documented limitation)
                continue
            if name in ("relu", "leaky_relu") and rng.random() < 0.5:
                lam = rng.choice((Rational(1, 2), Integer(2), Integer(3)))
                ws[i][j, :], bs[i][j] = ws[i][j, :] * lam, bs[i][j] * lam
                ws[i + 1][:, j] = ws[i + 1][:, j] / lam
            elif name == "power" and rng.random() < 0.5:
                m = int(spec.split(":")[1])
                lam = rng.choice((Rational(1, 2), Integer(2), Integer(-1), Integer(-2)))
                ws[i][j, :], bs[i][j] = ws[i][j, :] * lam, bs[i][j] * lam
                ws[i + 1][:, j] = ws[i + 1][:, j] / lam**m
            elif name == "sin" and rng.random() < 0.4:
                # sin(-z + pi) = sin(z): negate the row, shift the bias by pi.
                ws[i][j, :], bs[i][j] = -ws[i][j, :], -bs[i][j] + sympy.pi
    return [ImmutableMatrix(w) for w in ws], [ImmutableMatrix(b) for b in bs]


def _tanh_to_sigmoid(ws: list[ImmutableMatrix], bs: list[ImmutableMatrix]) -> tuple[list[ImmutableMatrix], list[ImmutableMatrix]]:
    """The sigmoid network computing the same function: tanh(z) = 2 sigmoid(2 z) - 1."""
    n = len(ws)
    if n == 1:
        return ws, bs
    out_w, out_b = [], []
    for i, (w, b) in enumerate(zip(ws, bs), start=1):
        ones = ImmutableMatrix.ones(w.cols, 1)
        if i == 1:
            out_w.append(2 * w)
            out_b.append(2 * b)
        elif i < n:
            out_w.append(4 * w)
            out_b.append(2 * (b - w * ones))
        else:
            out_w.append(2 * w)
            out_b.append(b - w * ones)
    return [ImmutableMatrix(w).applyfunc(sympy.expand) for w in out_w], [ImmutableMatrix(b).applyfunc(sympy.expand) for b in out_b]


_BLOCKS = ("input", "regular", "trivial", "char")


@st.composite
def equivariant_networks(draw: Any, spec: str | None = None, *, symbolic: bool = False,
                         max_depth: int = 3, max_blocks: int = 2,
                         groups: Sequence[tuple[str, int]] = GROUPS) -> EquivariantCase:
    """A random layerwise-equivariant network (see the module docstring).

    ``spec``: the activation (default: any catalog activation); ``symbolic``: make some
    parameters symbols (a family equivariant for every value of them).
    """
    from symeq.activations import CATALOG

    spec = spec or draw(st.sampled_from(CATALOG))
    signed = _output_sign(spec) is not None
    usable = [g for g in groups if signed or _permutation_group(*g)]
    group_name, d_in = draw(st.sampled_from(usable))
    output = draw(st.sampled_from(("same", "same", "trivial")))
    depth = draw(st.integers(1, max_depth))
    blocks = []
    for _ in range(depth - 1):
        n = draw(st.integers(1, max_blocks))
        kinds = draw(st.lists(st.sampled_from(_BLOCKS), min_size=n, max_size=n))
        if group_name in ("S3", "D3:shift", "C4:shift") and "regular" in kinds:
            kinds = ["input" if k == "regular" else k for k in kinds]  # keep widths small
        blocks.append(tuple(kinds))
    seed = draw(st.integers(0, 2**32 - 1))
    return build_equivariant(random.Random(seed), spec, group_name, d_in, output=output,
                             hidden_blocks=blocks, symbols=2 if symbolic else 0)


def _permutation_group(name: str, d: int) -> bool:
    G = catalog_group(name, d, d)
    return all(signed_perm(m) is not None and all(s == 1 for s in signed_perm(m)[1]) for m in G.inputs)


# -- perturbations and an independent proof of non-equivariance -------------------------------


def perturb(net: MLP, layer: int, row: int, col: int, delta: sympy.Expr) -> MLP:
    """The network with W_layer[row, col] increased by delta (col = d_{layer-1}: the bias)."""
    w, b = sympy.Matrix(net.weights[layer - 1]), sympy.Matrix(net.biases[layer - 1])
    if col == w.cols:
        b[row] += delta
    else:
        w[row, col] += delta
    return net.with_layer(layer, ImmutableMatrix(w), ImmutableMatrix(b))


@st.composite
def perturbations(draw: Any, net: MLP) -> tuple[MLP, tuple[int, int, int, sympy.Expr]]:
    """One random weight or bias of one random layer changed by a nonzero small integer."""
    layer = draw(st.integers(1, net.depth))
    w = net.weights[layer - 1]
    row = draw(st.integers(0, w.rows - 1))
    col = draw(st.integers(0, w.cols))
    delta = Integer(draw(st.sampled_from((-2, -1, 1, 2, 3))))
    return perturb(net, layer, row, col, delta), (layer, row, col, delta)


_ARB = {
    "tanh": lambda z: z.tanh(),
    "sigmoid": lambda z: 1 / (1 + (-z).exp()),
    "gelu": lambda z: z * (1 + (z / arb(2).sqrt()).erf()) / 2,
    "softplus": lambda z: z.exp().log1p(),
    "swish": lambda z: z / (1 + (-z).exp()),
    "sin": lambda z: z.sin(),
}


def _ball(x: sympy.Expr) -> arb:
    """A rigorous ball around an exact constant built from rationals, radicals and pi."""
    if x.is_Rational:
        return arb(fmpq(int(x.p), int(x.q)))
    if x is sympy.pi:
        return arb.pi()
    if isinstance(x, sympy.Add):
        return sum((_ball(t) for t in x.args), arb(0))
    if isinstance(x, sympy.Mul):
        out = arb(1)
        for t in x.args:
            out *= _ball(t)
        return out
    if isinstance(x, sympy.Pow) and x.exp == sympy.Rational(1, 2):
        return _ball(x.base).sqrt()
    if isinstance(x, sympy.Pow) and x.exp.is_Integer:
        return _ball(x.base) ** int(x.exp)
    raise ValueError(f"no ball for {x}")


def certified_defect(net: MLP, group: GroupAction, generator: str, x: Sequence[sympy.Expr]) -> bool:
    """True when f(rho_0 x) != rho_L f(x) at x is *proved*: exactly (algebraic activations) or
    by a python-flint ball that excludes 0.  Independent of the engine."""
    rho0, rho_l = group.generator(generator)
    xv = ImmutableMatrix(len(x), 1, list(x))
    if net.activation.algebraic:
        d = net.value(rho0 * xv) - rho_l * net.value(xv)
        return any(sympy.expand(v) != 0 for v in d)
    sigma = _ARB[net.activation.name]
    old = ctx.prec
    try:
        def fwd(v: list[arb]) -> list[arb]:
            for i, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
                z = [sum((_ball(w[r, c]) * v[c] for c in range(w.cols)), _ball(b[r])) for r in range(w.rows)]
                v = z if i == net.depth else [sigma(t) for t in z]
            return v

        # a saturated deep network can differ by 1e-95 (gelu far below 0): retry with more bits
        for bits in (200, 1200):
            ctx.prec = bits
            xa = [_ball(v) for v in x]
            gx = [sum((_ball(rho0[r, c]) * xa[c] for c in range(len(xa))), arb(0)) for r in range(rho0.rows)]
            lhs, f = fwd(gx), fwd(xa)
            rhs = [sum((_ball(rho_l[k, c]) * f[c] for c in range(len(f))), arb(0)) for k in range(rho_l.rows)]
            if any(not (u - v).contains(0) for u, v in zip(lhs, rhs)):
                return True
        return False
    finally:
        ctx.prec = old


def find_certified_defect(net: MLP, group: GroupAction, rng: random.Random, points: int = 6) -> bool:
    """Search a few random rational points, symbol values and generators for a proved defect."""
    symbols = sorted(net.symbols, key=str)
    for _ in range(points):
        inst = net.subs({s: Rational(rng.randint(-4, 4), rng.choice((1, 2))) for s in symbols}) if symbols else net
        x = [Rational(rng.randint(-6, 6), rng.choice((1, 2))) for _ in range(net.widths[0])]
        for g in group.names:
            if certified_defect(inst, group, g, x):
                return True
    return False
