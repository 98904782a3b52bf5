"""A small document model rendered as Markdown or as a LaTeX document that compiles: the
teaching output of ``symeq explain`` for every architecture (headings, paragraphs, tables,
bullet lists and displayed matrices).

>>> d = Document("markdown")
>>> d.heading("1. The network")
>>> d.para("A tanh network.")
>>> print(d.render("Title").strip().splitlines()[0])
# Title
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from symeq.exact import Matrix, number_to_string

__all__ = ["Document", "FORMATS", "MAX_PRINTED", "small"]

FORMATS = ("markdown", "latex")
#: Matrices with more rows or columns than this are summarized, not printed.
MAX_PRINTED = 12


@dataclass
class Document:
    fmt: str
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str) -> None:
        if self.fmt == "markdown":
            self.parts.append(f"## {text}\n")
        else:
            self.parts.append(f"\\section*{{{_tex_escape(text)}}}\n")

    def para(self, text: str) -> None:
        """Prose; $...$ spans are math in both formats (Markdown readers with math support,
        GitHub's among them, render the same LaTeX commands)."""
        if self.fmt == "markdown":
            self.parts.append(_md_prose(text) + "\n")
        else:
            self.parts.append(_tex_prose(text) + "\n")

    def bullets(self, items: list[str]) -> None:
        if not items:
            return
        if self.fmt == "markdown":
            self.parts.append("\n".join(f"- {_md_prose(x)}" for x in items) + "\n")
        else:
            body = "\n".join(f"  \\item {_tex_prose(x)}" for x in items)
            self.parts.append(f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n")

    def display(self, lhs: str, m: Matrix | None = None, rhs_text: str = "") -> None:
        """A displayed equation ``lhs = matrix`` (or ``lhs = rhs_text``)."""
        if self.fmt == "markdown":
            body = _md_matrix(m) if m is not None else rhs_text
            sep = "\n" if "\n" in body else " "
            self.parts.append(f"```\n{lhs} ={sep}{body}\n```\n")
        else:
            body = _tex_matrix(m) if m is not None else rhs_text
            self.parts.append(f"\\[ {_tex_lhs(lhs)} = {body} \\]\n")

    def table(self, head: list[str], rows: list[list[str]]) -> None:
        if self.fmt == "markdown":
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            self.parts.append("\n".join(lines) + "\n")
        else:
            spec = "l" * len(head)
            lines = [" & ".join(_tex_prose(h) for h in head) + " \\\\ \\hline"]
            lines += [" & ".join(_tex_prose(c) for c in r) + " \\\\" for r in rows]
            body = "\n".join(lines)
            self.parts.append(f"\\begin{{center}}\n\\begin{{tabular}}{{{spec}}}\n{body}\n"
                              f"\\end{{tabular}}\n\\end{{center}}\n")

    def render(self, title: str) -> str:
        if self.fmt == "markdown":
            return f"# {title}\n\n" + "\n".join(self.parts)
        head = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
                "\\allowdisplaybreaks\n\\setcounter{MaxMatrixCols}{30}\n"
                f"\\title{{{_tex_escape(title)}}}\n\\author{{symeq}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n")
        return head + "\n".join(self.parts) + "\n\\end{document}\n"


_TEX_SPECIAL = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
                "_": "\\_", "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\^{}",
                "<": "$<$", ">": "$>$", "|": "$|$"}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_prose(text: str) -> str:
    """Escape prose but keep $...$ spans as math (translated from our ASCII notation)."""
    out, parts = [], text.split("$")
    for k, part in enumerate(parts):
        out.append(_tex_math(part) if k % 2 else _tex_escape(part))
    return "".join(out)


def _md_prose(text: str) -> str:
    """Markdown prose with its $...$ spans translated to LaTeX math (rho -> \\rho, -> -> \\to).

    >>> print(_md_prose("maps $rho_1 : G -> K_1$ here"))
    maps $\\rho_1 : G \\to K_1$ here
    """
    parts = text.split("$")
    return "".join(_tex_math(p) if k % 2 else p for k, p in enumerate(parts))


_MATH_WORDS = [("theta~", "\\tilde\\theta"), ("theta", "\\theta"), ("rho", "\\rho"),
               ("sigma", "\\sigma"), ("chi", "\\chi"), ("beta", "\\beta"), ("Stab", "\\mathrm{Stab}"),
               ("->", "\\to"), ("!=", "\\neq"), (" o ", " \\circ "), ("^+", "^{+}")]


def _tex_math(text: str) -> str:
    """An ASCII math span as LaTeX math, with its $ delimiters.

    >>> print(_tex_math("rho_1 : G -> K_1, beta(theta~) != theta"))
    $\\rho_1 : G \\to K_1, \\beta(\\tilde{\\theta}) \\neq \\theta$
    """
    for a, b in _MATH_WORDS:
        # not inside a command already written ("theta" in "\\tilde\\theta")
        text = re.sub(r"(?<!\\)" + re.escape(a), lambda _m, b=b: b, text)
    text = text.replace("\\tilde\\theta", "\\tilde{\\theta}")
    return "$" + text + "$"


def _tex_lhs(text: str) -> str:
    """The left side of a displayed equation (our ASCII notation) as LaTeX math.

    >>> print(_tex_lhs("rho_L(t)^-1 W_2"), _tex_lhs("W_1 of beta(theta~)"), _tex_lhs("rho_1(t) shift"))
    \\rho_L(t)^{-1} W_2 W_1\\text{ of }\\beta(\\tilde{\\theta}) \\rho_1(t)\\text{ shift}
    """
    out = _tex_math(text)[1:-1].replace("^-1", "^{-1}")
    for words in (" of ", " linear part", " shift"):
        out = out.replace(words, f"\\text{{{words}}}")
    return out


def _md_matrix(m: Matrix) -> str:
    if m.rows > MAX_PRINTED or m.cols > MAX_PRINTED:
        return f"({m.rows} x {m.cols} matrix, not printed)"
    cells = [[number_to_string(x) for x in m.row(r)] for r in range(m.rows)]
    width = max(len(c) for r in cells for c in r)
    rows = ["[" + " ".join(c.rjust(width) for c in r) + "]" for r in cells]
    return "\n".join(rows)


def _tex_matrix(m: Matrix) -> str:
    if m.rows > MAX_PRINTED or m.cols > MAX_PRINTED:
        return f"\\text{{({m.rows} $\\times$ {m.cols} matrix, not printed)}}"
    rows = [" & ".join(sympy.latex(x) for x in m.row(r)) for r in range(m.rows)]
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def small(*mats: Matrix) -> bool:
    return all(m.rows <= MAX_PRINTED and m.cols <= MAX_PRINTED for m in mats)


# -- the derivation ---------------------------------------------------------------------------

