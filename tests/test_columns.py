"""Column types: each kind inferred from the training rows, the overrides, the refusals."""

import warnings

import numpy as np
import pytest

from smallnet.columns import (
    MIN_ID_ROWS,
    ColumnType,
    ColumnWarning,
    as_text,
    describe,
    infer_types,
    parse_boolean,
    parse_dates,
)
from smallnet.csvdata import read_csv

N = 24  # rows: enough for a distinct value on every row to be an identifier
assert N >= MIN_ID_ROWS


def where(row, name):
    return f"row {row}, column {name!r}"


def _text(values):
    return np.array(values, dtype=object)


def _types(columns, **kw):
    """{name: (kind, missing, distinct)} of `columns`, no warning allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {t.name: (t.kind, t.missing, t.distinct) for t in infer_types(columns, where, **kw)}


KINDS = {
    "number": (np.r_[np.nan, np.arange(1, N) * 0.5], ("number", 1, None)),
    "number_text": (_text(["1.5", "-2", "3e2", None] * (N // 4)), ("number", N // 4, None)),
    "few_integers": (np.arange(N) % 3.0, ("number", 0, None)),
    "category": (_text(["red", "blue", None] * (N // 3)), ("category", N // 3, 2)),
    "yes_no": (_text(["yes", "No", "YES", None] * (N // 4)), ("boolean", N // 4, 3)),
    "true_false": (_text(["TRUE", "false"] * (N // 2)), ("boolean", 0, 2)),
    "date": (_text([f"2021-03-{d + 1:02d}" for d in range(N)]), ("date", 0, N)),
    "date_time": (_text(["2021-03-01T10:00:00Z", "2021-03-02 12:30", None] * 8), ("date", 8, 2)),
    "constant": (np.full(N, 3.0), ("constant", 0, 1)),
    "constant_text": (_text(["k"] * N), ("constant", 0, 1)),
    "all_missing": (np.full(N, np.nan), ("constant", N, 0)),
    "all_missing_text": (_text([None] * N), ("constant", N, 0)),
}


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_of_column_is_inferred(name):
    values, expected = KINDS[name]
    assert _types({name: values}) == {name: expected}


def test_a_gap_is_no_value_so_one_value_and_gaps_are_still_a_column():
    # one value everywhere else: whether it was given says something
    assert _types({"c": np.r_[np.nan, np.ones(N - 1)]}) == {"c": ("number", 1, None)}
    assert _types({"c": _text([None] + ["k"] * (N - 1))}) == {"c": ("category", 1, 1)}


@pytest.mark.parametrize(
    "values",
    [
        _text([f"user{i}" for i in range(N)]),  # a distinct text on every row
        np.random.RandomState(0).permutation(np.arange(101.0, 101 + N)),  # the rows counted
    ],
    ids=["text", "counting"],
)
def test_identifiers_are_left_out_with_a_warning(values):
    with pytest.warns(ColumnWarning, match=r"column 'id' left out: it looks like an identifier"):
        types = infer_types({"id": values, "x": np.arange(N) % 5.0}, where)
    assert (types[0].kind, types[0].distinct, types[0].used) == ("identifier", N, False)
    assert types[1].used
    few = {"id": values[: MIN_ID_ROWS - 1]}  # so few rows can be distinct by chance
    assert _types(few)["id"][0] == ("category" if values.dtype == object else "number")


def test_integers_that_skip_a_number_or_have_a_gap_are_no_count():
    skipping = np.arange(N, dtype=float)
    skipping[-1] += 1
    assert _types({"c": skipping})["c"][0] == "number"
    gap = np.arange(N, dtype=float)
    gap[3] = np.nan
    assert _types({"c": gap})["c"][0] == "number"


def test_two_identifiers_are_named_in_one_warning():
    columns = {"a": _text([f"a{i}" for i in range(N)]), "b": np.arange(N, dtype=float)}
    with pytest.warns(
        ColumnWarning, match=r"^columns 'a', 'b' left out: they look like identifiers"
    ) as caught:
        infer_types(columns, where)
    assert len(caught) == 1


def test_overrides_take_a_column_as_categories_or_as_numbers():
    columns = {
        "code": np.arange(N) % 4 + 10.0,
        "id": np.arange(N, dtype=float),
        "words": _text([f"w{i}" for i in range(N)]),
        "digits": _text(["1", "2", "3"] * (N // 3)),
    }
    types = _types(columns, categorical=["code", "id", "words"], numeric=["digits"])
    assert types == {
        "code": ("category", 0, 4),
        "id": ("category", 0, N),  # named: used, not left out
        "words": ("category", 0, N),
        "digits": ("number", 0, None),
    }
    assert _types({"id": columns["id"]}, numeric=["id"]) == {"id": ("number", 0, None)}
    with pytest.raises(ValueError, match=r"^row 0, column 'words': 'w0' is not a number$"):
        infer_types(columns, where, numeric=["words"])


def test_an_override_must_name_a_column_and_not_both_kinds():
    columns = {"a": np.arange(3.0), "b": _text(["x", "y", "z"])}
    with pytest.raises(ValueError, match="^column 'a' can't be both categorical and numeric$"):
        infer_types(columns, where, categorical=["a", "b"], numeric=["a"])
    with pytest.raises(ValueError, match="^no column 'c' to type; the columns are: 'a', 'b'$"):
        infer_types(columns, where, numeric=["c"])


@pytest.mark.parametrize("first", ["12/31/2020", "31.12.2020", "2020/12/31"])
def test_dates_that_are_not_iso_are_refused(first):
    values = _text([first, "1/2/2021", None, "3/4/2021"])
    with pytest.raises(
        ValueError,
        match=rf"^column 'when' holds dates like '{first}', whose order of day and month is not "
        r"sure: write them as ISO dates \(YYYY-MM-DD\), or leave the column out with --ignore$",
    ):
        infer_types({"when": values}, where)
    assert _types({"when": values}, categorical=["when"])["when"][0] == "category"


def test_a_stray_word_among_numbers_is_refused_with_its_row_and_the_ways_out():
    values = _text(["1.5", "2", None, "seven", "4", "5"])
    with pytest.raises(
        ValueError,
        match=r"^row 3, column 'size': 'seven' is not a number; the column's other values are "
        r"numbers: fix this one, count it as missing with --na-values, or take the column as "
        r"categories with --categorical size$",
    ):
        infer_types({"size": values}, where)
    assert _types({"size": values}, categorical=["size"])["size"] == ("category", 1, 5)
    assert _types({"size": _text(["1", "x", "y"])})["size"][0] == "category"  # words: most


def test_a_stray_word_in_a_file_is_named_by_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("size,y\n1,a\n2,b\n\n3,a\nabout 4,b\n5,a\n")
    table = read_csv(path, target="y")
    with pytest.raises(ValueError, match=rf"^{path}, line 6, column 'size': 'about 4' is not a"):
        infer_types(table.columns, table.where)


def test_describe_says_what_each_column_is():
    types = [
        ColumnType("age", "number", 2, 40),
        ColumnType("colour", "category", 1, 3),
        ColumnType("member", "boolean", 0, 2),
        ColumnType("joined", "date", 0, 30),
        ColumnType("id", "identifier", 0, 30),
        ColumnType("site", "constant", 5, 1),
    ]
    assert describe(types) == [
        "columns: 4 used, 2 left out",
        "  age     number; 2 missing",
        "  colour  category, 3 levels; 1 missing",
        "  member  boolean",
        "  joined  date (year, month, day, weekday)",
        "  id      identifier: left out (a distinct value on every row)",
        "  site    constant: left out (one value, or none)",  # its gaps don't matter
    ]


def test_describe_adds_how_an_encoder_uses_a_column():
    class Encoder:
        def how(self, name):
            return f"; encoded {name}"

    lines = describe(
        [ColumnType("a", "number", 1, 3), ColumnType("b", "constant", 0, 1)], Encoder()
    )
    assert lines == [
        "columns: 1 used, 1 left out",
        "  a  number; encoded a; 1 missing",
        "  b  constant: left out (one value, or none)",
    ]


def test_as_text_writes_numbers_as_people_do():
    values = [1.0, 2.5, np.nan, None, True, np.float32(3), " x ", "", 7]
    assert as_text(values).tolist() == ["1", "2.5", None, None, "true", "3", "x", None, "7"]


def test_booleans_and_dates_as_numbers():
    values, unknown = parse_boolean(_text(["Yes", "no", "T", "f", "1", 0, None, "maybe"]))
    np.testing.assert_array_equal(values, [1, 0, 1, 0, 1, 0, np.nan, np.nan])
    assert unknown.tolist() == [False] * 7 + [True]
    parts, unknown = parse_dates(_text(["2024-01-01", "2024-02-29T23:59", None, "2023-02-30"]))
    np.testing.assert_array_equal(parts[:2], [[2024, 1, 1, 0], [2024, 2, 29, 3]])  # Mon, Thu
    assert np.isnan(parts[2:]).all() and unknown.tolist() == [False, False, False, True]
