"""How many steps the executor takes at once unless told (`--parallel N`). Kept apart from the executor so that
the command line can show it without loading the engine."""

# Steps whose dependencies are done run together up to this many; the local cloud and AWS both answer many calls
# at once, and a step mostly waits on its call (bench/scale_bench.py --parallel compares the settings).
DEFAULT_PARALLEL = 16
