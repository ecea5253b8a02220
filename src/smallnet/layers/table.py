"""TableEncoder: a table's raw columns (text, gaps, dates) as numbers, the first layer of a network.

fastai's three steps, saved with the model: FillMissing (a median, and a ``<col>_na`` column where
training had gaps), Normalize (numbers standardized), Categorify (levels counted from 1, 0 the
unknown). Few levels are one-hot, many are embedded in vectors that train with the network.
"""

import itertools
import os
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..columns import (
    ColumnWarning,
    as_numbers,
    as_text,
    infer_types,
    parse_boolean,
    parse_dates,
)
from ..csvdata import Table, read_csv
from ..fields import MISSING_MARKERS, join, quoted
from .base import Layer
from .standardize import column_moments

ONEHOT_MAX = 10  # levels up to which a category is one-hot; small data trains them reliably
MAX_LEVELS = 100  # the most frequent levels kept (AutoGluon's cap); the rest are "other"
DATE_PARTS = ("year", "month", "day", "weekday")
PARALLEL_ROWS = 50_000  # from here columns are fitted on every core (NumPy's medians free the GIL)


def embedding_size(levels):
    """fastai's rule of thumb for the size of a category's vectors."""
    return min(600, round(1.6 * levels**0.56))


class TableEncoder(Layer):
    """Turns a table's columns into the numbers the layers above take; nothing to train but the
    embeddings of categories with many levels.

    Give the network a pandas DataFrame, a dict of columns, a `smallnet.csvdata.Table`, or a 2-D
    array whose columns are `columns` in order: `prepare` encodes it, at fit, predict and
    evaluate alike. Columns it doesn't use are passed over. Outputs: first, column by column,
    each number, boolean (0/1) or date's parts, standardized, each followed by a 0/1 column
    where training had gaps (their gaps are filled with the training median); then each category
    as one-hot columns, or as `embedding_size(levels)` trained numbers (see `output_names`). A
    level not seen in training (or merged as rare) is "unknown": all zeros, or the merged levels'
    column (one-hot), or a vector of its own (embedded); a gap in a category that had none is
    unknown too. Both warn.

    Build it with `from_data`; ``TableEncoder(columns)`` takes `config()`'s column records.
    """

    arrays = ("fill", "center", "scale", "embeddings")

    def __init__(self, columns, left_out=(), markers=MISSING_MARKERS, name=None):
        super().__init__(name)
        self.columns, self.left_out, self.markers = list(columns), list(left_out), tuple(markers)
        numeric = [c for c in self.columns if c["kind"] != "category"]
        self.n_numeric = sum(len(_parts(c)) + c["gaps"] for c in numeric)
        self.input_dim = self.n_numeric + len(self.columns) - len(numeric)
        self.units = self.n_numeric + sum(
            _width(c) for c in self.columns if c["kind"] == "category"
        )
        self.fill = self.center = self.scale = np.zeros(self.n_numeric)
        self.embeddings = None
        self._layout = _layout(self.columns, self.n_numeric)

    # -- fitting ---------------------------------------------------------------------------

    @classmethod
    def from_data(
        cls, data, target=None, ignore=(), categorical=(), numeric=(), na_values=None, types=None
    ):
        """The encoder of a table's training rows: column types inferred (`smallnet.columns`),
        levels counted, medians and spreads taken.

        Parameters
        ----------
        data : DataFrame, dict of array-like (n_rows,), `smallnet.csvdata.Table`, or a CSV path
        target : str, optional
            A column to pass over (the one the network predicts).
        ignore, categorical, numeric : iterable of str
            Columns to pass over; to take as categories; to take as numbers.
        na_values : sequence of str, optional
            Fields besides empty ones that count as missing (default `MISSING_MARKERS`).
        types : list of `smallnet.columns.ColumnType`, optional
            The columns' types, if inferred already (from `infer_types`, say on more rows).
        """
        markers = MISSING_MARKERS if na_values is None else tuple(na_values)
        if isinstance(data, str) or hasattr(data, "__fspath__"):
            data = read_csv(data, target=target, text=categorical, na_values=markers)
        columns, where = _columns(data)
        skipped = {target, *ignore}
        columns = {name: values for name, values in columns.items() if name not in skipped}
        if not columns:
            raise ValueError("no feature columns to encode")
        if types is None:
            types = infer_types(columns, where, categorical, numeric, markers)
        else:  # inferred on more rows than the encoding is fitted on (the training ones)
            types = [t for t in types if t.name in columns]
        if not any(t.used for t in types):
            raise ValueError(
                "no column is usable: "
                + ", ".join(
                    f"{t.name!r} is {'empty' if t.distinct == 0 else t.kind}" for t in types
                )
            )
        used = [t for t in types if t.used]

        def fit(t):
            return _fit_column(t, columns[t.name], where, markers)

        fitted = _each(fit, used, _length(columns))
        records = [record for record, _ in fitted]
        stats = [part for _, parts in fitted for part in parts]
        left_out = [{"name": t.name, "kind": t.kind} for t in types if not t.used]
        encoder = cls(records, left_out, markers)
        if stats:
            fill, center, scale = (np.array(part, dtype=np.float64) for part in zip(*stats))
            encoder.fill, encoder.center, encoder.scale = fill, center, scale
        encoder.types = types
        return encoder

    # -- at the door ----------------------------------------------------------------------

    def prepare(self, X):
        """The network's input for a table `X` (see the class docstring): float64 codes,
        shape (n_rows, input_dim): the numeric outputs, then one category code per column."""
        columns, where = _columns(X, [c["name"] for c in self.columns])
        absent = [c["name"] for c in self.columns if c["name"] not in columns]
        if absent:
            raise ValueError(
                f"the table has no column {quoted(absent)}; the model takes "
                f"{quoted(c['name'] for c in self.columns)}"
            )
        n = _length(columns)
        Z = np.empty((n, self.input_dim))
        j, k = 0, self.n_numeric
        for c in self.columns:
            values = np.asarray(columns[c["name"]])
            if len(values) != n:
                raise ValueError(f"column {c['name']!r} has {len(values)} rows, not {n}")
            if c["kind"] == "category":
                Z[:, k] = self._codes(c, values)
                k += 1
                continue
            width = len(_parts(c))
            gaps = self._numbers(c, values, where, Z[:, j : j + width])
            j += width
            if c["gaps"]:
                Z[:, j] = gaps
                j += 1
        return Z

    def _numbers(self, c, values, where, out):
        """Write a numeric column's parts into `out` (n, 1 or 4), filled and standardized; its
        gaps (n,)."""
        unknown = None
        if c["kind"] == "number":
            bad = []  # a word among numbers: that row's value is a guess, the others' are not lost
            parts = as_numbers(c["name"], values, where, self.markers, bad)[:, None]
            if bad:
                warnings.warn(
                    f"{where(bad[0], c['name'])}: {values[bad[0]]!r} is not a number"
                    + (f" (nor are {len(bad) - 1} more)" if len(bad) > 1 else "")
                    + ": filled with the training median",
                    ColumnWarning,
                    stacklevel=4,
                )
        elif c["kind"] == "boolean":
            parts, unknown = parse_boolean(values)
            parts = parts[:, None]
        else:
            parts, unknown = parse_dates(values)
        gaps = np.isnan(parts[:, 0])
        if unknown is not None and unknown.any():
            what = f"values that aren't a {c['kind']}"
            _warn(c, int(unknown.sum()), what, _examples(values, unknown), filled=True)
        elif gaps.any() and not c["gaps"]:
            _warn(c, int(gaps.sum()), "gaps, where training had none", "", filled=True)
        start = self._offset(c)
        parts_at = slice(start, start + out.shape[1])
        center, scale = self.center[parts_at], self.scale[parts_at]
        standard = parts - center  # contiguous: one strided pass into `out` at the end
        standard /= scale
        if gaps.any() or unknown is not None:
            filled = (self.fill[parts_at] - center) / scale
            np.copyto(standard, np.broadcast_to(filled, standard.shape), where=np.isnan(standard))
        if np.isinf(standard).any():
            i = int(np.argmax(np.isinf(standard).any(axis=1)))
            raise ValueError(f"{where(i, c['name'])}: a value too large to standardize")
        out[...] = standard
        return gaps

    def _offset(self, c):
        """Where the column `c`'s parts start among the numeric outputs."""
        j = 0
        for other in self.columns:
            if other is c:
                return j
            if other["kind"] != "category":
                j += len(_parts(other)) + other["gaps"]
        raise KeyError(c["name"])

    def _codes(self, c, values):
        """A category's codes, shape (n,): 1 + the level's index, 0 for unknown."""
        index = {level: k + 1 for k, level in enumerate(c["levels"])}
        text = as_text(values)
        codes = np.fromiter(map(index.get, text, itertools.repeat(0)), dtype=np.float64,
                            count=len(text))  # fmt: skip
        unknown = codes == 0
        if unknown.any():
            known = set(c["merged"]) | ({None} if c["gaps"] else set())
            unseen = unknown.copy()
            unseen[unknown] = [value not in known for value in text[unknown]]
            if unseen.any():
                _warn(c, int(unseen.sum()), "levels not seen in training",
                      _examples(text, unseen))  # fmt: skip
        return codes

    # -- the layer ------------------------------------------------------------------------

    def check_free(self, network):
        """Also refuse any place but the first: its inputs are codes, not numbers."""
        super().check_free(network)
        if network.layers[0] is not self:
            raise ValueError("a TableEncoder can only be a network's first layer")

    def output_dim(self, input_dim):
        return self.units

    @property
    def embedded(self):
        """Whether some category is embedded in vectors that train (not one-hot): without any,
        the encoder is a fixed transform of the data."""
        return any(column.get("dim") for column in self.columns)

    def array_size(self, input_dim):
        return 3 * self.n_numeric + sum(_table_size(c) for c in self.columns)

    def build(self, input_dim, dtype, rng):
        """Draw the embeddings of the categories with many levels from `rng`."""
        if input_dim != self.input_dim:
            raise ValueError(f"the TableEncoder makes {self.input_dim} inputs, not {input_dim}")
        size = sum(_table_size(c) for c in self.columns)
        self.fill, self.center, self.scale = (
            np.array(a, dtype=np.float64) for a in (self.fill, self.center, self.scale)
        )
        self.embeddings = rng.uniform(-0.05, 0.05, size).astype(dtype) if size else None
        self.params = [self.embeddings] if size else []
        self.steps = [np.zeros_like(self.embeddings)] if size else []

    def bind(self, params, steps):
        super().bind(params, steps)
        self.embeddings = params[0] if params else None

    def _tables(self, arrays):
        """(column index among the codes, output offset, width, lookup table, embedded) of each
        category: a code's row of the table is its output; embedded tables are views of
        `arrays` (the embeddings, or their steps), one-hot ones constant."""
        return [
            (k, offset, width, hot, False)
            if hot is not None
            else (k, offset, width, arrays[at].reshape(shape), True)
            for k, offset, width, hot, at, shape in self._layout
        ]

    def forward(self, x, training=False):
        """x: (n, input_dim) numbers and codes -> (n, units); in training keeps the codes."""
        out = np.empty((len(x), self.units), dtype=x.dtype)
        out[:, : self.n_numeric] = x[:, : self.n_numeric]
        codes = x[:, self.n_numeric :].astype(np.intp)
        for k, offset, width, table, _ in self._tables(self.embeddings):
            out[:, offset : offset + width] = table[codes[:, k]]
        if training:
            self.codes = codes
        return out

    def backward(self, error, error_below=True):
        """error: (n, units) -> None; each embedded code's row gathers the error of its rows."""
        if error_below:
            raise ValueError("a TableEncoder has no error to send down: it is the first layer")
        if not self.steps:
            return None
        step = self.steps[0]
        step[...] = 0
        for k, offset, width, table, embedded in self._tables(step):
            if embedded:
                np.add.at(table, self.codes[:, k], error[:, offset : offset + width])
        return None

    backward_delta = backward  # no activation: the delta at the output is the error itself

    def check_arrays(self, prefix):
        if not (self.scale > 0).all():
            raise ValueError(f"tensor '{prefix}.scale' must be > 0 everywhere")

    def how(self, name):
        """How column `name` is encoded, in words (for `smallnet.columns.describe`)."""
        c = next(c for c in self.columns if c["name"] == name)
        if c["kind"] != "category":
            return f"; gaps filled with the median, plus {name}_na" if c["gaps"] else ""
        merged = f", {len(c['merged'])} rare merged" if c["merged"] else ""
        if c["dim"]:
            return f"; embedded in {c['dim']} numbers{merged}"
        return f"; one-hot{merged}"

    def describe(self):
        """Lines that say how each column is encoded, those left out too (for `info`)."""
        lines = [f"  {c['name']}: {c['kind']}{self.how(c['name'])}" for c in self.columns]
        return lines + [f"  {c['name']}: {c['kind']}, left out" for c in self.left_out]

    def output_names(self):
        """The names of the `units` outputs, in order."""
        names = []
        for c in self.columns:
            if c["kind"] != "category":
                parts = _parts(c)
                names += [c["name"]] if len(parts) == 1 else [f"{c['name']}_{p}" for p in parts]
                names += [f"{c['name']}_na"] if c["gaps"] else []
        for c in self.columns:
            if c["kind"] == "category":
                if c["dim"]:
                    names += [f"{c['name']}_embedding_{i}" for i in range(c["dim"])]
                else:
                    names += [f"{c['name']}={'other' if c['merged'] else ''}"] * bool(c["merged"])
                    names += [f"{c['name']}={'<missing>' if v is None else v}" for v in c["levels"]]
        return names

    def config(self):
        return {
            **super().config(),
            "columns": self.columns,
            "left_out": self.left_out,
            "markers": list(self.markers),
        }

    @classmethod
    def from_config(cls, config):
        return cls(config["columns"], config.get("left_out", ()),
                   config.get("markers", MISSING_MARKERS), config.get("name"))  # fmt: skip


def _parts(c):
    return DATE_PARTS if c["kind"] == "date" else (c["name"],)


def _layout(columns, n_numeric):
    """Each category's (code index, output offset, width, one-hot table or None, slice and
    shape of its embedding table among the embeddings)."""
    layout, offset, start = [], n_numeric, 0
    for k, c in enumerate(cat for cat in columns if cat["kind"] == "category"):
        levels = len(c["levels"]) + 1  # and the unknown, code 0
        if c["dim"]:
            at = slice(start, start + levels * c["dim"])
            layout.append((k, offset, c["dim"], None, at, (levels, c["dim"])))
            start += levels * c["dim"]
        else:  # code 0 is the merged levels' column, or no column: all zeros
            hot = np.eye(levels)[:, 0 if c["merged"] else 1 :]
            layout.append((k, offset, _width(c), hot, None, None))
        offset += _width(c)
    return layout


def _width(c):
    return c["dim"] or len(c["levels"]) + bool(c["merged"])


def _table_size(c):
    return (len(c["levels"]) + 1) * c["dim"] if c["kind"] == "category" else 0


def _each(fit, types, rows):
    """[fit(t) for t in types], on a thread per core for tables of PARALLEL_ROWS `rows` or more;
    the first error is raised, as the loop would."""
    # the cores this process may run on (a container's share), not the machine's
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2 or rows < PARALLEL_ROWS:
        return [fit(t) for t in types]
    with ThreadPoolExecutor(min(cores, len(types))) as pool:
        return list(pool.map(fit, types))


def _fit_column(t, values, where, markers):
    """(the column's record, [(fill, center, scale)] of its numeric outputs)."""
    record = {"name": t.name, "kind": t.kind, "gaps": bool(t.missing)}
    if t.kind == "category":
        text = as_text(values)
        counts = Counter(text)
        ranked = sorted(counts, key=lambda v: (-counts[v], v is None, "" if v is None else v))
        rare = len(ranked) > ONEHOT_MAX
        kept = [v for v in ranked if not rare or counts[v] > 1][:MAX_LEVELS]
        record["merged"] = sorted(v for v in counts if v not in kept and v is not None)
        record["levels"] = sorted(kept, key=lambda v: (v is None, "" if v is None else v))
        levels = len(kept) + 1
        record["dim"] = embedding_size(levels) if levels - 1 > ONEHOT_MAX else 0
        return record, []
    if t.kind == "number":
        parts = as_numbers(t.name, values, where, markers)[:, None]
    elif t.kind == "boolean":
        parts = parse_boolean(values)[0][:, None]
    else:
        parts = parse_dates(values)[0]
    stats = []
    for j in range(parts.shape[1]):
        column = parts[:, j]
        gaps = np.isnan(column)
        if gaps.any():
            fill = float(np.median(column[~gaps])) if not gaps.all() else 0.0
            filled = np.where(gaps, fill, column)
        else:
            fill, filled = float(np.median(column)), column
        mean, std = column_moments(filled[:, None])
        if not (np.isfinite(mean) & np.isfinite(std)).all():
            raise ValueError(
                f"column {t.name!r} holds values too large to standardize or train on (up to "
                f"{np.abs(filled).max():.3g}); rescale them, say to thousands"
            )
        stats.append((fill, float(mean[0]), float(std[0]) if std[0] > 0 else 1.0))
    if t.missing:
        stats.append((0.0, 0.0, 1.0))  # the gaps' 0/1 column, as it is
    return record, stats


def _columns(data, names=None):
    """({name: values}, where) of a table in any of the forms `TableEncoder` takes."""
    if isinstance(data, Table):
        return data.columns, data.where
    if hasattr(data, "iloc"):  # a pandas DataFrame
        columns = {str(name): _frame_column(data[name]) for name in data.columns}
    elif isinstance(data, dict):
        columns = {str(name): values for name, values in data.items()}
    elif isinstance(data, str) or hasattr(data, "__fspath__"):
        raise ValueError(
            f"a table is a DataFrame, a dict of columns or a 2-D array, not the path "
            f"{str(data)!r}: read the file first, with smallnet.csvdata.read_csv (row names "
            f"and gaps as `smallnet train` reads them) or pandas.read_csv"
        )
    else:
        array = np.asarray(data)
        array = array if array.dtype.kind in "biuf" else array.astype(object)
        if array.ndim != 2 or names is None or array.shape[1] != len(names):
            expected = "" if names is None else f" of {len(names)} columns ({join(names)})"
            raise ValueError(
                f"a table is a DataFrame, a dict of columns or a 2-D array{expected}; got "
                f"{type(data).__name__} of shape {array.shape}"
            )
        columns = dict(zip(names, array.T))
    return columns, lambda row, name: f"row {row}, column {name!r}"


def _frame_column(series):
    """A DataFrame column as NumPy; in an object column every gap (pd.NA, NaT, NaN) is None,
    not a level "<NA>"."""
    values = series.to_numpy()
    if values.dtype == object:
        values = series.astype(object).where(series.notna(), None).to_numpy()
    return values


def _length(columns):
    return len(next(iter(columns.values())))


def _examples(values, mask):
    shown = list(dict.fromkeys(str(v) for v in np.asarray(values, dtype=object)[mask]))
    return f" ({join(map(repr, shown), head=3, tail=0)})"


def _warn(c, count, what, examples, filled=False):
    rows = f"{count} row{'s' if count != 1 else ''}"
    outcome = "filled with the training median" if filled else "encoded as unknown"
    warnings.warn(
        f"column {c['name']!r}: {rows} with {what}{examples}: {outcome}",
        ColumnWarning,
        stacklevel=4,
    )
