"""Helpers the worker functions share, shipped as a Lambda layer."""

import json


def parse(record):
    """The job carried by one SQS record."""
    return json.loads(record["body"])
