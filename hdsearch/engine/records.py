"""The typed records that travel between the engine and its workers.

A task (:class:`FoldTask`, :class:`RefitTask`) is the engine's unit of work;
a call record (:class:`WorkerSetup` shared by every task, plus one
:class:`FoldCall`, :class:`StepCall` or :class:`RefitCall` per task) is what
a worker function receives; an outcome (:class:`FoldOutcome` made of
:class:`StepScore`, or :class:`RefitOutcome`) is what it returns.
"""

from dataclasses import dataclass, field


@dataclass
class FoldTask:
    """One unit of work: take one fold of one trial through intervals ``first..last``.

    For the ``Folds`` resource a task is one whole fold, which is interval
    ``fold + 1``: ``first == last == fold + 1``.

    Parameters
    ----------
    trial : Trial
    fold : int
    first, last : int
        The first and last interval the task runs.
    """

    trial: object
    fold: int
    first: int = 1
    last: int = 1


@dataclass
class RefitTask:
    """The refit of a trial on all the data, run in the wave that ends the trial.

    Only for a trial sure to be the best: the last one running, with no
    other trial completed and none left to start.

    Parameters
    ----------
    trial : Trial
    """

    trial: object


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker call of a search shares, besides the data.

    One object for the whole search, passed beside ``X`` and ``y`` (which
    stay separate arguments so that joblib memory-maps them, and dask
    scatters them, once).

    Parameters
    ----------
    estimator : estimator object
        The unfitted base estimator; workers clone it.
    scorer : callable
        Returns a number, or a dict of numbers for multi-metric scoring.
    metric_names : list of str or None
        Metric names when known before fitting, so that a failed fit reports
        ``error_score`` for each of them.
    fit_params, score_params : dict
        Whole-data parameters for ``fit`` and the scorer; arrays as long as
        ``X`` are indexed like it.
    return_train_score : bool
    error_score : "raise" or float
    verbose : int
    resource : BaseResource
    classes : ndarray or None
        All class labels, for ``partial_fit``.
    """

    estimator: object
    scorer: object
    metric_names: list | None
    fit_params: dict
    score_params: dict
    return_train_score: bool
    error_score: object
    verbose: int
    resource: object
    classes: object


@dataclass
class FoldCall:
    """One whole-fold task, as :func:`~hdsearch.engine.worker.fit_and_score_fold` receives it.

    Parameters
    ----------
    params : dict
        The trial's parameter set.
    train, test : ndarray of int
        Indices of the split.
    progress : tuple of int
        ``(fold, n_splits, trial, n_trials)`` for the verbose line.
    callback_ctx : sklearn.callback.CallbackContext or None
        The evaluation task of scikit-learn's callbacks.
    caller : HyperDriveSearchCV or None
        The search, which the callback hooks receive.
    """

    params: dict
    train: object
    test: object
    progress: tuple | None = None
    callback_ctx: object = None
    caller: object = None


@dataclass
class StepCall:
    """One per-fold task, as :func:`~hdsearch.engine.worker.advance_fold` receives it.

    Parameters
    ----------
    params : dict
        The trial's parameter set.
    train, test : ndarray of int
    model : PackedModel or None
        The fold model after ``first_step - 1`` steps; None at step 1.
    first_step, last_step : int
    scored_steps : sequence of int
        Every scored step of the schedule, in increasing order; ``last_step``
        is one of them.
    seed : tuple of int
        ``(entropy, trial_id, fold)``: step randomness comes from
        ``SeedSequence(entropy, spawn_key=(trial_id, fold, *key))``.
    keep_model : bool
        Return the fold model for the next wave.
    """

    params: dict
    train: object
    test: object
    model: object
    first_step: int
    last_step: int
    scored_steps: tuple
    seed: tuple
    keep_model: bool


@dataclass
class RefitCall:
    """The refit of one trial in a worker, as :func:`~hdsearch.engine.refit.refit_beside_folds` receives it.

    Parameters
    ----------
    params : dict
        The trial's parameters.
    seed : tuple of int
        ``(entropy, trial_id, n_splits)``: the refit is one more "fold".
    scored_intervals : sequence of int
        The intervals the folds were scored at.
    parent_pid : int
        The search's process id.
    """

    params: dict
    seed: tuple
    scored_intervals: tuple
    parent_pid: int


@dataclass
class StepScore:
    """The scores of one fold at one interval, as a worker measured them.

    Parameters
    ----------
    interval : int or None
        The interval scored; None where the engine knows it better (a whole
        fold, a task whose worker died).
    test_scores, train_scores : float, dict or None
        A number, or ``{metric: number}`` for multi-metric scoring.
    fit_time, score_time : float
        Seconds; a call's fit is charged to the last step it reached.
    error : str or None
        The traceback of a failed fit, or None.
    """

    interval: int | None = None
    test_scores: object = None
    train_scores: object = None
    fit_time: float = 0.0
    score_time: float = 0.0
    error: str | None = None


@dataclass
class FoldOutcome:
    """What a fold task returns.

    Parameters
    ----------
    steps : list of StepScore
        One per interval scored, in interval order (exactly one for a whole
        fold that finished).
    model : PackedModel or None
        The fold model for the next wave (per-fold resources), or None.
    failed : bool
        Whether a fit failed, so that the fold goes no further (per-fold
        resources).
    exception : Exception or None
        An error the parent must raise (``error_score="raise"``, a scorer
        returning no number).
    """

    steps: list = field(default_factory=list)
    model: object = None
    failed: bool = False
    exception: BaseException | None = None


@dataclass
class RefitOutcome:
    """What :func:`~hdsearch.engine.refit.refit_beside_folds` returns.

    Parameters
    ----------
    estimator : estimator or None
        The model, or None when the refit raised (the parent then refits,
        and raises, as usual).
    refit_time : float
        Seconds.
    warnings : list of tuple
        ``(category, message, filename, lineno)`` of each warning recorded.
    """

    estimator: object
    refit_time: float
    warnings: list
