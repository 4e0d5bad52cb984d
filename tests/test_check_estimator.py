"""check_estimator: HyperDriveSearchCV fails exactly the checks GridSearchCV fails.

scikit-learn declares the expected failures of GridSearchCV in its own test
suite (``check_supervised_y_2d`` and ``check_requires_y_none``). Rather than
copy that list, each case runs ``check_estimator`` on GridSearchCV and on
HyperDriveSearchCV with the same inner estimator and grid, and compares the
sets of failing checks.
"""

import warnings

import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from hdsearch import HyperDriveSearchCV, choice

# What scikit-learn 1.6 to 1.9 declare for GridSearchCV.
GRIDSEARCHCV_EXPECTED_FAILURES = {"check_supervised_y_2d", "check_requires_y_none"}

CASES = {
    "classifier": (LogisticRegression(), {"C": [0.1, 1.0]}),
    "regressor": (Ridge(), {"alpha": [0.1, 1.0]}),
    # GridSearchCV is no TransformerMixin, so check_estimator refuses a search
    # around a pure transformer; the pipeline ends in a regressor instead.
    "transformer pipeline": (
        Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("ridge", Ridge())]),
        {"pca__n_components": [1, 2]},
    ),
}


def failing_checks(estimator):
    failed = set()

    def record(*, estimator, check_name, exception, status, expected_to_fail, expected_to_fail_reason):
        if status == "failed":
            failed.add(check_name)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator, on_fail=None, callback=record)
    return failed


@pytest.mark.parametrize("case", list(CASES))
def test_fails_exactly_the_checks_gridsearchcv_fails(case):
    estimator, grid = CASES[case]
    theirs = failing_checks(GridSearchCV(estimator, grid, cv=2))
    ours = failing_checks(
        HyperDriveSearchCV(
            estimator, {k: choice(v) for k, v in grid.items()}, sampling="grid", cv=2
        )
    )
    assert ours == theirs
    if case != "transformer pipeline":  # the pipeline's own regressor checks fail in both
        assert ours <= GRIDSEARCHCV_EXPECTED_FAILURES
