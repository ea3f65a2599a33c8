"""The typer app: parses, calls the engine and the ledger, renders (rich, or one JSON document)."""

import gc

# The envctl process's collector: young generations every 50,000 allocations rather than 700, and no automatic
# full collection. A run allocates in bursts (the SDKs' imports, a program's registrations) objects that live to
# its end; with the defaults, each full collection walks all of them again, a third of a no-op run's CPU and half
# of a large preview's. The cycles that die young are still collected.
gc.set_threshold(50_000, 20, 1_000_000)
