"""Import time of `python -c "import smallnet"` against `python -c "import numpy"`, whole processes.

Alternates the commands round by round and prints the median wall time of each
and its ratio to NumPy's. PyTorch and scikit-learn's MLP are timed for scale
where installed.

    python benchmarks/import_time.py [--rounds 15]
"""

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

STATEMENTS = {
    "numpy": "import numpy",
    "smallnet": "import smallnet",
    "torch": "import torch",
    "sklearn MLP": "from sklearn.neural_network import MLPClassifier",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    present = {
        name: code
        for name, code in STATEMENTS.items()
        if importlib.util.find_spec(code.split()[1].split(".")[0]) is not None
    }
    times = {name: [] for name in present}
    for _ in range(args.rounds):
        for name, code in present.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["numpy"])
    print(f"whole-process import time, median of {args.rounds} alternated rounds")
    print(f"{'import':14s} {'ms':>8s} {'ratio to numpy':>15s}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:14s} {1000 * med:8.1f} {med / base:14.2f}x")


if __name__ == "__main__":
    main()
