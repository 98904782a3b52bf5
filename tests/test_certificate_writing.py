"""Commands write a certificate only after the independent checker has accepted it."""

from __future__ import annotations

from pathlib import Path

import pytest

import symeq.certify.build as build
import symeq.certify.build_latent as build_latent
from symeq.cli import main

FIRST = Path(__file__).resolve().parents[1] / "docs" / "examples" / "first.toml"


def _tamper(cert: dict) -> dict:
    cert["network"]["weights"][0][0][0] = "7"  # the evidence no longer fits the network
    return cert


def test_check_writes_a_certificate_that_verifies(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    assert main(["check", str(FIRST), "--certificate", str(out)]) == 0
    assert main(["verify", str(out)]) == 0


@pytest.mark.parametrize("verb, module, name", [("check", build, "check_certificate"),
                                                ("latent", build_latent, "latent_certificate")])
def test_a_certificate_the_checker_rejects_is_not_written(verb, module, name, tmp_path: Path,
                                                          monkeypatch, capsys) -> None:
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: _tamper(original(*a, **k)))
    out = tmp_path / "c.json"
    assert main([verb, str(FIRST), "--certificate", str(out)]) == 4
    assert not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error: the certificate does not verify" in err[0]
