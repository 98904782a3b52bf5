"""Named groups with their standard actions, and reading the ``[group]`` table of a file.

Catalog names (case-sensitive):

==================  =========================================================================
``Cn``              cyclic group, rotation of R^2 by 2 pi / n (n in :data:`PLANE_ORDERS`)
``Dn``              dihedral group on R^2: rotation r and the reflection s = diag(1, -1)
``Cn:shift``        cyclic group on R^n, r the cyclic shift of coordinates
``Dn:shift``        dihedral group on R^n: cyclic shift r and reversal s
``Sn``              symmetric group permuting the n coordinates (transposition t, n-cycle c; S2: t)
``sign``            the group {I, -I} on the input space
``trivial``         the trivial group
``hmirror:HxW``     horizontal mirror of H x W images flattened row-major (columns reversed)
``vmirror:HxW``     vertical mirror of H x W images (rows reversed)
``D4:HxW``          rotations by 90 degrees (r) and the horizontal mirror (s) of H x H images
==================  =========================================================================

The output action is ``same`` (the input matrices; needs d_L = d_0), ``trivial`` (identity on
R^{d_L}: invariance), or explicit matrices in a file.  On the command line a suffix picks it:
``C4/trivial``.

>>> G = catalog_group("D4", 2, 2)
>>> G.order(), G.names
(8, ('r', 's'))
>>> catalog_group("hmirror:2x3", 6, 1, output="trivial").inputs[0][0, 2]
1
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy import ImmutableMatrix

from symeq.errors import InputError
from symeq.exact import parse_matrix
from symeq.groups.action import GroupAction

__all__ = ["catalog_group", "group_from_dict", "group_from_spec", "load_group", "CATALOG_NAMES", "MAX_GENERATORS",
           "grid_images"]

#: Most generators a [group] table may list: the checker's limit too, so that every group the
#: engine accepts has certificates the checker reads.
MAX_GENERATORS = 32

CATALOG_NAMES = ("Cn", "Dn", "Cn:shift", "Dn:shift", "Sn", "sign", "trivial", "hmirror:HxW",
                 "vmirror:HxW", "D4:HxW")

_GENERATOR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

#: The n <= 24 for which sympy writes cos(2 pi / n) and sin(2 pi / n) with (nested) square
#: roots: those of Q(sqrt 2, sqrt 3) (n = 1, 2, 3, 4, 6, 8, 12, 24) and of the fields of
#: symeq.groups.action.NESTED_FIELDS (n = 5, 10, 20; 16; 15), where products are canonical.
#: For other n (7, 9, 11, ...) sympy keeps cos(2*pi/7): no exact closure, so Cn:shift is offered.
PLANE_ORDERS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 24)


def _rotation(n: int) -> ImmutableMatrix:
    c, s = sympy.cos(2 * sympy.pi / n), sympy.sin(2 * sympy.pi / n)
    return ImmutableMatrix([[c, -s], [s, c]])


def _perm_matrix(images: list[int]) -> ImmutableMatrix:
    """The matrix sending basis vector e_j to e_{images[j]}."""
    n = len(images)
    m = sympy.zeros(n, n)
    for j, i in enumerate(images):
        m[i, j] = 1
    return ImmutableMatrix(m)


def grid_images(h: int, w: int, f) -> tuple[int, ...]:
    """Where each cell of an h x w grid goes when cell (i, j) goes to f(i, j), cells indexed
    row-major (i * w + j): the pixel permutation of an image symmetry, or a token permutation
    of image patches.

    >>> grid_images(2, 2, lambda i, j: (i, 1 - j))  # the horizontal mirror
    (1, 0, 3, 2)
    """
    images = [0] * (h * w)
    for i in range(h):
        for j in range(w):
            a, b = f(i, j)
            images[i * w + j] = a * w + b
    return tuple(images)


def _image_perm(h: int, w: int, f) -> ImmutableMatrix:
    return _perm_matrix(list(grid_images(h, w, f)))


def _inputs(base: str, d_in: int) -> tuple[tuple[str, ...], tuple[ImmutableMatrix, ...], tuple[str, ...]]:
    m = re.fullmatch(r"([CD])(\d+)", base)
    if m:
        kind, n = m.group(1), int(m.group(2))
        if n not in PLANE_ORDERS:
            raise InputError(f"{base} on the plane needs n in {PLANE_ORDERS} (rotations by 2 pi / n "
                             f"written with square roots); use {base}:shift on R^{n}")
        _need(base, d_in, 2)
        r = _rotation(n)
        if kind == "C":
            return ("r",), (r,), (f"r^{n}",)
        s = ImmutableMatrix([[1, 0], [0, -1]])
        return ("r", "s"), (r, s), (f"r^{n}", "s^2", "s r s r")
    m = re.fullmatch(r"([CD])(\d+):shift", base)
    if m:
        kind, n = m.group(1), int(m.group(2))
        if n < 1:
            raise InputError(f"{base}: n must be at least 1")
        _need(base, d_in, n)
        r = _perm_matrix([(j + 1) % n for j in range(n)])
        if kind == "C":
            return ("r",), (r,), (f"r^{n}",)
        s = _perm_matrix([n - 1 - j for j in range(n)])
        return ("r", "s"), (r, s), (f"r^{n}", "s^2", "s r s r")
    m = re.fullmatch(r"S(\d+)", base)
    if m:
        n = int(m.group(1))
        _need(base, d_in, n)
        if n < 2:
            raise InputError("Sn needs n >= 2")
        t = _perm_matrix([1, 0] + list(range(2, n)))
        if n == 2:  # the n-cycle is the transposition itself: one generator, not two equal ones
            return ("t",), (t,), ("t^2",)
        c = _perm_matrix([(j + 1) % n for j in range(n)])
        return ("t", "c"), (t, c), ("t^2", f"c^{n}")
    if base == "sign":
        return ("m",), (-ImmutableMatrix.eye(d_in),), ("m^2",)
    if base == "trivial":
        return ("e",), (ImmutableMatrix.eye(d_in),), ("e",)
    m = re.fullmatch(r"(hmirror|vmirror|D4):(\d+)x(\d+)", base)
    if m:
        kind, h, w = m.group(1), int(m.group(2)), int(m.group(3))
        if h < 1 or w < 1:
            raise InputError(f"{base}: images need at least 1 x 1 pixels")
        _need(base, d_in, h * w)
        hm = _image_perm(h, w, lambda i, j: (i, w - 1 - j))
        if kind == "hmirror":
            return ("s",), (hm,), ("s^2",)
        if kind == "vmirror":
            return ("s",), (_image_perm(h, w, lambda i, j: (h - 1 - i, j)),), ("s^2",)
        if h != w:
            raise InputError(f"{base}: D4 acts on square images only")
        rot = _image_perm(h, w, lambda i, j: (j, h - 1 - i))
        return ("r", "s"), (rot, hm), ("r^4", "s^2", "s r s r")
    raise InputError(f"unknown group {base[:60]!r}; catalog: {', '.join(CATALOG_NAMES)}")


def _need(name: str, d_in: int, d: int) -> None:
    if d_in != d:
        raise InputError(f"group {name} acts on R^{d}, but the network input has dimension {d_in}")


def catalog_group(name: str, d_in: int, d_out: int, output: str = "same") -> GroupAction:
    """The catalog group ``name`` acting on R^{d_in} (input) and R^{d_out} (output)."""
    if not isinstance(name, str) or len(name) > 100:
        # (also keeps int() below Python's 4300-digit limit: "C999...9:shift" raised ValueError)
        raise InputError(f"group name {str(name)[:40]!r}... is not a catalog name")
    names, inputs, relations = _inputs(name, d_in)
    if output == "same":
        if d_out != d_in:
            raise InputError(
                f"output action 'same' needs equal input and output dimensions, got {d_in} and {d_out}"
            )
        outputs = inputs
    elif output == "trivial":
        outputs = tuple(ImmutableMatrix.eye(d_out) for _ in inputs)
    else:
        raise InputError(f"output action must be 'same', 'trivial' or explicit matrices, got {output[:60]!r}")
    G = GroupAction(names, inputs, outputs, relations, catalog=name, output_mode=output)
    G.check_relations()
    return G


def group_from_spec(spec: str, d_in: int, d_out: int) -> GroupAction:
    """A catalog group from a command-line spec ``NAME[/same|/trivial]``.

    A spec that looks like a path (a file name ending .toml or .json, or one starting with /
    or .) is reported as a missing file, not as an unknown catalog name.

    >>> group_from_spec("C4/trivial", 2, 1).order()
    4
    >>> group_from_spec("/no/such/group.toml", 2, 2)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: no group file '/no/such/group.toml' (and it is not a catalog name such as C8 or D4/trivial)
    """
    if spec.startswith(("/", ".")) or spec.endswith((".toml", ".json")):
        raise InputError(f"no group file {spec!r} (and it is not a catalog name such as C8 or D4/trivial)")
    base, _, output = spec.partition("/")
    return catalog_group(base.strip(), d_in, d_out, output.strip() or "same")


def group_from_dict(d: object, d_in: int, d_out: int) -> GroupAction:
    """The ``[group]`` table: ``name = ...`` (catalog) or ``[group.generators.NAME]`` tables
    with ``input`` and ``output`` matrices (``output`` may be "same" or "trivial"; a group-level
    ``output`` is the default of every generator), and an optional list ``relations`` of words
    that must hold (checked for catalog groups too).

    >>> G = group_from_dict({"generators": {"r": {"input": [["0", "-1"], ["1", "0"]]}},
    ...                      "output": "trivial", "relations": ["r^4"]}, 2, 1)
    >>> G.order(), G.outputs[0]
    (4, Matrix([[1]]))
    """
    if not isinstance(d, dict):
        raise InputError("[group] must be a table")
    unknown = {str(k) for k in d} - {"name", "output", "generators", "relations", "description",
                                     "order_limit"}
    if unknown:
        raise InputError(f"[group] has unknown key(s): {', '.join(sorted(unknown))}")
    limit = d.get("order_limit", 10_000)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1_000_000:
        raise InputError("[group] order_limit must be an integer from 1 to 1000000")
    relations = d.get("relations", [])
    if not isinstance(relations, list) or not all(isinstance(w, str) for w in relations):
        raise InputError("[group] relations must be a list of words such as \"r^4\"")
    default_output = d.get("output", "same")
    if default_output not in ("same", "trivial"):
        raise InputError("[group] output must be \"same\" or \"trivial\" (explicit matrices go "
                         "under each generator)")
    if "name" in d:
        if "generators" in d:
            raise InputError("[group] gives both a catalog name and generators; give one")
        if not isinstance(d["name"], str):
            raise InputError("[group] name must be a string")
        G = catalog_group(d["name"], d_in, d_out, default_output)
        if relations:  # the file's own relations must hold too (they were ignored before)
            G = GroupAction(G.names, G.inputs, G.outputs, G.relations + tuple(relations),
                            G.catalog, G.output_mode)
            G.check_relations()
    else:
        gens = d.get("generators")
        if not isinstance(gens, dict) or not gens:
            raise InputError("[group] needs a catalog name or at least one [group.generators.NAME]")
        if len(gens) > MAX_GENERATORS:
            raise InputError(f"[group] has {len(gens)} generators, more than the limit {MAX_GENERATORS} "
                             "(MAX_GENERATORS, docs/reference/schema.md; a group of order n needs at most "
                             "log2(n) generators)")
        names, inputs, outputs, modes = [], [], [], set()
        for name, g in gens.items():
            if not isinstance(name, str) or not _GENERATOR_NAME.fullmatch(name):
                raise InputError(f"generator name {str(name)[:60]!r} must be letters, digits and _, "
                                 "starting with a letter")
            if not isinstance(g, dict) or "input" not in g:
                raise InputError(f"generator {name}: needs an 'input' matrix")
            extra = {str(k) for k in g} - {"input", "output", "description"}
            if extra:
                raise InputError(f"generator {name}: unknown key(s): {', '.join(sorted(extra))}")
            a = parse_matrix(g["input"], (d_in, d_in), f"generator {name} input", "forbid")
            out: Any = g.get("output", default_output)
            if out == "same":
                if d_out != d_in:
                    raise InputError(f"generator {name}: output 'same' needs d_L = d_0")
                b = a
            elif out == "trivial":
                b = ImmutableMatrix.eye(d_out)
            else:
                b = parse_matrix(out, (d_out, d_out), f"generator {name} output", "forbid")
                out = "explicit"
            modes.add(out)
            names.append(name)
            inputs.append(a)
            outputs.append(b)
        G = GroupAction(tuple(names), tuple(inputs), tuple(outputs), tuple(relations),
                        output_mode=modes.pop() if len(modes) == 1 else "explicit")
        G.check_relations()
    if limit != G.order_limit:
        G = GroupAction(G.names, G.inputs, G.outputs, G.relations, G.catalog, G.output_mode, limit)
    G.elements()  # refuse infinite or too large groups up front
    return G


def load_group(spec: str, d_in: int, d_out: int, read_table: Any = None) -> GroupAction:
    """The group named by ``spec``: a file with a ``[group]`` table (read by ``read_table(table)``
    when given, else :func:`group_from_dict` on R^d_in and R^d_out), or a catalog spec such as
    ``C4``, ``D4:4x4`` or ``S2/trivial``.

    >>> load_group("C4", 2, 2).order()
    4
    >>> load_group("missing.toml", 2, 2)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot read missing.toml: No such file or directory
    """
    from pathlib import Path

    from symeq.files import load_document

    if Path(spec).is_file() or Path(spec).suffix.lower() in (".toml", ".json"):  # load_document says if it is missing
        doc = load_document(spec)
        if "group" not in doc:
            raise InputError(f"{spec}: no [group] table")
        return read_table(doc["group"]) if read_table is not None else group_from_dict(doc["group"], d_in, d_out)
    return group_from_spec(spec, d_in, d_out)
