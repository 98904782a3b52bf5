"""Latent type counts against an independent brute-force count (tests/test_classify_brute.py):
every homomorphism G -> B_d or S_d, found by walking the Cayley graph, grouped into conjugacy
classes.  C_2..C_6, the Klein group, S_3 and D_4 on hidden widths 1..4."""

from __future__ import annotations

import pytest

from symeq.architectures.spec import ArchSpec, parse_spec
from symeq.classification.types import type_kind, layer_types
from symeq.errors import InputError
from symeq.groups import catalog_group
from symeq.groups.permutation import finite_group
from test_classify_brute import hom_classes

GROUPS = {f"C{n}": (f"C{n}:shift", n) for n in range(2, 7)}
GROUPS.update({"Klein": ("D2", 2), "S3": ("S3", 3), "D4": ("D4", 2)})


def _group(name: str):
    spec, d = GROUPS[name]
    return catalog_group(spec, d, d)


def _images(t, names):
    """A listed type's generator images in the brute-force encoding +-(p(j) + 1)."""
    return tuple(tuple(s * (p + 1) for p, s in zip(t.pre.perms[k], t.pre.signs[k])) for k in range(len(names)))


@pytest.mark.parametrize("name", sorted(GROUPS))
@pytest.mark.parametrize("activation,signed", [("tanh", True), ("relu", False)])
def test_type_counts_match_brute_force(name, activation, signed):
    G = _group(name)
    F = finite_group(G)
    assert F.order == {"Klein": 4, "S3": 6, "D4": 8}.get(name, int(name[1:]) if name[0] == "C" else 0)
    for d in (1, 2, 3, 4):
        classes = hom_classes(F, d, signed)
        expected = len(set(classes.values()))
        T = layer_types(G, d, activation)
        assert T.count == expected, (name, d, T.count, expected)
        assert T.complete and len(T.types) == expected
        # every listed type is a homomorphism, and no two are conjugate
        ids = [classes[_images(t, G.names)] for t in T.types]
        assert sorted(ids) == list(range(expected))


def test_known_counts_d4_and_klein():
    # spot values of the brute-force count (signed, width 4): D4 157, Klein 117
    assert layer_types(_group("D4"), 4, "tanh").count == 157
    assert layer_types(_group("Klein"), 4, "tanh").count == 117
    assert layer_types(_group("D4"), 4, "relu").count == 13


def test_even_kind_lifts_signs_but_acts_unsigned():
    G = _group("C2")
    T = layer_types(G, 1, "power:2")
    assert T.kind == "even" and T.count == 2
    signed = [t for t in T.types if t.pre.signs[0] == (-1,)]
    assert len(signed) == 1 and signed[0].post.signs[0] == (1,)


def test_kinds_and_refusals():
    assert type_kind("leaky_relu:1/10") == "permutation"
    assert type_kind("gelu") == "permutation"
    assert type_kind("poly:z^4+z^2+1") == "even"
    assert type_kind("poly:z^3+z") == "signed"
    assert type_kind("power:3") == "signed"
    assert type_kind("sin") == "shift"  # classified since the shift kind (tests/test_classify_sin.py)
    with pytest.raises(InputError, match="ASCII digits"):
        parse_spec("relu:2-x-2")
    assert parse_spec("leaky_relu:1/10:2-3-1") == ArchSpec("leaky_relu:1/10", (2, 3, 1))
