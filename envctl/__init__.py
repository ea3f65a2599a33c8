"""envctl: reproducible environments from versioned Pulumi programs, with a traceability ledger."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("envctl")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
