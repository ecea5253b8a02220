"""Prediction latency of an MNIST-shaped MLP (784-256-128-10, float32): one row and 1000 rows.

smallnet's `predict` (input checks included) against PyTorch in inference mode and
onnxruntime (on smallnet's own ONNX export), same thread count, alternated;
prints the median microseconds per call and the ratio to PyTorch. Libraries that
are not installed are skipped.

    python benchmarks/latency.py [--repeats 200]
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

import smallnet as sn

SIZES = (784, 256, 128, 10)


def build():
    net = sn.Network(
        [
            sn.Dense(256, activation="relu"),
            sn.Dense(128, activation="relu"),
            sn.Dense(10, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        seed=0,
        dtype="float32",
    )
    return net.build(SIZES[0])


def contenders(net, threads):
    found = {"smallnet": net.predict}
    try:
        import torch

        torch.set_num_threads(threads)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, 10),
            torch.nn.Softmax(dim=1),
        ).eval()
        with torch.no_grad():  # the same weights as smallnet's
            for linear, layer in zip(model[::2], net.layers):
                linear.weight.copy_(torch.from_numpy(layer.weights.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.bias))

        def torch_predict(x):
            with torch.inference_mode():
                return model(torch.from_numpy(x)).numpy()

        found["PyTorch (inference mode)"] = torch_predict
    except ImportError as exc:
        print(f"skipping PyTorch: {exc}")
    try:
        import onnxruntime as ort

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "mlp.onnx")
            net.to_onnx(path)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        found["onnxruntime"] = lambda x: session.run(["Y"], {"X": x})[0]
    except ImportError as exc:
        print(f"skipping onnxruntime: {exc}")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="calls per round (5 rounds)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    net = build()
    found = contenders(net, args.threads)
    rng = np.random.RandomState(0)
    print(
        "MLP 784-256-128-10 float32, "
        f"median us per call over 5 alternated rounds of {args.repeats} calls"
    )
    print(
        f"{'rows':>5s}  {'contender':26s} {'us/call':>10s} {'vs PyTorch':>11s} "
        f"{'max |diff| vs smallnet':>23s}"
    )
    for rows in (1, 1000):
        x = rng.normal(size=(rows, 784)).astype(np.float32)
        reference = net.predict(x)
        times = {name: [] for name in found}
        for _ in range(5):
            for name, predict in found.items():
                predict(x)  # warm
                start = time.perf_counter()
                for _ in range(args.repeats):
                    predict(x)
                times[name].append((time.perf_counter() - start) / args.repeats * 1e6)
        torch_us = (
            statistics.median(times["PyTorch (inference mode)"])
            if "PyTorch (inference mode)" in times
            else None
        )
        for name, ts in times.items():
            med = statistics.median(ts)
            ratio = f"{med / torch_us:.2f}x" if torch_us else "-"
            diff = float(np.max(np.abs(found[name](x) - reference)))
            print(f"{rows:5d}  {name:26s} {med:10.1f} {ratio:>11s} {diff:23.1e}")


if __name__ == "__main__":
    main()
