"""A small Gaussian process and the acquisition functions of Bayesian sampling.

Model: zero-mean Gaussian process on standardized targets with a Matern 5/2
kernel with one lengthscale per feature (automatic relevance determination),
a signal variance and a noise variance. The hyperparameters are the maximum
a posteriori values under weak log-normal priors, found with L-BFGS-B on the
exact log marginal likelihood and its analytic gradient, from a fixed
starting point (so a fit is a function of the data alone).

Written in numpy rather than on scikit-learn's ``GaussianProcessRegressor``:
the same model, but with priors on the hyperparameters (which keep fits with
few points sane), an analytic gradient over a precomputed distance tensor and
no kernel-object overhead, which the per-suggestion time budget needs.

``BayesianProposer`` puts these together for ``BayesianSampling``: it turns
the history of trials into training data and pending points, and proposes
batches (see ``BayesianSampling`` for the documented behaviour).

This module is pure: numpy and scipy only.
"""

import math
import warnings

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.linalg.lapack import dpotri
from scipy.optimize import minimize
from scipy.special import erfcx, log_ndtr, ndtr
from scipy.stats import qmc
from threadpoolctl import threadpool_limits

from ._encoding import SpaceEncoding

_SQRT5 = math.sqrt(5.0)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_JITTER = 1e-8

# Priors on log hyperparameters: (mean, standard deviation), and bounds.
_LOG_LENGTHSCALE_SD = 1.0
_LOG_SIGNAL_PRIOR = (0.0, 1.0)
_LOG_NOISE_PRIOR = (math.log(1e-4), 2.0)
_LOG_NOISE_BOUNDS = (math.log(1e-8), math.log(1.0))
_LOG_SIGNAL_BOUNDS = (math.log(0.05), math.log(20.0))
MAX_FIT_POINTS = 40


def lengthscale_prior_mean(n_features):
    """Prior median of every log lengthscale: ``log(0.5 * sqrt(n_features))``.

    Distances in the unit cube grow like ``sqrt(d)``, so the prior lengthscale
    does too (Hvarfner et al., 2024, "Vanilla Bayesian optimization performs
    great in high dimensions").
    """
    return math.log(0.5 * math.sqrt(max(n_features, 1)))


def matern52(X1, X2, lengthscales, signal):
    """Matern 5/2 kernel matrix.

    Parameters
    ----------
    X1 : ndarray of shape (n1, d)
    X2 : ndarray of shape (n2, d)
    lengthscales : ndarray of shape (d,)
    signal : float
        Signal variance.

    Returns
    -------
    K : ndarray of shape (n1, n2)
    """
    r = np.sqrt(_squared_distances(X1 / lengthscales, X2 / lengthscales))
    return signal * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def _squared_distances(A, B):
    d2 = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return np.maximum(d2, 0.0)


class GaussianProcess:
    """Exact Gaussian-process regression with fixed hyperparameters.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
        Standardized targets.
    theta : ndarray of shape (d + 2,)
        Log lengthscales, log signal variance, log noise variance.
    """

    def __init__(self, X, y, theta):
        self.X, self.y, self.theta = X, y, theta
        d = X.shape[1]
        self.lengthscales = np.exp(theta[:d])
        self.signal, self.noise = math.exp(theta[d]), math.exp(theta[d + 1])
        K = matern52(X, X, self.lengthscales, self.signal)
        K[np.diag_indices_from(K)] += self.noise + _JITTER
        self._L = np.linalg.cholesky(K)
        self._alpha = cho_solve((self._L, True), y)

    def predict(self, Xs):
        """Posterior mean and standard deviation of the latent function.

        Parameters
        ----------
        Xs : ndarray of shape (m, d)

        Returns
        -------
        mean, std : ndarray of shape (m,)
        """
        Ks = matern52(Xs, self.X, self.lengthscales, self.signal)
        mean = Ks @ self._alpha
        v = solve_triangular(self._L, Ks.T, lower=True, check_finite=False)
        var = np.maximum(self.signal - (v * v).sum(0), 1e-12)
        return mean, np.sqrt(var)

    def condition(self, X_new, y_new):
        """The same model with more (possibly imagined) observations.

        Parameters
        ----------
        X_new : ndarray of shape (k, d)
        y_new : ndarray of shape (k,)

        Returns
        -------
        GaussianProcess
        """
        return GaussianProcess(np.vstack([self.X, X_new]), np.concatenate([self.y, y_new]), self.theta)


def _neg_log_posterior(theta, diffs2, y, prior_mean):
    """Negative log marginal likelihood plus negative log prior, and its gradient.

    ``diffs2`` holds the squared coordinate differences of the inputs, shape
    (n * n, d), computed once per fit.
    """
    n, d = len(y), diffs2.shape[1]
    inv_ell2 = np.exp(-2.0 * theta[:d])
    signal, noise = math.exp(theta[d]), math.exp(theta[d + 1])
    r = np.sqrt(diffs2 @ inv_ell2).reshape(n, n)
    e = np.exp(-_SQRT5 * r)
    K0 = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    K = signal * K0
    K[np.diag_indices(n)] += noise + _JITTER
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    alpha = cho_solve((L, True), y, check_finite=False)
    nll = 0.5 * y @ alpha + np.log(np.diag(L)).sum() + n * _LOG_SQRT_2PI
    K_inv, info = dpotri(L, lower=1)
    if info != 0:
        return 1e10, np.zeros_like(theta)
    K_inv = np.tril(K_inv) + np.tril(K_inv, -1).T  # dpotri fills the lower triangle only
    W = np.outer(alpha, alpha) - K_inv
    grad = np.empty_like(theta)
    # dK/dlog(ell_j) = signal * 5/3 * (1 + sqrt5 r) e^{-sqrt5 r} * diff_j**2 / ell_j**2
    common = (W * (signal * (5.0 / 3.0)) * (1.0 + _SQRT5 * r) * e).ravel()
    grad[:d] = -0.5 * (common @ diffs2) * inv_ell2
    grad[d] = -0.5 * np.sum(W * (signal * K0))
    grad[d + 1] = -0.5 * noise * np.trace(W)
    penalty, penalty_grad = _log_prior(theta, d, prior_mean)
    return nll + penalty, grad + penalty_grad


def _log_prior(theta, d, prior_mean):
    """Negative log density of the hyperparameter priors (up to a constant), and its gradient."""
    means = np.concatenate([np.full(d, prior_mean), [_LOG_SIGNAL_PRIOR[0], _LOG_NOISE_PRIOR[0]]])
    sds = np.concatenate([np.full(d, _LOG_LENGTHSCALE_SD), [_LOG_SIGNAL_PRIOR[1], _LOG_NOISE_PRIOR[1]]])
    z = (theta - means) / sds
    return 0.5 * float(z @ z), z / sds


def fit_gp(X, y, max_fit_points=None, maxiter=60):
    """A Gaussian process on all of ``X``, with hyperparameters fitted on at most ``max_fit_points``.

    The hyperparameters are the maximum a posteriori values found by L-BFGS-B
    from the prior medians. Past ``max_fit_points`` observations they are
    fitted on a subset: the best half of ``max_fit_points`` and an even
    spread over the others (in their order), which bounds the cost of a fit
    while keeping the region the search exploits; the posterior then
    conditions on every observation.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Features in [0, 1].
    y : ndarray of shape (n,)
        Standardized targets.
    max_fit_points : int, default=None
        None means ``MAX_FIT_POINTS`` (40).
    maxiter : int, default=60
        L-BFGS-B iterations.

    Returns
    -------
    GaussianProcess
    """
    d = X.shape[1]
    subset = _fit_subset(y, MAX_FIT_POINTS if max_fit_points is None else max_fit_points)
    Xf, yf = X[subset], y[subset]
    prior_mean = lengthscale_prior_mean(d)
    theta0 = np.concatenate([np.full(d, prior_mean), [0.0, _LOG_NOISE_PRIOR[0]]])
    bounds = [(math.log(1e-2), math.log(1e2))] * d + [_LOG_SIGNAL_BOUNDS, _LOG_NOISE_BOUNDS]
    diffs2 = ((Xf[:, None, :] - Xf[None, :, :]) ** 2).reshape(-1, d)
    result = minimize(
        _neg_log_posterior,
        theta0,
        args=(diffs2, yf, prior_mean),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        # Hyperparameters need no more precision than 1e-4 relative in the objective.
        options={"maxiter": maxiter, "ftol": 1e-4, "gtol": 1e-3},
    )
    theta = result.x if np.all(np.isfinite(result.x)) else theta0
    return GaussianProcess(X, y, theta)


def _fit_subset(y, size):
    """Indices of the observations the hyperparameters are fitted on."""
    n = len(y)
    if n <= size:
        return np.arange(n)
    n_best = size // 2
    order = np.argsort(-y, kind="stable")
    best = order[:n_best]
    rest = np.sort(order[n_best:])
    spread = rest[np.linspace(0, len(rest) - 1, size - n_best).round().astype(int)]
    return np.sort(np.concatenate([best, spread]))


def log_expected_improvement(mean, std, best):
    """Logarithm of expected improvement over ``best``, accurate far into the tail.

    Parameters
    ----------
    mean, std : ndarray
        Posterior of the (maximized) function.
    best : float

    Returns
    -------
    ndarray
    """
    z = (mean - best) / std
    return np.log(std) + _log_h(z)


def _log_h(z):
    """``log(phi(z) + z * Phi(z))`` without cancellation for very negative z."""
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu * zu - _LOG_SQRT_2PI) + zu * ndtr(zu))
    zl = -z[~upper]  # positive
    log_phi = -0.5 * zl * zl - _LOG_SQRT_2PI
    # phi(z) + z Phi(z) = phi(z) * (1 - |z| sqrt(pi/2) erfcx(|z|/sqrt2)) for z < 0
    inner = 1.0 - zl * math.sqrt(math.pi / 2) * erfcx(zl / math.sqrt(2))
    out[~upper] = log_phi + np.log(np.maximum(inner, 1e-300)) if zl.size else log_phi
    far = zl > 1e3  # the bracket tends to 1 / z**2
    if np.any(far):
        values = out[~upper]
        values[far] = log_phi[far] - 2.0 * np.log(zl[far])
        out[~upper] = values
    return out


def acquisition(name, gp, X, best, kappa):
    """Acquisition values (greater is better) of candidate rows ``X``.

    Parameters
    ----------
    name : {"ei", "pi", "ucb"}
        Log expected improvement, log probability of improvement, or upper
        confidence bound ``mean + kappa * std``.
    gp : GaussianProcess
    X : ndarray of shape (m, d)
    best : float
        Incumbent value (standardized).
    kappa : float

    Returns
    -------
    ndarray of shape (m,)
    """
    mean, std = gp.predict(X)
    if name == "ei":
        return log_expected_improvement(mean, std, best)
    if name == "pi":
        return log_ndtr((mean - best) / std)
    return mean + kappa * std


def refine(objective, starts, columns, maxiter=8, step=1e-6):
    """Local L-BFGS-B ascent of ``objective`` from several starts, over some columns, in [0, 1].

    The starts are optimized together as one problem, the sum of their
    objective values (which is separable, so each start reaches its own
    local maximum), so every step is one batched call of ``objective``.
    Gradients are forward differences computed in that same call.

    Parameters
    ----------
    objective : callable
        Takes rows (m, d), returns values (m,) to maximize.
    starts : ndarray of shape (k, d)
    columns : ndarray of int
        The columns that move.
    maxiter : int, default=8
    step : float, default=1e-6

    Returns
    -------
    ndarray of shape (k, d)
    """
    k, c = len(starts), columns.size
    if c == 0 or k == 0:
        return starts.copy()
    # Row (i, 0) is start i at z; row (i, 1 + j) moves its column j by one step.
    rows_of = np.repeat(starts, c + 1, axis=0).reshape(k, c + 1, -1)
    moved = np.arange(c)

    def negative(z):
        z = z.reshape(k, c)
        rows = rows_of.copy()
        rows[:, :, columns] = z[:, None, :]
        shifted = np.where(z + step <= 1.0, step, -step)
        rows[:, 1 + moved, columns[moved]] += shifted
        values = objective(rows.reshape(k * (c + 1), -1)).reshape(k, c + 1)
        gradient = (values[:, 1:] - values[:, :1]) / shifted
        return -values[:, 0].sum(), -gradient.ravel()

    result = minimize(
        negative, starts[:, columns].ravel(), jac=True, method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * (k * c), options={"maxiter": maxiter, "maxfun": 2 * maxiter},
    )
    refined = starts.copy()
    refined[:, columns] = np.clip(result.x.reshape(k, c), 0.0, 1.0)
    return refined


# ---------------------------------------------------------------- proposer

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
    return (_squared_distances(rows, seen) < _SAME).any(axis=1)
