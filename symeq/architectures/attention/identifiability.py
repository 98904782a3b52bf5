"""``symeq identify`` for attention networks: degenerate heads, submodels and what the literature
says (docs/theory.md sections 3 and 7.1).

Degenerate heads, read off the *effective* forms S_h = U M_h U^T and V_h = U W_V^h of each layer
(U = W_O of the previous layer, the identity for layer 1) and the head's output map W_O^h (the
next layer's, or the readout's, block of rows):

* ``inactive``: V_h = 0 (or, for lightning attention, S_h = 0): the head outputs 0 for every
  input; ``unread``: W_O^h = 0, nobody reads it.  The submodel drops it.
* ``equal_scores``: S_h = S_p (softmax) or S_p = c S_h (lightning): the two heads merge into one
  head with value map [V_h | V_p] (c V_p), and only V_h W_O^h + V_p W_O^p is intrinsic.
* ``narrow``: V_h W_O^h has rank r < v_h: the head narrows to v = r (a rank factorization).
* ``averaging`` (softmax, S_h = 0): the head averages the tokens; it is not zero, and not
  reduced, but the Q-K parameters of that head are free.

Verdicts:

* ``not identifiable`` (proved, with a certificate): an inactive head (V_h = 0, or S_h = 0
  under lightning) of the last attention layer.  theta' = theta with that head's readout block
  changed (to 0, or to a nonzero block when it is 0) computes the same function, and no k
  relates them: the readout equation of any k reads B W_O' = W_O, and B (a permutation of head
  blocks with invertible A_h) preserves the number of nonzero blocks, which differs.
* ``conjectural`` otherwise: for degenerate heads, that the submodel (without them) is
  identifiable; for non-degenerate ones, the literature: Henry, Marchetti, Kohn 2025 (one
  softmax layer has singleton fibers up to the known symmetries, and generic deep lightning
  fibers are 1-dimensional per layer), Henry 2026 (multi-head self-attention has no
  symmetries beyond the Q-K and O-V changes of basis and head permutations), Konda 2026 (deep
  softmax) -- each for *generic* parameters, a hypothesis that cannot be checked at one theta.
  With ``local=True`` the exact functional dimension is evidence of local identifiability
  (``locally identifiable``: near theta the fiber is the orbit of the symmetry group).

>>> from symeq.architectures.attention.io import attention_from_dict
>>> table = {"architecture": "attention", "tokens": 3, "widths": [2, 2],
...     "layers": [{"heads": [{"query": [["1"], ["0"]], "key": [["2"], ["1"]], "value": [["1"], ["3"]]},
...                           {"query": [["0"], ["1"]], "key": [["1"], ["2"]], "value": [["0"], ["0"]]}]}],
...     "readout": {"output": [["1", "0"], ["0", "1"]], "bias": ["0", "0"]}}
>>> r = identify(attention_from_dict(table))
>>> r.verdict, [d.kind for d in r.degenerate]
('not identifiable', ['inactive'])
>>> table["layers"][0]["heads"][1]["value"] = [["3"], ["1"]]
>>> identify(attention_from_dict(table)).verdict
'conjectural'
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sympy.polys.matrices import DomainMatrix

from symeq.architectures.attention.matching import effective_heads
from symeq.architectures.attention.numbers import rank, unify, zeros
from symeq.verdict import Verdict

__all__ = ["DegenerateHead", "IdentifyResult", "identify", "degenerate_heads", "LITERATURE"]

LITERATURE = (
    "Henry, Marchetti, Kohn, Geometry of Lightning Self-Attention: Identifiability and Dimension "
    "(arXiv 2408.17221, ICLR 2025): generic fibers of deep lightning attention; one softmax layer",
    "Henry 2026 (ICML 2026 workshop on weight-space symmetries): generic multi-head self-attention has no "
    "symmetries beyond the Q-K and O-V changes of basis and head permutations",
    "Konda 2026: deep softmax attention, real-analytic normalizers",
)


@dataclass(frozen=True)
class DegenerateHead:
    """A degenerate head: ``kind`` (inactive, equal_scores, narrow, averaging), its layer and
    head, a partner head for equal_scores, and the reason in words."""

    kind: str
    layer: int
    head: int
    partner: int | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "layer": self.layer, "head": self.head, "partner": self.partner,
                "reason": self.reason}


def _output_blocks(net: Any, i: int) -> list[DomainMatrix]:
    """W_O^h of every head of layer i: the rows of the next layer's embed (or the readout)."""
    W = net.layers[i].embed if i < len(net.layers) else net.readout
    out, k = [], 0
    for h in net.layers[i - 1].heads:
        out.append(W.extract(list(range(k, k + h.v)), list(range(W.shape[1]))))
        k += h.v
    return out


def _is_zero(m: DomainMatrix) -> bool:
    return m == zeros(*m.shape, m.domain)


def degenerate_heads(net: Any) -> list[DegenerateHead]:
    """Every degenerate head (see the module docstring)."""
    out: list[DegenerateHead] = []
    lightning = net.normalization == "lightning"
    for i in range(1, net.depth):
        eff = effective_heads(net, i)
        outs = _output_blocks(net, i)
        inactive = set()
        for h, ((S, V), W) in enumerate(zip(eff, outs)):
            if _is_zero(V):
                out.append(DegenerateHead("inactive", i, h, None, f"layer {i} head {h}: its value map is 0, so it "
                                          "outputs 0 for every input"))
            elif lightning and _is_zero(S):
                out.append(DegenerateHead("inactive", i, h, None, f"layer {i} head {h}: its score form is 0, so "
                                          "under lightning attention it outputs 0"))
            elif _is_zero(W):
                out.append(DegenerateHead("unread", i, h, None, f"layer {i} head {h}: its output map W_O^{h} is 0: "
                                          "nobody reads it"))
            else:
                V2, W2 = unify(V, W)
                r = rank(V2 * W2)
                if r < V.shape[1]:
                    out.append(DegenerateHead("narrow", i, h, None, f"layer {i} head {h}: V_h W_O^h has rank {r} < "
                                              f"v = {V.shape[1]}: the head narrows to v = {r}"))
                if not lightning and _is_zero(S):
                    out.append(DegenerateHead("averaging", i, h, None, f"layer {i} head {h}: score form 0: it "
                                              "averages the tokens (not zero); its W_Q, W_K are free"))
                continue
            inactive.add(h)
        for h in range(len(eff)):
            for p in range(h + 1, len(eff)):
                if h in inactive or p in inactive:
                    continue
                S, S2 = unify(eff[h][0], eff[p][0])
                if _proportional(S, S2, lightning):
                    what = "proportional" if lightning else "equal"
                    out.append(DegenerateHead("equal_scores", i, h, p, f"layer {i} heads {h} and {p} have {what} "
                                              "score forms: they merge into one head"))
    return out


def _proportional(S: DomainMatrix, S2: DomainMatrix, scaled: bool) -> bool:
    if not scaled:
        return S == S2
    for r, row in enumerate(S.to_list()):
        for c, x in enumerate(row):
            if x:
                return S2 == S * (S2[r, c].element / x)
    return _is_zero(S2)


@dataclass(frozen=True)
class IdentifyResult:
    """What ``symeq identify`` reports for an attention network."""

    verdict: Verdict
    reason: str
    network: Any
    degenerate: tuple[DegenerateHead, ...]
    basis: str
    second: Any = None
    proof_head: tuple[int, int] | None = None
    dimension: Any = None
    seconds: float = field(default=0.0, compare=False)

    def certificate(self) -> dict[str, Any] | None:
        """For ``not identifiable``: the second parameter and the head (the kernel checks the
        head's value map is 0, the two parameters differ only in its readout block, and the
        numbers of nonzero blocks differ)."""
        if self.verdict != Verdict.NOT_IDENTIFIABLE or self.second is None:
            return None
        from symeq.architectures.attention.certificate import certificate, network_table

        layer, head = self.proof_head  # type: ignore[misc]
        return certificate(self.network, None, "not_identifiable",
                           {"method": "inactive_head", "layer": layer, "head": head,
                            "second": network_table(self.second)}, self.seconds)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": str(self.verdict), "reason": self.reason, "basis": self.basis,
                               "degenerate": [d.to_dict() for d in self.degenerate], "literature": list(LITERATURE),
                               "seconds": round(self.seconds, 6)}
        if self.second is not None:
            out["second_parameter"] = self.second.to_dict()
        if self.dimension is not None:
            out["functional_dimension"] = self.dimension.to_dict()
        return out

    def text(self) -> str:
        lines = [f"verdict: {self.verdict}", f"reason: {self.reason}", f"basis: {self.basis}"]
        lines.extend(f"degenerate: {d.reason}" for d in self.degenerate)
        if self.verdict in (Verdict.CONJECTURAL, Verdict.LOCALLY_IDENTIFIABLE):
            lines.extend(f"literature: {ref}" for ref in LITERATURE)
        return "\n".join(lines)


def _second_parameter(net: Any, head: int) -> Any:
    """theta with the readout block of ``head`` (of the last attention layer) changed."""
    ly = net.layers[-1]
    offs = ly.offsets()
    rows = net.readout.to_list()
    K = net.readout.domain
    block = range(offs[head], offs[head] + ly.heads[head].v)
    zero = all(not x for r in block for x in rows[r])
    for r in block:
        rows[r] = [K.zero] * net.d_out
    if zero:  # give it a nonzero block instead
        rows[offs[head]][0] = K.one
    return net.replace(readout=DomainMatrix(rows, net.readout.shape, K))


def identify(net: Any, *, local: bool = False) -> IdentifyResult:
    """The identifiability verdict of ``net`` (see the module docstring)."""
    start = time.perf_counter()
    degenerate = tuple(degenerate_heads(net))
    L1 = net.depth - 1

    def done(verdict: Verdict, reason: str, basis: str, **kw: Any) -> IdentifyResult:
        return IdentifyResult(verdict, reason, net, degenerate, basis, seconds=time.perf_counter() - start, **kw)

    for d in degenerate:
        if d.kind == "inactive" and d.layer == L1:
            second = _second_parameter(net, d.head)
            return done(Verdict.NOT_IDENTIFIABLE,
                        f"{d.reason}; changing its readout block gives a parameter with the same function that no k "
                        "in K relates to theta (B W_O' = W_O would keep the number of nonzero head blocks)",
                        "elementary (inactive head of the last attention layer)", second=second,
                        proof_head=(d.layer, d.head))
    if degenerate:
        kinds = sorted({d.kind for d in degenerate})
        return done(Verdict.CONJECTURAL,
                    f"degenerate heads ({', '.join(kinds)}): theta is weakly identifiable if the submodel without "
                    "them is identifiable, which the literature states for generic parameters only",
                    "conjectural: " + LITERATURE[0].split(":")[0])
    if net.tokens < 2:
        return done(Verdict.CONJECTURAL, "one token: the score forms do not enter the function, so theta is not "
                    "identifiable modulo K; stated for reference only", "conjectural")
    fd = None
    if local:
        from symeq.symmetry.functional_dimension import functional_dimension

        fd = functional_dimension(net)
        if fd.status == "exact" and fd.hidden_symmetries == 0:
            return done(Verdict.LOCALLY_IDENTIFIABLE,
                        f"the functional dimension is exactly {fd.rank} = #params - the dimension of the symmetry "
                        "group (K and the internal symmetries): near theta, the fiber is the orbit",
                        "exact functional dimension (local evidence only)", dimension=fd)
    return done(Verdict.CONJECTURAL,
                "no degenerate head; identifiability (up to K and the internal symmetries) is proved in the "
                "literature for generic parameters, not checkable at this theta",
                "conjectural: " + "; ".join(ref.split(":")[0] for ref in LITERATURE), dimension=fd)
