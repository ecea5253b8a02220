"""The L1 weight penalty: loss, gradient, training, files, checkpoints, trace and checks."""

import copy
import inspect
import pickle

import numpy as np
import pytest

import smallnet as sn
from smallnet import checkpoint, datasets
from smallnet.penalty import Penalty


def _data(n=60):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(n, 3))
    return X, X @ [[1.0], [2.0], [-1.0]]


def _net(**kwargs):
    kw = {"optimizer": sn.SGD(0.05, momentum=0.9), "seed": 3, **kwargs}
    return sn.Network([sn.Dense(8, activation="tanh"), sn.Dense(1)], **kw)


def _abs_weights(net):
    return sum(float(np.abs(layer.weights).sum()) for layer in net.layers)


def test_l1_comes_right_before_l2_in_the_signature():
    names = list(inspect.signature(sn.Network).parameters)
    assert names[names.index("l1") + 1] == "l2"
    net = _net()
    assert (net.l1, net.l2) == (0.0, 0.0)


@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_train_step_loss_is_data_loss_plus_l1_times_sum_abs_weights(sample_weight, l2):
    X, y = _data()
    net = _net(l1=0.1, l2=l2).build(3)
    for layer in net.layers:  # biases not 0, so that counting them would show
        layer.bias[...] = 0.5
    weights = np.linspace(0.5, 1.5, len(X)) if sample_weight else None
    data_loss = net.loss(y, net.forward(X), weights)  # no dropout: training's forward is the same
    squares = sum(float(np.vdot(layer.weights, layer.weights)) for layer in net.layers)
    expected = data_loss + 0.1 * _abs_weights(net) + 0.5 * l2 * squares  # biases excluded
    loss, _ = net.train_step(X, y, weights)
    assert loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("l1,l2", [(0.1, 0.0), (0.1, 0.2), (0.0, 0.2)])
def test_the_penalty_gradient_matches_finite_differences(l1, l2):
    X, y = _data(n=8)
    net = _net(l1=l1, l2=l2).build(3)
    # away from 0, where |w| has a derivative (the half step is 1e-4)
    assert min(np.abs(layer.weights).min() for layer in net.layers) > 1e-3
    assert sn.gradcheck(net, X, y) < 1e-6


def test_penalty_steps_are_the_numerical_gradient_of_its_value():
    rng = np.random.RandomState(0)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4,))]
    weights = [w + np.sign(w) * 0.01 for w in weights]  # away from 0
    penalty, eps = Penalty(l1=0.3, l2=0.7), 1e-6
    steps = [np.zeros_like(w) for w in weights]
    penalty.add_steps(list(zip(weights, steps)), scale=2.0)
    for w, step in zip(weights, steps):
        numeric = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            w[i] += eps
            up = penalty.value(weights)
            w[i] -= 2 * eps
            down = penalty.value(weights)
            w[i] += eps
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(step, -2.0 * numeric, rtol=1e-6)
    expected = sum(0.3 * np.abs(w).sum() + 0.35 * np.vdot(w, w) for w in weights)
    assert penalty.value(iter(weights)) == pytest.approx(expected, rel=1e-12)  # read once


def test_a_zero_penalty_changes_nothing():
    penalty = Penalty()
    assert not penalty and penalty.value([np.ones(3)]) == 0.0
    step = np.ones(3)
    penalty.add_steps([(np.ones(3), step)])
    np.testing.assert_array_equal(step, np.ones(3))
    assert Penalty(l1=0.1) and Penalty(l2=0.1)
    assert np.sign(0.0) == 0  # a weight at exactly 0 gets no L1 push


def test_a_large_l1_shrinks_the_weights_towards_zero():
    X, y = _data()
    plain, sparse = _net(optimizer=sn.SGD(0.02)), _net(optimizer=sn.SGD(0.02), l1=0.2)
    plain.fit(X, y, epochs=300)
    history = sparse.fit(X, y, epochs=300)
    assert _abs_weights(sparse) < 0.7 * _abs_weights(plain)
    small = [sum(int((np.abs(layer.weights) < 0.01).sum()) for layer in net.layers)
             for net in (plain, sparse)]  # fmt: skip
    assert small[1] > small[0]
    assert history["loss"][-1] > sparse.evaluate(X, y)["loss"]  # training's loss carries it


def test_l1_and_l2_can_be_set_after_construction():
    X, y = _data()
    net = _net(l1=0.1)
    net.l2 = 0.2
    assert (net.l1, net.l2) == (0.1, 0.2)
    net.l1 = np.float32(0.0)
    assert (net.l1, net.l2) == (0.0, pytest.approx(0.2)) and isinstance(net.l1, float)
    same = _net(l2=0.2)
    net.fit(X, y, epochs=3)
    same.fit(X, y, epochs=3)
    for a, b in zip(net.params, same.params):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="l1 must be >= 0"):
        net.l1 = -1
    assert net.l1 == 0.0  # a refused value leaves the penalty as it was


@pytest.mark.parametrize(
    "value,error,message",
    [
        (-0.1, ValueError, "l1 must be >= 0, got -0.1"),
        (float("nan"), ValueError, "l1 must be finite"),
        (float("inf"), ValueError, "l1 must be finite"),
        ("0.1", TypeError, "l1 must be a number, got '0.1'"),
        (None, TypeError, "l1 must be a number"),
        (True, TypeError, "l1 must be a number"),
    ],
)
def test_bad_l1_values_are_refused(value, error, message):
    optimizer = sn.Adam()
    with pytest.raises(error, match=message):
        _net(optimizer=optimizer, l1=value)
    _net(optimizer=optimizer, l1=0.1)  # the refused network claimed no optimizer


def test_copies_and_pickles_keep_l1():
    X, y = _data()
    net = _net(l1=0.1, l2=0.01)
    net.fit(X, y, epochs=2)
    for twin in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert (twin.l1, twin.l2) == (0.1, 0.01)
        twin.fit(X, y, epochs=2)
    # a network pickled before L1 had l2 as an attribute of its own
    state = net.__getstate__()
    del state["_penalty"]
    state["l2"] = 0.3
    old = sn.Network.__new__(sn.Network)
    old.__setstate__(state)
    assert (old.l1, old.l2) == (0.0, 0.3) and "l2" not in vars(old)


def test_summary_shows_l1_beside_l2():
    shown = []
    _net(l1=0.1, l2=0.02).build(3).summary(print_fn=shown.append)
    assert shown[0].splitlines()[-1].endswith("  L1: 0.1  L2: 0.02")
    _net(l1=0.1).build(3).summary(print_fn=shown.append)
    assert shown[1].splitlines()[-1].endswith("  L1: 0.1")


# -- files -----------------------------------------------------------------------------------


def test_l1_survives_a_round_trip_and_training_goes_on_the_same(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _data()
    net = _net(optimizer=sn.SGD(0.1), l1=0.05, l2=0.01)  # plain full-batch SGD: no state lost
    net.fit(X, y, epochs=5)
    net.save(tmp_path / "m.safetensors")
    loaded = sn.load(tmp_path / "m.safetensors")
    assert (loaded.l1, loaded.l2) == (0.05, 0.01) and loaded.config() == net.config()
    assert net.config()["l1"] == 0.05
    net.fit(X, y, epochs=5)
    loaded.fit(X, y, epochs=5)
    for a, b in zip(loaded.params, net.params):
        np.testing.assert_array_equal(a, b)


def test_a_config_from_before_l1_loads_with_l1_zero():
    config = _net(l2=0.01).config()
    del config["l1"]
    net = sn.Network.from_config(config)
    assert (net.l1, net.l2) == (0.0, 0.01)


# -- checkpoints -----------------------------------------------------------------------------


def _checkpoint_at_4_of_8(tmp_path, **net_args):
    X, y = _data()

    class StopAt4(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.network.stop_training = epoch + 1 == 4

    _net(**net_args).fit(
        X, y, epochs=8, batch_size=16, checkpoint=tmp_path / "c.ckpt", callbacks=[StopAt4()]
    )
    return X, y


def test_a_run_with_l1_resumes_bit_identically(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _checkpoint_at_4_of_8(tmp_path, l1=0.02)
    straight = _net(l1=0.02)
    straight.fit(X, y, epochs=8, batch_size=16)
    resumed = _net(l1=0.02)
    history = resumed.fit(X, y, epochs=8, batch_size=16, resume=tmp_path / "c.ckpt")
    assert len(history.epoch) == 8
    for a, b in zip(straight.params, resumed.params):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("written,resumed", [(0.02, 0.03), (0.02, 0.0), (0.0, 0.02)])
def test_resume_refuses_another_l1(tmp_path, written, resumed):
    pytest.importorskip("safetensors")
    X, y = _checkpoint_at_4_of_8(tmp_path, l1=written)
    with pytest.raises(ValueError, match=f"written with l1={written!r}, not {resumed!r}; resume"):
        _net(l1=resumed).fit(X, y, epochs=8, batch_size=16, resume=tmp_path / "c.ckpt")


def test_a_checkpoint_from_before_l1_resumes_with_l1_zero_only(tmp_path):
    pytest.importorskip("safetensors")
    X, y = _checkpoint_at_4_of_8(tmp_path)
    net = _net()
    epoch, history, fit_state = checkpoint.load_checkpoint(tmp_path / "c.ckpt", net)
    assert fit_state["arguments"].pop("l1") == 0.0
    checkpoint.save_checkpoint(tmp_path / "old.ckpt", net, epoch, history, fit_state)
    with pytest.raises(ValueError, match="written with l1=0.0, not 0.02"):
        _net(l1=0.02).fit(X, y, epochs=8, batch_size=16, resume=tmp_path / "old.ckpt")
    history = _net().fit(X, y, epochs=8, batch_size=16, resume=tmp_path / "old.ckpt")
    assert len(history.epoch) == 8
    # one that recorded nothing of the network (older still) is checked on nothing
    del fit_state["arguments"]
    checkpoint.save_checkpoint(tmp_path / "older.ckpt", net, epoch, history, fit_state)
    _net(l1=0.02).fit(X, y, epochs=8, batch_size=16, resume=tmp_path / "older.ckpt")


# -- trace and L-BFGS ------------------------------------------------------------------------


def test_trace_with_l1_alone_and_plain_sgd_shows_fit_s_step():
    X, y = datasets.xor()
    net = sn.Network(
        [sn.Dense(3, activation="tanh"), sn.Dense(1)], optimizer=sn.SGD(0.5), l1=0.1, seed=0
    )
    record = net.trace(X, y, step=0, print_fn=None)
    assert "+ 0.1 * sum(|syn|) = " in record.text and "sum(syn**2)" not in record.text
    assert "syn1_update = l1.T.dot(l2_delta) - 0.1 * sign(syn1)   shape" in record.text
    # plain SGD: the update the optimizer added is the learning rate times the recorded step
    np.testing.assert_allclose(
        record["syn0_new"] - record["syn0"], 0.5 * record["syn0_update"], rtol=1e-10
    )


def test_lbfgs_refuses_l1():
    pytest.importorskip("scipy.optimize")
    X, y = _data()
    net = _net(optimizer=sn.LBFGS(), l1=0.01)
    with pytest.raises(ValueError, match=r"l1=0.01: LBFGS needs a smooth objective"):
        net.fit(X, y, epochs=3)
    assert not net.built  # refused before anything was drawn
    net.l1 = 0.0
    net.fit(X, y, epochs=3)
