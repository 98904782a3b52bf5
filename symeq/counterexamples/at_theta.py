"""Refuting "layerwise-at-theta": duplicates with an uneven split (docs/theory.md section 6).

The claim: every G-equivariant network is layerwise equivariant at its own parameters.  The
counterexample: take a layerwise-equivariant, non-degenerate seed with one neuron fewer in some
hidden layer (a parameter of a classified space of latent types), duplicate a neuron that G
moves, and split its outgoing column unevenly between the copies.  The function is unchanged,
so the network is still equivariant, but the copies are no longer interchangeable: no latent
map k(g) matches every layer.

Search: seeds are drawn from the spaces of every non-degenerate assignment of types, with
integer coefficients; exhaustively over small coefficient vectors first, then by hypothesis,
which shrinks toward small integers.  Each hit is confirmed by the engine (``symeq check`` on
the seed, and a definitive failure of layerwise matching on the network).  The certificate
proves equivariance through the reduction (one "merge" rewrite step back to the seed, whose
layerwise evidence the core checker verifies) and the absence of a latent action by
exhaustive matching in the checker.

>>> from symeq.groups import catalog_group
>>> out = refute_layerwise_at_theta("tanh", (2, 3, 1), catalog_group("S2", 2, 1, output="trivial"))
>>> out.verdict, out.network.widths
('refuted', (2, 3, 1))
>>> from symeq.certify.verify import verify_certificate
>>> verify_certificate(out.certificate()).ok
True
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import product
from typing import Any

import sympy
from hypothesis import strategies as st

from symeq.classification.classify import assignment_space, classify
from symeq.classification.spaces import NetworkSpace
from symeq.classification.types import type_kind
from symeq.counterexamples.constructions import duplicate_split, space_network
from symeq.counterexamples.outcome import Outcome, counterexample_certificate
from symeq.counterexamples.search import run_search
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.architectures.mlp.equivariance import match_layerwise
from symeq.errors import InputError
from symeq.groups import GroupAction
from symeq.architectures.mlp.degenerate import find_degenerate
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["refute_layerwise_at_theta", "duplicate_seeds", "SHARES", "CHECKABLE"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Fractions of the outgoing column given to the copy.
SHARES = (sympy.Rational(1, 2), sympy.Rational(1, 3), sympy.Rational(2, 3), sympy.Rational(1, 4))
#: Activations whose exhaustive matching the checker verifies.
CHECKABLE = ("relu", "leaky_relu", "tanh", "gelu", "softplus", "swish")


@dataclass(frozen=True)
class Seed:
    """A space of layerwise-equivariant parameters with one neuron fewer in hidden ``layer``."""

    layer: int
    space: NetworkSpace


def duplicate_seeds(activation: str, widths: tuple[int, ...], group: GroupAction, budget: int) -> list[Seed]:
    """For each hidden layer of width >= 2, the spaces of the non-degenerate assignments of the
    architecture with that layer one neuron narrower (seeds for a duplicated neuron), among the
    first ``budget`` assignments of each classification."""
    return _seed_search(activation, widths, group, budget)[0]


def _seed_search(activation: str, widths: tuple[int, ...], group: GroupAction,
                 budget: int) -> tuple[list[Seed], bool]:
    """(the seeds, whether every classification behind them examined all its assignments)."""
    out, complete = [], True
    for i in range(1, len(widths) - 1):
        if widths[i] < 2:
            continue
        smaller = widths[:i] + (widths[i] - 1,) + widths[i + 1:]
        C = classify(activation, smaller, group, budget=budget, smallest=False)
        complete = complete and C.complete
        for a in C.assignments:
            if a.degeneracy.status == "non-degenerate":
                chosen = tuple(C.layers[k].types[t] for k, t in enumerate(a.types))
                out.append(Seed(i, assignment_space(activation, group, chosen)))
    return out, complete


def _evidence(net: MLP, seed: MLP, layer: int, neuron: int, seed_check: Any, generator: str) -> dict[str, Any]:
    copy = net.widths[layer] - 1
    steps = [{"op": "merge", "layer": layer, "keep": neuron, "neuron": copy,
              "relation": {"a": "1", "c": "0", "b": "1", "e": "0"}}]
    return {"method": "exhaustive_matching", "generator": generator,
            "equivariance": {"method": "via_reduction", "reduced": network_to_dict(seed), "steps": steps,
                             "reduced_equivariance": seed_check.evidence()}}


def refute_layerwise_at_theta(activation: str, widths: tuple[int, ...], group: GroupAction,
                              budget: int = 400) -> Outcome:
    """Search a refutation of "layerwise-at-theta" for this architecture and group."""
    start = time.perf_counter()
    claim = "layerwise-at-theta"
    if type_kind(activation) == "real":
        raise InputError("layerwise-at-theta: the duplicate-neuron construction needs latent actions given by matrices; "
                         "the identity activation's latent types are isomorphism classes of real representations "
                         "(symeq classify, kind real), for which this search is not implemented")
    seeds, complete = _seed_search(activation, widths, group, budget)
    if not seeds and not complete:
        return Outcome(claim, "unknown", f"no non-degenerate layerwise-equivariant seed with one neuron fewer "
                       f"among the first {budget} assignments of latent types (budget); the others were not "
                       "examined")
    if not seeds:
        return Outcome(claim, "not refuted", "no hidden layer has a non-degenerate layerwise-equivariant seed "
                       "with one neuron fewer, so the duplicate construction does not apply")

    def test(cand: tuple[int, tuple[int, ...], int, int]) -> tuple[MLP, MLP, int, int, Any, str] | None:
        s, coeffs, j, share = cand
        seed = seeds[s % len(seeds)]
        coeffs = tuple(coeffs[k % len(coeffs)] if coeffs else 1 for k in range(seed.space.dim))
        base = space_network(activation, seed.space, coeffs)
        if find_degenerate(base):
            return None
        j %= base.widths[seed.layer]
        net = duplicate_split(base, seed.layer, j, SHARES[share % len(SHARES)])
        m = match_layerwise(net, group)
        if m.found or m.failure is None or not m.failure.definitive:
            return None
        check = check_equivariance(base, group)
        if check.verdict != "holds":
            return None
        return net, base, seed.layer, j, check, m.failure.generator

    def small():
        for s in range(len(seeds)):
            dim = seeds[s].space.dim
            vectors = [(1,) * dim] + [c for c in product((1, -1, 2), repeat=dim) if any(c)][:40]
            for coeffs in vectors:
                for j in range(seeds[s].space.widths[seeds[s].layer]):
                    for share in range(2):
                        yield (s, coeffs, j, share)

    strategy = st.tuples(st.integers(0, len(seeds) - 1), st.lists(st.integers(-3, 3), min_size=1, max_size=12)
                         .map(tuple), st.integers(0, 8), st.integers(0, len(SHARES) - 1))
    hit, tried = run_search(test, small(), strategy, budget)
    if hit is None:
        return Outcome(claim, "not refuted", f"no duplicate-with-uneven-split network among {tried} candidates "
                       "lost its layerwise action", tried=tried)
    net, base, layer, j, check, generator = hit
    msg = (f"refuted: neuron {j + 1} of hidden layer {layer} of a layerwise-equivariant network was duplicated "
           f"and its outgoing weights split unevenly; the function (hence equivariance) is unchanged, but no "
           f"latent action exists at these parameters (generator {generator})")
    cert = None
    if activation.split(":")[0] in CHECKABLE:
        cert = counterexample_certificate(net, group, claim, _evidence(net, base, layer, j, check, generator),
                                          seconds=time.perf_counter() - start)
    else:
        msg += " (the checker does not verify exhaustive matching for this activation: no certificate)"
    return Outcome(claim, "refuted", msg, net, cert, {"seed": network_to_dict(base), "duplicated": [layer, j]},
                   tried)
