"""NB2 maximum likelihood for :func:`b2bsm.engagement.fit_engagement`, written out.

Newton steps on the joint log-likelihood in (coefficients, log alpha), so alpha
stays positive, with R's ``MASS::glm.nb`` algorithm (alternating IRLS and a
search for alpha) as the fallback; every result must pass the checks of a
maximum.  Split from :mod:`b2bsm.engagement.models` (the model, its design and
its tables), which calls :func:`_fit_negbin`.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

#: Search range of the NB2 dispersion alpha.  The lower end is Poisson for any
#: practical purpose; the upper end is far beyond any engagement data.
_ALPHA_RANGE = (1e-8, 1e3)


def _nb2_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood of counts ``y`` with means ``mu`` and dispersion ``alpha``."""
    from scipy.special import gammaln

    theta = 1.0 / alpha
    with np.errstate(all="ignore"):  # overflowing trial steps give -inf or NaN: rejected
        terms = (
            gammaln(y + theta)
            - gammaln(theta)
            - gammaln(y + 1)
            - theta * np.log1p(alpha * mu)
            + np.where(y > 0, y * (np.log(alpha * mu) - np.log1p(alpha * mu)), 0.0)
        )
    return float(np.sum(terms))


def _nb2_derivatives(y, X, offset, params):
    """Log-likelihood, score and Hessian of NB2 in (coefficients, log alpha)."""
    from scipy.special import digamma, polygamma

    beta, log_alpha = params[:-1], params[-1]
    alpha = math.exp(log_alpha)
    theta = 1.0 / alpha
    with np.errstate(over="ignore", invalid="ignore"):
        mu = np.exp(X @ beta + offset)
        loglik = _nb2_loglik(y, mu, alpha)
        tm = theta + mu
        d_eta = theta * (y - mu) / tm
        dd_eta = -theta * mu * (theta + y) / tm**2
        d_theta = digamma(y + theta) - digamma(theta) + np.log(theta / tm) + 1 - (theta + y) / tm
        dd_theta = (
            polygamma(1, y + theta) - polygamma(1, theta) + 1 / theta - 2 / tm + (theta + y) / tm**2
        )
        cross = -theta * (y - mu) * mu / tm**2  # d2 / (d eta d log alpha)
    k = X.shape[1]
    score = np.empty(k + 1)
    score[:k] = X.T @ d_eta
    score[k] = -theta * d_theta.sum()
    hessian = np.empty((k + 1, k + 1))
    hessian[:k, :k] = (X * dd_eta[:, None]).T @ X
    hessian[:k, k] = hessian[k, :k] = X.T @ cross
    hessian[k, k] = theta**2 * dd_theta.sum() + theta * d_theta.sum()
    return loglik, score, hessian


def _profile_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Maximum-likelihood alpha for fixed means, searched on the log scale (always > 0)."""
    from scipy.optimize import minimize_scalar

    low, high = np.log(_ALPHA_RANGE)
    res = minimize_scalar(
        lambda log_alpha: -_nb2_loglik(y, mu, math.exp(log_alpha)),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    return math.exp(float(res.x))


def _fit_failed(why: str, family: str = "negbin") -> RuntimeError:
    model = "negative binomial" if family == "negbin" else "Poisson"
    advice = (
        "; with very few posts, try family='poisson' with cluster=True instead"
        if family == "negbin"
        else ""
    )
    return RuntimeError(
        f"the {model} fit failed: {why}. Check that the outcome is not (nearly) all zero and "
        f"that every strategy and format occurs with some engagement{advice}."
    )


def _glm(y, X, offset, family, **fit_kw):
    """A statsmodels GLM fit whose warnings are judged by the caller's checks, not shown."""
    import warnings

    import statsmodels.api as sm

    with warnings.catch_warnings():
        # e.g. perfect-separation or iteration warnings on degenerate data: the
        # finiteness and maximum checks after every fit decide, with a clear error
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return sm.GLM(y, X, family=family, offset=offset).fit(**fit_kw)


#: The last few Poisson fits, by their data (see :func:`_poisson`).
_POISSON_FITS: dict[bytes, object] = {}


def _poisson(y: np.ndarray, X: np.ndarray, offset: np.ndarray):
    """The Poisson GLM fit (IRLS, tol 1e-10) of these data, computed once per data.

    The negative binomial fit starts from it, and the Poisson model with and without
    clustered errors is the same fit: an exercise key that asks for all three on one
    dataset (set 07) ran the same IRLS three times.  Kept by a hash of the arrays' bytes,
    shapes and types, so a different dataset never gets another one's fit; the result is
    only read, never changed.
    """
    import statsmodels.api as sm

    digest = hashlib.blake2b(digest_size=20)
    for array in (y, X, offset):
        array = np.asarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    key = digest.digest()
    if key not in _POISSON_FITS:
        if len(_POISSON_FITS) >= 4:
            _POISSON_FITS.pop(next(iter(_POISSON_FITS)))
        _POISSON_FITS[key] = _glm(y, X, offset, sm.families.Poisson(), tol=1e-10)
    return _POISSON_FITS[key]


def _newton_decrement(score: np.ndarray, hessian: np.ndarray) -> float:
    """How much log-likelihood one more Newton step could gain (inf if not a maximum)."""
    if not (np.all(np.isfinite(score)) and np.all(np.isfinite(hessian))):
        return math.inf
    hessian = (hessian + hessian.T) / 2
    if np.linalg.eigvalsh(hessian).max() >= 0:
        return math.inf
    return float(score @ np.linalg.solve(-hessian, score)) / 2


def _newton_nb2(y, X, offset, params, max_iter: int = 100):
    """Joint Newton ascent in (coefficients, log alpha) with step halving; None if it fails."""
    for _ in range(max_iter):
        loglik, score, hessian = _nb2_derivatives(y, X, offset, params)
        decrement = _newton_decrement(score, hessian)
        if not (math.isfinite(loglik) and math.isfinite(decrement)):
            return None
        if decrement < 1e-10:
            return params
        step = np.linalg.solve(-(hessian + hessian.T) / 2, score)
        t = 1.0
        while t > 1e-8:
            trial = params + t * step
            if abs(trial[-1]) < 40:  # alpha between 4e-18 and 2e17: keep the search sane
                with np.errstate(over="ignore"):
                    mu = np.exp(X @ trial[:-1] + offset)
                new = _nb2_loglik(y, mu, math.exp(trial[-1]))
                if math.isfinite(new) and new >= loglik - 1e-10:
                    break
            t /= 2
        else:
            return None
        params = trial
    return None


def _alternate_nb2(y, X, offset, beta, alpha):
    """MASS::glm.nb's algorithm: IRLS at fixed alpha, then alpha at fixed means, in turn."""
    import statsmodels.api as sm

    loglik = -math.inf
    for _ in range(200):
        family = sm.families.NegativeBinomial(alpha=alpha)
        step = _glm(y, X, offset, family, start_params=beta, tol=1e-10, maxiter=200)
        beta, mu = np.asarray(step.params), np.asarray(step.fittedvalues)
        if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(mu))):
            return None
        new_alpha = _profile_alpha(y, mu)
        new_loglik = _nb2_loglik(y, mu, new_alpha)
        settled = abs(math.log(new_alpha / alpha)) < 1e-9 and abs(new_loglik - loglik) < 1e-10 * (
            1 + abs(new_loglik)
        )
        alpha, loglik = new_alpha, new_loglik
        if settled:
            return np.append(beta, math.log(alpha))
    return None


def _fit_negbin(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, float]:
    """NB2 maximum likelihood: coefficients and alpha, with alpha kept positive.

    Start: a Poisson fit for the coefficients and the best alpha for its means.
    Then Newton steps on the joint log-likelihood in (coefficients, log alpha):
    on the log scale alpha cannot turn negative, which is how statsmodels'
    Newton step in alpha itself produced NaN.  If Newton fails, fall back to
    R's ``MASS::glm.nb`` algorithm (alternate IRLS at fixed alpha and a search
    for alpha at fixed means).  The result must pass the checks of a maximum
    (finite score, negative-definite Hessian, negligible Newton step) or a
    RuntimeError says so.
    """
    start = _poisson(y, X, offset)
    beta, mu = np.asarray(start.params), np.asarray(start.fittedvalues)
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(mu)) and np.all(mu > 0)):
        raise _fit_failed("even the Poisson start values are not finite")
    alpha = _profile_alpha(y, mu)
    params = _newton_nb2(y, X, offset, np.append(beta, math.log(alpha)))
    if params is None:
        params = _alternate_nb2(y, X, offset, beta, alpha)
    if params is None:
        raise _fit_failed("neither Newton steps nor alternating fits converged")
    _, score, hessian = _nb2_derivatives(y, X, offset, params)
    if not _newton_decrement(score, hessian) < 1e-6:
        raise _fit_failed("the likelihood has no well-defined maximum (flat or singular)")
    return params[:-1], math.exp(params[-1])
