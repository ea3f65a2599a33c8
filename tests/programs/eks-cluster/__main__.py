"""An EKS cluster in the default VPC with one managed node group, and a kubeconfig to reach it."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
desired_nodes = config.get_int("desiredNodes") or 2

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])


def service_role(name: str, service: str, policies: list[str]) -> aws.iam.Role:
    role = aws.iam.Role(
        name,
        assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }),
    )
    for index, policy in enumerate(policies):
        aws.iam.RolePolicyAttachment(f"{name}-policy-{index}", role=role.name,
                                     policy_arn=f"arn:aws:iam::aws:policy/{policy}")
    return role


cluster_role = service_role("eks-cluster-role", "eks.amazonaws.com", ["AmazonEKSClusterPolicy"])
node_role = service_role("eks-node-role", "ec2.amazonaws.com",
                         ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])

cluster = aws.eks.Cluster(
    "demo",
    role_arn=cluster_role.arn,
    version="1.30",
    vpc_config={"subnet_ids": subnets.ids, "endpoint_public_access": True},
    enabled_cluster_log_types=["api", "audit"],
    tags={"Project": "eks-demo"},
)

nodes = aws.eks.NodeGroup(
    "demo-nodes",
    cluster_name=cluster.name,
    node_role_arn=node_role.arn,
    subnet_ids=subnets.ids,
    instance_types=["t3.medium"],
    scaling_config={"desired_size": desired_nodes, "min_size": 1, "max_size": 4},
    labels={"workload": "general"},
)

looked_up = aws.eks.get_cluster_output(name=cluster.name)

kubeconfig = pulumi.Output.all(cluster.endpoint, cluster.certificate_authority.data, cluster.name).apply(
    lambda args: json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": args[2], "cluster": {"server": args[0], "certificate-authority-data": args[1]}}],
        "contexts": [{"name": args[2], "context": {"cluster": args[2], "user": "aws"}}],
        "current-context": args[2],
        "users": [{"name": "aws", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", args[2]],
        }}}],
    })
)

pulumi.export("cluster_name", cluster.name)
pulumi.export("endpoint", cluster.endpoint)
pulumi.export("node_group_id", nodes.id)
pulumi.export("kubeconfig", kubeconfig)
pulumi.export("oidc_issuer", looked_up.identities[0].oidcs[0].issuer)
