"""Progress output: plain lines for logs, a tqdm bar on a terminal."""

import importlib.util
import sys
import time

from ..validation import check_number
from .base import Callback


class PrintLogger(Callback):
    """One plain line every `every` epochs (and after the last): no control characters, fit for
    log files."""

    def __init__(self, every, epochs, file=None):
        self.every, self.epochs, self.file = every, epochs, file

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0 or epoch + 1 == self.epochs or self.network.stop_training:
            values = " - ".join(f"{k}: {v:.6g}" for k, v in logs.items())
            print(
                f"epoch {epoch + 1}/{self.epochs} - {values}",
                file=self.file or sys.stdout,
                flush=True,
            )


class ProgressBar(Callback):
    """A tqdm progress bar over epochs with the latest loss and metrics.

    Needs the `tqdm` package.
    """

    def __init__(self, epochs, file=None):
        self.epochs, self.file = epochs, file

    def on_train_begin(self, logs=None):
        from tqdm import tqdm

        self.bar = tqdm(total=self.epochs, unit="epoch", file=self.file, dynamic_ncols=True)
        self._shown = 0.0

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        # formatting every epoch would cost more than tiny epochs do
        if now - self._shown > 0.1 or epoch + 1 == self.epochs:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
            self._shown = now
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


def progress_callbacks(verbose, log_every, epochs):
    """The progress output `Network.fit` adds for its `verbose` and `log_every` arguments."""
    if verbose not in (0, 1, 2):  # True and False are 1 and 0
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    if log_every is not None:
        log_every = check_number("log_every", log_every, low=1, low_inclusive=True, integer=True)
    if not verbose and log_every is None:
        return []
    if verbose == 1 and sys.stderr.isatty() and importlib.util.find_spec("tqdm") is not None:
        return [ProgressBar(epochs, sys.stderr)]  # without tqdm, plain lines as below
    every = log_every or (max(1, epochs // 10) if verbose == 1 else 1)
    return [PrintLogger(every, epochs)]
