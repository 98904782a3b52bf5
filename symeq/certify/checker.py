"""The independent certificate checker: what "verified" means in symeq.

A certificate (docs/certificates.md) states a claim about a network and a group and carries
evidence.  :func:`verify_certificate` re-checks it from scratch and answers ``ok=True`` only if
every step below held, each decided in exact arithmetic (rationals, real algebraic numbers,
``pi`` and polynomial identities in the network's symbols; rigorous python-flint balls where a
transcendental activation has to be evaluated).  This kernel imports nothing from symeq besides
``symeq/certify/checker*.py``; it trusts only the standard library, sympy, mpmath, python-flint
and the table :data:`TRUSTED_RELATIONS` below, which tests/test_checker.py proves family by
family; the ``identifiable`` claims also rest on the theorem table ``TRUSTED_THEOREMS`` of
checker_identifiable.py, whose hypotheses they check and whose conclusions they trust, and the
``linear_bypass`` evidence on the identities sigma(z) - sigma(-z) = kappa z of
checker_bypass.py (lemma B1, also proved in tests).
Anything it cannot decide is a rejection, never a guess.

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
* ``equivariant`` / ``linear_bypass`` (checker_bypass.py): every hidden layer is partitioned
  into bypass pairs (negated incoming row, bias and outgoing column); with the trusted identity
  sigma(z) - sigma(-z) = kappa z (lemma B1 there: relu, leaky_relu, gelu, softplus, swish) the
  network computes the affine map A x + a recomputed layer by layer, and A rho_0(g) =
  rho_L(g) A, rho_L(g) a = a for every generator.
* ``equivariant`` / ``via_reduction``: the stated rewrite steps, replayed from the network with
  the ``same_function`` check of checker_identifiability (each step's condition decided
  exactly before it is applied), give exactly the stated reduced network, so both compute the
  same function; and the reduced network is equivariant by one of the four direct methods
  above (checked on it with the same group).  Hence the network is equivariant.
* ``not_equivariant`` / ``witness``: at the stated input x (symbols set to the stated exact
  values), |(f(rho_0(g) x) - rho_L(g) f(x))_k| >= q > 0: exactly for identity, relu,
  leaky_relu, power and poly; for tanh, sigmoid, gelu, softplus, swish and sin the ball of the
  difference, at increasing precision, lies strictly above q.

A "holds" claim about a symbolic network thus holds for every real value of the symbols (where
a symbolic denominator is nonzero).  Malformed certificates (missing keys, wrong shapes, unknown
or unsafe numbers, extra keys) are rejected with the first problem as the reason.

Layout.  ``checker_parse.py`` reads: the safe number parser, exact zero and sign decisions,
activations, networks and groups (generator matrices checked invertible, stated relations
checked to hold); unknown keys are rejected, so nothing unchecked sits in a certificate.  This
module verifies: the trusted relations, exact and interval evaluation, the claim checks;
``checker_bypass.py`` (kernel, not an extension) holds the ``linear_bypass`` evidence method.

Extensions.  Later stages add claim kinds in modules ``symeq/certify/checker_<area>.py`` that
define ``CLAIMS: dict[str, Check]``, a ``Check`` being a function ``check(ctx: Context) ->
None`` that calls ``ctx.step(text)`` after each step held and raises :class:`Reject` on the first
that fails; it must record at least one step of its own (reading ``ctx.network`` or
``ctx.group`` records a step but does not count).  List the module in :data:`EXTENSIONS`; the
list is imported only when a certificate of a non-core kind arrives, and a module that fails to
import disables only its own kinds.  Helpers for extensions, all importable from here:
:class:`Reject`, :func:`parse_number`, :func:`is_zero`, :func:`sign`, :func:`to_arb`,
:func:`precision`; :func:`field`, :func:`only_keys`, :func:`int_index`, :func:`matrix`,
:func:`vector`, :func:`matmul`, :func:`require_equal`, :func:`short`; :func:`parse_activation`,
:func:`parse_network` / :class:`Network`, :func:`parse_group` / :class:`Group`, and
``ctx.network`` / ``ctx.group`` (parsed on demand); :func:`layer`, :func:`forward` (exact or
symbolic evaluation), :func:`forward_arb` (balls); :func:`is_trusted_relation`.

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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy
from flint import arb
from sympy import ImmutableMatrix, Integer

from symeq.certify.checker_bypass import check_linear_bypass
from symeq.certify.checker_parse import (
    PRECISIONS, Z, Activation, Group, Network, Reject, field, int_index, is_zero, matmul, matrix,
    only_keys, parse_activation, parse_group, parse_network, parse_number, precision, require_equal,
    short, sign, to_arb, vector,
)

__all__ = [
    "FORMAT", "VERSION", "EXTENSIONS", "TRUSTED_RELATIONS", "Verification", "Context", "Check",
    "Reject", "Activation", "Network", "Group", "verify_certificate", "claim_checks",
    "parse_number", "is_zero", "sign", "parse_activation", "parse_network", "parse_group",
    "is_trusted_relation", "layer", "forward", "forward_arb", "matrix", "vector",
    "require_equal", "field", "only_keys", "matmul", "int_index", "short", "Z", "to_arb",
    "precision", "PRECISIONS",
]

FORMAT = "symeq-certificate"
VERSION = 1
#: Modules adding claim kinds (``symeq.certify.checker_<area>``), imported on first use.
EXTENSIONS: tuple[str, ...] = ("symeq.certify.checker_identifiability", "symeq.certify.checker_counterexample",
                               "symeq.certify.checker_latent", "symeq.certify.checker_identifiable")


@dataclass(frozen=True)
class Verification:
    """The checker's answer: ``ok`` only when every step held; ``reason`` is the first failure."""

    ok: bool
    claim: str
    steps: tuple[str, ...]
    reason: str | None

    @property
    def verdict(self) -> str:
        """``holds`` (verified) or ``fails`` (rejected), for the Result protocol."""
        return "holds" if self.ok else "fails"

    def certificate(self) -> None:
        """None: a verification is the check of a certificate, not a claim of its own."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``symeq verify --json`` object.

        >>> Verification(False, "c", (), "r").to_dict()
        {'verified': False, 'claim': 'c', 'steps': [], 'reason': 'r'}
        """
        return {"verified": self.ok, "claim": self.claim, "steps": list(self.steps), "reason": self.reason}


# -- the trusted relations ------------------------------------------------------------

def _eq(x: sympy.Expr, y: Any) -> bool:
    return is_zero(x - y)


def _fixed(*allowed: tuple[int, int, int, int]) -> Callable[..., bool]:
    return lambda act, *r: any(all(_eq(x, y) for x, y in zip(r, t)) for t in allowed)


def _positive_scale(act: Activation, a: Any, c: Any, b: Any, e: Any) -> bool:
    return sign(a) > 0 and _eq(c, 0) and _eq(b, a) and _eq(e, 0)


def _sin(act: Activation, a: Any, c: Any, b: Any, e: Any) -> bool:
    n = sympy.expand(c / sympy.pi)  # c = n pi with n an integer
    return (_eq(a, 1) or _eq(a, -1)) and _eq(e, 0) and n.is_Integer and _eq(b, a if int(n) % 2 == 0 else -a)


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


# -- evaluation -----------------------------------------------------------------------------


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
    z = matmul(net.weights[i - 1], x) + net.biases[i - 1]
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
        self.reading_steps = 0  # steps recorded by reading the network and group

    def step(self, text: str) -> None:
        """Record a step that held."""
        self.steps.append(text)

    def _read(self, text: str) -> None:
        self.steps.append(text)
        self.reading_steps += 1

    @cached_property
    def network(self) -> Network:
        net = parse_network(field(self.doc, "network", dict, "certificate"))
        self._read(f"network: {net.describe()}, every number read exactly")
        return net

    @cached_property
    def group(self) -> Group:
        widths = self.network.widths
        g = parse_group(field(self.doc, "group", dict, "certificate"), widths[0], widths[-1])
        rels = f"; relations {', '.join(g.relations)} hold" if g.relations else ""
        self._read(f"group: generators {', '.join(g.names)}, matrices invertible{rels}")
        return g

    @property
    def evidence(self) -> dict[str, Any]:
        return field(self.doc, "evidence", dict, "certificate")


Check = Callable[[Context], None]


# -- claim kind "equivariant" -----------------------------------------------------------------


def _right_action(w: ImmutableMatrix, k: tuple[Any, ...]) -> ImmutableMatrix:
    """W M for the current map k = ("matrix", M, t) or ("monomial", perm, scales, t)."""
    if k[0] == "matrix":
        return matmul(w, k[1])
    perm, scales = k[1], k[2]  # M[p_j, j] = scale_j, so (W M)[:, j] = W[:, p_j] * scale_j
    return ImmutableMatrix(w.rows, w.cols, lambda r, j: sympy.expand(w[r, perm[j]] * scales[j]))


def _hidden_layer(ctx: Context, g: str, i: int, k: tuple[Any, ...], action: Any) -> tuple[Any, ...]:
    """Check f_i(k_{i-1} x) = k_i f_i(x) for the stated k_i; return k_i."""
    w, b = ctx.network.weights[i - 1], ctx.network.biases[i - 1]
    return check_layer_map(ctx, ctx.network, i, _right_action(w, k), matmul(w, k[-1]) + b, action,
                           f"generator {g}, layer {i}")


def check_layer_map(ctx: Context, net: Network, i: int, wm: ImmutableMatrix, wt: ImmutableMatrix,
                    action: Any, where: str) -> tuple[Any, ...]:
    """Check that the stated latent map k_i of hidden layer i satisfies f_i o k_{i-1} = k_i o f_i,
    given (wm, wt) = (W_i M_{i-1}, W_i t_{i-1} + b_i) for the previous map k_{i-1} = (M, t).

    Returns ("matrix", M_i, t_i) for an affine action (identity activation only) or
    ("monomial", perm, scales, shifts), where k_i maps v to the vector with entry perm[j] equal to
    scales[j] v[j] + shifts[perm[j]].  Shared by every claim kind that checks latent maps.
    """
    w, b, d = net.weights[i - 1], net.biases[i - 1], net.weights[i - 1].rows
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
        require_equal(wm, matmul(m, w), f"{where}: W_{i} M = M_{i} W_{i}")
        require_equal(wt, matmul(m, b) + t, f"{where}: W_{i} t + b_{i} = M_{i} b_{i} + t_{i}")
        ctx.step(f"{where}: affine action on {d} neurons; W_{i} k_{i-1} = k_{i} W_{i} (weights and bias)")
        return ("matrix", m, t)
    if kind != "monomial":
        raise Reject(f"{where}: action kind must be 'monomial' or 'affine'")
    only_keys(action, {"kind", "perm", "relations"}, where)
    perm, rels = field(action, "perm", list, where), field(action, "relations", list, where)
    perm = [int_index(p, d, f"{where}: perm entry") for p in perm]
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
                             f"{short(wm[p, col])} != {short(sympy.expand(a * w[j, col]))}")
        if not is_zero(wt[p] - a * b[j] - c):
            raise Reject(f"{where}: row equation of neuron {j + 1} fails: bias "
                         f"{short(wt[p])} != {short(sympy.expand(a * b[j] + c))}")
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
        require_equal(_right_action(w, k), matmul(rho_l, w), f"{where}: W_L M = rho_L(g) W_L")
        require_equal(matmul(w, k[-1]) + b, matmul(rho_l, b), f"{where}: W_L t + b_L = rho_L(g) b_L")
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
        first = next((j for j, v in enumerate(row) if not is_zero(v)), None)
        if first is None:  # relu(beta) is a constant
            const += c * bh if sign(bh) > 0 else 0 * c
            continue
        lead = row[first]
        scale = lead if sign(lead) > 0 else -lead
        row = ImmutableMatrix(1, row.cols, [Integer(0)] * first + [lead / scale]
                              + [sympy.expand(v / scale) for v in row[first + 1:]])  # lead/scale = +-1
        bh, c = sympy.expand(bh / scale), c * scale
        if sign(lead) < 0:
            lin, const = lin + c * row, const + bh * c
            row, bh = -row, -bh
        key = (first,) + tuple(row[first + 1:]) + (bh,)
        h2 = next((m for m, old in enumerate(keys)
                   if old[0] == first and all(is_zero(u - v) for u, v in zip(key[1:], old[1:]))), None)
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
            ImmutableMatrix.vstack(matmul(w1, rho0), w1), ImmutableMatrix.vstack(b1, b1),
            ImmutableMatrix.hstack(w2, -matmul(rho_l, w2)), b2 - matmul(rho_l, b2), net.activation.slope)
        for key, c in zip(keys, weights):
            normal = ["0"] * key[0] + ["1"] + [str(v) for v in key[1:-1]]
            where = f"generator {g}: coefficient of relu(({', '.join(normal)}).x + {key[-1]})"
            require_equal(c, sympy.zeros(c.rows, 1), short(where))
        require_equal(lin, sympy.zeros(*lin.shape), f"generator {g}: linear part")
        require_equal(const, sympy.zeros(*const.shape), f"generator {g}: constant part")
        ctx.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) = sum of relu over {len(keys)} "
                 "normalized hyperplanes + affine, every coefficient 0")


#: Evidence methods that prove a network equivariant directly (no reduction).
_DIRECT_METHODS: dict[str, Check] = {"layerwise": _layerwise, "polynomial_identity": _polynomial_identity,
                                     "relu_canonical_form": _relu_canonical_form,
                                     "linear_bypass": check_linear_bypass}


def _via_reduction(ctx: Context) -> None:
    """f(theta) = f(theta~) by replayed rewrite steps, and theta~ is equivariant by direct
    evidence; hence theta is equivariant.  The step replay is the ``same_function`` claim of
    checker_identifiability, reached through the extension table (not imported here)."""
    ev = ctx.evidence
    only_keys(ev, {"method", "reduced", "steps", "reduced_equivariance"}, "evidence")
    reduced = field(ev, "reduced", dict, "evidence")
    steps = field(ev, "steps", list, "evidence")
    inner = field(ev, "reduced_equivariance", dict, "evidence")
    if inner.get("method") not in _DIRECT_METHODS:
        raise Reject("reduced_equivariance must be layerwise, polynomial_identity, relu_canonical_form or "
                     f"linear_bypass evidence, not {inner.get('method')!r:.40}")
    same_function = claim_checks().get("same_function")
    if same_function is None:
        raise Reject("via_reduction needs the same_function claim kind, which is not available"
                     + "".join(f"; extension {m} failed to load ({e})" for m, e in _BROKEN.items()))
    same = Context({"claim": {"kind": "same_function", "reduced": reduced}, "network": ctx.doc.get("network"),
                    "evidence": {"method": "rewrite_steps", "steps": steps}})
    same_function(same)
    for s in same.steps:
        ctx.step(f"same function as the reduced network: {s}")
    sub = Context({"claim": {"kind": "equivariant"}, "network": reduced, "group": ctx.doc.get("group"),
                   "evidence": inner})
    try:
        check_equivariant(sub)
    except Reject as exc:
        raise Reject(f"the reduced network: {exc}") from None
    finally:  # the steps that held, also when a later one failed
        for s in sub.steps:
            ctx.step(f"the reduced network: {s}")
    ctx.step("the network computes the function of the reduced network, which is equivariant: "
             "so the network is equivariant")


def check_equivariant(ctx: Context) -> None:
    """Claim kind "equivariant": dispatch on the evidence method."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    methods = {**_DIRECT_METHODS, "via_reduction": _via_reduction}
    method = ctx.evidence.get("method")
    if not isinstance(method, str) or method not in methods:
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
    k = int_index(field(ev, "coordinate", int, "evidence"), net.widths[-1], "witness coordinate")
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
        ctx.claim_text += f" (at {', '.join(f'{s} = {v}' for s, v in subs.items())}, not for every value)"
    if net.activation.exact:
        diff = (forward(net, matmul(rho0, x)) - matmul(rho_l, forward(net, x)))[k]
        s = sign(diff)
        if s == 0 or sign(s * diff - q) < 0:
            raise Reject(f"at x the difference at coordinate {k} is {short(diff)}, not at least {q} in size")
        ctx.step(f"generator {g}: exact difference at x, coordinate {k}: {short(diff)}; |difference| >= {q}")
        return
    for bits in PRECISIONS:
        with precision(bits):
            xa = [to_arb(v) for v in x]
            lhs = forward_arb(net, [to_arb(v) for v in matmul(rho0, x)])
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
_BROKEN: dict[str, str] = {}


def claim_checks() -> dict[str, Check]:
    """Claim kind -> check: the core kinds merged with those of every module in EXTENSIONS
    (imported here, once; a kind defined twice is an error).  A module that fails to import
    adds no kinds; its error is kept in ``_BROKEN`` and named when one of its kinds is asked for.

    >>> {"equivariant", "not_equivariant"} <= set(claim_checks())
    True
    """
    if not _TABLE:
        table = dict(_CORE)
        for name in EXTENSIONS:
            if not name.startswith("symeq.certify.checker_"):
                raise RuntimeError(f"extension {name} is not a checker module")
            try:
                claims = importlib.import_module(name).CLAIMS
            except Exception as exc:  # one broken extension must not disable the others
                _BROKEN[name] = f"{type(exc).__name__}: {short(exc)}"
                continue
            for kind, check in claims.items():
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
        # Core kinds import the extensions only for via_reduction evidence (which replays
        # same_function steps), so a broken extension cannot affect the direct methods.
        check = _CORE.get(kind) or claim_checks().get(kind)
        if check is None:
            broken = "".join(f"; extension {m} failed to load ({e})" for m, e in _BROKEN.items())
            raise Reject(f"unknown claim kind {kind!r:.60}{broken}")
        check(ctx)
        if len(ctx.steps) == ctx.reading_steps:
            raise Reject("the claim check recorded no step")
        return Verification(True, ctx.claim_text, tuple(ctx.steps), None)
    except Reject as exc:
        return Verification(False, ctx.claim_text, tuple(ctx.steps), str(exc))
    except Exception as exc:  # a certificate that breaks the checker does not verify
        return Verification(False, ctx.claim_text, tuple(ctx.steps),
                            f"checker could not evaluate the certificate ({type(exc).__name__}: {short(exc)})")
