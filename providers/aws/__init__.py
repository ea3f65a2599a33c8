"""boto3 implementations of aws:* resource types and invokes, for the local engine."""
