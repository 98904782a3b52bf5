"""The search driver: exhaustive enumeration of small cases, then hypothesis with shrinking.

A search is a *test* that turns a candidate into a hit (or None), an iterator of small
candidates tried in order (exhaustive part), and a hypothesis strategy for the rest.  Hypothesis
runs ``find``: it looks for a candidate whose test hits and then shrinks it toward the smallest
example (fewest neurons, smallest integers: strategies draw widths and integers that shrink to
small values).  Nothing is stored on disk (no example database) and there is no deadline.

>>> from hypothesis import strategies as st
>>> hit, tried = run_search(lambda n: n if n * n > 50 else None, iter(range(3)), st.integers(0, 1000), 50)
>>> hit
8
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable
from hypothesis.strategies import SearchStrategy

__all__ = ["run_search"]

#: These modules are MLP theory (docs/theory.md section 6: G-set classification, counterexample families).
__architectures__ = ("mlp",)

T = TypeVar("T")
R = TypeVar("R")


def run_search(test: Callable[[T], R | None], small: Iterable[T], strategy: SearchStrategy[T] | None,
               budget: int) -> tuple[R | None, int]:
    """(the first hit, candidates tried): the exhaustive part takes up to half the budget, the
    hypothesis part (minimal example after shrinking) the rest."""
    tried = 0
    for cand in small:
        if tried >= max(1, budget // 2):
            break
        tried += 1
        hit = test(cand)
        if hit is not None:
            return hit, tried
    if strategy is None:
        return None, tried
    count = [0]
    cache: dict[Any, R] = {}

    def condition(cand: T) -> bool:
        count[0] += 1
        key = repr(cand)
        if key not in cache:
            out = test(cand)
            if out is None:
                return False
            cache[key] = out
        return True

    try:
        with _no_storage():
            best = find(strategy, condition,
                        settings=settings(max_examples=max(1, budget - tried), database=None, deadline=None,
                                          derandomize=True,  # same input, same counterexample
                                          phases=(Phase.generate, Phase.shrink),
                                          suppress_health_check=list(HealthCheck)))
    except (NoSuchExample, Unsatisfiable):
        return None, tried + count[0]
    key = repr(best)
    return (cache[key] if key in cache else test(best)), tried + count[0]


@contextmanager
def _no_storage() -> Iterator[None]:
    """Hypothesis keeps a cache of the constants in local source files under ./.hypothesis even
    without an example database; a search started from the command line must leave the working
    directory as it found it, so the cache goes to a temporary directory, removed afterwards."""
    from hypothesis import configuration

    old = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="symeq-hypothesis-") as d:
        configuration.set_hypothesis_home_dir(d)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(old)
