"""argparse building blocks that the commands' parsers share: a parser whose errors are one
line, options that may be given once, flat lists, checked number types, and the arguments
several commands take."""

import argparse

from .. import datasets
from ..fields import MISSING_MARKERS


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, and whose options may be given once."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # keep lines
        super().__init__(**kwargs)
        self.register("action", None, Once)  # every option without an action of its own

    def error(self, message):
        # One line, not argparse's usage block; --help has the usage.
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class Once(argparse.Action):
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


class Lists(Once):
    """--hidden 16 8, --hidden 16,8, or both mixed (--dropout too): one flat list."""

    def value(self, values):
        return [size for sizes in values for size in sizes]


def number(kind, valid, expected):
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


fraction = number(float, lambda value: 0 <= value < 1, "a fraction in [0, 1)")
positive = number(int, lambda value: value >= 1, "a positive integer")
positive_float = number(float, lambda value: 0 < value < float("inf"), "a positive number")
seed_type = number(int, lambda value: 0 <= value < 2**32, "an integer from 0 to 2**32 - 1")


def _parts(text):
    """The comma-separated parts of `text`; an empty one (``16,,8``, ``0.2,``) is no number,
    where skipping it would train another network than the one written."""
    if not text.strip():
        return []
    return [part if part.strip() else "empty" for part in text.split(",")]


def hidden_sizes(text):
    """ "16,8" -> [16, 8]; "" or "none" -> [] (no hidden layer)."""
    if text.strip().lower() == "none":
        return []
    try:
        sizes = [int(part) for part in _parts(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 16,8, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return sizes


def dropout_rates(text):
    """ "0.2,0.1" -> [0.2, 0.1]: dropout rates, each in [0, 1)."""
    try:
        rates = [float(part) for part in _parts(text)]
    except ValueError:
        rates = None
    if not rates or not all(0 <= rate < 1 for rate in rates):  # NaN fails both: refused
        raise argparse.ArgumentTypeError(
            f"expected rates in [0, 1) like 0.2 or 0.3,0.1, got {text!r}"
        )
    return rates


def registry_names(table):
    """The names of a registry as help lists them: each class once, its other names in
    brackets: "identity (or linear)"."""
    own = {}
    for key, cls in table.items():
        own.setdefault(cls.name, []).extend([key] if key != cls.name else [])
    return ", ".join(
        name + (f" (or {', '.join(sorted(own[name]))})" if own[name] else "")
        for name in sorted(own)
    )


COLUMNS_SYNTAX = (
    'comma-separated, a name with a comma quoted as in CSV: id,"name, full"; may be repeated'
)
CSV_NOTE = (
    "DATA.csv: a header row, then rows of fields between commas, semicolons or tabs;\n"
    "- reads standard input. Missing values: an empty field, or\n"
    f"{', '.join(MISSING_MARKERS)} in any case; a feature's are filled with the training median."
)


def epilog(*examples, note=CSV_NOTE):
    return (
        "examples:\n"
        + "".join(f"  smallnet {example}\n" for example in examples)
        + (f"\n{note}" if note else "")
    )


def dataset_option(parser):
    parser.add_argument(
        "--dataset",
        choices=sorted(datasets.DATASETS),
        help="a data set shipped with smallnet, instead of DATA.csv",
    )


def columns_option(parser, option, help):
    """--ignore or --keep: column lists, each value a CSV row of names; repeated ones add up."""
    parser.add_argument(
        option, action="append", default=[], metavar="COLUMNS", help=f"{help} ({COLUMNS_SYNTAX})"
    )


def model_argument(parser):
    parser.add_argument(
        "model", metavar="MODEL", help="a model saved by smallnet train (MODEL.safetensors)"
    )


def hidden_option(parser, nargs, default, help):
    parser.add_argument(
        "--hidden",
        type=hidden_sizes,
        nargs=nargs,
        action=Lists,
        default=default,
        metavar="SIZES",
        help=help,
    )
