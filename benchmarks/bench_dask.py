"""The same searches on a dask LocalCluster (2 worker processes) and on joblib's loky backend.

A. A 60-trial SVC search on digits, 5 folds, no policy: one wave of 300 tasks.
B. The same with MedianStoppingPolicy: one wave per fold, narrowing as
   trials stop, so the per-wave cost of the backend shows.
C. B with max_concurrent_runs=4: narrow waves of at most 20 tasks.

Each row gives the wall time, the number of waves, the tasks per wave and
per worker, and the ratio to loky. The results are checked to be identical.

Usage::

    python benchmarks/bench_dask.py
"""

import platform
import time

import dask
import distributed
import joblib
import numpy as np
import sklearn
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hdsearch import HyperDriveSearchCV
from hdsearch.policy import MedianStoppingPolicy

SPACE = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e-1)}
CASES = {
    "A. no policy": {},
    "B. MedianStoppingPolicy": {"policy": MedianStoppingPolicy()},
    "C. MedianStoppingPolicy, max_concurrent_runs=4": {"policy": MedianStoppingPolicy(), "max_concurrent_runs": 4},
}


def search(**kwargs):
    settings = dict(
        max_total_runs=60, cv=StratifiedKFold(5, shuffle=True, random_state=0), n_jobs=2, random_state=0,
        refit=False,
    )
    return HyperDriveSearchCV(make_pipeline(StandardScaler(), SVC()), SPACE, **{**settings, **kwargs})


def timed(make, X, y, backend_config):
    waves = []
    fitted = make(callbacks=[lambda snapshot: waves.append(snapshot.wave) and False])
    with joblib.parallel_config(**backend_config):
        start = time.perf_counter()
        fitted.fit(X, y)
    return fitted, time.perf_counter() - start, len(waves)


def main():
    X, y = load_digits(return_X_y=True)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, dask {dask.__version__}, "
          f"distributed {distributed.__version__}; LocalCluster of 2 worker processes x 1 thread")
    # Warm both: worker processes import scikit-learn once (about 4 s here).
    with joblib.parallel_config(backend="dask"):
        search(max_total_runs=2).fit(X, y)
    search(max_total_runs=2).fit(X, y)
    print("\n| case | backend | wall s | waves | fold fits | fits per wave per worker | dask / loky |")
    print("|---|---|---|---|---|---|---|")
    for name, kwargs in CASES.items():
        make = lambda **extra: search(**kwargs, **extra)  # noqa: E731
        loky, loky_s, loky_waves = timed(make, X, y, {"backend": "loky"})
        on_dask, dask_s, dask_waves = timed(make, X, y, {"backend": "dask", "scatter": [X, y]})
        for key in ("mean_test_score", "status", "n_intervals"):
            np.testing.assert_array_equal(loky.cv_results_[key], on_dask.cv_results_[key])
        fits = int(np.sum(loky.cv_results_["n_intervals"]))
        for backend, seconds, waves in (("loky", loky_s, loky_waves), ("dask", dask_s, dask_waves)):
            ratio = f"{dask_s / loky_s:.2f}" if backend == "dask" else ""
            print(f"| {name} | {backend} | {seconds:.1f} | {waves} | {fits} | {fits / waves / 2:.1f} | {ratio} |",
                  flush=True)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
