"""The progress of `smallnet train` on stderr: a bar that updates in place on a terminal (tqdm's,
where the [progress] extra is installed, else a line of its own), plain lines in a pipe or log."""

import importlib.util
import os
import sys
import time

from ..callbacks import Callback

SHOWN = ("loss", "val_loss")  # what the progress shows of each epoch's logs
LOG_SECONDS = 5.0  # the least time between two plain lines
REDRAW_SECONDS = 0.1  # the least time between two redraws of a bar


def progress(epochs, done=0, stream=None, units=None):
    """The progress callback for a training of `epochs` epochs, `done` of them already (a
    resumed run), on `stream` (default sys.stderr): a bar on a terminal, else plain lines.

    `units`, if given, turns an epoch's logs into those shown (a regression's, learned on the
    standardized target, into the target's units).
    """
    stream = sys.stderr if stream is None else stream
    show = Shown(units)
    if not stream.isatty():
        return PlainLines(epochs, done, stream, show)
    if importlib.util.find_spec("tqdm") is not None:
        return TqdmBar(epochs, done, stream, show)
    return LineBar(epochs, done, stream, show)


class Shown:
    """ "loss 0.1234, val_loss 0.2345" of an epoch's logs, in the units `units` gives."""

    def __init__(self, units=None):
        self.units = units

    def __call__(self, logs):
        logs = {key: logs[key] for key in SHOWN if key in logs}
        logs = self.units(logs) if self.units else logs
        return ", ".join(f"{key} {value:.4g}" for key, value in logs.items())


def _width(stream):
    """The columns of the terminal `stream` writes to; 0 where it doesn't say."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # no file descriptor, or not a terminal
        return 0


def _clock(seconds):
    """ "1:05" for 65 seconds; "1:00:05" past an hour."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class PlainLines(Callback):
    """One line per stretch of training, for a pipe or a log: after a tenth of the epochs or
    `seconds` seconds, whichever comes later, and after the last epoch (or the one training
    stopped in). No control characters.

    `clock` gives the time in seconds (time.monotonic by default).
    """

    def __init__(self, epochs, done, stream, show, seconds=LOG_SECONDS, clock=time.monotonic):
        self.epochs, self.done, self.stream, self.show = epochs, done, stream, show
        self.every, self.seconds, self.clock = max(1, epochs // 10), seconds, clock

    def on_train_begin(self, logs=None):
        self.started = self.shown_at = self.clock()
        self.shown_epoch = self.done

    def on_epoch_end(self, epoch, logs=None):
        now, done = self.clock(), epoch + 1
        last = done == self.epochs or self.network.stop_training
        if last or (done - self.shown_epoch >= self.every and now - self.shown_at >= self.seconds):
            elapsed = _clock(now - self.started)
            print(f"epoch {done}/{self.epochs}: {self.show(logs)} ({elapsed})", file=self.stream,
                  flush=True)  # fmt: skip
            self.shown_at, self.shown_epoch = now, done


class LineBar(Callback):
    """A line that rewrites itself (a carriage return, no newline until the end): epoch i/N, the
    loss and val_loss, the time so far. For a terminal without tqdm."""

    def __init__(self, epochs, done, stream, show, clock=time.monotonic):
        self.epochs, self.done, self.stream, self.show = epochs, done, stream, show
        self.clock = clock

    def on_train_begin(self, logs=None):
        self.started, self.shown_at, self.width = self.clock(), None, 0

    def on_epoch_end(self, epoch, logs=None):
        now, done = self.clock(), epoch + 1
        last = done == self.epochs or self.network.stop_training
        if last or self.shown_at is None or now - self.shown_at >= REDRAW_SECONDS:
            text = f"epoch {done}/{self.epochs}: {self.show(logs)} ({_clock(now - self.started)})"
            # spaces over what a longer line before left on the screen
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
            self.shown_at, self.width = now, len(text)

    def on_train_end(self, logs=None):
        if self.shown_at is not None:
            self.stream.write("\n")
            self.stream.flush()


class TqdmBar(Callback):
    """tqdm's bar over the epochs, with the loss and val_loss beside it."""

    def __init__(self, epochs, done, stream, show):
        self.epochs, self.done, self.stream, self.show = epochs, done, stream, show

    def on_train_begin(self, logs=None):
        from tqdm import tqdm

        # a new pseudo-terminal has no size yet, and tqdm would hide its bar below row 0
        sized = _width(self.stream) > 0
        self.bar = tqdm(
            total=self.epochs,
            initial=self.done,
            file=self.stream,
            dynamic_ncols=sized,
            ncols=None if sized else 80,
            nrows=None if sized else 24,
            bar_format="epoch {n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining}{postfix}",
        )
        self.shown_at = None

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        last = epoch + 1 == self.epochs or self.network.stop_training
        # formatting every epoch would cost more than tiny epochs do
        if last or self.shown_at is None or now - self.shown_at >= REDRAW_SECONDS:
            self.bar.set_postfix_str(self.show(logs), refresh=False)
            self.shown_at = now
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()
