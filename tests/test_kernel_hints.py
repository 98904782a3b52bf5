"""Every kind of hint the kernel checks, tampered: each tampering is rejected, with its reason.

The hints (docs/certificates.md) replace the old checker's searches: the number field of the
radicals, rank certificates (a nonzero minor and a kernel basis), Kruskal minors, the groups of
the relu canonical form, the tree of row matchings, the complete list of homomorphism classes,
the minors that force a zero layer, the order of G, the padding steps of beta(theta~) and the
minors of a uniqueness claim.  The certificates come from proofs/ (written by the engine) or are
written here and given their hints by the engine's hint builder (symeq/certify/hints.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from symeq.certify.hints import with_hints
from symeq.certify.verify import verify_certificate

PROOFS = Path(__file__).resolve().parent.parent / "proofs"


def stored(name: str) -> dict:
    return json.loads((PROOFS / name).read_text())


def rejected(cert: dict, fragment: str) -> str:
    v = verify_certificate(cert)
    assert not v.ok, "a tampered hint verified"
    assert fragment in v.reason, v.reason
    assert not v.reason.startswith("internal error"), v.reason
    return v.reason


def edit(cert: dict, fn) -> dict:
    out = copy.deepcopy(cert)
    fn(out)
    return out


def test_stored_certificates_verify_before_tampering() -> None:
    for name in ("check/gelu_c8_linear_bypass.cert.json", "identify/linear_323_identifiable.cert.json",
                 "identify/power3_221_identifiable.cert.json", "identify/linear_332_not_identifiable.cert.json",
                 "latent/tanh_duplicates_uneven_split.cert.json", "latent/identity_c4_gl.cert.json",
                 "counterexample/relu_c8_width4_bypass.cert.json"):
        v = verify_certificate(stored(name))
        assert v.ok, (name, v.reason)


# -- the number field ------------------------------------------------------------------------------

@pytest.mark.parametrize("change, reason", [
    (lambda n: n.update(minimal_polynomial=["-4", "0", "1"]), "must be irreducible"),
    (lambda n: n.update(minimal_polynomial=["-3", "0", "1"]), "is not the non-negative 2th root of 2"),
    (lambda n: n.update(interval=["2", "3"]), "does not change sign on [2, 3]"),
    (lambda n: n.update(interval=["1", "1"]), "does not change sign"),
    (lambda n: n["radicals"][0].update(value=["0", "-1"]), "is not the non-negative 2th root of 2"),
    (lambda n: n["radicals"][0].update(value=["1", "1"]), "is not the non-negative 2th root of 2"),
    (lambda n: n["radicals"][0].update(root=3), "is not the non-negative 3th root of 2"),
    (lambda n: n["radicals"][0].update(base="3"), "is not the non-negative 2th root of 3"),
    (lambda n: n.pop("radicals"), "no radical hint gives the 2nd root of 2"),
    (lambda n: n.update(extra=1), "numbers has unexpected key(s): extra"),
])
def test_tampered_number_field_hints_are_rejected(change, reason) -> None:
    cert = stored("check/gelu_c8_linear_bypass.cert.json")
    assert cert["numbers"]["minimal_polynomial"] == ["-2", "0", "1"]
    rejected(edit(cert, lambda c: change(c["numbers"])), reason)


def test_a_missing_number_field_hint_is_rejected() -> None:
    rejected(edit(stored("check/gelu_c8_linear_bypass.cert.json"), lambda c: c.pop("numbers")),
             "no radical hint gives the 2nd root of 2")


# -- ranks: a nonzero minor and a kernel basis ------------------------------------------------------

RANK = ["evidence", "hints", "hidden_widths_equal_rank", "rank"]


def at(cert: dict, path: list):
    for k in path:
        cert = cert[k]
    return cert


@pytest.mark.parametrize("change, reason", [
    (lambda h: h.update(rows=[0, 0]), "the stated 2 x 2 minor is not a nonzero minor"),
    (lambda h: h.update(cols=[0, 3]), "the stated 2 x 2 minor is not a nonzero minor"),
    (lambda h: h.update(rank=1, rows=[0], cols=[0]), "kernel vectors of length 3 are needed"),
    (lambda h: h.update(rank=3, rows=[0, 1, 2], cols=[0, 1, 2]), "not a nonzero minor"),
    (lambda h: h["kernel"][0].__setitem__(0, "1"), "is not 1 at column 2, 0 at the other free columns, and in the kernel"),
    (lambda h: h["kernel"][0].__setitem__(2, "2"), "is not 1 at column 2"),
    (lambda h: h.update(kernel=[]), "1 kernel vectors of length 3 are needed"),
    (lambda h: h.update(kernel=[["-1", "-1", "1", "0"]]), "kernel vectors of length 3"),
])
def test_tampered_rank_certificates_are_rejected(change, reason) -> None:
    cert = stored("identify/linear_323_identifiable.cert.json")
    rejected(edit(cert, lambda c: change(at(c, RANK))), reason)


def test_tampered_rank_invariants_are_rejected() -> None:
    cert = stored("identify/linear_332_not_identifiable.cert.json")
    rejected(edit(cert, lambda c: c["evidence"]["outside_orbit"]["theta"].update(rank=2, rows=[0, 1], cols=[0, 1])),
             "1 kernel vectors of length 3 are needed")
    rejected(edit(cert, lambda c: c["evidence"]["outside_orbit"]["theta_prime"].update(
        rank=3, rows=[0, 1, 2], cols=[0, 1, 2], kernel=[])), "rank W'_1: the stated 3 x 3 minor is not a nonzero minor")
    rejected(edit(cert, lambda c: c["evidence"]["outside_orbit"].pop("theta")), "is missing 'theta'")


@pytest.mark.parametrize("change, reason", [
    (lambda h: h["kruskal_K1"]["V"]["minors"].__setitem__(0, [0, 0]), "the minor on rows [0, 0] and columns [0, 1] is zero"),
    (lambda h: h["kruskal_K1"]["V"].update(k=3), "a Kruskal rank 3 of a 3 x 2 matrix is beyond"),
    (lambda h: h["kruskal_K1"]["W_2"]["minors"].pop(), "2 minors are needed, one per 1-subset of columns, 1 given"),
    (lambda h: h["kruskal_K2"]["V_e"]["minors"].__setitem__(0, [0, 1, 1]), "the minor on rows [0, 1, 1]"),
    (lambda h: h.pop("kruskal_K2"), "condition kruskal_K2 fails: 'V_e'"),
])
def test_tampered_kruskal_minors_are_rejected(change, reason) -> None:
    cert = stored("identify/power3_221_identifiable.cert.json")
    rejected(edit(cert, lambda c: change(c["evidence"]["hints"])), reason)


# -- the relu canonical form ------------------------------------------------------------------------

def test_tampered_relu_groups_are_rejected() -> None:
    cert = stored("counterexample/relu_c8_width4_bypass.cert.json")
    groups = ["evidence", "equivariance", "groups", "r"]
    assert at(cert, groups) == [[0, 2], [1, 3], [4, 6], [5, 7]]
    rejected(edit(cert, lambda c: at(c, groups).pop()), "the groups must list every term with a nonzero row exactly once")
    rejected(edit(cert, lambda c: at(c, groups[:-1]).update(r=[[0, 4], [1, 3], [2, 6], [5, 7]])), "different hyperplanes")
    rejected(edit(cert, lambda c: at(c, groups[:-1]).update(r=[[0, 2], [1, 3], [4, 6], [5], [7]])), "is not 0")
    rejected(edit(cert, lambda c: at(c, groups[:-1]).update(r=[[0, 2, 2], [1, 3], [4, 6], [5, 7]])), "exactly once")


# -- the tree of row matchings ----------------------------------------------------------------------

def _layerwise_refuted() -> dict:
    """A tanh 2-2-1 network: the swap matches the two neurons, but W_2 = (1 2) is not swapped back,
    so no latent map of t exists; the predicate "layerwise" is refuted."""
    return with_hints({
        "format": "symeq-certificate", "version": 2,
        "claim": {"kind": "counterexample", "refutes": "predicate", "predicate": "layerwise"},
        "network": {"activation": "tanh", "weights": [[["1", "0"], ["0", "1"]], [["1", "2"]]], "biases": [["0", "0"], ["0"]]},
        "group": {"generators": {"t": {"input": [["0", "1"], ["1", "0"]], "output": [["1"]]}}},
        "evidence": {"method": "atoms", "atoms": {"layerwise": {"value": False, "evidence": {
            "method": "exhaustive_matching", "generator": "t"}}}}})


def test_tampered_matching_trees_are_rejected() -> None:
    cert = _layerwise_refuted()
    tree = ["evidence", "atoms", "layerwise", "evidence", "matchings"]
    assert at(cert, tree) == [{"perm": [1, 0]}]
    v = verify_certificate(cert)
    assert v.ok, v.reason
    assert "all 1 row matchings listed" in v.steps[-2]
    rejected(edit(cert, lambda c: at(c, tree).clear()), "the rows admit 1 matchings, the hint lists 0 distinct ones")
    rejected(edit(cert, lambda c: at(c, tree).append({"perm": [1, 0]})), "the rows admit 1 matchings, the hint lists 1 distinct")
    rejected(edit(cert, lambda c: at(c, tree).__setitem__(0, {"perm": [0, 1]})), "the listed matching [0, 1] does not match")
    rejected(edit(cert, lambda c: at(c, tree)[0].update(next=[])), "does not match the rows")
    rejected(edit(cert, lambda c: at(c, tree[:-1]).pop("matchings")), "is missing 'matchings'")


# -- classification: complete classes and the minors that force a zero layer --------------------------

def test_tampered_classification_hints_are_rejected() -> None:
    cert = stored("counterexample/relu_c8_width4_bypass.cert.json")
    ev = ["evidence"]
    rejected(edit(cert, lambda c: at(c, ev)["assignments"][0].update(minor=[0, 1, 2, 3, 4, 5, 6])),
             "assignment [0]: the stated rows are no nonzero maximal minor")
    rejected(edit(cert, lambda c: at(c, ev)["assignments"][1].update(minor=[0, 1, 2, 3, 4, 5, 6, 6])),
             "assignment [1]: the stated rows are no nonzero maximal minor")
    rejected(edit(cert, lambda c: at(c, ev)["assignments"][2].update(minor=[0, 1, 2, 3, 4, 5, 6, 99])),
             "no nonzero maximal minor")
    # a duplicated class (two types of one cycle type) instead of a missing one: the count fails
    rejected(edit(cert, lambda c: at(c, ev)["types"][0][2]["r"].update(perm=[1, 0, 2, 3])), "not one per conjugacy class")
    rejected(edit(cert, lambda c: at(c, ev)["types"][0][0]["r"].update(perm=[0, 1, 2])), "perm must permute")


# -- latent actions: the order of G, the padding of beta(theta~), uniqueness minors -------------------

def test_tampered_latent_hints_are_rejected() -> None:
    cert = stored("latent/tanh_duplicates_uneven_split.cert.json")
    rejected(edit(cert, lambda c: c["evidence"].update(order=4)), "the stated order 4 is not |G| = 2")
    rejected(edit(cert, lambda c: c["evidence"]["equal_function"].update(padding=[])),
             "the network's zero neurons: the replayed network tanh MLP 2-3-1 differs from the reduced tanh MLP 2-2-1")
    rejected(edit(cert, lambda c: c["evidence"]["equal_function"]["padding"][0].update(neuron=0)),
             "outgoing column 0 of layer 1 is not zero")
    rejected(edit(cert, lambda c: c["evidence"]["equal_function"].update(steps=[])),
             "the original network: the replayed network tanh MLP 2-3-1 differs")
    lin = stored("latent/identity_c4_gl.cert.json")
    rejected(edit(lin, lambda c: c["evidence"]["uniqueness"].update(minors=[[0, 0]])),
             "full_row_rank needs the identity activation and a nonzero maximal minor per hidden W_i")
    rejected(edit(lin, lambda c: c["evidence"]["uniqueness"].update(minors=[])), "full_row_rank needs")


def test_hints_of_another_network_do_not_transfer() -> None:
    """A hint written for one network, pasted into the certificate of another, is rejected: the
    kernel re-derives what each hint claims about the network in hand."""
    a = stored("identify/linear_323_identifiable.cert.json")
    b = copy.deepcopy(a)
    b["network"]["weights"][1] = [["1", "1"], ["0", "0"], ["2", "2"]]
    rejected(b, "rank(W_L ... W_1): the stated 2 x 2 minor is not a nonzero minor")
