"""aws invokes."""
