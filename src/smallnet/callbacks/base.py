"""The hooks every callback has, in the order `Network.fit` calls them::

    on_train_begin
      on_epoch_begin(epoch)
        on_batch_begin(batch) ... on_batch_end(batch, logs)   (once per step)
      on_epoch_end(epoch, logs)      logs: {"loss": ..., metric names: ..., "val_loss": ...}
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


def callback_list(callbacks):
    """fit's `callbacks` as a list.

    A single Callback is a list of one (as with metrics=), None none.
    """
    if isinstance(callbacks, Callback):
        return [callbacks]
    if callbacks is None:
        return []
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"callbacks must be a smallnet Callback or a list of them, got {callbacks!r:.80}"
        )
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be smallnet Callback instances, got {cb!r}")
    return callbacks


def overrides(callback, hook):
    """Whether `callback`'s class defines `hook` itself (the loop skips calls that do nothing)."""
    return getattr(type(callback), hook) is not getattr(Callback, hook)
