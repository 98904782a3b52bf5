"""Step 3 of the construction (docs/theory.md sections 5 and 7.0): is g -> k_i(g) a homomorphism?

Given k_i(g) on the generators, rho_i(g) = s_i(g) o k_i(g) is a homomorphism G -> GL(V_i) exactly
when g -> (k_i(g), g) extends to a homomorphism into the semidirect product K_i x| G, whose
product is

    (k, g) (k', g') = (s_i(g')^{-1} k s_i(g') . k',  g g')

since s(g) k s(g') k' = s(g) s(g') (s(g')^{-1} k s(g')) k'.  (For an ordinary adjunction s_i = id
and this is K_i x G: k_i itself is a homomorphism; with a structural action it is a *crossed*
homomorphism k(gh) = (s(h)^{-1} k(g) s(h)) . k(h).)  The test
is the closure of the pairs (k_i(g), g) under this product: breadth first from (id, e), each
element multiplied by every generator.  It is a homomorphism exactly when no element of G
is reached with two different k, i.e. the closure has |G| elements.  One code path decides
both cases, for every architecture; a failure names two words of G that are equal in G but
give different latent elements.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.construction.construct import construct
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> G = catalog_group("S2", 2, 1, output="trivial")
>>> h = check_homomorphism(net, G, construct(net, G).actions)
>>> h.holds, h.order, h.crossed
(True, 2, False)
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import Any

from symeq.architectures.base import Budget
from symeq.errors import BudgetExceeded
from symeq.groups import GroupAction
from symeq.groups.permutation import finite_group
from symeq.construction.construct import LatentActions, layerwise_solutions

__all__ = ["HomomorphismCheck", "check_homomorphism", "find_homomorphism", "DEFAULT_CLOSURE_BUDGET"]

#: Products computed at most by one closure (|G| times the number of generators per layer).
DEFAULT_CLOSURE_BUDGET = 2_000_000


@dataclass(frozen=True)
class HomomorphismCheck:
    """The closure of {(k_i(g), g)} in K_i x| G for every hidden layer i.

    ``order`` is |G|; ``failures[i - 1]`` is None when layer i's closure has exactly |G|
    elements, else a pair of words of G that are equal in G but give different latent
    elements.  ``crossed`` is True when some layer has a structural action (the check is then
    for a crossed homomorphism).
    """

    order: int
    failures: tuple[tuple[str, str] | None, ...]
    crossed: bool = False

    @property
    def holds(self) -> bool:
        """True when every layer's latent action is a (crossed) homomorphism.

        >>> HomomorphismCheck(3, (("e", "r r r"),)).describe()
        'not a homomorphism: layer 1: e = r r r in G but k(e) != k(r r r)'
        """
        return all(f is None for f in self.failures)

    def describe(self) -> str:
        """One sentence for reports."""
        what = "crossed homomorphism" if self.crossed else "homomorphism"
        if self.holds:
            return (f"the pairs (k_i(g), g) close up in K_i x| G to exactly |G| = {self.order} elements, one "
                    f"for each element of G, so each rho_i is a {what}")
        bad = [f"layer {i}: {f[0]} = {f[1]} in G but k({f[0]}) != k({f[1]})"
               for i, f in enumerate(self.failures, start=1) if f is not None]
        return f"not a {what}: " + "; ".join(bad)


def _closure(K: Any, gens: list[tuple[Any, Any]], G: Any, budget: Budget) -> tuple[str, str] | None:
    """Breadth-first closure of (k, element of G), right-multiplying by the generators:
    k(h g) = s(g)^{-1} k(h) s(g) . k(g).  None when consistent, else two words."""
    ident = K.identity()
    seen: dict[int, tuple[Any, tuple[int, ...]]] = {G.identity: (ident, ())}
    queue = deque([G.identity])
    inverses = [None if s_g is None else s_g.inverse() for _, s_g in gens]
    while queue:
        h = queue.popleft()
        k_h, word = seen[h]
        for n, (k_g, _) in enumerate(gens):
            budget.spend("computing the closure in K_i x| G")
            moved = k_h if inverses[n] is None else K.conjugate(inverses[n], k_h)
            k_new = K.compose(moved, k_g)
            target = G.mul(h, G.generators[n])
            w_new = word + (n,)
            if target in seen:
                if not K.equal(seen[target][0], k_new):
                    return _word(G, seen[target][1]), _word(G, w_new)
                continue
            seen[target] = (k_new, w_new)
            queue.append(target)
    return None


def _word(G: Any, word: tuple[int, ...]) -> str:
    return " ".join(G.names[n] for n in word) or "e"


def check_homomorphism(net: Any, group: GroupAction, actions: LatentActions,
                       budget: int | Budget = DEFAULT_CLOSURE_BUDGET) -> HomomorphismCheck:
    """Decide, for every hidden layer, whether the latent elements of the generators extend to a
    (crossed) homomorphism (see the module docstring).  BudgetExceeded past ``budget`` products
    (a number, or a :class:`~symeq.architectures.base.Budget` shared with other searches)."""
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    G = finite_group(group)
    failures = []
    crossed = False
    for i in range(1, actions.hidden_layers + 1):
        K = net.latent_group(i)
        images = actions.layer(i)
        gens = []
        for name in G.names:
            s = net.structural(i, group, name)
            # a structural action commuting with K_i (token permutations and head maps) makes the
            # crossed homomorphism an ordinary one (docs/theory.md section 7.0)
            crossed |= s is not None and not getattr(K, "commutes_with_structural", False)
            gens.append((images[name], s))
        failures.append(_closure(K, gens, G, budget))
    return HomomorphismCheck(G.order, tuple(failures), crossed)


def find_homomorphism(net: Any, group: GroupAction, limit: int = 256,
                      budget: int = 20_000) -> LatentActions | None:
    """Search the solutions of every generator (each a coset of Stab(theta)) for a choice that is
    a homomorphism on every hidden layer at once; None when no combination works (proved: every
    solution was tried).  BudgetExceeded when the search itself passes ``budget``, when a
    generator has more than ``limit`` solutions, or when the combinations tried and the products
    of their closures pass ``budget`` steps."""
    per_gen = []
    truncated: list[str] = []
    for name in group.names:
        other = net.twist(group, name)
        sols = list(itertools.islice(layerwise_solutions(net, other, Budget(budget)), limit + 1))
        if not sols:
            return None
        if len(sols) > limit:
            truncated.append(name)
        per_gen.append(sols[:limit])
    # one countdown for all the combinations: each costs one step, and each product of its
    # closure another (20,000 combinations of 16 products took 9 s at the old count)
    steps = Budget(budget)
    for combo in itertools.product(*per_gen):
        steps.spend("trying combinations of per-generator latent maps")
        acts = LatentActions(tuple(group.names), tuple(combo))
        if check_homomorphism(net, group, acts, steps).holds:
            return acts
    if truncated:  # only the first solutions were tried: "none found" is not "none exists"
        raise BudgetExceeded(f"generator {truncated[0]} has more than {limit} latent maps relating "
                             f"theta^g to theta, and no combination of the first {limit} fits")
    return None
