"""Does the cloud still hold a CloudFront distribution, origin access control or function a program made?"""

from __future__ import annotations

from probing import Probe, present

PROBES: dict[str, Probe] = {
    "aws:cloudfront/distribution:Distribution": lambda c, id, o: present(
        lambda: c("cloudfront").get_distribution(Id=id), "NoSuchDistribution"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": lambda c, id, o: present(
        lambda: c("cloudfront").get_origin_access_control(Id=id), "NoSuchOriginAccessControl"),
    "aws:cloudfront/function:Function": lambda c, id, o: present(
        lambda: c("cloudfront").describe_function(Name=id), "NoSuchFunctionExists"),
}
