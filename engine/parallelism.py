"""How many steps the executor takes at once unless told (`--parallel N`). Kept apart from the executor so that
the command line can show it without loading the engine."""

# Steps whose dependencies are done run together up to this many; the local cloud and AWS both answer many calls
# at once, and a step mostly waits on its call. `bench/scale_bench.py --sizes 300 --parallel 1 4 8 16 32` on the
# 2-core machine, up + destroy of 300 queues (s, median of 3): 1: 34.4 + 18.6, 4: 28.7 + 10.0, 8: 21.6 + 7.8,
# 16: 18.0 + 7.6, 32: 15.1 + 10.2 — 16 and 32 tie in sum, and 16 keeps deletes fastest.
DEFAULT_PARALLEL = 16
