"""smallnet reproduces the tutorial's printed numbers through its public API."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import datasets, tutorial

ONE_LAYER_OUTPUT = "[[0.00966449]\n [0.00786506]\n [0.99358898]\n [0.99211957]]"
TWO_LAYER_ERRORS = [
    0.4685343254580603,
    0.005002426725395313,
    0.00345440546153305,
    0.002786557019672355,
    0.0023941155055209216,
    0.0021288852682254146,
]


def test_one_layer_outputs_after_training():
    X, y = datasets.tutorial()
    history = tutorial.network().fit(X, y, epochs=10000)
    assert str(history.last_output) == ONE_LAYER_OUTPUT
    np.testing.assert_allclose(
        history.last_output.ravel(), [0.00966449, 0.00786506, 0.99358898, 0.99211957], rtol=1e-6
    )


def test_predict_after_training_is_the_updated_network():
    X, y = datasets.tutorial()
    net = tutorial.network()
    history = net.fit(X, y, epochs=10000)
    prediction = net.predict(X)
    assert prediction[0, 0] == pytest.approx(0.009664, abs=1e-6)
    assert not np.array_equal(
        prediction, history.last_output
    )  # one more update happened after the last forward


def test_two_layer_error_lines():
    X, y = datasets.tutorial()
    history = tutorial.network(hidden=(4,)).fit(X, y, epochs=60000)
    np.testing.assert_allclose(history["mae"][::10000], TWO_LAYER_ERRORS, rtol=1e-9, atol=0)
    assert len(history["loss"]) == 60000


def test_tutorial_by_hand_with_public_pieces():
    """The README's snippet: the same network written out with Dense, SGD and seed."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0, 0, 1, 1]]).T
    net = sn.Network(
        [
            sn.Dense(4, input_dim=3, activation="sigmoid", use_bias=False, initializer="uniform"),
            sn.Dense(1, activation="sigmoid", use_bias=False, initializer="uniform"),
        ],
        loss="sse",
        optimizer=sn.SGD(learning_rate=1.0),
        metrics=["mae"],
        seed=1,
    )
    history = net.fit(X, y, epochs=10001)
    assert history["mae"][10000] == pytest.approx(TWO_LAYER_ERRORS[1], rel=1e-9)


def test_initial_weights_follow_np_random_seed_stream():
    net = tutorial.network(hidden=(4,)).build(3)
    stream = np.random.RandomState(1)
    np.testing.assert_array_equal(net.layers[0].weights, 2 * stream.random_sample((3, 4)) - 1)
    np.testing.assert_array_equal(net.layers[1].weights, 2 * stream.random_sample((4, 1)) - 1)


def test_demo_command_prints_tutorial_format():
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "smallnet", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Output After Training:" in lines
    assert ONE_LAYER_OUTPUT in result.stdout
    errors = [float(line[len("Error:") :]) for line in lines if line.startswith("Error:")]
    np.testing.assert_allclose(errors, TWO_LAYER_ERRORS, rtol=1e-9, atol=0)


def test_error_lines_are_bit_for_bit_the_raw_loops_on_this_machine():
    """The tutorial's text was printed on another machine (one line differs there in its last
    digits); on the same machine smallnet and the tutorial's own loop agree exactly."""
    X, y = datasets.tutorial()
    rng = np.random.RandomState(1)
    syn0, syn1 = 2 * rng.random_sample((3, 4)) - 1, 2 * rng.random_sample((4, 1)) - 1
    raw = []
    for j in range(60000):
        l1 = 1 / (1 + np.exp(-np.dot(X, syn0)))
        l2 = 1 / (1 + np.exp(-np.dot(l1, syn1)))
        l2_error = y - l2
        if j % 10000 == 0:
            raw.append(np.mean(np.abs(l2_error)))
        l2_delta = l2_error * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))
        syn1 += l1.T.dot(l2_delta)
        syn0 += X.T.dot(l1_delta)
    history = tutorial.network(hidden=(4,)).fit(X, y, epochs=60000)
    assert history["mae"][::10000] == raw
