"""A model file as the commands read it, and its outputs on a CSV file of its features."""

import sys
import types

import numpy as np

from .. import load
from ..csvdata import ColumnMismatch, read_csv
from ..fields import join
from ..layers import TableEncoder
from ..tabular import read_metadata, scaling_layer, target_numbers
from .common import count


def read_model(path):
    """The model in `path` with the metadata fields the commands use, checked (see
    `smallnet.tabular.read_metadata`): net, task, target, feature_names, classes, ...

    A `train` checkpoint of a regression, written while it learned the standardized target,
    gets the target's units back on (`rescaled`).
    """
    net = load(path)
    meta = read_metadata(net, path)
    model = types.SimpleNamespace(path=path, net=net, **vars(meta))
    first = net.layers[0]
    model.encoder = first if isinstance(first, TableEncoder) else None
    scaling = meta.target_scaling
    model.rescaled = bool(scaling) and not getattr(net.layers[-1], "invert", False)
    if model.rescaled:
        net.add(scaling_layer(scaling))
    return model


def model_target(model, target):
    """The column to score or draw against: `target` (--target), else the model's; not a
    feature or an ignored one."""
    target = target or model.target
    if target is None:
        raise ValueError(f"--target COLUMN is needed: {model.path} records no target")
    why = (
        "one of the model's features"
        if model.feature_names and target in model.feature_names
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


def model_outputs(model, data, target, ignore=(), keep=None):
    """(table, predictions) of the model on a CSV file whose feature columns must be the
    model's; other columns must be the target, ignored in training, or in `ignore` or `keep`
    (--ignore, --keep).

    A model that records no feature names takes every column but those, in order. `keep` is
    None for a command without --keep: the hint for other columns then names --ignore only.
    """
    skip = ([model.target] if model.target and target is None else []) + model.ignored
    encoder = model.encoder
    try:
        table = read_csv(
            data,
            target=target,
            features=model.feature_names,
            skip=skip,
            ignore=ignore,
            keep=keep or (),
            text=[]
            if encoder is None
            else [c["name"] for c in encoder.columns if c["kind"] != "number"],
            na_values=None if encoder is None else encoder.markers,
        )
    except ColumnMismatch as exc:
        if not exc.unexpected:
            raise
        raise ValueError(
            f"{exc}; leave other columns out with --ignore COLUMNS"
            + (" (or copy them to the output with --keep COLUMNS)" if keep is not None else "")
        ) from None
    if target is not None:
        table = labelled(table)
    try:
        return table, model.net.predict(model_inputs(model, table))
    except ValueError as exc:
        raise ValueError(f"{table.path}: {exc} (the model {model.path})") from None


def model_inputs(model, table):
    """What the model's network takes of `table`: its columns for a TableEncoder (which encodes
    them), else its features as numbers (strict: a gap or a word is an error naming its line)."""
    if model.encoder is None:
        return table.X
    if all(c["kind"] == "number" and not c["gaps"] for c in model.encoder.columns):
        names = [c["name"] for c in model.encoder.columns]  # such as a plane of two features
        return np.column_stack([table.numbers(name, table.columns[name]) for name in names])
    return table


def labelled(table, who="note:", column="", left_out="left out"):
    """`table` without its rows that have no target value, said on stderr with their count,
    the line starting with `who`; `column` goes before the target's name ("the target ")."""
    gaps = np.flatnonzero(table.target_gaps)
    if len(gaps) == len(table):
        raise ValueError(
            f"{table.path}: {column or 'the column '}{table.target_name!r} has no values"
        )
    if gaps.size:
        print(
            f"{who} {count(len(gaps), 'row')} without a value of {column}{table.target_name!r} "
            f"{left_out} (the first: {table.where(gaps[0])})",
            file=sys.stderr,
        )
        table = table.take(np.flatnonzero(~table.target_gaps))
    return table


def true_values(model, table, target):
    """The target column as class indices (classification) or an (n, 1) float array."""
    if model.task != "classification":
        return target_numbers(table)
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
