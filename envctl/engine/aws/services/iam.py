"""aws iam."""
