"""The "no improvement for N epochs" rule, shared by EarlyStopping, ReduceLROnPlateau and the
scikit-learn estimators' stopping."""

from ..validation import check_number


class Monitor:
    """Watches one logged value and counts the epochs it has gone without improving.

    Parameters
    ----------
    key : str
        A History key: "val_loss", "loss", "val_accuracy", ...
    mode : {"auto", "min", "max"}
        Whether smaller or larger is better; "auto" picks "max" for accuracies and R2.
    min_delta : float
        Smallest change that counts as an improvement (its sign is ignored).
    patience : int
        Epochs without improvement that `exhausted` tolerates.
    rule : {"keras", "sklearn"}
        "keras": a value improves when it beats the best by more than `min_delta`, and only
        then becomes the best. "sklearn" (scikit-learn's MLP with ``tol=min_delta``): it
        improves when it beats the best by `min_delta` or more, and any better value
        becomes the best.
    who : str
        The watcher's name, for errors.
    """

    def __init__(self, key, mode="auto", min_delta=0.0, patience=0, rule="keras", who="Monitor"):
        if not isinstance(key, str):
            raise TypeError(
                f"monitor must be the name of a logged value, such as 'val_loss', got {key!r}"
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if any(k in key for k in ("acc", "r2")) else "min"
        self.key, self.mode, self.rule, self.who = key, mode, rule, who
        self.min_delta = abs(check_number("min_delta", min_delta, low=None))
        self.patience = patience  # checked by the callers, each under its own parameter name
        self.reset()

    def reset(self):
        """Forget the best value (at the start of each fit)."""
        self.best = float("inf") if self.mode == "min" else float("-inf")
        self.best_epoch, self.wait = None, 0

    def read(self, logs):
        """The watched value in an epoch's `logs`, or an error saying what training logs instead."""
        if self.key not in logs:
            hint = (
                " (pass validation_split or validation_data to fit)"
                if self.key.startswith("val_")
                else ""
            )
            raise ValueError(
                f"{self.who} monitors {self.key!r}, but training logs only {', '.join(logs)}{hint}"
            )
        return logs[self.key]

    def update(self, epoch, logs, count=True):
        """Take `epoch`'s value from `logs`; returns whether it became the best.

        An improvement sets `wait` to 0; otherwise `wait` grows by one (unless `count` is false).
        """
        value, best, delta = self.read(logs), self.best, self.min_delta
        sign = 1 if self.mode == "min" else -1  # compare as if smaller were better
        if self.rule == "sklearn":
            improved, new_best = sign * value <= sign * best - delta, sign * value < sign * best
        else:
            improved = new_best = sign * value < sign * best - delta
        if improved:
            self.wait = 0
        elif count:
            self.wait += 1
        if new_best:
            self.best, self.best_epoch = value, epoch
        return new_best

    @property
    def exhausted(self):
        """Whether the value has gone more than `patience` epochs without improving."""
        return self.wait > self.patience
