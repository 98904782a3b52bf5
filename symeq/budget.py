"""A wall-clock budget for sympy procedures that may not terminate in reasonable time.

sympy's ``limit``, ``solveset`` and ``simplify`` have no time limit, and on some formulas they
run for minutes.  :func:`call_with_budget` runs a function in a forked child process and
stops it when the budget runs out (a signal-based timeout would work only in the main thread
and not re-entrantly; a child can always be stopped and leaves no state behind).  Past the
budget it raises :class:`~symeq.errors.BudgetExceeded`, and callers answer "unknown (budget)".

>>> call_with_budget(sum, ([1, 2, 3],), 10)
6
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable

from symeq.errors import BudgetExceeded

__all__ = ["call_with_budget"]


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = fn(*args)
        conn.send(("ok", result))
    except BaseException as exc:  # the parent re-raises it
        try:
            conn.send(("error", exc))
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def call_with_budget(fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
    """``fn(*args)`` computed in a forked child that is stopped after ``seconds`` (raises
    BudgetExceeded); an exception of ``fn`` is raised again here.  The result must pickle.
    Inside a daemonic process (which may not start children) ``fn`` runs directly."""
    if multiprocessing.current_process().daemon:
        return fn(*args)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise BudgetExceeded(f"not finished within {seconds:g} s")
        try:
            status, payload = parent.recv()
        except EOFError:
            raise BudgetExceeded("the computation's process ended without an answer") from None
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(1)
        parent.close()
    if status == "error":
        raise payload
    return payload
