"""AdamW, RMSprop, Adagrad and clipping: each update against its formula in plain NumPy, scaled
steps, float32, state for checkpoints, configs through files and the command line."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli
from smallnet.cli.options import DEFAULT_LR
from smallnet.optimizers import OPTIMIZERS


def _steps(n=5, size=40, seed=0):
    """Gradients of growing size, and the starting weights."""
    rng = np.random.RandomState(seed)
    return rng.normal(size=size), [rng.normal(size=size) * (t + 1) for t in range(n)]


def _run(optimizer, w, grads):
    """The weights after `optimizer` took `grads` (as steps: minus the gradients)."""
    w = w.copy()
    for g in grads:
        optimizer.update([w], [-g])  # -g is a new array: update may overwrite it
    return w


# -- each rule against its formula -----------------------------------------------------------


def _adamw_reference(w, grads, lr, b1, b2, eps, wd):
    m = v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        w = w * (1 - lr * wd)  # decoupled weight decay, first (PyTorch's order)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


def _rmsprop_reference(w, grads, lr, rho, eps, momentum):
    ms, u = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        ms = rho * ms + (1 - rho) * g**2
        increment = lr * g / np.sqrt(ms + eps)
        if momentum:
            u = momentum * u + increment
            w = w - u
        else:
            w = w - increment
    return w


def _adagrad_reference(w, grads, lr, initial, eps):
    a = np.full_like(w, initial)
    for g in grads:
        a = a + g**2
        w = w - lr * g / np.sqrt(a + eps)
    return w


@pytest.mark.parametrize(
    "kwargs", [{}, {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "weight_decay": 0.1}]
)
def test_adamw_follows_its_formula(kwargs):
    w, grads = _steps()
    opt = sn.AdamW(**kwargs)
    expected = _adamw_reference(
        w, grads, opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.weight_decay
    )
    np.testing.assert_allclose(_run(opt, w, grads), expected, rtol=1e-12, atol=0)


def test_adamw_defaults_are_pytorchs_and_its_decay_spares_no_parameter():
    opt = sn.AdamW()
    assert opt.config() == {
        "name": "adamw",
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-8,
        "weight_decay": 0.01,
    }
    w = np.full(4, 2.0)
    for _ in range(3):  # no gradient at all: only the decay moves the weights
        sn.AdamW(learning_rate=0.1, weight_decay=0.5).update([w], [np.zeros(4)])
    np.testing.assert_allclose(w, 2.0 * 0.95**3, rtol=1e-15)


def test_adamw_without_weight_decay_differs_from_adam_only_by_where_epsilon_goes():
    w, grads = _steps()
    eps = 1e-3  # large enough to show
    adamw = _run(sn.AdamW(epsilon=eps, weight_decay=0.0), w, grads)
    adam_hat = _run(sn.Adam(epsilon=eps), w, grads)
    assert not np.allclose(adamw, adam_hat, rtol=1e-9, atol=0)
    np.testing.assert_allclose(
        adamw, _adamw_reference(w, grads, 0.001, 0.9, 0.999, eps, 0.0), rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_rmsprop_is_kerass_formula_bit_for_bit(momentum):
    w, grads = _steps()
    opt = sn.RMSprop(learning_rate=0.01, rho=0.8, momentum=momentum)
    expected = _rmsprop_reference(w, grads, 0.01, 0.8, 1e-7, momentum)
    np.testing.assert_array_equal(_run(opt, w, grads), expected)


def test_adagrad_is_kerass_formula_bit_for_bit():
    w, grads = _steps()
    opt = sn.Adagrad(learning_rate=0.05, initial_accumulator_value=0.3)
    expected = _adagrad_reference(w, grads, 0.05, 0.3, 1e-7)
    np.testing.assert_array_equal(_run(opt, w, grads), expected)


def test_kerass_defaults():
    assert sn.RMSprop().config() == {
        "name": "rmsprop",
        "learning_rate": 0.001,
        "rho": 0.9,
        "epsilon": 1e-7,
        "momentum": 0.0,
    }
    assert sn.Adagrad().config() == {
        "name": "adagrad",
        "learning_rate": 0.001,
        "initial_accumulator_value": 0.1,
        "epsilon": 1e-7,
    }


# -- scaled steps, clipping --------------------------------------------------------------------

EVERY = [
    lambda **kw: sn.SGD(0.1, momentum=0.9, **kw),
    lambda **kw: sn.Adam(0.01, **kw),
    lambda **kw: sn.AdamW(0.01, weight_decay=0.1, **kw),
    lambda **kw: sn.RMSprop(0.01, momentum=0.5, **kw),
    lambda **kw: sn.Adagrad(0.1, **kw),
]
CLIPS = [{}, {"clipnorm": 3.0}, {"clipvalue": 0.5}]


@pytest.mark.parametrize("clip", CLIPS)
@pytest.mark.parametrize("make", EVERY)
def test_scaled_steps_give_the_same_update_clipped_or_not(make, clip):
    w, grads = _steps()
    a, b = make(**clip), make(**clip)
    wa, wb = w.copy(), w.copy()
    for g in grads:  # gradients of norm 6 and more: the clipping works on every one
        a.update([wa], [-g])
        b.update([wb], [-g * b.step_scale], scaled=True)
    np.testing.assert_allclose(wa, wb, rtol=1e-12, atol=1e-15)


def test_clipnorm_is_the_norm_of_all_steps_together():
    w1, w2 = np.zeros(2), np.zeros(1)
    sn.SGD(1.0, clipnorm=1.0).update([w1, w2], [np.array([3.0, 0.0]), np.array([4.0])])
    np.testing.assert_allclose(np.concatenate([w1, w2]), [0.6, 0.0, 0.8])  # norm 5 down to 1
    w = np.zeros(2)
    sn.SGD(1.0, clipnorm=10.0).update([w], [np.array([3.0, 4.0])])  # under the limit: as it is
    np.testing.assert_array_equal(w, [3.0, 4.0])


def test_clipvalue_clips_each_entry_and_the_learning_rate_comes_after():
    w = np.zeros(4)
    sn.SGD(0.5, clipvalue=1.0).update([w], [np.array([-3.0, -0.5, 0.25, 2.0])])
    np.testing.assert_array_equal(w, [-0.5, -0.25, 0.125, 0.5])


def test_clipping_in_a_network_clips_the_true_gradient():
    rng = np.random.RandomState(2)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1)) * 10

    def net(optimizer):
        return sn.Network(
            [sn.Dense(5, activation="tanh"), sn.Dense(1)], optimizer=optimizer, seed=4
        )

    clipped = net(sn.SGD(0.5, clipnorm=0.01))  # lr != 1: the network scales the steps first
    clipped.fit(X, y, epochs=1)
    plain = net(sn.SGD(0.5))
    plain.build(3)
    out = plain.forward(X, training=True)
    plain.backward(y, out)  # the layers' steps: minus the gradient
    steps = np.concatenate([s.ravel() for layer in plain.layers for s in layer.steps])
    expected = plain.flat_params + 0.5 * steps * (0.01 / np.linalg.norm(steps))
    np.testing.assert_allclose(clipped.flat_params, expected, rtol=1e-12)


def test_clipping_arguments_are_checked():
    with pytest.raises(ValueError, match="clipnorm must be > 0, got 0"):
        sn.Adam(clipnorm=0)
    with pytest.raises(ValueError, match="clipvalue must be > 0, got -1"):
        sn.RMSprop(clipvalue=-1)
    with pytest.raises(TypeError, match="clipnorm must be a number"):
        sn.SGD(clipnorm="1")
    with pytest.raises(ValueError, match="clipnorm or clipvalue, not both"):
        sn.Adagrad(clipnorm=1.0, clipvalue=1.0)
    assert sn.SGD(clipnorm=2).config()["clipnorm"] == 2.0
    assert "clipnorm" not in sn.SGD().config()  # set or not, as configs were before


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: sn.RMSprop(rho=1.0), "rho must be < 1"),
        (lambda: sn.RMSprop(momentum=-0.1), "momentum must be >= 0"),
        (lambda: sn.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda: sn.Adagrad(epsilon=0), "epsilon must be > 0"),
        (lambda: sn.AdamW(weight_decay=-0.1), "weight_decay must be >= 0"),
    ],
)
def test_arguments_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# -- float32, state ----------------------------------------------------------------------------


@pytest.mark.parametrize("clip", CLIPS)
@pytest.mark.parametrize("make", EVERY)
def test_float32_stays_float32(make, clip):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 4)).astype(np.float32)
    y = (X[:, :1] * 2 - X[:, 1:2]).astype(np.float32)
    net = sn.Network([sn.Dense(8, activation="relu"), sn.Dense(1)], optimizer=make(**clip), seed=0)
    history = net.fit(X, y, epochs=3, batch_size=16)
    assert net.flat_params.dtype == np.float32 and np.isfinite(history["loss"]).all()
    for arrays in net.optimizer.get_state().values():
        for a in arrays if isinstance(arrays, list) else ():
            assert a.dtype == np.float32


@pytest.mark.parametrize("make", EVERY)
def test_set_state_continues_bit_for_bit(make):
    w, grads = _steps(n=6)
    a = make(clipnorm=5.0)
    wa = _run(a, w, grads[:3])
    state = a.get_state()
    b = make(clipnorm=5.0)
    b.set_state(state)
    for arrays in state.values():  # copies: changing them changes neither optimizer
        for s in arrays if isinstance(arrays, list) else ():
            s[...] = np.nan
    np.testing.assert_array_equal(_run(a, wa, grads[3:]), _run(b, wa, grads[3:]))


def test_state_before_the_first_update_and_after_reset():
    assert sn.RMSprop().get_state() == {"mean_squares": None, "velocities": None}
    assert sn.Adagrad().get_state() == {"accumulators": None}
    opt = sn.RMSprop(momentum=0.9)
    _run(opt, *_steps(n=1))
    assert [a.shape for a in opt.get_state()["velocities"]] == [(40,)]
    opt.reset()
    assert opt.get_state() == {"mean_squares": None, "velocities": None}


# -- through fit, files and the command line ---------------------------------------------------

FITTED = [
    {"name": "adamw", "learning_rate": 0.01, "weight_decay": 0.05, "clipnorm": 1.0},
    {"name": "rmsprop", "learning_rate": 0.005, "rho": 0.8, "momentum": 0.5, "clipvalue": 0.1},
    {"name": "adagrad", "learning_rate": 0.1, "initial_accumulator_value": 0.2},
    {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9, "clipnorm": 0.5},
]


def _data():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 3))
    return X, np.tanh(X @ [[1.0], [2.0], [-1.0]])


def _net(optimizer):
    return sn.Network([sn.Dense(8, activation="tanh"), sn.Dense(1)], optimizer=optimizer, seed=3)


class Crash(Exception):
    pass


class CrashIn(sn.Callback):
    """Dies part-way through an epoch, after some checkpoints were written."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if len(self.network.history.epoch) == self.epoch and batch == 1:
            raise Crash


@pytest.mark.parametrize("config", FITTED, ids=lambda c: c["name"])
def test_a_crashed_run_resumes_bit_for_bit(tmp_path, config):
    pytest.importorskip("safetensors")
    X, y = _data()
    fit = {"epochs": 7, "batch_size": 16, "validation_split": 0.2}
    straight = _net(config)
    straight.fit(X, y, **fit)
    with pytest.raises(Crash):  # in epoch 6; the last checkpoint holds epoch 4
        _net(config).fit(
            X, y, **fit, checkpoint=tmp_path / "c.ckpt", checkpoint_every=2, callbacks=CrashIn(5)
        )
    resumed = _net(config)  # a new process would start from nothing too
    history = resumed.fit(X, y, **fit, resume=tmp_path / "c.ckpt")
    np.testing.assert_array_equal(resumed.flat_params, straight.flat_params)
    assert history.history == straight.history.history


def test_resume_with_other_optimizer_settings_is_refused(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    _net(sn.RMSprop(rho=0.8)).fit(X, y, epochs=2, checkpoint=tmp_path / "c.ckpt")
    with pytest.raises(ValueError, match="the optimizer's rho=0.8, not 0.9"):
        _net(sn.RMSprop()).fit(X, y, epochs=4, resume=tmp_path / "c.ckpt")
    with pytest.raises(ValueError, match="optimizer is 'rmsprop'"):
        _net(sn.Adagrad()).fit(X, y, epochs=4, resume=tmp_path / "c.ckpt")


@pytest.mark.parametrize("config", FITTED, ids=lambda c: c["name"])
def test_configs_go_through_files(tmp_path, config):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net(config)
    net.fit(X, y, epochs=2)
    assert net.optimizer.config() == {**OPTIMIZERS[config["name"]]().config(), **config}
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert type(loaded.optimizer) is type(net.optimizer)
    assert loaded.optimizer.config() == net.optimizer.config()
    assert repr(loaded.optimizer) == repr(net.optimizer)


def test_names_reach_the_new_optimizers():
    assert {"adamw", "rmsprop", "adagrad", "lbfgs"} <= set(OPTIMIZERS)
    assert isinstance(_net("rmsprop").optimizer, sn.RMSprop)
    assert _net({"name": "AdamW", "weight_decay": 0.1}).optimizer.weight_decay == 0.1
    with pytest.raises(ValueError, match="adagrad, adam, adamw, lbfgs, rmsprop, sgd"):
        _net("adadelta")


@pytest.mark.parametrize("name", ["adamw", "rmsprop", "adagrad"])
def test_the_command_line_trains_with_them(tmp_path, name):
    pytest.importorskip("safetensors")
    path = tmp_path / "m.safetensors"
    command = ["train", "--dataset", "iris", "--optimizer", name, "--epochs", "2", "-o", str(path)]
    assert cli.main(command) == 0
    assert sn.load(path).optimizer.config() == {
        **OPTIMIZERS[name]().config(),
        "learning_rate": DEFAULT_LR,
    }


@pytest.mark.parametrize(
    ("clip", "said"),
    [
        ({"clipnorm": 0.01}, "first scaled down to a norm of at most 0.01, all of them together."),
        ({"clipvalue": 0.5}, "each first clipped into [-0.5, 0.5]."),
    ],
)
def test_trace_says_the_updates_are_clipped_before_they_are_added(clip, said):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[1.0], [1.0], [0.0]])
    net = sn.Network([sn.Dense(3, activation="tanh"), sn.Dense(1)], optimizer=sn.SGD(1.0, **clip))
    text = net.trace(X, y, print_fn=None).text
    assert "adds the updates to the weights, " + said in text
    assert "(syn += update, as in the tutorial)" not in text
