"""Practice questions of lesson 07 (content and engagement), on the shipped posts."""

from __future__ import annotations

from b2bsm.data import load_posts
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set

TITLE = "Lesson 07 practice"
load_data = load_posts


def _zero_share(posts, column="comments", scale=100.0):
    return scale * float((posts[column] == 0).mean())


def _visual_rate(posts, fmt="visual", how="median", per=1000.0):
    part = posts[posts["format"] == fmt]
    rate = per * part["likes"].astype(float) / part["followers"].astype(float)
    return float(rate.median() if how == "median" else rate.mean())


def _comment_share(posts, how="pooled"):
    likes, comments = posts["likes"].astype(float), posts["comments"].astype(float)
    if how == "ratio":
        return 100 * float(comments.sum() / likes.sum())
    if how == "per post":
        both = likes + comments
        return 100 * float((comments[both > 0] / both[both > 0]).mean())
    return 100 * float(comments.sum() / (likes.sum() + comments.sum()))


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="What percentage of the posts received no comment at all?",
        expected=_zero_share,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: _zero_share(d, "likes"),
                "That is the share of posts without a LIKE; the question asks about comments.",
            ),
            Mistake(
                lambda d: _zero_share(d, scale=1.0),
                "Right idea; give it as a percentage (times 100), not a proportion.",
            ),
        ],
    ),
    Question(
        id="p2",
        kind="number",
        prompt="What is the median number of likes per 1,000 followers of the VISUAL posts "
        "(all strategies together)?",
        expected=_visual_rate,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda d: _visual_rate(d, how="mean"),
                "That is the mean; skewed rates are summarised by the median here.",
            ),
            Mistake(
                lambda d: _visual_rate(d, fmt="text"),
                "That is the median of the TEXT posts; keep the visual ones.",
            ),
            Mistake(
                lambda d: _visual_rate(d, per=1.0),
                "That is per follower; multiply by 1,000 for likes per 1,000 followers.",
            ),
        ],
    ),
    Question(
        id="p3",
        kind="number",
        prompt="Of all reactions in the data (likes plus comments), what percentage are comments?",
        expected=_comment_share,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: _comment_share(d, "ratio"),
                "That is comments divided by likes; the question divides by likes plus comments.",
            ),
            Mistake(
                lambda d: _comment_share(d, "per post"),
                "You averaged each post's own share; the question asks for the share of all "
                "reactions pooled together.",
            ),
        ],
    ),
]

check, question = practice_set(TITLE, QUESTIONS, load_data)
