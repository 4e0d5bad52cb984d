"""Assertions and estimators shared by the tests."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import SGDClassifier


def timing_free(cv_results):
    """``cv_results_`` without the keys that hold times."""
    return {k: v for k, v in cv_results.items() if "time" not in k}


def assert_same_cv_results(left, right):
    """Every key but the times is equal, in the same order."""
    left, right = timing_free(left), timing_free(right)
    assert list(left) == list(right)
    for key in left:
        if key == "params":
            assert left[key] == right[key]
        else:
            np.testing.assert_array_equal(np.asarray(left[key]), np.asarray(right[key]), key)


class SleepySGD(SGDClassifier):
    """SGDClassifier whose ``partial_fit`` takes a little longer, so a search can be killed mid-way."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        time.sleep(0.05)
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


class FixedQuality(ClassifierMixin, BaseEstimator):
    """Scores ``quality`` plus 0.01 per partial_fit call; a negative quality fails to fit."""

    def __init__(self, quality=0.5):
        self.quality = quality

    def fit(self, X, y):
        if self.quality < 0:
            raise ValueError("this quality cannot fit")
        self.classes_ = np.array([0, 1])
        return self

    def partial_fit(self, X, y, classes=None):
        self.calls_ = getattr(self, "calls_", 0) + 1
        return self.fit(X, y)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def score(self, X, y):
        return self.quality + 0.01 * getattr(self, "calls_", 0)


def force_run_ahead(monkeypatch, run_ahead):
    """Make every search's engine run tasks exactly ``run_ahead`` stops past their trial's next stop.

    0 is interval by interval: no work past a termination, which tests that
    count the work done need.
    """
    from hdsearch.engine import WaveEngine

    original = WaveEngine.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "run_ahead": run_ahead})

    monkeypatch.setattr(WaveEngine, "__init__", init)


def kill_when(code, ready, timeout=120):
    """Run ``code`` in a child Python and SIGKILL it as soon as ``ready()`` holds.

    The child must still be running then: a search that ended first fails the test.
    """
    child = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + timeout
    while not ready():
        assert child.poll() is None, "the search ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
