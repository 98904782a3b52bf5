"""Exact decision of equivariance for ReLU and leaky ReLU networks of any depth, by their
activation regions.

A network with a piecewise-linear activation sigma(z) = max(z, 0) (relu) or max(z, a z)
(leaky_relu:a) is affine on every *activation region*: the set of inputs where every hidden
neuron has a fixed sign.  For a generator g put the two evaluations side by side,

    D(x) = f(rho_0(g) x) - rho_L(g) f(x),

and split R^{d_0} by the signs of every neuron of both evaluations, layer after layer: within a
cell the pre-activations of the next layer are affine in x, so each split is by a hyperplane,
and a cell is kept only when it has an interior point (a linear program: maximize t subject to
a_k . x + t <= b_k; the cell is full-dimensional exactly when the optimum is positive).  On each
full-dimensional cell D is one affine map A x + a, computed exactly with rationals.  Since D is
continuous, D = 0 everywhere exactly when A = 0 and a = 0 on every full-dimensional cell:

* every cell gives 0 -> *holds* (a proof by the engine: the enumeration is exact, but the
  checker has no procedure to re-run it, so no certificate is written);
* a cell gives A x + a != 0 -> *fails*: among an interior point x0 of that cell and the points
  x0 + eps e_k still inside it, one has D != 0 (an affine map vanishing at d_0 + 1 affinely
  independent points vanishes), and that point is the witness, certified exactly.

Each feasibility question is first asked in floating point (scipy's HiGHS): an interior point
it returns is rounded to rationals and checked exactly, which proves the cell full-dimensional.
Only a "no" is re-decided by an exact rational simplex (sympy), so no cell is lost to rounding.
The number of linear programs is bounded by ``budget``; past it the answer is "budget".

The witness search of ``symeq check`` tries small random inputs; a network that breaks
equivariance only far from the origin (a neuron whose kink lies at x_1 = 40) escaped it.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> far = network_from_dict({"activation": "relu",
...     "weights": [[["1", "0"], ["0", "1"], ["1", "0"]], [["1", "1", "0"], ["0", "0", "1"]], [["1", "1"]]],
...     "biases": [["0", "0", "-40"], ["0", "0"], ["0"]]})
>>> out = relu_regions(far, catalog_group("S2", 2, 1, output="trivial"))
>>> out.status, out.generator, out.point[0] > 40 or out.point[1] > 40
('fails', 't', True)
>>> sym = network_from_dict({"activation": "relu",
...     "weights": [[["1", "0"], ["0", "1"]], [["1", "1"], ["1", "1"]], [["1", "1"]]],
...     "biases": [["0", "0"], ["0", "-1"], ["0"]]})
>>> relu_regions(sym, catalog_group("S2", 2, 1, output="trivial")).status
'holds'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP

__all__ = ["RegionOutcome", "relu_regions", "DEFAULT_REGION_BUDGET"]

#: Largest number of linear programs (region splits) one decision may solve.
DEFAULT_REGION_BUDGET = 2000

Affine = tuple[tuple[Fraction, ...], Fraction]  # (c, e): x -> c . x + e


@dataclass(frozen=True)
class RegionOutcome:
    """What :func:`relu_regions` decided.

    ``status``: "holds", "fails" (``generator`` and the exact input ``point`` where the two
    sides differ, ``pattern`` the signs of the cell it lies in), "budget" or "not_applicable";
    ``cells``: full-dimensional cells examined; ``programs``: linear programs solved."""

    status: str
    reason: str
    generator: str | None = None
    point: tuple[Fraction, ...] | None = None
    cells: int = 0
    programs: int = 0


class _Budget(Exception):
    pass


def _fractions(m: Sequence[Sequence[object]]) -> list[list[Fraction]]:
    return [[Fraction(int(v.p), int(v.q)) for v in row] for row in m]  # type: ignore[attr-defined]


class _Decider:
    def __init__(self, net: MLP, budget: int) -> None:
        act = net.activation
        self.slope = Fraction(0) if act.name == "relu" else Fraction(int(act._slope.p), int(act._slope.q))
        self.ws = [_fractions(w.tolist()) for w in net.weights]
        self.bs = [[Fraction(int(v.p), int(v.q)) for v in b] for b in net.biases]
        self.depth = net.depth
        self.d = net.widths[0]
        self.budget = budget
        self.programs = 0
        self.cells = 0

    # -- linear programs --------------------------------------------------------------------
    def interior(self, rows: list[tuple[tuple[Fraction, ...], Fraction]]) -> tuple[Fraction, ...] | None:
        """A rational point strictly inside {x : a . x <= b for every (a, b)}, or None when the set
        has no interior."""
        self.programs += 1
        if self.programs > self.budget:
            raise _Budget
        d = self.d
        A = np.array([[float(v) for v in a] + [1.0] for a, _ in rows])
        b = np.array([float(v) for _, v in rows])
        try:
            from scipy.optimize import linprog

            res = linprog(np.r_[np.zeros(d), -1.0], A_ub=A, b_ub=b,
                          bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
            if res.status == 0 and -res.fun > 1e-9:
                x = tuple(Fraction(v).limit_denominator(10**6) for v in res.x[:d])
                if all(sum((ai * xi for ai, xi in zip(a, x)), Fraction(0)) < bv for a, bv in rows):
                    return x
            if res.status == 0 and -res.fun < 1e-9 and self._farkas(rows, -np.asarray(res.ineqlin.marginals)):
                return None
        except (ValueError, ImportError, AttributeError):
            pass
        return self._exact_interior(rows)

    def _farkas(self, rows: list[tuple[tuple[Fraction, ...], Fraction]], y: np.ndarray) -> bool:
        """Whether the floating-point dual y, made exact on its support, proves that the cell has
        no interior: y >= 0, sum_k y_k a_k = 0, sum_k y_k = 1 and sum_k y_k b_k <= 0 give, for any
        x and t with a_k . x + t <= b_k, t = sum_k y_k (a_k . x + t) <= sum_k y_k b_k <= 0."""
        from flint import fmpq, fmpq_mat

        support = [k for k in range(len(rows)) if y[k] > 1e-9]
        if not support:
            return False
        d = self.d
        # unknowns y_S: d equations sum y_k a_k = 0 and one equation sum y_k = 1
        M = fmpq_mat(d + 1, len(support) + 1)
        for col, k in enumerate(support):
            a = rows[k][0]
            for n in range(d):
                M[n, col] = fmpq(a[n].numerator, a[n].denominator)
            M[d, col] = 1
        M[d, len(support)] = 1
        R, rank = M.rref()
        pivots, r = [], 0
        for c in range(len(support) + 1):
            if r < rank and R[r, c] != 0:
                pivots.append(c)
                r += 1
        if len(support) in pivots:  # inconsistent
            return False
        ys = [Fraction(0)] * len(support)
        for r, c in enumerate(pivots):
            v = R[r, len(support)] / R[r, c]
            ys[c] = Fraction(int(v.p), int(v.q))
        if any(v < 0 for v in ys):
            return False
        return sum((v * rows[k][1] for v, k in zip(ys, support)), Fraction(0)) <= 0

    def _exact_interior(self, rows: list[tuple[tuple[Fraction, ...], Fraction]]) -> tuple[Fraction, ...] | None:
        import sympy
        from sympy.solvers.simplex import InfeasibleLPError, linprog

        # x = u - v with u, v >= 0 and 0 <= t <= 1: sympy 1.14's linprog returned points that
        # violate the constraints when given free bounds (None, None)
        d = self.d
        q = [[sympy.Rational(v.numerator, v.denominator) for v in a] for a, _ in rows]
        A = sympy.Matrix([a + [-v for v in a] + [1] for a in q] + [[0] * (2 * d) + [1]])
        b = sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for _, v in rows] + [1])
        try:
            value, sol = linprog(sympy.Matrix([0] * (2 * d) + [-1]), A, b)
        except InfeasibleLPError:
            return None
        if -value <= 0:
            return None
        sol = [Fraction(int(sympy.Rational(v).p), int(sympy.Rational(v).q)) for v in list(sol)]
        x = tuple(sol[n] - sol[d + n] for n in range(d))
        if not all(sum((ai * xi for ai, xi in zip(a, x)), Fraction(0)) < bv for a, bv in rows):
            raise AssertionError("the exact simplex returned a point outside the cell")
        return x

    # -- the enumeration ----------------------------------------------------------------------
    def decide(self, rho0: list[list[Fraction]], rho_l: list[list[Fraction]]) -> tuple[tuple[Fraction, ...], int] | None:
        """None when D = 0 on every cell, else (a point where D != 0, its coordinate)."""
        d = self.d
        eye = [tuple(Fraction(int(r == c)) for c in range(d)) for r in range(d)]
        inputs = ([(tuple(row), Fraction(0)) for row in rho0], [(row, Fraction(0)) for row in eye])
        return self._layer(1, inputs, [], tuple(Fraction(0) for _ in range(d)), rho_l)

    def _pre(self, i: int, h: list[Affine]) -> list[Affine]:
        """Pre-activations of layer i as affine maps of x, from the layer's input h."""
        out = []
        for wr, br in zip(self.ws[i - 1], self.bs[i - 1]):
            c = [Fraction(0)] * self.d
            e = br
            for wk, (hc, he) in zip(wr, h):
                if wk:
                    for n in range(self.d):
                        c[n] += wk * hc[n]
                    e += wk * he
            out.append((tuple(c), e))
        return out

    def _layer(self, i: int, inputs: tuple[list[Affine], list[Affine]], rows: list[tuple[tuple[Fraction, ...], Fraction]],
               x0: tuple[Fraction, ...], rho_l: list[list[Fraction]]) -> tuple[tuple[Fraction, ...], int] | None:
        pre = (self._pre(i, inputs[0]), self._pre(i, inputs[1]))
        if i == self.depth:
            return self._compare(pre, rows, x0, rho_l)
        items = [(p, j) for p in (0, 1) for j in range(len(pre[p]))]
        return self._split(i, pre, items, 0, [[None] * len(pre[0]), [None] * len(pre[1])], rows, x0, rho_l)

    def _split(self, i: int, pre, items, k: int, signs, rows, x0, rho_l):  # noqa: ANN001
        if k == len(items):
            post = tuple([(tuple(s * v for v in c), s * e) for (c, e), s in zip(pre[p], signs[p])] for p in (0, 1))
            return self._layer(i + 1, post, rows, x0, rho_l)
        p, j = items[k]
        c, e = pre[p][j]
        slope = (self.slope, Fraction(1))
        if not any(c):  # constant on the cell
            signs[p][j] = slope[e > 0]
            return self._split(i, pre, items, k + 1, signs, rows, x0, rho_l)
        z0 = sum((a * b for a, b in zip(c, x0)), e)
        # the side holding x0 has x0 inside: full-dimensional without a program
        order = (1, 0) if z0 > 0 else (0, 1)
        for side in order:
            # side 1: z >= 0, i.e. -c . x <= e; side 0: z <= 0, i.e. c . x <= -e
            row = (tuple(-v for v in c), e) if side else (c, -e)
            if side == order[0] and z0 != 0:
                point = x0
            else:
                point = self.interior(rows + [row])
                if point is None:
                    continue
            signs[p][j] = slope[side]
            found = self._split(i, pre, items, k + 1, signs, rows + [row], point, rho_l)
            if found is not None:
                return found
        return None

    def _compare(self, pre, rows, x0, rho_l):  # noqa: ANN001
        """D on one full-dimensional cell: None when it is the zero map, else a witness point."""
        self.cells += 1
        lhs, rhs = pre
        diff = []
        for k in range(len(lhs)):
            c = list(lhs[k][0])
            e = lhs[k][1]
            for m, r in enumerate(rho_l[k]):
                if r:
                    c = [u - r * v for u, v in zip(c, rhs[m][0])]
                    e -= r * rhs[m][1]
            diff.append((c, e))
        if all(not any(c) and e == 0 for c, e in diff):
            return None
        # x0 and x0 + eps e_n inside the cell: one of them has D != 0
        slack = [b - sum((a * x for a, x in zip(row, x0)), Fraction(0)) for row, b in rows]
        size = max([Fraction(1)] + [abs(v) for row, _ in rows for v in row])
        eps = min([Fraction(1)] + [s / (2 * size) for s in slack])
        candidates = [x0] + [tuple(x + (eps if n == m else 0) for m, x in enumerate(x0)) for n in range(self.d)]
        for x in candidates:
            for k, (c, e) in enumerate(diff):
                if sum((a * b for a, b in zip(c, x)), e) != 0:
                    return x, k
        raise AssertionError("an affine map that is not zero vanishes at d + 1 independent points")


def relu_regions(net: MLP, group: GroupAction, budget: int = DEFAULT_REGION_BUDGET) -> RegionOutcome:
    """Decide f(rho_0(g) x) = rho_L(g) f(x) for every x and generator g of a numeric rational
    relu or leaky_relu network by its activation regions (see the module docstring)."""
    if net.activation.name not in ("relu", "leaky_relu"):
        return RegionOutcome("not_applicable", f"{net.activation.spec} is not piecewise linear with rational slopes")
    if net.symbols:
        return RegionOutcome("not_applicable", "the network has symbols")
    mats = [*net.weights, *net.biases, *group.inputs, *group.outputs]
    if not all(v.is_Rational for m in mats for v in m):
        return RegionOutcome("not_applicable", "the weights or the group have irrational entries")
    decider = _Decider(net, budget)
    try:
        for g, rho0, rho_l in group.generators():
            found = decider.decide(_fractions(rho0.tolist()), _fractions(rho_l.tolist()))
            if found is not None:
                point, k = found
                return RegionOutcome("fails", f"on an activation region of generator {g}, coordinate {k} of "
                                     "f(rho_0 x) - rho_L f(x) is an affine map that is not zero", g, point,
                                     decider.cells, decider.programs)
    except _Budget:
        return RegionOutcome("budget", f"more than {budget} linear programs (activation regions split)",
                             cells=decider.cells, programs=decider.programs)
    return RegionOutcome("holds", f"f(rho_0 x) - rho_L f(x) is the zero map on every one of the {decider.cells} "
                         "full-dimensional activation regions, for every generator (exact enumeration)",
                         cells=decider.cells, programs=decider.programs)
