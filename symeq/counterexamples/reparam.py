"""Refuting "layerwise-reparam" by classification (docs/theory.md section 6).

The claim: every G-equivariant network has a parameter of the same architecture with the same
function that is layerwise equivariant.  The refutation has two halves:

1. *Every layerwise-equivariant parameter of the architecture computes a constant.*  Classify
   the latent types of every hidden layer (homomorphisms G -> K_i up to conjugacy); for every
   assignment of types to the layers the weight equations force some W_i = 0.  (For the
   identity map of R^2 under C_8 through width-4 ReLU: every C_8-set of 4 points has
   stabilizers containing r^4, and rho_0(r^4) = -I forces every row of W_1 to vanish.)
2. *Some G-equivariant network of the architecture is not constant*: the linear bypass
   sigma(z) - sigma(-z) = kappa z carries a G-equivariant linear map (the identity, under C_8),
   proved equivariant by ``symeq check``; two inputs show it is not constant.

The certificate lists the types (their actions on the pre-activations) and the zero layer of
every assignment; the checker re-counts the homomorphisms itself and derives the action on each
layer from the activation (symeq/kernel/mlp_refute.py: relu-type and tanh layers by lemmas L1, L2;
power:M by L3, whose even M drops the signs on the layer).  For power:2 under C_8 the network is
the bias-pair bypass (y + 1)^2 - (y - 1)^2 = 4 y.  When some assignment does not force a
zero layer, the claim is *not refuted by this construction*; for one hidden relu-type layer the
search then tries to exhibit a layerwise-equivariant parameter with the same function as the
bypass network (for C_8 and width 8: eight directions at 45 degrees, W_2 = U^T / 2).

>>> from symeq.groups import catalog_group
>>> out = refute_layerwise_reparam("relu", (2, 4, 2), catalog_group("C8", 2, 2))
>>> out.verdict, out.network.weights[0].tolist()
('refuted', [[1, 0], [0, 1], [-1, 0], [0, -1]])
>>> from symeq.certify.verify import verify_certificate
>>> verify_certificate(out.certificate()).ok
True
"""

from __future__ import annotations

import time
from itertools import product
from typing import Any

import sympy
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.classification.classify import assignment_space, classify

from symeq.classification.results import Classification
from symeq.classification.spaces import NetworkSpace
from symeq.counterexamples.constructions import (
    bypass_network,
    equivariant_linear_maps,
    non_constant_witness,
)
from symeq.counterexamples.outcome import Outcome, counterexample_certificate
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.errors import BudgetExceeded
from symeq.exact import exact_field
from symeq.groups import GroupAction
from symeq.architectures import network_to_dict
from symeq.architectures.mlp.model import MLP

__all__ = ["refute_layerwise_reparam", "CHECKABLE_KINDS", "relu_reparametrization"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

#: Engine latent kinds whose classification proofs the checker verifies, by its name for them
#: ("even": signed permutations on the pre-activations, their permutations on the layer).
CHECKABLE_KINDS = {"permutation": "permutation", "signed": "signed_permutation", "even": "signed_lift"}
#: Activations whose classification proofs the kernel verifies (power:M by lemma L3 of
#: symeq/kernel/mlp_refute.py, both parities; it reads the kind from M itself).
_CHECKABLE_ACTIVATIONS = ("relu", "leaky_relu", "gelu", "softplus", "swish", "tanh", "power")


def _candidates(activation: str, widths: tuple[int, ...], group: GroupAction) -> list[MLP]:
    """Equivariant networks of the architecture to try, nicest first: bypass networks of the
    equivariant linear maps."""
    out = []
    for E in equivariant_linear_maps(group)[:6]:
        net = bypass_network(activation, widths, group, E)
        if net is not None and net not in out:
            out.append(net)
    return out


def _type_table(C: Classification) -> list[list[dict[str, Any]]]:
    # The pre-activation actions: the checker derives the action on the layer itself (for
    # "even" it forgets the signs), so the certificate states only what it cannot derive.
    out = []
    for L in C.layers:
        out.append([{g: {"perm": list(t.pre.perms[k]), "signs": list(t.pre.signs[k])}
                     for k, g in enumerate(C.group.names)} for t in L.types])
    return out


def refute_layerwise_reparam(activation: str, widths: tuple[int, ...], group: GroupAction,
                             budget: int = 2_000) -> Outcome:
    """Search a refutation of "layerwise-reparam" for this architecture and group."""
    start = time.perf_counter()
    claim = "layerwise-reparam"
    try:
        C = classify(activation, widths, group, budget=budget, smallest=False)
    except BudgetExceeded as exc:
        return Outcome(claim, "unknown", f"classification passed the budget: {exc}")
    if not C.complete and C.kind != "real":  # (the linear case below needs no classification)
        return Outcome(claim, "unknown", f"{C.total_assignments} assignments of latent types exceed the budget "
                       f"{budget}; the classification half of the proof was not completed")
    summary = {"types_per_layer": [L.count for L in C.layers], "assignments": C.total_assignments}
    if C.kind == "real":
        return _linear_outcome(C, summary)
    free = [a for a in C.assignments if a.zero_layer is None]
    if free:
        labels = [[C.layers[i].types[t].label for i, t in enumerate(a.types)] for a in free]
        details: dict[str, Any] = {**summary, "assignments_without_zero_layer": labels}
        msg = (f"not refuted by the classification construction: {len(free)} of {C.total_assignments} "
               "assignments of latent types admit layerwise-equivariant parameters with no vanishing layer "
               f"(e.g. {'; '.join(labels[0])})")
        example = _exhibit(activation, widths, group, C)
        if example is not None:
            details["layerwise_reparametrization"] = example
            msg += (f"; the bypass network's function {example['function']} is computed by a layerwise-"
                    f"equivariant parameter of type {example['type']}")
        return Outcome(claim, "not refuted", msg, details=details)
    tried = 0
    for net in _candidates(activation, widths, group):
        tried += 1
        witness = non_constant_witness(net)
        if witness is None:
            continue
        result = check_equivariance(net, group)
        if result.verdict != "holds":
            continue
        msg = (f"refuted: every one of the {C.total_assignments} assignments of latent types forces a layer "
               f"to vanish, so every layerwise-equivariant parameter of {activation}:"
               f"{'-'.join(map(str, widths))} computes a constant; this network is G-equivariant "
               f"({result.method}) and not constant")
        cert = None
        if activation.split(":")[0] in _CHECKABLE_ACTIVATIONS and C.kind in CHECKABLE_KINDS:
            evidence = {"method": "classification", "equivariance": result.evidence(),
                        "non_constant": witness, "latent_kind": CHECKABLE_KINDS[C.kind],
                        "types": _type_table(C),
                        "assignments": [{"types": list(a.types), "zero_layer": a.zero_layer}
                                        for a in C.assignments]}
            cert = counterexample_certificate(net, group, claim, evidence, seconds=time.perf_counter() - start)
        else:
            msg += " (the checker does not verify classification proofs for this activation: no certificate)"
        return Outcome(claim, "refuted", msg, net, cert, {**summary, "zero_layers": sorted(
            {a.zero_layer for a in C.assignments})}, tried)
    return Outcome(claim, "not refuted", "every layerwise-equivariant parameter computes a constant, but no "
                   "non-constant G-equivariant network of this architecture was found among the constructions "
                   "tried (linear bypass)", details=summary, tried=tried)


def _linear_outcome(C: Classification, summary: dict[str, Any]) -> Outcome:
    """Linear networks (kind "real"): the claim is a theorem, proved in the message.

    >>> from symeq.groups import catalog_group
    >>> out = refute_layerwise_reparam("identity", (2, 2, 2), catalog_group("C8", 2, 2))
    >>> out.verdict, out.details["nondegenerate_assignments"]
    ('not refuted', 1)
    """
    arch = f"{C.activation}:{'-'.join(map(str, C.widths))}"
    msg = (f"not refuted: for linear networks the claim holds. A G-equivariant network of {arch} computes "
           "f(x) = A x + c with A rho_0(g) = rho_L(g) A and c fixed by rho_L; the rank r of A is at most every "
           "hidden width d_i (A factors through every hidden layer), and im(A) is a G-invariant subspace of V_L. With V_i = im(A) + (d_i - r) trivial "
           "coordinates, W_1 = A onto im(A), the inclusions of im(A) in between, W_L the inclusion "
           "im(A) -> V_L, b_L = c and the other biases 0, every layer is equivariant and the function is f")
    nondeg = [a for a in C.assignments if a.degeneracy.status == "non-degenerate"]
    details: dict[str, Any] = {**summary, "nondegenerate_assignments": len(nondeg) if C.complete else None}
    if nondeg:
        labels = [C.layers[i].types[t].label for i, t in enumerate(nondeg[0].types)]
        msg += (f"; the classification also has {len(nondeg)} non-degenerate assignment(s) (e.g. "
                f"{'; '.join(labels)}), whose generic parameters have full-rank layers: there every hidden width "
                "equals the rank")
    return Outcome("layerwise-reparam", "not refuted", msg, details=details)


# -- showing that the claim holds for the bypass network (one hidden relu-type layer) --------


def _exhibit(activation: str, widths: tuple[int, ...], group: GroupAction, C: Classification) -> dict[str, Any] | None:
    if len(widths) != 3 or activation.split(":")[0] not in ("relu", "leaky_relu"):
        return None
    targets = _candidates(activation, widths, group)
    if not targets:
        return None
    target = targets[0]
    E = _linear_part(target)
    for a in C.assignments:
        if a.zero_layer is not None or a.degeneracy.status != "non-degenerate":
            continue
        chosen = tuple(C.layers[i].types[t] for i, t in enumerate(a.types))
        space = assignment_space(activation, group, chosen)
        net = relu_reparametrization(activation, space, E)
        if net is None:
            continue
        result = check_equivariance(net, group)
        if result.verdict == "holds" and result.method == "layerwise":
            return {"type": " ; ".join(t.label for t in chosen), "function": f"x -> {E.tolist()} x",
                    "network": network_to_dict(net)}
    return None


def _linear_part(net: MLP) -> ImmutableMatrix:
    """The matrix of a network that computes a linear map (f(e_j) as columns)."""
    cols = []
    for j in range(net.widths[0]):
        e = sympy.zeros(net.widths[0], 1)
        e[j] = 1
        cols.append(net.value(ImmutableMatrix(e)).applyfunc(sympy.expand))
    return ImmutableMatrix.hstack(*cols)


def relu_reparametrization(activation: str, space: NetworkSpace, E: ImmutableMatrix) -> MLP | None:
    """A parameter of a one-hidden-layer relu/leaky_relu space computing x -> E x, or None.

    Layer 1 is fixed to the space's weight basis with unit coefficients on the rows (zero
    biases, so every hyperplane passes through 0); then f(x) = W_2 sigma(W_1 x) is linear in
    the layer-2 parameters: for each hyperplane class n (rows positively proportional to n or
    to -n) the relu coefficients must cancel and the linear parts must add up to E.  That is
    an exact linear system over the number field of the entries.

    >>> from symeq.groups import catalog_group
    >>> from symeq.classification.types import layer_types
    >>> from symeq.classification.classify import assignment_space
    >>> G = catalog_group("C8", 2, 2)
    >>> regular = [t for t in layer_types(G, 8, "relu").types if "size 8" in t.label][0]
    >>> net = relu_reparametrization("relu", assignment_space("relu", G, (regular,)), sympy.eye(2))
    >>> net.weights[0][:3, :].tolist(), net.weights[1][:, :2].tolist()
    ([[1, 0], [sqrt(2)/2, sqrt(2)/2], [0, 1]], [[1/2, sqrt(2)/4], [0, sqrt(2)/4]])
    """
    first, second = space.layers
    weight_vectors = [v for v in first.basis if v.weight]
    if not weight_vectors:
        return None
    for choice in _first_layer_choices(len(weight_vectors)):
        W1 = sympy.zeros(*first.shape)
        for c, v in zip(choice, weight_vectors):
            for i, j, x in v.weight:
                W1[i, j] += c * x
        W1 = W1.applyfunc(sympy.expand)
        net = _solve_second_layer(activation, ImmutableMatrix(W1), second, E)
        if net is not None:
            return net
    return None


def _first_layer_choices(n: int) -> list[tuple[int, ...]]:
    unit = [tuple(1 if k == j else 0 for k in range(n)) for j in range(n)]
    return unit + [c for c in product((1, 2, -1), repeat=n) if any(c)][: 20]


def _solve_second_layer(activation: str, W1: ImmutableMatrix, second, E: ImmutableMatrix) -> MLP | None:
    from symeq.activations import activation as make_activation

    act = make_activation(activation)
    slope = act._slope if act.name == "leaky_relu" else sympy.Integer(0)
    d1, d0 = W1.shape
    if any(all(x == 0 for x in W1.row(j)) for j in range(d1)):
        return None
    # normalize each row: n_j = W1[j] / |lead|, sign s_j: relu(W1[j] x) = |lead| relu(s_j n x)
    classes: list[ImmutableMatrix] = []
    info = []
    for j in range(d1):
        row = W1.row(j)
        lead = next(x for x in row if x != 0)
        scale = sympy.Abs(lead)
        n = (row / lead).applyfunc(sympy.radsimp)  # first nonzero entry 1
        s = 1 if lead > 0 else -1
        key = next((k for k, m in enumerate(classes) if m == n), None)
        if key is None:
            classes.append(ImmutableMatrix(n))
            key = len(classes) - 1
        info.append((key, s, scale))
    # unknowns: the layer-2 space coefficients t_k; W2 = sum t_k B_k (weights), b2 = sum t_k (bias)
    t = sympy.symbols(f"t0:{second.dim}")
    W2, b2 = second.general(t)
    eqs = []
    # relu(s n x) for s = -1 equals relu(n x) - (1 - slope) n x  (leaky: sigma(z) = slope z + (1-slope) relu(z))
    lin = sympy.zeros(E.rows, d0)
    coeff = [sympy.zeros(E.rows, 1) for _ in classes]
    for j, (key, s, scale) in enumerate(info):
        col = W2[:, j] * scale
        lin += slope * col * (s * classes[key])
        if s == 1:
            coeff[key] += (1 - slope) * col
        else:
            coeff[key] += (1 - slope) * col
            lin += -(1 - slope) * col * classes[key]
    for c in coeff:
        eqs.extend(list(c))
    eqs.extend(list(lin - E))
    eqs.extend(list(b2))
    A, rhs = sympy.linear_eq_to_matrix([sympy.expand(e) for e in eqs], t)
    entries = list(A) + list(rhs) or [sympy.Integer(0)]
    K, elems = exact_field(entries)
    na = A.rows * A.cols
    Ad = DomainMatrix([elems[i * A.cols:(i + 1) * A.cols] for i in range(A.rows)], A.shape, K)
    aug = Ad.hstack(DomainMatrix([[x] for x in elems[na:na + A.rows]], (A.rows, 1), K))
    R, pivots = aug.rref()
    n = len(t)
    if n in pivots:
        return None
    sol = [K.zero] * n
    rows = R.to_list()
    for r, p in enumerate(pivots):
        sol[p] = rows[r][n]
    values = {sym: K.to_sympy(v) for sym, v in zip(t, sol)}
    W2v = ImmutableMatrix(W2.subs(values).applyfunc(sympy.expand))
    b2v = ImmutableMatrix(b2.subs(values).applyfunc(sympy.expand))
    if all(x == 0 for x in W2v):
        return None
    return MLP(act, (W1, W2v), (ImmutableMatrix.zeros(d1, 1), b2v))

