"""Features: the playground's input features computed inside the network, forward and backward."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import layers
from smallnet.datasets import plane
from smallnet.onnx_export import probe_inputs

PLAYGROUND = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def _built(features, input_dim=3, dtype=np.float64):
    layer = sn.Features(features)
    layer.build(input_dim, np.dtype(dtype), None)
    return layer


def test_each_feature_s_values_in_the_order_given():
    X = np.random.default_rng(0).normal(size=(5, 3))
    a, b, c = X.T
    layer = _built(["cos(x3)", "x2", "x3*x1", "x1^2", "sin(x2)", "x1*x2", "x3"])
    expected = np.column_stack([np.cos(c), b, c * a, a * a, np.sin(b), a * b, c])
    for training in (False, True):
        out = layer.forward(X, training)
        assert out.shape == (5, 7) and out.dtype == np.float64
        np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert layer.units == layer.output_dim(3) == 7 and layer.params == () and layer.n_params == 0
    assert layer.array_size(3) == 0 and layer.arrays == ()


def test_float32_stays_float32_in_a_network():
    X, y = plane("circle", n_samples=64)
    net = sn.Network([sn.Features(PLAYGROUND), sn.Dense(1, activation="sigmoid")], seed=0)
    net.fit(X.astype(np.float32), y, epochs=2, batch_size=16)
    assert net.dtype == np.float32 and net.layers[0].forward(X.astype(np.float32)).dtype == (
        np.float32
    )
    assert net.layers[0].forward(X.astype(np.float32), training=True).dtype == np.float32
    assert net.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "features, error, match",
    [
        (["x1", "moon"], ValueError, r"unknown feature 'moon': a feature is 'x1' \(a column\)"),
        (["x1 ^2"], ValueError, "without spaces"),
        (["sin (x1)"], ValueError, "unknown feature"),
        (["X1"], ValueError, "unknown feature"),
        (["x01"], ValueError, "unknown feature"),
        (["x0"], ValueError, r"'x0': columns are numbered from 1 \(x1, x2, ...\)"),
        (["sin(x0)"], ValueError, "numbered from 1"),
        (
            ["x1*x1"],
            ValueError,
            "a product needs two different columns; for the square write 'x1\\^2'",
        ),
        (["x1", "x2", "x1"], ValueError, "feature 'x1' repeats 'x1': list each feature once"),
        (["x1*x2", "x2*x1"], ValueError, "feature 'x2\\*x1' repeats 'x1\\*x2'"),
        ([], ValueError, "at least one feature"),
        ("x1", TypeError, "features must be a list of strings"),
        (None, TypeError, "features must be a list of strings"),
        (["x1", 2], TypeError, "each feature must be a string such as 'x1\\^2', got 2"),
    ],
)
def test_bad_specs_are_refused_saying_what_is_accepted(features, error, match):
    with pytest.raises(error, match=match):
        sn.Features(features)


def test_columns_beyond_the_input_size_are_refused():
    with pytest.raises(
        ValueError, match="feature 'x3' needs at least 3 inputs, but input_dim is 2"
    ):
        sn.Features(["x1", "x3"], input_dim=2)
    with pytest.raises(ValueError, match="'x1\\*x4' needs at least 4 inputs"):
        sn.Features(["x1*x4"], input_dim=3)
    with pytest.raises(ValueError, match="the input size is 2"):
        sn.Features(["cos(x3)"]).build(2, np.dtype(np.float64), None)
    net = sn.Network([sn.Features(["x1", "x3"]), sn.Dense(1)], seed=0)
    with pytest.raises(ValueError, match="feature 'x3' needs at least 3 inputs, but the number of"):
        net.fit(np.zeros((4, 2)), np.zeros(4))
    assert not net.built
    with pytest.raises(ValueError, match="expects 3 inputs, but the layer below gives 2"):
        sn.Features(["x1"], input_dim=3).build(2, np.dtype(np.float64), None)
    with pytest.raises(ValueError, match="layer sizes don't chain"):
        sn.Network([sn.Dense(2), sn.Features(["x1"], input_dim=3)])


def test_backward_is_the_error_times_each_feature_s_slope_summed_per_input():
    rng = np.random.default_rng(1)
    X, v = rng.normal(size=(6, 3)), rng.normal(size=(6, 7))
    layer = _built(["x1", "x2^2", "x1*x3", "sin(x2)", "cos(x3)", "x3*x2", "cos(x1)"])
    layer.forward(X, training=True)
    analytic = layer.backward(v.copy()).copy()
    eps, numeric = 1e-6, np.empty_like(X)
    for idx in np.ndindex(X.shape):
        plus, minus = X.copy(), X.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric[idx] = np.sum(v * (layer.forward(plus) - layer.forward(minus))) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)
    a, b, c = X.T
    by_hand = np.column_stack(
        [
            v[:, 0] + v[:, 2] * c - v[:, 6] * np.sin(a),
            2 * b * v[:, 1] + np.cos(b) * v[:, 3] + c * v[:, 5],
            a * v[:, 2] - np.sin(c) * v[:, 4] + b * v[:, 5],
        ]
    )
    np.testing.assert_allclose(analytic, by_hand, rtol=1e-12)
    assert layer.backward(v, error_below=False) is None
    assert layer.backward_delta(v, error_below=False) is None


def test_gradcheck_with_features_first_and_in_the_middle():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    first = sn.Network(
        [sn.Features(PLAYGROUND + ["cos(x2)"]), sn.Dense(3, activation="tanh"), sn.Dense(1)],
        loss="mse",
        seed=0,
    )
    assert sn.gradcheck(first, X, y) < 1e-6
    # In the middle its backward feeds the Dense layer below: a wrong slope would show there.
    middle = sn.Network(
        [
            sn.Dense(3, activation="tanh"),
            sn.Features(["x1", "x2^2", "x1*x3", "sin(x2)", "cos(x3)"]),
            sn.Dense(1),
        ],
        loss="mse",
        seed=0,
    )
    assert sn.gradcheck(middle, X, y) < 1e-6


def test_a_network_learns_the_circle_from_raw_points():
    X, y = plane("circle", seed=0)
    net = sn.Network(
        [
            sn.Features(PLAYGROUND),
            sn.Dense(4, activation="tanh"),
            sn.Dense(1, activation="sigmoid"),
        ],
        loss="binary_crossentropy",
        optimizer=sn.Adam(learning_rate=0.05),
        seed=0,
    )
    net.fit(X, y, epochs=50, batch_size=32)
    test_X, test_y = plane("circle", seed=1)
    assert ((net.predict(test_X)[:, 0] > 0.5) == test_y).mean() > 0.9


def _trained():
    X, y = plane("spiral", n_samples=60, noise=0.1)
    net = sn.Network(
        [
            sn.Features(["x1", "x2", "x1*x2", "cos(x1)", "sin(x2)"], name="inputs"),
            sn.Dense(5, activation="tanh"),
            sn.Dense(1, activation="sigmoid"),
        ],
        loss="binary_crossentropy",
        seed=0,
    )
    net.fit(X, y, epochs=3)
    return net, X


def test_save_and_load_predict_identically(tmp_path):
    pytest.importorskip("safetensors")
    net, X = _trained()
    net.save(tmp_path / "features.safetensors")
    loaded = sn.load(tmp_path / "features.safetensors")
    first = loaded.layers[0]
    assert isinstance(first, sn.Features) and first.features == net.layers[0].features
    assert (first.input_dim, first.name) == (2, "inputs")
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    config = net.layers[0].config()
    assert config == {
        "type": "Features",
        "name": "inputs",
        "features": ["x1", "x2", "x1*x2", "cos(x1)", "sin(x2)"],
        "input_dim": 2,
    }
    assert layers.from_config(config).terms == net.layers[0].terms
    assert layers.LAYERS["Features"] is sn.Features is layers.Features


def test_onnx_export_matches(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net, X = _trained()
    assert probe_inputs(net, 7).shape == (7, 2)
    assert net.to_onnx(tmp_path / "features.onnx") <= 1e-5
    session = ort.InferenceSession(
        str(tmp_path / "features.onnx"), providers=["CPUExecutionProvider"]
    )
    theirs = session.run(None, {"X": X.astype(np.float32)})[0]
    np.testing.assert_allclose(theirs, net.predict(X), atol=1e-5)
    ops = [node.op_type for node in onnx.load(str(tmp_path / "features.onnx")).graph.node]
    assert ops[:6] == ["Gather", "Gather", "Mul", "Cos", "Sin", "Concat"]


def test_onnx_export_of_features_alone(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    net = sn.Network([sn.Features(["x2", "x1^2", "cos(x3)"])], loss="mse").build(3)
    assert net.to_onnx(tmp_path / "alone.onnx") <= 1e-5


def test_summary_shows_it_and_trace_refuses_it():
    net, X = _trained()
    lines = []
    net.summary(print_fn=lines.append)
    assert "inputs (Features)  (None, 5)" in lines[0]
    with pytest.raises(ValueError, match="'inputs' is a Features"):
        net.trace(X, np.zeros(len(X)), print_fn=None)
