"""Embedding: category codes looked up in one trained table, the first layer of a network."""

import numpy as np

from ..validation import check_number
from .base import Layer

FLOAT32_WHOLE = 2**24  # float32 holds every whole number up to here, and not all beyond


class Embedding(Layer):
    """Each column of X holds category codes (whole numbers in [0, n_categories)), and each code
    is replaced by its row of one shared table: X (n, k) -> (n, k * dim), column j's `dim`
    numbers side by side in column order.

    The table `embeddings` (n_categories, dim) is drawn from uniform(-0.05, 0.05) (Keras's
    default) with the network's generator, and trained; weight decay leaves it alone. An
    Embedding can only be a network's first layer: its inputs are codes, not numbers that a layer
    below could be told to change, so it sends no error down.

    Parameters
    ----------
    n_categories : int
        How many codes each column can hold: 0 to n_categories - 1.
    dim : int
        The size of each code's vector.
    input_dim : int, optional
        The number of code columns k; taken from X when omitted.
    """

    arrays = ("embeddings",)

    def __init__(self, n_categories, dim, input_dim=None, name=None):
        super().__init__(name)
        self.n_categories = check_number(
            "n_categories", n_categories, low=1, low_inclusive=True, integer=True
        )
        self.dim = check_number("dim", dim, low=1, low_inclusive=True, integer=True)
        self.input_dim = (
            None
            if input_dim is None
            else check_number("input_dim", input_dim, low=1, low_inclusive=True, integer=True)
        )
        self.units = self.output_dim(self.input_dim)
        self.embeddings = None

    def check_free(self, network):
        """Also refuse any place but the first (see the class docstring)."""
        super().check_free(network)
        if network.layers[0] is not self:  # not in the layers yet: Network.add puts it on top
            place = next(
                (i for i, layer in enumerate(network.layers) if layer is self), len(network.layers)
            )
            raise ValueError(
                f"an Embedding can only be a network's first layer (it takes the category codes "
                f"in X and sends no error down), not layer {place}"
            )

    def output_dim(self, input_dim):
        return None if input_dim is None else input_dim * self.dim

    def array_size(self, input_dim):
        return self.n_categories * self.dim

    def build(self, input_dim, dtype, rng):
        """Draw the table (n_categories, dim) from `rng`."""
        if self.input_dim is not None and self.input_dim != input_dim:
            raise ValueError(
                f"layer {self.name!r} expects {self.input_dim} columns of codes, but X has "
                f"{input_dim}"
            )
        if np.dtype(dtype) == np.float32 and self.n_categories > FLOAT32_WHOLE:
            raise ValueError(
                f"n_categories={self.n_categories} needs codes beyond 2**24, which float32 can't "
                f"all hold exactly; use dtype='float64'"
            )
        self.input_dim, self.units = input_dim, self.output_dim(input_dim)
        self.embeddings = rng.uniform(-0.05, 0.05, (self.n_categories, self.dim)).astype(dtype)
        self.params = [self.embeddings]
        self.steps = [np.zeros_like(self.embeddings)]
        self._rows = None

    def bind(self, params, steps):
        super().bind(params, steps)
        self.embeddings = params[0]

    def check_input(self, X):
        """Refuse X unless every entry is a whole number in [0, n_categories), naming the first
        column (and row) that holds another value."""
        with np.errstate(invalid="ignore"):
            bad = ~((X >= 0) & (X < self.n_categories) & (np.floor(X) == X))
        if bad.any():
            row, column = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"column {column} of X holds {float(X[row, column])!r} (row {row}), not a category "
                f"code: Embedding {self.name!r} takes whole numbers from 0 to "
                f"{self.n_categories - 1}"
            )

    def forward(self, x, training=False):
        """x: (n, k) codes -> (n, k * dim); in training keeps the codes for backward."""
        self.check_input(x)
        n, k = x.shape
        codes = x.astype(np.intp)
        if not training:
            return self.embeddings[codes].reshape(n, k * self.dim)
        if n != self._rows:
            self._out = np.empty_like(self.embeddings, shape=(n, k * self.dim))
            self._rows = n
        np.take(self.embeddings, codes, axis=0, out=self._out.reshape(n, k, self.dim), mode="clip")
        self.codes, self.input, self.output = codes, x, self._out  # as Dense keeps them
        return self._out

    def backward(self, error, error_below=True):
        """error: (n, k * dim) -> None; each code's row of the table's step gathers the error of
        every place it was looked up (after a forward pass in training, whose codes it reads)."""
        if error_below:
            raise ValueError(
                f"Embedding {self.name!r} has no error to send down: its inputs are category "
                f"codes, so it can only be the first layer (backward with error_below=False)"
            )
        step = self.steps[0]
        step[...] = 0
        n, k = self.codes.shape
        np.add.at(step, self.codes, error.reshape(n, k, self.dim))
        return None

    backward_delta = backward  # no activation: the delta at the output is the error itself

    def config(self):
        return {
            **super().config(),
            "n_categories": self.n_categories,
            "dim": self.dim,
            "input_dim": self.input_dim,
        }
