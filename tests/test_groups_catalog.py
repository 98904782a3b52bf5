"""Finite group actions (symeq.groups.action) and the catalog and [group] tables
(symeq.groups.catalog): orders, closure, relations, and every refusal."""

from __future__ import annotations

import math
import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import ImmutableMatrix as M
from sympy.combinatorics import Permutation, PermutationGroup

from symeq.errors import InputError
from symeq.groups import GroupAction, catalog_group, group_from_dict, group_from_spec
from symeq.groups.action import (DEFAULT_ORDER_LIMIT, canonical, infinite_order_reason, parse_word,
                                 signed_permutation_order)
from symeq.groups.catalog import PLANE_ORDERS

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
R90 = M([[0, -1], [1, 0]])
INFINITE = "the generators produce more than 10000 elements: the group is infinite"


def _closed(G: GroupAction) -> None:
    """Elements: identity first, distinct, closed under the generators and under inverses."""
    els = G.elements()
    assert els[0] == (M.eye(G.input_dim), M.eye(G.output_dim))
    assert len(set(els)) == len(els) == G.order()
    members = set(els)
    for a, b in els:
        for _, x, y in G.generators():
            assert (canonical(a * x), canonical(b * y)) in members
        assert (canonical(a.inv()), canonical(b.inv())) in members
    for k, e in enumerate(els):
        assert G.index(e) == k


# -- catalog orders -------------------------------------------------------------------------


def _radical_orders() -> tuple[int, ...]:
    """The n <= 24 for which sympy writes cos and sin of 2 pi / n without trig functions."""
    return tuple(n for n in range(1, 25)
                 if not (sympy.cos(2 * sympy.pi / n).has(sympy.cos, sympy.sin)
                         or sympy.sin(2 * sympy.pi / n).has(sympy.cos, sympy.sin)))


def test_plane_orders_are_the_radical_ones() -> None:
    assert PLANE_ORDERS == _radical_orders() == (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 24)


@pytest.mark.parametrize("n", PLANE_ORDERS)
def test_plane_cyclic_and_dihedral(n: int) -> None:
    C = catalog_group(f"C{n}", 2, 2)
    assert C.order() == n and C.names == ("r",)
    r = C.inputs[0]
    # r is the exact rotation by 2 pi / n: orthogonal, det 1, order exactly n
    assert canonical(r.T * r) == M.eye(2) and sympy.simplify(r.det()) == 1
    assert sympy.simplify(r[0, 0] - sympy.cos(2 * sympy.pi / n)) == 0
    assert sympy.simplify(r[1, 0] - sympy.sin(2 * sympy.pi / n)) == 0
    powers = [C.evaluate_word(f"r^{k}")[0] for k in range(1, n + 1)]
    assert powers[-1] == M.eye(2) and M.eye(2) not in powers[:-1]
    D = catalog_group(f"D{n}", 2, 2)
    assert D.order() == 2 * n and D.names == ("r", "s")
    assert D.relations == (f"r^{n}", "s^2", "s r s r")
    if n != 15:
        _closed(D)
        return
    # D15: sympy's inv() splits the nested roots (sqrt(2)*sqrt(5 - sqrt(5))), which costs a
    # minute to read back; the elements are orthogonal, so the inverse is the transpose
    els = D.elements()
    members = set(els)
    assert len(members) == 30 and els[0] == (M.eye(2), M.eye(2))
    for a, b in els:
        for _, x, y in D.generators():
            assert (canonical(a * x), canonical(b * y)) in members
        assert canonical(a * a.T) == M.eye(2) and (canonical(a.T), canonical(b.T)) in members


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7])
def test_shift_groups(n: int) -> None:
    C = catalog_group(f"C{n}:shift", n, n)
    assert C.order() == n
    # r sends e_j to e_{j+1}
    r = C.inputs[0]
    for j in range(n):
        assert r * M.eye(n)[:, j] == M.eye(n)[:, (j + 1) % n]
    D = catalog_group(f"D{n}:shift", n, n)
    # reversal and shift generate the dihedral group of order 2n once n >= 3; on R^1 and R^2
    # the action is not faithful (D1: both trivial, D2: both the swap)
    assert D.order() == {1: 1, 2: 2}.get(n, 2 * n)
    _closed(D)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_symmetric_groups(n: int) -> None:
    S = catalog_group(f"S{n}", n, n)
    assert S.order() == math.factorial(n)
    assert S.names == (("t",) if n == 2 else ("t", "c"))
    assert all(sorted(m.tolist()) == sorted(M.eye(n).tolist()) for m, _ in S.elements())  # permutation matrices


def test_sign_trivial_mirrors_and_d4() -> None:
    sign = catalog_group("sign", 3, 3)
    assert sign.order() == 2 and sign.inputs[0] == -M.eye(3)
    assert catalog_group("trivial", 3, 3).order() == 1
    h = catalog_group("hmirror:2x3", 6, 6)
    assert h.order() == 2
    # pixel (i, j) -> (i, w-1-j), row-major: [a b c; d e f] -> [c b a; f e d]
    x = M(sympy.symbols("a b c d e f"))
    assert list(h.inputs[0] * x) == list(sympy.symbols("c b a f e d"))
    v = catalog_group("vmirror:2x3", 6, 6)
    assert v.order() == 2 and list(v.inputs[0] * x) == list(sympy.symbols("d e f a b c"))
    assert catalog_group("hmirror:3x1", 3, 3).order() == 1  # one column: nothing to mirror
    assert catalog_group("vmirror:3x1", 3, 3).order() == 2
    for k in (2, 3, 4):
        D = catalog_group(f"D4:{k}x{k}", k * k, k * k)
        assert D.order() == 8
        _closed(D)
    assert catalog_group("D4:1x1", 1, 1).order() == 1
    # r rotates a 2x2 image by 90 degrees: pixel (i, j) -> (j, 1 - i)
    r = catalog_group("D4:2x2", 4, 4).inputs[0]
    assert list(r * M(sympy.symbols("a b c d"))) == list(sympy.symbols("c a d b"))
    with pytest.raises(InputError) as info:
        catalog_group("D4:2x3", 6, 6)
    assert str(info.value) == "D4:2x3: D4 acts on square images only"


PLANE = "(1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 24)"


@pytest.mark.parametrize("n", [7, 9, 11, 13, 14, 17, 18, 19, 21, 22, 23, 25, 30, 32, 48])
def test_plane_orders_without_radicals_are_refused(n: int) -> None:
    for kind in "CD":
        with pytest.raises(InputError) as info:
            catalog_group(f"{kind}{n}", 2, 2)
        assert str(info.value) == (f"{kind}{n} on the plane needs n in {PLANE} (rotations by 2 pi / n "
                                   f"written with square roots); use {kind}{n}:shift on R^{n}")
        assert catalog_group(f"{kind}{n}:shift", n, n).order() == (n if kind == "C" else 2 * n)


def test_catalog_errors() -> None:
    cases = [
        (("C7", 2, 2), f"C7 on the plane needs n in {PLANE} (rotations by 2 pi / n written with "
                       "square roots); use C7:shift on R^7"),
        (("D9", 2, 2), f"D9 on the plane needs n in {PLANE} (rotations by 2 pi / n written with "
                       "square roots); use D9:shift on R^9"),
        (("C4", 3, 3), "group C4 acts on R^2, but the network input has dimension 3"),
        (("C3:shift", 4, 4), "group C3:shift acts on R^3, but the network input has dimension 4"),
        (("S4", 3, 3), "group S4 acts on R^4, but the network input has dimension 3"),
        (("hmirror:2x2", 5, 5), "group hmirror:2x2 acts on R^4, but the network input has dimension 5"),
        (("S1", 1, 1), "Sn needs n >= 2"),
        (("C0:shift", 0, 0), "C0:shift: n must be at least 1"),
        (("D4:0x0", 0, 0), "D4:0x0: images need at least 1 x 1 pixels"),
        (("Z4", 2, 2), "unknown group 'Z4'; catalog: Cn, Dn, Cn:shift, Dn:shift, Sn, sign, trivial, "
                       "hmirror:HxW, vmirror:HxW, D4:HxW"),
        (("c4", 2, 2), "unknown group 'c4'; catalog: Cn, Dn, Cn:shift, Dn:shift, Sn, sign, trivial, "
                       "hmirror:HxW, vmirror:HxW, D4:HxW"),
        (("C4", 2, 3), "output action 'same' needs equal input and output dimensions, got 2 and 3"),
    ]
    for args, message in cases:
        with pytest.raises(InputError) as info:
            catalog_group(*args)
        assert str(info.value) == message, args
    with pytest.raises(InputError) as info:
        catalog_group("C4", 2, 2, output="mirror")
    assert str(info.value) == "output action must be 'same', 'trivial' or explicit matrices, got 'mirror'"


def test_output_modes_and_specs() -> None:
    same = catalog_group("D4", 2, 2)
    assert same.outputs == same.inputs and same.output_mode == "same"
    inv = group_from_spec("D4/trivial", 2, 3)
    assert inv.outputs == (M.eye(3), M.eye(3)) and inv.output_mode == "trivial"
    assert inv.order() == 8 and inv.output_dim == 3 and inv.input_dim == 2
    assert group_from_spec(" C4 / same ", 2, 2).outputs == (R90,)
    assert group_from_spec("C4", 2, 2).output_mode == "same"
    with pytest.raises(InputError, match="output action must be"):
        group_from_spec("C4/trivial/x", 2, 1)
    with pytest.raises(InputError, match="unknown group ''"):
        group_from_spec("", 2, 2)
    for path in ("/tmp/missing-group.toml", "./g.json", "groups/c8.toml"):
        with pytest.raises(InputError) as info:
            group_from_spec(path, 2, 2)
        assert str(info.value) == (f"no group file {path!r} (and it is not a catalog name such as C8 "
                                   "or D4/trivial)")


# -- words and relations --------------------------------------------------------------------


def test_parse_word() -> None:
    names = ("r", "s", "t2")
    assert parse_word("s r^-1 s r", names) == [("s", 1), ("r", -1), ("s", 1), ("r", 1)]
    assert parse_word("r^4", names) == [("r", 4)]
    assert parse_word("r*s * t2^2", names) == [("r", 1), ("s", 1), ("t2", 2)]
    assert parse_word("  r ^ 2  s ", names) == [("r", 2), ("s", 1)]
    assert parse_word("r^0", names) == [("r", 0)]
    errors = {
        "rs": "relation 'rs' names unknown generator 'rs'",
        "q": "relation 'q' names unknown generator 'q'",
        "r^": "cannot parse relation 'r^' at position 2",
        "r^x": "cannot parse relation 'r^x' at position 2",
        "1": "cannot parse relation '1' at position 1",
        "r^99999": "relation 'r^99999' has an exponent too large",
        "": 'a relation must be a non-empty word such as "r^4"',
        "  ": 'a relation must be a non-empty word such as "r^4"',
        "r;s": "cannot parse relation 'r;s' at position 2",
    }
    for word, message in errors.items():
        with pytest.raises(InputError) as info:
            parse_word(word, names)
        assert str(info.value) == message
    with pytest.raises(InputError, match="longer than 2000 characters"):
        parse_word("r " * 5000, names)


def test_evaluate_word_and_relations() -> None:
    D = catalog_group("D4", 2, 2)
    r, s = D.inputs
    assert D.evaluate_word("r^-1") == (R90.T, R90.T)
    assert D.evaluate_word("s r")[0] == s * r  # left to right: the product s r
    assert D.evaluate_word("r^4001")[0] == r  # fast powers
    assert D.evaluate_word("r^-3 s")[0] == r * s
    D.check_relations()
    start = time.perf_counter()
    GroupAction(("r",), (R90,), (R90,), relations=(" ".join(["r^10000"] * 100),)).check_relations()
    assert time.perf_counter() - start < 2
    with pytest.raises(InputError) as info:
        GroupAction(("r",), (R90,), (R90,), relations=("r^4", "r^2", "r^3")).check_relations()
    assert str(info.value) == "relation 'r^2' does not hold: it evaluates to a non-identity element"


# -- generators: refusals -------------------------------------------------------------------


def test_generator_validation() -> None:
    cases = [
        ((("a",), (M([[1, 0], [0, 0]]),), (R90,)), "generator a: input matrix is singular"),
        ((("a",), (R90,), (M([[1, 1], [1, 1]]),)), "generator a: output matrix is singular"),
        ((("a",), (M([[1, 0, 0], [0, 1, 0]]),), (R90,)), "generator a: input matrix is not square"),
        ((("a", "b"), (R90, M.eye(3)), (R90, R90)), "generator b: input matrix has shape (3, 3), expected (2, 2)"),
        ((("a",), (M([[sympy.Symbol("x"), 0], [0, 1]]),), (R90,)), "generator a: input matrix contains symbols"),
        (((), (), ()), "a group needs at least one generator"),
        ((("a", "a"), (R90, R90), (R90, R90)), "generator names must be distinct"),
        ((("a",), (R90, R90), (R90,)), "every generator needs an input and an output matrix"),
    ]
    for (names, ins, outs), message in cases:
        with pytest.raises(InputError) as info:
            GroupAction(names, ins, outs)
        assert str(info.value) == message
    with pytest.raises(InputError, match="unknown generator 'q'; the group has r, s"):
        catalog_group("D4", 2, 2).generator("q")


@pytest.mark.parametrize(
    "matrix, reason",
    [
        ([["3/5", "-4/5"], ["4/5", "3/5"]], "its trace 6/5 is not an integer"),
        ([["2", "0"], ["0", "1"]], "its determinant 2 is not 1 or -1"),
        ([["1", "1"], ["0", "1"]], "its eigenvalues are roots of unity of order dividing 1, but its power 1 is not the identity"),
        ([["2", "1"], ["1", "1"]], "its trace 3 exceeds the dimension 2 in absolute value"),
        ([["0", "-1"], ["1", "1"]] , None),  # order 6
        ([["sqrt(2)", "-1"], ["1", "sqrt(2)"]], "its determinant 3 is not 1 or -1"),
    ],
)
def test_infinite_generators_refused_at_once(matrix: list[list[str]], reason: str | None) -> None:
    start = time.perf_counter()
    if reason is None:
        G = group_from_dict({"generators": {"a": {"input": matrix}}}, 2, 2)
        assert G.order() == 6
        return
    with pytest.raises(InputError) as info:
        group_from_dict({"generators": {"a": {"input": matrix}}}, 2, 2)
    assert str(info.value) == f"{INFINITE} (the input matrix of 'a' has infinite order: {reason})"
    assert time.perf_counter() - start < 2


def test_infinite_group_from_finite_generators() -> None:
    # two reflections at an irrational angle: each of order 2, their product of infinite order
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        group_from_dict({"generators": {"s": {"input": [["1", "0"], ["0", "-1"]]},
                                        "t": {"input": [["3/5", "4/5"], ["4/5", "-3/5"]]}}}, 2, 2)
    assert str(info.value).startswith(INFINITE)
    assert "'s t'" in str(info.value)
    assert time.perf_counter() - start < 2
    # infinite on the output side only
    with pytest.raises(InputError) as info:
        group_from_dict({"generators": {"a": {"input": [["0", "-1"], ["1", "0"]],
                                              "output": [["3/5", "-4/5"], ["4/5", "3/5"]]}}}, 2, 2)
    assert str(info.value) == f"{INFINITE} (the output matrix of 'a' has infinite order: its trace 6/5 is not an integer)"


def test_too_large_groups_and_order_limit() -> None:
    with pytest.raises(InputError) as info:
        group_from_dict({"name": "C8", "order_limit": 4}, 2, 2)
    assert str(info.value) == "the generators produce more than 4 elements: the group is infinite or too large"
    assert group_from_dict({"name": "C8", "order_limit": 8}, 2, 2).order() == 8
    for bad in (0, -1, True, "10", 10**7):
        with pytest.raises(InputError) as info:
            group_from_dict({"name": "C8", "order_limit": bad}, 2, 2)
        assert str(info.value) == "[group] order_limit must be an integer from 1 to 1000000"
    assert DEFAULT_ORDER_LIMIT == 10_000
    # permutation groups past the limit are refused from their order, without enumerating
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        catalog_group("S8", 8, 8).order()
    assert str(info.value) == ("the generators produce more than 10000 elements: the group is too "
                               "large (it has 40320 elements)")
    assert time.perf_counter() - start < 2
    assert signed_permutation_order(catalog_group("D4:3x3", 9, 1, "trivial").inputs, (M.eye(1),) * 2) == 8
    assert signed_permutation_order((R90,), (M([[2]]),)) is None
    assert signed_permutation_order((catalog_group("C3", 2, 2).inputs[0],), (M.eye(1),)) is None


def test_infinite_order_reason_on_finite_matrices() -> None:
    for n in PLANE_ORDERS:
        assert infinite_order_reason(catalog_group(f"C{n}", 2, 2).inputs[0]) is None
    for m, _ in catalog_group("S4", 4, 4).elements():
        assert infinite_order_reason(m) is None
    assert infinite_order_reason(-M.eye(5)) is None


# -- [group] tables -------------------------------------------------------------------------

ROT = [["0", "-1"], ["1", "0"]]
MIR = [["1", "0"], ["0", "-1"]]


def test_group_from_dict_generators_and_modes() -> None:
    G = group_from_dict({"generators": {"r": {"input": ROT}, "s": {"input": MIR, "output": "same"}},
                         "relations": ["r^4", "s^2", "s r s r"]}, 2, 2)
    assert G.order() == 8 and G.output_mode == "same" and G.relations == ("r^4", "s^2", "s r s r")
    T = group_from_dict({"generators": {"r": {"input": ROT, "output": "trivial"}}}, 2, 1)
    assert T.outputs == (M.eye(1),) and T.output_mode == "trivial" and T.order() == 4
    # a group-level output is the default of every generator
    T2 = group_from_dict({"generators": {"r": {"input": ROT}}, "output": "trivial"}, 2, 1)
    assert T2.outputs == (M.eye(1),) and T2.output_mode == "trivial"
    E = group_from_dict({"generators": {"r": {"input": ROT, "output": [["-1"]]}}}, 2, 1)
    assert E.output_mode == "explicit" and E.order() == 4  # the pair (r, -1) has order 4
    mixed = group_from_dict({"generators": {"r": {"input": ROT}, "s": {"input": MIR, "output": "trivial"}}}, 2, 2)
    assert mixed.output_mode == "explicit"
    alg = group_from_dict({"generators": {"r": {"input": [["sqrt(2)/2", "-sqrt(2)/2"],
                                                          ["sqrt(2)/2", "sqrt(2)/2"]]}},
                           "relations": ["r^8"]}, 2, 2)
    assert alg.order() == 8
    cat = group_from_dict({"name": "D4", "output": "trivial", "description": "x"}, 2, 1)
    assert cat.order() == 8 and cat.catalog == "D4" and cat.output_mode == "trivial"


def test_catalog_table_relations_are_checked() -> None:
    assert group_from_dict({"name": "C4", "relations": ["r^8", "r^-4"]}, 2, 2).order() == 4
    with pytest.raises(InputError) as info:
        group_from_dict({"name": "C4", "relations": ["r^2"]}, 2, 2)
    assert str(info.value) == "relation 'r^2' does not hold: it evaluates to a non-identity element"
    with pytest.raises(InputError, match="names unknown generator 's'"):
        group_from_dict({"name": "C4", "relations": ["s^2"]}, 2, 2)


@pytest.mark.parametrize(
    "table, message",
    [
        ({"name": "C4", "generators": {"r": {"input": ROT}}}, "[group] gives both a catalog name and generators; give one"),
        ({"name": "C4", "foo": 1}, "[group] has unknown key(s): foo"),
        ({"name": 4}, "[group] name must be a string"),
        ({"name": "C4", "output": [["1"]]}, '[group] output must be "same" or "trivial" (explicit matrices go under each generator)'),
        ({}, "[group] needs a catalog name or at least one [group.generators.NAME]"),
        ({"generators": {}}, "[group] needs a catalog name or at least one [group.generators.NAME]"),
        ({"generators": {"r": {"output": "same"}}}, "generator r: needs an 'input' matrix"),
        ({"generators": {"r": [1]}}, "generator r: needs an 'input' matrix"),
        ({"generators": {"r": {"input": ROT, "inptu": 1}}}, "generator r: unknown key(s): inptu"),
        ({"generators": {"r s": {"input": ROT}}}, "generator name 'r s' must be letters, digits and _, starting with a letter"),
        ({"generators": {"r^2": {"input": ROT}}}, "generator name 'r^2' must be letters, digits and _, starting with a letter"),
        ({"generators": {"r": {"input": [["1"]]}}}, "generator r input has shape 1 x 1, expected 2 x 2"),
        ({"generators": {"r": {"input": ROT, "output": [["1"]]}}}, "generator r output has shape 1 x 1, expected 2 x 2"),
        ({"generators": {"r": {"input": ROT, "output": "mirror"}}}, "generator r output must be a non-empty list of rows"),
        ({"generators": {"r": {"input": [["a", "0"], ["0", "1"]]}}},
         "cannot parse number 'a': unknown name 'a' at position 1 (symbols are not allowed here) "
         "(in generator r input entry (1, 1))"),
        ({"generators": {"r": {"input": [["1.5", "0"], ["0", 1.5]]}}},
         'number 1.5 is a float; write it as a string such as "3/2" or "1.5" (in generator r input entry (2, 2))'),
        ({"generators": {"r": {"input": [["0", "0"], ["0", "1"]]}}}, "generator r: input matrix is singular"),
        ({"generators": {"r": {"input": ROT}}, "relations": "r^4"}, '[group] relations must be a list of words such as "r^4"'),
        ({"generators": {"r": {"input": ROT}}, "relations": ["r^4", "r^3"]},
         "relation 'r^3' does not hold: it evaluates to a non-identity element"),
        ({"generators": {"r": {"input": ROT}}, "output": "other"},
         '[group] output must be "same" or "trivial" (explicit matrices go under each generator)'),
    ],
)
def test_group_from_dict_errors(table: dict, message: str) -> None:
    with pytest.raises(InputError) as info:
        group_from_dict(table, 2, 2)
    assert str(info.value) == message


def test_group_from_dict_dimension_errors() -> None:
    with pytest.raises(InputError) as info:
        group_from_dict({"generators": {"r": {"input": ROT}}}, 2, 3)
    assert str(info.value) == "generator r: output 'same' needs d_L = d_0"
    with pytest.raises(InputError) as info:
        group_from_dict({"name": "C4"}, 3, 3)
    assert str(info.value) == "group C4 acts on R^2, but the network input has dimension 3"
    with pytest.raises(InputError, match=r"^\[group\] must be a table$"):
        group_from_dict(["C4"], 2, 2)


def test_to_dict_round_trip() -> None:
    for name, d in (("D12", 2), ("C3:shift", 3), ("S3", 3), ("hmirror:2x2", 4), ("D8", 2)):
        G = catalog_group(name, d, d)
        table = G.to_dict()
        H = group_from_dict(table, d, d)
        assert H.inputs == G.inputs and H.outputs == G.outputs and H.order() == G.order()
        assert table["description"] == f"catalog group {name}"
    T = group_from_spec("C4/trivial", 2, 1)
    assert group_from_dict(T.to_dict(), 2, 1).outputs == (M.eye(1),)


# -- closure against sympy.combinatorics ----------------------------------------------------


def _perm_matrix(images: list[int]) -> M:
    n = len(images)
    return M(n, n, lambda i, j: 1 if images[j] == i else 0)


def _signed_matrix(images: list[int], signs: list[int]) -> M:
    n = len(images)
    return M(n, n, lambda i, j: signs[j] if images[j] == i else 0)


@st.composite
def permutation_generators(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 3))
    return n, [draw(st.permutations(range(n))) for _ in range(k)]


@FAST
@given(permutation_generators(), st.sampled_from(["same", "trivial", "sign"]))
def test_closure_matches_permutation_groups(case: tuple[int, list[list[int]]], output: str) -> None:
    n, perms = case
    names = tuple(f"g{k}" for k in range(len(perms)))
    ins = tuple(_perm_matrix(p) for p in perms)
    if output == "same":
        outs = ins
    elif output == "trivial":
        outs = tuple(M.eye(1) for _ in perms)
    else:  # each generator also flips the sign of a 1-dimensional output
        outs = tuple(-M.eye(1) for _ in perms)
    G = GroupAction(names, ins, outs)
    P = PermutationGroup([Permutation(p) for p in perms])
    expected = P.order()
    if output == "sign":
        # the pairs (perm, -1) generate |P| or 2|P| elements; sympy counts them as the group of
        # the permutations extended by the swap of two extra points n, n+1 (the sign)
        Q = PermutationGroup([Permutation(list(p) + [n + 1, n]) for p in perms])
        expected = Q.order()
    assert G.order() == expected
    _closed(G)


@FAST
@given(st.integers(1, 4).flatmap(lambda n: st.lists(
    st.tuples(st.permutations(range(n)), st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n)),
    min_size=1, max_size=2)))
def test_closure_matches_signed_permutation_groups(gens: list[tuple[list[int], list[int]]]) -> None:
    n = len(gens[0][0])
    ins = tuple(_signed_matrix(list(p), s) for p, s in gens)
    G = GroupAction(tuple(f"g{k}" for k in range(len(gens))), ins, ins)
    # a signed permutation is a permutation of the 2n vectors +-e_j (point j, j + n for -e_j)
    def as_perm(p: list[int], s: list[int]) -> Permutation:
        img = [0] * (2 * n)
        for j in range(n):
            img[j] = p[j] if s[j] == 1 else p[j] + n
            img[j + n] = p[j] + n if s[j] == 1 else p[j]
        return Permutation(img)
    P = PermutationGroup([as_perm(list(p), s) for p, s in gens])
    assert G.order() == P.order()
    assert signed_permutation_order(G.inputs, G.outputs) == G.order()
    _closed(G)


PYTHAGOREAN = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29)]


@FAST
@given(st.sampled_from(PYTHAGOREAN), st.sampled_from([1, -1]), st.booleans())
def test_rational_rotations_of_infinite_order_are_refused_fast(abc: tuple[int, int, int], sign: int,
                                                                reflect: bool) -> None:
    a, b, c = abc
    rot = [[f"{a}/{c}", f"{-sign * b}/{c}"], [f"{sign * b}/{c}", f"{a}/{c}"]]
    gens = {"r": {"input": rot}}
    if reflect:
        gens = {"s": {"input": MIR}, "t": {"input": [[f"{a}/{c}", f"{b}/{c}"], [f"{b}/{c}", f"{-a}/{c}"]]}}
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        group_from_dict({"generators": gens, "order_limit": 1_000_000}, 2, 2)
    assert str(info.value).startswith("the generators produce more than 1000000 elements: the group is infinite (")
    assert time.perf_counter() - start < 2


def test_oversized_group_names() -> None:
    # "C999...9:shift" used to raise ValueError (Python's 4300-digit int limit)
    for name in ("C" + "9" * 5000 + ":shift", "S" + "9" * 5000, "hmirror:" + "9" * 5000 + "x2"):
        with pytest.raises(InputError) as info:
            catalog_group(name, 2, 2)
        assert str(info.value) == f"group name {name[:40]!r}... is not a catalog name"
    with pytest.raises(InputError) as info:
        group_from_spec("Q" * 90, 2, 2)
    assert str(info.value).startswith(f"unknown group {'Q' * 60!r}; catalog:")


_leaf = (st.none() | st.booleans() | st.integers(-3, 5) | st.floats() | st.text(max_size=5)
         | st.sampled_from(["1", "0", "-1", "same", "trivial", "r^2", ""]))
_values = st.recursive(_leaf, lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.text(max_size=3), ch, max_size=2),
                       max_leaves=12)
_matrices = st.lists(st.lists(_values, max_size=3), max_size=3) | _values


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(_matrices, st.one_of(st.none(), _matrices), st.one_of(st.none(), _values), st.integers(1, 2), st.integers(1, 2))
def test_fuzzed_group_tables_raise_only_input_errors(a: object, b: object, rel: object, d0: int, d1: int) -> None:
    g = {"input": a}
    if b is not None:
        g["output"] = b
    table: dict = {"generators": {"r": g}}
    if rel is not None:
        table["relations"] = rel
    try:
        G = group_from_dict(table, d0, d1)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert G.order() >= 1
        _closed(G)


# -- nested square roots: n = 5, 10, 15, 16, 20 ---------------------------------------------

NESTED = (5, 10, 15, 16, 20)
S5 = sympy.sqrt(sympy.Rational(5, 8) - sympy.sqrt(5) / 8)  # sin(pi / 5)


def test_canonical_decides_equality_of_nested_roots() -> None:
    c5 = sympy.sqrt(sympy.Rational(5, 8) + sympy.sqrt(5) / 8)  # sin(2 pi / 5)
    assert canonical(M([[S5 * c5]])) == M([[sympy.sqrt(5) / 4]])
    # sympy's own rewriting of S5 (as in inv()) reads back to the same expression
    split = sympy.sqrt(2) * sympy.sqrt(5 - sympy.sqrt(5)) / 4
    assert canonical(M([[split]])) == canonical(M([[S5]])) == M([[S5]])
    assert canonical(M([[1 / S5]])) == canonical(M([[S5 / (sympy.Rational(5, 8) - sympy.sqrt(5) / 8)]]))
    # a number of Q(sqrt 5) written with nested roots gets the expression expand() gives
    assert canonical(M([[c5 ** 2 - S5 ** 2]])) == M([[sympy.sqrt(5) / 4]])
    # cos(pi / 8) = sin(pi / 8) (1 + sqrt 2), written in the basis 1, sqrt 2, t, sqrt(2) t
    t = sympy.sqrt(sympy.Rational(1, 2) - sympy.sqrt(2) / 4)
    assert canonical(M([[sympy.cos(sympy.pi / 8)]])) == M([[t + sympy.sqrt(2) * t]])


@pytest.mark.parametrize("n", NESTED)
def test_nested_plane_groups_are_exact(n: int) -> None:
    from symeq.certify.hints import numbers_hint
    from symeq.certify.reader import Reader
    from symeq.exact import matrix_to_strings, parse_number

    D = catalog_group(f"D{n}", 2, 2, output="trivial")
    els = D.elements()
    assert len(els) == 2 * n
    # associativity through canonical(): (a b) c and a (b c) give the same expression
    r, s = D.inputs
    for a, _ in els[:6]:
        for b, _ in els[-4:]:
            assert canonical(canonical(a * b) * r) == canonical(a * canonical(b * r))
            assert canonical(canonical(s * a) * b) == canonical(s * canonical(a * b))
    # rotation angles: r^k is the rotation by 2 pi k / n, exactly once each
    angles = set()
    for a, _ in els:
        if canonical(a.T * a) != M.eye(2):
            raise AssertionError("not orthogonal")
        angles.add((sympy.atan2(sympy.N(a[1, 0], 30), sympy.N(a[0, 0], 30)) * n / (2 * sympy.pi)).evalf(20))
    assert len(angles) == n  # each angle once as a rotation, once as a reflection
    # the strings written to files read back (the engine's parser, and the kernel's reader with
    # the number field hint the engine writes) to the same numbers
    strings = [matrix_to_strings(a) for a, _ in els]
    hint = numbers_hint({"matrices": strings})
    hint.pop("alpha", None)
    read = Reader({"numbers": hint})
    for (a, _), rows in zip(els, strings):
        back = M(2, 2, [parse_number(x) for row in rows for x in row])
        assert canonical(back) == a
        for row, arow in zip(rows, a.tolist()):
            for text, value in zip(row, arow):
                assert abs(float(read.const(text).ball(64).mid()) - float(value)) < 1e-12
