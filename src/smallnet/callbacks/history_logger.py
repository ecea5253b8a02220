"""HistoryLogger: the history so far, in a CSV or JSON file."""

import os
from pathlib import Path

from ..atomic import write_text
from ..validation import check_number
from .base import Callback


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
        columns = {
            key: list(values) + [None] * (rows - len(values)) for key, values in columns.items()
        }
        if self.path.suffix.lower() == ".json":
            text = json.dumps(columns, indent=1)
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(zip(*columns.values()))
            text = buffer.getvalue()
        write_text(self.path, text)
