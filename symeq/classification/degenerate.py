"""Is a space of layerwise-equivariant parameters degenerate everywhere?

A space (one assignment of latent types to the hidden layers, :class:`NetworkSpace`) is
*degenerate* when every parameter in it makes some layer vanish (W_i = 0, so f is constant) or
has an inactive neuron (zero incoming row or zero outgoing column) or a redundant pair of
neurons (docs/theory.md section 3: neuron k's (row, bias) is the image of neuron j's under a
relation sigma(a z + c) = b sigma(z) + e of the activation).  Such an assignment can only
produce networks that reduce to a smaller one.

The answer is exact both ways:

* *degenerate* comes with a structural proof that holds on the whole space: no basis vector
  touches W_i; or none touches row j of W_i (or column j of W_{i+1}); or two neurons' (row,
  bias) are the *same* linear function of the parameters up to a constant allowed factor; or,
  for activations with a scale family (relu: a > 0; power: a != 0), three neurons whose rows
  are all multiples of one fixed vector (two of any three nonzero reals share a sign), or two
  such neurons under a power activation.  A linear space lies in a finite union of proper
  algebraic subsets only if it lies in one of them, which is why these identities are the
  whole story for the algebraic relation sets; for relu the remaining cases are sign patterns
  of linear forms, and they are answered by the witness search below.
* *non-degenerate* comes with a witness: a concrete parameter of the space (small random
  integers for the free parameters) checked exactly to have no zero layer, no inactive and no
  redundant neuron.
* otherwise *unknown* (no proof and no witness within the tries), said as such.

>>> from symeq.classification.spaces import SignedPermutationAction, network_space
>>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
>>> one = SignedPermutationAction(((0,),), ((1,),))
>>> degeneracy(network_space("tanh", one, one, [(swap, swap)]), "tanh").reason
'layer 1: neurons 1 and 2 are related by a = 1 for every parameter (redundant)'
>>> pair = SignedPermutationAction(((1, 0),), ((-1, -1),))     # swap and negate
>>> v = degeneracy(network_space("tanh", one, one, [(pair, pair)]), "tanh")
>>> v.status, v.reason
('degenerate', 'layer 1: neurons 1 and 2 are related by a = -1 for every parameter (redundant)')
>>> flip = SignedPermutationAction(((0,),), ((-1,),))
>>> degeneracy(network_space("tanh", flip, flip, [(pair, pair)]), "tanh").status
'non-degenerate'

"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.activations import activation as make_activation
from symeq.classification.spaces import LayerSpace, NetworkSpace
from symeq.exact import Matrix, exact_field

__all__ = ["Degeneracy", "degeneracy", "relation_scales", "DEFAULT_TRIES", "untouched", "related_pairs",
           "inactive_reason", "vanishing_problem", "related_rows", "space_field", "draw"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Random parameters tried when looking for a non-degenerate witness.
DEFAULT_TRIES = 12


@dataclass(frozen=True)
class Degeneracy:
    """The verdict on one space: ``status`` is "degenerate", "non-degenerate" or "unknown".

    ``reason`` says why in one line; ``witness`` (non-degenerate only) is a parameter of the
    space, as one (W_i, b_i) pair per layer, with no zero layer, no inactive and no redundant
    neuron."""

    status: str
    reason: str
    witness: tuple[tuple[Matrix, Matrix], ...] | None = None


def relation_scales(activation_spec: str) -> tuple[str, bool]:
    """Which factors a relate redundant neurons, read from the activation's relations:
    "one" (only a = 1), "sign" (a = +-1), "positive" (a > 0) or "nonzero" (a != 0); and whether
    the bias is free (c arbitrary: identity).

    >>> relation_scales("relu"), relation_scales("tanh"), relation_scales("identity")
    (('positive', False), ('sign', False), ('nonzero', True))
    """
    act = make_activation(activation_spec)
    two, one = sympy.Integer(2), sympy.Integer(1)
    neg_ok = act.relation_for(-one, sympy.Integer(0)) is not None
    scale_ok = act.relation_for(two, sympy.Integer(0)) is not None
    negscale_ok = act.relation_for(-two, sympy.Integer(0)) is not None
    free_bias = act.relation_for(one, one) is not None
    if negscale_ok:
        return "nonzero", free_bias
    if scale_ok:
        return "positive", free_bias
    return ("sign" if neg_ok else "one"), free_bias


def _allowed(kind: str, c: Any) -> bool:
    if kind == "nonzero":
        return c != 0
    if kind == "positive":
        return bool(c > 0)
    if kind == "sign":
        return c in (1, -1)
    return c == 1


def _neuron_forms(layer: LayerSpace, with_bias: bool) -> list[dict[tuple[int, int], sympy.Expr]]:
    """For a hidden layer's space, each neuron's (row, bias) as a linear function of the
    parameters: {(coordinate, basis index): coefficient}; the bias is coordinate d_{i-1}."""
    d_out, d_in = layer.shape
    forms: list[dict[tuple[int, int], sympy.Expr]] = [{} for _ in range(d_out)]
    for k, v in enumerate(layer.basis):
        for r, c, x in v.weight:
            forms[r][(c, k)] = forms[r].get((c, k), 0) + x
        if with_bias:
            for r, x in v.bias:
                forms[r][(d_in, k)] = forms[r].get((d_in, k), 0) + x
    return [{key: x for key, x in f.items() if x != 0} for f in forms]


def untouched(layer: LayerSpace, axis: str) -> int | None:
    """The first row (``axis`` "row") or column ("col") of W that no basis vector touches, so
    it is zero for every parameter of the space; None if every one is touched.

    >>> from symeq.classification.spaces import SignedPermutationAction, layer_space
    >>> flip = SignedPermutationAction(((0, 1),), ((1, -1),))
    >>> untouched(layer_space(SignedPermutationAction(((0,),), ((-1,),)), flip), "row")
    0
    """
    d_out, d_in = layer.shape
    k = 0 if axis == "row" else 1
    seen = {e[k] for v in layer.basis for e in v.weight}
    return next((j for j in range(d_out if axis == "row" else d_in) if j not in seen), None)


def related_pairs(keyed: list[tuple[Any, tuple]], K: Any, kind: str) -> list[tuple[int, int, sympy.Expr]]:
    """The pairs (j, k, a), j < k, of vectors with vector_k = a vector_j for an allowed factor a
    (``kind`` as in :func:`relation_scales`); vector j is given as (lead, normalized key) with
    vector_j = lead * key, as :func:`_normalize` makes them, keys over the field K.

    >>> from sympy import QQ
    >>> related_pairs([(QQ(1), (1, 2)), (QQ(-1), (1, 2)), (QQ(2), (1, 2))], QQ, "sign")
    [(0, 1, -1)]

    The pairs come group by group (groups in the order of their first member).
    """
    groups: dict[tuple, list[tuple[int, Any]]] = {}
    for j, (lead, key) in enumerate(keyed):
        groups.setdefault(key, []).append((j, lead))
    out = []
    for members in groups.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                (j, lj), (k, lk) = members[a], members[b]
                ratio = K.to_sympy(K.quo(lk, lj))
                if _allowed(kind, ratio):
                    out.append((j, k, ratio))
    return out


def inactive_reason(layer: LayerSpace, next_layer: LayerSpace, i: int) -> str | None:
    """Why some neuron of hidden layer i is inactive for every parameter (its row untouched by
    ``layer``'s basis, or its column untouched by ``next_layer``'s), or None; the lowest
    neuron is named, its row before its column.

    >>> from symeq.classification.spaces import SignedPermutationAction, layer_space
    >>> one, flip = SignedPermutationAction(((0,),), ((1,),)), SignedPermutationAction(((0,),), ((-1,),))
    >>> inactive_reason(layer_space(one, one), layer_space(flip, one), 1)
    'layer 1: neuron 1 has a zero outgoing column for every parameter (inactive)'
    """
    jr, jc = untouched(layer, "row"), untouched(next_layer, "col")
    if jr is not None and (jc is None or jr <= jc):
        return f"layer {i}: neuron {jr + 1} has a zero incoming row for every parameter (inactive)"
    if jc is not None:
        return f"layer {i}: neuron {jc + 1} has a zero outgoing column for every parameter (inactive)"
    return None


def _normalize(form: dict, K: Any) -> tuple[Any, tuple]:
    """(leading coefficient, the form divided by it) with a canonical ordering; the
    coefficients are elements of the field K, so equal keys mean exactly equal forms (an
    earlier version canonicalized with sympy.nsimplify, which rounds: 1 + 10**-20 became 1)."""
    keys = sorted(form)
    lead = form[keys[0]]
    return lead, tuple((key, K.quo(form[key], lead)) for key in keys)


def _rank_one_direction(form: dict, K: Any) -> tuple | None:
    """If the form is v * l(t) for a fixed vector v (rank one), the normalized v; else None."""
    by_param: dict[int, dict[int, Any]] = {}
    for (c, k), x in form.items():
        by_param.setdefault(k, {})[c] = x
    directions = {_normalize(col, K)[1] for col in by_param.values()}
    return directions.pop() if len(directions) == 1 else None


def _in_field(form: dict, K: Any, conv: dict) -> dict:
    """The form's coefficients as elements of K (nonzero ones only)."""
    out = {}
    for key, x in form.items():
        y = conv[x] if x in conv else K.from_sympy(sympy.sympify(x))
        if y != K.zero:
            out[key] = y
    return out


def _structural(space: NetworkSpace, kind: str, free_bias: bool, K: Any, conv: dict) -> str | None:
    """A reason why every parameter of the space is degenerate, or None (exact arithmetic in
    the field K that holds every entry of the space; ``conv`` maps an entry to K)."""
    L = len(space.layers)
    for i, layer in enumerate(space.layers, start=1):
        if layer.weight_dim == 0:
            return f"W_{i} = 0 for every parameter: the network computes a constant"
    for i in range(1, L):
        reason = inactive_reason(space.layers[i - 1], space.layers[i], i)
        if reason is not None:
            return reason
        forms = [_in_field(f, K, conv) for f in _neuron_forms(space.layers[i - 1], not free_bias)]
        for j, f in enumerate(forms):
            if not f:  # entries that cancel: the row is zero for every parameter
                return f"layer {i}: neuron {j + 1} has a zero incoming row for every parameter (inactive)"
        for j, k, ratio in related_pairs([_normalize(f, K) for f in forms], K, kind)[:1]:
            return (f"layer {i}: neurons {j + 1} and {k + 1} are related by a = {ratio} "
                    "for every parameter (redundant)")
        if kind in ("positive", "nonzero"):
            families: dict[tuple, list[int]] = {}
            for j, f in enumerate(forms):
                v = _rank_one_direction(f, K)
                if v is not None:
                    families.setdefault(v, []).append(j)
            need = 3 if kind == "positive" else 2
            for members in families.values():
                if len(members) >= need:
                    names = ", ".join(str(j + 1) for j in members[:need])
                    return (f"layer {i}: neurons {names} are multiples of one fixed row for every "
                            "parameter, so two of them are always related or zero (redundant)")
    return None


def vanishing_problem(weights: list[list[list[Any]]], K: Any) -> str | None:
    """Why a concrete parameter (the W_i as lists of rows over the field K) has a zero layer or
    an inactive neuron (zero incoming row or zero outgoing column), or None.

    >>> from sympy import QQ
    >>> vanishing_problem([[[QQ(1)], [QQ(2)]], [[QQ(3), QQ(0)]]], QQ)
    'layer 1 neuron 2: zero outgoing column'
    """
    for i, w in enumerate(weights, start=1):
        if all(x == K.zero for row in w for x in row):
            return f"W_{i} = 0"
    for i in range(1, len(weights)):
        w, w_next = weights[i - 1], weights[i]
        for j, row in enumerate(w):
            if all(x == K.zero for x in row):
                return f"layer {i} neuron {j + 1}: zero incoming row"
            if all(w_next[r][j] == K.zero for r in range(len(w_next))):
                return f"layer {i} neuron {j + 1}: zero outgoing column"
    return None


def related_rows(vectors: list[list[Any]], K: Any, kind: str) -> list[tuple[int, int, sympy.Expr]]:
    """:func:`related_pairs` of concrete nonzero vectors over K, ordered by the later neuron.

    >>> from sympy import QQ
    >>> related_rows([[QQ(1), QQ(2)], [QQ(3), QQ(1)], [QQ(-1), QQ(-2)]], QQ, "sign")
    [(0, 2, -1)]
    """
    keyed = []
    for vec in vectors:
        lead = next(x for x in vec if x != K.zero)
        keyed.append((lead, tuple(K.quo(x, lead) for x in vec)))
    return sorted(related_pairs(keyed, K, kind), key=lambda p: (p[1], p[0]))


def _witness_problem(params: list[tuple[list[list[Any]], list[Any]]], K, kind: str, free_bias: bool) -> str | None:
    """Why this concrete parameter is degenerate (None when it is not)."""
    problem = vanishing_problem([w for w, _ in params], K)
    if problem is not None:
        return problem
    for i in range(1, len(params)):
        w, b = params[i - 1]
        vecs = [list(row) + ([] if free_bias else [b[j]]) for j, row in enumerate(w)]
        for j, k, ratio in related_rows(vecs, K, kind)[:1]:
            return f"layer {i}: neurons {j + 1} and {k + 1} related by a = {ratio}"
    return None


def space_field(layers: list[LayerSpace]) -> tuple[Any, dict]:
    """(K, conv): the exact field holding every entry of the layer spaces, and each entry
    converted into it (converting once is what saves time).

    >>> from symeq.classification.spaces import SignedPermutationAction, layer_space
    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> space_field([layer_space(swap, swap)])[0]
    QQ
    """
    entries = {x for layer in layers for v in layer.basis for _, _, x in v.weight}
    entries |= {x for layer in layers for v in layer.basis for _, x in v.bias}
    return _field(tuple(sorted(entries, key=sympy.default_sort_key)))


@lru_cache(maxsize=1024)
def _field(entries: tuple[sympy.Expr, ...]) -> tuple[Any, dict]:
    # each distinct entry converted once: into QQ<sqrt(2)> that is what costs, not the checks
    K, elems = exact_field(entries)
    return K, dict(zip(entries, elems))


def draw(layer: LayerSpace, K: Any, conv: dict, rng: random.Random, spread: int) -> tuple[list[list[Any]], list[Any]]:
    """A random parameter (W, b) of the layer space over K: each basis vector gets a nonzero
    integer coefficient in [-spread, spread].

    >>> from symeq.classification.spaces import SignedPermutationAction, layer_space
    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> sp = layer_space(swap, swap)
    >>> w, b = draw(sp, *space_field([sp]), random.Random(0), 3)
    >>> w[0][0] == w[1][1] and b[0] == b[1]
    True
    """
    d_out, d_in = layer.shape
    w = [[K.zero] * d_in for _ in range(d_out)]
    b = [K.zero] * d_out
    for v in layer.basis:
        t = K.convert(rng.choice([x for x in range(-spread, spread + 1) if x != 0]))
        for r, c, x in v.weight:
            w[r][c] = w[r][c] + t * conv[x]
        for r, x in v.bias:
            b[r] = b[r] + t * conv[x]
    return w, b


def degeneracy(space: NetworkSpace, activation_spec: str, tries: int = DEFAULT_TRIES,
               seed: int = 0) -> Degeneracy:
    """Decide whether every parameter of ``space`` is degenerate (see the module docstring).

    >>> from symeq.classification.spaces import SignedPermutationAction, network_space
    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> v = degeneracy(network_space("relu", swap, swap, [(swap, swap)]), "relu")
    >>> v.status, v.witness[0][0].shape
    ('non-degenerate', (2, 2))
    """
    kind, free_bias = relation_scales(activation_spec)
    K, conv = space_field(list(space.layers))
    reason = _structural(space, kind, free_bias, K, conv)
    if reason is not None:
        return Degeneracy("degenerate", reason)
    rng = random.Random(seed)
    last = "no parameter tried"
    for attempt in range(tries):
        params = [draw(layer, K, conv, rng, 3 + 2 * attempt) for layer in space.layers]
        problem = _witness_problem(params, K, kind, free_bias)
        if problem is None:
            witness = tuple((ImmutableMatrix([[K.to_sympy(x) for x in row] for row in w]),
                             ImmutableMatrix([K.to_sympy(x) for x in b])) for w, b in params)
            return Degeneracy("non-degenerate", "a parameter of the space has no zero layer, no inactive "
                              "and no redundant neuron", witness)
        last = problem
    return Degeneracy("unknown", f"no structural proof, and {tries} random parameters were all degenerate "
                      f"(last: {last})")
