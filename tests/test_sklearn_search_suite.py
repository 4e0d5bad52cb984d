"""scikit-learn's own search tests, run against HyperDriveSearchCV.

The installed scikit-learn's ``sklearn/model_selection/tests/test_search.py``
is loaded at collection time as a private copy in which the names
``GridSearchCV`` and ``RandomizedSearchCV`` are two thin adapters around
``HyperDriveSearchCV``: grid sampling over ``param_grid``, and random
sampling over ``param_distributions`` with ``n_iter`` trials. Every one of its
tests is collected here, parametrized as scikit-learn parametrizes it.

Only tests about another class are not applicable: the successive-halving
searches, ``BaseSearchCV`` subclassing, ``ParameterGrid`` and
``ParameterSampler`` themselves, and scikit-learn's private helpers. Each is
skipped with a reason that starts with ``NOT_APPLICABLE``; ``conftest.py``
prints the counts (applicable, passed, not applicable) after the run.
"""

import importlib
import importlib.util
import sys
from contextlib import contextmanager
from inspect import signature

import numpy as np
import pytest
import sklearn.model_selection

from hdsearch import HyperDriveSearchCV

NOT_APPLICABLE = "NOT_APPLICABLE"

# pytest.param's type, which pytest does not export.
_PARAMETER_SET = type(pytest.param(None))

# Constructor parameters both scikit-learn searches share with HyperDriveSearchCV.
_SHARED = ("estimator", "scoring", "n_jobs", "refit", "cv", "verbose", "pre_dispatch", "error_score",
           "return_train_score")


def _constraints(search_space_name, *names):
    """HyperDriveSearchCV's constraints for an adapter's own constructor parameters."""
    base = HyperDriveSearchCV._parameter_constraints
    table = {name: base[name] for name in (*_SHARED, *names)}
    table[search_space_name] = base["param_distributions"]
    return table


class GridSearchCV(HyperDriveSearchCV):
    """``GridSearchCV``'s constructor over ``HyperDriveSearchCV(sampling="grid")``.

    The parameters GridSearchCV lacks are class attributes at
    HyperDriveSearchCV's defaults, so ``get_params``, ``clone`` and
    ``set_params`` see GridSearchCV's parameters only.
    """

    _parameter_constraints = _constraints("param_grid")
    sampling = "grid"

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.error_score = error_score
        self.return_train_score = return_train_score

    @property
    def param_distributions(self):
        return self.param_grid


class RandomizedSearchCV(HyperDriveSearchCV):
    """``RandomizedSearchCV``'s constructor over ``HyperDriveSearchCV(sampling="random")``.

    ``n_iter`` is ``max_total_runs``; the other parameters RandomizedSearchCV
    lacks are class attributes at HyperDriveSearchCV's defaults.
    """

    _parameter_constraints = _constraints("param_distributions", "random_state")
    _parameter_constraints["n_iter"] = HyperDriveSearchCV._parameter_constraints["max_total_runs"][:1]
    sampling = "random"

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    @property
    def max_total_runs(self):
        return self.n_iter


def _default_the_other_parameters(adapter):
    """HyperDriveSearchCV's other parameters become class attributes of ``adapter``, at their defaults."""
    own = signature(adapter.__init__).parameters
    for name, parameter in signature(HyperDriveSearchCV.__init__).parameters.items():
        if parameter.default is not parameter.empty and name not in own and name not in vars(adapter):
            setattr(adapter, name, parameter.default)


_default_the_other_parameters(GridSearchCV)
_default_the_other_parameters(RandomizedSearchCV)

# Whole tests about something other than the two searches, with the reason.
NOT_APPLICABLE_TESTS = {
    "test_validate_parameter_input": "tests ParameterGrid and ParameterSampler input validation",
    "test_parameter_grid": "tests ParameterGrid itself",
    "test_param_sampler": "tests ParameterSampler itself",
    "test_parameters_sampler_replacement": "tests ParameterSampler itself",
    "test_custom_run_search": "tests subclassing BaseSearchCV through _run_search",
    "test__custom_fit_no_run_search": "tests subclassing BaseSearchCV without _run_search",
    "test_yield_masked_array_for_each_param": "tests the private helper _yield_masked_array_for_each_param",
    "test_yield_masked_array_no_runtime_warning": "tests the private helper _yield_masked_array_for_each_param",
}

# Columns HyperDriveSearchCV adds to cv_results_, documented in the README
# ("cv_results_ gains status, n_intervals and resource_reached"; warm-start
# rows carry their source) and pinned by hdsearch's own tests. scikit-learn's
# key check takes extra keys for the same reason (the halving searches add
# iter and n_resources).
HDSEARCH_CV_RESULTS_KEYS = ("status", "source", "n_intervals", "resource_reached")


def _not_applicable(reason):
    return pytest.mark.skip(reason=f"{NOT_APPLICABLE}: {reason}")


def _torch_without_usable_cuda():
    try:
        import torch
    except ImportError:
        return False  # scikit-learn skips the case itself
    return not torch.cuda.is_available()


# scikit-learn skips torch on CUDA only when torch was built without it; a
# CUDA build without a usable driver fails GridSearchCV's own cases.
_NO_CUDA = pytest.mark.skip(reason="torch reports no usable CUDA device (torch.cuda.is_available() is False)")


def _needs_missing_cuda(values):
    names = {value for value in values if isinstance(value, str)}
    return {"torch", "cuda"} <= names and _torch_without_usable_cuda()


def _halving_class_name(values):
    """The name of the successive-halving search among ``values``, or None."""
    for value in values:
        kind = value if isinstance(value, type) else type(value)
        if kind.__name__.startswith("Halving") and kind.__module__.startswith("sklearn."):
            return kind.__name__
    return None


def _mark_cases(mark):
    """The ``parametrize`` mark with its successive-halving cases marked not applicable.

    Array API cases on a CUDA device that this machine cannot use are skipped
    as scikit-learn skips a missing library: they do not run.
    """
    argnames, argvalues = mark.args[:2]
    several = len(argnames.split(",") if isinstance(argnames, str) else argnames) > 1
    cases = []
    for case in argvalues:
        if isinstance(case, _PARAMETER_SET):
            values, marks, case_id = case.values, list(case.marks), case.id
        else:
            values, marks, case_id = (tuple(case) if several else (case,)), [], None
        name = _halving_class_name(values)
        if name is not None:
            case = pytest.param(*values, marks=[*marks, _not_applicable(f"tests {name}")], id=case_id)
        elif _needs_missing_cuda(values):
            case = pytest.param(*values, marks=[*marks, _NO_CUDA], id=case_id)
        cases.append(case)
    return pytest.mark.parametrize(argnames, cases, *mark.args[2:], **mark.kwargs).mark


def _marked(test):
    """``test``, or those of its parametrized cases that are, marked not applicable.

    Its CUDA cases are skipped too when no CUDA device is usable.
    """
    if test.__name__ in NOT_APPLICABLE_TESTS:
        return _not_applicable(NOT_APPLICABLE_TESTS[test.__name__])(test)
    marks = getattr(test, "pytestmark", [])
    test.pytestmark = [_mark_cases(m) if m.name == "parametrize" else m for m in marks]
    return test


@contextmanager
def _searches_replaced():
    """``sklearn.model_selection``'s two searches are the adapters, for one import."""
    saved = sklearn.model_selection.GridSearchCV, sklearn.model_selection.RandomizedSearchCV
    sklearn.model_selection.GridSearchCV = GridSearchCV
    sklearn.model_selection.RandomizedSearchCV = RandomizedSearchCV
    try:
        yield
    finally:
        sklearn.model_selection.GridSearchCV, sklearn.model_selection.RandomizedSearchCV = saved


def _load_suite():
    # The original first, so that every module it imports is imported with
    # scikit-learn's own searches; the copy then binds only its own names.
    original = importlib.import_module("sklearn.model_selection.tests.test_search")
    spec = importlib.util.spec_from_file_location("_sklearn_test_search_hdsearch", original.__file__)
    suite = importlib.util.module_from_spec(spec)
    # Registered under its own name, so that pickle finds the classes it defines.
    sys.modules[spec.name] = suite
    with _searches_replaced():
        spec.loader.exec_module(suite)
    check_cv_results_keys = suite.check_cv_results_keys

    def check_cv_results_keys_and_hdsearch_keys(cv_results, param_keys, score_keys, n_cand, extra_keys=()):
        check_cv_results_keys(cv_results, param_keys, score_keys, n_cand, extra_keys + HDSEARCH_CV_RESULTS_KEYS)

    suite.check_cv_results_keys = check_cv_results_keys_and_hdsearch_keys
    return suite


SUITE = _load_suite()
globals().update(
    {name: _marked(obj) for name, obj in vars(SUITE).items() if name.startswith("test_")}
)
