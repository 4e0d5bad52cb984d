"""Command line: ``hdsearch run | demo | show | report`` (also ``python -m hdsearch``).

``run`` and ``demo`` write a *run folder*: ``results.csv`` (``cv_results_``),
``leaderboard.csv``, ``best_model.joblib``, the store ``store.db`` and
``report.html`` (summary, leaderboard and every chart, self-contained).
Errors in a spec file or a store are printed on one line, naming the key and
the line, and exit with status 2 and no traceback.
"""

import argparse
import csv
import os
import sys
import time
import warnings
from pathlib import Path

from . import BanditPolicy, HyperDriveSearchCV, PartialFit, choice, loguniform
from ._export import csv_value, write_cv_results_csv
from ._spec import SpecError, default_run_folder, read_spec
from .report import best_at_bound, format_leaderboard, format_summary, leaderboard, write_report
from .space import LogBoundsWarning
from .store import ExperimentMismatchError, open_store

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A problem the command line reports in one line, without a traceback."""


# ---------------------------------------------------------------- run folder


def write_run_folder(search, out):
    """Write a fitted search's run folder (the store is already there when ``storage`` pointed into it).

    Parameters
    ----------
    search : HyperDriveSearchCV
        Fitted.
    out : str or Path
        The run folder; created if missing.

    Returns
    -------
    paths : dict of str to Path
        ``results``, ``leaderboard``, ``report`` and, when the search was
        refit, ``best_model``.
    """

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.csv", "leaderboard": out / "leaderboard.csv", "report": out / "report.html"}
    write_cv_results_csv(paths["results"], search.cv_results_)
    _write_rows(paths["leaderboard"], leaderboard(search))
    if hasattr(search, "best_estimator_"):
        import joblib

        paths["best_model"] = out / "best_model.joblib"
        joblib.dump(search.best_estimator_, paths["best_model"])
    write_report(search, paths["report"])
    return paths


def _write_rows(path, rows):
    keys = list(rows[0]) if rows else ["rank", "trial_id", "status", "score", "n_intervals", "time", "params"]
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(keys)
        for row in rows:
            writer.writerow([csv_value([row[key]], 0) for key in keys])


def _print_outcome(search, paths, top):
    print(format_summary(search))
    print()
    print(format_leaderboard(leaderboard(search, top=top), best_at_bound(search)))
    print()
    for key, path in paths.items():
        print(f"{key:>12}: {path}")
    print(f"\nreport: {paths['report'].resolve()}")


# ---------------------------------------------------------------------- run


def run(spec_path, out=None, top=10, experiment=None, new=False):
    """Run the sweep a TOML spec describes and write its run folder.

    Running it again resumes the experiment, if the data and the settings
    are those it was created with; else the run is refused with what changed.

    Parameters
    ----------
    spec_path : str or Path
        The spec file (format: ``docs/spec.md``).
    out : str or Path, default=None
        Run folder; None uses ``[experiment] out`` or ``runs/<name>``.
    top : int, default=10
        Leaderboard rows to print.
    experiment : str, default=None
        The experiment's name in the store; None uses ``[experiment] name``.
    new : bool, default=False
        Start a new experiment: the name (from ``experiment`` or the spec)
        if the store does not hold it yet, else the name followed by the
        first free ``-2``, ``-3``, ...

    Returns
    -------
    search : HyperDriveSearchCV
        Fitted.
    """

    sweep = read_spec(spec_path)
    folder = Path(out) if out is not None else (sweep.out or default_run_folder(sweep.name))
    folder.mkdir(parents=True, exist_ok=True)
    storage = str(sweep.storage or folder / "store.db")
    name = experiment or sweep.name
    if new:
        name = _new_experiment_name(storage, name)
    search = sweep.search.set_params(storage=storage, experiment_name=name)
    print(f"hdsearch run: experiment {name!r}, run folder {folder}", flush=True)
    with warnings.catch_warnings():
        # read_spec warned already, at the spec's line and in TOML's spelling.
        warnings.simplefilter("ignore", LogBoundsWarning)
        _fit(search, sweep.X, sweep.y, rerun=f"hdsearch run {spec_path}")
    _print_outcome(search, write_run_folder(search, folder), top)
    return search


def _new_experiment_name(storage, name):
    """``name`` if the store does not hold it, else the store's first free ``name-N``."""

    try:
        with open_store(storage) as store:
            return store.free_name(name) if name in store.experiment_names() else name
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _fit(search, X, y, rerun=None):
    """Fit, timing it; a refused resume says how to start anew with the command ``rerun``."""

    start = time.perf_counter()
    try:
        search.fit(X, y)
    except KeyboardInterrupt:
        raise
    except ExperimentMismatchError as exc:
        if rerun is None:
            raise CommandError(str(exc)) from None
        raise CommandError(
            f"{exc.what_changed()} To start a new experiment: {rerun} --experiment {exc.free_name} "
            f"(or --new); to resume {exc.name!r}, run it on the data and settings it was created with."
        ) from None
    except ValueError as exc:
        raise CommandError(f"the sweep failed: {exc}") from None
    print(f"done in {time.perf_counter() - start:.1f} s", flush=True)


# --------------------------------------------------------------------- demo


def demo(max_total_runs=30, out="runs/demo", n_jobs=1, random_state=0, top=10):
    """Run a real sweep with early termination on a bundled dataset and write its run folder.

    An ``SGDClassifier`` on the breast-cancer data (standardized), trained
    one ``partial_fit`` epoch per interval, up to 15 epochs, 3-fold CV; a
    ``BanditPolicy(slack_factor=0.02, delay_evaluation=2)`` stops the
    trials that fall behind.

    Parameters
    ----------
    max_total_runs : int, default=30
        Trials to run.
    out : str or Path, default="runs/demo"
        Run folder. Each call adds a new experiment, named after the time,
        to its ``store.db``.
    n_jobs : int, default=1
        joblib workers. One epoch of this model takes milliseconds, less
        than joblib's dispatch, so one worker is the fastest.
    random_state : int, default=0
    top : int, default=10
        Leaderboard rows to print.

    Returns
    -------
    search : HyperDriveSearchCV
        Fitted.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import SGDClassifier
    from sklearn.preprocessing import StandardScaler


    X, y = load_breast_cancer(return_X_y=True)
    # Scaled up front: PartialFit needs an estimator with partial_fit, which a Pipeline lacks.
    X = StandardScaler().fit_transform(X)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0),
        {
            "alpha": loguniform(-10, 2),
            "eta0": loguniform(-9, -1),
            "learning_rate": choice("constant", "invscaling", "adaptive"),
            "loss": choice("hinge", "log_loss", "modified_huber"),
        },
        sampling="bayesian",
        policy=BanditPolicy(slack_factor=0.02, delay_evaluation=2),
        resource=PartialFit(max_epochs=15),
        max_total_runs=max_total_runs,
        max_concurrent_runs=6,
        cv=3,
        n_jobs=n_jobs,
        random_state=random_state,
        progress_bar=True,
        storage=str(folder / "store.db"),
        experiment_name=time.strftime("demo-%Y%m%d-%H%M%S"),
    )
    print(
        f"hdsearch demo: SGDClassifier on breast_cancer ({X.shape[0]} samples), {max_total_runs} trials, "
        f"{search.sampling} sampling, bandit early termination, 3-fold CV, up to 15 epochs",
        flush=True,
    )
    _fit(search, X, y)
    _print_outcome(search, write_run_folder(search, folder), top)
    return search


# -------------------------------------------------------------- show/report


def _experiment_names(store, name):
    names = store.experiment_names()
    if name is not None:
        if name not in names:
            raise CommandError(f"--experiment {name!r} is not in {store.path}; it holds {names}")
        return [name]
    if not names:
        raise CommandError(f"{store.path} holds no experiment yet")
    return names


def _open(storage):
    if not Path(str(storage).removeprefix("sqlite:///")).is_file():
        raise CommandError(f"STORE {storage!r}: no such file")
    try:
        return open_store(storage, readonly=True)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def show(storage, experiment=None, top=10):
    """Print the summary and leaderboard of stored experiments.

    Parameters
    ----------
    storage : str
        The store file.
    experiment : str, default=None
        None shows every experiment in the store.
    top : int, default=10
    """

    with _open(storage) as store:
        for name in _experiment_names(store, experiment):
            print(f"experiment {name!r} in {store.path}")
            print(format_summary((store, name)))
            print()
            print(format_leaderboard(leaderboard((store, name), top=top), best_at_bound((store, name))))
            print()


def report(storage, experiment=None, out=None):
    """Rebuild ``report.html`` of a stored experiment.

    Parameters
    ----------
    storage : str
        The store file.
    experiment : str, default=None
        Required when the store holds several experiments.
    out : str, default=None
        Folder of ``report.html``; None is the store's folder.

    Returns
    -------
    path : Path
    """

    with _open(storage) as store:
        names = _experiment_names(store, experiment)
        if len(names) > 1:
            raise CommandError(f"{store.path} holds several experiments; pick one with --experiment: {names}")
        folder = Path(out) if out is not None else Path(store.path).parent
        folder.mkdir(parents=True, exist_ok=True)
        path = write_report((store, names[0]), folder / "report.html")
    print(f"report: {path.resolve()}")
    return path


# --------------------------------------------------------------------- main


def _parser():
    parser = argparse.ArgumentParser(prog="hdsearch", description="HyperDrive-style hyperparameter sweeps.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the sweep a TOML spec describes")
    run_parser.add_argument("spec", help="the spec file (see docs/spec.md)")
    run_parser.add_argument("--out", help="run folder (default: [experiment] out, or runs/<name>)")
    run_parser.add_argument("--top", type=_positive_int, default=10, help="leaderboard rows (default 10)")
    run_parser.add_argument("--experiment", metavar="NAME",
                            help="experiment name in the store (default: [experiment] name); "
                            "an existing one is resumed if its data and settings are unchanged")
    run_parser.add_argument("--new", action="store_true",
                            help="start a new experiment: the name if the store does not hold it, "
                            "else the first free <name>-2, -3, ...")
    demo_parser = commands.add_parser("demo", help="run a sweep with early termination on a bundled dataset")
    demo_parser.add_argument("--max-total-runs", "--trials", dest="max_total_runs", type=_positive_int,
                             default=30, help="number of trials (default 30)")
    demo_parser.add_argument("--out", default="runs/demo", help="run folder (default runs/demo)")
    demo_parser.add_argument("--n-jobs", type=int, default=1, help="joblib workers (default 1)")
    demo_parser.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    demo_parser.add_argument("--top", type=_positive_int, default=10, help="leaderboard rows (default 10)")
    show_parser = commands.add_parser("show", help="print the leaderboard of a stored experiment")
    show_parser.add_argument("store", help="the store file, e.g. runs/demo/store.db")
    show_parser.add_argument("--experiment", help="experiment name (default: every experiment)")
    show_parser.add_argument("--top", type=_positive_int, default=10, help="leaderboard rows (default 10)")
    report_parser = commands.add_parser("report", help="rebuild report.html of a stored experiment")
    report_parser.add_argument("store", help="the store file")
    report_parser.add_argument("--experiment", help="experiment name (needed when the store holds several)")
    report_parser.add_argument("--out", help="folder of report.html (default: the store's folder)")
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an int >= 1, got {text!r}")
    return value


def _dispatch(args):
    if args.command == "run":
        run(args.spec, out=args.out, top=args.top, experiment=args.experiment, new=args.new)
    elif args.command == "demo":
        demo(args.max_total_runs, out=args.out, n_jobs=args.n_jobs, random_state=args.seed, top=args.top)
    elif args.command == "show":
        show(args.store, args.experiment, top=args.top)
    else:
        report(args.store, args.experiment, out=args.out)


def main(argv=None):
    """Entry point of ``hdsearch`` and ``python -m hdsearch``.

    Parameters
    ----------
    argv : list of str, default=None
        None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 when the sweep failed, 2 for a bad spec, store or
        argument, 130 when interrupted.
    """

    args = _parser().parse_args(argv)
    try:
        _dispatch(args)
    except SpecError as exc:
        print(f"hdsearch {args.command}: error in {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandError as exc:
        print(f"hdsearch {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if args.command in ("show", "report") else EXIT_FAILED
    except KeyboardInterrupt:
        resume = "; running the same command again resumes" if args.command == "run" else ""
        print(f"hdsearch {args.command}: interrupted; finished trials are in the store{resume}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`hdsearch show ... | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0
