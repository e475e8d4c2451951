"""Tests of independence for cross-tabulations: chi-square (with or without Yates) and Fisher."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.stats.crosstabs import contingency


def expected_counts(data: pd.DataFrame, row: str, col: str) -> pd.DataFrame:
    """Observed and expected counts of every cell under independence, in long form.

    Cells are in scale order; categorical columns keep their dtype.  Levels
    nobody chose are left out (see :func:`contingency`).  Expected count =
    row total x column total / n.  The chi-square test's p-value is
    trustworthy only when expected counts are not too small (the usual rule:
    all at least 1 and no more than a fifth below 5).

    See Also
    --------
    chi2_independence : the test that compares the two.
    contingency : the observed counts as a wide table.

    References
    ----------
    Agresti (2013), as cited in :func:`chi2_independence`.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import expected_counts
    >>> t = expected_counts(load_survey(), "size", "use_internal")
    >>> list(t.columns)
    ['size', 'use_internal', 'observed', 'expected']
    """
    from scipy.stats.contingency import expected_freq

    table = contingency(data, row, col)
    expected = pd.DataFrame(
        expected_freq(table.to_numpy()), index=table.index, columns=table.columns
    )
    out = pd.concat({"observed": table.stack(), "expected": expected.stack()}, axis=1)
    out = out.reset_index()
    out.columns = [row, col, "observed", "expected"]
    for name in (row, col):
        if isinstance(data[name].dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(out[name], dtype=data[name].dtype)
    out["observed"] = out["observed"].astype("int64")
    return out


def chi2_independence(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    correction: bool = False,
    lambda_: str = "pearson",
) -> pd.DataFrame:
    """Chi-square test of independence of two categorical columns (scipy), as one tidy row.

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
        Two different columns; rows with a missing value in either are
        dropped, and so are levels nobody chose.
    correction : bool, default False
        Apply Yates' continuity correction.  Note that scipy's
        ``chi2_contingency`` applies it **by default** and **only** to tables with
        one degree of freedom (2 x 2); here it is off unless you ask, and the
        output's ``yates`` column says whether it was actually applied.
    lambda_ : {"pearson", "log-likelihood"}, default "pearson"
        Pearson's X\\ :sup:`2` or the likelihood-ratio G statistic.

    Returns
    -------
    pandas.DataFrame
        One row: ``row``, ``col``, ``n``, ``statistic`` ("Pearson chi2" or
        "likelihood-ratio G"), ``chi2``, ``dof``, ``p_value``, ``yates``,
        ``cramers_v`` (from the uncorrected Pearson statistic), ``min_expected``
        and ``cells_expected_below_5`` (share of cells, 0-1).

    See Also
    --------
    fisher_exact_test : the exact test for a 2 x 2 table with small counts.
    expected_counts : the counts the test compares with.

    References
    ----------
    Yates, F. (1934). Contingency tables involving small numbers and the chi-squared test.
        *Supplement to the Journal of the Royal Statistical Society*, 1(2), 217-235.
    Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.). Wiley.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import chi2_independence
    >>> res = chi2_independence(load_survey(), "size", "use_internal")
    >>> res[["n", "dof"]].to_numpy().tolist()
    [[125, 8]]
    """
    from scipy.stats import chi2_contingency
    from scipy.stats.contingency import association

    if lambda_ not in ("pearson", "log-likelihood"):
        raise ValueError(f"lambda_ must be 'pearson' or 'log-likelihood'; got {lambda_!r}.")
    if not isinstance(correction, bool):
        raise TypeError(f"correction must be True or False; got {correction!r}.")
    table = contingency(data, row, col)
    observed = table.to_numpy()
    result = chi2_contingency(observed, correction=correction, lambda_=lambda_)
    expected = result.expected_freq
    return pd.DataFrame(
        {
            "row": [row],
            "col": [col],
            "n": [int(observed.sum())],
            "statistic": ["Pearson chi2" if lambda_ == "pearson" else "likelihood-ratio G"],
            "chi2": [float(result.statistic)],
            "dof": [int(result.dof)],
            "p_value": [float(result.pvalue)],
            "yates": [bool(correction and result.dof == 1)],
            "cramers_v": [float(association(observed, method="cramer", correction=False))],
            "min_expected": [float(expected.min())],
            "cells_expected_below_5": [float(np.mean(expected < 5))],
        }
    )


def fisher_exact_test(
    data: pd.DataFrame, row: str, col: str, *, alternative: str = "two-sided"
) -> pd.DataFrame:
    """Fisher's exact test for a 2 x 2 table (scipy), as one tidy row.

    Exact: it needs no large-sample approximation, so it is the better tool when
    an expected count is below 5.  Collapse categories to two levels first (e.g.
    small and medium vs large firms; external user yes/no).

    Returns
    -------
    pandas.DataFrame
        One row: ``row``, ``col``, ``n``, ``odds_ratio`` (sample odds ratio of the
        table as laid out), ``p_value``, ``alternative``.

    See Also
    --------
    chi2_independence : the large-sample test.

    References
    ----------
    Fisher, R. A. (1922). On the interpretation of χ² from contingency tables, and the
        calculation of P. *Journal of the Royal Statistical Society*, 85(1), 87-94.
    Agresti (2013), as cited in :func:`chi2_independence`.

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.stats import fisher_exact_test
    >>> data = pd.DataFrame({"large": [True] * 17 + [False] * 108,
    ...                    "external": [False] * 17 + [True] * 16 + [False] * 92})
    >>> round(float(fisher_exact_test(data, "large", "external")["p_value"].iloc[0]), 3)
    0.125
    """
    from scipy.stats import fisher_exact

    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater'; got {alternative!r}."
        )
    table = contingency(data, row, col)
    if table.shape != (2, 2):
        raise ValueError(
            f"Fisher's exact test here needs a 2 x 2 table; {row!r} x {col!r} is "
            f"{table.shape[0]} x {table.shape[1]}. Collapse each column to two levels first "
            "(e.g. df['large'] = df['size'] == 'Large (> 250)'), or use chi2_independence."
        )
    result = fisher_exact(table.to_numpy(), alternative=alternative)
    return pd.DataFrame(
        {
            "row": [row],
            "col": [col],
            "n": [int(table.to_numpy().sum())],
            "odds_ratio": [float(result.statistic)],
            "p_value": [float(result.pvalue)],
            "alternative": [alternative],
        }
    )
