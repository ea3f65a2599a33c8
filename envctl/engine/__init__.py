"""How an environment reaches its desired state: the engines, the AWS providers and the clouds."""
