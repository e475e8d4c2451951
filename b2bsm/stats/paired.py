"""Paired comparisons of two items answered by the same firms (e.g. use vs potential)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.stats._validate import LIKERT_SCALE, paired, pairs_list

TESTS = {
    "wilcoxon": "Wilcoxon signed-rank (zero differences dropped, normal approximation with ties)",
    "sign": "sign test (exact binomial on the non-zero differences)",
}


def paired_comparison(
    df: pd.DataFrame, pairs, *, test: str = "wilcoxon", scale=LIKERT_SCALE
) -> pd.DataFrame:
    """Compare two Likert items answered by the same firms, pair by pair.

    For each (x, y) pair, only firms that answered both count.  The summary
    columns say how many firms rated y above x, below x, or the same; the test
    asks whether y tends to be higher than x (two-sided).

    Parameters
    ----------
    df : pandas.DataFrame
    pairs : list of (str, str), dict or DataFrame with ``x``, ``y``
        E.g. ``[("cust_use_marketing", "cust_pot_marketing")]``: x = use, y = potential.
    test : {"wilcoxon", "sign"}, default "wilcoxon"
        ``wilcoxon``: scipy's signed-rank test with ``zero_method="wilcox"``
        (ties between x and y dropped; the normal approximation is used when
        ranks are tied, as they nearly always are on a 5-point scale).
        ``sign``: exact binomial test of "y > x" against "y < x" (scipy
        ``binomtest``), which uses only the direction of each difference.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``median_x``, ``median_y``,
        ``mean_difference`` (y - x, in scale points), ``n_y_higher``,
        ``n_x_higher``, ``n_tied``, ``statistic``, ``p_value``, ``test``.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import paired_comparison
    >>> t = paired_comparison(load_survey(), [("cust_use_marketing", "cust_pot_marketing")])
    >>> bool(t["n_y_higher"].iloc[0] > t["n_x_higher"].iloc[0])
    True
    """
    from scipy.stats import binomtest, wilcoxon

    if test not in TESTS:
        raise ValueError(f"test must be one of {sorted(TESTS)}; got {test!r}.")
    rows = []
    for x, y in pairs_list(pairs):
        a, b = paired(df, x, y, scale)
        diff = b - a
        up, down = int((diff > 0).sum()), int((diff < 0).sum())
        if up + down == 0:
            raise ValueError(
                f"every firm gave {x!r} and {y!r} the same answer, so there is no difference "
                "to test; check that you paired the right columns."
            )
        if test == "wilcoxon":
            method = "approx" if len(np.unique(np.abs(diff[diff != 0]))) < (up + down) else "auto"
            res = wilcoxon(b, a, zero_method="wilcox", method=method)
        else:
            res = binomtest(up, up + down, p=0.5)
        rows.append(
            {
                "x": x,
                "y": y,
                "n": len(a),
                "median_x": float(np.median(a)),
                "median_y": float(np.median(b)),
                "mean_difference": float(diff.mean()),
                "n_y_higher": up,
                "n_x_higher": down,
                "n_tied": int(len(diff) - up - down),
                "statistic": float(res.statistic),
                "p_value": float(res.pvalue),
            }
        )
    out = pd.DataFrame(rows)
    out["test"] = TESTS[test]
    return out
