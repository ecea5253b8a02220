"""The estimators' parameters, declared once: the activation names, the numeric bounds, the
scikit-learn MLP parameters that have no counterpart here, the docstring both estimators are
built from, and the checks that every fit runs on them."""

import numbers

import numpy as np

from ..validation import check_bool, check_number

# scikit-learn's activation names, and the smallnet activation each one trains with.
ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}

# Bounds (check_number's keywords) of the numeric parameters; validation_fraction's depend on
# early_stopping, so check_params checks it on its own.
BELOW_ONE = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}
NUMBERS = {
    "alpha": {"low": 0, "low_inclusive": True},
    "tol": {"low": 0, "low_inclusive": True},
    "learning_rate_init": {"low": 0},
    "epsilon": {"low": 0},
    "max_iter": {"low": 1, "low_inclusive": True, "integer": True},
    "momentum": BELOW_ONE,
    "beta_1": BELOW_ONE,
    "beta_2": BELOW_ONE,
}

# MLPClassifier/MLPRegressor parameters with no counterpart here, and why.
MLP_ONLY = {
    "learning_rate": "the learning rate stays learning_rate_init throughout (MLP's 'constant'); "
    "the 'invscaling' and 'adaptive' schedules are not supported",
    "power_t": "it only serves MLP's 'invscaling' learning-rate schedule, which is not supported",
    "max_fun": "it only serves solver='lbfgs', which smallnet does not have",
    "loss": "the loss follows from the task: cross-entropy for classification, squared error "
    "for regression",
}

DOC_TEMPLATE = """A smallnet network as a scikit-learn {kind} ({mlp}'s parameters).

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


def is_count(value, low=1):
    """Whether `value` is an integer >= `low` (True and False are not counts)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low


def hidden_sizes(value):
    """hidden_layer_sizes checked, as a list of layer widths."""
    try:
        # True is an Integral too: is_count refuses it below
        sizes = [value] if isinstance(value, numbers.Integral) else list(value)
    except TypeError:  # not iterable
        sizes = None
    if isinstance(value, str) or sizes is None or not all(map(is_count, sizes)):
        raise ValueError(
            f"hidden_layer_sizes must be a positive integer or a sequence of them, got {value!r}"
        )
    return sizes


def check_choices(estimator):
    """Check the parameters that take one of a few values (names, 'auto', flags)."""
    activation, solver = estimator.activation, estimator.solver
    if not (isinstance(activation, str) and activation in ACTIVATIONS):
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if not (isinstance(solver, str) and solver in ("sgd", "adam")):
        raise ValueError(f"solver must be 'sgd' or 'adam' (smallnet has no lbfgs), got {solver!r}")
    batch_size = estimator.batch_size
    if not (is_count(batch_size) or isinstance(batch_size, str) and batch_size == "auto"):
        raise ValueError(f"batch_size must be 'auto' or a positive integer, got {batch_size!r}")
    verbose = estimator.verbose
    if not (isinstance(verbose, (bool, np.bool_)) or is_count(verbose, 0)):
        raise ValueError(f"verbose must be True, False or an integer >= 0, got {verbose!r}")
    for name in ("shuffle", "early_stopping", "warm_start", "nesterovs_momentum"):
        check_bool(name, getattr(estimator, name))  # "no" would count as True


def check_numbers(estimator):
    """Check the numeric parameters against their bounds."""
    for name, bounds in NUMBERS.items():
        check_number(name, getattr(estimator, name), **bounds)
    # 0 holds out nothing: fine unless early stopping needs the rows
    check_number(
        "validation_fraction",
        estimator.validation_fraction,
        low=0,
        low_inclusive=not estimator.early_stopping,
        high=1,
        high_inclusive=False,
    )
    patience = estimator.n_iter_no_change
    if not (isinstance(patience, float) and patience == np.inf):  # inf: never stop
        check_number("n_iter_no_change", patience, low=1, low_inclusive=True, integer=True)


def check_random_state(seed):
    """Check random_state: None, an integer in [0, 2**32) or a numpy generator."""
    if not (
        seed is None
        or isinstance(seed, (np.random.RandomState, np.random.Generator))
        or (is_count(seed, 0) and seed < 2**32)
    ):
        raise ValueError(
            f"random_state must be None, an integer in [0, 2**32) or a numpy generator, "
            f"got {seed!r}"
        )


def check_params(estimator):
    """Check every parameter of `estimator`, whether this fit uses it or not, under its own name;
    return hidden_layer_sizes as a list."""
    sizes = hidden_sizes(estimator.hidden_layer_sizes)
    check_choices(estimator)
    check_numbers(estimator)
    check_random_state(estimator.random_state)
    return sizes
