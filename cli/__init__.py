"""The typer app: parses, calls the engine and the ledger, renders (rich, or one JSON document)."""
