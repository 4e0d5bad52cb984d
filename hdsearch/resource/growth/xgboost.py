"""XGBoost growth: ``fit(X, y, xgb_model=booster)``, earlier rounds read through ``iteration_range``.

Without row or column subsampling (``gbtree`` on the CPU) a continued booster
is, bit for bit, the booster of one fit, and its prediction at an earlier round
is that of a shorter fit, so a task trains once and scores every round on the
way. Nothing of XGBoost is imported: the wrapper's own methods are called.
"""

import copy

from .native import NativeBoosting

#: XGBoost parameters under which continuing a booster is exactly one fit: no
#: row or column subsampling (their draws depend on the rounds before, measured
#: even with ``seed_per_iteration``), no dropout (``dart``), on the CPU.
GROWTH_PARAMS = ("subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode", "booster", "device")

#: XGBoost objectives whose prediction is the raw margin (XGBRegressor's default among them).
IDENTITY_OBJECTIVES = ("reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror")


class XGBoostGrowth(NativeBoosting):
    """``n_estimators`` of XGBoost's wrappers, continued with ``xgb_model=``."""

    early_stopping_params = ("early_stopping_rounds",)
    grouping_names = GROWTH_PARAMS

    def prepare(self, model):
        """Set ``seed_per_iteration=True``.

        XGBoost draws row and column subsamples from a random engine that
        lives in the process, so a continued booster's rounds depend on what
        trained before it there (measured: the same search gave other scores
        when run twice in one process). Seeded by round number, each round
        draws the same rows wherever and after whatever it runs.
        """
        self.owner(model).set_params(seed_per_iteration=True)
        return model

    def scores_from_one_fit(self, model):
        settings = self.owner(model).get_params(deep=False)
        whole = all(settings.get(name) in (None, 1) for name in GROWTH_PARAMS[:4])
        return whole and settings.get("booster") in (None, "gbtree") and settings.get("device") in (None, "cpu")

    @staticmethod
    def rounds(final):
        return int(final.get_booster().num_boosted_rounds())

    def continuation(self, final):
        # A booster in memory carries its random state into the next fit; a
        # copied one (as between waves and processes) starts it over. Always
        # continuing from a copy makes the rounds independent of how the
        # intervals were grouped into tasks.
        return {"xgb_model": copy.deepcopy(final.get_booster())}

    def staged_outputs(self, final, method, X, rounds):
        # Each round range starts from the previous range's margin (base_margin
        # replaces the base score), so every tree is predicted once; where the
        # prediction is the margin itself, once in all.
        identity = method == "predict" and final.get_params().get("objective") in IDENTITY_OBJECTIVES
        outputs, margin, previous = [], None, 0
        for end in rounds:
            window = {"base_margin": margin, "iteration_range": (previous, end)}
            if not identity:
                outputs.append(getattr(final, method)(X, **window))
            margin = final.predict(X, output_margin=True, **window)
            if identity:
                outputs.append(margin)
            previous = end
        return outputs
