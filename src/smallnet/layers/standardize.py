"""Standardize: features scaled by a mean and a scale, or that undone; `column_moments`, the one
rule for columns too large to standardize."""

import numpy as np

from ..validation import check_array, check_bool, check_number
from .base import Layer


def column_moments(X):
    """Each column's mean and standard deviation, shape (n_features,) each; inf or NaN where
    they overflow: such a column can't be standardized (the one rule for "too large")."""
    with np.errstate(over="ignore", invalid="ignore"):
        return X.mean(axis=0), X.std(axis=0)


class Standardize(Layer):
    """Scales each feature, ``(x - mean) / scale``, or with `invert` undoes that; nothing to train.

    As the first layer it carries the input standardization inside the network,
    so saved models and ONNX graphs take raw features. Inverted, as the last layer
    (added with `Network.add` after training on standardized targets), it gives
    predictions in the targets' own units.

    Parameters
    ----------
    mean, scale : array-like of shape (n_features,)
        Usually from `Standardize.from_data(X)`; every scale must be > 0.
    invert : bool
        Compute ``x * scale + mean`` instead.
    """

    arrays = ("mean", "scale")

    def __init__(self, mean, scale, invert=False, name=None):
        super().__init__(name)
        self.invert = check_bool("invert", invert)
        self.mean = check_array(mean, "mean", ndim=1)
        self.scale = check_array(scale, "scale", ndim=1)
        if self.mean.shape != self.scale.shape:
            raise ValueError(
                f"mean and scale must have the same shape, "
                f"got {self.mean.shape} and {self.scale.shape}"
            )
        if (self.scale <= 0).any():
            i = int(np.argmax(self.scale <= 0))
            raise ValueError(f"scale must be > 0 everywhere, got {self.scale[i]:g} at feature {i}")
        self.units = self.input_dim = len(self.mean)

    @classmethod
    def from_data(cls, X, invert=False, name=None):
        """Mean and standard deviation of each column of X (n_samples, n_features)."""
        X = check_array(X, "X")
        mean, std = column_moments(X)
        bad = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(std)))
        if bad.size:
            raise ValueError(
                f"column {bad[0]} of X holds values too large to standardize (up to "
                f"{np.abs(X[:, bad[0]]).max():.3g}: their mean or spread overflows)"
            )
        # A constant feature is only centred.
        return cls(mean, np.where(std > 0, std, 1.0), invert, name)

    def build(self, input_dim, dtype, rng):
        """Cast mean and scale to the network's dtype.

        The network has checked the width; this draws nothing.
        """
        self.mean, self.scale = self.mean.astype(dtype), self.scale.astype(dtype)

    def array_size(self, input_dim):
        return 2 * self.input_dim  # a mean and a scale per feature

    def check_arrays(self, prefix):
        if not (self.scale > 0).all():
            raise ValueError(
                f"tensor '{prefix}.scale' must be > 0 everywhere "
                "(a Standardize layer divides by it)"
            )

    def forward(self, x, training=False):
        """x: (n, n_features) -> (n, n_features), a new array (x is the caller's data)."""
        if self.invert:
            out = x * self.scale
            out += self.mean
            return out
        out = x - self.mean
        out /= self.scale
        return out

    def backward(self, error, error_below=True):
        """error: (n, n_features) -> the error at the input (error * slope).

        None for the first layer.
        """
        if not error_below:
            return None
        return error * self.scale if self.invert else error / self.scale

    def config(self):
        return {**super().config(), "input_dim": self.input_dim, "invert": self.invert}

    @classmethod
    def from_config(cls, config):
        n = check_number("input_dim", config["input_dim"], low=1, low_inclusive=True, integer=True)
        # Placeholders that take no memory: the mean and scale are tensors in the saved file.
        return cls(
            np.broadcast_to(0.0, n),
            np.broadcast_to(1.0, n),
            config.get("invert", False),
            config.get("name"),
        )
