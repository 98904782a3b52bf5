"""Todd-Coxeter coset enumeration (the HLT strategy), with a budget on defined cosets.

For a finitely presented group <x_0..x_{k-1} | R> and a subgroup H given by words, the
enumeration builds the coset table of H: row c, column 2j (resp. 2j+1) holds the coset c x_j
(resp. c x_j^-1).  If the enumeration closes, the number of rows is the index [<X|R> : H]; with
H trivial it is the order of the group.  A group given by a wrong (too weak) presentation is
infinite or large, and the enumeration then stops at the budget.

Words are lists of (generator position, exponent) pairs.

>>> len(coset_table(2, [[(0, 3)], [(1, 2)], [(0, 1), (1, 1), (0, 1), (1, 1)]]))
6
>>> coset_table(2, [[(0, 2)], [(1, 2)]], limit=100)
Traceback (most recent call last):
...
symeq.errors.BudgetExceeded: coset enumeration defined more than 100 cosets
"""

from __future__ import annotations

from collections.abc import Sequence

from symeq.errors import BudgetExceeded

__all__ = ["coset_table", "trace_word", "DEFAULT_COSET_LIMIT"]

#: Default largest number of cosets an enumeration may define.
DEFAULT_COSET_LIMIT = 200_000

WordSpec = Sequence[tuple[int, int]]


def _columns(word: WordSpec) -> list[int]:
    """A word as a list of table columns, freely reduced."""
    out: list[int] = []
    for k, e in word:
        col = 2 * k + (0 if e > 0 else 1)
        for _ in range(abs(e)):
            if out and out[-1] == col ^ 1:
                out.pop()
            else:
                out.append(col)
    return out


class _Enumeration:
    def __init__(self, ncols: int, limit: int) -> None:
        self.ncols = ncols
        self.limit = limit
        self.table: list[list[int]] = [[-1] * ncols]
        self.parent: list[int] = [0]  # forwarding pointers of dead cosets
        self.queue: list[int] = []

    def rep(self, c: int) -> int:
        p = self.parent
        root = c
        while p[root] != root:
            root = p[root]
        while p[c] != root:  # path compression
            p[c], c = root, p[c]
        return root

    def define(self, c: int, col: int) -> None:
        n = len(self.table)
        if n >= self.limit:
            raise BudgetExceeded(f"coset enumeration defined more than {self.limit} cosets")
        self.table.append([-1] * self.ncols)
        self.parent.append(n)
        self.table[c][col] = n
        self.table[n][col ^ 1] = c

    def merge(self, a: int, b: int) -> None:
        a, b = self.rep(a), self.rep(b)
        if a != b:
            lo, hi = min(a, b), max(a, b)
            self.parent[hi] = lo
            self.queue.append(hi)

    def coincidence(self, a: int, b: int) -> None:
        self.queue = []
        self.merge(a, b)
        i = 0
        table = self.table
        while i < len(self.queue):
            g = self.queue[i]
            i += 1
            for col in range(self.ncols):
                d = table[g][col]
                if d < 0:
                    continue
                table[d][col ^ 1] = -1
                m, n = self.rep(g), self.rep(d)
                if table[m][col] >= 0:
                    self.merge(n, table[m][col])
                elif table[n][col ^ 1] >= 0:
                    self.merge(m, table[n][col ^ 1])
                else:
                    table[m][col] = n
                    table[n][col ^ 1] = m

    def scan_and_fill(self, c: int, word: list[int]) -> None:
        table = self.table
        f, b, i, j = c, c, 0, len(word) - 1
        while True:
            while i <= j and table[f][word[i]] >= 0:
                f = table[f][word[i]]
                i += 1
            if i > j:
                if f != b:
                    self.coincidence(f, b)
                return
            while j >= i and table[b][word[j] ^ 1] >= 0:
                b = table[b][word[j] ^ 1]
                j -= 1
            if j < i:
                self.coincidence(f, b)
                return
            if i == j:  # a deduction closes the cycle
                table[f][word[i]] = b
                table[b][word[i] ^ 1] = f
                return
            self.define(f, word[i])

    def live(self, c: int) -> bool:
        return self.parent[c] == c


def coset_table(ngens: int, relators: Sequence[WordSpec], subgroup: Sequence[WordSpec] = (),
                limit: int = DEFAULT_COSET_LIMIT) -> list[list[int]]:
    """The closed coset table of the subgroup (default trivial) in <x_0..x_{ngens-1} | relators>.

    Rows are numbered 0..index-1 (0 is the subgroup itself) in order of first definition;
    raises BudgetExceeded when more than ``limit`` cosets are defined.
    """
    ncols = 2 * ngens
    rels = [w for w in (_columns(r) for r in relators) if w]
    E = _Enumeration(ncols, limit)
    for h in subgroup:
        w = _columns(h)
        if w:
            E.scan_and_fill(0, w)
    c = 0
    while c < len(E.table):
        for w in rels:
            if not E.live(c):
                break
            E.scan_and_fill(c, w)
        if E.live(c):
            for col in range(ncols):
                if E.table[c][col] < 0:
                    E.define(c, col)
        c += 1
    alive = [c for c in range(len(E.table)) if E.live(c)]
    number = {c: k for k, c in enumerate(alive)}
    return [[number[E.rep(E.table[c][col])] for col in range(ncols)] for c in alive]


def trace_word(table: Sequence[Sequence[int]], word: WordSpec, start: int = 0) -> int:
    """The coset reached from ``start`` along ``word`` in a closed coset table.

    >>> t = coset_table(1, [[(0, 3)]])
    >>> trace_word(t, [(0, 4)]) == trace_word(t, [(0, 1)])
    True
    """
    c = start
    for col in _columns(word):
        c = table[c][col]
    return c
