"""DivergenceGuard: every fit's watch for a loss or weights gone NaN or infinite."""

import math
import time
import warnings

import numpy as np

from .base import Callback


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss or the weights became NaN or infinite."""


class DivergenceGuard(Callback):
    """Stops training when the loss or the weights become NaN or inf, and puts back the last
    weights it saw good.

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
        # every parameter in one flat array, and statistics such as BatchNorm's running means
        self._weights = [self.network.flat_params] + [
            getattr(layer, name) for layer in self.network.layers for name in layer.statistics
        ]
        self._copy = [np.empty_like(a) for a in self._weights]
        self._good = [np.empty_like(a) for a in self._weights]
        self._every, self._next, self._copied, self._good_epoch = 1, 0, None, None
        self._started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        if epoch >= self._next:
            for copy, array in zip(self._copy, self._weights):
                np.copyto(copy, array)
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
        if epoch + 1 >= self._next and not np.isfinite(self._weights[0]).all():  # before next copy
            self._diverged(epoch, "the weights became NaN or inf")

    def on_epochs_end(self, first, losses):
        """`on_epoch_end` for the epochs from `first` on, whose losses the compiled engine ran in
        one call after one `on_epoch_begin(first)`: its copy is good once they are all finite."""
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            return self._diverged(first + int(bad[0]), f"the loss became {losses[bad[0]]}")
        if first == self._copied:
            self._copy, self._good = self._good, self._copy
            self._good_epoch, self._copied = first, None
        self._next = first + len(losses)  # the next call's first epoch takes a copy
        if not np.isfinite(self._weights[0]).all():
            self._diverged(first + len(losses) - 1, "the weights became NaN or inf")

    def on_train_end(self, logs=None):
        network = self.network
        if self.diverged_epoch is not None or (self._good_epoch is None and self._copied is None):
            return
        if not network.is_finite():  # the last step's loss was computed before it
            done = network.history.epoch
            what = "the weights (or their outputs) became NaN or inf"
            self._diverged(done[-1] if done else self._copied, what)

    def _diverged(self, epoch, what):
        good = self._good_epoch is not None
        start = self._good_epoch if good else self._copied
        for array, copy in zip(self._weights, self._good if good else self._copy):
            np.copyto(array, copy)  # the last good copy, else the first
        self.network.optimizer.reset()
        self.network.stop_training = True
        # The weights at the end of the epoch before `start` (-1: the first).
        self.network.history.kept_epoch = start - 1
        self.diverged_epoch = epoch
        warnings.warn(
            f"training diverged in epoch {epoch + 1}: {what}; stopped and put back the weights "
            f"from the start of epoch {start + 1} (a lower learning rate may help)",
            DivergenceWarning,
            stacklevel=3,
        )
