"""Classification certificates for power:M activations (lemma L3 of symeq/kernel/mlp_refute.py):
the power:2 refutation of layerwise-reparam under C8 verifies, tampered versions are rejected
for their reasons, the kind is read from M's parity, and the checker's own count of
homomorphism classes for the signed_lift kind equals the engine's signed G-set count."""

from __future__ import annotations

import copy

import pytest
import sympy
from sympy import ImmutableMatrix, Rational

from symeq.activations import activation
from symeq.certify.build import group_table
from symeq.certify.reader import Reader
from symeq.certify.second_tier import hom_class_table
from symeq.certify.verify import verify_certificate
from symeq.kernel.groups import closure, complete_cyclic_classes
from symeq.classification.classify import classify
from symeq.cli import main
from symeq.counterexamples.constructions import non_constant_witness
from symeq.counterexamples.outcome import counterexample_certificate
from symeq.counterexamples.reparam import _type_table, refute_layerwise_reparam
from symeq.architectures.mlp.equivariance import check_equivariance
from symeq.groups import catalog_group
from symeq.groups.gsets import count_signed_gsets
from symeq.groups.permutation import finite_group
from symeq.architectures.mlp.model import MLP


@pytest.fixture(scope="module")
def c8():
    return catalog_group("C8", 2, 2)


@pytest.fixture(scope="module")
def p2(c8):
    return refute_layerwise_reparam("power:2", (2, 4, 2), c8)


def rehint(cert):
    from symeq.certify.hints import with_hints

    return with_hints(cert)


def _reject(cert, fragment):
    v = verify_certificate(cert)
    assert not v.ok
    assert fragment in v.reason, v.reason


def test_power2_c8_width4_certificate_verifies(p2):
    assert p2.verdict == "refuted" and p2.certificate() is not None
    net = p2.network
    assert net.weights[0] == ImmutableMatrix([[1, 0], [0, 1], [1, 0], [0, 1]])
    assert list(net.biases[0]) == [1, 1, -1, -1]
    for x in ([3, -1], [Rational(1, 2), 7]):  # the bias pairs carry the identity
        assert net.value(ImmutableMatrix(x)).applyfunc(sympy.expand) == ImmutableMatrix(x)
    ev = p2.certificate()["evidence"]
    assert ev["latent_kind"] == "signed_lift"
    assert len(ev["types"][0]) == count_signed_gsets(finite_group(catalog_group("C8", 2, 2)), 4) == 16
    assert {a["zero_layer"] for a in ev["assignments"]} == {1, 2}
    v = verify_certificate(p2.certificate())
    assert v.ok, v.reason
    assert any("signed_lift (lemma L3: M = 2 is even)" in s for s in v.steps)
    assert any("the 16 types are every conjugacy class of homomorphisms G -> B_4 (cycle types" in s for s in v.steps)


def test_power2_tampered_certificates_rejected(p2):
    cert = p2.certificate()
    ev = cert["evidence"]
    bad = copy.deepcopy(cert)  # a missing type: the list no longer covers every class
    bad["evidence"]["types"][0].pop()
    last = len(ev["types"][0]) - 1
    bad["evidence"]["assignments"] = [a for a in bad["evidence"]["assignments"] if a["types"] != [last]]
    _reject(bad, "the types are not one per conjugacy class of homomorphisms C_8 -> B_4")
    bad = copy.deepcopy(cert)  # the tanh kind (signs kept on the layer) is not the kind of power:2
    bad["evidence"]["latent_kind"] = "signed_permutation"
    _reject(bad, "the latent types of power:2 layers are signed_lift types, not 'signed_permutation' "
                 "(lemma L3: M = 2 is even)")
    bad = copy.deepcopy(cert)  # W_1 is not forced to zero when r^4 flips a pre-activation sign
    k = next(j for j, a in enumerate(ev["assignments"]) if a["zero_layer"] == 2)
    bad["evidence"]["assignments"][k]["zero_layer"] = 1
    _reject(bad, f"assignment {ev['assignments'][k]['types']}: the stated rows are no nonzero maximal minor: W_1 = 0")
    bad = copy.deepcopy(cert)  # power:3 written over power:2: the kind is read from M, not trusted
    bad["network"]["activation"] = "power:3"
    _reject(bad, "the latent types of power:3 layers are signed_permutation types, not 'signed_lift' "
                 "(lemma L3: M = 3 is odd)")


def _cubic_network() -> MLP:
    """f(x) = |x|^2 x (C8-equivariant, in fact O(2)) as four cubes of the directions
    e_1, e_2, e_1 + e_2, e_1 - e_2."""
    W1 = ImmutableMatrix([[1, 0], [0, 1], [1, 1], [1, -1]])
    W2 = ImmutableMatrix([[Rational(2, 3), 0, Rational(1, 6), Rational(1, 6)],
                          [0, Rational(2, 3), Rational(1, 6), Rational(-1, 6)]])
    return MLP(activation("power:3"), (W1, W2), (ImmutableMatrix.zeros(4, 1), ImmutableMatrix.zeros(2, 1)))


def test_power3_forged_certificate_rejected(c8):
    """power:3 (M odd, signs act on the layer): the C8-set G/<r^4> with the sign character admits
    layerwise-equivariant parameters with no zero layer, so a certificate that claims one for every
    assignment must fail, however equivariant and non-constant its network is."""
    out = refute_layerwise_reparam("power:3", (2, 4, 2), c8)
    assert out.verdict == "not refuted" and out.certificate() is None
    net = _cubic_network()
    x = ImmutableMatrix([2, -3])
    assert net.value(x).applyfunc(sympy.expand) == ImmutableMatrix([26, -39])  # |x|^2 x
    result = check_equivariance(net, c8)
    assert result.verdict == "holds"
    C = classify("power:3", (2, 4, 2), c8, smallest=False)
    free = [list(a.types) for a in C.assignments if a.zero_layer is None]
    assert len(free) == 1
    evidence = {"method": "classification", "equivariance": result.evidence(),
                "non_constant": non_constant_witness(net), "latent_kind": "signed_permutation",
                "types": _type_table(C),
                "assignments": [{"types": list(a.types), "zero_layer": a.zero_layer or 1} for a in C.assignments]}
    cert = counterexample_certificate(net, c8, "layerwise-reparam", evidence)
    _reject(cert, f"assignment {free[0]}: the stated rows are no nonzero maximal minor: W_1 = 0 not shown")
    for a in cert["evidence"]["assignments"]:
        if a["types"] == free[0]:
            a["zero_layer"] = 2
    _reject(rehint(cert), f"assignment {free[0]}: the stated rows are no nonzero maximal minor: W_2 = 0 not shown")
    bad = copy.deepcopy(cert)  # power:3 stated with the kind of power:2
    bad["evidence"]["latent_kind"] = "signed_lift"
    _reject(bad, "the latent types of power:3 layers are signed_permutation types, not 'signed_lift' "
                 "(lemma L3: M = 3 is odd)")


@pytest.mark.parametrize("name", ["C4", "C8"])
def test_signed_lift_class_count_equals_signed_gsets(name):
    G = catalog_group(name, 2, 2)
    from symeq.certify.hints import numbers_hint

    doc = {"group": group_table(G)}
    nums = numbers_hint(doc)
    if nums:
        nums.pop("alpha")
        doc["numbers"] = nums
    n, right = closure(Reader(doc).group(doc["group"], 2, 2))
    assert n == len(G.elements())
    F = finite_group(G)
    for d in (2, 3, 4):
        classes = hom_class_table(right, d, True)  # the second tier's enumeration
        assert len(set(classes.values())) == count_signed_gsets(F, d)
        reps = {}
        for h, k in classes.items():
            reps.setdefault(k, h[0])
        assert complete_cyclic_classes(list(reps.values()), n, d, True)  # the kernel's count agrees


def test_cli_power2_certificate_and_verify(tmp_path, capsys):
    path = tmp_path / "p2.json"
    code = main(["counterexample", "--claim", "layerwise-reparam", "--arch", "power:2:2-4-2", "--group", "C8",
                 "--certificate", str(path)])
    out = capsys.readouterr().out
    assert code == 1 and "certificate verified by the" in out
    assert "no certificate" not in out
    assert main(["verify", str(path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("verified")
