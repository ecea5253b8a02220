"""The `smallnet` command line. Errors end as one line on stderr and exit code 2.

    smallnet train (DATA.csv --target COLUMN | --dataset NAME) -o MODEL.safetensors
    smallnet predict MODEL DATA.csv [-o OUT.csv] [--proba] [--keep COLUMNS] [--ignore COLUMNS]
    smallnet evaluate MODEL DATA.csv [--target COLUMN] [--ignore COLUMNS]
    smallnet info MODEL
    smallnet export MODEL --onnx OUT.onnx
    smallnet plot MODEL [--data DATA.csv --target COLUMN] --kind loss|boundary|network|regression -o OUT.png
    smallnet demo [--plot DIR];  smallnet trace --dataset tutorial --step K

Every file the commands write appears whole or not at all (smallnet.atomic).
"""

import argparse
import errno
import math
import os
import reprlib
import sys
import types
import warnings

import numpy as np

from . import datasets, load, metrics
from .activations import ACTIVATIONS
from .atomic import check_destination, write_text
from .callbacks import DivergenceGuard, DivergenceWarning
from .csvdata import (
    MISSING_MARKERS,
    ColumnMismatch,
    format_csv,
    join,
    parse_number,
    quoted,
    read_csv,
)
from .layers import Dense, Standardize
from .losses import LOSSES
from .network import Network
from .samples import validation_rows
from .state import require_safetensors

MAX_CLASSES = (
    10  # a numeric target with at most this many distinct integers is taken for class labels
)
MAX_MATRIX = (
    20  # evaluate prints the confusion matrix up to this many classes (300 would make a megabyte)
)


def _demo(args):
    from . import tutorial

    if args.plot:
        os.makedirs(args.plot, exist_ok=True)  # a bad folder fails before the training, not after
    trained = tutorial.run()
    if args.plot:
        _demo_plots(args.plot, trained[-1])


def _demo_plots(folder, tutorial_trained):
    """PNG pictures of the tutorial's 3-4-1 network and of the same recipe learning xor, into `folder`."""
    from . import plot

    net, history = tutorial_trained
    X, y = datasets.xor()
    xor_net = _tutorial_network("xor", X, (4,), metrics=("accuracy",))
    xor_net.fit(X, y, epochs=10000)
    pictures = {
        "tutorial_loss.png": lambda path: plot.loss_curve(
            history, path=path, title="The tutorial's 3-4-1 network"
        ),
        "tutorial_network.png": lambda path: plot.network_diagram(net, path=path),
        "xor_boundary.png": lambda path: plot.decision_boundary(
            xor_net, X, y, path=path, title="xor, learned"
        ),
        "xor_network.png": lambda path: plot.network_diagram(xor_net, X, path=path),
    }
    print()
    for name, draw in pictures.items():
        path = os.path.join(folder, name)
        draw(path)
        print(f"wrote {path}")


def _tutorial_network(dataset, X, hidden, metrics=("mae",)):
    """The tutorial's recipe for `dataset`: its constant third input is the bias, other data get real ones."""
    from . import tutorial

    return tutorial.network(
        tuple(hidden), metrics=metrics, input_dim=X.shape[1], use_bias=dataset != "tutorial"
    )


def _trace(args):
    X, y = datasets.load(args.dataset)
    if y.shape[1] != 1:  # iris: three classes, and the tutorial's recipe has one output
        raise ValueError(
            f"--dataset {args.dataset}: trace follows the tutorial's one-output network; "
            f"use tutorial or xor"
        )
    _tutorial_network(args.dataset, X, args.hidden).trace(X, y, step=args.step)


# -- train -------------------------------------------------------------------------------------


def _train(args):
    if (args.data is None) == (args.dataset is None):
        raise ValueError("give either DATA.csv or --dataset NAME")
    if args.checkpoint_every is not None and args.checkpoint is None:
        raise ValueError(
            "--checkpoint-every N goes with --checkpoint PATH: it says how often to write there"
        )
    if args.dataset is not None:
        extra = [
            option
            for option, value in (("--target", args.target), ("--ignore", args.ignore))
            if value
        ]
        if extra:
            raise ValueError(
                f"{extra[0]} goes with DATA.csv; a --dataset has its own target and features"
            )
        table = datasets.frame(args.dataset)
    else:
        if args.target is None:
            raise ValueError("--target COLUMN is required with DATA.csv")
        try:
            table = read_csv(args.data, target=args.target, ignore=args.ignore)
        except ValueError as exc:
            if str(exc).endswith(
                "is not a number"
            ):  # most often a text column such as an id or a name
                raise ValueError(
                    f"{exc}; leave non-numeric columns out with --ignore COLUMN"
                ) from None
            raise
    _check_output(args.output, data=args.data, checkpoint=args.resume)
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix in (".csv", ".onnx", ".json", ".png", ".svg", ".txt"):
        raise ValueError(
            f"-o {args.output}: the model is a safetensors file, not {suffix[1:]}; give a name ending "
            f".safetensors" + (" (smallnet export writes ONNX)" if suffix == ".onnx" else "")
        )
    if args.checkpoint is not None:
        _check_output(args.checkpoint, data=args.data, output=args.output)
    require_safetensors()  # a missing [io] extra is said before the training, not after it
    task = args.task or _infer_task(table.target)
    metadata = {
        "task": task,
        "target": table.target_name,
        "feature_names": table.feature_names,
        "ignored": table.ignored,
        "batch_size": args.batch_size,
        "val_split": args.val_split,
    }
    if task == "classification":
        classes = metadata["classes"] = sorted(set(table.target), key=_class_order)
        if len(classes) < 2:
            raise ValueError(
                f"{table.path}: the target {table.target_name!r} holds one class only ({classes[0]!r}); "
                f"classification needs two or more"
            )
        if args.task is None:
            _check_class_count(table, classes)
        index = {label: k for k, label in enumerate(classes)}
        codes = np.array([index[label] for label in table.target])
        if len(classes) == 2:  # one sigmoid output: the probability of the second class
            y, output, loss = (
                codes.reshape(-1, 1),
                Dense(1, activation="sigmoid"),
                "binary_crossentropy",
            )
        else:
            y = np.eye(len(classes))[codes]
            output, loss = Dense(len(classes), activation="softmax"), "categorical_crossentropy"
        metrics = ["accuracy"]
    else:
        y, output, loss, metrics = _numbers(table), Dense(1), "mse", ["mae", "r2"]
    _check_magnitudes(table, None if task == "classification" else y)
    X, validation = table.X, None
    if (
        args.val_split
    ):  # held out first, so that the standardization is fitted on the training part only
        held_out = validation_rows(
            y,
            args.val_split,
            np.random.RandomState(args.seed),
            name="--val-split",
            stratify=task == "classification",
        )
        keep = np.ones(len(X), dtype=bool)
        keep[held_out] = False
        lost = [
            label
            for k, label in enumerate(metadata.get("classes", []))
            if not (codes[keep] == k).any()
        ]
        if (
            keep.sum() < 2 or lost
        ):  # validation_rows keeps one row at least, and stratifies only roughly
            left = (
                f"{_count(keep.sum(), 'row')} for training"
                if keep.sum() < 2
                else f"no training rows of class {quoted(lost)}"
            )
            raise ValueError(
                f"--val-split {args.val_split:g} of {_count(len(X), 'row')} leaves {left}; "
                f"give a smaller --val-split (or none)"
            )
        X, y, validation = X[keep], y[keep], (X[held_out], y[held_out])
    targets = None
    if task == "regression":
        # Targets of any size (prices, say) train like targets of size 1: the network learns them
        # standardized, and an inverted Standardize on top gives its predictions in their own units.
        targets = Standardize.from_data(y, invert=True)
        metadata["target_scaling"] = [
            float(targets.mean[0]),
            float(targets.scale[0]),
        ]  # checkpoints need it too
        y = (y - targets.mean) / targets.scale
        if validation:
            validation = (validation[0], (validation[1] - targets.mean) / targets.scale)
    _warn_of_ids(
        table
    )  # once everything else is accepted: a warning before an error would only distract
    initializer = "he_normal" if args.activation in ("relu", "leaky_relu") else "glorot_uniform"
    net = Network(
        [
            Standardize.from_data(X),
            *[
                Dense(units, activation=args.activation, initializer=initializer)
                for units in args.hidden
            ],
            output,
        ],
        loss=args.loss or loss,
        optimizer={"name": args.optimizer, "learning_rate": args.lr},
        metrics=metrics,
        seed=args.seed,
    )
    net.metadata = metadata
    done = _check_resume(args, net) if args.resume else 0
    guard = DivergenceGuard()
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", DivergenceWarning
        )  # said below in the CLI's words, and nothing is saved
        try:
            history = net.fit(
                X,
                y,
                epochs=args.epochs,
                batch_size=args.batch_size,
                validation_data=validation,
                checkpoint=args.checkpoint,
                checkpoint_every=args.checkpoint_every or 1,
                resume=args.resume,
                callbacks=[guard],
            )
        except ValueError as exc:
            if args.resume and "other training data" in str(
                exc
            ):  # said in the library's words: X, y, sample_weight
                raise ValueError(
                    f"{args.resume}: the data differs from the checkpoint's; resume on the rows it was "
                    f"trained on (the same DATA.csv, --target, --ignore and --val-split)"
                ) from None
            raise
    if guard.diverged_epoch is not None:
        loss = history.history["loss"][-1]
        what = (
            f"the loss became {loss}"
            if not np.isfinite(loss)
            else "the weights or their outputs became NaN or inf"
        )
        raise RuntimeError(
            f"training diverged in epoch {guard.diverged_epoch + 1} ({what}); no model saved; "
            f"try a lower --lr than {args.lr:g}"
        )
    if targets is not None:
        net.add(targets)
        _in_target_units(history, float(targets.scale[0]))
    overflowed = [
        f"{key} {values[-1]}"
        for key, values in history.history.items()
        if not np.isfinite(values[-1])
    ]
    if overflowed:  # finite in training, but not in the target's units (or on the validation rows)
        raise RuntimeError(
            f"training ended with {', '.join(overflowed)}: the model is far off; no model saved; try "
            f"a lower --lr than {args.lr:g}, or rescale the target"
        )
    net.save(args.output)
    if args.resume and done == args.epochs:
        trained = f"nothing to train: {args.resume} had already done --epochs {args.epochs}"
    else:
        trained = f"trained {_count(len(history.epoch), 'epoch')}" + (
            f" (the first {done} in {args.resume})" if done else ""
        )
    final = ", ".join(f"{key} {values[-1]:.4g}" for key, values in history.history.items())
    what = f"{len(metadata['classes'])} classes" if task == "classification" else "regression"
    rows = _count(len(X), "row") + (
        f" (+{len(validation[0])} for validation)" if validation else ""
    )
    print(f"{trained} on {rows}, {_count(len(table.feature_names), 'feature')}, {what}: {final}")
    print(f"saved {args.output}")
    if history.interrupted:
        print(
            f"smallnet train: interrupted; {args.output} holds the network trained so far"
            + (f"; resume with --resume {args.checkpoint}" if args.checkpoint else ""),
            file=sys.stderr,
        )
        return 130
    return 0


def _check_magnitudes(table, y=None):
    """Refuse columns whose mean or variance overflow: the standardization (or, for a target, mse) can't use them."""
    columns = table.X if y is None else np.hstack([table.X, y])
    names = table.feature_names + ([table.target_name] if y is not None else [])
    finite = np.isfinite(columns.mean(axis=0)) & np.isfinite(columns.std(axis=0))
    if not finite.all():
        bad = ", ".join(repr(name) for name, ok in zip(names, finite) if not ok)
        raise ValueError(
            f"{table.path}: column {bad} holds values too large to standardize or train on "
            f"(up to {np.abs(columns[:, ~finite]).max():.3g}); rescale them, say to thousands"
        )
    if y is not None:
        with np.errstate(over="ignore"):
            largest = np.abs(y).max()
            if not np.isfinite(
                (10 * largest) ** 2
            ):  # the squared errors that mse and the loss sum up would overflow
                raise ValueError(
                    f"{table.path}: the target {table.target_name!r} holds values too large to score "
                    f"(up to {largest:.3g}: their squares overflow); rescale it, say to thousands"
                )


def _check_resume(args, net):
    """Epochs the --resume checkpoint has done; options that differ from its own are refused, not mixed in."""
    saved = load(args.resume)
    if not isinstance(saved.metadata, dict) or "task" not in saved.metadata:
        raise ValueError(f"{args.resume}: not a checkpoint written by smallnet train")
    ours, theirs = (
        _train_options(net.config(), net.metadata),
        _train_options(saved.config(), saved.metadata),
    )
    for option, value in ours.items():
        if (
            theirs[option] is not None and theirs[option] != value
        ):  # None: an older checkpoint doesn't say
            raise ValueError(
                f"{args.resume}: the checkpoint was written with {option} "
                f"{_show(theirs[option]) or '(none)'}, not {_show(value) or '(none)'}; "
                f"resume with the options it was written with"
            )
    done = len(saved.history.epoch) if saved.history is not None else 0
    if done > args.epochs:
        raise ValueError(
            f"{args.resume}: the checkpoint has already trained {_count(done, 'epoch')}, more than "
            f"--epochs {args.epochs}; give --epochs above {done} to train on"
        )
    return done


def _train_options(config, metadata):
    """{option: value} of the `train` options a network's config and metadata record (None: not recorded)."""
    hidden = [layer for layer in config["layers"] if layer["type"] == "Dense"][
        :-1
    ]  # not the output layer
    return {
        "--task": metadata.get("task"),
        "--ignore": metadata.get("ignored") or [],
        "--hidden": ",".join(str(layer.get("units")) for layer in hidden),
        "--activation": hidden[0].get("activation", {}).get("name") if hidden else None,
        "--loss": config["loss"],
        "--optimizer": config["optimizer"]["name"],
        "--lr": config["optimizer"]["learning_rate"],
        "--seed": config["seed"],
        "--batch-size": metadata.get("batch_size"),
        "--val-split": metadata.get("val_split"),
    }


def _check_class_count(table, classes):
    """Refuse a guessed classification with about as many classes as rows: most often a column of
    numbers with a stray word in it, which made the whole column text, or an id or name column."""
    n = len(table.target)
    if len(classes) <= max(MAX_CLASSES, n // 2):
        return
    words = [i for i, text in enumerate(table.target) if not _is_number(text)]
    if len(words) == n:
        per_row = " with one distinct value per row" if len(classes) == n else ""
        hint = (
            f"; it looks like an id or name column{per_row}: choose another --target and leave this one out "
            f"with --ignore"
        )
    else:
        hint = (
            f"; {table.where(words[0], table.target_name)} holds {table.target[words[0]]!r}"
            if words
            else ""
        ) + ("; to predict a number pass --task regression (with every value a number)")
    raise ValueError(
        f"{table.path}: the target {table.target_name!r} has {len(classes)} distinct values in {n} rows, "
        f"too many to be classes{hint}, or --task classification to train on these classes all the same"
    )


def _is_number(text):
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _warn_of_ids(table):
    """Warn of a feature that numbers the rows (each of k, k+1, ..., k+n-1 once): most likely an id, which a
    network would learn from as if it meant something."""
    if len(table.X) < 10:
        return
    for name, column in zip(table.feature_names, table.X.T):
        values = np.sort(column)
        if values[0] == int(values[0]) and (np.diff(values) == 1).all():
            warnings.warn(
                f"column {name!r} numbers the rows ({values[0]:g} to {values[-1]:g}, each once): if it is "
                f"an id, leave it out with --ignore {name}",
                stacklevel=2,
            )


def _in_target_units(history, scale):
    """Rescale a History recorded on standardized targets to the targets' units: exactly what training
    on them would have recorded (the losses are squares, mae is linear, r2 has no unit)."""
    for key, values in history.history.items():
        factor = {"loss": scale**2, "mae": scale}.get(key.removeprefix("val_"), 1.0)
        values[:] = [value * factor for value in values]


def _infer_task(labels):
    """ "classification" for text or for at most MAX_CLASSES distinct integers (as written), else "regression"."""
    distinct = set(labels)
    try:
        values = [parse_number(text) for text in distinct]
    except ValueError:
        return "classification"
    if len(distinct) <= MAX_CLASSES and all(value.is_integer() for value in values):
        return "classification"
    return "regression"


def _class_order(label):
    """Numbers by value (equal values by spelling: 007 before 7), before text labels in alphabetical order."""
    try:
        return (0, parse_number(label), label)
    except ValueError:
        return (1, 0.0, label)


def _numbers(table):
    """The target column as an (n, 1) float array, or an error naming the line of the first that isn't a number."""
    values = []
    for i, text in enumerate(table.target):
        try:
            values.append(parse_number(text))
        except ValueError as exc:
            raise ValueError(f"{table.where(i, table.target_name)}: {exc}") from None
    return np.array(values).reshape(-1, 1)


def _count(n, noun):
    """ "1 row", "2 rows"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


# -- predict, evaluate -------------------------------------------------------------------------

TASKS = ("classification", "regression")


def _read_model(path):
    """The model in `path` with the metadata fields the commands use, checked: net, task, target, features, ...

    Models saved from Python carry metadata of their own, or none. A field that is absent is None
    (classes: the class indices), one the commands can't use is an error naming the file and the field.
    """
    net = load(path)
    meta = net.metadata if isinstance(net.metadata, dict) else {}

    def field(key, valid, expected):
        value = meta.get(key)
        if value is not None and not valid(value):
            raise ValueError(
                f"{path}: the metadata field {key!r} should be {expected}, not {reprlib.repr(value)}"
            )
        return value

    def names(value):
        return isinstance(value, list) and all(isinstance(name, str) for name in value)

    def labels(value):
        return (
            isinstance(value, list)
            and len({str(label) for label in value}) == len(value)
            and all(
                isinstance(label, (str, int, float)) and not isinstance(label, bool)
                for label in value
            )
        )

    model = types.SimpleNamespace(
        path=path,
        net=net,
        task=field("task", lambda value: value in TASKS, " or ".join(map(repr, TASKS))),
        target=field("target", lambda value: isinstance(value, str), "a column name"),
        features=field("feature_names", names, "a list of column names"),
        ignored=field("ignored", names, "a list of column names") or [],
        named_classes=field("classes", labels, "a list of distinct class labels"),
        classes=None,
    )
    if model.task == "classification":
        n = 2 if net.output_dim == 1 else net.output_dim  # one sigmoid output is two classes
        model.classes = [str(label) for label in model.named_classes or range(n)]
        if len(model.classes) != n:
            raise ValueError(
                f"{path}: the metadata field 'classes' names {len(model.classes)} classes, "
                f"but the network's outputs are for {n}"
            )
    scaling = field(
        "target_scaling",
        lambda value: (
            isinstance(value, list)
            and len(value) == 2
            and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in value
            )
            and value[1] > 0
        ),
        "[mean, scale] with a scale > 0",
    )
    model.rescaled = bool(scaling) and not getattr(net.layers[-1], "invert", False)
    if (
        model.rescaled
    ):  # a checkpoint of `train`, written while it learned the standardized target: units back on
        net.add(Standardize([scaling[0]], [scaling[1]], invert=True))
    return model


def _predict(args):
    args.data = _data_path(args)
    model = _read_model(args.model)
    if args.output:
        _check_output(args.output, model=args.model, data=args.data)
    if args.proba and model.task != "classification":
        raise ValueError(
            f"--proba needs a classification model; {args.model} is "
            f"{model.task or 'not from smallnet train'}"
        )
    table, out = _model_outputs(model, args.data, None, ignore=args.ignore, keep=args.keep)
    if model.task == "classification":
        proba = _probabilities(out)
        header = model.classes if args.proba else [model.target or "prediction"]
        rows = proba if args.proba else [[model.classes[k]] for k in proba.argmax(axis=1)]
    elif model.task == "regression" and out.shape[1] == 1:
        header, rows = [model.target or "prediction"], out
    else:  # a model without a task: every raw output
        header, rows = [f"output_{j}" for j in range(out.shape[1])], out
    clash = [name for name in table.kept if name in header]
    if clash:
        raise ValueError(
            f"--keep {quoted(clash)}: the predictions are written under that name; keep other columns "
            f"(smallnet evaluate compares predictions with the true values)"
        )
    kept = list(table.kept.values())
    text = format_csv(
        [*table.kept, *header],
        [[*(values[i] for values in kept), *map(str, row)] for i, row in enumerate(rows)],
    )
    if args.output:
        write_text(args.output, text)
    else:
        sys.stdout.write(text)


def _evaluate(args):
    args.data = _data_path(args)
    model = _read_model(args.model)
    if model.task is None:
        raise ValueError(f"{args.model}: no task recorded (models from `smallnet train` have one)")
    target = _model_target(model, args.target)
    table, out = _model_outputs(model, args.data, target, ignore=args.ignore)
    lines = [_count(len(out), "row")]
    if model.task == "regression":
        if out.shape[1] != 1:
            raise ValueError(
                f"{args.model}: a regression model with {out.shape[1]} outputs; evaluate scores one"
            )
        y = _numbers(table)
        lines += [
            f"mse: {metrics.mse(y, out):.6g}",
            f"mae: {metrics.mae(y, out):.6g}",
            f"r2: {metrics.r2(y, out):.6g}",
        ]
    else:
        classes = model.classes
        truth = _targets(model, table, target)
        predicted = _probabilities(out).argmax(axis=1)
        right = int((truth == predicted).sum())
        lines.append(f"accuracy: {right / len(truth):.4f} ({right}/{len(truth)})")
        if len(classes) > MAX_MATRIX:
            lines.append(
                f"confusion matrix omitted: {len(classes)} classes (it is printed for up to {MAX_MATRIX})"
            )
        else:
            counts = np.zeros((len(classes), len(classes)), dtype=int)
            np.add.at(counts, (truth, predicted), 1)
            width = max(len(c) for c in classes + [str(len(truth))])
            lines += [
                "confusion matrix (rows: true class, columns: predicted class):",
                " " * width + "".join(f"  {c:>{width}}" for c in classes),
            ]
            lines += [
                f"{c:<{width}}" + "".join(f"  {n:>{width}}" for n in row)
                for c, row in zip(classes, counts)
            ]
    print("\n".join(lines))  # only now: a failure above prints no partial results


def _model_target(model, target):
    """The column to score or draw against: `target` (--target), else the model's; not a feature or ignored one."""
    target = target or model.target
    if target is None:
        raise ValueError(f"--target COLUMN is needed: {model.path} records no target")
    why = (
        "one of the model's features"
        if model.features and target in model.features
        else "a column the model ignored in training"
        if target in model.ignored
        else None
    )
    if why:
        raise ValueError(
            f"--target {target!r} is {why}"
            + (f"; the column it predicts is {model.target!r}" if model.target else "")
        )
    return target


def _model_outputs(model, data, target, ignore=(), keep=None):
    """(table, predictions) of the model on a CSV file whose feature columns must be the model's; other
    columns must be the target, ignored in training, or in `ignore` or `keep` (--ignore, --keep).

    A model that records no feature names takes every column but those, in order. `keep` is None
    for a command without --keep: the hint for other columns then names --ignore only.
    """
    skip = ([model.target] if model.target and target is None else []) + model.ignored
    try:
        table = read_csv(
            data, target=target, features=model.features, skip=skip, ignore=ignore, keep=keep or ()
        )
    except ColumnMismatch as exc:
        if not exc.unexpected:
            raise
        raise ValueError(
            f"{exc}; leave other columns out with --ignore COLUMNS"
            + (" (or copy them to the output with --keep COLUMNS)" if keep is not None else "")
        ) from None
    try:
        return table, model.net.predict(table.X)
    except ValueError as exc:
        raise ValueError(f"{table.path}: {exc} (the model {model.path})") from None


def _probabilities(out):
    """Class probabilities (n, n_classes); one sigmoid output is the second of two classes."""
    return np.hstack([1 - out, out]) if out.shape[1] == 1 else out


def _targets(model, table, target):
    """The target column as class indices (classification) or an (n, 1) float array (regression)."""
    if model.task != "classification":
        return _numbers(table)
    index = {label: k for k, label in enumerate(model.classes)}
    for i, text in enumerate(table.target):
        if text not in index:  # labels are compared as written: 7 is not 007, 1 is not 1.0
            raise ValueError(
                f"{table.where(i, target)}: {text!r} is not one of the model's classes "
                f"({join(model.classes)})"
                + (
                    ""
                    if model.named_classes
                    else "; the model records no class names, only indices"
                )
            )
    return np.array([index[text] for text in table.target])


# -- info, export, plot ------------------------------------------------------------------------


def _info(args):
    model = _read_model(args.model)  # a regression checkpoint with its target's scaling back on
    net = model.net
    net.summary()
    config = net.config()
    print(
        f"Metrics: {', '.join(config['metrics']) or '-'}  Seed: {config['seed']}  Dtype: {config['dtype']}"
    )
    meta = dict(net.metadata) if isinstance(net.metadata, dict) else {"metadata": net.metadata}
    final = meta.pop("final_metrics", None)
    for key, value in [*meta.items(), ("final metrics", final)]:
        columns = key in ("feature_names", "ignored") and isinstance(
            value, list
        )  # names quoted: they may hold commas
        shown = quoted(value) if columns else _show(value)
        if shown:  # nothing ignored, no final metrics: no line
            print(f"{key}: {shown}")
    if model.rescaled and final:
        print(
            "(a checkpoint, written while the network learned the standardized target: its final metrics are "
            "in those units; the model train saves has them in the target's)"
        )


def _show(value):
    """A metadata value in words, whatever its type: lists joined (and cut if long), dicts as "key value" pairs,
    floats to 6 digits."""
    if value is None:
        return ""
    if isinstance(value, list):
        return join(
            map(_show, value)
        )  # a long list (3000 features) is cut to its ends and its count
    if isinstance(value, dict):
        return ", ".join(f"{key} {_show(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _export(args):
    net = _read_model(args.model).net
    _check_output(args.onnx, model=args.model)
    difference = net.to_onnx(args.onnx)
    from .onnx_export import (
        probe_inputs,
    )  # the inputs to_onnx compared on: how large are the outputs there?

    size = float(np.abs(net.predict(probe_inputs(net, 256))).max())
    relative = f" ({difference / size:.2g} of the outputs' largest, {size:.3g})" if size > 0 else ""
    print(
        f"wrote {args.onnx}; largest |onnxruntime - smallnet| on random inputs: {difference:.3g}{relative}"
    )


def _check_output(path, **inputs):
    """Fail before any work is done if `path` can't be a new file: its folder must exist, and it must not be
    one of the command's `inputs` (role=path), which writing it would destroy."""
    check_destination(path)
    for role, other in inputs.items():
        if other is not None and os.path.realpath(path) == os.path.realpath(other):
            raise ValueError(
                f"{path}: this is the {role} file; writing there would overwrite it, "
                f"choose another output"
            )


DRAWS = {
    "boundary": (
        "classification",
        "a classifier",
        "classes",
    ),  # --kind: the task it needs, in words
    "regression": ("regression", "a regression model", "fit"),
}


def _plot(args):
    args.data = _data_path(args, needed=False)
    model = _read_model(args.model)
    _check_output(args.output, model=args.model, data=args.data)
    data_option = "--dataset" if args.dataset else "--data"
    given = [
        option
        for option, value in (
            (data_option, args.data),
            ("--target", args.target),
            ("--ignore", args.ignore),
        )
        if value
    ]
    if args.kind == "loss" and given:
        raise ValueError(
            f"--kind loss draws the training curves saved in the model; it takes no {' or '.join(given)}"
        )
    if args.data is None and (args.kind in DRAWS or given):
        raise ValueError(
            f"--kind {args.kind} needs --data DATA.csv"
            if args.kind in DRAWS
            else f"{' and '.join(given)} go with --data DATA.csv"
        )
    if args.kind == "boundary" and model.net.input_dim != 2:
        raise ValueError(
            f"--kind boundary draws the plane of two features; {args.model} has {model.net.input_dim} "
            f"(--kind network and --kind loss draw any model)"
        )
    if args.kind in DRAWS and model.task not in (None, DRAWS[args.kind][0]):
        other = next(kind for kind in DRAWS if kind != args.kind)
        (_, who, what), (_, other_who, other_what) = DRAWS[args.kind], DRAWS[other]
        raise ValueError(
            f"--kind {args.kind} draws {who}'s {what}; {args.model} is {other_who} "
            f"(--kind {other} draws its {other_what})"
        )
    X = y = None
    if (
        args.data is not None
    ):  # a --target for --kind network is checked, though only the features are drawn
        target = _model_target(model, args.target) if args.kind in DRAWS or args.target else None
        table, _ = _model_outputs(model, args.data, target, ignore=args.ignore)
        X = table.X
        if args.kind in DRAWS:
            y = _targets(model, table, target)
    if args.kind == "loss" and model.net.history is None:
        raise ValueError(f"{args.model}: no training history saved with this model")
    from . import plot  # only now: the errors above need no matplotlib

    names = model.features
    if args.kind == "loss":
        plot.loss_curve(model.net.history, path=args.output)
    elif args.kind == "boundary":
        plot.decision_boundary(
            model.net,
            X,
            y,
            feature_names=names or ("x0", "x1"),
            path=args.output,
            class_names=model.classes,
        )
    elif args.kind == "regression":
        plot.regression(
            model.net, X, y, feature_names=names, path=args.output, target_name=model.target
        )
    else:
        plot.network_diagram(model.net, X, feature_names=names, path=args.output)
    print(f"wrote {args.output}")


# -- the parser ------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "formatter_class", argparse.RawDescriptionHelpFormatter
        )  # epilogs keep their lines
        super().__init__(**kwargs)
        self.register("action", None, _Once)  # every option without an action of its own is _Once

    def error(self, message):
        # One line, not argparse's usage block; --help has the usage.
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Once(argparse.Action):
    """Store an option's value; a second one is an error: `-o a -o b` would otherwise keep b without a word."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = vars(namespace).setdefault("given_options", set())
        if option_string and self.dest in given:
            parser.error(f"{option_string} given twice")
        given.add(self.dest)
        setattr(namespace, self.dest, self.value(values))

    def value(self, values):
        return values


class _Sizes(_Once):
    """--hidden 16 8, --hidden 16,8, or both mixed: one flat list of layer sizes."""

    def value(self, values):
        return [size for sizes in values for size in sizes]


def _number(kind, valid, expected):
    """An argparse type: `kind(text)` where `valid` holds for it, else an error saying what was `expected`."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not valid(value):  # NaN fails every comparison, so it is refused too
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_fraction = _number(float, lambda value: 0 <= value < 1, "a fraction in [0, 1)")
_positive = _number(int, lambda value: value >= 1, "a positive integer")
_positive_float = _number(float, lambda value: 0 < value < float("inf"), "a positive number")
_seed = _number(int, lambda value: 0 <= value < 2**32, "an integer from 0 to 2**32 - 1")


def _hidden(text):
    """ "16,8" -> [16, 8]; "" or "none" -> [] (no hidden layer)."""
    if text.strip().lower() == "none":
        return []
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,8, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return sizes


COLUMNS_SYNTAX = (
    'comma-separated, a name with a comma quoted as in CSV: id,"name, full"; may be repeated'
)
CSV_NOTE = (
    "DATA.csv: a header row, then rows of fields between commas, semicolons or tabs;\n"
    "- reads standard input. Missing values: an empty field, or\n"
    f"{', '.join(MISSING_MARKERS)} in any case; a feature may have no missing values."
)


def _dataset_option(parser):
    parser.add_argument(
        "--dataset",
        choices=sorted(datasets.DATASETS),
        help="a data set shipped with smallnet, instead of DATA.csv",
    )


def _data_path(args, needed=True):
    """The data file: DATA.csv (--data for plot), or the CSV file of --dataset; None if neither and not `needed`."""
    if args.data is not None and args.dataset is not None:
        raise ValueError(
            f"give {'--data ' if args.command == 'plot' else ''}DATA.csv or --dataset NAME, not both"
        )
    if args.dataset is not None:
        return str(datasets.DATA / f"{args.dataset}.csv")
    if args.data is None and needed:
        raise ValueError("give DATA.csv or --dataset NAME")
    return args.data


def _epilog(*examples, note=CSV_NOTE):
    return (
        "examples:\n"
        + "".join(f"  smallnet {example}\n" for example in examples)
        + (f"\n{note}" if note else "")
    )


def _columns_option(parser, option, help):
    """--ignore or --keep: column lists, each value a CSV row of names; repeated ones add up."""
    parser.add_argument(
        option, action="append", default=[], metavar="COLUMNS", help=f"{help} ({COLUMNS_SYNTAX})"
    )


def _model_argument(parser):
    parser.add_argument(
        "model", metavar="MODEL", help="a model saved by smallnet train (MODEL.safetensors)"
    )


def build_parser():
    parser = _Parser(prog="smallnet", description="A small, fast, readable neural-network library.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback on errors",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = sub.choices

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="train the tutorial's two networks and print their results",
        epilog=_epilog("demo", "demo --plot pictures", note=None),
    )
    demo.add_argument(
        "--plot",
        metavar="DIR",
        help="also write PNG pictures of the tutorial's network and of xor "
        "learned the same way into DIR (needs smallnet[plot])",
    )
    demo.set_defaults(func=_demo)

    trace = sub.add_parser(
        "trace",
        parents=[common],
        help="print one training step of the tutorial's network in the tutorial's words",
        epilog=_epilog("trace --step 0", "trace --dataset xor --hidden 4,4 --step 100", note=None),
    )
    trace.add_argument("--dataset", default="tutorial", help="tutorial (default) or xor")
    trace.add_argument(
        "--step", type=int, default=0, help="the step to show, from 0 (the ones before run quietly)"
    )
    trace.add_argument(
        "--hidden",
        type=_hidden,
        nargs="*",
        action=_Sizes,
        default=[4],
        metavar="SIZES",
        help="hidden layer sizes, as 4 4 or 4,4 (default 4: the 3-4-1 network; none: the 3-1 network)",
    )
    trace.set_defaults(func=_trace)

    train = sub.add_parser(
        "train",
        parents=[common],
        help="train a network on a CSV file and save it",
        usage="%(prog)s (DATA.csv --target COLUMN | --dataset NAME) -o MODEL.safetensors [options]",
        epilog=_epilog(
            "train houses.csv --target price --ignore id -o houses.safetensors",
            "train --dataset iris --hidden 16,8 --val-split 0.2 -o iris.safetensors",
        ),
    )
    train.add_argument(
        "data",
        nargs="?",
        metavar="DATA.csv",
        help="a CSV file with a header row (needs --target; or give --dataset instead)",
    )
    train.add_argument(
        "--dataset",
        choices=sorted(datasets.DATASETS),
        help="train on a data set shipped with smallnet instead of DATA.csv",
    )
    train.add_argument(
        "--target", metavar="COLUMN", help="the column to predict (required with DATA.csv)"
    )
    _columns_option(
        train,
        "--ignore",
        "columns to leave out, such as ids or names; predict and evaluate skip them too",
    )
    train.add_argument(
        "-o", "--output", required=True, metavar="MODEL.safetensors", help="where to save the model"
    )
    train.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="default: classification for text or few distinct integers, else regression",
    )
    train.add_argument(
        "--hidden",
        type=_hidden,
        nargs="+",
        action=_Sizes,
        default=[16],
        metavar="SIZES",
        help="hidden layer sizes, as 32 16 or 32,16 (default 16; none: no hidden layer)",
    )
    train.add_argument(
        "--activation",
        default="relu",
        help=f"of the hidden layers: {', '.join(sorted(ACTIVATIONS))} (default relu)",
    )
    train.add_argument(
        "--loss",
        help=f"{', '.join(sorted(LOSSES))}; default: cross-entropy for classification, "
        f"mse for regression",
    )
    train.add_argument("--optimizer", default="adam", help="adam (default) or sgd")
    train.add_argument(
        "--lr", type=_positive_float, default=0.01, help="learning rate (default 0.01)"
    )
    train.add_argument(
        "--epochs",
        type=_positive,
        default=200,
        help="default 200; with --resume, the epochs already done count",
    )
    train.add_argument("--batch-size", type=_positive, default=32, help="default 32")
    train.add_argument("--seed", type=_seed, default=0, help="default 0: the same run every time")
    train.add_argument(
        "--val-split",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="hold out this share of the rows for validation (stratified for classification)",
    )
    train.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="write a checkpoint here while training (Ctrl-C keeps the last whole epoch's)",
    )
    train.add_argument(
        "--checkpoint-every",
        type=_positive,
        metavar="N",
        help="epochs between checkpoints (default 1; needs --checkpoint)",
    )
    train.add_argument(
        "--resume", metavar="PATH", help="go on from this checkpoint (same data and options)"
    )
    train.set_defaults(func=_train)

    predict = sub.add_parser(
        "predict",
        parents=[common],
        help="write a model's predictions for a CSV file",
        epilog=_epilog(
            "predict iris.safetensors new.csv -o predictions.csv",
            "predict houses.safetensors - --keep id < new.csv",
        ),
    )
    _model_argument(predict)
    predict.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns, by name in any order",
    )
    _dataset_option(predict)
    predict.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    predict.add_argument(
        "--proba", action="store_true", help="class probabilities, one column per class"
    )
    _columns_option(
        predict, "--keep", "columns to copy, as written, in front of the predictions, such as an id"
    )
    _columns_option(predict, "--ignore", "other columns to leave out")
    predict.set_defaults(func=_predict)

    evaluate = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score a model on a CSV file with the target",
        epilog=_epilog(
            "evaluate iris.safetensors test.csv",
            "evaluate houses.safetensors test.csv --target price --ignore notes",
        ),
    )
    _model_argument(evaluate)
    evaluate.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns and the true values",
    )
    _dataset_option(evaluate)
    evaluate.add_argument(
        "--target", metavar="COLUMN", help="the column with the true values (default: the model's)"
    )
    _columns_option(evaluate, "--ignore", "other columns to leave out")
    evaluate.set_defaults(func=_evaluate)

    info = sub.add_parser(
        "info",
        parents=[common],
        help="describe a saved model",
        epilog=_epilog("info iris.safetensors", note=None),
    )
    _model_argument(info)
    info.set_defaults(func=_info)

    export = sub.add_parser(
        "export",
        parents=[common],
        help="export a saved model to ONNX",
        epilog=_epilog("export iris.safetensors --onnx iris.onnx", note=None),
    )
    _model_argument(export)
    export.add_argument("--onnx", required=True, metavar="OUT.onnx", help="the ONNX file to write")
    export.set_defaults(func=_export)

    plot = sub.add_parser(
        "plot",
        parents=[common],
        help="draw a saved model: loss curve, decision boundary, "
        "network diagram or regression fit (needs smallnet[plot])",
        epilog=_epilog(
            "plot iris.safetensors -o loss.png",
            "plot xor.safetensors --kind boundary --data xor.csv -o boundary.png",
        ),
    )
    _model_argument(plot)
    plot.add_argument(
        "--kind",
        choices=["loss", "boundary", "network", "regression"],
        default="loss",
        help="loss (default): the training curves; boundary: classes over the plane of two features; "
        "network: the weights; regression: predicted against true",
    )
    plot.add_argument(
        "--data",
        metavar="DATA.csv",
        help="data to draw with (boundary, regression; network: "
        "pictures per neuron for two features; not loss)",
    )
    _dataset_option(plot)
    plot.add_argument(
        "--target", metavar="COLUMN", help="the target column in DATA.csv (default: the model's)"
    )
    _columns_option(plot, "--ignore", "other columns of DATA.csv to leave out")
    plot.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.png",
        help=".png or .svg (or another format matplotlib writes: .pdf, .jpg, ...)",
    )
    plot.set_defaults(func=_plot)
    return parser


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, so that the message names the command
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        # Overflow in a diverged or far-off model shows as inf or nan in the results, not as NumPy's warnings;
        # any other warning is one line, without Python's file and source line.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter(
                "default"
            )  # shown (once), never raised, whatever the caller's filters say
            warnings.showwarning = lambda message, *_: print(
                f"smallnet {args.command}: warning: {message}", file=sys.stderr
            )
            return args.func(args) or 0
    except BrokenPipeError:  # the reader went away (`smallnet demo | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (
        ValueError,
        TypeError,
        OSError,
        RuntimeError,
        ImportError,
        ArithmeticError,
        MemoryError,
    ) as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.strerror:  # without Python's "[Errno 21]" in front
            reason = exc.strerror
            if exc.errno and reason == os.strerror(
                exc.errno
            ):  # the system's words: lower case, as ours are, and
                reason = (
                    "no such file" if exc.errno == errno.ENOENT else reason[:1].lower() + reason[1:]
                )  # as load's
            message = f"{exc.filename}: {reason}" if exc.filename else reason
        else:
            message = " ".join(str(exc).split())  # one line, whatever the exception put in it
        print(f"smallnet {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"smallnet {args.command}: interrupted", file=sys.stderr)
        return 130
