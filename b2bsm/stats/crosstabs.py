"""Cross-tabulation as a tidy table: counts with row, column and total percentages."""

from __future__ import annotations

import pandas as pd

from b2bsm.stats._validate import require_columns


def crosstab(df: pd.DataFrame, row: str, col: str, *, observed: bool = False) -> pd.DataFrame:
    """Count the firms in every (row, col) cell, with percentages, in long form.

    Missing values in either column are dropped (pairwise deletion), and the
    number of firms left is stored in ``df.attrs['n']``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    row, col : str
        The two categorical columns to cross.
    observed : bool, default False
        For categorical columns, drop categories nobody chose (``True``) or
        keep them with a zero count (``False``, the honest default).

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``row``'s and ``col``'s levels, ``count``, ``pct``
        (of all firms), ``row_pct`` (of the row's firms) and ``col_pct``.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import crosstab
    >>> table = crosstab(load_survey(), "size", "use_internal")
    >>> int(table["count"].sum())
    125
    >>> table.pivot(index="size", columns="use_internal", values="count").shape
    (3, 5)
    """
    require_columns(df, [row, col])
    if row == col:
        raise ValueError(f"row and col are both {row!r}; cross two different columns.")
    counts = pd.crosstab(df[row], df[col], dropna=True)
    if not observed:
        for axis, name in ((0, row), (1, col)):
            if isinstance(df[name].dtype, pd.CategoricalDtype):
                cats = df[name].cat.categories
                counts = counts.reindex(cats, axis=axis, fill_value=0)
    if counts.to_numpy().sum() == 0:
        raise ValueError(f"no firm answered both {row!r} and {col!r}; nothing to cross-tabulate.")
    total = counts.to_numpy().sum()
    long = counts.stack().rename("count").reset_index()
    long.columns = [row, col, "count"]
    row_tot = long.groupby(row, observed=False)["count"].transform("sum")
    col_tot = long.groupby(col, observed=False)["count"].transform("sum")
    long["count"] = long["count"].astype("int64")
    long["pct"] = 100 * long["count"] / total
    long["row_pct"] = (100 * long["count"] / row_tot.where(row_tot > 0)).astype("float64")
    long["col_pct"] = (100 * long["count"] / col_tot.where(col_tot > 0)).astype("float64")
    long.attrs["n"] = int(total)
    return long


def contingency(df: pd.DataFrame, row: str, col: str) -> pd.DataFrame:
    """The wide contingency table (rows x columns of counts) behind :func:`crosstab`.

    Categories nobody chose are dropped: a row or column of zeros has no expected
    count, so tests of independence cannot use it.

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.stats import contingency
    >>> df = pd.DataFrame({"a": ["x", "x", "y"], "b": ["u", "v", "v"]})
    >>> contingency(df, "a", "b").to_numpy().tolist()
    [[1, 1], [0, 1]]
    """
    require_columns(df, [row, col])
    table = pd.crosstab(df[row], df[col], dropna=True)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(
            f"{row!r} x {col!r} has a {table.shape[0]} x {table.shape[1]} table after dropping "
            "empty rows/columns; a test of independence needs at least 2 levels of each. "
            "Check that both columns vary in the firms you selected."
        )
    return table
