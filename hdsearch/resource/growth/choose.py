"""Choosing the growth adapter for an estimator and a ``WarmStart`` parameter, once per search.

Also answers one-off questions about a model without a resource
(:func:`rounds_of`, :func:`continues`, :func:`scores_from_one_fit`,
:func:`round_views`), each through the adapter chosen for it.
"""

from .catboost import CatBoostGrowth
from .estimators import final_step, kind_of, library_of, split_param
from .lightgbm import LightGBMGrowth
from .native import NativeBoosting
from .refit import Refit, warm_start_name
from .staged import StagedBoosting, is_gradient_boosting
from .warm_start_flag import WarmStartFlag
from .xgboost import XGBoostGrowth

#: The adapter of each library whose rounds continue natively.
NATIVE = {"xgboost": XGBoostGrowth, "lightgbm": LightGBMGrowth, "catboost": CatBoostGrowth}


def choose_growth(estimator, param):
    """The growth adapter for ``param`` of ``estimator``.

    In order: a library's rounds (XGBoost, LightGBM, CatBoost) continue
    natively; scikit-learn's gradient boosting rounds grow with ``warm_start``
    and are read from staged predictions; an estimator with ``warm_start``
    continues through it; anything else refits from scratch.

    Parameters
    ----------
    estimator : estimator
        The base estimator (or a fold model of the same kind).
    param : str
        The ``WarmStart`` parameter, with its pipeline prefix.

    Returns
    -------
    Growth
    """
    owner, name = split_param(estimator, param)
    native = NATIVE.get(library_of(owner))
    if native is not None and name in native.round_params:
        growth = native
    elif is_gradient_boosting(owner, name):
        growth = StagedBoosting
    elif warm_start_name(param) in estimator.get_params(deep=True):
        growth = WarmStartFlag
    else:
        growth = Refit
    return growth(param, kind_of(estimator, param))


def rounds_of(model):
    """Rounds a fitted XGBoost, LightGBM or CatBoost wrapper (or a pipeline ending in one) holds.

    Parameters
    ----------
    model : estimator

    Returns
    -------
    int
    """
    final = final_step(model)
    return NATIVE[library_of(final)].rounds(final)


def continues(estimator, param):
    """Whether growing ``param`` of ``estimator`` continues a booster natively.

    Parameters
    ----------
    estimator : estimator
    param : str

    Returns
    -------
    bool
    """
    return isinstance(choose_growth(estimator, param), NativeBoosting)


def scores_from_one_fit(model, param):
    """Whether one fit of ``model`` can be scored at every earlier value of ``param``, bit for bit.

    Parameters
    ----------
    model : estimator
    param : str

    Returns
    -------
    bool
    """
    return choose_growth(model, param).scores_from_one_fit(model)


def round_views(model, param, rounds, cheap_only=True):
    """Views of the fitted ``model`` after each of ``rounds`` rounds, when that is cheap; else None.

    Parameters
    ----------
    model : estimator
    param : str
    rounds : list of int
    cheap_only : bool, default=True

    Returns
    -------
    list of RoundView or None
    """
    return choose_growth(model, param).round_views(model, rounds, cheap_only)
