"""Running a wave's calls when a worker process may die: find the task that killed it by halving.

Workers never raise, so an executor breaking means a process died
(``os._exit``, a segfault, the OOM killer, a lost dask worker). joblib then
loses the whole call and rebuilds its pool on the next one, so the halves are
run again until the killing task is alone. Its trial fails, and its other
tasks are not run again. Tasks are deterministic, so re-running the others
changes no result. A refit that kills its worker only loses the refit (its
outcome is None): the search refits as usual.
"""

import warnings
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager

from .records import RefitTask
from .worker import lost_task_outcome

#: dask's errors are matched by name: distributed is an optional extra. A
#: closed worker takes its tasks (KilledWorker after retries) and the data
#: scattered to it (FutureCancelledError: "lost dependencies") along.
_DASK_WORKER_LOSS = ("KilledWorker", "FutureCancelledError")


def run_isolating_crashes(parallel, tasks, calls, setup, see=lambda task, outcome: None):
    """Run ``calls``, one per task; a task that kills its worker gets a failed outcome.

    Parameters
    ----------
    parallel : joblib.Parallel
        Returning outcomes as a generator, in task order.
    tasks : list of FoldTask or RefitTask
    calls : list of joblib.delayed calls
    setup : WorkerSetup
        ``error_score`` (with ``"raise"`` a dying worker stops the search)
        and what a lost task's failed scores look like.
    see : callable, default=ignore
        Called as ``see(task, outcome)`` on every outcome as it arrives (it
        may raise to stop the search before the wave ends).

    Returns
    -------
    list
        One outcome per task, in task order; None for a refit that was lost.
    """
    outcomes = [None] * len(tasks)
    dead = {}  # trial ids, and ("refit", trial id), of the tasks that killed a worker
    groups = [list(range(len(tasks)))] if tasks else []
    while groups:
        group = [i for i in groups.pop() if tasks[i].trial.trial_id not in dead and _key(tasks[i]) not in dead]
        if not group:
            continue
        try:
            with results_of(parallel, [calls[i] for i in group]) as results:
                for i, outcome in zip(group, results):
                    outcomes[i] = outcome
                    see(tasks[i], outcome)
        except Exception as exc:
            if not _is_worker_death(exc) or setup.error_score == "raise":
                raise
            if len(group) == 1:
                reason = f"The worker process running this fit died: {type(exc).__name__}: {exc}"
                dead[_key(tasks[group[0]])] = reason
            else:
                middle = len(group) // 2
                groups += [group[middle:], group[:middle]]  # the first half runs first
    for i, task in enumerate(tasks):
        if outcomes[i] is None and not isinstance(task, RefitTask):
            outcomes[i] = lost_task_outcome(setup, dead[task.trial.trial_id])
    return outcomes


@contextmanager
def results_of(parallel, calls):
    """``parallel(calls)``, closed on the way out: a generator left early cancels its remaining tasks.

    With ``return_as="generator"`` outcomes arrive in task order as they
    finish, so the search can stop before a wave ends.
    """
    results = parallel(calls)
    try:
        yield results
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                # joblib counts the cancelled tasks; stopping them is the point.
                warnings.filterwarnings("ignore", message=r".*tasks which were still being processed")
                close()


def _key(task):
    """What a task that kills its worker takes down: its trial, or only itself for a refit."""
    return ("refit", task.trial.trial_id) if isinstance(task, RefitTask) else task.trial.trial_id


def _is_worker_death(exc):
    """Whether ``exc`` says a worker process died, rather than that the code is wrong."""
    return isinstance(exc, BrokenExecutor) or type(exc).__name__ in _DASK_WORKER_LOSS
