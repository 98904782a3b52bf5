"""Functional dimension and hidden symmetries of a network at a parameter theta, for every
architecture.

Phi(theta) = (f(x_1; theta), ..., f(x_N; theta)).  The functional dimension at theta is the
dimension of the span of the gradients grad_theta f_l(x; theta) over all inputs x; its
*bounds* are certified as follows (docs/theory.md section 2):

* lower bound: the rank of the Jacobian of Phi at sampled inputs --
  exact for activations that map rationals to rationals (identity, ReLU, leaky ReLU, other
  piecewise-linear maps, polynomials): the Jacobian is an exact rational matrix and its rank
  modulo a 61-bit prime is a lower bound on its rank over Q (a nonzero minor mod p is nonzero);
  certified for transcendental activations: python-flint balls and a minor whose determinant
  ball excludes 0;
* upper bound: #params minus the dimension of a space of directions *proved* to leave f
  unchanged to first order for every x: the tangent space of the K-orbit (``net.orbit_tangents()``;
  the latent groups act by proved symmetries), plus hidden directions the architecture proves.

The architecture supplies the Jacobians through ``net.jacobians()`` (the MLP's:
:class:`~symeq.architectures.mlp.jacobians.MLPJacobians`): ``exact_supported(inputs)``,
``exact(xs)`` (an integer matrix with a column scale), ``balls(xs)``, ``sample(count, seed)``,
``sample_balls(count, seed)``, ``default_count()``, ``candidates()`` (named directions worth
proving), ``prove(v)``, ``annihilated(xs, vs)`` and ``stuck_note(jacobian)``; this module does
the linear algebra (:mod:`symeq.ranks`).

The architecture's coordinates.  ``net.parameters()`` may hold entries that are not coordinates
of the architecture: a convolution with a stated filter support lists every grid offset of a
filter, but only the entries at the support's offsets are free (the others are zero by
definition).  The provider then names the free ones, ``J.coordinates``: their positions in
``net.parameters()`` (absent or None: every entry is free).  Its Jacobian's columns, ``prove``,
``annihilated`` and ``candidates`` all speak these coordinates; the orbit tangents (which the
network gives in the order of ``parameters()``) are restricted to them by :func:`restrict`,
which refuses a tangent leaving them (an internal error: the K-orbit stays in the
architecture).  ``n_params`` counts the coordinates, and the reported hidden directions are
lifted back to the order of ``parameters()`` (zeros at the entries that are not coordinates),
so ``theta + e v`` reads as for every other architecture.

When the bounds meet the status is ``"exact"`` and ``hidden_symmetries`` = #params - orbit_dim
- rank.  ``orbit_dim`` is the dimension of the K-orbit at theta (= dim K where K acts locally
freely; smaller for linear networks, whose stabilizers are positive-dimensional), together with
the symmetries inside a layer when the architecture declares them (``net.internal_tangents()``:
attention's Q-K change of basis; docs/theory.md 7.0).

>>> from symeq.architectures.mlp.sampling import random_network
>>> fd = functional_dimension(random_network("relu", (2, 3, 1), seed=1))
>>> fd.n_params, fd.dim_K, fd.rank, fd.status, fd.hidden_symmetries
(13, 3, 10, 'exact', 0)
>>> fd = functional_dimension(random_network("tanh", (2, 2, 1), seed=0))
>>> fd.rank, fd.status
(9, 'exact')
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

import flint
import sympy
from sympy import Rational

from symeq.errors import InputError
from symeq.exact import number_to_string
from symeq.activations.arb_eval import Unsupported
from symeq.ranks import (PRIMES, arb_rows, certified_rank, greedy_complement, mod_p, rational_rank,
                         reduced_kernel)

__all__ = ["FunctionalDimension", "functional_dimension", "restrict", "MAX_PARAMS_EXACT",
           "MAX_PARAMS_KERNEL", "MAX_PARAMS_CERTIFIED"]

#: Largest network the exact Jacobian is built for (about 1.2 n^2 Python integers).
MAX_PARAMS_EXACT = 2500
#: Largest network whose exact rational kernel (hidden directions) is computed.
MAX_PARAMS_KERNEL = 700
#: Largest network for the ball-arithmetic (transcendental) path.
MAX_PARAMS_CERTIFIED = 600


@dataclass(frozen=True)
class FunctionalDimension:
    """The functional dimension of a network at one parameter, with its certification.

    ``status``: ``"exact"`` (lower == upper == rank), ``"certified-lower-bound"`` (rank is in
    [lower, upper], lower certified), or ``"unknown"`` (no certified statement; see notes).
    ``hidden_directions`` are exact parameter directions outside the K-orbit's tangent space,
    each proved to leave f unchanged to first order for every input (``hidden_proofs``), in
    the order of the network's ``parameters()``.  ``coordinates``: the positions in
    ``parameters()`` of the architecture's coordinates that ``n_params`` counts (None: all of
    them; a convolution with a stated filter support: the support's entries, biases, readout).
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
    coordinates: tuple[int, ...] | None = None

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
            "coordinates": None if self.coordinates is None else list(self.coordinates),
        }


#: Most fresh inputs used to test a kernel direction of the sampled Jacobian.
MAX_FRESH = 8192


def _exact_path(J: Any, n: int, tangents: list, orbit_dim: int, dim_k: int, inputs, seed: int) -> FunctionalDimension:
    notes: list[str] = []
    given = inputs is not None
    upper0 = n - orbit_dim
    count = J.default_count()
    xs = list(inputs) if given else J.sample(count, seed)
    if given and not xs:
        raise InputError("the functional dimension needs at least one input")
    if not xs:
        # piecewise-linear activations sample only inputs off every kink; none is left when some
        # neuron's pre-activation is identically 0 (zero row and bias): f is then not
        # differentiable in theta at any input, and no Jacobian rank is defined
        return FunctionalDimension(n, dim_k, orbit_dim, None, 0, upper0, "unknown", None, method="none",
                                   notes=("no sampled input is off every kink: some neuron's pre-activation "
                                          "is identically 0, so f is not differentiable in the parameters at "
                                          "theta",))
    fresh_size = count
    proved: dict[tuple, str | None] = {}
    candidates: list[tuple] = []
    rank_q, round_ = 0, 0
    stale = True
    while True:
        if stale:
            jac = J.exact(xs)
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
                    xs = xs + J.sample(count * 4**round_, seed + 1000 * round_)
                    continue
                notes.append(f"exact kernel not computed above {MAX_PARAMS_KERNEL} parameters (budget)")
                return FunctionalDimension(n, dim_k, orbit_dim, None, r, upper0, "certified-lower-bound",
                                           None, method="exact Jacobian, rank mod p", n_inputs=len(xs),
                                           notes=tuple(notes))
            basis, nullity = flint.fmpz_mat(jac.matrix.tolist()).nullspace()
            rank_q = n - nullity
            kernel = reduced_kernel(basis, nullity, jac.scale)
            picks = greedy_complement([tuple(t) for t in tangents], kernel, n,
                                       lambda vs: rational_rank(vs, n))
            candidates = [kernel[k] for k in picks]
            stale = False
        # Cheap exact tests first: a direction that fails at some fresh input is an artifact
        # of too few samples.  Only survivors of every test are worth a symbolic proof.
        if given or not candidates or fresh_size >= MAX_FRESH:
            break
        round_ += 1
        fresh_size = min(MAX_FRESH, fresh_size * 4)
        fresh = J.sample(fresh_size, seed + 1000 * round_)
        if not fresh:
            break
        artifacts = [v for v, ok in zip(candidates, J.annihilated(fresh, candidates)) if not ok]
        if artifacts:
            notes.append(f"{len(artifacts)} kernel direction(s) of the sampled Jacobian fail at "
                         f"{len(fresh)} fresh inputs (sampling artifacts); those inputs were added")
            xs = xs + fresh
            stale = True
    stuck = J.stuck_note(jac)
    if stuck:
        notes.append(stuck)
    for v in candidates:
        if v not in proved:
            proved[v] = J.prove(v)
    hidden = [v for v in candidates if proved[v]]
    proofs = [proved[v] for v in hidden]
    unproved = len(candidates) - len(hidden)
    upper = n - rational_rank([tuple(t) for t in tangents] + hidden, n)
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
    cols = [[mod_p(Rational(t[i]) / scale[i], p) for t in tangents] for i in range(n)]
    prod = jp * flint.nmod_mat(cols, p)
    if any(int(x) for x in prod.entries()):
        raise AssertionError("an orbit tangent is not in the Jacobian's kernel: internal error")


#: Proved kernel directions tried as hidden symmetries, at most (each try is a certified rank).
MAX_HIDDEN_CANDIDATES = 64


def _certified_path(J: Any, n: int, tangents: list, orbit_dim: int, dim_k: int, inputs, seed: int) -> FunctionalDimension:
    notes: list[str] = []
    if n > MAX_PARAMS_CERTIFIED:
        return FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                   method="none", notes=(f"unknown (budget): more than "
                                                         f"{MAX_PARAMS_CERTIFIED} parameters for ball "
                                                         "arithmetic",))
    proven, proofs = [], []
    for name, v in J.candidates():
        proof = J.prove(v)
        if proof is not None:
            proven.append((name, v))
            proofs.append(f"{name}: {proof}")
    xs = list(inputs) if inputs is not None else J.sample_balls(J.default_count(), seed)
    with flint.ctx.workprec(192):
        try:
            kernel_rows = arb_rows([tuple(t) for t in tangents] + [v for _, v in proven])
            known = certified_rank(kernel_rows) if kernel_rows else 0
            rows = J.balls(xs)
            # the upper bound from the proved kernel is tried first; a minor that fails at 192 bits
            # is retried at more (saturated deep networks: singular values 1e-11 of the largest)
            lower = certified_rank(rows, target=n - max(known, orbit_dim))
            for bits in (512, 1536):
                if lower >= n - max(known, orbit_dim):
                    break
                with flint.ctx.workprec(bits):
                    lower = max(lower, certified_rank(J.balls(xs), target=n - max(known, orbit_dim)))
        except Unsupported as exc:
            return FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                       method="ball arithmetic", notes=(f"cannot evaluate: {exc}",))
        # hidden directions: proved candidates outside the tangent span
        base = arb_rows([tuple(t) for t in tangents])
        # the kernel of J has dimension at most n - lower: no more directions can be independent;
        # and at most MAX_HIDDEN_CANDIDATES proved candidates are tried (each try is a rank)
        cands = [r for r in arb_rows([v for _, v in proven])]
        if len(cands) > MAX_HIDDEN_CANDIDATES:
            notes.append(f"hidden directions sought among the first {MAX_HIDDEN_CANDIDATES} of "
                         f"{len(cands)} proved kernel directions (budget)")
            cands = cands[:MAX_HIDDEN_CANDIDATES]
        picks = greedy_complement(base, cands, n, lambda vs: certified_rank(vs) if vs else 0,
                                  ceiling=n - lower)
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


def functional_dimension(net: Any, *, inputs: Sequence[Sequence[object]] | None = None,
                         seed: int = 0) -> FunctionalDimension:
    """The functional dimension of ``net`` at its parameter, with certification status.

    ``inputs``: the sample points x_1..x_N (rational); default: enough random ones from
    ``seed``.  Networks with symbolic parameters are refused (substitute values first).
    Exceeding a budget gives status "unknown" or "certified-lower-bound" with a note, never a
    hang.

    >>> from symeq.architectures.mlp.sampling import random_network
    >>> fd = functional_dimension(random_network("identity", (2, 3, 1), seed=0))
    >>> fd.rank, fd.orbit_dim, fd.dim_K, fd.hidden_symmetries, fd.locally_identifiable
    (3, 10, 12, 0, True)
    """
    if net.symbols:
        raise InputError("functional dimension needs numeric parameters; the network has symbols "
                         + ", ".join(sorted(map(str, net.symbols))))
    if net.depth < 1:
        raise InputError("a network needs at least one layer")
    n = len(net.parameters())
    d0 = net.spaces()[0]
    if inputs is not None:
        inputs = [tuple(sympy.sympify(v) if not isinstance(v, str) else _parse(v) for v in x) for x in inputs]
        if not inputs or any(len(x) != d0 for x in inputs):
            raise InputError(f"inputs must be a non-empty list of vectors of length {d0}")
    if not hasattr(net, "jacobians"):
        raise InputError(f"the functional dimension of architecture {net.architecture!r} is not implemented")
    J = net.jacobians()
    coordinates = getattr(J, "coordinates", None)
    dim_k = sum(net.latent_group(i).dimension for i in range(1, net.depth))
    # symmetries inside a layer (attention's Q-K change of basis, docs/theory.md 7.0) change parameters
    # but no layer function: proved directions of the kernel, counted with the K-orbit
    tangents = net.orbit_tangents() + (net.internal_tangents() if hasattr(net, "internal_tangents") else [])
    if coordinates is not None:
        coordinates = tuple(coordinates)
        tangents = [restrict(t, coordinates, "an orbit tangent") for t in tangents]
        n = len(coordinates)
    if J.exact_supported(inputs):
        orbit_dim = rational_rank(tangents, n)
        if n > MAX_PARAMS_EXACT:
            fd = FunctionalDimension(n, dim_k, orbit_dim, None, 0, n - orbit_dim, "unknown", None,
                                     method="none", notes=(f"unknown (budget): more than "
                                                           f"{MAX_PARAMS_EXACT} parameters for the "
                                                           "exact Jacobian",))
        else:
            fd = _exact_path(J, n, tangents, orbit_dim, dim_k, inputs, seed)
    else:
        with flint.ctx.workprec(192):
            orbit_dim = certified_rank(arb_rows(tangents)) if tangents else 0
        fd = _certified_path(J, n, tangents, orbit_dim, dim_k, inputs, seed)
    if coordinates is None:
        return fd
    size = len(net.parameters())
    return replace(fd, coordinates=coordinates,
                   hidden_directions=tuple(_lift(v, coordinates, size) for v in fd.hidden_directions))


def restrict(v: Sequence[Any], coordinates: Sequence[int], what: str = "a direction") -> tuple[Any, ...]:
    """The entries of ``v`` (a vector in the order of ``net.parameters()``) at ``coordinates``;
    AssertionError when an entry elsewhere is nonzero (the direction leaves the architecture:
    an internal error, never bad input).

    >>> restrict((1, 0, 2, 0), (0, 2))
    (1, 2)
    >>> restrict((1, 3, 2, 0), (0, 2), "an orbit tangent")
    Traceback (most recent call last):
    ...
    AssertionError: an orbit tangent is nonzero at entry 1 of the parameters, which is not a coordinate of the architecture: internal error
    """
    kept = set(coordinates)
    for k, x in enumerate(v):
        if k not in kept and x != 0:
            raise AssertionError(f"{what} is nonzero at entry {k} of the parameters, which is not a "
                                 "coordinate of the architecture: internal error")
    return tuple(v[k] for k in coordinates)


def _lift(v: Sequence[Any], coordinates: Sequence[int], size: int) -> tuple[sympy.Expr, ...]:
    """A vector in the coordinates as one in the order of ``parameters()`` (zeros elsewhere)."""
    out = [sympy.Integer(0)] * size
    for k, x in zip(coordinates, v):
        out[k] = x
    return tuple(out)


def _parse(text: str) -> sympy.Expr:
    from symeq.exact import parse_number

    return parse_number(text, "forbid")
