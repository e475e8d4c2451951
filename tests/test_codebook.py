"""The codebook is the one place that knows the survey's scales, and its coder is the only one."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from b2bsm import codebook
from b2bsm.codebook import USE_LABELS, LikertOrderWarning, likert_codes
from b2bsm.data import survey
from b2bsm.stats import _validate


def test_one_coder_everywhere():
    assert survey.likert_codes is likert_codes
    assert _validate.codes is likert_codes


def test_a_partial_categorical_is_coded_on_its_scale():
    """'moderately' and 'actively' are 3 and 4 on the use scale, whatever the dtype holds."""
    s = pd.Series(
        pd.Categorical(
            ["moderately", "actively", None], ordered=True, categories=["moderately", "actively"]
        ),
        name="use",
    )
    assert likert_codes(s).tolist()[:2] == [3.0, 4.0]
    full = s.cat.set_categories(USE_LABELS)
    assert likert_codes(full).tolist()[:2] == [3.0, 4.0]


def test_codes_outside_the_scale_raise():
    with pytest.raises(ValueError, match=r"value 7 .*outside the 1-5 Likert scale"):
        likert_codes(pd.Series([1, 7], name="q"))
    assert likert_codes(pd.Series([1, 7], name="q"), scale=None).tolist() == [1.0, 7.0]


def test_known_labels_in_another_order_raise():
    s = pd.Series(pd.Categorical(["actively", "moderately"], ordered=True), name="use")
    with pytest.raises(ValueError, match="reorder_categories"):
        likert_codes(s)


def test_alphabetical_categories_of_unknown_labels_warn():
    s = pd.Series(pd.Categorical(["agree", "neutral", "disagree"], ordered=True), name="q")
    with pytest.warns(LikertOrderWarning, match="alphabetical"):
        codes = likert_codes(s)
    assert codes.tolist() == [1.0, 3.0, 2.0]  # by the (alphabetical) categories, as warned
    assert issubclass(LikertOrderWarning, UserWarning)
    explicit = s.cat.reorder_categories(["disagree", "neutral", "agree"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert likert_codes(explicit).tolist() == [3.0, 2.0, 1.0]


def test_the_papers_item_order_is_the_generators_target_order():
    assert tuple(survey.TABLE3) == codebook.TABLE3_ITEMS
    assert tuple(survey.TABLE4) == codebook.TABLE4_ITEMS
    assert tuple(survey.TABLE5) == codebook.TABLE5_ITEMS
    assert tuple(survey.TABLE6) == codebook.TABLE6_ITEMS
    for interface, item in codebook.TABLE5_ITEMS:
        functions = {"customer": codebook.CUSTOMER_FUNCTIONS, "partner": codebook.PARTNER_FUNCTIONS}
        assert item in functions[interface]
    assert set(codebook.TABLE6_ITEMS) <= set(codebook.BARRIERS)


def test_column_groups_name_every_column_of_the_survey():
    from b2bsm.data import load_survey

    columns = {c for group in codebook.column_groups().values() for c in group}
    assert columns == set(load_survey().columns)
