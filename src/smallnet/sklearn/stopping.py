"""scikit-learn's MLP stopping rule, as a smallnet callback."""

from ..callbacks import Callback, Monitor


class NoImprovementStop(Callback):
    """scikit-learn's MLP stopping rule (`Monitor`'s "sklearn" rule): stop once `monitor` has
    failed to beat its best by `tol` more than `n_iter_no_change` epochs in a row; for a
    validation score, keep the best weights."""

    def __init__(self, monitor, tol, n_iter_no_change):
        mode = "max" if monitor.startswith("val_") else "min"
        self.watch = Monitor(monitor, mode, tol, n_iter_no_change, rule="sklearn", who=monitor)
        self.stopped_epoch = None

    def on_train_begin(self, logs=None):
        self.watch.reset()
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        if self.watch.update(epoch, logs) and self.watch.mode == "max":
            self.best_weights = self.network.get_weights()
        if self.watch.exhausted:
            self.stopped_epoch = epoch
            self.network.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.network.set_weights(self.best_weights)
