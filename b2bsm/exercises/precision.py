"""Precision of an answer and the one acceptance rule (see ``docs/checking-policy.md``).

An answer is accepted when it lies within half a unit of the stated precision
of the exact reference (plus a floating-point margin), or when its rounding to
the stated precision does.  Answers are read exactly as written (decimal
arithmetic on their shortest repr) and rounded half up in decimal, never in
binary floating point.  :mod:`b2bsm.exercises.questions` re-exports everything.

Examples
--------
>>> significant(2).matches(0.695, 0.69505), decimals(1).matches(66.95, 66.9492)
(True, True)
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Floating-point margin added to every tolerance, as a fraction of the stated unit
#: (plus a few units in the last place of the reference, for large numbers).
MARGIN = 1e-9
#: Exact decimal arithmetic for reading and rounding answers (no binary rounding).
_DECIMAL = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)


# --------------------------------------------------------------------------
# Precision: what the prompt states, and the tolerance that follows from it
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Precision:
    """The precision an answer is asked for; build it with :func:`decimals` or :func:`significant`.

    Attributes
    ----------
    mode : {"decimals", "significant"}
    digits : int
        Decimal places, or significant figures.

    Examples
    --------
    >>> p = decimals(1)
    >>> p.describe(), p.canonical(56.25), p.accepted(56.25)
    ('to 1 decimal place', '56.3', ['56.2', '56.3'])
    >>> round(p.tolerance(56.25), 6)
    0.05
    >>> significant(2).canonical(0.1327), significant(2).describe()
    ('0.13', 'to 2 significant figures')
    """

    mode: str
    digits: int

    def __post_init__(self) -> None:
        if self.mode not in ("decimals", "significant"):
            raise ValueError(
                f"precision mode must be 'decimals' or 'significant'; got {self.mode!r}."
            )
        if isinstance(self.digits, bool) or not isinstance(self.digits, int):
            raise ValueError(f"precision digits must be a whole number; got {self.digits!r}.")
        low = 0 if self.mode == "decimals" else 1
        if not low <= self.digits <= 12:
            raise ValueError(
                f"{self.mode}({self.digits}) is out of range; use {low} to 12 "
                f"{'decimal places' if self.mode == 'decimals' else 'significant figures'}."
            )

    # -- the unit of the last stated digit ---------------------------------
    def _exponent(self, target: float) -> int:
        """Power of ten of the last stated digit of ``target``."""
        if self.mode == "decimals":
            return -self.digits
        if target == 0:
            return -300  # zero has no significant figures: only zero itself matches
        return math.floor(math.log10(abs(target))) - self.digits + 1

    def tolerance(self, target) -> float:
        """Half a unit of the stated precision around ``target``, plus a floating-point margin.

        For :func:`significant` the unit is that of the reference's last
        significant figure, so the tolerance scales with the reference.

        >>> decimals(0).tolerance(12) > 0.5
        True
        >>> significant(2).tolerance(6e-05) < 1e-05
        True
        """
        target = float(target)
        if not math.isfinite(target):
            return math.nan
        unit = 10.0 ** self._exponent(target)
        return 0.5 * unit + MARGIN * unit + 64 * math.ulp(target)

    def canonical(self, value) -> str:
        """``value`` rounded to the stated precision, as text (the form that is hashed).

        >>> decimals(2).canonical(-0.001), decimals(0).canonical(41.5)
        ('0.00', '42')
        >>> significant(2).canonical(6.04e-05), significant(3).canonical(1234.5)
        ('6.0e-05', '1230')
        """
        exact = exact_decimal(value)
        if self.mode == "decimals":
            text = f"{exact.quantize(decimal.Decimal(1).scaleb(-self.digits), context=_DECIMAL):f}"
        else:
            text = self._significant_text(exact)
        if text.startswith("-") and decimal.Decimal(text) == 0:
            text = text[1:]
        return text

    def _significant_text(self, value: decimal.Decimal) -> str:
        if value == 0:
            return "0"
        rounded = _DECIMAL.plus(value.quantize(_unit_of(value, self.digits), context=_DECIMAL))
        # rounding up may add a digit (0.0995 -> 0.100): round again at the new exponent
        rounded = rounded.quantize(_unit_of(rounded, self.digits), context=_DECIMAL)
        exponent = rounded.adjusted()
        if -4 <= exponent < 6:  # ordinary notation for ordinary sizes: 0.13, 0.0044, 1200
            places = max(self.digits - 1 - exponent, 0)
            return f"{rounded.quantize(decimal.Decimal(1).scaleb(-places), context=_DECIMAL):f}"
        mantissa = rounded.scaleb(-exponent, context=_DECIMAL)
        places = decimal.Decimal(1).scaleb(-(self.digits - 1))
        mantissa = mantissa.quantize(places, context=_DECIMAL)
        return f"{mantissa:f}e{exponent:+03d}"

    def bounds(self, target) -> tuple[decimal.Decimal, decimal.Decimal]:
        """The accepted interval around ``target``, exactly: target -/+ :meth:`tolerance`.

        >>> [str(b) for b in decimals(1).bounds(0.5)][0][:6]
        '0.4499'
        """
        target = float(target)
        tol = exact_decimal(self.tolerance(target))
        centre = exact_decimal(target)
        return _DECIMAL.subtract(centre, tol), _DECIMAL.add(centre, tol)

    def matches(self, answer, target) -> bool:
        """True when ``answer``, rounded to the stated precision, is within tolerance of ``target``.

        >>> decimals(1).matches(56.2, 56.25), decimals(1).matches(56.14, 56.25)
        (True, False)
        """
        try:
            target = float(target)
            exact = exact_decimal(answer)
            rounded = decimal.Decimal(self.canonical(answer))
        except (TypeError, ValueError, OverflowError):
            return False
        if not math.isfinite(target):
            return False
        low, high = self.bounds(target)
        return low <= exact <= high or low <= rounded <= high

    def edges(self, target) -> list[str]:
        """Canonical answers that are accepted only in part (used for hashed keys).

        An answer whose rounding is not in :meth:`accepted` can still lie within
        the tolerance (e.g. 0.695 for 0.69505 at two significant figures rounds
        to 0.70 here, but 0.6950 for 0.6945 rounds to 0.70 while being within
        0.005).  Those answers round to one of the strings returned here; a
        hashed key stores the exact interval for them, sealed under that string.

        >>> significant(2).edges(0.6945)
        ['0.70']
        """
        accepted = set(self.accepted(target))
        low, high = self.bounds(target)
        return sorted({self.canonical(low), self.canonical(high)} - accepted, key=float)

    def accepted(self, target) -> list[str]:
        """Every canonical answer string that :meth:`matches` ``target`` (used for hashed keys).

        >>> significant(2).accepted(0.1327)
        ['0.13']
        >>> decimals(0).accepted(2.5)
        ['2', '3']
        """
        target = float(target)
        if not math.isfinite(target):
            raise ValueError(
                f"the reference answer is {target!r}, not a number: the question cannot be "
                "checked on this dataset (fix the question or the data, do not loosen it)."
            )
        tol = self.tolerance(target)
        exponents = [self._exponent(target)]
        if self.mode == "significant" and target != 0:
            exponents = [exponents[0] - 1, exponents[0], exponents[0] + 1]
        found = set()
        for exp in exponents:
            low = math.floor((target - tol) / 10.0**exp) - 1
            high = math.ceil((target + tol) / 10.0**exp) + 1
            for k in range(low, high + 1):
                value = k / 10.0**-exp if exp < 0 else k * 10.0**exp
                text = self.canonical(value)
                low, high = self.bounds(target)
                if low <= decimal.Decimal(text) <= high:
                    found.add(text)
        return sorted(found, key=float)

    def describe(self) -> str:
        """The precision in words, as the prompt states it.

        >>> decimals(0).describe(), decimals(3).describe()
        ('as a whole number', 'to 3 decimal places')
        """
        if self.mode == "decimals":
            if self.digits == 0:
                return "as a whole number"
            return f"to {self.digits} decimal place{'s' if self.digits > 1 else ''}"
        return f"to {self.digits} significant figure{'s' if self.digits > 1 else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "digits": self.digits}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Precision:
        return cls(str(spec["mode"]), int(spec["digits"]))


def exact_decimal(value) -> decimal.Decimal:
    """``value`` as the decimal number it is written as: floats via their shortest repr.

    So 0.695 is read as 0.695, not as the binary 0.69499999999999995...

    >>> exact_decimal(0.695), exact_decimal(12), exact_decimal(np.float32(0.1))
    (Decimal('0.695'), Decimal('12'), Decimal('0.1'))
    """
    if isinstance(value, decimal.Decimal):
        exact = value
    elif isinstance(value, (bool, np.bool_)):
        raise ValueError("got True/False, not a number.")
    elif isinstance(value, (int, np.integer)):
        exact = decimal.Decimal(int(value))
    elif isinstance(value, np.floating) and not isinstance(value, np.float64):
        exact = decimal.Decimal(str(value))  # float32's own shortest repr, e.g. 0.1
    else:
        exact = decimal.Decimal(repr(float(value)))
    if not exact.is_finite():
        raise ValueError(f"cannot round {value!r} to a precision; a finite number is needed.")
    return exact


def _unit_of(value: decimal.Decimal, digits: int) -> decimal.Decimal:
    """The unit of the ``digits``-th significant figure of ``value``."""
    return decimal.Decimal(1).scaleb(value.adjusted() - digits + 1)


def decimals(n: int) -> Precision:
    """Answers stated to ``n`` decimal places (``decimals(0)``: whole numbers, e.g. counts).

    The tolerance is half a unit of the last place, ``0.5 * 10**-n``, plus a
    floating-point margin, so 56.25 given as 56.2 or 56.3 is accepted.

    >>> decimals(1).matches(56.3, 56.25), decimals(1).matches(56.4, 56.25)
    (True, False)
    """
    return Precision("decimals", n)


def significant(n: int) -> Precision:
    """Answers stated to ``n`` significant figures: a relative (log-scale) tolerance.

    Use it for p-values and other quantities that span orders of magnitude.

    >>> significant(2).matches(0.13, 0.1327), significant(2).matches(0.0044, 6e-05)
    (True, False)
    """
    return Precision("significant", n)
