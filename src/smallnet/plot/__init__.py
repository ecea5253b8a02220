"""Pictures of training and of what a network has learned, for readers who would rather look.

Every function draws a fresh matplotlib Figure on the Agg canvas (no pyplot, no
window, no display needed), returns it, and also saves it when given ``path=``
(PNG or SVG by the file's extension; the file is replaced in one move, never
left half written). matplotlib is the optional extra ``smallnet[plot]`` and is
imported only when a picture is drawn.

Colours keep one meaning throughout: class k is ``CLASS_COLORS[k]`` in every
background and every point, and in the network diagram blue is low (negative
weights, small activations) and orange high, as class 0 and class 1 are.
"""

from .boundary import decision_boundary
from .diagram import MAX_LINES, network_diagram, neuron_images
from .figure import CLASS_COLORS, require_matplotlib
from .loss import loss_curve
from .regression import regression

__all__ = [
    "CLASS_COLORS",
    "MAX_LINES",
    "decision_boundary",
    "loss_curve",
    "network_diagram",
    "neuron_images",
    "regression",
    "require_matplotlib",
]
