"""smallnet train: the table recipe (smallnet.tabular) on a CSV file, trained and saved.

The steps: read the table, encode the target, split off the validation rows, scale a
regression target, build the network, fit it (or go on from a checkpoint), report.
"""

import os
import sys
import types
import warnings

import numpy as np

from .. import datasets
from ..callbacks import DivergenceGuard, DivergenceWarning
from ..csvdata import quoted, read_csv
from ..samples import validation_rows
from ..state import require_safetensors
from ..tabular import (
    check_classes,
    check_magnitudes,
    class_labels,
    class_targets,
    default_network,
    encode_classes,
    fit_target_scaling,
    infer_task,
    model_metadata,
    output_head,
    restore_target_units,
    scaling_record,
    standardize_targets,
    target_numbers,
    warn_of_ids,
)
from .common import check_output, count
from .options import check_loss, check_options, check_resume, full_batch

NOT_A_MODEL = (".csv", ".onnx", ".json", ".png", ".svg", ".txt")  # -o names that are a mistake


def train(args):
    check_options(args)  # the options alone first: no data is read for a misspelled name
    table = _read_table(args)
    _check_outputs(args)
    require_safetensors()  # a missing [io] extra is said before the training, not after it
    task = args.task or infer_task(table.target)
    target = _encode_target(table, task, guessed=args.task is None)
    check_loss(args.loss, task, target.classes and len(target.classes))
    check_magnitudes(table, None if task == "classification" else target.y)
    # held out first, so that the standardization is fitted on the training part only
    X, y, validation = _split(args, table.X, target)
    scaling = None
    if task == "regression":
        scaling, y, validation = _scale(y, validation)
    warn_of_ids(table.X, table.feature_names)  # last: a warning before an error would distract
    net = _build(args, X, target.head)
    net.metadata = model_metadata(
        task,
        table.target_name,
        table.feature_names,
        table.ignored,
        len(X) if full_batch(args) else args.batch_size,  # lbfgs: every training row at once
        args.val_split,
        classes=target.classes,
        target_scaling=None if scaling is None else scaling_record(scaling),  # checkpoints too
    )
    done = check_resume(args, net) if args.resume else 0
    history = _fit(args, net, X, y, validation)
    if scaling is not None:
        restore_target_units(net, history, scaling)
    _check_finite(args, history)
    net.save(args.output)
    _report(args, table, target, history, done, n_train=len(X), validation=validation, net=net)
    if history.interrupted:
        print(
            f"smallnet train: interrupted; {args.output} holds the network trained so far"
            + (f"; resume with --resume {args.checkpoint}" if args.checkpoint else ""),
            file=sys.stderr,
        )
        return 130
    return 0


def _read_table(args):
    """The training table, of DATA.csv or --dataset, with the options that go with either."""
    if (args.data is None) == (args.dataset is None):
        raise ValueError("give either DATA.csv or --dataset NAME")
    if args.checkpoint_every is not None and args.checkpoint is None:
        raise ValueError(
            "--checkpoint-every N goes with --checkpoint PATH: it says how often to write there"
        )
    if args.dataset is not None:
        given = (("--target", args.target), ("--ignore", args.ignore))
        extra = [option for option, value in given if value]
        if extra:
            raise ValueError(
                f"{extra[0]} goes with DATA.csv; a --dataset has its own target and features"
            )
        return datasets.frame(args.dataset)
    if args.target is None:
        raise ValueError("--target COLUMN is required with DATA.csv")
    try:
        return read_csv(args.data, target=args.target, ignore=args.ignore)
    except ValueError as exc:
        if str(exc).endswith("is not a number"):  # most often a text column: an id, a name
            raise ValueError(f"{exc}; leave non-numeric columns out with --ignore COLUMN") from None
        raise


def _check_outputs(args):
    """Refuse an -o or --checkpoint that can't be written, or that would overwrite an input."""
    check_output(args.output, data=args.data, checkpoint=args.resume)
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix in NOT_A_MODEL:
        raise ValueError(
            f"-o {args.output}: the model is a safetensors file, not {suffix[1:]}; give a name "
            f"ending .safetensors" + (" (smallnet export writes ONNX)" if suffix == ".onnx" else "")
        )
    if args.checkpoint is not None:
        check_output(args.checkpoint, data=args.data, output=args.output)


def _encode_target(table, task, guessed):
    """The target as the network learns it: y, the output head, and the classes and their
    codes (None for a regression)."""
    if task == "regression":
        return types.SimpleNamespace(
            y=target_numbers(table), head=output_head(task), classes=None, codes=None
        )
    classes = class_labels(table.target)
    check_classes(table, classes, guessed=guessed)
    codes = encode_classes(table.target, classes)
    return types.SimpleNamespace(
        y=class_targets(codes, len(classes)),
        head=output_head(task, len(classes)),
        classes=classes,
        codes=codes,
    )


def _split(args, X, target):
    """(X, y, validation) for --val-split: the training rows, and the held-out (X, y) or None."""
    y = target.y
    if not args.val_split:
        return X, y, None
    held_out = validation_rows(
        y,
        args.val_split,
        np.random.RandomState(args.seed),
        name="--val-split",
        stratify=target.classes is not None,
    )
    keep = np.ones(len(X), dtype=bool)
    keep[held_out] = False
    lost = [
        label for k, label in enumerate(target.classes or []) if not (target.codes[keep] == k).any()
    ]
    if keep.sum() < 2 or lost:  # validation_rows keeps one row at least, and stratifies roughly
        left = (
            f"{count(keep.sum(), 'row')} for training"
            if keep.sum() < 2
            else f"no training rows of class {quoted(lost)}"
        )
        raise ValueError(
            f"--val-split {args.val_split:g} of {count(len(X), 'row')} leaves {left}; "
            f"give a smaller --val-split (or none)"
        )
    return X[keep], y[keep], (X[held_out], y[held_out])


def _scale(y, validation):
    """(scaling, y, validation) with the regression targets standardized, the validation
    rows' by the training rows' statistics."""
    scaling = fit_target_scaling(y)
    if validation:
        validation = (validation[0], standardize_targets(validation[1], scaling))
    return scaling, standardize_targets(y, scaling), validation


def _build(args, X, head):
    optimizer = {"name": args.optimizer}
    if not full_batch(args):  # L-BFGS has no learning rate
        optimizer["learning_rate"] = args.lr
    rates = args.dropout
    dropout = rates[0] if rates and len(rates) == 1 else rates  # one rate: for every layer
    return default_network(
        args.hidden,
        head.output,
        X=X,
        standardize=True,
        activation=args.activation,
        loss=args.loss or head.loss,
        optimizer=optimizer,
        metrics=head.metrics,
        seed=args.seed,
        dropout=dropout,
        batch_norm=args.batch_norm,
    )


def _retry_hint(args):
    """What to try after a diverged or far-off training."""
    return "try another --optimizer" if args.lr is None else f"try a lower --lr than {args.lr:g}"


def _fit(args, net, X, y, validation):
    """The History of training `net`; a diverged training is an error, and nothing is saved."""
    guard = DivergenceGuard()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # said below in the CLI's words
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
            # said in the library's words: X, y, sample_weight
            if args.resume and "other training data" in str(exc):
                raise ValueError(
                    f"{args.resume}: the data differs from the checkpoint's; resume on the rows "
                    f"it was trained on (the same DATA.csv, --target, --ignore and --val-split)"
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
            f"{_retry_hint(args)}"
        )
    return history


def _check_finite(args, history):
    """Refuse results finite in training but not in the target's units (or on the validation
    rows): the model is far off."""
    overflowed = [
        f"{key} {values[-1]}"
        for key, values in history.history.items()
        if not np.isfinite(values[-1])
    ]
    if overflowed:
        raise RuntimeError(
            f"training ended with {', '.join(overflowed)}: the model is far off; no model saved; "
            f"{_retry_hint(args)}, or rescale the target"
        )


def _report(args, table, target, history, done, n_train, validation, net):
    if args.resume and done == args.epochs:
        trained = f"nothing to train: {args.resume} had already done --epochs {args.epochs}"
    elif full_batch(args):
        trained = f"trained {count(len(history.epoch), 'L-BFGS iteration')}"
        result = net.optimizer.result
        if len(history.epoch) < args.epochs and not history.interrupted:  # scipy's own end
            trained += f" (of --epochs {args.epochs}; scipy: {result['message']})"

    else:
        trained = f"trained {count(len(history.epoch), 'epoch')}" + (
            f" (the first {done} in {args.resume})" if done else ""
        )
    final = ", ".join(f"{key} {values[-1]:.4g}" for key, values in history.history.items())
    what = "regression" if target.classes is None else f"{len(target.classes)} classes"
    rows = count(n_train, "row") + (
        f" (+{len(validation[0])} for validation)" if validation else ""
    )
    features = count(len(table.feature_names), "feature")
    print(f"{trained} on {rows}, {features}, {what}: {final}")
    print(f"saved {args.output}")
    if full_batch(args) and not (net.optimizer.result["success"] or history.interrupted):
        print(
            f"L-BFGS had not converged after --epochs {args.epochs} iterations (scipy: "
            f"{net.optimizer.result['message']}); a larger --epochs trains on"
        )
