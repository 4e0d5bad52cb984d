"""The engine at scale: overhead per trial, memory with a large X, uneven fit times, parallel speed-up.

Four parts, each beside its reference in the same process run:

A. Engine overhead: random search of a trivial estimator, 1,000 and 10,000
   trials x 5 folds, n_jobs=2, with and without the SQLite store. The engine's
   own time per trial is (wall - sum(fit + score times) / 2) / trials.
B. Large data: X of 1 GiB (float64), 20 trials x 3 folds of a cheap
   estimator, n_jobs=2, against GridSearchCV on the same candidates; peak
   memory of the whole process tree (sum of RSS, and of PSS, which counts a
   shared memmapped page once), sampled every 50 ms. HyperDriveSearchCV runs
   it with a MedianStoppingPolicy, so the data cross several waves.
C. Uneven fit times: 64 trials whose fits sleep 0.05 to 0.5 s (tenfold),
   MedianStoppingPolicy over the folds, n_jobs=2: wall time against the
   ideal, sum of fit times / 2.

Parts A, C and D start from a warm worker pool (see ``warm_workers``).
D. Parallel efficiency: a 60-trial SVC search on digits, 5 folds, n_jobs=2
   against n_jobs=1, beside RandomizedSearchCV's own speed-up.

Usage::

    python benchmarks/bench_scale.py [--parts ABCD] [--gib 1.0]
"""

import argparse
import importlib
import os
import platform
import tempfile
import threading
import time

import joblib
import numpy as np
import psutil
import sklearn
from scipy.stats import loguniform as scipy_loguniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hdsearch import HyperDriveSearchCV, choice, uniform
from hdsearch.policy import MedianStoppingPolicy


class Trivial(RegressorMixin, BaseEstimator):
    """Fits nothing; scores how close ``a`` is to 0.5."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def score(self, X, y):
        return -abs(self.a - 0.5)


class Sleeper(RegressorMixin, BaseEstimator):
    """Its fit sleeps ``seconds``; scores ``quality``."""

    def __init__(self, seconds=0.1, quality=0.0):
        self.seconds = seconds
        self.quality = quality

    def fit(self, X, y):
        time.sleep(self.seconds)
        self.fitted_ = True
        return self

    def score(self, X, y):
        return self.quality


def _import_everything(modules):
    for module in modules:
        importlib.import_module(module)
    return os.getpid()


def warm_workers(n_jobs=2, modules=("hdsearch.engine.worker", "sklearn.svm")):
    """Start the reusable worker pool and import scikit-learn and hdsearch in it.

    Importing them takes about 4 s per process on this machine; every joblib
    search pays it once per pool, GridSearchCV included, so the timed runs
    start from a warm pool.
    """
    pids = set()
    while len(pids) < n_jobs:
        calls = (joblib.delayed(_import_everything)(modules) for _ in range(4 * n_jobs))
        pids |= set(joblib.Parallel(n_jobs=n_jobs)(calls))


def busy_seconds(search):
    return sum(r.fit_time + r.score_time for trial in search.trials_ for r in trial.results)


def part_a():
    X, y = np.zeros((100, 2)), np.zeros(100)
    warm_workers()
    print("\n### A. Engine overhead (trivial estimator, 5 folds, n_jobs=2)\n")
    print("| trials | store | wall s | fit+score s | engine ms per trial |")
    print("|---|---|---|---|---|")
    per_trial = {}
    with tempfile.TemporaryDirectory() as folder:
        for n_trials in (1000, 10000):
            for storage in (None, os.path.join(folder, f"scale-{n_trials}.db")):
                search = HyperDriveSearchCV(
                    Trivial(), {"a": uniform(0, 1)}, max_total_runs=n_trials, cv=5, n_jobs=2,
                    random_state=0, refit=False, storage=storage,
                )
                start = time.perf_counter()
                search.fit(X, y)
                wall = time.perf_counter() - start
                busy = busy_seconds(search)
                engine_ms = 1000 * (wall - busy / 2) / n_trials
                per_trial[(n_trials, storage is not None)] = engine_ms
                label = "SQLite" if storage else "none"
                print(f"| {n_trials:,} | {label} | {wall:.2f} | {busy:.2f} | {engine_ms:.2f} |", flush=True)
    return per_trial


class TreeMemory:
    """Peak memory of this process and its children, sampled in a thread."""

    def __init__(self, interval=0.05):
        self.interval = interval
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        root = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for process in [root, *root.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += info.pss
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def part_b(gib):
    n_features = 128
    n_samples = int(gib * 2**30 / 8 / n_features)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    y = X[:, 0] + 0.1 * rng.standard_normal(n_samples)
    alphas = list(np.logspace(-6, -1, 20))
    cv = KFold(3, shuffle=True, random_state=0)
    estimator = SGDRegressor(max_iter=1, tol=None, random_state=0)
    runs = {
        "GridSearchCV": lambda: GridSearchCV(estimator, {"alpha": alphas}, cv=cv, n_jobs=2, refit=False),
        "HyperDriveSearchCV (MedianStoppingPolicy, 3 waves)": lambda: HyperDriveSearchCV(
            estimator, {"alpha": choice(*alphas)}, sampling="grid", policy=MedianStoppingPolicy(),
            cv=cv, n_jobs=2, refit=False,
        ),
    }
    base = psutil.Process().memory_full_info()
    print(f"\n### B. Large data: X {X.nbytes / 2**30:.2f} GiB float64 ({n_samples:,} x {n_features}), "
          "20 trials x 3 folds, n_jobs=2\n")
    print(f"Parent before the searches: RSS {base.rss / 2**30:.2f} GiB, PSS {base.pss / 2**30:.2f} GiB.\n")
    print("| search | wall s | peak RSS of the tree GiB | peak PSS of the tree GiB | RSS / GridSearchCV | PSS / GridSearchCV |")
    print("|---|---|---|---|---|---|")
    peaks = {}
    for name, make in runs.items():
        with TreeMemory() as memory:
            start = time.perf_counter()
            make().fit(X, y)
            wall = time.perf_counter() - start
        peaks[name] = (memory.peak_rss, memory.peak_pss)
        reference = peaks["GridSearchCV"]
        print(
            f"| {name} | {wall:.1f} | {memory.peak_rss / 2**30:.2f} | {memory.peak_pss / 2**30:.2f} | "
            f"{memory.peak_rss / reference[0]:.2f} | {memory.peak_pss / reference[1]:.2f} |",
            flush=True,
        )
    return peaks


def part_c():
    rng = np.random.default_rng(0)
    seconds = list(np.round(np.geomspace(0.05, 0.5, 64), 4))
    rng.shuffle(seconds)
    qualities = list(rng.uniform(0, 1, 64))
    space = [{"seconds": [s], "quality": [q]} for s, q in zip(seconds, qualities)]
    X, y = np.zeros((50, 2)), np.zeros(50)
    warm_workers()
    search = HyperDriveSearchCV(
        Sleeper(), space, sampling="grid", policy=MedianStoppingPolicy(), cv=5, n_jobs=2, refit=False
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    fit_seconds = sum(r.fit_time for trial in search.trials_ for r in trial.results)
    ideal = fit_seconds / 2
    folds = int(np.sum(search.cv_results_["n_intervals"]))
    print("\n### C. Uneven fit times (64 trials, fits of 0.05 to 0.5 s, MedianStoppingPolicy, 5 folds, n_jobs=2)\n")
    print("| fold fits run | sum of fit times s | ideal wall s (sum / 2) | wall s | wall / ideal |")
    print("|---|---|---|---|---|")
    print(f"| {folds} of 320 | {fit_seconds:.1f} | {ideal:.1f} | {wall:.1f} | {wall / ideal:.3f} |", flush=True)
    return wall / ideal


def part_d():
    X, y = load_digits(return_X_y=True)
    space = {"svc__C": scipy_loguniform(1e-2, 1e3), "svc__gamma": scipy_loguniform(1e-5, 1e-1)}
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    searches = {
        "HyperDriveSearchCV": lambda n_jobs: HyperDriveSearchCV(
            make_pipeline(StandardScaler(), SVC()), space, max_total_runs=60, cv=cv, n_jobs=n_jobs,
            random_state=0, refit=False,
        ),
        "RandomizedSearchCV": lambda n_jobs: RandomizedSearchCV(
            make_pipeline(StandardScaler(), SVC()), space, n_iter=60, cv=cv, n_jobs=n_jobs, random_state=0,
            refit=False,
        ),
    }
    warm_workers()
    print("\n### D. Parallel efficiency (60-trial SVC search on digits, 5 folds)\n")
    print("| search | n_jobs=1 s | n_jobs=2 s | speed-up |")
    print("|---|---|---|---|")
    speedups = {}
    for name, make in searches.items():
        walls = {}
        for n_jobs in (1, 2):
            start = time.perf_counter()
            make(n_jobs).fit(X, y)
            walls[n_jobs] = time.perf_counter() - start
        speedups[name] = walls[1] / walls[2]
        print(f"| {name} | {walls[1]:.1f} | {walls[2]:.1f} | {speedups[name]:.2f} |", flush=True)
    return speedups


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="ABCD")
    parser.add_argument("--gib", type=float, default=1.0, help="size of X in part B")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
          f"{os.cpu_count()} CPUs")
    if "A" in args.parts:
        part_a()
    if "B" in args.parts:
        part_b(args.gib)
    if "C" in args.parts:
        part_c()
    if "D" in args.parts:
        part_d()


if __name__ == "__main__":
    main()
