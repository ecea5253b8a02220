"""The network: a sequence of layers trained by backpropagation.

One training step is the tutorial's loop body::

    out = forward(X)                     # l1 = nonlin(np.dot(l0, syn0)); l2 = ...
    error = loss.error(y, out)           # l2_error = y - l2
    for layer in reversed(layers):       # l2_delta = l2_error * slope; l1_error = l2_delta.dot(syn1.T); ...
        error = layer.backward(error)
    optimizer.update(params, steps)      # syn1 += l1.T.dot(l2_delta); syn0 += l0.T.dot(l1_delta)
"""
import os
import sys
import weakref

import numpy as np

from . import losses, metrics as metric_fns, optimizers
from .layers import Dropout, Layer, Standardize
from .training import Callback, DivergenceGuard, History, InterruptFlag, progress_callbacks
from .validation import check_array, check_bool, check_dtype, check_number, check_X_y, make_rng


def _fingerprint(*arrays):
    """SHA-256 of the arrays' shapes, dtypes and bytes (None entries skipped), to tell data apart."""
    import hashlib  # only checkpoints need it
    digest = hashlib.sha256()
    for a in arrays:
        if a is not None:
            digest.update(f"{a.dtype.str}{a.shape}".encode())
            digest.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return digest.hexdigest()


def _run_arguments(network, batch_size, shuffle, validation_split, validation_data):
    """What decides a fit's run besides its data, for its checkpoints to record: fit's arguments and
    the network's training settings as the fit begins (a schedule changes the rate later on)."""
    arguments = {"batch_size": batch_size, "shuffle": shuffle, "validation_split": validation_split,
                 "validation_data": validation_data is not None, "loss": network.loss.name, "l2": network.l2,
                 "metrics": [name for name, _ in network.metrics]}
    arguments.update((f"optimizer.{key}", value) for key, value in network.optimizer.config().items()
                     if key != "name")  # another optimizer is refused by load_checkpoint already
    seed = network.config()["seed"]
    if seed is not None:  # a seed given as a generator can't be compared
        arguments["seed"] = seed
    return arguments


def _check_resumed(path, recorded, arguments):
    """Refuse to resume from the checkpoint `path` with `arguments` (as `_run_arguments` gives) other
    than those it `recorded`; what it didn't record (an older checkpoint) can't be checked."""
    def shown(key, value):
        if key == "validation_data":
            return "(X_val, y_val)" if value else "None"
        return repr(value)

    for key, value in arguments.items():
        if key in recorded and recorded[key] != value:
            name = key.replace("optimizer.", "the optimizer's ")
            raise ValueError(f"{path}: the checkpoint was written with {name}={shown(key, recorded[key])}, not "
                             f"{shown(key, value)}; resume with the arguments it was written with")


def _callback_list(callbacks):
    """fit's `callbacks` as a list: a single Callback is a list of one (as with metrics=), None none."""
    if isinstance(callbacks, Callback):
        return [callbacks]
    if callbacks is None:
        return []
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"callbacks must be a smallnet Callback or a list of them, got {callbacks!r:.80}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be smallnet Callback instances, got {cb!r}")
    return callbacks


def validation_size(n, fraction, name="validation_split"):
    """How many of `n` rows `fraction` holds out for validation; an error naming the argument `name`
    (the caller's own: scikit-learn's estimators call it validation_fraction) unless both parts keep a row."""
    n_val = int(round(fraction * n))
    if not 1 <= n_val < n:
        given = f"{name} {fraction:g}" if name.startswith("--") else f"{name}={fraction}"  # an option, or an argument
        raise ValueError(f"{given} of {n} rows leaves {n_val} for validation and "
                         f"{n - n_val} for training; both need at least one")
    return n_val


def validation_rows(y, fraction, rng, stratify=False, name="validation_split"):
    """Sorted indices of the rows to hold out for validation: `fraction` of them after a shuffle from
    `rng`; with `stratify`, each class (each distinct row of y > 0.5) keeps its share.

    y : array, shape (n_samples, n_outputs)
    """
    n = len(y)
    n_val = validation_size(n, fraction, name)
    order = rng.permutation(n)
    if stratify:  # interleave the classes before cutting
        _, labels = np.unique(y[order] > 0.5, axis=0, return_inverse=True)
        labels = labels.ravel()
        counts = np.bincount(labels)
        rank = np.empty(n)
        for k in range(len(counts)):
            rank[labels == k] = (np.arange(counts[k]) + 0.5) / counts[k]
        order = order[np.argsort(rank, kind="stable")]
    return np.sort(order[:n_val])


def _physical_memory():
    """The machine's memory in bytes, or None where the system doesn't say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


_NO_TARGETS = object()  # _check_X's y when only X is checked (None is a user's mistake, and said so)


def _name(layer, position):
    """Name an unnamed layer after its type and position: dense_0, dropout_1, ..."""
    if layer.name is None:
        layer.name = f"{type(layer).__name__.lower()}_{position}"


def _check_chain(layer, below, dim):
    """Refuse `layer` on top of `below` (None: the first) when `below` gives `dim` outputs and it expects others."""
    if below is not None and None not in (dim, layer.input_dim) and layer.input_dim != dim:
        raise ValueError(f"layer sizes don't chain: {layer.name!r} expects {layer.input_dim} inputs, "
                         f"but {below.name!r} below it has {dim} units")


def _check_free(layer):
    """Refuse a layer that a live network holds: its arrays are views of that network's flat buffer, so a
    second network would rebind them, and the first would go on training a buffer that no layer reads."""
    owner = None if layer._owner is None else layer._owner()
    if owner is not None:
        raise ValueError(f"layer {layer.name!r} already belongs to another network; give each network "
                         f"layers of its own (copy.deepcopy(network) copies a whole network)")


class Network:
    """A feed-forward network.

    Parameters
    ----------
    layers : list of Layer
        In order from input to output. Sizes must chain: each layer's input_dim
        (where given) equals the output size of the layer below.
    loss : str or Loss
        "sse" (the tutorial's), "mse", "binary_crossentropy" or "categorical_crossentropy".
        categorical_crossentropy needs one output per class, so a last layer of 2 or more units.
    optimizer : str or Optimizer
        "sgd" or "adam", or an instance such as ``SGD(learning_rate=1.0)``. An instance trains
        one network: giving it to a second one, while the first is alive, is a ValueError.
    metrics : str, callable or list of them
        Recorded in History each epoch: "mae", "mse", "accuracy", "binary_accuracy", "r2".
        A single one (``metrics="mae"``) is a list of one.
    l2 : float
        L2 weight decay: ``0.5 * l2 * sum(weights**2)`` (biases excluded) is added
        to each step's loss, so every step also shrinks the weights by ``l2 * weights``.
    seed : int, numpy generator or None
        Drives every random draw (initial weights in layer order, shuffling,
        validation split, dropout masks).
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

    def __init__(self, layers, loss="mse", optimizer="adam", metrics=(), l2=0.0, seed=None, dtype=None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be a smallnet Layer (such as Dense), got {layer!r}")
            _name(layer, i)
        if len({id(layer) for layer in self.layers}) < len(self.layers):
            raise ValueError("the same layer object appears twice; create one layer per position")
        for layer in self.layers:
            _check_free(layer)
        dim, below = self.layers[0].input_dim, None
        for layer in self.layers:
            _check_chain(layer, below, dim)
            dim, below = layer.output_dim(layer.input_dim if dim is None else dim), layer
        self.loss = loss
        self.optimizer = optimizers.get(optimizer)
        self.metrics = metric_fns.get_all(metrics)
        self.l2 = check_number("l2", l2, low=0, low_inclusive=True)
        self.seed = seed
        self.rng = make_rng(seed)
        self.dtype = check_dtype(dtype)
        self.metadata = {}  # JSON-able facts saved with the model: task, classes, feature names, ...
        self.history = None
        self.stop_training = False
        self._params = None
        self._last_batch = None  # the rows of the last training step (see DivergenceGuard)
        # Last, once every argument is accepted: a network that failed to be made claims nothing.
        self.optimizer.claim(self)
        self._claim_layers()

    def add(self, layer):
        """Put `layer` on top of the network and return the network.

        Before the first fit any layer can be added. A built network takes only a
        layer with nothing to train, built at once for the network's outputs: for
        example ``Standardize(mean, scale, invert=True)`` after training on
        standardized targets, so that predictions come out in the targets' units.

        Raises
        ------
        ValueError
            If the layer is in a network already, its sizes don't chain, or it has weights
            and the network is built.
        """
        if not isinstance(layer, Layer):
            raise TypeError(f"layer must be a smallnet Layer (such as Dense), got {layer!r}")
        if any(layer is other for other in self.layers):
            raise ValueError("the same layer object appears twice; create one layer per position")
        _check_free(layer)
        dim = self.output_dim
        _check_chain(layer, self.layers[-1], dim)
        if self.built and not isinstance(layer, (Standardize, Dropout)):
            raise ValueError(f"the network is built: only a layer with nothing to train (Standardize, Dropout) "
                             f"can be added now, not a {type(layer).__name__}")
        self.layers.append(layer)
        try:
            self.loss = self.loss  # the top changed: is the loss still fused with it, or allowed at all?
        except ValueError:
            self.layers.pop()
            raise
        if self.built:
            layer.build(dim, self.dtype, self.rng)
        _name(layer, len(self.layers) - 1)
        layer._owner = weakref.ref(self)
        return self

    def _claim_layers(self):
        for layer in self.layers:
            layer._owner = weakref.ref(self)

    # -- structure ---------------------------------------------------------------------------

    @property
    def loss(self):
        """The Loss; setting it (a name or an instance) also decides whether it fuses with the output activation."""
        return self._loss

    @loss.setter
    def loss(self, loss):
        loss = losses.get(loss)
        self._check_outputs(loss, self.output_dim)
        self._loss = loss
        activation = getattr(self.layers[-1], "activation", None)
        self._fused = loss.fused_activation is not None and getattr(activation, "name", None) == loss.fused_activation

    def _check_outputs(self, loss, units):
        """Refuse a loss that can't mean anything for the last layer's outputs (`units` None: not known yet;
        `build` asks again)."""
        last = self.layers[-1]
        if loss.name == "categorical_crossentropy" and units == 1:
            # softmax over one unit is always 1, and -y log p only pulls the one output up: nothing is learned
            raise ValueError(f"categorical_crossentropy needs one output per class (2 or more), but the last layer "
                             f"{last.name!r} has 1 unit; for two classes use one sigmoid output with "
                             f"binary_crossentropy")
        if loss.fused_activation is None:
            return
        # The cross-entropies take logs of probabilities: an output that isn't one has no such loss, and the
        # clipping that keeps the logs finite would make the gradient wrong.
        activation = getattr(last, "activation", None)
        if activation is None:
            raise ValueError(f"{loss.name} needs a last layer with a {loss.fused_activation} activation, but the last "
                             f"layer {last.name!r} is a {type(last).__name__} layer")
        needed = ("distribution",) if loss.name == "categorical_crossentropy" else ("probability", "distribution")
        if activation.outputs is not None and activation.outputs not in needed:
            hint = " (for several labels per row: binary_crossentropy)" if activation.outputs == "probability" else ""
            what = "probabilities that sum to 1" if needed == ("distribution",) else "probabilities in [0, 1]"
            raise ValueError(f"{loss.name} needs {what}, but the last layer {last.name!r} has the {activation.name} "
                             f"activation; use activation={loss.fused_activation!r}{hint}")

    @property
    def built(self):
        return self._params is not None

    @property
    def input_dim(self):
        return self.layers[0].input_dim

    @property
    def output_dim(self):
        return self._output_dim(self.input_dim)

    def _output_dim(self, input_dim):
        """The network's output size for `input_dim` inputs (None when that is not known yet)."""
        dim = input_dim
        for layer in self.layers:
            dim = layer.output_dim(dim)
        return dim

    def build(self, input_dim=None, dtype=None):
        """Draw fresh weights for every layer, in order, from the network's generator."""
        input_dim = self.input_dim if input_dim is None else input_dim
        if input_dim is None:
            raise ValueError("the input size is unknown: give the first layer input_dim= or call fit first")
        for candidate in (check_dtype(dtype), self.dtype, np.dtype(np.float64)):
            if candidate is not None:  # np.dtype objects are falsy, so no `or` chain
                self.dtype = dtype = candidate
                break
        self._check_outputs(self.loss, self._output_dim(input_dim))
        # Weights, steps, and an optimizer's state of up to two arrays like them (Adam's moments): more than the
        # machine has would be killed by the system halfway, not refused.
        weights, memory = self._size(input_dim), _physical_memory()
        needed = 4 * weights * dtype.itemsize
        if memory and needed > memory:
            raise MemoryError(f"the network's {weights} weights need about {needed / 2**30:.3g} GiB with "
                              f"their steps and optimizer state, more than this machine's {memory / 2**30:.3g} GiB; "
                              f"use fewer or smaller layers")
        try:
            for layer in self.layers:
                layer.build(input_dim, dtype, self.rng)
                input_dim = layer.units
            self._flatten()
        except (MemoryError, ValueError) as exc:  # NumPy's "array is too big" is a ValueError
            if isinstance(exc, ValueError) and "too big" not in str(exc):
                raise
            sizes = " x ".join(str(layer.units) for layer in self.layers)
            raise MemoryError(f"the network's weights don't fit in memory (layers of {sizes} units); use fewer or "
                              f"smaller layers") from None
        self.optimizer.reset()
        return self

    def _size(self, input_dim):
        """How many numbers the layers need for `input_dim` inputs (built or not)."""
        total, dim = 0, input_dim
        for layer in self.layers:
            if hasattr(layer, "use_bias"):
                total += dim * layer.units + (layer.units if layer.use_bias else 0)
            elif hasattr(layer, "scale"):  # Standardize: a mean and a scale per feature
                total += 2 * layer.input_dim
            dim = layer.output_dim(dim)
        return total

    def _flatten(self):
        """Move all parameters (and all steps) into one flat array each; the layers keep views of them."""
        shapes = [p.shape for layer in self.layers for p in layer.params]
        flat_params = np.empty(sum(int(np.prod(s)) for s in shapes), self.dtype)
        flat_steps = np.zeros_like(flat_params)
        offset = 0
        for layer in self.layers:
            views, step_views = [], []
            for p in layer.params:
                views.append(flat_params[offset:offset + p.size].reshape(p.shape))
                step_views.append(flat_steps[offset:offset + p.size].reshape(p.shape))
                offset += p.size
            layer.bind(views, step_views)
        self._params, self._steps = [flat_params], [flat_steps]
        self._decayed = [(layer.weights, layer.steps[0]) for layer in self.layers if getattr(layer, "weights", None)
                         is not None]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_last_batch"] = None  # training data, not the network's: never pickled along
        return state

    def __setstate__(self, state):
        # pickle and copy.deepcopy turn the layers' views into arrays of their own: join them up again,
        # or training would update a flat array that no layer reads.
        self.__dict__.update({"_last_batch": None, **state})  # older pickles have none
        self._claim_layers()
        if self._params is not None:
            self._flatten()

    @property
    def params(self):
        """All trainable arrays, layer by layer (weights, then bias); views of one flat array."""
        return [p for layer in self.layers for p in layer.params]

    def get_weights(self):
        """Copies of all parameters, as a list in `params` order."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Copy `weights` (as from get_weights) into the network's parameters.

        Every array is checked before any is copied, so a bad one leaves the network as it was.

        Parameters
        ----------
        weights : list of array-like
            One finite real array per parameter, in `params` order, each of its parameter's shape.

        Raises
        ------
        RuntimeError
            If the network has no weights yet (call fit or build first: the shapes come from there).
        TypeError
            If `weights` is not a list or tuple, or an array holds no real numbers (naming its index).
        ValueError
            For a wrong number of arrays, or an array of the wrong shape or with NaN or inf (naming its index).
        """
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first, then set_weights")
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"weights must be a list of arrays, as get_weights returns, got {type(weights).__name__}")
        params = self.params
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} arrays (one per parameter, as get_weights returns), "
                             f"got {len(weights)}")
        checked = []
        for i, (p, w) in enumerate(zip(params, weights)):
            w = check_array(w, f"weights[{i}]", dtype=p.dtype, ndim=p.ndim)
            if w.shape != p.shape:
                raise ValueError(f"weights[{i}] has shape {w.shape}, but the network's has {p.shape}")
            checked.append(w)
        for p, w in zip(params, checked):
            p[...] = w

    def _check_X(self, X, y=_NO_TARGETS, build=True, dtype=None):
        """Validate the data (X alone, or X and y) and check it fits the network; build on first use (unless
        `build` is False). `dtype`: what to convert to when the network has none yet (default: as
        `check_array` decides)."""
        dtype = self.dtype if self.dtype is not None else dtype
        if y is None:  # given, but as nothing
            raise TypeError("y must be an array of targets, got None")
        if y is _NO_TARGETS:
            y = None
            X = check_array(X, "X", dtype=dtype)
        else:
            X, y = check_X_y(X, y, dtype=dtype)
        if not self.built:
            if self.input_dim not in (None, X.shape[1]):
                raise ValueError(f"X has {X.shape[1]} features (columns), "
                                 f"but the first layer expects input_dim={self.input_dim}")
            self._check_outputs(self.loss, self._output_dim(X.shape[1]))
        elif X.shape[1] != self.input_dim:
            raise ValueError(f"X has {X.shape[1]} features (columns), but the network expects {self.input_dim}")
        output_dim = self._output_dim(X.shape[1])
        if y is not None and y.shape[1] != output_dim:
            hint = (f" (for class labels 0..{output_dim - 1}, pass one-hot rows: np.eye({output_dim})[labels])"
                    if y.shape[1] == 1 else "")
            raise ValueError(f"y has {y.shape[1]} columns, but the network's last layer has {output_dim} units"
                             + hint)
        if build and not self.built:  # last: a refused call leaves the network as it was
            self.build(X.shape[1], X.dtype)
        if y is None:
            return X
        if self.loss.fused_activation and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{self.loss.name} needs targets in [0, 1], got values from {y.min():g} to {y.max():g}")
        if self._fused and self.loss.name == "categorical_crossentropy":
            # softmax's fused delta y - out is the gradient only for rows that sum to 1
            sums = y.sum(axis=1)
            off = np.flatnonzero(np.abs(sums - 1) > 1e-3)
            if off.size:
                raise ValueError(f"categorical_crossentropy with a softmax output needs each row of y to sum to 1 "
                                 f"(one-hot, or class probabilities), but row {off[0]} sums to {sums[off[0]]:g}; "
                                 f"for several labels per row use sigmoid outputs and binary_crossentropy")
        return X, y

    # -- one step ------------------------------------------------------------------------

    def forward(self, X, training=False):
        """Outputs (n, output_dim) of every layer in turn; in training they live in reused buffers.

        A sigmoid's exp(-z) overflows to inf for very negative z, where its output is exactly 0:
        outside training NumPy's overflow warning is silenced here (fit silences it once for all steps).
        """
        if not training:
            with np.errstate(over="ignore"):
                return self._forward(X, False)
        return self._forward(X, True)

    def _forward(self, X, training):
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def objective(self, y, out, weights=None):
        """The loss that training minimizes: the data loss (with `weights`, the weighted average that
        `Loss.__call__` defines) plus the L2 penalty."""
        return self.loss(y, out, weights) + self._penalty()

    def _penalty(self):
        if not self.l2:
            return 0.0
        return 0.5 * self.l2 * sum(float(np.vdot(w, w)) for w, _ in self._decayed)

    def backward(self, y, out, weights=None):
        """Backpropagate from `out` towards `y`, filling each layer's steps (minus the gradients)."""
        self._backpropagate(self._top(y, out, weights))

    def _top(self, y, out, weights=None):
        top = self.loss.delta(y, out) if self._fused else self.loss.error(y, out)
        if weights is not None:
            top *= weights[:, None]
        return top

    def _backpropagate(self, top, scale=1.0):
        """`top`: the error at the output, or the delta below the output activation when the loss fuses
        with it, already multiplied by `scale`, which the weight decay's steps then take too."""
        layers = self.layers
        if self._fused:
            error = layers[-1].backward_delta(top, len(layers) > 1)
        else:
            error = layers[-1].backward(top, len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            error = layers[i].backward(error, i > 0)
        if self.l2:
            for w, step in self._decayed:
                step -= (scale * self.l2) * w

    def train_step(self, X, y, weights=None):
        """One forward pass, backward pass and update; returns (loss, outputs before the update).

        `weights` (n,) scale each sample's share of the loss (mean 1 keeps its scale).
        """
        self._last_batch = X  # what DivergenceGuard checks the final weights on
        out = self.forward(X, training=True)
        if weights is not None:
            loss, top = self.objective(y, out, weights), self._top(y, out, weights)
        else:
            if self._fused:
                loss, top = self.loss(y, out), self.loss.delta(y, out)
            else:
                loss, top = self.loss.value_and_error(y, out)  # l2_error = y - l2
            if self.l2:
                loss += self._penalty()
        # Every step is linear in `top`, so the optimizer's factor for them all (SGD's learning
        # rate) goes on these few numbers here instead of on every weight's step.
        scale = self.optimizer.step_scale
        if scale != 1:
            top *= scale
            self._backpropagate(top, scale)
            self.optimizer.update(self._params, self._steps, scaled=True)
        else:  # (an optimizer of one's own needs no `scaled` argument unless it has a step_scale)
            self._backpropagate(top)
            self.optimizer.update(self._params, self._steps)
        return loss, out

    # -- training and use ----------------------------------------------------------------------

    def fit(self, X, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0, validation_data=None,
            sample_weight=None, callbacks=(), verbose=0, log_every=None, checkpoint=None, checkpoint_every=1,
            resume=None):
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
            Only True or False: a string such as "no" is a TypeError, not true.
        validation_split : float in [0, 1)
            Share of rows held out for validation, chosen after a shuffle from the
            network's generator. With a cross-entropy loss the split is stratified:
            each class (each distinct label row, for multi-label targets) keeps its share.
        validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
            Explicit validation data (instead of validation_split).
        sample_weight : array-like, shape (n_samples,), optional
            Non-negative weight of each sample in the loss; only their ratios matter.
            Within each step the weights are rescaled to mean 1, so the loss is a
            weighted average, and so are the loss and metrics that History records
            (the ``val_`` ones with the validation rows' weights).
        callbacks : Callback or list of Callback
            Called at train/epoch/batch begin and end (see smallnet.training); a single
            one is a list of one.
        verbose : {0, 1, 2}
            0 silent; 1 a progress bar on a terminal (plain lines every `log_every`
            epochs, default a tenth of them, elsewhere); 2 one plain line every
            `log_every` epochs (default every epoch).
        log_every : int, optional
            Epochs between plain progress lines; giving it alone turns them on.
        checkpoint : path, optional
            Write a checkpoint there (atomically) every `checkpoint_every` epochs and when
            training ends: weights, optimizer and generator state, epoch, history, and the
            validation rows. Needs the `[io]` extra (safetensors). A path that is a folder,
            or in a folder that doesn't exist, is refused before training starts.
        checkpoint_every : int
            Epochs between checkpoints.
        resume : path, optional
            Go on from a checkpoint written by a fit with the same network, data and
            arguments: `epochs` counts the epochs already done, and the weights end
            bit-identical to those of a run that was never interrupted. Callbacks start
            afresh (EarlyStopping forgets its best). Other data, or another batch_size,
            shuffle, validation_split, validation_data (given or not), loss, l2, metrics,
            seed or optimizer setting than the checkpoint recorded, is a ValueError naming
            both values (older checkpoints are checked on what they recorded). A checkpoint
            that has done more than `epochs` epochs is a ValueError; one that has done
            exactly `epochs` gives back its History at once: nothing is trained, no
            callback is called and no checkpoint is written.

        Ctrl-C stops training after the current step (a second Ctrl-C stops at once) and
        returns: the network keeps what it has learned, and `history.interrupted` is True.
        The checkpoint holds the end of the last whole epoch it was written at (every
        `checkpoint_every` epochs, and at a Ctrl-C that falls between epochs), never a
        state from part-way through one: resuming from it ends bit-identical to a run that
        was never interrupted.

        Returns
        -------
        History
            ``history.history["loss"]`` (and each metric, ``val_`` prefixed for
            validation) per epoch; `last_output` holds the last step's outputs.

        Calling fit again continues from the current weights.
        """
        # First, before anything resets or loads the optimizer's state: a copy's (pickle, deepcopy)
        # becomes this network's, and one that another network uses is refused.
        self.optimizer.claim(self)
        # Everything is checked before the network is built on first use: a refused call leaves it unbuilt.
        X, y = self._check_X(X, y, build=False)
        epochs = check_number("epochs", epochs, low=1, low_inclusive=True, integer=True)
        shuffle = check_bool("shuffle", shuffle)
        if checkpoint is not None:  # a wrong path fails now, not after the first epoch
            from .atomic import check_destination
            checkpoint = check_destination(checkpoint)
        checkpoint_every = check_number("checkpoint_every", checkpoint_every, low=1, low_inclusive=True, integer=True)
        weights = None if sample_weight is None else self._check_sample_weight(sample_weight, len(X), X.dtype)
        if validation_data is not None and validation_split:
            raise ValueError("give validation_split or validation_data, not both")
        validation_split = check_number("validation_split", validation_split, low=0, low_inclusive=True,
                                        high=1, high_inclusive=False)
        if validation_split:
            validation_size(len(X), validation_split)
        validation = self._check_validation_data(validation_data, X.dtype, X.shape[1])
        if batch_size is not None:
            batch_size = check_number("batch_size", batch_size, low=1, low_inclusive=True, integer=True)
        user_callbacks = _callback_list(callbacks)
        progress = progress_callbacks(verbose, log_every, epochs)
        if not self.built:
            self.build(X.shape[1], X.dtype)
        history = History()
        fit_state = {}
        if checkpoint is not None or resume is not None:
            fit_state["data"] = _fingerprint(X, y, weights)
            fit_state["arguments"] = _run_arguments(self, batch_size, shuffle, validation_split, validation_data)
        done = 0
        if resume is not None:
            done, fit_state = self._resume(resume, fit_state, epochs, history)
        if validation_split:
            if "validation_rows" not in fit_state:
                fit_state["validation_rows"] = self._validation_rows(y, validation_split)
            X, y, weights, validation = self._split(X, y, weights, fit_state["validation_rows"])
        n = len(X)
        batch_size = n if batch_size is None else min(batch_size, n)
        guard = [] if any(isinstance(cb, DivergenceGuard) for cb in user_callbacks) else [DivergenceGuard()]
        callbacks = [history, *guard, *user_callbacks, *progress]
        for cb in callbacks:
            cb.network = self
        self.history, self.stop_training = history, False
        if done == epochs:  # resumed from a finished run: nothing to train
            history.interrupted = False
            return history

        written = []  # the epochs the checkpoint was written at, in this fit

        def save_checkpoint(epochs_done):
            if not self._finite():  # diverged in the epoch's last step: the guard says so; keep the last good file
                return
            from . import io
            io.save_checkpoint(checkpoint, self, epochs_done, history.history, fit_state)
            written.append(epochs_done)

        for cb in callbacks:
            cb.on_train_begin()
        # A diverging run overflows; the DivergenceGuard says so once, in words, instead of
        # NumPy warning at every operation.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), InterruptFlag() as interrupt:
            out = self._run_epochs(X, y, weights, validation, range(done, epochs), batch_size, shuffle, callbacks,
                                   interrupt, save_checkpoint if checkpoint is not None else None, checkpoint_every)
        history.interrupted = interrupt.interrupted
        if out is not None:
            history.last_output = out.copy()  # out lives in a training buffer
        if interrupt.interrupted:
            kept = "" if checkpoint is None else (
                f"; {checkpoint} holds the end of epoch {written[-1]}, to resume from" if written
                else "; no checkpoint was written in this fit")
            print(f"smallnet: training interrupted after epoch {len(history.epoch)} of {epochs} (and maybe part of "
                  f"the next); the network keeps what it learned so far{kept}", file=sys.stderr)
        for cb in callbacks:
            cb.on_train_end()
        return history

    def _finite(self, batch=None):
        """Whether the weights, and what they make of `batch` (default: the last training step's rows), are finite.

        A loss is computed before its step, so a last step that overflowed shows only here; and
        weights of 1e200 are finite while their products are not.
        """
        batch = self._last_batch if batch is None else batch
        with np.errstate(all="ignore"):
            return bool(np.isfinite(self._params[0]).all() and (batch is None or np.isfinite(self.forward(batch)).all()))

    def _resume(self, path, fit_state, epochs, history):
        """Load the checkpoint `path` into the network and `history`: (epochs it has done, fit state to go on with).

        Refused: other data, other run arguments than it recorded, more epochs done than `epochs`.
        """
        from . import io
        done, previous, saved = io.load_checkpoint(path, self)
        if saved.get("data") != fit_state["data"]:
            raise ValueError(f"{path}: this checkpoint was written for other training data "
                             f"(X, y or sample_weight differ)")
        recorded = saved.get("arguments", {})
        _check_resumed(path, recorded, fit_state["arguments"])
        if done > epochs:
            raise ValueError(f"{path}: the checkpoint has already trained {done} epochs, more than "
                             f"epochs={epochs}; give epochs={done} or more (epochs counts those already done)")
        history.history = {key: list(values) for key, values in previous.items()}
        history.epoch = list(range(done))
        # an older checkpoint's next ones record this fit's arguments, beside what it recorded itself
        return done, {**saved, "arguments": {**fit_state["arguments"], **recorded}}

    def _run_epochs(self, X, y, weights, validation, epochs, batch_size, shuffle, callbacks, interrupt,
                    save_checkpoint, checkpoint_every):
        """The epoch loop of fit over the `epochs` range; returns the last step's outputs (None if none ran)."""
        n, metrics, out, partial = len(X), self.metrics, None, False
        batch_callbacks = [cb for cb in callbacks if type(cb).on_batch_begin is not Callback.on_batch_begin
                           or type(cb).on_batch_end is not Callback.on_batch_end]
        epoch_callbacks = [cb for cb in callbacks if type(cb).on_epoch_begin is not Callback.on_epoch_begin]
        for epoch in epochs:
            for cb in epoch_callbacks:
                cb.on_epoch_begin(epoch)
            if batch_size == n:  # the tutorial's full batch: one step per epoch
                w = None if weights is None else weights / weights.mean()
                loss, out = self.train_step(X, y, w)
                for cb in batch_callbacks:
                    cb.on_batch_end(0, {"loss": loss})
                y_seen, w_seen, outputs = y, weights, out
            else:
                loss, out, y_seen, w_seen, outputs = self._fit_minibatches(X, y, weights, batch_size, shuffle,
                                                                           batch_callbacks, interrupt)
                if loss is None:  # interrupted part-way: the epoch is not recorded
                    partial = True
                    break
            logs = {"loss": loss}
            for name, fn in metrics:
                logs[name] = metric_fns.compute(fn, y_seen, outputs, w_seen)
            if validation is not None:
                logs.update(self._validation_logs(*validation))
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if save_checkpoint and (epoch + 1) % checkpoint_every == 0:
                save_checkpoint(epoch + 1)
            if self.stop_training or interrupt.interrupted:
                break
        # The end of training, or the end of the last whole epoch before a Ctrl-C. Weights from part-way
        # through an epoch are not written: resuming from them would not give the uninterrupted run.
        if save_checkpoint and self.history.epoch and not partial and (
                interrupt.interrupted or len(self.history.epoch) % checkpoint_every):
            save_checkpoint(len(self.history.epoch))
        return out

    def _fit_minibatches(self, X, y, weights, batch_size, shuffle, batch_callbacks, interrupt):
        """One epoch of minibatch steps: (mean loss, last outputs, y and sample weights (or None) in the
        order seen, all outputs or None).

        The epoch's loss averages the steps' losses, each counting by its batch's total weight
        (its row count without weights), so that with weights it is a weighted average too.

        With shuffle, the order is drawn once per epoch from the network's generator and each
        batch's rows are gathered into one reused contiguous buffer. After a Ctrl-C it stops
        at the end of the current step and returns a loss of None.
        """
        n = len(X)
        order = self.rng.permutation(n) if shuffle else None
        if order is not None:
            X_batch = np.empty((batch_size, X.shape[1]), X.dtype)
            y_batch = np.empty((batch_size, y.shape[1]), y.dtype)
        outputs = np.empty_like(y) if self.metrics else None
        total = seen = 0.0
        for batch, start in enumerate(range(0, n, batch_size)):
            for cb in batch_callbacks:
                cb.on_batch_begin(batch)
            stop = min(start + batch_size, n)
            if order is None:
                xb, yb, rows = X[start:stop], y[start:stop], slice(start, stop)
            else:
                rows = order[start:stop]
                # mode="clip": the rows are valid by construction, and the default "raise" would
                # gather into a temporary first and then copy it into the buffer
                xb = np.take(X, rows, axis=0, out=X_batch[:stop - start], mode="clip")
                yb = np.take(y, rows, axis=0, out=y_batch[:stop - start], mode="clip")
            w, share = None, stop - start
            if weights is not None:
                w = weights[rows]
                share = w.sum()
                w = w / (share / len(w)) if share else w  # mean 1; a batch of zero weights adds nothing
            loss, out = self.train_step(xb, yb, w)
            total += loss * share
            seen += share
            if outputs is not None:
                outputs[start:stop] = out
            for cb in batch_callbacks:
                cb.on_batch_end(batch, {"loss": loss})
            if interrupt.interrupted and stop < n:
                return None, out, y, weights, outputs
        if order is None or outputs is None:
            return float(total / seen), out, y, weights, outputs
        return float(total / seen), out, y[order], None if weights is None else weights[order], outputs

    def _check_sample_weight(self, sample_weight, n, dtype=None):
        """`sample_weight` checked, in the network's dtype (`dtype` before it has one); weights too large to
        sum there are scaled down."""
        dtype = self.dtype if self.dtype is not None else dtype
        # Checked in their own dtype first: a finite float64 weight too large for float32 is fine once scaled.
        weights = check_array(sample_weight, "sample_weight", ndim=1)
        if len(weights) != n:
            raise ValueError(f"sample_weight has {len(weights)} entries, but X has {n} rows")
        if weights.min() < 0:
            raise ValueError(f"sample_weight must be non-negative, got {weights.min():g}")
        if not weights.any():
            raise ValueError("sample_weight is zero everywhere: no sample would count")
        with np.errstate(over="ignore"):
            total = np.sum(weights, dtype=dtype)
        if not np.isfinite(total):
            # Only the ratios matter, but a mean of inf would rescale every weight to 0 (nothing trained):
            # a largest weight of 1 keeps the sum finite.
            weights = weights / weights.max()
        return weights.astype(dtype, copy=False)

    def _check_validation_data(self, data, dtype=None, width=None):
        """(X_val, y_val, weights) checked like the training data (`dtype`, `width`: the training X's)."""
        if data is None:
            return None
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("validation_data must be (X_val, y_val) or (X_val, y_val, sample_weight_val)")
        try:
            X, y = self._check_X(data[0], data[1], build=False, dtype=dtype)
            if width is not None and X.shape[1] != width:
                raise ValueError(f"X has {X.shape[1]} features (columns), but the network expects {width}")
            weights = (None if len(data) == 2 or data[2] is None
                       else self._check_sample_weight(data[2], len(X), X.dtype))
        except (TypeError, ValueError) as exc:  # "X has 2 features" would read as the training X
            raise type(exc)(f"validation_data: {exc}") from None
        return X, y, weights

    def _validation_rows(self, y, fraction):
        return validation_rows(y, fraction, self.rng, stratify=self.loss.fused_activation is not None)

    def _split(self, X, y, weights, rows):
        """(X, y, weights) without `rows`, and the held-out (X, y, weights) for validation."""
        held_out = np.zeros(len(X), dtype=bool)
        held_out[rows] = True
        train = ~held_out
        validation = (X[held_out], y[held_out], None if weights is None else weights[held_out])
        if weights is not None:
            for part, w in (("training", weights[train]), ("validation", validation[2])):
                if not w.any():  # nothing would be learned, or nothing measured
                    raise ValueError(f"sample_weight is zero for every {part} row of this validation_split; "
                                     f"give those rows weight, or pass validation_data")
        return X[train], y[train], None if weights is None else weights[train], validation

    def _validation_logs(self, X, y, weights):
        out = self.forward(X)
        return {"val_loss": self.loss(y, out, weights),
                **{f"val_{name}": metric_fns.compute(fn, y, out, weights) for name, fn in self.metrics}}

    def predict(self, X):
        """Network outputs, shape (n_samples, output_dim): always a new array, never `X` itself."""
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        X = self._check_X(X)
        out = self.forward(X)
        # Layers that pass their input through (Dropout outside training) would hand back the
        # caller's own array: writing into the predictions would change their data.
        return out.copy() if np.may_share_memory(out, X) else out

    def evaluate(self, X, y, sample_weight=None):
        """{"loss": ..., metric: ...} of the network on (X, y).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like, shape (n_samples,), optional
            Non-negative; only their ratios matter. The loss is then the weighted average of the
            per-sample losses (see `Loss.__call__`), as in training, and the metrics are weighted
            too (a metric of one's own only if it takes weights: see `metrics.weight_keyword`).
        """
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        X, y = self._check_X(X, y)
        weights = None if sample_weight is None else self._check_sample_weight(sample_weight, len(X))
        out = self.forward(X)
        return {"loss": self.loss(y, out, weights),
                **{name: metric_fns.compute(fn, y, out, weights) for name, fn in self.metrics}}

    def summary(self, print_fn=print):
        """Print the layers with their output shapes and parameter counts."""
        rows = [("Layer (type)", "Output shape", "Activation", "Params")]
        dim = self.input_dim
        for layer in self.layers:
            dim = layer.output_dim(dim)
            act = getattr(layer, "activation", None)
            kind = type(layer).__name__ + (f" {layer.rate:g}" if isinstance(layer, Dropout) else
                                           ", inverted" if getattr(layer, "invert", False) else "")
            settings = ", ".join(f"{v:g}" for k, v in act.config().items() if k != "name") if act else ""
            rows.append((f"{layer.name} ({kind})", f"(None, {'?' if dim is None else dim})",
                         (f"{act.name}({settings})" if settings else act.name) if act else "",
                         str(layer.n_params) if self.built else "?"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "-" * (sum(widths) + 6)
        text = [line] + [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}"
                         for a, b, c, d in rows]
        text.insert(2, line)
        total = sum(layer.n_params for layer in self.layers) if self.built else "? (not built)"
        text += [line, f"Input size: {self.input_dim}", f"Total params: {total}",
                 f"Loss: {self.loss.name}  Optimizer: {self.optimizer!r}" + (f"  L2: {self.l2:g}" if self.l2 else "")]
        print_fn("\n".join(text))

    # -- teaching mode -------------------------------------------------------------------------

    def trace(self, X, y, step=0, print_fn=print):
        """Train `step` full-batch steps quietly, then print step number `step` in the tutorial's words.

        Every array of that step (``l0``, ``l1``, ``l1_error``, ``l1_delta``, ``syn0_update``, ...)
        is printed with its shape and returned in a `smallnet.trace.StepTrace`. The network keeps
        all ``step + 1`` updates, as after ``fit(X, y, epochs=step + 1)``.
        """
        from .trace import trace  # teaching mode loads only when asked for
        return trace(self, X, y, step, print_fn)

    # -- saving ------------------------------------------------------------------------------------

    def config(self):
        """The JSON-able arguments that rebuild this network; weights and `metadata` are kept apart.

        Metrics given as functions can't be named in a file and are left out, and so is
        a seed given as a generator (None instead).
        """
        return {"layers": [layer.config() for layer in self.layers], "loss": self.loss.name,
                "optimizer": self.optimizer.config(),
                "metrics": [name for name, fn in self.metrics if metric_fns.METRICS.get(name) is fn],
                "l2": float(self.l2),
                "seed": int(self.seed) if isinstance(self.seed, (int, np.integer)) else None,  # not a generator
                "dtype": None if self.dtype is None else self.dtype.name}

    @classmethod
    def from_config(cls, config):
        """The unbuilt network `config()` describes."""
        from .layers import from_config
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("the network's description has no list of layers")
        layers = []
        for i, layer in enumerate(config["layers"]):
            try:
                layers.append(from_config(layer))
            except (TypeError, ValueError, KeyError) as exc:  # a damaged description: say which layer
                kind = layer.get("type") if isinstance(layer, dict) else None
                raise ValueError(f"layer {i}{f' ({kind})' if isinstance(kind, str) else ''} can't be rebuilt "
                                 f"from its description: {exc}") from None
        return cls(layers, loss=config["loss"],
                   optimizer=config["optimizer"], metrics=config["metrics"], l2=config.get("l2", 0.0),
                   seed=config["seed"],
                   dtype=config["dtype"])

    def save(self, path):
        """Write the network to one safetensors file, atomically (see `smallnet.io.save`)."""
        from . import io
        io.save(self, path)

    def to_onnx(self, path, opset=17):
        """Export to an ONNX file; returns the largest difference from smallnet (see `smallnet.onnx_export`)."""
        from . import onnx_export
        return onnx_export.to_onnx(self, path, opset)
