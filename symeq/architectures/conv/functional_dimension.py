"""The functional dimension of a convolutional network: the generic rank of the Jacobian of
theta -> (f(x_1; theta), ..., f(x_N; theta)) in the *convolutional* parameters (THEORY.md 2).

A convolutional layer is an MLP layer with block-circulant weights: the MLP's parameters are a
linear image E theta of the convolutional ones (filter entry w_{c c'}(q) sits at every (c, p),
(c', p - q); a bias at every position of its channel).  So the Jacobian is J_MLP E, computed
on the lowered network: exactly (integer matrices, FLINT rank) for activations that map
rationals to rationals, or as python-flint balls with a certified rank lower bound otherwise.
The upper bound #params - dim(K-orbit) comes from the orbit tangents
(:meth:`ConvNet.orbit_tangents`), which lie in the kernel everywhere; when the rank meets it,
theta is locally identifiable modulo K.

>>> from symeq.architectures.conv import from_dict
>>> net = from_dict({"architecture": "conv", "activation": "power:2", "grid": [3], "channels": [1, 1, 1],
...     "filters": [[[["1", "2", "0"]]], [[["1", "0", "1"]]]], "biases": [["1"], ["0"]]})
>>> fd = functional_dimension(net)
>>> fd.n_params, fd.orbit_dim, fd.rank, fd.status
(8, 1, 7, 'exact')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flint
import numpy as np
import sympy

from symeq.architectures.conv.model import MAX_LOWERED, ConvNet
from symeq.errors import InputError

__all__ = ["ConvFunctionalDimension", "functional_dimension", "embedding_columns"]


@dataclass(frozen=True)
class ConvFunctionalDimension:
    """``rank`` (exact, or a certified lower bound), ``n_params``, ``orbit_dim`` (the rank of
    the orbit tangents) and ``status``: ``exact``, ``certified`` (a ball lower bound meeting the
    upper bound, so exact too), ``lower-bound`` or ``unknown``."""

    n_params: int
    orbit_dim: int
    rank: int | None
    status: str
    method: str
    samples: int = 0

    @property
    def upper_bound(self) -> int:
        """#params - dim(K-orbit)."""
        return self.n_params - self.orbit_dim

    @property
    def locally_identifiable(self) -> bool:
        """True when the rank is proved to be #params - dim(K-orbit)."""
        return self.rank is not None and self.rank == self.upper_bound and self.status in ("exact", "certified")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"n_params": self.n_params, "orbit_dim": self.orbit_dim, "rank": self.rank,
                "upper_bound": self.upper_bound, "status": self.status, "method": self.method,
                "samples": self.samples, "locally_identifiable": self.locally_identifiable}


def embedding_columns(net: ConvNet) -> list[list[int]]:
    """For every convolutional parameter (order of :meth:`ConvNet.parameters`) the positions
    of the lowered MLP's parameters (order of ``MLP.parameters``) it fills."""
    N = net.grid.size
    pos = net.grid.positions
    out: list[list[int]] = []
    offset = 0
    for i, L in enumerate(net.layers, start=1):
        if net.is_dense(i):
            rows, cols = L.shape
            out.extend([[offset + k] for k in range(rows * cols + rows)])
            offset += rows * cols + rows
            continue
        C, C2, _ = L.shape
        cols = C2 * N
        for c in range(C):
            for c2 in range(C2):
                for q in range(N):
                    pp = net.grid.index_array(pos - pos[q])  # p' = p - q for every p
                    out.append([offset + (c * N + p) * cols + c2 * N + int(pp[p]) for p in range(N)])
        wsize = C * N * cols
        for c in range(C):
            out.append([offset + wsize + c * N + p for p in range(N)])
        offset += wsize + C * N
    return out


def _rank_of_tangents(net: ConvNet) -> int:
    tangents = net.orbit_tangents()
    if not tangents:
        return 0
    M = sympy.Matrix(tangents)
    if all(x.is_Rational for x in M):
        return flint.fmpq_mat(M.rows, M.cols, [flint.fmpq(int(x.p), int(x.q)) for x in M]).rank()
    return M.rank()


def functional_dimension(net: ConvNet, *, samples: int | None = None, seed: int = 0) -> ConvFunctionalDimension:
    """The functional dimension at theta in the convolutional parameters (see the module docstring)."""
    from symeq.architectures.mlp.jacobian_exact import OnKink, exact_jacobian, integer_activation
    from symeq.symmetry.functional_dimension import default_inputs

    if net.symbols:
        raise InputError("functional dimension needs numeric parameters; the network has symbols")
    if max(net.spaces()) > MAX_LOWERED:
        return ConvFunctionalDimension(net.n_params, _rank_of_tangents(net), None, "unknown", "none")
    mlp = net.to_mlp()
    n = net.n_params
    orbit = _rank_of_tangents(net)
    count = samples or max(2, -(-n // max(1, net.spaces()[-1])) + 2)
    inputs = default_inputs(mlp, count, seed)
    cols = embedding_columns(net)
    rational = all(x.is_Rational for x in net.parameters())
    if integer_activation(net.activation) is not None and rational:
        try:
            jac = exact_jacobian(mlp, inputs)
        except OnKink:
            jac = None
        if jac is not None:
            J = np.asarray(jac.matrix, dtype=object)
            Jc = np.stack([J[:, idx].sum(axis=1) for idx in cols], axis=1)
            M = flint.fmpz_mat([[int(v) for v in row] for row in Jc])
            return ConvFunctionalDimension(n, orbit, int(M.rank()), "exact", "exact Jacobian (FLINT)", len(inputs))
    from symeq.architectures.mlp.jacobian_arb import arb_jacobian, certified_rank

    with flint.ctx.workprec(192):
        rows = arb_jacobian(mlp, inputs)
        conv_rows = [[sum((row[k] for k in idx), flint.arb(0)) for idx in cols] for row in rows]
        r = certified_rank(conv_rows)
    status = "certified" if r == n - orbit else "lower-bound"
    return ConvFunctionalDimension(n, orbit, r, status, "ball Jacobian (python-flint arb)", len(inputs))
