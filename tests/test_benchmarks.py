"""Smoke tests: every benchmark script runs at a tiny size (timings are never asserted)."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import browser

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
    assert "smallnet numpy (core API)" in out and "GEMM floor" in out and "efficiency" in out


def test_import_time_benchmark_runs():
    out = run_benchmark("import_time.py", "--rounds", "1")
    assert "smallnet" in out and "ratio to numpy" in out


def test_latency_benchmark_runs():
    out = run_benchmark("latency.py", "--repeats", "2")
    assert "smallnet" in out and "1000" in out


def test_overhead_benchmark_runs():
    out = run_benchmark("overhead.py", "--rows", "1024", "--rounds", "1")
    assert "matrix products" in out and "best efficiency" in out and "smallnet fit" in out


def test_tabular_benchmark_runs():
    out = run_benchmark("tabular.py", "--quick", "--tables", "penguins,births")
    assert "goal: no worse than the sklearn MLP pipeline by more than 0.01 accuracy" in out
    assert "penguins: 300 of 344 rows" in out and "births: 300 of 1000 rows" in out
    score = r"-?\d+\.\d{3} \+- \d+\.\d{3}"
    rows = {
        "scikit-learn MLP pipeline": score,
        "HistGradientBoosting": score,
        "smallnet CLI (defaults)": f"({score}|error: )",  # fails until smallnet reads the table
        "smallnet Python recipe": f"({score}|n/a$|error: )",
    }
    for name, cell in rows.items():  # one line for each of the two tables
        assert len(re.findall(rf"^  {re.escape(name)}\s+{cell}", out, re.MULTILINE)) == 2, out


def test_tabular_benchmark_reports_a_contender_that_fails_and_goes_on(monkeypatch):
    spec = importlib.util.spec_from_file_location("tabular", ROOT / "benchmarks" / "tabular.py")
    tabular = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tabular)

    def broken(*args):
        raise ValueError("no such\ncolumn")

    monkeypatch.setitem(tabular.CONTENDERS, "smallnet CLI (defaults)", broken)
    tiny = tabular.Spec(
        ROOT / "tests" / "data" / "credit_tiny.csv", "Status", "classification", True
    )
    results = tabular.measure(tabular.load(tiny), seeds=2, rows=None)
    assert results["smallnet CLI (defaults)"] == "error: no such column"
    assert len(results["smallnet Python recipe"]["score"]) == 2
    assert len(results["scikit-learn MLP pipeline"]["score"]) == 2
    assert len(results["HistGradientBoosting"]["time"]) == 2


def test_playground_benchmark_runs():
    why = browser.missing()  # the browser tests' tooling: skips without Chromium, except in CI
    if why and os.environ.get("CI") != "true":
        pytest.skip(why)
    out = run_benchmark("playground.py", "--seconds", "1", "--rounds", "1")
    assert "epochs/s" in out and "redraws/s" in out
