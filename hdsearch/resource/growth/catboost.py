"""CatBoost growth: ``fit(X, y, init_model=model)``, earlier rounds read through ``staged_*``.

CatBoost's continuation is not exactly one fit, so each scored interval is its
own call. CatBoost picks ``learning_rate`` from the iteration count when it is
not given, and keeps only the best round with an ``eval_set``: both are
rejected before any fit. Its ``get_params`` lists only the constructor's
arguments given, so :func:`parameter_names` reads the constructor's signature.
"""

import copy
import inspect
import math

from .estimators import is_pipeline, library_of
from .native import NativeBoosting


def parameter_names(estimator):
    """Parameter names a wrapper accepts that ``get_params`` may not list.

    CatBoost's ``get_params`` lists only the parameters given to the
    constructor; its constructor's signature lists them all. Pipeline steps
    get their ``step__`` prefix.

    Parameters
    ----------
    estimator : estimator

    Returns
    -------
    set of str
    """
    owners = estimator.steps if is_pipeline(estimator) else [("", estimator)]
    names = set()
    for step_name, owner in owners:
        if library_of(owner) != "catboost":
            continue
        prefix = f"{step_name}__" if step_name else ""
        signature = inspect.signature(type(owner).__init__)
        names.update(prefix + name for name in signature.parameters if name != "self")
    return names


class CatBoostGrowth(NativeBoosting):
    """``n_estimators`` or ``iterations`` of CatBoost's wrappers, continued with ``init_model=``."""

    round_params = ("n_estimators", "iterations")
    early_stopping_params = ("early_stopping_rounds", "od_type", "od_wait", "od_pval")
    sets_rounds_after_fit = False  # CatBoost forbids set_params on a fitted model
    # Its staged probabilities differ from its own in the last bit.
    views_last_step = False

    def check(self, estimator, param_names):
        """Also raise ValueError when ``learning_rate`` is neither set nor searched.

        CatBoost then picks it from the number of iterations, so each
        continuation would learn at another rate than one fit to the final
        rounds.
        """
        owner = self.owner(estimator)
        if owner.get_params(deep=False).get("learning_rate") is None and self.prefix + "learning_rate" not in param_names:
            raise ValueError(
                f"WarmStart({self.param!r}) on {type(owner).__name__}: learning_rate is not set, and CatBoost "
                "then picks it from the number of iterations, so a model grown interval by interval "
                f"would not be the model one fit trains. Set {self.prefix}learning_rate (e.g. 0.1) or search it "
                "in param_distributions."
            )
        super().check(estimator, param_names)

    def check_fit_params(self, estimator, fit_params):
        """Also raise ValueError for an ``eval_set`` without ``use_best_model=False`` (CatBoost keeps the best round)."""
        super().check_fit_params(estimator, fit_params)
        own = self.own_fit_params(fit_params)
        best_model = own.get("use_best_model", self.owner(estimator).get_params(deep=False).get("use_best_model"))
        if own.get("eval_set") is not None and best_model is not False:
            self._raise_early_stopping(
                self.prefix + "use_best_model", f"{best_model!r} with an eval_set (CatBoost keeps the best round)"
            )

    @staticmethod
    def rounds(final):
        return int(final.tree_count_)

    def continuation(self, final):
        # A model in memory carries its random state (random strength) into the
        # next fit; a copy starts it over, as between waves and processes.
        return {"init_model": copy.deepcopy(final)}

    def staged_outputs(self, final, method, X, rounds):
        step = math.gcd(*rounds)
        staged = getattr(final, "staged_" + method)(X, ntree_end=rounds[-1], eval_period=step)
        wanted = set(rounds)
        # CatBoost yields after step, 2 * step, ... trees (and at ntree_end).
        return [output for count, output in zip(range(step, rounds[-1] + 1, step), staged) if count in wanted]
