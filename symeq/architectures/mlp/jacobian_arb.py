"""The Jacobian of theta -> (f(x_1; theta), ..., f(x_N; theta)) of an MLP in ball arithmetic
(python-flint arb), for the certified path of :mod:`symeq.symmetry.functional_dimension`."""

from __future__ import annotations

from typing import Sequence

import sympy
from flint import arb, arb_mat

from symeq.architectures.mlp.model import MLP
from symeq.activations.arb_eval import arb_value
from symeq.activations.formula import Z
from symeq.ranks import arb_rows

__all__ = ["arb_jacobian"]

def arb_jacobian(net: MLP, inputs: Sequence[Sequence[sympy.Expr]]) -> list[list[arb]]:
    """Rows (x, l) of the Jacobian as balls, columns in ``MLP.parameters()`` order."""
    sigma = net.activation.expr(Z)
    dsigma = sympy.diff(sigma, Z)
    L = net.depth
    Ws = [arb_mat(arb_rows(w.tolist())) for w in net.weights]
    bs = [[arb_value(sympy.sympify(x), {}) for x in b] for b in net.biases]
    n_in = len(inputs)
    H = arb_mat([[arb_value(sympy.sympify(x[k]), {}) for x in inputs] for k in range(net.widths[0])])
    Hs, Ss = [H], []
    for i in range(1, L):
        Zm = Ws[i - 1] * H
        d = Zm.nrows()
        Hn = arb_mat(d, n_in)
        S = arb_mat(d, n_in)
        for j in range(d):
            for x in range(n_in):
                z = Zm[j, x] + bs[i - 1][j]
                Hn[j, x] = arb_value(sigma, {Z: z})
                S[j, x] = arb_value(dsigma, {Z: z})
        H = Hn
        Hs.append(H)
        Ss.append(S)
    d_out = net.widths[-1]
    n = net.n_params
    rows = [[arb(0)] * n for _ in range(n_in * d_out)]
    offsets, k = [], 0
    for w in net.weights:
        offsets.append(k)
        k += w.rows * w.cols + w.rows
    for l in range(d_out):
        # delta[i] is d_i x N for output l
        delta = arb_mat(d_out, n_in)
        for x in range(n_in):
            delta[l, x] = arb(1)
        for i in range(L, 0, -1):
            Hprev = Hs[i - 1]
            w = net.weights[i - 1]
            off = offsets[i - 1]
            for x in range(n_in):
                row = rows[x * d_out + l]
                for j in range(w.rows):
                    dj = delta[j, x]
                    if dj == 0:
                        continue
                    for c in range(w.cols):
                        row[off + j * w.cols + c] = dj * Hprev[c, x]
                    row[off + w.rows * w.cols + j] = dj
            if i > 1:
                back = Ws[i - 1].transpose() * delta
                S = Ss[i - 2]
                delta = arb_mat(back.nrows(), n_in)
                for j in range(back.nrows()):
                    for x in range(n_in):
                        delta[j, x] = back[j, x] * S[j, x]
    return rows
