"""Where the policy acts, and so where trials stop between waves and which intervals are scored.

:class:`Stops` answers, from the policy, the resource and the schedule alone
(never from results), the questions every wave asks: may the policy stop a
trial at interval k, where does a trial run to next, which intervals does a
per-fold resource score.
"""

from functools import cached_property


class Stops:
    """The intervals at which the policy acts, and what follows from them.

    Parameters
    ----------
    policy : BasePolicy or None
        None never stops a trial.
    evaluation : Evaluation
        The resource (``min_interval``), the schedule's ``n_intervals`` and
        whether one fit scores every step.
    curves : {"decisions", "all"}
        Which intervals a per-fold resource scores.
    """

    def __init__(self, policy, evaluation, curves):
        self.policy = policy
        self.evaluation = evaluation
        self.curves = curves
        self.final = evaluation.n_intervals

    def acts_at(self, k):
        """Whether the policy may stop a trial at interval ``k``."""
        return (
            self.policy is not None
            and k >= self.evaluation.resource.min_interval
            and self.policy.acts_at(k)
        )

    def first_decision(self, limit=10_000):
        """The first interval in 1..``limit`` at which the policy may stop a trial, or None."""
        return next((k for k in range(1, limit + 1) if self.acts_at(k)), None)

    def after(self, reached):
        """The interval a trial that reached ``reached`` runs to next: the next decision, or its last."""
        return next((k for k in range(reached + 1, self.final) if self.acts_at(k)), self.final)

    @cached_property
    def scored_intervals(self):
        """The intervals at which every fold of a per-fold resource is scored.

        The intervals the policy reads for its decisions
        (:meth:`~hdsearch.policy.BasePolicy.intervals_read`) and the last
        one; every interval with ``curves="all"`` or where the resource
        scores every step from one fit anyway (staged boosting). The
        resource runs from one to the next in one call, and the refit of the
        best trial makes the same calls.
        """
        final = self.final
        every = self.curves == "all" or self.evaluation.scores_from_one_fit
        read = set()
        if self.policy is not None:
            read = self.policy.intervals_read([k for k in range(1, final) if self.acts_at(k)])
        return tuple(k for k in range(1, final + 1) if k == final or every or k in read)
