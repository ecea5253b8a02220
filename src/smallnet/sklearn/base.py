"""The training both estimators share: SmallNetBase."""

import inspect
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .. import metrics as metric_fns
from .. import samples
from ..callbacks import callback_list
from ..layers import Dense
from ..lbfgs import LBFGS, LBFGSWarning
from ..optimizers import SGD, Adam
from ..scale_check import UnscaledInputWarning
from .architecture import DenseAttributes, architecture_change, new_network
from .parameters import MLP_ONLY, check_params
from .stopping import NoImprovementStop

# The network computes on dense arrays. A sparse X (any scipy.sparse format, taken as CSR) is
# densified whole for fit, whose batches are drawn from one array, and in blocks of rows of
# about this many bytes for prediction.
PREDICT_BLOCK_BYTES = 2**24


def densified(X):
    """`X` (checked by validate_data) as a dense array: a sparse matrix's toarray(), with the
    way out said when it does not fit in memory."""
    if not sparse.issparse(X):
        return X
    try:
        return X.toarray()
    except MemoryError:
        n, d = X.shape
        raise MemoryError(
            f"X is a sparse {n} x {d} matrix, which the network trains on as a dense array of "
            f"{n * d * X.dtype.itemsize / 2**30:.3g} GiB, more than this machine can give; "
            f"call partial_fit on blocks of its rows (each is densified alone), or encode "
            f"fewer columns"
        ) from None


def _check_numeric_target(estimator, y):
    """Refuse text targets of a regressor up front: converted later, they fail with no word of
    the cause."""
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


def stochastic_solver(estimator):
    """Whether `estimator` has partial_fit (`available_if`'s test): as in scikit-learn's MLP,
    solver='lbfgs' has not."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers ('sgd', 'adam'); "
            "solver='lbfgs' is not stochastic: use fit"
        )
    return True


class SmallNetBase(DenseAttributes, BaseEstimator):
    """Shared training (`_fit`); subclasses define fit, partial_fit, the output layer, the loss
    and the score metric."""

    def __new__(cls, *args, **kwargs):
        # Wrong arguments are caught here, because __init__'s own TypeError would name
        # SmallNetBase, which defines it, rather than the estimator called. (clone passes known
        # parameters, pickle and copy none.)
        unsupported = sorted(kwargs.keys() & MLP_ONLY.keys())
        if unsupported:
            raise TypeError(
                f"{cls.__name__} has no parameter {unsupported[0]!r}: {MLP_ONLY[unsupported[0]]}"
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
        max_fun=15000,
        dropout=None,
        batch_norm=False,
        callbacks=None,
        engine="auto",
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
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.callbacks = callbacks
        self.engine = engine

    # inspect.signature (help, IDEs, scikit-learn's checks) would otherwise show __new__'s
    # (*args, **kwargs)
    __new__.__signature__ = inspect.signature(__init__)

    # -- parameters ------------------------------------------------------------------------

    def _check_architecture(self, architecture):
        """warm_start and partial_fit train network_ further: refuse parameters that would need
        another network."""
        change = architecture_change(architecture, self.network_)
        if change is None:
            return
        name, was = change
        raise ValueError(
            f"{name}={getattr(self, name)!r} differs from the fitted network's {was!r}; "
            f"warm_start and partial_fit train that network further, so fit with "
            f"warm_start=False to start a new one"
        )

    def _validation_size(self, n):
        """Rows early stopping holds out of `n`: validation_fraction of them, and at least 2, as
        scikit-learn's MLP needs (one row's R2 is 0 whatever the weights, and its accuracy 0 or 1:
        training would stop at random)."""
        n_val = samples.held_out_count(n, self.validation_fraction, minimum=2)
        if n_val >= n:
            raise ValueError(
                f"early_stopping=True holds out {n_val} samples for validation "
                f"(validation_fraction={self.validation_fraction} of them, at least 2) and needs "
                f"one more to train on, got {n} sample{'s' if n != 1 else ''}; give more "
                f"samples, a lower validation_fraction, or set early_stopping=False"
            )
        return n_val

    def _batch_size(self, n):
        return min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)

    def _optimizer(self):
        if self.solver == "lbfgs":
            return LBFGS(tol=self.tol, max_fun=self.max_fun)
        if self.solver == "sgd":
            # as in MLPClassifier, nesterovs_momentum (on by default) means nothing without momentum
            return SGD(
                self.learning_rate_init,
                momentum=self.momentum,
                nesterov=bool(self.nesterovs_momentum and self.momentum),
            )
        return Adam(self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)

    def _new_network(self, architecture, n_features, n_outputs, dtype, optimizer):
        output = Dense(n_outputs, activation=self._output_activation(n_outputs))
        return new_network(
            architecture,
            output,
            n_features,
            self.activation,
            loss=self._loss(n_outputs),
            optimizer=optimizer,
            seed=self.random_state,
            dtype=dtype,
        )

    # -- training ----------------------------------------------------------------------------

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        architecture = check_params(self)
        keep = hasattr(self, "network_") and (incremental or self.warm_start)
        if keep:
            self._check_architecture(architecture)
        X, Y, sample_weight = self._check_data(X, y, sample_weight, keep, incremental, classes)
        sample_weight = self._class_sample_weight(Y, sample_weight)
        full_batch = self.solver == "lbfgs"
        # as scikit-learn's MLP, lbfgs knows no early stopping
        early = self.early_stopping and not incremental and not full_batch
        n_val = self._validation_size(len(X)) if early else 0
        net = self._ready_network(architecture, X, Y, keep, incremental)
        # The score is only needed (per epoch, on the validation part) for early stopping.
        net.metrics = metric_fns.get_all([self._score_metric] if n_val else [])
        batch_size = len(X) if full_batch else self._batch_size(len(X))
        net.l2 = self._l2(batch_size, sample_weight)
        if net.dtype != X.dtype:  # the network keeps its dtype; later data is cast to it
            X, Y = X.astype(net.dtype), Y.astype(net.dtype)
        validation = None
        if n_val:
            X, Y, sample_weight, validation = self._hold_out(net, X, Y, sample_weight)
        stopper = None
        if not (incremental or full_batch):  # lbfgs stops by itself, at tol
            monitor = f"val_{self._score_metric}" if n_val else "loss"
            stopper = NoImprovementStop(monitor, self.tol, self.n_iter_no_change)
        history = self._train(
            net, (X, Y, sample_weight, validation), batch_size, incremental, stopper
        )
        epochs = self._record(history, len(X))
        if full_batch and not net.stop_training:  # scipy's end: its own final loss
            self.loss_ = net.optimizer.result["loss"]
            self.best_loss_ = min(self.best_loss_, self.loss_)
        if not incremental:
            self._warn_unless_converged(net, epochs, stopper)
        return self

    def _train(self, net, data, batch_size, incremental, stopper):
        """net.fit on `data` (X, Y, sample_weight, validation) with the stopping rule and the
        user's callbacks, whose `network` is put back afterwards (a clone's deep copy of them
        must not copy a fitted network along)."""
        X, Y, sample_weight, validation = data
        user = callback_list(self.callbacks)
        networks = [cb.network for cb in user]
        try:
            with warnings.catch_warnings():
                # said in scikit-learn's words by _warn_unless_converged
                warnings.simplefilter("ignore", LBFGSWarning)
                # scikit-learn's way: scaling is a pipeline step, and MLP doesn't warn
                warnings.simplefilter("ignore", UnscaledInputWarning)
                return net.fit(
                    X,
                    Y,
                    epochs=1 if incremental else self.max_iter,
                    batch_size=None if self.solver == "lbfgs" else batch_size,
                    shuffle=self.shuffle,
                    validation_data=validation,
                    sample_weight=sample_weight,
                    callbacks=[*([] if stopper is None else [stopper]), *user],
                    verbose=2 if self.verbose else 0,
                    engine=self.engine,
                )
        except ValueError as exc:  # a callback watching val_ values: say it in this API's words
            hint = "(pass validation_split or validation_data to fit)"
            if hint not in str(exc):
                raise
            words = "(set early_stopping=True: it holds out validation_fraction of the rows)"
            raise ValueError(str(exc).replace(hint, words)) from None
        finally:
            for cb, network in zip(user, networks):
                cb.network = network

    def _warn_unless_converged(self, net, epochs, stopper):
        """scikit-learn's ConvergenceWarning: for lbfgs, when scipy reports no success (the
        iteration or evaluation limit, or a failed line search) and no callback stopped it; for
        the others, when max_iter epochs ran without the stopping rule's word."""
        if self.solver == "lbfgs":
            result = net.optimizer.result
            if result["success"] or net.stop_training:
                return
            if epochs == self.max_iter:
                advice = f"; increase max_iter ({self.max_iter})"
            elif result["evaluations"] >= self.max_fun:
                advice = f"; increase max_fun ({self.max_fun})"
            else:
                advice = "; scaling the data may help"
            message = (
                f"smallnet: lbfgs failed to converge after {epochs} iteration(s): "
                f"{result['message']}{advice}"
            )
        elif epochs == self.max_iter and stopper.stopped_epoch is None:
            message = (
                f"smallnet: maximum iterations ({self.max_iter}) reached and the optimization "
                f"hasn't converged yet."
            )
        else:
            return
        warnings.warn(message, ConvergenceWarning, stacklevel=4)

    def _hold_out(self, net, X, Y, sample_weight):
        """(X, Y, sample_weight, validation_data): early stopping's rows split off, drawn as
        fit(validation_split=) would, from the network's generator."""
        if sample_weight is not None:
            sample_weight = samples.check_sample_weight(sample_weight, len(X), X.dtype)
        rows = samples.validation_rows(
            Y,
            self.validation_fraction,
            net.rng,
            net.loss.fused_activation is not None,
            minimum=2,
        )
        return samples.split(X, Y, sample_weight, rows)

    def _check_data(self, X, y, sample_weight, keep, incremental, classes):
        """(X, Y, sample_weight) checked, Y encoded as the network's targets in X's dtype."""
        classifier = is_classifier(self)
        if not classifier:
            _check_numeric_target(self, y)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
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
        # Every check of the data is done by now, or in _encode_targets before it changes anything.
        Y = self._encode_targets(y, keep, incremental, classes)
        if np.issubdtype(Y.dtype, np.floating) and np.abs(Y).max() > np.finfo(X.dtype).max:
            raise ValueError(
                f"y holds values too large for {X.dtype} (up to {np.abs(Y).max():.3g}), the dtype "
                f"X is trained in; pass X as float64, or rescale y"
            )
        Y = Y.astype(X.dtype, copy=False)
        if keep and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs, but the model was fitted with {self.n_outputs_}"
            )
        return densified(X), Y, sample_weight

    def _class_sample_weight(self, Y, sample_weight):
        """The weight of each row of the encoded targets `Y` (the classifier's class_weight)."""
        return sample_weight

    def _ready_network(self, architecture, X, Y, keep, incremental):
        """network_, new or kept, with the optimizer this fit trains it with."""
        optimizer = self._optimizer()
        if not keep:
            self.network_ = self._new_network(
                architecture, X.shape[1], Y.shape[1], X.dtype, optimizer
            )
            self.n_outputs_ = Y.shape[1]
        elif not incremental or optimizer.config() != self.network_.optimizer.config():
            # As scikit-learn's MLP: a fresh optimizer, with the current settings, for every fit;
            # partial_fit goes on with its state (moments, momentum) while the settings stay.
            self.network_.optimizer = optimizer
        lbfgs = self.solver == "lbfgs"
        if not keep or lbfgs:  # as scikit-learn's MLP, lbfgs counts the last fit's iterations
            self.n_iter_ = self.t_ = 0
            self.loss_curve_, self.best_loss_, self.loss_ = [], np.inf, np.nan
            self.validation_scores_ = self.best_validation_score_ = None
        if self.early_stopping and not lbfgs and self.validation_scores_ is None:
            # also turned on by warm_start
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
        return self.network_

    def _l2(self, batch_size, sample_weight):
        """The network's l2 for `alpha`: scikit-learn adds alpha/2 * ||W||^2 to each batch's
        weighted loss sum, which per unit of the (weighted) mean loss that smallnet minimizes is
        alpha over the batch's total weight."""
        with np.errstate(over="ignore"):  # a huge mean overflows to inf: alpha / inf = 0, its limit
            mean = 1.0 if sample_weight is None else float(np.mean(sample_weight))
            total_weight = batch_size * mean
        return self.alpha / total_weight if total_weight > 0 else 0.0

    def _record(self, history, n_train):
        """Add a fit's History to the curves and counts; returns the number of epochs recorded."""
        epochs = len(history.epoch)
        # A fit that diverged had the DivergenceGuard put back an earlier epoch's weights: the
        # epochs after that one trained nothing that was kept.
        if history.kept_epoch is not None:
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

    def _forward(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=False)
        if not sparse.issparse(X):
            return self.network_.predict(X)
        rows = max(1, PREDICT_BLOCK_BYTES // (X.shape[1] * X.dtype.itemsize))
        blocks = range(0, X.shape[0], rows)
        return np.concatenate([self.network_.predict(X[i : i + rows].toarray()) for i in blocks])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified (see PREDICT_BLOCK_BYTES)
        return tags
