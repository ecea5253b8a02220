"""The `Layer` base class, and the registry that rebuilds saved layers by name.

A layer maps inputs (n_samples, input_dim) to outputs (n_samples, units).
``backward(error)`` takes the error at the layer's output (the tutorial's
``l1_error``), stores the layer's `steps` (what the optimizer adds to `params`)
and returns the error at its input for the layer below.

In training, outputs and steps live in buffers that the layer reuses from one
batch to the next; outside training every call returns fresh arrays.
"""

import weakref

LAYERS = {}  # layer classes by name, for rebuilding saved networks (see from_config)


class Layer:
    """Base class: `params` and `steps` are parallel lists of arrays.

    A layer is built once its input size is known: ``build(input_dim, dtype, rng)``
    sets `input_dim` and `units` (its output size) and draws its parameters.
    `arrays` names the attributes that hold the layer's arrays, trainable or
    not; saved files store them as tensors, beside the JSON of `config()`.
    `statistics` names those of them that training updates without training them
    (BatchNorm's running mean and variance): `get_weights` carries them along.
    """

    params = ()
    steps = ()
    input_dim = units = None
    arrays = ()
    statistics = ()
    _owner = None  # a weak reference to the network the layer is in (see Network)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYERS[cls.__name__] = cls  # every layer class can be rebuilt from its config by name

    def __init__(self, name=None):
        self.name = name

    def __getstate__(self):
        state = self.__dict__.copy()
        # A weak reference can't be pickled; the network's __setstate__ sets it again.
        state.pop("_owner", None)
        return state

    def check_free(self, network):
        """Refuse the layer for `network` while another live network holds it: its arrays are views
        of that network's flat buffer, so a second network would rebind them, and the first would
        go on training a buffer that no layer reads."""
        owner = None if self._owner is None else self._owner()
        if owner is not None and owner is not network:
            raise ValueError(
                f"layer {self.name!r} already belongs to another network; give each network "
                f"layers of its own (copy.deepcopy(network) copies a whole network)"
            )

    def claim(self, network):
        """Record that `network` holds this layer (weakly: a collected network frees it)."""
        self._owner = weakref.ref(network)

    def output_dim(self, input_dim):
        """The output size for `input_dim` inputs (None when not yet known)."""
        return self.units

    def array_size(self, input_dim):
        """How many numbers the layer's `arrays` (trainable or not) hold for `input_dim` inputs,
        known before `build` draws them (a layer of one's own counts 0 unless it says)."""
        return 0

    def prepare(self, X):
        """The network's raw input `X` as this first layer takes it: most take arrays as they are
        (a `TableEncoder` encodes a table's columns)."""
        return X

    def check_input(self, X):
        """Refuse data X (n, input_dim) that the layer can't take as the network's input."""

    def check_arrays(self, prefix):
        """Refuse loaded arrays that are finite but can't be this layer's; `prefix` is their
        tensors' (``layers.{i}``)."""

    def bind(self, params, steps):
        """Adopt `params` and `steps`, views into the network's flat buffers, keeping the values.

        One flat array for all parameters lets an optimizer update a whole network
        in a handful of array operations, however many layers it has.
        """
        for view, own in zip(params, self.params):
            view[...] = own
        self.params, self.steps = params, steps

    @property
    def n_params(self):
        return sum(p.size for p in self.params)

    def config(self):
        """The JSON-able arguments that rebuild this layer, with its "type".

        Its arrays are excluded.
        """
        return {"type": type(self).__name__, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """The layer `config()` describes, before `build` (arrays are filled in by the loader)."""
        return cls(**{key: value for key, value in config.items() if key != "type"})


def from_config(config):
    """A layer from a ``{"type": ..., **arguments}`` dict; unknown types list the known ones."""
    kind = config.get("type") if isinstance(config, dict) else None
    if kind not in LAYERS:
        raise ValueError(
            f"unknown layer type {kind!r}; known types are: {', '.join(sorted(LAYERS))}"
        )
    return LAYERS[kind].from_config(config)
