"""BatchNorm and LayerNorm: forward beside backward, running statistics, files, resume, ONNX,
trace."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import datasets, layers, summary


def _data(n=48, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    X = (rng.normal(size=(n, 4)) * [1.0, 5.0, 0.2, 2.0] + [0.0, 3.0, -1.0, 0.5]).astype(dtype)
    y = np.eye(3)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 3)].astype(dtype)
    return X, y


def _net(norm, dtype=None, seed=0, optimizer=None, **kw):
    return sn.Network(
        [
            sn.Dense(6, activation="tanh"),
            norm(),
            sn.Dropout(0.2),
            sn.Dense(3, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.01) if optimizer is None else optimizer,
        seed=seed,
        dtype=dtype,
        **kw,
    )


NORMS = [sn.BatchNorm, sn.LayerNorm]


# -- forward beside backward ------------------------------------------------------------------


def test_batch_norm_standardizes_each_feature_over_the_batch_and_moves_its_running_statistics():
    X, _ = _data()
    norm = sn.BatchNorm(momentum=0.9, epsilon=1e-3)
    norm.build(4, np.dtype(np.float64), None)
    norm.gamma[:], norm.beta[:] = [1.0, 2.0, 0.5, 3.0], [0.0, -1.0, 1.0, 2.0]
    out = norm.forward(X, training=True)
    normalized = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + 1e-3)
    np.testing.assert_allclose(out, normalized * norm.gamma + norm.beta, rtol=1e-12)
    # Keras's rule: running = momentum * running + (1 - momentum) * batch (from 0 and 1)
    np.testing.assert_allclose(norm.running_mean, 0.1 * X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(norm.running_var, 0.9 + 0.1 * X.var(axis=0), rtol=1e-12)
    # outside training: the running statistics, and nothing moves
    running = norm.running_mean.copy(), norm.running_var.copy()
    expected = (X - running[0]) / np.sqrt(running[1] + 1e-3) * norm.gamma + norm.beta
    np.testing.assert_allclose(norm.forward(X), expected, rtol=1e-12)
    np.testing.assert_array_equal(norm.running_mean, running[0])
    np.testing.assert_array_equal(norm.running_var, running[1])


def test_layer_norm_standardizes_each_row_the_same_in_training_and_prediction():
    X, _ = _data()
    norm = sn.LayerNorm(epsilon=1e-5)
    norm.build(4, np.dtype(np.float64), None)
    norm.gamma[:], norm.beta[:] = [1.0, 2.0, 0.5, 3.0], [0.0, -1.0, 1.0, 2.0]
    expected = (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + 1e-5)
    expected = expected * norm.gamma + norm.beta
    np.testing.assert_allclose(norm.forward(X, training=True), expected, rtol=1e-12)
    np.testing.assert_allclose(norm.forward(X), expected, rtol=1e-12)


def _gradcheck_data(n_out=2, seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(7, 3)), rng.normal(size=(7, n_out))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("place", ["middle", "first", "top", "with dropout and decay"])
def test_gradcheck_in_training_mode(norm, place):
    X, y = _gradcheck_data(3 if place == "top" else 2)
    if place == "middle":
        stack = [sn.Dense(4, activation="tanh"), norm(), sn.Dense(2, activation="tanh")]
    elif place == "first":
        stack = [norm(), sn.Dense(2, activation="sigmoid")]
    elif place == "top":  # no bias below: a norm cancels it, so its gradient is 0 (no ratio)
        stack = [sn.Dense(3, use_bias=False), norm()]
    else:
        stack = [sn.Dense(5, activation="tanh"), norm(), sn.Dropout(0.3), sn.Dense(2)]
    net = sn.Network(stack, loss="mse", l2=0.01 if "decay" in place else 0.0, seed=1).build(3)
    rng = np.random.RandomState(2)
    for layer in net.layers:  # gamma and beta off their starting ones and zeros
        if isinstance(layer, norm):
            layer.gamma[:] = rng.uniform(0.5, 2.0, layer.gamma.shape)
            layer.beta[:] = rng.normal(size=layer.beta.shape)
    before = net.get_weights()
    assert sn.gradcheck(net, X, y) < 1e-6
    for a, b in zip(before, net.get_weights()):  # running statistics included
        np.testing.assert_array_equal(a, b)


def test_gradcheck_finds_a_wrong_batch_norm_gradient(monkeypatch):
    X, y = _gradcheck_data()
    net = sn.Network([sn.Dense(4, activation="tanh"), sn.BatchNorm(), sn.Dense(2)], seed=1)
    net.build(3)
    right = sn.BatchNorm.backward

    def wrong(self, error, error_below=True):  # the textbook slip: the mean of the error dropped
        below = right(self, error, error_below)
        return below if below is None else below + self.gamma * self.inv_std * error.mean(axis=0)

    monkeypatch.setattr(sn.BatchNorm, "backward", wrong)
    assert sn.gradcheck(net, X, y) > 1e-3


def test_a_training_batch_of_one_row_is_standardized_with_the_running_statistics():
    norm = sn.BatchNorm()
    norm.build(3, np.dtype(np.float64), None)
    norm.gamma[:], norm.beta[:] = [2.0, 1.0, 0.5], [1.0, -2.0, 0.5]
    norm.running_mean[:], norm.running_var[:] = [1.0, 2.0, 3.0], [4.0, 1.0, 0.25]
    x = np.array([[3.0, 4.0, 5.0]])
    out = norm.forward(x, training=True)
    np.testing.assert_allclose(out, norm.forward(x, training=False), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(norm.running_mean, [1.0, 2.0, 3.0])  # left as they were
    np.testing.assert_array_equal(norm.running_var, [4.0, 1.0, 0.25])
    error = np.array([[1.0, 2.0, 3.0]])
    below = norm.backward(error.copy())
    np.testing.assert_allclose(below, error * norm.gamma / np.sqrt(norm.running_var + 1e-3))
    np.testing.assert_allclose(norm.steps[1], [1.0, 2.0, 3.0])
    # and so fit trains through a last batch of one row (33 = 16 + 16 + 1)
    X, y = _data(n=33)
    history = _net(sn.BatchNorm).fit(X, y, epochs=3, batch_size=16)
    assert np.isfinite(history["loss"]).all()


def test_a_batch_of_one_row_trains_on_its_gradient():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(1, 3)), np.array([[1.0]])
    net = sn.Network([sn.Dense(4), sn.BatchNorm(), sn.Dense(1)], loss="mse", seed=0)
    net.optimizer = sn.SGD(0.05)
    assert sn.gradcheck(net, X, y) < 1e-6
    history = net.fit(X, y, epochs=100)
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_arguments_are_checked_with_their_names():
    with pytest.raises(ValueError, match="momentum must be < 1, got 1"):
        sn.BatchNorm(momentum=1)
    with pytest.raises(ValueError, match="momentum must be >= 0"):
        sn.BatchNorm(momentum=-0.1)
    with pytest.raises(ValueError, match="epsilon must be > 0, got 0"):
        sn.LayerNorm(epsilon=0)
    with pytest.raises(TypeError, match="input_dim must be an integer"):
        sn.BatchNorm(input_dim=2.5)
    with pytest.raises(ValueError, match="expects 4 inputs, but 'dense_0' below it has 3 units"):
        sn.Network([sn.Dense(3), sn.LayerNorm(input_dim=4)])
    net = sn.Network([sn.BatchNorm(input_dim=4), sn.Dense(1)])
    with pytest.raises(
        ValueError, match="'batchnorm_0' expects 4 inputs, but the layer below gives 3"
    ):
        net.build(3)


# -- training: float32, decay, statistics --------------------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
def test_float32_end_to_end(norm):
    X, y = _data(dtype=np.float32)
    net = _net(norm)
    history = net.fit(X, y, epochs=3, batch_size=16, validation_split=0.25)
    arrays = [getattr(layer, name) for layer in net.layers for name in layer.arrays]
    assert all(a.dtype == np.float32 for a in arrays if a is not None)
    assert all(s.dtype == np.float32 for layer in net.layers for s in layer.steps)
    assert history.last_output.dtype == np.float32 and net.predict(X).dtype == np.float32
    assert np.isfinite(history["val_loss"]).all()


@pytest.mark.parametrize("norm", NORMS)
def test_weight_decay_leaves_gamma_and_beta_alone(norm):
    X, y = _data()
    plain, decayed = _net(norm, optimizer="sgd"), _net(norm, optimizer="sgd", l2=0.5)
    for net in (plain, decayed):
        net.build(4)
        net.train_step(X, y)
    assert not np.array_equal(plain.layers[0].steps[0], decayed.layers[0].steps[0])
    for a, b in zip(plain.layers[1].steps, decayed.layers[1].steps):
        np.testing.assert_array_equal(a, b)


def test_validation_and_prediction_leave_the_running_statistics_alone():
    X, y = _data()
    net = _net(sn.BatchNorm).build(4)
    norm = net.layers[1]
    net.train_step(X, y)
    moved = norm.running_mean.copy(), norm.running_var.copy()
    net.predict(X)
    net.evaluate(X, y)
    np.testing.assert_array_equal(norm.running_mean, moved[0])
    np.testing.assert_array_equal(norm.running_var, moved[1])
    assert not np.array_equal(moved[0], 0.0)


def test_get_and_set_weights_carry_the_running_statistics():
    X, y = _data()
    net = _net(sn.BatchNorm)
    net.fit(X, y, epochs=2, batch_size=16)
    saved = net.get_weights()
    norm = net.layers[1]
    assert len(saved) == len(net.params) + 2  # gamma, beta, then running_mean, running_var
    np.testing.assert_array_equal(saved[4], norm.running_mean)
    net.fit(X, y, epochs=2, batch_size=16)
    net.set_weights(saved)
    np.testing.assert_array_equal(norm.running_var, saved[5])
    # EarlyStopping puts back the best epoch's statistics with its weights
    stop = sn.EarlyStopping(patience=1, restore_best_weights=True, min_delta=10.0)
    net.fit(X, y, epochs=5, batch_size=16, validation_split=0.25, callbacks=[stop])
    np.testing.assert_array_equal(norm.running_mean, stop.best_weights[4])


def test_summary_counts_gamma_and_beta():
    net = _net(sn.BatchNorm).build(4)
    lines = []
    net.summary(print_fn=lines.append)
    assert "batchnorm_1 (BatchNorm)  (None, 6)" in lines[0]
    assert [row[3] for row in summary.rows(net)][1:3] == ["30", "12"]


# -- files, resume, ONNX ---------------------------------------------------------------------


@pytest.mark.parametrize("norm", NORMS)
def test_save_and_load_predict_bit_exactly(tmp_path, norm):
    pytest.importorskip("safetensors")
    X, y = _data(dtype=np.float32)
    net = _net(norm, dtype="float32")
    net.fit(X, y, epochs=3, batch_size=16)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    for name in net.layers[1].arrays:
        np.testing.assert_array_equal(getattr(loaded.layers[1], name), getattr(net.layers[1], name))
    assert loaded.layers[1].config() == net.layers[1].config()


def test_a_first_layer_batch_norm_loads_and_bad_statistics_are_refused(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = sn.Network([sn.BatchNorm(momentum=0.5), sn.Dense(3, activation="softmax")], seed=0)
    net.fit(X, y, epochs=2, batch_size=16)
    net.save(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(sn.load(tmp_path / "m.safetensors").predict(X), net.predict(X))
    net.layers[0].running_var[1] = -1.0
    net.save(tmp_path / "bad.safetensors")
    with pytest.raises(ValueError, match="'layers.0.running_var' must be >= 0 everywhere"):
        sn.load(tmp_path / "bad.safetensors")


@pytest.mark.parametrize("norm", NORMS)
def test_resume_equals_one_run_weights_and_running_statistics(tmp_path, norm):
    pytest.importorskip("safetensors")
    X, y = _data(dtype=np.float32)
    args = {"batch_size": 16, "validation_split": 0.25}
    straight = _net(norm)
    straight.fit(X, y, epochs=5, **args)
    first = _net(norm)
    first.fit(X, y, epochs=3, checkpoint=tmp_path / "c.ckpt", **args)
    second = _net(norm)
    history = second.fit(X, y, epochs=5, resume=tmp_path / "c.ckpt", **args)
    for a, b in zip(straight.get_weights(), second.get_weights()):  # statistics included
        np.testing.assert_array_equal(a, b)
    assert history.history == straight.history.history


@pytest.mark.parametrize("opset", [13, 17])
def test_onnx_export_matches_smallnet(tmp_path, opset):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    X, y = _data(dtype=np.float32)
    net = sn.Network(
        [
            sn.Standardize.from_data(X),
            sn.Dense(6, activation="tanh"),
            sn.BatchNorm(),
            sn.Dense(5, activation="relu"),
            sn.LayerNorm(),
            sn.Dense(3, activation="softmax"),
        ],
        loss="categorical_crossentropy",
        optimizer=sn.Adam(0.05),
        seed=0,
    )
    net.fit(X, y, epochs=5, batch_size=8)
    assert 0 <= net.to_onnx(tmp_path / "m.onnx", opset=opset) <= 1e-5
    ops = {node.op_type for node in onnx.load(str(tmp_path / "m.onnx")).graph.node}
    assert "BatchNormalization" in ops
    assert ("LayerNormalization" in ops) == (opset >= 17) and ("ReduceMean" in ops) == (opset < 17)


# -- trace -----------------------------------------------------------------------------------


def _traced_net():
    return sn.Network(
        [
            sn.Dense(3, activation="tanh"),
            sn.BatchNorm(),
            sn.Dense(2, activation="tanh"),
            sn.LayerNorm(),
            sn.Dense(1, activation="sigmoid"),
        ],
        loss="binary_crossentropy",
        optimizer=sn.SGD(0.5),
        seed=0,
    )


def test_trace_shows_norm_layers_in_the_tutorial_s_words_and_ends_where_fit_would():
    X, y = datasets.xor()
    traced, fitted = _traced_net(), _traced_net()
    record = traced.trace(X, y, step=2, print_fn=None)
    history = fitted.fit(X, y, epochs=3)
    assert record.loss == history["loss"][2]
    for a, b in zip(traced.get_weights(), fitted.get_weights()):
        np.testing.assert_array_equal(a, b)
    for line in [
        "l2 = batch_norm(l1) = gamma1 * l1_hat + beta1, "
        "l1_hat = (l1 - mean(l1, axis=0)) / sqrt(var(l1, axis=0) + 0.001)   shape (4, 3)",
        "l4 = layer_norm(l3) = gamma3 * l3_hat + beta3, "
        "l3_hat = (l3 - mean(l3, axis=1)) / sqrt(var(l3, axis=1) + 0.001)   shape (4, 2)",
        "l1_error = (g - mean(g, axis=0) - l1_hat * mean(g * l1_hat, axis=0)) "
        "/ sqrt(var(l1, axis=0) + 0.001), g = gamma1 * l2_error   shape (4, 3)",
        "l4_error = l5_delta.dot(syn4.T)   shape (4, 2)",
        "gamma1_update = (l2_error * l1_hat).sum(axis=0)   shape (3,)",
        "beta3_update = l4_error.sum(axis=0)   shape (2,)",
        "running_mean1 = 0.9 * running_mean1 + 0.1 * mean(l1, axis=0)   shape (3,)",
        "syn0_update = l0.T.dot(l1_delta)   shape (2, 3)",
    ]:
        assert line in record.text
    assert sorted(record.layers[1]) == sorted(
        ["l1", "gamma1", "beta1", "l1_hat", "running_mean1_new", "running_var1_new", "l2"]
        + ["l2_error", "gamma1_update", "beta1_update", "gamma1_new", "beta1_new"]
    )


def test_trace_s_numbers_follow_its_formulas():
    X, y = datasets.xor()
    r = _traced_net().trace(X, y, step=1, print_fn=None)
    for k, axis in [(1, 0), (3, 1)]:
        l_in, hat, eps = r[f"l{k}"], r[f"l{k}_hat"], 1e-3
        mean, var = l_in.mean(axis=axis, keepdims=True), l_in.var(axis=axis, keepdims=True)
        np.testing.assert_allclose(hat, (l_in - mean) / np.sqrt(var + eps), rtol=1e-10)
        np.testing.assert_allclose(r[f"l{k + 1}"], r[f"gamma{k}"] * hat + r[f"beta{k}"], rtol=1e-12)
        error = r[f"l{k + 1}_error"]
        g = r[f"gamma{k}"] * error
        g_mean, along = g.mean(axis=axis, keepdims=True), (g * hat).mean(axis=axis, keepdims=True)
        expected = (g - g_mean - hat * along) / np.sqrt(var + eps)
        np.testing.assert_allclose(r[f"l{k}_error"], expected, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(r[f"gamma{k}_update"], (error * hat).sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(r[f"beta{k}_update"], error.sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(
            r[f"gamma{k}_new"], r[f"gamma{k}"] + 0.5 * r[f"gamma{k}_update"], rtol=1e-12
        )
    np.testing.assert_allclose(r["l2_error"], r["l3_delta"].dot(r["syn2"].T), rtol=1e-12)


def test_a_norm_layer_on_top_is_traced_from_the_loss():
    X, y = datasets.xor()
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dense(1), sn.BatchNorm()], loss="sse")
    record = net.trace(X, y, print_fn=None)
    np.testing.assert_allclose(record["l3_error"], y - record["l3"], rtol=1e-12)
    assert "l3_error = y - l3" in record.text


def test_layers_package_keeps_its_public_names():
    for name in ["Layer", "LAYERS", "from_config", "column_moments", "Dense", "Dropout"]:
        assert hasattr(layers, name)
    for kind in ["BatchNorm", "LayerNorm", "Embedding", "Standardize"]:
        assert layers.LAYERS[kind] is getattr(sn, kind)
    rebuilt = layers.from_config(sn.BatchNorm(momentum=0.9, epsilon=0.01, name="bn").config())
    assert (rebuilt.momentum, rebuilt.epsilon, rebuilt.name) == (0.9, 0.01, "bn")


def test_a_diverged_run_puts_back_the_running_statistics_too():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)), rng.normal(size=(64, 1))
    net = sn.Network(
        [sn.Dense(8, activation="relu"), sn.BatchNorm(), sn.Dense(1)],
        loss="mse",
        optimizer=sn.SGD(learning_rate=1e12),
        seed=0,
    )
    with pytest.warns(sn.DivergenceWarning):
        net.fit(X, y, epochs=20, batch_size=16)
    norm = net.layers[1]
    assert np.isfinite(norm.running_mean).all() and np.isfinite(norm.running_var).all()
    assert np.isfinite(net.predict(X)).all()


def test_set_weights_refuses_a_negative_running_variance():
    net = sn.Network([sn.Dense(3, input_dim=2), sn.BatchNorm(), sn.Dense(1)], seed=0).build()
    weights = net.get_weights()
    before = [w.copy() for w in weights]
    weights[-3] = -np.ones(3)  # the running variance, after gamma, beta, running_mean
    with pytest.raises(ValueError, match=r"weights\[5\] is a BatchNorm's running variance: it mu"):
        net.set_weights(weights)
    for kept, was in zip(net.get_weights(), before):
        np.testing.assert_array_equal(kept, was)
