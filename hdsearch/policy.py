"""Early-termination policies: which running trials stop at interval k.

Policies are pure objects over learning curves: no joblib, no estimators.
The engine hands a policy, after each wave, the curves of every trial
(``Curve``: the score at intervals 1, 2, ... reached so far) and asks which
running trials that just reached interval ``k`` to terminate.

Each policy declares the intervals it reads (:meth:`BasePolicy.intervals_read`)
and the engine scores exactly those, plus the last one: a decision never
depends on which intervals the engine chose to score. ``BanditPolicy`` and
``MedianStoppingPolicy`` read every interval up to a decision (a trial's best
score up to k, a running average over 1..k); ``TruncationSelectionPolicy`` and
``HalvingPolicy`` read only the intervals they decide at.

Rules shared by every policy (ARCHITECTURE.md section 4):

- a policy acts at interval k only when ``k % evaluation_interval == 0`` and
  ``k >= delay_evaluation``;
- never at a trial's final interval (finishing costs nothing more);
- never on the trial leading at k;
- comparisons at k use every trial with a score at k -- running, completed,
  or terminated later -- in trial order, so decisions never depend on timing.

Scores are "greater is better"; a NaN score (a failed fit) counts as the
worst possible.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ._config import ConfigObject, check_int


@dataclass
class Curve:
    """One trial's learning curve as a policy sees it.

    Parameters
    ----------
    trial_id : int
        The trial's ``Trial.trial_id`` (what :meth:`BasePolicy.terminated_at`
        returns).
    scores : list of float or None
        Score at intervals 1, 2, ..., as far as the trial got; None at an
        interval that was not scored (the engine scores the intervals the
        policy reads, :meth:`BasePolicy.intervals_read`; a warm-start trial
        may hold None where its own search did not score).
    running : bool
        Whether the trial is still running (only running trials stop).
    completed : bool
        Whether the trial ran all its intervals.
    final_interval : int
        The trial's last interval; a policy never acts there.
    order : int or None, default=None
        The trial's place in trial order, which breaks ties (the earlier
        trial wins); None means ``trial_id``. The engine numbers warm-start
        trials first, so that they lead ties as earlier trials do.
    """

    trial_id: int
    scores: list
    running: bool = True
    completed: bool = False
    final_interval: int = 1
    order: int | None = None
    # best_score_up_to(k) by k: a policy asks it of every peer for every candidate.
    _best: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.order is None:
            self.order = self.trial_id

    def has_score_at(self, k):
        """Whether the trial reported a score at interval ``k``."""
        return len(self.scores) >= k and self.scores[k - 1] is not None

    def score_at(self, k):
        """Score at interval ``k``; NaN counts as minus infinity."""
        return _finite_or_worst(self.scores[k - 1])

    def best_score_up_to(self, k):
        """Best score over the scored intervals among 1..k."""
        if k not in self._best:
            self._best[k] = max(_finite_or_worst(s) for s in self._scored_up_to(k))
        return self._best[k]

    def average_up_to(self, k):
        """Running average of the scores over the scored intervals among 1..k."""
        return float(np.mean([_finite_or_worst(s) for s in self._scored_up_to(k)]))

    def _scored_up_to(self, k):
        return [s for s in self.scores[:k] if s is not None]


def _finite_or_worst(score):
    return -math.inf if score is None or math.isnan(score) else float(score)


class BasePolicy(ConfigObject):
    """What every policy shares: when it acts, and the candidates it may stop.

    Parameters
    ----------
    evaluation_interval : int, default=1
        Act at intervals that are multiples of this.
    delay_evaluation : int, default=0
        Never act before this interval.
    """

    #: Whether a decision at k reads the trial's scores at every interval 1..k
    #: (a best score or a running average up to k), or the scores at k only.
    reads_whole_curve = False

    def __init__(self, evaluation_interval=1, delay_evaluation=0):
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation

    def validate(self):
        """Raise ValueError naming any bad argument."""
        name = type(self).__name__
        check_int(name, "evaluation_interval", self.evaluation_interval, 1)
        check_int(name, "delay_evaluation", self.delay_evaluation, 0)

    def acts_at(self, k):
        """Whether the policy is applied at interval ``k``."""
        return k % self.evaluation_interval == 0 and k >= self.delay_evaluation

    def intervals_read(self, decisions):
        """The intervals whose scores the policy's decisions read.

        The engine scores every fold at these intervals (and at the last
        one), so a decision sees every score its rule names.

        Parameters
        ----------
        decisions : sequence of int
            The intervals the policy decides at, in increasing order.

        Returns
        -------
        set of int
            Every interval up to the last decision for a rule over a
            trial's whole curve up to k (:attr:`reads_whole_curve`), else
            the decision intervals themselves.
        """
        if self.reads_whole_curve:
            return set(range(1, max(decisions) + 1)) if decisions else set()
        return set(decisions)

    def terminated_at(self, curves, k):
        """Trial ids of the running trials at interval ``k`` that stop now.

        Parameters
        ----------
        curves : list of Curve
            Every trial of the search, in trial order.
        k : int
            The interval the running trials just reached.

        Returns
        -------
        trial_ids : list of int
            In trial order.
        """
        if not self.acts_at(k):
            return []
        peers = [c for c in curves if c.has_score_at(k)]
        leader = self._leader(peers, k)
        candidates = [
            c
            for c in peers
            if c.running and len(c.scores) == k and k < c.final_interval and c is not leader
        ]
        return [c.trial_id for c in candidates if self._stops(c, peers, k)]

    @staticmethod
    def _leader(peers, k):
        """The first trial, in trial order, with the best score up to k."""
        if not peers:
            return None
        return max(peers, key=lambda c: (c.best_score_up_to(k), -c.order))

    def _stops(self, curve, peers, k):
        raise NotImplementedError

    def explain(self, curve, curves, k):
        """Why the policy stopped ``curve`` at interval ``k``, in one line.

        Parameters
        ----------
        curve : Curve
            A trial that :meth:`terminated_at` returned for ``k``.
        curves : list of Curve
            Every trial, as :meth:`terminated_at` saw them.
        k : int

        Returns
        -------
        str
            For example ``"bandit: 0.712 < 0.800/1.1 at interval 4"``.
        """
        peers = [c for c in curves if c.has_score_at(k)]
        return f"{self._explain(curve, peers, k)} at interval {k}"

    def _explain(self, curve, peers, k):
        return f"{type(self).__name__}: score {curve.score_at(k):.3f}"

    def _arguments(self):
        return {"evaluation_interval": self.evaluation_interval, "delay_evaluation": self.delay_evaluation}


class NoTerminationPolicy(BasePolicy):
    """Never stop a trial; the same as ``policy=None``."""

    def __init__(self):
        super().__init__()

    def _arguments(self):
        return {}

    def terminated_at(self, curves, k):
        return []


class BanditPolicy(BasePolicy):
    """Stop trials whose best score falls outside a slack of the best trial's.

    Exactly one of ``slack_factor`` and ``slack_amount`` is given. With Y the
    trial's best score up to k and ``best`` the best such Y over the trials
    with a score at k, a trial stops when ``Y < best - slack_amount``; with
    ``slack_factor``, when ``Y < best / (1 + slack_factor)`` if ``best >= 0``
    (HyperDrive's maximize rule) and when ``-Y > -best * (1 + slack_factor)``
    if ``best < 0`` (HyperDrive's minimize rule on the loss ``-score``).

    Parameters
    ----------
    slack_factor : float, default=None
        Allowed slack as a ratio, > 0.
    slack_amount : float, default=None
        Allowed slack as an absolute amount, >= 0.
    evaluation_interval : int, default=1
    delay_evaluation : int, default=0

    Examples
    --------
    HyperDrive's example: with the best score 0.8 and ``slack_factor=0.2``,
    trials whose best score is below 0.8 / 1.2 ~ 0.667 stop.

    >>> from hdsearch.policy import BanditPolicy, Curve
    >>> curves = [Curve(0, [0.8], final_interval=5), Curve(1, [0.66], final_interval=5),
    ...           Curve(2, [0.67], final_interval=5)]
    >>> BanditPolicy(slack_factor=0.2).terminated_at(curves, 1)
    [1]
    """

    reads_whole_curve = True  # Y: the best score over 1..k

    def __init__(self, slack_factor=None, slack_amount=None, evaluation_interval=1, delay_evaluation=0):
        super().__init__(evaluation_interval, delay_evaluation)
        self.slack_factor = slack_factor
        self.slack_amount = slack_amount

    def validate(self):
        super().validate()
        if (self.slack_factor is None) == (self.slack_amount is None):
            raise ValueError(
                "BanditPolicy: give exactly one of slack_factor and slack_amount, got "
                f"slack_factor={self.slack_factor!r}, slack_amount={self.slack_amount!r}"
            )
        if self.slack_factor is not None and not (_is_real(self.slack_factor) and self.slack_factor > 0):
            raise ValueError(f"BanditPolicy: slack_factor must be > 0, got slack_factor={self.slack_factor!r}")
        if self.slack_amount is not None and not (_is_real(self.slack_amount) and self.slack_amount >= 0):
            raise ValueError(f"BanditPolicy: slack_amount must be >= 0, got slack_amount={self.slack_amount!r}")

    def _arguments(self):
        return {"slack_factor": self.slack_factor, "slack_amount": self.slack_amount, **super()._arguments()}

    def _stops(self, curve, peers, k):
        best = max(c.best_score_up_to(k) for c in peers)
        y = curve.best_score_up_to(k)
        if self.slack_amount is not None:
            return y < best - self.slack_amount
        if best >= 0:
            return y < best / (1 + self.slack_factor)
        return -y > -best * (1 + self.slack_factor)

    def _explain(self, curve, peers, k):
        best = max(c.best_score_up_to(k) for c in peers)
        y = curve.best_score_up_to(k)
        if self.slack_amount is not None:
            return f"bandit: {y:.3f} < {best:.3f} - {self.slack_amount:g}"
        if best >= 0:
            return f"bandit: {y:.3f} < {best:.3f}/{1 + self.slack_factor:g}"
        return f"bandit: loss {-y:.3f} > {-best:.3f}*{1 + self.slack_factor:g}"


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


class MedianStoppingPolicy(BasePolicy):
    """Stop a trial whose best score is below the median of the others' running averages.

    At interval k, a trial stops when its best score up to k is below the
    median, over the *other* trials with a score at k, of their averages over
    intervals 1..k (HyperDrive averages every value a run reported, so every
    interval up to a decision is scored). Needs at least two other trials.

    Parameters
    ----------
    evaluation_interval : int, default=1
    delay_evaluation : int, default=0
    """

    reads_whole_curve = True  # running averages and best scores over 1..k

    def __init__(self, evaluation_interval=1, delay_evaluation=0):
        super().__init__(evaluation_interval, delay_evaluation)

    def _stops(self, curve, peers, k):
        others = [c.average_up_to(k) for c in peers if c is not curve]
        if len(others) < 2:
            return False
        return curve.best_score_up_to(k) < float(np.median(others))

    def _explain(self, curve, peers, k):
        median = float(np.median([c.average_up_to(k) for c in peers if c is not curve]))
        return f"median stopping: best {curve.best_score_up_to(k):.3f} < median of running averages {median:.3f}"


class TruncationSelectionPolicy(BasePolicy):
    """Stop the running trials in the lowest ``truncation_percentage`` at interval k.

    The n trials with a score at k (completed ones left out when
    ``exclude_finished_jobs``) are ranked by their score at k, rank 0 the
    worst; among equal scores the later trial ranks lower. A running trial of
    rank r stops when ``r < n * truncation_percentage / 100`` and n >= 2.

    Parameters
    ----------
    truncation_percentage : int
        In [1, 99].
    evaluation_interval : int, default=1
    delay_evaluation : int, default=0
    exclude_finished_jobs : bool, default=False
    """

    def __init__(self, truncation_percentage, evaluation_interval=1, delay_evaluation=0,
                 exclude_finished_jobs=False):
        super().__init__(evaluation_interval, delay_evaluation)
        self.truncation_percentage = truncation_percentage
        self.exclude_finished_jobs = exclude_finished_jobs

    def validate(self):
        super().validate()
        pct = self.truncation_percentage
        if not isinstance(pct, numbers.Integral) or isinstance(pct, bool) or not 1 <= pct <= 99:
            raise ValueError(
                "TruncationSelectionPolicy: truncation_percentage must be an int in [1, 99], "
                f"got truncation_percentage={pct!r}"
            )
        if not isinstance(self.exclude_finished_jobs, bool):
            raise ValueError(
                "TruncationSelectionPolicy: exclude_finished_jobs must be a bool, got "
                f"exclude_finished_jobs={self.exclude_finished_jobs!r}"
            )

    def _arguments(self):
        return {
            "truncation_percentage": self.truncation_percentage,
            **super()._arguments(),
            "exclude_finished_jobs": self.exclude_finished_jobs,
        }

    def _stops(self, curve, peers, k):
        ranked = [c for c in peers if not (self.exclude_finished_jobs and c.completed)]
        if curve not in ranked or len(ranked) < 2:
            return False
        return self._rank(curve, ranked, k) < len(ranked) * self.truncation_percentage / 100

    @staticmethod
    def _rank(curve, ranked, k):
        worst_first = sorted(ranked, key=lambda c: (c.score_at(k), -c.order))
        return worst_first.index(curve)

    def _explain(self, curve, peers, k):
        ranked = [c for c in peers if not (self.exclude_finished_jobs and c.completed)]
        rank = len(ranked) - self._rank(curve, ranked, k)
        return (
            f"truncation selection: {curve.score_at(k):.3f} ranks {rank} of {len(ranked)}, "
            f"in the lowest {self.truncation_percentage}%"
        )


class HalvingPolicy(BasePolicy):
    """Asynchronous successive halving, made deterministic by the waves.

    Rungs sit at intervals ``min_resource * factor**i``. At a rung, a trial
    continues only if it is among the best ``ceil(n / factor)`` of the n
    trials that reached the rung (ties: the earlier trial ranks higher).

    Parameters
    ----------
    factor : int, default=3
        Keep one trial in ``factor`` at each rung; >= 2.
    min_resource : int, default=1
        Interval of the first rung; >= 1.
    """

    def __init__(self, factor=3, min_resource=1):
        super().__init__()
        self.factor = factor
        self.min_resource = min_resource

    def validate(self):
        check_int("HalvingPolicy", "factor", self.factor, 2)
        check_int("HalvingPolicy", "min_resource", self.min_resource, 1)

    def _arguments(self):
        return {"factor": self.factor, "min_resource": self.min_resource}

    def acts_at(self, k):
        rung = self.min_resource
        while rung < k:
            rung *= self.factor
        return rung == k

    def _stops(self, curve, peers, k):
        return self._rank(curve, peers, k) > math.ceil(len(peers) / self.factor)

    @staticmethod
    def _rank(curve, peers, k):
        """1 for the best trial at rung ``k``."""
        best_first = sorted(peers, key=lambda c: (-c.score_at(k), c.order))
        return best_first.index(curve) + 1

    def _explain(self, curve, peers, k):
        return (
            f"halving: {curve.score_at(k):.3f} ranks {self._rank(curve, peers, k)} of {len(peers)}, "
            f"outside the top {math.ceil(len(peers) / self.factor)} kept"
        )


def make_policy(policy):
    """A validated policy from ``None`` or a policy object.

    Parameters
    ----------
    policy : None or BasePolicy

    Returns
    -------
    BasePolicy or None
        None when the policy never stops a trial.
    """
    if policy is None or isinstance(policy, NoTerminationPolicy):
        return None
    if not isinstance(policy, BasePolicy):
        raise ValueError(
            "policy must be None or one of NoTerminationPolicy, BanditPolicy, MedianStoppingPolicy, "
            f"TruncationSelectionPolicy, HalvingPolicy; got policy={policy!r}"
        )
    policy.validate()
    return policy
