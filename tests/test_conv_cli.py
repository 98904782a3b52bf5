"""Every verb accepts convolutional networks on the command line: exit codes, --json, and one
clear line on stderr for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symeq.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("verb, name, code", [
    ("check", "conv_z6.toml", 0), ("check", "conv_z6_broken.toml", 1), ("latent", "conv_c4.toml", 0),
    ("latent", "conv_z6_broken.toml", 1), ("identify", "conv_signs.toml", 0), ("symmetries", "conv_z6.toml", 0),
    ("explain", "conv_z6.toml", 0),
])
def test_verbs_exit_with_their_verdict(capsys, verb: str, name: str, code: int) -> None:
    got, out, err = run(capsys, verb, str(EXAMPLES / name))
    assert got == code, out + err
    assert err == ""


def test_json_and_catalog_groups(capsys) -> None:
    code, out, _ = run(capsys, "latent", str(EXAMPLES / "conv_z6.toml"), "--json")
    d = json.loads(out)
    assert code == 0 and d["crossed"] and d["actions_described"] == {"m": ["channel 0 shifted by 5"]}
    code, out, _ = run(capsys, "check", str(EXAMPLES / "conv_z6.toml"), "--group", "reflection", "--json")
    assert code == 0 and json.loads(out)["method"] == "layerwise"
    # circular convolutions commute with translations: the structural action alone, k = id
    code, out, _ = run(capsys, "check", str(EXAMPLES / "conv_z6.toml"), "--group", "shift")
    assert code == 0 and "  k_1(t): identity" in out


def test_draw_writes_the_figure(capsys, tmp_path) -> None:
    out_file = tmp_path / "z6.svg"
    code, out, _ = run(capsys, "draw", str(EXAMPLES / "conv_signs.toml"), "--out", str(out_file))
    assert code == 0 and out_file.stat().st_size > 1000
    assert "layer 1: channel 2 -> 3" in out and "layer 1: channel 1 -> 1 negated" in out


@pytest.mark.parametrize("args, message", [
    (("check", "{z6}", "--group", "C4"), "catalog group 'C4' needs a square 2-D grid; this network's grid is Z_6"),
    (("check", "{z6}", "--group", "lattice"), "unknown convolutional catalog group 'lattice'"),
    (("draw", "{z6}", "--out", "x.svg", "--image-shape", "2x3"), "--theorem-parameter and --image-shape are for MLPs"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args: tuple, message: str) -> None:
    args = tuple(a.format(z6=EXAMPLES / "conv_z6.toml") for a in args)
    code, out, err = run(capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_bad_files(capsys, tmp_path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('[network]\narchitecture = "conv"\nactivation = "tanh"\ngrid = [6]\nchannels = [1, 1]\n'
                 'filters = [[["1", "2"]]]\nbiases = [["0"]]\n[group.generators.m]\ngrid = { matrix = [["2"]] }\n')
    code, _, err = run(capsys, "check", str(f))
    assert code == 2 and "filters[0][0] must list 1 input channel(s)" in err
    f.write_text('[network]\narchitecture = "conv"\nactivation = "tanh"\ngrid = [6]\nchannels = [1, 1]\n'
                 'filters = [[[["1", "2", "0", "0", "0", "0"]]]]\nbiases = [["0"]]\n'
                 '[group.generators.m]\ngrid = { matrix = [["2"]] }\n')
    code, _, err = run(capsys, "check", str(f))
    assert code == 2 and "generator m: the grid map p -> A p + t with A = [[2]] is not a bijection of Z_6" in err



def test_certificates_are_written_and_verified(capsys, tmp_path) -> None:
    for verb, name in (("check", "conv_z6.toml"), ("latent", "conv_c4.toml"), ("identify", "conv_signs.toml"),
                       ("check", "conv_z6_broken.toml")):
        cert = tmp_path / f"{verb}-{name}.json"
        code, out, _ = run(capsys, verb, str(EXAMPLES / name), "--certificate", str(cert))
        assert f"certificate: written to {cert}" in out or f"certificate: {cert}" in out, out
        code, out, _ = run(capsys, "verify", str(cert))
        assert code == 0 and out.rstrip().endswith("verified"), out
