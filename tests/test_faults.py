"""Faults: failing trials, dying workers, interrupts and time limits never lose finished work."""

import os
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold

from hdsearch import HyperDriveSearchCV, choice
from hdsearch.policy import MedianStoppingPolicy
from hdsearch.resource import PartialFit

X, y = make_classification(n_samples=90, n_features=5, random_state=0)
CV = KFold(2)


class Crashy(ClassifierMixin, BaseEstimator):
    """Scores ``quality``; ``action`` makes its fit raise, kill its process, or interrupt."""

    def __init__(self, quality=0.5, action=None):
        self.quality = quality
        self.action = action

    def _act(self):
        if self.action == "raise":
            raise RuntimeError(f"fit failed on purpose for quality={self.quality}")
        if self.action == "exit":
            os._exit(3)
        if self.action == "interrupt":
            raise KeyboardInterrupt

    def fit(self, X, y):
        self._act()
        self.classes_ = np.array([0, 1])
        return self

    def partial_fit(self, X, y, classes=None):
        self.calls_ = getattr(self, "calls_", 0) + 1
        if self.calls_ == 2:
            self._act()
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def score(self, X, y):
        return self.quality + 0.01 * getattr(self, "calls_", 0)


SPACE = [
    {"quality": choice(0.1, 0.2, 0.3, 0.4)},
    {"quality": choice(0.9), "action": choice("exit")},
]


def test_a_worker_dying_fails_its_trial_and_the_search_completes():
    search = HyperDriveSearchCV(Crashy(), SPACE, sampling="grid", cv=CV, n_jobs=2, error_score=np.nan)
    with pytest.warns(Warning, match="died"):
        search.fit(X, y)
    statuses = list(search.cv_results_["status"])
    assert statuses == ["completed"] * 4 + ["failed"]
    assert "died" in search.trials_[4].errors[0]
    assert search.best_params_ == {"quality": 0.4}


def test_a_worker_dying_mid_partial_fit_loses_nothing_else():
    kwargs = dict(resource=PartialFit(3), sampling="grid", cv=CV, random_state=0)
    search = HyperDriveSearchCV(Crashy(), SPACE, n_jobs=2, **kwargs)
    with pytest.warns(Warning, match="died"):
        search.fit(X, y)
    healthy = HyperDriveSearchCV(Crashy(), SPACE[:1], n_jobs=1, **kwargs).fit(X, y)
    assert list(search.cv_results_["status"]) == ["completed"] * 4 + ["failed"]
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"][:4], healthy.cv_results_["mean_test_score"])


def test_error_score_raise_reraises_a_dying_worker():
    search = HyperDriveSearchCV(Crashy(), SPACE, sampling="grid", cv=CV, n_jobs=2, error_score="raise")
    with pytest.raises(Exception, match="(?i)worker|process"):
        search.fit(X, y)


def test_a_failing_trial_keeps_its_traceback_and_the_search_goes_on():
    space = [{"quality": choice(0.3, 0.6)}, {"quality": choice(0.9), "action": choice("raise")}]
    search = HyperDriveSearchCV(Crashy(), space, sampling="grid", cv=CV)
    with pytest.warns(Warning, match="fit failed on purpose"):
        search.fit(X, y)
    assert list(search.cv_results_["status"]) == ["completed", "completed", "failed"]
    assert "RuntimeError: fit failed on purpose" in search.trials_[2].errors[0]
    assert search.best_params_ == {"quality": 0.6}


def test_keyboard_interrupt_reraises_and_keeps_the_finished_trials():
    space = [{"quality": choice(0.3, 0.6)}, {"quality": choice(0.9), "action": choice("interrupt")}]
    search = HyperDriveSearchCV(
        Crashy(), space, sampling="grid", resource=PartialFit(3), policy=MedianStoppingPolicy(),
        max_concurrent_runs=2, cv=CV, random_state=0,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    finished = [trial for trial in search.trials_ if trial.ended]
    assert [trial.params for trial in finished] == [{"quality": 0.3}, {"quality": 0.6}]
    assert all(trial.status == "completed" for trial in finished)


def test_max_duration_ends_between_waves_with_a_message_and_keeps_results():
    search = HyperDriveSearchCV(
        SGDClassifier(random_state=0), {"alpha": choice(1e-4, 1e-3, 1e-2, 1e-1)}, sampling="grid",
        resource=PartialFit(5), policy=MedianStoppingPolicy(), max_concurrent_runs=1,
        max_duration=1e-9, cv=CV, random_state=0,
    )
    with pytest.warns(UserWarning, match="max_duration"):
        search.fit(X, y)
    assert len(search.trials_) == 1
    assert search.cv_results_["status"][0] == "terminated"


def test_nan_scores_rank_last_with_a_warning():
    space = {"quality": choice(0.3, float("nan"), 0.6)}
    search = HyperDriveSearchCV(Crashy(), space, sampling="grid", cv=CV)
    with pytest.warns(UserWarning, match="non-finite"):
        search.fit(X, y)
    assert list(search.cv_results_["rank_test_score"]) == [2, 3, 1]


def test_a_policy_never_takes_a_nan_trial_as_leader():
    space = {"quality": choice(float("nan"), 0.5, 0.2)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = HyperDriveSearchCV(
            Crashy(), space, sampling="grid", resource=PartialFit(3), policy=MedianStoppingPolicy(),
            cv=CV, random_state=0,
        ).fit(X, y)
    # The median of the others' running averages is NaN-free only through 0.5 and 0.2;
    # the NaN trial is the worst, never the protected leader.
    assert search.cv_results_["status"][0] == "terminated"
    assert search.cv_results_["status"][1] == "completed"


# ------------------------------------------------ every fit failing the same way


class NeedsNumbers(ClassifierMixin, BaseEstimator):
    """Fails every fit as a model given string columns does, unless ``works``; counts its fits."""

    fits = []

    def __init__(self, alpha=1.0, works=False, message="could not convert string to float: 'red'"):
        self.alpha = alpha
        self.works = works
        self.message = message

    def fit(self, X, y):
        NeedsNumbers.fits.append(self.alpha)
        if not self.works:
            raise ValueError(self.message)
        self.classes_ = np.array([0, 1])
        return self

    def partial_fit(self, X, y, classes=None):
        return self.fit(X, y)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def score(self, X, y):
        return self.alpha


ALPHAS = {"alpha": [0.1 * i for i in range(1, 19)]}  # 18 trials


def fail_fast_search(estimator=None, **overrides):
    arguments = dict(param_distributions=ALPHAS, sampling="grid", cv=KFold(5), n_jobs=1)
    arguments.update(overrides)
    NeedsNumbers.fits.clear()
    return HyperDriveSearchCV(estimator or NeedsNumbers(), **arguments)


@pytest.mark.parametrize("resource, n_fits, n_trials, ran", [
    # folds: the first fold of trials 0..4; the fits run in task order up to trial 4's first fold.
    ("folds", 5, 5, 4 * 5 + 1),
    # per fold: every fold's first step, of trials 0 and 1.
    (PartialFit(3), 10, 2, 10),
])
def test_when_the_first_fits_all_fail_alike_the_search_stops_with_sklearns_error(resource, n_fits, n_trials, ran):
    search = fail_fast_search(resource=resource)
    with pytest.raises(ValueError) as raised:
        search.fit(X, y)
    message = str(raised.value)
    assert message.startswith(f"\nAll the {n_fits} fits failed.\nIt is very likely that your model is misconfigured.")
    assert (f"The search stopped early: its first {n_fits} fits, from {n_trials} trials, all failed with the same "
            "error, which names no searched parameter, so every fit would; the other fits were not run.") in message
    assert f"{n_fits} fits failed with the following error:" in message
    assert "could not convert string to float: 'red'" in message
    assert len(NeedsNumbers.fits) == ran < 18 * 5


def test_stopping_early_does_not_depend_on_n_jobs():
    messages = []
    for n_jobs in (1, 2):
        with pytest.raises(ValueError) as raised:
            fail_fast_search(n_jobs=n_jobs).fit(X, y)
        messages.append(str(raised.value).split("Below are more details")[0])
    assert messages[0] == messages[1] and "stopped early" in messages[0]


@pytest.mark.parametrize("estimator, why", [
    (NeedsNumbers(message="alpha must be below 0"), "the error names a searched parameter"),
    (NeedsNumbers(message="cannot use 0.1 here"), "the error names a searched value"),
])
def test_an_error_naming_the_searched_parameters_runs_every_fit(estimator, why):
    with pytest.raises(ValueError, match="All the 90 fits failed") as raised:
        fail_fast_search(estimator).fit(X, y)
    assert "stopped early" not in str(raised.value), why
    assert len(NeedsNumbers.fits) == 90


class TwoErrors(NeedsNumbers):
    """Fails every fit, with one of two errors that name no parameter."""

    def fit(self, X, y):
        NeedsNumbers.fits.append(self.alpha)
        raise ValueError("too few rows" if self.alpha < 0.35 else "too many rows")


def test_different_errors_run_every_fit():
    with pytest.raises(ValueError, match="All the 90 fits failed") as raised:
        fail_fast_search(TwoErrors()).fit(X, y)
    assert "stopped early" not in str(raised.value)
    assert len(NeedsNumbers.fits) == 90


def test_a_first_fit_that_succeeds_keeps_error_score_semantics():
    space = [{"alpha": [0.5], "works": [True]}, {"alpha": [0.1 * i for i in range(1, 10)]}]
    search = fail_fast_search(param_distributions=space)
    with pytest.warns(FitFailedWarning, match="45 fits failed out of a total of 50"):
        search.fit(X, y)
    assert search.best_params_ == {"alpha": 0.5, "works": True}
    assert len(NeedsNumbers.fits) == 50 + 1  # every fit, and the refit


def test_error_score_raise_still_raises_the_first_fit_error():
    with pytest.raises(ValueError, match="^could not convert string to float: 'red'$"):
        fail_fast_search(error_score="raise").fit(X, y)
