"""aws:cloudwatch/dashboard:Dashboard: a CloudWatch dashboard, whose body is a JSON document of widgets."""

from __future__ import annotations

from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, json_equivalent
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.registry import resource_type

_GONE = ("ResourceNotFound", "ResourceNotFoundException")


@resource_type
class Dashboard(AwsResource):
    token = "aws:cloudwatch/dashboard:Dashboard"
    id_property = "dashboardName"
    required = ("dashboardName", "dashboardBody")
    force_new = frozenset({"dashboardName"})
    handled = frozenset()
    documents = {"dashboardBody": json_equivalent}
    outputs = frozenset({"dashboardArn"})
    taggable = False

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        return self._put(ctx, inputs), {**inputs, **self.read_back(ctx, inputs["dashboardName"], inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        dashboard = found_or_none(ctx.client("cloudwatch").get_dashboard, _GONE, DashboardName=id)
        if dashboard is None:
            return None
        return {
            "id": dashboard["DashboardName"],
            "dashboardName": dashboard["DashboardName"],
            "dashboardArn": dashboard["DashboardArn"],
            "dashboardBody": document_from_cloud(state.get("dashboardBody"), dashboard["DashboardBody"],
                                                 json_equivalent),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # PutDashboard replaces the body
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        found_or_none(ctx.client("cloudwatch").delete_dashboards, _GONE, DashboardNames=[id])

    @staticmethod
    def _put(ctx: AwsContext, inputs: Props) -> str:
        ctx.client("cloudwatch").put_dashboard(DashboardName=inputs["dashboardName"],
                                               DashboardBody=inputs["dashboardBody"])
        return inputs["dashboardName"]
