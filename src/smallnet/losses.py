"""Losses: each value beside its error.

``loss(y, out)`` is the number that training drives down. ``loss.error(y, out)``
is the tutorial's ``l2_error = y - l2``: minus the loss gradient with respect to
the network's output, the direction the output should move. Arrays have shape
(n_samples, n_outputs).

Cross-entropies paired with their natural output activation (sigmoid for the
binary one, softmax for the categorical one) skip the activation's slope:
``loss.delta(y, out)`` gives the error at the activation's *input* directly,
``(y - out) / n``, which stays exact where the slope underflows to zero.
"""
import numpy as np

from .validation import lookup


class Loss:
    """Base class. `fused_activation` names the output activation `delta` is for."""

    name = None
    fused_activation = None

    def value_and_error(self, y, out):
        """``(loss(y, out), error(y, out))``; losses whose value follows from the error share the work."""
        return self(y, out), self.error(y, out)

    def __repr__(self):
        return f"{type(self).__name__}()"


class SumSquaredError(Loss):
    """The tutorial's loss: half the sum of squared errors, so that error = y - out exactly."""

    name = "sse"

    def __call__(self, y, out):
        e = y - out
        return 0.5 * float(np.vdot(e, e))

    def error(self, y, out):
        return y - out

    def value_and_error(self, y, out):
        e = y - out  # l2_error = y - l2
        return 0.5 * float(np.vdot(e, e)), e


class MeanSquaredError(Loss):
    """Mean of the squared errors over all samples and outputs."""

    name = "mse"

    def __call__(self, y, out):
        e = y - out
        return float(np.vdot(e, e)) / e.size

    def error(self, y, out):
        return self.value_and_error(y, out)[1]

    def value_and_error(self, y, out):
        e = y - out
        value = float(np.vdot(e, e)) / e.size
        e *= 2 / e.size
        return value, e


def _clipped(out):
    eps = np.finfo(out.dtype).eps
    return np.clip(out, eps, 1 - eps)


class BinaryCrossEntropy(Loss):
    """-mean(y log p + (1 - y) log(1 - p)) over all entries; fuses with a sigmoid output."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def __call__(self, y, out):
        p = _clipped(out)
        return -float(np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))

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

    def __call__(self, y, out):
        return -float(np.vdot(y, np.log(_clipped(out)))) / len(y)

    def error(self, y, out):
        return y / (_clipped(out) * len(y))

    def delta(self, y, out):
        d = y - out
        d /= len(d)
        return d


LOSSES = {c.name: c for c in (SumSquaredError, MeanSquaredError, BinaryCrossEntropy, CategoricalCrossEntropy)}


def get(loss):
    """A Loss from a name (see LOSSES) or an instance."""
    return lookup("loss", loss, LOSSES, Loss)
