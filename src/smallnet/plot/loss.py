"""The loss curve: loss and metrics per epoch, training and validation."""

import math
from collections.abc import Mapping

import numpy as np

from ..validation import check_bool
from .figure import CLASS_COLORS, figure, finish


def loss_curve(history, metrics=None, log=None, path=None, figsize=None, dpi=100, title=None):
    """Loss (and metrics) per epoch; validation values, where recorded, dashed beside them.

    Parameters
    ----------
    history : History or dict of lists
        What `Network.fit` returns, or its ``.history``: "loss", metric names,
        and "val_loss" / "val_<metric>" when validation data were given.
    metrics : str, list of str or None
        The metrics to draw, one panel each after the loss; None draws all of them, () none.
    log : bool or None
        Logarithmic y axes; None chooses per panel: log when the values are
        positive and span more than two orders of magnitude.
    path : str or os.PathLike, optional
        Save the figure here (.png or .svg).
    figsize : (width, height) in inches, optional
        Default: 4.5 x 3.6 per panel, at most three panels a row.
    dpi : float
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"history must be a History (what fit returns) or a dict of lists such as its "
            f".history, got {type(history).__name__}"
        )
    if "loss" not in logs:
        raise ValueError(
            f"the history has no 'loss'; it holds: {', '.join(map(str, logs)) or 'nothing'}"
        )
    if metrics is None:
        metrics = [key for key in logs if key != "loss" and not key.startswith("val_")]
    elif isinstance(metrics, str):
        metrics = [metrics]  # one metric, not its letters
    if log is not None:
        log = check_bool("log", log)
    for key in metrics:
        if key not in logs:
            raise ValueError(f"the history has no metric {key!r}; it holds: {', '.join(logs)}")
    keys = ["loss", *metrics]
    cols = min(len(keys), 3)
    rows = math.ceil(len(keys) / cols)
    fig = figure(figsize or (4.5 * cols, 3.6 * rows), dpi)
    for i, key in enumerate(keys):
        _draw_panel(fig.add_subplot(rows, cols, i + 1), logs, key, log)
    n = len(logs["loss"])
    fig.suptitle(title or f"Training ({n} epoch{'' if n == 1 else 's'})")
    return finish(fig, path)


def _draw_panel(ax, logs, key, log):
    """One value per epoch, its validation twin dashed beside it where the history has one."""
    train = _curve(logs, key)
    epochs = np.arange(1, len(train) + 1)
    marker = "o" if len(train) < 3 else None  # a line through one point is not drawn at all
    ax.plot(epochs, train, color=CLASS_COLORS[0], label="train", marker=marker)
    values = train
    if f"val_{key}" in logs:
        val = _curve(logs, f"val_{key}")
        ax.plot(
            np.arange(1, len(val) + 1),
            val,
            color=CLASS_COLORS[1],
            linestyle="--",
            label="validation",
            marker=marker,
        )
        ax.legend(fontsize="small")
        values = np.concatenate([train, val])
    if log or (log is None and _spans_decades(values)):
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel=key)
    ax.grid(alpha=0.3)


def _spans_decades(values):
    """Whether the finite values are all positive and span more than two orders of magnitude."""
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() > 100 * values.min()


def _curve(logs, key):
    """The history's values under `key` as a 1-D float array (NaN allowed: a diverged epoch is
    drawn as a gap)."""
    try:
        values = np.asarray(logs[key], dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 1:
        raise TypeError(
            f"history[{key!r}] must be a list of numbers (one per epoch), got {logs[key]!r:.60}"
        )
    return np.where(np.isfinite(values), values, np.nan)  # inf too: an axis can't reach it
