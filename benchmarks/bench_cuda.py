"""GPU kernels against the CPU kernels and PyTorch with cuDNN, where a GPU is present.

    python benchmarks/bench_cuda.py [--hidden 32 64 128] [--repeats 3]

For each hidden size: one training step (forward, backward) of an LSTM layer
on a batch of 256 windows of 48 steps, a forward pass alone (prediction), a
whole training epoch of an LSTM regressor (8192 windows, batch 256, Adam,
MSE; tsrnn's epoch stays on the device), the prediction of one window of 48
steps (batch 1, with the dense head) and one streaming step (one new
observation, the state carried), timed on tsrnn's CUDA kernels, tsrnn's CPU
kernels and PyTorch's cuDNN LSTM, with the ratios. First it prints what
numba-cuda's own operations cost per call (a transfer each way, an allocation,
a launch, a view), which is what batch-1 work spends its time on, and where one
window's prediction spends it: the whole call, the weights' check, and the
kernel alone (CUDA events around launches queued back to back). Exits with a
message where no usable GPU is found.
"""

import argparse
import statistics
import sys
import time

import numpy as np

N, T, F = 256, 48, 1
N_EPOCH = 8192
CALLS = 200
OPS = ("train", "predict", "epoch", "predict_1", "stream")


def _timeit(fn, repeats, sync=lambda: None):
    fn()
    sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _primitives():
    """Microseconds per call of the numba-cuda operations a layer's call is made of."""
    from numba import cuda

    @cuda.jit
    def empty(a):
        pass

    small = np.zeros(64, np.float32)
    d = cuda.to_device(small)
    ops = {"to_device (256 B)": lambda: cuda.to_device(small),
           "copy_to_device": lambda: d.copy_to_device(small),
           "copy_to_host": d.copy_to_host,
           "device_array": lambda: cuda.device_array(64, np.float32),
           "launch (empty kernel)": lambda: empty[1, 32](d),
           "view (slice, reshape)": lambda: d[0:32].reshape((4, 8))}
    return {name: _timeit(_many(fn), 3, cuda.synchronize) / CALLS * 1e6
            for name, fn in ops.items()}


def _breakdown(H, T, calls=CALLS):
    """Microseconds of one window's prediction through the one-launch path (LSTM, batch
    1, ``T`` steps): the call, the weights' check, and the kernel alone (``calls``
    launches queued between two CUDA events, so the device never waits on the host);
    then the layout the library chose (blocks a sequence, whether they keep ``U``)."""
    from numba import cuda

    from tsrnn.kernels.cuda import _common, dense, lstm
    from tsrnn.nn import SequenceModel

    model = SequenceModel("lstm", F, H, 1, device="cuda", random_state=0)
    layer, W, b = model.network.layers[0], model.head.W, model.head.b
    x = np.random.default_rng(2).standard_normal((T, 1, F)).astype(np.float32)
    state = (np.zeros((1, H), np.float32),) * 2
    call = _timeit(_many(lambda: dense.forward_dense("lstm", x, layer.weights, state, W, b),
                         calls), 3) / calls
    arrays = (*layer.weights, W, b)
    check = _timeit(_many(lambda: _common.resident_weights(arrays, np.float32), calls),
                    3) / calls
    configured, args = _common.prepare(lstm._predict_kernel(np.dtype(np.float32)), x,
                                       layer.weights, state, W, b, 4, lstm._local, False)
    start, end = cuda.event(), cuda.event()

    def queued():
        start.record()
        for _ in range(calls):
            configured(*args)
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3 / calls

    queued()
    kernel = statistics.median(queued() for _ in range(3))
    return call * 1e6, check * 1e6, kernel * 1e6, args[8:10]


def _tsrnn(device, H, repeats):
    from tsrnn.nn.network import RecurrentNetwork

    net = RecurrentNetwork("lstm", F, H, device=device, random_state=0)
    x = np.random.default_rng(0).standard_normal((T, N, F)).astype(np.float32)

    def step():
        out, _, ctx = net.run(x, reuse=True)
        net.backprop(ctx, np.ones_like(out))

    return (_timeit(step, repeats), _timeit(lambda: net.run(x), repeats),
            _epoch(device, H, repeats), *_one(device, H, repeats))


def _one(device, H, repeats):
    """One window's prediction and one streaming step, each the median of many calls."""
    from tsrnn.nn import SequenceModel

    model = SequenceModel("lstm", F, H, 1, device=device, random_state=0)
    window, step = _small()
    state = {"s": None}

    def stream():
        _, state["s"] = model.predict(step, state["s"])

    return (_timeit(_many(lambda: model.predict(window)), repeats),
            _timeit(_many(stream), repeats))


def _small():
    rng = np.random.default_rng(1)
    return (rng.standard_normal((1, T, F)).astype(np.float32),
            rng.standard_normal((1, 1, F)).astype(np.float32))


def _many(fn, calls=CALLS):
    """``fn`` called ``calls`` times, so that one timing is long enough to read."""
    def run():
        for _ in range(calls):
            fn()
    return run


def _data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((N_EPOCH, T, F)).astype(np.float32),
            rng.standard_normal((N_EPOCH, 1)).astype(np.float32))


def _epoch(device, H, repeats):
    from tsrnn.nn import SequenceModel, get_loss, get_optimizer

    X, y = _data()
    model = SequenceModel("lstm", F, H, 1, device=device, random_state=0)
    opt, loss = get_optimizer("adam", 1e-3), get_loss("mse")
    return _timeit(lambda: model.train_epoch(X, y, loss, opt, N), repeats)


def _torch(H, repeats):
    import torch

    lstm = torch.nn.LSTM(F, H, batch_first=True).cuda()
    x = torch.randn(N, T, F, device="cuda")

    def step():
        lstm.zero_grad()
        out, _ = lstm(x)
        out.sum().backward()

    def forward():
        with torch.inference_mode():
            lstm(x)

    X, y = (torch.from_numpy(a).cuda() for a in _data())
    head = torch.nn.Linear(H, 1).cuda()
    opt = torch.optim.Adam([*lstm.parameters(), *head.parameters()], 1e-3)

    def epoch():
        for i in range(0, N_EPOCH, N):
            opt.zero_grad()
            out, _ = lstm(X[i:i + N])
            torch.nn.functional.mse_loss(head(out[:, -1]), y[i:i + N]).backward()
            opt.step()

    window, step_x = (torch.from_numpy(a) for a in _small())
    state = {"s": None}

    def predict_one():
        # From the host and back, as tsrnn's predict takes and returns host arrays.
        with torch.inference_mode():
            out, _ = lstm(window.cuda())
            head(out[:, -1]).cpu()

    def stream():
        with torch.inference_mode():
            out, state["s"] = lstm(step_x.cuda(), state["s"])
            head(out[:, -1]).cpu()

    sync = torch.cuda.synchronize
    return (_timeit(step, repeats, sync), _timeit(forward, repeats, sync),
            _timeit(epoch, repeats, sync), _timeit(_many(predict_one), repeats, sync),
            _timeit(_many(stream), repeats, sync))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tsrnn.kernels import _cuda_unavailable

    reason = _cuda_unavailable()
    if reason is not None:
        sys.exit(f"no GPU benchmark: {reason}")
    try:
        import torch

        has_torch = torch.cuda.is_available()
    except ImportError:
        has_torch = False
    from numba import cuda

    print(f"GPU: {cuda.get_current_device().name}")
    for name, us in _primitives().items():
        print(f"  numba-cuda {name:<22}{us:8.1f} us")
    print("One window's prediction (LSTM, batch 1, one launch): microseconds a call")
    print(f"{'hidden':>6} {'steps':>6}{'call':>9}{'weights':>9}{'kernel':>9}{'rest':>9}"
          "  layout")
    for H in args.hidden:
        for steps in (T, 1):
            call, check, kernel, (blocks, kept) = _breakdown(H, steps)
            print(f"{H:>6} {steps:>6}{call:>9.1f}{check:>9.1f}{kernel:>9.1f}"
                  f"{call - kernel:>9.1f}  {blocks} block(s), U {'in shared' if kept else 'read'}",
                  flush=True)
    print(f"LSTM, batch {N}, {T} steps")
    print(f"{'hidden':>6} {'op':<10}{'tsrnn GPU':>11}{'tsrnn CPU':>11}{'cuDNN':>10}"
          f"{'GPU/CPU':>9}{'cuDNN/GPU':>11}")
    for H in args.hidden:
        gpu, cpu = _tsrnn("cuda", H, args.repeats), _tsrnn("cpu", H, args.repeats)
        ref = _torch(H, args.repeats) if has_torch else (float("nan"),) * 5
        for k, op in enumerate(OPS):
            unit, scale = ("ms", 1e3) if k < 3 else ("us", 1e6 / CALLS)
            print(f"{H:>6} {op:<10}{gpu[k] * scale:>9.2f}{unit}{cpu[k] * scale:>9.2f}{unit}"
                  f"{ref[k] * scale:>8.2f}{unit}{cpu[k] / gpu[k]:>8.2f}x{ref[k] / gpu[k]:>10.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
