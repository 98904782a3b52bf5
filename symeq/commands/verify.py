"""``symeq verify CERT.json``: the independent checker on a certificate.

Exit codes: 0 every step held ("verified"); 1 the certificate does not verify (a step failed,
or the certificate is malformed: missing keys, wrong shapes, unreadable numbers); 2 the file
is unreadable, is not JSON, or is not a symeq certificate at all (no
``"format": "symeq-certificate"``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from symeq.certify.checker import FORMAT, verify_certificate
from symeq.errors import InputError

HELP = "re-check a certificate from scratch with the independent checker"
DESCRIPTION = """\
Re-verify a certificate (docs/certificates.md) with the independent checker
(symeq/certify/checker.py), which imports nothing from the engine and decides every step in
exact arithmetic. Prints the claim, each step that held, and "verified" only when all held;
otherwise "REJECTED: <reason>".

Exit codes: 0 verified, 1 rejected, 2 unreadable file or not a certificate."""

#: Certificates larger than this are refused before parsing.
MAX_BYTES = 50_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("certificate", metavar="CERT.json", help="certificate file (JSON)")
    p.add_argument("--json", action="store_true", help="print {verified, claim, steps, reason} as JSON")


def _read_certificate(path: str) -> dict[str, Any]:
    """The JSON object in ``path``; InputError (exit 2) when it is no symeq certificate."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"{p} is larger than {MAX_BYTES} bytes")
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{p} is not UTF-8 text") from None
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{p}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise InputError(f"{p}: unreadable JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f'{p} is not a symeq certificate (no "format": "{FORMAT}")')
    return doc


def _no_constant(name: str) -> Any:
    raise InputError(f"JSON constant {name} is not allowed")


def run(args: argparse.Namespace) -> int:
    v = verify_certificate(_read_certificate(args.certificate))
    if args.json:
        print(json.dumps(v.to_dict(), indent=2))
    else:
        print(f"claim: {v.claim}")
        for step in v.steps:
            print(f"  ok  {step}")
        print("verified" if v.ok else f"REJECTED: {v.reason}")
    return 0 if v.ok else 1
