"""The literature theorems the identifiability claims take on trust (second-tier items).

A literature theorem cannot be re-proved by the kernel; its hypotheses on the concrete theta can.
:data:`THEOREMS` is the complete list of results the ``identifiable`` and ``weakly_identifiable``
claims rest on, and :data:`CONDITIONS` checks their hypotheses exactly, on the kernel's
primitives (rank conditions from hints: a nonzero minor and a kernel basis, or one nonzero minor
per column subset for a Kruskal rank).  The kernel (:mod:`symeq.kernel.mlp`) receives
both from :func:`symeq.certify.verify.verify_certificate`, accepts only these keys with exactly
these words, runs every condition, and names the theorem in the verdict ("relies on: kernel;
theorem Sussmann 1992 (literature)").  The engine writes certificates from this same table.
Each entry says how far it is trusted (basis).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from symeq.certify.slice_ideal import NAME as SLICE_IDEAL
from symeq.kernel.core import Reject
from symeq.kernel.linalg import certified_rank, mul, nonzero_minor
from symeq.kernel.mlp import rows

__all__ = ["Theorem", "THEOREMS", "CONDITIONS", "LEMMAS", "INVARIANTS"]


@dataclass(frozen=True)
class Theorem:
    """One trusted result: where it comes from and exactly what the checker assumes.

    ``basis`` is how far it is trusted: "literature", "literature, read in part", "symeq
    argument" or "elementary"; ``hidden`` the allowed numbers of hidden layers (min, max or None).
    """

    name: str
    citation: str
    statement: str
    basis: str
    method: str
    activations: tuple[str, ...]
    hidden: tuple[int, int | None]
    conditions: tuple[str, ...]
    trust: str = "trusted, not re-proved by the checker"


_SUSSMANN = ("H. J. Sussmann, Uniqueness of the weights for minimal feedforward nets with a given "
             "input-output map, Neural Networks 5(4):589-593, 1992")
_VB = ("V. Vlacic, H. Bolcskei, Affine symmetries and neural network identifiability, Adv. Math. "
       "376:107485, 2021; network conditions from V. Vlacic, H. Bolcskei, Neural network "
       "identifiability for a family of sigmoidal nonlinearities, Constr. Approx. 55:173-224, "
       "2022, Definition 1")
_KRUSKAL = ("J. B. Kruskal, Three-way arrays, Linear Algebra Appl. 18:95-138, 1977; N-way form: "
            "N. D. Sidiropoulos, R. Bro, J. Chemometrics 14:229-239, 2000; applied to polynomial "
            "networks as in K. Usevich et al., Identifiability of deep polynomial neural networks, "
            "arXiv:2506.17093")

#: The complete list of results the identifiability claims take on trust.  Nothing else is.
THEOREMS: dict[str, Theorem] = {
    "no_hidden_layer": Theorem(
        "a network without hidden layers", "elementary",
        "A network without hidden layers computes x -> W_1 x + b_1, which determines W_1 and b_1, "
        "and K is trivial: theta is identifiable.",
        "elementary", "criterion", ("*",), (0, 0), ("no_hidden_layer",)),
    "sussmann1992": Theorem(
        "Sussmann 1992", _SUSSMANN,
        "One hidden layer of tanh units. If no hidden unit has a zero outgoing column, no hidden "
        "unit has a zero incoming row, and no two hidden units have (w_j, b_j) = +-(w_k, b_k), "
        "then every theta' of the same architecture with the same function is obtained from "
        "theta by a permutation of the hidden units combined with sign flips (w_j, b_j, "
        "W_2[:, j]) -> -(w_j, b_j, W_2[:, j]), and that transformation is unique: theta is "
        "identifiable. Sussmann states the theorem for one output; the form for several outputs "
        "(apply it to u^T f with u^T W_2[:, j] != 0 for all j, then match the outgoing columns by "
        "the linear independence of 1 and the tanh(w_j . x + b_j)) and the uniqueness of the "
        "transformation are symeq's argument (symeq.identifiability.criteria).",
        "literature", "criterion", ("tanh",), (1, 1),
        ("hidden_no_zero_outgoing_column", "hidden_no_zero_incoming_row", "hidden_no_sign_pair")),
    "sussmann1992_logistic": Theorem(
        "Sussmann 1992 transferred to the logistic sigmoid",
        f"{_SUSSMANN}; transfer by sigma(z) = (1 + tanh(z/2))/2; F. Albertini, E. D. Sontag, "
        "V. Maillot, Uniqueness of weights for neural networks, Artificial Neural Networks for "
        "Speech and Vision, 1993",
        "One hidden layer of logistic sigmoid units. sigma(z) = (1 + tanh(z/2))/2 turns the "
        "network into a tanh network by an invertible affine change of parameters that maps zero "
        "rows, zero columns and the relation sigma(-z) = 1 - sigma(z) to their tanh counterparts. "
        "So if no hidden unit has a zero outgoing column or a zero incoming row and no two have "
        "(w_j, b_j) = +-(w_k, b_k), every theta' with the same function is obtained from theta by "
        "a unique permutation of the hidden units combined with flips (w_j, b_j) -> -(w_j, b_j), "
        "W_2[:, j] -> -W_2[:, j], b_2 -> b_2 + W_2[:, j]: theta is identifiable (Sussmann 1992 "
        "after the transfer; the transfer is symeq's argument).",
        "literature", "criterion", ("sigmoid",), (1, 1),
        ("hidden_no_zero_outgoing_column", "hidden_no_zero_incoming_row", "hidden_no_sign_pair")),
    "vlacic_bolcskei2021": Theorem(
        "Vlacic-Bolcskei 2021", _VB,
        "Sufficient condition as stated in the abstract of the 2021 paper and Definition 1 of the "
        "2022 paper; the theorem statement itself was not re-read. tanh networks (the logistic "
        "sigmoid through sigma(z) = (1 + tanh(z/2))/2) with two or more hidden layers: if no "
        "weight matrix W_1, ..., W_L has an identically zero row or column and no two neurons of "
        "a hidden layer are clones, (w_j, b_j) = +-(w_k, b_k), then every theta' of the same "
        "architecture with the same function is related to theta by signed permutations of the "
        "hidden layers (for the sigmoid, the transferred flips), uniquely: theta is identifiable.",
        "literature, read in part (abstract and definitions)", "criterion", ("tanh", "sigmoid"),
        (2, None),
        ("hidden_no_zero_incoming_row", "hidden_no_zero_outgoing_column", "hidden_no_sign_pair",
         "no_zero_input_column_or_output_row"),
        "trusted, not re-proved by the checker; sufficient condition as stated in the abstract "
        "and definitions, theorem statement not re-read"),
    "kruskal1977": Theorem(
        "Kruskal's uniqueness theorem", _KRUSKAL,
        "One hidden layer of power:M units. With v_j = (W_1[j, :], b_1[j]), V = [v_1 ... v_r] and "
        "e = e_(d_0 + 1), f is the tensor sum_j W_2[:, j] (x) v_j^(x)M + b_2 (x) e^(x)M. "
        "Kruskal's theorem in its N-way form (if no factor matrix has a zero column and the "
        "Kruskal ranks of the N factor matrices sum to at least 2R + N - 1, the rank-R "
        "decomposition is unique up to permutation and scaling of its terms), with N = M + 1: if "
        "(K0) no column of W_2 is zero, (K1) k(W_2) + M k(V) >= 2r + M and (K2) 1 + M k([V, e]) "
        ">= 2(r + 1) + M, then b_2 is determined (by K2, a different b'_2 would give an "
        "(r + 1)-term decomposition of rank r + 1 equal to an r-term sum) and so are the terms "
        "W_2[:, j] (x) v_j^(x)M (by K1): every theta' with the same function is theta with "
        "permuted neurons and real scalings (v_j, W_2[:, j]) -> (a v_j, a^-M W_2[:, j]), "
        "uniquely: theta is identifiable. The reduction to Kruskal's theorem is symeq's argument "
        "(symeq.identifiability.criteria).",
        "literature", "criterion", ("power",), (1, 1),
        ("hidden_no_zero_outgoing_column", "kruskal_K1", "kruskal_K2")),
    "linear_rank": Theorem(
        "the linear rank criterion", "elementary linear algebra of rank factorizations "
        "(docs/theory.md section 3)",
        "Identity activation. If every hidden width equals r = rank(W_L ... W_1), every factor "
        "has full rank r, and the layer maps of any theta' with the same affine function are "
        "those of theta composed with invertible affine maps of R^r, one per hidden layer (K = "
        "Aff(r) per hidden layer), which are unique: theta is identifiable.",
        "elementary", "criterion", ("identity",), (0, None), ("hidden_widths_equal_rank",)),
    "power_fiber_slice": Theorem(
        "the exact-fiber slice argument",
        "symeq's slice argument (symeq.architectures.mlp.fibers); Hermite's theorem (the number of "
        "distinct complex zeros of a zero-dimensional ideal is the rank of its trace form); "
        "Buchberger's criterion (a basis whose S-polynomials reduce to 0 is a Groebner basis)",
        "One hidden layer of power:M units, one output, rational parameters, every outgoing "
        "weight nonzero and the rows v_j = (W_1[j, :], b_1[j]) pairwise non-proportional. If (a) "
        "for every proper subset S of the hidden neurons (S may be empty) the fiber ideal of the "
        "network with the neurons of S only, outgoing weights 1, unknown rows and unknown output "
        "bias is the unit ideal, and (b) the slice of the fiber where every outgoing weight is 1 "
        "is zero-dimensional with exactly d_1! M^d_1 distinct complex points, then the fiber of "
        "theta is its K-orbit (permutations and real scalings (a v_j, a^-M c_j)) with trivial "
        "stabilizer: theta is identifiable. (The complex orbit meets the slice in exactly d_1! "
        "M^d_1 points; fiber points with nonzero outgoing weights scale into the slice, the "
        "others are excluded by (a); real points of the orbit come from real scalings.)",
        "symeq argument", "exact_fiber", ("power",), (1, 1),
        ("one_output", "hidden_no_zero_outgoing_column", "no_proportional_rows",
         "no_smaller_subnetwork", "slice_count")),
}


def _zero(xs) -> bool:
    return all(x == 0 for x in xs)


def proportional(u, v) -> bool:
    """Are u and v linearly dependent (every 2 x 2 minor zero)?"""
    return all(u[a] * v[b] == u[b] * v[a] for a in range(len(u)) for b in range(a))


# -- the hypotheses of the theorems, checked exactly on theta with the kernel's primitives ----------
# Each check takes the kernel's context, the network and its hint (or the evidence), returns a
# detail line when the condition holds and raises Reject, naming the failure, when it does not.

def _hidden(net):
    return range(1, net.depth)


def _no_zero_outgoing(c, net, hint) -> str:
    for i in _hidden(net):
        for j in range(net.widths[i]):
            if _zero(r[j] for r in net.weights[i]):
                raise Reject(f"hidden layer {i}: neuron {j} has a zero outgoing column")
    return f"checked {sum(net.widths[1:-1])} hidden neuron(s)"


def _no_zero_incoming(c, net, hint) -> str:
    for i in _hidden(net):
        for j, row in enumerate(net.weights[i - 1]):
            if _zero(row):
                raise Reject(f"hidden layer {i}: neuron {j} has a zero incoming row")
    return f"checked {sum(net.widths[1:-1])} hidden neuron(s)"


def _no_sign_pair(c, net, hint) -> str:
    pairs = 0
    for i in _hidden(net):
        for (j, u), (k, v) in combinations(enumerate(rows(net, i)), 2):
            pairs += 1
            for s, name in ((1, "equal to"), (-1, "minus")):
                if _zero(y - s * x for x, y in zip(u, v)):
                    raise Reject(f"hidden layer {i}: (w, b) of neuron {k} is {name} that of neuron {j}")
    return f"{pairs} pair(s) compared, none equal or opposite"


def _io_used(c, net, hint) -> str:
    for col, column in enumerate(zip(*net.weights[0])):
        if _zero(column):
            raise Reject(f"input {col} has a zero column in W_1")
    for r, row in enumerate(net.weights[-1]):
        if _zero(row):
            raise Reject(f"output {r} has a zero row in W_{net.depth}")
    return "every column of W_1 and every row of W_L is nonzero"


def _need(test, text: str, detail: str):
    def check(c, net, hint) -> str:
        if not test(net):
            raise Reject(text)
        return detail
    return check


def _widths_equal_rank(c, net, hint) -> str:
    prod = net.weights[0]
    for w in net.weights[1:]:
        prod = mul(w, prod)
    r = certified_rank(prod, hint["rank"], "rank(W_L ... W_1)")
    widths = list(net.widths[1:-1])
    if any(d != r for d in widths):
        raise Reject(f"hidden widths {widths} but rank(W_L ... W_1) = {r}")
    return f"rank(W_L ... W_1) = {r} = every hidden width {widths} (certified by a nonzero minor and a kernel basis)"


def kruskal_at_least(m, hint: dict, what: str) -> int:
    """k <= the Kruskal rank of m: a nonzero k x k minor (its rows) for every k-subset of
    columns, the subsets in lexicographic order (at most 16 columns, 20,000 subsets)."""
    k, minors = hint["k"], hint["minors"]
    if k > min(len(m), len(m[0]), 16) or len(minors) > 20_000:
        raise Reject(f"{what}: a Kruskal rank {k} of a {len(m)} x {len(m[0])} matrix is beyond the checker's limits")
    subsets = list(combinations(range(len(m[0])), k))
    if len(subsets) != len(minors):
        raise Reject(f"{what}: {len(subsets)} minors are needed, one per {k}-subset of columns, {len(minors)} given")
    for cols, rs in zip(subsets, minors):
        if not nonzero_minor(m, rs, list(cols)):
            raise Reject(f"{what}: the minor on rows {rs} and columns {list(cols)} is zero")
    return k


def _kruskal_factors(c, net):
    v = [list(col) for col in zip(*rows(net, 1))]  # the columns v_j = (W_1[j, :], b_1[j])
    return net.activation.degree, net.widths[1], v


def _kruskal_k1(c, net, hint) -> str:
    m, r, v = _kruskal_factors(c, net)
    kw, kv = kruskal_at_least(net.weights[1], hint["W_2"], "W_2"), kruskal_at_least(v, hint["V"], "V")
    if kw + m * kv < 2 * r + m:
        raise Reject(f"k(W_2) + {m} k(V) = {kw} + {m}*{kv} < 2r + M = {2 * r + m}")
    return f"k(W_2) >= {kw}, k(V) >= {kv}: {kw + m * kv} >= 2r + M = {2 * r + m}"


def _kruskal_k2(c, net, hint) -> str:
    m, r, v = _kruskal_factors(c, net)
    kve = kruskal_at_least([row + [c.F.num(int(t == len(v) - 1))] for t, row in enumerate(v)], hint["V_e"], "[V, e]")
    if 1 + m * kve < 2 * (r + 1) + m:
        raise Reject(f"1 + {m} k([V, e]) = 1 + {m}*{kve} < 2(r+1) + M = {2 * (r + 1) + m}")
    return f"k([V, e]) >= {kve}: {1 + m * kve} >= 2(r+1) + M = {2 * (r + 1) + m}"


def _no_proportional_rows(c, net, hint) -> str:
    rs = rows(net, 1)
    for (j, u), (k, v) in combinations(enumerate(rs), 2):
        if proportional(u, v):
            raise Reject(f"rows {j} and {k} of (W_1 | b_1) are proportional")
    return f"{len(rs)} row(s) of (W_1 | b_1), pairwise non-proportional"


def _fiber(what: str):
    def check(c, net, ev) -> str:
        if net.activation.name != "power" or net.depth != 2 or any(not x.is_rational() for x in net.numbers()):
            raise Reject("exact_fiber certificates are for one hidden power:M layer with rational parameters")
        return c.second_tier(SLICE_IDEAL, what, net, ev)
    return check


#: Condition name -> (what it says, its check (c, net, hint or evidence) -> detail).
CONDITIONS = {
    "no_hidden_layer": ("the network has no hidden layer",
                        _need(lambda n: n.depth == 1, "the network has hidden layers", "the network is one affine layer")),
    "one_output": ("the network has one output",
                   _need(lambda n: n.widths[-1] == 1, "the network has several outputs", "one output")),
    "hidden_no_zero_outgoing_column": ("no hidden neuron has a zero outgoing column", _no_zero_outgoing),
    "hidden_no_zero_incoming_row": ("no hidden neuron has a zero incoming row", _no_zero_incoming),
    "hidden_no_sign_pair": ("no two neurons of a hidden layer have (w_j, b_j) = +-(w_k, b_k)", _no_sign_pair),
    "no_zero_input_column_or_output_row": ("no column of W_1 and no row of W_L is zero", _io_used),
    "hidden_widths_equal_rank": ("every hidden width equals rank(W_L ... W_1)", _widths_equal_rank),
    "kruskal_K1": ("(K1) k(W_2) + M k(V) >= 2r + M", _kruskal_k1),
    "kruskal_K2": ("(K2) 1 + M k([V, e]) >= 2(r + 1) + M", _kruskal_k2),
    "no_proportional_rows": ("the rows of (W_1 | b_1) are pairwise non-proportional", _no_proportional_rows),
    "no_smaller_subnetwork": ("(a) no network on a proper subset of the neurons reaches f", _fiber("no_smaller_subnetwork")),
    "slice_count": ("(b) the slice is zero-dimensional with d_1! M^d_1 distinct complex points (at most that many: "
                    "a Groebner basis inside its ideal has that many zeros; the orbit gives as many)", _fiber("slice_count")),
}
#: symeq's own lemmas, trusted: the name a verdict relies on, and the statement a reader can judge.
LEMMA_STATEMENTS = {
    "lemma L1 (positive monomial representations are conjugate to permutation ones)":
        "a homomorphism of a finite group into the positive monomial matrices is conjugate by a positive "
        "diagonal (a parameter symmetry of relu layers that keeps W_i = 0) to a permutation one",
    "lemma L2 (a neuron function determines its row up to the activation's relations)":
        "for relu, leaky_relu, gelu, softplus, swish and tanh a neuron sigma(u.x + c) is constant exactly when "
        "u = 0 and otherwise determines (u, c) up to the activation's relations",
    "lemma L3 (power neurons determine their rows up to real scale)":
        "for z^M, (u.x + c)^M = b (v.x + d)^M for all x forces (u, c) proportional to (v, d); positive scales "
        "conjugate away as in L1, and signed types act on a layer by their signs (M odd) or their permutation "
        "(M even)",
    "lemma (rank W_i is invariant under K)":
        "every k in K acts on W_i by invertible maps on both sides, which keep its rank",
    "lemma C1 (identifiability transfers from the lowered MLP to convolutions)":
        "a signed permutation or monomial map P of C |Omega| neurons with P W block-circulant for a block-circulant "
        "W whose rows are nonzero and pairwise unrelated by the activation's relations maps each channel to one "
        "channel, with one translation and one relation; so the unique k of an identifiable lowered MLP lies in the "
        "convolutional K_i (with a support: every channel's filters fill it, checked)",
    "lemma C2 (a degenerate channel leaves a line of parameters with the same function)":
        "a channel nobody reads, a constant channel (zero filters) read through filters with zero sums, a "
        "t-periodic channel read through filters with zero t-periodization, and two channels with y_d(p) = "
        "b y_c(p - t) + e read through filters with b T_t delta_d + delta_c = 0 and a bias change of -e sum delta_d "
        "contribute the same to the next layer for every size of the change",
    "lemma C3 (identifiability of identity-activation convolutions transfers from the lowered MLP)":
        "theta with the identity activation and every layer a convolution on the whole grid is fixed by the grid "
        "translations T (acting on every layer); if exactly one k in Aff(V_1) x ... x Aff(V_{L-1}) maps its "
        "lowered MLP to that of theta', then T k T^-1, which does too, is k: each A_i is a matrix of convolutions "
        "and each shift constant on channels, so k lies in the convolutional K_i = GL_C(R[Z]) x| R^C",
}
#: Key -> the name under which a verdict relies on the lemma.
LEMMAS = dict(zip(("L1", "L2", "L3", "rank", "C1", "C2", "C3"), LEMMA_STATEMENTS))
# -- invariants that separate a second parameter theta' from the K-orbit of theta (not_identifiable) --

def _rank_invariant(c, net, other, inv) -> str:
    """rank W_i differs (certified by hints); every k in K acts on W_i by invertible maps on both sides."""
    i = inv["layer"]
    if not 1 <= i <= net.depth:
        raise Reject(f"outside_orbit layer {i} is not a layer")
    r = certified_rank(net.weights[i - 1], inv["theta"], f"rank W_{i}")
    rp = certified_rank(other.weights[i - 1], inv["theta_prime"], f"rank W'_{i}")
    if r == rp:
        raise Reject(f"rank W_{i} = rank W'_{i} = {r}: the invariant does not separate")
    c.lemma("rank")
    return f"rank W_{i} = {r} but rank W'_{i} = {rp} (certified)"


def _first_layer_neuron(c, net, other, inv) -> str:
    """Row j of (W'_1 | b'_1) is proportional to no row of (W_1 | b_1).  For power:M by lemma L3;
    for relu and gelu because K_1 (their relation tables) permutes first-layer neurons and scales
    a row (w, b) to (a w, a b) with a > 0 (relu) or a = 1 (gelu), never shifting it, so every
    parameter of the K-orbit of theta has first-layer rows proportional to rows of theta."""
    j = inv["neuron"]
    if net.activation.name not in ("power", "relu", "gelu") or j >= net.widths[1]:
        raise Reject("the first_layer_neuron invariant is for power:M, relu and gelu networks and one of their neurons")
    row = rows(other, 1)[j]
    for q, ref in enumerate(rows(net, 1)):
        if (_zero(row) and _zero(ref)) or (not _zero(row) and not _zero(ref) and proportional(row, ref)):
            raise Reject(f"row {j} of theta' is proportional to row {q} of theta")
    if net.activation.name == "power":
        c.lemma("L3")
    else:
        c.rely(f"the relation table of {net.activation.name} (K_1 permutes and positively scales rows, no shifts)")
    return f"row {j} of (W'_1 | b'_1) is proportional to no row of (W_1 | b_1)"


#: Invariant name -> its check (c, network, theta', evidence) -> detail.
INVARIANTS = {"rank": _rank_invariant, "first_layer_neuron": _first_layer_neuron}
#: Conditions whose hints sit in the evidence's "hints" (the others see the evidence itself).
HINTED = {"hidden_widths_equal_rank", "kruskal_K1", "kruskal_K2"}
