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


def _slow_parse(text: str) -> float:
    return (dt.datetime.fromisoformat(text.replace("Z", "+00:00")) - EPOCH).total_seconds()


@settings(max_examples=300)
@given(st.floats(min_value=-86_400 * 400, max_value=86_400 * 3650, allow_nan=False))
def test_parsing_what_was_written_gives_the_calendars_seconds(seconds: float) -> None:
    for text in (rfc3339_micro(seconds), rfc3339(seconds)):
        assert parse_rfc3339(text) == _slow_parse(text)


def test_other_shapes_and_bad_dates_parse_or_fail_as_before() -> None:
    for text in ("2026-01-01T00:00:05.25Z", "2026-01-01T01:00:05+01:00", "2026-01-01T00:00:05.123456+00:00"):
        assert parse_rfc3339(text) == _slow_parse(text)
    for bad in ("2026-13-01T00:00:05Z", "2026-02-30T00:00:05.000000Z", "yesterday"):
        try:
            _slow_parse(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(bad)
        try:
            parse_rfc3339(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} parsed")


def test_one_instants_micro_time_is_one_string_and_other_instants_still_format_right() -> None:
    a = rfc3339_micro(70.25)
    assert rfc3339_micro(70.25) is a
    assert rfc3339_micro(70.5) == "2026-01-01T00:01:10.500000Z"
    assert rfc3339_micro(70.25) == a == "2026-01-01T00:01:10.250000Z"


def test_parsing_alternating_texts_gives_each_its_own_seconds() -> None:
    texts = [rfc3339_micro(s) for s in (1.5, 2.25, 1.5, 1.5, 86_400.000001)] + ["2026-01-01T00:00:03Z"]
    assert [parse_rfc3339(t) for t in texts] == [1.5, 2.25, 1.5, 1.5, 86_400.000001, 3.0]
    assert [parse_rfc3339(t) for t in reversed(texts)] == [3.0, 86_400.000001, 1.5, 1.5, 2.25, 1.5]
