"""The `random` provider package (pulumi-random), emulated locally: values made once on create and kept in the
state, with the inputs, defaults and checks of the Terraform random provider that pulumi-random is bridged from."""
