"""The network: a sequence of layers trained by backpropagation.

One training step is the tutorial's loop body::

    out = forward(X)                     # l1 = nonlin(np.dot(l0, syn0)); l2 = ...
    error = loss.error(y, out)           # l2_error = y - l2
    for layer in reversed(layers):       # l2_delta = l2_error * slope; l1_error = l2_delta.dot(syn1.T); ...
        error = layer.backward(error)
    optimizer.update(params, steps)      # syn1 += l1.T.dot(l2_delta); syn0 += l0.T.dot(l1_delta)
"""
import numpy as np

from . import losses, metrics as metric_fns, optimizers
from .layers import Layer
from .training import Callback, History, PrintLogger
from .validation import check_array, check_dtype, check_number, check_X_y, make_rng


class Network:
    """A feed-forward network.

    Parameters
    ----------
    layers : list of Layer
        In order from input to output. Sizes must chain: each layer's input_dim
        (where given) equals the units of the layer below.
    loss : str or Loss
        "sse" (the tutorial's), "mse", "binary_crossentropy" or "categorical_crossentropy".
    optimizer : str or Optimizer
        "sgd" or "adam", or an instance such as ``SGD(learning_rate=1.0)``.
    metrics : list of str or callables
        Recorded in History each epoch: "mae", "mse", "accuracy", "binary_accuracy", "r2".
    seed : int, numpy generator or None
        Drives every random draw (initial weights in layer order, shuffling).
    dtype : {None, "float32", "float64"}
        None: the dtype of the first training data (float32 stays float32,
        anything else becomes float64).

    Examples
    --------
    The tutorial's 3-4-1 network:

    >>> net = Network([Dense(4, input_dim=3, activation="sigmoid", use_bias=False, initializer="uniform"),
    ...                Dense(1, activation="sigmoid", use_bias=False, initializer="uniform")],
    ...               loss="sse", optimizer=SGD(learning_rate=1.0), seed=1)
    """

    def __init__(self, layers, loss="mse", optimizer="adam", metrics=(), seed=None, dtype=None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be a smallnet Layer (such as Dense), got {layer!r}")
            if layer.name is None:
                layer.name = f"{type(layer).__name__.lower()}_{i}"
        if len({id(layer) for layer in self.layers}) < len(self.layers):
            raise ValueError("the same layer object appears twice; create one layer per position")
        for below, above in zip(self.layers, self.layers[1:]):
            if above.input_dim is not None and above.input_dim != below.units:
                raise ValueError(f"layer sizes don't chain: {above.name!r} expects {above.input_dim} inputs, "
                                 f"but {below.name!r} below it has {below.units} units")
        self.loss = losses.get(loss)
        self.optimizer = optimizers.get(optimizer)
        self.metrics = [metric_fns.get(m) for m in metrics]
        self.seed = seed
        self.rng = make_rng(seed)
        self.dtype = check_dtype(dtype)
        self.metadata = {}  # JSON-able facts saved with the model: task, classes, feature names, ...
        self.history = None
        self.stop_training = False
        self._params = None

    # -- structure ---------------------------------------------------------------------------

    @property
    def built(self):
        return self._params is not None

    @property
    def input_dim(self):
        return self.layers[0].input_dim

    @property
    def output_dim(self):
        return self.layers[-1].units

    def build(self, input_dim=None, dtype=None):
        """Draw fresh weights for every layer, in order, from the network's generator."""
        input_dim = self.input_dim if input_dim is None else input_dim
        if input_dim is None:
            raise ValueError("the input size is unknown: give the first layer input_dim= or call fit first")
        for candidate in (check_dtype(dtype), self.dtype, np.dtype(np.float64)):
            if candidate is not None:  # np.dtype objects are falsy, so no `or` chain
                self.dtype = dtype = candidate
                break
        for layer in self.layers:
            layer.build(input_dim, dtype, self.rng)
            input_dim = layer.units
        self._params = [p for layer in self.layers for p in layer.params]
        self._steps = [s for layer in self.layers for s in layer.steps]
        last = self.layers[-1]
        self._fused = getattr(getattr(last, "activation", None), "name", None) == self.loss.fused_activation
        return self

    @property
    def params(self):
        """All trainable arrays, layer by layer (weights, then bias)."""
        return list(self._params or [])

    def _check_X(self, X, y=None):
        """Validate the data, build on first use, and check it fits the network."""
        if y is None:
            X = check_array(X, "X", dtype=self.dtype)
        else:
            X, y = check_X_y(X, y, dtype=self.dtype)
        if not self.built:
            if self.input_dim not in (None, X.shape[1]):
                raise ValueError(f"X has {X.shape[1]} features (columns), "
                                 f"but the first layer expects input_dim={self.input_dim}")
            self.build(X.shape[1], X.dtype)
        elif X.shape[1] != self.input_dim:
            raise ValueError(f"X has {X.shape[1]} features (columns), but the network expects {self.input_dim}")
        if y is None:
            return X
        if y.shape[1] != self.output_dim:
            raise ValueError(f"y has {y.shape[1]} columns, but the network's last layer has {self.output_dim} units")
        if self.loss.fused_activation and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{self.loss.name} needs targets in [0, 1], got values from {y.min():g} to {y.max():g}")
        return X, y

    # -- one step ------------------------------------------------------------------------

    def forward(self, X, training=False):
        """Outputs (n, output_dim) of every layer in turn; in training they live in reused buffers."""
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, y, out):
        """Backpropagate from `out` towards `y`, filling each layer's steps (minus the gradients)."""
        self._backpropagate(self.loss.delta(y, out) if self._fused else self.loss.error(y, out))

    def _backpropagate(self, top):
        """`top`: the error at the output, or the delta below the output activation when the loss fuses with it."""
        layers = self.layers
        if self._fused:
            error = layers[-1].backward_delta(top, len(layers) > 1)
        else:
            error = layers[-1].backward(top, len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            error = layers[i].backward(error, i > 0)

    def train_step(self, X, y):
        """One forward pass, backward pass and update; returns (loss, outputs before the update)."""
        out = self.forward(X, training=True)
        if self._fused:
            loss, top = self.loss(y, out), self.loss.delta(y, out)
        else:
            loss, top = self.loss.value_and_error(y, out)  # l2_error = y - l2
        self._backpropagate(top)
        self.optimizer.update(self._params, self._steps)
        return loss, out

    # -- training and use ----------------------------------------------------------------------

    def fit(self, X, y, epochs=1, batch_size=None, shuffle=True, callbacks=(), log_every=0):
        """Train on (X, y) and return the History.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,) or (n_samples, n_outputs)
        epochs : int
            Passes over the data; the tutorial's iterations when full-batch.
        batch_size : int or None
            Rows per step; None (the default, as in the tutorial) takes them all at once.
        shuffle : bool
            Reorder the rows each epoch from the network's generator (minibatches only).
        callbacks : list of Callback
        log_every : int
            Print a line every this many epochs; 0 prints nothing.

        Calling fit again continues from the current weights.
        """
        X, y = self._check_X(X, y)
        epochs = check_number("epochs", epochs, low=1, low_inclusive=True, integer=True)
        log_every = check_number("log_every", log_every, low=0, low_inclusive=True, integer=True)
        n = len(X)
        if batch_size is None:
            batch_size = n
        batch_size = min(check_number("batch_size", batch_size, low=1, low_inclusive=True, integer=True), n)
        history = History()
        callbacks = [history, *callbacks] + ([PrintLogger(log_every, epochs)] if log_every else [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be smallnet Callback instances, got {cb!r}")
            cb.network = self
        batch_callbacks = [cb for cb in callbacks if type(cb).on_batch_begin is not Callback.on_batch_begin
                           or type(cb).on_batch_end is not Callback.on_batch_end]
        self.history, self.stop_training = history, False
        epoch_callbacks = [cb for cb in callbacks if type(cb).on_epoch_begin is not Callback.on_epoch_begin]
        metrics = self.metrics
        for cb in callbacks:
            cb.on_train_begin()
        for epoch in range(epochs):
            for cb in epoch_callbacks:
                cb.on_epoch_begin(epoch)
            if batch_size == n:  # the tutorial's full batch: one step per epoch
                loss, out = self.train_step(X, y)
                for cb in batch_callbacks:
                    cb.on_batch_end(0, {"loss": loss})
                y_seen, outputs = y, out
            else:
                loss, out, y_seen, outputs = self._fit_minibatches(X, y, batch_size, shuffle, batch_callbacks)
            logs = {"loss": loss}
            for name, fn in metrics:
                logs[name] = fn(y_seen, outputs)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        history.last_output = out.copy()  # out lives in a training buffer
        for cb in callbacks:
            cb.on_train_end()
        return history

    def _fit_minibatches(self, X, y, batch_size, shuffle, batch_callbacks):
        """One epoch of minibatch steps: (mean loss, last outputs, y in the order seen, all outputs or None)."""
        n = len(X)
        if shuffle:  # one permuted copy per epoch, then contiguous slices
            order = self.rng.permutation(n)
            X, y = X[order], y[order]
        outputs = np.empty_like(y) if self.metrics else None
        total = 0.0
        for batch, start in enumerate(range(0, n, batch_size)):
            for cb in batch_callbacks:
                cb.on_batch_begin(batch)
            stop = start + batch_size
            loss, out = self.train_step(X[start:stop], y[start:stop])
            total += loss * len(out)
            if outputs is not None:
                outputs[start:stop] = out
            for cb in batch_callbacks:
                cb.on_batch_end(batch, {"loss": loss})
        return total / n, out, y, outputs

    def predict(self, X):
        """Network outputs, shape (n_samples, output_dim)."""
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        return self.forward(self._check_X(X))

    def evaluate(self, X, y):
        """{"loss": ..., metric: ...} of the network on (X, y)."""
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        X, y = self._check_X(X, y)
        out = self.forward(X)
        return {"loss": self.loss(y, out), **{name: fn(y, out) for name, fn in self.metrics}}

    def summary(self, print_fn=print):
        """Print the layers with their output shapes and parameter counts."""
        rows = [("Layer (type)", "Output shape", "Activation", "Params")]
        for layer in self.layers:
            act = getattr(layer, "activation", None)
            rows.append((f"{layer.name} ({type(layer).__name__})", f"(None, {layer.units})",
                         act.name if act else "", str(layer.n_params) if self.built else "?"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "-" * (sum(widths) + 6)
        text = [line] + [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}"
                         for a, b, c, d in rows]
        text.insert(2, line)
        total = sum(layer.n_params for layer in self.layers) if self.built else "? (not built)"
        text += [line, f"Input size: {self.input_dim}", f"Total params: {total}",
                 f"Loss: {self.loss.name}  Optimizer: {self.optimizer!r}"]
        print_fn("\n".join(text))

    # -- saving ------------------------------------------------------------------------------------

    def config(self):
        """The JSON-able arguments that rebuild this network; weights and `metadata` are kept apart.

        Metrics given as functions can't be named in a file and are left out.
        """
        return {"layers": [layer.config() for layer in self.layers], "loss": self.loss.name,
                "optimizer": self.optimizer.config(),
                "metrics": [name for name, fn in self.metrics if metric_fns.METRICS.get(name) is fn],
                "seed": int(self.seed) if isinstance(self.seed, (int, np.integer)) else None,  # not a generator
                "dtype": None if self.dtype is None else self.dtype.name}

    @classmethod
    def from_config(cls, config):
        """The unbuilt network `config()` describes."""
        from .layers import from_config
        return cls([from_config(c) for c in config["layers"]], loss=config["loss"],
                   optimizer=config["optimizer"], metrics=config["metrics"], seed=config["seed"],
                   dtype=config["dtype"])

    def save(self, path):
        """Write the network to one safetensors file, atomically (see `smallnet.io.save`)."""
        from . import io
        io.save(self, path)

    def to_onnx(self, path, opset=17):
        """Export to an ONNX file; returns the largest difference from smallnet (see `smallnet.onnx_export`)."""
        from . import onnx_export
        return onnx_export.to_onnx(self, path, opset)
