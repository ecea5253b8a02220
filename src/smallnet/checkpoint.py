"""Checkpoint and resume, as one thing: `BackupAndRestore` writes the run's state while `fit`
trains, and puts it back so that a resumed run ends bit-identical to one never interrupted.

A checkpoint is a saved network (see `Network.to_state`) plus the optimizer's state
(``optimizer.m.0``, ...), the generator's (``rng.state.key``, ...), the epochs done, the
history, and what the run was: a fingerprint of its data, the arguments that decide it, and
its validation rows.
"""

import hashlib

import numpy as np

from . import state
from .callbacks import Callback
from .samples import class_weight_config

BIT_GENERATORS = ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")  # what a state may name


def fingerprint(*arrays):
    """SHA-256 of the arrays' shapes, dtypes and bytes (None entries skipped).

    Used to tell data apart.
    """
    digest = hashlib.sha256()
    for a in arrays:
        if a is not None:
            digest.update(f"{a.dtype.str}{a.shape}".encode())
            digest.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return digest.hexdigest()


def run_arguments(
    network, batch_size, shuffle, validation_split, validation_data, class_weight=None
):
    """What decides a fit's run besides its data, for its checkpoints to record: fit's arguments
    and the network's training settings as the fit begins (a schedule changes the rate later)."""
    arguments = {
        "batch_size": batch_size,
        "shuffle": shuffle,
        "validation_split": validation_split,
        "validation_data": validation_data is not None,
        "class_weight": class_weight_config(class_weight),
        "loss": network.loss.config(),  # a plain name for a loss without parameters
        "l1": network.l1,
        "l2": network.l2,
        "metrics": [name for name, _ in network.metrics],
    }
    # another optimizer is refused by load_checkpoint already
    arguments.update(
        (f"optimizer.{key}", value)
        for key, value in network.optimizer.config().items()
        if key != "name"
    )
    for key in ("clipnorm", "clipvalue"):  # recorded unset too: adding one is another run
        arguments.setdefault(f"optimizer.{key}", None)
    seed = network.config()["seed"]
    if seed is not None:  # a seed given as a generator can't be compared
        arguments["seed"] = seed
    return arguments


def _check_resumed(path, recorded, arguments):
    """Refuse to resume from `path` with `arguments` (as `run_arguments` gives) other than those it
    `recorded`; what it didn't record (an older checkpoint) can't be checked."""

    def shown(key, value):
        if key == "validation_data":
            return "(X_val, y_val)" if value else "None"
        if key == "class_weight" and isinstance(value, list):  # as class_weight_config keeps it
            return repr({index: weight for index, weight in value})
        return repr(value)

    for key, value in arguments.items():
        if key in recorded and recorded[key] != value:
            name = key.replace("optimizer.", "the optimizer's ")
            raise ValueError(
                f"{path}: the checkpoint was written with {name}={shown(key, recorded[key])}, not "
                f"{shown(key, value)}; resume with the arguments it was written with"
            )


class BackupAndRestore(Callback):
    """Writes a checkpoint while `fit` trains, and resumes a run from one.

    `fit` makes one from its `checkpoint`, `checkpoint_every` and `resume` arguments and runs
    it after every other callback, so that each checkpoint holds the epoch as they left it.
    It writes at the end of every `every`-th epoch and of the last one (when training ends or
    is stopped, a Ctrl-C between epochs included), never from part-way through an epoch, and
    never weights that are not finite (the last good file stays).

    Parameters
    ----------
    path : path or None
        Where to write (atomically); a folder, or a file in a folder that doesn't exist, is
        refused here, before training starts. None writes nothing.
    every : int
        Epochs between checkpoints.
    resume : path or None
        The checkpoint to go on from (see `restore`).
    """

    def __init__(self, path=None, every=1, resume=None):
        from .atomic import check_destination
        from .validation import check_number

        self.path = None if path is None else check_destination(path)
        self.every = check_number(
            "checkpoint_every", every, low=1, low_inclusive=True, integer=True
        )
        self.resume = resume
        self.written = []  # the epochs written at, in this fit
        self.run = {}  # what the checkpoint records of the run: data, arguments, validation rows
        self.callbacks = []  # those whose state each checkpoint keeps (see `keep_states`)
        self._resumed = []  # their states in the checkpoint resumed from

    def restore(self, network, history, data, arguments, epochs):
        """Record the run (`data`: its fingerprint; `arguments`: `run_arguments`'s); with
        `resume`, load the checkpoint into `network` and `history`. Returns the epochs done.

        Refused: other data, other run arguments than the checkpoint recorded, more epochs done
        than `epochs`.
        """
        self.network, self.epochs = network, epochs
        self.run = {"data": data, "arguments": arguments}
        if self.resume is None:
            return 0
        path = self.resume
        done, previous, saved = load_checkpoint(path, network)
        recorded = saved.get("arguments", {})
        if "l2" in recorded:  # one that recorded l2 but no l1 was written before L1: with 0
            recorded = {"l1": 0.0, **recorded}
        _check_resumed(path, recorded, arguments)  # first: another class_weight changes the data
        if saved.get("data") != data:
            raise ValueError(
                f"{path}: this checkpoint was written for other training data "
                f"(X, y, sample_weight or class_weight differ)"
            )
        if done > epochs:
            raise ValueError(
                f"{path}: the checkpoint has already trained {done} epochs, more than "
                f"epochs={epochs}; give epochs={done} or more (epochs counts those already done)"
            )
        history.history = {key: list(values) for key, values in previous.items()}
        history.epoch = list(range(done))
        self._resumed = saved.get("callbacks", [])
        # an older checkpoint's next ones record this fit's arguments, beside what it recorded
        self.run = {**saved, "arguments": {**arguments, **recorded}}
        return done

    @property
    def validation_rows(self):
        """The rows held out for validation in this run (None until drawn or restored)."""
        return self.run.get("validation_rows")

    @validation_rows.setter
    def validation_rows(self, rows):
        self.run["validation_rows"] = rows

    def keep_states(self, callbacks):
        """Keep the state of those of `callbacks` that have one (`get_state` and `set_state`,
        as EarlyStopping) in each checkpoint, and give it back to them on resume."""
        self.callbacks = [
            cb
            for cb in callbacks
            if cb is not self and hasattr(cb, "get_state") and hasattr(cb, "set_state")
        ]

    def restore_states(self):
        """Give each kept callback its state from the checkpoint resumed from, where the
        checkpointed fit had a callback of its type in its place (others start afresh).
        Returns the callbacks given one."""
        restored = []
        for cb, saved in zip(self.callbacks, self._resumed):
            if saved["type"] == type(cb).__name__:
                cb.set_state(saved["state"])
                restored.append(cb)
        return restored

    def on_train_begin(self, logs=None):
        self.restore_states()  # last of the callbacks: after their own on_train_begin reset them

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        last = done == self.epochs or self.network.stop_training
        if self.path is not None and (done % self.every == 0 or last):
            # diverged in the epoch's last step: the guard says so; keep the last good file
            if self.network.is_finite():
                self.run["callbacks"] = [
                    {"type": type(cb).__name__, "state": cb.get_state()} for cb in self.callbacks
                ]
                save_checkpoint(
                    self.path, self.network, done, self.network.history.history, self.run
                )
                self.written.append(done)


def save_checkpoint(path, network, epoch, history, fit_state=None):
    """Save what resuming `network.fit` needs: the model plus optimizer state, generator state,
    epoch, history.

    Parameters
    ----------
    path : str or os.PathLike
    network : Network
        Built (trained at least one step, or `build` called).
    epoch : int
        Epochs completed so far.
    history : dict of str to list of float
        Such as ``network.history.history``.
    fit_state : dict, optional
        What else `fit` needs to go on exactly (arrays allowed): its validation rows, a data
        fingerprint, the arguments that decide its run (so that a resume with others is refused).
    """
    tensors, document = network.to_state(history)
    rng = network.rng
    if isinstance(rng, np.random.RandomState):
        kind, rng_state = "RandomState", rng.get_state(legacy=False)
    else:
        kind, rng_state = "Generator", rng.bit_generator.state
    optimizer = network.optimizer
    document["checkpoint"] = {
        "epoch": int(epoch),
        "history": list(history),
        "fit_state": state.encode(fit_state or {}, "fit", tensors),
        "optimizer": {
            "name": optimizer.name,
            "state": state.encode(optimizer.get_state(), "optimizer", tensors),
        },
        "rng": {"kind": kind, "state": state.encode(rng_state, "rng", tensors)},
    }
    state.write(path, tensors, document)


def load_checkpoint(path, network):
    """Restore weights, optimizer state and generator state from `path` into `network`.

    `network` must have the checkpoint's architecture and optimizer type (build
    it as the checkpointed one was); it is built from the file if it isn't yet.
    Afterwards, training on as before gives bit-identical weights to a run
    that was never interrupted.

    Returns
    -------
    epoch : int
        Epochs completed when the checkpoint was written.
    history : dict of str to list of float
    fit_state : dict
        As given to `save_checkpoint`.
    """
    info, tensors = state.read(path)
    checkpoint = info.get("checkpoint")
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f"{path}: a saved model, not a checkpoint (it has no optimizer or generator state)"
        )
    try:
        _restore_network(network, info["network"], checkpoint, tensors)
        fit_state = state.decode(checkpoint.get("fit_state", {}), tensors)
        history = {
            key: tensors[f"history.{key}"].tolist() if f"history.{key}" in tensors else []
            for key in checkpoint["history"]
        }
        return int(checkpoint["epoch"]), history, fit_state
    except (KeyError, TypeError, ValueError) as exc:
        raise state.invalid(path, exc) from None


def _restore_network(network, saved, checkpoint, tensors):
    """Weights, optimizer state and generator state of the checkpoint into `network`, whose
    layers and optimizer must be those `saved` (the checkpoint's network config) describes."""
    ours, theirs = (
        [type(layer).__name__ for layer in network.layers],
        [c["type"] for c in saved["layers"]],
    )
    if ours != theirs:
        raise ValueError(
            f"the checkpoint's layers are {', '.join(theirs)}, the network's {', '.join(ours)}"
        )
    for layer, config in zip(network.layers, saved["layers"]):
        _check_same_layer(layer, config)
    optimizer = network.optimizer
    if checkpoint["optimizer"]["name"] != optimizer.name:
        raise ValueError(
            f"the checkpoint's optimizer is {checkpoint['optimizer']['name']!r}, "
            f"the network's {optimizer.name!r}"
        )
    if not network.built:
        network.build(saved["layers"][0]["input_dim"], saved["dtype"])
    network.load_tensors(tensors)
    optimizer_state = state.decode(checkpoint["optimizer"]["state"], tensors)
    flat = network.flat_params  # the optimizer sees the one flat array
    for key, arrays in optimizer_state.items():
        if isinstance(arrays, list) and [(a.shape, a.dtype) for a in arrays] != [
            (flat.shape, flat.dtype)
        ]:
            raise ValueError(f"the optimizer's {key!r} arrays don't fit the network's parameters")
    optimizer.set_state(optimizer_state)
    rng_state = state.decode(checkpoint["rng"]["state"], tensors)
    _restore_generator(network, checkpoint["rng"]["kind"], rng_state)


def _check_same_layer(layer, saved):
    """Refuse a layer whose configuration differs from the checkpoint's in anything that changes
    what it computes (its name and initializer don't; an input size not known yet is taken from
    the file)."""
    for key, value in layer.config().items():
        if key in ("name", "initializer") or (key == "input_dim" and value is None):
            continue
        if saved.get(key) != value:
            raise ValueError(
                f"layer {layer.name!r} has {key}={_short(value)}, "
                f"the checkpoint's {_short(saved.get(key))}"
            )


def _short(value):
    """An activation's config {'name': 'relu'} as 'relu'; anything else as repr."""
    if isinstance(value, dict) and set(value) == {"name"}:
        return repr(value["name"])
    return repr(value)


def _restore_generator(network, kind, rng_state):
    """Put the network's generator in `rng_state`: in place where it is of that kind, since layers
    (Dropout) draw from the same object; else a new RandomState or Generator (only NumPy's own
    bit generators, looked up by name) for the network and every layer holding the old one."""
    rng = network.rng
    if kind == "RandomState":
        if not isinstance(rng, np.random.RandomState):
            rng = np.random.RandomState(0)  # any seed: set_state replaces all of it
        rng.set_state(rng_state)
    else:
        name = rng_state.get("bit_generator")
        if kind != "Generator" or name not in BIT_GENERATORS:
            raise ValueError(f"unknown generator {kind!r} / {name!r}")
        if not (isinstance(rng, np.random.Generator) and type(rng.bit_generator).__name__ == name):
            rng = np.random.Generator(getattr(np.random, name)())
        rng.bit_generator.state = rng_state
    for layer in network.layers:
        if getattr(layer, "rng", None) is network.rng:
            layer.rng = rng
    network.rng = rng
