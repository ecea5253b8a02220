"""Teaching mode: Network.trace shows the tutorial's raw loop, number for number."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli, datasets, tutorial


def raw_loop(step):
    """The tutorial's 3-4-1 loop, line for line, returning its arrays at iteration `step`."""

    def nonlin(x, deriv=False):
        if deriv:
            return x * (1 - x)
        return 1 / (1 + np.exp(-x))

    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0, 0, 1, 1]]).T
    rng = np.random.RandomState(1)  # np.random.seed(1)'s stream, without touching global state
    syn0 = 2 * rng.random_sample((3, 4)) - 1
    syn1 = 2 * rng.random_sample((4, 1)) - 1
    for j in range(step + 1):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y - l2
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        if j == step:
            seen = {
                "l0": l0,
                "l1": l1,
                "l2": l2,
                "syn0": syn0.copy(),
                "syn1": syn1.copy(),
                "l2_error": l2_error,
                "l2_slope": nonlin(l2, deriv=True),
                "l2_delta": l2_delta,
                "l1_error": l1_error,
                "l1_slope": nonlin(l1, deriv=True),
                "l1_delta": l1_delta,
                "syn1_update": l1.T.dot(l2_delta),
                "syn0_update": l0.T.dot(l1_delta),
                "loss": 0.5 * np.sum(l2_error**2),
            }
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    seen.update(syn0_new=syn0, syn1_new=syn1)
    return seen


@pytest.mark.parametrize("step", [0, 1, 1000])
def test_trace_matches_the_raw_loop(step):
    X, y = datasets.tutorial()
    lines = []
    record = tutorial.network(hidden=(4,)).trace(X, y, step=step, print_fn=lines.append)
    raw = raw_loop(step)
    for name, value in raw.items():
        got = record.loss if name == "loss" else record[name]
        np.testing.assert_allclose(got, value, rtol=1e-12, atol=0, err_msg=name)
    assert record.step == step and lines == [record.text]


def test_trace_keeps_fits_numbers_and_leaves_the_network_where_fit_would():
    X, y = datasets.tutorial()
    traced, fitted = tutorial.network(hidden=(4,)), tutorial.network(hidden=(4,))
    record = traced.trace(X, y, step=5, print_fn=None)
    history = fitted.fit(X, y, epochs=6, engine="numpy")  # trace runs NumPy's steps
    assert record.loss == history["loss"][5]
    np.testing.assert_array_equal(record["l2"], history.last_output)
    for p, q in zip(traced.params, fitted.params):
        np.testing.assert_array_equal(p, q)


def test_trace_names_shapes_and_layers():
    X, y = datasets.tutorial()
    record = tutorial.network(hidden=(4,)).trace(X, y, print_fn=None)
    assert [sorted(layer) for layer in record.layers] == [
        sorted(["l0", "syn0", "l1", "l1_error", "l1_slope", "l1_delta", "syn0_update", "syn0_new"]),
        sorted(["l1", "syn1", "l2", "l2_error", "l2_slope", "l2_delta", "syn1_update", "syn1_new"]),
    ]
    text = str(record)
    for line in [
        "l0 = X   shape (4, 3)",
        "l1 = sigmoid(l0.dot(syn0))   shape (4, 4)",
        "l2_error = y - l2",
        "l1_error = l2_delta.dot(syn1.T)   shape (4, 4)",
        "l1_delta = l1_error * l1_slope",
        "syn0_update = l0.T.dot(l1_delta)   shape (3, 4)",
        "loss = sse(y, l2) = ",
    ]:
        assert line in text
    with pytest.raises(KeyError):
        record["l3"]


def _tanh_bce_net():
    return sn.Network(
        [sn.Dense(3, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )


def test_fused_loss_gives_the_delta_and_bias_updates_are_traced():
    X, y = datasets.xor()
    traced, fitted = _tanh_bce_net(), _tanh_bce_net()
    record = traced.trace(X, y, step=3, print_fn=None)
    fitted.fit(X, y, epochs=4, engine="numpy")
    for p, q in zip(traced.params, fitted.params):
        np.testing.assert_array_equal(p, q)
    assert record["l2_error"] is None and record["l2_slope"] is None
    np.testing.assert_allclose(record["l2_delta"], (y - record["l2"]) / y.size, rtol=1e-12)
    np.testing.assert_allclose(record["b1_update"], record["l2_delta"].sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(record["l1_slope"], 1 - record["l1"] ** 2, rtol=1e-12)
    assert (
        "l2_delta = (y - l2) / y.size" in record.text
        and "b0_update = l1_delta.sum(axis=0)" in record.text
    )


def test_softmax_without_its_loss_has_no_slope():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.eye(2)[[0, 1, 1]]
    net = sn.Network([sn.Dense(2, activation="softmax")], loss="mse", optimizer="sgd", seed=0)
    record = net.trace(X, y, print_fn=None)
    assert record["l1_slope"] is None and record["l1_error"] is not None
    assert "softmax mixes its outputs" in record.text


def test_step_must_be_a_non_negative_integer():
    X, y = datasets.tutorial()
    with pytest.raises(ValueError, match="step must be >= 0"):
        tutorial.network().trace(X, y, step=-1)
    with pytest.raises(TypeError, match="step must be an integer"):
        tutorial.network().trace(X, y, step=1.5)


def test_trace_command_prints_the_tutorial_step():
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "smallnet", "trace", "--dataset", "tutorial", "--step", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    raw = raw_loop(1)
    assert result.stdout.startswith("Step 1 of the 3-4-1 network")
    [line] = [
        line for line in result.stdout.splitlines() if line.startswith("loss = sse(y, l2) = ")
    ]
    assert float(line.rsplit("=", 1)[1]) == pytest.approx(raw["loss"], rel=1e-12)


def test_trace_command_options_and_errors(capsys):
    assert cli.main(["trace", "--dataset", "xor", "--hidden", "3", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Step 0 of the 2-3-2-1 network") and "b2_update" in out
    assert cli.main(["trace", "--hidden"]) == 0  # no hidden layer: the tutorial's 3-1 network
    assert capsys.readouterr().out.startswith("Step 0 of the 3-1 network")
    assert cli.main(["trace", "--dataset", "mnist"]) == 2
    err = capsys.readouterr().err
    assert (
        err == "smallnet trace: error: unknown dataset 'mnist'; valid names are: "
        "iris, penguins, tutorial, xor\n"
    )
    assert cli.main(["trace", "--step", "-2"]) == 2
    assert "step must be >= 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "l1, loss_text, update_text",
    [
        (0.0, "+ 0.5 * 0.05 * sum(syn**2) = ", "- 0.05 * syn0   shape (2, 3)"),
        (
            0.02,
            "+ 0.02 * sum(|syn|) + 0.5 * 0.05 * sum(syn**2) = ",
            "- 0.02 * sign(syn0) - 0.05 * syn0   shape",
        ),
    ],
)
def test_trace_with_weight_penalties_matches_fit(l1, loss_text, update_text):
    X, y = datasets.xor()

    def make():
        return sn.Network(
            [sn.Dense(3, activation="tanh"), sn.Dense(1, activation="sigmoid")],
            loss="binary_crossentropy",
            optimizer=sn.Adam(0.1),
            l1=l1,
            l2=0.05,
            seed=0,
        )

    traced, fitted = make(), make()
    record = traced.trace(X, y, step=3, print_fn=None)
    history = fitted.fit(X, y, epochs=4, engine="numpy")
    assert record.loss == pytest.approx(history["loss"][3], rel=1e-12)
    for a, b in zip(traced.params, fitted.params):
        np.testing.assert_array_equal(a, b)
    # the printout writes the penalties into the formulas it shows, and the numbers follow them
    assert f"loss = binary_crossentropy(y, l2) {loss_text}" in record.text
    assert f"syn0_update = l0.T.dot(l1_delta) {update_text}" in record.text
    for k in (0, 1):
        syn = record[f"syn{k}"]
        np.testing.assert_allclose(
            record[f"syn{k}_update"],
            record[f"l{k}"].T.dot(record[f"l{k + 1}_delta"]) - l1 * np.sign(syn) - 0.05 * syn,
            rtol=1e-12,
        )
    np.testing.assert_allclose(record["b0_update"], record["l1_delta"].sum(axis=0), rtol=1e-12)


def test_trace_explains_that_it_needs_dense_layers():
    X, y = datasets.xor()
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dropout(0.5), sn.Dense(1)], seed=0)
    with pytest.raises(ValueError, match="Dense layers only; 'dropout_1' is a Dropout"):
        net.trace(X, y, print_fn=None)
