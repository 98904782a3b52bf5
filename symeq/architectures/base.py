"""The two protocols every architecture implements: :class:`Architecture` and :class:`LatentGroup`.

docs/theory.md section 1 and 7.0: a model is a chain of parametric layers

    f_i : V_{i-1} x Theta_i -> V_i,   i = 1..L,     f(x; theta) = f_L(... f_1(x; theta_1) ...; theta_L),

with a latent group K_i acting on each hidden space V_i (K_0 = K_L = trivial).  Everything the
generic stages (symmetries, identifiability, latent actions, certificates) need from an
architecture is below; an architecture is one package under ``symeq/architectures/`` that
implements it and registers its name (:mod:`symeq.architectures`).

Conventions, fixed for every architecture:

* Spaces are flattened to column vectors: V_i = R^{spaces()[i]}.  A network of tokens (rows of
  X in R^{n x d}) flattens row-major, so token t, feature c is coordinate t d + c.
* Matrices act on column vectors from the left.  A group element g acts on inputs by rho_0(g)
  and on outputs by rho_L(g) (:class:`~symeq.groups.GroupAction` holds both for each generator).
* A latent element k of K_i acts on V_i by an exact affine map v -> M v + t
  (:meth:`LatentGroup.on_space`), and on parameters so that every layer function is conjugated:
  f_i( . ; (k.theta)_i) = k_i o f_i( . ; theta_i) o k_{i-1}^{-1}   (:meth:`Architecture.act`).
* The adjunction (docs/theory.md section 4 and 7.0): ``twist(group, g)`` is theta^g, the parameter with
  f( . ; theta^g) = rho_L(g)^{-1} o f( . ; theta) o rho_0(g), moved onto the boundary layers
  (ordinary adjunction) or onto every layer together with a *structural* action s_i(g) on
  each V_i (generalized adjunction: token permutations, grid symmetries).
* ``solve_layer(i, k_prev, other)`` lists every k_i in K_i with
  f_i( . ; other_i) = k_i o f_i( . ; theta_i) o k_prev^{-1}; for i = L only the identity can
  qualify (K_L is trivial), so it yields one element when the last layer closes and none
  otherwise.  The list is exhaustive: when it is empty, no such k_i exists.  Then the
  theorem's construction (docs/theory.md section 5) is the same code for every architecture
  (:mod:`symeq.construction.construct`): other = twist(g), k_1 = solve_layer(1, None, other), ...

The conformance suite (``tests/test_conformance.py``) checks every registered architecture for
the identities these conventions promise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from symeq.errors import BudgetExceeded

if TYPE_CHECKING:  # pragma: no cover - for readers and type checkers only
    from symeq.exact import Matrix
    from symeq.groups import GroupAction
    from symeq.kinds import LatentKind

__all__ = ["Architecture", "LatentGroup", "LatentElement", "Result", "LayerSolutions", "LayerFailure", "NotEnumerable",
           "Budget", "DEFAULT_BUDGET"]


# -- what solve_layer returns ---------------------------------------------------------------

#: Default number of search steps (candidate latent maps tried) of one construction.
DEFAULT_BUDGET = 20_000


@dataclass
class Budget:
    """A countdown of search steps shared by one search; raises BudgetExceeded at zero."""

    steps: int = DEFAULT_BUDGET

    def spend(self, what: str) -> None:
        """Count one step of ``what``."""
        self.steps -= 1
        if self.steps < 0:
            raise BudgetExceeded(f"the layerwise search passed its budget while {what}")


class NotEnumerable(Exception):
    """A layer's solutions form a continuum that the architecture does not list (for example
    Aff(d) when W_i lacks full row rank); the message says why."""


@dataclass(frozen=True)
class LayerFailure:
    """Why one layer has no latent map: the generator, the layer (1..L; L: the output layer
    did not close), the 0-based unit to blame when there is one, and ``kind``:

    - ``no_match``: no element of K_i relates the layer of theta^g to the layer of theta;
    - ``closure``: the output layer does not close;
    - ``ambiguous``: duplicate units allowed choices that could not all be tried;
    - ``budget``: the search over those choices ran past its budget;
    - ``unsupported``: the method does not apply (numbers outside its domains, a continuum of
      solutions).

    ``no_match`` and ``closure`` are *definitive*: no latent action of the searched kind exists.

    >>> LayerFailure("g", 2, 0, "closure", "...").to_dict()["definitive"]
    True
    """

    generator: str
    layer: int
    neuron: int | None
    kind: str
    message: str

    @property
    def definitive(self) -> bool:
        """True when no latent action of the searched kind exists at this parameter."""
        return self.kind in ("no_match", "closure")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"generator": self.generator, "definitive": self.definitive, "layer": self.layer,
                "neuron": self.neuron, "kind": self.kind, "message": self.message}


class LayerSolutions:
    """The candidates k_i of one layer (what ``Architecture.solve_layer`` returns).

    Iterate it for the candidates, lazily.  ``complete`` says whether the list, once iterated
    to its end, is every solution (False when a continuous family was sampled); it may be a
    one-element list the iteration updates.  ``failure(generator)`` says why the list is empty.
    """

    def __init__(self, items: Iterable[Any], complete: bool | list[bool] = True,
                 failure: Callable[[str], LayerFailure] | None = None) -> None:
        self._items, self._complete, self._failure = items, complete, failure

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    @property
    def complete(self) -> bool:
        """True when every solution is (or, once iterated, was) listed."""
        c = self._complete
        return c[0] if isinstance(c, list) else c

    def failure(self, generator: str) -> LayerFailure:
        """Why no candidate exists (or none led to a solution)."""
        if self._failure is None:
            return LayerFailure(generator, 0, None, "no_match", f"generator {generator}: no latent map")
        return self._failure(generator)



# -- the protocols ------------------------------------------------------------------------------



@runtime_checkable
class Result(Protocol):
    """What every verb returns (``symeq.check``, ``symeq.identify``, ...): a verdict, the reason
    in words, the certificate when the verdict is checkable, and plain data for ``--json``."""

    @property
    def verdict(self) -> Any:
        """A :class:`~symeq.verdict.Verdict` (or its string)."""

    @property
    def reason(self) -> str:
        """Why, in one paragraph."""

    def certificate(self) -> dict[str, Any] | None:
        """The certificate (holds) or witness (fails) the kernel re-checks; None otherwise."""

    def to_dict(self) -> dict[str, Any]:
        """What ``--json`` prints."""


@runtime_checkable
class LatentElement(Protocol):
    """An element k of a latent group: an immutable value (methods return new elements).

    Each latent group has one element type (the MLP's is
    :class:`~symeq.architectures.mlp.latent_map.LatentMap`).
    """

    def __matmul__(self, other: Any) -> Any:
        """The composite ``self o other`` (first ``other``, then ``self``)."""

    def inverse(self) -> Any:
        """k^{-1}."""

    def is_identity(self) -> bool:
        """True when k acts as the identity of V_i."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for certificates and ``--json`` (exact numbers as strings)."""

    def describe(self) -> str:
        """One line for people (permutation cycles, non-trivial scalars)."""


@runtime_checkable
class LatentGroup(Protocol):
    """K_i acting on a hidden space V_i of dimension ``dim``."""

    kind: LatentKind
    dim: int

    def identity(self) -> Any:
        """The identity element."""

    def compose(self, a: Any, b: Any) -> Any:
        """a o b."""

    def inverse(self, a: Any) -> Any:
        """a^{-1}."""

    def equal(self, a: Any, b: Any) -> bool:
        """True when a and b act equally on V_i."""

    def on_space(self, k: Any) -> tuple[Matrix, Matrix]:
        """(M, t): k acts on V_i by v -> M v + t, exactly."""

    def from_evidence(self, d: object) -> Any:
        """The element written by ``to_dict`` (InputError for bad data)."""

    def describe(self) -> str:
        """The group in words (its kind, order or dimension)."""


@runtime_checkable
class Architecture(Protocol):
    """One network of an architecture: an immutable value with exact parameters.

    Methods that change parameters return new networks.
    """

    #: The registry name (the file's ``[network] architecture``).
    architecture: str

    # -- shape ---------------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """L, the number of layers; the hidden spaces are V_1..V_{L-1}."""

    def spaces(self) -> tuple[int, ...]:
        """The dimensions of V_0..V_L (flattened)."""

    # -- evaluation ------------------------------------------------------------------------------
    def layer(self, i: int, x: Matrix) -> Matrix:
        """f_i(x; theta_i) for 1 <= i <= L, on a column vector of V_{i-1} (exact or symbolic)."""

    def forward(self, x: Matrix) -> Matrix:
        """f(x; theta), symbolically (x may contain symbols)."""

    def value(self, x: Matrix) -> Matrix:
        """f(x; theta) at a constant input, exact (piecewise activations decided exactly)."""

    # -- parameters ------------------------------------------------------------------------------
    def parameters(self) -> tuple[Any, ...]:
        """All parameters as one flat tuple, in a fixed documented order."""

    def with_parameters(self, theta: Sequence[Any]) -> Architecture:
        """The network of the same architecture with the flat parameter tuple ``theta``."""

    @property
    def symbols(self) -> frozenset[Any]:
        """The symbolic parameters; empty for a concrete network."""

    # -- symmetries ------------------------------------------------------------------------------
    def latent_group(self, i: int) -> LatentGroup:
        """K_i of hidden space V_i, 0 < i < L."""

    def act(self, k: Sequence[Any]) -> Architecture:
        """k . theta for k = (k_1, ..., k_{L-1}): the same end-to-end function."""

    def orbit_tangents(self) -> list[tuple[Any, ...]]:
        """A spanning set of the tangent space of the K-orbit at theta, as parameter vectors
        (empty for a finite K)."""

    # -- the adjunction and the construction -----------------------------------------------------
    def twist(self, group: GroupAction, g: str) -> Architecture:
        """theta^g for the generator named ``g``."""

    def structural(self, i: int, group: GroupAction, g: str) -> Any | None:
        """s_i(g), the structural action of g on V_i under the generalized adjunction, or None
        (ordinary adjunction: G acts on the boundary parameters only)."""

    def solve_layer(self, i: int, k_prev: Any | None, other: Architecture, budget: Budget) -> LayerSolutions:
        """Every k_i with f_i(.; other_i) = k_i o f_i(.; theta_i) o k_prev^{-1} (k_prev None: the
        identity of V_0), exhaustively; for i = L, the identity when the last layer closes.
        ``budget`` counts search steps and raises :class:`~symeq.errors.BudgetExceeded`."""

    # -- files -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``[network]`` table of the file schema."""
