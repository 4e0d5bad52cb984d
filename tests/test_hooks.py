"""The one callback protocol: every moment reaches a SearchCallback in order, and MLflow loads only when named."""

import subprocess
import sys

import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold

from hdsearch import HyperDriveSearchCV, StopWhenScoreReaches, choice
from hdsearch.callbacks import CallbackList, SearchCallback, TrackingCallback
from hdsearch.policy import BanditPolicy
from hdsearch.resource import PartialFit

from helpers import FixedQuality as Fixed

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
CV = KFold(2)
QUALITIES = [0.5, 0.7, 0.95, 0.6]


class Moments(SearchCallback):
    """Writes down every moment it hears, and asks to stop after wave ``stop_at``."""

    def __init__(self, log, name="moments", stop_at=None):
        self.log, self.name, self.stop_at = log, name, stop_at

    def on_fit_start(self, context):
        self.log.append((self.name, "fit_start", len(context.trials)))

    def on_trials_started(self, engine, new_trials, sampler_exhausted):
        self.log.append((self.name, "trials_started", tuple(t.trial_id for t in new_trials)))

    def on_wave_end(self, report):
        self.log.append((self.name, "wave_end", report.wave))
        return report.wave == self.stop_at

    def on_wave_recorded(self, report, stop_reason=None):
        self.log.append((self.name, "wave_recorded", report.wave, stop_reason))

    def on_search_end(self):
        self.log.append((self.name, "search_end"))

    def on_fit_end(self, search, error=None):
        self.log.append((self.name, "fit_end", type(error).__name__ if error else None))


def grid_search(**kwargs):
    # One trial per wave.
    return HyperDriveSearchCV(
        Fixed(), {"quality": choice(*QUALITIES)}, sampling="grid", max_concurrent_runs=1, cv=CV, **kwargs
    )


def test_a_search_callback_hears_every_moment_in_order():
    log = []
    grid_search(callbacks=[Moments(log)]).fit(X, y)
    waves = [
        entry
        for k in range(1, len(QUALITIES) + 1)
        for entry in [
            ("moments", "trials_started", (k - 1,)),
            ("moments", "wave_end", k),
            ("moments", "wave_recorded", k, None),
        ]
    ]
    # The last call to fill the slots starts nothing and ends the loop.
    expected = [("moments", "fit_start", 0), *waves, ("moments", "trials_started", ()),
                ("moments", "search_end"), ("moments", "fit_end", None)]
    assert log == expected


def test_a_search_callback_that_asks_to_stop_ends_the_search_after_that_wave():
    log = []
    search = grid_search(callbacks=[Moments(log, stop_at=2)]).fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    assert ("moments", "wave_recorded", 2, "callback") in log
    assert log[-2:] == [("moments", "search_end"), ("moments", "fit_end", None)]


def test_every_callback_hears_a_wave_even_after_one_asked_to_stop():
    log = []
    grid_search(callbacks=[Moments(log, "first", stop_at=1), Moments(log, "second")]).fit(X, y)
    ends = [entry[0] for entry in log if entry[1] == "wave_end"]
    assert ends == ["first", "second"]


def test_plain_callables_and_search_callbacks_mix_in_the_order_given():
    log = []
    plain = lambda snapshot: log.append(("plain", "wave_end", snapshot.wave))  # noqa: E731
    grid_search(callbacks=[Moments(log, "a"), plain, Moments(log, "b")], max_total_runs=1).fit(X, y)
    assert [entry[0] for entry in log if entry[1] == "wave_end"] == ["a", "plain", "b"]


def test_a_failing_fit_reaches_on_fit_end_with_its_error():
    log = []

    def boom(snapshot):
        raise RuntimeError("callback bug")

    with pytest.raises(RuntimeError, match="callback bug"):
        grid_search(callbacks=[Moments(log), boom]).fit(X, y)
    assert log[-2:] == [("moments", "search_end"), ("moments", "fit_end", "RuntimeError")]


def test_a_search_callback_with_a_bad_argument_is_rejected_before_any_fit():
    class Checked(SearchCallback):
        def check_arguments(self):
            raise ValueError("Checked: every must be >= 1, got every=0")

        def on_fit_start(self, context):
            raise AssertionError("fit started")

    with pytest.raises(ValueError, match="every must be >= 1, got every=0"):
        grid_search(callbacks=[Checked()]).fit(X, y)


def test_a_tracking_callback_gets_on_wave_once_the_wave_is_recorded(tmp_path):
    seen = []

    class Tracker(TrackingCallback):
        def on_wave(self, report, stop_reason=None):
            seen.append((report.wave, stop_reason))

    grid_search(callbacks=[Tracker(), StopWhenScoreReaches(0.9)]).fit(X, y)
    assert seen == [(1, None), (2, None), (3, "callback")]


def test_the_callback_list_keeps_the_order_for_every_moment():
    log = []

    class Engine:
        stop_reason = "max_duration"

    hooks = CallbackList([Moments(log, "a"), Moments(log, "b")], Engine())
    report = type("Report", (), {"wave": 1})()
    assert hooks.wave_ended(report) is False
    hooks.wave_recorded(report)
    assert log == [("a", "wave_end", 1), ("b", "wave_end", 1),
                   ("a", "wave_recorded", 1, "max_duration"), ("b", "wave_recorded", 1, "max_duration")]


def test_verbose_and_progress_follow_the_protocol_with_a_policy(capsys):
    pytest.importorskip("tqdm")
    HyperDriveSearchCV(
        Fixed(), {"quality": choice(0.9, 0.3)}, sampling="grid", resource=PartialFit(3),
        policy=BanditPolicy(slack_factor=0.1), cv=CV, random_state=0, verbose=1, progress_bar=True,
    ).fit(X, y)
    captured = capsys.readouterr()
    assert "[trial 1] terminated: bandit" in captured.out
    assert "2/2" in captured.err


def test_import_hdsearch_loads_no_integration_and_the_callbacks_path_still_finds_mlflow():
    code = (
        "import sys, hdsearch, hdsearch.callbacks\n"
        "assert not [m for m in sys.modules if 'mlflow' in m], sorted(m for m in sys.modules if 'mlflow' in m)\n"
        "from hdsearch.callbacks import MLflowCallback\n"
        "from hdsearch.integrations.mlflow import MLflowCallback as Same\n"
        "assert MLflowCallback is Same\n"
        "assert 'mlflow' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unknown_name_of_the_callbacks_module_is_an_attribute_error():
    import hdsearch.callbacks

    with pytest.raises(AttributeError, match="no attribute 'MLFlowCallback'"):
        hdsearch.callbacks.MLFlowCallback  # noqa: B018
