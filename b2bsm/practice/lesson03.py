"""Practice of lesson 03 (adoption by firm size), on the shipped survey.

Row percentages, expected counts and a chi-square statistic on a new 2 x 2 table; the mistakes
are the slips the lesson names (column instead of row percentages, Yates applied by default,
the p-value given for the statistic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set
from b2bsm.practice._survey import survey

TITLE = "Lesson 03 practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

CLASS = "EUR 11-50 m"
LARGE = "Large (> 250)"


def _external(df):
    from b2bsm.data.fidelity import external_users

    return external_users(df)


def _class_pct(df, whole="class", scale=100.0):
    users = _external(df) & (df["turnover"] == CLASS)
    denominator = {
        "class": (df["turnover"] == CLASS).sum(),
        "users": _external(df).sum(),
        "all": len(df),
    }[whole]
    return scale * float(users.sum() / denominator)


def _expected_large(df, divide_by="all"):
    large = int((df["size"] == LARGE).sum())
    users = int(_external(df).sum())
    whole = {"all": len(df), "sme": len(df) - large}[divide_by]
    return large * users / whole


def _manager_table(df):
    manager = np.where(df["position"] == "management", "management", "other")
    return pd.crosstab(manager, _external(df)).to_numpy()


def _manager_chi2(df, correction=False, what="statistic", lambda_=None):
    from scipy import stats as sps

    result = sps.chi2_contingency(_manager_table(df), correction=correction, lambda_=lambda_)
    return float(result.pvalue if what == "p" else result.statistic)


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt=f"Within the **{CLASS}** turnover class, what percentage of the firms are "
        "external users?",
        expected=_class_pct,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _class_pct(df, whole="users"),
                "That is a column percentage: the share of the 16 external users who are in "
                "this class. The question asks for a row percentage: the share of the class's "
                "firms who are users.",
            ),
            Mistake(
                lambda df: _class_pct(df, whole="all"),
                "You divided by all 125 firms; divide by the firms in the turnover class.",
            ),
            Mistake(
                lambda df: _class_pct(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage.",
            ),
        ],
        hints=("Row percentage = users in the class / firms in the class x 100.",),
    ),
    Question(
        id="p2",
        kind="number",
        prompt="If external use did not depend on size, how many **large** firms (more than 250 "
        "employees) would you **expect** to be external users?",
        expected=_expected_large,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda df: float((_external(df) & (df["size"] == LARGE)).sum()),
                "That is the observed count. The expected count is row total x column total / N.",
            ),
            Mistake(
                lambda df: _expected_large(df, divide_by="sme"),
                "You divided by the number of smaller firms; divide by all firms (N).",
            ),
            Mistake(
                lambda df: float((df["size"] == LARGE).mean()),
                "That is the share of large firms; multiply it by the number of external users.",
            ),
        ],
        hints=("Expected count = (large firms) x (external users) / (all firms).",),
    ),
    Question(
        id="p3",
        kind="number",
        prompt="A new table: respondents in **management** (column `position`) against all "
        "others, by external use. What is Pearson's chi-square statistic **without** Yates' "
        "correction?",
        expected=_manager_chi2,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda df: _manager_chi2(df, correction=True),
                "That is the statistic with Yates' correction, which scipy's "
                "`chi2_contingency` applies to 2 x 2 tables by default: pass "
                "`correction=False`.",
            ),
            Mistake(
                lambda df: _manager_chi2(df, what="p"),
                "That is the p-value; the question asks for the chi-square statistic.",
            ),
            Mistake(
                lambda df: _manager_chi2(df, correction=True, what="p"),
                "That is the p-value, and with Yates' correction; the question asks for the "
                "uncorrected statistic.",
            ),
            Mistake(
                lambda df: _manager_chi2(df, lambda_="log-likelihood"),
                "That is the likelihood-ratio G statistic; the question asks for Pearson's.",
            ),
        ],
        hints=(
            "Build the 2 x 2 table with `pd.crosstab`, then `chi2_contingency(..., "
            "correction=False)`.",
        ),
    ),
    Question(
        id="p4",
        kind="choice",
        prompt="Fisher's test of size against external use gives p = 0.13. Which sentence "
        "does the lesson support?",
        choices={
            "a": "Firm size does not matter for external use.",
            "b": "The survey found no evidence of a difference, and had little power to find one.",
            "c": "Large firms use social media externally less than smaller firms.",
            "d": "The test is invalid because one cell of the table is zero.",
        },
        correct="b",
        explanations={
            "a": "A non-significant test does not show that there is no difference: with 16 "
            "users the test could hardly have detected one.",
            "b": "That is the honest reading: no evidence, from a test with low power.",
            "c": "The sample shows no large user, but p = 0.13 is not evidence that the "
            "population differs.",
            "d": "A zero cell is exactly what Fisher's exact test handles; the chi-square "
            "approximation is the one that suffers.",
        },
        hints=("Section 6 asks what a non-significant test with 16 events can mean.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
