"""smallnet on real tables with text columns and missing values, against scikit-learn.

Five tables, each read from its CSV file as users have it: penguins (smallnet's own, a plain
CSV file), titanic and males (as R's write.csv writes: quoted, NA, row names first), credit and
births (as pandas's to_csv writes: an unnamed index column first, empty fields); see
benchmarks/data/README.md. Each seed splits a table 80/20 into training and test rows
(stratified for classification); the contenders take turns going first, seed by seed:

- scikit-learn MLP pipeline: median imputation and standardization of the numbers, most
  frequent imputation and one-hot encoding of the text (unknown categories ignored), then
  MLPClassifier or MLPRegressor with their defaults (random_state=seed).
- HistGradientBoosting: the text columns as pandas categories, categorical_features="from_dtype".
- smallnet CLI (defaults): `smallnet train TRAIN.csv --target T -o MODEL --seed S`, then
  `smallnet evaluate MODEL TEST.csv`, in this process (`smallnet.cli.main`, its output
  captured) on files written in the table's own form; its fit time is `train`'s whole run,
  reading the CSV file and writing the model included.
- smallnet Python recipe: `smallnet_python` below.

Score: test accuracy (classification) or R2 (regression), mean +- std over the seeds; fit s:
the mean fit time. "- MLP": the contender's mean score minus the MLP pipeline's; "time / MLP":
the median over seeds of each seed's fit-time ratio to the MLP pipeline. A contender that fails
on a table shows "error: MESSAGE" there.

    python benchmarks/tabular.py [--tables penguins,titanic] [--seeds 5] [--quick]
"""

import argparse
import contextlib
import io
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import smallnet as sn
from smallnet import cli, datasets, tabular
from smallnet.columns import ColumnWarning

DATA = Path(__file__).parent / "data"
GOAL = (
    "goal: no worse than the sklearn MLP pipeline by more than 0.01 accuracy (0.02 R2), "
    "at <= 0.5x its fit time"
)
QUICK_ROWS = 300  # --quick: each table cut to this many rows (a stratified sample)


class Spec(NamedTuple):
    path: Path
    target: str
    task: str
    row_names: bool  # the first column holds row names (R's and pandas's files)
    ignore: tuple = ()  # columns no contender sees


TABLES = {
    "penguins": Spec(datasets.DATA / "penguins.csv", "species", "classification", False),
    "titanic": Spec(DATA / "titanic.csv", "survived", "classification", True),
    "credit": Spec(DATA / "credit.csv", "Status", "classification", True),
    "births": Spec(DATA / "births.csv", "weight", "regression", True, ("lowbirthweight",)),
    "males": Spec(DATA / "males.csv", "wage", "regression", True, ("nr",)),
}  # births' lowbirthweight is the target cut at 5.5 lb; males' nr is a person's id


class Table(NamedTuple):
    frame: pd.DataFrame  # the features (text as object, NaN where missing) and the target
    lines: list  # the file's header and data lines as written, for smallnet's own files
    spec: Spec


def load(spec):
    frame = pd.read_csv(spec.path, index_col=0 if spec.row_names else None)
    frame = frame.drop(columns=list(spec.ignore))
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]):
            frame[name] = frame[name].astype(object)
    with open(spec.path, newline="", encoding="utf-8") as file:
        lines = file.read().splitlines(keepends=True)
    if len(lines) != len(frame) + 1:
        raise ValueError(f"{spec.path}: a field spans lines; its rows can't be cut out as written")
    return Table(frame, lines, spec)


def text_columns(frame, target):
    return [name for name in frame.columns if name != target and frame[name].dtype == object]


def split(table, seed, rows=None):
    """(train, test) row numbers of `table`: 80/20, stratified for classification."""
    y = table.frame[table.spec.target]
    stratify = y if table.spec.task == "classification" else None
    everything = np.arange(len(y))
    if rows is not None and rows < len(y):
        everything, _ = train_test_split(
            everything, train_size=rows, random_state=0, stratify=stratify
        )
        stratify = None if stratify is None else stratify.iloc[everything]
    return train_test_split(everything, test_size=0.2, random_state=seed, stratify=stratify)


def features_and_target(frame, target):
    return frame.drop(columns=target), frame[target]


def fitted(model, train, test, target):
    """(fit seconds, test score) of a scikit-learn model."""
    X, y = features_and_target(train, target)
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    return seconds, model.score(*features_and_target(test, target))


def sklearn_mlp(table, train, test, seed):
    target = table.spec.target
    text = text_columns(table.frame, target)
    numeric = [name for name in table.frame.columns if name not in (target, *text)]
    prepare = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "text",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                text,
            ),
        ]
    )
    mlp = MLPClassifier if table.spec.task == "classification" else MLPRegressor
    model = make_pipeline(prepare, mlp(random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the defaults' 200 epochs, as they are
        return fitted(model, table.frame.iloc[train], table.frame.iloc[test], target)


def hist_gradient_boosting(table, train, test, seed):
    target = table.spec.target
    # categories from the whole table, so that the two parts code them alike
    frame = table.frame.astype({name: "category" for name in text_columns(table.frame, target)})
    booster = (
        HistGradientBoostingClassifier
        if table.spec.task == "classification"
        else HistGradientBoostingRegressor
    )
    model = booster(categorical_features="from_dtype", random_state=seed)
    return fitted(model, frame.iloc[train], frame.iloc[test], target)


def smallnet_cli(table, train, test, seed):
    spec = table.spec
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for part, rows in (("train", train), ("test", test)):
            files[part] = str(Path(folder) / f"{part}.csv")
            with open(files[part], "w", newline="", encoding="utf-8") as file:
                file.writelines([table.lines[0], *(table.lines[1 + i] for i in rows)])
        model = str(Path(folder) / "model.safetensors")
        ignore = [option for name in spec.ignore for option in ("--ignore", name)]
        start = time.perf_counter()
        command(
            ["train", files["train"], "--target", spec.target, "-o", model, "--seed", str(seed)]
            + ignore
        )
        seconds = time.perf_counter() - start
        report = command(["evaluate", model, files["test"]])  # it skips what train ignored
    metric = "accuracy" if spec.task == "classification" else "r2"
    found = re.search(rf"^{metric}: (\S+)", report, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"smallnet evaluate printed no {metric}: {report!r}")
    return seconds, float(found.group(1))


def command(argv):
    """smallnet's command line in this process: its standard output, or its error raised."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    if code != 0:
        lines = err.getvalue().strip().splitlines() or [f"exit code {code}"]
        raise RuntimeError(lines[-1])
    return out.getvalue()


def smallnet_python(train_frame, test_frame, target, task, seed):
    """smallnet's Python recipe for a table: (fit seconds, test accuracy or R2).

    A TableEncoder fitted on the frame, the CLI's default network (16 relu units, adam at 0.005,
    batches of 64) and its early stopping: a tenth of the rows held out, patience 20, the best
    weights kept.

    train_frame, test_frame : pandas DataFrame
        The features (text columns as object, NaN where missing) and the target column.
    target : str
    task : {"classification", "regression"}
    seed : int
    """
    start = time.perf_counter()
    X = train_frame.drop(columns=[target])
    if task == "classification":
        labels = train_frame[target].astype(str).to_numpy()
        classes = tabular.class_labels(labels)
        y = tabular.class_targets(tabular.encode_classes(labels, classes), len(classes))
        head = tabular.output_head(task, len(classes))
    else:
        y = train_frame[[target]].to_numpy(dtype=float)
        scaling = tabular.fit_target_scaling(y)
        y = tabular.standardize_targets(y, scaling)
        head = tabular.output_head(task)
    net = tabular.default_network(
        [16],
        head.output,
        encoder=sn.TableEncoder.from_data(X),
        loss=head.loss,
        optimizer={"name": "adam", "learning_rate": 0.005},
        seed=seed,
    )
    stop = sn.EarlyStopping(patience=20, restore_best_weights=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColumnWarning)  # levels the held-out rows lack
        net.fit(X, y, epochs=200, batch_size=64, validation_split=0.1, callbacks=[stop])
        seconds = time.perf_counter() - start
        out = net.predict(test_frame.drop(columns=[target]))
    if task == "classification":
        codes = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(int)
        truth = test_frame[target].astype(str).to_numpy()
        return seconds, float(np.mean(np.array(classes)[codes] == truth))
    predicted = (out * scaling.scale + scaling.mean)[:, 0]
    truth = test_frame[target].to_numpy(dtype=float)
    return seconds, float(
        1 - ((truth - predicted) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    )


def smallnet_recipe(table, train, test, seed):
    frame = table.frame
    return smallnet_python(
        frame.iloc[train], frame.iloc[test], table.spec.target, table.spec.task, seed
    )


MLP = "scikit-learn MLP pipeline"
CONTENDERS = {
    MLP: sklearn_mlp,
    "HistGradientBoosting": hist_gradient_boosting,
    "smallnet CLI (defaults)": smallnet_cli,
    "smallnet Python recipe": smallnet_recipe,
}


def measure(table, seeds, rows):
    """{contender: {"score": [...], "time": [...]} or the reason it has none}, over the seeds."""
    results = {name: {"score": [], "time": []} for name in CONTENDERS}
    for seed in range(seeds):
        train, test = split(table, seed, rows)
        names = list(CONTENDERS)
        for name in names[seed % len(names) :] + names[: seed % len(names)]:
            if not isinstance(results[name], dict):
                continue  # failed on an earlier seed: once is enough
            try:
                seconds, score = CONTENDERS[name](table, train, test, seed)
            except Exception as exc:  # one contender's failure is a line of the report
                results[name] = f"error: {' '.join(str(exc).split()) or type(exc).__name__}"
                continue
            results[name]["time"].append(seconds)
            results[name]["score"].append(score)
            time.sleep(0.1)  # let one library's BLAS threads settle before the next
    return results


def describe(name, table, rows):
    frame, spec = table.frame, table.spec
    features = frame.drop(columns=spec.target)
    text = text_columns(frame, spec.target)
    used = min(rows or len(frame), len(frame))
    return (
        f"{name}: {used} of {len(frame)} rows, {features.shape[1]} features ({len(text)} text: "
        f"{', '.join(text)}), {features.isna().to_numpy().mean():.1%} of the values missing, "
        f"{spec.task}"
    )


def report(results, task):
    metric = "accuracy" if task == "classification" else "R2"
    lines, failed = [("contender", metric, "fit s", "- MLP", "time / MLP")], []
    peer = results[MLP]
    for name, result in results.items():
        if not isinstance(result, dict):
            failed.append((name, result))
            continue
        score, seconds = result["score"], result["time"]
        if name == MLP or not isinstance(peer, dict):
            gap = ratio = "-"
        else:
            gap = f"{np.mean(score) - np.mean(peer['score']):+.3f}"
            ratio = f"{statistics.median(a / b for a, b in zip(seconds, peer['time'])):.2f}x"
        cell = f"{np.mean(score):.3f} +- {np.std(score):.3f}"
        lines.append((name, cell, f"{np.mean(seconds):.3f}", gap, ratio))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    widths[0] = max([widths[0], *(len(name) for name, _ in failed)])
    for line in lines:
        print("  " + "  ".join(f"{c:<{w}}" for c, w in zip(line, widths)).rstrip())
    for name, reason in failed:  # "error: ...", unpadded: a message may be long
        print(f"  {name:<{widths[0]}}  {reason}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tables",
        default=",".join(TABLES),
        help=f"comma-separated, of: {', '.join(TABLES)} (default: all)",
    )
    parser.add_argument("--seeds", type=int, default=None, help="default 5 (1 with --quick)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: each table cut to {QUICK_ROWS} rows, one seed unless --seeds",
    )
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="BLAS threads for all (0: BLAS's default)"
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.tables.split(",") if name.strip()]
    unknown = [name for name in names if name not in TABLES]
    if unknown or not names:
        parser.error(
            f"--tables: unknown {', '.join(unknown) or 'none given'}; use {', '.join(TABLES)}"
        )
    seeds = args.seeds if args.seeds is not None else (1 if args.quick else 5)
    if seeds < 1:
        parser.error("--seeds must be >= 1")
    rows = QUICK_ROWS if args.quick else None
    print(
        f"{seeds} seeds x 80/20 train/test splits; BLAS threads: {args.blas_threads or 'default'}"
        f"{f'; quick: at most {QUICK_ROWS} rows a table' if args.quick else ''}"
    )
    print(GOAL)
    sys.stdout.flush()
    with threadpool_limits(args.blas_threads or None):
        for name in names:
            table = load(TABLES[name])
            print(f"\n{describe(name, table, rows)}")
            report(measure(table, seeds, rows), table.spec.task)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
