"""The ``WarmStart`` resource: a parameter such as ``n_estimators`` grows each interval.

Owns the schedule of values and the checks of its arguments; how a fold model
grows is the job of the growth adapter :meth:`WarmStart.check` chooses
(:mod:`hdsearch.resource.growth`), which every fold step calls directly.
"""

import math
import numbers

from .base import BaseResource
from .growth import choose_growth, kind_of, parameter_names


class WarmStart(BaseResource):
    """A parameter grows each interval, e.g. ``n_estimators`` or ``max_iter``.

    Values go ``start``, then ``+ step`` or ``* factor`` (rounded up for
    integers), and end at ``stop``. When the estimator (or the pipeline step
    owning ``param``) has ``warm_start``, training continues from the previous
    interval's model; otherwise each interval refits from scratch, which the
    search warns about. Between two scored intervals the parameter jumps
    straight to the later value in one ``fit`` (with no policy: one fit to
    ``stop``), and the refit of the best trial makes the same calls.

    scikit-learn's ``GradientBoosting*`` (``n_estimators``) and
    ``HistGradientBoosting*`` (``max_iter``), with early stopping off, do
    better: continuing them equals one fit, bit for bit, so each task trains
    once, to the last interval it runs, and every interval on the way is
    scored from that model's staged predictions; the refit is one fit to
    ``stop``.

    The rounds of XGBoost, LightGBM and CatBoost (``n_estimators`` of their
    scikit-learn wrappers, or CatBoost's ``iterations``; also as the last step
    of a ``Pipeline``) continue natively: each interval fits only the missing
    rounds on top of the previous booster (``xgb_model=``, ``init_model=``),
    so the model after interval k has exactly the rounds of interval k, and
    the refit of the best trial fits its final round count in one fit. In a
    pipeline the transformers are fit once, at the first interval, and later
    intervals continue the final step on their ``transform`` output. Early
    stopping inside these libraries is rejected before any fit, and so is a
    CatBoost model without ``learning_rate`` (CatBoost would pick it from the
    iteration count of each fit).

    Between two scored intervals, the rounds in between are scored from the
    fitted model without retraining where that is cheap: XGBoost
    (``iteration_range`` with ``base_margin``), CatBoost and scikit-learn's
    ``GradientBoosting*`` and ``HistGradientBoosting*`` (``staged_*``), and
    LightGBM (``num_iteration``) for short segments only.

    How the parameter grows is one adapter of :mod:`hdsearch.resource.growth`,
    chosen by :meth:`check` for the estimator and held for the whole search
    (the workers get it with the resource).

    Parameters
    ----------
    param : str
        The growing parameter; ``"clf__n_estimators"`` reaches a pipeline step.
    start, stop : int or float
        First and last value, ``start <= stop`` (equal means one interval).
    step : int or float, default=None
        Additive growth.
    factor : float, default=None
        Multiplicative growth, > 1. Exactly one of ``step`` and ``factor``.
    """

    def __init__(self, param, start, stop, step=None, factor=None):
        self.param = param
        self.start = start
        self.stop = stop
        self.step = step
        self.factor = factor

    def _arguments(self):
        return {"param": self.param, "start": self.start, "stop": self.stop, "step": self.step,
                "factor": self.factor}

    def schedule(self):
        """The parameter's value at intervals 1, 2, ..."""
        values, value = [], self.start
        integer = isinstance(self.start, numbers.Integral) and isinstance(self.stop, numbers.Integral)
        while value < self.stop:
            values.append(value)
            value = value + self.step if self.step is not None else value * self.factor
            if integer:
                value = int(math.ceil(value))
        values.append(self.stop)
        return values

    def check(self, estimator, param_names):
        """Raise ValueError for bad arguments or settings, choose the growth adapter; may warn.

        The adapter is held by this resource: the search's fold steps call it
        directly.

        Parameters
        ----------
        estimator : estimator
            The unfitted base estimator.
        param_names : iterable of str
            Names in ``param_distributions``.
        """
        self._check_arguments(estimator, param_names)
        growth = choose_growth(estimator, self.param)
        growth.check(estimator, param_names)
        self._growth = growth

    def _check_arguments(self, estimator, param_names):
        if not isinstance(self.param, str):
            raise ValueError(f"WarmStart: param must be a str, got param={self.param!r}")
        valid = set(estimator.get_params(deep=True)) | parameter_names(estimator)
        if self.param not in valid:
            raise ValueError(f"WarmStart: param={self.param!r} is not a parameter of {estimator!r}")
        if self.param in param_names:
            raise ValueError(
                f"WarmStart: param={self.param!r} is also in param_distributions; the resource "
                "sets it, so remove it from the space."
            )
        for name in ("start", "stop"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value > 0):
                raise ValueError(f"WarmStart: {name} must be a number > 0, got {name}={value!r}")
        if self.start > self.stop:
            raise ValueError(f"WarmStart: start must be <= stop, got start={self.start}, stop={self.stop}")
        if (self.step is None) == (self.factor is None):
            raise ValueError(
                f"WarmStart: give exactly one of step and factor, got step={self.step!r}, "
                f"factor={self.factor!r}"
            )
        if self.step is not None and not (isinstance(self.step, numbers.Real) and self.step > 0):
            raise ValueError(f"WarmStart: step must be > 0, got step={self.step!r}")
        if self.factor is not None and not (isinstance(self.factor, numbers.Real) and self.factor > 1):
            raise ValueError(f"WarmStart: factor must be > 1, got factor={self.factor!r}")

    def growth_for(self, model):
        """The growth adapter for ``model``: the one :meth:`check` chose, for a model of that kind.

        A model of another kind (the resource used directly, without
        :meth:`check`, or checked against another estimator) gets one chosen
        for it.

        Parameters
        ----------
        model : estimator
            The base estimator or a fold model.

        Returns
        -------
        Growth
        """
        growth = self.__dict__.get("_growth")
        if growth is not None and growth.kind == kind_of(model, self.param):
            return growth
        return choose_growth(model, self.param)

    def check_fit_params(self, estimator, fit_params):
        self.growth_for(estimator).check_fit_params(estimator, fit_params)

    def n_intervals(self, n_splits, n_train):
        return len(self.schedule())

    def reached(self, k, n_train):
        return self.schedule()[k - 1]

    def axis_label(self):
        return self.param

    def new_model(self, estimator, params):
        model = super().new_model(estimator, params)
        return self.growth_for(model).prepare(model)

    def scores_from_one_fit(self, model):
        return self.growth_for(model).scores_from_one_fit(model)

    def grows_in_one_call(self, model):
        return self.growth_for(model).grows_in_one_call(model)

    def grouping_params(self, estimator):
        return self.growth_for(estimator).grouping_params()

    def held_step_cost(self, estimator):
        return self.growth_for(estimator).held_step_cost

    def views_at(self, model, steps):
        # Scored steps: LightGBM's are read however dear (one call each would predict them too).
        rounds = [self.schedule()[step - 1] for step in steps]
        return dict(zip(steps, self.growth_for(model).round_views(model, rounds, cheap_only=False)))

    def advance(self, model, first, last, fold, rng_for, classes):
        return self.growth_for(model).grow(model, self.schedule()[last - 1], fold, fresh=first == 1)

    def earlier_steps(self, model, first, last):
        growth = self.growth_for(model)
        # The view at ``last`` stands in for the model's own prediction where
        # the two are the same bit for bit (not CatBoost's).
        steps = list(range(first, last + 1 if growth.views_last_step else last))
        try:
            views = growth.round_views(model, [self.schedule()[k - 1] for k in steps])
        except Exception:  # the points in between are a bonus: never fail a trial for them
            return []
        return [] if views is None else list(zip(steps, views))

    def refit_steps(self, estimator, scored_intervals):
        # A native continuation is the same as one fit: go straight to the end.
        if self.growth_for(estimator).refits_in_one_fit:
            return scored_intervals[-1:]
        return scored_intervals
