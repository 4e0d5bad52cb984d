"""The base of native boosting growth: XGBoost, LightGBM and CatBoost rounds continued by the library.

Each continuation fits only the missing rounds on top of the previous booster
(``xgb_model=``, ``init_model=``), so the model after interval k has exactly
the rounds of interval k; with deterministic settings (no row or column
subsampling) it predicts what one fit to that many rounds predicts. In a
pipeline the transformers are fit once, at the first interval, and later
intervals continue the final step on their ``transform`` output. Early
stopping inside the library is rejected before any fit.
"""

from sklearn.base import clone

from ..base import fit_model
from .base import BOOSTING_HELD_STEP_COST, Growth
from .estimators import is_pipeline
from .views import views_of


class NativeBoosting(Growth):
    """Rounds of a library's scikit-learn wrapper (or of a pipeline ending in one), continued natively.

    A library's adapter says how many rounds a fitted wrapper holds
    (:meth:`rounds`), what continues it (:meth:`continuation`), which settings
    stop early, and how it predicts at earlier rounds (:meth:`staged_outputs`).
    """

    #: Names of the parameter that counts rounds.
    round_params = ("n_estimators",)
    #: Settings (and ``fit`` parameters) that make the library stop by itself.
    early_stopping_params = ()
    #: Whether ``set_params`` may name the rounds a continued wrapper holds.
    sets_rounds_after_fit = True
    held_step_cost = BOOSTING_HELD_STEP_COST
    refits_in_one_fit = True

    @staticmethod
    def rounds(final):
        """Rounds a fitted wrapper holds."""
        raise NotImplementedError

    def continuation(self, final):
        """The ``fit`` keyword arguments that continue the fitted wrapper ``final``."""
        raise NotImplementedError

    def staged_outputs(self, final, method, X, rounds):
        """``method``'s output for ``X`` after each of ``rounds``."""
        raise NotImplementedError

    def answers(self, final, method):
        """Whether the wrapper answers ``method`` (at any round)."""
        return hasattr(final, method)

    # ------------------------------------------------------------ checks

    def check(self, estimator, param_names):
        """Raise ValueError for early stopping inside the library, searched or set.

        It ends a fit before the rounds the interval asks for, so a trial's
        intervals would not hold the rounds they say, and the library and the
        policy would both stop trials.
        """
        settings = self.owner(estimator).get_params(deep=False)
        for name in param_names:
            if name.startswith(self.prefix) and name[len(self.prefix):] in self.early_stopping_params:
                self._raise_early_stopping(name, "searched in param_distributions")
        for name in self.early_stopping_params:
            if _stops_early(name, settings.get(name)):
                self._raise_early_stopping(self.prefix + name, repr(settings.get(name)))
        self._check_callbacks(settings.get("callbacks"))

    def check_fit_params(self, estimator, fit_params):
        """Raise ValueError when early stopping callbacks or parameters are passed to ``fit``."""
        own = self.own_fit_params(fit_params)
        for name in self.early_stopping_params:
            if _stops_early(name, own.get(name)):
                self._raise_early_stopping(self.prefix + name, f"{own[name]!r} (a fit parameter)")
        self._check_callbacks(own.get("callbacks"))

    def own_fit_params(self, fit_params):
        """The ``fit`` parameters of the wrapper, without their pipeline prefix."""
        return {key[len(self.prefix):]: value for key, value in fit_params.items() if key.startswith(self.prefix)}

    def _check_callbacks(self, callbacks):
        for callback in callbacks or ():
            if _is_early_stopping_callback(callback):
                self._raise_early_stopping(self.prefix + "callbacks", f"[..., {callback!r}, ...]")

    def _raise_early_stopping(self, name, value):
        raise ValueError(
            f"WarmStart({self.param!r}) and early stopping inside the library: {name}={value} would end "
            "a fit before the rounds an interval asks for, and the library and the policy would "
            f"both stop trials. Remove {name} and let the search's policy stop trials "
            "(e.g. HalvingPolicy()), or keep it with resource='folds' and a fixed n_estimators."
        )

    # ------------------------------------------------------------ growth

    def grow(self, model, target, fold, fresh):
        """Train ``model`` to ``target`` rounds, continuing its booster unless it is ``fresh``.

        An unfitted model is fit to ``target`` in one fit, as scikit-learn
        would; a fitted one gets a new wrapper (put back as the pipeline's
        final step).
        """
        X, y, fit_params = fold.X, fold.y, fold.fit_params
        if fresh:
            model.set_params(**{self.param: target})
            return fit_model(model, X, y, fit_params)
        if is_pipeline(model):
            X = model[:-1].transform(X)
            fit_params = _final_step_params(model, fit_params)
        grown = self._continue(self.owner(model), target, X, y, fit_params)
        if is_pipeline(model):
            model.steps[-1] = (model.steps[-1][0], grown)
            return model
        return grown

    def _continue(self, final, target, X, y, fit_params):
        """A new wrapper with ``final``'s rounds and ``target - rounds`` more, in one fit."""
        current = self.rounds(final)
        if current >= target:
            return final
        grown = clone(final).set_params(**{self.name: target - current})
        fit_model(grown, X, y, {**fit_params, **self.continuation(final)})
        if self.sets_rounds_after_fit:
            # The parameter says what the model holds, so a clone refits to the same rounds.
            grown.set_params(**{self.name: target})
        return grown

    def round_views(self, model, rounds, cheap_only=True):
        if not rounds or self.owner(model) is None:
            return None
        if cheap_only and not self.cheap_to_read(rounds):
            return None
        return views_of(model, rounds, self)

    def cheap_to_read(self, rounds):
        """Whether reading every one of ``rounds`` costs about one prediction of the model (staged reading)."""
        return True


def _final_step_params(pipeline, fit_params):
    """The fit parameters of a pipeline's final step: ``step__name`` ones, unprefixed.

    Unprefixed parameters are ones metadata routing sent to the pipeline; the
    final step gets those too.
    """
    step_names = {name for name, _ in pipeline.steps}
    final = pipeline.steps[-1][0] + "__"
    params = {}
    for key, value in fit_params.items():
        if key.startswith(final):
            params[key[len(final):]] = value
        elif key.partition("__")[0] not in step_names:
            params[key] = value
    return params


def _stops_early(name, value):
    if value is None or value is False:
        return False
    if name == "od_pval":
        return value > 0
    if name == "od_type":
        return True  # CatBoost's overfitting detector, whatever its type
    return not (isinstance(value, (int, float)) and value <= 0)


def _is_early_stopping_callback(callback):
    # xgboost.callback.EarlyStopping and LightGBM's lightgbm.early_stopping(...)
    kind = type(callback).__name__
    return kind in ("EarlyStopping", "_EarlyStoppingCallback") or hasattr(callback, "stopping_rounds")
