"""examples/tutorial.ipynb runs top to bottom in a fresh kernel and shows the tutorial's numbers."""

from pathlib import Path

import numpy as np
import pytest

from extras import need, source_first
from test_tutorial import ONE_LAYER_OUTPUT, TWO_LAYER_ERRORS

nbformat = need("nbformat")
nbclient = need("nbclient")
need("ipykernel")
need("matplotlib")  # the picture cells

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "examples" / "tutorial.ipynb"
PICTURES = ["loss-curve", "diagram", "xor"]  # the ids of the cells that draw


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    """The executed notebook's code cells by id."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel imports this checkout's smallnet, as the other tests do (CI also installs it)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", source_first())
        client = nbclient.NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=120,  # per cell: the 60000 iterations take a few seconds
            resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}},
        )
        client.execute()
    return {cell.id: cell for cell in notebook.cells if cell.cell_type == "code"}


def _text(cell):
    return "".join(out.text for out in cell.outputs if out.output_type == "stream")


def _data(cell, kind):
    return [out.data[kind] for out in cell.outputs if kind in out.get("data", {})]


def test_it_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_the_first_network_s_output_after_training(cells):
    assert _text(cells["first"]) == f"Output After Training:\n{ONE_LAYER_OUTPUT}\n"


def test_the_second_network_s_error_lines_and_outputs(cells):
    lines = _text(cells["second"]).splitlines()
    errors = [float(line[len("Error:") :]) for line in lines if line.startswith("Error:")]
    # as tests/test_tutorial.py compares: one line's last digits differ between machines
    np.testing.assert_allclose(errors, TWO_LAYER_ERRORS, rtol=1e-9, atol=0)
    after = lines.index("Output After Training:")
    outputs = [float(line.strip(" []")) for line in lines[after + 1 :]]
    np.testing.assert_allclose(outputs, [0, 0, 1, 1], atol=0.003)  # 0.00197 ... 0.99782


def test_the_network_shows_its_summary_table(cells):
    (html,) = _data(cells["table"], "text/html")
    assert "<table>" in html and html.count("<tr>") == 3  # the titles, syn0's layer, syn1's
    assert "Total params: 16" in html


def test_the_trace_prints_a_step_in_the_tutorial_s_words(cells):
    text = _text(cells["trace"])
    assert "l1_delta" in text and "syn0" in text and "l2_error = y - l2" in text
    (line,) = _text(cells["record"]).splitlines()  # the step's mean miss: the first Error line
    assert float(line[len("Error:") :]) == pytest.approx(TWO_LAYER_ERRORS[0], rel=1e-9)


def test_each_picture_shows_inline(cells):
    drawing = [name for name, cell in cells.items() if "plot." in cell.source]
    assert drawing == PICTURES
    for name in PICTURES:
        assert len(_data(cells[name], "image/png")) == 1, name


def test_xor_needs_the_hidden_layer(cells):
    one, hidden = _text(cells["your-turn"]).splitlines()
    assert one.startswith("3-1: Error:0.5000") and hidden.startswith("3-4-1: Error:0.00")
