"""The command line end to end: train, predict, evaluate, info, export, and how every error ends."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import smallnet as sn
from smallnet import cli

pytest.importorskip("safetensors")

ROOT = Path(__file__).parents[1]
IRIS = ROOT / "src" / "smallnet" / "data" / "iris.csv"


def run(capsys, *argv):
    """(exit code, stdout, stderr) of `smallnet ARGV`."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def fails(capsys, command, match, *argv):
    """Run a command that must fail: exit 2, one line on stderr naming the command, no traceback."""
    code, out, err = run(capsys, command, *argv)
    assert code == 2, (out, err)
    assert (
        err.count("\n") == 1
        and err.startswith(f"smallnet {command}: error: ")
        and "Traceback" not in err
    )
    assert match in err, err
    return err


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "iris.safetensors"
    assert cli.main(["train", "--dataset", "iris", "--epochs", "60", "-o", str(path)]) == 0
    return path


def _regression_csv(path, n=120, delimiter=","):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 2)) * [1, 100] + [0, 500]
    y = 3 * X[:, 0] - 0.01 * X[:, 1] + 0.05 * rng.normal(size=n)
    lines = [delimiter.join(["size", "price", "value"])]
    lines += [delimiter.join(repr(float(v)) for v in (a, b, t)) for (a, b), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- train, then use the model -----------------------------------------------------------------


def test_train_on_a_shipped_dataset_then_info_evaluate_predict(iris_model, tmp_path, capsys):
    code, out, _ = run(capsys, "info", iris_model)
    assert code == 0
    assert "tableencoder_0 (TableEncoder)" in out and "softmax" in out
    assert "columns, as the model encodes them:\n  sepal_length: number\n" in out
    assert "classes: setosa, versicolor, virginica" in out and "target: species" in out
    assert "final metrics: loss" in out and "accuracy" in out

    code, out, _ = run(capsys, "evaluate", iris_model, IRIS, "--target", "species")
    assert code == 0
    accuracy = float(out.split("accuracy: ")[1].split()[0])
    assert accuracy > 0.9
    matrix = [line.split() for line in out.splitlines()[-3:]]
    assert [row[0] for row in matrix] == ["setosa", "versicolor", "virginica"]
    assert sum(int(n) for row in matrix for n in row[1:]) == 150
    assert sum(int(row[1 + i]) for i, row in enumerate(matrix)) == round(accuracy * 150)

    out_csv = tmp_path / "labels.csv"
    assert run(capsys, "predict", iris_model, IRIS, "-o", out_csv)[0] == 0
    labels = out_csv.read_text().splitlines()
    assert (
        labels[0] == "species"
        and len(labels) == 151
        and set(labels[1:]) <= {"setosa", "versicolor", "virginica"}
    )

    code, out, _ = run(capsys, "predict", iris_model, IRIS, "--proba")
    rows = out.splitlines()
    assert code == 0 and rows[0] == "setosa,versicolor,virginica"
    proba = np.array([[float(v) for v in row.split(",")] for row in rows[1:]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert [["setosa", "versicolor", "virginica"][k] for k in proba.argmax(axis=1)] == labels[1:]


def test_train_prints_a_summary_and_the_model_carries_its_facts(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    code, out, err = run(
        capsys,
        "train",
        "--dataset",
        "xor",
        "--hidden",
        "8",
        "--activation",
        "tanh",
        "--epochs",
        "300",
        "--lr",
        "0.05",
        "--batch-size",
        "4",
        "--seed",
        "3",
        "-o",
        model,
        "--quiet",  # no progress on stderr: no warning either
    )
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith(
        "trained 300 epochs on 4 rows, 2 features, 2 classes: loss "
    )
    assert out.splitlines()[1:] == [f"saved {model}"]  # --quiet: no columns listing either
    net = sn.load(model)
    assert net.metadata["task"] == "classification" and net.metadata["classes"] == ["0", "1"]
    assert net.metadata["feature_names"] == ["a", "b"] and net.metadata["target"] == "a_xor_b"
    assert [type(layer).__name__ for layer in net.layers] == ["TableEncoder", "Dense", "Dense"]
    assert net.layers[1].activation.name == "tanh" and net.layers[2].activation.name == "sigmoid"
    assert net.loss.name == "binary_crossentropy" and net.optimizer.learning_rate == 0.05
    assert net.config()["seed"] == 3 and net.layers[1].units == 8


def test_same_command_gives_the_same_model(tmp_path, capsys):
    for name in ("a", "b"):
        assert (
            run(capsys, "train", "--dataset", "tutorial", "--epochs", "20", "-o", tmp_path / name)[
                0
            ]
            == 0
        )
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_string_labels_semicolons_and_predicting_on_reordered_columns(tmp_path, capsys):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 2))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "big one", "small")
    data = tmp_path / "train.csv"
    data.write_text(
        "x1;x2;kind\r\n" + "".join(f'{a};{b};"{c}"\r\n' for (a, b), c in zip(X, labels))
    )
    model = tmp_path / "kind.safetensors"
    assert run(capsys, "train", data, "--target", "kind", "--epochs", "100", "-o", model)[0] == 0
    assert sn.load(model).metadata["classes"] == ["big one", "small"]
    later = tmp_path / "later.csv"
    later.write_text("x2,x1\n" + "".join(f"{b},{a}\n" for a, b in X[:10]))
    code, out, _ = run(capsys, "predict", model, later)
    assert code == 0 and out.splitlines() == ["kind", *labels[:10]]


def test_regression_is_inferred_and_evaluated(tmp_path, capsys):
    data = _regression_csv(tmp_path / "houses.csv", delimiter="\t")
    model = tmp_path / "houses.safetensors"
    code, out, _ = run(
        capsys, "train", data, "--target", "value", "--hidden", "", "--epochs", "150", "-o", model
    )
    assert code == 0 and "regression: loss" in out and "r2" in out
    net = sn.load(model)
    assert net.metadata["task"] == "regression" and "classes" not in net.metadata
    assert net.layers[-2].activation.name == "identity" and net.loss.name == "mse"
    assert net.layers[-1].invert  # trained on standardized targets, predicting in their units
    code, out, _ = run(capsys, "evaluate", model, data, "--target", "value")
    assert code == 0
    scores = dict(line.split(": ") for line in out.splitlines()[1:])
    assert set(scores) == {"mse", "mae", "r2"} and float(scores["r2"]) > 0.9
    code, out, _ = run(capsys, "predict", model, data)  # the target column is there, and ignored
    assert code == 0 and out.splitlines()[0] == "value" and len(out.splitlines()) == 121


def test_task_inference_and_override(tmp_path, capsys):
    data = tmp_path / "grades.csv"
    data.write_text(
        "hours,grade\n"
        + "".join(f"{h},{g}\n" for h, g in [(1, 1), (2, "1.0"), (8, 3), (9, 3), (5, 2)])
    )
    assert (
        run(capsys, "train", data, "--target", "grade", "--epochs", "5", "-o", tmp_path / "c")[0]
        == 0
    )
    assert sn.load(tmp_path / "c").metadata["classes"] == [
        "1",
        "1.0",
        "2",
        "3",
    ]  # labels as written
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "grade",
            "--task",
            "regression",
            "--epochs",
            "5",
            "-o",
            tmp_path / "r",
        )[0]
        == 0
    )
    assert sn.load(tmp_path / "r").metadata["task"] == "regression"
    many = tmp_path / "counts.csv"
    many.write_text("x,n\n" + "".join(f"{i},{i * 7}\n" for i in range(12)))  # 12 distinct integers
    assert (
        run(capsys, "train", many, "--target", "n", "--epochs", "2", "-o", tmp_path / "n")[0] == 0
    )
    assert sn.load(tmp_path / "n").metadata["task"] == "regression"


# -- errors ------------------------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n1,2,x\n3,4,z\n5,6,x\n")
    return path


@pytest.mark.parametrize(
    "content,match",
    [
        (
            "a,b,y\n1,2,x\n3,abc,z\n5,6,x\n",
            "line 3, column 'b': 'abc' is not a number; the column's other values are numbers: "
            "fix this one, count it as missing with --na-values, or take the column as categories "
            "with --categorical b",
        ),
        (
            "a,b,y\n1,2,x\n3,inf,z\n5,6,x\n",
            "line 3, column 'b': infinite, or a number too large for a float",
        ),
        ("a,b,y\n1,2,x\n3,4\n", "line 3: 2 fields, but the header has 3"),
        ("a,b,q\n1,2,x\n", "target column 'y' not found; the columns are: 'a', 'b', 'q'"),
        ("y\nx\n", "no feature columns"),
        ("", "the file is empty"),
        ("a,b,y\n1,2,x\n3,4,x\n", "holds one class only ('x')"),
    ],
)
def test_train_data_errors(tmp_path, capsys, content, match):
    data = tmp_path / "data.csv"
    data.write_text(content)
    err = fails(capsys, "train", match, data, "--target", "y", "-o", tmp_path / "m.safetensors")
    assert str(data) in err
    assert sorted(os.listdir(tmp_path)) == ["data.csv"]


def test_regression_target_errors_name_the_line(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("a,y\n1,2.5\n2,3.5\n3,lots\n")
    fails(
        capsys,
        "train",
        f"{data}, line 4, column 'y': 'lots' is not a number",
        data,
        "--target",
        "y",
        "--task",
        "regression",
        "-o",
        tmp_path / "m",
    )


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--dataset", "iris", "--target", "species"], "--target goes with DATA.csv"),
        ([], "give either DATA.csv or --dataset NAME"),
        (["{data}"], "--target COLUMN is required"),
        (["{data}", "--dataset", "xor"], "give either DATA.csv or --dataset NAME"),
        (
            ["{data}", "--target", "y", "--activation", "hardswish"],
            "unknown activation 'hardswish'",
        ),
        (["{data}", "--target", "y", "--loss", "hinge"], "unknown loss 'hinge'"),
        (["{data}", "--target", "y", "--optimizer", "adadelta"], "unknown optimizer 'adadelta'"),
        (
            ["{data}", "--target", "y", "--lr", "0"],
            "argument --lr: expected a positive number, got '0'",
        ),
        (
            ["{data}", "--target", "y", "--epochs", "0"],
            "argument --epochs: expected a positive integer, got '0'",
        ),
        (
            ["{data}", "--target", "y", "--batch-size", "0"],
            "argument --batch-size: expected a positive integer",
        ),
        (
            ["nope.csv", "--target", "y"],
            "nope.csv: no such file",
        ),  # as for a model: see test_model_file_errors
    ],
)
def test_train_argument_errors(tmp_path, capsys, csv_file, argv, match):
    argv = [a.replace("{data}", str(csv_file)) for a in argv]
    fails(capsys, "train", match, *argv, "-o", tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_output_folder_must_exist(tmp_path, capsys, csv_file):
    fails(
        capsys,
        "train",
        "does not exist",
        csv_file,
        "--target",
        "y",
        "-o",
        tmp_path / "no" / "m.safetensors",
    )


@pytest.mark.parametrize(
    "argv,match",
    [
        (
            ["train", "--hidden", "8,x", "--dataset", "xor", "-o", "m"],
            "argument --hidden: expected layer sizes like 16,8",
        ),
        (
            ["train", "--epochs", "ten", "--dataset", "xor", "-o", "m"],
            "argument --epochs: expected a positive integer",
        ),
        (["train", "--dataset", "mnist", "-o", "m"], "invalid choice: 'mnist'"),
        (["train", "--dataset", "xor"], "the following arguments are required: -o/--output"),
        (["predict", "m.safetensors"], "give DATA.csv or --dataset NAME"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(capsys, argv, match):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and match in err and "usage:" not in err


def test_predict_errors_leave_the_existing_output_untouched(iris_model, tmp_path, capsys, csv_file):
    out_csv = tmp_path / "out.csv"
    out_csv.write_text("precious\n")
    fails(
        capsys,
        "predict",
        "the columns differ from the model's features (missing 'sepal_length'",
        iris_model,
        csv_file,
        "-o",
        out_csv,
    )
    broken = tmp_path / "broken.csv"
    broken.write_text(IRIS.read_text().replace("5.1,3.5", "5.1,x3.5", 1))
    fails(
        capsys,
        "predict",
        f"{broken}, line 2, column 'sepal_width': 'x3.5' is not a number",
        iris_model,
        broken,
        "-o",
        out_csv,
    )
    assert out_csv.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["broken.csv", "data.csv", "out.csv"]


def test_model_file_errors(tmp_path, capsys, csv_file, iris_model):
    fails(
        capsys, "predict", "nope.safetensors: no such file", tmp_path / "nope.safetensors", csv_file
    )
    fails(capsys, "info", "not a safetensors file", csv_file)
    truncated = tmp_path / "cut.safetensors"
    truncated.write_bytes(iris_model.read_bytes()[:-10])
    fails(capsys, "evaluate", "corrupted or truncated", truncated, IRIS, "--target", "species")


def test_evaluate_errors(iris_model, tmp_path, capsys):
    data = tmp_path / "iris.csv"
    data.write_text(IRIS.read_text().replace("setosa", "setosaa", 1))
    fails(
        capsys,
        "evaluate",
        f"{data}, line 2, column 'species': 'setosaa' is not one of the model's classes",
        iris_model,
        data,
        "--target",
        "species",
    )
    fails(
        capsys, "evaluate", "target column 'kind' not found", iris_model, IRIS, "--target", "kind"
    )


def test_proba_needs_a_classifier(tmp_path, capsys):
    data = _regression_csv(tmp_path / "houses.csv")
    assert (
        run(capsys, "train", data, "--target", "value", "--epochs", "2", "-o", tmp_path / "m")[0]
        == 0
    )
    fails(
        capsys, "predict", "--proba needs a classification model", tmp_path / "m", data, "--proba"
    )


def test_models_from_python_predict_raw_outputs(tmp_path, capsys):
    net = sn.Network([sn.Dense(2, input_dim=3)], seed=0).build()
    net.save(tmp_path / "m.safetensors")
    data = tmp_path / "x.csv"
    data.write_text("p,q,r\n1,2,3\n")
    code, out, _ = run(capsys, "predict", tmp_path / "m.safetensors", data)
    assert code == 0 and out.splitlines()[0] == "output_0,output_1"
    np.testing.assert_allclose(
        [float(v) for v in out.splitlines()[1].split(",")], net.predict([[1, 2, 3]])[0]
    )
    fails(capsys, "evaluate", "no task recorded", tmp_path / "m.safetensors", data, "--target", "r")
    data.write_text("p,q\n1,2\n")
    fails(
        capsys,
        "predict",
        "X has 2 features (columns), but the network expects 3",
        tmp_path / "m.safetensors",
        data,
    )


def test_export_onnx(iris_model, tmp_path, capsys):
    pytest.importorskip("onnxruntime")
    code, out, _ = run(capsys, "export", iris_model, "--onnx", tmp_path / "iris.onnx")
    assert code == 0 and (tmp_path / "iris.onnx").stat().st_size > 0
    difference = float(out.split("random inputs: ")[1].split()[0])
    assert 0 <= difference <= 1e-5
    fails(capsys, "export", "does not exist", iris_model, "--onnx", tmp_path / "no" / "x.onnx")


# -- as a program ------------------------------------------------------------------------------


def _program(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "smallnet", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def test_program_errors_without_traceback_unless_debug(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,y\n1,x\n2,w\n1e999,z\n")
    result = _program("train", data, "--target", "y", "-o", "m.safetensors", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr
        == f"smallnet train: error: {data}, line 4, column 'a': infinite, or a number too large "
        f"for a float (beyond 1.8e308)\n"
    )
    debug = _program("train", data, "--target", "y", "-o", "m.safetensors", "--debug", cwd=tmp_path)
    assert (
        debug.returncode != 0
        and "Traceback" in debug.stderr
        and "line 4, column 'a'" in debug.stderr
    )
    assert sorted(os.listdir(tmp_path)) == ["data.csv"]


def test_program_trains_and_predicts(tmp_path):
    result = _program(
        "train", "--dataset", "tutorial", "--epochs", "50", "-o", "t.safetensors", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    result = _program("predict", "t.safetensors", IRIS.with_name("tutorial.csv"), cwd=tmp_path)
    assert (
        result.returncode == 0
        and result.stdout.splitlines()[0] == "y"
        and len(result.stdout.splitlines()) == 5
    )


def test_train_without_safetensors_says_so_before_training(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "safetensors", None)  # as if the [io] extra were not installed
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    trained = []
    monkeypatch.setattr(sn.Network, "fit", lambda *a, **k: trained.append(1))
    assert cli.main(["train", "--dataset", "xor", "-o", str(tmp_path / "m.safetensors")]) == 2
    assert "pip install safetensors (the [io] extra)" in capsys.readouterr().err
    assert trained == [] and not (tmp_path / "m.safetensors").exists()


def test_ignored_columns_stay_out_in_training_and_prediction(tmp_path, capsys):
    data = tmp_path / "people.csv"
    rows = [f"p{i},{i % 7},{(i * 3) % 5},{'yes' if i % 7 > 3 else 'no'}" for i in range(40)]
    data.write_text("id,a,b,label\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.safetensors"
    # an id of text, distinct on every row: left out of the network, with a warning
    code, out, err = run(capsys, "train", data, "--target", "label", "-o", model, "--epochs", "5")
    assert code == 0
    assert (
        "smallnet train: warning: column 'id' left out: it looks like an identifier" in err
        and "columns: 2 used, 1 left out\n  id  identifier: left out" in out
    )
    assert [c["name"] for c in sn.load(model).layers[0].columns] == ["a", "b"]
    # the left-out id is not needed to predict, and is skipped where it is there
    without_id = tmp_path / "new.csv"
    without_id.write_text("b,a\n" + "\n".join(f"{i % 5},{i % 7}" for i in range(3)) + "\n")
    assert run(capsys, "predict", model, without_id)[0] == 0
    code, out, _ = run(capsys, "predict", model, data, "--keep", "id")
    assert code == 0 and out.startswith("id,label\np0,")
    assert sn.load(model).metadata["ignored"] == ["id"]
    assert (
        cli.main(
            [
                "train",
                str(data),
                "--target",
                "label",
                "--ignore",
                "id",
                "-o",
                str(model),
                "--epochs",
                "5",
            ]
        )
        == 0
    )
    assert sn.load(model).metadata["feature_names"] == ["a", "b"]
    capsys.readouterr()
    assert (
        cli.main(["predict", str(model), str(data)]) == 0
    )  # the id column (and the target) are skipped
    assert len(capsys.readouterr().out.splitlines()) == 41


# -- models saved from Python, with metadata of their own -----------------------------------------


def _python_model(path, metadata, outputs=1):
    """A sigmoid (or softmax) classifier of columns a, b saved from Python with `metadata`, as a
    user would."""
    activation = "sigmoid" if outputs == 1 else "softmax"
    net = sn.Network([sn.Dense(outputs, input_dim=2, activation=activation)], seed=0).build()
    net.metadata = metadata
    net.save(path)
    return net


def test_models_with_their_own_metadata_predict_with_what_they_record(tmp_path, capsys):
    features = tmp_path / "feat.csv"
    features.write_text("a,b\n1,2\n-3,-4\n")
    model = tmp_path / "m.st"
    net = _python_model(
        model, {"task": "classification", "class_names": ["x", "y"]}
    )  # no "classes": indices
    expected = [str(int(p > 0.5)) for p in net.predict([[1, 2], [-3, -4]])[:, 0]]
    code, out, _ = run(capsys, "predict", model, features)
    assert code == 0 and out.splitlines() == ["prediction", *expected]
    code, out, _ = run(capsys, "predict", model, features, "--proba")
    assert code == 0 and out.splitlines()[0] == "0,1"
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("a,b,label\n1,2,x\n")
    fails(
        capsys,
        "evaluate",
        "'x' is not one of the model's classes (0, 1); the model records no class names",
        model,
        labelled,
        "--target",
        "label",
    )
    labelled.write_text(f"a,b,label\n1,2,{expected[0]}\n")
    code, out, _ = run(capsys, "evaluate", model, labelled, "--target", "label")
    assert code == 0 and out.startswith("1 row\naccuracy: 1.0000 (1/1)")

    _python_model(model, {"task": "classification", "classes": [1, 2]})  # numbers as class names
    code, out, _ = run(capsys, "predict", model, features)
    assert code == 0 and set(out.splitlines()[1:]) <= {"1", "2"}


def test_metadata_that_is_not_a_dict_is_shown_and_otherwise_left_alone(
    tmp_path, capsys, monkeypatch
):
    features = tmp_path / "feat.csv"
    features.write_text("a,b\n1,2\n")
    model = tmp_path / "m.st"
    net = _python_model(model, {})
    net.metadata = [1, 2]  # as in a hand-edited file: `save` itself takes dicts only
    monkeypatch.setattr("smallnet.cli.model.load", lambda path: net)  # as read_model loads
    code, out, _ = run(capsys, "predict", model, features)
    assert code == 0 and out.splitlines()[0] == "output_0"
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "metadata: 1, 2" in out


@pytest.mark.parametrize(
    "metadata,outputs,match",
    [
        (
            {"task": "classification", "classes": ["x", "y", "z"]},
            1,
            "'classes' names 3 classes, but the network's outputs are for 2",
        ),
        (
            {"task": "classification", "classes": ["x", "x"]},
            1,
            "'classes' should be a list of distinct class labels",
        ),
        (
            {"task": "classification", "classes": "xy"},
            1,
            "'classes' should be a list of distinct class labels",
        ),
        (
            {"task": "clustering"},
            1,
            "'task' should be 'classification' or 'regression', not 'clustering'",
        ),
        ({"feature_names": "ab"}, 1, "'feature_names' should be a list of column names, not 'ab'"),
        ({"task": "regression", "target": 5}, 1, "'target' should be a column name, not 5"),
        ({"ignored": {"id": 1}}, 1, "'ignored' should be a list of column names"),
    ],
)
def test_metadata_the_commands_cant_use_is_an_error_naming_model_and_field(
    tmp_path, capsys, metadata, outputs, match
):
    model = tmp_path / "m.st"
    _python_model(model, metadata, outputs)
    features = tmp_path / "feat.csv"
    features.write_text("a,b\n1,2\n")
    fails(capsys, "predict", f"{model}: the metadata field {match}", model, features)


def test_info_shows_metadata_of_any_type(tmp_path, capsys):
    model = tmp_path / "m.st"
    _python_model(
        model, {"final_metrics": {"loss": "abc"}, "notes": {"by": "me", "n": [1, 2.5]}, "empty": []}
    )
    code, out, err = run(capsys, "info", model)
    assert code == 0 and err == ""
    assert (
        "final metrics: loss abc" in out and "notes: by me, n 1, 2.5" in out and "empty" not in out
    )


def test_info_leaves_out_what_is_empty(iris_model, capsys):
    code, out, _ = run(capsys, "info", iris_model)
    assert code == 0 and "ignored" not in out


# -- numbers that overflow ---------------------------------------------------------------------


@pytest.mark.filterwarnings("error")  # a raw warning would now be an exception
def test_divergence_is_an_error_and_saves_nothing(tmp_path, capsys):
    data = _regression_csv(tmp_path / "houses.csv")
    model = tmp_path / "d.st"
    err = fails(
        capsys,
        "train",
        "; no model saved; try a lower --lr than 1e+08",
        data,
        "--target",
        "value",
        "-o",
        model,
        "--lr",
        "1e8",
        "--optimizer",
        "sgd",
        "--epochs",
        "50",
        "--quiet",  # else the progress's last line comes first
    )
    assert "error: training diverged in epoch " in err and not model.exists()


def test_overflowing_predictions_give_plain_scores_without_warnings(tmp_path):
    net = sn.Network([sn.Dense(1, input_dim=2)], seed=0).build()
    net.layers[0].weights[:] = 1e200
    net.metadata = {"task": "regression", "target": "y"}
    net.save(tmp_path / "far.st")
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,3\n4,5,6\n")
    result = _program("evaluate", "far.st", "d.csv", "--target", "y", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert "mse: inf" in result.stdout.splitlines()


@pytest.mark.parametrize(
    "content,task,match",
    [
        (
            "a,b,y\n1e200,2,1\n-1e200,4,2\n5,6,1\n",
            "classification",
            "column 'a' holds values too large to standardize",
        ),
        (
            "a,b,y\n1,2,1e300\n3,4,-1e300\n5,6,1\n",
            "regression",
            "the target 'y' holds values too large to standardize",
        ),
    ],
)
def test_values_too_large_to_standardize_name_the_column(tmp_path, capsys, content, task, match):
    data = tmp_path / "huge.csv"
    data.write_text(content)
    fails(
        capsys,
        "train",
        f"{data}: {match}",
        data,
        "--target",
        "y",
        "--task",
        task,
        "-o",
        tmp_path / "m.st",
    )
    assert sorted(os.listdir(tmp_path)) == ["huge.csv"]


# -- resume ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory):
    """(data, checkpoint after 4 epochs with the default options)."""
    folder = tmp_path_factory.mktemp("resume")
    data = _regression_csv(folder / "houses.csv", n=40)
    checkpoint = folder / "run.ckpt"
    assert (
        cli.main(
            [
                "train",
                str(data),
                "--target",
                "value",
                "--epochs",
                "4",
                "--checkpoint",
                str(checkpoint),
                "-o",
                str(folder / "m.st"),
            ]
        )
        == 0
    )
    return data, checkpoint


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--lr", "0.5"], "--lr 0.005, not 0.5"),
        (["--batch-size", "7"], "--batch-size 64, not 7"),
        (["--loss", "sse"], "--loss mse, not sse"),
        (["--seed", "5"], "--seed 0, not 5"),
        (["--optimizer", "sgd"], "--optimizer adam, not sgd"),
        (["--hidden", "8,4"], "--hidden 16, not 8,4"),
        (["--hidden", ""], "--hidden 16, not (none)"),
        (["--activation", "tanh"], "--activation relu, not tanh"),
        (["--val-split", "0.2"], "--val-split 0.1, not 0.2"),
        (["--epochs", "3"], "the checkpoint has already trained 4 epochs, more than --epochs 3"),
    ],
)
def test_resume_refuses_options_other_than_the_checkpoints(
    checkpointed, tmp_path, capsys, argv, match
):
    data, checkpoint = checkpointed
    argv = argv if "--epochs" in argv else ["--epochs", "6", *argv]
    err = fails(
        capsys,
        "train",
        match,
        data,
        "--target",
        "value",
        "--resume",
        checkpoint,
        "-o",
        tmp_path / "m.st",
        *argv,
    )
    assert str(checkpoint) in err and not (tmp_path / "m.st").exists()


def test_resume_says_when_there_is_nothing_left_to_train(checkpointed, tmp_path, capsys):
    data, checkpoint = checkpointed
    code, out, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "value",
        "--resume",
        checkpoint,
        "--epochs",
        "4",
        "-o",
        tmp_path / "m.st",
    )
    assert code == 0 and out.startswith(
        f"nothing to train: {checkpoint} had already done --epochs 4 on 36 rows (+4 for validation)"
    )
    code, out, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "value",
        "--resume",
        checkpoint,
        "--epochs",
        "6",
        "-o",
        tmp_path / "m.st",
    )
    assert code == 0 and out.startswith(
        f"trained 6 epochs (the first 4 in {checkpoint}) on 36 rows (+4 for validation)"
    )


# -- class labels ------------------------------------------------------------------------------


def test_class_labels_are_kept_as_written(tmp_path, capsys):
    data = tmp_path / "codes.csv"
    data.write_text("a,b,code\n1,2,007\n3,4,7\n5,6,012\n7,8,12\n1,1,1e3\n")
    model = tmp_path / "codes.st"
    assert (
        run(
            capsys, "train", data, "--target", "code", "--epochs", "300", "--lr", "0.1", "-o", model
        )[0]
        == 0
    )
    assert sn.load(model).metadata["classes"] == ["007", "7", "012", "12", "1e3"]
    code, out, _ = run(capsys, "predict", model, data)
    assert code == 0 and out.splitlines() == ["code", "007", "7", "012", "12", "1e3"]
    data.write_text("a,code\n1,0.5\n2,0.50\n3,1\n4,1.0\n")
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "code",
            "--task",
            "classification",
            "--epochs",
            "2",
            "-o",
            model,
        )[0]
        == 0
    )
    assert sn.load(model).metadata["classes"] == ["0.5", "0.50", "1", "1.0"]


# -- output files ------------------------------------------------------------------------------


def test_outputs_may_not_overwrite_inputs(iris_model, tmp_path, capsys, csv_file):
    before = iris_model.read_bytes()
    fails(capsys, "predict", "this is the model file", iris_model, IRIS, "-o", iris_model)
    assert iris_model.read_bytes() == before
    fails(
        capsys,
        "predict",
        "this is the data file",
        iris_model,
        csv_file,
        "-o",
        tmp_path / "." / "data.csv",
    )
    fails(capsys, "train", "this is the data file", csv_file, "--target", "y", "-o", csv_file)
    fails(
        capsys,
        "train",
        "this is the output file",
        csv_file,
        "--target",
        "y",
        "-o",
        tmp_path / "m.st",
        "--checkpoint",
        tmp_path / "m.st",
    )
    assert sorted(os.listdir(tmp_path)) == ["data.csv"]


# -- smaller things ----------------------------------------------------------------------------


def test_ignore_names_must_be_columns(tmp_path, capsys, csv_file):
    fails(
        capsys,
        "train",
        f"{csv_file}, line 1: no column 'nosuchcol' to ignore; the columns are: 'a', 'b', 'y'",
        csv_file,
        "--target",
        "y",
        "--ignore",
        "a,nosuchcol",
        "-o",
        tmp_path / "m.st",
    )


STRAY = (
    "; the column's other values are numbers: fix this one, count it as missing with --na-values, "
    "or take the column as categories with --categorical a"
)


@pytest.mark.parametrize(
    "value,message",
    [
        ("1_000", "'1_000' is not a plain number (write ASCII digits only, like 1000 or 2.5)"),
        ("\uff11\uff12", "is not a plain number (write ASCII digits only"),  # full-width digits
        ("seven", "'seven' is not a number"),
    ],
)
def test_a_stray_value_among_numbers_is_refused_with_advice(tmp_path, capsys, value, message):
    data = tmp_path / "d.csv"
    data.write_text(f"a,y\n{value},x\n2,z\n3,x\n")
    err = fails(capsys, "train", message, data, "--target", "y", "-o", tmp_path / "m.st")
    assert f"{data}, line 2, column 'a': " in err and err.endswith(STRAY + "\n")
    assert "--ignore" not in err  # text columns train now: leaving them out is no advice
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


def test_a_decimal_comma_gets_only_the_decimal_point_hint(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a;y\n1,5;x\n2;z\n3;x\n")
    err = fails(
        capsys,
        "train",
        "line 2, column 'a': '1,5' is not a number (use a decimal point)" + STRAY,
        data,
        "--target",
        "y",
        "-o",
        tmp_path / "m.st",
    )
    assert "--ignore" not in err and "thousands" not in err


def test_a_column_of_decimal_commas_is_not_taken_for_categories(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a;y\n1,5;x\n2,5;z\n3,1;x\n")
    err = fails(
        capsys,
        "train",
        f"{data}, line 2, column 'a': '1,5' is not a number (use a decimal point)",
        data,
        "--target",
        "y",
        "-o",
        tmp_path / "m.st",
    )
    assert "--categorical a" in err
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


def test_evaluate_prints_nothing_before_an_error(iris_model, tmp_path, capsys):
    data = tmp_path / "iris.csv"
    data.write_text(IRIS.read_text().replace("virginica", "virginca"))
    code, out, err = run(capsys, "evaluate", iris_model, data, "--target", "species")
    assert code == 2 and out == "" and "'virginca' is not one of the model's classes" in err


def test_counts_of_one_are_singular(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n1,1.5\n2,2.5\n")
    model = tmp_path / "m.st"
    code, out, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--epochs",
        "1",
        "--task",
        "regression",
        "--val-split",
        "0.5",
        "-o",
        model,
    )
    assert (
        code == 2
    )  # one row left to train on: see test_a_val_split_must_leave_rows_of_every_class
    data.write_text("a,y\n1,1.5\n2,2.5\n3,3.5\n")
    code, out, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--epochs",
        "1",
        "--task",
        "regression",
        "--val-split",
        "0.3",
        "-o",
        model,
    )
    assert code == 0 and out.startswith(
        "trained 1 epoch on 2 rows (+1 for validation), 1 feature, regression"
    )
    data.write_text("a,y\n1,1.5\n")
    code, out, _ = run(capsys, "evaluate", model, data, "--target", "y")
    assert code == 0 and out.splitlines()[0] == "1 row"


def test_trace_offers_only_the_datasets_its_recipe_fits(capsys):
    fails(
        capsys,
        "trace",
        "--dataset iris: trace follows the tutorial's one-output network; use tutorial or xor",
        "--dataset",
        "iris",
    )


def _numbers_csv(path, target_at_line_10):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    rows = [f"{a:.3f},{b:.3f},{a + 2 * b + 0.01:.4f}" for a, b in X]
    rows[8] = rows[8].rsplit(",", 1)[0] + "," + target_at_line_10
    path.write_text("a,b,price\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("marker", ["NA", "n/a", "null", "None", ""])
def test_rows_without_a_target_value_are_left_out_with_a_count(tmp_path, capsys, marker):
    data = _numbers_csv(tmp_path / "na.csv", marker)
    model = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", data, "--target", "price", "--epochs", "2", "-o", model)
    assert code == 0, err
    assert err.startswith(
        f"smallnet train: 1 row without a value of the target 'price' left out of training "
        f"(the first: {data}, line 10)\n"
    )
    assert out.startswith("trained 2 epochs on 53 rows (+6 for validation), 2 features, regression")
    code, out, err = run(capsys, "evaluate", model, data, "--target", "price")
    assert code == 0 and out.splitlines()[0] == "59 rows"
    assert f"note: 1 row without a value of 'price' left out (the first: {data}, line 10)" in err


def test_na_values_makes_none_a_class(tmp_path, capsys):
    data = tmp_path / "pets.csv"
    labels = ["cat", "dog", "None"]
    data.write_text("a,pet\n" + "".join(f"{i % 3 + 0.1 * i},{labels[i % 3]}\n" for i in range(30)))
    model = tmp_path / "m.st"
    code, out, err = run(capsys, "train", data, "--target", "pet", "--epochs", "2", "-o", model)
    assert code == 0 and "10 rows without a value of the target 'pet'" in err
    assert sn.load(model).metadata["classes"] == ["cat", "dog"]
    code, out, err = run(capsys, "train", data, "--target", "pet", "--epochs", "2", "-o", model,
                         "--na-values", "NA")  # fmt: skip
    assert code == 0 and "without a value" not in err and "3 classes" in out
    assert sn.load(model).metadata["classes"] == ["None", "cat", "dog"]
    # a regression's target: None is then a word among numbers, said with its line
    data = _numbers_csv(data, "None")
    argv = [data, "--target", "price", "--na-values", "NA", "-o", model]
    fails(capsys, "train", f"{data}, line 10, column 'price' holds 'None'", *argv)


def test_a_number_column_with_a_stray_word_is_not_taken_for_hundreds_of_classes(tmp_path, capsys):
    data = _numbers_csv(tmp_path / "word.csv", "oops")
    err = fails(
        capsys,
        "train",
        "60 distinct values in 60 rows, too many to be classes",
        data,
        "--target",
        "price",
        "-o",
        tmp_path / "m.safetensors",
    )
    assert "line 10, column 'price' holds 'oops'" in err and "--task regression" in err
    code, out, err = run(
        capsys,
        "train",
        data,
        "--target",
        "price",
        "-o",
        tmp_path / "m.safetensors",
        "--task",
        "classification",
        "--epochs",
        "1",
    )
    # asked for, but the numbers are continuous: refused too
    assert code == 2 and "60 distinct values, 59 of them not whole numbers" in err
    assert "--task classification to train on these classes all the same" not in err


def test_hidden_sizes_take_spaces_or_commas_and_options_are_checked_by_their_own_names(
    tmp_path, capsys
):
    for sizes in (["16", "8"], ["16,8"]):
        code, out, _ = run(
            capsys,
            "train",
            "--dataset",
            "iris",
            "-o",
            tmp_path / "m.safetensors",
            "--epochs",
            "1",
            "--hidden",
            *sizes,
        )
        assert code == 0
        assert [layer.units for layer in sn.load(tmp_path / "m.safetensors").layers[1:]] == [
            16,
            8,
            3,
        ]
    for option, value, message in [
        ("--lr", "0", "argument --lr: expected a positive number"),
        ("--epochs", "0", "argument --epochs: expected a positive integer"),
        ("--batch-size", "-3", "argument --batch-size: expected a positive integer"),
        ("--seed", "-1", "argument --seed: expected an integer from 0"),
        ("--val-split", "0.001", "--val-split 0.001 of 150 rows leaves 0"),
        ("--bogus", "1", "unrecognized arguments: --bogus"),
    ]:
        code, _, err = run(
            capsys, "train", "--dataset", "iris", "-o", tmp_path / "x.safetensors", option, value
        )
        assert code == 2 and err.startswith("smallnet train: error: ") and message in err, err
        assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "trace", "--hidden", "4,4")
    assert code == 0 and "3-4-4-1 network" in out


def test_evaluate_with_a_feature_as_target_names_the_models_target(iris_model, capsys):
    fails(
        capsys,
        "evaluate",
        "--target 'petal_length' is one of the model's features; the column it predicts is "
        "'species'",
        iris_model,
        IRIS,
        "--target",
        "petal_length",
    )


# -- what a new user ran into ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def houses_model(tmp_path_factory):
    """(data, regression model of `value` from `size` and `price`)."""
    folder = tmp_path_factory.mktemp("houses")
    data = _regression_csv(folder / "houses.csv", n=40)
    model = folder / "houses.st"
    assert (
        cli.main(["train", str(data), "--target", "value", "--epochs", "3", "-o", str(model)]) == 0
    )
    return data, model


def test_plot_boundary_of_a_regression_model_says_what_to_draw_instead(
    houses_model, tmp_path, capsys
):
    data, model = houses_model
    fails(
        capsys,
        "plot",
        f"--kind boundary draws a classifier's classes; {model} is a regression model "
        "(--kind regression draws its fit)",
        model,
        "--kind",
        "boundary",
        "--data",
        data,
        "-o",
        tmp_path / "b.png",
    )
    assert not (tmp_path / "b.png").exists()


def test_a_thousands_separator_gets_its_own_advice(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text('a,y\n"1,000",x\n2,z\n3,x\n')
    err = fails(
        capsys,
        "train",
        "line 2, column 'a': '1,000' is not a number (remove the thousands separator: 1000)"
        + STRAY,
        data,
        "--target",
        "y",
        "-o",
        tmp_path / "m.st",
    )
    assert "--ignore" not in err and "decimal point" not in err


@pytest.mark.parametrize("marker", ["?", "NA", "n/a", "NaN", "null", "NONE", ""])
def test_missing_feature_values_are_filled_with_the_median(tmp_path, capsys, marker):
    data = tmp_path / "d.csv"
    data.write_text(f"a,y\n1,x\n{marker},z\n3,x\n5,z\n")
    model = tmp_path / "m.st"
    code, out, err = run(capsys, "train", data, "--target", "y", "--epochs", "2", "-o", model)
    assert code == 0, err
    assert (
        "columns: 1 used, 0 left out\n  a  number; gaps filled with the median, plus a_na; "
        "1 missing\n" in out
    )
    encoder = sn.load(model).layers[0]
    assert encoder.output_names() == ["a", "a_na"] and encoder.fill[0] == 3.0


def test_na_values_replaces_the_missing_markers(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n1,x\n-,z\n3,x\n?,z\n")
    model = tmp_path / "m.st"
    # ? is a value now, not a gap: a stray word among numbers
    err = fails(capsys, "train", "line 5, column 'a': '?' is not a number", data, "--target",
                "y", "--na-values=-", "-o", model)  # fmt: skip
    assert "count it as missing with --na-values" in err and not model.exists()
    code, out, _ = run(capsys, "train", data, "--target", "y", "--na-values=-,?",
                       "--epochs", "2", "-o", model)  # fmt: skip
    assert code == 0 and "2 missing" in out
    assert sn.load(model).layers[0].markers == ("-", "?")


def _people(path, n=40):
    rows = [
        f'p{i},"Doe, {i}",{i % 7},{(i * 3) % 5},{"yes" if i % 7 > 3 else "no"}' for i in range(n)
    ]
    path.write_text('id,"name, full",a,b,label\n' + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "ignore", [['"name, full",id'], ["name, full", "--ignore", "id"], ['id, "name, full"']]
)
def test_ignore_takes_names_with_commas_and_adds_up_when_repeated(tmp_path, capsys, ignore):
    data = _people(tmp_path / "people.csv")
    model = tmp_path / "m.st"
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "label",
            "--epochs",
            "2",
            "-o",
            model,
            "--ignore",
            *ignore,
        )[0]
        == 0
    )
    assert sorted(sn.load(model).metadata["ignored"]) == ["id", "name, full"]
    assert sn.load(model).metadata["feature_names"] == ["a", "b"]


@pytest.mark.parametrize(
    "argv,match",
    [
        (["-o", "a.st", "-o", "b.st"], "-o given twice"),
        (["-o", "a.st", "--lr", "0.1", "--lr", "0.2"], "--lr given twice"),
        (["-o", "a.st", "--hidden", "4", "--hidden", "8"], "--hidden given twice"),
    ],
)
def test_an_option_given_twice_is_an_error_not_the_last_one_wins(tmp_path, capsys, argv, match):
    code, out, err = run(capsys, "train", "--dataset", "xor", *argv)
    assert code == 2 and err.startswith(f"smallnet train: error: {match}") and err.count("\n") == 1


def test_predict_keeps_columns_and_skips_ignored_ones(tmp_path, capsys):
    data = _people(tmp_path / "people.csv")
    model = tmp_path / "m.st"
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--epochs", "2", "-o", model, "--ignore", "id"
    )
    assert code == 0 and "warning: column 'name, full' left out: it looks like an identifier" in err
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "label",
            "--epochs",
            "2",
            "-o",
            model,
            "--ignore",
            'id,"name, full"',
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "predict", model, data, "--keep", '"name, full",id')
    rows = out.splitlines()
    assert (
        code == 0 and rows[0] == '"name, full",id,label'
    )  # the predictions keep the target's name
    assert rows[1].startswith('"Doe, 0",p0,') and len(rows) == 41

    extra = tmp_path / "extra.csv"
    lines = data.read_text().splitlines()
    extra.write_text("\n".join(["notes," + lines[0]] + ["hi," + line for line in lines[1:]]) + "\n")
    err = fails(
        capsys,
        "predict",
        "the columns differ from the model's features (unexpected 'notes')",
        model,
        extra,
    )
    assert (
        "leave other columns out with --ignore COLUMNS "
        "(or copy them to the output with --keep COLUMNS)" in err
    )
    code, out, _ = run(capsys, "predict", model, extra, "--ignore", "notes", "--keep", "id")
    assert code == 0 and out.splitlines()[0] == "id,label"
    fails(capsys, "evaluate", "leave other columns out with --ignore COLUMNS", model, extra)
    code, out, _ = run(capsys, "evaluate", model, extra, "--ignore", "notes")
    assert code == 0 and out.startswith("40 rows\naccuracy: ")
    fails(
        capsys,
        "predict",
        "--keep 'label': the predictions are written under that name",
        model,
        data,
        "--keep",
        "label",
    )
    fails(
        capsys,
        "predict",
        "column 'a' is one of the model's features; it can't be ignored",
        model,
        data,
        "--ignore",
        "a",
    )


def test_a_text_target_with_a_value_per_row_looks_like_an_id(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("x,cls\n" + "".join(f"{i},class_{i}\n" for i in range(200)))
    err = fails(
        capsys,
        "train",
        "'cls' has 200 distinct values in 200 rows, too many to be classes; it looks like "
        "an id or name column with one distinct value per row",
        data,
        "--target",
        "cls",
        "-o",
        tmp_path / "m",
    )
    assert (
        "--ignore" in err
        and "stray" not in err
        and "holds" not in err
        and "--task regression" not in err
    )


@pytest.mark.parametrize(
    "labels,split,match",
    [
        (
            "ab",
            "0.5",
            "--val-split 0.5 of 2 rows leaves 1 row for training; give a smaller --val-split",
        ),
        (
            "aaaab",
            "0.6",
            "--val-split 0.6 of 5 rows leaves no training rows of class 'b'; "
            "give a smaller --val-split",
        ),
    ],
)
def test_a_val_split_must_leave_rows_of_every_class(tmp_path, capsys, labels, split, match):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i},{label}\n" for i, label in enumerate(labels)))
    fails(capsys, "train", match, data, "--target", "y", "--val-split", split, "-o", tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_evaluate_defaults_to_the_models_target_and_refuses_other_columns(
    iris_model, tmp_path, capsys
):
    code, out, _ = run(capsys, "evaluate", iris_model, IRIS)
    assert code == 0 and out.startswith("150 rows\naccuracy: ")
    data = _people(tmp_path / "people.csv")
    model = tmp_path / "m.st"
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "label",
            "--epochs",
            "2",
            "-o",
            model,
            "--ignore",
            'id,"name, full"',
        )[0]
        == 0
    )
    plot = ["--kind", "boundary", "--data", data, "-o", tmp_path / "p.png"]
    for command, *argv in (["evaluate", model, data], ["plot", model, *plot]):
        fails(
            capsys,
            command,
            "--target 'id' is a column the model ignored in training; the column it predicts is "
            "'label'",
            *argv,
            "--target",
            "id",
        )
        fails(
            capsys,
            command,
            "--target 'a' is one of the model's features; the column it predicts is 'label'",
            *argv,
            "--target",
            "a",
        )


def test_a_dash_reads_the_data_from_standard_input(iris_model, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(IRIS.read_bytes())))
    code, out, _ = run(capsys, "predict", iris_model, "-")
    assert code == 0 and out.splitlines()[0] == "species" and len(out.splitlines()) == 151
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"sepal_length,x\n1,2\n")))
    fails(capsys, "evaluate", "<stdin>, line 1: target column 'species' not found", iris_model, "-")


def test_resuming_on_other_data_says_so_in_the_commands_words(checkpointed, tmp_path, capsys):
    _, checkpoint = checkpointed
    other = _regression_csv(tmp_path / "other.csv", n=41)
    err = fails(
        capsys,
        "train",
        f"{checkpoint}: the data differs from the checkpoint's",
        other,
        "--target",
        "value",
        "--resume",
        checkpoint,
        "--epochs",
        "6",
        "-o",
        tmp_path / "m.st",
    )
    assert "sample_weight" not in err


@pytest.mark.parametrize("command", ["predict", "evaluate", "info", "export", "plot", "train"])
def test_help_describes_the_arguments_and_shows_examples(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and f"examples:\n  smallnet {command} " in out
    if command == "train":
        assert "usage: smallnet train (DATA.csv --target COLUMN | --dataset NAME)" in out
        assert "NA, N/A, NaN, null, None, ? in any case; a feature's are filled with" in out
        assert "--na-values VALUES" in out and "--categorical COLUMNS" in out
    else:
        assert "MODEL   " in out and "a model saved by smallnet train" in out


@pytest.mark.parametrize(
    "argv,match",
    [
        (
            ["train", "{data}", "--target", "y", "--checkpoint-every", "5"],
            "--checkpoint-every N goes with --checkpoint",
        ),
        (
            ["train", "{data}", "--target", "y", "--ignore", "y"],
            "column 'y' is the target; it can't also be ignored",
        ),
        (["train", "--dataset", "xor", "--ignore", "a"], "--ignore goes with DATA.csv"),
        (
            ["plot", "{model}", "--kind", "loss", "--data", "{data}"],
            "--kind loss draws the training curves saved in the model; it takes no --data",
        ),
        (
            ["plot", "{model}", "--kind", "network", "--target", "y"],
            "--target go with --data DATA.csv",
        ),
    ],
)
def test_options_that_would_be_ignored_are_errors(
    iris_model, tmp_path, capsys, csv_file, argv, match
):
    argv = [
        str(a).replace("{data}", str(csv_file)).replace("{model}", str(iris_model)) for a in argv
    ]
    fails(capsys, argv[0], match, *argv[1:], "-o", tmp_path / "out.st")
    assert sorted(os.listdir(tmp_path)) == ["data.csv"]


def test_many_classes_and_features_are_summed_up_not_printed_whole(tmp_path, capsys):
    model = tmp_path / "wide.st"
    net = sn.Network([sn.Dense(1, input_dim=3000)], seed=0).build()
    net.metadata = {
        "task": "regression",
        "target": "y",
        "feature_names": [f"x{i}" for i in range(3000)],
    }
    net.save(model)
    code, out, _ = run(capsys, "info", model)
    line = next(line for line in out.splitlines() if line.startswith("feature_names: "))
    assert code == 0 and line == (
        "feature_names: 'x0', 'x1', 'x2', 'x3', 'x4', 'x5', ..., 'x2997', 'x2998', 'x2999' "
        "(3000 in all)"
    )
    classes = [f"c{k}" for k in range(25)]
    _python_model(model, {"task": "classification", "classes": classes, "target": "y"}, outputs=25)
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{k},{-k},{c}\n" for k, c in enumerate(classes)))
    code, out, _ = run(capsys, "evaluate", model, data)
    assert (
        code == 0
        and out.splitlines()[-1]
        == "confusion matrix omitted: 25 classes (it is printed for up to 20)"
    )
    assert len(out.splitlines()) == 3


def test_regression_targets_of_any_size_train_alike(tmp_path, capsys):
    """Prices in the hundreds of thousands learn as well as numbers near 1: the targets are
    standardized for training, and the model, its History and its metrics all speak the targets'
    units."""
    rng = np.random.RandomState(0)
    sqm, rooms = rng.uniform(40, 200, 200), rng.randint(1, 6, 200)
    price = 3000 * sqm + 10000 * rooms + rng.normal(0, 10000, 200)
    scores = {}
    for unit in (1, 1e-5):
        data = tmp_path / f"houses{unit}.csv"
        data.write_text(
            "sqm,rooms,price\n"
            + "".join(f"{a:.1f},{b},{float(c * unit)!r}\n" for a, b, c in zip(sqm, rooms, price))
        )
        model = tmp_path / f"m{unit}.safetensors"
        code, out, _ = run(
            capsys, "train", data, "--target", "price", "--val-split", "0.2", "-o", model
        )
        assert code == 0
        history = sn.load(model).history
        code, out, _ = run(capsys, "evaluate", model, data)
        scores[unit] = dict(line.split(": ") for line in out.splitlines()[1:])
        assert float(scores[unit]["r2"]) > 0.98
        assert history["mae"][-1] == pytest.approx(
            float(scores[unit]["mae"]), rel=0.5
        )  # both in the targets' units
        assert history["loss"][-1] == pytest.approx(history["mae"][-1] ** 2, rel=2)
    # the same data in other units trains to the same fit, up to rounding
    assert float(scores[1]["r2"]) == pytest.approx(float(scores[1e-5]["r2"]), abs=1e-6)
    assert float(scores[1]["mae"]) * 1e-5 == pytest.approx(float(scores[1e-5]["mae"]), rel=1e-4)


def test_predict_evaluate_and_plot_take_a_shipped_data_set(tmp_path, capsys):
    model = tmp_path / "iris.safetensors"
    assert run(capsys, "train", "--dataset", "iris", "--epochs", "20", "-o", model)[0] == 0
    code, out, _ = run(capsys, "evaluate", model, "--dataset", "iris")
    assert code == 0 and out.startswith("150 rows\naccuracy: ")
    code, out, _ = run(capsys, "predict", model, "--dataset", "iris")
    assert code == 0 and out.splitlines()[0] == "species" and len(out.splitlines()) == 151
    code, _, err = run(capsys, "predict", model)
    assert code == 2 and err == "smallnet predict: error: give DATA.csv or --dataset NAME\n"
    code, _, err = run(capsys, "evaluate", model, tmp_path / "x.csv", "--dataset", "iris")
    assert code == 2 and err.endswith("give DATA.csv or --dataset NAME, not both\n")
    code, _, err = run(
        capsys, "plot", model, "--kind", "loss", "--dataset", "iris", "-o", tmp_path / "l.png"
    )
    assert code == 2 and "takes no --dataset" in err


def test_hidden_none_means_no_hidden_layer(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert (
        run(capsys, "train", "--dataset", "xor", "--hidden", "none", "--epochs", "2", "-o", model)[
            0
        ]
        == 0
    )
    assert len(sn.load(model).layers) == 2  # TableEncoder and the output layer
    code, out, _ = run(capsys, "trace", "--hidden", "None", "--step", "0")
    assert code == 0 and out.startswith("Step 0 of the 3-1 network")


def test_model_names_and_files_that_are_not_models(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--dataset", "iris", "-o", tmp_path / "iris.csv")
    assert (
        code == 2
        and err.endswith(
            "-o " + str(tmp_path / "iris.csv") + ": the model is a safetensors file, not csv; "
            "give a name ending .safetensors\n"
        )
        and not (tmp_path / "iris.csv").exists()
    )
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "info", data)
    assert (
        code == 2
        and err == f"smallnet info: error: {data}: not a smallnet model (not a safetensors file)\n"
    )


def test_export_puts_the_difference_beside_the_outputs_size(tmp_path, capsys):
    pytest.importorskip("onnxruntime")
    model = tmp_path / "m.safetensors"
    assert run(capsys, "train", "--dataset", "iris", "--epochs", "2", "-o", model)[0] == 0
    code, out, _ = run(capsys, "export", model, "--onnx", tmp_path / "m.onnx")
    assert code == 0 and "of the outputs' largest, " in out


def _grades(path):
    """A table whose first column numbers the rows (1000 to 1029, shuffled)."""
    rng = np.random.RandomState(1)
    path.write_text(
        "student_id,hours,grade\n"
        + "".join(
            f"{1000 + i},{rng.uniform(0, 10):.1f},{'pass' if rng.rand() > 0.5 else 'fail'}\n"
            for i in rng.permutation(30)
        )
    )
    return path


ID_WARNING = (
    "smallnet train: warning: column 'student_id' left out: it looks like an identifier (a "
    "distinct value on every row); to use it anyway, name it with --categorical or --numeric "
    "(categorical= or numeric= from Python)\n"
)


def test_a_column_that_numbers_the_rows_is_left_out_with_a_warning(tmp_path, capsys):
    data = _grades(tmp_path / "grades.csv")
    model = tmp_path / "m.safetensors"
    train = ["train", data, "--target", "grade", "--epochs", "2", "-o", model, "--val-split", "0"]
    code, out, err = run(capsys, *train, "--quiet")  # --quiet: no progress, the warning alone
    assert code == 0 and err == ID_WARNING
    encoder = sn.load(model).layers[0]
    assert [c["name"] for c in encoder.columns] == ["hours"]
    assert encoder.left_out == [{"name": "student_id", "kind": "identifier"}]
    code, out, err = run(capsys, *train, "--numeric", "student_id")
    assert code == 0 and "warning" not in err and "  student_id  number\n" in out
    code, out, err = run(capsys, *train, "--ignore", "student_id", "--quiet")
    assert code == 0 and err == ""


def test_a_column_that_numbers_the_rows_is_found_with_a_validation_split(tmp_path, capsys):
    data = _grades(tmp_path / "grades.csv")
    model = tmp_path / "m.safetensors"
    code, _, err = run(capsys, "train", data, "--target", "grade", "--epochs", "2", "-o", model,
                       "--quiet")  # fmt: skip
    assert code == 0 and err == ID_WARNING


def test_a_run_whose_last_step_diverges_saves_nothing(tmp_path, capsys):
    data = tmp_path / "cls.csv"
    data.write_text("f0,f1,y\n1,2,a\n2,1,b\n3,5,c\n4,3,a\n5,4,b\n6,7,c\n")
    model = tmp_path / "m.safetensors"
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--epochs", "1", "--lr", "1e200", "-o", model
    )
    assert (
        code == 2
        and "training diverged in epoch 1 (the weights or their outputs became NaN or inf)" in err
    )
    assert not model.exists()


def test_a_regression_checkpoint_predicts_in_the_targets_units(tmp_path, capsys):
    data = tmp_path / "r.csv"
    data.write_text("x,y\n" + "".join(f"{x},{1000 * x + 0.5}\n" for x in range(1, 8)))
    model, checkpoint = tmp_path / "r.safetensors", tmp_path / "r.ckpt"
    assert (
        run(
            capsys,
            "train",
            data,
            "--target",
            "y",
            "--epochs",
            "30",
            "-o",
            model,
            "--checkpoint",
            checkpoint,
        )[0]
        == 0
    )
    outputs = [run(capsys, "predict", path, data)[1] for path in (model, checkpoint)]
    assert outputs[0] == outputs[1] and float(outputs[0].splitlines()[1]) > 100
    code, out, _ = run(capsys, "info", checkpoint)
    assert (
        code == 0
        and "(Standardize, inverted)" in out
        and "its final metrics are in those units" in out
    )
    if importlib.util.find_spec("onnxruntime"):
        code, out, _ = run(capsys, "export", checkpoint, "--onnx", tmp_path / "c.onnx")
        largest = float(out.split("of the outputs' largest, ")[1].rstrip(")\n"))
        assert code == 0 and largest > 1000  # outputs in the thousands, as the target's


def test_plot_boundary_needs_a_two_feature_model(tmp_path, capsys):
    model = tmp_path / "iris.safetensors"
    assert run(capsys, "train", "--dataset", "iris", "--epochs", "2", "-o", model)[0] == 0
    code, _, err = run(
        capsys, "plot", model, "--kind", "boundary", "--dataset", "iris", "-o", tmp_path / "b.png"
    )
    assert code == 2 and err.endswith(
        f"--kind boundary draws the plane of two features; {model} has 4 (--kind "
        f"network and --kind loss draw any model)\n"
    )


def test_a_run_far_off_in_the_targets_units_saves_nothing(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("f0,price\n1,2.5e149\n2,-1.5e149\n3,5.5e149\n4,1.5e149\n")
    model = tmp_path / "d.safetensors"
    code, _, err = run(
        capsys,
        "train",
        data,
        "--target",
        "price",
        "--task",
        "regression",
        "--epochs",
        "2",
        "--lr",
        "100",
        "-o",
        model,
    )
    assert code == 2 and "training ended with loss inf: the model is far off; no model saved" in err
    assert not model.exists()


def test_a_checkpoint_is_never_written_from_diverged_weights(tmp_path, capsys):
    data = tmp_path / "cls.csv"
    data.write_text("f0,f1,y\n1,2,a\n2,1,b\n3,5,c\n4,3,a\n5,4,b\n6,7,c\n")
    code, _, _ = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--epochs",
        "1",
        "--lr",
        "1e200",
        "-o",
        tmp_path / "m.safetensors",
        "--checkpoint",
        tmp_path / "m.ckpt",
    )
    assert code == 2 and sorted(os.listdir(tmp_path)) == ["cls.csv"]


# -- tables as pandas and R write them: text columns and gaps -----------------------------------


def _r_csv(frame, path):
    """`frame` as R's write.csv writes it: every string quoted, NA, the row names under ""."""
    lines = ['"",' + ",".join(f'"{name}"' for name in frame.columns)]
    for i, row in enumerate(frame.itertuples(index=False), 1):
        fields = [f'"{i}"']
        for value in row:
            if value is None or value != value:
                fields.append("NA")
            elif isinstance(value, str):
                fields.append(f'"{value}"')
            else:  # 181, not 181.0
                fields.append(f"{value:g}" if float(value).is_integer() else repr(float(value)))
        lines.append(",".join(fields))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def penguins(tmp_path_factory):
    """{"pandas": (data, model), "R": (data, model)}: palmerpenguins' table as each writes it,
    and a model of the species trained on it with the same options."""
    palmerpenguins = pytest.importorskip("palmerpenguins")
    frame = palmerpenguins.load_penguins()
    folder = tmp_path_factory.mktemp("penguins")
    frame.to_csv(folder / "pandas.csv")  # with the index: a first column without a name
    files = {"pandas": folder / "pandas.csv", "R": _r_csv(frame, folder / "r.csv")}
    out = {}
    for name, data in files.items():
        model = folder / f"{name}.safetensors"
        argv = ["train", str(data), "--target", "species", "--epochs", "30", "-o", str(model)]
        assert cli.main(argv) == 0
        out[name] = data, model
    return out


PENGUIN_COLUMNS = """\
columns: 7 used, 0 left out
  island             category, 3 levels; one-hot
  bill_length_mm     number; gaps filled with the median, plus bill_length_mm_na; 2 missing
  bill_depth_mm      number; gaps filled with the median, plus bill_depth_mm_na; 2 missing
  flipper_length_mm  number; gaps filled with the median, plus flipper_length_mm_na; 2 missing
  body_mass_g        number; gaps filled with the median, plus body_mass_g_na; 2 missing
  sex                category, 2 levels; one-hot; 11 missing
  year               number
"""


@pytest.mark.parametrize("writer", ["pandas", "R"])
def test_penguins_as_pandas_and_r_write_them_train_evaluate_and_predict(
    penguins, tmp_path, capsys, writer
):
    data, _ = penguins[writer]
    model = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", data, "--target", "species", "--epochs", "30", "-o",
                         model)  # fmt: skip
    assert code == 0 and "warning" not in err
    assert out.startswith("trained 30 epochs on 310 rows (+34 for validation), 7 features, ")
    assert out.endswith(f"saved {model}\n" + PENGUIN_COLUMNS)  # the columns after the report
    net = sn.load(model)
    assert type(net.layers[0]).__name__ == "TableEncoder"
    assert net.metadata["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert net.metadata["feature_names"][0] == "island"  # the row names are no feature
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and "columns, as the model encodes them:\n  island: category; one-hot\n" in out

    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0 and out.startswith("344 rows\naccuracy: ")
    assert float(out.split("accuracy: ")[1].split()[0]) > 0.9

    code, out, _ = run(capsys, "predict", model, data, "--proba")
    assert code == 0 and len(out.splitlines()) == 345
    # the other writer's file, read the same: the same predictions
    other = penguins["R" if writer == "pandas" else "pandas"][0]
    assert run(capsys, "predict", model, other, "--proba")[1] == out


def test_penguins_written_by_pandas_and_r_train_the_same_model(penguins, capsys):
    outputs = [
        run(capsys, "predict", model, data, "--proba")[1] for data, model in penguins.values()
    ]
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == 345


@pytest.mark.parametrize("writer", ["pandas", "R"])
def test_predict_warns_of_an_unseen_level_and_a_new_gap_and_predicts_every_row(
    penguins, tmp_path, capsys, writer
):
    data, model = penguins[writer]
    lines = data.read_text().splitlines()
    rows = [lines[1].replace("Torgersen", "Anvers"), lines[2], lines[6]]
    rows[1] = rows[1][: rows[1].rindex(",")] + ("," if writer == "pandas" else ",NA")  # no year
    new = tmp_path / "new.csv"
    new.write_text("\n".join([lines[0], *rows]) + "\n")
    out_csv = tmp_path / "out.csv"
    code, out, err = run(capsys, "predict", model, new, "--keep", "island", "-o", out_csv)
    assert code == 0 and out == ""
    assert err == (
        "smallnet predict: warning: column 'island': 1 row with levels not seen in training "
        "('Anvers'): encoded as unknown\n"
        "smallnet predict: warning: column 'year': 1 row with gaps, where training had none: "
        "filled with the training median\n"
    )
    written = out_csv.read_text().splitlines()
    assert written[0] == "island,species" and len(written) == 4
    assert written[1].startswith("Anvers,") and written[1].split(",")[1] in {
        "Adelie", "Chinstrap", "Gentoo"
    }  # fmt: skip


def test_categorical_takes_a_column_of_number_codes_as_categories(penguins, tmp_path, capsys):
    data, _ = penguins["pandas"]
    model = tmp_path / "m.safetensors"
    code, out, _ = run(capsys, "train", data, "--target", "species", "--epochs", "2", "-o", model,
                       "--categorical", "year", "--quiet")  # fmt: skip
    assert code == 0
    (year,) = [c for c in sn.load(model).layers[0].columns if c["name"] == "year"]
    assert year["kind"] == "category" and year["levels"] == ["2007", "2008", "2009"]
    code, out, _ = run(capsys, "train", data, "--target", "species", "--epochs", "2", "-o", model,
                       "--categorical", "year")  # fmt: skip
    assert "  year               category, 3 levels; one-hot\n" in out
    # a code not seen in training: an unknown level, said; every row predicted
    lines = data.read_text().splitlines()
    new = tmp_path / "new.csv"
    new.write_text("\n".join([lines[0], lines[1].replace(",2007", ",2010"), lines[2]]) + "\n")
    code, out, err = run(capsys, "predict", model, new)
    assert code == 0 and len(out.splitlines()) == 3
    assert "warning: column 'year': 1 row with levels not seen in training ('2010')" in err


def test_a_table_of_text_columns_only_trains(tmp_path, capsys):
    data = tmp_path / "titanic.csv"
    rows = []
    for i in range(80):
        pclass, sex = ["first", "second", "third"][i % 3], ["male", "female"][(i // 3) % 2]
        survived = "yes" if (sex == "female") != (pclass == "third") else "no"
        rows.append(f'"Passenger, {i}",{pclass},{sex},{["S", "C", "Q", ""][i % 4]},{survived}')
    data.write_text("name,pclass,sex,embarked,survived\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", data, "--target", "survived", "--epochs", "100", "-o",
                         model)  # fmt: skip
    assert code == 0
    assert "warning: column 'name' left out: it looks like an identifier" in err
    assert out.endswith(
        "columns: 3 used, 1 left out\n"
        "  name      identifier: left out (a distinct value on every row)\n"
        "  pclass    category, 3 levels; one-hot\n"
        "  sex       category, 2 levels; one-hot\n"
        "  embarked  category, 3 levels; one-hot; 20 missing\n"
    )
    code, out, _ = run(capsys, "evaluate", model, data)
    assert code == 0 and out.startswith("80 rows\naccuracy: 1.0000 (80/80)")


@pytest.mark.parametrize(
    "options,match",
    [
        (["--categorical", "nosuch"], "{data}: no column 'nosuch' to type; the columns are: "),
        (["--numeric", "nosuch"], "{data}: no column 'nosuch' to type; the columns are: "),
        (["--categorical", "species"], "no column 'species' to type"),  # the target
        (["--ignore", "year", "--categorical", "year"], "no column 'year' to type"),
        (
            ["--categorical", "year", "--numeric", "year"],
            "{data}: column 'year' can't be both categorical and numeric",
        ),
        (
            ["--numeric", "island"],
            "{data}, line 2 (row '0'), column 'island': 'Torgersen' is not a number",
        ),
        (["--na-values"], "argument --na-values: expected one argument"),
    ],
)
def test_bad_column_options_are_one_line_and_write_nothing(
    penguins, tmp_path, capsys, options, match
):
    data, _ = penguins["pandas"]
    model = tmp_path / "m.safetensors"
    argv = [data, "--target", "species", "--epochs", "1", "-o", model, *options]
    fails(capsys, "train", match.format(data=data), *argv)
    assert os.listdir(tmp_path) == []


def test_a_stray_word_in_an_r_file_names_its_line_and_row(penguins, tmp_path, capsys):
    data, _ = penguins["R"]
    lines = data.read_text().splitlines()
    lines[5] = lines[5].replace("36.7", "36.7mm")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    fails(
        capsys,
        "train",
        f"{bad}, line 6 (row '5'), column 'bill_length_mm': '36.7mm' is not a number; the "
        f"column's other values are numbers",
        bad,
        "--target",
        "species",
        "-o",
        tmp_path / "m.safetensors",
    )
    assert os.listdir(tmp_path) == ["bad.csv"]


def test_demo_plot_without_matplotlib_says_so_before_training(tmp_path, capsys, monkeypatch):
    from smallnet import tutorial

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the [plot] extra were missing
    trained = []
    monkeypatch.setattr(tutorial, "run", lambda *a, **k: trained.append(1))
    code, _, err = run(capsys, "demo", "--plot", tmp_path / "pictures")
    assert code == 2 and "the [plot] extra" in err
    assert trained == [] and not (tmp_path / "pictures").exists()
