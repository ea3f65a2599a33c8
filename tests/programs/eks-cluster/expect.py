"""eks-cluster: the control plane, its node group and a kubeconfig for kubectl; then more nodes,
scaled in place."""

import json

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def node_group(cloud: Cloud, out: Outputs) -> dict:
    cluster, name = out["node_group_id"].split(":")
    return cloud.client("eks").describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]


def verify(cloud: Cloud, out: Outputs) -> None:
    eks, iam = cloud.client("eks"), cloud.client("iam")
    cluster = eks.describe_cluster(name=out["cluster_name"])["cluster"]
    assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.30" and cluster["endpoint"] == out["endpoint"]
    enabled = [entry["types"] for entry in cluster["logging"]["clusterLogging"] if entry["enabled"]]
    assert enabled == [["api", "audit"]]
    role = cluster["roleArn"].rsplit("/", 1)[1]
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonEKSClusterPolicy"]
    group = node_group(cloud, out)
    assert group["clusterName"] == out["cluster_name"] and group["scalingConfig"]["desiredSize"] == 2
    assert group["instanceTypes"] == ["t3.medium"] and group["labels"] == {"workload": "general"}
    kubeconfig = json.loads(out["kubeconfig"])
    assert kubeconfig["clusters"][0]["cluster"]["server"] == cluster["endpoint"]
    assert kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"] == cluster["certificateAuthority"]["data"]
    assert kubeconfig["users"][0]["user"]["exec"]["args"] == ["eks", "get-token", "--cluster-name",
                                                              out["cluster_name"]]
    assert out["oidc_issuer"] == cluster["identity"]["oidc"]["issuer"]


def verify_more_nodes(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["node_group_id"] == before["node_group_id"]
    assert node_group(cloud, after)["scalingConfig"] == {"desiredSize": 3, "minSize": 1, "maxSize": 4}


CASE = ProgramCase("eks-cluster", verify,
                   Edit(set_config("test", desiredNodes=3), (("update", NODE_GROUP),), verify_more_nodes))
