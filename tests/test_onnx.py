"""ONNX export: every layer and activation type runs in onnxruntime and matches smallnet."""

import json

import numpy as np
import pytest

import smallnet as sn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

ACTIVATIONS = [
    "sigmoid",
    "tanh",
    "relu",
    {"name": "leaky_relu", "alpha": 0.3},
    "softmax",
    "identity",
    "linear",
]


def _run(path, X):
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"X": X.astype(np.float32)})[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_parity_with_smallnet_for_every_activation(tmp_path, activation, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * [1, 10, 100, 0.1, 1] + [0, -5, 50, 3, 0]
    X[:, 4] = 7.0  # a constant feature: its scale is 1, not a division by zero
    net = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(8, activation=activation),
            sn.Dense(6, activation=activation, use_bias=False),
            sn.Dense(3, activation=activation),
        ],
        seed=1,
        dtype=dtype,
    ).build()
    net.metadata = {"task": "classification", "classes": ["a", "b", "c"]}
    path = tmp_path / "model.onnx"
    reported = net.to_onnx(path)
    assert 0 <= reported <= 1e-5
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert json.loads({p.key: p.value for p in model.metadata_props}["classes"]) == ["a", "b", "c"]
    assert [i.name for i in model.graph.input] == ["X"] and [
        o.name for o in model.graph.output
    ] == ["Y"]
    probe = rng.normal(size=(300, 5)) * X.std(axis=0).clip(1) * 3 + X.mean(
        axis=0
    )  # beyond the data's range too
    probe = probe.astype(np.float32)
    ours = net.predict(probe.astype(dtype))
    theirs = _run(path, probe)
    assert theirs.dtype == np.float32 and theirs.shape == ours.shape
    # The graph is float32: a float32 network matches to 1e-5; a float64 one to float32 rounding of
    # its outputs.
    tolerance = 1e-5 if dtype == "float32" else 1e-5 * max(1.0, np.max(np.abs(ours)))
    assert np.max(np.abs(theirs - ours)) <= tolerance


def test_tutorial_network_without_bias_or_standardization(tmp_path):
    from smallnet import datasets, tutorial

    X, y = datasets.tutorial()
    net = tutorial.network(hidden=(4,))
    net.fit(X, y, epochs=1000)
    assert net.to_onnx(tmp_path / "t.onnx") <= 1e-5
    np.testing.assert_allclose(_run(tmp_path / "t.onnx", X), net.predict(X), atol=1e-6)
    ops = [node.op_type for node in onnx.load(str(tmp_path / "t.onnx")).graph.node]
    assert ops == ["MatMul", "Sigmoid", "MatMul", "Sigmoid"]


def test_loaded_model_exports_the_same_graph(tmp_path):
    pytest.importorskip("safetensors")
    X = np.random.RandomState(2).normal(size=(30, 3))
    net = sn.Network(
        [sn.Standardize.from_data(X), sn.Dense(4, activation="relu"), sn.Dense(1)], seed=0
    ).build()
    net.save(tmp_path / "m.safetensors")
    net.to_onnx(tmp_path / "a.onnx")
    sn.load(tmp_path / "m.safetensors").to_onnx(tmp_path / "b.onnx")
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes()


def test_unbuilt_or_unexportable_networks_write_nothing(tmp_path):
    with pytest.raises(RuntimeError, match="no weights yet"):
        sn.Network([sn.Dense(2)]).to_onnx(tmp_path / "x.onnx")

    class Cube(sn.Layer):
        units = input_dim = 2

        def build(self, input_dim, dtype, rng):
            pass

    with pytest.raises(ValueError, match="no ONNX export for Cube layers"):
        sn.Network([Cube(), sn.Dense(1)]).build().to_onnx(tmp_path / "x.onnx")
    assert list(tmp_path.iterdir()) == []


def test_dropout_exports_as_identity(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3)).astype(np.float32)
    net = sn.Network(
        [sn.Dense(6, activation="relu"), sn.Dropout(0.5), sn.Dense(2, activation="softmax")],
        loss="categorical_crossentropy",
        seed=0,
    )
    net.fit(X, np.eye(2, dtype=np.float32)[(X[:, 0] > 0).astype(int)], epochs=3)
    assert net.to_onnx(tmp_path / "m.onnx") <= 1e-5
    loaded = sn.load(_saved(net, tmp_path))
    assert loaded.layers[1].rate == 0.5
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def _saved(net, tmp_path):
    net.save(tmp_path / "m.safetensors")
    return tmp_path / "m.safetensors"


def test_metadata_with_numpy_values_is_exported_and_bad_metadata_is_named(tmp_path):
    net = sn.Network([sn.Dense(2, input_dim=3, activation="softmax")], seed=0).build()
    net.metadata = {"classes": np.array(["a", "b"]), "n": np.int64(3)}
    net.to_onnx(tmp_path / "m.onnx")
    props = {p.key: json.loads(p.value) for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert props == {"classes": ["a", "b"], "n": 3}
    net.metadata = {"classes": {"a", "b"}}
    with pytest.raises(TypeError, match=r"metadata\['classes'\] is not JSON-able"):
        net.to_onnx(tmp_path / "bad.onnx")
    assert not (tmp_path / "bad.onnx").exists()


@pytest.mark.parametrize(
    "opset,error,match",
    [
        (11, ValueError, "opset must be >= 13, got 11"),
        (999, ValueError, "opset must be <= "),
        ("17", TypeError, "opset must be an integer, got '17'"),
    ],
)
def test_opset_is_checked(tmp_path, opset, error, match):
    net = sn.Network(
        [sn.Dense(2, input_dim=3, activation="softmax")], loss="categorical_crossentropy"
    ).build()
    with pytest.raises(error, match=match):
        net.to_onnx(tmp_path / "m.onnx", opset=opset)
    assert list(tmp_path.iterdir()) == []


def test_weights_beyond_float32_are_refused(tmp_path):
    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", seed=0).build()
    net.set_weights([np.array([[1e39], [0.0]]), np.array([0.0])])
    with pytest.raises(
        ValueError, match="layers.0.weights holds 1e\\+39, beyond float32 .*can't export"
    ):
        net.to_onnx(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
