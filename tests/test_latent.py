"""The theorem's construction (symeq.construction): the issue's done-when cases and properties.

Every "holds" here is also re-verified by the independent checker, and every tampered
certificate must be rejected.
"""

from __future__ import annotations

import copy
import random
from fractions import Fraction

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy import Integer, Rational

from symeq.activations import activation
from symeq.certify.build_latent import latent_certificate
from symeq.certify.verify import verify_certificate
from symeq.groups import GroupAction, catalog_group
from symeq.groups.characters import character_of_action, character_table
from symeq.groups.classes import class_of
from symeq.groups.gsets import transitive_signed_gsets
from symeq.groups.permutation import finite_group
from symeq.architectures.mlp.latent_map import IDENTITY, LatentMap, Relation
from symeq.construction.analysis import analyze
from symeq.construction.construct import LatentActions, construct
from symeq.architectures.mlp.families import uniqueness_conditions
from symeq.construction.homomorphism import check_homomorphism
from symeq.construction.stabilizer import stabilizer
from symeq.architectures.mlp.structure import gset_key
from symeq.architectures import network_from_dict
from symeq.architectures.mlp.model import MLP

from strategies import equivariant_networks

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _verified(cert: dict) -> None:
    v = verify_certificate(cert)
    assert v.ok, v.reason


def _rejected(cert: dict) -> str:
    v = verify_certificate(cert)
    assert not v.ok
    return v.reason


def _swap_net(rows: list[list[int]], out: list[int]) -> MLP:
    return network_from_dict({"activation": "tanh",
                              "weights": [[[str(x) for x in r] for r in rows], [[str(x) for x in out]]],
                              "biases": [["0"] * len(rows), ["0"]]})


SWAP = catalog_group("S2", 2, 1, output="trivial")


# -- done when: duplicates with an uneven split -------------------------------------------

def test_duplicates_uneven_split_use_beta_theta_tilde() -> None:
    # f(x) = tanh(x1) + 2 tanh(x1) + 3 tanh(x2): invariant under the swap, but the swap would
    # have to send the single neuron tanh(x2) to two neurons carrying 1 and 2.
    net = _swap_net([[1, 0], [1, 0], [0, 1]], [1, 2, 3])
    assert construct(net, SWAP).actions is None
    res = analyze(net, SWAP)
    assert (res.verdict, res.where) == ("holds", "beta(theta~)")
    assert res.acting.weights[0] == M([[1, 0], [0, 0], [0, 1]])
    assert res.acting.weights[1] == M([[3, 0, 3]])
    assert res.actions.generator("t")[0].perm == (2, 1, 0)
    assert res.stabilizer.trivial
    # the same function, independently of the checker
    x = M(sympy.symbols("x1 x2", real=True))
    assert sympy.simplify(net.forward(x)[0] - res.acting.forward(x)[0]) == 0
    cert = latent_certificate(res)
    _verified(cert)
    v = verify_certificate(cert)
    assert any("the original network: after 1 rewrite step(s) the network equals the reduced network" in s for s in v.steps)
    assert "uniqueness" in cert["evidence"] and cert["evidence"]["uniqueness"]["network"] == "reduced"


@SETTINGS
@given(st.integers(1, 3), st.lists(st.integers(-4, 4).filter(bool), min_size=1, max_size=3),
       st.integers(1, 5), st.integers(1, 4), st.booleans())
def test_random_duplicates_with_uneven_splits(copies: int, splits: list[int], a: int, b: int,
                                              negate: bool) -> None:
    """Neuron u = tanh(a x1 + b x2) appears 1 + len(splits) times (some negated), its mirror once;
    the copies' outgoing weights add up to the mirror's, so f is swap-invariant."""
    if a == b:
        b = a + 1
    total = sum(splits) + 7
    rows, out = [[a, b]], [7]
    for s in splits:
        sign = -1 if negate else 1
        rows.append([sign * a, sign * b])
        out.append(sign * s)  # tanh odd: s tanh(u) written as (-s) tanh(-u)
    rows.append([b, a])
    out.append(total)
    rows += [[1, 1]] * (copies - 1)  # fixed neurons, duplicated with an even share
    out += [2] * (copies - 1)
    net = _swap_net(rows, out)
    res = analyze(net, SWAP, structure=False)
    assert res.verdict == "holds"
    if res.where == "beta(theta~)":
        x = M(sympy.symbols("x1 x2", real=True))
        assert sympy.simplify(net.forward(x)[0] - res.acting.forward(x)[0]) == 0
    _verified(latent_certificate(res))


# -- done when: sigmoid under a mirror gives an affine action --------------------------------

def test_sigmoid_mirror_affine_action() -> None:
    # neuron 0 = sigma(x1 - x3) is mapped to 1 - itself; neurons 1, 2 swap; the output changes sign
    net = network_from_dict({"activation": "sigmoid",
                             "weights": [[["1", "0", "-1"], ["1", "2", "3"], ["3", "2", "1"]], [["2", "1", "-1"]]],
                             "biases": [["0", "0", "0"], ["-1"]]})
    mirror = catalog_group("hmirror:1x3", 3, 3).inputs[0]
    G = GroupAction(("s",), (mirror,), (M([[-1]]),), ("s^2",))
    res = analyze(net, G)
    assert (res.verdict, res.where) == ("holds", "theta")
    k = res.actions.generator("s")[0]
    assert k.perm == (0, 2, 1)
    assert k.relations[0] == Relation(Integer(-1), Integer(0), Integer(-1), Integer(1))
    assert k.matrix() == M([[-1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert k.shift() == M([1, 0, 0])  # v -> P(D v + f): genuinely affine
    assert not k.is_linear()
    assert res.structure[0].affine_shift
    assert [o.type for o in res.structure[0].orbits] == ["self-negated", "moved as copies"]
    _verified(latent_certificate(res))


# -- done when: linear [2, 2, 2] under C4 gives W_1 rho_0 W_1^{-1} --------------------------

@SETTINGS
@given(st.lists(st.integers(-5, 5), min_size=4, max_size=4), st.integers(-3, 3), st.integers(-3, 3),
       st.lists(st.integers(-3, 3), min_size=2, max_size=2))
def test_linear_c4_gl_action(entries: list[int], p: int, q: int, bias: list[int]) -> None:
    W1 = M(2, 2, entries)
    if W1.det() == 0 or (p, q) == (0, 0):
        return
    r = catalog_group("C4", 2, 2).inputs[0]
    C = p * M.eye(2) + q * r  # commutes with the rotation
    W2 = C * W1.inv()
    b1 = M(bias)
    b2 = -W2 * b1  # f(x) = C x, equivariant
    net = MLP(activation("identity"), (W1, W2), (b1, b2))
    G = catalog_group("C4", 2, 2)
    res = analyze(net, G)
    assert (res.verdict, res.where) == ("holds", "theta")
    k = res.actions.generator("r")[0]
    assert k.kind == "affine"
    assert k.matrix() == (W1 * r * W1.inv()).applyfunc(sympy.nsimplify)
    assert k.shift() == (b1 - W1 * r * W1.inv() * b1)
    assert res.stabilizer.trivial
    assert res.structure[0].multiplicities == (0, 0, 1, 1)  # the rotation's two complex characters
    cert = latent_certificate(res)
    u = cert["evidence"]["uniqueness"]
    assert (u["method"], u["network"], len(u["minors"]), sorted(u["minors"][0])) == ("full_row_rank", "this", 1, [0, 1])
    _verified(cert)


def test_linear_rank_deficient_stabilizer_dimension() -> None:
    # [1, 2, 1]: W_1 = (1, 1)^T has rank 1 < 2; A_1 may move along the complement
    net = network_from_dict({"activation": "identity", "weights": [[["1"], ["1"]], [["1", "-1"]]],
                             "biases": [["0", "0"], ["0"]]})
    s = stabilizer(net)
    assert s.status == "infinite" and s.dimension > 0
    for direction in s.tangent:  # each tangent direction solves the homogeneous layer system
        A = direction[0].matrix()
        assert A * net.weights[0] == M.zeros(2, 1) and net.weights[1] * A == M.zeros(1, 2)


# -- done when: D4 on 3 x 3 images from random latent G-sets ---------------------------------

def _dense(perm, signs) -> sympy.Matrix:
    n = len(perm)
    m = sympy.zeros(n, n)
    for j, (p, s) in enumerate(zip(perm, signs)):
        m[p, j] = s
    return m


def _reynolds(out: list, inp: list, rng: random.Random) -> M:
    X = M(out[0].rows, inp[0].rows, lambda i, j: rng.randint(-3, 3))
    return M(sum((o * X * i.T for o, i in zip(out, inp)), sympy.zeros(out[0].rows, inp[0].rows)))


def _degenerate(net: MLP) -> bool:
    """A zero incoming row, or two rows (w, b) equal up to sign, in some hidden layer."""
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        rows = [tuple(W.row(j)) + (b[j],) for j in range(W.rows)]
        if any(all(x == 0 for x in r[:-1]) for r in rows):
            return True
        keys = [max(r, tuple(-x for x in r)) for r in rows]
        if len(set(keys)) < len(keys):
            return True
    return False


def _build_d4(seed: int):
    """A tanh [9, d1, d2, 9] network from random transitive signed G-sets of D4, hidden by a
    random signed permutation of the neurons; returns the network, the group and, per hidden
    layer, the blocks as (points, gset, expected type).  Only G-sets whose irreducible
    constituents occur in the previous layer are drawn (others force zero or duplicated rows),
    and degenerate draws are redrawn."""
    rng = random.Random(seed)
    group = catalog_group("D4:3x3", 9, 9)
    G = finite_group(group)
    T = character_table(G)
    rho0 = [M(e[0]) for e in G.source_elements]
    types = transitive_signed_gsets(G)
    for _ in range(50):
        reps, layers = [rho0], []
        prev = T.decompose(character_of_action(group))
        for _ in range(2):
            usable = [t for t in types
                      if all(m <= p for m, p in zip(T.decompose(t.character()), prev))]
            chosen = [rng.choice(usable) for _ in range(rng.randint(2, 4))]
            d = sum(t.size for t in chosen)
            perm = list(range(d))
            rng.shuffle(perm)
            signs = [rng.choice((1, -1)) for _ in range(d)]
            P = _dense(perm, signs)
            mats = []
            for a in range(G.order):
                blocks = [_dense(t.image(a).perm, t.image(a).signs) for t in chosen]
                mats.append(M(P * sympy.diag(*blocks) * P.T))
            reps.append(mats)
            info, off = [], 0
            for t in chosen:
                pts = tuple(sorted(perm[off + i] for i in range(t.size)))
                sg = {signs[off + i] for i in range(t.size)}
                expected = ("self-negated" if t.is_signed else "fixed" if t.size == 1 else
                            "moved as copies" if len(sg) == 1 else "moved as negated copies")
                info.append((pts, t, expected))
                off += t.size
            layers.append(info)
            prev = [sum(x) for x in zip(*(T.decompose(t.character()) for t in chosen))]
        reps.append(rho0)
        ws, bs = [], []
        for i in range(1, 4):
            W = _reynolds(reps[i], reps[i - 1], rng)
            y = M(W.rows, 1, lambda r, c: rng.randint(-3, 3))
            ws.append(W)
            bs.append(M(sum((o * y for o in reps[i]), sympy.zeros(W.rows, 1))))
        net = MLP(activation("tanh"), tuple(ws), tuple(bs))
        if not _degenerate(net):
            return net, group, layers
    raise AssertionError("no non-degenerate draw in 50 tries")


def _frobenius(G, t, k: int) -> Fraction:
    """<Ind_H^G chi, X_k> = (1/|H|) sum_{h in H} chi(h) conj(X_k(h)) (Frobenius reciprocity)."""
    T = character_table(G)
    cl = class_of(G)
    total = sum((t.sign(h) * sympy.conjugate(T.value(k, cl[h])) for h in t.stabilizer.elements),
                Integer(0))
    return Fraction(str(sympy.nsimplify(sympy.expand(total) / t.stabilizer.order)))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_d4_images_orbits_gsets_characters_recovered(seed: int) -> None:
    net, group, layers = _build_d4(seed)
    res = analyze(net, group)
    assert (res.verdict, res.where) == ("holds", "theta")
    assert res.stabilizer.trivial
    G = finite_group(group)
    T = character_table(G)
    for ls, built in zip(res.structure, layers):
        got = {o.neurons: o for o in ls.orbits}
        assert set(got) == {pts for pts, _, _ in built}
        for pts, t, expected in built:
            o = got[pts]
            assert o.type == expected
            chi = tuple(t.sign(h) for h in t.stabilizer.elements)
            assert gset_key(G, o.stabilizer, o.character) == gset_key(G, t.stabilizer.elements, chi)
        mult = [sum(_frobenius(G, t, k) for _, t, _ in built) for k in range(len(T.characters))]
        assert list(ls.multiplicities) == mult
    _verified(latent_certificate(res))


# -- certificates: every certificate verifies, tampered ones do not ------------------------

def test_tampered_certificates_are_rejected() -> None:
    net = _swap_net([[1, 0], [1, 0], [0, 1]], [1, 2, 3])
    cert = latent_certificate(analyze(net, SWAP))
    _verified(cert)
    ev = cert["evidence"]

    def tampered(path: list, value) -> dict:
        c = copy.deepcopy(cert)
        node = c
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
        return c

    assert "row equation" in _rejected(tampered(["evidence", "actions", "t", 0, "perm"], [0, 1, 2]))
    assert _rejected(tampered(["evidence", "actions", "t", 0, "relations", 0, "b"], "-1"))
    assert _rejected(tampered(["evidence", "order"], 4)) == "the stated order 4 is not |G| = 2"
    assert _rejected(tampered(["network", "weights", 1, 0, 0], "4"))
    assert "differs" in _rejected(tampered(["evidence", "equal_function", "padding"], []))
    orig = copy.deepcopy(ev["equal_function"]["original"])
    orig["weights"][1][0][1] = "5"
    assert _rejected(tampered(["evidence", "equal_function", "original"], orig))
    assert _rejected(tampered(["evidence", "uniqueness"], {"method": "distinct_rows", "network": "this"}))
    assert _rejected(tampered(["claim", "kind"], "latent_action"))


def test_wrong_choice_breaks_relators_and_the_search_repairs_it() -> None:
    # C3 permuting 3 inputs; neurons e1, e2, e3 (one orbit) and two equal copies of (1, 1, 1)
    rows = [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"], ["1", "1", "1"], ["1", "1", "1"]]
    net = network_from_dict({"activation": "tanh", "weights": [rows, [["1", "1", "1", "2", "2"]]],
                             "biases": [["0"] * 5, ["0"]]})
    G = catalog_group("C3:shift", 3, 1, output="trivial")
    good = construct(net, G).actions
    k = good.generator("r")[0]
    perm = list(k.perm)
    perm[3], perm[4] = perm[4], perm[3]  # also a layerwise solution: the copies are swapped
    bad = LatentActions(("r",), ((LatentMap.monomial(perm, k.relations),),))
    # r r r = e in C3, but k(r)^3 swaps the copies back and forth: not the identity
    assert check_homomorphism(net, G, bad).failures == (("e", "r r r"),)
    assert check_homomorphism(net, G, good).holds
    s = stabilizer(net)
    assert (s.status, s.order) == ("nontrivial", 2)
    res = analyze(net, G)
    assert res.verdict == "holds" and res.homomorphism.holds
    cert = latent_certificate(res)
    assert "uniqueness" not in cert["evidence"]
    _verified(cert)
    bad_cert = copy.deepcopy(cert)
    bad_cert["evidence"]["actions"] = bad.to_dict()
    assert _rejected(bad_cert) == "latent maps: the maps of hidden layer 1 do not extend to a homomorphism of G"


# -- when no action exists ------------------------------------------------------------------

def test_identifiable_without_action_is_not_equivariant_by_contrapositive() -> None:
    net = _swap_net([[1, 2], [2, -1]], [1, 1])
    res = analyze(net, SWAP)
    assert res.verdict == "fails" and res.exit_code == 1
    assert "contrapositive" in res.summary and res.check.witness is not None
    cert = latent_certificate(res)
    assert cert["claim"]["kind"] == "not_equivariant"
    _verified(cert)


def test_equivariant_without_action_names_identifiability() -> None:
    # docs/theory.md section 6: the identity of R^2 through width-4 ReLU under C8
    net = network_from_dict({"activation": "relu",
                             "weights": [[["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]],
                                         [["1", "0", "-1", "0"], ["0", "1", "0", "-1"]]],
                             "biases": [["0", "0", "0", "0"], ["0", "0"]]})
    res = analyze(net, catalog_group("C8", 2, 2))
    assert res.verdict == "unknown" and res.exit_code == 3
    assert res.check.verdict == "holds"
    assert "identifiability" in res.summary and "symeq counterexample" in res.summary
    assert latent_certificate(res) is None


# -- symbolic families ----------------------------------------------------------------------

def test_symbolic_family_conditions() -> None:
    net = network_from_dict({"activation": "tanh",
                             "weights": [[["a", "b"], ["b", "a"]], [["1", "1"]]],
                             "biases": [["0", "0"], ["0"]]})
    res = analyze(net, SWAP)
    assert res.verdict == "holds" and res.where == "theta"
    assert sorted(c.text() for c in res.uniqueness) == ["(a, b) != (0, 0)", "a + b != 0", "a - b != 0"]
    a, b = sympy.symbols("a b", real=True)
    # sufficient conditions: where they hold the stabilizer is trivial; at a = b (violated) the
    # duplicated neurons with equal outgoing weights can be swapped
    for va, vb in ((2, 3), (-1, 5), (Rational(1, 2), 0)):
        assert all(c.holds({a: va, b: vb}) for c in res.uniqueness)
        assert stabilizer(net.subs({a: va, b: vb})).trivial
    assert not res.uniqueness[0].holds({a: 2, b: 2}) or not all(c.holds({a: 2, b: 2}) for c in res.uniqueness)
    assert stabilizer(net.subs({a: 2, b: 2})).order == 2
    _verified(latent_certificate(res))
    assert uniqueness_conditions(net.subs({b: 0}))[0].text() == "a != 0"


def test_symbolic_affine_maps_are_claimed_only_where_their_denominators_are_nonzero() -> None:
    # rho_1(t) = [[0, 1/a], [a, 0]] exists for a != 0 only; at a = 0 no layerwise action exists
    # (A W_1 = W_1 rho_0(t) has no solution), so "for every value of the symbols" was wrong.
    net = network_from_dict({"activation": "identity",
                             "weights": [[["1", "0"], ["0", "a"]], [["a", "1"]]],
                             "biases": [["0", "0"], ["0"]]})
    res = analyze(net, SWAP)
    assert res.verdict == "holds"
    assert "for every value of the symbols with a != 0 (the maps' denominators)" in res.summary
    assert "unique where the conditions for uniqueness below hold" in res.summary
    a = sympy.Symbol("a", real=True)
    assert construct(net.subs({a: 0}), SWAP).actions is None
    # a family whose maps are constants keeps the unqualified claim
    tanh = network_from_dict({"activation": "tanh", "weights": [[["a", "1"], ["1", "a"]], [["1", "1"]]],
                              "biases": [["0", "0"], ["0"]]})
    assert "for every value of the symbols;" in analyze(tanh, SWAP).summary


def test_affine_maps_breaking_a_relator_are_not_called_absent() -> None:
    # The linear system has a solution at theta (so layerwise actions exist), but the chosen one
    # breaks m^2 and the other solutions were not searched: neither "no layerwise action at
    # theta" nor "no choice satisfies every relator" may be said.
    net = network_from_dict({"activation": "identity", "weights": [[["-1"], ["-1"]], [["-1", "1"]]],
                             "biases": [["1", "1"], ["0"]]})
    res = analyze(net, catalog_group("sign", 1, 1))
    assert res.verdict == "holds" and res.where == "beta(theta~)"
    assert res.notes[0].startswith("the latent maps found at theta are not a homomorphism;")
    assert any("other solutions of the continuum were not searched" in n for n in res.notes)
    assert not any("no layerwise action" in n for n in res.notes)


def test_find_homomorphism_never_reads_a_truncated_list_as_none() -> None:
    from symeq.errors import BudgetExceeded
    from symeq.construction.homomorphism import find_homomorphism

    net = network_from_dict({"activation": "tanh",
                             "weights": [[["1", "0"], ["1", "0"], ["0", "1"], ["0", "1"]], [["1", "1", "1", "1"]]],
                             "biases": [["0"] * 4, ["0"]]})
    G = catalog_group("S2", 2, 1, output="trivial")
    full = find_homomorphism(net, G)
    assert full is not None and check_homomorphism(net, G, full).holds
    try:
        got = find_homomorphism(net, G, limit=1)
    except BudgetExceeded as exc:
        assert "more than 1 latent maps" in str(exc)
    else:
        assert got is not None and check_homomorphism(net, G, got).holds


# -- properties on random layerwise-equivariant networks --------------------------------------

@SETTINGS
@given(equivariant_networks(max_depth=3, max_blocks=2))
def test_random_equivariant_networks_get_verified_homomorphisms(case) -> None:
    res = analyze(case.net, case.group)
    assert res.verdict == "holds", res.summary
    assert res.homomorphism.holds
    for ls in res.structure:  # the character is an honest character of the right degree
        assert sum(m * d for m, d in zip(ls.multiplicities, ls.degrees)) == ls.width
    _verified(latent_certificate(res))


def test_latent_map_group_laws() -> None:
    neg = Relation(Integer(-1), Integer(0), Integer(-1), Integer(1))
    k = LatentMap.monomial((2, 0, 1), (neg, IDENTITY, neg))
    v = M([Rational(1, 3), 2, -5])
    assert (k @ k.inverse()).is_identity() and (k.inverse() @ k).is_identity()
    assert (k @ k).apply(v) == k.apply(k.apply(v))
    assert k.as_affine().apply(v) == k.apply(v)
    assert LatentMap.from_dict(k.to_dict()) == k


@SETTINGS
@given(equivariant_networks("relu", max_depth=3, max_blocks=2))
def test_relu_scales_conjugate_to_permutations(case) -> None:
    """Positive monomial actions of a finite group: the reported positive diagonal Lambda
    makes Lambda^-1 rho_i(g) Lambda a permutation matrix for every generator."""
    res = analyze(case.net, case.group)
    assert res.verdict == "holds"
    for ls in res.structure:
        lam = sympy.diag(*ls.diagonal) if ls.diagonal is not None else sympy.eye(ls.width)
        for name, k in res.actions.layer(ls.layer).items():
            assert all(x > 0 for x in lam.diagonal())
            P = lam.inv() * k.matrix() * lam
            assert all(x in (0, 1) for x in P) and all(sum(P.row(r)) == 1 for r in range(P.rows))
        assert ls.kind == "permutation"


def test_symbolic_linear_family() -> None:
    net = network_from_dict({"activation": "identity",
                             "weights": [[["a", "1"], ["0", "1"]], [["1/a", "-1/a"], ["0", "1"]]],
                             "biases": [["0", "0"], ["0", "0"]]})
    G = catalog_group("C4", 2, 2)
    res = analyze(net, G)
    assert (res.verdict, res.where) == ("holds", "theta")
    W1 = net.weights[0]
    k = res.actions.generator("r")[0]
    assert (k.matrix() - W1 * G.inputs[0] * W1.inv()).applyfunc(sympy.simplify) == M.zeros(2, 2)
    assert [c.text() for c in res.uniqueness] == ["a != 0"]
    _verified(latent_certificate(res))


def test_relu_c8_width8_repair_with_algebraic_entries() -> None:
    """docs/theory.md section 6: width 8 (directions at 45 degrees, W_2 = U^T / 2) realizes the
    identity of R^2 layerwise equivariantly under C8; entries in Q(sqrt 2)."""
    h = sympy.sqrt(2) / 2
    U = M([[1, 0], [h, h], [0, 1], [-h, h], [-1, 0], [-h, -h], [0, -1], [h, -h]])
    W2 = (U.T / 2).applyfunc(sympy.radsimp)
    net = MLP(activation("relu"), (U, W2), (M.zeros(8, 1), M.zeros(2, 1)))
    res = analyze(net, catalog_group("C8", 2, 2))
    assert (res.verdict, res.where) == ("holds", "theta")
    assert res.actions.generator("r")[0].perm == (1, 2, 3, 4, 5, 6, 7, 0)
    assert res.structure[0].multiplicities == tuple(1 for _ in range(8))  # the regular representation
    _verified(latent_certificate(res))
