"""The network: a sequence of layers, and one training step of backpropagation.

One training step is the tutorial's loop body::

    out = forward(X)                  # l1 = nonlin(np.dot(l0, syn0)); l2 = ...
    error = loss.error(y, out)        # l2_error = y - l2
    for layer in reversed(layers):    # l2_delta = l2_error * slope; l1_error = l2_delta.dot(syn1.T)
        error = layer.backward(error)
    optimizer.update(params, steps)   # syn1 += l1.T.dot(l2_delta); syn0 += l0.T.dot(l1_delta)

The network is structure; the loop over epochs and batches is `smallnet.fitting`'s, and the
file format `smallnet.state`'s.
"""

import numpy as np

from . import losses, optimizers, params
from . import metrics as metric_fns
from .engine import check_engine
from .layers import Dropout, Layer, Standardize
from .params import Weights
from .penalty import Penalized, Penalty
from .saving import Saving
from .summary import summary_html, summary_text
from .validation import check_array, check_dtype, check_X_y, make_rng

_NO_TARGETS = object()  # check_data's y when only X is checked (None is a user's mistake)


def _name(layer, position):
    """Name an unnamed layer after its type and position: dense_0, dropout_1, ..."""
    if layer.name is None:
        layer.name = f"{type(layer).__name__.lower()}_{position}"


def _check_chain(layer, below, dim):
    """Refuse `layer` on top of `below` (None: the first) when `below` gives `dim` outputs and it
    expects others."""
    if below is not None and None not in (dim, layer.input_dim) and layer.input_dim != dim:
        raise ValueError(
            f"layer sizes don't chain: {layer.name!r} expects {layer.input_dim} inputs, "
            f"but {below.name!r} below it has {dim} units"
        )


class Network(Weights, Saving, Penalized):
    """A feed-forward network.

    Parameters
    ----------
    layers : list of Layer
        In order from input to output. Sizes must chain: each layer's input_dim
        (where given) equals the output size of the layer below.
    loss : str, dict or Loss
        "sse" (the tutorial's), "mse", "mae", "huber", "binary_crossentropy",
        "categorical_crossentropy", "sparse_categorical_crossentropy" (y: class indices), or a
        config such as {"name": "huber", "delta": 2.0}. The categorical ones need 2+ output units.
    optimizer : str or Optimizer
        "sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs", or an instance such as ``SGD(1.0)``.
        An instance trains one network: a second one, while the first is alive, is a ValueError.
    metrics : str, callable or list of them
        Recorded in History each epoch: "mae", "mse", "accuracy" ("acc"), "binary_accuracy", "r2".
        A single one (``metrics="mae"``) is a list of one.
    l1, l2 : float
        Weight penalties (biases excluded; see `smallnet.penalty.Penalty`, both may be on):
        ``l1 * sum(|weights|) + 0.5 * l2 * sum(weights**2)`` is added to each step's loss, so
        each step's gradient also gets ``l1 * sign(weights) + l2 * weights``.
    seed : int, numpy generator or None
        Drives every random draw (initial weights in layer order, shuffling,
        validation split, dropout masks).
    dtype : {None, "float32", "float64"}
        None: the dtype of the first training data (float32 stays float32,
        anything else becomes float64).
    engine : {"auto", "numpy", "numba"}
        What trains it: "auto" runs numba's compiled loops where the `[fast]` extra is
        installed and the network is one they run (Dense layers with the common activations,
        losses and optimizers), NumPy elsewhere. See `smallnet.engine`.

    Examples
    --------
    The tutorial's 3-4-1 network:

    >>> net = Network(
    ...     [Dense(4, input_dim=3, activation="sigmoid", use_bias=False, initializer="uniform"),
    ...      Dense(1, activation="sigmoid", use_bias=False, initializer="uniform")],
    ...     loss="sse", optimizer=SGD(learning_rate=1.0), seed=1)
    """

    # fmt: off
    def __init__(self, layers, loss="mse", optimizer="adam", metrics=(), l1=0.0, l2=0.0,
                 seed=None, dtype=None, engine="auto"):
        # fmt: on
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layer {i} must be a smallnet Layer (such as Dense), got {layer!r}"
                )
            _name(layer, i)
        if len({id(layer) for layer in self.layers}) < len(self.layers):
            raise ValueError("the same layer object appears twice; create one layer per position")
        for layer in self.layers:
            layer.check_free(self)
        dim, below = self.layers[0].input_dim, None
        for layer in self.layers:
            _check_chain(layer, below, dim)
            dim, below = layer.output_dim(layer.input_dim if dim is None else dim), layer
        self.loss = loss
        self.optimizer = optimizers.get(optimizer)
        self.metrics = metric_fns.get_all(metrics)
        self._penalty = Penalty(l1, l2)
        self.seed = seed
        self.rng = make_rng(seed)
        self.dtype = check_dtype(dtype)
        self.engine = engine
        self.metadata = {}  # JSON-able facts saved with the model: task, classes, ...
        self.history = None
        self.stop_training = False
        self.flat_params = None  # every parameter in one array, of which the layers hold views
        self.last_batch = None  # the rows of the last training step, while fit runs
        # Last, once every argument is accepted: a network that failed to be made claims nothing.
        self.optimizer.claim(self)
        for layer in self.layers:
            layer.claim(self)

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
        layer.check_free(self)
        dim = self.output_dim
        _check_chain(layer, self.layers[-1], dim)
        if self.built and not isinstance(layer, (Standardize, Dropout)):
            raise ValueError(
                f"the network is built: only a layer with nothing to train (Standardize, Dropout) "
                f"can be added now, not a {type(layer).__name__}"
            )
        self.layers.append(layer)
        try:
            self.loss = self.loss  # the top changed: is the loss still fused with it, or allowed?
        except ValueError:
            self.layers.pop()
            raise
        if self.built:
            layer.build(dim, self.dtype, self.rng)
        _name(layer, len(self.layers) - 1)
        layer.claim(self)
        return self

    # -- structure ---------------------------------------------------------------------------

    @property
    def loss(self):
        """The Loss; setting it (a name or an instance) also decides whether it fuses with the
        output activation (see `fused`)."""
        return self._loss

    @loss.setter
    def loss(self, loss):
        loss = losses.get(loss)
        losses.check_output(loss, self.layers[-1], self.output_dim)
        self._loss = loss
        activation = getattr(self.layers[-1], "activation", None)
        self._fused = (
            loss.fused_activation is not None
            and getattr(activation, "name", None) == loss.fused_activation
        )

    @property
    def engine(self):  # "auto", "numpy" or "numba": what fit asks for (smallnet.engine.choose)
        return self._engine

    @engine.setter
    def engine(self, engine):
        self._engine = check_engine(engine)

    @property
    def fused(self):
        """Whether the loss gives the delta below the output activation directly (a
        cross-entropy after its sigmoid or softmax), skipping the activation's slope."""
        return self._fused

    @property
    def built(self):
        return self.flat_params is not None

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

    output_units = _output_dim  # public: for fit, before the network is built

    def build(self, input_dim=None, dtype=None):
        """Draw fresh weights for every layer, in order, from the network's generator."""
        input_dim = self.input_dim if input_dim is None else input_dim
        if input_dim is None:
            raise ValueError(
                "the input size is unknown: give the first layer input_dim= or call fit first"
            )
        for candidate in (check_dtype(dtype), self.dtype, np.dtype(np.float64)):
            if candidate is not None:  # np.dtype objects are falsy, so no `or` chain
                self.dtype = dtype = candidate
                break
        losses.check_output(self.loss, self.layers[-1], self._output_dim(input_dim))
        params.check_memory(params.count(self.layers, input_dim), dtype)
        try:
            for layer in self.layers:
                layer.build(input_dim, dtype, self.rng)
                input_dim = layer.units
            self._flatten()
        except (MemoryError, ValueError) as exc:  # NumPy's "array is too big" is a ValueError
            if isinstance(exc, ValueError) and "too big" not in str(exc):
                raise
            sizes = " x ".join(str(layer.units) for layer in self.layers)
            raise MemoryError(
                f"the network's weights don't fit in memory (layers of {sizes} units); "
                f"use fewer or smaller layers"
            ) from None
        self.optimizer.reset()
        return self

    def _flatten(self):
        self.flat_params, flat_steps = params.flatten(self.layers, self.dtype)
        self._flat, self._steps = [self.flat_params], [flat_steps]  # as optimizers take them
        self._decayed = [
            (layer.weights, layer.steps[0])
            for layer in self.layers
            if getattr(layer, "weights", None) is not None
        ]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["last_batch"] = None  # training data, not the network's: never pickled along
        return state

    def __setstate__(self, state):
        # pickle and copy.deepcopy turn the layers' views into arrays of their own: join them up
        # again, or training would update a flat array that no layer reads.
        state = {"last_batch": None, **state}
        state.setdefault("_engine", "auto")  # pickled before engines
        if "_penalty" not in state:  # pickled before L1: l2 was a plain attribute
            state["_penalty"] = Penalty(l2=state.pop("l2", 0.0))
        self.__dict__.update(state)
        for layer in self.layers:
            layer.claim(self)
        if self.flat_params is not None:
            self._flatten()

    # -- data at the door --------------------------------------------------------------------

    def check_data(self, X, y=_NO_TARGETS, build=True, dtype=None):
        """X (and y, if given) validated and checked against the network; builds it on first use.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features); a table for a `TableEncoder`
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        build : bool
            Draw the weights if the network has none yet (last: a refused call leaves it unbuilt).
        dtype : dtype, optional
            What to convert to while the network has no dtype (default: as `check_array` decides).
        Returns
        -------
        X, or (X, y) with y of shape (n_samples, n_outputs)
        """
        dtype = self.dtype if self.dtype is not None else dtype
        X = self.layers[0].prepare(X) if self.layers else X  # a TableEncoder encodes a table
        if y is None:  # given, but as nothing
            raise TypeError("y must be an array of targets, got None")
        if y is _NO_TARGETS:
            y = None
            X = check_array(X, "X", dtype=dtype)
        else:
            X, y = check_X_y(X, y, dtype=dtype)
        width = X.shape[1]
        if not self.built:
            if self.input_dim not in (None, width):
                raise ValueError(
                    f"X has {width} features (columns), "
                    f"but the first layer expects input_dim={self.input_dim}"
                )
            losses.check_output(self.loss, self.layers[-1], self._output_dim(width))
        elif width != self.input_dim:
            raise ValueError(
                f"X has {width} features (columns), but the network expects {self.input_dim}"
            )
        self.layers[0].check_input(X)  # such as an Embedding's category codes
        if y is not None:
            losses.check_targets(self.loss, y, self._output_dim(width), self._fused)
        if build and not self.built:
            self.build(width, X.dtype)
        return X if y is None else (X, y)

    # -- one step ------------------------------------------------------------------------

    def forward(self, X, training=False):
        """Outputs (n, output_dim) of every layer in turn; in training they live in reused buffers.

        A sigmoid's exp(-z) overflows to inf for very negative z, where its output is exactly 0:
        outside training NumPy's overflow warning is silenced here (fit silences it for all steps).
        """
        if not training:
            with np.errstate(over="ignore"):
                return self._forward(X, False)
        return self._forward(X, True)

    def _forward(self, X, training):
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def layer_outputs(self, X):
        """Every layer's outputs on X, outside training: a list of (n, units) arrays, in order."""
        outputs = []
        with np.errstate(over="ignore"):
            for layer in self.layers:
                X = layer.forward(X, False)
                outputs.append(X)
        return outputs

    def objective(self, y, out, weights=None):
        """The loss that training minimizes: the data loss (with `weights`, the weighted average
        that `Loss.__call__` defines) plus the weight penalty (`l1`, `l2`)."""
        return self.loss(y, out, weights) + self._penalty.value(w for w, _ in self._decayed)

    def backward(self, y, out, weights=None):
        """Backpropagate from `out` towards `y`, filling each layer's steps (minus gradients)."""
        self._backpropagate(self._top(y, out, weights))

    def _top(self, y, out, weights=None):
        top = self.loss.delta(y, out) if self._fused else self.loss.error(y, out)
        if weights is not None:
            top *= weights[:, None]
        return top

    def _backpropagate(self, top, scale=1.0, record=None):
        """`top`: the error at the output, or the delta below the output activation when the
        loss fuses with it, already multiplied by `scale`, which the penalty's steps take too."""
        layers = self.layers
        if record is not None:  # each delta shown to it on the way down (see trace.StepRecorder)
            record.backpropagate(self, top, scale)
        else:
            if self._fused:
                error = layers[-1].backward_delta(top, len(layers) > 1)
            else:
                error = layers[-1].backward(top, len(layers) > 1)
            for i in range(len(layers) - 2, -1, -1):
                error = layers[i].backward(error, i > 0)
        if self._penalty:
            self._penalty.add_steps(self._decayed, scale)

    def train_step(self, X, y, weights=None, record=None):
        """One forward pass, backward pass and update; returns (loss, outputs before the update).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples, n_outputs)
        weights : ndarray of shape (n_samples,), optional
            Each sample's share of the loss (mean 1 keeps its scale).
        record : object, optional
            Sees the step's arrays as they are made: its ``forward(network)`` after the forward
            pass; ``backpropagate(network, top, scale)`` does the backward pass; then
            ``steps(network, scale)`` and ``update(network)``. `smallnet.trace.StepRecorder`.
        """
        self.last_batch = X  # what DivergenceGuard checks the final weights on
        out = self.forward(X, training=True)
        if record is not None:
            record.forward(self)
        if weights is not None:
            loss, top = self.objective(y, out, weights), self._top(y, out, weights)
        else:
            if self._fused:
                loss, top = self.loss(y, out), self.loss.delta(y, out)
            else:
                loss, top = self.loss.value_and_error(y, out)  # l2_error = y - l2
            if self._penalty:
                loss += self._penalty.value(w for w, _ in self._decayed)
        # Every step is linear in `top`, so the optimizer's factor for them all (SGD's learning
        # rate) goes on these few numbers here instead of on every weight's step.
        scale = self.optimizer.step_scale
        if scale != 1:
            top *= scale
        self._backpropagate(top, scale, record)
        if record is not None:
            record.steps(self, scale)
        if scale != 1:
            self.optimizer.update(self._flat, self._steps, scaled=True)
        else:  # (an optimizer of one's own needs no `scaled` argument unless it has a step_scale)
            self.optimizer.update(self._flat, self._steps)
        if record is not None:
            record.update(self)
        return loss, out

    # -- training and use ----------------------------------------------------------------------

    # fmt: off
    def fit(self, X, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0,
            validation_data=None, sample_weight=None, callbacks=(), verbose=0, log_every=None,
            checkpoint=None, checkpoint_every=1, resume=None, class_weight=None, engine=None):
        # fmt: on
        """Train on (X, y) and return the History (see `smallnet.fitting.fit`, which runs it).

        Calling fit again continues from the current weights.
        """
        from .fitting import fit

        return fit(
            self, X, y, epochs, batch_size, shuffle, validation_split, validation_data,
            sample_weight, callbacks, verbose, log_every, checkpoint, checkpoint_every, resume,
            class_weight=class_weight, engine=engine,
        )  # fmt: skip

    def predict(self, X):
        """Network outputs, shape (n_samples, output_dim): always a new array, never `X` itself."""
        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        X = self.check_data(X)
        out = self.forward(X)
        # Layers that pass their input through (Dropout outside training) would hand back the
        # caller's own array: writing into the predictions would change their data.
        return out.copy() if np.may_share_memory(out, X) else out

    def evaluate(self, X, y, sample_weight=None):
        """{"loss": ..., metric: ...} of the network on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative; only their ratios matter. The loss is then the weighted average of the
            per-sample losses (see `Loss.__call__`), as in training, and the metrics are weighted
            too (a metric of one's own only if it takes weights: see `metrics.weight_keyword`).
        """
        from .samples import check_sample_weight

        if not self.built:
            raise RuntimeError("the network has no weights yet: call fit (or build) first")
        X, y = self.check_data(X, y)
        n, dtype = len(X), self.dtype
        w = None if sample_weight is None else check_sample_weight(sample_weight, n, dtype)
        return self.scores(X, y, w)

    def scores(self, X, y, weights=None, prefix=""):
        """{prefix + "loss": ..., prefix + metric: ...} on checked data (as `check_data` gives)."""
        out = self.forward(X)
        return {
            f"{prefix}loss": self.loss(y, out, weights),
            **{
                f"{prefix}{name}": metric_fns.compute(fn, y, out, weights)
                for name, fn in self.metrics
            },
        }

    def summary(self, print_fn=print):
        """Print the layers with their output shapes and parameter counts."""
        print_fn(summary_text(self))

    def _repr_html_(self):  # Jupyter shows a network as its summary, an HTML table
        return summary_html(self)

    def trace(self, X, y, step=0, print_fn=print):
        """Train `step` full-batch steps quietly, then print step `step` in the tutorial's words.

        Every array of that step (``l0``, ``l1``, ``l1_error``, ``l1_delta``, ``syn0_update``, ...)
        is printed with its shape and returned in a `smallnet.trace.StepTrace`. The network keeps
        all ``step + 1`` updates, as after ``fit(X, y, epochs=step + 1, engine="numpy")``
        (trace runs NumPy's steps: the compiled engine agrees to float rounding).
        """
        from .trace import trace  # teaching mode loads only when asked for

        return trace(self, X, y, step, print_fn)
