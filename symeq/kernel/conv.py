"""Circular convolutions (docs/theory.md#72-circular-convolutions): layer equations of channel
maps and the crossed-homomorphism closure, checked from hints, never searched.

Filters ``w[c][c'][q]`` (q an offset, row-major index) on a grid Z_n1 (x Z_n2); f_i(x)_c =
sigma(sum_c' w_cc' * x_c' + beta_c), (w * x)(p) = sum_q w(q) x(p - q); a convolutional or dense
readout.  A grid map (A, t) acts on every layer by (s x)(p) = x(s^-1 p); theta^g reads every filter
through A, mixes input channels by R_in and output channels by R_out^-1.  A channel map
(perm, relations (a, c, b, e), shifts t) is (k v)_{perm c}(p) = b_c v_c(p - t_c) + e_c; k relates
layer i when the channel rows of f_i(.; theta^g_i) o k_{i-1} are a_c (row c shifted by t_c), bias
a_c beta_c + c_c.  rho = s o k is a homomorphism iff k(h g) = (s(g)^-1 k(h) s(g)) k(g), where
conjugating by s(g)^-1 keeps perm and relations and maps t to A^-1 t.  For the identity activation
an element is (k v)_c = sum_c' a_cc' * v_c' + t_c ("conv_affine": filters, shift, and the filters of
A^-1 as the hint that A is invertible); conjugating by s(g)^-1 reads each filter through A.
"""

from __future__ import annotations

from dataclasses import dataclass
from symeq.kernel.core import Reject, tick


@dataclass(frozen=True)
class Conv:
    activation: object
    shape: tuple  # grid
    layers: tuple  # (W, b): W[c][c'] a tuple of |grid| numbers (dense readout: rows of C |grid|)
    dense: bool
    support: tuple | None = None  # offsets (indices) every filter may use

    @property
    def size(self) -> int:
        out = 1
        for n in self.shape:
            out *= n
        return out

    @property
    def widths(self) -> tuple[int, ...]:
        dims = [len(self.layers[0][0][0]) * self.size] + [len(w) * self.size for w, _ in self.layers]
        return tuple(dims[:-1] + [len(self.layers[-1][0])]) if self.dense else tuple(dims)

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def exact(self) -> bool:
        return self.activation.exact

    def numbers(self) -> list:
        out = []
        for i, (w, b) in enumerate(self.layers, start=1):
            out += [x for r in w for x in r] if self.dense and i == self.depth else [x for r in w for f in r for x in f]
            out += list(b)
        return out

    @property
    def symbols(self) -> list[str]:
        return sorted({v for x in self.numbers() for v in x.variables()})

    def describe(self) -> str:
        return f"{self.activation.spec} convolution on {' x '.join(f'Z_{n}' for n in self.shape)}, widths " + \
            "-".join(map(str, self.widths))

    def pos(self, k: int) -> tuple:
        out = []
        for n in reversed(self.shape):
            out.append(k % n)
            k //= n
        return tuple(reversed(out))

    def index(self, p) -> int:
        k = 0
        for v, n in zip(p, self.shape):
            k = k * n + v % n
        return k

    def shifted(self, f: tuple, t) -> tuple:
        """q -> f(q - t)."""
        return tuple(f[self.index([a - b for a, b in zip(self.pos(q), t)])] for q in range(self.size))


def apply_map(net: Conv, m, p) -> tuple:
    A, t = m
    return tuple((sum(a * v for a, v in zip(row, p)) + s) % n for row, s, n in zip(A, t, net.shape))


def forward(net: Conv, x, ball=None) -> tuple:
    """f(x) for a flat x (channel-major); ``ball`` the precision of a ball evaluation."""
    N, act = net.size, net.activation
    val = (lambda y: y.ball(ball)) if ball else (lambda y: y)
    xs = [tuple(val(v) for v in x[c * N:(c + 1) * N]) for c in range(len(x) // N)]
    for i, (w, b) in enumerate(net.layers, start=1):
        if net.dense and i == net.depth:
            flat = [v for ch in xs for v in ch]
            return tuple(sum((val(a) * v for a, v in zip(row, flat)), val(bb)) for row, bb in zip(w, b))
        out = []
        for c, row in enumerate(w):
            z = [val(b[c])] * N
            for c2, f in enumerate(row):
                for q in range(N):
                    if not f[q].is_zero():
                        tick()
                        sh = net.shifted(xs[c2], net.pos(q))
                        z = [u + val(f[q]) * v for u, v in zip(z, sh)]
            out.append(tuple(z) if i == net.depth else tuple(act.ball(u) if ball else act.value(u) for u in z))
        xs = out
    return tuple(v for ch in xs for v in ch)


# -- theta^g and the layer equations -----------------------------------------------------------------


def twisted(net: Conv, m, r_in, r_out_inv) -> tuple:
    """The layers of theta^g (see the module docstring)."""
    lin = [net.index(apply_map(net, (m[0], (0,) * len(net.shape)), net.pos(q))) for q in range(net.size)]
    pos = [net.index(apply_map(net, m, net.pos(p))) for p in range(net.size)]
    out = []
    for i, (w, b) in enumerate(net.layers, start=1):
        if net.dense and i == net.depth:
            N = net.size
            w = tuple(tuple(row[c * N + pos[p]] for c in range(len(row) // N) for p in range(N)) for row in w)
        else:
            w = tuple(tuple(tuple(f[lin[q]] for q in range(net.size)) for f in row) for row in w)
            if i == 1 and r_in is not None:
                w = tuple(tuple(tuple(sum((row[c2][q] * r_in[c2][c3] for c2 in range(len(row))), r_in[0][0].f.zero)
                                      for q in range(net.size)) for c3 in range(len(r_in))) for row in w)
        if i == net.depth and r_out_inv is not None:
            zero = r_out_inv[0][0].f.zero
            if net.dense:
                w = tuple(tuple(sum((r[k] * w[k][j] for k in range(len(w))), zero) for j in range(len(w[0]))) for r in r_out_inv)
            else:
                w = tuple(tuple(tuple(sum((r[k] * w[k][c2][q] for k in range(len(w))), zero) for q in range(net.size))
                                for c2 in range(len(w[0]))) for r in r_out_inv)
            b = tuple(sum((r[k] * b[k] for k in range(len(b))), zero) for r in r_out_inv)
        out.append((w, b))
    return tuple(out)


def composed(net: Conv, i: int, layer, k) -> tuple:
    """f_i(.; layer) o k on V_{i-1}: filters reading channel perm[c] moved to c, shifted by t_c, times b_c;
    the bias gains e_c times their sums."""
    w, b = layer
    if k["kind"] == "conv_affine":  # W A and b + W t; a dense row r: sum_p' W[r, (c', p')] a_c'c(p' - p)
        A, t, dense, neg = k["filters"], k["shift"], net.dense and i == net.depth, [net.index([-a for a in net.pos(q)]) for q in range(net.size)]
        rows = [[row[c2 * net.size:(c2 + 1) * net.size] for c2 in range(len(A))] for row in w] if dense else w
        prod = _matmul(net, rows, [[tuple(f[n] for n in neg) for f in r] for r in A] if dense else A)
        sums = [sum((x * t[c2] for c2, f in enumerate(row) for x in f), t[0].f.zero) for row in rows]
        return tuple(tuple(x for f in r for x in f) for r in prod) if dense else prod, tuple(x + s for x, s in zip(b, sums))
    N, perm, rels, shifts = net.size, k["perm"], k["relations"], k["shifts"]
    if net.dense and i == net.depth:
        cols = [[row[perm[c] * N + net.index([a + t for a, t in zip(net.pos(p), shifts[c])])] * rels[c]["b"]
                 for c in range(len(perm)) for p in range(N)] for row in w]
        sums = [sum((rels[c]["e"] * row[perm[c] * N + p] for c in range(len(perm)) for p in range(N)), row[0].f.zero)
                for row in w]
        return tuple(tuple(r) for r in cols), tuple(x + s for x, s in zip(b, sums))
    new_w = tuple(tuple(tuple(rels[c]["b"] * v for v in net.shifted(row[perm[c]], shifts[c])) for c in range(len(perm)))
                  for row in w)
    sums = [sum((rels[c]["e"] * v for c in range(len(perm)) for v in row[perm[c]]), b[0].f.zero) for row in w]
    return new_w, tuple(x + s for x, s in zip(b, sums))


def check_layers(c, net: Conv, m, r_in, r_out_inv, actions: list, where: str) -> list:
    """f_i(.; theta^g_i) o k_{i-1} = k_i o f_i(.; theta_i) layer by layer, k_0 = k_L = id; the maps."""
    other, act, prev = twisted(net, m, r_in, r_out_inv), net.activation, None
    if len(actions) != net.depth - 1:
        raise Reject(f"{where}: expected {net.depth - 1} hidden-layer channel maps")
    for i in range(1, net.depth):
        k, (w, b) = actions[i - 1], net.layers[i - 1]
        C = len(w)
        # the identity's K_i are affine maps, every other activation's channel maps: never mixed
        if k["kind"] != (kind := "conv_affine" if act.name == "identity" else "channel"):
            raise Reject(f"{where}, layer {i}: a latent map of {act.spec} is a {kind} map, not {k['kind']}")
        if k["kind"] == "channel" and (sorted(k["perm"]) != list(range(C)) or len(k["relations"]) != C or len(k["shifts"]) != C):
            raise Reject(f"{where}, layer {i}: a channel map permutes the {C} channels, one relation and shift each")
        T = composed(net, i, other[i - 1], prev) if prev else other[i - 1]
        if k["kind"] == "conv_affine":
            affine_layer(c, net, i, k, T, where)
            prev = k
            continue
        for ch, (d, r, t) in enumerate(zip(k["perm"], k["relations"], k["shifts"])):
            if act.completes(r["a"], r["c"]) != (r["b"], r["e"]):
                raise Reject(f"{where}, layer {i}: ({r['a']}, {r['c']}, {r['b']}, {r['e']}) is not a relation of {act.spec}")
            if net.support is not None and set(net.index([a + s for a, s in zip(net.pos(q), t)]) for q in net.support) != set(net.support):
                raise Reject(f"{where}, layer {i}: the shift {list(t)} of channel {ch} is no period of the support")
            lhs = [x for f in T[0][d] for x in f] + [T[1][d]]
            rhs = [r["a"] * x for f in w[ch] for x in net.shifted(f, t)] + [r["a"] * b[ch] + r["c"]]
            if lhs != rhs:
                raise Reject(f"{where}, layer {i}: channel {d} of theta^g o k_{i - 1} is not channel {ch} of theta "
                             f"moved by its relation and shift {list(t)}")
        c.rely(act.family)
        c.step(f"{where}, layer {i}: channel map perm {list(k['perm'])}, shifts {[list(t) for t in k['shifts']]}; every "
               "channel row matches")
        prev = k
    T = composed(net, net.depth, other[-1], prev) if prev else other[-1]
    if list(T[0]) != list(net.layers[-1][0]) or list(T[1]) != list(net.layers[-1][1]):
        raise Reject(f"{where}, layer {net.depth}: the output layer of theta^g o k_{net.depth - 1} is not theta's")
    c.step(f"{where}, layer {net.depth} (output): theta^g o k_{net.depth - 1} equals theta's readout")
    return list(actions)


# -- the crossed-homomorphism closure, from the element table --------------------------------------


def closure(c, net: Conv, G, maps: list, hint: dict) -> int:
    """The listed words are the elements of G (distinct, closed under the generators by the stated
    table), and each layer's maps, carried along the table with k(h g) = (s(g)^-1 k(h) s(g)) k(g),
    give one map per element; |G|."""
    words, right = hint["elements"], hint["right"]
    n = len(words)
    if n < 1 or words[0] or len(right) != len(G.names) or any(len(r) != n for r in right):
        raise Reject("closure hint: one word per element, the identity's empty, one table row per generator")
    els = [G.word(w) for w in words]
    for a in range(n):
        for b in range(a):
            tick()
            if G.same(els[a], els[b]):
                raise Reject("closure hint: two listed words name the same element")
    for j, g in enumerate(G.names):
        for a in range(n):
            tick()
            if not 0 <= right[j][a] < n or not G.same(G.mul(els[a], G.element(g)), els[right[j][a]]):
                raise Reject(f"closure hint: element {a} times {g} is not element {right[j][a]}")
    c.step(f"group: the {n} listed elements are distinct and closed under the generators: |G| = {n}")
    inv_lin = [G.inverse_linear(net, g) for g in G.names]
    for i in range(len(maps[0]) if maps else 0):
        C = len(maps[0][i]["shift" if maps[0][i]["kind"] == "conv_affine" else "perm"])
        phi: dict = {0: None}
        stack = [0]
        while stack:
            h = stack.pop()
            for j in range(len(G.names)):
                tick()
                kg, kh = maps[j][i], phi[h]
                y = kg if kh is None else _compose(net, _conjugate(net, kh, inv_lin[j]), kg)
                t = right[j][h]
                if t not in phi:
                    phi[t] = y
                    stack.append(t)
                elif not _same(phi[t], y, C, net):
                    raise Reject(f"latent maps of hidden layer {i + 1}: two products reach element {t} with "
                                 "different maps: not a crossed homomorphism")
        c.step(f"latent maps of hidden layer {i + 1}, carried along G's table with the crossed law, give one "
               "map per element: rho = s o k is a homomorphism")
    return n


def _conjugate(net: Conv, k: dict, lin: list) -> dict:
    """s^-1 k s for s with linear part A (``lin`` the table of A^-1 on indices): shifts t -> A^-1 t
    (an affine map's filters: the new one at A^-1 q is the old one at q)."""
    if k["kind"] == "conv_affine":
        return {**k, "filters": [[tuple(f[lin.index(q)] for q in range(net.size)) for f in r] for r in k["filters"]]}
    return {"kind": "channel", "perm": k["perm"], "relations": k["relations"],
            "shifts": [net.pos(lin[net.index(t)]) for t in k["shifts"]]}


def _compose(net: Conv, k1: dict, k2: dict) -> dict:
    """k1 o k2."""
    if k1["kind"] == "conv_affine":
        zero = k1["shift"][0].f.zero
        return {"kind": "conv_affine", "filters": _matmul(net, k1["filters"], k2["filters"]), "shift": [
            sum((x * k2["shift"][c2] for c2, f in enumerate(r) for x in f), zero) + t for r, t in zip(k1["filters"], k1["shift"])]}
    perm, rels, shifts = [], [], []
    for c, q in enumerate(k2["perm"]):
        r1, r2 = k1["relations"][q], k2["relations"][c]
        perm.append(k1["perm"][q])
        rels.append({"a": r1["a"] * r2["a"], "c": r1["a"] * r2["c"] + r1["c"], "b": r1["b"] * r2["b"],
                     "e": r1["b"] * r2["e"] + r1["e"]})
        shifts.append(tuple((a + b) % n for a, b, n in zip(k2["shifts"][c], k1["shifts"][q], net.shape)))
    return {"kind": "channel", "perm": perm, "relations": rels, "shifts": shifts}


def _same(x: dict | None, y: dict, C: int, net: Conv) -> bool:
    """Equal actions on V (the relations' input parts may differ); None is the identity."""
    if y["kind"] == "conv_affine":
        x = x or {"filters": _eye(net, C, y["shift"][0].f), "shift": [y["shift"][0].f.zero] * C}
        return [list(map(list, r)) for r in x["filters"]] == [list(map(list, r)) for r in y["filters"]] and \
            list(x["shift"]) == list(y["shift"])
    if x is None:
        x = {"perm": list(range(C)), "relations": [{"b": 1, "e": 0}] * C, "shifts": [(0,) * len(net.shape)] * C}
    return (list(x["perm"]) == list(y["perm"]) and [tuple(t) for t in x["shifts"]] == [tuple(t) for t in y["shifts"]]
            and all(r["b"] == s["b"] and r["e"] == s["e"] for r, s in zip(x["relations"], y["relations"])))


def _matmul(net: Conv, A, B) -> list:
    """(A B)_cc'' = sum_c' a_cc' * b_c'c'' for matrices of filters, (f * h)(q) = sum_r f(r) h(q - r)."""
    zero, out = B[0][0][0].f.zero, []
    for row in A:
        new = []
        for c2 in range(len(B[0])):
            acc = [zero] * net.size
            for f, brow in zip(row, B):
                for r, x in enumerate(f):
                    if not x.is_zero():
                        tick()
                        acc = [u + x * v for u, v in zip(acc, net.shifted(brow[c2], net.pos(r)))]
            new.append(tuple(acc))
        out.append(tuple(new))
    return tuple(out)


def _eye(net: Conv, C: int, F) -> list:
    return tuple(tuple(tuple(F.one if c == d and q == 0 else F.zero for q in range(net.size)) for d in range(C)) for c in range(C))


def affine_layer(c, net: Conv, i: int, k: dict, T: tuple, where: str) -> None:
    """k = (A, t) with A invertible (its stated inverse), A's filters on periods of the support, and
    A W_i = T's filters, A b_i + t = T's bias (T: f_i(.; theta^g_i) o k_(i-1))."""
    (w, b), A, t, C = net.layers[i - 1], k["filters"], k["shift"], len(net.layers[i - 1][0])
    if [len(r) for r in A] != [C] * C or [len(r) for r in k["inverse"]] != [C] * C or len(t) != C or any(
            len(f) != net.size for r in A + k["inverse"] for f in r):
        raise Reject(f"{where}, layer {i}: an affine channel map has C x C filters of |grid| values, its inverse's, C shifts")
    if _matmul(net, A, k["inverse"]) != _eye(net, C, t[0].f):
        raise Reject(f"{where}, layer {i}: the stated inverse of the affine channel map is not its inverse")
    for q in {q for r in A for f in r for q in range(net.size) if not f[q].is_zero()} if net.support is not None else ():
        if set(net.index([a + s for a, s in zip(net.pos(p), net.pos(q))]) for p in net.support) != set(net.support):
            raise Reject(f"{where}, layer {i}: a filter of the affine channel map uses {list(net.pos(q))}, no period of the support")
    bias = [sum((x * bb for f, bb in zip(r, b) for x in f), t[0].f.zero) + tt for r, tt in zip(A, t)]
    if [list(f) for r in _matmul(net, A, w) for f in r] != [list(f) for r in T[0] for f in r] or bias != list(T[1]):
        raise Reject(f"{where}, layer {i}: theta^g o k_{i - 1} is not k_{i} o theta (filters A W_{i}, bias A b_{i} + t)")
    c.step(f"{where}, layer {i}: affine channel map A v + t, A invertible (inverse checked), A W_{i} and A b_{i} + t match")


@dataclass(frozen=True)
class ConvGroup:
    """Generators g -> (grid map (A, t), R_in or None, R_out^-1 or None) and relation words."""

    names: tuple
    maps: tuple
    r_in: tuple
    r_out: tuple
    r_out_inv: tuple
    words: tuple = ()
    texts: tuple = ()
    shape: tuple = ()


    def generator(self, g: str) -> tuple:
        k = self.names.index(g)
        return self.maps[k], self.r_in[k], self.r_out_inv[k]

    def element(self, g: str) -> tuple:
        k = self.names.index(g)
        return self.maps[k], self.r_in[k], self.r_out[k]

    def mul(self, x: tuple, y: tuple) -> tuple:
        """x y (first y): grid maps composed, channel matrices multiplied."""
        (A, t), (B, u) = x[0], y[0]
        n = self.shape
        AB = tuple(tuple(sum(A[i][m] * B[m][j] for m in range(len(n))) % n[i] for j in range(len(n))) for i in range(len(n)))
        At = tuple((sum(a * v for a, v in zip(row, u)) + s) % ni for row, s, ni in zip(A, t, n))
        mm = lambda P, Q: Q if P is None else P if Q is None else tuple(  # noqa: E731
            tuple(sum((P[i][m] * Q[m][j] for m in range(len(Q))), P[0][0].f.zero) for j in range(len(Q[0])))
            for i in range(len(P)))
        return (AB, At), mm(x[1], y[1]), mm(x[2], y[2])

    def word(self, text: str) -> tuple:
        """The element named by a word of generator names separated by spaces ('' the identity)."""
        k = len(self.shape)
        out = (tuple(tuple(int(i == j) for j in range(k)) for i in range(k)), (0,) * k), None, None
        for name in text.split():
            tick()
            if name not in self.names:
                raise Reject(f"closure hint: unknown generator {name[:40]!r}")
            out = self.mul(out, self.element(name))
        return out

    def same(self, x: tuple, y: tuple) -> bool:
        """Equal elements: the same grid map and equal channel matrices (None the identity), exactly."""
        def eq(P, Q) -> bool:
            if P is None and Q is None:
                return True
            P, Q = (P, Q) if P is not None else (Q, P)
            return all(v == (Q[i][j] if Q is not None else int(i == j)) for i, r in enumerate(P) for j, v in enumerate(r))
        return x[0] == y[0] and eq(x[1], y[1]) and eq(x[2], y[2])

    def inverse_linear(self, net: Conv, g: str) -> list:
        """The table q -> A^-1 q of generator g's linear part on grid indices."""
        A = self.maps[self.names.index(g)][0]
        out = [0] * net.size
        for q in range(net.size):
            out[net.index(apply_map(net, (A, (0,) * len(net.shape)), net.pos(q)))] = q
        return out


# -- the claims a convolutional network answers its own way -------------------------------------------


def check_group(c, G: ConvGroup) -> None:
    """Every relation word evaluates to the identity (grid map and channel matrices)."""
    ident = G.word("")
    for word, text in zip(G.words, G.texts):
        out = G.word("")
        for k, e in word:
            x, m = G.element(G.names[k]), 1
            while not G.same(x, ident) and m <= 5000:  # the order of the generator, to invert it
                x, m = G.mul(x, G.element(G.names[k])), m + 1
            for _ in range(e if e > 0 else -e * (m - 1)):
                out = G.mul(out, G.element(G.names[k]))
        if not G.same(out, ident):
            raise Reject(f"group relation {text[:40]!r} does not hold")
    c.step(f"group: grid maps {', '.join(G.names)} are bijections of the grid" + (f"; relations {', '.join(G.texts)} hold" if G.texts else ""))


def _act(net: Conv, G: ConvGroup, g: str, y: list, side: int, val=lambda v: v) -> list:
    """rho_0(g) y (side 0) or rho_L(g) y (side 1): positions moved by the grid map (not on a dense
    readout), channels mixed by R_in or R_out."""
    m, R, N = G.maps[G.names.index(g)], (G.r_in, G.r_out)[side][G.names.index(g)], net.size
    if side == 0 or not net.dense:
        moved = list(y)
        for ch in range(len(y) // N):
            for p in range(N):
                moved[ch * N + net.index(apply_map(net, m, net.pos(p)))] = y[ch * N + p]
        y = moved
    if R is None:
        return list(y)
    zero, n = 0 * y[0], (1 if side and net.dense else N)
    return [sum((val(R[a][b]) * y[b * n + p] for b in range(len(R))), zero) for a in range(len(R)) for p in range(n)]


def not_equivariant(c, cert) -> None:
    """|(f(rho_0(g) x) - rho_L(g) f(x))_k| >= q at the stated x, exactly or by balls."""
    from symeq.kernel.numbers import PRECISIONS, flint_ctx

    net, G, ev = cert.network, cert.group, cert.evidence
    g, x, k, q = ev["generator"], tuple(ev["x"]), ev["coordinate"], ev["difference_lower_bound"]
    c.claim = f"not equivariant: f(rho_0({g}) x) != rho_L({g}) f(x) for some x; {net.describe()}"
    if g not in G.names or len(x) != net.widths[0] or k >= net.widths[-1] or q.sign() <= 0 or ev.get("symbol_values") \
            or net.symbols:
        raise Reject("the witness needs a generator, x of the input width, a coordinate, a positive bound (numeric network)")
    gx = tuple(_act(net, G, g, list(x), 0))
    if net.exact:
        d = forward(net, gx)[k] - _act(net, G, g, list(forward(net, x)), 1)[k]
        if d.is_zero() or (d * d - q * q).sign() < 0:
            raise Reject(f"generator {g}: the difference at coordinate {k} is {d}, not at least {q} in size")
        return c.step(f"generator {g}: exact difference at coordinate {k}: {d}")
    for prec in PRECISIONS:
        with flint_ctx.workprec(prec + 16):  # arb's precision is global, as in claims.differ
            d = abs(forward(net, gx, prec)[k] - _act(net, G, g, list(forward(net, x, prec)), 1, lambda v: v.ball(prec))[k])
        if d > q.ball(prec):
            c.rely(f"ball arithmetic of {net.activation.name} (python-flint arb)")
            return c.step(f"generator {g}: |difference| at coordinate {k} lies in {d.str(5)} > {q} ({prec}-bit balls)")
    raise Reject(f"generator {g}: could not certify |difference| > {q} at coordinate {k}")


def latent_actions(c, cert) -> None:
    """The channel maps make every layer equivariant and extend, with the crossed law, to G."""
    from symeq.kernel.claims import equivariant_by

    net, G, ev = cert.network, cert.group, cert.evidence
    c.claim = f"latent actions rho_i = s o k_i : G -> GL(V_i) making every layer of {net.describe()} equivariant"
    per_gen = equivariant_by(c, net, G, {"method": "layerwise", "actions": ev["actions"]})
    n = closure(c, net, G, per_gen, ev["closure"])
    if ev["order"] != n:
        raise Reject(f"the stated order {ev['order']} is not |G| = {n}")
    c.claim += f"; each k_i a crossed homomorphism; |G| = {n}"
    if "equal_function" in ev:  # beta(theta~): the MLP's rewrite steps, replayed on the lowered networks
        from symeq.kernel.mlp import equal_function
        e = ev["equal_function"]
        equal_function(c, lower(net), {**e, "original": lower(e["original"]), "reduced": lower(e["reduced"])})
        c.claim += "; the network computes the same function as the original network"


def weakly_identifiable(c, cert) -> None:
    """The lowered MLP's rewrite steps take theta to theta~ (same function), and theta~ is identifiable."""
    from dataclasses import replace
    from symeq.kernel.mlp import replay

    replay(c, lower(cert.network), cert.evidence["steps"], lower(cert.claim["reduced"]), "lowered reduction")
    identifiable(c, replace(cert, network=cert.claim["reduced"], evidence=cert.evidence["submodel"]))
    c.claim = f"weakly identifiable: {cert.network.describe()} has the function of the identifiable {c.claim[14:]}"


def lower(net: Conv):
    """The MLP with block-circulant weights that computes the same function (small networks)."""
    from symeq.kernel.mlp import MLP

    N = net.size
    if max(net.widths) > 512:
        raise Reject("lowering: a layer above 512 coordinates")
    ws, bs = [], []
    for i, (w, b) in enumerate(net.layers, start=1):
        if net.dense and i == net.depth:
            ws.append(w)
            bs.append(b)
            continue
        ws.append(tuple(tuple(f[net.index([a - u for a, u in zip(net.pos(p), net.pos(p2))])] for f in row for p2 in range(N))
                        for row in w for p in range(N)))
        bs.append(tuple(x for x in b for _ in range(N)))
    return MLP(net.activation, tuple(ws), tuple(bs))


def lowered(c, net: Conv, G: ConvGroup, ev: dict) -> None:
    """The lowered network and the group as dense matrices: the MLP evidence."""
    from symeq.kernel.claims import equivariant_by

    equivariant_by(c, lower(net), _Dense(G, net, net.numbers()[0].f), ev["mlp_evidence"], "lowered MLP: ")


class _Dense:
    """The conv group as rho_0(g), rho_L(g) matrices (for the lowered network)."""

    def __init__(self, G: ConvGroup, net: Conv, F) -> None:
        self.names, self.G, self.net, self.F = G.names, G, net, F

    def generator(self, g: str) -> tuple:
        net, n0, nL = self.net, self.net.widths[0], self.net.widths[-1]
        cols = lambda n, f: tuple(zip(*[f([self.F.one if j == i else self.F.zero for j in range(n)]) for i in range(n)]))  # noqa: E731
        return cols(n0, lambda e: _act(net, self.G, g, e, 0)), cols(nL, lambda e: _act(net, self.G, g, e, 1))


def identifiable(c, cert) -> None:
    """The lowered MLP is identifiable (its evidence), hence theta (lemma C1; a support must be filled)."""
    from symeq.kernel.mlp import identifiable_by

    net, ev = cert.network, cert.evidence
    c.claim = f"identifiable: {net.describe()}, through its lowered block-circulant MLP"
    if ev["method"] != "lowered":
        raise Reject("a convolutional network is identifiable through its lowered MLP (method lowered)")
    identifiable_by(c, lower(net), ev["mlp_evidence"], "lowered MLP")
    if net.activation.name == "identity":
        if net.support is not None or net.dense:
            raise Reject("lemma C3 needs every layer convolutional, on the whole grid")
        c.lemma("C3")
        return c.step("the unique affine symmetry commutes with the translations (lemma C3): theta is identifiable")
    if net.support is not None:
        for i, (w, _) in enumerate(net.layers[:net.depth - net.dense], start=1):
            used = lambda fs: {q for f in fs for q in net.support if not f[q].is_zero()}  # noqa: E731
            if any(used(row) != set(net.support) for row in w) or (i > 1 and any(
                    used([row[c2] for row in w]) != set(net.support) for c2 in range(len(w[0])))):
                raise Reject(f"layer {i}: some channel's filters do not fill the support")
        c.step("every channel's filters fill the support")
    c.lemma("C1")
    c.step("the unique symmetry of the lowered MLP moves whole channels (lemma C1): theta is identifiable")


def not_identifiable(c, cert) -> None:
    """theta + e delta has theta's function for every e (lemma C2), and delta is no orbit tangent."""
    net, ev = cert.network, cert.evidence
    i, kind, N = ev["layer"], ev["kind"], net.size
    c.claim = f"not identifiable: {net.describe()}; a {kind} channel of layer {i} leaves a line of parameters"
    delta = ev["direction"]
    sizes = [sum(len(f) for r in w for f in ([r] if net.dense and j == net.depth else r)) + len(b)
             for j, (w, b) in enumerate(net.layers, start=1)]
    if not 1 <= i < net.depth or len(delta) != sum(sizes) or net.symbols:
        raise Reject("the layer must be hidden and the direction one number per parameter (numeric network)")
    off = [sum(sizes[:j]) for j in range(len(sizes))]
    w, b = net.layers[i - 1]
    v, _ = net.layers[i]
    C2, dense = len(w[0]), net.dense and i + 1 == net.depth
    reading = lambda ch, d: [off[i] + (d * len(v[0]) + ch * N + q if dense else (d * len(v[0]) + ch) * N + q)  # noqa: E731
                             for q in range(N)]
    touched = {k for k, x in enumerate(delta) if not x.is_zero()}
    if not touched:
        raise Reject("the direction is zero")
    if kind == "unread":
        ch = ev["channel"]
        rows = [v[d][ch * N:(ch + 1) * N] if dense else v[d][ch] for d in range(len(v))]
        own = set(range(off[i - 1] + ch * C2 * N, off[i - 1] + (ch + 1) * C2 * N)) | {off[i - 1] + len(w) * C2 * N + ch}
        if any(not x.is_zero() for r in rows for x in r) or not touched <= own:
            raise Reject("channel is read by the next layer, or the direction leaves its own filters")
    else:
        chans = ev["channels"] if kind == "related" else [ev["channel"]]
        allowed = {k for ch in chans for d in range(len(v)) for k in reading(ch, d)}
        bias = set(range(off[i] + sizes[i] - len(net.layers[i][1]), off[i] + sizes[i]))
        if not touched <= allowed | (bias if kind == "related" else set()):
            raise Reject("the direction must change only the filters reading the channel(s) (and, related, the bias)")
        for d in range(len(v)):
            dd = [[delta[k] for k in reading(ch, d)] for ch in chans]
            if kind == "constant":
                if any(not x.is_zero() for f in w[ev["channel"]] for x in f) or not sum(dd[0], c.F.zero).is_zero():
                    raise Reject("the channel's filters are not zero, or a changed filter's sum is not")
            elif kind == "periodic":
                t = tuple(ev["period"])
                if [net.shifted(f, t) for f in w[ev["channel"]]] != [tuple(f) for f in w[ev["channel"]]] or not any(t):
                    raise Reject(f"channel's filters are not fixed by the translation {list(t)}")
                orbit = lambda q: {net.index([a + k * s for a, s in zip(net.pos(q), t)]) for k in range(N)}  # noqa: E731
                if any(not sum((dd[0][p] for p in orbit(q)), c.F.zero).is_zero() for q in range(N)):
                    raise Reject("a changed filter's periodization is not zero")
            else:
                r, t, (ch, dch) = ev["relation"], tuple(ev["translation"]), chans
                if net.activation.completes(r["a"], r["c"]) != (r["b"], r["e"]) or [x for f in w[dch] for x in f] + [b[dch]] \
                        != [r["a"] * x for f in w[ch] for x in net.shifted(f, t)] + [r["a"] * b[ch] + r["c"]]:
                    raise Reject("the channels' rows are not related by the stated relation and translation")
                moved = net.shifted(dd[1], t) if not dense else [dd[1][net.index([a - s for a, s in zip(net.pos(p), t)])]
                                                                 for p in range(N)]
                if any(not (r["b"] * x + y).is_zero() for x, y in zip(moved, dd[0])) or \
                        delta[off[i] + sizes[i] - len(net.layers[i][1]) + d] != -r["e"] * sum(dd[1], c.F.zero):
                    raise Reject("the changes of the filters reading the related channels do not cancel")
    act = net.activation
    if act.name == "identity":
        raise Reject("the identity activation's latent groups are not those of channel maps")
    rows = []
    if act.name in ("relu", "leaky_relu", "power"):  # the scale of each hidden channel: a tangent of the orbit
        beta = act.degree if act.name == "power" else 1
        for j in range(1, net.depth):
            (wj, bj), (vj, _) = net.layers[j - 1], net.layers[j]
            dj = net.dense and j + 1 == net.depth
            for ch in range(len(wj)):
                t = [c.F.zero] * len(delta)
                for k, x in enumerate([x for f in wj[ch] for x in f] + [bj[ch]]):
                    t[off[j - 1] + ch * len(wj[0]) * N + k if k < len(wj[0]) * N else off[j - 1] + len(wj) * len(wj[0]) * N + ch] = x
                for d in range(len(vj)):
                    for q in range(N):
                        k = off[j] + (d * len(vj[0]) + ch * N + q if dj else (d * len(vj[0]) + ch) * N + q)
                        t[k] = -beta * (vj[d][ch * N + q] if dj else vj[d][ch][q])
                rows.append(t)
    if rows and rank([*rows, list(delta)]) == rank(rows):
        raise Reject("the direction lies in the tangent space of the orbit (a scaling of channels)")
    c.lemma("C2")
    c.step(f"the direction changes only what the {kind} channel makes irrelevant: f(theta + e delta) = f(theta) for "
           "every e, and it is no tangent of the K-orbit" + (" (rank of the channel scalings)" if rows else
           " (K has no continuous part: the orbit is countable, the line is not)"))


def rank(rows: list) -> int:
    """The rank of rational rows (python-flint)."""
    from flint import fmpq_mat

    if any(not x.is_rational() for r in rows for x in r):
        raise Reject("the rank check needs rational numbers")
    return fmpq_mat([[x.rational() for x in r] for r in rows]).rank()


METHODS = {"lowered": lowered}
CLAIMS = {"not_equivariant": not_equivariant, "latent_actions": latent_actions, "identifiable": identifiable,
          "not_identifiable": not_identifiable, "weakly_identifiable": weakly_identifiable}
