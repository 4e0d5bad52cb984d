"""hdsearch: hyperparameter tuning the way Azure ML HyperDrive does it.

A search space, a sampling strategy and an early-termination policy,
delivered as a scikit-learn estimator, :class:`HyperDriveSearchCV`.
"""

from .callbacks import EarlyStopOnPlateau, StopSearch, StopWhenScoreReaches
from .policy import (
    BanditPolicy,
    HalvingPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)
from .resource import Folds, PartialFit, Subsample, WarmStart
from .sampling import BayesianSampling, GridSampling, RandomSampling
from .search import HyperDriveSearchCV
from .store import ExperimentMismatchError, load_experiment
from .space import (
    LogBoundsWarning,
    Space,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)

__version__ = "0.1.0"

__all__ = [
    "BanditPolicy",
    "BayesianSampling",
    "EarlyStopOnPlateau",
    "ExperimentMismatchError",
    "Folds",
    "GridSampling",
    "HalvingPolicy",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "PartialFit",
    "Subsample",
    "TruncationSelectionPolicy",
    "WarmStart",
    "HyperDriveSearchCV",
    "LogBoundsWarning",
    "RandomSampling",
    "Space",
    "StopSearch",
    "StopWhenScoreReaches",
    "choice",
    "load_experiment",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]
