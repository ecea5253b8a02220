"""What watches training: the Callback hooks, the History every fit returns,
the divergence guard every fit runs, and progress output.

A callback's hooks are called by `Network.fit` in this order::

    on_train_begin
      on_epoch_begin(epoch)
        on_batch_begin(batch) ... on_batch_end(batch, logs)   (once per step)
      on_epoch_end(epoch, logs)      logs: {"loss": ..., metric names: ..., "val_loss": ...}
    on_train_end

A callback sees the network as `self.network` and may set
``self.network.stop_training = True`` to end training after the current epoch.
"""
import importlib.util
import math
import signal
import sys
import threading
import time
import warnings

import numpy as np

from .validation import check_number


class Callback:
    """Base class: override the hooks you need."""

    network = None

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass


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

    # Read like the dict it holds: history["loss"], "val_loss" in history, dict(history), len, keys()
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


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss or the weights became NaN or infinite."""


class DivergenceGuard(Callback):
    """Stops training when the loss or the weights become NaN or inf, and puts back the last weights it saw good.

    Every fit runs one. It copies the weights (one flat array) at the start of each
    epoch, or, when epochs take under about 50 microseconds, of every few epochs, so
    that the copy costs no more than a few percent. A copy is good once the epoch that
    started from it ends with a finite loss. The weights themselves are checked as
    often, and once more when training ends (a loss is computed before its step, so
    the last step of a run shows only in the weights, or in what they make of its
    rows). When the loss or the weights are not finite, the last good copy (or the
    first one) is put back, the optimizer's state is reset, training stops, and a
    DivergenceWarning says what happened.
    """

    diverged_epoch = None

    def on_train_begin(self, logs=None):
        self._weights = self.network._params[0]  # every parameter, in one flat array
        self._copy, self._good = np.empty_like(self._weights), np.empty_like(self._weights)
        self._every, self._next, self._copied, self._good_epoch = 1, 0, None, None
        self._started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        if epoch >= self._next:
            np.copyto(self._copy, self._weights)
            self._copied = epoch
            if epoch == 100:  # by now the cost of an epoch is known
                per_epoch = (time.perf_counter() - self._started) / 100
                self._every = max(1, math.ceil(50e-6 / max(per_epoch, 1e-9)))
            self._next = epoch + self._every

    def on_epoch_end(self, epoch, logs=None):
        loss = logs["loss"]
        if not math.isfinite(loss):
            return self._diverged(epoch, f"the loss became {loss}")
        if epoch == self._copied:  # the epoch that started from the copy went well: it is good
            self._copy, self._good = self._good, self._copy
            self._good_epoch, self._copied = epoch, None
        if epoch + 1 >= self._next and not np.isfinite(self._weights).all():  # before the next copy
            self._diverged(epoch, "the weights became NaN or inf")

    def on_train_end(self, logs=None):
        network = self.network
        batch, network._last_batch = network._last_batch, None  # the network keeps no reference to the data
        if self.diverged_epoch is not None or (self._good_epoch is None and self._copied is None):
            return
        if not network._finite(batch):  # the last step's loss was computed before it: see Network._finite
            done = network.history.epoch
            self._diverged(done[-1] if done else self._copied, "the weights (or their outputs) became NaN or inf")

    def _diverged(self, epoch, what):
        good = self._good_epoch is not None
        start = self._good_epoch if good else self._copied
        np.copyto(self._weights, self._good if good else self._copy)  # else the first copy: nothing better
        self.network.optimizer.reset()
        self.network.stop_training = True
        self.network.history.kept_epoch = start - 1  # the weights at the end of that epoch (-1: the first ones)
        self.diverged_epoch = epoch
        warnings.warn(f"training diverged in epoch {epoch + 1}: {what}; stopped and put back the weights from "
                      f"the start of epoch {start + 1} (a lower learning rate may help)", DivergenceWarning,
                      stacklevel=3)


class PrintLogger(Callback):
    """One plain line every `every` epochs (and after the last): no control characters, fit for log files."""

    def __init__(self, every, epochs, file=None):
        self.every, self.epochs, self.file = every, epochs, file

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0 or epoch + 1 == self.epochs or self.network.stop_training:
            values = " - ".join(f"{k}: {v:.6g}" for k, v in logs.items())
            print(f"epoch {epoch + 1}/{self.epochs} - {values}", file=self.file or sys.stdout, flush=True)


class ProgressBar(Callback):
    """A tqdm progress bar over epochs with the latest loss and metrics (needs the `tqdm` package)."""

    def __init__(self, epochs, file=None):
        self.epochs, self.file = epochs, file

    def on_train_begin(self, logs=None):
        from tqdm import tqdm
        self.bar = tqdm(total=self.epochs, unit="epoch", file=self.file, dynamic_ncols=True)
        self._shown = 0.0

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if now - self._shown > 0.1 or epoch + 1 == self.epochs:  # formatting every epoch would cost more than tiny epochs
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


class InterruptFlag:
    """While active, Ctrl-C sets `interrupted` instead of raising, so `fit` can finish the current step
    and stop cleanly; a second Ctrl-C raises KeyboardInterrupt at once. Only the main thread can
    catch signals: elsewhere Ctrl-C keeps its usual effect."""

    interrupted = False

    def __enter__(self):
        self._installed = threading.current_thread() is threading.main_thread()
        if self._installed:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True

    def __exit__(self, *exc):
        if self._installed:  # a handler set outside Python reads as None: put Python's default back then
            signal.signal(signal.SIGINT, signal.default_int_handler if self._previous is None else self._previous)
