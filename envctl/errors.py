"""Errors a user can cause or must act on. The CLI prints them without a traceback."""


class EnvctlError(Exception):
    """Base of every error envctl reports to the user; the message says what to do."""

    exit_code = 2


class BadInput(EnvctlError):
    """The command, the project, its config or a reference is wrong: exit code 2."""

    exit_code = 2


class OperationFailed(EnvctlError):
    """The operation ran and failed (a cloud call, the program at run time): exit code 1."""

    exit_code = 1


class Interrupted(EnvctlError):
    """The operation was stopped by a signal (Ctrl-C, SIGTERM) at a safe point, and recorded: exit code 130."""

    exit_code = 130


class LockHeld(OperationFailed):
    """Another operation holds the environment's lock."""
