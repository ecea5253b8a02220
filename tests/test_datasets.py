"""The shipped data sets, and the small tables in tests/data/ that other tests read."""

import csv
from pathlib import Path

import numpy as np
import pytest

from smallnet import datasets

TEST_DATA = Path(__file__).parent / "data"
MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


def test_penguins_keep_their_text_columns_and_missing_values():
    columns, species = datasets.penguins()
    assert list(columns) == ["island", *MEASUREMENTS, "sex", "year"]
    assert all(values.shape == (344,) for values in columns.values()) and species.shape == (344,)
    assert species.dtype == object and columns["island"].dtype == columns["sex"].dtype == object
    names, counts = np.unique(species, return_counts=True)
    assert names.tolist() == ["Adelie", "Chinstrap", "Gentoo"] and counts.tolist() == [152, 68, 124]
    assert sorted(set(columns["island"])) == ["Biscoe", "Dream", "Torgersen"]
    assert sum(sex is None for sex in columns["sex"]) == 11
    assert set(columns["sex"]) == {"female", "male", None}
    for name in (*MEASUREMENTS, "year"):
        assert columns[name].dtype == np.float64
    assert [int(np.isnan(columns[name]).sum()) for name in MEASUREMENTS] == [2, 2, 2, 2]
    assert np.isnan(columns["bill_length_mm"][3]) and columns["sex"][3] is None  # row 4: all NA
    assert columns["bill_length_mm"][0] == 39.1 and columns["body_mass_g"][0] == 3750.0
    assert np.nanmin(columns["year"]) == 2007 and np.nanmax(columns["year"]) == 2009


def test_penguins_by_name():
    assert datasets.TARGETS["penguins"] == "species"
    assert (datasets.DATA / "penguins.csv").is_file()
    columns, species = datasets.load("penguins")
    again, species_again = datasets.penguins()
    np.testing.assert_array_equal(species, species_again)
    assert list(columns) == list(again)
    np.testing.assert_array_equal(columns["body_mass_g"], again["body_mass_g"])
    with pytest.raises(ValueError, match="valid names are: iris, penguins, tutorial, xor"):
        datasets.load("palmer")


def _records(name):
    with open(TEST_DATA / name, newline="", encoding="utf-8") as file:
        text = file.read()
    return text, list(csv.reader(text.splitlines()))


@pytest.mark.parametrize(
    "name,target,text_column",
    [("credit_tiny.csv", "Status", "Home"), ("titanic_tiny.csv", "survived", "sex")],
)
def test_the_tiny_tables_are_small_with_text_missing_values_and_classes(name, target, text_column):
    _, (header, *rows) = _records(name)
    assert header[0] == "" and 10 <= len(rows) <= 40  # an unnamed first column: the row names
    assert all(len(row) == len(header) for row in rows)
    assert len({row[header.index(target)] for row in rows}) == 2
    assert not any(field.replace(".", "").isdigit() for field in _column(rows, header, text_column))
    assert any(field in ("", "NA") for row in rows for field in row[1:])


def _column(rows, header, name):
    return [row[header.index(name)] for row in rows]


def test_the_tiny_tables_are_written_as_pandas_and_as_r_write_them():
    pandas_text, (header, *rows) = _records("credit_tiny.csv")
    assert pandas_text.startswith(",Status,") and '"' not in pandas_text  # nothing to quote
    assert all(row[0].isdigit() for row in rows)  # the frame's index
    assert "" in _column(rows, header, "Home") and "" in _column(rows, header, "Income")
    assert "NA" not in pandas_text.split(",")
    r_text, (header, *rows) = _records("titanic_tiny.csv")
    assert r_text.startswith('"","survived","sex","age","passengerClass"\n')
    assert ',NA,"' in r_text and '"NA"' not in r_text  # NA bare, strings quoted
    assert any("," in row[0] for row in rows)  # row names (passengers' names) hold commas
