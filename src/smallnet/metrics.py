"""Metrics: functions of (y, out), both (n_samples, n_outputs), returning a float.

Training records them per epoch in History from the outputs of each step's own
forward pass, as the tutorial's error lines come from that iteration's `l2`.
"""
import numpy as np


def mae(y, out):
    """Mean absolute error: the tutorial's ``np.mean(np.abs(l2_error))``."""
    # np.mean's own sum and division, without its Python-level overhead
    return float(np.add.reduce(np.abs(y - out), axis=None)) / y.size


def mse(y, out):
    """Mean squared error over all samples and outputs."""
    return float(np.mean(np.square(y - out)))


def accuracy(y, out):
    """Share of rows classified right: argmax for several outputs, a 0.5 threshold for one."""
    if out.shape[1] == 1:
        return float(np.mean((out > 0.5) == (y > 0.5)))
    return float(np.mean(out.argmax(axis=1) == y.argmax(axis=1)))


def binary_accuracy(y, out):
    """Share of entries right at a 0.5 threshold (multi-label: each output on its own)."""
    return float(np.mean((out > 0.5) == (y > 0.5)))


def r2(y, out):
    """Coefficient of determination, averaged over outputs (scikit-learn's r2_score)."""
    ss_res = np.square(y - out).sum(axis=0)
    ss_tot = np.square(y - y.mean(axis=0)).sum(axis=0)
    # A constant target is predicted perfectly (1) or not at all (0), as scikit-learn does.
    safe = np.where(ss_tot > 0, ss_tot, 1)
    scores = np.where(ss_tot > 0, 1 - ss_res / safe, np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(scores))


METRICS = {f.__name__: f for f in (mae, mse, accuracy, binary_accuracy, r2)}


def get_all(metrics):
    """[(name, function), ...] for a list of metric names or callables; a single one stands for a list of one."""
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]  # metrics="mae", as Keras takes it (else "mae" would be the metrics m, a, e)
    elif metrics is None:
        metrics = []
    try:
        metrics = list(metrics)
    except TypeError:
        raise TypeError(f"metrics must be a metric name, a callable or a list of them, got {metrics!r}") from None
    return [get(m) for m in metrics]


def get(name):
    """(name, function) for a metric name or a callable (named after its __name__)."""
    if callable(name):
        return name.__name__, name
    if isinstance(name, str) and name.lower() in METRICS:
        return name.lower(), METRICS[name.lower()]
    raise ValueError(f"unknown metric {name!r}; valid names are: {', '.join(sorted(METRICS))}")
