"""How far a per-fold task runs past its trial's next stop, from measured costs.

Running ahead saves calls and waves (each wave has its dispatch, its barrier
and the models' round trip; each call of a boosting model predicts the
rounds it holds again) and loses the work past a termination.
:class:`RunAhead` weighs the two from how often the policy stopped trials
lately and from measured task times. It changes no result, only the number
of waves and calls.
"""

from collections import deque

#: The stop rate that decides how far tasks run ahead is read over the latest
#: this many policy decisions on a running trial.
RUN_AHEAD_WINDOW = 48
#: At or below this stop rate, tasks run to their trial's end;
RUN_AHEAD_RARE_STOPS = 0.03
#: boosting tasks whose calls merge (``Evaluation.merges_calls``) sooner,
#: since each call of theirs predicts every earlier tree again (measured: ten
#: warm-start calls to 200 iterations cost 1.85 times one fit).
RUN_AHEAD_RARE_STOPS_STAGED = 0.15
#: What one wave costs beyond its tasks, in seconds of wall time: measured
#: 12 ms for a wave of 12 trivial tasks on two loky workers, plus the tasks'
#: own slicing and the models' round trip.
WAVE_SECONDS = 0.015
#: What one per-fold task costs beyond its steps: slicing its test and
#: training rows (0.4 to 0.5 ms each on 14,000 to 29,000 rows of 7 features)
#: and the model's round trip and copy.
TASK_SECONDS = 0.002


class RunAhead:
    """Choose where a per-fold task ends: its trial's next stop, or a later one when that pays.

    Parameters
    ----------
    stops : Stops
        Where the policy acts.
    evaluation : Evaluation
        The schedule, whether calls merge, and what a held step costs.
    run_ahead : int or None
        A fixed number of stops past the next one; None chooses from costs.
    """

    def __init__(self, stops, evaluation, run_ahead):
        self.stops = stops
        self.evaluation = evaluation
        self.run_ahead = run_ahead
        self.n_workers = 1
        # Whether each of the latest policy decisions stopped its trial.
        self._recent_decisions = deque(maxlen=RUN_AHEAD_WINDOW)
        self._seconds_per_step = {}

    def note_decisions(self, stopped_flags):
        """Take whether each policy decision on a running trial stopped it."""
        self._recent_decisions.extend(stopped_flags)

    def note_task(self, trial_id, seconds, n_steps):
        """Take the time a successful task of ``trial_id`` spent on ``n_steps`` steps."""
        self._seconds_per_step[trial_id] = seconds / n_steps

    def task_end(self, trial_id, stop, n_running):
        """Where a task that must reach ``stop`` ends: ``stop``, or a later stop when that pays.

        The stop rate is the share of the latest policy decisions that
        stopped their trial.
        """
        final = self.evaluation.n_intervals
        end = stop
        if self.run_ahead is not None:
            for _ in range(self.run_ahead):
                end = self.stops.after(end) if end < final else end
            return end
        decisions = self._recent_decisions
        stop_rate = (sum(decisions) + 0.5) / (len(decisions) + 1)  # 1/2 before any decision
        staged = self.evaluation.merges_calls
        if stop_rate <= (RUN_AHEAD_RARE_STOPS_STAGED if staged else RUN_AHEAD_RARE_STOPS):
            return final  # one wave for the rest of the trial
        seconds_per_step = self._seconds_per_step.get(trial_id)
        if self.stops.policy is None or seconds_per_step is None:
            return end
        # What a task costs beyond its work, as its share of the workers' time
        # a wave costs, plus its own slicing and model copies; a continuing
        # call also pays for the steps its model holds.
        share = WAVE_SECONDS * self.n_workers / (n_running * self.evaluation.n_splits) + TASK_SECONDS
        held_step_cost = self.evaluation.held_step_cost
        alive = 1.0  # the chance the trial survives the decisions up to ``end``
        n_decisions = 0
        while end < final:
            later = self.stops.after(end)
            n_decisions += 1
            # A trial that passed decisions is likelier than most to pass the
            # next: the j-th decision ahead stops it at the rate to the power 1/j.
            alive *= (1.0 - stop_rate) ** (1.0 / n_decisions)
            # Go on from ``end`` to ``later`` when the work a termination at or
            # before ``end`` would throw away costs less than the next call saves.
            wasted = (1.0 - alive) * (later - end) * seconds_per_step
            saved = alive * (share + held_step_cost * end * seconds_per_step)
            if wasted > saved:
                break
            end = later
        return end
