"""How results show in Jupyter: ``_repr_markdown_`` and ``_repr_latex_`` for the results of the
public API (:mod:`symeq.api`), with ASCII math names (rho_i, theta^g, |G|) set as LaTeX
mathematics (:func:`symeq.report.document.math_prose`).

A result is shown by its verdict and the plain fields of its ``to_dict()`` that say why
(``method``, ``criterion``, ``where``, ``reason``, ``summary``); the result of ``symeq.latent``
by the whole derivation of ``symeq explain``.

>>> from types import SimpleNamespace
>>> r = SimpleNamespace(to_dict=lambda: {"verdict": "holds", "reason": "each rho_i is a homomorphism"})
>>> print(result_markdown(r, "check"))
**symeq check: holds**
<BLANKLINE>
- reason: each $\\rho_i$ is a homomorphism
<BLANKLINE>
>>> print(result_latex(r, "check"))
\\textbf{symeq check: holds}\\\\
reason: each $\\rho_i$ is a homomorphism
"""

from __future__ import annotations

from typing import Any

__all__ = ["result_markdown", "result_latex", "latent_markdown", "latent_latex", "NotebookDisplay"]

#: The fields of ``to_dict()`` that say why, in the order shown.
FIELDS = ("method", "basis", "criterion", "where", "reason", "summary")


def _rows(result: Any) -> tuple[str, list[tuple[str, str]]]:
    d = result.to_dict()
    verdict = str(d.get("verdict", getattr(result, "verdict", "")))
    rows = [(k, str(d[k])) for k in FIELDS if isinstance(d.get(k), str) and d[k]]
    if not any(k == "reason" for k, _ in rows) and isinstance(getattr(result, "reason", None), str):
        rows.append(("reason", result.reason))
    return verdict, rows


def result_markdown(result: Any, verb: str) -> str:
    """Markdown: the verdict in bold, then one bullet per field."""
    from symeq.report.document import _md_prose

    verdict, rows = _rows(result)
    return f"**symeq {verb}: {verdict}**\n\n" + "".join(f"- {k}: {_md_prose(v)}\n" for k, v in rows)


def result_latex(result: Any, verb: str) -> str:
    """LaTeX text (math in $...$), for notebooks converted to LaTeX or PDF."""
    from symeq.report.document import _md_prose, _tex_escape, _tex_prose

    verdict, rows = _rows(result)
    lines = [f"\\textbf{{symeq {_tex_escape(verb)}: {_tex_escape(verdict)}}}"]
    lines += [f"{_tex_escape(k)}: {_tex_prose(_md_prose(v))}" for k, v in rows]
    return "\\\\\n".join(lines)


def latent_markdown(result: Any) -> str:
    """The derivation of ``symeq explain`` for a result of ``symeq.latent``."""
    from symeq.architectures import verb

    return verb(result.network, "explain")(result, "markdown")


def latent_latex(result: Any) -> str:
    """The body of the LaTeX derivation (no preamble: it goes inside a notebook's document)."""
    from symeq.architectures import verb

    tex = verb(result.network, "explain")(result, "latex")
    return tex.split("\\maketitle\n", 1)[1].rsplit("\\end{document}", 1)[0]


class NotebookDisplay:
    """Mixin for result classes: Jupyter shows them as Markdown (LaTeX when converting). The class
    names its verb in ``_VERB``.  Importing it costs nothing: the rendering imports on use."""

    _VERB = "result"

    def _repr_markdown_(self) -> str:
        return result_markdown(self, self._VERB)

    def _repr_latex_(self) -> str:
        return result_latex(self, self._VERB)
