"""The tutorial's 2-layer network (3-4-1, 60000 iterations): smallnet's public API vs the raw loop.

All run in this process, alternating round by round; prints microseconds per iteration
(median and range over rounds) and the ratio smallnet / raw, for each engine: NumPy's, and
numba's compiled loop where the [fast] extra is installed. Then the compiled engine's start-up:
its first fit in a fresh process with an empty kernel cache (compiling) and with the cache
that run left (loading), each in a process of its own.

    python benchmarks/tiny.py [--rounds 5] [--iterations 60000]
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from smallnet import datasets, tutorial

X_INT = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
Y_INT = np.array([[0, 0, 1, 1]]).T


def raw_loop(iterations):
    """The tutorial's own loop, line for line (its prints collected instead)."""

    def nonlin(x, deriv=False):
        if deriv:
            return x * (1 - x)
        return 1 / (1 + np.exp(-x))

    X, y = X_INT, Y_INT
    rng = np.random.RandomState(1)  # what np.random.seed(1) seeds, without touching global state
    syn0 = 2 * rng.random_sample((3, 4)) - 1
    syn1 = 2 * rng.random_sample((4, 1)) - 1
    errors = []
    for j in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y - l2
        if (j % 10000) == 0:
            errors.append(np.mean(np.abs(l2_error)))
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    return errors


def smallnet_fit(iterations, metrics=(), engine="numpy"):
    X, y = datasets.tutorial()
    net = tutorial.network(hidden=(4,), metrics=metrics)
    history = net.fit(X, y, epochs=iterations, engine=engine)
    assert history.engine == engine
    return history


FIRST_FIT = """
import time
start = time.perf_counter()
from smallnet import datasets, tutorial
X, y = datasets.tutorial()
tutorial.network(hidden=(4,)).fit(X, y, epochs=10, engine="{engine}")
print(time.perf_counter() - start)
"""


def first_fit_seconds(cache, engine="numba"):
    """Seconds from import to the end of a 10-epoch fit, in a fresh process using `cache`."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    code = FIRST_FIT.replace("{engine}", engine)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)  # fmt: skip
    return float(out.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=60000)
    args = parser.parse_args(argv)
    contenders = {
        "raw tutorial loop": lambda: raw_loop(args.iterations),
        "smallnet fit, numpy (loss history)": lambda: smallnet_fit(args.iterations),
        "smallnet fit, numpy (loss + mae, the demo)": lambda: smallnet_fit(
            args.iterations, ["mae"]
        ),
    }
    compiled = importlib.util.find_spec("numba") is not None
    if compiled:
        contenders["smallnet fit, numba (loss history)"] = lambda: smallnet_fit(
            args.iterations, engine="numba"
        )
        contenders["smallnet fit, numba (loss + mae)"] = lambda: smallnet_fit(
            args.iterations, ["mae"], engine="numba"
        )
        smallnet_fit(10, engine="numba")  # compiled (or loaded from the cache) before timing
    times = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) / args.iterations * 1e6)
    raw = times["raw tutorial loop"]
    print(
        f"tutorial 3-4-1 network, {args.iterations} iterations, {args.rounds} alternated rounds; "
        f"ratio: median over rounds of each round's own ratio"
    )
    print(f"{'contender':45s} {'us/iter (median)':>17s} {'min-max':>14s} {'ratio to raw':>13s}")
    for name, ts in times.items():
        ratio = statistics.median(a / b for a, b in zip(ts, raw))
        print(
            f"{name:45s} {statistics.median(ts):17.2f} {min(ts):6.2f}-{max(ts):<7.2f} "
            f"{ratio:12.3f}x"
        )
    if compiled:
        report_start_up()


def report_start_up():
    with tempfile.TemporaryDirectory() as cache:
        compiling = first_fit_seconds(cache)
        loading = first_fit_seconds(cache)
        numpy = first_fit_seconds(cache, "numpy")
    print(
        f"start-up, import + a first 10-epoch fit in a fresh process: numba {compiling:.2f} s "
        f"compiling into an empty kernel cache, {loading:.2f} s loading the cached kernels; "
        f"numpy {numpy:.2f} s"
    )


if __name__ == "__main__":
    main()
