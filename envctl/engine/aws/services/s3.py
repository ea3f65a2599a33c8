"""aws s3."""
