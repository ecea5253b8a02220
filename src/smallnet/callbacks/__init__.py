"""What watches training: the Callback hooks, the History every fit returns, the divergence
guard every fit runs, progress output, early stopping and learning-rate schedules.

One module per callback; `Monitor` is the "no improvement for N epochs" rule they share.
"""

from .base import Callback, callback_list, overrides
from .divergence_guard import DivergenceGuard, DivergenceWarning
from .early_stopping import EarlyStopping
from .history import History
from .history_logger import HistoryLogger
from .monitor import Monitor
from .progress import PrintLogger, ProgressBar, progress_callbacks
from .reduce_lr import ReduceLROnPlateau
from .schedules import CosineDecay, ExponentialDecay, Schedule, StepDecay

__all__ = [
    "Callback",
    "CosineDecay",
    "DivergenceGuard",
    "DivergenceWarning",
    "EarlyStopping",
    "ExponentialDecay",
    "History",
    "HistoryLogger",
    "Monitor",
    "PrintLogger",
    "ProgressBar",
    "ReduceLROnPlateau",
    "Schedule",
    "StepDecay",
    "callback_list",
    "overrides",
    "progress_callbacks",
]
