"""The estimators' parameters, declared once: the activation names, the solvers, the numeric
bounds, the scikit-learn MLP parameters that have no counterpart here, the docstring both
estimators are built from, and the checks that every fit runs on them."""

import numbers
from typing import NamedTuple

import numpy as np

from .. import activations
from ..callbacks import callback_list
from ..engine import check_engine
from ..validation import check_bool, check_number

# scikit-learn's activation names, then every smallnet one a hidden layer can take (softmax is
# an output's), each with the name of the smallnet activation it trains with.
ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
ACTIVATIONS.update(
    (name, kind.name)
    for name, kind in activations.ACTIVATIONS.items()
    if name != "softmax" and name not in ACTIVATIONS
)

# How each solver trains: the stochastic ones take batches of rows per step.
SOLVERS = {"sgd": "minibatches", "adam": "minibatches", "lbfgs": "full batch"}

# Bounds (check_number's keywords) of the numeric parameters; validation_fraction's depend on
# early_stopping, so check_params checks it on its own.
BELOW_ONE = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}
NUMBERS = {
    "alpha": {"low": 0, "low_inclusive": True},
    "tol": {"low": 0, "low_inclusive": True},
    "learning_rate_init": {"low": 0},
    "epsilon": {"low": 0},
    "max_iter": {"low": 1, "low_inclusive": True, "integer": True},
    "max_fun": {"low": 1, "low_inclusive": True, "integer": True},
    "momentum": BELOW_ONE,
    "beta_1": BELOW_ONE,
    "beta_2": BELOW_ONE,
}
FLAGS = ("shuffle", "early_stopping", "warm_start", "nesterovs_momentum", "batch_norm")

# MLPClassifier/MLPRegressor parameters with no counterpart here, and why.
MLP_ONLY = {
    "learning_rate": "the learning rate stays learning_rate_init throughout (MLP's 'constant'); "
    "the 'invscaling' and 'adaptive' schedules are not supported",
    "power_t": "it only serves MLP's 'invscaling' learning-rate schedule, which is not supported",
    "loss": "the loss follows from the task: cross-entropy for classification, squared error "
    "for regression",
}

DOC_TEMPLATE = """A smallnet network as a scikit-learn {kind} ({mlp}'s parameters, and more).

    {summary} With float32 input the network computes in float32.

    X may be a scipy.sparse matrix (a ``OneHotEncoder``'s output, say), which is densified:
    whole for fit, which trains on the dense array, and in blocks of rows for prediction.

    The initial weights and biases are drawn as {mlp} draws them, uniform in
    +-sqrt(6 / (fan_in + fan_out)) (2 instead of 6 with activation='logistic'): an int
    random_state draws the same ones as {mlp}'s. Like {mlp}, the estimator scales no
    features: put a scaler before it.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer; () gives none.
    activation : str or list of str, default='relu'
        Hidden layers' activation: as in {mlp}, 'relu', 'tanh', 'logistic'
        ('sigmoid') or 'identity' ('linear'); or 'leaky_relu', 'elu', 'selu', 'softplus',
        'silu' ('swish'), 'gelu', 'mish'. A list or tuple gives one per hidden layer.
    solver : {{'adam', 'sgd', 'lbfgs'}}, default='adam'
        'lbfgs' is scipy's L-BFGS-B on all rows at once (needs scipy), as in {mlp}:
        at most `max_iter` iterations and `max_fun` loss evaluations, with `tol` as scipy's
        gtol; it ignores batch_size, shuffle, the learning rate, momentum, the beta's,
        epsilon, n_iter_no_change and early_stopping, and has no partial_fit.
    alpha : float >= 0, default=1e-4
        L2 penalty, scaled as {mlp} does ('lbfgs': as for one batch of every row).
    batch_size : int or 'auto', default='auto'
        Rows per step; 'auto' is min(200, n_samples).
    learning_rate_init : float > 0, default=1e-3
        The learning rate, constant throughout (there is no `learning_rate` schedule).
    max_iter : int >= 1, default=200
        Most epochs per fit ('lbfgs': most iterations).
    shuffle : bool, default=True
    random_state : None, int in [0, 2**32) or numpy generator, default=None
        Draws initial weights, shuffles, dropout masks and the validation split: an int
        makes fits repeatable.
    tol : float >= 0, default=1e-4
        Training stops once the loss (or validation score) has failed to improve by `tol`
        more than `n_iter_no_change` epochs in a row; for 'lbfgs', once no entry of the
        loss's gradient exceeds `tol`.
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
        best weights. Does not apply to partial_fit, nor (as in {mlp}) to 'lbfgs'.
    validation_fraction : float in [0, 1) ((0, 1) with early_stopping), default=0.1
        Share of rows held out by early stopping: at least 2, and 1 left to train on.
    beta_1, beta_2, epsilon : float in [0, 1), float in [0, 1), float > 0; default=0.9, 0.999, 1e-8
        For solver='adam'.
    max_fun : int >= 1, default=15000
        For solver='lbfgs': stop after the iteration in which the loss was evaluated more
        than this many times.
    dropout : None, float in [0, 1) or list of them, default=None
        Put a Dropout layer with this rate after each hidden layer (a list: one rate per
        hidden layer; 0 puts none). It zeroes that share of the layer's outputs in training
        only. Not with solver='lbfgs', whose objective must not change between evaluations.
    batch_norm : bool, default=False
        Put a BatchNorm layer after each hidden layer (before its Dropout).
    callbacks : None, smallnet Callback or list of them, default=None
        Called by every fit and partial_fit besides the stopping rule (see
        ``smallnet.callbacks``; with 'lbfgs', each iteration is an epoch). The instances
        given are the ones called, so they can be read after fit; a clone gets copies. A
        callback's `network` is the fitted network while a fit runs, and is put back after.
    engine : {{"auto", "numpy", "numba"}}, default="auto"
        What trains the network (see ``smallnet.engine``): "auto" runs numba's compiled loops
        where the ``[fast]`` extra is installed and the network is one they run, NumPy elsewhere.
{parameters}
    Attributes
    ----------
{attributes}    network_ : smallnet.Network
        The trained network.
    coefs_, intercepts_ : list of ndarray
        Each Dense layer's weights (n_in, n_out) and biases: views of the network's (the
        BatchNorm and Dropout layers between them count for nothing here). Assigning a
        list of arrays of the same shapes copies them in.
    n_layers_ : int
        Layers as {mlp} counts them: the input, the hidden (Dense) layers and the output.
    out_activation_ : str
        {out_activation}.
    loss_ : float
        The last epoch's training loss (L2 term included); for 'lbfgs', scipy's final one.
    loss_curve_ : list of float
        Training loss per epoch; an epoch that diverged (whose weights were put back) is left
        out. For 'lbfgs' (where {mlp} has none), the loss after each iteration of the
        last fit.
    best_loss_ : float
    validation_scores_ : list of float or None
        Validation {score} per epoch of the fits with early_stopping, else None.
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run, over all fits of a warm start or partial_fit; for 'lbfgs', as in {mlp},
        the iterations of the last fit (at most max_iter).
    t_ : int
        Training samples seen.
    n_outputs_ : int
    n_features_in_ : int
"""


class Architecture(NamedTuple):
    """The hidden layers the parameters ask for, one entry of each tuple per hidden layer."""

    sizes: tuple  # units
    activations: tuple  # smallnet activation names
    dropout: tuple  # rates, 0.0 for no Dropout layer
    batch_norm: bool


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


def per_layer(name, value, n_hidden):
    """A list or tuple `value` of parameter `name`, checked to give one entry per hidden layer."""
    if len(value) != n_hidden:
        raise ValueError(
            f"{name} has {len(value)} entr{'y' if len(value) == 1 else 'ies'}, one per hidden "
            f"layer, but hidden_layer_sizes gives {n_hidden} hidden "
            f"layer{'' if n_hidden == 1 else 's'}; give one {name} for all, or {n_hidden}"
        )
    return list(value)


def hidden_activations(value, n_hidden):
    """activation checked, as the smallnet activation name of each hidden layer."""
    names = ", ".join(ACTIVATIONS)
    if isinstance(value, str) and value in ACTIVATIONS:
        return (ACTIVATIONS[value],) * n_hidden
    if not isinstance(value, (list, tuple)):
        raise ValueError(
            f"activation must be one of {names} (or a list or tuple of them, one per hidden "
            f"layer), got {value!r}"
        )
    for i, name in enumerate(value):
        if not (isinstance(name, str) and name in ACTIVATIONS):
            raise ValueError(f"activation[{i}] must be one of {names}, got {name!r}")
    return tuple(ACTIVATIONS[name] for name in per_layer("activation", value, n_hidden))


def dropout_rates(value, n_hidden):
    """dropout checked, as the rate of each hidden layer (0.0: no Dropout layer)."""
    if value is None:
        return (0.0,) * n_hidden
    if isinstance(value, (list, tuple, np.ndarray)):
        rates = per_layer("dropout", value, n_hidden)
        return tuple(check_number(f"dropout[{i}]", r, **BELOW_ONE) for i, r in enumerate(rates))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"dropout must be None, a rate in [0, 1) or a list of them (one per hidden layer), "
            f"got {value!r}"
        )
    return (check_number("dropout", value, **BELOW_ONE),) * n_hidden


def check_choices(estimator):
    """Check the parameters that take one of a few values (names, 'auto', flags, callbacks)."""
    solver = estimator.solver
    if not (isinstance(solver, str) and solver in SOLVERS):
        raise ValueError(
            f"solver must be 'sgd' or 'adam' (minibatches) or 'lbfgs' (full batch), got {solver!r}"
        )
    batch_size = estimator.batch_size
    if not (is_count(batch_size) or isinstance(batch_size, str) and batch_size == "auto"):
        raise ValueError(f"batch_size must be 'auto' or a positive integer, got {batch_size!r}")
    verbose = estimator.verbose
    if not (isinstance(verbose, (bool, np.bool_)) or is_count(verbose, 0)):
        raise ValueError(f"verbose must be True, False or an integer >= 0, got {verbose!r}")
    for name in FLAGS:
        check_bool(name, getattr(estimator, name))  # "no" would count as True
    callback_list(estimator.callbacks)  # a TypeError naming callbacks
    check_engine(estimator.engine)


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


def check_class_weight(value):
    """Check class_weight's kind (its labels are checked against the classes at fit)."""
    balanced = isinstance(value, str) and value == "balanced"
    if not (value is None or balanced or isinstance(value, dict)):
        raise ValueError(
            f"class_weight must be None, 'balanced' or a dict of class label to weight, "
            f"got {value!r}"
        )


def class_weight_indices(class_weight, classes):
    """A class_weight dict of the user's labels as smallnet's, of class indices (positions in
    `classes`), with each weight checked."""
    index = {label: i for i, label in enumerate(np.asarray(classes).tolist())}
    weights = {}
    for label, weight in class_weight.items():
        if label not in index:
            raise ValueError(
                f"class_weight has the label {label!r}, which is not one of the classes "
                f"{list(index)}"
            )
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise TypeError(f"class_weight[{label!r}] must be a number, got {weight!r}")
        if not (np.isfinite(weight) and weight >= 0):
            raise ValueError(
                f"class_weight[{label!r}] must be a finite number >= 0, got {weight!r}"
            )
        weights[index[label]] = float(weight)
    return weights


def check_params(estimator):
    """Check every parameter of `estimator`, whether this fit uses it or not, under its own name;
    return the hidden layers they ask for (an Architecture)."""
    sizes = hidden_sizes(estimator.hidden_layer_sizes)
    check_choices(estimator)
    check_numbers(estimator)
    check_random_state(estimator.random_state)
    check_class_weight(getattr(estimator, "class_weight", None))  # the classifier's
    names = hidden_activations(estimator.activation, len(sizes))
    rates = dropout_rates(estimator.dropout, len(sizes))
    if estimator.solver == "lbfgs" and any(rates):
        raise ValueError(
            f"dropout={estimator.dropout!r} can't train with solver='lbfgs': L-BFGS needs the "
            f"same objective at every evaluation, and dropout draws new masks for each; use "
            f"dropout=None, or solver='adam' or 'sgd'"
        )
    dropout = estimator.dropout is not None and any(np.atleast_1d(estimator.dropout))
    if not sizes and (dropout or estimator.batch_norm):  # as the command line says too
        given = "dropout" if dropout else "batch_norm"
        raise ValueError(
            f"{given}={getattr(estimator, given)!r} puts a layer after each hidden layer, but "
            f"hidden_layer_sizes={estimator.hidden_layer_sizes!r} has none"
        )
    return Architecture(tuple(sizes), names, rates, bool(estimator.batch_norm))
