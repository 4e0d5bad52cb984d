"""Growth adapters: how a ``WarmStart`` parameter grows a fold model, one file per case.

``WarmStart.check`` chooses one adapter (:func:`choose_growth`) and the fold
steps call it directly: XGBoost, LightGBM and CatBoost rounds continued
natively, scikit-learn gradient boosting read from staged predictions, an
estimator's ``warm_start`` flag, or a refit from scratch.
"""

from .base import BOOSTING_HELD_STEP_COST, Growth
from .catboost import CatBoostGrowth, parameter_names
from .choose import choose_growth, continues, round_views, rounds_of, scores_from_one_fit
from .estimators import kind_of, library_of, split_param
from .lightgbm import LightGBMGrowth
from .native import NativeBoosting
from .refit import Refit
from .staged import StagedBoosting
from .views import RoundView
from .warm_start_flag import WarmStartFlag
from .xgboost import XGBoostGrowth

__all__ = [
    "BOOSTING_HELD_STEP_COST",
    "CatBoostGrowth",
    "Growth",
    "LightGBMGrowth",
    "NativeBoosting",
    "Refit",
    "RoundView",
    "StagedBoosting",
    "WarmStartFlag",
    "XGBoostGrowth",
    "choose_growth",
    "continues",
    "kind_of",
    "library_of",
    "parameter_names",
    "round_views",
    "rounds_of",
    "scores_from_one_fit",
    "split_param",
]
