"""Wave timelines: where a search's wall time goes, wave by wave and worker by worker.

Runs one regime of ``bench_early_stopping.py`` (or a boosting library of
``bench_boosting.py``) with one policy and records, for every wave, its wall
time, and for every task the worker process that ran it, when it started and
ended, and the steps it covered. It prints, per wave, the time before the
first task started, after the last one ended, each worker's busy time and the
tasks' step ranges; then the idle worker-seconds of the whole search (wave
wall time x workers minus the tasks' time).

This is how the last-rung imbalance and the continuation-only waves of the
hgb regime were found (issue 13): a wave of 27 tasks from 180 to 200
iterations, each predicting 180 trees again.

Usage::

    python benchmarks/profile_waves.py --regime hgb --policy "MedianStoppingPolicy(delay_evaluation=3)"
    python benchmarks/profile_waves.py --regime sgd --budget large --policy "HalvingPolicy()" --runs 2
    python benchmarks/profile_waves.py --regime xgboost --policy None
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))

import hdsearch.engine.evaluation as evaluation_module  # noqa: E402
import hdsearch.engine.loop as engine_module  # noqa: E402
from hdsearch import HyperDriveSearchCV, WarmStart  # noqa: E402
from hdsearch.policy import (  # noqa: E402, F401  (names for --policy)
    BanditPolicy,
    HalvingPolicy,
    MedianStoppingPolicy,
    TruncationSelectionPolicy,
)

_advance_fold = evaluation_module.advance_fold


def timed_advance_fold(X, y, setup, call):
    """The worker function, with the worker's pid, start and end time and step range added to its outcome."""
    began = time.time()
    outcome = _advance_fold(X, y, setup, call)
    outcome.timeline = (os.getpid(), began, time.time(), call.first_step, call.last_step)
    return outcome


def regime_search(name, budget, policy):
    """The search of a regime (``sgd``, ``hgb``) or a boosting library, and its data."""
    if name in ("xgboost", "lightgbm", "catboost"):
        import bench_boosting

        X, _, y, _ = bench_boosting.diamonds()
        search = HyperDriveSearchCV(
            bench_boosting.estimator(name), bench_boosting.scipy_space(name), policy=policy,
            resource=WarmStart("n_estimators", 25, 400, step=25), max_total_runs=12 if budget == "small" else 40,
            cv=3, n_jobs=2, random_state=bench_boosting.SEED,
        )
        return search, X, y
    import bench_early_stopping as bench

    regime = {"sgd": bench.sgd_regime, "hgb": bench.hgb_regime}[name]()
    X, _, y, _ = regime.load()
    search = HyperDriveSearchCV(
        regime.estimator, regime.space, resource=regime.resource, policy=policy,
        max_total_runs=regime.budgets[budget], max_concurrent_runs=regime.max_concurrent_runs, cv=regime.cv,
        n_jobs=2, random_state=bench.SEED,
    )
    return search, X, y


def record_waves(waves):
    """Patch the engine so that every wave appends ``(start, end, task timelines)`` to ``waves``."""
    evaluation_module.advance_fold = timed_advance_fold
    run = engine_module.WaveEngine._run_isolating_crashes

    def recorded(self, parallel, tasks, calls):
        began = time.time()
        outcomes = run(self, parallel, tasks, calls)
        waves.append((began, time.time(), [getattr(outcome, "timeline", None) for outcome in outcomes]))
        return outcomes

    engine_module.WaveEngine._run_isolating_crashes = recorded


def report(waves, n_workers=2):
    """Print one line per wave that ran tasks, then the search's idle worker-seconds."""
    idle = 0.0
    for began, ended, timelines in waves:
        timelines = [t for t in timelines if t]
        if not timelines:
            continue
        busy = {}
        for pid, start, end, _, _ in timelines:
            busy[pid] = busy.get(pid, 0.0) + end - start
        idle += (ended - began) * n_workers - sum(busy.values())
        first = min(t[1] for t in timelines)
        last = max(t[2] for t in timelines)
        steps = sorted({(t[3], t[4]) for t in timelines})
        print(f"wave {ended - began:7.3f} s  before first task {first - began:6.3f}  after last {ended - last:6.3f}"
              f"  busy {' '.join(f'{b:.3f}' for b in busy.values())}  tasks {len(timelines)} steps {steps}")
    print(f"idle worker-seconds: {idle:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", choices=["sgd", "hgb", "xgboost", "lightgbm", "catboost"], default="hgb")
    parser.add_argument("--budget", choices=["small", "large"], default="small")
    parser.add_argument("--policy", default="HalvingPolicy()", help='a policy expression, or "None"')
    parser.add_argument("--runs", type=int, default=2, help="searches in one process; the last is reported")
    args = parser.parse_args()
    policy = eval(args.policy)  # a command-line expression of the user's own
    waves = []
    record_waves(waves)
    for _ in range(args.runs):
        waves.clear()
        search, X, y = regime_search(args.regime, args.budget, policy)
        began = time.perf_counter()
        search.fit(X, y)
        print(f"search: {time.perf_counter() - began:.2f} s (refit {search.refit_time_:.2f} s), {len(waves)} waves")
    report(waves)


if __name__ == "__main__":
    main()
