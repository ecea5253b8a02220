"""Smoke tests: every benchmark script runs at a tiny size (timings are never asserted)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run_benchmark(name, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tiny_benchmark_runs():
    out = run_benchmark("tiny.py", "--rounds", "1", "--iterations", "200")
    assert "ratio to raw" in out and "smallnet fit" in out


def test_datasets_benchmark_runs():
    out = run_benchmark("datasets.py", "--seeds", "1", "--max-iter", "2")
    assert "digits" in out and "time ratio" in out


def test_mlp_benchmark_runs():
    out = run_benchmark("mlp.py", "--rows", "1024", "--rounds", "1")
    assert "smallnet (core API)" in out and "GEMM floor" in out and "efficiency" in out


def test_import_time_benchmark_runs():
    out = run_benchmark("import_time.py", "--rounds", "1")
    assert "smallnet" in out and "ratio to numpy" in out


def test_latency_benchmark_runs():
    out = run_benchmark("latency.py", "--repeats", "2")
    assert "smallnet" in out and "1000" in out


def test_overhead_benchmark_runs():
    out = run_benchmark("overhead.py", "--rows", "1024", "--rounds", "1")
    assert "matrix products" in out and "best efficiency" in out and "smallnet fit" in out
