"""Practice questions of lesson 06 (auditing published tables), on the paper's printed numbers."""

from __future__ import annotations

from b2bsm.data import published_tables
from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm.practice import practice_set

TITLE = "Lesson 06 practice"
load_data = published_tables
#: At most 20 % of the 117 firms that answered use a partner item above "not at all".
MAX_USERS = 23


def _row(paper, item="No ability to evaluate the benefits for business"):
    return next(r for r in paper["table6_barriers_very_important"] if r["barrier"] == item)


def _denominator(paper, how="fit"):
    row = _row(paper)
    if how == "all":
        return 125.0
    return float(round(100 * row["n"] / row["pct"]))


def _induction(paper, rounding=0.0005, ties=True):
    from b2bsm import stats
    from b2bsm.data.fidelity import smallest_kendall_p

    row = next(
        r for r in paper["table4_kendall_partner_use_vs_potential"] if r["item"] == "induction"
    )
    if not ties:
        return float(stats.tau_p_value(row["tau"] + rounding, row["n"]))
    return smallest_kendall_p(row["tau"] + rounding, row["n"], MAX_USERS)[0]


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="With N = 117 firms, how many percentage points apart are two neighbouring "
        "possible percentages (k/117 and (k+1)/117)?",
        expected=lambda paper: 100 / 117,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda paper: 1 / 117,
                "That is the gap as a proportion; multiply by 100 for percentage points.",
            ),
            Mistake(
                lambda paper: 100 / 125,
                "That uses all 125 firms; the question fixes N = 117.",
            ),
        ],
    ),
    Question(
        id="p2",
        kind="number",
        prompt="Table 6 prints 64 firms = 54.7 % for 'no ability to evaluate the benefits for "
        "business'. Which whole number of answering firms N fits that pair?",
        expected=_denominator,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda paper: _denominator(paper, "all"),
                "64 of 125 is 51.2 %, not 54.7 %: not every firm answered this item. Solve "
                "64 / N = 0.547 for N.",
            ),
        ],
    ),
    Question(
        id="p3",
        kind="number",
        prompt="Table 4 prints tau-b = 0.276 with N = 111 for induction. If at most 23 firms use "
        "social media for it above 'not at all', what is the smallest p-value that tau-b can "
        "have? Use the upper end of its rounding interval.",
        expected=_induction,
        precision=significant(2),
        mistakes=[
            Mistake(
                lambda paper: _induction(paper, ties=False),
                "That is the approximation without ties, which ignores that most firms sit at "
                "the bottom of the use scale; use smallest_kendall_p with the limit on users.",
            ),
            Mistake(
                lambda paper: _induction(paper, rounding=0.0),
                "You used the printed 0.276 itself; the smallest p comes from the largest tau "
                "that rounds to it, 0.2765.",
            ),
        ],
    ),
]

check, question = practice_set(TITLE, QUESTIONS, load_data)
