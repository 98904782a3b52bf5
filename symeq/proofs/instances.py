"""Theorem instances: re-derive and re-check each one (what ``symeq prove`` runs).

Each instance is one TOML file stating a claim in a ``[claim]`` table: the verb that decides it,
the verdict it must reach, one sentence saying what it states, and optionally facts the engine
must derive exactly::

    [claim]
    verb = "latent"           # check | identify | latent | counterexample | classify | symmetries
    expect = "holds"          # the verdict the instance states
    description = "the C4 rotation acts on the hidden layer of a tanh network by signed permutations"
    facts = { where = "theta", unique = true }

For every instance the engine runs from scratch; the instance *deviates* when its verdict is not
``expect``, a stated fact differs from the derived one (the key is named), the fresh certificate
does not verify, or a certificate stored beside the instance (``NAME.cert.json``) does not
verify, or is not about the same network (for ``counterexample``, whose searches may find
another network each time: the same architecture), group and claim.  A file that cannot be read as an
instance is a deviation too, named with a one-line reason.  Exit 0 when nothing deviates, 1
otherwise (every deviating instance is named); 2 for bad arguments.

``write=True`` (``--write-certificates``) (re)writes the stored certificates from the fresh run (atomically; a
stored certificate the fresh run no longer produces is removed), after the checker verified
them.  ``--json`` prints ``{"instances": [...], "passed", "failed", "seconds"}``; each instance
has ``path, verb, expect, verdict, ok, seconds, method, detail, deviations, facts,
stored_certificate``.  The facts each verb derives are listed by ``--list-facts``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from symeq.proofs.runners import (CERTIFIED_VERDICTS, FACTS, RUNNERS, Instance, RunResult,
                                  parse_instance, plain)
from symeq.errors import BudgetExceeded, InputError
from symeq.files import load_document

__all__ = ["InstanceOutcome", "ProveReport", "prove", "prove_instance", "instance_paths", "stored_path",
           "compare_facts", "certificate_subject", "same_group", "RUNNERS", "FACTS", "DEFAULT_DIR"]

#: Where the bundled instances live when no PATHS are given: the source checkout's proofs/
#: (symeq is installed from the checkout), else ./proofs.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "proofs"
if not DEFAULT_DIR.is_dir():  # pragma: no cover - a non-editable install
    DEFAULT_DIR = Path.cwd() / "proofs"


@dataclass(frozen=True)
class InstanceOutcome:
    """What one instance came to.  ``deviations`` lists every way it deviates (empty: ok);
    ``certificate`` says whether the fresh run's certificate was "verified" (or "none", or
    "rejected"); ``stored_certificate`` is "verified", "written", "removed", "none" or
    "rejected"."""

    path: str
    verb: str
    expect: str
    verdict: str
    seconds: float
    method: str
    deviations: tuple[str, ...]
    facts: dict[str, Any]
    stored_certificate: str
    certificate: str = "none"
    description: str = ""

    @property
    def ok(self) -> bool:
        return not self.deviations

    @property
    def detail(self) -> str:
        """One line: the deviations, or what the instance rests on."""
        if self.deviations:
            return "; ".join(self.deviations)
        fresh = "certificate verified" if self.certificate == "verified" else "no certificate"
        stored = {"verified": "stored certificate verified", "written": "stored certificate written",
                  "removed": "stale stored certificate removed", "none": "none stored"}
        return f"{self.method}; {fresh}; {stored.get(self.stored_certificate, self.stored_certificate)}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        out = asdict(self)
        out["deviations"] = list(self.deviations)
        out["ok"], out["detail"] = self.ok, self.detail
        return out


def stored_path(path: Path) -> Path:
    """Where an instance's certificate is stored: ``NAME.cert.json`` beside ``NAME.toml``.

    >>> stored_path(Path("proofs/check/tanh_c4.toml")).as_posix()
    'proofs/check/tanh_c4.cert.json'
    """
    return path.with_name(path.stem + ".cert.json")


def instance_paths(paths: list[str]) -> list[Path]:
    """Every ``*.toml`` instance under the given files and folders, sorted, without repeats.

    >>> instance_paths(["/nonexistent/x"])
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: no such file or folder: /nonexistent/x
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.toml")))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"no such file or folder: {p}")
    if not out:
        raise InputError(f"no *.toml instances under {', '.join(paths)}")
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


def compare_facts(stated: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    """One deviation per stated fact that differs from the derived one (exactly: types count,
    so 8 and 8.0 or 1 and true differ).

    >>> compare_facts({"width": 8, "kind": "signed"}, {"width": 4, "kind": "signed"})
    ['fact width: stated 8, derived 4']
    >>> compare_facts({"width": 8.0}, {"width": 8})
    ['fact width: stated 8.0, derived 8']
    """
    out = []
    for key, value in stated.items():
        if key not in derived:
            out.append(f"fact {key}: not derived by this verb")
            continue
        a = json.dumps(plain(value), sort_keys=True)
        b = json.dumps(derived[key], sort_keys=True)
        if a != b:
            out.append(f"fact {key}: stated {_clip(a)}, derived {_clip(b)}")
    return out


def _clip(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def certificate_subject(cert: dict[str, Any]) -> Any:
    """The network a certificate speaks about: its ``network``, or for a latent certificate on
    beta(theta~) the ``original`` network of its ``equal_function`` proof.

    >>> certificate_subject({"network": {"a": 1}, "evidence": {"equal_function": {"original": {"b": 2}}}})
    {'b': 2}
    """
    ev = cert.get("evidence")
    if isinstance(ev, dict) and isinstance(ev.get("equal_function"), dict) and "original" in ev["equal_function"]:
        return ev["equal_function"]["original"]
    return cert.get("network")


def _canonical_network(d: Any) -> Any:
    """A network dict re-read and re-written, so "0.5" and "1/2" compare equal."""
    from symeq.certify.build import network_table
    from symeq.architectures import network_from_dict

    try:
        return plain(network_table(network_from_dict(d)))
    except (InputError, TypeError, ValueError, KeyError):
        return plain(d)


def _check_stored(path: Path, fresh: dict[str, Any] | None, res: RunResult) -> tuple[list[str], str]:
    """Verify a stored certificate and bind it to the instance; (deviations, status)."""
    from symeq.certify.verify import verify_certificate

    stored = stored_path(path)
    if not stored.exists():
        return [], "none"
    try:  # the reader of every document: exact numbers only ("version": 1.0 is a float), unique keys
        doc = load_document(stored)
    except InputError as exc:
        return [f"stored certificate {stored.name} unreadable: {str(exc).splitlines()[0]}"], "rejected"
    v = verify_certificate(doc)
    if not v.ok:
        return [f"stored certificate {stored.name} rejected: {v.reason}"], "rejected"
    if fresh is None:
        return [f"stored certificate {stored.name} verifies, but the fresh run produces no certificate"], "rejected"
    problems = []
    if plain(doc.get("claim")) != plain(fresh.get("claim")):
        mine, theirs = _claim_kind(doc), _claim_kind(fresh)
        problems.append(f"stored certificate {stored.name} states claim {mine}, the fresh run {theirs}" if mine != theirs
                        else f"stored certificate {stored.name} states a different {mine} claim than the fresh run")
    mine = _canonical_network(certificate_subject(doc))
    if res.subject is not None:
        if mine != _canonical_network(res.subject):
            problems.append(f"stored certificate {stored.name} is for a different network")
    else:
        # an architecture-level claim: any verified network of the architecture proves it (the
        # searches need not find the same network twice)
        ref = _canonical_network(certificate_subject(fresh))
        if not isinstance(mine, dict) or not isinstance(ref, dict) or \
                (mine.get("activation"), mine.get("widths")) != (ref.get("activation"), ref.get("widths")):
            problems.append(f"stored certificate {stored.name} is for a different architecture")
    if not same_group(doc.get("group"), fresh.get("group")):
        problems.append(f"stored certificate {stored.name} is for a different group")
    return problems, ("rejected" if problems else "verified")


def same_group(a: Any, b: Any) -> bool:
    """Whether two certificate ``group`` tables define the same group action: the same set of
    pairs (rho_0(g), rho_L(g)), whatever the generators (S2 by one transposition or by two).

    >>> t = {"input": [["0", "1"], ["1", "0"]], "output": [["1"]]}
    >>> same_group({"generators": {"t": t}}, {"generators": {"t": t, "c": t}})
    True
    >>> same_group({"generators": {"t": t}}, {"generators": {"m": {"input": [["-1", "0"], ["0", "-1"]],
    ...                                                          "output": [["1"]]}}})
    False
    """
    if plain(a) == plain(b):
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    from symeq.groups import group_from_dict

    try:
        gen = next(iter(a["generators"].values()))
        d_in, d_out = len(gen["input"]), len(gen["output"])
        ga, gb = group_from_dict(a, d_in, d_out), group_from_dict(b, d_in, d_out)
        if ga.order() != gb.order():
            return False
        for element in gb.elements():
            ga.index(element)
    except (InputError, KeyError, TypeError, ValueError, StopIteration, AttributeError):
        return False
    return True


def _claim_kind(cert: dict[str, Any]) -> str:
    claim = cert.get("claim")
    kind = claim.get("kind") if isinstance(claim, dict) else None
    return repr(kind)[:60]


def _write_stored(path: Path, fresh: dict[str, Any] | None) -> str:
    from symeq.files import write_json

    stored = stored_path(path)
    if fresh is None:
        if stored.exists():
            stored.unlink()
            return "removed"
        return "none"
    write_json(fresh, str(stored))
    return "written"


def prove_instance(path: Path, write: bool = False) -> InstanceOutcome:
    """Re-derive one instance, compare it with its claim and facts, and re-check its
    certificates (the fresh one, and the stored one unless ``write`` rewrites it).  Never
    raises: a bad file or an engine error becomes a deviation with a one-line reason.

    >>> o = prove_instance(DEFAULT_DIR / "check" / "tanh_sign_odd.toml")
    >>> o.ok, o.verb, o.verdict
    (True, 'check', 'holds')
    """
    from symeq.certify.verify import verify_certificate

    start = time.perf_counter()
    try:
        inst = parse_instance(path)
    except InputError as exc:
        return _bad(path, f"bad instance: {_one_line(exc)}", start)
    try:
        res = RUNNERS[inst.verb](inst)
    except InputError as exc:
        return _bad(path, f"bad instance: {_one_line(exc)}", start, inst)
    except BudgetExceeded as exc:
        res = RunResult("unknown", None, f"budget: {_one_line(exc)}")
    except Exception as exc:  # an engine bug must not hide the other instances
        return _bad(path, f"internal error: {type(exc).__name__}: {_one_line(exc)}", start, inst)
    problems: list[str] = []
    if res.verdict != inst.expect:
        problems.append(f"verdict {res.verdict}, expected {inst.expect}")
    problems.extend(compare_facts(dict(inst.facts), dict(res.facts)))
    fresh, fresh_status = res.certificate, "none"
    if fresh is not None:
        v = verify_certificate(fresh)
        fresh_status = "verified" if v.ok else "rejected"
        if not v.ok:
            problems.append(f"fresh certificate rejected: {v.reason}")
            fresh = None
    elif (inst.verb, res.verdict) in CERTIFIED_VERDICTS:
        problems.append(f"no certificate produced for verdict {res.verdict}")
    if write and not problems:
        try:
            status = _write_stored(path, fresh)
        except InputError as exc:
            problems.append(_one_line(exc))
            status = "rejected"
    else:
        stored_problems, status = _check_stored(path, fresh, res)
        problems.extend(stored_problems)
    return InstanceOutcome(str(path), inst.verb, inst.expect, res.verdict, time.perf_counter() - start,
                           res.method, tuple(problems), dict(res.facts), status, fresh_status,
                           inst.description)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return _clip(text or type(exc).__name__, 300)


def _bad(path: Path, reason: str, start: float, inst: Instance | None = None) -> InstanceOutcome:
    return InstanceOutcome(str(path), inst.verb if inst else "?", inst.expect if inst else "?", "bad input",
                           time.perf_counter() - start, "", (reason,), {}, "none", "none",
                           inst.description if inst else "")


@dataclass(frozen=True)
class ProveReport:
    """What ``symeq prove`` found: one outcome per instance.  The verdict *holds* when no
    instance deviates, else *fails* (every deviating instance names its deviations)."""

    outcomes: tuple[InstanceOutcome, ...]
    seconds: float

    @property
    def failed(self) -> tuple[InstanceOutcome, ...]:
        """The instances that deviate."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def verdict(self) -> str:
        """``holds`` when every instance passes, else ``fails``."""
        return "fails" if self.failed else "holds"

    @property
    def reason(self) -> str:
        """One line: how many passed, and the deviations."""
        text = f"{len(self.outcomes) - len(self.failed)} passed, {len(self.failed)} failed"
        return text + "".join(f"; {o.path} deviates: {o.detail}" for o in self.failed)

    def certificate(self) -> None:
        """None: each instance's certificate is checked and stored beside it."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {"instances": [o.to_dict() for o in self.outcomes],
                "passed": len(self.outcomes) - len(self.failed), "failed": len(self.failed),
                "seconds": round(self.seconds, 3)}


def prove(paths: Sequence[str | Path] | None = None, *, write: bool = False,
          progress: Callable[[Path], None] | None = None) -> ProveReport:
    """Re-derive and re-check every instance under ``paths`` (default: the bundled proofs/);
    ``write``: (re)write the stored certificates; ``progress(path)`` is called before each."""
    found = instance_paths([str(p) for p in paths] if paths else [str(DEFAULT_DIR)])
    start = time.perf_counter()
    outcomes = []
    for p in found:
        if progress is not None:
            progress(p)
        outcomes.append(prove_instance(p, write))
    return ProveReport(tuple(outcomes), time.perf_counter() - start)
