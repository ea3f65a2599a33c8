"""aws sqs."""
