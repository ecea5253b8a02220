"""What the page exports: the trained model (smallnet's safetensors file, or ONNX) and the Python
code that builds and trains the same network with smallnet.

The code is written from the network's own layers (each one's arguments that differ from its
defaults), so it builds what the page trained; it trains from fresh weights, as many epochs as
the page has, and so reaches the page's losses unless weights or rates were changed mid-run.
"""

import copy
import inspect
import os
import tempfile

import numpy as np

from ..datasets import PLANE_MULTICLASS
from ..layers import Standardize

MODEL_NAME = "playground"


def metadata(session):
    """What the saved model says of itself: `smallnet predict` and `info` read these fields."""
    s, p = session.settings, session.points
    if s.dataset == "tutorial":
        names, target = ["x1", "x2", "x3"], "y"
    elif s.dataset == "csv":
        names, target = [s.x_column, s.y_column], s.label_column
    else:
        names, target = ["x1", "x2"], "label"
    meta = {"task": s.problem, "target": target, "feature_names": names}
    if s.problem == "classification":
        meta["classes"] = p.labels
    shown = s.to_json()
    if s.dataset not in PLANE_MULTICLASS:
        del shown["classes"]  # the built-in sets' setting: here the labels say
    meta["playground"] = shown
    return meta


def model_bytes(session, kind):
    """The network as a file's bytes: kind "safetensors" (`smallnet.load` reads it) or "onnx"."""
    net = copy.deepcopy(session.network)
    net.metadata = metadata(session)
    mid, half = session.points.target_scaling
    if (mid, half) != (0.0, 1.0):  # predictions in the file's units
        net.add(Standardize(mean=[mid], scale=[half], invert=True))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{MODEL_NAME}.{kind}")
        if kind == "onnx":
            net.to_onnx(path)
        else:
            net.save(path)
        with open(path, "rb") as file:
            return file.read()


def python_code(session, csv_name="data.csv"):
    """A script that builds and trains the session's network with smallnet (`csv_name`: the
    uploaded file's name, for dataset csv)."""
    s, net = session.settings, session.network
    epochs = session.epoch or 100
    lines = [
        '"""The network smallnet\'s playground built, trained the same way.',
        "",
        f"Data: {_describe(s)}. Fresh weights from seed {s.seed}, {epochs} epochs: weights",
        "edited or rates changed on the page mid-run are not replayed (the exported model",
        "file has the page's own weights: smallnet.load(path)).",
        '"""',
        "",
        "import numpy as np",
        "",
        "import smallnet as sn",
        *_data_code(s, session, csv_name),
        "",
        "net = sn.Network(",
        "    [",
        *(f"        {_layer_code(layer)}," for layer in net.layers),
        "    ],",
        f"    loss={net.loss.config()!r},",
        f"    optimizer=sn.{net.optimizer!r},",
        *(f"    {name}={getattr(net, name)!r}," for name in ("l1", "l2") if getattr(net, name)),
        f"    seed={s.seed},",
        ")",
        f"net.build(input_dim={net.input_dim})",
        f"net.fit(X[train], y[train], epochs={epochs}, batch_size={session.batch_size})",
        'print("train loss", net.evaluate(X[train], y[train])["loss"])',
    ]
    if s.dataset != "tutorial":
        lines.append('print("test loss", net.evaluate(X[test], y[test])["loss"])')
    mid, half = session.points.target_scaling
    if (mid, half) != (0.0, 1.0):
        lines.append(
            f"net.add(sn.Standardize(mean=[{mid!r}], scale=[{half!r}], invert=True))"
            "  # predictions in the file's units"
        )
    return "\n".join(lines) + "\n"


def _describe(s):
    if s.dataset == "tutorial":
        return "the tutorial's four rows"
    if s.dataset == "csv":
        return f"columns {s.x_column}, {s.y_column} -> {s.label_column} of the uploaded CSV file"
    return f"{s.dataset}, noise {s.noise} %, {s.train_percent} % for training, seed {s.seed}"


def _data_code(s, session, csv_name):
    if s.dataset == "tutorial":
        return [
            "from smallnet.datasets import tutorial",
            "",
            "X, y = tutorial()",
            "train = slice(None)  # every row, each step",
        ]
    n = len(session.points.X_train) + len(session.points.X_test)
    if s.dataset == "csv":
        code = [
            "from pathlib import Path",
            "",
            "from smallnet.csvdata import read_csv",
            "from smallnet.playground.points import plane_columns",
            "",
            f"table = read_csv(Path(__file__).with_name({csv_name!r}))  # the file uploaded: put "
            "it beside this script",
            f"X, y, classes, dropped = plane_columns(table, {s.x_column!r}, {s.y_column!r}, "
            f"{s.label_column!r}, {s.problem!r})",
        ]
    else:
        code = [
            "from smallnet.datasets import plane",
            "",
            f"X, y = plane({s.dataset!r}, {n}, noise={s.noise / 100!r}, classes={s.classes}, "
            f"seed={s.seed})",
        ]
    n_train = len(session.points.X_train)
    code += [
        f"order = np.random.default_rng({s.seed}).permutation(len(X))  # the page's split",
        f"train, test = order[:{n_train}], order[{n_train}:]",
    ]
    mid, half = session.points.target_scaling
    if (mid, half) != (0.0, 1.0):
        code.append(f"y = (y - {mid!r}) / {half!r}  # the page's targets: from -1 to 1")
    if len(session.points.labels) <= 2:  # one output: (n, 1) floats
        code.append("y = y.reshape(-1, 1).astype(float)")
    return code


def _layer_code(layer):
    """``sn.Dense(4, activation='tanh')``: the layer's arguments that differ from the defaults."""
    cls = type(layer)
    config = layer.config()
    parts = []
    if isinstance(layer, Standardize):  # its arrays are its arguments
        parts += [f"mean={_numbers(layer.mean)}", f"scale={_numbers(layer.scale)}"]
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "name") or name not in config:
            continue
        value = config[name]
        if isinstance(value, dict) and list(value) == ["name"]:  # an activation without options
            value = value["name"]
        if parameter.default is inspect.Parameter.empty:
            parts.append(repr(value))
        elif value != parameter.default:
            parts.append(f"{name}={value!r}")
    return f"sn.{cls.__name__}({', '.join(parts)})"


def _numbers(array):
    return repr([float(v) for v in np.ravel(array)])
