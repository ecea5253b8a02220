"""Tables from CSV files as people write them, and errors that say where.

Accepted: a header row; comma, semicolon or tab between fields (see `_delimiter`); UTF-8 with
or without a byte-order mark; quoted fields; LF or CRLF line ends; blank lines (skipped); "-" for
standard input; a first column with an empty name (as pandas' ``to_csv`` and R's ``write.csv``
write row numbers): the rows' names, not a feature. pandas (the ``[io]`` extra) parses the file:
its C reader makes a file of a few hundred thousand rows quick to read. Every error names the
file, and where it can the line (with the row's name) and column::

    data.csv, line 7 (row '5'), column 'petal_width': 'abc' is not a number
"""

import collections
import csv
import functools
import io
import itertools
import sys
import warnings

import numpy as np

from .csvlines import blank, check_widths, decode, raise_not_utf8, raise_ragged, record_lines
from .fields import (
    MISSING_MARKERS,
    PLAIN_CHARACTERS,
    missing_set,
    missing_words,
    parse_number,
    quoted,
)

# In rising preference: names and decimal numbers may hold commas, rarely tabs or semicolons.
DELIMITERS = ",;\t"
SAMPLE = 20  # records the delimiter is chosen on
HEAD_BYTES = 1 << 16  # what the header and the delimiter are read from


class Table:
    """What `read_csv` returns: a table's feature columns as read, its target, and where rows are.

    Attributes
    ----------
    columns : dict of str to ndarray of shape (n_rows,) each
        The feature columns, in the order of `feature_names`: float64 (NaN where missing) for
        a column of numbers, else an object array of str (None where missing).
    target : list of str or None
        The target column's fields as written, stripped of surrounding spaces; None where
        missing. (For a column of numbers they are read from the file again when first asked for:
        `target_values` has the numbers.)
    target_values : ndarray of shape (n_rows,), or None
        The target column: float64 (NaN where missing) when every field is a number, else an
        object array of `target`'s str and None.
    feature_names, target_name, path, ignored
        The features' names; the target's; the file's name for messages ("<stdin>" for
        standard input); the columns that `ignore` named.
    kept : dict
        {name: the column's fields as written} for the columns that `keep` named.
    row_names : list of str or None
        The values of the file's unnamed first column, if it has one.
    markers : tuple of str
        The fields that counted as missing, besides empty ones.
    """

    def __init__(self, columns, target_values, target_name, path, ignored, kept, row_names,
                 markers, source, delimiter, header=None, picked=None):  # fmt: skip
        self.columns, self.target_values, self.target_name = columns, target_values, target_name
        self.path, self.ignored, self.kept = path, ignored, kept
        self.row_names, self.markers = row_names, markers
        self._source, self._delimiter, self._header = source, delimiter, header
        self._picked = picked  # the rows of the file this table holds, if not all (see `take`)

    @functools.cached_property
    def target(self):
        values = self.target_values
        if values is None or values.dtype == object:
            return None if values is None else list(values)
        text = self.target_as_text()  # labels as written (007, 1.0), not the numbers they read as
        return list(text if self._picked is None else text[self._picked])

    def target_as_text(self):
        """The target column of the whole file, read again as text: str, None where missing."""
        name = self.target_name
        frame = _parse(self.path, self._source, self._delimiter, self._header, self.markers,
                       {name}, usecols=[name])  # fmt: skip
        return _values(self, name, frame[name], missing_set(self.markers))

    @property
    def target_gaps(self):
        """Where the target has no value: bool array, shape (n_rows,)."""
        values = self.target_values
        return np.isnan(values) if values.dtype.kind == "f" else values == None  # noqa: E711

    @property
    def feature_names(self):
        return list(self.columns)

    def __len__(self):
        values = self.target_values
        return len(values) if values is not None else _length(self.columns)

    @functools.cached_property
    def lines(self):
        """The file line each row starts on (found again on the first error that needs it)."""
        lines, _ = record_lines(self._source, self._delimiter)
        n = len(self) if self._picked is None else self._picked.max(initial=-1) + 1
        lines = lines if len(lines) >= n else list(range(2, n + 2))
        return lines if self._picked is None else [lines[i] for i in self._picked]

    def take(self, rows):
        """The table of `rows` (int array, shape (k,)) only, errors still naming their lines."""
        rows = np.asarray(rows, dtype=np.intp)
        return Table(
            {name: values[rows] for name, values in self.columns.items()},
            None if self.target_values is None else self.target_values[rows],
            self.target_name, self.path, self.ignored,
            {name: [values[i] for i in rows] for name, values in self.kept.items()},
            None if self.row_names is None else [self.row_names[i] for i in rows],
            self.markers, self._source, self._delimiter, self._header,
            rows if self._picked is None else self._picked[rows],
        )  # fmt: skip

    def where(self, row, column=None):
        """'path, line N (row NAME), column NAME' of a row (and a column), to start an error."""
        named = f" (row {self.row_names[row]!r})" if self.row_names is not None else ""
        place = f"{self.path}, line {self.lines[row]}{named}"
        return place if column is None else f"{place}, column {column!r}"

    @functools.cached_property
    def X(self):
        """The features as numbers, shape (n_rows, n_features), float64: for a model that takes
        numbers only. A missing value or a field that isn't a number is an error naming it."""
        X = np.empty((len(self), len(self.columns)))
        for j, (name, values) in enumerate(self.columns.items()):
            X[:, j] = self.numbers(name, values)
        return X

    def numbers(self, name, values):
        """The column `name`'s `values` as float64, shape (n_rows,); NaN is kept where missing
        only if the column is read that way (see `X`: there it is an error)."""
        if values.dtype.kind == "f":
            bad = ~np.isfinite(values)
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"{self.where(i, name)}: {_not_finite(values[i], self.markers)}")
            return values
        out = np.empty(len(values))
        for i, text in enumerate(values):
            if text is None:  # said as for a column of numbers
                raise ValueError(f"{self.where(i, name)}: {_not_finite(np.nan, self.markers)}")
            try:
                out[i] = parse_number(text, self.markers)
            except ValueError as exc:
                raise ValueError(f"{self.where(i, name)}: {exc}") from None
        return out


def _not_finite(value, markers):
    if np.isnan(value):
        return f"missing value ({missing_words(markers)})"
    return f"{value} is infinite or too large for a float"


def _length(columns):
    return len(next(iter(columns.values()))) if columns else 0


class ColumnMismatch(ValueError):
    """The file's columns are not the features asked for.

    `unexpected` lists the columns nobody asked for.
    """

    def __init__(self, message, unexpected):
        super().__init__(message)
        self.unexpected = unexpected


def read_csv(path, target=None, features=None, skip=(), ignore=(), keep=(), text=(),
             na_values=None):  # fmt: skip
    """Read a CSV file with a header into a `Table`.

    Parameters
    ----------
    path : str or os.PathLike
        "-" reads standard input.
    target : str, optional
        The target column's name: numbers if every field is one, else text (see `Table`).
    features : list of str, optional
        The feature columns the file must have, in this order (a model's). By
        default every column but `target`, `skip`, `ignore` and `keep` is a feature.
    skip : iterable of str
        Columns left out if present (say, a model's target and ignored columns at prediction time).
    ignore, keep : iterable of str
        A user's columns to leave out, or to keep as text in `Table.kept`: each item is a CSV row
        of names (``id,"name, full"``), or one name when the whole item is a column's name. Every
        name must be a column, where a typo should not pass.
    text : iterable of str
        Feature columns to read as text even where they hold numbers (categories).
    na_values : sequence of str, optional
        The fields besides empty ones that count as missing, in any case (default
        `MISSING_MARKERS`).

    Raises
    ------
    ValueError
        Empty file, not UTF-8, ragged row, missing target, feature, ignored or kept columns,
        the target or a feature among the ignored ones, no feature column, a number too large.
        `ColumnMismatch` when the columns are not the `features` given.
    """
    markers = MISSING_MARKERS if na_values is None else tuple(na_values)
    path, source, head = _open(path)
    header, delimiter = _header(path, head)
    at = f"{path}, line {header.line}"
    names = header.names
    if target is not None and target not in names:
        raise ValueError(
            f"{at}: target column {target!r} not found; the columns are: {quoted(names)}"
        )
    ignore, keep = _columns(at, ignore, names, "ignore"), _columns(at, keep, names, "keep")
    if target in ignore:
        raise ValueError(f"{at}: column {target!r} is the target; it can't also be ignored")
    features = _features(at, names, features, {target, *skip, *ignore, *keep}, ignore)
    as_text = {*keep, *text} & set(names)
    frame = _parse(path, source, delimiter, header, markers, as_text)
    if frame.empty:
        raise ValueError(f"{path}: no data rows after the header (line {header.line})")
    table = Table({}, None, target, path, ignore, {}, None, markers, source, delimiter, header)
    if header.index:
        table.row_names = [str(name) for name in frame.iloc[:, 0].astype(str)]
    check_widths(path, source, delimiter, frame, len(names) + header.index)
    missing = missing_set(markers)
    table.columns = {name: _values(table, name, frame[name], missing) for name in features}
    if target is not None:
        table.target_values = _target_values(table, frame[target], missing)
    table.kept = {name: _as_written(frame[name]) for name in keep}
    return table


def _features(at, names, features, skipped, ignore):
    """The feature columns: `features` if given (checked against the file's `names`), else every
    column that isn't `skipped`."""
    if features is None:
        features = [name for name in names if name not in skipped]
    else:
        features = list(features)
        both = [name for name in ignore if name in features]
        if both:
            raise ValueError(
                f"{at}: column {quoted(both)} is one of the model's features; it can't be ignored"
            )
        missing = [name for name in features if name not in names]
        unexpected = [name for name in names if name not in features and name not in skipped]
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
        raise ValueError(f"{at}: no feature columns; the columns are: {quoted(names)}")
    return features


def _values(table, name, series, missing):
    """A column as `Table.columns` holds it: float64 with NaN, or str with None."""
    kind = series.dtype.kind
    if kind in "iuf":
        # a float column is a view of pandas' block (NaN already marks gaps): no copy
        values = series.to_numpy() if kind == "f" else series.to_numpy(np.float64, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            i = int(np.argmax(infinite))
            raise ValueError(
                f"{table.where(i, name)}: infinite, or a number too large for a float "
                f"(beyond 1.8e308)"
            )
        return values
    if kind == "b":
        return series.map({True: "true", False: "false"}).to_numpy(dtype=object)
    values = series.to_numpy(dtype=object, na_value=None)
    if _as_they_are(values, missing):
        return values
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if value is not None:
            value = str(value).strip()
            out[i] = None if value.lower() in missing else value
    return out


def _target_values(table, series, missing):
    """`Table.target_values` of the target column as pandas typed it: its numbers, or its text as
    written (read again as text where pandas made some of it something else: True, 1.5)."""
    kind = series.dtype.kind
    numbers = kind in "iu" or (kind == "f" and not np.isinf(series.to_numpy()).any())
    if numbers or (kind not in "iuf" and all(isinstance(v, str) for v in series.dropna().unique())):
        return _values(table, table.target_name, series, missing)
    return table.target_as_text()  # -inf is a label a regression refuses (at target_numbers)


def _as_they_are(values, missing):
    """Whether every field of `values` (object, str or None) is text to keep as it is: none is
    empty, has spaces around it or is one of the `missing` spellings. Numbers as text are
    checked in C; other text one distinct value at a time."""
    present = values[values != None]  # noqa: E711 (elementwise)
    try:
        joined = "\x00".join(present)
    except TypeError:  # not all text
        return False
    if PLAIN_CHARACTERS.fullmatch(joined):  # no spaces or letters: only "" or a marker like -1
        wrapped = f"\x00{joined.lower()}\x00"
        found = (m for m in missing if PLAIN_CHARACTERS.fullmatch(m))
        return not present.size or not any(f"\x00{m}\x00" in wrapped for m in found)
    return not any(value != value.strip() or value.lower() in missing for value in set(present))


def _as_written(series):
    return ["" if value is None else str(value) for value in series.to_numpy(
        dtype=object, na_value=None)]  # fmt: skip


_Header = collections.namedtuple("_Header", "line names index")  # index: row names come first


def _open(path):
    """(the name for messages, what pandas reads, the first bytes)."""
    if str(path) == "-":
        raw = sys.stdin.buffer.read()
        return "<stdin>", raw, _head(io.BytesIO(raw).read)
    path = str(path)
    with open(path, "rb") as f:
        return path, path, _head(f.read)


def _head(read):
    """The first HEAD_BYTES from `read(n)`, and more until a line ends there (a wide header)."""
    head = read(HEAD_BYTES)
    while b"\n" not in head and (more := read(HEAD_BYTES)):
        head += more
    return head


def _header(path, head):
    """The `_Header` (line, names, whether the first column holds row names) and the delimiter."""
    text = decode(path, head, complete=False)
    if len(head) >= HEAD_BYTES:  # a cut record would look ragged
        text = text[: text.rfind("\n") + 1] or text
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for fields in reader:
        if not blank(fields):
            break
        line = reader.line_num + 1
    names = [name.strip() for name in fields]
    index = len(names) > 1 and not names[0]
    if index:
        names = names[1:]
    for i, name in enumerate(names):
        if not name:
            raise ValueError(f"{path}, line {line}: column {i + 1 + index} has no name")
        if name in names[:i]:
            raise ValueError(f"{path}, line {line}: the column name {name!r} appears twice")
    return _Header(line, names, index), delimiter


def _parse(path, source, delimiter, header, markers, as_text, usecols=None):
    """The pandas DataFrame of the file's rows, every column named as in `header`."""
    pandas = require_pandas()
    names = ([""] if header.index else []) + header.names
    spellings = {cased for marker in markers for cased in _cases(marker.strip())}
    try:
        with warnings.catch_warnings():
            # a column whose chunks read differently; typed again after
            warnings.simplefilter("ignore", pandas.errors.DtypeWarning)
            # too many fields on the first row: pandas warns and drops them; refuse it instead
            warnings.simplefilter("error", pandas.errors.ParserWarning)
            return pandas.read_csv(
                io.BytesIO(source) if isinstance(source, bytes) else source,
                sep=delimiter,
                header=None,
                names=names,
                skiprows=header.line,
                index_col=False,
                keep_default_na=False,
                na_values=sorted(spellings | {""}),
                dtype={name: str for name in as_text} | ({"": str} if header.index else {}),
                encoding="utf-8-sig",
                skip_blank_lines=True,
                engine="c",
                usecols=usecols,
            )
    except pandas.errors.EmptyDataError:
        return pandas.DataFrame(columns=names)
    except (pandas.errors.ParserError, pandas.errors.ParserWarning) as exc:
        if "EOF inside string" in str(exc):  # pandas counts rows, not lines: find the line
            lines, _ = record_lines(source, delimiter)  # the open quote's record runs to the end
            line = lines[-1] if lines else header.line
            raise ValueError(f"{path}, line {line}: a quoted field is not closed") from None
        raise_ragged(path, source, delimiter, len(names))
        said = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
        raise ValueError(f"{path}: not a CSV table ({said})") from None
    except UnicodeDecodeError:
        raise_not_utf8(path, source)
        raise


def _cases(marker):
    return {marker, marker.lower(), marker.upper(), marker.capitalize(), marker.title()}


def require_pandas():
    """The pandas module, or an ImportError saying which extra installs it."""
    try:
        import pandas
    except ImportError:
        raise ImportError("reading CSV files needs pandas: pip install 'smallnet[io]'") from None
    return pandas


def format_csv(header, rows):
    """CSV text (comma-separated, LF line ends) of a header and rows of values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


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
                for fields in itertools.islice(filter(lambda f: not blank(f), records), SAMPLE)
            ]
        except csv.Error:  # read with this delimiter again, the error is said with its line
            pass
        agreeing = sum(n == counts[0] for n in counts) if counts and counts[0] > 1 else 0
        return agreeing, DELIMITERS.index(delimiter)

    return max(DELIMITERS, key=score)


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
