"""`smallnet train` as a tool: progress on stderr, early stopping with the best weights kept
(and resumed), a held-out test split, evaluate's note on training rows, the row fingerprint,
and continuous targets refused as classes."""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli, fingerprint, metrics
from smallnet.cli import progress
from smallnet.samples import validation_rows
from smallnet.tabular import class_labels, class_targets, encode_classes

pytest.importorskip("safetensors")
pd = pytest.importorskip("pandas")

SRC = Path(__file__).parents[1] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}


def run(capsys, *argv):
    """(exit code, stdout, stderr) of `smallnet ARGV`, in this process."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, tmp_path, match, *argv):
    """`smallnet train ARGV -o tmp_path/m.safetensors` must fail: exit 2, one line, no file."""
    model = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", *argv, "-o", model)
    assert code == 2 and out == "" and err.count("\n") == 1, (out, err)
    assert match in err and "Traceback" not in err, err
    assert not model.exists()


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory):
    """The issue's table: scikit-learn's diabetes data, as a CSV file (442 rows)."""
    datasets = pytest.importorskip("sklearn.datasets")
    path = tmp_path_factory.mktemp("diabetes") / "diabetes.csv"
    datasets.load_diabetes(as_frame=True, scaled=False).frame.to_csv(path, index=False)
    return path


def _numbers_csv(path, n, target):
    """n rows of two numeric features and the column `target(i)` as y."""
    rng = np.random.RandomState(0)
    lines = ["a,b,y"] + [f"{rng.normal():.4f},{rng.normal():.4f},{target(i)}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- progress ----------------------------------------------------------------------------------


def _train_argv(model, *extra):
    return [
        sys.executable,
        "-m",
        "smallnet",
        "train",
        "--dataset",
        "iris",
        "-o",
        str(model),
        *extra,
    ]


def test_a_terminal_gets_a_bar_updated_in_place(tmp_path):
    master, slave = os.openpty()
    argv = _train_argv(tmp_path / "m.safetensors", "--epochs", "40", "--no-early-stopping")
    proc = subprocess.Popen(argv, stderr=slave, stdout=subprocess.PIPE, env=ENV)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal (EIO)
            break
        if not chunk:
            break
        shown += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 0
    assert b"\r" in shown and b"epoch 40/40" in shown and b"loss " in shown, shown
    assert shown.count(b"\n") <= 1  # one line, rewritten: not a line per update
    assert out.decode().startswith("trained 40 epochs on 135 rows (+15 for validation)")
    assert b"epoch " not in out  # the results alone on stdout


def test_a_pipe_gets_plain_lines_and_quiet_only_the_results(tmp_path):
    model = tmp_path / "m.safetensors"
    done = subprocess.run(
        _train_argv(model, "--epochs", "30", "--no-early-stopping"),
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and lines[-1].startswith("epoch 30/30: loss ") and ", val_loss " in lines[-1]
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    assert "columns: 4 used" in done.stdout
    quiet = subprocess.run(
        _train_argv(model, "--epochs", "30", "--quiet", "--test-split", "0.2"),
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert quiet.returncode == 0 and quiet.stderr == ""
    said = quiet.stdout.splitlines()
    assert said[0].startswith("trained ") and said[-1] == f"saved {model}"
    assert any(line.startswith("test (30 held-out rows): accuracy ") for line in said)
    assert not any(line.startswith(("columns:", "epoch ")) for line in said)


class _Clock:
    """A clock that moves `step` seconds each time it is read."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


class _Network:
    stop_training = False


def _shown_epochs(step, epochs=100):
    stream = io.StringIO()
    lines = progress.PlainLines(epochs, 0, stream, progress.Shown(), clock=_Clock(step))
    lines.network = _Network()
    lines.on_train_begin()
    for epoch in range(epochs):
        lines.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 2.0, "accuracy": 0.5})
    text = stream.getvalue()
    assert all(
        line.endswith(")") and ": loss 1, val_loss 2 (" in line for line in text.split("\n")[:-1]
    )
    return [int(line.split("/")[0].split()[1]) for line in text.splitlines()]


def test_plain_lines_come_every_tenth_of_the_epochs_or_few_seconds_whichever_is_rarer():
    assert _shown_epochs(step=1.0) == list(range(10, 101, 10))  # a tenth (10 s) is the rarer
    assert _shown_epochs(step=0.125) == [40, 80, 100]  # 5 s (40 epochs) is rarer; the last
    assert _shown_epochs(step=0.001) == [100]  # fast: the last line only


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_without_tqdm_gets_a_line_that_rewrites_itself(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tqdm" else find_spec(name)
    )
    stream = _Terminal()
    bar = progress.progress(3, stream=stream)
    assert isinstance(bar, progress.LineBar)
    bar.network = _Network()
    bar.on_train_begin()
    for epoch, loss in enumerate([100.0, 2.0, 1.0]):
        bar.on_epoch_end(epoch, {"loss": loss})
    bar.on_train_end()
    text = stream.getvalue()
    assert text.startswith("\repoch 1/3: loss 100 (0:00)") and text.endswith("\n")
    assert text.count("\n") == 1 and "\repoch 3/3: loss 1 (0:00)" in text
    assert isinstance(progress.progress(3, stream=io.StringIO()), progress.PlainLines)


def test_a_regressions_progress_speaks_the_targets_units(diabetes, capsys, tmp_path):
    code, out, err = run(
        capsys,
        "train",
        diabetes,
        "--target",
        "target",
        "--epochs",
        "3",
        "-o",
        tmp_path / "m.safetensors",
    )
    assert code == 0
    shown = float(err.splitlines()[-1].split("loss ")[1].split(",")[0])
    assert shown == pytest.approx(sn.load(tmp_path / "m.safetensors").history["loss"][-1], 1e-3)


# -- early stopping ----------------------------------------------------------------------------


def _diabetes_validation(diabetes, share=0.1, seed=0):
    """The rows of diabetes.csv that `train --val-split share --seed seed` validates on."""
    frame = pd.read_csv(diabetes)
    y = frame[["target"]].to_numpy(float)
    return frame.iloc[validation_rows(y, share, np.random.RandomState(seed))]


def test_the_saved_model_is_the_best_validation_epochs(diabetes, tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, out, _ = run(capsys, "train", diabetes, "--target", "target", "-o", model)
    assert code == 0
    net = sn.load(model)
    val_loss, val_r2 = (np.array(net.history[key]) for key in ("val_loss", "val_r2"))
    best = int(val_loss.argmin())
    assert len(val_loss) == best + 1 + 21 < 200  # stopped once 20 epochs (--patience) passed
    assert (
        f"early stopping: val_loss had not improved for 21 epochs after epoch {best + 1}; "
        f"stopped after epoch {best + 22} and kept the weights of epoch {best + 1}"
    ) in out
    rows = _diabetes_validation(diabetes)
    r2 = metrics.r2(rows[["target"]].to_numpy(float), net.predict(rows.drop(columns="target")))
    assert r2 == pytest.approx(val_r2[best], rel=1e-9, abs=1e-12)
    assert r2 > val_r2[-1] + 0.05  # not the last epoch's: the 0.33 against 0.14
    assert net.metadata["final_metrics"]["val_r2"] == val_r2[best]
    assert net.metadata["early_stopping"] == {"monitor": "val_loss", "patience": 20}
    assert f"val_r2 {val_r2[best]:.4g}" in out.splitlines()[0]  # the kept epoch's, reported


def test_no_early_stopping_trains_every_epoch_and_keeps_the_last(diabetes, tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, out, _ = run(
        capsys,
        "train",
        diabetes,
        "--target",
        "target",
        "--epochs",
        "60",
        "--no-early-stopping",
        "-o",
        model,
    )
    assert code == 0 and out.startswith("trained 60 epochs on 398 rows (+44 for validation)")
    assert "early stopping" not in out
    net = sn.load(model)
    assert net.metadata["val_split"] == 0.1 and net.metadata["early_stopping"] is None
    assert net.metadata["final_metrics"]["val_loss"] == net.history["val_loss"][-1]
    assert min(net.history["val_loss"]) < net.history["val_loss"][-1]  # not the best: the last
    code, out, _ = run(
        capsys,
        "train",
        diabetes,
        "--target",
        "target",
        "--epochs",
        "30",
        "--val-split",
        "0",
        "-o",
        model,
    )
    assert code == 0 and out.startswith("trained 30 epochs on 442 rows, 10 features")


def test_a_small_table_trains_on_every_row_without_early_stopping(tmp_path, capsys):
    data = _numbers_csv(tmp_path / "small.csv", 19, lambda i: i % 3 * 1.5)
    code, out, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--task",
        "regression",
        "--epochs",
        "5",
        "-o",
        tmp_path / "ok.safetensors",
    )
    assert code == 0 and out.startswith("trained 5 epochs on 19 rows, 2 features")
    assert "early stopping" not in out
    refused(
        capsys,
        tmp_path,
        "--patience needs a validation split, and with 19 rows to train "
        "on (under 20) --val-split defaults to 0",
        data,
        "--target",
        "y",
        "--patience",
        "5",
    )


def test_a_default_split_that_would_lose_a_class_is_dropped(tmp_path, capsys):
    data = _numbers_csv(tmp_path / "ones.csv", 20, lambda i: i)  # 20 classes of one row each
    code, out, err = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--task",
        "classification",
        "--epochs",
        "2",
        "-o",
        tmp_path / "ok.safetensors",
    )
    assert code == 0 and out.startswith("trained 2 epochs on 20 rows, 2 features, 20 classes")
    assert err.startswith(
        "smallnet train: no validation rows, so no early stopping: --val-split 0.1 (the default) "
        "would leave no training rows of class"
    )
    refused(
        capsys,
        tmp_path,
        "--val-split 0.1 of 20 rows leaves no training rows of class",
        data,
        "--target",
        "y",
        "--task",
        "classification",
        "--val-split",
        "0.1",
    )


def _diabetes_argv(diabetes, tmp_path, name, *extra):
    return [
        "train",
        diabetes,
        "--target",
        "target",
        "-o",
        tmp_path / f"{name}.safetensors",
        "--checkpoint",
        tmp_path / f"{name}.ckpt",
        *extra,
    ]


def test_resume_goes_on_counting_and_keeps_the_best_weights_bit_exact(diabetes, tmp_path, capsys):
    code, straight, _ = run(capsys, *_diabetes_argv(diabetes, tmp_path, "a"))
    assert code == 0 and "stopped after epoch" in straight
    a = sn.load(tmp_path / "a.safetensors")
    best = int(np.argmin(a.history["val_loss"]))
    # stop after best + 3 epochs, then go on: the stopper's count and best weights come back
    assert run(capsys, *_diabetes_argv(diabetes, tmp_path, "b", "--epochs", best + 4))[0] == 0
    code, out, _ = run(
        capsys, *_diabetes_argv(diabetes, tmp_path, "b", "--resume", tmp_path / "b.ckpt")
    )
    assert code == 0, out
    b = sn.load(tmp_path / "b.safetensors")
    assert b.history.history == a.history.history
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)
    assert straight.splitlines()[1] == out.splitlines()[1]  # the same "early stopping: ..." line
    # a checkpoint of a run that stopped: nothing more to train, the best weights saved
    code, out, _ = run(
        capsys,
        *_diabetes_argv(diabetes, tmp_path, "c", "--epochs", 500, "--resume", tmp_path / "a.ckpt"),
    )
    assert code == 0 and out.startswith(
        f"nothing to train: {tmp_path / 'a.ckpt'} had stopped early, after epoch "
        f"{len(a.history.epoch)}"
    )
    for p, q in zip(a.get_weights(), sn.load(tmp_path / "c.safetensors").get_weights()):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(
    "extra,match",
    [
        (["--patience", "5"], "written with --patience 20, not 5"),
        (["--no-early-stopping"], "written without --no-early-stopping"),
        (["--test-split", "0.2"], "written with --test-split 0, not 0.2"),
    ],
)
def test_resume_refuses_other_early_stopping_or_test_split(
    diabetes, tmp_path, capsys, extra, match
):
    assert run(capsys, *_diabetes_argv(diabetes, tmp_path, "a", "--epochs", "2"))[0] == 0
    argv = [diabetes, "--target", "target", "--epochs", "3", "--resume", tmp_path / "a.ckpt"]
    refused(capsys, tmp_path, match, *argv, *extra)


def test_a_fit_resumed_from_a_checkpoint_keeps_early_stoppings_state(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X @ [[1.0], [-2.0], [0.5]] + rng.normal(size=(80, 1))

    def fit(epochs, **kwargs):
        net = sn.Network(
            [sn.Dense(32, activation="relu"), sn.Dense(1)], optimizer=sn.Adam(0.003), seed=1
        )
        stop = sn.EarlyStopping(patience=4, restore_best_weights=True)
        net.fit(X, y, epochs=epochs, batch_size=8, validation_split=0.5, callbacks=[stop], **kwargs)
        return net, stop

    straight, stop = fit(300)
    assert stop.stopped_epoch is not None and 10 < stop.best_epoch < stop.stopped_epoch
    ckpt = tmp_path / "c.ckpt"
    fit(stop.best_epoch + 3, checkpoint=ckpt)  # best weights and a count of 2 in the file
    for epochs in (300, stop.best_epoch + 3):  # trained on; and a finished run given back
        resumed, again = fit(epochs, resume=ckpt)
        assert (again.best_epoch, again.best) == (stop.best_epoch, stop.best)
        if epochs == 300:
            assert again.stopped_epoch == stop.stopped_epoch
            assert resumed.history.history == straight.history.history
        for p, q in zip(resumed.get_weights(), straight.get_weights()):
            np.testing.assert_array_equal(p, q)


# -- the test split ------------------------------------------------------------------------------


def test_a_test_split_is_held_out_first_scored_and_recorded(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, out, _ = run(
        capsys, "train", "--dataset", "iris", "--test-split", "0.2", "--epochs", "40", "-o", model
    )
    assert code == 0
    assert (
        out.startswith("trained ") and " on 108 rows (+12 for validation, +30 for testing)" in out
    )
    net = sn.load(model)
    frame = pd.read_csv(SRC / "smallnet" / "data" / "iris.csv")
    labels = frame["species"].astype(str).tolist()
    classes = class_labels(labels)
    y = class_targets(encode_classes(labels, classes), len(classes))
    test = validation_rows(y, 0.2, np.random.RandomState(0), stratify=True)
    rows = frame.iloc[test]
    assert rows["species"].value_counts().tolist() == [10, 10, 10]  # stratified
    predicted = net.predict(rows.drop(columns="species")).argmax(axis=1)
    accuracy = float((np.array(classes)[predicted] == rows["species"].to_numpy()).mean())
    assert net.metadata["test_metrics"] == {"rows": 30, "accuracy": accuracy}
    assert f"test (30 held-out rows): accuracy {accuracy:.4f} ({round(accuracy * 30)}/30)" in out
    # never trained on: none of the model's sampled training rows is a test row
    hashes, n_rows = fingerprint.read_record(net.metadata["training_rows"])
    assert n_rows == 108 and fingerprint.count_present(hashes, net.check_data(rows)) == 0


def test_a_regressions_test_score_is_as_evaluate_gives_it(diabetes, tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    argv = ["train", diabetes, "--target", "target", "--test-split", "0.2", "-o", model]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    frame = pd.read_csv(diabetes)
    test = validation_rows(frame[["target"]].to_numpy(float), 0.2, np.random.RandomState(0))
    frame.iloc[test].to_csv(tmp_path / "test.csv", index=False)
    frame.to_csv(tmp_path / "all.csv", index=False)
    code, scored, err = run(capsys, "evaluate", model, tmp_path / "test.csv")
    assert code == 0 and err == ""  # no training row among the test rows: no note
    said = dict(line.split(": ") for line in scored.splitlines()[1:])
    scores = sn.load(model).metadata["test_metrics"]
    assert scores["rows"] == 88 and f"{scores['r2']:.6g}" == said["r2"]
    assert f"test (88 held-out rows): mse {said['mse']}, mae {said['mae']}, r2 {said['r2']}" in out
    code, _, err = run(capsys, "evaluate", model, tmp_path / "all.csv")
    n_train = 442 - 88 - 35
    assert code == 0 and err == (
        f"note: {n_train} of the {n_train} sampled training rows are in this file: these scores "
        f"include rows the model trained on\n"
    )


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--test-split", "0.001"], "--test-split 0.001 of 150 rows holds out 0 rows for testing"),
        (["--test-split", "1"], "--test-split: expected a fraction in [0, 1)"),
        (
            ["--test-split", "0.9", "--val-split", "0.9"],
            "--test-split 0.9 and --val-split 0.9 of 150 rows leave 1 row for training; give "
            "smaller ones",
        ),
        (["--patience", "-1"], "--patience: expected an integer >= 0"),
        (["--patience", "5", "--no-early-stopping"], "--patience N is early stopping's"),
        (["--patience", "5", "--val-split", "0"], "--patience needs a validation split"),
        (["--patience", "5", "--optimizer", "lbfgs"], "--patience doesn't go with --optimizer"),
    ],
)
def test_bad_stopping_and_split_options_are_one_line_errors(tmp_path, capsys, argv, match):
    refused(capsys, tmp_path, match, "--dataset", "iris", *argv)


# -- evaluate's note -------------------------------------------------------------------------------


def test_evaluate_notes_training_rows_only_when_many(tmp_path, capsys):
    data = _numbers_csv(tmp_path / "d.csv", 200, lambda i: f"{np.sin(i):.4f}")
    model = tmp_path / "m.safetensors"
    assert run(capsys, "train", data, "--target", "y", "--epochs", "3", "-o", model)[0] == 0
    lines = data.read_text().splitlines()
    sampled = sn.load(model).metadata["training_rows"]
    assert sampled["rows"] == sampled["sampled"] == 180
    few = tmp_path / "few.csv"  # 5 rows of 200: under 5% of the file
    few.write_text("\n".join([lines[0], *lines[1:6]] + [f"{k}.5,1.5,0" for k in range(195)]))
    assert run(capsys, "evaluate", model, few)[2] == ""
    mostly = tmp_path / "mostly.csv"
    mostly.write_text("\n".join(lines[:101]) + "\n")
    code, _, err = run(capsys, "evaluate", model, mostly)
    found = int(err.split()[1])
    assert code == 0 and 80 <= found <= 100  # the first 100 rows, less the validation rows
    assert err == (
        f"note: {found} of the 180 sampled training rows are in this file: these scores include "
        f"rows the model trained on\n"
    )


# -- the fingerprint -----------------------------------------------------------------------------


def test_row_hashes_depend_on_the_values_only():
    X = np.array([[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0], [np.nan, 2.0], [np.nan, 2.0], [0.0, 1.5]])
    X[4, 0] = -np.nan  # another NaN's bits
    h = fingerprint.row_hashes(X)
    assert h.dtype == np.uint64 and h.shape == (6,)
    assert h[0] == h[1] and h[3] == h[4]  # -0.0 is 0.0; every NaN alike
    assert len({h[0], h[2], h[3], h[5]}) == 4  # other values, or the same in another order
    np.testing.assert_array_equal(fingerprint.row_hashes(X.astype(np.float32)), h)
    np.testing.assert_array_equal(fingerprint.row_hashes(X[::-1])[::-1], h)  # row by row
    rows = np.random.default_rng(0).normal(size=(5000, 7))
    assert len(np.unique(fingerprint.row_hashes(rows))) == 5000
    rows[:, 3] = 0
    assert len(np.unique(fingerprint.row_hashes(rows))) == 5000
    with pytest.raises(ValueError, match=r"takes a matrix \(n_rows, n_columns\), got shape \(3,\)"):
        fingerprint.row_hashes([1.0, 2.0, 3.0])


def test_a_fingerprint_samples_with_its_generator_and_reads_back():
    a = fingerprint.sample_rows(5000, np.random.default_rng(3))
    assert len(a) == fingerprint.SAMPLE and (np.diff(a) > 0).all() and a[-1] < 5000
    np.testing.assert_array_equal(a, fingerprint.sample_rows(5000, np.random.default_rng(3)))
    assert fingerprint.sample_rows(10, np.random.default_rng(3)).tolist() == list(range(10))
    X = np.random.default_rng(0).normal(size=(50, 3))
    hashes = fingerprint.row_hashes(X[[0, 0, 7]])  # a row sampled twice counts twice
    saved = fingerprint.record(hashes, 50)
    assert saved["rows"] == 50 and saved["sampled"] == 3 and len(saved["hashes"]) == 48
    back, n = fingerprint.read_record(saved)
    np.testing.assert_array_equal(back, hashes)
    assert n == 50 and fingerprint.count_present(back, X[:5]) == 2
    assert fingerprint.count_present(back, X[1:]) == 1
    for bad in ({"rows": 50}, {**saved, "sampled": 2}, {**saved, "hashes": "z" * 48}, [1]):
        with pytest.raises(ValueError, match="row fingerprint"):
            fingerprint.read_record(bad)


def test_evaluate_names_a_damaged_fingerprint(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert run(capsys, "train", "--dataset", "iris", "--epochs", "2", "-o", model)[0] == 0
    net = sn.load(model)
    net.metadata["training_rows"] = {"rows": 3}
    net.save(model)
    code, out, err = run(capsys, "evaluate", model, "--dataset", "iris")
    assert (
        code == 2 and out == "" and "the metadata field 'training_rows': a row fingerprint" in err
    )


# -- continuous targets as classes ---------------------------------------------------------------


def test_classification_of_a_continuous_target_is_refused(diabetes, tmp_path, capsys):
    refused(
        capsys,
        tmp_path,
        "--task classification: the target 'bmi' has 163 distinct values, "
        "144 of them not whole numbers: it looks continuous; predict it with --task "
        "regression",
        diabetes,
        "--target",
        "bmi",
        "--ignore",
        "target",
        "--task",
        "classification",
    )
    # whole numbers are codes: as classes, when asked for
    code, out, _ = run(
        capsys,
        "train",
        diabetes,
        "--target",
        "age",
        "--ignore",
        "target",
        "--task",
        "classification",
        "--epochs",
        "1",
        "-o",
        tmp_path / "m",
    )
    assert code == 0 and "58 classes" in out


# -- the engine ----------------------------------------------------------------------------


def test_train_takes_the_engine_and_info_names_it(capsys, tmp_path, monkeypatch):
    from smallnet import engine

    monkeypatch.delenv(engine.ENVIRONMENT, raising=False)
    data = _numbers_csv(tmp_path / "d.csv", 120, lambda i: i % 2)
    model = tmp_path / "trained.safetensors"
    code, out, err = run(capsys, "train", data, "--target", "y", "--engine", "numpy", "--epochs",
                         "3", "-o", model)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "info", model)
    assert code == 0 and "Engine: " in out
    refused(capsys, tmp_path, "--engine", data, "--target", "y", "--engine", "gpu")
    monkeypatch.setattr(engine, "available", lambda: False)
    refused(capsys, tmp_path, "pip install 'smallnet[fast]'", data, "--target", "y",
            "--engine", "numba")  # fmt: skip
