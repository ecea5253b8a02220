"""smallnet's scikit-learn estimators vs scikit-learn's MLP on scikit-learn's bundled data sets.

Three tables, each library measured in the same run as the other, the two alternating fit by
fit; several seeds, each with its own 75/25 train/test split; standardized inputs (and
standardized targets for regression):

1. adam: the same settings for all (one hidden layer of 64 relu units, alpha 1e-4, batch 32,
   max_iter 200, n_iter_no_change 10), smallnet on each of its engines (numba's compiled loops,
   and NumPy): test score mean +- std, epochs run, fit-time ratios to scikit-learn.
2. lbfgs: SmallNet*(solver="lbfgs") vs MLP*(solver="lbfgs"), one hidden layer of 64 relu units,
   alpha 1e-4, max_iter 200, tol 1e-4: the same columns (iterations for epochs; L-BFGS runs on
   NumPy's engine only).
3. class weights: imbalanced binary problems made from the bundled data; SmallNetClassifier
   with class_weight="balanced" and with None, and MLPClassifier (which has no class_weight)
   for reference, with table 1's settings: test balanced accuracy mean +- std.

BLAS runs on --blas-threads threads (1 by default) for both libraries: on a small shared
machine, threaded BLAS on these small matrices mostly waits for a busy core.

    python benchmarks/datasets.py [--seeds 5] [--max-iter 200] [--blas-threads 1] [--markdown]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import scipy.optimize  # noqa: F401  (loaded before any timing: smallnet loads it at its first lbfgs)
from sklearn import datasets
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor

DATASETS = {
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "breast cancer": (datasets.load_breast_cancer, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}
SOLVERS = {
    "adam": {"solver": "adam", "batch_size": 32, "n_iter_no_change": 10},
    "lbfgs": {"solver": "lbfgs", "tol": 1e-4},
}
LIBRARIES = {
    "adam": ("smallnet numba", "smallnet numpy", "scikit-learn"),
    "lbfgs": ("smallnet numpy", "scikit-learn"),
}


def digit_against_the_rest(digit):
    def load():
        X, y = datasets.load_digits(return_X_y=True)
        return X, (y == digit).astype(int)

    return load


def breast_cancer_few_malignant():
    """Breast cancer with its malignant cases (the minority) subsampled to about 10% of rows."""
    X, y = datasets.load_breast_cancer(return_X_y=True)
    malignant = (y == 0).astype(int)
    kept = np.random.RandomState(0).choice(np.flatnonzero(malignant), 36, replace=False)
    rows = np.sort(np.r_[np.flatnonzero(malignant == 0), kept])
    return X[rows], malignant[rows]


IMBALANCED = {
    "digits: 9 vs rest": digit_against_the_rest(9),
    "digits: 8 vs rest": digit_against_the_rest(8),
    "breast cancer, malignant cut to 10%": breast_cancer_few_malignant,
}


def make(library, task, seed, max_iter, solver="adam", **extra):
    params = dict(
        hidden_layer_sizes=(64,),
        activation="relu",
        alpha=1e-4,
        max_iter=max_iter,
        random_state=seed,
        **SOLVERS[solver],
        **extra,
    )
    ours = library.startswith("smallnet")
    if ours and " " in library:
        params["engine"] = library.split()[1]
    if task == "classification":
        model = (SmallNetClassifier if ours else MLPClassifier)(**params)
    else:
        model = TransformedTargetRegressor(
            (SmallNetRegressor if ours else MLPRegressor)(**params),
            transformer=StandardScaler(),
        )
    return make_pipeline(StandardScaler(), model)


def n_iter(pipeline):
    model = pipeline[-1]
    return getattr(model, "regressor_", model).n_iter_


def splits(X, y, task, seeds):
    """(seed, X_train, X_test, y_train, y_test) for each seed."""
    for seed in range(seeds):
        stratify = y if task == "classification" else None
        yield seed, *train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)


def against_scikit_learn(load, task, solver, args):
    """Each library's test scores, fit times and iterations over the seeds, alternated."""
    X, y = load(return_X_y=True)
    libraries = LIBRARIES[solver]
    results = {lib: {"score": [], "time": [], "epochs": []} for lib in libraries}
    for seed, X_train, X_test, y_train, y_test in splits(X, y, task, args.seeds):
        for lib in libraries if seed % 2 == 0 else libraries[::-1]:
            model = make(lib, task, seed, args.max_iter, solver)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            results[lib]["time"].append(time.perf_counter() - start)
            results[lib]["score"].append(model.score(X_test, y_test))
            results[lib]["epochs"].append(n_iter(model))
            time.sleep(0.2)  # let one library's BLAS threads settle before the other's
    return results


def cell(scores):
    return f"{np.mean(scores):.3f} +- {np.std(scores):.3f}"


def solver_table(solver, args):
    steps = "epochs" if solver == "adam" else "iterations"
    libraries = LIBRARIES[solver]
    ours = libraries[:-1]
    short = [lib.replace("smallnet ", "sn ").replace("scikit-learn", "sk") for lib in libraries]
    lines = [
        (
            "data set",
            "score",
            *libraries,
            f"{steps} ({' / '.join(short)})",
            f"fit s ({' / '.join(short)})",
            *(f"time ratio {name} / sk" for name in short[:-1]),
        )
    ]
    for name, (load, task) in DATASETS.items():
        results = against_scikit_learn(load, task, solver, args)
        sk = results["scikit-learn"]
        ratios = [
            statistics.median(a / b for a, b in zip(results[lib]["time"], sk["time"]))
            for lib in ours
        ]
        metric = "accuracy" if task == "classification" else "R2"
        lines.append(
            (
                name,
                metric,
                *(cell(results[lib]["score"]) for lib in libraries),
                " / ".join(f"{np.mean(results[lib]['epochs']):.0f}" for lib in libraries),
                " / ".join(f"{np.median(results[lib]['time']):.3f}" for lib in libraries),
                *(f"{ratio:.2f}x" for ratio in ratios),
            )
        )
    return lines


def class_weight_table(args):
    models = {
        "smallnet balanced": ("smallnet", {"class_weight": "balanced"}),  # engine="auto"
        "smallnet None": ("smallnet", {}),
        "MLPClassifier": ("scikit-learn", {}),
    }
    lines = [("data set", "positives", *models)]
    for name, load in IMBALANCED.items():
        X, y = load()
        scores = {model: [] for model in models}
        for seed, X_train, X_test, y_train, y_test in splits(X, y, "classification", args.seeds):
            order = list(models)[seed % 3 :] + list(models)[: seed % 3]  # each goes first in turn
            for model in order:
                lib, extra = models[model]
                fitted = make(lib, "classification", seed, args.max_iter, **extra)
                fitted.fit(X_train, y_train)
                scores[model].append(balanced_accuracy_score(y_test, fitted.predict(X_test)))
        lines.append((name, f"{y.mean():.0%} of {len(y)}", *(cell(scores[m]) for m in models)))
    return lines


def show(title, lines, markdown):
    print(title)
    if markdown:
        print("| " + " | ".join(lines[0]) + " |")
        print("|" + "---|" * len(lines[0]))
        for line in lines[1:]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        for line in lines:
            print("  ".join(f"{c:<{w}}" for c, w in zip(line, widths)))
    print()


def warm_up():
    """One fit on each engine and dtype first, so that no timed fit compiles numba's kernels."""
    X, y = datasets.load_iris(return_X_y=True)
    for task, target in (("classification", y), ("regression", X[:, 0])):
        make("smallnet numba", task, 0, 2).fit(X, target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="BLAS threads for both (0: BLAS's default)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"{args.seeds} seeds x train/test splits; BLAS threads: {args.blas_threads or 'default'}; "
        "time ratio = median over seeds of smallnet / scikit-learn fit time; the first fit on "
        "numba's engine compiles (or loads the cached kernels) before any timing\n"
    )
    with threadpool_limits(args.blas_threads or None):
        warm_up()
        show("adam (batch 32)", solver_table("adam", args), args.markdown)
        show("lbfgs (full batch, tol 1e-4)", solver_table("lbfgs", args), args.markdown)
        show(
            "class weights (adam; test balanced accuracy)", class_weight_table(args), args.markdown
        )


if __name__ == "__main__":
    main()
