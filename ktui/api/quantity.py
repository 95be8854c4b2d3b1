"""Kubernetes ``resource.Quantity``: parse ``100m``/``1Gi``/``1e3``, compare, and print in canonical form.

Behaviour follows k8s.io/apimachinery/pkg/api/resource/quantity.go: values are exact (``Fraction``), non-zero
values are rounded up (away from zero) to nano precision, the suffix picks the format (binary ``Ki``..``Ei``,
decimal ``n``..``E`` or exponent ``e3``), and the canonical string is what the API server stores and returns
(``0.5`` -> ``500m``, ``1000`` -> ``1k``, ``1536Mi`` stays, ``0.5Gi`` -> ``512Mi``, ``1e3`` stays).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "Quantity",
    "QuantityError",
    "canonical_quantity",
    "format_quantity",
    "parse_quantity",
]

BINARY_SI = "BinarySI"
DECIMAL_SI = "DecimalSI"
DECIMAL_EXPONENT = "DecimalExponent"

SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG = f"quantities must match the regular expression '{SPLIT_RE}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_SCAN = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
"""What ``parseQuantityString`` accepts (an empty number counts as zero, as there)."""
_EXPONENT = re.compile(r"[-+]?[0-9]+")
_DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_BY_EXP = {v: k for k, v in _DEC_SUFFIXES.items()}
_BIN_BY_EXP = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_NANO = 10**9


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity; ``str()`` is apimachinery's exact message."""


_MAX_INT64 = 2**63 - 1
_KEEP_DIGITS = 60
"""Significant digits kept exactly; longer numbers keep a sticky last digit (enough for nano rounding)."""


def _interpret_suffix(suffix: str) -> tuple[int, int, str]:
    """Return (base, exponent, format) for a suffix, as ``suffixHandler.interpret`` does (an ``e`` exponent
    must fit an int32)."""
    if suffix in _DEC_SUFFIXES:
        return 10, _DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIXES:
        return 2, _BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT.fullmatch(suffix[1:]) and len(suffix) < 16:
        exponent = int(suffix[1:])
        if -(2**31) <= exponent < 2**31:
            return 10, exponent, DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def _round_up_nano(value: Fraction) -> Fraction:
    """Round a non-zero value away from zero to a multiple of 1e-9 (``inf.RoundUp`` at scale 9)."""
    if value == 0:
        return value
    scaled = abs(value) * _NANO
    rounded = Fraction(math.ceil(scaled), _NANO)
    return rounded if value > 0 else -rounded


def _parse(text: Any) -> tuple[Fraction, str]:
    if isinstance(text, str):
        return _parse_str(text)
    return _parse_uncached(text)


@functools.lru_cache(maxsize=4096)
def _parse_str(text: str) -> tuple[Fraction, str]:
    """Quantities repeat (``100m``, ``128Mi``): parsed once each; the result is immutable."""
    return _parse_uncached(text)


def _split(text: str) -> tuple[bool, str, str, str]:
    """``parseQuantityString``: (positive, numerator digits, denominator digits, suffix), or the format error."""
    m = _SCAN.fullmatch(text)
    if m is None:
        raise QuantityError(ERR_FORMAT_WRONG)
    sign, num, denom, suffix = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    return sign != "-", num.lstrip("0") or "0", denom, suffix


def _magnitude(digits: str, exp10: int, exp2: int) -> Fraction | None:
    """``digits * 10**exp10 * 2**exp2`` exactly when it is small enough to matter, else None (too large).

    Values below a tenth of a nano return 1e-10 (they round up to 1n); enormous digit strings keep their
    leading digits and a sticky one, which rounds up the same way. Work stays bounded for any input."""
    sig = digits.lstrip("0")
    if not sig:
        return Fraction(0)
    order = len(sig) + exp10 + (exp2 * 30103 + 99999) // 100000
    if order > 20:
        return None
    if order < -10:
        return Fraction(1, 10**10)
    if len(sig) > _KEEP_DIGITS:
        sticky = sig[_KEEP_DIGITS:].strip("0") != ""
        exp10 += len(sig) - _KEEP_DIGITS
        sig = sig[:_KEEP_DIGITS]
        if sticky:
            sig += "1"
            exp10 -= 1
    value = Fraction(int(sig)) * (Fraction(10) ** exp10) * (2**exp2)
    return value


def _parse_uncached(text: Any) -> tuple[Fraction, str]:
    if isinstance(text, bool):
        raise QuantityError(ERR_FORMAT_WRONG)
    if isinstance(text, (int, float)):
        text = _number_text(text)
    if not isinstance(text, str):
        raise QuantityError(ERR_FORMAT_WRONG)
    text = text.strip()
    if not text:
        raise QuantityError(ERR_FORMAT_WRONG)
    if text == "0":
        return Fraction(0), DECIMAL_SI
    positive, num, denom, suffix = _split(text)
    base, exponent, fmt = _interpret_suffix(suffix)
    if base == 10:
        value = _magnitude(num + denom, exponent - len(denom), 0)
    else:
        value = _magnitude(num + denom, -len(denom), exponent)
    if value is None:
        value = Fraction(_MAX_INT64)  # the cap resource.Quantity applies to values beyond int64
    value = _round_up_nano(value)
    if value > _MAX_INT64:
        value = Fraction(_MAX_INT64)
    if not positive:
        value = -value
    if fmt == BINARY_SI and 0 < abs(value) < 1:
        fmt = DECIMAL_SI
    return value, fmt


def _number_text(value: int | float) -> str:
    """A bare JSON number as its literal text (``repr``), without Python's limit on huge int strings."""
    if isinstance(value, int) and value.bit_length() > 4000:
        return ("-" if value < 0 else "") + "9" * 1300
    return repr(value)


def parse_quantity(text: Any) -> Fraction:
    """Parse a quantity and return its exact value.

    Args:
        text: ``"100m"``, ``"1Gi"``, ``"1e3"``, ``"512Mi"``; an int or float (a bare JSON number) is accepted too.

    Returns:
        The value, rounded up to nano precision as the API server stores it.

    Raises:
        QuantityError: with apimachinery's message, e.g.
            ``quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'``.
    """
    return _parse(text)[0]


@functools.lru_cache(maxsize=4096)
def format_quantity(value: Fraction | int, fmt: str = DECIMAL_SI) -> str:
    """Print a value in canonical form for a format (``CanonicalizeBytes``).

    Args:
        value: the amount; it is rounded up to nano precision first.
        fmt: ``BinarySI``, ``DecimalSI`` or ``DecimalExponent``.

    Returns:
        The canonical string, e.g. ``500m``, ``1k``, ``512Mi``, ``1e3``.
    """
    value = _round_up_nano(Fraction(value))
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mag = abs(value)
    if fmt == BINARY_SI and (mag < 1024 or mag.denominator != 1):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        amount, exp = mag.numerator, 0
        while amount % 1024 == 0 and exp < len(_BIN_BY_EXP) - 1:
            amount //= 1024
            exp += 1
        return f"{sign}{amount}{_BIN_BY_EXP[exp]}"
    amount, exp = int(mag * _NANO), -9
    while amount % 10 == 0:
        amount //= 10
        exp += 1
    shift = exp % 3
    if shift:
        amount *= 10**shift
        exp -= shift
    if fmt == DECIMAL_EXPONENT:
        suffix = "" if exp == 0 else f"e{exp}"
    else:
        suffix = _DEC_BY_EXP.get(exp, f"e{exp}")
    return f"{sign}{amount}{suffix}"


def canonical_quantity(text: Any) -> str:
    """The canonical string the API server stores for a quantity (``"0.5"`` -> ``"500m"``).

    Raises:
        QuantityError: when ``text`` is not a quantity.
    """
    return str(Quantity.parse(text))


@dataclass(frozen=True, order=False)
class Quantity:
    """An exact amount with the format that decides how it prints."""

    value: Fraction
    """The exact amount."""
    format: str = DECIMAL_SI
    """``BinarySI``, ``DecimalSI`` or ``DecimalExponent``."""

    @classmethod
    def parse(cls, text: Any) -> "Quantity":
        """Parse a quantity string (see :func:`parse_quantity`)."""
        value, fmt = _parse(text)
        return cls(value, fmt)

    def __str__(self) -> str:
        return format_quantity(self.value, self.format)

    def milli_value(self) -> int:
        """The value in thousandths, rounded up (``MilliValue``)."""
        return math.ceil(self.value * 1000)

    def int_value(self) -> int:
        """The value rounded up to an integer (``Value``)."""
        return math.ceil(self.value)

    def round_up(self, scale: int) -> "Quantity":
        """Round away from zero to ``10**scale`` (``RoundUp``; defaulting uses ``-3``)."""
        step = Fraction(10) ** scale
        mag = math.ceil(abs(self.value) / step) * step
        return Quantity(mag if self.value >= 0 else -mag, self.format)

    def _other(self, other: Any) -> Fraction:
        if isinstance(other, Quantity):
            return other.value
        if isinstance(other, (int, Fraction)):
            return Fraction(other)
        return parse_quantity(other)

    def __add__(self, other: Any) -> "Quantity":
        return Quantity(self.value + self._other(other), self.format)

    def __sub__(self, other: Any) -> "Quantity":
        return Quantity(self.value - self._other(other), self.format)

    def __neg__(self) -> "Quantity":
        return Quantity(-self.value, self.format)

    def __eq__(self, other: object) -> bool:
        try:
            return self.value == self._other(other)
        except (QuantityError, TypeError):
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: Any) -> bool:
        return self.value < self._other(other)

    def __le__(self, other: Any) -> bool:
        return self.value <= self._other(other)

    def __gt__(self, other: Any) -> bool:
        return self.value > self._other(other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= self._other(other)
