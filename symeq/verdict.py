"""Verdicts and exit codes: one type for every verb (DESIGN.md principle 4).

Every result symeq returns has a :class:`Verdict`; the command line exits with its
:attr:`~Verdict.exit_code`.  Four outcomes are never blurred: a verdict that *holds* comes with a
certificate (exit 0), one that *fails* with a witness (exit 1), and *conjectural* or *unknown*
ones say why (exit 3).  Identifiability and counterexample searches name their outcomes in
their own words, each mapped to one of the four.  Exit 2 is bad input (not a verdict), 4 an
internal error (a bug).

>>> Verdict("holds").exit_code, Verdict.NOT_IDENTIFIABLE.exit_code, Verdict("not refuted").exit_code
(0, 1, 3)
>>> str(Verdict.WEAKLY_IDENTIFIABLE), Verdict.REFUTED == "refuted"
('weakly identifiable', True)
>>> Verdict("maybe")
Traceback (most recent call last):
...
ValueError: 'maybe' is not a valid Verdict
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Verdict", "EXIT_BAD_INPUT", "EXIT_INTERNAL"]

#: Exit code of bad input (one line on stderr), and of an internal error (a bug in symeq).
EXIT_BAD_INPUT, EXIT_INTERNAL = 2, 4


class Verdict(StrEnum):
    """The outcome of a verb."""

    HOLDS = "holds"
    FAILS = "fails"
    CONJECTURAL = "conjectural"
    UNKNOWN = "unknown"
    # symeq identify
    IDENTIFIABLE = "identifiable"
    WEAKLY_IDENTIFIABLE = "weakly identifiable"
    NOT_IDENTIFIABLE = "not identifiable"
    LOCALLY_IDENTIFIABLE = "locally identifiable"
    # symeq counterexample
    REFUTED = "refuted"
    NOT_REFUTED = "not refuted"

    def __repr__(self) -> str:  # read as plain data, the way --json prints it
        return repr(self.value)

    @property
    def exit_code(self) -> int:
        """0 for a proved positive answer, 1 for a proved negative one (with a witness), 3 for
        everything that is not proved (conjectural, local evidence, unknown, not refuted)."""
        return _EXIT[self]


_EXIT = {
    Verdict.HOLDS: 0, Verdict.IDENTIFIABLE: 0, Verdict.WEAKLY_IDENTIFIABLE: 0,
    Verdict.FAILS: 1, Verdict.NOT_IDENTIFIABLE: 1, Verdict.REFUTED: 1,
    Verdict.CONJECTURAL: 3, Verdict.UNKNOWN: 3, Verdict.LOCALLY_IDENTIFIABLE: 3, Verdict.NOT_REFUTED: 3,
}
