"""Functional dimension and hidden symmetries of an MLP at a parameter theta.

Phi(theta) = (f(x_1; theta), ..., f(x_N; theta)).  The functional dimension at theta is the
dimension of the span of the gradients grad_theta f_l(x; theta) over all inputs x; its
*bounds* are certified as follows (THEORY.md section 2):

* lower bound: the rank of the Jacobian of Phi at sampled inputs --
  exact for activations that map rationals to rationals (identity, ReLU, leaky ReLU, other
  piecewise-linear maps, polynomials): the Jacobian is an exact rational matrix and its rank
  modulo a 61-bit prime is a lower bound on its rank over Q (a nonzero minor mod p is nonzero);
  certified for transcendental activations: python-flint balls and a minor whose determinant
  ball excludes 0;
* upper bound: #params minus the dimension of a space of directions *proved* to leave f
  unchanged to first order for every x: the tangent space of the K-orbit (the latent groups
  act by proved symmetries, :mod:`.invariance`), plus hidden directions proved by
  :mod:`.first_order`.

When the bounds meet the status is ``"exact"`` and ``hidden_symmetries`` = #params - orbit_dim
- rank.  ``orbit_dim`` is the dimension of the K-orbit at theta (= dim K where K acts locally
freely; smaller for linear networks, whose stabilizers are positive-dimensional).

>>> fd = functional_dimension(random_network("relu", (2, 3, 1), seed=1))
>>> fd.n_params, fd.dim_K, fd.rank, fd.status, fd.hidden_symmetries
(13, 3, 10, 'exact', 0)
>>> fd = functional_dimension(random_network("tanh", (2, 2, 1), seed=0))
>>> fd.rank, fd.status
(9, 'exact')
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import flint
import sympy
from sympy import ImmutableMatrix, Integer, Rational

from symeq.activations import Activation
from symeq.errors import InputError
from symeq.exact import number_to_string
from symeq.architectures.mlp.model import MLP
from symeq.activations.arb_eval import Unsupported
from symeq.architectures.mlp.hidden_directions import degenerate_directions
from symeq.architectures.mlp.first_order import prove_first_order
from symeq.architectures.mlp.jacobian_arb import arb_jacobian, arb_rows, certified_rank
from symeq.architectures.mlp.jacobian_exact import OnKink, exact_jacobian, integer_activation, kink_free
from symeq.architectures.mlp.latent_group import latent_groups, orbit_tangents
from symeq.activations.relations import resolve_activation
from symeq.architectures.mlp.sampling import line_sweep_inputs

__all__ = ["FunctionalDimension", "functional_dimension", "random_network", "sample_inputs",
           "default_inputs", "default_count",
           "PRIMES", "MAX_PARAMS_EXACT", "MAX_PARAMS_KERNEL", "MAX_PARAMS_CERTIFIED"]

#: Primes for ranks modulo p (rank mod p <= rank over Q, so each gives a lower bound).
PRIMES = (2**61 - 1, 2**31 - 1, 1_000_000_007)
#: Largest network the exact Jacobian is built for (about 1.2 n^2 Python integers).
MAX_PARAMS_EXACT = 2500
#: Largest network whose exact rational kernel (hidden directions) is computed.
MAX_PARAMS_KERNEL = 700
#: Largest network for the ball-arithmetic (transcendental) path.
MAX_PARAMS_CERTIFIED = 600
#: Largest network whose hidden directions are proved symbolically for all x.
MAX_PARAMS_PROOF = 400


@dataclass(frozen=True)
class FunctionalDimension:
    """The functional dimension of a network at one parameter, with its certification.

    ``status``: ``"exact"`` (lower == upper == rank), ``"certified-lower-bound"`` (rank is in
    [lower, upper], lower certified), or ``"unknown"`` (no certified statement; see notes).
    ``hidden_directions`` are exact parameter directions outside the K-orbit's tangent space,
    each proved to leave f unchanged to first order for every input (``hidden_proofs``).
    """

    n_params: int
    dim_K: int
    orbit_dim: int
    rank: int | None
    lower: int
    upper: int
    status: str
    hidden_symmetries: int | None
    hidden_directions: tuple[tuple[sympy.Expr, ...], ...] = ()
    hidden_proofs: tuple[str, ...] = ()
    method: str = ""
    n_inputs: int = 0
    notes: tuple[str, ...] = ()

    @property
    def locally_identifiable(self) -> bool | None:
        """First-order identifiability modulo K: True when the Jacobian's kernel is exactly
        the tangent space of the K-orbit (no hidden symmetry), False when a hidden direction
        is proved, None when undecided."""
        if self.status == "exact":
            return self.hidden_symmetries == 0
        if self.hidden_directions:
            return False
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the value of the ``"functional_dimension"`` JSON key)."""
        return {
            "n_params": self.n_params,
            "dim_K": self.dim_K,
            "orbit_dim": self.orbit_dim,
            "rank": self.rank,
            "lower": self.lower,
            "upper": self.upper,
            "status": self.status,
            "hidden_symmetries": self.hidden_symmetries,
            "hidden_directions": [[number_to_string(x) for x in v] for v in self.hidden_directions],
            "hidden_proofs": list(self.hidden_proofs),
            "locally_identifiable": self.locally_identifiable,
            "method": self.method,
            "n_inputs": self.n_inputs,
            "notes": list(self.notes),
        }


# -- parameters and inputs ---------------------------------------------------------------------
def random_network(activation: str | Activation, widths: Sequence[int], seed: int = 0) -> MLP:
    """An MLP with random small rational parameters, reproducible from ``seed``.

    Weights are p/q with |p| <= 6, q <= 3.  For smooth activations the biases are drawn the
    same way.  For piecewise-linear activations plain random biases leave many neurons of deep
    layers dead or always active on all of R^d0 (a special parameter with extra symmetries),
    so each bias is chosen to put the neuron's kink through a random anchor input (rounded to
    thirds), and the draw is repeated until every neuron's activation pattern varies on the
    sampled inputs: a *generic* parameter (checked only up to MAX_PARAMS_EXACT parameters).

    >>> random_network("tanh", (2, 2, 1), seed=3).parameters()
    (-1, 3, -1/3, 2/3, 1, 3, 4, 4, -1)
    """
    widths = tuple(widths)
    if len(widths) < 2 or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths):
        raise InputError(f"widths must be at least two positive integers, got {widths}")
    act = resolve_activation(activation)
    rng = random.Random(seed)

    def number() -> Rational:
        return Rational(rng.choice([p for p in range(-6, 7) if p]), rng.randint(1, 3))

    ws = tuple(ImmutableMatrix(widths[i], widths[i - 1], lambda r, c: number()) for i in range(1, len(widths)))
    bs = tuple(ImmutableMatrix(widths[i], 1, lambda r, c: number()) for i in range(1, len(widths)))
    net = MLP(act, ws, bs)
    iact = integer_activation(act)
    if iact is None or iact.kind != "pl" or len(widths) < 3:
        return net
    if net.n_params > MAX_PARAMS_EXACT:
        # The genericity check below builds exact Jacobians at about 2 n inputs, per draw; the
        # functional dimension is not computed for such networks anyway.
        return _anchored(net, iact, rng)
    for attempt in range(30):
        net = _anchored(net, iact, rng)
        xs = default_inputs(net, max(40, 2 * net.n_params // widths[-1]), seed + attempt)
        if not exact_jacobian(net, xs).stuck_neurons:
            return net
        ws = tuple(ImmutableMatrix(widths[i], widths[i - 1], lambda r, c: number()) for i in range(1, len(widths)))
        net = MLP(act, ws, net.biases)
    return net


def _anchored(net: MLP, iact, rng: random.Random) -> MLP:
    """Biases putting each hidden neuron's first kink through a random anchor input."""
    kink = Rational(*iact.kinks[0])
    d0 = net.widths[0]
    for i in range(1, net.depth):
        W = net.weights[i - 1]
        b = []
        for j in range(W.rows):
            anchor = ImmutableMatrix([Integer(rng.randint(-8, 8)) for _ in range(d0)])
            h = anchor
            for k in range(1, i):
                h = net.layer_value(k, h)
            z = (W[j, :] * h)[0, 0]
            b.append(Rational(round(3 * (kink - z)), 3) + Rational(rng.choice((-1, 1)), 7))
        net = net.with_layer(i, W, ImmutableMatrix(b))
    return net


def sample_inputs(net: MLP, count: int, seed: int = 0) -> list[tuple[Rational, ...]]:
    """``count`` random rational inputs suited to the activation: wide integer boxes for
    piecewise-linear maps (every kink is crossed), small ones for polynomials, moderate
    rationals for saturating transcendental maps.

    >>> sample_inputs(random_network("tanh", (2, 2, 1)), 2, seed=1)
    [(2, -3/2), (5/4, 5/2)]
    """
    rng = random.Random(seed * 7919 + 17)
    iact = integer_activation(net.activation)
    d = net.widths[0]
    if iact is not None and iact.kind == "pl":
        # several scales: far-away inputs reach the outer linear regions of deep neurons
        return [tuple(Integer(rng.randint(-24, 24) * rng.choice((1, 1, 5, 25))) for _ in range(d))
                for _ in range(count)]
    if iact is not None:
        return [tuple(Rational(rng.randint(-6, 6), 2) for _ in range(d)) for _ in range(count)]
    return [tuple(Rational(rng.randint(-12, 12), 4) for _ in range(d)) for _ in range(count)]


# -- exact linear algebra helpers --------------------------------------------------------------
def _mod(x: Fraction | int | Rational, p: int) -> int:
    q = Fraction(int(x.p), int(x.q)) if isinstance(x, Rational) else Fraction(x)
    return q.numerator % p * pow(q.denominator % p, -1, p) % p


def _rank_mod(rows: list[list[int]] | Any, p: int, nrows: int, ncols: int) -> int:
    if nrows == 0 or ncols == 0:
        return 0
    return flint.nmod_mat(rows, p).rank()


def _rational_rank(vectors: Sequence[Sequence[sympy.Expr]], n: int) -> int:
    """Exact rank over Q of rational vectors."""
    if not vectors:
        return 0
    rows = [[_mod(Rational(x), PRIMES[0]) for x in v] for v in vectors]
    r = _rank_mod(rows, PRIMES[0], len(rows), n)
    if r == len(vectors):
        return r
    m = flint.fmpq_mat(len(vectors), n, [flint.fmpq(int(Rational(x).p), int(Rational(x).q)) for v in vectors for x in v])
    return m.rank()


def _greedy_complement(base: list[tuple], candidates: list[tuple], n: int, rank_fn) -> list[int]:
    """Indices of candidates that each raise the rank of base + chosen."""
    chosen: list[int] = []
    current = rank_fn(base)
    for k, v in enumerate(candidates):
        r = rank_fn(base + [candidates[c] for c in chosen] + [v])
        if r > current:
            chosen.append(k)
            current = r
    return chosen


def _all_rational(xs: Sequence[sympy.Expr]) -> bool:
    return all(sympy.sympify(x).is_Rational for x in xs)


# -- the two paths -----------------------------------------------------------------------------
def default_inputs(net: MLP, count: int, seed: int = 0) -> list[tuple]:
    """The inputs the exact path samples: one per linear piece along random lines for
    piecewise-linear activations (kinks excluded), small random rationals otherwise."""
    iact = integer_activation(net.activation)
    if iact is not None and iact.kind == "pl":
        xs = line_sweep_inputs(net, count, seed)
        return [x for x, ok in zip(xs, kink_free(net, xs)) if ok]
    return sample_inputs(net, count, seed)


def _annihilated(net: MLP, xs: list[tuple], vs: list[tuple]) -> list[bool]:
    """For each direction v, exactly: J(xs) v = 0 (one Jacobian for all directions)."""
    import numpy as np

    if not vs:
        return []
    jac = exact_jacobian(net, xs)
    out = []
    for v in vs:
        w = [Fraction(int(Rational(x).p), int(Rational(x).q)) for x in v]
        den = math.lcm(*[f.denominator for f in w])
        out.append(not np.any(jac.matrix.dot(np.array([int(f * den) for f in w], dtype=object))))
    return out


@lru_cache(maxsize=4)
def _grid_jacobian(net: MLP, big_d: int):
    import itertools

    grid = [tuple(Integer(c) for c in pt) for pt in itertools.product(range(big_d + 1), repeat=net.widths[0])]
    return exact_jacobian(net, grid)


def _grid_annihilates(net: MLP, big_d: int, v: tuple) -> bool:
    import numpy as np

    jac = _grid_jacobian(net, big_d)
    w = [Fraction(int(Rational(x).p), int(Rational(x).q)) for x in v]
    den = math.lcm(*[f.denominator for f in w])
    return not np.any(jac.matrix.dot(np.array([int(f * den) for f in w], dtype=object)))


def _grid_proof(net: MLP, v: Sequence[sympy.Expr]) -> str | None:
    """For a polynomial activation D_v f is a polynomial in x of degree <= D = deg(sigma)^(L-1)
    in each variable; vanishing on the grid {0..D}^d0 proves it is zero."""
    iact = integer_activation(net.activation)
    if iact is None or iact.kind != "poly":
        return None
    deg = max(len(iact.coeffs) - 1, 1)
    big_d = deg ** (net.depth - 1)
    d0 = net.widths[0]
    if (big_d + 1) ** d0 > 20000:
        return None

    if _grid_annihilates(net, big_d, tuple(v)):
        return (f"D_v f is a polynomial of degree <= {big_d} in each input and vanishes on the grid "
                f"{{0..{big_d}}}^{d0}, so it is zero")
    return None


def default_count(net: MLP) -> int:
    """How many inputs the first Jacobian uses: 20% more rows than parameters.

    >>> default_count(random_network("relu", (2, 3, 1)))
    20
    """
    return math.ceil(1.2 * net.n_params / net.widths[-1]) + 4


def _reduced_kernel(basis, nullity: int, scale: tuple[int, ...]) -> list[tuple]:
    """The kernel of J = J_int diag(1/scale) in reduced row echelon form (a canonical, sparse
    basis), each vector scaled to coprime integers."""
    n = len(scale)
    if nullity == 0:
        return []
    rows = flint.fmpq_mat(nullity, n, [int(basis[i, k]) * scale[i] for k in range(nullity) for i in range(n)])
    red, rank = rows.rref()
    out = []
    for k in range(rank):
        v = [Rational(int(red[k, i].p), int(red[k, i].q)) for i in range(n)]
        den = math.lcm(*[int(x.q) for x in v])
        ints = [int(x * den) for x in v]
        g = math.gcd(*ints) or 1
        out.append(tuple(Integer(x // g) for x in ints))
    return out


def _prove_direction(net: MLP, v: tuple) -> str | None:
    proof = _grid_proof(net, v)
    if proof is None and net.n_params <= MAX_PARAMS_PROOF:
        proof = prove_first_order(net, v)
    return proof


#: Most fresh inputs used to test a kernel direction of the sampled Jacobian.
MAX_FRESH = 8192


def _exact_path(net: MLP, tangents: list, orbit_dim: int, dim_k: int, inputs, seed: int) -> FunctionalDimension:
    n = net.n_params
    notes: list[str] = []
    given = inputs is not None
    upper0 = n - orbit_dim
    count = default_count(net)
    xs = list(inputs) if given else default_inputs(net, count, seed)
    fresh_size = count
    proved: dict[tuple, str | None] = {}
    candidates: list[tuple] = []
    rank_q, round_ = 0, 0
    stale = True
    while True:
        if stale:
            try:
                jac = exact_jacobian(net, xs)
            except OnKink:
                raise InputError("an input puts a neuron exactly on a kink; the Jacobian is undefined "
                                 "there") from None
            p = PRIMES[0]
            jp = flint.nmod_mat((jac.matrix % p).tolist(), p)
            r = jp.rank()
            _check_tangents(jp, tangents, jac.scale, p)
            if r < upper0:
                r = max(r, flint.nmod_mat((jac.matrix % PRIMES[1]).tolist(), PRIMES[1]).rank())
            if r == upper0:
                return FunctionalDimension(n, dim_k, orbit_dim, r, r, r, "exact", 0,
                                           method="exact Jacobian (rank mod p = #params - orbit dimension)",
                                           n_inputs=len(xs), notes=tuple(notes))
            if n > MAX_PARAMS_KERNEL:
                if not given and round_ < 2:
                    round_ += 1
                    xs = xs + default_inputs(net, count * 4**round_, seed + 1000 * round_)
                    continue
                notes.append(f"exact kernel not computed above {MAX_PARAMS_KERNEL} parameters (budget)")
                return FunctionalDimension(n, dim_k, orbit_dim, None, r, upper0, "certified-lower-bound",
                                           None, method="exact Jacobian, rank mod p", n_inputs=len(xs),
                                           notes=tuple(notes))
            basis, nullity = flint.fmpz_mat(jac.matrix.tolist()).nullspace()
            rank_q = n - nullity
            kernel = _reduced_kernel(basis, nullity, jac.scale)
            picks = _greedy_complement([tuple(t) for t in tangents], kernel, n,
                                       lambda vs: _rational_rank(vs, n))
            candidates = [kernel[k] for k in picks]
            stale = False
        # Cheap exact tests first: a direction that fails at some fresh input is an artifact
        # of too few samples.  Only survivors of every test are worth a symbolic proof.
        if given or not candidates or fresh_size >= MAX_FRESH:
            break
        round_ += 1
        fresh_size = min(MAX_FRESH, fresh_size * 4)
        fresh = default_inputs(net, fresh_size, seed + 1000 * round_)
        artifacts = [v for v, ok in zip(candidates, _annihilated(net, fresh, candidates)) if not ok]
        if artifacts:
            notes.append(f"{len(artifacts)} kernel direction(s) of the sampled Jacobian fail at "
                         f"{len(fresh)} fresh inputs (sampling artifacts); those inputs were added")
            xs = xs + fresh
            stale = True
    if jac.stuck_neurons:
        notes.append("neurons with one activation pattern on every input: "
                     + ", ".join(f"layer {i} neuron {j}" for i, j in jac.stuck_neurons))
    for v in candidates:
        if v not in proved:
            proved[v] = _prove_direction(net, v)
    hidden = [v for v in candidates if proved[v]]
    proofs = [proved[v] for v in hidden]
    unproved = len(candidates) - len(hidden)
    upper = n - _rational_rank([tuple(t) for t in tangents] + hidden, n)
    if unproved:
        notes.append(f"{unproved} kernel direction(s) of the sampled Jacobian survive every sampled "
                     "input but were not proved for all inputs")
    status = "exact" if upper == rank_q else "certified-lower-bound"
    return FunctionalDimension(
        n, dim_k, orbit_dim, rank_q if status == "exact" else None, rank_q, upper, status,
        n - orbit_dim - rank_q if status == "exact" else None, tuple(hidden), tuple(proofs),
        method="exact Jacobian and exact rational kernel", n_inputs=len(xs), notes=tuple(notes))


def _check_tangents(jp, tangents, scale, p: int) -> None:
    """Consistency check of the orbit tangents against the Jacobian modulo p (the proof that
    they lie in the kernel is the invariance theorem; a failure here is a bug)."""
    if not tangents:
        return
    n = len(scale)
    cols = [[_mod(Rational(t[i]) / scale[i], p) for t in tangents] for i in range(n)]
    prod = jp * flint.nmod_mat(cols, p)
    if any(int(x) for x in prod.entries()):
        raise AssertionError("an orbit tangent is not in the Jacobian's kernel: internal error")


def _certified_path(net: MLP, tangents: list, orbit_dim: int, dim_k: int, inputs, seed: int) -> FunctionalDimension:
    n, d_out = net.n_params, net.widths[-1]
    notes: list[str] = []
    if n > MAX_PARAMS_CERTIFIED:
        return FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                   method="none", notes=(f"unknown (budget): more than "
                                                         f"{MAX_PARAMS_CERTIFIED} parameters for ball "
                                                         "arithmetic",))
    proven, proofs = [], []
    for name, v in degenerate_directions(net):
        proof = prove_first_order(net, v) if n <= MAX_PARAMS_PROOF else None
        if proof is not None:
            proven.append((name, v))
            proofs.append(f"{name}: {proof}")
    count = len(inputs) if inputs is not None else math.ceil(1.2 * n / d_out) + 4
    xs = list(inputs) if inputs is not None else sample_inputs(net, count, seed)
    with flint.ctx.workprec(192):
        try:
            rows = arb_jacobian(net, xs)
            lower = certified_rank(rows)
            kernel_rows = arb_rows([tuple(t) for t in tangents] + [v for _, v in proven])
        except Unsupported as exc:
            return FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                       method="ball arithmetic", notes=(f"cannot evaluate: {exc}",))
        known = certified_rank(kernel_rows) if kernel_rows else 0
        # hidden directions: proved candidates outside the tangent span
        base = arb_rows([tuple(t) for t in tangents])
        picks = _greedy_complement(base, [r for r in arb_rows([v for _, v in proven])], n,
                                   lambda vs: certified_rank(vs) if vs else 0)
    upper = n - max(known, orbit_dim)
    hidden = tuple(proven[k][1] for k in picks)
    hidden_proofs = tuple(proofs[k] for k in picks)
    status = "exact" if lower == upper else "certified-lower-bound"
    if status != "exact":
        notes.append(f"certified rank >= {lower}; proved kernel gives rank <= {upper}")
    return FunctionalDimension(
        n, dim_k, orbit_dim, lower if status == "exact" else None, lower, upper, status,
        n - orbit_dim - lower if status == "exact" else None, hidden, hidden_proofs,
        method="ball-arithmetic Jacobian (certified minor) and proved kernel directions",
        n_inputs=len(xs), notes=tuple(notes))


def functional_dimension(net: MLP, *, inputs: Sequence[Sequence[object]] | None = None,
                         seed: int = 0) -> FunctionalDimension:
    """The functional dimension of ``net`` at its parameter, with certification status.

    ``inputs``: the sample points x_1..x_N (rational); default: enough random ones from
    ``seed``.  Networks with symbolic parameters are refused (substitute values first).
    Exceeding a budget gives status "unknown" or "certified-lower-bound" with a note, never a
    hang.

    >>> fd = functional_dimension(random_network("identity", (2, 3, 1), seed=0))
    >>> fd.rank, fd.orbit_dim, fd.dim_K, fd.hidden_symmetries, fd.locally_identifiable
    (3, 10, 12, 0, True)
    """
    if net.symbols:
        raise InputError("functional dimension needs numeric parameters; the network has symbols "
                         + ", ".join(sorted(map(str, net.symbols))))
    if net.depth < 1:
        raise InputError("a network needs at least one layer")
    n = net.n_params
    if inputs is not None:
        inputs = [tuple(sympy.sympify(v) if not isinstance(v, str) else _parse(v) for v in x) for x in inputs]
        if not inputs or any(len(x) != net.widths[0] for x in inputs):
            raise InputError(f"inputs must be a non-empty list of vectors of length {net.widths[0]}")
    groups = latent_groups(net)
    dim_k = sum(g.dimension for g in groups)
    tangents = orbit_tangents(net)
    rational = _all_rational(net.parameters()) and all(_all_rational(t) for t in tangents)
    exact_ok = integer_activation(net.activation) is not None and rational
    if exact_ok and (inputs is None or all(_all_rational(x) for x in inputs)):
        orbit_dim = _rational_rank(tangents, n)
        if n > MAX_PARAMS_EXACT:
            return FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                       method="none", notes=(f"unknown (budget): more than "
                                                             f"{MAX_PARAMS_EXACT} parameters for the "
                                                             "exact Jacobian",))
        return _exact_path(net, tangents, orbit_dim, dim_k, inputs, seed)
    with flint.ctx.workprec(192):
        orbit_dim = certified_rank(arb_rows(tangents)) if tangents else 0
    return _certified_path(net, tangents, orbit_dim, dim_k, inputs, seed)


def _parse(text: str) -> sympy.Expr:
    from symeq.exact import parse_number

    return parse_number(text, "forbid")
