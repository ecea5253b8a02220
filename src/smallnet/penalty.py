"""The weight penalties, L1 and L2: what they add to the loss and to each step.

One rule for the loss and its gradient, so that fit, trace, gradcheck and L-BFGS can't disagree;
`Network` inherits its `l1` and `l2` from here.
"""

import numpy as np

from .validation import check_number


class Penalty:
    """L1 and L2 penalties on a network's weights (biases are never penalized).

    Parameters
    ----------
    l1 : float >= 0
    l2 : float >= 0

    Notes
    -----
    Over the weight arrays W, the penalty added to the loss is::

        l1 * sum(|W|) + 0.5 * l2 * sum(W**2)

    and each W's step (minus the gradient, times the optimizer's `scale`) gets::

        - scale * (l1 * sign(W) + l2 * W)

    sign(0) is 0: a weight at exactly 0 is left there by L1 (a subgradient at the kink).
    """

    __slots__ = ("l1", "l2")

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_number("l1", l1, low=0, low_inclusive=True)
        self.l2 = check_number("l2", l2, low=0, low_inclusive=True)

    def __bool__(self):
        return bool(self.l1 or self.l2)

    def __repr__(self):
        return f"Penalty(l1={self.l1!r}, l2={self.l2!r})"

    def value(self, weights):
        """The number added to the loss, for an iterable of weight arrays (read once)."""
        absolute = square = 0.0
        for w in weights:
            if self.l1:
                absolute += float(np.abs(w).sum())
            if self.l2:
                square += float(np.vdot(w, w))
        return self.l1 * absolute + 0.5 * self.l2 * square

    def add_steps(self, pairs, scale=1.0):
        """Subtract the penalty's gradient, times `scale`, from each step of (weights, step)."""
        l1, l2 = scale * self.l1, scale * self.l2
        for w, step in pairs:
            if l2:
                step -= l2 * w
            if l1:
                push = np.sign(w)  # one array: sign, then scaled in place
                push *= l1
                step -= push


class Penalized:
    """Mixin of `Network`: its `l1` and `l2`, kept together in one `Penalty`.

    Setting either (``net.l2 = 0.01``, as the scikit-learn estimators do) checks it and makes a
    new Penalty, so the training step reads one object and does nothing when both are 0.
    """

    @property
    def l1(self):
        """L1 penalty: ``l1 * sum(|weights|)`` is added to the loss (no biases)."""
        return self._penalty.l1

    @l1.setter
    def l1(self, l1):
        self._penalty = Penalty(l1, self._penalty.l2)

    @property
    def l2(self):
        """L2 weight decay: ``0.5 * l2 * sum(weights**2)`` is added to the loss (no biases)."""
        return self._penalty.l2

    @l2.setter
    def l2(self, l2):
        self._penalty = Penalty(self._penalty.l1, l2)
