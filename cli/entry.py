"""The console script's entry point (`envctl`, `python -m envctl`): the process's garbage collector is set before
anything else is imported, then the app runs."""

import gc


def use_cli_collector() -> None:
    """The collector settings every envctl command runs with (benchmarks of library calls use them too)."""
    # Young generations every 50,000 allocations rather than 700, and no automatic full collection. A run
    # allocates in bursts (the SDKs' imports, a program's registrations) objects that mostly live to its end; with
    # the defaults, each full collection walks all of them again: a third of a no-op run's CPU, half of a large
    # preview's. The cycles that die young are still collected. Set here, not on import, so that a process that
    # imports envctl as a library keeps its own collector.
    gc.set_threshold(50_000, 20, 1_000_000)


def main() -> None:
    use_cli_collector()
    from envctl.cli.app import main as run_app

    run_app()
