"""Optimizers: how a layer's steps become weight changes.

A *step* is what the tutorial adds to its weights, ``l1.T.dot(l2_delta)``:
minus the loss gradient. ``update(params, steps)`` changes each parameter array
in place; it may overwrite the step arrays (they are scratch once applied).
The steps are linear in the output error, so a factor the optimizer would apply
to all of them, its `step_scale`, can be applied to the output delta instead (a
few numbers rather than every weight); ``update(..., scaled=True)`` says it was.
Per-parameter state (velocities, moments) lives on the optimizer, in the order
of `params`, and is created on the first update.

Every optimizer can clip the steps before its update: `clipnorm` scales them down to that
norm, taken over all of `params` together (the network hands over one flat array: PyTorch's
``clip_grad_norm_``, Keras's ``global_clipnorm``); `clipvalue` clips each entry into
``[-clipvalue, clipvalue]``. The L2 penalty's share of the steps is clipped with them.
Full-batch L-BFGS (`smallnet.lbfgs.LBFGS`) is no update rule: `fit` hands it to scipy.
"""

import math
import weakref

import numpy as np

from .validation import check_bool, check_number, lookup

_FRACTION = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}  # [0, 1)


class Optimizer:
    """Base class with a positive `learning_rate` (schedules may change it between epochs)."""

    name = None
    step_scale = 1.0  # what update multiplies every step by first (see `scaled`)
    clipnorm = None  # the steps' largest norm, all params together (see `clip`)
    clipvalue = None  # each step entry's largest size
    _owner = None  # a weak reference to the network this optimizer trains (see `claim`)

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None):
        self.learning_rate = check_number("learning_rate", learning_rate, low=0)
        if clipnorm is not None and clipvalue is not None:
            raise ValueError(
                f"give clipnorm or clipvalue, not both, got clipnorm={clipnorm!r} "
                f"and clipvalue={clipvalue!r}"
            )
        if clipnorm is not None:
            self.clipnorm = check_number("clipnorm", clipnorm, low=0)
        if clipvalue is not None:
            self.clipvalue = check_number("clipvalue", clipvalue, low=0)

    def clip(self, steps, scaled=False):
        """Clip `steps` in place by `clipnorm` or `clipvalue` (nothing when neither is set).

        Steps that include `step_scale` (`scaled`) are clipped against thresholds that include
        it too, so the result is the clipped gradient's steps, scaled. A norm that overflowed
        to inf zeroes the steps (as PyTorch's ``clip_grad_norm_``); NaN steps stay NaN.
        """
        if self.clipnorm is None and self.clipvalue is None:
            return
        scale = float(self.step_scale) if scaled else 1.0
        if self.clipvalue is not None:
            limit = scale * self.clipvalue
            for s in steps:
                np.clip(s, -limit, limit, out=s)
            return
        norm = math.sqrt(sum(float(np.vdot(s, s)) for s in steps))
        limit = scale * self.clipnorm
        if norm > limit:
            factor = limit / norm  # a Python float: float32 steps stay float32
            for s in steps:
                s *= factor

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
        """The JSON-able arguments that rebuild this optimizer; clipping only where it is set."""
        config = {"name": self.name, "learning_rate": self.learning_rate}
        for key in ("clipnorm", "clipvalue"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

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

    def __init__(
        self, learning_rate=0.01, momentum=0.0, nesterov=False, *, clipnorm=None, clipvalue=None
    ):
        super().__init__(learning_rate, clipnorm, clipvalue)
        self.momentum = check_number("momentum", momentum, **_FRACTION)
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
        self.clip(steps, scaled)
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
    weight_decay = 0.0  # AdamW's decoupled decay
    _epsilon_on_v_hat = False  # True: AdamW's (PyTorch's) sqrt(v_hat) + epsilon

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        *,
        clipnorm=None,
        clipvalue=None,
    ):
        super().__init__(learning_rate, clipnorm, clipvalue)
        self.beta_1 = check_number("beta_1", beta_1, **_FRACTION)
        self.beta_2 = check_number("beta_2", beta_2, **_FRACTION)
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
        update is eleven in-place passes over the parameters and no temporary arrays (AdamW's
        two differences take two more).
        """
        self.clip(steps, scaled)
        if self.moments is None:
            self.moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
        self.t += 1
        b1, b2, lr = self.beta_1, self.beta_2, self.learning_rate
        # Python floats: a NumPy float64 scalar would pull float32 arithmetic up to float64
        root = math.sqrt(1 - b2**self.t)  # sqrt(v_hat) == sqrt(v) / root
        hat = self._epsilon_on_v_hat
        lr_t = lr / (1 - b1**self.t) if hat else lr * root / (1 - b1**self.t)
        share = (1 - b2) / (1 - b1) ** 2  # (1 - b2) * step**2 == share * s**2
        decay = 1 - lr * self.weight_decay
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
            if hat:
                s /= root
            s += self.epsilon
            np.divide(m, s, out=s)
            s *= lr_t
            if decay != 1:
                w *= decay  # AdamW's, decoupled: it never enters the moments
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


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's ``AdamW``.

    Each update shrinks every parameter, biases too (PyTorch's default), by
    ``w *= 1 - lr * weight_decay``, apart from the gradient and its moments; then it takes
    PyTorch's Adam step ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``, with the bias-corrected
    moments ``m_hat = m / (1 - beta_1**t)`` and ``v_hat = v / (1 - beta_2**t)`` (`Adam`, as
    scikit-learn and Keras, adds epsilon to sqrt(v) instead). The defaults are PyTorch's.
    The network's `l2` (and `l1`) is another thing: it adds to the gradient, and spares the biases.
    """

    name = "adamw"
    _epsilon_on_v_hat = True

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.01,
        *,
        clipnorm=None,
        clipvalue=None,
    ):
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, clipnorm=clipnorm, clipvalue=clipvalue
        )
        self.weight_decay = check_number("weight_decay", weight_decay, low=0, low_inclusive=True)

    def config(self):
        return {**super().config(), "weight_decay": self.weight_decay}


OPTIMIZERS = {c.name: c for c in (SGD, Adam, AdamW)}  # and those that `register` adds


def register(cls):
    """Make the Optimizer class `cls` known to `get` by its `name` (and so to saved files and
    the command line); returns it, to be a class decorator. RMSprop and Adagrad
    (`smallnet.adaptive`) and LBFGS (`smallnet.lbfgs`) register themselves."""
    OPTIMIZERS[cls.name] = cls
    return cls


def get(optimizer):
    """An Optimizer from a name (see OPTIMIZERS), a config dict, or an instance."""
    return lookup("optimizer", optimizer, OPTIMIZERS, Optimizer)
