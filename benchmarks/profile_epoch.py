"""Where one PartialFit epoch's time goes: 60 trials x 3 folds, one epoch each, in-process.

Runs the worker function exactly as a wave does (first step of every
(trial, fold) of the diamonds benchmark) under cProfile and prints the
milliseconds per task of the main parts, beside one epoch of
``SGDClassifier.fit(max_iter=30)`` on the same folds.

Usage::

    python benchmarks/profile_epoch.py
"""

import cProfile
import os
import pstats
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, ParameterSampler

sys.path.insert(0, os.path.dirname(__file__))
from bench_early_stopping import SEED, SGD_SPACE, diamonds  # noqa: E402

from hdsearch._scoring import EstimatorScore  # noqa: E402
from hdsearch.engine.records import StepCall, WorkerSetup  # noqa: E402
from hdsearch.engine.worker import advance_fold  # noqa: E402
from hdsearch.resource import PartialFit  # noqa: E402

PARTS = {
    "SGD's epoch loop (fit_binary)": "fit_binary",
    "partial_fit in all": "partial_fit",
    "scoring the test fold": "_score",
    "  of which predict": "predict",
    "seeded shuffled gather (not for the SGD family, which shuffles itself)": "shuffled",
    "training rows sliced once per task": "_slice",
}


def main():
    warnings.simplefilter("ignore")
    X, _, y, _ = diamonds()
    splits = list(KFold(3, shuffle=True, random_state=SEED).split(X, y))
    candidates = list(ParameterSampler(SGD_SPACE, 60, random_state=SEED))
    estimator, resource = SGDClassifier(random_state=SEED), PartialFit(30)
    scorer = EstimatorScore(check_scoring(estimator))  # what HyperDriveSearchCV(scoring=None) passes

    setup = WorkerSetup(estimator, scorer, metric_names=None, fit_params={}, score_params={},
                        return_train_score=False, error_score=np.nan, verbose=0, resource=resource,
                        classes=np.array([0, 1]))

    def one_wave():
        for i, params in enumerate(candidates):
            for fold, (train, test) in enumerate(splits):
                call = StepCall(params, train, test, model=None, first_step=1, last_step=1, scored_steps=(1,),
                                seed=(SEED, i, fold), keep_model=True)
                advance_fold(X, y, setup, call)

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    one_wave()
    profile.disable()
    n_tasks = len(candidates) * len(splits)
    print(f"{n_tasks} one-epoch tasks: {1000 * (time.perf_counter() - start) / n_tasks:.1f} ms per task (profiled)")
    stats = pstats.Stats(profile).stats
    for label, function in PARTS.items():
        cumulative = sum(v[3] for k, v in stats.items() if k[2] == function)
        print(f"  {label}: {1000 * cumulative / n_tasks:.1f} ms")

    start = time.perf_counter()
    for params in candidates[:10]:
        for train, _ in splits:
            SGDClassifier(max_iter=30, tol=None, random_state=SEED, **params).fit(X[train], y[train])
    per_epoch = (time.perf_counter() - start) / (10 * len(splits) * 30)
    print(f"one epoch inside SGDClassifier.fit(max_iter=30): {1000 * per_epoch:.1f} ms")


if __name__ == "__main__":
    main()
