"""``symeq identify`` for convolutional networks (docs/theory.md#3-identifiability and #72-circular-convolutions).

theta is identifiable when every theta' of the same architecture with the same function is
k . theta for exactly one k in K = K_1 x ... x K_{L-1} (channel permutations with relations and
translations).  Decided in this order:

1. **Degenerate channels** (exact, structural): a channel of hidden layer i that nobody reads,
   a channel with zero filters (its output is constant), a channel whose row of filters and
   bias is fixed by a nonzero translation (its output is periodic), two channels related by a
   relation and a translation (their outputs are affine images of each other).  Each gives a
   direction delta in parameter space with f(theta + e delta) = f(theta) for every e (the
   next layer sees only sums, periodizations or combinations of what delta changes); when
   delta is not tangent to the K-orbit, the fiber is larger than the orbit: *not identifiable*,
   with the second parameter theta + delta as witness.
2. **Lowering** (small networks): the same function is an MLP with block-circulant weights;
   its identifiability verdict (:func:`symeq.identifiability.identify.identify`: Sussmann,
   Vlacic-Bolcskei, exact fibers, ...) transfers.  If the lowered MLP is identifiable, its
   hidden neurons have nonzero, pairwise unrelated rows, and a k in the MLP's K_i relating two
   block-circulant layers with such rows moves whole channels by one translation and one
   relation each: it lies in the convolutional K_i (and keeps the support when every channel's
   filters fill it).  So theta is identifiable.  The MLP's other verdicts are reported as
   what they say about the lowered network; they do not transfer (an MLP witness need not be
   convolutional).
3. **Local**: the functional dimension in the convolutional parameters
   (:mod:`symeq.symmetry.functional_dimension` on :mod:`.jacobians`) equal to #params - dim(K-orbit)
   -> *locally identifiable*.

The literature on polynomial CNNs (docs/theory.md#72-circular-convolutions) is reported with its hypotheses; its
statements are generic (almost every parameter), so no verdict about this theta rests on them.

>>> from symeq.architectures.conv import from_dict
>>> table = {"architecture": "conv", "activation": "tanh", "grid": [6], "channels": [1, 1, 1],
...     "filters": [[[["1", "1", "0", "2", "2", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]],
...     "biases": [["0"], ["0"]]}
>>> r = identify(from_dict(table), local=False)
>>> r.verdict, r.basis
('identifiable', 'lowered to a 6-6-6 MLP: Sussmann irreducibility (one hidden tanh layer)')
>>> periodic = dict(table, filters=[[[["1", "0", "1", "0", "1", "0"]]], [[["3", "0", "1", "1", "0", "3"]]]])
>>> r = identify(from_dict(periodic), local=False)
>>> r.verdict, r.degeneracies[0]
('not identifiable', 'layer 1, channel 0: its filters and bias are fixed by the translation 2, so its output is 2-periodic and layer 2 sees only the 2-periodization of the filters reading it')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symeq.architectures.conv.model import MAX_LOWERED, ConvNet
from symeq.errors import BudgetExceeded, InputError
from symeq.verdict import Verdict

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

    def to_dict(self) -> dict[str, Any]:
        """The certificate's description of the degeneracy (exact strings)."""
        from symeq.exact import exact_string

        return {"kind": self.kind, **{k: v for k, v in self.data},
                "direction": [exact_string(x) for x in self.delta]}


@dataclass(frozen=True)
class ConvIdentifyResult:
    """The verdict with its evidence (see the module docstring)."""

    verdict: str
    basis: str
    network: ConvNet
    degeneracies: tuple[str, ...] = ()
    witness: ConvNet | None = None
    direction: Direction | None = None
    lowered: Any = None
    local: Any = None
    literature: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 identifiable, 1 not identifiable, 3 otherwise."""
        return Verdict(self.verdict).exit_code

    @property
    def reason(self) -> str:
        """The basis (the Result protocol's reason)."""
        return self.basis

    def certificate(self) -> dict[str, Any] | None:
        """The kernel's certificate: ``identifiable`` through the lowered MLP's evidence, or
        ``not_identifiable`` with the fiber direction; None for the other verdicts."""
        from symeq.architectures.conv.certificate import identify_certificate

        return identify_certificate(self)

    def lines(self) -> list[str]:
        """The text report of ``symeq identify``."""
        out = [f"verdict: {self.verdict}", f"basis: {self.basis}"]
        out.extend(f"degenerate: {d}" for d in self.degeneracies)
        if self.witness is not None and self.direction is not None:
            changed = [k for k, x in enumerate(self.direction.delta) if x != 0]
            out.append(f"witness: theta + delta, delta nonzero at parameter(s) {changed} "
                       "(the same function, outside the K-orbit)")
        if self.lowered is not None:
            out.append(f"lowered MLP: {self.lowered.verdict} ({self.lowered.criterion.criterion})")
            for c in self.lowered.criterion.conditions:
                out.append(f"  [{'holds' if c.holds else 'fails'}] {c.text}")
        if self.local is not None:
            d = self.local
            out.append(f"functional dimension: {d.rank if d.rank is not None else f'at least {d.lower}'} of at most "
                       f"{d.upper} (#params {d.n_params}, dim(K-orbit) {d.orbit_dim}; {d.status})")
        out.extend(f"literature: {x}" for x in self.literature)
        out.extend(f"note: {n}" for n in self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        out: dict[str, Any] = {"verdict": self.verdict, "basis": self.basis, "architecture": "conv",
                               "degeneracies": list(self.degeneracies), "literature": list(self.literature),
                               "notes": list(self.notes)}
        if self.witness is not None:
            out["witness"] = {"network": self.witness.to_dict(),
                              "reason": self.direction.reason if self.direction else ""}
        if self.lowered is not None:
            out["lowered"] = {"verdict": self.lowered.verdict, "basis": self.lowered.basis,
                              "conditions": [{"holds": c.holds, "text": c.text}
                                             for c in self.lowered.criterion.conditions]}
        if self.local is not None:
            out["local"] = self.local.to_dict()
        return out


# -- degenerate channels ------------------------------------------------------------------------


def _offsets(net: ConvNet) -> list[int]:
    out, k = [], 0
    for L in net.layers:
        out.append(k)
        k += L.weights.size + L.bias.size
    return out


def degenerate_directions(net: ConvNet) -> list[Direction]:
    """Directions along which the function does not change, one per degenerate channel."""
    from symeq.architectures.conv.matching import matcher

    out: list[Direction] = []
    n = net.n_params
    offs = _offsets(net)
    grid, N = net.grid, net.grid.size
    m = matcher(net, net)

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
                k = offs[i - 1] + c * W.shape[1] * N  # filter from input channel 0 at offset 0
                out.append(Direction(f"{label}: layer {i + 1} reads nothing from it, so its filters are free",
                                     vec({k: 1}), "unread", (("layer", i), ("channel", c))))
                continue
            zero_in = all(x == 0 for x in W[c].reshape(-1))
            if zero_in and N >= 2 and not m.shifting:
                out.append(Direction(f"{label}: its filters are zero, so its output is the constant "
                                     f"sigma(beta) and layer {i + 1} sees only the sums of the filters reading it",
                                     vec({reader(i, c, 0): 1, reader(i, c, 1): -1}), "constant",
                                     (("layer", i), ("channel", c))))
                continue
            if zero_in:
                continue
            rows = m._int_rows_of_net(i) if net.layers[i - 1].kind == "int" else None
            stab = rows.stab[c] if rows is not None else _exact_stab(net, i, c)
            stab = [s for s in stab if s != 0]
            if stab:
                s = stab[0]
                out.append(Direction(f"{label}: its filters and bias are fixed by the translation "
                                     f"{grid.label(grid.position(s))}, so its output is "
                                     f"{grid.label(grid.position(s))}-periodic and layer {i + 1} sees only "
                                     f"the {grid.label(grid.position(s))}-periodization of the filters reading it",
                                     vec({reader(i, c, 0): 1, reader(i, c, s): -1}), "periodic",
                                     (("layer", i), ("channel", c), ("period", list(grid.position(s))))))
        members = m._classes(i, C, net.layers[i - 1])
        for js in members:
            if len(js) < 2:
                continue
            c, d = js[0], js[1]
            if net.unit_unread(i, c) or net.unit_unread(i, d):
                continue
            opts, _ = (m._pair_options_int(m._int_rows_of_net(i), d, m._int_rows_of_net(i), c)
                       if net.layers[i - 1].kind == "int" else
                       m._pair_options_exact(net.layers[i - 1].as_exact(), d, net.layers[i - 1].as_exact(), c))
            if not opts:
                continue
            rel, t = opts[0]
            # y_d(p) = b y_c(p - t) + e: a filter reading d equals b T_t of one reading c (plus e * sum)
            entries: dict[int, Any] = {reader(i, d, 0): 1}
            if net.is_dense(i + 1):
                entries[reader(i, c, int(grid.index_array(grid.positions[0] - grid.positions[t])))] = -rel.b
            else:
                entries[reader(i, c, t)] = -rel.b
            if rel.e != 0:
                entries[offs[i] + net.layers[i].weights.size] = -rel.e
            out.append(Direction(f"layer {i}, channels {c} and {d}: channel {d}'s filters and bias are "
                                 f"channel {c}'s moved by a relation of {net.activation.spec} and the "
                                 f"translation {grid.label(grid.position(t))}, so layer {i + 1} sees only a "
                                 f"combination of the filters reading them", vec(entries), "related",
                                 (("layer", i), ("channels", [c, d]), ("relation", rel.as_strings()),
                                  ("translation", list(grid.position(t))))))
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


# -- the verb -----------------------------------------------------------------------------------


def identify(net: ConvNet, *, local: bool = True) -> ConvIdentifyResult:
    """The identifiability verdict (see the module docstring)."""
    notes: list[str] = []
    lit = tuple(v for k, v in LITERATURE.items() if net.activation.name == k)
    dirs = degenerate_directions(net)
    degeneracies = tuple(d.reason for d in dirs)
    for d in dirs:
        if _not_tangent(net, d.delta):
            witness = net.with_parameters([x + y for x, y in zip(net.parameters(), d.delta)])
            return ConvIdentifyResult("not identifiable", f"{d.reason}: theta + e delta has the same function "
                                      "for every e, and delta is not tangent to the K-orbit", net, degeneracies,
                                      witness, d, literature=lit)
    if net.activation.kind == "affine":
        notes.append("the identity activation's K_i (invertible convolutions) is not implemented for "
                     "convolutional networks")
    lowered = None
    if max(net.spaces()) <= MAX_LOWERED and net.activation.kind != "affine":
        from symeq.identifiability.identify import identify as mlp_identify

        try:
            mlp = net.to_mlp()
            lowered = mlp_identify(mlp, local=False)
        except (InputError, BudgetExceeded) as exc:
            notes.append(f"lowering: {exc}")
        if lowered is not None:
            widths = "-".join(map(str, mlp.widths))
            if lowered.verdict == "identifiable":
                if net.support is not None and not _fills_support(net):
                    notes.append("the lowered MLP is identifiable, but some channel's filters do not fill the "
                                 "support, so a translation outside the support's periods could relate two "
                                 "parameters")
                else:
                    return ConvIdentifyResult("identifiable", f"lowered to a {widths} MLP: "
                                              f"{lowered.criterion.criterion if lowered.criterion.verdict == 'identifiable' else lowered.basis}",
                                              net, degeneracies, lowered=lowered, literature=lit, notes=tuple(notes))
            else:
                notes.append(f"the lowered {widths} MLP is {lowered.verdict} ({lowered.basis}); that verdict is "
                             "about MLP parameters and does not transfer to convolutional ones")
    loc = None
    if local and not net.symbols:
        from symeq.symmetry.functional_dimension import functional_dimension

        try:
            loc = functional_dimension(net)
        except (InputError, BudgetExceeded) as exc:
            notes.append(f"functional dimension: {exc}")
        if loc is not None and loc.locally_identifiable:
            return ConvIdentifyResult("locally identifiable", f"functional dimension {loc.rank} = #params - "
                                      f"dim(K-orbit) = {loc.n_params} - {loc.orbit_dim} ({loc.method})", net,
                                      degeneracies, lowered=lowered, local=loc, literature=lit, notes=tuple(notes))
    if net.activation.name in ("relu", "leaky_relu") and lowered is not None and lowered.verdict == "conjectural":
        return ConvIdentifyResult("conjectural", f"the lowered MLP is conjectural ({lowered.basis})", net,
                                  degeneracies, lowered=lowered, local=loc, literature=lit, notes=tuple(notes))
    return ConvIdentifyResult("unknown", "no criterion decided: " + ("; ".join(notes) or "no method applies"), net,
                              degeneracies, lowered=lowered, local=loc, literature=lit, notes=tuple(notes))


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
