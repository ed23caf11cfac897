"""Grade events: problem scores, subsection and course recalculations, course pass/fail changes."""

from __future__ import annotations

from learnlake.synth.events.common import Event, Who, course_context, server_event, xblock_context
from learnlake.synth.events.problem import ProblemRef

PROBLEM_SUBMITTED = "edx.grades.problem.submitted"


def problem_submitted(who: Who, t: str, p: ProblemRef, earned: float, possible: float, txn_id: str) -> Event:
    """A problem score was saved (weighted points)."""
    data = {
        "course_id": who.course_id,
        "event_transaction_id": txn_id,
        "event_transaction_type": PROBLEM_SUBMITTED,
        "problem_id": p.usage_key,
        "user_id": str(who.user_id),
        "weighted_earned": earned,
        "weighted_possible": possible,
    }
    ctx = xblock_context(who, p.check_path, p.module, asides=False)
    return server_event(who, PROBLEM_SUBMITTED, t, data, ctx, p.page)


def subsection_calculated(
    who: Who,
    t: str,
    p: ProblemRef,
    block_id: str,
    course_version: str,
    earned: float,
    possible: float,
    graded: bool,
    first_attempted: str,
    edited: str,
    txn_id: str,
    visible_blocks_hash: str,
) -> Event:
    """A subsection grade was recomputed after a score change of problem `p` in it."""
    data = {
        "user_id": str(who.user_id),
        "course_id": who.course_id,
        "block_id": block_id,
        "course_version": course_version,
        "weighted_total_earned": earned,
        "weighted_total_possible": possible,
        "weighted_graded_earned": earned if graded else 0.0,
        "weighted_graded_possible": possible if graded else 0.0,
        "first_attempted": first_attempted,
        "subtree_edited_timestamp": edited,
        "event_transaction_id": txn_id,
        "event_transaction_type": PROBLEM_SUBMITTED,
        "visible_blocks_hash": visible_blocks_hash,
    }
    ctx = xblock_context(who, p.check_path, p.module, asides=False)
    return server_event(who, "edx.grades.subsection.grade_calculated", t, data, ctx, p.page)


def course_calculated(
    who: Who,
    t: str,
    path: str,
    referer: str,
    course_version: str,
    percent: float,
    letter: str,
    edited: str,
    txn_id: str,
    policy_hash: str,
) -> Event:
    """The course grade was recomputed."""
    data = {
        "user_id": str(who.user_id),
        "course_id": who.course_id,
        "course_version": course_version,
        "percent_grade": percent,
        "letter_grade": letter,
        "course_edited_timestamp": edited,
        "event_transaction_id": txn_id,
        "event_transaction_type": PROBLEM_SUBMITTED,
        "grading_policy_hash": policy_hash,
    }
    return server_event(
        who, "edx.grades.course.grade_calculated", t, data, course_context(who, path), referer
    )


def _status(who: Who, name: str, t: str, path: str, referer: str) -> Event:
    data = {"course_id": who.course_id, "user_id": who.user_id}
    return server_event(who, name, t, data, course_context(who, path), referer)


def passed_first_time(who: Who, t: str, path: str, referer: str) -> Event:
    """The learner's course grade reached the passing cutoff for the first time."""
    return _status(who, "edx.course.grade.passed.first_time", t, path, referer)


def now_passed(who: Who, t: str, path: str, referer: str) -> Event:
    """The course grade went from failing to passing."""
    return _status(who, "edx.course.grade.now_passed", t, path, referer)


def now_failed(who: Who, t: str, path: str, referer: str) -> Event:
    """The course grade went from passing to failing."""
    return _status(who, "edx.course.grade.now_failed", t, path, referer)
