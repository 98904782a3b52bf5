"""The runners of ``symeq prove``: one per claim verb, each re-deriving one theorem instance.

An instance is a TOML (or JSON) document with a ``[claim]`` table::

    [claim]
    verb = "latent"                  # the engine that decides the claim
    expect = "holds"                 # the verdict the instance states
    description = "..."              # one sentence: which theorem instance this is
    facts = { where = "theta" }      # optional: facts the engine must derive exactly

Instance-level verbs (``check``, ``latent``, ``identify``) read the instance's ``[network]``
and, where a group is needed, its ``[group]`` table or ``group = "NAME"`` in ``[claim]``.
Architecture-level verbs (``counterexample``, ``classify``) read ``arch = "ACT:d0-...-dL"`` and
``group`` (a catalog name, or the instance's ``[group]`` table) from ``[claim]``.
``symmetries`` reads the ``[network]``, or ``arch`` and ``seed`` for a random rational
parameter (the functional-dimension engine's ``random_network``).

Verdicts: check and latent ``holds | fails | unknown``; identify its six verdicts;
counterexample ``refuted | not refuted | unknown``; classify ``complete | incomplete`` (every
assignment examined or the budget cut the listing); symmetries the functional dimension's
status ``exact | certified-lower-bound | unknown``.

A runner returns a :class:`RunResult`: the verdict, the certificate the engine produced (or
None), a short method label, the facts it derived (plain JSON data, compared exactly with the
stated ``facts``; an absent value is the string ``"none"``, as TOML has no null), and the network a stored certificate must speak about (None for
architecture-level claims, where the fresh certificate's network is the reference).  The facts
each verb derives are listed in :data:`FACTS`.

>>> sorted(RUNNERS)
['check', 'classify', 'counterexample', 'identify', 'latent', 'symmetries']
>>> VERDICTS["counterexample"]
('refuted', 'not refuted', 'unknown')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from symeq.errors import InputError

__all__ = ["Instance", "RunResult", "RUNNERS", "VERDICTS", "FACTS", "CLAIM_KEYS",
           "CERTIFIED_VERDICTS", "parse_instance", "plain", "fact_data"]

#: The verdicts each verb can reach; ``expect`` must be one of them.
VERDICTS: dict[str, tuple[str, ...]] = {
    "check": ("holds", "fails", "unknown"),
    "latent": ("holds", "fails", "unknown"),
    "identify": ("identifiable", "weakly identifiable", "locally identifiable", "not identifiable",
                 "conjectural", "unknown"),
    "counterexample": ("refuted", "not refuted", "unknown"),
    "classify": ("complete", "incomplete"),
    "symmetries": ("exact", "certified-lower-bound", "unknown"),
}

#: (verb, verdict) pairs whose engine must produce a certificate; a missing one is a deviation.
#: (identify's "identifiable" and "weakly identifiable" usually carry one too, but not when the
#: verdict rests on a computation the checker does not re-run; the stored certificate, when
#: there is one, is still verified and bound.)
CERTIFIED_VERDICTS = frozenset({
    ("check", "holds"), ("check", "fails"), ("latent", "holds"), ("latent", "fails"),
    ("identify", "not identifiable"), ("counterexample", "refuted"),
})

_COMMON_KEYS = {"verb", "expect", "description", "facts"}

#: The keys ``[claim]`` may hold beyond verb, expect, description and facts.
CLAIM_KEYS: dict[str, set[str]] = {
    "check": {"group"},
    "latent": {"group", "budget"},
    "identify": {"seconds", "local"},
    "counterexample": {"claim", "arch", "group", "budget"},
    "classify": {"arch", "group", "budget", "max_width"},
    "symmetries": {"arch", "seed"},
}

#: The facts each verb derives (the keys ``facts`` may state), with what they mean.
FACTS: dict[str, dict[str, str]] = {
    "check": {
        "method": ("evidence method (layerwise, polynomial_identity, relu_canonical_form, linear_bypass, "
                   "witness, none; reduction+ before a method proved on the reduced network)"),
        "witness_generator": "generator of the refuting witness (None unless fails)",
        "latent_actions": "per generator, each hidden layer's latent map in words (layerwise only)",
    },
    "latent": {
        "where": "theta or beta(theta~): the parameter the latent actions act on",
        "method": "how the actions were found",
        "unique": "Stab(theta) is trivial",
        "stabilizer": "the stabilizer's status",
        "group_order": "order of G, from the closure of the latent action",
        "homomorphism": "the pairs (k_i(g), g) close up to |G| elements on every layer",
        "latent_kinds": "per hidden layer, the kind of rho_i (permutation, signed_permutation, affine)",
        "diagonals": "per hidden layer, the positive diagonal conjugating a scaled action to a signed "
                     "permutation one (None when not needed)",
        "affine_shifts": "per hidden layer, whether rho_i has a nonzero shift (sigmoid)",
        "latent_actions": "per generator, each hidden layer's latent map in words",
        "orbits": "per hidden layer, the neuron orbits under G",
        "orbit_types": "per hidden layer, {type: count} for the types present (fixed, self-negated, "
                       "moved as copies, moved as negated copies)",
        "gsets": "per hidden layer, each orbit's G-set label",
        "character_classes": "names of G's conjugacy classes (the order of characters)",
        "characters": "per hidden layer, the character of rho_i on the classes",
        "multiplicities": "per hidden layer, the multiplicity of each irreducible character",
        "irreducible_degrees": "degrees of G's irreducible characters",
        "crossed": "a structural action (grid maps) acts on the hidden layers: k_i is checked as a crossed "
                   "homomorphism",
        "cocycle": "the layers where k(g) k(g) differs from k(g g), with the crossed law that holds instead",
        "head_orbits": "attention: per attention layer, the orbits of heads under G",
    },
    "identify": {
        "criterion": "the criterion judged on the submodel",
        "reference": "its literature reference",
        "reduced_widths": "widths of the submodel theta~",
        "reduced_network": "the submodel theta~ itself (theta when nothing was reduced), as a [network] table",
        "reduction_steps": "the ops of the rewrite steps theta -> theta~",
        "theta_equals_beta": "theta is exactly beta(theta~)",
        "fiber": "exact fiber status (None when not computed)",
        "local": "local identifiability status (None when not computed)",
        "witness": "kind of the non-identifiability witness (None if none)",
        "certificate_kind": "claim kind of the certificate (None if none)",
        "degenerate": "attention: the kinds of the degenerate heads (inactive, unread, equal_scores, narrow, averaging)",
    },
    "counterexample": {
        "widths": "widths of the counterexample network (None if none)",
        "network": "the counterexample network (None if none)",
        "candidates_tried": "candidates the search examined",
        "message": "the engine's one-line conclusion",
        "details": "the search's details (types per layer, assignments, zero layers, ...)",
    },
    "classify": {
        "latent_kind": "kind of the latent types (permutation, signed, ...)",
        "group_order": "|G|",
        "type_counts": "per hidden layer, the number of latent types (exact)",
        "type_labels": "per hidden layer, the labels of the types",
        "assignments": "number of assignments of types to the hidden layers",
        "degenerate_assignments": "assignments whose every parameter is degenerate",
        "nondegenerate_assignments": "assignments admitting a non-degenerate parameter",
        "zero_layer_assignments": "assignments that force some layer's weights to 0",
        "smallest_nondegenerate_width": "smallest hidden width with a non-degenerate assignment (None if none)",
        "smallest_status": "found, none or unknown",
        "smallest_types": "the type labels of that width's example assignment",
    },
    "symmetries": {
        "n_params": "number of parameters",
        "dim_K": "dimension of K = K_1 x ... x K_{L-1}",
        "orbit_dim": "dimension of the K-orbit at theta",
        "functional_dimension": "rank of the Jacobian of theta -> (f(x_1), ..., f(x_N)) (None unless exact)",
        "lower": "certified lower bound on the functional dimension",
        "upper": "proved upper bound (#params - orbit_dim - proved hidden directions)",
        "hidden_symmetries": "#params - orbit_dim - functional dimension (None unless exact)",
        "hidden_directions": "exact hidden symmetry directions (vectors over the parameters)",
        "locally_identifiable": "no hidden symmetry (None when undecided)",
        "latent_groups": "per hidden layer, {kind, dimension, components} of K_i",
        "relations": "status of the activation's derived relation group (complete or unknown)",
        "proved": "conv and attention: [symmetries proved to leave f unchanged, symmetries counted]",
    },
}


@dataclass(frozen=True)
class Instance:
    """One parsed instance file: its document and its ``[claim]``."""

    path: Path
    doc: Mapping[str, Any]
    verb: str
    expect: str
    description: str
    facts: Mapping[str, Any]
    claim: Mapping[str, Any]


@dataclass(frozen=True)
class RunResult:
    """What a runner derived for one instance.

    ``subject`` is the network (as a plain ``[network]`` dict) that a stored certificate must
    speak about, or None when the fresh certificate's network is the reference.
    """

    verdict: str
    certificate: dict[str, Any] | None
    method: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    subject: dict[str, Any] | None = None


def plain(value: Any) -> Any:
    """``value`` as plain JSON data (tuples become lists, keys strings), for exact comparison.

    >>> plain({"a": (1, (2, 3)), 4: None})
    {'a': [1, [2, 3]], '4': None}
    """
    return json.loads(json.dumps(value, default=str))


def fact_data(value: Any) -> Any:
    """Derived facts as data a TOML file can state: plain JSON data with None (absent, which
    TOML cannot write) as the string ``"none"``.

    >>> fact_data({"diagonals": [("1", "2"), None]})
    {'diagonals': [['1', '2'], 'none']}
    """
    def walk(v: Any) -> Any:
        if v is None:
            return "none"
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(plain(value))


def parse_instance(path: Path) -> Instance:
    """Read one instance file and validate its ``[claim]`` table (InputError with one line).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = Path(d) / "x.toml"
    >>> _ = p.write_text('[claim]\\nverb = "check"\\nexpect = "maybe"\\n')
    >>> parse_instance(p)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: [claim] expect 'maybe' is not a verdict of check (holds, fails, unknown)
    """
    from symeq.files import load_document

    doc = load_document(path)
    if not isinstance(doc.get("claim"), dict):
        raise InputError("no [claim] table")
    verb, expect, description, facts = check_claim(doc["claim"])
    return Instance(path, doc, verb, expect, description, facts, doc["claim"])


def check_claim(claim: object) -> tuple[str, str, str, dict[str, Any]]:
    """(verb, expect, description, facts) of a valid ``[claim]`` table; InputError (one line)
    for a malformed one.  Every verb that reads a file with a ``[claim]`` table checks it, so a
    misspelt claim is never silently ignored.

    >>> check_claim({"verb": "check", "expect": "holds"})
    ('check', 'holds', '', {})
    >>> check_claim({"verb": 3})
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: [claim] needs a string 'verb'
    """
    if not isinstance(claim, dict):
        raise InputError("[claim] must be a table")
    for key in ("verb", "expect"):
        if not isinstance(claim.get(key), str):
            raise InputError(f"[claim] needs a string {key!r}")
    verb, expect = claim["verb"], claim["expect"]
    if verb not in RUNNERS:
        raise InputError(f"unknown claim verb {verb!r}; known: {', '.join(sorted(RUNNERS))}")
    if expect not in VERDICTS[verb]:
        raise InputError(f"[claim] expect {expect!r} is not a verdict of {verb} ({', '.join(VERDICTS[verb])})")
    unknown = set(claim) - _COMMON_KEYS - CLAIM_KEYS[verb]
    if unknown:
        raise InputError(f"[claim] has unknown key(s) {', '.join(sorted(map(repr, unknown)))} for verb {verb}")
    description = claim.get("description", "")
    if not isinstance(description, str):
        raise InputError("[claim] description must be a string")
    facts = claim.get("facts", {})
    if not isinstance(facts, dict):
        raise InputError("[claim] facts must be a table")
    bad = sorted(set(facts) - set(FACTS[verb]))
    if bad:
        raise InputError(f"[claim] facts: unknown fact {bad[0]!r} for {verb} (known: {', '.join(FACTS[verb])})")
    return verb, expect, description, facts


# --- helpers -------------------------------------------------------------------------------

def _by_architecture(inst: Instance, verb_name: str, net: Any) -> RunResult:
    """A verb of an architecture other than the MLP, through its package's verb function; the
    facts come from the result's ``to_dict()``."""
    from symeq.architectures import verb

    if verb_name in ("check", "latent"):
        group = _architecture_group(inst, net)
        kw = {"budget": _positive_int(inst, "budget", 20_000)} if verb_name == "latent" else {}
        res = verb(net, verb_name)(net, group, **kw)
    elif verb_name == "identify":
        res = verb(net, "identify")(net, local=bool(inst.claim.get("local", False)))
    else:
        res = verb(net, "symmetries")(net, seed=inst.claim.get("seed", 0), proofs=True)
    d = res.to_dict()
    if verb_name == "check":
        facts = {"method": d["method"], "witness_generator": (d.get("witness") or {}).get("generator"),
                 "latent_actions": d.get("actions_described")}
        method = d["method"]
    elif verb_name == "latent":
        layers = d.get("layers", [])
        facts = {"where": d.get("where"), "method": d.get("method"), "unique": d.get("uniqueness", {}).get("unique"),
                 "stabilizer": d.get("uniqueness", {}).get("status"), "group_order": d.get("group_order"),
                 "homomorphism": d.get("homomorphism"), "crossed": d.get("crossed"), "cocycle": d.get("cocycle"),
                 "latent_actions": d.get("actions_described"),
                 # the orbits are of an architecture's hidden units: channels (neurons), heads
                 "orbits": _orbit_field(layers, "neurons"), "orbit_types": _orbit_field(layers, "type"),
                 "head_orbits": _orbit_field(layers, "heads"),
                 "character_classes": layers[0]["classes"] if layers else None,
                 "characters": [L["character"] for L in layers],
                 "multiplicities": [L["multiplicities"] for L in layers],
                 "irreducible_degrees": layers[0]["degrees"] if layers else None}
        method = d.get("method", "")
    elif verb_name == "identify":
        cert = res.certificate()
        facts = {"degenerate": sorted({x["kind"] for x in d["degenerate"]}),
                 "certificate_kind": cert["claim"]["kind"] if cert else None}
        method = d["basis"]
    else:
        fd = d["functional_dimension"]
        facts = {"n_params": fd["n_params"], "dim_K": fd["dim_K"], "orbit_dim": fd["orbit_dim"],
                 "functional_dimension": fd["rank"], "lower": fd["lower"], "upper": fd["upper"],
                 "hidden_symmetries": fd["hidden_symmetries"],
                 "latent_groups": [{"kind": g["kind"], "dimension": g["dimension"], "components": g["components"]}
                                   for g in d["latent_groups"]],
                 "proved": [sum(p["holds"] is True for p in d.get("proofs", [])), len(d.get("proofs", []))]}
        return RunResult(fd["status"], None, fd["method"], fact_data(facts), _subject(net))
    cert = res.certificate() if str(res.verdict) != "unknown" else None
    return RunResult(str(res.verdict), _engine_stamp(cert), method, fact_data(facts), _subject(net))


def _network(inst: Instance) -> Any:
    from symeq.architectures import network_from_dict

    if "network" not in inst.doc:
        raise InputError("no [network] table")
    return network_from_dict(inst.doc["network"])


def _group(inst: Instance, d_in: int, d_out: int) -> Any:
    """The group of ``group = "NAME"`` in [claim], else of the instance's [group] table."""
    from symeq.groups import group_from_dict, group_from_spec

    spec = inst.claim.get("group")
    if spec is not None:
        if not isinstance(spec, str):
            raise InputError("[claim] group must be a catalog name such as \"C8\" or \"D4:3x3/trivial\"")
        if "group" in inst.doc:
            raise InputError("both [claim] group and a [group] table: state the group once")
        return group_from_spec(spec, d_in, d_out)
    if "group" not in inst.doc:
        raise InputError("no [group] table and no group in [claim]")
    return group_from_dict(inst.doc["group"], d_in, d_out)


def _orbit_field(layers: list[dict[str, Any]], key: str) -> list[list[Any]] | None:
    """``key`` of every orbit, layer by layer, or None when the architecture's orbits lack it."""
    if not all(key in o for L in layers for o in L["orbits"]):
        return None
    return [[o[key] for o in L["orbits"]] for L in layers]


def _architecture_group(inst: Instance, net: Any) -> Any:
    """The group of a network whose architecture reads its own [group] table (convolutions,
    attention), or names a catalog group in [claim] when the architecture has a catalog."""
    from symeq.architectures import implementation

    impl = implementation(net.architecture)
    spec = inst.claim.get("group")
    if spec is not None:
        if not hasattr(impl, "group_from_spec"):
            raise InputError(f"an instance of {net.architecture} networks gives its group as a [group] table")
        if not isinstance(spec, str) or "group" in inst.doc:
            raise InputError("[claim] group must be a catalog name, and not given besides a [group] table")
        return impl.group_from_spec(spec, net)
    if "group" not in inst.doc:
        raise InputError("no [group] table and no group in [claim]")
    return impl.group_from_dict(inst.doc["group"], net)


def _positive_int(inst: Instance, key: str, default: int | None) -> int | None:
    value = inst.claim.get(key, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise InputError(f"[claim] {key} must be a positive integer")
    return value


def _subject(net: Any) -> dict[str, Any]:
    from symeq.certify.build import network_table

    return plain(network_table(net))


def _engine_stamp(cert: dict[str, Any] | None) -> dict[str, Any] | None:
    """The certificate without run-dependent engine data (seconds), so stored certificates only
    change when their content does."""
    if cert is None:
        return None
    out = dict(cert)
    if isinstance(out.get("engine"), dict):
        out["engine"] = {k: v for k, v in out["engine"].items() if k != "seconds"}
    return plain(out)


# --- runners -------------------------------------------------------------------------------

def run_check(inst: Instance) -> RunResult:
    """``symeq check``: end-to-end equivariance (holds / fails / unknown)."""
    from symeq.certify.build import check_certificate
    from symeq.architectures.mlp.equivariance import check_equivariance

    net = _network(inst)
    if net.architecture != "mlp":
        return _by_architecture(inst, "check", net)
    group = _group(inst, net.widths[0], net.widths[-1])
    res = check_equivariance(net, group)
    cert = check_certificate(net, group, res) if res.verdict != "unknown" else None
    actions = None
    if res.match is not None and res.match.found:
        ev = res.match.evidence_actions()
        actions = {g: [_describe_action(a) for a in acts] for g, acts in ev.items()}
    facts = {"method": res.method,
             "witness_generator": res.witness.generator if res.witness is not None else None,
             "latent_actions": actions}
    return RunResult(res.verdict, _engine_stamp(cert), res.method, fact_data(facts), _subject(net))


def _describe_action(action: Mapping[str, Any]) -> str:
    """A certificate action in words: ``perm [1, 0]; b = [1, -1]`` or ``affine``.

    >>> _describe_action({"kind": "monomial", "perm": [1, 0], "relations": [
    ...     {"a": "1", "c": "0", "b": "1", "e": "0"}, {"a": "-1", "c": "0", "b": "-1", "e": "0"}]})
    'perm [1, 0]; a [1, -1]'
    """
    if action.get("kind") != "monomial":
        return str(action.get("kind"))
    a = [r["a"] for r in action["relations"]]
    scales = ", ".join(a)
    text = f"perm {list(action['perm'])}; a [{scales}]"
    shifts = [r["c"] for r in action["relations"]]
    if any(c != "0" for c in shifts):
        text += f"; c [{', '.join(shifts)}]"
    return text


def run_latent(inst: Instance) -> RunResult:
    """``symeq latent``: the theorem's construction (holds / fails / unknown)."""
    from symeq.certify.build_latent import latent_certificate
    from symeq.construction.analysis import analyze

    net = _network(inst)
    if net.architecture != "mlp":
        return _by_architecture(inst, "latent", net)
    group = _group(inst, net.widths[0], net.widths[-1])
    res = analyze(net, group, budget=_positive_int(inst, "budget", 20_000), structure=True)
    cert = latent_certificate(res)
    d = res.to_dict()
    layers = d.get("layers", [])
    facts = {
        "where": d.get("where") or None,
        "method": d.get("method"),
        "unique": d.get("uniqueness", {}).get("unique"),
        "stabilizer": d.get("uniqueness", {}).get("status"),
        "group_order": d.get("group_order"),
        "homomorphism": d.get("homomorphism"),
        "latent_kinds": [L["kind"] for L in layers],
        "diagonals": [L["diagonal"] for L in layers],
        "affine_shifts": [L["affine_shift"] for L in layers],
        "latent_actions": d.get("actions_described"),
        "orbits": [[o["neurons"] for o in L["orbits"]] for L in layers],
        "orbit_types": [{t: n for t, n in L["type_counts"].items() if n} for L in layers],
        "gsets": [[o["gset"] for o in L["orbits"]] for L in layers],
        "character_classes": layers[0]["classes"] if layers else None,
        "characters": [L["character"] for L in layers],
        "multiplicities": [L["multiplicities"] for L in layers],
        "irreducible_degrees": layers[0]["degrees"] if layers else None,
    }
    method = d.get("method") or res.summary
    if res.where == "beta(theta~)":
        method = f"{method} on beta(theta~)"
    return RunResult(res.verdict, _engine_stamp(cert), method, fact_data(facts), _subject(net))


def run_identify(inst: Instance) -> RunResult:
    """``symeq identify``: the identifiability verdict."""
    from symeq.architectures.mlp.fibers import FiberLimits
    from symeq.identifiability.identify import applies_to, identify
    from symeq.architectures import network_to_dict

    net = _network(inst)
    if not applies_to(net):
        return _by_architecture(inst, "identify", net)
    seconds = inst.claim.get("seconds", 20)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
        raise InputError("[claim] seconds must be a positive number")
    local = inst.claim.get("local", True)
    if not isinstance(local, bool):
        raise InputError("[claim] local must be true or false")
    res = identify(net, FiberLimits(seconds=float(seconds)), local=local)
    cert = res.certificate({"symeq_version": _version()})
    if res.witness is not None:
        method = f"witness ({res.witness.kind})"
    elif res.fiber is not None and res.fiber.status == "identifiable":
        method = "exact fiber"
    else:
        method = res.criterion.criterion
    if res.reduction.changed:
        method += f"; submodel {list(res.reduction.reduced.widths)}"
    facts = {
        "criterion": res.criterion.criterion,
        "reference": res.criterion.reference,
        "reduced_widths": list(res.reduction.reduced.widths),
        "reduced_network": network_to_dict(res.reduction.reduced),
        "reduction_steps": [s.to_dict().get("op") for s in res.reduction.steps],
        "theta_equals_beta": res.theta_equals_beta,
        "fiber": res.fiber.status if res.fiber is not None else None,
        "local": res.local.status if res.local is not None else None,
        "witness": res.witness.kind if res.witness is not None else None,
        "certificate_kind": cert["claim"]["kind"] if cert is not None else None,
    }
    return RunResult(res.verdict, _engine_stamp(cert), method, fact_data(facts), _subject(net))


def _arch_and_group(inst: Instance, defaults: tuple[str, str] | None = None) -> tuple[str, tuple[int, ...], Any, str]:
    from symeq.architectures.spec import parse_spec
    from symeq.groups import group_from_dict, group_from_spec

    arch = inst.claim.get("arch", defaults[0] if defaults else None)
    if not isinstance(arch, str):
        raise InputError("[claim] needs arch = \"ACT:d0-...-dL\"")
    parsed = parse_spec(arch, hidden=True, option="architecture")
    act, widths = parsed.activation, parsed.widths
    spec = inst.claim.get("group")
    if spec is None and "group" in inst.doc:
        return act, widths, group_from_dict(inst.doc["group"], widths[0], widths[-1]), "[group]"
    spec = spec if spec is not None else (defaults[1] if defaults else None)
    if not isinstance(spec, str):
        raise InputError("[claim] needs group = \"NAME\" (a catalog group) or a [group] table")
    return act, widths, group_from_spec(spec, widths[0], widths[-1]), spec


def run_counterexample(inst: Instance) -> RunResult:
    """``symeq counterexample``: a search refuting a named claim or a predicate."""
    from symeq.counterexamples.claims import DEFAULTS, search
    from symeq.counterexamples.outcome import CLAIM_STATEMENTS
    from symeq.architectures import network_to_dict

    claim = inst.claim.get("claim")
    if not isinstance(claim, str) or not claim.strip():
        raise InputError("[claim] needs claim = \"layerwise-reparam\" (or another claim or a predicate)")
    claim = claim.strip()
    if claim not in CLAIM_STATEMENTS:
        from symeq.counterexamples.predicate import parse_predicate

        parse_predicate(claim)
    kind = claim if claim in CLAIM_STATEMENTS else "predicate"
    act, widths, group, _ = _arch_and_group(inst, DEFAULTS[kind])
    out = search(claim, act, widths, group, _positive_int(inst, "budget", None))
    facts = {
        "widths": list(out.network.widths) if out.network is not None else None,
        "network": network_to_dict(out.network) if out.network is not None else None,
        "candidates_tried": out.tried,
        "message": out.message,
        "details": out.details,
    }
    return RunResult(out.verdict, _engine_stamp(out.certificate()), f"{claim} search", fact_data(facts), None)


def run_classify(inst: Instance) -> RunResult:
    """``symeq classify``: latent types and equivariant parameter spaces of an architecture."""
    from symeq.classification.classify import DEFAULT_ASSIGNMENT_BUDGET, classify

    act, widths, group, _ = _arch_and_group(inst)
    C = classify(act, widths, group, budget=_positive_int(inst, "budget", DEFAULT_ASSIGNMENT_BUDGET),
                 max_width=_positive_int(inst, "max_width", None))
    statuses = [a.degeneracy.status for a in C.assignments]
    s = C.smallest
    facts = {
        "latent_kind": C.kind,
        "group_order": C.group_order,
        "type_counts": [L.count for L in C.layers],
        "type_labels": [[t.label for t in L.types] for L in C.layers],
        "assignments": C.total_assignments,
        "degenerate_assignments": statuses.count("degenerate"),
        "nondegenerate_assignments": statuses.count("non-degenerate"),
        "zero_layer_assignments": sum(a.zero_layer is not None for a in C.assignments),
        "smallest_nondegenerate_width": s.width if s is not None and s.status == "found" else None,
        "smallest_status": s.status if s is not None else None,
        "smallest_types": list(s.labels) if s is not None else None,
    }
    verdict = "complete" if C.complete else "incomplete"
    method = f"{C.kind} types; {C.total_assignments} assignment(s)"
    return RunResult(verdict, None, method, fact_data(facts), None)


def run_symmetries(inst: Instance) -> RunResult:
    """``symmetries``: functional dimension and hidden symmetries at a parameter (the
    instance's [network], or a random rational one for ``arch`` and ``seed``)."""
    from symeq.architectures.mlp.sampling import random_network
    from symeq.symmetry.functional_dimension import functional_dimension
    from symeq.architectures.mlp.latent_group import latent_groups
    from symeq.activations.relations import derive_relations

    seed = inst.claim.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError("[claim] seed must be a non-negative integer")
    if "arch" in inst.claim:
        if "network" in inst.doc:
            raise InputError("both [network] and [claim] arch: state the network once")
        from symeq.architectures.spec import parse_spec

        arch = inst.claim["arch"]
        if not isinstance(arch, str):
            raise InputError("[claim] arch must be a string ACT:d0-...-dL")
        parsed = parse_spec(arch, hidden=True, option="architecture")
        net = random_network(parsed.activation, parsed.widths, seed=seed)
    else:
        net = _network(inst)
        if net.architecture != "mlp":
            return _by_architecture(inst, "symmetries", net)
    fd = functional_dimension(net, seed=seed)
    facts = {
        "n_params": fd.n_params,
        "dim_K": fd.dim_K,
        "orbit_dim": fd.orbit_dim,
        "functional_dimension": fd.rank,
        "lower": fd.lower,
        "upper": fd.upper,
        "hidden_symmetries": fd.hidden_symmetries,
        "hidden_directions": fd.to_dict()["hidden_directions"],
        "locally_identifiable": fd.locally_identifiable,
        "latent_groups": [{"kind": g.kind, "dimension": g.dimension, "components": g.components}
                          for g in latent_groups(net)],
        "relations": derive_relations(net.activation.spec).status,
    }
    method = fd.method or "functional dimension"
    return RunResult(fd.status, None, method, fact_data(facts), _subject(net) if "arch" not in inst.claim else None)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("symeq")
    except Exception:  # pragma: no cover - not installed as a distribution
        return "unknown"


#: claim verb -> runner(instance) -> RunResult.
RUNNERS: dict[str, Callable[[Instance], RunResult]] = {
    "check": run_check,
    "latent": run_latent,
    "identify": run_identify,
    "counterexample": run_counterexample,
    "classify": run_classify,
    "symmetries": run_symmetries,
}
