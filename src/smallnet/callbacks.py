"""Callbacks for training: early stopping and a history file. (The hooks are in smallnet.training.)"""
import os
from pathlib import Path

from .atomic import write_text
from .training import Callback
from .validation import check_bool, check_number


def _monitor_mode(monitor, mode):
    if not isinstance(monitor, str):
        raise TypeError(f"monitor must be the name of a logged value, such as 'val_loss', got {monitor!r}")
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if any(k in monitor for k in ("acc", "r2")) else "min"
    return mode


def _monitored(logs, monitor, who):
    if monitor not in logs:
        hint = " (pass validation_split or validation_data to fit)" if monitor.startswith("val_") else ""
        raise ValueError(f"{who} monitors {monitor!r}, but training logs only {', '.join(logs)}{hint}")
    return logs[monitor]


class EarlyStopping(Callback):
    """Stop when a monitored value stops improving.

    Parameters
    ----------
    monitor : str
        A History key: "val_loss" (default), "loss", "val_accuracy", ...
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; "auto" picks "max" for accuracies and R2.
    patience : int
        Epochs without improvement to wait before stopping.
    min_delta : float
        Smallest change that counts as an improvement.
    restore_best_weights : bool
        Put back the weights of the best epoch when training ends, whether it
        stopped early or ran all its epochs.
    verbose : bool
        Print a line when it stops training and when it puts weights back.

    After training, `best`, `best_epoch` and `stopped_epoch` (None if it ran to the end) tell what happened.
    """

    def __init__(self, monitor="val_loss", mode="auto", patience=0, min_delta=0.0, restore_best_weights=False,
                 verbose=False):
        self.monitor = monitor
        self.mode = _monitor_mode(monitor, mode)
        self.patience = check_number("patience", patience, low=0, low_inclusive=True, integer=True)
        self.min_delta = abs(check_number("min_delta", min_delta, low=None))
        self.restore_best_weights = check_bool("restore_best_weights", restore_best_weights)
        self.verbose = check_bool("verbose", verbose)

    def on_train_begin(self, logs=None):
        self.best = float("inf") if self.mode == "min" else float("-inf")
        self.best_epoch = self.stopped_epoch = self.best_weights = None
        self.wait = 0

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs, self.monitor, "EarlyStopping")
        better = value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta
        if better:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.network.get_weights()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.network.stop_training = True
            if self.verbose:
                epochs = f"{self.wait} epoch{'s' * (self.wait != 1)}"
                print(f"EarlyStopping: {self.monitor} has not improved for {epochs}: stopped after epoch {epoch + 1} "
                      f"(best {self.best:.6g}, in epoch {self.best_epoch + 1})", flush=True)

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.network.set_weights(self.best_weights)
            self.network.history.kept_epoch = self.best_epoch
            if self.verbose:
                print(f"EarlyStopping: put back the weights of epoch {self.best_epoch + 1}", flush=True)


class HistoryLogger(Callback):
    """Writes the history so far to `path` every `every` epochs and at the end.

    The format follows the suffix: ``.csv`` (one row per epoch) or ``.json``
    (``{"epoch": [...], "loss": [...], ...}``). Each write replaces the file
    atomically, so a reader never sees half a file.

    Every epoch is written even when the columns differ in length (as after a
    resume from an older checkpoint with validation by a fit without it): a
    shorter column is taken to hold the first epochs, and its missing values are
    empty CSV cells or JSON nulls.
    """

    def __init__(self, path, every=1):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file name (str or path-like), got {path!r}")
        self.path = Path(path)
        if self.path.suffix.lower() not in (".csv", ".json"):
            raise ValueError(f"HistoryLogger writes .csv or .json files, got {str(self.path)!r}")
        self.every = check_number("every", every, low=1, low_inclusive=True, integer=True)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._write()

    def on_train_end(self, logs=None):
        self._write()

    def _write(self):
        import csv
        import io
        import json

        history = self.network.history
        columns = {"epoch": [e + 1 for e in history.epoch], **history.history}
        # Pad to the longest column: rows cut at the shortest would lose epochs from the file.
        rows = max(len(values) for values in columns.values())
        columns = {key: list(values) + [None] * (rows - len(values)) for key, values in columns.items()}
        if self.path.suffix.lower() == ".json":
            text = json.dumps(columns, indent=1)
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(zip(*columns.values()))
            text = buffer.getvalue()
        write_text(self.path, text)
