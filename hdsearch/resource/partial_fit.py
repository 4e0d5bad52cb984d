"""The ``partial_fit`` resource: interval k is k seeded passes of ``partial_fit``.

Owns the per-(trial, fold, epoch) order of the rows, and the seeding of
scikit-learn's SGD family, which shuffles inside every ``partial_fit`` call.
"""

from contextlib import contextmanager

from .._config import check_int
from .base import BaseResource, on_known_rows


class PartialFit(BaseResource):
    """Interval k is k passes of ``partial_fit`` over the training fold.

    Each pass visits the training fold in an order seeded per (trial, fold,
    epoch); classes are passed on the first call. The refit of the best trial
    repeats the same number of seeded passes on the whole data.

    Estimators of scikit-learn's SGD family (``SGDClassifier``,
    ``SGDRegressor``, ``SGDOneClassSVM``, ``Perceptron``,
    ``PassiveAggressive*``) with ``shuffle=True`` shuffle every
    ``partial_fit`` call themselves, from a seed drawn from their
    ``random_state`` at each call. For them the pass is seeded by setting
    ``random_state`` to the (trial, fold, epoch) seed for that one call (the
    user's value is put back after it), so the rows are not copied at every
    epoch; every other estimator gets the fold's rows gathered in the seeded
    order.

    Parameters
    ----------
    max_epochs : int
        Passes of a trial that runs to the end.
    min_epochs : int, default=1
        The policy never stops a trial before this many passes.
    """

    def __init__(self, max_epochs, min_epochs=1):
        self.max_epochs = max_epochs
        self.min_epochs = min_epochs

    @property
    def min_interval(self):
        return self.min_epochs

    def _arguments(self):
        return {"max_epochs": self.max_epochs, "min_epochs": self.min_epochs}

    def check(self, estimator, param_names):
        check_int("PartialFit", "max_epochs", self.max_epochs, 1)
        check_int("PartialFit", "min_epochs", self.min_epochs, 1)
        if self.min_epochs > self.max_epochs:
            raise ValueError(
                f"PartialFit: min_epochs must be <= max_epochs, got min_epochs={self.min_epochs}, "
                f"max_epochs={self.max_epochs}"
            )
        if not callable(getattr(estimator, "partial_fit", None)):
            raise ValueError(_no_partial_fit_message(estimator))

    def n_intervals(self, n_splits, n_train):
        return self.max_epochs

    def axis_label(self):
        return "epoch"

    def advance(self, model, first, last, fold, rng_for, classes):
        shuffles_itself = _shuffles_each_call(model)
        for epoch in range(first, last + 1):
            rng = rng_for(epoch)
            if shuffles_itself:
                X, y, params = fold.X, fold.y, dict(fold.fit_params)
            else:
                X, y, params = fold.shuffled(rng.permutation(len(fold)))
            if classes is not None and epoch == 1:
                params["classes"] = classes
            with on_known_rows(fold), _seeded_call(model, rng if shuffles_itself else None):
                if y is None:
                    model.partial_fit(X, **params)
                else:
                    model.partial_fit(X, y, **params)
            fold.validated = True
        return model


def _no_partial_fit_message(estimator):
    """Why ``PartialFit`` cannot drive ``estimator``, and, for a pipeline, how to get there today."""
    name = type(estimator).__name__
    message = f"resource=PartialFit needs an estimator with partial_fit; {name} has none."
    final = getattr(estimator, "steps", None) and estimator.steps[-1][1]
    if not callable(getattr(final, "partial_fit", None)):
        return message
    return (
        f"{message} Its final step {type(final).__name__} has partial_fit, but a {name} does not pass it on "
        "(PartialFit on pipelines is planned). Today: transform X before the search and search the final step "
        "alone, or use WarmStart on a parameter that grows (max_iter with warm_start=True), or the folds "
        "resource."
    )


def _shuffles_each_call(model):
    """Whether ``model.partial_fit`` shuffles the rows itself, from its ``random_state``, at every call.

    Checked in scikit-learn's source for its SGD family: each ``partial_fit``
    draws the shuffling seed from ``check_random_state(self.random_state)``.
    """
    return isinstance(model, _sgd_family()) and model.get_params().get("shuffle") is True


def _sgd_family():
    from sklearn import linear_model

    names = ("SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "Perceptron",
             "PassiveAggressiveClassifier", "PassiveAggressiveRegressor")
    return tuple(getattr(linear_model, name) for name in names if hasattr(linear_model, name))


@contextmanager
def _seeded_call(model, rng):
    """Set ``model.random_state`` to a seed from ``rng`` for one call, then put the user's value back."""
    if rng is None:
        yield
        return
    users = model.random_state
    model.random_state = int(rng.integers(2**31 - 1))
    try:
        yield
    finally:
        model.random_state = users
