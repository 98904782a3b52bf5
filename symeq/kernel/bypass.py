"""Same function through bypass pairs (docs/theory.md, "the linear bypass"): for relu and gelu,
sigma(z) - sigma(-z) = z, so two first-layer neurons j, j' whose rows (with bias) and outgoing
columns are each other's negatives pass the linear map c_j r_j^T.  Two parameters that differ
only on such pairs, with the same sum of c_j r_j^T over the pairs, compute the same function.
"""

from __future__ import annotations

from symeq.kernel.core import Reject
from symeq.kernel.mlp import MLP, rows

#: sigma(z) - sigma(-z) = z: relu(z) - relu(-z) = z; gelu(z) - gelu(-z) = z (Phi(z) + Phi(-z)) = z.
ODD_PART_IDENTITY = ("relu", "gelu")


def _columns(net: MLP, idx) -> dict:
    return {j: tuple(r[j] for r in net.weights[1]) for j in idx}


def same_function(c, net: MLP, other: MLP, bypass: dict) -> None:
    """Reject unless f(theta') = f(theta) by the bypass pairs ``bypass["pairs"]`` of layer 1."""
    pairs, n = bypass.get("pairs"), net.widths[1]
    if net.activation.spec not in ODD_PART_IDENTITY or bypass.get("layer") != 1 or net.depth < 2 or \
            not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise Reject("bypass pairs need relu or gelu, layer 1 of a network with a hidden layer, pairs [j, j']")
    idx = [j for p in pairs for j in p]
    if not all(isinstance(j, int) and 0 <= j < n for j in idx) or len(set(idx)) != len(idx):
        raise Reject(f"bypass pairs must name distinct neurons of layer 1 (0..{n - 1})")
    maps = []
    for name, t in (("theta", net), ("theta'", other)):
        R, C = rows(t, 1), _columns(t, idx)
        for j, k in pairs:
            if R[k] != tuple(-x for x in R[j]) or C[k] != tuple(-x for x in C[j]):
                raise Reject(f"in {name}, neurons {j} and {k} are not a bypass pair (row and column negated)")
        # sum over the pairs of c_j r_j^T: what the pairs pass, as a linear (affine) map
        maps.append([[sum((C[j][a] * R[j][b] for j, _ in pairs), 0 * R[0][0]) for b in range(len(R[0]))]
                     for a in range(len(C[idx[0]]))])
    rest = [j for j in range(n) if j not in idx]
    if [rows(net, 1)[j] for j in rest] != [rows(other, 1)[j] for j in rest] or \
            _columns(net, rest) != _columns(other, rest) or net.weights[2:] != other.weights[2:] or \
            net.biases[1:] != other.biases[1:]:
        raise Reject("theta and theta' differ outside the bypass pairs")
    if maps[0] != maps[1]:
        raise Reject("the bypass pairs of theta and theta' pass different linear maps")
    c.step(f"{net.activation.spec}(z) - {net.activation.spec}(-z) = z: the pairs {pairs} of layer 1 pass the same "
           "linear map in theta and theta', and nothing else differs: same function")
