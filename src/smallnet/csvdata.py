"""Tables from CSV files: numeric features, one target column, and errors that say where.

Accepted: a header row; comma, semicolon or tab between fields (whichever
splits the header into the most fields); UTF-8 with or without a byte-order
mark; quoted fields; LF or CRLF line ends; blank lines (skipped). Every error
names the file, and where it can the line and column::

    data.csv, line 7, column 'petal_width': 'abc' is not a number
"""
import csv
import io
import math
import re
from typing import NamedTuple

import numpy as np

DELIMITERS = ",;\t"
MISSING = {"na", "n/a", "null", "none"}  # spellings of "no value" that spreadsheets and R write
# ASCII digits, an optional point and exponent; float() also takes 1_000 and full-width digits
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


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
    """

    X: np.ndarray
    target: list
    feature_names: list
    target_name: str
    lines: list
    path: str

    def where(self, row, column=None):
        """'path, line N, column NAME' of a row (and a column), to start an error message."""
        place = f"{self.path}, line {self.lines[row]}"
        return place if column is None else f"{place}, column {column!r}"


def read_csv(path, target=None, features=None, ignore=(), check_ignore=False):
    """Read a CSV file with a header into a `Table`.

    Parameters
    ----------
    path : str or path-like
    target : str, optional
        The target column's name; its fields are kept as text.
    features : list of str, optional
        The feature columns the file must have, in this order (a model's). By
        default every column but `target` and `ignore` is a feature.
    ignore : iterable of str
        Columns left out if present (say, a model's target at prediction time).
    check_ignore : bool
        Whether every `ignore` name must be a column (a user's list, where a typo should not pass).

    Raises
    ------
    ValueError
        Empty file, not UTF-8, ragged row, missing target, feature or checked ignored columns,
        no feature column, a feature value that is missing, not a number, NaN,
        infinite or too large, or a missing target value.
    """
    path = str(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")  # drops a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x})") from None
    rows = _rows(path, text)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    header_line, header = rows[0]
    header = [name.strip() for name in header]
    _check_header(path, header_line, header)
    if target is not None and target not in header:
        raise ValueError(f"{path}, line {header_line}: target column {target!r} not found; "
                         f"the columns are: {', '.join(header)}")
    unknown = [name for name in ignore if name not in header] if check_ignore else []
    if unknown:
        raise ValueError(f"{path}, line {header_line}: no column {', '.join(map(repr, unknown))} to ignore; "
                         f"the columns are: {', '.join(header)}")
    skipped = {target, *ignore}
    if features is None:
        features = [name for name in header if name not in skipped]
    else:
        features = list(features)
        missing = [name for name in features if name not in header]
        unexpected = [name for name in header if name not in features and name not in skipped]
        if missing or unexpected:
            parts = ([f"missing {', '.join(map(repr, missing))}"] if missing else []) + (
                [f"unexpected {', '.join(map(repr, unexpected))}"] if unexpected else [])
            raise ValueError(f"{path}, line {header_line}: the columns differ from the model's features "
                             f"({'; '.join(parts)}); the model expects: {', '.join(features)}")
    if not features:
        raise ValueError(f"{path}, line {header_line}: no feature columns; the columns are: {', '.join(header)}")
    data = rows[1:]
    if not data:
        raise ValueError(f"{path}: no data rows after the header (line {header_line})")
    columns = [header.index(name) for name in features]
    target_column = None if target is None else header.index(target)
    X = np.empty((len(data), len(columns)))
    labels = [] if target is not None else None
    for i, (line, fields) in enumerate(data):
        if len(fields) != len(header):
            raise ValueError(f"{path}, line {line}: {len(fields)} fields, but the header has {len(header)}")
        for j, column in enumerate(columns):
            try:
                X[i, j] = parse_number(fields[column])
            except ValueError as exc:
                raise ValueError(f"{path}, line {line}, column {header[column]!r}: {exc}") from None
        if target_column is not None:
            label = fields[target_column].strip()
            if not label or label.lower() in MISSING:  # NA would otherwise become a class of its own
                raise ValueError(f"{path}, line {line}, column {target!r}: missing value"
                                 + (f" ({label!r})" if label else ""))
            labels.append(label)
    return Table(X, labels, features, target, [line for line, _ in data], path)


def parse_number(text):
    """float(text), or a ValueError saying why not: missing, not a number, NaN or infinite, too large.

    Only plain decimal numbers (ASCII digits, a point, an exponent) are numbers.
    """
    text = text.strip()
    if not text:
        raise ValueError("missing value")
    if text.lower() in MISSING:
        raise ValueError(f"missing value ({text!r})")
    if not PLAIN_NUMBER.fullmatch(text):
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValueError(f"{text!r}: NaN and infinity are not allowed")
        if PLAIN_NUMBER.fullmatch(text.replace(",", ".")):
            raise ValueError(f"{text!r} is not a number (use a decimal point)")
        if _is_float(text):  # 1_000, full-width digits: Python reads them, other programs don't
            raise ValueError(f"{text!r} is not a plain number (write ASCII digits only, like 1000 or 2.5)")
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


def _rows(path, text):
    """[(line number, fields)] of the non-blank records, split at the header's delimiter."""
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        return []
    # The delimiter that splits the header into the most fields; a tie (one column) keeps the comma.
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([first], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)  # bad quotes: an error
    rows, line = [], 1
    try:
        for fields in reader:
            if fields and not (len(fields) == 1 and not fields[0].strip()):  # skip blank lines
                rows.append((line, fields))
            line = reader.line_num + 1  # the next record starts after this one's last line
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: {exc}") from None
    return rows


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
