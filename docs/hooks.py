"""mkdocs hooks: figures made by ``symeq draw`` and the command reference made by ``--help``.

Figures.  Every console line ``$ symeq draw FILE --out NAME ...`` on a page is run during the
build, from a temporary copy of docs/ (the folder the pages' commands run from), and the file
it writes is added to the site as ``NAME``, relative to docs/.  A page shows it with the path the
command wrote, so each figure in the docs is produced by the very command printed next to it,
and a reader who runs that command from docs/ gets the same file at the same path.  Nothing is
written into the source tree (``mkdocs serve`` does not loop on its own output), and a file of
that name left in docs/ by running the commands by hand is replaced by the built one.  Two
different commands writing the same NAME, or a command that fails, are build warnings (so
``mkdocs build --strict`` fails).

Command reference.  A line ``<!-- symeq-help: VERB -->`` is replaced by the output of
``symeq VERB --help`` (100 columns), so the reference always matches the program; a VERB that
is not in ``symeq.cli.VERBS`` is a build warning.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.symeq")

DRAW_LINE = re.compile(r"^\$ (symeq draw .*)$", re.M)
HELP_MARKER = re.compile(r"^<!-- symeq-help: ([a-z-]+) -->$", re.M)

_tmp: tempfile.TemporaryDirectory | None = None


def _run_symeq(argv: list[str]) -> tuple[int, str]:
    from symeq.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(argv)
    return code, out.getvalue()


def on_files(files: Files, config, **kwargs) -> Files:
    """Run every ``symeq draw`` command shown on a page; add the files it writes to the site."""
    global _tmp
    if _tmp is not None:
        _tmp.cleanup()
    _tmp = tempfile.TemporaryDirectory(prefix="symeq-docs-")
    docs = Path(config["docs_dir"])
    work = Path(_tmp.name) / "docs"
    shutil.copytree(docs, work, ignore=shutil.ignore_patterns("__pycache__"))
    made: dict[str, str] = {}
    for page in sorted(docs.rglob("*.md")):
        for line in DRAW_LINE.findall(page.read_text(encoding="utf-8")):
            argv = shlex.split(line)[1:]
            if "--out" not in argv or argv.index("--out") + 1 >= len(argv):
                log.warning("%s: '%s' has no --out FILE", page.name, line)
                continue
            out = argv[argv.index("--out") + 1]
            if out in made:
                if made[out] != line:
                    log.warning("%s: '%s' writes %s, which '%s' writes too", page.name, line, out, made[out])
                continue
            cwd = os.getcwd()
            os.chdir(work)
            try:
                code, text = _run_symeq(argv)
            finally:
                os.chdir(cwd)
            if code != 0:
                log.warning("%s: '%s' exited %d: %s", page.name, line, code, text.strip())
                continue
            made[out] = line
            stale = files.get_file_from_path(out)
            if stale is not None:
                files.remove(stale)
            files.append(File.generated(config, out, abs_src_path=str(work / out)))
    return files


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    """Replace ``<!-- symeq-help: VERB -->`` by ``symeq VERB --help``."""
    if "symeq-help:" not in markdown:
        return markdown
    from symeq.cli import VERBS, build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")

        def help_of(m: re.Match[str]) -> str:
            verb = m.group(1)
            if verb == "symeq":
                text = parser.format_help()
            elif verb in VERBS:
                text = sub.choices[verb].format_help()
            else:
                log.warning("%s: <!-- symeq-help: %s --> names no verb of symeq", page.file.src_uri, verb)
                return ""
            return "```text\n" + text.rstrip() + "\n```\n"

        return HELP_MARKER.sub(help_of, markdown)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def on_post_build(config, **kwargs) -> None:
    global _tmp
    if _tmp is not None:
        _tmp.cleanup()
        _tmp = None
