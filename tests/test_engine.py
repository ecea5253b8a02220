"""The engines: numba's compiled loops against NumPy's, the switch, and the fallback.

The compiled engine sums in another order than NumPy and BLAS do, so the two agree to float
rounding, not bit for bit: TOLERANCE says how close (relative, after the few epochs trained
here), and each engine on its own is bit-identical run after run.
"""

import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest

import smallnet as sn
from smallnet import checkpoint, datasets, engine, tutorial

if engine.available():
    HAS_NUMBA = True
else:
    HAS_NUMBA = False
    if os.environ.get("CI") == "true":  # CI installs the [fast] extra: these tests must run there
        raise RuntimeError("numba is not installed, and CI=true needs the engine tests to run")
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="numba is not installed ([fast] extra)")
TOLERANCE = {np.float64: 1e-9, np.float32: 2e-4}


@pytest.fixture(autouse=True)
def _no_forced_engine(monkeypatch):
    monkeypatch.delenv(engine.ENVIRONMENT, raising=False)


def _data(n=60, features=4, outputs=1, seed=0, kind="regression"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features))
    if kind == "regression":
        return X, np.tanh(X @ rng.normal(size=(features, outputs)))
    labels = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    if kind == "binary":
        return X, (labels > 0).astype(float)[:, None]
    if kind == "sparse":
        return X, labels
    return X, np.eye(3)[labels]


def _net(hidden="tanh", output="identity", loss="mse", optimizer=None, use_bias=True, **kw):
    units = 3 if "categorical" in loss or output == "softmax" else 1
    return sn.Network(
        [
            sn.Dense(5, activation=hidden, use_bias=use_bias),
            sn.Dense(4, activation=hidden, use_bias=use_bias),
            sn.Dense(units, activation=output, use_bias=use_bias),
        ],
        loss=loss,
        optimizer=sn.SGD(0.05) if optimizer is None else optimizer,
        seed=kw.pop("seed", 1),
        **kw,
    )


def _both(make, X, y, **fit):
    """(numpy network, its history, numba network, its history) after the same fit."""
    runs = []
    for name in ("numpy", "numba"):
        net = make()
        history = net.fit(X, y, engine=name, **fit)
        assert history.engine == name
        runs += [net, history]
    return runs


def _assert_close(a, b, dtype=np.float64):
    np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype] * 1e-3)


def _assert_same_run(np_net, np_hist, nb_net, nb_hist, dtype=np.float64):
    assert np_hist.epoch == nb_hist.epoch and set(np_hist) == set(nb_hist)
    for key in np_hist:
        _assert_close(np_hist[key], nb_hist[key], dtype)
    _assert_close(np_net.flat_params, nb_net.flat_params, dtype)
    _assert_close(np_hist.last_output, nb_hist.last_output, dtype)


# -- the same numbers as NumPy's, block by block ----------------------------------------------

BLOCKS = [
    ("sigmoid", "sigmoid", "sse", "regression"),
    ("tanh", "identity", "mse", "regression"),
    ("relu", "identity", "mse", "regression"),
    ("identity", "tanh", "mse", "regression"),
    ("tanh", "sigmoid", "binary_crossentropy", "binary"),
    ("relu", "softmax", "categorical_crossentropy", "onehot"),
    ("tanh", "softmax", "sparse_categorical_crossentropy", "sparse"),
    ("sigmoid", "softmax", "mse", "onehot"),  # a softmax that the loss doesn't fuse with
]
OPTIMIZERS = {
    "sgd": lambda: sn.SGD(0.05),
    "momentum": lambda: sn.SGD(0.05, momentum=0.9),
    "nesterov": lambda: sn.SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: sn.Adam(0.01),
    "adamw": lambda: sn.AdamW(0.01, weight_decay=0.01),
}


@needs_numba
@pytest.mark.parametrize("hidden, output, loss, kind", BLOCKS)
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_each_block_trains_as_on_numpy(hidden, output, loss, kind, optimizer):
    X, y = _data(kind=kind, outputs=3 if kind == "onehot" else 1)

    def make():
        return _net(hidden, output, loss, OPTIMIZERS[optimizer]())

    _assert_same_run(*_both(make, X, y, epochs=15, batch_size=16))


@needs_numba
@pytest.mark.parametrize("batch_size", [None, 7, 60])
@pytest.mark.parametrize("shuffle", [True, False])
def test_full_batch_and_minibatches_shuffled_or_not(batch_size, shuffle):
    X, y = _data()
    runs = _both(lambda: _net(optimizer=sn.Adam(0.01)), X, y, epochs=12, batch_size=batch_size,
                 shuffle=shuffle)  # fmt: skip
    _assert_same_run(*runs)


@needs_numba
@pytest.mark.parametrize("l1, l2", [(0.0, 0.01), (0.01, 0.0), (0.01, 0.02)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_penalties_and_layers_without_bias(l1, l2, use_bias):
    X, y = _data()
    runs = _both(lambda: _net(use_bias=use_bias, l1=l1, l2=l2), X, y, epochs=10, batch_size=20)
    _assert_same_run(*runs)


@needs_numba
@pytest.mark.parametrize("batch_size", [None, 16])
def test_sample_and_class_weights(batch_size):
    X, y = _data(kind="binary")
    w = np.linspace(0.0, 3.0, len(X))

    def make():
        return _net("tanh", "sigmoid", "binary_crossentropy", sn.Adam(0.02))

    runs = _both(make, X, y, epochs=10, batch_size=batch_size, sample_weight=w)
    _assert_same_run(*runs)
    runs = _both(make, X, y, epochs=10, batch_size=batch_size, class_weight="balanced")
    _assert_same_run(*runs)


@needs_numba
def test_float32_stays_float32_and_agrees_to_its_rounding():
    X, y = _data()
    X, y = X.astype(np.float32), y.astype(np.float32)
    np_net, np_hist, nb_net, nb_hist = _both(lambda: _net(dtype="float32"), X, y, epochs=10)
    assert nb_net.flat_params.dtype == np.float32 and nb_hist.last_output.dtype == np.float32
    _assert_same_run(np_net, np_hist, nb_net, nb_hist, np.float32)


@needs_numba
def test_metrics_validation_and_callbacks_see_the_same_epochs():
    X, y = _data(kind="binary", n=80)

    def make():
        return _net("tanh", "sigmoid", "binary_crossentropy", sn.SGD(0.5, momentum=0.5),
                    metrics=["accuracy", "mae"])  # fmt: skip

    for fit in (
        {"validation_split": 0.25, "batch_size": 10},
        {"validation_data": _data(kind="binary", seed=5)},
        {"callbacks": [sn.callbacks.ExponentialDecay(0.9)], "batch_size": 10},
    ):
        _assert_same_run(*_both(make, X, y, epochs=8, **fit))


@needs_numba
def test_early_stopping_stops_at_the_same_epoch():
    X, y = _data(kind="binary", n=80)

    def make():
        return _net("tanh", "sigmoid", "binary_crossentropy", sn.Adam(0.05))

    stop = {"monitor": "val_loss", "patience": 2, "restore_best_weights": True}
    runs = []
    for name in ("numpy", "numba"):
        net = make()
        history = net.fit(X, y, epochs=300, validation_split=0.3,
                          callbacks=[sn.EarlyStopping(**stop)], engine=name)  # fmt: skip
        runs += [net, history]
    assert len(runs[1].epoch) < 300
    _assert_same_run(*runs)
    assert runs[1].kept_epoch == runs[3].kept_epoch


@needs_numba
def test_the_tutorial_net_gives_the_tutorials_outputs_to_rounding():
    X, y = datasets.tutorial()
    np_net, nb_net = tutorial.network(hidden=(4,)), tutorial.network(hidden=(4,))
    assert np_net.engine == "numpy"  # the demo's: its numbers to the last digit
    np_hist = np_net.fit(X, y, epochs=3000)
    nb_hist = nb_net.fit(X, y, epochs=3000, engine="numba")
    _assert_same_run(np_net, np_hist, nb_net, nb_hist)


# -- one engine, the same numbers every time --------------------------------------------------


@needs_numba
@pytest.mark.parametrize("fit", [{"epochs": 50}, {"epochs": 5, "batch_size": 8}])
def test_the_same_seed_is_bit_identical_run_after_run(fit):
    X, y = _data()
    first, second = _net(optimizer=sn.Adam(0.01)), _net(optimizer=sn.Adam(0.01))
    a, b = first.fit(X, y, engine="numba", **fit), second.fit(X, y, engine="numba", **fit)
    assert a.history == b.history
    np.testing.assert_array_equal(first.flat_params, second.flat_params)
    np.testing.assert_array_equal(a.last_output, b.last_output)


@needs_numba
def test_many_epochs_per_call_equal_one_epoch_per_call():
    class Listening(sn.Callback):  # any callback but History's and the guard's: one per call
        def on_epoch_end(self, epoch, logs=None):
            pass

    X, y = _data()
    bulk, single = _net(optimizer=sn.Adam(0.01)), _net(optimizer=sn.Adam(0.01))
    a = bulk.fit(X, y, epochs=40, batch_size=16, engine="numba")
    b = single.fit(X, y, epochs=40, batch_size=16, engine="numba", callbacks=[Listening()])
    assert a.history == b.history
    np.testing.assert_array_equal(bulk.flat_params, single.flat_params)


@needs_numba
def test_fits_continue_across_engines_from_the_same_state():
    X, y = _data()
    whole, halves = _net(optimizer=sn.Adam(0.01)), _net(optimizer=sn.Adam(0.01))
    whole.fit(X, y, epochs=10, batch_size=16, engine="numpy")
    halves.fit(X, y, epochs=5, batch_size=16, engine="numba")  # Adam's moments and step count,
    halves.fit(X, y, epochs=5, batch_size=16, engine="numpy")  # and the generator, carry over
    _assert_close(whole.flat_params, halves.flat_params)


@needs_numba
@pytest.mark.parametrize("batch_size", [None, 16])
def test_resuming_a_stopped_run_is_bit_identical(tmp_path, batch_size):
    pytest.importorskip("safetensors")
    X, y = _data()
    fit = {"epochs": 10, "batch_size": batch_size, "engine": "numba"}
    reference = _net(optimizer=sn.SGD(0.05, momentum=0.9))
    reference.fit(X, y, **fit)

    class CtrlC(sn.Callback):  # Ctrl-C in epoch 4: that epoch ends, a checkpoint keeps it
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                os.kill(os.getpid(), signal.SIGINT)

    ckpt = tmp_path / "run.ckpt"
    stopped = _net(optimizer=sn.SGD(0.05, momentum=0.9))
    history = stopped.fit(X, y, checkpoint=ckpt, callbacks=[CtrlC()], **fit)
    assert history.interrupted and checkpoint.load_checkpoint(ckpt, _net())[0] == 4
    resumed = _net(optimizer=sn.SGD(0.05, momentum=0.9))
    history = resumed.fit(X, y, checkpoint=ckpt, resume=ckpt, **fit)
    assert history.engine == "numba" and len(history.epoch) == 10
    np.testing.assert_array_equal(resumed.flat_params, reference.flat_params)
    assert history.history == reference.history.history


@needs_numba
def test_a_killed_process_resumes_bit_identical(tmp_path):
    pytest.importorskip("safetensors")
    script = tmp_path / "train.py"
    script.write_text(
        "import sys, numpy as np, smallnet as sn\n"
        "rng = np.random.default_rng(0); X = rng.normal(size=(64, 3)); y = np.tanh(X[:, :1])\n"
        "net = sn.Network([sn.Dense(6, activation='tanh'), sn.Dense(1)], optimizer=sn.Adam(0.01),"
        " seed=2)\n"
        "class Die(sn.Callback):\n"
        "    def on_epoch_end(self, epoch, logs=None):\n"
        "        if epoch == int(sys.argv[3]): import os; os._exit(9)  # killed: no cleanup\n"
        "net.fit(X, y, epochs=30, batch_size=16, engine='numba', checkpoint=sys.argv[1],"
        " checkpoint_every=5, resume=sys.argv[1] if sys.argv[2] == 'resume' else None,"
        " callbacks=[Die()])\n"
        "np.save(sys.argv[1] + '.npy', net.flat_params)\n"
    )
    ckpt, whole = str(tmp_path / "a.ckpt"), str(tmp_path / "b.ckpt")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = [sys.executable, str(script)]
    assert subprocess.run([*run, ckpt, "new", "12"], env=env).returncode == 9
    assert subprocess.run([*run, ckpt, "resume", "-1"], env=env).returncode == 0
    assert subprocess.run([*run, whole, "new", "-1"], env=env).returncode == 0
    np.testing.assert_array_equal(np.load(ckpt + ".npy"), np.load(whole + ".npy"))


@needs_numba
def test_divergence_stops_and_puts_back_finite_weights():
    X, y = _data()
    runs = []
    for name in ("numpy", "numba"):
        net = _net(optimizer=sn.SGD(50.0))
        with pytest.warns(sn.callbacks.DivergenceWarning, match="diverged"):
            history = net.fit(X, y, epochs=500, engine=name)
        assert np.isfinite(net.flat_params).all() and len(history.epoch) < 500
        runs.append(len(history.epoch))
    assert runs[0] == runs[1]


# -- the switch and the fallback ----------------------------------------------------------------


def test_engine_is_checked_everywhere(monkeypatch):
    with pytest.raises(ValueError, match="engine must be one of 'auto', 'numpy', 'numba'"):
        _net(engine="fast")
    X, y = _data()
    net = _net()
    with pytest.raises(ValueError, match="engine must be one of"):
        net.fit(X, y, engine="gpu")
    assert not net.built  # refused before anything was drawn
    monkeypatch.setenv(engine.ENVIRONMENT, "turbo")
    with pytest.raises(ValueError, match="SMALLNET_ENGINE must be one of"):
        net.fit(X, y)


def test_the_environment_variable_forces_an_engine(monkeypatch):
    X, y = _data()
    monkeypatch.setenv(engine.ENVIRONMENT, "numpy")
    assert _net(engine="numba").fit(X, y).engine == "numpy"
    assert engine.describe(_net(engine="numba")) == "numpy (SMALLNET_ENGINE=numpy)"
    if HAS_NUMBA:
        monkeypatch.setenv(engine.ENVIRONMENT, "NUMBA")
        assert _net(engine="numpy").fit(X, y).engine == "numba"


def test_without_numba_auto_runs_numpy_and_numba_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(engine, "available", lambda: False)
    X, y = _data()
    assert _net().fit(X, y).engine == "numpy"
    assert "numba is not installed" in engine.describe(_net())
    with pytest.raises(ImportError, match=r"pip install 'smallnet\[fast\]'"):
        _net(engine="numba").fit(X, y)


@pytest.mark.parametrize(
    "make, why",
    [
        (lambda: sn.Network([sn.Dense(4), sn.Dropout(0.2), sn.Dense(1)]), "Dropout layer"),
        (lambda: sn.Network([sn.Dense(4), sn.BatchNorm(), sn.Dense(1)]), "BatchNorm layer"),
        (lambda: sn.Network([sn.Dense(4, activation="gelu"), sn.Dense(1)]), "gelu activation"),
        (lambda: sn.Network([sn.Dense(4), sn.Dense(1)], loss="huber"), "huber loss"),
        (lambda: sn.Network([sn.Dense(4), sn.Dense(1)], optimizer="rmsprop"), "rmsprop optim"),
        (lambda: sn.Network([sn.Dense(1)], optimizer=sn.SGD(0.1, clipnorm=1.0)), "clipping"),
        (lambda: sn.Network([sn.Dense(1)], optimizer="lbfgs"), "lbfgs optimizer"),
    ],
)
def test_what_the_compiled_engine_cant_run_falls_back_to_numpy(make, why):
    X, y = _data()
    net = make()
    assert why in engine.describe(net) and engine.describe(net).startswith("numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # L-BFGS may not converge in 3 iterations
        history = net.fit(X, y, epochs=3, engine="numba" if HAS_NUMBA else "auto")
    assert history.engine == "numpy"
    assert f"Engine: numpy ({engine.unsupported(net)}" in _summary(net)


def test_a_callback_on_every_batch_runs_on_numpy():
    class EveryBatch(sn.Callback):
        def on_batch_end(self, batch, logs=None):
            pass

    X, y = _data()
    assert _net().fit(X, y, epochs=2, callbacks=[EveryBatch()]).engine == "numpy"


@needs_numba
def test_summary_and_history_name_the_engine():
    net = _net(optimizer=sn.Adam())
    net.build(4)
    assert "Engine: numba (compiled training loop)" in _summary(net)
    net.engine = "numpy"
    assert "Engine: numpy (asked for)" in _summary(net)


def _summary(net):
    lines = []
    net.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_the_engine_setting_is_saved_and_copied(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net(engine="numpy")
    net.fit(X, y, epochs=1)
    net.save(tmp_path / "m.safetensors")
    assert sn.load(tmp_path / "m.safetensors").engine == "numpy"
    assert net.config()["engine"] == "numpy"


def test_importing_smallnet_loads_no_numba():
    code = "import sys, smallnet, smallnet.sklearn; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_estimators_take_the_engine():
    pytest.importorskip("sklearn")
    from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor

    X, y = _data(kind="sparse", n=90)
    assert SmallNetClassifier().get_params()["engine"] == "auto"
    with pytest.raises(ValueError, match="engine must be one of"):
        SmallNetClassifier(engine="jit").fit(X, y)
    kw = {"hidden_layer_sizes": (8,), "max_iter": 30, "random_state": 0}
    for Estimator, target in ((SmallNetClassifier, y), (SmallNetRegressor, X[:, 0])):
        fitted = {}
        for name in ("numpy", "numba") if HAS_NUMBA else ("numpy",):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning after 30 iterations
                fitted[name] = Estimator(engine=name, **kw).fit(X, target)
            assert fitted[name].network_.history.engine == name
        if HAS_NUMBA:
            _assert_close(
                fitted["numba"].network_.flat_params, fitted["numpy"].network_.flat_params
            )


def _table(n=80, levels=4, seed=0):
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n)
    size[::7] = np.nan  # gaps: a median fill and a size_na column
    color = rng.choice([f"c{k}" for k in range(levels)], size=n)
    target = (np.nan_to_num(size) + (color == "c1") > 0.3).astype(float)
    return {"size": size, "color": color}, target


@needs_numba
def test_a_table_encoder_with_nothing_to_train_runs_compiled():
    table, y = _table()

    def make():
        return sn.Network(
            [sn.TableEncoder.from_data(table), sn.Dense(6, activation="relu"),
             sn.Dense(1, activation="sigmoid")],
            loss="binary_crossentropy", seed=0,
        )  # fmt: skip

    assert engine.describe(make()).startswith("numba")
    _assert_same_run(*_both(make, table, y, epochs=8, batch_size=16))


def test_a_table_encoder_with_embeddings_falls_back():
    table, y = _table(levels=30)  # many levels: embedded, trained with the network
    net = sn.Network([sn.TableEncoder.from_data(table), sn.Dense(1)], seed=0)
    assert "TableEncoder's embeddings" in engine.describe(net)
    assert net.fit(table, y, epochs=2).engine == "numpy"
