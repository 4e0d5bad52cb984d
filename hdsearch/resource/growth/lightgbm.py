"""LightGBM growth: ``fit(X, y, init_model=booster)``, earlier rounds read through ``num_iteration``.

Without bagging, feature subsampling, extra trees or GOSS (``gbdt``), a booster
continued from round i to j is, bit for bit, the booster fit to j in one call
(``tests/test_boosting.py`` checks it), so one call may reach several scored
rounds. LightGBM has no staged prediction: each round read costs a whole
prediction, so the points between scored rounds are read only when cheap.
"""

from .native import NativeBoosting

#: LightGBM has no staged prediction, and its predictions are dear next to its
#: training (measured on 12,000 rows of the diamonds data, 400 rounds: scoring
#: a fold model cost 18 % of fitting it, against 1 to 3 % for XGBoost and 1 %
#: for CatBoost). Its points between two scored intervals are filled only when
#: predicting them all costs at most this many predictions of the scored model
#: (each point predicts all its rounds): at most one more scoring.
LIGHTGBM_FILL_COST = 1.0

#: LightGBM parameters (with the aliases its wrappers pass on) under which
#: continuing a booster is exactly one fit: no bagging, no feature subsampling,
#: no extra trees, plain gradient boosting (``dart``, ``rf`` and GOSS draw).
FRACTIONS = (
    "colsample_bytree", "feature_fraction", "sub_feature", "feature_fraction_bynode", "colsample_bynode",
    "subsample", "bagging_fraction", "sub_row", "pos_bagging_fraction", "neg_bagging_fraction",
)
GROWTH_PARAMS = FRACTIONS + (
    "boosting_type", "boosting", "boost", "data_sample_strategy", "extra_trees", "extra_tree", "device_type", "device",
)


class LightGBMGrowth(NativeBoosting):
    """``n_estimators`` of LightGBM's wrappers, continued with ``init_model=``."""

    early_stopping_params = ("early_stopping_round", "early_stopping_rounds", "early_stopping", "n_iter_no_change")
    grouping_names = GROWTH_PARAMS

    def grows_in_one_call(self, model):
        settings = self.owner(model).get_params(deep=False)
        whole = all(settings.get(name) in (None, 1) for name in FRACTIONS)
        plain = all(settings.get(name) in (None, "gbdt") for name in ("boosting_type", "boosting", "boost"))
        return (
            whole and plain
            and settings.get("data_sample_strategy") in (None, "bagging")
            and not settings.get("extra_trees") and not settings.get("extra_tree")
            and settings.get("device_type", settings.get("device")) in (None, "cpu")
        )

    @staticmethod
    def rounds(final):
        return int(final.booster_.current_iteration())

    def continuation(self, final):
        return {"init_model": final.booster_}

    def staged_outputs(self, final, method, X, rounds):
        return [getattr(final, method)(X, num_iteration=end) for end in rounds]

    def cheap_to_read(self, rounds):
        # A view at the latest round replaces that model's own prediction.
        latest = rounds[-1]
        return sum(r for r in rounds if r < latest) <= LIGHTGBM_FILL_COST * latest
