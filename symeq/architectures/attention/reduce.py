"""Submodels of attention networks: rewrite steps that keep the end-to-end function and remove
degenerate heads (docs/theory.md sections 3 and 7.1).

Each step is an exact identity of functions:

* ``drop``: head h of layer i contributes nothing -- its effective value map U W_V^h is 0, or
  (lightning) its effective score form is 0, or its output map W_O^h (the rows of the next
  layer's W_O, or of the readout) is 0.  Remove the head and its rows of W_O.
* ``merge``: heads h < p of layer i have equal effective score forms (softmax), or
  S_p = c S_h (lightning).  Then phi(Y M Y^T) Y W_V^h W_O^h + phi(Y M Y^T) Y W_V^p W_O^p is one head
  with value map [W_V^h | W_V^p] (c W_V^p under lightning) and output map [W_O^h; W_O^p].
* ``narrow``: the head's value-output product W_V^h W_O^h has rank r below v_h.  Replace the
  head by a rank factorization: W_V^h T with rows of W_O^h in a basis (r columns and rows).

The result theta~ is the submodel; the theorem (docs/theory.md section 5) promises latent actions at
the parameter choice of theta~.

>>> from symeq.architectures.attention.io import attention_from_dict
>>> net = attention_from_dict({"architecture": "attention", "tokens": 3, "widths": [2, 2],
...     "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...                           {"query": [["2"], ["0"]], "key": [["1"], ["1/2"]], "value": [["1"], ["0"]]},
...                           {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["0"], ["0"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"], ["1", "1"]], "bias": ["0", "0"]}})
>>> r = reduce_heads(net)
>>> [(s.op, s.layer, s.head, s.partner) for s in r.steps]
[('drop', 1, 2, None), ('merge', 1, 0, 1)]
>>> [h.v for h in r.reduced.layers[0].heads]
[2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.identifiability import _is_zero, _proportional
from symeq.architectures.attention.matching import effective_heads
from symeq.architectures.attention.numbers import independent_rows, rank, unify

__all__ = ["Step", "HeadReduction", "reduce_heads", "MAX_STEPS"]

MAX_STEPS = 1000


@dataclass(frozen=True)
class Step:
    """One rewrite step: ``op`` in drop, merge, narrow; layer and head (indices at that step);
    ``partner`` the head merged into ``head``; ``scale`` c for a lightning merge; ``why``."""

    op: str
    layer: int
    head: int
    partner: int | None = None
    why: str = ""
    value: Any = None
    output: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The certificate's step: ``partner`` for a merge, the new ``value`` map and ``output``
        rows for a narrow (the checker compares their product with the old one)."""
        from symeq.architectures.attention.numbers import to_sympy
        from symeq.exact import matrix_to_strings

        out: dict[str, Any] = {"op": self.op, "layer": self.layer, "head": self.head}
        if self.partner is not None:
            out["partner"] = self.partner
        if self.op == "narrow":
            out["value"] = matrix_to_strings(to_sympy(self.value))
            out["output"] = matrix_to_strings(to_sympy(self.output))
        return out

    def describe(self) -> str:
        if self.op == "merge":
            return f"merge head {self.partner} of layer {self.layer} into head {self.head} ({self.why})"
        return f"{self.op} head {self.head} of layer {self.layer} ({self.why})"


@dataclass(frozen=True)
class HeadReduction:
    """theta (``original``), theta~ (``reduced``) and the steps between them."""

    original: Any
    reduced: Any
    steps: tuple[Step, ...]

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [s.to_dict() for s in self.steps], "reduced": self.reduced.to_dict()}


def _next_rows(net: Any, i: int) -> DomainMatrix:
    return net.layers[i].embed if i < len(net.layers) else net.readout


def _with_layer(net: Any, i: int, heads: list[Any], rows: DomainMatrix) -> Any:
    from symeq.architectures.attention.model import Layer

    layers = list(net.layers)
    layers[i - 1] = Layer(tuple(heads), layers[i - 1].embed)
    if i < len(layers):
        layers[i] = Layer(layers[i].heads, rows)
        return net.replace(layers=layers)
    return net.replace(layers=layers, readout=rows)


def _blocks(net: Any, i: int) -> list[DomainMatrix]:
    W = _next_rows(net, i)
    out, k = [], 0
    for h in net.layers[i - 1].heads:
        out.append(W.extract(list(range(k, k + h.v)), list(range(W.shape[1]))))
        k += h.v
    return out


def _stack(blocks: list[DomainMatrix]) -> DomainMatrix:
    blocks = list(unify(*blocks))
    return DomainMatrix.vstack(*blocks) if len(blocks) > 1 else blocks[0]


def _step(net: Any) -> tuple[Any, Step] | None:
    from symeq.architectures.attention.model import Head

    lightning = net.normalization == "lightning"
    for i in range(1, net.depth):
        ly = net.layers[i - 1]
        eff = effective_heads(net, i)
        outs = _blocks(net, i)
        H = len(ly.heads)
        for h in range(H):
            S, V = eff[h]
            why = ("value map 0" if _is_zero(V) else "score form 0 (lightning)" if lightning and _is_zero(S)
                   else "output map 0" if _is_zero(outs[h]) else None)
            if why is not None and H > 1:
                heads = [x for k, x in enumerate(ly.heads) if k != h]
                return _with_layer(net, i, heads, _stack([b for k, b in enumerate(outs) if k != h])), Step("drop", i, h, None, why)
        for h in range(H):
            for p in range(h + 1, H):
                S, S2 = unify(eff[h][0], eff[p][0])
                if not _proportional(S, S2, lightning):
                    continue
                c = S.domain.one
                if lightning:
                    r, col = next((r, col) for r, row in enumerate(S.to_list()) for col, x in enumerate(row) if x)
                    c = S2[r, col].element / S[r, col].element
                a, b = ly.heads[h], ly.heads[p]
                Va, Vb = unify(a.value, b.value)
                merged = Head(a.query.convert_to(Va.domain), a.key.convert_to(Va.domain),
                              DomainMatrix.hstack(Va, Vb * Vb.domain.convert(c, S.domain) if lightning else Vb))
                heads = list(ly.heads)
                heads[h] = merged
                del heads[p]
                blocks = list(outs)
                blocks[h] = _stack([outs[h], outs[p]])
                del blocks[p]
                why = "proportional score forms (lightning)" if lightning else "equal score forms"
                return _with_layer(net, i, heads, _stack(blocks)), Step("merge", i, h, p, why)
        for h in range(H):
            head, W = ly.heads[h], outs[h]
            V, W = unify(head.value, W)
            if _is_zero(V) or _is_zero(W):
                continue
            if rank(W) < head.v:  # W = T W_b: keep the rows of W in a basis
                rows = independent_rows(W)
                Wb = W.extract(rows, list(range(W.shape[1])))
                T = _coefficients(W, Wb)
                new = Head(head.query.convert_to(V.domain), head.key.convert_to(V.domain), V * T)
            elif rank(V) < head.v:  # V = V_b S
                cols = independent_rows(V.transpose())
                Vb = V.extract(list(range(V.shape[0])), cols)
                Sm = _coefficients(V.transpose(), Vb.transpose()).transpose()
                new, Wb = Head(head.query.convert_to(V.domain), head.key.convert_to(V.domain), Vb), Sm * W
            else:
                continue
            heads = list(ly.heads)
            heads[h] = new
            blocks = list(outs)
            blocks[h] = Wb
            return _with_layer(net, i, heads, _stack(blocks)), Step("narrow", i, h, None,
                                                                     f"W_V W_O has rank {new.v} < v = {head.v}",
                                                                     new.value, Wb)
    return None


def _coefficients(W: DomainMatrix, Wb: DomainMatrix) -> DomainMatrix:
    """T with W = T Wb, Wb's rows a basis of W's row space (solved on independent columns)."""
    cols = independent_rows(Wb.transpose())
    A = Wb.extract(list(range(Wb.shape[0])), cols)
    B = W.extract(list(range(W.shape[0])), cols)
    T = B * A.inv()
    assert T * Wb == W
    return T


def reduce_heads(net: Any) -> HeadReduction:
    """Apply rewrite steps until none applies (see the module docstring)."""
    steps: list[Step] = []
    cur = net
    for _ in range(MAX_STEPS):
        nxt = _step(cur)
        if nxt is None:
            break
        cur, step = nxt
        steps.append(step)
    return HeadReduction(net, cur, tuple(steps))
