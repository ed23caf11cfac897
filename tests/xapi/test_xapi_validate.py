"""xAPI 1.0.3 validity: every produced statement passes, apart from ERB's known quirks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from xapi_helpers import load_raw, raw_names

from learnlake.xapi import StaticLookups, XapiRejected, transform_event, validate_statement

QUIRKY = ("multiple_questions", "list_answers", "special_exam", "weighted_possible")


def _statements(lookups: StaticLookups) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for name in raw_names():
        try:
            out.extend((name, st) for st in transform_event(load_raw(name), lookups))
        except XapiRejected:
            assert "anonymous" in name
    return out


def test_every_produced_statement_is_valid_xapi(lookups: StaticLookups) -> None:
    checked = 0
    for name, statement in _statements(lookups):
        issues = validate_statement(statement)
        if "required.only.data" in name and "problem_check" in name:
            assert [i.path for i in issues] == ["object.id"]  # ERB's router drops this one
            continue
        errors = [i for i in issues if not i.quirk]
        assert errors == [], name
        if not any(q in name for q in QUIRKY):
            assert issues == [], name
        checked += 1
    assert checked >= 55


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda s: s.update(id="not-a-uuid"), "id"),
        (lambda s: s["verb"].update(id="no scheme"), "verb.id"),
        (lambda s: s.update(timestamp="2020-07-15 06:00"), "timestamp"),
        (lambda s: s["actor"].update(mbox="mailto:a@b.c"), "actor"),
        (lambda s: s["actor"]["account"].update(homePage="localhost"), "actor.account.homePage"),
        (lambda s: s["object"]["definition"].update(name={"en": 5}), "object.definition.name.en"),
        (lambda s: s["object"]["definition"].update(name={"no tag!": "x"}), "object.definition.name.no tag!"),
        (
            lambda s: s["object"]["definition"].update(interactionType="x"),
            "object.definition.interactionType",
        ),
        (lambda s: s.update(result={"score": {"scaled": 1.5}}), "result.score.scaled"),
        (lambda s: s.update(result={"score": {"min": 0, "max": 1, "raw": 2}}), "result.score.raw"),
        (lambda s: s.update(result={"duration": "3 minutes"}), "result.duration"),
        (lambda s: s.update(result={"success": "yes"}), "result.success"),
        (lambda s: s["context"]["extensions"].update({"plain-key": 1}), "context.extensions[plain-key]"),
        (lambda s: s.update(extra=1), "extra"),
        (lambda s: s.pop("verb"), "verb"),
    ],
)
def test_invalid_statements_are_reported(change: Any, path: str, lookups: StaticLookups) -> None:
    statement = copy.deepcopy(transform_event(load_raw("problem_check(server)"), lookups)[0])
    assert validate_statement(statement) == []
    change(statement)
    issues = validate_statement(statement)
    assert path in [i.path for i in issues]
    assert not any(i.quirk for i in issues)


def test_erb_quirks_are_flagged_as_quirks(lookups: StaticLookups) -> None:
    multi = transform_event(load_raw("problem_check(server,multiple_questions,incorrect)"), lookups)
    assert [i.quirk for i in validate_statement(multi[0])] == [True]
    exam = transform_event(load_raw("edx.special_exam.practice.attempt.created"), lookups)[0]
    (issue,) = validate_statement(exam)
    assert issue.quirk and issue.path == "context.contextActivities.grouping[0].id"
