"""What every provider call needs: boto3 clients for one account and region, and the tags envctl adds."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

# Throttling and 5xx answers are retried with exponential backoff by botocore's standard mode.
_RETRIES = {"mode": "standard", "max_attempts": 10}
_URN_TAG_LIMIT = 256  # AWS tag values are at most 256 characters
# The tags that lead from a resource in the cloud back to its environment and URN in the ledger.
ENV_TAG, URN_TAG = "envctl:env", "envctl:urn"


@dataclass
class AwsContext:
    """Clients for one region and account. Thread-safe: the monitor calls providers in parallel."""

    region: str
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None
    profile: str | None = None
    account_id: str = "123456789012"
    partition: str = "aws"
    stack: str = ""
    default_tags: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _session: boto3.Session | None = field(default=None, repr=False)
    _regions: dict[str, AwsContext] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        """A cached boto3 client; creating clients from one session is not thread-safe, so it is locked."""
        with self._lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = boto3.Session(
                        aws_access_key_id=self.access_key,
                        aws_secret_access_key=self.secret_key,
                        aws_session_token=self.session_token,
                        profile_name=self.profile,
                        region_name=self.region,
                    )
                config = Config(
                    region_name=self.region,
                    retries=_RETRIES,
                    connect_timeout=10,
                    read_timeout=120,
                    s3={"addressing_style": "path"},
                )
                self._clients[service] = self._session.client(
                    service, endpoint_url=self.endpoint_url, config=config
                )
            return self._clients[service]

    def in_region(self, region: str) -> AwsContext:
        """The same account and credentials in another region (a resource's own `region` input); one per region,
        kept, so that its clients are made once."""
        if region == self.region:
            return self
        with self._lock:
            other = self._regions.get(region)
            if other is None:
                other = dataclasses.replace(self, region=region, _clients={}, _lock=threading.Lock(), _session=None,
                                            _regions={})
                self._regions[region] = other
            return other

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        """An ARN in this context's partition, e.g. arn(\"sqs\", \"my-queue\")."""
        region_part = self.region if region is None else region
        account_part = self.account_id if account is None else account
        return f"arn:{self.partition}:{service}:{region_part}:{account_part}:{resource}"

    def envctl_tags(self, urn: str) -> dict[str, str]:
        """The tags that lead from a resource in the cloud back to the ledger without a scan."""
        urn_tag = urn if len(urn) <= _URN_TAG_LIMIT else "sha256:" + hashlib.sha256(urn.encode()).hexdigest()
        return {ENV_TAG: self.stack, URN_TAG: urn_tag} if self.stack else {}

    def tags_all(self, urn: str, tags: dict[str, str] | None) -> dict[str, str]:
        """pulumi-aws's tagsAll: provider default tags, then envctl's tags, then the resource's own."""
        merged = dict(self.default_tags)
        merged.update(self.envctl_tags(urn))
        merged.update(tags or {})
        return merged


def lookup_context(ctx: AwsContext, args: dict[str, Any]) -> AwsContext:
    """The context an invoke runs in: its own `region` argument (pulumi-aws 7), else the provider's region."""
    region = args.get("region")
    return ctx.in_region(region) if isinstance(region, str) and region else ctx
