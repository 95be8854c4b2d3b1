"""Property tests: selector string forms round-trip, and matching agrees with a reference evaluation."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ktui.api.selectors import (
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    FieldSelector,
    FieldTerm,
    LabelSelector,
    escape_field_value,
    label_selector_from_dict,
    new_requirement,
    parse_field_selector,
    parse_label_selector,
    selector_from_set,
    unescape_field_value,
)

# Small pools so that random label sets and random requirements often talk about the same keys.
KEYS = st.sampled_from(["app", "tier", "env", "example.com/team", "k8s.io/x-y", "in", "notin", "a.b_c", "n1"])
VALUES = st.sampled_from(["", "web", "db", "prod", "in", "notin", "a-b.c_d", "1", "7", "10", "42"])
NUMBERS = st.integers(min_value=0, max_value=50).map(str)
LABEL_VALUES = st.one_of(VALUES, NUMBERS)
LABELS = st.dictionaries(KEYS, LABEL_VALUES, max_size=6)

SET_OPS = (IN, NOT_IN)
EXACT_OPS = (EQUALS, DOUBLE_EQUALS, NOT_EQUALS)
UNARY_OPS = (EXISTS, DOES_NOT_EXIST)
NUMERIC_OPS = (GREATER_THAN, LESS_THAN)


@st.composite
def requirements(draw: st.DrawFn):
    key = draw(KEYS)
    op = draw(st.sampled_from(SET_OPS + EXACT_OPS + UNARY_OPS + NUMERIC_OPS))
    if op in SET_OPS:
        values = draw(st.lists(LABEL_VALUES, min_size=1, max_size=4, unique=True))
    elif op in EXACT_OPS:
        values = [draw(LABEL_VALUES)]
    elif op in NUMERIC_OPS:
        values = [draw(NUMBERS)]
    else:
        values = []
    return new_requirement(key, op, sorted(values))


SELECTORS = st.lists(requirements(), max_size=5).map(LabelSelector.of)


def reference_match(reqs, labels: dict[str, str]) -> bool:
    """A direct reading of the documented semantics, independent of the implementation."""
    for r in reqs:
        present = r.key in labels
        value = labels.get(r.key)
        if r.operator in (IN, EQUALS, DOUBLE_EQUALS):
            ok = present and value in r.values
        elif r.operator in (NOT_IN, NOT_EQUALS):
            ok = not present or value not in r.values
        elif r.operator == EXISTS:
            ok = present
        elif r.operator == DOES_NOT_EXIST:
            ok = not present
        else:
            ok = (
                present
                and value.isdigit()
                and (int(value) > int(r.values[0]) if r.operator == GREATER_THAN else int(value) < int(r.values[0]))
            )
        if not ok:
            return False
    return True


@settings(max_examples=300)
@given(SELECTORS, st.lists(LABELS, min_size=1, max_size=8))
def test_string_form_round_trips(sel: LabelSelector, label_sets: list[dict[str, str]]) -> None:
    again = parse_label_selector(str(sel))
    assert str(again) == str(sel)
    for labels in label_sets:
        assert again.matches(labels) == sel.matches(labels)


@settings(max_examples=300)
@given(SELECTORS, LABELS)
def test_matches_agrees_with_reference(sel: LabelSelector, labels: dict[str, str]) -> None:
    assert sel.matches(labels) == reference_match(sel.requirements, labels)


@st.composite
def metav1_selectors(draw: st.DrawFn) -> dict:
    match_labels = draw(st.dictionaries(KEYS, LABEL_VALUES, max_size=3))
    expressions = []
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
        expr = {"key": draw(KEYS), "operator": op}
        if op in ("In", "NotIn"):
            expr["values"] = draw(st.lists(LABEL_VALUES, min_size=1, max_size=3))
        expressions.append(expr)
    return {"matchLabels": match_labels, "matchExpressions": expressions}


def reference_metav1(selector: dict, labels: dict[str, str]) -> bool:
    if not selector["matchLabels"] and not selector["matchExpressions"]:
        return True
    if any(labels.get(k) != v for k, v in selector["matchLabels"].items()):
        return False
    for e in selector["matchExpressions"]:
        present = e["key"] in labels
        if e["operator"] == "In" and not (present and labels[e["key"]] in e["values"]):
            return False
        if e["operator"] == "NotIn" and present and labels[e["key"]] in e["values"]:
            return False
        if e["operator"] == "Exists" and not present:
            return False
        if e["operator"] == "DoesNotExist" and present:
            return False
    return True


@settings(max_examples=300)
@given(metav1_selectors(), st.lists(LABELS, min_size=1, max_size=8))
def test_match_expressions_agree_with_string_form(selector: dict, label_sets: list[dict[str, str]]) -> None:
    sel = label_selector_from_dict(selector)
    parsed = parse_label_selector(str(sel))
    for labels in label_sets:
        assert sel.matches(labels) == parsed.matches(labels) == reference_metav1(selector, labels)


@given(st.dictionaries(KEYS, LABEL_VALUES, max_size=5), LABELS)
def test_set_selector_is_subset_test(wanted: dict[str, str], labels: dict[str, str]) -> None:
    sel = selector_from_set(wanted)
    assert sel.matches(labels) == all(labels.get(k) == v for k, v in wanted.items())
    assert parse_label_selector(str(sel)).matches(labels) == sel.matches(labels)


# Field selectors --------------------------------------------------------------------------------

FIELD_NAMES = st.sampled_from(["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "type"])
FIELD_VALUES = st.text(alphabet=st.sampled_from(list("ab,=\\!() é")), max_size=6)


@given(FIELD_VALUES)
def test_escape_round_trips(value: str) -> None:
    assert unescape_field_value(escape_field_value(value)) == value


@settings(max_examples=300)
@given(
    st.lists(st.tuples(FIELD_NAMES, st.sampled_from(["=", "!="]), FIELD_VALUES), max_size=5),
    st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=5),
)
def test_field_selector_round_trips_and_matches(terms, fields: dict[str, str]) -> None:
    sel = FieldSelector(tuple(FieldTerm(f, op, v) for f, op, v in terms))
    again = parse_field_selector(str(sel))
    assert sorted(again.terms, key=str) == sorted(sel.terms, key=str)
    expected = all((fields.get(f, "") == v) == (op == "=") for f, op, v in terms)
    assert again.matches(fields) == sel.matches(fields) == expected
    assert parse_field_selector(str(again)) == again
