"""A small document model rendered as Markdown, as a LaTeX document that compiles, or as JSON:
the teaching output of ``symeq explain`` for every architecture (headings, paragraphs, tables,
bullet lists and displayed matrices).

Prose may carry mathematics two ways: ``$...$`` spans (written in LaTeX, or in the ASCII
notation of the code, ``rho_1 : G -> K_1``, which is translated), and ASCII names that other
stages put in their sentences (``theta^g``, ``rho_i``, ``Stab(theta)``, ``K_i x| G``), which
:func:`math_prose` finds and sets as mathematics.  So neither format shows escaped Greek such
as ``theta\\^{}g``.

>>> d = Document("markdown")
>>> d.heading("1. The network")
>>> d.para("A tanh network with parameters theta.")
>>> print(d.render("Title"))
# Title
<BLANKLINE>
## 1. The network
<BLANKLINE>
A tanh network with parameters $\\theta$.
<BLANKLINE>
>>> d.to_dict("Title")["blocks"][1]
{'kind': 'para', 'text': 'A tanh network with parameters $\\\\theta$.'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from symeq.exact import Matrix, number_to_string

__all__ = ["Document", "FORMATS", "MAX_PRINTED", "small", "math_prose"]

FORMATS = ("markdown", "latex", "json")
#: Matrices with more rows or columns than this are summarized, not printed.
MAX_PRINTED = 12


@dataclass
class Document:
    """Blocks of a teaching document; ``fmt`` is the format :meth:`render` writes."""

    fmt: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append({"kind": "heading", "text": _md_prose(text)})

    def para(self, text: str) -> None:
        """Prose; $...$ spans and ASCII math names are mathematics in every format (Markdown
        readers with math support, Jupyter's and GitHub's among them, render LaTeX)."""
        self.blocks.append({"kind": "para", "text": _md_prose(text)})

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append({"kind": "bullets", "items": [_md_prose(x) for x in items]})

    def display(self, lhs: str, m: Matrix | None = None, rhs_text: str = "") -> None:
        """A displayed equation ``lhs = matrix`` (or ``lhs = rhs_text``)."""
        block: dict[str, Any] = {"kind": "display", "lhs": lhs, "tex": _tex_lhs(lhs)}
        if m is not None:
            block["matrix"] = [[number_to_string(x) for x in m.row(r)] for r in range(m.rows)]
            block["tex_rhs"] = _tex_matrix(m)
        else:
            block["tex_rhs"] = block["text_rhs"] = rhs_text
        self.blocks.append(block)

    def table(self, head: list[str], rows: list[list[str]]) -> None:
        """A table; cells are plain text, or $...$ spans of LaTeX mathematics."""
        self.blocks.append({"kind": "table", "head": [_md_prose(h) for h in head],
                            "rows": [[_md_prose(c) for c in r] for r in rows]})

    # -- rendering ------------------------------------------------------------------------
    def to_dict(self, title: str) -> dict[str, Any]:
        """Plain data (what ``symeq explain --format json`` prints): the title and the blocks,
        prose as Markdown with LaTeX math, matrices as exact strings."""
        out = []
        for b in self.blocks:
            if b["kind"] == "display":
                d = {"kind": "display", "lhs": b["tex"]}
                d.update({"matrix": b["matrix"]} if "matrix" in b else {"text": b["text_rhs"]})
                out.append(d)
            else:
                out.append(dict(b))
        return {"title": title, "blocks": out}

    def render(self, title: str) -> str:
        if self.fmt == "json":
            import json

            return json.dumps(self.to_dict(title), indent=2) + "\n"
        if self.fmt == "markdown":
            return f"# {title}\n\n" + "\n".join(_md_block(b) for b in self.blocks)
        head = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
                "\\allowdisplaybreaks\n\\setcounter{MaxMatrixCols}{30}\n"
                f"\\title{{{_tex_escape(title)}}}\n\\author{{symeq}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n")
        return head + "\n".join(_tex_block(b) for b in self.blocks) + "\n\\end{document}\n"


def _md_block(b: dict[str, Any]) -> str:
    kind = b["kind"]
    if kind == "heading":
        return f"## {b['text']}\n"
    if kind == "para":
        return b["text"] + "\n"
    if kind == "bullets":
        return "\n".join(f"- {x}" for x in b["items"]) + "\n"
    if kind == "display":  # display math, as Jupyter, GitHub and MathJax pages render it
        return f"$$\n{b['tex']} = {b['tex_rhs']}\n$$\n"
    def cells(r: list[str]) -> str:  # a | inside a cell (|G|) must not end the cell
        return "| " + " | ".join(c.replace("|", "\\|") for c in r) + " |"

    lines = [cells(b["head"]), "|" + "---|" * len(b["head"])] + [cells(r) for r in b["rows"]]
    return "\n".join(lines) + "\n"


def _tex_block(b: dict[str, Any]) -> str:
    kind = b["kind"]
    if kind == "heading":
        return f"\\section*{{{_tex_prose(b['text'])}}}\n"
    if kind == "para":
        return _tex_prose(b["text"]) + "\n"
    if kind == "bullets":
        body = "\n".join(f"  \\item {_tex_prose(x)}" for x in b["items"])
        return f"\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n"
    if kind == "display":
        return f"\\[ {b['tex']} = {b['tex_rhs']} \\]\n"
    spec = "l" * len(b["head"])
    lines = [" & ".join(_tex_prose(h) for h in b["head"]) + " \\\\ \\hline"]
    lines += [" & ".join(_tex_prose(c) for c in r) + " \\\\" for r in b["rows"]]
    body = "\n".join(lines)
    return f"\\begin{{center}}\n\\begin{{tabular}}{{{spec}}}\n{body}\n\\end{{tabular}}\n\\end{{center}}\n"


# Text-mode replacements that need no font beyond the standard ones (no \textasciitilde,
# which would make pdflatex build a text-companion font on first use).
_TEX_SPECIAL = {"\\": "$\\backslash$", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
                "_": "\\_", "{": "\\{", "}": "\\}", "~": "$\\sim$", "^": "$\\hat{}$",
                "<": "$<$", ">": "$>$", "|": "$|$"}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_prose(text: str) -> str:
    """Markdown prose (with $...$ math already in LaTeX) as LaTeX: text escaped, math kept."""
    out, parts = [], text.split("$")
    for k, part in enumerate(parts):
        out.append(f"${part}$" if k % 2 else _tex_escape(part))
    return "".join(out)


def _md_prose(text: str) -> str:
    """Prose with its $...$ spans translated to LaTeX math and its ASCII math names set as math.

    >>> print(_md_prose("maps $rho_1 : G -> K_1$ here; theta^g and Stab(theta)"))
    maps $\\rho_1 : G \\to K_1$ here; $\\theta^{g}$ and $\\mathrm{Stab}(\\theta)$
    """
    parts = text.split("$")
    return "".join(_tex_math(p) if k % 2 else math_prose(p) for k, p in enumerate(parts))


_GREEK = r"(?:theta|rho|sigma|chi|beta|Lambda|lambda|Stab)"
_SCRIPT = r"(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))?(?:\^(?:\{[^{}]*\}|-?[A-Za-z0-9+]+))?"
_ARGS = r"(?:\((?:[^()]|\([^()]*\))*\))?"
_NAME = (rf"(?<![\w\\]){_GREEK}~?{_SCRIPT}{_ARGS}(?:\^(?:\{{[^{{}}]*\}}|-?[A-Za-z0-9]+))?(?![\w])"
         rf"|(?<![\w\\.\-/])[A-Za-z]_(?:\{{[^{{}}]*\}}|[A-Za-z0-9]+)(?:\^(?:\{{[^{{}}]*\}}|-?[A-Za-z0-9]+))?{_ARGS}(?![\w])")
_MATH_TOKEN = re.compile(
    rf"(?:{_NAME}) x\| [A-Z]"          # a semidirect product K_i x| G
    rf"|\|[A-Z]\|"                      # an order |G|
    rf"|G/(?:<[^<>]*>|1|G)(?![\w])"     # a coset space G/<r, s>, G/1, G/G
    rf"|{_NAME}"                        # theta, rho_0(g), beta(theta~), Stab(theta), k_i(g), W_1
    rf"|(?<= )->(?= )")                 # an arrow G -> K_i


def math_prose(text: str) -> str:
    """Set the ASCII math names of a sentence as $...$ LaTeX mathematics.

    >>> print(math_prose("each rho_i is a homomorphism G -> K_i; the pairs (k_i(g), g) in K_i x| G"))
    each $\\rho_i$ is a homomorphism G $\\to$ $K_i$; the pairs ($k_i(g)$, g) in $K_i \\rtimes G$
    >>> print(math_prose("G/<t, t c> with sign, |G| = 4, theta^{gh}, beta(theta~), file first_broken.toml"))
    $G/\\langle t, t c\\rangle$ with sign, $|G|$ = 4, $\\theta^{gh}$, $\\beta(\\tilde{\\theta})$, file first_broken.toml
    """
    return _MATH_TOKEN.sub(lambda m: _tex_math(m.group(0)), text)


_MATH_WORDS = [("theta~", "\\tilde\\theta"), ("theta", "\\theta"), ("rho", "\\rho"),
               ("sigma", "\\sigma"), ("chi", "\\chi"), ("beta", "\\beta"), ("Lambda", "\\Lambda"),
               ("lambda", "\\lambda"), ("Stab", "\\mathrm{Stab}"),
               ("->", "\\to"), ("!=", "\\neq"), (" o ", " \\circ "), ("^+", "^{+}"), ("^-1", "^{-1}"),
               (" x| ", " \\rtimes "), ("<=", "\\le"), (">=", "\\ge")]


def _tex_math(text: str) -> str:
    """An ASCII (or LaTeX) math span as LaTeX math, with its $ delimiters.

    >>> print(_tex_math("rho_1 : G -> K_1, beta(theta~) != theta"))
    $\\rho_1 : G \\to K_1, \\beta(\\tilde{\\theta}) \\neq \\theta$
    >>> print(_tex_math("\\\\langle \\\\chi, \\\\chi_k \\\\rangle"))
    $\\langle \\chi, \\chi_k \\rangle$
    """
    for a, b in _MATH_WORDS:
        # not inside a command already written ("theta" in "\\tilde\\theta", "chi" in "\\chi")
        text = re.sub(r"(?<![\\A-Za-z])" + re.escape(a) if a[0].isalpha() else re.escape(a),
                      lambda _m, b=b: b, text)
    text = text.replace("\\tilde\\theta", "\\tilde{\\theta}")
    # a superscript of one name, theta^g -> theta^{g}; angle brackets of a generated subgroup
    text = re.sub(r"\^([A-Za-z][A-Za-z0-9]*)", r"^{\1}", text)
    text = re.sub(r"<([^<>]*)>", r"\\langle \1\\rangle", text)
    return "$" + text + "$"


def _tex_lhs(text: str) -> str:
    """The left side of a displayed equation (our ASCII notation) as LaTeX math.

    >>> print(_tex_lhs("rho_L(t)^-1 W_2"), _tex_lhs("W_1 of beta(theta~)"), _tex_lhs("rho_1(t) shift"))
    \\rho_L(t)^{-1} W_2 W_1\\text{ of }\\beta(\\tilde{\\theta}) \\rho_1(t)\\text{ shift}
    """
    out = _tex_math(text)[1:-1]
    for words in (" of ", " linear part", " shift"):
        out = out.replace(words, f"\\text{{{words}}}")
    return out


def _tex_matrix(m: Matrix) -> str:
    if m.rows > MAX_PRINTED or m.cols > MAX_PRINTED:
        return f"\\text{{({m.rows} $\\times$ {m.cols} matrix, not printed)}}"
    rows = [" & ".join(sympy.latex(x) for x in m.row(r)) for r in range(m.rows)]
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def small(*mats: Matrix) -> bool:
    return all(m.rows <= MAX_PRINTED and m.cols <= MAX_PRINTED for m in mats)
