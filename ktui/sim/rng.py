"""The cluster's one seeded source of randomness: names, UIDs, choices."""

from __future__ import annotations

import random
import uuid
from typing import Sequence, TypeVar

__all__ = ["SeededRandom", "NAME_ALPHABET"]

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""The alphabet Kubernetes draws generated name suffixes from (no vowels, no 0/1/3)."""

T = TypeVar("T")


class SeededRandom:
    """Every random choice of a cluster comes from here, so one seed gives one history."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def suffix(self, length: int = 5) -> str:
        """A suffix as ``generateName`` and ReplicaSets make them, e.g. ``x7k2q``."""
        return "".join(self._random.choice(NAME_ALPHABET) for _ in range(length))

    def uid(self) -> str:
        """A version-4 UUID string drawn from the seeded generator."""
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def random(self) -> float:
        return self._random.random()

    def randint(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def choice(self, items: Sequence[T]) -> T:
        return self._random.choice(items)

    def shuffle(self, items: list) -> None:
        self._random.shuffle(items)

    def hexdigits(self, n: int) -> str:
        choice = self._random.choice
        return "".join([choice("0123456789abcdef") for _ in range(n)])
