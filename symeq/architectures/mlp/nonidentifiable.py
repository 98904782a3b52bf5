"""Witnesses of non-identifiability, each re-verified by the checker (claim ``not_identifiable``).

Two kinds (docs/certificates.md):

* a *stabilizer*: a non-identity k in K with f_i = k_i o f_i o k_{i-1}^{-1} for every layer
  (k_0 = k_L = identity), so k is not unique;
* a *second parameter* theta' with f(.; theta') = f(.; theta) that lies outside the K-orbit,
  shown by an invariant: rank(W_i) (every k in K acts on W_i by invertible maps on both sides)
  or an unmatched first-layer neuron (no neuron of theta, moved by any relation of the
  activation, computes the same function as neuron j of theta').

Constructions:

* :func:`linear_witness` (identity activation, some hidden width above r = rank of the end-to-end
  map): if some rank(W_i) > r, theta' is the rank-r factorization padded with zeros (all ranks r);
  otherwise a layer i with d_i > r has rank(W_i) < d_i and a kernel of W_{i+1}, and
  k_i(y) = y + u (z^T y - z0) with z^T W_i = 0, z0 = z^T b_i, W_{i+1} u = 0 fixes theta.
* :func:`zero_neuron_stabilizer`: a neuron with zero row, bias and column is moved by any
  relation with c = 0 whose map on V is not the identity.
* :func:`quadratic_witness` (power:2, one hidden layer, one output): f = x~^T V^T C V x~ + b_2,
  and Q = (C + A)^{-1} (C - A) with A skew satisfies Q^T C Q = C (Cayley), so V' = Q V gives the
  same function; a rational Q mixing two neurons leaves a first-layer neuron unmatched.
* :func:`bypass_witness` (relu, leaky_relu, gelu, softplus, swish: sigma(z) - sigma(-z) = kappa z):
  two *bypass pairs* of the first layer pass the linear map kappa (c_p r_p^T + c_q r_q^T) on
  (r the incoming rows with bias, c the outgoing columns); rotating the two rows by a rational
  rotation Q and the two columns by Q leaves that map, hence f, unchanged, and moves a
  first-layer neuron to a direction no neuron of theta has (docs/theory.md section 6: the C8
  network of docs/examples/c8_width4.toml).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> net = MLP(activation("identity"), (M([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), M([[1, 0, 0], [0, 1, 0]])),
...           (M([0, 0, 0]), M([0, 0])))
>>> w = linear_witness(net)
>>> w.kind, w.invariant["layer"], w.theta_prime.weights[0].rank()
('second_parameter', 1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import ImmutableMatrix, Integer

from symeq.exact import domain_matrix, is_exact_zero, matrix_to_strings, vector_to_strings
from symeq.architectures.mlp.criteria import end_to_end_linear, rank
from symeq.architectures.mlp.degenerate import is_zero_vector
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["Witness", "linear_witness", "zero_neuron_stabilizer", "quadratic_witness", "bypass_witness",
           "unmatched_first_layer_neuron", "ROTATIONS"]


@dataclass(frozen=True)
class Witness:
    """A non-identifiability witness in engine form; :meth:`evidence` gives certificate data.

    ``kind`` is ``stabilizer`` (``actions``: one certificate action per hidden layer) or
    ``second_parameter`` (``theta_prime`` and the ``invariant`` that separates it from the orbit).
    """

    kind: str
    description: str
    actions: tuple[dict[str, Any], ...] = ()
    theta_prime: MLP | None = None
    invariant: dict[str, Any] = field(default_factory=dict)
    #: How f(theta') = f(theta) is checked: "polynomial_identity" (polynomial activations) or
    #: "bypass_pairs" (``bypass`` names the layer and its pairs, see :func:`bypass_witness`).
    same_function: str = "polynomial_identity"
    bypass: dict[str, Any] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        """The ``not_identifiable`` evidence object (docs/certificates.md)."""
        if self.kind == "stabilizer":
            return {"method": "stabilizer", "actions": list(self.actions)}
        assert self.theta_prime is not None
        out = {"method": "second_parameter", "theta_prime": network_to_dict(self.theta_prime),
               "same_function": self.same_function, "outside_orbit": dict(self.invariant)}
        if self.bypass:
            out["bypass"] = dict(self.bypass)
        return out


def _identity_action(d: int) -> dict[str, Any]:
    return {"kind": "monomial", "perm": list(range(d)),
            "relations": [{"a": "1", "c": "0", "b": "1", "e": "0"}] * d}


def _affine_identity(d: int) -> dict[str, Any]:
    return {"kind": "affine", "matrix": matrix_to_strings(ImmutableMatrix.eye(d)),
            "shift": vector_to_strings(ImmutableMatrix.zeros(d, 1))}


def _rank_factorization(m: ImmutableMatrix) -> tuple[ImmutableMatrix, ImmutableMatrix]:
    """(U, V) with U V = m, U of shape (rows, r), V of shape (r, cols), r = rank(m)."""
    # over an explicit exact domain: sympy's Matrix.rref(simplify=True) took minutes on the
    # 128 x 256 layers of a lowered convolution (DESIGN.md section 5)
    reduced, pivots = domain_matrix(m).to_field().rref()
    r = len(pivots)
    v = reduced.to_Matrix()[:r, :]
    u = sympy.Matrix(m).extract(list(range(m.rows)), list(pivots))
    return ImmutableMatrix(u), ImmutableMatrix(v)


def _null_vector(m: ImmutableMatrix) -> ImmutableMatrix | None:
    """One nonzero vector x with m x = 0 (None: m has full column rank), over an exact domain."""
    basis = domain_matrix(m).to_field().nullspace().to_Matrix()
    return ImmutableMatrix(basis.row(0).T) if basis.rows else None


def linear_witness(net: MLP) -> Witness | None:
    """A witness for an identity-activation network with a hidden width above the rank r."""
    big, offset = end_to_end_linear(net)
    r = rank(big)
    widths = net.widths
    if all(d == r for d in net.hidden_widths):
        return None
    ranks = [rank(w) for w in net.weights]
    high = next((i for i, q in enumerate(ranks, start=1) if q > r), None)
    if high is not None:
        u, v = _rank_factorization(big)
        weights = []
        for i in range(1, net.depth + 1):
            w = sympy.zeros(widths[i], widths[i - 1])
            block = v if i == 1 else u if i == net.depth else ImmutableMatrix.eye(r)
            w[: block.rows, : block.cols] = block
            weights.append(ImmutableMatrix(w))
        biases = [ImmutableMatrix.zeros(d, 1) for d in widths[1:-1]] + [offset]
        theta = MLP(net.activation, tuple(weights), tuple(biases))
        return Witness("second_parameter",
                       f"theta' factors the end-to-end map through rank {r}: rank(W'_{high}) = {r} "
                       f"but rank(W_{high}) = {ranks[high - 1]}, and K preserves ranks",
                       theta_prime=theta, invariant={"invariant": "rank", "layer": high})
    i = next(i for i, d in enumerate(net.hidden_widths, start=1) if d > r)
    w_i, b_i, w_next = net.weights[i - 1], net.biases[i - 1], net.weights[i]
    z = _null_vector(ImmutableMatrix(w_i.T))
    u = _null_vector(w_next)
    assert z is not None and u is not None  # rank(W_i) = r < d_i, and W_{i+1} has d_i > r columns
    z0 = (z.T * b_i)[0]
    if is_exact_zero(1 + (z.T * u)[0]):
        u = 2 * u
    a = (ImmutableMatrix.eye(w_i.rows) + u * z.T).applyfunc(sympy.expand)
    t = (-u * z0).applyfunc(sympy.expand)
    actions = [_affine_identity(d) for d in net.hidden_widths]
    actions[i - 1] = {"kind": "affine", "matrix": matrix_to_strings(a), "shift": vector_to_strings(t)}
    return Witness("stabilizer",
                   f"k_{i}(y) = y + u (z^T y - z0) fixes the image of layer {i} (z^T W_{i} = 0) and "
                   f"moves only along ker W_{i + 1}: a non-identity k with k.theta = theta",
                   actions=tuple(actions))


def _relation_moving(net: MLP) -> dict[str, str] | None:
    """A relation (a, 0, b, e) of the activation whose map v -> b v + e is not the identity."""
    act = net.activation
    for a in (Integer(-1), Integer(2)):
        rel = act.relation_for(a, Integer(0))
        if rel is not None and not (rel.b == 1 and rel.e == 0):
            return rel.as_strings()
    return None


def zero_neuron_stabilizer(net: MLP) -> Witness | None:
    """A stabilizer moving one zero neuron (zero row, bias and column), if the activation has a
    relation with c = 0 that acts non-trivially on V.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> n = MLP(activation("tanh"), (M([[0]]), M([[0]])), (M([0]), M([1])))
    >>> zero_neuron_stabilizer(n).actions[0]["relations"][0]
    {'a': '-1', 'c': '0', 'b': '-1', 'e': '0'}"""
    rel = _relation_moving(net)
    if rel is None:
        return None
    for i in range(1, net.depth):
        w, b, w_next = net.weights[i - 1], net.biases[i - 1], net.weights[i]
        for j in range(w.rows):
            if (is_zero_vector(list(w[j, :])) and is_exact_zero(b[j])
                    and is_zero_vector(list(w_next[:, j]))):
                actions = [_identity_action(d) for d in net.hidden_widths]
                rels = list(actions[i - 1]["relations"])
                rels[j] = rel
                actions[i - 1] = {"kind": "monomial", "perm": list(range(w.rows)), "relations": rels}
                return Witness("stabilizer",
                               f"neuron {j + 1} of layer {i} is zero (row, bias and column); the "
                               f"relation {rel} moves it and fixes theta", actions=tuple(actions))
    return None


def _proportional(u: list[sympy.Expr], v: list[sympy.Expr]) -> bool:
    zu, zv = is_zero_vector(u), is_zero_vector(v)
    if zu or zv:
        return zu and zv
    return rank(ImmutableMatrix([u, v])) == 1


def unmatched_first_layer_neuron(net: MLP, other: MLP) -> int | None:
    """Index of a first-layer neuron of ``other`` whose row (with bias) is not the image of any
    first-layer row of ``net`` under a relation; power: proportional rows; tanh/sigmoid: +-."""
    def rows(m: MLP) -> list[list[sympy.Expr]]:
        return [list(m.weights[0][j, :]) + [m.biases[0][j]] for j in range(m.weights[0].rows)]
    name = net.activation.name
    for j, row in enumerate(rows(other)):
        if name == "power":
            matched = any(_proportional(row, q) for q in rows(net))
        elif name in ("tanh", "sigmoid"):
            matched = any(all(is_exact_zero(x - s * y) for x, y in zip(row, q))
                          for q in rows(net) for s in (1, -1))
        else:
            return None
        if not matched:
            return j
    return None


#: Rational rotations (c, s), c^2 + s^2 = 1, tried in turn by :func:`bypass_witness`.
ROTATIONS = ((sympy.Rational(3, 5), sympy.Rational(4, 5)), (sympy.Rational(5, 13), sympy.Rational(12, 13)),
             (sympy.Rational(8, 17), sympy.Rational(15, 17)), (sympy.Rational(7, 25), sympy.Rational(24, 25)))


def _same_neuron_function(net: MLP, row: list[sympy.Expr], other: list[sympy.Expr]) -> bool:
    """Whether sigma(row . (x, 1)) = k sigma(other . (x, 1)) for an element k of K_1 acting on
    one neuron: a positive scale for relu and leaky_relu (rows positive multiples), the identity
    for gelu, softplus and swish (rows equal).  Both weight parts are non-zero."""
    if net.activation.name in ("relu", "leaky_relu"):
        k = next(n for n, y in enumerate(other) if not is_exact_zero(y))
        r = row[k] / other[k]
        return bool(r.is_positive) and all(is_exact_zero(x - r * y) for x, y in zip(row, other))
    return all(is_exact_zero(x - y) for x, y in zip(row, other))


def bypass_witness(net: MLP) -> Witness | None:
    """A second parameter for a network whose first layer holds two bypass pairs with independent
    rows (see the module docstring); None when there are none or no rotation separates.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> n = MLP(activation("relu"), (M([[1, 0], [0, 1], [-1, 0], [0, -1]]), M([[1, 0, -1, 0], [0, 1, 0, -1]])),
    ...         (M([0, 0, 0, 0]), M([0, 0])))
    >>> w = bypass_witness(n)
    >>> w.theta_prime.weights[0].tolist()[:2], w.invariant, w.bypass
    ([[3/5, -4/5], [4/5, 3/5]], {'invariant': 'first_layer_neuron', 'neuron': 0}, {'layer': 1, 'pairs': [[0, 2], [1, 3]]})
    """
    from symeq.architectures.mlp.bypass import bypass_factor, match_pairs
    from symeq.rings import exact_ring

    if net.symbols or net.depth < 2 or bypass_factor(net.activation) is None:
        return None
    w1, b1, w2 = net.weights[0], net.biases[0], net.weights[1]
    ring = exact_ring([x for m in (w1, b1, w2) for x in m])
    if ring is None:
        return None
    pairs, _ = match_pairs(ring.matrix(w1), [r[0] for r in ring.matrix(b1)], ring.matrix(w2))
    rows = [list(w1.row(j)) + [b1[j]] for j in range(w1.rows)]
    for n, (p, p2) in enumerate(pairs):
        for q, q2 in pairs[n + 1:]:
            if rank(ImmutableMatrix([rows[p], rows[q]])) < 2:
                continue
            for c, s in ROTATIONS:
                new_w1, new_b1, new_w2 = sympy.Matrix(w1), sympy.Matrix(b1), sympy.Matrix(w2)
                # rows r_p' = c r_p - s r_q, r_q' = s r_p + c r_q; columns the same way, so that
                # c_p' r_p'^T + c_q' r_q'^T = c_p r_p^T + c_q r_q^T (the rotation is orthogonal)
                rp = [sympy.expand(c * x - s * y) for x, y in zip(rows[p], rows[q])]
                rq = [sympy.expand(s * x + c * y) for x, y in zip(rows[p], rows[q])]
                cp = [sympy.expand(c * x - s * y) for x, y in zip(w2.col(p), w2.col(q))]
                cq = [sympy.expand(s * x + c * y) for x, y in zip(w2.col(p), w2.col(q))]
                for j, j2, row, col in ((p, p2, rp, cp), (q, q2, rq, cq)):
                    new_w1[j, :] = ImmutableMatrix([row[:-1]])
                    new_w1[j2, :] = -ImmutableMatrix([row[:-1]])
                    new_b1[j], new_b1[j2] = row[-1], -row[-1]
                    new_w2[:, j] = ImmutableMatrix(col)
                    new_w2[:, j2] = -ImmutableMatrix(col)
                other = net.with_layer(1, ImmutableMatrix(new_w1), ImmutableMatrix(new_b1)).with_layer(
                    2, ImmutableMatrix(new_w2), net.biases[1])
                for j in (p, q, p2, q2):
                    row = list(new_w1.row(j)) + [new_b1[j]]
                    if is_zero_vector(row[:-1]):
                        continue
                    if not any(not is_zero_vector(r[:-1]) and _same_neuron_function(net, row, r) for r in rows):
                        kappa = bypass_factor(net.activation)
                        name = net.activation.name
                        identity = f"{name}(z) - {name}(-z) = {'' if kappa == 1 else f'{kappa} '}z"
                        return Witness(
                            "second_parameter",
                            f"layer 1 has the bypass pairs ({p}, {p2}) and ({q}, {q2}) ({identity}), which "
                            f"pass the linear map c_{p} r_{p}^T + c_{q} r_{q}^T on (r: rows with bias, c: outgoing "
                            f"columns); rotating r_{p}, r_{q} and c_{p}, c_{q} by the rotation with cos {c}, sin {s} "
                            f"keeps it, so theta' has the same function, and its neuron {j} has a direction no "
                            "neuron of theta has (docs/theory.md section 6)",
                            theta_prime=other, invariant={"invariant": "first_layer_neuron", "neuron": j},
                            same_function="bypass_pairs", bypass={"layer": 1, "pairs": [[p, p2], [q, q2]]})
    return None


def quadratic_witness(net: MLP) -> Witness | None:
    """power:2, one hidden layer of width >= 2, one output, all outgoing weights non-zero.

    >>> from sympy import ImmutableMatrix as M
    >>> from symeq.activations import activation
    >>> n = MLP(activation("power:2"), (M([[1, 0], [0, 1]]), M([[1, 1]])), (M([0, 0]), M([0])))
    >>> quadratic_witness(n).invariant
    {'invariant': 'first_layer_neuron', 'neuron': 0}"""
    if not (net.activation.spec == "power:2" and net.depth == 2 and net.widths[2] == 1
            and net.widths[1] >= 2):
        return None
    c = list(net.weights[1][0, :])
    if any(is_exact_zero(x) for x in c):
        return None
    v = ImmutableMatrix.hstack(net.weights[0], net.biases[0])
    big_c = sympy.diag(*c)
    n = len(c)
    for t in (1, 2, 3, 5):
        a = sympy.zeros(n, n)
        a[0, 1], a[1, 0] = t, -t
        if is_exact_zero((big_c + a).det()):
            continue
        q = ((big_c + a).inv() * (big_c - a)).applyfunc(lambda x: sympy.expand(sympy.radsimp(x)))
        vp = (q * v).applyfunc(sympy.expand)
        theta = MLP(net.activation, (ImmutableMatrix(vp[:, :-1]), net.weights[1]),
                    (ImmutableMatrix(vp[:, -1]), net.biases[1]))
        j = unmatched_first_layer_neuron(net, theta)
        if j is not None:
            return Witness("second_parameter",
                           f"Cayley transform Q = (C + A)^(-1) (C - A), A skew (t = {t}), preserves the "
                           f"quadratic form C = diag(W_2); V' = Q V; neuron {j + 1} of theta' matches "
                           "no neuron of theta", theta_prime=theta,
                           invariant={"invariant": "first_layer_neuron", "neuron": j})
    return None
