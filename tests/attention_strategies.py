"""Attention networks that are equivariant by construction, for the attention tests.

Shares no code with the engine.  A group G acts on token matrices by g . X = P_g X R_g^T
(inputs) and P_g Y S_g^T (outputs), with P_g a token permutation and R_g, S_g permutation or
signed permutation matrices (orthogonal, so R^-T = R).  The elements of G are enumerated here by
closure of the generators.

Regular orbit of heads (docs/theory.md section 7.1, Ong's conditions): from one representative head
(M_0 = Q_0 K_0^T, V_0, W_0) and invertible A_g for every element g, the heads

    Q_g = R_g Q_0,  K_g = R_g K_0,  V_g = R_g V_0 A_g,  W_O^g = A_g^-1 W_0 S_g^T

satisfy M_g = R_g M_0 R_g^T and V_g W_O^g = R_g V_0 W_0 S_g^T; then
head_g(X R_h^T) = head_{h^-1 g}(X) A_{h^-1 g}^-1 A_g and the readout sums them back to
f(X) S_h^T.  A positional encoding E = avg_h P_h E_0 R_h^T and a bias b = avg_h S_h b_0 are
fixed by G.  The latent action of h is then the head permutation g -> h g with the blocks
A_g^-1 A_{h g}: :func:`expected_blocks`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import ImmutableMatrix, Rational

__all__ = ["Group", "GROUPS", "group_of", "build", "Built", "perturb", "matrix_strings"]


def matrix_strings(m: Any) -> list[list[str]]:
    m = ImmutableMatrix(m)
    return [[str(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def perm_matrix(images: list[int]) -> ImmutableMatrix:
    n = len(images)
    m = sympy.zeros(n, n)
    for j, i in enumerate(images):
        m[i, j] = 1
    return ImmutableMatrix(m)


@dataclass
class Group:
    """Generators (name -> (token images, R, S)) and all elements as (P images, R, S)."""

    tokens: int
    d_in: int
    d_out: int
    generators: dict[str, tuple[tuple[int, ...], ImmutableMatrix, ImmutableMatrix]]

    def elements(self) -> list[tuple[tuple[int, ...], ImmutableMatrix, ImmutableMatrix]]:
        e = (tuple(range(self.tokens)), ImmutableMatrix.eye(self.d_in), ImmutableMatrix.eye(self.d_out))
        out, seen, queue = [e], {self._key(e)}, [e]
        while queue:
            x = queue.pop(0)
            for p, R, S in self.generators.values():
                y = (tuple(x[0][j] for j in p), x[1] * R, x[2] * S)
                if self._key(y) not in seen:
                    seen.add(self._key(y))
                    out.append(y)
                    queue.append(y)
        return out

    @staticmethod
    def _key(x: Any) -> Any:
        return (x[0], tuple(x[1]), tuple(x[2]))

    def table(self) -> dict[str, Any]:
        return {"generators": {n: {"tokens": list(p), "input": matrix_strings(R), "output": matrix_strings(S)}
                               for n, (p, R, S) in self.generators.items()}}


def _reverse(n: int) -> tuple[int, ...]:
    return tuple(n - 1 - j for j in range(n))


def group_of(kind: str, tokens: int, d: int) -> Group:
    """Small groups on ``tokens`` tokens of ``d`` features (d_out = d)."""
    rev_f = perm_matrix(list(_reverse(d)))
    if kind == "mirror":      # reverse the tokens and the features
        return Group(tokens, d, d, {"m": (_reverse(tokens), rev_f, rev_f)})
    if kind == "tokens":      # cyclic shift of the tokens, features fixed
        return Group(tokens, d, d, {"t": (tuple((j + 1) % tokens for j in range(tokens)),
                                          ImmutableMatrix.eye(d), ImmutableMatrix.eye(d))})
    if kind == "features":    # features reversed, tokens fixed
        return Group(tokens, d, d, {"f": (tuple(range(tokens)), rev_f, rev_f)})
    if kind == "cyclic":      # cyclic shifts of the tokens and of the features together
        cyc = perm_matrix([(j + 1) % d for j in range(d)])
        return Group(tokens, d, d, {"c": (tuple((j + 1) % tokens for j in range(tokens)), cyc, cyc)})
    if kind == "signed":      # a signed rotation of the features (order 4) with the token reversal
        R = sympy.zeros(d, d)
        for j in range(d):
            R[(j + 1) % d, j] = -1 if j == d - 1 else 1
        R = ImmutableMatrix(R)
        return Group(tokens, d, d, {"r": (_reverse(tokens), R, R)})
    raise ValueError(kind)


GROUPS = ("mirror", "tokens", "features", "signed", "cyclic")


def _rand(rng: random.Random, r: int, c: int, span: int = 3) -> ImmutableMatrix:
    return ImmutableMatrix(r, c, [Rational(rng.randint(-span, span)) for _ in range(r * c)])


def _invertible(rng: random.Random, v: int) -> ImmutableMatrix:
    while True:
        A = _rand(rng, v, v, 2)
        if A.det() != 0:
            return A


@dataclass
class Built:
    """A network table, its group, and the construction's data."""

    network: dict[str, Any]
    group: Group
    heads: list[tuple[int, int]]          # (orbit, element index) per head, in order
    blocks: dict[tuple[int, int], ImmutableMatrix]  # A_g per (orbit, element)

    def document(self) -> dict[str, Any]:
        return {"network": self.network, "group": self.group.table()}


def build(rng: random.Random, group: Group, normalization: str = "softmax", orbits: int = 1,
          a: int = 1, v: int = 1, positional: bool = False, trivial_blocks: bool = False) -> Built:
    """An equivariant one-layer network: ``orbits`` regular orbits of heads (see the module
    docstring)."""
    els = group.elements()
    d, dL, n = group.d_in, group.d_out, group.tokens
    # features fixed by every element: one head per orbit (a regular orbit would repeat it)
    head_els = els if any(R != ImmutableMatrix.eye(d) or S != ImmutableMatrix.eye(dL) for _, R, S in els) else els[:1]
    heads, outs, order, blocks = [], [], [], {}
    for o in range(orbits):
        Q0, K0, V0, W0 = _rand(rng, d, a), _rand(rng, d, a), _rand(rng, d, v), _rand(rng, v, dL)
        while V0.rank() < v or W0.rank() < min(v, dL) or (Q0 * K0.T).is_zero_matrix:
            Q0, K0, V0, W0 = _rand(rng, d, a), _rand(rng, d, a), _rand(rng, d, v), _rand(rng, v, dL)
        for k, (_, R, S) in enumerate(head_els):
            A = ImmutableMatrix.eye(v) if (trivial_blocks or k == 0) else _invertible(rng, v)
            blocks[(o, k)] = A
            heads.append({"query": matrix_strings(R * Q0), "key": matrix_strings(R * K0),
                          "value": matrix_strings(R * V0 * A)})
            outs.append(A.inv() * W0 * S.T)
            order.append((o, k))
    b0 = _rand(rng, dL, 1)
    b = sum((S * b0 for _, _, S in els), sympy.zeros(dL, 1)) / len(els)
    table: dict[str, Any] = {"architecture": "attention", "normalization": normalization, "tokens": n,
                             "widths": [d, dL], "layers": [{"heads": heads}],
                             "readout": {"output": matrix_strings(ImmutableMatrix.vstack(*outs)),
                                         "bias": [str(x) for x in b]}}
    if positional:
        E0 = _rand(rng, n, d)
        E = sympy.zeros(n, d)
        for p, R, _ in els:
            E += perm_matrix(list(p)) * E0 * R.T
        table["positional"] = matrix_strings(E / len(els))
    return Built(table, group, order, blocks)


def perturb(rng: random.Random, built: Built, what: str = "value") -> dict[str, Any]:
    """A copy of the network table with one value entry of one head (or, ``what="positional"``,
    one entry of E) raised by 1."""
    import copy

    table = copy.deepcopy(built.network)
    if what == "positional":
        E = table["positional"]
        r, c = rng.randrange(len(E)), rng.randrange(len(E[0]))
        E[r][c] = str(Rational(E[r][c]) + 1)
        return table
    heads = table["layers"][0]["heads"]
    h = rng.randrange(len(heads))
    V = heads[h]["value"]
    r, c = rng.randrange(len(V)), rng.randrange(len(V[0]))
    V[r][c] = str(Rational(V[r][c]) + 1)
    return table
