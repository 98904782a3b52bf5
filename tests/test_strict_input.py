"""Strict input (issue 12, item 3), engine side: every malformed input ends with one line on
stderr and exit 2, whatever verb reads it; nothing is read "close enough" (Unicode digits, JSON
floats, a YAML file as TOML, a misspelt table), and the engine reads exactly the numbers the
checker reads (one grammar, two parsers)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symeq.certify.hints import numbers_hint
from symeq.certify.reader import Reader
from symeq.kernel.core import Reject
from symeq.cli import main
from symeq.errors import InputError
from symeq.exact import exact_string, parse_number

DOCS = Path(__file__).resolve().parent.parent / "docs"
FIRST = DOCS / "examples" / "first.toml"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _bad(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    code, out, err = _run(argv, capsys)
    assert code == 2, (argv, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


# -- widths and digits ---------------------------------------------------------------------------

HUGE = "1" + "0" * 4999


@pytest.mark.parametrize("argv", [
    ["symmetries", "--arch", f"relu:2-3-{HUGE}"],
    ["classify", "--arch", f"relu:2-3-{HUGE}", "--group", "C2"],
    ["counterexample", "--claim", "layerwise-reparam", "--arch", f"relu:2-3-{HUGE}"],
])
def test_a_5000_digit_width_is_one_line(argv, capsys):
    _bad(argv, capsys, "--arch")


@pytest.mark.parametrize("argv", [
    ["symmetries", "--arch", "relu:\u0662-3-1"],
    ["symmetries", "--arch", "power:\u0663:2-3-1"],
    ["classify", "--arch", "power:\u0663:2-3-1", "--group", "C2/trivial"],
    ["check", str(FIRST), "--tries", "\u0663"],
    ["check", str(FIRST), "--seed", "1_0"],
    ["latent", str(FIRST), "--budget", "\uff15"],  # a fullwidth 5
    ["classify", "--arch", "relu:2-2-2", "--group", "C2", "--budget", "\u0663"],
    ["identify", str(FIRST), "--seconds", "\u0663"],
    ["identify", str(FIRST), "--seconds", "nan"],
])
def test_unicode_digits_are_not_numbers(argv, capsys):
    _bad(argv, capsys)


def test_unicode_digits_in_a_network_file(tmp_path, capsys):
    text = FIRST.read_text().replace('activation = "tanh"', 'activation = "power:\u0663"')
    (tmp_path / "net.toml").write_text(text)
    _bad(["check", str(tmp_path / "net.toml")], capsys, "power:M needs an integer")


# -- documents -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".txt", ""])
def test_only_toml_and_json_files_are_read(suffix, tmp_path, capsys):
    path = tmp_path / f"net{suffix}"
    path.write_text(FIRST.read_text())  # valid TOML: it used to be read as such
    for verb in ("check", "identify", "symmetries"):
        _bad([verb, str(path)], capsys, ".toml and .json")


def test_unknown_top_level_tables_are_refused(tmp_path, capsys):
    path = tmp_path / "net.toml"
    path.write_text(FIRST.read_text() + "\n[grup]\nname = \"C2\"\n")
    for verb in ("check", "latent", "symmetries", "identify"):
        _bad([verb, str(path)], capsys, "unknown top-level key(s) 'grup'")


@pytest.mark.parametrize("claim, message", [
    ('[claim]\nverb = 3\nexpect = "holds"\n', "[claim] needs a string 'verb'"),
    ('[claim]\nverb = "check"\nexpect = "maybe"\n', "expect 'maybe' is not a verdict of check"),
    ('[claim]\nverb = "check"\nexpect = "holds"\nbudgte = 3\n', "unknown key(s) 'budgte'"),
    ('[claim]\nverb = "check"\nexpect = "holds"\nfacts = 3\n', "facts must be a table"),
    ('claim = "check holds"\n', "[claim] must be a table"),
])
def test_a_malformed_claim_is_refused_by_every_verb(claim, message, tmp_path, capsys):
    path = tmp_path / "net.toml"
    head, group = FIRST.read_text().split("[group]")
    path.write_text(claim + "\n" + head + "[group]" + group if claim.startswith("claim =") else
                    FIRST.read_text() + "\n" + claim)
    for verb in ("check", "identify", "latent"):
        _bad([verb, str(path)], capsys, message)


def test_a_float_version_in_a_stored_certificate_is_refused(tmp_path, capsys):
    src = Path(__file__).resolve().parent.parent / "proofs" / "check" / "gelu_c8_linear_bypass.toml"
    inst = tmp_path / "case.toml"
    inst.write_text(src.read_text())
    assert _run(["prove", str(inst), "--write-certificates"], capsys)[0] == 0
    stored = tmp_path / "case.cert.json"
    doc = json.loads(stored.read_text())
    assert doc["version"] == 2
    stored.write_text(json.dumps(doc, indent=2).replace('"version": 2,', '"version": 2.0,'))
    code, out, _ = _run(["prove", str(inst)], capsys)
    assert code != 0 and "is a float" in out


# -- one number grammar ----------------------------------------------------------------------------


def test_roots_of_pi_are_refused_by_the_engine(tmp_path, capsys):
    # the kernel reads roots of c pi^k (docs/reference/schema.md); the engine writes none
    for text in ("sqrt(pi)", "pi**(1/2)", "(1+pi)^(3/2)"):
        with pytest.raises(InputError, match="algebraic base, not one with pi"):
            parse_number(text)
    path = tmp_path / "net.toml"
    path.write_text(FIRST.read_text().replace('["1/2", "1/2", "0"]', '["sqrt(pi)", "sqrt(pi)", "0"]'))
    _bad(["check", str(path), "--certificate", str(tmp_path / "c.json")], capsys, "not one with pi")
    assert not (tmp_path / "c.json").exists()


_ATOMS = ["0", "1", "2", "7", "1/2", "0.5", ".5", "5.", "pi", "sqrt(2)", "sqrt(pi)", "w", "x1", "sqrt(0)",
          "sqrt(-1)", "10000000000", "(1-1)", "2^-1"]
_EXPONENTS = ["2", "3", "-1", "(1/2)", "(3/2)", "(-1/2)", "0", "64", "65", "(1/3)"]


@st.composite
def _texts(draw, depth=0):
    kind = draw(st.integers(0, 5)) if depth < 4 else 0
    if kind == 0:
        return draw(st.sampled_from(_ATOMS))
    if kind == 1:
        return "-" + draw(_texts(depth + 1))
    if kind == 2:
        return "(" + draw(_texts(depth + 1)) + ")"
    if kind == 3:
        return "sqrt(" + draw(_texts(depth + 1)) + ")"
    if kind == 4:
        return draw(_texts(depth + 1)) + draw(st.sampled_from(["**", "^"])) + draw(st.sampled_from(_EXPONENTS))
    return draw(_texts(depth + 1)) + draw(st.sampled_from("+-*/")) + draw(_texts(depth + 1))


@settings(max_examples=150, deadline=None)
@given(_texts())
@example("(1/2**(3/2))**(-1/2)")
@example("sqrt(sqrt(sqrt(1+1/2)))")  # written 2**(1/4)*sqrt(2) with one hint, for 2^(1/4): found by this test
@example("sqrt(sqrt(((2^(1/3))^(1/3))^(1/3)))")  # 2^(1/108): was read, then could not be written back
def test_every_number_the_engine_reads_the_checker_reads_alike(text):
    try:
        value = parse_number(text, symbols="declare")
    except InputError:
        return
    # the kernel's reader, with the number-field hint the engine writes: the engine writes the
    # value as exact_string(value), which the kernel must read (a Reject here is the disagreement
    # of issue 12), to the value of the text itself where the kernel reads that (it needs no hint
    # for sqrt(0), say, which the engine never writes)
    written = exact_string(value)
    doc = {"network": {"symbols": ["w", "x1"]}, "x": [written]}
    try:
        hint = numbers_hint(doc)
    except ValueError:  # a field of degree > MAX_FIELD_DEGREE: the engine refuses such networks at load
        return
    if hint is not None:
        hint.pop("alpha")
        doc["numbers"] = hint
    reader = Reader(doc)
    ours = reader.num(written)
    try:
        theirs = reader.num(text)
    except Reject:
        return
    assert theirs == ours


# -- files left behind -----------------------------------------------------------------------------


def test_counterexample_leaves_no_hypothesis_folder(tmp_path):
    # a fresh process (in this one hypothesis has already cached what it scans), run in an
    # empty folder, on a claim that holds: the search runs hypothesis after the exhaustive part
    import subprocess
    import sys

    code = ("import sys; from symeq.cli import main; "
            "sys.exit(main(['counterexample', '--claim', 'layerwise -> equivariant', '--budget', '120']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3 and "not refuted" in proc.stdout, proc.stderr
    assert sorted(os.listdir(tmp_path)) == []
