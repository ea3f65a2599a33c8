"""A check the EC2 provider tests share: a create whose outcome a crash left unknown finds its resource again."""

from __future__ import annotations

from envctl.providers.aws.package import with_region

from provider_steps import Provisioned


def assert_found_after_a_crash(item: Provisioned) -> None:
    """The resource is found by what envctl tagged it with (or by its inputs), unless state already has it."""
    found = item.resource.find(item.ctx, item.urn, item.inputs, set())
    assert found is not None and (found[0], with_region(item.resource, item.ctx, found[1])) == (item.id, item.read())
    assert item.resource.find(item.ctx, item.urn, item.inputs, {item.id}) is None
