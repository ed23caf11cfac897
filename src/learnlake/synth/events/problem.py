"""Capa problem events: problem_check (browser form post and server result), showanswer, hints,
and the proposed `edx.problem.completed`.

A problem has one or more inputs (`<block id>_2_1`, `<block id>_3_1` ...), one per response. For
each input a few answers are precomputed (the correct one and wrong ones), each with its internal
value (what capa stores), its visible text (what `submission` shows) and its url-encoded form field
(what the browser posts), so an attempt is only a choice of one answer per input.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from learnlake.synth.events.common import Event, Who, browser_event, server_event, xblock_context

INPUT_TYPES = {
    "multiplechoiceresponse": "choicegroup",
    "choiceresponse": "checkboxgroup",
    "optionresponse": "optioninput",
    "numericalresponse": "formulaequationinput",
    "stringresponse": "textline",
    "formularesponse": "formulaequationinput",
}

_QUESTIONS = {
    "multiplechoiceresponse": ["Which of these is a prime number?", "Which planet is largest?"],
    "choiceresponse": ["Which of the following are musical instruments?", "Select all even numbers."],
    "optionresponse": ["What color is the open ocean on a sunny day?", "Is water wet?"],
    "numericalresponse": ["How much is 6 times 7?", "What is pi to two decimals?"],
    "stringresponse": ["What is the capital of France?", "Name the largest ocean."],
    "formularesponse": ["Write the derivative of x^2.", "Expand (x+1)^2."],
}


@dataclass(slots=True)
class Answer:
    """One possible answer to one input."""

    internal: str | list[str]
    visible: str | list[str]
    form: str  # url-encoded form fields for the browser post
    correct: bool


@dataclass(slots=True)
class InputSpec:
    """One response of a problem."""

    input_id: str
    response_type: str
    input_type: str
    question: str
    answers: list[Answer]  # answers[0] is correct


@dataclass(slots=True)
class ProblemRef:
    """Static facts of one problem block, with the per-block strings precomputed."""

    usage_key: str
    block_id: str
    display_name: str
    inputs: list[InputSpec]
    weight: float | None
    page: str  # xblock URL of the vertical (referer of handler calls)
    course_key: str
    hints: list[str] = field(default_factory=list)
    max_attempts: int | None = None
    module: dict[str, str] = field(default_factory=dict)
    check_path: str = ""
    show_path: str = ""
    hint_path: str = ""

    def __post_init__(self) -> None:
        self.module = {"display_name": self.display_name, "usage_key": self.usage_key}
        base = f"/courses/{self.course_key}/xblock/{self.usage_key}/handler/xmodule_handler/"
        self.check_path = base + "problem_check"
        self.show_path = base + "problem_show"
        self.hint_path = base + "hint_button"

    @property
    def max_grade(self) -> int:
        """Raw points: one per input."""
        return len(self.inputs)

    @property
    def weighted_possible(self) -> float:
        """Points the problem is worth in grades (its weight, or its raw points)."""
        return float(self.max_grade) if self.weight is None else float(self.weight)


def make_inputs(block_id: str, response_types: list[str], rng: random.Random) -> list[InputSpec]:
    """Made-up inputs for a problem whose capa XML is unknown, one per response type."""
    specs = []
    for k, rtype in enumerate(response_types or ["multiplechoiceresponse"]):
        known = rtype if rtype in _QUESTIONS else "stringresponse"
        choices: list[tuple[str, str]] = []
        correct: list[str] = []
        if known == "choiceresponse":
            choices = [(f"choice_{i}", t) for i, t in enumerate(["a piano", "a window", "a guitar", "a rug"])]
            correct = ["choice_0", "choice_2"]
        elif known == "multiplechoiceresponse":
            choices = [
                (f"choice_{i}", t) for i, t in enumerate(["a chair", "a bookshelf", "a lamp", "a rug"])
            ]
            correct = [f"choice_{rng.randrange(4)}"]
        elif known == "optionresponse":
            choices = [(t, t) for t in ["blue", "yellow", "green"]]
            correct = ["blue"]
        else:
            correct = [{"numericalresponse": "42", "formularesponse": "2*x"}.get(known, "Paris")]
        specs.append(
            make_input(
                f"{block_id}_{k + 2}_1",
                rtype,
                INPUT_TYPES.get(rtype, "textline"),
                rng.choice(_QUESTIONS[known]),
                choices,
                correct,
            )
        )
    return specs


def make_input(
    input_id: str,
    response_type: str,
    input_type: str,
    question: str,
    choices: list[tuple[str, str]],
    correct: list[str],
) -> InputSpec:
    """An input with its correct answer first and two wrong ones, from the problem's definition.

    `choices` are (value, text) pairs of choice-like inputs; `correct` holds the correct values
    (choice names, option texts, or the expected text/number)."""
    text = dict(choices)
    wrong = [v for v, _ in choices if v not in correct]
    answers: list[Answer] = []
    if response_type == "choiceresponse" and choices:
        good = correct or [choices[0][0]]
        picks = [good, [*good[:-1], *wrong[:1]] if wrong else good[:1], wrong[:1] or good[:1]]
        for pick in picks:
            form = "&".join(_field(input_id, v, multi=True) for v in pick)
            answers.append(Answer(list(pick), [text[v] for v in pick], form, sorted(pick) == sorted(good)))
    elif choices:
        good_value = correct[0] if correct and correct[0] in text else choices[0][0]
        others = [v for v, _ in choices if v != good_value] or [good_value]
        for i, value in enumerate([good_value, others[0], others[-1]]):
            ok = i == 0 or value == good_value
            answers.append(Answer(value, text[value], _field(input_id, value), ok))
    else:
        expected = correct[0] if correct else "42"
        try:
            number = float(expected)
            bad = [f"{number * 1.5 + 1:g}", f"{number - 3:g}"]
        except ValueError:
            bad = ["not sure", "x"]
        for i, value in enumerate([expected, *bad]):
            answers.append(Answer(value, value, _field(input_id, value), i == 0))
    return InputSpec(input_id, response_type, input_type, question, answers)


def _field(input_id: str, value: str, multi: bool = False) -> str:
    name = f"input_{input_id}%5B%5D" if multi else f"input_{input_id}"
    return f"{name}={quote_plus(value)}"


def check_browser(who: Who, t: str, p: ProblemRef, chosen: list[Answer]) -> Event:
    """The browser's record of the submitted form (payload is the url-encoded form, not JSON)."""
    form = "&".join(a.form for a in chosen)
    return browser_event(who, "problem_check", t, form, p.page, p.page)


def _cmap_entry(correct: bool) -> dict[str, Any]:
    return {
        "answervariable": None,
        "correctness": "correct" if correct else "incorrect",
        "hint": "",
        "hintmode": None,
        "msg": "",
        "npoints": None,
        "queuestate": None,
    }


def correct_map(p: ProblemRef, chosen: list[Answer]) -> dict[str, Any]:
    """Capa's correct_map for one submission."""
    return {spec.input_id: _cmap_entry(a.correct) for spec, a in zip(p.inputs, chosen, strict=True)}


def student_answers(p: ProblemRef, chosen: list[Answer]) -> dict[str, Any]:
    """Capa's student_answers (internal values) for one submission."""
    return {spec.input_id: a.internal for spec, a in zip(p.inputs, chosen, strict=True)}


def check_server(
    who: Who,
    t: str,
    p: ProblemRef,
    chosen: list[Answer],
    attempts: int,
    previous: list[Answer] | None,
    previous_done: bool,
) -> Event:
    """The graded result of a submission, with the problem state from before it."""
    grade = sum(1 for a in chosen if a.correct)
    state = {
        "correct_map": correct_map(p, previous) if previous else {},
        "done": previous_done,
        "has_saved_answers": False,
        "input_state": {spec.input_id: {} for spec in p.inputs},
        "seed": 1,
        "student_answers": student_answers(p, previous) if previous else {},
    }
    submission = {
        spec.input_id: {
            "answer": a.visible,
            "correct": a.correct,
            "group_label": "",
            "input_type": spec.input_type,
            "question": spec.question,
            "response_type": spec.response_type,
            "variant": "",
        }
        for spec, a in zip(p.inputs, chosen, strict=True)
    }
    data = {
        "answers": student_answers(p, chosen),
        "attempts": attempts,
        "correct_map": correct_map(p, chosen),
        "grade": grade,
        "max_grade": p.max_grade,
        "problem_id": p.usage_key,
        "state": state,
        "submission": submission,
        "success": "correct" if grade == p.max_grade else "incorrect",
    }
    ctx = xblock_context(who, p.check_path, p.module)
    return server_event(who, "problem_check", t, data, ctx, p.page, "x_module")


def showanswer(who: Who, t: str, p: ProblemRef) -> Event:
    """The learner asked to see the answer."""
    ctx = xblock_context(who, p.show_path, p.module)
    return server_event(who, "showanswer", t, {"problem_id": p.usage_key}, ctx, p.page, "x_module")


def hint_displayed(who: Who, t: str, p: ProblemRef, index: int) -> Event:
    """A demand hint was shown (`index` counts from 0)."""
    data = {
        "hint_index": index,
        "hint_len": len(p.hints),
        "hint_text": p.hints[index],
        "module_id": p.usage_key,
    }
    ctx = xblock_context(who, p.hint_path, p.module)
    return server_event(who, "edx.problem.hint.demandhint_displayed", t, data, ctx, p.page, "x_module")


def completed(who: Who, t: str, p: ProblemRef, earned: float, possible: float, txn_id: str) -> Event:
    """The proposed `edx.problem.completed`: the learner is done with the problem."""
    data = {
        "course_id": who.course_id,
        "event_transaction_id": txn_id,
        "event_transaction_type": "edx.grades.problem.submitted",
        "problem_id": p.usage_key,
        "user_id": str(who.user_id),
        "weighted_earned": earned,
        "weighted_possible": possible,
    }
    ctx = xblock_context(who, p.check_path, p.module, asides=False)
    return server_event(who, "edx.problem.completed", t, data, ctx, p.page)
