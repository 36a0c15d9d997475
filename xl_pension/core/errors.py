"""Errors that reach the user as one Chinese sentence and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


class XlPensionError(Exception):
    """An error whose message is a complete Chinese sentence meant for the user.

    ``exit_code`` is what the command line returns when this error ends a command: it belongs
    to the class (never set on an instance), so that every front end maps errors alike.
    """

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class FindingsError(XlPensionError):
    """A command refused its work because the input has findings the user must fix (exit 1)."""

    exit_code = EXIT_FINDINGS


class PolicyError(XlPensionError):
    """The policy file is missing, unreadable or inconsistent."""


class UnusableInputError(XlPensionError):
    """An input file cannot be used at all (not a roster, corrupt, wrong format)."""
