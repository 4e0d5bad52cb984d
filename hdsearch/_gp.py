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

:mod:`hdsearch._proposer` puts these together for ``BayesianSampling``.

This module is pure: numpy and scipy only.
"""

import math

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.linalg.lapack import dpotri
from scipy.optimize import minimize
from scipy.special import erfcx, log_ndtr, ndtr

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
    r = np.sqrt(squared_distances(X1 / lengthscales, X2 / lengthscales))
    return signal * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def squared_distances(A, B):
    """Squared Euclidean distances between the rows of ``A`` and ``B``."""
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
