"""The newer building blocks on the command line and in the table recipe: the activations,
--dropout, --batch-norm, the regression losses, the optimizers (L-BFGS among them)."""

import os
import sys

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli, initializers, tabular
from smallnet.activations import ACTIVATIONS
from smallnet.losses import LOSSES
from smallnet.optimizers import OPTIMIZERS

pytest.importorskip("safetensors")


def run(capsys, *argv):
    """(exit code, stdout, stderr) of `smallnet ARGV`."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def fails(capsys, match, *argv):
    """`smallnet train ARGV` must fail: exit 2, one line on stderr, no traceback."""
    code, out, err = run(capsys, "train", *argv)
    assert code == 2 and out == "", (out, err)
    assert err.count("\n") == 1 and err.startswith("smallnet train: error: "), err
    assert match in err, err
    return err


def kinds(net):
    return [type(layer).__name__ for layer in net.layers]


def _regression_csv(path, n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 2)) * [1, 100] + [0, 500]
    y = 30 * X[:, 0] - 0.1 * X[:, 1] + rng.normal(size=n)
    rows = "".join(f"{a!r},{b!r},{t!r}\n" for (a, b), t in zip(X.tolist(), y.tolist()))
    path.write_text("size,price,value\n" + rows)
    return path, X, y.reshape(-1, 1)


# -- activations, --dropout, --batch-norm ------------------------------------------------------


@pytest.mark.parametrize(
    "activation,name,initializer",
    [
        ("gelu", "gelu", "he_uniform"),
        ("silu", "silu", "he_uniform"),
        ("swish", "silu", "he_uniform"),
        ("elu", "elu", "he_uniform"),
        ("mish", "mish", "he_uniform"),
        ("selu", "selu", "lecun_normal"),
        ("softplus", "softplus", "glorot_uniform"),
    ],
)
def test_each_new_activation_trains_saves_predicts_and_shows_in_info(
    tmp_path, capsys, activation, name, initializer
):
    model = tmp_path / "m.safetensors"
    argv = ["--dataset", "iris", "--activation", activation, "--epochs", "3", "-o", model]
    assert run(capsys, "train", *argv)[0] == 0
    net = sn.load(model)
    assert (
        net.layers[1].activation.name == name and net.layers[1].initializer.__name__ == initializer
    )
    code, out, _ = run(capsys, "predict", model, "--dataset", "iris")
    assert code == 0 and len(out.splitlines()) == 151
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "dense_1 (Dense)" in out and f" {name}" in out


def test_batch_norm_and_dropout_go_after_each_hidden_layer_in_that_order(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    argv = ["--dataset", "iris", "--hidden", "8,4", "--batch-norm", "--dropout", "0.2"]
    code, out, _ = run(capsys, "train", *argv, "--epochs", "3", "-o", model)
    assert code == 0 and out.startswith("trained 3 epochs on 135 rows (+15 for validation)")
    net = sn.load(model)
    assert kinds(net) == [
        "TableEncoder", "Dense", "BatchNorm", "Dropout", "Dense", "BatchNorm", "Dropout", "Dense",
    ]  # fmt: skip
    assert [layer.rate for layer in net.layers if isinstance(layer, sn.Dropout)] == [0.2, 0.2]
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "batchnorm_2 (BatchNorm)" in out and "dropout_3 (Dropout 0.2)" in out
    code, out, _ = run(capsys, "evaluate", model, "--dataset", "iris")
    assert code == 0 and out.startswith("150 rows\naccuracy: ")


def test_dropout_takes_one_rate_per_hidden_layer_and_0_puts_none(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    for rates in (["0.3,0"], ["0.3", "0"]):  # like --hidden: commas or spaces
        argv = ["--dataset", "xor", "--hidden", "8,4", "--dropout", *rates, "--epochs", "2"]
        assert run(capsys, "train", *argv, "-o", model)[0] == 0
        net = sn.load(model)
        assert kinds(net) == ["TableEncoder", "Dense", "Dropout", "Dense", "Dense"]
        assert net.layers[2].rate == 0.3


def test_export_onnx_of_batch_norm_dropout_and_gelu(tmp_path, capsys):
    pytest.importorskip("onnxruntime")
    model, onnx = tmp_path / "m.safetensors", tmp_path / "m.onnx"
    argv = ["--dataset", "iris", "--activation", "gelu", "--batch-norm", "--dropout", "0.2"]
    assert run(capsys, "train", *argv, "--epochs", "5", "-o", model)[0] == 0
    code, out, _ = run(capsys, "export", model, "--onnx", onnx)
    assert code == 0 and out.startswith(f"wrote {onnx}; largest |onnxruntime - smallnet|")
    assert float(out.split("random inputs: ")[1].split()[0]) <= 1e-5 and onnx.stat().st_size > 0


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--hidden", "none", "--dropout", "0.2"], "--dropout puts a Dropout after each hidden"),
        (["--hidden", "none", "--batch-norm"], "--batch-norm puts a BatchNorm after each hidden"),
        (
            ["--hidden", "8,4", "--dropout", "0.1,0.2,0.3"],
            "--dropout 0.1,0.2,0.3 gives 3 rates for 2 hidden layers (--hidden 8,4)",
        ),
        (["--dropout", "1"], "argument --dropout: expected rates in [0, 1)"),
        (["--dropout", "0.2,x"], "argument --dropout: expected rates in [0, 1)"),
        (["--dropout", "nan"], "argument --dropout: expected rates in [0, 1)"),
        (["--dropout", "0.1", "--dropout", "0.2"], "--dropout given twice"),
    ],
)
def test_layer_option_mistakes_are_one_line_and_write_nothing(tmp_path, capsys, argv, match):
    fails(capsys, match, "--dataset", "iris", *argv, "-o", tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == []


# -- --resume ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A checkpoint of 2 epochs with --hidden 8,4 --dropout 0.2 --batch-norm."""
    folder = tmp_path_factory.mktemp("blocks")
    path = folder / "run.ckpt"
    argv = ["train", "--dataset", "iris", "--hidden", "8,4", "--dropout", "0.2", "--batch-norm"]
    assert (
        cli.main([*argv, "--epochs", "2", "--checkpoint", str(path), "-o", str(folder / "m")]) == 0
    )
    return path


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--dropout", "0.3", "--batch-norm"], "written with --dropout 0.2, not 0.3;"),
        (["--batch-norm"], "written with --dropout 0.2, not 0;"),
        (["--dropout", "0.2,0.1", "--batch-norm"], "written with --dropout 0.2, not 0.2,0.1;"),
        (["--dropout", "0.2"], "the checkpoint was written with --batch-norm; resume with"),
    ],
)
def test_resume_refuses_another_dropout_or_batch_norm(checkpoint, tmp_path, capsys, argv, match):
    model = tmp_path / "m.safetensors"
    err = fails(
        capsys, match, "--dataset", "iris", "--hidden", "8,4", *argv, "--epochs", "3",
        "--resume", checkpoint, "-o", model,
    )  # fmt: skip
    assert str(checkpoint) in err and not model.exists()


def test_resume_takes_the_same_rates_written_either_way(checkpoint, tmp_path, capsys):
    code, out, _ = run(
        capsys, "train", "--dataset", "iris", "--hidden", "8,4", "--dropout", "0.2,0.2",
        "--batch-norm", "--epochs", "3", "--resume", checkpoint, "-o", tmp_path / "m",
    )  # fmt: skip
    assert code == 0 and out.startswith(f"trained 3 epochs (the first 2 in {checkpoint})")


def test_a_checkpoint_without_batch_norm_refuses_it(tmp_path, capsys):
    path = tmp_path / "run.ckpt"
    argv = ["--dataset", "xor", "--epochs", "2"]
    assert run(capsys, "train", *argv, "--checkpoint", path, "-o", tmp_path / "a")[0] == 0
    fails(
        capsys, "the checkpoint was written without --batch-norm", *argv[:2], "--epochs", "3",
        "--batch-norm", "--resume", path, "-o", tmp_path / "b",
    )  # fmt: skip
    assert not (tmp_path / "b").exists()


# -- losses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["huber", "mae"])
def test_regression_losses_report_and_save_the_targets_units(tmp_path, capsys, loss):
    pytest.importorskip("scipy")
    data, X, y = _regression_csv(tmp_path / "houses.csv")
    model = tmp_path / "m.safetensors"
    argv = [data, "--target", "value", "--loss", loss, "--optimizer", "lbfgs", "--epochs", "40"]
    code, out, _ = run(capsys, "train", *argv, "-o", model)
    assert code == 0, out
    net = sn.load(model)
    assert net.loss.name == loss
    if loss == "huber":  # delta 1 on the standardized target: the target's std in its units
        assert net.loss.delta == pytest.approx(float(y.std()), rel=1e-6)
    # full batch: the last History entry is the final network's loss on these rows
    recorded = net.history.history["loss"][-1]
    assert net.evaluate(X, y)["loss"] == pytest.approx(recorded, rel=1e-6)
    assert f"loss {recorded:.4g}" in out
    code, out, _ = run(capsys, "evaluate", model, data)
    assert code == 0 and "r2: " in out


@pytest.mark.parametrize(
    "dataset,loss,match",
    [
        (None, "binary_crossentropy", "--loss binary_crossentropy is for classification;"),
        (None, "categorical_crossentropy", "a regression takes mse (the default), sse, huber"),
        ("iris", "huber", "--loss huber is for regression; classes take binary_crossentropy"),
        ("xor", "mae", "--loss mae is for regression"),
        ("xor", "categorical_crossentropy", "needs 3 or more classes (one softmax output each)"),
        ("iris", "sparse_categorical_crossentropy", "takes class indices, and train gives"),
        (None, "sparse_categorical_crossentropy", "takes class indices, and train gives"),
        ("iris", "hinge", "unknown loss 'hinge'; valid names are: binary_crossentropy"),
    ],
)
def test_losses_the_task_cant_train_on_are_refused(tmp_path, capsys, dataset, loss, match):
    data = _regression_csv(tmp_path / "houses.csv")[0]
    source = ["--dataset", dataset] if dataset else [data, "--target", "value"]
    fails(capsys, match, *source, "--loss", loss, "-o", tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == ["houses.csv"]


# -- optimizers --------------------------------------------------------------------------------


def test_lbfgs_trains_full_batch_on_iris(tmp_path, capsys):
    pytest.importorskip("scipy")
    model = tmp_path / "m.safetensors"
    argv = ["--dataset", "iris", "--optimizer", "lbfgs", "--epochs", "30", "--val-split", "0.2"]
    code, out, err = run(capsys, "train", *argv, "--quiet", "-o", model)
    assert code == 0 and err == ""  # no warning (and no progress: --quiet)
    assert out.startswith("trained 30 L-BFGS iterations on 120 rows (+30 for validation)")
    net = sn.load(model)
    assert net.optimizer.config() == sn.LBFGS().config()  # no learning rate
    assert net.metadata["batch_size"] == 120  # every training row, at once
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "Optimizer: LBFGS(" in out
    code, out, _ = run(capsys, "evaluate", model, "--dataset", "iris")
    assert code == 0 and float(out.split("accuracy: ")[1].split()[0]) > 0.9


def test_lbfgs_says_when_scipy_ends_before_the_epochs(tmp_path, capsys):
    pytest.importorskip("scipy")
    code, out, _ = run(
        capsys, "train", "--dataset", "xor", "--optimizer", "lbfgs", "--epochs", "10000",
        "-o", tmp_path / "m",
    )  # fmt: skip
    assert code == 0 and "L-BFGS iterations (of --epochs 10000; scipy: " in out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--batch-size", "8"], "--batch-size doesn't go with --optimizer lbfgs: it trains on all"),
        (["--batch-size", "32"], "--batch-size doesn't go with --optimizer lbfgs"),
        (["--lr", "0.1"], "--lr doesn't go with --optimizer lbfgs: it has no learning rate"),
        (["--checkpoint", "{tmp}/c.ckpt"], "--checkpoint doesn't go with --optimizer lbfgs"),
        (["--resume", "{tmp}/c.ckpt"], "--resume doesn't go with --optimizer lbfgs"),
        (["--dropout", "0.1"], "--dropout doesn't go with --optimizer lbfgs: it needs the same"),
    ],
)
def test_lbfgs_refuses_what_it_cant_do_before_training(tmp_path, capsys, argv, match):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    fails(capsys, match, "--dataset", "iris", "--optimizer", "lbfgs", *argv, "-o", tmp_path / "m")
    assert os.listdir(tmp_path) == []


def test_lbfgs_without_scipy_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy raises ImportError
    fails(
        capsys, "pip install 'smallnet[lbfgs]'", "--dataset", "iris", "--optimizer", "LBFGS",
        "-o", tmp_path / "m",
    )  # fmt: skip
    assert os.listdir(tmp_path) == []


def test_lbfgs_takes_dropout_0_which_puts_no_layer(tmp_path, capsys):
    pytest.importorskip("scipy")
    argv = ["--dataset", "xor", "--optimizer", "lbfgs", "--dropout", "0", "--epochs", "3"]
    assert run(capsys, "train", *argv, "-o", tmp_path / "m")[0] == 0
    assert kinds(sn.load(tmp_path / "m")) == ["TableEncoder", "Dense", "Dense"]


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_update_rules_take_lr_and_batch_size(tmp_path, capsys, name):
    argv = ["--dataset", "xor", "--optimizer", name, "--lr", "0.05", "--batch-size", "2"]
    assert run(capsys, "train", *argv, "--epochs", "2", "-o", tmp_path / "m")[0] == 0
    net = sn.load(tmp_path / "m")
    assert net.optimizer.name == name and net.optimizer.learning_rate == 0.05
    assert net.metadata["batch_size"] == 2


def test_help_lists_every_name_and_what_lbfgs_epochs_are(capsys):
    code, out, _ = run(capsys, "train", "--help")
    text = " ".join(out.split())
    assert code == 0
    for name in [*ACTIVATIONS, *OPTIMIZERS, *LOSSES]:
        assert name in text, name
    assert "identity (or linear)" in text and "silu (or swish)" in text
    assert "with --optimizer lbfgs, the most L-BFGS iterations" in text
    assert "--dropout RATES" in text and "--batch-norm" in text


# -- the table recipe --------------------------------------------------------------------------


def test_default_network_puts_batch_norm_then_dropout_after_each_hidden_layer():
    net = tabular.default_network([8, 4], 3, n_features=5, dropout=[0.5, 0.1], batch_norm=True)
    assert kinds(net) == ["Dense", "BatchNorm", "Dropout", "Dense", "BatchNorm", "Dropout", "Dense"]
    assert [net.layers[i].rate for i in (2, 5)] == [0.5, 0.1]
    assert kinds(tabular.default_network([8], 1, dropout=0.0)) == ["Dense", "Dense"]
    same = tabular.default_network([8, 4], 1, dropout=0.2)
    assert [layer.rate for layer in same.layers if isinstance(layer, sn.Dropout)] == [0.2, 0.2]


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"dropout": 1.0}, ValueError, "dropout must be < 1"),
        ({"dropout": [0.1]}, ValueError, "dropout has 1 rate for 2 hidden layers"),
        ({"dropout": [0.1, -0.1]}, ValueError, r"dropout\[1\] must be >= 0"),
        ({"dropout": "0.2"}, TypeError, "dropout must be a number"),
        ({"batch_norm": 1}, TypeError, "batch_norm must be True or False"),
    ],
)
def test_default_network_checks_its_layer_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        tabular.default_network([8, 4], 1, **kwargs)


def test_default_network_without_hidden_layers_refuses_them():
    with pytest.raises(ValueError, match="puts a Dropout after each hidden layer"):
        tabular.default_network([], 1, dropout=0.2)
    with pytest.raises(ValueError, match="puts a BatchNorm after each hidden layer"):
        tabular.default_network([], 1, batch_norm=True)


def test_an_activation_instance_is_copied_for_each_layer():
    X = np.random.RandomState(0).normal(size=(16, 3))
    gelu = sn.GELU(approximate=True)
    net = tabular.default_network([4, 4], 1, X=X, activation=gelu, seed=0)
    first, second = net.layers[0].activation, net.layers[1].activation
    assert first is not second and first.approximate and second.approximate
    net.fit(X, X[:, :1], epochs=2)  # a shared GELU would refuse the second layer's backward
    assert tabular.hidden_initializer(gelu) == "he_uniform"


def test_lecun_normal_draws_with_variance_one_over_fan_in():
    rng = np.random.RandomState(0)
    weights = initializers.get("lecun_normal")((400, 300), rng)
    assert weights.shape == (400, 300)
    assert abs(weights.mean()) < 0.002 and weights.var() == pytest.approx(1 / 400, rel=0.02)
    assert tabular.hidden_initializer("selu") == "lecun_normal"


def test_lbfgs_with_batch_norm_predicts_what_it_trained_to(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    argv = ["--dataset", "iris", "--optimizer", "lbfgs", "--batch-norm", "--epochs", "60"]
    code, out, _ = run(capsys, "train", *argv, "-o", model)
    assert code == 0
    trained = float(out.split("accuracy ")[1].split()[0].rstrip(":,"))
    code, out, _ = run(capsys, "evaluate", model, "--dataset", "iris")
    assert code == 0 and f"accuracy: {trained:.4f}" in out


def test_softmax_is_refused_for_hidden_layers(tmp_path, capsys):
    fails(
        capsys,
        "--activation softmax is an output's activation",
        "--dataset", "iris", "--activation", "softmax", "-o", tmp_path / "m.safetensors",
    )  # fmt: skip
    assert not (tmp_path / "m.safetensors").exists()


def test_lbfgs_says_when_it_has_not_converged_by_its_epochs(tmp_path, capsys):
    argv = ["--dataset", "iris", "--optimizer", "lbfgs", "--epochs", "2"]
    code, out, _ = run(capsys, "train", *argv, "-o", tmp_path / "m.safetensors")
    assert code == 0 and "L-BFGS had not converged after --epochs 2 iterations (scipy: " in out


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("--hidden", "16,,8", "argument --hidden: expected layer sizes like 16,8, got '16,,8'"),
        ("--dropout", "0.2,", "argument --dropout: expected rates in [0, 1) like 0.2"),
    ],
)
def test_an_empty_entry_between_commas_is_refused(tmp_path, capsys, option, value, match):
    fails(capsys, match, "--dataset", "iris", option, value, "-o", tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_export_refuses_a_name_that_is_no_onnx_file(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert run(capsys, "train", "--dataset", "xor", "--epochs", "2", "-o", model)[0] == 0
    code, out, err = run(capsys, "export", model, "--onnx", tmp_path / "x.safetensors")
    assert code == 2 and out == "" and not (tmp_path / "x.safetensors").exists()
    assert "export writes an ONNX graph, not safetensors; give a name ending .onnx" in err
