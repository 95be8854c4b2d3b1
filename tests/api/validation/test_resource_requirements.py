"""A container's resources are checked the same whether or not the same question was answered before."""

from hypothesis import given, settings, strategies as st

from ktui.api.validation import resources
from ktui.api.validation.resources import validate_resource_requirements

_names = st.sampled_from(["cpu", "memory", "pods", "example.com/gpu", "hugepages-2Mi", "bad name", "nvidia.com/x"])
_values = st.one_of(
    st.sampled_from(["1", "2", "500m", "1Gi", "-1", "1.5", "x", "0", "16Mi"]),
    st.integers(-2, 3),
    st.booleans(),
    st.floats(-1, 2, allow_nan=False),
    st.none(),
)
_lists = st.one_of(st.dictionaries(_names, _values, max_size=3), st.none(), st.just("cpu"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_lists, _lists), min_size=1, max_size=6))
def test_remembered_answers_are_the_answers(pairs):
    for limits, requests in pairs:
        body = {k: v for k, v in (("limits", limits), ("requests", requests)) if v is not None}
        path = "spec.containers[0].resources"
        expected = resources._validate_resource_requirements(body, path)
        first = validate_resource_requirements(body, path)
        again = validate_resource_requirements(body, path)
        assert first == again == expected
        first.append("changed by the caller")  # the answer is the caller's own list
        assert validate_resource_requirements(body, path) == expected


def test_one_and_true_and_the_string_one_are_different_questions():
    path = "spec.containers[0].resources"
    answers = [validate_resource_requirements({"limits": {"pods": v}}, path) for v in (1, "1", True, 1, True)]
    assert answers[0] == answers[3] and answers[2] == answers[4]
    assert answers[2] != answers[0]  # a boolean is no quantity
