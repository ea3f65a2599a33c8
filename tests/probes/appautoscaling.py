"""Probes of the Application Auto Scaling types: scalable targets and scaling policies."""

PROBES = {
    "aws:appautoscaling/target:Target": lambda c, id, o: bool(c("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=o["serviceNamespace"], ResourceIds=[id],
        ScalableDimension=o["scalableDimension"])["ScalableTargets"]),
    "aws:appautoscaling/policy:Policy": lambda c, id, o: any(
        p["PolicyName"] == id for p in c("application-autoscaling").describe_scaling_policies(
            ServiceNamespace=o["serviceNamespace"], ResourceId=o["resourceId"])["ScalingPolicies"]),
}
