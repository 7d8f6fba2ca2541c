"""Time tsrnn's models against PyTorch (CPU) on the same work, and print the ratios.

Each framework runs in its own process (Numba's and PyTorch's thread pools in
one process disturb each other), with the same number of threads; the two
alternate over ``--rounds`` runs and each keeps its best.

    python benchmarks/bench_kernels.py [--threads 1 2] [--repeats 3] [--rounds 2]
                                       [--only NAME ...] [--quick]

Workloads (float32, F=1, T=48, Adam, MSE unless stated; tsrnn through
``tsrnn.nn``'s ``SequenceModel`` / ``EncoderDecoder``, PyTorch through
``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` and ``nn.Linear``):

- ``epoch_lstm``, ``epoch_gru``, ``epoch_rnn``: one training epoch, many-to-one,
  8192 windows, hidden 32, batch 64;
- ``epoch_lstm_h128``: LSTM hidden 128, T=96, 8 features, batch 128, 2048 windows;
- ``epoch_lstm_m2m``: many-to-many (a prediction at every step), hidden 64, 4096;
- ``epoch_bilstm``: bidirectional, both final states to the head, hidden 64, 4096;
- ``epoch_seq2seq``: encoder-decoder LSTM, hidden 64, horizon 12, teacher forcing, 4096;
- ``predict_1``: one window (LSTM hidden 32, batch 1);
- ``predict_bulk``: 65,536 windows at once (LSTM hidden 64);
- ``stream_step``: one new observation, state carried (LSTM hidden 32);
- ``step_1``: one gradient step on one window (LSTM hidden 32);
- ``forecast_seq2seq``: a 12-step autoregressive forecast from one window
  (encoder-decoder, hidden 64).

Training workloads and the bulk prediction also print tsrnn's GFLOP/s (the
products' multiply-adds: forward 2*G*H*(F+H) per step and sequence, backward
twice that; G gates) and their share of the machine's sgemm ceiling, NumPy's
2048 x 2048 float32 product on the same threads, measured in the same run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

T, BATCH = 48, 64
#: name: (kind, cell, windows, hidden, T, features, batch); kind picks the code below.
WORKLOADS = {
    "epoch_lstm": ("epoch", "lstm", 8192, 32, T, 1, BATCH),
    "epoch_gru": ("epoch", "gru", 8192, 32, T, 1, BATCH),
    "epoch_rnn": ("epoch", "rnn", 8192, 32, T, 1, BATCH),
    "epoch_lstm_h128": ("epoch", "lstm", 2048, 128, 96, 8, 128),
    "epoch_lstm_m2m": ("epoch_m2m", "lstm", 4096, 64, T, 1, BATCH),
    "epoch_bilstm": ("epoch_bi", "lstm", 4096, 64, T, 1, BATCH),
    "epoch_seq2seq": ("epoch_seq2seq", "lstm", 4096, 64, T, 1, BATCH),
    "predict_1": ("predict_1", "lstm", 1, 32, T, 1, 1),
    "predict_bulk": ("predict_bulk", "lstm", 65536, 64, T, 1, 65536),
    "stream_step": ("stream", "lstm", 1, 32, 1, 1, 1),
    "step_1": ("step_1", "lstm", 1, 32, T, 1, 1),
    "forecast_seq2seq": ("forecast_seq2seq", "lstm", 1, 64, T, 1, 1),
}
HORIZON = 12
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def _flops(name):
    # Multiply-adds of the recurrent products (x2 for flops); None where not reported.
    kind, cell, n, h, t, f, _ = WORKLOADS[name]
    step = 2 * GATES[cell] * h * (f + h)
    if kind == "predict_bulk":
        return n * t * step
    if not kind.startswith("epoch"):
        return None
    per_window = 3 * t * step  # forward, and backward at about twice its products
    if kind == "epoch_bi":
        per_window *= 2
    if kind == "epoch_seq2seq":
        per_window += 3 * HORIZON * 2 * GATES[cell] * h * (1 + h)
    return n * per_window


def _data(n, t, f, horizon=None, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    s = np.sin(np.arange(n + t + HORIZON) * 0.1)[:, None] + 0.1 * rng.standard_normal(
        (n + t + HORIZON, f))
    s = s.astype(np.float32)
    X = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(s, t, axis=0)[:n]
                             .transpose(0, 2, 1))
    y = s[t:t + n, :1]
    if horizon:
        y = np.stack([s[t + k:t + k + n, :1] for k in range(horizon)], axis=1)
    return X, np.ascontiguousarray(y)


def _timeit(fn, repeats, inner=1):
    fn()  # warm-up (compilation, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def _inner(kind):
    # Calls per timing for the sub-millisecond workloads.
    return {"predict_1": 2000, "stream": 2000, "step_1": 500, "forecast_seq2seq": 500}.get(kind, 1)


def _sgemm(repeats):
    import numpy as np

    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    return 2 * 2048 ** 3 / _timeit(lambda: a @ a, repeats)


def _tsrnn_time(name, repeats):
    import numpy as np

    from tsrnn.nn import SequenceModel, get_loss, get_optimizer
    from tsrnn.nn.seq2seq import EncoderDecoder

    kind, cell, n, h, t, f, batch = WORKLOADS[name]
    seq2seq = kind in ("epoch_seq2seq", "forecast_seq2seq")
    X, y = _data(n, t, f, HORIZON if seq2seq else None)
    if seq2seq:
        model = EncoderDecoder(cell, f, h, 1, random_state=0, start="last")
    else:
        model = SequenceModel(cell, f, h, 1, bidirectional=kind == "epoch_bi",
                              return_sequences=kind == "epoch_m2m", random_state=0)
    if kind == "epoch_m2m":
        y = np.ascontiguousarray(X[:, :, :1] * 0.5)
    loss, opt = get_loss("mse"), get_optimizer("adam", 1e-3)
    state = {"s": None}

    def stream():
        _, state["s"] = model.predict(X, state["s"])

    fn = {
        "predict_1": lambda: model.predict(X),
        "predict_bulk": lambda: model.predict(X),
        "stream": stream,
        "step_1": lambda: model.train_step(X, y, loss, opt),
        "forecast_seq2seq": lambda: model.predict(X, horizon=HORIZON),
    }.get(kind, lambda: model.train_epoch(X, y, loss, opt, batch))
    return _timeit(fn, repeats, _inner(kind))


def _torch_time(name, repeats):
    import torch

    kind, cell, n, h, t, f, batch = WORKLOADS[name]
    seq2seq = kind in ("epoch_seq2seq", "forecast_seq2seq")
    X, y = (torch.from_numpy(a) for a in _data(n, t, f, HORIZON if seq2seq else None))
    torch.manual_seed(0)
    bi = kind == "epoch_bi"
    make = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    rnn = make(f, h, batch_first=True, bidirectional=bi)
    head = torch.nn.Linear(2 * h if bi else h, 1)
    decoder = make(1, h, batch_first=True)
    params = [*rnn.parameters(), *head.parameters()]
    if seq2seq:
        params += list(decoder.parameters())
    if kind == "epoch_m2m":
        y = X[:, :, :1] * 0.5
    opt = torch.optim.Adam(params, 1e-3)

    def predict(xb):
        if bi:
            _, (hn, _) = rnn(xb)
            return head(torch.cat([hn[0], hn[1]], dim=1))
        o, _ = rnn(xb)
        return head(o) if kind == "epoch_m2m" else head(o[:, -1])

    def teacher_forced(xb, yb):
        _, s = rnn(xb)
        o, _ = decoder(torch.cat([xb[:, -1:, :1], yb[:, :-1]], dim=1), s)
        return head(o)

    def free_running(xb):
        _, s = rnn(xb)
        prev, preds = xb[:, -1:, :1], []
        for _ in range(HORIZON):
            o, s = decoder(prev, s)
            prev = head(o)
            preds.append(prev)
        return torch.cat(preds, dim=1)

    def train(xb, yb):
        opt.zero_grad()
        pred = teacher_forced(xb, yb) if seq2seq else predict(xb)
        torch.nn.functional.mse_loss(pred, yb).backward()
        opt.step()

    def epoch():
        for i in range(0, n, batch):
            train(X[i:i + batch], y[i:i + batch])

    if kind.startswith("epoch"):
        return _timeit(epoch, repeats)
    if kind == "step_1":
        return _timeit(lambda: train(X, y), repeats, _inner(kind))
    state = {"s": None}

    def stream():
        o, state["s"] = rnn(X, state["s"])
        head(o[:, -1])

    fn = {"stream": stream, "forecast_seq2seq": lambda: free_running(X)}.get(
        kind, lambda: predict(X))
    with torch.inference_mode():
        return _timeit(fn, repeats, _inner(kind))


def run_tsrnn(names, repeats):
    return {"_sgemm": _sgemm(repeats), **{name: _tsrnn_time(name, repeats) for name in names}}


def run_torch(names, repeats):
    return {name: _torch_time(name, repeats) for name in names}


def _compare(names, threads, args):
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    # Rounds alternate the two workers and each keeps its best round: on a shared
    # host, a busy spell then hits both rather than whichever ran during it.
    results = {"tsrnn": {}, "torch": {}}
    for _ in range(args.rounds):
        for worker in ("tsrnn", "torch"):
            cmd = [sys.executable, __file__, "--worker", worker, "--threads", str(threads),
                   "--repeats", str(args.repeats), "--only", *names]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"{worker} worker failed:\n{proc.stderr}")
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            for key, t in got.items():
                best = max if key == "_sgemm" else min
                results[worker][key] = best(t, results[worker].get(key, t))
    ceiling = results["tsrnn"].pop("_sgemm")
    print(f"\nthreads={threads}, best of {args.rounds} alternating rounds; "
          f"sgemm ceiling (NumPy 2048^3 float32) {ceiling / 1e9:.0f} GFLOP/s")
    print(f"{'workload':<18}{'tsrnn':>11}{'PyTorch':>11}{'speed-up':>10}{'GFLOP/s':>9}"
          f"{'% sgemm':>9}")
    for key in names:
        t, p = results["tsrnn"][key], results["torch"][key]
        unit, scale = ("s", 1) if p > 1e-2 else ("us", 1e6)
        flops = _flops(key)
        rate = f"{flops / t / 1e9:>9.1f}{100 * flops / t / ceiling:>8.0f}%" if flops else ""
        print(f"{key:<18}{t * scale:>9.3g}{unit:>2}{p * scale:>9.3g}{unit:>2}{p / t:>9.1f}x"
              f"{rate}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating runs of each worker; each keeps its best")
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS),
                        metavar="NAME", help="workloads to run (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="one round, one repeat: a smoke run, not a measurement")
    parser.add_argument("--worker", choices=["tsrnn", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.repeats = 1, 1
    if args.worker:
        if args.worker == "torch":
            import torch

            torch.set_num_threads(args.threads[0])
        fn = run_tsrnn if args.worker == "tsrnn" else run_torch
        print(json.dumps(fn(args.only, args.repeats)))
        return
    for threads in args.threads:
        _compare(args.only, threads, args)


if __name__ == "__main__":
    main()
