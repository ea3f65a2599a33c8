"""Lists AWS answers a page at a time, read as one sequence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def listed(client: Any, operation: str, list_key: str, /, **params: Any) -> Iterator[Any]:
    """Every item under `list_key` in the pages that the paginated `operation` answers with."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(list_key) or ()
