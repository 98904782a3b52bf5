"""Checker extension: claim kinds ``same_function`` and ``not_identifiable``.

Part of the trusted kernel: imports only the standard library, sympy, python-flint and the
checker's own helpers (:mod:`symeq.certify.checker`).

``same_function`` (claim {"kind": "same_function", "reduced": NETWORK}): the certificate's
network and the reduced network compute the same function.  Evidence
{"method": "rewrite_steps", "steps": [...]} is replayed from the network; every step is checked
before it is applied, and the result must equal the reduced network entry by entry.  Steps
(hidden layer i, 0-based neuron indices in the current network, W' = W_{i+1}, b' = b_{i+1}):

* ``drop_zero_column`` i, j: W'[:, j] = 0 and layer i has >= 2 neurons; delete neuron j.
  (It contributes W'[:, j] sigma(z_j) = 0.)
* ``zero_neuron`` i, j: W'[:, j] = 0; set W_i[j, :] and b_i[j] to 0.  (Same reason.)
* ``absorb_constant`` i, j, s: W_i[j, :] = 0 and sigma(b_i[j]) = s exactly (exact evaluation for
  polynomial and piecewise-linear activations; for the others only at b = 0, where tanh, sin,
  gelu and swish give 0 and the sigmoid 1/2); b' += s W'[:, j]; delete neuron j, or, if it is
  the last neuron of its layer, set W'[:, j] = 0.  (Neuron j outputs the constant s.)
* ``merge`` i, keep j, neuron k, relation (a, c, b, e): the relation is trusted
  (TRUSTED_RELATIONS), j != k, W_i[k, :] = a W_i[j, :] and b_i[k] = a b_i[j] + c; then
  sigma(z_k) = b sigma(z_j) + e, so W'[:, j] += b W'[:, k], b' += e W'[:, k], delete neuron k.

``not_identifiable`` (claim {"kind": "not_identifiable"}): theta is not identifiable, i.e. not
every theta' with the same function is related to theta by exactly one k in K.  Evidence:

* {"method": "stabilizer", "actions": [ACTION_1, ..., ACTION_{L-1}]}, actions as in the
  ``equivariant`` claim (monomial with trusted relations, or affine for the identity
  activation).  With k_0 = k_L = identity the checker verifies f_i(k_{i-1} x) = k_i f_i(x) for
  every layer (row equations, exactly as for equivariance with rho = identity) and that some k_i,
  as an affine map (M_i, t_i) of V_i, is not the identity.  Then both k and the identity relate
  theta to itself: k is not unique.
* {"method": "second_parameter", "theta_prime": NETWORK, "same_function": "polynomial_identity",
  "outside_orbit": INVARIANT}: theta' has the same activation and widths; for a polynomial
  activation f(x; theta') - f(x; theta) expands to 0; and INVARIANT shows theta' is related to
  theta by no k in K:
  - {"invariant": "rank", "layer": i}: rank W'_i != rank W_i (rational weights).  Every k acts
    on W_i by invertible maps on both sides (W_i -> D P W_i M_{i-1}^{-1} for monomial k, A W_i
    A_{i-1}^{-1} for affine k), which preserves rank.
  - {"invariant": "first_layer_neuron", "neuron": j} (power:M only): row j of (W'_1 | b'_1) is
    proportional to no row of (W_1 | b_1) (a zero row only to a zero row).  Relating layer 1
    (k_0 = identity) needs (w'_p . x + b'_p)^M = b (w_q . x + b_q)^M = (a (w_q . x + b_q))^M for the
    relation (a, 0, a^M, 0) of neuron q, which forces proportional rows.

>>> from symeq.certify.checker import verify_certificate
>>> net = {"activation": "tanh", "weights": [[["1"], ["-1"]], [["3", "1"]]], "biases": [["1", "-1"], ["0"]]}
>>> red = {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["1"], ["0"]]}
>>> cert = {"format": "symeq-certificate", "version": 1,
...         "claim": {"kind": "same_function", "reduced": red}, "network": net,
...         "evidence": {"method": "rewrite_steps", "steps": [{"op": "merge", "layer": 1,
...             "neuron": 1, "keep": 0, "relation": {"a": "-1", "c": "0", "b": "-1", "e": "0"}}]}}
>>> verify_certificate(cert).ok
True
>>> cert["claim"]["reduced"]["weights"][1] = [["4"]]
>>> print(verify_certificate(cert).reason)
the replayed network differs from the reduced network: W_2 fails at entry (1, 1): 2 != 4
"""

from __future__ import annotations

from typing import Any

import sympy
from flint import fmpq, fmpq_mat
from sympy import ImmutableMatrix, Integer

from symeq.certify.checker import (Z, Context, Network, Reject, check_layer_map, field, forward,
                                   is_trusted_relation, is_zero, only_keys, parse_network, parse_number,
                                   require_equal, sign)

__all__ = ["CLAIMS", "check_same_function", "check_not_identifiable", "replay_steps", "same_network"]

#: At most this many rewrite steps are replayed.
MAX_STEPS = 5000
#: sigma(0) for the activations whose values are not computed exactly in general.
_AT_ZERO = {"tanh": Integer(0), "sigmoid": sympy.Rational(1, 2), "sin": Integer(0),
            "gelu": Integer(0), "swish": Integer(0)}


def _index(value: Any, n: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
        raise Reject(f"{what} must be an integer from 0 to {n - 1}")
    return value


def _delete(m: ImmutableMatrix, j: int, axis: int) -> ImmutableMatrix:
    if axis == 0:
        rows = [r for r in range(m.rows) if r != j]
        return ImmutableMatrix(len(rows), m.cols, lambda a, b: m[rows[a], b])
    cols = [c for c in range(m.cols) if c != j]
    return ImmutableMatrix(m.rows, len(cols), lambda a, b: m[a, cols[b]])


def _replace(net: Network, i: int, w: ImmutableMatrix, b: ImmutableMatrix) -> Network:
    ws, bs = list(net.weights), list(net.biases)
    ws[i - 1], bs[i - 1] = ImmutableMatrix(w), ImmutableMatrix(b)
    return Network(net.activation, tuple(ws), tuple(bs), net.symbols)


def _drop(net: Network, i: int, j: int) -> Network:
    ws, bs = list(net.weights), list(net.biases)
    ws[i - 1], bs[i - 1] = _delete(ws[i - 1], j, 0), _delete(bs[i - 1], j, 0)
    ws[i] = _delete(ws[i], j, 1)
    return Network(net.activation, tuple(ws), tuple(bs), net.symbols)


def _zero(values: Any) -> bool:
    return all(is_zero(v) for v in values)


def _sigma_at(net: Network, z: sympy.Expr) -> sympy.Expr:
    act = net.activation
    if act.name in ("relu", "leaky_relu"):
        return z if sign(z) >= 0 else sympy.expand(act.slope * z)
    if act.polynomial:
        poly = Z if act.name == "identity" else Z**act.degree if act.name == "power" else act.poly
        return sympy.expand(poly.subs(Z, z))
    if act.name in _AT_ZERO and is_zero(z):
        return _AT_ZERO[act.name]
    raise Reject(f"cannot evaluate {act.spec} exactly at {z}")


def _step(ctx: Context, net: Network, step: Any, n: int) -> Network:
    where = f"step {n + 1}"
    if not isinstance(step, dict):
        raise Reject(f"{where} must be an object")
    op = step.get("op")
    if net.depth < 2:
        raise Reject(f"{where}: a network without hidden layers has no neurons to rewrite")
    i = field(step, "layer", int, where)
    if isinstance(i, bool) or not 1 <= i < net.depth:
        raise Reject(f"{where}: layer must be a hidden layer from 1 to {net.depth - 1}")
    w, b, w2, b2 = net.weights[i - 1], net.biases[i - 1], net.weights[i], net.biases[i]
    j = _index(field(step, "neuron", int, where), w.rows, f"{where} neuron")
    if op in ("drop_zero_column", "zero_neuron"):
        only_keys(step, {"op", "layer", "neuron"}, where)
        if not _zero(w2[:, j]):
            raise Reject(f"{where}: outgoing column {j} of layer {i} is not zero")
        if op == "drop_zero_column":
            if w.rows < 2:
                raise Reject(f"{where}: cannot delete the last neuron of layer {i}")
            ctx.step(f"{where}: layer {i} neuron {j} has a zero outgoing column; deleted")
            return _drop(net, i, j)
        wz = ImmutableMatrix(w.rows, w.cols, lambda r, c: 0 if r == j else w[r, c])
        bz = ImmutableMatrix(b.rows, 1, lambda r, c: 0 if r == j else b[r])
        ctx.step(f"{where}: layer {i} neuron {j} has a zero outgoing column; its row and bias set to 0")
        return _replace(net, i, wz, bz)
    if op == "absorb_constant":
        only_keys(step, {"op", "layer", "neuron", "constant"}, where)
        if not _zero(w[j, :]):
            raise Reject(f"{where}: incoming row {j} of layer {i} is not zero")
        syms = {str(s): s for s in net.symbols}
        s = parse_number(field(step, "constant", (str, int), where), syms or None, f"{where} constant")
        if not is_zero(_sigma_at(net, b[j]) - s):
            raise Reject(f"{where}: sigma(b) != {s}")
        new_b2 = (b2 + s * w2[:, j]).applyfunc(sympy.expand)
        moved = _replace(net, i + 1, w2, new_b2)
        ctx.step(f"{where}: layer {i} neuron {j} outputs the constant sigma({b[j]}) = {s}, moved into b_{i + 1}")
        if w.rows > 1:
            return _drop(moved, i, j)
        wz = ImmutableMatrix(w2.rows, w2.cols, lambda r, c: 0 if c == j else w2[r, c])
        return _replace(moved, i + 1, wz, new_b2)
    if op == "merge":
        only_keys(step, {"op", "layer", "neuron", "keep", "relation"}, where)
        keep = _index(field(step, "keep", int, where), w.rows, f"{where} keep")
        if keep == j:
            raise Reject(f"{where}: a neuron cannot be merged into itself")
        rel = field(step, "relation", dict, where)
        only_keys(rel, {"a", "c", "b", "e"}, f"{where} relation")
        a, c, sb, e = (parse_number(field(rel, k, (str, int), f"{where} relation"), None,
                                    f"{where} relation {k}") for k in "acbe")
        if not is_trusted_relation(net.activation, a, c, sb, e):
            raise Reject(f"{where}: ({a}, {c}, {sb}, {e}) is not a trusted relation of {net.activation.spec}")
        if not _zero([w[j, t] - a * w[keep, t] for t in range(w.cols)]) or not is_zero(b[j] - a * b[keep] - c):
            raise Reject(f"{where}: row {j} is not the image of row {keep} under ({a}, {c})")
        col = (w2[:, keep] + sb * w2[:, j]).applyfunc(sympy.expand)
        new_w2 = ImmutableMatrix(w2.rows, w2.cols, lambda r, q: col[r] if q == keep else w2[r, q])
        new_b2 = (b2 + e * w2[:, j]).applyfunc(sympy.expand)
        ctx.step(f"{where}: layer {i} neuron {j} = relation ({a}, {c}, {sb}, {e}) of neuron {keep}; "
                 f"folded into it")
        return _drop(_replace(net, i + 1, new_w2, new_b2), i, j)
    raise Reject(f"{where}: unknown op {op!r:.40}")


def replay_steps(ctx: Context, net: Network, steps: Any) -> Network:
    """Replay rewrite steps from ``net``, checking each before applying it; the result.

    Used by ``same_function`` and by ``weakly_identifiable`` (checker_identifiable.py).

    >>> from symeq.certify.checker import Context
    >>> ctx = Context({})
    >>> net = parse_network({"activation": "tanh", "weights": [[["1"], ["2"]], [["3", "0"]]],
    ...                      "biases": [["0", "0"], ["0"]]})
    >>> replay_steps(ctx, net, [{"op": "drop_zero_column", "layer": 1, "neuron": 1}]).widths
    (1, 1, 1)
    """
    if not isinstance(steps, list):
        raise Reject("steps must be a list")
    if len(steps) > MAX_STEPS:
        raise Reject(f"more than {MAX_STEPS} steps")
    for n, step in enumerate(steps):
        net = _step(ctx, net, step, n)
    return net


def same_network(a: Network, b: Network, what: str) -> None:
    """Reject unless ``a`` and ``b`` have the same activation, widths and entries.

    >>> net = parse_network({"activation": "tanh", "weights": [[["1"]]], "biases": [["0"]]})
    >>> same_network(net, net, "x")
    """
    _require_same(a, b, what)


def _require_same(a: Network, b: Network, what: str) -> None:
    if a.widths != b.widths or a.activation.spec != b.activation.spec:
        raise Reject(f"{what}: widths {list(a.widths)} / {list(b.widths)} or activations differ")
    for i, (wa, wb, ba, bb) in enumerate(zip(a.weights, b.weights, a.biases, b.biases), start=1):
        require_equal(wa, wb, f"{what}: W_{i}")
        require_equal(ba, bb, f"{what}: b_{i}")


def check_same_function(ctx: Context) -> None:
    """Claim kind "same_function": replay the rewrite steps."""
    claim = field(ctx.doc, "claim", dict, "certificate")
    only_keys(claim, {"kind", "reduced"}, "claim")
    reduced = parse_network(field(claim, "reduced", dict, "claim"))
    net = ctx.network
    ctx.claim_text = (f"same_function: the {net.describe()} and the reduced {reduced.describe()} "
                      "compute the same function")
    ev = ctx.evidence
    only_keys(ev, {"method", "steps"}, "evidence")
    if ev.get("method") != "rewrite_steps":
        raise Reject("a same_function claim needs evidence method 'rewrite_steps'")
    steps = field(ev, "steps", list, "evidence")
    net = replay_steps(ctx, net, steps)
    _require_same(net, reduced, "the replayed network differs from the reduced network")
    ctx.step(f"after {len(steps)} step(s) the network equals the reduced network")


# -- not_identifiable ---------------------------------------------------------------------------


def _layer_map(ctx: Context, net: Network, i: int, prev: tuple[ImmutableMatrix, ImmutableMatrix],
               action: Any) -> tuple[ImmutableMatrix, ImmutableMatrix]:
    """Check f_i(k_{i-1} x) = k_i f_i(x) (the core's check_layer_map); return k_i = (M_i, t_i),
    which must be invertible to be an element of K."""
    where = f"layer {i}"
    w, b = net.weights[i - 1], net.biases[i - 1]
    pm, pt = prev
    wm, wt = (w * pm).applyfunc(sympy.expand), (w * pt + b).applyfunc(sympy.expand)
    k = check_layer_map(ctx, net, i, wm, wt, action, where)
    if k[0] == "matrix":
        m, t = k[1], k[2]
        if is_zero(m.det(method="berkowitz")):
            raise Reject(f"{where}: the affine map is not invertible")
        return ImmutableMatrix(m), ImmutableMatrix(t)
    _, perm, scales, shifts = k  # monomial maps are invertible: trusted relations have b != 0
    d = len(perm)
    m = sympy.zeros(d, d)
    for j, (p, s) in enumerate(zip(perm, scales)):
        m[p, j] = s
    return ImmutableMatrix(m), ImmutableMatrix(shifts)


def _stabilizer(ctx: Context) -> None:
    net, ev = ctx.network, ctx.evidence
    only_keys(ev, {"method", "actions"}, "evidence")
    actions = field(ev, "actions", list, "evidence")
    if len(actions) != net.depth - 1:
        raise Reject(f"expected {net.depth - 1} hidden-layer actions")
    k = (ImmutableMatrix.eye(net.widths[0]), ImmutableMatrix.zeros(net.widths[0], 1))
    moved = []
    for i in range(1, net.depth):
        k = _layer_map(ctx, net, i, k, actions[i - 1])
        d = net.widths[i]
        if not (_zero(k[0] - ImmutableMatrix.eye(d)) and _zero(k[1])):
            moved.append(i)
    w, b = net.weights[-1], net.biases[-1]
    require_equal((w * k[0]).applyfunc(sympy.expand), w, f"layer {net.depth}: W_L M = W_L")
    require_equal((w * k[1] + b).applyfunc(sympy.expand), b, f"layer {net.depth}: W_L t + b_L = b_L")
    ctx.step(f"layer {net.depth} (output): f_L o k_{net.depth - 1} = f_L")
    if not moved:
        raise Reject("every k_i is the identity map: no non-trivial stabilizer element")
    ctx.step(f"k moves V_{moved[0]}: a non-identity k in K with k.theta = theta, so k is not unique")


def _rational_rank(m: ImmutableMatrix) -> int:
    if not all(v.is_Rational for v in m):
        raise Reject("the rank invariant needs rational weights")
    f = fmpq_mat(m.rows, m.cols, [fmpq(int(v.p), int(v.q)) for v in m])
    return int(f.rank())


def _second_parameter(ctx: Context) -> None:
    net, ev = ctx.network, ctx.evidence
    only_keys(ev, {"method", "theta_prime", "same_function", "outside_orbit"}, "evidence")
    other = parse_network(field(ev, "theta_prime", dict, "evidence"))
    if other.widths != net.widths or other.activation.spec != net.activation.spec:
        raise Reject("theta' must have the activation and widths of the network")
    if net.symbols or other.symbols:
        raise Reject("second_parameter witnesses need concrete parameters")
    if ev.get("same_function") != "polynomial_identity" or not net.activation.polynomial:
        raise Reject("same_function must be 'polynomial_identity' (polynomial activations)")
    x = ImmutableMatrix([sympy.Dummy(f"x{j}", real=True) for j in range(net.widths[0])])
    require_equal(forward(other, x, exact=False).applyfunc(sympy.expand),
                  forward(net, x, exact=False).applyfunc(sympy.expand), "f(x; theta') = f(x; theta)")
    ctx.step("f(x; theta') - f(x; theta) expands to 0: same function")
    inv = field(ev, "outside_orbit", dict, "evidence")
    kind = inv.get("invariant")
    if kind == "rank":
        only_keys(inv, {"invariant", "layer"}, "outside_orbit")
        i = field(inv, "layer", int, "outside_orbit")
        if isinstance(i, bool) or not 1 <= i <= net.depth:
            raise Reject("outside_orbit layer out of range")
        r, rp = _rational_rank(net.weights[i - 1]), _rational_rank(other.weights[i - 1])
        if r == rp:
            raise Reject(f"rank W_{i} = rank W'_{i} = {r}: the invariant does not separate")
        ctx.step(f"rank W_{i} = {r} but rank W'_{i} = {rp}; every k in K preserves rank W_{i}: theta' is outside the orbit")
        return
    if kind == "first_layer_neuron":
        only_keys(inv, {"invariant", "neuron"}, "outside_orbit")
        if net.activation.name != "power":
            raise Reject("the first_layer_neuron invariant is trusted for power:M only")
        j = _index(field(inv, "neuron", int, "outside_orbit"), net.widths[1], "outside_orbit neuron")
        row = list(other.weights[0][j, :]) + [other.biases[0][j]]
        for q in range(net.widths[1]):
            ref = list(net.weights[0][q, :]) + [net.biases[0][q]]
            zr, zq = _zero(row), _zero(ref)
            if zr or zq:
                if zr and zq:
                    raise Reject(f"row {j} of theta' and row {q} of theta are both zero")
                continue
            if all(is_zero(row[u] * ref[v] - row[v] * ref[u]) for u in range(len(row)) for v in range(u)):
                raise Reject(f"row {j} of theta' is proportional to row {q} of theta")
        ctx.step(f"row {j} of (W'_1 | b'_1) is proportional to no row of (W_1 | b_1): no k in K relates "
                 "layer 1, so theta' is outside the orbit")
        return
    raise Reject(f"unknown outside_orbit invariant {kind!r:.40}")


def check_not_identifiable(ctx: Context) -> None:
    """Claim kind "not_identifiable": a stabilizer element or a second parameter."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    method = ctx.evidence.get("method")
    ctx.claim_text = f"not_identifiable: {ctx.network.describe()}; method {method!s:.40}"
    if method == "stabilizer":
        _stabilizer(ctx)
    elif method == "second_parameter":
        _second_parameter(ctx)
    else:
        raise Reject(f"unknown evidence method {method!r:.40} for a not_identifiable claim")


CLAIMS = {"same_function": check_same_function, "not_identifiable": check_not_identifiable}
