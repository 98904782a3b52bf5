"""Second-tier procedures: searches and trusted libraries the kernel may call by name.

The kernel (:mod:`symeq.kernel`) checks hints and never searches.  What still needs a search or
a trusted library is here, outside it, under a name that every verdict relying on it lists
("relies on: ...; <name> (second tier)"), each with its own limits:

* ``conjugacy classes of homomorphisms G -> B_d (enumeration)``: for a group with several
  generators (for cyclic groups the kernel proves completeness by a count), enumerate every
  homomorphism G -> B_d (or S_d) by trying every tuple of generator images of fitting order,
  group them into conjugacy classes, and require the listed types to be one per class
  (limits: :data:`MAX_CANDIDATES` tuples).
* :data:`symeq.certify.slice_ideal.NAME`: the conditions ``no_smaller_subnetwork`` and
  ``slice_count`` of the power_fiber_slice theorem from cofactor hints (ideal membership),
  Buchberger's criterion and Hermite's trace form.  It searches nothing; it lives outside the
  kernel only because the kernel must stay readable in one sitting (limits: 10 unknowns,
  degree 8, 400 standard monomials, 200,000 hint terms).

* ``linear bypass``: every hidden neuron lies in a pair with negated incoming row, bias and
  outgoing column, so by the identity sigma(z) - sigma(-z) = kappa z (relu, leaky_relu, gelu,
  softplus, swish; named in the verdict) the network computes an affine map x -> A x + a,
  recomputed layer by layer in the kernel's exact arithmetic; A and a must equal the stated
  matrix and shift and commute with the group (A rho_0(g) = rho_L(g) A, rho_L(g) a = a).
* ``relu canonical form``: one hidden relu (or leaky_relu) layer: f(rho_0(g) x) - rho_L(g) f(x)
  rewritten as sum_t c_t relu(n_t . x + beta_t) + affine with every hyperplane scaled to first
  nonzero entry +1 (by relu(k z) = k relu(z) for k > 0, relu(u) = relu(-u) + u, leaky_A(z) =
  A z + (1 - A) relu(z)); the evidence's ``groups`` list, per generator, the terms with equal
  hyperplanes, each group's coefficients must sum to 0 and the affine part must vanish.  It
  decides every one-hidden-layer relu network (relus of distinct normalized hyperplanes are
  independent modulo affine maps), in the kernel's exact arithmetic.

Each procedure raises :class:`~symeq.kernel.core.Reject` when its check fails.
"""

from __future__ import annotations

from collections import deque
from itertools import permutations, product
from math import factorial

from symeq.certify import slice_ideal
from symeq.kernel.core import Budget, Reject, tick
from symeq.kernel.groups import compose, extends
from symeq.kernel.linalg import apply, mul, require_equal, vadd
from symeq.kernel.mlp import rows

__all__ = ["PROCEDURES", "MAX_CANDIDATES"]

#: Largest number of generator-image tuples tried when enumerating homomorphisms.
MAX_CANDIDATES = 300_000


def _inverse(x: tuple) -> tuple:
    out = [0] * len(x)
    for j, v in enumerate(x):
        out[abs(v) - 1] = (1 if v > 0 else -1) * (j + 1)
    return tuple(out)


def _order(x: tuple) -> int:
    e, y, n = tuple(range(1, len(x) + 1)), x, 1
    while y != e:
        y, n = compose(x, y), n + 1
    return n


def hom_class_table(right: list, d: int, signed: bool) -> dict:
    """Every homomorphism G -> B_d (signed) or S_d (G given by its Cayley graph ``right``), mapped
    to the number of its conjugacy class, by trying every tuple of generator images of fitting
    order (at most :data:`MAX_CANDIDATES`)."""
    if factorial(d) * (2 ** d if signed else 1) > MAX_CANDIDATES:
        raise Budget(f"enumerating homomorphisms into {'B' if signed else 'S'}_{d} exceeds {MAX_CANDIDATES} elements")
    elems = [tuple(a * b for a, b in zip(p, s)) for p in permutations(range(1, d + 1))
             for s in (product((1, -1), repeat=d) if signed else [(1,) * d])]
    orders = []
    for col in right:  # generator orders, from the Cayley graph
        x, n = col[0], 1
        while x != 0:
            x, n = col[x], n + 1
        orders.append(n)
    choices = [[x for x in elems if n % _order(x) == 0] for n in orders]
    total = 1
    for c in choices:
        total *= len(c)
    if total > MAX_CANDIDATES:
        raise Budget(f"{total} candidate generator images for width {d}: beyond {MAX_CANDIDATES}")
    one = tuple(range(1, d + 1))
    homs = [imgs for imgs in product(*choices) if extends(right, list(imgs), compose, lambda x, y, _: (x or one) == y)]
    conj = [(2, 1) + tuple(range(3, d + 1)), tuple(range(2, d + 1)) + (1,)] if d >= 2 else []
    if signed:
        conj.append((-1,) + tuple(range(2, d + 1)))
    cls: dict = {}
    for h in homs:  # breadth first over conjugates by generators of S_d / B_d
        if h in cls:
            continue
        cls[h], queue = len(set(cls.values())), deque([h])
        while queue:
            tick()
            x = queue.popleft()
            for c in conj:
                y = tuple(compose(compose(c, v), _inverse(c)) for v in x)
                if y not in cls:
                    cls[y] = cls[h]
                    queue.append(y)
    return cls


def hom_classes(right: list, reps: list, d: int, signed: bool) -> None:
    """Every homomorphism G -> B_d (signed) or S_d is conjugate to exactly one of ``reps``."""
    cls = hom_class_table(right, d, signed)
    got = [cls.get(t) for t in reps]
    n = len(set(cls.values()))
    if None in got or len(set(got)) != len(got) or len(got) != n:
        raise Reject(f"{len(set(g for g in got if g is not None))} types listed, but there are {n} conjugacy "
                     f"classes of homomorphisms into {'B' if signed else 'S'}_{d}")


#: Lemma B1, sigma(z) - sigma(-z) = kappa z for every real z: kappa (from the slope A) and the item.
#: relu: max(z, 0) - max(-z, 0) = z; leaky_relu:A: z - A(-z) (z > 0), A z - (-z) (z < 0); gelu:
#: z Phi(z) + z Phi(-z) = z; softplus: log((1 + e^z) / (1 + e^-z)) = z; swish: z s(z) + z s(-z) = z.
BYPASS = {"relu": (lambda s: 1, "identity relu(z) - relu(-z) = z"),
          "leaky_relu": (lambda s: 1 + s, "identity s(z) - s(-z) = (1 + A) z for leaky_relu:A"),
          **{name: (lambda s: 1, f"identity {name}(z) - {name}(-z) = z") for name in ("gelu", "softplus", "swish")}}


def linear_bypass(c, net, G, ev: dict) -> None:
    """Hidden neurons in pairs with negated rows, biases and outgoing columns add kappa z to the next
    layer (identity B1): f(x) = A x + a, recomputed layer by layer, with A rho_0 = rho_L A, rho_L a = a.

    Why this proves equivariance: by induction P_i x + p_i is the pre-activation z_i of layer i; rows k
    and j of (W_{i-1}, b_{i-1}) are negated, so z_{i-1}[k] = -z_{i-1}[j], and the negated columns of
    W_i give W_i sigma(z_{i-1}) = sum over pairs of W_i[:, j] (sigma(z) - sigma(-z)) = kappa W_i[:, J]
    z_{i-1}[J] by B1.  So f(x) = A x + a for every x and value of the symbols, and f(rho_0 x) =
    A rho_0 x + a = rho_L (A x + a) = rho_L f(x)."""
    act = net.activation
    if act.name not in BYPASS:
        raise Reject(f"{act.spec} has no trusted identity sigma(z) - sigma(-z) = kappa z (only {', '.join(BYPASS)})")
    kappa, item = BYPASS[act.name][0](act.slope), BYPASS[act.name][1]
    c.rely(item)
    if len(ev["pairs"]) != net.depth - 1:
        raise Reject(f"evidence pairs must list {net.depth - 1} hidden layer(s)")
    P, p = net.weights[0], net.biases[0]
    for i, pairs in enumerate(ev["pairs"], start=1):
        rs, nxt = rows(net, i), net.weights[i]
        if any(len(pr) != 2 for pr in pairs) or sorted(v for pr in pairs for v in pr) != list(range(len(rs))):
            raise Reject(f"layer {i}: the pairs [j, k] must partition its {len(rs)} neurons")
        for j, k in pairs:
            if any(x != -y for x, y in zip(rs[j] + tuple(r[j] for r in nxt), rs[k] + tuple(r[k] for r in nxt))):
                raise Reject(f"layer {i}, pair [{j}, {k}]: the rows, biases and outgoing columns are not negated")
        wj = tuple(tuple(kappa * r[j] for j, _ in pairs) for r in nxt)
        P, p = mul(wj, tuple(P[j] for j, _ in pairs)), vadd(apply(wj, [p[j] for j, _ in pairs]), net.biases[i])
        c.step(f"layer {i}: {len(pairs)} bypass pairs cover its {len(rs)} neurons (negated rows, biases, outgoing columns)")
    require_equal(tuple(map(tuple, ev["matrix"])) + (tuple(ev["shift"]),), P + (p,), "stated (A | a) = recomputed (A | a)")
    c.step(f"f(x) = A x + a for every x (kappa = {kappa}); A and a equal the stated matrix and shift")
    for g in G.names:
        rho0, rho_l = G.generator(g)
        require_equal(mul(P, rho0) + (apply(rho_l, p),), mul(rho_l, P) + (p,), f"generator {g}: A rho_0 = rho_L A, rho_L a = a")
        c.step(f"generator {g}: A rho_0({g}) = rho_L({g}) A and rho_L({g}) a = a, so f(rho_0({g}) x) = rho_L({g}) f(x)")


def relu_terms(net, rho0, rho_l) -> tuple:
    """f(rho_0 x) - rho_L f(x) = sum_t c_t relu(n_t . x + beta_t) + L x + k for one hidden relu or
    leaky_relu layer: terms 0..d-1 from f(rho_0 x), d..2d-1 from rho_L f(x), each (n_t | beta_t)
    scaled to first nonzero entry +1 (None for a zero row: a constant).  Returns (terms, L, k), a
    term ((n_t | beta_t), c_t), by leaky(z) = s z + (1 - s) relu(z), relu(k z) = k relu(z) (k > 0),
    relu(u) = relu(-u) + u."""
    (w1, w2), (b1, b2), F = net.weights, net.biases, net.weights[0][0][0].f
    s = net.activation.slope or F.zero
    raw = [(r, beta, col) for r, beta, col in zip(mul(w1, rho0), b1, zip(*w2))] + \
          [(r, beta, tuple(-x for x in col)) for r, beta, col in zip(w1, b1, zip(*mul(rho_l, w2)))]
    lin, const, terms = [[F.zero] * len(w1[0]) for _ in b2], [x - y for x, y in zip(b2, apply(rho_l, b2))], []

    def affine(coef, row, beta):
        nonlocal lin, const
        lin = [[v + cf * r for v, r in zip(lr, row)] for lr, cf in zip(lin, coef)]
        const = [k + cf * beta for k, cf in zip(const, coef)]

    for row, beta, coef in raw:
        affine([s * cf for cf in coef], row, beta)
        coef = [(1 - s) * cf for cf in coef]
        lead = next((x for x in row if not x.is_zero()), None)
        if lead is None:  # relu(beta), a constant
            affine(coef, row, beta if beta.sign() > 0 else F.zero)
            terms.append(None)
            continue
        k = lead if lead.sign() > 0 else -lead
        row, beta, coef = [x / k for x in row], beta / k, [cf * k for cf in coef]
        if lead.sign() < 0:
            affine(coef, row, beta)
            row, beta = [-x for x in row], -beta
        terms.append((row + [beta], coef))
    return terms, lin, const


def relu_canonical_form(c, net, G, ev: dict) -> None:
    """The hint ``groups`` lists, per generator, the terms of :func:`relu_terms` with equal
    (n_t | beta_t); each group's coefficients and the affine part must vanish."""
    if net.activation.name not in ("relu", "leaky_relu") or net.depth != 2 or net.symbols or set(ev["groups"]) != set(G.names):
        raise Reject("relu_canonical_form needs one hidden relu/leaky_relu layer, numbers only, groups per generator")
    for g in G.names:
        terms, lin, const = relu_terms(net, *G.generator(g))
        groups = ev["groups"][g]
        if sorted(t for grp in groups for t in grp) != [t for t, x in enumerate(terms) if x is not None]:
            raise Reject(f"generator {g}: the groups must list every term with a nonzero row exactly once")
        for grp in groups:
            if any(terms[t][0] != terms[grp[0]][0] for t in grp):
                raise Reject(f"generator {g}: the terms of group {grp} have different hyperplanes")
            if any(sum(cs, c.F.zero) != 0 for cs in zip(*(terms[t][1] for t in grp))):
                raise Reject(f"generator {g}: the coefficient of the hyperplane of term {grp[0]} is not 0")
        if any(x != 0 for x in const + [v for r in lin for v in r]):
            raise Reject(f"generator {g}: the affine part is not 0")
        c.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) = sum of relu over {len(groups)} normalized "
               "hyperplanes + affine, every coefficient 0")
    c.rely("identities relu(k z) = k relu(z) (k > 0), relu(z) - relu(-z) = z, leaky_A(z) = A z + (1 - A) relu(z)")


PROCEDURES = {"relu canonical form": relu_canonical_form, "linear bypass": linear_bypass,
              "conjugacy classes of homomorphisms G -> B_d (enumeration)": hom_classes,
              slice_ideal.NAME: slice_ideal.check}
