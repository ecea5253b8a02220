"""smallnet's scikit-learn estimators vs scikit-learn's MLP on scikit-learn's bundled data sets.

Same settings for both (one hidden layer of 64 relu units, adam, alpha 1e-4,
batch 32, max_iter 200, n_iter_no_change 10), standardized inputs (and
standardized targets for regression), several seeds, each with its own
train/test split. The two libraries alternate fit by fit. Prints test score
mean +- std, epochs run, and the fit-time ratio smallnet / scikit-learn.

    python benchmarks/datasets.py [--seeds 5] [--max-iter 200] [--markdown]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from smallnet.sklearn import SmallNetClassifier, SmallNetRegressor

DATASETS = {
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "breast cancer": (datasets.load_breast_cancer, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}


def make(library, task, seed, max_iter):
    params = dict(
        hidden_layer_sizes=(64,),
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=32,
        max_iter=max_iter,
        n_iter_no_change=10,
        random_state=seed,
    )
    if task == "classification":
        model = (SmallNetClassifier if library == "smallnet" else MLPClassifier)(**params)
    else:
        model = TransformedTargetRegressor(
            (SmallNetRegressor if library == "smallnet" else MLPRegressor)(**params),
            transformer=StandardScaler(),
        )
    return make_pipeline(StandardScaler(), model)


def n_iter(pipeline):
    model = pipeline[-1]
    return getattr(model, "regressor_", model).n_iter_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    rows = []
    for name, (load, task) in DATASETS.items():
        X, y = load(return_X_y=True)
        results = {
            lib: {"score": [], "time": [], "epochs": []} for lib in ("smallnet", "scikit-learn")
        }
        for seed in range(args.seeds):
            split = train_test_split(
                X,
                y,
                test_size=0.25,
                random_state=seed,
                stratify=y if task == "classification" else None,
            )
            X_train, X_test, y_train, y_test = split
            for lib in (
                ("smallnet", "scikit-learn") if seed % 2 == 0 else ("scikit-learn", "smallnet")
            ):
                model = make(lib, task, seed, args.max_iter)
                start = time.perf_counter()
                model.fit(X_train, y_train)
                results[lib]["time"].append(time.perf_counter() - start)
                results[lib]["score"].append(model.score(X_test, y_test))
                results[lib]["epochs"].append(n_iter(model))
                time.sleep(0.2)  # let one library's BLAS threads settle before the other's
        s, k = results["smallnet"], results["scikit-learn"]
        ratio = statistics.median(a / b for a, b in zip(s["time"], k["time"]))
        rows.append((name, "accuracy" if task == "classification" else "R2", s, k, ratio))

    def cell(r):
        return f"{np.mean(r['score']):.3f} +- {np.std(r['score']):.3f}"

    head = (
        "data set",
        "score",
        "smallnet",
        "scikit-learn",
        "epochs (sn / sk)",
        "fit s (sn / sk)",
        "time ratio",
    )
    lines = [head]
    for name, metric, s, k, ratio in rows:
        lines.append(
            (
                name,
                metric,
                cell(s),
                cell(k),
                f"{np.mean(s['epochs']):.0f} / {np.mean(k['epochs']):.0f}",
                f"{np.median(s['time']):.3f} / {np.median(k['time']):.3f}",
                f"{ratio:.2f}x",
            )
        )
    print(
        f"{args.seeds} seeds x train/test splits; "
        "time ratio = median over seeds of smallnet / scikit-learn fit time"
    )
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines[1:]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        for line in lines:
            print("  ".join(f"{c:<{w}}" for c, w in zip(line, widths)))


if __name__ == "__main__":
    main()
