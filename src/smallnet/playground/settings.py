"""The playground's settings: what the page's URL holds, checked, with TensorFlow Playground's
defaults and choices.

The page sends them as JSON with these names (the same as in its URL); `parse` turns them into
`Settings` or raises ValueError naming the setting. Settings the page alone uses (show test data,
discretize output) stay in the page.
"""

from dataclasses import asdict, dataclass, field, fields

from ..datasets import PLANE_REGRESSION, PLANES

DATASETS = (*PLANES, "tutorial", "csv")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity", "leaky_relu", "elu", "silu", "gelu")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("classification", "regression")
MAX_LAYERS, MAX_UNITS, MAX_CLASSES = 6, 8, 8
SAMPLES = {"classification": 500, "regression": 1200}  # TensorFlow Playground's counts


@dataclass
class Settings:
    """One playground set-up (see the module docstring); the defaults are TensorFlow
    Playground's, with SGD, its optimizer."""

    dataset: str = "circle"
    problem: str = "classification"
    classes: int = 2
    noise: int = 0  # percent, 0 to 50
    train_percent: int = 50
    batch_size: int = 10
    seed: int = 1
    features: list = field(default_factory=lambda: ["x1", "x2"])
    layers: list = field(default_factory=lambda: [4, 2])
    activations: list = field(default_factory=lambda: ["tanh", "tanh"])
    dropout: list = field(default_factory=lambda: [0.0, 0.0])
    learning_rate: float = 0.03
    optimizer: str = "sgd"
    regularization: str = "none"
    regularization_rate: float = 0.0
    upload: str = ""  # the id /api/upload gave the CSV file
    x_column: str = ""
    y_column: str = ""
    label_column: str = ""

    def to_json(self):
        return asdict(self)


NAMES = tuple(f.name for f in fields(Settings))


def parse(values):
    """`Settings` from the page's JSON object; missing settings take their defaults.

    Raises
    ------
    ValueError
        Naming the setting, its value and what it may be.
    """
    if not isinstance(values, dict):
        raise ValueError("the settings must be a JSON object")
    unknown = sorted(set(values) - set(NAMES))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; the settings are: {', '.join(NAMES)}")
    s = Settings(**values)
    s.dataset = _choice("dataset", s.dataset, DATASETS)
    if s.dataset in PLANES:  # a built-in set says what problem it is
        s.problem = "regression" if s.dataset in PLANE_REGRESSION else "classification"
    s.problem = _choice("problem", s.problem, PROBLEMS)
    s.classes = _integer("classes", s.classes, 2, MAX_CLASSES)
    if s.classes != 2 and s.dataset not in ("gauss", "spiral"):
        raise ValueError(f"classes: only gauss and spiral have more than 2, not {s.dataset}")
    s.noise = _integer("noise", s.noise, 0, 50)
    s.train_percent = _integer("train_percent", s.train_percent, 10, 90)
    s.batch_size = _integer("batch_size", s.batch_size, 1, 100)
    s.seed = _integer("seed", s.seed, 0, 2**31 - 1)
    s.features = _list("features", s.features, lambda item: _choice("feature", item, FEATURES))
    if s.dataset != "tutorial" and not s.features:
        raise ValueError("features: pick at least one input feature")
    s.layers = _list("layers", s.layers, lambda n: _integer("a layer's units", n, 1, MAX_UNITS))
    if len(s.layers) > MAX_LAYERS:
        raise ValueError(f"layers: at most {MAX_LAYERS} hidden layers, got {len(s.layers)}")
    s.activations = _per_layer(s, "activations", lambda a: _choice("activation", a, ACTIVATIONS))
    s.dropout = _per_layer(s, "dropout", lambda r: _number("dropout", r, 0, 0.9))
    s.learning_rate = _number("learning_rate", s.learning_rate, 1e-6, 100)
    if s.learning_rate == 0:
        raise ValueError("learning_rate must be > 0")
    s.optimizer = _choice("optimizer", s.optimizer, OPTIMIZERS)
    s.regularization = _choice("regularization", s.regularization, REGULARIZATIONS)
    s.regularization_rate = _number("regularization_rate", s.regularization_rate, 0, 100)
    for name in ("upload", "x_column", "y_column", "label_column"):
        if not isinstance(getattr(s, name), str):
            raise ValueError(f"{name} must be a string")
    if s.dataset == "csv" and not (s.upload and s.x_column and s.y_column and s.label_column):
        raise ValueError("dataset csv: upload a CSV file and pick its x1, x2 and label columns")
    return s


def _choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} {value!r} is not one of {', '.join(choices)}")
    return value


def _integer(name, value, low, high):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _number(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _list(name, values, check):
    if not isinstance(values, list):
        raise ValueError(f"{name} must be a list, got {values!r}")
    return [check(value) for value in values]


def _per_layer(s, name, check):
    """One value per hidden layer; a shorter list is padded with its last value (or the
    default), as when the page adds a layer."""
    values = _list(name, getattr(s, name), check)
    fill = values[-1] if values else getattr(Settings(), name)[0]
    return (values + [fill] * len(s.layers))[: len(s.layers)]
