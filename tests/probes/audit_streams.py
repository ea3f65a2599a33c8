"""Probes of the audit and delivery types: CloudTrail trails and Firehose delivery streams."""

from probing import present

PROBES = {
    "aws:cloudtrail/trail:Trail": lambda c, id, o: id in [t["TrailARN"] for t in c("cloudtrail").list_trails()[
        "Trails"]],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": lambda c, id, o: present(
        lambda: c("firehose").describe_delivery_stream(DeliveryStreamName=o["name"]), "ResourceNotFoundException"),
}
