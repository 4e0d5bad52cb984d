"""Counts for scikit-learn's own test suites run against HyperDriveSearchCV.

``test_sklearn_search_suite.py`` runs scikit-learn's ``test_search.py`` with
its searches replaced. After the run, the terminal summary gives what
happened to those tests: applicable (collected and not marked not
applicable), passed, failed, skipped by scikit-learn itself (an optional
library or device is missing) and not applicable, counted from the reports
of this run.
"""

from collections import Counter

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
        _outcomes[report.nodeid] = "not applicable" if NOT_APPLICABLE in reason else "skipped by scikit-learn"
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
        f"skipped by scikit-learn: {counts['skipped by scikit-learn']}, "
        f"not applicable: {counts['not applicable']}"
    )
