"""aws ssm."""
