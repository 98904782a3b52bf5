"""The claims ``symeq counterexample`` refutes, and the dispatch to their searches.

Claims (defaults for the architecture and the group in brackets):

  layerwise-reparam   some parameter of the same architecture with the same function is layerwise
                      equivariant  [relu:2-4-2, C8: the counterexample of docs/theory.md section 6]
  layerwise-at-theta  an equivariant network is layerwise equivariant at its own parameters
                      [tanh:2-3-1, S2/trivial]
  unique-latent       the latent action of an equivariant network is unique  [tanh:1-2-1, sign]
  PREDICATE           any formula over the atoms equivariant, layerwise, reduced with not, and,
                      or, -> (parentheses allowed), claimed for every network of the
                      architecture, e.g. "equivariant -> layerwise"  [relu:2-3-1, S2/trivial]

These are MLP theory (the counterexample families of docs/theory.md section 6): the architecture
spec is ``ACT:d0-d1-...-dL`` of an MLP.

>>> claim_kind("equivariant -> layerwise"), claim_kind("unique-latent")
('predicate', 'unique-latent')
>>> claim_kind("((")
Traceback (most recent call last):
...
symeq.errors.InputError: ...
"""

from __future__ import annotations

from typing import Any

from symeq.counterexamples.outcome import CLAIM_STATEMENTS, Outcome
from symeq.errors import InputError

__all__ = ["DEFAULTS", "claim_kind", "search", "counterexample"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: claim -> (default architecture, default group)
DEFAULTS = {
    "layerwise-reparam": ("relu:2-4-2", "C8"),
    "layerwise-at-theta": ("tanh:2-3-1", "S2/trivial"),
    "unique-latent": ("tanh:1-2-1", "sign"),
    "predicate": ("relu:2-3-1", "S2/trivial"),
}


def claim_kind(claim: str) -> str:
    """The named claim, or ``predicate`` for a formula that parses (InputError otherwise)."""
    claim = claim.strip()
    if claim in CLAIM_STATEMENTS:
        return claim
    from symeq.counterexamples.predicate import parse_predicate

    try:
        parse_predicate(claim)
    except InputError as exc:
        raise InputError(f"{exc} (named claims: {', '.join(CLAIM_STATEMENTS)})") from None
    return "predicate"


def search(claim: str, activation: str, widths: tuple[int, ...], group: Any, budget: int | None) -> Outcome:
    """Dispatch to the search of one claim (a named claim or a predicate)."""
    if claim == "layerwise-reparam":
        from symeq.counterexamples.reparam import refute_layerwise_reparam

        return refute_layerwise_reparam(activation, widths, group, budget or 2_000)
    if claim == "layerwise-at-theta":
        from symeq.counterexamples.at_theta import refute_layerwise_at_theta

        return refute_layerwise_at_theta(activation, widths, group, budget or 400)
    if claim == "unique-latent":
        from symeq.counterexamples.unique import refute_unique_latent

        return refute_unique_latent(activation, widths, group, budget or 400)
    from symeq.counterexamples.predicate import search_predicate

    return search_predicate(claim, activation, widths, group, budget or 300)


def counterexample(claim: str, arch: str | None = None, group: str | Any = None, *,
                   budget: int | None = None) -> Outcome:
    """Search networks of ``arch`` (``ACT:d0-...-dL``) that break ``claim`` under ``group`` (a
    catalog name, a file, or a GroupAction); defaults as in the module docstring."""
    from symeq.architectures.spec import parse_spec
    from symeq.groups import GroupAction, load_group

    claim = claim.strip()
    kind = claim_kind(claim)
    if budget is not None and budget < 1:
        raise InputError("--budget must be positive")
    spec = parse_spec(arch or DEFAULTS[kind][0], hidden=True)
    if not isinstance(group, GroupAction):
        group = load_group(group or DEFAULTS[kind][1], spec.widths[0], spec.widths[-1])
    return search(claim, spec.activation, spec.widths, group, budget)
