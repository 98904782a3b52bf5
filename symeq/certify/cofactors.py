"""Cofactor hints for the exact fiber (engine side): a Groebner basis computed by Buchberger's
algorithm that keeps, for every element g, cofactors c with g = sum_k c_k e_k in terms of the
generators e.  :mod:`symeq.certify.slice_ideal` checks the hints without searching.

>>> from flint import fmpq_mpoly_ctx
>>> R = fmpq_mpoly_ctx.get(("x", "y"), "degrevlex")
>>> x, y = R.gens()
>>> eqs = [x * y - 1, x - 2, y - 1]
>>> cof = unit_cofactors(R, eqs)
>>> sum((c * e for c, e in zip(cof, eqs)), R.from_dict({})) == 1
True
"""

from __future__ import annotations

import heapq

__all__ = ["unit_cofactors", "member_cofactors", "terms", "GroebnerLimit"]


class GroebnerLimit(Exception):
    """Buchberger's algorithm needed more than its step limit."""


def _lead(p) -> tuple:
    return p.monomial(0), p.coefficient(0)


def _divides(a: tuple, b: tuple) -> bool:
    return all(x <= y for x, y in zip(a, b))


class _Tracked:
    """A growing Groebner basis whose elements carry their cofactors in the generators."""

    def __init__(self, ring, eqs: list, max_steps: int):
        self.ring, self.eqs, self.steps, self.max_steps = ring, eqs, 0, max_steps
        self.zero = ring.from_dict({})
        self.basis: list = []  # (poly, cofactors, (lead monomial, lead coefficient))
        self.queue: list = []  # the pending pairs by the degree of their lcm (normal strategy)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise GroebnerLimit(f"more than {self.max_steps} reduction steps")

    def reduce(self, p, cof: list) -> tuple:
        """(remainder, its cofactors, quotients) of p (with cofactors cof) by the current basis."""
        ring, quot, rem = self.ring, [self.zero] * len(self.basis), self.zero
        while p != 0:
            self.tick()
            m, c = _lead(p)
            for i, (g, _, (lm, lc)) in enumerate(self.basis):
                if _divides(lm, m):
                    t = ring.term(c / lc, tuple(a - b for a, b in zip(m, lm)))
                    p -= t * g
                    quot[i] += t
                    break
            else:
                rem += ring.term(c, m)
                p -= ring.term(c, m)
        rcof = [c - sum((q * gc[k] for q, (_, gc, _) in zip(quot, self.basis) if q != 0), self.zero)
                for k, c in enumerate(cof)]
        return rem, rcof, quot

    def run(self) -> None:
        """Buchberger's algorithm (normal selection strategy, his two criteria); stops early at a
        constant."""
        n, one = len(self.eqs), self.ring.from_dict({(0,) * self.ring.nvars(): 1})
        pending: set = set()
        for k, e in enumerate(self.eqs):
            r, rc, _ = self.reduce(e, [one if i == k else self.zero for i in range(n)])
            if r != 0:
                if self._add(r, rc, pending):
                    return
        while self.queue:
            _, i, j = heapq.heappop(self.queue)
            pending.discard((i, j))
            (gi, ci, (a, _)), (gj, cj, (b, _)) = self.basis[i], self.basis[j]
            top = self._lcm(i, j)
            if all(x == 0 or y == 0 for x, y in zip(a, b)) or any(
                    k not in (i, j) and _divides(self.basis[k][2][0], top)
                    and (min(i, k), max(i, k)) not in pending and (min(j, k), max(j, k)) not in pending
                    for k in range(len(self.basis))):
                continue  # the first criterion (coprime leads) and the chain criterion
            ti = self.ring.term(1, tuple(x - y for x, y in zip(top, a)))
            tj = self.ring.term(1, tuple(x - y for x, y in zip(top, b)))
            r, rc, _ = self.reduce(ti * gi - tj * gj, [ti * x - tj * y for x, y in zip(ci, cj)])
            if r != 0 and self._add(r, rc, pending):
                return

    def _lcm(self, i: int, j: int) -> tuple:
        return tuple(max(a, b) for a, b in zip(self.basis[i][2][0], self.basis[j][2][0]))

    def _add(self, p, cof: list, pending: set) -> bool:
        """Add p (made monic) and its pairs; True when p is a constant (the unit ideal)."""
        lm, lc = _lead(p)
        self.basis.append((p / lc, [c / lc for c in cof], (lm, 1)))
        for k in range(len(self.basis) - 1):
            pending.add((k, len(self.basis) - 1))
            heapq.heappush(self.queue, (sum(self._lcm(k, len(self.basis) - 1)), k, len(self.basis) - 1))
        return p.is_constant()


def unit_cofactors(ring, eqs: list, max_steps: int = 200_000) -> list:
    """Cofactors c with sum_k c_k e_k = 1; raises ValueError when the ideal is not the unit ideal."""
    tr = _Tracked(ring, eqs, max_steps)
    tr.run()
    for g, cof, _ in tr.basis:
        if g.is_constant() and g != 0:
            return [c / g.leading_coefficient() for c in cof]
    raise ValueError("the ideal is not the unit ideal")


def member_cofactors(ring, eqs: list, targets: list, max_steps: int = 200_000) -> list:
    """For every target t of the ideal, cofactors c with t = sum_k c_k e_k (ValueError otherwise)."""
    tr = _Tracked(ring, eqs, max_steps)
    tr.run()
    out = []
    for t in targets:
        r, _, quot = tr.reduce(t, [tr.zero] * len(eqs))
        if r != 0:
            raise ValueError(f"{t} is not in the ideal")
        out.append([sum((q * gc[k] for q, (_, gc, _) in zip(quot, tr.basis) if q != 0), tr.zero)
                    for k in range(len(eqs))])
    return out


def terms(p) -> list:
    """The hint form of a polynomial: [[COEFF, [EXPONENTS]], ...]."""
    return [[str(c), [int(e) for e in m]] for m, c in zip(p.monoms(), p.coeffs())]
