"""Learning-rate schedules: callbacks that set ``network.optimizer.learning_rate`` each epoch."""
import math

from .callbacks import _monitor_mode, _monitored
from .training import Callback
from .validation import check_bool, check_number


class Schedule(Callback):
    """Base: ``rate(epoch, initial)`` gives the learning rate for `epoch` (0-based) of this fit."""

    def on_train_begin(self, logs=None):
        self.initial = self.network.optimizer.learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        self.network.optimizer.learning_rate = self.rate(epoch, self.initial)


class StepDecay(Schedule):
    """Multiply the rate by `factor` every `step_size` epochs."""

    def __init__(self, step_size, factor=0.1):
        self.step_size = check_number("step_size", step_size, low=1, low_inclusive=True, integer=True)
        self.factor = check_number("factor", factor, low=0, high=1)

    def rate(self, epoch, initial):
        return initial * self.factor ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """Multiply the rate by `factor` every epoch."""

    def __init__(self, factor=0.99):
        self.factor = check_number("factor", factor, low=0, high=1)

    def rate(self, epoch, initial):
        return initial * self.factor ** epoch


class CosineDecay(Schedule):
    """Half a cosine from the initial rate down to `min_lr` over `epochs` epochs (then `min_lr`)."""

    def __init__(self, epochs, min_lr=0.0):
        self.epochs = check_number("epochs", epochs, low=1, low_inclusive=True, integer=True)
        self.min_lr = check_number("min_lr", min_lr, low=0, low_inclusive=True)

    def rate(self, epoch, initial):
        progress = min(epoch, self.epochs) / self.epochs
        return self.min_lr + (initial - self.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


class ReduceLROnPlateau(Callback):
    """Multiply the rate by `factor` when `monitor` has not improved for `patience` epochs.

    After a reduction it waits `cooldown` epochs before counting again, and never goes below `min_lr`.
    With `verbose` it prints a line at each reduction.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, min_delta=1e-4, mode="auto", cooldown=0,
                 min_lr=0.0, verbose=False):
        self.verbose = check_bool("verbose", verbose)
        self.monitor = monitor
        self.mode = _monitor_mode(monitor, mode)
        self.factor = check_number("factor", factor, low=0, high=1, high_inclusive=False)
        self.patience = check_number("patience", patience, low=0, low_inclusive=True, integer=True)
        self.min_delta = abs(check_number("min_delta", min_delta, low=None))
        self.cooldown = check_number("cooldown", cooldown, low=0, low_inclusive=True, integer=True)
        self.min_lr = check_number("min_lr", min_lr, low=0, low_inclusive=True)

    def on_train_begin(self, logs=None):
        self.best = float("inf") if self.mode == "min" else float("-inf")
        self.wait = self.cooling = 0

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(logs, self.monitor, "ReduceLROnPlateau")
        if self.cooling:
            self.cooling -= 1
        better = value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta
        if better:
            self.best, self.wait = value, 0
        elif not self.cooling:
            self.wait += 1
            if self.wait > self.patience:
                optimizer = self.network.optimizer
                old, optimizer.learning_rate = optimizer.learning_rate, max(self.min_lr,
                                                                           optimizer.learning_rate * self.factor)
                if self.verbose and optimizer.learning_rate != old:
                    epochs = f"{self.wait} epoch{'s' * (self.wait != 1)}"
                    print(f"ReduceLROnPlateau: {self.monitor} has not improved for {epochs}: learning rate {old:g} -> "
                          f"{optimizer.learning_rate:g} after epoch {epoch + 1}", flush=True)
                self.wait, self.cooling = 0, self.cooldown
