"""The unscaled-input warning: a network with no scaling layer, given inputs far from unit scale,
saturates its units and learns little (penguins' raw grams and millimetres: accuracy 0.05), so
`fit` says so, with the fix."""

import warnings

import numpy as np

from .layers import BatchNorm, Embedding, LayerNorm, Standardize, TableEncoder, column_moments

SCALING_LAYERS = (Standardize, TableEncoder, BatchNorm, LayerNorm, Embedding)
FAR = 10.0  # a column whose |mean| or standard deviation is above this is far from unit scale
SAMPLE_ROWS = 10_000  # enough rows to see a column's scale, at a fixed small cost


class UnscaledInputWarning(UserWarning):
    """Inputs far from unit scale given to a network with no scaling layer."""


def warn_if_unscaled(network, X):
    """Warn (UnscaledInputWarning, once per calling line, as Python's warnings do) when no layer
    of `network` scales its inputs and some column of X (its first SAMPLE_ROWS rows) has a
    |mean| or standard deviation above FAR."""
    if any(isinstance(layer, SCALING_LAYERS) for layer in network.layers):
        return
    means, stds = column_moments(np.asarray(X[:SAMPLE_ROWS], dtype=np.float64))
    far = np.flatnonzero(~((np.abs(means) <= FAR) & (stds <= FAR)))  # overflow counts as far
    if not far.size:
        return
    j = int(far[0])
    mean, std = means[j], stds[j]
    more = f" (and {far.size - 1} more)" if far.size > 1 else ""
    warnings.warn(
        f"input column {j}{more} is far from unit scale (mean {mean:.3g}, standard "
        f"deviation {std:.3g}) and no layer scales it: the network will learn poorly. "
        f"Put Standardize.from_data(X) first (smallnet.layers), or use "
        f"TableEncoder.from_data(frame) for a table, or scale X yourself",
        UnscaledInputWarning,
        stacklevel=5,
    )
