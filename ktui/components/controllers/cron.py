"""A standard cron schedule parser, as the ``robfig/cron/v3`` ParseStandard the CronJob controller uses.

Five fields (minute hour day-of-month month day-of-week) with ``*``, ``?``, lists, ranges, steps and month
and weekday names; the descriptors ``@yearly``/``@annually``, ``@monthly``, ``@weekly``, ``@daily``/``@midnight``,
``@hourly`` and ``@every <duration>``; an optional ``TZ=<zone>`` or ``CRON_TZ=<zone>`` prefix. As in robfig,
when both day fields are restricted a time matches either of them; when one is ``*`` both must match.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ktui.sim.timefmt import EPOCH, parse_duration

__all__ = ["CronError", "Schedule", "parse_schedule"]

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_BOUNDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class CronError(ValueError):
    """A schedule robfig/cron would not parse; the message follows its wording."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: allowed values per field, whether each day field was ``*``, and the zone."""

    fields: tuple[frozenset[int], ...]
    dom_star: bool
    dow_star: bool
    zone: str = "UTC"
    every: float = 0.0

    def matches(self, t: _dt.datetime) -> bool:
        minute, hour, dom, month, dow = self.fields
        if t.minute not in minute or t.hour not in hour or t.month not in month:
            return False
        return self._day(t)

    def _day(self, t: _dt.datetime) -> bool:
        dom_ok = t.day in self.fields[2]
        dow_ok = (t.isoweekday() % 7) in self.fields[4]
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok

    def next_after(self, sim_time: float) -> float | None:
        """The first activation strictly after ``sim_time`` (simulated seconds), or None within 5 years."""
        if self.every:
            return float(int(sim_time)) + self.every
        tz = ZoneInfo(self.zone)
        t = (EPOCH + _dt.timedelta(seconds=int(sim_time))).astimezone(tz).replace(tzinfo=None)
        t = t.replace(second=0) + _dt.timedelta(minutes=1)
        limit = t.year + 5
        minute, hour, _, month, _ = self.fields
        while t.year <= limit:
            if t.month not in month:
                t = (t.replace(day=1, hour=0, minute=0) + _dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day(t):
                t = t.replace(hour=0, minute=0) + _dt.timedelta(days=1)
                continue
            if t.hour not in hour:
                t = t.replace(minute=0) + _dt.timedelta(hours=1)
                continue
            if t.minute not in minute:
                t += _dt.timedelta(minutes=1)
                continue
            aware = t.replace(tzinfo=tz)
            return (aware - EPOCH).total_seconds()
        return None


def _field(expr: str, lo: int, hi: int, names: dict[str, int]) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    star = False
    for part in expr.split(","):
        rng, _, step_s = part.partition("/")
        step = 1
        if step_s:
            if not step_s.isdigit() or int(step_s) == 0:
                raise CronError(
                    f"failed to parse int from {step_s}: strconv.Atoi: parsing {step_s!r}: invalid syntax"
                    if not step_s.isdigit()
                    else f"step of range should be a positive number: {part}"
                )
            step = int(step_s)
        if rng in ("*", "?"):
            start, end = lo, hi
            star = step == 1
        else:
            a, dash, b = rng.partition("-")
            start = _value(a, names)
            end = _value(b, names) if dash else (hi if step_s else start)
        if start < lo:
            raise CronError(f"beginning of range ({start}) below minimum ({lo}): {part}")
        if end > hi:
            raise CronError(f"end of range ({end}) above maximum ({hi}): {part}")
        if start > end:
            raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {part}")
        values.update(range(start, end + 1, step))
    return frozenset(values), star


def _value(text: str, names: dict[str, int]) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(f"failed to parse int from {text}: strconv.Atoi: parsing {text!r}: invalid syntax")
    return int(text)


def parse_schedule(spec: str, time_zone: str | None = None) -> Schedule:
    """Parse a CronJob schedule (``cron.ParseStandard``); ``time_zone`` is the CronJob's ``spec.timeZone``.

    Raises:
        CronError: for an unparseable schedule or unknown zone.
    """
    text = spec.strip()
    zone = time_zone or "UTC"
    if text.startswith(("TZ=", "CRON_TZ=")):
        head, _, text = text.partition(" ")
        zone = head.split("=", 1)[1]
        text = text.strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"provided bad location {zone}: unknown time zone {zone}") from None
    if text.startswith("@every "):
        try:
            every = parse_duration(text[len("@every ") :])
        except ValueError as e:
            raise CronError(f"failed to parse duration {text}: {e}") from None
        return Schedule((frozenset(),) * 5, True, True, zone, every=max(1.0, every))
    if text.startswith("@"):
        if text not in _DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {text}")
        text = _DESCRIPTORS[text]
    parts = text.split()
    if len(parts) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(parts)}: {text}")
    parsed = [_field(p, lo, hi, names) for p, (lo, hi, names) in zip(parts, _BOUNDS)]
    return Schedule(tuple(v for v, _ in parsed), parsed[2][1], parsed[4][1], zone)
