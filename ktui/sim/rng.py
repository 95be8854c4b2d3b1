"""The cluster's one seeded source of randomness: names, UIDs, choices."""

from __future__ import annotations

import random
from typing import Sequence, TypeVar

__all__ = ["SeededRandom", "NAME_ALPHABET"]

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""The alphabet Kubernetes draws generated name suffixes from (no vowels, no 0/1/3)."""

T = TypeVar("T")

_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_V4 = (0x8000 << 48) | (4 << 76)
"""The variant (RFC 4122) and version (4) bits ``uuid.UUID(..., version=4)`` clears and sets."""
_HEX = "0123456789abcdef"


class SeededRandom:
    """Every random choice of a cluster comes from here, so one seed gives one history."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def suffix(self, length: int = 5) -> str:
        """A suffix as ``generateName`` and ReplicaSets make them, e.g. ``x7k2q``."""
        return "".join(self._random.choice(NAME_ALPHABET) for _ in range(length))

    def uid(self) -> str:
        """A version-4 UUID string drawn from the seeded generator: ``str(uuid.UUID(int=<128 random bits>,
        version=4))``, formatted here without building the UUID."""
        h = "%032x" % ((self._random.getrandbits(128) & _UUID_CLEAR) | _UUID_V4)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def random(self) -> float:
        return self._random.random()

    def randint(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def choice(self, items: Sequence[T]) -> T:
        return self._random.choice(items)

    def shuffle(self, items: list) -> None:
        self._random.shuffle(items)

    def hexdigits(self, n: int) -> str:
        """``n`` hex digits, each ``choice("0123456789abcdef")`` (the same draws: 5 random bits, again while 16
        or more, as ``random.Random.choice`` takes them for 16 items), without its calls per digit."""
        bits = self._random.getrandbits
        out = []
        for _ in range(n):
            r = bits(5)
            while r >= 16:
                r = bits(5)
            out.append(_HEX[r])
        return "".join(out)
