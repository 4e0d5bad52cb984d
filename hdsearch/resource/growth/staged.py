"""Growth of scikit-learn's gradient boosting: ``warm_start`` fits, read back through ``staged_*``.

``GradientBoosting*`` (``n_estimators``) and ``HistGradientBoosting*``
(``max_iter``): with early stopping off, continuing equals one fit and the
staged prediction at round i equals the prediction of a model fit to i, bit
for bit (``tests/test_staged.py`` checks both), so a task trains once and
scores every interval on the way.
"""

from .base import BOOSTING_HELD_STEP_COST
from .views import views_of
from .warm_start_flag import WarmStartFlag


def boosting_classes():
    """scikit-learn's gradient boosting classes, by the parameter that counts their rounds."""
    # sklearn.ensemble is not imported by ``import hdsearch``: only a WarmStart check needs it.
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    return {
        "max_iter": (HistGradientBoostingClassifier, HistGradientBoostingRegressor),
        "n_estimators": (GradientBoostingClassifier, GradientBoostingRegressor),
    }


def is_gradient_boosting(owner, name):
    """Whether parameter ``name`` counts the rounds of ``owner``, a scikit-learn gradient boosting model.

    Parameters
    ----------
    owner : estimator or None
    name : str

    Returns
    -------
    bool
    """
    classes = boosting_classes().get(name)
    return classes is not None and isinstance(owner, classes)


class StagedBoosting(WarmStartFlag):
    """``warm_start`` growth of scikit-learn gradient boosting, scored from staged predictions.

    A ``warm_start`` fit predicts every round held on the training rows before
    it grows new ones, hence its held-step cost.
    """

    held_step_cost = BOOSTING_HELD_STEP_COST
    grouping_names = ("early_stopping", "n_iter_no_change")

    def scores_from_one_fit(self, model):
        # With early stopping on, where a fit stops depends on the calls that reached it.
        owner = self.owner(model)
        if "early_stopping" in owner.get_params(deep=False):  # HistGradientBoosting*
            return owner.early_stopping is False
        return owner.n_iter_no_change is None

    def round_views(self, model, rounds, cheap_only=True):
        owner = self.owner(model)
        if not rounds or _rounds_held(owner) < rounds[-1]:
            return None
        return views_of(model, rounds, self)

    def answers(self, final, method):
        """Whether ``final`` has ``method`` and its staged form."""
        return hasattr(final, method) and hasattr(final, "staged_" + method)

    def staged_outputs(self, final, method, X, rounds):
        """``method``'s output for ``X`` after each of ``rounds``, from one staged pass."""
        wanted = set(rounds)
        staged = getattr(final, "staged_" + method)(X)
        return [output for count, output in enumerate(staged, start=1) if count in wanted]


def _rounds_held(model):
    # HistGradientBoosting* stop early by themselves unless told not to.
    return getattr(model, "n_iter_", None) or getattr(model, "n_estimators_", 0)
