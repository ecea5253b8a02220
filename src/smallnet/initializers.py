"""Initial weights: each initializer draws a (fan_in, fan_out) float64 array from a generator.

The draws come from the generator the network was seeded with, in layer order,
so the same seed gives the same weights run after run.
"""

import numpy as np


def uniform(shape, rng):
    """The tutorial's ``2*np.random.random(shape) - 1``: uniform in [-1, 1)."""
    return 2 * rng.random(shape) - 1


def glorot_uniform(shape, rng):
    """Glorot/Xavier uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return limit * (2 * rng.random(shape) - 1)


def glorot_normal(shape, rng):
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out))."""
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), shape)


def he_uniform(shape, rng):
    """He uniform, for ReLU layers: U(-l, l) with l = sqrt(6 / fan_in)."""
    return np.sqrt(6.0 / shape[0]) * (2 * rng.random(shape) - 1)


def he_normal(shape, rng):
    """He normal, for ReLU layers: N(0, 2 / fan_in)."""
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), shape)


def lecun_normal(shape, rng):
    """LeCun normal, for SELU layers: N(0, 1 / fan_in), the variance SELU's self-normalization
    assumes (PyTorch's ``kaiming_normal_(nonlinearity="linear")``; Keras's truncates its draws
    at two standard deviations, this one doesn't)."""
    return rng.normal(0.0, np.sqrt(1.0 / shape[0]), shape)


def zeros(shape, rng):
    """All zeros (draws nothing from the generator)."""
    return np.zeros(shape)


INITIALIZERS = {
    f.__name__: f
    for f in (uniform, glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, zeros)
}


def get(name):
    """The initializer called `name`, or the callable itself; unknown names list the valid ones."""
    if callable(name):
        return name
    if isinstance(name, str) and name.lower() in INITIALIZERS:
        return INITIALIZERS[name.lower()]
    raise ValueError(
        f"unknown initializer {name!r}; valid names are: {', '.join(sorted(INITIALIZERS))}"
    )
