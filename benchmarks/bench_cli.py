"""Benchmark: start-up of the command line (issue 17, item 5).

Two ratios, each against a baseline measured in the same run, side by side (the median of N
alternating runs of each command, wall time, in fresh processes):

- ``symeq --help`` against ``python -c pass`` (target <= 3x): the top-level help imports no
  verb module (symeq/cli.py keeps the one-line help of every verb);
- ``symeq verify`` on a small stored certificate against ``python -c "import sympy"``
  (target <= 1.5x): the kernel is the standard library and python-flint, and ``symeq verify``
  imports only its own verb.

Run:  .venv/bin/python benchmarks/bench_cli.py [--runs 15]

Measured 2026-12-06 on the 2-core machine while other jobs ran (absolute times vary; the
ratios are what counts):

  python -c pass                 0.07 s
  symeq --help                   0.13 s   ratio 1.7  (target <= 3; 0.72 s, 36x, when it imported every verb)
  python -c "import sympy"       1.10 s
  symeq verify (small cert)      0.37 s   ratio 0.3  (target <= 1.5)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The console script a user runs (``python -m symeq.cli`` when it is not installed beside Python).
_SCRIPT = Path(sys.executable).with_name("symeq")
SYMEQ = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "symeq.cli"]
CERTIFICATE = ROOT / "proofs" / "check" / "tanh_c4_rotation.cert.json"


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _pair(a: list[str], b: list[str], runs: int) -> tuple[float, float]:
    """Medians of a and b, run alternately so that load on the machine hits both alike."""
    ta, tb = [], []
    for _ in range(runs):
        ta.append(_seconds(a))
        tb.append(_seconds(b))
    return statistics.median(ta), statistics.median(tb)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cert = CERTIFICATE if CERTIFICATE.exists() else sorted((ROOT / "proofs" / "check").glob("*.cert.json"))[0]
    base, helped = _pair([sys.executable, "-c", "pass"], [*SYMEQ, "--help"], args.runs)
    sym, verify = _pair([sys.executable, "-c", "import sympy"], [*SYMEQ, "verify", str(cert)], args.runs)
    print(f"  python -c pass                 {base:.2f} s")
    print(f"  symeq --help                   {helped:.2f} s   ratio {helped / base:.1f}  (target <= 3)")
    print(f'  python -c "import sympy"       {sym:.2f} s')
    print(f"  symeq verify (small cert)      {verify:.2f} s   ratio {verify / sym:.1f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
