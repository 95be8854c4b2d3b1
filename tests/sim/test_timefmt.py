"""Simulated time as RFC 3339 text: MicroTime formatting agrees with the calendar's own, to the microsecond."""

import datetime as dt

from hypothesis import given, settings, strategies as st

from ktui.sim.timefmt import EPOCH, parse_rfc3339, rfc3339, rfc3339_micro


def _calendar(seconds: float) -> str:
    t = EPOCH + dt.timedelta(microseconds=round(seconds * 1_000_000))
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@settings(max_examples=300)
@given(st.floats(min_value=-86_400 * 400, max_value=86_400 * 3650, allow_nan=False))
def test_micro_time_is_the_calendar_time_of_the_rounded_microsecond(seconds: float) -> None:
    assert rfc3339_micro(seconds) == _calendar(seconds)


def test_micro_time_at_second_and_day_boundaries() -> None:
    for seconds in (0, 0.0000004, 0.9999996, 59.9999999, 86_399.9999996, -0.000001, -1, 1e-7, 25.5, 31_535_999.999999):
        assert rfc3339_micro(seconds) == _calendar(seconds)
    assert rfc3339_micro(25.5) == "2026-01-01T00:00:25.500000Z"
    assert rfc3339_micro(-0.000001) == "2025-12-31T23:59:59.999999Z"
    assert parse_rfc3339(rfc3339_micro(3600.25)) == 3600.25
    assert rfc3339(3600.9) == "2026-01-01T01:00:00Z"
