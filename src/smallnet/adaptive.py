"""RMSprop and Adagrad: each parameter's rate divided by the root of its squared steps so far.

Both follow Keras's formulas, in Keras's order of operations, with Keras's defaults; both
take `clipnorm` and `clipvalue` (see `smallnet.optimizers`). Their step scale is 1: the
squares are of the gradient itself. They register with `smallnet.optimizers.OPTIMIZERS`
as "rmsprop" and "adagrad".
"""

import numpy as np

from .optimizers import Optimizer, register
from .validation import check_number

_FRACTION = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}  # [0, 1)


def _copies(arrays):
    """Copies of a list of arrays (None stays None), for `get_state`."""
    return None if arrays is None else [a.copy() for a in arrays]


def _own(arrays):
    """Arrays of our own from a list (None stays None), their dtypes kept, for `set_state`."""
    return None if arrays is None else [np.array(a) for a in arrays]


class SquaresRule(Optimizer):
    """Base of RMSprop and Adagrad: a scratch array like each parameter, for the squares.

    The scratch is made on the first update and reused; it is no state (never saved or
    pickled).
    """

    _scratch = None

    def scratch(self, params):
        """One array like each of `params` (their shapes and dtypes), to overwrite."""
        if self._scratch is None or [(a.shape, a.dtype) for a in self._scratch] != [
            (w.shape, w.dtype) for w in params
        ]:
            self._scratch = [np.empty_like(w) for w in params]
        return self._scratch

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_scratch", None)
        return state


@register
class RMSprop(SquaresRule):
    """RMSprop (Hinton) as Keras has it, with Keras's defaults.

    ``ms = rho * ms + (1 - rho) * g**2`` and ``w -= lr * g / sqrt(ms + epsilon)``; with
    `momentum` mu the step goes through a velocity: ``u = mu * u + lr * g / sqrt(ms + epsilon);
    w -= u`` (plain momentum, not Nesterov's).
    """

    name = "rmsprop"

    def __init__(
        self, learning_rate=0.001, rho=0.9, epsilon=1e-7, momentum=0.0, *, clipnorm=None,
        clipvalue=None,
    ):  # fmt: skip
        super().__init__(learning_rate, clipnorm, clipvalue)
        self.rho = check_number("rho", rho, **_FRACTION)
        self.epsilon = check_number("epsilon", epsilon, low=0)
        self.momentum = check_number("momentum", momentum, **_FRACTION)
        self.reset()

    def reset(self):
        self.mean_squares = None
        self.velocities = None  # with momentum only

    def update(self, params, steps, scaled=False):
        """One RMSprop step (`scaled` changes nothing: the step scale is 1)."""
        self.clip(steps, scaled)
        if self.mean_squares is None:
            self.mean_squares = [np.zeros_like(w) for w in params]
        if self.momentum and self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        rho, mu, lr = self.rho, self.momentum, self.learning_rate
        velocities = self.velocities if mu else [None] * len(params)
        scratch = self.scratch(params)
        for w, s, ms, u, tmp in zip(params, steps, self.mean_squares, velocities, scratch):
            np.multiply(s, s, out=tmp)
            tmp *= 1 - rho
            ms *= rho
            ms += tmp  # ms = rho * ms + (1 - rho) * g**2
            np.add(ms, self.epsilon, out=tmp)
            np.sqrt(tmp, out=tmp)
            s *= lr
            s /= tmp  # lr * g / sqrt(ms + epsilon), in Keras's order
            if u is None:
                w += s
            else:
                u *= mu
                u += s
                w += u

    def config(self):
        return {
            **super().config(),
            "rho": self.rho,
            "epsilon": self.epsilon,
            "momentum": self.momentum,
        }

    def get_state(self):
        """Copies of the mean squares and the velocities, in the order of the params.

        None before the first update; the velocities stay None without momentum.
        """
        return {"mean_squares": _copies(self.mean_squares), "velocities": _copies(self.velocities)}

    def set_state(self, state):
        """Continue from what `get_state` returned; the arrays are copied, their dtypes kept."""
        self.mean_squares = _own(state["mean_squares"])
        self.velocities = _own(state["velocities"])


@register
class Adagrad(SquaresRule):
    """Adagrad (Duchi, Hazan & Singer) as Keras has it, with Keras's defaults.

    ``a += g**2`` and ``w -= lr * g / sqrt(a + epsilon)``, each accumulator `a` starting at
    `initial_accumulator_value`.
    """

    name = "adagrad"

    def __init__(
        self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, *, clipnorm=None,
        clipvalue=None,
    ):  # fmt: skip
        super().__init__(learning_rate, clipnorm, clipvalue)
        self.initial_accumulator_value = check_number(
            "initial_accumulator_value", initial_accumulator_value, low=0, low_inclusive=True
        )
        self.epsilon = check_number("epsilon", epsilon, low=0)
        self.reset()

    def reset(self):
        self.accumulators = None

    def update(self, params, steps, scaled=False):
        """One Adagrad step (`scaled` changes nothing: the step scale is 1)."""
        self.clip(steps, scaled)
        if self.accumulators is None:
            self.accumulators = [np.full_like(w, self.initial_accumulator_value) for w in params]
        for w, s, a, tmp in zip(params, steps, self.accumulators, self.scratch(params)):
            np.multiply(s, s, out=tmp)
            a += tmp  # a += g**2
            np.add(a, self.epsilon, out=tmp)
            np.sqrt(tmp, out=tmp)
            s *= self.learning_rate
            s /= tmp  # lr * g / sqrt(a + epsilon), in Keras's order
            w += s

    def config(self):
        return {
            **super().config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }

    def get_state(self):
        """Copies of the accumulators, in the order of the params (None before the first
        update)."""
        return {"accumulators": _copies(self.accumulators)}

    def set_state(self, state):
        """Continue from what `get_state` returned; the arrays are copied, their dtypes kept."""
        self.accumulators = _own(state["accumulators"])
