"""The `smallnet` command line. Errors end as one line on stderr and exit code 2.

    smallnet train DATA.csv --target COLUMN -o MODEL.safetensors   (or --dataset NAME)
    smallnet predict MODEL DATA.csv [-o OUT.csv] [--proba]
    smallnet evaluate MODEL DATA.csv --target COLUMN
    smallnet info MODEL
    smallnet export MODEL --onnx OUT.onnx
    smallnet plot MODEL [--data DATA.csv --target COLUMN] --kind loss|boundary|network|regression -o OUT.png
    smallnet demo [--plot DIR];  smallnet trace --dataset tutorial --step K

Every file the commands write appears whole or not at all (smallnet.atomic).
"""
import argparse
import os
import sys

import numpy as np

from . import datasets, metrics
from .atomic import write_text
from .csvdata import format_csv, parse_number, read_csv
from .io import _safetensors, load
from .layers import Dense, Standardize
from .network import Network, validation_rows

MAX_CLASSES = 10  # a numeric target with at most this many distinct integers is taken for class labels


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
        "tutorial_loss.png": lambda path: plot.loss_curve(history, path=path, title="The tutorial's 3-4-1 network"),
        "tutorial_network.png": lambda path: plot.network_diagram(net, path=path),
        "xor_boundary.png": lambda path: plot.decision_boundary(xor_net, X, y, path=path, title="xor, learned"),
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
    return tutorial.network(tuple(hidden), metrics=metrics, input_dim=X.shape[1], use_bias=dataset != "tutorial")


def _trace(args):
    from . import datasets
    X, y = datasets.load(args.dataset)
    _tutorial_network(args.dataset, X, args.hidden).trace(X, y, step=args.step)


# -- train -------------------------------------------------------------------------------------

def _train(args):
    if (args.data is None) == (args.dataset is None):
        raise ValueError("give either DATA.csv or --dataset NAME")
    if args.dataset is not None:
        if args.target is not None:
            raise ValueError("--target goes with DATA.csv; a --dataset has its own target")
        table = datasets.frame(args.dataset)
    else:
        if args.target is None:
            raise ValueError("--target COLUMN is required with DATA.csv")
        try:
            table = read_csv(args.data, target=args.target, ignore=args.ignore)
        except ValueError as exc:
            if "is not a number" in str(exc):  # most often a text column such as an id or a name
                raise ValueError(f"{exc}; leave non-numeric columns out with --ignore COLUMN") from None
            raise
    _check_output(args.output)
    _safetensors()  # a missing [io] extra is said before the training, not after it
    task = args.task or _infer_task(table.target)
    metadata = {"task": task, "target": table.target_name, "feature_names": table.feature_names,
                "ignored": list(args.ignore)}
    if task == "classification":
        labels = [_label(text) for text in table.target]
        classes = metadata["classes"] = sorted(set(labels), key=_class_order)
        if len(classes) < 2:
            raise ValueError(f"{table.path}: the target {table.target_name!r} holds one class only ({classes[0]!r}); "
                             f"classification needs two or more")
        codes = np.array([classes.index(label) for label in labels])
        if len(classes) == 2:  # one sigmoid output: the probability of the second class
            y, output, loss = codes.reshape(-1, 1), Dense(1, activation="sigmoid"), "binary_crossentropy"
        else:
            y = np.eye(len(classes))[codes]
            output, loss = Dense(len(classes), activation="softmax"), "categorical_crossentropy"
        metrics = ["accuracy"]
    else:
        y, output, loss, metrics = _numbers(table), Dense(1), "mse", ["mae", "r2"]
    X, validation = table.X, None
    if args.val_split:  # held out first, so that the standardization is fitted on the training part only
        held_out = validation_rows(y, args.val_split, np.random.RandomState(args.seed),
                                   stratify=task == "classification")
        keep = np.ones(len(X), dtype=bool)
        keep[held_out] = False
        X, y, validation = X[keep], y[keep], (X[held_out], y[held_out])
    for path in (args.checkpoint,):
        if path is not None:
            _check_output(path)
    initializer = "he_normal" if args.activation in ("relu", "leaky_relu") else "glorot_uniform"
    net = Network([Standardize.from_data(X),
                   *[Dense(units, activation=args.activation, initializer=initializer) for units in args.hidden],
                   output],
                  loss=args.loss or loss, optimizer={"name": args.optimizer, "learning_rate": args.lr},
                  metrics=metrics, seed=args.seed)
    net.metadata = metadata
    history = net.fit(X, y, epochs=args.epochs, batch_size=args.batch_size, validation_data=validation,
                      checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every, resume=args.resume)
    net.save(args.output)
    final = ", ".join(f"{key} {values[-1]:.4g}" for key, values in history.history.items())
    what = f"{len(metadata['classes'])} classes" if task == "classification" else "regression"
    rows = f"{len(X)} rows" + (f" (+{len(validation[0])} for validation)" if validation else "")
    print(f"trained {len(history.epoch)} epochs on {rows}, {len(table.feature_names)} features, {what}: {final}")
    print(f"saved {args.output}")
    if history.interrupted:
        print(f"smallnet train: interrupted; {args.output} holds the network trained so far"
              + (f"; resume with --resume {args.checkpoint}" if args.checkpoint else ""), file=sys.stderr)
        return 130
    return 0


def _infer_task(labels):
    """"classification" for text or for at most MAX_CLASSES distinct integers, else "regression"."""
    try:
        values = {float(text) for text in labels}
    except ValueError:
        return "classification"
    if len(values) <= MAX_CLASSES and all(value.is_integer() for value in values):
        return "classification"
    return "regression"


def _label(text):
    """A class label as stored: integers in one spelling ("1.0" and "1" are class "1"), text as it is."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else text


def _class_order(label):
    """Numbers by value, before text labels in alphabetical order."""
    try:
        return (0, float(label), "")
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


# -- predict, evaluate -------------------------------------------------------------------------

def _predict(args):
    net = load(args.model)
    if args.output:
        _check_output(args.output)
    _, out = _model_outputs(net, args.model, args.data, target=None)
    classes, task = net.metadata.get("classes"), net.metadata.get("task")
    if args.proba and task != "classification":
        raise ValueError(f"--proba needs a classification model; {args.model} is {task or 'not from smallnet train'}")
    if task == "classification":
        proba = _probabilities(out)
        header = classes if args.proba else [net.metadata.get("target", "prediction")]
        rows = proba if args.proba else [[classes[k]] for k in proba.argmax(axis=1)]
    else:  # regression: the value; a model without a task: every raw output
        header = [net.metadata.get("target", "prediction")] if task else [f"output_{j}" for j in range(out.shape[1])]
        rows = out
    text = format_csv(header, [[str(value) for value in row] for row in rows])
    if args.output:
        write_text(args.output, text)
    else:
        sys.stdout.write(text)


def _evaluate(args):
    net = load(args.model)
    task = net.metadata.get("task")
    if task is None:
        raise ValueError(f"{args.model}: no task recorded (models from `smallnet train` have one)")
    table, out = _model_outputs(net, args.model, args.data, target=args.target)
    print(f"{len(out)} rows")
    if task == "regression":
        y = _numbers(table)
        print(f"mse: {metrics.mse(y, out):.6g}\nmae: {metrics.mae(y, out):.6g}\nr2: {metrics.r2(y, out):.6g}")
        return
    classes = net.metadata["classes"]
    truth = _targets(net, table, args.target)
    predicted = _probabilities(out).argmax(axis=1)
    right = sum(int(t == p) for t, p in zip(truth, predicted))
    print(f"accuracy: {right / len(truth):.4f} ({right}/{len(truth)})")
    print("confusion matrix (rows: true class, columns: predicted class):")
    counts = [[0] * len(classes) for _ in classes]
    for t, p in zip(truth, predicted):
        counts[t][p] += 1
    width = max(len(c) for c in classes + [str(len(truth))])
    print(" " * width + "".join(f"  {c:>{width}}" for c in classes))
    for c, row in zip(classes, counts):
        print(f"{c:<{width}}" + "".join(f"  {n:>{width}}" for n in row))


def _model_outputs(net, model_path, data, target):
    """(table, predictions) of the model on a CSV file whose feature columns must be the model's."""
    meta = net.metadata
    ignore = ([meta["target"]] if meta.get("target") and target is None else []) + meta.get("ignored", [])
    table = read_csv(data, target=target, features=meta.get("feature_names"), ignore=ignore)
    try:
        return table, net.predict(table.X)
    except ValueError as exc:
        raise ValueError(f"{table.path}: {exc} (the model {model_path})") from None


def _probabilities(out):
    """Class probabilities (n, n_classes); one sigmoid output is the second of two classes."""
    return np.hstack([1 - out, out]) if out.shape[1] == 1 else out


# -- info, export ------------------------------------------------------------------------------

def _info(args):
    net = load(args.model)
    net.summary()
    config = net.config()
    print(f"Metrics: {', '.join(config['metrics']) or '-'}  Seed: {config['seed']}  Dtype: {config['dtype']}")
    meta = dict(net.metadata)
    final = meta.pop("final_metrics", None)
    for key, value in meta.items():
        print(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    if final:
        print("final metrics: " + ", ".join(f"{key} {value:.6g}" for key, value in final.items()))


def _export(args):
    net = load(args.model)
    _check_output(args.onnx)
    difference = net.to_onnx(args.onnx)
    print(f"wrote {args.onnx}; largest |onnxruntime - smallnet| on random inputs: {difference:.3g}")


def _check_output(path):
    """Fail before any work is done if `path` can't be a new file: its folder must exist."""
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: the folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: is a folder")


def _plot(args):
    from . import plot
    net = load(args.model)
    _check_output(args.output)
    if args.kind == "loss":
        if net.history is None:
            raise ValueError(f"{args.model}: no training history saved with this model")
        plot.loss_curve(net.history, path=args.output)
    else:
        if args.data is None and args.kind != "network":
            raise ValueError(f"--kind {args.kind} needs --data DATA.csv (and --target COLUMN)")
        X = y = None
        if args.data is not None:
            target = args.target or net.metadata.get("target")
            table, _ = _model_outputs(net, args.model, args.data, target=target if args.kind != "network" else None)
            X = table.X
            if args.kind != "network":
                y = _targets(net, table, target)
        names = net.metadata.get("feature_names")
        if args.kind == "boundary":
            plot.decision_boundary(net, X, y, feature_names=names or ("x0", "x1"), path=args.output)
        elif args.kind == "regression":
            plot.regression(net, X, y, feature_names=names, path=args.output)
        else:
            plot.network_diagram(net, X, feature_names=names, path=args.output)
    print(f"wrote {args.output}")


def _targets(net, table, target):
    """The target column as class indices (classification) or an (n, 1) float array (regression)."""
    if net.metadata.get("task") != "classification":
        return _numbers(table)
    classes = net.metadata["classes"]
    codes = []
    for i, text in enumerate(table.target):
        label = _label(text)
        if label not in classes:
            raise ValueError(f"{table.where(i, target)}: {text!r} is not one of the model's classes "
                             f"({', '.join(classes)})")
        codes.append(classes.index(label))
    return np.array(codes)


# -- the parser ------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, not argparse's usage block; --help has the usage.
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _names(text):
    """"id,name" -> ["id", "name"]."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {text!r}")
    return value


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _hidden(text):
    """"16,8" -> [16, 8]; "" -> [] (no hidden layer)."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,8, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return sizes


def build_parser():
    parser = _Parser(prog="smallnet", description="A small, fast, readable neural-network library.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", parents=[common], help="train the tutorial's two networks and print their results")
    demo.add_argument("--plot", metavar="DIR", help="also write PNG pictures of the tutorial's network and of xor "
                                                    "learned the same way into DIR (needs smallnet[plot])")
    demo.set_defaults(func=_demo)

    trace = sub.add_parser("trace", parents=[common], help="print one training step of the tutorial's network in the tutorial's words")
    trace.add_argument("--dataset", default="tutorial", help="tutorial (default) or xor")
    trace.add_argument("--step", type=int, default=0, help="the step to show, from 0 (the ones before run quietly)")
    trace.add_argument("--hidden", type=int, nargs="*", default=[4], metavar="UNITS",
                       help="hidden layer sizes (default 4: the 3-4-1 network; none: the 3-1 network)")
    trace.set_defaults(func=_trace)

    train = sub.add_parser("train", parents=[common], help="train a network on a CSV file and save it")
    train.add_argument("data", nargs="?", metavar="DATA.csv", help="a CSV file with a header row")
    train.add_argument("--dataset", choices=sorted(datasets.DATASETS), help="train on a data set shipped with smallnet")
    train.add_argument("--target", metavar="COLUMN", help="the column to predict")
    train.add_argument("--ignore", type=_names, default=[], metavar="COLUMNS",
                       help="columns to leave out, such as ids or names (comma-separated; predict skips them too)")
    train.add_argument("-o", "--output", required=True, metavar="MODEL.safetensors")
    train.add_argument("--task", choices=["classification", "regression"],
                       help="default: classification for text or few distinct integers, else regression")
    train.add_argument("--hidden", type=_hidden, default=[16], metavar="SIZES", help="hidden layer sizes (default 16)")
    train.add_argument("--activation", default="relu", help="of the hidden layers (default relu)")
    train.add_argument("--loss", help="default: cross-entropy for classification, mse for regression")
    train.add_argument("--optimizer", default="adam", help="adam (default) or sgd")
    train.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    train.add_argument("--epochs", type=int, default=200, help="default 200")
    train.add_argument("--batch-size", type=int, default=32, help="default 32")
    train.add_argument("--seed", type=int, default=0, help="default 0: the same run every time")
    train.add_argument("--val-split", type=_fraction, default=0.0, metavar="FRACTION",
                       help="hold out this share of the rows for validation (stratified for classification)")
    train.add_argument("--checkpoint", metavar="PATH", help="write a checkpoint here while training")
    train.add_argument("--checkpoint-every", type=_positive, default=1, metavar="N", help="epochs between checkpoints")
    train.add_argument("--resume", metavar="PATH", help="go on from this checkpoint (same data and options)")
    train.set_defaults(func=_train)

    predict = sub.add_parser("predict", parents=[common], help="write a model's predictions for a CSV file")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA.csv")
    predict.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    predict.add_argument("--proba", action="store_true", help="class probabilities, one column per class")
    predict.set_defaults(func=_predict)

    evaluate = sub.add_parser("evaluate", parents=[common], help="score a model on a CSV file with the target")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("data", metavar="DATA.csv")
    evaluate.add_argument("--target", required=True, metavar="COLUMN")
    evaluate.set_defaults(func=_evaluate)

    info = sub.add_parser("info", parents=[common], help="describe a saved model")
    info.add_argument("model", metavar="MODEL")
    info.set_defaults(func=_info)

    export = sub.add_parser("export", parents=[common], help="export a saved model to ONNX")
    export.add_argument("model", metavar="MODEL")
    export.add_argument("--onnx", required=True, metavar="OUT.onnx")
    export.set_defaults(func=_export)

    plot = sub.add_parser("plot", parents=[common], help="draw a saved model: loss curve, decision boundary, "
                                                         "network diagram or regression fit (needs smallnet[plot])")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("--kind", choices=["loss", "boundary", "network", "regression"], default="loss")
    plot.add_argument("--data", metavar="DATA.csv", help="data to draw with (boundary, regression; network: "
                                                         "pictures per neuron for two features)")
    plot.add_argument("--target", metavar="COLUMN", help="the target column in DATA.csv (default: the model's)")
    plot.add_argument("-o", "--output", required=True, metavar="OUT.png", help=".png or .svg")
    plot.set_defaults(func=_plot)
    return parser


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except BrokenPipeError:  # the reader went away (`smallnet demo | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, OSError, RuntimeError, ImportError) as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            message = f"{exc.filename}: {exc.strerror}"
        else:
            message = " ".join(str(exc).split())  # one line, whatever the exception put in it
        print(f"smallnet {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"smallnet {args.command}: interrupted", file=sys.stderr)
        return 130
