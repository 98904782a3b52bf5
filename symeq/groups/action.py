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
from functools import lru_cache
from typing import Any

import sympy
from sympy import ImmutableMatrix
from sympy.combinatorics import Permutation, PermutationGroup
from flint import fmpq, fmpq_mat
from sympy.polys.numberfields.subfield import primitive_element

from symeq.errors import InputError
from symeq.exact import Matrix, domain_matrix, matrix_to_strings

__all__ = ["GroupAction", "DEFAULT_ORDER_LIMIT", "check_generator_names", "parse_word", "canonical", "infinite_order_reason",
           "signed_permutation_order", "NESTED_FIELDS"]

#: Closure stops, and the group is refused, past this many elements.
DEFAULT_ORDER_LIMIT = 10_000

#: Longest relation word accepted (characters).
MAX_WORD = 2000

_WORD_TOKEN = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)(?:\s*\^\s*(-?\d+))?\s*")

Pair = tuple[Matrix, Matrix]


def canonical(m: Matrix) -> Matrix:
    """A matrix with canonical entries, so equal algebraic numbers compare equal.

    Entries built from square roots of rationals are expanded (a rational combination of
    square roots of square-free integers is unique).  Entries with NESTED square roots
    (cos and sin of 2 pi / n for n = 5, 10, 15, 16, 20) are written in the fixed basis of a
    registered field (:data:`NESTED_FIELDS`), because expand + radsimp does not decide
    equality there: sqrt(5/8 - sqrt(5)/8) * sqrt(sqrt(5)/8 + 5/8) stays a product, yet it is
    sqrt(5)/4.

    >>> s = sympy.sqrt(sympy.Rational(5, 8) - sympy.sqrt(5) / 8)
    >>> canonical(ImmutableMatrix([[s * sympy.sqrt(sympy.Rational(5, 8) + sympy.sqrt(5) / 8)]]))
    Matrix([[sqrt(5)/4]])
    """
    # Reading sympy's internal domain is ~100x faster than iterating entries (the closure
    # of a group calls this for every product).
    rep = getattr(m, "_rep", None)
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ):
        return m
    if all(x.is_Rational for x in m):
        return m
    return ImmutableMatrix(m.applyfunc(_canonical_entry))


#: Fields in which entries with nested square roots get one canonical expression, each given
#: by square roots g_1, ..., g_k whose 2^k products (subsets, in a fixed order) are a basis
#: over QQ.  A field listed later that contains an earlier one extends its generators, so a
#: number gets the same expression whichever field writes it, and a number of Q(sqrt(5)) gets
#: the expression expand() gives (c0 + c1*sqrt(5)).  They hold cos and sin of 2 pi / n for
#: n = 5, 10, 20 (the first), 16 (the second) and 15 (the third).
NESTED_FIELDS: tuple[tuple[sympy.Expr, ...], ...] = (
    (sympy.sqrt(5), sympy.sqrt(sympy.Rational(5, 8) - sympy.sqrt(5) / 8)),
    (sympy.sqrt(2), sympy.sqrt(sympy.Rational(1, 2) - sympy.sqrt(2) / 4)),
    (sympy.sqrt(3), sympy.sqrt(5), sympy.sqrt(sympy.Rational(5, 8) - sympy.sqrt(5) / 8)),
)


class _NotInField(Exception):
    """The expression is not (visibly) an element of the field."""


@dataclass(frozen=True)
class _Field:
    """A registered field: sympy's algebraic field K, the product basis and the matrix taking
    power-basis coordinates (of K's primitive element) to product-basis coordinates."""

    K: Any
    basis: tuple[sympy.Expr, ...]
    to_basis: tuple[tuple[Any, ...], ...]
    atoms: dict = field(default_factory=dict, compare=False, hash=False)

    @staticmethod
    def build(gens: tuple[sympy.Expr, ...]) -> "_Field":
        # the primitive element gives each generator's coordinates at once (converting each
        # basis product with to_number_field took seconds)
        _, coeffs, images = primitive_element(list(gens), ex=True)
        K = sympy.QQ.algebraic_field(sympy.Add(*[c * g for c, g in zip(coeffs, gens)]))
        g_el = [K([sympy.QQ.convert(c) for c in h]) for h in images]
        basis, elems = [], []
        for mask in range(1 << len(gens)):
            basis.append(sympy.Mul(*[g for j, g in enumerate(gens) if mask >> j & 1]))
            e = K.one
            for j, g in enumerate(g_el):
                if mask >> j & 1:
                    e = e * g
            elems.append(e)
        d = len(basis)
        if K.mod.degree() != d:
            raise AssertionError(f"registered field {gens} has degree {K.mod.degree()}, not {d}")
        cols = [_power_coords(K, e, d) for e in elems]
        B = sympy.Matrix(d, d, lambda i, j: cols[j][i])
        inv = B.inv()  # rational d x d, d <= 8: once per field
        to_basis = tuple(tuple(sympy.QQ.from_sympy(inv[i, j]) for j in range(d)) for i in range(d))
        return _Field(K, tuple(basis), to_basis, dict(zip(gens, g_el)))

    def knows(self, x: sympy.Expr) -> bool:
        """Every square root in x is already known to lie in K (no conversion needed)."""
        return all(self.atoms.get(sympy.sqrt(p.base)) is not None for p in x.atoms(sympy.Pow)
                   if p.exp.is_Rational and p.exp.q == 2)

    def element(self, x: sympy.Expr, whole: bool = False) -> Any:
        """x as an element of K, read through +, *, integer powers and square roots
        (``whole``: a product whose factors leave K is converted as a whole, slowly)."""
        K = self.K
        if x.is_Rational:
            return K.convert(sympy.QQ(int(x.p), int(x.q)))
        if x.is_Add:
            out = K.zero
            for t in x.args:
                out = out + self.element(t, whole)
            return out
        if x.is_Mul:
            out = K.one
            try:
                for t in x.args:
                    out = out * self.element(t, whole)
                return out
            except _NotInField:
                if not whole:
                    raise
                # sympy splits roots (sqrt(5/8 - sqrt(5)/8) becomes sqrt(2)*sqrt(5 - sqrt(5))/4
                # in an inverse): the factors leave K, their product need not
                return self._convert(x)
        if x.is_Pow and x.exp.is_Integer:
            b = self.element(x.base, whole)
            e = int(x.exp)
            if e < 0:
                if not b:
                    raise _NotInField
                b, e = K.one / b, -e
            return b ** e
        if x.is_Pow and x.exp.is_Rational and x.exp.q == 2:
            # a square root (times an integer power): its image in K, found once per atom
            r = self._convert(sympy.sqrt(x.base))
            k = (int(x.exp.p) - 1) // 2  # x = base^k * sqrt(base)
            if k == 0:
                return r
            b = self.element(x.base, whole)
            if k < 0:
                if not b:
                    raise _NotInField
                b, k = K.one / b, -k
            return b ** k * r
        raise _NotInField

    def _convert(self, x: sympy.Expr) -> Any:
        """x in K by sympy's to_number_field (slow: once per atom, cached)."""
        if x not in self.atoms:
            try:
                self.atoms[x] = self.K.from_sympy(x)
            except Exception:  # sympy raises several types for "not in this field"
                self.atoms[x] = None
        if self.atoms[x] is None:
            raise _NotInField
        return self.atoms[x]

    def expression(self, a: Any) -> sympy.Expr:
        """The canonical sympy expression of the field element a: sum of c_i * basis_i."""
        pc = _power_coords(self.K, a, len(self.basis))
        terms = []
        for row, b in zip(self.to_basis, self.basis):
            c = sum((r * p for r, p in zip(row, pc)), sympy.QQ.zero)
            if c:
                terms.append(sympy.Rational(int(c.numerator), int(c.denominator)) * b)
        return sympy.Add(*terms)


def _power_coords(K: Any, a: Any, d: int) -> list[Any]:
    """Coordinates of a in the power basis 1, theta, ..., theta^(d-1)."""
    coeffs = list(reversed(a.to_list()))  # to_list is highest degree first
    return [sympy.QQ.convert(c) for c in coeffs] + [sympy.QQ.zero] * (d - len(coeffs))


_FIELDS: dict[int, _Field] = {}


def _field(k: int) -> _Field:
    """The k-th registered field, built on first use."""
    if k not in _FIELDS:
        _FIELDS[k] = _Field.build(NESTED_FIELDS[k])
    return _FIELDS[k]


def _has_nested_root(x: sympy.Expr) -> bool:
    return any(p.exp.is_Rational and not p.exp.is_Integer and not p.base.is_Rational
               for p in x.atoms(sympy.Pow))


@lru_cache(maxsize=65536)
def _canonical_entry(x: sympy.Expr) -> sympy.Expr:
    """One canonical expression per algebraic number (see :func:`canonical`)."""
    if x.is_Rational:
        return x
    if _has_nested_root(x):
        # first by atoms only (fast: every product in a closure is read so), then converting
        # products whose factors leave the field (sympy's inv() splits roots that way)
        for whole in (False, True):
            fields = [_field(k) for k in range(len(NESTED_FIELDS))]
            # a field whose atoms are all known first: converting an atom costs ~0.2 s
            fields.sort(key=lambda F: not F.knows(x))
            for F in fields:
                try:
                    return F.expression(F.element(x, whole))
                except _NotInField:
                    continue
    # outside the registered fields: expanded, denominators rationalized (canonical for
    # rational combinations of square roots of rationals, a best effort beyond)
    # (expanded again: radsimp returns (-1 + sqrt(5))/4 for (3 - sqrt(5))/(2*sqrt(5) - 2))
    return sympy.expand(sympy.radsimp(sympy.expand(x)))


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

    A signed permutation matrix (image pixels, coordinate shifts) needs no elimination: its
    determinant is the sign of the permutation times the product of the signs, in O(d) (the
    elimination is cubic: minutes for the 3072 x 3072 pixel action of a 32 x 32 x 3 image).
    """
    images = _signed_images(m)
    if images is not None:
        d = m.rows
        sign, seen = 1, [False] * d
        for j in range(d):
            if images[j] >= d:
                sign = -sign
            if not seen[j]:  # a cycle of length c contributes (-1)^(c - 1)
                c, k = 0, j
                while not seen[k]:
                    seen[k] = True
                    k = images[k] % d
                    c += 1
                if c % 2 == 0:
                    sign = -sign
        return sympy.Integer(sign)
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


def _flint_trace_reason(x: tuple[Any, Any]) -> str | None:
    """Why a pair of rational matrices has infinite order, from the trace (a rational matrix of
    finite order has an integer trace of size at most d), or None."""
    for m, side in ((x[0], "input"), (x[1], "output")):
        t = sum((m[i, i] for i in range(m.nrows())), fmpq(0))
        if t.q != 1:
            return f"{side} trace {t} is not an integer"
        if abs(t) > m.nrows():
            return f"{side} trace {t} exceeds the dimension {m.nrows()} in absolute value"
    return None


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


def check_generator_names(names: tuple[str, ...]) -> None:
    """At least one generator, and distinct names (every architecture's group action checks
    its generators this way).

    >>> check_generator_names(("r", "r"))
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: generator names must be distinct
    """
    if not names:
        raise InputError("a group needs at least one generator")
    if len(set(names)) != len(names):
        raise InputError("generator names must be distinct")


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
        check_generator_names(self.names)
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
        if rational:
            order, seen = self._rational_closure()
            self._cache["elements"] = order
            self._cache["index"] = seen
            return order
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

    def _rational_closure(self) -> tuple[list[Pair], dict[Pair, int]]:
        """The closure of rational generators: on signed permutations of the vectors +-e_j when
        every generator is one, else on python-flint matrices (sympy's matrix products and
        hashes took 40 s for the 4096 elements of C_2^12 on R^12); the elements become sympy
        matrices once, at the end."""
        signed = [(_signed_images(a), _signed_images(b)) for a, b in zip(self.inputs, self.outputs)]
        if all(x is not None and y is not None for x, y in signed):
            d0, dl = self.input_dim, self.output_dim
            dims = [d0] * d0 + [dl] * dl
            offsets = [0] * d0 + [d0] * dl

            def mul(x: tuple[int, ...], a: tuple[int, ...]) -> tuple[int, ...]:
                # (x a)(e_j) = x(a(e_j)), and x(-e_i) = -x(e_i); a value k < d is +e_k, k >= d is -e_{k-d}
                out = []
                for j, k in enumerate(a):
                    d, o = dims[j], offsets[j]
                    m = x[o + k % d]
                    out.append(m if k < d else (m + d) % (2 * d))
                return tuple(out)

            elements, words = self._closure([tuple(x) + tuple(y) for x, y in signed],  # type: ignore[operator]
                                            tuple(range(d0)) + tuple(range(dl)), mul, lambda x: x, None)
            order = [self._from_signed(x) for x in elements]
        else:
            def flint(m: Matrix) -> fmpq_mat:
                return fmpq_mat(m.rows, m.cols, [fmpq(int(v.p), int(v.q)) for v in m])

            def key(x: tuple[fmpq_mat, fmpq_mat]) -> tuple[Any, ...]:
                (n0, d0), (n1, d1) = x[0].numer_denom(), x[1].numer_denom()
                return (int(d0), int(d1), *n0.entries(), *n1.entries())

            one = (flint(ImmutableMatrix.eye(self.input_dim)), flint(ImmutableMatrix.eye(self.output_dim)))
            elements, words = self._closure([(flint(a), flint(b)) for a, b in zip(self.inputs, self.outputs)],
                                            one, lambda x, a: (x[0] * a[0], x[1] * a[1]), key, _flint_trace_reason)

            def back(m: fmpq_mat) -> Matrix:
                return ImmutableMatrix(m.nrows(), m.ncols(), [sympy.Rational(int(v.p), int(v.q)) for v in m.entries()])
            order = [(back(a), back(b)) for a, b in elements]
        return order, {pair: n for n, pair in enumerate(order)}

    def _closure(self, gens: list[Any], one: Any, mul: Any, key: Any, infinite: Any) -> tuple[list[Any], list[str]]:
        """Breadth-first closure of ``gens`` from ``one`` (elements compared by ``key``), refused
        past ``order_limit``; ``infinite(x)`` (when given) names why x has infinite order."""
        elements, words, seen = [one], [""], {key(one): 0}
        for k, x in enumerate(elements):  # grows while it is read: breadth first
            for name, a in zip(self.names, gens):
                y = mul(x, a)
                ky = key(y)
                if ky in seen:
                    continue
                if len(elements) >= self.order_limit:
                    raise InputError(f"the generators produce more than {self.order_limit} elements: "
                                     "the group is infinite or too large")
                word = f"{words[k]} {name}".strip()
                why = infinite(y) if infinite is not None else None
                if why is not None:
                    raise InputError(f"the generators produce more than {self.order_limit} elements: the "
                                     f"group is infinite (the matrix of {word!r} has infinite order: {why})")
                seen[ky] = len(elements)
                elements.append(y)
                words.append(word)
        return elements, words

    def _from_signed(self, x: tuple[int, ...]) -> Pair:
        """The pair of signed permutation matrices of images x (see _signed_images)."""
        out = []
        for d, part in ((self.input_dim, x[:self.input_dim]), (self.output_dim, x[self.input_dim:])):
            m = [0] * (d * d)
            for j, k in enumerate(part):
                m[(k % d) * d + j] = 1 if k < d else -1
            out.append(ImmutableMatrix(d, d, m))
        return out[0], out[1]

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
