"""Credentials an application needs, generated once and published to SSM Parameter Store:

* a database password, rotated by changing the `rotation` config value,
* an SSH deploy key (the private half as a SecureString, the public half in plain text),
* a self-signed TLS certificate for the app's internal endpoint.
"""

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pulumi_tls as tls

config = pulumi.Config()
rotation = config.require("rotation")
stack = pulumi.get_stack()

# A short random suffix keeps parameter paths unique per deployment.
suffix = random.RandomId("suffix", byte_length=4)
prefix = suffix.hex.apply(lambda h: f"/app-credentials/{stack}-{h}")

db_password = random.RandomPassword(
    "db-password",
    length=24,
    min_upper=2,
    min_numeric=2,
    override_special="!#%*-_=+",
    keepers={"rotation": rotation},
)

db_password_param = aws.ssm.Parameter(
    "db-password",
    name=prefix.apply(lambda p: f"{p}/db/password"),
    type="SecureString",
    value=db_password.result,
    description=f"Database password (rotation {rotation})",
)

deploy_key = tls.PrivateKey("deploy-key", algorithm="ED25519")

private_key_param = aws.ssm.Parameter(
    "deploy-key",
    name=prefix.apply(lambda p: f"{p}/deploy/private-key"),
    type="SecureString",
    value=deploy_key.private_key_openssh,
)

public_key_param = aws.ssm.Parameter(
    "deploy-key-public",
    name=prefix.apply(lambda p: f"{p}/deploy/public-key"),
    type="String",
    value=deploy_key.public_key_openssh,
)

# The same public key again, as a data source derives it from the private key.
derived = tls.get_public_key_output(private_key_pem=deploy_key.private_key_pem)

tls_key = tls.PrivateKey("endpoint-key", algorithm="ECDSA", ecdsa_curve="P256")

certificate = tls.SelfSignedCert(
    "endpoint-cert",
    private_key_pem=tls_key.private_key_pem,
    validity_period_hours=24 * 90,
    early_renewal_hours=24 * 7,
    allowed_uses=["key_encipherment", "digital_signature", "server_auth"],
    dns_names=["app.internal.example.com"],
    subject=tls.SelfSignedCertSubjectArgs(common_name="app.internal.example.com", organization="Example Corp"),
)

aws.ssm.Parameter(
    "endpoint-cert",
    name=prefix.apply(lambda p: f"{p}/tls/certificate"),
    type="String",
    tier="Advanced",  # a PEM certificate can outgrow a Standard parameter's 4 KB
    value=certificate.cert_pem,
)

# What clients pin: the certificate's SHA1 fingerprint, as the data source reads it from the PEM.
certificate_info = tls.get_certificate_output(content=certificate.cert_pem)

pulumi.export("parameter_prefix", prefix)
pulumi.export("db_password", db_password.result)
pulumi.export("db_password_parameter", db_password_param.name)
pulumi.export("deploy_key_parameter", private_key_param.name)
pulumi.export("public_key_parameter", public_key_param.name)
pulumi.export("public_key_openssh", deploy_key.public_key_openssh)
pulumi.export("public_key_fingerprint", deploy_key.public_key_fingerprint_sha256)
pulumi.export("derived_fingerprint", derived.public_key_fingerprint_sha256)
pulumi.export("certificate_serial", certificate.id)
pulumi.export("certificate_sha1", certificate_info.certificates[0].sha1_fingerprint)
