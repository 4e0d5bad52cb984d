"""Boosting rounds of XGBoost, LightGBM and CatBoost, continued natively.

``WarmStart("n_estimators", ...)`` on the scikit-learn wrappers of these
libraries (``XGBClassifier``, ``LGBMRegressor``, ``CatBoostClassifier``, ...,
also as the last step of a ``Pipeline``) continues training from the
previous interval's booster through each library's public API:

- XGBoost: ``fit(X, y, xgb_model=booster)``;
- LightGBM: ``fit(X, y, init_model=booster)``;
- CatBoost: ``fit(X, y, init_model=model)``.

Each continuation fits only the missing rounds, so the model after interval k
has exactly the rounds of interval k; with deterministic settings (no row or
column subsampling) it predicts what one fit to that many rounds predicts.

The same module answers "what did the model predict after j rounds?" without
retraining (:func:`round_views`), so that the intervals between two scored
intervals get a score too. Nothing of a library is imported until a wrapper
of that library is seen: the library is recognised by the module name of the
estimator's class (or of one of its bases).
"""

import copy
import inspect
import math

from sklearn.base import clone

#: The parameter that counts rounds, by library; CatBoost also calls it ``iterations``.
_ROUND_PARAMS = {
    "xgboost": ("n_estimators",),
    "lightgbm": ("n_estimators",),
    "catboost": ("n_estimators", "iterations"),
}

#: LightGBM has no staged prediction, and its predictions are dear next to its
#: training (measured on 12,000 rows of the diamonds data, 400 rounds: scoring
#: a fold model cost 18 % of fitting it, against 1 to 3 % for XGBoost and 1 %
#: for CatBoost). Its points between two scored intervals are filled only when
#: predicting them all costs at most this many predictions of the scored model
#: (each point predicts all its rounds): at most one more scoring.
LIGHTGBM_FILL_COST = 1.0


def library_of(estimator):
    """``"xgboost"``, ``"lightgbm"``, ``"catboost"`` or None, from the module names of the class and its bases.

    Subclasses of the wrappers are recognised too; nothing is imported.

    Parameters
    ----------
    estimator : object

    Returns
    -------
    str or None
    """
    for cls in type(estimator).__mro__:
        top = (cls.__module__ or "").partition(".")[0]
        if top in _ROUND_PARAMS:
            return top
    return None


def _is_pipeline(estimator):
    from sklearn.pipeline import Pipeline

    return isinstance(estimator, Pipeline)


def split_param(estimator, param):
    """The estimator that owns ``param`` and the parameter's own name, when it is the final step.

    Parameters
    ----------
    estimator : estimator
        A plain estimator or a ``Pipeline``.
    param : str
        ``"n_estimators"``, or ``"<last step>__n_estimators"`` for a pipeline.

    Returns
    -------
    owner : estimator or None
        The estimator itself, or the pipeline's final step; None when
        ``param`` reaches anything else.
    name : str
    """
    owner_name, _, name = param.rpartition("__")
    if not owner_name:
        return estimator, name
    if _is_pipeline(estimator) and estimator.steps and estimator.steps[-1][0] == owner_name:
        return estimator.steps[-1][1], name
    return None, name


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
    owner, name = split_param(estimator, param)
    library = library_of(owner)
    return library is not None and name in _ROUND_PARAMS[library]


def grows_in_one_call(estimator, param):
    """Whether one call can take a fold model from any round to any later one, exactly.

    What :func:`scores_from_one_fit` says of its models, and also of
    LightGBM's wrappers (``n_estimators``) without bagging, feature
    subsampling, extra trees or GOSS (``gbdt``): continued from round i to j,
    the booster is, bit for bit, the booster fit to j in one call, and
    ``num_iteration=i`` on it predicts what the booster fit to i predicts
    (``tests/test_boosting.py`` checks both). LightGBM has no staged
    prediction, so it is scored only where the policy reads, with the points
    in between read as one call per scored interval would read them.

    Parameters
    ----------
    estimator : estimator
        A fold model with the trial's parameters, or a ``Pipeline`` ending in one.
    param : str

    Returns
    -------
    bool
    """
    owner, name = split_param(estimator, param)
    if library_of(owner) == "lightgbm":
        return name == "n_estimators" and _lightgbm_grows_exactly(owner.get_params(deep=False))
    return scores_from_one_fit(estimator, param)


def scores_from_one_fit(estimator, param):
    """Whether ``param`` counts the rounds of a boosting model that one fit can stand for.

    ``GradientBoosting*`` (``n_estimators``) and ``HistGradientBoosting*``
    (``max_iter``) with their early stopping off, and XGBoost's wrappers
    (``n_estimators``) without row or column subsampling (``gbtree`` on the
    CPU): a model continued from round i to round j is, bit for bit, the
    model fit to j in one call, and its staged prediction at round i is, bit
    for bit, the prediction of the model fit to i (``tests/test_staged.py``
    and ``tests/test_boosting.py`` check both on the installed libraries). So
    a fold model can train from any round to any later one in one call and be
    scored at every round on the way (:func:`round_views`), whatever grouping
    of rounds into calls the engine chooses. (Subsampling draws differ with
    the grouping, CatBoost's continuation is not exact, and LightGBM's
    continuation is exact but it has no staged prediction, so each round
    read costs a whole prediction: these keep one call per scored interval.)

    Parameters
    ----------
    estimator : estimator
        A fold model with the trial's parameters, or a ``Pipeline`` ending in one.
    param : str

    Returns
    -------
    bool
    """
    owner, name = split_param(estimator, param)
    if library_of(owner) == "xgboost":
        return name == "n_estimators" and _xgboost_grows_exactly(owner.get_params(deep=False))
    if not is_gradient_boosting(estimator, param):
        return False
    # With early stopping on, where a fit stops depends on the calls that reached it.
    if "early_stopping" in owner.get_params(deep=False):  # HistGradientBoosting*
        return owner.early_stopping is False
    return owner.n_iter_no_change is None


def grouping_params(estimator, param):
    """The parameters, named as in a search space, whose values decide :func:`grows_in_one_call`.

    A search that searches one of them may run trials for which one call
    does not stand for several, so it scores only where the policy reads.

    Parameters
    ----------
    estimator : estimator
        Or a ``Pipeline`` ending in one.
    param : str

    Returns
    -------
    tuple of str
    """
    owner, name = split_param(estimator, param)
    prefix = param[: len(param) - len(name)]
    if library_of(owner) == "xgboost":
        names = _XGBOOST_GROWTH_PARAMS
    elif library_of(owner) == "lightgbm":
        names = _LIGHTGBM_GROWTH_PARAMS
    elif is_gradient_boosting(estimator, param):
        names = ("early_stopping", "n_iter_no_change")
    else:
        names = ()
    return tuple(prefix + name for name in names)


#: XGBoost parameters under which continuing a booster is exactly one fit: no
#: row or column subsampling (their draws depend on the rounds before, measured
#: even with ``seed_per_iteration``), no dropout (``dart``), on the CPU.
_XGBOOST_GROWTH_PARAMS = ("subsample", "colsample_bytree", "colsample_bylevel", "colsample_bynode", "booster", "device")


def _xgboost_grows_exactly(settings):
    whole = all(settings.get(name) in (None, 1) for name in _XGBOOST_GROWTH_PARAMS[:4])
    return whole and settings.get("booster") in (None, "gbtree") and settings.get("device") in (None, "cpu")


#: LightGBM parameters (with the aliases its wrappers pass on) under which
#: continuing a booster is exactly one fit: no bagging, no feature subsampling,
#: no extra trees, plain gradient boosting (``dart``, ``rf`` and GOSS draw).
_LIGHTGBM_FRACTIONS = (
    "colsample_bytree", "feature_fraction", "sub_feature", "feature_fraction_bynode", "colsample_bynode",
    "subsample", "bagging_fraction", "sub_row", "pos_bagging_fraction", "neg_bagging_fraction",
)
_LIGHTGBM_GROWTH_PARAMS = _LIGHTGBM_FRACTIONS + (
    "boosting_type", "boosting", "boost", "data_sample_strategy", "extra_trees", "extra_tree", "device_type", "device",
)


def _lightgbm_grows_exactly(settings):
    whole = all(settings.get(name) in (None, 1) for name in _LIGHTGBM_FRACTIONS)
    plain = all(settings.get(name) in (None, "gbdt") for name in ("boosting_type", "boosting", "boost"))
    return (
        whole and plain
        and settings.get("data_sample_strategy") in (None, "bagging")
        and not settings.get("extra_trees") and not settings.get("extra_tree")
        and settings.get("device_type", settings.get("device")) in (None, "cpu")
    )


def is_gradient_boosting(estimator, param):
    """Whether ``param`` counts the rounds of a scikit-learn gradient boosting model.

    ``GradientBoosting*`` (``n_estimators``) and ``HistGradientBoosting*``
    (``max_iter``): a ``warm_start`` fit of theirs predicts every round held
    on the training rows before it grows new ones.

    Parameters
    ----------
    estimator : estimator
        Or a ``Pipeline`` ending in one.
    param : str

    Returns
    -------
    bool
    """
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    owner, name = split_param(estimator, param)
    if isinstance(owner, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return name == "max_iter"
    return isinstance(owner, (GradientBoostingClassifier, GradientBoostingRegressor)) and name == "n_estimators"


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
    owners = estimator.steps if _is_pipeline(estimator) else [("", estimator)]
    names = set()
    for step_name, owner in owners:
        if library_of(owner) != "catboost":
            continue
        prefix = f"{step_name}__" if step_name else ""
        signature = inspect.signature(type(owner).__init__)
        names.update(prefix + name for name in signature.parameters if name != "self")
    return names


# ---------------------------------------------------------------- settings


def check_settings(estimator, param, param_names):
    """Raise ValueError for settings under which continuing would not grow one model.

    - Early stopping inside the library ends a fit before the rounds the
      interval asks for, so a trial's intervals would not hold the rounds
      they say, and the library and the policy would both stop trials.
    - CatBoost picks ``learning_rate`` from the number of iterations when it
      is not given, so each continuation would learn at another rate than
      one fit to the final rounds.

    Parameters
    ----------
    estimator : estimator
    param : str
        The ``WarmStart`` parameter.
    param_names : iterable of str
        Names in ``param_distributions``.
    """
    owner, prefix, library = _owner(estimator, param)
    settings = owner.get_params(deep=False)
    if library == "catboost" and settings.get("learning_rate") is None and prefix + "learning_rate" not in param_names:
        raise ValueError(
            f"WarmStart({param!r}) on {type(owner).__name__}: learning_rate is not set, and CatBoost "
            "then picks it from the number of iterations, so a model grown interval by interval "
            f"would not be the model one fit trains. Set {prefix}learning_rate (e.g. 0.1) or search it "
            "in param_distributions."
        )
    for name in param_names:
        if name.startswith(prefix) and name[len(prefix):] in _EARLY_STOPPING_PARAMS[library]:
            _raise_early_stopping(param, name, "searched in param_distributions")
    for name in _EARLY_STOPPING_PARAMS[library]:
        if _stops_early(name, settings.get(name)):
            _raise_early_stopping(param, prefix + name, repr(settings.get(name)))
    _check_callbacks(param, prefix + "callbacks", settings.get("callbacks"))


def check_fit_params(estimator, param, fit_params):
    """Raise ValueError when parameters of ``fit`` would make the library stop by itself.

    Early stopping callbacks (``xgboost.callback.EarlyStopping``,
    ``lightgbm.early_stopping``), ``early_stopping_rounds``, and CatBoost's
    ``eval_set`` without ``use_best_model=False`` (CatBoost then keeps only
    the rounds up to the best one).

    Parameters
    ----------
    estimator : estimator
    param : str
        The ``WarmStart`` parameter.
    fit_params : dict
        Parameters passed to ``fit`` (``step__name`` for a pipeline step).
    """
    owner, prefix, library = _owner(estimator, param)
    own = {key[len(prefix):]: value for key, value in fit_params.items() if key.startswith(prefix)}
    for name in _EARLY_STOPPING_PARAMS[library]:
        if _stops_early(name, own.get(name)):
            _raise_early_stopping(param, prefix + name, f"{own[name]!r} (a fit parameter)")
    _check_callbacks(param, prefix + "callbacks", own.get("callbacks"))
    best_model = own.get("use_best_model", owner.get_params(deep=False).get("use_best_model"))
    if library == "catboost" and own.get("eval_set") is not None and best_model is not False:
        _raise_early_stopping(
            param, prefix + "use_best_model", f"{best_model!r} with an eval_set (CatBoost keeps the best round)"
        )


def _owner(estimator, param):
    owner, name = split_param(estimator, param)
    return owner, param[: -len(name)], library_of(owner)


def _check_callbacks(param, name, callbacks):
    for callback in callbacks or ():
        if _is_early_stopping_callback(callback):
            _raise_early_stopping(param, name, f"[..., {callback!r}, ...]")


_EARLY_STOPPING_PARAMS = {
    "xgboost": ("early_stopping_rounds",),
    "lightgbm": ("early_stopping_round", "early_stopping_rounds", "early_stopping", "n_iter_no_change"),
    "catboost": ("early_stopping_rounds", "od_type", "od_wait", "od_pval"),
}


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


def _raise_early_stopping(param, name, value):
    raise ValueError(
        f"WarmStart({param!r}) and early stopping inside the library: {name}={value} would end "
        "a fit before the rounds an interval asks for, and the library and the policy would "
        f"both stop trials. Remove {name} and let the search's policy stop trials "
        "(e.g. HalvingPolicy()), or keep it with resource='folds' and a fixed n_estimators."
    )


# ---------------------------------------------------------------- continuation


def grow(model, param, target, X, y, fit_params, fresh):
    """Train ``model`` to ``target`` rounds, continuing its booster unless it is ``fresh``.

    Parameters
    ----------
    model : estimator
        A wrapper (or a pipeline ending in one) after some rounds, or unfitted.
    param : str
        The rounds parameter, with its pipeline prefix.
    target : int
        Rounds the model has after this call.
    X, y : array-like
        The training rows.
    fit_params : dict
        Parameters for ``fit`` (``step__name`` for a pipeline).
    fresh : bool
        Whether ``model`` is unfitted: it is then fit to ``target`` in one
        fit, as scikit-learn would.

    Returns
    -------
    model : estimator
        The model after ``target`` rounds (a new object for a continuation).
    """
    if fresh:
        model.set_params(**{param: target})
        if y is None:
            return model.fit(X, **fit_params)
        return model.fit(X, y, **fit_params)
    owner, name = split_param(model, param)
    if _is_pipeline(model):
        X = model[:-1].transform(X)
        fit_params = _final_step_params(model, fit_params)
    grown = _continue(owner, name, target, X, y, fit_params)
    if _is_pipeline(model):
        model.steps[-1] = (model.steps[-1][0], grown)
        return model
    return grown


def seeded_per_round(model, param):
    """``model`` with XGBoost's ``seed_per_iteration=True``; other libraries as they are.

    XGBoost draws row and column subsamples from a random engine that lives
    in the process, so a continued booster's rounds depend on what trained
    before it there (measured: the same search gave other scores when run
    twice in one process). Seeded by round number, each round draws the same
    rows wherever and after whatever it runs.

    Parameters
    ----------
    model : estimator
        A fresh fold model (a wrapper or a pipeline ending in one).
    param : str

    Returns
    -------
    model : estimator
    """
    owner, _ = split_param(model, param)
    if library_of(owner) == "xgboost":
        owner.set_params(seed_per_iteration=True)
    return model


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


def rounds_of(model):
    """Rounds a fitted wrapper (or a pipeline ending in one) holds.

    Parameters
    ----------
    model : estimator

    Returns
    -------
    int
    """
    if _is_pipeline(model):
        model = model.steps[-1][1]
    library = library_of(model)
    if library == "xgboost":
        return int(model.get_booster().num_boosted_rounds())
    if library == "lightgbm":
        return int(model.booster_.current_iteration())
    return int(model.tree_count_)


def _continue(model, name, target, X, y, fit_params):
    """A new wrapper with ``model``'s rounds and ``target - rounds`` more, in one fit."""
    current = rounds_of(model)
    if current >= target:
        return model
    grown = clone(model).set_params(**{name: target - current})
    library = library_of(model)
    # An XGBoost booster or a CatBoost model in memory carries its random
    # state (row subsampling, random strength) into the next fit; a copied
    # one (as between waves and processes) starts it over. Always continuing
    # from a copy makes the rounds independent of how the intervals were
    # grouped into tasks.
    if library == "xgboost":
        init = {"xgb_model": copy.deepcopy(model.get_booster())}
    elif library == "lightgbm":
        init = {"init_model": model.booster_}
    else:
        init = {"init_model": copy.deepcopy(model)}
    if y is None:
        grown.fit(X, **fit_params, **init)
    else:
        grown.fit(X, y, **fit_params, **init)
    if library != "catboost":  # CatBoost forbids set_params on a fitted model
        # The parameter says what the model holds, so a clone refits to the same rounds.
        grown.set_params(**{name: target})
    return grown


# ---------------------------------------------------------------- earlier rounds


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
        from sklearn.base import is_classifier, is_regressor
        from sklearn.metrics import accuracy_score, r2_score

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
    library : str
        ``"xgboost"``, ``"lightgbm"``, ``"catboost"`` or ``"sklearn"``.
    """

    def __init__(self, model, rounds, library):
        self.final = model.steps[-1][1] if _is_pipeline(model) else model
        self.transform = model[:-1].transform if _is_pipeline(model) else None
        self.rounds = list(rounds)
        self.library = library
        self._cache = {}

    def has(self, method):
        """Whether the model answers ``method`` (a view then answers it too)."""
        if not hasattr(self.final, method):
            return False
        return self.library != "sklearn" or hasattr(self.final, "staged_" + method)

    def at(self, method, X, rounds):
        """``method``'s output for ``X`` after ``rounds`` rounds."""
        key = (method, id(X))
        if key not in self._cache:
            Xt = X if self.transform is None else self.transform(X)
            # X is kept with its outputs, so its id stays its own.
            self._cache[key] = (X, dict(zip(self.rounds, self._all_rounds(method, Xt))))
        return self._cache[key][1][rounds]

    def _all_rounds(self, method, X):
        return _STAGED[self.library](self.final, method, X, self.rounds)


def _xgboost_rounds(model, method, X, rounds):
    # Each round range starts from the previous range's margin (base_margin
    # replaces the base score), so every tree is predicted once; where the
    # prediction is the margin itself, once in all.
    identity = method == "predict" and model.get_params().get("objective") in _XGBOOST_IDENTITY_OBJECTIVES
    outputs, margin, previous = [], None, 0
    for end in rounds:
        window = {"base_margin": margin, "iteration_range": (previous, end)}
        if not identity:
            outputs.append(getattr(model, method)(X, **window))
        margin = model.predict(X, output_margin=True, **window)
        if identity:
            outputs.append(margin)
        previous = end
    return outputs


#: XGBoost objectives whose prediction is the raw margin (XGBRegressor's default among them).
_XGBOOST_IDENTITY_OBJECTIVES = ("reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror")


def _lightgbm_rounds(model, method, X, rounds):
    return [getattr(model, method)(X, num_iteration=end) for end in rounds]


def _catboost_rounds(model, method, X, rounds):
    step = math.gcd(*rounds)
    staged = getattr(model, "staged_" + method)(X, ntree_end=rounds[-1], eval_period=step)
    wanted = set(rounds)
    # CatBoost yields after step, 2 * step, ... trees (and at ntree_end).
    return [output for count, output in zip(range(step, rounds[-1] + 1, step), staged) if count in wanted]


def _sklearn_rounds(model, method, X, rounds):
    wanted = set(rounds)
    staged = getattr(model, "staged_" + method)(X)
    return [output for count, output in enumerate(staged, start=1) if count in wanted]


_STAGED = {
    "xgboost": _xgboost_rounds,
    "lightgbm": _lightgbm_rounds,
    "catboost": _catboost_rounds,
    "sklearn": _sklearn_rounds,
}


def round_views(model, param, rounds, cheap_only=True):
    """Views of a fitted ``model`` after each of ``rounds`` rounds, when that is cheap; else None.

    Cheap means: without retraining, predicting every tree once (XGBoost
    through ``base_margin`` and ``iteration_range``, CatBoost's
    ``staged_predict``, scikit-learn's ``staged_*`` methods of
    ``GradientBoosting*`` and ``HistGradientBoosting*``); for LightGBM,
    ``num_iteration`` for points that all cost at most one more prediction
    of the model at the last of ``rounds`` (so a call that trained past
    them reads the same points as one that ended there).

    Parameters
    ----------
    model : estimator
        The fitted model after at least ``max(rounds)`` rounds.
    param : str
        The rounds parameter (``n_estimators``, ``max_iter``, with its pipeline prefix).
    rounds : list of int
        Increasing round counts, none above the model's.
    cheap_only : bool, default=True
        False reads LightGBM's rounds however dear: they are scored rounds,
        which a call per round would have predicted anyway.

    Returns
    -------
    list of RoundView or None
    """
    owner, name = split_param(model, param)
    if not rounds or owner is None:
        return None
    library = library_of(owner)
    if library is None:
        if not (_is_sklearn_gradient_boosting(owner) and name in ("n_estimators", "max_iter")):
            return None
        library = "sklearn"
        if _sklearn_rounds_held(owner) < rounds[-1]:
            return None
    elif name not in _ROUND_PARAMS[library]:
        return None
    if library == "lightgbm" and cheap_only:
        latest = rounds[-1]
        # A view at the latest round replaces that model's own prediction.
        if sum(r for r in rounds if r < latest) > LIGHTGBM_FILL_COST * latest:
            return None
    staged = StagedPredictions(model, rounds, library)
    return [RoundView(model, count, staged) for count in rounds]


def _is_sklearn_gradient_boosting(estimator):
    module = type(estimator).__module__ or ""
    return module.startswith("sklearn.ensemble") and hasattr(estimator, "staged_predict")


def _sklearn_rounds_held(model):
    # HistGradientBoosting* stop early by themselves unless told not to.
    return getattr(model, "n_iter_", None) or getattr(model, "n_estimators_", 0)
