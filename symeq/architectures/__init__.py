"""Architectures: each one package implementing the :class:`~symeq.architectures.base.Architecture`
protocol, found by the ``architecture`` key of a file's ``[network]`` table.

The generic stages (symmetries, identifiability, latent actions, certificates) reach an
architecture only through the protocol; this module maps names to implementations and reads
and writes the ``[network]`` table whatever the architecture.

The package registered for a name (``ARCHITECTURES[name]``) provides, at its top level:

* ``from_dict(table) -> Architecture`` (required): the network of a ``[network]`` table;
* ``group_from_dict(table, net) -> GroupAction`` (optional): the ``[group]`` table for this
  architecture (default :func:`symeq.groups.group_from_dict` on the input and output
  dimensions); attention reads token permutations there, convolutions grid maps;
* one function per verb it answers, each returning a :class:`~symeq.architectures.base.Result`:
  ``check(net, group, *, tries, seed)``, ``identify(net, *, local)``,
  ``symmetries(net, *, seed, proofs)``, ``explain(result, fmt)`` and ``draw(net, group, ...)``.
  ``symeq latent`` is generic (:func:`symeq.construction.analysis.analyze`) and needs only the
  protocol.  A verb an architecture does not provide ends with one line, exit 2 (see
  :func:`verb`).

>>> net = network_from_dict({"activation": "tanh", "weights": [[["1"]], [["2"]]],
...                          "biases": [["0"], ["0"]]})
>>> net.architecture, network_to_dict(net)["weights"]
('mlp', [[['1']], [['2']]])
>>> network_from_dict({"architecture": "lstm"})
Traceback (most recent call last):
...
symeq.errors.InputError: unknown architecture 'lstm'; known: mlp, conv, attention
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import Any

from symeq.errors import InputError

__all__ = ["ARCHITECTURES", "only_for", "register", "implementation", "verb", "network_from_dict", "network_to_dict",
           "load_network", "group_from_table", "load_group"]

#: name -> the module that implements it; the module has ``from_dict(table) -> Architecture``.
#: Modules are imported on first use, so naming an architecture costs nothing until it is read.
ARCHITECTURES: dict[str, str] = {"mlp": "symeq.architectures.mlp", "conv": "symeq.architectures.conv",
                                  "attention": "symeq.architectures.attention"}

#: Architectures the schema names (DESIGN.md section 3) that this build does not implement yet.
_PLANNED: tuple[str, ...] = ()


def only_for(*names: str) -> Any:
    """Decorator declaring that a function handles networks of the named architectures only
    (networkx's ``@not_implemented_for``, the other way round): any argument with an
    ``architecture`` attribute outside ``names`` ends with one line (InputError, exit 2).
    Modules that are theory of one architecture declare ``__architectures__`` likewise.

    >>> @only_for("mlp")
    ... def widths(net):
    ...     return net.widths
    >>> class Other:
    ...     architecture = "attention"
    >>> widths(Other())
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: widths handles mlp networks only, not 'attention'
    """
    def decorate(fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for value in (*args, *kwargs.values()):
                arch = getattr(value, "architecture", None)
                if isinstance(arch, str) and arch not in names:
                    raise InputError(f"{fn.__name__} handles {', '.join(names)} networks only, not {arch!r}")
            return fn(*args, **kwargs)

        wrapper.architectures = names  # type: ignore[attr-defined]
        return wrapper

    return decorate


def register(name: str, module: str) -> None:
    """Make ``[network] architecture = name`` read by ``module.from_dict``."""
    ARCHITECTURES[name] = module


def implementation(name: str) -> Any:
    """The module implementing architecture ``name`` (InputError for an unknown name)."""
    if not isinstance(name, str):
        raise InputError("[network] architecture must be a string")
    if name not in ARCHITECTURES:
        if name in _PLANNED:
            known = ", ".join(repr(n) for n in ARCHITECTURES)
            raise InputError(f"architecture {name!r} is not supported yet; only {known} "
                             f"{'is' if len(ARCHITECTURES) == 1 else 'are'}")
        raise InputError(f"unknown architecture {name!r}; known: {', '.join(ARCHITECTURES)}")
    return importlib.import_module(ARCHITECTURES[name])


def verb(net: Any, name: str) -> Any:
    """The function of architecture ``net.architecture`` that answers verb ``name``
    (InputError, exit 2, when the architecture does not answer it).

    >>> net = network_from_dict({"activation": "tanh", "weights": [[["1"]], [["2"]]],
    ...                          "biases": [["0"], ["0"]]})
    >>> verb(net, "check").__name__
    'check'
    >>> verb(net, "fly")
    Traceback (most recent call last):
    ...
    symeq.errors.InputError: symeq fly does not support architecture 'mlp' yet
    """
    fn = getattr(implementation(net.architecture), name, None)
    # a submodule of the same name would shadow the function: packages name modules otherwise
    if fn is None or not callable(fn) or isinstance(fn, type(sys)):
        raise InputError(f"symeq {name} does not support architecture {net.architecture!r} yet")
    return fn


def group_from_table(net: Any, table: object) -> Any:
    """The ``[group]`` table read for ``net``'s architecture (its ``group_from_dict`` when it has
    one, else the generators' matrices on V_0 and V_L)."""
    reader = getattr(implementation(net.architecture), "group_from_dict", None)
    if reader is not None:
        return reader(table, net)
    from symeq.groups import group_from_dict

    spaces = net.spaces()
    return group_from_dict(table, spaces[0], spaces[-1])


def load_group(net: Any, spec: str) -> Any:
    """The group named by ``spec`` for ``net``: a file with a ``[group]`` table (read for the
    architecture), or a catalog name: the architecture's own catalog when it has one
    (``group_from_spec(spec, net)``; convolutions: grid maps), else one such as ``C4``,
    ``D4:4x4`` or ``S2/trivial`` acting on V_0 and V_L (:func:`symeq.groups.load_group`)."""
    from pathlib import Path

    from symeq.groups import load_group as load

    own = getattr(implementation(net.architecture), "group_from_spec", None)
    if own is not None and not (Path(spec).is_file() or Path(spec).suffix.lower() in (".toml", ".json")):
        return own(spec, net)
    spaces = net.spaces()
    return load(spec, spaces[0], spaces[-1], lambda table: group_from_table(net, table))


def network_from_dict(d: object) -> Any:
    """The network of a ``[network]`` table, of the architecture it names (default ``mlp``)."""
    from symeq.rings import check_field_degree

    if not isinstance(d, dict):
        raise InputError("[network] must be a table")
    net = implementation(d.get("architecture", "mlp")).from_dict(d)
    check_field_degree(net.parameters(), "the network's numbers")
    return net


def network_to_dict(net: Any) -> dict[str, Any]:
    """The ``[network]`` table of ``net`` (reading it back gives ``net``)."""
    return net.to_dict()


def load_network(path: str | os.PathLike[str]) -> Any:
    """Read the network of a file (its ``[network]`` table)."""
    from symeq.files import load_document

    doc = load_document(path)
    if "network" not in doc:
        raise InputError(f"{path}: no [network] table")
    return network_from_dict(doc["network"])
