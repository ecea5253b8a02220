"""Backprop agrees with finite differences for every activation, loss and depth."""

import itertools

import numpy as np
import pytest

import smallnet as sn
from smallnet.activations import ACTIVATIONS

ACTIVATION_NAMES = sorted(set(ACTIVATIONS) - {"linear"})
# Cross-entropies need probabilities (Network refuses other outputs): in [0, 1], summing to 1 for
# categorical.
OUTPUTS = {
    "sse": ACTIVATION_NAMES,
    "mse": ACTIVATION_NAMES,
    "binary_crossentropy": ["sigmoid", "softmax"],
    "categorical_crossentropy": ["softmax"],
}
CASES = [
    (hidden, output, loss, bias, depth)
    for loss, outputs in OUTPUTS.items()
    for output in outputs
    for hidden, bias, depth in itertools.product(ACTIVATION_NAMES, (True, False), (1, 2, 3))
]


def _data(loss, n_out, seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(6, 3))
    if loss == "categorical_crossentropy":
        y = np.eye(n_out)[rng.randint(n_out, size=6)]
    elif loss == "binary_crossentropy":
        y = rng.randint(2, size=(6, n_out)).astype(float)
    else:
        y = rng.normal(size=(6, n_out))
    return X, y


@pytest.mark.parametrize("hidden,output,loss,bias,depth", CASES)
def test_gradcheck(hidden, output, loss, bias, depth):
    layers = [sn.Dense(4 - i % 2, activation=hidden, use_bias=bias) for i in range(depth)]
    layers.append(sn.Dense(3, activation=output, use_bias=bias))
    net = sn.Network(layers, loss=loss, seed=3).build(3)
    rng = np.random.RandomState(depth)
    for layer in net.layers:  # a bias of exactly 0 would put rows of dead ReLUs on the kink
        if layer.use_bias:
            layer.bias[:] = rng.normal(scale=0.5, size=layer.bias.shape)
    for seed in range(
        20
    ):  # data whose pre-activations keep off the ReLU kinks by more than epsilon
        X, y = _data(loss, 3, seed=seed)
        if _distance_to_kinks(net, X) > 1e-3:
            break
    assert sn.gradcheck(net, X, y) < 1e-6


def _distance_to_kinks(net, X):
    distance = np.inf
    for layer in net.layers:
        z = X @ layer.weights + (layer.bias if layer.use_bias else 0)
        if layer.activation.name in ("relu", "leaky_relu"):
            distance = min(distance, np.abs(z).min())
        X = layer.activation.forward(z)
    return distance


def test_gradcheck_finds_a_wrong_gradient():
    class Broken(sn.Sigmoid):
        def backward(self, out, error):
            return super().backward(out, error) * 1.01

    net = sn.Network([sn.Dense(3, activation=Broken()), sn.Dense(1)], loss="mse", seed=0)
    X, y = _data("mse", 1, 0)
    assert sn.gradcheck(net, X, y) > 1e-3


def test_gradcheck_leaves_weights_unchanged():
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dense(2)], loss="mse", seed=0)
    X, y = _data("mse", 2, 0)
    net.build(3)
    before = [p.copy() for p in net.params]
    sn.gradcheck(net, X, y)
    for a, b in zip(before, net.params):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_backward_matches_finite_differences(name):
    """Each activation's slope, alone: d(sum(v * f(z)))/dz by central differences."""
    rng = np.random.RandomState(1)
    act = sn.activations.get(name)
    z = rng.normal(size=(4, 5))
    v = rng.normal(size=(4, 5))
    delta = act.backward(act.forward(z.copy()), v.copy())
    eps = 1e-6
    numeric = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (np.sum(v * act.forward(zp)) - np.sum(v * act.forward(zm))) / (2 * eps)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


def test_gradcheck_with_another_loss_puts_the_network_s_back():
    net = sn.Network(
        [sn.Dense(3, activation="tanh"), sn.Dense(2, activation="sigmoid")], loss="mse", seed=0
    )
    X, y = _data("binary_crossentropy", 2, 0)
    assert sn.gradcheck(net, X, y, loss="binary_crossentropy") < 1e-6
    assert net.loss.name == "mse" and not net.fused


def test_changing_the_loss_after_building_updates_the_fusion():
    net = sn.Network([sn.Dense(2, activation="softmax")], loss="mse", seed=0).build(3)
    net.loss = "categorical_crossentropy"
    assert net.fused
    X, y = _data("categorical_crossentropy", 2, 1)
    assert sn.gradcheck(net, X, y) < 1e-6


def test_gradcheck_refuses_non_finite_weights_rather_than_scoring_them_perfect():
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dense(1)], loss="mse", seed=0).build(3)
    net.layers[1].bias[0] = np.nan  # set_weights refuses NaN; writing into the arrays does not
    X, y = _data("mse", 1, 0)
    with pytest.raises(ValueError, match=r"weights are not finite: weights\[3\] holds NaN or inf"):
        sn.gradcheck(net, X, y)


def test_gradcheck_refuses_gradients_that_overflow():
    net = sn.Network([sn.Dense(2)], loss="sse", seed=0).build(3)
    X, y = _data("sse", 2, 0)
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(ValueError, match=r"backpropagated gradient of weights\[0\] is not finite"),
    ):
        sn.gradcheck(net, X * 1e300, y)
