"""Groups acting on token matrices: g . X = P_g X R_g^T (docs/theory.md section 7.1).

A :class:`TokenGroupAction` is a :class:`~symeq.groups.GroupAction` whose rho_0(g) and rho_L(g)
are the flattened actions P_g (x) R_g on R^{n d} (row-major: vec(P X R^T) = (P (x) R) vec X),
kept as their parts: the token permutation (which ``Attention.structural`` returns) and the
feature matrices on the input and the output.  The flattened matrices are built only when
asked for (and refused when too large); products, closure and the certificates use the parts.

The ``[group]`` table of an attention network::

    [group.generators.f]
    tokens = [1, 0]                 # token j goes to position tokens[j] (0-based); default: fixed
    input  = [["0","1"],["1","0"]]  # R_g on the input features; default identity
    output = [["0","1"],["1","0"]]  # R_g on the output features, or "same" (default when
                                    # d_L = d_0) or "fixed" (identity)

or a catalog group on a grid of tokens (image patches)::

    [group]
    name = "D4"                     # C2, C4, D4 (rotation r, mirror s), hmirror, vmirror
    grid = [8, 8]                   # the tokens are the cells of a rows x cols grid, row-major
    patch = [8, 8]                  # optional: the features are the pixels of a p x q patch,
                                    # row-major, moved by the same map; default: features fixed
    output = "same"                 # the output features: "same" or "fixed"

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "tokens": 4, "widths": [4, 4],
...     "layers": [{"heads": [{"query": [["1"]] * 4, "key": [["1"]] * 4, "value": [["1"]] * 4}]}],
...     "readout": {"output": [["1", "0", "0", "0"]], "bias": ["0"] * 4}})
>>> G = group_from_dict({"name": "D4", "grid": [2, 2], "patch": [2, 2]}, net)
>>> G.order(), G.names, G.input_dim
(8, ('r', 's'), 16)
>>> token_parts(G, "s", net)[0].images               # the mirror swaps the columns of the grid
(1, 0, 3, 2)
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.numbers import eye, field_of, fingerprint, perm_dm, to_dm, to_sympy, unify
from symeq.errors import InputError
from symeq.exact import matrix_to_strings, parse_matrix
from symeq.groups.action import DEFAULT_ORDER_LIMIT, GroupAction, check_generator_names, parse_word
from symeq.groups.catalog import grid_images

__all__ = ["TokenGroupAction", "TokenElement", "TokenPermutation", "group_from_dict", "token_parts",
           "MAX_FLAT", "CATALOG"]

#: Largest flattened dimension n d for which rho_0(g), rho_L(g) are written as one matrix.
MAX_FLAT = 1024
#: Catalog groups on a grid of tokens.
CATALOG = ("C2", "C4", "D4", "hmirror", "vmirror")

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class TokenPermutation:
    """The structural action s_i(g) = P_g (x) I on a space of token matrices: token j goes to
    position ``images[j]``.  ``a @ b`` is the composite (first b, then a)."""

    images: tuple[int, ...]

    def __matmul__(self, other: "TokenPermutation") -> "TokenPermutation":
        return TokenPermutation(tuple(self.images[j] for j in other.images))

    def inverse(self) -> "TokenPermutation":
        out = [0] * len(self.images)
        for j, p in enumerate(self.images):
            out[p] = j
        return TokenPermutation(tuple(out))

    def is_identity(self) -> bool:
        return all(j == p for j, p in enumerate(self.images))

    def describe(self) -> str:
        from symeq.activations import describe_monomial

        return describe_monomial(self.images, [""] * len(self.images), 16)


@dataclass(frozen=True, eq=False)
class TokenElement:
    """An element of G: its token permutation and feature matrices (input, output)."""

    tokens: TokenPermutation
    input: DomainMatrix
    output: DomainMatrix

    def __mul__(self, other: "TokenElement") -> "TokenElement":
        """The matrix product (P_a (x) R_a)(P_b (x) R_b): first ``other``, then ``self``."""
        a_in, b_in = unify(self.input, other.input)
        a_out, b_out = unify(self.output, other.output)
        return TokenElement(self.tokens @ other.tokens, a_in * b_in, a_out * b_out)

    def key(self) -> tuple[Any, ...]:
        return (self.tokens.images, fingerprint(self.input), fingerprint(self.output))

    def same(self, other: "TokenElement") -> bool:
        a_in, b_in = unify(self.input, other.input)
        a_out, b_out = unify(self.output, other.output)
        return self.tokens == other.tokens and a_in == b_in and a_out == b_out

    def is_identity(self) -> bool:
        return (self.tokens.is_identity() and self.input == eye(self.input.shape[0], self.input.domain)
                and self.output == eye(self.output.shape[0], self.output.domain))

    def flat(self, side: int) -> ImmutableMatrix:
        """P (x) R on the input (side 0) or the output (side 1), as one sympy matrix."""
        R = to_sympy(self.input if side == 0 else self.output)
        n = len(self.tokens.images)
        if n * R.shape[0] > MAX_FLAT:
            raise InputError(f"the flattened action has dimension {n * R.shape[0]} > {MAX_FLAT}: too large to "
                             "write as one matrix (attention uses its token and feature parts)")
        P = sympy.zeros(n, n)
        for j, p in enumerate(self.tokens.images):
            P[p, j] = 1
        return ImmutableMatrix(sympy.kronecker_product(P, R))

    def __getitem__(self, side: int) -> ImmutableMatrix:
        """``element[0]`` = rho_0(g), ``element[1]`` = rho_L(g), flattened (GroupAction's pairs)."""
        return self.flat(side)


class TokenGroupAction(GroupAction):
    """G acting on token matrices by g . X = P_g X R_g^T (see the module docstring)."""

    def __init__(self, names: tuple[str, ...], tokens: tuple[tuple[int, ...], ...],
                 feature_inputs: tuple[DomainMatrix, ...], feature_outputs: tuple[DomainMatrix, ...],
                 relations: tuple[str, ...] = (), catalog: str | None = None,
                 order_limit: int = DEFAULT_ORDER_LIMIT) -> None:
        check_generator_names(names)
        n = len(tokens[0])
        for name, p, a, b in zip(names, tokens, feature_inputs, feature_outputs):
            if sorted(p) != list(range(n)):
                raise InputError(f"generator {name}: tokens must be a permutation of 0..{n - 1}")
            for m, side in ((a, "input"), (b, "output")):
                if m.shape[0] != m.shape[1]:
                    raise InputError(f"generator {name}: {side} matrix is not square")
                if getattr(m.domain, "symbols", None) and not (m.domain.is_QQ or m.domain.is_Algebraic):
                    raise InputError(f"generator {name}: {side} matrix contains symbols")
                if m.det() == 0:
                    raise InputError(f"generator {name}: {side} matrix is singular")
        set_ = object.__setattr__
        set_(self, "names", tuple(names))
        set_(self, "token_images", tuple(tuple(p) for p in tokens))
        set_(self, "feature_inputs", tuple(feature_inputs))
        set_(self, "feature_outputs", tuple(feature_outputs))
        set_(self, "relations", tuple(relations))
        set_(self, "catalog", catalog)
        set_(self, "output_mode", "explicit")
        set_(self, "order_limit", order_limit)
        set_(self, "_cache", {})

    # -- parts ---------------------------------------------------------------------------------
    @property
    def tokens(self) -> int:
        return len(self.token_images[0])

    def part(self, name: str) -> TokenElement:
        """The generator ``name`` as (token permutation, input features, output features)."""
        try:
            k = self.names.index(name)
        except ValueError:
            raise InputError(f"unknown generator {name!r}; the group has {', '.join(self.names)}") from None
        return TokenElement(TokenPermutation(self.token_images[k]), self.feature_inputs[k], self.feature_outputs[k])

    def inverse_transposes(self, name: str) -> tuple[DomainMatrix, DomainMatrix]:
        """(R_in^-T, R_out^-T) of a generator, computed once (theta^g moves the positional
        encoding and the readout by them)."""
        key = f"inverse_transposes_{name}"
        if key not in self._cache:
            e = self.part(name)
            self._cache[key] = (_inverse_transpose(e.input), _inverse_transpose(e.output))
        return self._cache[key]

    @property
    def input_dim(self) -> int:
        return self.tokens * self.feature_inputs[0].shape[0]

    @property
    def output_dim(self) -> int:
        return self.tokens * self.feature_outputs[0].shape[0]

    @property
    def inputs(self) -> tuple[ImmutableMatrix, ...]:  # type: ignore[override]
        """rho_0 of the generators, flattened (built on demand; refused above MAX_FLAT)."""
        return tuple(self.part(n).flat(0) for n in self.names)

    @property
    def outputs(self) -> tuple[ImmutableMatrix, ...]:  # type: ignore[override]
        return tuple(self.part(n).flat(1) for n in self.names)

    def generator(self, name: str) -> tuple[ImmutableMatrix, ImmutableMatrix]:
        p = self.part(name)
        return p.flat(0), p.flat(1)

    def generators(self) -> list[tuple[str, ImmutableMatrix, ImmutableMatrix]]:
        return [(n, *self.generator(n)) for n in self.names]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TokenGroupAction) and self.names == other.names
                and self.token_images == other.token_images and self.relations == other.relations
                and all(self.part(n).same(other.part(n)) for n in self.names))

    def __hash__(self) -> int:
        return hash((self.names, self.token_images, self.relations))

    def __repr__(self) -> str:
        return (f"TokenGroupAction(generators={self.names}, tokens={self.tokens}, "
                f"features={self.feature_inputs[0].shape[0]}->{self.feature_outputs[0].shape[0]})")

    # -- elements --------------------------------------------------------------------------------
    def identity_element(self) -> TokenElement:
        a, b = self.feature_inputs[0], self.feature_outputs[0]
        return TokenElement(TokenPermutation(tuple(range(self.tokens))), eye(a.shape[0], a.domain), eye(b.shape[0], b.domain))

    def elements(self) -> list[TokenElement]:  # type: ignore[override]
        """All elements, the identity first, in breadth-first order (products of the parts)."""
        if "elements" in self._cache:
            return self._cache["elements"]
        e = self.identity_element()
        order, index = [e], {e.key(): [0]}
        gens = [self.part(n) for n in self.names]
        right: list[list[int]] = [[] for _ in gens]
        queue = deque([0])
        while queue:
            k = queue.popleft()
            for gi, g in enumerate(gens):
                y = order[k] * g
                hit = next((j for j in index.get(y.key(), []) if order[j].same(y)), None)
                if hit is None:
                    if len(order) >= self.order_limit:
                        raise InputError(f"the generators produce more than {self.order_limit} elements: the "
                                         "group is infinite or too large")
                    hit = len(order)
                    order.append(y)
                    index.setdefault(y.key(), []).append(hit)
                    queue.append(hit)
                right[gi].append((k, hit))
        self._cache["elements"] = order
        self._cache["index"] = index
        self._cache["right"] = [[dict(r)[k] for k in range(len(order))] for r in right]
        return order

    def order(self) -> int:
        return len(self.elements())

    def index(self, element: Any) -> int:
        self.elements()
        if isinstance(element, TokenElement):
            for j in self._cache["index"].get(element.key(), []):
                if self._cache["elements"][j].same(element):
                    return j
        raise InputError("not an element of the group")

    def finite_group(self) -> Any:
        """The multiplication table (:class:`~symeq.groups.permutation.FiniteGroup`), from the
        products of the parts."""
        if "finite" not in self._cache:
            from symeq.groups.permutation import MAX_TABLE_ORDER, _from_right_multiplications
            from symeq.errors import BudgetExceeded

            elements = self.elements()
            if len(elements) > MAX_TABLE_ORDER:
                raise BudgetExceeded(f"group of order {len(elements)} exceeds the table limit {MAX_TABLE_ORDER}")
            self._cache["finite"] = _from_right_multiplications(self.names, self._cache["right"], self,
                                                                tuple(elements))
        return self._cache["finite"]

    def evaluate_word(self, word: str) -> TokenElement:  # type: ignore[override]
        x = self.identity_element()
        for name, exp in parse_word(word, self.names):
            g = self.part(name)
            if exp < 0:
                g = TokenElement(g.tokens.inverse(), g.input.inv(), g.output.inv())
                exp = -exp
            for _ in range(exp):
                x = x * g
        return x

    def check_relations(self) -> None:
        for word in self.relations:
            if not self.evaluate_word(word).is_identity():
                raise InputError(f"relation {word!r} does not hold: it evaluates to a non-identity element")

    # -- files -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``[group]`` table with explicit parts (self-contained)."""
        d: dict[str, Any] = {"generators": {
            n: {"tokens": list(self.token_images[k]), "input": matrix_to_strings(to_sympy(self.feature_inputs[k])),
                "output": matrix_to_strings(to_sympy(self.feature_outputs[k]))}
            for k, n in enumerate(self.names)}}
        if self.relations:
            d["relations"] = list(self.relations)
        if self.catalog:
            d["description"] = f"catalog group {self.catalog}"
        return d


def _inverse_transpose(R: DomainMatrix) -> DomainMatrix:
    """R^-T; R itself when R is orthogonal (permutations, signed permutations): one product instead
    of an inverse."""
    if R.transpose() * R == eye(R.shape[0], R.domain):
        return R
    return R.inv().transpose()


# -- reading -----------------------------------------------------------------------------------


def _catalog_maps(name: str, rows: int, cols: int, what: str) -> tuple[tuple[str, ...], list[tuple[int, ...]], tuple[str, ...]]:
    """Generator names, images of the cells of a rows x cols grid, relations."""
    hm = grid_images(rows, cols, lambda i, j: (i, cols - 1 - j))
    if name == "hmirror":
        return ("s",), [hm], ("s^2",)
    if name == "vmirror":
        return ("s",), [grid_images(rows, cols, lambda i, j: (rows - 1 - i, j))], ("s^2",)
    if name == "C2":
        return ("r",), [grid_images(rows, cols, lambda i, j: (rows - 1 - i, cols - 1 - j))], ("r^2",)
    if rows != cols:
        raise InputError(f"{name} rotates by 90 degrees: the {what} must be square, got {rows} x {cols}")
    rot = grid_images(rows, cols, lambda i, j: (j, rows - 1 - i))
    if name == "C4":
        return ("r",), [rot], ("r^4",)
    return ("r", "s"), [rot, hm], ("r^4", "s^2", "s r s r")


def _pair(d: dict[str, Any], key: str) -> tuple[int, int]:
    x = d.get(key)
    if (not isinstance(x, list) or len(x) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096 for v in x)):
        raise InputError(f"[group] {key} must be [rows, cols] of positive integers")
    return x[0], x[1]


def _catalog(d: dict[str, Any], n: int, d_in: int, d_out: int) -> TokenGroupAction:
    name = d["name"]
    if name not in CATALOG:
        raise InputError(f"unknown group {str(name)[:40]!r} for attention; catalog: {', '.join(CATALOG)} "
                         "(with grid = [rows, cols] and optional patch = [p, q])")
    rows, cols = _pair(d, "grid") if "grid" in d else (1, n)
    if rows * cols != n:
        raise InputError(f"[group] grid {rows} x {cols} has {rows * cols} cells, but the network has {n} tokens")
    names, token_maps, relations = _catalog_maps(name, rows, cols, "grid")
    K = sympy.QQ
    if "patch" in d:
        p, q = _pair(d, "patch")
        if p * q != d_in:
            raise InputError(f"[group] patch {p} x {q} has {p * q} pixels, but a token has {d_in} input features")
        _, feature_maps, _ = _catalog_maps(name, p, q, "patch")
        ins = tuple(perm_dm(m, K) for m in feature_maps)
    else:
        ins = tuple(eye(d_in, K) for _ in names)
    out_mode = d.get("output", "same" if "patch" in d else "fixed")
    if out_mode == "same":
        if d_out != d_in:
            raise InputError(f"[group] output 'same' needs d_L = d_0, got {d_out} and {d_in}; say output = \"fixed\"")
        outs = ins
    elif out_mode == "fixed":
        outs = tuple(eye(d_out, K) for _ in names)
    else:
        raise InputError("[group] output of a catalog group must be \"same\" or \"fixed\"")
    G = TokenGroupAction(names, tuple(token_maps), ins, outs, relations, catalog=name)
    G.check_relations()
    return G


def group_from_dict(d: object, net: Any) -> TokenGroupAction:
    """The ``[group]`` table for the attention network ``net`` (see the module docstring)."""
    if not isinstance(d, dict):
        raise InputError("[group] must be a table")
    unknown = {str(k) for k in d} - {"name", "grid", "patch", "output", "generators", "relations",
                                     "description", "order_limit"}
    if unknown:
        raise InputError(f"[group] has unknown key(s): {', '.join(sorted(unknown))}")
    n, d_in, d_out = net.tokens, net.d_in, net.d_out
    limit = d.get("order_limit", DEFAULT_ORDER_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1_000_000:
        raise InputError("[group] order_limit must be an integer from 1 to 1000000")
    relations = d.get("relations", [])
    if not isinstance(relations, list) or not all(isinstance(w, str) for w in relations):
        raise InputError("[group] relations must be a list of words such as \"r^4\"")
    if "name" in d:
        if "generators" in d:
            raise InputError("[group] gives both a catalog name and generators; give one")
        G = _catalog(d, n, d_in, d_out)
        relations = list(G.relations) + relations
        G = TokenGroupAction(G.names, G.token_images, G.feature_inputs, G.feature_outputs, tuple(relations),
                             G.catalog, limit)
    else:
        for key in ("grid", "patch"):
            if key in d:
                raise InputError(f"[group] {key} belongs to a catalog group (name = ...)")
        default_out = d.get("output", "same" if d_in == d_out else None)
        if default_out not in ("same", "fixed", None):
            raise InputError("[group] output must be \"same\" or \"fixed\"")
        gens = d.get("generators")
        if not isinstance(gens, dict) or not gens:
            raise InputError("[group] needs a catalog name or at least one [group.generators.NAME]")
        names, toks, ins, outs = [], [], [], []
        for name, g in gens.items():
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise InputError(f"generator name {str(name)[:60]!r} must be letters, digits and _, "
                                 "starting with a letter")
            if not isinstance(g, dict):
                raise InputError(f"generator {name}: must be a table")
            extra = {str(k) for k in g} - {"tokens", "input", "output", "description"}
            if extra:
                raise InputError(f"generator {name}: unknown key(s): {', '.join(sorted(extra))}")
            p = g.get("tokens", list(range(n)))
            if (not isinstance(p, list) or len(p) != n
                    or not all(isinstance(x, int) and not isinstance(x, bool) for x in p) or sorted(p) != list(range(n))):
                raise InputError(f"generator {name}: tokens must list a permutation of 0..{n - 1} "
                                 "(token j goes to position tokens[j])")
            a = (parse_matrix(g["input"], (d_in, d_in), f"generator {name} input", "forbid")
                 if "input" in g else ImmutableMatrix.eye(d_in))
            out = g.get("output", default_out)
            if out == "same":
                if d_in != d_out:
                    raise InputError(f"generator {name}: output 'same' needs d_L = d_0")
                b = a
            elif out == "fixed":
                b = ImmutableMatrix.eye(d_out)
            elif out is None:
                raise InputError(f"generator {name}: give an 'output' matrix (d_L = {d_out} differs from "
                                 f"d_0 = {d_in}) or \"fixed\"")
            else:
                b = parse_matrix(out, (d_out, d_out), f"generator {name} output", "forbid")
            K = field_of(list(a) + list(b))
            names.append(name)
            toks.append(tuple(p))
            ins.append(to_dm(a, K))
            outs.append(to_dm(b, K))
        G = TokenGroupAction(tuple(names), tuple(toks), tuple(ins), tuple(outs), tuple(relations),
                             order_limit=limit)
    G.check_relations()
    G.elements()  # refuse infinite or too large groups up front
    return G


def token_parts(group: GroupAction, g: str, net: Any) -> tuple[TokenPermutation, DomainMatrix, DomainMatrix]:
    """(P_g, R_g on input features, R_g on output features) for the generator ``g``.

    A plain GroupAction (flattened matrices) is split into its parts when it has the form
    P (x) R; anything else is bad input: attention networks commute with token permutations
    only.
    """
    if isinstance(group, TokenGroupAction):
        if group.tokens != net.tokens:
            raise InputError(f"the group permutes {group.tokens} tokens, the network has {net.tokens}")
        e = group.part(g)
        if (e.input.shape[0], e.output.shape[0]) != (net.d_in, net.d_out):
            raise InputError(f"the group acts on {e.input.shape[0]} -> {e.output.shape[0]} features, the network maps "
                             f"{net.d_in} -> {net.d_out}")
        return e.tokens, e.input, e.output
    a, b = group.generator(g)
    perm, R_in = _split(a, net.tokens, net.d_in, f"generator {g} input")
    perm2, R_out = _split(b, net.tokens, net.d_out, f"generator {g} output")
    if perm != perm2:
        raise InputError(f"generator {g}: the input and output permute the tokens differently")
    K = field_of(list(R_in) + list(R_out))
    return TokenPermutation(perm), to_dm(R_in, K), to_dm(R_out, K)


def _split(m: ImmutableMatrix, n: int, d: int, what: str) -> tuple[tuple[int, ...], ImmutableMatrix]:
    """(perm, R) with m = P (x) R, or InputError."""
    if m.shape != (n * d, n * d):
        raise InputError(f"{what} has shape {m.shape}, expected {n * d} x {n * d} (tokens x features)")
    perm: list[int] = []
    R = None
    for s in range(n):
        hits = [t for t in range(n) if any(m[t * d + i, s * d + j] != 0 for i in range(d) for j in range(d))]
        if len(hits) != 1:
            raise InputError(f"{what} is not of the form P (x) R (a token permutation times a feature matrix)")
        t = hits[0]
        block = m[t * d:(t + 1) * d, s * d:(s + 1) * d]
        if R is None:
            R = block
        elif block != R:
            raise InputError(f"{what} is not of the form P (x) R: its blocks differ")
        perm.append(t)
    if sorted(perm) != list(range(n)):
        raise InputError(f"{what} is not of the form P (x) R: the tokens are not permuted")
    return tuple(perm), ImmutableMatrix(R)
