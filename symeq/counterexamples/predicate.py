"""User claims: a predicate over networks, written in a small safe language (never eval'd).

A user claim says "for every network of the architecture, PREDICATE holds" (with the group G
acting on inputs and outputs); a counterexample is a network where it is false.  Grammar::

    expr := term ("->" expr)?            implication, right associative
    term := factor ("or" factor)*
    factor := unary ("and" unary)*
    unary := "not" unary | ATOM | "(" expr ")"

Atoms, each decided exactly by the engine and re-verified by the checker:

``equivariant``  f(rho_0(g) x) = rho_L(g) f(x) for all x, g (``symeq check``: a certificate or a
                 witness; an undecided case skips the candidate)
``layerwise``    some latent action makes every layer equivariant at these parameters (neuron
                 matching; a definitive "no" is certified by exhaustive matching)
``reduced``      no inactive and no redundant hidden neuron (decided directly by the checker)

Example: ``equivariant -> layerwise`` is the claim "layerwise-at-theta";
``equivariant and reduced -> layerwise`` is the theorem's conclusion without its
identifiability hypothesis (for tanh it is Sussmann's setting; searches find no
counterexample).

Programmatic users may pass any Python callable ``(MLP, GroupAction) -> bool`` to
:func:`search_predicate` instead; such a refutation carries no certificate (arbitrary code
cannot be re-verified), and says so.

>>> parse_predicate("equivariant and not reduced -> layerwise")
('->', ('and', 'equivariant', ('not', 'reduced')), 'layerwise')
>>> parse_predicate("equivariant ->")
Traceback (most recent call last):
...
symeq.errors.InputError: cannot parse the predicate 'equivariant ->': unexpected end, expected an atom (equivariant, layerwise, reduced) or '('
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any, Union

from hypothesis import strategies as st

from symeq.classification.classify import assignment_space, classify
from symeq.counterexamples.constructions import bypass_network, duplicate_split, equivariant_linear_maps, space_network
from symeq.counterexamples.at_theta import SHARES, duplicate_seeds
from symeq.counterexamples.outcome import Outcome, counterexample_certificate
from symeq.counterexamples.search import run_search
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.architectures.mlp.equivariance import match_layerwise
from symeq.errors import BudgetExceeded, InputError
from symeq.groups import GroupAction
from symeq.architectures.mlp.degenerate import find_degenerate
from symeq.activations import activation as make_activation
from symeq.architectures.mlp.model import MLP

__all__ = ["ATOMS", "parse_predicate", "evaluate", "search_predicate", "CandidatePool", "MAX_PREDICATE"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

ATOMS = ("equivariant", "layerwise", "reduced")
#: Longest predicate text accepted.
MAX_PREDICATE = 500

Formula = Union[str, tuple]
_TOKEN = re.compile(r"\s*(->|\(|\)|[A-Za-z_]+)")


def parse_predicate(text: str) -> Formula:
    """The formula of a predicate, as nested tuples ("not", f), ("and", f, g), ("or", f, g),
    ("->", f, g) over atom names."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the predicate is empty")
    if len(text) > MAX_PREDICATE:
        raise InputError(f"the predicate is longer than {MAX_PREDICATE} characters")
    tokens, pos = [], 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None:
            bad = stripped[pos:].lstrip()[:1]
            raise InputError(f"cannot parse the predicate {text!r}: unexpected character {bad!r}")
        tokens.append(m.group(1))
        pos = m.end()
    k = [0]

    def fail(why: str) -> None:
        raise InputError(f"cannot parse the predicate {text!r}: {why}")

    def peek() -> str | None:
        return tokens[k[0]] if k[0] < len(tokens) else None

    def take() -> str:
        t = peek()
        if t is None:
            fail(f"unexpected end, expected an atom ({', '.join(ATOMS)}) or '('")
        k[0] += 1
        return t  # type: ignore[return-value]

    def expr(depth: int) -> Formula:
        if depth > 50:
            fail("nested too deeply")
        left = term(depth)
        if peek() == "->":
            take()
            return ("->", left, expr(depth + 1))
        return left

    def term(depth: int) -> Formula:
        f = factor(depth)
        while peek() == "or":
            take()
            f = ("or", f, factor(depth))
        return f

    def factor(depth: int) -> Formula:
        f = unary(depth)
        while peek() == "and":
            take()
            f = ("and", f, unary(depth))
        return f

    def unary(depth: int) -> Formula:
        t = take()
        if t == "not":
            return ("not", unary(depth + 1))
        if t == "(":
            f = expr(depth + 1)
            if take() != ")":
                fail("expected ')'")
            return f
        if t in ATOMS:
            return t
        if t in ("->", ")", "and", "or"):  # an operator where an operand belongs: not an unknown atom
            fail(f"unexpected {t!r}, expected an atom ({', '.join(ATOMS)}) or '('")
        fail(f"unknown atom {t!r}; atoms are {', '.join(ATOMS)}")
        raise AssertionError

    f = expr(0)
    if peek() is not None:
        fail(f"unexpected {peek()!r}")
    return f


def atoms_of(f: Formula) -> set[str]:
    """The atoms a formula uses."""
    return {f} if isinstance(f, str) else set().union(*(atoms_of(g) for g in f[1:]))


def evaluate(f: Formula, values: dict[str, bool]) -> bool:
    """The truth value of a formula.

    >>> evaluate(parse_predicate("equivariant -> layerwise"), {"equivariant": True, "layerwise": False})
    False
    """
    if isinstance(f, str):
        return values[f]
    op = f[0]
    if op == "not":
        return not evaluate(f[1], values)
    a, b = evaluate(f[1], values), evaluate(f[2], values)
    return (a and b) if op == "and" else (a or b) if op == "or" else ((not a) or b)


# -- atoms with their evidence --------------------------------------------------------------

@dataclass(frozen=True)
class AtomValue:
    value: bool
    evidence: dict[str, Any] | None


def decide_atoms(net: MLP, group: GroupAction, names: set[str]) -> dict[str, AtomValue] | None:
    """Each atom's value with certificate evidence; None when one cannot be decided."""
    out: dict[str, AtomValue] = {}
    if "equivariant" in names:
        r = check_equivariance(net, group)
        if r.verdict == "unknown":
            return None
        out["equivariant"] = AtomValue(r.verdict == "holds", r.evidence())
    if "layerwise" in names:
        m = match_layerwise(net, group)
        if m.found:
            out["layerwise"] = AtomValue(True, {"method": "layerwise", "actions": m.evidence_actions()})
        elif m.failure is not None and m.failure.definitive:
            out["layerwise"] = AtomValue(False, {"method": "exhaustive_matching", "generator": m.failure.generator})
        else:
            return None
    if "reduced" in names:
        out["reduced"] = AtomValue(not find_degenerate(net), None)
    return out


# -- candidate networks -----------------------------------------------------------------------

class CandidatePool:
    """Networks of an architecture to test a claim on: layerwise-equivariant parameters of every
    assignment of latent types (small integer coefficients), the same with a neuron duplicated
    and its outgoing weights split, linear-bypass networks, and plain small-integer networks.

    A candidate is plain data (kind, index, integers), so hypothesis can draw and shrink it."""

    KINDS = ("space", "duplicate", "bypass", "plain")

    def __init__(self, activation: str, widths: tuple[int, ...], group: GroupAction, budget: int) -> None:
        self.activation, self.widths, self.group = activation, widths, group
        self.spaces = []
        try:
            C = classify(activation, widths, group, budget=budget, smallest=False)
            for a in C.assignments:
                chosen = tuple(C.layers[i].types[t] for i, t in enumerate(a.types))
                if a.zero_layer is None:
                    self.spaces.append(assignment_space(activation, group, chosen))
        except (InputError, BudgetExceeded):
            pass  # no classification for this activation: plain and bypass candidates only
        try:
            self.seeds = duplicate_seeds(activation, widths, group, budget)
        except (InputError, BudgetExceeded):
            self.seeds = []
        self.bypass = [n for n in (bypass_network(activation, widths, group, E)
                                   for E in equivariant_linear_maps(group)[:4]) if n is not None]

    def build(self, cand: tuple[int, int, tuple[int, ...], int]) -> MLP | None:
        kind, idx, coeffs, extra = cand
        kind = self.KINDS[kind % len(self.KINDS)]
        coeffs = coeffs or (1,)
        if kind == "space" and self.spaces:
            sp = self.spaces[idx % len(self.spaces)]
            return space_network(self.activation, sp, [coeffs[k % len(coeffs)] for k in range(sp.dim)])
        if kind == "duplicate" and self.seeds:
            seed = self.seeds[idx % len(self.seeds)]
            base = space_network(self.activation, seed.space, [coeffs[k % len(coeffs)] for k in range(seed.space.dim)])
            j = extra % base.widths[seed.layer]
            return duplicate_split(base, seed.layer, j, SHARES[extra % len(SHARES)])
        if kind == "bypass" and self.bypass:
            return self.bypass[idx % len(self.bypass)]
        if kind == "plain":
            from sympy import ImmutableMatrix

            k, ws, bs = 0, [], []
            for a, b in zip(self.widths[:-1], self.widths[1:]):
                ws.append(ImmutableMatrix(b, a, [coeffs[(k + t) % len(coeffs)] for t in range(a * b)]))
                k += a * b
                bs.append(ImmutableMatrix.zeros(b, 1))
            return MLP(make_activation(self.activation), tuple(ws), tuple(bs))
        return None

    def small(self) -> Iterator[tuple[int, int, tuple[int, ...], int]]:
        for i in range(len(self.bypass)):
            yield (2, i, (1,), 0)
        for coeffs in [(1,), (1, 2), (2, 1), (1, -1), (0, 1), (1, 0)]:
            for i in range(len(self.spaces)):
                yield (0, i, coeffs, 0)
            for i in range(len(self.seeds)):
                for extra in range(4):
                    yield (1, i, coeffs, extra)
        for coeffs in product((0, 1, -1), repeat=3):
            yield (3, 0, coeffs, 0)

    def strategy(self) -> st.SearchStrategy:
        return st.tuples(st.integers(0, 3), st.integers(0, 30), st.lists(st.integers(-3, 3), min_size=1,
                                                                         max_size=8).map(tuple), st.integers(0, 8))


def search_predicate(predicate: str | Callable[[MLP, GroupAction], bool], activation: str,
                     widths: tuple[int, ...], group: GroupAction, budget: int = 300) -> Outcome:
    """Search a network of the architecture where the predicate is false.

    >>> from symeq.groups import catalog_group
    >>> G = catalog_group("S2", 2, 1, output="trivial")
    >>> out = search_predicate("equivariant -> layerwise", "relu", (2, 3, 1), G)
    >>> out.verdict
    'refuted'
    >>> from symeq.certify.verify import verify_certificate
    >>> verify_certificate(out.certificate()).ok
    True
    """
    start = time.perf_counter()
    pool = CandidatePool(activation, widths, group, budget)
    if callable(predicate):
        def test_callable(cand: Any) -> tuple[MLP, None] | None:
            net = pool.build(cand)
            if net is None:
                return None
            return (net, None) if not predicate(net, group) else None

        hit, tried = run_search(test_callable, pool.small(), pool.strategy(), budget)
        if hit is None:
            return Outcome("predicate", "not refuted", f"the predicate held on all {tried} candidates", tried=tried)
        return Outcome("predicate", "refuted", "refuted: the Python predicate is false on this network "
                       "(a Python callable cannot be certified: no certificate)", hit[0], None, {}, tried)
    formula = parse_predicate(predicate)
    names = atoms_of(formula)
    skipped = [0]  # candidates not built or with an undecided atom: they did not satisfy the predicate

    def test(cand: Any) -> tuple[MLP, dict[str, AtomValue]] | None:
        net = pool.build(cand)
        values = None if net is None else decide_atoms(net, group, names)
        if values is None:
            skipped[0] += 1
            return None
        if evaluate(formula, {k: v.value for k, v in values.items()}):
            return None
        return net, values

    hit, tried = run_search(test, pool.small(), pool.strategy(), budget)
    if hit is None:
        held = f"{predicate!r} held on all {tried} candidates tried" if not skipped[0] else (
            f"{predicate!r} held on the {max(tried - skipped[0], 0)} decided candidates of {tried} tried "
            f"({skipped[0]} skipped: no network or an atom undecided)")
        return Outcome("predicate", "not refuted", held, details={"predicate": predicate, "skipped": skipped[0]},
                       tried=tried)
    net, values = hit
    atoms = {k: ({"value": v.value, "evidence": v.evidence} if v.evidence is not None else {"value": v.value})
             for k, v in values.items()}
    cert = None
    checkable = all(not (k == "layerwise" and not v.value) or activation.split(":")[0] in
                    ("relu", "leaky_relu", "tanh", "gelu", "softplus", "swish") for k, v in values.items())
    msg = f"refuted: {predicate!r} is false here (" + ", ".join(f"{k} = {v.value}" for k, v in values.items()) + ")"
    if checkable:
        cert = counterexample_certificate(net, group, "predicate", {"method": "atoms", "atoms": atoms},
                                          statement=f"for every network: {predicate}",
                                          seconds=time.perf_counter() - start)
        cert["claim"]["predicate"] = predicate
    else:
        msg += " (the checker does not verify this atom for this activation: no certificate)"
    return Outcome("predicate", "refuted", msg, net, cert, {"predicate": predicate}, tried)
