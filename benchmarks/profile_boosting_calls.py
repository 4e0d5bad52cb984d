"""What one more call costs a boosting library: the fixed cost of a fit, and the rounds held.

For each library, on one training fold of the diamonds data (29,000 rows, 9
features, one thread), with mid-range parameters of ``bench_boosting.py``'s
space (depth 6 or 64 leaves, learning rate 0.05), it times

- a fit of 1 round and of 400 rounds (so: the fixed cost of a ``fit`` call,
  mostly binning or sketching the data, and the seconds per round);
- 400 rounds reached in 4 calls of 100, as a policy acting every 100 rounds
  makes a fold reach them (``hdsearch``'s own continuation);
- predicting a 300-round model on the training rows, which every continuing
  call does first, as rounds trained per round held.

Best of 3 for each. This is where the README's per-library figures come from
(issue 15: why a decision costs XGBoost little and LightGBM much).

Usage::

    python benchmarks/profile_boosting_calls.py                 # all three
    python benchmarks/profile_boosting_calls.py --library lightgbm
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))

import bench_boosting  # noqa: E402

from hdsearch._data import TrainingFold  # noqa: E402
from hdsearch.resource.growth import choose_growth  # noqa: E402

#: Mid-range values of each library's space in ``bench_boosting.py``.
PARAMS = {
    "xgboost": {"max_depth": 6, "learning_rate": 0.05},
    "lightgbm": {"num_leaves": 64, "learning_rate": 0.05},
    "catboost": {"depth": 6, "learning_rate": 0.05},
}
TRAINING_ROWS = 29_000


def best_of(repeats, run):
    """The shortest of ``repeats`` timings of ``run()``, in seconds, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def profile(library, X, y, repeats=3):
    """One line of figures for ``library``."""
    estimator = bench_boosting.estimator(library).set_params(**PARAMS[library])

    def fit(rounds):
        return clone(estimator).set_params(n_estimators=rounds).fit(X, y)

    growth = choose_growth(estimator, "n_estimators")
    fold = TrainingFold(X, y, np.arange(len(X)), {})

    def four_calls():
        model = fit(100)
        for target in (200, 300, 400):
            model = growth.grow(model, target, fold, fresh=False)
        return model

    one_round, _ = best_of(repeats, lambda: fit(1))
    full, _ = best_of(repeats, lambda: fit(400))
    calls, _ = best_of(repeats, four_calls)
    held = fit(300)
    predict, _ = best_of(repeats, lambda: held.predict(X))
    per_round = (full - one_round) / 399
    return (
        f"{library}: fit of 1 round {one_round * 1000:.0f} ms, of 400 rounds {full:.3f} s "
        f"({per_round * 1000:.2f} ms a round); 400 rounds in 4 calls {calls:.3f} s ({calls / full:.2f}x); "
        f"predicting 300 held rounds on the training rows {predict:.3f} s = "
        f"{predict / 300 / per_round:.2f} rounds trained per round held"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", action="append", choices=sorted(PARAMS),
                        help="repeatable; default: all three")
    args = parser.parse_args()
    X, _, y, _ = bench_boosting.diamonds()
    X = np.asarray(X, dtype=float)[:TRAINING_ROWS]
    y = np.asarray(y)[:TRAINING_ROWS]
    for library in args.library or sorted(PARAMS):
        print(profile(library, X, y), flush=True)


if __name__ == "__main__":
    main()
