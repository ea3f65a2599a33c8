"""aws ec2."""
