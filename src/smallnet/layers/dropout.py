"""Dropout: a random share of the inputs zeroed in training, the rest scaled up."""

import numpy as np

from ..validation import check_number
from .base import Layer


class Dropout(Layer):
    """Zeroes a random share `rate` of its inputs in training, scaling the rest by 1 / (1 - rate).

    Outside training it passes its input through unchanged. The masks are drawn
    from the network's generator, so a seed fixes them too.
    """

    def __init__(self, rate, name=None):
        super().__init__(name)
        self.rate = check_number(
            "rate", rate, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self.mask = None

    def output_dim(self, input_dim):
        return input_dim

    def build(self, input_dim, dtype, rng):
        self.input_dim = self.units = input_dim
        self.rng = rng

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        keep = 1 - self.rate
        self.mask = ((self.rng.random(x.shape) < keep) / keep).astype(x.dtype, copy=False)
        return x * self.mask

    def backward(self, error, error_below=True):
        if not error_below:
            return None
        return error if self.mask is None else np.multiply(error, self.mask, out=error)

    def config(self):
        return {**super().config(), "rate": self.rate}
