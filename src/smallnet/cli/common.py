"""Small helpers the commands share: output checks, counts in words, metadata values in words."""

import os

from .. import datasets
from ..atomic import check_destination
from ..fields import join


def check_output(path, **inputs):
    """Fail before any work is done if `path` can't be a new file: its folder must exist, and it
    must not be one of the command's `inputs` (role=path), which writing it would destroy."""
    check_destination(path)
    for role, other in inputs.items():
        if other is not None and os.path.realpath(path) == os.path.realpath(other):
            raise ValueError(
                f"{path}: this is the {role} file; writing there would overwrite it, "
                f"choose another output"
            )


def count(n, noun):
    """ "1 row", "2 rows"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def show(value):
    """A metadata value in words, whatever its type: lists joined (and cut if long), dicts as
    "key value" pairs, floats to 6 digits."""
    if value is None:
        return ""
    if isinstance(value, list):
        return join(map(show, value))  # a long list (3000 features) is cut to its ends and count
    if isinstance(value, dict):
        return ", ".join(f"{key} {show(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def data_path(args, needed=True):
    """The data file: DATA.csv (--data for plot), or the CSV file of --dataset; None if neither
    and not `needed`."""
    if args.data is not None and args.dataset is not None:
        raise ValueError(
            f"give {'--data ' if args.command == 'plot' else ''}DATA.csv or --dataset NAME, "
            f"not both"
        )
    if args.dataset is not None:
        return str(datasets.DATA / f"{args.dataset}.csv")
    if args.data is None and needed:
        raise ValueError("give DATA.csv or --dataset NAME")
    return args.data
