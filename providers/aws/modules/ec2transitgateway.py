"""aws:ec2transitgateway types: a transit gateway, the VPCs attached to it, its route tables, the attachments each
table learns routes from, and static routes; with terraform-provider-aws's rules.

The local cloud (moto) associates every new attachment with the gateway's default route table and cannot take it
off again (its DisassociateTransitGatewayRouteTable fails for that association), so a gateway without default
association, an attachment kept off the default table, and RouteTableAssociation are not emulated."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, Ec2Resource, ec2_remove, ec2_tags, tag_specifications
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.wire import api_name, in_configured_order

_ALWAYS_ASSOCIATED = ("the local cloud (moto) associates every attachment with the gateway's default route table and "
                      "cannot disassociate it")
_TGW_GONE = (*EC2_GONE, "InvalidTransitGatewayID.NotFound", "InvalidTransitGatewayAttachmentID.NotFound")
_ENDED = ("deleting", "deleted", "failed", "failing", "rejected")

# ---- transit gateway ------------------------------------------------------------------------

# Options as pulumi-aws names them -> TransitGatewayRequestOptions keys (their wire names capitalised).
_GATEWAY_OPTIONS = ("autoAcceptSharedAttachments", "defaultRouteTableAssociation", "defaultRouteTablePropagation",
                    "dnsSupport", "multicastSupport", "vpnEcmpSupport", "securityGroupReferencingSupport")
_MODIFIABLE_OPTIONS = tuple(o for o in _GATEWAY_OPTIONS if o != "multicastSupport")


@resource_type
class TransitGateway(Ec2Resource):
    token = "aws:ec2transitgateway/transitGateway:TransitGateway"
    tagged_type = "transit-gateway"
    defaults = {"amazonSideAsn": 64512, "autoAcceptSharedAttachments": "disable",
                "defaultRouteTableAssociation": "enable", "defaultRouteTablePropagation": "enable",
                "dnsSupport": "enable", "multicastSupport": "disable", "vpnEcmpSupport": "enable",
                "securityGroupReferencingSupport": "disable"}
    force_new = frozenset({"amazonSideAsn", "multicastSupport"})
    set_properties = ("transitGatewayCidrBlocks",)
    handled = frozenset({*_GATEWAY_OPTIONS, "amazonSideAsn", "description", "transitGatewayCidrBlocks"})
    unsupported = {"encryptionSupport": "transit gateway encryption is not emulated by the local cloud"}
    outputs = frozenset({"arn", "associationDefaultRouteTableId", "ownerId", "propagationDefaultRouteTableId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("defaultRouteTableAssociation") == "disable":
            return [CheckFailure("defaultRouteTableAssociation",
                                 f"defaultRouteTableAssociation 'disable' is not emulated: {_ALWAYS_ASSOCIATED}")]
        return []

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        # As in Terraform: switching default association or propagation back on needs a new gateway.
        switched_on = tuple(key for key in ("defaultRouteTableAssociation", "defaultRouteTablePropagation")
                            if olds.get(key) == "disable" and news.get(key) == "enable")
        return DiffResult(diff.changed, (*diff.replaces, *switched_on)) if switched_on else diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        options: dict[str, Any] = {api_name(key): inputs[key] for key in _GATEWAY_OPTIONS if inputs.get(key)}
        options["AmazonSideAsn"] = int(inputs.get("amazonSideAsn") or 64512)
        if inputs.get("transitGatewayCidrBlocks"):
            options["TransitGatewayCidrBlocks"] = list(inputs["transitGatewayCidrBlocks"])
        request: dict[str, Any] = {"Options": options}
        if inputs.get("description"):
            request["Description"] = inputs["description"]
        gateway_id = ctx.client("ec2").create_transit_gateway(
            TagSpecifications=tag_specifications("transit-gateway", self.tags_all(ctx, urn, inputs)), **request,
        )["TransitGateway"]["TransitGatewayId"]
        return gateway_id, self.read_back(ctx, gateway_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        gateway = one_found(ctx.client("ec2").describe_transit_gateways, "TransitGateways", _TGW_GONE,
                            TransitGatewayIds=[id])
        if gateway is None or gateway["State"] in _ENDED:
            return None
        options = gateway.get("Options") or {}
        return {
            "id": id,
            "arn": gateway.get("TransitGatewayArn") or ctx.arn("ec2", f"transit-gateway/{id}"),
            "description": gateway.get("Description") or "",
            "amazonSideAsn": int(options.get("AmazonSideAsn") or 64512),
            **{key: options.get(api_name(key)) or "disable" for key in _GATEWAY_OPTIONS},
            "transitGatewayCidrBlocks": in_configured_order(state.get("transitGatewayCidrBlocks"),
                                                            options.get("TransitGatewayCidrBlocks") or []),
            "associationDefaultRouteTableId": options.get("AssociationDefaultRouteTableId") or "",
            "propagationDefaultRouteTableId": options.get("PropagationDefaultRouteTableId") or "",
            "encryptionSupport": "disable",
            "ownerId": gateway["OwnerId"],
            **ec2_tags(ctx, gateway.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        options: dict[str, Any] = {api_name(key): news[key] for key in _MODIFIABLE_OPTIONS if key in changed}
        if "transitGatewayCidrBlocks" in changed:
            old, new = set(olds.get("transitGatewayCidrBlocks") or []), set(news.get("transitGatewayCidrBlocks") or [])
            if new - old:
                options["AddTransitGatewayCidrBlocks"] = sorted(new - old)
            if old - new:
                options["RemoveTransitGatewayCidrBlocks"] = sorted(old - new)
        request: dict[str, Any] = {"Options": options} if options else {}
        if "description" in changed:
            request["Description"] = news.get("description") or ""
        if request:
            ctx.client("ec2").modify_transit_gateway(TransitGatewayId=id, **request)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:  # moto fails (500) deleting a gateway that is gone
            ec2_remove(ctx.client("ec2").delete_transit_gateway, also_gone=_TGW_GONE, TransitGatewayId=id)


def _gateway_options(ctx: AwsContext, gateway_id: str) -> dict[str, Any]:
    gateway = one_found(ctx.client("ec2").describe_transit_gateways, "TransitGateways", _TGW_GONE,
                        TransitGatewayIds=[gateway_id])
    if gateway is None:
        raise OperationFailed(f"transit gateway {gateway_id} does not exist")
    return gateway.get("Options") or {}


# ---- associations and propagations, shared --------------------------------------------------


def _association(ec2: Any, table_id: str, attachment_id: str) -> dict | None:
    if not table_id:
        return None
    return one_found(ec2.get_transit_gateway_route_table_associations, "Associations", _TGW_GONE,
                     TransitGatewayRouteTableId=table_id,
                     Filters=[{"Name": "transit-gateway-attachment-id", "Values": [attachment_id]}])


def _propagation(ec2: Any, table_id: str, attachment_id: str) -> dict | None:
    if not table_id:
        return None
    propagations = one_found(ec2.get_transit_gateway_route_table_propagations, "TransitGatewayRouteTablePropagations",
                             _TGW_GONE, TransitGatewayRouteTableId=table_id,
                             Filters=[{"Name": "transit-gateway-attachment-id", "Values": [attachment_id]}])
    return propagations if propagations and propagations.get("State") != "disabled" else None


def _set_propagation(ec2: Any, table_id: str, attachment_id: str, propagating: bool) -> None:
    present = _propagation(ec2, table_id, attachment_id) is not None
    if propagating and not present:
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table_id,
                                                           TransitGatewayAttachmentId=attachment_id)
    elif present and not propagating:
        ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table_id,
                                                            TransitGatewayAttachmentId=attachment_id)


# ---- VPC attachment -------------------------------------------------------------------------

_ATTACHMENT_OPTIONS = ("applianceModeSupport", "dnsSupport", "ipv6Support", "securityGroupReferencingSupport")
_DEFAULT_TABLE_SETTINGS = ("transitGatewayDefaultRouteTableAssociation", "transitGatewayDefaultRouteTablePropagation")


@resource_type
class VpcAttachment(Ec2Resource):
    token = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
    tagged_type = "transit-gateway-attachment"
    required = ("subnetIds", "transitGatewayId", "vpcId")
    defaults = {"applianceModeSupport": "disable", "dnsSupport": "enable", "ipv6Support": "disable",
                "transitGatewayDefaultRouteTableAssociation": True, "transitGatewayDefaultRouteTablePropagation": True}
    force_new = frozenset({"transitGatewayId", "vpcId"})
    set_properties = ("subnetIds",)
    handled = frozenset({*_ATTACHMENT_OPTIONS, *_DEFAULT_TABLE_SETTINGS})
    outputs = frozenset({"arn", "vpcOwnerId"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if inputs.get("transitGatewayDefaultRouteTableAssociation") is False:
            return [CheckFailure("transitGatewayDefaultRouteTableAssociation", "an attachment kept off the default "
                                 f"route table is not emulated: {_ALWAYS_ASSOCIATED}")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ec2 = ctx.client("ec2")
        options = {api_name(key): inputs[key] for key in _ATTACHMENT_OPTIONS if inputs.get(key)}
        attachment_id = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=inputs["transitGatewayId"], VpcId=inputs["vpcId"], SubnetIds=list(inputs["subnetIds"]),
            Options=options,
            TagSpecifications=tag_specifications("transit-gateway-attachment", self.tags_all(ctx, urn, inputs)),
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
        self.read_back(ctx, attachment_id, inputs)
        self._use_default_tables(ctx, attachment_id, inputs)
        return attachment_id, self.read_back(ctx, attachment_id, inputs)

    def _use_default_tables(self, ctx: AwsContext, attachment_id: str, inputs: Props) -> None:
        """Propagate to the gateway's default table as asked, where the gateway propagates by default. (AWS does
        this for a new attachment by itself; moto does not, so envctl asks for it.)"""
        ec2, options = ctx.client("ec2"), _gateway_options(ctx, inputs["transitGatewayId"])
        if options.get("DefaultRouteTablePropagation") == "enable":
            _set_propagation(ec2, options.get("PropagationDefaultRouteTableId", ""), attachment_id,
                             inputs.get("transitGatewayDefaultRouteTablePropagation") is not False)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        ec2 = ctx.client("ec2")
        attachment = one_found(ec2.describe_transit_gateway_vpc_attachments, "TransitGatewayVpcAttachments",
                               _TGW_GONE, TransitGatewayAttachmentIds=[id])
        if attachment is None or attachment["State"] in _ENDED:
            return None
        options = attachment.get("Options") or {}
        gateway = _gateway_options(ctx, attachment["TransitGatewayId"])
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"transit-gateway-attachment/{id}"),
            "transitGatewayId": attachment["TransitGatewayId"],
            "vpcId": attachment["VpcId"],
            "vpcOwnerId": attachment.get("VpcOwnerId") or ctx.account_id,
            "subnetIds": in_configured_order(state.get("subnetIds"), attachment.get("SubnetIds") or []),
            **{key: options.get(api_name(key)) or "disable" for key in _ATTACHMENT_OPTIONS},
            "transitGatewayDefaultRouteTableAssociation": _association(
                ec2, gateway.get("AssociationDefaultRouteTableId", ""), id) is not None,
            "transitGatewayDefaultRouteTablePropagation": _propagation(
                ec2, gateway.get("PropagationDefaultRouteTableId", ""), id) is not None,
            **ec2_tags(ctx, attachment.get("Tags"), state),
        }

    def _change(self, ctx: AwsContext, id: str, olds: Props, news: Props, changed: set[str]) -> None:
        request: dict[str, Any] = {}
        if "subnetIds" in changed:
            old, new = set(olds.get("subnetIds") or []), set(news.get("subnetIds") or [])
            request.update({"AddSubnetIds": sorted(new - old), "RemoveSubnetIds": sorted(old - new)})
        options = {api_name(key): news[key] for key in _ATTACHMENT_OPTIONS if key in changed and news.get(key)}
        if options:
            request["Options"] = options
        request = {key: value for key, value in request.items() if value}
        if request:
            ctx.client("ec2").modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=id, **request)
        if changed & set(_DEFAULT_TABLE_SETTINGS):
            self._use_default_tables(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:  # moto fails (500) deleting an attachment that is gone
            ec2_remove(ctx.client("ec2").delete_transit_gateway_vpc_attachment, also_gone=_TGW_GONE,
                       TransitGatewayAttachmentId=id)


# ---- route table ----------------------------------------------------------------------------


@resource_type
class RouteTable(Ec2Resource):
    token = "aws:ec2transitgateway/routeTable:RouteTable"
    tagged_type = "transit-gateway-route-table"
    required = ("transitGatewayId",)
    force_new = frozenset({"transitGatewayId"})
    outputs = frozenset({"arn", "defaultAssociationRouteTable", "defaultPropagationRouteTable"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        table_id = ctx.client("ec2").create_transit_gateway_route_table(
            TransitGatewayId=inputs["transitGatewayId"],
            TagSpecifications=tag_specifications("transit-gateway-route-table", self.tags_all(ctx, urn, inputs)),
        )["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        return table_id, self.read_back(ctx, table_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        table = _route_table(ctx, id)
        if table is None or table["State"] in _ENDED:
            return None
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"transit-gateway-route-table/{id}"),
            "transitGatewayId": table["TransitGatewayId"],
            "defaultAssociationRouteTable": bool(table.get("DefaultAssociationRouteTable")),
            "defaultPropagationRouteTable": bool(table.get("DefaultPropagationRouteTable")),
            **ec2_tags(ctx, table.get("Tags"), state),
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:  # moto fails (500) deleting a table that is gone
            ec2_remove(ctx.client("ec2").delete_transit_gateway_route_table, TransitGatewayRouteTableId=id)


def _route_table(ctx: AwsContext, table_id: str) -> dict | None:
    return one_found(ctx.client("ec2").describe_transit_gateway_route_tables, "TransitGatewayRouteTables",
                     _TGW_GONE, TransitGatewayRouteTableIds=[table_id])


# ---- association and propagation ------------------------------------------------------------


class _TableLink(Ec2Resource):
    """An attachment linked to a route table, known as `<table id>_<attachment id>` as in Terraform."""

    taggable = False
    required = ("transitGatewayAttachmentId", "transitGatewayRouteTableId")
    force_new = frozenset(required)
    outputs = frozenset({"resourceId", "resourceType"})

    @abstractmethod
    def _present(self, ec2: Any, table_id: str, attachment_id: str) -> dict | None:
        """The link as AWS reports it; None when there is none."""

    @abstractmethod
    def _link(self, ctx: AwsContext, inputs: Props, linked: bool) -> None:
        """Make the link, or take it away."""

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._link(ctx, inputs, True)
        link_id = f"{inputs['transitGatewayRouteTableId']}_{inputs['transitGatewayAttachmentId']}"
        return link_id, self.read_back(ctx, link_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        table_id, attachment_id = id.split("_", 1)
        link = self._present(ctx.client("ec2"), table_id, attachment_id)
        if link is None:
            return None
        return {"id": id, "transitGatewayRouteTableId": table_id, "transitGatewayAttachmentId": attachment_id,
                "resourceId": link.get("ResourceId", ""), "resourceType": link.get("ResourceType", ""),
                **{key: state.get(key) for key in self.handled or ()}}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        table_id, attachment_id = id.split("_", 1)
        if self._present(ctx.client("ec2"), table_id, attachment_id) is not None:
            self._link(ctx, {"transitGatewayRouteTableId": table_id, "transitGatewayAttachmentId": attachment_id},
                       False)


@resource_type
class RouteTablePropagation(_TableLink):
    token = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
    handled = frozenset()

    def _present(self, ec2: Any, table_id: str, attachment_id: str) -> dict | None:
        return _propagation(ec2, table_id, attachment_id)

    def _link(self, ctx: AwsContext, inputs: Props, linked: bool) -> None:
        _set_propagation(ctx.client("ec2"), inputs["transitGatewayRouteTableId"], inputs["transitGatewayAttachmentId"],
                         linked)


# ---- route ----------------------------------------------------------------------------------


@resource_type
class Route(Ec2Resource):
    token = "aws:ec2transitgateway/route:Route"
    taggable = False
    required = ("destinationCidrBlock", "transitGatewayRouteTableId")
    defaults = {"blackhole": False}
    force_new = frozenset({"destinationCidrBlock", "transitGatewayRouteTableId", "transitGatewayAttachmentId",
                           "blackhole"})
    handled = frozenset({"transitGatewayAttachmentId", "blackhole"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if bool(inputs.get("blackhole")) == bool(inputs.get("transitGatewayAttachmentId")):
            return [CheckFailure("blackhole", "set transitGatewayAttachmentId, or blackhole to drop the traffic")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        request: dict[str, Any] = {"TransitGatewayRouteTableId": inputs["transitGatewayRouteTableId"],
                                   "DestinationCidrBlock": inputs["destinationCidrBlock"]}
        if inputs.get("blackhole"):
            request["Blackhole"] = True
        else:
            request["TransitGatewayAttachmentId"] = inputs["transitGatewayAttachmentId"]
        ctx.client("ec2").create_transit_gateway_route(**request)
        route_id = f"{inputs['transitGatewayRouteTableId']}_{inputs['destinationCidrBlock']}"  # Terraform's id
        return route_id, self.read_back(ctx, route_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        table_id, destination = state["transitGatewayRouteTableId"], state["destinationCidrBlock"]
        routes = ctx.client("ec2").search_transit_gateway_routes(
            TransitGatewayRouteTableId=table_id,
            Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
        route = next((r for r in routes if r.get("DestinationCidrBlock") == destination), None)
        if route is None:
            return None
        attachments = route.get("TransitGatewayAttachments") or []
        return {"id": id, "transitGatewayRouteTableId": table_id, "destinationCidrBlock": destination,
                "blackhole": route.get("State") == "blackhole",
                "transitGatewayAttachmentId": attachments[0].get("TransitGatewayAttachmentId", "") if attachments
                else ""}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            ctx.client("ec2").delete_transit_gateway_route(
                TransitGatewayRouteTableId=state["transitGatewayRouteTableId"],
                DestinationCidrBlock=state["destinationCidrBlock"])
