"""Latent types of a sin layer: signed G-sets, with pre-activation lifts and pi-shifted biases.

sin's one-dimensional relations (docs/theory.md section 2) are sin(a z + c) = b sin(z) with
a in {+1, -1}, c in pi Z and b = a (-1)^(c/pi); there is no constant term.  So a latent
symmetry of a hidden layer of width d acts on V_i = R^d by signed permutations, as for tanh:
the latent *types* of the layer are the homomorphisms G -> B_d up to conjugacy, the signed
G-sets of size d, with the same exact counts (symeq.groups.gsets); a type acts on V_i by
rho_i(g), the signed permutation with permutation p_g and signs s.  What differs from tanh is
the space of parameters making a layer equivariant.

**The lift.**  Layer i is equivariant when sin(W rho_{i-1}(g) x + b) = rho_i(g) sin(W x + b)
for all x and g.  In coordinate p_g(j) this reads

    sin(w_{p(j)} . rho_{i-1}(g) x + b_{p(j)}) = s_j sin(w_j . x + b_j)     for all x.     (*)

*Sufficient:* if there is a signed permutation A(g) with the same permutation p_g and signs
a_j, and shifts c(g) in pi Z^d, with W rho_{i-1}(g) = A(g) W and b = A(g) b + c(g), where
(-1)^(c_{p(j)}/pi) = a_j s_j, then the left side of (*) is sin(a_j (w_j . x + b_j) + c_{p(j)})
= a_j (-1)^(c_{p(j)}/pi) sin(w_j . x + b_j) = s_j sin(w_j . x + b_j).  *Necessary* when every
row of W is nonzero: sin(u . x + p) = +-sin(v . x + q) for all x with u, v != 0 forces
u = +-v (on a line x = t y the two sides are sinusoids of frequencies |u . y| and |v . y|,
which must agree for every y) and then p = +-q + pi k (sin(z + p) = +-sin(z + q) for all z
gives p - q in pi Z; sin(z + p) = +-sin(-z + q) = -+sin(z - q) gives p + q in pi Z); applied
to (*) with u = rho_{i-1}(g)^T w_{p(j)} and v = w_j this defines a_j and c_{p(j)}.

*The lift is a homomorphism* when every row is nonzero: A(gh) W = W rho_{i-1}(gh) =
A(g) W rho_{i-1}(h) = A(g) A(h) W, and A(gh), A(g) A(h) have the same permutation
p_{gh} = p_g p_h, so their signs agree on every neuron with a nonzero row.  Hence A is a signed
G-set with the same underlying G-set as the type: on each transitive block G/H of the type a
second character chi_a: H -> {+-1} (next to the type's chi_s), after conjugating by a diagonal
sign matrix D.  That conjugation changes nothing that matters: replacing (w_j, b_j) by
(-w_j, pi - b_j) for the neurons with D_j = -1 is a sin relation (sin(-z + pi) = sin z), it
keeps the layer function, and it turns a parameter with lift D A D into one with lift A.
Permuting identical blocks of the type commutes with rho_i, so lifts that differ by such a
permutation give the same pieces up to a symmetry of the whole network; the lifts of a type
are therefore listed as one multiset of characters per repeated block (:func:`type_lifts`,
:func:`count_lifts`: prod over parts of C(n_H + m - 1, m), n_H = |Hom(H, {+-1})|).  Neurons
with a zero incoming row are inactive, so whatever the lift does on them, those parameters are
degenerate (symeq.classification.shift_degenerate).

**The biases of one lift.**  b matters modulo 2 pi, and the condition is a fixed point of an
affine action of G on the torus (R/2piZ)^d: for each generator g,

    (I - A(g)) b = pi e(g)   (mod 2 pi),     e(g)_{p(j)} = 0 if a_j = s_j, else 1

(the generators suffice: equivariance for the generators implies it for G).  Stacking the
generators gives an integer system M b = pi e, solved exactly by the Smith normal form
(symeq.classification.torus): no solution (the lift admits no bias), or prod(invariant factors)
components b0 + span(directions), each of dimension d - rank M, with b0 a vector of rational
multiples of pi.  The lift A = rho_i (chi_a = chi_s, e = 0) always has b = 0, so every type has
at least one piece.

**The weights of one lift** are symeq.classification.spaces.layer_space(rho_{i-1}, A): W_i
intertwines the previous layer's rho_{i-1} (the *type's* signs) into the lift A, exactly like
the pre/post split of the "even" kind.  The output layer is linear and unchanged:
W_L rho_{L-1}(g) = rho_L(g) W_L, b_L = rho_L(g) b_L.

**The space of an assignment** of types to the hidden layers is the union of its *pieces*: one
lift and one bias component per hidden layer, the weights of every layer free in their spaces.
Up to the sin relations on single neurons and permutations of identical blocks, every
layerwise-equivariant parameter without zero rows lies in a piece.

*Blocks.*  A is block diagonal over the orbits (blocks) of the type, and so are the weight
equations (row j of W rho_{i-1}(g) = A(g) W involves the rows of j's orbit only) and the bias
system.  A piece of a layer is therefore a product of one piece per block, each given by the
block's character chi_a and one of its bias components (:class:`BlockSpace`,
:class:`BlockChoice`): the number of lifts and of pieces are products over the parts of the
type (a part of m identical blocks contributes C(n + m - 1, m) lifts and h_m(c_1, ..., c_n)
pieces, c_k the components of character k), and they are counted without being listed.

*Zero rows.*  By (*), a neuron with a zero row is mapped to neurons with zero rows (its output
is a constant, so is theirs), so the neurons N with nonzero rows form a G-stable set, with a
homomorphic lift A_N there.  A = A_N on N and A = rho_i on the rest is a lift of the type
whose bias system is solvable (b_N solves the N-part; b = 0 the rest, where e = 0), and W
(zero rows included) lies in its weight space.  So when every lift *with a bias* forces
W_i = 0, every layerwise-equivariant parameter has W_i = 0 (the ``zero_layer`` of classify).

>>> from symeq.groups import group_from_dict
>>> from symeq.classification.types import layer_types
>>> G = group_from_dict({"generators": {"r": {"input": [["-1"]]}}}, 1, 1)    # C2 by -1
>>> T = layer_types(G, 2, "sin")
>>> [t.label for t in T.types]
['2 x G/G (size 1)', 'G/G (size 1) + G/G with sign, kernel 1 (size 1)', '2 x G/G with sign, kernel 1 (size 1)', 'G/1 (size 2)']
>>> S = shift_space(G, (T.types[2],))        # both neurons negated by r: one part, twice
>>> [(c.action.signs, c.weights.dim, c.pieces) for c in S.hidden[0][0].choices]
[(((1,),), 0, 0), (((-1,),), 1, 2)]
>>> S.lifts, S.pieces, S.layer_dims          # the lift a = s: W_1 free, b_1 in {0, pi}^2
((3,), 4, (2, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations_with_replacement, product
from math import comb, prod

from symeq.classification.spaces import Action, BasisVector, LayerSpace, SignedPermutationAction, layer_space
from symeq.classification.torus import TorusFixedPoints, torus_fixed_points
from symeq.classification.types import gset_action
from symeq.classification.results import LayerType
from symeq.classification.spaces import boundary_action
from symeq.errors import BudgetExceeded, InputError
from symeq.groups import GroupAction
from symeq.groups.gsets import GSet, TransitiveGSet, sign_characters

__all__ = [
    "Lift",
    "count_lifts",
    "type_lifts",
    "shift_equations",
    "lift_biases",
    "BlockChoice",
    "BlockSpace",
    "ShiftSpace",
    "shift_space",
    "weights_only",
    "DEFAULT_LIFT_BUDGET",
]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Default largest number of lifts listed for one type of one hidden layer.
DEFAULT_LIFT_BUDGET = 2_000


@dataclass(frozen=True)
class Lift:
    """One pre-activation lift of a type: ``action`` is A, with the type's permutations and
    signs a; ``characters[k]`` is, for block k of the type, the index of chi_a among
    :func:`symeq.groups.gsets.sign_characters` of its stabilizer (0 = the trivial character);
    ``label`` is A as a signed G-set."""

    index: int
    label: str
    action: SignedPermutationAction
    characters: tuple[int, ...]


def _kernels(t: TransitiveGSet) -> tuple:
    key = ("sign_characters", t.stabilizer.mask)  # the group's own cache, as symeq.groups.gsets does
    if key not in t.group._cache:
        t.group._cache[key] = sign_characters(t.group, t.stabilizer)
    return t.group._cache[key]


def count_lifts(t: LayerType) -> int:
    """The number of lifts of a type (one multiset of characters per repeated block).

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> [count_lifts(t) for t in layer_types(catalog_group("C2", 2, 2), 2, "sin").types]
    [3, 4, 3, 1]
    """
    return prod(comb(len(_kernels(b)) + m - 1, m) for b, m in t.gset.parts)


def type_lifts(G: GroupAction, t: LayerType, budget: int = DEFAULT_LIFT_BUDGET) -> tuple[Lift, ...]:
    """Every lift of the type, the lift A = rho_i (all characters chi_a = chi_s) included.
    BudgetExceeded past ``budget`` lifts.

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> t = layer_types(catalog_group("C4", 2, 2), 2, "sin").types[-1]
    >>> t.label, [L.label for L in type_lifts(catalog_group("C4", 2, 2), t)]
    ('G/<r^2> with sign, kernel 1 (size 2)', ['G/<r^2> (size 2)', 'G/<r^2> with sign, kernel 1 (size 2)'])
    """
    n = count_lifts(t)
    if n > budget:
        raise BudgetExceeded(f"type {t.label} has {n} pre-activation lifts, more than the budget {budget}")
    F = t.gset.parts[0][0].group
    key = ("shift_lifts", G.names, tuple((b.stabilizer.mask, b.kernel.mask, m) for b, m in t.gset.parts))
    if key not in F._cache:  # a type recurs in many assignments and in the smallest-width scan
        F._cache[key] = _lifts(G, t)
    return F._cache[key]


def _lifts(G: GroupAction, t: LayerType) -> tuple[Lift, ...]:
    per_part = []
    for b, m in t.gset.parts:
        per_part.append([(b, chars) for chars in combinations_with_replacement(range(len(_kernels(b))), m)])
    out = []
    for k, choice in enumerate(product(*per_part)):
        blocks: list[tuple[TransitiveGSet, int]] = []
        characters: list[int] = []
        for b, chars in choice:
            kernels = _kernels(b)
            for c in chars:
                blocks.append((TransitiveGSet(b.group, b.subgroup_class, b.stabilizer, kernels[c]), c))
                characters.append(c)
        parts: list[tuple[TransitiveGSet, int]] = []
        for blk, _ in blocks:  # consecutive equal blocks as one part with a multiplicity
            if parts and parts[-1][0] == blk:
                parts[-1] = (blk, parts[-1][1] + 1)
            else:
                parts.append((blk, 1))
        gs = GSet(tuple(parts))
        action = gset_action(G, gs, signed=True)
        if action.perms != t.pre.perms:  # same cosets, same order: never happens
            raise AssertionError("a lift must have the permutations of its type")
        out.append(Lift(k, gs.label(), action, tuple(characters)))
    return tuple(out)


def shift_equations(rho: SignedPermutationAction, lift: SignedPermutationAction) -> tuple[list[list[int]], list[int]]:
    """(M, e): the bias condition M b = pi e (mod 2 pi) of a lift, one block of rows
    I - A(g) per generator g; e(g)_{p(j)} = 0 when a_j = s_j, else 1.

    >>> flip = SignedPermutationAction(((0,),), ((-1,),))
    >>> shift_equations(SignedPermutationAction(((0,),), ((1,),)), flip)    # 2 b = pi
    ([[2]], [1])
    """
    if rho.perms != lift.perms:
        raise InputError("a lift must have the permutations of the type it lifts")
    d = rho.degree
    M: list[list[int]] = []
    e: list[int] = []
    for perm, s, a in zip(rho.perms, rho.signs, lift.signs):
        rows = [[1 if c == r else 0 for c in range(d)] for r in range(d)]
        rhs = [0] * d
        for j, p in enumerate(perm):  # (A b)_{p(j)} = a_j b_j
            rows[p][j] -= a[j]
            rhs[p] = 0 if a[j] == s[j] else 1
        M += rows
        e += rhs
    return M, e


def lift_biases(rho: SignedPermutationAction, lift: SignedPermutationAction) -> TorusFixedPoints:
    """The biases b_i (mod 2 pi) that make the layer equivariant with this lift.

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> T = lift_biases(swap, swap)                      # b_1 = b_2 (mod 2 pi)
    >>> T.count, T.free_dim
    (1, 1)
    >>> neg = SignedPermutationAction(((1, 0),), ((-1, -1),))
    >>> next(lift_biases(swap, neg).components()).offset  # b_1 + b_2 = pi: (pi - t, t)
    (pi, 0)
    """
    M, e = shift_equations(rho, lift)
    return torus_fixed_points(M, e, rho.degree)


def weights_only(space: LayerSpace) -> LayerSpace:
    """The weight part of a layer space (the basis vectors that only move b dropped, the bias
    entries of the others cleared): a hidden sin layer's biases come from the torus instead.

    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> weights_only(layer_space(swap, swap)).dim
    2
    """
    vectors = tuple(BasisVector(v.weight, ()) for v in space.vectors if v.weight)
    return LayerSpace(space.shape, vectors, space.method, space.weight_orbits)


@dataclass(frozen=True)
class BlockChoice:
    """One character chi_a of one block (a transitive part of the type): ``action`` is the
    lift A on the block's neurons, ``weights`` the rows of W_i it allows (shape (size,
    d_{i-1}); the block's neurons numbered from 0) and ``biases`` the block's bias components."""

    index: int
    label: str
    action: SignedPermutationAction
    weights: LayerSpace
    biases: TorusFixedPoints

    @property
    def pieces(self) -> int:
        """The number of bias components (0: this character admits no bias)."""
        return self.biases.count

    @property
    def dim(self) -> int:
        """Weights plus bias directions of one piece of the block."""
        return self.weights.dim + self.biases.free_dim


def _homogeneous(values: list[int], m: int) -> int:
    """h_m(values): the sum over multisets of size m of the products (x^m in prod 1/(1 - c x))."""
    h = [1] + [0] * m
    for c in values:
        for j in range(1, m + 1):
            h[j] += c * h[j - 1]
    return h[m]


@dataclass(frozen=True)
class BlockSpace:
    """One transitive part of a hidden layer's type, ``multiplicity`` identical blocks of
    ``size`` neurons from neuron ``offset`` on (0-based), with one :class:`BlockChoice` per
    character of the stabilizer.  A lift of the layer is one multiset of choices per part.

    The weight equations W rho_{i-1} = A W and the bias system are block diagonal (A is), so a
    piece of the layer is a product of one piece per block: this is what lets classify examine
    the blocks instead of the (exponentially many) lifts."""

    label: str
    size: int
    multiplicity: int
    offset: int
    choices: tuple[BlockChoice, ...]

    @property
    def pieces(self) -> int:
        """(lift, bias component) pairs of this part: h_m of the choices' component counts."""
        return _homogeneous([c.pieces for c in self.choices], self.multiplicity)

    @property
    def lifts(self) -> int:
        """Multisets of m characters."""
        return comb(len(self.choices) + self.multiplicity - 1, self.multiplicity)

    @property
    def dim(self) -> int:
        """The largest dimension of a piece of this part (m times the best choice with a bias)."""
        return self.multiplicity * max(c.dim for c in self.choices if c.pieces)

    def blocks(self) -> range:
        """The first neuron of each of the m blocks."""
        return range(self.offset, self.offset + self.size * self.multiplicity, self.size)


@dataclass(frozen=True)
class ShiftSpace:
    """The pieces of one assignment: ``hidden[i-1]`` lists the parts of hidden layer i's type
    (each with its choices), ``output`` is the (linear) output layer's space."""

    widths: tuple[int, ...]
    hidden: tuple[tuple[BlockSpace, ...], ...]
    output: LayerSpace

    @property
    def pieces(self) -> int:
        """The number of pieces (a lift and a bias component for every hidden layer)."""
        return prod(b.pieces for layer in self.hidden for b in layer)

    @property
    def lifts(self) -> tuple[int, ...]:
        """The number of lifts of each hidden layer."""
        return tuple(prod(b.lifts for b in layer) for layer in self.hidden)

    @property
    def layer_dims(self) -> tuple[int, ...]:
        """Per layer the largest dimension of a piece (weights and bias directions); together
        the dimension of the largest piece."""
        return tuple(sum(b.dim for b in layer) for layer in self.hidden) + (self.output.dim,)

    @property
    def zero_layer(self) -> int | None:
        """The first layer i with W_i = 0 on every piece (None if there is none): every choice
        with a bias of every block allows no weights (a layer's parts choose independently)."""
        for i, layer in enumerate(self.hidden, start=1):
            if all(c.weights.weight_dim == 0 for b in layer for c in b.choices if c.pieces):
                return i
        return len(self.hidden) + 1 if self.output.weight_dim == 0 else None


@lru_cache(maxsize=1 << 14)
def _choice(action_in: Action, rho: SignedPermutationAction, lift: SignedPermutationAction,
            index: int, label: str) -> BlockChoice:
    # the same (rho_{i-1}, block, character) recurs across assignments and the width scan
    return BlockChoice(index, label, lift, weights_only(layer_space(action_in, lift)), lift_biases(rho, lift))


def _block_actions(G: GroupAction, b: TransitiveGSet) -> tuple[SignedPermutationAction, list[tuple[int, str, SignedPermutationAction]]]:
    F = b.group
    key = ("shift_block", G.names, b.stabilizer.mask, b.kernel.mask)
    if key not in F._cache:
        rho = gset_action(G, GSet(((b, 1),)))
        lifted = []
        for k, K in enumerate(_kernels(b)):
            t = TransitiveGSet(F, b.subgroup_class, b.stabilizer, K)
            lifted.append((k, t.label(), gset_action(G, GSet(((t, 1),)))))
        F._cache[key] = (rho, lifted)
    return F._cache[key]


def shift_space(group: GroupAction, chosen: tuple[LayerType, ...]) -> ShiftSpace:
    """Every part of every hidden layer's type with its choices of character (weights and
    bias components), and the output layer's space.

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> G = catalog_group("C4", 2, 2)
    >>> t = layer_types(G, 2, "sin").types[-1]       # r^2 negates both neurons
    >>> [(c.weights.dim, c.pieces, c.biases.free_dim) for c in shift_space(G, (t,)).hidden[0][0].choices]
    [(0, 0, 1), (2, 2, 0)]
    """
    rho0 = boundary_action(group.inputs)
    rho_l = boundary_action(group.outputs)
    acts: list[Action] = [rho0] + [t.post for t in chosen]
    hidden = []
    for i, t in enumerate(chosen):
        parts, offset = [], 0
        for b, m in t.gset.parts:
            rho, lifted = _block_actions(group, b)
            choices = tuple(_choice(acts[i], rho, A, k, label) for k, label, A in lifted)
            parts.append(BlockSpace(b.label(), b.size, m, offset, choices))
            offset += b.size * m
        hidden.append(tuple(parts))
    output = layer_space(acts[-1], rho_l)
    widths = (rho0.degree,) + tuple(t.pre.degree for t in chosen) + (rho_l.degree,)
    return ShiftSpace(widths, tuple(hidden), output)
