"""aws cloudwatch."""
