"""``symeq verify CERT.json``: the trusted kernel on a certificate.

Exit codes: 0 verified (every step held); 1 rejected (a step failed, or the certificate is
malformed: unknown keys, wrong shapes, unreadable numbers); 3 rejected for the budget (the check
would take longer than ``--budget`` seconds, or more memory than the kernel allows); 2 the file
is unreadable, is no regular file, is larger than the limit, is not JSON, or is not a symeq
certificate at all (no ``"format": "symeq-certificate"``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import stat
from typing import Any

from symeq.errors import InputError

DESCRIPTION = """\
Re-verify a certificate (docs/certificates.md) with symeq's trusted kernel (symeq/kernel), which
imports nothing from the engine, decides every step in exact arithmetic and never searches: it
checks the hints the engine wrote. Prints the claim, each step that held, the trusted items the
verdict relies on (the kernel, relation families, identities, lemmas, literature theorems,
second-tier procedures), and "verified" only when every step held; otherwise "REJECTED: <reason>".

Exit codes: 0 verified, 1 rejected, 3 rejected for the budget, 2 unreadable file or not a
certificate."""

#: Largest certificate read, in bytes; reading stops there (a device or a growing file included).
MAX_BYTES = 20_000_000
#: Address space allowed while a certificate is checked (a backstop: the kernel bounds its work).
MAX_MEMORY = 2_000_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    from symeq.certify.verify import DEFAULT_BUDGET

    p.add_argument("certificate", metavar="CERT.json", help="certificate file (JSON)")
    p.add_argument("--json", action="store_true",
                   help="print {verified, claim, steps, reason, relies_on} as JSON")
    p.add_argument("--budget", type=_seconds, default=DEFAULT_BUDGET, metavar="SECONDS",
                   help=f"time allowed for the check (default {DEFAULT_BUDGET:g}); beyond it the certificate "
                        "is rejected with 'budget' (exit 3)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError("the budget must be more than 0 and at most 86400 seconds")
    return value


def read_certificate(path: str) -> dict[str, Any]:
    """The JSON object in ``path``; InputError (exit 2) when it is no symeq certificate file."""
    from symeq.certify.verify import FORMAT

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise InputError(f"{path} is larger than {MAX_BYTES} bytes")
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:  # deep nesting, an integer beyond Python's digit limit
        raise InputError(f"{path}: unreadable JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f'{path} is not a symeq certificate (no "format": "{FORMAT}")')
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")


def run(args: argparse.Namespace) -> int:
    from symeq.certify.verify import verify_certificate

    doc = read_certificate(args.certificate)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MAX_MEMORY if hard == resource.RLIM_INFINITY else min(MAX_MEMORY, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        v = verify_certificate(doc, args.budget)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    if args.json:
        print(json.dumps(v.to_dict(), indent=2))
    else:
        print(f"claim: {v.claim}")
        for step in v.steps:
            print(f"  ok  {step}")
        if v.ok:
            print(f"relies on: {'; '.join(v.relies)}")
        print("verified" if v.ok else f"REJECTED: {v.reason}")
    return 0 if v.ok else 3 if v.budget else 1
