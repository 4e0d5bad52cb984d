"""check_estimator: HyperDriveSearchCV passes every check GridSearchCV passes, fails no other.

scikit-learn declares the expected failures of GridSearchCV in its own test
suite (``check_supervised_y_2d`` and ``check_requires_y_none``). Rather than
copy that list, each case runs ``check_estimator`` on GridSearchCV and on
HyperDriveSearchCV with the same inner estimator and grid, and compares how
often each check passes, fails or is skipped (an array API check runs once
per namespace and device).

Array API checks are generated when the estimator supports the array API (a
search takes that tag from its estimator) and run with
``SCIPY_ARRAY_API=1``, which ``conftest.py`` sets. Whether a namespace or a
device exists depends on the machine; GridSearchCV's outcome on the same
machine is the reference for those.
"""

import warnings
from collections import Counter

import array_api_strict
import numpy as np
import pytest
import sklearn
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator

from hdsearch import HyperDriveSearchCV, choice

SKLEARN_RELEASE = tuple(int(part) for part in sklearn.__version__.split(".")[:2])

# What scikit-learn 1.6 to 1.9 declare for GridSearchCV.
GRIDSEARCHCV_EXPECTED_FAILURES = {"check_supervised_y_2d", "check_requires_y_none"}

CASES = {
    "classifier": (LogisticRegression(), {"C": [0.1, 1.0]}),
    # Ridge supports the array API, so the array API checks are generated.
    "regressor": (Ridge(), {"alpha": [0.1, 1.0]}),
    # GridSearchCV is no TransformerMixin, so check_estimator refuses a search
    # around a pure transformer; the pipeline ends in a regressor instead.
    "transformer pipeline": (
        Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("ridge", Ridge())]),
        {"pca__n_components": [1, 2]},
    ),
}


def check_outcomes(estimator):
    """How many times each (check, status) happened; statuses are scikit-learn's."""
    outcomes = Counter()

    def record(*, estimator, check_name, exception, status, expected_to_fail, expected_to_fail_reason):
        outcomes[check_name, status] += 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator, on_fail=None, callback=record)
    return outcomes


def with_status(outcomes, status):
    return Counter({name: n for (name, s), n in outcomes.items() if s == status})


def hyperdrive_twin(estimator, grid):
    return HyperDriveSearchCV(estimator, {k: choice(v) for k, v in grid.items()}, sampling="grid", cv=2)


@pytest.mark.parametrize("case", list(CASES))
def test_fails_exactly_the_checks_gridsearchcv_fails(case):
    estimator, grid = CASES[case]
    theirs = check_outcomes(GridSearchCV(estimator, grid, cv=2))
    ours = check_outcomes(hyperdrive_twin(estimator, grid))
    assert {name for name, _ in ours} == {name for name, _ in theirs}
    assert with_status(ours, "failed") == with_status(theirs, "failed")
    # Every passing case of GridSearchCV passes here too.
    assert not with_status(theirs, "passed") - with_status(ours, "passed")
    if case != "transformer pipeline":  # the pipeline's own regressor checks fail in both
        # Array API checks depend on the machine's devices; GridSearchCV's are the reference.
        failed = {name for name in with_status(ours, "failed") if not name.startswith("check_array_api")}
        assert failed <= GRIDSEARCHCV_EXPECTED_FAILURES


@pytest.mark.parametrize("estimator", [Ridge(), LinearDiscriminantAnalysis(), SVC()], ids=repr)
def test_array_api_support_is_the_estimators(estimator):
    search = HyperDriveSearchCV(estimator, {"tol": choice(1e-3, 1e-4)})
    expected = get_tags(estimator).array_api_support
    assert get_tags(search).array_api_support is expected
    assert expected is get_tags(GridSearchCV(estimator, {"tol": [1e-3]})).array_api_support


# n_jobs=2: scikit-learn's configuration (array_api_dispatch) reaches the workers.
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_search_on_array_api_inputs_matches_gridsearchcv(n_jobs):
    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    # A device numpy cannot read, so nothing may convert the data behind
    # scikit-learn's back. Before 1.9, scikit-learn's own StratifiedKFold
    # converts y to numpy, so the CPU device stands in.
    device = array_api_strict.Device("device1" if SKLEARN_RELEASE >= (1, 9) else "CPU_DEVICE")
    X_xp = array_api_strict.asarray(X, device=device)
    y_xp = array_api_strict.asarray(y, device=device)
    grid = {"tol": [1e-1, 1e-4], "n_components": [None, 1]}
    with config_context(array_api_dispatch=True):
        ours = hyperdrive_twin(LinearDiscriminantAnalysis(), grid).set_params(error_score="raise", n_jobs=n_jobs)
        ours.fit(X_xp, y_xp)
        theirs = GridSearchCV(LinearDiscriminantAnalysis(), grid, cv=2, error_score="raise").fit(X_xp, y_xp)
        assert ours.score(X_xp, y_xp) == theirs.score(X_xp, y_xp)
        assert array_api_strict.all(ours.predict(X_xp) == theirs.predict(X_xp))
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_array_equal(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"])
