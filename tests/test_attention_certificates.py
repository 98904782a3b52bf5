"""Attention certificates verify in the kernel (symeq/kernel/attention.py), and tampered ones are
rejected: a weight, a head map's block or permutation, a reduction step, a witness, the group."""

from __future__ import annotations

import copy
import json
import random

import pytest

from attention_strategies import group_of
from symeq.architectures import network_from_dict
from symeq.architectures.attention import check, group_from_dict, latent
from symeq.certify.verify import verify_certificate
from symeq.cli import main
from symeq.files import load_document
from test_attention_ong import ong_network


def certificate_of(path: str, verb=check):
    doc = load_document(path)
    net = network_from_dict(doc["network"])
    r = verb(net, group_from_dict(doc["group"], net))
    return json.loads(json.dumps(r.certificate()))


def tampered(cert, path, value):
    out = copy.deepcopy(cert)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value(target[path[-1]]) if callable(value) else value
    return out


@pytest.mark.parametrize("name", ["attention_design", "attention_patches"])
def test_check_and_latent_certificates_verify(name):
    for verb in (check, latent):
        cert = certificate_of(f"docs/examples/{name}.toml", verb)
        v = verify_certificate(cert)
        assert v.ok, v.reason
        assert v.relies == ("kernel",)


def test_tampered_layerwise_certificates_are_rejected():
    cert = certificate_of("docs/examples/attention_patches.toml")
    g = next(iter(cert["evidence"]["actions"]))
    cases = [
        (("evidence", "actions", g, 0, "blocks", 0, 0, 1), "2"),              # A_0 changed
        (("evidence", "actions", g, 0, "perm"), [0, 1]),                      # no swap
        (("network", "layers", 0, "heads", 1, "key", 0, 0), "5"),            # a key weight
        (("network", "readout", "bias", 0), "7"),                            # the bias
        (("group", "generators", "s", "input"),                              # the feature action
         [["1", "0", "0", "0"], ["0", "1", "0", "0"], ["0", "0", "1", "0"], ["0", "0", "0", "1"]]),
    ]
    for path, value in cases:
        v = verify_certificate(tampered(cert, path, value))
        assert not v.ok, path
    # without a positional encoding every network commutes with token permutations: changing only
    # the token part of the group keeps the claim true, and the kernel accepts it
    assert verify_certificate(tampered(cert, ("group", "generators", "s", "tokens"), [0, 1])).ok


def test_latent_certificate_tampering_breaks_the_homomorphism_or_a_layer():
    cert = certificate_of("docs/examples/attention_patches.toml", latent)
    v = verify_certificate(tampered(cert, ("evidence", "order"), 4))
    assert not v.ok


def test_witness_certificates_verify_and_a_false_bound_is_rejected():
    cert = certificate_of("docs/examples/attention_patches_broken.toml")
    assert cert["claim"]["kind"] == "not_equivariant"
    v = verify_certificate(cert)
    assert v.ok and any("ball arithmetic" in r for r in v.relies)
    assert not verify_certificate(tampered(cert, ("evidence", "difference_lower_bound"), "1000")).ok
    assert not verify_certificate(tampered(cert, ("evidence", "x"), lambda x: ["0"] * len(x))).ok


def test_reduction_certificates_replay_their_steps():
    rng = random.Random(1)
    group = group_of("mirror", 3, 2)
    net = network_from_dict(ong_network(rng, group, split=True, cancel=True))
    r = check(net, group_from_dict(group.table(), net))
    assert r.method == "reduction+layerwise"
    cert = json.loads(json.dumps(r.certificate()))
    assert verify_certificate(cert).ok
    steps = cert["evidence"]["steps"]
    assert not verify_certificate(tampered(cert, ("evidence", "steps"), steps[1:])).ok
    narrow = next(k for k, s in enumerate(steps) if s["op"] == "narrow")
    assert not verify_certificate(tampered(cert, ("evidence", "steps", narrow, "output", 0, 0),
                                           lambda x: str(int(x.split("/")[0]) + 1) + ("/" + x.split("/")[1] if "/" in x else ""))).ok


def test_lightning_polynomial_identity_certificate():
    net = network_from_dict({"architecture": "attention", "normalization": "lightning", "tokens": 3,
                             "widths": [2, 1], "layers": [{"heads": [
                                 {"query": [["1"], ["1"]], "key": [["1"], ["0"]], "value": [["0"], ["1"]]}]}],
                             "readout": {"output": [["1"]], "bias": ["0"]}})
    G = group_from_dict({"generators": {"f": {"input": [["0", "1"], ["1", "0"]], "output": "fixed"}}}, net)
    cert = json.loads(json.dumps(check(net, G).certificate()))
    assert cert["evidence"]["method"] == "polynomial_identity" and verify_certificate(cert).ok
    assert not verify_certificate(tampered(cert, ("network", "layers", 0, "heads", 0, "key"), [["1"], ["1"]])).ok


def test_cli_writes_certificates_that_verify(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["check", "docs/examples/attention_patches.toml", "--certificate", str(out)]) == 0
    assert main(["latent", "docs/examples/attention_design.toml", "--certificate", str(tmp_path / "l.json")]) == 0
    assert main(["verify", str(out)]) == 0 and main(["verify", str(tmp_path / "l.json")]) == 0
    cert = json.loads(out.read_text())
    cert["network"]["layers"][0]["heads"][0]["value"][0][0] = "9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cert))
    assert main(["verify", str(bad)]) == 1
    capsys.readouterr()


@pytest.mark.parametrize("norm, relies", [("softmax", ("kernel", "ball arithmetic of softmax attention (python-flint arb)")),
                                          ("lightning", ("kernel",))])
def test_broken_design_example_is_refuted_with_a_witness_that_verifies(norm, relies):
    """The DESIGN.md example with one value entry of head 1 changed (3, 2 for 3, 1): no head
    matches, and the witness (balls for softmax, exact for lightning) verifies in the kernel."""
    doc = load_document("docs/examples/attention_design.toml")
    doc["network"]["normalization"] = norm
    doc["network"]["layers"][0]["heads"][1]["value"] = [["3"], ["2"]]
    net = network_from_dict(doc["network"])
    r = check(net, group_from_dict(doc["group"], net))
    assert r.verdict == "fails" and r.method == "witness"
    v = verify_certificate(json.loads(json.dumps(r.certificate())))
    assert v.ok and v.relies == relies, (v.reason, v.relies)
