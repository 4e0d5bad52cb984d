"""Progress of a running search: a tqdm bar, or plain lines when tqdm is absent.

Both are wave listeners (see ``engine.WaveReport``): they count ended trials
against ``max_total_runs`` and show completed, terminated and failed trials
and the best score so far.
"""

import math
import sys

from .trials import COMPLETED, FAILED, TERMINATED


def _summary(trials, metric_scores):
    counts = {status: sum(t.status == status for t in trials) for status in (COMPLETED, TERMINATED, FAILED)}
    best = max((s for s in metric_scores if math.isfinite(s)), default=None)
    text = f"{counts[COMPLETED]} completed, {counts[TERMINATED]} terminated, {counts[FAILED]} failed"
    if best is not None:
        text += f", best {best:.4f}"
    return sum(counts.values()), text


class ProgressReporter:
    """Show the search's progress after every wave.

    Parameters
    ----------
    total : int
        ``max_total_runs``.
    completed_scores : callable
        ``completed_scores(trials)`` gives the primary score of each
        completed trial.
    stream : file, default=sys.stderr
        Where the plain-text fallback writes.
    """

    def __init__(self, total, completed_scores, stream=None):
        self.total = total
        self.completed_scores = completed_scores
        self.stream = sys.stderr if stream is None else stream
        self._bar = None
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the plain-text fallback
            return
        self._bar = tqdm(total=total, unit="trial", desc="hdsearch", file=self.stream)

    def __call__(self, report):
        ended, text = _summary(report.trials, self.completed_scores(report.trials))
        if self._bar is not None:
            self._bar.update(ended - self._bar.n)
            self._bar.set_postfix_str(text, refresh=True)
        else:
            print(f"[hdsearch] wave {report.wave}: {ended}/{self.total} trials ended ({text})", file=self.stream)
        return False

    def close(self):
        """Close the bar; safe to call twice."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
