"""Settings for the whole suite."""

import os

# The suite's two workers already keep both cores compiling on a first run: a child process
# compiling the members' kernels beside each (tsrnn.forecasting.warmup) only competes with
# them (the first run took 30 s longer). Its own tests turn it back on where they need it.
os.environ.setdefault("TSRNN_PRECOMPILE", "0")
