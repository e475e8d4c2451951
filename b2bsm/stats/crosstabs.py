"""Cross-tabulation as a tidy table: counts with row, column and total percentages.

Ordered categoricals keep their scale order everywhere: the level columns of
:func:`crosstab` and the index and columns of :func:`contingency` have the
input's categorical dtype, so anything pivoted or plotted from them runs
"not at all" -> "very actively", never alphabetically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.stats._validate import require_columns


def _levels(series: pd.Series) -> pd.Index:
    """Every level of a column in its order: all categories, or the sorted values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.CategoricalIndex(series.cat.categories, dtype=series.dtype, name=series.name)
    return pd.Index(sorted(series.dropna().unique()), name=series.name)


def _counts(df: pd.DataFrame, row: str, col: str) -> pd.DataFrame:
    require_columns(df, [row, col])
    if row == col:
        raise ValueError(
            f"row and col are both {row!r}; a column crossed with itself is not a test of "
            "anything. Cross two different columns."
        )
    # pd.crosstab reindexed to every level, counted directly: each answer's position among
    # its column's levels (-1 when missing), then one bincount over the cells
    rows, cols = _levels(df[row]), _levels(df[col])
    r, c = _positions(df[row], rows), _positions(df[col], cols)
    keep = (r >= 0) & (c >= 0)
    cells = np.bincount(r[keep] * len(cols) + c[keep], minlength=len(rows) * len(cols))
    return pd.DataFrame(
        cells.reshape(len(rows), len(cols)).astype("int64"), index=rows, columns=cols
    )


def _positions(series: pd.Series, levels: pd.Index) -> np.ndarray:
    """Where each value stands among ``levels``; -1 for a missing value."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype("int64")
    return levels.get_indexer(series).astype("int64")


def crosstab(data: pd.DataFrame, row: str, col: str, *, observed: bool = False) -> pd.DataFrame:
    """Count the firms in every (row, col) cell, with percentages, in long form.

    Missing values in either column are dropped (pairwise deletion); the
    number of firms left is the ``n`` column.  Categorical columns keep their
    dtype, so ``table.pivot(index=row, columns=col, values="count")`` has a
    ``CategoricalIndex`` in scale order.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    row, col : str
        The two categorical columns to cross (two different columns).
    observed : bool, default False
        For categorical columns, drop categories nobody chose (``True``) or
        keep them with a zero count (``False``, the honest default).

    Returns
    -------
    pandas.DataFrame
        One row per cell, rows in scale order: ``row``'s and ``col``'s levels
        (categorical when the inputs are), ``count``, ``n`` (the firms that
        answered both columns, the same in every row), ``pct`` (of all firms),
        ``row_pct`` (of the row's firms) and ``col_pct`` (of the column's).
        ``row_pct`` is NaN exactly where the row has no firm at all (0 of 0
        is no percentage), likewise ``col_pct``; all other values are numbers.

    See Also
    --------
    contingency : the same counts as a wide table, for tests of independence.
    expected_counts : observed and expected counts under independence.
    chi2_independence : the test of independence of the two columns.

    References
    ----------
    Agresti (2013), as cited in :func:`b2bsm.stats.chi2_independence`.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import crosstab
    >>> table = crosstab(load_survey(), "size", "use_internal")
    >>> int(table["count"].sum()), int(table["n"].iloc[0])
    (125, 125)
    >>> wide = table.pivot(index="size", columns="use_internal", values="count")
    >>> wide.shape, wide.columns[:2].tolist()
    ((3, 5), ['not at all', 'a little'])
    """
    counts = _counts(data, row, col)
    if observed:
        counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    total = int(counts.to_numpy().sum())
    if total == 0:
        raise ValueError(f"no firm answered both {row!r} and {col!r}; nothing to cross-tabulate.")
    row_tot = counts.sum(axis=1)
    col_tot = counts.sum(axis=0)
    n_rows, n_cols = counts.shape
    long = pd.DataFrame(
        {
            row: counts.index.repeat(n_cols),
            col: np.tile(counts.columns.to_numpy(), n_rows),
            "count": counts.to_numpy().ravel(),
        }
    )
    for name in (row, col):
        if isinstance(data[name].dtype, pd.CategoricalDtype):
            long[name] = pd.Categorical(long[name], dtype=data[name].dtype)
    count = long["count"].to_numpy().astype("float64")
    r = np.repeat(row_tot.to_numpy(), n_cols).astype("float64")
    c = np.tile(col_tot.to_numpy(), n_rows).astype("float64")
    long["count"] = long["count"].astype("int64")
    long["n"] = np.int64(total)
    long["pct"] = 100 * count / total
    with np.errstate(invalid="ignore", divide="ignore"):
        long["row_pct"] = np.where(r > 0, 100 * count / r, np.nan)
        long["col_pct"] = np.where(c > 0, 100 * count / c, np.nan)
    return long


def contingency(data: pd.DataFrame, row: str, col: str) -> pd.DataFrame:
    """The wide contingency table (rows x columns of counts) behind :func:`crosstab`.

    Categories nobody chose are dropped: a row or column of zeros has no expected
    count, so tests of independence cannot use it.  The rest stay in scale
    order, as a ``CategoricalIndex`` for categorical columns.

    See Also
    --------
    crosstab : the same counts in long form, with percentages.
    chi2_independence, fisher_exact_test : tests that use this table.

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.stats import contingency
    >>> data = pd.DataFrame({"a": ["x", "x", "y"], "b": ["u", "v", "v"]})
    >>> contingency(data, "a", "b").to_numpy().tolist()
    [[1, 1], [0, 1]]
    """
    table = _counts(data, row, col)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(
            f"{row!r} x {col!r} has a {table.shape[0]} x {table.shape[1]} table after dropping "
            "empty rows/columns; a test of independence needs at least 2 levels of each. "
            "Check that both columns vary in the firms you selected."
        )
    return table
