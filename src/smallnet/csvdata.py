"""Tables from CSV files: numeric features, one target column, and errors that say where.

Accepted: a header row; comma, semicolon or tab between fields (see `_delimiter`);
UTF-8 with or without a byte-order mark; quoted fields, however large; LF or
CRLF line ends; blank lines (skipped); "-" for standard input. Every error
names the file, and where it can the line and column::

    data.csv, line 7, column 'petal_width': 'abc' is not a number
"""

import csv
import io
import itertools
import math
import re
import sys
from typing import NamedTuple

import numpy as np

# In rising preference: names and decimal numbers may hold commas, rarely tabs or semicolons.
DELIMITERS = ",;\t"
SAMPLE = 20  # records the delimiter is chosen on
# Spellings of "no value" that spreadsheets, R and the UCI repository's files write; in any case.
MISSING_MARKERS = ("NA", "N/A", "null", "none", "?")
MISSING = {marker.lower() for marker in MISSING_MARKERS}
MISSING_WORDS = f"empty fields and {', '.join(MISSING_MARKERS)} count as missing"
NOT_FINITE = ("nan", "inf", "infinity")  # float() reads them; a table of data should not hold them
# ASCII digits, an optional point and exponent; float() also takes 1_000 and full-width digits
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# 1,000 and 12,345.5, not 3,5 or 0,500
THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")


class Table(NamedTuple):
    """What `read_csv` returns.

    X : ndarray, shape (n_rows, n_features)
        The feature columns as float64, in the order of `feature_names`.
    target : list of str or None
        The target column's fields, stripped of surrounding spaces.
    feature_names : list of str
    target_name : str or None
    lines : list of int
        The file line each row starts on, for error messages.
    path : str
        The file's name for messages ("<stdin>" for standard input).
    ignored : list of str
        The columns that `ignore` named.
    kept : dict
        {name: the column's fields as written} for the columns that `keep` named.
    """

    X: np.ndarray
    target: list
    feature_names: list
    target_name: str
    lines: list
    path: str
    ignored: list
    kept: dict

    def where(self, row, column=None):
        """'path, line N, column NAME' of a row (and a column), to start an error message."""
        place = f"{self.path}, line {self.lines[row]}"
        return place if column is None else f"{place}, column {column!r}"


class ColumnMismatch(ValueError):
    """The file's columns are not the features asked for.

    `unexpected` lists the columns nobody asked for.
    """

    def __init__(self, message, unexpected):
        super().__init__(message)
        self.unexpected = unexpected


def read_csv(path, target=None, features=None, skip=(), ignore=(), keep=()):
    """Read a CSV file with a header into a `Table`.

    Parameters
    ----------
    path : str or path-like
        "-" reads standard input.
    target : str, optional
        The target column's name; its fields are kept as text.
    features : list of str, optional
        The feature columns the file must have, in this order (a model's). By
        default every column but `target`, `skip`, `ignore` and `keep` is a feature.
    skip : iterable of str
        Columns left out if present (say, a model's target and ignored columns at prediction time).
    ignore, keep : iterable of str
        A user's columns to leave out, or to keep as text in `Table.kept`: each item is a CSV row
        of names (``id,"name, full"``), or one name when the whole item is a column's name. Every
        name must be a column, where a typo should not pass.

    Raises
    ------
    ValueError
        Empty file, not UTF-8, ragged row, missing target, feature, ignored or kept columns,
        the target or a feature among the ignored ones, no feature column, a feature value that is
        missing, not a number, NaN, infinite or too large, or a missing target value.
        `ColumnMismatch` when the columns are not the `features` given.
    """
    path, text = _text(path)
    rows = _rows(path, text)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    header_line, header = rows[0]
    header = [name.strip() for name in header]
    _check_header(path, header_line, header)
    at = f"{path}, line {header_line}"
    if target is not None and target not in header:
        raise ValueError(
            f"{at}: target column {target!r} not found; the columns are: {quoted(header)}"
        )
    ignore, keep = _columns(at, ignore, header, "ignore"), _columns(at, keep, header, "keep")
    if target in ignore:
        raise ValueError(f"{at}: column {target!r} is the target; it can't also be ignored")
    skipped = {
        target,
        *skip,
        *ignore,
        *keep,
    }  # a kept column is a feature only if `features` names it
    if features is None:
        features = [name for name in header if name not in skipped]
    else:
        features = list(features)
        both = [name for name in ignore if name in features]
        if both:
            raise ValueError(
                f"{at}: column {quoted(both)} is one of the model's features; it can't be ignored"
            )
        missing = [name for name in features if name not in header]
        unexpected = [name for name in header if name not in features and name not in skipped]
        if missing or unexpected:
            parts = ([f"missing {quoted(missing)}"] if missing else []) + (
                [f"unexpected {quoted(unexpected)}"] if unexpected else []
            )
            raise ColumnMismatch(
                f"{at}: the columns differ from the model's features ({'; '.join(parts)}); "
                f"the model expects: {quoted(features)}",
                unexpected,
            )
    if not features:
        raise ValueError(f"{at}: no feature columns; the columns are: {quoted(header)}")
    data = rows[1:]
    if not data:
        raise ValueError(f"{path}: no data rows after the header (line {header_line})")
    columns = [header.index(name) for name in features]
    target_column = None if target is None else header.index(target)
    X = np.empty((len(data), len(columns)))
    labels = [] if target is not None else None
    kept = {name: [] for name in keep}
    kept_columns = [(header.index(name), values) for name, values in kept.items()]
    for i, (line, fields) in enumerate(data):
        if len(fields) != len(header):
            raise ValueError(
                f"{path}, line {line}: {len(fields)} fields, but the header has {len(header)}"
            )
        for j, column in enumerate(columns):
            try:
                X[i, j] = parse_number(fields[column])
            except ValueError as exc:
                raise ValueError(f"{path}, line {line}, column {header[column]!r}: {exc}") from None
        if target_column is not None:
            label = fields[target_column].strip()
            if (
                not label or label.lower() in MISSING
            ):  # NA would otherwise become a class of its own
                raise ValueError(f"{path}, line {line}, column {target!r}: {_missing(label)}")
            if (
                label.lower().lstrip("+-") in NOT_FINITE
            ):  # pandas writes a missing value as nan: not a class either
                raise ValueError(
                    f"{path}, line {line}, column {target!r}: {label!r}: NaN and infinity are not "
                    f"allowed ({MISSING_WORDS}, and a missing target is an error)"
                )
            labels.append(label)
        for column, values in kept_columns:
            values.append(fields[column])
    return Table(X, labels, features, target, [line for line, _ in data], path, ignore, kept)


def quoted(names):
    """Column names quoted, as they may hold commas: "'a', 'b, c'".

    A long list is cut (see `join`).
    """
    return join(map(repr, names))


def join(texts, head=6, tail=3):
    """Texts joined by ", "; a long list shows its first and last few and the count.

    For example: "a, b, ..., z (40 in all)".
    """
    texts = list(texts)
    if len(texts) <= head + tail + 1:
        return ", ".join(texts)
    return ", ".join([*texts[:head], "...", *texts[-tail:]]) + f" ({len(texts)} in all)"


def parse_number(text):
    """float(text), or a ValueError saying why not.

    Why not: missing, not a number, NaN or infinite, too large. Only plain decimal numbers
    (ASCII digits, a point, an exponent) are numbers.
    """
    text = text.strip()
    if not text:
        raise ValueError("missing value")
    if text.lower() in MISSING:
        raise ValueError(_missing(text))
    if not PLAIN_NUMBER.fullmatch(text):
        if text.lower().lstrip("+-") in NOT_FINITE:
            raise ValueError(f"{text!r}: NaN and infinity are not allowed")
        if THOUSANDS.fullmatch(text):  # before the decimal comma: 1,000 is not 1.000
            raise ValueError(
                f"{text!r} is not a number "
                f"(remove the thousands separator: {text.replace(',', '')})"
            )
        if PLAIN_NUMBER.fullmatch(text.replace(",", ".")):
            raise ValueError(f"{text!r} is not a number (use a decimal point)")
        if _is_float(text):  # 1_000, full-width digits: Python reads them, other programs don't
            raise ValueError(
                f"{text!r} is not a plain number (write ASCII digits only, like 1000 or 2.5)"
            )
        raise ValueError(f"{text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large for a float")
    return value


def format_csv(header, rows):
    """CSV text (comma-separated, LF line ends) of a header and rows of values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _missing(text):
    """The message for a missing value, saying which markers count as missing."""
    return f"missing value ({text!r}; {MISSING_WORDS})" if text else "missing value"


def _text(path):
    """(the name for messages, the text) of a file, or of standard input for "-"."""
    if str(path) == "-":
        path, raw = "<stdin>", sys.stdin.buffer.read()
    else:
        path = str(path)
        with open(path, "rb") as f:
            raw = f.read()
    try:
        return path, raw.decode("utf-8-sig")  # drops a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x})"
        ) from None


def _rows(path, text):
    """[(line number, fields)] of the non-blank records."""
    # The whole file is in memory already: a field may be as large as it is (csv stops at 131072).
    try:
        previous = csv.field_size_limit(sys.maxsize)
    except OverflowError:  # where a C long has 32 bits (Windows)
        previous = csv.field_size_limit(2**31 - 1)
    try:
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=_delimiter(text),
            strict=True,  # bad quotes are an error
        )
        rows, line = [], 1
        for fields in reader:
            if not _blank(fields):
                rows.append((line, fields))
            line = reader.line_num + 1  # the next record starts after this one's last line
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: {exc}") from None
    finally:
        csv.field_size_limit(previous)  # as it was, for other code in the process
    return rows


def _delimiter(text):
    """The delimiter that best splits the first SAMPLE records into fields.

    Best is most records split into as many fields as the header, more than one; a tie goes to
    tab, then semicolon, then comma, which names and decimal numbers may hold.
    """

    def score(delimiter):
        counts = []
        try:
            records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            counts = [
                len(fields)
                for fields in itertools.islice(filter(lambda f: not _blank(f), records), SAMPLE)
            ]
        except csv.Error:  # read with this delimiter again, the error is said with its line
            pass
        agreeing = sum(n == counts[0] for n in counts) if counts and counts[0] > 1 else 0
        return agreeing, DELIMITERS.index(delimiter)

    return max(DELIMITERS, key=score)


def _blank(fields):
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _columns(at, values, header, verb):
    """The column names in a user's lists (see `read_csv`'s `ignore`), each once.

    A name that isn't a column is an error.
    """
    names = []
    for value in values:
        whole = value.strip()
        # Not strict, so never an error.
        rows = csv.reader(io.StringIO(value, newline=""), skipinitialspace=True)
        names += (
            [whole]
            if whole in header
            else [name.strip() for row in rows for name in row if name.strip()]
        )
    unknown = [name for name in names if name not in header]
    if unknown:
        raise ValueError(
            f"{at}: no column {quoted(unknown)} to {verb}; the columns are: {quoted(header)}"
        )
    return list(dict.fromkeys(names))


def _check_header(path, line, header):
    for i, name in enumerate(header):
        if not name:
            raise ValueError(f"{path}, line {line}: column {i + 1} has no name")
        if name in header[:i]:
            raise ValueError(f"{path}, line {line}: the column name {name!r} appears twice")


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
