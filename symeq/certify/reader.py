"""The strict reader of certificates: JSON values -> the kernel's exact values.

It sits beside the trusted kernel (:mod:`symeq.kernel`), not in it: it turns text into numbers,
matrices, networks and groups, and rejects anything malformed, oversized or unexpected
(unknown keys, floats, booleans for integers, Unicode digits, over-long text).  What those
values *mean* is the kernel's business; the kernel calls :class:`Reader`'s methods
(``get``, ``keys``, ``index``, ``num``, ``const``, ``vector``, ``matrix``, ``network``,
``activation``, ``group``, ``words``, ``formula``) while it checks a claim.

Numbers (docs/reference/schema.md, docs/certificates.md).  A number is an ASCII string::

    expr  := term (("+" | "-") term)*          term  := unary (("*" | "/") unary)*
    unary := ("+" | "-") unary | power          power := atom (("^" | "**") unary)?
    atom  := DIGITS ["." DIGITS] | "pi" | NAME | "sqrt" "(" expr ")" | "tanh" "(" expr ")" | "(" expr ")"

or a JSON integer.  Exponents are rational constants with numerator and denominator at most
64; a fractional power (``sqrt`` included) needs a constant base >= 0: an algebraic number,
whose root the certificate's ``numbers`` hint gives in the field Q(alpha) (the kernel checks
value^q = base and value >= 0), or c pi^k with c algebraic, when the result is a power of
sqrt(pi).  Sizes are bounded *before* a power is computed: at most 10,000 terms and 20,000
bits.  Names are the network's declared ``symbols`` (and ``z`` in ``poly:`` activations).
``tanh(q)`` takes a rational constant q (numerator and denominator at most 1000) and needs the hint
``"exp_denominator": N`` with 2 q N an integer: it is then exact in u = e^(1/N), and the certificate
has no pi (:mod:`symeq.kernel.constants`).

>>> r = Reader({"numbers": {"minimal_polynomial": ["-2", "0", "1"], "interval": ["1", "2"],
...                         "radicals": [{"base": "2", "root": 2, "value": ["0", "1"]}]}})
>>> r.const("sqrt(8)/2 + 0.5") == r.F.alpha + r.F.num(fmpq(1, 2))
True
>>> r.const("sqrt(3)")
Traceback (most recent call last):
...
symeq.kernel.core.Reject: cannot read number 'sqrt(3)': no radical hint gives the 2nd root of 3 (add it to "numbers")
>>> r.const("\\u0663")
Traceback (most recent call last):
...
symeq.kernel.core.Reject: cannot read number '\u0663': unexpected character '\u0663'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import fmpq, fmpz

from symeq.kernel.activations import PLAIN, Activation
from symeq.kernel.constants import check_exp_root, tanh_value
from symeq.kernel.core import Reject
from symeq.kernel.groups import Group
from symeq.kernel.attention import Attention
from symeq.kernel.conv import Conv, ConvGroup, apply_map
from symeq.kernel.linalg import inverse
from symeq.kernel.mlp import MLP
from symeq.kernel.numbers import Field, Num

__all__ = ["Reader", "MAX_TEXT", "MAX_DIGITS", "MAX_EXPONENT", "MAX_TERMS", "MAX_BITS"]

MAX_TEXT, MAX_DIGITS, MAX_EXPONENT, MAX_DEPTH = 2000, 400, 64, 100
#: Size of one number: terms and bits of its numerator once expanded, bounded before powers.
MAX_TERMS, MAX_BITS = 10_000, 20_000
#: Sizes of certificate parts.
MAX_LAYERS, MAX_PARAMETERS, MAX_WIDTH, MAX_GENERATORS = 32, 200_000, 4096, 32
MAX_WORD_LETTERS, MAX_WORD_EXPONENT, MAX_RADICALS = 1000, 1000, 64

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
                    r"|(?P<op>\*\*|[-+*/^()]))", re.ASCII)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z", re.ASCII)
_LETTER = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\^\s*(-?[0-9]{1,6}))?\s*", re.ASCII)
_TYPES = {int: "an integer", str: "a string", list: "a list", dict: "an object", bool: "a boolean"}


def _size(x: Num) -> tuple[int, int]:
    """(terms, bits of the largest coefficient) of a number's numerator and denominator."""
    polys = [p for p in (x.n, x.d) if p is not None]
    bits = max((int(c.p).bit_length() + int(c.q).bit_length() for p in polys for c in p.coeffs()), default=1)
    return sum(max(len(p), 1) for p in polys), bits


class Reader:
    """Reads one certificate ``doc``; ``F`` is its number field (from ``doc["numbers"]``)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        net = doc.get("network") if isinstance(doc.get("network"), dict) else {}
        names = net.get("symbols", [])
        if not isinstance(names, list) or len(names) > 64 or len(set(map(str, names))) != len(names) or not all(
                isinstance(n, str) and _NAME.match(n) and n not in ("pi", "sqrt", "tanh", "z") for n in names):
            raise Reject("network symbols must be distinct names (letters, digits, _), at most 64")
        try:
            if net.get("architecture") == "attention":  # the input variables: tokens x features
                inputs = int(net["tokens"]) * len(net["layers"][0]["heads"][0]["query"])
            else:
                inputs = len(net["weights"][0][0]) if isinstance(net["weights"][0][0], list) else 0
        except (KeyError, IndexError, TypeError, ValueError):
            inputs = 0
        if net.get("architecture") == "conv":  # a convolution's input: C_0 channels on the grid
            sizes = [net.get("channels", [None])[:1], net.get("grid", [])[:2]] if isinstance(net.get("channels"), list) \
                and isinstance(net.get("grid"), list) else [[None]]
            flat = [x for part in sizes for x in part]
            ok = flat and all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= MAX_WIDTH for x in flat)
            inputs = 1 if ok else 0
            for x in flat if ok else []:
                inputs *= x
        self.symbols, self.F, self.roots = tuple(names), Field(), []  # F: rationals until the hint is read
        hint = doc.get("numbers", {"minimal_polynomial": ["0", "1"], "interval": ["-1", "1"]})
        self.keys(hint, {"minimal_polynomial", "interval", "radicals", "exp_denominator"}, "numbers")
        coeffs = [self._rational(c, "minimal polynomial coefficient") for c in self.get(
            hint, "minimal_polynomial", list, "numbers")]
        interval = [self._rational(c, "interval end") for c in self.get(hint, "interval", list, "numbers")]
        if len(interval) != 2 or not 2 <= len(coeffs) <= 49:
            raise Reject("numbers: interval needs two ends and the minimal polynomial 2 to 49 coefficients")
        exp_root = check_exp_root(hint["exp_denominator"]) if "exp_denominator" in hint else None
        self.F = Field(coeffs, interval, self.symbols, min(inputs, MAX_WIDTH), exp_root)
        radicals = hint.get("radicals", [])
        if not isinstance(radicals, list) or len(radicals) > MAX_RADICALS:
            raise Reject(f"numbers: radicals must be a list of at most {MAX_RADICALS} entries")
        for k, r in enumerate(radicals):  # each may use the radicals before it
            where = f"numbers radical {k + 1}"
            self.keys(r, {"base", "root", "value"}, where)
            base = self.const(self.get(r, "base", (str, int), where), f"{where} base")
            q = self.get(r, "root", int, where)
            if not 2 <= q <= MAX_EXPONENT:
                raise Reject(f"{where}: root must be from 2 to {MAX_EXPONENT}")
            value = self.F.from_alpha([self._rational(c, f"{where} value") for c in self.get(r, "value", list, where)])
            if not (value ** q - base).is_zero() or value.sign() < 0:
                raise Reject(f"{where}: {value} is not the non-negative {q}th root of {base}")
            self.roots.append((base, q, value))
            if value == self.F.alpha and self.F.alpha_name == "alpha":  # messages write alpha so
                self.F.alpha_name = f"sqrt({base})" if q == 2 else f"({base})^(1/{q})"

    # -- structure ---------------------------------------------------------------------------

    def get(self, obj: Any, key: str, kind: Any, what: str) -> Any:
        """``obj[key]``, which must exist and have type ``kind`` (bool is no int)."""
        if not isinstance(obj, dict):
            raise Reject(f"{what} must be an object")
        if key not in obj:
            raise Reject(f"{what} is missing {key!r}")
        v = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(v, kinds) or (isinstance(v, bool) and bool not in kinds):
            want = " or ".join(_TYPES.get(k, k.__name__) for k in kinds)
            raise Reject(f"{what}: {key!r} must be {want}, found {type(v).__name__}")
        return v

    def keys(self, obj: Any, allowed: set[str], what: str) -> None:
        """Reject keys outside ``allowed``: nothing unchecked may sit in a certificate."""
        if not isinstance(obj, dict):
            raise Reject(f"{what} must be an object")
        extra = sorted(str(k) for k in obj if k not in allowed)
        if extra:
            raise Reject(f"{what} has unexpected key(s): {', '.join(extra)[:80]}")

    def index(self, v: Any, n: int, what: str) -> int:
        """A JSON integer in range(n)."""
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n:
            raise Reject(f"{what} must be an integer from 0 to {n - 1}, found {str(v)[:40]}")
        return v

    # -- numbers ---------------------------------------------------------------------------

    def _rational(self, text: Any, what: str) -> fmpq:
        x = self.const(text, what)
        if not x.is_rational():
            raise Reject(f"{what} must be rational")
        return x.rational()

    def num(self, text: Any, what: str = "number", names: tuple[str, ...] | None = None) -> Num:
        """One exact number; ``names``: the names allowed (default: the declared symbols)."""
        allowed = self.symbols if names is None else names
        if isinstance(text, bool) or not isinstance(text, (int, str)):
            raise Reject(f"{what} must be an exact number written as a string, found {str(text)[:40]}")
        if isinstance(text, int):
            if text.bit_length() > 4 * MAX_DIGITS:
                raise Reject(f"{what}: integer with more than {MAX_DIGITS} digits")
            return self.F.num(text)
        if len(text) > MAX_TEXT:
            raise Reject(f"{what}: text of {len(text)} characters is too long (limit {MAX_TEXT})")
        bad = next((ch for ch in text if not " " <= ch <= "~"), None)
        if bad is not None:  # printable ASCII only: no Unicode digits, no control characters
            raise Reject(f"cannot read {what} {text[:60]!r}: unexpected character {bad!r}")
        try:
            return _Parser(self, text, allowed).parse()
        except Reject as exc:
            raise Reject(f"cannot read {what} {text[:60]!r}: {exc}") from None

    def const(self, text: Any, what: str = "number") -> Num:
        """A constant: no symbols."""
        return self.num(text, what, ())

    def vector(self, values: Any, n: int, what: str, symbols: bool = True) -> tuple[Num, ...]:
        if not isinstance(values, list) or len(values) != n:
            raise Reject(f"{what} must be a list of {n} numbers")
        read = self.num if symbols else self.const
        return tuple(read(v, f"{what} entry") for v in values)

    def matrix(self, rows: Any, shape: tuple[int, int] | None, what: str, symbols: bool = True) -> tuple:
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            raise Reject(f"{what} must be a non-empty list of rows")
        n = len(rows[0])
        if n == 0 or any(len(r) != n for r in rows) or (shape is not None and (len(rows), n) != tuple(shape)):
            raise Reject(f"{what} has the wrong shape" + (f" (expected {shape[0]} x {shape[1]})" if shape else ""))
        return tuple(self.vector(r, n, what, symbols) for r in rows)

    def root(self, base: Num, q: int) -> Num:
        """The non-negative q-th root of the algebraic constant ``base`` >= 0, from the hints."""
        one = (self.F.one, q, self.F.one)
        # a hint for the qq-th root v of b also gives its q-th root v^(qq/q) when q divides qq
        # (the engine may write 2^(3/4) as 2^(1/4) sqrt(2), with one hint for 2^(1/4))
        derived = [(b, q, v ** (qq // q)) for b, qq, v in self.roots if qq != q and qq % q == 0]
        for b, qq, v in [one] + self.roots + derived:  # base = b r^q with r rational: v r
            ratio = base / b if qq == q and not b.is_zero() else None
            if ratio is not None and ratio.is_rational() and ratio.rational() > 0:
                p = [fmpz(ratio.rational().p), fmpz(ratio.rational().q)]
                r = [x.root(q) for x in p]
                if all(x ** q == y for x, y in zip(r, p)):
                    return v * self.F.num(fmpq(r[0], r[1]))
            if b.is_zero() and base.is_zero():
                return self.F.zero
        raise Reject(f"no radical hint gives the {q}{'nd' if q == 2 else 'th'} root of {base} (add it to \"numbers\")")

    # -- certificate parts -----------------------------------------------------------------

    def activation(self, spec: Any):
        """A kernel activation from its spec (``tanh``, ``leaky_relu:1/10``, ``power:3``, ``poly:z^3-z``)."""
        if not isinstance(spec, str) or len(spec) > MAX_TEXT:
            raise Reject("network activation must be a string")
        name, _, arg = spec.partition(":")
        if name in PLAIN and spec == name:
            return Activation(spec, name)
        if name == "leaky_relu":
            return Activation(spec, name, slope=self.const(arg or "1/100", "leaky_relu slope"))
        if name == "power" and re.fullmatch(r"[0-9]{1,2}", arg, re.ASCII):
            return Activation(spec, name, degree=int(arg))
        if name == "poly" and arg:
            return Activation(spec, name, poly=self.num(arg, "poly activation", ("z",)))
        raise Reject(f"unknown or malformed activation {spec[:60]!r}")

    def attention(self, table: Any, what: str) -> Attention:
        """A kernel attention network from its [network] table (docs/reference/schema.md)."""
        self.keys(table, {"architecture", "normalization", "tokens", "widths", "positional", "layers", "readout",
                          "symbols", "description"}, what)
        norm, n = self.get(table, "normalization", str, what), self.get(table, "tokens", int, what)
        layers = self.get(table, "layers", list, what)
        if norm not in ("softmax", "lightning") or not 1 <= n <= MAX_WIDTH or not 1 <= len(layers) <= MAX_LAYERS:
            raise Reject(f"{what}: normalization softmax or lightning, 1 to {MAX_WIDTH} tokens, 1 to {MAX_LAYERS} layers")
        built, d, count = [], None, 0
        for i, ly in enumerate(layers, start=1):
            self.keys(ly, {"heads", "output"} if i > 1 else {"heads"}, f"{what} layer {i}")
            embed = self.matrix(self.get(ly, "output", list, f"{what} layer {i}"), None,
                                f"{what} layer {i} output") if i > 1 else None
            if embed is not None and len(embed) != sum(len(h[2][0]) for h in built[-1][1]):
                raise Reject(f"{what} layer {i}: output needs one row per value feature of layer {i - 1}")
            d = len(embed[0]) if embed is not None else None
            heads = []
            for h, head in enumerate(self.get(ly, "heads", list, f"{what} layer {i}")):
                self.keys(head, {"query", "key", "value"}, f"{what} layer {i} head {h}")
                q, k, v = (self.matrix(self.get(head, x, list, f"{what} layer {i} head {h}"), None, f"{what} layer {i} head {h} {x}")
                           for x in ("query", "key", "value"))
                d = d or len(q)
                if not len(q) == len(k) == len(v) == d or len(q[0]) != len(k[0]):
                    raise Reject(f"{what} layer {i} head {h}: query, key, value need {d} rows, query and key equal columns")
                count += 3 * d * len(q[0])
                heads.append((q, k, v))
            if not heads:
                raise Reject(f"{what} layer {i} has no heads")
            built.append((embed, tuple(heads)))
        ro = self.get(table, "readout", dict, what)
        self.keys(ro, {"output", "bias"}, f"{what} readout")
        W = self.matrix(self.get(ro, "output", list, f"{what} readout"), None, f"{what} readout output")
        if len(W) != sum(len(h[2][0]) for h in built[-1][1]) or count > MAX_PARAMETERS:
            raise Reject(f"{what} readout: output needs one row per value feature of the last layer")
        b = self.vector(self.get(ro, "bias", list, f"{what} readout"), len(W[0]), f"{what} readout bias")
        E = self.matrix(table["positional"], (n, len(built[0][1][0][0])), f"{what} positional") if "positional" in table else None
        return Attention(norm, n, E, tuple(built), W, b)

    def network(self, table: Any, what: str = "network"):
        """A kernel network from a [network] table (one reader per architecture: mlp, conv, attention)."""
        if isinstance(table, dict) and table.get("architecture") == "conv":
            return self.conv_network(table, what)
        if isinstance(table, dict) and table.get("architecture") == "attention":
            return self.attention(table, what)
        self.keys(table, {"architecture", "activation", "widths", "weights", "biases", "symbols", "description"}, what)
        arch = table.get("architecture", "mlp")
        if arch != "mlp":
            raise Reject(f"{what}: architecture {str(arch)[:40]!r} is not supported by this checker (only mlp, conv and attention)")
        if not isinstance(table.get("symbols", []), list) or not set(map(str, table.get("symbols", []))) <= set(self.symbols):
            raise Reject(f"{what}: symbols must be among the certificate network's symbols {list(self.symbols)}")
        act = self.activation(self.get(table, "activation", str, what))
        weights, biases = self.get(table, "weights", list, what), self.get(table, "biases", list, what)
        if not 1 <= len(weights) <= MAX_LAYERS or len(weights) != len(biases):
            raise Reject(f"{what} needs 1 to {MAX_LAYERS} layers with one bias vector each")
        shapes = [(len(w), len(w[0]) if w and isinstance(w[0], list) else 0) if isinstance(w, list) else (0, 0)
                  for w in weights]
        if sum(a * b for a, b in shapes) > MAX_PARAMETERS or max(max(s) for s in shapes) > MAX_WIDTH:
            raise Reject(f"{what} has more than {MAX_PARAMETERS} weights or a layer wider than {MAX_WIDTH}")
        ws: list[tuple] = []
        for i, w in enumerate(weights, start=1):
            ws.append(self.matrix(w, None if i == 1 else (shapes[i - 1][0], len(ws[-1])), f"{what} W_{i}"))
        bs = tuple(self.vector(b, len(w), f"{what} b_{i}") for i, (w, b) in enumerate(zip(ws, biases), start=1))
        net = MLP(act, tuple(ws), bs)
        if "widths" in table and table["widths"] != list(net.widths):
            raise Reject(f"{what}: widths {str(table['widths'])[:60]} do not match the weights {list(net.widths)}")
        return net

    def conv_network(self, table: Any, what: str) -> Conv:
        """A circular convolutional network (docs/certificates.md, "Convolutional networks")."""
        self.keys(table, {"architecture", "activation", "grid", "channels", "filters", "biases", "support",
                          "readout", "symbols", "description"}, what)
        act = self.activation(self.get(table, "activation", str, what))
        grid, chans = self.get(table, "grid", list, what), self.get(table, "channels", list, what)
        if not 1 <= len(grid) <= 2 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in grid) \
                or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in chans):
            raise Reject(f"{what}: grid must be [n] or [n1, n2] and channels positive integers")
        N = 1
        for n in grid:
            N *= n
        filters, biases = self.get(table, "filters", list, what), self.get(table, "biases", list, what)
        dense = "readout" in table
        if len(chans) != len(filters) + 1 or len(biases) != len(filters) or not 1 <= len(filters) + dense <= MAX_LAYERS \
                or N * max(chans) > MAX_WIDTH or N * sum(a * b for a, b in zip(chans, chans[1:])) > MAX_PARAMETERS:
            raise Reject(f"{what}: channels must list C_0..C_L for the filter banks, within the size limits")
        layers = []
        for i, (bank, bias) in enumerate(zip(filters, biases), start=1):
            if not isinstance(bank, list) or len(bank) != chans[i] or not all(isinstance(r, list) and len(r) == chans[i - 1] for r in bank):
                raise Reject(f"{what}: filters[{i - 1}] must be {chans[i]} x {chans[i - 1]} filters")
            rows = tuple(tuple(self.vector([x for r in f for x in r] if f and isinstance(f[0], list) else f, N,
                                           f"{what} filter {i}") for f in row) for row in bank)
            layers.append((rows, self.vector(bias, chans[i], f"{what} biases {i}")))
        if dense:
            r = self.get(table, "readout", dict, what)
            self.keys(r, {"weights", "bias"}, f"{what} readout")
            w = self.matrix(self.get(r, "weights", list, f"{what} readout"), None, f"{what} readout weights")
            if len(w[0]) != chans[-1] * N:
                raise Reject(f"{what}: the readout needs {chans[-1] * N} columns")
            layers.append((w, self.vector(self.get(r, "bias", list, f"{what} readout"), len(w), f"{what} readout bias")))
        support = None
        if "support" in table:
            sup = self.get(table, "support", list, what)
            if not all(isinstance(p, list) and len(p) == len(grid) and all(isinstance(v, int) and not isinstance(v, bool)
                                                                          for v in p) for p in sup):
                raise Reject(f"{what}: support must list offsets of {len(grid)} integers")
            support = tuple(sorted({Conv(act, tuple(grid), (), False).index(p) for p in sup}))
        net = Conv(act, tuple(grid), tuple(layers), dense, support)
        if support is not None and any(not x.is_zero() for w, _ in layers[:len(filters)] for row in w for f in row
                                       for q, x in enumerate(f) if q not in support):
            raise Reject(f"{what}: a filter is nonzero outside the support")
        return net

    def conv_group(self, table: Any, net: Conv) -> ConvGroup:
        """Grid maps with optional channel matrices on the input and output."""
        self.keys(table, {"generators", "relations", "description"}, "group")
        gens = self.get(table, "generators", dict, "group")
        if not 1 <= len(gens) <= MAX_GENERATORS:
            raise Reject(f"group needs 1 to {MAX_GENERATORS} generators")
        k, c_in = len(net.shape), len(net.layers[0][0][0])
        c_out = len(net.layers[-1][0])
        names, maps, ins, outs, invs = [], [], [], [], []
        for name, gen in gens.items():
            where = f"generator {name}"
            self.keys(gen, {"grid", "input", "output"}, where)
            gm = self.get(gen, "grid", dict, where)
            self.keys(gm, {"matrix", "offset"}, where)
            A = [[self._rational(v, f"{where} grid") for v in r] for r in self.get(gm, "matrix", list, where)]
            t = [self._rational(v, f"{where} grid") for v in self.get(gm, "offset", list, where)]
            if len(A) != k or any(len(r) != k for r in A) or len(t) != k or any(x.q != 1 for x in [*t, *sum(A, [])]):
                raise Reject(f"{where}: the grid map needs an integer {k} x {k} matrix and offset")
            m = (tuple(tuple(int(x.p) % net.shape[i] for x in r) for i, r in enumerate(A)),
                 tuple(int(x.p) % n for x, n in zip(t, net.shape)))
            for i in range(k):
                for j in range(k):
                    if m[0][i][j] * net.shape[j] % net.shape[i]:
                        raise Reject(f"{where}: the grid map is not well defined on the grid")
            if len({net.index(apply_map(net, m, net.pos(q))) for q in range(net.size)}) != net.size:
                raise Reject(f"{where}: the grid map is not a bijection")
            if net.support is not None and {net.index(apply_map(net, (m[0], (0,) * k), net.pos(q)))
                                            for q in net.support} != set(net.support):
                raise Reject(f"{where}: the grid map does not keep the support")
            r_in = self.matrix(gen["input"], (c_in, c_in), f"{where} input", False) if "input" in gen else None
            r_out = self.matrix(gen["output"], (c_out, c_out), f"{where} output", False) if "output" in gen else None
            names.append(name)
            maps.append(m)
            ins.append(r_in)
            outs.append(r_out)
            invs.append(inverse(r_out) if r_out is not None else None)
        texts = table.get("relations", [])
        if not isinstance(texts, list) or len(texts) > MAX_GENERATORS or not all(isinstance(t, str) for t in texts):
            raise Reject(f"group relations must be a list of at most {MAX_GENERATORS} words")
        return ConvGroup(tuple(names), tuple(maps), tuple(ins), tuple(outs), tuple(invs),
                         tuple(self.words(texts, tuple(names))), tuple(texts), net.shape)

    def group(self, table: Any, d_in: int, d_out: int) -> Group:
        """The group: named generators (input and output matrices, constants) and relation words."""
        self.keys(table, {"generators", "relations", "description", "name"}, "group")
        gens = self.get(table, "generators", dict, "group")
        if not 1 <= len(gens) <= MAX_GENERATORS:
            raise Reject(f"group needs 1 to {MAX_GENERATORS} generators")
        names, ins, outs = [], [], []
        for name, pair in gens.items():
            if not _NAME.match(name):
                raise Reject(f"group generator {name[:40]!r} must be a name")
            if isinstance(pair, dict) and "tokens" in pair:  # attention: P (x) R from the parts
                ins.append(self.kron(pair, "input", d_in, name))
                outs.append(self.kron(pair, "output", d_out, name))
                names.append(name)
                continue
            self.keys(pair, {"input", "output"}, f"generator {name}")
            ins.append(self.matrix(self.get(pair, "input", list, f"generator {name}"), (d_in, d_in),
                                   f"generator {name} input", symbols=False))
            outs.append(self.matrix(self.get(pair, "output", list, f"generator {name}"), (d_out, d_out),
                                    f"generator {name} output", symbols=False))
            names.append(name)
        texts = table.get("relations", [])
        if not isinstance(texts, list) or len(texts) > MAX_GENERATORS or not all(isinstance(t, str) for t in texts):
            raise Reject(f"group relations must be a list of at most {MAX_GENERATORS} words")
        return Group(tuple(names), tuple(ins), tuple(outs), tuple(self.words(texts, tuple(names))), tuple(texts))

    def kron(self, pair: dict, side: str, dim: int, name: str) -> tuple:
        """P (x) R of an attention generator: token j goes to tokens[j], R on each token's features."""
        self.keys(pair, {"tokens", "input", "output"}, f"generator {name}")
        perm = self.get(pair, "tokens", list, f"generator {name}")
        n = len(perm)
        if not n or dim % n or sorted(perm) != list(range(n)):
            raise Reject(f"generator {name}: tokens must be a permutation of the tokens")
        d = dim // n
        R = self.matrix(self.get(pair, side, list, f"generator {name}"), (d, d), f"generator {name} {side}", symbols=False)
        zero = self.F.zero
        return tuple(tuple(R[r % d][s % d] if perm[s // d] == r // d else zero for s in range(dim)) for r in range(dim))

    def words(self, texts: list[str], names: tuple[str, ...]) -> list[tuple[tuple[int, int], ...]]:
        """Relation words such as "r^4" or "s r s^-1 r" as ((generator index, exponent), ...)."""
        out = []
        for text in texts:
            pos, word, s = 0, [], text.replace("*", " ")
            while pos < len(s):
                m = _LETTER.match(s, pos)
                if m is None or m.end() == pos or m.group(1) not in names:
                    raise Reject(f"cannot read the word {text[:60]!r} over the generators {', '.join(names)}")
                e = int(m.group(2) or 1)
                if abs(e) > MAX_WORD_EXPONENT or len(word) >= MAX_WORD_LETTERS:
                    raise Reject(f"the word {text[:60]!r} has an exponent above {MAX_WORD_EXPONENT} "
                                 f"or more than {MAX_WORD_LETTERS} letters")
                word.append((names.index(m.group(1)), e))
                pos = m.end()
            if not word:
                raise Reject("a relation word is empty")
            out.append(tuple(word))
        return out

    def formula(self, text: Any) -> Any:
        """A predicate over the atoms equivariant, layerwise, reduced with not/and/or/-> and
        parentheses, as nested tuples: expr := or ("->" expr)?; or := and ("or" and)*;
        and := unary ("and" unary)*; unary := "not" unary | ATOM | "(" expr ")"."""
        if not isinstance(text, str) or not 0 < len(text) <= 500:
            raise Reject("the predicate must be a string of 1 to 500 characters")
        tokens, k = re.findall(r"->|\(|\)|[A-Za-z_]+|\S", text), [0]

        def take() -> str:
            if k[0] >= len(tokens):
                raise Reject(f"cannot read the predicate {text[:60]!r}: unexpected end")
            k[0] += 1
            return tokens[k[0] - 1]

        def peek() -> str | None:
            return tokens[k[0]] if k[0] < len(tokens) else None

        def binary(op: str, sub: Any) -> Any:
            f = sub()
            while peek() == op:
                take()
                f = (op, f, sub())
            return f

        def expr(depth: int) -> Any:
            if depth > 50:
                raise Reject("the predicate is nested too deeply")
            left = binary("or", lambda: binary("and", lambda: unary(depth)))
            if peek() == "->":
                take()
                return ("->", left, expr(depth + 1))
            return left

        def unary(depth: int) -> Any:
            t = take()
            if t == "not":
                return ("not", unary(depth + 1) if depth < 50 else expr(51))
            if t == "(":
                f = expr(depth + 1)
                if take() != ")":
                    raise Reject(f"cannot read the predicate {text[:60]!r}: expected ')'")
                return f
            if t in ATOMS:
                return t
            raise Reject(f"cannot read the predicate {text[:60]!r}: unknown atom {t[:20]!r}")

        f = expr(0)
        if peek() is not None:
            raise Reject(f"cannot read the predicate {text[:60]!r}: unexpected {peek()[:20]!r}")
        return f

    # -- the schema ------------------------------------------------------------------------

    def parse(self, value: Any, schema: Any, where: str) -> Any:
        """``value`` checked against ``schema`` (module docstring), numbers and networks parsed."""
        if isinstance(schema, str) and schema.startswith("@"):
            schema = SCHEMAS[schema[1:]]
        if schema == "num" or schema == "const":
            return self.num(value, where) if schema == "num" else self.const(value, where)
        if schema == "net":
            return self.network(value, where)
        if schema in ("int", "sign", "str", "bool", "any"):
            ok = {"int": isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9,
                  "sign": value in (1, -1) and not isinstance(value, bool), "any": True,
                  "str": isinstance(value, str) and len(value) <= 20_000, "bool": isinstance(value, bool)}[schema]
            if not ok:
                raise Reject(f"{where} must be {_WANT[schema]}, found {str(value)[:40]!r}")
            return value
        if isinstance(schema, list):
            if not isinstance(value, list):
                raise Reject(f"{where} must be a list")
            return [self.parse(v, schema[0], f"{where}[{k}]") for k, v in enumerate(value)]
        if isinstance(schema, tuple):  # a tagged union: (tag key, {tag value: schema})
            tag = value.get(schema[0]) if isinstance(value, dict) else None
            if not any(tag == t and type(tag) is type(t) for t in schema[1]):
                raise Reject(f"{where}: unknown or missing {schema[0]} {str(tag)[:40]!r} "
                             f"(known: {', '.join(map(str, schema[1]))})")
            return self.parse(value, schema[1][tag], where)
        if not isinstance(value, dict):
            raise Reject(f"{where} must be an object")
        if "*" in schema:  # free keys (generator names, atoms)
            return {k: self.parse(v, schema["*"], f"{where}.{k}") for k, v in value.items()}
        self.keys(value, {k.rstrip("?") for k in schema}, where)
        out = {}
        for k, sub in schema.items():
            if k.endswith("?") and k[:-1] not in value:
                continue
            key = k.rstrip("?")
            if key not in value:
                raise Reject(f"{where} is missing {key!r}")
            out[key] = value[key] if sub in TAGS else self.parse(value[key], sub, f"{where}.{key}")
        return out

    def certificate(self, doc: dict) -> Certificate:
        """The whole certificate: claim, network, group (if any) and evidence, all read."""
        self.keys(doc, {"format", "version", "claim", "network", "group", "evidence", "numbers", "engine"},
                  "certificate")
        claim = self.get(doc, "claim", dict, "certificate")
        kind = self.get(claim, "kind", str, "claim")
        if kind not in CLAIMS:
            raise Reject(f"unknown claim kind {kind[:60]!r}")
        claim = self.parse(claim, CLAIMS[kind], "claim")
        net = self.network(self.get(doc, "network", dict, "certificate"))
        if "group" not in doc:
            group = None
        elif isinstance(net, Conv):
            group = self.conv_group(doc["group"], net)
        else:
            group = self.group(doc["group"], net.widths[0], net.widths[-1])
        schema = EVIDENCE[kind] if kind != "counterexample" else REFUTATIONS.get(claim["refutes"])
        if schema is None:
            raise Reject(f"unknown refuted claim {claim['refutes'][:40]!r} (known: {', '.join(REFUTATIONS)})")
        evidence = self.parse(self.get(doc, "evidence", dict, "certificate"), schema, "evidence")
        for layer in evidence.get("types", []) if evidence.get("method") == "classification" else []:
            for t in layer:  # each generator's signed permutation as x[j] = +-(perm[j] + 1)
                for g, a in t.items():
                    if sorted(a["perm"]) != list(range(len(a["perm"]))) or len(a["signs"]) != len(a["perm"]):
                        raise Reject(f"evidence types: generator {g}: perm must permute 0..{len(a['perm']) - 1}, "
                                     "one sign per entry")
                    t[g] = tuple(s * (p + 1) for p, s in zip(a["perm"], a["signs"]))
        if claim.get("predicate") is not None:
            claim["formula"] = self.formula(claim["predicate"])
            claim["atoms"] = {a for a in ATOMS if re.search(rf"\b{a}\b", claim["predicate"])}
        return Certificate(kind, claim, net, group, evidence)


@dataclass(frozen=True)
class Certificate:
    kind: str
    claim: dict
    network: Any
    group: Any
    evidence: dict


ATOMS = ("equivariant", "layerwise", "reduced")
_WANT = {"int": "a non-negative integer", "sign": "1 or -1", "str": "a string", "bool": "true or false", "any": ""}
#: Tag values are kept as they are (the union already checked them).
TAGS = ("tag",)
REL = {"a": "const", "c": "const", "b": "const", "e": "const"}
ACTION = ("kind", {"monomial": {"kind": "tag", "perm": ["int"], "relations": [REL]},
                   "channel": {"kind": "tag", "perm": ["int"], "relations": [REL], "shifts": [["int"]]},
                   "affine": {"kind": "tag", "matrix": [["num"]], "shift": ["num"]},
                   "conv_affine": {"kind": "tag", "filters": [[["num"]]], "shift": ["num"], "inverse": [[["num"]]]},
                   "head": {"kind": "tag", "perm": ["int"], "blocks": [[["const"]]]}})
STEP = ("op", {"drop_zero_column": {"op": "tag", "layer": "int", "neuron": "int"},
               "zero_neuron": {"op": "tag", "layer": "int", "neuron": "int"},
               "absorb_constant": {"op": "tag", "layer": "int", "neuron": "int", "constant": "num"},
               "merge": {"op": "tag", "layer": "int", "neuron": "int", "keep": "int", "relation": REL}})
RANK = {"rank": "int", "rows": ["int"], "cols": ["int"], "kernel": [["num"]]}
KRUSKAL = {"k": "int", "minors": [["int"]]}
DIRECT = {"layerwise": {"method": "tag", "actions": {"*": [ACTION]}},
          "polynomial_identity": {"method": "tag"},
          "constant": {"method": "tag", "layer": "int"},
          "reduction+layerwise": {"method": "tag", "steps": [{"op": "str", "layer": "int", "head": "int", "partner?": "int",
                                                               "value?": [["num"]], "output?": [["num"]]}],
                                  "reduced": "net", "actions": {"*": [ACTION]}},
          "relu_canonical_form": {"method": "tag", "groups": {"*": [["int"]]}},
          "linear_bypass": {"method": "tag", "pairs": [[["int"]]], "matrix": [["num"]], "shift": ["num"]}}
VIA_REDUCTION = {"method": "tag", "reduced": "net", "steps": [STEP], "reduced_equivariance": ("method", DIRECT)}
# a convolution's lowered MLP may itself be proved through a reduction (constant channels)
EQUIVARIANCE = ("method", {**DIRECT, "via_reduction": VIA_REDUCTION, "lowered": {
    "method": "tag", "mlp_evidence": ("method", {**DIRECT, "via_reduction": VIA_REDUCTION})}})
WITNESS = {"method": "tag", "generator": "str", "x": ["const"], "coordinate": "int",
           "symbol_values?": {"*": "const"}, "difference_lower_bound": "const"}
_CRITERION = {"method": "tag", "theorem": "str", "citation": "str", "statement": "str", "conditions": ["str"],
              "hints?": {"hidden_widths_equal_rank?": {"rank": RANK}, "kruskal_K1?": {"W_2": KRUSKAL, "V": KRUSKAL},
                         "kruskal_K2?": {"V_e": KRUSKAL}}}
IDENTIFIABLE = ("method", {"criterion": _CRITERION,
                           "exact_fiber": {**_CRITERION, "hints?": {
                               "no_smaller_subnetwork?": {"cofactors": "any"},
                               "slice_count?": {"basis": ["str"], "points": "int", "cofactors": "any"}}}})
IDENTIFIABLE[1]["lowered"] = {"method": "tag", "theorem": "str", "mlp_evidence": ("method", dict(IDENTIFIABLE[1]))}
_FIBER = {"method": "tag", "kind": "tag", "layer": "int", "direction": ["const"]}
FIBER_DIRECTION = ("kind", {"unread": {**_FIBER, "channel": "int"}, "constant": {**_FIBER, "channel": "int"},
                            "periodic": {**_FIBER, "channel": "int", "period": ["int"]},
                            "related": {**_FIBER, "channels": ["int"], "relation": REL, "translation": ["int"]}})
MATCHES = {"generator": "str", "matchings": ["@matching"]}
SCHEMAS = {"matching": {"perm": ["int"], "next?": ["@matching"]}}
_REWRITE = {"method": "tag", "original": "net", "steps": [STEP], "reduced": "net", "padding": [STEP]}
EVIDENCE = {
    "equivariant": EQUIVARIANCE,
    "not_equivariant": ("method", {"witness": WITNESS}),
    "same_function": ("method", {"rewrite_steps": {"method": "tag", "steps": [STEP]}}),
    "identifiable": IDENTIFIABLE,
    "weakly_identifiable": ("method", {"reduction": {"method": "tag", "steps": [STEP], "submodel": IDENTIFIABLE}}),
    "not_identifiable": ("method", {
        "fiber_direction": FIBER_DIRECTION,
        "stabilizer": {"method": "tag", "actions": [ACTION]},
        "second_parameter": {"method": "tag", "theta_prime": "net", "same_function": "str",
                             "bypass?": {"layer": "int", "pairs": [["int"]]}, "outside_orbit": (
            "invariant", {"rank": {"invariant": "tag", "layer": "int", "theta": RANK, "theta_prime": RANK},
                          "first_layer_neuron": {"invariant": "tag", "neuron": "int"}})}}),
    "latent_actions": ("method", {"crossed_homomorphism": {
        "method": "tag", "actions": {"*": [ACTION]}, "order": "int", "closure": {"elements": ["str"], "right": [["int"]]},
        "equal_function?": ("method", {"rewrite_steps": _REWRITE})},
                                  "layerwise_homomorphism": {
        "method": "tag", "actions": {"*": [ACTION]}, "order": "int",
        "uniqueness?": ("method", {"distinct_rows": {"method": "tag", "network": "str"},
                                   "full_row_rank": {"method": "tag", "network": "str", "minors": [["int"]]}}),
        "equal_function?": ("method", {
            "rewrite_steps": _REWRITE,
            "affine_identity": {"method": "tag", "original": "net", "reduced": "net", "padding": [STEP]}})}}),
}
_TYPE = {"*": {"perm": ["int"], "signs": ["sign"]}}
REFUTATIONS = {
    "layerwise-reparam": ("method", {"classification": {
        "method": "tag", "equivariance": EQUIVARIANCE, "non_constant": {"x": ["const"], "y": ["const"], "coordinate": "int"},
        "latent_kind": "str", "types": [[_TYPE]], "assignments": [{"types": ["int"], "zero_layer": "int", "minor": ["int"]}]}}),
    "layerwise-at-theta": ("method", {"exhaustive_matching": {"method": "tag", "equivariance": EQUIVARIANCE, **MATCHES}}),
    "unique-latent": ("method", {"two_actions": {"method": "tag", "first": ("method", {"layerwise": DIRECT["layerwise"]}),
                                                 "second": ("method", {"layerwise": DIRECT["layerwise"]})}}),
    "predicate": ("method", {"atoms": {"method": "tag", "atoms": {
        "equivariant?": ("value", {True: {"value": "tag", "evidence": EQUIVARIANCE},
                                   False: {"value": "tag", "evidence": ("method", {"witness": WITNESS})}}),
        "layerwise?": ("value", {True: {"value": "tag", "evidence": ("method", {"layerwise": DIRECT["layerwise"]})},
                                 False: {"value": "tag", "evidence": ("method", {"exhaustive_matching": {
                                     "method": "tag", **MATCHES}})}}),
        "reduced?": {"value": "bool"}}}})}
_KIND = {"kind": "tag"}
CLAIMS = {"equivariant": {"kind": "tag", "nonzero?": ["num"]}, "not_equivariant": _KIND, "identifiable": _KIND, "not_identifiable": _KIND,
          "latent_actions": _KIND, "same_function": {"kind": "tag", "reduced": "net"},
          "weakly_identifiable": {"kind": "tag", "reduced": "net"},
          "counterexample": {"kind": "tag", "refutes": "str", "statement?": "str", "predicate?": "str"}}


class _Parser:
    """Recursive descent over the token list of one number text (nothing is evaluated by Python)."""

    def __init__(self, reader: Reader, text: str, names: tuple[str, ...]) -> None:
        self.r, self.text, self.names, self.depth, self.i = reader, text, names, 0, 0
        self.tokens, pos, stripped = [], 0, text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if m is None or m.end() == pos:
                rest = stripped[pos:].lstrip()
                raise Reject(f"unexpected character {rest[:1]!r} at position {len(stripped) - len(rest) + 1}")
            self.tokens.append((m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup) + 1))
            pos = m.end()

    def parse(self) -> Num:
        if not self.tokens:
            raise Reject("empty")
        x = self.expr()
        if self.i < len(self.tokens):
            raise Reject(f"unexpected {self.tokens[self.i][1]!r} at position {self.tokens[self.i][2]}")
        return x

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        if self.i >= len(self.tokens):
            raise Reject("unexpected end" + (f", expected {value!r}" if value else ""))
        tok = self.tokens[self.i]
        if value is not None and tok[1] != value:
            raise Reject(f"expected {value!r} at position {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def bounded(self, x: Num) -> Num:
        terms, bits = _size(x)
        if terms > MAX_TERMS or bits > MAX_BITS:
            raise Reject(f"it is too large (more than {MAX_TERMS} terms or {MAX_BITS} bits)")
        return x

    def expr(self) -> Num:
        x = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            y = self.term()
            x = self.bounded(x + y if op == "+" else x - y)
        return x

    def term(self) -> Num:
        x = self.unary()
        while self.peek() in ("*", "/"):
            _, op, where = self.take()
            y = self.unary()
            (tx, bx), (ty, by) = _size(x), _size(y)
            if tx * ty > MAX_TERMS or bx + by > MAX_BITS:
                raise Reject(f"the product at position {where} is too large")
            if op == "/" and y.is_zero():
                raise Reject(f"division by zero at position {where}")
            x = self.bounded(x * y if op == "*" else x / y)
        return x

    def unary(self) -> Num:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Reject(f"nested more than {MAX_DEPTH} levels deep")
            if self.peek() in ("+", "-"):
                sign = self.take()[1]
                x = self.unary()
                return -x if sign == "-" else x
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> Num:
        base = self.atom()
        if self.peek() not in ("^", "**"):
            return base
        where = self.take()[2]
        e = self.unary()
        if not e.is_rational():
            raise Reject(f"the exponent at position {where} must be a rational constant")
        e = e.rational()
        p, q = int(e.p), int(e.q)
        if abs(p) > MAX_EXPONENT or q > MAX_EXPONENT:
            raise Reject(f"exponent {e} at position {where} is too large")
        terms, bits = _size(base)
        if (terms > 1 and terms ** abs(p) > MAX_TERMS) or bits * abs(p) > MAX_BITS:  # before the power
            raise Reject(f"the power at position {where} is too large")
        if p < 0 and base.is_zero():
            raise Reject(f"division by zero at position {where}")
        if q > 1:
            base = self.radical(base, q, where)
        return self.bounded(base ** p)

    def radical(self, base: Num, q: int, where: int) -> Num:
        """base^(1/q): base an algebraic constant >= 0 (hinted root), or c pi^k with q | 2k."""
        if not base.is_constant():
            raise Reject(f"the fractional power at position {where} needs a constant base, not one with symbols")
        degrees = {e[1] for e in base.n.monoms()} | ({e[1] for e in base.d.monoms()} if base.d is not None else set())
        if degrees - {0} and self.r.F.exp_root:
            raise Reject(f"the fractional power at position {where} has a tanh constant in its base")
        if base.d is not None and degrees != {0}:
            raise Reject(f"the fractional power at position {where} divides by pi")
        if degrees - {0}:  # c * sqrt(pi)^j: c^(1/q) sqrt(pi)^(j/q)
            if len(degrees) != 1 or next(iter(degrees)) % q:
                raise Reject(f"the fractional power at position {where} is not a power of sqrt(pi) "
                             "times an algebraic number")
            j, F = next(iter(degrees)), self.r.F
            c = Num(F, F.ctx.from_dict({(e[0], e[1] - j) + e[2:]: k for e, k in base.n.terms()}))
            return self.radical(c, q, where) * F.sqrt_pi ** (j // q)
        if base.sign() < 0:
            raise Reject(f"fractional power of a negative number at position {where}")
        return self.r.root(base, q)

    def atom(self) -> Num:
        kind, value, where = self.take()
        if kind == "num":
            if len(value.replace(".", "")) > MAX_DIGITS:
                raise Reject(f"the literal at position {where} has too many digits")
            f = Fraction(value)
            return self.r.F.num(fmpq(f.numerator, f.denominator))
        if kind == "name":
            if value == "sqrt":
                self.take("(")
                x = self.expr()
                self.take(")")
                return self.radical(x, 2, where)
            if value == "pi":
                if self.r.F.exp_root:
                    raise Reject(f"pi at position {where} in a certificate with tanh constants (whether pi and e "
                                 "are algebraically independent is open)")
                return self.r.F.pi
            if value == "tanh":
                self.take("(")
                x = self.expr()
                self.take(")")
                if not x.is_rational():
                    raise Reject(f"tanh at position {where} takes a rational constant")
                return tanh_value(self.r.F, x.rational())
            if value not in self.names:
                raise Reject(f"unknown name {value!r} at position {where}"
                             + (" (declare it in network.symbols)" if value not in ("z",) else ""))
            return self.r.F.var("_z" if value == "z" else value)
        if value == "(":
            x = self.expr()
            self.take(")")
            return x
        raise Reject(f"unexpected {value!r} at position {where}")
