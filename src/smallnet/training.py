"""What watches training: the Callback hooks and the History every fit returns.

A callback's hooks are called by `Network.fit` in this order::

    on_train_begin
      on_epoch_begin(epoch)
        on_batch_begin(batch) ... on_batch_end(batch, logs)   (once per step)
      on_epoch_end(epoch, logs)      logs: {"loss": ..., metric names: ...}
    on_train_end

A callback sees the network as `self.network` and may set
``self.network.stop_training = True`` to end training after the current epoch.
"""


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
    """Per-epoch record of a fit: ``history.history["loss"][epoch]`` and one list per metric.

    `last_output` is the output of the last training step's forward pass, taken
    before that step's update (what the tutorial prints as ``l1`` after its loop).
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.last_output = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        history = self.history
        for key in logs:
            if key in history:
                history[key].append(logs[key])
            else:
                history[key] = [logs[key]]

    def __getitem__(self, key):
        return self.history[key]

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class PrintLogger(Callback):
    """Prints one plain line every `every` epochs (and after the last one)."""

    def __init__(self, every, epochs, file=None):
        self.every, self.epochs, self.file = every, epochs, file

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0 or epoch + 1 == self.epochs:
            values = " - ".join(f"{k}: {v:.6g}" for k, v in logs.items())
            print(f"epoch {epoch + 1}/{self.epochs} - {values}", file=self.file, flush=True)
