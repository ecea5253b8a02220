"""The loop over a fit's epochs: callbacks around each, its loss, metrics and validation scores.

How an epoch trains is an engine's: `NumpyEpoch` runs `Network.train_step` on each batch, and
`smallnet.engine` has a compiled one. Both give `run` the same five things per epoch.
"""

import numpy as np

from . import metrics as metric_fns
from .callbacks import overrides
from .samples import Batches


def batch_callbacks(callbacks):
    """Those of `callbacks` that act on each batch."""
    return [
        cb for cb in callbacks if overrides(cb, "on_batch_begin") or overrides(cb, "on_batch_end")
    ]


def run(network, validation, epochs, callbacks, interrupt, train_epoch):
    """The epochs of fit over the `epochs` range, each trained by ``train_epoch(epoch)``.

    `train_epoch` returns (loss, last step's outputs, y and weights in the order the epoch saw
    them, every row's outputs or None), or None when a Ctrl-C stopped it part-way (that epoch is
    not recorded). Returns the last step's outputs (None if none ran).
    """
    metrics, out = network.metrics, None
    epoch_callbacks = [cb for cb in callbacks if overrides(cb, "on_epoch_begin")]
    for epoch in epochs:
        if network.stop_training:  # set in on_train_begin: resumed from a run that had stopped
            break
        for cb in epoch_callbacks:
            cb.on_epoch_begin(epoch)
        trained = train_epoch(epoch)
        if trained is None:
            break
        loss, out, y_seen, w_seen, outputs = trained
        logs = {"loss": loss}
        for name, fn in metrics:
            logs[name] = metric_fns.compute(fn, y_seen, outputs, w_seen)
        if validation is not None:
            logs.update(network.scores(*validation, prefix="val_"))
        if interrupt.interrupted:  # the epoch is whole: the last one (and a checkpoint's)
            network.stop_training = True
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if network.stop_training or interrupt.interrupted:
            break
    return out


class NumpyEpoch:
    """One epoch of `Network.train_step` over (X, y, weights): one full batch, or minibatches
    (shuffled each epoch from the network's generator), with the batch callbacks around each."""

    def __init__(self, network, X, y, weights, batch_size, shuffle, callbacks, interrupt):
        self.network, self.X, self.y, self.weights = network, X, y, weights
        self.batch_size, self.shuffle, self.interrupt = batch_size, shuffle, interrupt
        self.callbacks = batch_callbacks(callbacks)

    def __call__(self, epoch):
        network, X, y, weights = self.network, self.X, self.y, self.weights
        n = len(X)
        if self.batch_size == n:  # the tutorial's full batch: one step per epoch
            w = None if weights is None else weights / weights.mean()
            loss, out = network.train_step(X, y, w)
            for cb in self.callbacks:
                cb.on_batch_end(0, {"loss": loss})
            return loss, out, y, weights, out
        order = network.rng.permutation(n) if self.shuffle else None
        batches = Batches(X, y, weights, self.batch_size, order)
        loss, out, outputs = self._minibatches(batches)
        if loss is None:  # interrupted part-way
            return None
        y_seen, w_seen = batches.seen() if network.metrics else (y, weights)
        return loss, out, y_seen, w_seen, outputs

    def _minibatches(self, batches):
        """One epoch of minibatch steps: (mean loss, last outputs, all outputs or None).

        The epoch's loss averages the steps' losses, each counting by its batch's share (see
        `Batches`), so that with weights it is a weighted average too. After a Ctrl-C it stops
        at the end of the current step and returns a loss of None.
        """
        network, n = self.network, len(batches.X)
        # one column per output: y may be one column of class indices
        width = network.output_units(batches.X.shape[1])
        outputs = np.empty((n, width), batches.y.dtype) if network.metrics else None
        total = seen = 0.0
        for batch, (part, xb, yb, w, share) in enumerate(batches):
            for cb in self.callbacks:
                cb.on_batch_begin(batch)
            loss, out = network.train_step(xb, yb, w)
            total += loss * share
            seen += share
            if outputs is not None:
                outputs[part] = out
            for cb in self.callbacks:
                cb.on_batch_end(batch, {"loss": loss})
            if self.interrupt.interrupted and part.stop < n:
                return None, out, outputs
        return float(total / seen), out, outputs
