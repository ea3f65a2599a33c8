"""A check the EC2 provider tests share: a create whose outcome a crash left unknown finds its resource again."""

from __future__ import annotations

from envctl.providers.aws.package import with_region

from provider_steps import Made, Provisioned, Provisioner, provider


def assert_found_after_a_crash(item: Provisioned | Made, provisioner: Provisioner | None = None) -> None:
    """The resource is found by what envctl tagged it with (or by its inputs), unless state already has it."""
    if isinstance(item, Made):
        assert provisioner is not None and item.inputs is not None
        ctx, resource, inputs, current = provisioner.ctx, provider(item.token), item.inputs, provisioner.read(item)
    else:
        ctx, resource, inputs, current = item.ctx, item.resource, item.inputs, item.read()
    found = resource.find(ctx, item.urn, inputs, set())
    assert found is not None and (found[0], with_region(resource, ctx, found[1])) == (item.id, current)
    assert resource.find(ctx, item.urn, inputs, {item.id}) is None
