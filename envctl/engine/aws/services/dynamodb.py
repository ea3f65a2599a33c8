"""aws dynamodb."""
