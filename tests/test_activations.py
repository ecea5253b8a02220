"""The activations beyond the tutorial's: elu, selu, softplus, silu (swish), gelu, mish.

For each: backprop against finite differences, forward values against NumPy formulas and
reference values, float32 end to end, saving, ONNX export, the trace's slope, learning, and
extreme inputs.
"""

import math

import numpy as np
import pytest

import smallnet as sn
from smallnet import activations
from smallnet.trace import SLOPES

SELU_ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. (2017)
SELU_SCALE = 1.0507009873554804934193349852946

NEW = [
    "elu",
    {"name": "elu", "alpha": 0.5},
    "selu",
    "softplus",
    "silu",
    "swish",
    "gelu",
    {"name": "gelu", "approximate": True},
    "mish",
]


def _id(activation):
    if isinstance(activation, str):
        return activation
    return "-".join(f"{k}={v}" for k, v in activation.items() if k != "name").join(
        [activation["name"] + "(", ")"]
    )


new_activations = pytest.mark.parametrize("activation", NEW, ids=[_id(a) for a in NEW])

erf = np.vectorize(math.erf)


def _formula(activation, z):
    """Each activation written straight from its definition, in float64 (moderate z only)."""
    act = activations.get(activation)
    name = act.name
    if name == "elu":
        return np.where(z > 0, z, act.alpha * (np.exp(z) - 1))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * (np.exp(z) - 1))
    if name == "softplus":
        return np.log(1 + np.exp(z))
    if name == "silu":
        return z / (1 + np.exp(-z))
    if name == "mish":
        return z * np.tanh(np.log(1 + np.exp(z)))
    assert name == "gelu"
    if act.approximate:
        return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
    return 0.5 * z * (1 + erf(z / np.sqrt(2)))


# Values at z = -3, -1, 0.5, 2, to 17 digits (computed with 30-digit arithmetic).
REFERENCE = {
    "elu": [-0.95021293163213606, -0.63212055882855768, 0.5, 2.0],
    "selu": [-1.670568728767112, -1.1113307378125628, 0.52535049367774025, 2.101401974710961],
    "softplus": [
        0.048587351573742059,
        0.31326168751822283,
        0.97407698418010668,
        2.1269280110429725,
    ],
    "silu": [-0.14227761953270034, -0.26894142136999512, 0.31122966560092728, 1.7615941559557649],
    "swish": [-0.14227761953270034, -0.26894142136999512, 0.31122966560092728, 1.7615941559557649],
    "gelu": [-0.0040496940948902836, -0.15865525393145705, 0.34573123063700655, 1.9544997361036416],
    "gelu(approximate=True)": [
        -0.0036373920817730188,
        -0.1588080093917233,
        0.34571400982514392,
        1.954597694087775,
    ],
    "mish": [-0.14564746127562459, -0.30340146137410892, 0.3752452113048951, 1.9439589595339945],
}


def _data(n=24, features=3, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, features)).astype(dtype)
    y = (np.sin(X[:, :1] * 2) + X[:, 1:2] ** 2 / 2).astype(dtype)
    return X, y


def _net(activation, seed=0, dtype="float64", units=5, learning_rate=0.01):
    return sn.Network(
        [sn.Dense(units, activation=activation), sn.Dense(1)],
        loss="mse",
        optimizer=sn.Adam(learning_rate=learning_rate),
        seed=seed,
        dtype=dtype,
    )


# -- gradients -----------------------------------------------------------------------------------


@new_activations
def test_gradcheck(activation):
    net = _net(activation).build(3)
    net.layers[0].bias[:] = np.random.RandomState(1).normal(scale=0.5, size=5)
    X, y = _data(n=8)
    z = X @ net.layers[0].weights + net.layers[0].bias
    # elu (alpha != 1) and selu have a kink at 0: keep the finite differences off it.
    assert np.abs(z).min() > 1e-3
    assert sn.gradcheck(net, X, y) < 1e-6


@new_activations
def test_slope_matches_finite_differences_over_a_wide_range(activation):
    act = activations.get(activation)
    z = np.linspace(-12, 12, 2001).reshape(1, -1) + 1e-3  # off the kink at 0
    delta = act.backward(act.forward(z.copy()), np.ones_like(z))
    eps = 1e-6
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


def test_one_instance_in_two_layers_is_refused_rather_than_given_wrong_gradients():
    shared = activations.GELU()
    net = sn.Network([sn.Dense(4, activation=shared), sn.Dense(3, activation=shared), sn.Dense(1)])
    X, y = _data()
    with pytest.raises(ValueError, match="shared by several layers"):
        net.fit(X, y, epochs=1)


# -- forward values ------------------------------------------------------------------------------


@new_activations
def test_forward_matches_the_formula(activation):
    z = np.linspace(-6, 6, 1200).reshape(3, -1)
    out = activations.get(activation).forward(z.copy())
    np.testing.assert_allclose(out, _formula(activation, z), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("activation", [a for a in NEW if _id(a) in REFERENCE], ids=_id)
def test_forward_matches_reference_values(activation):
    z = np.array([[-3.0, -1.0, 0.5, 2.0]])
    out = activations.get(activation).forward(z)
    np.testing.assert_allclose(out[0], REFERENCE[_id(activation)], rtol=1e-15, atol=1e-16)


def test_normal_cdf_against_math_erfc():
    z = np.concatenate([np.linspace(-10, 10, 20001), [-37.5, 0.0, 8.3, 40.0]])
    expected = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z])
    # z / sqrt(2) rounds: a relative change of 1e-16 in it moves Phi(z) by up to z**2 * 1e-16.
    relative = np.abs(activations.normal_cdf(z) - expected) / expected
    assert (relative <= 1e-15 * (1 + z**2)).all()
    z32 = z.astype(np.float32)[np.abs(z) < 9]
    got = activations.normal_cdf(z32)
    assert got.dtype == np.float32
    expected32 = np.array([0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in z32])
    relative = np.abs(got - expected32) / expected32
    assert (relative <= 1e-7 * (8 + z32.astype(float) ** 2)).all()
    assert activations.normal_cdf(np.array([-40.0]))[0] == 0.0  # underflows, never negative
    assert np.isnan(activations.normal_cdf(np.array([np.nan]))).all()


def test_gelu_keeps_relative_accuracy_in_the_lower_tail():
    # 1 + erf(z / sqrt(2)) would cancel to 0 here; the value is -7.6198530164865031e-23.
    out = activations.GELU().forward(np.array([[-10.0]]))
    assert out[0, 0] == pytest.approx(-7.6198530164865031e-23, rel=1e-13)


def test_names_parameters_and_validation():
    assert isinstance(activations.get("swish"), activations.SiLU)
    assert activations.get("swish").config() == {"name": "silu"}
    assert activations.get({"name": "gelu", "approximate": True}).approximate is True
    assert activations.get("gelu").config() == {"name": "gelu", "approximate": False}
    assert activations.get({"name": "elu", "alpha": 0.5}).config() == {"name": "elu", "alpha": 0.5}
    assert repr(activations.ELU(2)) == "ELU(alpha=2.0)"
    with pytest.raises(ValueError, match="alpha must be > 0, got -1"):
        activations.ELU(alpha=-1)
    with pytest.raises(TypeError, match="approximate must be True or False"):
        activations.GELU(approximate="yes")
    for name in ("elu", "selu", "softplus", "silu", "swish", "gelu", "mish"):
        assert name in activations.ACTIVATIONS
        assert activations.get(name).outputs == "real"


# -- float32, saving, ONNX, trace ------------------------------------------------------------------


@new_activations
def test_float32_end_to_end(activation):
    X, y = _data(dtype=np.float32)
    net = _net(activation, dtype="float32")
    history = net.fit(X, y, epochs=3, batch_size=8)
    assert all(np.isfinite(history.history["loss"]))
    assert net.predict(X).dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.params)
    out = net.forward(X, training=True)
    assert out.dtype == np.float32
    net.backward(y, out)
    assert all(s.dtype == np.float32 for layer in net.layers for s in layer.steps)


@new_activations
def test_save_and_load_round_trip_is_bit_exact(tmp_path, activation):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net(activation)
    net.fit(X, y, epochs=3, batch_size=8)
    path = tmp_path / "model.safetensors"
    net.save(path)
    loaded = sn.load(path)
    assert loaded.layers[0].activation.config() == activations.get(activation).config()
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()


@new_activations
def test_onnx_export_matches(tmp_path, activation):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    X, y = _data(dtype=np.float32)
    net = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(8, activation=activation),
            sn.Dense(4, activation=activation, use_bias=False),
            sn.Dense(2, activation=activation),
        ],
        seed=1,
        dtype="float32",
    ).build()
    assert 0 <= net.to_onnx(tmp_path / "model.onnx") <= 1e-5


@new_activations
def test_trace_shows_the_slope_formula(activation):
    X, y = _data(n=4)
    net = _net(activation, units=2)
    name = activations.get(activation).name
    text = net.trace(X, y, print_fn=None).text
    assert f"l1_slope = {SLOPES[name].format(l='l1')}" in text
    assert f"({name}'s slope)" in text


# -- learning and extremes -----------------------------------------------------------------------


@new_activations
def test_training_learns_and_is_deterministic(activation):
    X, y = _data(n=64)
    runs = []
    for _ in range(2):
        net = _net(activation, seed=3, units=8, learning_rate=0.03)
        losses = net.fit(X, y, epochs=40, batch_size=16).history["loss"]
        runs.append((losses, net.get_weights()))
    (losses, weights), (again, weights_again) = runs
    assert losses[-1] < 0.6 * losses[0]
    assert losses == again
    for a, b in zip(weights, weights_again):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@new_activations
def test_extreme_inputs_are_finite_without_warnings(activation, dtype):
    # A warning (overflow in exp, say) would fail the test: pytest turns warnings into errors.
    z = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 1.0]], dtype=dtype)
    net = sn.Network([sn.Dense(3, input_dim=3, activation=activation, use_bias=False)], dtype=dtype)
    net.build().set_weights([np.eye(3)])
    out = net.predict(z)
    assert out.dtype == dtype and np.isfinite(out).all()
    scale = SELU_SCALE if activations.get(activation).name == "selu" else 1.0
    assert out[0, 1] == pytest.approx(1000 * scale, rel=1e-6)  # all are linear far above 0
    act = net.layers[0].activation
    slope = act.backward(net.layers[0].forward(z), np.ones_like(z))
    assert slope.dtype == dtype and np.isfinite(slope).all()
    # training steps outside fit are not shielded from overflow warnings either
    net.train_step(z, np.zeros_like(z))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_and_mish_are_stable_far_out(dtype):
    z = np.array([[-1000.0, 1000.0, -1e30, 1e30]], dtype=dtype)
    softplus = activations.Softplus()
    out = softplus.forward(z.copy())
    np.testing.assert_array_equal(out, np.array([[0.0, 1000.0, 0.0, 1e30]], dtype=dtype))
    slope = softplus.backward(out, np.ones_like(out))
    np.testing.assert_array_equal(slope, [[0.0, 1.0, 0.0, 1.0]])
    mish = activations.Mish()
    out = mish.forward(z.copy())
    np.testing.assert_array_equal(out, np.array([[0.0, 1000.0, 0.0, 1e30]], dtype=dtype))
    slope = mish.backward(out, np.ones_like(out))
    np.testing.assert_array_equal(slope, [[0.0, 1.0, 0.0, 1.0]])
    assert out.dtype == slope.dtype == dtype
