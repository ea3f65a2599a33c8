"""What the installed pulumi_aws says an invoke answers, for the tests of invokes."""

from __future__ import annotations

import importlib
import sys


def result_fields(module: str, function: str) -> set[str]:
    """The output properties of an invoke (wire names), as the installed pulumi_aws defines its result class."""
    # Through the package's attribute: pulumi_aws imports its modules lazily, and importing `pulumi_aws.sns.get_topic`
    # before `pulumi_aws.sns` has loaded would load that file twice and leave the package's `get_topic` the module
    # rather than the function, for every program run in this process afterwards.
    invoke = getattr(importlib.import_module(f"pulumi_aws.{module}"), function)
    found = sys.modules[invoke.__module__]
    result = next(c for n, c in vars(found).items() if n.endswith("Result") and not n.startswith("Awaitable"))
    return {getattr(v.fget, "_pulumi_name", k) for k, v in vars(result).items() if isinstance(v, property)}
