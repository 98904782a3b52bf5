"""The independent certificate checker: what "verified" means in symeq.

A certificate (docs/certificates.md) states a claim about a network and a group and carries
evidence.  :func:`verify_certificate` re-checks it from scratch and answers ``ok=True`` only if
every step below held, each decided in exact arithmetic (rationals, real algebraic numbers,
``pi`` and polynomial identities in the network's symbols; rigorous python-flint balls where a
transcendental activation has to be evaluated).  This kernel imports nothing from symeq besides
``symeq/certify/checker*.py``; it trusts only the standard library, sympy, mpmath, python-flint
and the table :data:`TRUSTED_RELATIONS` below, which tests/test_checker.py proves family by
family.  Anything it cannot decide is a rejection, never a guess.

"verified" for each core claim kind:

* ``equivariant`` / ``layerwise``: the group's generator matrices are invertible (and its listed
  relations hold); for every generator g there are hidden-layer maps k_1..k_{L-1} with
  f_i(k_{i-1} x) = k_i f_i(x) for every layer, k_0 = rho_0(g), k_L = rho_L(g): each neuron's
  row equation holds exactly (as a polynomial, or rational-function, identity in the symbols)
  and each monomial k_i uses a permutation and trusted relations.  Composing the layers gives
  f(rho_0(g) x) = rho_L(g) f(x) for every generator, hence for all of G.
* ``equivariant`` / ``polynomial_identity``: for a polynomial activation, every coefficient of
  f(rho_0(g) x) - rho_L(g) f(x), expanded in the inputs and the symbols, is zero.
* ``equivariant`` / ``relu_canonical_form``: for one hidden relu/leaky_relu layer with numeric
  parameters, f(rho_0(g) x) - rho_L(g) f(x) rewritten exactly as
  sum_h c_h relu(n_h.x + beta_h) + affine (each hyperplane scaled to a first nonzero entry +1)
  has every coefficient zero.
* ``not_equivariant`` / ``witness``: at the stated input x (symbols set to the stated exact
  values), |(f(rho_0(g) x) - rho_L(g) f(x))_k| >= q > 0: exactly for identity, relu,
  leaky_relu, power and poly; for tanh, sigmoid, gelu, softplus, swish and sin the ball of the
  difference, at increasing precision, lies strictly above q.

A "holds" claim about a symbolic network thus holds for every real value of the symbols (where
a symbolic denominator is nonzero).  Malformed certificates (missing keys, wrong shapes, unknown
or unsafe numbers, extra keys) are rejected with the first problem as the reason.

Extensions.  Later stages add claim kinds in modules ``symeq/certify/checker_<area>.py`` that
define ``CLAIMS: dict[str, Check]``, a ``Check`` being a function ``check(ctx: Context) ->
None`` that calls ``ctx.step(text)`` after each step held and raises :class:`Reject` on the first
that fails (it must record at least one step).  List the module in :data:`EXTENSIONS`; it is
imported on first use.  Helpers for extensions: :func:`parse_number`, :func:`is_zero`,
:func:`sign`, :class:`Reject` (from checker_parse); :func:`parse_network` / :class:`Network`,
:func:`parse_group` / :class:`Group`, ``ctx.network`` and ``ctx.group`` (parsed on demand),
:func:`layer` and :func:`forward` (exact or symbolic evaluation), :func:`forward_arb` (balls),
:func:`matrix`, :func:`vector`, :func:`require_equal`, :func:`field`, :func:`only_keys`,
:func:`is_trusted_relation`.

>>> cert = {"format": "symeq-certificate", "version": 1, "claim": {"kind": "equivariant"},
...   "network": {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["0"], ["0"]]},
...   "group": {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
...   "evidence": {"method": "layerwise", "actions": {"s": [
...       {"kind": "monomial", "perm": [0], "relations": [{"a": "-1", "c": "0", "b": "-1", "e": "0"}]}]}}}
>>> verify_certificate(cert).ok
True
>>> cert["network"]["biases"][0] = ["1/2"]
>>> print(verify_certificate(cert).reason)
generator s, layer 1: row equation of neuron 1 fails: bias 1/2 != -1/2
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy
from flint import arb, fmpq, fmpq_mat
from sympy import ImmutableMatrix, Integer

from symeq.certify.checker_parse import PRECISIONS, Reject, is_zero, parse_number, precision, sign, to_arb

__all__ = [
    "FORMAT", "VERSION", "EXTENSIONS", "TRUSTED_RELATIONS", "Verification", "Context", "Check",
    "Reject", "Activation", "Network", "Group", "verify_certificate", "claim_checks",
    "parse_number", "is_zero", "sign", "parse_activation", "parse_network", "parse_group",
    "is_trusted_relation", "layer", "forward", "forward_arb", "matrix", "vector",
    "require_equal", "field", "only_keys",
]

FORMAT = "symeq-certificate"
VERSION = 1
#: Modules adding claim kinds (``symeq.certify.checker_<area>``), imported on first use.
EXTENSIONS: tuple[str, ...] = ()
#: Size limits: larger certificates are rejected instead of exhausting time or memory.
MAX_LAYERS, MAX_PARAMETERS, MAX_GENERATORS, MAX_WORD_EXPONENT = 32, 200_000, 32, 1000
Z = sympy.Symbol("z", real=True)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Verification:
    """The checker's answer: ``ok`` only when every step held; ``reason`` is the first failure."""

    ok: bool
    claim: str
    steps: tuple[str, ...]
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """The ``symeq verify --json`` object.

        >>> Verification(False, "c", (), "r").to_dict()
        {'verified': False, 'claim': 'c', 'steps': [], 'reason': 'r'}
        """
        return {"verified": self.ok, "claim": self.claim, "steps": list(self.steps), "reason": self.reason}


# -- small structural helpers ---------------------------------------------------------------


def field(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """``d[key]``, which must exist and have type ``kind``.

    >>> field({"a": [1]}, "a", list, "x")
    [1]
    >>> field({}, "a", list, "x")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: x is missing 'a'
    """
    if key not in d:
        raise Reject(f"{what} is missing {key!r}")
    value = d[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Reject(f"{what}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def only_keys(d: Mapping[str, Any], allowed: set[str], what: str) -> None:
    """Reject keys outside ``allowed``: nothing unchecked may sit in a certificate.

    >>> only_keys({"a": 1, "z": 2}, {"a"}, "x")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: x has unexpected key(s): z
    """
    extra = sorted(set(d) - allowed)
    if extra:
        raise Reject(f"{what} has unexpected key(s): {', '.join(map(str, extra))}")


def _index(value: Any, n: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n:
        raise Reject(f"{what} must be an integer from 0 to {n - 1}, found {value!r:.40}")
    return value


def matrix(rows: Any, shape: tuple[int, int] | None, what: str, symbols: Any = None) -> ImmutableMatrix:
    """An exact matrix from rows of number strings, of the given shape.

    >>> matrix([["0", "-1"], ["1", "0"]], (2, 2), "r")
    Matrix([
    [0, -1],
    [1,  0]])
    """
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise Reject(f"{what} must be a non-empty list of rows")
    n = len(rows[0])
    if n == 0 or any(len(r) != n for r in rows) or (shape is not None and (len(rows), n) != shape):
        want = f"{shape[0]} x {shape[1]}" if shape else "rectangular"
        raise Reject(f"{what} has the wrong shape (expected {want})")
    return ImmutableMatrix(len(rows), n, [parse_number(v, symbols, f"{what} entry") for r in rows for v in r])


def vector(values: Any, n: int, what: str, symbols: Any = None) -> ImmutableMatrix:
    """An exact column vector of length ``n``.

    >>> vector(["1/2", "0.25"], 2, "b").T
    Matrix([[1/2, 1/4]])
    """
    if not isinstance(values, list) or len(values) != n:
        raise Reject(f"{what} must be a list of {n} numbers")
    return ImmutableMatrix(n, 1, [parse_number(v, symbols, f"{what} entry") for v in values])


def _rational(m: ImmutableMatrix) -> fmpq_mat | None:
    if all(x.is_Rational for x in m):
        return fmpq_mat(m.rows, m.cols, [fmpq(int(x.p), int(x.q)) for x in m])
    return None


def _mul(a: ImmutableMatrix, b: ImmutableMatrix) -> ImmutableMatrix:
    """a * b, on FLINT when both are rational (10-25 times faster than sympy)."""
    fa, fb = _rational(a), _rational(b)
    if fa is not None and fb is not None:
        p = fa * fb
        return ImmutableMatrix(p.nrows(), p.ncols(), [sympy.Rational(int(x.p), int(x.q)) for x in p.entries()])
    return ImmutableMatrix(a * b).applyfunc(sympy.expand)


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 60 else text[:57] + "..."


def require_equal(lhs: ImmutableMatrix, rhs: ImmutableMatrix, what: str) -> None:
    """Reject unless the matrices are equal entry by entry (identically, with symbols).

    >>> require_equal(ImmutableMatrix([[1, 2]]), ImmutableMatrix([[1, 3]]), "test")
    Traceback (most recent call last):
    ...
    symeq.certify.checker_parse.Reject: test fails at entry (1, 2): 2 != 3
    """
    for r in range(lhs.rows):
        for c in range(lhs.cols):
            if not is_zero(lhs[r, c] - rhs[r, c]):
                raise Reject(f"{what} fails at entry ({r + 1}, {c + 1}): {_short(lhs[r, c])} != {_short(rhs[r, c])}")


# -- activations and the trusted relations ------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation spec: ``slope`` for leaky_relu, ``degree`` for power, ``poly`` = p(z)."""

    spec: str
    name: str
    slope: sympy.Expr = Integer(0)
    degree: int = 1
    poly: sympy.Expr = Z

    @property
    def polynomial(self) -> bool:
        return self.name in ("identity", "power", "poly")

    @property
    def exact(self) -> bool:
        """True when values at algebraic points are algebraic and computed exactly."""
        return self.polynomial or self.name in ("relu", "leaky_relu")


_PLAIN = ("identity", "tanh", "sigmoid", "relu", "gelu", "softplus", "swish", "sin")


def parse_activation(spec: Any) -> Activation:
    """Read an activation spec of the file schema (bare ``leaky_relu`` has slope 1/100).

    >>> parse_activation("poly:z^3 - z").poly
    z**3 - z
    >>> parse_activation("power:3").degree
    3
    """
    if not isinstance(spec, str):
        raise Reject("network activation must be a string")
    name, _, arg = spec.partition(":")
    if name in _PLAIN and not arg:
        return Activation(spec, name)
    if name == "leaky_relu":
        slope = parse_number(arg or "1/100", None, "leaky_relu slope")
        if sign(slope) <= 0 or sign(1 - slope) <= 0:
            raise Reject("leaky_relu slope must lie strictly between 0 and 1")
        return Activation(spec, name, slope=slope)
    if name == "power" and arg.isdigit() and 2 <= int(arg) <= 16:
        return Activation(spec, name, degree=int(arg))
    if name == "poly" and arg:
        p = sympy.expand(parse_number(arg, {"z": Z}, "poly activation"))
        if not p.is_polynomial(Z):
            raise Reject(f"poly:{arg} is not a polynomial in z")
        return Activation(spec, name, poly=p)
    raise Reject(f"unknown or malformed activation {spec!r:.60}")


def _eq(x: sympy.Expr, y: Any) -> bool:
    return is_zero(x - y)


def _fixed(*allowed: tuple[int, int, int, int]) -> Callable[..., bool]:
    return lambda act, *r: any(all(_eq(x, y) for x, y in zip(r, t)) for t in allowed)


def _positive_scale(act: Activation, a: Any, c: Any, b: Any, e: Any) -> bool:
    return sign(a) > 0 and _eq(c, 0) and _eq(b, a) and _eq(e, 0)


def _sin(act: Activation, a: Any, c: Any, b: Any, e: Any) -> bool:
    n = sympy.expand(c / sympy.pi)  # c = n pi with n an integer
    return (_eq(a, 1) or _eq(a, -1)) and _eq(e, 0) and n.is_Integer and _eq(b, a * (-1) ** int(n))


def _poly(act: Activation, a: Any, c: Any, b: Any, e: Any) -> bool:
    if _fixed((1, 0, 1, 0))(act, a, c, b, e):
        return True
    p = act.poly  # (-1, 0, s, 0) when p(-z) = s p(z)
    return (_eq(a, -1) and _eq(c, 0) and _eq(e, 0)
            and any(_eq(b, s) and is_zero(p.subs(Z, -Z) - s * p) for s in (1, -1)))


#: sigma(a z + c) = b sigma(z) + e for all real z: the only relations the checker believes.
TRUSTED_RELATIONS: dict[str, Callable[[Activation, Any, Any, Any, Any], bool]] = {
    "identity": lambda act, a, c, b, e: not _eq(a, 0) and _eq(b, a) and _eq(e, c),
    "tanh": _fixed((1, 0, 1, 0), (-1, 0, -1, 0)),
    "sigmoid": _fixed((1, 0, 1, 0), (-1, 0, -1, 1)),
    "relu": _positive_scale,
    "leaky_relu": _positive_scale,
    "power": lambda act, a, c, b, e: not _eq(a, 0) and _eq(c, 0) and _eq(b, a**act.degree) and _eq(e, 0),
    "sin": _sin,
    "poly": _poly,
    "gelu": _fixed((1, 0, 1, 0)),
    "softplus": _fixed((1, 0, 1, 0)),
    "swish": _fixed((1, 0, 1, 0)),
}


def is_trusted_relation(act: Activation, a: sympy.Expr, c: sympy.Expr, b: sympy.Expr, e: sympy.Expr) -> bool:
    """True when (a, c, b, e) is a constant relation of ``act`` in the trusted table.

    >>> tanh = parse_activation("tanh")
    >>> is_trusted_relation(tanh, Integer(-1), Integer(0), Integer(-1), Integer(0))
    True
    >>> is_trusted_relation(tanh, Integer(2), Integer(0), Integer(2), Integer(0))
    False
    """
    if any(x.free_symbols for x in (a, c, b, e)):
        return False
    return TRUSTED_RELATIONS[act.name](act, a, c, b, e)


# -- networks, groups, evaluation -----------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """An MLP f_i(x) = sigma(W_i x + b_i) (i < L), f_L(x) = W_L x + b_L; biases are columns."""

    activation: Activation
    weights: tuple[ImmutableMatrix, ...]
    biases: tuple[ImmutableMatrix, ...]
    symbols: tuple[sympy.Symbol, ...]

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].cols,) + tuple(w.rows for w in self.weights)

    @property
    def depth(self) -> int:
        return len(self.weights)

    def describe(self) -> str:
        names = f", symbols {', '.join(map(str, self.symbols))}" if self.symbols else ""
        return f"{self.activation.spec} MLP {'-'.join(map(str, self.widths))}{names}"


def parse_network(table: Any) -> Network:
    """The network of a certificate's "network" table (the [network] table of the file schema).

    >>> net = parse_network({"activation": "relu", "weights": [[["1", "w"]]], "biases": [["0"]]})
    >>> net.widths, net.symbols
    ((2, 1), (w,))
    """
    if not isinstance(table, dict):
        raise Reject("network must be an object")
    only_keys(table, {"architecture", "activation", "widths", "weights", "biases", "symbols", "description"}, "network")
    if table.get("architecture", "mlp") != "mlp":
        raise Reject(f"network architecture {table.get('architecture')!r:.40} is not supported (only mlp)")
    act = parse_activation(field(table, "activation", str, "network"))
    symbols: Any = "any"
    if "symbols" in table:
        names = field(table, "symbols", list, "network")
        if not all(isinstance(n, str) and _NAME.match(n) and n not in ("pi", "sqrt") for n in names):
            raise Reject("network symbols must be names (letters, digits, _)")
        symbols = {n: sympy.Symbol(n, real=True) for n in names}
    weights, biases = field(table, "weights", list, "network"), field(table, "biases", list, "network")
    if not weights or len(weights) != len(biases) or len(weights) > MAX_LAYERS:
        raise Reject(f"network needs 1 to {MAX_LAYERS} layers with one bias vector each")
    size = sum(len(w) * len(w[0]) if isinstance(w, list) and w and isinstance(w[0], list) else 0 for w in weights)
    if size > MAX_PARAMETERS:
        raise Reject(f"network has more than {MAX_PARAMETERS} weights")
    ws: list[ImmutableMatrix] = []
    for i, w in enumerate(weights, start=1):
        shape = None if i == 1 else (len(w) if isinstance(w, list) else 0, ws[-1].rows)
        ws.append(matrix(w, shape, f"W_{i}", symbols))
    bs = tuple(vector(b, w.rows, f"b_{i}", symbols) for i, (w, b) in enumerate(zip(ws, biases), start=1))
    net = Network(act, tuple(ws), bs, ())
    if "widths" in table and table["widths"] != list(net.widths):
        raise Reject(f"network widths {table['widths']!r:.60} do not match the weights {list(net.widths)}")
    found = set().union(*(m.free_symbols for m in ws + list(bs)))
    return Network(act, tuple(ws), bs, tuple(sorted(found, key=str)))


def _nonsingular(m: ImmutableMatrix) -> bool:
    f = _rational(m)
    return f.det() != 0 if f is not None else not is_zero(m.det(method="berkowitz"))


@dataclass(frozen=True)
class Group:
    """G given by named generators g -> (rho_0(g), rho_L(g)), invertible exact matrices."""

    names: tuple[str, ...]
    inputs: tuple[ImmutableMatrix, ...]
    outputs: tuple[ImmutableMatrix, ...]
    relations: tuple[str, ...] = ()

    def generator(self, name: str) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        if name not in self.names:
            raise Reject(f"unknown generator {name!r:.40}")
        k = self.names.index(name)
        return self.inputs[k], self.outputs[k]


_LETTER = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\^\s*(-?\d{1,6}))?\s*")


def _word_value(group: Group, word: str, side: int) -> ImmutableMatrix:
    mats = group.inputs if side == 0 else group.outputs
    out, pos, text = ImmutableMatrix.eye(mats[0].rows), 0, word.replace("*", " ")
    while pos < len(text):
        m = _LETTER.match(text, pos)
        if m is None or m.end() == pos or m.group(1) not in group.names:
            raise Reject(f"cannot read group relation {word!r:.60}")
        power = int(m.group(2) or 1)
        if abs(power) > MAX_WORD_EXPONENT:
            raise Reject(f"group relation {word!r:.60} has an exponent above {MAX_WORD_EXPONENT}")
        base = mats[group.names.index(m.group(1))]
        base = base if power >= 0 else base.inv().applyfunc(sympy.expand)
        power, pos = abs(power), m.end()
        while power:  # repeated squaring
            if power & 1:
                out = _mul(out, base)
            base, power = _mul(base, base), power >> 1
    return out


def parse_group(table: Any, d_in: int, d_out: int) -> Group:
    """The group of a certificate: explicit generator matrices, checked invertible, and its
    optional relations (words such as "r^4", "s r s r"), checked to hold on both sides.

    >>> parse_group({"generators": {"r": {"input": [["0", "-1"], ["1", "0"]], "output": [["1"]]}},
    ...              "relations": ["r^4"]}, 2, 1).names
    ('r',)
    """
    if not isinstance(table, dict):
        raise Reject("group must be an object")
    only_keys(table, {"generators", "relations", "description"}, "group")
    gens = field(table, "generators", dict, "group")
    if not gens or len(gens) > MAX_GENERATORS:
        raise Reject(f"group needs 1 to {MAX_GENERATORS} generators")
    names, ins, outs = [], [], []
    for name, pair in gens.items():
        if not _NAME.match(name) or not isinstance(pair, dict):
            raise Reject(f"group generator {name!r:.40} must be a name with an input/output object")
        only_keys(pair, {"input", "output"}, f"generator {name}")
        a = matrix(field(pair, "input", list, f"generator {name}"), (d_in, d_in), f"generator {name} input")
        b = matrix(field(pair, "output", list, f"generator {name}"), (d_out, d_out), f"generator {name} output")
        if not (_nonsingular(a) and _nonsingular(b)):
            raise Reject(f"generator {name}: a matrix is singular, so it is no group element")
        names.append(name)
        ins.append(a)
        outs.append(b)
    words = table.get("relations", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(words) > MAX_GENERATORS:
        raise Reject("group relations must be a list of words")
    group = Group(tuple(names), tuple(ins), tuple(outs), tuple(words))
    for word in words:
        for side, d in ((0, d_in), (1, d_out)):
            require_equal(_word_value(group, word, side), ImmutableMatrix.eye(d), f"group relation {word!r}")
    return group


def _sigma_symbolic(act: Activation, z: sympy.Expr) -> sympy.Expr:
    if not act.polynomial:
        raise Reject(f"{act.spec} has no polynomial form")
    return z if act.name == "identity" else z**act.degree if act.name == "power" else act.poly.subs(Z, z)


def _sigma_exact(act: Activation, z: sympy.Expr) -> sympy.Expr:
    if act.name in ("relu", "leaky_relu"):
        return z if sign(z) >= 0 else sympy.expand(act.slope * z)
    return sympy.expand(_sigma_symbolic(act, z))


def layer(net: Network, i: int, x: ImmutableMatrix, exact: bool = True) -> ImmutableMatrix:
    """f_i(x).  ``exact``: x is constant and relu branches are decided exactly; otherwise x may
    be symbolic and the activation must be a polynomial.

    >>> net = parse_network({"activation": "relu", "weights": [[["1"], ["-1"]], [["1", "-1"]]],
    ...                      "biases": [["0", "0"], ["0"]]})
    >>> layer(net, 1, ImmutableMatrix([-3])).T
    Matrix([[0, 3]])
    """
    z = _mul(net.weights[i - 1], x) + net.biases[i - 1]
    if i == net.depth:
        return z
    return z.applyfunc(lambda v: _sigma_exact(net.activation, v) if exact else _sigma_symbolic(net.activation, v))


def forward(net: Network, x: ImmutableMatrix, exact: bool = True) -> ImmutableMatrix:
    """f(x), exactly (see :func:`layer`).

    >>> net = parse_network({"activation": "power:2", "weights": [[["1"]], [["3"]]], "biases": [["1"], ["0"]]})
    >>> forward(net, ImmutableMatrix([sympy.Symbol("t")]), exact=False)
    Matrix([[3*t**2 + 6*t + 3]])
    """
    for i in range(1, net.depth + 1):
        x = layer(net, i, x, exact)
    return x


_ARB_SIGMA: dict[str, Callable[[arb], arb]] = {
    "tanh": lambda z: z.tanh(),
    "sigmoid": lambda z: 1 / (1 + (-z).exp()),
    "gelu": lambda z: z * (1 + (z / arb(2).sqrt()).erf()) / 2,
    "softplus": lambda z: z.exp().log1p(),
    "swish": lambda z: z / (1 + (-z).exp()),
    "sin": lambda z: z.sin(),
}


def forward_arb(net: Network, x: list[arb]) -> list[arb]:
    """f(x) as rigorous balls at the current precision (constant networks, smooth activations).

    >>> net = parse_network({"activation": "tanh", "weights": [[["1"]], [["1"]]], "biases": [["0"], ["0"]]})
    >>> forward_arb(net, [arb(1)])[0].overlaps(arb("0.7615941559557649"))
    True
    """
    sigma = _ARB_SIGMA.get(net.activation.name)
    for i, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        z = [sum((to_arb(w[r, c]) * x[c] for c in range(w.cols)), to_arb(b[r])) for r in range(w.rows)]
        if i < net.depth and sigma is None:
            raise Reject(f"{net.activation.spec} is evaluated exactly, not with balls")
        x = z if i == net.depth else [sigma(v) for v in z]  # type: ignore[misc]
    return x


# -- the context a claim check sees -----------------------------------------------------------


class Context:
    """One verification: the certificate, its parts parsed on demand, and the steps that held."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.steps: list[str] = []
        self.claim_text = "(unreadable claim)"

    def step(self, text: str) -> None:
        """Record a step that held."""
        self.steps.append(text)

    @cached_property
    def network(self) -> Network:
        net = parse_network(field(self.doc, "network", dict, "certificate"))
        self.step(f"network: {net.describe()}, every number read exactly")
        return net

    @cached_property
    def group(self) -> Group:
        widths = self.network.widths
        g = parse_group(field(self.doc, "group", dict, "certificate"), widths[0], widths[-1])
        rels = f"; relations {', '.join(g.relations)} hold" if g.relations else ""
        self.step(f"group: generators {', '.join(g.names)}, matrices invertible{rels}")
        return g

    @property
    def evidence(self) -> dict[str, Any]:
        return field(self.doc, "evidence", dict, "certificate")


Check = Callable[[Context], None]


# -- claim kind "equivariant" -----------------------------------------------------------------


def _right_action(w: ImmutableMatrix, k: tuple[Any, ...]) -> ImmutableMatrix:
    """W M for the current map k = ("matrix", M, t) or ("monomial", perm, scales, t)."""
    if k[0] == "matrix":
        return _mul(w, k[1])
    perm, scales = k[1], k[2]  # M[p_j, j] = scale_j, so (W M)[:, j] = W[:, p_j] * scale_j
    return ImmutableMatrix(w.rows, w.cols, lambda r, j: sympy.expand(w[r, perm[j]] * scales[j]))


def _hidden_layer(ctx: Context, g: str, i: int, k: tuple[Any, ...], action: Any) -> tuple[Any, ...]:
    """Check f_i(k_{i-1} x) = k_i f_i(x) for the stated k_i; return k_i."""
    net, where = ctx.network, f"generator {g}, layer {i}"
    w, b, d, shift = net.weights[i - 1], net.biases[i - 1], net.weights[i - 1].rows, k[-1]
    wm, wt = _right_action(w, k), _mul(w, shift) + b
    if not isinstance(action, dict):
        raise Reject(f"{where}: action must be an object")
    kind = action.get("kind")
    if kind == "affine":
        only_keys(action, {"kind", "matrix", "shift"}, where)
        if net.activation.name != "identity":
            raise Reject(f"{where}: an affine action is trusted only for the identity activation")
        syms = {str(s): s for s in net.symbols}
        m = matrix(field(action, "matrix", list, where), (d, d), f"{where} matrix", syms)
        t = vector(field(action, "shift", list, where), d, f"{where} shift", syms)
        require_equal(wm, _mul(m, w), f"{where}: W_{i} M = M_{i} W_{i}")
        require_equal(wt, _mul(m, b) + t, f"{where}: W_{i} t + b_{i} = M_{i} b_{i} + t_{i}")
        ctx.step(f"{where}: affine action on {d} neurons; W_{i} k_{i-1} = k_{i} W_{i} (weights and bias)")
        return ("matrix", m, t)
    if kind != "monomial":
        raise Reject(f"{where}: action kind must be 'monomial' or 'affine'")
    only_keys(action, {"kind", "perm", "relations"}, where)
    perm, rels = field(action, "perm", list, where), field(action, "relations", list, where)
    perm = [_index(p, d, f"{where}: perm entry") for p in perm]
    if sorted(perm) != list(range(d)) or len(rels) != d:
        raise Reject(f"{where}: perm must be a permutation of 0..{d - 1} with one relation per neuron")
    scales, shifts = [], [Integer(0)] * d
    for j, (p, rel) in enumerate(zip(perm, rels)):
        if not isinstance(rel, dict):
            raise Reject(f"{where}: relation {j + 1} must be an object")
        only_keys(rel, {"a", "c", "b", "e"}, f"{where} relation {j + 1}")
        a, c, s, e = (parse_number(field(rel, key, (str, int), f"{where} relation {j + 1}"), None,
                                   f"{where} relation {j + 1} {key}") for key in "acbe")
        if not is_trusted_relation(net.activation, a, c, s, e):
            raise Reject(f"{where}: ({a}, {c}, {s}, {e}) is not a trusted relation of {net.activation.spec}")
        for col in range(w.cols):
            if not is_zero(wm[p, col] - a * w[j, col]):
                raise Reject(f"{where}: row equation of neuron {j + 1} fails: weight {col + 1} "
                             f"{_short(wm[p, col])} != {_short(sympy.expand(a * w[j, col]))}")
        if not is_zero(wt[p] - a * b[j] - c):
            raise Reject(f"{where}: row equation of neuron {j + 1} fails: bias "
                         f"{_short(wt[p])} != {_short(sympy.expand(a * b[j] + c))}")
        scales.append(s)
        shifts[p] = e
    ctx.step(f"{where}: monomial action, perm {perm}, {d} trusted relations of {net.activation.spec}, "
             f"every row of W_{i} k_{i-1} matches")
    return ("monomial", perm, scales, ImmutableMatrix(shifts))


def _layerwise(ctx: Context) -> None:
    net, group, ev = ctx.network, ctx.group, ctx.evidence
    only_keys(ev, {"method", "actions"}, "evidence")
    actions = field(ev, "actions", dict, "evidence")
    if set(actions) != set(group.names):
        raise Reject(f"evidence actions must be given for exactly the generators {', '.join(group.names)}")
    depth = net.depth
    for g in group.names:
        rho0, rho_l = group.generator(g)
        acts = actions[g]
        if not isinstance(acts, list) or len(acts) != depth - 1:
            raise Reject(f"generator {g}: expected {depth - 1} hidden-layer actions")
        k: tuple[Any, ...] = ("matrix", rho0, ImmutableMatrix.zeros(net.widths[0], 1))
        for i in range(1, depth):
            k = _hidden_layer(ctx, g, i, k, acts[i - 1])
        w, b, where = net.weights[-1], net.biases[-1], f"generator {g}, layer {depth}"
        require_equal(_right_action(w, k), _mul(rho_l, w), f"{where}: W_L M = rho_L(g) W_L")
        require_equal(_mul(w, k[-1]) + b, _mul(rho_l, b), f"{where}: W_L t + b_L = rho_L(g) b_L")
        ctx.step(f"{where} (output): W_{depth} k_{depth - 1} = rho_L({g}) W_{depth} (weights and bias)")


def _polynomial_identity(ctx: Context) -> None:
    net, group = ctx.network, ctx.group
    only_keys(ctx.evidence, {"method"}, "evidence")
    if not net.activation.polynomial:
        raise Reject(f"polynomial_identity needs a polynomial activation, not {net.activation.spec}")
    x = ImmutableMatrix([sympy.Dummy(f"x{j + 1}", real=True) for j in range(net.widths[0])])
    fx = forward(net, x, exact=False)
    for g in group.names:
        rho0, rho_l = group.generator(g)
        require_equal(forward(net, rho0 * x, exact=False), rho_l * fx, f"generator {g}: f(rho_0 x) = rho_L f(x)")
        ctx.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) expands to 0 in x and the symbols")


def _relu_form(n: ImmutableMatrix, beta: ImmutableMatrix, coef: ImmutableMatrix, const: ImmutableMatrix,
               slope: sympy.Expr) -> tuple[list[tuple[Any, ...]], list[sympy.Matrix], sympy.Matrix, sympy.Matrix]:
    """x -> coef sigma(n x + beta) + const as sum_h c_h relu(n_h.x + beta_h) + lin x + const,
    with leaky(z) = slope z + (1 - slope) relu(z), relu(s z) = s relu(z) for s > 0 and
    relu(-z) = relu(z) - z, so that each n_h has first nonzero entry +1."""
    keys: list[tuple[Any, ...]] = []
    weights: list[sympy.Matrix] = []
    lin, const = sympy.zeros(coef.rows, n.cols), sympy.Matrix(const)
    for h in range(n.rows):
        row, bh, c = n[h, :], beta[h], coef[:, h]
        lin, const = lin + slope * c * row, const + slope * bh * c
        c = (1 - slope) * c
        lead = next((v for v in row if not is_zero(v)), None)
        if lead is None:  # relu(beta) is a constant
            const += c * bh if sign(bh) > 0 else 0 * c
            continue
        scale = lead if sign(lead) > 0 else -lead
        row, bh, c = (row / scale).applyfunc(sympy.expand), sympy.expand(bh / scale), c * scale
        if sign(lead) < 0:
            lin, const = lin + c * row, const + bh * c
            row, bh = -row, -bh
        key = tuple(row) + (bh,)
        h2 = next((m for m, old in enumerate(keys) if all(is_zero(u - v) for u, v in zip(key, old))), None)
        if h2 is None:
            keys.append(key)
            weights.append(sympy.Matrix(c))
        else:
            weights[h2] = weights[h2] + c
    return keys, weights, lin, const


def _relu_canonical_form(ctx: Context) -> None:
    net, group = ctx.network, ctx.group
    only_keys(ctx.evidence, {"method"}, "evidence")
    if net.activation.name not in ("relu", "leaky_relu") or net.depth != 2 or net.symbols:
        raise Reject("relu_canonical_form needs one hidden relu/leaky_relu layer with numeric parameters")
    (w1, w2), (b1, b2) = net.weights, net.biases
    for g in group.names:
        rho0, rho_l = group.generator(g)
        # f(rho_0 x) - rho_L f(x) as one sum over the hyperplanes of both sides.
        keys, weights, lin, const = _relu_form(
            ImmutableMatrix.vstack(_mul(w1, rho0), w1), ImmutableMatrix.vstack(b1, b1),
            ImmutableMatrix.hstack(w2, -_mul(rho_l, w2)), b2 - _mul(rho_l, b2), net.activation.slope)
        for key, c in zip(keys, weights):
            require_equal(c, sympy.zeros(c.rows, 1), f"generator {g}: coefficient of relu({_short(key)})")
        require_equal(lin, sympy.zeros(*lin.shape), f"generator {g}: linear part")
        require_equal(const, sympy.zeros(*const.shape), f"generator {g}: constant part")
        ctx.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) = sum of relu over {len(keys)} "
                 "normalized hyperplanes + affine, every coefficient 0")


def check_equivariant(ctx: Context) -> None:
    """Claim kind "equivariant": dispatch on the evidence method."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    methods = {"layerwise": _layerwise, "polynomial_identity": _polynomial_identity,
               "relu_canonical_form": _relu_canonical_form}
    method = ctx.evidence.get("method")
    if method not in methods:
        raise Reject(f"unknown evidence method {method!r:.40} for an equivariant claim")
    ctx.claim_text = (f"equivariant: f(rho_0(g) x) = rho_L(g) f(x) for every x and every generator g "
                      f"of G, hence every element; {ctx.network.describe()}; method {method}")
    _ = ctx.group  # parse and check the group before the evidence
    methods[method](ctx)


# -- claim kind "not_equivariant" -------------------------------------------------------------


def check_not_equivariant(ctx: Context) -> None:
    """Claim kind "not_equivariant" with a witness input."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    ev = ctx.evidence
    only_keys(ev, {"method", "generator", "x", "coordinate", "symbol_values", "difference_lower_bound"}, "evidence")
    if ev.get("method") != "witness":
        raise Reject("a not_equivariant claim needs evidence method 'witness'")
    net, group = ctx.network, ctx.group
    g = field(ev, "generator", str, "evidence")
    ctx.claim_text = f"not equivariant: f(rho_0({g:.40}) x) != rho_L({g:.40}) f(x) for some x; {net.describe()}"
    rho0, rho_l = group.generator(g)
    x = vector(field(ev, "x", list, "evidence"), net.widths[0], "witness x")
    k = _index(field(ev, "coordinate", int, "evidence"), net.widths[-1], "witness coordinate")
    q = parse_number(field(ev, "difference_lower_bound", (str, int), "evidence"), None, "difference_lower_bound")
    if sign(q) <= 0:
        raise Reject("difference_lower_bound must be positive")
    values = ev.get("symbol_values", {})
    if not isinstance(values, dict) or set(values) != {str(s) for s in net.symbols}:
        raise Reject("symbol_values must give a value to exactly the network's symbols")
    subs = {s: parse_number(values[str(s)], None, f"value of {s}") for s in net.symbols}
    if subs:
        net = Network(net.activation, tuple(m.xreplace(subs) for m in net.weights),
                      tuple(v.xreplace(subs) for v in net.biases), ())
        for m in net.weights + net.biases:
            if any(v.has(sympy.zoo, sympy.nan, sympy.oo) for v in m):
                raise Reject("the symbol values make a parameter undefined (division by zero)")
        ctx.step(f"symbols set to {', '.join(f'{s} = {v}' for s, v in subs.items())}")
    if net.activation.exact:
        diff = (forward(net, _mul(rho0, x)) - _mul(rho_l, forward(net, x)))[k]
        s = sign(diff)
        if s == 0 or sign(s * diff - q) < 0:
            raise Reject(f"at x the difference at coordinate {k} is {_short(diff)}, not at least {q} in size")
        ctx.step(f"generator {g}: exact difference at x, coordinate {k}: {_short(diff)}; |difference| >= {q}")
        return
    for bits in PRECISIONS:
        with precision(bits):
            xa = [to_arb(v) for v in x]
            lhs = forward_arb(net, [to_arb(v) for v in _mul(rho0, x)])
            fx = forward_arb(net, xa)
            rhs = sum((to_arb(rho_l[k, c]) * fx[c] for c in range(len(fx))), arb(0))
            diff = abs(lhs[k] - rhs)
            if diff > to_arb(q):
                ctx.step(f"generator {g}: interval difference at x, coordinate {k}: |difference| in {diff} "
                         f"> {q} ({bits}-bit balls)")
                return
    raise Reject(f"could not certify |difference| > {q} at coordinate {k} (balls up to {PRECISIONS[-1]} bits)")


# -- dispatch ---------------------------------------------------------------------------------

_CORE: dict[str, Check] = {"equivariant": check_equivariant, "not_equivariant": check_not_equivariant}
_TABLE: dict[str, Check] = {}


def claim_checks() -> dict[str, Check]:
    """Claim kind -> check: the core kinds merged with those of every module in EXTENSIONS.

    >>> sorted(claim_checks())[:2]
    ['equivariant', 'not_equivariant']
    """
    if not _TABLE:
        table = dict(_CORE)
        for name in EXTENSIONS:
            if not name.startswith("symeq.certify.checker_"):
                raise RuntimeError(f"extension {name} is not a checker module")
            for kind, check in importlib.import_module(name).CLAIMS.items():
                if kind in table:
                    raise RuntimeError(f"claim kind {kind!r} is defined twice")
                table[kind] = check
        _TABLE.update(table)
    return dict(_TABLE)


def verify_certificate(doc: Any) -> Verification:
    """Re-verify a certificate from scratch; never raises.

    >>> v = verify_certificate({"format": "symeq-certificate", "version": 1,
    ...                         "claim": {"kind": "magic"}, "evidence": {}})
    >>> v.ok, v.reason
    (False, "unknown claim kind 'magic'")
    """
    ctx = Context(doc if isinstance(doc, dict) else {})
    try:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise Reject(f"not a symeq certificate (no \"format\": \"{FORMAT}\")")
        only_keys(doc, {"format", "version", "claim", "network", "group", "evidence", "engine"}, "certificate")
        if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
            raise Reject(f"unsupported certificate version {doc.get('version')!r:.20} (this checker reads {VERSION})")
        kind = field(field(doc, "claim", dict, "certificate"), "kind", str, "claim")
        ctx.claim_text = kind[:60]
        field(doc, "evidence", dict, "certificate")
        checks = claim_checks()
        if kind not in checks:
            raise Reject(f"unknown claim kind {kind!r:.60}")
        checks[kind](ctx)
        if not ctx.steps:
            raise Reject("the claim check recorded no step")
        return Verification(True, ctx.claim_text, tuple(ctx.steps), None)
    except Reject as exc:
        return Verification(False, ctx.claim_text, tuple(ctx.steps), str(exc))
    except Exception as exc:  # a certificate that breaks the checker does not verify
        return Verification(False, ctx.claim_text, tuple(ctx.steps),
                            f"checker could not evaluate the certificate ({type(exc).__name__}: {_short(exc)})")
