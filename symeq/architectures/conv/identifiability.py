"""``symeq identify`` for convolutional networks (docs/theory.md#3-identifiability and #72-circular-convolutions).

theta is identifiable when every theta' of the same architecture with the same function is
k . theta for exactly one k in K = K_1 x ... x K_{L-1} (channel permutations with relations and
translations).  Decided in this order:

The generic stage (:func:`symeq.identifiability.identify.identify`) asks the network for its
reduction, criterion, witness and evidence; a convolutional network answers:

1. **Degenerate channels** (exact, structural; ``nonidentifiability_witness``): a channel of hidden layer i that nobody reads,
   a channel with zero filters (its output is constant), a channel whose row of filters and
   bias is fixed by a nonzero translation (its output is periodic), two channels related by a
   relation and a translation (their outputs are affine images of each other).  Each gives a
   direction delta in parameter space with f(theta + e delta) = f(theta) for every e (the
   next layer sees only sums, periodizations or combinations of what delta changes); when
   delta is not tangent to the K-orbit, the fiber is larger than the orbit: *not identifiable*,
   with the second parameter theta + delta as witness.
2. **Lowering** (small networks; ``criterion``): the same function is an MLP with block-circulant weights;
   its identifiability verdict (:func:`symeq.identifiability.identify.identify`: Sussmann,
   Vlacic-Bolcskei, exact fibers, ...) transfers.  If the lowered MLP is identifiable, its
   hidden neurons have nonzero, pairwise unrelated rows, and a k in the MLP's K_i relating two
   block-circulant layers with such rows moves whole channels by one translation and one
   relation each: it lies in the convolutional K_i (and keeps the support when every channel's
   filters fill it).  So theta is identifiable.  The MLP's other verdicts are reported as
   what they say about the lowered network; they do not transfer (an MLP witness need not be
   convolutional).
3. **Local** (the generic stage): the functional dimension in the convolutional parameters
   (:mod:`symeq.symmetry.functional_dimension` on :mod:`.jacobians`) equal to #params - dim(K-orbit)
   -> *locally identifiable*.

The literature on polynomial CNNs (docs/theory.md#72-circular-convolutions) is reported with its hypotheses; its
statements are generic (almost every parameter), so no verdict about this theta rests on them.

>>> from symeq.architectures.conv import from_dict
>>> table = {"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]}
>>> r = identify(from_dict(table), local=False)
>>> r.verdict, r.basis.split(" (")[0]
('identifiable', 'lowered to a 6-6-6 MLP: Sussmann irreducibility')
>>> periodic = dict(table, filters=[[[["1", "0", "1", "0", "1", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]])
>>> r = identify(from_dict(periodic), local=False)
>>> r.verdict, r.direction.kind, r.direction.reason
('not identifiable', 'periodic', 'layer 1, channel 0: its filters and bias are fixed by the translation 2, so its output is 2-periodic and layer 2 sees only the 2-periodization of the filters reading it')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from symeq.architectures.conv.model import MAX_LOWERED, ConvNet
from symeq.errors import BudgetExceeded, InputError
from symeq.architectures.mlp.criteria import Condition, CriterionResult

__all__ = ["ConvIdentifyResult", "identify", "degenerate_directions", "LITERATURE"]

#: The literature docs/theory.md#72-circular-convolutions cites, with hypotheses (generic statements: never a verdict here).
LITERATURE = {
    "power": ("Shahverdi, Marchetti, Kohn, On the geometry and optimization of polynomial convolutional "
              "networks (arXiv:2410.00722): for CNNs with a monomial activation z^m the parametrization "
              "is an isomorphism almost everywhere up to rescaling the filters. Hypotheses: monomial "
              "activation; a generic parameter (a dense open set, not checked for this theta); the "
              "paper's convolution model, to be compared with circular convolutions before relying on it"),
    "poly": ("Shahverdi, Marchetti, Kohn (arXiv:2505.11846): with a generic polynomial activation the "
             "parametrization of polynomial networks is generically one-to-one up to the known symmetries. "
             "Hypotheses: generic activation coefficients and generic parameters (not checked for this theta)"),
    "identity": ("Kohn, Montufar, Shahverdi, Trager, Function space and critical points of linear "
                 "convolutional networks (arXiv:2304.05752): linear 1-D CNNs; the fibers of the "
                 "parametrization are described there (generic statements, not checked for this theta)"),
}


@dataclass(frozen=True)
class Direction:
    """A direction delta with f(theta + e delta) = f(theta) for every e, and why."""

    reason: str
    delta: tuple[sympy.Expr, ...]
    kind: str = ""
    data: tuple[tuple[str, Any], ...] = ()
    relation: Any = None  # the Relation of a "related" pair (the reduction merges with it)

    def to_dict(self) -> dict[str, Any]:
        """The certificate's description of the degeneracy (exact strings)."""
        from symeq.exact import exact_string

        return {"kind": self.kind, **{k: v for k, v in self.data},
                "direction": [exact_string(x) for x in self.delta]}


@dataclass(frozen=True)
class ConvCriterion(CriterionResult):
    """The criterion of a convolutional network: the lowered MLP's, transferred, with the
    MLP's identify result (``lowered``) for the certificate's evidence."""

    lowered: Any = None


@dataclass(frozen=True)
class ConvWitness:
    """A fiber direction of a degenerate channel: theta + delta has the same function."""

    direction: Direction
    network: ConvNet

    @property
    def kind(self) -> str:
        return f"fiber direction ({self.direction.kind})"

    @property
    def description(self) -> str:
        return (f"{self.direction.reason}: theta + e delta has the same function for every e, and delta "
                "is not tangent to the K-orbit")

    @property
    def second(self) -> ConvNet:
        """theta + delta."""
        return self.network.with_parameters([x + y for x, y in zip(self.network.parameters(), self.direction.delta)])

    def evidence(self) -> dict[str, Any]:
        """The ``not_identifiable`` certificate's evidence."""
        return {"method": "fiber_direction", **self.direction.to_dict()}


@dataclass(frozen=True)
class ConvIdentifyResult:
    """The generic identify stage's result on a convolutional network (``result``), with a
    text report for the command line."""

    result: Any

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def basis(self) -> str:
        return self.result.basis

    @property
    def reason(self) -> str:
        return self.result.basis

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def network(self) -> ConvNet:
        return self.result.network

    @property
    def witness(self) -> ConvWitness | None:
        return self.result.witness

    @property
    def direction(self) -> Direction | None:
        return self.result.witness.direction if self.result.witness is not None else None

    @property
    def lowered(self) -> Any:
        return getattr(self.result.criterion, "lowered", None)

    @property
    def literature(self) -> tuple[str, ...]:
        return tuple(LITERATURE[k] for k in LITERATURE if self.network.activation.name == k)

    def certificate(self) -> dict[str, Any] | None:
        """The generic certificate: ``identifiable`` (the lowered MLP's evidence) or
        ``not_identifiable`` (the fiber direction)."""
        return self.result.certificate()

    def lines(self) -> list[str]:
        """The text report of ``symeq identify``."""
        r = self.result
        out = [f"verdict: {r.verdict}", f"basis: {r.basis}", f"criterion: {r.criterion.criterion}"]
        for c in r.criterion.conditions:
            out.append(f"  [{'holds' if c.holds else 'fails'}] {c.text}" + (f" ({c.detail})" if c.detail else ""))
        for d in degenerate_directions(self.network):
            out.append(f"degenerate: {d.reason}")
        if r.local is not None:
            out.append(f"local: {r.local.status}" + (f" ({r.local.detail})" if r.local.detail else ""))
        out.extend(f"literature: {x}" for x in self.literature)
        out.extend(f"note: {n}" for n in (*r.criterion.notes, *r.notes))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        out = self.result.to_dict()
        out["architecture"] = "conv"
        out["literature"] = list(self.literature)
        out["degeneracies"] = [d.reason for d in degenerate_directions(self.network)]
        if self.witness is not None:
            out["witness"] = {"kind": self.witness.kind, "description": self.witness.description,
                              "evidence": self.witness.evidence(), "network": self.witness.second.to_dict()}
        return out


# -- degenerate channels ------------------------------------------------------------------------


def _offsets(net: ConvNet) -> list[int]:
    out, k = [], 0
    for L in net.layers:
        out.append(k)
        k += L.weight.size + L.bias.size
    return out


def degenerate_directions(net: ConvNet, *, every: bool = False) -> list[Direction]:
    """Directions along which the function does not change, one per degenerate channel
    (``every``: for periodic and related channels, one per pair of offsets and unit of the next
    layer they can trade, the candidates of the functional dimension).

    Every direction stays inside a stated support (it moves filter entries at support offsets
    only); a degeneracy whose direction would need an offset outside it is not listed.

    >>> from symeq.architectures.conv import from_dict
    >>> net = from_dict({"architecture": "conv", "activation": "tanh", "grid": [4], "channels": [1, 2, 1],
    ...     "support": [[1], [2]], "filters": [[[["1", "2"]], [["1", "1"]]], [[["1", "0"], ["0", "0"]]]],
    ...     "biases": [["0", "1"], ["0"]]})
    >>> [(d.kind, [k for k, x in enumerate(d.delta) if x != 0]) for d in degenerate_directions(net)]
    [('unread', [5])]
    """
    from symeq.architectures.conv.matching import ChannelMatcher, matcher

    out: list[Direction] = []
    n = net.n_params
    offs = _offsets(net)
    grid, N = net.grid, net.grid.size
    m = matcher(net, net)
    # two channels related by any translation are degenerate, a period of the support or not
    m_all = m if net.support is None else ChannelMatcher(net, net, every_translation=True)
    # the offsets a filter may use, and q + t for offsets q and translations t (grid indices)
    S = list(net.support) if net.support is not None else list(range(N))
    in_support = set(S)

    def plus(q: int, t: int) -> int:
        return int(grid.index_array(grid.positions[q] + grid.positions[t]))

    def pairs(i: int, t: int) -> list[tuple[int, int]]:
        """Offsets (q, q + t) that layer i + 1's filters may both use (positions (p, p + t) for
        a dense readout, which has no support); only the first unless ``every``."""
        if net.is_dense(i + 1):
            found = [(p, plus(p, t)) for p in range(N)]
        else:
            found = [(q, plus(q, t)) for q in S if plus(q, t) in in_support]
        return found if every else found[:1]

    def units(i: int) -> range:
        """The output units of layer i + 1 whose weights a direction moves."""
        return range(net.layers[i].shape[0] if every else 1)

    def vec(entries: dict[int, Any]) -> tuple[sympy.Expr, ...]:
        v = [sympy.Integer(0)] * n
        for k, x in entries.items():
            v[k] = v[k] + sympy.sympify(x)
        return tuple(v)

    def reader(i: int, c: int, q: int, out_unit: int = 0) -> int:
        """Index of the parameter of layer i + 1 reading channel c at offset (or position) q."""
        L = net.layers[i]
        if net.is_dense(i + 1):
            return offs[i] + out_unit * L.shape[1] + c * N + q
        return offs[i] + (out_unit * L.shape[1] + c) * N + q

    for i in range(1, net.depth):
        W, b = net.layers[i - 1].values()
        C = W.shape[0]
        for c in range(C):
            label = f"layer {i}, channel {c}"
            if net.unit_unread(i, c):
                k = offs[i - 1] + c * W.shape[1] * N + S[0]  # filter from input channel 0 at a support offset
                out.append(Direction(f"{label}: layer {i + 1} reads nothing from it, so its filters are free",
                                     vec({k: 1}), "unread", (("layer", i), ("channel", c))))
                continue
            zero_in = all(x == 0 for x in W[c].reshape(-1))
            if zero_in and N >= 2 and not m.shifting:
                # two offsets of the filters reading c: any two of the support (or positions)
                two = (0, 1) if net.is_dense(i + 1) else tuple(S[:2])
                if len(two) == 2:
                    out.append(Direction(f"{label}: its filters are zero, so its output is the constant "
                                         f"sigma(beta) and layer {i + 1} sees only the sums of the filters reading it",
                                         vec({reader(i, c, two[0]): 1, reader(i, c, two[1]): -1}), "constant",
                                         (("layer", i), ("channel", c))))
                continue
            if zero_in:
                continue
            rows = m._int_rows_of_net(i) if net.layers[i - 1].kind == "int" else None
            stab = rows.stab[c] if rows is not None else _exact_stab(net, i, c)
            # y_c(p - s) = y_c(p): moving weight from offset q to q + s changes nothing
            periods = [(s, q, qs, u) for s in stab if s != 0 for q, qs in pairs(i, s) for u in units(i)]
            for s, q, qs, u in periods if every else periods[:1]:
                out.append(Direction(f"{label}: its filters and bias are fixed by the translation "
                                     f"{grid.label(grid.position(s))}, so its output is "
                                     f"{grid.label(grid.position(s))}-periodic and layer {i + 1} sees only "
                                     f"the {grid.label(grid.position(s))}-periodization of the filters reading it",
                                     vec({reader(i, c, q, u): 1, reader(i, c, qs, u): -1}), "periodic",
                                     (("layer", i), ("channel", c), ("period", list(grid.position(s))))))
        members = m_all._classes(i, C, net.layers[i - 1])
        for js in members:
            if len(js) < 2:
                continue
            c, d = js[0], js[1]
            if net.unit_unread(i, c) or net.unit_unread(i, d):
                continue
            opts, _ = (m_all._pair_options_int(m_all._int_rows_of_net(i), d, m_all._int_rows_of_net(i), c)
                       if net.layers[i - 1].kind == "int" else
                       m_all._pair_options_exact(net.layers[i - 1].as_exact(), d, net.layers[i - 1].as_exact(), c))
            # y_d(p) = b y_c(p - t) + e: weight at offset q reading d is b times weight at offset
            # q + t reading c (plus e * sum); a dense readout's column (d, p) is b times (c, p - t)
            found = [(rel, t, q, qt, u) for rel, t in opts
                     for q, qt in pairs(i, t if not net.is_dense(i + 1) else int(grid.index(grid.neg(grid.position(t)))))
                     for u in units(i)]
            for rel, t, q, qt, u in found if every else found[:1]:
                entries: dict[int, Any] = {reader(i, d, q, u): 1}
                entries[reader(i, c, qt, u)] = -rel.b
                if rel.e != 0:
                    entries[offs[i] + net.layers[i].weight.size + u] = -rel.e
                out.append(Direction(f"layer {i}, channels {c} and {d}: channel {d}'s filters and bias are "
                                     f"channel {c}'s moved by a relation of {net.activation.spec} and the "
                                     f"translation {grid.label(grid.position(t))}, so layer {i + 1} sees only a "
                                     f"combination of the filters reading them", vec(entries), "related",
                                     (("layer", i), ("channels", [c, d]), ("relation", rel.as_strings()),
                                      ("translation", list(grid.position(t)))),
                                     # the reduction merges only by a period of the support (the
                                     # merged filters must stay in it)
                                     rel if m.allowed is None or t in m.allowed else None))
    return out


def _exact_stab(net: ConvNet, i: int, c: int) -> list[int]:
    W, b = net.layers[i - 1].values()
    row = W[c]
    out = []
    for t in range(net.grid.size):
        moved = row[:, net.grid.shift_table(net.grid.position(t))]
        if all(sympy.simplify(x - y) == 0 for x, y in zip(row.reshape(-1), moved.reshape(-1))):
            out.append(t)
    return out


def _not_tangent(net: ConvNet, delta: tuple[sympy.Expr, ...]) -> bool:
    tangents = net.orbit_tangents()
    if not tangents:
        return any(x != 0 for x in delta)
    M = sympy.Matrix(tangents)
    return sympy.Matrix.vstack(M, sympy.Matrix([list(delta)])).rank() > M.rank()


# -- the protocol pieces the generic identify stage asks for --------------------------------------


def conv_criterion(net: ConvNet) -> ConvCriterion:
    """The lowered MLP's criterion, transferred (see the module docstring)."""
    from symeq.identifiability.identify import identify as generic_identify

    notes = tuple(LITERATURE[k] for k in LITERATURE if net.activation.name == k)
    affine = net.activation.kind == "affine"
    if affine and (net.support is not None or net.readout == "dense"):
        # lemma C3 uses that theta is fixed by the translations of every layer: a dense readout is
        # not, and with a support K_i keeps only its periods, which the lowered MLP's k need not
        return ConvCriterion("unknown", "the identity activation: identifiability transfers from the lowered MLP "
                             "(lemma C3) only when every layer is a convolution on the whole grid", "none", (), notes)
    if net.symbols:
        return ConvCriterion("unknown", "symbolic parameters", "none", (), notes)
    if not affine and degenerate_directions(net):
        return ConvCriterion("unknown", "degenerate channels (no criterion applies)", "none", (), notes)
    if max(net.spaces()) > MAX_LOWERED:
        return ConvCriterion("unknown", f"no criterion: a layer of dimension {max(net.spaces())} is too large "
                             f"to lower to an MLP (limit {MAX_LOWERED})", "none", (), notes)
    mlp = net.to_mlp()
    widths = "-".join(map(str, mlp.widths))
    if affine:
        # C3 transfers an identifiable lowered MLP only; when its rank criterion fails, the MLP's
        # witness (dense linear algebra on the lowered layers) would not transfer either
        rank_criterion = mlp.criterion()
        if rank_criterion.verdict != "identifiable":
            return ConvCriterion("unknown", f"the lowered {widths} MLP fails {rank_criterion.criterion}, so lemma "
                                 "C3 does not apply", "none", tuple(rank_criterion.conditions), notes)
    try:
        low = generic_identify(mlp, local=False, fibers=not affine)
    except (InputError, BudgetExceeded) as exc:
        return ConvCriterion("unknown", f"lowering: {exc}", "none", (), notes)
    crit = low.criterion
    if low.verdict == "identifiable" and affine:
        return ConvCriterion("identifiable", f"lowered to a {widths} MLP: {crit.criterion}",
                             f"{crit.reference}; the transfer to convolutions: lemma C3 (docs/theory.md 7.2)",
                             tuple(crit.conditions), notes + tuple(crit.notes), crit.theorem, lowered=low)
    if low.verdict == "identifiable":
        fills = net.support is None or _fills_support(net)
        conds = tuple(crit.conditions) + ((Condition("every channel's filters fill the support", fills),)
                                         if net.support is not None else ())
        return ConvCriterion("identifiable" if fills else "unknown",
                             f"lowered to a {widths} MLP: {crit.criterion}",
                             f"{crit.reference}; the transfer from the block-circulant MLP: docs/convolutions.md",
                             conds, notes + tuple(crit.notes), crit.theorem, lowered=low)
    if low.verdict == "conjectural":
        return ConvCriterion("conjectural", f"lowered to a {widths} MLP: {crit.criterion}", crit.reference,
                             tuple(crit.conditions), notes + tuple(crit.notes), crit.theorem, lowered=low)
    return ConvCriterion("unknown", f"the lowered {widths} MLP is {low.verdict} ({low.basis}); that verdict is "
                         "about MLP parameters and does not transfer to convolutional ones", "none",
                         tuple(crit.conditions), notes, lowered=low)


def nonidentifiability_witness(net: ConvNet) -> ConvWitness | None:
    """The first degenerate channel's fiber direction that is not tangent to the K-orbit."""
    for d in degenerate_directions(net):
        if _not_tangent(net, d.delta):
            return ConvWitness(d, net)
    return None


def identifiable_evidence(criterion: Any) -> dict[str, Any] | None:
    """``{"method": "lowered", "mlp_evidence": ...}`` when the lowered MLP's verdict carries
    evidence."""
    low = getattr(criterion, "lowered", None)
    if criterion.verdict != "identifiable" or low is None:
        return None
    ev = low.identifiable_evidence()
    return None if ev is None else {"method": "lowered", "theorem": ev.get("theorem", ""), "mlp_evidence": ev}


def identify(net: ConvNet, *, local: bool = True) -> ConvIdentifyResult:
    """The generic identify stage (:func:`symeq.identifiability.identify.identify`) on ``net``."""
    from symeq.identifiability.identify import identify as generic_identify

    return ConvIdentifyResult(generic_identify(net, local=local))


def _fills_support(net: ConvNet) -> bool:
    """Every channel's filters (out of it, and into the next layer from it) use every support offset."""
    S = list(net.support or ())
    for i, L in enumerate(net.layers, start=1):
        if net.is_dense(i):
            continue
        w, _ = L.values()
        nz = np.array([[[x != 0 for x in f] for f in row] for row in w], dtype=bool)
        if not nz[:, :, S].any(axis=1).all():
            return False
        if i > 1 and not nz[:, :, S].any(axis=0).all():
            return False
    return True
