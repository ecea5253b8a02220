"""Features: columns computed from the inputs (x1, x1^2, x1*x2, sin(x1), ...), nothing to train.

As a network's first layer it carries the feature engineering inside the model, as TensorFlow
Playground's feature picker does: a saved model or ONNX graph predicts from the raw points.
"""

import re
from collections.abc import Sequence

import numpy as np

from ..validation import check_number
from .base import Layer

# Strict on purpose: one spelling per feature, so that a saved list reads back the same.
_COLUMN = r"x(0|[1-9][0-9]*)"
GRAMMAR = {
    "x": re.compile(rf"{_COLUMN}"),
    "square": re.compile(rf"{_COLUMN}\^2"),
    "product": re.compile(rf"{_COLUMN}\*{_COLUMN}"),
    "sin": re.compile(rf"sin\({_COLUMN}\)"),
    "cos": re.compile(rf"cos\({_COLUMN}\)"),
}
ACCEPTED = (
    "'x1' (a column), 'x1^2' (its square), 'x1*x2' (a product of two different columns), "
    "'sin(x1)' or 'cos(x1)', columns numbered from 1, without spaces"
)


def parse(feature):
    """(kind, i, j) of one feature string: a GRAMMAR kind and 0-based columns (j: a product's
    second, else None); refuses anything else, saying what is accepted."""
    if not isinstance(feature, str):
        raise TypeError(f"each feature must be a string such as 'x1^2', got {feature!r}")
    kind = next((kind for kind, pattern in GRAMMAR.items() if pattern.fullmatch(feature)), None)
    if kind is None:
        raise ValueError(f"unknown feature {feature!r}: a feature is {ACCEPTED}")
    columns = [int(number) for number in GRAMMAR[kind].fullmatch(feature).groups()]
    if 0 in columns:
        raise ValueError(f"feature {feature!r}: columns are numbered from 1 (x1, x2, ...)")
    if kind == "product" and columns[0] == columns[1]:
        raise ValueError(
            f"feature {feature!r}: a product needs two different columns; for the square "
            f"write 'x{columns[0]}^2'"
        )
    i, j = columns[0] - 1, (columns[1] - 1 if kind == "product" else None)
    return kind, i, j


class Features(Layer):
    """Computes the listed features of its inputs x1..xd: X (n, d) -> (n, len(features)).

    Each feature is one of ``"x1"`` (the column itself), ``"x1^2"`` (its square), ``"x1*x2"``
    (the product of two different columns), ``"sin(x1)"`` and ``"cos(x1)"``, columns numbered
    from 1; the outputs are in the order given. The backward sends the error down to the
    inputs, so the layer can sit anywhere, though it is meant to come first.

    Parameters
    ----------
    features : sequence of str
        Non-empty, without repeats (``"x1*x2"`` and ``"x2*x1"`` count as the same one).
    input_dim : int, optional
        The number of inputs d; taken from the layer below (or from X) when omitted. Every
        column a feature names must be <= d.
    """

    def __init__(self, features, input_dim=None, name=None):
        super().__init__(name)
        if isinstance(features, (str, bytes)) or not isinstance(features, Sequence):
            raise TypeError(
                f"features must be a list of strings such as ['x1', 'x2', 'x1*x2'], "
                f"got {features!r}"
            )
        if not features:
            raise ValueError(f"features must name at least one feature: {ACCEPTED}")
        self.terms = [parse(feature) for feature in features]
        self.features = [str(feature) for feature in features]
        seen = {}
        for feature, (kind, i, j) in zip(self.features, self.terms):
            key = (kind, i) if j is None else (kind, *sorted((i, j)))  # a product either way
            if key in seen:
                raise ValueError(
                    f"feature {feature!r} repeats {seen[key]!r}: list each feature once"
                )
            seen[key] = feature
        self.input_dim = (
            None
            if input_dim is None
            else check_number("input_dim", input_dim, low=1, low_inclusive=True, integer=True)
        )
        if self.input_dim is not None:
            self._check_width(self.input_dim, "input_dim")
        self.units = len(self.features)
        self._rows = None

    def _check_width(self, width, what):
        """Refuse a feature that names a column beyond `width` inputs."""
        for feature, (_, i, j) in zip(self.features, self.terms):
            needed = max(i, i if j is None else j) + 1
            if needed > width:
                raise ValueError(
                    f"feature {feature!r} needs at least {needed} inputs, but {what} is {width}"
                )

    def output_dim(self, input_dim):
        return self.units

    def build(self, input_dim, dtype, rng):
        """Take the input size (nothing to draw); refuse a feature beyond it."""
        if self.input_dim is not None and self.input_dim != input_dim:
            raise ValueError(
                f"layer {self.name!r} expects {self.input_dim} inputs, "
                f"but the layer below gives {input_dim}"
            )
        self._check_width(input_dim, "the input size")
        self.input_dim = input_dim
        self._rows = None

    def check_input(self, X):
        """As the first layer: refuse X without the columns the features name."""
        self._check_width(X.shape[1], "the number of columns of X")

    def _reserve(self, rows, dtype):
        """Buffers for batches of `rows` samples, reused until the batch size changes."""
        self._out = np.empty((rows, self.units), dtype)
        self._error = np.empty((rows, self.input_dim), dtype)
        self._rows = rows

    def forward(self, x, training=False):
        """x: (n, input_dim) -> (n, len(features)); keeps x for backward."""
        if training:
            if len(x) != self._rows or x.dtype != self._out.dtype:
                self._reserve(len(x), np.result_type(x.dtype, np.float32))
            out = self._out
        else:  # a new array, of x's float dtype (float32 stays float32)
            out = np.empty((len(x), self.units), np.result_type(x.dtype, np.float32))
        for column, (kind, i, j) in zip(out.T, self.terms):
            a = x[:, i]
            if kind == "x":
                column[...] = a
            elif kind == "square":
                np.multiply(a, a, out=column)
            elif kind == "product":
                np.multiply(a, x[:, j], out=column)
            elif kind == "sin":
                np.sin(a, out=column)
            else:
                np.cos(a, out=column)
        self.input, self.output = x, out
        return out

    def backward(self, error, error_below=True):
        """error: (n, len(features)) -> the error (n, input_dim) at the input, or None.

        Each feature adds its error times its slope to the columns it reads: 1 for x1,
        2 * x1 for x1^2, x2 and x1 for x1*x2, cos(x1) for sin(x1), -sin(x1) for cos(x1).
        """
        if not error_below:  # the first layer's input is the data: nothing to send back
            return None
        x = self.input
        if len(error) != self._rows or self._error.dtype != error.dtype:
            self._reserve(len(error), np.result_type(error.dtype, np.float32))
        below = self._error
        below[...] = 0
        for e, (kind, i, j) in zip(error.T, self.terms):
            a = x[:, i]
            if kind == "x":
                below[:, i] += e
            elif kind == "square":
                below[:, i] += 2 * a * e
            elif kind == "product":
                below[:, i] += x[:, j] * e
                below[:, j] += a * e
            elif kind == "sin":
                below[:, i] += np.cos(a) * e
            else:
                below[:, i] -= np.sin(a) * e
        return below

    backward_delta = backward  # no activation: the delta at the output is the error itself

    def config(self):
        return {**super().config(), "features": list(self.features), "input_dim": self.input_dim}
