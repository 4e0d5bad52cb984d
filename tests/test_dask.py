"""A dask.distributed cluster through joblib's dask backend: same results, and a lost worker loses nothing."""

import threading
import time

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold
from sklearn.svm import SVC

from helpers import assert_same_cv_results

from hdsearch import HyperDriveSearchCV, choice, load_experiment, loguniform
from hdsearch.policy import MedianStoppingPolicy
from hdsearch.resource import PartialFit

distributed = pytest.importorskip("distributed")

X, y = make_classification(n_samples=150, n_features=6, random_state=0)
CV = KFold(3)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


CASES = {
    "grid": dict(
        estimator=SVC(), param_distributions={"C": choice(0.1, 1.0, 10.0), "gamma": choice(0.01, 0.1)},
        sampling="grid",
    ),
    "random": dict(
        estimator=SVC(), param_distributions={"C": loguniform(-3, 3), "gamma": loguniform(-5, 0)},
        max_total_runs=8,
    ),
    "bayesian": dict(
        estimator=SVC(), param_distributions={"C": loguniform(-3, 3), "gamma": loguniform(-5, 0)},
        sampling="bayesian", max_total_runs=8, max_concurrent_runs=2,
    ),
    "partial_fit with a policy": dict(
        estimator=SGDClassifier(learning_rate="constant", random_state=0),
        param_distributions={"alpha": loguniform(-10, -1), "eta0": loguniform(-6, -1)},
        resource=PartialFit(5), policy=MedianStoppingPolicy(delay_evaluation=1), max_total_runs=8,
        max_concurrent_runs=4,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_dask_cluster_gives_the_results_of_n_jobs_1(client, case):
    local = HyperDriveSearchCV(cv=CV, random_state=0, n_jobs=1, **CASES[case]).fit(X, y)
    with joblib.parallel_config(backend="dask", scatter=[X, y]):
        on_dask = HyperDriveSearchCV(cv=CV, random_state=0, **CASES[case]).fit(X, y)
    assert_same_cv_results(on_dask.cv_results_, local.cv_results_)
    assert on_dask.best_params_ == local.best_params_


def test_max_concurrent_runs_bounds_the_trials_of_a_wave_on_dask(client):
    widths = []
    with joblib.parallel_config(backend="dask"):
        HyperDriveSearchCV(
            cv=CV, random_state=0, callbacks=[lambda snapshot: widths.append(
                sum(t.status == "running" for t in snapshot.trials)) and False],
            **{**CASES["partial_fit with a policy"], "max_concurrent_runs": 2},
        ).fit(X, y)
    assert widths and max(widths) <= 2


def test_a_worker_closed_mid_search_loses_nothing(client, tmp_path):
    db = tmp_path / "store.db"
    case = {**CASES["partial_fit with a policy"], "resource": PartialFit(30), "max_total_runs": 12}

    def close_a_worker_once_waves_are_stored():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    if len(load_experiment(db, "lost-worker")) >= 2:
                        break
                except ValueError:
                    pass
            time.sleep(0.05)
        name = sorted(client.cluster.workers)[0]
        client.cluster.sync(client.cluster.workers[name].close)

    closer = threading.Thread(target=close_a_worker_once_waves_are_stored)
    closer.start()
    with joblib.parallel_config(backend="dask"):
        search = HyperDriveSearchCV(
            cv=CV, random_state=0, storage=db, experiment_name="lost-worker", **case
        ).fit(X, y)
    closer.join()
    statuses = set(search.cv_results_["status"])
    assert statuses <= {"completed", "terminated", "failed"}
    assert len(search.cv_results_["params"]) == 12
    stored = load_experiment(db, "lost-worker")
    assert len(stored) == 12
    local = HyperDriveSearchCV(cv=CV, random_state=0, n_jobs=1, **case).fit(X, y)
    lost = search.cv_results_["status"] == "failed"
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"][~lost], local.cv_results_["mean_test_score"][~lost]
    )
