"""The shape of the package (issue 11): architectures live behind the protocol.

- Outside the MLP's own package and the modules that declare themselves MLP theory
  (``__architectures__ = ("mlp",)``, like networkx's ``@not_implemented_for``), at most 10 files
  under symeq/ touch the MLP's internals (``.weights``, ``.biases``) or name its class.
- The generic stages import nothing from an architecture's package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SYMEQ = Path(__file__).resolve().parents[1] / "symeq"
MLP_INTERNALS = re.compile(r"\.weights\b|\.biases\b|\bMLP\b")
GENERIC = ("construction", "identifiability", "symmetry", "equivariance")


def _declares_mlp_only(path: Path) -> bool:
    for p in (path, path.parent / "__init__.py"):
        if p.exists() and re.search(r'^__architectures__ = \("mlp",\)', p.read_text(), re.M):
            return True
    return False


def _code(path: Path) -> str:
    """The source without comments, docstrings and string literals (a docstring or a message may
    say "MLP": a convolutional network reports what its lowered MLP decided)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.unparse(tree)


def test_at_most_ten_files_outside_the_mlp_package_touch_mlp_internals() -> None:
    touching = []
    for path in sorted(SYMEQ.rglob("*.py")):
        rel = path.relative_to(SYMEQ).as_posix()
        if rel.startswith("architectures/mlp/") or rel.startswith("kernel/mlp") or _declares_mlp_only(path):
            continue
        if MLP_INTERNALS.search(_code(path)):
            touching.append(rel)
    assert len(touching) <= 10, touching


def test_generic_stages_import_no_architecture_package() -> None:
    offenders = []
    for stage in GENERIC:
        for path in (SYMEQ / stage).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for m in filter(None, [module, *names]):
                    if m.startswith("symeq.architectures.") and m not in ("symeq.architectures.base",):
                        offenders.append(f"{path.relative_to(SYMEQ)}: {m}")
    assert offenders == []
