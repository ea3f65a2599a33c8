"""The `tls` provider package (pulumi-tls), emulated locally with `cryptography`: keys, certificate requests and
certificates made once on create and kept in the state, in the encodings the Terraform tls provider gives them."""
