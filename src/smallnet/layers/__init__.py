"""Layers: each forward beside its backward.

A layer maps inputs (n_samples, input_dim) to outputs (n_samples, units).
``backward(error)`` takes the error at the layer's output (the tutorial's
``l1_error``), stores the layer's `steps` (what the optimizer adds to `params`)
and returns the error at its input for the layer below (see `base`).

One module per layer type: `dense`, `dropout`, `standardize` (with `column_moments`, the one
rule for columns too large to standardize), `normalization` (`BatchNorm`, `LayerNorm`),
`embedding`, `features` (`Features`: x1^2, x1*x2, sin(x1), ... of the inputs), and `table`
(`TableEncoder`: a table's raw columns as numbers).
"""

from .base import LAYERS, Layer, from_config
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .features import Features
from .normalization import BatchNorm, LayerNorm
from .standardize import Standardize, column_moments
from .table import TableEncoder

__all__ = [
    "LAYERS",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Embedding",
    "Features",
    "Layer",
    "LayerNorm",
    "Standardize",
    "TableEncoder",
    "column_moments",
    "from_config",
]
