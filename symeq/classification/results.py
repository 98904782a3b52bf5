"""The result types of a classification: the types of each hidden layer, the assignments of
types to layers and their spaces, and the table (MLP theory; see :mod:`.classify`).  They live
apart so that every classification module can build them without importing another's
algorithm (the modules then import each other in one direction only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from symeq.classification.degenerate import Degeneracy
from symeq.classification.spaces import SignedPermutationAction
from symeq.groups import GroupAction
from symeq.groups.gsets import GSet
from symeq.groups.permutation import finite_group

__all__ = ["KINDS", "LayerType", "LayerTypes", "Assignment", "SmallestWidth", "Classification", "DEFAULT_TYPE_BUDGET"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Default largest number of types of one layer that are listed (they are counted exactly).
DEFAULT_TYPE_BUDGET = 20_000

#: The kinds of latent types, by what the activation's relations allow (:func:`symeq.classification.types.type_kind`).
KINDS = {
    "signed": "signed permutations: multisets of transitive signed G-sets (H, chi)",
    "permutation": "permutations (positive monomial conjugated to permutations): G-sets G/H",
    "even": "signed pre-activation lift, unsigned action on the layer: signed G-sets",
    "shift": "signed G-sets on V_i; pre-activation lifts with pi-shifted biases",
    "real": "real representations (Aff(d), conjugated to GL(d) by a translation): multisets of real "
            "irreducible representations",
}


@dataclass(frozen=True)
class LayerType:
    """One latent type of a hidden layer.

    ``pre`` is the action on the pre-activations (what W_i and b_i intertwine into), ``post``
    the action rho_i on the layer's outputs (what W_{i+1} sees); they differ only for the
    "even" kind.  ``gset`` is the (signed) G-set (helper module symeq.groups.gsets)."""

    index: int
    label: str
    pre: SignedPermutationAction
    post: SignedPermutationAction
    gset: GSet = field(compare=False, repr=False)

    def orbits(self) -> list[dict[str, object]]:
        """The transitive parts: stabilizer, sign character, size, multiplicity (plain data)."""
        out = []
        for t, m in self.gset.parts:
            out.append({"label": t.label(), "size": t.size, "multiplicity": m,
                        "stabilizer_order": t.stabilizer.order, "signed": t.is_signed})
        return out


@dataclass(frozen=True)
class LayerTypes:
    """The types of one hidden layer: ``count`` is exact; ``types`` lists them all when
    ``complete`` (else the listing passed the budget and is empty).  For kind "real" the types
    are symeq.classification.real.RealLayerType (multiplicities of real irreducibles, no matrices)."""

    layer: int
    width: int
    kind: str
    count: int
    types: tuple[LayerType, ...]
    complete: bool


@dataclass(frozen=True)
class Assignment:
    """One assignment of types to the hidden layers and what its space is like.

    ``types[i]`` is the index of the type of hidden layer i+1; ``layer_dims[i]`` the dimension
    of layer i+1's (W, b) space; ``zero_layer`` the first layer whose weights are forced to 0
    (None if none is).  ``layer_spaces`` describes each layer's space where the kind has a
    description beyond its dimension (kind "real": symeq.classification.real.RealLayerSpace, the
    Schur blocks; kind "shift", sin: symeq.classification.shift_degenerate.ShiftLayer per hidden
    layer, its lifts and bias components, with ``layer_dims`` those of the largest piece);
    empty otherwise."""

    types: tuple[int, ...]
    layer_dims: tuple[int, ...]
    zero_layer: int | None
    degeneracy: Degeneracy
    layer_spaces: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def dim(self) -> int:
        return sum(self.layer_dims)


@dataclass(frozen=True)
class SmallestWidth:
    """The smallest hidden width w (every hidden layer of width w) for which some assignment is
    non-degenerate: ``status`` "found" (with ``width`` and the ``example`` assignment and its
    types' labels), "none" (no such width up to ``searched``), or "unknown" (some width could
    not be decided or passed the budget; ``width`` is then the smallest undecided one)."""

    status: str
    width: int | None
    searched: int
    labels: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Classification:
    """The table for one architecture and group."""

    activation: str
    widths: tuple[int, ...]
    group: GroupAction
    kind: str
    layers: tuple[LayerTypes, ...]
    assignments: tuple[Assignment, ...]
    total_assignments: int
    complete: bool
    smallest: SmallestWidth | None

    @property
    def group_order(self) -> int:
        """|G|."""
        return finite_group(self.group).order

    @property
    def verdict(self) -> str:
        """``holds`` when the table is complete (every assignment decided), else ``unknown``."""
        return "holds" if self.complete else "unknown"

    @property
    def reason(self) -> str:
        """One line."""
        return (f"{self.total_assignments} assignment(s) of latent types to the hidden layers of "
                f"{self.activation}:{'-'.join(map(str, self.widths))}"
                + ("" if self.complete else "; not every assignment was decided within the budget"))

    def certificate(self) -> None:
        """None: a classification is no checkable claim (counterexamples carry its proofs)."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (:mod:`symeq.classification.export`)."""
        from symeq.classification.export import to_json

        return to_json(self, f"{self.activation}:{'-'.join(map(str, self.widths))}")
