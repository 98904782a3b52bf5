"""``symeq latent`` and ``symeq explain`` on the command line: exit codes, JSON, certificates
that ``symeq verify`` accepts (and rejects once tampered), bad input, LaTeX that compiles."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from symeq.cli import main

DUP = """
[network]
activation = "tanh"
widths = [2, 3, 1]
weights = [ [["1","0"],["1","0"],["0","1"]], [["1","2","3"]] ]
biases = [ ["0","0","0"], ["0"] ]
[group]
name = "S2"
output = "trivial"
"""

LINEAR = """
[network]
activation = "identity"
widths = [2, 2, 2]
weights = [ [["1","2"],["0","1"]], [["1","-2"],["0","1"]] ]
biases = [ ["1","0"], ["-1","0"] ]
[group]
name = "C4"
"""

NOT_EQUIVARIANT = """
[network]
activation = "tanh"
widths = [2, 2, 1]
weights = [ [["1","2"],["2","-1"]], [["1","1"]] ]
biases = [ ["0","0"], ["0"] ]
[group]
name = "S2"
output = "trivial"
"""

SIGMOID = """
[network]
activation = "sigmoid"
widths = [3, 3, 1]
weights = [ [["1","0","-1"],["1","2","3"],["3","2","1"]], [["2","1","-1"]] ]
biases = [ ["0","0","0"], ["-1"] ]
[group.generators.s]
input = [["0","0","1"],["0","1","0"],["1","0","0"]]
output = [["-1"]]
"""

RELU_C8 = """
[network]
activation = "relu"
widths = [2, 4, 2]
weights = [ [["1","0"],["0","1"],["-1","0"],["0","-1"]], [["1","0","-1","0"],["0","1","0","-1"]] ]
biases = [ ["0","0","0","0"], ["0","0"] ]
[group]
name = "C8"
"""


def _file(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("text, code, kind", [
    (DUP, 0, "latent_actions"), (LINEAR, 0, "latent_actions"), (SIGMOID, 0, "latent_actions"),
    (NOT_EQUIVARIANT, 1, "not_equivariant"),
])
def test_latent_certificates_verify_and_tampering_is_caught(tmp_path: Path, capsys, text: str,
                                                             code: int, kind: str) -> None:
    src = _file(tmp_path, "net.toml", text)
    cert = str(tmp_path / "cert.json")
    assert main(["latent", src, "--json", "--certificate", cert]) == code
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == ("holds" if code == 0 else "fails") and out["certificate"] == cert
    doc = json.loads(Path(cert).read_text())
    assert doc["claim"]["kind"] == kind
    assert main(["verify", cert]) == 0
    capsys.readouterr()
    # change one number: the certificate must no longer verify
    if kind == "latent_actions":
        doc["network"]["weights"][0][0][0] = "7/3"
    else:
        doc["evidence"]["difference_lower_bound"] = "100"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["verify", str(bad)]) != 0


def test_latent_text_report(tmp_path: Path, capsys) -> None:
    assert main(["latent", _file(tmp_path, "dup.toml", DUP)]) == 0
    out = capsys.readouterr().out
    assert "verdict: holds" in out and "parameter used: beta(theta~)" in out
    assert "rho_1(t): perm (0 2)" in out
    assert "orbit [0, 2]: moved as copies" in out
    assert "decomposition: 2 X.1 (degree 1) + 1 X.2 (degree 1)" in out


def test_latent_json_linear(tmp_path: Path, capsys) -> None:
    assert main(["latent", _file(tmp_path, "lin.toml", LINEAR), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["where"] == "theta" and out["uniqueness"]["unique"] is True
    # W_1 r W_1^{-1} for W_1 = [[1, 2], [0, 1]] and r the rotation by 90 degrees
    assert out["actions"]["r"][0]["matrix"] == [["2", "-5"], ["1", "-2"]]
    assert (out["homomorphism"], out["group_order"], out["crossed"]) == (True, 4, False)


def test_no_action_equivariant_points_to_counterexample(tmp_path: Path, capsys) -> None:
    cert = tmp_path / "c.json"
    assert main(["latent", _file(tmp_path, "relu.toml", RELU_C8), "--certificate", str(cert)]) == 3
    out = capsys.readouterr().out
    assert "verdict: unknown" in out and "symeq counterexample" in out
    assert not cert.exists()


def test_bad_input_exits_2_without_output(tmp_path: Path, capsys) -> None:
    bad = _file(tmp_path, "bad.toml", DUP.replace('"1","2","3"', '"1","2","x+"'))
    cert = tmp_path / "c.json"
    assert main(["latent", bad, "--certificate", str(cert)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symeq latent: error:") and "Traceback" not in err
    assert not cert.exists()
    assert main(["latent", _file(tmp_path, "ok.toml", DUP), "--budget", "0"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["explain", _file(tmp_path, "ok2.toml", DUP), "--format", "html"])
    assert exc.value.code == 2


@pytest.mark.parametrize("text", [DUP, LINEAR, SIGMOID, NOT_EQUIVARIANT])
def test_explain_markdown_and_latex(tmp_path: Path, capsys, text: str) -> None:
    src = _file(tmp_path, "net.toml", text)
    main(["explain", src])
    md = capsys.readouterr().out
    for heading in ("## 1. The network and the group", "## 3. The adjunction step",
                    "## 4. The matching, layer by layer", "## 6. What each hidden layer carries"):
        assert heading in md
    tex_path = tmp_path / "out.tex"
    main(["explain", src, "--format", "latex", "--out", str(tex_path)])
    tex = tex_path.read_text()
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    # displayed equations are math: rho_0(g) as \rho_0(g), inverses as ^{-1}, words as \text
    assert "\\[ \\rho_0(" in tex and "\\[ rho" not in tex and "^-1" not in tex
    if shutil.which("pdflatex") is None:
        return  # compiling is checked where LaTeX is installed; tests must not need it
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "out.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
