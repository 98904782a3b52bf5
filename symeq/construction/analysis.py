"""The theorem end to end: what ``symeq latent`` decides for one network and one group.

1. Construct at theta (:mod:`symeq.construction.construct`): theta^g and k(g) for every generator.
2. If every generator has a layerwise action: decide uniqueness (:mod:`symeq.construction.stabilizer`)
   and check that the pairs (k_i(g), g) close up to a (crossed) homomorphism
   (:mod:`symeq.construction.homomorphism`); with a nontrivial stabilizer search the cosets for a
   homomorphic choice.
3. Otherwise (or if no homomorphic choice exists at theta): reduce theta to its submodel
   theta~, construct there and embed with beta (:mod:`symeq.construction.weak`).
4. If there is still no action, ask why (docs/theory.md sections 5 and 6): when f is not
   equivariant, ``symeq check`` gives a witness and, if theta is identifiable, the theorem's
   contrapositive explains it; when f is equivariant, the failing hypothesis is
   identifiability, and ``symeq counterexample`` is the place to look.
5. For a construction that holds: orbits, G-sets and characters of every hidden layer
   (``net.layer_structure``; for an MLP :mod:`symeq.architectures.mlp.structure`); for symbolic families the inequations for uniqueness and
   identifiability (``net.uniqueness_conditions()``, ``net.identifiability_conditions()``).

Verdicts: ``holds`` (latent homomorphisms constructed; certificate kind ``latent_actions``),
``fails`` (f is not equivariant, with check's witness; certificate ``not_equivariant``),
``unknown`` (no action and no witness, with the reason).

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "0"], ["1", "0"], ["0", "1"]],
...       [["1", "2", "3"]]], "biases": [["0", "0", "0"], ["0"]]})
>>> r = analyze(net, catalog_group("S2", 2, 1, output="trivial"))
>>> r.verdict, r.where
('holds', 'beta(theta~)')
>>> r.acting.weights[1]
Matrix([[3, 0, 3]])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from symeq.report.notebook import NotebookDisplay
from symeq.errors import BudgetExceeded, InputError
from symeq.exact import symbol_factors
from symeq.verdict import Verdict
from symeq.groups import GroupAction
from symeq.construction.construct import Construction, LatentActions, construct
from symeq.construction.homomorphism import HomomorphismCheck, check_homomorphism, find_homomorphism
from symeq.construction.stabilizer import Stabilizer, stabilizer
from symeq.construction.weak import WeakConstruction, construct_weak

__all__ = ["LatentResult", "analyze", "symbol_denominators"]


@dataclass(frozen=True)
class LatentResult(NotebookDisplay):
    """Everything ``symeq latent`` reports.

    ``where`` is ``"theta"`` or ``"beta(theta~)"`` for a construction that holds (``acting`` is
    then the network the actions act on); ``stabilizer`` is that of theta (or of theta~ in the
    weak case); ``check`` and ``identify`` are the results of ``symeq check`` and ``symeq
    identify`` when they were consulted.
    """

    _VERB = "latent"

    def _repr_markdown_(self) -> str:  # Jupyter: the whole derivation of `symeq explain`
        from symeq.report.notebook import latent_markdown

        return latent_markdown(self)

    def _repr_latex_(self) -> str:
        from symeq.report.notebook import latent_latex

        return latent_latex(self)

    verdict: str
    summary: str
    network: Any
    group: GroupAction
    where: str = ""
    acting: Any = None
    construction: Construction | None = None
    weak: WeakConstruction | None = None
    actions: LatentActions | None = None
    stabilizer: Stabilizer | None = None
    homomorphism: HomomorphismCheck | None = None
    structure: tuple[Any, ...] = ()
    check: Any = None
    identify: Any = None
    uniqueness: tuple[Any, ...] = ()
    identifiability: tuple[Any, ...] = ()
    notes: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 holds, 1 fails, 3 unknown."""
        return Verdict(self.verdict).exit_code

    @property
    def reason(self) -> str:
        """The summary of what was constructed, or why nothing was."""
        return self.summary

    def action(self, generator: str) -> tuple[Any, ...]:
        """(rho_1(g), ..., rho_{L-1}(g)) for the generator called ``generator`` (ValueError when
        no latent action was constructed)."""
        if self.actions is None:
            raise ValueError(f"no latent actions: {self.summary}")
        return self.actions.generator(generator)

    def certificate(self) -> dict[str, Any] | None:
        """The ``latent_actions`` certificate of a holds, check's ``not_equivariant`` certificate
        of a fails, None for unknown (docs/certificates.md)."""
        from symeq.certify.build_latent import latent_certificate

        return latent_certificate(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``symeq latent --json``."""
        from symeq.architectures import network_to_dict

        out: dict[str, Any] = {"verdict": self.verdict, "summary": self.summary, "where": self.where,
                               "notes": list(self.notes), "seconds": round(self.seconds, 6)}
        if self.where == "beta(theta~)" and self.acting is not None and self.weak is not None:
            out["network_used"] = network_to_dict(self.acting)
            out["reduction"] = {"steps": [s.to_dict() for s in self.weak.reduction.steps],
                                "kept": [list(k) for k in self.weak.reduction.kept]}
        if self.construction is not None:
            out["method"] = self.construction.method
        if self.actions is not None:
            out["actions"] = self.actions.to_dict()
            out["actions_described"] = {n: [k.describe() for k in ks]
                                        for n, ks in zip(self.actions.names, self.actions.maps)}
            extra = getattr(self.acting if self.acting is not None else self.network, "latent_report", None)
            if extra is not None:  # the architecture's own facts (convolutions: grid maps, the cocycle)
                out.update(extra(self.group, self.actions))
        if self.stabilizer is not None:
            st = self.stabilizer
            out["uniqueness"] = {"status": st.status, "order": st.order, "dimension": st.dimension,
                                 "reason": st.reason, "criterion": st.criterion,
                                 "unique": st.trivial}
        if self.homomorphism is not None:
            out["homomorphism"] = self.homomorphism.holds
            out["group_order"] = self.homomorphism.order
            out["crossed"] = self.homomorphism.crossed
        out["layers"] = [ls.to_dict() for ls in self.structure]
        if self.uniqueness or self.identifiability:
            out["conditions"] = {"uniqueness": [c.text() for c in self.uniqueness],
                                 "identifiability": [c.text() for c in self.identifiability]}
        if self.check is not None:
            out["check"] = self.check.to_dict()
        if self.identify is not None:
            out["identifiability"] = {"verdict": self.identify.verdict, "basis": self.identify.basis}
        return out


def _homomorphic(net: Any, group: GroupAction, actions: LatentActions, stab: Stabilizer,
                 notes: list[str], budget: int) -> tuple[LatentActions | None, HomomorphismCheck, bool]:
    """A homomorphic choice of latent maps, the closure check, and whether "None" is a proof
    that no homomorphic choice exists (False when the search was skipped or cut short)."""
    hc = check_homomorphism(net, group, actions)
    if hc.holds:
        return actions, hc, True
    if stab.status == "infinite" and stab.dimension:
        notes.append("the chosen latent maps are not a homomorphism; other solutions of the "
                     "continuum were not searched")
        return None, hc, False
    if stab.trivial:  # cannot happen: k(w) fixes theta for every word w = e
        notes.append("the closure fails although Stab(theta) is trivial: please report this network")
        return None, hc, False
    try:
        found = find_homomorphism(net, group, budget=budget)
    except BudgetExceeded as exc:
        notes.append(f"searching a homomorphic choice in the cosets k(g) Stab(theta): {exc}")
        return None, hc, False
    if found is None:
        # with free scales (stabilizer unknown or infinite) only scale 1 was enumerated
        complete = stab.status == "nontrivial"
        notes.append("no choice of per-generator latent maps is a homomorphism" if complete else
                     "no enumerated choice of per-generator latent maps is a homomorphism "
                     "(free neuron scales were not searched)")
        return None, hc, complete
    notes.append("the first per-generator choice is not a homomorphism; another element of the coset "
                 "k(g) Stab(theta) is")
    return found, check_homomorphism(net, group, found), True


def _absence_proved(c: Construction) -> bool:
    """True when a construction without actions proves that none exists (not a search cut
    short by its budget, nor the affine kind's random tries for an invertible solution)."""
    return c.actions is None and c.method != "budget" and not (c.method == "linear system"
                                                               and c.unique is False)


def _structure(net: Any, group: GroupAction, actions: LatentActions, notes: list[str]) -> tuple[Any, ...]:
    """What each hidden layer carries, in the architecture's own terms (neuron orbits and
    G-sets for an MLP); nothing for an architecture that does not say."""
    if not hasattr(net, "layer_structure"):
        return ()
    try:
        return net.layer_structure(group, actions)
    except (InputError, BudgetExceeded) as exc:
        notes.append(f"layer structure not computed: {exc}")
        return ()


def analyze(net: Any, group: GroupAction, budget: int = 20_000, structure: bool = True,
            consult: bool = True) -> LatentResult:
    """Run the construction of docs/theory.md section 5 on ``net`` and ``group`` (see the module
    docstring).  ``consult``: when no action exists, ask ``check`` and ``identify`` why.
    :func:`symeq.api.latent` calls an architecture's own ``latent`` verb instead when its package
    has one (attention: head orbits and the submodels of merged heads; convolutions: the crossed
    law), which may build on this function."""
    start = time.perf_counter()
    notes: list[str] = []
    fam_u = fam_i = ()
    if net.symbols and hasattr(net, "identifiability_conditions"):
        fam_i = net.identifiability_conditions()

    def done(verdict: str, summary: str, **kw: Any) -> LatentResult:
        return LatentResult(verdict, summary, net, group, notes=tuple(notes),
                            identifiability=fam_i, seconds=time.perf_counter() - start, **kw)

    missing = getattr(net, "construction_missing", None)
    if missing is not None and missing():  # the architecture cannot build these latent groups yet
        from symeq.architectures import verb

        chk = verb(net, "check")(net, group)
        if chk.verdict == "fails":
            return done("fails", f"f is not G-equivariant (check: {chk.method}); the construction: {missing()}",
                        check=chk)
        return done("unknown", f"unknown: {missing()}; equivariance: {chk.verdict} ({chk.method})", check=chk)
    try:
        c = construct(net, group, budget)
    except BudgetExceeded as exc:  # the search at theta was cut short: try beta(theta~), else unknown
        c = Construction(net, group, "", "budget", None, reason=f"unknown (budget): {exc}")
    # proved: every "no action" met on the way is a proof, so absence may be claimed
    proved = _absence_proved(c)
    if c.actions is not None:
        stab = stabilizer(net, budget)
        acts, rc, proved = _homomorphic(net, group, c.actions, stab, notes, budget)
        if acts is not None:
            st = _structure(net, group, acts, notes) if structure else ()
            fam_u = _uniqueness(net)
            return done("holds", _holds_summary("theta", net, stab, rc, acts, fam_u), where="theta", acting=net,
                        construction=c, actions=acts, stabilizer=stab, homomorphism=rc, structure=st,
                        uniqueness=fam_u)
    # not at theta: the theorem's parameter choice beta(theta~)
    try:
        weak = construct_weak(net, group, budget)
    except BudgetExceeded as exc:
        return done("unknown", f"unknown (budget): {exc}", construction=c)
    if weak.reduction.changed and weak.actions is None:
        proved = proved and _absence_proved(weak.submodel)
    if weak.reduction.changed and weak.actions is not None:
        stab = stabilizer(weak.reduction.reduced, budget)
        acts, rc, searched = _homomorphic(weak.embedded, group, weak.actions, stab, notes, budget)
        proved = proved and searched
        if acts is not None:
            st = _structure(weak.embedded, group, acts, notes) if structure else ()
            fam_u = _uniqueness(weak.reduction.reduced)
            what = ("no layerwise action at theta ({})".format(c.reason) if c.actions is None else
                    "the latent maps found at theta are not a homomorphism")
            notes.insert(0, f"{what}; the theorem's parameter choice beta(theta~) has a homomorphic one")
            return done("holds", _holds_summary("beta(theta~)", net, stab, rc, acts, fam_u), where="beta(theta~)",
                        acting=weak.embedded, construction=c, weak=weak, actions=acts,
                        stabilizer=stab, homomorphism=rc, structure=st, uniqueness=fam_u)
    reason = c.reason or "no homomorphic choice of latent maps at theta"
    if c.method == "budget":  # absence was not established, so explain nothing
        return done("unknown", reason, construction=c, weak=weak)
    if not consult:
        return done("unknown", f"no layerwise action: {reason}", construction=c, weak=weak)
    return _explain_absence(net, group, c, weak, reason, done, proved)


def _uniqueness(net: Any) -> tuple[Any, ...]:
    """For a symbolic family, the inequations under which the latent action is unique."""
    return net.uniqueness_conditions() if net.symbols and hasattr(net, "uniqueness_conditions") else ()


def symbol_denominators(actions: LatentActions) -> tuple[sympy.Expr, ...]:
    """The irreducible factors, in the symbols, of the denominators of the latent maps' entries.

    The maps of a symbolic family are rational functions of the symbols: they exist (and make
    every layer equivariant) only where no such factor vanishes.

    >>> from sympy import Symbol, ImmutableMatrix
    >>> from symeq.architectures.mlp.latent_map import LatentMap
    >>> a = Symbol("a", real=True)
    >>> k = LatentMap.affine(ImmutableMatrix([[0, 1 / a], [a, 0]]), ImmutableMatrix([0, 0]))
    >>> symbol_denominators(LatentActions(("t",), ((k,),)))
    (a,)
    """
    return symbol_factors(x for maps in actions.maps for k in maps for x in (*k.matrix(), *k.shift()))


def _holds_summary(where: str, net: Any, stab: Stabilizer, rc: HomomorphismCheck,
                   actions: LatentActions, uniqueness: tuple[Any, ...] = ()) -> str:
    at = "theta itself" if where == "theta" else "beta(theta~), the reduced network padded with zero neurons (same function)"
    # In the weak case uniqueness is decided on the submodel theta~, where the theorem runs.
    of = "theta" if where == "theta" else "theta~"
    # For a symbolic family the stabilizer is decided for generic symbol values only; it can
    # grow where a uniqueness condition fails.
    cond = " where the conditions for uniqueness below hold" if uniqueness else ""
    uniq = {"trivial": f"unique{cond} (Stab({of}) is trivial)",
            "nontrivial": f"not unique (Stab({of}) has {stab.order} elements)",
            "infinite": f"not unique (Stab({of}) is infinite)",
            "unknown": "of undecided uniqueness"}[stab.status]
    fam = ""
    if net.symbols:
        # Maps with a symbol in a denominator are undefined where it vanishes (and there may be
        # no layerwise action at all there), so the claim is only for the other values.
        dens = symbol_denominators(actions)
        fam = (" for every value of the symbols" if not dens else
               f" for every value of the symbols with {', '.join(f'{d} != 0' for d in dens)} "
               "(the maps' denominators)")
    what = ("k_i is a crossed homomorphism G -> K_i and rho_i = s_i o k_i a homomorphism" if rc.crossed
            else "rho_i is a homomorphism G -> K_i")
    return (f"latent actions make every layer of {at} equivariant{fam}; they are {uniq}; the pairs "
            f"(k_i(g), g) close up in K_i x| G to exactly |G| = {rc.order} elements, so each {what}")


def _explain_absence(net: Any, group: GroupAction, c: Construction, weak: WeakConstruction,
                     reason: str, done: Any, proved: bool = True) -> LatentResult:
    """Why there is no action.  The theorem's contrapositive is invoked only when ``proved``
    (no layerwise homomorphism exists, not merely none was found) and theta is identifiable."""
    from symeq.architectures import verb
    from symeq.identifiability.identify import identify

    chk = verb(net, "check")(net, group)
    idr = None
    try:
        idr = identify(net, local=False)
        ident = idr.verdict
    except (InputError, BudgetExceeded, NotImplementedError) as exc:
        ident = f"unknown ({exc})"
    identifiable = ident in ("identifiable", "weakly identifiable")
    crit = f" by {idr.basis}" if idr is not None and identifiable else ""
    what = "layerwise action" if c.actions is None else "homomorphic choice of layerwise actions"
    absent = f"no {what} exists" if proved else f"no {what} was found"
    if chk.verdict == "fails":
        w = chk.witness
        at = w.describe() if w is not None else "a witness"
        if identifiable and proved:
            summary = (f"{absent} ({reason}); theta is {ident}{crit}, so by the "
                       f"theorem's contrapositive f is not G-equivariant; check confirms it with a witness: {at}")
        else:
            summary = (f"f is not G-equivariant (check's witness: {at}); the theorem says nothing "
                       f"here; {absent}: {reason}")
        return done("fails", summary, construction=c, weak=weak, check=chk, identify=idr)
    if chk.verdict == "holds":
        if not proved:
            summary = (f"f is G-equivariant ({chk.method}), but {absent} at theta or at beta(theta~) "
                       f"({reason}), and the search did not prove that none exists; identifiability: {ident}")
            return done("unknown", summary, construction=c, weak=weak, check=chk, identify=idr)
        hyp = (f"identifiability fails (symeq identify: {ident})" if not identifiable else
               f"identifiability was reported ({ident}), yet no action exists: please report this network")
        summary = (f"f is G-equivariant ({chk.method}) but {absent} at theta or at "
                   f"beta(theta~) ({reason}); the theorem's hypothesis that fails: {hyp}. Look for "
                   f"the reason with `symeq counterexample --claim layerwise-reparam`")
        return done("unknown", summary, construction=c, weak=weak, check=chk, identify=idr)
    if identifiable and proved:
        summary = (f"{absent} ({reason}); theta is {ident}{crit}, so by the "
                   f"theorem's contrapositive f is not G-equivariant, but no separating input was "
                   f"found to certify it ({chk.reason})")
    else:
        summary = (f"{absent} ({reason}) and equivariance is undecided ({chk.reason}); "
                   f"identifiability: {ident}; see `symeq counterexample`")
    return done("unknown", summary, construction=c, weak=weak, check=chk, identify=idr)
