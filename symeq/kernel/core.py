"""The kernel's answers and bookkeeping: :class:`Reject`, :class:`Budget`, :func:`tick`, :class:`Ctx`."""

from __future__ import annotations

import time
from contextlib import contextmanager

class Reject(Exception):
    """The certificate does not verify; the message says which step failed."""

class Budget(Reject):
    """The check would exceed the kernel's budget (time, precision or size): rejected."""

_DEADLINE = [float("inf")]

def tick() -> None:
    """Stop with :class:`Budget` once the time budget is spent (every exact product calls it)."""
    if time.monotonic() > _DEADLINE[0]:
        raise Budget("the time budget is spent")

@contextmanager
def budget(seconds: float):
    """Run a block with at most ``seconds`` of time budget (nested budgets keep the earlier end)."""
    old = _DEADLINE[0]
    _DEADLINE[0] = min(old, time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE[0] = old

class Ctx:
    """One verification: the field ``F``, the ``steps`` that held (``prefix`` names a nested proof),
    the ``claim``, the items it ``relies`` on, and, given from outside the kernel, the second-tier
    procedures ``tier2`` and the ``trusted`` tables (:mod:`symeq.certify.theorems`)."""

    def __init__(self, F, tier2=None, trusted=None):
        self.F, self.tier2, self.trusted, self.steps, self.relies = F, tier2 or {}, trusted, [], ["kernel"]
        self.claim, self.prefix = "(unreadable claim)", ""

    def step(self, text: str) -> None:
        self.steps.append(self.prefix + text)

    def rely(self, item: str | None) -> None:
        if item is not None and item not in self.relies:
            self.relies.append(item)

    def lemma(self, key: str) -> None:
        """Rely on the trusted lemma ``key`` (named in the verdict)."""
        self.rely(self.trusted.LEMMAS[key])

    def second_tier(self, name: str, *args):
        """Run the named second-tier procedure (a search or a trusted library) and record it."""
        if name not in self.tier2:
            raise Reject(f"this check needs the second-tier procedure '{name}', which is not available")
        self.rely(f"{name} (second tier)")
        return self.tier2[name](*args)
