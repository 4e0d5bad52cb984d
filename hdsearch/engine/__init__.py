"""The engine: runs trials in waves on joblib workers and applies the early-termination policy.

- :mod:`~hdsearch.engine.loop`: :class:`WaveEngine`, the wave loop (slots, policy, budgets, hooks);
- :mod:`~hdsearch.engine.plan`: what each fold runs next and the results it holds (per fold, or whole folds);
- :mod:`~hdsearch.engine.evaluation`: what every task shares, and the worker calls built from it;
- :mod:`~hdsearch.engine.worker`, :mod:`~hdsearch.engine.refit`: the functions workers run;
- :mod:`~hdsearch.engine.records`: the typed tasks, calls and outcomes between them.
"""

from .evaluation import Evaluation, worker_scorer
from .hooks import NoHooks
from .loop import Budget, WaveEngine, WaveReport
from .records import FoldOutcome, FoldTask, RefitOutcome, RefitTask, StepScore

__all__ = [
    "Budget",
    "Evaluation",
    "FoldOutcome",
    "FoldTask",
    "NoHooks",
    "RefitOutcome",
    "RefitTask",
    "StepScore",
    "WaveEngine",
    "WaveReport",
    "worker_scorer",
]
