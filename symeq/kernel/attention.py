"""Attention (docs/theory.md 7.1): heads phi(Y M_h Y^T) Y W_V^h side by side, Y = X + E (layer 1) or
Z W_O^(i-1); readout Z W_O + 1 b^T; phi the row softmax or nothing (lightning).  Flattened row-major.
A latent map sends head h to perm[h] with Z_h -> Z_h A_h.  check_layers checks, for theta^g (layer 1's
W_Q, W_K, W_V times R^T; W_O S^-T; S^-1 b) and p = perm[h], U = W_O^(i-1) (I for i = 1), U' = B U:
U' M'_p U'^T = c U M_h U^T and U W_V^h A_h = c U' W_V'^p (c = 1 for softmax; lightning's (c M, V / c)
is one head), P^T E R^-T = E, B W_O' = W_O, b' = b: then each layer of theta^g is k_i o layer o k_i-1^-1.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb, arb_mat, ctx as flint_ctx

from symeq.kernel.core import Reject
from symeq.kernel.linalg import apply, inverse, mul, require_equal

T = lambda A: tuple(zip(*A))  # noqa: E731
zero = lambda A: all(x.is_zero() for r in A for x in r)  # noqa: E731


class Label:  # the common claims name net.activation.name
    def __init__(self, name: str) -> None:
        self.name = name


@dataclass(frozen=True)
class Attention:
    normalization: str
    tokens: int
    positional: tuple | None
    layers: tuple  # (W_O of the previous layer or None, ((W_Q, W_K, W_V), ...)) per attention layer
    readout: tuple
    bias: tuple

    def features(self, i: int) -> int:
        return (len(self.layers[0][1][0][0]) if i == 0 else len(self.readout[0]) if i == self.depth
                else sum(len(v[0]) for _, _, v in self.layers[i - 1][1]))

    widths = property(lambda s: tuple(s.tokens * s.features(i) for i in range(s.depth + 1)))
    depth = property(lambda s: len(s.layers) + 1)
    exact = property(lambda s: s.normalization == "lightning")
    activation = property(lambda s: Label(f"{s.normalization} attention"))
    symbols = property(lambda s: sorted({v for x in s.numbers() for v in x.variables()}))

    def numbers(self) -> list:
        mats = [self.readout, (self.bias,), self.positional or ()] + [m for e, h in self.layers for m in (e or (),) + sum(h, ())]
        return [x for m in mats for r in m for x in r]

    def describe(self) -> str:
        return f"{self.normalization} attention, {self.tokens} tokens, heads {'/'.join(str(len(h)) for _, h in self.layers)}"

    def next_rows(self, i: int) -> tuple:
        """W_O of layer i's heads: the next layer's embedding, or the readout."""
        return self.layers[i][0] if i < len(self.layers) else self.readout


def score(U, head) -> tuple:
    return mul(mul(U, mul(head[0], T(head[1]))), T(U)) if U else mul(head[0], T(head[1]))


def _forward(net, Z, m, t, phi, add, side):
    for i, (embed, heads) in enumerate(net.layers, start=1):
        Y = (add(Z, net.positional) if net.positional else Z) if i == 1 else m(Z, embed)
        Z = side([m(phi(m(m(Y, m(q, t(k))), t(Y))), m(Y, v)) for q, k, v in heads])
    return add(m(Z, net.readout), tuple(net.bias for _ in range(net.tokens)))


def forward(net: Attention, x) -> tuple:
    """f(x) exactly (lightning: a polynomial; x may hold variables)."""
    d, n = len(x) // net.tokens, net.tokens
    add = lambda A, B: tuple(tuple(a + b for a, b in zip(r, s)) for r, s in zip(A, B))  # noqa: E731
    return sum(_forward(net, tuple(tuple(x[r * d:(r + 1) * d]) for r in range(n)), mul, T, lambda S: S, add,
                        lambda outs: tuple(sum((o[r] for o in outs), ()) for r in range(n))), ())


def forward_ball(net: Attention, x, prec: int) -> list:
    """f(x) as balls (constant x); the row softmax of balls."""
    old, flint_ctx.prec, d, n = flint_ctx.prec, prec, len(x) // net.tokens, net.tokens
    try:
        b = lambda A: A if isinstance(A, arb_mat) else arb_mat([[v.ball(prec) for v in r] for r in A])  # noqa: E731
        soft = lambda S: arb_mat([[e / sum(r, arb(0)) for e in r] for r in [[S[i, j].exp() for j in range(S.ncols())]  # noqa: E731
                                                                          for i in range(S.nrows())]])
        Z = _forward(net, b([x[r * d:(r + 1) * d] for r in range(n)]), lambda A, B: b(A) * b(B), lambda A: b(A).transpose(),
                     (lambda S: S) if net.exact else soft, lambda A, B: b(A) + b(B),
                     lambda outs: arb_mat([[o[r, c] for o in outs for c in range(o.ncols())] for r in range(n)]))
        return [Z[r, c] for r in range(Z.nrows()) for c in range(Z.ncols())]
    finally:
        flint_ctx.prec = old


def split(rho, n: int, d: int, what: str) -> tuple:
    """(P, R) with rho = P (x) R (token j goes to P[j]); Reject otherwise."""
    P, R = [], None
    for s in range(n):
        hits = [t for t in range(n) if any(not rho[t * d + a][s * d + c].is_zero() for a in range(d) for c in range(d))]
        block = hits and tuple(tuple(rho[hits[0] * d + a][s * d + c] for c in range(d)) for a in range(d))
        if len(hits) != 1 or R not in (None, block):
            raise Reject(f"{what} is not a token permutation times a feature matrix")
        P, R = P + hits, block
    return tuple(P), R


def moved(k, W) -> tuple:
    """B W for a head map k = (perm, blocks): row block h is A_h times row block perm[h] of W."""
    off = [sum(len(A) for A in k[1][:h]) for h in range(len(k[1]))]
    return sum((mul(A, W[off[p]:off[p] + len(A)]) for p, A in zip(*k)), ())


def fixes_bias(net: Attention, G, where: str) -> None:
    for g in G.names:
        S = split(G.generator(g)[1], net.tokens, net.features(net.depth), f"{where}: rho_L({g})")[1]
        require_equal([apply(S, net.bias)], [net.bias], f"{where}: S b = b for generator {g}")


def _scale(S1, S2, exact: bool):
    """c with S2 = c S1 (1 for softmax), read off the first nonzero entry of S1; the caller checks."""
    nz = next(((r, s) for r, row in enumerate(S1) for s, x in enumerate(row) if not x.is_zero()), None)
    return S2[nz[0]][nz[1]] / S1[nz[0]][nz[1]] if exact and nz else S1[0][0].f.one




def check_layers(c, net: Attention, rho0, rho_l, actions: list, where: str) -> list:
    """The head-matching equations for theta^g (module docstring); the maps (I (x) B^T, 0)."""
    n, F, maps, k = net.tokens, c.F, [], None
    P, R = split(rho0, n, net.features(0), f"{where}: rho_0")
    P2, S = split(rho_l, n, net.features(net.depth), f"{where}: rho_L")
    if P2 != P or len(actions) != net.depth - 1:
        raise Reject(f"{where}: rho_0 and rho_L must permute the tokens alike; one head map per attention layer")
    if net.positional:
        require_equal(mul([net.positional[P[j]] for j in range(n)], T(inverse(R))), net.positional, f"{where}: P^T E R^-T = E")
    for i, (U, heads) in enumerate(net.layers, start=1):
        theirs, U2 = (heads, moved(k, U)) if i > 1 else ([[mul(T(R), x) for x in h] for h in heads], None)
        perm, blocks, v = actions[i - 1]["perm"], actions[i - 1]["blocks"], [len(h[2][0]) for h in heads]
        if sorted(perm) != list(range(len(v))) or len(blocks) != len(v) or any(
                len(A) != v[h] or v[perm[h]] != v[h] or any(len(r) != v[h] for r in A) for h, A in enumerate(blocks)):
            raise Reject(f"{where}, layer {i}: a head map permutes heads of equal v, with a v x v block each")
        for h, (p, A) in enumerate(zip(perm, blocks)):
            inverse(A)  # Reject unless invertible
            S1, S2 = score(U, heads[h]), score(U2, theirs[p])
            cc = _scale(S1, S2, net.exact)
            require_equal(S2, [[cc * x for x in r] for r in S1], f"{where}, layer {i}: score forms of head {h} and of head {p} of theta^g")
            require_equal(mul(mul(U, heads[h][2]) if U else heads[h][2], A),
                          [[cc * x for x in r] for r in (mul(U2, theirs[p][2]) if U2 else theirs[p][2])], f"{where}, layer {i}: V_{h} A_{h} = c V'_{p}")
        k, D = (perm, blocks), sum(v)
        B = {(sum(v[:h]) + r, sum(v[:p]) + s): A[r][s] for h, (p, A) in enumerate(zip(perm, blocks)) for r in range(v[h]) for s in range(v[h])}
        maps.append((tuple(tuple(B.get((s % D, r % D), F.zero) if r // D == s // D else F.zero for s in range(n * D))
                           for r in range(n * D)), (F.zero,) * (n * D)))
        c.step(f"{where}, layer {i}: heads {list(perm)}, every score form and value map matches")
    require_equal(moved(k, mul(net.readout, T(inverse(S)))), net.readout, f"{where}: B W_O S^-T = W_O")
    require_equal([apply(S, net.bias)], [net.bias], f"{where}: S b = b")
    c.step(f"{where}, readout: B W_O' = W_O and b' = b")
    return maps


def polynomial_identity(c, net: Attention, G, ev: dict) -> None:
    """Lightning: f(rho_0(g) x) - rho_L(g) f(x) expands to 0 in x and the symbols."""
    if not net.exact:
        raise Reject("polynomial_identity needs lightning attention")
    x = tuple(c.F.var(f"_x{j}") for j in range(net.widths[0]))
    for g in G.names:
        rho0, rho_l = G.generator(g)
        require_equal([forward(net, apply(rho0, x))], [apply(rho_l, forward(net, x))], f"generator {g}: f(rho_0 x) = rho_L f(x)")
        c.step(f"generator {g}: f(rho_0({g}) x) - rho_L({g}) f(x) expands to 0")


def silent(net: Attention, i: int, h: int) -> bool:
    """Head h of layer i contributes nothing: value map U W_V, output rows or (lightning) score form 0."""
    U, heads = net.layers[i - 1]
    off = sum(len(x[2][0]) for x in heads[:h])
    return (zero(mul(U, heads[h][2]) if U else heads[h][2]) or zero(net.next_rows(i)[off:off + len(heads[h][2][0])])
            or (net.exact and zero(score(U, heads[h]))))


def constant(c, net: Attention, G, ev: dict) -> None:
    """Every head of layer ``layer`` is silent, so f = 1 b^T; S_g b = b."""
    i = ev["layer"]
    if not 1 <= i < net.depth or not all(silent(net, i, h) for h in range(len(net.layers[i - 1][1]))):
        raise Reject(f"constant: not every head of layer {i} contributes nothing")
    fixes_bias(net, G, "constant")
    c.step(f"every head of layer {i} contributes nothing, so f(X) = 1 b^T; S_g b = b for every generator")


def rewrite(net: Attention, s: dict) -> Attention:
    """One reduction step, checked: ``drop`` a silent head; ``merge`` head ``partner`` into ``head`` when
    their score forms agree (lightning: up to c): value maps side by side (c W_V), output rows stacked;
    ``narrow`` a head to the stated V', W' with V' W' = W_V W_O.  Each keeps f: only
    phi(Y M Y^T) Y W_V W_O enters the next layer."""
    i, h, op = s["layer"], s["head"], s["op"]
    if not 1 <= i <= len(net.layers) or not 0 <= h < len(net.layers[i - 1][1]):
        raise Reject(f"step {op}: no head {h} in layer {i}")
    U, heads = net.layers[i - 1]
    off = [sum(len(x[2][0]) for x in heads[:j]) for j in range(len(heads) + 1)]
    heads, out = list(heads), [net.next_rows(i)[off[j]:off[j + 1]] for j in range(len(heads))]
    if op == "drop" and silent(net, i, h):
        del heads[h], out[h]
    elif op == "merge" and h < s.get("partner", -1) < len(heads):
        p = s["partner"]
        S1, S2 = score(U, heads[h]), score(U, heads[p])
        cc = _scale(S1, S2, net.exact)
        require_equal(S2, [[cc * x for x in r] for r in S1], f"step merge: score forms of heads {h} and {p} of layer {i}")
        heads[h] = heads[h][:2] + (tuple(a + tuple(cc * x for x in b) for a, b in zip(heads[h][2], heads[p][2])),)
        out[h] = out[h] + out[p]
        del heads[p], out[p]
    elif op == "narrow" and "value" in s and len(s["value"]) == len(heads[h][2]) and len(s["output"][0]) == len(out[h][0]):
        require_equal(mul(s["value"], s["output"]), mul(heads[h][2], out[h]), f"step narrow: V' W' = W_V W_O of head {h} of layer {i}")
        heads[h], out[h] = heads[h][:2] + (tuple(map(tuple, s["value"])),), tuple(map(tuple, s["output"]))
    else:
        raise Reject(f"step {op} on head {h} of layer {i} does not apply")
    layers, W = list(net.layers), sum(out, ())
    layers[i - 1] = (U, tuple(heads))
    if i < len(layers):
        layers[i] = (W, layers[i][1])
    return Attention(net.normalization, net.tokens, net.positional, tuple(layers), W if i == len(layers) else net.readout, net.bias)


def via_heads(c, net: Attention, G, ev: dict) -> list:
    """The replayed steps give ``reduced``, which computes f; its head maps are checked layerwise."""
    for s in ev["steps"]:
        net = rewrite(net, s)
    if net != ev["reduced"]:
        raise Reject("the reduction steps do not give the stated reduced network")
    c.step(f"{len(ev['steps'])} reduction step(s) replayed: the reduced network computes the same function")
    return [check_layers(c, net, *G.generator(g), ev["actions"][g], f"generator {g} (reduced)") for g in G.names]


METHODS, CLAIMS = {"polynomial_identity": polynomial_identity, "constant": constant, "reduction+layerwise": via_heads}, {}
