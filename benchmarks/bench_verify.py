"""Benchmark ``symeq verify`` (the kernel) on every stored certificate and on hostile input.

For every ``proofs/**/*.cert.json``: the in-process time of :func:`verify_certificate` (median
of ``--repeat`` runs, imports excluded) and the wall time and peak resident memory of the
command ``symeq verify FILE`` in a fresh process.  Then the same command on hostile files
(devices, a sparse 25 MB file, numbers that would explode, relator words at their limits, an
infinite group, wide classification evidence): wall time, peak memory, exit code.

Baseline, measured in the same run (``--baseline TREE``): a checkout with the format-1 checker
(``symeq.certify.checker``, e.g. ``git archive`` of a commit of main before the kernel), run
with ``TREE/.venv/bin/python`` if there is one, else with this Python; its stored certificates of the same names are verified the same way
and the ratios new / old are printed.  Without ``--baseline`` only the new figures are printed.

Run:  .venv/bin/python benchmarks/bench_verify.py [--repeat N] [--baseline /path/to/old/tree]

Measured (2-core shared machine, --repeat 5, baseline ``git archive`` of main with the format-1
checker): in-process over the 44 stored certificates 0.35 s against 1.38 s (ratio 0.25; per file
0.08 to 1.7, the classification refutations 0.12, tanh_d4_images_3x3 113 ms against 146 ms);
``symeq verify FILE`` 0.2-0.4 s against 1.0-1.7 s (it loads no engine module, no sympy) at a
peak of 34-36 MB.  Hostile input: every case answered in under 0.5 s with at most 88 MB (a 20 MB
JSON string; /dev/zero 32 MB, a sparse 25 MB file 51 MB), exit 2 or 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Times the stored certificates in-process; prints one "name seconds" line per file.
_TIMER = """
import json, statistics, sys, time
try:
    from symeq.certify.verify import verify_certificate
except ImportError:  # the format-1 checker
    from symeq.certify.checker import verify_certificate
repeat = int(sys.argv[1])
for path in sys.argv[2:]:
    doc = json.load(open(path))
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); ok = verify_certificate(doc).ok; times.append(time.perf_counter() - t)
    print(path, statistics.median(times), ok)
"""


#: Runs a command and prints its exit code and peak resident kilobytes.  A small process forks
#: the command so that the peak is the command's own: a child of this (larger) benchmark process
#: would inherit the benchmark's resident set in its high-water mark.
_MEASURE = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def cli(python: str, tree: Path, path: str, *args: str) -> tuple[int, float, int]:
    """(exit code, seconds, peak resident bytes) of ``symeq verify path`` under ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", _MEASURE, python, "-c",
                          "import sys; from symeq.cli import main; sys.exit(main())", "verify", path, *args],
                         cwd=tree, env=env, capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), time.monotonic() - start, int(out[1]) * 1024


def in_process(python: str, tree: Path, paths: list[str], repeat: int) -> dict[str, float]:
    out = subprocess.run([python, "-c", _TIMER, str(repeat), *paths], cwd=tree, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(tree)), check=True).stdout
    return {Path(line.split()[0]).relative_to(tree).as_posix(): float(line.split()[1]) for line in out.splitlines()}


def hostile(tmp: Path) -> list[tuple[str, str]]:
    good = {"format": "symeq-certificate", "version": 2, "claim": {"kind": "equivariant"},
            "network": {"activation": "tanh", "weights": [[["1"]], [["2"]]], "biases": [["0"], ["0"]]},
            "group": {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
            "evidence": {"method": "layerwise", "actions": {"s": [{"kind": "monomial", "perm": [0], "relations": [
                {"a": "-1", "c": "0", "b": "-1", "e": "0"}]}]}}}
    cases = [("/dev/zero", "/dev/zero"), ("/dev/urandom", "/dev/urandom")]
    big = tmp / "sparse.json"
    with big.open("wb") as f:
        f.truncate(25_000_000)
    cases.append(("sparse 25 MB file", str(big)))

    def write(name: str, doc) -> None:
        path = tmp / f"{len(cases)}.json"
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        cases.append((name, str(path)))

    for number in ("9^9^9^9", "((((2^64)^64)^64)^64)", "(1+sqrt(2))^64^64", "sqrt(" * 60 + "2" + ")" * 60):
        doc = json.loads(json.dumps(good))
        doc["network"]["biases"][0] = [number]
        write(f"number {number[:24]}", doc)
    doc = json.loads(json.dumps(good))
    doc["group"]["relations"] = [" ".join(["s^1000"] * 1000)]
    write("relator of 10^6 letters", doc)
    doc = json.loads(json.dumps(good))
    doc["group"]["generators"]["s"] = {"input": [["2"]], "output": [["2"]]}
    write("infinite group (s = 2)", doc)
    write("JSON nested 10^5 deep", "[" * 100_000 + "]" * 100_000)
    write("20 MB of one string", json.dumps({"format": "x" * 19_000_000}))
    width = 12
    net = {"activation": "tanh", "weights": [[["1"]] * width, [["1"] * width]], "biases": [["0"] * width, ["0"]]}
    types = [[{"s": {"perm": list(range(width)), "signs": [1] * width}}]]
    doc = {"format": "symeq-certificate", "version": 2, "claim": {"kind": "counterexample", "refutes": "latent_actions"},
           "network": net, "group": {"generators": {"s": {"input": [["-1"]], "output": [["-1"]]}}},
           "evidence": {"method": "classification", "types": types}}
    write("classification, width 12 (12! 2^12 candidates)", doc)
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="a checkout with the format-1 checker and its .venv")
    args = ap.parse_args()
    python = sys.executable
    paths = sorted(str(p) for p in (ROOT / "proofs").rglob("*.cert.json"))
    new = in_process(python, ROOT, paths, args.repeat)
    old, base_python = {}, python
    if args.baseline:
        if (args.baseline / ".venv" / "bin" / "python").exists():
            base_python = str(args.baseline / ".venv" / "bin" / "python")
        old_paths = [str(args.baseline / Path(p).relative_to(ROOT)) for p in paths
                     if (args.baseline / Path(p).relative_to(ROOT)).exists()]
        old = in_process(base_python, args.baseline, old_paths, args.repeat)
    print(f"{'certificate':60} {'new ms':>8} {'old ms':>8} {'ratio':>6} {'CLI s':>6} {'old CLI':>7} {'MB':>5}")
    totals = [0.0, 0.0]
    for p in paths:
        name = Path(p).relative_to(ROOT).as_posix()
        code, secs, peak = cli(python, ROOT, p)
        row = f"{name:60} {new[name] * 1e3:8.1f}"
        if name in old:
            _, old_secs, _ = cli(base_python, args.baseline, str(args.baseline / name))
            row += f" {old[name] * 1e3:8.1f} {new[name] / old[name]:6.3f} {secs:6.2f} {old_secs:7.2f}"
            totals[0] += new[name]
            totals[1] += old[name]
        else:
            row += f" {'':8} {'':6} {secs:6.2f} {'':7}"
        print(row + f" {peak / 1e6:5.0f}" + ("" if code == 0 else f"  exit {code}"))
    if totals[1]:
        print(f"in-process total: new {totals[0]:.2f} s, old {totals[1]:.2f} s, ratio {totals[0] / totals[1]:.3f}")
    print(f"\n{'hostile input':50} {'exit':>4} {'s':>6} {'MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in hostile(Path(tmp)):
            code, secs, peak = cli(python, ROOT, path)
            print(f"{name:50} {code:4} {secs:6.2f} {peak / 1e6:6.0f}")


if __name__ == "__main__":
    main()
