"""The docs are tests: every example on a page runs as written, and the site builds strictly.

Pages are README.md and every Markdown file under docs/.  A page with examples says, in its
prose, which folder they run from ("from the `docs/` folder", or "from the root folder of the
checkout"); the page's test runs them in that folder of a fresh copy of the checkout, in page
order, as a reader would (no figures/ folder or other file is prepared for it).

Examples are found and evaluated by Sybil (https://sybil.readthedocs.io), with one namespace per
page:

- ```python blocks run as code (Sybil's PythonCodeBlockParser);
- ```pycon blocks run as doctests (Sybil's doctest evaluator; ELLIPSIS, NORMALIZE_WHITESPACE);
- ```console blocks are parsed by :class:`ConsoleParser` below, the one thing Sybil has no
  parser for.  Each ``$ `` line is a command followed by the output it shows.

Console commands.  ``$ symeq ARGS`` runs ``symeq.cli.main(ARGS)`` in-process (stdout and stderr
captured together, as a terminal shows them; ``COLUMNS=100``), optionally piped into
``head -N`` or ``tail -N`` (which read stdout only).  ``$ echo $?`` shows the exit code of the
command before it; a command not followed by it must exit 0.  Any other ``$`` line fails the
test: nothing on a page may look runnable without being run.

Output.  The shown output must equal the real output line by line.  The one marker for output
deliberately shortened, documented for readers in docs/index.md ("Reading the examples"):

- a line ``...`` alone stands for one or more whole lines left out;
- a line ending in ``...`` stands for a line that begins with the text before the dots and
  goes on.

Normalisation, on both sides, only for times and paths: a duration such as ``0.4 s`` or
``12 ms``, and a number in a table column headed ``seconds`` (``symeq prove``), read ``<time>``
(so a page shortening such a table keeps its header); the absolute path of the folder the page
runs in reads as relative to it.

The copy of the checkout holds the files git would check out (tracked, and new ones not
ignored), so output that running the commands by hand leaves in docs/ (ignored in .gitignore)
cannot stand in for a step a page forgot.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import functools
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sybil import Document, Example
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.example import SybilFailure
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["README.md"] + sorted(p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md"))

DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

#: What a page says about the folder its examples run from.
FOLDER = re.compile(r"from\s+the\s+`(?P<folder>[\w./-]+)`\s+folder"
                    r"|from\s+the\s+(?P<root>root\s+folder)\s+of\s+the\s+checkout")

#: Durations in output: "0.4 s", "12 ms", "3 seconds" (not "C8 s", not "s2").
DURATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s|seconds?)\b")

#: Cell separators of the tables symeq prints (rich's box characters, Markdown's bars).
TABLE_SEPARATOR = re.compile(r"[┃│|]")
TABLE_LINE = re.compile(r"\s*[\u2500-\u257f|]")
NUMBER_CELL = re.compile(r"\s*\d+(?:\.\d+)?\s*")

#: Left out of the copy of the checkout a page runs in, when git cannot list the files.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "venv", "site", "build", "dist", "__pycache__",
                                    ".hypothesis", ".pytest_cache", "*.egg-info")


# -- console blocks ------------------------------------------------------------------------------

@dataclass
class Command:
    line: str            # the text after "$ "
    argv: list[str]      # symeq's arguments
    pipe: list[tuple[str, int]] = field(default_factory=list)   # ("head" | "tail", n) filters
    shown: list[str] = field(default_factory=list)
    exit_code: int = 0
    exit_code_shown: bool = False
    lineno: int = 0      # line of the "$" in the block, from 1


def _parse_filter(words: list[str], where: str) -> tuple[str, int]:
    if len(words) == 3 and words[1] == "-n":
        words = [words[0], "-" + words[2]]
    if len(words) == 2 and words[0] in ("head", "tail") and re.fullmatch(r"-\d+", words[1]):
        return words[0], int(words[1][1:])
    raise AssertionError(f"{where}: only '| head -N' and '| tail -N' may follow a symeq command, "
                         f"got {' '.join(words)!r}")


def parse_command(text: str, where: str) -> Command:
    """``symeq ARGS [| head -N | tail -N ...]`` as a :class:`Command`; anything else is refused."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    if any(t in (";", "&", "&&", "||", ">", ">>", "<", "(", ")") for t in tokens):
        raise AssertionError(f"{where}: shell operators other than '|' are not run: {text!r}")
    parts: list[list[str]] = [[]]
    for t in tokens:
        if t == "|":
            parts.append([])
        else:
            parts[-1].append(t)
    if not parts[0] or parts[0][0] != "symeq":
        raise AssertionError(f"{where}: only '$ symeq ...' and '$ echo $?' lines may appear, got {text!r}")
    return Command(text, parts[0][1:], [_parse_filter(p, where) for p in parts[1:]])


def parse_console(block: str, where: str) -> list[Command]:
    """The commands of a console block, each with its shown output and expected exit code."""
    cmds: list[Command] = []
    lines = block.splitlines()
    k = 0
    while k < len(lines):
        line = lines[k]
        if not line.startswith("$ "):
            raise AssertionError(f"{where}: console line outside a command: {line!r}")
        text, lineno = line[2:].strip(), k + 1
        k += 1
        shown = []
        while k < len(lines) and not lines[k].startswith("$ "):
            shown.append(lines[k])
            k += 1
        if text == "echo $?":
            if not cmds or cmds[-1].exit_code_shown or len(shown) != 1 or not shown[0].strip().isdigit():
                raise AssertionError(f"{where}: '$ echo $?' must follow a command and show one number")
            cmds[-1].exit_code = int(shown[0])
            cmds[-1].exit_code_shown = True
            continue
        cmd = parse_command(text, where)
        cmd.shown, cmd.lineno = shown, lineno
        cmds.append(cmd)
    return cmds


def run_symeq(cmd: Command) -> tuple[int, str]:
    """Run ``symeq ARGS`` in-process; the exit code and what a terminal would show."""
    from symeq.cli import main

    out, err = io.StringIO(), io.StringIO()
    merged = not cmd.pipe
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out if merged else err):
        try:
            code = main(cmd.argv)
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if merged:
        return code, out.getvalue()
    lines = out.getvalue().splitlines()
    for name, n in cmd.pipe:
        lines = lines[:n] if name == "head" else lines[len(lines) - n:] if n else []
    return 0, err.getvalue() + "".join(line + "\n" for line in lines)  # a pipe exits as its last command


def _time_columns(lines: list[str]) -> list[str]:
    """Table cells under a ``seconds`` header (``symeq prove``'s table) read ``<time>``."""
    out, column = [], None
    for line in lines:
        cells = TABLE_SEPARATOR.split(line)
        if not TABLE_LINE.match(line):
            column = None                      # not a table line: any table has ended
        elif len(cells) < 3:
            pass                               # a rule between rows
        elif any(c.strip() == "seconds" for c in cells):
            column = [c.strip() for c in cells].index("seconds")
        elif column is not None and column < len(cells) and NUMBER_CELL.fullmatch(cells[column]):
            seps = TABLE_SEPARATOR.findall(line)
            cells[column] = " <time> "
            line = "".join(c + s for c, s in zip(cells, seps + [""]))
        out.append(line)
    return out


def normalise(text: str, folder: Path | None = None) -> list[str]:
    """Lines without trailing spaces or trailing blank lines; times and paths normalised."""
    if folder is not None:
        text = text.replace(str(folder) + os.sep, "").replace(str(folder), ".")
    lines = _time_columns([DURATION.sub("<time>", line).rstrip() for line in text.splitlines()])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the shown lines are the actual lines, with the shortening marker ``...``."""

    @functools.cache
    def m(i: int, j: int) -> bool:
        if i == len(shown):
            return j == len(actual)
        want = shown[i]
        if want.strip() == "...":          # one or more whole lines left out
            return any(m(i + 1, k) for k in range(j + 1, len(actual) + 1))
        if j == len(actual):
            return False
        got = actual[j]
        if want == got:
            return m(i + 1, j + 1)
        if want.endswith("..."):           # the rest of a line left out
            prefix = want[:-3]
            return got.startswith(prefix) and len(got) > len(prefix.rstrip()) and m(i + 1, j + 1)
        return False

    return m(0, 0)


def compare(cmd: Command, output: str, folder: Path | None, where: str) -> str | None:
    shown, actual = normalise("\n".join(cmd.shown)), normalise(output, folder)
    if matches(shown, actual):
        return None
    diff = "\n".join(difflib.unified_diff(shown, actual, "shown on the page", "real output", lineterm=""))
    return f"{where}: the output of '$ {cmd.line}' differs from the page:\n{diff}"


class ConsoleParser(CodeBlockParser):
    """```console blocks: commands run in the current folder, output compared with the page."""

    language = "console"

    def __init__(self) -> None:
        super().__init__()

    def evaluate(self, example: Example) -> str | None:
        where = f"{Path(example.path).name}, line {example.line}"
        folder = Path.cwd()
        for cmd in parse_console(example.parsed, where):
            at = f"{where} (+{cmd.lineno - 1})"
            code, output = run_symeq(cmd)
            if code != cmd.exit_code:
                return f"{at}: '$ {cmd.line}' exited {code}, the page says {cmd.exit_code}\n{output}"
            failure = compare(cmd, output, folder, at)
            if failure:
                return failure
        return None


class PyconParser:
    """```pycon blocks, evaluated as doctests."""

    def __init__(self) -> None:
        self.blocks = CodeBlockParser("pycon")
        self.doctests = DocTestStringParser(DocTestEvaluator(DOCTEST_FLAGS))

    def __call__(self, document: Document):
        for region in self.blocks(document):
            source = region.parsed
            for doctest_region in self.doctests(source, document.path):
                doctest_region.adjust(region, source)
                yield doctest_region


PARSERS = (ConsoleParser(), PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS), PyconParser())


# -- pages ---------------------------------------------------------------------------------------

def copy_checkout(dest: Path) -> None:
    """A copy of the repository as a fresh checkout has it (the files git lists; else a filtered copy)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        shutil.copytree(ROOT, dest, ignore=NOT_COPIED)
        return
    for name in listed.decode().split("\0"):
        src = ROOT / name
        if name and src.is_file():   # a tracked file deleted in the work tree is not copied
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def page_folder(text: str, page: str) -> str:
    """The folder (relative to the checkout) a page's examples run from, as the page says it."""
    folders = {m.group("folder") or "." for m in FOLDER.finditer(text)}
    assert len(folders) == 1, (f"{page} has examples, so it must say once which folder they run from "
                               f"(\"from the `docs/` folder\"); it names {sorted(folders) or 'none'}")
    return folders.pop()


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run_as_written(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = Document.parse(str(ROOT / page), *PARSERS)
    examples = list(document)
    if not examples:
        return
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    folder = checkout / page_folder(document.text, page)
    assert folder.is_dir(), f"{page}: the folder it names does not exist in the checkout"
    monkeypatch.chdir(folder)
    monkeypatch.setenv("COLUMNS", "100")
    document.namespace["__name__"] = f"docs:{page}"
    for example in examples:
        failure = None
        try:
            example.evaluate()
        except SybilFailure as exc:  # the message says it all; the runner's traceback does not help
            failure = str(exc)
        if failure:
            pytest.fail(failure, pytrace=False)


# -- the runner's own behaviour ------------------------------------------------------------------

def test_console_parser_reads_exit_codes_pipes_and_refuses_other_commands() -> None:
    cmds = parse_console("$ symeq check a.toml\nverdict: fails\n$ echo $?\n1\n"
                         "$ symeq verify c.json | tail -1\nverified\n", "t")
    assert [(c.line, c.argv, c.pipe, c.shown, c.exit_code) for c in cmds] == [
        ("symeq check a.toml", ["check", "a.toml"], [], ["verdict: fails"], 1),
        ("symeq verify c.json | tail -1", ["verify", "c.json"], [("tail", 1)], ["verified"], 0)]
    with pytest.raises(AssertionError, match="only"):
        parse_console("$ rm -rf x\n", "t")
    with pytest.raises(AssertionError, match="only"):
        parse_console("$ mkdir -p figures\n", "t")
    with pytest.raises(AssertionError, match="operators"):
        parse_console("$ symeq check a.toml > out.txt\n", "t")
    with pytest.raises(AssertionError, match="head -N"):
        parse_console("$ symeq check a.toml | grep verdict\n", "t")
    with pytest.raises(AssertionError, match="echo"):
        parse_console("$ echo $?\n0\n", "t")
    with pytest.raises(AssertionError, match="echo"):
        parse_console("$ symeq check a.toml\n$ echo $?\n0\n$ echo $?\n0\n", "t")


def test_output_must_match_exactly_except_for_the_documented_marker() -> None:
    out = ["verdict: holds", "method: layerwise", "reason: long", "certificate: written"]
    assert matches(out, out)
    assert not matches(out[:1], out)                        # silently shortened: refused
    assert not matches(out[:2] + out[3:], out)              # a line silently left out: refused
    assert not matches([out[1], out[0]] + out[2:], out)     # order matters
    assert matches(["verdict: holds", "...", "certificate: written"], out)
    assert matches(["verdict: holds", "..."], out)
    assert not matches(["verdict: holds", "...", "reason: long", "...", "certificate: written"], out)
    assert not matches(out + ["..."], out)                  # "..." stands for at least one line
    assert matches(["verdict: ho...", "...", "reason: lo...", "certificate: written"], out)
    assert not matches(["verdict: holds...", "..."], out)   # nothing left out of that line
    assert not matches(["verdict: fa...", "..."], out)


def test_only_times_and_paths_are_normalised(tmp_path: Path) -> None:
    text = f"1 passed, 0 failed (0.4 s)\nwrote {tmp_path}{os.sep}fig.png\nC8 s 12 ms\nsize 2\n"
    assert normalise(text, tmp_path) == ["1 passed, 0 failed (<time>)", "wrote fig.png", "C8 s <time>",
                                         "size 2"]
    cmd = Command("symeq x", [], shown=["1 passed, 0 failed (0.0 s)"])
    assert compare(cmd, "1 passed, 0 failed (2.5 s)\n", None, "t") is None
    table = ["┃ instance ┃ verdict ┃ seconds ┃ result ┃", "┡━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━┩",
             "│ a.toml   │ holds   │    0.01 │ ok     │", "│ b.toml   │ fails   │   12.50 │ 3      │",
             "└──────┘", "1 passed", "│ c │ 2 │ 0.5 │ 7 │"]
    assert normalise("\n".join(table)) == [
        table[0], table[1], "│ a.toml   │ holds   │ <time> │ ok     │", "│ b.toml   │ fails   │ <time> │ 3      │",
        table[4], table[5], table[6]]                   # only under a "seconds" header
    assert normalise("| seconds | n |\n|---|---|\n| 0.25 | 4 |") == [
        "| seconds | n |", "|---|---|", "| <time> | 4 |"]
    cmd = Command("symeq x", [], shown=["1 passed, 0 failed (0.0 s)"])
    assert "differs" in compare(cmd, "1 passed, 1 failed (2.5 s)\n", None, "t")


def test_a_page_must_say_where_it_runs() -> None:
    assert page_folder("Run the commands from the `docs/` folder.", "p") == "docs/"
    assert page_folder("These run from the root folder of the checkout.", "p") == "."
    with pytest.raises(AssertionError, match="must say once"):
        page_folder("no folder here", "p")
    with pytest.raises(AssertionError, match="must say once"):
        page_folder("from the `docs/` folder, or from the `proofs/` folder", "p")


def test_every_verb_is_in_the_command_reference() -> None:
    from symeq.cli import VERBS

    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    markers = re.findall(r"^<!-- symeq-help: ([a-z-]+) -->$", text, re.M)
    assert set(markers) == set(VERBS) | {"symeq"}, (
        f"docs/reference/cli.md: missing {sorted(set(VERBS) - set(markers))}, "
        f"not verbs {sorted(set(markers) - set(VERBS) - {'symeq'})}")


# -- the theory page and the references to it ----------------------------------------------------

#: The project's theory page; code, help text and pages cite its headings as theory.md#anchor.
THEORY_PAGE = DOCS / "theory.md"
THEORY_LINK = re.compile(r"theory\.md#([\w.-]+)")
#: The notes the theory page was written from live outside the repository; nothing may cite them.
OUTSIDE_NOTES = "THEORY" + ".md"


def theory_anchors() -> set[str]:
    """The anchors of docs/theory.md's headings, slugged as mkdocs (and GitHub) slug them."""
    from markdown.extensions.toc import slugify

    headings = re.findall(r"^#{1,6} +(.+?) *$", THEORY_PAGE.read_text(encoding="utf-8"), re.M)
    return {slugify(h, "-") for h in headings}


def _cited_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "mkdocs.yml"]
    for folder, pattern in (("docs", "*"), ("symeq", "*.py"), ("tests", "*.py"), ("proofs", "*")):
        files += [p for p in (ROOT / folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    return files


def test_theory_page_has_the_anchors_code_and_pages_cite() -> None:
    anchors = theory_anchors()
    assert {"5-the-theorem-constructively", "the-activation-table", "the-c8-counterexample",
            "70-one-frame-for-every-architecture", "references"} <= anchors
    missing = []
    for path in _cited_files():
        if path.name == "test_docs.py":   # this file names the pattern, not an anchor
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        missing += [f"{path.relative_to(ROOT)}: theory.md#{a}" for a in THEORY_LINK.findall(text)
                    if a not in anchors]
    assert not missing, "links to headings docs/theory.md does not have:\n" + "\n".join(missing)


def test_docs_cite_the_theory_page_not_notes_outside_the_project() -> None:
    where = [p for p in [ROOT / "README.md", ROOT / "mkdocs.yml", *DOCS.rglob("*")]
             if p.is_file() and OUTSIDE_NOTES in p.read_text(encoding="utf-8", errors="replace")]
    assert not where, f"{OUTSIDE_NOTES} is not in the repository; cite docs/theory.md instead: {where}"


def test_code_tests_and_proofs_cite_the_theory_page_not_notes_outside_the_project() -> None:
    where = sorted({str(p.relative_to(ROOT)) for p in _cited_files()
                    if p.suffix in (".py", ".toml", ".json") and p.name != "test_docs.py"
                    and OUTSIDE_NOTES in p.read_text(encoding="utf-8", errors="replace")})
    assert not where, f"{len(where)} file(s) cite {OUTSIDE_NOTES}: {', '.join(where)}"


# -- the site ------------------------------------------------------------------------------------

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def test_site_builds_strict_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    site = tmp_path / "site"
    assert (site / "index.html").exists()
    # every image a page shows was made by the build, from the command printed on the page
    for page in DOCS.rglob("*.md"):
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            built = (site / page.parent.relative_to(DOCS) / target).resolve()
            assert built.is_file(), f"{page.name} shows {target}, which the build did not make"
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "usage: symeq check" in cli
    theory = (site / "theory" / "index.html").read_text(encoding="utf-8")
    assert 'id="5-the-theorem-constructively"' in theory
