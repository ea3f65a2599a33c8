"""The EKS lookups programs make: getCluster, and getClusterAuth (the token kubectl would send)."""

from __future__ import annotations

import base64
from typing import Any

import boto3
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest

from envctl.engine.properties import secret
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.data_sources import in_provider_region, looked_up
from envctl.providers.aws.registry import invoke

_TOKEN_PREFIX = "k8s-aws-v1."
_TOKEN_LIFETIME = 60  # seconds the presigned request is valid, as aws-iam-authenticator makes it


@invoke("aws:eks/getCluster:getCluster")
def get_cluster(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    in_provider_region(ctx, args, "eks.getCluster")
    found = looked_up(ctx, "aws:eks/cluster:Cluster", str(args.get("name") or ""), "EKS cluster")
    # The data source reports blocks as lists, and the resource's input blocks the local cloud does not keep empty.
    as_list = {"certificateAuthority": "certificateAuthorities", "kubernetesNetworkConfig": "kubernetesNetworkConfigs"}
    return {
        **{key: value for key, value in found.items() if key not in ("bootstrapSelfManagedAddons", "forceUpdateVersion",
                                                                      "encryptionConfig", *as_list)},
        **{plural: [found[key]] if found.get(key) else [] for key, plural in as_list.items()},
        "accessConfigs": [], "computeConfigs": [], "controlPlaneScalingConfigs": [], "kubeApiServerConfigs": [],
        "kubeControllerManagerConfigs": [], "kubeSchedulerConfigs": [], "outpostConfigs": [],
        "remoteNetworkConfigs": [], "storageConfigs": [], "upgradePolicies": [], "zonalShiftConfigs": [],
        "deletionProtection": False,
    }


@invoke("aws:eks/getClusterAuth:getClusterAuth")
def get_cluster_auth(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    """A bearer token for the cluster's Kubernetes API, made as aws-iam-authenticator makes it: a presigned STS
    GetCallerIdentity request naming the cluster, base64url-encoded. The token is secret."""
    in_provider_region(ctx, args, "eks.getClusterAuth")
    name = str(args.get("name") or "")
    session = boto3.Session(aws_access_key_id=ctx.access_key, aws_secret_access_key=ctx.secret_key,
                            aws_session_token=ctx.session_token, profile_name=ctx.profile, region_name=ctx.region)
    endpoint = ctx.endpoint_url or f"https://sts.{ctx.region}.amazonaws.com"
    request = AWSRequest(method="GET", url=f"{endpoint.rstrip('/')}/?Action=GetCallerIdentity&Version=2011-06-15",
                         headers={"x-k8s-aws-id": name})
    SigV4QueryAuth(session.get_credentials(), "sts", ctx.region, expires=_TOKEN_LIFETIME).add_auth(request)
    encoded = base64.urlsafe_b64encode(request.url.encode()).decode().rstrip("=")
    return {"id": name, "name": name, "token": secret(_TOKEN_PREFIX + encoded), "region": ctx.region}
