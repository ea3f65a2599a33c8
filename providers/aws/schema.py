"""A type's schema: every input and output property pulumi-aws defines for it, with what envctl does with each.

An input envctl does not implement is refused (never dropped): check names it, before anything is created. The
declared schema is kept equal to the installed pulumi_aws classes by a test (names, required, secret); defaults
and force-new come from the Terraform provider's schema, which pulumi-aws is bridged from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TypeSchema:
    token: str
    implemented: frozenset[str]  # inputs envctl honours
    unimplemented: Mapping[str, str]  # inputs it refuses, each with a hint ("" for none)
    required: frozenset[str]
    force_new: frozenset[str]
    secret: frozenset[str]  # properties pulumi-aws marks secret
    outputs: frozenset[str]  # output-only properties (the inputs are outputs too)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def inputs(self) -> frozenset[str]:
        return self.implemented | frozenset(self.unimplemented)
