"""Each rho_i : G -> K_i is a homomorphism: every relator of a presentation of G holds on the
latent maps.

A presentation <names | R> defines G when the relators hold in G and coset enumeration of
<names | R> closes with |G| cosets (:mod:`symeq.groups.presentation` proves both).  Then an
assignment generator -> k_i(generator) extends to a homomorphism G -> K_i exactly when every
relator evaluates to the identity map of V_i; the relators go into the certificate and the
checker re-verifies them.

When Stab(theta) is trivial the per-generator choice is forced and the relators must hold
(THEORY.md section 5, step 3).  When it is not, each generator's maps range over a coset
k(g) Stab(theta) and :func:`find_homomorphism` searches the combinations for one satisfying
every relator, within a budget.

>>> from symeq.models.io import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.latent.construct import construct
>>> net = network_from_dict({"activation": "tanh", "widths": [2, 2, 2],
...     "weights": [[["1", "2"], ["-2", "1"]], [["1", "-2"], ["2", "1"]]], "biases": [["0", "0"], ["0", "0"]]})
>>> G = catalog_group("C4", 2, 2)
>>> check_relators(construct(net, G).actions, group_presentation(G)).holds
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from symeq.errors import BudgetExceeded
from symeq.groups import GroupAction
from symeq.groups.permutation import finite_group
from symeq.groups.presentation import Presentation, presentation, relator_failures
from symeq.latent.action import LatentMap
from symeq.latent.construct import LatentActions
from symeq.latent.solve import Budget, Matcher
from symeq.models.mlp import MLP

__all__ = ["RelatorCheck", "group_presentation", "check_relators", "find_homomorphism"]


@dataclass(frozen=True)
class RelatorCheck:
    """For each hidden layer i (index i - 1), the relators that fail on rho_i; ``holds`` when
    none fails anywhere."""

    presentation: Presentation
    failures: tuple[tuple[str, ...], ...]

    @property
    def holds(self) -> bool:
        """True when every relator is the identity on every hidden layer."""
        return not any(self.failures)


def group_presentation(group: GroupAction) -> Presentation:
    """A presentation of G on its generator names, verified by coset enumeration (cached).

    >>> from symeq.groups import catalog_group
    >>> group_presentation(catalog_group("C4", 2, 2)).relators
    ('r^4',)
    """
    return presentation(finite_group(group))


def check_relators(actions: LatentActions, pres: Presentation) -> RelatorCheck:
    """Evaluate every relator on the latent maps of every hidden layer."""
    out = []
    for i in range(1, actions.hidden_layers + 1):
        images = actions.layer(i)
        d = next(iter(images.values())).dim
        kind = next(iter(images.values())).kind
        out.append(tuple(relator_failures(pres, images, lambda a, b: a @ b, lambda a: a.inverse(),
                                          LatentMap.identity(d, kind),
                                          lambda a, b: a.acts_equal(b))))
    return RelatorCheck(pres, tuple(out))


def find_homomorphism(net: MLP, group: GroupAction, pres: Presentation, limit: int = 256,
                      budget: int = 20_000) -> LatentActions | None:
    """Search the solutions of every generator (each a coset of Stab(theta)) for a choice on
    which every relator holds; None when no combination works (proved: every solution was
    tried).  BudgetExceeded when the matching itself passes ``budget``, when a generator has
    more than ``limit`` solutions, or when more than ``budget`` combinations would be tried.

    Only for monomial kinds; every hidden layer's relators must hold at once.
    """
    matcher = Matcher(net)
    per_gen = []
    truncated: list[str] = []
    for name, rho0, rhoL in group.generators():
        sols = list(itertools.islice(matcher.solutions(rho0, rhoL, Budget(budget)), limit + 1))
        if not sols:
            return None
        if len(sols) > limit:
            truncated.append(name)
        per_gen.append([s.maps for s in sols[:limit]])
    tried = 0
    for combo in itertools.product(*per_gen):
        tried += 1
        if tried > budget:
            raise BudgetExceeded(f"more than {budget} combinations of per-generator latent maps")
        acts = LatentActions(group.names, tuple(combo))
        if check_relators(acts, pres).holds:
            return acts
    if truncated:  # only the first solutions were tried: "none found" is not "none exists"
        raise BudgetExceeded(f"generator {truncated[0]} has more than {limit} latent maps relating "
                             f"theta^g to theta, and no combination of the first {limit} fits")
    return None
