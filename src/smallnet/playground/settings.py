"""The playground's settings: what the page's URL holds, checked, with TensorFlow Playground's
defaults and choices.

The page sends them as JSON with these names (the same as in its URL); `parse` turns them into
`Settings` or raises ValueError naming the setting. Settings the page alone uses (show test data,
discretize output) stay in the page.
"""

from dataclasses import asdict, dataclass, field, fields

from ..datasets import PLANE_MULTICLASS, PLANE_REGRESSION, PLANES

DATASETS = (*PLANES, "tutorial", "csv")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "identity", "leaky_relu", "elu", "silu", "gelu")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("classification", "regression")
MAX_LAYERS, MAX_UNITS, MAX_CLASSES, MAX_BATCH = 6, 8, 8, 100
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


class SettingError(ValueError):
    """A setting the server can't take; `setting` names it (the page puts back its default)."""

    def __init__(self, setting, message):
        super().__init__(message)
        self.setting = setting


def parse(values):
    """`Settings` from the page's JSON object; missing settings take their defaults.

    Raises
    ------
    SettingError
        Naming the setting, its value and what it may be.
    """
    if not isinstance(values, dict):
        raise ValueError("the settings must be a JSON object")
    unknown = sorted(set(values) - set(NAMES))
    if unknown:
        raise SettingError(
            unknown[0], f"unknown setting {unknown[0]!r}; the settings are: {', '.join(NAMES)}"
        )
    s = Settings(**values)
    for name, check in CHECKS:
        try:
            value = check(s, getattr(s, name))
        except ValueError as exc:
            raise SettingError(name, str(exc)) from None
        setattr(s, name, value)
    if s.dataset == "csv" and not (s.upload and s.x_column and s.y_column and s.label_column):
        raise SettingError(
            "dataset", "dataset csv: upload a CSV file and pick its x1, x2 and label columns"
        )
    return s


def _problem(s, value):
    if s.dataset in PLANES:  # a built-in set says what problem it is
        return "regression" if s.dataset in PLANE_REGRESSION else "classification"
    return _choice("problem", value, PROBLEMS)


def _classes(s, value):
    value = _integer("classes", value, 2, MAX_CLASSES)
    if value != 2 and s.dataset not in PLANE_MULTICLASS:
        raise ValueError(f"classes: only gauss and spiral have more than 2, not {s.dataset}")
    return value


def _features(s, value):
    value = _list("features", value, lambda item: _choice("feature", item, FEATURES))
    if s.dataset != "tutorial" and not value:
        raise ValueError("features: pick at least one input feature")
    return value


def _layers(s, value):
    value = _list("layers", value, lambda n: _integer("a layer's units", n, 1, MAX_UNITS))
    if len(value) > MAX_LAYERS:
        raise ValueError(f"layers: at most {MAX_LAYERS} hidden layers, got {len(value)}")
    return value


def _text(name):
    def check(s, value):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return value

    return check


# In order: a check may read the settings checked before it.
CHECKS = [
    ("dataset", lambda s, v: _choice("dataset", v, DATASETS)),
    ("problem", _problem),
    ("classes", _classes),
    ("noise", lambda s, v: _integer("noise", v, 0, 50)),
    ("train_percent", lambda s, v: _integer("train_percent", v, 10, 90)),
    ("batch_size", lambda s, v: _integer("batch_size", v, 1, MAX_BATCH)),
    ("seed", lambda s, v: _integer("seed", v, 0, 2**31 - 1)),
    ("features", _features),
    ("layers", _layers),
    ("activations", lambda s, v: _per_layer(s, "activations", v, _activation)),
    ("dropout", lambda s, v: _per_layer(s, "dropout", v, lambda r: _number("dropout", r, 0, 0.9))),
    ("learning_rate", lambda s, v: _number("learning_rate", v, 1e-6, 100)),
    ("optimizer", lambda s, v: _choice("optimizer", v, OPTIMIZERS)),
    ("regularization", lambda s, v: _choice("regularization", v, REGULARIZATIONS)),
    ("regularization_rate", lambda s, v: _number("regularization_rate", v, 0, 100)),
    *((name, _text(name)) for name in ("upload", "x_column", "y_column", "label_column")),
]


def _activation(value):
    return _choice("activation", value, ACTIVATIONS)


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


def _per_layer(s, name, values, check):
    """One value per hidden layer; a shorter list is padded with its last value (or the
    default), as when the page adds a layer."""
    values = _list(name, values, check)
    fill = values[-1] if values else getattr(Settings(), name)[0]
    return (values + [fill] * len(s.layers))[: len(s.layers)]
