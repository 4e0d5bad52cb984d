"""Samplings: which parameter sets to try next.

A sampling is a small configuration object. ``bind(space, n_total,
random_state)`` returns a fresh *bound* copy that holds the stream, and
``propose(history, n)`` on it returns the next parameter sets. Proposing 3
then 5 gives exactly the 8 that proposing 8 at once gives, so waves of any
width see the same candidates.

This module is pure: no joblib, no estimators.
"""

import copy
import warnings
from itertools import islice

import numpy as np
from scipy.stats import qmc
from sklearn.model_selection import ParameterSampler

from ._config import ConfigObject

_SHORTCUTS = ("grid", "random", "sobol", "bayesian")


def seed_from(random_state):
    """An int seed, or None, from a search's ``random_state``.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        An int is used as it is; a RandomState gives one draw; None stays
        None (fresh entropy, like scikit-learn).

    Returns
    -------
    int or None
    """
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    return int(random_state)


class BaseSampling(ConfigObject):
    """The protocol every sampling follows.

    Subclasses store their constructor arguments verbatim and implement
    ``_start`` (set up the stream) and ``propose``.
    """

    def bind(self, space, n_total, random_state):
        """A new sampler bound to ``space``, ready to propose; ``self`` is unchanged.

        Parameters
        ----------
        space : Space
        n_total : int
            The most candidates the search will ask for (``max_total_runs``).
        random_state : None, int or RandomState
            The search's ``random_state``.

        Returns
        -------
        sampler : BaseSampling
        """
        bound = copy.deepcopy(self)
        bound._start(space, n_total, random_state)
        return bound

    def _start(self, space, n_total, random_state):
        raise NotImplementedError

    def propose(self, history, n):
        """The next at most ``n`` parameter sets; fewer when the space is exhausted.

        Parameters
        ----------
        history : list of Observation
            Every trial started so far, running ones included, in trial
            order (unused by grid, random and Sobol sampling).
        n : int

        Returns
        -------
        candidates : list of dict
        """
        raise NotImplementedError

    def skip(self, history, n):
        """Move past ``n`` proposals already made (a resumed search); return how many there were.

        Stream samplings (grid, random, Sobol) draw and drop them, so the
        next proposal is the one an uninterrupted search would make next.
        A sampling whose proposals are a function of ``history`` alone
        overrides this to do nothing.

        Parameters
        ----------
        history : list of Observation
        n : int

        Returns
        -------
        int
            Proposals skipped; fewer than ``n`` when the stream ran out.
        """
        return len(self.propose(history, n))

    def default_max_total_runs(self, space):
        """What ``max_total_runs=None`` means: 10 trials."""
        return 10

    def default_max_concurrent_runs(self, n_workers):
        """What ``max_concurrent_runs=None`` means: no limit (None).

        Parameters
        ----------
        n_workers : int
            Workers of the search's ``n_jobs``.

        Returns
        -------
        int or None
        """
        return None


class GridSampling(BaseSampling):
    """Every combination of a choice-only space, in ``ParameterGrid`` order.

    ``max_total_runs`` smaller than the grid keeps the first combinations.

    Examples
    --------
    >>> from hdsearch import Space, choice
    >>> sampler = GridSampling().bind(Space({"a": choice(1, 2)}), 10, None)
    >>> sampler.propose([], 5)
    [{'a': 1}, {'a': 2}]
    """

    def _start(self, space, n_total, random_state):
        # Iterate rather than index: ParameterGrid's __getitem__ orders the
        # keys of each dict differently from its iterator, which GridSearchCV uses.
        self._stream = islice(iter(space.grid()), n_total)

    def propose(self, history, n):
        return list(islice(self._stream, n))

    def default_max_total_runs(self, space):
        """The whole grid."""
        return len(space.grid())


class RandomSampling(BaseSampling):
    """Random or Sobol quasi-random sampling (HyperDrive's ``RandomParameterSampling``).

    Parameters
    ----------
    rule : {"random", "sobol"}, default="random"
        ``"random"`` draws exactly what ``RandomizedSearchCV`` draws for the
        same ``random_state`` (through scikit-learn's ``ParameterSampler``;
        all-choice spaces are sampled without replacement).
        ``"sobol"`` walks a scrambled Sobol sequence through the unit-cube
        encoding; with a list of dicts, one extra leading coordinate picks
        the dict.
    seed : int, default=None
        Overrides the search's ``random_state`` for this stream.
    """

    def __init__(self, rule="random", seed=None):
        self.rule = rule
        self.seed = seed

    def _arguments(self):
        return {"rule": self.rule, "seed": self.seed}

    def _start(self, space, n_total, random_state):
        if self.rule not in ("random", "sobol"):
            raise ValueError(f"RandomSampling: rule must be 'random' or 'sobol', got rule={self.rule!r}")
        state = random_state if self.seed is None else self.seed
        self._space = space
        if self.rule == "random":
            self._stream = iter(ParameterSampler(space.to_sklearn(), n_iter=n_total, random_state=state))
        else:
            n_subspaces = len(space.subspaces)
            self._leading = 1 if n_subspaces > 1 else 0
            dims = self._leading + max(space.n_dims(i) for i in range(n_subspaces))
            self._sobol = qmc.Sobol(max(dims, 1), scramble=True, seed=seed_from(state))
            self._remaining = n_total

    def propose(self, history, n):
        if self.rule == "random":
            return list(islice(self._stream, n))
        n = min(n, self._remaining)
        if n <= 0:
            return []
        self._remaining -= n
        with warnings.catch_warnings():
            # Waves ask for any n; the power-of-two balance warning does not apply.
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            points = self._sobol.random(n)
        return [self._decode(point) for point in points]

    def _decode(self, point):
        index = 0
        if self._leading:
            n_subspaces = len(self._space.subspaces)
            index = min(int(point[0] * n_subspaces), n_subspaces - 1)
        return self._space.from_unit(index, point[self._leading :])


def make_sampling(value):
    """A sampling object from a shortcut name or an instance.

    Parameters
    ----------
    value : {"grid", "random", "sobol"} or BaseSampling

    Returns
    -------
    BaseSampling
    """
    if isinstance(value, BaseSampling):
        return value
    if value == "grid":
        return GridSampling()
    if value == "random":
        return RandomSampling()
    if value == "sobol":
        return RandomSampling(rule="sobol")
    if value == "bayesian":
        raise NotImplementedError(
            "sampling='bayesian': Bayesian sampling is not implemented yet; it arrives "
            "with the Bayesian-sampling issue. Use 'random', 'sobol' or 'grid'."
        )
    raise ValueError(
        f"sampling must be one of {_SHORTCUTS[:3]} or a sampling object, got sampling={value!r}"
    )
