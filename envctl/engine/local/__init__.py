"""Engine "local": runs the unmodified Pulumi program in-process behind a resource monitor of its own."""
