"""Adjust p-values when a table holds many tests (Holm, Benjamini-Hochberg, Bonferroni)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.stats._validate import require_columns

#: Methods offered, with what each controls (statsmodels names in brackets).
ADJUSTMENTS = {
    "holm": "Holm step-down: family-wise error rate",
    "bonferroni": "Bonferroni: family-wise error rate (conservative)",
    "fdr_bh": "Benjamini-Hochberg: false discovery rate",
}


def _holm(p: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down adjustment, exactly as statsmodels' ``multipletests(method="holm")``.

    Computed here because statsmodels runs a full garbage collection on every Holm
    call, which costs about half a second in a large process (an answer key checking
    a class).  ``tests/test_stats.py`` checks both agree.

    >>> adjusted, reject = _holm(np.array([0.04, 0.01, 0.02]), 0.05)
    >>> adjusted.round(2).tolist(), reject.tolist()
    ([0.04, 0.03, 0.04], [True, True, True])
    """
    order = np.argsort(p)
    ranked = p[order]
    steps = np.arange(len(p), 0, -1)
    stop = np.nonzero(ranked > alpha / steps)[0]
    reject_sorted = np.arange(len(p)) < (stop[0] if stop.size else len(p))
    adjusted_sorted = np.minimum(np.maximum.accumulate(ranked * steps), 1.0)
    adjusted, reject = np.empty_like(p), np.empty(len(p), dtype=bool)
    adjusted[order], reject[order] = adjusted_sorted, reject_sorted
    return adjusted, reject


def adjust_pvalues(
    data: pd.DataFrame, *, method: str = "holm", p_col: str = "p_value", alpha: float = 0.05
) -> pd.DataFrame:
    """Add adjusted p-values to a table of tests (statsmodels ``multipletests``).

    Holm and Bonferroni keep the family-wise error rate (the chance of at
    least one false rejection) at most ``alpha`` under any dependence between
    the tests.  Benjamini-Hochberg keeps the false discovery rate at most
    ``alpha`` when the tests are independent or positively dependent (PRDS);
    under arbitrary dependence that guarantee needs the Benjamini-Yekutieli
    variant.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per test, e.g. the output of :func:`kendall_table`.
    method : {"holm", "bonferroni", "fdr_bh"}, default "holm"
    p_col : str, default "p_value"
    alpha : float, default 0.05
        Level for the ``reject`` column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``p_adjusted``, ``reject`` (at ``alpha``) and
        ``adjustment`` (the method's description) added.

    See Also
    --------
    kendall_table, paired_comparison : tables of many tests to adjust.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
        Journal of Statistics*, 6(2), 65-70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
        powerful approach to multiple testing. *Journal of the Royal Statistical Society B*,
        57(1), 289-300.

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.stats import adjust_pvalues
    >>> t = pd.DataFrame({"p_value": [0.01, 0.02, 0.04]})
    >>> adjust_pvalues(t, method="holm")["p_adjusted"].round(2).tolist()
    [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    if method not in ADJUSTMENTS:
        raise ValueError(f"method must be one of {sorted(ADJUSTMENTS)}; got {method!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}.")
    require_columns(data, [p_col])
    column = data[p_col]
    if pd.api.types.is_bool_dtype(column.dtype) or any(
        isinstance(v, (bool, np.bool_)) for v in column
    ):
        raise TypeError(
            f"column {p_col!r} holds True/False, not p-values; pass the p-values themselves "
            "(e.g. the 'p_value' column), not a 'reject' or 'significant' column."
        )
    p = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
    if len(p) == 0:
        raise ValueError("the table has no rows, so there are no p-values to adjust.")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(
            f"column {p_col!r} must hold p-values between 0 and 1 with none missing; "
            "drop the rows without a test first."
        )
    if method == "holm":
        adjusted, reject = _holm(p, alpha)
    else:
        reject, adjusted, _, _ = multipletests(p, alpha=alpha, method=method)
    out = data.copy()
    out["p_adjusted"] = adjusted
    out["reject"] = reject
    out["adjustment"] = ADJUSTMENTS[method]
    return out
