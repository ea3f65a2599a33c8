"""Probes of the EKS types: clusters and managed node groups."""

from probing import present

PROBES = {
    "aws:eks/cluster:Cluster": lambda c, id, o: present(lambda: c("eks").describe_cluster(name=id),
                                                        "ResourceNotFoundException"),
    "aws:eks/nodeGroup:NodeGroup": lambda c, id, o: present(
        lambda: c("eks").describe_nodegroup(clusterName=id.split(":")[0], nodegroupName=id.split(":")[1]),
        "ResourceNotFoundException"),
}
