"""MLP identifiability: ``identifiable``, ``weakly_identifiable`` and ``not_identifiable``.

An ``identifiable`` certificate names a literature theorem of the table the caller gives the
kernel (:mod:`symeq.certify.theorems`, second-tier items: each theorem with the checks of its
hypotheses, written on kernel primitives), repeats its citation and statement word for word, and
lists its conditions; each is checked on theta and the theorem is named among the trusted items.
``weakly_identifiable`` first replays rewrite steps to the submodel; ``not_identifiable`` rests on
no theorem: a non-identity stabilizer element, or a second parameter with the same function
outside the orbit (certified ranks differ, or a first-layer row is proportional to none).
"""

from __future__ import annotations

from symeq.kernel import mlp
from symeq.kernel.core import Reject
from symeq.kernel.linalg import certified_rank, eye, inverse
from symeq.kernel.mlp import rows


def identifiable_by(c, net, ev: dict, who: str) -> None:
    """Verify an ``identifiable`` evidence object for ``net`` (numbers only)."""
    key, thm, hints = ev["theorem"], c.theorems.get(ev["theorem"]), ev.get("hints", {})
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
        text, check = c.conditions[name]
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
    mlp.replay(c, net, ev["steps"], reduced, "reduction")
    identifiable_by(c, reduced, ev["submodel"], "theta~")
    c.step("theta~ is identifiable and computes f(theta), so theta is weakly identifiable")


def _zero(xs) -> bool:
    return all(x == 0 for x in xs)


def proportional(u, v) -> bool:
    """Are u and v linearly dependent (every 2 x 2 minor zero)?"""
    return all(u[a] * v[b] == u[b] * v[a] for a in range(len(u)) for b in range(a))


def not_identifiable(c, cert) -> None:
    net, ev, F = cert.network, cert.evidence, c.F
    c.claim = f"not_identifiable: {net.describe()}; method {ev['method']}"
    if ev["method"] == "stabilizer":
        maps = mlp.check_layers(c, net, eye(F, net.widths[0]), eye(F, net.widths[-1]), ev["actions"], "stabilizer")
        for m, _ in maps:
            inverse(m)
        if all(m == eye(F, len(m)) and _zero(t) for m, t in maps):
            raise Reject("every k_i is the identity map: no non-trivial stabilizer element")
        return c.step("some k_i is not the identity: a non-identity k in K with k.theta = theta, so k is not unique")
    other, inv, x = ev["theta_prime"], ev["outside_orbit"], mlp.inputs(c, net)
    if other.widths != net.widths or other.activation.spec != net.activation.spec or net.symbols or other.symbols or \
            ev["same_function"] != "polynomial_identity" or not net.activation.polynomial:
        raise Reject("theta' must be a numeric network of the same polynomial activation and widths")
    if mlp.forward(other, x) != mlp.forward(net, x):
        raise Reject("f(x; theta') != f(x; theta)")
    c.step("f(x; theta') - f(x; theta) expands to 0: same function")
    if inv["invariant"] == "rank":
        i = inv["layer"]
        r, rp = (certified_rank(n.weights[i - 1], inv[key], f"rank W_{i}") if 1 <= i <= net.depth else None
                 for n, key in ((net, "theta"), (other, "theta_prime")))
        if r is None or r == rp:
            raise Reject(f"rank W_{i} = rank W'_{i}: the invariant does not separate (or no such layer)")
        c.rely("lemma: every k in K acts on W_i by invertible maps on both sides, which keep its rank")
        return c.step(f"rank W_{i} = {r} but rank W'_{i} = {rp} (certified): theta' is outside the orbit")
    j = inv["neuron"]
    if net.activation.name != "power" or j >= net.widths[1] or any(
            _zero(ref) if _zero(rows(other, 1)[j]) else not _zero(ref) and proportional(rows(other, 1)[j], ref)
            for ref in rows(net, 1)):
        raise Reject(f"row {j} of (W'_1 | b'_1) is proportional to a row of theta (or this is no power:M network)")
    c.rely("lemma L3: (u.x + c)^M = b (v.x + d)^M for all x forces (u, c) proportional to (v, d)")
    c.step(f"row {j} of (W'_1 | b'_1) is proportional to no row of (W_1 | b_1): theta' is outside the orbit")


CLAIMS = {"identifiable": identifiable, "weakly_identifiable": weakly_identifiable, "not_identifiable": not_identifiable}
