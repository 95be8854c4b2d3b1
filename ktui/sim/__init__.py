"""Simulation kernel: clock, event queue, seeded randomness, time formats. No Kubernetes knowledge."""

from ktui.sim.kernel import Kernel, ScheduledEvent
from ktui.sim.rng import NAME_ALPHABET, SeededRandom
from ktui.sim.timefmt import EPOCH, format_duration, parse_duration, parse_rfc3339, rfc3339, rfc3339_micro

__all__ = [
    "EPOCH",
    "Kernel",
    "NAME_ALPHABET",
    "ScheduledEvent",
    "SeededRandom",
    "format_duration",
    "parse_duration",
    "parse_rfc3339",
    "rfc3339",
    "rfc3339_micro",
]
