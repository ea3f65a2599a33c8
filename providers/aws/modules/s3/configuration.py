"""What the aws:s3 types that each manage one configuration of a bucket share (BucketCorsConfiguration,
BucketLifecycleConfiguration, ...): the bucket's name is the id, a create or update puts the whole configuration,
a read gets it back (gone when S3 answers that the bucket has none) and a delete removes it."""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from typing import Any, ClassVar

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.s3.bucket import BUCKET_GONE
from envctl.providers.aws.modules.s3.inline import EXPECTED_OWNER


class BucketConfiguration(AwsResource):
    """One configuration of a bucket. Subclasses put, get and remove it, and add to `gone_codes` S3's answer when
    the bucket has none."""

    id_property = "bucket"
    required: ClassVar[tuple[str, ...]] = ("bucket",)
    force_new = frozenset({"bucket", "expectedBucketOwner"})
    taggable = False
    unsupported: ClassVar[dict[str, str]] = {"expectedBucketOwner": EXPECTED_OWNER}
    gone_codes: ClassVar[tuple[str, ...]] = BUCKET_GONE

    @abstractmethod
    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        """Set the bucket's configuration to what the inputs say (S3 replaces it whole)."""

    @abstractmethod
    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        """The configuration's properties as S3 has them now (raising S3's error when there is none)."""

    @abstractmethod
    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        """Take the configuration off the bucket."""

    def bucket_of(self, id: str) -> str:
        """The bucket an id names (Terraform's ids of some types add more after a comma)."""
        return id.split(",", 1)[0]

    def id_for(self, inputs: Props) -> str:
        return str(inputs["bucket"])

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self.put(ctx.client("s3"), inputs["bucket"], inputs)
        id = self.id_for(inputs)
        return id, {**inputs, **self.describe(ctx, id, inputs)}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self.put(ctx.client("s3"), self.bucket_of(id), news)
        return {**news, **self.describe(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        s3 = ctx.client("s3")
        with contextlib.suppress(s3.exceptions.NoSuchBucket):
            self.remove(s3, self.bucket_of(id), state)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        bucket = self.bucket_of(id)
        described = {"bucket": bucket, **self.get(ctx.client("s3"), bucket, state)}
        if "expectedBucketOwner" in self.unsupported:
            described["expectedBucketOwner"] = None
        return described


def without_none(block: Any) -> Any:
    """A block with its unset fields left out, at every depth (boto3 refuses None)."""
    if isinstance(block, dict):
        return {key: without_none(value) for key, value in block.items() if value is not None}
    if isinstance(block, list):
        return [without_none(item) for item in block]
    return block


def with_sets_sorted(blocks: Any, fields: tuple[str, ...]) -> Any:
    """Blocks (a list input) with the named fields, which Terraform keeps as sets of strings, in sorted order, so that
    another order is no change."""
    if not isinstance(blocks, list):
        return blocks
    return [{**block, **{field: sorted(block[field]) for field in fields
                         if isinstance(block.get(field), list) and not contains_unknown(block[field])}}
            if isinstance(block, dict) else block for block in blocks]
