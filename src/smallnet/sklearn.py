"""scikit-learn estimators over smallnet networks: SmallNetClassifier and SmallNetRegressor.

They take scikit-learn's MLP parameter names and train a `smallnet.Network`
with `Network.fit`; nothing here trains by itself. Needs the `[sklearn]` extra.

    from smallnet.sklearn import SmallNetClassifier
    clf = SmallNetClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X, y)
"""

import inspect
import numbers
import warnings

import numpy as np

try:
    import sklearn  # noqa: F401
except ImportError:
    raise ImportError(
        "smallnet.sklearn needs scikit-learn: pip install scikit-learn (the [sklearn] extra)"
    ) from None
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import metrics as metric_fns
from .callbacks import Callback
from .layers import Dense
from .network import Network
from .optimizers import SGD, Adam
from .validation import check_array, check_bool, check_number

_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}

# Bounds (check_number's keywords) of the numeric parameters; validation_fraction's depend on early_stopping.
_BELOW_ONE = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}
_NUMBERS = {
    "alpha": {"low": 0, "low_inclusive": True},
    "tol": {"low": 0, "low_inclusive": True},
    "learning_rate_init": {"low": 0},
    "epsilon": {"low": 0},
    "max_iter": {"low": 1, "low_inclusive": True, "integer": True},
    "momentum": _BELOW_ONE,
    "beta_1": _BELOW_ONE,
    "beta_2": _BELOW_ONE,
}

# MLPClassifier/MLPRegressor parameters with no counterpart here, and why.
_MLP_ONLY = {
    "learning_rate": "the learning rate stays learning_rate_init throughout (MLP's 'constant'); the 'invscaling' "
    "and 'adaptive' schedules are not supported",
    "power_t": "it only serves MLP's 'invscaling' learning-rate schedule, which is not supported",
    "max_fun": "it only serves solver='lbfgs', which smallnet does not have",
    "loss": "the loss follows from the task: cross-entropy for classification, squared error for regression",
}

_DOC = """A smallnet network as a scikit-learn {kind} ({mlp}'s parameters).

    {summary} With float32 input the network computes in float32.

    X must be dense (a NumPy array or DataFrame): sparse matrices are refused, so give
    ``OneHotEncoder(sparse_output=False)`` in a pipeline, or call ``.toarray()``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer; () gives none.
    activation : {{'relu', 'tanh', 'logistic', 'identity', 'leaky_relu'}}, default='relu'
        Hidden layers' activation ('sigmoid' is 'logistic').
    solver : {{'adam', 'sgd'}}, default='adam'
        There is no 'lbfgs'.
    alpha : float >= 0, default=1e-4
        L2 penalty, scaled as {mlp} does.
    batch_size : int or 'auto', default='auto'
        Rows per step; 'auto' is min(200, n_samples).
    learning_rate_init : float > 0, default=1e-3
        The learning rate, constant throughout (there is no `learning_rate` schedule).
    max_iter : int >= 1, default=200
        Most epochs per fit.
    shuffle : bool, default=True
    random_state : None, int in [0, 2**32) or numpy generator, default=None
        Draws initial weights, shuffles and the validation split: an int makes fits repeatable.
    tol : float >= 0, default=1e-4
        Training stops once the loss (or validation score) has failed to improve by `tol`
        more than `n_iter_no_change` epochs in a row.
    n_iter_no_change : int >= 1 or np.inf, default=10
    verbose : bool or int >= 0, default=False
        Print one line per epoch.
    warm_start : bool, default=False
        fit goes on from the fitted network (its architecture can't change), with a
        fresh optimizer that takes the current solver settings, as in {mlp}.
    momentum : float in [0, 1), default=0.9
    nesterovs_momentum : bool, default=True
        For solver='sgd'.
    early_stopping : bool, default=False
        Hold out rows for validation, stop when their {score} stops improving and keep the
        best weights. Does not apply to partial_fit.
    validation_fraction : float in [0, 1) ((0, 1) with early_stopping), default=0.1
        Share of rows held out by early stopping: at least 2, and 1 left to train on.
    beta_1, beta_2, epsilon : float in [0, 1), float in [0, 1), float > 0; default=0.9, 0.999, 1e-8
        For solver='adam'.

    Attributes
    ----------
{attributes}    network_ : smallnet.Network
        The trained network.
    coefs_, intercepts_ : list of ndarray
        Each layer's weights (n_in, n_out) and biases: views of the network's. Assigning a
        list of arrays of the same shapes copies them in.
    n_layers_ : int
        Layers, input and output included.
    out_activation_ : str
        {out_activation}.
    loss_ : float
        The last epoch's training loss (L2 term included).
    loss_curve_ : list of float
        Training loss per epoch; an epoch that diverged (whose weights were put back) is left out.
    best_loss_ : float
    validation_scores_ : list of float or None
        Validation {score} per epoch of the fits with early_stopping, else None.
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run, over all fits of a warm start or partial_fit.
    t_ : int
        Training samples seen.
    n_outputs_ : int
    n_features_in_ : int
"""


def _is_count(value, low=1):
    """Whether `value` is an integer >= `low` (True and False are not counts)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low


def _check_numeric_target(estimator, y):
    """Refuse text targets of a regressor up front: converted later, they fail with no word of the cause."""
    try:
        values = np.asarray(y)
    except ValueError:  # ragged: validate_data says so
        return
    if values.dtype.kind in "USO":
        text = next((v for v in values.flat if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise ValueError(
                f"{type(estimator).__name__} needs numeric targets, but y holds text (such as "
                f"{text.item() if isinstance(text, np.generic) else text!r}); for class labels use "
                f"SmallNetClassifier"
            )


class _NoImprovementStop(Callback):
    """scikit-learn's MLP stopping rule, exactly: stop once `monitor` has failed to beat its best by
    `tol` more than `n_iter_no_change` epochs in a row; for a validation score, keep the best weights."""

    def __init__(self, monitor, tol, n_iter_no_change):
        self.monitor, self.tol, self.n_iter_no_change = monitor, tol, n_iter_no_change
        self.maximize = monitor.startswith("val_")
        self.stopped_epoch = None

    def on_train_begin(self, logs=None):
        self.best, self.count, self.best_weights = -np.inf if self.maximize else np.inf, 0, None

    def on_epoch_end(self, epoch, logs=None):
        value = logs[self.monitor]
        if self.maximize:
            self.count = self.count + 1 if value < self.best + self.tol else 0
            if value > self.best:
                self.best, self.best_weights = value, self.network.get_weights()
        else:
            self.count = self.count + 1 if value > self.best - self.tol else 0
            self.best = min(self.best, value)
        if self.count > self.n_iter_no_change:
            self.stopped_epoch = epoch
            self.network.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.network.set_weights(self.best_weights)


class _SmallNetBase(BaseEstimator):
    """Shared training (`_fit`); subclasses define fit, partial_fit, the output layer, the loss and the score
    metric."""

    def __new__(cls, *args, **kwargs):
        # Wrong arguments are caught here, because __init__'s own TypeError would name this private
        # class, which defines it. (clone passes known parameters, pickle and copy none.)
        unsupported = sorted(kwargs.keys() & _MLP_ONLY.keys())
        if unsupported:
            raise TypeError(
                f"{cls.__name__} has no parameter {unsupported[0]!r}: {_MLP_ONLY[unsupported[0]]}"
            )
        try:
            inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}: {exc}") from None
        return super().__new__(cls)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change

    # inspect.signature (help, IDEs, scikit-learn's checks) would otherwise show __new__'s (*args, **kwargs)
    __new__.__signature__ = inspect.signature(__init__)

    # -- parameters ------------------------------------------------------------------------

    def _check_params(self):
        """Check every parameter, whether this fit uses it or not, under its own name; return
        hidden_layer_sizes as a list."""
        sizes = self.hidden_layer_sizes
        try:
            sizes = (
                [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
            )  # (True is refused below)
        except TypeError:  # not iterable
            sizes = None
        if (
            isinstance(self.hidden_layer_sizes, str)
            or sizes is None
            or not all(map(_is_count, sizes))
        ):
            raise ValueError(
                f"hidden_layer_sizes must be a positive integer or a sequence of them, "
                f"got {self.hidden_layer_sizes!r}"
            )
        if not (isinstance(self.activation, str) and self.activation in _ACTIVATIONS):
            raise ValueError(
                f"activation must be one of {', '.join(_ACTIVATIONS)}, got {self.activation!r}"
            )
        if not (isinstance(self.solver, str) and self.solver in ("sgd", "adam")):
            raise ValueError(
                f"solver must be 'sgd' or 'adam' (smallnet has no lbfgs), got {self.solver!r}"
            )
        if not (
            _is_count(self.batch_size)
            or isinstance(self.batch_size, str)
            and self.batch_size == "auto"
        ):
            raise ValueError(
                f"batch_size must be 'auto' or a positive integer, got {self.batch_size!r}"
            )
        if not (isinstance(self.verbose, (bool, np.bool_)) or _is_count(self.verbose, 0)):
            raise ValueError(
                f"verbose must be True, False or an integer >= 0, got {self.verbose!r}"
            )
        for name in ("shuffle", "early_stopping", "warm_start", "nesterovs_momentum"):
            check_bool(name, getattr(self, name))  # "no" would count as True
        for name, bounds in _NUMBERS.items():
            check_number(name, getattr(self, name), **bounds)
        # 0 holds out nothing: fine unless early stopping needs the rows
        check_number(
            "validation_fraction",
            self.validation_fraction,
            low=0,
            low_inclusive=not self.early_stopping,
            high=1,
            high_inclusive=False,
        )
        if not (
            isinstance(self.n_iter_no_change, float) and self.n_iter_no_change == np.inf
        ):  # inf: never stop
            check_number(
                "n_iter_no_change", self.n_iter_no_change, low=1, low_inclusive=True, integer=True
            )
        seed = self.random_state
        if not (
            seed is None
            or isinstance(seed, (np.random.RandomState, np.random.Generator))
            or (_is_count(seed, 0) and seed < 2**32)
        ):
            raise ValueError(
                f"random_state must be None, an integer in [0, 2**32) or a numpy generator, got {seed!r}"
            )
        return sizes

    def _check_architecture(self, sizes):
        """warm_start and partial_fit train network_ further: refuse parameters that would need another network."""
        hidden = self.network_.layers[:-1]
        fitted = tuple(layer.units for layer in hidden)
        if tuple(sizes) != fitted:
            name, was = "hidden_layer_sizes", fitted
        elif hidden and hidden[0].activation.name != _ACTIVATIONS[self.activation]:
            name, was = "activation", hidden[0].activation.name
        else:
            return
        raise ValueError(
            f"{name}={getattr(self, name)!r} differs from the fitted network's {was!r}; warm_start and "
            f"partial_fit train that network further, so fit with warm_start=False to start a new one"
        )

    def _validation_size(self, n):
        """Rows early stopping holds out of `n`: validation_fraction of them, and at least 2, as scikit-learn's MLP
        needs (one row's R2 is 0 whatever the weights, and its accuracy 0 or 1: training would stop at random)."""
        n_val = max(2, int(round(self.validation_fraction * n)))
        if n_val >= n:
            raise ValueError(
                f"early_stopping=True holds out {n_val} samples for validation (validation_fraction="
                f"{self.validation_fraction} of them, at least 2) and needs one more to train on, got "
                f"{n} sample{'s' if n != 1 else ''}; give more samples, a lower validation_fraction, or "
                f"set early_stopping=False"
            )
        return n_val

    def _batch_size(self, n):
        return min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)

    def _optimizer(self):
        if self.solver == "sgd":
            # as in MLPClassifier, nesterovs_momentum (on by default) means nothing without momentum
            return SGD(
                self.learning_rate_init,
                momentum=self.momentum,
                nesterov=bool(self.nesterovs_momentum and self.momentum),
            )
        return Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)

    def _new_network(self, sizes, n_features, n_outputs, dtype, optimizer):
        hidden = _ACTIVATIONS[self.activation]
        initializer = (
            "he_uniform" if hidden in ("relu", "leaky_relu") else "glorot_uniform"
        )  # keeps ReLUs alive
        layers = [Dense(units, activation=hidden, initializer=initializer) for units in sizes]
        layers.append(Dense(n_outputs, activation=self._output_activation(n_outputs)))
        layers[0].input_dim = n_features
        return Network(
            layers,
            loss=self._loss(n_outputs),
            optimizer=optimizer,
            seed=self.random_state,
            dtype=dtype,
        ).build()

    # -- training ----------------------------------------------------------------------------

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        sizes = self._check_params()
        keep = hasattr(self, "network_") and (incremental or self.warm_start)
        if keep:
            self._check_architecture(sizes)
        classifier = is_classifier(self)
        if not classifier:
            _check_numeric_target(self, y)
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=not keep,
            y_numeric=not classifier,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        n_val = self._validation_size(len(X)) if self.early_stopping and not incremental else 0
        # Every check of the data is done by now, or in _encode_targets before it changes anything.
        Y = self._encode_targets(y, keep, incremental, classes)
        if np.issubdtype(Y.dtype, np.floating) and np.abs(Y).max() > np.finfo(X.dtype).max:
            raise ValueError(
                f"y holds values too large for {X.dtype} (up to {np.abs(Y).max():.3g}), the dtype X is "
                f"trained in; pass X as float64, or rescale y"
            )
        Y = Y.astype(X.dtype, copy=False)
        if keep and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs, but the model was fitted with {self.n_outputs_}"
            )
        optimizer = self._optimizer()
        if not keep:
            self.network_ = self._new_network(sizes, X.shape[1], Y.shape[1], X.dtype, optimizer)
            self.n_outputs_ = Y.shape[1]
            self.n_iter_ = self.t_ = 0
            self.loss_curve_, self.best_loss_, self.loss_ = [], np.inf, np.nan
            self.validation_scores_ = self.best_validation_score_ = None
        elif not incremental or optimizer.config() != self.network_.optimizer.config():
            # As scikit-learn's MLP: a fresh optimizer, with the current settings, for every fit; partial_fit
            # goes on with the optimizer's state (Adam's moments, momentum) while the settings stay.
            self.network_.optimizer = optimizer
        if (
            self.early_stopping and self.validation_scores_ is None
        ):  # also when turned on under warm_start
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
        net = self.network_
        # The score is only needed (per epoch, on the validation part) for early stopping.
        net.metrics = metric_fns.get_all([self._score_metric] if n_val else [])
        batch_size = self._batch_size(len(X))
        # scikit-learn adds alpha/2 * ||W||^2 to each batch's weighted loss sum; per unit of the
        # (weighted) mean loss that smallnet minimizes, that is alpha over the batch's total weight.
        with np.errstate(
            over="ignore"
        ):  # huge weights' mean overflows to inf: alpha / inf = 0 is their limit
            total_weight = batch_size * (
                1.0 if sample_weight is None else float(np.mean(sample_weight))
            )
        net.l2 = self.alpha / total_weight if total_weight > 0 else 0.0
        if net.dtype != X.dtype:  # the network keeps its dtype; later data is cast to it
            X, Y = X.astype(net.dtype), Y.astype(net.dtype)
        stopper = _NoImprovementStop(
            f"val_{self._score_metric}" if n_val else "loss", self.tol, self.n_iter_no_change
        )
        history = net.fit(
            X,
            Y,
            epochs=1 if incremental else self.max_iter,
            batch_size=batch_size,
            shuffle=self.shuffle,
            validation_split=n_val / len(X),
            sample_weight=sample_weight,
            callbacks=[] if incremental else [stopper],
            verbose=2 if self.verbose else 0,
        )
        epochs = self._record(history, len(X) - n_val)
        if not incremental and epochs == self.max_iter and stopper.stopped_epoch is None:
            warnings.warn(
                f"smallnet: maximum iterations ({self.max_iter}) reached and the optimization hasn't "
                f"converged yet.",
                ConvergenceWarning,
            )
        return self

    def _record(self, history, n_train):
        """Add a fit's History to the curves and counts; returns the number of epochs recorded."""
        epochs = len(history.epoch)
        if (
            history.kept_epoch is not None
        ):  # diverged: the DivergenceGuard put back the weights of an earlier epoch
            epochs = (
                history.epoch.index(history.kept_epoch) + 1
                if history.kept_epoch in history.epoch
                else 0
            )
        losses = history.history.get("loss", [])[:epochs]
        self.n_iter_ += epochs
        self.t_ += epochs * n_train
        self.loss_curve_ += losses
        self.best_loss_ = min([self.best_loss_, *losses])
        if losses:
            self.loss_ = losses[-1]
        scores = history.history.get(f"val_{self._score_metric}", [])[:epochs]
        if self.validation_scores_ is not None and scores:
            self.validation_scores_ += scores
            self.best_validation_score_ = max([self.best_validation_score_, *scores])
        return epochs

    # -- attributes ---------------------------------------------------------------------------

    def _set_arrays(self, name, arrays):
        """Copy `arrays` into the network's `name` (coefs_ or intercepts_), once every one is checked."""
        current = getattr(self, name)
        if not isinstance(arrays, (list, tuple)) or len(arrays) != len(current):
            got = len(arrays) if isinstance(arrays, (list, tuple)) else type(arrays).__name__
            raise ValueError(
                f"{name} must be a list of {len(current)} arrays, one per layer, got {got}"
            )
        arrays = [
            check_array(a, f"{name}[{i}]", dtype=c.dtype, ndim=c.ndim)
            for i, (a, c) in enumerate(zip(arrays, current))
        ]
        for i, (a, c) in enumerate(zip(arrays, current)):
            if a.shape != c.shape:
                raise ValueError(f"{name}[{i}] must have shape {c.shape}, got {a.shape}")
        for a, c in zip(arrays, current):
            c[...] = a

    @property
    def coefs_(self):
        """Weight matrices, one (n_in, n_out) array per layer (views of the network's weights)."""
        check_is_fitted(self)
        return [layer.weights for layer in self.network_.layers]

    @coefs_.setter
    def coefs_(self, arrays):
        self._set_arrays("coefs_", arrays)

    @property
    def intercepts_(self):
        """Bias vectors, one per layer (views of the network's biases)."""
        check_is_fitted(self)
        return [layer.bias for layer in self.network_.layers]

    @intercepts_.setter
    def intercepts_(self, arrays):
        self._set_arrays("intercepts_", arrays)

    @property
    def n_layers_(self):
        """Layers as scikit-learn's MLP counts them: the input, the hidden layers and the output."""
        check_is_fitted(self)
        return len(self.network_.layers) + 1

    @property
    def out_activation_(self):
        """The output activation under scikit-learn's MLP names: 'softmax', 'logistic' or 'identity'."""
        check_is_fitted(self)
        name = self.network_.layers[-1].activation.name
        return "logistic" if name == "sigmoid" else name

    def _forward(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self.network_.predict(X)


class SmallNetClassifier(ClassifierMixin, _SmallNetBase):
    __doc__ = _DOC.format(
        kind="classifier",
        mlp="MLPClassifier",
        score="accuracy",
        summary=(
            "Binary targets get one sigmoid output and binary cross-entropy; several classes a\n    softmax "
            "output and categorical cross-entropy; multi-label indicator targets one\n    sigmoid per label."
        ),
        attributes="    classes_ : ndarray\n        The class labels (for multi-label targets, the column indices).\n",
        out_activation="'softmax' for several classes, 'logistic' for two, and for multi-label targets",
    )

    _score_metric = "accuracy"

    def _output_activation(self, n_outputs):
        return "sigmoid" if n_outputs == 1 or self._multilabel else "softmax"

    def _loss(self, n_outputs):
        return (
            "binary_crossentropy"
            if n_outputs == 1 or self._multilabel
            else "categorical_crossentropy"
        )

    def _encode_targets(self, y, keep, incremental, classes):
        """`y` as the network's targets (one-hot, or 0/1 columns); a new fit takes its classes from here."""
        check_classification_targets(y)
        multilabel = type_of_target(y).startswith("multilabel")
        given = classes
        if classes is not None:
            classes = unique_labels(classes)
            if keep and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"`classes={given!r}` is not the same as on last call to partial_fit, "
                    f"was: {self.classes_}"
                )
        if keep:
            binarizer = self._label_binarizer
        elif not incremental:
            binarizer = LabelBinarizer().fit(y)
        elif classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        else:  # as scikit-learn's MLP: an indicator matrix's columns are its classes
            binarizer = LabelBinarizer().fit(y if multilabel else classes)
            if multilabel and not np.array_equal(classes, binarizer.classes_):
                raise ValueError(
                    f"classes must be the {len(binarizer.classes_)} columns of the multi-label y, "
                    f"{binarizer.classes_}, got {given!r}"
                )
        labels = unique_labels(y)
        unknown = labels[~np.isin(labels, binarizer.classes_)]
        if len(unknown):  # the binarizer would encode them as another class, or as no class at all
            raise ValueError(
                f"`y` has classes not in `self.classes_`: {unknown}; `self.classes_` has "
                f"{binarizer.classes_}"
            )
        if not keep:
            self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
            self._multilabel = binarizer.y_type_.startswith("multilabel")
        return binarizer.transform(y)

    def fit(self, X, y, sample_weight=None):
        """Train for up to `max_iter` epochs, from the fitted weights if `warm_start`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense input.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multi-label indicator matrix.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), from the fitted weights (and optimizer state, while its settings stay).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense input.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multi-label indicator matrix.
        classes : array-like, optional
            Every label of all calls; required on the first call (for an indicator matrix, its
            column indices), and if given later, the same as before. y may hold only some of them.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """Predicted labels, shape (n_samples,) (or (n_samples, n_labels) for multi-label)."""
        out = self._forward(X)
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes); for multi-label, each label's probability."""
        out = self._forward(X)
        return np.hstack([1 - out, out]) if out.shape[1] == 1 and not self._multilabel else out

    def predict_log_proba(self, X):
        """The logarithm of predict_proba (-inf where a probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class SmallNetRegressor(RegressorMixin, _SmallNetBase):
    __doc__ = _DOC.format(
        kind="regressor",
        mlp="MLPRegressor",
        score="R2",
        summary=(
            "A linear (identity) output with mean squared error; several target columns give\n    a "
            "multi-output regression."
        ),
        attributes="",
        out_activation="'identity'",
    )

    _score_metric = "r2"

    def _output_activation(self, n_outputs):
        return "identity"

    def _loss(self, n_outputs):
        return "mse"

    def _encode_targets(self, y, keep, incremental, classes):
        return y.reshape(len(y), -1)

    def fit(self, X, y, sample_weight=None):
        """Train for up to `max_iter` epochs, from the fitted weights if `warm_start`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense input.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), from the fitted weights (and optimizer state, while its settings stay).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Dense input.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Numeric targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
