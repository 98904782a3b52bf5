"""The theorems an ``identifiable`` certificate cites, in the words the checker trusts.

A criterion (:mod:`symeq.architectures.mlp.criteria`) or an exact fiber computation
(:mod:`symeq.architectures.mlp.fibers`) that proves theta identifiable rests on a result the
checker cannot re-prove.  The certificate therefore names the result by key, repeats its
citation and statement, and lists the conditions it checked; the independent checker holds its
own copy of the table (``TRUSTED_THEOREMS`` in symeq/certify/checker_identifiable.py), accepts
only these keys with exactly these words, and re-verifies every condition on the concrete
theta.  tests/test_identify_certificates.py asserts that the two tables agree word for word.

:data:`THEOREMS` maps key -> (citation, statement, condition names); :func:`criterion_evidence`
and :func:`fiber_evidence` build the evidence objects (docs/certificates.md, claim kind
``identifiable``).

>>> from sympy import ImmutableMatrix as M
>>> from symeq.activations import activation
>>> from symeq.architectures.mlp.model import MLP
>>> from symeq.architectures.mlp.criteria import sussmann_tanh
>>> net = MLP(activation("tanh"), (M([[1, 0], [0, 1]]), M([[1, 1]])), (M([0, 1]), M([0])))
>>> ev = criterion_evidence(sussmann_tanh(net))
>>> ev["theorem"], ev["conditions"]
('sussmann1992', ['hidden_no_zero_outgoing_column', 'hidden_no_zero_incoming_row', 'hidden_no_sign_pair'])
"""

from __future__ import annotations

from typing import Any

from symeq.architectures.mlp.criteria import CriterionResult
from symeq.architectures.mlp.fibers import FiberResult

__all__ = ["THEOREMS", "criterion_evidence", "fiber_evidence"]

#: key -> (citation, statement, conditions), word for word the checker's TRUSTED_THEOREMS.
THEOREMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "no_hidden_layer": (
        'elementary',
        'A network without hidden layers computes x -> W_1 x + b_1, which determines W_1 and '
        'b_1, and K is trivial: theta is identifiable.',
        ('no_hidden_layer',)),
    "sussmann1992": (
        'H. J. Sussmann, Uniqueness of the weights for minimal feedforward nets with a given '
        'input-output map, Neural Networks 5(4):589-593, 1992',
        'One hidden layer of tanh units. If no hidden unit has a zero outgoing column, no '
        'hidden unit has a zero incoming row, and no two hidden units have (w_j, b_j) = +-(w_k,'
        " b_k), then every theta' of the same architecture with the same function is obtained "
        'from theta by a permutation of the hidden units combined with sign flips (w_j, b_j, '
        'W_2[:, j]) -> -(w_j, b_j, W_2[:, j]), and that transformation is unique: theta is '
        'identifiable. Sussmann states the theorem for one output; the form for several outputs'
        ' (apply it to u^T f with u^T W_2[:, j] != 0 for all j, then match the outgoing columns'
        ' by the linear independence of 1 and the tanh(w_j . x + b_j)) and the uniqueness of '
        "the transformation are symeq's argument (symeq.identifiability.criteria).",
        ('hidden_no_zero_outgoing_column', 'hidden_no_zero_incoming_row', 'hidden_no_sign_pair')),
    "sussmann1992_logistic": (
        'H. J. Sussmann, Uniqueness of the weights for minimal feedforward nets with a given '
        'input-output map, Neural Networks 5(4):589-593, 1992; transfer by sigma(z) = (1 + '
        'tanh(z/2))/2; F. Albertini, E. D. Sontag, V. Maillot, Uniqueness of weights for neural'
        ' networks, Artificial Neural Networks for Speech and Vision, 1993',
        'One hidden layer of logistic sigmoid units. sigma(z) = (1 + tanh(z/2))/2 turns the '
        'network into a tanh network by an invertible affine change of parameters that maps '
        'zero rows, zero columns and the relation sigma(-z) = 1 - sigma(z) to their tanh '
        'counterparts. So if no hidden unit has a zero outgoing column or a zero incoming row '
        "and no two have (w_j, b_j) = +-(w_k, b_k), every theta' with the same function is "
        'obtained from theta by a unique permutation of the hidden units combined with flips '
        '(w_j, b_j) -> -(w_j, b_j), W_2[:, j] -> -W_2[:, j], b_2 -> b_2 + W_2[:, j]: theta is '
        "identifiable (Sussmann 1992 after the transfer; the transfer is symeq's argument).",
        ('hidden_no_zero_outgoing_column', 'hidden_no_zero_incoming_row', 'hidden_no_sign_pair')),
    "vlacic_bolcskei2021": (
        'V. Vlacic, H. Bolcskei, Affine symmetries and neural network identifiability, Adv. '
        'Math. 376:107485, 2021; network conditions from V. Vlacic, H. Bolcskei, Neural network'
        ' identifiability for a family of sigmoidal nonlinearities, Constr. Approx. 55:173-224,'
        ' 2022, Definition 1',
        'Sufficient condition as stated in the abstract of the 2021 paper and Definition 1 of '
        'the 2022 paper; the theorem statement itself was not re-read. tanh networks (the '
        'logistic sigmoid through sigma(z) = (1 + tanh(z/2))/2) with two or more hidden layers:'
        ' if no weight matrix W_1, ..., W_L has an identically zero row or column and no two '
        "neurons of a hidden layer are clones, (w_j, b_j) = +-(w_k, b_k), then every theta' of "
        'the same architecture with the same function is related to theta by signed '
        'permutations of the hidden layers (for the sigmoid, the transferred flips), uniquely: '
        'theta is identifiable.',
        ('hidden_no_zero_incoming_row', 'hidden_no_zero_outgoing_column', 'hidden_no_sign_pair',
         'no_zero_input_column_or_output_row')),
    "kruskal1977": (
        'J. B. Kruskal, Three-way arrays, Linear Algebra Appl. 18:95-138, 1977; N-way form: N. '
        'D. Sidiropoulos, R. Bro, J. Chemometrics 14:229-239, 2000; applied to polynomial '
        'networks as in K. Usevich et al., Identifiability of deep polynomial neural networks, '
        'arXiv:2506.17093',
        'One hidden layer of power:M units. With v_j = (W_1[j, :], b_1[j]), V = [v_1 ... v_r] '
        'and e = e_(d_0 + 1), f is the tensor sum_j W_2[:, j] (x) v_j^(x)M + b_2 (x) e^(x)M. '
        "Kruskal's theorem in its N-way form (if no factor matrix has a zero column and the "
        'Kruskal ranks of the N factor matrices sum to at least 2R + N - 1, the rank-R '
        'decomposition is unique up to permutation and scaling of its terms), with N = M + 1: '
        'if (K0) no column of W_2 is zero, (K1) k(W_2) + M k(V) >= 2r + M and (K2) 1 + M k([V, '
        "e]) >= 2(r + 1) + M, then b_2 is determined (by K2, a different b'_2 would give an (r "
        '+ 1)-term decomposition of rank r + 1 equal to an r-term sum) and so are the terms '
        "W_2[:, j] (x) v_j^(x)M (by K1): every theta' with the same function is theta with "
        'permuted neurons and real scalings (v_j, W_2[:, j]) -> (a v_j, a^-M W_2[:, j]), '
        "uniquely: theta is identifiable. The reduction to Kruskal's theorem is symeq's "
        'argument (symeq.identifiability.criteria).',
        ('hidden_no_zero_outgoing_column', 'kruskal_K1', 'kruskal_K2')),
    "linear_rank": (
        'elementary linear algebra of rank factorizations (THEORY.md section 3)',
        'Identity activation. If every hidden width equals r = rank(W_L ... W_1), every factor '
        "has full rank r, and the layer maps of any theta' with the same affine function are "
        'those of theta composed with invertible affine maps of R^r, one per hidden layer (K = '
        'Aff(r) per hidden layer), which are unique: theta is identifiable.',
        ('hidden_widths_equal_rank',)),
    "power_fiber_slice": (
        "symeq's slice argument (symeq.identifiability.fibers); Hermite's theorem (the number "
        'of distinct complex zeros of a zero-dimensional ideal is the rank of its trace form); '
        "sympy's groebner (reduced grevlex basis over QQ)",
        'One hidden layer of power:M units, one output, rational parameters, every outgoing '
        'weight nonzero and the rows v_j = (W_1[j, :], b_1[j]) pairwise non-proportional. If '
        '(a) for every proper subset S of the hidden neurons (S may be empty) the fiber ideal '
        'of the network with the neurons of S only, outgoing weights 1, unknown rows and '
        'unknown output bias is the unit ideal, and (b) the slice of the fiber where every '
        'outgoing weight is 1 is zero-dimensional with exactly d_1! M^d_1 distinct complex '
        'points, then the fiber of theta is its K-orbit (permutations and real scalings (a v_j,'
        ' a^-M c_j)) with trivial stabilizer: theta is identifiable. (The complex orbit meets '
        'the slice in exactly d_1! M^d_1 points; fiber points with nonzero outgoing weights '
        'scale into the slice, the others are excluded by (a); real points of the orbit come '
        'from real scalings.)',
        ('one_output', 'hidden_no_zero_outgoing_column', 'no_proportional_rows',
         'no_smaller_subnetwork', 'slice_count')),
}


def _evidence(method: str, key: str, conditions: list[str]) -> dict[str, Any]:
    citation, statement, expected = THEOREMS[key]
    if sorted(conditions) != sorted(expected):
        raise ValueError(f"the conditions {conditions} are not those of theorem {key}")
    return {"method": method, "theorem": key, "citation": citation, "statement": statement,
            "conditions": conditions}


def criterion_evidence(crit: CriterionResult) -> dict[str, Any] | None:
    """The ``criterion`` evidence for a criterion that proved identifiability, else None (the
    criterion did not hold, or it rests on no theorem of the table, e.g. ReLU's conjecture).

    >>> from symeq.architectures.mlp.criteria import CriterionResult
    >>> criterion_evidence(CriterionResult("conjectural", "c", "r")) is None
    True
    """
    if crit.verdict != "identifiable" or crit.theorem not in THEOREMS:
        return None
    if not all(c.holds for c in crit.conditions):
        return None
    return _evidence("criterion", crit.theorem, [c.name for c in crit.conditions])


def fiber_evidence(fib: FiberResult) -> dict[str, Any] | None:
    """The ``exact_fiber`` evidence for a fiber computation that proved identifiability by the
    power:M slice argument, else None (other fiber decisions are not re-checked by the checker).

    >>> from symeq.architectures.mlp.fibers import FiberResult
    >>> fiber_evidence(FiberResult("hidden symmetries")) is None
    True
    """
    if fib.status != "identifiable" or not fib.slice_basis or fib.slice_points is None:
        return None
    ev = _evidence("exact_fiber", "power_fiber_slice", list(THEOREMS["power_fiber_slice"][2]))
    ev["slice_basis"] = list(fib.slice_basis)
    ev["points"] = fib.slice_points
    return ev
