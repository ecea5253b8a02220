"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from ..validation import check_bool, check_number
from .base import Callback
from .monitor import Monitor


class ReduceLROnPlateau(Callback):
    """Multiply the rate by `factor` when `monitor` has not improved for `patience` epochs.

    After a reduction it waits `cooldown` epochs before counting again, and never goes below
    `min_lr`. With `verbose` it prints a line at each reduction.
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        min_delta=1e-4,
        mode="auto",
        cooldown=0,
        min_lr=0.0,
        verbose=False,
    ):
        self.verbose = check_bool("verbose", verbose)
        self.factor = check_number("factor", factor, low=0, high=1, high_inclusive=False)
        patience = check_number("patience", patience, low=0, low_inclusive=True, integer=True)
        self.watch = Monitor(monitor, mode, min_delta, patience, who="ReduceLROnPlateau")
        self.monitor, self.mode = monitor, self.watch.mode
        self.patience, self.min_delta = patience, self.watch.min_delta
        self.cooldown = check_number("cooldown", cooldown, low=0, low_inclusive=True, integer=True)
        self.min_lr = check_number("min_lr", min_lr, low=0, low_inclusive=True)

    @property
    def best(self):
        return self.watch.best

    @property
    def wait(self):
        return self.watch.wait

    def on_train_begin(self, logs=None):
        self.watch.reset()
        self.cooling = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.cooling:
            self.cooling -= 1
        self.watch.update(epoch, logs, count=not self.cooling)
        if not self.watch.exhausted:
            return
        optimizer = self.network.optimizer
        old = optimizer.learning_rate
        optimizer.learning_rate = max(self.min_lr, old * self.factor)
        if self.verbose and optimizer.learning_rate != old:
            wait = self.watch.wait
            print(
                f"ReduceLROnPlateau: {self.monitor} has not improved for {wait} epoch"
                f"{'s' * (wait != 1)}: learning rate {old:g} -> {optimizer.learning_rate:g} "
                f"after epoch {epoch + 1}",
                flush=True,
            )
        self.watch.wait, self.cooling = 0, self.cooldown
