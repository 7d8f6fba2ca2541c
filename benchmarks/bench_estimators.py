"""Latency of the estimator API on one window, against the raw model and PyTorch.

    python benchmarks/bench_estimators.py [--threads 2] [--repeats 5] [--rounds 3]

For an LSTM (hidden 32, window 48, one feature), times ``partial_fit`` on one
new window (one Adam step), ``predict`` on one window, a streaming step
(``RNNRegressor(stateful=True).predict`` on one new observation, the state
carried) and the PyTorch-shaped ``forward`` of :mod:`tsrnn.interop` on one
window: through the public API, through what is underneath it (the
``SequenceModel``, or the ``RecurrentNetwork`` for ``forward``: what the
kernels cost), and in PyTorch (one optimizer step; ``inference_mode``
forwards, the state carried for the stream). Each framework runs in its own
process, the two alternating over ``--rounds`` rounds; each figure is the best
round's (a busy spell of a shared machine then slows a round, not the result).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

T, H, INNER = 48, 32, 2000


def _timeit(fn, repeats):
    for _ in range(50):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(INNER):
            fn()
        times.append((time.perf_counter() - t0) / INNER)
    return statistics.median(times)


def _data():
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.standard_normal((256, T)).astype(np.float32), rng.standard_normal(256).astype(
        np.float32)


def run_tsrnn(repeats):
    import numpy as np

    from tsrnn import RNNRegressor
    from tsrnn.interop import TorchRNN
    from tsrnn.nn import get_loss

    X, y = _data()
    reg = RNNRegressor(hidden_size=H, max_epochs=1, shuffle=False, random_state=0).fit(X, y)
    x1, y1 = X[:1], y[:1]
    model, loss, opt = reg.model_, get_loss("mse"), reg._optimizer
    x3, y2 = x1[:, :, None], y1[:, None]
    stream = RNNRegressor(hidden_size=H, max_epochs=1, shuffle=False, stateful=True,
                          random_state=0).fit(X[:, :, None], y)
    step, state = x3[:, :1], [None]  # one sequence, one step, one feature

    def model_step():
        state[0] = stream.model_.predict(step, state[0])[1]

    net = TorchRNN(model.network)
    xt = np.ascontiguousarray(x3.transpose(1, 0, 2))
    return {
        "partial_fit_estimator": _timeit(lambda: reg.partial_fit(x1, y1), repeats),
        "partial_fit_model": _timeit(lambda: model.train_step(x3, y2, loss, opt, None, 1.0),
                                     repeats),
        "predict_estimator": _timeit(lambda: reg.predict(x1), repeats),
        "predict_model": _timeit(lambda: model.predict(x3), repeats),
        "stream_step_estimator": _timeit(lambda: stream.predict(step), repeats),
        "stream_step_model": _timeit(model_step, repeats),
        "forward_estimator": _timeit(lambda: net.forward(x3), repeats),
        "forward_model": _timeit(lambda: model.network.run(xt, keep=False), repeats),
    }


def run_torch(repeats):
    import torch

    X, y = (torch.from_numpy(a) for a in _data())
    torch.manual_seed(0)
    lstm, head = torch.nn.LSTM(1, H, batch_first=True), torch.nn.Linear(H, 1)
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], 0.005)
    x1, y1 = X[:1, :, None], y[:1, None]

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(head(lstm(x1)[0][:, -1]), y1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([*lstm.parameters(), *head.parameters()], 1.0)
        opt.step()

    def predict():
        with torch.inference_mode():
            return head(lstm(x1)[0][:, -1])

    state = [(torch.zeros(1, 1, H), torch.zeros(1, 1, H))]
    x_step = x1[:, :1]

    def stream_step():
        with torch.inference_mode():
            out, state[0] = lstm(x_step, state[0])
            return head(out[:, -1])

    def forward():
        with torch.inference_mode():
            return lstm(x1)

    return {"partial_fit": _timeit(step, repeats), "predict": _timeit(predict, repeats),
            "stream_step": _timeit(stream_step, repeats), "forward": _timeit(forward, repeats)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternations of the two frameworks' processes (best kept)")
    parser.add_argument("--worker", choices=["tsrnn", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.worker == "torch":
            import torch

            torch.set_num_threads(args.threads)
        fn = run_tsrnn if args.worker == "tsrnn" else run_torch
        print(json.dumps(fn(args.repeats)))
        return
    env = {**os.environ, "NUMBA_NUM_THREADS": str(args.threads),
           "OMP_NUM_THREADS": str(args.threads)}
    res = {"tsrnn": {}, "torch": {}}
    for _ in range(max(1, args.rounds)):
        for worker in ("tsrnn", "torch"):
            proc = subprocess.run([sys.executable, __file__, "--worker", worker, "--threads",
                                   str(args.threads), "--repeats", str(args.repeats)], env=env,
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"{worker} worker failed:\n{proc.stderr}")
            for key, value in json.loads(proc.stdout.strip().splitlines()[-1]).items():
                res[worker][key] = min(value, res[worker].get(key, value))
    t, p = res["tsrnn"], res["torch"]
    print(f"LSTM hidden {H}, one window of {T} steps, threads={args.threads}, best of "
          f"{max(1, args.rounds)} rounds")
    print(f"{'operation':<14}{'estimator':>11}{'model':>9}{'PyTorch':>10}{'speed-up':>10}"
          f"{'API share':>11}")
    for op in ("partial_fit", "predict", "stream_step", "forward"):
        est, mod = t[f"{op}_estimator"], t[f"{op}_model"]
        print(f"{op:<14}{est * 1e6:>9.1f}us{mod * 1e6:>7.1f}us{p[op] * 1e6:>8.1f}us"
              f"{p[op] / est:>9.1f}x{(est - mod) / est:>10.0%}")


if __name__ == "__main__":
    main()
