"""Samplings: which parameter sets to try next.

A sampling is a small configuration object. ``bind(space, n_total,
random_state)`` returns a fresh *bound* copy that holds the stream, and
``propose(history, n)`` on it returns the next parameter sets. Proposing 3
then 5 gives exactly the 8 that proposing 8 at once gives, so waves of any
width see the same candidates.

This module is pure: no joblib, no estimators.
"""

import copy
import numbers
import warnings
from itertools import islice

import numpy as np
from scipy.stats import qmc
from sklearn.model_selection import ParameterSampler

from ._config import ConfigObject, check_int
from ._proposer import BayesianProposer, initial_design_size

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

    def __init__(self):
        pass

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
    value : {"grid", "random", "sobol", "bayesian"} or BaseSampling

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
        return BayesianSampling()
    raise ValueError(
        f"sampling must be one of {_SHORTCUTS} or a sampling object, got sampling={value!r}"
    )


class BayesianSampling(BaseSampling):
    """Gaussian-process Bayesian optimization of the search space.

    After an initial scrambled-Sobol design, every proposal maximizes an
    acquisition function of a Gaussian-process model of the primary score.

    - **Encoding**: every expression is modelled on its unit-cube encoding:
      log-scaled ones in log space, normal and lognormal through their
      quantile transform, integers and quantized values at the values that
      will run (rounded after proposal), numeric ``choice`` options as ordered
      levels, other ``choice`` options one-hot.
    - **Model**: Matern 5/2 kernel with one lengthscale per feature, a
      signal and a noise variance, on standardized scores. The
      hyperparameters are re-fitted at every ``propose`` call (maximum a
      posteriori under weak log-normal priors, L-BFGS-B from the prior
      medians) on at most 40 observations -- the 20 best and 20 spread over
      the rest -- so a fit costs the same at 40 or 400 observations; the
      posterior then conditions on every observation. Nothing is carried
      from one call to the next, so proposals are a function of the history
      alone (a resumed search proposes what an uninterrupted one does).
    - **Acquisition**: evaluated on ``n_candidates`` scrambled-Sobol points
      plus perturbations of the five best observed points; the best three
      of each dict are refined by L-BFGS-B over their non-categorical
      coordinates, then rounded to valid values. A finite space of
      at most 4096 parameter sets is searched exhaustively instead.
    - **Batches**: the points of a batch, and running trials, are pending
      points. With none pending, a point maximizes ``acquisition``. With some
      pending, it maximizes the upper confidence bound
      ``mean + batch_kappa * std`` of a model that believes each pending
      point scores its prediction (BUCB, Desautels, Krause and Burdick,
      2014): the uncertainty around pending points shrinks while the mean
      stays, so the batch spreads over the promising region. On the
      benchmark's 10-D mixed space this kept 87 % of the sequential gain at
      50 evaluations in batches of 4, against 75 % for a constant liar with
      the worst score and 71 % for the kriging believer with EI (see
      ``benchmarks/RESULTS.md``).
    - **Observations**: completed trials give their final score. A
      terminated trial gives the lower of its last score and the median
      completed score (pessimistic evidence: its region never looks good and
      is not proposed again for its own sake). A failed trial gives the worst
      score seen.
    - **Repeats**: a parameter set already run, running or proposed is never
      proposed again while another exists; a finite space with at most 4096
      sets (e.g. a small choice-only space) returns fewer proposals once
      every set has been tried.
    - **Conditional spaces** (list of dicts): one model over a joint encoding,
      a one-hot indicator of the dict followed by one block of features per
      dict, with the blocks of other dicts held at 0. Candidates are drawn in
      every dict and compete on the same acquisition.

    Parameters
    ----------
    n_initial : int, default=None
        Sobol points before the model takes over; None means
        ``max(5, 2 * dims)``, with ``dims`` the parameters of the largest dict
        (plus one for a list of dicts). The model also waits until two trials
        have ended.
    acquisition : {"ei", "pi", "ucb"}, default="ei"
        Expected improvement (computed as log-EI, stable far from the
        incumbent), probability of improvement, or the upper confidence
        bound ``mean + kappa * std``.
    kappa : float, default=2.0
        Exploration weight of ``"ucb"``; unused otherwise.
    batch_kappa : float, default=0.5
        Exploration weight of the upper confidence bound that picks a point
        while other points are pending (the rest of a batch, running trials).
        Larger spreads a batch further from the incumbent.
    n_candidates : int, default=512
        Quasi-random candidates the acquisition is evaluated on, per call.
    seed : int, default=None
        Overrides the search's ``random_state`` for this sampling.

    Notes
    -----
    ``max_concurrent_runs=None`` means 4 trials at a time with Bayesian
    sampling, whatever ``n_jobs`` is, so a search gives the same results for
    every ``n_jobs`` (batches of 4 keep most of the sequential efficiency; see
    ``benchmarks/RESULTS.md``). Each trial runs all its folds in
    parallel, so 4 trials already make ``4 * n_splits`` tasks per wave.

    Examples
    --------
    >>> from hdsearch import Space, uniform
    >>> sampler = BayesianSampling(n_initial=3).bind(Space({"x": uniform(0, 1)}), 10, 0)
    >>> len(sampler.propose([], 2))
    2
    """

    def __init__(self, n_initial=None, acquisition="ei", kappa=2.0, batch_kappa=0.5, n_candidates=512,
                 seed=None):
        self.n_initial = n_initial
        self.acquisition = acquisition
        self.kappa = kappa
        self.batch_kappa = batch_kappa
        self.n_candidates = n_candidates
        self.seed = seed

    def _arguments(self):
        return {
            "n_initial": self.n_initial,
            "acquisition": self.acquisition,
            "kappa": self.kappa,
            "batch_kappa": self.batch_kappa,
            "n_candidates": self.n_candidates,
            "seed": self.seed,
        }

    def _start(self, space, n_total, random_state):
        self._validate()
        state = random_state if self.seed is None else self.seed
        self._proposer = BayesianProposer(
            space,
            n_initial=self.n_initial,
            acquisition=self.acquisition,
            kappa=float(self.kappa),
            batch_kappa=float(self.batch_kappa),
            n_candidates=self.n_candidates,
            entropy=np.random.SeedSequence(seed_from(state)).entropy,
        )

    def _validate(self):
        name = "BayesianSampling"
        if self.n_initial is not None:
            check_int(name, "n_initial", self.n_initial, 1)
        if self.acquisition not in ("ei", "pi", "ucb"):
            raise ValueError(
                f"{name}: acquisition must be 'ei', 'pi' or 'ucb', got acquisition={self.acquisition!r}"
            )
        for weight in ("kappa", "batch_kappa"):
            value = getattr(self, weight)
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value < np.inf:
                raise ValueError(f"{name}: {weight} must be a finite number >= 0, got {weight}={value!r}")
        check_int(name, "n_candidates", self.n_candidates, 1)
        if self.seed is not None:
            check_int(name, "seed", self.seed, 0)

    def propose(self, history, n):
        return self._proposer.propose(history, n)

    def skip(self, history, n):
        """Nothing to skip: proposals are a function of ``history`` alone; returns ``n``."""
        return n

    def default_max_total_runs(self, space):
        """What ``max_total_runs=None`` means: the initial design plus 20 model-guided trials.

        Ten trials, the default of the other samplings, would all be initial
        Sobol points in a space of three or more parameters.

        Parameters
        ----------
        space : Space

        Returns
        -------
        int
        """
        self._validate()
        return initial_design_size(space, self.n_initial) + _BAYESIAN_GUIDED_RUNS

    def default_max_concurrent_runs(self, n_workers):
        """4 trials at a time, whatever ``n_workers`` is (see Notes).

        Parameters
        ----------
        n_workers : int

        Returns
        -------
        int
        """
        return _BAYESIAN_CONCURRENT_RUNS


_BAYESIAN_CONCURRENT_RUNS = 4
_BAYESIAN_GUIDED_RUNS = 20
