"""``symeq prove``: the bundled theorem instances pass, and every kind of deviation is caught and
named: a changed number in an instance, a changed number in a stored certificate, a stated fact
the engine does not derive, a malformed instance file."""

from __future__ import annotations

import json
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symeq import cli
from symeq.certify.verify import verify_certificate
from symeq.proofs.instances import DEFAULT_DIR, compare_facts, instance_paths, prove_instance, stored_path
from symeq.proofs.runners import CERTIFIED_VERDICTS, FACTS, RUNNERS, VERDICTS
from symeq.exact import number_to_string, parse_number

BUNDLED = sorted(DEFAULT_DIR.rglob("*.toml"))
#: Instances whose engine run is slow after an edit (exact fibers with a Groebner basis).
SLOW = {"linear_323_identifiable.toml", "power3_221_identifiable.toml"}
#: Instances stating a generic property (no certificate): a changed number keeps it true.
GENERIC = {"attention_lightning_hmk_one_layer.toml", "attention_deep_two_layers.toml"}
WITH_NETWORK = [p for p in BUNDLED if "network" in tomllib.loads(p.read_text()) and p.name not in SLOW | GENERIC]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _copy(src: Path, dest_dir: Path, with_certificate: bool = True) -> Path:
    dest = dest_dir / src.name
    shutil.copy(src, dest)
    if with_certificate and stored_path(src).exists():
        shutil.copy(stored_path(src), stored_path(dest))
    return dest


def _deviation_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("DEVIATES ")]


# --- the bundled suite -----------------------------------------------------------------------

def test_bundled_suite_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["prove", "--json"], capsys)
    data = json.loads(out)
    assert code == 0, [i["detail"] for i in data["instances"] if not i["ok"]]
    assert data["failed"] == 0 and data["passed"] == len(BUNDLED) >= 24
    for inst in data["instances"]:
        assert inst["description"].strip(), inst["path"]
        # every certificate the engine produces is stored beside the instance, and verified
        if (inst["verb"], inst["verdict"]) in CERTIFIED_VERDICTS:
            assert inst["certificate"] == "verified", inst["path"]
        expected = "verified" if inst["certificate"] == "verified" else "none"
        assert inst["stored_certificate"] == expected, inst["path"]


def test_bundled_suite_covers_the_brief() -> None:
    folders = {p.parent.name for p in BUNDLED}
    assert {"check", "identify", "latent", "counterexample", "classify", "symmetries"} <= folders
    docs = [tomllib.loads(p.read_text()) for p in BUNDLED]
    activations = {d["network"]["activation"].split(":")[0] for d in docs if "activation" in d.get("network", {})}
    normalizations = {d["network"]["normalization"] for d in docs
                      if d.get("network", {}).get("architecture") == "attention"}
    assert normalizations == {"softmax", "lightning"}
    activations |= {d["claim"]["arch"].rsplit(":", 1)[0].split(":")[0] for d in docs if "arch" in d["claim"]}
    assert activations >= {"identity", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "softplus", "swish",
                           "sin", "power", "poly"}
    groups = set()
    for d in docs:
        g = d["claim"].get("group") or (d.get("group") or {}).get("name")
        if isinstance(g, str):
            groups.add(g.split("/")[0])
    assert {"C4", "C8", "D3", "S3", "S2", "sign", "hmirror:2x2", "D4:3x3", "vmirror:2x2", "D4:2x2"} <= groups
    expects = {(d["claim"]["verb"], d["claim"]["expect"]) for d in docs}
    assert {("identify", "identifiable"), ("identify", "weakly identifiable"),
            ("identify", "not identifiable"), ("counterexample", "refuted"),
            ("counterexample", "not refuted"), ("check", "fails")} <= expects
    arches = {(d["claim"].get("claim"), d["claim"].get("arch"), d["claim"].get("group")) for d in docs}
    assert ("layerwise-reparam", "relu:2-4-2", "C8") in arches and ("layerwise-reparam", "relu:2-8-2", "C8") in arches
    kinds = {k for d in docs for ks in d["claim"].get("facts", {}).get("latent_kinds", []) for k in [ks]}
    assert "affine" in kinds  # the linear network's GL latent action


# --- one changed number --------------------------------------------------------------------

def _leaves(x: Any) -> list[tuple[list, int]]:
    """(list, index) of every number in nested lists."""
    out: list[tuple[list, int]] = []
    for k, v in enumerate(x):
        out += _leaves(v) if isinstance(v, list) else [(x, k)]
    return out


def _bump_weight(path: Path, layer: int, row: int, col: int) -> None:
    doc = tomllib.loads(path.read_text())
    if "filters" in doc["network"]:  # a convolution: one filter entry
        leaves = _leaves(doc["network"]["filters"])
        box, k = leaves[(layer * 10_000 + row * 100 + col) % len(leaves)]
        box[k] = number_to_string(parse_number(box[k]) + 1)
    elif doc["network"].get("architecture") == "attention":  # a value entry of some head
        heads = [h for ly in doc["network"]["layers"] for h in ly["heads"]]
        V = heads[row % len(heads)]["value"]
        r, c = col % len(V), layer % len(V[0])
        V[r][c] = number_to_string(parse_number(V[r][c]) + 1)
    else:
        w = doc["network"]["weights"]
        layer %= len(w)
        row %= len(w[layer])
        col %= len(w[layer][row])
        w[layer][row][col] = number_to_string(parse_number(w[layer][row][col]) + 1)
    path.write_text(tomli_w.dumps(doc))


def test_changed_weight_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "check" / "tanh_c4_rotation.toml", tmp_path)
    _copy(DEFAULT_DIR / "check" / "tanh_sign_odd.toml", tmp_path)  # an untouched neighbour
    _bump_weight(inst, 0, 0, 0)
    code, out, _ = _run(["prove", str(tmp_path), "--no-progress"], capsys)
    assert code == 1
    (line,) = _deviation_lines(out)
    assert "tanh_c4_rotation.toml" in line and "verdict fails, expected holds" in line
    assert "different network" in line
    assert "1 passed, 1 failed" in out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(WITH_NETWORK), st.integers(0, 10), st.integers(0, 100), st.integers(0, 100))
def test_any_changed_weight_is_a_deviation(src: Path, layer: int, row: int, col: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        inst = _copy(src, Path(d))
        _bump_weight(inst, layer, row, col)
        o = prove_instance(inst)
        assert not o.ok, (src.name, layer, row, col)
        assert o.deviations


# --- stored certificates -------------------------------------------------------------------

def test_tampered_stored_certificate_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "latent" / "tanh_hmirror_3x3_filters.toml", tmp_path)
    cert_path = stored_path(inst)
    cert = json.loads(cert_path.read_text())
    relation = cert["evidence"]["actions"]["s"][0]["relations"][0]
    relation["a"] = "-1" if relation["a"] == "1" else "1"
    cert_path.write_text(json.dumps(cert))
    code, out, _ = _run(["prove", str(inst), "--no-progress"], capsys)
    assert code == 1
    (line,) = _deviation_lines(out)
    assert "tanh_hmirror_3x3_filters.toml" in line and "stored certificate" in line and "rejected" in line


def test_stored_certificate_with_changed_network_number(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "check" / "sigmoid_mirror3_broken.toml", tmp_path)
    cert_path = stored_path(inst)
    cert = json.loads(cert_path.read_text())
    cert["network"]["biases"][-1][0] = number_to_string(parse_number(cert["network"]["biases"][-1][0]) + 5)
    cert_path.write_text(json.dumps(cert))
    o = prove_instance(inst)
    assert not o.ok and o.verdict == "fails" and o.stored_certificate == "rejected"


def test_certificate_of_another_instance_is_rejected(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "check" / "tanh_c4_rotation.toml", tmp_path, with_certificate=False)
    shutil.copy(stored_path(DEFAULT_DIR / "check" / "tanh_sign_odd.toml"), stored_path(inst))
    o = prove_instance(inst)
    assert not o.ok
    assert any("different network" in d for d in o.deviations)
    assert verify_certificate(json.loads(stored_path(inst).read_text())).ok  # it verifies, for its own network


def test_unreadable_stored_certificate(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "check" / "tanh_sign_odd.toml", tmp_path, with_certificate=False)
    stored_path(inst).write_text("{not json")
    o = prove_instance(inst)
    assert not o.ok and o.deviations[0].startswith("stored certificate tanh_sign_odd.cert.json unreadable")


def test_write_certificates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fresh = _copy(DEFAULT_DIR / "identify" / "tanh_negated_pair_weak.toml", tmp_path, with_certificate=False)
    stale = _copy(DEFAULT_DIR / "identify" / "relu_conjectural.toml", tmp_path, with_certificate=False)
    shutil.copy(stored_path(DEFAULT_DIR / "identify" / "tanh_negated_pair_weak.toml"), stored_path(stale))
    assert not prove_instance(stale).ok  # a certificate where the engine produces none
    code, out, _ = _run(["prove", str(tmp_path), "--write-certificates", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    status = {Path(i["path"]).name: i["stored_certificate"] for i in data["instances"]}
    assert status == {fresh.name: "written", stale.name: "removed"}
    written = json.loads(stored_path(fresh).read_text())
    assert verify_certificate(written).ok and written["claim"]["kind"] == "weakly_identifiable"
    assert "seconds" not in written.get("engine", {})  # stored certificates do not change run to run
    assert not stored_path(stale).exists()
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave nothing behind
    code, out, _ = _run(["prove", str(tmp_path), "--json"], capsys)
    assert code == 0 and {i["stored_certificate"] for i in json.loads(out)["instances"]} == {"verified", "none"}


def test_write_certificates_skips_deviating_instances(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "check" / "tanh_c4_rotation.toml", tmp_path, with_certificate=False)
    _bump_weight(inst, 0, 0, 0)
    o = prove_instance(inst, write=True)
    assert not o.ok and o.verdict == "fails" and not stored_path(inst).exists()


# --- facts ---------------------------------------------------------------------------------

def test_facts_mismatch_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "classify" / "relu_c8_width4.toml", tmp_path)
    doc = tomllib.loads(inst.read_text())
    doc["claim"]["facts"]["smallest_nondegenerate_width"] = 4
    inst.write_text(tomli_w.dumps(doc))
    code, out, _ = _run(["prove", str(inst), "--no-progress"], capsys)
    assert code == 1
    (line,) = _deviation_lines(out)
    assert "relu_c8_width4.toml" in line
    assert "fact smallest_nondegenerate_width: stated 4, derived 8" in line


def test_latent_facts_compared_exactly(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "latent" / "tanh_hmirror_3x3_filters.toml", tmp_path)
    doc = tomllib.loads(inst.read_text())
    types = doc["claim"]["facts"]["orbit_types"][0]
    assert types == {"fixed": 1, "self-negated": 1, "moved as copies": 1, "moved as negated copies": 1}
    types["fixed"], types["self-negated"] = 2, 0
    inst.write_text(tomli_w.dumps(doc))
    o = prove_instance(inst)
    assert [d for d in o.deviations if d.startswith("fact ")] == [
        'fact orbit_types: stated [{"fixed": 2, "moved as copies": 1, "moved as negated copies": 1, '
        '"self-negated": 0}], derived [{"fixed": 1, "moved as copies": 1, "moved as negated copies": 1, '
        '"self-negated": 1}]']


def test_compare_facts_is_type_exact() -> None:
    assert compare_facts({"n": 8}, {"n": 8}) == []
    assert compare_facts({"n": 8.0}, {"n": 8}) == ["fact n: stated 8.0, derived 8"]
    assert compare_facts({"u": 1}, {"u": True}) == ["fact u: stated 1, derived true"]
    assert compare_facts({"x": [1, [2]]}, {"x": [1, [2]]}) == []


def test_unknown_fact_is_a_bad_instance(tmp_path: Path) -> None:
    inst = _copy(DEFAULT_DIR / "classify" / "tanh_c4_signed_types.toml", tmp_path)
    doc = tomllib.loads(inst.read_text())
    doc["claim"]["facts"]["smallest_width"] = 2
    inst.write_text(tomli_w.dumps(doc))
    o = prove_instance(inst)
    assert o.verdict == "bad input"
    assert o.deviations[0].startswith("bad instance: [claim] facts: unknown fact 'smallest_width' for classify")


def test_every_verb_lists_its_facts_and_verdicts() -> None:
    assert set(FACTS) == set(VERDICTS) == set(RUNNERS)
    for verb, expect in CERTIFIED_VERDICTS:
        assert expect in VERDICTS[verb]


# --- malformed instances -------------------------------------------------------------------

NET = '[network]\nactivation = "tanh"\nweights = [[["1"]], [["1"]]]\nbiases = [["0"], ["0"]]\n'
MALFORMED = {
    "not_toml": ("[claim\nverb = ", "malformed TOML"),
    "no_claim": (NET, "no [claim] table"),
    "unknown_verb": (NET + '[claim]\nverb = "prove"\nexpect = "holds"\n', "unknown claim verb 'prove'"),
    "bad_expect": (NET + '[group]\nname = "sign"\n[claim]\nverb = "check"\nexpect = "true"\n',
                   "expect 'true' is not a verdict of check"),
    "unknown_key": (NET + '[claim]\nverb = "check"\nexpect = "holds"\narch = "tanh:1-1-1"\n',
                    "unknown key(s) 'arch' for verb check"),
    "no_network": ('[claim]\nverb = "check"\nexpect = "holds"\ngroup = "sign"\n', "no [network] table"),
    "no_group": (NET + '[claim]\nverb = "check"\nexpect = "holds"\n', "no [group] table"),
    "unsafe_number": (NET.replace('[["1"]], [["1"]]', '[["__import__(\'os\')"]], [["1"]]')
                      + '[claim]\nverb = "identify"\nexpect = "identifiable"\n', "bad instance"),
    "wrong_shape": (NET.replace('[["1"]], [["1"]]', '[["1", "2"]], [["1"]]')
                    + '[group]\nname = "sign"\n[claim]\nverb = "latent"\nexpect = "holds"\n', "bad instance"),
    "bad_arch": ('[claim]\nverb = "classify"\nexpect = "complete"\narch = "relu:2"\ngroup = "C4"\n',
                 "architecture 'relu:2'"),
    "bad_claim_name": ('[claim]\nverb = "counterexample"\nexpect = "refuted"\nclaim = "((("\n', "bad instance"),
    "facts_not_table": (NET + '[group]\nname = "sign"\n[claim]\nverb = "check"\nexpect = "holds"\nfacts = 3\n',
                        "facts must be a table"),
}


def test_malformed_instances_are_named_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name, (text, _) in MALFORMED.items():
        (tmp_path / f"{name}.toml").write_text(text)
    code, out, err = _run(["prove", str(tmp_path), "--no-progress"], capsys)
    assert code == 1 and "Traceback" not in out + err
    lines = _deviation_lines(out)
    assert len(lines) == len(MALFORMED)
    for name, (_, reason) in MALFORMED.items():
        (line,) = [ln for ln in lines if f"{name}.toml:" in ln]
        assert reason in line, (name, line)
    assert f"0 passed, {len(MALFORMED)} failed" in out


def test_missing_path_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(["prove", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such file or folder" in err
    code, _, err = _run(["prove", str(tmp_path)], capsys)
    assert code == 2 and "no *.toml instances" in err


# --- output ------------------------------------------------------------------------------

def test_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["prove", str(DEFAULT_DIR / "check" / "tanh_sign_odd.toml"),
                         str(DEFAULT_DIR / "check" / "tanh_sign_odd_broken.toml"), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and set(data) == {"instances", "passed", "failed", "seconds"}
    assert (data["passed"], data["failed"]) == (2, 0)
    first = data["instances"][0]
    assert set(first) == {"path", "verb", "expect", "verdict", "ok", "seconds", "method", "detail", "deviations",
                          "facts", "stored_certificate", "certificate", "description"}
    assert (first["verb"], first["expect"], first["verdict"], first["ok"]) == ("check", "holds", "holds", True)
    assert first["facts"]["method"] == "layerwise" and first["facts"]["witness_generator"] == "none"
    assert data["instances"][1]["facts"]["witness_generator"] == "m"


def test_table_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["prove", str(DEFAULT_DIR / "counterexample" / "tanh_unique_latent.toml")], capsys)
    assert code == 0
    for col in ("instance", "claim", "verdict", "seconds", "result"):
        assert col in out
    assert "counterexample: refuted" in out and out.rstrip().splitlines()[-1].startswith("1 passed, 0 failed")


def test_list_facts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["prove", "--list-facts", "--json"], capsys)
    assert code == 0 and json.loads(out) == FACTS


def test_instance_paths_deduplicates(tmp_path: Path) -> None:
    a = _copy(DEFAULT_DIR / "check" / "tanh_sign_odd.toml", tmp_path)
    assert instance_paths([str(tmp_path), str(a)]) == [a]
