"""The hooks of one fit: every :class:`~hdsearch._hooks.SearchCallback` a fit runs, in one :class:`CallbackList`.

``HyperDriveSearchCV.fit`` calls :func:`fit_hooks` once its engine is built;
this module decides which callbacks run (verbose lines, store recorder, the
user's callbacks, progress bar), in which order, and what they learn at the
start (the :class:`~hdsearch._hooks.FitContext`).
"""

import numbers
from dataclasses import dataclass

from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.pipeline import Pipeline

from ._hooks import CallbackList, FitContext, SearchCallback
from ._progress import ProgressReporter
from ._verbose import VerboseLines
from .callbacks import CallableCallback


@dataclass(frozen=True)
class FitSetup:
    """What the hooks learn of a fit besides the search's own parameters.

    Parameters
    ----------
    sampling, policy, resource
        The checked strategy objects of the fit.
    max_total_runs : int
        This fit's budget.
    splitter : cross-validator
        What ``check_cv`` made of the ``cv`` parameter.
    metric : str or None
        The primary metric.
    """

    sampling: object
    policy: object
    resource: object
    max_total_runs: int
    splitter: object
    metric: str | None


def fit_hooks(search, engine, callbacks, recorder, setup, resume=None):
    """Build the fit's callbacks and start them.

    The callbacks, in the order every moment reaches them: the verbose lines
    (``verbose > 0``), the store recorder (``storage``), the user's
    ``callbacks`` as given (plain callables adapted by
    :class:`~hdsearch.callbacks.CallableCallback`), the progress bar
    (``progress_bar``). Each has heard :meth:`~hdsearch._hooks.SearchCallback.on_fit_start`
    when this returns.

    Parameters
    ----------
    search : HyperDriveSearchCV
        With ``n_splits_``, ``experiment_`` and ``resource_values_`` set.
    engine : WaveEngine
        Built and restored from the store, not run.
    callbacks : list
        The checked ``callbacks`` parameter.
    recorder : ExperimentRecorder or None
    setup : FitSetup
    resume : ResumeSummary or None, default=None
        What a resumed experiment found, for the progress bar.

    Returns
    -------
    CallbackList
        The engine's ``hooks``; the search calls its ``search_end`` and
        ``fit_end``.
    """
    hooks = []
    if search.verbose > 0:
        hooks.append(VerboseLines(setup.sampling))
    if recorder is not None:
        hooks.append(recorder)
    hooks += [c if isinstance(c, SearchCallback) else CallableCallback(c, engine) for c in callbacks]
    if search.progress_bar:
        hooks.append(ProgressReporter(setup.max_total_runs, engine.completed_scores, resume=resume))
    hooks = CallbackList(hooks, engine)
    hooks.fit_start(fit_context(search, engine, setup))
    return hooks


def fit_context(search, engine, setup):
    """The :class:`~hdsearch._hooks.FitContext` of a fit, its engine restored."""
    return FitContext(
        search=search,
        settings=settings_text(search, setup),
        metric=setup.metric,
        schedule=engine.evaluation.schedule,
        experiment=search.experiment_,
        trials=tuple(engine.trials),
        score_name=score_name(search.scoring, search.estimator),
        resource_axis=setup.resource.axis_label(),
        resource_values=search.resource_values_,
    )


def settings_text(search, setup):
    """The settings a tracking backend records, as text."""
    estimator = search.estimator
    return {
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "sampling": repr(setup.sampling),
        "policy": repr(setup.policy),
        "resource": repr(setup.resource),
        "curves": search.curves,
        "max_total_runs": str(setup.max_total_runs),
        "max_concurrent_runs": str(search.max_concurrent_runs),
        "max_duration": str(search.max_duration),
        "cv": describe_cv(setup.splitter, search.cv, search.n_splits_),
        "scoring": repr(search.scoring),
        "refit": repr(search.refit),
        "random_state": repr(search.random_state),
        "error_score": repr(search.error_score),
        "return_train_score": str(search.return_train_score),
    }


def describe_cv(splitter, cv, n_splits):
    """The splitter used, as short text: ``"5-fold StratifiedKFold"``, ``"3 splits of ShuffleSplit"``.

    Parameters
    ----------
    splitter : cross-validator
        What ``check_cv`` made of ``cv``.
    cv : int, splitter, iterable or None
        The ``cv`` parameter as given.
    n_splits : int
    """
    if not (cv is None or isinstance(cv, numbers.Integral) or hasattr(cv, "split")):
        return f"{n_splits} splits given as a {type(cv).__name__}"
    name = type(splitter).__name__
    text = f"{n_splits}-fold {name}" if name.endswith("KFold") else f"{n_splits} splits of {name}"
    if getattr(splitter, "shuffle", False):
        text += f", shuffled with random_state={splitter.random_state!r}"
    return text


def score_name(scoring, estimator):
    """What a single-metric search's ``score`` is: the scoring string, or the estimator's own metric.

    ``scoring=None`` scores with ``estimator.score``: ``"accuracy"`` for
    scikit-learn's classifier mixin, ``"r2"`` for its regressor mixin (a
    pipeline's final step decides), ``"score"`` for any other ``score``
    method and for a callable scorer.
    """
    if isinstance(scoring, str):
        return scoring
    if scoring is not None:
        return "score"
    while isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    own_score = getattr(type(estimator), "score", None)
    if own_score is ClassifierMixin.score:
        return "accuracy"
    return "r2" if own_score is RegressorMixin.score else "score"
