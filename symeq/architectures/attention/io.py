"""The ``[network]`` table of an attention network (DESIGN.md section 3), read and written exactly.

    [network]
    architecture = "attention"
    normalization = "softmax"            # softmax | lightning
    tokens = 2                           # n
    widths = [2, 2]                      # d_0 (input features), d_L (output features)
    positional = [["0","1"],["1","0"]]   # optional E, n x d_0, added to the input
    [[network.layers]]                   # attention layer 1
    heads = [ { query = [["1"],["0"]], key = [["2"],["1"]], value = [["1"],["3"]] }, ... ]
    [[network.layers]]                   # attention layer 2 (optional, and so on)
    output = [[...]]                     # W_O of layer 1: (sum of its v) x d_2
    heads = [ ... ]
    [network.readout]
    output = [["1","0"],["0","1"]]       # W_O of the last attention layer, (sum v) x d_L
    bias = ["0","0"]

Matrices act on the right of token rows: W_Q^h and W_K^h are d x a, W_V^h is d x v.  Numbers
are exact strings; names are symbols (``symbols = [...]`` restricts them).  Writing a network
and reading it again gives the same network.

>>> d = {"architecture": "attention", "normalization": "lightning", "tokens": 3, "widths": [2, 1],
...      "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["1/2"], ["1"]],
...                             "value": [["1"], ["-1"]]}]}],
...      "readout": {"output": [["2"]], "bias": ["1"]}}
>>> net = attention_from_dict(d)
>>> attention_from_dict(attention_to_dict(net)) == net
True
>>> attention_from_dict({**d, "tokens": 0})
Traceback (most recent call last):
...
symeq.errors.InputError: [network] tokens must be a positive integer
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.attention.model import NORMALIZATIONS, Attention
from symeq.architectures.attention.numbers import to_sympy
from symeq.errors import InputError
from symeq.exact import matrix_to_strings, parse_matrix, parse_vector, symbol

__all__ = ["attention_from_dict", "attention_to_dict", "MAX_TOKENS", "MAX_SIZE"]

#: Largest number of tokens, and of numbers in one file's network (bounded memory).
MAX_TOKENS, MAX_SIZE = 4096, 2_000_000

_KEYS = {"architecture", "normalization", "tokens", "widths", "positional", "layers", "readout",
         "symbols", "description"}


def _int(d: dict[str, Any], key: str) -> int:
    x = d.get(key)
    if not isinstance(x, int) or isinstance(x, bool) or x < 1:
        raise InputError(f"[network] {key} must be a positive integer")
    return x


def _size(x: object) -> int:
    if isinstance(x, list):
        return sum(_size(y) for y in x) + 1
    if isinstance(x, dict):
        return sum(_size(y) for y in x.values()) + 1
    return 1


def attention_from_dict(d: object) -> Attention:
    """Build an attention network from the ``[network]`` table, checking every shape."""
    if not isinstance(d, dict):
        raise InputError("[network] must be a table")
    unknown = {str(k) for k in d} - _KEYS
    if unknown:
        raise InputError(f"[network] has unknown key(s): {', '.join(sorted(unknown))}")
    if _size(d) > MAX_SIZE:
        raise InputError(f"[network] has more than {MAX_SIZE} numbers; too large for exact analysis")
    norm = d.get("normalization", "softmax")
    if norm not in NORMALIZATIONS:
        raise InputError(f"[network] normalization must be one of {', '.join(NORMALIZATIONS)}")
    n = _int(d, "tokens")
    if n > MAX_TOKENS:
        raise InputError(f"[network] tokens must be at most {MAX_TOKENS}")
    symbols: Any = "declare"
    if "symbols" in d:
        names = d["symbols"]
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise InputError("[network] symbols must be a list of names")
        symbols = {x: symbol(x) for x in names}
    layers = d.get("layers")
    if not isinstance(layers, list) or not layers or not all(isinstance(ly, dict) for ly in layers):
        raise InputError("[network] needs 'layers': a non-empty list of tables [[network.layers]], one per "
                         "attention layer")
    readout = d.get("readout")
    if not isinstance(readout, dict) or set(readout) - {"output", "bias"} or "output" not in readout:
        raise InputError("[network.readout] needs 'output' (W_O of the last attention layer) and 'bias'")
    built = []
    for i, ly in enumerate(layers, start=1):
        extra = set(ly) - {"heads", "output"}
        if extra:
            raise InputError(f"layer {i} has unknown key(s): {', '.join(sorted(map(str, extra)))}")
        heads = ly.get("heads")
        if not isinstance(heads, list) or not heads:
            raise InputError(f"layer {i} needs 'heads': a non-empty list of {{query, key, value}} tables")
        if i == 1 and "output" in ly:
            raise InputError("layer 1 reads the input; its heads' output maps go under the next layer's "
                             "'output' or [network.readout]")
        if i > 1 and "output" not in ly:
            raise InputError(f"layer {i} needs 'output': W_O of layer {i - 1}, (sum of its v) x d_{i}")
        embed = parse_matrix(ly["output"], None, f"layer {i} output", symbols) if i > 1 else None
        hs = []
        for h, head in enumerate(heads):
            if not isinstance(head, dict) or set(head) != {"query", "key", "value"}:
                raise InputError(f"layer {i} head {h}: needs exactly the keys query, key, value")
            hs.append(tuple(parse_matrix(head[k], None, f"layer {i} head {h} {k}", symbols)
                            for k in ("query", "key", "value")))
        built.append({"heads": hs, "embed": embed})
    W = parse_matrix(readout["output"], None, "readout output", symbols)
    b = parse_vector(readout.get("bias", ["0"] * W.shape[1]), W.shape[1], "readout bias", symbols)
    E = None
    if "positional" in d:
        E = parse_matrix(d["positional"], None, "positional", symbols)
    net = Attention.from_sympy(norm, n, built, W, b.T, E)
    widths = d.get("widths")
    if widths is not None:
        if (not isinstance(widths, list) or len(widths) != 2
                or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths)):
            raise InputError("[network] widths must be [d_0, d_L]: input and output features per token")
        if tuple(widths) != (net.d_in, net.d_out):
            raise InputError(f"[network] widths say [{widths[0]}, {widths[1]}], but the matrices give "
                             f"d_0 = {net.d_in} and d_L = {net.d_out}")
    return net


def attention_to_dict(net: Attention) -> dict[str, Any]:
    """The ``[network]`` table for ``net``."""
    out: dict[str, Any] = {"architecture": "attention", "normalization": net.normalization,
                           "tokens": net.tokens, "widths": [net.d_in, net.d_out]}
    if net.positional is not None:
        out["positional"] = matrix_to_strings(to_sympy(net.positional))
    layers = []
    for ly in net.layers:
        t: dict[str, Any] = {}
        if ly.embed is not None:
            t["output"] = matrix_to_strings(to_sympy(ly.embed))
        t["heads"] = [{"query": matrix_to_strings(to_sympy(h.query)), "key": matrix_to_strings(to_sympy(h.key)),
                       "value": matrix_to_strings(to_sympy(h.value))} for h in ly.heads]
        layers.append(t)
    out["layers"] = layers
    out["readout"] = {"output": matrix_to_strings(to_sympy(net.readout)),
                      "bias": [row[0] for row in matrix_to_strings(to_sympy(net.bias).T)]}
    return out
