"""Progress of a running search: a tqdm bar, or plain lines when tqdm is absent.

A :class:`~hdsearch._hooks.SearchCallback`: at every wave end it counts ended
trials against ``max_total_runs`` and shows completed, terminated and failed
trials and the best score so far. The plain lines come at most one a second (a
search may run hundreds of short waves), and the last state is always shown.
"""

import math
import sys
import time

from ._hooks import SearchCallback
from .trials import COMPLETED, FAILED, TERMINATED


def _summary(trials, metric_scores):
    counts = {status: sum(t.status == status for t in trials) for status in (COMPLETED, TERMINATED, FAILED)}
    best = max((s for s in metric_scores if math.isfinite(s)), default=None)
    text = f"{counts[COMPLETED]} completed, {counts[TERMINATED]} terminated, {counts[FAILED]} failed"
    if best is not None:
        text += f", best {best:.4f}"
    return sum(counts.values()), text


class ProgressReporter(SearchCallback):
    """Show the search's progress after every wave.

    The bar opens at :meth:`on_fit_start` (or the first wave, when called
    directly) and closes at :meth:`on_search_end`.

    Parameters
    ----------
    total : int
        ``max_total_runs``.
    completed_scores : callable
        ``completed_scores(trials)`` gives the primary score of each
        completed trial.
    stream : file, default=sys.stderr
        Where the plain-text fallback writes.
    min_interval : float, default=1.0
        Seconds between two plain-text lines; the last line is printed by
        :meth:`close` if it was held back.
    clock : callable, default=time.monotonic
        Seconds, for the interval.
    resume : ResumeSummary, default=None
        Set when the search resumes a stored experiment: the bar starts at
        the trials already ended and its description says how many were
        found; the plain text prints the announcement first.
    """

    def __init__(self, total, completed_scores, stream=None, min_interval=1.0, clock=time.monotonic, resume=None):
        self.total = total
        self.completed_scores = completed_scores
        self.stream = sys.stderr if stream is None else stream
        self.min_interval = min_interval
        self.clock = clock
        self.resume = resume
        self._last_printed = None
        self._pending = None
        self._bar = None
        self._opened = False

    def on_fit_start(self, context):
        """Open the bar (or print the resume announcement, in plain text)."""
        self._open()

    def _open(self):
        if self._opened:
            return
        self._opened = True
        resume = self.resume
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the plain-text fallback
            if resume is not None:
                print(f"[hdsearch] {resume}", file=self.stream, flush=True)
            return
        description = "hdsearch" if resume is None else f"hdsearch (resumed: {resume.found} trials found)"
        initial = 0 if resume is None else resume.ended
        self._bar = tqdm(total=self.total, initial=initial, unit="trial", desc=description, file=self.stream)

    def on_wave_end(self, report):
        """Show the wave's state; never asks to stop.

        Parameters
        ----------
        report : WaveReport
        """
        self._open()
        ended, text = _summary(report.trials, self.completed_scores(report.trials))
        if self._bar is not None:
            self._bar.update(ended - self._bar.n)
            self._bar.set_postfix_str(text, refresh=True)
        else:
            self._pending = f"[hdsearch] wave {report.wave}: {ended}/{self.total} trials ended ({text})"
            now = self.clock()
            if self._last_printed is None or now - self._last_printed >= self.min_interval:
                self._print_pending(now)
        return False

    def _print_pending(self, now):
        print(self._pending, file=self.stream, flush=True)
        self._pending, self._last_printed = None, now

    __call__ = on_wave_end

    def on_search_end(self):
        """Close the bar."""
        self.close()

    def close(self):
        """Close the bar, or print the last line if it was held back; safe to call twice."""
        if self._pending is not None:
            self._print_pending(self.clock())
        if self._bar is not None:
            self._bar.close()
            self._bar = None
