"""A finite group G acting on the input and output spaces: rho_0 and rho_L.

G is given by named generators, each a pair (rho_0(g), rho_L(g)) of exact invertible matrices;
G is the group those pairs generate.  Its elements are found by closure with a size limit, and
optional relations (words such as ``"r^4"`` or ``"s r s r"``) are checked.

>>> from sympy import ImmutableMatrix as M
>>> r = M([[0, -1], [1, 0]])
>>> G = GroupAction(("r",), (r,), (r,), relations=("r^4",))
>>> G.order()
4
>>> G.evaluate_word("r r r r")[0] == M.eye(2)
True
>>> GroupAction(("r",), (r,), (r,), relations=("r^3",)).check_relations()
Traceback (most recent call last):
...
symeq.errors.InputError: relation 'r^3' does not hold: it evaluates to a non-identity element
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import ImmutableMatrix
from sympy.combinatorics import Permutation, PermutationGroup

from symeq.errors import InputError
from symeq.exact import Matrix, domain_matrix, matrix_to_strings

__all__ = ["GroupAction", "DEFAULT_ORDER_LIMIT", "parse_word", "canonical", "infinite_order_reason",
           "signed_permutation_order"]

#: Closure stops, and the group is refused, past this many elements.
DEFAULT_ORDER_LIMIT = 10_000

#: Longest relation word accepted (characters).
MAX_WORD = 2000

_WORD_TOKEN = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)(?:\s*\^\s*(-?\d+))?\s*")

Pair = tuple[Matrix, Matrix]


def canonical(m: Matrix) -> Matrix:
    """A matrix with expanded entries, so equal algebraic numbers compare equal."""
    # Reading sympy's internal domain is ~100x faster than iterating entries (the closure
    # of a group calls this for every product).
    rep = getattr(m, "_rep", None)
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ):
        return m
    if all(x.is_Rational for x in m):
        return m
    return ImmutableMatrix(m.applyfunc(lambda x: sympy.radsimp(sympy.expand(x))))


def _is_rational(m: Matrix) -> bool:
    rep = getattr(m, "_rep", None)
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ):
        return True
    return all(x.is_Rational for x in m)


def _det(m: Matrix) -> sympy.Expr:
    """det(m) over an explicit exact domain (QQ or an algebraic field, on FLINT for QQ):
    sympy's Matrix.det took 12 s on an 80 x 80 permutation matrix, this takes milliseconds.

    >>> _det(ImmutableMatrix([[0, -1], [1, 0]]))
    1
    """
    rep = getattr(m, "_rep", None)
    dm = rep if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ) else domain_matrix(m)
    return sympy.expand(dm.domain.to_sympy(dm.det()))


def _trace_reason(m: Matrix) -> str | None:
    """The cheap test of :func:`infinite_order_reason` for a rational matrix (run on every
    element during closure): a rational matrix of finite order has an integer trace of
    absolute value at most d (a sum of d roots of unity)."""
    trace = m.trace()
    if not trace.is_Integer:
        return f"its trace {trace} is not an integer"
    if abs(trace) > m.rows:
        return f"its trace {trace} exceeds the dimension {m.rows} in absolute value"
    return None


def _cyclotomic_index(f: sympy.Poly) -> int | None:
    """k with f = Phi_k (f monic irreducible over QQ), or None."""
    deg = f.degree()
    for k in range(1, 2 * deg * deg + 3):  # phi(k) >= sqrt(k / 2), so phi(k) = deg needs k <= 2 deg^2
        if sympy.totient(k) == deg and sympy.Poly(sympy.cyclotomic_poly(k, f.gen), f.gen).all_coeffs() == f.all_coeffs():
            return k
    return None


def infinite_order_reason(m: Matrix) -> str | None:
    """Why the invertible matrix ``m`` has infinite order, or None when it has finite order
    (rational ``m``) or no reason is found (algebraic ``m``).

    A real matrix of finite order has determinant +-1, and its eigenvalues are roots of
    unity: the trace is an algebraic integer of absolute value at most d.  For a rational
    matrix the test is complete: every irreducible factor of the characteristic polynomial
    must be a cyclotomic polynomial Phi_k, and m^N = I for N the lcm of those k (a shear
    such as [[1, 1], [0, 1]] passes the first test and fails the second).  Each failed test
    is an exact proof; for algebraic matrices passing proves nothing and closure decides.

    >>> infinite_order_reason(ImmutableMatrix([[3, -4], [4, 3]]) / 5)
    'its trace 6/5 is not an integer'
    >>> infinite_order_reason(ImmutableMatrix([[1, 1], [0, 1]]))
    'its eigenvalues are roots of unity of order dividing 1, but its power 1 is not the identity'
    >>> infinite_order_reason(ImmutableMatrix([[0, -1], [1, 0]])) is None
    True
    """
    d = m.rows
    if _is_rational(m):
        det = _det(m)
        if det not in (1, -1):
            return f"its determinant {det} is not 1 or -1"
        why = _trace_reason(m)
        if why is not None:
            return why
        x = sympy.Symbol("x")  # (factor_list does not factor over a Dummy generator)
        n = 1
        for f, _ in sympy.Poly(m.charpoly(x).as_expr(), x).factor_list()[1]:
            f = f.monic()
            k = _cyclotomic_index(f)
            if k is None:
                return (f"its characteristic polynomial has the factor {f.as_expr()}, "
                        "so an eigenvalue is not a root of unity")
            n = sympy.ilcm(n, k)
        if _power(m, int(n)) != ImmutableMatrix.eye(d):
            return f"its eigenvalues are roots of unity of order dividing {n}, but its power {n} is not the identity"
        return None
    det = _det(m)
    if not det.free_symbols and (abs(det) - 1).is_zero is False:
        return f"its determinant {det} is not 1 or -1"
    trace = sympy.radsimp(sympy.expand(m.trace()))
    if not trace.free_symbols and (abs(trace) > d) is sympy.true:
        return f"its trace {trace} exceeds the dimension {d} in absolute value"
    return None


def _signed_images(m: Matrix) -> list[int] | None:
    """For a signed permutation matrix, where e_j goes: k for +e_k, k + d for -e_k; else None."""
    rep = getattr(m, "_rep", None)
    if rep is None or not rep.domain.is_ZZ:
        return None
    d = m.rows
    images = [-1] * d
    for i, row in rep.to_sdm().items():
        for j, v in row.items():
            if v not in (1, -1) or images[j] != -1:
                return None
            images[j] = i if v == 1 else i + d
    return images if -1 not in images else None


def signed_permutation_order(inputs: tuple[Matrix, ...], outputs: tuple[Matrix, ...]) -> int | None:
    """|G| computed by Schreier-Sims when every generator acts by signed permutation matrices
    on both sides (G permutes the 2 d_0 + 2 d_L vectors +-e_j), else None.

    >>> r = ImmutableMatrix([[0, -1], [1, 0]])
    >>> signed_permutation_order((r,), (ImmutableMatrix([[1]]),))
    4
    """
    gens = []
    for a, b in zip(inputs, outputs):
        ia, ib = _signed_images(a), _signed_images(b)
        if ia is None or ib is None:
            return None
        da, db = a.rows, b.rows
        img = [0] * (2 * da + 2 * db)
        for j, k in enumerate(ia):  # e_j -> +-e_k, so -e_j -> -+e_k
            img[j], img[j + da] = k, (k + da) % (2 * da)
        for j, k in enumerate(ib):
            img[2 * da + j], img[2 * da + j + db] = 2 * da + k, 2 * da + (k + db) % (2 * db)
        gens.append(Permutation(img))
    return int(PermutationGroup(gens).order())


def _power(m: Matrix, exp: int) -> Matrix:
    """m ** exp by repeated squaring, entries kept canonical (exp >= 0)."""
    out = ImmutableMatrix.eye(m.rows)
    while exp:
        if exp & 1:
            out = canonical(out * m)
        exp >>= 1
        if exp:
            m = canonical(m * m)
    return out


def parse_word(word: str, names: tuple[str, ...]) -> list[tuple[str, int]]:
    """Split a word such as ``"s r^-1 s r"`` into (generator, exponent) pairs.

    >>> parse_word("s r^-1 s r", ("r", "s"))
    [('s', 1), ('r', -1), ('s', 1), ('r', 1)]
    """
    if not isinstance(word, str) or not word.strip():
        raise InputError("a relation must be a non-empty word such as \"r^4\"")
    if len(word) > MAX_WORD:
        raise InputError(f"relation {word[:40]!r}... is longer than {MAX_WORD} characters")
    out, pos = [], 0
    text = word.replace("*", " ")
    while pos < len(text):
        m = _WORD_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise InputError(f"cannot parse relation {word!r} at position {pos + 1}")
        name, exp = m.group(1), int(m.group(2) or 1)
        if name not in names:
            raise InputError(f"relation {word!r} names unknown generator {name!r}")
        if abs(exp) > 10_000:
            raise InputError(f"relation {word!r} has an exponent too large")
        out.append((name, exp))
        pos = m.end()
    return out


@dataclass(frozen=True)
class GroupAction:
    """G with rho_0 (``inputs``) and rho_L (``outputs``) given on named generators."""

    names: tuple[str, ...]
    inputs: tuple[Matrix, ...]
    outputs: tuple[Matrix, ...]
    relations: tuple[str, ...] = ()
    #: The catalog name this action came from, if any (for reports and files).
    catalog: str | None = None
    #: How the output action was given: "explicit", "same" or "trivial".
    output_mode: str = "explicit"
    order_limit: int = DEFAULT_ORDER_LIMIT
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        if not self.names:
            raise InputError("a group needs at least one generator")
        if len(set(self.names)) != len(self.names):
            raise InputError("generator names must be distinct")
        if not (len(self.names) == len(self.inputs) == len(self.outputs)):
            raise InputError("every generator needs an input and an output matrix")
        object.__setattr__(self, "inputs", tuple(canonical(ImmutableMatrix(m)) for m in self.inputs))
        object.__setattr__(self, "outputs", tuple(canonical(ImmutableMatrix(m)) for m in self.outputs))
        d_in, d_out = self.inputs[0].shape, self.outputs[0].shape
        for name, a, b in zip(self.names, self.inputs, self.outputs):
            for m, side, shape in ((a, "input", d_in), (b, "output", d_out)):
                if not m.is_square:
                    raise InputError(f"generator {name}: {side} matrix is not square")
                if m.shape != shape:
                    raise InputError(f"generator {name}: {side} matrix has shape {m.shape}, expected {shape}")
                if m.free_symbols:
                    raise InputError(f"generator {name}: {side} matrix contains symbols")
                if _det(m) == 0:
                    raise InputError(f"generator {name}: {side} matrix is singular")

    # -- basic data -------------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        return self.inputs[0].rows

    @property
    def output_dim(self) -> int:
        return self.outputs[0].rows

    def generator(self, name: str) -> Pair:
        """(rho_0(g), rho_L(g)) for the generator called ``name``."""
        try:
            k = self.names.index(name)
        except ValueError:
            raise InputError(f"unknown generator {name!r}; the group has {', '.join(self.names)}") from None
        return self.inputs[k], self.outputs[k]

    def generators(self) -> list[tuple[str, Matrix, Matrix]]:
        """[(name, rho_0(g), rho_L(g)), ...]."""
        return list(zip(self.names, self.inputs, self.outputs))

    # -- elements ---------------------------------------------------------------------------
    def elements(self) -> list[Pair]:
        """All elements (rho_0(g), rho_L(g)) of G, the identity first, in BFS order.

        Raises InputError when closure passes ``order_limit`` (an infinite group, e.g. an
        irrational rotation, or one too large for exact enumeration)."""
        if "elements" in self._cache:
            return self._cache["elements"]
        e = (ImmutableMatrix.eye(self.input_dim), ImmutableMatrix.eye(self.output_dim))
        seen = {e: 0}
        order = [e]
        words = [""]
        queue = deque([0])
        gens = list(zip(self.names, self.inputs, self.outputs))
        rational = all(_is_rational(m) for m in self.inputs + self.outputs)
        for name, a, b in gens:
            self._refuse_infinite(name, a, b)
        # Signed permutation groups: the order is known at once, so a group past the limit is
        # refused before enumerating (S30 took 6 s to hit the limit).
        known = signed_permutation_order(self.inputs, self.outputs)
        if known is not None and known > self.order_limit:
            raise InputError(
                f"the generators produce more than {self.order_limit} elements: the group is too "
                f"large (it has {known} elements)"
            )
        while queue:
            k = queue.popleft()
            x = order[k]
            for name, a, b in gens:
                y = (canonical(x[0] * a), canonical(x[1] * b))
                if y not in seen:
                    if len(order) >= self.order_limit:
                        raise InputError(
                            f"the generators produce more than {self.order_limit} elements: "
                            "the group is infinite or too large"
                        )
                    word = f"{words[k]} {name}".strip()
                    if rational:  # cheap exact test on every element: stop an infinite group early
                        self._refuse_infinite(word, *y, test=_trace_reason)
                    seen[y] = len(order)
                    order.append(y)
                    words.append(word)
                    queue.append(len(order) - 1)
        self._cache["elements"] = order
        self._cache["index"] = seen
        return order

    def _refuse_infinite(self, word: str, a: Matrix, b: Matrix, test: Any = None) -> None:
        for m, side in ((a, "input"), (b, "output")):
            why = (test or infinite_order_reason)(m)
            if why is not None:
                raise InputError(
                    f"the generators produce more than {self.order_limit} elements: the group is "
                    f"infinite (the {side} matrix of {word!r} has infinite order: {why})"
                )

    def order(self) -> int:
        """|G|."""
        return len(self.elements())

    def index(self, element: Pair) -> int:
        """The position of an element in :meth:`elements`."""
        self.elements()
        return self._cache["index"][(canonical(element[0]), canonical(element[1]))]

    def evaluate_word(self, word: str) -> Pair:
        """The element (rho_0, rho_L) named by a word in the generators."""
        a = ImmutableMatrix.eye(self.input_dim)
        b = ImmutableMatrix.eye(self.output_dim)
        for name, exp in parse_word(word, self.names):
            x, y = self.generator(name)
            if exp < 0:
                x, y, exp = canonical(x.inv()), canonical(y.inv()), -exp
            a, b = canonical(a * _power(x, exp)), canonical(b * _power(y, exp))
        return a, b

    def check_relations(self) -> None:
        """Raise InputError naming the first declared relation that does not hold."""
        for word in self.relations:
            a, b = self.evaluate_word(word)
            if a != ImmutableMatrix.eye(self.input_dim) or b != ImmutableMatrix.eye(self.output_dim):
                raise InputError(
                    f"relation {word!r} does not hold: it evaluates to a non-identity element"
                )

    # -- files ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``[group]`` table of the schema, with explicit matrices (self-contained)."""
        d: dict[str, Any] = {
            "generators": {
                n: {"input": matrix_to_strings(a), "output": matrix_to_strings(b)}
                for n, a, b in self.generators()
            }
        }
        if self.relations:
            d["relations"] = list(self.relations)
        if self.catalog:
            d["description"] = f"catalog group {self.catalog}"
        return d
