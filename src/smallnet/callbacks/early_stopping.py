"""EarlyStopping: stop when a monitored value stops improving."""

import numpy as np

from ..validation import check_bool, check_number
from .base import Callback
from .monitor import Monitor


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

    Notes
    -----
    After training, `best`, `best_epoch` and `stopped_epoch` (None if it ran to the end) tell
    what happened. A checkpoint keeps its state (`get_state`): a resumed fit goes on counting
    where the checkpointed one was, with the best weights so far.
    """

    def __init__(
        self,
        monitor="val_loss",
        mode="auto",
        patience=0,
        min_delta=0.0,
        restore_best_weights=False,
        verbose=False,
    ):
        patience = check_number("patience", patience, low=0, low_inclusive=True, integer=True)
        self.watch = Monitor(monitor, mode, min_delta, patience, who="EarlyStopping")
        self.monitor, self.mode = monitor, self.watch.mode
        self.patience, self.min_delta = patience, self.watch.min_delta
        self.restore_best_weights = check_bool("restore_best_weights", restore_best_weights)
        self.verbose = check_bool("verbose", verbose)

    @property
    def best(self):
        return self.watch.best

    @property
    def best_epoch(self):
        return self.watch.best_epoch

    @property
    def wait(self):
        return self.watch.wait

    def on_train_begin(self, logs=None):
        self.watch.reset()
        self.stopped_epoch = self.best_weights = None

    def get_state(self):
        """What a checkpoint keeps of this callback: the best value and its epoch, the epochs
        waited, the epoch it stopped in, the best weights (a list of arrays, or None)."""
        watch = self.watch
        return {
            "best": np.array([watch.best]),  # a tensor: JSON has no inf
            "best_epoch": watch.best_epoch,
            "wait": watch.wait,
            "stopped_epoch": self.stopped_epoch,
            "best_weights": self.best_weights,
        }

    def set_state(self, state):
        """Go on from `get_state`'s `state` (after `on_train_begin`); a run that had stopped
        stops again before its next epoch, and puts back its best weights at the end."""
        watch = self.watch
        watch.best, watch.best_epoch = float(state["best"][0]), state["best_epoch"]
        watch.wait, self.stopped_epoch = state["wait"], state["stopped_epoch"]
        weights = state["best_weights"]
        self.best_weights = None if weights is None else [np.array(w) for w in weights]
        if self.stopped_epoch is not None:
            self.network.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.watch.update(epoch, logs):
            if self.restore_best_weights:
                self.best_weights = self.network.get_weights()
            return
        if self.watch.exhausted:
            self.stopped_epoch = epoch
            self.network.stop_training = True
            if self.verbose:
                wait = self.watch.wait
                print(
                    f"EarlyStopping: {self.monitor} has not improved for {wait} epoch"
                    f"{'s' * (wait != 1)}: stopped after epoch {epoch + 1} "
                    f"(best {self.best:.6g}, in epoch {self.best_epoch + 1})",
                    flush=True,
                )

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.network.set_weights(self.best_weights)
            self.network.history.kept_epoch = self.best_epoch
            if self.verbose:
                print(
                    f"EarlyStopping: put back the weights of epoch {self.best_epoch + 1}",
                    flush=True,
                )
