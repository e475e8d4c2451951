"""Count regressions of engagement: negative binomial (NB2) and Poisson fits, overdispersion.

:func:`fit_engagement` fits the model the simulator is built on
(:data:`FORMULA`) by maximum likelihood, with account-clustered standard
errors; the NB2 solver is written out (Newton steps on the coefficients and
the log of alpha, in :mod:`b2bsm.engagement._nb2`) because statsmodels' offers
no clustered errors for it.
:func:`overdispersion` shows why a Poisson model understates the uncertainty.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2bsm.engagement._nb2 import _fit_failed, _fit_negbin, _nb2_loglik, _poisson
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


def _design(frame: pd.DataFrame, outcome: str) -> tuple[np.ndarray, list[str]]:
    """The model matrix of :data:`FORMULA` on ``frame`` and its column names.

    The same matrix and names as ``smf.glm(FORMULA, frame)`` makes, built faster: inside
    ``C(strategy, Treatment('other'))`` patsy looks at every post's strategy one at a time
    (a fifth of a second on 20,000 posts), so the strategy is coded as a categorical with
    ``'other'`` first (the same reference level) and given to patsy as it is.
    """
    import patsy

    levels = sorted(frame["strategy"].unique())  # not set(): that walks 20,000 posts in Python
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
        result = _poisson(y, X, offset)
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
