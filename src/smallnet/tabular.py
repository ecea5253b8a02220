"""The table recipe: how a table of numeric features and one target column becomes a network.

The rules `smallnet train` follows, for Python too: the task and the classes' coding (`infer_task`,
`class_labels`, `encode_classes`, `class_targets`, `output_head`), a regression target's scaling
(`fit_target_scaling`, `restore_target_units`), checks of the columns, the default network
(`default_network`), and the model's metadata (`model_metadata`, `read_metadata`).
"""

import copy
import dataclasses
import math
import numbers
import reprlib
from typing import NamedTuple

import numpy as np

from . import activations, losses
from .fields import parse_number
from .layers import BatchNorm, Dense, Dropout, Standardize, column_moments
from .network import Network
from .validation import check_bool, check_number

MAX_CLASSES = 10  # a numeric target with at most this many distinct integers is taken for classes
TASKS = ("classification", "regression")
# hidden activations that get He initialization: 0 at 0, about z above it, near 0 below it
RELU_LIKE = ("relu", "leaky_relu", "elu", "gelu", "silu", "mish")


# -- the task and its classes ------------------------------------------------------------------


def _is_number(text):
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def infer_task(labels):
    """The task of a target column `labels` (n_rows fields as written, or a float array of the
    column's numbers): "classification" for text or for at most `MAX_CLASSES` distinct
    integers, else "regression"."""
    if isinstance(labels, np.ndarray) and labels.dtype.kind == "f":
        distinct = np.unique(labels[~np.isnan(labels)])
        few = len(distinct) <= MAX_CLASSES and (distinct == np.round(distinct)).all()
        return "classification" if few else "regression"
    distinct = set(labels)
    try:
        values = [parse_number(text) for text in distinct]
    except ValueError:
        return "classification"
    if len(distinct) <= MAX_CLASSES and all(value.is_integer() for value in values):
        return "classification"
    return "regression"


def class_order(label):
    """Sort key of a class label: numbers by value (equal values by spelling: 007 before 7),
    before text labels in alphabetical order."""
    try:
        return (0, parse_number(label), label)
    except ValueError:
        return (1, 0.0, label)


def class_labels(labels):
    """The distinct labels of a target column (n_rows fields), in `class_order`: the classes
    (n_classes labels) in the order of the network's outputs."""
    return sorted(set(labels), key=class_order)


def _fractional(classes):
    """How many of the labels `classes` are numbers that aren't whole."""
    values = []
    for label in classes:
        try:
            values.append(parse_number(label))
        except ValueError:
            continue
    return sum(not value.is_integer() for value in values)


def check_classes(table, classes, guessed=True):
    """Refuse a target with one class only; with more than `MAX_CLASSES` classes, most of them
    numbers that aren't whole (a continuous target, even when asked for as classes); or (when
    the task was `guessed`) with about as many classes as rows: most often a column of numbers
    with a stray word in it, which made the whole column text, or an id or name column.

    `table` is a `smallnet.csvdata.Table` (its `target`: n_rows fields; `classes` from
    `class_labels(table.target)`); `guessed`: the task came from `infer_task`, not the user.
    """
    if len(classes) < 2:
        raise ValueError(
            f"{table.path}: the target {table.target_name!r} holds one class only "
            f"({classes[0]!r}); classification needs two or more"
        )
    n = len(table.target)
    fractional = _fractional(classes) if len(classes) > MAX_CLASSES else 0
    continuous = fractional > len(classes) // 2
    if continuous and not guessed:
        raise ValueError(
            f"--task classification: the target {table.target_name!r} has {len(classes)} "
            f"distinct values, {fractional} of them not whole numbers: it looks continuous; "
            f"predict it with --task regression"
        )
    if not guessed or len(classes) <= max(MAX_CLASSES, n // 2):
        return
    words = [i for i, text in enumerate(table.target) if not _is_number(text)]
    if len(words) == n:
        per_row = " with one distinct value per row" if len(classes) == n else ""
        hint = (
            f"; it looks like an id or name column{per_row}: choose another --target and leave "
            f"this one out with --ignore"
        )
    else:
        hint = (
            f"; {table.where(words[0], table.target_name)} holds {table.target[words[0]]!r}"
            if words
            else ""
        ) + "; to predict a number pass --task regression (with every value a number)"
    anyway = (
        "" if continuous else ", or --task classification to train on these classes all the same"
    )
    raise ValueError(
        f"{table.path}: the target {table.target_name!r} has {len(classes)} distinct values in "
        f"{n} rows, too many to be classes{hint}{anyway}"
    )


def encode_classes(labels, classes):
    """`labels` (n_rows, each one of `classes`) as their indices in `classes`: an int array,
    shape (n_rows,)."""
    index = {label: k for k, label in enumerate(classes)}
    return np.array([index[label] for label in labels])


def class_targets(codes, n_classes):
    """The network's targets for class indices `codes`, shape (n_rows,): for 2 classes the
    codes, shape (n_rows, 1) (one sigmoid output is the probability of the second class), else
    one-hot, shape (n_rows, n_classes)."""
    if n_classes == 2:
        return codes.reshape(-1, 1)
    return np.eye(n_classes)[codes]


class Head(NamedTuple):
    """The output layer of a task, its default loss and the metrics `train` records."""

    output: Dense
    loss: str
    metrics: list


def output_head(task, n_classes=None):
    """The `Head` (output layer, loss, metrics) of `task`, "classification" or "regression".

    Regression: one linear output, "mse", ["mae", "r2"]. Classification of `n_classes` = 2: one
    sigmoid output, "binary_crossentropy"; of more: a softmax over `n_classes` outputs,
    "categorical_crossentropy"; ["accuracy"] either way.
    """
    if task == "regression":
        return Head(Dense(1), "mse", ["mae", "r2"])
    if n_classes == 2:
        return Head(Dense(1, activation="sigmoid"), "binary_crossentropy", ["accuracy"])
    return Head(Dense(n_classes, activation="softmax"), "categorical_crossentropy", ["accuracy"])


def target_numbers(table):
    """The target column of `table` as a float array, shape (n_rows, 1); or a ValueError
    naming the line of the first field that isn't a number."""
    return table.numbers(table.target_name, table.target_values).reshape(-1, 1)


# -- the columns -------------------------------------------------------------------------------


def check_target_magnitude(table, y):
    """Refuse a regression target `y` (n_rows, 1) of `table` (a `smallnet.csvdata.Table`) whose
    mean, spread or squared errors overflow (the features are `TableEncoder`'s to check)."""
    mean, std = column_moments(y)
    with np.errstate(over="ignore"):
        largest = np.abs(y).max()
        if not (np.isfinite(mean).all() and np.isfinite(std).all()):
            raise ValueError(
                f"{table.path}: the target {table.target_name!r} holds values too large to "
                f"standardize or train on (up to {largest:.3g}); rescale it, say to thousands"
            )
        if not np.isfinite((10 * largest) ** 2):  # the squared errors mse sums up overflow
            raise ValueError(
                f"{table.path}: the target {table.target_name!r} holds values too large to "
                f"score (up to {largest:.3g}: their squares overflow); rescale it, say to "
                f"thousands"
            )


# -- a regression target's scaling -------------------------------------------------------------
# Targets of any size (prices, say) train like targets of size 1: the network learns them
# standardized, and an inverted Standardize on top gives its predictions in their own units.


def fit_target_scaling(y):
    """The Standardize(invert=True) that maps standardized targets back to the units of the
    training targets `y`, shape (n_rows, 1): to go on top once the network is trained."""
    return Standardize.from_data(y, invert=True)


def standardize_targets(y, scaling):
    """`y` (n_rows, 1) in the units the network learns: ``(y - mean) / scale`` of `scaling`."""
    return (y - scaling.mean) / scaling.scale


def scaling_record(scaling):
    """`scaling` as the metadata field "target_scaling": [mean, scale], floats."""
    return [float(scaling.mean[0]), float(scaling.scale[0])]


def scaling_layer(record):
    """The inverted Standardize of a "target_scaling" record [mean, scale]."""
    return Standardize([record[0]], [record[1]], invert=True)


def in_target_units(history, scale, loss="mse"):
    """Rescale a History recorded on standardized targets to the targets' units (`scale`, a
    float), in place: exactly what training on them would have recorded (mse, sse and huber
    are squares, huber's with a delta `scale` times as large; the mae loss and metric are
    linear; r2 has no unit). `loss`: the loss trained, a name or a Loss."""
    loss_factor = scale if losses.get(loss).name == "mae" else scale**2
    for key, values in history.history.items():
        factor = {"loss": loss_factor, "mae": scale}.get(key.removeprefix("val_"), 1.0)
        values[:] = [value * factor for value in values]


def restore_target_units(net, history, scaling):
    """After training on standardized targets: put `scaling` on top of `net`, so that it
    predicts in the targets' units, and turn `history` into those units. A huber loss gets
    its delta in the targets' units too (times the scale): the loss the history records."""
    scale = float(scaling.scale[0])
    net.add(scaling)
    if isinstance(net.loss, losses.Huber):
        net.loss = losses.Huber(delta=net.loss.delta * scale)
    in_target_units(history, scale, net.loss)


# -- the network -------------------------------------------------------------------------------


def hidden_initializer(activation):
    """ "he_uniform" for a relu-like hidden `activation` (`RELU_LIKE`: He's factor 2 makes up
    for the half of the inputs they zero or damp, and keeps ReLUs alive), "lecun_normal" for
    selu (the variance its self-normalization assumes), else "glorot_uniform" (softplus too:
    log 2 at 0, with slope 1/2 there, it is no ReLU near the origin)."""
    name = activations.get(activation).name
    if name in RELU_LIKE:
        return "he_uniform"
    return "lecun_normal" if name == "selu" else "glorot_uniform"


def dropout_rates(dropout, n_hidden):
    """The Dropout rate after each of `n_hidden` hidden layers (0: none there), from `dropout`:
    None, one rate in [0, 1) for all, or a sequence of one rate per hidden layer."""
    if dropout is None:
        return [0.0] * n_hidden
    rate_range = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}
    if isinstance(dropout, (numbers.Real, str)):  # a str: refused as no number
        rate = check_number("dropout", dropout, **rate_range)
        if rate and not n_hidden:
            raise ValueError(
                f"dropout={dropout!r} puts a Dropout after each hidden layer, but there are none"
            )
        return [rate] * n_hidden
    rates = [check_number(f"dropout[{i}]", rate, **rate_range) for i, rate in enumerate(dropout)]
    if len(rates) != n_hidden:
        plural = {1: ""}
        raise ValueError(
            f"dropout has {len(rates)} rate{plural.get(len(rates), 's')} for {n_hidden} hidden "
            f"layer{plural.get(n_hidden, 's')}; give one rate for all, or one per hidden layer"
        )
    return rates


def default_network(
    hidden,
    output,
    *,
    X=None,
    n_features=None,
    standardize=False,
    activation="relu",
    loss="mse",
    optimizer="adam",
    metrics=(),
    seed=None,
    dtype=None,
    dropout=None,
    batch_norm=False,
    encoder=None,
):
    """The default network for a table, not built: hidden Dense layers, then `output`.

    Each hidden layer is a Dense with its activation, then a BatchNorm (`batch_norm`), then a
    Dropout (`dropout`), in that order: the BatchNorm standardizes what the next layer takes,
    and the Dropout comes last so that the BatchNorm's statistics never see its masks (which
    are off in prediction).

    Parameters
    ----------
    hidden : sequence of int
        The hidden layers' sizes; empty for none. Their initializer: `hidden_initializer`.
    output : Layer or int
        The output layer (see `output_head`), or its number of linear outputs.
    X : array-like of shape (n_rows, n_features), optional
        The training features; `n_features` gives the input width without them (None: at fit).
    standardize : bool
        Put a Standardize fitted on `X` first, so that the network takes raw features.
    activation : str, Activation, or a sequence of them
        Of the hidden layers: one for all (an Activation is copied for each), or one per layer.
    loss, optimizer, metrics, seed, dtype
        As for `Network`.
    dropout : float in [0, 1) or sequence of them, optional
        A Dropout of this rate after each hidden layer, or one rate per hidden layer (see
        `dropout_rates`); a rate of 0 puts none there.
    batch_norm : bool
        A BatchNorm (its defaults) after each hidden Dense.
    encoder : TableEncoder, optional
        The first layer, for a table's raw columns (it standardizes numbers itself).
    """
    if standardize and X is None:
        raise ValueError("standardize=True needs X, the data to fit the Standardize layer on")
    if isinstance(output, numbers.Integral):
        output = Dense(output)
    rates = dropout_rates(dropout, len(hidden))
    if check_bool("batch_norm", batch_norm) and not len(hidden):
        raise ValueError("batch_norm=True puts a BatchNorm after each hidden layer; there are none")
    names = (
        list(activation) if isinstance(activation, (list, tuple)) else [activation] * len(hidden)
    )
    if len(names) != len(hidden):
        raise ValueError(
            f"activation gives {len(names)} activations for {len(hidden)} hidden layers; give "
            f"one for all, or one per hidden layer"
        )
    layers = []
    for units, name, rate in zip(hidden, names, rates):
        # an Activation instance may keep arrays for its backward: each layer gets its own copy
        own = copy.deepcopy(name) if isinstance(name, activations.Activation) else name
        layers.append(Dense(units, activation=own, initializer=hidden_initializer(name)))
        layers += [BatchNorm()] if batch_norm else []
        layers += [Dropout(rate)] if rate else []
    layers.append(output)
    width = n_features if X is None or encoder is not None else np.shape(X)[1]
    if n_features is not None and width != n_features:
        raise ValueError(f"n_features is {n_features}, but X has {width} columns")
    if encoder is not None:
        layers.insert(0, encoder)
    elif standardize:
        layers.insert(0, Standardize.from_data(X))
    elif width is not None:
        layers[0].input_dim = width
    return Network(layers, loss=loss, optimizer=optimizer, metrics=metrics, seed=seed, dtype=dtype)


# -- the model's metadata ----------------------------------------------------------------------


def model_metadata(
    task, target, feature_names, ignored, batch_size, val_split, classes=None, target_scaling=None
):
    """The metadata dict `train` saves with a model (`Network.metadata`), keys in this order.

    Parameters
    ----------
    task, target : str
        "classification" or "regression"; the target column's name.
    feature_names, ignored : list of str
        The n_features feature columns, in the network's input order; the columns left out.
    batch_size, val_split : int, float
        As trained with: a resumed training must use the same.
    classes : list of str, optional
        Classification: the n_classes labels, in the order of the network's outputs.
    target_scaling : list of float, optional
        Regression: [mean, scale] of the target (`scaling_record`).
    """
    metadata = {
        "task": task,
        "target": target,
        "feature_names": feature_names,
        "ignored": ignored,
        "batch_size": batch_size,
        "val_split": val_split,
    }
    if classes is not None:
        metadata["classes"] = classes
    if target_scaling is not None:
        metadata["target_scaling"] = target_scaling
    return metadata


@dataclasses.dataclass(frozen=True)
class ModelMetadata:
    """The metadata fields of a model, checked by `read_metadata`; None where absent."""

    task: str | None
    target: str | None
    feature_names: list | None
    ignored: list
    named_classes: list | None  # as recorded
    classes: list | None  # classification: the labels as text, or the indices "0", "1", ...
    target_scaling: list | None


def _names(value):
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def _labels(value):
    return (
        isinstance(value, list)
        and len({str(label) for label in value}) == len(value)
        and all(
            isinstance(label, (str, int, float)) and not isinstance(label, bool) for label in value
        )
    )


def _scaling(value):
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
        and value[1] > 0
    )


def read_metadata(net, path):
    """The `ModelMetadata` of `net`, checked; `path` (the model's file) names it in errors.

    Models saved from Python carry metadata of their own, or none (or not a dict): a field
    that is absent is None, one of the wrong kind is a ValueError naming the field. `classes`
    is set for classification: the labels as text, or the class indices (2 for one sigmoid
    output, else one per output of `net`).
    """
    meta = net.metadata if isinstance(net.metadata, dict) else {}

    def field(key, valid, expected):
        value = meta.get(key)
        if value is not None and not valid(value):
            raise ValueError(
                f"{path}: the metadata field {key!r} should be {expected}, "
                f"not {reprlib.repr(value)}"
            )
        return value

    task = field("task", lambda value: value in TASKS, " or ".join(map(repr, TASKS)))
    target = field("target", lambda value: isinstance(value, str), "a column name")
    feature_names = field("feature_names", _names, "a list of column names")
    ignored = field("ignored", _names, "a list of column names") or []
    named_classes = field("classes", _labels, "a list of distinct class labels")
    classes = None
    if task == "classification":
        n = 2 if net.output_dim == 1 else net.output_dim  # one sigmoid output is two classes
        classes = [str(label) for label in named_classes or range(n)]
        if len(classes) != n:
            raise ValueError(
                f"{path}: the metadata field 'classes' names {len(classes)} classes, "
                f"but the network's outputs are for {n}"
            )
    scaling = field("target_scaling", _scaling, "[mean, scale] with a scale > 0")
    return ModelMetadata(task, target, feature_names, ignored, named_classes, classes, scaling)
