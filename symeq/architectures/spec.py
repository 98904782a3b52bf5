"""The one parser of architecture specs ``ACT:d0-d1-...-dL`` (``--arch`` of every verb).

The spec is split at its LAST colon, since the activation may contain one (``power:2``,
``leaky_relu:1/10``).  Widths are ASCII digits only (``str.isdigit`` would accept ``"٣"``) and
their length is checked before any conversion, so no spec can make the parser convert a
5000-digit number.

>>> parse_spec("power:2:3-5-5-1")
ArchSpec(activation='power:2', widths=(3, 5, 5, 1))
>>> parse_spec("relu:2-4", hidden=True)
Traceback (most recent call last):
...
symeq.errors.InputError: --arch 'relu:2-4' needs at least one hidden layer: ACT:d0-d1-...-dL
>>> parse_spec("relu:٢-3-1")
Traceback (most recent call last):
...
symeq.errors.InputError: --arch 'relu:٢-3-1': widths must be positive integers (ASCII digits) joined by '-'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symeq.errors import InputError

__all__ = ["ArchSpec", "parse_spec", "MAX_WIDTH", "MAX_DEPTH"]

#: Largest width and number of layers a spec may name.
MAX_WIDTH = 100_000
MAX_DEPTH = 64

_WIDTH = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class ArchSpec:
    """An activation spec and the widths d_0..d_L."""

    activation: str
    widths: tuple[int, ...]

    @property
    def n_params(self) -> int:
        """The number of parameters of an MLP with these widths."""
        w = self.widths
        return sum(w[i] * w[i - 1] + w[i] for i in range(1, len(w)))


def parse_spec(text: object, *, hidden: bool = False, option: str = "--arch",
               max_params: int | None = None, catalog: bool = True) -> ArchSpec:
    """Read ``ACT:d0-d1-...-dL``; ``hidden``: require at least one hidden layer;
    ``max_params``: refuse larger architectures (their analysis would take minutes);
    ``catalog``: the activation must be a catalog spec (``symmetries`` also reads formulas,
    which it resolves itself).

    >>> parse_spec("tanh:2-3-1").n_params
    13
    >>> parse_spec("tanh:2-3-1", max_params=5)
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: --arch 'tanh:2-3-1' has 13 parameters (limit 5)
    """
    if not isinstance(text, str) or ":" not in text or len(text) > 1000:
        raise InputError(f"{option} {str(text)[:60]!r} must look like ACT:d0-d1-...-dL, e.g. relu:2-4-2")
    act, _, dims = text.rpartition(":")
    act = act.strip()
    if not act:
        raise InputError(f"{option} {text!r} names no activation")
    parts = [p.strip() for p in dims.split("-")]
    if not all(_WIDTH.fullmatch(p) for p in parts):
        if all(p.isascii() and p.isdigit() for p in parts):
            raise InputError(f"{option} {text[:60]!r}: widths must be from 1 to {MAX_WIDTH}")
        raise InputError(f"{option} {text[:60]!r}: widths must be positive integers (ASCII digits) joined by '-'")
    widths = tuple(int(p) for p in parts)
    if any(not 1 <= w <= MAX_WIDTH for w in widths):
        raise InputError(f"{option} {text!r}: widths must be from 1 to {MAX_WIDTH}")
    if len(widths) < 2:
        raise InputError(f"{option} {text!r} needs at least two widths d0-...-dL")
    if len(widths) > MAX_DEPTH + 1:
        raise InputError(f"{option} {text!r}: at most {MAX_DEPTH} layers")
    if hidden and len(widths) < 3:
        raise InputError(f"{option} {text!r} needs at least one hidden layer: ACT:d0-d1-...-dL")
    if catalog:
        from symeq.activations import activation

        activation(act)  # validate the activation now, with its own one-line error
    spec = ArchSpec(act, widths)
    if max_params is not None and spec.n_params > max_params:
        raise InputError(f"{option} {text!r} has {spec.n_params} parameters (limit {max_params})")
    return spec
