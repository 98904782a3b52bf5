"""Checker extension: claim kinds ``identifiable`` and ``weakly_identifiable``.

Part of the trusted kernel: imports only the standard library, sympy, python-flint and the
checker's own modules (:mod:`symeq.certify.checker`, :mod:`symeq.certify.checker_identifiability`).

A literature theorem cannot be re-proved here; its *hypotheses* on the concrete theta can.  So an
``identifiable`` certificate names a theorem of :data:`TRUSTED_THEOREMS`, repeats its citation and
statement word for word, and lists its conditions; the checker verifies every condition exactly
on the certificate's network and then reports, in its last step, that the conclusion rests on
that theorem (trusted, not re-proved).  :data:`TRUSTED_THEOREMS` is the complete list of what is
taken on trust for these claims; each entry says whether it is literature, literature read only
in part, symeq's own argument, or elementary.

``identifiable`` (claim {"kind": "identifiable"}): theta is identifiable (THEORY.md section 3):
every theta' with the same function is related to theta by exactly one k in K.  Evidence

* {"method": "criterion", "theorem": KEY, "citation": TEXT, "statement": TEXT,
  "conditions": [NAME, ...]}: KEY names a ``criterion`` theorem, citation and statement equal
  the table's, the names are exactly the theorem's conditions, each verified (:data:`CONDITIONS`);
* {"method": "exact_fiber", ... the same keys ..., "slice_basis": [POLY, ...], "points": N}:
  KEY names the ``exact_fiber`` entry; the checker recomputes every Groebner basis of the slice
  argument with sympy, compares the full slice's reduced basis with ``slice_basis``, and counts
  its distinct complex points by the rank of the Hermite trace form (N = d_1! M^d_1).

``weakly_identifiable`` (claim {"kind": "weakly_identifiable", "reduced": NETWORK}): evidence
{"method": "reduction", "steps": [STEP, ...], "submodel": EVIDENCE}: the rewrite steps (as for
``same_function``) turn theta into the reduced theta~ (so f(theta) = f(theta~)), and EVIDENCE is
an ``identifiable`` evidence object for theta~.

>>> from symeq.certify.checker import verify_certificate
>>> t = TRUSTED_THEOREMS["sussmann1992"]
>>> cert = {"format": "symeq-certificate", "version": 1, "claim": {"kind": "identifiable"},
...   "network": {"activation": "tanh", "weights": [[["1"], ["2"]], [["1", "1"]]],
...               "biases": [["0", "1"], ["0"]]},
...   "evidence": {"method": "criterion", "theorem": "sussmann1992", "citation": t.citation,
...                "statement": t.statement, "conditions": list(t.conditions)}}
>>> v = verify_certificate(cert)
>>> v.ok
True
>>> print(v.steps[-1])
conditions of Sussmann 1992 hold for theta; identifiability follows from that theorem (trusted, not re-proved by the checker; basis: literature)
>>> cert["network"]["biases"][0] = ["0", "0"]
>>> cert["network"]["weights"][0] = [["1"], ["-1"]]
>>> print(verify_certificate(cert).reason)
condition hidden_no_sign_pair fails: hidden layer 1: (w, b) of neuron 1 is minus that of neuron 0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from math import factorial
from typing import Any

import sympy
from flint import fmpq, fmpq_mat
from sympy import ImmutableMatrix
from sympy.polys.matrices import DomainMatrix

from symeq.certify.checker import (Context, Network, Reject, field, forward, is_zero, matmul,
                                   only_keys, parse_network, parse_number, short)
from symeq.certify.checker_identifiability import replay_steps, same_network

__all__ = ["CLAIMS", "TRUSTED_THEOREMS", "CONDITIONS", "Theorem", "check_identifiable",
           "check_weakly_identifiable", "rank", "kruskal_rank"]

#: Kruskal ranks enumerate column subsets; more columns are rejected.
MAX_KRUSKAL_COLUMNS = 12
#: exact_fiber limits: unknowns of the slice, degree M, standard monomials of the slice basis.
MAX_SLICE_UNKNOWNS, MAX_FIBER_DEGREE, MAX_STANDARD_MONOMIALS = 10, 8, 400


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
TRUSTED_THEOREMS: dict[str, Theorem] = {
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
        "(THEORY.md section 3)",
        "Identity activation. If every hidden width equals r = rank(W_L ... W_1), every factor "
        "has full rank r, and the layer maps of any theta' with the same affine function are "
        "those of theta composed with invertible affine maps of R^r, one per hidden layer (K = "
        "Aff(r) per hidden layer), which are unique: theta is identifiable.",
        "elementary", "criterion", ("identity",), (0, None), ("hidden_widths_equal_rank",)),
    "power_fiber_slice": Theorem(
        "the exact-fiber slice argument",
        "symeq's slice argument (symeq.identifiability.fibers); Hermite's theorem (the number of "
        "distinct complex zeros of a zero-dimensional ideal is the rank of its trace form); "
        "sympy's groebner (reduced grevlex basis over QQ)",
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


# -- exact linear algebra ----------------------------------------------------------------------


def rank(m: ImmutableMatrix) -> int:
    """The exact rank of a matrix of real algebraic numbers (FLINT over QQ, else sympy's
    algebraic field of the entries); other entries are rejected.

    >>> rank(ImmutableMatrix([[1, 2], [2, 4]])), rank(ImmutableMatrix([[sympy.sqrt(2), 2], [1, sympy.sqrt(2)]]))
    (1, 1)
    """
    if m.rows == 0 or m.cols == 0:
        return 0
    if all(v.is_Rational for v in m):
        return int(fmpq_mat(m.rows, m.cols, [fmpq(int(v.p), int(v.q)) for v in m]).rank())
    if any(v.free_symbols or v.has(sympy.pi) for v in m):
        raise Reject("rank conditions need algebraic numbers (no symbols, no pi)")
    dm = DomainMatrix.from_list_sympy(m.rows, m.cols, m.tolist(), extension=True)
    if dm.domain.is_EX or dm.domain.is_EXRAW:  # plain expressions: no exact zero test
        raise Reject("rank conditions need entries in a number field the checker computes in exactly")
    return int(dm.rank())


def kruskal_rank(m: ImmutableMatrix) -> int:
    """The largest k such that every k columns of ``m`` are linearly independent.

    >>> kruskal_rank(ImmutableMatrix([[1, 0, 1], [0, 1, 1]])), kruskal_rank(ImmutableMatrix([[1, 2], [0, 0]]))
    (2, 1)
    """
    if m.cols > MAX_KRUSKAL_COLUMNS:
        raise Reject(f"Kruskal rank of {m.cols} columns exceeds the checker's limit {MAX_KRUSKAL_COLUMNS}")
    best = 0
    for k in range(1, min(m.rows, m.cols) + 1):
        if not all(rank(m.extract(list(range(m.rows)), list(cols))) == k
                   for cols in combinations(range(m.cols), k)):
            break
        best = k
    return best


# -- the conditions ------------------------------------------------------------------------------
# Each takes the network and the evidence, returns a detail line when the condition holds and
# raises Reject (naming the failure) when it does not.


def _zero(values: Any) -> bool:
    return all(is_zero(v) for v in values)


def _hidden(net: Network) -> range:
    return range(1, net.depth)


def _no_zero_outgoing(net: Network, ev: dict[str, Any]) -> str:
    for i in _hidden(net):
        for j in range(net.weights[i].cols):
            if _zero(net.weights[i][:, j]):
                raise Reject(f"hidden layer {i}: neuron {j} has a zero outgoing column")
    return f"checked {sum(net.widths[1:-1])} hidden neuron(s)"


def _no_zero_incoming(net: Network, ev: dict[str, Any]) -> str:
    for i in _hidden(net):
        for j in range(net.weights[i - 1].rows):
            if _zero(net.weights[i - 1][j, :]):
                raise Reject(f"hidden layer {i}: neuron {j} has a zero incoming row")
    return f"checked {sum(net.widths[1:-1])} hidden neuron(s)"


def _no_sign_pair(net: Network, ev: dict[str, Any]) -> str:
    pairs = 0
    for i in _hidden(net):
        w, b = net.weights[i - 1], net.biases[i - 1]
        rows = [list(w[j, :]) + [b[j]] for j in range(w.rows)]
        for j, k in combinations(range(len(rows)), 2):
            pairs += 1
            for s, name in ((1, "equal to"), (-1, "minus")):
                if _zero([u - s * v for u, v in zip(rows[k], rows[j])]):
                    raise Reject(f"hidden layer {i}: (w, b) of neuron {k} is {name} that of neuron {j}")
    return f"{pairs} pair(s) compared, none equal or opposite"


def _io_used(net: Network, ev: dict[str, Any]) -> str:
    w1, wl = net.weights[0], net.weights[-1]
    for c in range(w1.cols):
        if _zero(w1[:, c]):
            raise Reject(f"input {c} has a zero column in W_1")
    for r in range(wl.rows):
        if _zero(wl[r, :]):
            raise Reject(f"output {r} has a zero row in W_{net.depth}")
    return "every column of W_1 and every row of W_L is nonzero"


def _no_hidden_layer(net: Network, ev: dict[str, Any]) -> str:
    if net.depth != 1:
        raise Reject(f"the network has {net.depth - 1} hidden layer(s)")
    return "the network is one affine layer"


def _widths_equal_rank(net: Network, ev: dict[str, Any]) -> str:
    prod = net.weights[0]
    for w in net.weights[1:]:
        prod = matmul(w, prod)
    r = rank(prod)
    widths = list(net.widths[1:-1])
    if any(d != r for d in widths):
        raise Reject(f"hidden widths {widths} but rank(W_L ... W_1) = {r}")
    return f"rank(W_L ... W_1) = {r} = every hidden width {widths}"


def _kruskal_factors(net: Network) -> tuple[int, int, ImmutableMatrix, ImmutableMatrix]:
    w1, b1 = net.weights[0], net.biases[0]
    v = ImmutableMatrix.hstack(w1, b1).T  # columns v_j = (W_1[j, :], b_1[j])
    e = ImmutableMatrix([0] * w1.cols + [1])
    return net.activation.degree, w1.rows, v, e


def _kruskal_k1(net: Network, ev: dict[str, Any]) -> str:
    m, r, v, _ = _kruskal_factors(net)
    kc, kv = kruskal_rank(net.weights[1]), kruskal_rank(v)
    if kc + m * kv < 2 * r + m:
        raise Reject(f"k(W_2) + {m} k(V) = {kc} + {m}*{kv} < 2r + M = {2 * r + m}")
    return f"k(W_2) = {kc}, k(V) = {kv}: {kc + m * kv} >= 2r + M = {2 * r + m}"


def _kruskal_k2(net: Network, ev: dict[str, Any]) -> str:
    m, r, v, e = _kruskal_factors(net)
    kve = kruskal_rank(ImmutableMatrix.hstack(v, e))
    if 1 + m * kve < 2 * (r + 1) + m:
        raise Reject(f"1 + {m} k([V, e]) = 1 + {m}*{kve} < 2(r+1) + M = {2 * (r + 1) + m}")
    return f"k([V, e]) = {kve}: {1 + m * kve} >= 2(r+1) + M = {2 * (r + 1) + m}"


def _one_output(net: Network, ev: dict[str, Any]) -> str:
    if net.widths[-1] != 1:
        raise Reject(f"the network has {net.widths[-1]} outputs")
    return "one output"


def _no_proportional_rows(net: Network, ev: dict[str, Any]) -> str:
    w, b = net.weights[0], net.biases[0]
    rows = [list(w[j, :]) + [b[j]] for j in range(w.rows)]
    for j, k in combinations(range(len(rows)), 2):
        if rank(ImmutableMatrix([rows[j], rows[k]])) < 2:
            raise Reject(f"rows {j} and {k} of (W_1 | b_1) are proportional")
    return f"{len(rows)} row(s) of (W_1 | b_1), pairwise non-proportional"


# -- exact fibers (power:M, one hidden layer, one output) ----------------------------------------


def _slice(net: Network, kept: list[int]) -> tuple[Network, list[sympy.Symbol]]:
    """theta' with unknown rows v{j}_{t} (t = d_0: the bias) for the kept neurons, outgoing
    weights 1 and unknown output bias ``beta`` (the naming of the engine's slice basis)."""
    d0 = net.widths[0]
    rows = [[sympy.Symbol(f"v{j}_{t}") for t in range(d0 + 1)] for j in kept]
    beta = sympy.Symbol("beta")
    gens = [s for r in rows for s in r] + [beta]
    if not kept:  # a constant network: only the output bias is unknown
        w1, b1, w2 = ImmutableMatrix([[0] * d0]), ImmutableMatrix([0]), ImmutableMatrix([[0]])
    else:
        w1 = ImmutableMatrix([r[:-1] for r in rows])
        b1, w2 = ImmutableMatrix([r[-1] for r in rows]), ImmutableMatrix([[1] * len(kept)])
    return Network(net.activation, (w1, w2), (b1, ImmutableMatrix([beta])), tuple(gens)), gens


def _fiber_basis(net: Network, kept: list[int]) -> tuple[sympy.GroebnerBasis, list[sympy.Symbol]]:
    """The reduced grevlex Groebner basis (sympy, over QQ) of the coefficients in x of
    f(x; slice) - f(x; theta)."""
    other, gens = _slice(net, kept)
    xs = [sympy.Dummy(f"x{c}") for c in range(net.widths[0])]
    x = ImmutableMatrix(xs)
    diff = sympy.expand(forward(other, x, exact=False)[0] - forward(net, x, exact=False)[0])
    eqs = [c for c in sympy.Poly(diff, *xs).coeffs() if c != 0] if diff != 0 else [sympy.Integer(0)]
    return sympy.groebner(eqs, *gens, order="grevlex", domain="QQ"), gens


def _fiber_limits(net: Network) -> None:
    if net.activation.name != "power" or net.depth != 2:
        raise Reject("exact_fiber certificates are checked for one hidden power:M layer only")
    if any(not v.is_Rational for m in net.weights + net.biases for v in m):
        raise Reject("exact_fiber certificates need rational parameters")
    unknowns = net.widths[1] * (net.widths[0] + 1) + 1
    if unknowns > MAX_SLICE_UNKNOWNS or net.activation.degree > MAX_FIBER_DEGREE:
        raise Reject(f"the slice has {unknowns} unknowns and degree {net.activation.degree}: beyond the "
                     f"checker's limits ({MAX_SLICE_UNKNOWNS} unknowns, degree {MAX_FIBER_DEGREE})")


def _no_smaller_subnetwork(net: Network, ev: dict[str, Any]) -> str:
    _fiber_limits(net)
    d1, count = net.widths[1], 0
    for size in range(d1):
        for kept in combinations(range(d1), size):
            g, _ = _fiber_basis(net, list(kept))
            if list(g.exprs) != [1]:
                raise Reject(f"the slice network with neurons {list(kept)} only may reach f (basis is not [1])")
            count += 1
    return f"{count} proper subset(s) of the neurons: every fiber ideal is the unit ideal"


def _standard_monomials(lead: list[tuple[int, ...]], n: int) -> list[tuple[int, ...]]:
    out, frontier, seen = [], [(0,) * n], {(0,) * n}
    while frontier:
        m = frontier.pop()
        if any(all(a >= b for a, b in zip(m, l)) for l in lead):
            continue
        out.append(m)
        if len(out) > MAX_STANDARD_MONOMIALS:
            raise Reject(f"more than {MAX_STANDARD_MONOMIALS} standard monomials: beyond the checker's limits")
        for k in range(n):
            nxt = tuple(e + (k == i) for i, e in enumerate(m))
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return sorted(out)


def _hermite_rank(g: sympy.GroebnerBasis, gens: list[sympy.Symbol]) -> int:
    """Distinct complex zeros of a zero-dimensional ideal: rank of Tr(m_{b_k b_l})."""
    if list(g.exprs) == [1]:
        return 0
    lead = [sympy.Poly(p, *gens).monoms(order="grevlex")[0] for p in g.exprs]
    for v in range(len(gens)):  # zero-dimensional: a pure power of every unknown leads
        if not any(m[v] > 0 and sum(m) == m[v] for m in lead):
            raise Reject(f"the slice is not zero-dimensional ({gens[v]} is free)")
    basis = _standard_monomials(lead, len(gens))
    index = {m: k for k, m in enumerate(basis)}
    n = len(basis)

    def mult(var: int) -> fmpq_mat:
        mat = fmpq_mat(n, n)
        for col, m in enumerate(basis):
            _, rem = g.reduce(sympy.Mul(*[s**e for s, e in zip(gens, m)]) * gens[var])
            for mon, c in sympy.Poly(rem, *gens).terms():
                q = sympy.Rational(c)
                mat[index[mon], col] = fmpq(int(q.p), int(q.q))
        return mat

    mults, one = [mult(v) for v in range(len(gens))], fmpq_mat(n, n)
    for k in range(n):
        one[k, k] = 1
    powers = []
    for m in basis:
        acc = one
        for v, e in enumerate(m):
            for _ in range(e):
                acc = acc * mults[v]
        powers.append(acc)
    h = fmpq_mat(n, n)
    for k in range(n):
        for l in range(k, n):
            prod = powers[k] * powers[l]
            h[k, l] = h[l, k] = sum((prod[t, t] for t in range(n)), fmpq(0))
    return int(h.rank())


def _slice_count(net: Network, ev: dict[str, Any]) -> str:
    _fiber_limits(net)
    d1, m = net.widths[1], net.activation.degree
    g, gens = _fiber_basis(net, list(range(d1)))
    names = {str(s): s for s in gens}
    stated = field(ev, "slice_basis", list, "evidence")
    if len(stated) != len(g.exprs):
        raise Reject(f"the stated slice basis has {len(stated)} polynomials, the recomputed one {len(g.exprs)}")
    for k, (text, p) in enumerate(zip(stated, g.exprs)):
        q = parse_number(text, names, f"slice_basis polynomial {k}")
        if sympy.expand(q - p) != 0:
            raise Reject(f"slice_basis polynomial {k} differs from the recomputed basis: {short(q)} != {short(p)}")
    points, expected = _hermite_rank(g, gens), factorial(d1) * m**d1
    stated_points = ev.get("points")
    if stated_points != points or isinstance(stated_points, bool):
        raise Reject(f"the slice has {points} distinct complex points, the certificate states {stated_points!r:.20}")
    if points != expected:
        raise Reject(f"the slice has {points} distinct complex points, the orbit meets it in d_1! M^d_1 = {expected}")
    return (f"recomputed reduced basis of {len(g.exprs)} polynomials equals the stated one; "
            f"{points} distinct complex points (Hermite rank) = d_1! M^d_1")


#: Condition name -> (what it says, its check).
CONDITIONS: dict[str, tuple[str, Callable[[Network, dict[str, Any]], str]]] = {
    "no_hidden_layer": ("the network has no hidden layer", _no_hidden_layer),
    "hidden_no_zero_outgoing_column": ("no hidden neuron has a zero outgoing column", _no_zero_outgoing),
    "hidden_no_zero_incoming_row": ("no hidden neuron has a zero incoming row", _no_zero_incoming),
    "hidden_no_sign_pair": ("no two neurons of a hidden layer have (w_j, b_j) = +-(w_k, b_k)", _no_sign_pair),
    "no_zero_input_column_or_output_row": ("no column of W_1 and no row of W_L is zero", _io_used),
    "hidden_widths_equal_rank": ("every hidden width equals rank(W_L ... W_1)", _widths_equal_rank),
    "kruskal_K1": ("(K1) k(W_2) + M k(V) >= 2r + M", _kruskal_k1),
    "kruskal_K2": ("(K2) 1 + M k([V, e]) >= 2(r + 1) + M", _kruskal_k2),
    "one_output": ("the network has one output", _one_output),
    "no_proportional_rows": ("the rows of (W_1 | b_1) are pairwise non-proportional", _no_proportional_rows),
    "no_smaller_subnetwork": ("(a) no network on a proper subset of the neurons reaches f", _no_smaller_subnetwork),
    "slice_count": ("(b) the slice is zero-dimensional with d_1! M^d_1 distinct complex points", _slice_count),
}


# -- the claims -----------------------------------------------------------------------------------


def _identifiable(ctx: Context, net: Network, ev: dict[str, Any], who: str) -> Theorem:
    """Verify an ``identifiable`` evidence object for ``net``; the theorem it rests on."""
    method = ev.get("method")
    keys = {"method", "theorem", "citation", "statement", "conditions"}
    if method == "exact_fiber":
        keys |= {"slice_basis", "points"}
    elif method != "criterion":
        raise Reject(f"unknown evidence method {method!r:.40} for an identifiable claim")
    only_keys(ev, keys, "evidence")
    key = field(ev, "theorem", str, "evidence")
    thm = TRUSTED_THEOREMS.get(key)
    if thm is None:
        raise Reject(f"theorem {key!r:.40} is not in the checker's trusted table")
    if thm.method != method:
        raise Reject(f"theorem {key} is used with evidence method {thm.method!r}, not {method!r}")
    if field(ev, "citation", str, "evidence") != thm.citation:
        raise Reject(f"the citation of {key} differs from the trusted table's")
    if field(ev, "statement", str, "evidence") != thm.statement:
        raise Reject(f"the statement of {key} differs from the trusted table's")
    if net.symbols:
        raise Reject("identifiable certificates need concrete parameters (no symbols)")
    act, hidden = net.activation, net.depth - 1
    lo, hi = thm.hidden
    if ("*" not in thm.activations and act.name not in thm.activations) or hidden < lo or \
            (hi is not None and hidden > hi):
        raise Reject(f"theorem {key} covers {'/'.join(thm.activations)} networks with {lo} to "
                     f"{hi if hi is not None else 'any number of'} hidden layer(s), not a {act.spec} "
                     f"network with {hidden}")
    ctx.step(f"{who}: theorem {key} ({thm.name}) is in the trusted table; its citation and statement "
             "match it word for word")
    listed = field(ev, "conditions", list, "evidence")
    if len(set(map(str, listed))) != len(listed) or not all(isinstance(c, str) for c in listed):
        raise Reject("conditions must be distinct names")
    for c in listed:
        if c not in thm.conditions:
            raise Reject(f"condition {c!r:.40} is not a hypothesis of theorem {key}")
    for c in thm.conditions:
        if c not in listed:
            raise Reject(f"condition {c} of theorem {key} is missing from the certificate")
    for c in thm.conditions:
        text, check = CONDITIONS[c]
        try:
            detail = check(net, ev)
        except Reject as exc:
            raise Reject(f"condition {c} fails: {exc}") from None
        ctx.step(f"{who}: condition {c} holds: {text} ({detail})")
    ctx.step(f"conditions of {thm.name} hold for {who}; identifiability follows from that theorem "
             f"({thm.trust}; basis: {thm.basis})")
    return thm


def check_identifiable(ctx: Context) -> None:
    """Claim kind "identifiable": the conditions of a trusted theorem, checked exactly."""
    only_keys(field(ctx.doc, "claim", dict, "certificate"), {"kind"}, "claim")
    ev = ctx.evidence
    key = ev.get("theorem")
    ctx.claim_text = (f"identifiable: every theta' with the same function is related to theta by exactly "
                      f"one k in K; {ctx.network.describe()}; by theorem {key!s:.40} (trusted)")
    _identifiable(ctx, ctx.network, ev, "theta")


def check_weakly_identifiable(ctx: Context) -> None:
    """Claim kind "weakly_identifiable": a checked reduction to an identifiable submodel."""
    claim = field(ctx.doc, "claim", dict, "certificate")
    only_keys(claim, {"kind", "reduced"}, "claim")
    reduced = parse_network(field(claim, "reduced", dict, "claim"))
    net, ev = ctx.network, ctx.evidence
    sub = ev["submodel"] if isinstance(ev.get("submodel"), dict) else {}
    ctx.claim_text = (f"weakly identifiable: the {net.describe()} computes the same function as the reduced "
                      f"{reduced.describe()} (theta~), and theta~ is identifiable; by theorem "
                      f"{sub.get('theorem')!s:.40} (trusted)")
    only_keys(ev, {"method", "steps", "submodel"}, "evidence")
    if ev.get("method") != "reduction":
        raise Reject("a weakly_identifiable claim needs evidence method 'reduction'")
    steps = field(ev, "steps", list, "evidence")
    same_network(replay_steps(ctx, net, steps), reduced,
                 "the replayed network differs from the reduced network")
    ctx.step(f"after {len(steps)} rewrite step(s) the network equals theta~: f(theta) = f(theta~)")
    _identifiable(ctx, reduced, field(ev, "submodel", dict, "evidence"), "theta~")
    ctx.step("theta~ is identifiable and computes f(theta), so theta is weakly identifiable "
             "(beta(theta~), theta~ padded with zero neurons, has theta's function)")


CLAIMS = {"identifiable": check_identifiable, "weakly_identifiable": check_weakly_identifiable}
