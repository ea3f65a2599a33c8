"""The CloudTrail provider (trails) against the session's moto server."""

from __future__ import annotations

from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, failures, tag_map

TRAIL = "aws:cloudtrail/trail:Trail"


def test_trail_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    client = aws_ctx.client("cloudtrail")
    bucket = provision("aws:s3/bucket:Bucket", "audit-logs", forceDestroy=True)
    other = provision("aws:s3/bucket:Bucket", "audit-logs-2", forceDestroy=True)
    trail = provision(TRAIL, "audit", s3BucketName=bucket.id, s3KeyPrefix="trail", isMultiRegionTrail=True,
                      eventSelectors=[{"readWriteType": "WriteOnly", "includeManagementEvents": True,
                                       "dataResources": [{"type": "AWS::S3::Object",
                                                          "values": [f"arn:aws:s3:::{bucket.id}/"]}]}],
                      tags={"team": "security"})
    name = trail.inputs["name"]
    assert name.startswith("audit-") and trail.id == f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"
    described = client.get_trail(Name=name)["Trail"]
    assert (described["S3BucketName"], described["S3KeyPrefix"], described["IsMultiRegionTrail"]) == \
        (bucket.id, "trail", True)
    assert client.get_trail_status(Name=name)["IsLogging"] is True
    [selector] = client.get_event_selectors(TrailName=name)["EventSelectors"]
    assert selector["ReadWriteType"] == "WriteOnly" and selector["DataResources"][0]["Type"] == "AWS::S3::Object"
    assert tag_map(client.list_tags(ResourceIdList=[trail.id])["ResourceTagList"][0]["TagsList"])["team"] == \
        "security"
    assert trail.outputs["homeRegion"] == "us-east-1" and trail.outputs["enableLogging"] is True
    assert trail.read() == trail.outputs
    assert trail.resource.find(aws_ctx, trail.urn, trail.inputs, set())[0] == trail.id

    assert trail.diff(name="renamed").replaces == ("name",)
    trail.update(s3BucketName=other.id, enableLogging=False, enableLogFileValidation=True,
                 insightSelectors=[{"insightType": "ApiCallRateInsight"}], tags={"team": "audit"})
    described = client.get_trail(Name=name)["Trail"]
    assert described["S3BucketName"] == other.id and described["LogFileValidationEnabled"] is True
    assert client.get_trail_status(Name=name)["IsLogging"] is False
    assert client.get_insight_selectors(TrailName=name)["InsightSelectors"] == [{"InsightType": "ApiCallRateInsight"}]
    assert tag_map(client.list_tags(ResourceIdList=[trail.id])["ResourceTagList"][0]["TagsList"])["team"] == "audit"
    assert trail.read() == trail.outputs
    trail.update(eventSelectors=None, advancedEventSelectors=[{"name": "writes", "fieldSelectors": [
        {"field": "eventCategory", "equals": ["Management"]}, {"field": "readOnly", "equals": ["false"]}]}])
    [advanced] = client.get_event_selectors(TrailName=name)["AdvancedEventSelectors"]
    assert advanced["Name"] == "writes" and advanced["FieldSelectors"][0] == {"Field": "eventCategory",
                                                                              "Equals": ["Management"]}
    assert trail.read() == trail.outputs
    trail.assert_deleted(lambda: name in [t["Name"] for t in client.list_trails()["Trails"]])


def test_trail_needs_a_bucket() -> None:
    assert set(failures(TRAIL)) == {"s3BucketName"}
