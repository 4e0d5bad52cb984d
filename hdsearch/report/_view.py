"""One read-only view of an experiment, whatever it comes from.

The leaderboard, the summary and the charts of :mod:`hdsearch.report` accept
a fitted :class:`~hdsearch.HyperDriveSearchCV`, a stored experiment
``(storage, name)``, or a plain list of :class:`~hdsearch.trials.Trial`
(as ``open_store(storage).load_trials(name)`` returns it).
:func:`experiment_view` turns any of them into an :class:`ExperimentView`:
the trials plus what reading them needs (the primary metric, how intervals
map to folds, and how each hyperparameter is scaled).

Nothing here fits or plots.
"""

import ast
import math
import numbers
import os
import re
from dataclasses import dataclass, field, replace

from .. import resource as _resource
from ..policy import make_policy
from ..resource import make_resource
from ..sampling import make_sampling
from ..space import Space
from ..store import open_store
from ..trials import COMPLETED, TERMINATED, Schedule, Trial
from ._bounds import bounded_expressions, bounded_expressions_from_spec

LINEAR = "linear"
LOG = "log"
CATEGORICAL = "categorical"

# scipy.stats distributions that are uniform or normal in log space.
_LOG_SCIPY_NAMES = ("loguniform", "reciprocal", "lognorm")
_LOG_EXPRESSIONS = ("loguniform", "qloguniform", "lognormal", "qlognormal")
_SPEC_EXPRESSION = re.compile(r"'(?P<name>[^']+)':\s*(?:scipy\.stats\.)?(?P<expr>\w+)\(")
_SPEC_SPLITS = re.compile(r";\s*(\d+) splits")


@dataclass(frozen=True)
class ParamAxis:
    """How one hyperparameter is scaled on a chart axis.

    Parameters
    ----------
    kind : {"linear", "log", "categorical"}
    options : tuple or None
        The categories, in axis order, for a categorical parameter.
    """

    kind: str
    options: tuple | None = None


@dataclass(frozen=True)
class ExperimentView:
    """Trials of one experiment and what reading them needs.

    Parameters
    ----------
    trials : list of Trial
        In trial order.
    metric : str
        The metric scores are read under: the primary (refit) metric unless
        another was asked for.
    schedule : Schedule
        How intervals map to folds (``per_fold`` False for the ``folds``
        resource, where interval k is the k-th fold) and how many a trial
        that runs to its end reaches (see :func:`schedule_of_trials`).
    axes : dict of str to ParamAxis
        One entry per hyperparameter, in sorted name order.
    settings : dict of str to str
        ``sampling``, ``policy``, ``resource`` and ``max_total_runs``, as
        text, for summaries.
    name : str or None
        The experiment's name, when stored.
    ranges : dict of str to Expression
        The numeric ranges of the space (``uniform``, ``loguniform``,
        ``randint``, ...), by parameter name, for the at-a-bound check.
    resource_axis : str
        What the resource counts (``"fold"``, ``"epoch"``, ``"max_iter"``,
        ``"training samples"``), or ``"interval"`` when unknown.
    resource_values : tuple
        The resource's amount at intervals 1, 2, ...; empty when unknown
        (then learning curves are drawn against the interval number).
    """

    trials: list
    metric: str
    schedule: Schedule
    axes: dict
    settings: dict = field(default_factory=dict)
    name: str | None = None
    ranges: dict = field(default_factory=dict)
    resource_axis: str = "interval"
    resource_values: tuple = ()

    def x_label(self):
        """The learning curves' x-axis title: what the resource counts."""
        if self.resource_values:
            return self.resource_axis
        return "interval" if self.schedule.per_fold else "interval (folds scored)"

    def x_of(self, interval):
        """Where interval ``interval`` sits on the learning curves' x-axis: the resource's amount there."""
        if 1 <= interval <= len(self.resource_values):
            return self.resource_values[interval - 1]
        return interval

    def curve(self, trial):
        """The trial's learning curve: the mean test score at intervals 1, 2, ... reached.

        Parameters
        ----------
        trial : Trial

        Returns
        -------
        scores : list of float
        """
        return trial.learning_curve(self.metric, self.schedule)

    def scored_points(self, trial):
        """The trial's learning curve without the intervals that were not scored.

        Parameters
        ----------
        trial : Trial

        Returns
        -------
        intervals : list of int
        scores : list of float
        """
        points = [(k, score) for k, score in enumerate(self.curve(trial), start=1) if score is not None]
        return [k for k, _ in points], [score for _, score in points]

    def score(self, trial):
        """The trial's score: the mean test score at the last interval it reached (NaN if none).

        Parameters
        ----------
        trial : Trial

        Returns
        -------
        score : float
        """
        curve = self.curve(trial)
        return curve[-1] if curve else math.nan

    def full_intervals(self):
        """Intervals of a trial that runs to the end: ``schedule.n_intervals``.

        Returns
        -------
        n : int
        """
        return self.schedule.n_intervals

    def n_intervals(self, trial):
        """Intervals the trial reached (every fold, for a per-fold resource).

        Parameters
        ----------
        trial : Trial

        Returns
        -------
        n : int
        """
        return trial.intervals_reached(self.schedule)


def schedule_of_trials(trials, per_fold, n_splits):
    """The :class:`~hdsearch.trials.Schedule` a report reads ``trials`` with.

    A report does not always know the resource's interval count (a store
    holds the resource's text, a list of trials nothing), so it reads it
    from the trials: the number of folds for the ``folds`` resource;
    otherwise the most intervals a completed trial reached (any trial when
    none completed).

    Parameters
    ----------
    trials : list of Trial
    per_fold : bool
    n_splits : int

    Returns
    -------
    schedule : Schedule
    """
    if not per_fold:
        return Schedule(False, n_splits, n_splits)
    pair = Schedule(True, n_splits, 0)  # n_intervals not known yet; intervals_reached does not read it
    reached = [t.intervals_reached(pair) for t in trials if t.status == COMPLETED]
    reached = reached or [t.intervals_reached(pair) for t in trials]
    return Schedule(True, n_splits, max(reached, default=0))


def experiment_view(source, metric=None):
    """An :class:`ExperimentView` of a fitted search, a stored experiment or a list of trials.

    Parameters
    ----------
    source : HyperDriveSearchCV, (storage, name), list of Trial or ExperimentView
        A fitted search; a stored experiment as a ``(storage, name)`` pair
        (a path, a ``"sqlite:///path"`` URL or an open store, and the
        experiment's name); or the trials themselves, e.g.
        ``open_store(storage).load_trials(name)``.
    metric : str, default=None
        The metric to read; None means the primary metric (the refit metric
        of a search, else ``"score"`` or the first metric recorded).

    Returns
    -------
    view : ExperimentView

    Raises
    ------
    ValueError
        Naming ``source`` when it is none of these, or an unfitted search;
        naming ``metric`` when the trials did not record it.
    """
    if isinstance(source, ExperimentView):
        view = source
    elif hasattr(source, "cv_results_") and hasattr(source, "trials_"):
        view = _view_of_search(source)
    elif hasattr(source, "param_distributions") and hasattr(source, "get_params"):
        raise ValueError(
            f"source={type(source).__name__}(...) is not fitted yet; call fit before reading its trials."
        )
    elif _is_stored_experiment(source):
        view = _view_of_store(*source)
    elif isinstance(source, (list, tuple)) and all(isinstance(t, Trial) for t in source):
        view = _view_of_trials(list(source))
    else:
        raise ValueError(
            "source must be a fitted HyperDriveSearchCV, a (storage, experiment name) pair, or a "
            f"list of Trial records; got source={_short_repr(source)}."
        )
    return view if metric is None else _with_metric(view, metric)


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_stored_experiment(source):
    if not isinstance(source, (tuple, list)) or len(source) != 2:
        return False
    storage, name = source
    return isinstance(name, str) and (isinstance(storage, (str, os.PathLike)) or hasattr(storage, "load_trials"))


def _with_metric(view, metric):
    recorded = _metric_names(view.trials)
    if recorded and metric not in recorded:
        raise ValueError(f"metric={metric!r} was not recorded; the trials hold {recorded!r}.")
    return replace(view, metric=metric)


# ----------------------------------------------------------------- search


def _view_of_search(search):
    trials = list(search.trials_)
    resource = make_resource(search.resource)
    space = Space(search.param_distributions, warn_log_bounds=False)  # fit warned already
    return ExperimentView(
        trials=trials,
        metric=_search_metric(search, trials),
        schedule=schedule_of_trials(trials, resource.per_fold, int(search.n_splits_)),
        axes=_complete_axes(_axes_of_space(space), trials),
        settings={
            "sampling": _describe_setting(make_sampling, search.sampling),
            "policy": repr(make_policy(search.policy)),
            "resource": repr(make_resource(search.resource)),
            "max_total_runs": repr(search.max_total_runs),
        },
        name=getattr(getattr(search, "experiment_", None), "name", None),
        ranges=bounded_expressions(space.subspaces),
        resource_axis=resource.axis_label(),
        resource_values=tuple(getattr(search, "resource_values_", ())),
    )


def _describe_setting(make, value):
    try:
        return repr(make(value))
    except Exception:  # noqa: BLE001 - e.g. a sampling name not implemented in this version
        return repr(value)


def _search_metric(search, trials):
    if not getattr(search, "multimetric_", False):
        return "score"
    if isinstance(search.refit, str):
        return search.refit
    names = _metric_names(trials)
    return names[0] if names else "score"


def _axes_of_space(space):
    axes = {}
    for subspace in space.subspaces:
        for name, expression in subspace.items():
            axes.setdefault(name, _axis_of_expression(expression))
    return axes


def _axis_of_expression(expression):
    if expression.is_categorical:
        return ParamAxis(CATEGORICAL, tuple(expression.options))
    if expression.is_log:
        return ParamAxis(LOG)
    scipy_name = getattr(getattr(getattr(expression, "distribution", None), "dist", None), "name", None)
    return ParamAxis(LOG if scipy_name in _LOG_SCIPY_NAMES else LINEAR)


# ------------------------------------------------------------------ store


def _view_of_store(storage, name):
    store = open_store(storage, readonly=True) if not hasattr(storage, "load_trials") else storage
    try:
        trials = store.load_trials(name)
        spec = store.spec(name)
        run_settings = store.run_settings(name)
    finally:
        if store is not storage:
            store.close()
    view = _view_of_trials(trials, _kinds_from_spec(spec.get("space", "")))
    per_fold = _per_fold_from_spec(spec, view.schedule.per_fold)
    n_splits = _n_splits_from_spec(spec, view.schedule.n_splits)
    settings = {key: str(spec.get(key, "?")) for key in ("sampling", "policy", "resource")}
    # Stores written before run_settings existed do not have it.
    settings["max_total_runs"] = str(run_settings.get("max_total_runs", "not stored"))
    axis, values = _resource_axis_from_spec(spec.get("resource"), n_splits)
    return ExperimentView(
        trials, view.metric, schedule_of_trials(trials, per_fold, n_splits), view.axes, settings, name,
        ranges=bounded_expressions_from_spec(str(spec.get("space", ""))),
        resource_axis=axis,
        resource_values=values,
    )


_SPEC_RESOURCE = re.compile(r"(?P<kind>Folds|PartialFit|WarmStart)\((?P<args>.*)\)")


def _resource_axis_from_spec(resource_text, n_splits):
    """The resource's axis name and amounts read back from a stored spec's ``resource`` text.

    ``Folds``, ``PartialFit`` and ``WarmStart`` are rebuilt from their
    literal arguments (parsed, never evaluated). ``Subsample``'s last
    amount is the training fold's size, which the spec does not keep: its
    curves, and any other resource's, stay on the interval number.
    """
    match = _SPEC_RESOURCE.fullmatch(str(resource_text or ""))
    if match is None:
        return "interval", ()
    try:
        call = ast.parse(f"f({match['args']})", mode="eval").body
        arguments = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}
        resource = getattr(_resource, match["kind"])(**arguments)
        n_intervals = resource.n_intervals(n_splits, None)
        return resource.axis_label(), tuple(resource.reached(k, None) for k in range(1, n_intervals + 1))
    except (ValueError, TypeError, SyntaxError):
        return "interval", ()


def _kinds_from_spec(space_text):
    """``{name: kind}`` read from a stored spec's ``space`` text, e.g. ``'C': loguniform(-3, 3)``."""
    kinds = {}
    for match in _SPEC_EXPRESSION.finditer(space_text):
        expression = match["expr"]
        if expression == "choice":
            kind = CATEGORICAL
        elif expression in _LOG_EXPRESSIONS or expression in _LOG_SCIPY_NAMES:
            kind = LOG
        else:
            kind = LINEAR
        kinds.setdefault(match["name"], kind)
    return kinds


def _per_fold_from_spec(spec, default):
    resource = spec.get("resource")
    if not isinstance(resource, str):
        return default
    return not resource.startswith("Folds(")


def _n_splits_from_spec(spec, default):
    match = _SPEC_SPLITS.search(str(spec.get("cv", "")))
    return int(match.group(1)) if match else default


# ----------------------------------------------------------------- trials


def _view_of_trials(trials, kinds=None):
    results = [r for t in trials for r in t.results]
    # Under the folds resource, interval k is always fold k - 1.
    per_fold = any(r.interval != r.fold + 1 for r in results)
    n_splits = max((r.fold for r in results), default=0) + 1
    names = _metric_names(trials)
    metric = "score" if not names or "score" in names else names[0]
    axes = _complete_axes({}, trials, kinds or {})
    settings = {"sampling": "?", "policy": "?", "resource": "?", "max_total_runs": "?"}
    trials = list(trials)
    return ExperimentView(trials, metric, schedule_of_trials(trials, per_fold, n_splits), axes, settings)


def _metric_names(trials):
    for trial in trials:
        for result in trial.results:
            if result.error is None:
                return list(result.test_scores)
    for trial in trials:
        for result in trial.results:
            return list(result.test_scores)
    return []


def _complete_axes(axes, trials, kinds=None):
    """``axes`` plus an axis, inferred from the values, for every other parameter of the trials."""
    kinds = kinds or {}
    names = sorted({name for trial in trials for name in trial.params} | set(axes))
    complete = {}
    for name in names:
        values = [trial.params[name] for trial in trials if name in trial.params]
        axis = axes.get(name) or _axis_of_values(values, kinds.get(name))
        if axis.kind == CATEGORICAL and axis.options is None:
            axis = ParamAxis(CATEGORICAL, _categories(values))
        complete[name] = axis
    return complete


def _axis_of_values(values, kind):
    numeric = bool(values) and all(_is_real(v) for v in values)
    if kind is None:
        kind = LINEAR if numeric else CATEGORICAL
    if kind in (LINEAR, LOG) and not numeric:
        kind = CATEGORICAL
    return ParamAxis(kind)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _categories(values):
    unique = []
    for value in values:
        if not any(_same(value, seen) for seen in unique):
            unique.append(value)
    try:
        return tuple(sorted(unique))
    except TypeError:
        return tuple(unique)


def _same(a, b):
    try:
        return a is b or bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and odd objects: identity only
        return False


def category_index(axis, value):
    """Position of ``value`` among a categorical axis's options, or None.

    Parameters
    ----------
    axis : ParamAxis
    value : object

    Returns
    -------
    index : int or None
    """
    for index, option in enumerate(axis.options or ()):
        if _same(option, value):
            return index
    return None


def status_counts(trials):
    """Trials per status.

    Parameters
    ----------
    trials : list of Trial

    Returns
    -------
    counts : dict of str to int
        ``completed``, ``terminated``, ``failed`` and ``running``.
    """
    statuses = ("completed", "terminated", "failed", "running")
    return {status: sum(t.status == status for t in trials) for status in statuses}


def intervals_saved(view):
    """Intervals terminated trials did not run, and intervals every trial run to the end would take.

    Parameters
    ----------
    view : ExperimentView

    Returns
    -------
    saved, full : int
    """
    full = view.full_intervals()
    saved = sum(max(full - view.n_intervals(t), 0) for t in view.trials if t.status == TERMINATED)
    return saved, full * len(view.trials)
