"""The MLP architecture: f_i(x) = sigma(W_i x + b_i) for i < L, f_L(x) = W_L x + b_L.

An architecture module gives what :mod:`symeq.kernel.claims` calls: the network class
(``widths``, ``depth``, ``symbols``, ``exact``, ``numbers()``, ``describe()``), ``forward`` and
``forward_ball``, ``check_layers`` (the stated latent maps make every layer equivariant; they are
returned as affine maps (M_i, t_i) of the hidden spaces), ``METHODS`` (more evidence for
"equivariant"), ``CLAIMS`` (its own claim kinds, here rewrite steps and identifiability),
``equal_function`` and ``uniqueness``.
"""

from __future__ import annotations

from dataclasses import dataclass

from symeq.kernel.core import Reject
from symeq.kernel.linalg import apply, eye, inverse, mul, nonzero_minor, require_equal, vadd

@dataclass(frozen=True)
class MLP:
    activation: object
    weights: tuple  # W_1 .. W_L, tuples of rows of numbers
    biases: tuple  # b_1 .. b_L

    @property
    def widths(self) -> tuple[int, ...]:
        return (len(self.weights[0][0]),) + tuple(len(w) for w in self.weights)

    @property
    def depth(self) -> int:
        return len(self.weights)

    @property
    def exact(self) -> bool:
        return self.activation.exact

    def numbers(self) -> list:
        return [x for w in self.weights for r in w for x in r] + [x for b in self.biases for x in b]

    @property
    def symbols(self) -> list[str]:
        return sorted({v for x in self.numbers() for v in x.variables()})

    def describe(self) -> str:
        return f"{self.activation.spec} MLP {'-'.join(map(str, self.widths))}" + ", symbols " * bool(self.symbols) + ", ".join(self.symbols)

def rows(net: MLP, i: int) -> list:
    """The rows (W_i[j, :] | b_i[j]) of layer i."""
    return [r + (b,) for r, b in zip(net.weights[i - 1], net.biases[i - 1])]

def forward(net: MLP, x) -> tuple:
    """f(x), exactly (x may contain variables when the activation is a polynomial)."""
    for i, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        x = vadd(apply(w, x), b)
        x = x if i == net.depth else tuple(net.activation.value(z) for z in x)
    return x

def forward_ball(net: MLP, x, prec: int) -> list:
    """f(x) as balls, for constant x."""
    v = [xi.ball(prec) for xi in x]
    for i, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        v = [sum((wij.ball(prec) * vj for wij, vj in zip(row, v)), br.ball(prec)) for row, br in zip(w, b)]
        v = v if i == net.depth else [net.activation.ball(z) for z in v]
    return v

def monomial(F, perm, scales, shifts) -> tuple:
    """The affine map (M, t) with (k v)[perm[j]] = scales[j] v[j] + shifts[perm[j]]."""
    d = len(perm)
    return tuple(tuple(scales[j] if perm[j] == r else F.zero for j in range(d)) for r in range(d)), tuple(shifts)

def layer_map(c, net: MLP, i: int, prev: tuple, action: dict, where: str) -> tuple:
    """The stated map k_i of hidden layer i, checked to have f_i o k_{i-1} = k_i o f_i.  Monomial
    (perm p, relations (a, c, b, e)): (k v)[p_j] = b_j v_j + e_j, and row p_j of (W_i M_{i-1} |
    W_i t_{i-1} + b_i) is a_j (W_i[j, :] | b_i[j]) + (0 | c_j) with sigma(a z + c) = b sigma(z) + e.
    Affine (identity activation): W_i M_{i-1} = M_i W_i and W_i t_{i-1} + b_i = M_i b_i + t_i."""
    act, w, b = net.activation, net.weights[i - 1], net.biases[i - 1]
    wm, wt, d = mul(w, prev[0]), vadd(apply(w, prev[1]), b), len(w)
    if action["kind"] == "affine":
        m, t = tuple(map(tuple, action["matrix"])), tuple(action["shift"])
        if act.name != "identity" or len(m) != d or any(len(r) != d for r in m) or len(t) != d:
            raise Reject(f"{where}: an affine action is a {d} x {d} map, only for the identity activation")
        require_equal(wm + (wt,), mul(m, w) + (vadd(apply(m, b), t),), f"{where}: (W_{i} M | W_{i} t + b_{i}) = M_{i} "
                      f"(W_{i} | b_{i}) + (0 | t_{i})")
        c.step(f"{where}: affine action on {d} neurons; W_{i} k_{i-1} = k_{i} W_{i} (weights and bias)")
        return m, t
    perm, rels = action["perm"], action["relations"]
    if sorted(perm) != list(range(d)) or len(rels) != d:
        raise Reject(f"{where}: perm must be a permutation of 0..{d - 1} with one relation per neuron")
    shifts = [c.F.zero] * d
    for j, (p, r) in enumerate(zip(perm, rels)):
        if act.completes(r["a"], r["c"]) != (r["b"], r["e"]):
            raise Reject(f"{where}: ({r['a']}, {r['c']}, {r['b']}, {r['e']}) is not a relation of {act.spec}")
        lhs, rhs = wm[p] + (wt[p],), tuple(r["a"] * y for y in w[j]) + (r["a"] * b[j] + r["c"],)
        if lhs != rhs:
            raise Reject(f"{where}: row equation of neuron {j + 1} fails: {list(lhs)} != {list(rhs)}")
        shifts[p] = r["e"]
    c.rely(act.family)
    c.step(f"{where}: monomial action, perm {perm}, {d} relations of {act.spec}, every row of W_{i} k_{i-1} matches")
    return monomial(c.F, perm, [r["b"] for r in rels], shifts)

def check_layers(c, net: MLP, rho0, rho_l, actions: list, where: str) -> list:
    """f_i(k_{i-1} x) = k_i f_i(x) for i = 1..L with k_0 = rho_0, k_L = rho_L: the maps k_1..k_{L-1}."""
    if len(actions) != net.depth - 1:
        raise Reject(f"{where}: expected {net.depth - 1} hidden-layer actions")
    k, maps = (rho0, tuple(c.F.zero for _ in rho0)), []
    for i in range(1, net.depth):
        maps.append(k := layer_map(c, net, i, k, actions[i - 1], f"{where}, layer {i}"))
    w, b, L = net.weights[-1], net.biases[-1], net.depth
    require_equal(mul(w, k[0]) + (vadd(apply(w, k[1]), b),), mul(rho_l, w) + (apply(rho_l, b),),
                  f"{where}, layer {L}: (W_L M | W_L t + b_L) = rho_L (W_L | b_L)")
    c.step(f"{where}, layer {L} (output): W_{L} k_{L - 1} = rho_L W_{L} (weights and bias)")
    return maps

# -- further evidence methods of "equivariant" ------------------------------------------------------

def inputs(c, net: MLP) -> tuple:
    """The inputs x_1..x_d as polynomial variables."""
    return tuple(c.F.var(f"_x{j}") for j in range(net.widths[0]))

def polynomial_identity(c, net: MLP, G, ev: dict) -> None:
    """f(rho_0(g) x) - rho_L(g) f(x) expands to 0 in x (and the symbols)."""
    if not net.activation.polynomial:
        raise Reject(f"polynomial_identity needs a polynomial activation, not {net.activation.spec}")
    x = inputs(c, net)
    for g in G.names:
        rho0, rho_l = G.generator(g)
        require_equal([forward(net, apply(rho0, x))], [apply(rho_l, forward(net, x))], f"generator {g}: f(rho_0 x) = rho_L f(x)")
        c.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) expands to 0 in x and the symbols")

def via_reduction(c, net: MLP, G, ev: dict) -> None:
    """Rewrite steps give the reduced network, which direct evidence proves equivariant."""
    from symeq.kernel.claims import equivariant_by

    replay(c, net, ev["steps"], ev["reduced"], "reduction")
    equivariant_by(c, ev["reduced"], G, ev["reduced_equivariance"], "the reduced network: ")
    c.step("the network computes the function of the reduced network, which is equivariant: so it is equivariant")

METHODS = {"polynomial_identity": polynomial_identity, "via_reduction": via_reduction,  # and two second-tier ones:
           "linear_bypass": lambda c, net, G, ev: c.second_tier("linear bypass", c, net, G, ev),
           "relu_canonical_form": lambda c, net, G, ev: c.second_tier("relu canonical form", c, net, G, ev)}

# -- rewrite steps: submodels with the same function -------------------------------------------------

def _with(net: MLP, i: int, w=None, b=None, drop=None) -> MLP:
    """Layer i replaced by (w, b), or its neuron ``drop`` deleted (and W_{i+1}'s column)."""
    ws, bs = list(net.weights), list(net.biases)
    ws[i - 1], bs[i - 1] = w or ws[i - 1], b or bs[i - 1]
    if drop is not None:
        ws[i - 1], bs[i - 1] = ws[i - 1][:drop] + ws[i - 1][drop + 1:], bs[i - 1][:drop] + bs[i - 1][drop + 1:]
        ws[i] = tuple(r[:drop] + r[drop + 1:] for r in ws[i])
    return MLP(net.activation, tuple(ws), tuple(bs))

def rewrite(c, net: MLP, step: dict, where: str) -> MLP:
    """One rewrite step, its condition checked exactly (docs/certificates.md, same_function)."""
    act, op, i, j, F = net.activation, step["op"], step["layer"], step["neuron"], c.F
    if not 1 <= i < net.depth or j >= net.widths[i]:
        raise Reject(f"{where}: layer must be a hidden layer from 1 to {net.depth - 1}, neuron one of its neurons")
    w, b, w2, b2 = net.weights[i - 1], net.biases[i - 1], net.weights[i], net.biases[i]
    if op in ("drop_zero_column", "zero_neuron"):
        if any(r[j] != 0 for r in w2) or (op == "drop_zero_column" and len(w) < 2):
            raise Reject(f"{where}: outgoing column {j} of layer {i} is not zero (or it is the last neuron)")
        c.step(f"{where}: layer {i} neuron {j} has a zero outgoing column; " + ("deleted" if op[0] == "d" else "zeroed"))
        zeroed = _with(net, i, w[:j] + (tuple(F.zero for _ in w[j]),) + w[j + 1:], b[:j] + (F.zero,) + b[j + 1:])
        return _with(net, i, drop=j) if op[0] == "d" else zeroed
    if op == "absorb_constant":
        s = step["constant"]
        if any(x != 0 for x in w[j]) or act.value(b[j]) != s:
            raise Reject(f"{where}: neuron {j} of layer {i} is not the constant {s}")
        c.rely(None if act.exact or not b[j].is_zero() else f"value {act.name}(0) = {s}")  # else: constants.py
        c.step(f"{where}: layer {i} neuron {j} outputs the constant sigma({b[j]}) = {s}, moved into b_{i + 1}")
        moved = _with(net, i + 1, None, tuple(x + s * r[j] for x, r in zip(b2, w2)))
        return _with(moved, i, drop=j) if len(w) > 1 else _with(moved, i + 1, tuple(r[:j] + (F.zero,) + r[j + 1:] for r in w2))
    k, r = step["keep"], step["relation"]
    if k == j or k >= len(w) or act.completes(r["a"], r["c"]) != (r["b"], r["e"]) or \
            rows(net, i)[j] != tuple(r["a"] * y for y in w[k]) + (r["a"] * b[k] + r["c"],):
        raise Reject(f"{where}: neuron {j} of layer {i} is not the image of neuron {k} under a relation of {act.spec}")
    c.rely(act.family)
    c.step(f"{where}: layer {i} neuron {j} = relation ({r['a']}, {r['c']}, {r['b']}, {r['e']}) of neuron {k}; folded into it")
    w2 = tuple(row[:k] + (row[k] + r["b"] * row[j],) + row[k + 1:] for row in w2)
    return _with(_with(net, i + 1, w2, tuple(x + r["e"] * row[j] for x, row in zip(b2, net.weights[i]))), i, drop=j)

def replay(c, net: MLP, steps: list, reduced: MLP, what: str) -> None:
    """Replay rewrite steps from ``net``; the result must be ``reduced``, entry by entry."""
    for n, step in enumerate(steps):
        net = rewrite(c, net, step, f"{what} step {n + 1}")
    if net.widths != reduced.widths or net.activation.spec != reduced.activation.spec:
        raise Reject(f"{what}: the replayed network {net.describe()} differs from the reduced {reduced.describe()}")
    for i in range(net.depth):
        require_equal(net.weights[i] + (net.biases[i],), reduced.weights[i] + (reduced.biases[i],),
                      f"{what}: the replayed network equals the reduced network in (W_{i + 1} | b_{i + 1})")
    c.step(f"{what}: after {len(steps)} rewrite step(s) the network equals the reduced network: same function")

def same_function(c, cert) -> None:
    net, reduced = cert.network, cert.claim["reduced"]
    c.claim = f"same_function: the {net.describe()} and the reduced {reduced.describe()} compute the same function"
    replay(c, net, cert.evidence["steps"], reduced, "same_function")

CLAIMS = {"same_function": same_function}

# -- latent_actions: the network the actions act on, and uniqueness ---------------------------------

def equal_function(c, net: MLP, ev: dict) -> MLP:
    """f(network) = f(original): the ``padding`` steps (deleting zero neurons) turn the network into
    ``reduced``, and so do the ``steps`` from original (or, identity activation, both expand alike)."""
    original, reduced = ev["original"], ev["reduced"]
    replay(c, net, ev["padding"], reduced, "the network's zero neurons")
    if ev["method"] == "rewrite_steps":
        replay(c, original, ev["steps"], reduced, "the original network")
    elif net.activation.name != "identity" or original.activation.spec != "identity" or \
            original.widths[0] != net.widths[0] or forward(original, inputs(c, net)) != forward(net, inputs(c, net)):
        raise Reject("affine_identity: original and network are not the same affine map (identity activation)")
    else:
        c.step("f(original) = f(network): both expand to the same affine map of x")
    return reduced

def related(act, u, v):
    """(a, c) with u = a v + (0 | c) and sigma(a z + c) = b sigma(z) + e, or None (rows (w | beta))."""
    a = next(x / y for x, y in zip(u, v[:-1]) if not y.is_zero())
    if any(x != a * y for x, y in zip(u[:-1], v[:-1])):
        return None
    return (a, u[-1] - a * v[-1]) if act.completes(a, u[-1] - a * v[-1]) is not None else None

def degenerate(net: MLP, outgoing: bool = True) -> str | None:
    """An inactive or redundant hidden neuron (docs/theory.md section 3), or None."""
    for i in range(1, net.depth):
        rs = rows(net, i)
        for j, r in enumerate(rs):
            if all(x == 0 for x in r[:-1]) or (outgoing and all(row[j] == 0 for row in net.weights[i])):
                return f"layer {i} neuron {j + 1} has a zero incoming row or outgoing column (inactive)"
            if any(related(net.activation, r, rs[k]) for k in range(j)):
                return f"layer {i} neuron {j + 1} is the image of an earlier neuron under a relation (redundant)"
    return None

def uniqueness(c, net: MLP, u: dict, reduced) -> None:
    """Stab(theta) is trivial: ``distinct_rows`` (no constant neuron, no two related rows, lemma L2)
    or ``full_row_rank`` (identity activation: a nonzero maximal minor of every hidden W_i)."""
    net = {"this": net, "reduced": reduced}.get(u["network"])
    if net is None or net.symbols:
        raise Reject("uniqueness network must be 'this' or 'reduced' (with equal_function), with numbers only")
    if u["method"] == "full_row_rank":
        if net.activation.name != "identity" or len(u["minors"]) != net.depth - 1 or not all(
                nonzero_minor(w, list(range(len(w))), cols) for w, cols in zip(net.weights, u["minors"])):
            raise Reject("uniqueness: full_row_rank needs the identity activation and a nonzero maximal minor per hidden W_i")
    elif net.activation.name == "identity" or degenerate(net, outgoing=False):
        raise Reject(f"uniqueness: distinct_rows fails: {degenerate(net, outgoing=False) or 'identity activation'}")
    else:
        c.rely(net.activation.family)
        c.lemma("L2")
    c.step(f"uniqueness ({u['method']}): Stab(theta) of the {u['network']} network is trivial, the latent action unique")

# -- identifiability: a theorem of the trusted table (second tier: with the checks of its hypotheses on
# kernel primitives) whose every condition holds; a stabilizer element; a second parameter outside the orbit

def identifiable_by(c, net, ev: dict, who: str) -> None:
    """Verify an ``identifiable`` evidence object for ``net`` (numbers only)."""
    key, thm, hints = ev["theorem"], c.trusted.THEOREMS.get(ev["theorem"]), ev.get("hints", {})
    if thm is None or thm.method != ev["method"]:
        raise Reject(f"theorem {key[:40]!r} is not in the trusted table for evidence method {ev['method']!r}")
    if (thm.citation, thm.statement) != (ev["citation"], ev["statement"]):
        raise Reject(f"the citation or the statement of {key} differs from the trusted table's")
    lo, hi = thm.hidden
    if net.symbols or ("*" not in thm.activations and net.activation.name not in thm.activations) or \
            not lo <= net.depth - 1 <= (99 if hi is None else hi):
        raise Reject(f"theorem {key} covers {'/'.join(thm.activations)} networks with {lo} to {hi or 'any number of'} "
                     f"hidden layer(s) and concrete parameters, not a {net.describe()} with {net.depth - 1}")
    if sorted(ev["conditions"]) != sorted(thm.conditions) or not set(hints) <= set(thm.conditions):
        raise Reject(f"conditions (and hints for the rank ones) must be exactly those of {key}: {', '.join(thm.conditions)}")
    c.step(f"{who}: theorem {key} ({thm.name}) is in the trusted table; citation and statement match word for word")
    for name in thm.conditions:
        text, check = c.trusted.CONDITIONS[name]
        try:
            detail = check(c, net, hints.get(name, ev))
        except (Reject, KeyError) as exc:  # KeyError: a hint is missing
            raise Reject(f"condition {name} fails: {exc}") from None
        c.step(f"{who}: condition {name} holds: {text} ({detail})")
    c.rely(f"theorem {thm.name} ({thm.basis})")
    c.step(f"conditions of {thm.name} hold for {who}; identifiability follows from that theorem ({thm.trust}; "
           f"basis: {thm.basis})")

def identifiable(c, cert) -> None:
    c.claim = (f"identifiable: every theta' with the same function is related to theta by exactly one k in K; "
               f"{cert.network.describe()}; by theorem {cert.evidence['theorem'][:40]} (trusted)")
    identifiable_by(c, cert.network, cert.evidence, "theta")

def weakly_identifiable(c, cert) -> None:
    net, reduced, ev = cert.network, cert.claim["reduced"], cert.evidence
    c.claim = (f"weakly identifiable: the {net.describe()} computes the same function as the reduced "
               f"{reduced.describe()} (theta~), and theta~ is identifiable")
    replay(c, net, ev["steps"], reduced, "reduction")
    identifiable_by(c, reduced, ev["submodel"], "theta~")
    c.step("theta~ is identifiable and computes f(theta), so theta is weakly identifiable")

def not_identifiable(c, cert) -> None:
    net, ev, F = cert.network, cert.evidence, c.F
    c.claim = f"not_identifiable: {net.describe()}; method {ev['method']}"
    if ev["method"] == "stabilizer":
        maps = check_layers(c, net, eye(F, net.widths[0]), eye(F, net.widths[-1]), ev["actions"], "stabilizer")
        for m, _ in maps:
            inverse(m)
        if all(m == eye(F, len(m)) and all(x == 0 for x in t) for m, t in maps):
            raise Reject("every k_i is the identity map: no non-trivial stabilizer element")
        return c.step("some k_i is not the identity: a non-identity k in K with k.theta = theta, so k is not unique")
    other, inv, x = ev["theta_prime"], ev["outside_orbit"], inputs(c, net)
    if other.widths != net.widths or other.activation.spec != net.activation.spec or net.symbols or other.symbols:
        raise Reject("theta' must be a numeric network of the same activation and widths")
    if ev["same_function"] == "bypass_pairs":
        from symeq.kernel.bypass import same_function
        same_function(c, net, other, ev["bypass"])
    elif ev["same_function"] != "polynomial_identity" or not net.activation.polynomial or forward(other, x) != forward(net, x):
        raise Reject("f(x; theta') - f(x; theta) does not expand to 0 (polynomial activations only)")
    else:
        c.step("f(x; theta') - f(x; theta) expands to 0: same function")
    c.step(c.trusted.INVARIANTS[inv["invariant"]](c, net, other, inv) + ": theta' is outside the orbit")

CLAIMS.update(identifiable=identifiable, weakly_identifiable=weakly_identifiable, not_identifiable=not_identifiable)
