"""Provider packages: each implements the engine's provider protocol for the resource types of one Pulumi package."""
