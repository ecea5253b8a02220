"""fit's epochs on the numba engine: the network's arrays laid out for `kernels.train`, and many
epochs per call where only the History and the divergence guard listen, one per call elsewhere.

The weights, the optimizer's state (momentum's velocity, Adam's moments and step count) and the
network's generator are the very ones the NumPy engine uses, so a checkpoint, a resume or a switch
of engine between fits carries on from where the other left off.
"""

import numpy as np

from .. import epochs as epoch_loop
from ..callbacks import DivergenceGuard, History
from ..layers import Dense
from . import ACTIVATIONS, LOSSES, kernels

CHUNK_WORK = 2e7  # multiply-adds per call in bulk: a Ctrl-C waits for one call, some milliseconds


def run(network, X, y, weights, validation, epochs, batch_size, shuffle, callbacks, interrupt):
    """fit's `epochs` (a range) on the compiled engine, as `smallnet.epochs.run` runs them.

    Returns the last step's outputs (None if none ran).
    """
    compiled = Compiled(network, X, y, weights, batch_size, shuffle)
    quiet = all(type(cb) in (History, DivergenceGuard) for cb in callbacks)
    if network.metrics or validation is not None or not quiet:
        return epoch_loop.run(network, validation, epochs, callbacks, interrupt, compiled.epoch)
    history = network.history
    guards = [cb for cb in callbacks if isinstance(cb, DivergenceGuard)]
    first, out = epochs.start, None
    while first < epochs.stop and not network.stop_training and not interrupt.interrupted:
        for guard in guards:  # the copy to go back to, should these epochs diverge
            guard.on_epoch_begin(first)
        losses, out = compiled.train(min(epochs.stop - first, compiled.chunk))
        history.on_epochs_end(first, {"loss": losses})
        for guard in guards:
            guard.on_epochs_end(first, losses)
        first += len(losses)
    return out


class Compiled:
    """A network's Dense stack laid out for `kernels.train` on (X, y, weights), with its buffers.

    Parameters
    ----------
    network : Network
        Built, and one that `smallnet.engine.unsupported` accepts.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_outputs)
    weights : ndarray of shape (n_samples,), or None
    batch_size : int
        At most n_samples; n_samples is the tutorial's full batch.
    shuffle : bool
        Draw each epoch's row order from the network's generator (minibatches only).
    """

    def __init__(self, network, X, y, weights, batch_size, shuffle):
        self.network, self.X, self.y = network, X, y
        dense = network.layers
        if type(dense[0]) is not Dense:  # a TableEncoder with nothing to train: encoded once
            X, dense = dense[0].forward(X), dense[1:]
        self.flat_X, self.flat_y = np.ascontiguousarray(X).ravel(), np.ascontiguousarray(y).ravel()
        self.features = X.shape[1]
        self.weights = np.empty(0, X.dtype) if weights is None else weights
        self.batch_size, self.shuffle = batch_size, shuffle and batch_size < len(X)
        rows, offset, place = [], 0, 0
        for layer in dense:
            k, u = layer.input_dim, layer.units
            bias = offset + k * u if layer.use_bias else -1
            rows.append((k, u, offset, bias, ACTIVATIONS.index(layer.activation.name), place))
            offset += k * u + (u if layer.use_bias else 0)
            place += batch_size * u
        self.layout = np.array(rows, np.int64)
        self.acts = np.empty(place, X.dtype)  # each layer's outputs (batch_size, units)
        self.errors = np.empty(place, X.dtype)  # and the error at them
        gathered = batch_size if batch_size < len(X) else 0  # a full batch is X itself
        self.xb = np.empty(gathered * X.shape[1], X.dtype)
        self.yb = np.empty(gathered * y.shape[1], y.dtype)
        self.wb = np.empty(batch_size, X.dtype)
        self.steps = np.empty_like(network.flat_params)
        self.outputs = np.empty((len(X), dense[-1].units), X.dtype)
        self.last = slice((len(X) - 1) // batch_size * batch_size, len(X))  # the last batch
        optimizer = network.optimizer
        self.codes = np.array(
            [
                LOSSES.index(network.loss.name),
                kernels.SGD if optimizer.name == "sgd" else kernels.ADAM,
                int(getattr(optimizer, "nesterov", False)),
                int(network.fused),
            ],
            np.int64,
        )
        work = len(X) * max(len(network.flat_params), 1)
        self.chunk = max(1, int(CHUNK_WORK // work))

    def train(self, epochs):
        """Train `epochs` epochs in one call: (their losses, the last step's outputs).

        Fewer epochs come back when one's loss is not finite: training stops after it.
        """
        network = self.network
        n = len(self.X)
        orders = np.empty((0, 0), np.int64)
        if self.shuffle:
            orders = np.empty((epochs, n), np.int64)
            for row in orders:
                row[:] = network.rng.permutation(n)
        optimizer = network.optimizer
        first, second, t = self._state(optimizer)
        losses = np.empty(epochs)
        done = kernels.train(
            self.flat_X, self.flat_y, self.features, self.y.shape[1], self.weights, orders,
            self.batch_size, epochs, network.flat_params, self.steps, first, second, self.layout,
            self.codes, self._hyper(optimizer), t, self.acts, self.errors, self.xb, self.yb,
            self.wb, losses, self.outputs.reshape(-1),
        )  # fmt: skip
        if optimizer.name != "sgd":
            optimizer.t = int(t[0])
        rows = self.last if orders.size == 0 else orders[done - 1, self.last]
        network.last_batch = self.X[rows]  # what the divergence guard checks at the end
        self.order = orders[done - 1] if orders.size else None
        return losses[:done], self.outputs[self.last]

    def epoch(self, epoch):
        """One epoch, as `smallnet.epochs.run` asks `train_epoch`."""
        losses, out = self.train(1)
        y, weights = self.y, None if self.weights.size == 0 else self.weights
        if self.order is not None and self.network.metrics:  # the rows in the order seen
            y, weights = y[self.order], None if weights is None else weights[self.order]
        return float(losses[0]), out, y, weights, self.outputs

    def _state(self, optimizer):
        """The optimizer's state as the kernel updates it in place: (first, second, t)."""
        flat = self.network.flat_params
        none = np.empty(0, flat.dtype)
        if optimizer.name == "sgd":
            if not optimizer.momentum:
                return none, none, np.zeros(1, np.int64)
            if optimizer.velocities is None:
                optimizer.velocities = [np.zeros_like(flat)]
            return optimizer.velocities[0], none, np.zeros(1, np.int64)
        if optimizer.moments is None:
            optimizer.moments = [(np.zeros_like(flat), np.zeros_like(flat))]
        m, v = optimizer.moments[0]
        return m, v, np.array([optimizer.t], np.int64)

    def _hyper(self, optimizer):
        """What `kernels.step` reads as `hyper`, from the optimizer and penalty as they are now
        (a schedule may have changed the learning rate since the last call)."""
        network = self.network
        return np.array(
            [
                optimizer.learning_rate,
                getattr(optimizer, "momentum", 0.0),
                getattr(optimizer, "beta_1", 0.0),
                getattr(optimizer, "beta_2", 0.0),
                getattr(optimizer, "epsilon", 0.0),
                getattr(optimizer, "weight_decay", 0.0),
                float(optimizer.name == "adamw"),  # epsilon on sqrt(v_hat), as AdamW's
                network.l1,
                network.l2,
                optimizer.step_scale,
                np.finfo(self.X.dtype).eps,
            ]
        )
