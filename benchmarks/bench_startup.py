"""Time a user's first forecast: in a fresh process with an empty Numba cache, then again.

Each run is ``tsrnn forecast`` in a new Python process (the console script's own
code path), timed from the process start to its exit; "cold" gets an empty
``NUMBA_CACHE_DIR`` (a fresh install), "warm" the cache the cold run left. The
cold runs also list what each kernel cost to compile (Numba's compile events,
inclusive of the kernels each one compiles inside it) in that process: the statistical
members' kernels compile beside it in a child process (``tsrnn.forecasting.warmup``) and are
loaded from the cache, unless ``TSRNN_PRECOMPILE=0`` is set, which this passes on:

    python benchmarks/bench_startup.py [--cells lstm gru rnn] [--dataset co2] [--repeats 1]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time


def _worker(argv):
    # One forecast through the CLI with Numba's compile events recorded.
    from numba.core import event

    spent, count, started = collections.defaultdict(float), collections.Counter(), {}

    class Listener(event.Listener):
        def on_start(self, ev):
            started[id(ev.data["dispatcher"])] = time.perf_counter()

        def on_end(self, ev):
            fn = ev.data["dispatcher"].py_func
            name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
            spent[name] += time.perf_counter() - started.pop(id(ev.data["dispatcher"]))
            count[name] += 1

    event.register("numba:compile", Listener())
    from tsrnn.cli import main

    main(argv)
    print(json.dumps({"compile": spent, "count": count}), file=sys.stderr)


def _run(argv, cache_dir):
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--worker", *argv], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"forecast failed:\n{proc.stderr}")
    return wall, json.loads(proc.stderr.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn"],
                        choices=["lstm", "gru", "rnn"])
    parser.add_argument("--dataset", default="co2")
    parser.add_argument("--repeats", type=int, default=1, help="cold/warm pairs per cell")
    parser.add_argument("--top", type=int, default=8, help="kernels listed per cold run")
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        _worker(args.worker)
        return
    print(f"tsrnn forecast --dataset {args.dataset} in a fresh process, "
          f"{os.cpu_count()} CPUs, wall seconds from process start to exit")
    print(f"{'cell':<6}{'cold':>8}{'warm':>8}{'compiling':>11}")
    profiles = {}
    for cell in args.cells:
        argv = ["forecast", "--dataset", args.dataset, "--cell", cell, "--quiet"]
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as cache:
                cold, prof = _run(argv, cache)
                warm, _ = _run(argv, cache)
            # Top-level compiles only: the events nest, so their sum would count twice.
            compiling = cold - warm
            print(f"{cell:<6}{cold:>7.1f}s{warm:>7.1f}s{compiling:>10.1f}s")
            profiles[cell] = prof
    for cell, prof in profiles.items():
        print(f"\n{cell}: compile seconds per kernel (inclusive), the last cold run")
        ranked = sorted(prof["compile"].items(), key=lambda kv: -kv[1])[:args.top]
        for name, seconds in ranked:
            print(f"  {seconds:6.2f}s  {prof['count'][name]}x  {name}")


if __name__ == "__main__":
    main()
