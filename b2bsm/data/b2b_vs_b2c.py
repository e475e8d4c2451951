"""The ``b2b_vs_b2c`` dataset: Hall's five differences between B2B and B2C marketing.

Hall (2017), as summarised by Mankonen (2024), paraphrased for the kit: one
row per dimension on which business and consumer buying differ.  Lesson 01
reads it with :func:`load_b2b_vs_b2c`; :func:`build_table` writes
``data/b2b_vs_b2c.csv``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from b2bsm.data._package import read_resource

__all__ = ["RESOURCE", "build_table", "load_b2b_vs_b2c"]

_SOURCE = "Hall (2017), as summarised by Mankonen (2024)"
_DIFFERENCES = [
    (
        "Purchase time",
        "Long: a decision needs time, plenty of information and careful deliberation",
        "Often quick, prompted by impulse or an immediate need",
    ),
    (
        "People involved",
        "A buying centre: several groups of stakeholders join at different stages",
        "Usually one person decides",
    ),
    (
        "Complexity of the offer",
        "Technically complex offers, examined in detail by many parties before signing",
        "Simple offers with a straightforward decision by one party",
    ),
    (
        "Buying process",
        "Rational and strategic: the aim is value for the buying organisation",
        "Personal wants, tastes and values drive the purchase",
    ),
    (
        "Content the audience expects",
        "Detailed, informative material in several formats that supports the decision",
        "Short, engaging content; information matters less than interest",
    ),
]

RESOURCE: dict[str, Any] = {
    "path": "b2b_vs_b2c.csv",
    "title": "Five differences between B2B and B2C marketing (Hall 2017)",
    "description": (
        "The differences between business-to-business and business-to-consumer marketing "
        "described by Hall (2017) and summarised in Mankonen (2024), paraphrased for the kit. "
        "One row per dimension."
    ),
    "synthetic": False,
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
    "sources": [
        {"title": "Hall, S. (2017). Innovative B2B Marketing. London: Kogan Page."},
        {
            "title": (
                "Mankonen, M. (2024). Sosiaalisen median sisältö osana "
                "B2B-asiakassuhdejohtamista [Social media content as part of B2B customer "
                "relationship management]. Bachelor's thesis, University of Turku."
            )
        },
    ],
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
    "generator": "b2bsm.data.b2b_vs_b2c.build_table",
    "schema": {
        "fields": [
            {
                "name": "dimension",
                "title": "Dimension",
                "type": "string",
                "description": "Aspect of buying and marketing that differs.",
            },
            {
                "name": "b2b",
                "title": "Business-to-business",
                "type": "string",
                "description": "How the dimension looks when firms buy from firms.",
            },
            {
                "name": "b2c",
                "title": "Business-to-consumer",
                "type": "string",
                "description": "How the dimension looks when consumers buy.",
            },
            {
                "name": "source",
                "title": "Source",
                "type": "string",
                "description": "Where the distinction comes from.",
            },
        ],
        "primaryKey": ["dimension"],
        "missingValues": [""],
    },
}


def build_table() -> pd.DataFrame:
    """The b2b_vs_b2c table as written to ``data/b2b_vs_b2c.csv``.

    See Also
    --------
    load_b2b_vs_b2c : the shipped, verified table.
    """
    return pd.DataFrame(
        [(d, b2b, b2c, _SOURCE) for d, b2b, b2c in _DIFFERENCES],
        columns=["dimension", "b2b", "b2c", "source"],
    )


def load_b2b_vs_b2c() -> pd.DataFrame:
    """Load Hall's five B2B/B2C differences (verified against ``datapackage.json``).

    See Also
    --------
    b2bsm.market.simulate_journeys : the differences as a simulation.

    References
    ----------
    Hall, S. (2017). *Innovative B2B Marketing*. Kogan Page.

    Examples
    --------
    >>> from b2bsm.data import load_b2b_vs_b2c
    >>> load_b2b_vs_b2c()["dimension"].tolist()[0]
    'Purchase time'
    """
    return read_resource("b2b_vs_b2c")
