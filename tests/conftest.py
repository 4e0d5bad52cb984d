"""Counts for scikit-learn's own test suites run against HyperDriveSearchCV.

``test_sklearn_search_suite.py`` runs scikit-learn's ``test_search.py`` with
its searches replaced. After the run, the terminal summary gives what
happened to those tests: applicable (collected and not marked not
applicable), passed, failed, skipped for the environment (scikit-learn's
own skips for a missing optional library or device, and CUDA cases on a
machine without a usable CUDA device) and not applicable, counted from the
reports of this run.
"""

import os
from collections import Counter

# scikit-learn runs its array API tests and checks (array_api_dispatch) only
# when SciPy's array API support is on, which SciPy reads once, on import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

SUITE_FILE = "test_sklearn_search_suite.py"
NOT_APPLICABLE = "NOT_APPLICABLE"

_outcomes = {}


def pytest_configure(config):
    # scikit-learn's tests carry this mark for its own thread-parallel runs.
    config.addinivalue_line("markers", "thread_unsafe: scikit-learn's mark; no effect here")


def pytest_runtest_logreport(report):
    if SUITE_FILE not in report.nodeid:
        return
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _outcomes[report.nodeid] = "not applicable" if NOT_APPLICABLE in reason else "skipped for the environment"
    elif report.failed:
        _outcomes[report.nodeid] = "failed"
    elif report.when == "call":
        _outcomes.setdefault(report.nodeid, "passed")


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    counts = Counter(_outcomes.values())
    applicable = len(_outcomes) - counts["not applicable"]
    import sklearn

    terminalreporter.section(f"scikit-learn {sklearn.__version__} test_search.py against HyperDriveSearchCV")
    terminalreporter.write_line(
        f"applicable: {applicable}, passed: {counts['passed']}, failed: {counts['failed']}, "
        f"skipped for the environment: {counts['skipped for the environment']}, "
        f"not applicable: {counts['not applicable']}"
    )
