"""The command line's argparse parser: each command's options, their types and help."""

import argparse

from .. import datasets
from ..activations import ACTIVATIONS
from ..csvdata import MISSING_MARKERS
from ..losses import LOSSES
from .demo import demo, trace
from .info import export, info
from .plot import plot
from .predict import evaluate, predict
from .train import train


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # keep lines
        super().__init__(**kwargs)
        self.register("action", None, _Once)  # every option without an action of its own

    def error(self, message):
        # One line, not argparse's usage block; --help has the usage.
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Once(argparse.Action):
    """Store an option's value; a second one is an error: `-o a -o b` would otherwise keep b
    without a word."""

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
    """An argparse type: `kind(text)` where `valid` holds for it, else an error saying what was
    `expected`."""

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


def _epilog(*examples, note=CSV_NOTE):
    return (
        "examples:\n"
        + "".join(f"  smallnet {example}\n" for example in examples)
        + (f"\n{note}" if note else "")
    )


def _dataset_option(parser):
    parser.add_argument(
        "--dataset",
        choices=sorted(datasets.DATASETS),
        help="a data set shipped with smallnet, instead of DATA.csv",
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


def _hidden_option(parser, nargs, default, help):
    parser.add_argument(
        "--hidden",
        type=_hidden,
        nargs=nargs,
        action=_Sizes,
        default=default,
        metavar="SIZES",
        help=help,
    )


# -- the commands ------------------------------------------------------------------------------


def _add_demo(sub, common):
    command = sub.add_parser(
        "demo",
        parents=[common],
        help="train the tutorial's two networks and print their results",
        epilog=_epilog("demo", "demo --plot pictures", note=None),
    )
    command.add_argument(
        "--plot",
        metavar="DIR",
        help="also write PNG pictures of the tutorial's network and of xor "
        "learned the same way into DIR (needs smallnet[plot])",
    )
    command.set_defaults(func=demo)

    command = sub.add_parser(
        "trace",
        parents=[common],
        help="print one training step of the tutorial's network in the tutorial's words",
        epilog=_epilog("trace --step 0", "trace --dataset xor --hidden 4,4 --step 100", note=None),
    )
    command.add_argument("--dataset", default="tutorial", help="tutorial (default) or xor")
    command.add_argument(
        "--step", type=int, default=0, help="the step to show, from 0 (the ones before run quietly)"
    )
    _hidden_option(
        command,
        "*",
        [4],
        "hidden layer sizes, as 4 4 or 4,4 (default 4: the 3-4-1 network; none: the 3-1 network)",
    )
    command.set_defaults(func=trace)


def _add_train(sub, common):
    command = sub.add_parser(
        "train",
        parents=[common],
        help="train a network on a CSV file and save it",
        usage="%(prog)s (DATA.csv --target COLUMN | --dataset NAME) -o MODEL.safetensors [options]",
        epilog=_epilog(
            "train houses.csv --target price --ignore id -o houses.safetensors",
            "train --dataset iris --hidden 16,8 --val-split 0.2 -o iris.safetensors",
        ),
    )
    command.add_argument(
        "data",
        nargs="?",
        metavar="DATA.csv",
        help="a CSV file with a header row (needs --target; or give --dataset instead)",
    )
    command.add_argument(
        "--dataset",
        choices=sorted(datasets.DATASETS),
        help="train on a data set shipped with smallnet instead of DATA.csv",
    )
    command.add_argument(
        "--target", metavar="COLUMN", help="the column to predict (required with DATA.csv)"
    )
    _columns_option(
        command,
        "--ignore",
        "columns to leave out, such as ids or names; predict and evaluate skip them too",
    )
    command.add_argument(
        "-o", "--output", required=True, metavar="MODEL.safetensors", help="where to save the model"
    )
    command.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="default: classification for text or few distinct integers, else regression",
    )
    _add_network_options(command)
    _add_training_options(command)
    command.set_defaults(func=train)


def _add_network_options(command):
    _hidden_option(
        command,
        "+",
        [16],
        "hidden layer sizes, as 32 16 or 32,16 (default 16; none: no hidden layer)",
    )
    command.add_argument(
        "--activation",
        default="relu",
        help=f"of the hidden layers: {', '.join(sorted(ACTIVATIONS))} (default relu)",
    )
    command.add_argument(
        "--loss",
        help=f"{', '.join(sorted(LOSSES))}; default: cross-entropy for classification, "
        f"mse for regression",
    )
    command.add_argument("--optimizer", default="adam", help="adam (default) or sgd")
    command.add_argument(
        "--lr", type=_positive_float, default=0.01, help="learning rate (default 0.01)"
    )


def _add_training_options(command):
    command.add_argument(
        "--epochs",
        type=_positive,
        default=200,
        help="default 200; with --resume, the epochs already done count",
    )
    command.add_argument("--batch-size", type=_positive, default=32, help="default 32")
    command.add_argument("--seed", type=_seed, default=0, help="default 0: the same run every time")
    command.add_argument(
        "--val-split",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="hold out this share of the rows for validation (stratified for classification)",
    )
    command.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="write a checkpoint here while training (Ctrl-C keeps the last whole epoch's)",
    )
    command.add_argument(
        "--checkpoint-every",
        type=_positive,
        metavar="N",
        help="epochs between checkpoints (default 1; needs --checkpoint)",
    )
    command.add_argument(
        "--resume", metavar="PATH", help="go on from this checkpoint (same data and options)"
    )


def _add_predict(sub, common):
    command = sub.add_parser(
        "predict",
        parents=[common],
        help="write a model's predictions for a CSV file",
        epilog=_epilog(
            "predict iris.safetensors new.csv -o predictions.csv",
            "predict houses.safetensors - --keep id < new.csv",
        ),
    )
    _model_argument(command)
    command.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns, by name in any order",
    )
    _dataset_option(command)
    command.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    command.add_argument(
        "--proba", action="store_true", help="class probabilities, one column per class"
    )
    _columns_option(
        command, "--keep", "columns to copy, as written, in front of the predictions, such as an id"
    )
    _columns_option(command, "--ignore", "other columns to leave out")
    command.set_defaults(func=predict)

    command = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score a model on a CSV file with the target",
        epilog=_epilog(
            "evaluate iris.safetensors test.csv",
            "evaluate houses.safetensors test.csv --target price --ignore notes",
        ),
    )
    _model_argument(command)
    command.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns and the true values",
    )
    _dataset_option(command)
    command.add_argument(
        "--target", metavar="COLUMN", help="the column with the true values (default: the model's)"
    )
    _columns_option(command, "--ignore", "other columns to leave out")
    command.set_defaults(func=evaluate)


def _add_info(sub, common):
    command = sub.add_parser(
        "info",
        parents=[common],
        help="describe a saved model",
        epilog=_epilog("info iris.safetensors", note=None),
    )
    _model_argument(command)
    command.set_defaults(func=info)

    command = sub.add_parser(
        "export",
        parents=[common],
        help="export a saved model to ONNX",
        epilog=_epilog("export iris.safetensors --onnx iris.onnx", note=None),
    )
    _model_argument(command)
    command.add_argument("--onnx", required=True, metavar="OUT.onnx", help="the ONNX file to write")
    command.set_defaults(func=export)


def _add_plot(sub, common):
    command = sub.add_parser(
        "plot",
        parents=[common],
        help="draw a saved model: loss curve, decision boundary, "
        "network diagram or regression fit (needs smallnet[plot])",
        epilog=_epilog(
            "plot iris.safetensors -o loss.png",
            "plot xor.safetensors --kind boundary --data xor.csv -o boundary.png",
        ),
    )
    _model_argument(command)
    command.add_argument(
        "--kind",
        choices=["loss", "boundary", "network", "regression"],
        default="loss",
        help="loss (default): the training curves; boundary: classes over the plane of two "
        "features; network: the weights; regression: predicted against true",
    )
    command.add_argument(
        "--data",
        metavar="DATA.csv",
        help="data to draw with (boundary, regression; network: "
        "pictures per neuron for two features; not loss)",
    )
    _dataset_option(command)
    command.add_argument(
        "--target", metavar="COLUMN", help="the target column in DATA.csv (default: the model's)"
    )
    _columns_option(command, "--ignore", "other columns of DATA.csv to leave out")
    command.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.png",
        help=".png or .svg (or another format matplotlib writes: .pdf, .jpg, ...)",
    )
    command.set_defaults(func=plot)


def build_parser():
    """The `smallnet` parser; `parser.commands` maps each command to its own parser."""
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
    for add in (_add_demo, _add_train, _add_predict, _add_info, _add_plot):
        add(sub, common)
    return parser
