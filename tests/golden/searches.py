"""Fixed searches whose outputs are kept as a golden file (``outputs.json``).

The redesign of issue 24 must leave every output of a search unchanged:
``cv_results_`` (times aside), ``trials_``, ``best_*``, the store's rows and the
report's tables and page. ``python tests/golden/searches.py`` rewrites the
golden file; ``tests/test_golden.py`` compares a fresh run against it. The file
was made on main at commit 90a37a7, before the redesign.
"""

import base64
import json
import math
import re
import sqlite3
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.tree import DecisionTreeClassifier

from hdsearch import (
    BanditPolicy,
    BayesianSampling,
    Folds,
    HalvingPolicy,
    HyperDriveSearchCV,
    MedianStoppingPolicy,
    PartialFit,
    Subsample,
    TruncationSelectionPolicy,
    WarmStart,
    choice,
    loguniform,
    quniform,
    uniform,
)
from hdsearch.report import format_leaderboard, format_summary, leaderboard, report_html

GOLDEN = Path(__file__).with_name(f"outputs-sklearn{'.'.join(sklearn.__version__.split('.')[:2])}.json")


def _data():
    return make_classification(n_samples=300, n_features=8, n_informative=4, random_state=0)


def _searches(storage):
    """Name -> unfitted search; each covers another path through the engine."""
    common = {"cv": 3, "random_state": 0, "n_jobs": 1, "storage": storage}
    return {
        "partial_fit_bandit": HyperDriveSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(-9, -1), "penalty": choice("l2", "l1")},
            resource=PartialFit(max_epochs=6),
            policy=BanditPolicy(slack_factor=0.05, evaluation_interval=1, delay_evaluation=1),
            max_total_runs=8, max_concurrent_runs=3, return_train_score=True,
            experiment_name="partial_fit_bandit", **common,
        ),
        "partial_fit_median_sobol": HyperDriveSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(-9, -1), "eta0": uniform(0.001, 0.1)},
            sampling="sobol", resource=PartialFit(max_epochs=5),
            policy=MedianStoppingPolicy(delay_evaluation=2, evaluation_interval=2),
            max_total_runs=8, max_concurrent_runs=4, curves="all",
            experiment_name="partial_fit_median_sobol", **common,
        ),
        "staged_boosting_halving": HyperDriveSearchCV(
            GradientBoostingClassifier(random_state=0),
            {"learning_rate": loguniform(-4, 0), "max_depth": quniform(1, 4, 1)},
            resource=WarmStart("n_estimators", start=5, stop=40, factor=2),
            policy=HalvingPolicy(), max_total_runs=6,
            experiment_name="staged_boosting_halving", **common,
        ),
        "warm_start_flag_bandit": HyperDriveSearchCV(
            HistGradientBoostingClassifier(random_state=0, early_stopping=False),
            {"learning_rate": loguniform(-4, 0), "max_leaf_nodes": choice(4, 8, 16)},
            resource=WarmStart("max_iter", start=5, stop=20, step=5),
            policy=BanditPolicy(slack_amount=0.05), max_total_runs=5, max_concurrent_runs=5,
            experiment_name="warm_start_flag_bandit", **common,
        ),
        "folds_truncation_bayes": HyperDriveSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": quniform(1, 8, 1), "min_samples_leaf": choice(1, 5, 20)},
            sampling=BayesianSampling(), resource=Folds(),
            policy=TruncationSelectionPolicy(truncation_percentage=50),
            max_total_runs=10, max_concurrent_runs=2, return_train_score=True,
            experiment_name="folds_truncation_bayes", **common,
        ),
        "subsample_grid_multimetric": HyperDriveSearchCV(
            LogisticRegression(max_iter=200),
            {"C": [0.01, 0.1, 1.0, 10.0]},
            sampling="grid", resource=Subsample(min_samples=40, factor=2), policy=HalvingPolicy(),
            scoring=["accuracy", "roc_auc"], refit="roc_auc",
            experiment_name="subsample_grid_multimetric", **common,
        ),
    }


def _plain(value):
    """A JSON-ready copy: numpy scalars and arrays to Python, NaN to a string."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ma.MaskedArray):
        return [None if m else _plain(v) for v, m in zip(value.data.tolist(), np.ma.getmaskarray(value).tolist())]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _trials(search):
    return [
        {
            "trial_id": t.trial_id,
            "params": _plain(t.params),
            "status": t.status,
            "source": t.source,
            "results": sorted(
                [r.fold, r.interval, _plain(r.test_scores), _plain(r.train_scores), r.error is not None]
                for r in t.results
            ),
        }
        for t in search.trials_
    ]


_TIME_COLUMNS = {"start_time", "end_time", "fit_time", "score_time", "created_time", "row"}


def _store_rows(path):
    """Every row of the store, without times (and spec text without its times)."""
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        dump = {}
        for table in tables:
            cursor = connection.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            rows = []
            for row in cursor.fetchall():
                kept = {n: v for n, v in zip(names, row) if n not in _TIME_COLUMNS}
                kept = {n: (v.hex() if isinstance(v, bytes) and n != "params_pickle" else v) for n, v in kept.items()}
                kept.pop("params_pickle", None)
                if "error" in kept and kept["error"]:
                    kept["error"] = kept["error"].strip().splitlines()[-1]
                rows.append(_plain(kept))
            dump[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
        return dump
    finally:
        connection.close()


_VARYING = [
    (re.compile(r"\d+(\.\d+)?\s?(s|ms|min|h)\b"), "<time>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?"), "<date>"),
]


_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def _png_size(match):
    """A PNG's width and height, from its header (the pixels depend on matplotlib's release)."""
    header = base64.b64decode(match.group(1)[:48])
    return f"<png {int.from_bytes(header[16:20], 'big')}x{int.from_bytes(header[20:24], 'big')}>"


def _without_times(text):
    """Text with times, dates and the pixels of images left out."""
    text = _PNG.sub(_png_size, text)
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return text


def _fix_times(search):
    """Give every trial and result the same times, so the reports' time columns compare."""
    for trial in search.trials_:
        trial.start_time, trial.end_time = 0.0, 1.0
        for result in trial.results:
            result.fit_time, result.score_time = 0.25, 0.25


def outputs():
    """Run every fixed search and return what each produced, as JSON-ready data."""
    X, y = _data()
    result = {}
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, search in _searches(str(Path(folder) / "store.db")).items():
            search.fit(X, y)
            storage = search.storage
            _fix_times(search)
            rows = leaderboard(search)
            result[name] = {
                "cv_results": _plain({k: v for k, v in search.cv_results_.items() if "time" not in k}),
                "trials": _trials(search),
                "best": _plain([search.best_index_, search.best_params_, search.best_score_]),
                "best_estimator": repr(search.best_estimator_),
                "leaderboard": _without_times(format_leaderboard(rows)),
                "summary": _without_times(format_summary(search)),
                "report_html": _without_times(report_html(search, interactive=False)),
            }
        result["store"] = _store_rows(storage)
    return result


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(outputs(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
