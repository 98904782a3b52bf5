"""Identifiability of convolutional networks: degenerate channels give fiber directions (checked
to keep the function exactly), lowering transfers the MLP's identifiable verdict, and the
functional dimension in convolutional parameters."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conv_strategies import random_net
from symeq.architectures.conv import from_dict
from symeq.errors import InputError
from symeq.architectures.conv.grid import Grid
from symeq.architectures.conv.identifiability import degenerate_directions, identify
from symeq.architectures.conv.jacobians import embedding_columns
from symeq.architectures.mlp.witness import _fraction_sigma
from symeq.symmetry.functional_dimension import functional_dimension

BASE = {"architecture": "conv", "activation": "power:3", "grid": [6], "channels": [1, 2, 1],
        "filters": [[[["1", "1", "0", "2", "2", "0"]], [["0", "3", "1", "0", "0", "1"]]],
                    [[["3", "0", "1", "1", "0", "3"], ["1", "0", "2", "0", "0", "0"]]]],
        "biases": [["1", "0"], ["0"]]}


def _same_function(a, b, seed: int = 0) -> bool:
    rng = random.Random(seed)
    conv = lambda v: Fraction(int(v.p), int(v.q))  # noqa: E731
    for _ in range(4):
        x = np.array([Fraction(rng.randint(-5, 5), rng.choice([1, 2])) for _ in range(a.spaces()[0])],
                     dtype=object).reshape(a.channels[0], -1)
        if list(a.forward_generic(x, conv, _fraction_sigma(a))) != list(b.forward_generic(x, conv, _fraction_sigma(b))):
            return False
    return True


@pytest.mark.parametrize("change, kind", [
    ({"filters": [[[["1", "0", "1", "0", "1", "0"]], [["0", "3", "1", "0", "0", "1"]]],
                  [[["3", "0", "1", "1", "0", "3"], ["1", "0", "2", "0", "0", "0"]]]]}, "periodic"),
    ({"filters": [[[["1", "1", "0", "2", "2", "0"]], [["0", "1", "1", "0", "2", "2"]]],
                  [[["3", "0", "1", "1", "0", "3"], ["1", "0", "2", "0", "0", "0"]]]], "biases": [["1", "1"], ["0"]]},
     "related"),
    ({"filters": [[[["1", "1", "0", "2", "2", "0"]], [["0", "3", "1", "0", "0", "1"]]],
                  [[["3", "0", "1", "1", "0", "3"], ["0", "0", "0", "0", "0", "0"]]]]}, "unread"),
    ({"filters": [[[["1", "1", "0", "2", "2", "0"]], [["0", "0", "0", "0", "0", "0"]]],
                  [[["3", "0", "1", "1", "0", "3"], ["1", "0", "2", "0", "0", "0"]]]], "biases": [["1", "2"], ["0"]]},
     "constant"),
])
def test_degenerate_channels_are_not_identifiable_with_an_exact_witness(change: dict, kind: str) -> None:
    net = from_dict({**BASE, **change})
    r = identify(net, local=False)
    assert r.verdict == "not identifiable" and r.direction.kind == kind
    assert r.witness.second != net and _same_function(net, r.witness.second)
    cert = r.certificate()
    assert cert["claim"] == {"kind": "not_identifiable"} and cert["evidence"]["kind"] == kind


def test_identifiable_by_lowering_and_its_certificate() -> None:
    tanh = from_dict({**BASE, "activation": "tanh"})
    r = identify(tanh, local=False)
    assert r.verdict == "identifiable" and r.basis.startswith("lowered to a 6-12-6 MLP: Sussmann")
    cert = r.certificate()
    assert cert["evidence"]["method"] == "lowered" and cert["evidence"]["mlp_evidence"]["theorem"] == "sussmann1992"


def test_relu_is_conjectural_and_power_reports_the_literature() -> None:
    relu = identify(from_dict({**BASE, "activation": "relu"}), local=False)
    assert relu.verdict == "conjectural"
    power = identify(from_dict(BASE))
    assert any("arXiv:2410.00722" in x for x in power.literature)
    assert power.verdict in ("identifiable", "locally identifiable")


@given(st.integers(0, 2**32 - 1), st.sampled_from(["relu", "power:2", "leaky_relu:1/10"]))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_degenerate_directions_keep_the_function(seed: int, act: str) -> None:
    rng = random.Random(seed)
    net = random_net(rng, act, Grid((4,)), [1, 3, 1], magnitude=1, density=0.4)
    for d in degenerate_directions(net):
        moved = net.with_parameters([x + y for x, y in zip(net.parameters(), d.delta)])
        assert _same_function(net, moved, seed), d.reason


def test_embedding_and_functional_dimension() -> None:
    net = from_dict(BASE)
    cols = embedding_columns(net)
    assert len(cols) == net.n_params and sorted(k for c in cols for k in c) == list(range(net.to_mlp().n_params))
    fd = functional_dimension(net)
    assert fd.status == "exact" and fd.orbit_dim == 2 and fd.rank == net.n_params - 2
    relu = from_dict({**BASE, "activation": "relu"})
    assert functional_dimension(relu).orbit_dim == 2


def test_a_stated_support_counts_only_its_entries() -> None:
    # its coordinates are the support's 3 offsets x 2 filters, 2 biases and the 17 readout entries
    # (25, not the full grid's 35): rank 23 = 25 - 2 (one ReLU scaling per channel), locally
    # identifiable; the same filters on the whole grid give 33 = 35 - 2
    table = {"architecture": "conv", "activation": "relu", "grid": [8], "channels": [1, 2],
             "filters": [[[["1", "2", "1"]], [["0", "3", "-1"]]]], "biases": [["0", "1"]],
             "support": [[0], [1], [7]],
             "readout": {"weights": [["1"] * 8 + ["2", "0"] * 4], "bias": ["0"]}}
    net = from_dict(table)
    fd = functional_dimension(net)
    assert (fd.n_params, fd.orbit_dim, fd.rank, fd.status) == (25, 2, 23, "exact")
    assert fd.coordinates == (0, 1, 7, 8, 9, 15) + tuple(range(16, 35))
    full = {k: v for k, v in table.items() if k != "support"}
    full = from_dict(dict(full, filters=[[[["1", "2"] + ["0"] * 5 + ["1"]], [["0", "3"] + ["0"] * 5 + ["-1"]]]]))
    fd_full = functional_dimension(full)
    assert (fd_full.n_params, fd_full.rank, fd_full.coordinates) == (35, 33, None)
    from symeq.identifiability.local import local_identifiability

    local = local_identifiability(net)
    assert (local.status, local.n_params, local.rank) == ("locally identifiable", 25, 23)
