"""Views of a fitted boosting model as it was after fewer rounds, for scorers.

A :class:`RoundView` answers ``predict``, ``predict_proba``,
``decision_function`` and ``score`` for an earlier round; the adapter that made
it computes every round's predictions in one pass (:class:`StagedPredictions`).
"""

from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import accuracy_score, r2_score

from .estimators import final_step, is_pipeline


class RoundView:
    """A fitted model as it was after ``rounds`` rounds, for scorers.

    ``predict``, ``predict_proba``, ``decision_function`` and ``score``
    (accuracy or R², as the wrappers' own) answer for that round (only those
    the model has); everything else, tags and ``classes_`` included, is the
    model's.

    Parameters
    ----------
    model : estimator
        The fitted model (a wrapper, a scikit-learn gradient boosting
        estimator, or a pipeline ending in one).
    rounds : int
    staged : StagedPredictions
        Computes the predictions at every requested round in one pass.
    """

    def __init__(self, model, rounds, staged):
        self._model = model
        self._rounds = rounds
        self._staged = staged

    def __sklearn_tags__(self):
        return self._model.__sklearn_tags__()

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_model", "_rounds", "_staged"):
            raise AttributeError(name)
        if name in _METHODS:
            if not self._staged.has(name):
                raise AttributeError(f"{type(self._model).__name__} has no staged {name}")
            return self._method(name)
        if name == "score":
            return self._score
        return getattr(self._model, name)

    def _method(self, name):
        def method(X):
            return self._staged.at(name, X, self._rounds)

        method.__name__ = name  # scikit-learn's scorers look methods up by name
        return method

    def _score(self, X, y, sample_weight=None):
        """Accuracy or R², as the wrappers' ``score`` (which would score the last round)."""
        if is_classifier(self._model):
            return accuracy_score(y, self.predict(X), sample_weight=sample_weight)
        if is_regressor(self._model):
            return r2_score(y, self.predict(X), sample_weight=sample_weight)
        raise AttributeError(f"{type(self._model).__name__}.score has no view of an earlier round")

    def __repr__(self):
        return f"RoundView({self._model!r}, rounds={self._rounds})"


_METHODS = ("predict", "predict_proba", "decision_function")


class StagedPredictions:
    """Predictions of one fitted model at several round counts, computed once per (method, X).

    Parameters
    ----------
    model : estimator
    rounds : list of int
        Increasing round counts.
    growth : Growth
        The adapter that reads the rounds: its ``answers(final, method)`` and
        ``staged_outputs(final, method, X, rounds)``.
    """

    def __init__(self, model, rounds, growth):
        self.final = final_step(model)
        self.transform = model[:-1].transform if is_pipeline(model) else None
        self.rounds = list(rounds)
        self.growth = growth
        self._cache = {}

    def has(self, method):
        """Whether the model answers ``method`` (a view then answers it too)."""
        return self.growth.answers(self.final, method)

    def at(self, method, X, rounds):
        """``method``'s output for ``X`` after ``rounds`` rounds."""
        key = (method, id(X))
        if key not in self._cache:
            Xt = X if self.transform is None else self.transform(X)
            # X is kept with its outputs, so its id stays its own.
            self._cache[key] = (X, dict(zip(self.rounds, self._all_rounds(method, Xt))))
        return self._cache[key][1][rounds]

    def _all_rounds(self, method, X):
        return self.growth.staged_outputs(self.final, method, X, self.rounds)


def views_of(model, rounds, growth):
    """One :class:`RoundView` per round of ``rounds``, sharing one :class:`StagedPredictions`.

    Parameters
    ----------
    model : estimator
        The fitted model (or a pipeline ending in it).
    rounds : list of int
        Increasing round counts.
    growth : Growth
        The adapter that reads the rounds.

    Returns
    -------
    list of RoundView
    """
    staged = StagedPredictions(model, rounds, growth)
    return [RoundView(model, count, staged) for count in rounds]
