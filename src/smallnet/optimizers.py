"""Optimizers: how a layer's steps become weight changes.

A *step* is what the tutorial adds to its weights, ``l1.T.dot(l2_delta)``:
minus the loss gradient. ``update(params, steps)`` changes each parameter array
in place; it may overwrite the step arrays (they are scratch once applied).
The steps are linear in the output error, so a factor the optimizer would apply
to all of them, its `step_scale`, can be applied to the output delta instead (a
few numbers rather than every weight); ``update(..., scaled=True)`` says it was.
Per-parameter state (velocities, moments) lives on the optimizer, in the order
of `params`, and is created on the first update.
"""

import math
import weakref

import numpy as np

from .validation import check_bool, check_number, lookup


class Optimizer:
    """Base class with a positive `learning_rate` (schedules may change it between epochs)."""

    name = None
    step_scale = 1.0  # what update multiplies every step by first (see `scaled`)
    _owner = None  # a weak reference to the network this optimizer trains (see `claim`)

    def __init__(self, learning_rate):
        self.learning_rate = check_number("learning_rate", learning_rate, low=0)

    def claim(self, network):
        """Record that this optimizer trains `network`; refuse if another live network has it.

        Its state (moments, velocities, step count, a schedule's learning rate) belongs to one
        network's parameters: shared, it would mix two networks' steps. The reference is weak,
        so a network that is garbage-collected frees its optimizer.

        Raises
        ------
        ValueError
            If another network, still alive, was given this optimizer.
        """
        owner = None if self._owner is None else self._owner()
        if owner is not None and owner is not network:
            raise ValueError(
                f"this optimizer ({self!r}) already trains another network; "
                f"give each network its own instance, e.g. create it inside the loop"
            )
        self._owner = weakref.ref(network)

    def __getstate__(self):
        # A copy (pickle, copy.deepcopy) trains no network until one claims it; and a weak
        # reference can't be pickled.
        state = self.__dict__.copy()
        state.pop("_owner", None)
        return state

    def reset(self):
        """Forget per-parameter state (the network calls this when it draws new weights)."""

    def config(self):
        return {"name": self.name, "learning_rate": self.learning_rate}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    With momentum 0 this is the tutorial's update, ``syn0 += lr * l0.T.dot(l1_delta)``.
    With momentum mu: ``velocity = mu * velocity + lr * step; w += velocity``
    (Nesterov: ``w += mu * velocity + lr * step``).
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = check_number(
            "momentum", momentum, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self.nesterov = check_bool("nesterov", nesterov)
        if self.nesterov and not self.momentum:
            raise ValueError(
                "nesterov=True needs a momentum > 0 (Nesterov's look-ahead is along the velocity)"
            )
        self.reset()

    def reset(self):
        self.velocities = None

    @property
    def step_scale(self):
        # A NumPy float64 set by hand would upcast float32 arithmetic.
        return float(self.learning_rate)

    def update(self, params, steps, scaled=False):
        """Add the steps to params.

        Times the learning rate, unless `scaled` says they include it.
        """
        lr, mu = self.learning_rate, self.momentum
        if not scaled and lr != 1:  # at the tutorial's rate of 1 the step is added as it is
            for s in steps:
                s *= lr
        if not mu:
            for w, s in zip(params, steps):
                w += s  # syn0 += l0.T.dot(l1_delta)
            return
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        for w, s, v in zip(params, steps, self.velocities):
            v *= mu
            v += s
            if self.nesterov:
                w += s
                np.multiply(v, mu, out=s)  # s is scratch now: no temporary the size of w
                w += s
            else:
                w += v

    def config(self):
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}

    def get_state(self):
        """Copies of the velocities, in the order of the params.

        None before the first update with momentum.
        """
        return {
            "velocities": None if self.velocities is None else [v.copy() for v in self.velocities]
        }

    def set_state(self, state):
        """Continue from what `get_state` returned; the arrays are copied, their dtypes kept."""
        velocities = state["velocities"]
        self.velocities = None if velocities is None else [np.array(v) for v in velocities]


class Adam(Optimizer):
    """Adam (Kingma & Ba), in the bias-corrected step-size form scikit-learn uses."""

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta_1 = check_number(
            "beta_1", beta_1, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self.beta_2 = check_number(
            "beta_2", beta_2, low=0, low_inclusive=True, high=1, high_inclusive=False
        )
        self.epsilon = check_number("epsilon", epsilon, low=0)
        self.reset()

    def reset(self):
        self.t = 0
        self.moments = None

    @property
    def step_scale(self):
        return 1 - self.beta_1  # the first moment's share of each new step

    def update(self, params, steps, scaled=False):
        """One Adam step; with `scaled` the steps already include `step_scale`.

        With s = (1 - beta_1) * step, the moments take s and s**2 as they are, so the whole
        update is eleven in-place passes over the parameters and no temporary arrays.
        """
        if self.moments is None:
            self.moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # Python floats: a NumPy float64 scalar would pull float32 arithmetic up to float64
        lr_t = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        share = (1 - b2) / (1 - b1) ** 2  # (1 - b2) * step**2 == share * s**2
        for w, s, (m, v) in zip(params, steps, self.moments):
            if not scaled and b1:
                s *= 1 - b1
            m *= b1
            m += s  # m = b1 * m + (1 - b1) * step: the first moment
            s *= s
            s *= share
            v *= b2
            v += s  # v = b2 * v + (1 - b2) * step**2: the second moment
            np.sqrt(v, out=s)
            s += self.epsilon
            np.divide(m, s, out=s)
            s *= lr_t
            w += s

    def config(self):
        return {
            **super().config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }

    def get_state(self):
        """The step count t and copies of the first and second moments.

        The moments are None before the first update.
        """
        if self.moments is None:
            return {"t": self.t, "m": None, "v": None}
        return {
            "t": self.t,
            "m": [m.copy() for m, _ in self.moments],
            "v": [v.copy() for _, v in self.moments],
        }

    def set_state(self, state):
        """Continue from what `get_state` returned; the arrays are copied, their dtypes kept."""
        self.t = int(state["t"])
        m, v = state["m"], state["v"]
        self.moments = (
            None if m is None else [(np.array(a), np.array(b)) for a, b in zip(m, v, strict=True)]
        )


OPTIMIZERS = {c.name: c for c in (SGD, Adam)}


def get(optimizer):
    """An Optimizer from a name (see OPTIMIZERS), a config dict, or an instance."""
    return lookup("optimizer", optimizer, OPTIMIZERS, Optimizer)
