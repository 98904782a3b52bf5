"""The theorem's construction (docs/theory.md section 5), for every architecture.

For each generator g of G:

1. theta^g = ``net.twist(group, g)``; when f is equivariant, f( . ; theta^g) = f( . ; theta) (the
   adjunction, docs/theory.md sections 4 and 7.0).
2. k(g) in K with f_i( . ; theta^g_i) = k_i(g) o f_i( . ; theta_i) o k_{i-1}(g)^{-1}, read layer
   by layer: ``net.solve_layer(i, k_{i-1}(g), theta^g)`` lists every candidate k_i(g), and the
   last layer (i = L) must close.

This module runs step 2 on the :class:`~symeq.architectures.base.Architecture` protocol only: a
depth-first search through the layers, exhaustive, so "no solution" is a proof that no
layerwise action exists at theta (unless an architecture says a layer's list was not complete,
or the budget ran out).  The same search with theta^g replaced by theta lists the stabilizer
(:mod:`symeq.construction.stabilizer`).

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> c = construct(net, catalog_group("S2", 2, 1, output="trivial"))
>>> c.found, c.action("t")[0].perm
(True, (1, 0))
>>> bad = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "2"]]], "biases": [["0", "0"], ["0"]]})
>>> print(construct(bad, catalog_group("S2", 2, 1, output="trivial")).failure.message)
generator t: the output layer does not close: row 0 of W_2 k_1 differs from rho_L(t) W_2 (or the bias)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from symeq.architectures.base import DEFAULT_BUDGET, Budget, LayerFailure, LayerSolutions, NotEnumerable
from symeq.errors import BudgetExceeded, InputError

__all__ = ["Budget", "LayerFailure", "LayerSolutions", "NotEnumerable", "LatentActions", "Construction",
           "layerwise_solutions", "construct", "DEFAULT_BUDGET"]

@dataclass(frozen=True)
class LatentActions:
    """rho_i(g) for every named generator g and hidden layer i = 1..L-1.

    ``maps[k][i - 1]`` is the latent element k_i(g_k) for the generator ``names[k]``.
    """

    names: tuple[str, ...]
    maps: tuple[tuple[Any, ...], ...]

    def generator(self, name: str) -> tuple[Any, ...]:
        """(rho_1(g), ..., rho_{L-1}(g)) for the generator called ``name``."""
        try:
            return self.maps[self.names.index(name)]
        except ValueError:
            raise InputError(f"unknown generator {name!r}") from None

    def layer(self, i: int) -> dict[str, Any]:
        """{generator: rho_i(generator)} for hidden layer i (1-based)."""
        return {n: m[i - 1] for n, m in zip(self.names, self.maps)}

    @property
    def hidden_layers(self) -> int:
        """L - 1."""
        return len(self.maps[0]) if self.maps else 0

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The ``actions`` object of the certificate's layerwise evidence."""
        return {n: [k.to_dict() for k in m] for n, m in zip(self.names, self.maps)}

    @staticmethod
    def from_dict(d: object, names: tuple[str, ...], groups: tuple[Any, ...]) -> "LatentActions":
        """Read the ``actions`` object back, checking generators; ``groups`` are the latent
        groups K_1..K_{L-1} that read each element."""
        if not isinstance(d, dict) or set(d) != set(names):
            raise InputError(f"actions must name exactly the generators {', '.join(names)}")
        maps = []
        for n in names:
            layers = d[n]
            if not isinstance(layers, list) or len(layers) != len(groups):
                raise InputError(f"generator {n}: expected {len(groups)} latent maps")
            maps.append(tuple(K.from_evidence(x) for x, K in zip(layers, groups)))
        return LatentActions(names, tuple(maps))


@dataclass(frozen=True)
class Construction:
    """The result of step 2 for every generator.

    ``actions`` is None when some generator has no layerwise action at theta; then ``failure``
    says at which generator and layer the search broke (``failed_generator`` and ``reason``
    repeat its generator and message).  ``unique`` is True / False / None (undecided here; see
    :mod:`symeq.construction.stabilizer`); ``solution_dimension`` is the dimension of a continuum of
    solutions; ``free_scales`` lists (layer, unit) pairs whose scale no layer fixes.
    """

    network: Any
    group: Any
    kind: str
    method: str
    actions: LatentActions | None
    failed_generator: str | None = None
    reason: str = ""
    unique: bool | None = None
    solution_dimension: int = 0
    free_scales: tuple[tuple[int, int], ...] = ()
    failure: LayerFailure | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def found(self) -> bool:
        """True when every generator has layerwise actions."""
        return self.actions is not None

    @property
    def generators(self) -> tuple[str, ...]:
        """The generator names of the group."""
        return tuple(self.group.names)

    def action(self, generator: str) -> tuple[Any, ...]:
        """The hidden-layer latent elements of one generator."""
        if self.actions is None:
            raise ValueError("no layerwise actions were found")
        return self.actions.generator(generator)

    def evidence_actions(self) -> dict[str, list[dict[str, Any]]]:
        """{generator: [element dict per hidden layer]}: the certificate's evidence "actions"."""
        if self.actions is None:
            raise ValueError("no layerwise actions were found")
        return self.actions.to_dict()


# -- the search -----------------------------------------------------------------------------


def layerwise_solutions(net: Any, other: Any, budget: Budget) -> Iterator[tuple[Any, ...]]:
    """Every (k_1, ..., k_{L-1}) relating ``other`` to ``net`` layer by layer, lazily.

    Raises NotEnumerable when a layer's solutions are a continuum the architecture does not list.
    """
    L = net.depth
    maps: list[Any] = []

    def go(i: int, prev: Any) -> Iterator[tuple[Any, ...]]:
        if i == L:
            if next(iter(net.solve_layer(L, prev, other, budget)), None) is not None:
                yield tuple(maps)
            return
        for k in net.solve_layer(i, prev, other, budget):
            budget.spend(f"searching layer {i}")
            maps.append(k)
            yield from go(i + 1, k)
            maps.pop()

    yield from go(1, None)


def _first(net: Any, other: Any, g: str, budget: Budget) -> tuple[tuple[Any, ...] | None, LayerFailure | None]:
    """The first layerwise solution for one generator, or why there is none.

    A failure is *definitive* only when the search was exhaustive: every layer's list was
    complete.  When several candidates of a layer were tried and all failed later, the first
    failure is reported with how many were tried."""
    L = net.depth

    def go(i: int, prev: Any) -> tuple[list[Any] | None, LayerFailure | None]:
        sols = net.solve_layer(i, prev, other, budget)
        if i == L:
            if next(iter(sols), None) is not None:
                return [], None
            return None, sols.failure(g)
        first_failure: LayerFailure | None = None
        tried = 0
        definitive = True
        for k in sols:
            budget.spend(f"searching layer {i}")
            tried += 1
            rest, failure = go(i + 1, k)
            if failure is None:
                return [k] + (rest or []), None
            if first_failure is None:
                first_failure = failure
            definitive &= failure.definitive
        if first_failure is None:  # the layer itself has no candidate
            f = sols.failure(g)
            if not sols.complete and f.definitive:
                return None, LayerFailure(g, i, f.neuron, "ambiguous", f"generator {g}, layer {i}: "
                                          f"constant units allow choices that could not all be "
                                          f"tried; {f.message}")
            return None, f
        if tried > 1 or not sols.complete:
            if definitive and sols.complete:
                return None, LayerFailure(first_failure.generator, first_failure.layer, first_failure.neuron,
                                          first_failure.kind, first_failure.message +
                                          f" (all {tried} choices among duplicate neurons of layer {i} tried)")
            return None, LayerFailure(g, i, first_failure.neuron, "ambiguous",
                                      f"generator {g}, layer {i}: duplicate or constant neurons allow "
                                      f"choices that could not all be tried; first failure: "
                                      f"{first_failure.message}")
        return None, first_failure

    maps, failure = go(1, None)
    return (tuple(maps) if maps is not None else None), failure


def construct(net: Any, group: Any, budget: int = DEFAULT_BUDGET, *, on_budget: str = "raise",
              continuum: str = "solve") -> Construction:
    """Step 2 of the construction for every generator: one latent element per generator and
    hidden layer, or the reason none exists at theta.

    ``budget``: search steps per generator.  ``on_budget``: ``"raise"`` lets BudgetExceeded
    propagate, ``"failure"`` reports a failure of kind ``budget``.  ``continuum``: when a
    layer's solutions form a continuum, ``"solve"`` asks the architecture to solve every layer
    at once (``net.construct_continuum``), ``"failure"`` reports a failure of kind
    ``unsupported``.
    """
    start = time.perf_counter()
    if (net.spaces()[0], net.spaces()[-1]) != (group.input_dim, group.output_dim):
        raise InputError(f"the group acts on R^{group.input_dim} -> R^{group.output_dim}, the "
                         f"network maps R^{net.spaces()[0]} -> R^{net.spaces()[-1]}")
    kind = str(net.latent_group(1).kind) if net.depth > 1 else "none"
    method = getattr(net, "search_method", "layerwise search") if net.depth > 1 else "single layer"

    def done(**kw: Any) -> Construction:
        return Construction(net, group, kind, kw.pop("method", method), seconds=time.perf_counter() - start, **kw)

    found = []
    for g in group.names:
        other = net.twist(group, g)
        try:
            maps, failure = _first(net, other, g, Budget(budget))
        except BudgetExceeded as exc:
            if on_budget == "raise":
                raise
            failure = LayerFailure(g, 1, None, "budget",
                                   f"generator {g}: more than {budget} choices among duplicate neurons ({exc})")
            return done(actions=None, failed_generator=g, reason=failure.message, failure=failure)
        except NotEnumerable as exc:
            if continuum == "solve" and hasattr(net, "construct_continuum"):
                got = dict(net.construct_continuum(group))
                maps = got.pop("maps")
                acts = LatentActions(tuple(group.names), maps) if maps is not None else None
                return done(actions=acts, **got)
            failure = LayerFailure(g, 1, None, "unsupported", str(exc))
            return done(actions=None, failed_generator=g, reason=failure.message, failure=failure)
        if failure is not None:
            return done(actions=None, failed_generator=g, reason=failure.message, failure=failure)
        found.append(maps)
    frees = tuple(sorted(net.free_scales())) if hasattr(net, "free_scales") else ()
    return done(actions=LatentActions(tuple(group.names), tuple(found)), free_scales=frees)
