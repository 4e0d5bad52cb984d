"""What the experiment store writes and reads back: specs, trial rows and interval rows.

Specs and run settings are JSON text (:func:`spec_to_json`), compared entry by
entry when an experiment is resumed (:class:`ExperimentMismatchError`); a
trial's parameters are pickled, with a readable JSON copy; scores are standard
JSON with NaN and infinities as strings.
"""

import json
import math
import numbers
import pickle

import numpy as np

from ._validation import InvalidParameterError
from .trials import FoldResult

_MAX_SHOWN_CHARS = 300
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_ABSENT = object()


class ExperimentMismatchError(ValueError):
    """An experiment exists under this name with another spec, so it cannot be resumed.

    Raised by :meth:`ExperimentStore.open_experiment` (and so by a search's
    ``fit``) before anything runs. The message says what changed and how to
    start a new experiment from Python; the command line rewords the last
    part, after :meth:`what_changed`.

    Parameters
    ----------
    name : str
        The experiment that exists.
    path : str
        The store's file.
    differences : list of (str, str, str)
        ``(what, stored, given)`` for every entry of the spec that differs,
        e.g. ``("data: X", "array <f8 (100, 5), sha256 ...", "...")``.
    free_name : str
        A name not yet in the store, suggested for a new experiment.
    """

    def __init__(self, name, path, differences, free_name):
        self.name = name
        self.path = path
        self.differences = differences
        self.free_name = free_name
        super().__init__(
            f"{self.what_changed()} To start a new experiment, pass experiment_name={free_name!r} "
            f"(free in this store) or another storage; to resume {name!r}, fit it on the data and "
            "settings it was created with."
        )

    def __reduce__(self):
        # The default would call __init__ with the message alone: a worker could not send it back.
        return (type(self), (self.name, self.path, self.differences, self.free_name))

    def what_changed(self):
        """The first sentences of the message: the experiment and each difference.

        Returns
        -------
        str
        """
        changes = "; ".join(f"{what} changed ({old} -> {new})" for what, old, new in self.differences)
        return (
            f"experiment_name={self.name!r} in storage {self.path!r} was created with other data "
            f"or settings, so it cannot be resumed: {changes}."
        )


def check_name(name):
    """Raise naming ``experiment_name`` unless ``name`` is a non-empty str."""
    if not isinstance(name, str) or not name:
        raise InvalidParameterError(f"experiment_name must be a non-empty str, got experiment_name={name!r}.")


# --------------------------------------------------------------- encoding


def spec_to_json(spec, what="spec"):
    """The spec as JSON text, keys sorted; raise naming the first value JSON cannot hold."""
    if not isinstance(spec, dict) or not all(isinstance(key, str) for key in spec):
        raise InvalidParameterError(f"{what} must be a dict with str keys, got {what}={spec!r}.")
    for key, value in spec.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{what}[{key!r}] must be JSON-able (str, number, bool, None, or lists and dicts "
                f"of them), got {value!r}."
            ) from exc
    return json.dumps(spec, sort_keys=True)


def spec_differences(stored, given, prefix=""):
    """``(what, stored, given)`` for every entry whose values differ, inside dict values too.

    An entry of a dict value is named ``"key: entry"`` (``"data: X"``).
    """
    differences = []
    for key in sorted(set(stored) | set(given), key=str):
        old, new = stored.get(key, _ABSENT), given.get(key, _ABSENT)
        if isinstance(old, dict) and isinstance(new, dict):
            differences.extend(spec_differences(old, new, f"{prefix}{key}: "))
        elif _spec_text(old) != _spec_text(new):
            differences.append((f"{prefix}{key}", _shortened(_shown(old)), _shortened(_shown(new))))
    return differences


def _spec_text(value):
    return json.dumps(value, sort_keys=True) if value is not _ABSENT else None


def _shown(value):
    """A spec value for a message: a str as it is, anything else as JSON."""
    if value is _ABSENT:
        return "<absent>"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _shortened(text, limit=_MAX_SHOWN_CHARS):
    """``text``, cut in the middle when longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}...{text[-half:]}"


def trial_row(name, trial):
    """The ``trials`` table row of ``trial`` in experiment ``name``; raise naming a value pickle refuses."""
    try:
        params_pickle = pickle.dumps(trial.params, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise ValueError(
            f"write_wave: trial {trial.trial_id} has params that cannot be pickled "
            f"({type(exc).__name__}: {exc}): params={trial.params!r}."
        ) from exc
    errors = trial.errors
    return (
        name,
        int(trial.trial_id),
        params_pickle,
        json.dumps(_readable(trial.params), sort_keys=True),
        str(trial.status),
        _time_or_none(trial.start_time),
        _time_or_none(trial.end_time),
        errors[0] if errors else None,
        str(trial.source),
    )


def interval_row(name, trial_id, result):
    """The ``intervals`` table row of one result; raise naming a score that is not a number."""
    where = f"trial {trial_id}, interval {result.interval}, fold {result.fold}"
    return (
        name,
        int(trial_id),
        int(result.interval),
        int(result.fold),
        _scores_to_json(result.test_scores, f"test_scores of {where}"),
        None if result.train_scores is None else _scores_to_json(result.train_scores, f"train_scores of {where}"),
        float(result.fit_time),
        float(result.score_time),
        result.error,
    )


def _scores_to_json(scores, what):
    """``{metric: score}`` as standard JSON; non-finite floats become strings."""
    if not isinstance(scores, dict):
        raise ValueError(f"write_wave: {what} must be a dict of metric to score, got {scores!r}.")
    encoded = {}
    for metric, score in scores.items():
        if not isinstance(metric, str):
            raise ValueError(f"write_wave: {what} has a metric name that is not a str: {metric!r}.")
        encoded[metric] = _encode_score(score, f"{what}, metric {metric!r}")
    return json.dumps(encoded, allow_nan=False)


def _encode_score(score, what):
    if isinstance(score, (bool, np.bool_)) or not isinstance(score, numbers.Real):
        raise ValueError(f"write_wave: {what}: a score must be a real number, got {score!r}.")
    if isinstance(score, numbers.Integral):
        return int(score)
    score = float(score)
    if math.isfinite(score):
        return score
    return "NaN" if math.isnan(score) else ("Infinity" if score > 0 else "-Infinity")


def _scores_from_json(text):
    if text is None:
        return None
    return {metric: _NON_FINITE[v] if isinstance(v, str) else v for metric, v in json.loads(text).items()}


def fold_result(row):
    """The :class:`~hdsearch.trials.FoldResult` an ``intervals`` row (from ``fold`` on) holds."""
    fold, interval, test_scores, train_scores, fit_time, score_time, error = row
    return FoldResult(
        fold, interval, _scores_from_json(test_scores), _scores_from_json(train_scores),
        fit_time, score_time, error,
    )


def _readable(value):
    """A JSON-able copy of ``value`` for people and other tools; ``repr`` for anything else."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.generic):
        value = value.item()
        if not isinstance(value, (int, float, str, bool)):
            return repr(value)
        return _readable(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(key): _readable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_readable(item) for item in value]
    return repr(value)


def _time_or_none(value):
    return None if value is None else float(value)
