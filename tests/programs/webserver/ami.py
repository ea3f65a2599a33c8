"""The most recent Amazon Linux 2 image, looked up rather than hard-coded per region."""

import pulumi_aws as aws


def get_linux_ami() -> aws.ec2.AwaitableGetAmiResult:
    return aws.ec2.get_ami(
        most_recent=True,
        owners=["amazon"],
        filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"])],
    )
