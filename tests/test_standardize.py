"""The Standardize layer: input scaling that travels inside the network."""

import numpy as np
import pytest

import smallnet as sn


def test_from_data_centres_and_scales_and_leaves_constant_features_unscaled():
    X = np.array([[1.0, 5.0, 3.0], [3.0, 5.0, 7.0], [5.0, 5.0, 2.0]])
    layer = sn.Standardize.from_data(X)
    np.testing.assert_array_equal(layer.scale[1], 1.0)
    out = layer.forward(X)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(out.std(axis=0), [1, 0, 1])
    assert np.array_equal(X[:, 0], [1.0, 3.0, 5.0])  # the caller's data is not overwritten


def test_network_with_standardize_learns_badly_scaled_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 2)) * [1e-3, 1e3] + [5, -2000]
    y = ((X[:, 0] - 5) * 1e3 + (X[:, 1] + 2000) * 1e-3 > 0).astype(float)
    net = sn.Network(
        [sn.Standardize.from_data(X), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.Adam(0.1),
        metrics=["accuracy"],
        seed=0,
    )
    net.fit(X, y, epochs=100)
    assert net.evaluate(X, y)["accuracy"] > 0.95
    assert net.params == net.layers[1].params  # nothing to train in Standardize


def test_gradients_pass_through_a_standardize_between_layers():
    rng = np.random.RandomState(1)
    X, y = rng.normal(size=(8, 3)), rng.uniform(size=(8, 2))
    net = sn.Network(
        [
            sn.Dense(4, activation="tanh"),
            sn.Standardize([0.5, -1, 0, 2], [2, 0.5, 1, 3]),
            sn.Dense(2, activation="sigmoid"),
        ],
        loss="mse",
        seed=0,
    )
    assert sn.gradcheck(net, X, y) < 1e-7


def test_float32_network_casts_mean_and_scale():
    X = np.random.RandomState(0).normal(size=(10, 2)).astype(np.float32)
    net = sn.Network([sn.Standardize.from_data(X.astype(np.float64)), sn.Dense(1)], seed=0)
    net.fit(X, X[:, :1], epochs=1)
    assert net.layers[0].mean.dtype == np.float32 and net.predict(X).dtype == np.float32


@pytest.mark.parametrize(
    "mean,scale,match",
    [
        ([0, 0], [1, 0], "scale must be > 0 everywhere, got 0 at feature 1"),
        ([0, 0], [1, -2], "scale must be > 0"),
        ([0, 0], [1, 1, 1], r"same shape, got \(2,\) and \(3,\)"),
        ([0, np.nan], [1, 1], r"mean contains NaN or inf \(first at index 1: nan\)"),
        ([1, 1], [np.inf, 1], r"scale contains NaN or inf \(first at index 0: inf\)"),
    ],
)
def test_invalid_mean_or_scale(mean, scale, match):
    with pytest.raises(ValueError, match=match):
        sn.Standardize(mean, scale)


def test_width_must_match_the_data():
    net = sn.Network([sn.Standardize([0, 0], [1, 1]), sn.Dense(1)], seed=0)
    with pytest.raises(ValueError, match="X has 3 features.*expects input_dim=2"):
        net.fit(np.ones((4, 3)), np.ones(4))
    with pytest.raises(
        ValueError, match="'standardize_1' expects 2 inputs, but 'dense_0' below it has 3 units"
    ):
        sn.Network([sn.Dense(3, input_dim=2), sn.Standardize([0, 0], [1, 1])]).build()


def test_inverted_standardize_undoes_it_and_passes_gradients():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 9.0]])
    layer, inverse = sn.Standardize.from_data(X), sn.Standardize.from_data(X, invert=True)
    np.testing.assert_allclose(inverse.forward(layer.forward(X)), X)
    np.testing.assert_allclose(
        inverse.backward(np.ones((3, 2))), np.broadcast_to(inverse.scale, (3, 2))
    )
    net = sn.Network(
        [
            sn.Dense(2, input_dim=2, activation="tanh"),
            sn.Standardize([1.0, -2.0], [3.0, 0.5], invert=True),
        ],
        loss="mse",
        seed=0,
    )
    assert sn.gradcheck(net, X, X * 2) < 1e-7


def test_predicting_in_the_targets_units_after_training_on_standardized_targets(tmp_path):
    """What the CLI does for regression: targets of size 1e5 train as well as targets of size 1."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = 3e5 + 1e5 * (X[:, :1] - 0.5 * X[:, 1:])
    targets = sn.Standardize.from_data(y, invert=True)
    net = sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dense(1)],
        loss="mse",
        optimizer=sn.Adam(0.05),
        metrics=["r2"],
        seed=0,
    )
    net.fit(X, (y - targets.mean) / targets.scale, epochs=200, batch_size=32)
    assert net.add(targets) is net and net.layers[-1].name == "standardize_2"
    assert net.evaluate(X, y)["r2"] > 0.99
    assert np.abs(net.predict(X) - y).mean() < 0.05 * targets.scale[0]  # in the targets' units
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.layers[-1].invert
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    onnx = pytest.importorskip("onnxruntime")
    assert onnx and net.to_onnx(tmp_path / "m.onnx") < 1e-6 * 3e5


def test_add_rules():
    net = sn.Network([sn.Dense(2, input_dim=3)], loss="mse", seed=0)
    net.add(sn.Dense(1, activation="sigmoid"))  # anything before the first fit
    assert [layer.name for layer in net.layers] == ["dense_0", "dense_1"]
    with pytest.raises(
        ValueError,
        match="layer sizes don't chain: 'standardize_2' expects 2 inputs, but 'dense_1' "
        "below it has 1 units",
    ):
        net.add(sn.Standardize([0, 0], [1, 1], name="standardize_2"))
    net.build()
    with pytest.raises(
        ValueError, match="the network is built: only a layer with nothing to train"
    ):
        net.add(sn.Dense(1))
    classifier = sn.Network(
        [sn.Dense(2, input_dim=3, activation="softmax")], loss="categorical_crossentropy"
    )
    with pytest.raises(ValueError, match="needs a last layer with a softmax activation"):
        classifier.add(sn.Dropout(0.5))
    assert len(classifier.layers) == 1 and classifier.layers[0].activation.name == "softmax"
    with pytest.raises(ValueError, match="already belongs to another network"):
        net.add(classifier.layers[0])


def test_values_too_large_to_standardize_name_the_column():
    with pytest.raises(
        ValueError, match="column 1 of X holds values too large to standardize \\(up to 1e\\+300"
    ):
        sn.Standardize.from_data([[0.0, 1e300], [1.0, -1e300]])
