"""smallnet predict and smallnet evaluate: a model's outputs on a CSV file, written or scored."""

import sys
import warnings

import numpy as np

from .. import metrics
from ..atomic import write_text
from ..columns import ColumnWarning
from ..csvdata import format_csv
from ..fields import quoted
from ..fingerprint import count_present, read_record
from ..tabular import target_numbers
from .common import check_output, count, data_path
from .model import model_inputs, model_outputs, model_target, read_model, true_values

MAX_MATRIX = 20  # the confusion matrix is printed up to this many classes (300: a megabyte)
SEEN_SHARE = 0.05  # evaluate notes training rows in its file from this share of its rows


def probabilities(out):
    """Class probabilities (n, n_classes); one sigmoid output is the second of two classes."""
    return np.hstack([1 - out, out]) if out.shape[1] == 1 else out


def predict(args):
    args.data = data_path(args)
    model = read_model(args.model)
    if args.output:
        check_output(args.output, model=args.model, data=args.data)
    if args.proba and model.task != "classification":
        raise ValueError(
            f"--proba needs a classification model; {args.model} is "
            f"{model.task or 'not from smallnet train'}"
        )
    table, out = model_outputs(model, args.data, None, ignore=args.ignore, keep=args.keep)
    if model.task == "classification":
        proba = probabilities(out)
        header = model.classes if args.proba else [model.target or "prediction"]
        rows = proba if args.proba else [[model.classes[k]] for k in proba.argmax(axis=1)]
    elif model.task == "regression" and out.shape[1] == 1:
        header, rows = [model.target or "prediction"], out
    else:  # a model without a task: every raw output
        header, rows = [f"output_{j}" for j in range(out.shape[1])], out
    clash = [name for name in table.kept if name in header]
    if clash:
        raise ValueError(
            f"--keep {quoted(clash)}: the predictions are written under that name; keep other "
            f"columns (smallnet evaluate compares predictions with the true values)"
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


def regression_scores(y, out):
    """{"mse", "mae", "r2"} of predictions `out` for `y`, both shape (n_rows, 1)."""
    return {"mse": metrics.mse(y, out), "mae": metrics.mae(y, out), "r2": metrics.r2(y, out)}


def evaluate(args):
    args.data = data_path(args)
    model = read_model(args.model)
    if model.task is None:
        raise ValueError(f"{args.model}: no task recorded (models from `smallnet train` have one)")
    target = model_target(model, args.target)
    table, out = model_outputs(model, args.data, target, ignore=args.ignore)
    lines = [count(len(out), "row")]
    if model.task == "regression":
        if out.shape[1] != 1:
            raise ValueError(
                f"{args.model}: a regression model with {out.shape[1]} outputs; evaluate scores one"
            )
        y = target_numbers(table)
        lines += [f"{key}: {value:.6g}" for key, value in regression_scores(y, out).items()]
    else:
        truth = true_values(model, table, target)
        predicted = probabilities(out).argmax(axis=1)
        right = int((truth == predicted).sum())
        lines.append(f"accuracy: {right / len(truth):.4f} ({right}/{len(truth)})")
        lines += _confusion(model.classes, truth, predicted)
    seen = _training_rows_note(model, table)
    print("\n".join(lines))  # only now: a failure above prints no partial results
    if seen:
        print(seen, file=sys.stderr)


def _training_rows_note(model, table):
    """A note when `table` holds many of the rows the model trained on (by the fingerprint its
    metadata keeps, `smallnet.fingerprint`): at least `SEEN_SHARE` of its rows, by the sample's
    count; None otherwise, or for a model that keeps none."""
    kept = model.net.metadata.get("training_rows") if isinstance(model.net.metadata, dict) else None
    if kept is None:
        return None
    try:
        hashes, n_trained = read_record(kept)
    except ValueError as exc:
        raise ValueError(f"{model.path}: the metadata field 'training_rows': {exc}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColumnWarning)  # said already, by the scoring above
        inputs = model.net.check_data(model_inputs(model, table))
    found = count_present(hashes, inputs)
    # the file's rows that are training rows, estimated from the sample's share of them
    if not found or found * n_trained / len(hashes) < SEEN_SHARE * len(table):
        return None
    return (
        f"note: {found} of the {len(hashes)} sampled training rows are in this file: these "
        f"scores include rows the model trained on"
    )


def _confusion(classes, truth, predicted):
    """The lines of the confusion matrix, or one saying why it is left out."""
    if len(classes) > MAX_MATRIX:
        return [
            f"confusion matrix omitted: {len(classes)} classes (it is printed for up to "
            f"{MAX_MATRIX})"
        ]
    counts = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(counts, (truth, predicted), 1)
    width = max(len(c) for c in classes + [str(len(truth))])
    lines = [
        "confusion matrix (rows: true class, columns: predicted class):",
        " " * width + "".join(f"  {c:>{width}}" for c in classes),
    ]
    return lines + [
        f"{c:<{width}}" + "".join(f"  {n:>{width}}" for n in row) for c, row in zip(classes, counts)
    ]
