"""Errors that end a command with exit code 2 ("bad input").

Every problem with what a user wrote (a file, a number, a group, a shape) is raised as
:class:`InputError`.  The command line turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: the message is one line that says what is wrong and where."""


class BudgetExceeded(RuntimeError):
    """An exponential procedure ran past its stated budget; callers answer "unknown (budget)"."""
