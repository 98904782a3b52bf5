"""mkdocs hooks: figures made by ``symeq draw`` and the command reference made by ``--help``.

Figures.  Every console line ``$ symeq draw examples/X.toml --out figures/Y.png ...`` on a page
is run during the build, in a temporary folder holding a copy of docs/examples/, and its
output is added to the site as ``figures/Y.png``.  So each figure in the docs is produced by the
very command printed next to it; nothing is written into the source tree (``mkdocs serve``
does not loop on its own output).

Command reference.  A line ``<!-- symeq-help: VERB -->`` is replaced by the output of
``symeq VERB --help`` (100 columns), so the reference always matches the program.  A verb that
is not in ``symeq.cli.VERBS`` gets a note saying it is not part of this build.
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
    """Run every ``symeq draw`` command shown on a page; add the figures to the site."""
    global _tmp
    if _tmp is not None:
        _tmp.cleanup()
    _tmp = tempfile.TemporaryDirectory(prefix="symeq-docs-")
    work = Path(_tmp.name)
    docs = Path(config["docs_dir"])
    shutil.copytree(docs / "examples", work / "examples")
    (work / "figures").mkdir()
    made: set[str] = set()
    for page in sorted(docs.rglob("*.md")):
        for line in DRAW_LINE.findall(page.read_text(encoding="utf-8")):
            argv = shlex.split(line)[1:]
            out = argv[argv.index("--out") + 1] if "--out" in argv else ""
            if not out.startswith("figures/") or out in made:
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
            made.add(out)
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
                return (f'!!! note "not in this build"\n    `symeq {verb}` is specified but not part '
                        "of this build of symeq yet.\n")
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
