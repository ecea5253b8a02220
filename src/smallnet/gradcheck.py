"""Backpropagation checked against central finite differences."""

import numpy as np

from . import params
from .validation import check_number


def gradcheck(network, X, y, loss=None, epsilon=1e-4):
    """Largest relative error between backprop gradients and finite differences.

    For every parameter entry w, the numerical gradient is
    ``(loss(w + epsilon) - loss(w - epsilon)) / (2 * epsilon)``. For each
    parameter array (a layer's weights, its bias) the relative error is
    ``||analytic - numeric|| / (||analytic|| + ||numeric||)``; the largest is
    returned. Below 1e-7 is excellent, above 1e-3 a bug. Use a float64 network:
    float32 rounding swamps the differences; and keep inputs off the kinks of
    ReLU-like activations, where neither side is a gradient.

    The loss is training's: BatchNorm normalizes with the batch's statistics, and Dropout
    draws the same masks at every evaluation (the generator is rewound each time). The
    layers' arrays (running statistics included) and the generator are put back afterwards.

    Parameters
    ----------
    network : Network
        Built on first use from X, as fit would; its weights are left unchanged.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    loss : str or Loss, optional
        The loss to check with; the network's own by default (it is put back afterwards).
    epsilon : float > 0
        Finite-difference half step.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a weight, or a gradient of either kind, is NaN or inf: no finite
        comparison exists then, and a score of 0 would read as perfect.
    """
    epsilon = check_number("epsilon", epsilon, low=0)
    if loss is not None:
        original, network.loss = network.loss, loss
        try:
            return gradcheck(network, X, y, epsilon=epsilon)
        finally:
            network.loss = original
    X, y = network.check_data(X, y)
    for i, param in enumerate(network.params):
        if not np.isfinite(param).all():
            raise ValueError(f"the network's weights are not finite: weights[{i}] holds NaN or inf")
    saved = {key: array.copy() for key, array in params.tensors(network.layers).items()}
    rewind = _rewinder(network.rng)
    try:
        return _worst_error(network, X, y, epsilon, rewind)
    finally:
        params.fill(network.layers, saved)
        rewind()


def _rewinder(rng):
    """A function that puts `rng` back to its state now, in place (the layers hold it too)."""
    if isinstance(rng, np.random.RandomState):
        state = rng.get_state()
        return lambda: rng.set_state(state)
    state = rng.bit_generator.state
    return lambda: setattr(rng.bit_generator, "state", state)


def _training_forward(network, X, rewind):
    """The outputs of training's forward pass, with the generator rewound first."""
    rewind()
    with np.errstate(over="ignore"):  # as in fit: a sigmoid's exp(-z) overflows where it is 0
        return network.forward(X, training=True)


def _worst_error(network, X, y, epsilon, rewind):
    network.backward(y, _training_forward(network, X, rewind))
    analytic = [-s for layer in network.layers for s in layer.steps]  # steps are minus gradients
    worst = 0.0
    for i, (param, grad) in enumerate(zip(network.params, analytic)):
        _check_finite(grad, "backpropagated", i)  # before the slow part
        numeric = np.empty_like(grad)
        for idx in np.ndindex(param.shape):
            original = param[idx]
            param[idx] = original + epsilon
            plus = network.objective(y, _training_forward(network, X, rewind))
            param[idx] = original - epsilon
            minus = network.objective(y, _training_forward(network, X, rewind))
            param[idx] = original
            numeric[idx] = (plus - minus) / (2 * epsilon)
        _check_finite(numeric, "numerical", i)
        scale = np.linalg.norm(grad) + np.linalg.norm(numeric)
        if scale > 0:
            error = float(np.linalg.norm(grad - numeric) / scale)
            _check_finite(error, "relative error of the", i)  # norms of huge gradients overflow
            worst = max(worst, error)
    return worst


def _check_finite(values, kind, i):
    # NaN would slip through max() and the `scale > 0` test, and the score would read 0: perfect
    if not np.isfinite(values).all():
        raise ValueError(
            f"the {kind} gradient of weights[{i}] is not finite (NaN or inf): the loss overflows "
            f"at these weights and data, so backprop can't be checked there"
        )
