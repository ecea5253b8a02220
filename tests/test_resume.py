"""fit(checkpoint=, resume=): a killed run resumes bit-identically; Ctrl-C stops cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import checkpoint, cli

pytest.importorskip("safetensors")

TRAIN = """
import os, signal, sys
import numpy as np
import smallnet as sn

path, out, seed_kind = sys.argv[1], sys.argv[2], sys.argv[5]
kill_epoch, kill_batch = int(sys.argv[3]), int(sys.argv[4])
rng = np.random.RandomState(0)
X = rng.normal(size=(200, 5)).astype(np.float32)
y = np.eye(3, dtype=np.float32)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1)]
seed = 7 if seed_kind == "int" else np.random.default_rng(7)


class Kill(sn.Callback):  # SIGKILL part-way through an epoch, after some checkpoints were written
    def on_batch_end(self, batch, logs=None):
        if len(self.network.history.epoch) == kill_epoch and batch == kill_batch:
            os.kill(os.getpid(), signal.SIGKILL)


net = sn.Network(
    [sn.Dense(16, activation="relu"), sn.Dropout(0.2), sn.Dense(3, activation="softmax")],
    loss="categorical_crossentropy",
    optimizer=sn.Adam(0.01),
    metrics=["accuracy"],
    seed=seed,
)
resume = path if os.path.exists(path) else None
net.fit(
    X,
    y,
    epochs=9,
    batch_size=32,
    validation_split=0.2,
    checkpoint=path,
    checkpoint_every=2,
    resume=resume,
    callbacks=[Kill()] if kill_epoch >= 0 else [],
)
net.save(out)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_run_killed_with_sigkill_resumes_to_bit_identical_weights(tmp_path, seed_kind):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(TRAIN))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}

    def run(checkpoint, out, kill_epoch=-1, kill_batch=-1):
        return subprocess.run(
            [
                sys.executable,
                str(script),
                str(tmp_path / checkpoint),
                str(tmp_path / out),
                str(kill_epoch),
                str(kill_batch),
                seed_kind,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    killed = run(
        "a.ckpt", "a.safetensors", kill_epoch=5, kill_batch=2
    )  # dies in epoch 6; last checkpoint: 4
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (tmp_path / "a.safetensors").exists()
    net = sn.Network(
        [sn.Dense(16, activation="relu"), sn.Dropout(0.2), sn.Dense(3, activation="softmax")],
        loss="categorical_crossentropy",
        seed=0,
    )
    assert checkpoint.load_checkpoint(tmp_path / "a.ckpt", net)[0] == 4
    resumed = run("a.ckpt", "a.safetensors")
    assert resumed.returncode == 0, resumed.stderr
    straight = run("b.ckpt", "b.safetensors")
    assert straight.returncode == 0, straight.stderr
    a, b = sn.load(tmp_path / "a.safetensors"), sn.load(tmp_path / "b.safetensors")
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)
    assert a.history.history == b.history.history  # the resumed run's history covers all 9 epochs
    assert len(a.history.epoch) == 9


def _data():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 3))
    return X, X @ [[1.0], [2.0], [-1.0]]


def _net():
    return sn.Network(
        [sn.Dense(8, activation="tanh"), sn.Dense(1)], optimizer=sn.SGD(0.05, momentum=0.9), seed=3
    )


def test_checkpoints_are_written_every_n_epochs_and_at_the_end(tmp_path):
    X, y = _data()
    seen = []

    class Watch(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            path = tmp_path / "c.ckpt"
            seen.append(checkpoint.load_checkpoint(path, _net())[0] if path.exists() else None)

    _net().fit(
        X,
        y,
        epochs=7,
        batch_size=16,
        checkpoint=tmp_path / "c.ckpt",
        checkpoint_every=3,
        callbacks=[Watch()],
    )
    # Watch runs before the epoch's checkpoint is written: it sees the previous one.
    assert seen == [None, None, None, 3, 3, 3, 6]
    assert checkpoint.load_checkpoint(tmp_path / "c.ckpt", _net())[0] == 7
    assert [p.name for p in tmp_path.iterdir()] == ["c.ckpt"]


def test_resume_in_process_equals_one_run(tmp_path):
    X, y = _data()
    straight = _net()
    straight.fit(X, y, epochs=6, batch_size=16)
    first = _net()
    first.fit(X, y, epochs=4, batch_size=16, checkpoint=tmp_path / "c.ckpt")
    second = _net()
    history = second.fit(X, y, epochs=6, batch_size=16, resume=tmp_path / "c.ckpt")
    for p, q in zip(straight.params, second.params):
        np.testing.assert_array_equal(p, q)
    assert history.history["loss"] == straight.history.history["loss"]


def test_resume_refuses_other_data_and_missing_files(tmp_path):
    X, y = _data()
    _net().fit(X, y, epochs=2, checkpoint=tmp_path / "c.ckpt")
    with pytest.raises(ValueError, match="written for other training data"):
        _net().fit(X * 2, y, epochs=4, resume=tmp_path / "c.ckpt")
    with pytest.raises(FileNotFoundError, match="no such file"):
        _net().fit(X, y, epochs=4, resume=tmp_path / "missing.ckpt")


def test_resume_of_a_finished_run_trains_no_more(tmp_path):
    X, y = _data()
    done = _net()
    done.fit(X, y, epochs=3, checkpoint=tmp_path / "c.ckpt")
    again = _net()
    history = again.fit(X, y, epochs=3, resume=tmp_path / "c.ckpt")
    assert len(history.epoch) == 3 and history.last_output is None
    for p, q in zip(done.params, again.params):
        np.testing.assert_array_equal(p, q)


def _net_with(**changes):
    """_net's network with some constructor arguments changed."""
    kw = {"optimizer": sn.SGD(0.05, momentum=0.9), "seed": 3, **changes}
    return sn.Network([sn.Dense(8, activation="tanh"), sn.Dense(1)], **kw)


def _checkpoint_at_6_of_10(tmp_path, **fit_args):
    X, y = _data()
    fit_args = {"batch_size": 16, "validation_split": 0.2, **fit_args}

    class StopAt6(sn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.network.stop_training = epoch + 1 == 6

    _net().fit(X, y, epochs=10, checkpoint=tmp_path / "c.ckpt", callbacks=[StopAt6()], **fit_args)
    assert checkpoint.load_checkpoint(tmp_path / "c.ckpt", _net())[0] == 6
    return X, y


@pytest.mark.parametrize(
    "changed,message",
    [
        ({"batch_size": 32}, "batch_size=16, not 32"),
        ({"batch_size": None}, "batch_size=16, not None"),
        ({"shuffle": False}, "shuffle=True, not False"),
        ({"validation_split": 0.3}, "validation_split=0.2, not 0.3"),
        ({"validation_split": 0.0}, "validation_split=0.2, not 0.0"),
    ],
)
def test_resume_refuses_other_fit_arguments(tmp_path, changed, message):
    X, y = _checkpoint_at_6_of_10(tmp_path)
    args = {"epochs": 10, "batch_size": 16, "validation_split": 0.2, **changed}
    with pytest.raises(
        ValueError, match=f"the checkpoint was written with {message}; resume with the arguments"
    ):
        _net().fit(X, y, resume=tmp_path / "c.ckpt", **args)


def test_resume_refuses_validation_data_given_or_dropped(tmp_path):
    X, y = _data()
    _checkpoint_at_6_of_10(tmp_path, validation_split=0.0, validation_data=(X[:10], y[:10]))
    with pytest.raises(
        ValueError, match=r"written with validation_data=\(X_val, y_val\), not None"
    ):
        _net().fit(X, y, epochs=10, batch_size=16, resume=tmp_path / "c.ckpt")
    X, y = _checkpoint_at_6_of_10(tmp_path, validation_split=0.0)
    with pytest.raises(
        ValueError, match=r"written with validation_data=None, not \(X_val, y_val\)"
    ):
        _net().fit(
            X,
            y,
            epochs=10,
            batch_size=16,
            validation_data=(X[:10], y[:10]),
            resume=tmp_path / "c.ckpt",
        )


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"optimizer": sn.SGD(0.1, momentum=0.9)}, "the optimizer's learning_rate=0.05, not 0.1"),
        ({"optimizer": sn.SGD(0.05, momentum=0.5)}, "the optimizer's momentum=0.9, not 0.5"),
        ({"seed": 4}, "seed=3, not 4"),
        ({"loss": "sse"}, "loss='mse', not 'sse'"),
        ({"l2": 0.01}, "l2=0.0, not 0.01"),
        ({"metrics": ["mae"]}, r"metrics=\[\], not \['mae'\]"),
    ],
)
def test_resume_refuses_other_network_settings(tmp_path, changes, message):
    X, y = _checkpoint_at_6_of_10(tmp_path)
    with pytest.raises(ValueError, match=f"written with {message}; resume"):
        _net_with(**changes).fit(
            X, y, epochs=10, batch_size=16, validation_split=0.2, resume=tmp_path / "c.ckpt"
        )


def test_resume_refuses_fewer_epochs_than_done_and_returns_at_exactly_as_many(tmp_path):
    X, y = _checkpoint_at_6_of_10(tmp_path)
    args = {"batch_size": 16, "validation_split": 0.2, "resume": tmp_path / "c.ckpt"}
    with pytest.raises(ValueError, match="has already trained 6 epochs, more than epochs=3"):
        _net().fit(X, y, epochs=3, **args)
    net, calls = _net(), []

    class Spy(sn.Callback):
        def on_train_begin(self, logs=None):
            calls.append("begin")

    history = net.fit(X, y, epochs=6, callbacks=[Spy()], **args)
    _, saved, _ = checkpoint.load_checkpoint(tmp_path / "c.ckpt", _net())
    assert history.history == saved and len(history.epoch) == 6 and history.last_output is None
    assert net.history is history and calls == []  # nothing trained, no callback called


def test_resume_checks_the_arguments_the_fit_began_with_not_a_schedules_rate(tmp_path):
    X, y = _data()
    args = {"batch_size": 16, "callbacks": [sn.StepDecay(1, factor=0.5)]}
    straight = _net()
    straight.fit(X, y, epochs=5, **args)
    _net().fit(
        X, y, epochs=3, checkpoint=tmp_path / "c.ckpt", **args
    )  # the checkpoint's rate is 0.05 / 4
    resumed = _net()
    resumed.fit(X, y, epochs=5, resume=tmp_path / "c.ckpt", **args)
    for p, q in zip(straight.params, resumed.params):
        np.testing.assert_array_equal(p, q)


def test_resume_of_an_older_checkpoint_checks_only_what_it_recorded(tmp_path):
    X, y = _checkpoint_at_6_of_10(tmp_path)
    net = _net()
    epoch, history, fit_state = checkpoint.load_checkpoint(tmp_path / "c.ckpt", net)
    assert fit_state.pop("arguments")["batch_size"] == 16
    checkpoint.save_checkpoint(
        tmp_path / "old.ckpt", net, epoch, history, fit_state
    )  # as written before it was recorded
    history = _net().fit(
        X, y, epochs=8, batch_size=32, validation_split=0.2, resume=tmp_path / "old.ckpt"
    )
    assert len(history.epoch) == 8


def test_ctrl_c_stops_after_the_current_step_and_writes_a_checkpoint(tmp_path, capsys):
    X, y = _data()
    steps = []

    class CtrlC(sn.Callback):
        def on_batch_end(self, batch, logs=None):
            steps.append((len(self.network.history.epoch), batch))
            if len(self.network.history.epoch) == 2 and batch == 1:
                os.kill(
                    os.getpid(), signal.SIGINT
                )  # as if the user pressed Ctrl-C during this step

    net = _net()
    history = net.fit(
        X, y, epochs=50, batch_size=16, checkpoint=tmp_path / "c.ckpt", callbacks=[CtrlC()]
    )
    assert history.interrupted and len(history.epoch) == 2
    assert steps[-1] == (2, 1)  # the step finished, and no other began
    assert "training interrupted after epoch 2 of 50" in capsys.readouterr().err
    assert checkpoint.load_checkpoint(tmp_path / "c.ckpt", _net())[0] == 2
    assert all(np.isfinite(p).all() for p in net.params)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_a_second_ctrl_c_stops_at_once():
    X, y = _data()

    class Twice(sn.Callback):
        def on_batch_end(self, batch, logs=None):
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        _net().fit(X, y, epochs=5, batch_size=16, callbacks=[Twice()])


def test_cli_train_with_validation_checkpoint_and_resume(tmp_path, capsys):
    model, ckpt = tmp_path / "m.safetensors", tmp_path / "c.ckpt"
    args = [
        "train",
        "--dataset",
        "iris",
        "-o",
        str(model),
        "--epochs",
        "6",
        "--val-split",
        "0.2",
        "--checkpoint",
        str(ckpt),
        "--checkpoint-every",
        "2",
    ]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "120 rows (+30 for validation)" in out and "val_accuracy" in out
    net = sn.load(model)
    # the encoding from the training part only: its centres are not the means of all 150 rows
    from smallnet import datasets

    X_all, _ = datasets.load("iris")
    assert not np.allclose(net.layers[0].center, X_all.mean(axis=0))
    assert cli.main(args[:5] + ["--epochs", "9"] + args[7:] + ["--resume", str(ckpt)]) == 0
    assert "trained 9 epochs" in capsys.readouterr().out


@pytest.mark.parametrize(
    "bad,message",
    [
        (["--val-split", "1.5"], "expected a fraction"),
        (["--checkpoint-every", "0"], "expected a positive integer"),
    ],
)
def test_cli_flag_errors(tmp_path, capsys, bad, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--dataset", "xor", "-o", str(tmp_path / "m.safetensors"), *bad])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_cli_ctrl_c_saves_the_model_trained_so_far(tmp_path):
    import time

    model, ckpt = tmp_path / "m.safetensors", tmp_path / "c.ckpt"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smallnet",
            "train",
            "--dataset",
            "iris",
            "-o",
            str(model),
            "--epochs",
            "1000000",
            "--no-early-stopping",  # trains until the Ctrl-C
            "--checkpoint",
            str(ckpt),
            "--checkpoint-every",
            "5",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ckpt.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and f"--resume {ckpt}" in err and "Traceback" not in err
    assert model.exists() and np.isfinite(sn.load(model).predict(np.ones((1, 4)))).all()


@pytest.mark.parametrize(
    "every, interrupt_at, holds",
    [(1, (4, 1), 4), (3, (4, 1), 3), (3, (5, 0), 3), (1, (4, 2), 5), (3, (4, 2), 5)],
)
def test_resuming_after_ctrl_c_ends_bit_identical_to_an_uninterrupted_run(
    tmp_path, capsys, every, interrupt_at, holds
):
    # 48 training rows in batches of 16: batches 0-2, the last one finishing the epoch. A Ctrl-C
    # part-way through an epoch leaves the checkpoint at the last whole epoch it was written at; one
    # in an epoch's last step lets that epoch finish, and the checkpoint is written there.
    # A callback on every batch trains on NumPy's engine: all three fits run there.
    X, y = _data()
    reference = _net()
    reference.fit(X, y, epochs=8, batch_size=16, validation_split=0.2, engine="numpy")

    class CtrlC(sn.Callback):
        def on_batch_end(self, batch, logs=None):
            if (len(self.network.history.epoch), batch) == interrupt_at:
                os.kill(os.getpid(), signal.SIGINT)

    ckpt = tmp_path / "c.ckpt"
    interrupted = _net()
    history = interrupted.fit(
        X,
        y,
        epochs=8,
        batch_size=16,
        validation_split=0.2,
        checkpoint=ckpt,
        checkpoint_every=every,
        callbacks=[CtrlC()],
        engine="numpy",
    )
    assert history.interrupted
    assert f"{ckpt} holds the end of epoch {holds}, to resume from" in capsys.readouterr().err
    assert checkpoint.load_checkpoint(ckpt, _net())[0] == holds
    resumed = _net()
    history = resumed.fit(
        X,
        y,
        epochs=8,
        batch_size=16,
        validation_split=0.2,
        checkpoint=ckpt,
        checkpoint_every=every,
        resume=ckpt,
        engine="numpy",
    )
    assert history.history == reference.history.history
    for a, b in zip(resumed.params, reference.params):
        np.testing.assert_array_equal(a, b)
