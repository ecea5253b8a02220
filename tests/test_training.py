"""Training features: minibatches, validation, sample weights, regularization, callbacks,
progress."""

import csv
import json
import math

import numpy as np
import pytest

import smallnet as sn
from smallnet import metrics, samples


def _classes(n=120, k=3, seed=0):
    rng = np.random.RandomState(seed)
    labels = rng.randint(k, size=n)
    X = rng.normal(size=(n, 2)) + 3 * np.eye(k, 2)[labels]
    return X, np.eye(k)[labels], labels


def _clf(seed=0, **kw):
    return sn.Network(
        [sn.Dense(16, activation="relu"), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        optimizer=kw.pop("optimizer", sn.Adam(0.02)),
        metrics=["accuracy"],
        seed=seed,
        **kw,
    )


def _reg_data(n=100, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    return X, X @ [[1.0], [-2.0], [0.5]] + 0.3


def _reg(seed=0, **kw):
    return sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dense(1)],
        loss="mse",
        optimizer=kw.pop("optimizer", sn.Adam(0.02)),
        metrics=["mae", "r2"],
        seed=seed,
        **kw,
    )


# -- validation ---------------------------------------------------------------------------------


def test_validation_split_is_stratified_and_logged():
    X, Y, labels = _classes(n=90)
    Y = np.eye(3)[np.repeat([0, 1, 2], [60, 20, 10])]
    net = _clf()
    history = net.fit(X, Y, epochs=3, validation_split=0.2)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    # 20% of 60/20/10 rows per class: 12, 4 and 2 held out.
    X_train, Y_train, _, (X_val, Y_val, _) = samples.split(
        X, Y, None, samples.validation_rows(Y, 0.2, net.rng, stratify=True)
    )
    assert np.bincount(Y_val.argmax(axis=1), minlength=3).tolist() == [12, 4, 2]
    assert len(X_train) == 72 and len(X_val) == 18


def test_validation_split_is_seeded():
    X, Y, _ = _classes()
    a = samples.validation_rows(Y, 0.25, _clf(seed=3).rng)
    b = samples.validation_rows(Y, 0.25, _clf(seed=3).rng)
    c = samples.validation_rows(Y, 0.25, _clf(seed=4).rng)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_validation_data_metrics_match_evaluate():
    X, Y, _ = _classes()
    Xv, Yv, _ = _classes(seed=1)
    net = _clf()
    history = net.fit(X, Y, epochs=2, validation_data=(Xv, Yv))
    result = net.evaluate(Xv, Yv)
    # The last epoch's validation numbers are measured after its update: the final weights.
    assert history["val_loss"][-1] == pytest.approx(result["loss"])
    assert history["val_accuracy"][-1] == pytest.approx(result["accuracy"])


def test_validation_errors():
    X, Y, _ = _classes()
    with pytest.raises(ValueError, match="not both"):
        _clf().fit(X, Y, validation_split=0.1, validation_data=(X, Y))
    with pytest.raises(ValueError, match="validation_split must be < 1"):
        _clf().fit(X, Y, validation_split=1.0)
    with pytest.raises(ValueError, match="leaves 0 for validation"):
        _clf().fit(X[:4], Y[:4], validation_split=0.1)
    with pytest.raises(ValueError, match=r"validation_data must be \(X_val, y_val\)"):
        _clf().fit(X, Y, validation_data=X)
    with pytest.raises(ValueError, match="X has 3 features"):
        net = _clf()
        net.fit(X, Y, validation_data=(np.ones((5, 3)), Y[:5]))


# -- sample weights -----------------------------------------------------------------------------


def test_integer_sample_weights_equal_repeated_rows_full_batch():
    X, y = _reg_data(n=30)
    w = np.random.RandomState(0).randint(1, 4, size=30)
    a, b = _reg(), _reg()
    a.fit(X, y, epochs=20, sample_weight=w)
    b.fit(np.repeat(X, w, axis=0), np.repeat(y, w, axis=0), epochs=20)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-9)


def test_zero_weight_rows_are_ignored():
    X, y = _reg_data(n=30)
    noisy = y.copy()
    noisy[:10] = 100.0
    a, b = _reg(), _reg()
    a.fit(X, noisy, epochs=30, sample_weight=np.r_[np.zeros(10), np.ones(20)])
    b.fit(X[10:], y[10:], epochs=30)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-9)


def test_sample_weight_errors():
    X, y = _reg_data(n=10)
    with pytest.raises(ValueError, match="sample_weight has 9 entries, but X has 10 rows"):
        _reg().fit(X, y, sample_weight=np.ones(9))
    with pytest.raises(ValueError, match="non-negative"):
        _reg().fit(X, y, sample_weight=-np.ones(10))
    with pytest.raises(ValueError, match="zero everywhere"):
        _reg().fit(X, y, sample_weight=np.zeros(10))
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        _reg().fit(X, y, sample_weight=np.full(10, np.nan))


def test_weighted_minibatches_train():
    X, Y, _ = _classes()
    history = _clf().fit(X, Y, epochs=20, batch_size=16, sample_weight=np.linspace(0.5, 2, len(X)))
    assert history["loss"][-1] < history["loss"][0]


def _sse_net(seed=0):
    """The tutorial's summed loss, whose weighted value is n times the weighted average."""
    return sn.Network(
        [sn.Dense(4, activation="sigmoid"), sn.Dense(1)],
        loss="sse",
        optimizer=sn.SGD(0.01),
        metrics=["mae"],
        seed=seed,
    )


@pytest.mark.parametrize("make", [_reg, _sse_net])
def test_weighted_loss_is_the_weighted_average_in_evaluate_objective_and_training(make):
    X, y = _reg_data(n=50)
    w = np.random.RandomState(1).uniform(0, 3, size=50)
    net = make()
    history = net.fit(X, y, epochs=1, sample_weight=w)
    n = (
        len(X) if net.loss.summed else 1
    )  # a summed loss: weights rescaled to mean 1, as in training
    # the training step's loss, on its outputs before the update
    assert history["loss"][0] == pytest.approx(
        n * np.average(net.loss.per_sample(y, history.last_output), weights=w)
    )
    out = net.predict(X)
    expected = n * np.average(net.loss.per_sample(y, out), weights=w)
    assert net.evaluate(X, y, sample_weight=w)["loss"] == pytest.approx(expected, rel=1e-12)
    assert net.objective(y, out, w) == pytest.approx(expected, rel=1e-12)
    # weights all alike, however large, change nothing
    plain = net.evaluate(X, y)["loss"]
    for c in (1.0, 10.0, 1e307):
        assert net.evaluate(X, y, sample_weight=np.full(50, c))["loss"] == pytest.approx(
            plain, rel=1e-12
        )


@pytest.mark.parametrize("loss", sorted(sn.losses.LOSSES))
def test_loss_weights_count_by_their_ratios(loss):
    loss = sn.losses.get(loss)
    rng = np.random.RandomState(0)
    y = np.eye(3)[rng.randint(3, size=8)]
    out = rng.dirichlet(np.ones(3), size=8)
    w = rng.randint(0, 4, size=8)
    repeated = loss(np.repeat(y, w, axis=0), np.repeat(out, w, axis=0))
    # a mean loss is the mean over the repeated rows; a summed one n times it, not their sum
    assert loss(y, out, w) == pytest.approx(repeated * (len(y) / w.sum() if loss.summed else 1))
    assert loss(y, out, np.full(8, 1e307)) == pytest.approx(loss(y, out))
    assert loss(y, out, np.zeros(8)) == 0.0  # a minibatch of zero weights: nothing counts


def test_weighted_evaluate_and_validation_metrics_are_weighted():
    X, Y, _ = _classes()
    Xv, Yv, _ = _classes(seed=1)
    net = _clf()
    wv = np.random.RandomState(2).uniform(0, 3, size=len(Xv))
    history = net.fit(X, Y, epochs=2, validation_data=(Xv, Yv, wv))
    out = net.predict(Xv)  # the last epoch's validation logs are measured with the final weights
    right = out.argmax(axis=1) == Yv.argmax(axis=1)
    assert history["val_loss"][-1] == pytest.approx(
        np.average(net.loss.per_sample(Yv, out), weights=wv)
    )
    assert history["val_accuracy"][-1] == pytest.approx(np.average(right, weights=wv))
    # weight only on the rows classified right: a weighted accuracy of 1, whatever the unweighted
    # one
    assert 0 < right.mean() < 1
    assert net.evaluate(Xv, Yv, sample_weight=right)["accuracy"] == 1.0


def test_weighted_training_metrics_are_weighted():
    X, Y, _ = _classes()
    w = np.random.RandomState(3).uniform(0, 3, size=len(X))
    net = _clf()
    history = net.fit(X, Y, epochs=1, sample_weight=w)
    right = history.last_output.argmax(axis=1) == Y.argmax(axis=1)
    assert history["accuracy"][0] == pytest.approx(np.average(right, weights=w))


def test_minibatch_metrics_see_each_row_with_its_weight():
    X, _ = _reg_data(n=50)
    w = np.arange(1.0, 51.0)
    y = w[:, None]  # each row's target is its weight, so that the metric can tell the order
    aligned = []

    def weights_follow_rows(y, out, sample_weight=None):
        aligned.append(sample_weight is not None and np.array_equal(sample_weight, y[:, 0]))
        return 0.0

    net = sn.Network(
        [sn.Dense(4, activation="tanh"), sn.Dense(1)], metrics=[weights_follow_rows], seed=0
    )
    net.fit(X, y, epochs=2, batch_size=16, shuffle=True, sample_weight=w)
    assert aligned == [True, True]


def test_minibatch_epoch_loss_is_the_weighted_average():
    X, y = _reg_data(n=50)
    w = np.repeat([1.0, 10.0], 25)  # the second batch weighs ten times the first
    net = _reg(
        optimizer=sn.SGD(1e-300)
    )  # steps too small to change anything: one set of weights throughout
    history = net.fit(X, y, epochs=1, batch_size=25, shuffle=False, sample_weight=w)
    assert history["loss"][0] == pytest.approx(
        net.evaluate(X, y, sample_weight=w)["loss"], rel=1e-12
    )


def test_huge_finite_sample_weights_count_by_their_ratios():
    X, y = _reg_data(n=50)
    plain = _reg()
    plain.fit(X, y, epochs=10)
    huge = _reg()
    huge.fit(X, y, epochs=10, sample_weight=np.full(50, 1e307))  # their mean overflows
    np.testing.assert_allclose(huge.predict(X), plain.predict(X), rtol=1e-9)
    # a float32 network: weights that fit float64 but not float32, in minibatches
    ratios = np.repeat([1.0, 2.0], 25)
    a, b = _reg(dtype="float32"), _reg(dtype="float32")
    a.fit(X, y, epochs=5, batch_size=20, sample_weight=ratios * 1e300)
    b.fit(X, y, epochs=5, batch_size=20, sample_weight=ratios)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-5)
    assert a.evaluate(X, y, sample_weight=ratios * 1e300)["loss"] == pytest.approx(
        a.evaluate(X, y, sample_weight=ratios)["loss"], rel=1e-5
    )


def test_metric_callables_get_weights_only_if_they_name_them():
    X, y = _reg_data(n=20)
    w = np.arange(1.0, 21.0)
    got = {}

    def plain(y, out):
        return 0.0

    def with_weights(y, out, weights=None):
        got["weights"] = weights
        return 0.0

    def with_kwargs(y, out, **kwargs):  # **kwargs needn't mean weights
        got["kwargs"] = kwargs
        return 0.0

    net = sn.Network([sn.Dense(1)], metrics=[plain, with_weights, with_kwargs, "mae"], seed=0)
    net.fit(X, y, epochs=1, sample_weight=w)
    np.testing.assert_array_equal(got["weights"], w)
    result = net.evaluate(X, y, sample_weight=w)
    np.testing.assert_array_equal(got["weights"], w)
    assert got["kwargs"] == {} and result["plain"] == 0.0
    assert result["mae"] == pytest.approx(np.average(np.abs(y - net.predict(X))[:, 0], weights=w))
    assert [metrics.weight_keyword(f) for f in (plain, with_weights, with_kwargs, metrics.r2)] == [
        None,
        "weights",
        None,
        "sample_weight",
    ]
    assert metrics.weight_keyword(lambda y, out, /, sample_weight=None: 0) == "sample_weight"
    assert metrics.weight_keyword(lambda y, out, sample_weight, /: 0) is None  # positional-only


# -- metrics ------------------------------------------------------------------------------------


def test_metric_values():
    y = np.array([[1.0], [2.0], [3.0]])
    out = np.array([[1.5], [2.0], [2.0]])
    assert metrics.mae(y, out) == pytest.approx(0.5)
    assert metrics.mse(y, out) == pytest.approx(1.25 / 3)
    assert metrics.r2(y, out) == pytest.approx(1 - 1.25 / 2)
    onehot = np.eye(3)[[0, 1, 2, 2]]
    assert metrics.accuracy(onehot, np.eye(3)[[0, 1, 1, 2]]) == 0.75
    assert (
        metrics.binary_accuracy(np.array([[1, 0], [0, 1.0]]), np.array([[0.9, 0.6], [0.2, 0.7]]))
        == 0.75
    )
    assert metrics.accuracy(np.array([[1.0], [0.0]]), np.array([[0.7], [0.6]])) == 0.5


@pytest.mark.parametrize("name", sorted(metrics.METRICS))
@pytest.mark.parametrize("outputs", [1, 3])
def test_weighted_metrics_equal_repeated_rows(name, outputs):
    rng = np.random.RandomState(outputs)
    y, out = rng.uniform(size=(12, outputs)), rng.uniform(size=(12, outputs))
    w = rng.randint(0, 4, size=12)
    fn = metrics.METRICS[name]
    assert fn(y, out, sample_weight=w) == pytest.approx(
        fn(np.repeat(y, w, axis=0), np.repeat(out, w, axis=0))
    )
    assert fn(y, out, sample_weight=np.full(12, 1e307)) == pytest.approx(fn(y, out))


def test_metrics_are_recorded_for_train_and_validation():
    X, y = _reg_data()
    history = _reg().fit(X, y, epochs=3, batch_size=32, validation_split=0.2)
    assert set(history.history) == {"loss", "mae", "r2", "val_loss", "val_mae", "val_r2"}
    assert all(len(v) == 3 for v in history.history.values())


# -- regularization -------------------------------------------------------------------------------


def test_l2_shrinks_weights_and_adds_to_loss():
    X, y = _reg_data()
    plain, decayed = _reg(), _reg(l2=0.1)
    plain.fit(X, y, epochs=50)
    history = decayed.fit(X, y, epochs=50)
    assert np.linalg.norm(decayed.layers[0].weights) < np.linalg.norm(plain.layers[0].weights)
    assert (
        history["loss"][-1] > decayed.evaluate(X, y)["loss"]
    )  # the training loss carries the penalty


def test_l2_gradient_is_checked():
    X, y = _reg_data(n=8)
    assert sn.gradcheck(_reg(l2=0.3), X, y) < 1e-6


def test_dropout_only_in_training_and_seeded():
    X, Y, _ = _classes()
    net = sn.Network(
        [sn.Dense(32, activation="relu"), sn.Dropout(0.5), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        seed=0,
    )
    net.fit(X, Y, epochs=2)
    np.testing.assert_array_equal(net.predict(X), net.predict(X))  # inference is deterministic
    drop = net.layers[1]
    out = drop.forward(np.ones((1000, 4)), training=True)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs((out == 0).mean() - 0.5) < 0.05
    twin = sn.Network(
        [sn.Dense(32, activation="relu"), sn.Dropout(0.5), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        seed=0,
    )
    twin.fit(X, Y, epochs=2)
    np.testing.assert_array_equal(twin.params[0], net.params[0])


def test_dropout_backward_uses_the_mask():
    drop = sn.Dropout(0.3)
    drop.build(5, np.float64, np.random.RandomState(0))
    out = drop.forward(np.ones((4, 5)), training=True)
    np.testing.assert_array_equal(drop.backward(np.ones((4, 5))), out)
    with pytest.raises(ValueError, match="rate must be < 1"):
        sn.Dropout(1.0)


def test_dropout_in_summary_and_chain():
    net = sn.Network([sn.Dense(4, input_dim=3), sn.Dropout(0.1), sn.Dense(2, input_dim=4)], seed=0)
    lines = []
    net.build()
    net.summary(print_fn=lines.append)
    assert "dropout_1 (Dropout 0.1)" in lines[0] and net.output_dim == 2
    with pytest.raises(ValueError, match="don't chain"):
        sn.Network([sn.Dense(4, input_dim=3), sn.Dropout(0.1), sn.Dense(2, input_dim=5)])


# -- schedules ------------------------------------------------------------------------------------


def _rates(schedule, epochs=6, lr=0.1):
    net = _reg(optimizer=sn.SGD(lr))
    X, y = _reg_data(n=10)
    seen = []

    class Record(sn.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(self.network.optimizer.learning_rate)

    net.fit(X, y, epochs=epochs, callbacks=[schedule, Record()])
    return seen


def test_step_exponential_and_cosine_schedules():
    assert _rates(sn.StepDecay(2, 0.5)) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert _rates(sn.ExponentialDecay(0.5), epochs=3) == pytest.approx([0.1, 0.05, 0.025])
    cosine = _rates(sn.CosineDecay(4, min_lr=0.01), epochs=6)
    assert cosine[0] == pytest.approx(0.1) and cosine[2] == pytest.approx(0.055)
    assert cosine[4:] == pytest.approx([0.01, 0.01])


def test_reduce_on_plateau():
    net = _reg(optimizer=sn.SGD(0.1))
    plateau = sn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    plateau.network = net
    plateau.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.7, 0.8, 0.4]):
        plateau.on_epoch_end(epoch, {"loss": loss})
    assert net.optimizer.learning_rate == pytest.approx(
        0.05
    )  # epochs 2,3 without improvement -> one cut
    with pytest.raises(ValueError, match="monitors 'val_loss'.*validation_split"):
        X, y = _reg_data(n=10)
        net.fit(X, y, epochs=2, callbacks=[sn.ReduceLROnPlateau()])


# -- callbacks -------------------------------------------------------------------------------------


def test_early_stopping_stops_and_restores_best():
    X, y = _reg_data()
    stop = sn.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    net = _reg(optimizer=sn.SGD(0.5))

    class Worsen(sn.Callback):  # make the loss rise after epoch 5 by scrambling the weights
        def on_epoch_end(self, epoch, logs=None):
            if epoch >= 5:
                for p in self.network.params:
                    p += 0.5

    history = net.fit(X, y, epochs=50, callbacks=[stop, Worsen()])
    assert stop.stopped_epoch is not None and len(history["loss"]) == stop.stopped_epoch + 1
    assert stop.best_epoch <= 6
    net_loss = net.evaluate(X, y)["loss"]
    assert net_loss < history["loss"][-1]
    assert history.kept_epoch == stop.best_epoch


def test_a_saved_model_reports_the_metrics_of_the_weights_it_holds(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _reg_data()
    stop = sn.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)

    class Worsen(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch >= 3:
                for p in self.network.params:
                    p += 0.5

    net = _reg(optimizer=sn.SGD(0.5))
    history = net.fit(X, y, epochs=20, callbacks=[stop, Worsen()])
    net.save(tmp_path / "m.safetensors")
    final = sn.load(tmp_path / "m.safetensors").metadata["final_metrics"]
    assert final["loss"] == history["loss"][stop.best_epoch] != history["loss"][-1]


def test_early_stopping_restores_when_epochs_run_out():
    X, y = _reg_data()
    stop = sn.EarlyStopping(monitor="loss", patience=100, restore_best_weights=True)
    net = _reg()
    kept = []

    class Spy(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 7:
                kept.extend(self.network.get_weights())  # the last epoch's weights
            if epoch == 3:
                logs["loss"] = -1.0  # pretend epoch 3 was the best

    net.fit(X, y, epochs=8, callbacks=[Spy(), stop])
    assert stop.stopped_epoch is None and stop.best_epoch == 3
    # the weights stored at the best epoch's end are back, not the last epoch's
    np.testing.assert_array_equal(net.get_weights()[0], stop.best_weights[0])
    assert not np.array_equal(kept[0], net.get_weights()[0])


def test_early_stopping_needs_validation_for_val_metrics():
    X, y = _reg_data()
    with pytest.raises(ValueError, match="EarlyStopping monitors 'val_loss'"):
        _reg().fit(X, y, epochs=3, callbacks=[sn.EarlyStopping()])
    with pytest.raises(ValueError, match="mode must be"):
        sn.EarlyStopping(mode="up")


def test_divergence_guard_restores_last_finite_weights():
    X, y = _reg_data()
    net = _reg(optimizer=sn.SGD(1e6))
    with pytest.warns(sn.DivergenceWarning, match="diverged in epoch .*lower learning rate"):
        history = net.fit(X, y, epochs=50)
    assert not math.isfinite(history["loss"][-1]) and len(history["loss"]) < 50
    assert all(np.isfinite(p).all() for p in net.params)
    assert np.isfinite(net.predict(X)).all()


def test_history_logger_writes_csv_and_json(tmp_path):
    X, y = _reg_data()
    net = _reg()
    net.fit(
        X,
        y,
        epochs=4,
        validation_split=0.2,
        callbacks=[
            sn.HistoryLogger(tmp_path / "h.csv"),
            sn.HistoryLogger(tmp_path / "h.json", every=3),
        ],
    )
    with (tmp_path / "h.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2", "3", "4"] and "val_r2" in rows[0]
    data = json.loads((tmp_path / "h.json").read_text())
    assert data["epoch"] == [1, 2, 3, 4] and len(data["val_loss"]) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "h.csv",
        "h.json",
    ]  # no temporary files left
    with pytest.raises(ValueError, match=".csv or .json"):
        sn.HistoryLogger(tmp_path / "h.txt")


@pytest.mark.parametrize("name", ["h.csv", "h.json"])
def test_history_logger_writes_every_epoch_of_columns_of_different_lengths(tmp_path, name):
    # such as a resume from a checkpoint that had validation by a run without it
    history = sn.History()
    history.history = {"loss": [0.5, 0.4, 0.3, 0.2], "val_loss": [0.6, 0.5]}
    history.epoch = [0, 1, 2, 3]
    from types import SimpleNamespace

    logger = sn.HistoryLogger(tmp_path / name)
    logger.network = SimpleNamespace(history=history)
    logger.on_train_end()
    if name.endswith(".csv"):
        with (tmp_path / name).open() as f:
            rows = list(csv.DictReader(f))
        assert [(r["epoch"], r["loss"], r["val_loss"]) for r in rows] == [
            ("1", "0.5", "0.6"),
            ("2", "0.4", "0.5"),
            ("3", "0.3", ""),
            ("4", "0.2", ""),
        ]
    else:
        assert json.loads((tmp_path / name).read_text()) == {
            "epoch": [1, 2, 3, 4],
            "loss": [0.5, 0.4, 0.3, 0.2],
            "val_loss": [0.6, 0.5, None, None],
        }


def test_all_hooks_called_in_order():
    X, y = _reg_data(n=20)
    calls = []

    class Spy(sn.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch, logs=None):
            calls.append(f"batch_begin {batch}")

        def on_batch_end(self, batch, logs=None):
            calls.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    _reg().fit(X, y, epochs=1, batch_size=10, callbacks=[Spy()])
    assert calls == [
        "train_begin",
        "epoch_begin 0",
        "batch_begin 0",
        "batch_end 0",
        "batch_begin 1",
        "batch_end 1",
        "epoch_end 0",
        "train_end",
    ]


# -- progress --------------------------------------------------------------------------------------


def test_verbose_lines_in_a_log_have_no_control_characters(capsys):
    X, y = _reg_data()
    _reg().fit(X, y, epochs=20, verbose=1)
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert len(lines) == 11 and lines[0].startswith(
        "epoch 1/20 - loss: "
    )  # every 2 epochs, plus the last
    assert not any(c in out.out + out.err for c in "\r\x1b")
    _reg().fit(X, y, epochs=3, verbose=2)
    assert len(capsys.readouterr().out.splitlines()) == 3
    _reg().fit(X, y, epochs=3)
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
        _reg().fit(X, y, verbose=3)


def test_verbose_on_a_terminal_shows_a_tqdm_bar(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    X, y = _reg_data()
    _reg().fit(X, y, epochs=5, verbose=1)
    err = capsys.readouterr().err
    assert "5/5" in err and "loss=" in err


def test_history_reads_as_a_dict():
    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", metrics=["mae"], seed=0)
    history = net.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=3, validation_split=0.5)
    assert "loss" in history and "val_mae" in history and "nope" not in history
    assert dict(history) == history.history and list(history) == list(history.keys()) == [
        "loss",
        "mae",
        "val_loss",
        "val_mae",
    ]
    assert len(history) == 4 and all(len(values) == 3 for _, values in history.items())


def test_a_metric_must_return_one_number():
    def per_row(y, out):
        return np.abs(y - out).ravel()

    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", metrics=[per_row], seed=0)
    with pytest.raises(
        TypeError,
        match=r"metric 'per_row' must return one real number, got an array of shape \(4,\)",
    ):
        net.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1)


def test_history_holds_floats_with_sample_weights_and_minibatches():
    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", metrics=["mae"], seed=0)
    history = net.fit(
        np.ones((6, 2)), np.ones((6, 1)), epochs=2, batch_size=4, sample_weight=np.arange(1.0, 7.0)
    )
    assert all(type(value) is float for values in history.history.values() for value in values)


@pytest.mark.parametrize("epochs", [1, 3])
def test_divergence_in_the_last_step_or_from_finite_but_huge_weights_is_caught(epochs):
    """A loss is computed before its step: a last step that blows up shows only in the weights, and
    weights of 1e200 are finite while their products are not. The weights put back predict finite
    numbers."""
    X = np.array([[1, 2], [2, 1], [3, 5], [4, 3]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = sn.Network(
        [sn.Dense(4, activation="relu"), sn.Dense(1)], optimizer=sn.SGD(learning_rate=1e200), seed=0
    )
    net.build(2)
    start = [w.copy() for w in net.get_weights()]
    with pytest.warns(sn.DivergenceWarning, match="put back the weights from the start of epoch 1"):
        history = net.fit(X, y, epochs=epochs)
    assert history.kept_epoch == -1 and np.isfinite(net.predict(X)).all()
    for a, b in zip(net.get_weights(), start):
        np.testing.assert_array_equal(a, b)
    assert net.last_batch is None  # the network holds no reference to the data


def test_the_last_batch_is_not_pickled_with_the_network():
    import pickle

    net = sn.Network([sn.Dense(1, input_dim=2)], loss="mse", seed=0)
    net.last_batch = np.ones((1000, 2))  # as a fit interrupted inside a callback would leave it
    assert pickle.loads(pickle.dumps(net)).last_batch is None


def test_stopping_and_plateau_callbacks_say_what_they_did_when_verbose(capsys):
    X, y = _reg_data()

    class Worsen(sn.Callback):  # the loss rises from epoch 4 on
        def on_epoch_end(self, epoch, logs=None):
            if epoch >= 3:
                for p in self.network.params:
                    p += 0.5

    stop = sn.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, verbose=True)
    plateau = sn.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, verbose=True)
    _reg(optimizer=sn.SGD(0.1)).fit(X, y, epochs=30, callbacks=[stop, plateau, Worsen()])
    lines = capsys.readouterr().out.splitlines()
    best = stop.best_epoch + 1
    assert (
        "EarlyStopping: loss has not improved for 2 epochs: "
        f"stopped after epoch {stop.stopped_epoch + 1} (best {stop.best:.6g}, in epoch {best})"
        in lines
    )
    assert lines[-1] == f"EarlyStopping: put back the weights of epoch {best}"
    assert any(
        line.startswith(
            "ReduceLROnPlateau: loss has not improved for 1 epoch: learning rate 0.1 -> 0.05 "
            "after epoch "
        )
        for line in lines
    )
    sn.EarlyStopping(monitor="loss").on_train_begin()  # quiet by default
    with pytest.raises(TypeError, match="verbose must be True or False"):
        sn.ReduceLROnPlateau(verbose="yes")
