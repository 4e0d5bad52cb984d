"""A search's experiment in the store: its spec, its name, resume and warm start.

``HyperDriveSearchCV.fit`` asks this module for an :class:`Experiment` when
``storage`` is set: the spec says everything that decides the results, so a
fit with the same spec under the same name resumes, and a different spec is
an error; its :class:`ExperimentRecorder` is the
:class:`~hdsearch._hooks.SearchCallback` that writes every wave to the store.
Nothing here runs estimators.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, replace

import numpy as np

from ._fingerprint import data_fingerprint
from ._hooks import SearchCallback
from .store import open_store

#: The logger that announces resumes (INFO).
logger = logging.getLogger("hdsearch")


def spec_of(search, space, sampling, policy, resource, splits, X, y, fit_params):
    """What decides a search's results, as a dict of strings.

    ``max_total_runs``, ``max_duration``, ``n_jobs`` and the progress options
    are left out: a resumed search may get a larger budget or more workers
    and still continue the same experiment. ``data`` holds a content
    fingerprint of X, y and each fit parameter (``sample_weight``,
    ``groups``, ...), so a resume on other data of the same shape is refused.

    Parameters
    ----------
    search : HyperDriveSearchCV
    space, sampling, policy, resource
        The checked strategy objects of the fit.
    splits : list of (train, test)
    X, y
        The data, as ``fit`` was given them.
    fit_params : dict
        ``fit``'s ``**params``.

    Returns
    -------
    dict of str to str or dict
        ``data`` is a dict of input name to fingerprint (see
        :func:`~hdsearch._fingerprint.data_fingerprint`).
    """
    estimator = search.estimator
    params = {name: repr(value) for name, value in sorted(estimator.get_params(deep=True).items())}
    return {
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "estimator_params": json.dumps(params, sort_keys=True),
        "space": repr([dict(sorted(subspace.items())) for subspace in space.subspaces]),
        "sampling": repr(sampling),
        "policy": repr(policy),
        "resource": repr(resource),
        "curves": repr(search.curves),
        "scoring": _describe_scoring(search.scoring),
        "cv": f"{_describe(search.cv)}; {len(splits)} splits, sha1 {_splits_digest(splits)}",
        "data": data_fingerprint(X, y, fit_params),
        "random_state": _describe(search.random_state),
        "max_concurrent_runs": repr(search.max_concurrent_runs),
        "error_score": repr(search.error_score),
        "return_train_score": repr(search.return_train_score),
    }


def default_name(spec):
    """``<Estimator>-<8 hex digits of the spec>``: the same spec finds the same experiment."""
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    return f"{spec['estimator'].rsplit('.', 1)[-1]}-{digest}"


def _describe(value):
    if isinstance(value, np.random.RandomState):
        return "a RandomState instance (not reproducible)"
    if callable(value) and not hasattr(value, "split"):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def _describe_scoring(scoring):
    if isinstance(scoring, dict):
        return repr({name: _describe(scorer) for name, scorer in sorted(scoring.items())})
    if isinstance(scoring, (list, tuple, set)):
        return repr(sorted(scoring))
    return _describe(scoring)


def _splits_digest(splits):
    digest = hashlib.sha1()
    for train, test in splits:
        digest.update(np.asarray(train, dtype=np.int64).tobytes())
        digest.update(b"|")
        digest.update(np.asarray(test, dtype=np.int64).tobytes())
    return digest.hexdigest()[:12]


@dataclass
class Experiment:
    """Where a fitted search's trials live: ``search.experiment_``.

    Parameters
    ----------
    name : str
    storage : str
        Path of the SQLite file.
    resumed_trials : int
        Trials read back from the store when the fit started.
    """

    name: str
    storage: str
    resumed_trials: int = 0


@dataclass(frozen=True)
class ResumeSummary:
    """What a resumed experiment held when the fit started; ``str()`` is its announcement.

    Parameters
    ----------
    name : str
    storage : str
        Path of the SQLite file.
    found : int
        Trials read back.
    ended : int
        Of them, completed, terminated or failed; the others were in flight
        and are continued.
    max_total_runs : int
        This fit's budget.
    """

    name: str
    storage: str
    found: int
    ended: int
    max_total_runs: int

    @property
    def left(self):
        """Trials still to start."""
        return max(0, self.max_total_runs - self.found)

    def __str__(self):
        return (
            f"Resuming experiment {self.name!r} in {self.storage}: {self.found} trials found "
            f"({self.ended} ended, {self.found - self.ended} unfinished to continue), "
            f"{self.left} left to start of max_total_runs={self.max_total_runs}"
        )


class ExperimentRecorder(SearchCallback):
    """Open (or resume) an experiment and write every wave to it.

    Parameters
    ----------
    storage : str
        A path or ``"sqlite:///path"``.
    name : str or None
        None derives the name from the spec (:func:`default_name`).
    spec : dict
    run_settings : dict
        ``max_total_runs`` and ``max_duration`` of this fit, stored for the
        summaries (see :meth:`ExperimentStore.run_settings`).
    """

    def __init__(self, storage, name, spec, run_settings):
        self.store = open_store(storage)
        self.name = default_name(spec) if name is None else name
        self.is_new = self.store.open_experiment(self.name, spec, run_settings).is_new
        self.experiment = Experiment(self.name, self.store.path)

    def load(self):
        """The trials stored so far, in trial order."""
        trials = self.store.load_trials(self.name)
        self.experiment.resumed_trials = len(trials)
        return trials

    def resume_summary(self, trials, max_total_runs):
        """The :class:`ResumeSummary` of ``trials`` (as :meth:`load` returned them); None for a new experiment."""
        if self.is_new:
            return None
        ended = sum(trial.ended for trial in trials)
        return ResumeSummary(self.name, self.store.path, len(trials), ended, max_total_runs)

    def on_wave_recorded(self, report, stop_reason=None):
        """Write the wave's changes in one transaction."""
        self.store.write_wave(self.name, report.changed, report.new_results)


def open_recorder(search, space, sampling, policy, resource, splits, X, y, fit_params, max_total_runs):
    """The search's :class:`ExperimentRecorder`, its experiment opened (or resumed); None without ``storage``.

    Parameters
    ----------
    search, space, sampling, policy, resource, splits, X, y, fit_params
        As :func:`spec_of` takes them.
    max_total_runs : int
        This fit's budget.
    """
    if search.storage is None:
        return None
    spec = spec_of(search, space, sampling, policy, resource, splits, X, y, fit_params)
    run_settings = {"max_total_runs": max_total_runs, "max_duration": search.max_duration}
    return ExperimentRecorder(search.storage, search.experiment_name, spec, run_settings)


def restore_from_store(engine, recorder, max_total_runs, verbose):
    """Restore ``engine`` from the stored trials and announce the resume; its :class:`ResumeSummary`.

    The announcement goes to the ``hdsearch`` logger (INFO) and, with
    ``verbose > 0``, is printed.

    Returns
    -------
    ResumeSummary or None
        None without a recorder, or for a new experiment.
    """
    if recorder is None:
        return None
    engine.restore(recorder.load())
    resume = recorder.resume_summary(engine.trials, max_total_runs)
    if resume is not None:
        logger.info("%s", resume)
        if verbose > 0:
            print(f"[hdsearch] {resume}", flush=True)
    return resume


def warm_start_trials(resume_from, store, current_name):
    """Ended trials of earlier experiments, each marked with its ``source``.

    Parameters
    ----------
    resume_from : list of str or fitted HyperDriveSearchCV
        Experiment names (read from ``store``) or fitted searches.
    store : ExperimentStore or None
        The search's open store; None without ``storage``.
    current_name : str or None
        The experiment being fitted; naming it in ``resume_from`` is an error.

    Returns
    -------
    list of Trial
    """
    trials = []
    for source in resume_from:
        if isinstance(source, str):
            if store is None:
                raise ValueError(
                    f"resume_from={source!r} names an experiment, which needs storage; got storage=None"
                )
            if source == current_name:
                raise ValueError(
                    f"resume_from={source!r} is the experiment being fitted; fitting it again resumes it"
                )
            if source not in store.experiment_names():
                raise ValueError(
                    f"resume_from: no experiment {source!r} in {store.path!r}; it holds "
                    f"{sorted(store.experiment_names())!r}"
                )
            loaded, label = store.load_trials(source), source
        elif hasattr(source, "trials_"):
            loaded = source.trials_
            experiment = getattr(source, "experiment_", None)
            label = experiment.name if experiment is not None else f"search {id(source):x}"
        else:
            raise ValueError(
                "resume_from must hold experiment names or fitted HyperDriveSearchCV objects, "
                f"got {source!r}"
            )
        for trial in loaded:
            if trial.ended:
                trials.append(
                    replace(trial, trial_id=len(trials), params=dict(trial.params),
                            results=list(trial.results), source=label)
                )
    return trials
