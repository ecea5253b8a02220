"""Losses: each value beside its error.

``loss(y, out)`` is the number that training drives down. ``loss.error(y, out)``
is the tutorial's ``l2_error = y - l2``: minus the loss gradient with respect to
the network's output, the direction the output should move. Arrays have shape
(n_samples, n_outputs).

Every loss is a sum (the tutorial's) or a mean over samples of a per-sample
term, ``loss.per_sample(y, out)``. With sample weights a mean loss is the weighted
average of those terms, ``sum(w * terms) / sum(w)``, and a summed one ``n`` times it
(the weights rescaled to mean 1, as training does), so that weights all equal change nothing.

Cross-entropies paired with their natural output activation (sigmoid for the
binary one, softmax for the categorical one) skip the activation's slope:
``loss.delta(y, out)`` gives the error at the activation's *input* directly,
``(y - out) / n``, which stays exact where the slope underflows to zero.
The sparse categorical one takes class indices instead of one-hot rows: y is then
(n_samples, 1), and its delta is ``(onehot(y) - out) / n``.

A loss's `config()` is what a file stores to rebuild it: its name, or for a loss with
parameters a dict ``{"name": "huber", "delta": 2.0}``; `get` takes either.
"""

import numpy as np

from .metrics import weighted_mean
from .validation import check_number, lookup


class Loss:
    """Base class. `fused_activation` names the output activation `delta` is for."""

    name = None
    fused_activation = None
    summed = False  # a sum over samples (the tutorial's) rather than a mean
    sparse = False  # y is one column of class indices rather than one column per output

    def config(self):
        """What rebuilds this loss through `get`: its name (a loss with parameters: a dict)."""
        return self.name

    def __call__(self, y, out, weights=None):
        """The loss value.

        Parameters
        ----------
        y, out : ndarray of shape (n_samples, n_outputs)
        weights : array-like of shape (n_samples,), optional
            Non-negative; only their ratios matter. The loss is then the weighted average of
            the per-sample terms (times n for a summed loss); weights all 0 give 0, as no
            sample counts.
        """
        terms = self.per_sample(y, out)
        if weights is None:
            return float(terms.sum() if self.summed else terms.mean())
        if not np.any(weights):  # a minibatch of zero-weight rows: it adds nothing
            return 0.0
        value = float(weighted_mean(terms, weights))
        return value * len(terms) if self.summed else value

    def value_and_error(self, y, out):
        """``(loss(y, out), error(y, out))``.

        Losses whose value follows from the error share the work.
        """
        return self(y, out), self.error(y, out)

    def __repr__(self):
        return f"{type(self).__name__}()"


class SumSquaredError(Loss):
    """The tutorial's loss: half the sum of squared errors, so that error = y - out exactly."""

    name = "sse"
    summed = True

    def per_sample(self, y, out):
        return 0.5 * np.square(y - out).sum(axis=1)

    def error(self, y, out):
        return y - out

    def value_and_error(self, y, out):
        e = y - out  # l2_error = y - l2
        return 0.5 * float(np.vdot(e, e)), e


class MeanSquaredError(Loss):
    """Mean of the squared errors over all samples and outputs."""

    name = "mse"

    def per_sample(self, y, out):
        return np.square(y - out).mean(axis=1)

    def error(self, y, out):
        return self.value_and_error(y, out)[1]

    def value_and_error(self, y, out):
        e = y - out
        value = float(np.vdot(e, e)) / e.size
        e *= 2 / e.size
        return value, e


def _clipped(out):
    """out kept inside [eps, 1 - eps], so that logs and divisions stay finite."""
    eps = np.finfo(out.dtype).eps
    p = np.maximum(out, eps)
    return np.minimum(p, 1 - eps, out=p)


class BinaryCrossEntropy(Loss):
    """-mean(y log p + (1 - y) log(1 - p)) over all entries; fuses with a sigmoid output."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def per_sample(self, y, out):
        p = _clipped(out)
        return -(y * np.log(p) + (1 - y) * np.log1p(-p)).mean(axis=1)

    def error(self, y, out):
        p = _clipped(out)
        return (y - p) / (p * (1 - p) * y.size)

    def delta(self, y, out):
        d = y - out
        d /= d.size
        return d


class CategoricalCrossEntropy(Loss):
    """-sum(y log p) per sample, averaged over samples (y one-hot); fuses with a softmax output."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def __call__(self, y, out, weights=None):
        if weights is not None:
            return super().__call__(y, out, weights)
        return -float(np.vdot(y, np.log(_clipped(out)))) / len(y)

    def per_sample(self, y, out):
        return -(y * np.log(_clipped(out))).sum(axis=1)

    def error(self, y, out):
        return y / (_clipped(out) * len(y))

    def delta(self, y, out):
        d = y - out
        d /= len(d)
        return d


class SparseCategoricalCrossEntropy(Loss):
    """categorical_crossentropy with y the class indices 0..k-1, shape (n_samples, 1), instead of
    one-hot rows; fuses with a softmax output of k units."""

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"
    sparse = True

    def __call__(self, y, out, weights=None):
        if weights is not None:
            return super().__call__(y, out, weights)
        return -float(np.log(_clipped(_picked(y, out))).sum()) / len(y)

    def per_sample(self, y, out):
        return -np.log(_clipped(_picked(y, out)))

    def error(self, y, out):
        rows, labels = _cells(y)
        e = np.zeros_like(out)
        e[rows, labels] = 1 / (_clipped(out[rows, labels]) * len(y))
        return e

    def delta(self, y, out):
        rows, labels = _cells(y)
        d = np.negative(out)
        d[rows, labels] += 1  # 1 - out exactly, as categorical_crossentropy's onehot - out
        d /= len(d)
        return d


def _cells(y):
    """(rows, labels): the entry of each row's class, for y of class indices (n, 1)."""
    return np.arange(len(y)), y[:, 0].astype(np.intp)


def _picked(y, out):
    """Each row's output for its class: out[i, y[i]], shape (n,)."""
    return out[_cells(y)]


class Huber(Loss):
    """Mean over all entries of 0.5 e**2 where |e| <= delta, delta * (|e| - 0.5 delta) beyond,
    with e = y - out: squared near the target, absolute (robust to outliers) far from it.

    Parameters
    ----------
    delta : float > 0
        Where the square turns into a line.
    """

    name = "huber"

    def __init__(self, delta=1.0):
        self.delta = check_number("delta", delta)

    def config(self):
        return {"name": self.name, "delta": self.delta}

    def per_sample(self, y, out):
        return self._terms(np.abs(y - out)).mean(axis=1)

    def _terms(self, size):
        # min(|e|, delta) is squared and the rest of |e| grows linearly: both branches at once
        near = np.minimum(size, self.delta)
        return 0.5 * np.square(near) + self.delta * (size - near)

    def error(self, y, out):
        return self.value_and_error(y, out)[1]

    def value_and_error(self, y, out):
        e = y - out
        value = float(np.add.reduce(self._terms(np.abs(e)), axis=None)) / e.size
        np.clip(e, -self.delta, self.delta, out=e)  # the slope: e, or delta with e's sign
        e /= e.size
        return value, e

    def __repr__(self):
        return f"Huber(delta={self.delta!r})"


class MeanAbsoluteError(Loss):
    """Mean of |y - out| over all samples and outputs; its error at e = 0 is 0."""

    name = "mae"

    def per_sample(self, y, out):
        return np.abs(y - out).mean(axis=1)

    def error(self, y, out):
        return self.value_and_error(y, out)[1]

    def value_and_error(self, y, out):
        e = y - out
        value = float(np.add.reduce(np.abs(e), axis=None)) / e.size
        np.sign(e, out=e)
        e /= e.size
        return value, e


LOSSES = {
    c.name: c
    for c in (
        SumSquaredError,
        MeanSquaredError,
        BinaryCrossEntropy,
        CategoricalCrossEntropy,
        SparseCategoricalCrossEntropy,
        Huber,
        MeanAbsoluteError,
    )
}


def get(loss):
    """A Loss from a name (see LOSSES), a config dict such as ``{"name": "huber", "delta": 2.0}``
    (as `Loss.config` gives), or an instance."""
    return lookup("loss", loss, LOSSES, Loss)


def check_output(loss, last, units):
    """Refuse a loss that can't mean anything for the last layer `last` and its `units` outputs
    (None: not known yet; building asks again)."""
    categorical = loss.fused_activation == "softmax"  # one-hot rows or class indices
    if categorical and units == 1:
        # softmax over one unit is always 1, and -y log p only pulls the one output up
        raise ValueError(
            f"{loss.name} needs one output per class (2 or more), but the last layer "
            f"{last.name!r} has 1 unit; for two classes use one sigmoid output with "
            f"binary_crossentropy"
        )
    if loss.fused_activation is None:
        return
    # The cross-entropies take logs of probabilities: an output that isn't one has no such loss,
    # and the clipping that keeps the logs finite would make the gradient wrong.
    activation = getattr(last, "activation", None)
    if activation is None:
        raise ValueError(
            f"{loss.name} needs a last layer with a {loss.fused_activation} activation, but the "
            f"last layer {last.name!r} is a {type(last).__name__} layer"
        )
    needed = ("distribution",) if categorical else ("probability", "distribution")
    if activation.outputs is not None and activation.outputs not in needed:
        hint = (
            " (for several labels per row: binary_crossentropy)"
            if activation.outputs == "probability"
            else ""
        )
        what = "probabilities that sum to 1" if categorical else "probabilities in [0, 1]"
        raise ValueError(
            f"{loss.name} needs {what}, but the last layer {last.name!r} has the "
            f"{activation.name} activation; use activation={loss.fused_activation!r}{hint}"
        )


def check_targets(loss, y, units, fused):
    """Refuse targets y (n, n_outputs) that the network's `units` outputs and `loss` can't train
    on; `fused`: whether the loss gives the delta below the output activation."""
    if loss.sparse:
        _check_labels(loss, y, units)
        return
    if y.shape[1] != units:
        hint = (
            f" (for class labels 0..{units - 1}, pass one-hot rows: np.eye({units})[labels], "
            f"or use loss='sparse_categorical_crossentropy')"
            if y.shape[1] == 1
            else ""
        )
        raise ValueError(
            f"y has {y.shape[1]} columns, but the network's last layer has {units} units" + hint
        )
    if loss.fused_activation and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{loss.name} needs targets in [0, 1], got values from {y.min():g} to {y.max():g}"
        )
    if fused and loss.name == "categorical_crossentropy":
        # softmax's fused delta y - out is the gradient only for rows that sum to 1
        sums = y.sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > 1e-3)
        if off.size:
            raise ValueError(
                f"categorical_crossentropy with a softmax output needs each row of y to sum to 1 "
                f"(one-hot, or class probabilities), but row {off[0]} sums to {sums[off[0]]:g}; "
                f"for several labels per row use sigmoid outputs and binary_crossentropy"
            )


def _check_labels(loss, y, units):
    """Refuse y (n, 1) unless it holds class indices 0..units-1, as a sparse loss takes."""
    if y.shape[1] != 1:
        raise ValueError(
            f"{loss.name} takes y as one class index per row (shape (n,) or (n, 1)), but y has "
            f"{y.shape[1]} columns; for one-hot rows use categorical_crossentropy"
        )
    labels = y[:, 0]
    whole = labels == np.floor(labels)
    bad = np.flatnonzero(~whole | (labels < 0) | (labels >= units))
    if bad.size:
        row, value = bad[0], labels[bad[0]]
        why = "not a whole number" if not whole[row] else f"outside 0..{units - 1}"
        raise ValueError(
            f"{loss.name} needs class indices 0..{units - 1} (one per output of the last layer), "
            f"but row {row} of y is {value:g}, {why}"
        )
