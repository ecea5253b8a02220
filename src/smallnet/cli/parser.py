"""The command line's argparse parser: each command's options, their types and help."""

import argparse

from .. import __version__, datasets
from ..activations import ACTIVATIONS
from ..engine import ENGINES
from ..fields import MISSING_MARKERS
from ..optimizers import OPTIMIZERS
from ..tabular import RELU_LIKE
from .arguments import (
    Lists,
    Parser,
    columns_option,
    dataset_option,
    dropout_rates,
    epilog,
    fraction,
    hidden_option,
    model_argument,
    number,
    positive,
    positive_float,
    registry_names,
    seed_type,
)
from .demo import demo, trace
from .info import export, info
from .options import (
    CLASS_LOSSES,
    DEFAULT_BATCH_SIZE,
    DEFAULT_LR,
    DEFAULT_PATIENCE,
    DEFAULT_VAL_SPLIT,
    MIN_ROWS_TO_VALIDATE,
    REGRESSION_LOSSES,
)
from .playground import playground
from .plot import plot
from .predict import evaluate, predict
from .train import train

count_type = number(int, lambda value: value >= 0, "an integer >= 0")

# -- the commands ------------------------------------------------------------------------------


def _add_demo(sub, common):
    command = sub.add_parser(
        "demo",
        parents=[common],
        help="train the tutorial's two networks and print their results",
        epilog=epilog("demo", "demo --plot pictures", note=None),
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
        epilog=epilog("trace --step 0", "trace --dataset xor --hidden 4,4 --step 100", note=None),
    )
    command.add_argument("--dataset", default="tutorial", help="tutorial (default) or xor")
    command.add_argument(
        "--step", type=int, default=0, help="the step to show, from 0 (the ones before run quietly)"
    )
    hidden_option(
        command,
        "*",
        [4],
        "hidden layer sizes, as 4 4 or 4,4 (default 4: the 3-4-1 network; none: the 3-1 network)",
    )
    command.set_defaults(func=trace)


def _add_playground(sub, common):
    command = sub.add_parser(
        "playground",
        parents=[common],
        help="watch a network learn in the browser, live (a local server; Ctrl-C stops it)",
        description="Serve the playground, TensorFlow Playground's page with smallnet doing the "
        "learning, on this machine, print its address and open it in the browser. It needs "
        "nothing from the internet; the exports need smallnet[playground].",
        epilog=epilog("playground", "playground --port 8001 --no-browser", note=None),
    )
    command.add_argument(
        "--port",
        type=number(int, lambda v: 0 <= v <= 65535, "a port, 0 to 65535"),
        default=8000,
        help="the port to serve on (default 8000; 0: any free one)",
    )
    command.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to serve on (default 127.0.0.1, this machine only; 0.0.0.0: every "
        "interface, for anyone who can reach this machine)",
    )
    command.add_argument("--no-browser", action="store_true", help="don't open a browser")
    command.add_argument("--verbose", action="store_true", help="log every request")
    command.set_defaults(func=playground)


def _add_train(sub, common):
    command = sub.add_parser(
        "train",
        parents=[common],
        help="train a network on a CSV file and save it",
        usage="%(prog)s (DATA.csv --target COLUMN | --dataset NAME) -o MODEL.safetensors [options]",
        epilog=epilog(
            "train houses.csv --target price --ignore id -o houses.safetensors",
            "train --dataset iris --hidden 16,8 --val-split 0.2 -o iris.safetensors",
            "train houses.csv --target price --test-split 0.2 --patience 50 -o houses.safetensors",
            "train --dataset iris --activation gelu --batch-norm --dropout 0.2 -o iris.safetensors",
            "train --dataset iris --optimizer lbfgs --epochs 100 -o iris.safetensors",
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
    columns_option(
        command,
        "--ignore",
        "columns to leave out, such as ids or names; predict and evaluate skip them too",
    )
    columns_option(
        command,
        "--categorical",
        "columns to take as categories even where they hold numbers, such as codes",
    )
    columns_option(
        command,
        "--numeric",
        "columns to take as numbers (each value must be one, or missing)",
    )
    command.add_argument(
        "--na-values",
        metavar="VALUES",
        help=f"the fields that count as missing besides empty ones, as a CSV row: NA,-,n/a "
        f"(in any case; default {','.join(MISSING_MARKERS)}; give --na-values NA, say, and a "
        f"None is a value like any other)",
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
    hidden_option(
        command,
        "+",
        [16],
        "hidden layer sizes, as 32 16 or 32,16 (default 16; none: no hidden layer)",
    )
    command.add_argument(
        "--activation",
        default="relu",
        help=f"of the hidden layers (default relu): {registry_names(ACTIVATIONS)}. Their initial "
        f"weights: He uniform for {', '.join(RELU_LIKE)}; LeCun normal for selu; else Glorot "
        f"uniform",
    )
    command.add_argument(
        "--dropout",
        type=dropout_rates,
        nargs="+",
        action=Lists,
        metavar="RATES",
        help="a Dropout of this rate after each hidden layer, or one rate per hidden layer, "
        "as 0.3,0.1 (default: none; a rate of 0 puts none there)",
    )
    command.add_argument(
        "--batch-norm",
        action="store_true",
        help="a BatchNorm after each hidden layer, activation included, before its Dropout",
    )
    command.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="what trains: auto (the default) runs numba's compiled loops where the [fast] extra "
        "is installed and the network is one they run, numpy elsewhere",
    )
    command.add_argument(
        "--loss",
        help=f"regression: {', '.join(REGRESSION_LOSSES)} (mse the default); classification: "
        f"{CLASS_LOSSES} (not sparse_categorical_crossentropy: it takes class indices, and "
        f"train gives the network one column per class)",
    )
    others = registry_names({name: cls for name, cls in OPTIMIZERS.items() if name != "adam"})
    command.add_argument(
        "--optimizer",
        default="adam",
        help=f"adam (default), {others}; each with its own defaults, --lr its learning rate. "
        f"lbfgs is full-batch L-BFGS (scipy, the [lbfgs] extra): no --lr, --batch-size, "
        f"--dropout, --checkpoint or --resume; --epochs counts its iterations",
    )
    command.add_argument(
        "--lr",
        type=positive_float,
        help=f"learning rate (default {DEFAULT_LR:g}; lbfgs has none)",
    )


def _add_training_options(command):
    command.add_argument(
        "--epochs",
        type=positive,
        default=200,
        help="default 200; with --resume, the epochs already done count; with --optimizer "
        "lbfgs, the most L-BFGS iterations (it stops sooner once converged)",
    )
    command.add_argument(
        "--batch-size",
        type=positive,
        help=f"default {DEFAULT_BATCH_SIZE} (lbfgs takes all the rows at once)",
    )
    command.add_argument(
        "--seed", type=seed_type, default=0, help="default 0: the same run every time"
    )
    command.add_argument(
        "--val-split",
        type=fraction,
        metavar="FRACTION",
        help=f"hold out this share of the rows (of those --test-split leaves) for validation, "
        f"stratified for classification; early stopping watches its val_loss. Default "
        f"{DEFAULT_VAL_SPLIT:g} with {MIN_ROWS_TO_VALIDATE} rows or more; 0 (every row trains, "
        f"no early stopping) with fewer, or with --optimizer lbfgs",
    )
    command.add_argument(
        "--patience",
        type=count_type,
        metavar="N",
        help=f"stop once more than N epochs in a row bring no better val_loss, and keep the "
        f"weights of the best epoch (default {DEFAULT_PATIENCE}; needs a validation split)",
    )
    command.add_argument(
        "--no-early-stopping",
        action="store_true",
        help="train every one of --epochs and keep the last epoch's weights (the validation "
        "rows are still held out, for the val_ metrics)",
    )
    command.add_argument(
        "--test-split",
        type=fraction,
        default=0.0,
        metavar="FRACTION",
        help="hold out this share of the rows first (stratified for classification), never "
        "trained or validated on, and print the model's score on them at the end (default 0: "
        "none)",
    )
    command.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="write a checkpoint here while training (Ctrl-C keeps the last whole epoch's)",
    )
    command.add_argument(
        "--checkpoint-every",
        type=positive,
        metavar="N",
        help="epochs between checkpoints (default 1; needs --checkpoint)",
    )
    command.add_argument(
        "--resume", metavar="PATH", help="go on from this checkpoint (same data and options)"
    )
    command.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the results at the end (and errors): no progress, no column summary",
    )


def _add_predict(sub, common):
    command = sub.add_parser(
        "predict",
        parents=[common],
        help="write a model's predictions for a CSV file",
        epilog=epilog(
            "predict iris.safetensors new.csv -o predictions.csv",
            "predict houses.safetensors - --keep id < new.csv",
        ),
    )
    model_argument(command)
    command.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns, by name in any order",
    )
    dataset_option(command)
    command.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    command.add_argument(
        "--proba", action="store_true", help="class probabilities, one column per class"
    )
    columns_option(
        command, "--keep", "columns to copy, as written, in front of the predictions, such as an id"
    )
    columns_option(command, "--ignore", "other columns to leave out")
    command.set_defaults(func=predict)

    command = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score a model on a CSV file with the target",
        epilog=epilog(
            "evaluate iris.safetensors test.csv",
            "evaluate houses.safetensors test.csv --target price --ignore notes",
        ),
    )
    model_argument(command)
    command.add_argument(
        "data",
        metavar="DATA.csv",
        nargs="?",
        help="the model's feature columns and the true values",
    )
    dataset_option(command)
    command.add_argument(
        "--target", metavar="COLUMN", help="the column with the true values (default: the model's)"
    )
    columns_option(command, "--ignore", "other columns to leave out")
    command.set_defaults(func=evaluate)


def _add_info(sub, common):
    command = sub.add_parser(
        "info",
        parents=[common],
        help="describe a saved model",
        epilog=epilog("info iris.safetensors", note=None),
    )
    model_argument(command)
    command.set_defaults(func=info)

    command = sub.add_parser(
        "export",
        parents=[common],
        help="export a saved model to ONNX",
        epilog=epilog("export iris.safetensors --onnx iris.onnx", note=None),
    )
    model_argument(command)
    command.add_argument("--onnx", required=True, metavar="OUT.onnx", help="the ONNX file to write")
    command.set_defaults(func=export)


def _add_plot(sub, common):
    command = sub.add_parser(
        "plot",
        parents=[common],
        help="draw a saved model: loss curve, decision boundary, "
        "network diagram or regression fit (needs smallnet[plot])",
        epilog=epilog(
            "plot iris.safetensors -o loss.png",
            "plot xor.safetensors --kind boundary --data xor.csv -o boundary.png",
        ),
    )
    model_argument(command)
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
    dataset_option(command)
    command.add_argument(
        "--target", metavar="COLUMN", help="the target column in DATA.csv (default: the model's)"
    )
    columns_option(command, "--ignore", "other columns of DATA.csv to leave out")
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
    parser = Parser(prog="smallnet", description="A small, fast, readable neural-network library.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    parser.add_argument("--version", action="version", version=f"smallnet {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback on errors",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = sub.choices
    for add in (_add_demo, _add_train, _add_predict, _add_info, _add_plot, _add_playground):
        add(sub, common)
    return parser
