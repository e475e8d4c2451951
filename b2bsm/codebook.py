"""The survey's codebook: its scales, items, column names and the paper's item order.

What a lesson needs to *read* the survey of Jussila, Kärkkäinen & Aramo-Immonen
(2014), kept apart from the code that generates the synthetic firms
(:mod:`b2bsm.data.survey`): the labels of every scale, the tools, business
functions and barriers the questionnaire asks about, the column name of each
item, the order in which the paper's tables list the items, and the one Likert
coder of the kit (:func:`likert_codes`).

The scale labels are the kit's documented assumption: the paper does not print
them; these are consistent with the wording of its results.

Examples
--------
>>> import pandas as pd
>>> from b2bsm.codebook import USE_LABELS, function_columns, likert_codes
>>> function_columns("customer", "marketing")
('cust_use_marketing', 'cust_pot_marketing')
>>> s = pd.Series(pd.Categorical(["moderately", "actively"], ordered=True,
...                              categories=["moderately", "actively"]), name="use")
>>> likert_codes(s).tolist()       # coded on the use scale, not by position in the dtype
[3.0, 4.0]
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "BARRIERS",
    "CUSTOMER_FUNCTIONS",
    "EXTERNAL_RULE",
    "IMPORTANCE_LABELS",
    "INDUSTRIES",
    "INTERFACES",
    "LIKERT_SCALE",
    "OVERALL_USE",
    "PARTNER_FUNCTIONS",
    "POSITIONS",
    "POTENTIAL_LABELS",
    "SIZES",
    "TABLE3_ITEMS",
    "TABLE4_ITEMS",
    "TABLE5_ITEMS",
    "TABLE6_ITEMS",
    "TOOLS",
    "TURNOVER",
    "USE_LABELS",
    "LikertOrderWarning",
    "Scale",
    "column_groups",
    "external_users",
    "function_columns",
    "item_codes",
    "known_scales",
    "likert_codes",
    "tool_column",
]

# --------------------------------------------------------------------------
# Scales and answer options
# --------------------------------------------------------------------------
USE_LABELS = ["not at all", "a little", "moderately", "actively", "very actively"]
POTENTIAL_LABELS = ["none", "little", "some", "much", "very much"]
IMPORTANCE_LABELS = ["not important", "somewhat important", "important", "very important"]

INDUSTRIES = [
    "Metal products and machinery",
    "Electronics and electricity",
    "Business planning and consulting",
    "Refining of metals",
    "Other",
    "Undefined",
]

TURNOVER = ["< EUR 2 m", "EUR 2-10 m", "EUR 11-50 m", "> EUR 50 m"]
SIZES = ["Small (< 50)", "Medium (50-250)", "Large (> 250)"]
POSITIONS = ["management", "IT", "R&D", "marketing", "HR", "other"]

TOOLS = {
    "blogs": "blogs",
    "microblogs": "microblogs",
    "wikis": "wikis",
    "forums": "discussion forums",
    "office": "social office tools",
    "sns": "social networking sites",
    "bookmarking": "social bookmarking sites",
    "video": "video sharing services",
    "photo": "photo sharing services",
    "presentations": "presentation sharing services",
    "extranet": "social extranet sites",
}
INTERFACES = {
    "internal": "internally",
    "customer": "in the customer interface",
    "partner": "with partners",
}

CUSTOMER_FUNCTIONS = {
    "marketing": "marketing",
    "communications": "communications",
    "product_demos": "product demos",
    "thought_leadership": "building thought leadership",
    "customer_leads": "gaining customer leads",
    "sales_support": "sales support",
    "customer_needs": "finding out customer needs",
    "rnd_participation": "customer participation in product development (R&D)",
    "customer_service": "improving customer service",
    "employer_branding": "employer branding and recruitment",
}
PARTNER_FUNCTIONS = {
    "collaboration": "communication and collaboration",
    "network_management": "network management",
    "induction": "induction",
    "tacit_knowledge": "transfer of tacit knowledge",
    "general_communication": "general communication",
    "project_communication": "project communication",
    "project_efficiency": "improving the efficiency of project work",
    "preserving_information": "preserving information",
    "expert_knowhow": "utilizing expert know-how and reducing workload",
    "best_practices": "sharing best practices",
    "change_management": "change management and communication",
}
BARRIERS = {
    "other_priorities": "Other projects are more important or urgent",
    "cannot_evaluate_benefits": "No ability to evaluate the benefits for business",
    "no_case_studies": "Lack of relevant case studies",
    "not_understanding_possibilities": "Lack of understanding the possibilities",
    "lack_of_resources": "Lack of resources",
    "adoption_difficulties": (
        "Difficulties in adopting new approaches and ways of thinking related to social media"
    ),
    "information_security": "Information security problems",
    "no_need": "No need - things are done with emails and by meetings",
    "failed_experiments": "Failed experiments or bad experiences",
}


# --------------------------------------------------------------------------
# The paper's item order (the rows of its Tables 3-6, top to bottom)
# --------------------------------------------------------------------------
#: Customer functions of Table 3 (use vs potential, Kendall's tau-b).
TABLE3_ITEMS = (
    "marketing",
    "communications",
    "customer_needs",
    "sales_support",
    "thought_leadership",
    "customer_leads",
    "customer_service",
    "rnd_participation",
)
#: Partner functions of Table 4.
TABLE4_ITEMS = (
    "network_management",
    "change_management",
    "collaboration",
    "project_communication",
    "general_communication",
    "project_efficiency",
    "best_practices",
    "induction",
    "tacit_knowledge",
    "expert_knowhow",
    "preserving_information",
)
#: (interface, function) of Table 5: high potential among the external users.
TABLE5_ITEMS = (
    ("customer", "employer_branding"),
    ("partner", "general_communication"),
    ("customer", "communications"),
    ("customer", "sales_support"),
    ("partner", "project_communication"),
    ("customer", "customer_needs"),
    ("partner", "project_efficiency"),
    ("customer", "marketing"),
)
#: Barriers of Table 6 (rated very important).
TABLE6_ITEMS = (
    "other_priorities",
    "cannot_evaluate_benefits",
    "no_case_studies",
    "not_understanding_possibilities",
    "lack_of_resources",
    "adoption_difficulties",
    "information_security",
    "no_need",
)


# --------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------
def tool_column(interface: str, tool: str) -> str:
    """Column of a tool's use in an interface, e.g. ``tool_customer_sns``."""
    return f"tool_{interface}_{tool}"


def function_columns(interface: str, item: str) -> tuple[str, str]:
    """(use, potential) columns of a business function, e.g. ``cust_use_marketing``."""
    prefix = {"customer": "cust", "partner": "part"}[interface]
    return f"{prefix}_use_{item}", f"{prefix}_pot_{item}"


OVERALL_USE = ["use_internal", "use_customer", "use_partner"]


def column_groups() -> dict[str, list[str]]:
    """Survey columns grouped by block (``profile``, ``overall_use``, ``tools_customer``, ...)."""
    groups = {
        "profile": ["firm_id", "industry", "turnover", "size", "position"],
        "overall_use": list(OVERALL_USE),
    }
    for interface in INTERFACES:
        groups[f"tools_{interface}"] = [tool_column(interface, t) for t in TOOLS]
    for interface, items in (("customer", CUSTOMER_FUNCTIONS), ("partner", PARTNER_FUNCTIONS)):
        cols = [function_columns(interface, i) for i in items]
        groups[f"{interface}_function_use"] = [u for u, _ in cols]
        groups[f"{interface}_function_potential"] = [p for _, p in cols]
    groups["barriers"] = [f"barrier_{b}" for b in BARRIERS]
    return groups


# --------------------------------------------------------------------------
# Coding Likert items
# --------------------------------------------------------------------------
#: Default Likert range for numeric input (the survey's use and potential scales).
LIKERT_SCALE = (1, 5)


class LikertOrderWarning(UserWarning):
    """An ordered categorical whose categories may be in alphabetical, not scale, order.

    ``pd.Categorical(values, ordered=True)`` without ``categories=`` sorts the
    categories alphabetically, which is rarely the order of a scale
    ("agree" < "disagree" < "neutral").  Give the categories lowest first.
    """


def known_scales() -> dict[str, tuple[str, ...]]:
    """The kit's labelled scales, lowest level first.

    Examples
    --------
    >>> known_scales()["use"][:2]
    ('not at all', 'a little')
    """
    return {
        "use": tuple(USE_LABELS),
        "potential": tuple(POTENTIAL_LABELS),
        "importance": tuple(IMPORTANCE_LABELS),
        "turnover": tuple(TURNOVER),
        "size": tuple(SIZES),
    }


class Scale(NamedTuple):
    """The scale an item is coded on: its name and its levels (lowest first).

    ``levels`` is None for bare numeric codes, whose labels are unknown; then
    ``top`` is the highest allowed code.
    """

    name: str
    levels: tuple | None
    top: int | None

    def describe(self) -> str:
        if self.levels is None:
            return f"numeric codes (up to {self.top})" if self.top else "numeric codes"
        return f"the {self.name} scale ({' < '.join(map(str, self.levels))})"


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _labelled_scale(name, labels: Sequence) -> Scale | None:
    """The known scale holding every label, or None; ValueError if they straddle scales."""
    labels = [str(v) for v in labels]
    if not labels:
        return None
    for scale_name, levels in known_scales().items():
        if set(labels) <= set(levels):
            return Scale(scale_name, levels, len(levels))
    known = {lab for levels in known_scales().values() for lab in levels}
    if set(labels) & known:
        strays = [lab for lab in labels if lab not in known]
        raise ValueError(
            f"column {name!r} mixes levels of the kit's scales with other labels "
            f"({', '.join(repr(s) for s in strays[:3])}); fix the spelling or recode those answers."
        )
    return None


def _warn_if_alphabetical(name, cats: list) -> None:
    """Warn when a categorical's own categories (not a known scale) are sorted by their text."""
    texts = [str(c) for c in cats]
    if len(texts) > 1 and texts == sorted(texts):
        warnings.warn(
            f"column {name!r} is coded by the order of its categories {texts}, which is "
            "alphabetical: the default of pd.Categorical(values, ordered=True), rarely the "
            "order of a scale. Give the categories lowest first: pd.Categorical(values, "
            "categories=[lowest, ..., highest], ordered=True).",
            LikertOrderWarning,
            stacklevel=4,
        )


def item_codes(
    series: pd.Series, scale: Sequence[int] | None = LIKERT_SCALE
) -> tuple[pd.Series, Scale]:
    """Numeric codes of a Likert item (1 = lowest level of its scale) and the scale used.

    * Ordered categoricals whose levels belong to one of the kit's scales
      (:func:`known_scales`) are coded by that scale, whatever the categories
      of the column: a column that holds only "moderately" and "actively" still
      codes them 3 and 4.  Categories in an order that contradicts the scale
      raise a ValueError.
    * Ordered categoricals with numeric categories are coded by their values.
    * Other ordered categoricals are coded by category position (their
      categories are their scale), with a :class:`LikertOrderWarning` when
      the categories are in alphabetical order.
    * Text holding the labels of a known scale is coded by that scale.
    * Numbers must be whole and inside ``scale``.

    Missing answers stay NaN.  Anything else raises a ValueError that names
    the column, the problem and the fix.
    """
    name = series.name
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.cat.ordered:
            raise ValueError(
                f"column {name!r} is an unordered categorical, so it has no Likert order; "
                "make it ordered first (series.cat.as_ordered() with categories lowest first)."
            )
        cats = list(series.cat.categories)
        if cats and all(_is_number(c) for c in cats):
            return item_codes(series.astype("float64"), scale)
        found = _labelled_scale(name, cats)
        if found is None:
            _warn_if_alphabetical(name, cats)
            levels = tuple(cats)
            position = {str(c): i + 1 for i, c in enumerate(levels)}
            found = Scale(f"categories of {name!r}", levels, len(levels))
        else:
            position = {c: i + 1 for i, c in enumerate(found.levels)}
            ranks = [position[str(c)] for c in cats]
            if ranks != sorted(ranks):
                raise ValueError(
                    f"column {name!r} orders its categories {cats} but {found.describe()} "
                    "puts them in another order; fix it with "
                    f"series.cat.reorder_categories({[c for c in found.levels if c in cats]})."
                )
        lookup = np.array([position[str(c)] for c in cats] + [np.nan], dtype="float64")
        mapped = lookup[series.cat.codes.to_numpy()]  # code -1 (missing) picks the NaN
        return pd.Series(mapped, index=series.index, dtype="float64", name=name), found
    values = series.dropna()
    if len(values) and all(isinstance(v, str) for v in values):
        found = _labelled_scale(name, values.unique())
        if found is not None:
            position = {c: i + 1 for i, c in enumerate(found.levels)}
            mapped = [position[v] if isinstance(v, str) else np.nan for v in series]
            return pd.Series(mapped, index=series.index, dtype="float64", name=name), found
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ValueError(
            f"column {name!r} holds True/False, not Likert codes; code it as numbers or an "
            "ordered categorical first."
        )
    try:
        out = pd.to_numeric(series, errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"column {name!r} holds text that is not a Likert code ({exc}); "
            "pass the survey's ordered categoricals or numeric codes."
        ) from None
    values = out.dropna()
    top = None
    if scale is not None:
        low, top = scale
        bad = values[(values < low) | (values > top) | (values != np.round(values))]
        if len(bad):
            raise ValueError(
                f"column {name!r} has value {bad.iloc[0]:g} (row {bad.index[0]!r}), outside the "
                f"{low}-{top} Likert scale; recode it or set it to missing (NaN)."
            )
    elif len(values) and (values != np.round(values)).any():
        raise ValueError(f"column {name!r} holds codes that are not whole numbers.")
    return out.rename(name), Scale("numeric codes", None, None if top is None else int(top))


def likert_codes(series: pd.Series, scale: Sequence[int] | None = LIKERT_SCALE) -> pd.Series:
    """Numeric codes of a Likert item (1 = lowest level of its scale); missing stays NaN.

    The one coder of the kit: the statistics helpers and the lessons use it.
    Labels of the kit's scales are coded by their scale (:func:`known_scales`),
    whatever the categories of the column; numeric codes must be whole and
    inside ``scale`` (default 1-5), so a stray 7 raises instead of passing
    through.  An ordered categorical of other labels is coded by the order of
    its categories, with a :class:`LikertOrderWarning` when that order is
    alphabetical.

    Parameters
    ----------
    series : pandas.Series
        An ordered categorical, text labels of a known scale, or numeric codes.
    scale : (int, int) or None
        The lowest and highest allowed numeric code; None: any whole number.

    Returns
    -------
    pandas.Series
        float64 codes with the series' index and name.

    See Also
    --------
    item_codes : the codes and the scale they were read on.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(pd.Categorical(["a little", None, "very actively"],
    ...               categories=USE_LABELS, ordered=True))
    >>> likert_codes(s).tolist()
    [2.0, nan, 5.0]
    >>> likert_codes(pd.Series([1, 7], name="q1"))
    Traceback (most recent call last):
    ...
    ValueError: column 'q1' has value 7 (row 1), outside the 1-5 Likert scale; recode it or set it to missing (NaN).
    """  # noqa: E501
    return item_codes(series, scale)[0]


# --------------------------------------------------------------------------
# Derived variables
# --------------------------------------------------------------------------
#: Definition of an external user, the grouping of the paper's chi-square tests.
EXTERNAL_RULE = "use_customer or use_partner at least 'moderately' (code >= 3)"


def external_users(data: pd.DataFrame) -> pd.Series:
    """Boolean Series: firms using social media at least moderately with customers or partners.

    See :data:`EXTERNAL_RULE`; the paper counts 16 such firms.
    """
    codes = [likert_codes(data[c]) for c in ("use_customer", "use_partner")]
    return ((codes[0] >= 3) | (codes[1] >= 3)).rename("external_user")
