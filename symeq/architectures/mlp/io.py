"""The ``[network]`` table of an MLP (DESIGN.md section 3), read and written exactly.

    [network]
    architecture = "mlp"
    activation = "tanh"
    widths = [2, 4, 2]
    weights = [ [["1","0"], ...], ... ]       # W_1, W_2, ... as rows of exact strings
    biases  = [ ["0", ...], ... ]
    symbols = ["a", "b"]                      # optional: restrict symbolic names

Writing a network and reading it again gives the same network.

>>> d = {"architecture": "mlp", "activation": "tanh", "widths": [1, 2, 1],
...      "weights": [[["1"], ["-1/2"]], [["2", "a"]]], "biases": [["0", "0"], ["1"]]}
>>> net = mlp_from_dict(d)
>>> mlp_from_dict(mlp_to_dict(net)) == net
True
"""

from __future__ import annotations

from typing import Any

from symeq.activations import activation
from symeq.architectures.mlp.model import MLP
from symeq.errors import InputError
from symeq.exact import declared_symbols, matrix_to_strings, parse_matrix, parse_vector, vector_to_strings

__all__ = ["mlp_from_dict", "mlp_to_dict"]


def mlp_from_dict(d: object) -> MLP:
    """Build a network from the ``[network]`` table of the schema, checking every shape."""
    if not isinstance(d, dict):
        raise InputError("[network] must be a table")
    unknown = {str(k) for k in d} - {"architecture", "activation", "widths", "weights", "biases",
                                     "symbols", "description"}
    if unknown:
        raise InputError(f"[network] has unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("activation", "weights", "biases"):
        if key not in d:
            raise InputError(f"[network] is missing {key!r}")
    act = activation(d["activation"])
    symbols = declared_symbols(d)
    weights, biases = d["weights"], d["biases"]
    if not isinstance(weights, list) or not isinstance(biases, list) or not weights:
        raise InputError("[network] weights and biases must be non-empty lists, one per layer")
    if len(weights) != len(biases):
        raise InputError(f"[network] has {len(weights)} weight matrices but {len(biases)} bias vectors")
    widths = d.get("widths")
    if widths is not None:
        if (not isinstance(widths, list) or len(widths) != len(weights) + 1
                or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths)):
            raise InputError(
                f"[network] widths must list {len(weights) + 1} positive integers d_0..d_L"
            )
    ws, bs = [], []
    for i, (w, b) in enumerate(zip(weights, biases), start=1):
        shape = (widths[i], widths[i - 1]) if widths else None
        W = parse_matrix(w, shape, f"W_{i}", symbols)
        ws.append(W)
        bs.append(parse_vector(b, W.rows, f"b_{i}", symbols))
    return MLP(act, tuple(ws), tuple(bs))


def mlp_to_dict(net: MLP) -> dict[str, Any]:
    """The ``[network]`` table of the schema for ``net``."""
    return {
        "architecture": net.architecture,
        "activation": net.activation.spec,
        "widths": list(net.widths),
        "weights": [matrix_to_strings(w) for w in net.weights],
        "biases": [vector_to_strings(b) for b in net.biases],
    }
