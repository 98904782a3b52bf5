"""Teaching text for ``symeq explain``: the theorem's construction on one network, step by step,
as Markdown or as a LaTeX document that compiles.

The derivation follows THEORY.md section 5:

1. the network, the group and how it acts on inputs and outputs;
2. whether theta itself is used, or the reduced parameter beta(theta~) (same function);
3. the adjunction step: theta^g moves the group onto the first and last layer;
4. the matching: layer by layer, which neuron goes where and under which relation of the
   activation, giving k_i(g) as a matrix (and shift), with the exact check of each layer;
5. uniqueness (the stabilizer) and the closure of the pairs (k_i(g), g) on every layer (so each
   rho_i is a homomorphism);
6. what each hidden layer carries: the orbit table and the character decomposition.

Matrices wider than :data:`MAX_PRINTED` are summarized instead of printed.

>>> from symeq.architectures import network_from_dict
>>> from symeq.groups import catalog_group
>>> from symeq.construction.analysis import analyze
>>> net = network_from_dict({"activation": "tanh", "weights": [[["1", "2"], ["2", "1"]], [["1", "1"]]],
...                          "biases": [["0", "0"], ["0"]]})
>>> text = explain(analyze(net, catalog_group("S2", 2, 1, output="trivial")), "markdown")
>>> "## 3. The adjunction step" in text and "rho_1(t)" in text
True
>>> tex = explain(analyze(net, catalog_group("S2", 2, 1, output="trivial")), "latex")
>>> tex.startswith("\\\\documentclass") and tex.rstrip().endswith("\\\\end{document}")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from symeq.errors import InputError
from symeq.exact import Matrix, number_to_string
from symeq.architectures.mlp.latent_map import LatentMap, simplify_scalar
from symeq.construction.analysis import LatentResult


__all__ = ["explain", "FORMATS", "MAX_PRINTED"]

FORMATS = ("markdown", "latex")
#: Matrices with more rows or columns than this are summarized, not printed.
MAX_PRINTED = 12


# -- a tiny document model rendered two ways ------------------------------------------------

@dataclass
class _Doc:
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


def _small(*mats: Matrix) -> bool:
    return all(m.rows <= MAX_PRINTED and m.cols <= MAX_PRINTED for m in mats)


# -- the derivation ---------------------------------------------------------------------------

def _relation_text(r: Any) -> str:
    return f"(a, c, b, e) = ({', '.join(number_to_string(getattr(r, k)) for k in 'acbe')})"


def _section_network(doc: _Doc, res: LatentResult) -> None:
    net, G = res.network, res.group
    doc.heading("1. The network and the group")
    widths = "-".join(map(str, net.widths))
    doc.para(f"The network is an MLP with widths {widths} and activation {net.activation.spec}: "
             f"$f_i(x) = sigma(W_i x + b_i)$ for the hidden layers and $f_L(x) = W_L x + b_L$ for the last. "
             f"Its parameters theta are:")
    for i, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        doc.display(f"W_{i}", W)
        doc.display(f"b_{i}", b.T)
    doc.para(f"The group G is generated by {', '.join(G.names)} (order {G.order()}). Each generator g "
             "acts on the input by $rho_0(g)$ and on the output by $rho_L(g)$:")
    for name, a, b in G.generators():
        doc.display(f"rho_0({name})", a)
        doc.display(f"rho_L({name})", b)
    doc.para("f is G-equivariant when $f(rho_0(g) x) = rho_L(g) f(x)$ for every g and x. The theorem "
             "(Shahverdi, Marchetti, Bokman, Kohn) says: if theta is (weakly) identifiable and f is "
             "equivariant, then, for the parameter choice beta(theta~), there are homomorphisms "
             "$rho_i : G -> K_i$ into the latent groups making every layer equivariant. This "
             "document runs that construction.")


def _section_parameter(doc: _Doc, res: LatentResult) -> None:
    doc.heading("2. Which parameter carries the latent actions")
    if res.where == "theta":
        doc.para("Neuron matching succeeds on theta itself, so the latent actions act on the given network.")
        return
    if res.where == "beta(theta~)" and res.weak is not None:
        red = res.weak.reduction
        doc.para("At theta: " + (res.notes[0] if res.notes else "no layerwise action") + ". The theorem "
                 "applies to the reduced parameter: remove inactive neurons and merge redundant ones "
                 "(each step keeps the function), then pad back with zero neurons (beta).")
        steps = []
        for s in red.steps:
            d = s.to_dict()
            rel = f", relation {_relation_text(s.relation)}" if s.relation is not None else ""
            keep = f" into neuron {s.keep}" if s.keep is not None else ""
            steps.append(f"{d['op']}: layer {s.layer}, neuron {s.neuron}{keep}{rel}")
        doc.bullets(steps)
        doc.para("The reduced network theta~ and its embedding beta(theta~) (same function as theta):")
        for i, (W, b) in enumerate(zip(res.acting.weights, res.acting.biases), start=1):  # type: ignore[union-attr]
            doc.display(f"W_{i} of beta(theta~)", W)
            doc.display(f"b_{i} of beta(theta~)", b.T)
        return
    doc.para("No parameter with a layerwise action was found.")


def _section_adjunction(doc: _Doc, res: LatentResult) -> None:
    net = res.acting if res.acting is not None else res.network
    doc.heading("3. The adjunction step")
    doc.para("For each generator g set $theta^g = ((W_1 rho_0(g), b_1), theta_2, ..., (rho_L(g)^{-1} W_L, "
             "rho_L(g)^{-1} b_L))$. Since $f_1(rho_0(g) x; W_1, b_1) = f_1(x; W_1 rho_0(g), b_1)$ and "
             "$rho_L(g) f_L(y; W_L, b_L) = f_L(y; rho_L(g) W_L, rho_L(g) b_L)$, equivariance says exactly "
             "that $f(. ; theta^g) = f(. ; theta)$. By identifiability theta^g and theta differ by a "
             "unique k(g) in K, read off layer by layer.")
    L = net.depth
    for name in res.group.names:
        tg = net.twist(res.group, name)
        doc.display(f"W_1 rho_0({name})", tg.weights[0])
        if L > 1:
            doc.display(f"rho_L({name})^-1 W_{L}", tg.weights[L - 1])


def _rows_of(W: Matrix, b: Matrix) -> list[list[sympy.Expr]]:
    return [list(W.row(j)) + [b[j]] for j in range(W.rows)]


def _section_matching(doc: _Doc, res: LatentResult) -> None:
    net = res.acting if res.acting is not None else res.network
    doc.heading("4. The matching, layer by layer")
    if res.actions is None:
        doc.para("No latent action exists: " + res.summary)
        return
    L = net.depth
    monomial = res.actions.maps and res.actions.maps[0] and res.actions.maps[0][0].kind == "monomial"
    if monomial:
        doc.para("Layer i is equivariant, $f_i(k_{i-1}(g) y) = k_i(g) f_i(y)$, when row p_j of the "
                 "transformed layer $(W_i M_{i-1}, W_i t_{i-1} + b_i)$ equals the image of row j of "
                 "$(W_i, b_i)$ under a relation $sigma(a z + c) = b sigma(z) + e$ of the activation: "
                 "then neuron j is sent to neuron p_j with $v -> b v + e$.")
    else:
        doc.para("For the identity activation K_i = Aff(d_i): layer i needs $A_i W_i = W_i A_{i-1}$ and "
                 "$W_i t_{i-1} + b_i = A_i b_i + t_i$. When W_i has full row rank, "
                 "$A_i = W_i A_{i-1} W_i^+$ (for i = 1: $rho_1(g) = W_1 rho_0(g) W_1^+$) and "
                 "$t_i = W_i t_{i-1} + b_i - A_i b_i$.")
    for gi, name in enumerate(res.actions.names):
        rho0, rhoL = res.group.generator(name)
        prev: Any = rho0
        for i, k in enumerate(res.actions.maps[gi], start=1):
            W, b = net.weights[i - 1], net.biases[i - 1]
            if monomial and W.rows <= 4 * MAX_PRINTED:
                rows = []
                for j, (p, r) in enumerate(zip(k.perm, k.relations)):
                    rows.append([str(j), str(p), _relation_text(r),
                                 f"{number_to_string(r.b)} v + {number_to_string(r.e)}"])
                seen = f"W_1 rho_0({name})" if i == 1 else f"W_{i} k_{i - 1}({name})"
                doc.para(f"Generator {name}, layer {i}: matching of $(W_{i}, b_{i})$ with the rows of "
                         f"${seen}$:")
                doc.table(["neuron j", "goes to p_j", "relation", "output map"], rows)
            ok = _layer_holds(W, b, prev, k)
            doc.para(f"Generator {name}, layer {i}: $k_{i}({name})$ = {k.describe()}; the layer equation "
                     f"{'holds exactly' if ok else 'FAILS'}.")
            if _small(k.matrix()):
                doc.display(f"rho_{i}({name}) linear part", k.matrix())
                if not k.is_linear():
                    doc.display(f"rho_{i}({name}) shift", k.shift().T)
            prev = k
        WL, bL = net.weights[L - 1], net.biases[L - 1]
        seen_last = _seen(WL, bL, prev)
        last = all(simplify_scalar(x - y) == 0 for x, y in zip(seen_last, (rhoL * WL).row_join(rhoL * bL)))
        doc.para(f"Generator {name}, last layer: $W_L M_{{L-1}} = rho_L({name}) W_L$ and the bias equation "
                 f"{'hold exactly' if last else 'FAIL'}.")


def _seen(W: Matrix, b: Matrix, prev: Any) -> Matrix:
    """[W M | W t + b]: the layer seen through prev = (M, t) (a latent map, or rho_0(g))."""
    M = prev.matrix() if isinstance(prev, LatentMap) else prev
    t = prev.shift() if isinstance(prev, LatentMap) else sympy.zeros(M.rows, 1)
    return (W * M).row_join(W * t + b)


def _layer_holds(W: Matrix, b: Matrix, prev: Any, k: LatentMap) -> bool:
    target = _seen(W, b, prev)
    if k.kind == "affine":
        M, t = k.matrix(), k.shift()
        rhs = (M * W).row_join(M * b + t)
        return all(simplify_scalar(x - y) == 0 for x, y in zip(target, rhs))
    for j, (p, r) in enumerate(zip(k.perm, k.relations)):
        image = [r.a * x for x in W.row(j)] + [r.a * b[j] + r.c]
        if any(simplify_scalar(x - y) != 0 for x, y in zip(target.row(p), image)):
            return False
    return True


def _section_homomorphism(doc: _Doc, res: LatentResult) -> None:
    doc.heading("5. Uniqueness and the homomorphism property")
    if res.stabilizer is not None:
        from symeq.construction.stabilizer import stabilizer_text

        doc.para(stabilizer_text(res.stabilizer) + ". If k(g) is unique, then k(g) k(h) and k(gh) both "
                 "relate theta^{gh} to theta, so $k(gh) = k(g) k(h)$.")
    if res.homomorphism is not None:
        h = res.homomorphism
        doc.para(f"The pairs (k_i(g), g) for the generators g generate a subgroup of K_i x| G; "
                 f"g -> k_i(g) extends to a homomorphism exactly when that subgroup meets every "
                 f"element of G once, i.e. has |G| = {h.order} elements. Multiplying out, breadth "
                 f"first, on every hidden layer:")
        items = []
        for i, fail in enumerate(h.failures, start=1):
            items.append(f"layer {i}: " + (f"exactly {h.order} elements, one for each element of G"
                                           if fail is None else
                                           f"{fail[0]} = {fail[1]} in G but the latent maps differ: FAILS"))
        doc.bullets(items)
    for c in res.uniqueness:
        doc.para(f"Uniqueness condition on the symbols: {c.text()} ({c.reason}).")


def _section_structure(doc: _Doc, res: LatentResult) -> None:
    doc.heading("6. What each hidden layer carries")
    if not res.structure:
        doc.para("Not computed.")
        return
    from symeq.groups.characters import character_table

    table = character_table(res.group)
    doc.para("The irreducible characters of G (exact; columns are conjugacy classes):")
    doc.table(["", *[c.name for c in table.classes]],
              [[f"X.{i + 1}", *[number_to_string(table.value(i, k)) for k in range(len(table.classes))]]
               for i in range(len(table.characters))])
    for ls in res.structure:
        doc.para(f"Layer {ls.layer} ({ls.width} neurons, {ls.kind.replace('_', ' ')}).")
        if ls.orbits:
            doc.table(["neurons", "type", "G-set (H, chi)", "order of H"],
                      [[" ".join(map(str, o.neurons)) if len(o.neurons) <= 16 else
                        f"{' '.join(map(str, o.neurons[:16]))} ...", o.type, o.gset, str(len(o.stabilizer))]
                       for o in ls.orbits])
        if ls.diagonal is not None:
            doc.para("The positive diagonal Lambda = diag(" + ", ".join(map(number_to_string, ls.diagonal))
                     + ") conjugates the action to signed permutations.")
        doc.para("Character: " + ", ".join(f"{c}: {number_to_string(v)}"
                                             for c, v in zip(ls.class_names, ls.character)) + ".")
        terms = [f"{m} X.{k + 1}" for k, m in enumerate(ls.multiplicities) if m]
        doc.para(f"Decomposition: $rho_{ls.layer}$ = " + (" + ".join(terms) or "0")
                 + " (multiplicities from $<chi, X.k> = (1/|G|) sum_g chi(g) conj(X.k(g))$).")


def explain(res: LatentResult, fmt: str = "markdown") -> str:
    """The derivation for ``res`` as Markdown or as a LaTeX document."""
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    doc = _Doc(fmt)
    doc.para(f"Verdict: {res.verdict}. {res.summary}.")
    _section_network(doc, res)
    _section_parameter(doc, res)
    _section_adjunction(doc, res)
    _section_matching(doc, res)
    _section_homomorphism(doc, res)
    _section_structure(doc, res)
    if res.verdict != "holds" and res.check is not None and res.check.witness is not None:
        doc.heading("7. Why there is no action")
        doc.para(res.summary)
    return doc.render("The layerwise-equivariance theorem, step by step")

