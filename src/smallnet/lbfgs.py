"""Full-batch L-BFGS: `fit`'s epochs as the iterations of scipy's L-BFGS-B.

L-BFGS is no update rule: it needs the objective at points of its own choosing, along a
line search, and curvature pairs of its own. So `Network.fit` with an `LBFGS` optimizer,
after its usual checks, runs `run` below instead of its epochs: one
``scipy.optimize.minimize(method="L-BFGS-B", jac=True)`` on all the training rows, as
scikit-learn's MLP does with ``solver="lbfgs"``, where every iteration is an epoch to the
History and the callbacks. scipy (the `[lbfgs]` extra) is imported only then.
"""

import re
import warnings

import numpy as np

from . import metrics as metric_fns
from .callbacks import ReduceLROnPlateau, Schedule, overrides
from .layers import Dropout
from .optimizers import Optimizer, register
from .samples import validation_size
from .validation import check_number


@register
class LBFGS(Optimizer):
    """Full-batch L-BFGS through scipy's L-BFGS-B, as scikit-learn's MLP ``solver="lbfgs"``.

    With it, ``net.fit(X, y, epochs=N)`` minimizes the training objective (the loss plus the
    network's `l2` penalty, with its gradient by backpropagation) on all training rows at
    once, in at most N L-BFGS iterations: each is one History entry, and one epoch to the
    callbacks, whose ``stop_training`` ends it. It has no learning rate (the line search
    chooses each step) and no clipping.

    Parameters
    ----------
    tol : float >= 0
        scipy's `gtol`: stop once no entry of the gradient exceeds it (scikit-learn's `tol`).
        scipy also stops once an iteration lowers the objective by less than its relative
        `ftol`, about 2.2e-9.
    max_fun : int >= 1
        scipy's `maxfun`: stop after the iteration in which the objective was evaluated more
        than this many times (scikit-learn's `max_fun`).
    history_size : int >= 1
        scipy's `maxcor`: the curvature pairs kept (scipy's default, 10).

    Notes
    -----
    `fit` refuses a batch_size below the number of training rows, checkpoint= and resume=
    (scipy's state can't be saved), Dropout with a rate above 0 (a random objective), l1 above
    0 (L1 is not smooth) and callbacks that set a learning rate. scipy (>= 1.11) is needed
    when fit runs: a model trained with LBFGS loads and predicts without it. A float32
    network computes in float32; scipy works in float64 on its values. BatchNorm's running
    statistics move at every evaluation, line searches included. After a fit, `result` says
    how scipy ended:
    ``{"message", "success", "iterations", "evaluations", "loss"}``.
    """

    name = "lbfgs"
    learning_rate = None  # none: the line search chooses each step

    def __init__(self, tol=1e-4, max_fun=15000, history_size=10):
        self.tol = check_number("tol", tol, low=0, low_inclusive=True)
        self.max_fun = check_number("max_fun", max_fun, low=1, low_inclusive=True, integer=True)
        self.history_size = check_number(
            "history_size", history_size, low=1, low_inclusive=True, integer=True
        )
        self.result = None

    def update(self, params, steps, scaled=False):
        raise RuntimeError(
            "LBFGS takes no single steps: it trains through fit, on all rows at once "
            "(train_step and trace need an update rule, such as Adam or SGD)"
        )

    def config(self):
        return {
            "name": self.name,
            "tol": self.tol,
            "max_fun": self.max_fun,
            "history_size": self.history_size,
        }


class LBFGSWarning(RuntimeWarning):
    """L-BFGS ended before its iterations without converging (its evaluations ran out, or its
    line search failed)."""


def minimizer():
    """scipy.optimize.minimize, or an ImportError that says how to install scipy."""
    install = "pip install 'smallnet[lbfgs]'"
    try:
        import scipy
        from scipy.optimize import minimize
    except ImportError:
        raise ImportError(
            f"LBFGS needs scipy (>= 1.11), which is not installed: {install}"
        ) from None
    if tuple(int(part) for part in re.findall(r"\d+", scipy.__version__)[:2]) < (1, 11):
        raise ImportError(  # older ones can't stop at a callback's word
            f"LBFGS needs scipy >= 1.11, found {scipy.__version__}: {install}"
        )
    return minimize


def check_fit(network, n_rows, batch_size, validation_split, checkpoint, resume, callbacks):
    """Refuse, before anything is built or trained, a fit that full-batch L-BFGS can't run.

    `n_rows` counts the rows of X, of which `validation_split` (checked) holds some out;
    `batch_size` is checked or None; `callbacks` are the user's.
    """
    minimizer()
    if checkpoint is not None or resume is not None:
        raise ValueError(
            "LBFGS can't write or resume checkpoints: scipy's L-BFGS-B keeps its state "
            "(curvature pairs, line search) to itself; fit without checkpoint= and resume=, "
            "or train with another optimizer"
        )
    if network.l1:
        raise ValueError(
            f"l1={network.l1:g}: LBFGS needs a smooth objective, and the L1 penalty has a kink "
            f"at every zero weight; use l1=0 (l2 is fine), or train with another optimizer"
        )
    n_train = n_rows - (validation_size(n_rows, validation_split) if validation_split else 0)
    if batch_size is not None and batch_size < n_train:
        raise ValueError(
            f"batch_size={batch_size}: LBFGS trains on all {n_train} training rows at once; "
            f"give batch_size=None (or one of {n_train} or more)"
        )
    for layer in network.layers:
        if isinstance(layer, Dropout) and layer.rate:
            raise ValueError(
                f"layer {layer.name!r}: LBFGS needs the same objective at every evaluation, "
                f"and Dropout(rate={layer.rate}) draws new masks each time; use rate 0, or "
                f"train with another optimizer"
            )
    for cb in callbacks:
        if isinstance(cb, (Schedule, ReduceLROnPlateau)):
            raise ValueError(
                f"{type(cb).__name__} sets a learning rate, and LBFGS has none "
                f"(its line search chooses each step)"
            )


class Objective:
    """The training objective of `network` on (X, y) at a flat float64 point, for scipy:
    ``objective(x)`` is (loss plus L2 penalty, its gradient as a float64 array).

    The network's parameters take the point's values (in the network's dtype), and `x`,
    `loss` and `out` keep the last point evaluated, its value and its outputs (in a
    training buffer, overwritten by the next evaluation).
    """

    def __init__(self, network, X, y, weights):
        self.network, self.X, self.y, self.weights = network, X, y, weights
        self.steps = [s for layer in network.layers for s in layer.steps]  # the params' order
        self.x = self.loss = self.out = None
        self.evaluations = 0

    def __call__(self, x):
        network = self.network
        np.copyto(network.flat_params, x, casting="same_kind")
        out = network.forward(self.X, training=True)
        loss = float(network.objective(self.y, out, self.weights))
        network.backward(self.y, out, self.weights)  # the steps: minus the gradient
        gradient = np.concatenate([s.ravel() for s in self.steps], dtype=np.float64)
        np.negative(gradient, out=gradient)
        self.x, self.loss, self.out = x.copy(), loss, out
        self.evaluations += 1
        return loss, gradient


class Iterations:
    """scipy's callback after each iteration, as the end of one of fit's epochs (and the
    beginning of the next): the logs, the callbacks' hooks, and stopping at their word."""

    def __init__(self, objective, y, weights, validation, epochs, callbacks, interrupt):
        self.objective, self.network = objective, objective.network
        self.y, self.weights, self.validation = y, weights, validation
        self.epochs, self.done = epochs, 0
        self.callbacks, self.interrupt = callbacks, interrupt
        self.batch_callbacks = [cb for cb in callbacks if overrides(cb, "on_batch_end")]
        self.epoch_callbacks = [cb for cb in callbacks if overrides(cb, "on_epoch_begin")]
        self.stopped = False  # by a callback (or Ctrl-C): the weights are theirs, not scipy's
        self.out = None  # the outputs at the last iterate, a copy

    def begin(self):
        for cb in self.epoch_callbacks:
            cb.on_epoch_begin(self.epochs[self.done])

    def __call__(self, intermediate_result):  # scipy passes the iterate by this name
        objective, network = self.objective, self.network
        if not np.array_equal(intermediate_result.x, objective.x):  # not the last evaluation
            objective(intermediate_result.x)
        epoch, loss, self.out = self.epochs[self.done], objective.loss, objective.out.copy()
        for cb in self.batch_callbacks:  # as a full-batch epoch's one step
            cb.on_batch_end(0, {"loss": loss})
        logs = {"loss": loss}
        for name, fn in network.metrics:
            logs[name] = metric_fns.compute(fn, self.y, self.out, self.weights)
        if self.validation is not None:
            logs.update(network.scores(*self.validation, prefix="val_"))
        if self.interrupt.interrupted:  # Ctrl-C: this iteration is the last
            network.stop_training = True
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)
        self.done += 1
        if network.stop_training:
            self.stopped = True
            raise StopIteration  # scipy ends the minimization here
        if self.done < len(self.epochs):
            self.begin()


def run(network, X, y, weights, validation, epochs, batch_size, shuffle, callbacks, interrupt):
    """fit's `epochs` (a range) as L-BFGS iterations on all of (X, y), as `fit`'s own loop
    over epochs is called (`batch_size` and `shuffle` change nothing: every row, at once).

    Returns the outputs at the last iterate recorded (None if none was). The network ends
    with scipy's result, or, when a callback stopped training, with the weights that the
    callbacks left (DivergenceGuard's may be earlier ones).
    """
    minimize = minimizer()
    optimizer = network.optimizer
    network.last_batch = X  # what DivergenceGuard checks the final weights on
    objective = Objective(network, X, y, None if weights is None else weights / weights.mean())
    iterations = Iterations(objective, y, weights, validation, epochs, callbacks, interrupt)
    options = {"maxiter": len(epochs), "maxfun": optimizer.max_fun, "gtol": optimizer.tol}
    iterations.begin()
    result = minimize(
        objective,
        network.flat_params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=iterations,
        options={**options, "maxcor": optimizer.history_size},
    )
    if not iterations.stopped:  # scipy's own end: its x, not the last point tried
        np.copyto(network.flat_params, result.x, casting="same_kind")
    settle_statistics(network, X)
    optimizer.result = {
        "message": str(result.message).rstrip(": "),  # scipy can end on "ABNORMAL: "
        "success": bool(result.success),
        "iterations": int(result.nit),
        "evaluations": objective.evaluations,
        "loss": float(result.fun),
    }
    if not (iterations.stopped or result.success or result.nit >= len(epochs)):
        warnings.warn(  # fewer iterations than asked, and not converged: max_fun, or a failure
            f"L-BFGS stopped after {result.nit} of {len(epochs)} iterations without converging: "
            f"{optimizer.result['message']} (raise max_fun, or see net.optimizer.result)",
            LBFGSWarning,
            stacklevel=4,
        )
    return iterations.out


def settle_statistics(network, X):
    """Running statistics (BatchNorm's) of all of X at the final weights.

    A running average moves (1 - momentum) of the way per evaluation, and L-BFGS makes a
    few dozen: too few for it to reach the rows' own statistics, which prediction then uses.
    """
    layers = [layer for layer in network.layers if layer.statistics]
    if not layers or not np.isfinite(network.flat_params).all():
        return
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0  # this forward pass sets them: all of X is one batch
    try:
        network.forward(X, training=True)
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
