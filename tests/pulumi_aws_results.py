"""What the installed pulumi_aws says an invoke answers, for the tests of invokes."""

from __future__ import annotations

import importlib


def result_fields(module: str, function: str) -> set[str]:
    """The output properties of an invoke (wire names), as the installed pulumi_aws defines its result class."""
    found = importlib.import_module(f"pulumi_aws.{module}.{function}")
    result = next(c for n, c in vars(found).items() if n.endswith("Result") and not n.startswith("Awaitable"))
    return {getattr(v.fget, "_pulumi_name", k) for k, v in vars(result).items() if isinstance(v, property)}
