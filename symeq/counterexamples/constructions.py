"""Building blocks for counterexample searches: networks built to be G-equivariant.

* :func:`equivariant_linear_maps` -- a basis of Hom_G(rho_0, rho_L) (exact, orbit method where
  possible), the end-to-end linear maps a bypass network may compute;
* :func:`bypass_network` -- the linear bypass of docs/theory.md section 6: an activation with
  sigma(z) - sigma(-z) = kappa z (relu, gelu, softplus, swish: kappa = 1; leaky_relu:A:
  kappa = 1 + A) passes a linear map through every hidden layer with neurons [U; -U]; power:2
  does with bias pairs (U x + 1, U x - 1), by (y + 1)^2 - (y - 1)^2 = 4 y;
* :func:`space_network` -- a parameter of a layerwise-equivariant space (classification) with
  given small integer coefficients;
* :func:`duplicate_split` -- duplicate a hidden neuron and split its outgoing weights unevenly
  (the function is unchanged, docs/theory.md section 6);
* :func:`layerwise_evidence` -- the certificate evidence of a network that lies in the space of
  known latent types;
* :func:`non_constant_witness` -- two inputs where f differs, found by exact evaluation.

>>> from symeq.groups import catalog_group
>>> net = bypass_network("relu", (2, 4, 2), catalog_group("C8", 2, 2))
>>> net.weights[0].tolist(), net.weights[1].tolist()
([[1, 0], [0, 1], [-1, 0], [0, -1]], [[1, 0, -1, 0], [0, 1, 0, -1]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.activations import activation as make_activation
from symeq.classification.spaces import NetworkSpace, layer_space
from symeq.classification.results import LayerType
from symeq.classification.spaces import boundary_action
from symeq.architectures.mlp.bypass import bypass_factor as linear_bypass_factor
from symeq.architectures.mlp.witness import forward_ball
from symeq.errors import InputError
from symeq.exact import Matrix, exact_string, is_exact_zero
from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP

#: Activations evaluated with rigorous balls (as the checker does) instead of exactly.
_BALL_ACTIVATIONS = ("tanh", "sigmoid", "gelu", "softplus", "swish", "sin")

__all__ = [
    "bypass_factor",
    "equivariant_linear_maps",
    "bypass_network",
    "space_network",
    "duplicate_split",
    "layerwise_evidence",
    "non_constant_witness",
]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)


def bypass_factor(activation_spec: str) -> sympy.Expr | None:
    """kappa with sigma(z) - sigma(-z) = kappa z for all z, or None (no linear bypass).

    >>> bypass_factor("relu"), bypass_factor("leaky_relu:1/10"), bypass_factor("tanh")
    (1, 11/10, None)
    """
    return linear_bypass_factor(make_activation(activation_spec))


def equivariant_linear_maps(group: GroupAction) -> list[Matrix]:
    """Nonzero linear maps E with E rho_0(g) = rho_L(g) E for every g (exact), nicest first.

    Candidates are the group averages sum_g rho_L(g)^-1 X rho_0(g) of the matrix units X
    (rational whenever that is possible for them) and a basis of Hom_G from the orbit method;
    each is scaled to a primitive integer matrix when rational, and they are sorted rational
    first, then by the number of nonzero entries.

    >>> [m.tolist() for m in equivariant_linear_maps(catalog_group_for_doc())][:1]
    [[[1, 0], [0, 1]]]
    """
    d_in, d_out = group.input_dim, group.output_dim
    cands: list[Matrix] = []
    if len(group.elements()) <= 512:
        pairs = [(a, b.inv()) for a, b in group.elements()]
        for i in range(d_out):
            for j in range(d_in):
                acc = sympy.zeros(d_out, d_in)
                for a, binv in pairs:
                    acc += binv[:, i] * a[j, :]
                cands.append(ImmutableMatrix(acc.applyfunc(lambda z: sympy.radsimp(sympy.expand(z)))))
    space = layer_space(boundary_action(group.inputs), boundary_action(group.outputs))
    for v in space.basis:
        if v.weight:
            cands.append(v.matrices(space.shape)[0])
    out: list[Matrix] = []
    for m in cands:
        if all(z == 0 for z in m):
            continue
        if all(z.is_Rational for z in m):
            den = sympy.ilcm(*[z.q for z in m])
            num = sympy.igcd(*[(z * den).p for z in m if z != 0])
            m = ImmutableMatrix(m * den / num)
        if m not in out:
            out.append(m)
    out.sort(key=lambda m: (not all(z.is_Rational for z in m), sum(1 for z in m if z != 0),
                            max(abs(z) for z in m if z.is_Rational) if all(z.is_Rational for z in m) else 0))
    return out


def catalog_group_for_doc() -> GroupAction:
    """C8 on the plane (used by the doctests)."""
    from symeq.groups import catalog_group

    return catalog_group("C8", 2, 2)


def _factor(E: Matrix) -> tuple[Matrix, Matrix]:
    """E = V U with U of full row rank r (the pivot rows of the rref) and V the pivot columns."""
    R, pivots = E.rref()
    r = len(pivots)
    U = ImmutableMatrix(R[:r, :])
    V = ImmutableMatrix(E[:, list(pivots)])
    return V, U


def bypass_network(activation_spec: str, widths: Sequence[int], group: GroupAction,
                   E: Matrix | None = None) -> MLP | None:
    """A network of the architecture computing the G-equivariant linear map E (default: the
    first basis map) through the linear bypass, or None when the activation has none or a
    hidden layer is narrower than 2 rank(E).  Extra neurons are zero (inactive).

    Sign pairs (relu, leaky_relu, gelu, softplus, swish): rows [U; -U], zero biases, outgoing
    columns [V; -V] / kappa, by sigma(y) - sigma(-y) = kappa y.  Bias pairs (power:2, where a
    sign pair cancels): rows [U; U], biases [1; -1], columns [V; -V] / 4, by
    (y + 1)^2 - (y - 1)^2 = 4 y.  E = V U with U of full row rank r.

    >>> from symeq.groups import catalog_group
    >>> bypass_network("relu", (2, 3, 2), catalog_group("C8", 2, 2)) is None
    True
    >>> net = bypass_network("power:2", (2, 4, 2), catalog_group("C8", 2, 2))
    >>> net.weights[0].tolist(), net.biases[0].T.tolist(), net.weights[1].tolist()
    ([[1, 0], [0, 1], [1, 0], [0, 1]], [[1, 1, -1, -1]], [[1/4, 0, -1/4, 0], [0, 1/4, 0, -1/4]])
    """
    pair = _pair_kind(activation_spec)
    if pair is None:
        return None
    kappa, sgn, shift = pair  # partner row = sgn * row, biases +shift / -shift
    if E is None:
        maps = equivariant_linear_maps(group)
        if not maps:
            return None
        E = maps[0]
    if any(x.free_symbols for x in E) or E.shape != (widths[-1], widths[0]):
        raise InputError("the linear map must be numeric of shape d_L x d_0")
    V, U = _factor(E)
    r = U.rows
    if r == 0 or any(w < 2 * r for w in widths[1:-1]):
        return None
    act = make_activation(activation_spec)
    weights, biases = [], []
    hidden = widths[1:-1]

    def paired(rows: Matrix, d: int) -> tuple[Matrix, Matrix]:
        """Layer with rows [R; sgn R; 0] and biases [shift; -shift; 0] (d neurons)."""
        w, b = sympy.zeros(d, rows.cols), sympy.zeros(d, 1)
        w[:r, :], w[r:2 * r, :] = rows, sgn * rows
        b[:r, :], b[r:2 * r, :] = sympy.ones(r, 1) * shift, -sympy.ones(r, 1) * shift
        return w, b

    # layer 1 carries y = U x; every later layer reads y = (h+ - h-) / kappa and passes it on
    for i, d in enumerate(hidden):
        rows = U if i == 0 else sympy.eye(r).row_join(-sympy.eye(r)).row_join(sympy.zeros(r, hidden[i - 1] - 2 * r)) / kappa
        w, b = paired(ImmutableMatrix(rows), d)
        weights.append(w)
        biases.append(b)
    last = sympy.zeros(widths[-1], hidden[-1])
    last[:, :r] = V / kappa
    last[:, r:2 * r] = -V / kappa
    weights.append(last)
    biases.append(sympy.zeros(widths[-1], 1))
    return MLP(act, tuple(ImmutableMatrix(w) for w in weights), tuple(ImmutableMatrix(b) for b in biases))


def _pair_kind(activation_spec: str) -> tuple[sympy.Expr, int, int] | None:
    """(kappa, sign of the partner row, bias shift) of the activation's bypass pairs, or None."""
    kappa = bypass_factor(activation_spec)
    if kappa is not None:
        return kappa, -1, 0
    if make_activation(activation_spec).spec.replace(" ", "") == "power:2":
        return sympy.Integer(4), 1, 1
    return None


def space_network(activation_spec: str, space: NetworkSpace, coefficients: Sequence[int | sympy.Expr]) -> MLP:
    """The parameter sum_k c_k B_k of a layerwise-equivariant space (coefficients in the order
    of the layers' bases).

    >>> from symeq.classification.spaces import SignedPermutationAction, network_space
    >>> swap = SignedPermutationAction(((1, 0),), ((1, 1),))
    >>> sp = network_space("tanh", swap, swap, [(swap, swap)])
    >>> space_network("tanh", sp, [1, 2, 0, 1, 0, 0]).weights[0].tolist()
    [[1, 2], [2, 1]]
    """
    if len(coefficients) != space.dim:
        raise InputError(f"the space has dimension {space.dim}, got {len(coefficients)} coefficients")
    weights, biases, k = [], [], 0
    for layer in space.layers:
        w = sympy.zeros(*layer.shape)
        b = sympy.zeros(layer.shape[0], 1)
        for v in layer.basis:
            c = sympy.sympify(coefficients[k]) if isinstance(coefficients[k], int) else coefficients[k]
            k += 1
            if c == 0:
                continue
            for i, j, x in v.weight:
                w[i, j] += c * x
            for i, x in v.bias:
                b[i, 0] += c * x
        weights.append(ImmutableMatrix(w.applyfunc(sympy.expand)))
        biases.append(ImmutableMatrix(b.applyfunc(sympy.expand)))
    return MLP(make_activation(activation_spec), tuple(weights), tuple(biases))


def duplicate_split(net: MLP, layer: int, neuron: int, share: sympy.Expr, drop: int | None = None) -> MLP:
    """Duplicate neuron ``neuron`` of hidden layer ``layer`` (same incoming row and bias) and
    give the copy the fraction ``share`` of its outgoing column (the original keeps 1 - share):
    the function is unchanged.  ``drop`` removes that (inactive) neuron first, keeping the width.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "tanh", "weights": [[["1"], ["0"]], [["2", "0"]]],
    ...                          "biases": [["0", "0"], ["0"]]})
    >>> duplicate_split(net, 1, 0, sympy.Rational(1, 4), drop=1).weights[1].tolist()
    [[3/2, 1/2]]
    """
    ws, bs = [sympy.Matrix(w) for w in net.weights], [sympy.Matrix(b) for b in net.biases]
    w_in, b_in, w_out = ws[layer - 1], bs[layer - 1], ws[layer]
    keep = [j for j in range(w_in.rows) if j != drop]
    src = keep.index(neuron)
    w_in, b_in, w_out = w_in.extract(keep, list(range(w_in.cols))), b_in.extract(keep, [0]), \
        w_out.extract(list(range(w_out.rows)), keep)
    w_in = w_in.col_join(w_in[src, :])
    b_in = b_in.col_join(b_in[src, :])
    col = w_out[:, src]
    w_out[:, src] = col * (1 - share)
    w_out = w_out.row_join(col * share)
    ws[layer - 1], bs[layer - 1], ws[layer] = w_in, b_in, w_out.applyfunc(sympy.expand)
    return MLP(net.activation, tuple(ImmutableMatrix(w) for w in ws), tuple(ImmutableMatrix(b) for b in bs))


def _relation(act_name: str, a: int, b: int) -> dict[str, str]:
    """The trusted relation of one neuron under a signed type: pre-activation sign a, output
    sign b (sigmoid adds the shift e = 1 for a negated neuron)."""
    e = 1 if (act_name == "sigmoid" and a == -1) else 0
    return {"a": str(a), "c": "0", "b": str(b), "e": str(e)}


def layerwise_evidence(activation_spec: str, group: GroupAction, types: Sequence[LayerType]) -> dict[str, Any]:
    """The "layerwise" evidence for a network in the space of the given hidden-layer types.

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> G = catalog_group("sign", 1, 1)
    >>> t = layer_types(G, 1, "tanh").types[1]
    >>> layerwise_evidence("tanh", G, [t])["actions"]["m"][0]["relations"]
    [{'a': '-1', 'c': '0', 'b': '-1', 'e': '0'}]
    """
    name = make_activation(activation_spec).name
    actions: dict[str, list[dict[str, Any]]] = {}
    for k, g in enumerate(group.names):
        acts = []
        for t in types:
            perm = list(t.pre.perms[k])
            rels = [_relation(name, a, b) for a, b in zip(t.pre.signs[k], t.post.signs[k])]
            acts.append({"kind": "monomial", "perm": perm, "relations": rels})
        actions[g] = acts
    return {"method": "layerwise", "actions": actions}


def non_constant_witness(net: MLP) -> dict[str, Any] | None:
    """Two rational inputs x, y and a coordinate where f(x) != f(y), by exact evaluation
    (algebraic activations) or by disjoint rigorous balls (transcendental ones, at 64 bits, the
    checker's first precision) -- or None when none of the tried inputs separates.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "relu", "weights": [[["1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> non_constant_witness(net)
    {'x': ['0'], 'y': ['1'], 'coordinate': 0}
    >>> non_constant_witness(net.with_activation(make_activation("gelu")))
    {'x': ['0'], 'y': ['1'], 'coordinate': 0}
    """
    if net.symbols:
        return None
    d = net.widths[0]
    zero = ImmutableMatrix.zeros(d, 1)
    points = [zero]
    for j in range(d):
        for s in (1, -1, 2):
            e = sympy.zeros(d, 1)
            e[j] = s
            points.append(ImmutableMatrix(e))
    if net.activation.algebraic:
        values = [list(net.value(p).applyfunc(sympy.expand)) for p in points]

        def differ(u: Any, v: Any) -> bool:
            return not is_exact_zero(u - v)
    elif net.activation.name in _BALL_ACTIVATIONS:
        values = [forward_ball(net, list(p)) for p in points]

        def differ(u: Any, v: Any) -> bool:
            return not (u - v).contains(0)
    else:
        return None
    for a in range(len(points)):
        for b in range(a + 1, len(points)):
            for k, (u, v) in enumerate(zip(values[a], values[b])):
                if differ(u, v):
                    return {"x": [exact_string(v) for v in points[a]],
                            "y": [exact_string(v) for v in points[b]], "coordinate": k}
    return None
