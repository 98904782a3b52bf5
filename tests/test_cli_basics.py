"""The ``symeq`` command line itself (symeq.cli): help for every registered verb, argparse
errors, and the exit codes main() gives to errors a verb raises.  The verbs' own behaviour is
tested in their own test files; this file follows symeq.cli.VERBS, whatever it lists."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
import types

import pytest

from symeq import cli
from symeq.errors import BudgetExceeded, InputError


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse exits for --help and usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_verbs_are_modules_with_the_verb_interface() -> None:
    assert cli.VERBS and len(set(cli.VERBS)) == len(cli.VERBS)
    for verb in cli.VERBS:
        module = importlib.import_module(f"symeq.commands.{verb.replace('-', '_')}")
        assert isinstance(cli.VERBS[verb], str) and cli.VERBS[verb].strip() and "\n" not in cli.VERBS[verb], verb
        assert callable(module.add_arguments) and callable(module.run), verb
    assert set(_subparsers()) == set(cli.VERBS)


def test_top_level_help_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["--help"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: symeq")
    for verb in cli.VERBS:
        assert verb in out
    assert "Exit codes: 0 holds, 1 fails, 2 bad input, 3 conjectural or unknown." in " ".join(out.split())


@pytest.mark.parametrize("verb", cli.VERBS)
def test_verb_help_mentions_every_option(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([verb, "--help"], capsys)
    assert code == 0, err
    assert out.startswith(f"usage: symeq {verb}")
    sub = _subparsers()[verb]
    for action in sub._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            for option in action.option_strings:
                assert option in out, (verb, option)
        else:
            name = action.metavar or action.dest
            assert str(name) in out, (verb, name)


def test_top_level_help_and_version_import_no_verb() -> None:
    code = ("import sys; from symeq import cli\n"
            "for argv in (['--help'], ['--version']):\n"
            "    try: cli.main(argv)\n"
            "    except SystemExit as e: assert e.code == 0, e.code\n"
            "print(sorted(m for m in sys.modules if m.startswith(('symeq.commands.', 'sympy', 'flint'))))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = p.stdout.splitlines()
    assert lines[-1] == "[]" and re.fullmatch(r"symeq \S+", lines[-2]), p.stdout


def test_no_verb_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([], capsys)
    assert code == 2
    assert out.startswith("usage: symeq")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["no-such-verb"], "symeq: error: argument VERB: invalid choice: 'no-such-verb'"),
        (["--no-such-option"], "symeq: error: unrecognized arguments: --no-such-option"),
    ],
)
def test_argparse_errors_exit_2_with_one_line(argv: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(message)


@pytest.mark.parametrize("verb", cli.VERBS)
def test_unknown_option_of_every_verb_exits_2_with_one_line(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([verb, "--definitely-not-an-option"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "error:" in err, err


# -- exit codes of errors raised inside a verb ----------------------------------------------


@pytest.fixture
def fake_verb(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A verb 'fake' whose run() does what the test asks."""
    module = types.ModuleType("symeq.commands.fake")
    module.add_arguments = lambda p: p.add_argument("--raise", dest="what", default="none")

    def run(args: argparse.Namespace) -> int:
        errors = {
            "input": InputError("cannot parse number 'x': unexpected 'x'"),
            "multiline": InputError("first line\nsecond line"),
            "budget": BudgetExceeded("more than 10 s"),
            "bug": ZeroDivisionError("division by zero"),
            "recursion": RecursionError("maximum recursion depth exceeded"),
        }
        if args.what in errors:
            raise errors[args.what]
        return 1 if args.what == "fails" else 0

    module.run = run
    monkeypatch.setitem(sys.modules, "symeq.commands.fake", module)
    monkeypatch.setattr(cli, "VERBS", {**cli.VERBS, "fake": "a verb for testing the command line"})
    return module


@pytest.mark.parametrize(
    "what, code, message",
    [
        ("none", 0, ""),
        ("fails", 1, ""),
        ("input", 2, "symeq fake: error: cannot parse number 'x': unexpected 'x'\n"),
        ("multiline", 2, "symeq fake: error: first line second line\n"),
        ("budget", 3, "symeq fake: unknown (budget): more than 10 s\n"),
        ("recursion", 2, "symeq fake: error: input too deeply nested\n"),
    ],
)
def test_exit_codes_of_verb_errors(fake_verb: types.ModuleType, what: str, code: int, message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    got, out, err = _run(["fake", "--raise", what], capsys)
    assert got == code
    assert err == message  # bad input: one line, never a traceback


def test_internal_errors_exit_4_not_1(fake_verb: types.ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    # exit 1 means "fails"; a crash must never be mistaken for a refutation
    got, out, err = _run(["fake", "--raise", "bug"], capsys)
    assert got == cli.EXIT_INTERNAL == 4
    assert err.splitlines()[-1] == "symeq fake: internal error (a bug in symeq): ZeroDivisionError: division by zero"
    assert "Traceback" in err


def test_exit_code_constants() -> None:
    from symeq.verdict import Verdict

    assert (Verdict.HOLDS.exit_code, Verdict.FAILS.exit_code, cli.EXIT_BAD_INPUT, cli.EXIT_UNKNOWN) == (0, 1, 2, 3)
    assert {v.exit_code for v in Verdict} == {0, 1, 3}  # 2 is bad input and 4 a bug: never verdicts


def test_module_entry_point_runs_in_a_subprocess() -> None:
    proc = subprocess.run([sys.executable, "-m", "symeq.cli", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: symeq")
    proc = subprocess.run([sys.executable, "-m", "symeq.cli"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    proc = subprocess.run([sys.executable, "-m", "symeq.cli", "no-such-verb"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
