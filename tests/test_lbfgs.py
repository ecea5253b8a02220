"""LBFGS: fit's epochs as scipy L-BFGS-B iterations, on the full batch."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn

scipy_optimize = pytest.importorskip("scipy.optimize")

L2 = 1e-3


def _data(n=80):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    return X, np.tanh(X @ [[1.0], [2.0], [-1.0]]) + 0.1 * rng.normal(size=(n, 1))


def _net(optimizer=None, **kwargs):
    optimizer = sn.LBFGS() if optimizer is None else optimizer
    return sn.Network(
        [sn.Dense(6, activation="tanh"), sn.Dense(1)], optimizer=optimizer, seed=3, l2=L2, **kwargs
    )


def _objective(X, y):
    """The 3-6-1 tanh network's mean squared error plus its L2 penalty, and the gradient, in
    plain NumPy, at x laid out as smallnet lays out its parameters (W1, b1, W2, b2)."""

    def f(x):
        W1, b1, W2, b2 = x[:18].reshape(3, 6), x[18:24], x[24:30].reshape(6, 1), x[30:]
        hidden = np.tanh(X @ W1 + b1)
        e = hidden @ W2 + b2 - y
        loss = np.mean(e**2) + 0.5 * L2 * (np.sum(W1**2) + np.sum(W2**2))
        d2 = 2 * e / e.size
        d1 = (d2 @ W2.T) * (1 - hidden**2)
        gradient = [X.T @ d1 + L2 * W1, d1.sum(0), hidden.T @ d2 + L2 * W2, d2.sum(0)]
        return loss, np.concatenate([g.ravel() for g in gradient])

    return f


def test_fit_is_scipys_minimize_of_the_objective():
    X, y = _data()
    net = _net()
    net.build(3)
    x0 = net.flat_params.copy()
    history = net.fit(X, y, epochs=30)
    losses = []
    direct = scipy_optimize.minimize(
        _objective(X, y),
        x0,
        jac=True,
        method="L-BFGS-B",
        callback=lambda intermediate_result: losses.append(intermediate_result.fun),
        options={"maxiter": 30, "maxfun": 15000, "gtol": 1e-4, "maxcor": 10},
    )
    np.testing.assert_allclose(net.flat_params, direct.x, rtol=0, atol=1e-9)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-12)
    assert len(history.epoch) == direct.nit == 30  # one History entry per iteration
    assert net.optimizer.result["evaluations"] == direct.nfev
    assert net.optimizer.result["iterations"] == 30 and not net.optimizer.result["success"]


def test_lbfgs_goes_lower_than_adam_on_fewer_gradient_evaluations():
    X, y = _data()
    lbfgs = _net()
    loss = lbfgs.fit(X, y, epochs=40)["loss"][-1]
    evaluations = lbfgs.optimizer.result["evaluations"]  # each one forward and backward pass
    assert evaluations < 60
    for rate in (0.01, 0.03):  # full batch: one gradient per epoch, five times as many
        adam = _net(sn.Adam(rate)).fit(X, y, epochs=5 * evaluations)
        assert adam["loss"][-1] > loss


def test_history_metrics_validation_and_the_callbacks_hooks():
    X, y = _data()
    seen = []

    class Watch(sn.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(("begin", epoch))

        def on_epoch_end(self, epoch, logs=None):
            seen.append(("end", epoch))

    net = _net(metrics=["mae"])
    history = net.fit(X, y, epochs=5, validation_split=0.25, callbacks=Watch())
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(values) == 5 for values in history.history.values())
    assert seen == [(kind, e) for e in range(5) for kind in ("begin", "end")]
    assert all(a >= b for a, b in zip(history["loss"], history["loss"][1:]))  # never up
    assert history.last_output.shape == (60, 1)
    X_val, y_val = X[-20:], y[-20:]
    net = _net(metrics=["mae"])
    explicit = net.fit(X[:60], y[:60], epochs=5, validation_data=(X_val, y_val))
    assert explicit["val_loss"][-1] == net.evaluate(X_val, y_val)["loss"]  # the last iterate's


def test_a_callback_stops_it_with_the_weights_of_that_iteration():
    X, y = _data()

    class StopAt(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.network.stop_training = epoch == 2

    stopped = _net()
    history = stopped.fit(X, y, epochs=20, callbacks=StopAt())
    assert len(history.epoch) == 3
    three = _net()
    three.fit(X, y, epochs=3)
    np.testing.assert_array_equal(stopped.flat_params, three.flat_params)


def test_scipys_own_stop_ends_the_history_early():
    X, y = _data()
    history = _net(sn.LBFGS(tol=0.5)).fit(X, y, epochs=50)  # the gradient is small at once
    assert len(history.epoch) < 50 and history.history["loss"]


def test_ctrl_c_stops_after_the_next_iteration(capsys):
    X, y = _data()

    class CtrlC(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    if not hasattr(signal, "SIGINT"):
        pytest.skip("needs SIGINT")
    history = _net().fit(X, y, epochs=20, callbacks=CtrlC())
    assert history.interrupted and len(history.epoch) == 3
    assert "training interrupted after epoch 3 of 20" in capsys.readouterr().err


def test_the_divergence_guard_puts_back_the_last_good_weights():
    X, y = _data()

    class Breaks(sn.MeanSquaredError):  # a loss that turns NaN after a few evaluations
        calls = 0

        def __call__(self, y, out, weights=None):
            Breaks.calls += 1
            return float("nan") if Breaks.calls > 8 else super().__call__(y, out, weights)

    net = _net(loss=Breaks())
    with pytest.warns(sn.DivergenceWarning, match="the loss became nan"):
        history = net.fit(X, y, epochs=40)
    assert np.isnan(history["loss"][-1]) and len(history.epoch) < 40
    assert net.is_finite() and history.kept_epoch is not None


def test_float32_and_sample_weights():
    X, y = _data()
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    net = _net(dtype="float32")
    weights = np.linspace(0.5, 2.0, len(X))
    history = net.fit(X32, y32, epochs=20, sample_weight=weights)
    assert net.flat_params.dtype == np.float32 and net.predict(X32).dtype == np.float32
    assert history["loss"][-1] < history["loss"][0]
    penalty = 0.5 * L2 * sum(float(np.vdot(layer.weights, layer.weights)) for layer in net.layers)
    expected = net.evaluate(X32, y32, weights)["loss"] + penalty  # weighted, with the L2 term
    assert history["loss"][-1] == pytest.approx(expected, rel=1e-5)


def test_refused_fits_leave_the_network_unbuilt(tmp_path):
    X, y = _data()
    refusals = [
        ({"batch_size": 32}, ValueError, "batch_size=32: LBFGS trains on all 80 training rows"),
        ({"batch_size": 59, "validation_split": 0.25}, ValueError, "all 60 training rows"),
        ({"checkpoint": tmp_path / "c.ckpt"}, ValueError, "LBFGS can't write or resume"),
        ({"resume": tmp_path / "c.ckpt"}, ValueError, "LBFGS can't write or resume"),
        ({"callbacks": sn.StepDecay(2)}, ValueError, "StepDecay sets a learning rate"),
        ({"callbacks": sn.ReduceLROnPlateau()}, ValueError, "ReduceLROnPlateau sets"),
    ]
    for kwargs, error, message in refusals:
        net = _net()
        with pytest.raises(error, match=message):
            net.fit(X, y, epochs=3, **kwargs)
        assert not net.built
    net = sn.Network([sn.Dense(4), sn.Dropout(0.5), sn.Dense(1)], optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"Dropout\(rate=0.5\)"):
        net.fit(X, y)
    for batch_size in (80, 1000):  # all rows, or more
        assert len(_net().fit(X, y, epochs=2, batch_size=batch_size).epoch) == 2
    assert len(_net().fit(X, y, epochs=2, batch_size=60, validation_split=0.25).epoch) == 2


def test_no_single_steps_and_its_arguments_are_checked():
    X, y = _data()
    net = _net()
    net.build(3)
    with pytest.raises(RuntimeError, match="LBFGS takes no single steps"):
        net.train_step(X, y)
    with pytest.raises(ValueError, match="max_fun must be >= 1"):
        sn.LBFGS(max_fun=0)
    with pytest.raises(TypeError, match="history_size must be an integer"):
        sn.LBFGS(history_size=2.5)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        sn.LBFGS(tol=-1)


def test_its_config_goes_through_files(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net({"name": "lbfgs", "tol": 1e-6, "max_fun": 100, "history_size": 5})
    net.fit(X, y, epochs=3)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert isinstance(loaded.optimizer, sn.LBFGS)
    assert loaded.optimizer.config() == {
        "name": "lbfgs",
        "tol": 1e-6,
        "max_fun": 100,
        "history_size": 5,
    }
    assert len(loaded.fit(X, y, epochs=2).epoch) == 2


WITHOUT_SCIPY = """
import sys
sys.modules["scipy"] = None  # as if scipy were not installed
import numpy as np
import smallnet as sn

X = np.random.RandomState(0).normal(size=(20, 3))
net = sn.Network([sn.Dense(1)], optimizer=sn.LBFGS(), seed=0)  # made and saved without scipy
try:
    net.fit(X, X[:, :1], epochs=2)
except ImportError as exc:
    print("ImportError:", exc)
print("built:", net.built)
print("predicts:", sn.load(sys.argv[1]).predict(X).shape)
"""


def test_without_scipy_fit_says_what_to_install_and_models_still_load(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=2)
    net.save(tmp_path / "m.safetensors")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    script = textwrap.dedent(WITHOUT_SCIPY)
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "m.safetensors")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "ImportError: LBFGS needs scipy (>= 1.11)" in done.stdout
    assert "pip install 'smallnet[lbfgs]'" in done.stdout
    assert "built: False" in done.stdout and "predicts: (20, 1)" in done.stdout


def test_batch_norm_statistics_are_the_whole_batch_s_at_the_end():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(60, 4))
    y = (X[:, :1] - X[:, 1:2] > 0).astype(float)
    net = sn.Network(
        [sn.Dense(6, activation="tanh"), sn.BatchNorm(), sn.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=sn.LBFGS(),
        seed=0,
    )
    history = net.fit(X, y, epochs=40)
    norm = net.layers[1]
    hidden = net.layers[0].forward(X)
    np.testing.assert_allclose(norm.running_mean, hidden.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(norm.running_var, hidden.var(axis=0), rtol=1e-12)
    assert net.evaluate(X, y)["loss"] == pytest.approx(history["loss"][-1], rel=1e-9)


def test_running_out_of_evaluations_is_said():
    from smallnet.lbfgs import LBFGSWarning

    X, y = _data()
    net = sn.Network([sn.Dense(4, activation="tanh"), sn.Dense(1)], optimizer=sn.LBFGS(max_fun=3))
    with pytest.warns(LBFGSWarning, match="stopped after .* of 100 iterations without converging"):
        history = net.fit(X, y, epochs=100)
    assert len(history["loss"]) < 100 and not net.optimizer.result["success"]
