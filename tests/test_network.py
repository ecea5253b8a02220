"""Network behaviour: determinism, dtypes, validation, numerics, optimizers, summary."""

import copy
import gc
import os
import pickle

import numpy as np
import pytest

import smallnet as sn
from smallnet import activations, datasets, losses
from smallnet.scale_check import UnscaledInputWarning


def _blobs(n=60, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2)).astype(dtype)
    y = (X[:, :1] + X[:, 1:] > 0).astype(dtype)
    return X, y


def _net(seed=0, **kw):
    return sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=kw.pop("optimizer", "adam"),
        seed=seed,
        **kw,
    )


# -- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_bit_identical_weights():
    X, y = _blobs()
    a, b = _net(seed=7), _net(seed=7)
    a.fit(X, y, epochs=20, batch_size=16)
    b.fit(X, y, epochs=20, batch_size=16)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_different_seeds_differ():
    X, y = _blobs()
    a, b = _net(seed=1), _net(seed=2)
    a.fit(X, y, epochs=2)
    b.fit(X, y, epochs=2)
    assert not np.array_equal(a.params[0], b.params[0])


def test_global_random_state_untouched():
    X, y = _blobs()
    state = np.random.get_state()[1].copy()
    _net(seed=None).fit(X, y, epochs=3, batch_size=8)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_generator_instances_are_accepted():
    X, y = _blobs()
    _net(seed=np.random.default_rng(3)).fit(X, y, epochs=2, batch_size=8)
    _net(seed=np.random.RandomState(3)).fit(X, y, epochs=2, batch_size=8)


# -- training ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer",
    [
        sn.SGD(learning_rate=0.5),
        sn.SGD(learning_rate=0.1, momentum=0.9),
        sn.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        sn.Adam(0.05),
    ],
)
def test_optimizers_learn_a_separable_problem(optimizer):
    X, y = _blobs(seed=1)
    net = _net(optimizer=optimizer, metrics=["accuracy"])
    history = net.fit(X, y, epochs=100)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert net.evaluate(X, y)["accuracy"] >= 0.95


def test_xor_needs_a_hidden_layer_and_learns_with_one():
    X, y = datasets.xor()
    net = sn.Network(
        [sn.Dense(4, activation="tanh"), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )
    net.fit(X, y, epochs=500)
    np.testing.assert_array_equal(net.predict(X) > 0.5, y > 0.5)


def test_momentum_matches_hand_computation():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([[1.0], [0.0]])
    net = sn.Network(
        [sn.Dense(1, use_bias=False)], loss="sse", optimizer=sn.SGD(0.1, momentum=0.5), seed=0
    )
    net.build(2)
    w = net.layers[0].weights.copy()
    v = np.zeros_like(w)
    for _ in range(3):
        step = X.T @ (y - X @ w)
        v = 0.5 * v + 0.1 * step
        w = w + v
        net.fit(X, y, epochs=1)
    np.testing.assert_allclose(net.layers[0].weights, w, rtol=1e-12)


def test_adam_matches_hand_computation():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([[1.0], [0.0]])
    net = sn.Network([sn.Dense(1, use_bias=False)], loss="sse", optimizer=sn.Adam(0.01), seed=0)
    net.build(2)
    w = net.layers[0].weights.copy()
    m = v = np.zeros_like(w)
    for t in range(1, 4):
        g = -(X.T @ (y - X @ w))
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * (m / (1 - 0.9**t)) / (
            np.sqrt(v / (1 - 0.999**t)) + 1e-8 / np.sqrt(1 - 0.999**t)
        )
        net.fit(X, y, epochs=1)
    np.testing.assert_allclose(net.layers[0].weights, w, rtol=1e-10)


def test_minibatches_cover_every_row_and_average_the_loss():
    X, y = _blobs(n=50)
    net = _net(metrics=["accuracy"])
    seen = []

    class Count(sn.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(len(self.network.layers[0].input))

    history = net.fit(X, y, epochs=1, batch_size=16, callbacks=[Count()])
    assert seen == [16, 16, 16, 2]
    assert len(history["loss"]) == 1 and 0 <= history["accuracy"][0] <= 1


def test_history_records_every_epoch_and_log_every_prints(capsys):
    X, y = _blobs()
    history = _net(metrics=["accuracy", "mae"]).fit(X, y, epochs=5, log_every=2)
    assert set(history.history) == {"loss", "accuracy", "mae"}
    assert history.epoch == [0, 1, 2, 3, 4]
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["epoch 1/5", "epoch 3/5", "epoch 5/5"]
    assert "\x1b" not in "".join(lines) and "\r" not in "".join(lines)


def test_callback_can_stop_training():
    class StopAt3(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.network.stop_training = True

    X, y = _blobs()
    assert len(_net().fit(X, y, epochs=10, callbacks=[StopAt3()])["loss"]) == 3


def test_fit_continues_from_current_weights():
    X, y = _blobs()
    net = _net()
    first = net.fit(X, y, epochs=30)["loss"][-1]
    assert net.fit(X, y, epochs=1)["loss"][0] <= first * 1.05


def test_evaluate_and_predict_shapes():
    X, y = _blobs()
    net = _net(metrics=["accuracy"])
    net.fit(X, y.ravel(), epochs=2)  # 1-D y is one output column
    assert net.predict(X).shape == (60, 1)
    result = net.evaluate(X, y)
    assert set(result) == {"loss", "accuracy"}


def test_softmax_classifier_with_categorical_crossentropy():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    labels = np.digitize(X[:, 0], [-0.5, 0.5])
    y = np.eye(3)[labels]
    net = sn.Network(
        [
            sn.Dense(16, activation="relu", initializer="he_normal"),
            sn.Dense(3, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.05),
        metrics=["accuracy"],
        seed=0,
    )
    net.fit(X, y, epochs=200)
    assert net.evaluate(X, y)["accuracy"] > 0.95
    np.testing.assert_allclose(net.predict(X).sum(axis=1), 1.0)


# -- dtypes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam", sn.SGD(0.1, momentum=0.9, nesterov=True)])
def test_float32_data_stays_float32(optimizer):
    X, y = _blobs(dtype=np.float32)
    net = _net(optimizer=optimizer, metrics=["accuracy"])
    history = net.fit(X, y, epochs=3, batch_size=16)
    assert all(p.dtype == np.float32 for p in net.params)
    assert all(s.dtype == np.float32 for layer in net.layers for s in layer.steps)
    assert history.last_output.dtype == np.float32
    assert net.predict(X).dtype == np.float32
    opt = net.optimizer
    state = (
        opt.velocities or []
        if isinstance(opt, sn.SGD)
        else [a for pair in opt.moments for a in pair]
    )
    assert all(a.dtype == np.float32 for a in state)


def test_network_dtype_float32_casts_float64_data():
    X, y = _blobs()
    net = _net(dtype="float32")
    net.fit(X, y, epochs=2)
    assert net.params[0].dtype == np.float32 and net.predict(X).dtype == np.float32


def test_default_dtype_is_float64_for_int_data():
    X, y = datasets.tutorial()
    net = _net()
    net.fit(X.astype(int), y.astype(int), epochs=1)
    assert net.params[0].dtype == np.float64


# -- numerics ----------------------------------------------------------------------------------


def _activated(name, z):
    """`name` applied to z through a network (one Dense layer with identity weights),
    as users meet it."""
    net = sn.Network([sn.Dense(z.shape[1], activation=name, use_bias=False)], dtype=z.dtype, seed=0)
    net.build(z.shape[1])
    net.set_weights([np.eye(z.shape[1])])
    return net, net.predict(z)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "softmax", "tanh", "relu", "leaky_relu", "identity"])
def test_activations_at_extreme_inputs_are_finite_without_warnings(name, dtype):
    # The test run turns warnings into errors: a sigmoid's exp(-z) overflows at z = -1000, which the
    # network silences, since the output there is exactly 0.
    z = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 1.0]], dtype=dtype)
    net, out = _activated(name, z)
    assert np.isfinite(out).all() and out.dtype == dtype
    if name == "sigmoid":
        np.testing.assert_array_equal(out[:, :2], [[0, 1], [1, 0]])
    assert np.isfinite(net.layers[0].activation.backward(out, np.ones_like(out))).all()
    with pytest.warns(UnscaledInputWarning):  # the one warning: training at such inputs is quiet
        net.fit(z, np.clip(out, 0, 1), epochs=1)
    net.trace(z, np.clip(out, 0, 1), print_fn=None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "loss,output",
    [
        ("binary_crossentropy", "sigmoid"),
        ("categorical_crossentropy", "softmax"),
        ("binary_crossentropy", "softmax"),
        ("categorical_crossentropy", "sigmoid"),
    ],
)
def test_crossentropies_at_extreme_logits_are_finite(loss, output, dtype):
    _, out = _activated(output, np.array([[-1000.0, 1000.0], [1000.0, -1000.0]], dtype=dtype))
    y = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    fn = losses.get(loss)
    assert np.isfinite(fn(y, out))
    assert np.isfinite(fn.error(y, out)).all()
    assert np.isfinite(fn.delta(y, out)).all()


def test_training_with_huge_inputs_stays_finite():
    X, y = _blobs()
    net = _net()
    with pytest.warns(UnscaledInputWarning):
        history = net.fit(X * 1e4, y, epochs=3)
    assert np.isfinite(history["loss"]).all() and np.isfinite(net.predict(X * 1e4)).all()


def test_sigmoid_matches_the_tutorial_formula_bit_for_bit():
    z = np.random.RandomState(0).normal(scale=5, size=(50, 7))
    np.testing.assert_array_equal(activations.Sigmoid().forward(z.copy()), 1 / (1 + np.exp(-z)))


# -- validation --------------------------------------------------------------------------------


def _raises(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match):
        fn(*args, **kw)


def test_row_counts_must_match():
    X, y = _blobs()
    _raises(ValueError, "X has 60, y has 59", _net().fit, X, y[:-1])


def test_width_must_match_first_layer():
    X, y = _blobs()
    net = sn.Network([sn.Dense(3, input_dim=4), sn.Dense(1)], seed=0)
    _raises(ValueError, "X has 2 features.*expects input_dim=4", net.fit, X, y)
    net = _net()
    net.fit(X, y, epochs=1)
    _raises(ValueError, "X has 3 features.*expects 2", net.predict, np.ones((2, 3)))


def test_y_width_must_match_output():
    X, _ = _blobs()
    _raises(ValueError, "y has 2 columns.*1 units", _net().fit, X, np.zeros((60, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_rejected_with_position(bad):
    X, y = _blobs()
    X[5, 1] = bad
    _raises(ValueError, r"X contains NaN or inf \(first at row 5, column 1", _net().fit, X, y)
    X, y = _blobs()
    y[7] = bad
    _raises(ValueError, "y contains NaN or inf", _net().fit, X, y)


def test_non_numeric_data_is_rejected():
    _raises(TypeError, "X must hold real numbers, got string", _net().fit, [["a", "b"]], [1])
    _raises(
        ValueError,
        r"X has a missing value \(first at row 0, column 1: None\)",
        _net().fit,
        np.array([[1, None]], dtype=object),
        [1],
    )
    _raises(TypeError, "got complex", _net().fit, np.ones((2, 2)) * 1j, [1, 0])


def test_empty_and_wrong_dimension_data():
    _raises(ValueError, "X is empty", _net().fit, np.empty((0, 2)), np.empty((0, 1)))
    _raises(
        ValueError, "X must be 2-D, got a 1-D array.*reshape", _net().fit, np.ones(4), np.ones(4)
    )
    _raises(ValueError, "X must be 2-D, got a 3-D", _net().fit, np.ones((2, 2, 2)), np.ones(2))
    _raises(ValueError, "could not be read", _net().fit, [[1, 2], [3]], [1, 2])


@pytest.mark.parametrize(
    "maker,kind",
    [
        (lambda: sn.Dense(3, activation="sigmoidd"), "activation"),
        (lambda: sn.Network([sn.Dense(1)], loss="hinge"), "loss"),
        (lambda: sn.Network([sn.Dense(1)], optimizer="adadelta"), "optimizer"),
        (lambda: sn.Dense(3, initializer="orthogonal"), "initializer"),
        (lambda: sn.Network([sn.Dense(1)], metrics=["f1"]), "metric"),
    ],
)
def test_unknown_names_list_the_valid_ones(maker, kind):
    with pytest.raises(ValueError, match=f"unknown {kind} .*valid names are: .+"):
        maker()


def test_unknown_activation_message_lists_all():
    with pytest.raises(ValueError) as info:
        sn.Dense(1, activation="hardswish")
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"]:
        assert name in str(info.value)


@pytest.mark.parametrize("lr", [0, -0.1])
def test_learning_rate_must_be_positive(lr):
    _raises(ValueError, "learning_rate must be > 0", sn.SGD, learning_rate=lr)
    _raises(ValueError, "learning_rate must be > 0", sn.Adam, learning_rate=lr)


@pytest.mark.parametrize(
    "epochs,exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError), ("10", TypeError)]
)
def test_epochs_must_be_a_positive_integer(epochs, exc):
    X, y = _blobs()
    _raises(exc, "epochs must be", _net().fit, X, y, epochs=epochs)


def test_layer_sizes_must_chain():
    _raises(
        ValueError,
        "don't chain: 'dense_1' expects 5 inputs, but 'dense_0' below it has 4 units",
        sn.Network,
        [sn.Dense(4, input_dim=3), sn.Dense(2, input_dim=5)],
    )


def test_other_argument_errors():
    _raises(ValueError, "units must be >= 1", sn.Dense, 0)
    _raises(TypeError, "units must be an integer", sn.Dense, 2.5)
    _raises(ValueError, "at least one layer", sn.Network, [])
    _raises(TypeError, "must be a smallnet Layer", sn.Network, ["dense"])
    layer = sn.Dense(2)
    _raises(ValueError, "same layer object appears twice", sn.Network, [layer, layer])
    _raises(
        ValueError, "dtype must be 'float32' or 'float64'", sn.Network, [sn.Dense(1)], dtype="int8"
    )
    _raises(ValueError, "seed must be", sn.Network, [sn.Dense(1)], seed=-1)
    _raises(ValueError, r"needs targets in \[0, 1\]", _net().fit, np.ones((3, 2)), [0, 2, 1])
    _raises(RuntimeError, "call fit", _net().predict, np.ones((3, 2)))
    _raises(ValueError, "momentum must be < 1", sn.SGD, momentum=1.0)
    X, y = _blobs()
    _raises(ValueError, "batch_size must be >= 1", _net().fit, X, y, batch_size=0)
    _raises(TypeError, "Callback", _net().fit, X, y, callbacks=[print])


def test_nan_in_a_vector_is_located_by_index():
    X, y = _blobs()
    y = y.ravel()
    y[7] = np.nan
    _raises(ValueError, r"y contains NaN or inf \(first at index 7: nan\)", _net().fit, X, y)
    _raises(
        ValueError,
        r"sample_weight contains NaN or inf \(first at index 3",
        _net().fit,
        *_blobs(),
        sample_weight=np.where(np.arange(60) == 3, np.inf, 1.0),
    )


def test_categorical_crossentropy_needs_two_or_more_outputs():
    match = (
        r"categorical_crossentropy needs one output per class \(2 or more\), "
        r"but the last layer 'dense_0' has 1 unit; "
        r"for two classes use one sigmoid output with binary_crossentropy"
    )
    _raises(
        ValueError,
        match,
        sn.Network,
        [sn.Dense(1, activation="sigmoid")],
        loss="categorical_crossentropy",
    )
    net = _net()  # a 1-unit sigmoid output with binary_crossentropy
    _raises(
        ValueError, "needs one output per class", setattr, net, "loss", "categorical_crossentropy"
    )
    assert net.loss.name == "binary_crossentropy"  # the refused loss didn't stick
    _raises(
        ValueError,
        "needs one output per class",
        sn.gradcheck,
        net,
        *_blobs(6),
        loss="categorical_crossentropy",
    )
    assert net.loss.name == "binary_crossentropy"


def test_cross_entropies_need_probabilities_from_the_last_layer():
    """A cross-entropy on outputs that aren't probabilities has no gradient that backprop computes:
    refused."""
    for activation in ("identity", "relu", "leaky_relu", "tanh"):
        _raises(
            ValueError,
            f"binary_crossentropy needs probabilities in \\[0, 1\\], but the last layer 'dense_0' "
            f"has the {activation} activation; use activation='sigmoid'",
            sn.Network,
            [sn.Dense(1, activation=activation)],
            loss="binary_crossentropy",
        )
        _raises(
            ValueError,
            f"categorical_crossentropy needs probabilities that sum to 1, but the last layer "
            f"'dense_0' has the {activation} activation; use activation='softmax'$",
            sn.Network,
            [sn.Dense(3, activation=activation)],
            loss="categorical_crossentropy",
        )
    # sigmoid outputs each go to 1 under -sum(y log p): the message points to the multi-label loss
    _raises(
        ValueError,
        "has the sigmoid activation; use activation='softmax' \\(for several labels per row: "
        "binary_crossentropy\\)",
        sn.Network,
        [sn.Dense(3, activation="sigmoid")],
        loss="categorical_crossentropy",
    )
    _raises(
        ValueError,
        "needs a last layer with a softmax activation, but the last layer 'dropout_1' is a "
        "Dropout layer",
        sn.Network,
        [sn.Dense(3, activation="softmax"), sn.Dropout(0.5)],
        loss="categorical_crossentropy",
    )
    net = sn.Network([sn.Dense(3, activation="sigmoid")], loss="binary_crossentropy")
    _raises(
        ValueError, "has the sigmoid activation", setattr, net, "loss", "categorical_crossentropy"
    )
    assert net.loss.name == "binary_crossentropy"  # the refused loss didn't stick
    # probabilities of either kind serve binary_crossentropy; an activation of one's own is trusted
    sn.Network([sn.Dense(3, activation="softmax")], loss="binary_crossentropy").build(2)

    class Probability(sn.activations.Sigmoid):
        name, outputs = "my_sigmoid", None

    sn.Network([sn.Dense(3, activation=Probability())], loss="categorical_crossentropy").build(2)


def test_softmax_over_one_unit_is_refused():
    _raises(
        ValueError,
        "a softmax over 1 unit always outputs 1, so nothing can be learned; for one output between "
        "0 and 1 use activation='sigmoid'",
        sn.Dense,
        1,
        activation="softmax",
    )


@pytest.mark.parametrize(
    "last", [lambda: sn.Dropout(0.2), lambda: sn.Standardize(np.zeros(2), np.ones(2))]
)
@pytest.mark.parametrize("loss", ["mse", "sse"])
def test_a_last_layer_without_activation_trains_with_mse_and_sse(last, loss):
    X, y = _blobs(8)
    Y = np.c_[y, 1 - y]
    net = sn.Network([sn.Dense(2), last()], loss=loss, optimizer=sn.SGD(0.05), seed=0)
    assert not net.fused
    history = net.fit(X, Y, epochs=30)
    assert history["loss"][-1] < history["loss"][0]
    assert sn.gradcheck(net, X, Y) < 1e-6


def test_set_weights_checks_every_array_and_names_it():
    net = _net()
    X, y = _blobs()
    net.fit(X, y, epochs=1)
    good = net.get_weights()
    nan = [w.copy() for w in good]
    nan[1][2] = np.nan
    _raises(
        ValueError,
        r"weights\[1\] contains NaN or inf \(first at index 2: nan\)",
        net.set_weights,
        nan,
    )
    inf = [w.copy() for w in good]
    inf[2][3, 0] = -np.inf
    _raises(
        ValueError,
        r"weights\[2\] contains NaN or inf \(first at row 3, column 0",
        net.set_weights,
        inf,
    )
    _raises(
        TypeError,
        r"weights\[0\] must hold real numbers, got string",
        net.set_weights,
        [np.full(good[0].shape, "a")] + good[1:],
    )
    _raises(
        ValueError,
        r"weights\[3\] must be 1-D, got a 2-D array of shape \(1, 1\)$",
        net.set_weights,
        good[:3] + [good[3].reshape(1, 1)],
    )
    _raises(
        ValueError,
        r"weights\[0\] has shape \(8, 2\), but the network's has \(2, 8\)",
        net.set_weights,
        [good[0].T] + good[1:],
    )
    _raises(ValueError, "expected 4 arrays", net.set_weights, good[:3])
    _raises(TypeError, "weights must be a list of arrays.*got NoneType", net.set_weights, None)
    _raises(TypeError, "weights must be a list of arrays.*got ndarray", net.set_weights, good[0])
    for p, w in zip(net.params, good):  # every refusal left the network as it was
        np.testing.assert_array_equal(p, w)
    _raises(
        RuntimeError,
        "no weights yet: call fit .* first, then set_weights",
        _net().set_weights,
        good,
    )
    net.set_weights([w + 1 for w in good])
    np.testing.assert_array_equal(net.params[0], good[0] + 1)


def test_a_single_metric_is_a_list_of_one():
    X, y = _blobs()
    history = _net(metrics="accuracy").fit(X, y, epochs=2)
    assert list(history.history) == ["loss", "accuracy"]
    history = _net(metrics=sn.metrics.mae).fit(X, y, epochs=2)
    assert list(history.history) == ["loss", "mae"]
    _raises(
        TypeError,
        "metrics must be a metric name, a callable or a list of them, got 5",
        _net,
        metrics=5,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda flag: _net().fit(*_blobs(), batch_size=10, shuffle=flag),
        lambda flag: sn.Dense(2, use_bias=flag),
        lambda flag: sn.SGD(0.1, momentum=0.9, nesterov=flag),
        lambda flag: sn.EarlyStopping(restore_best_weights=flag),
    ],
)
def test_flags_take_booleans_only(make):
    for flag in (True, False, np.bool_(True)):
        make(flag)
    for flag in ("no", "False", 0, 1, None):
        _raises(TypeError, "must be True or False, got", make, flag)


# -- summary -----------------------------------------------------------------------------------


def test_summary_lists_layers_shapes_and_params():
    net = sn.Network(
        [sn.Dense(4, input_dim=3, activation="sigmoid", use_bias=False), sn.Dense(2)], seed=0
    )
    lines = []
    net.summary(print_fn=lines.append)
    assert "?" in lines[0]
    net.build()
    lines.clear()
    net.summary(print_fn=lines.append)
    text = lines[0]
    assert "dense_0 (Dense)" in text and "(None, 4)" in text and "sigmoid" in text
    assert "Total params: 22" in text  # 3*4 + (4*2 + 2)


def test_datasets_load_by_name():
    X, y = datasets.load("xor")
    assert X.shape == (4, 2) and y.shape == (4, 1)
    _raises(
        ValueError,
        "unknown dataset 'mnist'; valid names are: iris, penguins, tutorial, xor",
        datasets.load,
        "mnist",
    )


def test_huge_finite_values_are_accepted_without_warnings():
    X = np.full((4, 2), 3e38, dtype=np.float32)  # their sum overflows float32; each value is fine
    from smallnet.validation import check_array

    assert check_array(X).dtype == np.float32


@pytest.mark.parametrize(
    "loss,output",
    [
        ("mse", "identity"),
        ("sse", "tanh"),
        ("binary_crossentropy", "sigmoid"),
        ("categorical_crossentropy", "softmax"),
        ("binary_crossentropy", "softmax"),
    ],
)
def test_float32_flows_through_every_array(loss, output):
    """No silent upcast: each array a float32 step makes (errors, deltas, steps, state)
    stays float32."""
    X, _ = _blobs(dtype=np.float32)
    y = np.eye(2, dtype=np.float32)[(X[:, 0] > 0).astype(int)]
    net = sn.Network(
        [sn.Dense(5, activation="leaky_relu"), sn.Dropout(0.1), sn.Dense(2, activation=output)],
        loss=loss,
        optimizer="adam",
        metrics=["mae", "r2"],
        l2=0.01,
        seed=0,
    )
    net.fit(
        X,
        y,
        epochs=2,
        batch_size=16,
        validation_split=0.25,
        sample_weight=np.ones(len(X), np.float32),
    )
    out = net.forward(X, training=True)
    fn = net.loss
    arrays = [
        out,
        fn.error(y, out),
        fn.per_sample(y, out),
        net.layers[0].activation.backward(out[:, :1], out[:, 1:]),
    ]
    if fn.fused_activation:
        arrays.append(fn.delta(y, out))
    net.backward(y, out)
    arrays += [s for layer in net.layers for s in layer.steps] + [
        a for pair in net.optimizer.moments for a in pair
    ]
    assert [a.dtype for a in arrays] == [np.float32] * len(arrays)
    assert isinstance(fn(y, out), float) and isinstance(net.evaluate(X, y)["r2"], float)


def test_labels_for_a_softmax_output_get_a_one_hot_hint():
    X, _ = _blobs()
    net = sn.Network([sn.Dense(3, activation="softmax")], loss="categorical_crossentropy", seed=0)
    _raises(
        ValueError,
        r"y has 1 columns, but .* 3 units \(for class labels 0..2, pass one-hot rows: np.eye\(3\)",
        net.fit,
        X,
        np.zeros(60),
    )


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_with_weight_decay_matches_hand_computation(nesterov):
    # The network folds the learning rate into the output delta (SGD's step_scale); the
    # weight decay's part of the step must be scaled the same way.
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    y = np.array([[1.0], [0.0], [0.5]])
    net = sn.Network(
        [sn.Dense(1, use_bias=False)],
        loss="sse",
        optimizer=sn.SGD(0.05, momentum=0.5, nesterov=nesterov),
        l2=0.3,
        seed=0,
    )
    net.build(2)
    w = net.layers[0].weights.copy()
    v = np.zeros_like(w)
    for _ in range(3):
        step = X.T @ (y - X @ w) - 0.3 * w
        v = 0.5 * v + 0.05 * step
        w = w + (0.5 * v + 0.05 * step if nesterov else v)
        net.fit(X, y, epochs=1)
    np.testing.assert_allclose(net.layers[0].weights, w, rtol=1e-12)


def test_sgd_update_scaled_or_not():
    opt = sn.SGD(0.1)
    assert opt.step_scale == 0.1
    w = np.ones(3)
    opt.update([w], [np.full(3, 2.0)])
    np.testing.assert_allclose(w, 1.2)
    opt.update([w], [np.full(3, 2.0)], scaled=True)  # the steps already include the learning rate
    np.testing.assert_allclose(w, 3.2)


def test_an_optimizer_of_ones_own_needs_no_scaled_argument():
    class HalfStep(sn.optimizers.Optimizer):
        name = "half"

        def update(self, params, steps):
            for w, s in zip(params, steps):
                w += 0.5 * s

    X, y = _blobs(seed=1)
    net = _net(optimizer=HalfStep(1.0))
    history = net.fit(X, y, epochs=20)
    assert history["loss"][-1] < history["loss"][0]


def test_adam_scaled_steps_are_steps_times_one_minus_beta_1():
    a, b = sn.Adam(0.01, beta_1=0.8), sn.Adam(0.01, beta_1=0.8)
    assert a.step_scale == pytest.approx(0.2)
    wa, wb = np.ones(3), np.ones(3)
    for step in ([1.0, -2.0, 0.5], [0.3, 0.1, -4.0]):
        a.update([wa], [np.array(step)])
        b.update([wb], [0.2 * np.array(step)], scaled=True)
    np.testing.assert_allclose(wa, wb, rtol=1e-14)


# -- arguments in other forms, copies of the input, one optimizer per network -------------------


def test_validation_data_errors_say_they_are_about_it():
    X, y = _blobs()
    _raises(
        ValueError,
        r"^validation_data: X has 1 features \(columns\), but the network expects 2$",
        _net().fit,
        X,
        y,
        validation_data=(X[:, :1], y),
    )
    _raises(
        ValueError,
        r"^validation_data: X and y have different numbers of rows",
        _net().fit,
        X,
        y,
        validation_data=(X, y[:5]),
    )
    _raises(
        ValueError,
        r"^validation_data: sample_weight has 3 entries, but X has 60 rows",
        _net().fit,
        X,
        y,
        validation_data=(X, y, [1.0, 1.0, 1.0]),
    )


def test_a_single_callback_is_a_list_of_one():
    class Count(sn.Callback):
        epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    X, y = _blobs()
    count = Count()
    _net().fit(X, y, epochs=3, callbacks=count)
    assert count.epochs == 3
    _net().fit(X, y, callbacks=None)
    for bad in ("early_stopping", 3):
        _raises(
            TypeError,
            f"callbacks must be a smallnet Callback or a list of them, got {bad!r}",
            _net().fit,
            X,
            y,
            callbacks=bad,
        )


@pytest.mark.parametrize("rows", [slice(None), slice(1, 3)], ids=["array", "view"])
def test_predict_never_hands_back_the_callers_array(rows):
    net = sn.Network([sn.Dropout(0.5), sn.Dropout(0.2)], seed=0).build(
        2
    )  # passes its input through
    data = np.ones((4, 2))
    X = data[rows]
    out = net.predict(X)
    np.testing.assert_array_equal(out, X)
    out[:] = 5  # the predictions are the caller's to change
    assert (data == 1).all()


@pytest.mark.parametrize(
    "make", [lambda: sn.Adam(0.01), lambda: sn.SGD(0.1, momentum=0.9)], ids=["adam", "sgd"]
)
def test_an_optimizer_instance_trains_one_network(make):
    X, y = _blobs()
    optimizer = make()
    first = _net(optimizer=optimizer)
    match = (
        r"this optimizer \(.*\) already trains another network; give each network its own instance"
    )
    _raises(ValueError, match, _net, optimizer=optimizer)
    _raises(ValueError, match, sn.Network, [sn.Dense(20), sn.Dense(1)], optimizer=optimizer)
    other = _net()
    other.optimizer = (
        optimizer  # set by hand: fit refuses it before it changes the optimizer's state
    )
    _raises(ValueError, match, other.fit, X, y)
    first.fit(X, y, epochs=2)  # its own network trains on
    del first, other
    gc.collect()
    _net(optimizer=optimizer).fit(X, y)  # a network that is gone frees its optimizer


def test_a_network_that_failed_to_be_made_claims_no_optimizer():
    optimizer = sn.Adam()
    with pytest.raises(
        ValueError, match="l2 must be"
    ) as failed:  # its traceback keeps the half-made network
        _net(optimizer=optimizer, l2=-1.0)
    _net(optimizer=optimizer, l2=0.1)
    assert failed.value is not None


@pytest.mark.parametrize(
    "duplicate",
    [copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))],
    ids=["deepcopy", "pickle"],
)
def test_a_copy_of_a_network_trains_with_its_own_optimizer(duplicate):
    X, y = _blobs()
    net = _net(optimizer=sn.Adam(0.01))
    net.fit(X, y, epochs=2)
    twin = duplicate(net)
    assert twin.optimizer is not net.optimizer
    twin.fit(X, y, epochs=2)
    net.fit(X, y, epochs=2)
    _raises(ValueError, "already trains another network", _net, optimizer=twin.optimizer)


def test_a_layer_belongs_to_one_network_at_a_time():
    dense = sn.Dense(1)
    first = sn.Network([dense], loss="mse", seed=0)
    _raises(
        ValueError,
        "layer 'dense_0' already belongs to another network; give each network layers of its own",
        sn.Network,
        [sn.Dense(2), dense],
        loss="mse",
    )
    X, y = _blobs(10)
    history = first.fit(
        X, y, epochs=5
    )  # the refused network took nothing: the first one still trains
    assert history["loss"][-1] < history["loss"][0]
    for copy_of in (copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))):
        twin = copy_of(first)  # copies have layers of their own, and they train alike
        np.testing.assert_array_equal(
            twin.fit(X, y, epochs=2)["loss"], first.fit(X, y, epochs=2)["loss"]
        )
        assert twin.layers[0]._owner() is twin and first.layers[0]._owner() is first
        first.optimizer.reset(), twin.optimizer.reset()
    del first, twin, history
    gc.collect()
    sn.Network([dense], loss="mse")  # once the owner is gone, the layer is free again


@pytest.mark.parametrize(
    "bad",
    [
        dict(y=np.ones((10, 2))),
        dict(epochs=0),
        dict(batch_size=0),
        dict(verbose=5),
        dict(sample_weight=np.ones(3)),
        dict(validation_split=0.01),
        dict(validation_data=(np.ones((4, 3)), np.ones((4, 1)))),
        dict(callbacks=[1]),
    ],
)
def test_a_refused_fit_leaves_the_network_as_it_was(bad):
    X, y = _blobs(10, dtype=np.float32)
    net = sn.Network([sn.Dense(4), sn.Dense(1)], loss="mse", seed=0)
    args = {"y": y, **bad}
    with pytest.raises((TypeError, ValueError)):
        net.fit(X, **args)
    assert not net.built and net.dtype is None and net.input_dim is None
    net.fit(X, y, epochs=2)  # as if the refused call had never happened: same dtype, same draws
    fresh = sn.Network([sn.Dense(4), sn.Dense(1)], loss="mse", seed=0)
    fresh.fit(X, y, epochs=2)
    assert net.dtype == np.float32
    for a, b in zip(net.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_nesterov_needs_momentum():
    _raises(ValueError, "nesterov=True needs a momentum > 0", sn.SGD, 0.1, nesterov=True)


def test_none_as_y_and_integers_past_numpys_reach_are_named():
    net = sn.Network([sn.Dense(1)], loss="mse")
    for call in (
        lambda: net.fit(np.ones((3, 4)), None),
        lambda: sn.gradcheck(net, np.ones((3, 4)), None),
        lambda: net.trace(np.ones((3, 4)), None),
    ):
        _raises(TypeError, "y must be an array of targets, got None", call)
    assert not net.built
    _raises(ValueError, "units is too large, got 100000000000000000000", sn.Dense, 10**20)
    _raises(ValueError, "epochs is too large", net.fit, np.ones((3, 4)), np.ones(3), epochs=10**20)
    assert (
        sn.SGD(10**20).learning_rate == 1e20
    )  # a float parameter takes a large integer as the float it is
    _raises(
        ValueError,
        "dtype must be 'float32' or 'float64', got \\{'x': 'relu'\\}",
        sn.Network,
        [sn.Dense(1)],
        dtype={"x": "relu"},
    )
    _raises(
        TypeError, "monitor must be the name of a logged value", sn.EarlyStopping, monitor=["loss"]
    )


@pytest.mark.skipif(
    not hasattr(os, "sysconf"), reason="the machine's memory is known through sysconf"
)
def test_a_network_larger_than_memory_is_refused_before_allocating():
    net = sn.Network([sn.Dense(10**9, input_dim=2), sn.Dense(1)])
    with pytest.raises(
        MemoryError,
        match="the network's 4000000001 weights need about .* GiB .*use fewer or smaller layers",
    ):
        net.build()
    assert not net.built
