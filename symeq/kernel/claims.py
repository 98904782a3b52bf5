"""The claims common to every architecture, and :func:`check`, which dispatches on the claim kind:
``equivariant`` (layerwise maps per generator, or an architecture's method), ``not_equivariant``
(a witness input, exactly or by balls) and ``latent_actions`` (layerwise maps that extend to
homomorphisms G -> K_i along the Cayley graph of G, closed exactly).
"""

from __future__ import annotations

from symeq.kernel import attention, conv, mlp
from symeq.kernel.core import Reject
from symeq.kernel.groups import check_group, closure, extends
from symeq.kernel.linalg import apply, eye, mul, vadd
from symeq.kernel.numbers import PRECISIONS, flint_ctx

ARCHITECTURES = {mlp.MLP: mlp, conv.Conv: conv, attention.Attention: attention}

def equivariant_by(c, net, G, ev: dict, prefix: str = "") -> list:
    """Verify equivariance evidence for ``net`` and ``G``; the latent maps per generator (layerwise)."""
    arch, old, c.prefix = ARCHITECTURES[type(net)], c.prefix, c.prefix + prefix
    try:
        if ev["method"] != "layerwise":
            return arch.METHODS[ev["method"]](c, net, G, ev) or []
        if set(ev["actions"]) != set(G.names):
            raise Reject(f"evidence actions must be given for exactly the generators {', '.join(G.names)}")
        return [arch.check_layers(c, net, *G.generator(g), ev["actions"][g], f"generator {g}") for g in G.names]
    except Reject as exc:  # the reason names the nested proof, as the steps do
        raise type(exc)(f"{prefix}{exc}") from None
    finally:
        c.prefix = old

def equivariant(c, cert) -> None:
    c.claim = (f"equivariant: f(rho_0(g) x) = rho_L(g) f(x) for every x and every g in G; {cert.network.describe()}; "
               f"method {cert.evidence['method']}")
    equivariant_by(c, cert.network, cert.group, cert.evidence)
    # with symbols the claim holds where its "nonzero" polynomials are: each divisor's factors in the symbols are theirs
    k, nonzero, fs = len(cert.network.symbols), cert.claim.get("nonzero", []), lambda ps: {str(f / f.leading_coefficient()) for p in ps for f, _ in p.factor()[1] if any(f.degrees()[2:2 + k]) and not any(f.degrees()[2 + k:])}
    if (missing := fs(c.F.divisors) - fs(p.n for p in nonzero)) or any(p.d is not None or p.is_constant() for p in nonzero):
        raise Reject("the claim's nonzero list must be non-constant polynomials in the symbols, among them every factor of a divisor" + f" (missing: {', '.join(sorted(missing))[:80]})" * bool(missing))

def differ(c, net, x, y, A, k: int, q, what: str) -> None:
    """|f(x)_k - (A f(y))_k| > q (>= q, and nonzero, when decided exactly), exactly or by balls."""
    arch = ARCHITECTURES[type(net)]
    if len(x) != net.widths[0] or len(y) != net.widths[0] or k >= net.widths[-1]:
        raise Reject(f"{what}: the inputs need the input width, the coordinate one of the outputs")
    if net.exact:
        diff = arch.forward(net, x)[k] - apply(A, arch.forward(net, y))[k]
        if diff.is_zero() or (diff * diff - q * q).sign() < 0:
            raise Reject(f"{what}: the difference at coordinate {k} is {diff}" + (
                " (the values agree)" if diff.is_zero() else f", not at least {q} in size"))
        return c.step(f"{what}: exact difference at coordinate {k}: {diff}" + (f"; |difference| >= {q}" if q != 0 else ""))
    for prec in PRECISIONS:
        with flint_ctx.workprec(prec + 16):  # arb's precision is global: every operation at prec bits
            fy = arch.forward_ball(net, y, prec)
            diff = abs(arch.forward_ball(net, x, prec)[k] - sum((r.ball(prec) * v for r, v in zip(A[k], fy)), 0))
        if diff > q.ball(prec):
            c.rely(f"ball arithmetic of {net.activation.name} (python-flint arb)")
            return c.step(f"{what}: |difference| at coordinate {k} lies in {diff.str(5)} > {q} ({prec}-bit balls)")
    raise Reject(f"{what}: could not certify |difference| > {q} at coordinate {k} (balls up to {PRECISIONS[-1]} bits)")

def witness(c, net, G, ev: dict) -> None:
    """|(f(rho_0(g) x) - rho_L(g) f(x))_k| >= q > 0 at the stated x and symbol values."""
    (rho0, rho_l), x, values = G.generator(ev["generator"]), ev["x"], ev.get("symbol_values", {})
    if ev["difference_lower_bound"].sign() <= 0 or set(values) != set(net.symbols) or len(x) != len(rho0):
        raise Reject("the witness needs x of the input width, a positive bound and values for exactly the symbols")
    if values:
        at = lambda v: tuple(y.subs(values) for y in v)  # noqa: E731
        net = type(net)(net.activation, tuple(tuple(at(r) for r in w) for w in net.weights), tuple(at(b) for b in net.biases))
        c.step(f"symbols set to {', '.join(f'{s} = {v}' for s, v in values.items())}")
        c.claim += " (at these symbol values, not for every value)"
    differ(c, net, apply(rho0, x), x, rho_l, ev["coordinate"], ev["difference_lower_bound"],
           f"generator {ev['generator']}: f(rho_0 x) - rho_L f(x) at x")

def not_equivariant(c, cert) -> None:
    g = cert.evidence["generator"]
    c.claim = f"not equivariant: f(rho_0({g}) x) != rho_L({g}) f(x) for some x; {cert.network.describe()}"
    witness(c, cert.network, cert.group, cert.evidence)

def homomorphisms(c, G, maps: list, what: str) -> int:
    """|G|, after checking that the maps (per generator, per hidden layer) extend to homomorphisms."""
    n, right = closure(G)
    c.step(f"group closed by exact multiplication: {n} elements")
    same = lambda x, y, _: (x or (eye(y[0][0][0].f, len(y[0])), tuple(0 * v for v in y[1]))) == y  # noqa: E731
    for i in range(len(maps[0]) if maps else 0):
        if not extends(right, [m[i] for m in maps], lambda x, y: (mul(x[0], y[0]), vadd(apply(x[0], y[1]), x[1])), same):
            raise Reject(f"{what}: the maps of hidden layer {i + 1} do not extend to a homomorphism of G")
        c.step(f"{what}: the maps of hidden layer {i + 1}, carried along the Cayley graph of G, give one map per "
               f"element: a homomorphism G -> K_{i + 1}")
    return n

def latent_actions(c, cert) -> None:
    net, G, ev = cert.network, cert.group, cert.evidence
    c.claim = f"latent homomorphisms rho_i : G -> K_i making every layer of {net.describe()} equivariant"
    n = homomorphisms(c, G, equivariant_by(c, net, G, {"method": "layerwise", "actions": ev["actions"]}), "latent maps")
    if ev["order"] != n:
        raise Reject(f"the stated order {ev['order']} is not |G| = {n}")
    arch, reduced = ARCHITECTURES[type(net)], None
    if "equal_function" in ev:
        reduced = arch.equal_function(c, net, ev["equal_function"])
        c.claim += "; the network computes the same function as the original network"
    if "uniqueness" in ev:
        arch.uniqueness(c, net, ev["uniqueness"], reduced)
        c.claim += "; the latent action is unique"
    c.claim += f"; |G| = {n}"

CLAIMS = {"equivariant": equivariant, "not_equivariant": not_equivariant, "latent_actions": latent_actions, **mlp.CLAIMS}

def check(c, cert) -> None:
    """Verify a certificate read by the reader: Reject (with the reason) unless every step holds."""
    from symeq.kernel import mlp_refute  # counterexamples build on the claims above

    CLAIMS.update(mlp_refute.CLAIMS)
    c.claim = cert.kind
    if cert.group is not None:  # grid maps (convolutions) or matrices
        (conv.check_group if isinstance(cert.group, conv.ConvGroup) else check_group)(c, cert.group)
    elif cert.kind in ("equivariant", "not_equivariant", "latent_actions", "counterexample"):
        raise Reject(f"a {cert.kind} certificate needs a group")
    (getattr(ARCHITECTURES.get(type(cert.network)), "CLAIMS", {}).get(cert.kind) or CLAIMS[cert.kind])(c, cert)
