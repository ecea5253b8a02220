"""The fit loop: epochs of batches, callbacks around them, Ctrl-C between steps.

`Network.fit` delegates here; the network itself knows only one `train_step`.
"""

import signal
import sys
import threading

import numpy as np

from . import engine as engines
from . import epochs as epoch_loop
from . import lbfgs
from .callbacks import DivergenceGuard, History, callback_list, progress_callbacks
from .checkpoint import BackupAndRestore, fingerprint, run_arguments
from .epochs import NumpyEpoch
from .samples import (
    check_sample_weight,
    class_sample_weight,
    split,
    validation_rows,
    validation_size,
)
from .scale_check import warn_if_unscaled
from .validation import check_bool, check_number

_FRACTION = {"low": 0, "low_inclusive": True, "high": 1, "high_inclusive": False}


# fmt: off
def fit(network, X, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0,
        validation_data=None, sample_weight=None, callbacks=(), verbose=0, log_every=None,
        checkpoint=None, checkpoint_every=1, resume=None, class_weight=None, engine=None):
    # fmt: on
    """Train `network` on (X, y) and return the History.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    epochs : int
        Passes over the data; the tutorial's iterations when full-batch. With an LBFGS
        optimizer, at most this many L-BFGS iterations (see `smallnet.lbfgs`).
    batch_size : int or None
        Rows per step; None (the default, as in the tutorial) takes them all at once.
    shuffle : bool
        Reorder the rows each epoch from the network's generator (minibatches only).
        Only True or False: a string such as "no" is a TypeError, not true.
    validation_split : float in [0, 1)
        Share of rows held out for validation, chosen after a shuffle from the
        network's generator. With a cross-entropy loss the split is stratified:
        each class (each distinct label row, for multi-label targets) keeps its share.
    validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
        Explicit validation data (instead of validation_split).
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weight of each sample in the loss; only their ratios matter.
        Within each step the weights are rescaled to mean 1, so the loss is a
        weighted average, and so are the loss and metrics that History records
        (the ``val_`` ones with the validation rows' weights).
    callbacks : Callback or list of Callback
        Called at train/epoch/batch begin and end (see smallnet.callbacks); a single
        one is a list of one.
    verbose : {0, 1, 2}
        0 silent; 1 a progress bar on a terminal (plain lines every `log_every`
        epochs, default a tenth of them, elsewhere); 2 one plain line every
        `log_every` epochs (default every epoch).
    log_every : int, optional
        Epochs between plain progress lines; giving it alone turns them on.
    checkpoint : path, optional
        Write a checkpoint there (atomically) every `checkpoint_every` epochs and when
        training ends: weights, optimizer and generator state, epoch, history, and the
        validation rows. Needs the `[io]` extra (safetensors). A path that is a folder,
        or in a folder that doesn't exist, is refused before training starts.
    checkpoint_every : int
        Epochs between checkpoints.
    resume : path, optional
        Go on from a checkpoint written by a fit with the same network, data and
        arguments: `epochs` counts the epochs already done, and the weights end
        bit-identical to those of a run that was never interrupted. Callbacks start
        afresh, but for those whose state the checkpoint keeps (EarlyStopping: its best,
        its count and its best weights), where the resumed fit has them in the same order;
        a run that had stopped early stops again at once. Other data, or another batch_size,
        shuffle, validation_split, validation_data (given or not), loss, l1, l2, metrics,
        seed or optimizer setting than the checkpoint recorded, is a ValueError naming
        both values (older checkpoints are checked on what they recorded). A checkpoint
        that has done more than `epochs` epochs is a ValueError; one that has done
        exactly `epochs` gives back its History at once: nothing is trained, no callback is
        called (but EarlyStopping puts back its best weights), no checkpoint is written.
        Another class_weight is refused too.
    class_weight : None, "balanced" or dict of int to float
        Weights per class, as scikit-learn's: "balanced" gives class c the weight
        ``n_samples / (n_classes * count_c)`` (counted over y's rows, for the classes
        present); a dict maps a class index to its weight (classes left out weigh 1).
        A class index is a one-hot column, or a label for sparse_categorical_crossentropy;
        with one 0/1 target column (a sigmoid output), the classes are 0 and 1. Multi-label
        targets are refused. Each row then weighs its class's weight times its sample_weight
        (see `smallnet.samples.class_sample_weight`), in the loss and metrics alike; the rows
        a validation_split holds out keep theirs, so ``val_`` values are weighted the same
        way, while validation_data is weighted only by its own sample weights.
    engine : {None, "auto", "numpy", "numba"}
        Which engine trains (see `smallnet.engine`); None: the network's `engine`. The
        environment variable SMALLNET_ENGINE overrides both. `history.engine` says which ran.

    Notes
    -----
    Ctrl-C stops training after the current step (a second Ctrl-C stops at once) and
    returns: the network keeps what it has learned, and `history.interrupted` is True.
    The checkpoint holds the end of the last whole epoch it was written at (every
    `checkpoint_every` epochs, and at a Ctrl-C that falls between epochs), never a
    state from part-way through one: resuming from it ends bit-identical to a run that
    was never interrupted. (See `smallnet.checkpoint.BackupAndRestore`.)

    Returns
    -------
    History
        ``history.history["loss"]`` (and each metric, ``val_`` prefixed for
        validation) per epoch; `last_output` holds the last step's outputs.
    """
    # First, before anything resets or loads the optimizer's state: a copy's (pickle, deepcopy)
    # becomes this network's, and one that another network uses is refused.
    network.optimizer.claim(network)
    # All is checked before the network is built on first use: a refused call leaves it unbuilt.
    X, y = network.check_data(X, y, build=False)
    epochs = check_number("epochs", epochs, low=1, low_inclusive=True, integer=True)
    shuffle = check_bool("shuffle", shuffle)
    backup = BackupAndRestore(checkpoint, checkpoint_every, resume)  # a wrong path fails now
    weights = None if sample_weight is None else check_sample_weight(sample_weight, len(X), X.dtype)
    weights = class_sample_weight(
        y, class_weight, network.loss, weights, network.output_units(X.shape[1]), X.dtype
    )
    if validation_data is not None and validation_split:
        raise ValueError("give validation_split or validation_data, not both")
    validation_split = check_number("validation_split", validation_split, **_FRACTION)
    if validation_split:
        validation_size(len(X), validation_split)
    validation = _check_validation_data(network, validation_data, X.dtype, X.shape[1])
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, low=1, low_inclusive=True, integer=True)
    user_callbacks = callback_list(callbacks)
    engine, _ = engines.choose(network, engine, user_callbacks)
    if isinstance(network.optimizer, lbfgs.LBFGS):  # full batch, no checkpoints (smallnet.lbfgs)
        lbfgs.check_fit(
            network, len(X), batch_size, validation_split, checkpoint, resume, user_callbacks
        )
    progress = progress_callbacks(verbose, log_every, epochs)
    if not network.built:
        network.build(X.shape[1], X.dtype)
    history = History()
    history.engine = "numpy" if isinstance(network.optimizer, lbfgs.LBFGS) else engine
    done = 0
    saving = checkpoint is not None or resume is not None
    if saving:
        arguments = run_arguments(
            network, batch_size, shuffle, validation_split, validation_data, class_weight
        )
        done = backup.restore(network, history, fingerprint(X, y, weights), arguments, epochs)
    if validation_split:
        if backup.validation_rows is None:
            stratify = network.loss.fused_activation is not None
            backup.validation_rows = validation_rows(y, validation_split, network.rng, stratify)
        X, y, weights, validation = split(X, y, weights, backup.validation_rows)
    batch_size = len(X) if batch_size is None else min(batch_size, len(X))
    guarded = any(isinstance(cb, DivergenceGuard) for cb in user_callbacks)
    guard = [] if guarded else [DivergenceGuard()]
    callbacks = [history, *guard, *user_callbacks, *progress, *([backup] if saving else [])]
    for cb in callbacks:
        cb.network = network
    network.history, network.stop_training = history, False
    backup.keep_states(user_callbacks)
    if done == epochs:  # resumed from a finished run: nothing to train
        for cb in backup.restore_states():  # EarlyStopping puts back its best weights
            cb.on_train_end()
        history.interrupted = False
        return history
    interrupted = _train(network, (X, y, weights, validation), range(done, epochs), batch_size,
                         shuffle, callbacks, engine)  # fmt: skip
    if interrupted:
        _say_interrupted(history, epochs, checkpoint, backup.written)
    for cb in callbacks:
        cb.on_train_end()
    network.last_batch = None  # the network keeps no reference to the data
    return history


def _train(network, data, epochs, batch_size, shuffle, callbacks, engine):
    """on_train_begin, then the `epochs` of training on `data` (X, y, weights, validation);
    records the last outputs and whether Ctrl-C stopped it in the History, and returns that."""
    warn_if_unscaled(network, data[0])
    for cb in callbacks:
        cb.on_train_begin()
    history = network.history
    # A diverging run overflows; the DivergenceGuard says so once, in words, instead of
    # NumPy warning at every operation.
    with (
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        InterruptFlag() as interrupt,
    ):
        if isinstance(network.optimizer, lbfgs.LBFGS):
            out = lbfgs.run(network, *data, epochs, batch_size, shuffle, callbacks, interrupt)
        elif engine == "numba":
            from .engine import compiled  # numba loads, and compiles once, only when it is used

            out = compiled.run(network, *data, epochs, batch_size, shuffle, callbacks, interrupt)
        else:
            X, y, weights, validation = data
            train_epoch = NumpyEpoch(network, X, y, weights, batch_size, shuffle, callbacks,
                                     interrupt)  # fmt: skip
            out = epoch_loop.run(network, validation, epochs, callbacks, interrupt, train_epoch)
    history.interrupted = interrupt.interrupted
    if out is not None:
        history.last_output = out.copy()  # out lives in a training buffer
    return interrupt.interrupted


def _say_interrupted(history, epochs, checkpoint, written):
    kept = ""
    if checkpoint is not None:
        kept = (
            f"; {checkpoint} holds the end of epoch {written[-1]}, to resume from"
            if written
            else "; no checkpoint was written in this fit"
        )
    print(
        f"smallnet: training interrupted after epoch {len(history.epoch)} of {epochs} (and maybe "
        f"part of the next); the network keeps what it learned so far{kept}",
        file=sys.stderr,
    )


def _check_validation_data(network, data, dtype=None, width=None):
    """(X_val, y_val, weights) checked like the training data.

    `dtype` and `width` are the training X's.
    """
    if data is None:
        return None
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        raise ValueError(
            "validation_data must be (X_val, y_val) or (X_val, y_val, sample_weight_val)"
        )
    try:
        X, y = network.check_data(data[0], data[1], build=False, dtype=dtype)
        if width is not None and X.shape[1] != width:
            raise ValueError(
                f"X has {X.shape[1]} features (columns), but the network expects {width}"
            )
        weights = None
        if len(data) == 3 and data[2] is not None:
            weights = check_sample_weight(data[2], len(X), X.dtype)
    except (TypeError, ValueError) as exc:  # "X has 2 features" would read as the training X
        raise type(exc)(f"validation_data: {exc}") from None
    return X, y, weights


class InterruptFlag:
    """While active, Ctrl-C sets `interrupted` instead of raising, so `fit` can finish the current
    step and stop cleanly; a second Ctrl-C raises KeyboardInterrupt at once. Only the main thread
    can catch signals: elsewhere Ctrl-C keeps its usual effect."""

    interrupted = False

    def __enter__(self):
        self._installed = threading.current_thread() is threading.main_thread()
        if self._installed:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True

    def __exit__(self, *exc):
        if self._installed:  # a handler set outside Python reads as None: put Python's default back
            previous = signal.default_int_handler if self._previous is None else self._previous
            signal.signal(signal.SIGINT, previous)
