"""Activation formulas written by users: the safe number grammar of :mod:`symeq.exact`,
extended with the functions an activation needs.

    atom := ... | FUNC "(" expr ("," expr)* ")"        FUNC in FUNCTIONS

The variable is ``z``.  As in :mod:`symeq.exact`, the text is tokenized and parsed by hand;
it never reaches ``eval`` or ``sympify``.  ``max`` and ``min`` take two or more arguments,
every other function exactly one.

>>> parse_formula("exp(z)")
exp(z)
>>> parse_formula("max(z/10, z)")
Max(z/10, z)
>>> parse_formula("z^3 + z")
z**3 + z
>>> parse_formula("__import__('os')")
Traceback (most recent call last):
...
symeq.errors.InputError: cannot parse number "__import__('os')": unexpected character '_' at position 1
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy

from symeq import exact
from symeq.errors import InputError

__all__ = ["Z", "FUNCTIONS", "parse_formula"]

#: The variable of every activation formula (the same symbol as in :mod:`symeq.activations`).
Z = sympy.Symbol("z", real=True)

#: Functions allowed in a formula, with their arity (None: two or more arguments).
FUNCTIONS: dict[str, tuple[Callable[..., sympy.Expr], int | None]] = {
    "exp": (sympy.exp, 1),
    "log": (sympy.log, 1),
    "tanh": (sympy.tanh, 1),
    "erf": (sympy.erf, 1),
    "sin": (sympy.sin, 1),
    "cos": (sympy.cos, 1),
    "abs": (sympy.Abs, 1),
    "max": (sympy.Max, None),
    "min": (sympy.Min, None),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),]))",
    re.ASCII,  # as in symeq.exact: other scripts' digits are not numbers
)
#: Deepest nesting of function calls accepted (a guard against pathological input).
MAX_CALL_DEPTH = 32


class _FormulaParser(exact._Parser):
    """exact's recursive-descent parser with function calls and commas."""

    TOKEN = _TOKEN  # exact's tokens plus ","

    def __init__(self, text: str) -> None:
        super().__init__(text, {"z": Z})

    def atom(self) -> sympy.Expr:
        tok = self.peek()
        if tok is not None and tok[0] == "name" and tok[1] in FUNCTIONS:
            self.take()
            func, arity = FUNCTIONS[tok[1]]
            self.depth += 1
            if self.depth > MAX_CALL_DEPTH:
                self.fail(f"functions nested deeper than {MAX_CALL_DEPTH} at position {tok[2]}")
            self.take("(")
            args = [self.expr()]
            while (nxt := self.peek()) is not None and nxt[1] == ",":
                self.take(",")
                args.append(self.expr())
            self.take(")")
            self.depth -= 1
            if arity is not None and len(args) != arity:
                self.fail(f"{tok[1]} takes {arity} argument(s), got {len(args)} at position {tok[2]}")
            if arity is None and len(args) < 2:
                self.fail(f"{tok[1]} takes two or more arguments at position {tok[2]}")
            if tok[1] == "log" and args[0].is_nonpositive:
                self.fail(f"log of a non-positive number at position {tok[2]}")
            return func(*args)
        if tok is not None and tok[1] == ",":
            self.fail(f"unexpected ',' at position {tok[2]}")
        return super().atom()


def parse_formula(text: object) -> sympy.Expr:
    """sigma(z) from user text: numbers, ``z``, ``+ - * / ^ **``, ``pi``, ``sqrt`` and the
    functions in :data:`FUNCTIONS`; raises :class:`InputError` for anything else.

    >>> parse_formula("log(1 + exp(z))")
    log(exp(z) + 1)
    >>> parse_formula("tanh(z, 1)")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: cannot parse number 'tanh(z, 1)': tanh takes 1 argument(s), got 2 at position 1
    """
    if not isinstance(text, str):
        raise InputError(f"an activation formula must be text, found {type(text).__name__}")
    if len(text) > exact.MAX_TEXT:
        raise InputError(f"formula of {len(text)} characters is too long (limit {exact.MAX_TEXT})")
    expr = _FormulaParser(text).parse()
    extra = expr.free_symbols - {Z}
    if extra:  # unreachable with the symbol table above; kept as a guard
        raise InputError(f"formula {text!r} uses unknown names {sorted(map(str, extra))}")
    return expr
