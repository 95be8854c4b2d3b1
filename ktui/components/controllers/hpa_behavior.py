"""The HPA's normalization of a desired replica count: stabilization windows, rate limits, min/max.

As horizontal.go (v1.37): the controller keeps, per HPA, its recent unstabilized recommendations and its
recent scale events. Without ``behavior`` a scale down takes the highest recommendation of the last
``--horizontal-pod-autoscaler-downscale-stabilization`` (5m) and a scale up is limited to
max(2 x current, 4); with ``behavior`` the scale-up and scale-down windows bound the recommendation from
both sides and the policies limit how many pods a period may add or remove. Each step names the reason and
message the conditions ``AbleToScale`` and ``ScalingLimited`` show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["History", "normalize", "normalize_with_behavior"]

INT32_MAX, INT32_MIN = 2**31 - 1, -(2**31)


@dataclass
class _Event:
    change: int
    at: float
    outdated: bool = False


@dataclass
class History:
    """One HPA's recent recommendations ``(replicas, time)`` and scale events (the controller's maps)."""

    recommendations: list[list[float]] = field(default_factory=list)
    ups: list[_Event] = field(default_factory=list)
    downs: list[_Event] = field(default_factory=list)

    def record_initial(self, current: int, now: float) -> None:
        """``recordInitialRecommendation``: the target's size when the HPA is first seen."""
        if not self.recommendations:
            self.recommendations.append([current, now])

    def store_scale_event(self, behavior: dict | None, before: int, after: int, now: float) -> None:
        """``storeScaleEvent``: remember a rescale (only with ``behavior``), reusing an outdated slot."""
        if behavior is None:
            return
        up = after > before
        rules = behavior.get("scaleUp" if up else "scaleDown") or {}
        events = self.ups if up else self.downs
        longest = max([p.get("periodSeconds", 0) for p in rules.get("policies") or []] or [0])
        for e in events:
            if e.at < now - longest:
                e.outdated = True
        new = _Event(abs(after - before), now)
        slot = max((i for i, e in enumerate(events) if e.outdated), default=None)
        if slot is None:
            events.append(new)
        else:
            events[slot] = new


def normalize(
    history: History, now: float, window: float, current: int, desired: int, minimum: int, maximum: int
) -> tuple[int, list[tuple[str, str, str, str]]]:
    """``normalizeDesiredReplicas`` (no ``behavior``): the replicas and the conditions to set
    (type, status, reason, message)."""
    stabilized, old = desired, None
    for i, (rec, at) in enumerate(history.recommendations):
        if at < now - window:
            old = i
        elif rec > stabilized:
            stabilized = int(rec)
    if old is not None:
        history.recommendations[old] = [desired, now]
    else:
        history.recommendations.append([desired, now])
    conds = []
    if stabilized != desired:
        conds.append(
            (
                "AbleToScale",
                "True",
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
            )
        )
    else:
        conds.append(("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size"))
    up_limit = int(max(2.0 * current, 4.0))
    if maximum > up_limit:
        allowed_max, reason, message = (
            up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    else:
        allowed_max, reason, message = (
            maximum,
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    if stabilized < minimum:
        out, reason, message = (
            minimum,
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    elif stabilized > allowed_max:
        out = allowed_max
    else:
        out, reason, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
    conds.append(("ScalingLimited", "False" if out == stabilized else "True", reason, message))
    return out, conds


def _changed(period: float, events: list[_Event], now: float) -> int:
    """``getReplicasChangePerPeriod``."""
    return sum(e.change for e in events if e.at > now - period)


def _limit(current: int, history: History, rules: dict, now: float, up: bool) -> int:
    """``calculateScaleUpLimitWithScalingRules`` / ``calculateScaleDownLimitWithBehaviors``."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    pick_min = (select == "Min") == up  # scale up: Min picks the smallest; scale down: Max picks the smallest
    result = INT32_MAX if pick_min else INT32_MIN
    for p in rules.get("policies") or []:
        period = p.get("periodSeconds", 0)
        start = current - _changed(period, history.ups, now) + _changed(period, history.downs, now)
        value = p.get("value", 0)
        if p.get("type") == "Pods":
            proposed = start + value if up else start - value
        else:
            proposed = math.ceil(start * (1 + value / 100)) if up else int(start * (1 - value / 100))
        result = min(result, proposed) if pick_min else max(result, proposed)
    return result


def normalize_with_behavior(
    history: History,
    now: float,
    behavior: dict,
    default_down_window: float,
    current: int,
    desired: int,
    minimum: int,
    maximum: int,
) -> tuple[int, list[tuple[str, str, str, str]]]:
    """``normalizeDesiredReplicasWithBehaviors``: the replicas and the conditions to set."""
    up_rules, down_rules = behavior.get("scaleUp") or {}, behavior.get("scaleDown") or {}
    up_window = up_rules.get("stabilizationWindowSeconds") or 0
    down_window = down_rules.get("stabilizationWindowSeconds")
    if down_window is None:
        down_window = default_down_window
    up_rec, down_rec, old = desired, desired, None
    for i, (rec, at) in enumerate(history.recommendations):
        if at > now - up_window:
            up_rec = min(int(rec), up_rec)
        if at > now - down_window:
            down_rec = max(int(rec), down_rec)
        if at < now - up_window and at < now - down_window:
            old = i
    stabilized = max(current, up_rec)
    stabilized = min(stabilized, down_rec)
    if old is not None:
        history.recommendations[old] = [desired, now]
    else:
        history.recommendations.append([desired, now])
    if desired >= current:
        reason, message = (
            "ScaleUpStabilized",
            "recent recommendations were lower than current one, applying the lowest recent recommendation",
        )
    else:
        reason, message = (
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
        )
    conds = [
        ("AbleToScale", "True", reason, message)
        if stabilized != desired
        else ("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
    ]
    out, reason, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
    if stabilized > current:
        limit = max(_limit(current, history, up_rules, now, True), current)
        if maximum > limit:
            allowed, why, text = (
                limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        else:
            allowed, why, text = (
                maximum,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        if stabilized > allowed:
            out, reason, message = allowed, why, text
    elif stabilized < current:
        limit = min(_limit(current, history, down_rules, now, False), current)
        if minimum < limit:
            allowed, why, text = (
                limit,
                "ScaleDownLimit",
                "the desired replica count is decreasing faster than the maximum scale rate",
            )
        else:
            allowed, why, text = (
                minimum,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        if stabilized < allowed:
            out, reason, message = allowed, why, text
    conds.append(("ScalingLimited", "False" if out == stabilized else "True", reason, message))
    return out, conds
