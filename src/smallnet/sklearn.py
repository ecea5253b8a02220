"""scikit-learn estimators over smallnet networks: SmallNetClassifier and SmallNetRegressor.

They take scikit-learn's MLP parameter names and train a `smallnet.Network`
with `Network.fit`; nothing here trains by itself. Needs the `[sklearn]` extra.

    from smallnet.sklearn import SmallNetClassifier
    clf = SmallNetClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X, y)
"""
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from .layers import Dense
from .network import Network, validation_size
from .optimizers import SGD, Adam
from .training import Callback
from .validation import check_bool

_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh",
                "relu": "relu", "leaky_relu": "leaky_relu"}


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
    """Shared fit/partial_fit; subclasses define the output layer, the loss and the score metric."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate_init=0.001, max_iter=200, shuffle=True, random_state=None,
                 tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10):
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

    # -- parameters ------------------------------------------------------------------------

    def _check_params(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(_ACTIVATIONS)}, got {self.activation!r}")
        if self.solver not in ("sgd", "adam"):
            raise ValueError(f"solver must be 'sgd' or 'adam' (smallnet has no lbfgs), got {self.solver!r}")
        if not (isinstance(self.max_iter, numbers.Integral) and self.max_iter > 0):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if not (isinstance(self.n_iter_no_change, numbers.Integral) and self.n_iter_no_change > 0):
            raise ValueError(f"n_iter_no_change must be a positive integer, got {self.n_iter_no_change!r}")
        if self.batch_size != "auto" and not (isinstance(self.batch_size, numbers.Integral) and self.batch_size > 0):
            raise ValueError(f"batch_size must be 'auto' or a positive integer, got {self.batch_size!r}")
        for name in ("alpha", "tol"):
            if not (isinstance(getattr(self, name), numbers.Real) and getattr(self, name) >= 0):
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)!r}")
        for name in ("shuffle", "early_stopping", "warm_start", "nesterovs_momentum"):
            check_bool(name, getattr(self, name))  # "no" would count as True
        if not (isinstance(self.learning_rate_init, numbers.Real) and self.learning_rate_init > 0):
            raise ValueError(f"learning_rate_init must be a positive number, got {self.learning_rate_init!r}")
        seed = self.random_state
        if not (seed is None or isinstance(seed, (np.random.RandomState, np.random.Generator)) or (
                isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and 0 <= seed < 2**32)):
            raise ValueError(f"random_state must be None, an integer in [0, 2**32) or a numpy generator, got {seed!r}")
        if self.early_stopping and not (isinstance(self.validation_fraction, numbers.Real)
                                        and 0 < self.validation_fraction < 1):
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        return sizes

    def _batch_size(self, n):
        return min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)

    def _new_network(self, sizes, n_features, n_outputs, dtype):
        # The score is only needed (per epoch, on the validation part) for early stopping.
        metrics = [self._score_metric] if self.early_stopping else []
        if self.solver == "sgd":
            optimizer = SGD(self.learning_rate_init, momentum=self.momentum, nesterov=self.nesterovs_momentum)
        else:
            optimizer = Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)
        hidden = _ACTIVATIONS[self.activation]
        initializer = "he_uniform" if hidden in ("relu", "leaky_relu") else "glorot_uniform"  # keeps ReLUs alive
        layers = [Dense(units, activation=hidden, initializer=initializer) for units in sizes]
        layers.append(Dense(n_outputs, activation=self._output_activation(n_outputs)))
        layers[0].input_dim = n_features
        return Network(layers, loss=self._loss(n_outputs), optimizer=optimizer, metrics=metrics,
                       seed=self.random_state, dtype=dtype).build()

    # -- training ----------------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Train for up to `max_iter` epochs (from the current weights if `warm_start`). Returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """One epoch over (X, y), continuing from the current weights. Returns self."""
        return self._fit(X, y, sample_weight, incremental=True, **kwargs)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        sizes = self._check_params()
        fitted = hasattr(self, "network_")
        keep = fitted and (incremental or self.warm_start)
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32), reset=not keep,
                             y_numeric=not isinstance(self, ClassifierMixin))
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
        Y = self._encode_targets(y, keep, incremental, classes).astype(X.dtype, copy=False)
        batch_size = self._batch_size(len(X))
        if not keep:
            self.network_ = self._new_network(sizes, X.shape[1], Y.shape[1], X.dtype)
            self.n_outputs_ = Y.shape[1]
            self.n_iter_ = self.t_ = 0
            self.loss_curve_, self.best_loss_ = [], np.inf
            self.validation_scores_ = [] if self.early_stopping else None
            self.best_validation_score_ = -np.inf if self.early_stopping else None
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs, but the model was fitted with {self.n_outputs_}")
        net = self.network_
        # scikit-learn adds alpha/2 * ||W||^2 to each batch's weighted loss sum; per unit of the
        # (weighted) mean loss that smallnet minimizes, that is alpha over the batch's total weight.
        with np.errstate(over="ignore"):  # huge weights' mean overflows to inf: alpha / inf = 0 is their limit
            total_weight = batch_size * (1.0 if sample_weight is None else float(np.mean(sample_weight)))
        net.l2 = self.alpha / total_weight if total_weight > 0 else 0.0
        if net.dtype != X.dtype:  # the network keeps its dtype; later data is cast to it
            X, Y = X.astype(net.dtype), Y.astype(net.dtype)
        if incremental:
            history = net.fit(X, Y, epochs=1, batch_size=batch_size, shuffle=self.shuffle,
                              sample_weight=sample_weight, verbose=2 if self.verbose else 0)
        else:
            validation = self.early_stopping
            if validation:  # checked here, so that the error speaks of this estimator's parameters
                validation_size(len(X), self.validation_fraction, "validation_fraction")
            stopper = _NoImprovementStop(f"val_{self._score_metric}" if validation else "loss", self.tol,
                                         self.n_iter_no_change)
            history = net.fit(X, Y, epochs=self.max_iter, batch_size=batch_size, shuffle=self.shuffle,
                              validation_split=self.validation_fraction if validation else 0.0,
                              sample_weight=sample_weight, callbacks=[stopper], verbose=2 if self.verbose else 0)
        self._record(history, len(X))
        if not incremental and len(history.epoch) == self.max_iter and stopper.stopped_epoch is None:
            warnings.warn(f"smallnet: maximum iterations ({self.max_iter}) reached and the optimization hasn't "
                          f"converged yet.", ConvergenceWarning)
        return self

    def _record(self, history, n_samples):
        epochs = len(history.epoch)
        self.n_iter_ += epochs
        self.t_ += epochs * n_samples
        self.loss_curve_ += history["loss"]
        self.best_loss_ = min(self.best_loss_, min(history["loss"]))
        key = f"val_{self._score_metric}"
        if self.validation_scores_ is not None and key in history.history:
            self.validation_scores_ += history[key]
            self.best_validation_score_ = max(self.best_validation_score_, max(history[key]))

    @property
    def coefs_(self):
        """Weight matrices, one (n_in, n_out) array per layer (views of the network's weights)."""
        check_is_fitted(self)
        return [layer.weights for layer in self.network_.layers]

    @property
    def intercepts_(self):
        """Bias vectors, one per layer."""
        check_is_fitted(self)
        return [layer.bias for layer in self.network_.layers]

    def _forward(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self.network_.predict(X)


class SmallNetClassifier(ClassifierMixin, _SmallNetBase):
    """A smallnet network as a scikit-learn classifier (MLPClassifier's parameters).

    Binary targets get one sigmoid output and binary cross-entropy; several classes a
    softmax output and categorical cross-entropy; multi-label indicator targets one
    sigmoid per label. With float32 input the network computes in float32.

    Attributes
    ----------
    classes_ : ndarray
    network_ : smallnet.Network
    loss_curve_ : list of float
        Training loss per epoch (including the L2 term).
    validation_scores_ : list of float or None
        Validation accuracy per epoch when early_stopping.
    n_iter_ : int
        Epochs run.
    """

    _score_metric = "accuracy"

    def _output_activation(self, n_outputs):
        return "sigmoid" if n_outputs == 1 or self._multilabel else "softmax"

    def _loss(self, n_outputs):
        return "binary_crossentropy" if n_outputs == 1 or self._multilabel else "categorical_crossentropy"

    def _encode_targets(self, y, keep, incremental, classes):
        check_classification_targets(y)
        if incremental and not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self._label_binarizer = LabelBinarizer().fit(classes)
        elif not keep:
            self._label_binarizer = LabelBinarizer().fit(y)
        elif len(np.setdiff1d(unique_labels(y), self.classes_)):
            raise ValueError(f"y has classes not in classes_ {self.classes_}: {np.setdiff1d(unique_labels(y), self.classes_)}")
        self.classes_ = self._label_binarizer.classes_
        self._multilabel = self._label_binarizer.y_type_.startswith("multilabel")
        return self._label_binarizer.transform(y)

    def predict(self, X):
        """Predicted labels, shape (n_samples,) (or (n_samples, n_labels) for multi-label)."""
        out = self._forward(X)
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes); for multi-label, each label's probability."""
        out = self._forward(X)
        return np.hstack([1 - out, out]) if out.shape[1] == 1 and not self._multilabel else out

    def predict_log_proba(self, X):
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y); `classes` (all labels) is required on the first call. Returns self."""
        return super().partial_fit(X, y, sample_weight, classes=classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class SmallNetRegressor(RegressorMixin, _SmallNetBase):
    """A smallnet network as a scikit-learn regressor (MLPRegressor's parameters).

    A linear (identity) output with mean squared error; several target columns give
    a multi-output regression. With float32 input the network computes in float32.
    """

    _score_metric = "r2"

    def _output_activation(self, n_outputs):
        return "identity"

    def _loss(self, n_outputs):
        return "mse"

    def _encode_targets(self, y, keep, incremental, classes):
        return y.reshape(len(y), -1)

    def predict(self, X):
        """Predictions, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
