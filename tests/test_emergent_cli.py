"""``symeq emergent``: every printed line says approximate, never verified; --json, --round (which
the exact check and latent then prove), --plot; bad input ends in one line and exit 2; and the
short version of the reproduction in examples/emergence runs."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from symeq.cli import main
from symeq.emergent import FloatMLP, save_npz

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def model(tmp_path) -> Path:
    """A tanh network, 4x4 images -> 3 logits, layerwise invariant under the horizontal mirror
    (mirrored filter pairs and a self-mirrored one), plus a little noise."""
    rng = np.random.default_rng(0)
    flip = np.arange(16).reshape(4, 4)[:, ::-1].reshape(-1)
    a, c = rng.standard_normal(16), rng.standard_normal(16)
    c = c + c[flip]                                  # self-mirrored filter
    W1 = np.stack([a, a[flip], c]) * 0.5
    W2 = np.array([[1.0, 1.0, 0.5], [-1.0, -1.0, 2.0], [0.3, 0.3, 0.0]])
    net = FloatMLP("tanh", (W1 + 1e-3 * rng.standard_normal(W1.shape), W2), (np.array([0.1, 0.1, -0.2]), np.zeros(3)))
    path = tmp_path / "m.npz"
    save_npz(net, path)
    return path


def run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own errors (option types)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_every_line_approximate(model, tmp_path, capsys):
    out_toml, plot = tmp_path / "sym.toml", tmp_path / "fig.png"
    code, out, err = run(["emergent", model, "--group", "hmirror:4x4/trivial", "--samples", "500",
                          "--round", out_toml, "--plot", plot], capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) >= 8
    assert all(line.startswith("approximate") for line in lines)
    assert "verified" not in out.lower()
    assert "s, layer 1: k = perm (0 1)" in out
    assert out_toml.exists() and plot.read_bytes()[:4] == b"\x89PNG"
    # the exact engine proves the rounded network
    assert run(["check", out_toml], capsys)[0] == 0
    code, out, _ = run(["latent", out_toml, "--no-structure"], capsys)
    assert code == 0 and "verdict: holds" in out


def test_json(model, capsys):
    code, out, _ = run(["emergent", model, "--group", "hmirror:4x4/trivial", "--samples", "300", "--json",
                        "--matrices"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["mode"] == "approximate" and doc["rounded"] is None
    first = doc["layers"][0]
    assert first["action"]["perm"] == [1, 0, 2] and first["action"]["scale"] == [1.0, 1.0, 1.0]
    assert first["error"]["K_composite"] < 0.01
    assert np.array(first["A"]).shape == (3, 3)
    assert doc["layers"][1]["action"] == "rho_L (given)"


def test_inputs_from_a_sample(model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.random.default_rng(0).uniform(-1, 1, (50, 16)))
    code, out, _ = run(["emergent", model, "--group", "hmirror:4x4/trivial", "--samples", "100",
                        "--inputs", tmp_path / "x.npy"], capsys)
    assert code == 0 and "rows of the given input sample" in out


@pytest.mark.parametrize("args, message", [
    (["--group", "hmirror:3x3"], "acts on R^9"),
    (["--group", "nosuch"], "unknown group"),
    (["--group", "hmirror:4x4/trivial", "--samples", "0"], "--samples must be"),
    (["--group", "hmirror:4x4/trivial", "--round", "out.txt"], "must end in .toml"),
    (["--group", "hmirror:4x4/trivial", "--plot", "fig.gif"], "must end in .png"),
    (["--group", "hmirror:4x4/trivial", "--scale", "0"], "--scale must be"),
    (["--group", "hmirror:4x4/trivial", "--scale", "-1"], "argument --scale: invalid number '-1'"),
    (["--group", "hmirror:4x4/trivial", "--inputs", "/no/such.npy"], "not a readable .npy"),
    (["--group", "hmirror:4x4/trivial", "--digits", "40"], "--digits must be"),
])
def test_bad_input_one_line_exit_2(model, capsys, args, message):
    code, out, err = run(["emergent", model, *args], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_bad_model_file(tmp_path, capsys):
    (tmp_path / "m.npz").write_bytes(b"garbage")
    code, _, err = run(["emergent", tmp_path / "m.npz", "--group", "C4"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a readable .npz" in err


def test_reproduction_quick(capsys, monkeypatch):
    """The CI version of examples/emergence: trains, measures, rounds, and the exact check holds."""
    pytest.importorskip("sklearn")
    script = ROOT / "examples" / "emergence" / "reproduce.py"
    monkeypatch.setattr(sys, "argv", [str(script), "--quick"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert exc.value.code == 0, out
    assert "| autoencoder | f_1 | left-right |" in out and "| classifier | f_1 | up-down (control) |" in out
    assert "exact: symeq check on the rounded network" in out and "holds, method layerwise" in out


def test_dead_network_gives_null_errors_not_nan(tmp_path, capsys):
    """A relu network whose hidden layer is dead for every input: f(y) = 0 everywhere on
    layer 1, so its medians are over no sample; --json stays valid JSON (null)."""
    net = FloatMLP("relu", (np.zeros((2, 4)), np.ones((1, 2))), (np.full(2, -1.0), np.zeros(1)))
    save_npz(net, tmp_path / "dead.npz")
    code, out, _ = run(["emergent", tmp_path / "dead.npz", "--group", "C4:shift/trivial", "--samples", "50",
                        "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["layers"][0]["error"]["K_composite"] is None
    assert doc["layers"][0]["zero_outputs_left_out"] == 50
    code, out, _ = run(["emergent", tmp_path / "dead.npz", "--group", "C4:shift/trivial", "--samples", "50"], capsys)
    assert code == 0 and "up to 50 samples with f(y) = 0 were left out" in out
