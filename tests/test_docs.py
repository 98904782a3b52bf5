"""Every example in docs/ runs, and the site builds with ``mkdocs build --strict``.

Pages are run one by one, each in a fresh temporary folder holding a copy of docs/examples/ and
an empty figures/ (the folder the pages' commands run in: docs/).  Blocks run in page order:

- ```console blocks: every line ``$ symeq ...`` is run in-process (``symeq.cli.main``); the
  lines shown after it must appear in its output (stdout and stderr; a shown line ending in
  ``...`` need only match as a prefix, a line ``...`` alone skips); its exit code must be 0
  unless the next line is ``$ echo $?`` followed by the expected code.  Any other ``$`` line
  fails the test (nothing on a page may look runnable without being run).
- ```python blocks run as code, in one namespace per page.
- ```pycon blocks run as doctests (ELLIPSIS, NORMALIZE_WHITESPACE), in the same namespace.

A command whose verb is not (yet) in ``symeq.cli.VERBS`` is skipped, and the page's test then
ends in ``pytest.skip`` naming the verb, after every other example of the page has passed.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))

FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.M | re.S)


@dataclass
class Command:
    line: str
    shown: list[str]
    exit_code: int


def parse_console(block: str, where: str) -> list[Command]:
    """The ``$ symeq`` commands of a console block with their shown output and exit code."""
    cmds: list[Command] = []
    lines = block.splitlines()
    k = 0
    while k < len(lines):
        line = lines[k]
        if not line.startswith("$ "):
            raise AssertionError(f"{where}: console line outside a command: {line!r}")
        cmd = line[2:].strip()
        k += 1
        shown = []
        while k < len(lines) and not lines[k].startswith("$ "):
            shown.append(lines[k])
            k += 1
        if cmd == "echo $?":
            if not cmds or len(shown) != 1 or not shown[0].strip().isdigit():
                raise AssertionError(f"{where}: '$ echo $?' must follow a command and show one number")
            cmds[-1].exit_code = int(shown[0])
            continue
        if not cmd.startswith("symeq "):
            raise AssertionError(f"{where}: only '$ symeq ...' and '$ echo $?' lines may appear, got {cmd!r}")
        cmds.append(Command(cmd, shown, 0))
    return cmds


def run_symeq(argv: list[str]) -> tuple[int, str]:
    from symeq.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse --help / usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue()


def check_shown(shown: list[str], output: str, where: str) -> None:
    out_lines = [line.rstrip() for line in output.splitlines()]
    for line in shown:
        want = line.rstrip()
        if not want.strip() or want.strip() == "...":
            continue
        if want.endswith("...") and want.strip() != "...":
            prefix = want[:-3]
            ok = any(o.startswith(prefix) for o in out_lines)
        else:
            ok = want in out_lines
        assert ok, f"{where}: shown line not in the output:\n  {want}\n--- real output ---\n{output}"


def blocks(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DOCS / "examples", tmp_path / "examples")
    (tmp_path / "figures").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page: str, workspace: Path) -> None:
    from symeq.cli import VERBS

    text = (DOCS / page).read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": f"docs:{page}"}
    skipped: list[str] = []
    ran = 0
    for n, (lang, body) in enumerate(blocks(text)):
        where = f"{page}, block {n + 1}"
        if lang == "console":
            for cmd in parse_console(body, where):
                argv = shlex.split(cmd.line)[1:]
                if argv and not argv[0].startswith("-") and argv[0] not in VERBS:
                    skipped.append(argv[0])
                    continue
                code, output = run_symeq(argv)
                ran += 1
                assert code == cmd.exit_code, (f"{where}: '{cmd.line}' exited {code}, the page says "
                                               f"{cmd.exit_code}\n{output}")
                check_shown(cmd.shown, output, f"{where}: '{cmd.line}'")
        elif lang == "python":
            exec(compile(body, where, "exec"), namespace)
            ran += 1
        elif lang == "pycon":
            test = doctest.DocTestParser().get_doctest(body, namespace, where, page, 0)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            report = io.StringIO()
            result = runner.run(test, out=report.write, clear_globs=False)
            namespace.update(test.globs)
            ran += 1
            assert result.failed == 0, f"{where}:\n{report.getvalue()}"
    if skipped:
        pytest.skip(f"{page}: verb(s) {', '.join(sorted(set(skipped)))} not in symeq.cli.VERBS yet "
                    f"({ran} other examples passed)")


def test_console_parser_reads_exit_codes_and_refuses_other_commands() -> None:
    cmds = parse_console("$ symeq check a.toml\nverdict: fails\n$ echo $?\n1\n$ symeq verify c.json\n", "t")
    assert [(c.line, c.shown, c.exit_code) for c in cmds] == [
        ("symeq check a.toml", ["verdict: fails"], 1), ("symeq verify c.json", [], 0)]
    with pytest.raises(AssertionError, match="only"):
        parse_console("$ rm -rf x\n", "t")
    with pytest.raises(AssertionError, match="shown line not in the output"):
        check_shown(["verdict: holds"], "verdict: fails\n", "t")
    check_shown(["verdict: ho...", "...", ""], "verdict: holds\n", "t")


def test_every_verb_is_in_the_command_reference() -> None:
    from symeq.cli import VERBS

    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    markers = re.findall(r"^<!-- symeq-help: ([a-z-]+) -->$", text, re.M)
    assert set(VERBS) <= set(markers), f"missing from docs/reference/cli.md: {set(VERBS) - set(markers)}"
    absent = sorted(set(markers) - set(VERBS) - {"symeq"})
    if absent:
        pytest.skip(f"documented verb(s) {', '.join(absent)} not in symeq.cli.VERBS yet")


def test_site_builds_strict_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    site = tmp_path / "site"
    assert (site / "index.html").exists()
    figures = sorted(p.name for p in (site / "figures").iterdir())
    # every figure a page shows was made by the build
    wanted = set()
    for page in DOCS.rglob("*.md"):
        wanted.update(re.findall(r"\]\((?:\.\./)?figures/([\w.-]+)\)", page.read_text(encoding="utf-8")))
    assert wanted <= set(figures), f"figures shown but not built: {wanted - set(figures)}"
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "usage: symeq check" in cli
