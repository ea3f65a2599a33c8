"""The envctl reference environment: network, storage and service, shaped per stack by config.

Pulumi runs this directory with it on sys.path, so sibling modules are imported by their plain names.
"""

import pulumi
import pulumi_aws as aws
from network import Network
from service import Service
from settings import load_settings
from storage import Storage

settings = load_settings()
account_id = aws.get_caller_identity().account_id
region = aws.get_region().region

network = Network("network", settings.network, settings.tags)
storage = Storage("storage", settings.storage, settings.tags)
service = Service("service", settings.service, settings.tags, account_id=account_id, region=region)

pulumi.export("vpcId", network.vpc_id)
pulumi.export("subnetIds", network.subnet_ids)
pulumi.export("securityGroupId", network.security_group_id)
pulumi.export("bucketName", storage.bucket_name)
pulumi.export("bucketArn", storage.bucket_arn)
pulumi.export("tableName", storage.table_name)
pulumi.export("queueUrl", storage.queue_url)
pulumi.export("dlqUrl", storage.dlq_url)
pulumi.export("roleArn", service.role_arn)
pulumi.export("logGroupName", service.log_group_name)
pulumi.export("parameterName", service.parameter_name)
pulumi.export("accountId", account_id)
pulumi.export("region", region)
