"""Time tsrnn's kernels against PyTorch (CPU) on the same work, and print the ratios.

Each framework runs in its own process (Numba's and PyTorch's thread pools in
one process disturb each other), with the same number of threads.

    python benchmarks/bench_kernels.py [--threads 2] [--repeats 3] [--rounds 2] [--quick]

Workloads: one training epoch (many-to-one, N=8192 windows, T=48, F=1, hidden
32, batch 64, Adam, MSE) for the LSTM, GRU and SimpleRNN; predicting one window
(batch 1) with the LSTM; one streaming step of that LSTM (one new observation,
state carried).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

N, T, F, H, BATCH = 8192, 48, 1, 32, 64
CELLS = ("lstm", "gru", "rnn")


def _data(n):
    import numpy as np

    rng = np.random.default_rng(0)
    s = np.sin(np.arange(n + T) * 0.1) + 0.1 * rng.standard_normal(n + T)
    X = np.lib.stride_tricks.sliding_window_view(s[:-1], T)[:n, :, None].astype(np.float32)
    return np.ascontiguousarray(X), s[T:T + n, None].astype(np.float32)


def _timeit(fn, repeats, inner=1):
    fn()  # warm-up (compilation, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def run_tsrnn(n, repeats):
    from tsrnn.nn import SequenceModel, get_loss, get_optimizer

    X, y = _data(n)
    out = {}
    for cell in CELLS:
        model = SequenceModel(cell, F, H, 1, random_state=0)
        opt, loss = get_optimizer("adam", 1e-3), get_loss("mse")

        def epoch(model=model, opt=opt, loss=loss):
            model.train_epoch(X, y, loss, opt, BATCH)

        out[f"train_epoch_{cell}"] = _timeit(epoch, repeats)
    model = SequenceModel("lstm", F, H, 1, random_state=0)
    x1 = X[:1]
    out["predict_1"] = _timeit(lambda: model.predict(x1), repeats, 2000)
    state = {"s": None}
    step = X[:1, :1]

    def stream():
        _, state["s"] = model.predict(step, state["s"])

    out["stream_step"] = _timeit(stream, repeats, 2000)
    return out


def run_torch(n, repeats):
    import torch

    X, y = (torch.from_numpy(a) for a in _data(n))
    kinds = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
    out = {}
    for cell in CELLS:
        torch.manual_seed(0)
        rnn, head = kinds[cell](F, H, batch_first=True), torch.nn.Linear(H, 1)
        opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], 1e-3)

        def epoch(rnn=rnn, head=head, opt=opt):
            for i in range(0, n, BATCH):
                opt.zero_grad()
                o, _ = rnn(X[i:i + BATCH])
                loss = torch.nn.functional.mse_loss(head(o[:, -1]), y[i:i + BATCH])
                loss.backward()
                opt.step()

        out[f"train_epoch_{cell}"] = _timeit(epoch, repeats)
    rnn, head = torch.nn.LSTM(F, H, batch_first=True), torch.nn.Linear(H, 1)
    x1, step = X[:1], X[:1, :1]
    with torch.inference_mode():
        out["predict_1"] = _timeit(lambda: head(rnn(x1)[0][:, -1]), repeats, 2000)
        state = {"s": None}

        def stream():
            o, state["s"] = rnn(step, state["s"])
            head(o[:, -1])

        out["stream_step"] = _timeit(stream, repeats, 2000)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating runs of each worker; each keeps its best")
    parser.add_argument("--quick", action="store_true", help="1024 windows instead of 8192")
    parser.add_argument("--worker", choices=["tsrnn", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = 1024 if args.quick else N
    if args.worker:
        if args.worker == "torch":
            import torch

            torch.set_num_threads(args.threads)
        fn = run_tsrnn if args.worker == "tsrnn" else run_torch
        print(json.dumps(fn(n, args.repeats)))
        return
    env = {**os.environ, "NUMBA_NUM_THREADS": str(args.threads),
           "OMP_NUM_THREADS": str(args.threads), "OPENBLAS_NUM_THREADS": str(args.threads)}
    # Rounds alternate the two workers and each keeps its best round: on a shared
    # host, a busy spell then hits both rather than whichever ran during it.
    results = {"tsrnn": {}, "torch": {}}
    for _ in range(args.rounds):
        for worker in ("tsrnn", "torch"):
            cmd = [sys.executable, __file__, "--worker", worker, "--threads", str(args.threads),
                   "--repeats", str(args.repeats)] + (["--quick"] if args.quick else [])
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"{worker} worker failed:\n{proc.stderr}")
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            for key, t in got.items():
                results[worker][key] = min(t, results[worker].get(key, t))
    print(f"threads={args.threads}, windows={n}, T={T}, hidden={H}, batch={BATCH}, "
          f"best of {args.rounds} alternating rounds")
    print(f"{'workload':<20}{'tsrnn':>12}{'PyTorch':>12}{'speed-up':>10}")
    for key, t in results["tsrnn"].items():
        p = results["torch"][key]
        unit, scale = ("s", 1) if key.startswith("train") else ("us", 1e6)
        print(f"{key:<20}{t * scale:>10.3g}{unit:>2}{p * scale:>10.3g}{unit:>2}{p / t:>9.1f}x")


if __name__ == "__main__":
    main()
