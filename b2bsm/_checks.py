"""The kit's one check of seeds and sizes, so every simulator refuses bad input alike.

>>> rng = random_generator(1)
>>> random_generator(rng) is rng
True
>>> whole_number(3, "n_posts")
3
>>> whole_number(0, "n_posts")
Traceback (most recent call last):
...
ValueError: n_posts must be a positive integer (a whole number of at least 1); got 0.
"""

from __future__ import annotations

import numpy as np


def _is_whole(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def whole_number(value, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int; ValueError unless it is a whole number of at least ``minimum``.

    Booleans are refused (True is not a count), as are floats such as 3.0.
    """
    if not _is_whole(value) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(
            f"{name} must be {what} (a whole number of at least {minimum}); got {value!r}."
        )
    return int(value)


def seed_value(seed, name: str = "seed") -> int:
    """A seed given as a number: a non-negative integer (ValueError otherwise)."""
    if not _is_whole(seed) or seed < 0:
        raise ValueError(f"{name} must be a non-negative integer (e.g. 2024); got {seed!r}.")
    return int(seed)


def random_generator(seed) -> np.random.Generator:
    """The generator a seed stands for: a numpy Generator as it is, or a new one from an int.

    Every random number of the kit comes from such a generator: never from
    numpy's global state.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if not _is_whole(seed):
        raise TypeError(f"seed must be a non-negative integer or a numpy Generator; got {seed!r}.")
    return np.random.default_rng(seed_value(seed))
