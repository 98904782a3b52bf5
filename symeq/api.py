"""The public API: ``import symeq`` gives these functions (DESIGN.md section 3's verbs).

Each verb returns a result with ``verdict`` (a :class:`~symeq.verdict.Verdict` or its string),
``reason``, ``certificate()`` (the certificate of a "holds", the witness of a "fails", None
otherwise) and ``to_dict()`` (what ``--json`` prints); ``symeq.verify`` re-checks a certificate
with the independent checker.  Networks are exact values of their architecture
(:class:`~symeq.architectures.base.Architecture`), groups :class:`~symeq.groups.GroupAction`.

Which way the matrices act: every space is a column vector (a network of tokens flattens its
rows), rho_0(g) and rho_L(g) act on inputs and outputs from the left, and a latent element
k_i(g) acts on the hidden space V_i by v -> M v + t with ``(M, t) = K_i.on_space(k)``; on
parameters it acts so that f_i(.; (k.theta)_i) = k_i o f_i(.; theta_i) o k_{i-1}^{-1}.

>>> import symeq
>>> net, group = symeq.load("docs/examples/first.toml")
>>> r = symeq.check(net, group)
>>> r.verdict, r.method
('holds', 'layerwise')
>>> symeq.verify(r.certificate()).ok
True
>>> symeq.latent(net, group).action("t")[0].describe()
'perm (0 1); b=-1 on neuron 2'
>>> symeq.identify(net).verdict
'identifiable'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from symeq.errors import InputError

__all__ = ["load", "check", "symmetries", "identify", "latent", "classify", "counterexample", "verify",
           "prove", "explain", "draw"]


def load(path: str | Path, group: str | None = None, *, need_group: bool = True) -> tuple[Any, Any]:
    """The network of a file and its group: ``group`` (a catalog name such as ``C4`` or a file
    with a ``[group]`` table), else the file's own ``[group]`` table.

    >>> net, G = load("docs/examples/first.toml", "S2/trivial")
    >>> net.architecture, G.order()
    ('mlp', 2)
    """
    from symeq.architectures import group_from_table, load_group, network_from_dict
    from symeq.rings import check_field_degree

    doc = read_network_document(path)
    net = network_from_dict(doc["network"])
    if group is not None:
        G = load_group(net, group)
    elif "group" in doc:
        G = group_from_table(net, doc["group"])
    elif need_group:
        raise InputError(f"{path}: no [group] table; name one with --group")
    else:
        return net, None
    # the engine computes in the field of both (the twisted weights W rho_0(g))
    check_field_degree([*net.parameters(), *(x for m in (*G.inputs, *G.outputs) for x in m)],
                       f"{path}: the network's and the group's numbers")
    return net, G


#: The top-level tables of a network file (docs/reference/schema.md).
TABLES = ("network", "group", "claim", "draw")


def read_network_document(path: str | Path) -> dict[str, Any]:
    """The document of a network file: a [network] table, only the schema's top-level tables,
    and a valid [claim] table if there is one (a misspelt table or a malformed claim is an
    error, never silently ignored).

    >>> sorted(read_network_document("docs/examples/first.toml"))
    ['group', 'network']
    """
    from symeq.files import load_document

    doc = load_document(path)
    unknown = sorted(str(k) for k in doc if k not in TABLES)
    if unknown:
        raise InputError(f"{path}: unknown top-level key(s) {', '.join(repr(k[:40]) for k in unknown[:5])}; "
                         f"a network file has the tables {', '.join(f'[{t}]' for t in TABLES)}")
    if "network" not in doc:
        raise InputError(f"{path}: no [network] table")
    if "claim" in doc:
        from symeq.proofs.runners import check_claim

        try:
            check_claim(doc["claim"])
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    return doc


def _group(group: Any, what: str) -> Any:
    """``group`` when it is a group action; else the one-line InputError bad input gets."""
    if group is None or not hasattr(group, "names"):
        raise InputError(f"{what} needs a group action (symeq.load(FILE) returns the network and its "
                         f"group), not {type(group).__name__}")
    return group


def check(net: Any, group: Any, *, tries: int = 200, seed: int = 0) -> Any:
    """Decide f(rho_0(g) x) = rho_L(g) f(x) for all x and every generator g, exactly: holds with a
    certificate, fails with a witness, or unknown with the reason (the architecture's decision
    methods; for an MLP :func:`symeq.architectures.mlp.equivariance.check_equivariance`)."""
    from symeq.architectures import verb

    return verb(net, "check")(net, _group(group, "check"), tries=tries, seed=seed)


def symmetries(net: Any, *, seed: int = 0, proofs: bool = True) -> Any:
    """The parameter symmetries of ``net``: the latent groups K_i, their invariance proofs and
    the functional dimension with its hidden symmetries
    (:class:`~symeq.symmetry.report.Symmetries`)."""
    from symeq.architectures import verb

    return verb(net, "symmetries")(net, seed=seed, proofs=proofs)


def identify(net: Any, *, local: bool = True, seconds: float | None = None) -> Any:
    """The identifiability verdict with its criterion, reference, submodel and checkable
    evidence (:func:`symeq.identifiability.identify.identify`); ``seconds`` bounds each exact
    fiber computation."""
    from symeq.architectures import verb

    return verb(net, "identify")(net, local=local, seconds=seconds)


def latent(net: Any, group: Any, *, budget: int = 20_000, structure: bool = True) -> Any:
    """The theorem's construction (docs/theory.md section 5): the latent actions rho_i, their
    uniqueness and the homomorphism property (:func:`symeq.construction.analysis.analyze`);
    ``structure``: also the orbits, G-sets and characters of every hidden layer.  An
    architecture whose package has its own ``latent`` verb answers with it."""
    from symeq.architectures import implementation
    from symeq.construction.analysis import analyze

    _group(group, "latent")
    own = getattr(implementation(net.architecture), "latent", None)
    if callable(own):
        return own(net, group, budget=budget, structure=structure)
    return analyze(net, group, budget, structure=structure)


def classify(arch: str, group: str | Any, *, budget: int | None = None, max_width: int | None = None) -> Any:
    """Every latent action type of an MLP architecture ``ACT:d0-...-dL`` under ``group`` and its
    space of layerwise-equivariant parameters (:mod:`symeq.classification`; MLP theory).
    ``budget``: assignments examined, by the listing and the smallest-width search together
    (default :data:`~symeq.classification.classify.DEFAULT_ASSIGNMENT_BUDGET`)."""
    from symeq.architectures.spec import parse_spec
    from symeq.classification.classify import DEFAULT_ASSIGNMENT_BUDGET
    from symeq.classification.classify import classify as run
    from symeq.groups import GroupAction, load_group

    spec = parse_spec(arch, hidden=True)
    if not isinstance(group, GroupAction):
        group = load_group(group, spec.widths[0], spec.widths[-1])
    return run(spec.activation, spec.widths, group, budget=DEFAULT_ASSIGNMENT_BUDGET if budget is None else budget,
               max_width=max_width)


def counterexample(claim: str, arch: str | None = None, group: str | Any = None, *,
                   budget: int | None = None) -> Any:
    """Search networks that break ``claim`` and certify the break
    (:func:`symeq.counterexamples.claims.counterexample`; MLP theory)."""
    from symeq.counterexamples.claims import counterexample as run

    return run(claim, arch, group, budget=budget)


def verify(certificate: dict[str, Any] | str | Path) -> Any:
    """Re-check a certificate (a dict, or the path of its JSON file) with the independent checker;
    the result has ``ok`` and ``reason``."""
    from symeq.certify.verify import verify_certificate

    if not isinstance(certificate, dict):
        from symeq.commands.verify import read_certificate

        certificate = read_certificate(str(certificate))
    return verify_certificate(certificate)


def prove(paths: Sequence[str | Path] | None = None, *, write: bool = False) -> Any:
    """Re-derive and re-check the theorem instances under ``paths`` (default: the bundled
    proofs/); :class:`~symeq.proofs.instances.ProveReport`."""
    from symeq.proofs.instances import prove as run

    return run(paths, write=write)


def explain(net: Any, group: Any = None, *, format: str = "markdown", budget: int = 20_000) -> str:
    """The theorem's construction on ``net`` step by step (``symeq explain``): Markdown with LaTeX
    mathematics, a LaTeX document for pdflatex (``format="latex"``) or JSON (``"json"``).
    ``net`` may also be a result of :func:`latent`, explained without recomputing.

    >>> import symeq
    >>> net, group = symeq.load("docs/examples/first.toml")
    >>> print(symeq.explain(net, group).splitlines()[0])
    # The layerwise-equivariance theorem, step by step
    """
    from symeq.architectures import verb

    result = net if hasattr(net, "actions") and hasattr(net, "network") else latent(net, group, budget=budget)
    return verb(result.network, "explain")(result, format)


def draw(net: Any, group: Any = None, *, generator: str | None = None,
         image_shape: tuple[int, int] | None = None) -> Any:
    """The figure of ``symeq draw`` as a :class:`matplotlib.figure.Figure` (a notebook shows it;
    ``fig.savefig("net.png")`` writes it): units coloured by G-orbit, the latent action of
    ``generator`` as arrows, a legend for lines and markers.

    >>> import symeq
    >>> from matplotlib.figure import Figure
    >>> fig = symeq.draw(*symeq.load("docs/examples/first.toml"))
    >>> isinstance(fig, Figure), len(fig.legends[0].get_texts()) >= 4
    (True, True)
    """
    from symeq.architectures import verb
    from symeq.report.draw_figure import figure, picture

    if net.architecture != "mlp":  # drawn in its own terms (filters on the grid, heads as units)
        if image_shape is not None:
            raise InputError(f"image_shape is for MLPs; networks of architecture {net.architecture!r} are drawn in their own terms")
        return picture(lambda path: verb(net, "draw")(net, group, path, generator=generator))
    return figure(verb(net, "draw")(net, group, generator=generator, image_shape=image_shape))
