"""Count regressions of engagement: negative binomial (NB2) and Poisson fits, overdispersion.

:func:`fit_engagement` fits the model the simulator is built on
(:data:`FORMULA`) by maximum likelihood, with account-clustered standard
errors; the NB2 solver is written out (Newton steps on the coefficients and
the log of alpha) because statsmodels' offers no clustered errors for it.
:func:`overdispersion` shows why a Poisson model understates the uncertainty.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2bsm.engagement.simulate import OUTCOMES

FORMULA = "{outcome} ~ visual * (info_cues + emo_cues) + C(strategy, Treatment('other'))"


def _model_frame(df: pd.DataFrame, outcome: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of posts; got {type(df).__name__}.")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    needed = ["followers", "format", "info_cues", "emo_cues", "strategy", outcome]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise KeyError(
            f"columns {missing} not found; fit_engagement needs {needed} "
            "(the columns of simulate_posts() or load_posts())."
        )
    frame = pd.DataFrame(
        {
            outcome: df[outcome].astype("float64").to_numpy(),
            "visual": (df["format"].astype(str) == "visual").astype("float64").to_numpy(),
            "info_cues": df["info_cues"].astype("float64").to_numpy(),
            "emo_cues": df["emo_cues"].astype("float64").to_numpy(),
            "strategy": df["strategy"].astype(str).to_numpy(),
            "followers": df["followers"].astype("float64").to_numpy(),
        }
    )
    if "account" in df.columns:
        frame["account"] = df["account"].astype(str).to_numpy()
    if frame.isna().any().any():
        raise ValueError("the posts have missing values; drop those rows before fitting.")
    if (frame["followers"] <= 0).any():
        raise ValueError("followers must be positive: it is the exposure offset log(followers).")
    return frame


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


def _design(frame: pd.DataFrame, outcome: str) -> tuple[np.ndarray, list[str]]:
    """The model matrix of :data:`FORMULA` on ``frame`` and its column names.

    The same matrix and names as ``smf.glm(FORMULA, frame)`` makes, built faster: inside
    ``C(strategy, Treatment('other'))`` patsy looks at every post's strategy one at a time
    (a fifth of a second on 20,000 posts), so the strategy is coded as a categorical with
    ``'other'`` first (the same reference level) and given to patsy as it is.
    """
    import patsy

    levels = sorted(set(frame["strategy"]))
    if "other" not in levels:  # patsy's own error names the missing reference level
        design = patsy.dmatrix(FORMULA.format(outcome=outcome).split("~")[1], frame)
        return np.asfortranarray(design, dtype="float64"), list(design.design_info.column_names)
    strategy = pd.Categorical(
        frame["strategy"], categories=["other", *(x for x in levels if x != "other")]
    )
    design = patsy.dmatrix(
        "visual * (info_cues + emo_cues) + strategy", frame.assign(strategy=strategy)
    )
    names = [
        name.replace("strategy[T.", "C(strategy, Treatment('other'))[T.")
        for name in design.design_info.column_names
    ]
    # column-major, as statsmodels' formula path hands it over: the same memory layout
    # gives the same sums to the last bit
    return np.asfortranarray(design, dtype="float64"), names


def _separated(y: np.ndarray, X: np.ndarray) -> bool:
    """True if the log-link likelihood has no finite maximum (data separation).

    For Poisson and NB2 regressions with a log link the maximum likelihood
    estimates exist unless some direction ``d`` of the coefficients gives
    ``X d = 0`` on every post with a nonzero count and ``X d <= 0`` on the
    zero-count posts, strictly on some (Santos Silva & Tenreyro, 2010).  Moving
    along ``d`` then raises the likelihood forever: a coefficient runs off to
    minus infinity.  A small linear programme looks for such a ``d``.

    References
    ----------
    Santos Silva, J. M. C., & Tenreyro, S. (2010). On the existence of the maximum
    likelihood estimates in Poisson regression. *Economics Letters*, 107(2), 310-312.
    """
    from scipy.optimize import linprog

    zero, positive = X[y == 0], X[y > 0]
    if len(zero) == 0:
        return False
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    zero, positive = zero / scale, positive / scale
    # If the posts with engagement alone pin down every coefficient (their design has full
    # column rank, with a wide margin), X d = 0 on them forces d = 0: no separation, and
    # the linear programme (a third of a second on 20,000 posts) can be skipped.
    if len(positive) >= X.shape[1]:
        singular = np.linalg.svd(positive, compute_uv=False)
        if singular.min() > 1e-6 * singular.max():
            return False
    found = linprog(
        c=zero.sum(axis=0),
        A_ub=zero,
        b_ub=np.zeros(len(zero)),
        A_eq=positive if len(positive) else None,
        b_eq=np.zeros(len(positive)) if len(positive) else None,
        bounds=(-1, 1),
        method="highs",
    )
    return bool(found.status == 0 and found.fun < -1e-7)


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
    import statsmodels.api as sm

    start = _glm(y, X, offset, sm.families.Poisson(), tol=1e-10)
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


def _wald_table(names, X, y, offset, beta, alpha, groups) -> pd.DataFrame:
    """Coefficients with Wald intervals from the expected information (R's glm conventions).

    Model-based: (X'WX)^-1 with W = mu / (1 + alpha mu), as ``vcov(glm.nb(...))``.
    Clustered: the sandwich B M B with the same bread B, cluster sums of the
    scores x (y - mu) / (1 + alpha mu) in M, times G/(G-1) x (N-1)/(N-K), as
    ``sandwich::vcovCL(type = "HC1")``.
    """
    from scipy.stats import norm

    with np.errstate(over="ignore"):
        mu = np.exp(X @ beta + offset)
    weight = mu / (1 + alpha * mu)
    try:
        bread = np.linalg.inv((X * weight[:, None]).T @ X)
    except np.linalg.LinAlgError:
        raise _fit_failed("the information matrix is singular") from None
    if groups is None:
        cov = bread
    else:
        scores = X * ((y - mu) / (1 + alpha * mu))[:, None]
        codes, _ = pd.factorize(groups)
        sums = np.zeros((codes.max() + 1, X.shape[1]))
        np.add.at(sums, codes, scores)
        n, k, g = X.shape[0], X.shape[1], sums.shape[0]
        if g < 2:
            raise ValueError("cluster-robust standard errors need at least 2 accounts.")
        adjust = g / (g - 1) * (n - 1) / (n - k)
        cov = adjust * bread @ (sums.T @ sums) @ bread
    variances = np.diag(cov)
    if not (np.all(np.isfinite(variances)) and np.all(variances > 0)):
        raise _fit_failed("the standard errors are not finite", "negbin" if alpha else "poisson")
    se = np.sqrt(variances)
    z = norm.ppf(0.975)
    if np.abs(beta).max() + z * se.max() > 700:  # exp() of the interval ends would overflow
        raise _fit_failed("the intervals are too wide to compute", "negbin" if alpha else "poisson")
    return pd.DataFrame(
        {
            "term": [n.replace("C(strategy, Treatment('other'))[T.", "strategy[") for n in names],
            "coef": beta,
            "irr": np.exp(beta),
            "ci_low": np.exp(beta - z * se),
            "ci_high": np.exp(beta + z * se),
            "p_value": 2 * norm.sf(np.abs(beta / se)),
        }
    )


def fit_engagement(
    data: pd.DataFrame,
    outcome: str = "likes",
    *,
    family: str = "negbin",
    cluster: bool = True,
) -> pd.DataFrame:
    """Fit a count regression of likes or comments with an audience offset.

    The model is ``outcome ~ visual * (info_cues + emo_cues) + strategy``
    (strategy ``other`` as reference) with offset ``log(followers)``, so the
    coefficients describe engagement *per follower*.

    Parameters
    ----------
    data : pandas.DataFrame
        Posts, as from :func:`simulate_posts` or :func:`b2bsm.data.load_posts`.
    outcome : {"likes", "comments"}
    family : {"negbin", "poisson"}, default "negbin"
        ``negbin``: NB2 regression (variance mu + alpha mu^2), coefficients
        and alpha by maximum likelihood.  The fit starts from a Poisson fit
        and takes Newton steps in (coefficients, log alpha), so alpha stays
        positive (falling back to R's ``MASS::glm.nb`` algorithm if needed);
        it agrees with ``glm.nb`` to about 1e-8, and its coefficients equal
        ``smf.glm(formula, data, family=sm.families.NegativeBinomial(
        alpha=alpha_hat), offset=np.log(data["followers"])).fit()``.
        ``poisson``: Poisson GLM (statsmodels); its model-based standard
        errors are too small for overdispersed counts.
    cluster : bool, default True
        ``True``: cluster-robust standard errors by ``account`` (posts of one
        account share its audience, so they are not independent), with the
        factor G/(G - 1) x (N - 1)/(N - K), as R's ``sandwich::vcovCL(fit,
        cluster = ~account, type = "HC1")``.  ``False``: model-based standard
        errors from the expected information at the estimated alpha, as
        ``vcov(glm.nb(...))``.

    Returns
    -------
    pandas.DataFrame
        One row per term: ``term``, ``coef``, ``irr`` (exp(coef)), ``ci_low`` and
        ``ci_high`` (95 % Wald interval of the IRR), ``p_value`` (two-sided Wald
        z test), ``se`` (how the standard errors were computed), ``alpha``
        (the estimated NB2 dispersion, 0 for Poisson) and ``loglik`` (the
        maximised log-likelihood).  ``alpha`` and ``loglik`` describe the whole
        fit, so they repeat on every row (as pingouin's ``linear_regression``
        repeats ``r2``); read them with ``fit["alpha"].iloc[0]``.  Every number
        is finite.

    Raises
    ------
    RuntimeError
        When no finite maximum-likelihood fit exists (e.g. an outcome that is
        almost all zero); the message says what to try instead.

    See Also
    --------
    overdispersion : why a Poisson model is not enough for these counts.
    b2bsm.engagement.simulate_posts : data with known true effects.

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (2013). *Regression Analysis of Count Data* (2nd ed.).
        Cambridge University Press.

    Examples
    --------
    >>> from b2bsm.engagement import fit_engagement, simulate_posts
    >>> fit = fit_engagement(simulate_posts(3000, 40, seed=2), "likes")
    >>> "visual:info_cues" in set(fit["term"])
    True
    >>> bool(0 < fit["alpha"].iloc[0] < 2)
    True
    """
    import statsmodels.api as sm

    if family not in ("negbin", "poisson"):
        raise ValueError(f"family must be 'negbin' or 'poisson'; got {family!r}.")
    if not isinstance(cluster, (bool, np.bool_)):
        raise TypeError(f"cluster must be True or False; got {cluster!r}.")
    frame = _model_frame(data, outcome)
    y = frame[outcome].to_numpy()
    if (y < 0).any() or (y != np.round(y)).any():
        raise ValueError(f"{outcome} must be whole numbers of 0 or more (counts).")
    if y.sum() == 0:
        raise ValueError(f"every post has 0 {outcome}; there is nothing to model.")
    offset = np.log(frame["followers"].to_numpy())
    X, names = _design(frame, outcome)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(
            "some terms cannot be estimated from these posts (e.g. a strategy or format that "
            "never occurs); use more posts or drop that category first."
        )
    if _separated(y, X):
        raise _fit_failed(
            f"the likelihood has no finite maximum: the posts with any {outcome} all share a "
            "combination of strategy, cues and format that the other posts lack, so a "
            "coefficient runs off to minus infinity (separation)",
            family,
        )
    use_cluster = bool(cluster) and "account" in frame.columns
    groups = frame["account"].to_numpy() if use_cluster else None
    if family == "poisson":
        result = _glm(y, X, offset, sm.families.Poisson(), tol=1e-10)
        beta, alpha, loglik = np.asarray(result.params), 0.0, float(result.llf)
        if not (result.converged and np.all(np.isfinite(beta))):
            raise _fit_failed("IRLS did not converge to finite coefficients", family)
    else:
        beta, alpha = _fit_negbin(y, X, offset)
        loglik = _nb2_loglik(y, np.exp(X @ beta + offset), alpha)
    out = _wald_table(names, X, y, offset, beta, alpha, groups)
    out["se"] = "cluster-robust by account" if use_cluster else "model-based"
    numbers = out[["coef", "irr", "ci_low", "ci_high", "p_value"]].to_numpy()
    if not (np.all(np.isfinite(numbers)) and math.isfinite(alpha) and math.isfinite(loglik)):
        raise _fit_failed("some coefficients, intervals or p-values are not finite", family)
    out["alpha"] = float(alpha)
    out["loglik"] = float(loglik)
    return out


def overdispersion(data: pd.DataFrame, outcome: str = "likes") -> pd.DataFrame:
    """Check a Poisson model for overdispersion: Pearson chi2 / residual df.

    Near 1 the Poisson variance assumption holds; far above 1 the counts vary
    more than Poisson allows and a negative binomial model is needed.

    Returns
    -------
    pandas.DataFrame
        One row: ``outcome``, ``mean``, ``variance``, ``pearson_chi2``, ``df_resid``,
        ``dispersion_ratio``.

    See Also
    --------
    fit_engagement : the NB2 regression that allows for it.

    References
    ----------
    Cameron & Trivedi (2013), as cited in :func:`fit_engagement`.

    Examples
    --------
    >>> from b2bsm.engagement import overdispersion, simulate_posts
    >>> bool(overdispersion(simulate_posts(2000, 30, seed=3))["dispersion_ratio"].iloc[0] > 2)
    True
    """
    import statsmodels.api as sm

    frame = _model_frame(data, outcome)
    X, _ = _design(frame, outcome)
    result = sm.GLM(
        frame[outcome].to_numpy(),
        X,
        family=sm.families.Poisson(),
        offset=np.log(frame["followers"].to_numpy()),
    ).fit()
    return pd.DataFrame(
        {
            "outcome": [outcome],
            "mean": [float(frame[outcome].mean())],
            "variance": [float(frame[outcome].var())],
            "pearson_chi2": [float(result.pearson_chi2)],
            "df_resid": [float(result.df_resid)],
            "dispersion_ratio": [float(result.pearson_chi2 / result.df_resid)],
        }
    )
