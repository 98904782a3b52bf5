"""Helpers shared by the command-line verbs: loading inputs, printing, writing certificates."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from symeq.errors import InputError
from symeq.files import load_document, write_json

__all__ = ["integer", "decimal", "add_network_arguments", "add_certificate_argument", "check_certificate_path", "check_int_range",
           "load_inputs", "emit_json", "write_json_atomic"]

_INTEGER = re.compile(r"-?[0-9]{1,18}")


def integer(text: str) -> int:
    """The argparse type of every integer option: ASCII digits only, at most 18 of them (int()
    would read "\u0663" as 3, "1_000" as 1000 and a 5000-digit string at length).

    >>> integer("-12")
    -12
    >>> integer("\u0663")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: invalid integer '\u0663': write it with the ASCII digits 0-9 (at most 18)
    """
    if not _INTEGER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"invalid integer {text[:40]!r}: write it with the ASCII digits 0-9 "
                                         "(at most 18)")
    return int(text)


_DECIMAL = re.compile(r"([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})")


def decimal(text: str) -> float:
    """The argparse type of every non-negative decimal option (seconds, scales): ASCII digits
    and a point only (float() would read "\u0663", "nan", "inf" and "1e400").

    >>> decimal("2.5")
    2.5
    >>> decimal("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: invalid number 'nan': write a decimal such as 2.5 with the ASCII digits 0-9
    """
    if not _DECIMAL.fullmatch(text):
        raise argparse.ArgumentTypeError(f"invalid number {text[:40]!r}: write a decimal such as 2.5 with the "
                                         "ASCII digits 0-9")
    return float(text)


def add_network_arguments(p: argparse.ArgumentParser, group: bool = True) -> None:
    """FILE, --group, --json: the arguments of verbs that read one network file."""
    p.add_argument("file", metavar="FILE", help="network file (TOML or JSON, the symeq schema)")
    if group:
        p.add_argument(
            "--group",
            metavar="FILE_OR_NAME",
            help="group acting on inputs and outputs: a file with a [group] table, or a catalog "
            "name such as C4, D4, C5:shift, S3, sign, hmirror:3x3, D4:4x4 (suffix /trivial for "
            "an invariant output). Default: the [group] table of FILE.",
        )
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")


def add_certificate_argument(p: argparse.ArgumentParser,
                             help: str = "write the certificate (JSON) to OUT") -> None:
    """--certificate OUT: the option of every verb that writes a certificate.

    >>> p = argparse.ArgumentParser()
    >>> add_certificate_argument(p)
    >>> p.parse_args(["--certificate", "c.json"]).certificate
    'c.json'
    """
    p.add_argument("--certificate", metavar="OUT", help=help)


def check_certificate_path(path: str | None) -> None:
    """Refuse a certificate path that does not end in .json, before any work is done (None:
    no certificate asked for).

    >>> check_certificate_path("out.JSON"), check_certificate_path(None)
    (None, None)
    >>> check_certificate_path("out.toml")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: certificate path 'out.toml' must end in .json
    """
    if path is not None and not path.lower().endswith(".json"):
        raise InputError(f"certificate path {path!r} must end in .json")


def check_int_range(value: int, low: int, high: int, option: str) -> None:
    """Refuse an integer option outside low..high with one line naming the option.

    >>> check_int_range(5, 1, 10, "--budget")
    >>> check_int_range(0, 1, 10, "--budget")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: --budget must be an integer from 1 to 10
    """
    if not low <= value <= high:
        raise InputError(f"{option} must be an integer from {low} to {high}")


def load_inputs(path: str, group_spec: str | None = None, need_group: bool = True) -> tuple[Any, Any, dict[str, Any]]:
    """The network of FILE, the group (from --group or FILE's [group] table) and the document
    (:func:`symeq.api.load`)."""
    from symeq.api import load

    net, group = load(path, group_spec, need_group=need_group)
    return net, group, load_document(path)


def emit_json(obj: Any) -> None:
    """Print one JSON object."""
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def write_json_atomic(obj: Any, path: str) -> None:
    """Write JSON to ``path`` atomically (never a partial file; :func:`symeq.files.write_json`)."""
    write_json(obj, path)


def write_verified_certificate(cert: dict[str, Any], path: str, verb: str) -> bool:
    """Write ``cert`` to ``path`` only after the independent checker accepts it.

    A certificate the checker rejects is an engine bug (or a limit of the checker): nothing is
    written, one line goes to stderr, and the caller exits 4.  Returns True when written.
    """
    from symeq.certify.verify import verify_certificate

    v = verify_certificate(json.loads(json.dumps(cert)))  # exactly what a reader will load
    if not v.ok:
        print(f"symeq {verb}: internal error: the certificate does not verify ({v.reason}); "
              "nothing written", file=sys.stderr)
        return False
    write_json_atomic(cert, path)
    return True
