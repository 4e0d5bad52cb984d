"""What the store's data fingerprint costs against one trial on the same data (issue 22).

For each size, three numbers: the median time of ``data_fingerprint(X, y, {})``
(the whole content hashed with BLAKE2b), the time of one trial of a plain
search on that data (``SGDClassifier``, one ``fit`` per fold, 5 folds, the
cheapest kind of trial a search runs), and their ratio. Usage::

    python benchmarks/bench_fingerprint.py                 # 1e5 x 50 and 1e6 x 20 float64
    python benchmarks/bench_fingerprint.py --rounds 3
"""

import argparse
import time

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_val_score

from hdsearch._fingerprint import data_fingerprint

SIZES = ((100_000, 50), (1_000_000, 20))


def median_seconds(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="repeats of the hash (median reported)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'data':>16} {'MB':>6} {'hash s':>8} {'GB/s':>6} {'trial s':>8} {'hash/trial':>10}")
    for n_samples, n_features in SIZES:
        X = rng.standard_normal((n_samples, n_features))
        y = (X[:, 0] + rng.standard_normal(n_samples) > 0).astype(np.int64)
        hash_seconds = median_seconds(lambda: data_fingerprint(X, y, {}), args.rounds)
        estimator = SGDClassifier(max_iter=5, tol=None, random_state=0)
        trial_seconds = median_seconds(lambda: cross_val_score(estimator, X, y, cv=5), 1)
        megabytes = (X.nbytes + y.nbytes) / 1e6
        print(
            f"{n_samples:>9} x {n_features:<4} {megabytes:6.0f} {hash_seconds:8.3f} "
            f"{megabytes / 1e3 / hash_seconds:6.2f} {trial_seconds:8.2f} {hash_seconds / trial_seconds:10.1%}"
        )


if __name__ == "__main__":
    main()
