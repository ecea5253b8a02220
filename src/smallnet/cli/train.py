"""smallnet train: the table recipe (smallnet.tabular) on a CSV file, trained and saved.

The steps: read the table, encode the target, split off the test and validation rows, scale a
regression target, build the network, fit it (or go on from a checkpoint) with early stopping
on the validation rows, score it on the test rows, report.
"""

import csv
import functools
import os
import sys
import types
import warnings

import numpy as np

from .. import datasets
from ..callbacks import DivergenceGuard, DivergenceWarning, EarlyStopping
from ..callbacks.history import final_values, kept_index
from ..columns import ColumnWarning, describe, infer_types
from ..csvdata import read_csv
from ..fields import quoted
from ..fingerprint import record, row_hashes, sample_rows
from ..layers import TableEncoder
from ..samples import held_out_count, validation_rows
from ..state import require_safetensors
from ..tabular import (
    check_classes,
    check_target_magnitude,
    class_labels,
    class_targets,
    default_network,
    encode_classes,
    fit_target_scaling,
    in_target_units,
    infer_task,
    model_metadata,
    output_head,
    restore_target_units,
    scaling_record,
    standardize_targets,
    target_numbers,
)
from .common import check_output, count
from .model import labelled
from .options import (
    check_loss,
    check_options,
    check_resume,
    full_batch,
    settle_stopping,
    stopping_record,
)
from .predict import probabilities, regression_scores
from .progress import progress

NOT_A_MODEL = (".csv", ".onnx", ".json", ".png", ".svg", ".txt")  # -o names that are a mistake


def train(args):
    check_options(args)  # the options alone first: no data is read for a misspelled name
    table = _read_table(args)
    _check_outputs(args)
    require_safetensors()  # a missing [io] extra is said before the training, not after it
    task = args.task or infer_task(table.target_values)
    target = _encode_target(table, task, guessed=args.task is None)
    check_loss(args.loss, task, target.classes and len(target.classes))
    if task == "regression":
        check_target_magnitude(table, target.y)
    settle_stopping(args, len(table))  # --val-split's default: early stopping needs one
    # the split draws row numbers: the encoding is then fitted on the training rows only
    rows, y, validation, test = _split(args, np.arange(len(table))[:, None], target)
    X = table.take(rows[:, 0])
    if validation:
        validation = (table.take(validation[0][:, 0]), validation[1])
    scaling = None
    if task == "regression":
        scaling, y, validation = _scale(y, validation)
    encoder = _encoder(args, table, X)
    net = _build(args, encoder, target.head)
    net.metadata = model_metadata(
        task,
        table.target_name,
        [c["name"] for c in encoder.columns],  # predict needs these, and skips the left-out ones
        [*table.ignored, *(c["name"] for c in encoder.left_out)],  # ids, constants
        len(X) if full_batch(args) else args.batch_size,  # lbfgs: every training row at once
        args.val_split,
        classes=target.classes,
        target_scaling=None if scaling is None else scaling_record(scaling),  # checkpoints too
    )
    net.metadata.update(test_split=args.test_split, early_stopping=stopping_record(args))
    done = check_resume(args, net) if args.resume else 0
    net.metadata["training_rows"] = _fingerprint(args, net, X)  # for evaluate, checkpoints too
    history, stopper = _fit(args, net, X, y, validation, done, scaling)
    if scaling is not None:
        restore_target_units(net, history, scaling)
    _check_finite(args, history)
    scores = None
    if test is not None:
        scores = _test_scores(net, target, table.take(test), test)
        net.metadata["test_metrics"] = scores
    net.save(args.output)
    _report(args, table, target, history, done, n_train=len(X), validation=validation, net=net,
            stopper=stopper, scores=scores)  # fmt: skip
    if not args.quiet:
        print("\n".join(describe(encoder.types, encoder)))  # what each column was taken for
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
        return _labelled(datasets.frame(args.dataset))
    if args.target is None:
        raise ValueError("--target COLUMN is required with DATA.csv")
    table = read_csv(
        args.data,
        target=args.target,
        ignore=args.ignore,
        text=_names(args.categorical),
        na_values=_markers(args.na_values),
    )
    return _labelled(table)


def _markers(option):
    """The --na-values list (a CSV row of fields: NA,-,"n/a"), or None for the default."""
    if option is None:
        return None
    return [field.strip() for row in csv.reader([option]) for field in row if field.strip()]


def _names(lists):
    """The column names of --categorical or --numeric (lists of CSV rows of names)."""
    return [name.strip() for row in csv.reader(lists or ()) for name in row if name.strip()]


def _labelled(table):
    """`table` without its rows that have no target value, said with their count."""
    return labelled(table, "smallnet train:", "the target ", "left out of training")


def _encoder(args, table, training):
    """The TableEncoder of the `training` rows, with the column types of all the `table`'s
    (an id column that counts the rows is no count of the training rows alone)."""
    categorical, numeric = _names(args.categorical), _names(args.numeric)
    try:
        types = infer_types(table.columns, table.where, categorical, numeric, table.markers)
        return TableEncoder.from_data(training, na_values=table.markers, types=types)
    except ValueError as exc:
        said = str(exc)
        raise ValueError(said if said.startswith(table.path) else f"{table.path}: {said}") from None


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
    """(X, y, validation, test) for --test-split and --val-split: the training rows, the
    validation (X, y) or None, and the test rows' indices or None.

    The test rows are drawn first from the seed's generator, then the validation rows from
    those left (each stratified for classification): with no --test-split, the validation rows
    are those of a run without one. A default --val-split that would leave a class no training
    row is dropped, and early stopping with it (said on stderr).
    """
    y = target.y
    rng = np.random.RandomState(args.seed)
    stratify = target.classes is not None
    keep = np.ones(len(X), dtype=bool)
    test = validation = None
    if args.test_split:
        n_test = held_out_count(len(X), args.test_split)
        if not 1 <= n_test < len(X):
            raise ValueError(
                f"--test-split {args.test_split:g} of {count(len(X), 'row')} holds out "
                f"{count(n_test, 'row')} for testing; give a larger --test-split (or none)"
            )
        test = validation_rows(y, args.test_split, rng, stratify=stratify, name="--test-split")
        keep[test] = False
    if args.val_split:
        left = np.flatnonzero(keep)
        validation = left[
            validation_rows(y[left], args.val_split, rng, name="--val-split", stratify=stratify)
        ]
        keep[validation] = False
        short = _shortfall(keep, target)
        if short and args.default_val_split:
            keep[validation], validation = True, None
            if not args.quiet:
                print(
                    f"smallnet train: no validation rows, so no early stopping: --val-split "
                    f"{args.val_split:g} (the default) would leave {short}",
                    file=sys.stderr,
                )
            args.val_split, args.early_stopping = 0.0, False
    short = _shortfall(keep, target)
    if short:
        given = [
            f"{option} {share:g}"
            for option, share in (
                ("--test-split", args.test_split),
                ("--val-split", args.val_split),
            )
            if share
        ]
        raise ValueError(
            f"{' and '.join(given)} of {count(len(X), 'row')} "
            f"{'leave' if len(given) > 1 else 'leaves'} {short}; give "
            f"{'smaller ones' if len(given) > 1 else f'a smaller {given[0].split()[0]}'} (or none)"
        )
    held_out = None if validation is None else (X[validation], y[validation])
    return X[keep], y[keep], held_out, test


def _shortfall(keep, target):
    """What the training rows `keep` (a mask) lack, in words: under 2 rows, or rows of some
    class; None if nothing. (validation_rows keeps one row at least, and stratifies roughly.)"""
    if keep.sum() < 2:
        return f"{count(keep.sum(), 'row')} for training"
    lost = [
        label for k, label in enumerate(target.classes or []) if not (target.codes[keep] == k).any()
    ]
    return f"no training rows of class {quoted(lost)}" if lost else None


def _scale(y, validation):
    """(scaling, y, validation) with the regression targets standardized, the validation
    rows' by the training rows' statistics."""
    scaling = fit_target_scaling(y)
    if validation:
        validation = (validation[0], standardize_targets(validation[1], scaling))
    return scaling, standardize_targets(y, scaling), validation


def _build(args, encoder, head):
    optimizer = {"name": args.optimizer}
    if not full_batch(args):  # L-BFGS has no learning rate
        optimizer["learning_rate"] = args.lr
    rates = args.dropout
    dropout = rates[0] if rates and len(rates) == 1 else rates  # one rate: for every layer
    return default_network(
        args.hidden,
        head.output,
        encoder=encoder,
        activation=args.activation,
        loss=args.loss or head.loss,
        optimizer=optimizer,
        metrics=head.metrics,
        seed=args.seed,
        dropout=dropout,
        batch_norm=args.batch_norm,
    )


def _in_units(logs, scale, loss):
    """An epoch's `logs`, learned on the standardized target, in the target's units (as the
    History is put in them after training: `in_target_units`)."""
    curves = types.SimpleNamespace(history={key: [value] for key, value in logs.items()})
    in_target_units(curves, scale, loss)
    return {key: values[0] for key, values in curves.history.items()}


def _retry_hint(args):
    """What to try after a diverged or far-off training."""
    return "try another --optimizer" if args.lr is None else f"try a lower --lr than {args.lr:g}"


def _fit(args, net, X, y, validation, done, scaling):
    """(History, EarlyStopping or None) of training `net`, with progress on stderr unless
    --quiet (`done`: the epochs a resumed run has done; `scaling`: a regression target's, for
    the progress to speak its units); a diverged training is an error, and nothing is saved."""
    guard = DivergenceGuard()
    stopper = None
    callbacks = [guard]
    if args.early_stopping:
        stopper = EarlyStopping("val_loss", patience=args.patience, restore_best_weights=True)
        callbacks.append(stopper)  # a checkpoint keeps its state: a resumed run goes on counting
    if not args.quiet:
        units = None
        if scaling is not None:
            units = functools.partial(_in_units, scale=float(scaling.scale[0]), loss=net.loss)
        callbacks.append(progress(args.epochs, done, units=units))
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
                callbacks=callbacks,
                engine=args.engine,
            )
        except ValueError as exc:
            # said in the library's words: X, y, sample_weight
            if args.resume and "other training data" in str(exc):
                raise ValueError(
                    f"{args.resume}: the data differs from the checkpoint's; resume on the rows "
                    f"it was trained on (the same DATA.csv, --target, --ignore, --test-split and "
                    f"--val-split)"
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
    return history, stopper


def _check_finite(args, history):
    """Refuse results finite in training but not in the target's units (or on the validation
    rows): the model is far off."""
    overflowed = [
        f"{key} {value}"
        for key, value in final_values(history.history, kept_index(history)).items()
        if not np.isfinite(value)
    ]
    if overflowed:
        raise RuntimeError(
            f"training ended with {', '.join(overflowed)}: the model is far off; no model saved; "
            f"{_retry_hint(args)}, or rescale the target"
        )


def _fingerprint(args, net, X):
    """The metadata record of hashes of up to `fingerprint.SAMPLE` training rows (`X`, a table),
    drawn with the seed, as the network takes them: `evaluate` looks for them in its file."""
    rows = sample_rows(len(X), np.random.default_rng(args.seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColumnWarning)  # the fit says them, for every row
        inputs = net.check_data(X.take(rows), build=False)
    return record(row_hashes(inputs), len(X))


def _test_scores(net, target, table, rows):
    """The model's scores on the --test-split rows (`table`, at `rows` of the training table),
    as `evaluate` gives them: {"rows": n, "accuracy": ...} or {"rows": n, "mse", "mae", "r2"}."""
    out = net.predict(table)
    if target.classes is None:
        y = target.y[rows]  # in the target's units, as the model predicts now
        return {"rows": len(rows), **regression_scores(y, out)}
    right = int((probabilities(out).argmax(axis=1) == target.codes[rows]).sum())
    return {"rows": len(rows), "accuracy": right / len(rows)}


def _test_line(scores):
    """ "test (30 held-out rows): accuracy 0.9667 (29/30)", or mse, mae and r2."""
    n = scores["rows"]
    if "accuracy" in scores:
        right = round(scores["accuracy"] * n)
        said = f"accuracy {scores['accuracy']:.4f} ({right}/{n})"
    else:
        said = ", ".join(f"{key} {scores[key]:.6g}" for key in ("mse", "mae", "r2"))
    return f"test ({count(n, 'held-out row')}): {said}"


def _stopping_line(args, history, stopper):
    """What early stopping did, or None where it kept the last epoch's weights of a full run."""
    best = stopper.best_epoch
    if best is None or history.kept_epoch != best:  # no epoch finished, or diverged
        return None
    epochs = len(history.epoch)
    if stopper.stopped_epoch is not None:
        return (
            f"early stopping: val_loss had not improved for {stopper.wait} epochs after epoch "
            f"{best + 1}; stopped after epoch {stopper.stopped_epoch + 1} and kept the weights "
            f"of epoch {best + 1}"
        )
    if best + 1 < epochs:
        return (
            f"early stopping: the best val_loss was in epoch {best + 1} of {epochs}; kept its "
            f"weights (a larger --patience waits longer, --no-early-stopping keeps the last)"
        )
    return None


def _report(args, table, target, history, done, n_train, validation, net, stopper, scores):
    stopped_before = (
        stopper is not None and stopper.stopped_epoch is not None and (stopper.stopped_epoch < done)
    )
    if args.resume and done == args.epochs:
        trained = f"nothing to train: {args.resume} had already done --epochs {args.epochs}"
    elif args.resume and stopped_before:
        trained = (
            f"nothing to train: {args.resume} had stopped early, after epoch "
            f"{stopper.stopped_epoch + 1}"
        )
    elif full_batch(args):
        trained = f"trained {count(len(history.epoch), 'L-BFGS iteration')}"
        result = net.optimizer.result
        if len(history.epoch) < args.epochs and not history.interrupted:  # scipy's own end
            trained += f" (of --epochs {args.epochs}; scipy: {result['message']})"

    else:
        trained = f"trained {count(len(history.epoch), 'epoch')}" + (
            f" (the first {done} in {args.resume})" if done else ""
        )
    # the values of the epoch whose weights are saved: the best one, with early stopping
    kept = final_values(history.history, kept_index(history))
    final = ", ".join(f"{key} {value:.4g}" for key, value in kept.items())
    what = "regression" if target.classes is None else f"{len(target.classes)} classes"
    held_out = [f"+{len(validation[0])} for validation"] if validation else []
    held_out += [f"+{scores['rows']} for testing"] if scores else []
    rows = count(n_train, "row") + (f" ({', '.join(held_out)})" if held_out else "")
    features = count(len(net.metadata["feature_names"]), "feature")
    print(f"{trained} on {rows}, {features}, {what}: {final}")
    stopping = stopper and _stopping_line(args, history, stopper)
    if stopping:
        print(stopping)
    if scores:
        print(_test_line(scores))
    print(f"saved {args.output}")
    if full_batch(args) and not (net.optimizer.result["success"] or history.interrupted):
        print(
            f"L-BFGS had not converged after --epochs {args.epochs} iterations (scipy: "
            f"{net.optimizer.result['message']}); a larger --epochs trains on"
        )
