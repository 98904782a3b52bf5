"""What each hidden layer carries: orbits of neurons, orbit types, G-sets and characters.

For a latent action rho_i : G -> K_i given on the generators (and checked to be a
homomorphism), this module evaluates rho_i on every element of G (along the shortest words of
:class:`~symeq.groups.permutation.FiniteGroup`) and reads off:

- *normal form*: monomial actions with scales (ReLU, z^m) are conjugated by a positive
  diagonal Lambda to signed permutations (for ReLU: permutations).  Lambda is 1 on a chosen
  representative of each orbit and |scale of g| on its image g.j; for finite G this is
  consistent because a positive scale fixing a neuron under an element of finite order is 1.
  The sigmoid's affine maps v -> P(Dv + f) are read through their linear part PD.
- *orbits* of neurons under the permutation parts, each identified as a transitive signed
  G-set by :func:`symeq.groups.gsets.decompose_signed_action` (with a checked isomorphism to
  its standard model);
- for each orbit, the *G-set* (H, chi): H the stabilizer of the representative j and
  chi(h) = +-1 the sign with which h maps j to itself (a homomorphism H -> {+1, -1});
- the *orbit type* (the paper's filter classes, for signed permutations):

  ===========================  ==============================================================
  ``fixed``                    one neuron, fixed by every element (chi trivial)
  ``self-negated``             chi is not trivial: some element maps a neuron of the orbit to
                               its own negative
  ``moved as copies``          several neurons, chi trivial, every element maps neurons onto
                               each other with sign +1
  ``moved as negated copies``  several neurons, chi trivial, but some element maps a neuron
                               onto another with sign -1 (conjugate, through a sign change of
                               neurons, to ``moved as copies``)
  ===========================  ==============================================================

- the exact *character* chi_i(g) = trace of the linear part of rho_i(g) on each conjugacy
  class, and its decomposition into the irreducible characters of G (exact character table of
  :mod:`symeq.groups.characters`).  For the identity activation only the character and its
  decomposition are reported (Aff(d) has no neurons to permute).

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.construction.construct import construct
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"], ["1", "1"],
...     ["1", "-1"]], [["1", "1", "0", "0"]]], "biases": [["0", "0", "0", "0"], ["0"]]})
>>> G = catalog_group("S2", 2, 1, output="trivial")
>>> s = layer_structure(G, construct(net, G).actions, 1)
>>> [(o.neurons, o.type) for o in s.orbits]
[((0, 1), 'moved as copies'), ((2,), 'fixed'), ((3,), 'self-negated')]
>>> s.multiplicities
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Integer

from symeq.errors import InputError
from symeq.groups import GroupAction
from symeq.groups.characters import character_table
from symeq.groups.classes import conjugacy_classes
from symeq.groups.gsets import decompose_signed_action
from symeq.groups.permutation import FiniteGroup, finite_group
from symeq.architectures.mlp.latent_map import LatentMap, simplify_scalar
from symeq.construction.construct import LatentActions

__all__ = ["Orbit", "LayerStructure", "layer_structure", "network_structure", "gset_key",
           "ORBIT_TYPES"]

ORBIT_TYPES = ("fixed", "self-negated", "moved as copies", "moved as negated copies")


@dataclass(frozen=True)
class Orbit:
    """One orbit of neurons: its neurons (sorted), the representative j = neurons[0], the
    stabilizer H of j (element numbers of the FiniteGroup), chi on H (+1/-1 per element of H,
    same order), and the orbit type."""

    neurons: tuple[int, ...]
    stabilizer: tuple[int, ...]
    character: tuple[int, ...]
    type: str
    gset: str = ""
    gset_index: int = -1
    negated: tuple[int, ...] = ()

    @property
    def representative(self) -> int:
        """The neuron whose stabilizer is reported."""
        return self.neurons[0]

    @property
    def size(self) -> int:
        """|G| / |H|."""
        return len(self.neurons)


@dataclass(frozen=True)
class LayerStructure:
    """The representation carried by one hidden layer.

    ``character[k]`` is the trace of rho_i on conjugacy class k (exact); ``multiplicities[m]``
    the multiplicity of the m-th irreducible character; ``diagonal`` the positive Lambda that
    conjugates a scaled monomial action to a signed permutation (None when the action already
    is one); ``signed_permutations`` the normal form on every element: element a sends neuron j
    to perm[a][j] with sign sign[a][j] (monomial kinds only).
    """

    layer: int
    width: int
    kind: str
    orbits: tuple[Orbit, ...]
    character: tuple[sympy.Expr, ...]
    class_names: tuple[str, ...]
    multiplicities: tuple[int, ...]
    degrees: tuple[int, ...]
    diagonal: tuple[sympy.Expr, ...] | None = None
    perms: tuple[tuple[int, ...], ...] = ()
    signs: tuple[tuple[int, ...], ...] = ()
    affine_shift: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq latent --json``."""
        return {
            "layer": self.layer, "width": self.width, "kind": self.kind,
            "orbits": [{"neurons": list(o.neurons), "type": o.type, "gset": o.gset,
                        "stabilizer_order": len(o.stabilizer), "negated": list(o.negated)}
                       for o in self.orbits],
            "type_counts": self.type_counts() if self.orbits else {},
            "classes": list(self.class_names),
            "character": [str(v) for v in self.character],
            "multiplicities": list(self.multiplicities),
            "degrees": list(self.degrees),
            "diagonal": [str(v) for v in self.diagonal] if self.diagonal is not None else None,
            "affine_shift": self.affine_shift,
        }

    def type_counts(self) -> dict[str, int]:
        """Number of orbits of each type."""
        out = {t: 0 for t in ORBIT_TYPES}
        for o in self.orbits:
            out[o.type] += 1
        return out


def _element_maps(G: FiniteGroup, gens: dict[str, LatentMap]) -> list[LatentMap]:
    """rho(g_a) for every element a, composed along shortest words (a homomorphism is
    assumed: the relators were checked)."""
    some = next(iter(gens.values()))
    out: list[LatentMap | None] = [None] * G.order
    out[0] = LatentMap.identity(some.dim, some.kind)
    for a in sorted(range(G.order), key=lambda a: len(G.words[a])):
        w = G.words[a]
        if not w:
            continue
        parent = G.product([G.generators[k] for k in w[:-1]])
        prev = out[parent]
        assert prev is not None
        out[a] = prev @ gens[G.names[w[-1]]]
    return out  # type: ignore[return-value]


def _monomial_normal_form(G: FiniteGroup, maps: list[LatentMap]) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]], tuple[sympy.Expr, ...] | None]:
    d = maps[0].dim
    perms = [m.perm for m in maps]
    scales = [[r.b for r in m.relations] for m in maps]
    lam: list[Any] = [None] * d
    for j in range(d):
        if lam[j] is not None:
            continue
        lam[j] = Integer(1)
        for a in range(G.order):
            x = perms[a][j]
            if lam[x] is None:
                lam[x] = simplify_scalar(abs(scales[a][j]))
    needs = any(s not in (1, -1) for row in scales for s in row)
    signs = []
    for a in range(G.order):
        row = []
        for j in range(d):
            v = simplify_scalar(scales[a][j] * lam[j] / lam[perms[a][j]]) if needs else scales[a][j]
            if v == 1:
                row.append(1)
            elif v == -1:
                row.append(-1)
            else:
                raise InputError(f"element {G.word(a) or 'e'} maps neuron {j} with scale {v} after "
                                 "normalization: the action is not conjugate to a signed permutation "
                                 "(is it a homomorphism of a finite group?)")
        signs.append(tuple(row))
    return perms, signs, (tuple(lam) if needs else None)


def _orbits(G: FiniteGroup, names: tuple[str, ...], gen_perms: list[tuple[int, ...]],
            gen_signs: list[tuple[int, ...]]) -> tuple[tuple[Orbit, ...], Any]:
    """Orbits identified as transitive signed G-sets by :mod:`symeq.groups.gsets`."""
    images = {n: (list(p), list(s)) for n, p, s in zip(names, gen_perms, gen_signs)}
    D = decompose_signed_action(G, images)
    out = []
    for o in D.orbits:
        H = o.stabilizer.elements
        chi = tuple(1 if h in o.kernel.elements else -1 for h in H)
        out.append(Orbit(tuple(o.points), tuple(H), chi, o.type, o.gset.label(), o.gset_index,
                         tuple(o.negated)))
    return tuple(out), D


def gset_key(G: FiniteGroup, stabilizer: tuple[int, ...], character: tuple[int, ...]) -> tuple[Any, ...]:
    """A canonical form of the signed G-set (H, chi) up to conjugation in G: the smallest
    (sorted conjugate subgroup, signs) over all conjugators.  Two orbits are isomorphic signed
    G-sets up to a sign change of neurons iff their keys agree.

    >>> from symeq.groups import catalog_group
    >>> G = finite_group(catalog_group("D4", 2, 2))
    >>> s, rs = G.evaluate_word("s"), G.evaluate_word("r r s")
    >>> gset_key(G, (0, s), (1, -1)) == gset_key(G, tuple(sorted((0, rs))), (1, -1))
    True
    """
    chi = dict(zip(stabilizer, character))
    best = None
    for g in range(G.order):
        conj = sorted((G.conjugate(h, g), chi[h]) for h in stabilizer)
        key = (tuple(h for h, _ in conj), tuple(c for _, c in conj))
        if best is None or key < best:
            best = key
    assert best is not None
    return best


def layer_structure(group: GroupAction, actions: LatentActions, layer: int) -> LayerStructure:
    """The orbits, G-sets, character and its decomposition of hidden layer ``layer``."""
    G = finite_group(group)
    gens = actions.layer(layer)
    maps = _element_maps(G, gens)
    classes = conjugacy_classes(G)
    table = character_table(G)
    some = maps[0]
    char = tuple(simplify_scalar(maps[c.representative].trace()) for c in classes)
    mult = table.decompose(char)
    names = tuple(c.name for c in classes)
    if some.kind == "affine":
        return LayerStructure(layer, some.dim, "affine", (), char, names, mult, table.degrees(),
                              affine_shift=not all(m.is_linear() for m in maps))
    perms, signs, lam = _monomial_normal_form(G, maps)
    gen_index = list(G.generators)
    orbits, _ = _orbits(G, G.names, [perms[a] for a in gen_index], [signs[a] for a in gen_index])
    kind = "signed_permutation" if any(s == -1 for row in signs for s in row) else "permutation"
    return LayerStructure(layer, some.dim, kind, orbits, char, names, mult, table.degrees(), lam,
                          tuple(perms), tuple(signs), affine_shift=not all(m.is_linear() for m in maps))


def network_structure(group: GroupAction, actions: LatentActions) -> tuple[LayerStructure, ...]:
    """:func:`layer_structure` for every hidden layer."""
    return tuple(layer_structure(group, actions, i) for i in range(1, actions.hidden_layers + 1))
