"""Finite groups of matrices: relations, the closure (Cayley graph), homomorphisms along it, and a
count that proves a list of homomorphisms C_n -> B_d (or S_d) one per conjugacy class: distinct
signed cycle types whose class sizes sum to #{x : x^n = 1}, from its generating function.

>>> from symeq.kernel.numbers import Field
>>> from symeq.kernel.linalg import matrix
>>> F = Field()
>>> closure(Group(("r",), (matrix(F, [[0, -1], [1, 0]]),), (matrix(F, [[1]]),)))
(4, [[1, 2, 3, 0]])
>>> solutions(2, 2, True), complete_cyclic_classes([(1, 2), (1, -2), (-1, -2), (2, 1)], 2, 2, True)
(6, True)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import factorial, lcm, prod

from symeq.kernel.core import Budget, Reject, tick
from symeq.kernel.linalg import eye, inverse, mul, require_equal

#: Largest group the kernel closes.
MAX_ORDER = 5000

@dataclass(frozen=True)
class Group:
    """Generators g -> (rho_0(g), rho_L(g)) and relation words ((generator, exponent), ...)."""

    names: tuple[str, ...]
    inputs: tuple
    outputs: tuple
    words: tuple = ()
    texts: tuple = ()

    def generator(self, name: str) -> tuple:
        if name not in self.names:
            raise Reject(f"unknown generator {name[:40]!r}")
        return self.inputs[self.names.index(name)], self.outputs[self.names.index(name)]

def check_group(c, G: Group) -> None:
    """The generator matrices are invertible and every relation word is the identity on both sides."""
    for side, mats in (("rho_0", G.inputs), ("rho_L", G.outputs)):
        invs, one = [inverse(m) for m in mats], eye(c.F, len(mats[0]))
        for word, text in zip(G.words, G.texts):
            out = one
            for k, e in word:  # repeated squaring
                base, e = (mats[k] if e > 0 else invs[k]), abs(e)
                while e:
                    out, base, e = (mul(out, base) if e & 1 else out), (mul(base, base) if e > 1 else base), e >> 1
            require_equal(out, one, f"group relation {text[:40]!r} on {side}")
    c.step(f"group: generators {', '.join(G.names)} are invertible" + (f"; relations {', '.join(G.texts)} hold" if G.texts else ""))

def closure(G: Group, limit: int = MAX_ORDER) -> tuple[int, list[list[int]]]:
    """|G| and right multiplication by each generator on element numbers (0 is the identity)."""
    F = G.inputs[0][0][0].f
    elements = [(eye(F, len(G.inputs[0])), eye(F, len(G.outputs[0])))]
    key = lambda pair: tuple(str(x.n) if x.d is None else _no_key() for m in pair for r in m for x in r)  # noqa: E731
    index, right = {key(elements[0]): 0}, [[] for _ in G.names]
    for x in elements:  # grows while it is walked: breadth first
        for j, gen in enumerate(zip(G.inputs, G.outputs)):
            y = (mul(x[0], gen[0]), mul(x[1], gen[1]))
            if key(y) not in index:
                if len(elements) >= limit:
                    raise Budget(f"the group has more than {limit} elements")
                index[key(y)] = len(elements)
                elements.append(y)
            right[j].append(index[key(y)])
    return len(elements), right

def _no_key():
    raise Reject("a group element divides by pi or a symbol: it has no canonical form to close G with")

def extends(right: list[list[int]], images: list, compose, same) -> bool:
    """Do the generator images extend to a homomorphism?  phi(h g_j) = compose(phi(h), images[j])
    along the Cayley graph, every element receiving one image; ``same(x, y, _)`` decides x = y,
    with x None for the identity (phi of the identity element)."""
    phi, stack = {0: None}, [0]
    while stack:
        h = stack.pop()
        tick()
        for j, col in enumerate(right):
            y = images[j] if phi[h] is None else compose(phi[h], images[j])
            if col[h] not in phi:
                phi[col[h]] = y
                stack.append(col[h])
            elif not same(phi[col[h]], y, None):
                return False
    return True

# -- signed permutations: x[j] = +-(p(j) + 1) sends e_j to +-e_p(j) ------------------------------------

def compose(x: tuple, y: tuple) -> tuple:
    """x after y."""
    return tuple((1 if v > 0 else -1) * x[abs(v) - 1] for v in y)

def cycle_type(x: tuple) -> tuple:
    """The sorted (length, product of signs) of the cycles: a complete invariant of conjugacy in
    B_d (and, all signs +, in S_d)."""
    seen, out = set(), []
    for j in range(len(x)):
        length, sign, k = 0, 1, j
        while k not in seen:
            seen.add(k)
            length, sign, k = length + 1, sign * (1 if x[k] > 0 else -1), abs(x[k]) - 1
        out += [(length, sign)] if length else []
    return tuple(sorted(out))

def solutions(n: int, d: int, signed: bool) -> int:
    """#{x in B_d (or S_d) : x^n = 1} = d! [t^d] exp(S(t)), S summing over the cycles whose order
    divides n (a signed l-cycle has order l or 2l; there are 2^(l-1) (l-1)! of each)."""
    s = [Fraction(0)] + [Fraction((2 ** (k - 1) if signed else 1) * ((n % k == 0) + (signed and n % (2 * k) == 0)), k)
                         for k in range(1, d + 1)]
    e = [Fraction(1)]
    for m in range(1, d + 1):  # E' = S' E
        e.append(sum(k * s[k] * e[m - k] for k in range(1, m + 1)) / m)
    return int(e[d] * factorial(d))

def complete_cyclic_classes(reps: list[tuple], n: int, d: int, signed: bool) -> bool:
    """Are ``reps`` (images of a generator of C_n) one per conjugacy class of homomorphisms
    C_n -> B_d (or S_d), and every class?  Their orders divide n, their cycle types are distinct,
    and the class sizes |K| / |C(x)| (|C(x)| = prod (2l)^m m!, or l^m m!) sum to #{x : x^n = 1}."""
    types = [cycle_type(x) for x in reps]
    if any(n % lcm(*(k if s > 0 else 2 * k for k, s in t)) for t in types) or len(set(types)) != len(types):
        return False
    size = factorial(d) * (2 ** d if signed else 1)
    cent = [prod(((2 if signed else 1) * k) ** m * factorial(m) for (k, _), m in Counter(t).items()) for t in types]
    return sum(size // c for c in cent) == solutions(n, d, signed)

def count_matchings(options: list[set[int]]) -> int:
    """The number of bijections j -> p(j) with p(j) in options[j] (a permanent, by dynamic
    programming over the sets of used targets)."""
    counts = {0: 1}
    for opts in options:
        new: dict[int, int] = {}
        for mask, k in counts.items():
            tick()
            for p in opts:
                if not mask >> p & 1:
                    new[mask | 1 << p] = new.get(mask | 1 << p, 0) + k
        counts = new
    return sum(counts.values())
