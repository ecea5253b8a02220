"""History: the per-epoch record of a fit."""

import numpy as np

from .base import Callback


class History(Callback):
    """Per-epoch record of a fit: ``history["loss"][epoch]`` and one list per metric.

    It reads as the dict `history.history`: ``"val_loss" in history``, ``dict(history)``, ``len``.

    `last_output` is the output of the last training step's forward pass, taken
    before that step's update (what the tutorial prints as ``l1`` after its loop).
    `kept_epoch` is the epoch whose weights the network ended with when a callback put
    back earlier ones (EarlyStopping's restore_best_weights; DivergenceGuard, where -1
    means the weights from before the first epoch), else None: the last.
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.last_output = None
        self.kept_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        history = self.history
        for key in logs:
            if key in history:
                history[key].append(logs[key])
            else:
                history[key] = [logs[key]]

    def on_epochs_end(self, first, logs):
        """`on_epoch_end` for the epochs from `first` on, whose values `logs` holds as arrays:
        how the compiled engine records the many epochs it runs in one call."""
        count = len(next(iter(logs.values())))
        self.epoch.extend(range(first, first + count))
        for key, values in logs.items():
            self.history.setdefault(key, []).extend(np.asarray(values, dtype=float).tolist())

    # Read like the dict it holds: history["loss"], "val_loss" in history, dict(history),
    # len, keys().
    def __getitem__(self, key):
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    def __iter__(self):
        return iter(self.history)

    def __len__(self):
        return len(self.history)

    def keys(self):
        return self.history.keys()

    def items(self):
        return self.history.items()

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# -- curves as tensors, for files ----------------------------------------------------------------


def final_values(curves, kept=-1):
    """{key: value at index `kept`} of `curves` ({key: [value per epoch]}).

    A curve too short for index `kept` gives its last value.
    """
    return {
        key: values[kept if kept < len(values) else -1]
        for key, values in curves.items()
        if len(values)
    }


def kept_index(history):
    """The index in `history` of the epoch whose weights the network holds.

    That is `kept_epoch`'s index, else -1.
    """
    return history.epoch.index(history.kept_epoch) if history.kept_epoch in history.epoch else -1


def curve_tensors(curves):
    """`curves` as float64 arrays named ``history.{key}``."""
    return {
        f"history.{key}": np.asarray(values, dtype=np.float64)
        for key, values in curves.items()
        if len(values)
    }


def from_tensors(tensors):
    """The History whose curves `curve_tensors` made (None if `tensors` hold none)."""
    curves = {
        key[len("history.") :]: tensors[key].tolist()
        for key in sorted(tensors)
        if key.startswith("history.")
    }
    if not curves:
        return None
    history = History()
    history.history = curves
    history.epoch = list(range(max(len(values) for values in curves.values())))
    return history
