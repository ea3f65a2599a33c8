"""aws:apigateway Account: the region's API Gateway settings (the CloudWatch role it logs with), one per account."""

from __future__ import annotations

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.apigateway.shared import ApiGatewayResource, apigateway, replace
from envctl.providers.aws.registry import resource_type

_ACCOUNT_ID = "api-gateway-account"  # Terraform's id: there is one account per region


@resource_type
class Account(ApiGatewayResource):
    token = "aws:apigateway/account:Account"
    taggable = False
    handled = frozenset({"cloudwatchRoleArn"})
    outputs = frozenset({"apiKeyVersion", "features", "throttleSettings"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._set_role(ctx, inputs.get("cloudwatchRoleArn"))
        return _ACCOUNT_ID, {**inputs, **self.describe(ctx, _ACCOUNT_ID, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._set_role(ctx, news.get("cloudwatchRoleArn"))
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # The settings cannot go; deleting the resource clears the role, as Terraform does.
        self._set_role(ctx, None)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        answer = apigateway(ctx).get_account()
        throttle = answer.get("throttleSettings")
        return {
            "cloudwatchRoleArn": answer.get("cloudwatchRoleArn") or None,
            "apiKeyVersion": answer.get("apiKeyVersion"),
            "features": answer.get("features") or [],
            "throttleSettings": [{"burstLimit": int(throttle.get("burstLimit", 0)),
                                  "rateLimit": float(throttle.get("rateLimit", 0))}] if throttle else [],
        }

    def _set_role(self, ctx: AwsContext, role_arn: str | None) -> None:
        apigateway(ctx).update_account(patchOperations=[replace("/cloudwatchRoleArn", role_arn)])
