"""Command line: ``python -m hdsearch demo``."""

import argparse
import time


def demo(n_trials=30, n_jobs=-1, random_state=0, top=10):
    """Run a real random-sampling sweep of an SVC on the digits dataset and print a leaderboard.

    Parameters
    ----------
    n_trials : int, default=30
        Trials to run.
    n_jobs : int, default=-1
        joblib workers.
    random_state : int, default=0
        Seed of the sampling.
    top : int, default=10
        Rows of the leaderboard.

    Returns
    -------
    search : HyperDriveSearchCV
        The fitted search.
    """
    from sklearn.datasets import load_digits
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from . import HyperDriveSearchCV, choice, loguniform
    from .report import format_leaderboard, leaderboard

    X, y = load_digits(return_X_y=True)
    space = {
        "svc__C": loguniform(-3, 5),
        "svc__gamma": loguniform(-9, -1),
        "svc__kernel": choice("rbf", "sigmoid"),
    }
    search = HyperDriveSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        space,
        sampling="random",
        max_total_runs=n_trials,
        cv=5,
        n_jobs=n_jobs,
        random_state=random_state,
    )
    print(f"hdsearch demo: SVC on digits ({X.shape[0]} samples), {n_trials} random trials, 5-fold CV")
    start = time.perf_counter()
    search.fit(X, y)
    print(f"done in {time.perf_counter() - start:.1f} s; best mean accuracy {search.best_score_:.4f}\n")
    print(format_leaderboard(leaderboard(search, top=top)))
    return search


def main(argv=None):
    """Entry point of ``python -m hdsearch``."""
    parser = argparse.ArgumentParser(prog="python -m hdsearch")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="run a random sweep on a bundled dataset")
    demo_parser.add_argument("--trials", type=int, default=30, help="number of trials (default 30)")
    demo_parser.add_argument("--n-jobs", type=int, default=-1, help="joblib workers (default -1)")
    demo_parser.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    demo_parser.add_argument("--top", type=int, default=10, help="leaderboard rows (default 10)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(n_trials=args.trials, n_jobs=args.n_jobs, random_state=args.seed, top=args.top)
    return 0
