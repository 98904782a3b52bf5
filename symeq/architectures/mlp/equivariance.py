"""The decision procedure of ``symeq check``: is f(rho_0(g) x) = rho_L(g) f(x) for all x and
every generator g?

Methods, in order (the first that decides wins):

a. **layerwise** (:mod:`~symeq.architectures.mlp.matching`): latent actions on every hidden layer
   -> *holds*.
a'. **reduction** (only when (a) failed): if the network has inactive or redundant neurons,
   :func:`~symeq.architectures.mlp.reduce.reduce_network` rewrites it into its submodel (same
   function, every step exact) and (a) runs on the submodel -> *holds* ("reduction+layerwise").
   Equivariance of the submodel is equivariance of the network: this decides the networks
   that are equivariant but not layerwise at theta because of degenerate neurons (docs/theory.md
   section 6, first bullet).
b. **polynomial identity** (identity, power, poly; :mod:`~symeq.architectures.mlp.identity`): the
   difference expanded exactly -> *holds* if 0, else *fails* with an exact witness read off a
   nonzero coefficient.  When the expansion exceeds its budget and the network was reduced, it
   is retried on the (smaller) submodel ("reduction+polynomial_identity").
c. **relu canonical form** (one hidden relu/leaky_relu layer, numeric) -> *holds* or *fails*.
c'. **linear bypass** (:mod:`~symeq.architectures.mlp.bypass`; relu, leaky_relu, gelu, softplus,
   swish, any depth): when every hidden neuron lies in a bypass pair (negated row, bias and
   outgoing column), f is an affine map A x + a computed exactly layer by layer -> *holds* if
   A and a commute with the group, else *fails* with a witness read off the failing equation.
   Tried on the submodel ("reduction+linear_bypass") when the network itself has unpaired
   neurons (e.g. zero neurons padding a bypass).  It runs after (c), which decides every
   one-hidden-layer relu network, and before the witness search, which cannot succeed on an
   equivariant network.
d. **witness search** (:mod:`~symeq.architectures.mlp.witness`) over small rational inputs (and
   symbol values) with an exact or interval-certified lower bound -> *fails*.
d'. **relu regions** (:mod:`~symeq.architectures.mlp.regions`; relu, leaky_relu, any depth, rational
   weights): the activation regions of both sides enumerated exactly, within a budget of linear
   programs -> *holds* when the difference is the zero map on every region (proved by the engine;
   the checker has no procedure for it, so no certificate), *fails* with an exact witness inside
   a region where it is not (a break far from the origin, which the search misses).
e. otherwise *unknown*, with the reason.

For a network with symbolic parameters "holds" means for every real value of the symbols where
the denominators of the network's entries and of the proof (the latent maps) are nonzero; the
verdict names those polynomials (``nonzero``) and the certificate's claim lists them.  A witness
also assigns exact values to the symbols.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
>>> r = check_equivariance(net, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.method
('holds', 'layerwise')
>>> bad = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]],
...     [["1", "2"]]], "biases": [["0", "0"], ["0"]]})
>>> r = check_equivariance(bad, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.method, r.witness.generator
('fails', 'witness', 't')
>>> dup = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["1", "0"],
...     ["0", "1"]], [["1", "2", "3"]]], "biases": [["0", "0", "0"], ["0"]]})
>>> r = check_equivariance(dup, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.method, r.evidence()["reduced_equivariance"]["method"]
('holds', 'reduction+layerwise', 'layerwise')
>>> bypass = network_from_dict({"activation": "gelu", "weights": [[["1", "0"], ["0", "1"],
...     ["-1", "0"], ["0", "-1"]], [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
...     "biases": [["0", "0", "0", "0"], ["0", "0"]]})
>>> r = check_equivariance(bypass, catalog_group("C8", 2, 2))
>>> r.verdict, r.method, r.evidence()["pairs"]
('holds', 'linear_bypass', [[[0, 2], [1, 3]]])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Integer, Rational

from symeq.report.notebook import NotebookDisplay
from symeq.exact import symbol_factors
from symeq.architectures.mlp.bypass import BYPASS_ACTIVATIONS, BypassOutcome, BypassProof, linear_bypass
from symeq.errors import BudgetExceeded, InputError
from symeq.groups import GroupAction
from symeq.architectures.mlp.model import MLP
from symeq.architectures.mlp.identity import DEFAULT_MAX_TERMS, IdentityOutcome, polynomial_identity, relu_identity
from symeq.architectures.base import LayerFailure
from symeq.construction.construct import Construction, construct
from symeq.architectures.mlp.witness import Witness, certify_point, find_witness
from symeq.architectures.mlp.regions import relu_regions
from symeq.architectures.mlp.degenerate import relation_between
from symeq.architectures.mlp.reduce import Reduction, reduce_network
from symeq.architectures import network_to_dict

__all__ = ["CheckResult", "check_equivariance", "match_layerwise", "VERDICTS", "METHODS", "DEFAULT_BUDGET"]

#: Largest number of candidate hidden-layer actions tried per generator (duplicate neurons).
DEFAULT_BUDGET = 2000

VERDICTS = ("holds", "fails", "unknown")
#: Methods whose "holds" the checker cannot re-check yet, with what the verdict rests on.
UNCERTIFIED = {"relu_regions": "the verdict rests on the engine's exact enumeration of activation regions, which the "
                               "checker does not re-run (no certificate format for it yet)"}
#: Methods a result can name.  "reduction+M" is certificate evidence "via_reduction" whose
#: "reduced_equivariance" is M's evidence for the reduced network; "none" has no evidence; the
#: others are certificate evidence methods themselves.
METHODS = ("layerwise", "polynomial_identity", "relu_canonical_form", "linear_bypass", "relu_regions", "reduction+layerwise",
           "reduction+polynomial_identity", "reduction+linear_bypass", "witness", "none")


@dataclass(frozen=True)
class CheckResult(NotebookDisplay):
    """The verdict of :func:`check_equivariance` with its evidence.

    ``method`` is the certificate evidence method ("layerwise", "polynomial_identity",
    "relu_canonical_form", "linear_bypass" for holds; "witness" for fails; "none" for unknown), or
    "reduction+M" when M proved the reduced network equivariant.  ``match`` holds the latent
    actions of a layerwise proof (and the matching failure otherwise; for "reduction+M" the
    failure on the network itself); ``witness`` the separating input of a refutation.
    ``reduction`` is the submodel reduction when one was tried, and ``reduced`` the result of
    M on the reduced network (its latent actions for "reduction+layerwise").  ``bypass`` holds
    the pairs and the affine map of a linear-bypass proof (or of a refutation by it).
    ``attempts`` lists, in order, what each method said.
    """

    _VERB = "check"  # Jupyter shows it as Markdown (symeq.report.notebook)

    verdict: str
    method: str
    reason: str
    match: Construction | None = None
    witness: Witness | None = None
    attempts: tuple[str, ...] = ()
    seconds: float = 0.0
    reduction: Reduction | None = None
    reduced: CheckResult | None = None
    bypass: BypassProof | None = None
    network: MLP | None = field(default=None, compare=False, repr=False)
    group: GroupAction | None = field(default=None, compare=False, repr=False)
    #: For a "holds" on a network with symbols: the polynomials in the symbols (irreducible
    #: factors of the denominators of the network and of the proof) that must be nonzero; the
    #: claim is "for every real value of the symbols where each of these is nonzero".
    nonzero: tuple[Any, ...] = ()

    def certificate(self) -> dict[str, Any] | None:
        """The certificate of a holds, the witness certificate of a fails, None for unknown
        (docs/certificates.md); the checker re-verifies it (``symeq.verify``)."""
        if self.verdict == "unknown" or self.network is None or self.group is None:
            return None
        if self.method in UNCERTIFIED:
            return None
        from symeq.certify.build import check_certificate

        return check_certificate(self.network, self.group, self)

    @property
    def certificate_note(self) -> str:
        """Why :meth:`certificate` is None (printed by ``symeq check --certificate``)."""
        if self.verdict == "unknown":
            return "the verdict is unknown"
        if self.method in UNCERTIFIED:
            return UNCERTIFIED[self.method]
        return "a certificate exists"

    def evidence(self) -> dict[str, Any]:
        """The certificate's "evidence" object (docs/certificates.md).

        Raises ValueError for an unknown verdict, which has no evidence.

        >>> CheckResult("holds", "polynomial_identity", "...").evidence()
        {'method': 'polynomial_identity'}
        """
        if self.verdict == "holds":
            if self.reduced is not None:
                assert self.reduction is not None
                return {"method": "via_reduction", "reduced": network_to_dict(self.reduction.reduced),
                        "steps": [s.to_dict() for s in self.reduction.steps],
                        "reduced_equivariance": self.reduced.evidence()}
            if self.method == "layerwise":
                assert self.match is not None
                return {"method": "layerwise", "actions": self.match.evidence_actions()}
            if self.method == "linear_bypass":
                assert self.bypass is not None
                return self.bypass.evidence()
            return {"method": self.method}
        if self.verdict == "fails":
            assert self.witness is not None
            return {"method": "witness", **self.witness.to_dict()}
        raise ValueError("an unknown verdict has no evidence")

    def text(self) -> str:
        """The text report of ``symeq check``: verdict, method, reason, the latent actions or the
        witness, what each method said, and the rewrite steps of a proof by reduction."""
        out = [f"verdict: {self.verdict}", f"method: {self.method}", f"reason: {self.reason}"]
        names = tuple(self.group.names) if self.group is not None else ()
        if self.verdict == "holds" and self.method == "layerwise" and self.match is not None:
            out += _action_lines(self.match, names, "")
        if self.witness is not None:
            out.append(f"witness: {self.witness.describe()}")
        if self.verdict != "holds" or self.method != "layerwise":
            out += [f"  tried {line}" for line in self.attempts]
        if self.verdict == "holds" and self.reduced is not None:
            out += _reduction_lines(self, names)
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq check --json``.

        >>> sorted(CheckResult("unknown", "none", "no layerwise action").to_dict())
        ['attempts', 'method', 'reason', 'seconds', 'verdict']
        """
        out: dict[str, Any] = {"verdict": self.verdict, "method": self.method, "reason": self.reason,
                               "attempts": list(self.attempts), "seconds": round(self.seconds, 6)}
        if self.match is not None and self.match.found:
            out["actions"] = self.match.evidence_actions()
        elif self.match is not None and self.match.failure is not None:
            out["layerwise_failure"] = self.match.failure.to_dict()
        if self.witness is not None:
            out["witness"] = self.witness.to_dict()
        if self.bypass is not None:
            out["affine_map"] = {k: v for k, v in self.bypass.evidence().items() if k != "method"}
        if self.reduction is not None and self.reduction.changed:
            red = self.reduction.reduced
            out["reduction"] = {"steps": [s.to_dict() for s in self.reduction.steps],
                                "reduced_widths": list(red.widths), "reduced_network": network_to_dict(red)}
            if self.reduced is not None and self.reduced.match is not None and self.reduced.match.found:
                out["reduction"]["actions"] = self.reduced.match.evidence_actions()
            if self.reduced is not None and self.reduced.bypass is not None:
                out["reduction"]["affine_map"] = {k: v for k, v in self.reduced.bypass.evidence().items()
                                                  if k != "method"}
        return out


def check_equivariance(net: MLP, group: GroupAction, *, tries: int = 200, seed: int = 0,
                       budget: int = DEFAULT_BUDGET, max_terms: int = DEFAULT_MAX_TERMS) -> CheckResult:
    """Decide f(rho_0(g) x) = rho_L(g) f(x) for all x and every generator g of ``group``.

    ``tries``: inputs tried by the witness search; ``seed``: its random seed; ``budget``:
    duplicate-neuron choices tried by the matching; ``max_terms``: the polynomial expansion's
    size limit.

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "power:2", "weights": [[["1", "1"]], [["1"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> r = check_equivariance(net, catalog_group("S2", 2, 1, output="trivial"))
    >>> r.verdict, r.method
    ('holds', 'layerwise')
    """
    start = time.perf_counter()
    act = net.activation
    base = symbol_factors(net.parameters()) if net.symbols else ()
    family = condition_text(net, base)
    attempts: list[str] = []

    reduction: Reduction | None = None

    def done(verdict: str, method: str, reason: str, match: Construction | None = None,
             witness: Witness | None = None, reduced: CheckResult | None = None,
             bypass: BypassProof | None = None, nonzero: tuple[Any, ...] = base) -> CheckResult:
        return CheckResult(verdict, method, reason, match, witness, tuple(attempts),
                           time.perf_counter() - start, reduction, reduced, bypass, net, group,
                           nonzero if verdict == "holds" else ())

    # (a) layerwise
    match = match_layerwise(net, group, budget)
    if match.found:
        kinds = {k.kind for acts in match.actions.maps for k in acts}
        what = "every layer" if net.depth > 1 else "the single affine layer"
        attempts.append("layerwise: latent actions found")
        nonzero = _merge(base, symbol_factors(_map_entries(match))) if net.symbols else ()
        return done("holds", "layerwise",
                    f"layerwise equivariant{condition_text(net, nonzero)}: {', '.join(sorted(kinds)) or 'no hidden'} "
                    f"latent actions make {what} equivariant for every generator", match, nonzero=nonzero)
    assert match.failure is not None
    attempts.append(f"layerwise: {match.failure.message}")

    # (a') the submodel: same function, so its equivariance is the network's.  Only reached
    # when (a) failed, so the fast path pays nothing for it.
    try:
        reduction = reduce_network(net) if net.depth > 1 and _may_reduce(net) else None
    except InputError as exc:  # an exact zero test it cannot decide
        attempts.append(f"reduction: not applicable ({exc})")
    if reduction is not None and not reduction.changed:
        reduction = None
    if reduction is not None:
        red = reduction.reduced
        ops = [s.op for s in reduction.steps]
        how = (f"rewrite steps ({', '.join(f'{ops.count(o)} {o}' for o in sorted(set(ops)))}) turn widths "
               f"{'-'.join(map(str, net.widths))} into the submodel {'-'.join(map(str, red.widths))} "
               "with the same function")
        rmatch = match_layerwise(red, group, budget)
        if rmatch.found:
            attempts.append(f"reduction: {how}; layerwise on the submodel: latent actions found")
            kinds = {k.kind for acts in rmatch.actions.maps for k in acts}
            nonzero = _merge(base, symbol_factors(_map_entries(rmatch)), symbol_factors(red.parameters())) \
                if net.symbols else ()
            inner = CheckResult("holds", "layerwise", f"the submodel is layerwise equivariant{family}", rmatch)
            return done("holds", "reduction+layerwise",
                        f"equivariant{condition_text(net, nonzero)}: {how}, and {', '.join(sorted(kinds))} latent "
                        "actions make every layer of the submodel equivariant for every generator", match,
                        reduced=inner, nonzero=nonzero)
        assert rmatch.failure is not None
        attempts.append(f"reduction: {how}; layerwise on the submodel: {rmatch.failure.message}")

    # (b) polynomial identity
    if act.polynomial:
        out, on_submodel = None, False
        try:
            out = polynomial_identity(net, group, max_terms=max_terms)
        except BudgetExceeded as exc:
            attempts.append(f"polynomial identity: {exc} (budget)")
            if reduction is not None:  # the submodel is smaller and computes the same function
                try:
                    out, on_submodel = polynomial_identity(reduction.reduced, group, max_terms=max_terms), True
                except BudgetExceeded as exc2:
                    attempts.append(f"polynomial identity on the submodel: {exc2} (budget)")
        except ValueError as exc:
            attempts.append(f"polynomial identity: not applicable ({exc})")
        if out is not None:
            where = " on the submodel" if on_submodel else ""
            if out.holds:
                attempts.append(f"polynomial identity{where}: every coefficient is 0")
                reason = (f"f(rho_0(g) x) - rho_L(g) f(x) expands to 0{family} for every generator "
                          "(exact polynomial identity)")
                if not on_submodel:
                    return done("holds", "polynomial_identity", reason, match)
                inner = CheckResult("holds", "polynomial_identity", reason)
                return done("holds", "reduction+polynomial_identity",
                            f"the submodel computes the same function and {reason}", match, reduced=inner)
            w = _witness_from(net, group, out)
            attempts.append(f"polynomial identity{where}: coordinate {out.coordinate} for generator "
                            f"{out.generator} has a nonzero coefficient")
            if w is not None:
                return done("fails", "witness",
                            "the polynomial identity fails; an exact point where the difference is "
                            "nonzero was read off a nonzero coefficient", match, w)

    # (c) one hidden relu / leaky_relu layer
    if act.name in ("relu", "leaky_relu") and net.depth == 2 and not net.symbols:
        try:
            out = relu_identity(net, group, tries=tries, seed=seed)
        except ValueError as exc:
            attempts.append(f"relu canonical form: not applicable ({exc})")
        else:
            if out.holds:
                attempts.append("relu canonical form: both sides agree")
                return done("holds", "relu_canonical_form",
                            "both sides have the same canonical form sum_h c_h relu(n_h.x + beta_h) "
                            "+ affine for every generator", match)
            attempts.append(f"relu canonical form: the forms differ for generator {out.generator}")
            w = _witness_from(net, group, out)
            if w is not None:
                return done("fails", "witness",
                            "the relu canonical forms differ; an exact point where the sides differ "
                            "was found next to a kink", match, w)

    # (c') linear bypass, on the network and else on its submodel (same function)
    if net.activation.name in BYPASS_ACTIVATIONS:
        for target, where in ((net, ""), (reduction.reduced if reduction is not None else None, " on the submodel")):
            if target is None:
                continue
            out_b = linear_bypass(target, group)
            attempts.append(f"linear bypass{where}: {out_b.reason}")
            if out_b.status == "holds":
                if not where:
                    return done("holds", "linear_bypass", f"equivariant{family}: {out_b.reason}", match,
                                bypass=out_b.proof)
                inner = CheckResult("holds", "linear_bypass", f"the submodel: {out_b.reason}", bypass=out_b.proof)
                return done("holds", "reduction+linear_bypass",
                            f"equivariant{family}: the submodel computes the same function, and {out_b.reason}",
                            match, reduced=inner)
            if out_b.status == "fails":
                w = _bypass_witness(net, group, out_b)
                if w is not None:
                    return done("fails", "witness", f"{out_b.reason}{where}; an exact point where the sides differ "
                                "was read off that equation", match, w, bypass=out_b.proof)
                break

    # (d) witness search
    w = find_witness(net, group, tries=tries, seed=seed)
    if w is not None:
        how = "exact evaluation" if w.exact else "interval arithmetic"
        attempts.append(f"witness search: separating input found ({how})")
        return done("fails", "witness",
                    f"a separating input was found by search and proved by {how}", match, w)
    attempts.append(f"witness search: no separating input among {tries} tried")

    # (d') ReLU networks of any depth: exact, by their activation regions
    regions = relu_regions(net, group) if act.name in ("relu", "leaky_relu") and net.depth > 1 else None
    if regions is not None:
        attempts.append(f"relu regions: {regions.reason}")
        if regions.status == "holds":
            return done("holds", "relu_regions", f"equivariant: {regions.reason}", match)
        if regions.status == "fails":
            assert regions.generator is not None and regions.point is not None
            point = tuple(Rational(v.numerator, v.denominator) for v in regions.point)
            w = certify_point(net, group, regions.generator, point)
            if w is not None:
                return done("fails", "witness", f"{regions.reason}; an exact point where the sides differ was taken "
                            f"inside that region ({regions.cells} region(s) examined)", match, w)

    # (e) unknown
    no_action = ("no layerwise action" if match.failure.definitive
                 else f"no layerwise action found ({match.failure.kind})")
    if reduction is not None:
        assert rmatch.failure is not None
        no_action += (", nor on its submodel" if rmatch.failure.definitive
                      else f", nor found on its submodel ({rmatch.failure.kind})")
    reason = f"{no_action}; no separating input among {tries} tried"
    if regions is not None and regions.status == "budget":
        reason += f"; unknown (budget: {regions.reason})"
    if net.depth > 1 and match.failure.definitive and act.name not in ("identity",) and reduction is None:
        reason += ("; the network has no removable inactive or redundant neuron, but pairs of neurons can still "
                   "pass a signal around the layer actions (docs/theory.md section 6)")
    return done("unknown", "none", reason, match)


def match_layerwise(net: MLP, group: GroupAction, budget: int = DEFAULT_BUDGET) -> Construction:
    """The layerwise search of :mod:`symeq.construction.construct` as ``check`` runs it: a search cut
    short by its budget, or a layer whose solutions form a continuum (identity activation with
    a W_i of deficient row rank), is a failure of kind ``budget`` or ``unsupported``, and the
    next method decides.  Symbolic identity networks are left to the polynomial identity.

    >>> from symeq.architectures import network_from_dict
    >>> from symeq.groups import catalog_group
    >>> net = network_from_dict({"activation": "relu", "weights": [[["2"], ["-1"]], [["1", "-2"]]],
    ...                          "biases": [["0", "0"], ["0"]]})
    >>> match_layerwise(net, catalog_group("sign", 1, 1)).action("m")[0].describe_relations()
    'perm (0 1); a=1/2 b=1/2 on neuron 0; a=2 b=2 on neuron 1'
    """
    if net.activation.kind == "affine" and net.symbols:
        g = group.names[0]
        failure = LayerFailure(g, 1, None, "unsupported",
                               "symbolic identity network: decided by the polynomial identity")
        return Construction(net, group, "affine", net.search_method, None, g, failure.message, failure=failure)
    return construct(net, group, budget, on_budget="failure", continuum="failure")


def _bypass_witness(net: MLP, group: GroupAction, out: BypassOutcome) -> Witness | None:
    """The refuting point of a failed linear bypass, certified on the network itself (the
    submodel computes the same function).  None for a symbolic network (no point)."""
    if out.point is None or out.generator is None:
        return None
    return certify_point(net, group, out.generator, out.point)


def _may_reduce(net: MLP) -> bool:
    """False only when :func:`reduce_network` provably changes nothing, decided fast.

    Every rewrite step needs a hidden neuron with a zero outgoing column or a zero incoming row,
    or two neurons related by a relation of the activation, whose incoming rows are then
    proportional.  With rational weights, rows are bucketed by their scaling to lead with 1 and
    only rows in one bucket are compared (where the reduction compares every pair of rows
    exactly: seconds for 64-wide layers); otherwise the answer is True and the reduction
    decides.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["2", "1"]],
    ...     [["1", "1"]]], "biases": [["0", "0"], ["0"]]})
    >>> _may_reduce(net), _may_reduce(net.with_layer(1, net.weights[0], net.biases[0]).with_layer(
    ...     2, net.weights[1].zeros(1, 2), net.biases[1]))
    (False, True)
    """
    for i in range(1, net.depth):
        w, w_next = net.weights[i - 1], net.weights[i]
        if not all(v.is_Rational for v in w) or not all(v.is_Rational for v in w_next):
            return True
        if any(all(v == 0 for v in w_next.col(j)) for j in range(w_next.cols)):
            return True
        buckets: dict[tuple[Any, ...], list[int]] = {}
        for r in range(w.rows):
            row = w.row(r)
            lead = next((v for v in row if v != 0), None)
            if lead is None:
                return True
            buckets.setdefault(tuple(v / lead for v in row), []).append(r)
        b = net.biases[i - 1]
        for rows in buckets.values():
            for n, k in enumerate(rows):
                for j in rows[:n]:
                    if relation_between(net.activation, list(w.row(j)), b[j], list(w.row(k)), b[k]) is not None:
                        return True
    return False


def _witness_from(net: MLP, group: GroupAction, out: IdentityOutcome) -> Witness | None:
    """Re-evaluate an identity method's point on the network itself and certify it.

    The point may come from the submodel, which computes the same function for every value of
    the symbols; a symbol only removed neurons used is then set to 0."""
    assert out.generator is not None and out.point is not None
    given = {name for name, _ in out.symbol_values}
    values = tuple(out.symbol_values) + tuple((str(s), Integer(0)) for s in sorted(net.symbols, key=str)
                                              if str(s) not in given)
    return certify_point(net, group, out.generator, out.point, values)


def _reduction_lines(result: CheckResult, names: tuple[str, ...]) -> list[str]:
    """The rewrite steps to the reduced network and, for reduction+layerwise, its latent actions."""
    assert result.reduction is not None and result.reduced is not None
    red, steps = result.reduction.reduced, result.reduction.steps
    out = [f"reduced network: widths {'-'.join(map(str, red.widths))}, the same function as the network "
           f"by {len(steps)} rewrite step{'s' if len(steps) != 1 else ''}:"]
    out += [f"  step {n}: {_describe_step(step)}" for n, step in enumerate(steps, start=1)]
    out += [f"  note: {note}" for note in result.reduction.notes]
    if result.reduced.match is not None and result.reduced.match.found:
        out.append("latent actions of the reduced network:")
        out += _action_lines(result.reduced.match, names, "  ")
    return out


def _action_lines(match: Construction, names: tuple[str, ...], indent: str) -> list[str]:
    out = []
    for g in names:
        acts = match.action(g)
        if not acts:
            out.append(f"{indent}generator {g}: no hidden layer; the output layer closes")
        out += [f"{indent}generator {g}, layer {i}: {k.describe_relations()}" for i, k in enumerate(acts, start=1)]
    return out


def _describe_step(step: Any) -> str:
    """One rewrite step in words (indices are those of the network at that step)."""
    from symeq.exact import number_to_string

    where = f"layer {step.layer} neuron {step.neuron}"
    if step.op == "drop_zero_column":
        return f"drop {where} (zero outgoing column)"
    if step.op == "zero_neuron":
        return f"zero {where} (zero outgoing column, last neuron of its layer)"
    if step.op == "absorb_constant":
        return f"absorb {where} (zero incoming row, constant output {number_to_string(step.constant)}) into the next bias"
    r = step.relation
    rel = ", ".join(number_to_string(getattr(r, k)) for k in "acbe")
    return f"merge {where} into neuron {step.keep} (relation (a, c, b, e) = ({rel}))"


def _merge(*parts: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(dict.fromkeys(x for p in parts for x in p), key=sympy.default_sort_key))


def _map_entries(match: Construction) -> list[Any]:
    """Every entry of the latent maps of a layerwise proof (their denominators bound where the
    proof holds)."""
    assert match.actions is not None
    return [x for acts in match.actions.maps for k in acts for x in (*k.matrix(), *k.shift())]


def condition_text(net: MLP, nonzero: tuple[Any, ...]) -> str:
    """The condition of a "holds" on a network with symbols, as the verdict states it.

    >>> from symeq.architectures import network_from_dict
    >>> net = network_from_dict({"activation": "relu", "weights": [[["a"]], [["1/a"]]], "biases": [["0"], ["0"]]})
    >>> condition_text(net, (sympy.Symbol("a", real=True),))
    ' for every real value of the symbol a where a is nonzero'
    """
    if not net.symbols:
        return ""
    names = ", ".join(sorted(map(str, net.symbols)))
    what = f"the symbol{'s' if len(net.symbols) > 1 else ''} {names}"
    if not nonzero:
        return f" for every real value of {what}"
    dens = ", ".join(str(d) for d in nonzero)
    return f" for every real value of {what} where {dens} {'is' if len(nonzero) == 1 else 'are'} nonzero"
