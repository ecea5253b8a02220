"""The README's Python snippets run as written, one after another, as a reader would paste them."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"


def test_readme_python_snippets_run_in_order(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    pytest.importorskip("safetensors")
    pytest.importorskip("onnxruntime")
    from sklearn.exceptions import ConvergenceWarning

    snippets = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(snippets) >= 6
    monkeypatch.chdir(tmp_path)
    # Not "__main__": the Dask snippet starts its cluster under a main guard
    # (tests/test_sklearn.py runs one).
    namespace = {"__name__": "readme"}
    for i, code in enumerate(snippets):
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", ConvergenceWarning
            )  # the README says the search's short fits warn
            try:
                exec(compile(code, f"README snippet {i}", "exec"), namespace)
            except Exception as exc:  # name the snippet: the traceback alone points into exec
                raise AssertionError(f"README snippet {i} fails:\n{code}") from exc
    assert namespace["difference"] < 1e-5  # the ONNX export's own check
    for written in (
        "loss.png",
        "boundary.png",
        "network.png",
        "fit.svg",
        "history.csv",
        "model.safetensors",
        "model.onnx",
        "run.ckpt",
    ):
        assert (tmp_path / written).stat().st_size > 0
