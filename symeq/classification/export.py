"""Plain data for a classification (what ``symeq classify --json`` prints).

>>> from symeq.groups import catalog_group
>>> from symeq.classification.classify import classify
>>> d = to_json(classify("relu", (2, 4, 2), catalog_group("C4", 2, 2)), "relu:2-4-2")
>>> d["kind"], [len(layer["types"]) for layer in d["layers"]], d["complete"]
('permutation', [4], True)
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any

from symeq.classification.results import KINDS
from symeq.exact import number_to_string
from symeq.groups.permutation import finite_group

if TYPE_CHECKING:  # pragma: no cover
    from symeq.classification.results import Classification

__all__ = ["to_json"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)


def _type_json(t: Any, names: tuple[str, ...], kind: str) -> dict[str, Any]:
    if kind == "real":  # an isomorphism class: multiplicities of real irreducibles, no matrices
        return {"index": t.index, "label": t.label, "dimension": t.width, "multiplicities": t.parts()}
    gens = {}
    for k, n in enumerate(names):
        g = {"perm": list(t.pre.perms[k]), "signs": list(t.pre.signs[k])}
        if kind == "even":
            g["output_signs"] = list(t.post.signs[k])
        gens[n] = g
    return {"index": t.index, "label": t.label, "orbits": t.orbits(), "generators": gens}


def to_json(C: Classification, arch: str) -> dict[str, Any]:
    """The --json object."""
    names = C.group.names
    out: dict[str, Any] = {
        "architecture": arch,
        "activation": C.activation,
        "widths": list(C.widths),
        "group": {"generators": list(names), "order": C.group_order,
                  "name": C.group.catalog or "file"},
        "kind": C.kind,
        "kind_description": KINDS[C.kind],
        "layers": [],
        "assignments": [],
        "total_assignments": C.total_assignments,
        "examined_assignments": len(C.assignments),
        "complete": C.complete,
    }
    if C.kind == "real":
        out.update(_real_json(C))
    for L in C.layers:
        out["layers"].append({"layer": L.layer, "width": L.width, "kind": L.kind, "count": L.count,
                              "complete": L.complete,
                              "types": [_type_json(t, names, C.kind) for t in L.types]})
    for a in C.assignments:
        out["assignments"].append({"types": list(a.types), "dimension": a.dim,
                                   "layer_dimensions": list(a.layer_dims), "zero_layer": a.zero_layer,
                                   "degeneracy": a.degeneracy.status, "reason": a.degeneracy.reason})
        if a.layer_spaces:
            out["assignments"][-1]["layers"] = [s.to_dict() for s in a.layer_spaces]
        if C.kind == "real":  # the exact witness of a non-degenerate verdict (None without one)
            out["assignments"][-1]["witness"] = _witness_json(a.degeneracy.witness)
        if C.kind == "shift":  # sin: the number of (lift, bias component) pieces; dims: the largest
            out["assignments"][-1]["pieces"] = prod(s.pieces for s in a.layer_spaces) if a.layer_spaces else None
    if C.smallest is not None:
        s = C.smallest
        out["smallest_nondegenerate_width"] = {"status": s.status, "width": s.width, "searched_up_to": s.searched,
                                               "types": list(s.labels), "reason": s.reason}
    return out


def _matrix_json(m: Any) -> list[list[str]]:
    return [[number_to_string(x) for x in row] for row in m.tolist()]


def _witness_json(witness: Any) -> list[dict[str, Any]] | None:
    """Kind "real": the witness parameter, per layer W_i and b_i as exact strings."""
    if witness is None:
        return None
    return [{"layer": i, "W": _matrix_json(W), "b": [row[0] for row in _matrix_json(b)]}
            for i, (W, b) in enumerate(witness, start=1)]


def _realization_json(r: Any, names: tuple[str, ...]) -> dict[str, Any] | None:
    """Kind "real": one irreducible's exact matrices (None: none found, Schur blocks only)."""
    if r is None:
        return None
    return {"field": r.field, "subgroup_order": r.subgroup_order, "psi": list(r.psi),
            "generators": {n: _matrix_json(m) for n, m in zip(names, r.matrices)}}


def _real_json(C: Classification) -> dict[str, Any]:
    """Kind "real": the real irreducibles (with their characters and explicit realizations)
    and V_0, V_L decomposed."""
    from symeq.groups.classes import conjugacy_classes
    from symeq.groups.real_irreps import boundary_multiplicities, real_irreducibles
    from symeq.groups.real_realization import real_realizations

    irreps = real_irreducibles(C.group)
    reals = real_realizations(C.group)
    m0, m_l = boundary_multiplicities(C.group)
    return {"classes": [c.name for c in conjugacy_classes(finite_group(C.group))],
            "real_irreducibles": [{"label": U.label, "dimension": U.dim, "algebra": U.division_algebra,
                                   "complex_characters": [f"X.{i + 1}" for i in U.complex_indices],
                                   "character": [str(v) for v in U.character],
                                   "realization": _realization_json(r, C.group.names)}
                                  for U, r in zip(irreps, reals)],
            "boundary_multiplicities": {"input": dict(zip((U.label for U in irreps), m0)),
                                        "output": dict(zip((U.label for U in irreps), m_l))}}


