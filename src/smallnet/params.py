"""A network's parameters: one flat buffer that the layers view, and named tensors for files.

One flat array for all parameters (and one for all steps) lets an optimizer update a whole
network in a handful of array operations, however many layers it has.
"""

import os

import numpy as np

from .validation import check_array


def count(layers, input_dim):
    """How many numbers the arrays of `layers` need for `input_dim` inputs (built or not)."""
    total, dim = 0, input_dim
    for layer in layers:
        total += layer.array_size(dim)
        dim = layer.output_dim(dim)
    return total


def check_memory(n_weights, dtype):
    """Refuse `n_weights` that, with their steps and an optimizer's state of up to two arrays like
    them (Adam's moments), need more than the machine has: the system would kill the process
    halfway, not refuse it."""
    memory = _physical_memory()
    needed = 4 * n_weights * dtype.itemsize
    if memory and needed > memory:
        raise MemoryError(
            f"the network's {n_weights} weights need about {needed / 2**30:.3g} GiB with their "
            f"steps and optimizer state, more than this machine's {memory / 2**30:.3g} GiB; "
            f"use fewer or smaller layers"
        )


def _physical_memory():
    """The machine's memory in bytes, or None where the system doesn't say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def flatten(layers, dtype):
    """Move every layer's parameters (and steps) into one flat array each, keeping their values.

    Returns (params, steps): the two flat arrays, of which the layers now hold views.
    """
    shapes = [p.shape for layer in layers for p in layer.params]
    flat_params = np.empty(sum(int(np.prod(s)) for s in shapes), dtype)
    flat_steps = np.zeros_like(flat_params)
    offset = 0
    for layer in layers:
        views, step_views = [], []
        for p in layer.params:
            views.append(flat_params[offset : offset + p.size].reshape(p.shape))
            step_views.append(flat_steps[offset : offset + p.size].reshape(p.shape))
            offset += p.size
        layer.bind(views, step_views)
    return flat_params, flat_steps


def tensors(layers):
    """Every layer's arrays, trainable or not, as ``{"layers.{i}.{attribute}": array}``."""
    named = {}
    for i, layer in enumerate(layers):
        for attribute in layer.arrays:
            array = getattr(layer, attribute)
            if array is not None:
                named[f"layers.{i}.{attribute}"] = array
    return named


def fill(layers, named):
    """Copy the arrays `named` as `tensors` names them into the layers' own, in place, once each
    is checked for shape, dtype and finite values; tensors of no layer are refused too."""
    expected = set()
    for i, layer in enumerate(layers):
        for attribute in layer.arrays:
            target = getattr(layer, attribute)
            if target is None:  # such as the bias of a Dense layer without one
                continue
            key = f"layers.{i}.{attribute}"
            expected.add(key)
            if key not in named:
                raise ValueError(f"tensor {key!r} is missing")
            stored = named[key]
            if stored.shape != target.shape or stored.dtype != target.dtype:
                raise ValueError(
                    f"tensor {key!r} is {stored.dtype} of shape {stored.shape}, but layer "
                    f"{layer.name!r} needs {target.dtype} of shape {target.shape}"
                )
            if not np.isfinite(stored).all():  # diverged, or damaged: it predicts nothing
                raise ValueError(f"tensor {key!r} holds NaN or inf")
            target[...] = stored  # in place: the flat buffer holds these very arrays
        layer.check_arrays(f"layers.{i}")  # such as a Standardize layer's scale, > 0
    unexpected = sorted(key for key in named if key.startswith("layers.") and key not in expected)
    if unexpected:
        raise ValueError(f"tensors {', '.join(unexpected)} belong to no layer of the architecture")


class Weights:
    """Mixin of `Network`: its parameters read, written and checked as a whole."""

    @property
    def params(self):
        """All trainable arrays, layer by layer (weights, then bias); views of `flat_params`."""
        return [p for layer in self.layers for p in layer.params]

    def _weight_arrays(self):
        """Each layer's parameters, then its `statistics`, layer by layer."""
        return [
            array
            for layer in self.layers
            for array in (*layer.params, *(getattr(layer, name) for name in layer.statistics))
        ]

    def get_weights(self):
        """Copies of all parameters, as a list in `params` order, where a layer keeps running
        statistics (BatchNorm) with them after its parameters, as Keras lists them: what
        `set_weights` needs to put a network back where it was (EarlyStopping's best weights)."""
        return [p.copy() for p in self._weight_arrays()]

    def set_weights(self, weights):
        """Copy `weights` (as from get_weights) into the network's parameters.

        Every array is checked before any is copied, so a bad one leaves the network as it was.

        Parameters
        ----------
        weights : list of array-like
            One finite real array per parameter (and running statistic), in `get_weights` order,
            each of its parameter's shape.

        Raises
        ------
        RuntimeError
            If the network has no weights yet (call fit or build first: the shapes come from there).
        TypeError
            If `weights` is not a list or tuple, or an array holds no real numbers (naming its
            index).
        ValueError
            For a wrong number of arrays, or an array of the wrong shape or with NaN or inf,
            or a negative running variance (naming its index).
        """
        if not self.built:
            raise RuntimeError(
                "the network has no weights yet: call fit (or build) first, then set_weights"
            )
        if not isinstance(weights, (list, tuple)):
            raise TypeError(
                "weights must be a list of arrays, as get_weights returns, got "
                f"{type(weights).__name__}"
            )
        current = self._weight_arrays()
        if len(weights) != len(current):
            raise ValueError(
                f"expected {len(current)} arrays (one per parameter, as get_weights returns), "
                f"got {len(weights)}"
            )
        variances = {id(getattr(layer, name)) for layer in self.layers for name in layer.statistics}
        variances &= {id(getattr(layer, "running_var", None)) for layer in self.layers}
        checked = []
        for i, (p, w) in enumerate(zip(current, weights)):
            w = check_array(w, f"weights[{i}]", dtype=p.dtype, ndim=p.ndim)
            if w.shape != p.shape:
                raise ValueError(
                    f"weights[{i}] has shape {w.shape}, but the network's has {p.shape}"
                )
            if id(p) in variances and (w < 0).any():  # its square root would be NaN
                raise ValueError(
                    f"weights[{i}] is a BatchNorm's running variance: it must be >= 0, "
                    f"got {w.min():g}"
                )
            checked.append(w)
        for p, w in zip(current, checked):
            p[...] = w

    def is_finite(self, batch=None):
        """Whether the weights, and what they make of `batch` (default: the last training step's
        rows), are all finite.

        A loss is computed before its step, so a last step that overflowed shows only here; and
        weights of 1e200 are finite while their products are not.
        """
        batch = self.last_batch if batch is None else batch
        with np.errstate(all="ignore"):
            return bool(
                np.isfinite(self.flat_params).all()
                and (batch is None or np.isfinite(self.forward(batch)).all())
            )
