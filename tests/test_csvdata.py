"""CSV input: every accepted format variant, and every error naming file, line and column."""

import numpy as np
import pytest

from smallnet import datasets, fields
from smallnet.csvdata import format_csv, read_csv

EXPECTED_X = [[1.5, -2.0], [3.0, 4e-3]]
MISSING = r"missing value \(empty fields and NA, N/A, NaN, null, None, \? count as missing\)$"


def _write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    "content",
    [
        "a,b,y\n1.5,-2,cat\n3,4e-3,dog\n",  # plain
        "a;b;y\n1.5;-2;cat\n3;4e-3;dog\n",  # semicolons
        "a\tb\ty\n1.5\t-2\tcat\n3\t4e-3\tdog\n",  # tabs
        "\ufeffa,b,y\n1.5,-2,cat\n3,4e-3,dog\n",  # byte-order mark
        "a,b,y\r\n1.5,-2,cat\r\n3,4e-3,dog\r\n",  # CRLF
        '"a","b","y"\n"1.5","-2","cat"\n3,"4e-3",dog\n',  # quoted fields
        "a,b,y\n1.5,-2,cat\n3,4e-3,dog\n\n\n  \n",  # trailing blank lines
        " a , b , y \n 1.5 , -2 , cat \n3,4e-3,dog",  # spaces, no final newline
        "y,a,b\ncat,1.5,-2\ndog,3,4e-3\n",  # target first
    ],
)
def test_format_variants(tmp_path, content):
    table = read_csv(_write(tmp_path, content), target="y")
    np.testing.assert_array_equal(table.X, EXPECTED_X)
    assert table.target == ["cat", "dog"]
    assert table.feature_names == ["a", "b"] and table.target_name == "y"


def test_quoted_delimiters_and_newlines_keep_line_numbers(tmp_path):
    path = _write(tmp_path, 'a,y\n1,"one, two"\n2,"three\nfour"\n\n3,x\n,z\n')
    with pytest.raises(ValueError, match=f"{path}, line 7, column 'a': missing value"):
        _ = read_csv(path, target="y").X
    assert read_csv(path, target="y").lines == [2, 3, 6, 7]
    table = read_csv(
        _write(tmp_path, 'a,y\n1,"one, two"\n2,"three\nfour"\n\n3,x\n', "ok.csv"), target="y"
    )
    assert table.target == ["one, two", "three\nfour", "x"] and table.lines == [2, 3, 6]
    assert table.where(2, "y") == f"{table.path}, line 6, column 'y'"


def test_feature_order_follows_the_model_and_extra_columns_can_be_ignored(tmp_path):
    path = _write(tmp_path, "b,y,a\n1,x,2\n3,z,4\n")
    table = read_csv(path, features=["a", "b"], skip=["y"])
    np.testing.assert_array_equal(table.X, [[2, 1], [4, 3]])
    assert table.target is None and read_csv(path, target="y").feature_names == ["b", "a"]


@pytest.mark.parametrize(
    "content,where,message",
    [
        ("a,y\n1e400,x\n", "line 2, column 'a'", "infinite, or a number too large for a float"),
        ("a,y\n-inf,x\n", "line 2, column 'a'", "infinite, or a number too large for a float"),
        ("a,b,y\n1,2,x\n1,2\n", "line 3", "2 fields, but the header has 3"),
        ("a,b,y\n1,2,x,4\n", "line 2", "4 fields, but the header has 3"),  # pandas drops the 4
        ("a,b,y\n1,2,x\n1,2,x,4\n", "line 3", "4 fields, but the header has 3"),
        ("a,b\n1,2\n", "line 1", "target column 'y' not found; the columns are: 'a', 'b'"),
        ("y\nx\n", "line 1", "no feature columns; the columns are: 'y'"),
        ("a,,y\n1,2,3\n", "line 1", "column 2 has no name"),
        ("a,a,y\n1,2,3\n", "line 1", "the column name 'a' appears twice"),
        ('a,y\n1,"x\n', "line 2", "a quoted field is not closed"),
        ('a,y\n1,x\n\n2,"y\nz"\n3,"w\n4,v\n', "line 6", "a quoted field is not closed"),
    ],
)
def test_errors_of_the_file_name_its_line_and_column(tmp_path, content, where, message):
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=f"^{path}, {where}: {message}") as info:
        read_csv(path, target="y")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "content,where,message",
    [
        ("a,y\n1,x\nabc,y\n", "line 3, column 'a'", "'abc' is not a number"),
        ("a;y\n1,5;x\n", "line 2, column 'a'", r"'1,5' is not a number \(use a decimal point\)"),
        ("a,b,y\n1,,x\n", "line 2, column 'b'", MISSING),
        ("a,y\n1,x\n\n nan ,y\n", "line 4, column 'a'", MISSING),  # NaN: a missing marker
        ("a,y\n1,x\n-inf,y\nabc,z\n", "line 3, column 'a'", "'-inf': NaN and infinity are not"),
        ("a,y\n1,x\nInfinity,y\nabc,z\n", "line 3, column 'a'", "'Infinity': NaN and infinity"),
    ],
)
def test_values_that_are_no_numbers_are_read_and_refused_by_X(tmp_path, content, where, message):
    path = _write(tmp_path, content)
    table = read_csv(path, target="y")  # lenient: the columns hold what the file says
    with pytest.raises(ValueError, match=f"^{path}, {where}: {message}") as info:
        _ = table.X
    assert "\n" not in str(info.value)


def test_a_missing_target_is_none(tmp_path):
    table = read_csv(_write(tmp_path, "a,b,y\n1,2,\n3,4,NA\n5,6,x\n7,8, null \n"), target="y")
    assert table.target == [None, None, "x", None]
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4], [5, 6], [7, 8]])


@pytest.mark.filterwarnings("ignore")  # as outside the tests, where pandas only warns
def test_too_many_fields_on_the_first_row_are_refused_not_dropped(tmp_path):
    path = _write(tmp_path, ",a,y\n0,1,x,9\n1,2,z\n")
    with pytest.raises(ValueError, match=f"^{path}, line 2: 4 fields, but the header has 3$"):
        read_csv(path, target="y")


def test_pandas_is_lenient_with_text_after_a_closing_quote(tmp_path):
    # Dropped with the pandas reader: '"x"b' was "',' expected after '\"'"; it reads as xb now.
    assert read_csv(_write(tmp_path, 'a,y\n1,"x"b\n'), target="y").target == ["xb"]


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "the file is empty"),
        ("\n\n  \n", "the file is empty"),
        ("\ufeff", "the file is empty"),
        ("a,b,y\n\n", r"no data rows after the header \(line 1\)"),
    ],
)
def test_empty_files(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=f"^{path}: {message}"):
        read_csv(path, target="y")


def test_not_utf8(tmp_path):
    path = _write(tmp_path, "a,y\n1,x\n2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=f"^{path}, line 3: not UTF-8 text"):
        read_csv(path, target="y")


def test_columns_differing_from_the_model(tmp_path):
    path = _write(tmp_path, "a,c,y\n1,2,x\n")
    with pytest.raises(
        ValueError,
        match=f"^{path}, line 1: the columns differ from the model's features "
        r"\(missing 'b'; unexpected 'c'\); the model expects: 'a', 'b'",
    ) as info:
        read_csv(path, features=["a", "b"], skip=["y"])
    assert info.value.unexpected == ["c"]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_csv(tmp_path / "nope.csv")


def test_format_csv_quotes_what_needs_it(tmp_path):
    text = format_csv(["label", "p"], [["a, b", "0.5"], ['say "hi"', "1"]])
    assert text == 'label,p\n"a, b",0.5\n"say ""hi""",1\n'
    table = read_csv(_write(tmp_path, text), target="label")
    assert table.target == ["a, b", 'say "hi"']


def test_shipped_datasets_as_tables():
    iris = datasets.frame("iris")
    assert (
        iris.X.shape == (150, 4)
        and iris.feature_names[-1] == "petal_width"
        and iris.target_name == "species"
    )
    assert sorted(set(iris.target)) == ["setosa", "versicolor", "virginica"]
    X, y = datasets.load("iris")
    np.testing.assert_array_equal(X, iris.X)
    np.testing.assert_array_equal(y.sum(axis=0), [50, 50, 50])
    assert y[0].tolist() == [1, 0, 0] and y[-1].tolist() == [0, 0, 1]
    for name in ("tutorial", "xor"):
        X, y = datasets.load(name)
        table = datasets.frame(name)
        np.testing.assert_array_equal(table.X, X)
        assert [float(v) for v in table.target] == y.ravel().tolist()
    with pytest.raises(
        ValueError, match="unknown dataset 'mnist'; valid names are: iris, penguins, tutorial, xor"
    ):
        datasets.frame("mnist")


@pytest.mark.parametrize(
    "value,message",
    [
        ("NA", MISSING),
        ("n/a", MISSING),
        ("NULL", MISSING),
        ("nA", MISSING),  # any case
        ("none", MISSING),
        ("?", MISSING),  # as in the UCI repository's files
        ("1_000", r"'1_000' is not a plain number"),
        ("\uff11", r"'\uff11' is not a plain number"),  # a full-width digit one
        ("\u0661", r"'\u0661' is not a plain number"),  # an Arabic-Indic digit one
        ("0x10", r"'0x10' is not a number$"),
    ],
)
def test_missing_value_markers_and_numbers_only_python_reads(tmp_path, value, message):
    path = _write(tmp_path, f"a,y\n1,w\n{value},x\n")
    with pytest.raises(ValueError, match=f"^{path}, line 3, column 'a': {message}"):
        _ = read_csv(path, target="y").X


@pytest.mark.parametrize(
    "value,expected",
    [("+1.5", 1.5), ("-.5", -0.5), ("5.", 5.0), ("1E3", 1000.0), (" 2e-3 ", 0.002)],
)
def test_plain_numbers(tmp_path, value, expected):
    assert read_csv(_write(tmp_path, f"a,y\n{value},x\n"), target="y").X[0, 0] == expected


def test_ignored_names_must_be_columns_skipped_ones_need_not(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,x\n")
    assert read_csv(path, target="y", skip=["b", "zz"]).feature_names == [
        "a"
    ]  # unchecked: if present
    with pytest.raises(
        ValueError,
        match=f"^{path}, line 1: no column 'zz' to ignore; the columns are: 'a', 'b', 'y'",
    ):
        read_csv(path, target="y", ignore=["b", "zz"])


# -- delimiters, thousands separators, user column lists, standard input, large fields -----------


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_commas_in_column_names_do_not_decide_the_delimiter(tmp_path, delimiter):
    rows = (
        ["weight, kg", "height, cm", "label"],
        ["70", "180", "a"],
        ["60", "165", "b"],
        ["80", "175", "a"],
    )
    path = _write(tmp_path, "".join(delimiter.join(row) + "\n" for row in rows))
    table = read_csv(path, target="label")
    assert table.feature_names == ["weight, kg", "height, cm"] and table.target == ["a", "b", "a"]
    with pytest.raises(ValueError, match="the columns are: 'weight, kg', 'height, cm', 'label'$"):
        read_csv(path, target="kind")


@pytest.mark.parametrize(
    "content,header",
    [
        (
            "a;b,y\n1,x\n2,z\n",
            ["a;b", "y"],
        ),  # a semicolon in a comma file's name: the data lines agree on commas
        ("a,b;c\n1,2;3\n4,5;6\n", ["a,b", "c"]),  # both split every line alike: the semicolon wins
        (
            "a,b,y\n1,2,x\n3,4\n",
            ["a", "b", "y"],
        ),  # a ragged line: still the delimiter most lines agree on
        ("y\nx\n", ["y"]),
    ],
)
def test_the_delimiter_is_the_one_the_first_lines_agree_on(tmp_path, content, header):
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=f"the columns are: {fields.quoted(header)}$"):
        read_csv(path, target="nope")


@pytest.mark.parametrize(
    "value,message",
    [
        ('"1,000"', r"'1,000' is not a number \(remove the thousands separator: 1000\)"),
        (
            '"-12,345,678.5"',
            r"'-12,345,678.5' is not a number \(remove the thousands separator: -12345678.5\)",
        ),
        ('"3,5"', r"'3,5' is not a number \(use a decimal point\)"),
        (
            '"0,500"',
            r"'0,500' is not a number \(use a decimal point\)",
        ),  # no one writes 0 thousands
        ('"1,0000"', r"'1,0000' is not a number \(use a decimal point\)"),
    ],
)
def test_thousands_separators_and_decimal_commas_get_their_own_advice(tmp_path, value, message):
    path = _write(tmp_path, f"a,y\n{value},x\n")
    with pytest.raises(ValueError, match=f"^{path}, line 2, column 'a': {message}$"):
        _ = read_csv(path, target="y").X


@pytest.mark.parametrize(
    "ignore",
    [['"name, full",id'], ["name, full", "id"], ["id", " name, full "], ['id, "name, full"']],
)
def test_ignore_takes_csv_rows_of_names_or_one_whole_name(tmp_path, ignore):
    path = _write(tmp_path, 'id,"name, full",a,y\n1,"Doe, J",2,x\n')
    table = read_csv(path, target="y", ignore=ignore)
    assert table.feature_names == ["a"] and sorted(table.ignored) == ["id", "name, full"]


def test_the_target_and_the_model_features_cannot_be_ignored(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,x\n")
    with pytest.raises(
        ValueError, match=f"^{path}, line 1: column 'y' is the target; it can't also be ignored"
    ):
        read_csv(path, target="y", ignore=["b,y"])
    with pytest.raises(
        ValueError, match="column 'b' is one of the model's features; it can't be ignored"
    ):
        read_csv(path, features=["a", "b"], skip=["y"], ignore=["b"])


def test_kept_columns_are_copied_as_written_and_need_not_be_features(tmp_path):
    path = _write(tmp_path, 'id,a,y\n007, 1,"x, y"\nB2,2,z\n')
    table = read_csv(path, features=["a"], keep=["id,y"])
    assert table.kept == {"id": ["007", "B2"], "y": ["x, y", "z"]} and table.feature_names == ["a"]
    assert read_csv(path, keep=["id"], skip=["y"]).feature_names == [
        "a"
    ]  # kept: not a feature by default
    with pytest.raises(ValueError, match="no column 'ID' to keep; the columns are: 'id', 'a', 'y'"):
        read_csv(path, keep=["ID"])


def test_a_large_field_is_read_and_the_csv_limit_restored(tmp_path):
    import csv

    limit = csv.field_size_limit()
    path = _write(tmp_path, f"notes,a,y\n{'x' * 200_000},1,z\n")
    assert read_csv(path, target="y", ignore=["notes"]).feature_names == ["a"]
    assert csv.field_size_limit() == limit


def test_a_dash_reads_standard_input(monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a;y\n1;x\nabc;z\n")))
    table = read_csv("-", target="y")
    assert table.path == "<stdin>" and table.target == ["x", "z"]
    with pytest.raises(ValueError, match="^<stdin>, line 3, column 'a': 'abc' is not a number"):
        _ = table.X
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b",a,y\n0,1,x\n1,2\n")))
    with pytest.raises(ValueError, match="^<stdin>, line 3: 2 fields, but the header has 3$"):
        read_csv("-", target="y")


@pytest.mark.parametrize("label,read", [("nan", None), ("NaN", None), ("-inf", "-inf")])
def test_nan_is_a_missing_label_and_infinity_no_regression_target(tmp_path, label, read):
    # NaN is a missing marker, and "-inf" a label as written (the column is read as text again),
    # which a regression refuses (tabular.target_numbers), not the reader.
    from smallnet.tabular import target_numbers

    path = tmp_path / "d.csv"
    path.write_text(f"a,y\n1,0.5\n2,{label}\n3,2\n")
    table = read_csv(path, target="y")
    assert table.target == ["0.5", read, "2"]
    with pytest.raises(ValueError, match=r"d.csv, line 3, column 'y': .*(missing|not allowed)"):
        target_numbers(table)


# -- row names, missing markers, large files, text columns --------------------------------------


def test_an_index_column_as_pandas_writes_it_names_the_rows(tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {"a": [1.5, 2.0, None], "b": ["x", None, "z"], "y": ["p", "q", "r"]}, index=[10, 11, 12]
    )
    path = tmp_path / "frame.csv"
    frame.to_csv(path)  # ",a,b,y" then "10,1.5,x,p"
    table = read_csv(path, target="y")
    assert table.feature_names == ["a", "b"] and table.row_names == ["10", "11", "12"]
    np.testing.assert_array_equal(table.columns["a"], [1.5, 2.0, np.nan])
    assert table.columns["b"].tolist() == ["x", None, "z"] and table.target == ["p", "q", "r"]
    with pytest.raises(ValueError, match=rf"^{path}, line 4 \(row '12'\), column 'a': {MISSING}"):
        _ = table.X
    assert table.take([2, 0]).where(0, "b") == f"{path}, line 4 (row '12'), column 'b'"


def test_an_index_column_as_r_writes_it_names_the_rows(tmp_path):
    # write.csv: every name and text quoted, an empty name over the row names, NA for gaps
    content = '"","a","b","y"\n"1",1.5,"x","p"\n"2",abc,NA,"q"\n"3",2,"z",NA\n'
    path = _write(tmp_path, content)
    table = read_csv(path, target="y")
    assert table.feature_names == ["a", "b"] and table.row_names == ["1", "2", "3"]
    assert table.columns["b"].tolist() == ["x", None, "z"] and table.target == ["p", "q", None]
    with pytest.raises(
        ValueError, match=rf"^{path}, line 3 \(row '2'\), column 'a': 'abc' is not a number$"
    ):
        _ = table.X
    path = _write(tmp_path, content.replace("abc", "NA"), "gap.csv")
    np.testing.assert_array_equal(read_csv(path, target="y").columns["a"], [1.5, np.nan, 2])
    with pytest.raises(ValueError, match=rf"^{path}, line 3 \(row '2'\), column 'a': {MISSING}"):
        _ = read_csv(path, target="y").X


def test_na_values_replace_the_missing_markers(tmp_path):
    path = _write(tmp_path, "a,b,y\nNA,None,None\n2,x,na\n")
    table = read_csv(path, target="y", na_values=["NA"])
    assert table.columns["b"].tolist() == ["None", "x"]  # a category value now
    assert table.target == ["None", None]  # a class label; "na": NA in another case
    np.testing.assert_array_equal(table.columns["a"], [np.nan, 2])
    with pytest.raises(
        ValueError,
        match=r"line 2, column 'a': missing value \(empty fields and NA count as missing\)$",
    ):
        _ = table.X
    words = read_csv(_write(tmp_path, "a,y\nNone,x\n2,z\n", "w.csv"), target="y", na_values=["NA"])
    with pytest.raises(ValueError, match="line 2, column 'a': 'None' is not a number$"):
        _ = words.X
    only_empty = read_csv(path, target="y", na_values=[])
    assert only_empty.target == ["None", "na"]
    with pytest.raises(ValueError, match="line 2, column 'a': 'NA' is not a number$"):
        _ = only_empty.X


@pytest.mark.parametrize("bad,fields", [("1,2\n", 2), ("1,2,x,9\n", 4)])
@pytest.mark.parametrize("line", [2, 5, 11_000])  # the first row, and far past the first 64 KiB
def test_a_ragged_row_is_named_by_its_line_in_a_large_file(tmp_path, bad, fields, line):
    rows = [f"{i},{2 * i},x\n" for i in range(12_000)]
    assert len("".join(rows)) > 70_000
    good = _write(tmp_path, "a,b,y\n" + "".join(rows), "good.csv")
    assert len(read_csv(good, target="y")) == 12_000
    rows.insert(line - 2, bad)
    path = _write(tmp_path, "a,b,y\n" + "".join(rows))
    with pytest.raises(
        ValueError, match=f"^{path}, line {line}: {fields} fields, but the header has 3$"
    ):
        read_csv(path, target="y")


def test_a_header_wider_than_the_first_64_kib_is_read_whole(tmp_path):
    names = [f"a_rather_long_column_name_{i:04d}" for i in range(2_500)]
    header = ";".join(names) + "\n"
    assert len(header) > 1 << 16
    path = _write(tmp_path, header + ";".join(["1"] * 2_500) + "\n" + "2;3\n")
    with pytest.raises(ValueError, match=f"^{path}, line 3: 2 fields, but the header has 2500$"):
        read_csv(path)
    path = _write(tmp_path, header + ";".join(["1"] * 2_500) + "\n", "ok.csv")
    table = read_csv(path, target=names[-1])
    assert table.feature_names == names[:-1] and table.X.shape == (1, 2_499)


def test_not_utf8_deep_in_a_file_names_its_line(tmp_path):
    # over 1 MiB of 3-byte characters: none is taken for an error where the scan's chunks end
    rows = "".join(f"{i % 10},\u4e2d\u6587\u5b57\n" for i in range(150_000))
    path = _write(tmp_path, ("a,y\n" + rows).encode() + "2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=rf"^{path}, line 150002: not UTF-8 text \(byte 0xe9\)$"):
        read_csv(path, target="y")


def test_a_semicolon_file_with_decimal_commas(tmp_path):
    path = _write(tmp_path, "a;b;y\n1,5;2;x\n3;4;z\n")
    table = read_csv(path, target="y")
    assert table.feature_names == ["a", "b"] and table.target == ["x", "z"]
    assert table.columns["a"].tolist() == ["1,5", "3"]
    np.testing.assert_array_equal(table.columns["b"], [2, 4])
    with pytest.raises(ValueError, match=r"line 2, column 'a': '1,5' is not a number \(use a deci"):
        _ = table.X


def test_a_number_too_large_for_a_float_is_named(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,x\n3,1e999,z\n")
    with pytest.raises(
        ValueError,
        match=rf"^{path}, line 3, column 'b': infinite, or a number too large for a float "
        r"\(beyond 1.8e308\)$",
    ):
        read_csv(path, target="y")
    table = read_csv(path, target="y", text=["b"])  # as text: said with the field
    with pytest.raises(ValueError, match=rf"^{path}, line 3, column 'b': '1e999' is too large"):
        _ = table.X


def test_a_column_of_numbers_with_one_stray_word(tmp_path):
    rows = "".join(f"{i}.5,x\n" for i in range(20))
    path = _write(tmp_path, "a,y\n" + rows + "seven,z\n" + rows)
    table = read_csv(path, target="y")
    assert table.columns["a"][20] == "seven" and table.columns["a"][0] == "0.5"
    with pytest.raises(ValueError, match=f"^{path}, line 22, column 'a': 'seven' is not a number$"):
        _ = table.X


def test_text_columns_keep_what_is_written(tmp_path):
    path = _write(tmp_path, "zip,a,y\n007,1,x\n,2,z\n")
    assert read_csv(path, target="y", text=["zip"]).columns["zip"].tolist() == ["007", None]
    np.testing.assert_array_equal(read_csv(path, target="y").columns["zip"], [7, np.nan])


# -- the target: numbers when it holds numbers, its labels as written ------------------------------


def test_a_numeric_target_reads_as_numbers_and_gives_its_labels_as_written(tmp_path):
    path = _write(tmp_path, "a,y\n1,007\n2,1.50\n3,NA\n4,-2\n")
    table = read_csv(path, target="y")
    assert table.target_values.dtype == np.float64
    np.testing.assert_array_equal(table.target_values, [7.0, 1.5, np.nan, -2.0])
    assert table.target_gaps.tolist() == [False, False, True, False]
    assert table.target == ["007", "1.50", None, "-2"]  # read again, as text, when asked for
    picked = table.take([3, 0])
    np.testing.assert_array_equal(picked.target_values, [-2.0, 7.0])
    assert picked.target == ["-2", "007"] and len(picked) == 2


def test_a_numeric_target_from_standard_input_gives_its_labels_as_written(monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b",a,y\n0,1,01\n1,2,2.0\n")))
    table = read_csv("-", target="y")
    assert table.target_values.tolist() == [1.0, 2.0] and table.target == ["01", "2.0"]


@pytest.mark.parametrize(
    "fields,labels",
    [
        (["True", "FALSE", "true"], ["True", "FALSE", "true"]),  # pandas reads booleans: not here
        (["x", "1.50", ""], ["x", "1.50", None]),  # a word: the column is text
        (["1", "inf", "2"], ["1", "inf", "2"]),  # a label a regression refuses, not the reader
    ],
)
def test_a_target_that_is_not_all_numbers_is_its_text_as_written(tmp_path, fields, labels):
    path = _write(tmp_path, "a,y\n" + "".join(f"{i},{f}\n" for i, f in enumerate(fields)))
    table = read_csv(path, target="y")
    assert table.target_values.dtype == object and table.target_values.tolist() == labels
    assert table.target == labels and table.target_gaps.tolist() == [v is None for v in labels]
