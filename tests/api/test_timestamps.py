"""Timestamps at the API boundary: the usual shape is accepted, and anything else gets Go's time.Parse error."""

from __future__ import annotations

import pytest

from ktui.api.decode import decode_body
from ktui.api.errors import ApiError


def _lease(renew: str) -> dict:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": "node-1", "renewTime": renew},
    }


@pytest.mark.parametrize(
    "renew",
    ["2026-12-04T20:33:07Z", "2026-12-04T20:33:07.123456Z", "2026-12-04T20:33:07+05:30", "2026-12-31T23:59:59.5-01:00"],
)
def test_a_timestamp_in_the_usual_shape_is_kept_as_sent(renew: str) -> None:
    assert decode_body("Lease", "coordination.k8s.io/v1", _lease(renew))["spec"]["renewTime"] == renew


@pytest.mark.parametrize(
    ("renew", "error"),
    [
        ("2026-13-01T00:00:00Z", 'parsing time "2026-13-01T00:00:00Z": month out of range'),
        ("2026-00-10T00:00:00Z", 'parsing time "2026-00-10T00:00:00Z": month out of range'),
        ("2026-01-32T00:00:00Z", 'parsing time "2026-01-32T00:00:00Z": day out of range'),
        ("2026-01-00T00:00:00Z", 'parsing time "2026-01-00T00:00:00Z": day out of range'),
        ("2026-01-01T24:00:00Z", 'parsing time "2026-01-01T24:00:00Z": hour out of range'),
        ("2026-01-01T00:60:00Z", 'parsing time "2026-01-01T00:60:00Z": minute out of range'),
        ("2026-01-01T00:00:60Z", 'parsing time "2026-01-01T00:00:60Z": second out of range'),
        (
            "2026-01-01T00:00:00",
            'parsing time "2026-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"',
        ),
        ("2026-01-01T00:00:00Zx", 'parsing time "2026-01-01T00:00:00Zx": extra text: "x"'),
    ],
)
def test_a_timestamp_out_of_range_or_shape_is_a_400_with_go_s_message(renew: str, error: str) -> None:
    with pytest.raises(ApiError) as e:
        decode_body("Lease", "coordination.k8s.io/v1", _lease(renew))
    assert e.value.code == 400
    assert str(e.value).endswith(error)
