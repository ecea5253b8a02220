"""Column types: what each column of a table holds, inferred from the training rows.

A column is a number, a category (text), a boolean (yes/no, true/false), a date (ISO dates:
numeric parts), an identifier (a distinct text on every row, or whole numbers that count the
rows: left out with a warning), or a constant (left out with a note). `infer_types` decides;
`describe` says it in words. `smallnet.layers.TableEncoder` encodes the columns it keeps.
"""

import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .fields import (
    MISSING_MARKERS,
    PLAIN_NUMBER,
    THOUSANDS,
    missing_set,
    parse_number,
    plain_numbers,
    quoted,
)

KINDS = ("number", "category", "boolean", "date", "identifier", "constant")
USED = ("number", "category", "boolean", "date")  # the kinds a network takes
BOOLEANS = ({"yes", "no"}, {"true", "false"}, {"y", "n"}, {"t", "f"})
TRUE = {"yes", "true", "y", "t", "1"}
ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
OTHER_DATE = re.compile(r"\d{1,4}[/.]\d{1,2}[/.]\d{1,4}")  # 12/31/2020, 31.12.2020: which order?
MIN_ID_ROWS = 20  # fewer rows than this can be distinct by chance


class ColumnWarning(UserWarning):
    """A column left out (an identifier), or values the encoding had not seen in training."""


@dataclass(frozen=True)
class ColumnType:
    """What `infer_types` decided about one column.

    name, kind : str
        `kind` is one of `KINDS`.
    missing : int
        How many training rows have no value there.
    distinct : int or None
        How many distinct values the other rows hold; None for a number column (counting them
        would sort every column of a large table, and no rule needs it).
    """

    name: str
    kind: str
    missing: int
    distinct: int | None

    @property
    def used(self):
        return self.kind in USED


def as_text(values):
    """A column's values as text, shape (n_rows,) object: numbers as they'd be written (1, not
    1.0), None where missing (None or NaN); `values` itself where it is such text already."""
    values = np.asarray(values, dtype=object)
    if _is_text(values):
        return values
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, (bool, np.bool_)):
            out[i] = "true" if value else "false"
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            out[i] = str(int(value))
        else:
            out[i] = str(value).strip() or None
    return out


def _is_text(values):
    """Whether `values` (object) hold only stripped, non-empty str and None: as a `Table`'s text
    columns do. Checked on the distinct values, few in a column of categories."""
    try:
        distinct = set(values.tolist())
    except TypeError:  # unhashable values
        return False
    return all(v is None or (type(v) is str and v and v == v.strip()) for v in distinct)


def as_numbers(name, values, where, markers=MISSING_MARKERS, bad=None):
    """A column's values as float64, shape (n_rows,), NaN where missing; a value that isn't a
    number is an error `where(row, name)` starts, or, given a `bad` list, NaN with its row
    appended there."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        return values.astype(np.float64, copy=False)
    out = plain_numbers(values)
    if out is not None:
        return out
    missing = missing_set(markers)
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            out[i] = value
            continue
        text = str(value).strip()
        if text.lower() in missing:
            continue
        try:
            out[i] = parse_number(text, markers)
        except ValueError as exc:
            if bad is None:
                raise ValueError(f"{where(i, name)}: {exc}") from None
            bad.append(i)
    return out


def infer_types(columns, where, categorical=(), numeric=(), markers=MISSING_MARKERS):
    """The `ColumnType` of each column, in order; warns of the identifiers it leaves out.

    Parameters
    ----------
    columns : dict of str to array-like of shape (n_rows,) each
        The training rows' feature columns: numbers (NaN where missing) or text (None).
    where : callable
        ``where(row, name)``: the start of an error message about a field.
    categorical, numeric : iterable of str
        Columns to take as categories, or as numbers, whatever they hold.
    markers : sequence of str
        The fields besides empty ones that count as missing (for `numeric` text columns).
    """
    categorical, numeric = set(categorical), set(numeric)
    both = categorical & numeric
    if both:
        raise ValueError(f"column {quoted(sorted(both))} can't be both categorical and numeric")
    unknown = sorted((categorical | numeric) - set(columns))
    if unknown:
        raise ValueError(f"no column {quoted(unknown)} to type; the columns are: {quoted(columns)}")
    types = []
    for name, values in columns.items():
        values = np.asarray(values)
        if name in categorical:
            types.append(_text_type(name, values, where, forced=True))
        elif values.dtype.kind == "b" and name not in numeric:
            types.append(_text_type(name, values, where))
        elif name in numeric or values.dtype.kind in "iuf":
            numbers = as_numbers(name, values, where, markers)
            types.append(_number_type(name, numbers, forced=name in numeric))
        else:
            types.append(_text_type(name, values, where, markers=markers))
    ids = [t.name for t in types if t.kind == "identifier"]
    if ids:
        warnings.warn(
            f"column {quoted(ids)} left out: it looks like an identifier (a distinct value on "
            f"every row); to use it anyway, name it with --categorical or --numeric (categorical= "
            f"or numeric= from Python)"
            if len(ids) == 1
            else f"columns {quoted(ids)} left out: they look like identifiers (a distinct value on "
            f"every row); to use them anyway, name them with --categorical or --numeric "
            f"(categorical= or numeric= from Python)",
            ColumnWarning,
            stacklevel=2,
        )
    return types


def _text_type(name, values, where, forced=False, markers=MISSING_MARKERS):
    """The `ColumnType` of a column read as text."""
    text = as_text(values)
    counts = Counter(text.tolist())  # each distinct value checked once, its rows counted
    gaps = counts.pop(None, 0)
    kind = _text_kind(name, text, where, counts, gaps, forced, markers)
    return ColumnType(name, kind, gaps, None if kind == "number" else len(counts))


def _number_type(name, values, forced=False):
    gaps = np.isnan(values)
    present = values[~gaps] if gaps.any() else values  # no copy of a column without gaps
    if not present.size or (present.min() == present.max() and not gaps.any()):
        return ColumnType(name, "constant", int(gaps.sum()), min(present.size, 1))
    kind = "number"
    may_count = len(values) >= MIN_ID_ROWS and not gaps.any() and not forced  # --numeric: kept
    if may_count and (present == np.floor(present)).all():
        ordered = np.sort(present)
        if (np.diff(ordered) == 1).all():  # k, k+1, ..., k+n-1: the rows counted
            kind = "identifier"
    distinct = len(values) if kind == "identifier" else None
    return ColumnType(name, kind, int(gaps.sum()), distinct)


def _text_kind(name, text, where, counts, gaps, forced, markers):
    """The kind of a column of `text` (None where missing), of {value: rows} `counts` (in order
    of appearance) and `gaps` rows missing; `markers` for what a stray word says."""
    distinct, present = counts.keys(), len(text) - gaps
    if not distinct or (len(distinct) == 1 and not gaps):
        return "constant"
    if forced:
        return "category"
    lower = {value.lower() for value in distinct}
    if any(lower == pair for pair in BOOLEANS):
        return "boolean"
    if all(ISO_DATE.fullmatch(value) for value in distinct):
        return "date"
    if all(OTHER_DATE.fullmatch(value) for value in distinct):
        raise ValueError(
            f"column {name!r} holds dates like {next(iter(distinct))!r}, whose order of day and "
            f"month is not sure: write them as ISO dates (YYYY-MM-DD), or leave the column out "
            f"with --ignore"
        )
    numbers = sum(n for value, n in counts.items() if PLAIN_NUMBER.fullmatch(value))
    if numbers == present:
        return "number"
    # 3,5 and 1,000: numbers, in a notation that would make them categories
    written = sum(
        n
        for v, n in counts.items()
        if "," in v and (THOUSANDS.fullmatch(v) or _is_number(v.replace(",", ".")))
    )
    if numbers + written > present / 2:  # a stray word among numbers: most often a typo
        i = next(i for i, value in enumerate(text) if value is not None and not _is_number(value))
        try:
            parse_number(text[i], markers)
        except ValueError as exc:
            fix = (
                f"{written} of the column's values are written so: fix them"
                if written > 1
                else "the column's other values are numbers: fix this one, count it as missing "
                "with --na-values"
            )
            raise ValueError(
                f"{where(i, name)}: {exc}; {fix}, or take the column as categories with "
                f"--categorical {name}"
            ) from None
    if len(distinct) == len(text) >= MIN_ID_ROWS:
        return "identifier"
    return "category"


def _is_number(text):
    return bool(PLAIN_NUMBER.fullmatch(text))


def describe(types, encoder=None):
    """Lines that say what each column is and how it is used, for people (train, info)."""
    widths = max(len(t.name) for t in types)
    lines = []
    for t in types:
        what = {
            "number": "number",
            "category": f"category, {t.distinct} levels",
            "boolean": "boolean",
            "date": "date (year, month, day, weekday)",
            "identifier": "identifier: left out (a distinct value on every row)",
            "constant": "constant: left out (one value, or none)",
        }[t.kind]
        if t.used and encoder is not None:
            what += encoder.how(t.name)
        if t.missing and t.used:
            what += f"; {t.missing} missing"
        lines.append(f"  {t.name:<{widths}}  {what}")
    used = sum(t.used for t in types)
    return [f"columns: {used} used, {len(types) - used} left out", *lines]


def parse_boolean(values):
    """yes/no, true/false, y/n, t/f (any case), 1/0 as 1.0/0.0; NaN for others and gaps.

    values: shape (n_rows,) text or numbers -> float64 (n_rows,), and a mask of the values that
    were neither missing nor known.
    """
    text = as_text(values)
    out = np.full(len(text), np.nan)
    unknown = np.zeros(len(text), dtype=bool)
    for i, value in enumerate(text):
        if value is None:
            continue
        lower = value.lower()
        if lower in TRUE:
            out[i] = 1.0
        elif lower in {"no", "false", "n", "f", "0"}:
            out[i] = 0.0
        else:
            unknown[i] = True
    return out, unknown


def parse_dates(values):
    """ISO dates as (year, month, day, weekday) floats, shape (n_rows, 4), NaN where missing
    or not an ISO date (those also in the returned mask, shape (n_rows,))."""
    text = as_text(values)
    out = np.full((len(text), 4), np.nan)
    unknown = np.zeros(len(text), dtype=bool)
    for i, value in enumerate(text):
        if value is None:
            continue
        if not ISO_DATE.fullmatch(value):
            unknown[i] = True
            continue
        try:
            day = np.datetime64(value[:10], "D")
        except ValueError:
            unknown[i] = True
            continue
        year, month, date = int(value[:4]), int(value[5:7]), int(value[8:10])
        weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday: Monday is 0
        out[i] = year, month, date, weekday
    return out, unknown
