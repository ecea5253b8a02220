"""The table recipe from Python: task, classes, target scaling, the default network, metadata."""

import numpy as np
import pytest

import smallnet as sn
from smallnet import tabular
from smallnet.csvdata import read_csv


def _table(tmp_path, text, target):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return read_csv(path, target=target)


# -- the task and its classes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels,task",
    [
        (["cat", "dog", "cat"], "classification"),
        (["1", "2", "3", "1"], "classification"),  # few distinct integers: class labels
        (["0", "1.0", "1"], "classification"),  # 1.0 is an integer as written, a class of its own
        ([str(k) for k in range(11)], "regression"),  # more than MAX_CLASSES integers
        ([f"{0.5 + k / 7:.3f}" for k in range(40)], "regression"),
        (["1.5", "2"], "regression"),  # few, but not all integers
        (["3", "x"], "classification"),  # one word makes the column text
    ],
)
def test_infer_task(labels, task):
    assert tabular.infer_task(labels) == task


def test_classes_are_numbers_by_value_then_text():
    assert tabular.class_labels(["10", "b", "9", "7", "a", "007", "9"]) == [
        "007",
        "7",
        "9",
        "10",
        "a",
        "b",
    ]


def test_two_classes_are_one_sigmoid_output():
    classes = tabular.class_labels(["yes", "no", "yes"])
    codes = tabular.encode_classes(["yes", "no", "yes"], classes)
    assert classes == ["no", "yes"] and codes.tolist() == [1, 0, 1]
    y = tabular.class_targets(codes, len(classes))
    assert y.shape == (3, 1) and y[:, 0].tolist() == [1, 0, 1]
    head = tabular.output_head("classification", 2)
    assert (head.output.units, head.output.activation.name) == (1, "sigmoid")
    assert head.loss == "binary_crossentropy" and head.metrics == ["accuracy"]


def test_three_classes_are_one_hot_and_a_softmax():
    labels = ["b", "c", "a", "b"]
    codes = tabular.encode_classes(labels, tabular.class_labels(labels))
    y = tabular.class_targets(codes, 3)
    assert codes.tolist() == [1, 2, 0, 1]
    np.testing.assert_array_equal(y, np.eye(3)[[1, 2, 0, 1]])
    head = tabular.output_head("classification", 3)
    assert (head.output.units, head.output.activation.name) == (3, "softmax")
    assert head.loss == "categorical_crossentropy"
    regression = tabular.output_head("regression")
    assert (regression.output.units, regression.output.activation.name) == (1, "identity")
    assert regression.loss == "mse" and regression.metrics == ["mae", "r2"]


def test_one_class_and_too_many_classes_are_refused(tmp_path):
    one = _table(tmp_path, "a,label\n1,x\n2,x\n", "label")
    with pytest.raises(ValueError, match=r"holds one class only \('x'\); classification needs"):
        tabular.check_classes(one, tabular.class_labels(one.target))
    rows = "".join(f"{k},{k if k != 3 else 'oops'}\n" for k in range(30))
    mixed = _table(tmp_path, "a,label\n" + rows, "label")
    classes = tabular.class_labels(mixed.target)
    with pytest.raises(ValueError) as error:
        tabular.check_classes(mixed, classes)
    assert str(error.value) == (
        f"{mixed.path}: the target 'label' has 30 distinct values in 30 rows, too many to be "
        f"classes; {mixed.path}, line 5, column 'label' holds 'oops'; to predict a number pass "
        "--task regression (with every value a number), or --task classification to train on "
        "these classes all the same"
    )
    tabular.check_classes(mixed, classes, guessed=False)  # asked for: trained all the same


def test_target_numbers_name_the_line(tmp_path):
    table = _table(tmp_path, "a,t\n1,2.5\n2,abc\n", "t")
    with pytest.raises(ValueError, match=r"line 3, column 't': 'abc' is not a number"):
        tabular.target_numbers(table)
    good = _table(tmp_path, "a,t\n1,2.5\n2,-1\n", "t")
    np.testing.assert_array_equal(tabular.target_numbers(good), [[2.5], [-1.0]])


# -- the columns -------------------------------------------------------------------------------


def test_target_magnitudes(tmp_path):
    table = _table(tmp_path, "a,t\n1,1e300\n2,-1e300\n3,3e300\n", "t")
    with pytest.raises(ValueError, match="the target 't' holds values too large to standardize"):
        tabular.check_target_magnitude(table, tabular.target_numbers(table))
    table = _table(tmp_path, "a,t\n1,5e153\n2,2\n", "t")  # squares overflow, not the std
    with pytest.raises(ValueError, match="the target 't' holds values too large to score"):
        tabular.check_target_magnitude(table, tabular.target_numbers(table))
    tabular.check_target_magnitude(table, np.array([[1.0], [2.0]]))


# -- a regression target's scaling -------------------------------------------------------------


def test_target_scaling_round_trip():
    y = np.array([[100.0], [300.0], [200.0], [400.0]])
    scaling = tabular.fit_target_scaling(y)
    z = tabular.standardize_targets(y, scaling)
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12 and scaling.invert
    record = tabular.scaling_record(scaling)
    assert record == [250.0, float(np.std(y))] and all(type(v) is float for v in record)
    restored = tabular.scaling_layer(record)
    np.testing.assert_allclose(restored.forward(z), y)


def test_a_history_goes_back_to_the_targets_units():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    y = 1000 * X[:, :1] + 5000
    scaling = tabular.fit_target_scaling(y)
    head = tabular.output_head("regression")
    net = tabular.default_network([], head.output, X=X, standardize=True, metrics=head.metrics)
    history = net.fit(X, tabular.standardize_targets(y, scaling), epochs=3, batch_size=8)
    standardized = dict((key, values[-1]) for key, values in history.history.items())
    tabular.restore_target_units(net, history, scaling)
    scale = scaling.scale[0]
    assert isinstance(net.layers[-1], sn.Standardize) and net.layers[-1].invert
    assert history.history["loss"][-1] == pytest.approx(standardized["loss"] * scale**2)
    assert history.history["mae"][-1] == pytest.approx(standardized["mae"] * scale)
    assert history.history["r2"][-1] == pytest.approx(standardized["r2"])
    assert abs(net.predict(X).mean() - 5000) < 1000  # in the target's units


# -- the network -------------------------------------------------------------------------------


def _initializers(net):
    return [layer.get("initializer") for layer in net.config()["layers"]]


def test_the_default_network():
    X = np.random.RandomState(0).normal(size=(20, 3)) * 50 + 7
    net = tabular.default_network(
        [8, 4],
        tabular.output_head("classification", 3).output,
        X=X,
        standardize=True,
        loss="categorical_crossentropy",
        seed=1,
    )
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Standardize", "Dense", "Dense", "Dense"]
    assert [layer.units for layer in net.layers[1:]] == [8, 4, 3]
    assert _initializers(net)[1:] == ["he_uniform", "he_uniform", "glorot_uniform"]
    np.testing.assert_allclose(net.layers[0].mean, X.mean(axis=0))
    for activation, initializer in [("leaky_relu", "he_uniform"), ("tanh", "glorot_uniform")]:
        net = tabular.default_network([5], 2, n_features=3, activation=activation)
        assert _initializers(net) == [initializer, "glorot_uniform"]
        assert net.layers[0].input_dim == 3 and net.layers[-1].activation.name == "identity"
    assert tabular.hidden_initializer(sn.ReLU()) == "he_uniform"
    assert tabular.default_network([], 1, n_features=4).layers[0].input_dim == 4


def test_the_default_network_refuses_what_it_cannot_build():
    with pytest.raises(ValueError, match="standardize=True needs X"):
        tabular.default_network([4], 1, n_features=2, standardize=True)
    with pytest.raises(ValueError, match="n_features is 3, but X has 2 columns"):
        tabular.default_network([4], 1, X=np.zeros((5, 2)), n_features=3)


# -- the model's metadata ----------------------------------------------------------------------


def _net(outputs, metadata):
    activation = "sigmoid" if outputs == 1 else "softmax"
    net = sn.Network([sn.Dense(outputs, input_dim=2, activation=activation)], seed=0).build()
    net.metadata = metadata
    return net


def test_the_metadata_train_writes_reads_back():
    metadata = tabular.model_metadata(
        "classification", "y", ["a", "b"], ["id"], 32, 0.2, classes=["no", "yes"]
    )
    assert list(metadata) == [
        "task",
        "target",
        "feature_names",
        "ignored",
        "batch_size",
        "val_split",
        "classes",
    ]
    meta = tabular.read_metadata(_net(1, metadata), "m.st")
    assert (meta.task, meta.target, meta.feature_names, meta.ignored) == (
        "classification",
        "y",
        ["a", "b"],
        ["id"],
    )
    assert meta.classes == ["no", "yes"] and meta.target_scaling is None
    regression = tabular.model_metadata("regression", "y", ["a"], [], 8, 0.0, target_scaling=[1, 2])
    assert "classes" not in regression and regression["target_scaling"] == [1, 2]


def test_metadata_of_other_models():
    meta = tabular.read_metadata(_net(1, [1, 2]), "m.st")  # not a dict: nothing recorded
    assert (meta.task, meta.feature_names, meta.ignored, meta.classes) == (None, None, [], None)
    meta = tabular.read_metadata(_net(3, {"task": "classification"}), "m.st")
    assert meta.classes == ["0", "1", "2"] and meta.named_classes is None
    meta = tabular.read_metadata(_net(1, {"task": "classification", "classes": [1, 2]}), "m.st")
    assert meta.classes == ["1", "2"] and meta.named_classes == [1, 2]


@pytest.mark.parametrize(
    "metadata,outputs,message",
    [
        (
            {"task": "clustering"},
            1,
            "m.st: the metadata field 'task' should be 'classification' or 'regression', "
            "not 'clustering'",
        ),
        (
            {"feature_names": "a,b"},
            1,
            "m.st: the metadata field 'feature_names' should be a list of column names, not 'a,b'",
        ),
        (
            {"task": "classification", "classes": ["x", "x"]},
            1,
            "m.st: the metadata field 'classes' should be a list of distinct class labels, "
            "not ['x', 'x']",
        ),
        (
            {"task": "classification", "classes": ["x", "y", "z"]},
            1,
            "m.st: the metadata field 'classes' names 3 classes, but the network's outputs are "
            "for 2",
        ),
        (
            {"task": "regression", "target_scaling": [0.0, 0.0]},
            1,
            "m.st: the metadata field 'target_scaling' should be [mean, scale] with a scale > 0, "
            "not [0.0, 0.0]",
        ),
    ],
)
def test_metadata_of_the_wrong_kind_is_refused(metadata, outputs, message):
    with pytest.raises(ValueError) as error:
        tabular.read_metadata(_net(outputs, metadata), "m.st")
    assert str(error.value) == message


def test_default_network_takes_one_activation_per_hidden_layer():
    from smallnet import tabular

    net = tabular.default_network([4, 3], 1, n_features=2, activation=["relu", "selu"])
    hidden = [layer for layer in net.layers[:-1]]
    assert [layer.activation.name for layer in hidden] == ["relu", "selu"]
    assert [layer.initializer.__name__ for layer in hidden] == ["he_uniform", "lecun_normal"]
    with pytest.raises(ValueError, match="activation gives 1 activations for 2 hidden layers"):
        tabular.default_network([4, 3], 1, activation=["relu"])
