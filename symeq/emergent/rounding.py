"""Rounding a nearly equivariant network to an exactly equivariant one, for the exact engine.

Given the fitted latent actions k_i(g) of every generator (:mod:`~symeq.emergent.measure`):

1. **snap** each fitted action to an exact signed permutation with integer shifts: its
   permutation, the signs of its scales, its 0/1 shifts (sigmoid); magnitudes are dropped,
   which is right after the architecture's ``canonical_scaling`` (relu: unit incoming rows);
   rho_0(g) and rho_L(g) must be signed permutation matrices (mirrors, shifts, S_n, sign);
2. **close**: the tuples h(g) = (rho_0(g), k_1(g), ..., k_{L-1}(g), rho_L(g)) generate a finite
   group H (equal to G when the fitted actions satisfy G's relations; larger otherwise, and
   then averaging over H is still exactly equivariant, only more neurons may be forced to 0);
3. **rationalize** the parameters to integers over 10^digits and **average** over H exactly:
   theta_sym = (1/|H|) sum_h h . theta, where h . theta has layers k_i^{-1} o f_i o k_{i-1}
   (the architecture's ``conjugate``, exact on integers).  The average is fixed by every h, so
   every layer equation f_i(k_{i-1}(g) y) = k_i(g) f_i(y) holds exactly and the network is
   exactly G-equivariant;
4. report how far the **function moved**: the largest and the median |f_sym(x) - f(x)| over
   held-out inputs (and relative to |f(x)|).

The rounded network is an exact ``[network]`` table; the exact ``symeq check`` and ``symeq
latent`` prove it (nothing here claims that: floats never verify).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symeq.emergent.actions import MonomialMap
from symeq.emergent.measure import EmergentReport, FloatGroup, relative_errors, sample_inputs
from symeq.emergent.protocol import approximate_architecture
from symeq.errors import InputError

__all__ = ["SignedPerm", "RoundedNetwork", "round_network", "close", "MAX_DIGITS", "MAX_ORDER"]

MAX_DIGITS = 12
#: Largest group H that is averaged over.
MAX_ORDER = 10_000


@dataclass(frozen=True)
class SignedPerm:
    """An exact monomial map with scales +-1 and integer shifts: (k v)[perm[j]] = scale[j] v[j] + shift[j].

    >>> a = SignedPerm(np.array([1, 0]), np.array([1, -1]), np.array([0, 1]))
    >>> b = a.compose(a)
    >>> b.perm.tolist(), b.scale.tolist(), b.shift.tolist()
    ([0, 1], [-1, -1], [1, 1])
    """

    perm: np.ndarray
    scale: np.ndarray
    shift: np.ndarray

    def compose(self, other: "SignedPerm") -> "SignedPerm":
        """self o other: (self o other)(v) = self(other(v))."""
        s = self.scale[other.perm]
        return SignedPerm(self.perm[other.perm], s * other.scale, s * other.shift + self.shift[other.perm])

    def key(self) -> bytes:
        return self.perm.tobytes() + self.scale.tobytes() + self.shift.tobytes()

    @staticmethod
    def snap(k: MonomialMap) -> "SignedPerm":
        """The permutation, signs and rounded shifts of a fitted monomial map."""
        shift = np.rint(k.shift).astype(np.int64)
        return SignedPerm(k.perm.astype(np.int64), np.where(k.scale < 0, -1, 1).astype(np.int64), shift)

    @staticmethod
    def from_matrix(perm: np.ndarray, sign: np.ndarray) -> "SignedPerm":
        """The map of a signed permutation matrix with M[perm[j], j] = sign[j]."""
        return SignedPerm(perm.astype(np.int64), sign.astype(np.int64), np.zeros(len(perm), dtype=np.int64))


Element = tuple[SignedPerm, ...]


def _compose(h: Element, g: Element) -> Element:
    return tuple(a.compose(b) for a, b in zip(h, g))


def _key(h: Element) -> bytes:
    return b"|".join(k.key() for k in h)


def close(generators: list[Element], limit: int = MAX_ORDER) -> list[Element]:
    """Every element of the group the tuples generate (breadth first), identity first.

    >>> s = (SignedPerm(np.array([1, 0]), np.array([1, 1]), np.array([0, 0])),)
    >>> len(close([s]))
    2
    """
    dims = [len(k.perm) for k in generators[0]]
    identity = tuple(SignedPerm(np.arange(d), np.ones(d, dtype=np.int64), np.zeros(d, dtype=np.int64))
                     for d in dims)
    seen = {_key(identity): identity}
    frontier = [identity]
    while frontier:
        nxt = []
        for h in frontier:
            for g in generators:
                e = _compose(h, g)
                k = _key(e)
                if k not in seen:
                    if len(seen) >= limit:
                        raise InputError(f"the fitted actions generate a group of more than {limit} elements; "
                                         "rounding averages over it and stops here")
                    seen[k] = e
                    nxt.append(e)
        frontier = nxt
    return list(seen.values())


@dataclass(frozen=True)
class RoundedNetwork:
    """The exact network table and how far the function moved.

    ``network`` is the ``[network]`` table and ``group`` the ``[group]`` table of the file;
    ``order`` is |H| and ``group_order`` |G|; ``max_change`` and ``median_change`` are max and
    median of |f_sym(x) - f(x)| over ``held_out`` inputs, ``median_relative_change`` the median
    of |f_sym(x) - f(x)| / |f(x)|; ``notes`` say what was snapped; ``model`` is the rounded
    network in floats and ``numerators`` its integer parameters over ``denominator``
    (:meth:`exact` builds the exact network).
    """

    network: dict[str, Any]
    group: dict[str, Any]
    denominator: int
    order: int
    group_order: int
    max_change: float
    median_change: float
    median_relative_change: float
    held_out: int
    notes: tuple[str, ...]
    model: Any
    numerators: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] = ((), ())

    def exact(self) -> Any:
        """The exact network (symeq.architectures.mlp.MLP for an MLP), without parsing the table."""
        arch = approximate_architecture(self.model)
        return arch.exact_model(self.network["activation"], list(self.numerators[0]), list(self.numerators[1]),
                                self.denominator)

    def document(self) -> dict[str, Any]:
        return {"network": self.network, "group": self.group}

    def to_dict(self) -> dict[str, Any]:
        return {"denominator": self.denominator, "averaged_over": self.order,
                "max_output_change": self.max_change, "median_output_change": self.median_change,
                "median_relative_output_change": self.median_relative_change, "held_out_inputs": self.held_out,
                "notes": list(self.notes)}


def round_network(model: Any, group: FloatGroup, report: EmergentReport, *, digits: int = 4,
                  held_out: int = 10_000, seed: int = 0, scale: float = 1.0,
                  data: np.ndarray | None = None) -> RoundedNetwork:
    """Symmetrize ``model`` with the fitted actions of ``report``, rationalize, and measure the move.

    ``model`` must be the model ``report`` was measured on.
    """
    if not 0 <= digits <= MAX_DIGITS:
        raise InputError(f"digits must be from 0 to {MAX_DIGITS}")
    arch = approximate_architecture(model)
    notes: list[str] = []
    base = arch.canonical_scaling(model)
    if base is not model:
        notes.append("hidden neurons rescaled to unit incoming rows first (the same function)")
    gens: list[Element] = []
    for n, name in enumerate(group.names):
        if not group.signed or group.signed[n] is None:
            raise InputError(f"rounding needs signed-permutation group matrices (mirrors, shifts, S_n, sign); "
                             f"generator {name} of {group.name} is not one")
        (p0, s0), (pL, sL) = group.signed[n]
        hidden = []
        for i, k in enumerate(report.actions(name), start=1):
            if not isinstance(k, MonomialMap):
                raise InputError(f"rounding needs monomial latent actions; layer {i} has K_i = "
                                 f"{report.latent_group}")
            if not k.is_signed_permutation(1e-9) and base is model:
                notes.append(f"generator {name}, layer {i}: fitted scales dropped (snapped to +-1)")
            hidden.append(SignedPerm.snap(k))
        gens.append((SignedPerm.from_matrix(p0, s0), *hidden, SignedPerm.from_matrix(pL, sL)))
    H = close(gens)
    q = 10 ** digits
    bound = 2**62 // (len(H) * max(base.widths) * 2)
    nums_w, nums_b = [], []
    for w, b in zip(*arch.parameter_arrays(base)):
        if max(np.abs(w).max(), np.abs(b).max()) * q >= bound:
            raise InputError(f"parameters too large for exact averaging at {digits} digits; use fewer")
        nums_w.append(np.rint(w * q).astype(np.int64))
        nums_b.append(np.rint(b * q).astype(np.int64))
    sum_w = [np.zeros_like(w) for w in nums_w]
    sum_b = [np.zeros_like(b) for b in nums_b]
    for h in H:
        cw, cb = arch.conjugate(nums_w, nums_b, list(h))
        for i in range(len(sum_w)):
            sum_w[i] += cw[i]
            sum_b[i] += cb[i]
    denominator = q * len(H)
    network = arch.exact_table(base.activation, sum_w, sum_b, denominator)
    rounded = base.with_layers(tuple(w / denominator for w in sum_w), tuple(b / denominator for b in sum_b))
    X = sample_inputs(base.widths[0], held_out, seed + 2, scale, data)
    f, fr = model.forward(X), rounded.forward(X)
    change = np.linalg.norm(fr - f, axis=1)
    rel, _ = relative_errors(fr - f, f)
    order_g = len(close([(h[0], h[-1]) for h in gens]))
    if len(H) != order_g:
        notes.append(f"the fitted actions do not satisfy G's relations: with rho_0 and rho_L they generate a "
                     f"group H of order {len(H)} (G has order {order_g}); averaged over H, which forces more "
                     "parameters to agree")
    return RoundedNetwork(network, dict(group.table), denominator, len(H), order_g, float(change.max()),
                          float(np.median(change)), float(np.median(rel)) if rel.size else float("nan"),
                          held_out, tuple(notes), rounded, (tuple(sum_w), tuple(sum_b)))
