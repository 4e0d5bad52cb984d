"""Bayesian sampling's proposer: the trial history in, parameter sets out.

:class:`BayesianProposer` encodes the space, draws the Sobol initial design,
turns ended and pending trials into the Gaussian process's training data
(:mod:`hdsearch._gp`), and proposes batches by maximizing the acquisition
over random, local and enumerated candidates.
"""

import warnings

import numpy as np
from scipy.stats import qmc
from threadpoolctl import threadpool_limits

from ._encoding import SpaceEncoding
from ._gp import acquisition, fit_gp, refine, squared_distances

_MAX_ENUMERATED = 4096
_N_INCUMBENTS = 5
_N_LOCAL_PER_INCUMBENT = 64
_LOCAL_SCALES = (0.01, 0.05, 0.15)
_N_REFINED = 3
_DESIGN_TRIES = 256
_SAME = 1e-18  # squared feature distance below which two points are the same set


def initial_design_size(space, n_initial=None, encoding=None):
    """Sobol points before the model: ``n_initial``, or ``max(5, 2 * dims)`` when it is None.

    ``dims`` counts the raw coordinates of the largest dict, plus one for a
    list of dicts (the coordinate that picks the dict).
    """
    if n_initial is not None:
        return n_initial
    return max(5, 2 * _design_dims(SpaceEncoding(space) if encoding is None else encoding))


def _design_dims(encoding):
    n_sub = encoding.n_subspaces
    return (1 if n_sub > 1 else 0) + max(encoding.n_raw(i) for i in range(n_sub))


class BayesianProposer:
    """The state-free core of ``BayesianSampling``: history in, parameter sets out.

    Parameters
    ----------
    space : Space
    n_initial : int or None
    acquisition : {"ei", "pi", "ucb"}
    kappa : float
    batch_kappa : float
        UCB weight of a point proposed while others are pending.
    n_candidates : int
    entropy : int
        Root of every random stream (``numpy.random.SeedSequence`` entropy).
    """

    def __init__(self, space, n_initial, acquisition, kappa, batch_kappa, n_candidates, entropy):
        self.encoding = SpaceEncoding(space)
        n_sub = self.encoding.n_subspaces
        self._leading = 1 if n_sub > 1 else 0
        self._design_dims = _design_dims(self.encoding)
        self.n_initial = initial_design_size(space, n_initial, self.encoding)
        self.acquisition, self.kappa, self.n_candidates = acquisition, kappa, n_candidates
        self.batch_kappa = batch_kappa
        self.entropy = entropy
        counts = [self.encoding.n_values(i) for i in range(n_sub)]
        finite = None not in counts and sum(counts) <= _MAX_ENUMERATED
        self._grid = self._enumerate() if finite else None
        self._encoded = {}

    def _enumerate(self):
        """(subspace index, features) of every parameter set of a small finite space."""
        blocks = [self.encoding.snap(i, self.encoding.grid(i)) for i in range(self.encoding.n_subspaces)]
        index = np.concatenate([np.full(len(b), i) for i, b in enumerate(blocks)])
        return index, np.vstack(blocks)

    def _rng(self, *key):
        return np.random.default_rng(np.random.SeedSequence(self.entropy, spawn_key=key))

    # ------------------------------------------------------------ history

    def _encode(self, observation):
        """``encoding.encode`` of the observation's parameters, remembered by trial id.

        A pure cache: an entry is used only for the same parameters, so the
        result never depends on what was asked before.
        """
        cached = self._encoded.get(observation.trial_id)
        if cached is not None and _same_params(cached[0], observation.params):
            return cached[1]
        code = self.encoding.encode(observation.params)
        self._encoded[observation.trial_id] = (observation.params, code)
        return code

    def _read(self, history):
        """Training rows and targets of ended trials; features of running trials and of every trial."""
        encoded = [(obs, self._encode(obs)) for obs in history]
        encoded = [(obs, code[1]) for obs, code in encoded if code is not None]
        width = self.encoding.n_features
        seen = np.array([x for _, x in encoded]).reshape(-1, width)
        pending = np.array([x for obs, x in encoded if obs.status == "running"]).reshape(-1, width)
        ended = [(obs, x) for obs, x in encoded if obs.status != "running"]
        X = np.array([x for _, x in ended]).reshape(-1, width)
        y = _targets([obs.status for obs, _ in ended], np.array([obs.score for obs, _ in ended], dtype=float))
        return X, y, pending, seen

    # ----------------------------------------------------------- propose

    def propose(self, history, n):
        """At most ``n`` parameter sets; fewer when a finite space is exhausted.

        Parameters
        ----------
        history : list of Observation
        n : int

        Returns
        -------
        list of dict
        """
        # The matrices are small: BLAS threads only contend with the workers.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._propose(history, n)

    def _propose(self, history, n):
        X, y, pending, seen = self._read(history)
        rng = self._rng(len(history))
        model = None
        proposals = []
        for j in range(n):
            if len(history) + j < self.n_initial or len(y) < 2:
                point = self._design_point(len(history) + j, seen, rng)
            else:
                if model is None:
                    model = self._fit(X, y)
                point = self._model_point(model, X, pending, seen, rng)
            if point is None:
                break
            index, features = point
            proposals.append(self.encoding.decode(index, features))
            pending = np.vstack([pending, features[None, :]])
            seen = np.vstack([seen, features[None, :]])
        return proposals

    def _fit(self, X, y):
        scale = y.std()
        return fit_gp(X, (y - y.mean()) / (scale if scale > 0 else 1.0))

    # ------------------------------------------------------------ design

    def _design_point(self, position, seen, rng):
        """The next Sobol point from ``position`` on that is not a repeat."""
        engine = qmc.Sobol(self._design_dims, scramble=True, seed=self._rng(0x5EED))
        if position > 0:  # fast_forward(0) overflows in scipy
            engine.fast_forward(position)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties.*")
            points = engine.random(_DESIGN_TRIES)
        n_sub = self.encoding.n_subspaces
        for p in points:
            index = min(int(p[0] * n_sub), n_sub - 1) if self._leading else 0
            raw = p[self._leading : self._leading + self.encoding.n_raw(index)]
            features = self.encoding.snap(index, raw[None, :])[0]
            if not _is_seen(features[None, :], seen)[0]:
                return index, features
        return self._unseen_grid_point(seen, rng)

    def _unseen_grid_point(self, seen, rng):
        if self._grid is None:  # infinite or huge: a repeat is allowed, rarely happens
            return None
        index, grid = self._grid
        fresh = np.flatnonzero(~_is_seen(grid, seen))
        if fresh.size == 0:
            return None
        chosen = fresh[rng.integers(fresh.size)]
        return int(index[chosen]), grid[chosen]

    # ------------------------------------------------------------- model

    def _model_point(self, model, X, pending, seen, rng):
        """The acquisition maximizer given the model and the pending points.

        With pending points this is BUCB (Desautels, Krause and Burdick,
        2014): each pending point is added at its predicted score (the
        kriging believer), which shrinks the uncertainty around it without
        moving the mean, and the upper confidence bound with ``batch_kappa``
        picks the point.
        """
        best = float(np.max(model.predict(X)[0]))
        if len(pending):
            believer = model.condition(pending, model.predict(pending)[0])
            name, kappa = "ucb", self.batch_kappa
        else:
            believer, name, kappa = model, self.acquisition, self.kappa

        def score(rows):
            return acquisition(name, believer, rows, best, kappa)

        index, candidates = self._candidates(model, X, rng)
        fresh = ~_is_seen(candidates, seen)
        if not fresh.any():
            return self._unseen_grid_point(seen, rng)
        index, candidates = index[fresh], candidates[fresh]
        values = score(candidates)
        if self._grid is not None:
            chosen = int(np.argmax(values))
            return int(index[chosen]), candidates[chosen]
        return self._refined_best(score, index, candidates, values, seen)

    def _refined_best(self, score, index, candidates, values, seen):
        """The best candidate, or a better point found by refining the best few of each subspace."""
        best = int(np.argmax(values))
        best_value, best_point = values[best], (int(index[best]), candidates[best])
        for sub in np.unique(index):
            mine = np.flatnonzero(index == sub)
            top = mine[np.argsort(-values[mine], kind="stable")[:_N_REFINED]]
            moved = refine(score, candidates[top], self.encoding.refinable_columns(int(sub)))
            snapped = self.encoding.snap(int(sub), self.encoding.raw(int(sub), moved))
            fresh = ~_is_seen(snapped, seen)
            if not fresh.any():
                continue
            snapped = snapped[fresh]
            refined_values = score(snapped)
            i = int(np.argmax(refined_values))
            if refined_values[i] > best_value:
                best_value, best_point = refined_values[i], (int(sub), snapped[i])
        return best_point

    def _candidates(self, model, X, rng):
        """(subspace index, snapped features) of the candidates of one proposal."""
        if self._grid is not None:
            return self._grid
        n_sub = self.encoding.n_subspaces
        indices, rows = [], []
        per_sub = max(1, self.n_candidates // n_sub)
        for sub in range(n_sub):
            d = self.encoding.n_raw(sub)
            engine = qmc.Sobol(max(d, 1), scramble=True, seed=rng)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*balance properties.*")
                raw = engine.random(per_sub)[:, :d]
            rows.append(self.encoding.snap(sub, raw))
            indices.append(np.full(per_sub, sub))
        for sub, raw in self._local_raw(model, X, rng):
            rows.append(self.encoding.snap(sub, raw))
            indices.append(np.full(len(raw), sub))
        return np.concatenate(indices), np.vstack(rows)

    def _local_raw(self, model, X, rng):
        """Perturbations of the best observed points, in raw coordinates."""
        order = np.argsort(-model.y, kind="stable")[:_N_INCUMBENTS]
        for i in order:
            sub = self._subspace_of(X[i])
            base = self.encoding.raw(sub, X[i][None, :])[0]
            m, d = _N_LOCAL_PER_INCUMBENT, base.size
            if d == 0:
                continue
            scales = rng.choice(_LOCAL_SCALES, size=(m, 1))
            raw = base + scales * rng.standard_normal((m, d))
            resample = rng.random((m, d)) < 1.0 / d
            raw = np.where(resample, rng.random((m, d)), raw)
            yield sub, np.clip(raw, 0.0, 1.0)

    def _subspace_of(self, features):
        if not self._leading:
            return 0
        return int(np.argmax(features[: self.encoding.n_subspaces]))


def _targets(statuses, scores):
    """Scores to model (greater is better): terminated are capped at the completed median, failed are worst."""
    statuses = np.asarray(statuses)
    finite = np.isfinite(scores)
    y = scores.copy()
    if not finite.any():
        return np.zeros(len(scores))
    completed = (statuses == "completed") & finite
    if completed.any():
        cap = float(np.median(scores[completed]))
        terminated = (statuses == "terminated") & finite
        y[terminated] = np.minimum(y[terminated], cap)
    y[~finite] = np.min(y[finite])
    return y


def _same_params(a, b):
    if a.keys() != b.keys():
        return False
    for name, value in a.items():
        other = b[name]
        if value is other:
            continue
        try:
            if not bool(value == other):
                return False
        except Exception:  # arrays and odd objects: identity only
            return False
    return True


def _is_seen(rows, seen):
    """Whether each row equals (to rounding) one of the ``seen`` rows."""
    if len(seen) == 0:
        return np.zeros(len(rows), dtype=bool)
    return (squared_distances(rows, seen) < _SAME).any(axis=1)
