"""``symeq verify`` on hostile input: bounded time and memory, one clear line, the right exit code.

Each case runs ``symeq verify`` in a fresh process and measures its wall time and peak memory
(resident set, from the operating system): every answer must come in well under 30 s and 2 GB.
Exit codes: 2 for a file that is no certificate, 1 for a rejected one, 3 for a budget rejection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

#: Limits of the issue (30 s, 2 GB); a case takes far less on this machine.
SECONDS, BYTES = 30, 2_000_000_000


def run(path: str, *args: str) -> tuple[int, str, float, int]:
    """(exit code, output, seconds, peak resident bytes) of ``symeq verify path args``.

    The peak is this child's own (``os.wait4``): RUSAGE_CHILDREN would report the largest of
    every child the test process ever waited for, and another test's subprocess may be larger.
    """
    start = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        p = subprocess.Popen([sys.executable, "-m", "symeq.cli", "verify", path, *args], stdout=out,
                             stderr=subprocess.STDOUT, text=True)
        deadline = start + SECONDS + 30
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, usage = os.wait4(p.pid, 0)
                raise AssertionError(f"symeq verify {path} ran past {SECONDS + 30} s")
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
        seconds = time.monotonic() - start
        out.seek(0)
        text = out.read()
    assert "Traceback" not in text, text
    return p.returncode, text, seconds, usage.ru_maxrss * 1024  # kilobytes on Linux


def cert(network: dict, group: dict, evidence: dict, kind: str = "equivariant", **extra) -> dict:
    return {"format": "symeq-certificate", "version": 2, "claim": {"kind": kind, **extra}, "network": network,
            "group": group, "evidence": evidence}


def written(tmp_path: Path, doc) -> str:
    path = tmp_path / "hostile.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


TANH = {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["0"], ["0"]]}
SIGN = {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}}
NEG = {"a": "-1", "c": "0", "b": "-1", "e": "0"}
GOOD = cert(TANH, SIGN, {"method": "layerwise", "actions": {"s": [{"kind": "monomial", "perm": [0], "relations": [NEG]}]}})


def test_a_device_a_directory_and_a_huge_file_are_refused_without_reading(tmp_path: Path) -> None:
    for path in ("/dev/zero", "/dev/urandom", str(tmp_path)):
        code, out, seconds, peak = run(path)
        assert code == 2 and "is not a regular file" in out and seconds < SECONDS and peak < BYTES
    big = tmp_path / "big.json"
    with big.open("wb") as f:  # a sparse file past the size limit: refused before it is parsed
        f.truncate(25_000_000)
    code, out, seconds, peak = run(str(big))
    assert code == 2 and "is larger than 20000000 bytes" in out and peak < 500_000_000


@pytest.mark.parametrize("number", [
    "((((2^64)^64)^64)^64)", "(1+sqrt(2))^64^64", "9^9^9^9", "(2^400)^64",
    "(w+v+u+t+s+r)^64", "1" * 400 + "^64", "sqrt(" * 60 + "2" + ")" * 60, "(" * 99 + "3" + ")" * 99 + "^(64^2)",
])
def test_numbers_that_would_explode_are_rejected_before_they_are_computed(tmp_path: Path, number: str) -> None:
    doc = json.loads(json.dumps(GOOD))
    doc["network"]["biases"][0] = [number]
    doc["network"]["symbols"] = ["w", "v", "u", "t", "s", "r"]
    code, out, seconds, peak = run(written(tmp_path, doc))
    assert code == 1 and "REJECTED: cannot read" in out and seconds < 5 and peak < 500_000_000, out


def test_long_relation_words_and_infinite_groups_are_bounded(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(GOOD))
    doc["group"]["relations"] = [" ".join(["s^1000"] * 1000)]  # at the word limits: 10^6 letters of s, decided
    code, out, seconds, peak = run(written(tmp_path, doc))
    assert code == 0 and seconds < SECONDS
    doc["group"]["relations"] = [" ".join(["s^1000"] * 1001)]
    code, out, seconds, peak = run(written(tmp_path, doc))
    assert code == 1 and "more than 1000 letters" in out
    # a generator of infinite order: the closure stops at its limit
    latent = cert({"activation": "identity", "weights": [[["1"]], [["1"]]], "biases": [["0"], ["0"]]},
                  {"generators": {"g": {"input": [["2"]], "output": [["2"]]}}},
                  {"method": "layerwise_homomorphism", "order": 2,
                   "actions": {"g": [{"kind": "affine", "matrix": [["2"]], "shift": ["0"]}]}}, kind="latent_actions")
    code, out, seconds, peak = run(written(tmp_path, latent))
    assert code == 3 and "REJECTED: budget: the group has more than 5000 elements" in out and seconds < SECONDS


def test_wide_classification_evidence_meets_a_budget_before_any_enumeration(tmp_path: Path) -> None:
    """Width 12 under a group of two generators: the second-tier enumeration would meet 12! 2^12
    signed permutations; it refuses before building one."""
    d = 12
    eye = [["1" if i == j else "0" for j in range(2)] for i in range(2)]
    doc = cert({"activation": "tanh", "weights": [[["1", "0"]] * d, [["1"] * d, ["0"] * d]],
                "biases": [["0"] * d, ["0", "0"]]},
               {"generators": {"a": {"input": eye, "output": eye}, "b": {"input": eye, "output": eye}}},
               {"method": "classification", "equivariance": {"method": "polynomial_identity"},
                "non_constant": {"x": ["0", "0"], "y": ["1", "0"], "coordinate": 0}, "latent_kind": "signed_permutation",
                "types": [[{"a": {"perm": list(range(d)), "signs": [1] * d}, "b": {"perm": list(range(d)), "signs": [1] * d}}]],
                "assignments": [{"types": [0], "zero_layer": 1, "minor": []}]},
               kind="counterexample", refutes="layerwise-reparam")
    code, out, seconds, peak = run(written(tmp_path, doc))
    assert code == 1 and seconds < SECONDS and peak < 1_000_000_000, out  # rejected (equivariance by polynomials fails)
    doc["evidence"]["equivariance"] = {"method": "layerwise", "actions": {g: [{"kind": "monomial", "perm": list(range(d)),
                                       "relations": [{"a": "1", "c": "0", "b": "1", "e": "0"}] * d}] for g in "ab"}}
    doc["evidence"]["non_constant"] = {"x": ["0", "0"], "y": ["1", "0"], "coordinate": 0}
    code, out, seconds, peak = run(written(tmp_path, doc))
    assert code == 3 and "budget: enumerating homomorphisms into B_12" in out and seconds < SECONDS, out


def test_the_budget_option_stops_long_checks(tmp_path: Path) -> None:
    """A polynomial identity of degree 16^4 would take long: --budget 1 answers "budget" in time."""
    w = [["1", "2"], ["3", "-1"]]
    doc = cert({"activation": "power:16", "weights": [w, w, w, w, [["1", "1"]]], "biases": [["1", "0"]] * 4 + [["0"]]},
               {"generators": {"s": {"input": [["0", "1"], ["1", "0"]], "output": [["1"]]}}},
               {"method": "polynomial_identity"})
    code, out, seconds, peak = run(written(tmp_path, doc), "--budget", "1")
    assert code == 3 and "REJECTED: budget" in out and seconds < 10 and peak < BYTES, out
    code, out, _, _ = run(written(tmp_path, GOOD), "--budget", "0")
    assert code == 2 and "the budget must be more than 0" in out


@pytest.mark.parametrize("doc, reason", [
    ({**GOOD, "version": 1.0}, "unsupported certificate version 1.0"),
    ({**GOOD, "version": "2"}, "unsupported certificate version 2"),
    ({**GOOD, "claim": {"kind": "equivariant", "extra": {"deep": [[[[]]]]}}}, "claim has unexpected key(s): extra"),
    ({**GOOD, "evidence": {"method": "layerwise", "actions": {"s": [{"kind": "monomial", "perm": [99999999999],
                                                                     "relations": [NEG]}]}}}, "must be a non-negative integer"),
    ({**GOOD, "evidence": {"method": "layerwise", "actions": {"s": [{"kind": "monomial", "perm": ["0"],
                                                                     "relations": [NEG]}]}}}, "must be a non-negative integer"),
    ({**GOOD, "network": {**TANH, "weights": [[["1"]], [["2"]]] * 40, "biases": [["0"]] * 80}}, "1 to 32 layers"),
])
def test_malformed_certificates_give_a_reason_not_a_python_exception(tmp_path: Path, doc: dict, reason: str) -> None:
    code, out, seconds, _ = run(written(tmp_path, doc))
    assert code == 1 and reason in out and "internal error" not in out, out
