"""Reading and writing documents: network files, group files, certificates (TOML or JSON).

A document is a dict read from a file whose suffix says its format (``.toml`` or ``.json``;
other suffixes are refused); every number in it is an exact string, so JSON floats are
refused.  Writing goes
through :func:`atomic_write`: never a partial file.  The ``[network]`` table's schema belongs to
each architecture (:mod:`symeq.architectures`).
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any, Callable

import tomli_w

from symeq.errors import InputError

__all__ = ["load_document", "write_document", "write_json", "atomic_write", "MAX_FILE_BYTES", "SUFFIXES"]

#: Files larger than this are refused before parsing.
MAX_FILE_BYTES = 50_000_000


#: The suffixes a document may have, and the format each one means.
SUFFIXES = {".toml": "TOML", ".json": "JSON"}


def load_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML or JSON file into a dict; the format follows the suffix (.toml or .json, in
    any case), and any other suffix is refused before the file is read (a YAML file read as
    TOML gave a confusing parse error, or worse, parsed).

    >>> load_document("network.yaml")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: network.yaml: unknown file type '.yaml'; symeq reads .toml and .json files
    """
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        what = f"unknown file type {p.suffix[:20]!r}" if p.suffix else "no file suffix"
        raise InputError(f"{p}: {what}; symeq reads .toml and .json files")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise InputError(f"{p} is {size} bytes, larger than the limit {MAX_FILE_BYTES}")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p} is not UTF-8 text") from None
    if p.suffix.lower() == ".json":
        try:
            doc = json.loads(text, parse_float=_reject_float_json, parse_constant=_reject_constant_json,
                             object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
        except InputError as exc:
            raise InputError(f"{p}: {exc}") from None
        except RecursionError:
            raise InputError(f"{p}: JSON nested too deeply") from None
        except ValueError as exc:  # integers past Python's digit limit
            raise InputError(f"{p}: malformed JSON: {exc}") from None
    else:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{p}: malformed TOML: {exc}") from None
        except RecursionError:
            raise InputError(f"{p}: TOML nested too deeply") from None
        except ValueError as exc:  # integers past Python's digit limit
            raise InputError(f"{p}: malformed TOML: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{p}: the top level must be a table/object")
    return doc


def _reject_float_json(text: str) -> Any:
    raise InputError(f'JSON number {text} is a float; write exact numbers as strings such as "{text}"')


def _reject_constant_json(text: str) -> Any:
    raise InputError(f"JSON constant {text} is not a number; write exact numbers as strings")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON would silently keep the last of two equal keys; TOML refuses them, and so do we.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {key!r}")
        out[key] = value
    return out


def write_document(doc: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a dict as TOML or JSON (by suffix), atomically: never a partial file.

    The text goes through :func:`atomic_write`; a path that cannot be written is an InputError
    (exit 2 on the command line).
    """
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise InputError(f"cannot write {p}: unknown file type {p.suffix[:20]!r}; use .toml or .json")
    if p.suffix.lower() == ".json":
        text = json.dumps(doc, indent=2) + "\n"
    else:
        text = tomli_w.dumps(doc)
    atomic_write(p, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_json(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write a JSON document (a certificate) atomically; the path must end in ``.json``.

    >>> write_json({}, "out.toml")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: certificate path 'out.toml' must end in .json
    """
    if not str(path).lower().endswith(".json"):
        raise InputError(f"certificate path {str(path)!r} must end in .json")
    write_document(obj, path)


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object], suffix: str = ".tmp") -> None:
    """Create ``path`` atomically: ``write(tmp)`` fills a temporary file in the same directory
    (named with ``suffix``), which is flushed to disk and then renamed over ``path``; on any
    failure the temporary file is removed and ``path`` is left as it was.  A path that cannot be
    written is an InputError.  Every file symeq writes (documents, certificates, figures, the
    explain text) goes through here.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> atomic_write(target, lambda tmp: Path(tmp).write_text("hello"))
    >>> target.read_text()
    'hello'
    >>> atomic_write(Path(tempfile.mkdtemp()) / "missing" / "x.txt", lambda tmp: None)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot write .../missing/x.txt: No such file or directory
    """
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{p.name}.", suffix=suffix)
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc.strerror}") from None
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {p}: {exc.strerror or exc}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
