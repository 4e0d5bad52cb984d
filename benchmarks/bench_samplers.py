"""Samplers at equal numbers of evaluations: regret, seconds per suggestion, batch efficiency.

Compares random and Sobol sampling, hdsearch's BayesianSampling (sequential and
in batches of 4), Optuna's TPESampler and GPSampler and scikit-optimize's
gp_minimize on Branin, Hartmann-6, a 10-dimensional mixed space (log-scaled,
continuous, integer, numeric-choice and categorical parameters) and one real
tuning task (HistGradientBoostingClassifier on scikit-learn's bundled breast
cancer data, scored by 3-fold CV log loss).

The synthetic objectives drive every sampler through its own ask/propose loop
(for hdsearch: ``BayesianSampling.bind(...).propose(history, n)``, the code
path the search engine calls); the real task runs hdsearch's samplers through
``HyperDriveSearchCV`` and the peers through their own loops on the same CV
splits.

Normalized regret = (best value so far - optimum) / (median value of random
points - optimum), so 0 is the optimum and 1 is a typical random point. The
real task's optimum is the best CV score any run found.

Run::

    python benchmarks/bench_samplers.py                # full run, writes the tables (merged into benchmarks/RESULTS.md)
    python benchmarks/bench_samplers.py --quick        # a smoke run

Every process is single-threaded (BLAS, OpenMP, torch) so that suggestion
times compare algorithms, not thread pools; ``--n-jobs`` runs independent
(objective, sampler, seed) jobs in parallel processes.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import math
import pickle
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import hdsearch
from hdsearch import (
    BayesianSampling,
    HyperDriveSearchCV,
    RandomSampling,
    Space,
    choice,
    loguniform,
    qloguniform,
    quniform,
    randint,
    uniform,
)
from hdsearch.trials import Observation

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINTS = (20, 50, 100)
TIME_WINDOWS = {50: range(46, 56), 100: range(91, 101)}

# ------------------------------------------------------------------ objectives
# Each objective: a Space for hdsearch, a parameter list for the peers
# (name, kind, arguments), a function of a param dict to minimize, and its optimum.


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(p):
    x = np.array([p[f"x{i}"] for i in range(6)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


_C1_OFFSET = {"a": 0.4, "b": 0.0, "c": 0.8, "d": 0.2}
_C2_TARGET = {"relu": 0.2, "tanh": 0.5, "sigmoid": 0.8}
_C2_OFFSET = {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.6}


def mixed10(p):
    """Minimum 0 at lr=e^-3, x1=0.7, x2=0.49, x3=0.2, n1=6, n2=13, n3=64, c1='b', c2='relu', c3=True."""
    return (
        ((math.log(p["lr"]) + 3) / 2) ** 2
        + (p["x1"] - 0.7) ** 2
        + 4 * (p["x2"] - p["x1"] ** 2) ** 2
        + 3 * (p["x3"] - _C2_TARGET[p["c2"]]) ** 2
        + 0.05 * (p["n1"] - 6) ** 2
        + 0.01 * (p["n2"] - 13) ** 2
        + 0.2 * abs(math.log2(p["n3"]) - 6)
        + _C1_OFFSET[p["c1"]]
        + _C2_OFFSET[p["c2"]]
        + (0.0 if p["c3"] else 0.3)
    )


OBJECTIVES = {
    "Branin (2-D)": dict(
        space={"x1": uniform(-5, 10), "x2": uniform(0, 15)},
        peer=[("x1", "float", (-5, 10)), ("x2", "float", (0, 15))],
        f=branin,
        optimum=0.397887,
    ),
    "Hartmann-6": dict(
        space={f"x{i}": uniform(0, 1) for i in range(6)},
        peer=[(f"x{i}", "float", (0, 1)) for i in range(6)],
        f=hartmann6,
        optimum=-3.32237,
    ),
    "Mixed 10-D": dict(
        space={
            "lr": loguniform(-7, 0),
            "x1": uniform(0, 1),
            "x2": uniform(0, 1),
            "x3": uniform(0, 1),
            "n1": randint(10),
            "n2": quniform(1, 20, 1),
            "n3": choice(16, 32, 64, 128, 256),
            "c1": choice("a", "b", "c", "d"),
            "c2": choice("relu", "tanh", "sigmoid"),
            "c3": choice(True, False),
        },
        peer=[
            ("lr", "logfloat", (math.exp(-7), 1.0)),
            ("x1", "float", (0, 1)),
            ("x2", "float", (0, 1)),
            ("x3", "float", (0, 1)),
            ("n1", "int", (0, 9)),
            ("n2", "int", (1, 20)),
            ("n3", "cat", (16, 32, 64, 128, 256)),
            ("c1", "cat", ("a", "b", "c", "d")),
            ("c2", "cat", ("relu", "tanh", "sigmoid")),
            ("c3", "cat", (True, False)),
        ],
        f=mixed10,
        optimum=0.0,
    ),
}

REAL = "HGB breast cancer (CV log loss)"
REAL_SPACE = {
    "learning_rate": loguniform(math.log(0.005), 0.0),
    "max_leaf_nodes": qloguniform(math.log(2), math.log(64), 1),
    "min_samples_leaf": qloguniform(0.0, math.log(100), 1),
    "l2_regularization": loguniform(math.log(1e-4), math.log(10)),
    "max_features": uniform(0.2, 1.0),
}
REAL_PEER = [
    ("learning_rate", "logfloat", (0.005, 1.0)),
    ("max_leaf_nodes", "logint", (2, 64)),
    ("min_samples_leaf", "logint", (1, 100)),
    ("l2_regularization", "logfloat", (1e-4, 10.0)),
    ("max_features", "float", (0.2, 1.0)),
]


def real_task():
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    X, y = load_breast_cancer(return_X_y=True)
    estimator = HistGradientBoostingClassifier(max_iter=50, early_stopping=False, random_state=0)
    return estimator, X, y, StratifiedKFold(3, shuffle=True, random_state=0)


def real_score(params):
    """Mean CV neg log loss (greater is better) of one parameter set."""
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    estimator, X, y, cv = real_task()
    model = clone(estimator).set_params(**params)
    return float(np.mean(cross_val_score(model, X, y, cv=cv, scoring="neg_log_loss")))


# -------------------------------------------------------------------- samplers


def run_hdsearch(sampling, spec, seed, n_evals, batch=1):
    """Values in evaluation order and seconds per suggestion keyed by observations, for a sampling."""
    sampler = sampling.bind(Space(spec["space"]), n_evals, seed)
    history, values, times = [], [], {}
    while len(history) < n_evals:
        wall, cpu = time.perf_counter(), time.process_time()
        proposals = sampler.propose(history, min(batch, n_evals - len(history)))
        per = ((time.perf_counter() - wall) / len(proposals), (time.process_time() - cpu) / len(proposals))
        for params in proposals:
            times[len(history)] = per
            value = spec["f"](params)
            values.append(value)
            history.append(Observation(len(history), params, "completed", -value, 1, 1))
    return values, times


def _optuna_suggest(trial, peer):
    params = {}
    for name, kind, args in peer:
        if kind == "float":
            params[name] = trial.suggest_float(name, *args)
        elif kind == "logfloat":
            params[name] = trial.suggest_float(name, *args, log=True)
        elif kind == "int":
            params[name] = trial.suggest_int(name, *args)
        elif kind == "logint":
            params[name] = trial.suggest_int(name, *args, log=True)
        else:
            params[name] = trial.suggest_categorical(name, list(args))
    return params


def run_optuna(kind, peer, f, seed, n_evals):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed) if kind == "tpe" else optuna.samplers.GPSampler(seed=seed)
    study = optuna.create_study(sampler=sampler)
    values, times = [], {}
    for i in range(n_evals):
        wall, cpu = time.perf_counter(), time.process_time()
        trial = study.ask()
        params = _optuna_suggest(trial, peer)
        times[i] = (time.perf_counter() - wall, time.process_time() - cpu)
        value = f(params)
        study.tell(trial, value)
        values.append(value)
    return values, times


def _skopt_dimensions(peer):
    from skopt.space import Categorical, Integer, Real

    dims = []
    for name, kind, args in peer:
        if kind == "float":
            dims.append(Real(*args, name=name))
        elif kind == "logfloat":
            dims.append(Real(*args, prior="log-uniform", name=name))
        elif kind == "int":
            dims.append(Integer(*args, name=name))
        elif kind == "logint":
            dims.append(Integer(*args, prior="log-uniform", name=name))
        else:
            dims.append(Categorical(list(args), name=name))
    return dims


def run_skopt(peer, f, seed, n_evals):
    """gp_minimize with its defaults; a suggestion's time is the gap between two objective calls."""
    from skopt import gp_minimize

    names = [name for name, _, _ in peer]
    values, times, marks = [], {}, {"end": None, "cpu": None}
    start = (time.perf_counter(), time.process_time())

    def objective(x):
        i = len(values)
        wall0, cpu0 = (marks["end"], marks["cpu"]) if marks["end"] is not None else start
        times[i] = (time.perf_counter() - wall0, time.process_time() - cpu0)
        params = {name: (v.item() if hasattr(v, "item") else v) for name, v in zip(names, x)}
        value = f(params)
        values.append(value)
        marks["end"], marks["cpu"] = time.perf_counter(), time.process_time()
        return value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp_minimize(objective, _skopt_dimensions(peer), n_calls=n_evals, random_state=seed)
    return values, times


def run_synthetic(job):
    """One (objective, sampler, seed) run; returns its job key, values and suggestion times."""
    objective, sampler, seed, n_evals = job
    spec = OBJECTIVES[objective]
    if sampler == "random":
        out = run_hdsearch(RandomSampling(), spec, seed, n_evals)
    elif sampler == "sobol":
        out = run_hdsearch(RandomSampling(rule="sobol"), spec, seed, n_evals)
    elif sampler == "hdsearch Bayesian":
        out = run_hdsearch(BayesianSampling(), spec, seed, n_evals)
    elif sampler == "hdsearch Bayesian, batch 4":
        out = run_hdsearch(BayesianSampling(), spec, seed, n_evals, batch=4)
    elif sampler in ("Optuna TPE", "Optuna GP"):
        _single_thread_torch()
        out = run_optuna("tpe" if sampler == "Optuna TPE" else "gp", spec["peer"], spec["f"], seed, n_evals)
    else:
        out = run_skopt(spec["peer"], spec["f"], seed, n_evals)
    return job, out


def _single_thread_torch():
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def run_real(job):
    """One real-task run: hdsearch samplers through HyperDriveSearchCV, peers through their loops."""
    _, sampler, seed, n_evals = job
    if sampler in ("random", "sobol", "hdsearch Bayesian"):
        sampling = {
            "random": RandomSampling(),
            "sobol": RandomSampling(rule="sobol"),
            "hdsearch Bayesian": BayesianSampling(),
        }[sampler]
        estimator, X, y, cv = real_task()
        search = HyperDriveSearchCV(
            estimator, REAL_SPACE, sampling=sampling, max_total_runs=n_evals, max_concurrent_runs=1,
            scoring="neg_log_loss", cv=cv, random_state=seed, refit=False, n_jobs=1,
        ).fit(X, y)
        values = [-s for s in search.cv_results_["mean_test_score"]]
        return job, (values, {})
    negative = lambda params: -real_score(params)
    if sampler in ("Optuna TPE", "Optuna GP"):
        _single_thread_torch()
        return job, run_optuna("tpe" if sampler == "Optuna TPE" else "gp", REAL_PEER, negative, seed, n_evals)
    return job, run_skopt(REAL_PEER, negative, seed, n_evals)


# ------------------------------------------------------------------- analysis


def random_median(spec, n=4096):
    """Median objective value of random points: the regret normalizer."""
    sampler = RandomSampling().bind(Space(spec["space"]), n, 12345)
    return float(np.median([spec["f"](p) for p in sampler.propose([], n)]))


def normalized_curve(values, optimum, reference):
    best = np.minimum.accumulate(np.asarray(values, dtype=float))
    return (best - optimum) / (reference - optimum)


def summarize(curves, checkpoints):
    """{checkpoint: (mean, median)} over seeds, None past a run's length."""
    out = {}
    for k in checkpoints:
        at = [c[k - 1] for c in curves if len(c) >= k]
        out[k] = (float(np.mean(at)), float(np.median(at))) if at else None
    return out


def suggestion_times(all_times):
    """Median wall and CPU seconds of suggestions made with 50 and 100 observations."""
    out = {}
    for k, window in TIME_WINDOWS.items():
        sample = [t[i] for t in all_times for i in window if i in t]
        out[k] = (float(np.median([s[0] for s in sample])), float(np.median([s[1] for s in sample]))) if sample else None
    return out


def availability():
    """Peer name -> None when usable, else the reason it is not."""
    status = {}
    try:
        import optuna

        status["Optuna TPE"] = None
    except ImportError as error:
        status["Optuna TPE"] = f"not available: {error}"
    try:
        import torch

        status["Optuna GP"] = status["Optuna TPE"]
    except ImportError as error:
        status["Optuna GP"] = f"not available: torch missing ({error})"
    try:
        import skopt

        status["skopt gp_minimize"] = None
    except ImportError as error:
        status["skopt gp_minimize"] = f"not available: {error}"
    return status


# --------------------------------------------------------------------- report

SAMPLERS = ["random", "sobol", "hdsearch Bayesian", "Optuna TPE", "Optuna GP", "skopt gp_minimize"]
BATCH = "hdsearch Bayesian, batch 4"


def fmt(pair):
    return "—" if pair is None else f"{pair[0]:.3f} / {pair[1]:.3f}"


def regret_table(title, results, seeds_of, checkpoints, unavailable):
    lines = [f"### {title}", "", "| sampler | seeds | " + " | ".join(f"regret @{k} (mean / median)" for k in checkpoints) + " |",
             "|---|---|" + "---|" * len(checkpoints)]
    for sampler in SAMPLERS + [BATCH]:
        if unavailable.get(sampler):
            lines.append(f"| {sampler} | — | " + " | ".join(unavailable[sampler] for _ in checkpoints) + " |")
            continue
        if sampler not in results:
            continue
        summary = summarize(results[sampler], checkpoints)
        lines.append(f"| {sampler} | {seeds_of[sampler]} | " + " | ".join(fmt(summary[k]) for k in checkpoints) + " |")
    return lines + [""]


def plot(curves_by_objective, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves_by_objective), figsize=(5 * len(curves_by_objective), 4))
    for ax, (objective, results) in zip(np.atleast_1d(axes), curves_by_objective.items()):
        for sampler, curves in results.items():
            n = min(len(c) for c in curves)
            mean = np.mean([c[:n] for c in curves], axis=0)
            style = "--" if sampler == BATCH else "-"
            ax.plot(np.arange(1, n + 1), np.maximum(mean, 1e-6), style, label=sampler)
        ax.set_yscale("log")
        ax.set_title(objective)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("mean normalized regret")
        ax.grid(True, which="both", alpha=0.3)
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def run_all(jobs, real_jobs, n_jobs, started):
    """{job: (values, suggestion times)} of every job, run in ``n_jobs`` processes."""
    raw = {}
    with ProcessPoolExecutor(n_jobs) as pool:
        futures = [pool.submit(run_synthetic, job) for job in jobs] + [pool.submit(run_real, job) for job in real_jobs]
        for done, future in enumerate(futures, 1):
            job, out = future.result()
            raw[job] = out
            print(f"[{time.time() - started:7.0f}s] {done}/{len(futures)} {job[0]} | {job[1]} | seed {job[2]}",
                  flush=True)
    return raw


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds per synthetic objective")
    parser.add_argument("--skopt-seeds", type=int, default=3, help="seeds for scikit-optimize (slow)")
    parser.add_argument("--real-seeds", type=int, default=3, help="seeds for the real task")
    parser.add_argument("--real-evals", type=int, default=50, help="evaluations of the real task")
    parser.add_argument("--evals", type=int, default=100, help="evaluations per synthetic run")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel processes")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 30 evaluations, no real task")
    parser.add_argument("--out", default=os.path.join(HERE, "results_samplers.md"))
    parser.add_argument("--raw", default=None, help="pickle of the raw runs: written after running, read with --report-only")
    parser.add_argument("--report-only", action="store_true", help="rebuild the report from --raw without running")
    parser.add_argument("--rerun", action="append", default=[], metavar="SAMPLER",
                        help="with --raw: rerun only this sampler's jobs, keep the others from the pickle")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.skopt_seeds, args.real_seeds, args.real_evals, args.evals = 2, 1, 1, 20, 50
    unavailable = availability()
    started = time.time()
    load_before = os.getloadavg()

    jobs = []
    for objective in OBJECTIVES:
        for sampler in SAMPLERS + [BATCH]:
            if unavailable.get(sampler):
                continue
            n_seeds = args.skopt_seeds if sampler == "skopt gp_minimize" else args.seeds
            jobs += [(objective, sampler, seed, args.evals) for seed in range(n_seeds)]
    real_jobs = []
    for sampler in SAMPLERS:
        if not unavailable.get(sampler):
            real_jobs += [(REAL, sampler, seed, args.real_evals) for seed in range(args.real_seeds)]
    # Slowest first, so the pool stays busy to the end.
    cost = {"skopt gp_minimize": 0, "Optuna GP": 1}
    jobs.sort(key=lambda j: cost.get(j[1], 2))
    real_jobs.sort(key=lambda j: cost.get(j[1], 2))

    if args.report_only or args.rerun:
        with open(args.raw, "rb") as fh:
            raw, _, load_before = pickle.load(fh)
        if args.rerun:
            redo = [j for j in jobs if j[1] in args.rerun]
            redo_real = [j for j in real_jobs if j[1] in args.rerun]
            raw.update(run_all(redo, redo_real, args.n_jobs, started))
            with open(args.raw, "wb") as fh:
                pickle.dump((raw, started, load_before), fh)
    else:
        raw = run_all(jobs, real_jobs, args.n_jobs, started)
        if args.raw:
            with open(args.raw, "wb") as fh:
                pickle.dump((raw, started, load_before), fh)

    curves, times, seeds_of = {}, {}, {}
    for objective, spec in OBJECTIVES.items():
        reference = random_median(spec)
        curves[objective] = {}
        for (obj, sampler, seed, _), (values, t) in sorted(raw.items(), key=lambda kv: kv[0][2]):
            if obj != objective:
                continue
            curves[objective].setdefault(sampler, []).append(normalized_curve(values, spec["optimum"], reference))
            times.setdefault(sampler, []).append(t)
            seeds_of[sampler] = seeds_of.get(sampler, 0) + (1 if objective == next(iter(OBJECTIVES)) else 0)
    real_seeds_of = {}
    if real_jobs:
        real_values = {job: out[0] for job, out in raw.items() if job[0] == REAL}
        optimum = min(min(v) for v in real_values.values())
        reference = float(np.median([x for job, v in real_values.items() if job[1] == "random" for x in v]))
        curves[REAL] = {}
        for job, values in sorted(real_values.items(), key=lambda kv: kv[0][2]):
            curves[REAL].setdefault(job[1], []).append(normalized_curve(values, optimum, reference))
            real_seeds_of[job[1]] = real_seeds_of.get(job[1], 0) + 1

    lines = report(args, argv, curves, times, seeds_of, real_seeds_of, unavailable, started, load_before)
    plot_path = os.path.join(os.path.dirname(args.out), "samplers_regret.png")
    plot(curves, plot_path)
    lines.insert(lines.index("## Regret") + 2, f"![mean normalized regret vs evaluations]({os.path.basename(plot_path)})\n")
    with open(args.out, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def report(args, argv, curves, times, seeds_of, real_seeds_of, unavailable, started, load_before):
    command = "python benchmarks/bench_samplers.py " + " ".join(argv if argv is not None else sys.argv[1:])
    versions = _versions()
    lines = [
        "# Samplers: regret at equal budgets, suggestion time, batch efficiency",
        "",
        f"Produced by `{command.strip()}` ({time.time() - started:.0f} s wall, {args.n_jobs} processes, "
        f"load average before {load_before[0]:.1f} on {os.cpu_count()} shared cores), {time.strftime('%Y-%m-%d')}.",
        "",
        f"{platform.python_implementation()} {platform.python_version()}; " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "Every process single-threaded (OMP/BLAS/torch threads = 1).",
        "",
        "Normalized regret = (best so far − optimum) / (median of random points − optimum): 0 is the optimum, 1 a typical",
        "random point. Synthetic objectives: each sampler's own ask/propose loop (hdsearch: `BayesianSampling.propose`,",
        "the engine's code path). Real task: hdsearch samplers through `HyperDriveSearchCV(max_concurrent_runs=1)`,",
        "peers through their loops on the same 3 CV splits; its optimum is the best CV log loss any run found.",
        "",
        "## Regret",
        "",
    ]
    for objective, results in curves.items():
        checkpoints = CHECKPOINTS if objective != REAL else tuple(k for k in CHECKPOINTS if k <= args.real_evals)
        counts = real_seeds_of if objective == REAL else seeds_of
        lines += regret_table(objective, results, counts, checkpoints, unavailable)
    lines += ["## Seconds per suggestion (synthetic objectives, median over seeds and objectives)", "",
              "| sampler | wall @50 obs | CPU @50 obs | wall @100 obs | CPU @100 obs |", "|---|---|---|---|---|"]
    for sampler in SAMPLERS + [BATCH]:
        if sampler not in times:
            if unavailable.get(sampler):
                lines.append(f"| {sampler} | {unavailable[sampler]} | | | |")
            continue
        st = suggestion_times(times[sampler])
        cells = []
        for k in (50, 100):
            cells += ["—", "—"] if st[k] is None else [f"{st[k][0] * 1000:.1f} ms", f"{st[k][1] * 1000:.1f} ms"]
        lines.append(f"| {sampler} | " + " | ".join(cells) + " |")
    lines += [""] + goals(curves, times)
    return lines


def goals(curves, times):
    lines = ["## Goals", ""]
    at = 50
    mean_at = lambda obj, s: summarize(curves[obj][s], (at,))[at]
    wins, half = [], []
    for objective, results in curves.items():
        if "hdsearch Bayesian" not in results or "Optuna TPE" not in results:
            continue
        if mean_at(objective, "hdsearch Bayesian") is None or mean_at(objective, "Optuna TPE") is None:
            continue
        bo, tpe = mean_at(objective, "hdsearch Bayesian")[0], mean_at(objective, "Optuna TPE")[0]
        wins.append((objective, bo, tpe, bo <= tpe))
        if objective in OBJECTIVES:
            rnd = mean_at(objective, "random")[0]
            half.append((objective, bo, rnd, bo <= 0.5 * rnd))
    n_wins = sum(w[3] for w in wins)
    lines.append(f"1. Mean regret @50 <= Optuna TPE's on at least 3 of 4 objectives: **{'met' if n_wins >= 3 else 'missed'}** "
                 f"({n_wins} of {len(wins)}: " + "; ".join(f"{o} {b:.3f} vs {t:.3f}" for o, b, t, _ in wins) + ").")
    n_half = sum(h[3] for h in half)
    lines.append(f"2. Mean regret @50 <= 50% of random's on the synthetic objectives: **{'met' if n_half == len(half) else 'missed'}** ("
                 + "; ".join(f"{o} {b:.3f} vs random {r:.3f}" for o, b, r, _ in half) + ").")
    st = suggestion_times(times.get("hdsearch Bayesian", []))
    if st.get(100):
        lines.append(f"3. Median suggestion time <= 50 ms at 100 observations: **{'met' if st[100][0] <= 0.05 else 'missed'}** "
                     f"({st[100][0] * 1000:.1f} ms wall, {st[100][1] * 1000:.1f} ms CPU).")
    retained = []
    for objective in OBJECTIVES:
        results = curves.get(objective, {})
        if BATCH not in results:
            continue
        if any(mean_at(objective, s) is None for s in ("random", "hdsearch Bayesian", BATCH)):
            continue
        rnd, seq, bat = (mean_at(objective, s)[0] for s in ("random", "hdsearch Bayesian", BATCH))
        gain = rnd - seq
        retained.append((objective, (rnd - bat) / gain if gain > 0 else float("nan")))
    if retained:
        total = np.nanmean([r for _, r in retained])
        lines.append(f"4. A batch of 4 keeps >= 80% of the sequential gain over random (mean regret @50): "
                     f"**{'met' if all(r >= 0.8 for _, r in retained) else 'missed'}** ("
                     + "; ".join(f"{o} {r:.0%}" for o, r in retained) + f"; mean {total:.0%}).")
    return lines + [""]


def _versions():
    out = {"hdsearch": hdsearch.__version__, "numpy": np.__version__}
    for name in ("scipy", "sklearn", "optuna", "torch", "skopt"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = "missing"
    return out


if __name__ == "__main__":
    main()
