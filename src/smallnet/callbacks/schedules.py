"""Learning-rate schedules: callbacks that set ``network.optimizer.learning_rate`` each epoch."""

import math

from ..validation import check_number
from .base import Callback


class Schedule(Callback):
    """Base: ``rate(epoch, initial)`` gives the learning rate for `epoch` (0-based) of this fit."""

    def on_train_begin(self, logs=None):
        self.initial = self.network.optimizer.learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        self.network.optimizer.learning_rate = self.rate(epoch, self.initial)


class StepDecay(Schedule):
    """Multiply the rate by `factor` every `step_size` epochs."""

    def __init__(self, step_size, factor=0.1):
        self.step_size = check_number(
            "step_size", step_size, low=1, low_inclusive=True, integer=True
        )
        self.factor = check_number("factor", factor, low=0, high=1)

    def rate(self, epoch, initial):
        return initial * self.factor ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """Multiply the rate by `factor` every epoch."""

    def __init__(self, factor=0.99):
        self.factor = check_number("factor", factor, low=0, high=1)

    def rate(self, epoch, initial):
        return initial * self.factor**epoch


class CosineDecay(Schedule):
    """Half a cosine from the initial rate down to `min_lr` over `epochs` epochs (then `min_lr`)."""

    def __init__(self, epochs, min_lr=0.0):
        self.epochs = check_number("epochs", epochs, low=1, low_inclusive=True, integer=True)
        self.min_lr = check_number("min_lr", min_lr, low=0, low_inclusive=True)

    def rate(self, epoch, initial):
        progress = min(epoch, self.epochs) / self.epochs
        return self.min_lr + (initial - self.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))
