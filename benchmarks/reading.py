"""Reading a table: smallnet's read, typing and encoding of a CSV file against pandas.read_csv.

Writes a seeded CSV file (20 float features of varied scale, written with full precision, and a
numeric target `y`; with --text, 2 text category columns and 5% gaps), then runs, alternating
round by round, each in a fresh process: (a) ``pandas.read_csv(path)``; (b) smallnet's
``read_csv(path, target="y")``, ``TableEncoder.from_data``, ``encoder.prepare`` and
``tabular.target_numbers`` (the final arrays: prepare's float matrix and y). Prints the median
seconds, the ratio smallnet / pandas (goal <= 2), peak memory over the final arrays' bytes
(goal <= 3), and the wall time of a whole ``smallnet train FILE --target y --epochs 1`` process.

Memory is what the work adds to the process's resident set after the imports, C buffers
(pandas' tokenizer) included, which tracemalloc would not see; two measures, both on Linux:

- peak RSS: VmHWM, its peak reset after the imports (``getrusage``'s ru_maxrss would start at
  the parent's size, which an exec'd process inherits; elsewhere ru_maxrss is all there is). It
  counts the pages of the CSV file itself, which pandas maps into memory to read it in parallel:
  page cache, given back under pressure, but counted.
- peak anon: the resident set less file-backed pages (/proc/self/statm), sampled every
  millisecond by a thread, in a run of its own (the sampler slows the work it watches); a peak
  shorter than the interval can be missed. It also counts memory freed but kept by the C
  allocator: pandas' parallel reader leaves about the frame's size of it (delete the frame and
  the anon size stays there), which a later allocation as large as the final matrix doesn't reuse.
- peak traced: tracemalloc's peak, in a run of its own: the memory Python and NumPy hold
  (pandas' C tokenizer buffers not included), whatever the allocator keeps after.

    python benchmarks/reading.py [--rows 300000] [--rounds 3] [--text] [--seed 0]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

FEATURES = 20
GAPS = 0.05  # of the fields of each column but y, with --text
LEVELS = {"color": 5, "city": 60}  # one-hot and embedded, with --text
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def write_table(path, rows, text, seed):
    """A seeded CSV file of `rows` rows: f0..f19 (scales from 1e-3 to 1e4), y, and with `text`
    the category columns of LEVELS and GAPS of empty fields."""
    import pandas

    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-3, 4, FEATURES)
    X = rng.normal(size=(rows, FEATURES)) * scales + rng.normal(size=FEATURES) * scales
    y = (X - X.mean(0)) / scales @ rng.normal(size=FEATURES) + rng.normal(size=rows)
    frame = pandas.DataFrame(X, columns=[f"f{j}" for j in range(FEATURES)])
    if text:
        for name, levels in LEVELS.items():
            frame[name] = np.array([f"{name}_{k}" for k in range(levels)])[
                rng.integers(levels, size=rows)
            ]
        for name in frame.columns:
            frame.loc[rng.random(rows) < GAPS, name] = None
    frame["y"] = y
    frame.to_csv(path, index=False)  # float64 written as repr: full precision


def reset_peak():
    """Start the peak resident set (VmHWM) from the present one, where Linux allows it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_bytes():
    """The process's peak resident set so far, in bytes."""
    try:
        with open("/proc/self/status") as f:
            return 1024 * int(next(line for line in f if line.startswith("VmHWM:")).split()[1])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # macOS says bytes, others KiB


def anon_bytes():
    """The resident set less its file-backed pages, in bytes; None where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            resident, shared = (int(field) for field in f.read().split()[1:3])
    except OSError:
        return None
    return (resident - shared) * PAGE


class AnonSampler:
    """The highest `anon_bytes` seen by a thread, every millisecond, while in the `with`."""

    def __init__(self):
        self.peak, self._done = anon_bytes(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while not self._done.wait(0.001):
            self.peak = max(self.peak, anon_bytes())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, anon_bytes())


def work(contender, path):
    """Run a contender; the bytes of what it returns."""
    if contender == "pandas":
        import pandas

        return int(pandas.read_csv(path).memory_usage(deep=True).sum())
    from smallnet.csvdata import read_csv
    from smallnet.layers import TableEncoder
    from smallnet.tabular import target_numbers

    table = read_csv(path, target="y")
    Z = TableEncoder.from_data(table).prepare(table)
    return Z.nbytes + target_numbers(table).nbytes


def child(contender, path, measure):
    """Run one contender on `path` in this (fresh) process; print its seconds and bytes."""
    import pandas  # noqa: F401 (imported before the measures, as smallnet's reading imports it)

    import smallnet.csvdata  # noqa: F401
    import smallnet.layers  # noqa: F401
    import smallnet.tabular  # noqa: F401

    if measure == "traced":
        import tracemalloc

        tracemalloc.start()
        work(contender, path)
        print(json.dumps({"traced": tracemalloc.get_traced_memory()[1]}))
        return
    if measure == "anon":
        before = anon_bytes()
        if before is None:
            print(json.dumps({"anon": None}))
            return
        with AnonSampler() as sampler:
            work(contender, path)
        print(json.dumps({"anon": sampler.peak - before}))
        return
    reset_peak()
    before = peak_bytes()
    start = time.perf_counter()
    final = work(contender, path)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak": peak_bytes() - before, "final": final}))


def run_child(contender, path, measure):
    out = subprocess.run(
        [sys.executable, __file__, "--child", contender, path, measure],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def run_train(path, folder):
    """Wall seconds of one whole `smallnet train` process (one epoch)."""
    output = os.path.join(folder, "m.safetensors")
    command = [sys.executable, "-m", "smallnet", "train", path, "--target", "y", "-o", output]
    start = time.perf_counter()
    subprocess.run([*command, "--epochs", "1"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    os.remove(output)  # the next round writes it again
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--text", action="store_true", help="2 category columns and 5%% gaps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    runs = {contender: [] for contender in ("pandas", "smallnet")}
    trains = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "table.csv")
        write_table(path, args.rows, args.text, args.seed)
        with open(path, "rb") as f:  # in the page cache for every contender alike
            size = len(f.read())
        for _ in range(args.rounds):
            for contender, results in runs.items():
                result = run_child(contender, path, "time")
                result |= run_child(contender, path, "anon") | run_child(contender, path, "traced")
                results.append(result)
            trains.append(run_train(path, folder))
    columns = FEATURES + 1 + (len(LEVELS) if args.text else 0)
    variant = f", {len(LEVELS)} of text, {GAPS:.0%} gaps" if args.text else ""
    print(
        f"{args.rows} rows x {columns} columns{variant} ({size / 1e6:.0f} MB), "
        f"median of {args.rounds} alternated rounds, each in a fresh process"
    )
    print(f"{'':30s} {'seconds':>8s} {'final MB':>8s} {'peak RSS/final':>15s} {'anon/final':>11s}"
          f" {'traced/final':>13s}")  # fmt: skip
    medians = {}
    for contender, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        final = results[0]["final"]
        rss = statistics.median(r["peak"] for r in results) / final
        anon = None if results[0]["anon"] is None else (
            statistics.median(r["anon"] for r in results) / final
        )  # fmt: skip
        traced = statistics.median(r["traced"] for r in results) / final
        medians[contender] = seconds, rss, anon, traced
        label = "pandas.read_csv" if contender == "pandas" else "smallnet read + type + encode"
        shown = "n/a" if anon is None else f"{anon:.2f}x"
        print(f"{label:30s} {seconds:8.3f} {final / 1e6:8.1f} {rss:14.2f}x {shown:>11s}"
              f" {traced:12.2f}x")  # fmt: skip
    print(f"{'smallnet train --epochs 1':30s} {statistics.median(trains):8.3f}  (whole process)")
    print(f"time ratio smallnet / pandas: {medians['smallnet'][0] / medians['pandas'][0]:.2f}"
          " (goal <= 2.0)")  # fmt: skip
    _, rss, anon, traced = medians["smallnet"]
    shown = "n/a" if anon is None else f"{anon:.2f}"
    print(f"smallnet peak memory / final arrays: {shown} anon, {rss:.2f} RSS, {traced:.2f} traced"
          " (goal <= 3.0)")  # fmt: skip


if __name__ == "__main__":
    main()
