"""Metrics: functions of (y, out), both (n_samples, n_outputs), returning a float.

Training records them per epoch in History from the outputs of each step's own
forward pass, as the tutorial's error lines come from that iteration's `l2`.

Every built-in metric also takes ``sample_weight`` (n_samples,): each row then
counts in proportion to its weight, as with scikit-learn's ``sample_weight``.
A metric of one's own is called as ``fn(y, out)``; it gets the weights only if it
names a ``sample_weight`` or ``weights`` parameter (see `weight_keyword`).

``"acc"`` is another name for ``"accuracy"``, as in Keras; History records a metric under
the name it was given (``acc``, ``val_acc``), and a saved network keeps that name.
With class indices for targets (y of shape (n_samples, 1) against k outputs, as
``sparse_categorical_crossentropy`` takes) only `accuracy` applies; the others, which
compare y with the outputs entry by entry, refuse such targets.
"""

import inspect

import numpy as np


def weighted_mean(values, sample_weight=None):
    """Mean of `values` over samples (axis 0), each row counting as much as its sample's weight.

    Parameters
    ----------
    values : ndarray of shape (n_samples,) or (n_samples, k)
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative; only their ratios matter. None counts every row alike.

    Returns
    -------
    float or ndarray, shape (k,)
        ``sum(w * values) / sum(w)``: NaN where the weights sum to 0, as no sample counts.
    """
    if sample_weight is None:
        return values.mean(axis=0)
    w = np.asarray(sample_weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Scaled to a largest weight of 1, huge weights can't overflow the sum nor the products.
        w = w / w.max()
        return np.dot(w, values) / w.sum()


def _check_columns(name, y, out):
    """Refuse y whose columns are not the outputs' (class indices against k outputs)."""
    if y.shape[1] != out.shape[1]:
        raise ValueError(
            f"metric {name!r} compares y with the outputs entry by entry, but y has "
            f"{y.shape[1]} columns and the outputs {out.shape[1]}; for class indices use "
            f"'accuracy'"
        )


def mae(y, out, sample_weight=None):
    """Mean absolute error: the tutorial's ``np.mean(np.abs(l2_error))``."""
    _check_columns("mae", y, out)
    if sample_weight is None:
        # np.mean's own sum and division, without its Python-level overhead
        return float(np.add.reduce(np.abs(y - out), axis=None)) / y.size
    return float(weighted_mean(np.abs(y - out).mean(axis=1), sample_weight))


def mse(y, out, sample_weight=None):
    """Mean squared error over all samples and outputs."""
    _check_columns("mse", y, out)
    squares = np.square(y - out)
    if sample_weight is None:
        return float(np.mean(squares))
    return float(weighted_mean(squares.mean(axis=1), sample_weight))


def accuracy(y, out, sample_weight=None):
    """Share of rows classified right: argmax for several outputs, a 0.5 threshold for one.

    y may be one-hot rows (n, k) or, for k > 1 outputs, class indices (n, 1).
    """
    if out.shape[1] == 1:
        right = (out[:, 0] > 0.5) == (y[:, 0] > 0.5)
    elif y.shape[1] == 1:  # class indices, as sparse_categorical_crossentropy takes
        right = out.argmax(axis=1) == y[:, 0]
    else:
        right = out.argmax(axis=1) == y.argmax(axis=1)
    return float(weighted_mean(right, sample_weight))


def binary_accuracy(y, out, sample_weight=None):
    """Share of entries right at a 0.5 threshold (multi-label: each output on its own)."""
    _check_columns("binary_accuracy", y, out)
    right = (out > 0.5) == (y > 0.5)
    if sample_weight is None:
        return float(np.mean(right))
    return float(weighted_mean(right.mean(axis=1), sample_weight))


def r2(y, out, sample_weight=None):
    """Coefficient of determination, averaged over outputs.

    As scikit-learn's r2_score, sample_weight included.
    """
    _check_columns("r2", y, out)
    # Weighted means rather than sums: their ratio is the same, and weights are scaled so anyway.
    ss_res = weighted_mean(np.square(y - out), sample_weight)
    ss_tot = weighted_mean(np.square(y - weighted_mean(y, sample_weight)), sample_weight)
    # A constant target is predicted perfectly (1) or not at all (0), as scikit-learn does.
    safe = np.where(ss_tot > 0, ss_tot, 1)
    scores = np.where(ss_tot > 0, 1 - ss_res / safe, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(scores))


METRICS = {f.__name__: f for f in (mae, mse, accuracy, binary_accuracy, r2)}
METRICS["acc"] = accuracy  # Keras's short name


def get_all(metrics):
    """[(name, function), ...] for a list of metric names or callables.

    A single one stands for a list of one.
    """
    if isinstance(metrics, str) or callable(metrics):
        # metrics="mae", as Keras takes it (else "mae" would be the metrics m, a, e).
        metrics = [metrics]
    elif metrics is None:
        metrics = []
    try:
        metrics = list(metrics)
    except TypeError:
        raise TypeError(
            f"metrics must be a metric name, a callable or a list of them, got {metrics!r}"
        ) from None
    return [get(m) for m in metrics]


def get(name):
    """(name, function) for a metric name or a callable (named after its __name__).

    A name is kept as given, lower-cased: "acc" stays "acc" (History's key), though it is
    `accuracy`.
    """
    if callable(name):
        return name.__name__, name
    if isinstance(name, str) and name.lower() in METRICS:
        return name.lower(), METRICS[name.lower()]
    raise ValueError(f"unknown metric {name!r}; valid names are: {', '.join(sorted(METRICS))}")


def weight_keyword(fn):
    """The parameter through which metric `fn` takes sample weights.

    Returns "sample_weight", "weights" or None. Built-in metrics take ``sample_weight``. A
    callable of one's own gets weights only if its signature names one of these two (not
    positional-only); otherwise, and for ``**kwargs`` alone, which needn't mean weights, it is
    called as ``fn(y, out)`` and stays unweighted.
    """
    if METRICS.get(getattr(fn, "__name__", None)) is fn:
        return "sample_weight"
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # some callables, such as C functions, show no signature
        return None
    for name in ("sample_weight", "weights"):
        if name in parameters and parameters[name].kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            return name
    return None


def compute(fn, y, out, sample_weight=None):
    """``fn(y, out)`` as a float, weighted by `sample_weight` where `fn` takes weights.

    See `weight_keyword` for which callables take them.

    Raises
    ------
    TypeError
        If `fn` returns anything but one real number (History keeps one per epoch).
    """
    keyword = None if sample_weight is None else weight_keyword(fn)
    value = fn(y, out) if keyword is None else fn(y, out, **{keyword: sample_weight})
    if (
        type(value) is float
    ):  # the built-in metrics' answer: no checks needed (this runs every epoch)
        return value
    number = np.asarray(value)
    if number.ndim != 0 or number.dtype.kind not in "biuf":
        got = f"an array of shape {number.shape}" if number.ndim else repr(value)
        raise TypeError(
            f"metric {getattr(fn, '__name__', fn)!r} must return one real number, got {got}"
        )
    return float(number)
