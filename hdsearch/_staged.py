"""Score a boosting model at its earlier rounds without retraining.

scikit-learn's ``GradientBoosting*`` and ``HistGradientBoosting*`` models
give their predictions after each round in one pass (``staged_predict``,
``staged_predict_proba``, ``staged_decision_function``). With their early
stopping off, a model continued with ``warm_start`` from round i to round j
is, bit for bit, the model fit to j in one call, and its staged prediction at
round i is, bit for bit, the prediction of the model fit to i
(``tests/test_staged.py`` checks both). So a ``WarmStart`` fold model of these
estimators can train from any round to any later one in one call, and every
interval in between is scored from that one model: the results are the same
whatever grouping of rounds into calls the engine chooses.

A *view* of the model at round r answers ``predict``, ``predict_proba``,
``predict_log_proba``, ``decision_function`` and ``score`` as the model
would have after r rounds, and everything else (``classes_``, tags, ...) as
the model, so any scorer scores it. The views of one model share one staged
pass per method and data set.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier
from sklearn.pipeline import Pipeline


def scores_from_one_fit(model, param):
    """Whether ``param`` counts the rounds of a model whose earlier rounds can be scored from a later fit.

    Parameters
    ----------
    model : estimator
        A fold model (unfitted or fitted) with the trial's parameters; a
        ``Pipeline`` is judged by its last step.
    param : str
        The parameter that ``WarmStart`` grows (``"max_iter"``,
        ``"clf__n_estimators"``, ...).

    Returns
    -------
    bool
    """
    final, prefix = _final_step(model)
    name = _rounds_param(final)
    return name is not None and param == prefix + name


def views_at(model, rounds):
    """The fitted ``model`` as it was after each of ``rounds``.

    Parameters
    ----------
    model : estimator
        A fitted model for which :func:`scores_from_one_fit` holds, trained
        to at least ``max(rounds)`` rounds.
    rounds : sequence of int

    Returns
    -------
    dict of int to estimator-like
        One view per round.
    """
    outputs = _StagedOutputs(model, rounds)
    view_class = _ClassifierAtRound if is_classifier(model) else _RegressorAtRound
    return {r: view_class(model, outputs, r) for r in rounds}


def _final_step(model):
    """The estimator that grows rounds, and the prefix of its parameters."""
    if isinstance(model, Pipeline):
        name, step = model.steps[-1]
        return step, f"{name}__"
    return model, ""


def _rounds_param(estimator):
    """The rounds parameter of a boosting estimator whose staged predictions are exact, or None."""
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    # With early stopping on, where a fit stops depends on the calls that
    # reached it; such a model keeps one call per scored interval.
    if isinstance(estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return "max_iter" if estimator.early_stopping is False else None
    if isinstance(estimator, (GradientBoostingClassifier, GradientBoostingRegressor)):
        return "n_estimators" if estimator.n_iter_no_change is None else None
    return None


class _StagedOutputs:
    """One staged pass per (method, data set), kept at the rounds asked for."""

    def __init__(self, model, rounds):
        self.model = model
        self.rounds = frozenset(rounds)
        self._passes = {}

    def at(self, method, X, round_):
        key = (method, id(X))
        if key not in self._passes:
            # X is kept with its outputs, so its id cannot be reused meanwhile.
            self._passes[key] = (X, self._staged(method, X))
        return self._passes[key][1][round_]

    def _staged(self, method, X):
        final = self.model
        if isinstance(final, Pipeline):
            X = final[:-1].transform(X)
            final = final[-1]
        last = max(self.rounds)
        outputs = {}
        for round_, output in enumerate(getattr(final, f"staged_{method}")(X), start=1):
            if round_ in self.rounds:
                outputs[round_] = np.array(output, copy=True)
            if round_ == last:
                break
        return outputs


class _AtRound:
    """A fitted model seen after ``round_`` rounds; see the module docstring."""

    def __init__(self, model, outputs, round_):
        self.model = model
        self.outputs = outputs
        self.round_ = round_

    def __getattr__(self, name):
        if name in ("model", "outputs", "round_"):  # not set yet (copy, pickle)
            raise AttributeError(name)
        return getattr(self.model, name)

    def __sklearn_tags__(self):
        return self.model.__sklearn_tags__()

    def predict(self, X):
        """Predictions after ``round_`` rounds."""
        return self.outputs.at("predict", X, self.round_)


class _ClassifierAtRound(ClassifierMixin, _AtRound):
    def predict_proba(self, X):
        """Class probabilities after ``round_`` rounds."""
        return self.outputs.at("predict_proba", X, self.round_)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def decision_function(self, X):
        """Decision function after ``round_`` rounds."""
        return self.outputs.at("decision_function", X, self.round_)


class _RegressorAtRound(RegressorMixin, _AtRound):
    pass
