"""The losses huber, mae and sparse_categorical_crossentropy: values, errors, files, float32."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import losses, metrics

NEW_LOSSES = [sn.Huber(), sn.Huber(delta=0.3), sn.MeanAbsoluteError()]


def _numeric_error(loss, y, out, h=1e-6):
    """Minus the central-difference gradient of loss(y, out) with respect to out."""
    numeric = np.empty_like(out)
    for idx in np.ndindex(out.shape):
        plus, minus = out.copy(), out.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = -(loss(y, plus) - loss(y, minus)) / (2 * h)
    return numeric


def _off_kinks(rng, shape, kinks, margin=0.05):
    """Errors y - out of magnitude 0.1..3, each at least `margin` away from every kink."""
    e = rng.uniform(0.1, 3, size=shape) * rng.choice([-1, 1], size=shape)
    for kink in kinks:
        near = np.abs(np.abs(e) - kink) < margin
        e[near] += 2 * margin * np.sign(e[near])
    return e


def _regression(rng, n=12):
    X = rng.normal(size=(n, 3))
    y = 3 * rng.normal(size=(n, 2))  # far from the small net's outputs: both sides of delta
    return X, y


def _softmax_data(rng, n=12, k=3):
    X = rng.normal(size=(n, 4))
    return X, rng.randint(k, size=n)


def _classifier(loss, k=3, seed=1, **kwargs):
    return sn.Network(
        [sn.Dense(5, activation="tanh"), sn.Dense(k, activation="softmax")],
        loss=loss,
        seed=seed,
        **kwargs,
    )


def _regressor(loss, seed=1, **kwargs):
    return sn.Network([sn.Dense(4, activation="tanh"), sn.Dense(2)], loss=loss, seed=seed, **kwargs)


# -- error = minus the gradient of the value ------------------------------------------------------


@pytest.mark.parametrize("loss", NEW_LOSSES, ids=repr)
def test_error_is_minus_the_finite_difference_gradient(loss, rng):
    out = rng.normal(size=(6, 3))
    kinks = [0.0] + ([loss.delta] if isinstance(loss, sn.Huber) else [])
    y = out + _off_kinks(rng, out.shape, kinks)
    np.testing.assert_allclose(loss.error(y, out), _numeric_error(loss, y, out), atol=1e-9)
    value, error = loss.value_and_error(y, out)
    assert value == pytest.approx(loss(y, out), rel=1e-12)
    np.testing.assert_allclose(error, loss.error(y, out), rtol=1e-12)


def test_sparse_error_and_delta_are_the_gradients(rng):
    loss = sn.SparseCategoricalCrossEntropy()
    z = rng.normal(size=(6, 4))
    out = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = rng.randint(4, size=(6, 1)).astype(float)
    np.testing.assert_allclose(loss.error(y, out), _numeric_error(loss, y, out), rtol=1e-7)
    # the fused delta: minus the gradient with respect to softmax's input z
    numeric = np.empty_like(z)
    h = 1e-6
    for idx in np.ndindex(z.shape):
        values = []
        for step in (h, -h):
            zz = z.copy()
            zz[idx] += step
            values.append(loss(y, np.exp(zz) / np.exp(zz).sum(axis=1, keepdims=True)))
        numeric[idx] = -(values[0] - values[1]) / (2 * h)
    np.testing.assert_allclose(loss.delta(y, out), numeric, atol=1e-9)


def test_mae_error_at_zero_is_zero():
    y = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(sn.MeanAbsoluteError().error(y, y.copy()), [[0.0, 0.0]])


@pytest.mark.parametrize("loss", ["huber", {"name": "huber", "delta": 0.5}, "mae"])
def test_gradcheck_on_a_small_network(loss, rng):
    X, y = _regression(rng)
    net = _regressor(loss)
    assert net.fit(X, y, epochs=2).history["loss"]
    # the net's outputs are near 0 and the targets several units away: no entry sits on a kink
    out = net.predict(X)
    assert np.abs(y - out).min() > 1e-2
    if net.loss.name == "huber":
        assert np.abs(np.abs(y - out) - net.loss.delta).min() > 1e-2
    assert sn.gradcheck(net, X, y) < 1e-6


def test_gradcheck_sparse_categorical_crossentropy(rng):
    X, labels = _softmax_data(rng)
    net = _classifier("sparse_categorical_crossentropy")
    assert net.fused
    assert sn.gradcheck(net, X, labels) < 1e-6
    assert sn.gradcheck(net, X, labels.reshape(-1, 1)) < 1e-6


# -- values ---------------------------------------------------------------------------------------


def test_values_against_direct_formulas(rng):
    y, out = rng.normal(size=(10, 3)) * 2, rng.normal(size=(10, 3))
    e = y - out
    for delta in (1.0, 0.4, 2.5):
        direct = np.where(np.abs(e) <= delta, 0.5 * e**2, delta * (np.abs(e) - 0.5 * delta))
        assert sn.Huber(delta)(y, out) == pytest.approx(direct.mean(), rel=1e-12)
        np.testing.assert_allclose(sn.Huber(delta).per_sample(y, out), direct.mean(axis=1))
    assert sn.MeanAbsoluteError()(y, out) == pytest.approx(np.abs(e).mean(), rel=1e-12)
    p = rng.dirichlet(np.ones(3), size=10)
    labels = rng.randint(3, size=10)
    direct = -np.log(p[np.arange(10), labels])
    sparse = sn.SparseCategoricalCrossEntropy()
    assert sparse(labels[:, None].astype(float), p) == pytest.approx(direct.mean(), rel=1e-12)
    assert sparse(labels[:, None].astype(float), p) == pytest.approx(
        sn.CategoricalCrossEntropy()(np.eye(3)[labels], p), rel=1e-12
    )


def test_weighted_values_are_weighted_averages(rng):
    y, out = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    w = rng.uniform(0.1, 2, size=8)
    for loss in NEW_LOSSES:
        expected = np.dot(w, loss.per_sample(y, out)) / w.sum()
        assert loss(y, out, w) == pytest.approx(expected, rel=1e-12)


def test_huber_is_mse_like_near_and_mae_like_far():
    y = np.zeros((1, 1))
    assert sn.Huber(1.0)(y, np.array([[0.5]])) == pytest.approx(0.125)
    assert sn.Huber(1.0)(y, np.array([[3.0]])) == pytest.approx(2.5)
    assert sn.Huber(2.0)(y, np.array([[-3.0]])) == pytest.approx(4.0)


@pytest.mark.parametrize(
    "delta, error", [(0, ValueError), (-1.0, ValueError), (np.inf, ValueError), ("1", TypeError)]
)
def test_huber_delta_is_checked(delta, error):
    with pytest.raises(error, match="delta"):
        sn.Huber(delta)
    with pytest.raises(error, match="delta"):
        losses.get({"name": "huber", "delta": delta})


# -- float32 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["huber", "mae", "sparse_categorical_crossentropy"])
def test_float32_end_to_end(loss, rng):
    if loss.startswith("sparse"):
        X, y = _softmax_data(rng, n=20)
        net = _classifier(loss, metrics=["acc"])
    else:
        X, y = _regression(rng, n=20)
        net = _regressor(loss, metrics=["mae"])
    X = X.astype(np.float32)
    y = y.astype(np.float32)
    history = net.fit(X, y, epochs=3, batch_size=8, sample_weight=rng.uniform(0.5, 1, 20))
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.params)
    assert history.last_output.dtype == np.float32
    assert np.isfinite(history.history["loss"]).all()
    out = net.predict(X)
    assert out.dtype == np.float32
    yy = net.check_data(X, y)[1]
    assert net.loss.error(yy, out).dtype == np.float32
    assert net.loss.value_and_error(yy, out)[1].dtype == np.float32
    if net.fused:
        assert net.loss.delta(yy, out).dtype == np.float32


# -- the sparse loss: as categorical_crossentropy on one-hot rows ---------------------------------


def test_sparse_trains_as_categorical_on_one_hot_rows(rng):
    X, labels = _softmax_data(rng, n=40)
    weights = rng.uniform(0.2, 2, size=40)
    runs = []
    for loss, y in (
        ("sparse_categorical_crossentropy", labels),
        ("categorical_crossentropy", np.eye(3)[labels]),
    ):
        net = _classifier(loss, seed=5, metrics=["accuracy"])
        history = net.fit(
            X, y, epochs=4, batch_size=7, validation_split=0.25, sample_weight=weights
        )
        runs.append((net, history))
    (sparse, h1), (dense, h2) = runs
    for p, q in zip(sparse.params, dense.params):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert h1.history.keys() == h2.history.keys()
    for key in h1.history:
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-12, atol=1e-12)
    assert sparse.evaluate(X, labels)["loss"] == pytest.approx(
        dense.evaluate(X, np.eye(3)[labels])["loss"], rel=1e-12
    )


@pytest.mark.parametrize(
    "bad, row, shown",
    [(1.5, 3, r"1\.5, not a whole number"), (3, 3, "3, outside 0..2"), (-1, 3, "-1, outside")],
)
def test_sparse_refuses_bad_labels_naming_the_first(bad, row, shown, rng):
    X, labels = _softmax_data(rng)
    y = labels.astype(float)
    y[row] = bad
    y[row + 2] = 7  # a later bad row: not the one named
    with pytest.raises(ValueError, match=rf"row {row} of y is {shown}"):
        _classifier("sparse_categorical_crossentropy").fit(X, y)


def test_sparse_refuses_one_hot_rows_and_one_output(rng):
    X, labels = _softmax_data(rng)
    with pytest.raises(ValueError, match="y has 3 columns; for one-hot rows use categorical_"):
        _classifier("sparse_categorical_crossentropy").fit(X, np.eye(3)[labels])
    with pytest.raises(ValueError, match="needs one output per class"):
        sn.Network([sn.Dense(1, activation="sigmoid")], loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="probabilities that sum to 1"):
        sn.Network([sn.Dense(3, activation="sigmoid")], loss="sparse_categorical_crossentropy")


def test_the_one_hot_hint_names_the_sparse_loss(rng):
    X, labels = _softmax_data(rng)
    with pytest.raises(
        ValueError, match=r"np\.eye\(3\)\[labels\], or use loss='sparse_categorical_crossentropy'"
    ):
        _classifier("categorical_crossentropy").fit(X, labels)


def test_trace_shows_the_one_hot_of_the_labels(rng):
    X, labels = _softmax_data(rng, n=4)
    lines = []
    _classifier("sparse_categorical_crossentropy").trace(X, labels, print_fn=lines.append)
    assert "l2_delta = (onehot(y) - l2) / n_samples" in "\n".join(lines)


# -- metrics on class indices, "acc" --------------------------------------------------------------


def test_accuracy_on_class_indices_and_its_alias(rng):
    out = rng.dirichlet(np.ones(4), size=30)
    labels = rng.randint(4, size=30)
    expected = np.mean(out.argmax(axis=1) == labels)
    assert metrics.accuracy(labels[:, None].astype(float), out) == pytest.approx(expected)
    assert metrics.accuracy(np.eye(4)[labels], out) == pytest.approx(expected)
    w = rng.uniform(size=30)
    assert metrics.accuracy(labels[:, None], out, sample_weight=w) == pytest.approx(
        np.dot(w, out.argmax(axis=1) == labels) / w.sum()
    )
    assert metrics.get("acc") == ("acc", metrics.accuracy)
    assert metrics.get("ACC") == ("acc", metrics.accuracy)
    with pytest.raises(ValueError, match="for class indices use 'accuracy'"):
        metrics.mae(labels[:, None].astype(float), out)


def test_acc_is_recorded_under_its_own_name_and_saved(rng, tmp_path):
    pytest.importorskip("safetensors")
    X, labels = _softmax_data(rng, n=30)
    net = _classifier("sparse_categorical_crossentropy", metrics=["acc", "accuracy"])
    history = net.fit(X, labels, epochs=3, validation_split=0.2)
    assert set(history.history) == {
        "loss",
        "acc",
        "accuracy",
        "val_loss",
        "val_acc",
        "val_accuracy",
    }
    assert history.history["acc"] == history.history["accuracy"]
    assert net.evaluate(X, labels)["acc"] == pytest.approx(
        np.mean(net.predict(X).argmax(axis=1) == labels)
    )
    assert net.config()["metrics"] == ["acc", "accuracy"]
    net.save(tmp_path / "m.safetensors")
    assert sn.load(tmp_path / "m.safetensors").config()["metrics"] == ["acc", "accuracy"]


# -- configs, files, checkpoints ------------------------------------------------------------------


def test_configs_keep_plain_names_and_huber_its_delta():
    assert _regressor("mse").config()["loss"] == "mse"
    assert _regressor("mae").config()["loss"] == "mae"
    assert _classifier("sparse_categorical_crossentropy").config()["loss"] == (
        "sparse_categorical_crossentropy"
    )
    net = _regressor(sn.Huber(delta=2.0))
    assert net.config()["loss"] == {"name": "huber", "delta": 2.0}
    rebuilt = sn.Network.from_config(net.config())
    assert isinstance(rebuilt.loss, sn.Huber) and rebuilt.loss.delta == 2.0
    assert repr(rebuilt.loss) == "Huber(delta=2.0)"
    assert losses.get("huber").delta == 1.0
    assert isinstance(losses.get({"name": "mse"}), sn.MeanSquaredError)


@pytest.mark.parametrize(
    "loss", [sn.Huber(delta=2.0), "mae", "sparse_categorical_crossentropy"], ids=str
)
def test_save_and_load_round_trip(loss, rng, tmp_path):
    pytest.importorskip("safetensors")
    if loss == "sparse_categorical_crossentropy":
        X, y = _softmax_data(rng, n=20)
        net = _classifier(loss)
    else:
        X, y = _regression(rng, n=20)
        net = _regressor(loss)
    net.fit(X, y, epochs=3)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert loaded.config() == net.config()
    assert type(loaded.loss) is type(net.loss)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert loaded.evaluate(X, y) == net.evaluate(X, y)


def test_old_files_with_plain_loss_names_still_load(rng, tmp_path):
    pytest.importorskip("safetensors")
    X, y = _regression(rng)
    net = _regressor("mse")
    net.fit(X, y)
    config = net.config()
    assert config["loss"] == "mse"  # what every earlier file holds
    assert isinstance(sn.Network.from_config(config).loss, sn.MeanSquaredError)


def test_checkpoint_resumes_huber_and_refuses_another_delta(rng, tmp_path):
    pytest.importorskip("safetensors")
    X, y = _regression(rng, n=24)
    path = tmp_path / "c.ckpt"
    straight = _regressor(sn.Huber(0.5), seed=3)
    straight.fit(X, y, epochs=4, batch_size=8)
    _regressor(sn.Huber(0.5), seed=3).fit(X, y, epochs=2, batch_size=8, checkpoint=path)
    resumed = _regressor(sn.Huber(0.5), seed=3)
    resumed.fit(X, y, epochs=4, batch_size=8, resume=path)
    for p, q in zip(straight.params, resumed.params):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match=r"loss=\{'name': 'huber', 'delta': 0\.5\}"):
        _regressor(sn.Huber(0.7), seed=3).fit(X, y, epochs=4, batch_size=8, resume=path)


@pytest.mark.parametrize(
    ("loss", "formula"),
    [
        ("mse", "l2_error = 2 * (y - l2) / y.size"),
        ("mae", "l2_error = sign(y - l2) / y.size"),
        (sn.Huber(delta=0.5), "l2_error = clip(y - l2, -0.5, 0.5) / y.size"),
    ],
)
def test_trace_writes_the_error_of_each_loss_and_its_numbers_follow_it(loss, formula):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([[1.0], [2.0], [0.0], [0.5]])
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dense(1)], loss=loss, seed=0)
    record = net.trace(X, y, print_fn=None)
    assert formula in record.text
    e = y - record["l2"]
    expected = {"mse": 2 * e, "mae": np.sign(e), "huber": np.clip(e, -0.5, 0.5)}[net.loss.name]
    np.testing.assert_allclose(record["l2_error"], expected / y.size, rtol=1e-12)


def test_summary_shows_huber_s_delta():
    lines = []
    sn.Network([sn.Dense(1, input_dim=2)], loss=sn.Huber(delta=2.5)).summary(lines.append)
    assert "Loss: huber(delta=2.5)  Optimizer:" in lines[0]
    lines.clear()
    sn.Network([sn.Dense(1, input_dim=2)], loss="mae").summary(lines.append)
    assert "Loss: mae  Optimizer:" in lines[0]
